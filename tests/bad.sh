#!/bin/sh
# Bad-input tests (make bad): nasty inputs, broken rules, failing output,
# limits.  Expected results live in testdata/bad/ beside the cases:
#   NAME.stderr  standard error, exactly
#   NAME.rc      the exit status
#   NAME.args    extra arguments (one line)
# and for committed inputs NAME.jsonl, the -o json -s info --lang en output,
# which golden.sh compares (make golden-update rewrites it).
# Committed inputs (testdata/bad/*.txt, *.log, *.gz) run from the top
# directory; generated inputs (a 10 MB line, binary garbage, ...) are made
# at run time in a temporary directory and run there, so that the names in
# the diagnostics are short and stable.  Every -o json output must parse as
# JSON line by line (strict UTF-8), and its summary must count every line of
# the input.  tests/lines.sh (run at the end) checks the line count on every
# input under testdata/.
# VALGRIND=1 runs every case under valgrind (leaks are errors); UPDATE=1
# rewrites the expected files (review the diff).
# Usage: bad.sh PATH-TO-SMTPLINT
set -u
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
case $bin in /*) ;; *) bin=$top/$bin ;; esac
cd "$top" || exit 2
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
bad=$top/testdata/bad
pass=0
fail=0
skip=0

# run OUT ERR ARGS...: the binary (under valgrind with VALGRIND=1); sets st
run() {
	out=$1 err=$2
	shift 2
	if [ "${VALGRIND:-}" = 1 ]; then
		valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		    --error-exitcode=99 --log-file="$tmp/vg" \
		    "$bin" "$@" >"$out" 2>"$err"
		st=$?
		if [ -s "$tmp/vg" ]; then
			cat "$tmp/vg" >&2
			st=99
		fi
	else
		NO_COLOR=1 LC_ALL=C LANG=C "$bin" "$@" >"$out" 2>"$err"
		st=$?
	fi
}

# same NAME WHAT EXPECTED-FILE ACTUAL-FILE: compare (or update)
same() {
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$4" "$3"
		return 0
	fi
	[ -f "$3" ] || { echo "FAIL $1: $3 is missing"; return 1; }
	if cmp -s "$3" "$4"; then
		return 0
	fi
	echo "FAIL $1: $2 differs"
	diff -u "$3" "$4" | head -n 30 | cut -c1-300
	return 1
}

# json_ok NAME FILE [INPUT...]: every line is a JSON object in valid UTF-8,
# the last one the summary; with INPUTs, its "lines" is their line count.
json_ok() {
	command -v python3 >/dev/null 2>&1 || return 0
	TOP=$top python3 - "$@" <<'PY'
import json, os, sys
name, path, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, os.path.join(os.environ["TOP"], "tests"))
from countlines import lines_of
try:
    text = open(path, encoding="utf-8", errors="strict").read()
except UnicodeDecodeError as e:
    sys.exit("FAIL %s: -o json is not UTF-8: %s" % (name, e))
rows = text.split("\n")
if rows[-1] != "":
    sys.exit("FAIL %s: -o json does not end with a newline" % name)
objs = []
for n, row in enumerate(rows[:-1], 1):
    try:
        o = json.loads(row)
    except ValueError as e:
        sys.exit("FAIL %s: -o json line %d: %s" % (name, n, e))
    if not isinstance(o, dict):
        sys.exit("FAIL %s: -o json line %d is not an object" % (name, n))
    objs.append(o)
if not objs or objs[-1].get("type") != "summary":
    sys.exit("FAIL %s: the last -o json line is not the summary" % name)
if inputs:
    want = sum(lines_of(f) for f in inputs)
    if objs[-1]["lines"] != want:
        sys.exit("FAIL %s: summary lines %d, the input has %d"
                 % (name, objs[-1]["lines"], want))
# WANT: a Python expression over s (the summary), f (the findings) and
# rules (their rule ids, in order)
expr = os.environ.get("WANT", "")
if expr:
    s, f = objs[-1], objs[:-1]
    rules = [x["rule"] for x in f]
    if not eval("(" + expr + ")"):
        print("FAIL %s: not true: %s" % (name, expr))
        print("  rules %s" % rules)
        print("  summary %s" % json.dumps(s)[:400])
        sys.exit(1)
PY
}

# result NAME OK: count a case
result() {
	if [ "$2" = 1 ]; then
		pass=$((pass + 1))
		[ "${VERBOSE:-}" = 1 ] && echo "ok $1"
	else
		fail=$((fail + 1))
	fi
	return 0
}

skipped() {
	echo "skip $1: $2"
	skip=$((skip + 1))
}

# check NAME DIR: compare $tmp/out, $tmp/err and $st with DIR/NAME.*
check() {
	ok=1
	[ "$st" = 99 ] && { echo "FAIL $1: valgrind"; ok=0; }
	same "$1" stderr "$2/$1.stderr" "$tmp/err" || ok=0
	echo "$st" >"$tmp/rc"
	same "$1" "exit status" "$2/$1.rc" "$tmp/rc" || ok=0
}

# ---- committed inputs: testdata/bad/*.{txt,log,gz}
for in in testdata/bad/*.txt testdata/bad/*.log testdata/bad/*.gz; do
	[ -f "$in" ] || continue
	name=$(basename "$in")
	[ -f "$bad/$name.rc" ] || [ "${UPDATE:-}" = 1 ] || continue
	args=""
	[ -f "$in.args" ] && args=$(cat "$in.args")
	# shellcheck disable=SC2086
	run "$tmp/out" "$tmp/err" -o json -s info --lang en $args "$in"
	check "$name" "$bad"
	# NAME.jsonl is golden.sh's to compare (and make golden-update's to
	# rewrite); here: valid JSON that counts every line.
	json_ok "$name" "$tmp/out" "$in" || ok=0
	# the text reporter must not choke either
	# shellcheck disable=SC2086
	run "$tmp/text" "$tmp/err2" -s info --lang de $args "$in"
	[ "$st" = 99 ] && { echo "FAIL $name: valgrind (text)"; ok=0; }
	result "$name" $ok
done

# ---- rules directories: testdata/bad/rules-*/ with rules-*.stderr, .rc
for dir in testdata/bad/rules-*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	run "$tmp/out" "$tmp/err" --rules "$dir" testdata/bad/ok.txt
	check "$name" "$bad"
	[ -s "$tmp/out" ] && { echo "FAIL $name: output despite bad rules"; ok=0; }
	result "$name" $ok
