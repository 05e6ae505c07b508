/*
 * fmt_exchange: Microsoft Exchange SMTP protocol logs (SMTP Receive and
 * SMTP Send Protocol Log, "#Fields: date-time,connector-id,session-id,
 * sequence-number,local-endpoint,remote-endpoint,event,data,context").
 * CSV, one row per event; a field holding a comma or a quote is quoted
 * with quotes doubled.  Events: '+' connect, '-' disconnect, '>' sent, '<'
 * received, '*' information.  In a Receive log Exchange is the server ('>'
 * its replies, '<' the client's commands); in a Send log it is the client
 * ('>' its commands, '<' the remote server's replies).  Before a #Log-type
 * line is seen, a data field of reply form is taken as the server's.
 *
 * Sessions are keyed by session-id and interleave; a session's dialogue is
 * complete (no EVF_PARTIAL) only when its '+' row was seen.  Exchange never
 * logs message data, so every dialogue event carries EVF_DATA_HIDDEN.
 * Exchange 2013 and later log a multiline reply as one row, the code once
 * and the lines joined by blanks after two blanks ("250  host Hello [ip]
 * SIZE 37748736 PIPELINING …"); such an EHLO reply is split again at the
 * EHLO keywords it names.  Pasted logs often have the blanks squeezed to
 * one: then two keywords must be named.  No allocation per line: the unquoted field goes
 * to a buffer of the per-input state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "fmt_util.h"
#include "logfmt.h"
#include "xalloc.h"

#define EX_SLOTS	4096		/* session states kept (power of 2) */
#define EX_KEY_MAX	128
#define EX_FIELD_MAX	16384		/* bytes kept of the data field */
#define EX_NFIELDS	9

enum ex_col {
	EX_COL_SESSION,
	EX_COL_EVENT,
	EX_COL_DATA,
	EX_COL_CONTEXT,
	EX_COL_N
};

enum ex_dir {
	EX_DIR_UNKNOWN,
	EX_DIR_RECEIVE,			/* Exchange is the server */
	EX_DIR_SEND			/* Exchange is the client */
};

struct ex_slot {
	uint64_t	 hash;		/* 0: free */
	uint8_t		 is_full;	/* the '+' row was seen */
};

struct ex_state {
	enum ex_dir	 dir;
	int		 col[EX_COL_N];	/* field index of each column */
	char		 key[EX_KEY_MAX];
	char		 data[EX_FIELD_MAX];
	char		 part[EX_FIELD_MAX];	/* one line of a split reply */
	struct ex_slot	 slot[EX_SLOTS];
};

/* The header's field names we need, in enum ex_col order. */
static const char *const ex_colnames[EX_COL_N] = {
	"session-id", "event", "data", "context"
};

/* EHLO keywords Exchange announces (and the common ones of others). */
static const char *const ex_keywords[] = {
	"SIZE", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS",
	"X-ANONYMOUSTLS", "AUTH", "X-EXPS", "8BITMIME", "BINARYMIME",
	"CHUNKING", "XRDST", "XEXCH50", "X-LINK2STATE", "XSHADOW",
	"XSHADOWREQUEST", "XOORG", "SMTPUTF8", "XPROXY", "XPROXYFROM",
	"XPROXYTO", "XSESSIONPARAMS", "XRSETPROXYTO", "XMESSAGECONTEXT",
	"XSYSPROBE", "XADRESOLVE", "XFASTINDEX", "XLONGADDR", "XORIGFROM",
	"VRFY", "ETRN", "EXPN", "HELP", "DELIVERBY", "REQUIRETLS", NULL
};

/* A UTF-8 byte order mark before the first header line. */
static void
ex_skip_bom(const char **p, size_t *n)
{
	if (*n >= 3 && memcmp(*p, "\xEF\xBB\xBF", 3) == 0) {
		*p += 3;
		*n -= 3;
	}
}

