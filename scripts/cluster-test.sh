#!/usr/bin/env bash
# Two app instances behind haproxy on a three-node MariaDB Galera cluster (issue 14, part 4).
# `make test-cluster`; .ci/run runs it after `make test`.
#
#   - a 3-node Galera cluster on loopback (SQL 18161-18163, gcomm 18171-18173, IST 18181-18183),
#     own datadirs under a temp dir, mysqldump SST;
#   - haproxy: HTTP on :18166 in front of instance A (:18164) and B (:18165), health-checked on /readyz;
#     a TCP front per instance to the database, preferring "its" node and failing over to the others
#     (A: 18191 → node 1, then 2, 3; B: 18192 → node 3, then 2, 1); stats on :18167;
#   - Redis (127.0.0.1:6379) for live events on a channel of this run, and rate limits;
#   - A and B start at the same moment (their RBAC syncs may meet a certification conflict: retried).
# Checks:
#   1. a ticket created on A is seen live on a WebSocket attached to B, and the other way round;
#   2. logging out on A closes that session's socket on B (4401);
#   3. 16 clients through haproxy for 20 s, Galera node 3 killed after 6 s: every acknowledged ticket is
#      stored, numbers are unique, no answer is a 500 (certification conflicts are retried, else 409/503);
#   4. 16 clients for 15 s, instance A killed after 5 s: haproxy routes around it, no 500, nothing lost;
#   5. cron jobs (every 2 s here) ran each tick on exactly one instance, the audit sequencer lease has one
#      holder, and `aftersales audit verify` passes (chain, signatures, external sink).
# Stops only the processes it started, by PID. Needs: mariadbd, galera-4, haproxy, redis on :6379.
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
command -v haproxy >/dev/null || { echo "FAIL: haproxy is not installed (apt-get install haproxy)" >&2; exit 1; }
[ -e /usr/lib/galera/libgalera_smm.so ] || { echo "FAIL: galera-4 is not installed" >&2; exit 1; }

WORK=$(mktemp -d /tmp/aftersales-cluster.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP:-}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$WORK"/A.log "$WORK"/B.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done; exit 1; }
sql() { mariadb -uroot -h127.0.0.1 -P"$1" -N -e "$2"; }

echo "== build"
go build -o "$WORK/aftersales" ./backend/cmd/aftersales
go build -o "$WORK/clustercheck" ./scripts/clustercheck
CHECK="$WORK/clustercheck"

echo "== galera: 3 nodes"
for i in 1 2 3; do
  d="$WORK/n$i"
  mkdir -p "$d/data"
  mariadb-install-db --no-defaults --datadir="$d/data" --user=root --auth-root-authentication-method=normal >/dev/null 2>&1
  cat > "$d/my.cnf" <<EOF
