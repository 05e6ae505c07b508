/*
 * fmt_exim: Exim 4 main log and reject log ("2026-11-22 19:01:02 [pid]
 * [msgid] text", spec chapter "Log files"), the same entries in syslog
 * ("… exim[pid]: 2026-11-22 …", exim_syslog()), and the SMTP lines of
 * Exim's debug output (exim -d: "SMTP<< EHLO x", "SMTP>> 250-…").
 *
 * What becomes an event:
 *  - "SMTP connection from [ip]:port … (TCP/IP connection count = N)"
 *    (log_selector +smtp_connection) starts a session keyed by the
 *    client's "[ip]:port" ("[ip]" without +incoming_port); the other
 *    "SMTP connection from … closed by QUIT | lost …" lines, "unexpected
 *    disconnection", "SMTP call from … dropped" and the synchronization
 *    errors (Exim drops the connection) end it.  The daemon logs the
 *    start, the child the rest: the key is the client, not the pid.
 *    Until a log shows such a start, its rejections are sessions of one
 *    event each (without +smtp_connection nothing ends a session);
 *  - "… SMTP error from remote mail server after RCPT TO:<x>: 550 5.1.1 …"
 *    (deliveries "**", deferrals "==", retries): the reply with the command
 *    it answered, as a session of one event keyed by the message id;
 *  - "authenticator failed for H=… [ip]: 535 …": the reply to AUTH;
 *  - "SMTP protocol synchronization error (…)": NOTE_SYNC_ERROR;
 *  - "rejected RCPT <x>: why", "rejected MAIL", "rejected EXPN", "rejected
 *    after DATA", "rejected connection": Exim logs no code here.  An ACL
 *    deny is answered 550 and a defer ("temporarily rejected") 451 unless
 *    the ACL's message starts with a code of its own (then the log shows
 *    it); "message too big" is always 552 (smtp_in.c, receive.c).  Such a
 *    line is the reply with that code, judged like a logged one;
 *  - "SMTP syntax error in "X" … unrecognized command": 500;
 *  - debug dialogue lines: client and server lines of a transcript
 *    session per process ("  573 SMTP>> …"; the pid is the key, since
 *    every connection has a process of its own), started at the first
 *    SMTP line of a pid and ended at "SMTP>>(close…" / "SMTP(close)>>";
 *    a line of reply code form is the server's, so the transport's
 *    "SMTP<< 250 …" and the daemon's "SMTP>> 250 …" both come out right.
 * Every other line with an Exim timestamp is used (deliveries, queue
 * runs, "Completed" …: all of them Exim's) but one whose text starts with
 * a digit and no message id (another program's: IIS's W3C log); in the
 * reject log the envelope
 * and header lines after a rejection; the rest of the debug output (ACL
 * traces, routing, hints databases) is not understood and is counted so.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "hash.h"
#include "logfmt.h"
#include "xalloc.h"

#define EXIM_KEY_MAX	128
#define EXIM_PIDS	64	/* debug processes followed at once */
#define EXIM_SEEN	8	/* syslog messages kept to spot a copy */

struct exim_proc {
	char		 pid[12];	/* "" for lines without a pid column */
	bool		 is_used;
	bool		 is_open;	/* its session was started */
	bool		 in_reply;	/* a "SMTP>> 250-…" goes on */
};

struct exim_state {
	char		 key[EXIM_KEY_MAX];
	char		 synth[600];	/* "550 why" of a rejected line */
	char		 client[256];	/* a client without its HELO name */
	bool		 in_reject;	/* after a reject log entry: its header dump */
	bool		 in_entry;	/* after a main log entry: its indented
					 * continuation lines */
	bool		 has_conn;	/* a connection start was seen: the
					 * log has +smtp_connection */
	struct exim_proc procs[EXIM_PIDS];
	unsigned	 next;		/* the slot a new pid takes (round robin) */
	/* syslog: the last messages read, for the second copy of one */
	uint64_t	 seen[EXIM_SEEN];
	unsigned	 nseen;
	/* what the input is (exim_kind): entries only a main log has
	 * (arrivals, "Completed", connections), and rejections */
	unsigned long	 n_main_only;
	unsigned long	 n_rejected;
	struct exim_proc *last;		/* the process of the last dialogue line */
};

