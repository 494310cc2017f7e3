#!/usr/bin/env bash
# The one search at scale (docs/search.md, docs/performance.md): fills its own
# database (MariaDB aftersales_bench_search; SQLite in a temp file) with
# 1,000,000 tickets and 300,000 customers, phones, addresses and units by
# multi-row INSERTs (a filled MariaDB database is reused), then times
# GET /search per kind of query through the real server. Prints RESULT lines.
#
#   SEARCH_BENCH_TICKETS / SEARCH_BENCH_CUSTOMERS  the scale (default 1000000 / 300000)
#   SEARCH_BENCH_DRIVERS                             "mysql sqlite" (default "mysql")
set -euo pipefail
cd "$(dirname "$0")/.."
for d in ${SEARCH_BENCH_DRIVERS:-mysql}; do
  echo "== search ($d), load $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$d" = mysql ]; then
    mariadb -uroot --host=127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS aftersales_bench_search CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    dsn='root@tcp(127.0.0.1:3306)/aftersales_bench_search'
  else
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    dsn="sqlite:$tmp/search.db"
  fi
  SEARCH_BENCH_DSN="$dsn" go test -count=1 -timeout 60m -run '^TestSearchAtScale$' -v ./backend/internal/httpapi/ |
    grep -E '^(RESULT|---|ok|FAIL)|RESULT search data' || true
  echo "== after: load $(cut -d' ' -f1-3 /proc/loadavg)"
done
