/*
 * check_fmt: the transcript format adapters (fmt_rfc, fmt_swaks, fmt_curl,
 * fmt_smtplib, fmt_msmtp) and their helpers.  Line tables feed small
 * transcripts through an adapter and compare every event; the sample
 * captures in testdata/fmt (real output of swaks, curl, python3 smtplib and
 * msmtp against a test server) are counted whole, probed, and read through
 * the real input reader and format detection.  Sample files are looked up
 * under $FMT_TESTDATA, else TOP_SRCDIR/testdata/fmt (set by the Makefile),
 * else testdata/fmt.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "hash.h"
#include "fmt_util.h"
#include "input.h"
#include "stats.h"

#define FMT_NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define FMT_REC_MAX	64		/* events kept for comparison */
#define FMT_REC_TEXT	4096		/* bytes kept of each text */

struct fmt_rec_ev {
	enum event_kind	 kind;
	char		 text[FMT_REC_TEXT];
	size_t		 len;
	enum eol	 eol;
	bool		 has_bare_cr;
	bool		 is_truncated;
	unsigned	 flags;
	unsigned long	 line;
};

struct fmt_rec {
	size_t		 n;			/* events seen */
	size_t		 count[EV_CLOCK + 1];	/* by kind */
	size_t		 hidden;		/* with EVF_DATA_HIDDEN */
	size_t		 lines;
	size_t		 unparsed;
	struct fmt_rec_ev ev[FMT_REC_MAX];
};

static void
fmt_rec_emit(void *ctx, const struct event *ev)
{
	struct fmt_rec		*r = ctx;
	struct fmt_rec_ev	*e;

	/* An adapter's key hash is the one session.c would make. */
	ck_assert(ev->keyhash == 0 || (ev->key != NULL &&
	    ev->keyhash == hash_key(ev->key, ev->keylen)));

	ck_assert_int_le(ev->kind, EV_CLOCK);
	ck_assert(ev->len == 0 || ev->text != NULL);
	r->count[ev->kind]++;
	if (ev->flags & EVF_DATA_HIDDEN)
		r->hidden++;
	if (r->n < FMT_REC_MAX) {
		e = &r->ev[r->n];
		e->kind = ev->kind;
		e->len = ev->len;
		memcpy(e->text, ev->text != NULL ? ev->text : "",
		    ev->len < FMT_REC_TEXT ? ev->len : FMT_REC_TEXT);
		e->eol = ev->eol;
		e->has_bare_cr = ev->has_bare_cr;
		e->is_truncated = ev->is_truncated;
		e->flags = ev->flags;
		e->line = ev->line;
	}
	r->n++;
}

/* Feed one line to adapter A. */
static void
fmt_feed_line(const struct format_adapter *a, void *st, struct fmt_rec *r,
    const struct event_sink *sink, struct line *l)
{
	r->lines++;
	if (!a->line(st, l, sink))
		r->unparsed++;
}

/*
 * Split BUF into lines the way input.c does (LF ends a line, a CR just
 * before it makes it CR LF, other CRs are counted, a last line without LF
 * is EOL_NONE) and feed them to A.
 */
static void
fmt_feed(const struct format_adapter *a, const char *buf, size_t len,
    struct fmt_rec *r)
{
	struct event_sink	 sink = { fmt_rec_emit, r };
	struct line		 l;
	void			*st = a->new != NULL ? a->new() : NULL;
	size_t			 start = 0, i, end, k;
	char			*copy;

	memset(r, 0, sizeof(*r));
	while (start < len) {
		const char *nl = memchr(buf + start, '\n', len - start);

		memset(&l, 0, sizeof(l));
		l.no = r->lines + 1;
		if (nl != NULL) {
			i = (size_t)(nl - buf);
			end = i;
			l.eol = EOL_LF;
			if (end > start && buf[end - 1] == '\r') {
				end--;
				l.eol = EOL_CRLF;
			}
		} else {
			i = len;
			end = len;
			l.eol = EOL_NONE;
		}
		l.len = end - start;
		l.full_len = l.len;
		for (k = start; k < end; k++)
			if (buf[k] == '\r')
				l.bare_cr++;
		copy = malloc(l.len + 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf + start, l.len);
		copy[l.len] = '\0';
		l.bytes = copy;
		fmt_feed_line(a, st, r, &sink, &l);
		free(copy);
		start = i + 1;
	}
	if (a->end != NULL)
		a->end(st, &sink);
	if (a->free != NULL)
		a->free(st);
}

/* Expected events. */
struct fmt_exp {
	enum event_kind	 kind;
	const char	*text;
	size_t		 len;
	enum eol	 eol;
	bool		 has_bare_cr;
	unsigned	 flags;
};

#define FMT_C(s, e)	{ EV_CLIENT, s, sizeof(s) - 1, e, false, 0 }
#define FMT_S(s, e)	{ EV_SERVER, s, sizeof(s) - 1, e, false, 0 }
#define FMT_CR(k, s, e)	{ k, s, sizeof(s) - 1, e, true, 0 }
#define FMT_H(k, s, e)	{ k, s, sizeof(s) - 1, e, false, EVF_DATA_HIDDEN }
#define FMT_START	{ EV_SESSION_START, "", 0, EOL_UNKNOWN, false, 0 }
#define FMT_END		{ EV_SESSION_END, "", 0, EOL_UNKNOWN, false, 0 }
#define FMT_TLS		{ EV_TLS, "", 0, EOL_UNKNOWN, false, 0 }
#define FMT_IN(s)	s, sizeof(s) - 1
#define U		EOL_UNKNOWN
#define M		EOL_MAYBE_LF	/* bare LF before the file showed CR LF */
#define CRLF		EOL_CRLF
#define LF		EOL_LF

struct fmt_case {
	const char			*name;
	const struct format_adapter	*fmt;
	const char			*in;
	size_t				 inlen;
	size_t				 unparsed;
	size_t				 nev;
	struct fmt_exp			 ev[8];
};

