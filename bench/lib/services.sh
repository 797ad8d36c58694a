#!/usr/bin/env bash
# The processes eng/bench.sh measures. Sourced after eng/lib/prerequisites.sh. Everything listens on loopback
# ports 7400-7499 and lives under artifacts/bench; every process started here is stopped by its own PID.

readonly PORT_REDIS=7400
readonly PORT_IDENTITY=7401
readonly PORT_API=7402
readonly PORT_GATEWAY_LIMITED=7403
readonly PORT_GATEWAY_UNLIMITED=7404
readonly PORT_NGINX=7405
readonly PORT_GATEWAY_UNTUNED=7406
readonly PORTS_ACCURACY=(7411 7412 7413)
readonly BENCH_PATH=/api/v1/notes
readonly BENCH_REDIS_CONTAINER=securestack-bench-redis
# Tokens name the public origin clients use: the (limited) Gateway's.
readonly BENCH_ISSUER="https://localhost:$PORT_GATEWAY_LIMITED/"

BENCH_DIR="$SECURESTACK_ROOT/artifacts/bench"
TLS_DIR="$BENCH_DIR/tls"
LOG_DIR="$BENCH_DIR/logs"
declare -A BENCH_PIDS=()

ensure_bench_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || missing+=(nginx-light)
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v python3 >/dev/null || missing+=(python3)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}" || die "Cannot install ${missing[*]} from the OS packages."
  fi
}

publish_services() {
  local service
  for service in Identity Api Gateway; do
    log "publishing $service (Release)"
    dotnet publish "$service/SecureStack.$service.csproj" -c Release -o "$BENCH_DIR/$service" --nologo -v quiet >/dev/null \
      || die "dotnet publish $service failed."
  done
}

# A throwaway CA and a localhost certificate for every HTTPS endpoint, and the three PKCS#12 keys Identity needs
# outside Development (signing, token encryption, Data Protection key ring at rest). The services trust the CA
# through SSL_CERT_FILE, nothing else does.
create_bench_tls() {
  [ -s "$TLS_DIR/server.pem" ] && [ -s "$TLS_DIR/data-protection.pfx" ] && return 0
  mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=SecureStack bench CA" \
      -keyout ca.key -out ca.pem -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext -out server.pem 2>/dev/null
    for purpose in signing encryption data-protection; do
      openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=SecureStack bench $purpose" \
        -keyout "$purpose.key" -out "$purpose.crt" 2>/dev/null
      openssl pkcs12 -export -inkey "$purpose.key" -in "$purpose.crt" -out "$purpose.pfx" -passout pass:bench 2>/dev/null
    done
    rm -f server.csr server.ext
  )
}

start_bench_redis() {
  local image="${Containers__Redis__Image:-$SECURESTACK_UPSTREAM_REDIS_IMAGE}"
  BENCH_REDIS_PASSWORD="$(openssl rand -hex 24)"
  docker rm -f "$BENCH_REDIS_CONTAINER" >/dev/null 2>&1 || true
  log "starting Redis ($image) on 127.0.0.1:$PORT_REDIS"
  docker run -d --name "$BENCH_REDIS_CONTAINER" -p "127.0.0.1:$PORT_REDIS:6379" "$image" \
    redis-server --requirepass "$BENCH_REDIS_PASSWORD" --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do
    redis_cli PING 2>/dev/null | grep -q PONG && return 0
    sleep 0.5
  done
  die "Redis did not answer within 15 s."
}

redis_cli() {
  docker exec "$BENCH_REDIS_CONTAINER" redis-cli --no-auth-warning -a "$BENCH_REDIS_PASSWORD" "$@"
}

# Commands clients sent (a script's inner commands are counted by Redis too, but ride on the EVALSHA round trip),
# as JSON: {"evalsha":n,"exists":n,...}.
redis_client_calls() {
  redis_cli INFO commandstats | python3 bench/report.py commandstats
}

