#!/bin/bash
# capture.sh — capture real SMTP transcripts from a running MTA on 127.0.0.1 with real
# clients: swaks, curl -v, msmtp --debug, Python smtplib (debug levels 1 and 2), and the raw
# C:/S: client tests/live/rawclient.py; converts some swaks captures to RFC-style C:/S: with
# tests/live/swaks2rfc.py; keeps the MTA's log lines of the run.
#
#   tests/live/capture.sh [OUTDIR]            default OUTDIR: testdata/real
#
# Expects the Postfix of tests/live/setup-postfix.sh (mx.test.example; users alice and bob;
# 127.0.0.1:25 with STARTTLS, 127.0.0.1:587 TLS-only submission with AUTH, 127.0.0.1:10587 AUTH
# in clear text; message_size_limit 100000).  Ports can be changed with SMTP_PORT, SUB_PORT,
# PLAIN_AUTH_PORT.
#
# Output: OUTDIR/<client>-<scenario>.txt, one file per capture, and OUTDIR/README.md with one
# line per file (client version, command).  When the Postfix logs of setup-postfix.sh are
# readable (/var/log/mail.log RFC 3339, /var/log/mail-3164.log RFC 3164), the lines the run
# produced are kept as OUTDIR/postfix-3339.log and OUTDIR/postfix-3164.log.  When run as root
# on the Postfix host, a second, shorter pass with debug_peer_list = 127.0.0.1 gives
# OUTDIR/postfix-debugpeer.log (the full dialogue in the log); debug_peer_list is emptied again
# afterwards (also on interrupt).
#
# Every client has a timeout of its own (swaks --timeout 10, curl --max-time 10, msmtp
# --timeout=10, python --timeout 10) and runs under timeout(1).  A client failing (a refused
# recipient is the point of several scenarios) does not stop the script.  Idempotent: files
# are rewritten.  Nothing is left running.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-testdata/real}
HOST=127.0.0.1
SMTP_PORT=${SMTP_PORT:-25}
SUB_PORT=${SUB_PORT:-587}
PLAIN_AUTH_PORT=${PLAIN_AUTH_PORT:-10587}
# the interpreter itself, not a pyenv shim (a shim costs a second per call on a busy machine)
PY=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
LOG3339=/var/log/mail.log
LOG3164=/var/log/mail-3164.log
mkdir -p "$OUT"
TMP=$(mktemp -d)
DEBUG_ON=0
cleanup() {
    if [ "$DEBUG_ON" = 1 ]; then
        postconf -e 'debug_peer_list =' && postfix reload >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# Is something listening?  (ss, not a test connection: a probe would show up in the log)
listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
if ! listening "$SMTP_PORT"; then
    echo "capture.sh: nothing listens on $HOST:$SMTP_PORT (run tests/live/setup-postfix.sh)" >&2
    exit 1
fi

# --- messages -----------------------------------------------------------------------------------
MSG=$TMP/message.eml
printf 'From: <sender@example.org>\r\nTo: <alice@test.example>\r\nSubject: client test\r\n\r\nHello.\r\n' > "$MSG"
BIG=$TMP/big.eml        # about 120 kB: above message_size_limit = 100000
{
    printf 'From: <sender@example.org>\r\nTo: <alice@test.example>\r\nSubject: too big\r\n\r\n'
    for i in $(seq 1 1500); do printf 'line %04d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n' "$i"; done
} > "$BIG"
BIGBODY=$TMP/big-body.txt   # swaks --body: the body alone
tail -n +5 "$BIG" > "$BIGBODY"
DOTBODY=$TMP/dot-body.txt
printf 'line one\r\n.line starting with a dot\r\n..two dots\r\n.\r\nnot the end\r\n' > "$DOTBODY"

# --- client command lines -------------------------------------------------------------------------
SWAKS="swaks --server $HOST --port $SMTP_PORT --timeout 10 --helo client.test.example --from sender@example.org"
SWAKS_SUB="swaks --server $HOST --port $SUB_PORT --timeout 10 --helo client.test.example --from alice@test.example"
SWAKS_PA="swaks --server $HOST --port $PLAIN_AUTH_PORT --timeout 10 --helo client.test.example --from alice@test.example"
CURL="curl -sS -v --max-time 10 smtp://$HOST:$SMTP_PORT/client.test.example --mail-from sender@example.org"
CURL_SUB="curl -sS -v --max-time 10 smtp://$HOST:$SUB_PORT/client.test.example --mail-from alice@test.example"
CURL_PA="curl -sS -v --max-time 10 smtp://$HOST:$PLAIN_AUTH_PORT/client.test.example --mail-from alice@test.example"
MSMTP="msmtp -C /dev/null --debug --host=$HOST --port=$SMTP_PORT --domain=client.test.example --from=sender@example.org --timeout=10"
MSMTP_SUB="msmtp -C /dev/null --debug --host=$HOST --port=$SUB_PORT --domain=client.test.example --from=alice@test.example --timeout=10"
MSMTP_PA="msmtp -C /dev/null --debug --host=$HOST --port=$PLAIN_AUTH_PORT --domain=client.test.example --from=alice@test.example --timeout=10"
PYC="$PY $HERE/pyclient.py --host $HOST --timeout 10"
RAW="$PY $HERE/rawclient.py --host $HOST --port $SMTP_PORT --timeout 10"
TLS_MSMTP="--tls=on --tls-starttls=on --tls-certcheck=off"

# --- bookkeeping for README.md ----------------------------------------------------------------------
V_SWAKS=$(swaks --version 2>/dev/null | head -1)
V_CURL=$(curl --version | head -1 | cut -d' ' -f1-2)
V_MSMTP=$(msmtp --version | head -1)
V_PY="Python $($PY -c 'import platform; print(platform.python_version())') smtplib"
V_RSYSLOG="rsyslog $(rsyslogd -v 2>/dev/null | awk 'NR == 1 {print $2}')"
V_MTA=$(postconf -h mail_version 2>/dev/null || echo unknown)
ENTRIES=$TMP/entries
: > "$ENTRIES"
# Commands are written to README.md with the temporary paths shortened to their file names.
show() { printf '%q ' "$@" | sed -e 's/ $//' -e "s|$TMP/||g" -e "s|$HERE/|tests/live/|g"; }
entry() { printf -- '- `%s` — %s: `%s`%s\n' "$1" "$2" "$3" "${4:+ — $4}" >> "$ENTRIES"; }

# cap FILE VERSION NOTE COMMAND...: run COMMAND, stdout and stderr into OUT/FILE
# (as "2>&1 | tee" would keep them; curl writes the text of a VRFY/HELP/NOOP reply on stdout).
cap() {
    local f=$1 v=$2 note=$3
    shift 3
    timeout 30 "$@" > "$OUT/$f" 2>&1 < /dev/null || true
    entry "$f" "$v" "$(show "$@")" "$note"
    echo "  $OUT/$f"
}
# cap_in FILE VERSION NOTE INPUT COMMAND...: the same with INPUT on standard input (msmtp)
cap_in() {
    local f=$1 v=$2 note=$3 in=$4
    shift 4
    timeout 30 "$@" > "$OUT/$f" 2>&1 < "$in" || true
    entry "$f" "$v" "$(show "$@") < $(basename "$in")" "$note"
    echo "  $OUT/$f"
}
# cap_py FILE NOTE DEBUGLEVEL PORT SCENARIO: smtplib; its debug trace (stderr) is the capture
cap_py() {
    local f=$1 note=$2 lvl=$3 port=$4 sc=$5
    timeout 30 $PYC --debuglevel "$lvl" --port "$port" "$sc" > /dev/null 2> "$OUT/$f" || true
    entry "$f" "$V_PY, debuglevel $lvl" "tests/live/pyclient.py --debuglevel $lvl --port $port $sc 2> $f" "$note"
    echo "  $OUT/$f"
}
# both debug levels: smtplib-<sc>.txt (level 1) and smtplib-ts-<sc>.txt (level 2, timestamps)
cap_py2() {
    local sc=$1 port=$2 note=$3
    cap_py "smtplib-$sc.txt" "$note" 1 "$port" "$4"
    cap_py "smtplib-ts-$sc.txt" "$note" 2 "$port" "$4"
}
# cap_raw FILE NOTE SCENARIO: raw C:/S: client, exact wire bytes
cap_raw() {
    local f=$1 note=$2 sc=$3
    timeout 30 $RAW --out "$OUT/$f" "$sc" || true
    entry "$f" "tests/live/rawclient.py (raw socket, C:/S: with the real line terminators)" \
        "tests/live/rawclient.py --port $SMTP_PORT --out $f $sc" "$note"
    echo "  $OUT/$f"
}
# to_rfc SWAKSFILE RFCFILE: RFC-style C:/S: conversion of a swaks capture
to_rfc() {
    $PY "$HERE/swaks2rfc.py" < "$OUT/$1" > "$OUT/$2"
    entry "$2" "converted" "tests/live/swaks2rfc.py < $1 > $2" "the swaks capture $1 in RFC 5321 C:/S: form"
    echo "  $OUT/$2"
}

log_size() { if [ -r "$1" ]; then stat -c %s "$1"; else echo 0; fi; }
# wait (bounded) until the log has caught up with the sessions just run: at least N
# "disconnect from" lines after byte offset OFF
wait_log() {
    local log=$1 off=$2 n=$3
    [ -r "$log" ] || return 0
    for _ in $(seq 1 50); do
        [ "$(tail -c +$((off + 1)) "$log" | grep -c 'disconnect from')" -ge "$n" ] && return 0
        sleep 0.2
    done
}
log_slice() { tail -c +$(($2 + 1)) "$1" > "$3"; }
count_sessions() {   # how many SMTP sessions the captures in OUT have (greetings seen)
    cat "$OUT"/*.txt 2>/dev/null | grep -c -E '^(<-  |<\*\* |< |<-- |S: |reply: b.|[0-9:.]+ reply: b.)22[01] [^ ]+ ESMTP' || true
}

echo "capture.sh: writing into $OUT ($V_MTA on $HOST:$SMTP_PORT, $SUB_PORT, $PLAIN_AUTH_PORT)"
OFF3339=$(log_size "$LOG3339")
OFF3164=$(log_size "$LOG3164")

# ============================== scenarios ==========================================================
# --- plain delivery to a local user ---
cap swaks-deliver.txt "$V_SWAKS" "" $SWAKS --to alice@test.example
cap curl-deliver.txt "$V_CURL" "" $CURL --mail-rcpt alice@test.example --upload-file "$MSG"
cap curl-deliver-progress.txt "$V_CURL" "without -sS: the progress meter is mixed into the trace" \
    curl -v --max-time 10 "smtp://$HOST:$SMTP_PORT/client.test.example" --mail-from sender@example.org \
    --mail-rcpt alice@test.example --upload-file "$MSG"
cap_in msmtp-deliver.txt "$V_MSMTP" "msmtp pipelines MAIL/RCPT/DATA when PIPELINING is offered" "$MSG" \
    $MSMTP --auth=off --tls=off alice@test.example
cap_py2 deliver "$SMTP_PORT" "" deliver
cap_raw raw-deliver.txt "" deliver

# --- unknown local user: 550 5.1.1 ---
cap swaks-unknown-user.txt "$V_SWAKS" "" $SWAKS --to carol@test.example
cap curl-unknown-user.txt "$V_CURL" "" $CURL --mail-rcpt carol@test.example --upload-file "$MSG"
cap_in msmtp-unknown-user.txt "$V_MSMTP" "" "$MSG" $MSMTP --auth=off --tls=off carol@test.example
cap_py2 unknown-user "$SMTP_PORT" "" unknown-user

# --- relay denied: 554 5.7.1 ---
cap swaks-relay-denied.txt "$V_SWAKS" "" $SWAKS --to someone@example.org
cap curl-relay-denied.txt "$V_CURL" "" $CURL --mail-rcpt someone@example.org --upload-file "$MSG"
cap_in msmtp-relay-denied.txt "$V_MSMTP" "" "$MSG" $MSMTP --auth=off --tls=off someone@example.org
cap_py2 relay-denied "$SMTP_PORT" "" relay-denied

# --- good and bad recipients mixed ---
cap swaks-mixed-rcpt.txt "$V_SWAKS" "" $SWAKS --to alice@test.example,carol@test.example,someone@example.org,bob@test.example
cap curl-mixed-rcpt.txt "$V_CURL" "" $CURL --mail-rcpt alice@test.example --mail-rcpt carol@test.example \
    --mail-rcpt someone@example.org --mail-rcpt bob@test.example --mail-rcpt-allowfails --upload-file "$MSG"
cap_in msmtp-mixed-rcpt.txt "$V_MSMTP" "msmtp gives up at the first refused recipient, without reading the rest of the pipelined replies and without QUIT" "$MSG" \
    $MSMTP --auth=off --tls=off alice@test.example carol@test.example someone@example.org bob@test.example
cap_py2 mixed-rcpt "$SMTP_PORT" "" mixed-rcpt

# --- pipelining (PIPELINING is advertised) ---
cap swaks-pipelining.txt "$V_SWAKS" "" $SWAKS --to alice@test.example,carol@test.example,bob@test.example --pipeline
cap_in msmtp-pipelining.txt "$V_MSMTP" "" "$MSG" $MSMTP --auth=off --tls=off alice@test.example bob@test.example
cap_raw raw-pipelining.txt "MAIL, three RCPT and DATA in one write" pipelining

# --- STARTTLS on port 25 ---
cap swaks-starttls.txt "$V_SWAKS" "" $SWAKS --to alice@test.example -tls
cap curl-starttls.txt "$V_CURL" "" $CURL --mail-rcpt alice@test.example --upload-file "$MSG" --ssl-reqd -k
cap_in msmtp-starttls.txt "$V_MSMTP" "" "$MSG" $MSMTP --auth=off $TLS_MSMTP alice@test.example
cap_py2 starttls "$SMTP_PORT" "" starttls

# --- submission port 587 without STARTTLS: 530 5.7.0 Must issue a STARTTLS command first ---
cap swaks-tls-required.txt "$V_SWAKS" "port $SUB_PORT" $SWAKS_SUB --to bob@test.example
cap curl-tls-required.txt "$V_CURL" "port $SUB_PORT" $CURL_SUB --mail-rcpt bob@test.example --upload-file "$MSG"
cap_in msmtp-tls-required.txt "$V_MSMTP" "port $SUB_PORT" "$MSG" $MSMTP_SUB --auth=off --tls=off bob@test.example
cap_py "smtplib-tls-required.txt" "port $SUB_PORT" 1 "$SUB_PORT" tls-required

# --- AUTH after STARTTLS on 587: wrong password (535 5.7.8) and success (235 2.7.0) ---
cap swaks-auth-fail.txt "$V_SWAKS" "port $SUB_PORT" $SWAKS_SUB --to bob@test.example -tls \
    -a PLAIN -au alice@mx.test.example -ap wrong-password
cap curl-auth-fail.txt "$V_CURL" "port $SUB_PORT" $CURL_SUB --mail-rcpt bob@test.example --upload-file "$MSG" \
    --ssl-reqd -k -u alice@mx.test.example:wrong-password
cap_in msmtp-auth-fail.txt "$V_MSMTP" "port $SUB_PORT" "$MSG" $MSMTP_SUB $TLS_MSMTP --auth=plain \
    --user=alice@mx.test.example --passwordeval="echo wrong-password" bob@test.example
cap_py2 auth-fail "$SUB_PORT" "port $SUB_PORT" auth-fail
cap swaks-auth-ok.txt "$V_SWAKS" "port $SUB_PORT; relays to example.org once authenticated" $SWAKS_SUB \
    --to someone@example.org -tls -a LOGIN -au alice@mx.test.example -ap secret
cap curl-auth-ok.txt "$V_CURL" "port $SUB_PORT" $CURL_SUB --mail-rcpt someone@example.org --upload-file "$MSG" \
    --ssl-reqd -k -u alice@mx.test.example:secret
cap_in msmtp-auth-ok.txt "$V_MSMTP" "port $SUB_PORT" "$MSG" $MSMTP_SUB $TLS_MSMTP --auth=plain \
    --user=alice@mx.test.example --passwordeval="echo secret" someone@example.org
cap_py2 auth-ok "$SUB_PORT" "port $SUB_PORT" auth-ok

# --- AUTH where it is not offered (port 25): 503 5.5.1; swaks refuses by itself ---
cap swaks-auth-not-offered.txt "$V_SWAKS" "swaks stops on its own ('***' line), sends no AUTH" \
    $SWAKS --to alice@test.example -a PLAIN -au alice@mx.test.example -ap secret
cap_py2 auth-not-offered "$SMTP_PORT" "AUTH sent anyway" auth-not-offered
cap_raw raw-auth-not-offered.txt "AUTH sent anyway" auth-not-offered

# --- AUTH in clear text (port 10587 offers AUTH without TLS): 235, a client fault to lint ---
cap swaks-auth-cleartext.txt "$V_SWAKS" "port $PLAIN_AUTH_PORT" $SWAKS_PA --to bob@test.example \
    -a PLAIN -au alice@mx.test.example -ap secret
cap curl-auth-cleartext.txt "$V_CURL" "port $PLAIN_AUTH_PORT" $CURL_PA --mail-rcpt bob@test.example \
    --upload-file "$MSG" -u alice@mx.test.example:secret --login-options AUTH=PLAIN
cap_in msmtp-auth-cleartext.txt "$V_MSMTP" "port $PLAIN_AUTH_PORT" "$MSG" $MSMTP_PA --tls=off --auth=plain \
    --user=alice@mx.test.example --passwordeval="echo secret" bob@test.example
cap_py2 auth-cleartext "$PLAIN_AUTH_PORT" "port $PLAIN_AUTH_PORT; AUTH PLAIN" auth-plain-cleartext
cap_py2 auth-cram-md5 "$PLAIN_AUTH_PORT" "port $PLAIN_AUTH_PORT; login() picks CRAM-MD5: 334 challenge, no password on the wire" auth-cram-cleartext

# --- oversize message: 552 5.3.4 Message size exceeds fixed limit ---
cap swaks-oversize.txt "$V_SWAKS" "no SIZE= parameter: refused after the dot" \
    $SWAKS --to alice@test.example --body "@$BIGBODY"
cap curl-oversize.txt "$V_CURL" "curl sends SIZE=: refused at MAIL" \
    $CURL --mail-rcpt alice@test.example --upload-file "$BIG"
cap_in msmtp-oversize.txt "$V_MSMTP" "stdout line-buffered (stdbuf -oL): msmtp's error lines come where they happen, as on a terminal" "$BIG" \
    stdbuf -oL $MSMTP --auth=off --tls=off alice@test.example
cap_in msmtp-oversize-spliced.txt "$V_MSMTP" "plain 2>&1 into a file: stdout is block-buffered, so msmtp's stderr lines are spliced into the middle of a '-->' data line" "$BIG" \
    $MSMTP --auth=off --tls=off alice@test.example
cap_py2 oversize "$SMTP_PORT" "smtplib sends SIZE=: refused at MAIL" oversize

# --- MAIL FROM with SIZE=999999999 ---
cap_py2 size-param "$SMTP_PORT" "" size-param
cap_raw raw-size-param.txt "" size-param

# --- VRFY / EXPN / HELP / NOOP / RSET ---
cap_py2 vrfy-expn-help "$SMTP_PORT" "VRFY alice, VRFY carol, EXPN, HELP, NOOP, RSET" vrfy-expn-help
cap_raw raw-vrfy-expn-help.txt "NOOP and HELP before EHLO, then VRFY, EXPN, RSET" vrfy-expn-help
cap curl-vrfy.txt "$V_CURL" "no upload and one --mail-rcpt: curl sends VRFY" $CURL --mail-rcpt alice
cap curl-expn.txt "$V_CURL" "" curl -sS -v --max-time 10 "smtp://$HOST:$SMTP_PORT/client.test.example" \
    --mail-rcpt alice -X EXPN
cap curl-help.txt "$V_CURL" "" curl -sS -v --max-time 10 "smtp://$HOST:$SMTP_PORT/client.test.example" -X HELP
cap curl-noop.txt "$V_CURL" "" curl -sS -v --max-time 10 "smtp://$HOST:$SMTP_PORT/client.test.example" -X NOOP
cap curl-rset.txt "$V_CURL" "" curl -sS -v --max-time 10 "smtp://$HOST:$SMTP_PORT/client.test.example" -X RSET

# --- an unknown command ---
cap_py2 bad-command "$SMTP_PORT" "FOO bar" bad-command
cap_raw raw-bad-command.txt "FOO bar" bad-command
cap curl-bad-command.txt "$V_CURL" "" curl -sS -v --max-time 10 "smtp://$HOST:$SMTP_PORT/client.test.example" -X FOO

# --- commands out of order (the server refuses them correctly: client faults) ---
cap_raw raw-out-of-order.txt "RCPT before EHLO, RCPT before MAIL, DATA before RCPT, nested MAIL" out-of-order

# --- early QUIT ---
cap swaks-early-quit.txt "$V_SWAKS" "" $SWAKS --to alice@test.example --quit-after MAIL
cap_py2 early-quit "$SMTP_PORT" "QUIT after MAIL" early-quit
cap_raw raw-early-quit.txt "QUIT after MAIL" early-quit

# --- HELO instead of EHLO ---
cap swaks-helo.txt "$V_SWAKS" "" $SWAKS --to bob@test.example --protocol SMTP
cap_py2 helo "$SMTP_PORT" "" helo

# --- dot stuffing in the body ---
cap swaks-dotstuff.txt "$V_SWAKS" "body lines starting with '.'" $SWAKS --to alice@test.example --body "@$DOTBODY"
cap_py2 dotstuff "$SMTP_PORT" "body lines starting with '.'" dotstuff

# --- several sessions in one file ---
f=swaks-multi-session.txt
{ timeout 30 $SWAKS --to alice@test.example 2>&1 || true; timeout 30 $SWAKS --to carol@test.example 2>&1 || true; } \
    > "$OUT/$f" < /dev/null
entry "$f" "$V_SWAKS" "($SWAKS --to alice@test.example; $SWAKS --to carol@test.example) > $f 2>&1" "two sessions appended"
echo "  $OUT/$f"
f=smtplib-multi-session.txt
{ timeout 30 $PYC --port "$SMTP_PORT" deliver || true; timeout 30 $PYC --port "$SMTP_PORT" mixed-rcpt || true; } \
    2> "$OUT/$f" > /dev/null
entry "$f" "$V_PY, debuglevel 1" "(pyclient.py deliver; pyclient.py mixed-rcpt) 2> $f" "two sessions appended"
echo "  $OUT/$f"
f=raw-multi-session.txt
: > "$OUT/$f"
for sc in pipelining bad-command early-quit; do
    timeout 30 $RAW "$sc" >> "$OUT/$f" || true
done
entry "$f" "tests/live/rawclient.py" "for sc in pipelining bad-command early-quit; do rawclient.py \$sc; done > $f" "three sessions appended"
echo "  $OUT/$f"

# --- RFC-style C:/S: conversions of swaks captures ---
to_rfc swaks-deliver.txt rfc-deliver.txt
to_rfc swaks-mixed-rcpt.txt rfc-mixed-rcpt.txt
to_rfc swaks-pipelining.txt rfc-pipelining.txt
to_rfc swaks-starttls.txt rfc-starttls.txt
to_rfc swaks-auth-fail.txt rfc-auth-fail.txt
to_rfc swaks-multi-session.txt rfc-multi-session.txt

# ============================== logs ===============================================================
SESSIONS=$(count_sessions)
if [ -r "$LOG3164" ] || [ -r "$LOG3339" ]; then
    wait_log "$LOG3164" "$OFF3164" "$SESSIONS"
    wait_log "$LOG3339" "$OFF3339" "$SESSIONS"
    sleep 1   # let qmgr/local finish the last deliveries
    if [ -r "$LOG3339" ]; then
        log_slice "$LOG3339" "$OFF3339" "$OUT/postfix-3339.log"
        entry postfix-3339.log "$V_RSYSLOG" \
            "(slice of $LOG3339 during this run)" "Debian 12 rsyslog default format: RFC 3339 timestamps, all sessions above"
        echo "  $OUT/postfix-3339.log"
    fi
    if [ -r "$LOG3164" ]; then
        log_slice "$LOG3164" "$OFF3164" "$OUT/postfix-3164.log"
        entry postfix-3164.log "$V_RSYSLOG" "(slice of $LOG3164 during this run)" \
            "RSYSLOG_TraditionalFileFormat: RFC 3164 timestamps, the same lines as postfix-3339.log"
        echo "  $OUT/postfix-3164.log"
    fi
fi

# --- a shorter pass with debug_peer_list = 127.0.0.1: the dialogue itself in the log ---
if [ "$(id -u)" = 0 ] && command -v postconf > /dev/null && [ -r "$LOG3164" ] && [ "${NO_DEBUG_PEER:-0}" != 1 ]; then
    postconf -e "debug_peer_list = $HOST"
    DEBUG_ON=1
    postfix reload > /dev/null 2>&1
    sleep 1
    OFFD=$(log_size "$LOG3164")
    D=$TMP/debug
    mkdir -p "$D"
    timeout 30 $SWAKS --to alice@test.example,carol@test.example > "$D/1" 2>&1 || true
    timeout 30 $SWAKS --to bob@test.example -tls > "$D/2" 2>&1 || true
    timeout 30 $RAW --out "$D/3" pipelining || true
    timeout 30 $PYC --port "$SMTP_PORT" vrfy-expn-help > /dev/null 2>&1 || true
    timeout 30 $SWAKS_SUB --to bob@test.example -tls -a PLAIN -au alice@mx.test.example -ap wrong-password > "$D/5" 2>&1 || true
    wait_log "$LOG3164" "$OFFD" 5
    sleep 1
    log_slice "$LOG3164" "$OFFD" "$OUT/postfix-debugpeer.log"
    postconf -e 'debug_peer_list ='
    postfix reload > /dev/null 2>&1
    DEBUG_ON=0
    entry postfix-debugpeer.log "$V_RSYSLOG, RFC 3164" "(slice of $LOG3164 with debug_peer_list = $HOST)" \
        "five sessions: swaks to alice+carol; swaks -tls to bob; rawclient.py pipelining; pyclient.py vrfy-expn-help; swaks on $SUB_PORT with -tls and a wrong AUTH PLAIN password"
    echo "  $OUT/postfix-debugpeer.log"
fi

# ============================== README.md ===========================================================
{
    echo "# Real SMTP captures"
    echo
    echo "Made by \`tests/live/capture.sh\` on $(date -u +%Y-%m-%d) against Postfix $V_MTA (Debian 12)"
    echo "configured by \`tests/live/setup-postfix.sh\`: myhostname mx.test.example; local users alice"
    echo "and bob; 127.0.0.1:$SMTP_PORT with STARTTLS (smtpd_tls_security_level=may, no AUTH);"
    echo "127.0.0.1:$SUB_PORT submission with TLS required and AUTH after STARTTLS"
    echo "(alice@mx.test.example / secret); 127.0.0.1:$PLAIN_AUTH_PORT AUTH offered without TLS;"
    echo "relaying refused (554 5.7.1), unknown users refused (550 5.1.1), message_size_limit 100000."
    echo "Clients: $V_SWAKS; $V_CURL; $V_MSMTP; $V_PY. All captures are of a conformant server: a"
    echo "server-fault finding on any of them is a false positive (\`tests/live/run.sh\` checks this);"
    echo "client faults (AUTH in clear text, commands out of order, ...) are there on purpose."
    echo
    echo "File names: \`<client>-<scenario>.txt\`; \`smtplib-\` is Python smtplib with set_debuglevel(1),"
    echo "\`smtplib-ts-\` with set_debuglevel(2) (time-stamped lines); \`raw-\` is tests/live/rawclient.py,"
    echo "RFC-style C:/S: lines with the exact wire bytes (CRLF kept); \`rfc-\` is a swaks capture"
    echo "converted to C:/S: by tests/live/swaks2rfc.py. curl and msmtp captures hold stdout and"
    echo "stderr together, as \`2>&1\` gives them."
    echo
    sort "$ENTRIES"
} > "$OUT/README.md"
echo "capture.sh: done ($(grep -c '^- ' "$OUT/README.md") files)"