static const struct fmt_case fmt_cases[] = {
	/* fmt_rfc */
	{ "rfc client", &fmt_rfc, FMT_IN("C: EHLO x\n"), 0, 1,
	    { FMT_C("EHLO x", M) } },
	{ "rfc server", &fmt_rfc, FMT_IN("S: 250 ok\n"), 0, 1,
	    { FMT_S("250 ok", M) } },
	{ "rfc empty client", &fmt_rfc, FMT_IN("C:\n"), 0, 1,
	    { FMT_C("", M) } },
	{ "rfc empty server", &fmt_rfc, FMT_IN("S:\n"), 0, 1,
	    { FMT_S("", M) } },
	{ "rfc no space", &fmt_rfc, FMT_IN("C:EHLO x\n"), 1, 0, { { 0 } } },
	{ "rfc lower case", &fmt_rfc, FMT_IN("c: EHLO x\ns: 250 ok\n"), 2, 0,
	    { { 0 } } },
	{ "rfc indented", &fmt_rfc, FMT_IN("   S: 220 mx ready\n"), 0, 1,
	    { FMT_S("220 mx ready", M) } },
	{ "rfc one space only", &fmt_rfc, FMT_IN("C:  two\n"), 0, 1,
	    { FMT_C(" two", M) } },
	{ "rfc NUL", &fmt_rfc, FMT_IN("C: MAIL\0FROM\n"), 0, 1,
	    { FMT_C("MAIL\0FROM", M) } },
	{ "rfc crlf file", &fmt_rfc,
	    FMT_IN("C: EHLO x\r\nS: 250 ok\nC: QUIT\r\n"), 0, 3,
	    { FMT_C("EHLO x", CRLF), FMT_S("250 ok", LF),
	    FMT_C("QUIT", CRLF) } },
	{ "rfc lf file", &fmt_rfc, FMT_IN("C: EHLO x\nS: 250 ok\n"), 0, 2,
	    { FMT_C("EHLO x", M), FMT_S("250 ok", M) } },
	{ "rfc bare cr", &fmt_rfc, FMT_IN("C: NOOP\rx\n"), 0, 1,
	    { FMT_CR(EV_CLIENT, "NOOP\rx", M) } },
	{ "rfc unterminated last", &fmt_rfc, FMT_IN("C: A\r\nC: B"), 0, 2,
	    { FMT_C("A", CRLF), FMT_C("B", U) } },
	{ "rfc angle", &fmt_rfc, FMT_IN("> EHLO x\n< 250 ok\n>\n"), 0, 3,
	    { FMT_C("EHLO x", M), FMT_S("250 ok", M), FMT_C("", M) } },
	{ "rfc arrow", &fmt_rfc, FMT_IN("-> EHLO x\n<- 250 ok\n"), 0, 2,
	    { FMT_C("EHLO x", M), FMT_S("250 ok", M) } },
	{ "rfc msmtp shape", &fmt_rfc, FMT_IN("<-- 220 x\n--> QUIT\n"), 2, 0,
	    { { 0 } } },
	{ "rfc angle no space", &fmt_rfc, FMT_IN(">EHLO\n<250 ok\n"), 2, 0,
	    { { 0 } } },
	{ "rfc comments", &fmt_rfc,
	    FMT_IN("# just a comment\n\n   \n# session 2\n"), 0, 1,
	    { FMT_START } },
	{ "rfc end marker", &fmt_rfc,
	    FMT_IN("C: QUIT\n=== Connection closed\n"), 0, 2,
	    { FMT_C("QUIT", M), FMT_END } },
	{ "rfc marker without a word", &fmt_rfc, FMT_IN("=== banner\n"), 1, 0,
	    { { 0 } } },
	{ "rfc end without session", &fmt_rfc, FMT_IN("--- session ends\n"),
	    0, 0, { { 0 } } },
	{ "rfc narration", &fmt_rfc,
	    FMT_IN("S: <wait for open connection>\n"
	    "C: <open connection to server>\nS: 220 x\n"), 0, 2,
	    { FMT_START, FMT_S("220 x", M) } },
	{ "rfc tag is data", &fmt_rfc,
	    FMT_IN("C: <html lang=en>\nC: <b>x y</b>\n"), 0, 2,
	    { FMT_C("<html lang=en>", M), FMT_C("<b>x y</b>", M) } },
	{ "rfc prose", &fmt_rfc, FMT_IN("Random prose here\n"), 1, 0,
	    { { 0 } } },

	/* fmt_swaks */
	{ "swaks server", &fmt_swaks, FMT_IN("<-  250 ok\n"), 0, 1,
	    { FMT_S("250 ok", U) } },
	{ "swaks client", &fmt_swaks, FMT_IN(" -> EHLO x\n"), 0, 1,
	    { FMT_C("EHLO x", U) } },
	{ "swaks error reply", &fmt_swaks,
	    FMT_IN("<** 550 5.1.1 no\n<~* 550 no\n"), 0, 2,
	    { FMT_S("550 5.1.1 no", U), FMT_S("550 no", U) } },
	{ "swaks tls", &fmt_swaks, FMT_IN(" ~> QUIT\n<~  221 bye\n"), 0, 2,
	    { FMT_C("QUIT", U), FMT_S("221 bye", U) } },
	{ "swaks send error", &fmt_swaks, FMT_IN("**> DATA\n*~> DATA\n"), 0, 2,
	    { FMT_C("DATA", U), FMT_C("DATA", U) } },
	{ "swaks one space", &fmt_swaks, FMT_IN("<- 250 ok\n->  EHLO\n"), 2, 0,
	    { { 0 } } },
	{ "swaks no space", &fmt_swaks, FMT_IN("<-\n<-250 ok\n"), 2, 0,
	    { { 0 } } },
	{ "swaks prefix only", &fmt_swaks, FMT_IN(" -> \n ->\n"), 0, 2,
	    { FMT_C("", U), FMT_C("", U) } },
	{ "swaks NUL", &fmt_swaks, FMT_IN(" -> MAIL\0FROM:<a>\n"), 0, 1,
	    { FMT_C("MAIL\0FROM:<a>", U) } },
	{ "swaks data crlf", &fmt_swaks, FMT_IN(" -> Subject: x\r\n"), 0, 1,
	    { FMT_C("Subject: x", U) } },
	{ "swaks connect", &fmt_swaks,
	    FMT_IN("=== Trying 127.0.0.1:25...\n"
	    "=== Connected to 127.0.0.1.\n"), 0, 1, { FMT_START } },
	{ "swaks tls started", &fmt_swaks,
	    FMT_IN("=== TLS started with cipher TLSv1.3:X:256\n"), 0, 1,
	    { FMT_TLS } },
	{ "swaks closed", &fmt_swaks,
	    FMT_IN(" -> QUIT\n<-  221 bye\n"
	    "=== Connection closed with remote host.\n"), 0, 3,
	    { FMT_C("QUIT", U), FMT_S("221 bye", U), FMT_END } },
	{ "swaks closed unopened", &fmt_swaks,
	    FMT_IN("=== Connection closed with child process.\n"), 0, 0,
	    { { 0 } } },
	{ "swaks lost", &fmt_swaks,
	    FMT_IN(" -> DATA\n"
	    "*** Remote host closed connection unexpectedly.\n"), 0, 2,
	    { FMT_C("DATA", U), FMT_END } },
	{ "swaks timeout", &fmt_swaks,
	    FMT_IN("<** Timeout (30 secs) waiting for server response\n"), 0, 0,
	    { { 0 } } },
	{ "swaks suppressed data", &fmt_swaks,
	    FMT_IN(" -> 11 lines sent\n<-  250 ok\n"), 0, 1,
	    { FMT_H(EV_SERVER, "250 ok", U) } },
	{ "swaks hidden until next connection", &fmt_swaks,
	    FMT_IN(" -> 3 lines sent\n=== Connected to x.\n<-  220 x\n"), 0, 2,
	    { FMT_START, FMT_S("220 x", U) } },
	{ "swaks not a summary", &fmt_swaks, FMT_IN(" -> 11 lines sent!\n"),
	    0, 1, { FMT_C("11 lines sent!", U) } },
	{ "swaks raw dumps", &fmt_swaks,
	    FMT_IN("  > 0000: 45 48  EH\n<   0000: 32 32  22\n"), 0, 0,
	    { { 0 } } },
	{ "swaks error note", &fmt_swaks,
	    FMT_IN("*** \tIO::Socket::INET6: connect: Connection refused\n"),
	    0, 0, { { 0 } } },
	{ "swaks other", &fmt_swaks, FMT_IN("random\n->EHLO\n-- EHLO\n"), 3,
	    0, { { 0 } } },
	{ "swaks pasted, leading blank lost", &fmt_swaks,
	    FMT_IN("-> EHLO x\n~> QUIT\n<-  221 bye\n"), 0, 3,
	    { FMT_C("EHLO x", U), FMT_C("QUIT", U), FMT_S("221 bye", U) } },

	/* fmt_curl */
	{ "curl server", &fmt_curl, FMT_IN("< 220 mx ESMTP\r\n"), 0, 1,
	    { FMT_H(EV_SERVER, "220 mx ESMTP", CRLF) } },
	{ "curl bare lf reply", &fmt_curl,
	    FMT_IN("> EHLO x\r\n< 250 ok\n"), 0, 2,
	    { FMT_H(EV_CLIENT, "EHLO x", CRLF),
	    FMT_H(EV_SERVER, "250 ok", LF) } },
	{ "curl lf file", &fmt_curl, FMT_IN("< 220 x\n> EHLO x\n"), 0, 2,
	    { FMT_H(EV_SERVER, "220 x", M), FMT_H(EV_CLIENT, "EHLO x", M) } },
	{ "curl converted file", &fmt_curl,
	    FMT_IN("* Connected to h (1.2.3.4) port 25 (#0)\r\n< 220 x\r\n"),
	    0, 2, { FMT_START, FMT_H(EV_SERVER, "220 x", U) } },
	{ "curl meter then note", &fmt_curl,
	    FMT_IN("\r  0     0    0     0    0     0      0      0 --:--:-- "
	    "--:--:-- --:--:--     0*   Trying 127.0.0.1:2525...\n"), 0, 0,
	    { { 0 } } },
	{ "curl meter then command", &fmt_curl,
	    FMT_IN("\r  0     0    0     0    0     0      0      0 --:--:-- "
	    "--:--:-- --:--:--     0> MAIL FROM:<a@b> SIZE=47\r\n"), 0, 1,
	    { FMT_H(EV_CLIENT, "MAIL FROM:<a@b> SIZE=47", CRLF) } },
	{ "curl meter only", &fmt_curl,
	    FMT_IN("\r100    47    0     0  100    47      0    932 --:--:-- "
	    "--:--:-- --:--:--   921\n"), 0, 0, { { 0 } } },
	{ "curl meter head", &fmt_curl,
	    FMT_IN("  % Total    % Received % Xferd  Average Speed   Time\n"
	    "                                 Dload  Upload   Total\n"), 0, 0,
	    { { 0 } } },
	{ "curl traffic", &fmt_curl,
	    FMT_IN("} [47 bytes data]\n{ [5 bytes data]\n"), 0, 0, { { 0 } } },
	{ "curl bad traffic", &fmt_curl,
	    FMT_IN("} [x bytes data]\n{ [5 bytes]\n"), 2, 0, { { 0 } } },
	{ "curl tls", &fmt_curl,
	    FMT_IN("* TLSv1.3 (IN), TLS handshake, Finished (20):\n"
	    "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384\n"), 0, 1,
	    { FMT_TLS } },
	{ "curl tls, mbedTLS", &fmt_curl,
	    FMT_IN("* mbedTLS: Connecting to h:465\n"
	    "* mbedTLS: Handshake complete, cipher is TLS-ECDHE-RSA-WITH-AES-"
	    "128-GCM-SHA256\n"), 0, 1, { FMT_TLS } },
	{ "curl tls, older curl", &fmt_curl, FMT_IN("* SSL connected\n"), 0, 1,
	    { FMT_TLS } },
	{ "curl no tls: almost", &fmt_curl,
	    FMT_IN("* SSL connected to x\n* mbedTLS: Connecting to h:465\n"),
	    0, 0, { { 0 } } },
	{ "curl close", &fmt_curl,
	    FMT_IN("> QUIT\r\n* Connection #0 to host h left intact\n"
	    "* Closing connection 0\n"), 0, 2,
	    { FMT_H(EV_CLIENT, "QUIT", CRLF), FMT_END } },
	{ "curl bare cr", &fmt_curl, FMT_IN("< 250-PIPE\rLINING\r\n"), 0, 1,
	    { { EV_SERVER, "250-PIPE\rLINING", 15, CRLF, true,
	    EVF_DATA_HIDDEN } } },
	{ "curl no space", &fmt_curl, FMT_IN("<250 ok\n>QUIT\n*note\n"), 3, 0,
	    { { 0 } } },
	{ "curl error", &fmt_curl, FMT_IN("curl: (55) RCPT failed: 550\n"),
	    0, 0, { { 0 } } },

	/* fmt_smtplib */
	{ "smtplib str", &fmt_smtplib, FMT_IN("send: 'ehlo x\\r\\n'\n"), 0, 1,
	    { FMT_C("ehlo x", CRLF) } },
	{ "smtplib double quotes", &fmt_smtplib,
	    FMT_IN("send: \"VRFY it's\\r\\n\"\n"), 0, 1,
	    { FMT_C("VRFY it's", CRLF) } },
	{ "smtplib escaped quotes", &fmt_smtplib,
	    FMT_IN("send: 'a \\' \"\\\\\\r\\n'\n"), 0, 1,
	    { FMT_C("a ' \"\\", CRLF) } },
	{ "smtplib message", &fmt_smtplib,
	    FMT_IN("send: b'Subject: hi\\r\\n\\r\\nbody\\nlf\\r\\n.\\r\\n'\n"),
	    0, 5, { FMT_C("Subject: hi", CRLF), FMT_C("", CRLF),
	    FMT_C("body", LF), FMT_C("lf", CRLF), FMT_C(".", CRLF) } },
	{ "smtplib no terminator", &fmt_smtplib,
	    FMT_IN("send: b'MAIL FROM:'\n"), 0, 1,
	    { FMT_C("MAIL FROM:", EOL_NONE) } },
	{ "smtplib reply", &fmt_smtplib,
	    FMT_IN("reply: b'250-PIPELINING\\r\\n'\nreply: b'221 bye'\n"), 0, 2,
	    { FMT_S("250-PIPELINING", CRLF), FMT_S("221 bye", EOL_NONE) } },
	{ "smtplib repeats", &fmt_smtplib,
	    FMT_IN("reply: retcode (250); Msg: b'ok\\nPIPELINING'\n"
	    "data: (354, b'go')\nconnect: b'mx ESMTP'\n"), 0, 0, { { 0 } } },
	{ "smtplib unterminated", &fmt_smtplib,
	    FMT_IN("send: 'unterminated\n"), 1, 0, { { 0 } } },
	{ "smtplib short hex", &fmt_smtplib, FMT_IN("reply: b'\\x4'\n"), 1, 0,
	    { { 0 } } },
	{ "smtplib cut escape", &fmt_smtplib, FMT_IN("reply: b'\\x4"), 1, 0,
	    { { 0 } } },
	{ "smtplib bad escape", &fmt_smtplib, FMT_IN("send: 'a\\qb'\n"), 1, 0,
	    { { 0 } } },
	{ "smtplib \\u in bytes", &fmt_smtplib, FMT_IN("send: b'\\u00e9'\n"),
	    1, 0, { { 0 } } },
	{ "smtplib above U+10FFFF", &fmt_smtplib,
	    FMT_IN("send: '\\U00110000'\n"), 1, 0, { { 0 } } },
	{ "smtplib trailing text", &fmt_smtplib,
	    FMT_IN("send: 'x' trailing\nsend: 'a'b'\n"), 2, 0, { { 0 } } },
	{ "smtplib no repr", &fmt_smtplib, FMT_IN("send: ehlo\nreply: 250\n"),
	    2, 0, { { 0 } } },
	{ "smtplib str escapes", &fmt_smtplib,
	    FMT_IN("send: 'V j\\xf6rg\\u2028\\U0001f600\\t\\x7f\\r\\n'\n"),
	    0, 1,
	    { FMT_C("V j\xc3\xb6rg\xe2\x80\xa8\xf0\x9f\x98\x80\t\x7f",
	    CRLF) } },
	{ "smtplib raw utf-8", &fmt_smtplib,
	    FMT_IN("send: 'VRFY j\xc3\xb6rg\\r\\n'\n"), 0, 1,
	    { FMT_C("VRFY j\xc3\xb6rg", CRLF) } },
	{ "smtplib surrogate", &fmt_smtplib, FMT_IN("send: '\\ud800'\n"), 0, 1,
	    { FMT_C("\xed\xa0\x80", EOL_NONE) } },
	{ "smtplib bytes escapes", &fmt_smtplib,
	    FMT_IN("send: b'\\xc3\\xA9\\x00\\r\\n'\n"), 0, 1,
	    { FMT_C("\xc3\xa9\0", CRLF) } },
	{ "smtplib bare cr", &fmt_smtplib, FMT_IN("send: b'NOOP\\rx\\r\\n'\n"),
	    0, 1, { FMT_CR(EV_CLIENT, "NOOP\rx", CRLF) } },
	{ "smtplib empty", &fmt_smtplib, FMT_IN("send: ''\n"), 0, 0,
	    { { 0 } } },
	{ "smtplib level 2", &fmt_smtplib,
	    FMT_IN("19:08:45.447803 send: 'quit\\r\\n'\n"
	    "19:08:46 reply: b'221 bye\\r\\n'\n"), 0, 2,
	    { FMT_C("quit", CRLF), FMT_S("221 bye", CRLF) } },
	{ "smtplib bad stamp", &fmt_smtplib,
	    FMT_IN("19:08:45.44 send: 'quit\\r\\n'\n"), 1, 0, { { 0 } } },
	{ "smtplib connect", &fmt_smtplib,
	    FMT_IN("connect: to ('127.0.0.1', 25) None\n"
	    "reply: b'220 x\\r\\n'\n"), 0, 2,
	    { FMT_START, FMT_S("220 x", CRLF) } },
	{ "smtplib ssl connect", &fmt_smtplib,
	    FMT_IN("connect: ('h', 465)\nconnect: to ('h', 465) None\n"
	    "reply: b'220 x\\r\\n'\n"), 0, 3,
	    { FMT_START, FMT_TLS, FMT_S("220 x", CRLF) } },
	{ "smtplib failed ssl connect", &fmt_smtplib,
	    FMT_IN("connect: ('h', 465)\nTraceback (most recent call last):\n"
	    "connect: to ('h', 25) None\nreply: b'220 x\\r\\n'\n"), 1, 2,
	    { FMT_START, FMT_S("220 x", CRLF) } },

	/* fmt_msmtp */
	{ "msmtp server", &fmt_msmtp, FMT_IN("<-- 220 mx ESMTP\r\n"), 0, 1,
	    { FMT_S("220 mx ESMTP", CRLF) } },
	{ "msmtp bare lf reply", &fmt_msmtp,
	    FMT_IN("--> EHLO x\r\n<-- 250 ok\n"), 0, 2,
	    { FMT_C("EHLO x", CRLF), FMT_S("250 ok", LF) } },
	{ "msmtp empty line", &fmt_msmtp, FMT_IN("--> \r\n-->\n"), 0, 2,
	    { FMT_C("", CRLF), FMT_C("", LF) } },
	{ "msmtp run", &fmt_msmtp,
	    FMT_IN("using account default from /x\nhost = 127.0.0.1\n"
	    "source ip = (not set)\n"
	    "reading recipients from the command line\n<-- 220 x\r\n"),
	    0, 2, { FMT_START, FMT_S("220 x", CRLF) } },
	{ "msmtp two runs", &fmt_msmtp,
	    FMT_IN("using account a\n<-- 221 x\r\nusing account b\n"), 0, 3,
	    { FMT_START, FMT_S("221 x", CRLF), FMT_START } },
	{ "msmtp tls", &fmt_msmtp,
	    FMT_IN("TLS session parameters:\n    (TLS1.3)-(X)\n"
	    "TLS certificate information:\n    Subject:\n        CN=x\n"),
	    0, 1, { FMT_TLS } },
	{ "msmtp serverinfo", &fmt_msmtp,
	    FMT_IN("--> QUIT\r\n<-- 221 bye\r\nSMTP server at h, port 25:\n"
	    "    mx\nTLS session parameters:\n    (TLS1.3)\nCapabilities:\n"
	    "    PIPELINING:\n"), 0, 2,
	    { FMT_C("QUIT", CRLF), FMT_S("221 bye", CRLF) } },
	{ "msmtp not chunked", &fmt_msmtp,
	    FMT_IN("--> short--> not a chunk\r\n"), 0, 1,
	    { FMT_C("short--> not a chunk", CRLF) } },
	{ "msmtp errors", &fmt_msmtp,
	    FMT_IN("msmtp: server message: 550 x\n"
	    "msmtp: could not send mail\n"),
	    0, 0, { { 0 } } },
	{ "msmtp almost", &fmt_msmtp,
	    FMT_IN("<---\n<--x\nrandom\n    orphan\nHost = x\n"), 5, 0,
	    { { 0 } } },

	/* fmt_phpmailer */
	{ "phpmailer dialogue", &fmt_phpmailer,
	    FMT_IN("2026-11-22 10:00:01\tConnection: opening to mx:587, "
	    "timeout=300, options=array()\n"
	    "2026-11-22 10:00:01\tConnection: opened\n"
	    "2026-11-22 10:00:01\tSERVER -> CLIENT: 220 mx ESMTP\n"
	    "2026-11-22 10:00:01 CLIENT -> SERVER: EHLO x\n"
	    "SERVER -> CLIENT: 250 mx\n"
	    "2026-11-22 10:00:02\tCLIENT -> SERVER: QUIT\n"
	    "2026-11-22 10:00:02\tConnection: closed\n"), 0, 6,
	    { FMT_START, FMT_S("220 mx ESMTP", U), FMT_C("EHLO x", U),
	    FMT_S("250 mx", U), FMT_C("QUIT", U), FMT_END } },
	{ "phpmailer html reply, lines joined", &fmt_phpmailer,
	    FMT_IN("SERVER -> CLIENT: 250-mx at your service, [192.0.2.1]"
	    "250-SIZE 35882577250-8BITMIME250 SMTPUTF8\n"), 0, 4,
	    { FMT_S("250-mx at your service, [192.0.2.1]", U),
	    FMT_S("250-SIZE 35882577", U), FMT_S("250-8BITMIME", U),
	    FMT_S("250 SMTPUTF8", U) } },
	{ "phpmailer reply joined with blanks", &fmt_phpmailer,
	    FMT_IN("SERVER -> CLIENT: 250-mx Hello [192.0.2.1] 250-SIZE 4 "
	    "250 DSN \n"), 0, 3,
	    { FMT_S("250-mx Hello [192.0.2.1]", U), FMT_S("250-SIZE 4", U),
	    FMT_S("250 DSN", U) } },
	{ "phpmailer reply lines on lines of their own", &fmt_phpmailer,
	    FMT_IN("SERVER -> CLIENT: 250-mx\n250-PIPELINING\n\n"
	    "                   \t                  250 DSN\n250 stray\n"),
	    1, 3, { FMT_S("250-mx", U), FMT_S("250-PIPELINING", U),
	    FMT_S("250 DSN", U) } },
	{ "phpmailer single line keeps its code", &fmt_phpmailer,
	    FMT_IN("SERVER -> CLIENT: 250 2.0.0 queued as 250-x 250 y\n"), 0, 1,
	    { FMT_S("250 2.0.0 queued as 250-x 250 y", U) } },
	{ "phpmailer entries joined by a paste", &fmt_phpmailer,
	    FMT_IN("2016-06-02 13:03:06 SERVER -> CLIENT: 220 mx ready "
	    "2016-06-02 13:03:06 CLIENT -> SERVER: EHLO x\n"), 0, 2,
	    { FMT_S("220 mx ready", U), FMT_C("EHLO x", U) } },
	{ "phpmailer nothing read", &fmt_phpmailer,
	    FMT_IN("CLIENT -> SERVER: QUIT\nSERVER -> CLIENT: \n"), 0, 1,
	    { FMT_C("QUIT", U) } },
	{ "phpmailer notes", &fmt_phpmailer,
	    FMT_IN("SMTP ERROR: QUIT command failed: \n"
	    "SMTP INBOUND: \"220 x\"\nSMTP -> get_lines(): $data is \"\"\n"
	    "2026-11-22 10:00:01\tSMTP Error: Could not authenticate.\n"),
	    0, 0, { { 0 } } },
	{ "phpmailer almost", &fmt_phpmailer,
	    FMT_IN("SERVER->CLIENT: 250 x\nCLIENT -> SERVER:EHLO\n"
	    "250 no reply before\n2026-11-22 10:00 SERVER -> CLIENT: 250 x\n"),
	    4, 0, { { 0 } } },

	/* fmt_nodemailer */
	{ "nodemailer client: pipelined, then the message", &fmt_nodemailer,
	    FMT_IN("[2026-11-22 10:00:01] INFO  [b1Cl] Connection established "
	    "to 127.0.0.1:25\n"
	    "[2026-11-22 10:00:01] DEBUG [b1Cl] S: 220 mx ESMTP\n"
	    "[2026-11-22 10:00:01] DEBUG [b1Cl] C: DATA\n"
	    "[2026-11-22 10:00:01] DEBUG [b1Cl] S: 354 go\n"
	    "[2026-11-22 10:00:01] DEBUG [b1Cl] \n"
	    "[2026-11-22 10:00:01] DEBUG [b1Cl] .\n"
	    "[2026-11-22 10:00:01] INFO  [b1Cl] <9 bytes encoded mime message>\n"
	    "[2026-11-22 10:00:01] DEBUG [b1Cl] S: 250 queued\n"
	    "[2026-11-22 10:00:01] DEBUG [b1Cl] Closing connection to the "
	    "server using \"end\"\n"), 0, 8,
	    { FMT_START, FMT_S("220 mx ESMTP", U), FMT_C("DATA", U),
	    FMT_S("354 go", U), FMT_C("", U), FMT_C(".", U),
	    FMT_S("250 queued", U), FMT_END } },
	{ "smtp-server: further reply lines, TLS, the end", &fmt_nodemailer,
	    FMT_IN("[2025-04-01 17:22:47] INFO  [#mc2b] Connection from x\n"
	    "[2025-04-01 17:22:47] DEBUG [#mc2b] S: 250-mx\n"
	    "[2025-04-01 17:22:47] DEBUG [#mc2b] 250 PIPELINING\n"
	    "[2025-04-01 17:22:47] DEBUG [#mc2b] 250 not a reply now\n"
	    "[2025-04-01 17:22:47] INFO  [#mc2b] Connection upgraded to TLS\n"
	    "[2025-04-01 17:22:47] INFO  [#mc2b] Connection closed to x\n"),
	    0, 5, { FMT_START, FMT_S("250-mx", U), FMT_S("250 PIPELINING", U),
	    FMT_TLS, FMT_END } },
	{ "smtp-server 2016: reply lines without the logger's prefix",
	    &fmt_nodemailer,
	    FMT_IN("[2016-10-31 12:00:01] DEBUG: [65Hr] S: 250-mx\n"
	    "250-PIPELINING\n250 STARTTLS\n250 stray\n"), 1, 4,
	    { FMT_START, FMT_S("250-mx", U), FMT_S("250-PIPELINING", U),
	    FMT_S("250 STARTTLS", U) } },
	{ "haraka: escaped CR LF, the plugin's name", &fmt_nodemailer,
	    FMT_IN("[PROTOCOL] [7840.1.1] [outbound] S: 220 mx\\r\\n\n"
	    "[PROTOCOL] [7840.1.1] [outbound] C: EHLO x\n"
	    "[INFO] [7840.1.1] [outbound] Attempting delivery\n"), 0, 3,
	    { FMT_START, FMT_S("220 mx", U), FMT_C("EHLO x", U) } },
	{ "nodemailer without time stamps, the logger's own news",
	    &fmt_nodemailer,
	    FMT_IN("DEBUG Creating transport: nodemailer\n"
	    "DEBUG [JEYE] C: EHLO x\nINFO: SMTP Server listening\n"), 0, 1,
	    { FMT_C("EHLO x", U) } },
	{ "nodemailer almost", &fmt_nodemailer,
	    FMT_IN("[2026-11-22] DEBUG[b1] S: 220\nDEBUGX [b1] S: 220\n"
	    "[2026-11-22 10:00:01] [b1] S: 220\nS: 220 x\n"
	    "[2026-11-22 10:00:01 DEBUG [b1] S: 220\n"), 5, 0, { { 0 } } },

	/* fmt_bare: javamail, telnet */
	{ "javamail dialogue", &fmt_javamail,
	    FMT_IN("DEBUG: setDebug: JavaMail version 1.6.2\n"
	    "DEBUG SMTP: trying to connect to host \"mx\", port 25\n"
	    "220 mx ESMTP\nDEBUG SMTP: connected to host \"mx\", port: 25\n"
	    "EHLO c\n250-mx\n250 AUTH LOGIN\n"
	    "DEBUG SMTP: Found extension \"AUTH\", arg \"LOGIN\"\n"), 0, 5,
	    { FMT_START, FMT_S("220 mx ESMTP", U), FMT_C("EHLO c", U),
	    FMT_S("250-mx", U), FMT_S("250 AUTH LOGIN", U) } },
	{ "javamail: the message up to the dot, any line", &fmt_javamail,
	    FMT_IN("354 go\n250 apples\n.\n250 ok\n"), 0, 4,
	    { FMT_S("354 go", U), FMT_C("250 apples", U), FMT_C(".", U),
	    FMT_S("250 ok", U) } },
	{ "javamail: an exception it printed is passed over", &fmt_javamail,
	    FMT_IN("DEBUG SMTP: MessagingException while sending, THROW: \n"
	    "jakarta.mail.SendFailedException: Invalid Addresses;\n"
	    "  nested exception is:\n\tcom.sun.mail.smtp.SMTPAddressFailedException: 550 "
	    "no\n\n"
	    "\tat com.sun.mail.smtp.SMTPTransport.rcptTo(SMTPTransport.java:2064)\n"
	    "Caused by: com.sun.mail.smtp.X: 550 no\n\t... 11 more\nQUIT\n"
	    "221 bye\n"), 0, 2, { FMT_C("QUIT", U), FMT_S("221 bye", U) } },
	{ "javamail: an application's lines are not", &fmt_javamail,
	    FMT_IN("2026-11-22 10:00:01 INFO app started\n"
	    "com.example.App: started\n"), 2, 0, { { 0 } } },
	{ "telnet: its own lines, a typed session, a gap", &fmt_telnet,
	    FMT_IN("$ telnet mx 25\nTrying ::1...\nConnected to mx.\n"
	    "Escape character is '^]'.\n220 mx\nmail from:<>\n...\n"
	    "quit\nConnection closed by foreign host.\n"), 0, 6,
	    { FMT_START, FMT_S("220 mx", U), FMT_C("mail from:<>", U),
	    { EV_GAP, "", 0, U, false, 0 }, FMT_C("quit", U), FMT_END } },
	{ "telnet: openssl s_client is TLS", &fmt_telnet,
	    FMT_IN("$ openssl s_client -starttls smtp -connect mx:25\n---\n"
	    "read R BLOCK\nehlo x\n334 VXNlcm5hbWU6\nZm9v\nDONE\n"), 0, 5,
	    { FMT_START, FMT_TLS, FMT_C("ehlo x", U),
	    FMT_S("334 VXNlcm5hbWU6", U), FMT_C("Zm9v", U) } },
	{ "telnet almost", &fmt_telnet,
	    FMT_IN("Zm9v\nhello, world\n$telnet x\n2500 x\nab\n"), 5, 0,
	    { { 0 } } },

	/* fmt_ruby */
	{ "ruby dialogue", &fmt_ruby,
	    FMT_IN("Connection opened: smtp.example:587\n"
	    "-> \"220 mx ESMTP\\r\\n\"\n"
	    "<- \"EHLO x\\r\\n\"\n"
	    "-> \"250-mx\\r\\n\"\n-> \"250 STARTTLS\\r\\n\"\n"
	    "<- \"STARTTLS\\r\\n\"\n-> \"220 go\\r\\n\"\n"
	    "TLS connection started\n"), 0, 8,
	    { FMT_START, FMT_S("220 mx ESMTP", CRLF), FMT_C("EHLO x", CRLF),
	    FMT_S("250-mx", CRLF), FMT_S("250 STARTTLS", CRLF),
	    FMT_C("STARTTLS", CRLF), FMT_S("220 go", CRLF), FMT_TLS } },
	{ "ruby message hidden", &fmt_ruby,
	    FMT_IN("-> \"354 go\\r\\n\"\nwriting message from String\n"
	    "wrote 1234 bytes\n-> \"250 ok\\r\\n\"\nread 10 bytes\n"),
	    0, 2, { FMT_S("354 go", CRLF), FMT_H(EV_SERVER, "250 ok", CRLF) } },
	{ "ruby escapes", &fmt_ruby,
	    FMT_IN("<- \"a\\\"b\\\\c\\#{d}\\t\\e\\x01\\u00E9\\u{20AC}\\n\"\n"),
	    0, 1, { FMT_C("a\"b\\c#{d}\t\033\001\xc3\xa9\xe2\x82\xac", LF) } },
	{ "ruby no terminator", &fmt_ruby, FMT_IN("<- \"MAIL FROM:\"\n"), 0, 1,
	    { FMT_C("MAIL FROM:", EOL_NONE) } },
	{ "ruby almost", &fmt_ruby,
	    FMT_IN("-> 250 ok\n<- \"unterminated\n-> \"a\"b\"\n"
	    "<- \"bad \\q escape\"\n-> \"\\x4\"\n-> \"\\u{110000}\"\n"
	    "wrote bytes\nread 5 byte\n"), 8, 0, { { 0 } } },
};

