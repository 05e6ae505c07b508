#!/bin/sh
# Two ways of logging the same run must read the same: for every pair in
# testdata/same.tsv ("A<TAB>B<TAB>why"), `smtplint -o json -s info` must
# give A and B the same summary (but for the lines and files read) and the
# same findings by rule, reply and message, whatever their line numbers.
# Usage: same.sh PATH-TO-SMTPLINT
set -u
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
case $bin in /*) ;; *) bin=$top/$bin ;; esac
cd "$top" || exit 2
command -v python3 >/dev/null 2>&1 ||
    { echo "same: skipped (no python3)"; exit 0; }
python3 - "$bin" testdata/same.tsv <<'PY'
import collections, json, subprocess, sys

bin, table = sys.argv[1], sys.argv[2]

def read(path):
    p = subprocess.run([bin, "-o", "json", "-s", "info", path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    objs = [json.loads(l) for l in p.stdout.decode("utf-8").split("\n") if l]
    summary = dict(objs[-1])
    for k in ("lines", "files"):
        summary.pop(k, None)
    # by what was said, not where: a note's command is its whole log line
    found = collections.Counter((o.get("rule"), o.get("code"), o.get("reply"),
                                 o.get("message"))
                                for o in objs if o.get("type") == "finding")
    return summary, found

bad = n = 0
for row in open(table, encoding="utf-8"):
    if not row.strip() or row.startswith("#"):
        continue
    a, b = row.rstrip("\n").split("\t")[:2]
    n += 1
    (sa, fa), (sb, fb) = read(a), read(b)
    if sa != sb:
        keys = sorted(k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k))
        print("FAIL same %s %s: summaries differ in %s" % (a, b, ", ".join(keys)))
        bad += 1
    elif fa != fb:
        print("FAIL same %s %s: findings differ: %s" % (a, b, sorted((fa - fb) + (fb - fa))))
        bad += 1
print("same: %d pairs, %d failed" % (n, bad))
sys.exit(1 if bad else 0)
PY
