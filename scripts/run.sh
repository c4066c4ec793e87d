#!/usr/bin/env bash
# THE run command (README): the whole suite on this machine with one command. Installs what a fresh machine
# lacks (PostgreSQL 15 binaries, redis-server), then runs the AppHost, which builds and starts PostgreSQL, Redis,
# the Graph emulator, RunsService and InventoryService, and a trace viewer. Ctrl-C stops everything.
# Arguments go to the AppHost: --reset (start from empty data), --data-dir DIR, --quiet.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || missing+=(postgresql-15)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

dotnet build src/AppHost -c Release -v quiet -nologo
exec dotnet src/AppHost/bin/Release/net10.0/AppHost.dll "$@"
