#!/usr/bin/env bash
# `make bench`: the Go benchmarks (store benchmarks run on SQLite and, with
# TEST_MYSQL_DSN, on MariaDB) and the wrk HTTP scripts (screen-pop, ticket
# list, ticket creation, /me, login) on each driver, then ONE table of all
# results. Benchmarks never run inside `make test`.
#
#   BENCH_DRIVERS   drivers for the HTTP runs (default "sqlite mysql")
#   BENCH_SCALE     tickets seeded for the HTTP runs (default 20000; docs/performance.md used 1000000)
#   BENCH_DURATION  wrk duration per run (default 10s)
#   BENCH_TIME      go test -benchtime (default 1s)
#   BENCH_GO=0 / BENCH_HTTP=0 / BENCH_WRITE=0  skip a part (BENCH_WRITE: scripts/bench-writepath.sh,
#                   ticket creation on a private MariaDB, direct and +5 ms, beside the raw INSERT ceiling)
#   BENCH_READINESS=0  skip scripts/bench-readiness.sh (readiness at scale: rollup build from scratch, a full
#                   run cold and steady with memory growth, GET /readiness/gaps; READINESS_BENCH_TARGETS)
#   BENCH_AT_SCALE=N   also scripts/bench-scale.sh: issue 15's figures at N tickets on each driver (the scale
#                   database reused or seeded with per-step times; readiness; screen-pop and ticket list at 8
#                   connections), e.g. BENCH_AT_SCALE=5000000 BENCH_GO=0 BENCH_HTTP=0 BENCH_WRITE=0 make bench
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TEST_MYSQL_DSN:=root@tcp(127.0.0.1:3306)/test}"
export TEST_MYSQL_DSN
drivers="${BENCH_DRIVERS:-sqlite mysql}"
scale="${BENCH_SCALE:-20000}"
duration="${BENCH_DURATION:-10s}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rows="$out/rows.tsv"
: >"$rows"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3)"

if [ "${BENCH_GO:-1}" = "1" ]; then
  echo "== go benchmarks (-benchtime ${BENCH_TIME:-1s})"
  pkgs=$(grep -rl --include='*_test.go' '^func Benchmark' backend | xargs -n1 dirname | sort -u | sed 's|^|./|')
  # shellcheck disable=SC2086
  go test -run '^$' -bench . -benchmem -benchtime "${BENCH_TIME:-1s}" -timeout 60m $pkgs | tee "$out/go.txt" |
    grep -E '^(Benchmark|ok|FAIL|---)' || true
  # BenchmarkName-2  N  123 ns/op  [custom metrics…]  B/op  allocs/op
  awk '/^Benchmark/ {
      name=$1; sub(/-[0-9]+$/, "", name); res="";
      for (i=3; i<NF; i+=2) { u=$(i+1); if (u=="B/op"||u=="allocs/op") continue;
        v=$i; if (u=="ns/op") { if (v>=1e6) { v=sprintf("%.2f", v/1e6); u="ms/op" } else if (v>=1e3) { v=sprintf("%.1f", v/1e3); u="µs/op" } }
        res=res (res==""?"":", ") v " " u }
      printf "go\t%s\t%s\n", name, res }' "$out/go.txt" >>"$rows"
fi

