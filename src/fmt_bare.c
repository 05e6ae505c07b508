/*
 * fmt_bare: dialogues whose lines carry no direction prefix at all, the
 * side told by the line itself: a reply starts with its code ("250 ok",
 * "250-SIZE 1000"), anything else the client sent.
 *
 *  - javamail: JavaMail's (Jakarta Mail's) debug output (mail.debug): the
 *    lines on the wire as they are, and its own lines after "DEBUG SMTP: "
 *    or "DEBUG: ".  "DEBUG SMTP: trying to connect to host" starts a
 *    connection; "AUTH LOGIN command trace suppressed" hides the AUTH
 *    exchange.  The stack trace of an exception it printed is understood
 *    and passed over.
 *  - telnet: a session typed into telnet, nc or openssl s_client and
 *    pasted: telnet's own lines ("Trying …", "Connected to …", "Escape
 *    character is '^]'.", "Connection closed by foreign host.") mark the
 *    connection.
 *
 * A client line is a command, a word of letters first ("mail from:<>"
 * typed in lower case too); the message between a 354 and the "." and
 * the answer to a 334 may be anything.  Other lines (an application's log
 * around JavaMail's, a stack trace) are not understood.  The line
 * endings are not known.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

struct bare_state {
	struct fmt_util_conn	 conn;
	bool			 in_data;	/* after a 354 */
	bool			 in_auth;	/* after a 334 */
};

/* A command: a word of 3 to 12 letters, alone or before a blank. */
static bool
bare_is_command(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i <= 12 && ((p[i] | 0x20) >= 'a' &&
	    (p[i] | 0x20) <= 'z'); i++)
		;
	return i >= 3 && i <= 12 && (i == n || p[i] == ' ');
}

/* A line that starts with a command people type: for detection only. */
static bool
bare_is_verb(const char *p, size_t n)
{
	static const char *const verbs[] = { "ehlo ", "helo ", "mail from:",
	    "rcpt to:", "data", "quit", "starttls", "auth ", "rset", "noop",
	    "vrfy ", NULL };
	size_t i, k, j;

	for (i = 0; verbs[i] != NULL; i++) {
		k = strlen(verbs[i]);
		if (n < k)
			continue;
		for (j = 0; j < k && (p[j] | 0x20) == verbs[i][j]; j++)
			;
		if (j == k && (verbs[i][k - 1] == ' ' ||
		    verbs[i][k - 1] == ':' || n == k))
			return true;
	}
	return false;
}

/* telnet's and nc's own lines: what they say of the connection. */
static enum fmt_util_word
bare_telnet_note(const char *p, size_t n)
{
	if (FMT_UTIL_PREFIX(p, n, "Connected to ") ||
	    (FMT_UTIL_PREFIX(p, n, "Connection to ") &&
	    fmt_util_contains(p, n, " succeeded")) ||
	    FMT_UTIL_PREFIX(p, n, "CONNECTED("))
		return FMT_UTIL_WORD_START;
	if (FMT_UTIL_PREFIX(p, n, "Connection closed by foreign host") ||
	    FMT_UTIL_PREFIX(p, n, "Connection closed."))
		return FMT_UTIL_WORD_END;
	return FMT_UTIL_WORD_NONE;
}

static bool
bare_is_telnet_talk(const char *p, size_t n)
{
	return FMT_UTIL_PREFIX(p, n, "Trying ") ||
	    FMT_UTIL_PREFIX(p, n, "Escape character is ") ||
	    /* openssl s_client's own */
	    FMT_UTIL_PREFIX(p, n, "read R BLOCK") ||
	    (n == 4 && memcmp(p, "DONE", 4) == 0) ||
	    (n == 3 && memcmp(p, "---", 3) == 0) ||
	    bare_telnet_note(p, n) != FMT_UTIL_WORD_NONE;
}

