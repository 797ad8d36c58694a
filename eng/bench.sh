#!/usr/bin/env bash
# The edge benchmark (docs/performance.md is its output). On this one machine: Redis in a container, Identity, Api
# and three Gateways (rate-limited, unlimited, rate-limited with the token cache off) as published Release builds
# (environment "Benchmark", no dashboard, no OTLP exporter), nginx as a plain reverse proxy; wrk drives the same request with the same connections and duration against each target in
# interleaved rounds; then Redis round trips per request, the limiter's accuracy across three Gateway processes,
# and the BenchmarkDotNet micro-benchmarks. Regenerates docs/performance.md and docs/performance.png.
#
#   eng/bench.sh                      full run (about 6 minutes on 2 cores)
#   BENCH_ROUNDS=1 BENCH_SECONDS=5    a quicker, noisier run
#   BENCH_SKIP_MICRO=1                no BenchmarkDotNet part
#   BENCH_SKIP_PUBLISH=1              reuse the Release builds in artifacts/bench
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source eng/lib/prerequisites.sh
source bench/lib/services.sh

ROUNDS="${BENCH_ROUNDS:-3}"
SECONDS_PER_RUN="${BENCH_SECONDS:-8}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
OUT="$SECURESTACK_ROOT/artifacts/bench"
RESULTS="$OUT/results.jsonl"

ensure_prerequisites
ensure_bench_tools
trap stop_bench_services EXIT
trap 'exit 130' INT TERM

[ -n "${BENCH_SKIP_PUBLISH:-}" ] || publish_services
create_bench_tls
start_bench_redis
start_identity
start_api
start_gateway gateway-limited "$PORT_GATEWAY_LIMITED" limited
start_gateway gateway-unlimited "$PORT_GATEWAY_UNLIMITED" unlimited
# The limited Gateway as it was before tuning (every request validates its token in full), measured in the same run.
start_gateway gateway-untuned "$PORT_GATEWAY_UNTUNED" limited "Authentication__Jwt__ValidatedTokenCacheDuration=00:00:00"
start_nginx
wait_for_services identity:"$PORT_IDENTITY" api:"$PORT_API" gateway-limited:"$PORT_GATEWAY_LIMITED" \
  gateway-unlimited:"$PORT_GATEWAY_UNLIMITED" gateway-untuned:"$PORT_GATEWAY_UNTUNED" nginx:"$PORT_NGINX"

BENCH_TOKEN="$(client_credentials_token)"
export BENCH_TOKEN
verify_targets

: >"$RESULTS"
record() { printf '%s\n' "$1" >>"$RESULTS"; }
record "{\"kind\":\"settings\",\"threads\":$THREADS,\"connections\":$CONNECTIONS,\"seconds\":$SECONDS_PER_RUN,\"rounds\":$ROUNDS,\"accuracy_window\":$ACCURACY_WINDOW_SECONDS}"

# One wrk run; prints wrk's JSON line. $1 target name, $2 port, $3 seconds, $4 per-connection delay (ms).
run_wrk() {
  local port="$2" seconds="$3" delay="${4:-0}"
  BENCH_DELAY_MS="$delay" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s \
    -s bench/wrk/request.lua "https://127.0.0.1:$port$BENCH_PATH" | sed -n 's/^BENCH_RESULT //p'
}

declare -A TARGET_PORTS=(
  [direct]="$PORT_API" [gateway]="$PORT_GATEWAY_LIMITED" [gateway-nolimit]="$PORT_GATEWAY_UNLIMITED"
  [gateway-untuned]="$PORT_GATEWAY_UNTUNED" [nginx]="$PORT_NGINX"
)
# The process in front of the Api for each target (the Api itself when it is reached directly).
declare -A TARGET_PROCESS=(
  [direct]=api [gateway]=gateway-limited [gateway-nolimit]=gateway-unlimited [gateway-untuned]=gateway-untuned [nginx]=nginx
)
TARGETS=(direct gateway gateway-nolimit gateway-untuned nginx)

log "warm-up: 4 s per target"
for target in "${TARGETS[@]}"; do run_wrk "$target" "${TARGET_PORTS[$target]}" 4 >/dev/null; done

for round in $(seq 1 "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    before="$(redis_client_calls)"
    front_before="$(process_ticks "${TARGET_PROCESS[$target]}")" api_before="$(process_ticks api)"
    result="$(run_wrk "$target" "${TARGET_PORTS[$target]}" "$SECONDS_PER_RUN")"
    front_after="$(process_ticks "${TARGET_PROCESS[$target]}")" api_after="$(process_ticks api)"
    after="$(redis_client_calls)"
    log "round $round $target: $result"
    record "{\"kind\":\"peak\",\"round\":$round,\"target\":\"$target\",\"connections\":$CONNECTIONS,\"ticks_per_second\":$(getconf CLK_TCK),\"front_ticks\":$((front_after - front_before)),\"api_ticks\":$((api_after - api_before)),\"redis_before\":$before,\"redis_after\":$after,\"wrk\":$result}"
  done
done

# Half of the Gateway's peak: each connection waits between requests so that, together, they offer about half
# the median peak rate; the same pacing is applied to the Api directly and to nginx.
peak="$(python3 bench/report.py median-rps "$RESULTS" gateway)"
delay_ms="$(python3 -c "print(max(1, round($CONNECTIONS * 1000 / ($peak / 2))))")"
log "half load: about $((${peak%.*} / 2)) requests/s ($delay_ms ms between requests per connection)"
# Interleaved rounds as at peak: one p99 from one short run is mostly the machine's noise.
for round in $(seq 1 "$ROUNDS"); do
  for target in direct gateway nginx; do
    result="$(run_wrk "$target" "${TARGET_PORTS[$target]}" "$SECONDS_PER_RUN" "$delay_ms")"
    log "half load round $round $target: $result"
    record "{\"kind\":\"half\",\"round\":$round,\"target\":\"$target\",\"delay_ms\":$delay_ms,\"wrk\":$result}"
  done
done

# Limiter accuracy: the two measured Gateways make way for three that share one Redis and one fixed-window policy.
stop_gateways
run_limiter_accuracy

if [ -z "${BENCH_SKIP_MICRO:-}" ]; then
  run_micro_benchmarks
fi

stop_bench_services
trap - EXIT
python3 bench/report.py render "$RESULTS" "$SECURESTACK_ROOT/docs"
log "wrote docs/performance.md and docs/performance.png"
