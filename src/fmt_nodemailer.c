/*
 * fmt_nodemailer: the logs of Node.js mail software that writes the
 * dialogue as "C: line" and "S: line" behind a level and a connection id:
 *
 *	[2026-11-22 10:00:01] DEBUG [b1Cl7MwxLFs] S: 220 mx ESMTP
 *	[2026-11-22 10:00:01] INFO  [#mc2bdn7och] Connection from [127.0.0.1]
 *	DEBUG [JEYEJIdafM] C: EHLO [127.0.0.1]
 *	[PROTOCOL] [78407A3F-….1.1] [outbound] S: 250-SIZE 157286400\r\n
 *
 * Nodemailer (the client, logger and debug on) and smtp-server (the
 * server) share a logger: an optional time stamp in brackets, the level
 * ("INFO " or the older "INFO:"), the connection id in brackets ("#"
 * first in smtp-server's).  Haraka's protocol lines have the level and a
 * plugin's name in brackets and end in a literal "\r\n".
 *
 * Lines of one connection with neither prefix are smtp-server's further
 * lines of a multi-line reply ("… [#id] 250-PIPELINING") or, after a 354,
 * nodemailer's message data up to the ".".  "Connection established to",
 * "Connection from" start a connection, "Connection closed" and "Closing
 * connection" end it, "Connection upgraded …" is TLS; anything else the
 * logger says is understood and judged no further.  Connections
 * interleave (a server's log, a pool of connections); each is a session
 * keyed by its id, and one whose start the log does not show but whose
 * first line is the greeting is taken as started there.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

#define NM_CONNS	16		/* connections followed at once */
#define NM_ID_MAX	64

struct nm_conn {
	char		 id[NM_ID_MAX];
	size_t		 idlen;
	bool		 in_data;	/* after a 354: unprefixed lines are
					 * the message */
	bool		 in_reply;	/* after "DDD-": further lines come */
	bool		 has_dialogue;	/* a C: or S: line was seen */
	bool		 is_started;	/* its start was emitted */
	unsigned long	 last;		/* for reuse, the oldest first */
};

struct nm_state {
	struct nm_conn	 conn[NM_CONNS];
	struct nm_conn	*last;		/* of the last dialogue line */
	unsigned long	 tick;
};

/* A parsed line: the connection id and what follows it. */
struct nm_line {
	const char	*id, *rest;
	size_t		 idlen, restlen;
};

static const char *const nm_levels[] = {
	"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NOTICE",
	"PROTOCOL", "DATA", "CRIT", "ALERT", "EMERG", NULL
};

/* The bytes of a level at P, with the colon and blanks after it (or, for
 * "[LEVEL] ", its brackets); 0 if P does not start with one. */
static size_t
nm_level(const char *p, size_t n)
{
	size_t i, k, b = n > 0 && p[0] == '[';

	for (i = 0; nm_levels[i] != NULL; i++) {
		k = strlen(nm_levels[i]);
		if (n < b + k + 1 || memcmp(p + b, nm_levels[i], k) != 0)
			continue;
		k += b;
		if (b) {
			if (p[k] != ']')
				continue;
			k++;
		} else if (p[k] == ':')
			k++;
		if (k >= n || p[k] != ' ')
			continue;
		while (k < n && p[k] == ' ')
			k++;
		return k;
	}
	return 0;
}

/* "[word] " at P: the length of word, 0 if none (a blank, '[' or ']'
 * inside ends it). */
static size_t
nm_bracket(const char *p, size_t n, size_t max)
{
	size_t i;

	if (n < 4 || p[0] != '[')
		return 0;
	for (i = 1; i < n && i <= max + 1; i++) {
		if (p[i] == ']')
			return i > 1 && i + 1 < n && p[i + 1] == ' ' ? i - 1 : 0;
		if (p[i] == ' ' || p[i] == '[')
			return 0;
	}
	return 0;
}

/*
 * Split line P: "[time] LEVEL [id] rest" or "[LEVEL] [id] [plugin] rest";
 * false if it is not such a line.  A line with a level but no id (the
 * logger's own news) has an empty id.
 */
static bool
nm_parse(const char *p, size_t n, struct nm_line *nl)
{
	size_t k, w;

	/* "[2026-11-22 10:00:01] " */
	if (n > 2 && p[0] == '[' && p[1] >= '0' && p[1] <= '9') {
		const char *q = memchr(p, ']', n < 40 ? n : 40);

		if (q == NULL || (size_t)(q - p) + 2 > n || q[1] != ' ')
			return false;
		k = (size_t)(q - p) + 2;
		p += k;
		n -= k;
	}
	if ((k = nm_level(p, n)) == 0)
		return false;
	p += k;
	n -= k;
	nl->id = p;
	nl->idlen = 0;
	if ((w = nm_bracket(p, n, NM_ID_MAX)) > 0) {
		nl->id = p + 1;
		nl->idlen = w;
		p += w + 3;
		n -= w + 3;
		/* Haraka's plugin, "[outbound] " */
		if ((w = nm_bracket(p, n, 32)) > 0 && n > w + 3 &&
		    (p[w + 3] == 'C' || p[w + 3] == 'S') &&
		    n > w + 4 && p[w + 4] == ':') {
			p += w + 3;
			n -= w + 3;
		}
	}
	nl->rest = p;
	nl->restlen = n;
	return true;
}

/* "C: text" or "S: text" (or the letter and colon alone): its side in
 * *KIND and where the text starts in *OFF; false for neither. */
