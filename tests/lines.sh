#!/bin/sh
# Nothing lost: for every input under testdata/ (*.txt *.log *.gz *.csv,
# recursively), `smtplint -o json -s info FILE` must print valid JSON whose
# summary counts every line of the file: its newlines, plus one when the
# last line has none (gzip: of the data as far as it inflates).  Catches
# dropped or invented lines in the reader and the format detection.
# Usage: lines.sh PATH-TO-SMTPLINT
set -u
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
case $bin in /*) ;; *) bin=$top/$bin ;; esac
cd "$top" || exit 2
command -v python3 >/dev/null 2>&1 ||
    { echo "lines: skipped (no python3)"; exit 0; }
find testdata -type f \( -name '*.txt' -o -name '*.log' -o -name '*.gz' \
    -o -name '*.csv' \) | sort | python3 -c '
import json, subprocess, sys
bin = sys.argv[1]

sys.path.insert(0, "tests")
from countlines import lines_of

bad = n = 0
for path in sys.stdin.read().split("\n"):
    if not path:
        continue
    n += 1
    p = subprocess.run([bin, "-o", "json", "-s", "info", path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        objs = [json.loads(l) for l in p.stdout.decode("utf-8").split("\n") if l]
        got = objs[-1]["lines"]
        assert objs[-1]["type"] == "summary"
    except Exception as e:
        print("FAIL lines %s: bad -o json output (%r)" % (path, e))
        bad += 1
        continue
    want = lines_of(path)
    if got != want:
        print("FAIL lines %s: summary lines %d, the file has %d"
              % (path, got, want))
        bad += 1
print("lines: %d inputs, %d failed" % (n, bad))
sys.exit(1 if bad else 0)
' "$bin"
