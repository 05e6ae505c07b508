/*
 * fmt_curl: what curl -v writes for smtp:// and smtps:// URLs.  "> " comes
 * before each command curl sent and "< " before each reply line, both with
 * the bytes as they crossed the wire, CR LF included; "* " before curl's
 * notes; "{ [n bytes data]" and "} [n bytes data]" for other traffic.  The
 * message itself is never shown (not even the final "."), so every
 * dialogue event carries EVF_DATA_HIDDEN.  Without -s, the progress meter
 * is mixed in: each update starts with a CR and the next verbose line
 * follows on the same file line; the updates are skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "xalloc.h"

struct curl_state {
	struct fmt_util_conn	 conn;
	struct fmt_util_wire	 wire;
};

/* Bytes of a progress meter update ("  0     0    0 ... --:--:--     0")
 * or bar ("####  12.3%"). */
static bool
curl_is_meter(char c)
{
	return (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == ':' ||
	    c == '.' || c == '%' || c == '#' || c == 'k' || c == 'M' ||
	    c == 'G' || c == 'T' || c == 'P' || c == 'E';
}

/* The offset of the text after the progress meter updates that start L. */
static size_t
curl_skip_meter(const char *p, size_t len)
{
	size_t	 i = 0;

	while (i < len && p[i] == '\r') {
		i++;
		while (i < len && curl_is_meter(p[i]))
			i++;
	}
	return i;
}

/* "{ [47 bytes data]", "} [5 bytes data]" */
static bool
curl_is_traffic(const char *p, size_t len)
{
	size_t	 i = 3;

	if (!FMT_UTIL_PREFIX(p, len, "{ [") && !FMT_UTIL_PREFIX(p, len, "} ["))
		return false;
	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	return i > 3 && len - i == sizeof(" bytes data]") - 1 &&
	    memcmp(p + i, " bytes data]", len - i) == 0;
}

/* The first lines of the progress meter. */
static bool
curl_is_meter_head(const char *p, size_t len)
{
	while (len > 0 && p[0] == ' ') {
		p++;
		len--;
	}
	return FMT_UTIL_PREFIX(p, len, "% Total ") ||
	    FMT_UTIL_PREFIX(p, len, "Dload  Upload ");
}

/*
 * A note saying the TLS handshake is done: "SSL connection using TLSv1.3 /
 * ..." (OpenSSL, wolfSSL, GnuTLS), "TLS 1.2 connection using ..."
 * (Secure Transport), "BearSSL: New connection using ...", "rustls:
 * handshake complete, ...", "mbedTLS: Handshake complete, cipher is ..."
 * and the "SSL connected" older curls add.  Other backends word it
 * otherwise; their sessions then get TLS from the 220 to STARTTLS alone.
 */
static bool
curl_is_tls_note(const char *p, size_t len)
{
	if (FMT_UTIL_PREFIX(p, len, "rustls: handshake complete") ||
	    FMT_UTIL_PREFIX(p, len, "mbedTLS: Handshake complete") ||
	    (len == 13 && memcmp(p, "SSL connected", 13) == 0))
		return true;
	return (FMT_UTIL_PREFIX(p, len, "SSL") ||
	    FMT_UTIL_PREFIX(p, len, "TLS") ||
	    FMT_UTIL_PREFIX(p, len, "BearSSL: ")) &&
	    fmt_util_contains(p, len, " connection using ");
}

static bool
curl_is_code(const char *p, size_t len)
{
	return len >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' &&
	    p[1] <= '9' && p[2] >= '0' && p[2] <= '9';
}

static int
curl_probe(const struct line *l)
{
	size_t		 i = curl_skip_meter(l->bytes, l->len);
	const char	*p = l->bytes + i;
	size_t		 n = l->len - i;
	bool		 is_crlf = l->eol == EOL_CRLF;

	if (i > 0 && n == 0)
		return 60;
	/*
	 * "< 250" and "> EHLO" are also the generic dialogue of fmt_rfc,
	 * which scores them 50.  curl's own notes ("*   Trying", "* Connected
	 * to") open every curl -v output and decide; a generic dialogue
	 * must not be taken for curl's, whose data is hidden.
	 */
	if (FMT_UTIL_PREFIX(p, n, "< "))
		return curl_is_code(p + 2, n - 2) ? (is_crlf ? 45 : 35) : 10;
	if (FMT_UTIL_PREFIX(p, n, "> "))
		return n > 2 ? (is_crlf ? 45 : 35) : 10;
	if (FMT_UTIL_PREFIX(p, n, "* ")) {
		p += 2;
		n -= 2;
		if (FMT_UTIL_PREFIX(p, n, "  Trying ") ||
		    FMT_UTIL_PREFIX(p, n, "Connected to ") ||
		    curl_is_tls_note(p, n))
			return 80;
		if (FMT_UTIL_PREFIX(p, n, "Closing connection") ||
		    FMT_UTIL_PREFIX(p, n, "Connection #"))
			return 70;
		return 20;
	}
	if (curl_is_traffic(p, n) || curl_is_meter_head(p, n))
		return 80;
	if (FMT_UTIL_PREFIX(p, n, "curl: ("))
		return 60;
	return 0;
}

static void *
curl_new(void)
{
	return xcalloc(1, sizeof(struct curl_state));
}

static void
curl_free(void *st)
{
	free(st);
}

static bool
curl_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct curl_state	*st = vst;
	size_t			 i = curl_skip_meter(l->bytes, l->len);
	const char		*p = l->bytes + i;
	size_t			 n = l->len - i;

	if (i > 0 && n == 0)
		return true;
	if (FMT_UTIL_PREFIX(p, n, "< ") || FMT_UTIL_PREFIX(p, n, "> ")) {
		fmt_util_conn_say(&st->conn, sink, l,
		    p[0] == '>' ? EV_CLIENT : EV_SERVER, p + 2, n - 2,
		    fmt_util_wire_eol(&st->wire, l), EVF_DATA_HIDDEN);
		return true;
	}
	if (FMT_UTIL_PREFIX(p, n, "* ")) {
		fmt_util_wire_note(&st->wire, l);
		p += 2;
		n -= 2;
		if (FMT_UTIL_PREFIX(p, n, "Connected to "))
			fmt_util_conn_start(&st->conn, sink, l);
		else if (curl_is_tls_note(p, n))
			fmt_util_conn_tls(&st->conn, sink, l);
		/* "Connection #0 to host ... left intact" keeps it open for
		 * reuse: not an end. */
		else if (FMT_UTIL_PREFIX(p, n, "Closing connection") ||
		    FMT_UTIL_PREFIX(p, n, "shutting down connection"))
			fmt_util_conn_end(&st->conn, sink, l);
		return true;
	}
	if (curl_is_traffic(p, n) || curl_is_meter_head(p, n)) {
		fmt_util_wire_note(&st->wire, l);
		return true;
	}
	return FMT_UTIL_PREFIX(p, n, "curl: (");
}

const struct format_adapter fmt_curl = {
	.name = "curl",
	.description = "curl -v output for smtp:// URLs (message data hidden)",
	.is_log = false,
	.dialogue_rejects = true,
	.probe = curl_probe,
	.new = curl_new,
	.free = curl_free,
	.line = curl_line,
	.end = NULL,
};