# CPU time (clock ticks, user + system) a started process and its children (nginx's workers) have used so far.
# Per request it is the figure a loaded, shared machine disturbs least: throughput moves with the neighbours' load,
# the work a request costs hardly does.
process_ticks() {
  local pid="${BENCH_PIDS[$1]}" total=0 child
  for child in "$pid" $(pgrep -P "$pid" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# What every service gets: the Benchmark environment (not Development), HTTPS with the bench certificate, the
# bench CA as the only trusted root, no OTLP exporter, logs to a file.
service_environment() {
  printf '%s\n' \
    "ASPNETCORE_ENVIRONMENT=Benchmark" \
    "ASPNETCORE_URLS=https://localhost:$1" \
    "Kestrel__Certificates__Default__Path=$TLS_DIR/server.pem" \
    "Kestrel__Certificates__Default__KeyPath=$TLS_DIR/server.key" \
    "SSL_CERT_FILE=$TLS_DIR/ca.pem" \
    "OTEL_EXPORTER_OTLP_ENDPOINT=" \
    "ConnectionStrings__redis=127.0.0.1:$PORT_REDIS,password=$BENCH_REDIS_PASSWORD"
}

# $1 name, $2 published folder, $3 port, then extra VAR=value settings.
start_service() {
  local name="$1" folder="$2" port="$3"
  shift 3
  mkdir -p "$LOG_DIR"
  local -a environment
  mapfile -t environment < <(service_environment "$port")
  (
    cd "$BENCH_DIR/$folder"
    exec env "${environment[@]}" "$@" dotnet "SecureStack.$folder.dll"
  ) >"$LOG_DIR/$name.log" 2>&1 &
  BENCH_PIDS[$name]=$!
}

BENCH_CLIENT_SECRET="$(openssl rand -hex 24)"

start_identity() {
  rm -rf "$BENCH_DIR/identity-data"
  start_service identity Identity "$PORT_IDENTITY" \
    "Identity__Issuer=$BENCH_ISSUER" \
    "Identity__DataPath=$BENCH_DIR/identity-data" \
    "Identity__AccessTokenLifetime=00:15:00" \
    "Identity__Clients__securestack-service__ClientSecret=$BENCH_CLIENT_SECRET" \
    "Identity__Keys__SigningCertificates__0__Path=$TLS_DIR/signing.pfx" \
    "Identity__Keys__SigningCertificates__0__Password=bench" \
    "Identity__Keys__EncryptionCertificates__0__Path=$TLS_DIR/encryption.pfx" \
    "Identity__Keys__EncryptionCertificates__0__Password=bench" \
    "DataProtection__Certificates__0__Path=$TLS_DIR/data-protection.pfx" \
    "DataProtection__Certificates__0__Password=bench"
}

jwt_settings() {
  printf '%s\n' \
    "Authentication__Jwt__Authority=https://localhost:$PORT_IDENTITY" \
    "Authentication__Jwt__Issuer=$BENCH_ISSUER"
}

start_api() {
  rm -rf "$BENCH_DIR/api-data" && mkdir -p "$BENCH_DIR/api-data"
  local -a jwt
  mapfile -t jwt < <(jwt_settings)
  start_service api Api "$PORT_API" "${jwt[@]}" \
    "ConnectionStrings__notes=Data Source=$BENCH_DIR/api-data/notes.db" \
    "ForwardedHeaders__KnownProxies__0=127.0.0.1"
}

# $1 name, $2 port, $3 limited | unlimited | accuracy, then extra VAR=value settings.
start_gateway() {
  local name="$1" port="$2" mode="$3"
  shift 3
  local -a jwt settings
  mapfile -t jwt < <(jwt_settings)
  settings=(
    "ReverseProxy__Clusters__api__Destinations__api__Address=https://localhost:$PORT_API"
    "ReverseProxy__Clusters__identity__Destinations__identity__Address=https://localhost:$PORT_IDENTITY"
  )
  case "$mode" in
    limited) settings+=("RateLimiting__Policies__per-user__PermitLimit=1000000000" "RateLimiting__ExpectedReplicas=1") ;;
    # No policy on the route: the request takes the same path, minus the limiter.
    unlimited) settings+=("ReverseProxy__Routes__api__RateLimiterPolicy=") ;;
    accuracy) settings+=(
      "RateLimiting__Policies__per-user__PermitLimit=$ACCURACY_LIMIT"
      "RateLimiting__Policies__per-user__WindowSeconds=$ACCURACY_WINDOW_SECONDS"
      "RateLimiting__ExpectedReplicas=${#PORTS_ACCURACY[@]}"
      "RateLimiting__KeyPrefix=securestack:bench-accuracy") ;;
  esac
  start_service "$name" Gateway "$port" "${jwt[@]}" "${settings[@]}" "$@"
}

