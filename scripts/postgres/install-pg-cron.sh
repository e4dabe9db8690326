#!/usr/bin/env bash
# Installs pg_cron for the machine's PostgreSQL server (Debian package postgresql-<major>-cron), for the
# benchmark's S5 (NodeDb.Orleans beside pg_cron). Idempotent and quiet: does nothing when pg_cron.so exists.
set -euo pipefail

bash "$(dirname "$0")/install.sh"
if compgen -G "/usr/lib/postgresql/*/lib/pg_cron.so" > /dev/null; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

# The package must match the server's major version (15 on Debian 12).
major=$(basename "$(dirname "$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -1)")")")
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "postgresql-${major}-cron" > /dev/null

compgen -G "/usr/lib/postgresql/*/lib/pg_cron.so" > /dev/null || {
    echo "postgresql-${major}-cron installed but no /usr/lib/postgresql/*/lib/pg_cron.so found" >&2
    exit 1
}
