#!/bin/bash
# run.sh — smtplint's live test (to become `make check-live`; `make check` never needs it).
#
#   tests/live/run.sh [--keep] [--no-real] [--no-bad] [--from DIR]
#
# --from DIR lints copies of DIR/real, DIR/bad-server and the real MTA logs DIR/logs/*-live*.log
# (e.g. --from testdata, the committed corpus) instead of capturing: no MTA, no network, no
# root needed.
#
# 1. Finds the installed MTA (Postfix, Exim or OpenSMTPD: they exclude each other) and sets it
#    up on the loopback (tests/live/setup-postfix.sh, setup-exim.sh, setup-opensmtpd.sh) when
#    running as root and nothing listens on 127.0.0.1:25; without root and without an MTA the
#    real part is skipped with a note.
# 2. Captures fresh transcripts and logs into a temporary directory: with Postfix
#    tests/live/capture.sh (real clients, transcripts and log lines), with Exim
#    tests/live/capture-exim.sh, with OpenSMTPD tests/live/capture-opensmtpd.sh (their logs);
#    and tests/live/capture-bad.sh (tests/live/badserver.py, a misbehaving server; it also
#    writes expected.tsv).
# 3. If ./smtplint exists (or $SMTPLINT), lints every capture with `smtplint -o json -s info`
#    and fails
#      - if a capture of the REAL MTA (transcript or log) shows a server-fault finding
#        above severity info (out-of-sequence, reply-not-allowed, nonstandard-code,
#        malformed-reply, multiline-code-mismatch, enhanced-code-mismatch, bad-greeting,
#        unsolicited-reply): the MTA is conformant, so that is a false positive, unless
#        testdata/logs/server-faults.tsv lists it as the MTA's documented RFC violation
#        (file name pattern, rule, reply prefix);
#      - if a bad-server capture whose client shows the planted violation gets NO finding
#        (reply-explained, the info-level explanation of a 4xx/5xx, does not count);
#      - if smtplint exits with status 2 (usage error, unreadable input) or times out.
#    Expected rules and lines that smtplint does not report (from expected.tsv) are listed as
#    notes, not failures.
#
# Everything is bounded: each client has its own timeout, each badserver.py instance lives
# at most 30 s, each smtplint run at most 60 s.  The temporary directory is removed unless
# --keep is given.  Ends with a "N passed, N failed" line.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
KEEP=0 REAL=1 BAD=1 FROM=
while [ $# -gt 0 ]; do
    a=$1
    shift
    case $a in
        --from) FROM=${1:?--from needs a directory}; shift ;;
        --keep) KEEP=1 ;;
        --no-real) REAL=0 ;;
        --no-bad) BAD=0 ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $a" >&2; exit 2 ;;
    esac
done
SMTPLINT=${SMTPLINT:-./smtplint}
# the interpreter itself, not a pyenv shim (a shim costs a second per call on a busy machine)
PY=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
export PYTHON=$PY
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtplint-live.XXXXXX")
if [ "$KEEP" = 1 ]; then
    trap 'echo "run.sh: captures kept in $WORK"' EXIT
else
    trap 'rm -rf "$WORK"' EXIT
fi

listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

