/*
 * check_catalog: the rules as a catalog (issue 3).  It fails when a code a
 * user can meet, an enhanced code, a command or a finding lacks English or
 * German text or a hint; when a key appears twice in a rules file; when the
 * C check list (check_defs), rules/checks.yaml and the README's list of
 * checks disagree; when the C code names a {detail} or a label the rules do
 * not have; when the embedded copy of the rules is not the rules/ files.
 * The source files are read below TOP_SRCDIR.
 *
 * The README's list is the lines between "<!-- checks -->" and
 * "<!-- /checks -->", one per check:  - `check-id` (severity): text
 */
#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "finding.h"
#include "rules.h"
#include "testutil.h"
#include "ydoc.h"

static const char *const rules_files[] = {
	"rules/codes.yaml", "rules/commands.yaml", "rules/enhanced.yaml",
	"rules/checks.yaml",
};

static bool
has_text(const struct text *t)
{
	return t->s[LANG_EN] != NULL && t->s[LANG_EN][0] != '\0' &&
	    t->s[LANG_DE] != NULL && t->s[LANG_DE][0] != '\0';
}

/* ---- codes */

/* Issue 3: every code of RFC 5321, the extensions and the seeds. */
static const int required_codes[] = {
	200, 211, 214, 220, 221, 235, 240, 250, 251, 252, 253, 334, 354, 355,
	420, 421, 432, 449, 450, 451, 452, 453, 454, 455, 458, 459, 500, 501,
	502, 503, 504, 521, 523, 530, 534, 535, 538, 550, 551, 552, 553, 554,
	555, 556, 572,
};

START_TEST(test_catalog_required_code)
{
	int code = required_codes[_i];
	struct rules *r = tu_rules();
	const struct code_info *ci = rules_code(r, code);

	ck_assert_msg(ci != NULL, "code %d is not in codes.yaml", code);
	ck_assert_int_eq(ci->code, code);
	ck_assert_msg(ci->text != NULL && ci->text[0] != '\0',
	    "code %d has no standard text", code);
	ck_assert_msg(ci->origin != NULL && ci->origin[0] != '\0',
	    "code %d has no origin", code);
	ck_assert_msg(has_text(&ci->meaning), "code %d: meaning lacks en or de",
	    code);
	ck_assert_msg(has_text(&ci->hint), "code %d: hint lacks en or de",
	    code);
	rules_free(r);
}
END_TEST

/* Every code in the catalog, and each of its per-command variants. */
START_TEST(test_catalog_all_codes)
{
	struct rules *r = tu_rules();
	int codes[600];
	size_t n, i, j;

	n = rules_code_list(r, codes, TU_NELEM(codes));
	ck_assert_uint_ge(n, TU_NELEM(required_codes));
	for (i = 0; i < n; i++) {
		const struct code_info *ci = rules_code(r, codes[i]);

		ck_assert_msg(has_text(&ci->meaning) && has_text(&ci->hint),
		    "code %d lacks en or de text", codes[i]);
		/* SCHEMA.md: a vendor code names its vendor. */
		if (ci->status == CST_VENDOR)
			ck_assert_msg(ci->vendor != NULL && ci->vendor[0] != '\0',
			    "vendor code %d names no vendor", codes[i]);
		for (j = 0; j < ci->nvariants; j++) {
			const struct code_variant *v = &ci->variants[j];

			ck_assert_msg(has_text(&v->meaning) && has_text(&v->hint),
			    "code %d, command %s: meaning or hint lacks en "
			    "or de", codes[i], v->command);
			ck_assert_msg(rules_command(r, v->command,
			    strlen(v->command)) != NULL, "code %d: variant for "
			    "unknown command %s", codes[i], v->command);
			ck_assert_ptr_eq(rules_code_variant(ci, v->command), v);
		}
	}
	rules_free(r);
}
END_TEST

/* Issue 3: "the same code means different things per command" — the
 * variants the issue names. */
static const struct {
	int		 code;
	const char	*verb;
} required_variants[] = {
	{ 550, "RCPT" }, { 550, "EHLO" }, { 554, "GREETING" },
	{ 554, "END-OF-DATA" }, { 452, "RCPT" }, { 452, "MAIL" },
};

START_TEST(test_catalog_required_variant)
{
	struct rules *r = tu_rules();
	const struct code_info *ci = rules_code(r, required_variants[_i].code);
	const struct code_variant *v;

	ck_assert_ptr_nonnull(ci);
	v = rules_code_variant(ci, required_variants[_i].verb);
	ck_assert_msg(v != NULL, "code %d has no variant for %s",
	    required_variants[_i].code, required_variants[_i].verb);
	ck_assert(has_text(&v->meaning) && has_text(&v->hint));
	rules_free(r);
}
END_TEST