static const char *
fmt_kind_name(enum event_kind k)
{
	static const char *const names[] = { "start", "end", "client",
	    "server", "tls", "log-reply", "log-note", "gap", "clock" };

	return k <= EV_CLOCK ? names[k] : "?";
}

START_TEST(fmt_test_cases)
{
	const struct fmt_case	*c = &fmt_cases[_i];
	struct fmt_rec		*r = malloc(sizeof(*r));
	size_t			 i;

	ck_assert_ptr_nonnull(r);
	fmt_feed(c->fmt, c->in, c->inlen, r);
	ck_assert_msg(r->unparsed == c->unparsed,
	    "%s: %zu unparsed, expected %zu", c->name, r->unparsed,
	    c->unparsed);
	ck_assert_msg(r->n == c->nev, "%s: %zu events, expected %zu",
	    c->name, r->n, c->nev);
	for (i = 0; i < c->nev; i++) {
		const struct fmt_exp	*x = &c->ev[i];
		const struct fmt_rec_ev	*e = &r->ev[i];

		ck_assert_msg(e->kind == x->kind, "%s #%zu: %s, expected %s",
		    c->name, i, fmt_kind_name(e->kind), fmt_kind_name(x->kind));
		ck_assert_msg(e->len == x->len &&
		    memcmp(e->text, x->text, x->len) == 0,
		    "%s #%zu: text \"%.*s\", expected \"%s\"", c->name, i,
		    (int)e->len, e->text, x->text);
		ck_assert_msg(e->eol == x->eol, "%s #%zu: eol %d, expected %d",
		    c->name, i, e->eol, x->eol);
		ck_assert_msg(e->has_bare_cr == x->has_bare_cr,
		    "%s #%zu: has_bare_cr %d", c->name, i, e->has_bare_cr);
		ck_assert_msg(e->flags == x->flags, "%s #%zu: flags %u",
		    c->name, i, e->flags);
		ck_assert(!e->is_truncated);
	}
	free(r);
}
END_TEST

