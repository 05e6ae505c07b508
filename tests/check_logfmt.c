/*
 * check_logfmt: the MTA log adapters (fmt_postfix, fmt_exim), their shared
 * helpers (logfmt: timestamps, syslog header, --since/--until) and the
 * summary's top-k tables (logstat).  Table-driven; every table has lines
 * that almost match and must not give an event.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "hash.h"
#include "logfmt.h"
#include "logstat.h"
#include "statq.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define CAP_MAX		8

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

	/* An adapter's key hash is the one session.c would make. */
	ck_assert(ev->keyhash == 0 || (ev->key != NULL &&
	    ev->keyhash == hash_key(ev->key, ev->keylen)));

	if (c->n == CAP_MAX)
		return;
	snprintf(c->ev[c->n++], sizeof(c->ev[0]), "%s|%.*s|%.*s|%.*s|%d|%u",
	    kind_name(ev->kind), (int)ev->keylen, ev->key ? ev->key : "",
	    (int)ev->len, ev->text ? ev->text : "", (int)ev->commandlen,
	    ev->command ? ev->command : "", (int)ev->note, ev->flags);
}

/* Feed LINES (NULL-terminated) to adapter A; return the events of the
 * last line joined with '\n', and whether it was understood. */
static void
feed_kind(const struct format_adapter *a, const char *const *lines,
    struct cap *c, bool *used, int *kind)
{
	struct event_sink sink = { cap_emit, c };
	struct line l;
	void *st = a->new ? a->new() : NULL;
	unsigned long no = 0;

	for (; *lines != NULL; lines++) {
		memset(&l, 0, sizeof(l));
		l.no = ++no;
		l.bytes = *lines;
		l.len = strlen(*lines);
		l.full_len = l.len;
		l.eol = EOL_LF;
		c->n = 0;
		*used = a->line(st, &l, &sink);
	}
	if (kind != NULL)
		*kind = a->kind != NULL ? a->kind(st) : FORMAT_KIND_OTHER;
	if (a->free)
		a->free(st);
}

static void
feed(const struct format_adapter *a, const char *const *lines,
    struct cap *c, bool *used)
{
	feed_kind(a, lines, c, used, NULL);
}

static void
expect(const struct cap *c, const char *const *want, const char *name)
{
	int i;

	for (i = 0; want[i] != NULL; i++) {
		ck_assert_msg(i < c->n, "%s: event %d missing (%s)", name, i,
		    want[i]);
		ck_assert_msg(strcmp(c->ev[i], want[i]) == 0,
		    "%s: event %d is\n  %s\nnot\n  %s", name, i, c->ev[i],
		    want[i]);
	}
	ck_assert_msg(c->n == i, "%s: %d events, want %d (extra: %s)", name,
	    c->n, i, c->n > i ? c->ev[i] : "");
}

/* ---- logfmt_time */

static const struct {
	const char	*in;
	bool		 ok;
	long long	 t;		/* -1: local time, not checked */
	size_t		 used;
} times[] = {
	{ "2026-11-22T19:01:02.123456+01:00 host", true, 1795370462, 32 },
	{ "2026-11-22T19:01:02+0100 host", true, 1795370462, 24 },
	{ "2026-11-22T18:01:02Z host", true, 1795370462, 20 },
	{ "2026-11-22T18:01:02.5Z", true, 1795370462, 22 },
	{ "2026-11-22 19:01:02 +0100 1tEXaB", true, 1795370462, 25 },
	{ "2026-11-22 19:01:02 1tEXaB", true, -1, 19 },
	{ "Nov 22 19:01:02 host", true, -1, 15 },
	{ "Nov  2 19:01:02 host", true, -1, 15 },
	/* a day not padded (a collector's rewrite), a day with a zero, and
	 * German month names (journalctl in a German locale) */
	{ "Nov 2 19:01:02 host", true, -1, 14 },
	{ "postfix-mailcow_1    | Nov 22 19:01:02 host", true, -1, 38 },
	{ "mx-1  | 2026-11-22T18:01:02Z host", true, 1795370462, 28 },
	{ "Nov 02 19:01:02 host", true, -1, 15 },
	{ "M\xc3\xa4r 08 20:48:47 host", true, -1, 16 },
	{ "Mai 8 20:48:47 host", true, -1, 14 },
	{ "Okt 31 20:48:47 host", true, -1, 15 },
	{ "Dez  1 20:48:47 host", true, -1, 15 },
	{ "Nov 0 19:01:02 host", false, 0, 0 },
	{ "Nov 2  19:01:02 host", false, 0, 0 },
	{ "Nov 123 19:01:02 host", false, 0, 0 },
	{ "M\xc3\xa4x 08 20:48:47 host", false, 0, 0 },
	/* journalctl -o short-full, -o short-unix */
	{ "Sun 2026-11-22 18:01:02 UTC host", true, 1795370462, 27 },
	{ "Sun 2026-11-22 19:01:02 +0100 host", true, 1795370462, 29 },
	{ "Sun 2026-11-22 19:01:02 CET host", true, -1, 27 },
	{ "1795370462.123456 host", true, 1795370462, 17 },
	/* a collector's "<PRI>", RFC 5424's "<PRI>1 " */
	{ "<22>Nov 22 19:01:02 host", true, -1, 19 },
	{ "<22>1 2026-11-22T18:01:02Z host", true, 1795370462, 26 },
	{ "<192>Nov 22 19:01:02 host", false, 0, 0 },
	{ "<>Nov 22 19:01:02 host", false, 0, 0 },
	/* almost */
	{ "Sun 2026-11-22 19:01:02 host", false, 0, 0 },
	{ "Sun 2026-13-22 19:01:02 UTC host", false, 0, 0 },
	{ "Sun 2026-11-22 19:01:02 CESTXXXXXXX host", false, 0, 0 },
	{ "1795370462 host", false, 0, 0 },
	{ "250 2.0.0 Ok", false, 0, 0 },
	{ "Nox 22 19:01:02 host", false, 0, 0 },
	{ "Nov 22 19:61:02 host", false, 0, 0 },
	{ "2026-13-22T19:01:02Z", false, 0, 0 },
	{ "2026-11-22X19:01:02Z", false, 0, 0 },
	{ "2026-11-22T19:01", false, 0, 0 },
	{ "1tEXaB-0004Xy-Ab <= a", false, 0, 0 },
	{ "", false, 0, 0 },
};

START_TEST(test_time)
{
	long long t = 0;
	size_t used = 0;
	bool ok;

	ok = logfmt_time(times[_i].in, strlen(times[_i].in), &t, &used);
	ck_assert_msg(ok == times[_i].ok, "%s: ok %d", times[_i].in, ok);
	if (!ok)
		return;
	ck_assert_uint_eq(used, times[_i].used);
	if (times[_i].t >= 0)
		ck_assert_msg(t == times[_i].t, "%s: %lld", times[_i].in, t);
}
END_TEST

START_TEST(test_when)
{
	long long a, b, c;

	ck_assert(logfmt_parse_when("2026-11-22T10:00:00Z", false, &a));
	ck_assert(a == 1795341600);
	ck_assert(logfmt_parse_when("2026-11-22", false, &b));
	ck_assert(logfmt_parse_when("2026-11-22", true, &c));
	ck_assert(c - b >= 23 * 3600 && c - b <= 25 * 3600);
	ck_assert(logfmt_parse_when("yesterday", false, &b));
	ck_assert(logfmt_parse_when("yesterday", true, &c));
	ck_assert(c > b);
	ck_assert(logfmt_parse_when("today", false, &c));
	ck_assert(logfmt_parse_when("2026-11-22T10:00", false, &a));
	ck_assert(!logfmt_parse_when("tomorrow", false, &a));
	ck_assert(!logfmt_parse_when("2026-11-22T10", false, &a));
	ck_assert(!logfmt_parse_when("", false, &a));
	/* the range: --until is exclusive */
	ck_assert(logfmt_parse_when("2026-11-22T10:00:00Z", false, &a));
	ck_assert(logfmt_parse_when("2026-11-22T11:00:00Z", true, &b));
	logfmt_set_range(a, b);
	ck_assert(logfmt_has_range());
	ck_assert(!logfmt_is_outside("2026-11-22T10:00:00Z x", 22));
	ck_assert(logfmt_is_outside("2026-11-22T09:59:59Z x", 22));
	ck_assert(logfmt_is_outside("2026-11-22T11:00:00Z x", 22));
	ck_assert(!logfmt_is_outside("no time here", 12));
	logfmt_set_range(-1, -1);
	ck_assert(!logfmt_has_range());
}
END_TEST

/* ---- logfmt_syslog */