/* ---- enhanced codes */

START_TEST(test_catalog_enhanced)
{
	struct rules *r = tu_rules();
	const struct enhanced_info *e;
	size_t i, j;
	int c;

	ck_assert_uint_ge(rules_nenhanced(r), 50);
	for (i = 0; i < rules_nenhanced(r); i++) {
		e = rules_enhanced_nth(r, i);
		ck_assert_msg(has_text(&e->meaning), "%s: meaning lacks en or de",
		    e->key);
		ck_assert_msg(e->text != NULL && e->text[0] != '\0' &&
		    e->ref != NULL && e->ref[0] != '\0', "%s: no text or ref",
		    e->key);
		ck_assert_ptr_eq(rules_enhanced(r, e->subject, e->detail), e);
		for (j = 0; j < i; j++)
			ck_assert_msg(rules_enhanced_nth(r, j)->subject !=
			    e->subject || rules_enhanced_nth(r, j)->detail !=
			    e->detail, "%s twice", e->key);
	}
	/* RFC 3463 2: classes 2, 4, 5; subjects 0-7. */
	for (c = 2; c <= 5; c++) {
		if (c == 3)
			continue;
		ck_assert_msg(rules_enhanced_class(r, c, LANG_EN) != NULL &&
		    rules_enhanced_class(r, c, LANG_DE) != NULL,
		    "class %d lacks en or de", c);
	}
	for (c = 0; c <= 7; c++)
		ck_assert_msg(rules_enhanced_subject(r, c, LANG_EN) != NULL &&
		    rules_enhanced_subject(r, c, LANG_DE) != NULL,
		    "subject %d lacks en or de", c);
	rules_free(r);
}
END_TEST

/* Codes of the IANA registry the issue names. */
static const struct {
	int	 subject, detail;
} required_enhanced[] = {
	{ 0, 0 }, { 1, 1 }, { 1, 10 }, { 2, 2 }, { 3, 4 }, { 4, 7 }, { 5, 1 },
	{ 6, 7 }, { 7, 0 }, { 7, 1 }, { 7, 8 }, { 7, 27 },
};

START_TEST(test_catalog_required_enhanced)
{
	struct rules *r = tu_rules();

	ck_assert_msg(rules_enhanced(r, required_enhanced[_i].subject,
	    required_enhanced[_i].detail) != NULL, "X.%d.%d missing",
	    required_enhanced[_i].subject, required_enhanced[_i].detail);
	rules_free(r);
}
END_TEST

/* ---- commands */

START_TEST(test_catalog_commands)
{
	struct rules *r = tu_rules();
	size_t i, j;

	ck_assert_uint_ge(rules_ncommands(r), 20);
	for (i = 0; i < rules_ncommands(r); i++) {
		const struct command_info *ci = rules_command_nth(r, i);

		ck_assert_msg(has_text(&ci->name), "%s: name lacks en or de",
		    ci->verb);
		ck_assert_msg(ci->nreplies > 0, "%s allows no reply", ci->verb);
		for (j = 0; j < ci->nreplies; j++) {
			int c = ci->replies[j].code;

			ck_assert_msg(rules_code(r, c) != NULL, "%s allows %d, "
			    "which codes.yaml does not explain", ci->verb, c);
			ck_assert_ptr_eq(rules_allowed(ci, c), &ci->replies[j]);
			ck_assert_msg(ci->replies[j].source != SRC_NONE,
			    "%s %d: no source", ci->verb, c);
		}
		/* Every command may get the universal 421 (RFC 5321 3.8). */
		ck_assert_msg(rules_allowed(ci, 421) != NULL,
		    "%s does not allow 421", ci->verb);
	}
	rules_free(r);
}
END_TEST

/* Issue 2: the commands the tables must cover. */
static const char *const required_commands[] = {
	"GREETING", "HELO", "EHLO", "MAIL", "RCPT", "DATA", "END-OF-DATA",
	"RSET", "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH",
	"AUTH-RESPONSE", "BDAT", "ETRN", "ATRN", "TURN", "SEND", "SOML",
	"SAML",
};

START_TEST(test_catalog_required_command)
{
	struct rules *r = tu_rules();
	const char *v = required_commands[_i];

	ck_assert_msg(rules_command(r, v, strlen(v)) != NULL,
	    "commands.yaml lacks %s", v);
	rules_free(r);
}
END_TEST

/* ---- duplicate keys */

/*
 * A line-by-line scan for a key that appears twice in one block mapping,
 * independent of libyaml: mapping levels by indentation, sequence items
 * start a new mapping, block scalars (| >) and quoted or flow values that
 * span lines are skipped.  Keys inside one-line flow mappings are left to
 * ydoc.  Returns the line of the first duplicate, 0 if none; the key in
 * DUP.
 */
