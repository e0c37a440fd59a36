#!/usr/bin/env bash
# A real PostgreSQL server on loopback for the journal's tests (epoint-az-journal).
#
#   eval "$(bash .ci/postgres.sh)"      # sets EPOINT_TEST_POSTGRES_URL
#
# Installs Debian's `postgresql` package if it is missing, initialises a cluster in
# $EPOINT_PG_DIR (default /tmp/epoint-pg) if there is none, starts it on 127.0.0.1 (port
# $EPOINT_PG_PORT, or a free one) unless it is already running, creates the database
# `epoint_test`, and prints one `export EPOINT_TEST_POSTGRES_URL=…` line on stdout. Everything
# else goes to stderr. Idempotent: a second run reuses the running server.
# `bash .ci/postgres.sh stop` stops it.
set -euo pipefail

DIR=${EPOINT_PG_DIR:-/tmp/epoint-pg}
DB=epoint_test
log() { printf 'postgres.sh: %s\n' "$*" >&2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

BIN=$(pg_bin)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  BIN=$(pg_bin)
fi
[ -x "$BIN/initdb" ] || { log "no initdb after installing postgresql"; exit 1; }

# The server refuses to run as root: as root, run it as the `postgres` user.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  as_pg() { runuser -u postgres -- "$@"; }
  OWNER=postgres
else
  as_pg() { "$@"; }
  OWNER=$(id -un)
fi

if [ "${1:-}" = stop ]; then
  if [ -f "$DIR/postmaster.pid" ]; then
    as_pg "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >&2 || true
  fi
  exit 0
fi

if [ ! -f "$DIR/PG_VERSION" ]; then
  log "initialising a cluster in $DIR"
  rm -rf "$DIR"
  mkdir -p "$DIR"
  chown "$OWNER" "$DIR"
  chmod 700 "$DIR"
  as_pg "$BIN/initdb" -D "$DIR" -U postgres --auth=trust --encoding=UTF8 --no-sync >&2
fi

running_port() {
  # postmaster.pid line 4 is the port; the server is up when pg_ctl says so.
  if as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    sed -n 4p "$DIR/postmaster.pid"
  fi
}

PORT=$(running_port)
if [ -z "$PORT" ]; then
  PORT=${EPOINT_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  log "starting PostgreSQL ($BIN) on 127.0.0.1:$PORT"
  # Loopback only; the socket in the data directory; no fsync (test data, speed on small
  # machines); room for the tests' parallel pools.
  as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >&2 || { log "the server did not start:"; tail -n 20 "$DIR/server.log" >&2; exit 1; }
else
  log "reusing the server running on 127.0.0.1:$PORT"
fi

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >&2
fi

URL="postgres://postgres@127.0.0.1:$PORT/$DB"
log "ready: $URL"
printf 'export EPOINT_TEST_POSTGRES_URL=%q\n' "$URL"
