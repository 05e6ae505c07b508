/*
 * fmt_smtplib: Python smtplib debug output (set_debuglevel(1); level 2 puts
 * a datetime.time() stamp "HH:MM:SS.ffffff " first).  smtplib prints the
 * repr() of what it sends and receives:
 *
 *	connect: ('host', 465)			SMTP_SSL only, then:
 *	connect: to ('host', 25) None		a new connection
 *	send: 'ehlo x\r\n'			a str, either quote style
 *	send: b'Subject: ...\r\n.\r\n'		bytes: the whole message
 *	reply: b'250-PIPELINING\r\n'		one reply line
 *	reply: retcode (250); Msg: b'...'	the reply again, assembled
 *	data: (354, b'...')			the DATA reply again
 *	connect: b'greeting text'		the greeting again
 *
 * One send may hold many wire lines (the message data): it is split after
 * each LF into one EV_CLIENT per line, whose terminator the escapes show
 * (CR LF, a bare LF, or none for the last piece).  The un-escaped bytes
 * live in a buffer of INPUT_MAX_LINE bytes owned by the state.
 * smtplib shows no line for the STARTTLS handshake; SMTP_SSL's handshake
 * precedes the greeting, so EV_TLS is emitted just before that.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

struct smtplib_state {
	struct fmt_util_conn	 conn;
	bool			 is_ssl_connect; /* "connect: (" last */
	bool			 is_tls_pending; /* SMTP_SSL: TLS first */
	char			*buf;	/* INPUT_MAX_LINE bytes */
};

/* The text after an optional level-2 time stamp. */
static const char *
smtplib_body(const struct line *l, size_t *len)
{
	size_t	 skip = fmt_util_pytime(l->bytes, l->len);

	*len = l->len - skip;
	return l->bytes + skip;
}

/* Is P the start of a str or bytes repr? */
static bool
smtplib_is_repr(const char *p, size_t len)
{
	if (len > 0 && p[0] == 'b') {
		p++;
		len--;
	}
	return len > 0 && (p[0] == '\'' || p[0] == '"');
}

static int
smtplib_probe(const struct line *l)
{
	size_t		 n;
	const char	*p = smtplib_body(l, &n);

	if (FMT_UTIL_PREFIX(p, n, "send: ") && smtplib_is_repr(p + 6, n - 6))
		return 95;
	if (FMT_UTIL_PREFIX(p, n, "reply: ") && smtplib_is_repr(p + 7, n - 7))
		return 95;
	if (FMT_UTIL_PREFIX(p, n, "reply: retcode (") ||
	    FMT_UTIL_PREFIX(p, n, "connect: to ("))
		return 95;
	if (FMT_UTIL_PREFIX(p, n, "data: (") ||
	    FMT_UTIL_PREFIX(p, n, "connect: ("))
		return 80;
	if (FMT_UTIL_PREFIX(p, n, "connect: ") && smtplib_is_repr(p + 9, n - 9))
		return 80;
	return 0;
}

static void *
smtplib_new(void)
{
	struct smtplib_state	*st = xcalloc(1, sizeof(*st));

	st->buf = xmalloc(INPUT_MAX_LINE);
	return st;
}

static void
smtplib_free(void *vst)
{
	struct smtplib_state	*st = vst;

	if (st == NULL)
		return;
	free(st->buf);
	free(st);
}

/*
 * Un-escape the repr at P and emit one KIND event per wire line in it.
 * False if the repr is malformed; then nothing was emitted.
 */
static bool
smtplib_say(struct smtplib_state *st, const struct event_sink *sink,
    const struct line *l, enum event_kind kind, const char *p, size_t len)
{
	size_t		 outlen;
	bool		 is_bytes = false;

	if (len > 0 && p[0] == 'b') {
		is_bytes = true;
		p++;
		len--;
	}
	/* A repr is never longer than the input line, which is capped at
	 * INPUT_MAX_LINE, and its un-escaped bytes are never longer. */
	if (len > INPUT_MAX_LINE ||
	    !fmt_util_pyrepr(p, len, is_bytes, l->is_truncated, st->buf,
	    &outlen))
		return false;
	if (kind == EV_SERVER && st->is_tls_pending && outlen > 0) {
		fmt_util_conn_tls(&st->conn, sink, l);
		st->is_tls_pending = false;
	}
	fmt_util_conn_say_lines(&st->conn, sink, l, kind, st->buf, outlen, 0);
	return true;
}

static bool
smtplib_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct smtplib_state	*st = vst;
	size_t			 n;
	const char		*p = smtplib_body(l, &n);
	bool			 was_ssl_connect = st->is_ssl_connect;

	st->is_ssl_connect = false;
	if (FMT_UTIL_PREFIX(p, n, "send: "))
		return smtplib_say(st, sink, l, EV_CLIENT, p + 6, n - 6);
	if (FMT_UTIL_PREFIX(p, n, "reply: retcode ("))
		return true;
	if (FMT_UTIL_PREFIX(p, n, "reply: "))
		return smtplib_say(st, sink, l, EV_SERVER, p + 7, n - 7);
	if (FMT_UTIL_PREFIX(p, n, "data: ("))
		return true;
	if (FMT_UTIL_PREFIX(p, n, "connect: (")) {
		/* SMTP_SSL._get_socket, before the TCP connect and the TLS
		 * handshake; "connect: to" follows for the same connection. */
		fmt_util_conn_start(&st->conn, sink, l);
		st->is_ssl_connect = true;
		st->is_tls_pending = true;
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "connect: to (")) {
		if (!was_ssl_connect) {
			fmt_util_conn_start(&st->conn, sink, l);
			st->is_tls_pending = false;
		}
		return true;
	}
	/* "connect: b'greeting'" repeats the greeting; "connect fail:" is
	 * LMTP's failed socket connect. */
	return FMT_UTIL_PREFIX(p, n, "connect: ") ||
	    FMT_UTIL_PREFIX(p, n, "connect fail: ");
}

const struct format_adapter fmt_smtplib = {
	.name = "smtplib",
	.description = "Python smtplib debug output (set_debuglevel 1 or 2)",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = smtplib_probe,
	.new = smtplib_new,
	.free = smtplib_free,
	.line = smtplib_line,
	.end = NULL,
};