#define SCAN_DEPTH	32
#define SCAN_KEYS	512
#define SCAN_KEYLEN	64

struct scan_level {
	int	 indent;
	size_t	 nkeys;
	char	 keys[SCAN_KEYS][SCAN_KEYLEN];
};

static struct scan_level scan_levels[SCAN_DEPTH];

static unsigned long
scan_duplicates(const char *text, char *dup, size_t dupsz)
{
	const char *p = text, *eol, *c, *k;
	unsigned long lineno = 0;
	int depth = 0, indent, block = -1, flow = 0;
	bool in_quote = false;
	char key[SCAN_KEYLEN];
	size_t klen, i;

	for (; *p != '\0'; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		lineno++;
		for (indent = 0; p + indent < eol && p[indent] == ' '; indent++)
			;
		c = p + indent;
		if (in_quote || flow > 0) {
			/* A value that began on an earlier line. */
			for (; c < eol; c++) {
				if (in_quote && *c == '\\' && c + 1 < eol)
					c++;
				else if (*c == '"')
					in_quote = !in_quote;
				else if (!in_quote && (*c == '{' || *c == '['))
					flow++;
				else if (!in_quote && (*c == '}' || *c == ']'))
					flow--;
			}
			continue;
		}
		if (c == eol || *c == '#' || *c == '\r')
			continue;
		if (block >= 0) {
			if (indent > block)
				continue;	/* inside a block scalar */
			block = -1;
		}
		if (c + 1 < eol && c[0] == '-' && (c[1] == ' ' || c[1] == '\r')) {
			/* A sequence item: a new mapping at its content. */
			indent += 2;
			c += 2;
			while (depth > 0 &&
			    scan_levels[depth - 1].indent >= indent)
				depth--;
			while (c < eol && *c == ' ')
				c++, indent++;
		}
		/* the key: quoted, or plain up to ": " */
		if (*c == '"' || *c == '\'') {
			k = memchr(c + 1, *c, (size_t)(eol - c - 1));
			if (k == NULL || k[1] != ':')
				continue;
			klen = (size_t)(k - c - 1);
			if (klen >= sizeof(key))
				klen = sizeof(key) - 1;
			memcpy(key, c + 1, klen);
			k += 2;
		} else {
			for (k = c; k < eol && *k != ':' && *k != ' '; k++)
				;
			if (k == c || k >= eol || *k != ':' ||
			    (k + 1 < eol && k[1] != ' ' && k[1] != '\r'))
				continue;	/* not "key:" */
			klen = (size_t)(k - c);
			if (klen >= sizeof(key))
				klen = sizeof(key) - 1;
			memcpy(key, c, klen);
			k++;
		}
		key[klen] = '\0';
		while (depth > 0 && scan_levels[depth - 1].indent > indent)
			depth--;
		if (depth == 0 || scan_levels[depth - 1].indent < indent) {
			ck_assert_int_lt(depth, SCAN_DEPTH);
			scan_levels[depth].indent = indent;
			scan_levels[depth].nkeys = 0;
			depth++;
		}
		for (i = 0; i < scan_levels[depth - 1].nkeys; i++)
			if (strcmp(scan_levels[depth - 1].keys[i], key) == 0) {
				snprintf(dup, dupsz, "%s", key);
				return lineno;
			}
		ck_assert_uint_lt(scan_levels[depth - 1].nkeys, SCAN_KEYS);
		memcpy(scan_levels[depth - 1].keys[scan_levels[depth - 1].nkeys++],
		    key, sizeof(key));
		/* the value: a block scalar, or a quote or flow left open */
		while (k < eol && *k == ' ')
			k++;
		if (k < eol && (*k == '|' || *k == '>')) {
			block = indent;
			continue;
		}
		for (; k < eol; k++) {
			if (*k == '#' && !in_quote && k[-1] == ' ')
				break;
			if (in_quote && *k == '\\' && k + 1 < eol)
				k++;
			else if (*k == '"')
				in_quote = !in_quote;
			else if (!in_quote && (*k == '{' || *k == '['))
				flow++;
			else if (!in_quote && (*k == '}' || *k == ']'))
				flow--;
		}
	}
	return 0;
}

