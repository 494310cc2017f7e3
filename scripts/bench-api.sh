#!/usr/bin/env bash
# Hotline API load test at scale: seeds `aftersales seed --scale N` (N
# tickets, 0.3 N customers, 0.4 N work orders), starts the server and runs wrk
# on the agent's phone lookup (screen-pop) and the ticket list filtered by
# status and outlet (first page), with 8 and with 64 connections, and on
# ticket creation with 64 connections.
#
# Usage: scripts/bench-api.sh [--driver sqlite|mysql] [--scale N] [--db PATH|DSN]
#                             [--duration 30s] [--connections 64] [--threads 2] [--skip-seed] [--reads-at-8]
# With --skip-seed an existing database (--db) is reused. The seed of 1,000,000
# tickets takes a few minutes (see docs/performance.md). --reads-at-8 runs only
# the screen-pop and the ticket list with 8 connections (issue 15's figures;
# nothing is written, so a scale database stays as seeded); each run prints
# the load average.
set -euo pipefail
cd "$(dirname "$0")/.."

driver=sqlite scale=1000000 db="" duration=30s conns=64 threads=2 seed=1 reads8=0
while [ $# -gt 0 ]; do
  case "$1" in
    --driver) driver="$2"; shift 2 ;;
    --scale) scale="$2"; shift 2 ;;
    --db) db="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --skip-seed) seed=0; shift ;;
    --reads-at-8) reads8=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

port=18081
tmp=$(mktemp -d)
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
go build -o "$tmp/aftersales" ./backend/cmd/aftersales
# The scheduler stays off so that the SLA and dispatch jobs do not compete
# with the measured requests; the pool is sized for 64 clients.
export AFTERSALES_HTTP_ADDR=127.0.0.1:$port AFTERSALES_LOG_LEVEL=warn AFTERSALES_SCHEDULER_ENABLED=false \
  AFTERSALES_DB_MAX_OPEN_CONNS=64 AFTERSALES_DB_MAX_IDLE_CONNS=64 AFTERSALES_DB_SLOW_QUERY=1s
if [ "$driver" = mysql ]; then
  dsn="${db:-root@tcp(127.0.0.1:3306)/aftersales_bench}"
  if [ "$seed" = 1 ]; then
    name="${dsn##*/}"; name="${name%%\?*}"
    mariadb -uroot --host=127.0.0.1 -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  fi
  export AFTERSALES_DB_DRIVER=mysql AFTERSALES_DB_DSN="$dsn"
else
  path="${db:-$tmp/bench.db}"
  [ "$seed" = 1 ] && rm -f "$path" "$path-wal" "$path-shm"
  export AFTERSALES_DB_DRIVER=sqlite AFTERSALES_DB_DSN="$path"
fi

if [ "$seed" = 1 ]; then
  echo "== seed --scale $scale ($driver)"
  /usr/bin/time -f "seed: %e s, max RSS %M KiB" "$tmp/aftersales" seed --scale "$scale" 2>&1 | grep -vE 'slow query' | tail -3
fi
password="bench-$(date +%s)"
"$tmp/aftersales" users create --username bench --password "$password" --roles hotline_agent >/dev/null 2>&1 ||
  "$tmp/aftersales" users reset-password --username bench --password "$password" >/dev/null

"$tmp/aftersales" serve >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
token=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$password\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
customers=$((scale * 3 / 10))
outlets=$((scale / 500))
[ "$outlets" -lt 1 ] && outlets=1

run() {
  local name="$1" c="$2"
  echo "== $name ($threads threads, $c connections, $duration) load $(cut -d' ' -f1-3 /proc/loadavg)"
  wrk -t"$threads" -c"$c" -d"$duration" --timeout 5s -s "scripts/wrk/$name.lua" "http://127.0.0.1:$port" -- "$token" "$customers" "$outlets" |
    grep -E '^requests|Socket errors|Non-2xx'
}
run phone_lookup 8
[ "$reads8" = 1 ] || run phone_lookup "$conns"
run ticket_list 8
if [ "$reads8" = 0 ]; then
  run ticket_list "$conns"
  run ticket_create "$conns"
fi
echo "server RSS: $(awk '/VmRSS/{printf "%.1f MiB", $2/1024}' /proc/$pid/status)"