static const struct {
	const char	*in;
	const char	*prog;		/* NULL: not a syslog line */
	const char	*key;
	const char	*msg;
} syslogs[] = {
	{ "Nov 22 19:01:02 mx postfix/smtpd[123]: connect from a[1.2.3.4]",
	  "postfix/smtpd", "mx postfix/smtpd[123]", "connect from a[1.2.3.4]" },
	{ "2026-11-22T19:01:02.1+01:00 mx postfix/submission/smtpd[9]: x",
	  "postfix/submission/smtpd", "mx postfix/submission/smtpd[9]", "x" },
	{ "2026-11-22T19:01:02+0100 mx postfix-in/smtpd[9]: y",
	  "postfix-in/smtpd", "mx postfix-in/smtpd[9]", "y" },
	{ "Nov 22 19:01:02 mx dovecot: imap-login: x", "dovecot", "mx dovecot",
	  "imap-login: x" },
	{ "Nov 8 05:26:31 mx postfix/smtpd[9]: x", "postfix/smtpd",
	  "mx postfix/smtpd[9]", "x" },
	/* docker compose logs: the service's name first (v1, v2) */
	{ "postfix-mailcow_1    | Dec 21 22:06:16 mail postfix/smtpd[430]: x",
	  "postfix/smtpd", "mail postfix/smtpd[430]", "x" },
	{ "mailserver-1  | 2026-11-22T19:01:02.1+01:00 mx postfix/smtpd[9]: y",
	  "postfix/smtpd", "mx postfix/smtpd[9]", "y" },
	{ "M\xc3\xa4r 08 20:48:47 web smtpd[88171]: 2cd79d8bacbe2c12 smtp x",
	  "smtpd", "web smtpd[88171]", "2cd79d8bacbe2c12 smtp x" },
	/* no host: a container's log (Mailu, docker logs) */
	{ "2018-08-22T07:30:18.130405545Z postfix/smtp[137]: x",
	  "postfix/smtp", "postfix/smtp[137]", "x" },
	{ "smtp_1       | 2018-08-22T07:30:18.130405545Z postfix/smtp[137]: 7E: y",
	  "postfix/smtp", "postfix/smtp[137]", "7E: y" },
	{ "Nov 22 19:01:02 postfix/smtpd[7]: z", "postfix/smtpd",
	  "postfix/smtpd[7]", "z" },
	/* journalctl -o short-precise, short-full, short-unix */
	{ "Nov 22 19:01:02.123456 mx postfix/smtpd[7]: z", "postfix/smtpd",
	  "mx postfix/smtpd[7]", "z" },
	{ "Sun 2026-11-22 19:01:02 CET mx postfix/smtpd[7]: z",
	  "postfix/smtpd", "mx postfix/smtpd[7]", "z" },
	{ "1795370462.123456 mx postfix/smtpd[7]: z", "postfix/smtpd",
	  "mx postfix/smtpd[7]", "z" },
	/* a collector's priority, RFC 5424, a template's ISO date */
	{ "<22>Nov 22 19:01:02 mx postfix/smtpd[123]: x", "postfix/smtpd",
	  "mx postfix/smtpd[123]", "x" },
	{ "<22>1 2026-11-22T19:01:02.1+01:00 mx postfix/smtpd 77 - - connect from a",
	  "postfix/smtpd", "mx postfix/smtpd 77", "connect from a" },
	{ "<22>1 2026-11-22T19:01:02Z mx postfix/smtpd 77 - [m a=\"x]\\\"y\"][o ip=\"1\"] \xef\xbb\xbfz",
	  "postfix/smtpd", "mx postfix/smtpd 77", "z" },
	{ "<22>1 - mx app - - -", "app", "mx app -", "" },
	{ "2026-11-22 19:01:02 mx postfix/smtpd[77]: y", "postfix/smtpd",
	  "mx postfix/smtpd[77]", "y" },
	{ "2026-11-22 19:01:02.5 +0100 mx dovecot: y", "dovecot", "mx dovecot",
	  "y" },
	/* almost */
	{ "<22>1 2026-11-22T19:01:02Z mx app 1 - [m a=\"]", NULL, NULL, NULL },
	{ "<22>1 2026-11-22T19:01:02Z mx app 1 - x", NULL, NULL, NULL },
	{ "<22>1 2026-11-22T19:01:02Z mx app", NULL, NULL, NULL },
	{ "<192>Nov 22 19:01:02 mx postfix/smtpd[123]: x", NULL, NULL, NULL },
	{ "2026-11-22 19:01:02 Start queue run: pid=1", NULL, NULL, NULL },
	{ "2026-11-22 19:01:02 1tEXaB-0004Xy-Ab H=[192.0.2.1]:25 x", NULL,
	  NULL, NULL },
	{ "2026-11-22 19:01:02 [1234] 1tEXaB-0004Xy-Ab <= a", NULL, NULL, NULL },
	{ "Nov 22 19:01:02. mx postfix/smtpd[7]: z", NULL, NULL, NULL },
	{ "Nov 22 19:01:02.12x mx postfix/smtpd[7]: z", NULL, NULL, NULL },
	{ "Nov 22 19:01:02 mx", NULL, NULL, NULL },
	{ "Nov 22 19:01:02 mx postfix/smtpd[123 connect", NULL, NULL, NULL },
	{ "2026-11-22 19:01:02 1tEXaB-0004Xy-Ab <= a", NULL, NULL, NULL },
	{ "2026-11-22 19:01:02 SMTP connection from [192.0.2.1]:5 x", NULL,
	  NULL, NULL },
	{ "C: EHLO x", NULL, NULL, NULL },
	{ "Nov 22 19:01:02 mx: x", NULL, NULL, NULL },
	{ "postfix_1 |Dec 21 22:06:16 mail postfix/smtpd[430]: x", NULL, NULL,
	  NULL },
	{ "a | b | Dec 21 22:06:16 mail postfix/smtpd[430]: x", NULL, NULL,
	  NULL },
	{ "postfix_1 |  Dec 21 22:06:16 mail postfix/smtpd[430]: x", NULL,
	  NULL, NULL },
	{ "S: 250 x | Dec 21 22:06:16 mail postfix/smtpd[430]: x", NULL, NULL,
	  NULL },
};

START_TEST(test_syslog)
{
	struct logfmt_syslog sl;
	const char *in = syslogs[_i].in;
	bool ok = logfmt_syslog(in, strlen(in), &sl);

	ck_assert_msg(ok == (syslogs[_i].prog != NULL), "%s", in);
	if (!ok)
		return;
	ck_assert_int_eq((int)sl.proglen, (int)strlen(syslogs[_i].prog));
	ck_assert(memcmp(sl.prog, syslogs[_i].prog, sl.proglen) == 0);
	ck_assert_int_eq((int)sl.keylen, (int)strlen(syslogs[_i].key));
	ck_assert(memcmp(sl.key, syslogs[_i].key, sl.keylen) == 0);
	ck_assert_str_eq(sl.msg, syslogs[_i].msg);
}
END_TEST

/* ---- fmt_postfix: the last line's events */

#define PFX	"Nov 22 19:01:02 mx postfix/smtpd[7]: "
#define H16	"hhhhhhhhhhhhhhhh"
#define H64	H16 H16 H16 H16
#define H128	H64 H64
#define K	"mx postfix/smtpd[7]"