static const struct scan_case {
	const char	*name;
	const char	*yaml;
	unsigned long	 line;		/* of the duplicate, 0: none */
} scan_cases[] = {
	{ "top level", "a: 1\nb: 2\na: 3\n", 3 },
	{ "nested", "a:\n  x: 1\n  y:\n    x: 2\n  x: 3\n", 5 },
	{ "same key, other parents", "x:\n  en: 1\ny:\n  en: 2\n", 0 },
	{ "after a deeper level", "a:\n  b:\n    c: 1\n  d: 2\n  b: 3\n", 5 },
	{ "block scalar text", "a: >-\n  Note: x\n  Note: y\nb: 1\n", 0 },
	{ "after a block scalar", "a: |\n  t\na: 2\n", 3 },
	{ "quoted and plain key", "\"X.1.1\": 1\nX.1.1: 2\n", 2 },
	{ "comments", "a: 1\n# a: 2\n  # a: 3\n", 0 },
	{ "sequence items", "- a: 1\n  b: 2\n- a: 3\n", 0 },
	{ "inside one item", "- a: 1\n  a: 2\n", 2 },
	{ "multi-line quoted value", "a: \"x\n  Note: y\"\nNote: 1\n", 0 },
	{ "multi-line flow value", "a: {en: x,\n  de: y}\nde: 1\nb: 2\n", 0 },
	{ "URL in a value", "a: http://x\nb: 2\n", 0 },
	{ "CRLF lines", "a: 1\r\nb: 2\r\na: 3\r\n", 3 },
	{ "empty", "", 0 },
};

START_TEST(test_catalog_scan_selftest)
{
	const struct scan_case *tc = &scan_cases[_i];
	char dup[SCAN_KEYLEN] = "";

	ck_assert_msg(scan_duplicates(tc->yaml, dup, sizeof(dup)) == tc->line,
	    "%s: duplicate '%s' reported wrongly", tc->name, dup);
}
END_TEST

/* No key twice in any rules file: by the scan and by ydoc (which refuses
 * duplicates, see check_rules). */
START_TEST(test_catalog_no_duplicate_keys)
{
	const char *file = rules_files[_i];
	struct tu_stderr cap;
	struct arena *a;
	char dup[SCAN_KEYLEN] = "", *text, *err;
	unsigned long line;
	size_t len;

	text = tu_read_src(file, &len);
	ck_assert_msg(text != NULL, "cannot read %s", file);
	line = scan_duplicates(text, dup, sizeof(dup));
	ck_assert_msg(line == 0, "%s:%lu: key '%s' appears twice", file, line,
	    dup);
	a = arena_new();
	tu_stderr_begin(&cap);
	ck_assert_ptr_nonnull(ydoc_parse(a, file, text, len));
	err = tu_stderr_end(&cap);
	ck_assert_msg(err[0] == '\0', "%s", err);
	free(err);
	arena_free(a);
	free(text);
}
END_TEST

/* The embedded rules are the rules/ files, byte for byte. */
START_TEST(test_catalog_embedded_is_source)
{
	const struct rules_file *f;
	char rel[128], *text;
	size_t len, n = 0;

	for (f = rules_embedded; f->name != NULL; f++) {
		snprintf(rel, sizeof(rel), "rules/%s", f->name);
		text = tu_read_src(rel, &len);
		ck_assert_msg(text != NULL, "embedded %s has no source", rel);
		ck_assert_msg(len == f->len && memcmp(text, f->data, len) == 0,
		    "embedded %s differs from the file (rebuild)", rel);
		free(text);
		n++;
	}
	ck_assert_uint_ge(n, TU_NELEM(rules_files));
}
END_TEST

/* ---- checks: C, checks.yaml and README agree */

/* The `checks:` keys of rules/checks.yaml with their severities. */
static size_t
yaml_checks(struct arena *a, const char **ids, const char **sevs, size_t max)
{
	const struct ynode *root, *m, *sev;
	char *text;
	size_t len, i, n = 0;

	text = tu_read_src("rules/checks.yaml", &len);
	ck_assert_ptr_nonnull(text);
	root = ydoc_parse(a, "rules/checks.yaml", text, len);
	free(text);
	ck_assert_ptr_nonnull(root);
	m = ydoc_get(root, "checks");
	ck_assert_msg(m != NULL && m->type == YN_MAP, "no checks: mapping");
	for (i = 0; i + 1 < m->nkids && n < max; i += 2, n++) {
		ids[n] = m->kids[i]->value;
		sev = ydoc_get(m->kids[i + 1], "severity");
		sevs[n] = sev ? sev->value : "";
	}
	return n;
}

struct readme_check {
	char	 id[64];
	char	 sev[16];
};

/*
 * Parse the README's list: every non-empty line between the markers must
 * be "- `check-id` (severity): text".  False with a reason in WHY.
 */
