/*
 * fmt_util: helpers shared by the transcript adapters.
 */
#include <stdint.h>
#include <string.h>

#include "fmt_util.h"
#include "reply.h"

bool
fmt_util_has_prefix(const char *p, size_t len, const char *pfx, size_t pfxlen)
{
	return len >= pfxlen && memcmp(p, pfx, pfxlen) == 0;
}

bool
fmt_util_is_reply(const char *p, size_t n)
{
	return n >= 3 && p[0] >= '2' && p[0] <= '5' && p[1] >= '0' &&
	    p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
	    (n == 3 || p[3] == ' ' || p[3] == '-');
}

bool
fmt_util_contains(const char *p, size_t len, const char *needle)
{
	size_t	 n = strlen(needle);
	size_t	 i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(p + i, needle, n) == 0)
			return true;
	return false;
}

bool
fmt_util_late_reply(const struct event_sink *sink, const struct line *l,
    const char *s, size_t n, const char *key, size_t keylen, unsigned flags)
{
	struct event ev;
	const char *t;
	size_t tl;
	int code = reply_code(s, n, &t, &tl);

	if (code < 200 || code > 599 || (n > 3 && s[3] != ' '))
		return false;
	ev = event_make(EV_LOG_REPLY, l->no);
	ev.text = s;
	ev.len = n;
	ev.is_truncated = l->is_truncated;
	ev.key = key;
	ev.keylen = keylen;
	ev.flags = flags | EVF_PARTIAL;
	sink->emit(sink->ctx, &ev);
	return true;
}

static void
fmt_util_conn_emit(struct fmt_util_conn *c, const struct event_sink *sink,
    const struct event *ev)
{
	c->is_open = true;
	c->is_empty = false;
	sink->emit(sink->ctx, ev);
}

void
fmt_util_conn_start(struct fmt_util_conn *c, const struct event_sink *sink,
    const struct line *l)
{
	struct event	 ev;

	if (c->is_open && c->is_empty)
		return;
	ev = event_make(EV_SESSION_START, l->no);
	sink->emit(sink->ctx, &ev);
	c->is_open = true;
	c->is_empty = true;
}

void
fmt_util_conn_end(struct fmt_util_conn *c, const struct event_sink *sink,
    const struct line *l)
{
	struct event	 ev;

	if (!c->is_open)
		return;
	ev = event_make(EV_SESSION_END, l->no);
	sink->emit(sink->ctx, &ev);
	c->is_open = false;
	c->is_empty = false;
}

void
fmt_util_conn_tls(struct fmt_util_conn *c, const struct event_sink *sink,
    const struct line *l)
{
	struct event	 ev = event_make(EV_TLS, l->no);

	fmt_util_conn_emit(c, sink, &ev);
}

void
fmt_util_conn_say(struct fmt_util_conn *c, const struct event_sink *sink,
    const struct line *l, enum event_kind kind, const char *text, size_t len,
    enum eol eol, unsigned flags)
{
	struct event	 ev = event_make(kind, l->no);

	fmt_util_event_text(&ev, l, text, len);
	ev.eol = eol;
	ev.flags = flags;
	fmt_util_conn_emit(c, sink, &ev);
}

void
fmt_util_event_text(struct event *ev, const struct line *l, const char *text,
    size_t len)
{
	ev->text = text;
	ev->len = len;
	ev->is_truncated = l->is_truncated;
	if (l->is_truncated)
		ev->full_len = len + (l->full_len - l->len);
	ev->has_bare_cr = len > 0 && memchr(text, '\r', len) != NULL;
}

void
fmt_util_conn_say_lines(struct fmt_util_conn *c, const struct event_sink *sink,
    const struct line *l, enum event_kind kind, const char *buf, size_t len,
    unsigned flags)
{
	const char *s = buf, *end = buf + len, *nl;
	size_t n;
	enum eol eol;

	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL) {
			/* The last piece has no terminator: sent without one,
			 * or cut with the line. */
			fmt_util_conn_say(c, sink, l, kind, s, (size_t)(end - s),
			    l->is_truncated ? EOL_UNKNOWN : EOL_NONE, flags);
			break;
		}
		n = (size_t)(nl - s);
		eol = EOL_LF;
		if (n > 0 && s[n - 1] == '\r') {
			n--;
			eol = EOL_CRLF;
		}
		fmt_util_conn_say(c, sink, l, kind, s, n, eol, flags);
		s = nl + 1;
	}
}

/* Words naming a connection; a marker line must hold one of them. */
static const char *const fmt_util_words_conn[] = {
	"connect", "connected", "connecting", "connection", "connects",
	"session", "trying", NULL
};
/* Words that make such a line the end of the connection. */
static const char *const fmt_util_words_end[] = {
	"close", "closed", "closes", "closing", "end", "ended", "ends",
	"terminated", "lost", "dropped", "dropping", NULL
};
/* Words that end a connection on their own. */
static const char *const fmt_util_words_gone[] = {
	"disconnect", "disconnected", "disconnecting", "disconnects",
	"hangup", NULL
};

