/*
 * check_patfmt: the formats defined as data (fmt_pattern, rules/formats.yaml:
 * sendmail, opensmtpd) and the Exchange protocol log adapter (fmt_exchange).
 * Line tables feed a few lines to an adapter and compare the events of the
 * last line; every table has lines that almost match.  Broken formats.yaml
 * files must give a diagnostic naming file, line and column.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "fmt_pattern.h"
#include "format.h"
#include "testutil.h"

#define CAP_MAX		12
#define LINES_MAX	6

/* ---- a sink that records events as "KIND|key|text|command|note|flags" */

struct cap {
	char	 ev[CAP_MAX][512];
	int	 n;
};

static const char *
kind_name(enum event_kind k)
{
	static const char *const names[] = { "START", "END", "C", "S", "TLS",
	    "REPLY", "NOTE" };

	return names[k];
}

static void
cap_emit(void *ctx, const struct event *ev)
{
	struct cap *c = ctx;

	if (c->n == CAP_MAX)
		return;
	snprintf(c->ev[c->n++], sizeof(c->ev[0]), "%s|%.*s|%.*s|%.*s|%d|%u",
	    kind_name(ev->kind), (int)ev->keylen, ev->key ? ev->key : "",
	    (int)(ev->kind == EV_LOG_NOTE ? 0 : ev->len),
	    ev->text ? ev->text : "", (int)ev->commandlen,
	    ev->command ? ev->command : "", (int)ev->note, ev->flags);
}

static void *
adapter_new(const struct format_adapter *a)
{
	if (a->new_ctx != NULL)
		return a->new_ctx(a->ctx);
	return a->new ? a->new() : NULL;
}

static int
adapter_probe(const struct format_adapter *a, const char *s)
{
	struct line l;

	memset(&l, 0, sizeof(l));
	l.bytes = s;
	l.len = strlen(s);
	l.eol = EOL_LF;
	return a->probe_ctx ? a->probe_ctx(a->ctx, &l) : a->probe(&l);
}

struct lcase {
	const char	*name;
	const char	*lines[LINES_MAX];	/* only the last one is checked */
	bool		 used;
	const char	*want[CAP_MAX];		/* events of the last line */
};

static void
run_case(const char *format, const struct lcase *tc)
{
	const struct format_adapter *a = format_find(format);
	struct cap c;
	struct event_sink sink = { cap_emit, &c };
	struct line l;
	void *st;
	bool used = false;
	int i;

	ck_assert_msg(a != NULL, "no format %s", format);
	st = adapter_new(a);
	for (i = 0; i < LINES_MAX && tc->lines[i] != NULL; i++) {
		memset(&l, 0, sizeof(l));
		l.no = (unsigned long)i + 1;
		l.bytes = tc->lines[i];
		l.len = strlen(tc->lines[i]);
		l.eol = EOL_LF;
		c.n = 0;
		used = a->line(st, &l, &sink);
	}
	if (a->free)
		a->free(st);
	ck_assert_msg(used == tc->used, "%s: used %d", tc->name, used);
	for (i = 0; tc->want[i] != NULL; i++) {
		ck_assert_msg(i < c.n, "%s: event %d missing (%s)", tc->name,
		    i, tc->want[i]);
		ck_assert_msg(strcmp(c.ev[i], tc->want[i]) == 0,
		    "%s: event %d is\n  %s\nnot\n  %s", tc->name, i, c.ev[i],
		    tc->want[i]);
	}
	ck_assert_msg(c.n == i, "%s: %d events, want %d (extra: %s)",
	    tc->name, c.n, i, c.n > i ? c.ev[i] : "");
}

#define SM	"Nov 22 09:00:03 mx sm-mta[4102]: "
#define SMK	"sendmail mx sm-mta[4102]"

