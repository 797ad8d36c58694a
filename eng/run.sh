#!/usr/bin/env bash
# Starts the whole stack: the Aspire AppHost (Redis, Identity, Api, Gateway) and its dashboard. Installs what
# a fresh machine lacks first. Ctrl+C stops everything; the orchestrator removes its containers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source eng/lib/prerequisites.sh

ensure_prerequisites

log "building"
dotnet build AppHost/SecureStack.AppHost.csproj --nologo -v quiet

cat >&2 <<'TXT'

  Dashboard  http://localhost:15080   (open the login link the AppHost prints below)
  Gateway    https://localhost:5443   (development certificate; trust it explicitly:
             curl --cacert artifacts/dev-cert/localhost.pem https://localhost:5443/api/v1/ping)

TXT
exec dotnet run --project AppHost/SecureStack.AppHost.csproj --no-build --launch-profile http
