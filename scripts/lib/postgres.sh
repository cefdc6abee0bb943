# shellcheck shell=bash
# A throwaway PostgreSQL 15 server for tests and local runs. Source this file.
#   pg_start DIR PORT   initialise DIR once, start the server on 127.0.0.1:PORT (no-op when up)
#   pg_stop DIR         stop it (no-op when down)
#   pg_url PORT [DB]    the URL to reach it: postgres://postgres:postgres@127.0.0.1:PORT/DB
# Tuned for speed, never for durability: fsync off, trust auth on loopback only.

AG_PG_BIN=${AG_PG_BIN:-/usr/lib/postgresql/15/bin}

# initdb and postgres refuse to run as root: as root, run them as the `postgres` user.
_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_pg_log() { if declare -F log >/dev/null; then log "$@"; else printf '[postgres] %s\n' "$*" >&2; fi; }

pg_url() {
  printf 'postgres://postgres:postgres@127.0.0.1:%s/%s\n' "${1:?usage: pg_url PORT [DB]}" "${2:-postgres}"
}

_pg_ready() { "$AG_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 1 >/dev/null 2>&1; }

pg_start() {
  local dir=${1:?usage: pg_start DIR PORT} port=${2:?usage: pg_start DIR PORT}
  if [ ! -x "$AG_PG_BIN/initdb" ]; then
    if declare -F ensure_postgres >/dev/null; then ensure_postgres; fi
    [ -x "$AG_PG_BIN/initdb" ] || { _pg_log "PostgreSQL 15 not installed ($AG_PG_BIN)"; return 1; }
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # Already ours and up: nothing to do.
  if [ -f "$dir/postmaster.pid" ] && _pg_as_owner "$AG_PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1 \
    && _pg_ready "$port"; then
    return 0
  fi
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    _pg_log "initdb $dir"
    local out
    out=$(_pg_as_owner "$AG_PG_BIN/initdb" -D "$dir" -U postgres -E UTF8 --locale=C \
      --auth-local=trust --auth-host=trust --no-sync 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
    _pg_as_owner tee -a "$dir/postgresql.conf" >/dev/null <<CONF

# --- alphogen test server ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 200
log_min_messages = warning
log_min_duration_statement = -1
CONF
    # Loopback only, trust: the password in URLs is accepted, never required.
    printf '%s\n' \
      'local all all trust' \
      'host all all 127.0.0.1/32 trust' \
      'host all all ::1/128 trust' | _pg_as_owner tee "$dir/pg_hba.conf" >/dev/null
  fi
  _pg_as_owner "$AG_PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir" start >/dev/null || { tail -n 20 "$dir/server.log" >&2; return 1; }
  _pg_as_owner "$AG_PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt \
    -c "alter user postgres password 'postgres'" >/dev/null
}

pg_stop() {
  local dir=${1:?usage: pg_stop DIR}
  [ -f "$dir/postmaster.pid" ] || return 0
  _pg_as_owner "$AG_PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}
