/*
 * Space-saving top-k tables of the rejections in a log.  A key already
 * counted is incremented; a new key takes a free slot, or replaces the
 * smallest counter and inherits its count as the error bound.  Only lines
 * with a 4xx/5xx reply get here; a key is found through a small probe
 * index, only taking over a slot scans for the smallest counter.
 */
#include <stdbool.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "event.h"
#include "hash.h"
#include "logstat.h"
#include "reply.h"

#define LOGSTAT_ID_MIN	8	/* a word of letters and digits this long is
				 * an id: one "*" */

/* The hash of a key of *N bytes, cut to LOGSTAT_KEY_MAX first. */
static uint32_t
logstat_hash(const char *k, size_t *n)
{
	if (*n > LOGSTAT_KEY_MAX)
		*n = LOGSTAT_KEY_MAX;
	return (uint32_t)hash_bytes(k, *n);
}

/* Remove slot SLOT from the probe index IX of ISZ positions (a power of
 * two), shifting later entries back so that no probe chain breaks. */
static void
logstat_index_del(uint8_t *ix, size_t isz, const uint32_t *hash, size_t slot)
{
	size_t mask = isz - 1, p, j, k;

	for (p = hash[slot] & mask; ix[p] != slot + 1; p = (p + 1) & mask)
		;
	for (j = p;;) {
		j = (j + 1) & mask;
		if (ix[j] == 0)
			break;
		k = hash[ix[j] - 1] & mask;
		/* Move ix[j] back to p unless its home lies in (p, j]. */
		if (p <= j ? (k <= p || k > j) : (k <= p && k > j)) {
			ix[p] = ix[j];
			p = j;
		}
	}
	ix[p] = 0;
}

/* Count KEY (LEN bytes, at most LOGSTAT_KEY_MAX, hash H) in the table of
 * CAP slots with arrays HASH, COUNT, E, the probe index IX (2 * CAP
 * positions) and *N slots used; the slot used, and whether it was taken
 * over from another key in *REPLACED. */
static size_t
logstat_add(uint32_t *hash, unsigned long *count, uint8_t *ix,
    unsigned long *minval, size_t *cursor, struct logstat_entry *e,
    size_t cap, size_t *n, const char *key, size_t len, uint32_t h,
    bool *replaced)
{
	size_t mask = 2 * cap - 1, p, i, k;

	*replaced = false;
	for (p = h & mask; ix[p] != 0; p = (p + 1) & mask) {
		i = ix[p] - 1;
		if (hash[i] == h && e[i].len == len &&
		    memcmp(e[i].key, key, len) == 0) {
			e[i].count = ++count[i];
			return i;
		}
	}
	if (*n < cap) {
		i = (*n)++;
		count[i] = 1;
		e[i].err = 0;
	} else {
		/* A smallest counter: counts only grow, so any slot at the
		 * known minimum is one; most slots of a long tail sit there. */
		for (i = *cursor < cap ? *cursor : 0;;) {
			for (k = 0; k < cap; k++) {
				if (count[i] <= *minval)
					break;
				if (++i == cap)
					i = 0;
			}
			if (k < cap)
				break;
			for (*minval = count[0], k = 1; k < cap; k++)
				if (count[k] < *minval)
					*minval = count[k];
		}
		*cursor = i + 1 == cap ? 0 : i + 1;
		logstat_index_del(ix, 2 * cap, hash, i);
		e[i].err = count[i];
		count[i]++;
		*replaced = true;
	}
	e[i].count = count[i];
	hash[i] = h;
	e[i].len = (uint16_t)len;
	memcpy(e[i].key, key, len);
	for (p = h & mask; ix[p] != 0; p = (p + 1) & mask)
		;
	ix[p] = (uint8_t)(i + 1);
	return i;
}

#define LOGSTAT_ADD(t, cap, key, len, h, rp) \
	logstat_add((t)->hash, (t)->count, (t)->index, &(t)->minval, \
	    &(t)->cursor, (t)->e, (cap), &(t)->n, (key), (len), (h), (rp))

/* What logstat_normalise() does with a byte: most are copied as they are
 * (LS_COPY); the table keeps the per-byte work to one load and a branch. */
enum {
	LS_COPY, LS_ANGLE, LS_BRACKET, LS_PAREN, LS_H, LS_DIGIT, LS_BLANK,
	LS_CTRL, LS_AT
};

static unsigned char logstat_class[256];

