/*
 * fmt_exim: Exim 4 main log and reject log ("2026-11-22 19:01:02 [pid]
 * [msgid] text", spec chapter "Log files"), and the SMTP lines of Exim's
 * debug output (exim -d: "SMTP<< EHLO x", "SMTP>> 250-…").
 *
 * What becomes an event:
 *  - "… SMTP error from remote mail server after RCPT TO:<x>: 550 5.1.1 …"
 *    (deliveries "**", deferrals "==", retries): the reply with the command
 *    it answered, as a session of one event keyed by the message id;
 *  - "authenticator failed for H=… [ip]: 535 …": the reply to AUTH;
 *  - "SMTP protocol synchronization error (…)": NOTE_SYNC_ERROR;
 *  - "rejected RCPT <x>: why", "rejected MAIL", "rejected EHLO", "rejected
 *    connection": Exim logs no code here.  The reply Exim sends for an ACL
 *    deny is 550 and for a defer ("temporarily rejected") 451 unless the
 *    ACL's message says otherwise, so these count in the summary's
 *    rejections with that code but are never judged (EVF_STATS_ONLY);
 *  - debug dialogue lines: client and server lines of a transcript session;
 *    a line of reply code form is the server's, so the transport's
 *    "SMTP<< 250 …" and the daemon's "SMTP>> 250 …" both come out right.
 * Every other line with an Exim timestamp, and the header lines of the
 * reject log, is used.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "logfmt.h"
#include "xalloc.h"

#define EXIM_KEY_MAX	128

struct exim_state {
	char		 key[EXIM_KEY_MAX];
	char		 synth[600];	/* "550 why" of a rejected line */
	bool		 in_reply;	/* a debug "SMTP>> 250-…" goes on */
};

/* "2026-11-22 19:01:02" with optional ".fff" and " +0100": its length. */
static size_t
exim_stamp(const char *p, size_t len)
{
	long long t;
	size_t used;

	if (len < 20 || p[10] != ' ' || !logfmt_time(p, len, &t, &used) ||
	    used >= len || p[used] != ' ')
		return 0;
	return used + 1;
}

/* Exim message ids: "1tEXaB-0004Xy-Ab" (6-6-2) and, since 4.97,
 * "1tEXaB-00000004Xy-ABCD" (6-11-4). */
static size_t
exim_msgid(const char *p, size_t len)
{
	if (len > 16 && p[6] == '-' && p[13] == '-' && p[16] == ' ')
		return 16;
	if (len > 23 && p[6] == '-' && p[18] == '-' && p[23] == ' ')
		return 23;
	return 0;
}

/* "SMTP<< " / "SMTP>> " in a debug line (after a pid or time stamp). */
static const char *
exim_debug(const char *p, size_t len)
{
	const char *q;
	size_t n = len < 40 ? len : 40;

	if ((q = LOGFMT_FIND(p, n, "SMTP<< ")) == NULL &&
	    (q = LOGFMT_FIND(p, n, "SMTP>> ")) == NULL)
		return NULL;
	return q;
}

static int
exim_probe(const struct line *l)
{
	const char *p = l->bytes;
	size_t n, s;

	if ((s = exim_stamp(p, l->len)) == 0)
		return exim_debug(p, l->len) != NULL ? 70 : 0;
	p += s;
	n = l->len - s;
	if (n > 0 && p[0] == '[')	/* log_selector +pid */
		return 60;
	if ((s = exim_msgid(p, n)) > 0) {
		if (n > s + 3 && (memcmp(p + s + 1, "<= ", 3) == 0 ||
		    memcmp(p + s + 1, "=> ", 3) == 0 ||
		    memcmp(p + s + 1, "** ", 3) == 0 ||
		    memcmp(p + s + 1, "== ", 3) == 0 ||
		    memcmp(p + s + 1, "-> ", 3) == 0 ||
		    memcmp(p + s + 1, "Completed", 9) == 0))
			return 100;
		return 60;
	}
	if (LOGFMT_PREFIX(p, n, "H=") || LOGFMT_PREFIX(p, n, "SMTP "))
		return 60;
	return 20;
}

static void *
exim_new(void)
{
	return xcalloc(1, sizeof(struct exim_state));
}

static void
exim_free(void *st)
{
	free(st);
}

