#!/bin/bash
# capture-exim.sh — real Exim 4 log lines for smtplint's Exim adapter: drives the Exim of
# tests/live/setup-exim.sh on 127.0.0.1 with swaks, msmtp and raw Python clients and keeps
# what Exim logged.
#
#   tests/live/capture-exim.sh [OUTDIR]        default OUTDIR: testdata/logs
#
#   OUTDIR/exim-live-main.log     the run's slice of /var/log/exim4/mainlog (log_selector +all)
#   OUTDIR/exim-live-reject.log   the run's slice of /var/log/exim4/rejectlog
#   OUTDIR/exim-live-syslog.log   the run's slice of /var/log/mail.log: the same entries as
#                                 Exim wrote them to syslog (setup-exim.sh logs to both)
#   OUTDIR/exim-live-debug.log    `exim -d` of a second daemon in the foreground on
#                                 127.0.0.1:$DEBUG_PORT and of Exim as a client delivering to
#                                 refuser.py (SMTP<< / SMTP>> lines among the rest)
#
# Scenarios: accepted mail, unknown user, relay denied, several recipients, oversize (at
# end of data and SIZE= at MAIL), PIPELINING, STARTTLS, AUTH PLAIN/LOGIN good and bad, msmtp
# with TLS and AUTH, synchronization errors (before the greeting; pipelining after HELO, where
# it is not advertised), a lost connection mid-DATA and after EHLO, too many unknown commands,
# protocol errors (bad syntax, RCPT before MAIL, AUTH twice), and deliveries to refuser.py
# that fail (550, 552) or are deferred (451).
#
# Every client runs under timeout(1); refused recipients are the point of several scenarios,
# so client failures do not stop the script.  Needs root (the logs are Debian-exim:adm 640).
set -u

OUT=${1:-testdata/logs}
HERE=$(cd "$(dirname "$0")" && pwd)
HOST=127.0.0.1
PORT=${SMTP_PORT:-25}
DEBUG_PORT=${EXIM_DEBUG_PORT:-2526}
REMOTE_PORT=${EXIM_REMOTE_PORT:-12626}
PY=${PYTHON:-python3}
MAIN=/var/log/exim4/mainlog
REJ=/var/log/exim4/rejectlog
SYSLOG=${SYSLOG_FILE:-/var/log/mail.log}
EXIM=$(command -v exim4 || command -v exim) || { echo "capture-exim.sh: exim not installed" >&2; exit 2; }
mkdir -p "$OUT"
touch "$REJ" 2>/dev/null
for f in "$MAIN" "$REJ"; do
	[ -r "$f" ] || { echo "capture-exim.sh: cannot read $f (run setup-exim.sh, as root)" >&2; exit 2; }
done
o1=$(stat -c %s "$MAIN")
o2=$(stat -c %s "$REJ")
touch "$SYSLOG" 2>/dev/null
o3=$(stat -c %s "$SYSLOG" 2>/dev/null || echo 0)
# shellcheck source=tests/live/clients.sh
. "$HERE/clients.sh"
capture_init

# the remote server for Exim as a client
start_refuser "$REMOTE_PORT" 110

scenarios() {	# all against port $P
	ordinary_mail
	sw --pipeline --from sender@example.org --to bob@test.example,dave@test.example
	sw -tls --from sender@example.org --to bob@test.example
	sw -tls --auth PLAIN --auth-user alice --auth-password secret \
		--from alice@test.example --to someone@example.org
	sw --auth LOGIN --auth-user alice --auth-password wrong \
		--from alice@test.example --to bob@test.example
	sw --from sender@example.org --to alice@test.example --body "@$big"
	ms bob@test.example --tls=on --tls-certcheck=off --auth=plain --user=bob --passwordeval='echo secret'
	ms carol@test.example
	size_at_mail
	early_talker
	helo_pipeliner
	lost_mid_data
	# hangs up after EHLO, and at once
	raw WAIT 'EHLO rude.test.example\r\n' WAIT CLOSE
	raw CLOSE
	# unknown commands until Exim drops the connection (smtp_max_unknown_commands 3)
	http_probe
	# and AUTH twice (Exim drops the client after 3 protocol errors first)
	protocol_errors 'AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n' WAIT 'AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n' WAIT
	vrfy_expn	# no ACL: refused
	# STARTTLS, then a wrong AUTH LOGIN and a good one inside TLS
	raw WAIT 'EHLO t.test.example\r\n' WAIT 'STARTTLS\r\n' WAIT TLS 'EHLO t.test.example\r\n' WAIT \
		'AUTH LOGIN\r\n' WAIT 'Ym9i\r\n' WAIT 'bm9wZQ==\r\n' WAIT 'AUTH LOGIN\r\n' WAIT 'Ym9i\r\n' WAIT \
		'c2VjcmV0\r\n' WAIT 'QUIT\r\n'
	remote_refusals
}

P=$PORT
scenarios

# --- exim -d: a second daemon in the foreground -----------------------------------------------
DBG=$TMP/debug
"$EXIM" -d -bdf -oX "$DEBUG_PORT" -oP "$TMP/debug.pid" 2> "$DBG" &
DPID=$!
wait_port "$DEBUG_PORT" up
P=$DEBUG_PORT
sw --from sender@example.org --to alice@test.example
sw --from sender@example.org --to carol@test.example,someone@example.org
sw --pipeline -tls --auth PLAIN --auth-user alice --auth-password secret \
	--from alice@test.example --to bob@test.example
early_talker
helo_pipeliner
lost_mid_data
protocol_errors 'AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n' WAIT 'AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n' WAIT
vrfy_expn
http_probe
size_at_mail
sw --from sender@example.org --to alice@test.example --body "@$big"
sw --from alice@test.example --to nouser@fail.test.example
sleep 2	# let the deliveries finish
kill "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null

# --- Exim as a client under -d: a local submission delivered at once ----------------------------
printf 'From: alice@test.example\nTo: nouser@fail.test.example\nSubject: debug client\n\nHello.\n' |
	timeout 30 "$EXIM" -d -odf -f alice@test.example nouser@fail.test.example later@fail.test.example \
	ok@fail.test.example >/dev/null 2>> "$DBG" || true

sleep 2	# let the last deliveries and log writes finish
kill "$RPID" 2>/dev/null
tail -c +"$((o1 + 1))" "$MAIN" > "$OUT/exim-live-main.log"
tail -c +"$((o2 + 1))" "$REJ" > "$OUT/exim-live-reject.log"
tail -c +"$((o3 + 1))" "$SYSLOG" > "$OUT/exim-live-syslog.log"
cp "$DBG" "$OUT/exim-live-debug.log"
echo "capture-exim.sh: $("$EXIM" -bV 2>/dev/null | head -1)"
wc -l "$OUT/exim-live-main.log" "$OUT/exim-live-reject.log" "$OUT/exim-live-syslog.log" \
	"$OUT/exim-live-debug.log"