static void
logstat_init_class(void)
{
	int c;

	if (logstat_class[0] == LS_CTRL)
		return;
	for (c = 0; c < 0x20; c++)
		logstat_class[c] = LS_CTRL;
	logstat_class[0x7f] = LS_CTRL;
	logstat_class[' '] = logstat_class['\t'] = LS_BLANK;
	for (c = '0'; c <= '9'; c++)
		logstat_class[c] = LS_DIGIT;
	logstat_class['<'] = LS_ANGLE;
	logstat_class['['] = LS_BRACKET;
	logstat_class['('] = LS_PAREN;
	logstat_class['h'] = LS_H;
	logstat_class['@'] = LS_AT;
}

#if defined(__SSE2__)
/*
 * How many of the 16 bytes at P are copied as they are: up to the first
 * that logstat_normalise must look at.  A single blank, and an 'h' that
 * does not start "ht", are copied too.  Reads P[0..16].
 */
static size_t
logstat_run16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i n = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
	__m128i m;
	unsigned mask;

	m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('['))),
	    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('(')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
	/* "ht", and a blank before another */
	m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8('h')), _mm_cmpeq_epi8(n, _mm_set1_epi8('t'))));
	m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8(' ')), _mm_or_si128(_mm_cmpeq_epi8(n,
	    _mm_set1_epi8(' ')), _mm_cmpeq_epi8(n, _mm_set1_epi8('\t')))));
	/* digits; control bytes (signed: 0 <= v < 0x20, tab included) */
	m = _mm_or_si128(m, _mm_and_si128(_mm_cmpgt_epi8(v,
	    _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1))));
	m = _mm_or_si128(m, _mm_and_si128(_mm_cmplt_epi8(v,
	    _mm_set1_epi8(0x20)), _mm_cmpgt_epi8(v, _mm_set1_epi8(-1))));
	mask = (unsigned)_mm_movemask_epi8(m);
	return mask != 0 ? (size_t)__builtin_ctz(mask) : 16;
}
#endif

static inline bool
logstat_alnum(unsigned char c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' &&
	    c <= '9');
}

/*
 * The digit at T[I] (LEN bytes) into OUT[*O]: a number alone becomes "N";
 * a word of letters and digits stays as it is when short ("IPv6", "30s",
 * "0x7f") and becomes "*" from LOGSTAT_ID_MIN bytes on (a queue or session
 * id, base64: they tell apart replies that say the same), its letters
 * before I taken back from OUT.  The index after what was read.
 */
static size_t
logstat_number(const char *t, size_t len, size_t i, char *out, size_t *o)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t ts, te, k;
	bool alpha = false;

	for (ts = i; ts > 0 && logstat_alnum(u[ts - 1]); ts--)
		alpha = true;
	for (te = i; te < len && logstat_alnum(u[te]); te++)
		if (u[te] > '9')
			alpha = true;
	if (!alpha) {
		out[(*o)++] = 'N';
		return te;
	}
	/* The letters before I went out as they came (a digit before them
	 * would have taken the word already): take them back. */
	if (te - ts >= LOGSTAT_ID_MIN && *o >= i - ts &&
	    memcmp(out + *o - (i - ts), t + ts, i - ts) == 0) {
		*o -= i - ts;
		out[(*o)++] = '*';
		return te;
	}
	for (k = i; k < len && u[k] >= '0' && u[k] <= '9'; k++)
		out[(*o)++] = t[k];
	return k;
}

/* Does T start with a reply code, 2xx to 5xx? */
static bool
logstat_is_code(const char *t)
{
	return t[0] >= '2' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' &&
	    t[2] >= '0' && t[2] <= '9';
}

/*
 * The length of a continuation prefix at T[I] (LEN bytes) that repeats
 * the reply's own, T's first PRELEN bytes ("550-5.7.26" of "550-5.7.26 …",
 * "452-" of "452-…"), with '-' or ' ' after the code, and the blank after
 * an enhanced code; 0 if there is none.  A multiline reply flattened into
 * one line (Postfix's "said:" texts) has one before each of its lines.
 */
static size_t
logstat_continuation(const char *t, size_t len, size_t i, size_t prelen)
{
	size_t blank = prelen > 4;	/* after an enhanced code */

	if (len - i < prelen + blank || memcmp(t + i, t, 3) != 0 ||
	    (t[i + 3] != '-' && t[i + 3] != ' ') ||
	    memcmp(t + i + 4, t + 4, prelen - 4) != 0 ||
	    (blank && t[i + prelen] != ' '))
		return 0;
	return prelen + blank;
}