/* "2026-11-22 19:01:02" with optional ".fff" and " +0100": its length. */
static size_t
exim_stamp(const char *p, size_t len)
{
	size_t used;

	if (len < 20 || p[10] != ' ' || !logfmt_time_len(p, len, &used) ||
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

/*
 * Exim logging to syslog (log_file_path = syslog; log.c write_syslog()):
 * "host exim[pid]: " before the entry, with Exim's timestamp or without
 * (syslog_timestamp).  An entry of several lines (a reject log entry with
 * its headers) or of over 870 bytes comes in parts, "[1\5] …", "[2\5]
 * Envelope-from: <x>" … "[5/5] …".  *M is set to the entry after the
 * timestamp, *MLEN its length, *KEY and *KEYLEN to the process; 0: not such
 * a line, 1: an entry, 2: a part after the first, understood as it is.
 */
static int
exim_syslog(const struct line *l, const char **m, size_t *mlen,
    const char **key, size_t *keylen)
{
	struct logfmt_syslog sl;
	const char *p, *end, *q, *sep;
	size_t s;

	if (!logfmt_syslog(l->bytes, l->len, &sl) ||
	    !((sl.proglen == 4 && memcmp(sl.prog, "exim", 4) == 0) ||
	    (sl.proglen == 5 && memcmp(sl.prog, "exim4", 5) == 0)))
		return 0;
	p = sl.msg;
	end = p + sl.msglen;
	/* part i of n: "[2\9] …", "[9/9] …" */
	if (end - p > 1 && p[0] == '[' && p[1] >= '1' && p[1] <= '9') {
		for (sep = p + 2; sep < end && *sep >= '0' && *sep <= '9';
		    sep++)
			;
		if (sep < end && (*sep == '\\' || *sep == '/')) {
			for (q = sep + 1; q < end && *q >= '0' && *q <= '9'; q++)
				;
			if (q > sep + 1 && end - q > 1 && q[0] == ']' &&
			    q[1] == ' ') {
				if (sep != p + 2 || p[1] != '1')
					return 2;
				p = q + 2;
			}
		}
	}
	if ((s = exim_stamp(p, (size_t)(end - p))) > 0)
		p += s;
	*m = p;
	*mlen = (size_t)(end - p);
	*key = sl.key;
	*keylen = sl.keylen;
	return 1;
}

/* Whether the syslog entry M of process KEY is the second copy of one of
 * the last few: a rejection is logged for the main and then for the
 * reject log, both to syslog (syslog_duplication, on by default). */
static bool
exim_syslog_copy(struct exim_state *st, const char *key, size_t keylen,
    const char *m, size_t mlen)
{
	uint64_t h = hash_bytes(key, keylen) * 31 + hash_bytes(m, mlen);
	unsigned i;

	for (i = 0; i < EXIM_SEEN; i++)
		if (st->seen[i] == h)
			return true;
	st->seen[st->nseen++ % EXIM_SEEN] = h;
	return false;
}

/* A debug line: "  573 SMTP>> 250 OK", "  SMTP<< 220 x" (no pid column
 * outside the daemon), "  573        250-SIZE 1" (a reply's next line).
 * Points PID at the pid column (PIDLEN 0: none) and returns the text after
 * it and the blanks, or NULL when the line has no debug shape. */
static const char *
exim_debug_split(const char *p, size_t len, const char **pid,
    size_t *pidlen)
{
	const char *end = p + len, *q = p, *d;

	while (q < end && *q == ' ')
		q++;
	d = q;
	while (q < end && *q >= '0' && *q <= '9' && q - d < 10)
		q++;
	if (q > d && q < end && *q == ' ' && (d > p || q - d > 1)) {
		*pid = d;
		*pidlen = (size_t)(q - d);
	} else {
		*pid = p;
		*pidlen = 0;
		q = d;
	}
	while (q < end && *q == ' ')
		q++;
	return q < end ? q : NULL;
}

/* "SMTP<< ", "SMTP>> ", and the transport's buffered "SMTP+> ", "SMTP|> ":
 * the dialogue text after it, or NULL. */
static const char *
exim_debug_smtp(const char *t, const char *end)
{
	if (end - t < 7 || memcmp(t, "SMTP", 4) != 0 || t[6] != ' ')
		return NULL;
	if ((t[4] == '<' && t[5] == '<') || (t[4] == '>' && t[5] == '>') ||
	    ((t[4] == '+' || t[4] == '|') && t[5] == '>'))
		return t + 7;
	return NULL;
}

static bool
exim_is_code(const char *t, const char *end)
{
	return end - t >= 3 && t[0] >= '2' && t[0] <= '5' &&
	    t[1] >= '0' && t[1] <= '9' && t[2] >= '0' && t[2] <= '9' &&
	    (end - t == 3 || t[3] == ' ' || t[3] == '-');
}

/*
 * A line of Exim's own that exim -v (or -d) writes around the dialogue:
 * "LOG: MAIN" before each log entry (the entry follows, indented),
 * "delivering 1tEXaB-…", "Connecting to mx [ip]:25 ... connected", the
 * routing ("R: dnslookup for a@b", "T: remote_smtp for a@b") and the
 * lookup modules loaded at start.
 */
static bool
exim_verbose(const char *p, size_t n)
{
	return (LOGFMT_PREFIX(p, n, "LOG: ") && n > 5 && p[5] >= 'A' &&
	    p[5] <= 'Z') ||
	    (LOGFMT_PREFIX(p, n, "delivering ") && n >= 27 && p[17] == '-' &&
	    (p[24] == '-' || (n >= 34 && p[29] == '-'))) ||
	    LOGFMT_PREFIX(p, n, "Connecting to ") ||
	    ((LOGFMT_PREFIX(p, n, "R: ") || LOGFMT_PREFIX(p, n, "T: ")) &&
	    LOGFMT_FIND(p, n, " for ") != NULL) ||
	    LOGFMT_PREFIX(p, n, "Loading lookup modules from ") ||
	    (LOGFMT_PREFIX(p, n, "Loaded ") &&
	    LOGFMT_FIND(p, n, " lookup modules") != NULL);
}

/* How Exim's entries without a message id or H= begin (log.c callers):
 * queue runs, the daemon, DNS and TLS trouble, verification, ACLs. */
static const char *const exim_free_text[] = {
	"Start queue run", "End queue run", "exim ", "Exim ", "daemon ",
	"pid ", "cwd=", "SIGHUP", "TLS error", "TLS session", "no host name ",
	"no IP address ", "DKIM", "Spool ", "spool ", "Warning: ",
	"unexpected disconnection", "no MAIL in SMTP connection",
	"Connection from ", "Connection refused", "sender verify ",
	"verify failed", "U=", "F=", "rejected ", "temporarily rejected ",
	"Remote host ", "malware acl ", "spam acl ", "Failed ", "failed ",
	"lowest numbered MX ", "LOG: ", "ACL ", "Message is frozen",
	"Frozen", "Unfrozen", "Completed", "too many ", "Ignoring ",
	"unqualified ", "authenticator ", "string too long",
	"host name alias ", "DNS ", "tls_", "dropped: ", "Recipient ",
	"Sender ", "SMTP ", "H=", NULL
};

static int
exim_probe(const struct line *l)
{
	const char *p = l->bytes, *t, *pid, *end = l->bytes + l->len, *key;
	size_t n, s, pidlen, keylen, k;
	int sys;

	if ((s = exim_stamp(p, l->len)) == 0 &&
	    (sys = exim_syslog(l, &p, &n, &key, &keylen)) > 0) {
		if (sys == 2)
			return 20;
	} else if (s == 0) {
		if (LOGFMT_PREFIX(p, l->len, "Exim version ") &&
		    LOGFMT_FIND(p, l->len, " uid=") != NULL)
			return 100;	/* the first line of exim -d */
		if ((t = exim_debug_split(p, l->len, &pid, &pidlen)) == NULL)
			return 0;
		if (exim_debug_smtp(t, end) != NULL)
			return 70;
		return pidlen > 0 && p[0] == ' ' ? 5 : 0;
	} else {
		p += s;
		n = l->len - s;
	}
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
	/* Exim starts no entry with a digit but a message id's: "2006-10-09
	 * 14:04:46 69.217.186.117 - SMTPSVC1 …" is IIS's W3C log.  Other
	 * entries are free text: only Exim's own words tell it from any
	 * program that stamps its lines so ("… SERVER -> CLIENT: 220"). */
	for (k = 0; exim_free_text[k] != NULL; k++)
		if (fmt_util_has_prefix(p, n, exim_free_text[k],
		    strlen(exim_free_text[k])))
			return 20;
	return 0;
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

/* The client's address in "name (helo) [ip]:port I=[ip]:port …" from H
 * on: the first "[…]" not inside the HELO parentheses ("([192.0.2.1])"
 * is a HELO literal), with its ":port" (log_selector +incoming_port).
 * Returns its length and sets *addr, or 0. */
static size_t
exim_addr(const char *h, const char *end, const char **addr)
{
	const char *q, *r;

	for (q = h; q < end && (q = memchr(q, '[', (size_t)(end - q))) !=
	    NULL; q++) {
		if (q > h && q[-1] == '(')
			continue;
		if ((r = memchr(q, ']', (size_t)(end - q))) == NULL ||
		    r - q > 64)
			return 0;
		r++;
		if (r < end && *r == ':')
			for (r++; r < end && *r >= '0' && *r <= '9'; r++)
				;
		*addr = q;
		return (size_t)(r - q);
	}
	return 0;
}

/* After a client's address at P: past the fields log_selector may put
 * there, " I=[ip]:port" (+incoming_interface) and " Ci=N" (Exim 4.98's
 * connection id). */
static const char *
exim_skip_fields(const char *p, const char *end)
{
	const char *q;

	while (LOGFMT_PREFIX(p, (size_t)(end - p), " I=[") ||
	    LOGFMT_PREFIX(p, (size_t)(end - p), " Ci=")) {
		if ((q = memchr(p + 1, ' ', (size_t)(end - p - 1))) == NULL)
			return end;
		p = q;
	}
	return p;
}

/* The connection session of the client named from H on: its key in
 * st->key, or 0 when the line names no address. */
static size_t
exim_conn(struct exim_state *st, const char *h, const char *end)
{
	const char *a;
	size_t n = exim_addr(h, end, &a);

	return n > 0 ? exim_key(st, "exim ", a, n) : 0;
}

/* "H=name (helo) [ip]:port …": the client as written, up to the first
 * blank after ']' (or the whole H= word). */
static size_t
exim_client_len(const char *h, const char *end)
{
	const char *q = memchr(h, ']', (size_t)(end - h));

	if (q == NULL || q - h > 200)
		q = memchr(h, ' ', (size_t)(end - h));
	else
		q++;
	return q ? (size_t)(q - h) : (size_t)(end - h);
}

/* The client of EV from H on, for the summary: "name [ip]:port", without
 * the HELO name in parentheses, which the client chose ("(User)
 * [192.0.2.1]" is the client "[192.0.2.1]"). */
static void
exim_client(struct exim_state *st, struct event *ev, const char *h,
    const char *end)
{
	size_t n = exim_client_len(h, end), k = 0;
	const char *o, *c;

	ev->client = h;
	ev->clientlen = n;
	if ((o = memchr(h, '(', n)) == NULL || (o > h && o[-1] != ' ') ||
	    (c = memchr(o, ')', n - (size_t)(o - h))) == NULL ||
	    c + 1 >= h + n || c[1] != ' ' || n > sizeof(st->client))
		return;
	/* "name " before it, then what follows ") " */
	memcpy(st->client, h, (size_t)(o - h));
	k = (size_t)(o - h);
	memcpy(st->client + k, c + 2, n - (size_t)(c + 2 - h));
	k += n - (size_t)(c + 2 - h);
	ev->client = st->client;
	ev->clientlen = k;
}

/* Emit EV into the connection session KEY (st->key, KEYLEN), or into a
 * session of its own when the line names no connection. */
static void
exim_emit(struct exim_state *st, const struct event_sink *sink,
    struct event *ev, size_t keylen, const char *alone, size_t alonelen)
{
	/* Without +smtp_connection (the default) no line starts or ends a
	 * connection: each such line is a session of its own, rather than
	 * one that stays open until it is evicted. */
	if (keylen == 0 || !st->has_conn) {
		exim_one(sink, ev, st->key, exim_key(st, "exim ", alone,
		    alonelen));
		return;
	}
	ev->key = st->key;
	ev->keylen = keylen;
	ev->flags |= EVF_PARTIAL;
	sink->emit(sink->ctx, ev);
}

static void
exim_end(struct exim_state *st, const struct event_sink *sink,
    unsigned long no, size_t keylen)
{
	struct event ev = event_make(EV_SESSION_END, no);

	if (keylen == 0)
		return;
	ev.key = st->key;
	ev.keylen = keylen;
	sink->emit(sink->ctx, &ev);
}

/* The process PID's state; a new one when missing and CREATE, else NULL. */
static struct exim_proc *
exim_proc(struct exim_state *st, const char *pid, size_t pidlen, bool create)
{
	struct exim_proc *e;
	size_t i;

	if (pidlen >= sizeof(st->procs[0].pid))
		pidlen = sizeof(st->procs[0].pid) - 1;
	for (i = 0; i < EXIM_PIDS; i++) {
		e = &st->procs[i];
		if (e->is_used && strlen(e->pid) == pidlen &&
		    memcmp(e->pid, pid, pidlen) == 0)
			return e;
	}
	if (!create)
		return NULL;
	e = &st->procs[st->next];
	st->next = (st->next + 1) % EXIM_PIDS;
	memset(e, 0, sizeof(*e));
	memcpy(e->pid, pid, pidlen);
	e->is_used = true;
	return e;
}

static bool
exim_debug_line(struct exim_state *st, const struct line *l,
    const struct event_sink *sink)
{
	struct event ev;
	struct exim_proc *e;
	const char *end = l->bytes + l->len, *t, *x, *pid;
	size_t pidlen, keylen;
	bool is_reply;

	for (t = l->bytes; t < end && *t == ' '; t++)
		;
	e = exim_proc(st, "", 0, false);
	if (e == NULL || !e->is_open || !e->in_reply)
		e = st->last;
	if (e != NULL && e->is_open && e->in_reply && exim_is_code(t, end) &&
	    (e->pid[0] == '\0' || t == l->bytes)) {
		/* "         250 HELP" ends a reply of a process without a pid
		 * column (not pid 250); "250-SIZE 1" with no indent goes on
		 * with the reply before it */
		pid = e->pid;
		pidlen = strlen(e->pid);
	} else if ((t = exim_debug_split(l->bytes, l->len, &pid, &pidlen)) ==
	    NULL)
		return false;
	x = exim_debug_smtp(t, end);
	if (x == NULL && !LOGFMT_PREFIX(t, (size_t)(end - t), "SMTP(close)>>") &&
	    !LOGFMT_PREFIX(t, (size_t)(end - t), "SMTP>>(close") &&
	    !exim_is_code(t, end))
		return false;
	e = exim_proc(st, pid, pidlen, true);
	keylen = exim_key(st, "exim-d ", pid, pidlen);
	if (x == NULL && exim_is_code(t, end)) {
		/* the next line of a multiline reply */
		if (!e->is_open || !e->in_reply)
			return false;
		x = t;
		is_reply = true;
	} else if (x == NULL) {
		/* the process closes its connection */
		if (e->is_open)
			exim_end(st, sink, l->no, keylen);
		e->is_open = e->in_reply = false;
		return true;
	} else
		is_reply = exim_is_code(x, end);
	if (!e->is_open) {
		ev = event_make(EV_SESSION_START, l->no);
		ev.key = st->key;
		ev.keylen = keylen;
		sink->emit(sink->ctx, &ev);
		e->is_open = true;
	}
	ev = event_make(is_reply ? EV_SERVER : EV_CLIENT, l->no);
	ev.text = x;
	ev.len = (size_t)(end - x);
	ev.is_truncated = l->is_truncated;
	ev.key = st->key;
	ev.keylen = keylen;
	/* Exim's transport ("SMTP>> QUIT", "SMTP+> QUIT": Exim writes)
	 * closes after QUIT without reading the 221. */
	if (!is_reply && t + 6 <= end && t[5] == '>' && end - x == 4 &&
	    memcmp(x, "QUIT", 4) == 0)
		ev.flags |= EVF_NO_WAIT;
	sink->emit(sink->ctx, &ev);
	e->in_reply = is_reply && end - x > 3 && x[3] == '-';
	st->last = e;
	return true;
}

/* The command a "rejected X" names, Exim's code for it, and where its
 * reason starts. */
static const char *
exim_rejected(const char *q, const char *end, bool is_temp, char code[4],
    size_t *cmdlen)
{
	static const struct {
		const char	*log;
		const char	*verb;
		const char	*code;	/* ACL deny; defer is 451 */
	} map[] = {
		{ "rejected RCPT", "RCPT", "550" },
		{ "rejected MAIL", "MAIL", "550" },
		{ "rejected after DATA", "END-OF-DATA", "550" },
		{ "rejected DATA", "DATA", "550" },
		{ "rejected EHLO", "EHLO", "550" },
		{ "rejected HELO", "HELO", "550" },
		{ "rejected VRFY", "VRFY", "550" },
		{ "rejected EXPN", "EXPN", "550" },
		{ "rejected ETRN", "ETRN", "550" },
		{ "rejected from", "END-OF-DATA", "550" },
		/* local_scan.c: LOCAL_SCAN_REJECT is 550 after the data,
		 * LOCAL_SCAN_TEMPREJECT ("temporarily rejected") 451 */
		{ "rejected by local_scan()", "END-OF-DATA", "550" },
		/* acl_wherecodes[]: a connect ACL's deny is 550 (RFC 5321
		 * 3.1 would have 554) */
		{ "rejected connection", "GREETING", "550" },
	};
	size_t i, k, n = (size_t)(end - q);

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		k = strlen(map[i].log);
		if (n >= k && memcmp(q, map[i].log, k) == 0 &&
		    (n == k || q[k] == ' ' || q[k] == ':')) {
			memcpy(code, is_temp ? "451" : map[i].code, 4);
			*cmdlen = strlen(map[i].verb);
			return map[i].verb;
		}
	}
	*cmdlen = 0;
	return NULL;
}

/* A "rejected" line: the reply Exim sent, from the reason the log gives. */
static void
exim_reject(struct exim_state *st, const struct line *l, const char *p,
    const char *q, const struct event_sink *sink)
{
	struct event ev;
	const char *end = l->bytes + l->len, *why, *r, *h;
	bool is_temp = q - p >= 12 && memcmp(q - 12, "temporarily ", 12) == 0;
	char code[4];
	size_t wl, keylen;

	st->n_rejected++;

	ev = event_make(EV_LOG_REPLY, l->no);
	ev.command = exim_rejected(q, end, is_temp, code, &ev.commandlen);
	if (ev.command == NULL)
		return;
	/* the client after "H=", wherever it is */
	if ((h = LOGFMT_FIND(p, (size_t)(end - p), "H=")) == NULL)
		h = p;
	exim_client(st, &ev, h + (LOGFMT_PREFIX(h, (size_t)(end - h), "H=") ?
	    2 : 0), end);
	if (LOGFMT_PREFIX(q, (size_t)(end - q), "rejected RCPT <")) {
		ev.rcpt = q + 14;
		r = memchr(ev.rcpt, '>', (size_t)(end - ev.rcpt));
		ev.rcptlen = r ? (size_t)(r + 1 - ev.rcpt) : 0;
		if (r == NULL)
			ev.rcpt = NULL;
	}
	/* the reason: after "rejected RCPT <x>: ", or when the client comes
	 * after "rejected", after it: "rejected MAIL FROM:<a> H=(x)
	 * [ip]:port I=[ip]:25: message too big" (no address or port colon is
	 * followed by a blank) */
	if ((why = LOGFMT_FIND(h > q ? h : q, (size_t)(end - (h > q ? h : q)),
	    ": ")) != NULL)
		why += 2;
	else
		why = q;
	/* receive.c, smtp_in.c: a message over message_size_limit, at MAIL
	 * (SIZE=) or at the end of the data, is refused 552 */
	if (LOGFMT_PREFIX(why, (size_t)(end - why), "message too big"))
		memcpy(code, "552", 4);
	/* smtp_in.c: a HELO or EHLO name that is neither a domain nor an
	 * address literal is refused 501 before any ACL runs */
	if (LOGFMT_PREFIX(why, (size_t)(end - why),
	    "syntactically invalid argument"))
		memcpy(code, "501", 4);
	wl = (size_t)(end - why);
	if (wl > sizeof(st->synth) - 5)
		wl = sizeof(st->synth) - 5;
	if (exim_is_code(why, end) && wl > 4 && why[3] == ' ' &&
	    why[0] == code[0]) {
		/* the ACL's message named its own code */
		memcpy(st->synth, why, wl);
		ev.len = wl;
	} else {
		memcpy(st->synth, code, 3);
		st->synth[3] = ' ';
		memcpy(st->synth + 4, why, wl);
		ev.len = wl + 4;
	}
	ev.text = st->synth;
	keylen = exim_conn(st, h, end);
	exim_emit(st, sink, &ev, keylen, ev.client, ev.clientlen);
}

/* "SMTP syntax error in "X" H=… [ip]:port I=…:25 why" and "SMTP protocol
 * error in …": smtp_in.c's synprot_error() answers a syntax error 501 (an
 * unknown verb 500 "unrecognized command") and a protocol error (a
 * command out of sequence) 503, with the reason the log shows. */
static void
exim_synprot(struct exim_state *st, const struct line *l, const char *p,
    const char *q, const struct event_sink *sink)
{
	struct event ev;
	const char *end = l->bytes + l->len, *h = q + 4, *why, *a;
	size_t wl, keylen, alen;

	alen = exim_addr(h, end, &a);
	if (alen == 0)
		return;
	why = exim_skip_fields(a + alen, end);
	while (why < end && *why == ' ')
		why++;
	ev = event_make(EV_LOG_REPLY, l->no);
	ev.command = (const char *)memchr(p, '"', (size_t)(q - p)) + 1;
	ev.commandlen = (size_t)(q - ev.command);
	exim_client(st, &ev, h, end);
	if (p[5] == 'p')
		memcpy(st->synth, "503 ", 4);
	else if (LOGFMT_PREFIX(why, (size_t)(end - why), "unrecognized command"))
		memcpy(st->synth, "500 ", 4);
	else
		memcpy(st->synth, "501 ", 4);
	wl = (size_t)(end - why);
	if (wl > sizeof(st->synth) - 5)
		wl = sizeof(st->synth) - 5;
	memcpy(st->synth + 4, why, wl);
	ev.text = st->synth;
	ev.len = wl + 4;
	keylen = exim_conn(st, h, end);
	exim_emit(st, sink, &ev, keylen, ev.client, ev.clientlen);
}

/* A line of the reject log after the rejection: "Envelope-from: <x>",
 * "Envelope-to: <y>", the header lines with their flag ("P Received: …",
 * "  Subject: …", "F From: …") and their continuation lines. */
static bool
exim_reject_dump(const char *p, size_t n)
{
	return LOGFMT_PREFIX(p, n, "Envelope-from: ") ||
	    LOGFMT_PREFIX(p, n, "Envelope-to: ") ||
	    (n >= 2 && (p[0] == ' ' || p[0] == '\t')) ||
	    (n >= 3 && p[1] == ' ' && ((p[0] >= 'A' && p[0] <= 'Z') ||
	    p[0] == '*')) ||
	    LOGFMT_PREFIX(p, n, "----------");
}

static bool
exim_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct exim_state *st = vst;
	struct event ev;
	const char *p = l->bytes, *end = l->bytes + l->len, *q, *r, *c, *pk;
	size_t n = l->len, s, k, keylen, pklen;
	int sys = 0;

	if ((s = exim_stamp(p, n)) == 0 &&
	    (sys = exim_syslog(l, &p, &n, &pk, &pklen)) > 0) {
		if (sys == 2 || exim_syslog_copy(st, pk, pklen, p, n))
			return true;
	} else if (s == 0) {
		if (exim_debug_line(st, l, sink))
			return true;
		if (st->in_reject && exim_reject_dump(p, n))
			return true;
		st->in_reject = false;
		/* An entry of several lines ("Warning: purging the
		 * environment." and " Suggested action: …"): the lines after
		 * the first are indented.  Debug output (" 3118 host in …")
		 * has its pid there instead. */
		if (st->in_entry && n > 0 && (p[0] == ' ' || p[0] == '\t')) {
			for (q = p; q < end && (*q == ' ' || *q == '\t'); q++)
				;
			if (q < end && (*q < '0' || *q > '9'))
				return true;
		}
		st->in_entry = false;
		if (exim_verbose(p, n)) {
			/* "LOG: MAIN" heads an entry of indented lines */
			st->in_entry = LOGFMT_PREFIX(p, n, "LOG: ");
			return true;
		}
		return false;
	}
	st->in_reject = false;
	st->in_entry = sys == 0;
	p += s;
	n -= s;
	if (n > 0 && p[0] == '[' && (q = memchr(p, ']', n < 16 ? n : 16)) !=
	    NULL && q + 1 < end && q[1] == ' ') {
		n -= (size_t)(q + 2 - p);	/* "[pid] " */
		p = q + 2;
	}
	if ((k = exim_msgid(p, n)) > 0) {
		const char *msgid = p;

		if (LOGFMT_PREFIX(p + k + 1, n - k - 1, "<= ") ||
		    LOGFMT_PREFIX(p + k + 1, n - k - 1, "Completed"))
			st->n_main_only++;

		if ((LOGFMT_PREFIX(p + k + 1, n - k - 1, "H=") ||
		    LOGFMT_PREFIX(p + k + 1, n - k - 1, "F=") ||
		    LOGFMT_PREFIX(p + k + 1, n - k - 1, "rejected ")) &&
		    (q = LOGFMT_FIND(p, n, " rejected ")) != NULL) {
			/* "1x-… rejected from <s> H=…: message too big",
			 * "1x-… H=… rejected after DATA: why", "1x-… F=<s>
			 * H=… rejected by local_scan(): why": the reject log
			 * dumps the message's envelope and header next */
			exim_reject(st, l, p + k + 1, q + 1, sink);
			st->in_reject = true;
			return true;
		}
		/* "** x R=… T=… H=h [ip]: SMTP error from remote mail server
		 * after RCPT TO:<x>: 550 …" (also "==", retry lines); older
		 * Exim names the host after the command */
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
		/* Exim before 4.8x: "…: host NAME [ip]: 553 …" */
		if (LOGFMT_PREFIX(r, (size_t)(end - r), "host ") &&
		    (q = LOGFMT_FIND(r, (size_t)(end - r), "]: ")) != NULL)
			r = q + 3;
		if (end - r < 3 || r[0] < '2' || r[0] > '5')
			return true;
		ev.text = r;
		ev.len = (size_t)(end - r);
		/* log_selector +delivery_size/+deliver_time: " DT=0.047s" */
		if ((q = LOGFMT_FIND(r, ev.len, " DT=")) != NULL &&
		    end[-1] == 's' && memchr(q + 1, ' ', (size_t)(end - q - 1)) ==
		    NULL)
			ev.len = (size_t)(q - r);
		exim_one(sink, &ev, st->key, exim_key(st, "exim ", msgid, k));
		return true;
	}
	if (LOGFMT_PREFIX(p, n, "SMTP connection Ci=") &&
	    (q = memchr(p + 19, ' ', n - 19)) != NULL &&
	    LOGFMT_PREFIX(q, (size_t)(end - q), " from ")) {
		/* Exim 4.98: "SMTP connection Ci=N from … lost" */
		exim_end(st, sink, l->no, exim_conn(st, q + 6, end));
		return true;
	}
	if (LOGFMT_PREFIX(p, n, "SMTP connection from ")) {
		st->n_main_only++;
		keylen = exim_conn(st, p + 21, end);
		if (keylen == 0)
			return true;
		if (LOGFMT_FIND(p, n, "(TCP/IP connection count = ") != NULL) {
			st->has_conn = true;
			ev = event_make(EV_SESSION_START, l->no);
			ev.key = st->key;
			ev.keylen = keylen;
			sink->emit(sink->ctx, &ev);
		} else	/* "closed by QUIT", "lost …", "closed by DROP …" */
			exim_end(st, sink, l->no, keylen);
		return true;
	}
	if (LOGFMT_PREFIX(p, n, "unexpected disconnection while reading SMTP command from ") ||
	    LOGFMT_PREFIX(p, n, "SMTP call from ")) {
		/* "SMTP call from … dropped: too many unrecognized commands",
		 * "… too many syntax or protocol errors" */
		exim_end(st, sink, l->no, exim_conn(st, p + 15, end));
		return true;
	}
	if ((q = LOGFMT_FIND(p, n, " authenticator failed for ")) != NULL) {
		/* "dovecot_login authenticator failed for H=(x) [ip]: 535 …";
		 * with +incoming_interface "… [ip]:port I=[ip]:port: 535 …" */
		c = q + 26;
		if (LOGFMT_PREFIX(c, (size_t)(end - c), "H="))
			c += 2;
		if ((r = LOGFMT_FIND(c, (size_t)(end - c), ": ")) == NULL ||
		    end - r < 5)
			return true;
		ev = event_make(EV_LOG_REPLY, l->no);
		ev.command = "AUTH";
		ev.commandlen = 4;
		exim_client(st, &ev, c, r);
		ev.text = r + 2;
		ev.len = (size_t)(end - r - 2);
		if (!exim_is_code(ev.text, end) || ev.text[0] < '4')
			return true;
		keylen = exim_conn(st, c, r);
		exim_emit(st, sink, &ev, keylen, c, (size_t)(r - c));
		return true;
	}
	if (LOGFMT_PREFIX(p, n, "SMTP protocol synchronization error (")) {
		/* RFC 5321 4.3.1 / RFC 2920 3.1: input before the reply.
		 * "(input sent without waiting for greeting)" or "(next input
		 * sent too soon: pipelining was not advertised)"; Exim answers
		 * 554 and drops the connection */
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
		keylen = exim_conn(st, q, end);
		exim_emit(st, sink, &ev, keylen, q, exim_client_len(q, end));
		exim_end(st, sink, l->no, keylen);
		return true;
	}
	if ((LOGFMT_PREFIX(p, n, "SMTP syntax error in \"") ||
	    LOGFMT_PREFIX(p, n, "SMTP protocol error in \"")) &&
	    (q = LOGFMT_FIND(p + 22, n - 22, "\" H=")) != NULL) {
		exim_synprot(st, l, p, q, sink);
		return true;
	}
	if (LOGFMT_PREFIX(p, n, "unqualified verify rejected: ") &&
	    (q = LOGFMT_FIND(p, n, " H=")) != NULL) {
		/* smtp_in.c: VRFY of an address without a domain, 501 */
		ev = event_make(EV_LOG_REPLY, l->no);
		ev.command = "VRFY";
		ev.commandlen = 4;
		exim_client(st, &ev, q + 3, end);
		memcpy(st->synth, "501 ", 4);
		k = (size_t)(q - p) < sizeof(st->synth) - 5 ? (size_t)(q - p) :
		    sizeof(st->synth) - 5;
		memcpy(st->synth + 4, p, k);
		ev.text = st->synth;
		ev.len = k + 4;
		keylen = exim_conn(st, q + 3, end);
		exim_emit(st, sink, &ev, keylen, ev.client, ev.clientlen);
		return true;
	}
	/* "H=(helo) [ip] F=<s> rejected RCPT <r>: why", "temporarily
	 * rejected", "rejected MAIL FROM:<a> H=…: message too big" */
	if ((q = LOGFMT_FIND(p, n, "rejected ")) != NULL &&
	    (LOGFMT_PREFIX(p, n, "H=") || LOGFMT_PREFIX(p, n, "U=") ||
	    q == p)) {
		exim_reject(st, l, p, q, sink);
		st->in_reject = true;
		return true;
	}
	/* No entry but a message id's starts with a digit (exim_probe). */
	if (n > 0 && p[0] >= '0' && p[0] <= '9')
		return false;
	/* <=, =>, Completed, protocol errors, queue runs, TLS errors … */
	return true;
}

/* A reject log repeats the main log's rejections (log.c log_write(): an
 * entry for both logs is written to both): read with it, they would count
 * twice.  Only a main log has arrivals, "Completed" and connections. */
static int
exim_kind(void *vst)
{
	struct exim_state *st = vst;

	if (st->n_main_only > 0)
		return FORMAT_KIND_EXIM_MAIN;
	return st->n_rejected > 0 ? FORMAT_KIND_EXIM_REJECT :
	    FORMAT_KIND_OTHER;
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
	.kind = exim_kind,
};
