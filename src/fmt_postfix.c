/*
 * fmt_postfix: Postfix logs as syslog writes them (RFC 3164, RFC 3339 and
 * journald short-iso and short-precise timestamps; RFC 5424), any syslog_name
 * ("postfix/smtpd", "postfix/submission/smtpd", "postfix-in/smtpd").
 *
 * An smtpd session is keyed by "host program[pid]" between "connect from"
 * and "disconnect from" (a pid serves one connection at a time).  What the
 * log shows of it: rejections ("NOQUEUE: reject: RCPT from …: 550 …"),
 * "improper command pipelining after X", the disconnect line's command
 * counters, and with debug_peer_list the whole dialogue ("< host: EHLO x",
 * "> host: 250-…").  A dialogue counts as complete (no EVF_PARTIAL, so the
 * sequencing checks run) only when its connect line was seen and the
 * greeting is its first dialogue line; every other session is partial and
 * judged only on what the log shows.  The smtp/lmtp clients' "host X said:
 * 550 … (in reply to RCPT TO command)" and postscreen's rejections become
 * sessions of their own.  Lines of other programs in the same file are not
 * understood (counted as unparsed); every other Postfix line is used.
 *
 * The hot path is a few memchr/memcmp on the syslog header and the first
 * bytes of the message; no allocation per line.  The adapter keeps a small
 * fixed table of session states (which sessions are complete dialogues);
 * a collision only makes a session partial.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "hash.h"
#include "fmt_util.h"
#include "format.h"
#include "logfmt.h"
#include "xalloc.h"

#define PF_SLOTS	16384		/* session states kept (power of 2) */
#define PF_KEY_MAX	128		/* session key bytes (session.c's cap) */

enum pf_prog {
	PF_NONE,			/* not Postfix */
	PF_SMTPD,
	PF_CLIENT,			/* smtp, lmtp */
	PF_POSTSCREEN,
	PF_CLEANUP,
	PF_DAEMON			/* any other Postfix program */
};

enum pf_state {
	PF_ST_NONE,			/* nothing known */
	PF_ST_CONNECTED,		/* connect seen, nothing since */
	PF_ST_FULL,			/* complete dialogue: connect, greeting */
	PF_ST_LOGONLY,			/* log lines, no dialogue */
	PF_ST_DLG_WAIT,			/* dialogue joined late: wait for a
					 * client line before pairing */
	PF_ST_DLG			/* partial dialogue */
};

struct pf_slot {
	uint64_t	 hash;		/* of the key; 0: free */
	uint8_t		 state;		/* enum pf_state */
};

struct pf_state_tab {
	struct pf_slot	 slot[PF_SLOTS];
	char		 key[PF_KEY_MAX];	/* one-event session keys */
	char		 reply[600];		/* a reply the log implies */
};

/* Postfix daemon names (postconf -M and the commands in $daemon_directory). */
static const char *const pf_daemons[] = {
	"anvil", "bounce", "cleanup", "discard", "dnsblog", "error", "flush",
	"local", "master", "oqmgr", "pickup", "pipe", "postdrop",
	"postfix-script", "postlog", "postmap", "postqueue", "postsuper",
	"proxymap", "qmgr", "qmqpd", "scache", "sendmail", "showq", "spawn",
	"tlsmgr", "tlsproxy", "trivial-rewrite", "verify", "virtual",
	"postalias", "postmulti", "postconf", "postkick", "postlock",
	"defer", "trace", "retry", "rewrite", NULL
};

/* Does P (N bytes) end with the string literal S? */
#define PF_SUFFIX(p, n, s) \
	((n) >= sizeof(s) - 1 && memcmp((p) + (n) - (sizeof(s) - 1), (s), \
	    sizeof(s) - 1) == 0)

static enum pf_prog
pf_program(const char *p, size_t n)
{
	const char *slash, *tail;
	size_t tn, i;

	/* The last component names the daemon: "postfix/smtpd",
	 * "postfix-in/submission/smtpd". */
	if (PF_SUFFIX(p, n, "/smtpd"))
		return PF_SMTPD;
	if (PF_SUFFIX(p, n, "/smtp") || PF_SUFFIX(p, n, "/lmtp"))
		return PF_CLIENT;
	if (PF_SUFFIX(p, n, "/postscreen"))
		return PF_POSTSCREEN;
	if (PF_SUFFIX(p, n, "/cleanup"))
		return PF_CLEANUP;
	if (n >= 7 && memcmp(p, "postfix", 7) == 0)
		return PF_DAEMON;
	if ((slash = logfmt_chr(p, p + n, '/')) == NULL)
		return PF_NONE;
	/* Another syslog_name: a Postfix daemon's name after a '/'. */
	tail = p + n;
	while (tail > slash + 1 && tail[-1] != '/')
		tail--;
	tn = (size_t)(p + n - tail);
	for (i = 0; pf_daemons[i] != NULL; i++)
		if (strlen(pf_daemons[i]) == tn &&
		    memcmp(pf_daemons[i], tail, tn) == 0)
			return PF_DAEMON;
	return PF_NONE;
}

