#!/usr/bin/env bash
# Readiness at scale (issue 15; docs/performance.md): on each database, this
# build migrates it (migration 0101 adds the rollups), then
# backend/internal/readiness TestRunAtScale times the rollups built from
# scratch, a full run cold (the first after the build) and steady with the
# process's memory growth, and GET /readiness/gaps' work. Prints RESULT lines
# with the load average at each.
#
#   READINESS_BENCH_TARGETS  "label driver dsn" entries separated by ";"
#                            (default: the 1M/5M databases of `seed --scale` in
#                            /work/scale and MariaDB aftersales_scale1m/5m when
#                            present, else databases seeded here)
#   READINESS_BENCH_SCALE    tickets to seed when no target exists (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/aftersales" ./backend/cmd/aftersales
targets="${READINESS_BENCH_TARGETS:-}"
if [ -z "$targets" ]; then
  for n in 1m 5m; do
    [ -f "/work/scale/aftersales-$n.db" ] && targets+="sqlite-$n sqlite /work/scale/aftersales-$n.db;"
    if mariadb -uroot --host=127.0.0.1 -N -e "SHOW DATABASES LIKE 'aftersales_scale$n'" 2>/dev/null | grep -q .; then
      targets+="mysql-$n mysql root@tcp(127.0.0.1:3306)/aftersales_scale$n;"
    fi
  done
fi
if [ -z "$targets" ]; then
  n="${READINESS_BENCH_SCALE:-200000}"
  mariadb -uroot --host=127.0.0.1 -e "DROP DATABASE IF EXISTS aftersales_bench_readiness; CREATE DATABASE aftersales_bench_readiness CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  targets="sqlite-$n sqlite $tmp/readiness.db;mysql-$n mysql root@tcp(127.0.0.1:3306)/aftersales_bench_readiness;"
  IFS=';' read -ra list <<<"$targets"
  for t in "${list[@]}"; do
    read -r label driver dsn <<<"$t"
    echo "== seed --scale $n ($driver)"
    AFTERSALES_DB_DRIVER=$driver AFTERSALES_DB_DSN=$dsn AFTERSALES_STORAGE_DIR="$tmp/files" "$tmp/aftersales" seed --scale "$n"
  done
fi
IFS=';' read -ra list <<<"$targets"
for t in "${list[@]}"; do
  [ -n "$t" ] || continue
  read -r label driver dsn <<<"$t"
  echo "== readiness at scale: $label, load $(cut -d' ' -f1-3 /proc/loadavg)"
  AFTERSALES_DB_DRIVER=$driver AFTERSALES_DB_DSN=$dsn AFTERSALES_STORAGE_DIR="$tmp/files" "$tmp/aftersales" migrate
  READINESS_SCALE_DRIVER=$driver READINESS_SCALE_DSN=$dsn READINESS_SCALE_LABEL=$label \
    go test -count=1 -timeout 60m -run '^TestRunAtScale$' -v ./backend/internal/readiness/ 2>&1 |
    grep -E '^(RESULT|---|ok|FAIL)|scale_test.go' || true
done
echo "== after: load $(cut -d' ' -f1-3 /proc/loadavg)"
