#!/usr/bin/env bash
# Writes the AppHost's publish manifest (what `azd up` deploys from) to artifacts/aspire-manifest.json, or to
# the path given; further arguments are AppHost settings, e.g. --Database:Provider=Postgres. Publish mode starts
# nothing: no container engine needed. See docs/deploy.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source eng/lib/prerequisites.sh

ensure_dotnet
output="$(realpath -m "${1:-artifacts/aspire-manifest.json}")"
mkdir -p "$(dirname "$output")"

log "building the AppHost"
dotnet build AppHost/SecureStack.AppHost.csproj --nologo -v quiet
# Empty image settings publish the upstream Redis and PostgreSQL images even where eng/ scripts pointed at local ones.
dotnet run --project AppHost/SecureStack.AppHost.csproj --no-build -- \
  --publisher manifest --output-path "$output" --Containers:Redis:Image= --Containers:Postgres:Image= "${@:2}" >/dev/null
log "manifest: $output"
