#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reply.h"

#define ISDIGIT(c)	((c) >= '0' && (c) <= '9')

/*
 * RFC 5321 4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *     Reply-code [ SP textstring ] CRLF
 * Reply-code = %x32-35 %x30-35 %x30-39
 * textstring = 1*(%d09 / %d32-126)
 * The second digit 6-9 is outside the grammar; such a code is kept so that
 * the caller can tell a known vendor code (572) from garbage.
 */
void
reply_parse(const char *s, size_t len, struct reply_line *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->is_last = true;
	if (len < 3 || !ISDIGIT(s[0]) || !ISDIGIT(s[1]) || !ISDIGIT(s[2])) {
		r->is_malformed = true;
		r->why = "no-code";
		r->text = s;
		r->textlen = len;
		return;
	}
	r->code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (len == 3) {
		r->text = s + 3;
		return;		/* a bare "250": accepted (4.2) */
	}
	if (ISDIGIT(s[3])) {
		/* "2500 Ok": malformed, but the first three digits are kept
		 * so that the line still answers its command. */
		r->is_malformed = true;
		r->why = "long-code";
		while (len > 3 && ISDIGIT(*s))
			s++, len--;
		r->text = s;
		r->textlen = len;
		return;
	}
	if (s[3] == '-')
		r->is_last = false;
	else if (s[3] != ' ') {
		r->is_malformed = true;
		r->why = "bad-separator";
	}
	r->text = s + 4;
	r->textlen = len - 4;
	if (s[0] < '2' || s[0] > '5') {
		r->is_malformed = true;
		r->why = "bad-class";
	}
	if (r->is_malformed)
		return;
	/* Eight bytes at a time while none is below 0x20 or DEL: the word
	 * trick finds a byte below 0x20 (or above 0x7f, checked slowly)
	 * and a DEL as a zero byte after the xor. */
	for (i = 0; i + 8 <= r->textlen; i += 8) {
		uint64_t w, d;

		memcpy(&w, r->text + i, 8);
		d = w ^ 0x7f7f7f7f7f7f7f7fu;
		if ((((w - 0x2020202020202020u) | (d - 0x0101010101010101u)) &
		    0x8080808080808080u) != 0)
			break;
	}
	for (; i < r->textlen; i++) {
		unsigned char c = (unsigned char)r->text[i];

		/* A bare CR is reported as a line-ending problem. */
		if ((c < 32 && c != '\t' && c != '\r') || c == 127) {
			r->is_malformed = true;
			r->why = "control-char";
			return;
		}
	}
}

/*
 * The code of line S and its text, as reply_parse gives them, without
 * judging the line: for a reply an MTA logged, which is counted and
 * explained, not checked for its bytes.
 */
int
reply_code(const char *s, size_t len, const char **text, size_t *textlen)
{
	if (len < 3 || !ISDIGIT(s[0]) || !ISDIGIT(s[1]) || !ISDIGIT(s[2])) {
		*text = s;
		*textlen = len;
		return 0;
	}
	if (len == 3) {
		*text = s + 3;
		*textlen = 0;
	} else if (ISDIGIT(s[3])) {
		*text = s;
		*textlen = len;
		while (*textlen > 3 && ISDIGIT(**text))
			(*text)++, (*textlen)--;
	} else {
		*text = s + 4;
		*textlen = len - 4;
	}
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* 1-3 digits, no leading zero (RFC 3463 2). */
static size_t
reply_num(const char *s, size_t len, int *v, bool *bad)
{
	size_t i = 0;

	*v = 0;
	while (i < len && ISDIGIT(s[i])) {
		if (i < 4)
			*v = *v * 10 + (s[i] - '0');
		i++;
	}
	if (i > 3 || (i > 1 && s[0] == '0'))
		*bad = true;
	return i;
}

void
reply_enhanced(const char *t, size_t len, struct enhanced *e)
{
	size_t i, n;
	bool bad = false;

	memset(e, 0, sizeof(*e));
	/* class "." subject "." detail, followed by SP or the end */
	if (len < 5 || !ISDIGIT(t[0]) || t[1] != '.' || !ISDIGIT(t[2]))
		return;
	e->cls = t[0] - '0';
	i = 2;
	n = reply_num(t + i, len - i, &e->subject, &bad);
	i += n;
	if (i >= len || t[i] != '.' || i + 1 >= len || !ISDIGIT(t[i + 1]))
		return;
	i++;
	n = reply_num(t + i, len - i, &e->detail, &bad);
	i += n;
	if (i < len && t[i] != ' ' && t[i] != '\t') {
		/* "1.2.3.4", "2.0.0.": an address or version, not a code */
		return;
	}
	e->is_present = true;
	e->len = i;
	if (bad || (e->cls != 2 && e->cls != 4 && e->cls != 5))
		e->is_bad = true;
}

void
reply_enhanced_format(const struct enhanced *e, char *buf, size_t sz)
{
	snprintf(buf, sz, "%d.%d.%d", e->cls, e->subject, e->detail);
}
