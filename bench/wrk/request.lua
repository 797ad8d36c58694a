-- wrk script shared by every target: the same request (bearer token from BENCH_TOKEN), and one JSON line of
-- results so eng/bench.sh never scrapes wrk's human-readable summary.
-- Optional BENCH_DELAY_MS paces each connection (think time) to run below peak load.
local token = os.getenv("BENCH_TOKEN")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

wrk.method = "GET"
if token and #token > 0 then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local non2xx = summary.errors.status
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    non2xx, socket))
end