static bool
fmt_util_word_in(const char *w, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && memcmp(*list, w, n) == 0)
			return true;
	return false;
}

static bool
fmt_util_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

enum fmt_util_word
fmt_util_conn_words(const char *p, size_t len)
{
	char	 w[16];
	size_t	 i = 0, n;
	bool	 has_conn = false, has_end = false;

	while (i < len) {
		while (i < len && !fmt_util_isalpha(p[i]))
			i++;
		for (n = 0; i < len && fmt_util_isalpha(p[i]); i++, n++)
			if (n < sizeof(w))
				w[n] = (char)(p[i] | 0x20);
		if (n == 0 || n > sizeof(w))
			continue;
		if (fmt_util_word_in(w, n, fmt_util_words_gone))
			return FMT_UTIL_WORD_END;
		if (fmt_util_word_in(w, n, fmt_util_words_conn))
			has_conn = true;
		else if (fmt_util_word_in(w, n, fmt_util_words_end))
			has_end = true;
	}
	if (!has_conn)
		return FMT_UTIL_WORD_NONE;
	return has_end ? FMT_UTIL_WORD_END : FMT_UTIL_WORD_START;
}

enum eol
fmt_util_wire_eol(struct fmt_util_wire *w, const struct line *l)
{
	if (l->eol == EOL_CRLF)
		w->has_crlf = true;
	/* The last line of a file without a terminator was cut by whoever
	 * saved it, not by the wire. */
	if (w->is_converted || l->eol == EOL_NONE)
		return EOL_UNKNOWN;
	/* Before the first CR LF line nothing is proven: the session
	 * decides once it sees one (a bare-LF greeting, then CR LF). */
	if (!w->has_crlf)
		return l->eol == EOL_LF ? EOL_MAYBE_LF : EOL_UNKNOWN;
	return l->eol;
}

void
fmt_util_wire_note(struct fmt_util_wire *w, const struct line *l)
{
	if (l->eol == EOL_CRLF)
		w->is_converted = true;
}

static bool
fmt_util_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

size_t
fmt_util_pytime(const char *p, size_t len)
{
	size_t	 i;

	/* str(datetime.time): "HH:MM:SS", with ".ffffff" unless the
	 * microseconds are 0. */
	if (len < 9)
		return 0;
	for (i = 0; i < 8; i++)
		if (i % 3 == 2 ? p[i] != ':' : !fmt_util_isdigit(p[i]))
			return 0;
	if (p[8] == '.') {
		if (len < 16)
			return 0;
		for (i = 9; i < 15; i++)
			if (!fmt_util_isdigit(p[i]))
				return 0;
	}
	return i < len && p[i] == ' ' ? i + 1 : 0;
}

static int
fmt_util_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read N hex digits at P into *V: 1 done, 0 cut off by the end, -1 bad. */
static int
fmt_util_hex(const char *p, size_t avail, size_t n, uint32_t *v)
{
	size_t	 i;
	int	 d;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (i == avail)
			return 0;
		if ((d = fmt_util_hexval(p[i])) < 0)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 1;
}

/* UTF-8 of code point CP into OUT; the byte count.  Lone surrogates,
 * which a Python str may hold, are written as their three bytes so that
 * nothing is lost (the result is not valid UTF-8, which is the point). */
static size_t
fmt_util_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

bool
fmt_util_pyrepr(const char *p, size_t len, bool is_bytes, bool is_cut,
    char *out, size_t *outlen)
{
	char		 q;
	size_t		 i, o = 0, n;
	uint32_t	 v;
	int		 r;

	*outlen = 0;
	if (len == 0 || (p[0] != '\'' && p[0] != '"'))
		return false;
	q = p[0];
	for (i = 1; i < len; ) {
		if (p[i] == q) {
			/* The closing quote ends the line. */
			if (i + 1 != len)
				return false;
			*outlen = o;
			return true;
		}
		if (p[i] != '\\') {
			out[o++] = p[i++];
			continue;
		}
		if (i + 1 == len)
			break;
		switch (p[i + 1]) {
		case '\\':
		case '\'':
		case '"':
			out[o++] = p[i + 1];
			i += 2;
			continue;
		case 'n':
			out[o++] = '\n';
			i += 2;
			continue;
		case 'r':
			out[o++] = '\r';
			i += 2;
			continue;
		case 't':
			out[o++] = '\t';
			i += 2;
			continue;
		case 'x':
			n = 2;
			break;
		case 'u':
			n = 4;
			break;
		case 'U':
			n = 8;
			break;
		default:
			return false;
		}
		if (is_bytes && n != 2)
			return false;
		r = fmt_util_hex(p + i + 2, len - i - 2, n, &v);
		if (r < 0)
			return false;
		if (r == 0)
			break;
		if (is_bytes)
			out[o++] = (char)v;
		else if (v > 0x10ffff)
			return false;
		else	/* no longer than the n + 2 bytes of the escape */
			o += fmt_util_utf8(v, out + o);
		i += n + 2;
	}
	/* The end came before the closing quote, maybe inside an escape. */
	if (!is_cut)
		return false;
	*outlen = o;
	return true;
}
