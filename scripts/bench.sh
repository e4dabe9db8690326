#!/usr/bin/env bash
# Runs the scheduler benchmark: NodeDb.Orleans beside Quartz.NET (S1–S3) and pg_cron (S5), one table per scenario.
#   scripts/bench.sh                         quick mode (a few minutes)
#   scripts/bench.sh --full                  the figures in docs/benchmarks.md
#   scripts/bench.sh --full --only s1,s2     the headline rows of issue 15 (real SQL runner)
#   scripts/bench.sh --full --only s5        NodeDb.Orleans beside pg_cron
#   scripts/bench.sh --only s6               the rolling restart (SIGTERM each silo in turn)
# S1/S2 headline rows and S5 start throw-away PostgreSQL servers (scripts/postgres/install.sh); S5 also loads pg_cron
# (Debian package postgresql-15-cron, installed here with apt-get when missing; without it S5 runs NodeDb.Orleans
# alone). S4 (failover) and S6 (rolling restart) start Azurite and real silo processes, so this also installs Azurite (idempotent) and builds
# src/Silo in Release, where the benchmark looks for NodeDb.Orleans.Silo.dll.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/azurite/install.sh >&2
bash scripts/postgres/install-pg-cron.sh >&2 || echo "pg_cron could not be installed: S5 runs NodeDb.Orleans alone" >&2
dotnet build src/Silo -c Release --nologo -v quiet >&2
dotnet build bench/NodeDb.Orleans.Benchmarks -c Release --nologo -v quiet >&2
exec dotnet bench/NodeDb.Orleans.Benchmarks/bin/Release/net10.0/NodeDb.Orleans.Benchmarks.dll "$@"