/* A buffer of "PFX" + N times C + "SFX". */
static char *
fmt_fill(const char *pfx, size_t n, char c, const char *sfx, size_t *len)
{
	size_t	 a = strlen(pfx), b = strlen(sfx);
	char	*s = malloc(a + n + b + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, pfx, a);
	memset(s + a, c, n);
	memcpy(s + a + n, sfx, b + 1);
	*len = a + n + b;
	return s;
}

/* msmtp prints a long data line as chunks of 1023 bytes. */
static const struct fmt_chunk_case {
	const char	*pfx;		/* after the first "--> " */
	size_t		 n;		/* bytes of 'a' */
	const char	*sfx;
	size_t		 want;		/* joined length */
	size_t		 tail_a;	/* end of the 'a's */
} fmt_chunk_cases[] = {
	{ "--> ", 1023, "--> bbbbbbbbbb\r\n", 1033, 1023 },
	{ "--> .", 1023, "--> b\r\n", 1025, 1024 },
	{ "--> ", 1022, "--> \r\n", 1022, 1022 },
	{ "--> ", 1023, "--> ", 1023, 1023 },
	{ "--> ", 1000, "--> b\r\n", 1005, 1000 },	/* not a boundary */
};

START_TEST(fmt_test_msmtp_chunks)
{
	const struct fmt_chunk_case	*c = &fmt_chunk_cases[_i];
	struct fmt_rec			*r = malloc(sizeof(*r));
	size_t				 len, i;
	char				*in;

	ck_assert_ptr_nonnull(r);
	in = fmt_fill(c->pfx, c->n, 'a', c->sfx, &len);
	fmt_feed(&fmt_msmtp, in, len, r);
	ck_assert_uint_eq(r->unparsed, 0);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_int_eq(r->ev[0].kind, EV_CLIENT);
	ck_assert_uint_eq(r->ev[0].len, c->want);
	for (i = 0; i < c->tail_a; i++)
		if (r->ev[0].text[i] != 'a' && !(i == 0 && c->pfx[4] == '.'))
			ck_abort_msg("byte %zu is '%c'", i, r->ev[0].text[i]);
	ck_assert(c->want == c->tail_a ||
	    r->ev[0].text[c->tail_a] == (c->n == 1000 ? '-' : 'b'));
	free(in);
	free(r);
}
END_TEST

