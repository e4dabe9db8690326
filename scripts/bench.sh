#!/usr/bin/env bash
# Runs the scheduler benchmark: NodeDb.Orleans and Quartz.NET side by side, one table per scenario.
#   scripts/bench.sh            quick mode (under 2 minutes)
#   scripts/bench.sh --full     the figures in docs/benchmarks.md (about 15 minutes)
#   scripts/bench.sh --quick --only s1,s3
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/NodeDb.Orleans.Benchmarks -c Release --nologo -v quiet >&2
exec dotnet bench/NodeDb.Orleans.Benchmarks/bin/Release/net10.0/NodeDb.Orleans.Benchmarks.dll "$@"