static const struct {
	const char	*name;
	const char	*lines[4];
	bool		 used;
	const char	*want[4];
} pf_cases[] = {
	{ "connect", { PFX "connect from a[192.0.2.1]" }, true,
	  { "START|" K "|||0|0" } },
	{ "disconnect", { PFX "disconnect from a[192.0.2.1] ehlo=1 quit=1 commands=2" },
	  true, { "END|" K "|||0|0" } },
	{ "noqueue reject",
	  { PFX "NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 5.1.1 <b@c>: "
	    "Recipient address rejected: User unknown; from=<x@y> to=<b@c> "
	    "proto=ESMTP helo=<a>" }, true,
	  { "REPLY|" K "|550 5.1.1 <b@c>: Recipient address rejected: User unknown|RCPT|0|1" } },
	{ "reject at END-OF-MESSAGE, queue id",
	  { PFX "4Ab3xY5Zz9z1: reject: END-OF-MESSAGE from a[192.0.2.1]: 554 5.7.1 no; from=<x@y> to=<b@c> proto=ESMTP helo=<a>" },
	  true, { "REPLY|" K "|554 5.7.1 no|END-OF-DATA|0|1" } },
	{ "reject at CONNECT: the greeting",
	  { PFX "NOQUEUE: reject: CONNECT from a[192.0.2.1]: 554 5.7.1 go away; proto=SMTP" },
	  true, { "REPLY|" K "|554 5.7.1 go away|GREETING|0|1" } },
	{ "reply with '; ' inside",
	  { PFX "NOQUEUE: reject: RCPT from a[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; from=<x@y> to=<b@c> proto=ESMTP helo=<a>" },
	  true, { "REPLY|" K "|554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org|RCPT|0|1" } },
	{ "reject_warning is no reply",
	  { PFX "NOQUEUE: reject_warning: RCPT from a[192.0.2.1]: 450 4.7.1 x; from=<x@y> to=<b@c> proto=ESMTP helo=<a>" },
	  true, { NULL } },
	{ "reject without a code",
	  { PFX "NOQUEUE: reject: RCPT from a[192.0.2.1]: no code; from=<x@y>" },
	  true, { NULL } },
	{ "postscreen: too many connections is its 421",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: NOQUEUE: reject: CONNECT from [192.0.2.9]:1337: too many connections" },
	  true, { "REPLY|mx postfix/postscreen[8] [192.0.2.9]:1337|421 4.7.0 Error: too many connections|GREETING|0|1" } },
	{ "postscreen: all server ports busy",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: NOQUEUE: reject: CONNECT from [192.0.2.9]:1337: all server ports busy" },
	  true, { "REPLY|mx postfix/postscreen[8] [192.0.2.9]:1337|421 4.3.2 All server ports are busy|GREETING|0|1" } },
	{ "postscreen: all screening ports busy",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: NOQUEUE: reject: CONNECT from [192.0.2.9]:1337: all screening ports busy" },
	  true, { "REPLY|mx postfix/postscreen[8] [192.0.2.9]:1337|421 4.3.2 All screening ports are busy|GREETING|0|1" } },
	{ "postscreen: PASS NEW ends the client's screening session",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: PASS NEW [192.0.2.9]:1337" },
	  true, { "END|mx postfix/postscreen[8] [192.0.2.9]:1337|||0|1" } },
	{ "postscreen: DISCONNECT too",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: DISCONNECT [192.0.2.9]:1337" },
	  true, { "END|mx postfix/postscreen[8] [192.0.2.9]:1337|||0|1" } },
	{ "postscreen: COMMAND PIPELINING, in the client's session",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: COMMAND PIPELINING from [192.0.2.9]:1337 after EHLO: MAIL FROM:<a@b>\\r\\n" },
	  true, { "NOTE|mx postfix/postscreen[8] [192.0.2.9]:1337|Nov 22 19:01:02 mx postfix/postscreen[8]: COMMAND PIPELINING from [192.0.2.9]:1337 after EHLO: MAIL FROM:<a@b>\\r\\n|EHLO|1|1" } },
	{ "postscreen: BARE NEWLINE, in the client's session",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: BARE NEWLINE from [192.0.2.9]:1337 after DATA" },
	  true, { "NOTE|mx postfix/postscreen[8] [192.0.2.9]:1337|Nov 22 19:01:02 mx postfix/postscreen[8]: BARE NEWLINE from [192.0.2.9]:1337 after DATA|DATA|3|1" } },
	{ "postscreen: PREGREET, talk before the greeting",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: PREGREET 11 after 0.1 from [192.0.2.9]:1337: EHLO x\\r\\n" },
	  true, { "NOTE|mx postfix/postscreen[8] [192.0.2.9]:1337|Nov 22 19:01:02 mx postfix/postscreen[8]: PREGREET 11 after 0.1 from [192.0.2.9]:1337: EHLO x\\r\\n||5|1" } },
	{ "postscreen: a line cut after \"from \" is read, not overrun",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: COMMAND PIPELINING from " },
	  true, { "NOTE|mx postfix/postscreen[8] |Nov 22 19:01:02 mx postfix/postscreen[8]: COMMAND PIPELINING from ||1|1" } },
	{ "postscreen: a long host name, the key cut at 128 bytes",
	  { "Nov 22 19:01:02 " H128 "hhhhhhhhhhhhhhhhhhhhhh postfix/postscreen[8]: PASS NEW [192.0.2.9]:1337" },
	  true, { "END|" H128 "|||0|1" } },
	{ "cleanup: a long host name, the key cut at 128 bytes",
	  { "Nov 22 19:01:02 " H64 "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh postfix/cleanup[9]: 5E1F2C0A1B: milter-reject: END-OF-MESSAGE from m.example[192.0.2.9]: 5.7.1 Spam message rejected; from=<a@b> to=<c@d> proto=ESMTP helo=<m>" },
	  true, { "START|" H64 "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh post|||0|9",
	    "REPLY|" H64 "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh post|5.7.1 Spam message rejected|END-OF-DATA|0|1",
	    "END|" H64 "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh post|||0|1" } },
	{ "almost: a busy text with more after it is no reply",
	  { "Nov 22 19:01:02 mx postfix/postscreen[8]: NOQUEUE: reject: CONNECT from [192.0.2.9]:1337: too many connections today" },
	  true, { NULL } },
	{ "pipelining",
	  { PFX "improper command pipelining after CONNECT from a[192.0.2.1]: EHLO x\\r\\n" },
	  true, { "NOTE|" K "|" PFX "improper command pipelining after CONNECT from a[192.0.2.1]: EHLO x\\r\\n|CONNECT|1|1" } },
	{ "counters: DATA without RCPT",
	  { PFX "disconnect from a[192.0.2.1] ehlo=1 mail=1 rcpt=0/1 data=1 commands=3/4" },
	  true, { "NOTE|" K "|" PFX "disconnect from a[192.0.2.1] ehlo=1 mail=1 rcpt=0/1 data=1 commands=3/4||4|1",
	    "END|" K "|||0|0" } },
	{ "counters: DATA with RCPT, data=0/1 (almost)",
	  { PFX "disconnect from a[192.0.2.1] ehlo=1 mail=1 rcpt=0/1 data=0/1 commands=2/4" },
	  true, { "END|" K "|||0|0" } },
	{ "counters: notes=bare_lf, and data= at the end of the line",
	  { PFX "disconnect from a[192.0.2.1] ehlo=1 rcpt=0 notes=x,bare_lf data=2" },
	  true, { "NOTE|" K "|" PFX "disconnect from a[192.0.2.1] ehlo=1 rcpt=0 notes=x,bare_lf data=2||4|1",
	    "NOTE|" K "|" PFX "disconnect from a[192.0.2.1] ehlo=1 rcpt=0 notes=x,bare_lf data=2||3|1",
	    "END|" K "|||0|0" } },
	{ "counters: bare_lf outside notes= (almost)",
	  { PFX "disconnect from bare_lf.example[192.0.2.1] ehlo=1 xnotes=bare_lf quit=1" },
	  true, { "END|" K "|||0|0" } },
	{ "counters: bdat= is not data= (almost)",
	  { PFX "disconnect from a[192.0.2.1] ehlo=1 mail=1 rcpt=1 bdat=2 commands=5" },
	  true, { "END|" K "|||0|0" } },
	{ "SASL failure: the 535 smtpd sends, without the username",
	  { PFX "warning: a[192.0.2.1]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=bob" },
	  true, { "REPLY|" K "|535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6|AUTH|0|1" } },
	{ "SASL library's own warning: used, no event (almost)",
	  { PFX "warning: SASL authentication failure: Password verification failed" },
	  true, { NULL } },
	{ "lost connection: used, no event",
	  { PFX "lost connection after DATA (0 bytes) from a[192.0.2.1]" }, true,
	  { NULL } },
	{ "complete dialogue",
	  { PFX "connect from a[192.0.2.1]", PFX "> a[192.0.2.1]: 220 mx ESMTP",
	    PFX "< a[192.0.2.1]: EHLO x" }, true,
	  { "C|" K "|EHLO x||0|0" } },
	{ "dialogue joined late: a reply's last line, of no command shown",
	  { PFX "> a[192.0.2.1]: 250 2.1.0 Ok" }, true,
	  { "REPLY|" K "|250 2.1.0 Ok||0|1" } },
	{ "dialogue joined late: a reply's other lines wait",
	  { PFX "> a[192.0.2.1]: 250-mx.example" }, true, { NULL } },
	{ "dialogue joined late: no reply without a code",
	  { PFX "> a[192.0.2.1]: 250 2.1.0 Ok", PFX "> a[192.0.2.1]: 2x0 y" },
	  true, { NULL } },
	{ "dialogue joined late: partial",
	  { PFX "> a[192.0.2.1]: 250 2.1.0 Ok", PFX "< a[192.0.2.1]: RCPT TO:<b@c>" },
	  true, { "C|" K "|RCPT TO:<b@c>||0|1" } },
	{ "reject inside a dialogue: summary only",
	  { PFX "connect from a[192.0.2.1]", PFX "> a[192.0.2.1]: 220 mx ESMTP",
	    PFX "NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 5.1.1 no; from=<x@y> to=<b@c> proto=ESMTP helo=<a>" },
	  true, { "REPLY|" K "|550 5.1.1 no|RCPT|0|4" } },
	{ "smtp client bounce",
	  { "Nov 22 19:01:02 mx postfix/smtp[8]: 5E1F2C0A1B: to=<b@c>, relay=m[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host m[192.0.2.9] said: 550 5.1.1 unknown (in reply to RCPT TO command))" },
	  true, { "START|mx postfix/smtp[8] 5E1F2C0A1B|||0|9",
	    "REPLY|mx postfix/smtp[8] 5E1F2C0A1B|550 5.1.1 unknown|RCPT|0|1",
	    "END|mx postfix/smtp[8] 5E1F2C0A1B|||0|1" } },
	{ "smtp: refused to talk, in a status: one ')' is the status's",
	  { "Nov 22 19:01:02 mx postfix/smtp[8]: 5E1F2C0A1B: to=<b@c>, relay=none, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (host m[192.0.2.9] refused to talk to me: 421 busy (try later))" },
	  true, { "START|mx postfix/smtp[8] 5E1F2C0A1B|||0|9",
	    "REPLY|mx postfix/smtp[8] 5E1F2C0A1B|421 busy (try later)|GREETING|0|1",
	    "END|mx postfix/smtp[8] 5E1F2C0A1B|||0|1" } },
	{ "smtp: refused to talk, a line of its own: the reply whole",
	  { "Nov 22 19:01:02 mx postfix/smtp[8]: 5E1F2C0A1B: host m[192.0.2.9] refused to talk to me: 420 Resources unavailable temporarily. Please try later (mta1060.example)" },
	  true, { "START|mx postfix/smtp[8] 5E1F2C0A1B|||0|9",
	    "REPLY|mx postfix/smtp[8] 5E1F2C0A1B|420 Resources unavailable temporarily. Please try later (mta1060.example)|GREETING|0|1",
	    "END|mx postfix/smtp[8] 5E1F2C0A1B|||0|1" } },
	{ "cleanup: a milter's reject, without the reply code",
	  { "Nov 22 19:01:02 mx postfix/cleanup[9]: 5E1F2C0A1B: milter-reject: END-OF-MESSAGE from m.example[192.0.2.9]: 5.7.1 Spam message rejected; from=<a@b> to=<c@d> proto=ESMTP helo=<m>" },
	  true, { "START|mx postfix/cleanup[9] 5E1F2C0A1B|||0|9",
	    "REPLY|mx postfix/cleanup[9] 5E1F2C0A1B|5.7.1 Spam message rejected|END-OF-DATA|0|1",
	    "END|mx postfix/cleanup[9] 5E1F2C0A1B|||0|1" } },
	{ "cleanup: a header check's reject, the reply last",
	  { "Nov 22 19:01:02 mx postfix/cleanup[9]: 5E1F2C0A1B: reject: header Received: from x by y from m.example[192.0.2.9]; from=<a@b> to=<c@d> proto=ESMTP helo=<m>: 5.7.1 No: thanks" },
	  true, { "START|mx postfix/cleanup[9] 5E1F2C0A1B|||0|9",
	    "REPLY|mx postfix/cleanup[9] 5E1F2C0A1B|5.7.1 No: thanks|END-OF-DATA|0|1",
	    "END|mx postfix/cleanup[9] 5E1F2C0A1B|||0|1" } },
	{ "cleanup: milter-discard sends no reply (almost)",
	  { "Nov 22 19:01:02 mx postfix/cleanup[9]: 5E1F2C0A1B: milter-discard: END-OF-MESSAGE from m.example[192.0.2.9]: milter triggers DISCARD action; from=<a@b> to=<c@d> proto=ESMTP helo=<m>" },
	  true, { NULL } },
	{ "cleanup: a reject without an enhanced code (almost)",
	  { "Nov 22 19:01:02 mx postfix/cleanup[9]: 5E1F2C0A1B: milter-reject: END-OF-MESSAGE from m.example[192.0.2.9]: go away; from=<a@b> to=<c@d> proto=ESMTP helo=<m>" },
	  true, { NULL } },
	{ "cleanup: message-id, used, no event",
	  { "Nov 22 19:01:02 mx postfix/cleanup[9]: 5E1F2C0A1B: message-id=<x@y>" }, true, { NULL } },
	{ "smtp client sent: nothing (almost)",
	  { "Nov 22 19:01:02 mx postfix/smtp[8]: 5E1F2C0A1B: to=<b@c>, relay=m[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)" },
	  true, { NULL } },
	{ "lmtp LHLO is EHLO",
	  { "Nov 22 19:01:02 mx postfix/lmtp[8]: 5E1F2C0A1B: to=<b@c>, relay=s[private/x], delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (host s[private/x] said: 421 4.3.0 busy (in reply to LHLO command))" },
	  true, { "START|mx postfix/lmtp[8] 5E1F2C0A1B|||0|9",
	    "REPLY|mx postfix/lmtp[8] 5E1F2C0A1B|421 4.3.0 busy|EHLO|0|1",
	    "END|mx postfix/lmtp[8] 5E1F2C0A1B|||0|1" } },
	{ "qmgr: used", { "Nov 22 19:01:02 mx postfix/qmgr[9]: 5E1F2C0A1B: removed" },
	  true, { NULL } },
	{ "another program: not understood",
	  { "Nov 22 19:01:02 mx dovecot: imap-login: Login: user=<a>" }, false,
	  { NULL } },
	{ "not syslog: not understood", { "C: EHLO x" }, false, { NULL } },
};

