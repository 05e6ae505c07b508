/*
 * What the reporters share.  Messages are the rules' templates with
 * {code}, {command}, {detail}, {arg}, {limit}, {len} and {enhanced} filled
 * in; the explanation of a reply code is the variant for the command it
 * answered when codes.yaml has one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "report.h"
#include "stats.h"
#include "xalloc.h"

void
rbuf_reset(struct report_buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

static void
rbuf_room(struct report_buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	while (b->len + n + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 256;
	b->s = xrealloc(b->s, b->cap);
}

void
rbuf_add(struct report_buf *b, const char *s, size_t n)
{
	rbuf_room(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
rbuf_addstr(struct report_buf *b, const char *s)
{
	rbuf_add(b, s, strlen(s));
}

void
rbuf_printf(struct report_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	rbuf_room(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
rbuf_free(struct report_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* Length of the valid UTF-8 sequence at S (RFC 3629), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

void
rbuf_add_escaped(struct report_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			k = i;
			while (k < n && p[k] >= 0x20 && p[k] < 0x7f)
				k++;
			rbuf_add(b, s + i, k - i);
			i = k;
			continue;
		}
		if (p[i] >= 0x80 && (k = utf8_len(p + i, n - i)) > 0) {
			rbuf_add(b, s + i, k);
			i += k;
			continue;
		}
		if (p[i] == '\t')
			rbuf_add(b, "\\t", 2);
		else if (p[i] == '\r')
			rbuf_add(b, "\\r", 2);
		else
			rbuf_printf(b, "\\x%02x", p[i]);
		i++;
	}
}

void
rbuf_add_json(struct report_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	rbuf_add(b, "\"", 1);
	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
			k = i;
			while (k < n && p[k] >= 0x20 && p[k] < 0x7f &&
			    p[k] != '"' && p[k] != '\\')
				k++;
			rbuf_add(b, s + i, k - i);
			i = k;
			continue;
		}
		switch (p[i]) {
		case '"':
			rbuf_add(b, "\\\"", 2);
			break;
		case '\\':
			rbuf_add(b, "\\\\", 2);
			break;
		case '\n':
			rbuf_add(b, "\\n", 2);
			break;
		case '\r':
			rbuf_add(b, "\\r", 2);
			break;
		case '\t':
			rbuf_add(b, "\\t", 2);
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				rbuf_printf(b, "\\u%04x", p[i]);
				break;
			}
			if ((k = utf8_len(p + i, n - i)) > 0) {
				rbuf_add(b, s + i, k);
				i += k;
				continue;
			}
			rbuf_add(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			break;
		}
		i++;
	}
	rbuf_add(b, "\"", 1);
}

/* Columns of S on a terminal: UTF-8 continuation bytes take none. */
static size_t
report_cols(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

void
report_wrap(FILE *out, const char *indent, const char *lead, const char *on,
    const char *off, const char *text, size_t width)
{
	size_t col, w, ind = report_cols(indent, strlen(indent));
	const char *p = text, *e;
	bool first = true;

	fputs(indent, out);
	col = ind;
	if (lead != NULL && *lead != '\0') {
		fprintf(out, "%s%s:%s", on, lead, off);
		col += report_cols(lead, strlen(lead)) + 1;
		first = false;
	}
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		w = report_cols(p, (size_t)(e - p));
		if (!first && col + 1 + w > width) {
			fprintf(out, "\n%s", indent);
			col = ind;
			first = true;
		}
		if (!first) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, (size_t)(e - p), out);
		col += w;
		first = false;
		p = e;
	}
	fputc('\n', out);
}

const char *
report_label(const struct report *r, const char *id)
{
	return rules_label(r->rules, id, r->lang);
}

const char *
report_command_name(const struct report *r, const char *verb,
    const char *text, size_t len, char *buf, size_t sz)
{
	const struct command_info *ci;
	size_t i;

	if (verb != NULL &&
	    (ci = rules_command(r->rules, verb, strlen(verb))) != NULL)
		return ci->name.s[r->lang];
	for (i = 0; text != NULL && i < len && i + 1 < sz && text[i] != ' ' &&
	    (unsigned char)text[i] >= 0x21 && (unsigned char)text[i] < 0x7f; i++)
		buf[i] = text[i];
	buf[i] = '\0';
	return i ? buf : report_label(r, "a-command");
}

/* The registered name of the enhanced code, else the code's text. */
static void
report_summary_text(const struct report *r, const struct finding *f,
    struct report_buf *out)
{
	const struct enhanced_info *ei;
	const struct code_info *ci;
	int subj, det;

	if (f->enhanced != NULL &&
	    sscanf(f->enhanced, "%*d.%d.%d", &subj, &det) == 2 &&
	    (ei = rules_enhanced(r->rules, subj, det)) != NULL)
		rbuf_addstr(out, ei->text);
	else if ((ci = rules_code(r->rules, f->code)) != NULL)
		rbuf_addstr(out, ci->text);
}