static bool
readme_parse(const char *text, struct readme_check *out, size_t max,
    size_t *np, char *why, size_t whysz)
{
	static const char begin[] = "<!-- checks -->";
	static const char end[] = "<!-- /checks -->";
	const char *p, *e, *eol, *q, *r;
	enum severity sev;
	unsigned long lineno;
	size_t n = 0, i;

	*np = 0;
	if ((p = strstr(text, begin)) == NULL) {
		snprintf(why, whysz, "no '%s' marker", begin);
		return false;
	}
	if ((e = strstr(p, end)) == NULL) {
		snprintf(why, whysz, "no '%s' marker after '%s'", end, begin);
		return false;
	}
	for (lineno = 1, q = text; q < p; q++)
		lineno += *q == '\n';
	p = strchr(p, '\n');
	for (; p != NULL && p + 1 < e; p = eol) {
		p++;
		lineno++;
		eol = strchr(p, '\n');
		if (eol == NULL || eol > e)
			eol = e;
		if (eol == p || (eol == p + 1 && *p == '\r'))
			continue;
		if (strncmp(p, "- `", 3) != 0 ||
		    (q = memchr(p + 3, '`', (size_t)(eol - p - 3))) == NULL ||
		    strncmp(q, "` (", 3) != 0 ||
		    (r = memchr(q + 3, ')', (size_t)(eol - q - 3))) == NULL ||
		    strncmp(r, "): ", 3) != 0 || r + 3 >= eol) {
			snprintf(why, whysz, "line %lu is not "
			    "\"- `check-id` (severity): text\": %.*s", lineno,
			    (int)(eol - p > 60 ? 60 : eol - p), p);
			return false;
		}
		if (n == max || (size_t)(q - p - 3) >= sizeof(out[n].id) ||
		    (size_t)(r - q - 3) >= sizeof(out[n].sev)) {
			snprintf(why, whysz, "line %lu: too long", lineno);
			return false;
		}
		memcpy(out[n].id, p + 3, (size_t)(q - p - 3));
		out[n].id[q - p - 3] = '\0';
		memcpy(out[n].sev, q + 3, (size_t)(r - q - 3));
		out[n].sev[r - q - 3] = '\0';
		if (!severity_parse(out[n].sev, &sev) || sev == SEV_NONE) {
			snprintf(why, whysz, "line %lu: '%s' is no severity",
			    lineno, out[n].sev);
			return false;
		}
		for (i = 0; i < n; i++)
			if (strcmp(out[i].id, out[n].id) == 0) {
				snprintf(why, whysz, "line %lu: %s listed twice",
				    lineno, out[n].id);
				return false;
			}
		n++;
	}
	*np = n;
	return true;
}

static const struct readme_case {
	const char	*name;
	const char	*text;
	size_t		 n;		/* checks found; (size_t)-1: refused */
	const char	*why;		/* a piece of the reason */
} readme_cases[] = {
	{ "good", "# x\n<!-- checks -->\n- `a-b` (error): one\n\n"
	    "- `c` (info): two `x` (y): z\n<!-- /checks -->\nrest\n", 2, NULL },
	{ "CRLF", "<!-- checks -->\r\n- `a` (notice): x\r\n<!-- /checks -->\r\n",
	    1, NULL },
	{ "empty list", "<!-- checks -->\n<!-- /checks -->\n", 0, NULL },
	{ "no begin", "- `a` (error): x\n", (size_t)-1, "no '<!-- checks -->'" },
	{ "no end", "<!-- checks -->\n- `a` (error): x\n", (size_t)-1,
	    "no '<!-- /checks -->'" },
	{ "no backticks", "<!-- checks -->\n- a (error): x\n<!-- /checks -->\n",
	    (size_t)-1, "line 2 is not" },
	{ "no severity", "<!-- checks -->\n- `a`: x\n<!-- /checks -->\n",
	    (size_t)-1, "line 2 is not" },
	{ "no text", "<!-- checks -->\n- `a` (error):\n<!-- /checks -->\n",
	    (size_t)-1, "line 2 is not" },
	{ "bad severity", "<!-- checks -->\n- `a` (fatal): x\n<!-- /checks -->\n",
	    (size_t)-1, "'fatal' is no severity" },
	{ "twice", "<!-- checks -->\n- `a` (error): x\n- `a` (error): y\n"
	    "<!-- /checks -->\n", (size_t)-1, "line 3: a listed twice" },
	{ "prose inside", "<!-- checks -->\nThe checks:\n<!-- /checks -->\n",
	    (size_t)-1, "line 2 is not" },
};

START_TEST(test_catalog_readme_parser)
{
	const struct readme_case *tc = &readme_cases[_i];
	struct readme_check got[8];
	char why[256] = "";
	size_t n;
	bool ok;

	ok = readme_parse(tc->text, got, TU_NELEM(got), &n, why, sizeof(why));
	if (tc->n == (size_t)-1) {
		ck_assert_msg(!ok, "%s: accepted", tc->name);
		ck_assert_msg(strstr(why, tc->why) != NULL, "%s: '%s'",
		    tc->name, why);
		return;
	}
	ck_assert_msg(ok, "%s: %s", tc->name, why);
	ck_assert_uint_eq(n, tc->n);
	if (n > 0) {
		ck_assert_str_eq(got[0].id, n == 2 ? "a-b" : "a");
		ck_assert_str_eq(got[0].sev, n == 2 ? "error" : "notice");
	}
	if (n == 2) {
		ck_assert_str_eq(got[1].id, "c");
		ck_assert_str_eq(got[1].sev, "info");
	}
}
END_TEST