START_TEST(test_postfix)
{
	struct cap c;
	bool used = false;

	memset(&c, 0, sizeof(c));
	feed(&fmt_postfix, pf_cases[_i].lines, &c, &used);
	ck_assert_msg(used == pf_cases[_i].used, "%s: used %d",
	    pf_cases[_i].name, used);
	expect(&c, pf_cases[_i].want, pf_cases[_i].name);
}
END_TEST

/* ---- fmt_exim */

#define EX	"2026-11-22 10:01:08 "
#define EXS	"Nov 22 10:01:08 mx exim[1064]: " EX

static const struct {
	const char	*name;
	const char	*line;
	bool		 used;
	const char	*want[4];
} ex_cases[] = {
	{ "remote error after RCPT",
	  EX "1tEXaC-0004Xz-Cd ** d@n R=dnslookup T=remote_smtp H=mx [192.0.2.2]: SMTP error from remote mail server after RCPT TO:<d@n>: 550 5.1.1 unknown",
	  true, { "START|exim 1tEXaC-0004Xz-Cd|||0|9",
	    "REPLY|exim 1tEXaC-0004Xz-Cd|550 5.1.1 unknown|RCPT|0|1",
	    "END|exim 1tEXaC-0004Xz-Cd|||0|9" } },
	{ "remote error after end of data",
	  EX "1tEXaC-0004Xz-Cd == d@n R=dnslookup T=remote_smtp defer (-44) H=mx [192.0.2.2]: SMTP error from remote mail server after end of data: 451 later",
	  true, { "START|exim 1tEXaC-0004Xz-Cd|||0|9",
	    "REPLY|exim 1tEXaC-0004Xz-Cd|451 later|END-OF-DATA|0|1",
	    "END|exim 1tEXaC-0004Xz-Cd|||0|9" } },
	{ "sync error",
	  EX "SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[192.0.2.3] input=\"EHLO\"",
	  true, { "NOTE|exim [192.0.2.3]|" EX "SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[192.0.2.3] input=\"EHLO\"|CONNECT|2|1",
	    "END|exim [192.0.2.3]|||0|0" } },
	{ "sync error naming no client: a session of its own",
	  EX "SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=unknown",
	  true, { "START|exim H=unknown|||0|9",
	    "NOTE|exim H=unknown|" EX "SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=unknown|CONNECT|2|1",
	    "END|exim H=unknown|||0|9" } },
	{ "rejected RCPT: Exim's default code, in the client's connection",
	  EX "H=(x) [192.0.2.4] F=<a@b> rejected RCPT <c@d>: Unrouteable address",
	  true, { "REPLY|exim [192.0.2.4]|550 Unrouteable address|RCPT|0|1" } },
	{ "temporarily rejected: 451",
	  EX "H=(x) [192.0.2.4] F=<a@b> temporarily rejected RCPT <c@d>: greylisted.",
	  true, { "REPLY|exim [192.0.2.4]|451 greylisted.|RCPT|0|1" } },
	{ "rejected with the ACL's own code",
	  EX "H=(x) [192.0.2.4] F=<a@b> rejected RCPT <c@d>: 554 go away",
	  true, { "REPLY|exim [192.0.2.4]|554 go away|RCPT|0|1" } },
	{ "rejected, a code of the other class is text",
	  EX "H=(x) [192.0.2.4] F=<a@b> rejected RCPT <c@d>: 451 later",
	  true, { "REPLY|exim [192.0.2.4]|550 451 later|RCPT|0|1" } },
	{ "rejected EXPN, no reason",
	  EX "H=(v) [127.0.0.1]:49196 I=[127.0.0.1]:25 rejected EXPN postmaster",
	  true, { "REPLY|exim [127.0.0.1]:49196|550 rejected EXPN postmaster|EXPN|0|1" } },
	{ "almost: rejected what Exim never rejects",
	  EX "H=(x) [192.0.2.4] F=<a@b> rejected NOOP",
	  true, { NULL } },
	{ "size at MAIL: 552",
	  EX "[1148] rejected MAIL FROM:<a@example.org> H=(s.test.example) [127.0.0.1]:33898 I=[127.0.0.1]:25: message too big: size=500000 max=102400",
	  true, { "REPLY|exim [127.0.0.1]:33898|552 message too big: size=500000 max=102400|MAIL|0|1" } },
	{ "size at the end of data: 552",
	  EX "[1094] 1xVFJS-0000He-20 rejected from <s@e.org> H=(vm) [127.0.0.1]:33862: message too big: read=152374 max=102400",
	  true, { "REPLY|exim [127.0.0.1]:33862|552 message too big: read=152374 max=102400|END-OF-DATA|0|1" } },
	{ "local_scan() rejects after the data: 550",
	  EX "1xVFJS-0000He-21 F=<s@e.org> H=(vm) [192.0.2.6]:33862 P=esmtp rejected by local_scan(): Rejected: hits=7.5 required=5.0",
	  true, { "REPLY|exim [192.0.2.6]:33862|550 Rejected: hits=7.5 required=5.0|END-OF-DATA|0|1" } },
	{ "local_scan() defers: 451",
	  EX "1xVFJS-0000He-22 F=<s@e.org> H=(vm) [192.0.2.6]:33862 P=esmtp temporarily rejected by local_scan(): try later",
	  true, { "REPLY|exim [192.0.2.6]:33862|451 try later|END-OF-DATA|0|1" } },
	{ "almost: a bounce whose text says rejected by local_scan()",
	  EX "1xVFJS-0000He-23 ** a@b F=<s@e.org> R=dnslookup T=remote_smtp: message rejected by local_scan() elsewhere",
	  true, { NULL } },
	{ "connection start (+smtp_connection, +incoming_port)",
	  EX "[473] SMTP connection from [127.0.0.1]:33798 I=[127.0.0.1]:25 (TCP/IP connection count = 1)",
	  true, { "START|exim [127.0.0.1]:33798|||0|0" } },
	{ "connection end, HELO literal not the address",
	  EX "[1064] SMTP connection from ([127.0.0.1]) [127.0.0.1]:33798 I=[127.0.0.1]:25 closed by QUIT",
	  true, { "END|exim [127.0.0.1]:33798|||0|0" } },
	{ "connection lost, no port",
	  EX "SMTP connection from (ylmf-pc) [203.0.113.9] lost D=3s",
	  true, { "END|exim [203.0.113.9]|||0|0" } },
	{ "almost: connection from no address",
	  EX "SMTP connection from somewhere closed by QUIT",
	  true, { NULL } },
	{ "no MAIL: used, no event",
	  EX "[1091] no MAIL in SMTP connection from (vm) [127.0.0.1]:33846 I=[127.0.0.1]:25 D=0.203s C=EHLO,AUTH,QUIT",
	  true, { NULL } },
	{ "dropped: the end",
	  EX "[1462] SMTP call from [127.0.0.1]:43250 I=[127.0.0.1]:25 dropped: too many unrecognized commands (last was \"Accept: */*\")",
	  true, { "END|exim [127.0.0.1]:43250|||0|0" } },
	{ "unexpected disconnection: the end",
	  EX "[1105] unexpected disconnection while reading SMTP command from (localhost) [127.0.0.1]:33882 I=[127.0.0.1]:25 D=0.002s",
	  true, { "END|exim [127.0.0.1]:33882|||0|0" } },
	{ "unrecognized command: 500",
	  EX "[1462] SMTP syntax error in \"GET / HTTP/1.1\" H=[127.0.0.1]:43250 I=[127.0.0.1]:25 unrecognized command",
	  true, { "REPLY|exim [127.0.0.1]:43250|500 unrecognized command|GET / HTTP/1.1|0|1" } },
	{ "syntax error: 501",
	  EX "SMTP syntax error in \"MAIL FROM:<a@e.org\" H=(e) [127.0.0.1]:5 I=[127.0.0.1]:25 '>' missing at end of address",
	  true, { "REPLY|exim [127.0.0.1]:5|501 '>' missing at end of address|MAIL FROM:<a@e.org|0|1" } },
	{ "protocol error: 503, no +incoming_interface",
	  EX "SMTP protocol error in \"MAIL FROM:<b@e.org>\" H=(e) [192.0.2.5] sender already given",
	  true, { "REPLY|exim [192.0.2.5]|503 sender already given|MAIL FROM:<b@e.org>|0|1" } },
	{ "almost: protocol error without a client",
	  EX "SMTP protocol error in \"AUTH LOGIN\" H=unknown AUTH command used when not advertised",
	  true, { NULL } },
	{ "unqualified VRFY: 501",
	  EX "[1619] unqualified verify rejected: <alice> H=(v.test.example) [127.0.0.1]:49196 I=[127.0.0.1]:25",
	  true, { "REPLY|exim [127.0.0.1]:49196|501 unqualified verify rejected: <alice>|VRFY|0|1" } },
	{ "authenticator failed with +incoming_interface",
	  EX "[1091] login_server authenticator failed for (vm) [127.0.0.1]:33846 I=[127.0.0.1]:25: 535 Incorrect authentication data (set_id=alice)",
	  true, { "REPLY|exim [127.0.0.1]:33846|535 Incorrect authentication data (set_id=alice)|AUTH|0|1" } },
	{ "remote error: the delivery time is not the reply's",
	  EX "1xVFK0-0000RR-2S ** full@f R=fail_remote T=remote_test H=127.0.0.1 [127.0.0.1]:12626 I=[127.0.0.1]:51328: SMTP error from remote mail server after RCPT TO:<full@f>: 552 5.2.2 Mailbox full DT=0.047s",
	  true, { "START|exim 1xVFK0-0000RR-2S|||0|9",
	    "REPLY|exim 1xVFK0-0000RR-2S|552 5.2.2 Mailbox full|RCPT|0|1",
	    "END|exim 1xVFK0-0000RR-2S|||0|9" } },
	{ "delivery: used", EX "1tEXaB-0004Xy-Ab => bob <bob@example.org> R=local_user T=mail_spool",
	  true, { NULL } },
	{ "protocol error: 503", EX "SMTP protocol error in \"AUTH LOGIN\" H=(x) [192.0.2.5] AUTH command used when not advertised",
	  true, { "REPLY|exim [192.0.2.5]|503 AUTH command used when not advertised|AUTH LOGIN|0|1" } },
	{ "debug client line: a process's first starts its session",
	  " 4711 SMTP<< EHLO x", true,
	  { "START|exim-d 4711|||0|0", "C|exim-d 4711|EHLO x||0|0" } },
	{ "debug server line", " 4711 SMTP>> 250 OK", true,
	  { "START|exim-d 4711|||0|0", "S|exim-d 4711|250 OK||0|0" } },
	{ "debug transport line, no pid column: QUIT, no reply awaited",
	  "  SMTP+> QUIT", true,
	  { "START|exim-d |||0|0", "C|exim-d |QUIT||0|16" } },
	{ "debug transport QUIT, no reply awaited", " 4711 SMTP>> QUIT", true,
	  { "START|exim-d 4711|||0|0", "C|exim-d 4711|QUIT||0|16" } },
	{ "debug daemon: the client's QUIT awaits the 221", " 4711 SMTP<< QUIT",
	  true, { "START|exim-d 4711|||0|0", "C|exim-d 4711|QUIT||0|0" } },
	{ "almost: no blank after SMTP<<", " 4711 SMTP<<EHLO x", false, { NULL } },
	{ "almost: other debug output", " 3118 host in helo_verify_hosts? no (option unset)",
	  false, { NULL } },
	{ "almost: a reply line with no reply going on", " 573        250-SIZE 102400",
	  false, { NULL } },
	{ "almost: close of a process never seen", " 3118   SMTP(close)>>", true, { NULL } },
	{ "not exim (almost: no seconds)", "2026-11-22 10:01 x", false, { NULL } },
	/* exim -v: Exim's own lines around the dialogue */
	{ "verbose: a log entry's head", "LOG: MAIN", true, { NULL } },
	{ "verbose: delivering", "delivering 1tEXaB-0004Xy-Ab", true, { NULL } },
	{ "verbose: connecting", "Connecting to mx.example [192.0.2.25]:25 ... "
	  "connected", true, { NULL } },
	{ "verbose: routing", "R: dnslookup for a@example.org", true, { NULL } },
	{ "almost: LOG in lower case", "LOG: main", false, { NULL } },
	{ "almost: delivering no message id", "delivering the goods", false,
	  { NULL } },
	{ "not exim: IIS W3C, an address after the time",
	  "2006-10-09 14:04:46 192.0.2.117 - SMTPSVC1 MX 192.0.2.1 0 RCPT - +x 550 0 32 23 0 SMTP - - - -",
	  false, { NULL } },
	{ "exim: a message id that starts with a digit",
	  EX "1tEXaB-0004Xy-Ab Completed", true, { NULL } },
};