/* Bytes that end an address written without angle brackets. */
static bool
logstat_addr_end(unsigned char c)
{
	return c <= ' ' || c == '<' || c == '>' || c == '(' || c == ')' ||
	    c == '[' || c == ']' || c == '"' || c == '\'' || c == ',' ||
	    c == ';' || c == '=' || c == ':' || c == '/';
}

/*
 * The '@' at T[I] (LEN bytes) of an address without angle brackets
 * ("sender address a.b@c.example does not resolve", "From: 'x@y'"): the
 * address becomes "*@*", its local part taken back from OUT[..*O].  The
 * index after it; a dot that ends a sentence stays.
 */
static size_t
logstat_address(const char *t, size_t len, size_t i, char *out, size_t *o)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t e;

	for (e = i + 1; e < len && !logstat_addr_end(u[e]); e++)
		;
	while (e > i + 1 && t[e - 1] == '.')
		e--;
	if (e == i + 1 || *o == 0 ||
	    logstat_addr_end((unsigned char)out[*o - 1])) {
		out[(*o)++] = '@';	/* no local part or no domain */
		return i + 1;
	}
	while (*o > 0 && !logstat_addr_end((unsigned char)out[*o - 1]))
		(*o)--;
	memcpy(out + *o, "*@*", 3);
	*o += 3;
	return e;
}

