#!/usr/bin/env bash
# Runs every test of the solution against real parts (a container engine, a Redis container, the whole
# AppHost). Installs what a fresh machine lacks first. Extra arguments go to `dotnet test`
# (e.g. --filter). Ends with the totals on one line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source eng/lib/prerequisites.sh

ensure_prerequisites
bash eng/audit.sh

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

log "building"
dotnet build SecureStack.sln --nologo -v quiet

log "testing"
set +e
dotnet test SecureStack.sln --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" \
  --blame-hang-timeout 10m \
  "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
set -e

# Sum the counters of every TRX file: one line CI can read.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  t="$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")"
  e="$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  log "no test ran"; status=1
fi
[ "$skipped" -gt 0 ] && log "$skipped skipped"
# The last line is the totals alone, as CI reads them.
echo "$passed passed, $failed failed"
exit "$status"