/* "2023-01-11T15:59:51.433Z," */
static bool
ex_is_row(const char *p, size_t n)
{
	return n > 24 && p[0] >= '1' && p[0] <= '2' && p[4] == '-' &&
	    p[7] == '-' && p[10] == 'T' && p[13] == ':' &&
	    memchr(p + 19, ',', n - 19 < 12 ? n - 19 : 12) != NULL;
}

/*
 * Split the CSV row P into at most MAX fields: F[i] and FL[i] point into
 * the row, still quoted.  Returns the number of fields.
 */
static size_t
ex_fields(const char *p, size_t n, const char **f, size_t *fl, size_t max)
{
	const char *end = p + n, *q = p;
	size_t k = 0;

	while (k < max) {
		f[k] = q;
		if (q < end && *q == '"') {
			/* RFC 4180 2: a quote inside is doubled */
			for (q++; q < end; q++)
				if (*q == '"') {
					if (q + 1 < end && q[1] == '"')
						q++;
					else {
						q++;
						break;
					}
				}
			while (q < end && *q != ',')
				q++;
		} else if ((q = memchr(q, ',', (size_t)(end - q))) == NULL)
			q = end;
		fl[k] = (size_t)(q - f[k]);
		k++;
		if (q >= end)
			break;
		q++;
	}
	return k;
}

/* Unquote field S into BUF (at most MAX bytes); its length. */
static size_t
ex_unquote(const char *s, size_t n, char *buf, size_t max, bool *is_cut)
{
	size_t i, k = 0;

	*is_cut = false;
	if (n < 2 || s[0] != '"') {
		if (n > max) {
			n = max;
			*is_cut = true;
		}
		memcpy(buf, s, n);
		return n;
	}
	for (i = 1; i < n; i++) {
		if (s[i] == '"') {
			if (i + 1 < n && s[i + 1] == '"')
				i++;
			else
				break;
		}
		if (k == max) {
			*is_cut = true;
			break;
		}
		buf[k++] = s[i];
	}
	return k;
}

static int
ex_probe(const struct line *l)
{
	const char *p = l->bytes, *f[EX_NFIELDS];
	size_t n = l->len, fl[EX_NFIELDS];

	ex_skip_bom(&p, &n);
	if (LOGFMT_PREFIX(p, n, "#Log-type: SMTP Receive Protocol Log") ||
	    LOGFMT_PREFIX(p, n, "#Log-type: SMTP Send Protocol Log"))
		return 150;
	if (LOGFMT_PREFIX(p, n, "#Software: Microsoft Exchange Server") ||
	    LOGFMT_PREFIX(p, n, "#Fields: date-time,connector-id,session-id,"))
		return 100;
	if (!ex_is_row(p, n) || ex_fields(p, n, f, fl, EX_NFIELDS) < 8)
		return 0;
	/* the event column holds one of + - > < * */
	if (fl[6] == 1 && strchr("+-<>*", f[6][0]) != NULL)
		return 60;
	return 0;
}

static void *
ex_new(void)
{
	struct ex_state *st = xcalloc(1, sizeof(*st));

	/* The default order of #Fields. */
	st->col[EX_COL_SESSION] = 2;
	st->col[EX_COL_EVENT] = 6;
	st->col[EX_COL_DATA] = 7;
	st->col[EX_COL_CONTEXT] = 8;
	return st;
}

static void
ex_free(void *st)
{
	free(st);
}

static uint64_t
ex_hash(const char *k, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h ? h : 1;
}

static struct ex_slot *
ex_slot(struct ex_state *st, uint64_t h)
{
	return &st->slot[(h ^ (h >> 29)) & (EX_SLOTS - 1)];
}

/* "#Fields: a,b,c": where our columns are. */
static void
ex_header_fields(struct ex_state *st, const char *p, size_t n)
{
	const char *f[32];
	size_t fl[32], k, i, c;

	k = ex_fields(p, n, f, fl, 32);
	for (c = 0; c < EX_COL_N; c++)
		for (i = 0; i < k; i++)
			if (strlen(ex_colnames[c]) == fl[i] &&
			    memcmp(ex_colnames[c], f[i], fl[i]) == 0) {
				st->col[c] = (int)i;
				break;
			}
}