size_t
logstat_normalise(const char *t, size_t len, char *out, size_t sz)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t i = 0, o = 0, lim, prelen = 0, n;
	const char *q;

	if (sz == 0)
		return 0;
	logstat_init_class();
	/* Keep the code and the enhanced code as they are; the first line
	 * of a multiline reply stands for all, so "550-" reads "550 ". */
	while (i < len && i < 4 && o + 1 < sz)
		out[o++] = t[i++];
	if (o == 4 && out[3] == '-' && logstat_is_code(t)) {
		out[3] = ' ';
		prelen = 4;
	}
	while (i < len && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.') &&
	    o + 1 < sz)
		out[o++] = t[i++];
	if (prelen > 0 && i > 4 && i < len && t[i] != ' ') {
		out[3] = '-';	/* "550-5.7.26x": not an enhanced code */
		prelen = 0;
	} else if (prelen > 0)
		prelen = i;
	/* Room for a three-byte replacement and the NUL. */
	lim = sz > 4 ? sz - 4 : 0;
	while (i < len && o < lim) {
		unsigned char k;

#if defined(__SSE2__)
		/* Runs of bytes to copy, sixteen at a time (the store may
		 * write past the run, never past LIM). */
		if (i + 17 <= len && o + 16 <= lim &&
		    !(t[i] == ' ' && o > 0 && out[o - 1] == ' ')) {
			size_t run = logstat_run16(t + i);

			if (run > 0) {
				memcpy(out + o, t + i, 16);
				o += run;
				i += run;
				continue;
			}
		}
#endif
		k = logstat_class[u[i]];
		if (k == LS_COPY) {
			out[o++] = t[i++];
			continue;
		}
		switch (k) {
		case LS_ANGLE:
			if ((q = memchr(t + i, '>', len - i)) == NULL)
				break;
			memcpy(out + o, "<*>", 3);
			o += 3;
			i = (size_t)(q - t) + 1;
			continue;
		case LS_BRACKET:
			if ((q = memchr(t + i, ']', len - i)) == NULL ||
			    q - (t + i) >= 64)
				break;
			memcpy(out + o, "[*]", 3);
			o += 3;
			i = (size_t)(q - t) + 1;
			continue;
		case LS_PAREN:
			/* "(set_id=user@domain)": who, not what */
			if ((q = memchr(t + i, ')', len - i)) == NULL ||
			    (memchr(t + i, '=', (size_t)(q - t) - i) == NULL &&
			    memchr(t + i, '@', (size_t)(q - t) - i) == NULL))
				break;
			memcpy(out + o, "(*)", 3);
			o += 3;
			i = (size_t)(q - t) + 1;
			continue;
		case LS_H:
			if (len - i <= 8 || (memcmp(t + i, "http://", 7) != 0 &&
			    memcmp(t + i, "https://", 8) != 0))
				break;
			memcpy(out + o, "URL", 3);
			o += 3;
			while (i < len && t[i] != ' ' && t[i] != ')' &&
			    t[i] != ';')
				i++;
			continue;
		case LS_DIGIT:
			if (prelen > 0 && (o == 0 || out[o - 1] == ' ') &&
			    (n = logstat_continuation(t, len, i, prelen)) >
			    0) {
				i += n;
				continue;
			}
			if (lim - o < LOGSTAT_ID_MIN + 16)
				break;	/* near the end: as it is */
			i = logstat_number(t, len, i, out, &o);
			continue;
		case LS_BLANK:
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			i++;
			continue;
		case LS_CTRL:
			out[o++] = '?';
			i++;
			continue;
		case LS_AT:
			i = logstat_address(t, len, i, out, &o);
			continue;
		}
		/* '<', '[', '(' or 'h' that starts nothing to replace */
		out[o++] = t[i++];
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	/* Cut: say so. */
	if (i < len && lim > 0 && o + 3 < sz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

int
logstat_is_rejection(const char *text, size_t len)
{
	return len >= 3 && (text[0] == '4' || text[0] == '5');
}

void
logstat_reply(struct logstat *ls, const struct event *ev)
{
	char key[LOGSTAT_KEY_MAX + 1], dom[LOGSTAT_KEY_MAX];
	const char *at, *r;
	size_t n, k, clen, dlen = 0;
	uint32_t h;
	bool replaced, dummy;

	if (!logstat_is_rejection(ev->text, ev->len))
		return;
	ls->rejects++;
	/* The recipient's domain, lower case, without the angle brackets. */
	if (ev->rcpt != NULL && (at = memchr(ev->rcpt, '@', ev->rcptlen)) !=
	    NULL) {
		r = ev->rcpt + ev->rcptlen;
		for (at++; at < r && *at != '>' && dlen < sizeof(dom); at++)
			dom[dlen++] = (char)(*at >= 'A' && *at <= 'Z' ?
			    *at + ('a' - 'A') : *at);
	}
	n = logstat_normalise(ev->text, ev->len, key, sizeof(key));
	h = logstat_hash(key, &n);
	k = LOGSTAT_ADD(&ls->rej, LOGSTAT_SLOTS, key, n, h, &replaced);
	if (replaced) {
		memset(&ls->rej_client[k], 0, sizeof(ls->rej_client[k]));
		memset(&ls->rej_domain[k], 0, sizeof(ls->rej_domain[k]));
	}
	/* A key's hash serves both of its tables. */
	if (ev->client != NULL && (clen = ev->clientlen) > 0) {
		h = logstat_hash(ev->client, &clen);
		LOGSTAT_ADD(&ls->rej_client[k], LOGSTAT_SUB, ev->client, clen,
		    h, &dummy);
		LOGSTAT_ADD(&ls->client, LOGSTAT_SLOTS, ev->client, clen, h,
		    &dummy);
	}
	if (dlen > 0) {
		h = logstat_hash(dom, &dlen);
		LOGSTAT_ADD(&ls->rej_domain[k], LOGSTAT_SUB, dom, dlen, h,
		    &dummy);
		LOGSTAT_ADD(&ls->domain, LOGSTAT_SLOTS, dom, dlen, h, &dummy);
	}
}

void
logstat_count(struct logstat_table *t, const char *key, size_t len)
{
	uint32_t h = logstat_hash(key, &len);
	bool replaced;

	LOGSTAT_ADD(t, LOGSTAT_SLOTS, key, len, h, &replaced);
}

static int
logstat_cmp(const struct logstat_entry *a, const struct logstat_entry *b)
{
	size_t n;
	int c;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	n = a->len < b->len ? a->len : b->len;
	if ((c = memcmp(a->key, b->key, n)) != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

size_t
logstat_top(const struct logstat_entry *e, size_t ne, size_t *idx, size_t n)
{
	size_t i, j, k = 0;

	/* Insertion into IDX: N is small. */
	for (i = 0; i < ne; i++) {
		for (j = k; j > 0 && logstat_cmp(&e[i], &e[idx[j - 1]]) < 0;
		    j--)
			if (j < n)
				idx[j] = idx[j - 1];
		if (j < n) {
			idx[j] = i;
			if (k < n)
				k++;
		}
	}
	return k;
}

int
logstat_is_sure(const struct logstat_entry *e)
{
	return e->err == 0 || (e->count - e->err >= 2 &&
	    e->err <= e->count / 2);
}
