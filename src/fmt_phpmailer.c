/*
 * fmt_phpmailer: PHPMailer's SMTPDebug output (class SMTP, edebug()).
 * Level 1 and up show "CLIENT -> SERVER: line" for each line sent and
 * "SERVER -> CLIENT: reply" for each reply read; level 3 adds
 * "Connection: opening to host:port, …", "Connection: opened" and
 * "Connection: closed", level 4 the raw reads ("SMTP INBOUND: …",
 * "SMTP -> get_lines(): …").  Errors read "SMTP ERROR: …" or
 * "SMTP Error: …".  Debugoutput "echo" (the default on the command line)
 * puts a time stamp "YYYY-MM-DD HH:MM:SS" and a tab before each entry and
 * indents the further lines of a multi-line one; "html" strips every CR
 * and LF from an entry, so that a multi-line reply reads
 * "250-a250-SIZE 1000250 HELP", escapes it with htmlentities() and ends
 * it in "<br>"; a page's source is read as such, its text as copied from
 * the browser too.  Pastes also
 * turn the tab into blanks and put the reply's lines on lines of their
 * own ("250-SIZE 1000") or join them with blanks.
 *
 * A reply entry is split into its lines again: at each repetition of its
 * own code followed by '-' (a further line) or ' ' (the last one), when
 * it starts as a multi-line reply ("DDD-").  A line that is only a reply
 * line ("250-SIZE 1000", after blanks) right after a server entry goes on
 * with that reply.  Entries a paste joined on one line are taken apart
 * again.  An empty "SERVER -> CLIENT: " is a read that got nothing (the
 * connection went).  PHPMailer hides AUTH credentials as
 * "[credentials hidden]" at level 1 and 2: a line sent all the same.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

struct phpm_state {
	struct fmt_util_conn	 conn;
	bool			 in_reply;	/* the last entry was a reply
						 * line not ending it */
	char			*buf;		/* INPUT_MAX_LINE bytes: an
						 * html line decoded */
};

static bool
phpm_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The bytes of a "YYYY-MM-DD HH:MM:SS" stamp and the tab or blanks after
 * it at P; 0 if there is none. */
static size_t
phpm_stamp(const char *p, size_t len)
{
	size_t i;

	if (len < 20 || !phpm_digit(p[0]) || p[4] != '-' || p[7] != '-' ||
	    p[10] != ' ' || p[13] != ':' || p[16] != ':' ||
	    !phpm_digit(p[17]) || !phpm_digit(p[18]))
		return 0;
	for (i = 19; i < len && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	return i > 19 ? i : 0;
}

/* The entry after the stamp, if any. */
static const char *
phpm_body(const struct line *l, size_t *len)
{
	size_t skip = phpm_stamp(l->bytes, l->len);

	*len = l->len - skip;
	return l->bytes + skip;
}

/* "CLIENT -> SERVER: text" or "SERVER -> CLIENT: text"; echo's trim()
 * leaves no blank after the colon of an empty line. */
static bool
phpm_is_entry(const char *p, size_t n)
{
	return (FMT_UTIL_PREFIX(p, n, "SERVER -> CLIENT:") ||
	    FMT_UTIL_PREFIX(p, n, "CLIENT -> SERVER:")) &&
	    (n == 17 || p[17] == ' ');
}

static int
phpm_probe(const struct line *l)
{
	size_t n;
	const char *p = phpm_body(l, &n);

	if (phpm_is_entry(p, n))
		return 95;
	if (FMT_UTIL_PREFIX(p, n, "SERVER -&gt; CLIENT:") ||
	    FMT_UTIL_PREFIX(p, n, "CLIENT -&gt; SERVER:"))
		return 90;	/* html */
	if (FMT_UTIL_PREFIX(p, n, "Connection: opening to ") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP INBOUND: ") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP -> get_lines(): "))
		return 90;
	if (FMT_UTIL_PREFIX(p, n, "Connection: opened") ||
	    FMT_UTIL_PREFIX(p, n, "Connection: closed") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP ERROR: ") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP Error: "))
		return 60;
	return 0;
}

