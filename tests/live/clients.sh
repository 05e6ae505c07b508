# clients.sh — the client helpers of the MTA log captures (capture-exim.sh,
# capture-opensmtpd.sh); sourced, not run.  Each helper drives the server on $HOST:$P under
# timeout(1) and never fails: a refused recipient is the point of many scenarios.
#
#   sw ARGS...           swaks --server $HOST -p $P ARGS (never --pipe: it hangs)
#   raw STEP...          tests/live/rawsend.py --port $P STEP...
#   ms TO [OPTIONS...]   one message from alice@test.example with msmtp
#   big_body FILE        writes a 150000-byte body (over the 100K limits) into FILE
#   capture_init         a temporary directory TMP and an oversized body $big in it

sw() { timeout 20 swaks --server "$HOST" -p "$P" --timeout 10 "$@" >/dev/null 2>&1 || true; }
raw() { timeout 15 "$PY" "$HERE/rawsend.py" --port "$P" "$@" >/dev/null 2>&1 || true; }
ms() {
	local to=$1
	shift
	printf 'From: alice@test.example\r\nTo: %s\r\nSubject: msmtp\r\n\r\nHello.\r\n' "$to" |
	    timeout 20 msmtp --host="$HOST" --port="$P" --from=alice@test.example "$@" "$to" \
	    >/dev/null 2>&1 || true
}
big_body() { head -c 150000 /dev/zero | tr '\0' 'x' | fold -w 70 > "$1"; }
capture_init() {	# TMP (removed at exit, refuser.py stopped), big: an oversized body
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"; [ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null' EXIT
	big=$TMP/big
	big_body "$big"
}

# Scenarios both capture scripts run (the log lines they give are the point):
ordinary_mail() {	# accepted, unknown user, relay attempt, several recipients, null sender
	sw --from sender@example.org --to alice@test.example
	sw --from sender@example.org --to carol@test.example
	sw --from sender@example.org --to someone@example.org
	sw --from sender@example.org --to alice@test.example,carol@test.example,bob@test.example
	sw --from '' --to nobody@test.example
}
size_at_mail() {	# SIZE= above the size limit: refused at MAIL
	raw WAIT 'EHLO s.test.example\r\n' WAIT 'MAIL FROM:<a@example.org> SIZE=500000\r\n' WAIT 'QUIT\r\n'
}
early_talker() {	# talks before the greeting
	raw 'EHLO early.test.example\r\n' WAIT 'QUIT\r\n'
}
helo_pipeliner() {	# HELO gets no PIPELINING; the client pipelines anyway
	raw WAIT 'HELO p.test.example\r\n' WAIT 'MAIL FROM:<a@example.org>\r\nRCPT TO:<alice@test.example>\r\n' WAIT 'QUIT\r\n'
}
lost_mid_data() {	# hangs up in the middle of the message
	raw WAIT 'EHLO d.test.example\r\n' WAIT 'MAIL FROM:<a@example.org>\r\n' WAIT \
		'RCPT TO:<alice@test.example>\r\n' WAIT 'DATA\r\n' WAIT 'Subject: cut\r\n\r\nhalf a mess' CLOSE
}
http_probe() {		# an HTTP request: four unknown commands
	raw WAIT 'GET / HTTP/1.1\r\n' WAIT 'Host: mx\r\n' WAIT 'User-Agent: x\r\n' WAIT 'Accept: */*\r\n' WAIT 'QUIT\r\n'
}
protocol_errors() {	# RCPT before MAIL, bad syntax, MAIL twice, DATA without recipients, STEPS…
	raw WAIT 'EHLO e.test.example\r\n' WAIT 'RCPT TO:<alice@test.example>\r\n' WAIT \
		'MAIL FROM:<a@example.org\r\n' WAIT 'MAIL FROM:<a@example.org>\r\n' WAIT \
		'MAIL FROM:<b@example.org>\r\n' WAIT 'DATA\r\n' WAIT "$@" 'QUIT\r\n'
}
vrfy_expn() {
	raw WAIT 'EHLO v.test.example\r\n' WAIT 'VRFY alice\r\n' WAIT 'EXPN postmaster\r\n' WAIT 'QUIT\r\n'
}
remote_refusals() {	# relays to refuser.py: refused (550, 552), accepted, deferred (451)
	sw --from alice@test.example --to nouser@fail.test.example
	sw --from alice@test.example --to full@fail.test.example,ok@fail.test.example
	sw --from alice@test.example --to later@fail.test.example
}

start_refuser() {	# start_refuser PORT SECONDS: refuser.py in the background, pid in RPID
	timeout "$(($2 + 10))" "$PY" "$HERE/refuser.py" --port "$1" --max-conn 50 --timeout "$2" &
	RPID=$!
	sleep 0.5
}
wait_port() {		# wait_port PORT up|down: at most 5 s
	local i
	for i in $(seq 1 50); do
		if [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; then
			[ "$2" = up ] && return 0
		else
			[ "$2" = down ] && return 0
		fi
		sleep 0.1
	done
	return 1
}