/* Three chunks, as msmtp-long.txt shows for a 2500-byte line. */
START_TEST(fmt_test_msmtp_three_chunks)
{
	struct fmt_rec	*r = malloc(sizeof(*r));
	char		*in;
	size_t		 len, i;

	ck_assert_ptr_nonnull(r);
	in = malloc(4 + 2500 + 8 + 2 + 1);
	ck_assert_ptr_nonnull(in);
	memcpy(in, "--> ", 4);
	len = 4;
	for (i = 0; i < 2500; i++) {
		if (i == 1023 || i == 2046) {
			memcpy(in + len, "--> ", 4);
			len += 4;
		}
		in[len++] = (char)('a' + i % 26);
	}
	memcpy(in + len, "\r\n", 2);
	len += 2;
	fmt_feed(&fmt_msmtp, in, len, r);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_uint_eq(r->ev[0].len, 2500);
	for (i = 0; i < 2500; i++)
		ck_assert_int_eq(r->ev[0].text[i], 'a' + i % 26);
	ck_assert_int_eq(r->ev[0].eol, EOL_CRLF);
	free(in);
	free(r);
}
END_TEST

/* A line cut at INPUT_MAX_LINE: the repr has lost its end. */
static const struct fmt_cut_case {
	const char	*in;
	size_t		 nev;
	const char	*last;		/* text of the last event */
	enum eol	 last_eol;
} fmt_cut_cases[] = {
	{ "send: b'a\\r\\nbbb", 2, "bbb", EOL_UNKNOWN },
	{ "send: b'a\\r\\nb\\x4", 2, "b", EOL_UNKNOWN },
	{ "send: b'a\\r\\n\\", 1, "a", EOL_CRLF },
	{ "send: 'x\\U0001f6", 1, "x", EOL_UNKNOWN },
};

START_TEST(fmt_test_smtplib_cut)
{
	const struct fmt_cut_case	*c = &fmt_cut_cases[_i];
	struct fmt_rec			*r = calloc(1, sizeof(*r));
	struct event_sink		 sink = { fmt_rec_emit, r };
	struct line			 l;
	void				*st = fmt_smtplib.new();
	const struct fmt_rec_ev		*e;

	ck_assert_ptr_nonnull(r);
	memset(&l, 0, sizeof(l));
	l.no = 1;
	l.bytes = c->in;
	l.len = strlen(c->in);
	l.full_len = l.len + 100;
	l.eol = EOL_LF;
	l.is_truncated = true;
	ck_assert(fmt_smtplib.line(st, &l, &sink));
	ck_assert_uint_eq(r->n, c->nev);
	e = &r->ev[c->nev - 1];
	ck_assert_uint_eq(e->len, strlen(c->last));
	ck_assert(memcmp(e->text, c->last, e->len) == 0);
	ck_assert_int_eq(e->eol, c->last_eol);
	ck_assert(e->is_truncated);
	/* Not truncated, the same bytes are malformed: nothing is emitted. */
	l.is_truncated = false;
	ck_assert(!fmt_smtplib.line(st, &l, &sink));
	ck_assert_uint_eq(r->n, c->nev);
	fmt_smtplib.free(st);
	free(r);
}
END_TEST

/* Every adapter marks events of a truncated line. */
static const struct fmt_trunc_case {
	const struct format_adapter	*fmt;
	const char			*in;
} fmt_trunc_cases[] = {
	{ &fmt_rfc, "C: xxxx" }, { &fmt_swaks, " -> xxxx" },
	{ &fmt_curl, "> xxxx" }, { &fmt_msmtp, "--> xxxx" },
	{ &fmt_smtplib, "send: 'xxxx" },
};

