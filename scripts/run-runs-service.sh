#!/usr/bin/env bash
# Runs RunsService locally (the README "run" command until an AppHost exists): a durable PostgreSQL 15 in
# .data/postgres (kept between runs), database "tenantatlas", Redis in .data/redis (append-only file), a dev
# signing key, then `dotnet run`.
# Ports: RUNS_PG_PORT (55432), RUNS_REDIS_PORT (56379), RUNS_GRPC_PORT (5101, HTTP/2), RUNS_HTTP_PORT (5100, HTTP/1.1).
# PostgreSQL and Redis are stopped again when the service exits (Ctrl-C or SIGTERM).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"

pg_bin="${TENANTATLAS_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [[ ! -x "$pg_bin/pg_ctl" ]]; then
  echo "installing postgresql-15"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi

pg_port="${RUNS_PG_PORT:-55432}"
data_root="$repo/.data"
pg_data="$data_root/postgres"
pg_sock="$data_root/postgres-run"
pg_log="$data_root/postgres.log"
mkdir -p "$data_root" "$pg_sock"

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg() {
  if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ "$(id -u)" -eq 0 ]]; then
  chown postgres:postgres "$pg_sock"
  [[ -d "$pg_data" ]] && chown -R postgres:postgres "$pg_data"
  touch "$pg_log" && chown postgres:postgres "$pg_log"
  if ! runuser -u postgres -- test -w "$pg_sock"; then
    echo "The postgres user cannot reach $data_root (check the permissions of its parent directories)." >&2
    exit 1
  fi
fi

if [[ ! -f "$pg_data/PG_VERSION" ]]; then
  echo "initdb $pg_data"
  mkdir -p "$pg_data"
  [[ "$(id -u)" -eq 0 ]] && chown postgres:postgres "$pg_data"
  as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi

started_pg=false
stop_pg() {
  if [[ "$started_pg" == true ]]; then
    echo "stopping PostgreSQL"
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null || true
  fi
}
started_redis=false
redis_port="${RUNS_REDIS_PORT:-56379}"
stop_all() {
  if [[ "$started_redis" == true ]]; then
    echo "stopping Redis"
    redis-cli -p "$redis_port" shutdown >/dev/null 2>&1 || true
  fi
  stop_pg
}
trap stop_all EXIT

if as_pg "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
  echo "PostgreSQL already running on $pg_data (left running on exit)"
else
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_log" -w \
    -o "-p $pg_port -k $pg_sock -c listen_addresses=127.0.0.1" start >/dev/null ||
    { echo "PostgreSQL did not start; last lines of $pg_log:" >&2; tail -n 20 "$pg_log" >&2; exit 1; }
  started_pg=true
  echo "PostgreSQL listening on 127.0.0.1:$pg_port ($pg_data)"
fi

psql=("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
if [[ "$("${psql[@]}" -c "select 1 from pg_database where datname = 'tenantatlas'")" != 1 ]]; then
  "${psql[@]}" -c "create database tenantatlas"
  echo "created database tenantatlas"
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
  echo "Redis already answering on 127.0.0.1:$redis_port (left running on exit)"
else
  mkdir -p "$data_root/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$data_root/redis" --appendonly yes \
    --daemonize yes --pidfile "$data_root/redis/redis.pid" --logfile "$data_root/redis/redis.log"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 ||
    { echo "Redis did not start; last lines of $data_root/redis/redis.log:" >&2; tail -n 20 "$data_root/redis/redis.log" >&2; exit 1; }
  started_redis=true
  echo "Redis listening on 127.0.0.1:$redis_port ($data_root/redis)"
fi

if [[ -z "${Auth__SigningKey:-}" ]]; then
  key_file="$data_root/dev-signing-key"
  if [[ ! -s "$key_file" ]]; then
    (umask 077 && head -c 36 /dev/urandom | base64 | tr -d '\n' >"$key_file")
  fi
  Auth__SigningKey="$(cat "$key_file")"
fi

export ConnectionStrings__runsdb="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=tenantatlas"
export Auth__SigningKey
export ConnectionStrings__redis="127.0.0.1:$redis_port"
export Auth__PlatformAdmins__0="${PLATFORM_ADMIN:-platform-admin}"
export Kestrel__Endpoints__grpc__Url="http://127.0.0.1:${RUNS_GRPC_PORT:-5101}"
export Kestrel__Endpoints__grpc__Protocols=Http2
export Kestrel__Endpoints__http__Url="http://127.0.0.1:${RUNS_HTTP_PORT:-5100}"
export Kestrel__Endpoints__http__Protocols=Http1

# Not `exec`: the EXIT trap must still stop PostgreSQL. The service runs in its own process group so that
# Ctrl-C / SIGTERM reach this script, which forwards SIGTERM to the whole group (dotnet run and the app).
set -m
dotnet run --project src/RunsService -c Release &
app=$!
set +m
trap 'kill -TERM -- "-$app" 2>/dev/null || true' INT TERM HUP
status=0
while kill -0 "$app" 2>/dev/null; do
  wait "$app" || status=$?
done
exit "$status"