/* The command of "after X: " (transports/smtp.c, check_response()). */
static void
exim_after(const char *c, size_t n, const char **cmd, size_t *cmdlen)
{
	static const struct {
		const char	*log;
		const char	*verb;
	} map[] = {
		{ "RCPT TO:", "RCPT" }, { "MAIL FROM:", "MAIL" },
		{ "end of data", "END-OF-DATA" }, { "pipelined DATA", "DATA" },
		{ "DATA", "DATA" }, { "initial connection", "GREETING" },
		{ "EHLO", "EHLO" }, { "HELO", "HELO" }, { "LHLO", "EHLO" },
		{ "STARTTLS", "STARTTLS" }, { "AUTH", "AUTH" },
		{ "BDAT", "BDAT" }, { "QUIT", "QUIT" }, { "RSET", "RSET" },
		{ "pipelined end of data", "END-OF-DATA" },
	};
	size_t i, k;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		k = strlen(map[i].log);
		if (n >= k && memcmp(c, map[i].log, k) == 0) {
			*cmd = map[i].verb;
			*cmdlen = strlen(map[i].verb);
			return;
		}
	}
	*cmd = NULL;
	*cmdlen = 0;
}

/* One event in a session of its own keyed KEY. */
static void
exim_one(const struct event_sink *sink, struct event *ev, const char *key,
    size_t keylen)
{
	struct event b = event_make(EV_SESSION_START, ev->line);

	b.key = key;
	b.keylen = keylen;
	b.flags = EVF_PARTIAL | EVF_ALONE;
	sink->emit(sink->ctx, &b);
	ev->key = key;
	ev->keylen = keylen;
	ev->flags |= EVF_PARTIAL;
	sink->emit(sink->ctx, ev);
	b.kind = EV_SESSION_END;
	sink->emit(sink->ctx, &b);
}

static size_t
exim_key(struct exim_state *st, const char *pfx, const char *p, size_t n)
{
	size_t k = strlen(pfx);

	if (k + n > EXIM_KEY_MAX)
		n = EXIM_KEY_MAX - k;
	memcpy(st->key, pfx, k);
	memcpy(st->key + k, p, n);
	return k + n;
}

/* "H=name (helo) [ip]:port …": the client as "name [ip]" up to the
 * first blank after ']' (or the whole H= word). */
static size_t
exim_client(const char *h, const char *end)
{
	const char *q = memchr(h, ']', (size_t)(end - h));

	if (q == NULL || q - h > 200)
		q = memchr(h, ' ', (size_t)(end - h));
	else
		q++;
	return q ? (size_t)(q - h) : (size_t)(end - h);
}

static bool
exim_debug_line(struct exim_state *st, const struct line *l, const char *q,
    const struct event_sink *sink)
{
	struct event ev;
	const char *t = q + 7, *end = l->bytes + l->len;
	bool is_reply = end - t >= 3 && t[0] >= '2' && t[0] <= '5' &&
	    t[1] >= '0' && t[1] <= '9' && t[2] >= '0' && t[2] <= '9' &&
	    (end - t == 3 || t[3] == ' ' || t[3] == '-');

	ev = event_make(is_reply ? EV_SERVER : EV_CLIENT, l->no);
	ev.text = t;
	ev.len = (size_t)(end - t);
	ev.is_truncated = l->is_truncated;
	sink->emit(sink->ctx, &ev);
	st->in_reply = is_reply && end - t > 3 && t[3] == '-';
	return true;
}

