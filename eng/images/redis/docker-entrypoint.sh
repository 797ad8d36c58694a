#!/bin/bash
# Mirrors the official image's entrypoint: flags or a .conf file as the first argument mean redis-server,
# and protected mode is off because the container's network, not the bind address, is the boundary.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = "redis-server" ]; then
  shift
  set -- redis-server --protected-mode no "$@"
fi
exec "$@"