START_TEST(test_catalog_checks_agree)
{
	struct rules *r = tu_rules();
	struct arena *a = arena_new();
	const char *ids[64], *sevs[64];
	struct readme_check rd[64];
	enum severity sev;
	char why[256], *readme;
	size_t n, nrd, i, j;
	int c;

	/* check_defs: ids unique, every one named */
	for (c = 0; c < CHECK_N; c++) {
		ck_assert_msg(check_defs[c].id != NULL, "check %d has no id", c);
		ck_assert_int_eq(check_lookup(check_defs[c].id), c);
		ck_assert_str_eq(check_id_name((enum check_id)c),
		    check_defs[c].id);
	}
	ck_assert_int_eq(check_lookup("no-such-check"), CHECK_N);

	/* checks.yaml (the file) == check_defs, severities equal */
	n = yaml_checks(a, ids, sevs, TU_NELEM(ids));
	for (i = 0; i < n; i++) {
		c = check_lookup(ids[i]);
		ck_assert_msg(c != CHECK_N, "rules/checks.yaml has '%s', which "
		    "check_defs[] (src/finding.c) lacks", ids[i]);
		ck_assert_msg(severity_parse(sevs[i], &sev) &&
		    sev == check_defs[c].severity, "%s: severity %s in "
		    "checks.yaml, %s in check_defs", ids[i], sevs[i],
		    severity_name(check_defs[c].severity));
	}
	ck_assert_msg(n == CHECK_N, "checks.yaml has %zu checks, check_defs "
	    "%d", n, CHECK_N);
	/* and every check has its texts in the loaded rules */
	for (c = 0; c < CHECK_N; c++) {
		const struct check_info *ci = rules_check(r, check_defs[c].id);

		ck_assert_msg(ci != NULL, "%s missing from the rules",
		    check_defs[c].id);
		ck_assert_int_eq(ci->severity, check_defs[c].severity);
		ck_assert_msg(has_text(&ci->message) &&
		    has_text(&ci->explanation) && has_text(&ci->hint),
		    "%s lacks en or de text", ci->id);
	}

	/* README.md == check_defs, severities equal */
	readme = tu_read_src("README.md", NULL);
	ck_assert_msg(readme != NULL, "README.md is missing");
	ck_assert_msg(readme_parse(readme, rd, TU_NELEM(rd), &nrd, why,
	    sizeof(why)), "README.md: %s", why);
	for (i = 0; i < nrd; i++) {
		c = check_lookup(rd[i].id);
		ck_assert_msg(c != CHECK_N, "README.md lists '%s', which "
		    "check_defs[] lacks", rd[i].id);
		ck_assert_msg(strcmp(rd[i].sev,
		    severity_name(check_defs[c].severity)) == 0,
		    "README.md: %s is (%s), check_defs says %s", rd[i].id,
		    rd[i].sev, severity_name(check_defs[c].severity));
	}
	for (c = 0; c < CHECK_N; c++) {
		for (j = 0; j < nrd; j++)
			if (strcmp(rd[j].id, check_defs[c].id) == 0)
				break;
		ck_assert_msg(j < nrd, "README.md does not list %s",
		    check_defs[c].id);
	}
	free(readme);
	arena_free(a);
	rules_free(r);
}
END_TEST

/* ---- {detail} ids, labels and placeholders */

/* Add the string literals of C source TEXT that look like detail ids (on a
 * line about a detail, or kebab-case with a hyphen) to IDS.  Comments and
 * character constants are skipped. */
static size_t
c_detail_literals(const char *text, char ids[][64], size_t n, size_t max)
{
	const char *p = text, *line = text, *s;
	bool in_comment = false;
	size_t len, i;
	char lit[64], ctx[256];

	for (; *p != '\0'; p++) {
		if (*p == '\n')
			line = p + 1;
		if (in_comment) {
			if (p[0] == '*' && p[1] == '/')
				in_comment = false, p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			in_comment = true;
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			while (p[1] != '\0' && p[1] != '\n')
				p++;
			continue;
		}
		if (*p == '\'') {
			for (p++; *p != '\0' && *p != '\''; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			continue;
		}
		if (*p != '"')
			continue;
		for (s = ++p; *p != '\0' && *p != '"'; p++)
			if (*p == '\\' && p[1] != '\0')
				p++;
		len = (size_t)(p - s);
		if (len == 0 || len >= sizeof(lit) || !islower((unsigned char)*s))
			continue;
		memcpy(lit, s, len);
		lit[len] = '\0';
		if (strspn(lit, "abcdefghijklmnopqrstuvwxyz0123456789-") != len ||
		    lit[len - 1] == '-' || strstr(lit, "--") != NULL)
			continue;
		/* the line up to here */
		snprintf(ctx, sizeof(ctx), "%.*s",
		    (int)(s - line < 255 ? s - line : 255), line);
		if (strchr(lit, '-') == NULL && strstr(ctx, "detail") == NULL &&
		    strstr(ctx, "why") == NULL)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(ids[i], lit) == 0)
				break;
		if (i == n && n < max)
			memcpy(ids[n++], lit, sizeof(lit));
	}
	return n;
}