static bool
exim_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct exim_state *st = vst;
	struct event ev;
	const char *p = l->bytes, *end = l->bytes + l->len, *q, *r, *c;
	size_t n = l->len, s, k;

	if ((s = exim_stamp(p, n)) == 0) {
		if ((q = exim_debug(p, n)) != NULL)
			return exim_debug_line(st, l, q, sink);
		if (st->in_reply && n >= 4 && p[0] >= '2' && p[0] <= '5' &&
		    (p[3] == ' ' || p[3] == '-')) {
			/* the next line of a multiline reply in -d output */
			ev = event_make(EV_SERVER, l->no);
			ev.text = p;
			ev.len = n;
			sink->emit(sink->ctx, &ev);
			st->in_reply = p[3] == '-';
			return true;
		}
		/* Reject log: the message's header lines and envelope. */
		return LOGFMT_PREFIX(p, n, "Envelope-from: ") ||
		    LOGFMT_PREFIX(p, n, "Envelope-to: ") ||
		    (n >= 2 && (p[0] == ' ' || p[0] == '\t')) ||
		    (n >= 3 && p[1] == ' ' && ((p[0] >= 'A' && p[0] <= 'Z') ||
		    p[0] == '*')) ||
		    LOGFMT_PREFIX(p, n, "----------");
	}
	p += s;
	n -= s;
	if (n > 0 && p[0] == '[' && (q = memchr(p, ']', n < 16 ? n : 16)) !=
	    NULL && q + 1 < end && q[1] == ' ') {
		n -= (size_t)(q + 2 - p);	/* "[pid] " */
		p = q + 2;
	}
	if ((k = exim_msgid(p, n)) > 0) {
		const char *msgid = p;

		/* "** x R=… T=… H=h [ip]: SMTP error from remote mail server
		 * after RCPT TO:<x>: 550 …" (also "==", retry lines) */
		if ((q = LOGFMT_FIND(p, n, "SMTP error from remote mail server after ")) ==
		    NULL)
			return true;
		c = q + 41;
		if ((r = LOGFMT_FIND(c, (size_t)(end - c), ": ")) == NULL)
			return true;
		/* "RCPT TO:<a@b>: 550" - the address holds no ": " */
		ev = event_make(EV_LOG_REPLY, l->no);
		exim_after(c, (size_t)(r - c), &ev.command, &ev.commandlen);
		if (ev.command != NULL && ev.command[0] == 'R' &&
		    ev.command[1] == 'C') {
			ev.rcpt = c + 8;
			ev.rcptlen = (size_t)(r - c - 8);
		}
		r += 2;
		if (end - r < 3 || r[0] < '2' || r[0] > '5')
			return true;
		ev.text = r;
		ev.len = (size_t)(end - r);
		exim_one(sink, &ev, st->key, exim_key(st, "exim ", msgid, k));
		return true;
	}
	if ((q = LOGFMT_FIND(p, n, " authenticator failed for ")) != NULL) {
		/* "dovecot_login authenticator failed for H=(x) [ip]: 535 …" */
		c = q + 26;
		if (LOGFMT_PREFIX(c, (size_t)(end - c), "H="))
			c += 2;
		if ((r = LOGFMT_FIND(c, (size_t)(end - c), "]: ")) == NULL ||
		    end - r < 6)
			return true;
		ev = event_make(EV_LOG_REPLY, l->no);
		ev.command = "AUTH";
		ev.commandlen = 4;
		ev.client = c;
		ev.clientlen = (size_t)(r + 1 - c);
		ev.text = r + 3;
		ev.len = (size_t)(end - r - 3);
		if (ev.text[0] < '4' || ev.text[0] > '5')
			return true;
		exim_one(sink, &ev, st->key, exim_key(st, "exim ", c,
		    (size_t)(r + 1 - c)));
		return true;
	}
	if (LOGFMT_PREFIX(p, n, "SMTP protocol synchronization error (")) {
		/* RFC 5321 4.3.1 / RFC 2920 3.1: input before the reply.
		 * "(input sent without waiting for greeting)" or "(next input
		 * sent too soon: pipelining was not advertised)" */
		ev = event_make(EV_LOG_NOTE, l->no);
		ev.note = NOTE_SYNC_ERROR;
		ev.text = l->bytes;
		ev.len = l->len;
		if (LOGFMT_FIND(p, n, "without waiting for greeting") != NULL) {
			ev.command = "CONNECT";
			ev.commandlen = 7;
		}
		if ((q = LOGFMT_FIND(p, n, "H=")) == NULL)
			q = p;
		exim_one(sink, &ev, st->key, exim_key(st, "exim ", q,
		    exim_client(q, end)));
		return true;
	}
	/* "H=(helo) [ip] F=<s> rejected RCPT <r>: why" and "temporarily
	 * rejected": no code in the log; Exim's default code for the
	 * summary only. */
	if ((q = LOGFMT_FIND(p, n, "rejected ")) != NULL &&
	    (LOGFMT_PREFIX(p, n, "H=") || LOGFMT_PREFIX(p, n, "U="))) {
		bool is_temp = q - p >= 12 &&
		    memcmp(q - 12, "temporarily ", 12) == 0;
		const char *why = LOGFMT_FIND(q, (size_t)(end - q), ": ");
		size_t wl;

		ev = event_make(EV_LOG_REPLY, l->no);
		ev.flags = EVF_STATS_ONLY;
		ev.client = p + 2;
		ev.clientlen = exim_client(p + 2, end);
		if (LOGFMT_PREFIX(q, (size_t)(end - q), "rejected RCPT <")) {
			ev.rcpt = q + 14;
			r = memchr(ev.rcpt, '>', (size_t)(end - ev.rcpt));
			ev.rcptlen = r ? (size_t)(r + 1 - ev.rcpt) : 0;
			if (r == NULL)
				ev.rcpt = NULL;
		}
		why = why ? why + 2 : q;
		wl = (size_t)(end - why);
		if (wl > sizeof(st->synth) - 5)
			wl = sizeof(st->synth) - 5;
		memcpy(st->synth, is_temp ? "451 " : "550 ", 4);
		memcpy(st->synth + 4, why, wl);
		ev.text = st->synth;
		ev.len = wl + 4;
		sink->emit(sink->ctx, &ev);
		return true;
	}
	/* <=, =>, Completed, SMTP connection from, protocol errors, too many
	 * unrecognized commands, queue runs, TLS errors … */
	return true;
}

const struct format_adapter fmt_exim = {
	.name = "exim",
	.description = "Exim 4 main and reject log, exim -d SMTP<< / SMTP>> lines",
	.is_log = true,
	.probe = exim_probe,
	.new = exim_new,
	.free = exim_free,
	.line = exim_line,
	.end = NULL,
};
