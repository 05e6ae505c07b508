/*
 * fmt_msmtp: msmtp --debug output.  msmtp writes "<-- " before each reply
 * line and "--> " before each chunk it sends, each followed by the bytes
 * as they crossed the wire, CR LF included.  It pipelines MAIL, RCPT and
 * DATA and prints them in the order sent.  Around the dialogue stand its
 * own notes: the configuration ("host = 127.0.0.1"), "using account ...",
 * "reading recipients ...", the "TLS session parameters:" and "TLS
 * certificate information:" blocks, the --serverinfo summary and its error
 * messages ("msmtp: ...").  Each run of msmtp is one connection and starts
 * with those notes.
 *
 * msmtp sends the message in chunks of 1023 bytes (MAIL_BUFSIZE - 1, one
 * more for a dot-stuffed first chunk) and prints each with "--> ", so a
 * longer data line appears as "--> aaa...--> aaa...\r\n" on one file line;
 * the chunks are joined again in a buffer of INPUT_MAX_LINE bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

#define MSMTP_CHUNK	1023		/* msmtp's MAIL_BUFSIZE - 1 */

enum msmtp_block {
	MSMTP_BLOCK_NONE,
	MSMTP_BLOCK_TLS,		/* "TLS session parameters:" ... */
	MSMTP_BLOCK_INFO		/* the --serverinfo summary */
};

struct msmtp_state {
	struct fmt_util_conn	 conn;
	struct fmt_util_wire	 wire;
	enum msmtp_block	 block;	/* owner of indented lines */
	bool			 is_serverinfo; /* summary after QUIT */
	char			*buf;	/* INPUT_MAX_LINE bytes */
};

/* The notes msmtp prints before it connects. */
static const char *const msmtp_preamble[] = {
	"ignoring system configuration file ",
	"loaded system configuration file ",
	"ignoring user configuration file ",
	"loaded user configuration file ",
	"falling back to default account",
	"using account ",
	"using environment variables ",
	"reading recipients from ",
};

static bool
msmtp_is_preamble(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(msmtp_preamble) / sizeof(msmtp_preamble[0]);
	    i++)
		if (fmt_util_has_prefix(p, len, msmtp_preamble[i],
		    strlen(msmtp_preamble[i])))
			return true;
	return false;
}

