#!/usr/bin/env bash
# Installs the PostgreSQL server binaries the SQL runner tests start on loopback.
# Idempotent and quiet: does nothing when /usr/lib/postgresql/*/bin/postgres exists.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/postgres" > /dev/null; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib > /dev/null

# The Debian package starts a cluster on the default port; the tests start their own throw-away
# server instead, so the packaged one is left as the distribution configured it.
compgen -G "/usr/lib/postgresql/*/bin/postgres" > /dev/null || {
    echo "postgresql installed but no /usr/lib/postgresql/*/bin/postgres found" >&2
    exit 1
}
