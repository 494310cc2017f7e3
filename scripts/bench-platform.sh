#!/usr/bin/env bash
# Platform load test: login and authenticated GET /api/v1/me under wrk, and the
# server's idle and loaded memory (RSS). Usage: scripts/bench-platform.sh [sqlite|mysql]
set -euo pipefail
cd "$(dirname "$0")/.."
driver="${1:-sqlite}"
port=18090
tmp=$(mktemp -d)
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
go build -o "$tmp/aftersales" ./backend/cmd/aftersales
export AFTERSALES_HTTP_ADDR=127.0.0.1:$port AFTERSALES_LOG_LEVEL=warn AFTERSALES_SCHEDULER_ENABLED=false
if [ "$driver" = mysql ]; then
  mariadb -uroot --host=127.0.0.1 -e "DROP DATABASE IF EXISTS aftersales_bench; CREATE DATABASE aftersales_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  export AFTERSALES_DB_DRIVER=mysql AFTERSALES_DB_DSN='root@tcp(127.0.0.1:3306)/aftersales_bench'
else
  export AFTERSALES_DB_DRIVER=sqlite AFTERSALES_DB_DSN="$tmp/bench.db"
fi
"$tmp/aftersales" seed --demo >/dev/null
"$tmp/aftersales" serve >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for i in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/{printf "%.1f MiB", $2/1024}' /proc/$pid/status; }
sleep 1
echo "driver=$driver idle RSS: $(rss)"
token=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"agent\",\"password\":\"${AFTERSALES_DEMO_PASSWORD:-demo123456}\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
echo "GET /api/v1/me (2 threads, 64 connections, 15 s):"
cat scripts/wrk/me.lua scripts/wrk/report.lua >"$tmp/me.lua"
cat scripts/wrk/login.lua scripts/wrk/report.lua >"$tmp/login.lua"
TOKEN=$token wrk -t2 -c64 -d15s --latency -s "$tmp/me.lua" "http://127.0.0.1:$port/api/v1/me" | grep -E 'RESULT|Requests/sec'
echo "loaded RSS after /me: $(rss)"
echo "POST /api/v1/auth/login (2 threads, 16 connections, 15 s; bcrypt cost 10):"
wrk -t2 -c16 -d15s --latency -s "$tmp/login.lua" "http://127.0.0.1:$port/api/v1/auth/login" | grep -E 'RESULT|Requests/sec'
echo "loaded RSS after login: $(rss)"