static bool
nm_side(const char *p, size_t n, enum event_kind *kind, size_t *off)
{
	if (n < 2 || p[1] != ':' || (p[0] != 'C' && p[0] != 'S') ||
	    (n > 2 && p[2] != ' '))
		return false;
	*off = n > 2 ? 3 : 2;
	*kind = p[0] == 'C' ? EV_CLIENT : EV_SERVER;
	return true;
}

static int
nm_probe(const struct line *l)
{
	struct nm_line nl;
	enum event_kind side;
	size_t off;

	if (!nm_parse(l->bytes, l->len, &nl))
		return 0;
	if (nl.idlen > 0 && nm_side(nl.rest, nl.restlen, &side, &off))
		return 90;
	if (nl.idlen > 0 && (FMT_UTIL_PREFIX(nl.rest, nl.restlen,
	    "Connection established to ") ||
	    FMT_UTIL_PREFIX(nl.rest, nl.restlen, "Connection from ")))
		return 70;
	return nl.idlen > 0 ? 10 : 5;
}

static void *
nm_new(void)
{
	return xcalloc(1, sizeof(struct nm_state));
}

static void
nm_free(void *st)
{
	free(st);
}

/* The connection ID; a new one takes over the slot seen least recently. */
static struct nm_conn *
nm_conn(struct nm_state *st, const char *id, size_t idlen)
{
	struct nm_conn *c, *old = &st->conn[0];
	size_t i;

	if (idlen > NM_ID_MAX)
		idlen = NM_ID_MAX;
	st->tick++;
	for (i = 0; i < NM_CONNS; i++) {
		c = &st->conn[i];
		if (c->idlen == idlen && memcmp(c->id, id, idlen) == 0) {
			c->last = st->tick;
			return c;
		}
		if (c->last < old->last)
			old = c;
	}
	memset(old, 0, sizeof(*old));
	memcpy(old->id, id, idlen);
	old->idlen = idlen;
	old->last = st->tick;
	return old;
}

static void
nm_emit(const struct event_sink *sink, const struct line *l,
    const struct nm_conn *c, enum event_kind kind, const char *text,
    size_t len)
{
	struct event ev = event_make(kind, l->no);

	ev.key = c->id;
	ev.keylen = c->idlen;
	fmt_util_event_text(&ev, l, text, len);
	sink->emit(sink->ctx, &ev);
}

static bool
nm_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct nm_state *st = vst;
	struct nm_line nl;
	struct nm_conn *c;
	enum event_kind side;
	const char *t;
	size_t off, n;

	if (!nm_parse(l->bytes, l->len, &nl)) {
		/* Older smtp-server logged a multi-line reply as one entry:
		 * its further lines alone, without the logger's prefix. */
		c = st->last;
		if (c == NULL || !c->in_reply || c->idlen == 0 ||
		    !fmt_util_is_reply(l->bytes, l->len))
			return false;
		c->in_reply = l->len >= 4 && l->bytes[3] == '-';
		nm_emit(sink, l, c, EV_SERVER, l->bytes, l->len);
		return true;
	}
	if (nl.idlen == 0)
		return true;	/* "SMTP Server listening on …" */
	c = nm_conn(st, nl.id, nl.idlen);
	st->last = c;
	t = nl.rest;
	n = nl.restlen;
	if (nm_side(t, n, &side, &off)) {
		t += off;
		n -= off;
		/* Haraka writes the line's CR LF escaped */
		if (n >= 4 && memcmp(t + n - 4, "\\r\\n", 4) == 0)
			n -= 4;
		/* the greeting of a connection whose start the log
		 * does not show */
		if (!c->has_dialogue && side == EV_SERVER && !c->is_started)
			nm_emit(sink, l, c, EV_SESSION_START, "", 0);
		c->has_dialogue = true;
		if (side == EV_SERVER) {
			c->in_reply = n >= 4 && fmt_util_is_reply(t, n) && t[3] == '-';
			c->in_data = n >= 3 && memcmp(t, "354", 3) == 0 &&
			    !c->in_reply;
		} else
			c->in_data = c->in_reply = false;
		nm_emit(sink, l, c, side, t, n);
		return true;
	}
	if (c->in_data) {
		/* nodemailer's message, each line as sent */
		if (n == 1 && t[0] == '.')
			c->in_data = false;
		nm_emit(sink, l, c, EV_CLIENT, t, n);
		return true;
	}
	if (c->in_reply && fmt_util_is_reply(t, n)) {
		c->in_reply = n >= 4 && t[3] == '-';
		c->in_data = !c->in_reply && memcmp(t, "354", 3) == 0;
		nm_emit(sink, l, c, EV_SERVER, t, n);
		return true;
	}
	c->in_reply = false;
	if (FMT_UTIL_PREFIX(t, n, "Connection established to ") ||
	    FMT_UTIL_PREFIX(t, n, "Connection from ")) {
		/* (an id used again is a new connection) */
		c->in_data = c->in_reply = c->has_dialogue = false;
		c->is_started = true;
		nm_emit(sink, l, c, EV_SESSION_START, "", 0);
	} else if (FMT_UTIL_PREFIX(t, n, "Connection closed") ||
	    FMT_UTIL_PREFIX(t, n, "Closing connection")) {
		nm_emit(sink, l, c, EV_SESSION_END, "", 0);
		c->is_started = c->has_dialogue = false;
		c->in_data = c->in_reply = false;
	} else if (FMT_UTIL_PREFIX(t, n, "Connection upgraded "))
		nm_emit(sink, l, c, EV_TLS, "", 0);
	return true;
}

const struct format_adapter fmt_nodemailer = {
	.name = "nodemailer",
	.description = "Nodemailer, smtp-server and Haraka logs ([id] C: / S:)",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = nm_probe,
	.new = nm_new,
	.free = nm_free,
	.line = nm_line,
	.end = NULL,
};
