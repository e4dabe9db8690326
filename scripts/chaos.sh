#!/usr/bin/env bash
# Runs the chaos test for longer than CI does: 50 every-second schedules on 3 real silo processes (azure profile,
# Azurite) while silos are killed and restarted at random; prints the accounting of every occurrence.
#   scripts/chaos.sh [seconds=120] [seed]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/azurite/install.sh"

export NODEDB_CHAOS_SECONDS="${1:-120}"
if [ -n "${2:-}" ]; then
    export NODEDB_CHAOS_SEED="$2"
fi
export NODEDB_CHAOS_REPORT="${NODEDB_CHAOS_REPORT:-$(mktemp -t nodedb-chaos-XXXXXX.txt)}"

dotnet build tests/NodeDb.Orleans.Tests -v q -nologo
status=0
dotnet test --project tests/NodeDb.Orleans.Tests --no-build -- --filter-trait 'Category=Chaos' || status=$?
echo "---- chaos report ($NODEDB_CHAOS_REPORT)"
cat "$NODEDB_CHAOS_REPORT" 2>/dev/null || echo "no report written"
exit $status