START_TEST(fmt_test_truncated)
{
	const struct fmt_trunc_case	*t = &fmt_trunc_cases[_i];
	struct fmt_rec			*r = calloc(1, sizeof(*r));
	struct event_sink		 sink = { fmt_rec_emit, r };
	struct line			 l;
	void				*st = t->fmt->new();

	ck_assert_ptr_nonnull(r);
	memset(&l, 0, sizeof(l));
	l.no = 7;
	l.bytes = t->in;
	l.len = strlen(t->in);
	l.full_len = INPUT_MAX_LINE + 10;
	l.eol = EOL_LF;
	l.is_truncated = true;
	ck_assert(t->fmt->line(st, &l, &sink));
	ck_assert_uint_eq(r->n, 1);
	ck_assert_int_eq(r->ev[0].kind, EV_CLIENT);
	ck_assert(r->ev[0].is_truncated);
	ck_assert_uint_eq(r->ev[0].line, 7);
	t->fmt->free(st);
	free(r);
}
END_TEST

/* The helpers on their own. */
static const struct fmt_words_case {
	const char		*in;
	enum fmt_util_word	 want;
} fmt_words_cases[] = {
	{ "# session 2", FMT_UTIL_WORD_START },
	{ "=== Connected to 127.0.0.1.", FMT_UTIL_WORD_START },
	{ "=== Connection closed with remote host.", FMT_UTIL_WORD_END },
	{ "--- end of session ---", FMT_UTIL_WORD_END },
	{ "# client disconnected", FMT_UTIL_WORD_END },
	{ "# end of headers", FMT_UTIL_WORD_NONE },
	{ "# sessions and connections", FMT_UTIL_WORD_NONE },
	{ "# reconnection", FMT_UTIL_WORD_NONE },
	{ "", FMT_UTIL_WORD_NONE },
};

START_TEST(fmt_test_words)
{
	const struct fmt_words_case	*t = &fmt_words_cases[_i];

	ck_assert_int_eq(fmt_util_conn_words(t->in, strlen(t->in)), t->want);
}
END_TEST

static const struct fmt_pytime_case {
	const char	*in;
	size_t		 want;
} fmt_pytime_cases[] = {
	{ "19:08:45.447803 send: ''", 16 },
	{ "19:08:45 send: ''", 9 },
	{ "19:08:45.4478 send", 0 },
	{ "19:08:45send", 0 },
	{ "1:08:45 send", 0 },
	{ "19:08:45", 0 },
	{ "19:08:45.447803", 0 },
	{ "send: 'x'", 0 },
};

START_TEST(fmt_test_pytime)
{
	const struct fmt_pytime_case	*t = &fmt_pytime_cases[_i];

	ck_assert_uint_eq(fmt_util_pytime(t->in, strlen(t->in)), t->want);
}
END_TEST

/* Probe: one line, the adapter that must score it highest. */
static const struct fmt_probe_case {
	const char			*in;
	enum eol			 eol;
	const struct format_adapter	*want;	/* NULL: all score 0 */
} fmt_probe_cases[] = {
	{ "", EOL_LF, NULL },
	{ "   ", EOL_LF, NULL },
	{ "hello world", EOL_LF, NULL },
	{ "250 ok", EOL_LF, &fmt_telnet },	/* a reply alone: typed */
	{ "S: 250 ok", EOL_LF, &fmt_rfc },
	{ "C: EHLO x", EOL_CRLF, &fmt_rfc },
	{ "< 250 ok", EOL_LF, &fmt_rfc },
	{ "-> EHLO x", EOL_LF, &fmt_rfc },
	{ "<-  250 ok", EOL_LF, &fmt_swaks },
	{ " -> EHLO x", EOL_LF, &fmt_swaks },
	{ "<** 550 no", EOL_LF, &fmt_swaks },
	{ "=== Trying 127.0.0.1:25...", EOL_LF, &fmt_swaks },
	{ "=== TLS started with cipher x", EOL_LF, &fmt_swaks },
	{ "< 250 ok", EOL_CRLF, &fmt_rfc },
	{ "> EHLO x", EOL_CRLF, &fmt_rfc },
	{ "* Connected to h (1.2.3.4) port 25 (#0)", EOL_LF, &fmt_curl },
	{ "*   Trying 127.0.0.1:25...", EOL_LF, &fmt_curl },
	{ "} [47 bytes data]", EOL_LF, &fmt_curl },
	{ "send: 'ehlo x\\r\\n'", EOL_LF, &fmt_smtplib },
	{ "reply: b'250 ok\\r\\n'", EOL_LF, &fmt_smtplib },
	{ "12:00:00.000001 send: b'x'", EOL_LF, &fmt_smtplib },
	{ "connect: to ('h', 25) None", EOL_LF, &fmt_smtplib },
	{ "<-- 250 ok", EOL_CRLF, &fmt_msmtp },
	{ "--> EHLO x", EOL_CRLF, &fmt_msmtp },
	{ "TLS session parameters:", EOL_LF, &fmt_msmtp },
	{ "reading recipients from the command line", EOL_LF, &fmt_msmtp },
	{ "SERVER -> CLIENT: 220 mx", EOL_LF, &fmt_phpmailer },
	{ "2023-10-18 20:25:19 SERVER -> CLIENT: 220 mx", EOL_LF,
	    &fmt_phpmailer },
	{ "2026-11-22 10:00:01\tCLIENT -> SERVER: EHLO x", EOL_LF,
	    &fmt_phpmailer },
	{ "-> \"220 mx\\r\\n\"", EOL_LF, &fmt_ruby },
	{ "<- \"EHLO x\\r\\n\"", EOL_LF, &fmt_ruby },
	{ "-> EHLO x", EOL_LF, &fmt_rfc },
	{ "<- 250 ok", EOL_LF, &fmt_rfc },
	{ "[2026-11-22 10:00:01] DEBUG [b1Cl] S: 220 mx", EOL_LF,
	    &fmt_nodemailer },
	{ "DEBUG [JEYE] C: EHLO x", EOL_LF, &fmt_nodemailer },
	{ "DEBUG SMTP: trying to connect to host \"mx\", port 25", EOL_LF,
	    &fmt_javamail },
	{ "Escape character is '^]'.", EOL_LF, &fmt_telnet },
	{ "$ telnet mx.example 25", EOL_LF, &fmt_telnet },
	{ "[PROTOCOL] [7840.1.1] [outbound] S: 220 mx\\r\\n", EOL_LF,
	    &fmt_nodemailer },
};

static const struct format_adapter *const fmt_all[] = {
	&fmt_rfc, &fmt_swaks, &fmt_curl, &fmt_smtplib, &fmt_msmtp,
	&fmt_phpmailer, &fmt_ruby, &fmt_nodemailer, &fmt_javamail, &fmt_telnet
};
#define FMT_NALL	FMT_NELEM(fmt_all)
/* A probe line must also beat the logs whose lines start with a stamp. */
static const struct format_adapter *const fmt_rivals[] = {
	&fmt_rfc, &fmt_swaks, &fmt_curl, &fmt_smtplib, &fmt_msmtp,
	&fmt_phpmailer, &fmt_ruby, &fmt_nodemailer, &fmt_javamail, &fmt_telnet,
	&fmt_exim, &fmt_postfix
};

START_TEST(fmt_test_probe_lines)
{
	const struct fmt_probe_case	*c = &fmt_probe_cases[_i];
	struct line			 l;
	size_t				 i;
	int				 s, best = -1;

	memset(&l, 0, sizeof(l));
	l.bytes = c->in;
	l.len = strlen(c->in);
	l.eol = c->eol;
	if (c->want != NULL)
		best = c->want->probe(&l);
	for (i = 0; i < FMT_NELEM(fmt_rivals); i++) {
		s = fmt_rivals[i]->probe(&l);
		ck_assert_int_ge(s, 0);
		ck_assert_int_le(s, 100);
		if (c->want == NULL)
			ck_assert_msg(s == 0, "\"%s\": %s scores %d", c->in,
			    fmt_rivals[i]->name, s);
		else if (fmt_rivals[i] != c->want)
			ck_assert_msg(s < best, "\"%s\": %s scores %d >= %s %d",
			    c->in, fmt_rivals[i]->name, s, c->want->name, best);
	}
	ck_assert(c->want == NULL || best > 0);
}
END_TEST

