#!/usr/bin/env bash
# PostgreSQL 15 in the foreground for the AppHost (DCP runs this as an executable resource; there is no container
# engine). Usage: run-postgres.sh <data directory> <port>
# - Creates the cluster on first use (durable settings: fsync, synchronous commit and full page writes stay on).
# - PostgreSQL refuses to run as root: as root, the cluster belongs to and runs as the `postgres` user.
# - `exec` leaves no wrapper process, so DCP's stop signal reaches postgres itself.
set -euo pipefail
DATA="$1"; PORT="$2"
BIN=/usr/lib/postgresql/15/bin
if [[ $(id -u) -eq 0 ]]; then AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups); else AS_PG=(); fi
if [[ ! -s "$DATA/PG_VERSION" ]]; then
  mkdir -p "$DATA"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DATA"
  chmod 700 "$DATA"
  "${AS_PG[@]}" "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  echo "run-postgres: created the cluster in $DATA"
elif [[ $(id -u) -eq 0 ]]; then
  chown -R postgres:postgres "$DATA"
fi
cd "$DATA"
# Logs to stderr, which the dashboard shows as errors: send them to stdout.
exec "${AS_PG[@]}" "$BIN/postgres" -D "$DATA" -p "$PORT" -c listen_addresses=127.0.0.1 -c unix_socket_directories='' 2>&1