static int
pf_probe(const struct line *l)
{
	struct logfmt_syslog sl;
	enum pf_prog pp;

	if (!logfmt_syslog(l->bytes, l->len, &sl))
		return 0;
	pp = pf_program(sl.prog, sl.proglen);
	if (pp == PF_NONE)
		return 0;	/* another program's: says nothing of the MTA */
	if (pp == PF_SMTPD && (LOGFMT_PREFIX(sl.msg, sl.msglen, "connect from ") ||
	    LOGFMT_PREFIX(sl.msg, sl.msglen, "disconnect from ")))
		return 100;
	return 80;
}

static void *
pf_new(void)
{
	struct pf_state_tab *t = xcalloc(1, sizeof(*t));

	/* hashed session states: a busy log touches every page soon */
	xprefault(t->slot, sizeof(t->slot));
	return t;
}

static void
pf_free(void *st)
{
	free(st);
}

/* The key's hash, never 0 (a free slot); session.c hashes keys alike, so
 * that an event can carry it (event.keyhash). */
static uint64_t
pf_hash(const char *k, size_t n)
{
	return hash_key(k, n);
}

static struct pf_slot *
pf_slot(struct pf_state_tab *t, uint64_t h)
{
	return &t->slot[(h ^ (h >> 29)) & (PF_SLOTS - 1)];
}

static enum pf_state
pf_get(struct pf_state_tab *t, uint64_t h)
{
	struct pf_slot *s = pf_slot(t, h);

	return s->hash == h ? (enum pf_state)s->state : PF_ST_NONE;
}

static void
pf_set(struct pf_state_tab *t, uint64_t h, enum pf_state st)
{
	struct pf_slot *s = pf_slot(t, h);

	s->hash = h;
	s->state = (uint8_t)st;
}

static void
pf_clear(struct pf_state_tab *t, uint64_t h)
{
	struct pf_slot *s = pf_slot(t, h);

	if (s->hash == h)
		s->hash = 0;
}

static unsigned
pf_flags(enum pf_state st)
{
	return st == PF_ST_FULL ? 0 : EVF_PARTIAL;
}

static void
pf_emit(const struct event_sink *sink, struct event *ev)
{
	sink->emit(sink->ctx, ev);
}

static void
pf_simple(const struct event_sink *sink, enum event_kind kind,
    const struct line *l, const char *key, size_t keylen, uint64_t h,
    unsigned flags)
{
	struct event ev = event_make(kind, l->no);

	ev.key = key;
	ev.keylen = keylen;
	ev.keyhash = h;
	ev.flags = flags;
	pf_emit(sink, &ev);
}

/* A protocol fact the whole line L shows (EV_LOG_NOTE), in session KEY. */
static void
pf_note(const struct event_sink *sink, const struct line *l, enum log_note note,
    const char *cmd, size_t cmdlen, const char *key, size_t keylen,
    unsigned flags)
{
	struct event ev = event_make(EV_LOG_NOTE, l->no);

	ev.note = note;
	ev.text = l->bytes;
	ev.len = l->len;
	ev.command = cmd;
	ev.commandlen = cmdlen;
	ev.key = key;
	ev.keylen = keylen;
	ev.flags = flags;
	pf_emit(sink, &ev);
}

/*
 * The command a Postfix reject names ("RCPT from"), as smtplint's rules
 * call it: END-OF-MESSAGE is the end of data, CONNECT the greeting.
 */
static void
pf_command(const char *c, size_t n, const char **cmd, size_t *cmdlen)
{
	if (n == 14 && memcmp(c, "END-OF-MESSAGE", 14) == 0) {
		*cmd = "END-OF-DATA";
		*cmdlen = 11;
	} else if (n == 7 && memcmp(c, "CONNECT", 7) == 0) {
		/* smtpd_delay_reject=no: the reject replaces the greeting */
		*cmd = "GREETING";
		*cmdlen = 8;
	} else if (n == 0 || (n == 7 && memcmp(c, "UNKNOWN", 7) == 0)) {
		*cmd = NULL;
		*cmdlen = 0;
	} else {
		*cmd = c;
		*cmdlen = n;
	}
}