static const struct lcase sendmail_cases[] = {
	{ "check_rcpt", { SM "2AM902aB004102: ruleset=check_rcpt, "
	    "arg1=<b@x.example>, relay=s.example [203.0.113.5] (may be forged), "
	    "reject=550 5.7.1 <b@x.example>... Relaying denied" }, true,
	    { "START|" SMK "|||0|9",
	      "REPLY|" SMK "|550 5.7.1 <b@x.example>... Relaying denied|RCPT|0|1",
	      "END|" SMK "|||0|1" } },
	{ "check_mail", { SM "2AM902aB004102: ruleset=check_mail, "
	    "arg1=<x@y.invalid>, relay=[203.0.113.9], reject=553 5.1.8 "
	    "<x@y.invalid>... Domain of sender address x@y.invalid does not exist" },
	    true, { "START|" SMK "|||0|9", "REPLY|" SMK "|553 5.1.8 "
	    "<x@y.invalid>... Domain of sender address x@y.invalid does not "
	    "exist|MAIL|0|1", "END|" SMK "|||0|1" } },
	{ "check_relay names no command", { SM "ruleset=check_relay, "
	    "arg1=h.example, arg2=127.0.0.2, relay=h.example [198.51.100.7], "
	    "reject=554 5.7.1 listed" }, true,
	    { "START|" SMK "|||0|9", "REPLY|" SMK "|554 5.7.1 listed||0|1",
	      "END|" SMK "|||0|1" } },
	{ "milter data", { SM "2AM906aB004107: Milter: data, reject=554 5.7.1 "
	    "Blocked by SpamAssassin" }, true,
	    { "START|" SMK "|||0|9",
	      "REPLY|" SMK "|554 5.7.1 Blocked by SpamAssassin|END-OF-DATA|0|1",
	      "END|" SMK "|||0|1" } },
	{ "milter to", { SM "2AM906aB004107: Milter: to=<c@example.com>, "
	    "reject=550 5.1.1 Mailbox unavailable" }, true,
	    { "START|" SMK "|||0|9",
	      "REPLY|" SMK "|550 5.1.1 Mailbox unavailable|RCPT|0|1",
	      "END|" SMK "|||0|1" } },
	{ "deferred delivery: a session of its own", { SM "2AM908aB004109: "
	    "to=<d@r.example>, delay=00:00:02, mailer=esmtp, pri=120314, "
	    "relay=mx.r.example. [198.51.100.20], dsn=4.0.0, stat=Deferred: "
	    "451 4.7.1 Greylisted" }, true,
	    { "START|" SMK " 2AM908aB004109|||0|9",
	      "REPLY|" SMK " 2AM908aB004109|451 4.7.1 Greylisted||0|1",
	      "END|" SMK " 2AM908aB004109|||0|1" } },
	{ "pre-greeting traffic", { SM "rejecting commands from [203.0.113.41] "
	    "due to pre-greeting traffic after 0 seconds" }, true,
	    { "START|" SMK "|||0|9", "NOTE|" SMK "|||5|1",
	      "END|" SMK "|||0|1" } },
	{ "lost input channel ends", { SM "2AM902aB004102: lost input channel "
	    "from s.example [203.0.113.5] to MTA after rcpt" }, true,
	    { "END|" SMK "|||0|0" } },
	{ "did not issue ends", { SM "2AM910aB004110: [203.0.113.40] did not "
	    "issue MAIL/EXPN/VRFY/ETRN during connection to MTA" }, true,
	    { "END|" SMK "|||0|0" } },
	/* replies the log implies: formats.yaml's fixed 'reply' (and text) */
	{ "AUTH failure is the 535 sendmail sent; the last relay= counts", {
	    SM "2AM911aB004111: AUTH failure (LOGIN): authentication failure "
	    "(-13) SASL(-13): authentication failure: checkpass failed, "
	    "user=relay=[192.0.2.99], relay=a.example [203.0.113.50] (may be "
	    "forged)" }, true,
	    { "START|" SMK "|||0|9",
	      "REPLY|" SMK "|535 5.7.0 authentication failed|AUTH|0|1",
	      "END|" SMK "|||0|1" } },
	{ "EXPN refused", { SM "2AM912aB004112: [203.0.113.51]: expn root "
	    "[rejected]" }, true,
	    { "START|" SMK "|||0|9", "REPLY|" SMK "|502 5.7.0 Sorry, we do "
	      "not allow this operation|EXPN|0|1", "END|" SMK "|||0|1" } },
	{ "VRFY refused is a 252", { SM "2AM912aB004112: h.example "
	    "[203.0.113.51]: VRFY root [rejected]" }, true,
	    { "START|" SMK "|||0|9", "REPLY|" SMK "|252 2.5.2 Cannot VRFY "
	      "user; try RCPT to attempt delivery (or try finger)|VRFY|0|1",
	      "END|" SMK "|||0|1" } },
	{ "unknown user: the code and the logged text", { SM "2AM913aB004113: "
	    "<nobody@example.com>... User unknown" }, true,
	    { "START|" SMK "|||0|9", "REPLY|" SMK "|550 5.1.1 "
	      "<nobody@example.com>... User unknown|RCPT|0|1",
	      "END|" SMK "|||0|1" } },
	{ "the daemon's process title as its tag", {
	    "Nov 22 09:00:03 mx sm-acceptingconnections[4102]: 2AM902aB004102: "
	    "ruleset=check_rcpt, arg1=<b@x.example>, relay=[203.0.113.5], "
	    "reject=550 5.7.1 <b@x.example>... Relaying denied" }, true,
	    { "START|sendmail mx sm-acceptingconnections[4102]|||0|9",
	      "REPLY|sendmail mx sm-acceptingconnections[4102]|550 5.7.1 "
	      "<b@x.example>... Relaying denied|RCPT|0|1",
	      "END|sendmail mx sm-acceptingconnections[4102]|||0|1" } },
	{ "possible SMTP attack: understood, no reply", { SM "2AM914aB004114: "
	    "[203.0.113.52]: possible SMTP attack: command=AUTH, count=5" },
	    true, { NULL } },
	/* almost */
	{ "another user line is no reply", { SM "2AM913aB004113: "
	    "<nobody@example.com>... Deferred: Connection timed out" }, true,
	    { NULL } },
	{ "AUTH failure without relay=", { SM "2AM911aB004111: AUTH failure "
	    "(LOGIN): authentication failure (-13)" }, true, { NULL } },
	{ "deferred without a code", { SM "2AM908aB004109: to=<f@d.example>, "
	    "mailer=esmtp, dsn=4.0.0, stat=Deferred: Connection refused by "
	    "d.example." }, true, { NULL } },
	{ "user unknown shows no code", { SM "2AM908aB004109: to=<e@r.example>, "
	    "mailer=esmtp, dsn=5.1.1, stat=User unknown" }, true, { NULL } },
	{ "reject= without a code", { SM "2AM902aB004102: ruleset=check_rcpt, "
	    "arg1=<b@x.example>, relay=[203.0.113.5], reject=Relaying denied" },
	    true, { NULL } },
	{ "sent", { SM "2AM901aB004101: to=<b@example.com>, mailer=local, "
	    "dsn=2.0.0, stat=Sent" }, true, { NULL } },
	{ "another program", { "Nov 22 09:00:03 mx CRON[5001]: (root) CMD "
	    "(ruleset=check_rcpt, reject=550 x)" }, false, { NULL } },
	{ "postfix's sendmail is not sm-mta", { "Nov 22 09:00:03 mx "
	    "postfix/sendmail[5001]: fatal: reject=550 x" }, false, { NULL } },
	{ "not syslog", { "ruleset=check_rcpt, arg1=<b@x>, relay=[1.2.3.4], "
	    "reject=550 5.7.1 no" }, false, { NULL } },
};