/* The cases are lines of a log with +smtp_connection: a connection start
 * comes first (its events are not compared). */
START_TEST(test_exim)
{
	struct cap c;
	const char *lines[3] = { EX "SMTP connection from [192.0.2.250] "
	    "(TCP/IP connection count = 1)", ex_cases[_i].line, NULL };
	bool used = false;

	memset(&c, 0, sizeof(c));
	feed(&fmt_exim, lines, &c, &used);
	ck_assert_msg(used == ex_cases[_i].used, "%s: used %d",
	    ex_cases[_i].name, used);
	expect(&c, ex_cases[_i].want, ex_cases[_i].name);
}
END_TEST

/* ---- fmt_exim, several lines: the events of the last one */

static const struct {
	const char	*name;
	const char	*lines[4];
	bool		 used;
	const char	*want[4];
} ex_seq[] = {
	{ "reply in its connection",
	  { EX "[473] SMTP connection from [127.0.0.1]:33798 I=[127.0.0.1]:25 (TCP/IP connection count = 1)",
	    EX "[1064] H=(vm) [127.0.0.1]:33798 I=[127.0.0.1]:25 F=<s@e.org> rejected RCPT <c@t.example>: Unrouteable address",
	    NULL },
	  true, { "REPLY|exim [127.0.0.1]:33798|550 Unrouteable address|RCPT|0|1" } },
	{ "sync error ends the connection",
	  { EX "SMTP connection from [127.0.0.1]:43198 I=[127.0.0.1]:25 (TCP/IP connection count = 1)",
	    EX "SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected \"MAIL FROM:<a@e.org>\" H=(p) [127.0.0.1]:43198 I=[127.0.0.1]:25",
	    NULL },
	  true, { "NOTE|exim [127.0.0.1]:43198|" EX "SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected \"MAIL FROM:<a@e.org>\" H=(p) [127.0.0.1]:43198 I=[127.0.0.1]:25||2|1",
	    "END|exim [127.0.0.1]:43198|||0|0" } },
	{ "debug: the next line of a reply",
	  { " 573 SMTP>> 250-mx.test.example Hello vm [127.0.0.1]",
	    " 573        250-SIZE 102400", NULL },
	  true, { "S|exim-d 573|250-SIZE 102400||0|0" } },
	{ "debug: the last line of a reply without pid column is not pid 250",
	  { "  SMTP<< 250-remote.test.example", "         250-8BITMIME",
	    "         250 ENHANCEDSTATUSCODES", NULL },
	  true, { "S|exim-d |250 ENHANCEDSTATUSCODES||0|0" } },
	{ "debug: a reply line at column 0 goes on with the reply before it",
	  { " 4711 SMTP>> 250-mx.example.org Hello", "250 HELP", NULL },
	  true, { "S|exim-d 4711|250 HELP||0|0" } },
	{ "debug: the process closes",
	  { " 3118   SMTP<< 221 2.0.0 Bye", " 3118   SMTP(close)>>", NULL },
	  true, { "END|exim-d 3118|||0|0" } },
	{ "debug: a new connection after the close starts again",
	  { " 3118   SMTP>>(close on process exit)", " 3118 SMTP>> 220 x", NULL },
	  true, { "START|exim-d 3118|||0|0", "S|exim-d 3118|220 x||0|0" } },
	{ "reject log: the header dump after a rejection is used",
	  { EX "1xVFJS-0000He-20 rejected from <s@e.org> H=(vm) [127.0.0.1]:3: message too big: read=1 max=1",
	    "Envelope-from: <s@e.org>", "  Subject: x", NULL },
	  true, { NULL } },
	{ "rejected EHLO with a bad name is 501, not an ACL's 550",
	  { EX "SMTP connection from [127.0.0.1]:50001 I=[127.0.0.1]:25 (TCP/IP connection count = 1)",
	    EX "rejected EHLO from [127.0.0.1]:50001 I=[127.0.0.1]:25: syntactically invalid argument(s): xx_yy",
	    NULL },
	  true, { "REPLY|exim [127.0.0.1]:50001|501 syntactically invalid argument(s): xx_yy|EHLO|0|1" } },
	{ "almost: a header dump with no rejection before it",
	  { EX "1xVFJS-0000He-20 Completed", "Envelope-from: <s@e.org>", NULL },
	  false, { NULL } },
	{ "an entry's indented second line belongs to it",
	  { EX "Warning: purging the environment.",
	    " Suggested action: use keep_environment.", NULL },
	  true, { NULL } },
	{ "syslog: an entry with Exim's timestamp after the header",
	  { EXS "[473] SMTP connection from [127.0.0.1]:33798 I=[127.0.0.1]:25 (TCP/IP connection count = 1)",
	    EXS "[1064] H=(vm) [127.0.0.1]:33798 I=[127.0.0.1]:25 F=<s@e.org> rejected RCPT <c@t.example>: Unrouteable address",
	    NULL },
	  true, { "REPLY|exim [127.0.0.1]:33798|550 Unrouteable address|RCPT|0|1" } },
	{ "syslog: the copy for the reject log is used, not counted again",
	  { EXS "[1064] H=(vm) [127.0.0.1]:3 F=<s@e.org> rejected RCPT <c@t.example>: Unrouteable address",
	    EXS "[1064] H=(vm) [127.0.0.1]:3 F=<s@e.org> rejected RCPT <c@t.example>: Unrouteable address",
	    NULL },
	  true, { NULL } },
	{ "syslog: a reject log entry in parts, the first read",
	  { "Nov 22 10:01:08 mx exim[9]: [1\\3] " EX "[9] 1xVFJS-0000He-20 rejected from <s@e.org> H=(vm) [127.0.0.1]:3: message too big: read=1 max=1",
	    NULL },
	  true, { "START|exim [127.0.0.1]|||0|9",
	    "REPLY|exim [127.0.0.1]|552 message too big: read=1 max=1|END-OF-DATA|0|1",
	    "END|exim [127.0.0.1]|||0|9" } },
	{ "syslog: the later parts are used as they are",
	  { "Nov 22 10:01:08 mx exim[9]: [2\\3] Envelope-from: <s@e.org>",
	    "Nov 22 10:01:08 mx exim[9]: [3/3]   Subject: x", NULL },
	  true, { NULL } },
	{ "syslog: without Exim's timestamp (syslog_timestamp = false)",
	  { "Nov 22 10:01:08 mx exim4[1064]: H=(vm) [127.0.0.1]:3 F=<s@e.org> rejected RCPT <c@t.example>: Unrouteable address",
	    NULL },
	  true, { "START|exim [127.0.0.1]|||0|9",
	    "REPLY|exim [127.0.0.1]|550 Unrouteable address|RCPT|0|1",
	    "END|exim [127.0.0.1]|||0|9" } },
	{ "almost: another program's line in the same syslog",
	  { "Nov 22 10:01:08 mx eximstats[9]: H=(vm) [127.0.0.1]:3 F=<s@e.org> rejected RCPT <c@t.example>: x",
	    NULL },
	  false, { NULL } },
	{ "syslog: part 10 is a later part, not the first",
	  { "Nov 22 10:01:08 mx exim[9]: [10\\12] H=(vm) [127.0.0.1]:3 F=<s@e.org> rejected RCPT <c@t.example>: x",
	    NULL },
	  true, { NULL } },
	{ "almost: an indented line after a line that is not Exim's",
	  { EX "Warning: purging the environment.", "garbage",
	    " Suggested action: use keep_environment.", NULL },
	  false, { NULL } },
};

