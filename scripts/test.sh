#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (PostgreSQL from Debian
# packages, Azurite from npm), builds, runs every test, and prints the totals as its last line:
#   N passed, N failed[, N skipped]
# Exits non-zero when anything fails. Extra arguments go to the test runner (e.g. --filter-class X).
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp -t nodedb-test-XXXXXX.log)
fail() {
    echo "$1" >&2
    echo "0 passed, 1 failed"
    exit 1
}

bash scripts/postgres/install.sh || fail "Installing PostgreSQL failed (scripts/postgres/install.sh)."
bash scripts/azurite/install.sh || fail "Installing Azurite failed (scripts/azurite/install.sh)."
# The dashboard's browser tests drive Debian's Chromium with Playwright (its own browser downloads cannot work here).
if [ ! -x /usr/bin/chromium ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
        || fail "Installing Chromium failed (apt-get install chromium)."
fi

dotnet build NodeDb.Orleans.sln -c Debug -nologo -v quiet 2>&1 | tail -n 30 | tee "$log"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
    fail "The build failed."
fi

dotnet test --project tests/NodeDb.Orleans.Tests --no-build -c Debug -- --no-progress "$@" 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}

total=$(grep -E '^\s*total:\s*[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
failed=$(grep -E '^\s*failed:\s*[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
passed=$(grep -E '^\s*succeeded:\s*[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
skipped=$(grep -E '^\s*skipped:\s*[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
if [ -z "$total" ]; then
    fail "The test run printed no summary (exit code $status)."
fi

if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
    # The runner failed without a failing test (a crash, no test run): count it as a failure.
    failed=1
fi

echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
[ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ]