[mysqld]
datadir=$d/data
socket=$d/mysql.sock
port=1816$i
bind-address=127.0.0.1
user=root
pid-file=$d/mysqld.pid
log-error=$d/error.log
binlog_format=ROW
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
innodb_flush_log_at_trx_commit=1
performance_schema=OFF
skip-name-resolve
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=aftersales_test
wsrep_cluster_address=gcomm://127.0.0.1:18171,127.0.0.1:18172,127.0.0.1:18173
wsrep_node_address=127.0.0.1:1817$i
wsrep_node_name=n$i
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:1817$i;ist.recv_addr=127.0.0.1:1818$i;gcache.size=64M"
wsrep_sst_method=mysqldump
wsrep_sst_auth=root:
wsrep_sst_receive_address=127.0.0.1:1816$i
EOF
done
start_node() {
  /usr/sbin/mariadbd --defaults-file="$WORK/n$1/my.cnf" ${2:-} > "$WORK/n$1/out.log" 2>&1 &
  PIDS+=($!)
  eval "NODE$1=$!"
  for _ in $(seq 1 120); do
    if [ "$(sql 1816"$1" "show status like 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" = Synced ]; then return 0; fi
    sleep 0.5
  done
  tail -20 "$WORK/n$1/error.log"; fail "node $1 did not sync"
}
start_node 1 --wsrep-new-cluster
start_node 2
start_node 3
[ "$(sql 18161 "show status like 'wsrep_cluster_size'" | cut -f2)" = 3 ] || fail "cluster size"
sql 18161 "create database aftersales character set utf8mb4 collate utf8mb4_unicode_ci"

echo "== haproxy"
cat > "$WORK/haproxy.cfg" <<EOF
global
  maxconn 2000
defaults
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  retries 3
listen app
  mode http
  bind 127.0.0.1:18166
  balance roundrobin
  option redispatch
  retry-on conn-failure empty-response
  option httpchk GET /readyz
  default-server inter 500ms fall 2 rise 2
  server A 127.0.0.1:18164 check
  server B 127.0.0.1:18165 check
listen db_a
  mode tcp
  bind 127.0.0.1:18191
  default-server inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions
  server n1 127.0.0.1:18161 check
  server n2 127.0.0.1:18162 check backup
  server n3 127.0.0.1:18163 check backup
listen db_b
  mode tcp
  bind 127.0.0.1:18192
  default-server inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions
  server n3 127.0.0.1:18163 check
  server n2 127.0.0.1:18162 check backup
  server n1 127.0.0.1:18161 check backup
listen stats
  mode http
  bind 127.0.0.1:18167
  stats enable
  stats uri /stats
EOF
haproxy -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
PIDS+=($!)

echo "== two instances, started together (A via node 1, B via node 3)"
head -c32 /dev/urandom | base64 > "$WORK/audit.key"
export AFTERSALES_DB_DRIVER=mysql AFTERSALES_AUDIT_SIGNING_KEY_FILE="$WORK/audit.key" AFTERSALES_AUDIT_CHECKPOINT_SINK="$WORK/checkpoints.log"
export AFTERSALES_EVENTS_DRIVER=redis AFTERSALES_EVENTS_CHANNEL="aftersales.clustertest.$$" AFTERSALES_METRICS_ADDR=
export AFTERSALES_STORAGE_DIR="$WORK/files" AFTERSALES_LOG_LEVEL=warn AFTERSALES_AUTH_BCRYPT_COST=4
# Cron jobs every 2 s, so the exactly-once check sees many ticks.
export AFTERSALES_SCHEDULER_SLA_CHECK="@every 2s" AFTERSALES_SCHEDULER_DISPATCH_TIMEOUTS="@every 2s"
export AFTERSALES_SCHEDULER_COMPLAINT_ESCALATION="@every 2s" AFTERSALES_READINESS_SCHEDULE="@every 4s"
DSN_A='root@tcp(127.0.0.1:18191)/aftersales' DSN_B='root@tcp(127.0.0.1:18192)/aftersales' DSN2='root@tcp(127.0.0.1:18162)/aftersales'
AFTERSALES_DB_DSN=$DSN2 "$WORK/aftersales" migrate >/dev/null
AFTERSALES_DB_DSN=$DSN2 "$WORK/aftersales" users create --username admin --password 'Cluster-pass-1' --name Admin --roles admin >/dev/null
serve() { # name dsn port
  AFTERSALES_DB_DSN=$2 AFTERSALES_HTTP_ADDR=127.0.0.1:$3 "$WORK/aftersales" serve > "$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  eval "APP_$1=$!"
}
ready() { # name port
  for _ in $(seq 1 120); do curl -sf "127.0.0.1:$2/readyz" >/dev/null && return 0; sleep 0.5; done
  fail "instance $1 not ready"
}
serve A "$DSN_A" 18164
serve B "$DSN_B" 18165
ready A 18164
ready B 18165
LB=http://127.0.0.1:18166 A=http://127.0.0.1:18164 B=http://127.0.0.1:18165
for _ in $(seq 1 20); do curl -sf "$LB/readyz" >/dev/null && break; sleep 0.25; done
creds=(-user admin -pass 'Cluster-pass-1')

TOKEN=$(curl -sf -XPOST $LB/api/v1/auth/login -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Cluster-pass-1"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
CUSTOMER=$(curl -sf -XPOST $LB/api/v1/customers -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"集群客户","kind":"person","phones":[{"number":"13912345678","primary":true}]}' |
  python3 -c 'import sys,json;d=json.load(sys.stdin);print(d.get("customer",d)["id"])')

echo "== 1. live events cross instances (through Redis)"
"$CHECK" live -login $LB -create $A -ws $B -customer "$CUSTOMER" "${creds[@]}" || fail "live A→B"
"$CHECK" live -login $LB -create $B -ws $A -customer "$CUSTOMER" "${creds[@]}" || fail "live B→A"

echo "== 2. session revocation on A closes the socket on B"
"$CHECK" revoke -login $LB -ws $B -logout $A "${creds[@]}" || fail "revocation A→B"

echo "== 3. load through haproxy (16 clients, 20 s); Galera node 3 killed after 6 s"
"$CHECK" load -targets $LB -clients 16 -duration 20s -out "$WORK/acked1.json" -customer "$CUSTOMER" "${creds[@]}" &
LOAD=$!
sleep 6
kill -9 "$NODE3"
echo "   node 3 (pid $NODE3) killed at $(date -u +%T)"
wait "$LOAD" || fail "load with a node killed"
[ "$(sql 18161 "show status like 'wsrep_cluster_size'" | cut -f2)" = 2 ] || fail "cluster did not shrink to 2"
ready B 18165   # B's database front failed over to node 2

echo "== 4. load through haproxy (16 clients, 15 s); instance A killed after 5 s"
"$CHECK" load -targets $LB -clients 16 -duration 15s -out "$WORK/acked2.json" -customer "$CUSTOMER" "${creds[@]}" &
LOAD=$!
sleep 5
kill -9 "$APP_A"
echo "   instance A (pid $APP_A) killed at $(date -u +%T)"
wait "$LOAD" || fail "load with an instance killed"
curl -sf "127.0.0.1:18167/stats;csv" | awk -F, '$1=="app" && ($2=="A"||$2=="B") {print "   haproxy: server " $2 " " $18}'
curl -sf "$LB/readyz" >/dev/null || fail "haproxy did not route around instance A"

echo "== acknowledged writes"
sql 18161 "select id from aftersales.tickets" > "$WORK/ids.txt"
python3 - "$WORK/acked1.json" "$WORK/acked2.json" "$WORK/ids.txt" <<'PY'
import json, sys
acked = json.load(open(sys.argv[1])) + json.load(open(sys.argv[2]))
have = set(open(sys.argv[3]).read().split())
lost = [a["id"] for a in acked if str(a["id"]) not in have]
nums = [a["number"] for a in acked]
print(f"   acknowledged {len(acked)}, lost {len(lost)}, duplicate numbers {len(nums) - len(set(nums))}")
sys.exit(1 if lost or len(nums) != len(set(nums)) or not acked else 0)
PY

echo "== 5. cron jobs once per tick, one sequencer, the audit chain"
sql 18161 "select name, count(*), count(distinct holder) from aftersales.job_runs where tick is not null group by name order by name" |
  awk '{print "   " $1 ": " $2 " ticks run, by " $3 " instance(s)"}'
dups=$(sql 18161 "select count(*) from (select name, tick from aftersales.job_runs where tick is not null group by name, tick having count(*) > 1) d")
[ "$dups" = 0 ] || fail "$dups cron ticks ran more than once"
ticks=$(sql 18161 "select count(*) from aftersales.job_runs where name='sla_check' and tick is not null")
[ "$ticks" -ge 10 ] || fail "sla_check ran only $ticks ticks"
# A tick claimed twice would show as the second run's row refused by the
# unique (name, tick) index; a run row lost to the node kill (a broken
# connection) is not a double claim.
if grep -h 'job failed' "$WORK/A.log" "$WORK/B.log" | grep -i 'record run' | grep -qiE 'Duplicate entry|Error 1062|UNIQUE constraint'; then
  fail "a cron tick was claimed twice (see the instance logs)"
fi
holders=$(sql 18161 "select count(distinct holder) from aftersales.job_locks where name='audit_sequencer'")
[ "$holders" = 1 ] || fail "sequencer lease rows: $holders"
sleep 2
AFTERSALES_DB_DSN=$DSN2 "$WORK/aftersales" audit verify || fail "audit verify"
echo "PASS in $(( $(date +%s) - T0 )) s"