start_nginx() {
  local dir="$BENCH_DIR/nginx"
  mkdir -p "$dir/logs" "$dir/temp"
  sed -e "s|@DIR@|$dir|g" -e "s|@TLS@|$TLS_DIR|g" -e "s|@PORT@|$PORT_NGINX|g" -e "s|@UPSTREAM@|127.0.0.1:$PORT_API|g" \
    bench/nginx/nginx.conf.template >"$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;" >"$LOG_DIR/nginx.log" 2>&1 &
  BENCH_PIDS[nginx]=$!
}

# name:port pairs; each must answer /alive (nginx: any answer) within 90 s.
wait_for_services() {
  local pair name port
  for pair in "$@"; do
    name="${pair%%:*}" port="${pair##*:}"
    local path=/alive
    [ "$name" = nginx ] && path=/
    for _ in $(seq 1 180); do
      if ! kill -0 "${BENCH_PIDS[$name]}" 2>/dev/null; then
        tail -n 30 "$LOG_DIR/$name.log" >&2
        die "$name exited during start-up (log: $LOG_DIR/$name.log)"
      fi
      curl -s -o /dev/null --cacert "$TLS_DIR/ca.pem" "https://localhost:$port$path" && continue 2
      sleep 0.5
    done
    die "$name did not answer on port $port within 90 s (log: $LOG_DIR/$name.log)"
  done
  log "all services answer"
}

client_credentials_token() {
  curl -sf --cacert "$TLS_DIR/ca.pem" "https://localhost:$PORT_IDENTITY/connect/token" \
    -d grant_type=client_credentials -d client_id=securestack-service \
    --data-urlencode "client_secret=$BENCH_CLIENT_SECRET" -d "scope=api.read api.write" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])' \
    || die "Identity issued no token (log: $LOG_DIR/identity.log)"
}

# Every target must answer the measured request with 200 before anything is timed: a benchmark of 401s is worthless.
verify_targets() {
  local port status
  for port in "$PORT_API" "$PORT_GATEWAY_LIMITED" "$PORT_GATEWAY_UNLIMITED" "$PORT_GATEWAY_UNTUNED" "$PORT_NGINX"; do
    status="$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TLS_DIR/ca.pem" -H "Authorization: Bearer $BENCH_TOKEN" "https://localhost:$port$BENCH_PATH")"
    [ "$status" = 200 ] || die "GET $BENCH_PATH on port $port answered $status, not 200."
  done
  # The unlimited Gateway must really skip the limiter, the limited one must really apply it.
  curl -s -D - -o /dev/null --cacert "$TLS_DIR/ca.pem" -H "Authorization: Bearer $BENCH_TOKEN" \
    "https://localhost:$PORT_GATEWAY_LIMITED$BENCH_PATH" | grep -qi '^ratelimit-policy:' || die "The limited Gateway sent no RateLimit-Policy."
  if curl -s -D - -o /dev/null --cacert "$TLS_DIR/ca.pem" -H "Authorization: Bearer $BENCH_TOKEN" \
    "https://localhost:$PORT_GATEWAY_UNLIMITED$BENCH_PATH" | grep -qi '^ratelimit-policy:'; then
    die "The unlimited Gateway still applies a rate-limit policy."
  fi
}