/* Without +smtp_connection (Exim's default) nothing ends a connection in
 * the log: each rejection is a session of its own, never one left open. */
START_TEST(test_exim_no_conn)
{
	struct cap c;
	const char *rcpt[] = { EX "H=(x) [192.0.2.4] F=<a@b> rejected RCPT "
	    "<c@d>: Unrouteable address", NULL };
	const char *sync[] = { EX "SMTP protocol synchronization error (input "
	    "sent without waiting for greeting): rejected connection from "
	    "H=[192.0.2.3] input=\"EHLO\"", NULL };
	const char *want_rcpt[] = { "START|exim [192.0.2.4]|||0|9",
	    "REPLY|exim [192.0.2.4]|550 Unrouteable address|RCPT|0|1",
	    "END|exim [192.0.2.4]|||0|9", NULL };
	/* (the client is named without its "H=") */
	bool used = false;

	memset(&c, 0, sizeof(c));
	feed(&fmt_exim, rcpt, &c, &used);
	ck_assert(used);
	expect(&c, want_rcpt, "rejected RCPT, no connection lines");
	memset(&c, 0, sizeof(c));
	feed(&fmt_exim, sync, &c, &used);
	ck_assert(used);
	ck_assert_int_ge(c.n, 3);
	ck_assert_msg(strncmp(c.ev[0], "START|", 6) == 0 &&
	    strncmp(c.ev[1], "NOTE|", 5) == 0, "sync error: %s / %s", c.ev[0],
	    c.ev[1]);
}
END_TEST

START_TEST(test_exim_seq)
{
	struct cap c;
	bool used = false;

	memset(&c, 0, sizeof(c));
	feed(&fmt_exim, ex_seq[_i].lines, &c, &used);
	ck_assert_msg(used == ex_seq[_i].used, "%s: used %d",
	    ex_seq[_i].name, used);
	expect(&c, ex_seq[_i].want, ex_seq[_i].name);
}
END_TEST

