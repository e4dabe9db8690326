#!/usr/bin/env bash
# Installs Azurite (local Azure Table storage) into node_modules/ at the repository root, pinned by
# package.json and package-lock.json. The azure-profile tests and scripts/azurite/start.sh use it.
# Idempotent and quiet: does nothing when node_modules/.bin/azurite-table exists.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

if [ -x node_modules/.bin/azurite-table ]; then
    exit 0
fi

if ! command -v npm > /dev/null; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends nodejs npm > /dev/null
fi

# Azurite 3.37 asks for Node 22 (EBADENGINE) but runs on Node 20; the warning is harmless.
npm ci --no-audit --no-fund --loglevel=error

[ -x node_modules/.bin/azurite-table ] || {
    echo "npm ci finished but node_modules/.bin/azurite-table is missing" >&2
    exit 1
}