if [ -n "$FROM" ]; then
    for d in real bad-server; do
        [ -d "$FROM/$d" ] && cp -r "$FROM/$d" "$WORK/$d"
    done
    mkdir -p "$WORK/real-logs"
    for f in "$FROM"/logs/*-live*.log; do
        [ -e "$f" ] && cp "$f" "$WORK/real-logs/"
    done
    REAL=0 BAD=0
fi

# --- 1. the MTA -----------------------------------------------------------------------------------
# Postfix, Exim and OpenSMTPD conflict as Debian packages: whichever is installed is the one
MTA=
if [ -x /usr/sbin/postfix ]; then
    MTA=postfix
elif command -v exim4 >/dev/null 2>&1 || command -v exim >/dev/null 2>&1; then
    MTA=exim
elif [ -x /usr/sbin/smtpctl ]; then
    MTA=opensmtpd
fi
if [ "$REAL" = 1 ] && [ -z "$MTA" ]; then
    if [ "$(id -u)" = 0 ]; then
        MTA=postfix
    else
        echo "run.sh: SKIP real captures: no MTA installed (Postfix, Exim or OpenSMTPD) and not root"
        REAL=0
    fi
fi
if [ "$REAL" = 1 ] && ! listening "${SMTP_PORT:-25}"; then
    if [ "$(id -u)" = 0 ]; then
        echo "run.sh: no MTA on 127.0.0.1:${SMTP_PORT:-25}, setting up $MTA"
        bash "$HERE/setup-$MTA.sh"
    else
        echo "run.sh: SKIP real captures: nothing on 127.0.0.1:${SMTP_PORT:-25} and not root"
        REAL=0
    fi
fi
if [ "$REAL" = 1 ] && [ "$MTA" != postfix ] && [ "$(id -u)" != 0 ]; then
    echo "run.sh: SKIP real captures: reading the $MTA logs needs root"
    REAL=0
fi

# --- 2. captures ------------------------------------------------------------------------------------
if [ "$REAL" = 1 ]; then
    case $MTA in
        postfix) cap=capture.sh ;;
        *) cap=capture-$MTA.sh
           echo "run.sh: note: $MTA, not Postfix: no transcript captures (capture.sh needs Postfix's ports)" ;;
    esac
    bash "$HERE/$cap" "$WORK/real" > "$WORK/capture.log" 2>&1 || {
        cat "$WORK/capture.log"; echo "run.sh: $cap failed" >&2; exit 1; }
    echo "run.sh: $(tail -1 "$WORK/capture.log")"
fi
if [ "$BAD" = 1 ]; then
    bash "$HERE/capture-bad.sh" "$WORK/bad-server" > "$WORK/capture-bad.log" 2>&1 || {
        cat "$WORK/capture-bad.log"; echo "run.sh: capture-bad.sh failed" >&2; exit 1; }
    echo "run.sh: $(tail -1 "$WORK/capture-bad.log")"
fi

# --- 3. lint ----------------------------------------------------------------------------------------
if [ ! -x "$SMTPLINT" ]; then
    echo "run.sh: $SMTPLINT not built: captures made, nothing linted"
    echo "0 passed, 0 failed"
    exit 0
fi

# smtplint on every capture: FILE.json (JSON Lines), FILE.err, FILE.rc (exit status)
N=0
for d in real real-logs bad-server; do
    [ -d "$WORK/$d" ] || continue
    for f in "$WORK/$d"/*.txt "$WORK/$d"/*.log; do
        [ -e "$f" ] || continue
        rc=0
        timeout 60 "$SMTPLINT" -o json -s info --fail-on never "$f" > "$f.json" 2> "$f.err" || rc=$?
        echo "$rc" > "$f.rc"
        N=$((N + 1))
    done
done
echo "run.sh: linted $N captures with $SMTPLINT"

# the checks, all files in one go; prints FAIL/note lines and the "N passed, N failed" line
"$PY" - "$WORK" "$ROOT/testdata/logs/server-faults.tsv" <<'EOF_PY'
import fnmatch, glob, json, os, sys
work = sys.argv[1]
# documented RFC violations of real MTAs: (file pattern, rule, reply prefix)
known = []
if os.path.exists(sys.argv[2]):
    with open(sys.argv[2]) as f:
        for l in f:
            if l.startswith("#") or not l.strip():
                continue
            pat, rule, prefix = l.rstrip("\n").split("\t")
            known.append((pat, rule, prefix))
def is_known(name, f):
    return any(fnmatch.fnmatch(name, pat) and f.get("rule") == rule and
               (f.get("reply") or "").startswith(prefix) for pat, rule, prefix in known)
SERVER_FAULTS = {"out-of-sequence", "reply-not-allowed", "nonstandard-code", "malformed-reply",
                 "multiline-code-mismatch", "enhanced-code-mismatch", "bad-greeting",
                 "unsolicited-reply"}
expected = {}
tsv = os.path.join(work, "bad-server", "expected.tsv")
if os.path.exists(tsv):
    with open(tsv) as f:
        next(f)
        for l in f:
            file, rule, line, kind, group = l.rstrip("\n").split("\t")
            expected.setdefault(file, []).append((rule, int(line), kind, int(group)))
passed = failed = 0
for d in ("real", "real-logs", "bad-server"):
    for rcfile in sorted(glob.glob(os.path.join(work, d, "*.rc"))):
        cap = rcfile[:-3]
        name = os.path.basename(cap)
        label = "%s/%s" % (d, name)
        rc = open(rcfile).read().strip()
        if rc not in ("0", "1"):
            err = open(cap + ".err", errors="replace").read()[:200].strip()
            print("FAIL: %s: smtplint exit status %s%s" % (label, rc, (": " + err) if err else ""))
            failed += 1
            continue
        findings, broken = [], None
        with open(cap + ".json", encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    o = json.loads(line)
                except ValueError:
                    broken = "output line %d is not JSON: %s" % (n, line[:80])
                    break
                if o.get("type") == "finding":
                    findings.append(o)
        if broken:
            print("FAIL: %s: %s" % (label, broken))
            failed += 1
            continue
        if d in ("real", "real-logs"):
            bad = [f for f in findings
                   if f.get("rule") in SERVER_FAULTS and f.get("severity") != "info"
                   and not is_known(name, f)]
            if bad:
                print("FAIL: %s: server fault reported on a real MTA: %s" % (label, "; ".join(
                    "line %s: %s %s (%s)" % (f.get("line"), f.get("severity"), f.get("rule"),
                                             (f.get("reply") or "")[:60]) for f in bad[:5])))
                failed += 1
            else:
                passed += 1
            continue
        mine = expected.get(name, [])
        if any(k == "invisible" for _, _, k, _ in mine):
            passed += 1
            continue
        real = [f for f in findings if f.get("rule") != "reply-explained"]
        if not real:
            print("FAIL: %s: no finding" % label)
            failed += 1
            continue
        passed += 1
        got = {(f.get("rule"), f.get("line")) for f in real}
        groups = {}
        for rule, line, kind, group in mine:
            if kind == "primary":
                groups.setdefault((rule, group), []).append(line)
        for (rule, _), lines in sorted(groups.items()):
            if not any((rule, n) in got for n in lines):
                where = "line %d" % lines[0] if len(lines) == 1 else "lines %d-%d" % (lines[0], lines[-1])
                print("  note: %s: expected %s at %s not reported" % (label, rule, where))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF_PY