/* ---- fmt_exim: what an input was (a reject log repeats the main log) */

static int
exim_kind_of(const char *const *lines)
{
	struct cap c;
	bool used;
	int k;

	feed_kind(&fmt_exim, lines, &c, &used, &k);
	return k;
}

START_TEST(test_exim_kind)
{
	const char *reject[] = {
	    EX "H=(x) [192.0.2.4] F=<a@b> rejected RCPT <c@d>: Unrouteable address",
	    EX "1xVFJS-0000He-20 rejected from <s@e.org> H=(vm) [127.0.0.1]:3: message too big: read=1 max=1",
	    "Envelope-from: <s@e.org>", NULL };
	const char *main_log[] = {
	    EX "H=(x) [192.0.2.4] F=<a@b> rejected RCPT <c@d>: Unrouteable address",
	    EX "1tEXaB-0004Xy-Ab <= a@b H=x [192.0.2.1] P=esmtp S=1", NULL };
	const char *conn[] = {
	    EX "SMTP connection from [192.0.2.250] (TCP/IP connection count = 1)",
	    EX "H=(x) [192.0.2.4] F=<a@b> rejected RCPT <c@d>: Unrouteable address",
	    NULL };
	const char *quiet[] = { EX "Start queue run: pid=1", NULL };

	ck_assert_int_eq(exim_kind_of(reject), FORMAT_KIND_EXIM_REJECT);
	ck_assert_int_eq(exim_kind_of(main_log), FORMAT_KIND_EXIM_MAIN);
	ck_assert_int_eq(exim_kind_of(conn), FORMAT_KIND_EXIM_MAIN);
	ck_assert_int_eq(exim_kind_of(quiet), FORMAT_KIND_OTHER);
}
END_TEST

/* ---- probes: each adapter wins its own lines */

START_TEST(test_probe)
{
	struct line l;

	memset(&l, 0, sizeof(l));
	l.bytes = PFX "connect from a[192.0.2.1]";
	l.len = strlen(l.bytes);
	ck_assert_int_eq(fmt_postfix.probe(&l), 100);
	ck_assert_int_le(fmt_exim.probe(&l), 0);
	l.bytes = EX "1tEXaB-0004Xy-Ab <= a@b H=x [192.0.2.1] P=esmtp S=1";
	l.len = strlen(l.bytes);
	ck_assert_int_eq(fmt_exim.probe(&l), 100);
	ck_assert_int_eq(fmt_postfix.probe(&l), 0);
	/* Exim to syslog */
	l.bytes = EXS "1tEXaB-0004Xy-Ab <= a@b H=x [192.0.2.1] P=esmtp S=1";
	l.len = strlen(l.bytes);
	ck_assert_int_eq(fmt_exim.probe(&l), 100);
	ck_assert_int_eq(fmt_postfix.probe(&l), 0);
	l.bytes = "Nov 22 10:01:08 mx dovecot[9]: 1tEXaB-0004Xy-Ab <= a@b H=x";
	l.len = strlen(l.bytes);
	ck_assert_int_le(fmt_exim.probe(&l), 0);
	/* IIS's W3C log has Exim's timestamp, then an address */
	l.bytes = "2006-10-09 14:04:46 192.0.2.117 - SMTPSVC1 MX 192.0.2.1 0 "
	    "RCPT - +x 550 0 32 23 0 SMTP - - - -";
	l.len = strlen(l.bytes);
	ck_assert_int_le(fmt_exim.probe(&l), 0);
}
END_TEST

/* ---- logstat */

static const struct {
	const char	*in;
	const char	*out;
} norms[] = {
	{ "550 5.1.1 <a@b>: Recipient address rejected: User unknown",
	  "550 5.1.1 <*>: Recipient address rejected: User unknown" },
	{ "554 5.7.1 Client host [192.0.2.1] blocked using zen; https://x.example/q?1.2.3.4",
	  "554 5.7.1 Client host [*] blocked using zen; URL" },
	{ "535 Incorrect authentication data (set_id=a@b)",
	  "535 Incorrect authentication data (*)" },
	{ "451 try   again in 300 seconds", "451 try again in N seconds" },
	{ "550 <unterminated", "550 <unterminated" },
	/* long runs (copied sixteen bytes at a time) with every kind of
	 * byte to look at inside and at the edges */
	{ "550 5.7.1 Message rejected because the sender domain has no valid "
	  "records whatsoever, try again",
	  "550 5.7.1 Message rejected because the sender domain has no valid "
	  "records whatsoever, try again" },
	{ "450 4.7.1 Client host rejected: cannot find your hostname,  \t "
	  "double blanks  and tabs\tgo", "450 4.7.1 Client host rejected: "
	  "cannot find your hostname, double blanks and tabs go" },
	{ "550 the hththt host http:/no https://a.example/x)http://b z",
	  "550 the hththt host http:/no URL)URL z" },
	{ "552 message size 12345678 exceeds limit 10240000 bytes, sorry "
	  "folks 7", "552 message size N exceeds limit N bytes, sorry folks N" },
	{ "550 caf\xc3\xa9 \xff\xfe bytes above 0x7f stay\x01\x7f here",
	  "550 caf\xc3\xa9 \xff\xfe bytes above 0x7f stay?? here" },
	/* words of letters and digits: short ones stay, ids become one "*",
	 * numbers alone "N" */
	{ "451 4.7.1 Please come back later. 8ohqT2RI-8ohqQZ6F (in reply)",
	  "451 4.7.1 Please come back later. *-* (in reply)" },
	{ "535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6",
	  "535 5.7.8 Error: authentication failed: *" },
	{ "550 Local mailbox user08@mail.example is unavailable",
	  "550 Local mailbox *@* is unavailable" },
	{ "550 Local mailbox arsenya08@mail.example is unavailable",
	  "550 Local mailbox *@* is unavailable" },
	/* addresses without angle brackets: one form for all */
	{ "451 4.1.8 <Mary.Wilson@d10.example>... Domain of sender address "
	  "Mary.Wilson@d10.example does not resolve",
	  "451 4.1.8 <*>... Domain of sender address *@* does not resolve" },
	{ "451 Greylisted. From: 'mail@sender.tld' To: 'x@y.tld'. Later",
	  "451 Greylisted. From: '*@*' To: '*@*'. Later" },
	{ "550 mailbox a.b+c@x.example.", "550 mailbox *@*." },
	{ "550 see (user=a@b) and [c@d] and mailto:e@f.example",
	  "550 see (*) and [*] and mailto:*@*" },
	{ "550 at @ home, user@ and @host, a@", "550 at @ home, user@ and @host, a@" },
	{ "421 IPv6 x86 30s SHA256 queue 4F2A1B3C9D, 12 tries 1.2.3.4",
	  "421 IPv6 x86 30s SHA256 queue *, N tries N.N.N.N" },
	/* cut at the key's size: said with "..." */
	{ "550 5.7.1 " H64 " " H64, "550 5.7.1 " H64 " hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh..." },
	{ "550 abcdefghijklmno <x@y> abcdefghijklmno [1.2.3.4] abcdefghijklmn"
	  "o (a=b) abcdefghijklmno  p", "550 abcdefghijklmno <*> "
	  "abcdefghijklmno [*] abcdefghijklmno (*) abcdefghijklmno p" },
	{ "421  leading   ", "421 leading" },
	/* a multiline reply flattened (Postfix's "said:"): the repeated
	 * prefixes go, the first reads as a last line's */
	{ "550-5.7.26 This mail is 550-5.7.26 blocked. 550-5.7.26  550 5.7.26 "
	  "See https://x.example/a a1si12 - gsmtp",
	  "550 5.7.26 This mail is blocked. See URL a1si12 - gsmtp" },
	{ "421-4.7.0 Try 421-4.7.0 again 421 4.7.0 later",
	  "421 4.7.0 Try again later" },
	{ "452-too many 452-recipients 452 sent", "452 too many recipients sent" },
	/* near misses: another code or enhanced code, no blank after, a
	 * prefix inside a word, no code at all */
	{ "550-5.7.26 a 550-5.7.1 b 451-5.7.26 c 550-5.7.26x d x550-5.7.26 e",
	  "550 5.7.26 a N-N.N.N b N-N.N.N c N-N.N.26x d x550-N.N.N e" },
	{ "abc-5.7.26 a abc-5.7.26 b", "abc-5.7.26 a abc-N.N.N b" },
	{ "550-5.7.26x a 550-5.7.26x b", "550-5.7.26x a N-N.N.26x b" },
	{ "550-5.7.26", "550 5.7.26" },
};

START_TEST(test_normalise)
{
	char out[LOGSTAT_KEY_MAX + 1];

	logstat_normalise(norms[_i].in, strlen(norms[_i].in), out, sizeof(out));
	ck_assert_str_eq(out, norms[_i].out);
}
END_TEST

