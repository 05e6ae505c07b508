/*
 * fmt_rfc: sessions written the way the RFCs show them, "C: EHLO x" and
 * "S: 250 ok" (RFC 5321 appendix D), and the generic dialogues "> EHLO x" /
 * "< 250 ok" and "-> EHLO x" / "<- 250 ok".
 *
 * Decisions: the prefixes are upper case only ("c:" is not a prefix any
 * RFC uses, and a lower-case line is more likely prose); blanks before the
 * prefix are skipped (RFC text indents its examples); exactly one space
 * after the prefix is removed, so a data line's own leading blanks stay;
 * "C:" or "S:" alone is an empty line.  RFC narration such as
 * "C: <open connection to server>" (RFC 2920, RFC 3030) is not a line the
 * client sent: it is understood, and starts or ends a session when it says
 * so.  Between sessions, "# ...", "=== ..." and "--- ..." lines naming a
 * connection or session are markers; other '#' lines are comments.
 *
 * Line endings: if the dialogue lines of the file end in CR LF the file is
 * taken as a faithful copy of the wire, and each line's own ending is
 * passed on, so a bare LF line in it shows; otherwise it is unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

enum rfc_shape {
	RFC_SHAPE_NONE,
	RFC_SHAPE_CS,			/* "C: ", "S: " */
	RFC_SHAPE_ARROW,		/* "-> ", "<- " */
	RFC_SHAPE_ANGLE			/* "> ", "< " */
};

struct rfc_state {
	struct fmt_util_conn	 conn;
	struct fmt_util_wire	 wire;
};

static size_t
rfc_skip_blank(const char *p, size_t len)
{
	size_t	 i = 0;

	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/*
 * The shape of the dialogue line P; *KIND is who sent it and *OFF where its
 * text starts.  A prefix must be followed by one space or the end of the
 * line, except that "C:"/"S:" needs the space only before text.
 */
static enum rfc_shape
rfc_shape(const char *p, size_t len, enum event_kind *kind, size_t *off)
{
	enum rfc_shape	 shape;
	size_t		 n;

	if (len >= 2 && (p[0] == 'C' || p[0] == 'S') && p[1] == ':') {
		*kind = p[0] == 'C' ? EV_CLIENT : EV_SERVER;
		if (len == 2) {
			*off = 2;
			return RFC_SHAPE_CS;
		}
		if (p[2] != ' ')
			return RFC_SHAPE_NONE;
		*off = 3;
		return RFC_SHAPE_CS;
	}
	/* "<-" before "<": "<- 250" is not "<" followed by "- 250". */
	if (FMT_UTIL_PREFIX(p, len, "->") || FMT_UTIL_PREFIX(p, len, "<-")) {
		*kind = p[0] == '-' ? EV_CLIENT : EV_SERVER;
		shape = RFC_SHAPE_ARROW;
		n = 2;
	} else if (len >= 1 && (p[0] == '>' || p[0] == '<')) {
		*kind = p[0] == '>' ? EV_CLIENT : EV_SERVER;
		shape = RFC_SHAPE_ANGLE;
		n = 1;
	} else
		return RFC_SHAPE_NONE;
	if (len == n) {
		*off = n;
		return shape;
	}
	if (p[n] != ' ')
		return RFC_SHAPE_NONE;
	*off = n + 1;
	return shape;
}

/*
 * RFC narration: "<wait for connection on TCP port 25>".  Words only, so
 * that data lines such as "<html lang=en>" or "<b>x</b>" stay data.
 */
static bool
rfc_is_narration(const char *p, size_t len)
{
	size_t	 i;
	bool	 has_space = false;

	if (len < 3 || p[0] != '<' || p[len - 1] != '>')
		return false;
	for (i = 1; i < len - 1; i++) {
		char	 c = p[i];

		if (c == ' ')
			has_space = true;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == ',' ||
		    c == '\'' || c == '-'))
			return false;
	}
	return has_space;
}

static bool
rfc_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
rfc_probe(const struct line *l)
{
	enum event_kind	 kind;
	enum rfc_shape	 shape;
	size_t		 i, off, n;
	const char	*p;

	i = rfc_skip_blank(l->bytes, l->len);
	p = l->bytes + i;
	n = l->len - i;
	shape = rfc_shape(p, n, &kind, &off);
	if (shape == RFC_SHAPE_NONE)
		return 0;	/* OFF is not set */
	p += off;
	n -= off;
	switch (shape) {
	case RFC_SHAPE_NONE:
		return 0;
	case RFC_SHAPE_CS:
		if (n == 0)
			return 40;
		if (rfc_is_narration(p, n))
			return 60;
		if (kind == EV_SERVER)
			return n >= 3 && rfc_is_digit(p[0]) &&
			    rfc_is_digit(p[1]) && rfc_is_digit(p[2]) ? 90 : 60;
		return 90;
	case RFC_SHAPE_ARROW:
	case RFC_SHAPE_ANGLE:
		/* Indented or doubly spaced arrows are swaks's shapes. */
		if (i > 0 || n == 0 || p[0] == ' ')
			return 30;
		if (kind == EV_SERVER && !rfc_is_digit(p[0]))
			return 30;
		return shape == RFC_SHAPE_ARROW ? 55 : 50;
	}
	return 0;
}

static void *
rfc_new(void)
{
	return xcalloc(1, sizeof(struct rfc_state));
}

static void
rfc_free(void *st)
{
	free(st);
}

static void
rfc_marker(struct rfc_state *st, const struct event_sink *sink,
    const struct line *l, enum fmt_util_word w)
{
	if (w == FMT_UTIL_WORD_START)
		fmt_util_conn_start(&st->conn, sink, l);
	else if (w == FMT_UTIL_WORD_END)
		fmt_util_conn_end(&st->conn, sink, l);
}

static bool
rfc_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct rfc_state	*st = vst;
	enum event_kind		 kind;
	enum rfc_shape		 shape;
	enum fmt_util_word	 w;
	size_t			 i, off, n;
	const char		*p;

	i = rfc_skip_blank(l->bytes, l->len);
	p = l->bytes + i;
	n = l->len - i;
	if (n == 0)
		return true;
	if ((shape = rfc_shape(p, n, &kind, &off)) != RFC_SHAPE_NONE) {
		if (shape == RFC_SHAPE_CS &&
		    rfc_is_narration(p + off, n - off)) {
			rfc_marker(st, sink, l, fmt_util_conn_words(p, n));
			return true;
		}
		fmt_util_conn_say(&st->conn, sink, l, kind, p + off, n - off,
		    fmt_util_wire_eol(&st->wire, l), 0);
		return true;
	}
	if (p[0] == '#') {
		rfc_marker(st, sink, l, fmt_util_conn_words(p, n));
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "===") || FMT_UTIL_PREFIX(p, n, "---")) {
		if ((w = fmt_util_conn_words(p, n)) == FMT_UTIL_WORD_NONE)
			return false;
		rfc_marker(st, sink, l, w);
		return true;
	}
	return false;
}

const struct format_adapter fmt_rfc = {
	.name = "rfc",
	.description = "RFC-style C:/S: transcripts and >/<, ->/<- dialogues",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = rfc_probe,
	.new = rfc_new,
	.free = rfc_free,
	.line = rfc_line,
	.end = NULL,
};