/* The client's "in reply to X command" (smtp_chat.c, smtp_proto.c). */
static void
pf_in_reply_to(const char *c, size_t n, const char **cmd, size_t *cmdlen)
{
	static const struct {
		const char	*log;
		const char	*verb;
	} map[] = {
		{ "end of DATA", "END-OF-DATA" },
		{ "RCPT TO", "RCPT" },
		{ "MAIL FROM", "MAIL" },
		{ "LHLO", "EHLO" },	/* RFC 2033 4.1: LMTP's EHLO */
		{ "DATA", "DATA" }, { "EHLO", "EHLO" }, { "HELO", "HELO" },
		{ "STARTTLS", "STARTTLS" }, { "AUTH", "AUTH" },
		{ "QUIT", "QUIT" }, { "RSET", "RSET" }, { "BDAT", "BDAT" },
		{ "XFORWARD", "XFORWARD" }, { "XCLIENT", "XCLIENT" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].log) == n && memcmp(map[i].log, c, n) == 0) {
			*cmd = map[i].verb;
			*cmdlen = strlen(map[i].verb);
			return;
		}
	*cmd = NULL;
	*cmdlen = 0;
}

/* The end of a reject's reply: the "; from=<" that Postfix appends
 * (smtpd_check.c log_whatsup), or "; to=<", "; proto=". */
static size_t
pf_reply_end(const char *r, size_t n)
{
	const char *q;

	if ((q = LOGFMT_FIND(r, n, "; from=<")) != NULL ||
	    (q = LOGFMT_FIND(r, n, "; to=<")) != NULL ||
	    (q = LOGFMT_FIND(r, n, "; proto=")) != NULL)
		return (size_t)(q - r);
	return n;
}

/* "to=<x@y>" in the tail of a reject line, angle brackets included. */
static void
pf_rcpt(const char *p, size_t n, struct event *ev)
{
	const char *q, *e;

	if ((q = LOGFMT_FIND(p, n, "to=<")) == NULL)
		return;
	q += 3;
	if ((e = memchr(q, '>', (size_t)(p + n - q))) == NULL)
		return;
	ev->rcpt = q;
	ev->rcptlen = (size_t)(e - q) + 1;
}

/* postscreen's refusals of a connection log no code: "NOQUEUE: reject:
 * CONNECT from [addr]:port: too many connections".  postscreen.c sends
 * these 421s; *EV gets the one for the text at R (RL bytes), if any. */
