/*
 * fmt_util: helpers shared by the adapters (fmt_rfc, fmt_swaks,
 * fmt_curl, fmt_smtplib, fmt_msmtp; fmt_pattern and fmt_postfix for a
 * dialogue joined late): prefix tests, connection bookkeeping,
 * deciding whether a file shows the wire's line endings, and the Python
 * repr un-escaper.  Nothing here allocates; callers own every buffer and
 * every output is bounded by its input.
 */
#ifndef FMT_UTIL_H
#define FMT_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"
#include "input.h"

/* Does P (LEN bytes, may hold NULs) start with the string literal S? */
#define FMT_UTIL_PREFIX(p, len, s) \
	fmt_util_has_prefix((p), (len), (s), sizeof(s) - 1)

bool	fmt_util_has_prefix(const char *p, size_t len, const char *pfx,
	    size_t pfxlen);
/* Is P (N bytes) a reply line's start: a code 2xx to 5xx, then a blank,
 * '-' or the end? */
bool	fmt_util_is_reply(const char *p, size_t n);
/* Does P contain the NUL-terminated NEEDLE? */
bool	fmt_util_contains(const char *p, size_t len, const char *needle);
/*
 * A server line S (N bytes) of a dialogue joined late, before any client
 * line: it answers nothing shown.  When it ends a reply ("DDD text" or
 * "DDD") it goes to the session layer as a logged reply of no known command
 * in session KEY (FLAGS, partial), so that it is counted and explained;
 * true then.
 */
bool	fmt_util_late_reply(const struct event_sink *, const struct line *l,
	    const char *s, size_t n, const char *key, size_t keylen,
	    unsigned flags);

/*
 * One connection of a transcript.  Start events are deduplicated: a start
 * while the current connection has shown nothing is dropped, so tools that
 * announce a connection on several lines give one session.
 */
struct fmt_util_conn {
	bool	 is_open;	/* a start was emitted or implied */
	bool	 is_empty;	/* nothing emitted since that start */
};

/* Emit EV_SESSION_START for line L, unless the connection is empty. */
void	fmt_util_conn_start(struct fmt_util_conn *,
	    const struct event_sink *, const struct line *);
/* Emit EV_SESSION_END if a connection is open. */
void	fmt_util_conn_end(struct fmt_util_conn *, const struct event_sink *,
	    const struct line *);
/* Emit EV_TLS for line L. */
void	fmt_util_conn_tls(struct fmt_util_conn *, const struct event_sink *,
	    const struct line *);
/* Give EV the dialogue text TEXT (LEN bytes) of line L: is_truncated and
 * full_len from L, has_bare_cr from TEXT. */
void	fmt_util_event_text(struct event *ev, const struct line *l,
	    const char *text, size_t len);
/* Emit a dialogue event (EV_CLIENT, EV_SERVER) of TEXT, which points into
 * L or into adapter storage; has_bare_cr is computed from TEXT itself and
 * is_truncated copied from L. */
void	fmt_util_conn_say(struct fmt_util_conn *, const struct event_sink *,
	    const struct line *, enum event_kind, const char *text,
	    size_t len, enum eol, unsigned flags);

/* Emit the decoded bytes BUF (LEN) of line L as one KIND event per wire
 * line in them: each LF ends one (CR LF, or a bare LF, as the bytes show),
 * the last piece has none (EOL_NONE, or EOL_UNKNOWN when L was cut). */
void	fmt_util_conn_say_lines(struct fmt_util_conn *,
	    const struct event_sink *, const struct line *, enum event_kind,
	    const char *buf, size_t len, unsigned flags);

/* What a marker or narrative line says about the connection. */
enum fmt_util_word {
	FMT_UTIL_WORD_NONE,		/* nothing about a connection */
	FMT_UTIL_WORD_START,		/* "connected", "session 2" ... */
	FMT_UTIL_WORD_END		/* "connection closed" ... */
};

enum fmt_util_word	fmt_util_conn_words(const char *p, size_t len);

/*
 * Whether a tool's transcript shows the wire's line endings: clients that
 * print the bytes they sent and received (curl -v, msmtp --debug) keep the
 * CR LF of SMTP lines in the file, while their own notes end in a bare LF.
 * Once a dialogue line ended in CR LF, the file is taken as wire-faithful;
 * a note ending in CR LF means the whole file was converted, and from then
 * on nothing is known.
 */
struct fmt_util_wire {
	bool	 has_crlf;	/* a dialogue line ended in CR LF */
	bool	 is_converted;	/* a note line ended in CR LF */
};

/* The wire terminator of dialogue line L, EOL_MAYBE_LF for a bare LF
 * before the file proved wire-faithful, or EOL_UNKNOWN. */
enum eol	fmt_util_wire_eol(struct fmt_util_wire *,
		    const struct line *);
/* Record a line the tool wrote itself (always with a bare LF). */
void		fmt_util_wire_note(struct fmt_util_wire *,
		    const struct line *);

/* Skip a Python datetime.time() stamp "HH:MM:SS[.ffffff] " at the start of
 * P; the number of bytes skipped, 0 if there is none. */
size_t	fmt_util_pytime(const char *p, size_t len);

/*
 * Un-escape the Python repr of a str (IS_BYTES false) or bytes object.  P
 * points at the opening quote (after any b prefix) and the closing quote
 * must be the last byte of LEN, unless IS_CUT (the line was truncated),
 * where an unterminated repr and a cut-off escape at the end are accepted.
 * OUT must hold LEN bytes; the output is never longer than the input.
 * Escapes are those repr() writes: \\ \' \" \n \r \t \xhh, and in a str
 * \u and \U with 4 and 8 hex digits, whose code points are written as
 * UTF-8 like the raw non-ASCII bytes around them.  Returns false on any
 * other escape, a bad hex digit, a code point above U+10FFFF or a stray
 * quote.
 */
bool	fmt_util_pyrepr(const char *p, size_t len, bool is_bytes,
	    bool is_cut, char *out, size_t *outlen);

#endif
