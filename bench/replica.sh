#!/usr/bin/env bash
# A PostgreSQL primary and a streaming standby on this machine, for DATABASE_REPLICA_URL (docs/scaling.md):
#
#   bench/replica.sh up      # primary ebok_primary on 127.0.0.1:5434, standby ebok_standby on :5435 (pg_basebackup)
#   bench/replica.sh status  # both clusters and the primary's pg_stat_replication
#   bench/replica.sh down    # stop and drop both clusters
#
# Then: DATABASE_URL=postgres://postgres@127.0.0.1:5434/ebok DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5435/ebok
# tests/ops/test_replica_standby.py runs `up` itself. Both clusters trust local connections (a test bench, never a
# production setup) and log every statement, so a test can see which server answered which query.
# Runs as root (pg_createcluster, pg_ctlcluster); never touches the clusters on other ports (5432 is shared).
set -euo pipefail

VERSION="${PG_VERSION:-$(ls /usr/lib/postgresql | sort -V | tail -n 1)}"
PRIMARY=ebok_primary PRIMARY_PORT="${PRIMARY_PORT:-5434}"
STANDBY=ebok_standby STANDBY_PORT="${STANDBY_PORT:-5435}"
ctl() { pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$@"; }
# A cluster is its postgresql.conf: pg_dropcluster leaves conf.d behind when it holds our file.
exists() { [[ -f "/etc/postgresql/$VERSION/$1/postgresql.conf" ]]; }
running() { pg_lsclusters -h | awk -v c="$1" '$2 == c && $4 ~ /^online/ {found=1} END {exit !found}'; }
wait_ready() { for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$1" && return 0; sleep 0.5; done; return 1; }

settings() {  # $1: cluster
  cat >"/etc/postgresql/$VERSION/$1/conf.d/ebok-replica.conf" <<EOF
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
hot_standby = on
log_statement = 'all'
log_line_prefix = '%m [%p] %d '
fsync = off
EOF
}

up() {
  if ! exists "$PRIMARY"; then
    pg_createcluster "$VERSION" "$PRIMARY" --port "$PRIMARY_PORT" -- --auth=trust >/dev/null
    settings "$PRIMARY"
  fi
  running "$PRIMARY" || ctl "$PRIMARY" start
  wait_ready "$PRIMARY_PORT"
  if ! exists "$STANDBY"; then
    pg_createcluster "$VERSION" "$STANDBY" --port "$STANDBY_PORT" -- --auth=trust >/dev/null
    settings "$STANDBY"
    data="/var/lib/postgresql/$VERSION/$STANDBY"
    rm -rf "$data" && install -d -o postgres -g postgres -m 700 "$data"
    # A copy of the primary that keeps streaming from it (-R writes primary_conninfo and standby.signal).
    runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" -R -X stream -c fast
  fi
  running "$STANDBY" || ctl "$STANDBY" start
  wait_ready "$STANDBY_PORT"
  status
}

status() {
  pg_lsclusters | awk -v p="$PRIMARY" -v s="$STANDBY" 'NR == 1 || $2 == p || $2 == s'
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -XAtc \
    "select 'replication: ' || application_name || ' ' || state || ', replay lag ' || coalesce(replay_lag::text, '0') from pg_stat_replication"
}

down() {
  for cluster in "$STANDBY" "$PRIMARY"; do
    if exists "$cluster"; then pg_dropcluster --stop "$VERSION" "$cluster"; fi
    rm -rf "/etc/postgresql/$VERSION/$cluster"
  done
  true
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) down ;;
  *) echo "usage: $0 up|status|down" >&2; exit 2 ;;
esac