START_TEST(test_sendmail)
{
	run_case("sendmail", &sendmail_cases[_i]);
}
END_TEST

#define OS	"Nov 22 12:00:03 mx smtpd[48048]: "
#define OSID	"c1a89cb774083905"

static const struct lcase opensmtpd_cases[] = {
	{ "connected", { OS OSID " smtp connected address=203.0.113.64 "
	    "host=<unknown>" }, true,
	    { "START|opensmtpd " OSID "|||0|2" } },
	{ "failed-command after connect", { OS OSID " smtp connected "
	    "address=203.0.113.64 host=<unknown>", OS OSID " smtp failed-command "
	    "command=\"RCPT TO:<i@example.com> \" result=\"550 Invalid recipient: "
	    "<i@example.com>\"" }, true,
	    { "REPLY|opensmtpd " OSID "|550 Invalid recipient: <i@example.com>|"
	      "RCPT TO:<i@example.com> |0|1" } },
	{ "failed-command at connect", { OS OSID " smtp failed-command "
	    "command=\"\" result=\"550 no rDNS please fix\"" }, true,
	    { "REPLY|opensmtpd " OSID "|550 no rDNS please fix|GREETING|0|1" } },
	{ "old event= form", { OS OSID " smtp event=failed-command "
	    "address=192.0.2.1 host=h command=\"DATA\" result=\"451 Try again\"" },
	    true, { "REPLY|opensmtpd " OSID "|451 Try again|DATA|0|1" } },
	{ "bad-input: pipelining", { OS OSID " smtp bad-input result=\"500 "
	    "5.5.1 Invalid command: Pipelining not supported\"" }, true,
	    { "REPLY|opensmtpd " OSID "|500 5.5.1 Invalid command: Pipelining "
	      "not supported||0|1", "NOTE|opensmtpd " OSID "|||2|1" } },
	{ "disconnected", { OS OSID " smtp disconnected reason=quit" }, true,
	    { "END|opensmtpd " OSID "|||0|0" } },
	{ "mta tempfail: a session of its own", { OS "5df87c9ffd0e785d mta "
	    "delivery evpid=3d4c4a424797fe79 from=<a@b> to=<c@d> rcpt=<-> "
	    "source=\"192.0.2.1\" relay=\"198.51.100.27 (mx)\" delay=0s "
	    "result=\"TempFail\" stat=\"421 Service not available\"" }, true,
	    { "START|opensmtpd 5df87c9ffd0e785d 3d4c4a424797fe79|||0|9",
	      "REPLY|opensmtpd 5df87c9ffd0e785d 3d4c4a424797fe79|421 Service "
	      "not available||0|1",
	      "END|opensmtpd 5df87c9ffd0e785d 3d4c4a424797fe79|||0|1" } },
	{ "mta event=delivery (6.0): the remote server's reply", { OS
	    "8f4864084ecc48f4 mta event=delivery evpid=7077717e797a776e "
	    "from=<a@b> to=<c@d> rcpt=<-> source=\"192.0.2.1\" relay=\"198.51."
	    "100.5 (198.51.100.5)\" delay=1s result=\"PermFail\" stat=\"550 "
	    "5.7.1 not sent\"" }, true,
	    { "START|opensmtpd 8f4864084ecc48f4 7077717e797a776e|||0|9",
	      "REPLY|opensmtpd 8f4864084ecc48f4 7077717e797a776e|550 5.7.1 not "
	      "sent||0|1",
	      "END|opensmtpd 8f4864084ecc48f4 7077717e797a776e|||0|1" } },
	{ "trace: complete dialogue", { "smtp: 0x5d1c0a0e2000: STATE_NEW -> "
	    "STATE_CONNECTED", "smtp: 0x5d1c0a0e2000: >>> 220 mx ESMTP OpenSMTPD",
	    "smtp: 0x5d1c0a0e2000: <<< EHLO c.example" }, true,
	    { "C|opensmtpd 0x5d1c0a0e2000|EHLO c.example||0|2" } },
	{ "trace joined late: partial", { "smtp: 0x5d1c0a0e2000: <<< QUIT" },
	    true, { "C|opensmtpd 0x5d1c0a0e2000|QUIT||0|3" } },
	{ "trace joined late: a reply's last line, of no command shown",
	    { "smtp: 0x5d1c0a0e2000: >>> 421 4.3.0 try later" }, true,
	    { "REPLY|opensmtpd 0x5d1c0a0e2000|421 4.3.0 try later||0|3" } },
	{ "5.x delivery lines: understood, nothing to judge",
	    { "smtp-out: Connected on session c3ad904c53f19f93" }, true,
	    { NULL } },
	{ "delivery trace: the remote server's reply, joined late",
	    { "mta: 0xea6710: <<< 554 5.7.1 no service" }, true,
	    { "REPLY|opensmtpd mta: 0xea6710|554 5.7.1 no service||0|3" } },
	{ "delivery trace: OpenSMTPD's command", {
	    "mta: 0xea6710: <<< 220 mx.remote.example ESMTP",
	    "mta: 0xea6710: >>> EHLO out.example" }, true,
	    { "C|opensmtpd mta: 0xea6710|EHLO out.example||0|3" } },
	{ "trace joined late: a reply's other lines wait",
	    { "smtp: 0x5d1c0a0e2000: >>> 250-mx.example Hello" }, true,
	    { NULL } },
	{ "trace: the log's reply beside it counts for the summary", {
	    "smtp: 0x5d1c0a0e2000: <<< RCPT TO:<x@y>",
	    "5df87c9c42abeddb smtp failed-command command=\"RCPT TO:<x@y>\" "
	    "result=\"550 Invalid recipient: <x@y>\"" }, true,
	    { "REPLY|opensmtpd 5df87c9c42abeddb|550 Invalid recipient: <x@y>|"
	      "RCPT TO:<x@y>|0|5" } },
	{ "trace: the id logged at connect names the session greeted next", {
	    "smtp: 0x55870236: STATE_NEW -> STATE_CONNECTED",
	    "82caf8fc21f82893 smtp connected address=127.0.0.1 host=localhost",
	    "smtp: 0x55870236: >>> 220 mx ESMTP OpenSMTPD",
	    "82caf8fc21f82893 smtp disconnected reason=quit" }, true,
	    { "END|opensmtpd 0x55870236|||0|0" } },
	{ "trace: the id's connect starts no session of its own", {
	    "smtp: 0x55870236: STATE_NEW -> STATE_CONNECTED",
	    "82caf8fc21f82893 smtp connected address=127.0.0.1 host=localhost" },
	    true, { NULL } },
	{ "trace: the id's reply goes to the pointer's dialogue", {
	    "smtp: 0x55870236: STATE_NEW -> STATE_CONNECTED",
	    "82caf8fc21f82893 smtp connected address=127.0.0.1 host=localhost",
	    "smtp: 0x55870236: >>> 220 mx ESMTP OpenSMTPD",
	    "smtp: 0x55870236: <<< RCPT TO:<x@y>",
	    "smtp: 0x55870236: >>> 550 Invalid recipient: <x@y>",
	    "82caf8fc21f82893 smtp failed-command command=\"RCPT TO:<x@y>\" "
	    "result=\"550 Invalid recipient: <x@y>\"" }, true,
	    { "REPLY|opensmtpd 0x55870236|550 Invalid recipient: <x@y>|"
	      "RCPT TO:<x@y>|0|4" } },
	{ "trace: two sessions wait, the id goes with the next greeting", {
	    "smtp: 0x1000: STATE_NEW -> STATE_CONNECTED",
	    "smtp: 0x2000: STATE_NEW -> STATE_CONNECTED",
	    "82caf8fc21f82893 smtp connected address=127.0.0.1 host=localhost",
	    "smtp: 0x2000: >>> 220 mx ESMTP OpenSMTPD",
	    "82caf8fc21f82893 smtp disconnected reason=quit" }, true,
	    { "END|opensmtpd 0x2000|||0|0" } },
	{ "trace: the pipelining refusal comes from the log line", {
	    "smtp: 0x55870236: STATE_NEW -> STATE_CONNECTED",
	    "82caf90244ef3122 smtp connected address=127.0.0.1 host=localhost",
	    "smtp: 0x55870236: >>> 220 mx ESMTP OpenSMTPD",
	    "smtp: 0x55870236: >>> 500 5.5.1 Invalid command: Pipelining not "
	    "supported",
	    "82caf90244ef3122 smtp bad-input result=\"500 5.5.1 Invalid command: "
	    "Pipelining not supported\"" }, true,
	    { "REPLY|opensmtpd 0x55870236|500 5.5.1 Invalid command: Pipelining "
	      "not supported||0|0", "NOTE|opensmtpd 0x55870236|||2|0" } },
	{ "trace: the pipelining refusal line itself", {
	    "smtp: 0x55870236: >>> 500 5.5.1 Invalid command: Pipelining not "
	    "supported" }, true, { NULL } },
	{ "trace: message data lines are understood", {
	    "<<< [MSG] Subject: test" }, true, { NULL } },
	{ "trace: end of message", { "<<< [EOM]" }, true, { NULL } },
	{ "trace: mda delivery without syslog header", {
	    "82caf8fd2aa4438c mda delivery evpid=791572beab13e97b from=<a@b> "
	    "to=<c@d> rcpt=<c@d> user=c delay=0s result=Ok stat=Delivered" },
	    true, { NULL } },
	/* almost */
	{ "trace: no session waits: the id's connect is a session", {
	    "smtp: 0x55870236: STATE_NEW -> STATE_CONNECTED",
	    "smtp: 0x55870236: >>> 220 mx ESMTP OpenSMTPD",
	    "82caf8fc21f82893 smtp connected address=127.0.0.1 host=localhost" },
	    true, { "START|opensmtpd 82caf8fc21f82893|||0|2" } },
	{ "almost a message line", { "<<< [MSGX] x" }, false, { NULL } },
	{ "almost end of message", { "<<< [EOM] x" }, false, { NULL } },
	{ "mta ok is not judged", { OS "5df87c9ffd0e785d mta delivery "
	    "evpid=3d4c4a424797fe80 from=<a@b> to=<c@d> rcpt=<-> source=\"x\" "
	    "relay=\"y\" delay=0s result=\"Ok\" stat=\"250 2.0.0 Ok\"" }, true,
	    { NULL } },
	{ "short id", { OS "c1a89cb7 smtp connected address=1.2.3.4 host=h" },
	    true, { NULL } },
	{ "result without a code", { OS OSID " smtp failed-command "
	    "command=\"DATA\" result=\"Try again\"" }, true, { NULL } },
	{ "postfix/smtpd is not smtpd", { "Nov 22 12:00:03 mx postfix/smtpd"
	    "[1]: " OSID " smtp connected address=1.2.3.4 host=h" }, false,
	    { NULL } },
	{ "bare line of nothing known", { "random text smtp here" }, false,
	    { NULL } },
};