static void
pf_busy(const char *r, size_t rl, struct event *ev)
{
	static const struct {
		const char	*log;
		const char	*reply;
	} busy[] = {
		{ "too many connections",
		    "421 4.7.0 Error: too many connections" },
		{ "all server ports busy", "421 4.3.2 All server ports are busy" },
		{ "all screening ports busy",
		    "421 4.3.2 All screening ports are busy" },
	};
	size_t i;

	for (i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
		if (strlen(busy[i].log) == rl &&
		    memcmp(busy[i].log, r, rl) == 0) {
			ev->text = busy[i].reply;
			ev->len = strlen(busy[i].reply);
			return;
		}
}

/*
 * "QUEUEID: reject: CMD from NAMADDR: REPLY; from=<…> to=<…> proto=… helo=<…>"
 * at M (after the queue id's ": ").  KEY: the session; FLAGS for it.
 * Returns false if it is not a reject (the line is then only used).
 */
/* The client "host[addr]" from NA to END for the summary; postscreen's
 * "[addr]:port" without the port, so that a client's connections add up. */
static size_t
pf_client_len(const char *na, const char *end)
{
	const char *q = end;

	while (q > na && q[-1] >= '0' && q[-1] <= '9')
		q--;
	if (q < end && q - na >= 3 && q[-1] == ':' && q[-2] == ']')
		return (size_t)(q - 1 - na);
	return (size_t)(end - na);
}

static bool
pf_reject(const char *m, size_t n, const struct line *l,
    const struct event_sink *sink, const char *key, size_t keylen,
    uint64_t h, unsigned flags)
{
	struct event ev;
	const char *end = m + n, *c, *from, *na, *r;
	size_t rl;

	if (LOGFMT_PREFIX(m, n, "reject: "))
		c = m + 8;
	else if (LOGFMT_PREFIX(m, n, "milter-reject: "))
		c = m + 15;
	else
		return false;
	/* reject_warning, discard, hold, filter, redirect: no reply sent. */
	if ((from = memchr(c, ' ', (size_t)(end - c))) == NULL ||
	    !LOGFMT_PREFIX(from, (size_t)(end - from), " from "))
		return false;
	na = from + 6;
	/* NAMADDR is "host[addr]" (postscreen: "[addr]:port"); the reply
	 * follows the first ": " after the ']'. */
	if ((r = memchr(na, ']', (size_t)(end - na))) == NULL ||
	    (r = LOGFMT_FIND(r, (size_t)(end - r), ": ")) == NULL)
		return false;
	ev = event_make(EV_LOG_REPLY, l->no);
	ev.client = na;
	ev.clientlen = pf_client_len(na, r);
	r += 2;
	rl = pf_reply_end(r, (size_t)(end - r));
	ev.text = r;
	ev.len = rl;
	if (rl >= 3 && (r[0] < '2' || r[0] > '5'))
		pf_busy(r, rl, &ev);
	if (ev.len < 3 || ev.text[0] < '2' || ev.text[0] > '5')
		return false;
	pf_command(c, (size_t)(from - c), &ev.command, &ev.commandlen);
	pf_rcpt(r + rl, (size_t)(end - r - rl), &ev);
	ev.key = key;
	ev.keylen = keylen;
	ev.keyhash = h;
	ev.flags = flags;
	pf_emit(sink, &ev);
	return true;
}

/* The number at P (before a '/', if any), capped: a run of digits must
 * not overflow. */
static long
pf_number(const char *p, const char *end)
{
	long v;

	for (v = 0; p < end && *p >= '0' && *p <= '9'; p++)
		if (v < 100000000)
			v = v * 10 + (*p - '0');
	return v;
}

/*
 * The disconnect line's statistics (smtpd.c), in one pass over its words:
 * the accepted DATA and RCPT commands ("data=1", "rcpt=0/1": accepted,
 * then attempted; -1 when not shown) and whether "notes=" holds bare_lf.
 */
static void
pf_disconnect_stats(const char *p, size_t n, long *data, long *rcpt,
    bool *bare_lf)
{
	const char *end = p + n, *w;

	*data = *rcpt = -1;
	*bare_lf = false;
	for (w = p; (w = logfmt_chr(w, end, ' ')) != NULL; ) {
		w++;
		if (end - w < 6)
			break;
		if (*data < 0 && memcmp(w, "data=", 5) == 0)
			*data = pf_number(w + 5, end);
		else if (*rcpt < 0 && memcmp(w, "rcpt=", 5) == 0)
			*rcpt = pf_number(w + 5, end);
		else if (memcmp(w, "notes=", 6) == 0) {
			const char *e = logfmt_chr(w, end, ' ');

			if (LOGFMT_FIND(w + 6, (size_t)((e ? e : end) - w - 6),
			    "bare_lf") != NULL)
				*bare_lf = true;
		}
	}
}

/* "< host[addr]: EHLO x" and "> host[addr]: 250-…" (debug_peer_list). */
static bool
pf_dialogue(struct pf_state_tab *t, const struct logfmt_syslog *sl,
    const struct line *l, const struct event_sink *sink)
{
	struct event ev;
	const char *m = sl->msg, *end = sl->msg + sl->msglen, *q;
	bool is_client = m[0] == '<';
	uint64_t h = pf_hash(sl->key, sl->keylen);
	enum pf_state st = pf_get(t, h);

	if ((q = memchr(m + 2, ']', sl->msglen - 2)) == NULL ||
	    !LOGFMT_PREFIX(q, (size_t)(end - q), "]: ")) {
		/* "< host[addr]:" with nothing after it: an empty line. */
		if (q == NULL || q + 2 != end)
			return false;
		q = end - 3;
	}
	q += 3;
	switch (st) {
	case PF_ST_CONNECTED:
		/* RFC 5321 3.1: the greeting comes first; a session whose
		 * dialogue starts with it is complete. */
		if (!is_client && end - q >= 3 && (memcmp(q, "220", 3) == 0 ||
		    memcmp(q, "421", 3) == 0 || memcmp(q, "554", 3) == 0)) {
			st = PF_ST_FULL;
			break;
		}
		/* FALLTHROUGH */
	case PF_ST_NONE:
	case PF_ST_LOGONLY:
	case PF_ST_DLG_WAIT:
		/* Joined in the middle: replies before the first command
		 * seen would pair with nothing. */
		st = is_client ? PF_ST_DLG : PF_ST_DLG_WAIT;
		break;
	case PF_ST_FULL:
	case PF_ST_DLG:
		break;
	}
	pf_set(t, h, st);
	if (st == PF_ST_DLG_WAIT) {
		(void)fmt_util_late_reply(sink, l, q, (size_t)(end - q),
		    sl->key, sl->keylen, 0);
		return true;
	}
	ev = event_make(is_client ? EV_CLIENT : EV_SERVER, l->no);
	ev.text = q;
	ev.len = (size_t)(end - q);
	ev.is_truncated = l->is_truncated;
	ev.key = sl->key;
	ev.keylen = sl->keylen;
	ev.keyhash = h;
	ev.flags = pf_flags(st);
	pf_emit(sink, &ev);
	return true;
}

/* The flags of a reply smtpd logs (a reject, a failed AUTH) in the session
 * of key hash H, which the log now shows without its dialogue, if it showed
 * nothing before.  With debug_peer_list the dialogue shows the reply too:
 * it then counts for the summary only. */
static unsigned
pf_logged(struct pf_state_tab *t, uint64_t h)
{
	enum pf_state st = pf_get(t, h);

	if (st == PF_ST_CONNECTED || st == PF_ST_NONE)
		pf_set(t, h, st = PF_ST_LOGONLY);
	return pf_flags(st) | (st == PF_ST_FULL || st == PF_ST_DLG ||
	    st == PF_ST_DLG_WAIT ? EVF_STATS_ONLY : 0);
}

/*
 * "warning: NAMADDR: SASL LOGIN authentication failed: REASON[,
 * sasl_username=u]" at Q (" authentication failed: "): the log has no
 * code, but smtpd_sasl_glue.c answers "535 5.7.8 Error: authentication
 * failed: REASON" (454 4.7.0 only when the SASL server fails for the
 * moment, which the log does not tell apart).  The reply to AUTH.
 */
static void
pf_sasl(struct pf_state_tab *t, const struct logfmt_syslog *sl,
    const struct line *l, const struct event_sink *sink, const char *q)
{
	static const char pre[] = "535 5.7.8 Error: authentication failed: ";
	struct event ev;
	const char *m = sl->msg, *end = m + sl->msglen, *na = m + 9, *s, *why;
	size_t wl;

	/* NAMADDR ends at ": SASL " */
	if ((s = LOGFMT_FIND(na, (size_t)(q - na), ": SASL ")) == NULL ||
	    s == na)
		return;
	why = q + 24;
	if ((wl = (size_t)(end - why)) > sizeof(t->reply) - sizeof(pre))
		wl = sizeof(t->reply) - sizeof(pre);
	if ((q = LOGFMT_FIND(why, wl, ", sasl_username=")) != NULL)
		wl = (size_t)(q - why);
	memcpy(t->reply, pre, sizeof(pre) - 1);
	memcpy(t->reply + sizeof(pre) - 1, why, wl);
	ev = event_make(EV_LOG_REPLY, l->no);
	ev.text = t->reply;
	ev.len = sizeof(pre) - 1 + wl;
	ev.command = "AUTH";
	ev.commandlen = 4;
	ev.client = na;
	ev.clientlen = (size_t)(s - na);
	ev.key = sl->key;
	ev.keylen = sl->keylen;
	ev.keyhash = pf_hash(sl->key, sl->keylen);
	ev.flags = pf_logged(t, ev.keyhash);
	pf_emit(sink, &ev);
}

/* What smtpd logs besides the dialogue. */
static bool
pf_smtpd(struct pf_state_tab *t, const struct logfmt_syslog *sl,
    const struct line *l, const struct event_sink *sink)
{
	const char *m = sl->msg, *end = sl->msg + sl->msglen, *q, *c;
	size_t n = sl->msglen;
	uint64_t h;
	enum pf_state st;
	long data, rcpt;
	bool bare_lf;

	if (n >= 2 && (m[0] == '<' || m[0] == '>') && m[1] == ' ')
		return pf_dialogue(t, sl, l, sink);
	if (LOGFMT_PREFIX(m, n, "connect from ")) {
		h = pf_hash(sl->key, sl->keylen);
		pf_set(t, h, PF_ST_CONNECTED);
		pf_simple(sink, EV_SESSION_START, l, sl->key, sl->keylen, h, 0);
		return true;
	}
	if (LOGFMT_PREFIX(m, n, "disconnect from ")) {
		h = pf_hash(sl->key, sl->keylen);
		st = pf_get(t, h);
		/* smtpd.c: "ehlo=1 mail=1 rcpt=0/1 data=1 … commands=N/M",
		 * accepted/attempted per command.  Every accepted DATA needs
		 * an accepted RCPT (RFC 5321 3.3); a complete dialogue shows
		 * that itself. */
		pf_disconnect_stats(m, n, &data, &rcpt, &bare_lf);
		if (st != PF_ST_FULL && data > 0 && rcpt < data) {
			pf_note(sink, l, NOTE_DATA_NO_RCPT, NULL, 0, sl->key,
			    sl->keylen, EVF_PARTIAL);
		}
		if (bare_lf) {
			pf_note(sink, l, NOTE_BARE_LF, NULL, 0, sl->key,
			    sl->keylen, pf_flags(st));
		}
		pf_clear(t, h);
		pf_simple(sink, EV_SESSION_END, l, sl->key, sl->keylen, h, 0);
		return true;
	}
	if (LOGFMT_PREFIX(m, n, "improper command pipelining after ")) {
		c = m + 34;
		if ((q = memchr(c, ' ', (size_t)(end - c))) == NULL)
			q = end;
		h = pf_hash(sl->key, sl->keylen);
		st = pf_get(t, h);
		pf_note(sink, l, NOTE_PIPELINING, c, (size_t)(q - c), sl->key,
		    sl->keylen, pf_flags(st));
		return true;
	}
	if ((m[0] >= '0' && m[0] <= '9') || (m[0] >= 'A' && m[0] <= 'Z')) {
		/* "QUEUEID: …" or "NOQUEUE: …": queue ids are hex (short
		 * ids) or base 52 with digits (long ids), at most 20 bytes. */
		q = logfmt_chr(m, m + (n < 24 ? n : 24), ':');
		if (q != NULL && q + 2 < end && q[1] == ' ' &&
		    (q[2] == 'r' || q[2] == 'm')) {
			h = pf_hash(sl->key, sl->keylen);
			pf_reject(q + 2, (size_t)(end - q - 2), l, sink, sl->key,
			    sl->keylen, h, pf_logged(t, h));
			return true;
		}
	}
	/* tls_server.c: "Anonymous TLS connection established from …", or
	 * Untrusted, Trusted, Verified; looked for only after those. */
	if (n > 40 && (m[0] == 'A' || m[0] == 'T' || m[0] == 'U' ||
	    m[0] == 'V') && LOGFMT_FIND(m, 40,
	    "TLS connection established from") != NULL) {
		h = pf_hash(sl->key, sl->keylen);
		st = pf_get(t, h);
		if (st == PF_ST_FULL || st == PF_ST_CONNECTED)
			pf_simple(sink, EV_TLS, l, sl->key, sl->keylen, h, 0);
		return true;
	}
	if (LOGFMT_PREFIX(m, n, "warning: ") &&
	    (q = LOGFMT_FIND(m, n, " authentication failed: ")) != NULL) {
		pf_sasl(t, sl, l, sink, q);
		return true;
	}
	if (LOGFMT_PREFIX(m, n, "warning: ") &&
	    LOGFMT_FIND(m, n, "bare <LF>") != NULL) {
		pf_note(sink, l, NOTE_BARE_LF, NULL, 0, sl->key, sl->keylen,
		    EVF_PARTIAL);
		return true;
	}
	/* lost connection / timeout / too many errors after X, TLS, SASL,
	 * warnings, client=, verbose logging: understood, nothing to judge. */
	return true;
}

/*
 * The key of a session within process SL's: "host program[pid] PART" in
 * t->key, cut at PF_KEY_MAX bytes as session.c cuts keys (a syslog host
 * name may be long); its length.
 */
static size_t
pf_subkey(struct pf_state_tab *t, const struct logfmt_syslog *sl,
    const char *part, size_t partlen)
{
	size_t n = sl->keylen < PF_KEY_MAX ? sl->keylen : PF_KEY_MAX;

	memcpy(t->key, sl->key, n);
	if (n < PF_KEY_MAX)
		t->key[n++] = ' ';
	if (partlen > PF_KEY_MAX - n)
		partlen = PF_KEY_MAX - n;
	memcpy(t->key + n, part, partlen);
	return n + partlen;
}

/* EV, a logged reply of a message with queue id QID, as a session of its
 * own keyed by this process and the queue id. */
static void
pf_alone(struct pf_state_tab *t, const struct logfmt_syslog *sl,
    const struct line *l, const struct event_sink *sink, struct event *ev,
    const char *qid, size_t qidlen)
{
	size_t keylen = pf_subkey(t, sl, qid, qidlen);

	ev->key = t->key;
	ev->keylen = keylen;
	ev->flags = EVF_PARTIAL;
	pf_simple(sink, EV_SESSION_START, l, t->key, keylen, 0,
	    EVF_PARTIAL | EVF_ALONE);
	pf_emit(sink, ev);
	pf_simple(sink, EV_SESSION_END, l, t->key, keylen, 0, EVF_PARTIAL);
}

/*
 * The smtp/lmtp client: "QUEUEID: to=<…>, relay=…, dsn=5.1.1,
 * status=bounced (host X said: 550 5.1.1 … (in reply to RCPT TO command))",
 * "… (host X refused to talk to me: 554 …)" and "QUEUEID: host X said: …".
 * Each such reply becomes a session of one event.
 */
static bool
pf_client(struct pf_state_tab *t, const struct logfmt_syslog *sl,
    const struct line *l, const struct event_sink *sink)
{
	struct event ev;
	const char *m = sl->msg, *end = m + sl->msglen, *q, *r, *re, *c;
	const char *qid = m;
	size_t n = sl->msglen, qidlen;
	bool is_greeting = false, in_status;

	if ((q = logfmt_chr(m, m + (n < 24 ? n : 24), ':')) == NULL ||
	    q + 2 >= end)
		return true;
	qidlen = (size_t)(q - m);
	q += 2;
	/* "to=<…>, … status=… (reply)", or "host X said: …" alone */
	if ((in_status = LOGFMT_PREFIX(q, (size_t)(end - q), "to=<"))) {
		/* dsn=2.x.x: delivered, nothing to explain */
		if ((r = LOGFMT_FIND(q, (size_t)(end - q), ", dsn=")) == NULL ||
		    r + 6 >= end || r[6] == '2')
			return true;
	} else if (!LOGFMT_PREFIX(q, (size_t)(end - q), "host "))
		return true;
	if ((r = LOGFMT_FIND(q, (size_t)(end - q), " said: ")) != NULL)
		r += 7;
	else if ((r = LOGFMT_FIND(q, (size_t)(end - q),
	    " refused to talk to me: ")) != NULL) {
		r += 24;
		is_greeting = true;
	} else
		return true;
	ev = event_make(EV_LOG_REPLY, l->no);
	if ((re = LOGFMT_FIND(r, (size_t)(end - r), " (in reply to ")) != NULL) {
		c = re + 14;
		q = LOGFMT_FIND(c, (size_t)(end - c), " command)");
		if (q != NULL)
			pf_in_reply_to(c, (size_t)(q - c), &ev.command,
			    &ev.commandlen);
	} else {
		/* "status=deferred (host X refused to talk to me: 421 busy
		 * (later))": one ')' closes the status; a line of its own
		 * ("QUEUEID: host X refused …") has none around the reply. */
		re = end;
		if (in_status && re > r && re[-1] == ')')
			re--;
		if (is_greeting) {
			ev.command = "GREETING";
			ev.commandlen = 8;
		}
	}
	if (re - r < 3 || r[0] < '2' || r[0] > '5')
		return true;
	ev.text = r;
	ev.len = (size_t)(re - r);
	pf_rcpt(m, (size_t)(r - m), &ev);
	pf_alone(t, sl, l, sink, &ev, qid, qidlen);
	return true;
}

/*
 * cleanup: a message refused by a milter or by a header or body check.
 * "QUEUEID: milter-reject: END-OF-MESSAGE from NAMADDR: 5.7.1 text;
 * from=<…> to=<…> proto=… helo=<…>" and "QUEUEID: reject: header
 * Subject: x from NAMADDR; from=<…> to=<…> proto=… helo=<…>: 5.7.1 text"
 * (cleanup_milter.c, cleanup_message.c).  The log keeps the enhanced code
 * and the text, not the reply code the client got (550 or 451 unless the
 * milter chose another): the rejection counts for the summary under the
 * text as logged, and nothing is judged that the log does not show.  A
 * session of one event, like the smtp client's.
 */
static bool
pf_cleanup(struct pf_state_tab *t, const struct logfmt_syslog *sl,
    const struct line *l, const struct event_sink *sink)
{
	struct event ev;
	const char *m = sl->msg, *end = m + sl->msglen, *q, *c, *f, *r, *e;
	size_t n = sl->msglen, qidlen;

	if ((q = logfmt_chr(m, m + (n < 24 ? n : 24), ':')) == NULL ||
	    end - q < 3 || q[1] != ' ')
		return true;
	qidlen = (size_t)(q - m);
	c = q + 2;
	ev = event_make(EV_LOG_REPLY, l->no);
	if (LOGFMT_PREFIX(c, (size_t)(end - c), "milter-reject: ")) {
		/* "END-OF-MESSAGE from NAMADDR: 5.7.1 text; from=<…" */
		c += 15;
		if ((f = LOGFMT_FIND(c, (size_t)(end - c), " from ")) == NULL ||
		    (e = memchr(f, ']', (size_t)(end - f))) == NULL ||
		    !LOGFMT_PREFIX(e, (size_t)(end - e), "]: "))
			return true;
		pf_command(c, (size_t)(f - c), &ev.command, &ev.commandlen);
		ev.client = f + 6;
		ev.clientlen = (size_t)(e + 1 - ev.client);
		r = e + 3;
		ev.len = pf_reply_end(r, (size_t)(end - r));
	} else if (LOGFMT_PREFIX(c, (size_t)(end - c), "reject: header ") ||
	    LOGFMT_PREFIX(c, (size_t)(end - c), "reject: body ")) {
		/* The header may hold " from " itself: the client is named
		 * by the last one before the envelope; the reply is last. */
		if ((e = LOGFMT_FIND(c, (size_t)(end - c), "; from=<")) == NULL)
			return true;
		for (f = NULL, q = c; (q = LOGFMT_FIND(q, (size_t)(e - q),
		    " from ")) != NULL; q += 6)
			f = q;
		for (r = NULL, q = e; (q = LOGFMT_FIND(q, (size_t)(end - q),
		    ": ")) != NULL; q += 2)
			if (end - q > 4 && (q[2] == '4' || q[2] == '5') &&
			    q[3] == '.')
				r = q + 2;
		if (f == NULL || r == NULL)
			return true;
		ev.command = "END-OF-DATA";
		ev.commandlen = 11;
		ev.client = f + 6;
		ev.clientlen = (size_t)(e - ev.client);
		ev.len = (size_t)(end - r);
	} else
		return true;	/* milter-discard, milter-hold, warnings */
	/* "5.7.1 text": an enhanced code, then the milter's words */
	if (ev.len < 6 || (r[0] != '4' && r[0] != '5') || r[1] != '.')
		return true;
	ev.text = r;
	pf_rcpt(r, (size_t)(end - r), &ev);
	if (ev.rcpt == NULL)	/* reject: header: the envelope comes first */
		pf_rcpt(c, (size_t)(end - c), &ev);
	pf_alone(t, sl, l, sink, &ev, m, qidlen);
	return true;
}

/* The "[addr]:port" after " from " in postscreen's message M, or NULL. */
static const char *
pf_from(const char *m, size_t n)
{
	const char *a = LOGFMT_FIND(m, n, " from [");

	return a != NULL ? a + 6 : NULL;
}

/*
 * postscreen: "NOQUEUE: reject: RCPT from [addr]:port: 550 …; from=<…>,
 * to=<…>, proto=ESMTP, helo=<…>", "PREGREET 11 after 0.1 from
 * [addr]:port: EHLO x\r\n", "COMMAND PIPELINING from [addr]:port after
 * EHLO: …", "BARE NEWLINE from [addr]:port after …".  Keyed by the
 * client's address and port; such a session ends at DISCONNECT or PASS.
 */
static bool
pf_postscreen(struct pf_state_tab *t, const struct logfmt_syslog *sl,
    const struct line *l, const struct event_sink *sink)
{
	const char *m = sl->msg, *end = m + sl->msglen, *a, *ae, *c = NULL;
	size_t n = sl->msglen, keylen, cl = 0;
	enum log_note note = NOTE_NONE;

	/* a: the client's "[addr]:port" */
	if (LOGFMT_PREFIX(m, n, "NOQUEUE: "))
		a = pf_from(m, n);
	else if (LOGFMT_PREFIX(m, n, "PREGREET ")) {
		note = NOTE_PREGREET;	/* no command: the greeting was due */
		a = pf_from(m, n);
	} else if (LOGFMT_PREFIX(m, n, "COMMAND PIPELINING from ")) {
		note = NOTE_PIPELINING;
		a = m + 24;
	} else if (LOGFMT_PREFIX(m, n, "BARE NEWLINE from ")) {
		note = NOTE_BARE_LF;
		a = m + 18;
	} else if (LOGFMT_PREFIX(m, n, "DISCONNECT ["))
		a = m + 11;
	else if (LOGFMT_PREFIX(m, n, "PASS NEW [") ||
	    LOGFMT_PREFIX(m, n, "PASS OLD ["))
		a = m + 9;
	else
		return true;
	if (a == NULL)
		return true;
	/* "[addr]:port", ended by a blank or ": " */
	for (ae = a; (ae = scan_chr2(ae, end, ' ', ':')) != NULL &&
	    *ae == ':' && !(ae + 1 < end && ae[1] == ' '); ae++)
		;
	if (ae == NULL)
		ae = end;
	keylen = pf_subkey(t, sl, a, (size_t)(ae - a));
	if (m[0] == 'D' || (m[0] == 'P' && m[1] == 'A')) {
		pf_simple(sink, EV_SESSION_END, l, t->key, keylen, 0, EVF_PARTIAL);
		return true;
	}
	if (note == NOTE_NONE)
		return pf_reject(m + 9, n - 9, l, sink, t->key, keylen, 0,
		    EVF_PARTIAL) || true;
	if (note != NOTE_PREGREET && (c = LOGFMT_FIND(ae, (size_t)(end - ae),
	    " after ")) != NULL) {
		c += 7;
		for (cl = 0; c + cl < end && c[cl] != ':' && c[cl] != ' '; cl++)
			;
	}
	pf_note(sink, l, note, cl > 0 ? c : NULL, cl, t->key, keylen,
	    EVF_PARTIAL);
	return true;
}

static bool
pf_line(void *st, const struct line *l, const struct event_sink *sink)
{
	struct logfmt_syslog sl;

	if (!logfmt_syslog(l->bytes, l->len, &sl)) {
		/* journalctl's "-- Boot …" / "-- No entries --" markers */
		return LOGFMT_PREFIX(l->bytes, l->len, "-- ");
	}
	switch (pf_program(sl.prog, sl.proglen)) {
	case PF_SMTPD:
		return pf_smtpd(st, &sl, l, sink);
	case PF_CLIENT:
		return pf_client(st, &sl, l, sink);
	case PF_POSTSCREEN:
		return pf_postscreen(st, &sl, l, sink);
	case PF_CLEANUP:
		return pf_cleanup(st, &sl, l, sink);
	case PF_DAEMON:
		return true;
	case PF_NONE:
		break;
	}
	/* Another program's line in the same syslog file: not read. */
	return false;
}

const struct format_adapter fmt_postfix = {
	.name = "postfix",
	.description = "Postfix syslog (RFC 3164/3339, journald), debug_peer_list dialogues",
	.is_log = true,
	.probe = pf_probe,
	.new = pf_new,
	.free = pf_free,
	.line = pf_line,
	.end = NULL,
};
