#!/bin/bash
# capture-logs.sh — produce real Postfix log lines for smtplint's MTA log adapters by driving
# the Postfix of tests/live/setup-postfix.sh on 127.0.0.1 the way users and bots do: accepted
# mail, unknown users, relay attempts, VRFY, a pipelining client that talks before the
# greeting, a client that hangs up, AUTH with a wrong password over STARTTLS, an oversized
# message.  Keeps the log lines the run wrote:
#
#   tests/live/capture-logs.sh [OUTDIR]       default OUTDIR: testdata/logs
#
#   OUTDIR/postfix-live-3339.log   /var/log/mail.log (rsyslog, RFC 3339 timestamps)
#   OUTDIR/postfix-live-3164.log   /var/log/mail-3164.log (RFC 3164 timestamps)
#
# Every client runs under timeout(1); a refused recipient is the point of several scenarios,
# so client failures do not stop the script.  debug_peer_list is left as it is (empty: the
# log shows what a production server logs).
set -u

OUT=${1:-testdata/logs}
HOST=127.0.0.1
PORT=${SMTP_PORT:-25}
SUB=${SUB_PORT:-587}
L1=/var/log/mail.log
L2=/var/log/mail-3164.log
mkdir -p "$OUT"
for f in "$L1" "$L2"; do
	[ -r "$f" ] || { echo "capture-logs.sh: cannot read $f (run setup-postfix.sh, as root)" >&2; exit 2; }
done
o1=$(stat -c %s "$L1")
o2=$(stat -c %s "$L2")

sw() { timeout 20 swaks --server "$HOST" --timeout 10 "$@" >/dev/null 2>&1 || true; }
raw() {	# raw PYTHON-BYTES: connect, send, read until close
	timeout 15 python3 - "$HOST" "$PORT" "$1" <<'EOF' || true
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=8)
data = eval(sys.argv[3])
for chunk in data:
    if chunk == b"WAIT":
        try:
            s.recv(4096)
        except Exception:
            pass
        continue
    if chunk == b"CLOSE":
        s.close()
        sys.exit(0)
    s.sendall(chunk)
    time.sleep(0.2)
try:
    while s.recv(4096):
        pass
except Exception:
    pass
EOF
}

# accepted
sw -p "$PORT" --from sender@example.org --to alice@test.example
# unknown user, then relay attempt, several recipients in one session
sw -p "$PORT" --from sender@example.org --to carol@test.example
sw -p "$PORT" --from sender@example.org --to someone@example.org
sw -p "$PORT" --from sender@example.org --to alice@test.example,carol@test.example,dave@test.example
# null sender, unknown user
sw -p "$PORT" --from '' --to nobody@test.example
# VRFY
raw '[b"WAIT", b"EHLO client.test.example\r\n", b"WAIT", b"VRFY carol\r\n", b"WAIT", b"QUIT\r\n"]'
# talks before the greeting: "improper command pipelining after CONNECT"
raw '[b"EHLO early.test.example\r\nMAIL FROM:<x@example.org>\r\n", b"WAIT", b"QUIT\r\n"]'
# hangs up after EHLO: "lost connection after EHLO"
raw '[b"WAIT", b"EHLO rude.test.example\r\n", b"WAIT", b"CLOSE"]'
# hangs up at once: "lost connection after CONNECT"
raw '[b"CLOSE"]'
# unknown command, HTTP probe
raw '[b"WAIT", b"GET / HTTP/1.1\r\n", b"WAIT", b"QUIT\r\n"]'
# DATA without recipients
raw '[b"WAIT", b"EHLO c.test.example\r\n", b"WAIT", b"MAIL FROM:<a@example.org>\r\n", b"WAIT", b"RCPT TO:<carol@test.example>\r\n", b"WAIT", b"DATA\r\n", b"WAIT", b"QUIT\r\n"]'
# AUTH with a wrong password after STARTTLS on submission
sw -p "$SUB" -tls --auth PLAIN --auth-user alice@mx.test.example --auth-password wrong \
	--from alice@test.example --to bob@test.example
# oversized message (message_size_limit 100000)
big=$(mktemp)
head -c 150000 /dev/zero | tr '\0' 'x' | fold -w 70 > "$big"
sw -p "$PORT" --from sender@example.org --to alice@test.example --body "@$big"
rm -f "$big"
# SIZE= above the limit: rejected at MAIL
raw '[b"WAIT", b"EHLO s.test.example\r\n", b"WAIT", b"MAIL FROM:<a@example.org> SIZE=500000\r\n", b"WAIT", b"QUIT\r\n"]'

sleep 2	# let syslog write
tail -c +"$((o1 + 1))" "$L1" > "$OUT/postfix-live-3339.log"
tail -c +"$((o2 + 1))" "$L2" > "$OUT/postfix-live-3164.log"
wc -l "$OUT/postfix-live-3339.log" "$OUT/postfix-live-3164.log"
