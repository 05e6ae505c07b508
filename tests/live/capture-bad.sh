#!/bin/bash
# capture-bad.sh — capture SMTP dialogues against tests/live/badserver.py, a deliberately
# misbehaving server, with real clients (swaks, curl, msmtp, Python smtplib) and with the raw
# C:/S: client tests/live/rawclient.py (exact wire bytes).
#
#   tests/live/capture-bad.sh [OUTDIR]        default OUTDIR: testdata/bad-server
#
# Environment: BAD_PORT (default 12625) is the port badserver.py binds on 127.0.0.1;
# SMTP_PORT (default 25) is a real Postfix used for one extra capture (the smuggling attempt
# against Postfix), skipped when nothing answers there.
#
# Each capture is OUTDIR/<scenario>.<client>.txt.  For every capture a fresh badserver.py is
# started for exactly one connection and a 30 s lifetime, so nothing is left running.  Every
# client has its own timeout (swaks --timeout 10, curl --max-time 10, msmtp --timeout=10,
# python --timeout 10) and runs under timeout(1) as well.  Idempotent: files are rewritten.
# OUTDIR/README.md and OUTDIR/expected.tsv list the planted violations of every file with
# their line numbers; tests/live/bad-readme.py computes them from the captures and fails when
# an expected violation is not found.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-testdata/bad-server}
BAD_PORT=${BAD_PORT:-12625}
SMTP_PORT=${SMTP_PORT:-25}
# the interpreter itself, not a pyenv shim (a shim costs a second per call on a busy machine)
PY=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

MSG=$TMP/msg.eml
printf 'From: <sender@example.org>\r\nTo: <alice@test.example>\r\nSubject: client test\r\n\r\nHello.\r\n' > "$MSG"

