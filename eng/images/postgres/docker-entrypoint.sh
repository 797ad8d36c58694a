#!/bin/bash
# Mirrors the official postgres image's entrypoint for what Aspire and Testcontainers use: POSTGRES_USER,
# POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD; flags as the first argument
# mean postgres. Bash builtins only: the image has no coreutils.
set -e
if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

if [ "$1" = "postgres" ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "POSTGRES_PASSWORD is not set: refusing to create a database server without a password." >&2
    exit 1
  fi
  user="${POSTGRES_USER:-postgres}"
  printf '%s\n' "$POSTGRES_PASSWORD" >/tmp/pwfile
  # shellcheck disable=SC2086 # word splitting is the point, as in the official image
  initdb --pgdata="$PGDATA" --username="$user" --pwfile=/tmp/pwfile --encoding=UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-} >/dev/null
  : >/tmp/pwfile
  # The container's network, not pg_hba, is the boundary; every remote login still needs the password.
  printf 'host all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != "postgres" ]; then
    printf 'CREATE DATABASE "%s";\n' "${POSTGRES_DB//\"/\"\"}" | postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
fi

if [ "$1" = "postgres" ]; then
  shift
  # docker stop sends SIGTERM, which is postgres's "smart" shutdown (waits for every client); the official image
  # sets STOPSIGNAL SIGINT (fast shutdown), which an imported image cannot: translate it here.
  postgres -c listen_addresses='*' -c jit=off "$@" &
  server=$!
  trap 'kill -INT "$server"' TERM INT
  wait "$server" || true
  wait "$server"
  exit $?
fi
exec "$@"