START_TEST(test_catalog_details_used)
{
	static const char *const srcs[] = { "src/smtp.c", "src/reply.c" };
	static char ids[256][64];
	struct rules *r = tu_rules();
	size_t n = 0, i, k;
	char *text;

	for (k = 0; k < TU_NELEM(srcs); k++) {
		text = tu_read_src(srcs[k], NULL);
		ck_assert_msg(text != NULL, "cannot read %s", srcs[k]);
		n = c_detail_literals(text, ids, n, TU_NELEM(ids));
		free(text);
	}
	/* the scan works at all: ids known to be used */
	ck_assert_uint_ge(n, 30);
	for (i = 0; i < n; i++) {
		const char *en = rules_detail(r, ids[i], LANG_EN);
		const char *de = rules_detail(r, ids[i], LANG_DE);

		/* rules_detail gives the id back when there is no entry */
		ck_assert_msg(en != ids[i] && de != ids[i],
		    "the C code uses detail '%s', which checks.yaml "
		    "details: lacks", ids[i]);
		ck_assert_msg(en != NULL && de != NULL && strcmp(en, de) != 0,
		    "detail %s: en and de are the same text", ids[i]);
	}
	rules_free(r);
}
END_TEST

START_TEST(test_catalog_detail_scan_selftest)
{
	static const char src[] =
	    "/* \"in-comment\" */ f.detail = \"no-helo\";\n"
	    "x = 'a'; y = \"Not-this\"; z = \"plain\";\n"
	    "f.detail = c ? \"historic\" : \"practice\";\n"
	    "r->why = \"bad-class\"; // \"after-slash\"\n"
	    "s = \"a-b-\"; t = \"with space-x\";\n";
	static char ids[16][64];
	size_t n;

	n = c_detail_literals(src, ids, 0, TU_NELEM(ids));
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(ids[0], "no-helo");
	ck_assert_str_eq(ids[1], "historic");
	ck_assert_str_eq(ids[2], "practice");
	ck_assert_str_eq(ids[3], "bad-class");
}
END_TEST

/* Labels the reporters and --explain ask for by a literal id. */
START_TEST(test_catalog_labels_used)
{
	static const struct {
		const char	*file;
		const char	*call;		/* up to the id argument */
	} calls[] = {
		{ "src/report.c", "report_label(" },
		{ "src/report_text.c", "report_label(" },
		{ "src/report_summary.c", "report_label(" },
		{ "src/report_json.c", "report_label(" },
		{ "src/explain.c", "explain_label(" },
	};
	struct rules *r = tu_rules();
	const char *p, *q, *e;
	char id[64], *text;
	size_t k, n = 0, len;

	for (k = 0; k < TU_NELEM(calls); k++) {
		if ((text = tu_read_src(calls[k].file, NULL)) == NULL)
			continue;
		for (p = text; (p = strstr(p, calls[k].call)) != NULL; p++) {
			/* the first literal before the call's ')' */
			q = p + strlen(calls[k].call);
			e = strchr(q, ')');
			q = strchr(q, '"');
			if (q == NULL || e == NULL || q > e)
				continue;
			if ((e = strchr(p, ';')) != NULL && e < q)
				continue;
			e = strchr(q + 1, '"');
			len = (size_t)(e - q - 1);
			if (len == 0 || len >= sizeof(id))
				continue;
			memcpy(id, q + 1, len);
			id[len] = '\0';
			ck_assert_msg(rules_label(r, id, LANG_EN) != (const char *)id,
			    "%s asks for label '%s', which checks.yaml labels: "
			    "lacks", calls[k].file, id);
			ck_assert(rules_label(r, id, LANG_DE) != (const char *)id);
			n++;
		}
		free(text);
	}
	ck_assert_uint_ge(n, 10);
	rules_free(r);
}
END_TEST

/* The placeholders a reporter fills in (report.c). */
static const char *const placeholders[] = { "code", "command", "detail",
	"arg", "limit", "len", "enhanced", "reply", "summary", NULL };

