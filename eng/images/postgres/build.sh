#!/usr/bin/env bash
# Builds a small PostgreSQL image from the operating system's PostgreSQL (Debian's postgresql) for machines that
# cannot reach a container registry. Usage: build.sh [image-name]. The name is a local one on purpose: the
# image must not pass itself off as an upstream postgres tag.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../lib/prerequisites.sh
source "$here/../../lib/prerequisites.sh"

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  apt_install postgresql postgresql-client || die "Cannot install PostgreSQL from the OS packages."
fi
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
lib="$(dirname "$bin")/lib"
major="$(basename "$(dirname "$bin")")"
share="/usr/share/postgresql/$major"
image="${1:-securestack/postgres:$major-debian}"

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,usr/local/bin,etc,tmp,var/run/postgresql,var/lib/postgresql/data}
chmod 1777 "$root/tmp"

# Server, initdb and the two clients the tests and probes use; extensions' libraries; catalogs and time zones.
# JIT is left out (it needs LLVM, ~100 MB) and switched off by the entrypoint.
mkdir -p "$root$bin" "$root$lib"
for tool in postgres initdb pg_isready psql; do cp "$bin/$tool" "$root$bin/"; ln -s "$bin/$tool" "$root/usr/local/bin/$tool"; done
find "$lib" -maxdepth 1 -name '*.so' ! -name 'llvmjit*' -exec cp {} "$root$lib/" \;
cp -r --parents "$share" "$root"
cp -r --parents /usr/share/zoneinfo "$root"
cp /bin/bash "$root/bin/bash"
ln -s bash "$root/bin/sh"
cp "$here/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

for binary in "$root$bin"/* "$root$lib"/*.so "$root/bin/bash"; do
  # A module without dependencies of its own lists none: not an error.
  { ldd "$binary" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } | while read -r library; do
    [ -e "$root$library" ] || cp --parents -L "$library" "$root"
  done
done

printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\npostgres:x:999:\n' >"$root/etc/group"
chown -R 999:999 "$root/var/run/postgresql" "$root/var/lib/postgresql"
chmod 700 "$root/var/lib/postgresql/data"

tar --numeric-owner -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'ENV LANG=C' \
  --change 'USER postgres' \
  --change 'WORKDIR /var/lib/postgresql' \
  --change 'EXPOSE 5432' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  - "$image" >/dev/null

log "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')) from PostgreSQL $("$bin/postgres" --version | awk '{print $3}')"
