#!/usr/bin/env bash
# The whole test suite. `make test` runs it; CI runs `make test` with
# TEST_MYSQL_DSN, REQUIRE_MYSQL=1 and REQUIRE_BROWSER=1 so nothing skips.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
: "${TEST_MYSQL_DSN:=root@tcp(127.0.0.1:3306)/test}"
export TEST_MYSQL_DSN

run_checks() {
  bash scripts/check-repo.sh
  check_contract
  echo "== staticcheck (the default checks; configuration in staticcheck.conf)"
  go tool staticcheck ./...
  echo "== eslint (Vue + TypeScript recommended; frontend/eslint.config.js)"
  ( cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run --silent lint )
}

# check_contract fails when the committed frontend API types differ from what
# the route table generates (docs/architecture.md, "The API contract").
check_contract() {
  echo "== API contract: frontend/src/api/schema.d.ts is generated from the route table (npm run api:types)"
  ( cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && node scripts/api-types.mjs --check )
}

run_go() {
  echo "== go vet"
  go vet ./...
  echo "== go test (store tests run on sqlite and mysql; see the /sqlite and /mysql subtests)"
  local log; log=$(mktemp)
  set +e
  # The timeout is per package binary: httpapi, which validates every answer
  # against the OpenAPI document, took 8.5 min on the 2-core machine under a
  # load average of 30 (a fraction of that when quiet).
  go test -count=1 -timeout 15m -v ./... >"$log" 2>&1
  local rc=$?
  set -e
  # Show package results, failures and the per-database legs; keep the log short.
  grep -E '^(ok|FAIL|panic:)|--- (FAIL|SKIP)|--- PASS: [^/]*/(sqlite|mysql) ' "$log" || true
  echo "== database legs: $(grep -cE -- '--- PASS: .*/sqlite ' "$log") sqlite passed, $(grep -cE -- '--- PASS: .*/mysql ' "$log") mysql passed, $(grep -cE -- '--- SKIP: .*/mysql ' "$log") mysql skipped"
  if [ $rc -ne 0 ]; then
    # What the failing tests said (t.Error/t.Fatal lines name the file and
    # line), wherever they are in the log: the tail below may not reach them.
    echo "go test failed; what the tests reported:"; grep -E '^\s+[A-Za-z0-9_]+_test\.go:[0-9]+: ' "$log" | grep -vE ': (PASS|ok)\b' | tail -150 || true
    echo "== the end of the log"; grep -vE '^\s*(=== (RUN|PAUSE|CONT))' "$log" | tail -200
    exit $rc
  fi
}

run_ui() {
  echo "== frontend unit tests (vitest)"
  ( cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npx vitest run )
}

run_e2e() {
  echo "== browser end-to-end (playwright-core + chromium)"
  bash scripts/e2e.sh
}

case "$what" in
  go) run_go ;;
  ui) run_ui ;;
  e2e) run_e2e ;;
  checks) run_checks ;;
  all) run_checks; run_go; run_ui; run_e2e ;;
  *) echo "usage: scripts/test.sh [checks|go|ui|e2e|all]"; exit 2 ;;
esac