stop_process() {
  local name="$1" pid="${BENCH_PIDS[$1]:-}"
  [ -z "$pid" ] && return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  unset "BENCH_PIDS[$name]"
}

stop_gateways() {
  stop_process gateway-limited
  stop_process gateway-unlimited
  stop_process gateway-untuned
}

stop_bench_services() {
  local name
  for name in "${!BENCH_PIDS[@]}"; do stop_process "$name"; done
  docker rm -f "$BENCH_REDIS_CONTAINER" >/dev/null 2>&1 || true
}

readonly ACCURACY_LIMIT=1000
readonly ACCURACY_WINDOW_SECONDS=8
readonly ACCURACY_WINDOWS=3

# Three Gateways share Redis and one fixed-window policy; three wrk processes (one per Gateway) offer more than the
# limit inside a single window, then wait for the window to close. Admitted = 200s summed over the three.
run_limiter_accuracy() {
  local i port
  for i in "${!PORTS_ACCURACY[@]}"; do
    start_gateway "accuracy-$i" "${PORTS_ACCURACY[$i]}" accuracy
  done
  local -a pairs=()
  for i in "${!PORTS_ACCURACY[@]}"; do pairs+=("accuracy-$i:${PORTS_ACCURACY[$i]}"); done
  wait_for_services "${pairs[@]}"

  local window seconds=$((ACCURACY_WINDOW_SECONDS - 2))
  # A first window, not counted, warms the three processes (JIT, connections, the script cache), then closes.
  local -a warmers=()
  for port in "${PORTS_ACCURACY[@]}"; do
    wrk -t1 -c4 -d2s -s bench/wrk/accuracy.lua "https://127.0.0.1:$port$BENCH_PATH" >/dev/null &
    warmers+=($!)
  done
  wait "${warmers[@]}"
  sleep $((ACCURACY_WINDOW_SECONDS + 1))
  for window in $(seq 1 "$ACCURACY_WINDOWS"); do
    local -a files=() loaders=()
    for port in "${PORTS_ACCURACY[@]}"; do
      files+=("$BENCH_DIR/accuracy-$window-$port.txt")
      wrk -t1 -c8 -d"${seconds}s" --timeout 5s -s bench/wrk/accuracy.lua "https://127.0.0.1:$port$BENCH_PATH" \
        >"$BENCH_DIR/accuracy-$window-$port.txt" &
      loaders+=($!)
    done
    wait "${loaders[@]}"
    local line
    line="$(cat "${files[@]}" | python3 bench/report.py accuracy "$ACCURACY_LIMIT" "$window")"
    log "limiter accuracy, window $window: $line"
    printf '%s\n' "$line" >>"$RESULTS"
    # Past the window (and Redis's one-second grace on its keys) before the next one starts.
    sleep 3
  done
  for i in "${!PORTS_ACCURACY[@]}"; do stop_process "accuracy-$i"; done
}

run_micro_benchmarks() {
  log "BenchmarkDotNet micro-benchmarks (ShortRun)"
  local artifacts="$BENCH_DIR/benchmarkdotnet"
  rm -rf "$artifacts"
  BENCH_IDENTITY_URL="https://localhost:$PORT_IDENTITY" BENCH_CLIENT_SECRET="$BENCH_CLIENT_SECRET" \
    BENCH_REDIS="127.0.0.1:$PORT_REDIS,password=$BENCH_REDIS_PASSWORD" SSL_CERT_FILE="$TLS_DIR/ca.pem" \
    dotnet run -c Release --project bench/SecureStack.Benchmarks -- --filter '*' --artifacts "$artifacts" \
    >"$LOG_DIR/benchmarkdotnet.log" 2>&1 || die "BenchmarkDotNet failed (log: $LOG_DIR/benchmarkdotnet.log)"
  local report
  for report in "$artifacts"/results/*-report.csv; do
    python3 bench/report.py bdn "$report" >>"$RESULTS"
  done
}