/*
 * A shell prompt's line ("$ telnet mx 25", "# openssl s_client -starttls
 * smtp -connect mx:25"): 0 for none, 1 for another command, 2 for a
 * client that connects, 3 for one that connects with TLS (s_client and
 * gnutls-cli speak TLS from the first line they show).
 */
static int
bare_shell(const char *p, size_t n)
{
	static const char *const plain[] = { "telnet ", "nc ", "ncat ",
	    "netcat ", "socat ", NULL };
	size_t i;

	if (n < 3 || (p[0] != '$' && p[0] != '#' && p[0] != '%') ||
	    p[1] != ' ')
		return 0;
	p += 2;
	n -= 2;
	for (i = 0; plain[i] != NULL; i++)
		if (fmt_util_has_prefix(p, n, plain[i], strlen(plain[i])))
			return 2;
	if ((FMT_UTIL_PREFIX(p, n, "openssl s_client") ||
	    FMT_UTIL_PREFIX(p, n, "gnutls-cli ")))
		return 3;
	return 1;
}

static int
javamail_probe(const struct line *l)
{
	const char *p = l->bytes;
	size_t n = l->len;

	if (FMT_UTIL_PREFIX(p, n, "DEBUG SMTP: "))
		return 95;
	if (FMT_UTIL_PREFIX(p, n, "DEBUG: setDebug: JavaMail") ||
	    FMT_UTIL_PREFIX(p, n, "DEBUG: getProvider() returning "))
		return 95;
	return 0;
}

static int
telnet_probe(const struct line *l)
{
	const char *p = l->bytes;
	size_t n = l->len;

	if (FMT_UTIL_PREFIX(p, n, "Escape character is '^]'."))
		return 80;
	if (bare_shell(p, n) >= 2 || FMT_UTIL_PREFIX(p, n, "CONNECTED("))
		return 40;
	if (bare_is_telnet_talk(p, n))
		return 30;
	/* a reply or a command alone: only where nothing else fits, and
	 * only as typed (no tab: a table's row is not a reply) */
	if (memchr(p, '\t', n) != NULL)
		return 0;
	if (fmt_util_is_reply(p, n) && n > 4 && p[1] <= '5')
		return 5;
	if (bare_is_verb(p, n))
		return 10;
	return 0;
}

static void *
bare_new(void)
{
	return xcalloc(1, sizeof(struct bare_state));
}

static void
bare_free(void *st)
{
	free(st);
}

/* One line of the dialogue: a reply, a command, or data. */
static bool
bare_say(struct bare_state *st, const struct line *l,
    const struct event_sink *sink)
{
	const char *p = l->bytes;
	size_t n = l->len;

	if (st->in_data) {
		if (n == 1 && p[0] == '.')
			st->in_data = false;
		fmt_util_conn_say(&st->conn, sink, l, EV_CLIENT, p, n,
		    EOL_UNKNOWN, 0);
		return true;
	}
	if (fmt_util_is_reply(p, n)) {
		if (n <= 3 || p[3] != '-') {	/* a reply's last line */
			st->in_data = memcmp(p, "354", 3) == 0;
			st->in_auth = memcmp(p, "334", 3) == 0;
		}
		fmt_util_conn_say(&st->conn, sink, l, EV_SERVER, p, n,
		    EOL_UNKNOWN, 0);
		return true;
	}
	if (st->in_auth || bare_is_command(p, n)) {
		st->in_auth = false;
		fmt_util_conn_say(&st->conn, sink, l, EV_CLIENT, p, n,
		    EOL_UNKNOWN, 0);
		return true;
	}
	return false;
}

/* A Java stack trace, which JavaMail prints after "THROW:": "jakarta.mail.
 * SendFailedException: …", "Caused by: …", "\tat …", "\t... 11 more",
 * "  nested exception is:". */
