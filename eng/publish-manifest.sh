#!/usr/bin/env bash
# Writes the AppHost's publish manifest (what `azd up` deploys from) to artifacts/aspire-manifest.json, or to
# the path given. Publish mode starts nothing: no container engine needed. See docs/deploy.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source eng/lib/prerequisites.sh

ensure_dotnet
output="$(realpath -m "${1:-artifacts/aspire-manifest.json}")"
mkdir -p "$(dirname "$output")"

log "building the AppHost"
dotnet build AppHost/SecureStack.AppHost.csproj --nologo -v quiet
# An empty image setting publishes the upstream Redis image even where eng/ scripts pointed at the local one.
dotnet run --project AppHost/SecureStack.AppHost.csproj --no-build -- \
  --publisher manifest --output-path "$output" --Containers:Redis:Image= >/dev/null
log "manifest: $output"