SERVER_PID=
start_server() {   # start_server SCENARIO: one connection, then badserver.py exits
    rm -f "$TMP/ready"
    "$PY" "$HERE/badserver.py" --port "$BAD_PORT" --scenario "$1" --max-conn 1 --timeout 30 \
        --ready-file "$TMP/ready" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        [ -s "$TMP/ready" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "capture-bad.sh: badserver.py did not start (port $BAD_PORT busy?)" >&2
    exit 1
}
stop_server() {    # wait (bounded) for the server to finish its one connection
    for _ in $(seq 1 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || { wait "$SERVER_PID" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

# cap SCENARIO CLIENT COMMAND...: run COMMAND against a fresh badserver, output → the file.
# The command's standard output and standard error both go to the file (as "2>&1 | tee"
# would give them), except for smtplib and the raw client, which write their own.
cap() {
    local sc=$1 client=$2
    shift 2
    local f="$OUT/$sc.$client.txt" t0=$SECONDS
    start_server "$sc"
    case $client in
        raw) timeout 30 "$@" --out "$f" || true ;;
        smtplib) timeout 30 "$@" >/dev/null 2>"$f" || true ;;
        *) timeout 30 "$@" >"$f" 2>&1 </dev/null || true ;;
    esac
    stop_server
    echo "  $f ($((SECONDS - t0))s)"
}
# the same with the message on standard input (msmtp)
cap_stdin() {
    local sc=$1 client=$2
    shift 2
    local f="$OUT/$sc.$client.txt" t0=$SECONDS
    start_server "$sc"
    timeout 30 "$@" >"$f" 2>&1 <"$MSG" || true
    stop_server
    echo "  $f ($((SECONDS - t0))s)"
}

RAW="$PY $HERE/rawclient.py --port $BAD_PORT --timeout 10"
PYC="$PY $HERE/pyclient.py --port $BAD_PORT --timeout 10 --debuglevel 1"
SWAKS="swaks --server 127.0.0.1 --port $BAD_PORT --timeout 10 --helo client.test.example --from sender@example.org"
CURL="curl -sS -v --max-time 10 smtp://127.0.0.1:$BAD_PORT/client.test.example --mail-from sender@example.org"
MSMTP="msmtp -C /dev/null --debug --host=127.0.0.1 --port=$BAD_PORT --domain=client.test.example --from=sender@example.org --timeout=10 --tls=off"

# all clients that can speak an ordinary session: RAW, swaks, curl, msmtp, smtplib
all_clients() {   # all_clients SCENARIO [SMTPLIB-SCENARIO]
    local sc=$1 pysc=${2:-plain-session}
    cap "$sc" raw $RAW "$sc"
    cap "$sc" swaks $SWAKS --to alice@test.example
    cap "$sc" curl $CURL --mail-rcpt alice@test.example --upload-file "$MSG"
    cap_stdin "$sc" msmtp $MSMTP --auth=off alice@test.example
    cap "$sc" smtplib $PYC "$pysc"
}

echo "capture-bad.sh: writing into $OUT (badserver on 127.0.0.1:$BAD_PORT)"

# --- server faults --------------------------------------------------------------------------
all_clients bad-greeting
cap rcpt-before-mail raw $RAW rcpt-before-mail
cap rcpt-before-mail smtplib $PYC rcpt-before-mail
cap data-without-rcpt raw $RAW data-without-rcpt
cap data-without-rcpt smtplib $PYC data-without-rcpt
all_clients 334-to-mail
all_clients 354-to-rcpt
all_clients multiline-code-mismatch
all_clients malformed-letter
all_clients malformed-4digit
all_clients malformed-nospace
cap nonstandard-codes raw $RAW nonstandard-codes
cap nonstandard-codes smtplib $PYC nonstandard
cap nonstandard-codes swaks $SWAKS --to carol@test.example
cap nonstandard-codes curl $CURL --mail-rcpt carol@test.example --upload-file "$MSG"
all_clients enhanced-code-mismatch
cap unsolicited-reply raw $RAW unsolicited-reply
cap helo-multiline raw $RAW helo-multiline
cap helo-multiline swaks $SWAKS --protocol SMTP --to alice@test.example
cap helo-multiline smtplib $PYC helo-session
cap 221-to-noop raw $RAW 221-to-noop
cap 221-to-noop smtplib $PYC noop-quit
cap 221-to-noop curl curl -sS -v --max-time 10 "smtp://127.0.0.1:$BAD_PORT/client.test.example" -X NOOP
cap reply-after-221 raw $RAW reply-after-221
# bare LF: swaks does not show line endings, so no swaks capture; the others print the CR
cap bare-lf raw $RAW bare-lf
cap bare-lf curl $CURL --mail-rcpt alice@test.example --upload-file "$MSG"
cap_stdin bare-lf msmtp $MSMTP --auth=off alice@test.example
cap bare-lf smtplib $PYC plain-session
all_clients long-reply
cap smuggling raw $RAW smuggling

# --- client faults ----------------------------------------------------------------------------
cap pipelining-not-advertised raw $RAW pipelining-not-advertised
cap pipelining-not-advertised swaks $SWAKS --to alice@test.example --pipeline
cap auth-plain-no-tls raw $RAW auth-plain-no-tls
cap auth-plain-no-tls swaks $SWAKS --to alice@test.example -a PLAIN -au alice -ap secret
cap auth-plain-no-tls curl $CURL --mail-rcpt alice@test.example --upload-file "$MSG" \
    -u alice:secret --login-options AUTH=PLAIN
cap_stdin auth-plain-no-tls msmtp $MSMTP --auth=plain --user=alice --passwordeval="echo secret" \
    alice@test.example
cap auth-plain-no-tls smtplib $PYC login-plain
cap command-after-quit raw $RAW command-after-quit
cap early-talker raw $RAW early-talker

# --- the smuggling attempt against the real Postfix (vulnerable with Debian 12 defaults) -----
# (ss, not a test connection: a probe would leave its own lines in the Postfix log; the
# listener must be Postfix's master, as Exim or OpenSMTPD answer the attempt differently)
if ss -Hltnp "sport = :$SMTP_PORT" 2>/dev/null | grep -q '"master"'; then
    LOG=/var/log/mail-3164.log
    off=0
    [ -r "$LOG" ] && off=$(stat -c %s "$LOG")
    timeout 30 $PY "$HERE/rawclient.py" --port "$SMTP_PORT" --timeout 10 \
        --out "$OUT/smuggling-postfix.raw.txt" smuggling-postfix || true
    echo "  $OUT/smuggling-postfix.raw.txt"
    if [ -r "$LOG" ]; then
        # wait (bounded) for the session's "disconnect from" line, then keep the slice
        for _ in $(seq 1 30); do
            tail -c +$((off + 1)) "$LOG" | grep -q 'disconnect from' && break
            sleep 0.2
        done
        tail -c +$((off + 1)) "$LOG" > "$OUT/smuggling-postfix.log"
        echo "  $OUT/smuggling-postfix.log"
    fi
else
    echo "capture-bad.sh: no Postfix on 127.0.0.1:$SMTP_PORT, smuggling-postfix skipped" >&2
fi
# README.md and expected.tsv: violations and their line numbers, found in the captures
"$PY" "$HERE/bad-readme.py" "$OUT"
echo "capture-bad.sh: done ($OUT/README.md, $OUT/expected.tsv)"