/* A configuration line: "tls_starttls = on", "source ip = (not set)". */
static bool
msmtp_is_setting(const char *p, size_t len)
{
	size_t	 i = 0;

	while (i < len && ((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_' ||
	    (p[i] == ' ' && i > 0 && p[i - 1] != ' ' && i + 1 < len &&
	    p[i + 1] != '=')))
		i++;
	return i > 0 && FMT_UTIL_PREFIX(p + i, len - i, " =");
}

static bool
msmtp_is_summary_head(const char *p, size_t len)
{
	return FMT_UTIL_PREFIX(p, len, "SMTP server at ") ||
	    FMT_UTIL_PREFIX(p, len, "LMTP server at ") ||
	    FMT_UTIL_PREFIX(p, len, "Capabilities:");
}

static bool
msmtp_is_tls_head(const char *p, size_t len)
{
	return FMT_UTIL_PREFIX(p, len, "TLS session parameters:") ||
	    FMT_UTIL_PREFIX(p, len, "TLS certificate information:");
}

static int
msmtp_probe(const struct line *l)
{
	const char	*p = l->bytes;
	size_t		 n = l->len;

	if (FMT_UTIL_PREFIX(p, n, "<-- "))
		return n > 4 && p[4] >= '0' && p[4] <= '9' ? 90 : 40;
	if (FMT_UTIL_PREFIX(p, n, "--> "))
		return 85;
	if (msmtp_is_tls_head(p, n) || msmtp_is_preamble(p, n))
		return 80;
	if (FMT_UTIL_PREFIX(p, n, "msmtp: ") || msmtp_is_summary_head(p, n))
		return 60;
	if (msmtp_is_setting(p, n))
		return 30;
	return 0;
}

static void *
msmtp_new(void)
{
	struct msmtp_state	*st = xcalloc(1, sizeof(*st));

	st->buf = xmalloc(INPUT_MAX_LINE);
	return st;
}

static void
msmtp_free(void *vst)
{
	struct msmtp_state	*st = vst;

	if (st == NULL)
		return;
	free(st->buf);
	free(st);
}

/*
 * Join the chunks of a long sent line (P is the text after the first
 * "--> ").  Returns P itself when there is a single chunk.  A chunk is
 * MSMTP_CHUNK bytes (one more when msmtp doubled a leading dot, RFC 5321
 * 4.5.2); one that ended in the CR of a CR LF lost that CR, and the CR LF
 * then follows as a chunk of its own.
 */
static const char *
msmtp_join(struct msmtp_state *st, const char *p, size_t *len)
{
	size_t	 n = *len, o = 0, at, chunk;

	/* The buffer holds a line; the input reader never hands out more. */
	if (n > INPUT_MAX_LINE)
		return p;
	chunk = n > 0 && p[0] == '.' ? MSMTP_CHUNK + 1 : MSMTP_CHUNK;
	for (;;) {
		if (n >= chunk + 4 && memcmp(p + chunk, "--> ", 4) == 0)
			at = chunk;
		else if (n >= chunk + 3 &&
		    memcmp(p + chunk - 1, "--> ", 4) == 0)
			at = chunk - 1;
		else
			break;
		memcpy(st->buf + o, p, at);
		o += at;
		p += at + 4;
		n -= at + 4;
		chunk = MSMTP_CHUNK;
	}
	if (o == 0)
		return p;
	memcpy(st->buf + o, p, n);
	*len = o + n;
	return st->buf;
}

static bool
msmtp_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct msmtp_state	*st = vst;
	enum msmtp_block	 prev;
	const char		*p = l->bytes, *text;
	size_t			 n = l->len;
	bool			 is_client;

	if ((FMT_UTIL_PREFIX(p, n, "<--") || FMT_UTIL_PREFIX(p, n, "-->")) &&
	    (n == 3 || p[3] == ' ')) {
		st->block = MSMTP_BLOCK_NONE;
		is_client = p[0] == '-';
		text = p + (n > 3 ? 4 : 3);
		n -= (size_t)(text - p);
		if (is_client)
			text = msmtp_join(st, text, &n);
		fmt_util_conn_say(&st->conn, sink, l,
		    is_client ? EV_CLIENT : EV_SERVER, text, n,
		    fmt_util_wire_eol(&st->wire, l), 0);
		return true;
	}
	if (n > 0 && (p[0] == ' ' || p[0] == '\t') &&
	    st->block != MSMTP_BLOCK_NONE)
		return true;
	fmt_util_wire_note(&st->wire, l);
	prev = st->block;
	st->block = MSMTP_BLOCK_NONE;
	if (msmtp_is_tls_head(p, n)) {
		/* The handshake is done when msmtp describes it, except in
		 * the --serverinfo summary, printed after QUIT. */
		if (!st->is_serverinfo && prev != MSMTP_BLOCK_TLS)
			fmt_util_conn_tls(&st->conn, sink, l);
		st->block = MSMTP_BLOCK_TLS;
		return true;
	}
	if (msmtp_is_summary_head(p, n)) {
		st->is_serverinfo = true;
		st->block = MSMTP_BLOCK_INFO;
		return true;
	}
	if (msmtp_is_preamble(p, n) || msmtp_is_setting(p, n)) {
		fmt_util_conn_start(&st->conn, sink, l);
		st->is_serverinfo = false;
		return true;
	}
	return FMT_UTIL_PREFIX(p, n, "msmtp: ");
}

const struct format_adapter fmt_msmtp = {
	.name = "msmtp",
	.description = "msmtp --debug output (<-- / -->)",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = msmtp_probe,
	.new = msmtp_new,
	.free = msmtp_free,
	.line = msmtp_line,
	.end = NULL,
};