START_TEST(test_topk)
{
	static struct logstat ls;	/* large: not on the stack */
	struct event ev;
	char text[64], client[32];
	size_t idx[3], n;
	int i;

	memset(&ls, 0, sizeof(ls));
	ev = event_make(EV_LOG_REPLY, 1);
	/* a heavy hitter among many one-off clients */
	for (i = 0; i < 1000; i++) {
		snprintf(text, sizeof(text), "550 5.1.1 <u%d@d>: unknown", i);
		if (i % 3 == 0)
			snprintf(client, sizeof(client), "bad[192.0.2.1]");
		else
			snprintf(client, sizeof(client), "c%d[198.51.100.%d]", i,
			    i % 250);
		ev.text = text;
		ev.len = strlen(text);
		ev.client = client;
		ev.clientlen = strlen(client);
		ev.rcpt = "<u@d.example>";
		ev.rcptlen = 13;
		logstat_reply(&ls, &ev);
	}
	ev.text = "250 ok";	/* not a rejection */
	ev.len = 6;
	logstat_reply(&ls, &ev);
	ck_assert_uint_eq(ls.rejects, 1000);
	ck_assert_uint_eq(ls.rej.n, 1);
	ck_assert_uint_eq(ls.rej.count[0], 1000);
	n = logstat_top(ls.client.e, ls.client.n, idx, 3);
	ck_assert_uint_eq(n, 3);
	ck_assert(memcmp(ls.client.e[idx[0]].key, "bad[192.0.2.1]", 14) == 0);
	/* space-saving: never below the true count */
	ck_assert_uint_ge(ls.client.e[idx[0]].count, 334);
	ck_assert_uint_le(ls.client.e[idx[0]].count -
	    ls.client.e[idx[0]].err, 334);
	ck_assert_uint_eq(ls.domain.n, 1);
	ck_assert(memcmp(ls.domain.e[0].key, "d.example", 9) == 0);
}
END_TEST

/*
 * statq counts as logstat_reply does in place: the same tables, byte for
 * byte, for rejections that fill many blocks (the ring goes round), with
 * replies that are no rejections, events without client or recipient, and
 * records too large for the queue (counted in place, in their turn: a
 * reply of kilobytes whose <address> only closes at its end).
 */
START_TEST(test_statq)
{
	static struct logstat direct, queued;
	static char big[6000];
	struct statq *q;
	struct event ev;
	char text[96], client[48], rcpt[48];
	int i, round;

	memset(&direct, 0, sizeof(direct));
	memset(&queued, 0, sizeof(queued));
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "550 5.7.1 <", 11);
	big[sizeof(big) - 2] = '>';
	q = statq_new(&queued);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 40000; i++) {
			ev = event_make(EV_LOG_REPLY, (unsigned long)i);
			snprintf(text, sizeof(text), "%d 5.1.%d <u%d@d%d>: no such "
			    "user %d", i % 7 == 0 ? 250 : i % 2 ? 550 : 451,
			    i % 9, i, i % 13, i % 101);
			snprintf(client, sizeof(client), "h%d[192.0.2.%d]",
			    i % 97, i % 251);
			snprintf(rcpt, sizeof(rcpt), "<u%d@D%d.example>", i,
			    i % 71);
			ev.text = text;
			ev.len = strlen(text);
			if (i % 5 != 0) {
				ev.client = client;
				ev.clientlen = strlen(client);
			}
			if (i % 4 != 0) {
				ev.rcpt = rcpt;
				ev.rcptlen = strlen(rcpt);
			}
			if (i % 5000 == 17) {
				ev.text = big;
				ev.len = sizeof(big) - 1;
			}
			logstat_reply(&direct, &ev);
			statq_reply(q, &ev);
		}
		/* counted up to here, and the queue goes on after */
		statq_finish(q);
		ck_assert_uint_eq(queued.rejects, direct.rejects);
		ck_assert(memcmp(&queued, &direct, sizeof(direct)) == 0);
	}
	ck_assert_uint_gt(direct.rejects, 60000);
	/* freed with records not yet counted: they are counted first */
	ev = event_make(EV_LOG_REPLY, 1);
	ev.text = "554 5.7.1 last";
	ev.len = 14;
	logstat_reply(&direct, &ev);
	statq_reply(q, &ev);
	statq_free(q);
	ck_assert(memcmp(&queued, &direct, sizeof(direct)) == 0);
}
END_TEST

/*
 * logfmt_find against the plain definition: the first place where the
 * needle's bytes follow.  Haystacks of two letters, so that first and last
 * bytes match often, of every length around the sixteen-byte steps, each
 * in a buffer of its own size (ASan sees a read past its end).
 */
static const char *
find_slowly(const char *p, size_t len, const char *n, size_t nlen)
{
	size_t i;

	for (i = 0; i + nlen <= len; i++)
		if (memcmp(p + i, n, nlen) == 0)
			return p + i;
	return NULL;
}

START_TEST(test_find)
{
	unsigned x = 7, trial;
	char needle[24];
	size_t len, nlen, i;
	char *hay;
	const char *got, *want;

	for (trial = 0; trial < 20000; trial++) {
		x = x * 1103515245u + 12345u;
		len = (x >> 8) % 70;
		nlen = 1 + (x >> 16) % 9;
		hay = malloc(len + 1);
		ck_assert_ptr_nonnull(hay);
		for (i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			hay[i] = (x >> 20) % 5 == 0 ? 'b' : 'a';
		}
		for (i = 0; i < nlen; i++) {
			x = x * 1103515245u + 12345u;
			needle[i] = (x >> 20) % 5 == 0 ? 'b' : 'a';
		}
		got = logfmt_find(hay, len, needle, nlen);
		want = find_slowly(hay, len, needle, nlen);
		ck_assert_msg(got == want, "trial %u: '%.*s' in '%.*s': at %td, "
		    "want %td", trial, (int)nlen, needle, (int)len, hay,
		    got ? got - hay : -1, want ? want - hay : -1);
		free(hay);
	}
	ck_assert_ptr_null(LOGFMT_FIND("abc", 0, "a"));
	ck_assert_ptr_null(LOGFMT_FIND("ab", 2, "abc"));
}
END_TEST

/* Distinct values of the low BITS bits of the hashes of N keys. */
static size_t
hash_spread(char (*keys)[32], size_t n, unsigned bits)
{
	unsigned char *seen = calloc((size_t)1 << bits, 1);
	size_t i, d = 0;
	uint64_t h;

	ck_assert_ptr_nonnull(seen);
	for (i = 0; i < n; i++) {
		h = hash_bytes(keys[i], strlen(keys[i])) & (((uint64_t)1 <<
		    bits) - 1);
		d += !seen[h];
		seen[h] = 1;
	}
	free(seen);
	return d;
}

/*
 * The tables (sessions, Postfix's direct-mapped states, the summary's)
 * use the low bits of hash_bytes: keys that differ in one byte, at the
 * end (syslog "host prog[pid]" keys), at the start or in a short key,
 * spread over them as random values would (10,000 keys in 65,536 places:
 * about 9,270 distinct; 676 in 4,096: about 622).
 */
START_TEST(test_hash_spread)
{
	static char keys[10000][32];
	size_t i;

	for (i = 0; i < 10000; i++)
		snprintf(keys[i], sizeof(keys[i]), "mx postfix/smtpd[%zu]",
		    10000 + i);
	ck_assert_uint_ge(hash_spread(keys, 10000, 16), 9000);
	for (i = 0; i < 10000; i++)
		snprintf(keys[i], sizeof(keys[i]), "%04zu.example.org", i);
	ck_assert_uint_ge(hash_spread(keys, 10000, 16), 9000);
	for (i = 0; i < 676; i++)
		snprintf(keys[i], sizeof(keys[i]), "%c%c", (int)('a' + i / 26),
		    (int)('a' + i % 26));
	ck_assert_uint_ge(hash_spread(keys, 676, 12), 590);
	for (i = 0; i < 676; i++)
		snprintf(keys[i], sizeof(keys[i]), "ab%c%cx", (int)('a' + i / 26),
		    (int)('a' + i % 26));
	ck_assert_uint_ge(hash_spread(keys, 676, 12), 590);
}
END_TEST

static Suite *
logfmt_suite(void)
{
	Suite *s = suite_create("logfmt");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_time, 0, NELEM(times));
	tcase_add_test(tc, test_when);
	tcase_add_loop_test(tc, test_syslog, 0, NELEM(syslogs));
	tcase_add_loop_test(tc, test_postfix, 0, NELEM(pf_cases));
	tcase_add_loop_test(tc, test_exim, 0, NELEM(ex_cases));
	tcase_add_test(tc, test_exim_no_conn);
	tcase_add_test(tc, test_exim_kind);
	tcase_add_loop_test(tc, test_exim_seq, 0, NELEM(ex_seq));
	tcase_add_test(tc, test_probe);
	tcase_add_loop_test(tc, test_normalise, 0, NELEM(norms));
	tcase_add_test(tc, test_topk);
	tcase_add_test(tc, test_statq);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_hash_spread);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(logfmt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