static bool
ex_is_keyword(const char *w, size_t n)
{
	size_t i;

	for (i = 0; ex_keywords[i] != NULL; i++)
		if (strlen(ex_keywords[i]) == n &&
		    memcmp(ex_keywords[i], w, n) == 0)
			return true;
	return false;
}

static void
ex_emit_line(const struct event_sink *sink, struct event *ev, const char *s,
    size_t n)
{
	ev->text = s;
	ev->len = n;
	sink->emit(sink->ctx, ev);
}

/*
 * A reply "DDD  first line kw1 arg kw2 …" (Exchange's one-row form of a
 * multiline EHLO reply; one blank after DDD if two keywords follow): emitted as "DDD-first line", "DDD-kw1 arg", …,
 * "DDD kwN".  Any other reply is emitted as it is.
 */
static void
ex_server(struct ex_state *st, const struct event_sink *sink,
    struct event *ev, const char *s, size_t n)
{
	const char *w, *end = s + n, *start, *lend, *text;
	size_t wl, nkw = 0, need;

	if (n < 5 || s[3] != ' ' || !fmt_util_is_reply(s, n)) {
		ex_emit_line(sink, ev, s, n);
		return;
	}
	text = s[4] == ' ' ? s + 5 : s + 4;
	need = text == s + 5 ? 1 : 2;
	/* Keywords after the first word: one is enough after two blanks;
	 * after one (a log pasted where blanks were squeezed, or a server
	 * that joins so) it takes two, so that an ordinary reply naming one
	 * ("250 HELP is here") stays as it is. */
	for (w = text; w < end; w += wl + 1) {
		const char *sp = memchr(w, ' ', (size_t)(end - w));

		wl = sp ? (size_t)(sp - w) : (size_t)(end - w);
		if (w != text && ex_is_keyword(w, wl) && ++nkw == need)
			break;
	}
	if (nkw < need) {
		ex_emit_line(sink, ev, s, n);
		return;
	}
	start = text;
	while (start < end) {
		/* This line runs to the next keyword (not its first word). */
		lend = memchr(start, ' ', (size_t)(end - start));
		lend = lend ? lend : end;
		for (w = lend; w < end; w += wl) {
			const char *sp;

			w++;
			sp = memchr(w, ' ', (size_t)(end - w));
			wl = sp ? (size_t)(sp - w) : (size_t)(end - w);
			if (ex_is_keyword(w, wl)) {
				lend = w - 1;
				break;
			}
			lend = w + wl;
		}
		wl = (size_t)(lend - start);
		if (wl + 4 > sizeof(st->part))
			wl = sizeof(st->part) - 4;
		memcpy(st->part, s, 3);
		st->part[3] = lend >= end ? ' ' : '-';
		memcpy(st->part + 4, start, wl);
		ex_emit_line(sink, ev, st->part, wl + 4);
		start = lend + 1;
	}
}

