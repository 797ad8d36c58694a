#!/usr/bin/env bash
# Prerequisites shared by eng/run.sh and eng/test.sh. Sourced, not run. Every step checks first and does
# nothing where the machine already has what it needs, so a laptop with Docker Desktop is left untouched.

readonly SECURESTACK_UPSTREAM_REDIS_IMAGE="docker.io/library/redis:8.6"
readonly SECURESTACK_LOCAL_REDIS_IMAGE="securestack/redis:7.0-debian"
# The tag Aspire.Hosting.PostgreSQL publishes; the local fallback is Debian 12's PostgreSQL 15.
readonly SECURESTACK_UPSTREAM_POSTGRES_IMAGE="docker.io/library/postgres:18.3"
readonly SECURESTACK_LOCAL_POSTGRES_IMAGE="securestack/postgres:15-debian"
SECURESTACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly SECURESTACK_ROOT

log() { printf '\033[1;34m[securestack]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[securestack] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null || return 1
  log "installing $* from the OS packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 && return 0
  # The package lists may be missing or stale on a fresh machine: refresh once and retry.
  as_root apt-get update -q >/dev/null 2>&1 || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null || die "The .NET SDK 10 is required: https://dot.net/download (global.json pins the band)."
}

# A container engine that answers. Docker Desktop or a running daemon is used as it is; otherwise, where the
# machine can install one (Debian's docker.io, as root), install and start it.
ensure_container_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi

  if ! command -v dockerd >/dev/null; then
    apt_install docker.io || die "No container engine answers and none could be installed. Start Docker (Desktop or dockerd) and retry."
  fi
  command -v docker >/dev/null || die "docker.io installed no docker client."

  local log_file="${TMPDIR:-/tmp}/securestack-dockerd.log"
  log "starting dockerd (log: $log_file)"
  as_root sh -c "nohup dockerd >'$log_file' 2>&1 &" || die "Could not start dockerd: run this script as root or with sudo."
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then log "container engine ready"; return 0; fi
    sleep 1
  done
  die "dockerd did not answer within 60 s; see $log_file"
}

# Older engines (Debian's Docker 20.10 speaks API 1.41) refuse Testcontainers' default API 1.44: tell
# clients the daemon's own version instead of hard-coding one.
export_docker_api_version() {
  [ -n "${DOCKER_API_VERSION:-}" ] && return 0
  local daemon_api
  daemon_api="$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null || true)"
  [ -z "$daemon_api" ] && return 0
  if [ "$(printf '%s\n%s\n' "$daemon_api" 1.44 | sort -V | head -n 1)" != "1.44" ]; then
    export DOCKER_API_VERSION="$daemon_api"
    log "engine speaks Docker API $daemon_api: DOCKER_API_VERSION=$daemon_api"
  fi
}

# A container image the stack runs: ensure_image <variable> <upstream image> <local image> <build script>.
# The upstream image is used when present or pullable. Otherwise (no registry reachable) an image is built
# from the OS's packages under an honest local name, and configuration points at it: the AppHost and the
# tests read Containers:<Name>:Image (environment: the <variable> given, e.g. Containers__Redis__Image).
ensure_image() {
  local variable="$1" upstream="$2" local_image="$3" build="$4"
  local configured="${!variable:-}"
  if [ -n "$configured" ]; then
    docker image inspect "$configured" >/dev/null 2>&1 || docker pull -q "$configured" >/dev/null \
      || die "$variable=$configured is neither present nor pullable."
    return 0
  fi
  if docker image inspect "$upstream" >/dev/null 2>&1; then return 0; fi
  if timeout 60 docker pull -q "$upstream" >/dev/null 2>&1; then
    log "pulled $upstream"
    return 0
  fi

  log "cannot pull $upstream (no registry reachable): using $local_image"
  if ! docker image inspect "$local_image" >/dev/null 2>&1; then
    "$SECURESTACK_ROOT/$build" "$local_image"
  fi
  export "$variable=$local_image"
  # Without a registry the Testcontainers reaper (Ryuk, pinned by digest) cannot be pulled either; the
  # tests dispose their containers themselves.
  export TESTCONTAINERS_RYUK_DISABLED=true
}

ensure_redis_image() {
  ensure_image Containers__Redis__Image "$SECURESTACK_UPSTREAM_REDIS_IMAGE" "$SECURESTACK_LOCAL_REDIS_IMAGE" eng/images/redis/build.sh
}

# PostgreSQL: the Identity and Api tests run their data layer on it too, and the AppHost with Database:Provider=Postgres.
ensure_postgres_image() {
  ensure_image Containers__Postgres__Image "$SECURESTACK_UPSTREAM_POSTGRES_IMAGE" "$SECURESTACK_LOCAL_POSTGRES_IMAGE" eng/images/postgres/build.sh
}

# The ASP.NET Core development certificate (CN=localhost) serves the Gateway's HTTPS endpoint in Development.
# Its public part is exported for clients that trust it explicitly (curl --cacert, the tests).
ensure_dev_certificate() {
  if ! dotnet dev-certs https --check >/dev/null 2>&1; then
    log "creating the ASP.NET Core development certificate"
    dotnet dev-certs https >/dev/null || die "dotnet dev-certs https failed."
  fi
  local dir="$SECURESTACK_ROOT/artifacts/dev-cert"
  if [ ! -s "$dir/localhost.pem" ]; then
    mkdir -p "$dir"
    dotnet dev-certs https --export-path "$dir/localhost.pem" --format PEM --no-password >/dev/null
    rm -f "$dir/localhost.key"   # only the public certificate leaves the certificate store
  fi
  export SECURESTACK_DEV_CERT="$dir/localhost.pem"
}

ensure_prerequisites() {
  ensure_dotnet
  ensure_dev_certificate
  ensure_container_engine
  export_docker_api_version
  ensure_redis_image
  ensure_postgres_image
}
