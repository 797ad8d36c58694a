#!/usr/bin/env bash
# Dependency audit gate: fails on any package (transitive ones included) with a high or critical advisory.
# Lower severities are listed but do not fail. The build shows every advisory as NU1901-NU1904 warnings too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source eng/lib/prerequisites.sh
ensure_dotnet

report="artifacts/audit/vulnerable-packages.json"
mkdir -p "$(dirname "$report")"

# NuGet can only report advisories its sources publish. A source without a VulnerabilityInfo resource (an
# offline mirror, say) makes "no vulnerable packages" meaningless: say so rather than pass silently.
blind=0
while read -r source; do
  if ! curl -fsS -m 15 "$source" 2>/dev/null | grep -q '"VulnerabilityInfo'; then
    log "WARNING: $source publishes no vulnerability data; this audit cannot see advisories from it."
    blind=1
  fi
done < <(grep -oE 'value="https://[^"]+"' nuget.config | sed -E 's/value="([^"]+)"/\1/')

dotnet restore SecureStack.sln --nologo -v quiet >/dev/null
dotnet list SecureStack.sln package --vulnerable --include-transitive --format json >"$report"

# A CycloneDX SBOM of what ships (test projects excluded), made by the maintained CycloneDX .NET tool.
dotnet tool restore >/dev/null
dotnet CycloneDX SecureStack.sln --output artifacts/sbom --output-format Json --exclude-test-projects >/dev/null
log "SBOM: artifacts/sbom/bom.json ($(grep -c '"bom-ref"' artifacts/sbom/bom.json) entries)"

high=$(grep -cE '"severity": "(High|Critical)"' "$report" || true)
other=$(grep -cE '"severity": "(Low|Moderate)"' "$report" || true)
if [ "$high" -gt 0 ]; then
  grep -E '"(id|resolvedVersion|severity|advisoryurl)"' "$report" >&2 || true
  die "dependency audit: $high high/critical advisories (details: $report). Upgrade or pin a fixed version in Directory.Packages.props."
fi
if [ "$blind" -eq 1 ]; then
  log "dependency audit: no advisory data available here (see above); $other low/moderate listed"
else
  log "dependency audit: 0 high/critical advisories, $other low/moderate (report: $report)"
fi
