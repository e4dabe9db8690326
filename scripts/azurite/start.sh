#!/usr/bin/env bash
# Starts Azurite's Table endpoint in the foreground on 127.0.0.1 (port $AZURITE_TABLE_PORT, default 10002),
# in memory: every restart begins empty. Connection string for the silos and the client:
#   UseDevelopmentStorage=true            (when the port is the default 10002)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/azurite/install.sh"
exec "$ROOT/node_modules/.bin/azurite-table" --tableHost 127.0.0.1 --tablePort "${AZURITE_TABLE_PORT:-10002}" \
    --inMemoryPersistence --disableTelemetry --silent