START_TEST(test_opensmtpd)
{
	run_case("opensmtpd", &opensmtpd_cases[_i]);
}
END_TEST

#define EXH	"#Log-type: SMTP Receive Protocol Log"
#define EXS	"#Log-type: SMTP Send Protocol Log"
#define EXR	"2026-11-22T10:00:01.101Z,EXCH01\\Default Frontend EXCH01," \
		"08DF0A0000000001,"
#define EXK	"exchange 08DF0A0000000001"

static const struct lcase exchange_cases[] = {
	{ "header", { EXH }, true, { NULL } },
	{ "connect", { EXH, EXR "0,10.0.0.1:25,192.0.2.10:50001,+,," }, true,
	    { "START|" EXK "|||0|2" } },
	{ "receive: > is the server", { EXH, EXR "0,10.0.0.1:25,192.0.2.10:5,+,,",
	    EXR "1,10.0.0.1:25,192.0.2.10:5,>,\"220 EXCH01 Microsoft ESMTP MAIL "
	    "Service ready at Sun, 22 Nov 2026 10:00:01 +0000\"," }, true,
	    { "S|" EXK "|220 EXCH01 Microsoft ESMTP MAIL Service ready at Sun, 22 "
	      "Nov 2026 10:00:01 +0000||0|2" } },
	{ "receive: < is the client, no + seen: partial", { EXH,
	    EXR "3,10.0.0.1:25,192.0.2.10:5,<,EHLO mail.example.org," }, true,
	    { "C|" EXK "|EHLO mail.example.org||0|3" } },
	{ "send: > is the client", { EXS, EXR "3,10.0.0.1:5,1.2.3.4:25,>,"
	    "MAIL FROM:<a@b> SIZE=4," }, true,
	    { "C|" EXK "|MAIL FROM:<a@b> SIZE=4||0|3" } },
	{ "send: < is the server", { EXS, EXR "3,10.0.0.1:5,1.2.3.4:25,<,"
	    "250 2.1.0 Ok," }, true, { "S|" EXK "|250 2.1.0 Ok||0|3" } },
	{ "quoted quotes", { EXH, EXR "3,a,b,>,\"550 5.7.1 \"\"no\"\", "
	    "sorry\"," }, true,
	    { "S|" EXK "|550 5.7.1 \"no\", sorry||0|3" } },
	{ "one-row EHLO reply is split", { EXH, EXR "4,a,b,>,250  EXCH01 Hello "
	    "[192.0.2.10] SIZE 37748736 PIPELINING AUTH NTLM LOGIN X-EXPS "
	    "GSSAPI NTLM 8BITMIME," }, true,
	    { "S|" EXK "|250-EXCH01 Hello [192.0.2.10]||0|3",
	      "S|" EXK "|250-SIZE 37748736||0|3",
	      "S|" EXK "|250-PIPELINING||0|3",
	      "S|" EXK "|250-AUTH NTLM LOGIN||0|3",
	      "S|" EXK "|250-X-EXPS GSSAPI NTLM||0|3",
	      "S|" EXK "|250 8BITMIME||0|3" } },
	{ "TLS after connect", { EXH, EXR "0,a,b,+,,", EXR "9,a,b,*,,TLS "
	    "protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk "
	    "encryption" }, true, { "TLS|" EXK "|||0|0" } },
	{ "disconnect", { EXH, EXR "21,a,b,-,,Local" }, true,
	    { "END|" EXK "|||0|0" } },
	{ "no Log-type: the reply form decides", { EXR "3,a,b,<,221 2.0.0 Bye," },
	    true, { "S|" EXK "|221 2.0.0 Bye||0|3" } },
	{ "one blank, as pasted: two keywords split it", { EXH,
	    EXR "4,a,b,>,250 mx.example Hello [192.0.2.10] SIZE 1000000 HELP "
	    "ENHANCEDSTATUSCODES OK," }, true,
	    { "S|" EXK "|250-mx.example Hello [192.0.2.10]||0|3",
	      "S|" EXK "|250-SIZE 1000000||0|3",
	      "S|" EXK "|250-HELP||0|3",
	      "S|" EXK "|250 ENHANCEDSTATUSCODES OK||0|3" } },
	/* almost */
	{ "two blanks, no keyword: as it is", { EXH, EXR "4,a,b,>,250  ok "
	    "fine," }, true, { "S|" EXK "|250  ok fine||0|3" } },
	{ "one blank, one keyword: as it is", { EXH, EXR "4,a,b,>,250 2.0.0 "
	    "see HELP for more," }, true,
	    { "S|" EXK "|250 2.0.0 see HELP for more||0|3" } },
	{ "one blank, keyword first: as it is", { EXH, EXR "4,a,b,>,250 SIZE "
	    "of it ok," }, true, { "S|" EXK "|250 SIZE of it ok||0|3" } },
	{ "unknown event", { EXH, EXR "4,a,b,?,x," }, false, { NULL } },
	{ "a date, not a row", { "2026-11-22T10:00:01.101Z host prog: x" },
	    false, { NULL } },
	{ "empty session id", { EXH, "2026-11-22T10:00:01.101Z,c,,0,a,b,+,," },
	    false, { NULL } },
};

