/*
 * The rules loader: schema checks over the ydoc tree of each file, then the
 * lookup tables.  All rule data lives in one arena owned by struct rules; a
 * later definition of a key replaces the earlier one in the tables (the old
 * one stays in the arena until rules_free).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "rules.h"
#include "xalloc.h"
#include "ydoc.h"

struct rules_kv {
	const char	*id;
	struct text	 text;
};

struct rules {
	struct arena		*arena;
	const struct code_info	*codes[600];
	struct command_info	**cmds;
	size_t			 ncmds;
	const struct enhanced_info **enh;
	size_t			 nenh;
	struct text		 classes[6];
	struct text		 subjects[8];
	const struct check_info	**checks;
	size_t			 nchecks;
	struct rules_kv		*details;
	size_t			 ndetails;
	struct rules_kv		*labels;
	size_t			 nlabels;
	bool			 has_codes, has_commands, has_enhanced, has_checks;
};

/* The context of loading one file. */
struct rload {
	struct rules	*r;
	const char	*name;
	bool		 ok;
};

static const char *const rules_lang_keys[LANG_N] = { "en", "de" };

static void rules_err(struct rload *, const struct ynode *, const char *,
    ...) __attribute__((format(printf, 3, 4)));

static void
rules_err(struct rload *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(c->name, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
	c->ok = false;
}

/* Grow an array of pointers by one slot. */
static void *
rules_grow(void *arr, size_t n, size_t elsz)
{
	if ((n & (n - 1)) == 0)
		arr = xrealloc(arr, (n ? n * 2 : 4) * elsz);
	return arr;
}

static const char *
rules_type_name(enum ynode_type t)
{
	switch (t) {
	case YN_NULL:
		return "nothing";
	case YN_SCALAR:
		return "a value";
	case YN_MAP:
		return "a mapping";
	case YN_SEQ:
		return "a list";
	}
	return "?";
}

static bool
rules_expect(struct rload *c, const struct ynode *n, enum ynode_type t,
    const char *what)
{
	if (n != NULL && n->type == t)
		return true;
	rules_err(c, n, "%s must be %s, not %s", what, rules_type_name(t),
	    n ? rules_type_name(n->type) : "missing");
	return false;
}

/* Every key of map N must be in the NULL-terminated list KEYS. */
static bool
rules_keys(struct rload *c, const struct ynode *n, const char *const *keys,
    const char *what)
{
	if (ydoc_check_keys(c->name, n, keys, what))
		return true;
	c->ok = false;
	return false;
}

/* A required (or optional) scalar under KEY; NULL when absent. */
static const char *
rules_str(struct rload *c, const struct ynode *map, const char *key,
    bool required, const char *what)
{
	const struct ynode *v = ydoc_get(map, key);

	if (v == NULL || v->type == YN_NULL) {
		if (required)
			rules_err(c, v ? v : map, "%s: '%s' is missing", what,
			    key);
		return NULL;
	}
	if (v->type != YN_SCALAR) {
		rules_err(c, v, "%s: '%s' must be a value, not %s", what, key,
		    rules_type_name(v->type));
		return NULL;
	}
	if (required && v->len == 0) {
		rules_err(c, v, "%s: '%s' is empty", what, key);
		return NULL;
	}
	return arena_strndup(c->r->arena, v->value, v->len);
}

/* Parse a whole decimal number in [LO, HI]. */
static bool
rules_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* A text node: {en: …, de: …}, both present and non-empty. */
static bool
rules_text_node(struct rload *c, const struct ynode *v, struct text *t,
    const char *what)
{
	static const char *const keys[] = { "en", "de", NULL };
	int l;

	if (!rules_expect(c, v, YN_MAP, what))
		return false;
	if (!rules_keys(c, v, keys, what))
		return false;
	for (l = 0; l < LANG_N; l++) {
		const struct ynode *s = ydoc_get(v, rules_lang_keys[l]);

		if (s == NULL || s->type != YN_SCALAR || s->len == 0) {
			rules_err(c, s ? s : v, "%s: the %s text is missing",
			    what, l == LANG_EN ? "English (en)" : "German (de)");
			return false;
		}
		t->s[l] = arena_strndup(c->r->arena, s->value, s->len);
	}
	return true;
}

static bool
rules_text(struct rload *c, const struct ynode *map, const char *key,
    struct text *t, bool required, const char *what)
{
	const struct ynode *v = ydoc_get(map, key);
	char buf[160];

	if (v == NULL || v->type == YN_NULL) {
		if (required)
			rules_err(c, v ? v : map, "%s: '%s' is missing", what,
			    key);
		return !required;
	}
	snprintf(buf, sizeof(buf), "%s: %s", what, key);
	return rules_text_node(c, v, t, buf);
}

/* ---- codes.yaml */

static const struct {
	const char		*name;
	enum code_status	 status;
} rules_statuses[] = {
	{ "standard", CST_STANDARD },
	{ "extension", CST_EXTENSION },
	{ "historic", CST_HISTORIC },
	{ "nonstandard", CST_NONSTANDARD },
	{ "vendor", CST_VENDOR },
};

static void
rules_load_code(struct rload *c, const struct ynode *k, const struct ynode *v)
{
	static const char *const keys[] = { "class", "text", "status",
	    "origin", "vendor", "meaning", "hint", "commands", NULL };
	static const char *const vkeys[] = { "meaning", "hint", NULL };
	struct code_info *ci;
	struct code_variant *vars = NULL;
	const struct ynode *cmds;
	const char *st;
	char what[64];
	long code, cls;
	size_t i, nv = 0;

	if (!rules_int(k->value, 0, LONG_MAX, &code) || code < 200 ||
	    code > 599) {
		rules_err(c, k, "reply code '%s' is outside 200-599", k->value);
		return;
	}
	snprintf(what, sizeof(what), "code %ld", code);
	if (!rules_expect(c, v, YN_MAP, what) || !rules_keys(c, v, keys, what))
		return;
	ci = arena_alloc(c->r->arena, sizeof(*ci));
	ci->code = (int)code;
	st = rules_str(c, v, "class", true, what);
	if (st != NULL && (!rules_int(st, 2, 5, &cls) || cls != code / 100))
		rules_err(c, ydoc_get(v, "class"),
		    "%s: class %s does not agree with the code", what, st);
	ci->text = rules_str(c, v, "text", true, what);
	ci->origin = rules_str(c, v, "origin", true, what);
	ci->vendor = rules_str(c, v, "vendor", false, what);
	if ((st = rules_str(c, v, "status", true, what)) != NULL) {
		for (i = 0; i < sizeof(rules_statuses) / sizeof(rules_statuses[0]); i++)
			if (strcmp(st, rules_statuses[i].name) == 0)
				break;
		if (i == sizeof(rules_statuses) / sizeof(rules_statuses[0]))
			rules_err(c, ydoc_get(v, "status"),
			    "%s: status '%s' is not one of standard, extension, "
			    "historic, nonstandard, vendor", what, st);
		else
			ci->status = rules_statuses[i].status;
	}
	rules_text(c, v, "meaning", &ci->meaning, true, what);
	rules_text(c, v, "hint", &ci->hint, true, what);
	cmds = ydoc_get(v, "commands");
	if (cmds != NULL && cmds->type != YN_NULL &&
	    rules_expect(c, cmds, YN_MAP, "commands")) {
		nv = cmds->nkids / 2;
		vars = arena_alloc(c->r->arena, (nv ? nv : 1) * sizeof(*vars));
		for (i = 0; i < nv; i++) {
			const struct ynode *vk = cmds->kids[2 * i];
			const struct ynode *vv = cmds->kids[2 * i + 1];
			char vwhat[96];

			snprintf(vwhat, sizeof(vwhat), "code %ld, command %s",
			    code, vk->value);
			vars[i].command = arena_strdup(c->r->arena, vk->value);
			if (!rules_expect(c, vv, YN_MAP, vwhat) ||
			    !rules_keys(c, vv, vkeys, vwhat))
				continue;
			rules_text(c, vv, "meaning", &vars[i].meaning, true,
			    vwhat);
			rules_text(c, vv, "hint", &vars[i].hint, true, vwhat);
		}
	}
	ci->variants = vars;
	ci->nvariants = nv;
	if (c->ok)
		c->r->codes[code] = ci;
}

/* ---- commands.yaml */

static const struct {
	const char	*name;
	enum cmd_action	 action;
} rules_actions[] = {
	{ "other", ACT_OTHER }, { "greeting", ACT_GREETING },
	{ "helo", ACT_HELO }, { "ehlo", ACT_EHLO }, { "mail", ACT_MAIL },
	{ "rcpt", ACT_RCPT }, { "data", ACT_DATA },
	{ "end-of-data", ACT_END_OF_DATA }, { "bdat", ACT_BDAT },
	{ "rset", ACT_RSET }, { "vrfy", ACT_VRFY }, { "expn", ACT_EXPN },
	{ "help", ACT_HELP }, { "noop", ACT_NOOP }, { "quit", ACT_QUIT },
	{ "starttls", ACT_STARTTLS }, { "auth", ACT_AUTH },
	{ "auth-response", ACT_AUTH_RESPONSE }, { "etrn", ACT_ETRN },
	{ "atrn", ACT_ATRN }, { "turn", ACT_TURN },
};

static const struct {
	const char	*name;
	unsigned	 bit;
} rules_requires[] = {
	{ "helo", REQ_HELO }, { "mail", REQ_MAIL }, { "rcpt", REQ_RCPT },
	{ "no-mail", REQ_NO_MAIL }, { "auth", REQ_AUTH },
	{ "no-auth", REQ_NO_AUTH }, { "no-tls", REQ_NO_TLS },
};

static const struct {
	const char		*name;
	enum reply_source	 source;
} rules_sources[] = {
	{ "rfc5321", SRC_RFC5321 }, { "universal", SRC_UNIVERSAL },
	{ "extension", SRC_EXTENSION }, { "historic", SRC_HISTORIC },
	{ "practice", SRC_PRACTICE }, { "vendor", SRC_VENDOR },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static bool
rules_source(struct rload *c, const struct ynode *n, const char *s,
    enum reply_source *out, const char *what)
{
	size_t i;

	for (i = 0; i < NELEM(rules_sources); i++)
		if (strcmp(s, rules_sources[i].name) == 0) {
			*out = rules_sources[i].source;
			return true;
		}
	rules_err(c, n, "%s: source '%s' is not one of rfc5321, universal, "
	    "extension, historic, practice, vendor", what, s);
	return false;
}

static void
rules_load_replies(struct rload *c, struct command_info *ci,
    const struct ynode *v, const char *cwhat)
{
	static const char *const keys[] = { "source", "extension", "ref", NULL };
	struct allowed_reply *ar;
	size_t i, n;
	long code;
	char what[96];

	if (!rules_expect(c, v, YN_MAP, "replies"))
		return;
	n = v->nkids / 2;
	if (n > 250) {
		rules_err(c, v, "%s: too many replies", cwhat);
		return;
	}
	ar = arena_alloc(c->r->arena, (n ? n : 1) * sizeof(*ar));
	for (i = 0; i < n; i++) {
		const struct ynode *k = v->kids[2 * i], *s = v->kids[2 * i + 1];
		const char *src;

		if (!rules_int(k->value, 0, LONG_MAX, &code) || code < 200 ||
		    code > 599) {
			rules_err(c, k, "%s: reply code '%s' is outside 200-599",
			    cwhat, k->value);
			continue;
		}
		snprintf(what, sizeof(what), "%s reply %ld", cwhat, code);
		ar[i].code = (int)code;
		if (s->type == YN_SCALAR) {
			rules_source(c, s, s->value, &ar[i].source, what);
		} else if (rules_expect(c, s, YN_MAP, what) &&
		    rules_keys(c, s, keys, what)) {
			if ((src = rules_str(c, s, "source", true, what)) != NULL)
				rules_source(c, ydoc_get(s, "source"), src,
				    &ar[i].source, what);
			ar[i].extension = rules_str(c, s, "extension", false,
			    what);
			ar[i].ref = rules_str(c, s, "ref", false, what);
		}
		ci->reply_index[code] = (unsigned char)(i + 1);
	}
	ci->replies = ar;
	ci->nreplies = n;
}

static void
rules_load_command(struct rload *c, const struct ynode *k,
    const struct ynode *v)
{
	static const char *const keys[] = { "name", "action", "extension",
	    "requires", "pipelining", "args", "replies", NULL };
	struct command_info *ci;
	const struct ynode *req;
	const char *s, *p;
	char what[80];
	size_t i, j;

	for (p = k->value; *p != '\0'; p++)
		if (!isupper((unsigned char)*p) && *p != '-') {
			rules_err(c, k, "command '%s' must be upper case letters "
			    "and '-'", k->value);
			return;
		}
	if (k->len == 0 || k->len > 20) {
		rules_err(c, k, "command name '%s' is empty or too long",
		    k->value);
		return;
	}
	snprintf(what, sizeof(what), "command %s", k->value);
	if (!rules_expect(c, v, YN_MAP, what) || !rules_keys(c, v, keys, what))
		return;
	ci = arena_alloc(c->r->arena, sizeof(*ci));
	ci->verb = arena_strdup(c->r->arena, k->value);
	ci->name.s[LANG_EN] = ci->name.s[LANG_DE] = ci->verb;
	rules_text(c, v, "name", &ci->name, false, what);
	if ((s = rules_str(c, v, "action", true, what)) != NULL) {
		for (i = 0; i < NELEM(rules_actions); i++)
			if (strcmp(s, rules_actions[i].name) == 0)
				break;
		if (i == NELEM(rules_actions))
			rules_err(c, ydoc_get(v, "action"),
			    "%s: unknown action '%s'", what, s);
		else
			ci->action = rules_actions[i].action;
	}
	ci->extension = rules_str(c, v, "extension", false, what);
	req = ydoc_get(v, "requires");
	if (req != NULL && req->type != YN_NULL &&
	    rules_expect(c, req, YN_SEQ, "requires"))
		for (i = 0; i < req->nkids; i++) {
			const struct ynode *r = req->kids[i];

			for (j = 0; j < NELEM(rules_requires); j++)
				if (r->type == YN_SCALAR &&
				    strcmp(r->value, rules_requires[j].name) == 0)
					break;
			if (j == NELEM(rules_requires))
				rules_err(c, r, "%s: unknown requirement '%s'",
				    what, r->value ? r->value : "");
			else
				ci->requires |= rules_requires[j].bit;
		}
	if ((s = rules_str(c, v, "pipelining", true, what)) != NULL) {
		if (strcmp(s, "last") == 0)
			ci->is_pipeline_last = true;
		else if (strcmp(s, "any") != 0)
			rules_err(c, ydoc_get(v, "pipelining"),
			    "%s: pipelining must be 'any' or 'last'", what);
	}
	if ((s = rules_str(c, v, "args", true, what)) != NULL) {
		if (strcmp(s, "none") == 0)
			ci->args = ARGS_NONE;
		else if (strcmp(s, "optional") == 0)
			ci->args = ARGS_OPTIONAL;
		else if (strcmp(s, "required") == 0)
			ci->args = ARGS_REQUIRED;
		else
			rules_err(c, ydoc_get(v, "args"),
			    "%s: args must be none, optional or required", what);
	}
	if (ydoc_get(v, "replies") == NULL)
		rules_err(c, v, "%s: 'replies' is missing", what);
	else
		rules_load_replies(c, ci, ydoc_get(v, "replies"), what);
	if (!c->ok)
		return;
	for (i = 0; i < c->r->ncmds; i++)
		if (strcmp(c->r->cmds[i]->verb, ci->verb) == 0) {
			c->r->cmds[i] = ci;
			return;
		}
	c->r->cmds = rules_grow(c->r->cmds, c->r->ncmds, sizeof(*c->r->cmds));
	c->r->cmds[c->r->ncmds++] = ci;
}

/* ---- enhanced.yaml */

static void
rules_load_enhanced(struct rload *c, const struct ynode *k,
    const struct ynode *v)
{
	static const char *const keys[] = { "text", "ref", "basic", "meaning",
	    NULL };
	struct enhanced_info *ei;
	const struct ynode *b;
	const char *p = k->value;
	char *end;
	long subj, det;
	size_t i;
	char what[64];

	/* RFC 3463 2: class "." subject "." detail; the class is 2, 4 or 5,
	 * written X when the entry is for every class. */
	if (!(p[0] == 'X' || p[0] == '2' || p[0] == '4' || p[0] == '5') ||
	    p[1] != '.') {
		rules_err(c, k, "enhanced code '%s' must start with X., 2., 4. "
		    "or 5. (RFC 3463 2: the class is 2, 4 or 5)", p);
		return;
	}
	errno = 0;
	subj = isdigit((unsigned char)p[2]) ? strtol(p + 2, &end, 10) : -1;
	if (subj < 0 || subj > 999 || *end != '.' ||
	    !isdigit((unsigned char)end[1]) ||
	    (det = strtol(end + 1, &end, 10)) < 0 || det > 999 ||
	    *end != '\0' || errno != 0) {
		rules_err(c, k, "enhanced code '%s' is not class.subject.detail",
		    p);
		return;
	}
	snprintf(what, sizeof(what), "enhanced code %s", p);
	if (!rules_expect(c, v, YN_MAP, what) || !rules_keys(c, v, keys, what))
		return;
	ei = arena_alloc(c->r->arena, sizeof(*ei));
	ei->key = arena_strdup(c->r->arena, p);
	ei->subject = (int)subj;
	ei->detail = (int)det;
	ei->text = rules_str(c, v, "text", true, what);
	ei->ref = rules_str(c, v, "ref", true, what);
	rules_text(c, v, "meaning", &ei->meaning, true, what);
	b = ydoc_get(v, "basic");
	if (b != NULL && b->type != YN_NULL &&
	    rules_expect(c, b, YN_SEQ, "basic"))
		for (i = 0; i < b->nkids; i++) {
			long code;

			if (b->kids[i]->type != YN_SCALAR ||
			    !rules_int(b->kids[i]->value, 200, 599, &code))
				rules_err(c, b->kids[i],
				    "%s: basic code must be 200-599", what);
		}
	if (!c->ok)
		return;
	for (i = 0; i < c->r->nenh; i++)
		if (c->r->enh[i]->subject == ei->subject &&
		    c->r->enh[i]->detail == ei->detail) {
			c->r->enh[i] = ei;
			return;
		}
	c->r->enh = rules_grow(c->r->enh, c->r->nenh, sizeof(*c->r->enh));
	c->r->enh[c->r->nenh++] = ei;
}

static void
rules_load_digit_texts(struct rload *c, const struct ynode *m,
    struct text *arr, long lo, long hi, const char *what)
{
	size_t i;
	long d;
	char w[64];

	if (!rules_expect(c, m, YN_MAP, what))
		return;
	for (i = 0; i + 1 < m->nkids; i += 2) {
		if (!rules_int(m->kids[i]->value, lo, hi, &d)) {
			rules_err(c, m->kids[i], "%s: '%s' must be a number "
			    "%ld-%ld", what, m->kids[i]->value, lo, hi);
			continue;
		}
		if (lo == 2 && d == 3) {
			rules_err(c, m->kids[i], "%s: there is no class 3 "
			    "(RFC 3463 2)", what);
			continue;
		}
		snprintf(w, sizeof(w), "%s %ld", what, d);
		rules_text_node(c, m->kids[i + 1], &arr[d], w);
	}
}

/* ---- checks.yaml */

static void
rules_load_check(struct rload *c, const struct ynode *k,
    const struct ynode *v)
{
	static const char *const keys[] = { "severity", "fault", "message",
	    "explanation", "hint", NULL };
	struct check_info *ci;
	const char *s;
	char what[80];
	size_t i;

	snprintf(what, sizeof(what), "check %s", k->value);
	if (!rules_expect(c, v, YN_MAP, what) || !rules_keys(c, v, keys, what))
		return;
	ci = arena_alloc(c->r->arena, sizeof(*ci));
	ci->id = arena_strdup(c->r->arena, k->value);
	if ((s = rules_str(c, v, "severity", true, what)) != NULL &&
	    (!severity_parse(s, &ci->severity) || ci->severity == SEV_NONE))
		rules_err(c, ydoc_get(v, "severity"), "%s: severity '%s' is "
		    "not one of error, warning, notice, info", what, s);
	if ((s = rules_str(c, v, "fault", true, what)) != NULL) {
		if (strcmp(s, "server") == 0)
			ci->fault = FAULT_SERVER;
		else if (strcmp(s, "client") == 0)
			ci->fault = FAULT_CLIENT;
		else if (strcmp(s, "none") == 0)
			ci->fault = FAULT_NONE;
		else
			rules_err(c, ydoc_get(v, "fault"), "%s: fault must be "
			    "server, client or none", what);
	}
	rules_text(c, v, "message", &ci->message, true, what);
	rules_text(c, v, "explanation", &ci->explanation, true, what);
	rules_text(c, v, "hint", &ci->hint, true, what);
	if (!c->ok)
		return;
	for (i = 0; i < c->r->nchecks; i++)
		if (strcmp(c->r->checks[i]->id, ci->id) == 0) {
			c->r->checks[i] = ci;
			return;
		}
	c->r->checks = rules_grow(c->r->checks, c->r->nchecks,
	    sizeof(*c->r->checks));
	c->r->checks[c->r->nchecks++] = ci;
}

static void
rules_load_kv(struct rload *c, const struct ynode *m, struct rules_kv **arr,
    size_t *n, const char *what)
{
	size_t i, j;
	struct text t;
	char w[96];

	if (!rules_expect(c, m, YN_MAP, what))
		return;
	for (i = 0; i + 1 < m->nkids; i += 2) {
		snprintf(w, sizeof(w), "%s %s", what, m->kids[i]->value);
		if (!rules_text_node(c, m->kids[i + 1], &t, w))
			continue;
		for (j = 0; j < *n; j++)
			if (strcmp((*arr)[j].id, m->kids[i]->value) == 0)
				break;
		if (j == *n) {
			*arr = rules_grow(*arr, *n, sizeof(**arr));
			(*arr)[j].id = arena_strdup(c->r->arena,
			    m->kids[i]->value);
			(*n)++;
		}
		(*arr)[j].text = t;
	}
}

/* ---- files */

static void
rules_each(struct rload *c, const struct ynode *root, const char *key,
    void (*fn)(struct rload *, const struct ynode *, const struct ynode *))
{
	const struct ynode *m = ydoc_get(root, key);
	size_t i;

	if (m == NULL || m->type == YN_NULL)
		return;
	if (!rules_expect(c, m, YN_MAP, key))
		return;
	for (i = 0; i + 1 < m->nkids; i += 2)
		fn(c, m->kids[i], m->kids[i + 1]);
}

/* Load the tree ROOT of rules file NAME. */
static bool
rules_load_tree(struct rules *r, const char *name, const struct ynode *root)
{
	static const char *const kcodes[] = { "codes", NULL };
	static const char *const kcmds[] = { "commands", NULL };
	static const char *const kenh[] = { "classes", "subjects", "codes",
	    NULL };
	static const char *const kchecks[] = { "checks", "details", "labels",
	    NULL };
	struct rload c;
	const char *base, *n;

	c.r = r;
	c.name = name;
	c.ok = true;
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (root->type == YN_NULL) {
		rules_err(&c, root, "the file is empty");
		return c.ok;
	}
	if (!rules_expect(&c, root, YN_MAP, "the top level of the file"))
		return c.ok;
	if (strcmp(base, "codes.yaml") == 0) {
		if (rules_keys(&c, root, kcodes, base))
			rules_each(&c, root, "codes", rules_load_code);
		r->has_codes = true;
	} else if (strcmp(base, "commands.yaml") == 0) {
		if (rules_keys(&c, root, kcmds, base))
			rules_each(&c, root, "commands", rules_load_command);
		r->has_commands = true;
	} else if (strcmp(base, "enhanced.yaml") == 0) {
		if (rules_keys(&c, root, kenh, base)) {
			const struct ynode *cl = ydoc_get(root, "classes");
			const struct ynode *sj = ydoc_get(root, "subjects");

			if (cl != NULL)
				rules_load_digit_texts(&c, cl, r->classes, 2, 5,
				    "class");
			if (sj != NULL)
				rules_load_digit_texts(&c, sj, r->subjects, 0, 7,
				    "subject");
			rules_each(&c, root, "codes", rules_load_enhanced);
		}
		r->has_enhanced = true;
	} else if (strcmp(base, "checks.yaml") == 0) {
		if (rules_keys(&c, root, kchecks, base)) {
			const struct ynode *m;

			rules_each(&c, root, "checks", rules_load_check);
			if ((m = ydoc_get(root, "details")) != NULL)
				rules_load_kv(&c, m, &r->details, &r->ndetails,
				    "detail");
			if ((m = ydoc_get(root, "labels")) != NULL)
				rules_load_kv(&c, m, &r->labels, &r->nlabels,
				    "label");
		}
		r->has_checks = true;
	} else {
		n = base;
		rules_err(&c, NULL, "not a rules file name (codes.yaml, "
		    "commands.yaml, enhanced.yaml, checks.yaml): %s", n);
	}
	return c.ok;
}

bool
rules_load_buffer(struct rules *r, const char *name, const char *data,
    size_t len)
{
	struct arena *a;
	struct ynode *root;
	bool ok;

	a = arena_new();
	if ((root = ydoc_parse(a, name, data, len)) == NULL) {
		arena_free(a);
		return false;
	}
	ok = rules_load_tree(r, name, root);
	arena_free(a);
	return ok;
}

struct rules *
rules_new(void)
{
	struct rules *r;

	r = xcalloc(1, sizeof(*r));
	r->arena = arena_new();
	return r;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	arena_free(r->arena);
	free(r->cmds);
	free(r->enh);
	free(r->checks);
	free(r->details);
	free(r->labels);
	free(r);
}

bool
rules_load_embedded(struct rules *r)
{
	const struct rules_file *f;
	struct arena *a;
	char name[128];
	bool ok = true;

	for (f = rules_embedded; f->name != NULL; f++) {
		if (strcmp(f->name, "formats.yaml") == 0)
			continue;	/* read by fmt_pattern.c */
		snprintf(name, sizeof(name), "(built-in) rules/%s", f->name);
		/* parsed at build time (tools/embed.c) */
		a = arena_new();
		if (!rules_load_tree(r, name, ydoc_unflatten(a, f->tree)))
			ok = false;
		arena_free(a);
	}
	return ok;
}

/* Read a whole file of at most 16 MiB into a new buffer. */
static char *
rules_read_file(const char *path, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			if (cap > 16 * 1024 * 1024) {
				errno = EFBIG;
				goto fail;
			}
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	n = errno;
	close(fd);
	free(buf);
	errno = (int)n;
	return NULL;
}

bool
rules_load_dir(struct rules *r, const char *dir)
{
	static const char *const files[] = { "codes.yaml", "commands.yaml",
	    "enhanced.yaml", "checks.yaml", NULL };
	struct stat st;
	char path[PATH_MAX];
	char *data;
	size_t i, len;
	int found = 0;
	bool ok = true;

	if (stat(dir, &st) == -1) {
		diag_error(dir, 0, 0, "cannot read the rules directory: %s",
		    strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		diag_error(dir, 0, 0, "--rules wants a directory");
		return false;
	}
	for (i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (stat(path, &st) == -1 && errno == ENOENT)
			continue;
		found++;
		if ((data = rules_read_file(path, &len)) == NULL) {
			diag_error(path, 0, 0, "cannot read: %s",
			    strerror(errno));
			ok = false;
			continue;
		}
		if (!rules_load_buffer(r, path, data, len))
			ok = false;
		free(data);
	}
	snprintf(path, sizeof(path), "%s/formats.yaml", dir);
	if (found == 0 && stat(path, &st) == -1) {
		diag_error(dir, 0, 0, "no rules files here (codes.yaml, "
		    "commands.yaml, enhanced.yaml, checks.yaml, formats.yaml)");
		return false;
	}
	return ok;
}

bool
rules_finish(struct rules *r)
{
	size_t i, j;
	int code;
	bool ok = true;

	if (!r->has_codes || !r->has_commands || !r->has_checks ||
	    !r->has_enhanced) {
		diag_error(NULL, 0, 0, "the rules are incomplete: codes.yaml, "
		    "commands.yaml, enhanced.yaml and checks.yaml are needed");
		return false;
	}
	for (code = 200; code < 600; code++) {
		const struct code_info *ci = r->codes[code];

		if (ci == NULL)
			continue;
		for (j = 0; j < ci->nvariants; j++)
			if (rules_command(r, ci->variants[j].command,
			    strlen(ci->variants[j].command)) == NULL) {
				diag_error("codes.yaml", 0, 0, "code %d: variant "
				    "for unknown command '%s'", code,
				    ci->variants[j].command);
				ok = false;
			}
	}
	for (i = 0; i < r->ncmds; i++)
		if (r->cmds[i]->nreplies == 0) {
			diag_error("commands.yaml", 0, 0,
			    "command %s allows no reply", r->cmds[i]->verb);
			ok = false;
		}
	for (i = 0; i < NELEM(rules_actions); i++) {
		enum cmd_action a = rules_actions[i].action;

		if (a == ACT_OTHER || a == ACT_TURN || a == ACT_ATRN ||
		    a == ACT_ETRN)
			continue;
		if (rules_command_by_action(r, a) == NULL) {
			diag_error("commands.yaml", 0, 0, "no command has the "
			    "action '%s'", rules_actions[i].name);
			ok = false;
		}
	}
	return ok;
}

/* ---- lookups */

const struct code_info *
rules_code(const struct rules *r, int code)
{
	if (code < 0 || code >= 600)
		return NULL;
	return r->codes[code];
}

const struct command_info *
rules_command(const struct rules *r, const char *verb, size_t len)
{
	size_t i, j;
	const char *v;

	/* ASCII upper case, whatever the locale: verbs are ASCII. */
#define RULES_UPPER(c)	((c) >= 'a' && (c) <= 'z' ? (c) - ('a' - 'A') : (c))
	if (len == 0)
		return NULL;
	for (i = 0; i < r->ncmds; i++) {
		v = r->cmds[i]->verb;
		if (v[0] != RULES_UPPER(verb[0]))
			continue;
		for (j = 1; j < len; j++)
			if (v[j] == '\0' || RULES_UPPER(verb[j]) != v[j])
				break;
		if (j == len && v[j] == '\0')
			return r->cmds[i];
	}
#undef RULES_UPPER
	return NULL;
}

const struct command_info *
rules_command_by_action(const struct rules *r, enum cmd_action a)
{
	size_t i;

	for (i = 0; i < r->ncmds; i++)
		if (r->cmds[i]->action == a)
			return r->cmds[i];
	return NULL;
}

size_t
rules_ncommands(const struct rules *r)
{
	return r->ncmds;
}

const struct command_info *
rules_command_nth(const struct rules *r, size_t n)
{
	return n < r->ncmds ? r->cmds[n] : NULL;
}

const struct allowed_reply *
rules_allowed(const struct command_info *ci, int code)
{
	if (ci == NULL || code < 0 || code >= 600 || ci->reply_index[code] == 0)
		return NULL;
	return &ci->replies[ci->reply_index[code] - 1];
}

const struct code_variant *
rules_code_variant(const struct code_info *ci, const char *verb)
{
	size_t i;

	if (ci == NULL || verb == NULL)
		return NULL;
	for (i = 0; i < ci->nvariants; i++)
		if (strcmp(ci->variants[i].command, verb) == 0)
			return &ci->variants[i];
	return NULL;
}

const struct enhanced_info *
rules_enhanced(const struct rules *r, int subject, int detail)
{
	size_t i;

	for (i = 0; i < r->nenh; i++)
		if (r->enh[i]->subject == subject &&
		    r->enh[i]->detail == detail)
			return r->enh[i];
	return NULL;
}

size_t
rules_nenhanced(const struct rules *r)
{
	return r->nenh;
}

const struct enhanced_info *
rules_enhanced_nth(const struct rules *r, size_t n)
{
	return n < r->nenh ? r->enh[n] : NULL;
}

const char *
rules_enhanced_class(const struct rules *r, int cls, enum lang l)
{
	if (cls < 2 || cls > 5)
		return NULL;
	return r->classes[cls].s[l];
}

const char *
rules_enhanced_subject(const struct rules *r, int subj, enum lang l)
{
	if (subj < 0 || subj > 7)
		return NULL;
	return r->subjects[subj].s[l];
}

const struct check_info *
rules_check(const struct rules *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nchecks; i++)
		if (strcmp(r->checks[i]->id, id) == 0)
			return r->checks[i];
	return NULL;
}

static const char *
rules_kv_get(const struct rules_kv *arr, size_t n, const char *id,
    enum lang l)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(arr[i].id, id) == 0)
			return arr[i].text.s[l];
	return id;
}

const char *
rules_detail(const struct rules *r, const char *id, enum lang l)
{
	return rules_kv_get(r->details, r->ndetails, id, l);
}

const char *
rules_label(const struct rules *r, const char *id, enum lang l)
{
	return rules_kv_get(r->labels, r->nlabels, id, l);
}

size_t
rules_code_list(const struct rules *r, int *codes, size_t max)
{
	size_t n = 0;
	int c;

	for (c = 200; c < 600; c++)
		if (r->codes[c] != NULL) {
			if (n < max)
				codes[n] = c;
			n++;
		}
	return n;
}

static const char *const severity_names[] = {
	[SEV_INFO] = "info",
	[SEV_NOTICE] = "notice",
	[SEV_WARNING] = "warning",
	[SEV_ERROR] = "error",
	[SEV_NONE] = "never",
};

const char *
severity_name(enum severity s)
{
	return severity_names[s];
}

bool
severity_parse(const char *s, enum severity *out)
{
	int i;

	for (i = SEV_INFO; i <= SEV_NONE; i++)
		if (strcmp(s, severity_names[i]) == 0) {
			*out = (enum severity)i;
			return true;
		}
	return false;
}
