#!/usr/bin/env bash
# Repository gates that `make test` runs first:
#   - go.mod and go.sum are tidy (`go mod tidy -diff` prints nothing);
#   - every Go file is gofmt-formatted;
#   - no tracked file is a compiled executable (ELF, Mach-O, PE) or an archive
#     of build output, and none is larger than 1 MiB, unless scripts/repo-allowlist.txt
#     names it with the reason it belongs in git.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go mod tidy -diff"
if ! diff_out=$(go mod tidy -diff 2>&1); then
  echo "$diff_out"
  echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result"
  exit 1
fi

echo "== gofmt -l (every Go file formatted)"
unformatted=$(gofmt -l backend configs frontend/*.go)
if [ -n "$unformatted" ]; then
  echo "$unformatted"
  echo "these files are not gofmt-formatted: run 'gofmt -w' on them"
  exit 1
fi

echo "== tracked files: no executables, nothing over 1 MiB unless allowlisted"
allow=()
if [ -f scripts/repo-allowlist.txt ]; then
  while IFS= read -r line; do
    line="${line%%#*}"; line="$(echo "$line" | xargs)"
    [ -n "$line" ] && allow+=("$line")
  done < scripts/repo-allowlist.txt
fi
allowed() { local f; for f in "${allow[@]}"; do [ "$f" = "$1" ] && return 0; done; return 1; }

bad=0
limit=$((1024 * 1024))
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue            # deleted in the work tree
  allowed "$f" && continue
  size=$(stat -c %s "$f")
  if [ "$size" -gt "$limit" ]; then
    echo "too large ($size bytes > 1 MiB): $f"; bad=1
  fi
  magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
  case "$magic" in
    7f454c46) echo "ELF executable tracked: $f"; bad=1 ;;
    cffaedfe|cefaedfe|feedfacf|feedface|cafebabe) echo "Mach-O/fat binary tracked: $f"; bad=1 ;;
    4d5a*) echo "PE executable tracked: $f"; bad=1 ;;
  esac
  case "$f" in
    *.test|*.exe|*.so|*.dylib|*.db|*.db-wal|*.db-shm|*.sqlite) echo "build output or database tracked: $f"; bad=1 ;;
    */data/files/*|data/files/*) echo "stored upload (a test or a run wrote it) tracked: $f"; bad=1 ;;
  esac
done < <(git ls-files -z)
if [ "$bad" -ne 0 ]; then
  echo "remove these from git (git rm --cached) or, for a data file that belongs, add it to scripts/repo-allowlist.txt with the reason"
  exit 1
fi
echo "repository gates passed"