START_TEST(test_exchange)
{
	run_case("exchange", &exchange_cases[_i]);
}
END_TEST

/* ---- detection */

static const struct {
	const char	*format;
	const char	*line;
	int		 min;		/* the score is at least this, */
	int		 max;		/* at most this */
} probes[] = {
	{ "sendmail", SM "2AM902aB004102: from=<a@b>, size=1, relay=x", 100, 100 },
	{ "sendmail", SM "ruleset=check_relay, arg1=x, relay=y, reject=554 z",
	    100, 100 },
	{ "sendmail", SM "rejecting commands from [203.0.113.41] due to "
	    "pre-greeting traffic after 0 seconds", 100, 100 },
	{ "sendmail", "Nov 22 09:00:03 mx postfix/smtpd[1]: connect from x",
	    0, 0 },
	{ "opensmtpd", OS OSID " smtp connected address=1.2.3.4 host=h", 100, 100 },
	{ "opensmtpd", "smtp: 0x5d1c0a0e2000: >>> 220 mx ESMTP", 100, 100 },
	{ "opensmtpd", OS OSID " smtp event=connected address=1.2.3.4 host=h",
	    100, 100 },
	{ "opensmtpd", OS OSID " mta event=delivery evpid=" OSID " from=<a@b> "
	    "to=<c@d> rcpt=<-> result=\"PermFail\" stat=\"550 x\"", 100, 100 },
	{ "opensmtpd", OS OSID " mta event=x", 0, 0 },
	{ "opensmtpd", "mta: 0xea6710: >>> EHLO out.example", 100, 100 },
	{ "opensmtpd", OS "smtp-out: Connecting to smtp+tls://192.0.2.7:25 "
	    "(mx.example) on session 69738a26af1c7fa5...", 100, 100 },
	{ "opensmtpd", "Nov 22 12:00:03 mx postfix/smtpd[1]: " OSID " smtp "
	    "connected address=1.2.3.4 host=h", 0, 0 },
	{ "exchange", EXH, 150, 150 },
	{ "exchange", EXR "1,a,b,>,220 x,", 60, 60 },
	{ "exchange", "2026-11-22T10:00:01.101Z mx postfix/smtpd[1]: x", 0, 0 },
	{ "postfix", EXR "1,a,b,>,220 x,", 0, 5 },
};

