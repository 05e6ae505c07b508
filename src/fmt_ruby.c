/*
 * fmt_ruby: the debug output of Ruby's Net::SMTP (set_debug_output, as
 * Rails' and Redmine's logs show it).  Net::Protocol's BufferedIO writes
 * what it read as '-> "…"' and what it wrote as '<- "…"', each the
 * String#dump of the bytes, CR LF included: the arrows point the other
 * way round from swaks's, and the text is quoted.  Net::SMTP adds
 * "Connection opened: host:port" and "TLS connection started"; the message
 * itself is not shown ("writing message from String", then "wrote N
 * bytes"), so the reply after it answers the end of data.
 *
 * String#dump escapes \" \\ \n \r \t \f \v \b \a \e, '#' before '{', '$'
 * and '@', other bytes as \xHH, and, in a UTF-8 string, characters as
 * \uHHHH or \u{H…}; they are decoded into a buffer of INPUT_MAX_LINE bytes
 * of the state.  One dump holds one line as sent or read; should it hold
 * more, each LF ends one.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

struct ruby_state {
	struct fmt_util_conn	 conn;
	bool			 is_data_hidden; /* the message went unseen */
	char			*buf;	/* INPUT_MAX_LINE bytes */
};

static int
ruby_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Code point U as UTF-8 into OUT; its length (0 above U+10FFFF). */
static size_t
ruby_utf8(unsigned long u, char *out)
{
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | (u >> 6));
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (char)(0xe0 | (u >> 12));
		out[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		out[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	if (u > 0x10ffff)
		return 0;
	out[0] = (char)(0xf0 | (u >> 18));
	out[1] = (char)(0x80 | ((u >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((u >> 6) & 0x3f));
	out[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

/*
 * Decode the dump P of LEN bytes (its quotes included) into OUT, which
 * holds LEN bytes: the output is never longer.  With IS_CUT (the line was
 * truncated) the closing quote and the end of an escape may be missing.
 * False for a string that is not a dump.
 */
static bool
ruby_undump(const char *p, size_t len, bool is_cut, char *out,
    size_t *outlen)
{
	static const char esc[] = "\"\"\\\\n\nr\rt\tf\fv\vb\ba\ae\033##$$@@";
	const char *end = p + len, *e;
	size_t o = 0, k;
	unsigned long u;
	int d;

	if (len < 1 || p[0] != '"')
		return false;
	for (p++; p < end; p++) {
		if (*p == '"')
			break;
		if (*p != '\\') {
			out[o++] = *p;
			continue;
		}
		if (++p == end)
			break;		/* cut inside the escape */
		if ((e = strchr(esc, *p)) != NULL && *p != '\0' &&
		    (e - esc) % 2 == 0) {
			out[o++] = e[1];
			continue;
		}
		if (*p == 'x') {
			if (end - p < 3 || ruby_hex(p[1]) < 0 ||
			    ruby_hex(p[2]) < 0) {
				if (is_cut && end - p < 3)
					break;
				return false;
			}
			out[o++] = (char)(ruby_hex(p[1]) * 16 + ruby_hex(p[2]));
			p += 2;
			continue;
		}
		if (*p != 'u')
			return false;
		/* \uHHHH or \u{H…}: never shorter than the UTF-8 bytes */
		u = 0;
		if (p + 1 < end && p[1] == '{') {
			for (p += 2, k = 0; p < end && *p != '}' && k < 6; p++, k++) {
				if ((d = ruby_hex(*p)) < 0)
					return false;
				u = u * 16 + (unsigned long)d;
			}
			if (p == end && is_cut)
				break;
			if (p == end || *p != '}' || k == 0)
				return false;
		} else {
			for (k = 0; k < 4 && p + 1 < end; k++, p++) {
				if ((d = ruby_hex(p[1])) < 0)
					return false;
				u = u * 16 + (unsigned long)d;
			}
			if (k < 4) {
				if (is_cut)
					break;
				return false;
			}
		}
		if ((k = ruby_utf8(u, out + o)) == 0)
			return false;
		o += k;
	}
	if (p == end && !is_cut)
		return false;	/* no closing quote */
	if (p < end && p + 1 != end)
		return false;	/* something after it */
	*outlen = o;
	return true;
}

/* '-> "' or '<- "': a dump follows. */
static bool
ruby_is_dump(const char *p, size_t len, char dir)
{
	return len >= 4 && p[0] == dir && p[1] == (dir == '-' ? '>' : '-') &&
	    p[2] == ' ' && p[3] == '"';
}

static bool
ruby_is_count(const char *p, size_t len, const char *verb)
{
	size_t n = strlen(verb), i;

	if (len <= n || memcmp(p, verb, n) != 0)
		return false;
	for (i = n; i < len && p[i] >= '0' && p[i] <= '9'; i++)
		;
	return i > n && len - i == 6 && memcmp(p + i, " bytes", 6) == 0;
}

static int
ruby_probe(const struct line *l)
{
	const char *p = l->bytes;
	size_t n = l->len;

	if (ruby_is_dump(p, n, '-'))
		return n >= 7 && p[4] >= '2' && p[4] <= '5' ? 90 : 60;
	if (ruby_is_dump(p, n, '<'))
		return 85;
	if (FMT_UTIL_PREFIX(p, n, "Connection opened: ") ||
	    FMT_UTIL_PREFIX(p, n, "writing message from "))
		return 80;
	if (ruby_is_count(p, n, "wrote ") || ruby_is_count(p, n, "read "))
		return 40;
	return 0;
}

static void *
ruby_new(void)
{
	struct ruby_state *st = xcalloc(1, sizeof(*st));

	st->buf = xmalloc(INPUT_MAX_LINE);
	return st;
}

static void
ruby_free(void *vst)
{
	struct ruby_state *st = vst;

	if (st == NULL)
		return;
	free(st->buf);
	free(st);
}

/* Decode the dump at P and emit one KIND event per line in it; false if
 * it is not a dump. */
static bool
ruby_say(struct ruby_state *st, const struct event_sink *sink,
    const struct line *l, enum event_kind kind, const char *p, size_t len)
{
	size_t outlen;

	if (len > INPUT_MAX_LINE ||
	    !ruby_undump(p, len, l->is_truncated, st->buf, &outlen))
		return false;
	fmt_util_conn_say_lines(&st->conn, sink, l, kind, st->buf, outlen,
	    st->is_data_hidden ? EVF_DATA_HIDDEN : 0);
	return true;
}

static bool
ruby_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct ruby_state *st = vst;
	const char *p = l->bytes;
	size_t n = l->len;

	if (ruby_is_dump(p, n, '-'))
		return ruby_say(st, sink, l, EV_SERVER, p + 3, n - 3);
	if (ruby_is_dump(p, n, '<'))
		return ruby_say(st, sink, l, EV_CLIENT, p + 3, n - 3);
	if (FMT_UTIL_PREFIX(p, n, "Connection opened: ")) {
		fmt_util_conn_start(&st->conn, sink, l);
		st->is_data_hidden = false;
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "TLS connection started")) {
		fmt_util_conn_tls(&st->conn, sink, l);
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "writing message from ")) {
		st->is_data_hidden = true;
		return true;
	}
	return ruby_is_count(p, n, "wrote ") || ruby_is_count(p, n, "read ");
}

const struct format_adapter fmt_ruby = {
	.name = "ruby",
	.description = "Ruby Net::SMTP debug output (-> \"read\", <- \"written\")",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = ruby_probe,
	.new = ruby_new,
	.free = ruby_free,
	.line = ruby_line,
	.end = NULL,
};