if [ "${BENCH_HTTP:-1}" = "1" ]; then
  command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
  for d in $drivers; do
    echo "== http ($d): seed --scale $scale, wrk $duration per script"
    args=(--driver "$d" --scale "$scale" --duration "$duration")
    [ "$d" = mysql ] && args+=(--db 'root@tcp(127.0.0.1:3306)/aftersales_bench_api')
    [ "$d" = mysql ] && mariadb -uroot --host=127.0.0.1 -e "DROP DATABASE IF EXISTS aftersales_bench_api; CREATE DATABASE aftersales_bench_api CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    bash scripts/bench-api.sh "${args[@]}" | tee "$out/api-$d.txt"
    bash scripts/bench-platform.sh "$d" | tee "$out/platform-$d.txt"
    # "== phone_lookup (2 threads, 8 connections, 10s)" then "requests … req/s; latency p50 …, p99 …; errors …"
    awk -v d="$d" '/^== / { name=$2 " " $5 "c" } /^requests/ {
        match($0, /[0-9]+ req\/s/); rps=substr($0, RSTART, RLENGTH);
        match($0, /p99 [0-9.]+ ms/); p99=substr($0, RSTART, RLENGTH);
        match($0, /errors [0-9]+/); e=substr($0, RSTART, RLENGTH);
        printf "http %s\t%s\t%s, %s, %s\n", d, name, rps, p99, e }' "$out/api-$d.txt" >>"$rows"
    awk -v d="$d" '/^GET|^POST/ { name=$1 " " $2 } /^RESULT/ { printf "http %s\t%s\t%s\n", d, name, substr($0, 8) }
        /RSS/ { i=index($0, ": "); name=substr($0, 1, i-1); sub(/^driver=[a-z]+ /, "", name); printf "http %s\t%s\t%s\n", d, name, substr($0, i+2) }' "$out/platform-$d.txt" >>"$rows"
  done
fi

if [ "${BENCH_WRITE:-1}" = "1" ]; then
  echo "== write path (scripts/bench-writepath.sh)"
  bash scripts/bench-writepath.sh | tee "$out/write.txt"
  # "RESULT <name> +<d>ms: <result>"
  awk '/^RESULT / { i=index($0, ": "); name=substr($0, 8, i-8); printf "write mysql\t%s\t%s\n", name, substr($0, i+2) }' "$out/write.txt" >>"$rows"
fi

if [ "${BENCH_SEARCH:-1}" = "1" ]; then
  echo "== search at scale (scripts/bench-search.sh)"
  bash scripts/bench-search.sh | tee "$out/search.txt"
  # "RESULT search <driver> <kind>: p50 …, p95 …, p99 … (…)"
  awk '/^RESULT search / { i=index($0, ": "); split(substr($0, 15, i-15), a, " "); d=a[1];
      name=substr($0, 15+length(d)+1, i-15-length(d)-1); printf "search %s\t%s\t%s\n", d, name, substr($0, i+2) }' "$out/search.txt" >>"$rows"
fi

if [ "${BENCH_READINESS:-1}" = "1" ]; then
  echo "== readiness at scale (scripts/bench-readiness.sh)"
  bash scripts/bench-readiness.sh | tee "$out/readiness.txt"
  # "RESULT readiness <label> <what>: <result>"
  awk '/^RESULT readiness / { i=index($0, ": "); split(substr($0, 18, i-18), a, " "); d=a[1];
      name=substr($0, 18+length(d)+1, i-18-length(d)-1); printf "readiness %s\t%s\t%s\n", d, name, substr($0, i+2) }' "$out/readiness.txt" >>"$rows"
fi

if [ -n "${BENCH_AT_SCALE:-}" ]; then
  echo "== figures at $BENCH_AT_SCALE tickets (scripts/bench-scale.sh)"
  BENCH_DRIVERS="$drivers" bash scripts/bench-scale.sh | tee "$out/scale.txt"
  # "RESULT scale <label> <what>: <result>" and bench-readiness's "RESULT readiness <label> <what>: <result>"
  awk '/^RESULT (scale|readiness) / { i=index($0, ": "); split(substr($0, 8, i-8), a, " "); kind=a[1]; d=a[2];
      name=substr($0, 8+length(kind)+length(d)+2, i-8-length(kind)-length(d)-2); printf "%s %s\t%s\t%s\n", kind, d, name, substr($0, i+2) }' \
    "$out/scale.txt" >>"$rows"
fi

echo
echo "== results"
printf '%-12s | %-58s | %s\n' "kind" "benchmark" "result"
printf '%s\n' "-------------+------------------------------------------------------------+------------------------------------------"
while IFS=$'\t' read -r kind name res; do
  printf '%-12s | %-58s | %s\n' "$kind" "$name" "$res"
done <"$rows"
