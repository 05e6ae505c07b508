/*
 * fmt_swaks: swaks transcripts.  swaks (its ptrans()) starts every line with
 * a four-byte prefix: " -> " sent, "<-  " received, "<** " a reply it did
 * not expect, "=== " its notes, "*** " its errors; once TLS is up "~"
 * replaces "-" (" ~> ", "<~  ", "<~* "); "**> " and "*~> " mark a failed
 * send, "  > " and "<   " the hex dumps of --show-raw-text.  A message of
 * several lines repeats the prefix on each line, so a multi-line reply is
 * one "<-  " line per reply line.  swaks deletes every CR it receives and
 * appends the CR LF it sends without showing it, so the wire's line
 * endings are never known; message data lines keep their CR in the file,
 * which the input reader takes with the LF.  A transcript pasted where the
 * leading blank was lost ("-> EHLO x") is read too.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

enum swaks_role {
	SWAKS_CLIENT,			/* a line swaks sent */
	SWAKS_SERVER,			/* a line swaks received */
	SWAKS_NOTE,			/* "=== " */
	SWAKS_ERROR,			/* "*** " */
	SWAKS_DUMP			/* --show-raw-text hex dump */
};

static const struct swaks_prefix {
	char		 pfx[5];
	size_t		 len;		/* of pfx */
	enum swaks_role	 role;
	int		 score;		/* probe score before text */
} swaks_prefixes[] = {
	{ " -> ", 4, SWAKS_CLIENT, 85 },
	{ " ~> ", 4, SWAKS_CLIENT, 90 },
	{ "**> ", 4, SWAKS_CLIENT, 70 },
	{ "*~> ", 4, SWAKS_CLIENT, 70 },
	{ "<-  ", 4, SWAKS_SERVER, 90 },
	{ "<~  ", 4, SWAKS_SERVER, 90 },
	{ "<** ", 4, SWAKS_SERVER, 90 },
	{ "<~* ", 4, SWAKS_SERVER, 90 },
	{ "=== ", 4, SWAKS_NOTE, 40 },
	{ "*** ", 4, SWAKS_ERROR, 50 },
	{ "  > ", 4, SWAKS_DUMP, 20 },
	{ "<   ", 4, SWAKS_DUMP, 20 },
	/* a sent line whose leading blank a paste lost (Markdown, chat):
	 * low, as "-> " alone is fmt_rfc's arrow */
	{ "-> ", 3, SWAKS_CLIENT, 30 },
	{ "~> ", 3, SWAKS_CLIENT, 30 },
};

struct swaks_state {
	struct fmt_util_conn	 conn;
	bool			 is_data_hidden; /* --suppress-data seen */
};

/*
 * The prefix of P, NULL if none.  A dialogue line that is only its prefix
 * may have lost the trailing space to an editor: the three bytes alone are
 * an empty line.
 */
static const struct swaks_prefix *
swaks_match(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(swaks_prefixes) / sizeof(swaks_prefixes[0]);
	    i++) {
		const struct swaks_prefix *sp = &swaks_prefixes[i];

		if (fmt_util_has_prefix(p, len, sp->pfx, sp->len) &&
		    (sp->len == 4 || (len > 3 && p[3] != ' ')))
			return sp;
		if (len == 3 && sp->len == 4 && memcmp(p, sp->pfx, 3) == 0 &&
		    (sp->role == SWAKS_CLIENT || sp->role == SWAKS_SERVER))
			return sp;
	}
	return NULL;
}

/* swaks --suppress-data sends the message but shows "N lines sent". */
static bool
swaks_is_summary(const char *p, size_t len)
{
	size_t	 i = 0;

	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	return i > 0 && len - i == sizeof(" lines sent") - 1 &&
	    memcmp(p + i, " lines sent", len - i) == 0;
}

/* swaks prints its own timeout as if it were a reply. */
static bool
swaks_is_timeout(const char *p, size_t len)
{
	static const char tail[] = "waiting for server response";

	return FMT_UTIL_PREFIX(p, len, "Timeout (") &&
	    len >= sizeof(tail) - 1 &&
	    memcmp(p + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1) == 0;
}

static int
swaks_probe(const struct line *l)
{
	const struct swaks_prefix	*sp;
	const char			*p;
	size_t				 n;

	if ((sp = swaks_match(l->bytes, l->len)) == NULL)
		return 0;
	if (l->len < sp->len + 1)
		return 30;
	p = l->bytes + sp->len;
	n = l->len - sp->len;
	switch (sp->role) {
	case SWAKS_SERVER:
		return n > 0 && p[0] >= '2' && p[0] <= '5' ? sp->score : 50;
	case SWAKS_NOTE:
		if (FMT_UTIL_PREFIX(p, n, "TLS started with cipher "))
			return 90;
		if (FMT_UTIL_PREFIX(p, n, "Trying ") ||
		    FMT_UTIL_PREFIX(p, n, "Connected to ") ||
		    FMT_UTIL_PREFIX(p, n, "Connection closed with "))
			return 80;
		return sp->score;
	default:
		return sp->score;
	}
}

static void *
swaks_new(void)
{
	return xcalloc(1, sizeof(struct swaks_state));
}

static void
swaks_free(void *st)
{
	free(st);
}

static bool
swaks_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct swaks_state		*st = vst;
	const struct swaks_prefix	*sp;
	const char			*p;
	size_t				 n;
	unsigned			 flags;

	if ((sp = swaks_match(l->bytes, l->len)) == NULL)
		return false;
	p = l->bytes + (l->len < sp->len ? l->len : sp->len);
	n = l->len - (size_t)(p - l->bytes);
	flags = st->is_data_hidden ? EVF_DATA_HIDDEN : 0;
	switch (sp->role) {
	case SWAKS_CLIENT:
		if (swaks_is_summary(p, n)) {
			/* The data went out but is not shown: from here the
			 * reply after 354 answers the end of data. */
			st->is_data_hidden = true;
			return true;
		}
		fmt_util_conn_say(&st->conn, sink, l, EV_CLIENT, p, n,
		    EOL_UNKNOWN, flags);
		return true;
	case SWAKS_SERVER:
		if (!swaks_is_timeout(p, n))
			fmt_util_conn_say(&st->conn, sink, l, EV_SERVER, p, n,
			    EOL_UNKNOWN, flags);
		return true;
	case SWAKS_NOTE:
		if (FMT_UTIL_PREFIX(p, n, "Connected to ")) {
			fmt_util_conn_start(&st->conn, sink, l);
			st->is_data_hidden = false;
		} else if (FMT_UTIL_PREFIX(p, n, "TLS started with cipher "))
			fmt_util_conn_tls(&st->conn, sink, l);
		else if (FMT_UTIL_PREFIX(p, n, "Connection closed with ") ||
		    FMT_UTIL_PREFIX(p, n, "Dropping connection"))
			fmt_util_conn_end(&st->conn, sink, l);
		return true;
	case SWAKS_ERROR:
		/* "Remote host closed connection unexpectedly.", likewise
		 * "Socket" and "Child process". */
		if (fmt_util_contains(p, n, "closed connection unexpectedly"))
			fmt_util_conn_end(&st->conn, sink, l);
		return true;
	case SWAKS_DUMP:
		return true;
	}
	return false;
}

const struct format_adapter fmt_swaks = {
	.name = "swaks",
	.description = "swaks transcripts (-> sent, <- received, ~ under TLS)",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = swaks_probe,
	.new = swaks_new,
	.free = swaks_free,
	.line = swaks_line,
	.end = NULL,
};
