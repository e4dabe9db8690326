#!/usr/bin/env bash
# Runs the scheduler benchmark: NodeDb.Orleans and Quartz.NET side by side, one table per scenario.
#   scripts/bench.sh            quick mode (under 2 minutes)
#   scripts/bench.sh --full     the figures in docs/benchmarks.md (about 15 minutes)
#   scripts/bench.sh --quick --only s1,s4
# S4 (failover) starts Azurite and real silo processes, so this also installs Azurite (idempotent) and builds
# src/Silo in Release, where the benchmark looks for NodeDb.Orleans.Silo.dll.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/azurite/install.sh >&2
dotnet build src/Silo -c Release --nologo -v quiet >&2
dotnet build bench/NodeDb.Orleans.Benchmarks -c Release --nologo -v quiet >&2
exec dotnet bench/NodeDb.Orleans.Benchmarks/bin/Release/net10.0/NodeDb.Orleans.Benchmarks.dll "$@"