static bool
ex_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct ex_state *st = vst;
	struct event ev;
	const char *p = l->bytes, *f[EX_NFIELDS + 8], *sid, *ctx;
	size_t n = l->len, fl[EX_NFIELDS + 8], k, sidl, dl, ctxl, keylen;
	struct ex_slot *slot;
	uint64_t h;
	bool is_cut, is_server, is_full;
	char evc;
	int maxcol = 0, c;

	ex_skip_bom(&p, &n);
	if (n > 0 && p[0] == '#') {
		if (LOGFMT_PREFIX(p, n, "#Log-type: SMTP Receive"))
			st->dir = EX_DIR_RECEIVE;
		else if (LOGFMT_PREFIX(p, n, "#Log-type: SMTP Send"))
			st->dir = EX_DIR_SEND;
		else if (LOGFMT_PREFIX(p, n, "#Fields: "))
			ex_header_fields(st, p + 9, n - 9);
		return true;
	}
	if (!ex_is_row(p, n))
		return false;
	for (c = 0; c < EX_COL_N; c++)
		if (st->col[c] > maxcol)
			maxcol = st->col[c];
	if (maxcol >= EX_NFIELDS + 8)
		return false;
	k = ex_fields(p, n, f, fl, (size_t)maxcol + 1);
	if (k <= (size_t)st->col[EX_COL_EVENT] ||
	    k <= (size_t)st->col[EX_COL_SESSION] ||
	    fl[st->col[EX_COL_EVENT]] != 1)
		return false;
	evc = f[st->col[EX_COL_EVENT]][0];
	sid = f[st->col[EX_COL_SESSION]];
	sidl = fl[st->col[EX_COL_SESSION]];
	if (sidl == 0 || sidl > EX_KEY_MAX - 9)
		return false;
	memcpy(st->key, "exchange ", 9);
	memcpy(st->key + 9, sid, sidl);
	keylen = 9 + sidl;
	h = ex_hash(st->key, keylen);
	slot = ex_slot(st, h);
	is_full = slot->hash == h && slot->is_full;
	switch (evc) {
	case '+':
		slot->hash = h;
		slot->is_full = 1;
		ev = event_make(EV_SESSION_START, l->no);
		ev.key = st->key;
		ev.keylen = keylen;
		ev.flags = EVF_DATA_HIDDEN;
		sink->emit(sink->ctx, &ev);
		return true;
	case '-':
		if (slot->hash == h)
			slot->hash = 0;
		ev = event_make(EV_SESSION_END, l->no);
		ev.key = st->key;
		ev.keylen = keylen;
		sink->emit(sink->ctx, &ev);
		return true;
	case '*':
		/* "TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded
		 * …" in the data or the context column */
		ctx = NULL;
		ctxl = 0;
		if (k > (size_t)st->col[EX_COL_CONTEXT]) {
			ctx = f[st->col[EX_COL_CONTEXT]];
			ctxl = fl[st->col[EX_COL_CONTEXT]];
		}
		if (k > (size_t)st->col[EX_COL_DATA] &&
		    LOGFMT_FIND(f[st->col[EX_COL_DATA]],
		    fl[st->col[EX_COL_DATA]], "negotiation succeeded") != NULL)
			ctx = f[st->col[EX_COL_DATA]], ctxl =
			    fl[st->col[EX_COL_DATA]];
		if (is_full && ctx != NULL &&
		    LOGFMT_FIND(ctx, ctxl, "negotiation succeeded") != NULL) {
			ev = event_make(EV_TLS, l->no);
			ev.key = st->key;
			ev.keylen = keylen;
			sink->emit(sink->ctx, &ev);
		}
		return true;
	case '<':
	case '>':
		break;
	default:
		return false;
	}
	if (k <= (size_t)st->col[EX_COL_DATA])
		return false;
	dl = ex_unquote(f[st->col[EX_COL_DATA]], fl[st->col[EX_COL_DATA]],
	    st->data, sizeof(st->data), &is_cut);
	if (st->dir == EX_DIR_RECEIVE)
		is_server = evc == '>';
	else if (st->dir == EX_DIR_SEND)
		is_server = evc == '<';
	else
		is_server = fmt_util_is_reply(st->data, dl);
	ev = event_make(is_server ? EV_SERVER : EV_CLIENT, l->no);
	ev.is_truncated = l->is_truncated || is_cut;
	ev.key = st->key;
	ev.keylen = keylen;
	ev.flags = EVF_DATA_HIDDEN | (is_full ? 0 : EVF_PARTIAL);
	if (is_server)
		ex_server(st, sink, &ev, st->data, dl);
	else
		ex_emit_line(sink, &ev, st->data, dl);
	return true;
}

const struct format_adapter fmt_exchange = {
	.name = "exchange",
	.description = "Microsoft Exchange SMTP Receive/Send protocol logs (CSV)",
	.is_log = true,
	.dialogue_rejects = true,
	.probe = ex_probe,
	.new = ex_new,
	.free = ex_free,
	.line = ex_line,
	.end = NULL,
};