START_TEST(test_probe)
{
	const struct format_adapter *a = format_find(probes[_i].format);
	int sc;

	ck_assert_ptr_nonnull(a);
	sc = adapter_probe(a, probes[_i].line);
	ck_assert_msg(sc >= probes[_i].min && sc <= probes[_i].max,
	    "%s on '%s': %d", probes[_i].format, probes[_i].line, sc);
}
END_TEST

/* ---- formats.yaml: schema errors name file, line and column */

#define GOOD_RULE \
	"    detect:\n      - match: 'x'\n" \
	"    lines:\n      - match: '^(?<key>\\d+) (?<reply>\\d{3} .*)'\n" \
	"        event: reply\n"

static const struct {
	const char	*name;
	const char	*yaml;
	const char	*want;		/* in the diagnostic */
} bad_yaml[] = {
	{ "bad regex", "formats:\n  - name: t\n    description: d\n"
	    "    detect:\n      - match: 'a(b'\n    lines:\n"
	    "      - match: 'x'\n        event: ignore\n",
	    "f.yaml:5:16: error: format 't': detect: the pattern does not "
	    "compile: missing closing parenthesis (at offset 3" },
	{ "unknown key", "formats:\n  - name: t\n    description: d\n"
	    "    colour: red\n" GOOD_RULE,
	    "f.yaml:4:5: error: unknown key 'colour' in a format" },
	{ "unknown key in a line", "formats:\n  - name: t\n    description: d\n"
	    GOOD_RULE "        severity: high\n",
	    "f.yaml:9:9: error: unknown key 'severity' in a lines entry" },
	{ "joins on a reply", "formats:\n  - name: t\n    description: d\n"
	    GOOD_RULE "        joins: true\n",
	    "f.yaml:7:9: error: format 't': 'joins' goes with the event start" },
	{ "missing description", "formats:\n  - name: t\n" GOOD_RULE,
	    "f.yaml:2:5: error: a format: 'description' is missing" },
	{ "missing event", "formats:\n  - name: t\n    description: d\n"
	    "    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: '(?<key>x)'\n",
	    "f.yaml:7:9: error: lines: 'event' is missing" },
	{ "unknown event", "formats:\n  - name: t\n    description: d\n"
	    "    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: '(?<key>x)'\n        event: bounce\n",
	    "f.yaml:8:16: error: format 't': unknown event 'bounce'" },
	{ "reply without a reply group", "formats:\n  - name: t\n"
	    "    description: d\n    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: '(?<key>x)'\n        event: reply\n",
	    "f.yaml:7:16: error: format 't': an event 'reply' needs a group "
	    "named 'reply'" },
	{ "a reply group and a reply", "formats:\n  - name: t\n"
	    "    description: d\n    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: '(?<key>x)(?<reply>y)'\n        event: reply\n"
	    "        reply: '550 no'\n",
	    "f.yaml:7:16: error: format 't': an event 'reply' needs a group "
	    "named 'reply' or a 'reply' (not both)" },
	{ "a reply without a code", "formats:\n  - name: t\n"
	    "    description: d\n    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: '(?<key>x)'\n        event: reply\n"
	    "        reply: 'no such user'\n",
	    "f.yaml:9:16: error: format 't': 'reply' goes with the event reply "
	    "and is a reply such as" },
	{ "a reply on another event", "formats:\n  - name: t\n"
	    "    description: d\n    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: '(?<key>x)'\n        event: end\n"
	    "        reply: '550 no'\n",
	    "f.yaml:9:16: error: format 't': 'reply' goes with the event reply" },
	{ "key names an unknown group", "formats:\n  - name: t\n"
	    "    description: d\n    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: '(?<id>x)'\n        event: end\n        key: [pid]\n",
	    "f.yaml:9:15: error: format 't': 'key': the pattern has no group "
	    "named 'pid'" },
	{ "no key at all", "formats:\n  - name: t\n    description: d\n"
	    "    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: 'x'\n        event: end\n",
	    "f.yaml:7:9: error: format 't': no session key" },
	{ "unknown note", "formats:\n  - name: t\n    description: d\n"
	    "    detect:\n      - match: 'x'\n    lines:\n"
	    "      - match: '(?<key>x)'\n        event: note\n"
	    "        note: spam\n",
	    "f.yaml:9:15: error: format 't': unknown note 'spam'" },
	{ "no lines", "formats:\n  - name: t\n    description: d\n"
	    "    detect:\n      - match: 'x'\n",
	    "f.yaml:2:5: error: format 't': 'lines' must be a non-empty list" },
	{ "built-in name", "formats:\n  - name: postfix\n    description: d\n"
	    GOOD_RULE, "f.yaml:2:11: error: format name 'postfix' is a built-in "
	    "format" },
	{ "bad name", "formats:\n  - name: My Format\n    description: d\n"
	    GOOD_RULE, "f.yaml:2:11: error: format name 'My Format'" },
	{ "bad score", "formats:\n  - name: t\n    description: d\n"
	    "    detect:\n      - match: 'x'\n        score: 500\n    lines:\n"
	    "      - match: '(?<key>x)'\n        event: end\n",
	    "f.yaml:6:16: error: format 't': detect: 'score' must be 1 to 100" },
	{ "not a list", "formats: {}\n",
	    "f.yaml:1:10: error: 'formats' must be a list" },
	{ "broken YAML", "formats:\n  - name: [\n",
	    "f.yaml:3:1: error: YAML:" },
};

