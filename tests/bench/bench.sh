#!/bin/sh
# bench.sh - `make bench`: time smtplint on generated MTA logs against the
# tools an administrator would otherwise use, in turns, warm page cache.
#
#   sh tests/bench/bench.sh [SMTPLINT]
#
# The logs come from tests/bench/gen-maillog.py (deterministic: seed 1) and
# are cached in build/bench/, so repeated runs do not regenerate them:
#   postfix-100M.log, postfix-1G.log, postfix-debug-100M.log, exim-100M.log
# Each command runs ROUNDS times (default 5), all commands in turn per
# round; the best wall time counts.  Peak RSS comes from /usr/bin/time -f %M
# (GNU time), or from a Python getrusage wrapper when that is missing.
# Never send a grep's output to /dev/null: GNU grep then stops at the
# first match; -c counts every line.
# Environment: ROUNDS=5, SIZES="100M 1G", BENCH_DIR=build/bench.
set -eu

BIN=${1:-./smtplint}
DIR=${BENCH_DIR:-build/bench}
GEN=tests/bench/gen-maillog.py
ROUNDS=${ROUNDS:-5}
SIZES=${SIZES:-"100M 1G"}
REGEX='NOQUEUE: reject: RCPT from .*: 5[0-9][0-9] '

mkdir -p "$DIR"
[ -x "$BIN" ] || { echo "bench.sh: $BIN not built" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench.sh: python3 needed" >&2; exit 2; }
HAVE_PCRE2GREP=1
command -v pcre2grep >/dev/null || { HAVE_PCRE2GREP=0; echo "bench.sh: pcre2grep missing (apt-get install pcre2-utils): skipped" >&2; }

# gen FORMAT SIZE: the cached log's path
gen() {
	f="$DIR/$1-$2.log"
	if [ ! -s "$f" ]; then
		echo "generating $f ..." >&2
		python3 "$GEN" --format "$1" --size "$2" --seed 1 > "$f.tmp"
		mv "$f.tmp" "$f"
	fi
	[ -s "$f.lines" ] || wc -l < "$f" | tr -d ' ' > "$f.lines"
	echo "$f"
}

# measure CMD: "seconds maxrss_kb" of one run of the shell command CMD.
# The wall time is taken around the run in nanoseconds (GNU date), since
# time(1) gives only hundredths; the peak RSS comes from GNU time.
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 &&
    [ "$(date +%N)" != "%N" ]; then
	measure() {
		s=$(date +%s%N)
		/usr/bin/time -f '%M' -o "$DIR/.time" sh -c "$1" >"$DIR/.out" 2>/dev/null || true
		e=$(date +%s%N)
		echo "$(( (e - s) / 1000000 )) $(tail -1 "$DIR/.time")" |
		    awk '{ printf "%.3f %d\n", $1 / 1000, $2 }'
	}
else
	measure() {
		python3 - "$1" "$DIR/.out" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[2], "wb") as out:
    subprocess.call(["sh", "-c", sys.argv[1]], stdout=out, stderr=subprocess.DEVNULL)
t = time.monotonic() - t
print("%.3f %d" % (t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
EOF
	}
fi

# bench FILE LABEL CMD... (each CMD with @ for the file)
bench() {
	file=$1; label=$2; shift 2
	bytes=$(wc -c < "$file" | tr -d ' ')
	lines=$(cat "$file.lines")
	cat "$file" > /dev/null		# warm the page cache
	n=0
	for c in "$@"; do n=$((n + 1)); eval "best_$n=999999; rss_$n=0"; done
	r=0
	while [ "$r" -lt "$ROUNDS" ]; do
		r=$((r + 1)); n=0
		for c in "$@"; do
			n=$((n + 1))
			cmd=$(printf '%s' "$c" | sed "s|@|$file|g")
			res=$(measure "$cmd")
			t=${res% *}; m=${res#* }
			eval "b=\$best_$n"
			if awk "BEGIN{exit !($t < $b)}"; then eval "best_$n=$t"; fi
			eval "rm_=\$rss_$n"
			[ "$m" -gt "$rm_" ] && eval "rss_$n=$m"
		done
	done
	echo
	echo "== $label: $file ($((bytes / 1048576)) MiB, $lines lines), best of $ROUNDS, warm cache"
	printf '%-58s %8s %9s %12s %9s\n' command seconds MB/s lines/s "RSS KiB"
	n=0
	for c in "$@"; do
		n=$((n + 1))
		eval "t=\$best_$n; m=\$rss_$n"
		awk -v c="$c" -v t="$t" -v b="$bytes" -v l="$lines" -v m="$m" 'BEGIN {
			if (t <= 0) t = 0.001
			printf "%-58s %8.3f %9.0f %12.0f %9d\n", c, t, b / t / 1e6, l / t, m }'
	done
	eval "echo \"\$best_1 \$rss_1\"" > "$DIR/.first"
	# ratios against the first command (smtplint); the piped smtplint
	# (second) against the last one (cat | wc -c)
	n=0
	last=$#
	for c in "$@"; do
		n=$((n + 1))
		[ "$n" -eq 1 ] && continue
		if [ "$n" -eq 2 ] && [ "$last" -gt 2 ] &&
		    case "$c" in "cat @ |"*) true ;; *) false ;; esac; then
			eval "t=\$best_$last; s2=\$best_2"
			awk -v t="$t" -v s="$s2" 'BEGIN {
				if (t <= 0) t = 0.001
				printf "  piped smtplint / (cat @ | wc -c): %.2f (target <= 1.25)\n", s / t }'
			continue
		fi
		eval "t=\$best_$n"
		awk -v c="$c" -v t="$t" -v s="$best_1" 'BEGIN {
			if (t <= 0) t = 0.001
			printf "  smtplint time / (%s): %.2f\n", c, s / t }'
	done
}

SL="$BIN -o summary --fail-on never"
for size in $SIZES; do
	f=$(gen postfix "$size")
	set -- "$SL @"
	set -- "$@" "cat @ | $SL"
	[ "$HAVE_PCRE2GREP" = 1 ] && set -- "$@" "pcre2grep -c '$REGEX' @"
	set -- "$@" "grep -c 'postfix/smtpd' @" "cat @ > /dev/null" "cat @ | wc -c"
	bench "$f" "postfix $size" "$@"
	echo "$size $(cat "$DIR/.first")" >> "$DIR/.rss.$$"
done
f=$(gen postfix-debug 100M)
bench "$f" "postfix-debug 100M" "$SL @" "grep -c 'postfix/smtpd' @" "cat @ > /dev/null"
f=$(gen exim 100M)
bench "$f" "exim 100M" "$SL @" "grep -c ' rejected RCPT ' @" "cat @ > /dev/null"

echo
echo "== peak RSS of smtplint -o summary by input size (must not grow, < 32 MiB):"
awk '{ printf "  %-6s %8d KiB\n", $1, $3 }' "$DIR/.rss.$$"
rm -f "$DIR/.rss.$$" "$DIR/.out" "$DIR/.time" "$DIR/.first"
