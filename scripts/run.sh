#!/usr/bin/env bash
# THE run command (README): the whole suite on this machine with one command. Installs what a fresh machine
# lacks (PostgreSQL 15 binaries, redis-server), then runs the AppHost, which builds and starts PostgreSQL, Redis,
# the Graph emulator, RunsService and InventoryService, and a trace viewer. Ctrl-C stops everything.
# Arguments go to the AppHost: --reset (start from empty data), --data-dir DIR, --quiet.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/system-packages.sh
ensure_system_packages postgresql redis

dotnet build src/AppHost -c Release -v quiet -nologo
exec dotnet src/AppHost/bin/Release/net10.0/AppHost.dll "$@"