static void *
phpm_new(void)
{
	struct phpm_state *st = xcalloc(1, sizeof(*st));

	st->buf = xmalloc(INPUT_MAX_LINE);
	return st;
}

static void
phpm_free(void *vst)
{
	struct phpm_state *st = vst;

	if (st == NULL)
		return;
	free(st->buf);
	free(st);
}

/*
 * Debugoutput "html": htmlentities() of the entry and "<br>" after it.
 * The line P (N bytes) without its "<br>" and with the entities
 * htmlentities() writes for ASCII decoded, into OUT (N bytes); its
 * length.  Other entities stay as they are.
 */
static size_t
phpm_unhtml(const char *p, size_t n, char *out)
{
	static const struct {
		const char	*ent;
		char		 c;
	} ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&quot;", '"' }, { "&#039;", '\'' }, { "&#39;", '\'' },
		{ "&apos;", '\'' },
	};
	size_t i, o = 0, k, el;

	n -= 4;		/* "<br>" */
	for (i = 0; i < n; i++) {
		out[o] = p[i];
		if (p[i] == '&')
			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				el = strlen(ents[k].ent);
				if (n - i >= el &&
				    memcmp(p + i, ents[k].ent, el) == 0) {
					out[o] = ents[k].c;
					i += el - 1;
					break;
				}
			}
		o++;
	}
	return o;
}

/* An html line: the entry ends in "<br>" and the arrow is escaped. */
static bool
phpm_is_html(const char *p, size_t n)
{
	return n > 4 && memcmp(p + n - 4, "<br>", 4) == 0 &&
	    (fmt_util_contains(p, n, " -&gt; ") || phpm_stamp(p, n) == 0);
}

/* Emit the reply line P (N bytes) without the blanks around it. */
static void
phpm_say_reply(struct phpm_state *st, const struct event_sink *sink,
    const struct line *l, const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	fmt_util_conn_say(&st->conn, sink, l, EV_SERVER, p, n, EOL_UNKNOWN,
	    0);
	st->in_reply = n >= 4 && p[3] == '-';
}

/*
 * A reply entry P (N bytes): when it starts "DDD-", split it before each
 * later "DDD-" and at the last "DDD " (html output joined its lines);
 * otherwise one line.
 */
static void
phpm_reply(struct phpm_state *st, const struct event_sink *sink,
    const struct line *l, const char *p, size_t n)
{
	const char *s = p, *end = p + n, *q;

	if (!fmt_util_is_reply(p, n) || n < 4 || p[3] != '-') {
		phpm_say_reply(st, sink, l, p, n);
		return;
	}
	for (q = p + 4; q + 4 <= end; q++) {
		if (memcmp(q, p, 3) != 0 || (q[3] != '-' && q[3] != ' '))
			continue;
		phpm_say_reply(st, sink, l, s, (size_t)(q - s));
		s = q;
		if (q[3] == ' ')
			break;	/* the last line: its text may hold anything */
		q += 3;
	}
	phpm_say_reply(st, sink, l, s, (size_t)(end - s));
}

/*
 * Where in the entry text P (N bytes) another entry starts that a paste
 * joined to it: " CLIENT -> SERVER: " or " SERVER -> CLIENT: ", with its
 * stamp if it has one; the end of P if none does.
 */
static const char *
phpm_next_entry(const char *p, size_t n)
{
	const char *end = p + n, *q;

	for (q = p; (q = memchr(q, '>', (size_t)(end - q))) != NULL; q++) {
		if (q - p < 8 || end - q < 10 || q[-1] != '-' ||
		    q[-2] != ' ' || q[1] != ' ' || memcmp(q + 8, ": ", 2) != 0 ||
		    !((memcmp(q - 8, "CLIENT", 6) == 0 &&
		    memcmp(q + 2, "SERVER", 6) == 0) ||
		    (memcmp(q - 8, "SERVER", 6) == 0 &&
		    memcmp(q + 2, "CLIENT", 6) == 0)))
			continue;
		q -= 8;
		if (q - p >= 21 && phpm_stamp(q - 20, 20) == 20)
			q -= 20;
		return q > p && q[-1] == ' ' ? q - 1 : end;
	}
	return end;
}

