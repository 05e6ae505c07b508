#!/bin/sh
# Run each libFuzzer harness for SECONDS with the seed corpus from testdata/
# (fuzz_rules: from rules/*.yaml and the YAML files under testdata/, each
# behind the selector byte that picks its schema).  The seeds are copied
# into a temporary corpus: nothing is written under testdata/.
# Fails on any crash, leak, timeout or sanitizer report; the input that
# failed is kept in build-fuzz/artifacts/ (reproduce: BIN FILE).
# Usage: run.sh SECONDS build-fuzz/fuzz_NAME...
set -u
secs=${1:?usage: run.sh SECONDS BIN...}
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
arts=build-fuzz/artifacts
mkdir -p "$arts"

# Selector byte of fuzz_rules for a rules file name; 4 = embedded rules
# loaded first (an override, as with --rules DIR).
rules_sel() {
	case $(basename "$1") in
	codes.yaml) echo 4 ;;
	commands.yaml) echo 5 ;;
	enhanced.yaml) echo 6 ;;
	checks.yaml) echo 7 ;;
	*) echo 0 ;;
	esac
}

seed_stream() {	# the inputs under testdata/, not the expected outputs
	n=0
	find testdata -type f ! -name '*.jsonl' ! -name '*.out' \
	    ! -name '*.out_de' ! -name '*.stderr' ! -name '*.rc' \
	    ! -name '*.args' ! -name '*.yaml' ! -name '*.sh' -size -1000k |
	while read -r f; do
		n=$((n + 1))
		cp "$f" "$1/seed-$n-$(basename "$f")"
	done
}

seed_rules() {
	n=0
	{ ls rules/*.yaml; find testdata -type f -name '*.yaml'; } |
	while read -r f; do
		n=$((n + 1))
		sel=$(rules_sel "$f")
		# as an override and loaded alone
		for s in "$sel" "$((sel & 3))"; do
			# shellcheck disable=SC2059
			{ printf "\\$(printf %o "$s")"; cat "$f"; } \
			    >"$1/seed-$n-$s-$(basename "$f")"
		done
	done
}

status=0
for bin in "$@"; do
	name=$(basename "$bin")
	corpus=$tmp/$name
	mkdir -p "$corpus"
	opts="-timeout=25 -rss_limit_mb=2560"
	case $name in
	fuzz_stream) seed_stream "$corpus"; opts="$opts -max_len=8192" ;;
	fuzz_rules) seed_rules "$corpus" ;;
	*) seed_stream "$corpus" ;;
	esac
	echo "== $name: ${secs}s, $(find "$corpus" -type f | wc -l) seeds"
	# shellcheck disable=SC2086
	"$bin" $opts -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$tmp/$name-" "$corpus" >"$tmp/$name.log" 2>&1
	st=$?
	found=$(ls "$tmp/$name-"* 2>/dev/null)
	if [ $st != 0 ] || [ -n "$found" ]; then
		echo "FAIL $name (exit status $st)"
		grep -v '^#[0-9]' "$tmp/$name.log" | tail -n 80
		for a in $found; do
			cp "$a" "$arts/"
			echo "kept $arts/$(basename "$a") (reproduce: $bin $arts/$(basename "$a"))"
		done
		status=1
	else
		grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' \
		    "$tmp/$name.log"
		echo "ok $name"
	fi
done
exit $status