/* The sample captures, counted whole. */
static const struct fmt_file_case {
	const char			*file;
	const struct format_adapter	*fmt;
	size_t				 client, server, start, end, tls;
	size_t				 unparsed, hidden;
} fmt_file_cases[] = {
	{ "swaks-auth-reject.txt", &fmt_swaks, 18, 14, 1, 1, 0, 0, 0 },
	{ "swaks-authfail.txt", &fmt_swaks, 5, 11, 1, 1, 0, 0, 0 },
	{ "swaks-connfail.txt", &fmt_swaks, 0, 0, 0, 0, 0, 0, 0 },
	{ "swaks-pipe-tls-reject.txt", &fmt_swaks, 19, 19, 1, 1, 1, 0, 0 },
	{ "swaks-pipe.txt", &fmt_swaks, 17, 10, 1, 1, 0, 0, 0 },
	{ "swaks-plain.txt", &fmt_swaks, 16, 12, 1, 1, 0, 0, 0 },
	{ "swaks-rawtext.txt", &fmt_swaks, 4, 10, 1, 1, 0, 0, 0 },
	{ "swaks-starttls.txt", &fmt_swaks, 21, 21, 1, 1, 1, 0, 0 },
	{ "swaks-suppress-data.txt", &fmt_swaks, 5, 12, 1, 1, 0, 0, 3 },
	{ "swaks-tlsc.txt", &fmt_swaks, 16, 11, 1, 1, 1, 0, 0 },
	{ "curl-allowfails.txt", &fmt_curl, 5, 12, 1, 0, 0, 0, 17 },
	{ "curl-auth-reject.txt", &fmt_curl, 7, 13, 1, 1, 0, 0, 20 },
	{ "curl-bareeol.txt", &fmt_curl, 4, 8, 1, 0, 0, 0, 12 },
	{ "curl-plain.txt", &fmt_curl, 4, 11, 1, 0, 0, 0, 15 },
	{ "curl-reuse.txt", &fmt_curl, 7, 15, 1, 0, 0, 0, 22 },
	{ "curl-smtps.txt", &fmt_curl, 4, 10, 1, 0, 1, 0, 14 },
	{ "curl-starttls.txt", &fmt_curl, 9, 20, 1, 0, 1, 0, 29 },
	{ "smtplib-login.txt", &fmt_smtplib, 7, 17, 1, 0, 0, 1, 0 },
	{ "smtplib-plain.txt", &fmt_smtplib, 15, 13, 1, 0, 0, 0, 0 },
	{ "smtplib-ssl.txt", &fmt_smtplib, 4, 9, 1, 0, 1, 0, 0 },
	{ "smtplib-tls-lvl2.txt", &fmt_smtplib, 12, 19, 1, 0, 0, 0, 0 },
	{ "smtplib-utf8.txt", &fmt_smtplib, 7, 13, 1, 0, 0, 0, 0 },
	{ "msmtp-bareeol.txt", &fmt_msmtp, 13, 9, 1, 0, 0, 0, 0 },
	{ "msmtp-long.txt", &fmt_msmtp, 13, 12, 1, 0, 0, 0, 0 },
	{ "msmtp-reject.txt", &fmt_msmtp, 5, 10, 1, 0, 0, 0, 0 },
	{ "msmtp-serverinfo-starttls.txt", &fmt_msmtp, 4, 14, 1, 0, 0, 0, 0 },
	{ "msmtp-serverinfo-tls.txt", &fmt_msmtp, 2, 7, 1, 0, 0, 0, 0 },
	{ "msmtp-smtps.txt", &fmt_msmtp, 13, 11, 1, 0, 1, 0, 0 },
	{ "msmtp-starttls-auth.txt", &fmt_msmtp, 16, 19, 1, 0, 1, 0, 0 },
	{ "rfc-angle-crlf.txt", &fmt_rfc, 10, 9, 0, 0, 0, 0, 0 },
	{ "rfc-angle.txt", &fmt_rfc, 10, 9, 0, 0, 0, 0, 0 },
	{ "rfc-arrow.txt", &fmt_rfc, 5, 7, 0, 0, 0, 0, 0 },
	{ "rfc-crlf.txt", &fmt_rfc, 10, 8, 0, 0, 0, 0, 0 },
	{ "rfc-indented.txt", &fmt_rfc, 10, 11, 0, 0, 0, 1, 0 },
	{ "rfc-markers.txt", &fmt_rfc, 3, 5, 2, 2, 0, 1, 0 },
	{ "rfc-narration.txt", &fmt_rfc, 10, 9, 1, 0, 0, 0, 0 },
};

#ifdef TOP_SRCDIR
#define FMT_TESTDATA	TOP_SRCDIR "/testdata/fmt"
#else
#define FMT_TESTDATA	"testdata/fmt"
#endif

static void
fmt_path(char *path, size_t size, const char *name)
{
	const char	*dir = getenv("FMT_TESTDATA");

	snprintf(path, size, "%s/%s", dir != NULL ? dir : FMT_TESTDATA, name);
}