/* Check every {name} in S; collect them in SET (sorted string). */
static void
placeholders_of(const char *what, const char *s, char *set, size_t sz)
{
	const char *p, *e;
	size_t i, n;
	char name[32];

	set[0] = '\0';
	for (p = s; (p = strchr(p, '{')) != NULL; p = e + 1) {
		e = strchr(p, '}');
		ck_assert_msg(e != NULL, "%s: '{' without '}'", what);
		n = (size_t)(e - p - 1);
		ck_assert_msg(n > 0 && n < sizeof(name), "%s: odd placeholder",
		    what);
		memcpy(name, p + 1, n);
		name[n] = '\0';
		for (i = 0; placeholders[i] != NULL; i++)
			if (strcmp(placeholders[i], name) == 0)
				break;
		ck_assert_msg(placeholders[i] != NULL, "%s: unknown "
		    "placeholder {%s}", what, name);
		if (strstr(set, name) == NULL) {
			strncat(set, name, sz - strlen(set) - 1);
			strncat(set, " ", sz - strlen(set) - 1);
		}
	}
}

/* Both languages of one text use the same placeholders. */
static void
placeholders_agree(const char *what, const struct text *t)
{
	char en[256], de[256], w[128];
	const char *p;

	snprintf(w, sizeof(w), "%s (en)", what);
	placeholders_of(w, t->s[LANG_EN], en, sizeof(en));
	snprintf(w, sizeof(w), "%s (de)", what);
	placeholders_of(w, t->s[LANG_DE], de, sizeof(de));
	for (p = strtok(en, " "); p != NULL; p = strtok(NULL, " "))
		ck_assert_msg(strstr(de, p) != NULL, "%s: {%s} in en, not in de",
		    what, p);
}

START_TEST(test_catalog_placeholders)
{
	struct rules *r = tu_rules();
	const struct ynode *root, *m;
	struct arena *a = arena_new();
	struct text t;
	char *text, w[128];
	size_t len = 0, i;
	int c;

	for (c = 0; c < CHECK_N; c++) {
		const struct check_info *ci = rules_check(r, check_defs[c].id);

		snprintf(w, sizeof(w), "%s message", ci->id);
		placeholders_agree(w, &ci->message);
		snprintf(w, sizeof(w), "%s explanation", ci->id);
		placeholders_agree(w, &ci->explanation);
		snprintf(w, sizeof(w), "%s hint", ci->id);
		placeholders_agree(w, &ci->hint);
	}
	text = tu_read_src("rules/checks.yaml", &len);
	ck_assert_ptr_nonnull(text);
	root = ydoc_parse(a, "checks.yaml", text, len);
	ck_assert_ptr_nonnull(root);
	m = ydoc_get(root, "details");
	ck_assert_ptr_nonnull(m);
	for (i = 0; i + 1 < m->nkids; i += 2) {
		t.s[LANG_EN] = rules_detail(r, m->kids[i]->value, LANG_EN);
		t.s[LANG_DE] = rules_detail(r, m->kids[i]->value, LANG_DE);
		snprintf(w, sizeof(w), "detail %s", m->kids[i]->value);
		placeholders_agree(w, &t);
	}
	free(text);
	arena_free(a);
	rules_free(r);
}
END_TEST

static Suite *
catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc;

	tc = tcase_create("codes");
	tcase_add_loop_test(tc, test_catalog_required_code, 0,
	    (int)TU_NELEM(required_codes));
	tcase_add_test(tc, test_catalog_all_codes);
	tcase_add_loop_test(tc, test_catalog_required_variant, 0,
	    (int)TU_NELEM(required_variants));
	tcase_add_test(tc, test_catalog_enhanced);
	tcase_add_loop_test(tc, test_catalog_required_enhanced, 0,
	    (int)TU_NELEM(required_enhanced));
	tcase_add_test(tc, test_catalog_commands);
	tcase_add_loop_test(tc, test_catalog_required_command, 0,
	    (int)TU_NELEM(required_commands));
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_loop_test(tc, test_catalog_scan_selftest, 0,
	    (int)TU_NELEM(scan_cases));
	tcase_add_loop_test(tc, test_catalog_no_duplicate_keys, 0,
	    (int)TU_NELEM(rules_files));
	tcase_add_test(tc, test_catalog_embedded_is_source);
	suite_add_tcase(s, tc);
	tc = tcase_create("checks");
	tcase_add_loop_test(tc, test_catalog_readme_parser, 0,
	    (int)TU_NELEM(readme_cases));
	tcase_add_test(tc, test_catalog_checks_agree);
	tcase_add_test(tc, test_catalog_detail_scan_selftest);
	tcase_add_test(tc, test_catalog_details_used);
	tcase_add_test(tc, test_catalog_labels_used);
	tcase_add_test(tc, test_catalog_placeholders);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(catalog_suite());
}
