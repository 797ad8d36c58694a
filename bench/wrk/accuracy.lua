-- wrk script for the limiter-accuracy run: counts admitted (200), limited (429) and any other status per thread
-- and prints one JSON line with the sums. Counting needs response(), which costs wrk throughput: this script is
-- only for the accuracy run, never for the latency rounds.
local token = os.getenv("BENCH_TOKEN")
local threads = {}

wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  admitted, limited, other = 0, 0, 0
end

function response(status, headers, body)
  if status == 200 then
    admitted = admitted + 1
  elseif status == 429 then
    limited = limited + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local a, l, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("admitted")
    l = l + thread:get("limited")
    o = o + thread:get("other")
  end
  io.write(string.format('BENCH_RESULT {"admitted":%d,"limited":%d,"other":%d,"socket_errors":%d}\n',
    a, l, o, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