/* Fill a template: {name} placeholders from the finding. */
static void
report_render(const struct report *r, const struct finding *f,
    const char *tpl, struct report_buf *out)
{
	const char *p = tpl, *q, *v;
	char cmd[64];
	size_t n;

	while ((q = strchr(p, '{')) != NULL) {
		rbuf_add(out, p, (size_t)(q - p));
		p = strchr(q, '}');
		if (p == NULL) {
			p = q;
			break;
		}
		n = (size_t)(p - q - 1);
		q++;
		p++;
		if (n == 4 && memcmp(q, "code", 4) == 0)
			rbuf_printf(out, "%d", f->code);
		else if (n == 7 && memcmp(q, "command", 7) == 0)
			rbuf_addstr(out, f->is_log_line && f->verb == NULL ?
			    report_label(r, "a-command") :
			    report_command_name(r, f->verb, f->command,
			    f->commandlen, cmd, sizeof(cmd)));
		else if (n == 6 && memcmp(q, "detail", 6) == 0) {
			if (f->detail != NULL) {
				v = rules_detail(r->rules, f->detail, r->lang);
				report_render(r, f, v, out);
			}
		} else if (n == 3 && memcmp(q, "arg", 3) == 0)
			rbuf_add_escaped(out, f->arg ? f->arg : "",
			    f->arg ? strlen(f->arg) : 0);
		else if (n == 5 && memcmp(q, "limit", 5) == 0)
			rbuf_printf(out, "%ld", f->limit);
		else if (n == 3 && memcmp(q, "len", 3) == 0)
			rbuf_printf(out, "%ld", f->len);
		else if (n == 8 && memcmp(q, "enhanced", 8) == 0)
			rbuf_addstr(out, f->enhanced ? f->enhanced : "");
		else if (n == 5 && memcmp(q, "reply", 5) == 0) {
			rbuf_printf(out, "%d", f->code);
			if (f->enhanced != NULL)
				rbuf_printf(out, " %s", f->enhanced);
		} else if (n == 7 && memcmp(q, "summary", 7) == 0)
			report_summary_text(r, f, out);
		else
			rbuf_add(out, q - 1, n + 2);
	}
	rbuf_addstr(out, p);
}

static const struct check_info *
report_check(const struct report *r, const struct finding *f)
{
	return rules_check(r->rules, check_id_name(f->check));
}

void
report_message(const struct report *r, const struct finding *f,
    struct report_buf *out)
{
	const struct check_info *ci = report_check(r, f);

	rbuf_reset(out);
	if (ci == NULL) {
		rbuf_addstr(out, check_id_name(f->check));
		return;
	}
	report_render(r, f, ci->message.s[r->lang], out);
}

/* The code's text for the command it answered (variant) or in general. */
static const struct text *
report_code_text(const struct report *r, const struct finding *f,
    bool hint)
{
	const struct code_info *ci = rules_code(r->rules, f->code);
	const struct code_variant *v;

	if (ci == NULL)
		return NULL;
	if ((v = rules_code_variant(ci, f->verb)) != NULL)
		return hint ? &v->hint : &v->meaning;
	return hint ? &ci->hint : &ci->meaning;
}

static bool
report_code_first(const struct finding *f)
{
	return f->check == CHECK_REPLY_EXPLAINED ||
	    f->check == CHECK_NONSTANDARD_CODE;
}

void
report_explanation(const struct report *r, const struct finding *f,
    struct report_buf *out)
{
	const struct check_info *ci = report_check(r, f);
	const struct text *t = f->code ? report_code_text(r, f, false) : NULL;
	const struct enhanced_info *ei;
	int subj, det;

	rbuf_reset(out);
	if (report_code_first(f)) {
		if (t != NULL)
			rbuf_addstr(out, t->s[r->lang]);
		else if (ci != NULL)
			report_render(r, f, ci->explanation.s[r->lang], out);
	} else {
		if (ci != NULL)
			report_render(r, f, ci->explanation.s[r->lang], out);
		if (t != NULL) {
			rbuf_printf(out, "%s%d: ", out->len ? " " : "", f->code);
			rbuf_addstr(out, t->s[r->lang]);
		}
	}
	if (f->enhanced != NULL &&
	    sscanf(f->enhanced, "%*d.%d.%d", &subj, &det) == 2 &&
	    (ei = rules_enhanced(r->rules, subj, det)) != NULL)
		rbuf_printf(out, "%s%s: %s", out->len ? " " : "", f->enhanced,
		    ei->meaning.s[r->lang]);
}

void
report_hint(const struct report *r, const struct finding *f,
    struct report_buf *out)
{
	const struct check_info *ci = report_check(r, f);
	const struct text *t;

	rbuf_reset(out);
	if (report_code_first(f) && f->code &&
	    (t = report_code_text(r, f, true)) != NULL)
		rbuf_addstr(out, t->s[r->lang]);
	else if (ci != NULL)
		report_render(r, f, ci->hint.s[r->lang], out);
}

struct report *
report_new(enum report_kind kind, FILE *out, const struct rules *rules,
    enum lang lang, bool color)
{
	struct report *r;

	r = xcalloc(1, sizeof(*r));
	r->out = out;
	r->rules = rules;
	r->lang = lang;
	r->has_color = color;
	switch (kind) {
	case REPORT_TEXT:
		r->ops = &report_text_ops;
		break;
	case REPORT_JSON:
		r->ops = &report_json_ops;
		break;
	case REPORT_SUMMARY:
		r->ops = &report_summary_ops;
		break;
	}
	return r;
}

void
report_finding(struct report *r, const struct finding *f)
{
	if (r->ops->finding == NULL)
		return;
	r->ops->finding(r, f);
	/* A full disk or a closed terminal: stop now rather than read a
	 * `tail -F` forever into an output that takes nothing (a closed
	 * pipe ends us earlier, by SIGPIPE). */
	if (r->out != NULL && ferror(r->out)) {
		diag_error(NULL, 0, 0, "cannot write the report to standard "
		    "output: %s", errno ? strerror(errno) : "write error");
		exit(2);
	}
}

bool
report_end(struct report *r, const struct stats *st,
    const struct findings *fx)
{
	if (r->ops->end != NULL)
		r->ops->end(r, st, fx);
	if (fflush(r->out) == EOF || ferror(r->out)) {
		diag_error(NULL, 0, 0, "cannot write the report to standard "
		    "output: %s", errno ? strerror(errno) : "write error");
		return false;
	}
	return true;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	rbuf_free(&r->b);
	rbuf_free(&r->b2);
	free(r->priv);
	free(r);
}
