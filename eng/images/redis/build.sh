#!/usr/bin/env bash
# Builds a small Redis image from the operating system's Redis (Debian's redis-server) for machines that
# cannot reach a container registry. Usage: build.sh [image-name]. The name is a local one on purpose: the
# image must not pass itself off as the upstream redis tag.
set -euo pipefail

image="${1:-securestack/redis:7.0-debian}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../lib/prerequisites.sh
source "$here/../../lib/prerequisites.sh"

if ! command -v redis-cli >/dev/null || [ ! -e /usr/bin/redis-server ]; then
  apt_install redis-server redis-tools || die "Cannot install Redis from the OS packages to build $image."
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,usr/local/bin,etc,data,tmp}
chmod 1777 "$root/tmp"

# /usr/bin/redis-server is a symlink to redis-check-rdb (argv[0] selects the mode): copy the real file.
cp "$(readlink -f /usr/bin/redis-server)" "$root/usr/local/bin/redis-server"
cp "$(readlink -f "$(command -v redis-cli)")" "$root/usr/local/bin/redis-cli"
# bash as /bin/sh: with dash, "sh -c" stays PID 1, ignores SIGTERM and every stop waits the full timeout.
cp /bin/bash "$root/bin/bash"
ln -s bash "$root/bin/sh"
cp "$here/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

for binary in "$root/usr/local/bin/redis-server" "$root/usr/local/bin/redis-cli" "$root/bin/bash"; do
  ldd "$binary" | grep -oE '/[^ ]+' | while read -r library; do
    cp --parents -L "$library" "$root"
  done
done

printf 'root:x:0:0:root:/root:/bin/sh\nredis:x:999:999:redis:/data:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nredis:x:999:\n' >"$root/etc/group"
chown 999:999 "$root/data"

tar --numeric-owner -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'WORKDIR /data' \
  --change 'USER redis' \
  --change 'EXPOSE 6379' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["redis-server"]' \
  - "$image" >/dev/null

log "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')) from Redis $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')"
