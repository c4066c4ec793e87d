#!/usr/bin/env bash
# THE run command (README): the whole suite on this machine with one command. Installs what a fresh machine lacks
# (PostgreSQL 15 binaries, redis-server), builds, and runs the .NET Aspire AppHost (src/AppHost), which starts
# PostgreSQL, Redis, the Graph emulator, RunsService, InventoryService and the gateway, and the Aspire dashboard.
# It prints the dashboard's sign-in link, the gateway's URL and demo tokens. Ctrl-C stops everything.
# Arguments go to the AppHost: --reset (start from empty data), --data-dir DIR, --replicas N.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/system-packages.sh
ensure_system_packages postgresql redis

dotnet build src/AppHost -c Release -v quiet -nologo
# `dotnet run` applies src/AppHost/Properties/launchSettings.json: the dashboard on http://127.0.0.1:18888 (plain
# HTTP on loopback; there is no development certificate here).
exec dotnet run --project src/AppHost -c Release --no-build -- "$@"
