#!/usr/bin/env bash
# Runs the ava suite, then the leftover check on its own (it must see the machine after
# every other test has finished), and prints one closing line: N passed, N failed, N skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
# A run killed earlier (SIGKILL, an ava timeout) may have left namespaces behind; the sweep
# removes only runs whose owner process is dead.
node dist/src/cli.js topology sweep >/dev/null || echo "warning: topology sweep failed"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
reporter=()
[ -t 1 ] || reporter=(--tap)

files=$(find dist/test -name '*.test.js' ! -name 'zz-leftovers.test.js' | sort)
npx --no-install ava "${reporter[@]}" $files 2>&1 | tee "$out/main.txt"
main_status=${PIPESTATUS[0]}
npx --no-install ava --tap dist/test/zz-leftovers.test.js 2>&1 | tee "$out/leftovers.txt"
left_status=${PIPESTATUS[0]}

count() { # $1 = tap file, $2 = pass|fail|skip|todo
  local n; n=$(grep -E "^# $2 [0-9]+" "$1" | awk '{s+=$3} END {print s+0}'); echo "$n"
}
if [ ${#reporter[@]} -eq 0 ]; then
  # Terminal run: ava's verbose reporter; count from its summary lines.
  passed=$(grep -Eo '[0-9]+ tests? passed' "$out/main.txt" | awk '{s+=$1} END {print s+0}')
  failed=$(grep -Eo '[0-9]+ tests? failed' "$out/main.txt" | awk '{s+=$1} END {print s+0}')
  skipped=$(grep -Eo '[0-9]+ tests? skipped' "$out/main.txt" | awk '{s+=$1} END {print s+0}')
else
  passed=$(count "$out/main.txt" pass); failed=$(count "$out/main.txt" fail); skipped=$(count "$out/main.txt" skip)
fi
passed=$((passed + $(count "$out/leftovers.txt" pass)))
failed=$((failed + $(count "$out/leftovers.txt" fail)))
# A runner that died without reporting counts as a failure.
if [ "$main_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$left_status" -ne 0 ] && [ "$(count "$out/leftovers.txt" fail)" -eq 0 ]; then failed=$((failed + 1)); fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
