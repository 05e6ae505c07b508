#!/bin/bash
# capture-opensmtpd.sh — real OpenSMTPD log lines for smtplint's opensmtpd format: drives the
# OpenSMTPD of tests/live/setup-opensmtpd.sh on 127.0.0.1 with swaks, msmtp and raw Python
# clients and keeps what it logged.
#
#   tests/live/capture-opensmtpd.sh [OUTDIR]        default OUTDIR: testdata/logs
#
#   OUTDIR/opensmtpd-live.log         the run's slice of /var/log/mail.log (rsyslog)
#   OUTDIR/opensmtpd-live-trace.log   standard error of `smtpd -d -T smtp` (the daemon in the
#                                     foreground: trace lines and its ordinary log lines)
#
# Scenarios: accepted mail, unknown user, relay denied, several recipients, oversize (at the
# end of the data and SIZE= at MAIL), STARTTLS, AUTH PLAIN/LOGIN after STARTTLS good and bad,
# AUTH before STARTTLS, msmtp with TLS and AUTH, a client that pipelines though PIPELINING is
# not advertised, a client that talks before the greeting, a lost connection mid-DATA and
# after EHLO, unknown commands, protocol errors (RCPT before MAIL, bad syntax, DATA without
# recipients), and relays to refuser.py that fail (550, 552) or are deferred (451).
#
# The daemon is stopped for the trace run and started again afterwards.  Every client runs
# under timeout(1); client failures do not stop the script.  Needs root.
set -u

OUT=${1:-testdata/logs}
HERE=$(cd "$(dirname "$0")" && pwd)
HOST=127.0.0.1
PORT=${SMTP_PORT:-25}
REMOTE_PORT=${SMTPD_REMOTE_PORT:-12627}
PY=${PYTHON:-python3}
LOG=/var/log/mail.log
command -v smtpd >/dev/null && [ -x /usr/sbin/smtpctl ] ||
	{ echo "capture-opensmtpd.sh: OpenSMTPD not installed" >&2; exit 2; }
[ -r "$LOG" ] || { echo "capture-opensmtpd.sh: cannot read $LOG (run setup-opensmtpd.sh, as root)" >&2; exit 2; }
mkdir -p "$OUT"
o1=$(stat -c %s "$LOG")
# shellcheck source=tests/live/clients.sh
. "$HERE/clients.sh"
capture_init

start_refuser "$REMOTE_PORT" 140

AUTH_TLS=(-tls --auth PLAIN --auth-user alice --auth-password secret)
scenarios() {	# all against port $P
	ordinary_mail
	sw -tls --from sender@example.org --to bob@test.example
	sw "${AUTH_TLS[@]}" --from alice@test.example --to bob@test.example
	sw -tls --auth LOGIN --auth-user alice --auth-password wrong \
		--from alice@test.example --to bob@test.example
	sw --from sender@example.org --to alice@test.example --body "@$big"
	ms bob@test.example --tls=on --tls-starttls=on --tls-certcheck=off --auth=plain --user=bob \
		--passwordeval='echo secret'
	ms carol@test.example
	size_at_mail
	# AUTH before STARTTLS (not offered in clear)
	raw WAIT 'EHLO a.test.example\r\n' WAIT 'AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n' WAIT 'QUIT\r\n'
	early_talker
	ehlo_pipeliner
	# hangs up mid-DATA, after EHLO, and at once
	lost_mid_data
	raw WAIT 'EHLO rude.test.example\r\n' WAIT CLOSE
	raw CLOSE
	http_probe
	protocol_errors
	# VRFY, EXPN, HELP, NOOP, RSET
	raw WAIT 'HELO v.test.example\r\n' WAIT 'VRFY alice\r\n' WAIT 'EXPN postmaster\r\n' WAIT \
		'HELP\r\n' WAIT 'NOOP\r\n' WAIT 'RSET\r\n' WAIT 'QUIT\r\n'
	remote_refusals
}
ehlo_pipeliner() {	# pipelines though the EHLO reply has no PIPELINING
	raw WAIT 'EHLO p.test.example\r\n' WAIT \
		'MAIL FROM:<a@example.org>\r\nRCPT TO:<alice@test.example>\r\nDATA\r\n' WAIT \
		'Subject: p\r\n\r\npipelined\r\n.\r\nQUIT\r\n'
}

P=$PORT
scenarios
sleep 3	# let the relays finish

# --- smtpd -d -T smtp: the daemon in the foreground ------------------------------------------
stop_smtpd() {	# stop the daemon started by setup-opensmtpd.sh (its pid file)
	if [ -s /run/smtpd.pid ] && kill -0 "$(cat /run/smtpd.pid)" 2>/dev/null; then
		kill "$(cat /run/smtpd.pid)"
	fi
	wait_port "$PORT" down
}
stop_smtpd
TRACE=$TMP/trace
smtpd -d -T smtp -f /etc/smtpd.conf 2> "$TRACE" &
DPID=$!
wait_port "$PORT" up
sw --from sender@example.org --to alice@test.example
sw --from sender@example.org --to carol@test.example,someone@example.org
sw "${AUTH_TLS[@]}" --from alice@test.example --to bob@test.example
early_talker
ehlo_pipeliner
lost_mid_data
protocol_errors
http_probe
sw --from sender@example.org --to alice@test.example --body "@$big"
sw --from alice@test.example --to nouser@fail.test.example
sleep 3
kill "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null
# the daemon again, as setup-opensmtpd.sh left it
smtpd -f /etc/smtpd.conf
wait_port "$PORT" up
pgrep -o -x smtpd > /run/smtpd.pid || true

sleep 1	# let syslog write
kill "$RPID" 2>/dev/null
tail -c +"$((o1 + 1))" "$LOG" > "$OUT/opensmtpd-live.log"
cp "$TRACE" "$OUT/opensmtpd-live-trace.log"
echo "capture-opensmtpd.sh: OpenSMTPD $(dpkg-query -W -f='${Version}' opensmtpd 2>/dev/null)"
wc -l "$OUT/opensmtpd-live.log" "$OUT/opensmtpd-live-trace.log"