START_TEST(test_bad_yaml)
{
	struct tu_stderr cap;
	char *err;
	bool ok;

	fmt_pattern_reset();
	diag_reset();
	tu_stderr_begin(&cap);
	ok = fmt_pattern_load_buffer("f.yaml", bad_yaml[_i].yaml,
	    strlen(bad_yaml[_i].yaml));
	err = tu_stderr_end(&cap);
	ck_assert_msg(!ok, "%s: loaded", bad_yaml[_i].name);
	ck_assert_msg(strstr(err, bad_yaml[_i].want) != NULL,
	    "%s: said\n%s\nwant\n%s", bad_yaml[_i].name, err,
	    bad_yaml[_i].want);
	ck_assert_msg(fmt_pattern_find("t") == NULL, "%s: format kept",
	    bad_yaml[_i].name);
	free(err);
	diag_reset();
	fmt_pattern_reset();
}
END_TEST

/* The embedded formats.yaml loads silently. */
START_TEST(test_embedded)
{
	struct tu_stderr cap;
	char *err;

	fmt_pattern_reset();
	tu_stderr_begin(&cap);
	ck_assert_ptr_nonnull(fmt_pattern_find("sendmail"));
	ck_assert_ptr_nonnull(fmt_pattern_find("opensmtpd"));
	err = tu_stderr_end(&cap);
	ck_assert_msg(err[0] == '\0', "loading formats.yaml said: %s", err);
	free(err);
	ck_assert_ptr_nonnull(format_find("exchange"));
	ck_assert_ptr_null(format_find("nonesuch"));
}
END_TEST

