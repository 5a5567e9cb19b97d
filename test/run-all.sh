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

# The conformance tests check machine-wide for their packet-mode stand-in veths, whose
# names carry no owner pid, so they run in a pass of their own, one file at a time; so do
# the wire benchmark tests, whose paced generator and windows need the CPUs to themselves
# (on 2 cores, another file's load empties a window or bursts a paced trial).
serial_files() { find dist/test/conformance -name '*.test.js'; find dist/test/bench -name 'wire*.test.js'; }
files=$(find dist/test -name '*.test.js' ! -name 'zz-leftovers.test.js' ! -path 'dist/test/conformance/*' ! -path 'dist/test/bench/wire*' | sort)
npx --no-install ava "${reporter[@]}" $files 2>&1 | tee "$out/main.txt"
main_status=${PIPESTATUS[0]}
npx --no-install ava "${reporter[@]}" --concurrency 1 $(serial_files | sort) 2>&1 | tee "$out/conformance.txt"
conf_status=${PIPESTATUS[0]}
npx --no-install ava --tap dist/test/zz-leftovers.test.js 2>&1 | tee "$out/leftovers.txt"
left_status=${PIPESTATUS[0]}

count() { # $1 = tap file, $2 = pass|fail|skip|todo
  local n; n=$(grep -E "^# $2 [0-9]+" "$1" | awk '{s+=$3} END {print s+0}'); echo "$n"
}
suite_files=("$out/main.txt" "$out/conformance.txt")
if [ ${#reporter[@]} -eq 0 ]; then
  # Terminal run: ava's verbose reporter; count from its summary lines.
  passed=$(cat "${suite_files[@]}" | grep -Eo '[0-9]+ tests? passed' | awk '{s+=$1} END {print s+0}')
  failed=$(cat "${suite_files[@]}" | grep -Eo '[0-9]+ tests? failed' | awk '{s+=$1} END {print s+0}')
  skipped=$(cat "${suite_files[@]}" | grep -Eo '[0-9]+ tests? skipped' | awk '{s+=$1} END {print s+0}')
else
  cat "${suite_files[@]}" > "$out/suite.txt"
  passed=$(count "$out/suite.txt" pass); failed=$(count "$out/suite.txt" fail); skipped=$(count "$out/suite.txt" skip)
fi
passed=$((passed + $(count "$out/leftovers.txt" pass)))
failed=$((failed + $(count "$out/leftovers.txt" fail)))
# A runner that died without reporting counts as a failure.
if { [ "$main_status" -ne 0 ] || [ "$conf_status" -ne 0 ]; } && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$left_status" -ne 0 ] && [ "$(count "$out/leftovers.txt" fail)" -eq 0 ]; then failed=$((failed + 1)); fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
