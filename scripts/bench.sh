#!/usr/bin/env bash
# THE benchmark command (README, docs/benchmarks.md): installs what a fresh machine lacks, builds in Release, and
# runs bench/TenantAtlas.Bench, which starts its own durable PostgreSQL, Redis, RunsService and worker, measures
# every scenario next to a baseline from the same run, and writes docs/benchmarks.md + docs/benchmarks.json.
# Arguments go to the benchmark: --quick (seconds; what CI runs), --only 1,4, --out FILE, --json FILE.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/system-packages.sh
ensure_system_packages postgresql redis

for project in src/RunsService src/GraphEmulator bench/TenantAtlas.Bench.Worker bench/TenantAtlas.Bench; do
  dotnet build "$project" -c Release -v quiet -nologo
done
exec dotnet bench/TenantAtlas.Bench/bin/Release/net10.0/TenantAtlas.Bench.dll "$@"