done

# --rules given a file, or a directory that does not exist.
for c in rules-not-dir:testdata/bad/ok.txt rules-missing:testdata/bad/no-such-dir; do
	name=${c%%:*}
	run "$tmp/out" "$tmp/err" --rules "${c#*:}" testdata/bad/ok.txt
	check "$name" "$bad"
	result "$name" $ok
done

# ---- generated inputs, run in $tmp/gen
gen=$tmp/gen
mkdir -p "$gen"
exp=$bad/gen
cd "$gen" || exit 2

transcript() {	# a small clean session; $1 names the server
	printf 'S: 220 %s ESMTP\r\nC: EHLO client.example\r\nS: 250-%s\r\n' "$1" "$1"
	printf 'S: 250 PIPELINING\r\nC: MAIL FROM:<a@example.org>\r\n'
	printf 'S: 250 2.1.0 Ok\r\nC: RCPT TO:<b@example.net>\r\n'
	printf 'S: 250 2.1.5 Ok\r\nC: QUIT\r\nS: 221 2.0.0 Bye\r\n'
}

# gencase NAME WANT ARGS...: run -o json in $gen, compare stderr and exit
# status with gen/NAME.*, check the JSON and that the Python expression
# WANT holds on it (see json_ok); the inputs for the line count are in
# $inputs.  Generated cases assert on rule ids and counters, not on the
# wording, which the golden tests own.
gencase() {
	name=$1
	want=$2
	shift 2
	run "$tmp/out" "$tmp/err" -o json -s info --lang en "$@"
	check "$name" "$exp"
	# shellcheck disable=SC2086
	WANT=$want json_ok "$name" "$tmp/out" $inputs || ok=0
}

# A 10 MB line: cut at INPUT_MAX_LINE (1 MiB), flagged, counted.  Its CR LF
# ending is kept: no bare-line-ending finding for the cut line.
{ printf 'S: 220 mx.example ESMTP\r\nC: EHLO client.example\r\n'
  printf 'S: 250 mx.example\r\nC: MAIL FROM:<'
  head -c 10485760 /dev/zero | tr '\0' a; printf '>\r\n'
  printf 'S: 250 2.1.0 Ok\r\nC: QUIT\r\nS: 221 2.0.0 Bye\r\n'; } >long-line.txt
inputs=long-line.txt
gencase long-line 's["truncated_lines"] == 1 and rules == ["line-too-long"] and
    f[0]["line"] == 4 and "10485774" in f[0]["message"]' long-line.txt
result long-line $ok