static char *
fmt_slurp(const char *name, size_t *len)
{
	char		 path[1024];
	char		*buf;
	FILE		*f;
	long		 n;

	fmt_path(path, sizeof(path), name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

START_TEST(fmt_test_files)
{
	const struct fmt_file_case	*c = &fmt_file_cases[_i];
	struct fmt_rec			*r = malloc(sizeof(*r));
	size_t				 len;
	char				*buf = fmt_slurp(c->file, &len);

	ck_assert_ptr_nonnull(r);
	fmt_feed(c->fmt, buf, len, r);
	ck_assert_msg(r->count[EV_CLIENT] == c->client &&
	    r->count[EV_SERVER] == c->server &&
	    r->count[EV_SESSION_START] == c->start &&
	    r->count[EV_SESSION_END] == c->end &&
	    r->count[EV_TLS] == c->tls && r->unparsed == c->unparsed &&
	    r->hidden == c->hidden,
	    "%s: client %zu server %zu start %zu end %zu tls %zu unparsed %zu "
	    "hidden %zu", c->file, r->count[EV_CLIENT], r->count[EV_SERVER],
	    r->count[EV_SESSION_START], r->count[EV_SESSION_END],
	    r->count[EV_TLS], r->unparsed, r->hidden);
	free(buf);
	free(r);
}
END_TEST

/*
 * Every sample scores highest for its own adapter over its first 64 lines
 * (what format.c holds for detection), both summed and as the best single
 * line.
 */
START_TEST(fmt_test_probe_files)
{
	const struct fmt_file_case	*c = &fmt_file_cases[_i];
	size_t				 len, start = 0, i, k, nl = 0;
	char				*buf = fmt_slurp(c->file, &len);
	long				 sum[FMT_NALL] = { 0 };
	int				 max[FMT_NALL] = { 0 };
	struct line			 l;
	size_t				 own = FMT_NALL;

	for (k = 0; k < FMT_NALL; k++)
		if (fmt_all[k] == c->fmt)
			own = k;
	ck_assert_uint_lt(own, FMT_NALL);
	while (start < len && nl < 64) {
		char	*e = memchr(buf + start, '\n', len - start);
		size_t	 end = e != NULL ? (size_t)(e - buf) : len;

		memset(&l, 0, sizeof(l));
		l.bytes = buf + start;
		l.len = end - start;
		l.eol = e != NULL ? EOL_LF : EOL_NONE;
		if (l.len > 0 && l.bytes[l.len - 1] == '\r') {
			l.len--;
			l.eol = EOL_CRLF;
		}
		for (k = 0; k < FMT_NALL; k++) {
			int s = fmt_all[k]->probe(&l);

			sum[k] += s;
			if (s > max[k])
				max[k] = s;
		}
		start = end + 1;
		nl++;
	}
	for (i = 0; i < FMT_NALL; i++) {
		if (i == own)
			continue;
		ck_assert_msg(sum[i] < sum[own], "%s: %s sums %ld >= %s %ld",
		    c->file, fmt_all[i]->name, sum[i], c->fmt->name, sum[own]);
		ck_assert_msg(max[i] <= max[own], "%s: %s max %d > %s %d",
		    c->file, fmt_all[i]->name, max[i], c->fmt->name, max[own]);
	}
	free(buf);
}
END_TEST

/*
 * The samples through the real front of the pipeline: input.c reads them,
 * format.c detects the adapter, and the events are those counted above.
 */
START_TEST(fmt_test_detect)
{
	const struct fmt_file_case	*c = &fmt_file_cases[_i];
	struct fmt_rec			*r = calloc(1, sizeof(*r));
	struct event_sink		 sink = { fmt_rec_emit, r };
	struct stats			 stats;
	struct format_stream		*fs;
	struct input			*in;
	struct line			 l;
	char				 path[1024];
	int				 rc;

	ck_assert_ptr_nonnull(r);
	memset(&stats, 0, sizeof(stats));
	fmt_path(path, sizeof(path), c->file);
	ck_assert_ptr_nonnull(in = input_open(path));
	fs = format_stream_new(NULL, &sink, &stats);
	while ((rc = input_next(in, &l)) == 1)
		format_stream_line(fs, &l);
	ck_assert_int_eq(rc, 0);
	format_stream_end(fs);
	ck_assert_msg(format_stream_adapter(fs) == c->fmt, "%s: detected %s",
	    c->file, format_stream_adapter(fs) != NULL ?
	    format_stream_adapter(fs)->name : "nothing");
	ck_assert_uint_eq(r->count[EV_CLIENT], c->client);
	ck_assert_uint_eq(r->count[EV_SERVER], c->server);
	ck_assert_uint_eq(r->count[EV_TLS], c->tls);
	ck_assert_uint_eq(stats.unparsed_lines, c->unparsed);
	format_stream_free(fs);
	input_free(in);
	free(r);
}
END_TEST

/*
 * A log fed in runs (format_stream_lines, as main.c does) gives what it
 * gives a line at a time: the same events in the same order, the log's
 * clock every FORMAT_CLOCK_LINES lines, and the same counts of lines read,
 * understood, not understood and cut, runs crossing detection included.
 */
static void
fmt_feed_log(struct fmt_rec *r, struct stats *st, size_t run,
    unsigned long *used)
{
	struct event_sink	 sink = { fmt_rec_emit, r };
	struct format_stream	*fs;
	struct line		 l[8];
	static char		 buf[8][200];
	size_t			 i, k = 0;

	memset(st, 0, sizeof(*st));
	fs = format_stream_new(NULL, &sink, st);
	for (i = 0; i < 700; i++) {
		memset(&l[k], 0, sizeof(l[k]));
		if (i % 97 == 5)
			snprintf(buf[k], sizeof(buf[k]), "Nov 22 10:%02zu:00 mx "
			    "dovecot: imap-login: Login: user=<u%zu>", i % 60,
			    i);
		else if (i % 3 == 0)
			snprintf(buf[k], sizeof(buf[k]), "Nov 22 10:%02zu:00 mx "
			    "postfix/smtpd[%zu]: connect from c.example"
			    "[192.0.2.1]", i % 60, 100 + i / 3);
		else if (i % 3 == 1)
			snprintf(buf[k], sizeof(buf[k]), "Nov 22 10:%02zu:00 mx "
			    "postfix/smtpd[%zu]: NOQUEUE: reject: RCPT from "
			    "c.example[192.0.2.1]: 550 5.1.1 <u@example.org>: "
			    "Recipient address rejected; proto=ESMTP",
			    i % 60, 100 + i / 3);
		else
			snprintf(buf[k], sizeof(buf[k]), "Nov 22 10:%02zu:00 mx "
			    "postfix/smtpd[%zu]: disconnect from c.example"
			    "[192.0.2.1] ehlo=1 mail=1 rcpt=0/1 commands=2/3",
			    i % 60, 100 + i / 3);
		l[k].no = i + 1;
		l[k].bytes = buf[k];
		l[k].len = l[k].full_len = strlen(buf[k]);
		l[k].eol = EOL_LF;
		l[k].is_truncated = i == 400;
		if (l[k].is_truncated)
			l[k].full_len += 1000;
		l[k].is_partial = i == 699;
		if (++k == run || i == 699) {
			if (run == 1)
				format_stream_line(fs, &l[0]);
			else
				format_stream_lines(fs, l, k);
			k = 0;
		}
	}
	format_stream_end(fs);
	*used = format_stream_used(fs);
	format_stream_free(fs);
}

START_TEST(fmt_test_runs)
{
	struct fmt_rec		*one = calloc(1, sizeof(*one));
	struct fmt_rec		*runs = calloc(1, sizeof(*runs));
	struct stats		*st1 = calloc(1, sizeof(*st1));
	struct stats		*st2 = calloc(1, sizeof(*st2));
	unsigned long		 used1, used2;
	size_t			 i;

	ck_assert(one && runs && st1 && st2);
	fmt_feed_log(one, st1, 1, &used1);
	fmt_feed_log(runs, st2, 7, &used2);
	/* what the line-at-a-time path is known to give */
	ck_assert_uint_eq(st1->lines, 700);
	ck_assert_uint_eq(st1->unparsed_lines, 9);	/* 8 dovecot, partial */
	ck_assert_uint_eq(st1->truncated_lines, 1);
	ck_assert_uint_eq(one->count[EV_CLOCK], 2);	/* lines 256, 512 */
	ck_assert_uint_gt(one->count[EV_LOG_REPLY], 200);
	/* and the runs the same */
	ck_assert_uint_eq(used1, used2);
	ck_assert_uint_eq(st2->lines, st1->lines);
	ck_assert_uint_eq(st2->unparsed_lines, st1->unparsed_lines);
	ck_assert_uint_eq(st2->truncated_lines, st1->truncated_lines);
	ck_assert_uint_eq(runs->n, one->n);
	for (i = 0; i <= EV_CLOCK; i++)
		ck_assert_uint_eq(runs->count[i], one->count[i]);
	for (i = 0; i < FMT_REC_MAX && i < one->n; i++) {
		ck_assert_int_eq(runs->ev[i].kind, one->ev[i].kind);
		ck_assert_uint_eq(runs->ev[i].line, one->ev[i].line);
		ck_assert_uint_eq(runs->ev[i].len, one->ev[i].len);
	}
	free(one);
	free(runs);
	free(st1);
	free(st2);
}
END_TEST

/*
 * Lines no probe knows (another program's, garbage) do not use up the 64
 * lines of detection: a transcript after 300 of them is still found, and
 * after 9000 (more than the 1 MiB held), which are then counted as not
 * understood and dropped, so memory stays bounded.
 */
static const struct format_adapter *
fmt_detect_after(size_t nneutral, size_t ntail, size_t *unparsed,
    unsigned long *by_dovecot)
{
	struct fmt_rec			*r = calloc(1, sizeof(*r));
	struct event_sink		 sink = { fmt_rec_emit, r };
	static const char *const	 tail[] = { "S: 220 mx ESMTP",
	    "C: EHLO x", "S: 250 mx", "C: QUIT", "S: 221 bye" };
	const struct format_adapter	*a;
	struct format_stream		*fs;
	struct stats			 stats;
	struct line			 l;
	char				 buf[200];
	size_t				 i;

	ck_assert_ptr_nonnull(r);
	memset(&stats, 0, sizeof(stats));
	fs = format_stream_new(NULL, &sink, &stats);
	for (i = 0; i < nneutral + ntail; i++) {
		memset(&l, 0, sizeof(l));
		if (i < nneutral)
			snprintf(buf, sizeof(buf), "Nov 22 10:00:00 mx dovecot: "
			    "imap-login: Login: user=<u%zu>, method=PLAIN, "
			    "rip=192.0.2.9, lip=192.0.2.25, mpid=%zu, TLS, "
			    "session=<abcdefghijklmnop>", i, i);
		else
			snprintf(buf, sizeof(buf), "%s", tail[i - nneutral]);
		l.no = i + 1;
		l.bytes = buf;
		l.len = l.full_len = strlen(buf);
		l.eol = EOL_LF;
		format_stream_line(fs, &l);
	}
	format_stream_end(fs);
	a = format_stream_adapter(fs);
	*unparsed = stats.unparsed_lines;
	/* the summary's "by program": one program, one exact entry */
	*by_dovecot = 0;
	if (stats.unparsed_prog.n > 0) {
		ck_assert_uint_eq(stats.unparsed_prog.n, 1);
		ck_assert_uint_eq(stats.unparsed_prog.e[0].len, 7);
		ck_assert(memcmp(stats.unparsed_prog.e[0].key, "dovecot", 7) ==
		    0);
		ck_assert_uint_eq(stats.unparsed_prog.e[0].err, 0);
		*by_dovecot = stats.unparsed_prog.e[0].count;
	}
	format_stream_free(fs);
	free(r);
	return a;
}

START_TEST(fmt_test_detect_late)
{
	size_t unparsed;
	unsigned long dc;

	/* held, then replayed through the format found */
	ck_assert_ptr_eq(fmt_detect_after(300, 5, &unparsed, &dc), &fmt_rfc);
	ck_assert_uint_eq(unparsed, 300);
	ck_assert_uint_eq(dc, 300);
	/* dropped when 1 MiB is held, then fed */
	ck_assert_ptr_eq(fmt_detect_after(9000, 5, &unparsed, &dc), &fmt_rfc);
	ck_assert_uint_eq(unparsed, 9000);
	ck_assert_uint_eq(dc, 9000);
	/* nothing but such lines: nothing is detected, all are counted */
	ck_assert_ptr_null(fmt_detect_after(9000, 0, &unparsed, &dc));
	ck_assert_uint_eq(unparsed, 9000);
	ck_assert_uint_eq(dc, 9000);
	/* lines without a syslog header have no program */
	ck_assert_ptr_eq(fmt_detect_after(0, 5, &unparsed, &dc), &fmt_rfc);
	ck_assert_uint_eq(dc, 0);
}
END_TEST

/* The adapters' contract: names, functions, and NULL-safe free. */
START_TEST(fmt_test_contract)
{
	const struct format_adapter	*a = fmt_all[_i];
	size_t				 k;

	ck_assert_ptr_nonnull(a->name);
	ck_assert_ptr_nonnull(a->description);
	ck_assert(!a->is_log);
	ck_assert_ptr_nonnull(a->probe);
	ck_assert_ptr_nonnull(a->new);
	ck_assert_ptr_nonnull(a->free);
	ck_assert_ptr_nonnull(a->line);
	a->free(NULL);
	for (k = 0; k < FMT_NALL; k++)
		if (k != (size_t)_i)
			ck_assert_str_ne(a->name, fmt_all[k]->name);
}
END_TEST

static Suite *
fmt_suite(void)
{
	Suite	*s = suite_create("fmt");
	TCase	*tc;

	tc = tcase_create("lines");
	tcase_add_loop_test(tc, fmt_test_cases, 0,
	    FMT_NELEM(fmt_cases));
	tcase_add_loop_test(tc, fmt_test_msmtp_chunks, 0,
	    FMT_NELEM(fmt_chunk_cases));
	tcase_add_test(tc, fmt_test_msmtp_three_chunks);
	tcase_add_loop_test(tc, fmt_test_smtplib_cut, 0,
	    FMT_NELEM(fmt_cut_cases));
	tcase_add_loop_test(tc, fmt_test_truncated, 0,
	    FMT_NELEM(fmt_trunc_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("util");
	tcase_add_loop_test(tc, fmt_test_words, 0, FMT_NELEM(fmt_words_cases));
	tcase_add_loop_test(tc, fmt_test_pytime, 0,
	    FMT_NELEM(fmt_pytime_cases));
	tcase_add_loop_test(tc, fmt_test_contract, 0, (int)FMT_NALL);
	suite_add_tcase(s, tc);

	tc = tcase_create("probe");
	tcase_add_loop_test(tc, fmt_test_probe_lines, 0,
	    FMT_NELEM(fmt_probe_cases));
	tcase_add_loop_test(tc, fmt_test_probe_files, 0,
	    FMT_NELEM(fmt_file_cases));
	tcase_add_test(tc, fmt_test_detect_late);
	tcase_add_test(tc, fmt_test_runs);
	tcase_add_loop_test(tc, fmt_test_detect, 0,
	    FMT_NELEM(fmt_file_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_loop_test(tc, fmt_test_files, 0,
	    FMT_NELEM(fmt_file_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(fmt_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