/* One "CLIENT -> SERVER: " or "SERVER -> CLIENT: " entry at P, then any
 * that a paste joined to it. */
static void
phpm_entry(struct phpm_state *st, const struct event_sink *sink,
    const struct line *l, const char *p, size_t n)
{
	const char *end = p + n, *e;
	size_t k;
	bool is_server;

	if (n == 17) {
		/* "CLIENT -> SERVER:" alone: an empty line sent */
		if (p[0] == 'C')
			fmt_util_conn_say(&st->conn, sink, l, EV_CLIENT, p, 0,
			    EOL_UNKNOWN, 0);
		return;
	}
	while (n >= 18) {
		is_server = p[0] == 'S';
		e = phpm_next_entry(p + 18, n - 18);
		if (!is_server)
			/* an entry ends in the CR LF sent; trim() left
			 * none */
			fmt_util_conn_say(&st->conn, sink, l, EV_CLIENT, p + 18,
			    (size_t)(e - p - 18), EOL_UNKNOWN, 0);
		else if (e > p + 18)
			/* "SERVER -> CLIENT: " alone: nothing was read */
			phpm_reply(st, sink, l, p + 18, (size_t)(e - p - 18));
		if (e == end)
			return;
		k = phpm_stamp(e + 1, (size_t)(end - e - 1));
		p = e + 1 + k;
		n = (size_t)(end - p);
	}
}

static bool
phpm_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct phpm_state *st = vst;
	size_t n, i;
	const char *p;
	bool was_reply = st->in_reply, has_tab = false;
	struct line h;

	if (phpm_is_html(l->bytes, l->len) && l->len <= INPUT_MAX_LINE) {
		h = *l;
		h.len = phpm_unhtml(l->bytes, l->len, st->buf);
		h.bytes = st->buf;
		l = &h;
	}
	p = phpm_body(l, &n);

	st->in_reply = false;
	if (phpm_is_entry(p, n)) {
		phpm_entry(st, sink, l, p, n);
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "Connection: opening to ")) {
		fmt_util_conn_start(&st->conn, sink, l);
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "Connection: closed")) {
		fmt_util_conn_end(&st->conn, sink, l);
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "Connection: ") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP INBOUND: ") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP -> ") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP ERROR: ") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP Error: ") ||
	    FMT_UTIL_PREFIX(p, n, "SMTP NOTICE: ") ||
	    FMT_UTIL_PREFIX(p, n, "Auth method ") ||
	    FMT_UTIL_PREFIX(p, n, "Auth method requested: "))
		return true;
	/* A further line of the reply before it (pasted on a line of its
	 * own, or echo's indented continuation of a level 4 entry). */
	for (i = 0; i < l->len && (l->bytes[i] == ' ' ||
	    l->bytes[i] == '\t'); i++)
		has_tab |= l->bytes[i] == '\t';
	if (was_reply && fmt_util_is_reply(l->bytes + i, l->len - i)) {
		phpm_say_reply(st, sink, l, l->bytes + i, l->len - i);
		return true;
	}
	/* echo's indented continuation of anything else (blanks, a tab,
	 * blanks), a blank line */
	if (i == l->len || (i > 0 && has_tab)) {
		st->in_reply = was_reply;
		return true;
	}
	return false;
}

const struct format_adapter fmt_phpmailer = {
	.name = "phpmailer",
	.description = "PHPMailer SMTPDebug output (CLIENT -> SERVER:, SERVER -> CLIENT:)",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = phpm_probe,
	.new = phpm_new,
	.free = phpm_free,
	.line = phpm_line,
	.end = NULL,
};