# 1.5 MiB: the whole line fits in the reader's buffer; cut all the same.
# 1 MiB exactly (with its CR LF): not cut.
{ printf 'S: 220 mx.example ESMTP\r\nC: EHLO '
  head -c 1572864 /dev/zero | tr '\0' b; printf '\r\nS: 250 ok\r\n'
  printf 'C: NOOP '; head -c $((1048576 - 8)) /dev/zero | tr '\0' c
  printf '\r\nS: 250 ok\r\nC: QUIT\r\nS: 221 bye\r\n'; } >long-lines.txt
inputs=long-lines.txt
gencase long-lines 's["truncated_lines"] == 1 and
    rules == ["line-too-long", "line-too-long"] and
    "1572871" in f[0]["message"] and "1048575" in f[1]["message"]' \
    long-lines.txt
result long-lines $ok

# Binary garbage: 100000 bytes of a fixed pseudo-random stream.
command -v python3 >/dev/null 2>&1 || skipped garbage "no python3"
command -v python3 >/dev/null 2>&1 && python3 -c '
import sys
x = 12345
out = bytearray()
for i in range(100000):
    x = (x * 1103515245 + 12345) & 0x7fffffff
    out.append(x >> 16 & 0xff)
sys.stdout.buffer.write(out)' >garbage.bin
if [ -s garbage.bin ]; then
	inputs=garbage.bin
	gencase garbage 's["unparsed_lines"] == s["lines"] > 0 and not f' \
	    garbage.bin
	result garbage $ok
fi

# A directory given as FILE.
mkdir -p adir
inputs=""
gencase directory 's["files"] == 0 and s["lines"] == 0' adir
result directory $ok

# A path that does not exist.
gencase missing 's["files"] == 0' no-such-file.txt
result missing $ok

# A read error after a successful open: /proc/self/mem reads fail with EIO.
if [ -r /proc/self/mem ]; then
	gencase read-error 's["lines"] == 0' /proc/self/mem
	result read-error $ok
else
	skipped read-error "no /proc/self/mem"
fi

# An unreadable file.  chmod 000 stops everyone but root; as root (CI) use
# a write-only sysfs attribute, which open(O_RDONLY) refuses even to root.
if [ "$(id -u)" != 0 ]; then
	transcript mx.example >unreadable.txt
	chmod 000 unreadable.txt
	noread=unreadable.txt
else
	noread=$(find /sys -maxdepth 3 -type f -perm 0200 2>/dev/null | head -n 1)
fi
if [ -n "$noread" ] && ! cat "$noread" >/dev/null 2>&1; then
	run "$tmp/out" "$tmp/err" -o json "$noread"
	ok=1
	[ "$st" = 2 ] || { echo "FAIL unreadable: exit status $st"; ok=0; }
	# One line naming the file; the reason is the kernel's to give
	# (EACCES for both, normally).
	if [ "$(wc -l <"$tmp/err")" != 1 ] ||
	    ! grep -q "^smtplint: $noread:.* error: " "$tmp/err"; then
		echo "FAIL unreadable: stderr"
		cat "$tmp/err"
		ok=0
	fi
	json_ok unreadable "$tmp/out" || ok=0
	result unreadable $ok
else
	skipped unreadable "running as root and no write-only file in /sys"
fi

# A file deleted after it was opened is read to its end (POSIX keeps the
# data until the last close): nothing of it is lost.
transcript deleted.example >deleted.txt
inputs=deleted.txt
run "$tmp/want" "$tmp/err" -o json deleted.txt
exec 3<deleted.txt
rm deleted.txt
run "$tmp/out" "$tmp/err" -o json /dev/fd/3
exec 3<&-
ok=1
sed 's|/dev/fd/3|deleted.txt|g' "$tmp/out" >"$tmp/out2"
cmp -s "$tmp/want" "$tmp/out2" || { echo "FAIL deleted: output differs"; ok=0; }
[ -s "$tmp/err" ] && { echo "FAIL deleted: stderr"; cat "$tmp/err"; ok=0; }
result deleted $ok

# Several files, some bad: the good ones are still analysed, exit 2.
{ transcript one.example; printf 'S: 220 one.example ESMTP\r\n'
  printf 'C: EHLO client.example\r\nS: 250 one.example\r\n'
  printf 'C: MAIL FROM:<a@example.org>\r\nS: 452 4.3.1 Out of space\r\n'; } >one.txt
printf 'S: 250 not a greeting\r\nC: QUIT\r\nS: 221 bye\r\n' >two.txt
inputs="one.txt two.txt"
gencase several 's["files"] == 2 and s["sessions"] == 3 and
    [(x["file"], x["rule"]) for x in f] == [("one.txt", "reply-explained"),
    ("two.txt", "bad-greeting")]' one.txt no-such-file.txt adir two.txt
result several $ok