static bool
bare_is_java_trace(const char *p, size_t n)
{
	const char *sp, *dot;

	if (FMT_UTIL_PREFIX(p, n, "Caused by: ") || FMT_UTIL_PREFIX(p, n, "\tat ") ||
	    FMT_UTIL_PREFIX(p, n, "\t... ") ||
	    FMT_UTIL_PREFIX(p, n, "  nested exception is:"))
		return true;
	/* a class name with its package, then ":" or the end */
	sp = memchr(p, ' ', n);
	dot = memchr(p, '.', sp != NULL ? (size_t)(sp - p) : n);
	return dot != NULL && dot > p && (sp == NULL || sp[-1] == ':') &&
	    (fmt_util_contains(p, sp != NULL ? (size_t)(sp - p) : n,
	    "Exception") || fmt_util_contains(p, sp != NULL ?
	    (size_t)(sp - p) : n, "Error"));
}

static bool
javamail_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct bare_state *st = vst;
	const char *p = l->bytes;
	size_t n = l->len;

	if (FMT_UTIL_PREFIX(p, n, "DEBUG SMTP: ")) {
		p += 12;
		n -= 12;
		if (FMT_UTIL_PREFIX(p, n, "trying to connect to host ")) {
			fmt_util_conn_start(&st->conn, sink, l);
			st->in_data = st->in_auth = false;
		}
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "DEBUG: ") || FMT_UTIL_PREFIX(p, n, "DEBUG "))
		return true;
	if (!st->in_data && (n == 0 || bare_is_java_trace(p, n)))
		return true;	/* an exception JavaMail printed, a blank */
	return bare_say(st, l, sink);
}

/* "...", "…", "[...]", "[ snip …": the paste leaves lines out here. */
static bool
bare_is_omission(const char *p, size_t n)
{
	return (n >= 3 && strspn(p, ".") == n) ||
	    (n == 3 && memcmp(p, "\xe2\x80\xa6", 3) == 0) ||
	    FMT_UTIL_PREFIX(p, n, "[...]") || FMT_UTIL_PREFIX(p, n, "[ snip") ||
	    FMT_UTIL_PREFIX(p, n, "[snip");
}

static bool
telnet_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct bare_state *st = vst;
	enum fmt_util_word w;
	int sh;

	if (!st->in_data && bare_is_omission(l->bytes, l->len)) {
		/* a reply left out must not pair the next with the wrong
		 * command: the session goes on as one joined late */
		struct event ev = event_make(EV_GAP, l->no);

		sink->emit(sink->ctx, &ev);
		st->in_auth = false;
		return true;
	}
	if (!st->in_data && (sh = bare_shell(l->bytes, l->len)) > 0) {
		if (sh >= 2) {
			fmt_util_conn_start(&st->conn, sink, l);
			st->in_auth = false;
		}
		if (sh == 3)
			fmt_util_conn_tls(&st->conn, sink, l);
		return true;
	}
	if (!st->in_data && FMT_UTIL_PREFIX(l->bytes, l->len, "CONNECTED(")) {
		fmt_util_conn_start(&st->conn, sink, l);
		fmt_util_conn_tls(&st->conn, sink, l);
		return true;
	}

	if (!st->in_data && bare_is_telnet_talk(l->bytes, l->len)) {
		if ((w = bare_telnet_note(l->bytes, l->len)) ==
		    FMT_UTIL_WORD_START)
			fmt_util_conn_start(&st->conn, sink, l);
		else if (w == FMT_UTIL_WORD_END)
			fmt_util_conn_end(&st->conn, sink, l);
		return true;
	}
	return bare_say(st, l, sink);
}

const struct format_adapter fmt_javamail = {
	.name = "javamail",
	.description = "JavaMail / Jakarta Mail debug output (DEBUG SMTP: lines)",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = javamail_probe,
	.new = bare_new,
	.free = bare_free,
	.line = javamail_line,
	.end = NULL,
};

const struct format_adapter fmt_telnet = {
	.name = "telnet",
	.description = "a session typed into telnet, nc or openssl s_client",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = telnet_probe,
	.new = bare_new,
	.free = bare_free,
	.line = telnet_line,
	.end = NULL,
};
