#!/usr/bin/env bash
# The user's workload, run as a user would: one embedded silo (the README's default profile, SQLite in a fresh data
# directory), TENANTS x PER_TENANT every-second schedules whose body is a one-row INSERT, created with `nodedb sql -f`,
# left to run for SECONDS, then measured from the silo's own history and the tenants' run ledgers.
#   scripts/load/run.sh [TENANTS=10] [PER_TENANT=10] [SECONDS=25]
# Prints: status counts, second attempts, start lateness (StartedAt - ScheduledAt) p50/p99/max after a 5 s warm-up,
# history rows vs ledger rows, "Orphaned run" log lines, and the load average.
set -euo pipefail
cd "$(dirname "$0")/../.."
TENANTS=${1:-10}; PER_TENANT=${2:-10}; SECONDS_TO_RUN=${3:-25}
OUT=$(mktemp -d -t nodedb-load-XXXXXX)
dotnet publish src/Silo -c Release -o "$OUT/silo" --nologo -v quiet >&2
dotnet publish src/Client -c Release -o "$OUT/client" --nologo -v quiet >&2
PORT=$(( 43000 + RANDOM % 1000 )); GATEWAY=$(( PORT + 1000 ))
( cd "$OUT" && exec dotnet silo/NodeDb.Orleans.Silo.dll --data-dir "$OUT/data" --silo-port "$PORT" --gateway-port "$GATEWAY" > "$OUT/silo.log" 2>&1 ) &
SILO=$!
trap 'kill $SILO 2>/dev/null || true' EXIT
nodedb() { dotnet "$OUT/client/nodedb.dll" --gateway "127.0.0.1:$GATEWAY" --connect-timeout 60 "$@"; }
for t in $(seq 1 "$TENANTS"); do
    script="$OUT/t$t.sql"; : > "$script"
    for s in $(seq 1 "$PER_TENANT"); do
        echo "CREATE SCHEDULE s$s CRON '* * * * * *' AS BEGIN CREATE TABLE IF NOT EXISTS fx(at INTEGER); INSERT INTO fx(at) VALUES (1); END;" >> "$script"
    done
    nodedb --tenant "load$t" sql -f "$script" > /dev/null
done
echo "created $((TENANTS * PER_TENANT)) schedules; running ${SECONDS_TO_RUN} s" >&2
sleep "$((SECONDS_TO_RUN + 3))"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM $SILO; wait $SILO 2>/dev/null || true
python3 scripts/load/stats.py "$OUT/data" 5
echo "orphan log lines: $(grep -c 'Orphaned run' "$OUT/silo.log" || true)"
echo "load average at the end: $LOAD"