/* --rules DIR: a new format is added and found by detection's registry,
 * one of the same name replaces the embedded one. */
START_TEST(test_load_dir)
{
	static const char yaml[] =
	    "formats:\n"
	    "  - name: sendmail\n"
	    "    description: replaced\n"
	    "    syslog: sm-mta\n"
	    "    detect:\n      - match: '^x'\n"
	    "    lines:\n      - match: '^x'\n        event: ignore\n"
	    "  - name: mymta\n"
	    "    description: my MTA\n"
	    "    prefilter: 'MYMTA '\n"
	    "    detect:\n      - match: '^MYMTA \\d+ (?:open|reject|close)'\n"
	    "    commands: {rcpt: RCPT}\n"
	    "    lines:\n"
	    "      - match: '^MYMTA (?<key>\\d+) open'\n        event: start\n"
	    "      - match: '^MYMTA (?<key>\\d+) reject (?<command>\\w+) "
	    "(?<reply>\\d{3} .*)'\n        prefilter: reject\n"
	    "        event: reply\n"
	    "      - match: '^MYMTA (?<key>\\d+) close'\n        event: end\n";
	const struct format_adapter *a;
	struct lcase tc = { "mymta", { "MYMTA 7 open", "MYMTA 7 reject rcpt "
	    "550 5.1.1 no such user" }, true,
	    { "REPLY|mymta 7|550 5.1.1 no such user|RCPT|0|1" } };
	char *path;
	size_t i, n;

	fmt_pattern_reset();
	path = tu_write_file("formats.yaml", yaml, strlen(yaml));
	free(path);
	ck_assert(fmt_pattern_load_dir(tu_tmpdir()));
	a = format_find("sendmail");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->description, "replaced");
	a = format_find("mymta");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(adapter_probe(a, "MYMTA 7 open"), 100);
	ck_assert_int_eq(adapter_probe(a, "MYMTA x open"), 0);
	run_case("mymta", &tc);
	for (i = n = 0; format_nth(i) != NULL; i++)
		n += strcmp(format_nth(i)->name, "sendmail") == 0;
	ck_assert_uint_eq(n, 1);
	/* No formats.yaml in a directory is fine. */
	ck_assert(fmt_pattern_load_dir(TOP_SRCDIR "/testdata"));
	fmt_pattern_reset();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("patfmt");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_sendmail, 0, TU_NELEM(sendmail_cases));
	tcase_add_loop_test(tc, test_opensmtpd, 0, TU_NELEM(opensmtpd_cases));
	tcase_add_loop_test(tc, test_exchange, 0, TU_NELEM(exchange_cases));
	tcase_add_loop_test(tc, test_probe, 0, TU_NELEM(probes));
	tcase_add_loop_test(tc, test_bad_yaml, 0, TU_NELEM(bad_yaml));
	tcase_add_test(tc, test_embedded);
	tcase_add_test(tc, test_load_dir);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
