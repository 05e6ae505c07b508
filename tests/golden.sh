#!/bin/sh
# Golden tests: every input under testdata/ that has a FILE.jsonl beside it
# is a case.  Its expected outputs:
#   FILE.jsonl   smtplint -o json -s info --lang en FILE
#   FILE.out     smtplint -s info --lang en --color=never FILE (if present)
#   FILE.out_de  the same with --lang de (if present)
#   FILE.rc      the exit status (if present; else any of 0 and 1)
#   FILE.args    extra arguments (one line), e.g. --strict
# UPDATE=1 rewrites the expected files (review the diff before committing);
# VALGRIND=1 runs every case under valgrind and fails on errors or leaks.
# Usage: golden.sh PATH-TO-SMTPLINT
set -u
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
run() {	# run OUTFILE ARGS...: stdout to OUTFILE, returns the status
	out=$1
	shift
	if [ "${VALGRIND:-}" = 1 ]; then
		valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		    --error-exitcode=99 "$bin" "$@" >"$out" 2>"$tmp/vg"
		st=$?
		if [ $st = 99 ]; then
			cat "$tmp/vg" >&2
		fi
		return $st
	fi
	NO_COLOR=1 "$bin" "$@" >"$out" 2>/dev/null
}
check() {	# check NAME EXPECTED ACTUAL
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$3" "$2"
		return 0
	fi
	if diff -u "$2" "$3" >"$tmp/diff"; then
		return 0
	fi
	echo "FAIL $1"
	head -n 40 "$tmp/diff"
	return 1
}
for exp in $(find testdata -name '*.jsonl' | sort); do
	in=${exp%.jsonl}
	[ -f "$in" ] || continue
	args=""
	[ -f "$in.args" ] && args=$(cat "$in.args")
	ok=1
	# shellcheck disable=SC2086
	run "$tmp/json" -o json -s info --lang en $args "$in"
	st=$?
	[ "$st" = 99 ] && { echo "FAIL $in: valgrind"; ok=0; }
	check "$in (json)" "$exp" "$tmp/json" || ok=0
	if [ -f "$in.rc" ] && [ "${UPDATE:-}" != 1 ]; then
		[ "$(cat "$in.rc")" = "$st" ] ||
		    { echo "FAIL $in: exit status $st, expected $(cat "$in.rc")"; ok=0; }
	elif [ "$st" != 0 ] && [ "$st" != 1 ]; then
		echo "FAIL $in: exit status $st"
		ok=0
	fi
	# Every line of -o json must parse, and the summary must count
	# every input line (nothing lost).
	if command -v python3 >/dev/null 2>&1 && [ "${VALGRIND:-}" != 1 ]; then
		python3 - "$tmp/json" "$in" <<'PY' || ok=0
import json, sys
sys.path.insert(0, "tests")
from countlines import lines_of
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
s = objs[-1]
assert s["type"] == "summary", "last line is not the summary"
n = lines_of(sys.argv[2])
if s["lines"] != n:
    print("FAIL %s: summary lines %d, file has %d" % (sys.argv[2], s["lines"], n))
    sys.exit(1)
PY
	fi
	for lang in en de; do
		suf=out
		[ $lang = de ] && suf=out_de
		[ -f "$in.$suf" ] || [ "${UPDATE:-}" = 1 ] || continue
		# shellcheck disable=SC2086
		run "$tmp/text" -s info --lang $lang --color=never $args "$in"
		[ $? = 99 ] && { echo "FAIL $in: valgrind"; ok=0; }
		check "$in ($suf)" "$in.$suf" "$tmp/text" || ok=0
	done
	if [ "${UPDATE:-}" = 1 ]; then
		echo "updated $in"
	elif [ $ok = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
# Command cases: testdata/cmd/NAME.cmd holds the arguments (one line, run
# through the shell's word splitting, quotes allowed); NAME.out is stdout,
# NAME.rc the exit status.
for cmd in $(find testdata/cmd -name '*.cmd' 2>/dev/null | sort); do
	base=${cmd%.cmd}
	eval "set -- $(cat "$cmd")"
	run "$tmp/cmd" "$@"
	st=$?
	ok=1
	[ "$st" = 99 ] && { echo "FAIL $cmd: valgrind"; ok=0; }
	check "$cmd" "$base.out" "$tmp/cmd" || ok=0
	if [ "${UPDATE:-}" = 1 ]; then
		echo "$st" >"$base.rc"
		echo "updated $cmd"
		continue
	fi
	[ "$(cat "$base.rc")" = "$st" ] ||
	    { echo "FAIL $cmd: exit status $st, expected $(cat "$base.rc")"; ok=0; }
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
[ "${UPDATE:-}" = 1 ] && exit 0
echo "golden: $pass passed, $fail failed"
[ $fail = 0 ]