# An Exim main log and its reject log read together: the reject log's
# rejections are copies of the main log's and count twice; smtplint says so.
cp "$top/testdata/logs/exim-live-main.log" mainlog
cp "$top/testdata/logs/exim-live-reject.log" rejectlog
inputs="mainlog rejectlog"
gencase exim-main-and-reject 's["files"] == 2 and s["rejections"] == 60' \
    mainlog rejectlog
result exim-main-and-reject $ok

# Limits.  Pending commands: SMTP_MAX_PENDING (1024) waiting for replies;
# the oldest is given up with an unanswered-command finding each time.
{ printf 'S: 220 mx.example ESMTP\r\nC: EHLO client.example\r\n'
  printf 'S: 250-mx.example\r\nS: 250 PIPELINING\r\n'
  i=1; while [ $i -le 1026 ]; do printf 'C: NOOP %d\r\n' $i; i=$((i + 1)); done
} >pending.txt
inputs=pending.txt
gencase pending-limit 's["commands"] == 1027 and
    [x["line"] for x in f if "1024" in x["message"]] == [5, 6] and
    rules.count("unanswered-command") == 2 + 10 + 1' pending.txt
result pending-limit $ok

# Multiline reply lines: SMTP_MAX_REPLY_LINES (10000); reported once.
{ printf 'S: 220 mx.example ESMTP\r\nC: EHLO client.example\r\n'
  i=1; while [ $i -le 10002 ]; do printf 'S: 250-line %d\r\n' $i; i=$((i + 1)); done
  printf 'S: 250 last\r\nC: QUIT\r\nS: 221 bye\r\n'; } >reply-lines.txt
inputs=reply-lines.txt
gencase reply-lines-limit 'rules == ["malformed-reply"] and
    f[0]["line"] == 10003 and "10000" in f[0]["message"] and
    s["replies"] == 3' reply-lines.txt
result reply-lines-limit $ok

# ---- output failures
# `smtplint | head -1` ends quietly and at once, also when whoever started
# it ignores SIGPIPE: the input never ends, so only a prompt exit passes.
if [ "${VALGRIND:-}" != 1 ] && command -v yes >/dev/null &&
    command -v timeout >/dev/null; then
	for mode in default ignored; do
		ok=1
		start=$(date +%s)
		if [ $mode = ignored ]; then
			(trap '' PIPE; yes 'S: 550 5.7.1 no' 2>/dev/null |
			    timeout 20 "$bin" -s info 2>"$tmp/err") |
			    head -n 1 >"$tmp/out"
		else
			(yes 'S: 550 5.7.1 no' 2>/dev/null |
			    timeout 20 "$bin" -s info 2>"$tmp/err") |
			    head -n 1 >"$tmp/out"
		fi
		took=$(($(date +%s) - start))
		[ "$(wc -l <"$tmp/out")" = 1 ] ||
		    { echo "FAIL head-$mode: no first line"; ok=0; }
		[ -s "$tmp/err" ] &&
		    { echo "FAIL head-$mode: stderr:"; head -n 5 "$tmp/err"; ok=0; }
		[ "$took" -lt 10 ] ||
		    { echo "FAIL head-$mode: took ${took}s"; ok=0; }
		result "head-$mode" $ok
	done
else
	skipped head "valgrind, or no yes(1) or timeout(1)"
fi
# A big transcript with a finding every few lines.
i=0
while [ $i -lt 2000 ]; do
	printf 'S: 220 mx.example ESMTP\r\nC: EHLO c\r\nS: 250 ok\r\nC: MAIL FROM:<a@b>\r\nS: 550 5.7.1 no %d\r\nC: QUIT\r\nS: 221 bye\r\n' $i
	i=$((i + 1))
done >big.txt
# A full disk: an error and exit 2, for each reporter.
if [ -w /dev/full ]; then
	for o in json text summary; do
		ok=1
		"$bin" -o $o -s info big.txt >/dev/full 2>"$tmp/err"
		st=$?
		[ "$st" = 2 ] || { echo "FAIL full-$o: exit status $st"; ok=0; }
		grep -q 'error: cannot write' "$tmp/err" ||
		    { echo "FAIL full-$o: no error message"; ok=0; }
		[ "$(wc -l <"$tmp/err")" = 1 ] ||
		    { echo "FAIL full-$o: more than one message"; ok=0; }
		result "full-$o" $ok
	done
else
	skipped dev-full "no /dev/full"
fi

cd "$top" || exit 2
# ---- nothing lost: every input under testdata/
if [ "${VALGRIND:-}" = 1 ]; then
	:
elif sh tests/lines.sh "$bin"; then
	result lines 1
else
	result lines 0
fi

[ "${UPDATE:-}" = 1 ] && exit 0
echo "bad: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
