#!/usr/bin/env bash
# Figures at scale (issue 15; docs/performance.md "Readiness at scale" and
# "Seeding at scale"), for N tickets on each driver:
#   1. the scale database: reused when it exists (SQLite $SCALE_DIR/aftersales-<label>.db,
#      MariaDB aftersales_scale<label>), else `seed --scale N` into it, timed per step;
#   2. scripts/bench-readiness.sh on it: the rollup build from scratch, a full
#      readiness run cold and steady with the memory growth, GET /readiness/gaps;
#   3. scripts/bench-api.sh --skip-seed --reads-at-8 on it: the screen-pop by
#      phone and the ticket list (status + outlet, first page), 8 connections.
# Every figure is printed with the load average at the time (RESULT lines).
# `make bench` runs it when BENCH_AT_SCALE is set.
#
#   BENCH_AT_SCALE   tickets (default 1000000); the label is 1m, 5m, … or N
#   BENCH_DRIVERS    drivers (default "sqlite mysql")
#   SCALE_DIR        where the SQLite scale files live (default /work/scale)
#   BENCH_DURATION   wrk duration per run (default 30s)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${BENCH_AT_SCALE:-1000000}"
drivers="${BENCH_DRIVERS:-sqlite mysql}"
dir="${SCALE_DIR:-/work/scale}"
duration="${BENCH_DURATION:-30s}"
case "$n" in
  *000000) label="$((n / 1000000))m" ;;
  *) label="$n" ;;
esac
load() { cut -d' ' -f1-3 /proc/loadavg; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/aftersales" ./backend/cmd/aftersales
mkdir -p "$dir"
for d in $drivers; do
  if [ "$d" = mysql ]; then
    dsn="root@tcp(127.0.0.1:3306)/aftersales_scale$label"
    exists=$(mariadb -uroot --host=127.0.0.1 -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'aftersales_scale$label' AND TABLE_NAME = 'tickets'")
    [ "$exists" = 1 ] || mariadb -uroot --host=127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS aftersales_scale$label CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  else
    dsn="$dir/aftersales-$label.db"
    exists=0
    [ -f "$dsn" ] && exists=1
  fi
  if [ "$exists" = 1 ]; then
    echo "== $d-$label: reusing $dsn"
  else
    echo "== $d-$label: seed --scale $n, load $(load)"
    start=$(date +%s)
    AFTERSALES_DB_DRIVER=$d AFTERSALES_DB_DSN=$dsn AFTERSALES_STORAGE_DIR="$tmp/files" AFTERSALES_LOG_LEVEL=error \
      "$tmp/aftersales" seed --scale "$n" | tee "$tmp/seed.txt"
    # "  <step>   <duration>   <rows> rows"
    awk -v l="$d-$label" '/ rows$/ { step=""; for (i=1; i<NF-2; i++) step=step (step==""?"":" ") $i;
        printf "RESULT scale %s seed %s: %s, %s rows\n", l, step, $(NF-2), $(NF-1) }' "$tmp/seed.txt"
    echo "RESULT scale $d-$label seed total: $(($(date +%s) - start)) s (load at the end $(load))"
  fi
  READINESS_BENCH_TARGETS="$d-$label $d $dsn" bash scripts/bench-readiness.sh
  bash scripts/bench-api.sh --driver "$d" --db "$dsn" --skip-seed --reads-at-8 --scale "$n" --duration "$duration" | tee "$tmp/api.txt"
  # "== phone_lookup (2 threads, 8 connections, 30s) load …" then "requests … req/s; latency p50 …, p99 …; errors …"
  awk -v l="$d-$label" '/^== / { name=$2; i=index($0, " load "); ld=substr($0, i+6) } /^requests/ {
      printf "RESULT scale %s %s 8c: %s (load %s)\n", l, name, $0, ld }' "$tmp/api.txt"
done
