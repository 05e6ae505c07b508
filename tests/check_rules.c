/*
 * check_rules: the rules loader (rules.c over ydoc.c).  The embedded rules
 * load and finish in silence; a table of broken rules files, each of which
 * must be refused with one diagnostic "smtplint: NAME:LINE:COL: error: …"
 * naming the place; overrides replace entries; and the lookup API
 * (rules_allowed, rules_command, rules_code_variant, enhanced, checks).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "rules.h"
#include "testutil.h"
#include "ydoc.h"

/* A valid code entry; the cases below break it one way at a time. */
#define CODE_250 \
	"codes:\n" \
	"  250:\n" \
	"    class: 2\n" \
	"    text: \"Ok\"\n" \
	"    status: standard\n" \
	"    origin: \"RFC 5321 4.2.2\"\n" \
	"    meaning: {en: \"ok\", de: \"gut\"}\n" \
	"    hint: {en: \"none\", de: \"nichts\"}\n"

#define CHECK_OOS(sev) \
	"checks:\n" \
	"  out-of-sequence:\n" \
	"    severity: " sev "\n" \
	"    fault: server\n" \
	"    message: {en: \"m\", de: \"m\"}\n" \
	"    explanation: {en: \"e\", de: \"e\"}\n" \
	"    hint: {en: \"h\", de: \"h\"}\n"

#define CMD_NOOP(verb, extra) \
	"commands:\n" \
	"  " verb ":\n" \
	"    action: noop\n" \
	"    pipelining: last\n" \
	"    args: optional\n" \
	extra

#define ENH(key) \
	"codes:\n" \
	"  \"" key "\":\n" \
	"    text: \"x\"\n" \
	"    ref: \"RFC 3463\"\n" \
	"    meaning: {en: \"x\", de: \"x\"}\n"

static const struct bad_case {
	const char	*name;
	const char	*file;		/* picks the schema by base name */
	const char	*yaml;
	const char	*at;		/* "LINE:COL" of the diagnostic, or
					 * "" for a diagnostic without one */
	const char	*what;		/* a piece of its text */
} bad_cases[] = {
	/* YAML syntax */
	{ "unclosed quote", "codes.yaml",
	    "codes:\n  250:\n    text: \"Ok\n", "4:1", "YAML: found unexpected end" },
	{ "bad indentation", "codes.yaml",
	    "codes:\n  250:\n    class: 2\n   text: x\n", "4:4", "YAML: " },
	{ "tab indentation", "codes.yaml", "codes:\n\t250: x\n", "2:1",
	    "YAML: found character that cannot start any token" },
	{ "alias", "codes.yaml", "a: &x 1\nb: *x\n", "2:4", "aliases" },
	{ "two documents", "codes.yaml", "codes: {}\n---\ncodes: {}\n", "2:1",
	    "only one YAML document" },
	{ "NUL byte", "codes.yaml", "codes:\n  250: \"a\\0b\"\n", "2:8",
	    "NUL character" },
	{ "complex key", "codes.yaml", "? [a, b]\n: c\n", "1:3",
	    "a mapping key must be a plain value" },
	/* the shape of the file */
	{ "empty file", "codes.yaml", "", "1:1", "the file is empty" },
	{ "only a comment", "checks.yaml", "# nothing here\n", "1:1",
	    "the file is empty" },
	{ "top-level list", "codes.yaml", "- 250\n- 550\n", "1:1",
	    "the top level of the file must be a mapping, not a list" },
	{ "top-level scalar", "commands.yaml", "hello\n", "1:1",
	    "must be a mapping, not a value" },
	{ "unknown top-level key", "codes.yaml", "kodes:\n  250: {}\n", "1:1",
	    "unknown key 'kodes' in codes.yaml" },
	{ "not a rules file", "formats2.yaml", "a: 1\n", "",
	    "not a rules file name" },
	/* codes.yaml */
	{ "unknown key under a code", "codes.yaml", CODE_250 "    colour: red\n",
	    "9:5", "unknown key 'colour' in code 250" },
	{ "missing de", "codes.yaml",
	    "codes:\n  250:\n    class: 2\n    text: \"Ok\"\n"
	    "    status: standard\n    origin: \"RFC 5321\"\n"
	    "    meaning: {en: \"ok\"}\n    hint: {en: \"n\", de: \"n\"}\n",
	    "7:14", "code 250: meaning: the German (de) text is missing" },
	{ "missing en", "codes.yaml",
	    "codes:\n  250:\n    class: 2\n    text: \"Ok\"\n"
	    "    status: standard\n    origin: \"RFC 5321\"\n"
	    "    meaning: {en: \"ok\", de: \"gut\"}\n    hint: {de: \"n\"}\n",
	    "8:11", "code 250: hint: the English (en) text is missing" },
	{ "empty de", "codes.yaml",
	    "codes:\n  250:\n    class: 2\n    text: \"Ok\"\n"
	    "    status: standard\n    origin: \"RFC 5321\"\n"
	    "    meaning: {en: \"ok\", de: \"\"}\n    hint: {en: \"n\", de: \"n\"}\n",
	    "7:29", "the German (de) text is missing" },
	{ "missing text", "codes.yaml",
	    "codes:\n  250:\n    class: 2\n    status: standard\n"
	    "    origin: \"RFC 5321\"\n"
	    "    meaning: {en: \"ok\", de: \"gut\"}\n    hint: {en: \"n\", de: \"n\"}\n",
	    "3:5", "code 250: 'text' is missing" },
	{ "missing hint", "codes.yaml",
	    "codes:\n  250:\n    class: 2\n    text: \"Ok\"\n"
	    "    status: standard\n    origin: \"RFC 5321\"\n"
	    "    meaning: {en: \"ok\", de: \"gut\"}\n",
	    "3:5", "code 250: 'hint' is missing" },
	{ "duplicate code", "codes.yaml", CODE_250 "  250:\n    class: 2\n",
	    "9:3", "duplicate key '250' (first at line 2)" },
	{ "duplicate field", "codes.yaml", CODE_250 "    text: \"Again\"\n",
	    "9:5", "duplicate key 'text' (first at line 4)" },
	{ "code 600", "codes.yaml", "codes:\n  600: {}\n", "2:3",
	    "reply code '600' is outside 200-599" },
	{ "code 199", "codes.yaml", "codes:\n  199: {}\n", "2:3",
	    "reply code '199' is outside 200-599" },
	{ "code not a number", "codes.yaml", "codes:\n  2x0: {}\n", "2:3",
	    "reply code '2x0' is outside 200-599" },
	{ "code with sign", "codes.yaml", "codes:\n  +250: {}\n", "2:3",
	    "outside 200-599" },
	{ "class disagrees", "codes.yaml",
	    "codes:\n  550:\n    class: 4\n    text: \"x\"\n"
	    "    status: standard\n    origin: \"RFC 5321\"\n"
	    "    meaning: {en: \"x\", de: \"x\"}\n    hint: {en: \"n\", de: \"n\"}\n",
	    "3:12", "code 550: class 4 does not agree with the code" },
	{ "unknown status", "codes.yaml",
	    "codes:\n  250:\n    class: 2\n    text: \"Ok\"\n"
	    "    status: normal\n    origin: \"RFC 5321\"\n"
	    "    meaning: {en: \"ok\", de: \"gut\"}\n    hint: {en: \"n\", de: \"n\"}\n",
	    "5:13", "status 'normal' is not one of" },
	{ "text is a mapping", "codes.yaml",
	    "codes:\n  250:\n    class: 2\n    text: {a: b}\n"
	    "    status: standard\n    origin: \"RFC 5321\"\n"
	    "    meaning: {en: \"ok\", de: \"gut\"}\n    hint: {en: \"n\", de: \"n\"}\n",
	    "4:11", "code 250: 'text' must be a value, not a mapping" },
	{ "variant without de", "codes.yaml", CODE_250
	    "    commands:\n      RCPT:\n        meaning: {en: \"r\"}\n"
	    "        hint: {en: \"h\", de: \"h\"}\n",
	    "11:18", "code 250, command RCPT: meaning: the German (de) text" },
	/* enhanced.yaml */
	{ "enhanced class 3", "enhanced.yaml", ENH("3.1.1"), "2:3",
	    "enhanced code '3.1.1' must start with X., 2., 4. or 5." },
	{ "enhanced class 1", "enhanced.yaml", ENH("1.1.1"), "2:3",
	    "must start with X., 2., 4. or 5." },
	{ "enhanced two parts", "enhanced.yaml", ENH("X.1"), "2:3",
	    "enhanced code 'X.1' is not class.subject.detail" },
	{ "enhanced four parts", "enhanced.yaml", ENH("X.1.1.1"), "2:3",
	    "is not class.subject.detail" },
	{ "enhanced letter subject", "enhanced.yaml", ENH("X.a.1"), "2:3",
	    "is not class.subject.detail" },
	{ "enhanced detail too big", "enhanced.yaml", ENH("5.1.1000"), "2:3",
	    "is not class.subject.detail" },
	{ "enhanced without meaning", "enhanced.yaml",
	    "codes:\n  X.1.1:\n    text: \"x\"\n    ref: \"RFC 3463\"\n", "3:5",
	    "enhanced code X.1.1: 'meaning' is missing" },
	{ "enhanced basic 600", "enhanced.yaml",
	    ENH("X.1.1") "    basic: [550, 600]\n", "6:18",
	    "basic code must be 200-599" },
	{ "class 3 text", "enhanced.yaml",
	    "classes:\n  3: {en: \"x\", de: \"x\"}\n", "2:3",
	    "there is no class 3" },
	{ "subject 8", "enhanced.yaml",
	    "subjects:\n  8: {en: \"x\", de: \"x\"}\n", "2:3",
	    "subject: '8' must be a number 0-7" },
	/* checks.yaml */
	{ "severity fatal", "checks.yaml", CHECK_OOS("fatal"), "3:15",
	    "check out-of-sequence: severity 'fatal' is not one of error, "
	    "warning, notice, info" },
	{ "severity never", "checks.yaml", CHECK_OOS("never"), "3:15",
	    "severity 'never' is not one of" },
	{ "unknown fault", "checks.yaml",
	    "checks:\n  x:\n    severity: error\n    fault: nobody\n"
	    "    message: {en: \"m\", de: \"m\"}\n"
	    "    explanation: {en: \"e\", de: \"e\"}\n"
	    "    hint: {en: \"h\", de: \"h\"}\n", "4:12",
	    "check x: fault must be server, client or none" },
	{ "check without explanation", "checks.yaml",
	    "checks:\n  x:\n    severity: error\n    fault: server\n"
	    "    message: {en: \"m\", de: \"m\"}\n"
	    "    hint: {en: \"h\", de: \"h\"}\n", "3:5",
	    "check x: 'explanation' is missing" },
	{ "detail without de", "checks.yaml",
	    "details:\n  no-helo: {en: \" before HELO\"}\n", "2:12",
	    "detail no-helo: the German (de) text is missing" },
	/* commands.yaml */
	{ "lower-case command", "commands.yaml",
	    CMD_NOOP("noop", "    replies: {250: rfc5321}\n"), "2:3",
	    "command 'noop' must be upper case" },
	{ "command without replies", "commands.yaml", CMD_NOOP("NOOP", ""),
	    "3:5", "command NOOP: 'replies' is missing" },
	{ "reply code 600", "commands.yaml",
	    CMD_NOOP("NOOP", "    replies: {600: rfc5321}\n"), "6:15",
	    "command NOOP: reply code '600' is outside 200-599" },
	{ "unknown source", "commands.yaml",
	    CMD_NOOP("NOOP", "    replies: {250: rfc821}\n"), "6:20",
	    "source 'rfc821' is not one of" },
	{ "unknown reply key", "commands.yaml",
	    CMD_NOOP("NOOP", "    replies:\n      250: {source: rfc5321, "
	    "why: x}\n"), "7:30", "unknown key 'why'" },
	{ "unknown action", "commands.yaml",
	    "commands:\n  NOOP:\n    action: nothing\n    pipelining: last\n"
	    "    args: none\n    replies: {250: rfc5321}\n", "3:13",
	    "command NOOP: unknown action 'nothing'" },
	{ "unknown requirement", "commands.yaml",
	    CMD_NOOP("NOOP", "    requires: [helo, tls]\n"
	    "    replies: {250: rfc5321}\n"), "6:22",
	    "command NOOP: unknown requirement 'tls'" },
	{ "bad pipelining", "commands.yaml",
	    "commands:\n  NOOP:\n    action: noop\n    pipelining: first\n"
	    "    args: none\n    replies: {250: rfc5321}\n", "4:17",
	    "pipelining must be 'any' or 'last'" },
};

static void
load_expect_error(const char *name, const char *file, const char *yaml,
    const char *at, const char *what)
{
	struct tu_stderr cap;
	struct rules *r;
	char path[64], prefix[160], *err;
	bool ok;

	snprintf(path, sizeof(path), "t/%s", file);
	diag_reset();
	r = rules_new();
	tu_stderr_begin(&cap);
	ok = rules_load_buffer(r, path, yaml, strlen(yaml));
	err = tu_stderr_end(&cap);
	ck_assert_msg(!ok, "%s: loaded", name);
	ck_assert_msg(diag_had_error(), "%s: no error recorded", name);
	if (at[0] != '\0')
		snprintf(prefix, sizeof(prefix), "smtplint: %s:%s: error: ",
		    path, at);
	else
		snprintf(prefix, sizeof(prefix), "smtplint: ");
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
	    "%s: the diagnostic\n  %s\ndoes not start with\n  %s", name, err,
	    prefix);
	ck_assert_msg(strstr(err, what) != NULL,
	    "%s: the diagnostic\n  %s\nlacks\n  %s", name, err, what);
	/* One diagnostic, not a cascade. */
	ck_assert_msg(tu_count_lines(err) == 1, "%s: %zu diagnostics:\n%s",
	    name, tu_count_lines(err), err);
	free(err);
	rules_free(r);
}

START_TEST(test_rules_bad)
{
	const struct bad_case *tc = &bad_cases[_i];

	load_expect_error(tc->name, tc->file, tc->yaml, tc->at, tc->what);
}
END_TEST

/* The valid skeletons used above do load: each bad case fails for the
 * reason given, not because of the skeleton. */
START_TEST(test_rules_good_skeletons)
{
	static const struct {
		const char	*file;
		const char	*yaml;
	} good[] = {
		{ "codes.yaml", CODE_250 },
		{ "checks.yaml", CHECK_OOS("notice") },
		{ "commands.yaml", CMD_NOOP("NOOP", "    replies: {250: rfc5321}\n") },
		{ "enhanced.yaml", ENH("X.1.1") },
		{ "enhanced.yaml", ENH("4.7.12") },
		{ "enhanced.yaml", "classes:\n  4: {en: \"x\", de: \"x\"}\n" },
		{ "codes.yaml", "codes:\n" },		/* no codes at all */
	};
	struct tu_stderr cap;
	struct rules *r;
	size_t i;
	char *err;
	bool ok;

	for (i = 0; i < TU_NELEM(good); i++) {
		r = rules_new();
		tu_stderr_begin(&cap);
		ok = rules_load_buffer(r, good[i].file, good[i].yaml,
		    strlen(good[i].yaml));
		err = tu_stderr_end(&cap);
		ck_assert_msg(ok, "%s %zu: %s", good[i].file, i, err);
		ck_assert_msg(err[0] == '\0', "%s: %s", good[i].file, err);
		free(err);
		rules_free(r);
	}
}
END_TEST

/* ---- ydoc directly */

START_TEST(test_ydoc)
{
	static const char doc[] =
	    "a:\n  b: [1, \"two\"]\n  c: ~\n  d: \"\"\n  e: null\n";
	struct tu_stderr cap;
	struct arena *a = arena_new();
	const struct ynode *root, *b, *n;
	char *err;

	tu_stderr_begin(&cap);
	root = ydoc_parse(a, "doc.yaml", doc, strlen(doc));
	err = tu_stderr_end(&cap);
	ck_assert_msg(root != NULL, "%s", err);
	ck_assert_str_eq(err, "");
	free(err);
	ck_assert_int_eq(root->type, YN_MAP);
	n = ydoc_get(root, "a");
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(n->line, 2);
	ck_assert_uint_eq(n->col, 3);
	b = ydoc_get(n, "b");
	ck_assert_int_eq(b->type, YN_SEQ);
	ck_assert_uint_eq(b->nkids, 2);
	ck_assert_str_eq(b->kids[1]->value, "two");
	ck_assert(b->kids[1]->is_quoted);
	ck_assert_uint_eq(b->kids[1]->col, 10);
	ck_assert_int_eq(ydoc_get(n, "c")->type, YN_NULL);
	/* A quoted empty string is a value, not null. */
	ck_assert_int_eq(ydoc_get(n, "d")->type, YN_SCALAR);
	ck_assert_int_eq(ydoc_get(n, "e")->type, YN_NULL);
	ck_assert_ptr_null(ydoc_get(n, "z"));
	ck_assert_ptr_null(ydoc_get(b, "b"));	/* not a map */
	ck_assert_ptr_null(ydoc_get(NULL, "b"));
	arena_free(a);
}
END_TEST

/* Duplicate keys are refused at any depth, in block and flow style. */
static const struct dup_case {
	const char	*name;
	const char	*yaml;
	const char	*at;
	const char	*key;
} dup_cases[] = {
	{ "top level", "a: 1\nb: 2\na: 3\n", "3:1", "'a' (first at line 1)" },
	{ "nested", "a:\n  x: 1\n  y: 2\n  x: 3\n", "4:3",
	    "'x' (first at line 2)" },
	{ "flow", "a: {en: x, de: y, en: z}\n", "1:19",
	    "'en' (first at line 1)" },
	{ "quoted and plain", "\"X.1.1\": 1\nX.1.1: 2\n", "2:1", "'X.1.1'" },
};

START_TEST(test_ydoc_duplicate)
{
	const struct dup_case *tc = &dup_cases[_i];
	struct tu_stderr cap;
	struct arena *a = arena_new();
	const struct ynode *root;
	char want[128], *err;

	tu_stderr_begin(&cap);
	root = ydoc_parse(a, "d.yaml", tc->yaml, strlen(tc->yaml));
	err = tu_stderr_end(&cap);
	ck_assert_msg(root == NULL, "%s: parsed", tc->name);
	snprintf(want, sizeof(want), "smtplint: d.yaml:%s: error: duplicate key ",
	    tc->at);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s: '%s'",
	    tc->name, err);
	ck_assert_msg(strstr(err, tc->key) != NULL, "%s: '%s'", tc->name, err);
	free(err);
	arena_free(a);
}
END_TEST

/* The same keys under different parents are not duplicates. */
START_TEST(test_ydoc_same_key_elsewhere)
{
	static const char doc[] = "a: {en: x, de: y}\nb: {en: x, de: y}\n";
	struct arena *a = arena_new();

	ck_assert_ptr_nonnull(ydoc_parse(a, "s.yaml", doc, strlen(doc)));
	arena_free(a);
}
END_TEST

/* ---- the embedded rules and overrides */

/* Are trees A and B the same, node by node, places included? */
static void
same_tree(const struct ynode *a, const struct ynode *b, const char *file)
{
	size_t i;

	ck_assert_msg(a->type == b->type && a->line == b->line &&
	    a->col == b->col && a->is_quoted == b->is_quoted &&
	    a->len == b->len && a->nkids == b->nkids,
	    "%s:%lu:%lu: the built-in tree differs", file, a->line, a->col);
	ck_assert_msg((a->value == NULL) == (b->value == NULL) &&
	    (a->value == NULL || (memcmp(a->value, b->value, a->len) == 0 &&
	    b->value[b->len] == '\0')), "%s:%lu:%lu: value differs", file,
	    a->line, a->col);
	for (i = 0; i < a->nkids; i++)
		same_tree(a->kids[i], b->kids[i], file);
}

/* The trees made at build time (tools/embed.c) are what ydoc_parse makes
 * of the embedded text now. */
START_TEST(test_rules_embedded_trees)
{
	const struct rules_file *f;
	struct arena *a;
	size_t n = 0;

	for (f = rules_embedded; f->name != NULL; f++, n++) {
		a = arena_new();
		same_tree(ydoc_parse(a, f->name, f->data, f->len),
		    ydoc_unflatten(a, f->tree), f->name);
		arena_free(a);
	}
	ck_assert_uint_eq(n, 5);
}
END_TEST

START_TEST(test_rules_embedded)
{
	struct rules *r = tu_rules();
	const struct code_info *ci;
	int codes[600];
	size_t n, i;

	n = rules_code_list(r, codes, TU_NELEM(codes));
	ck_assert_uint_ge(n, 40);
	for (i = 1; i < n; i++)
		ck_assert_int_lt(codes[i - 1], codes[i]);
	ci = rules_code(r, 550);
	ck_assert_ptr_nonnull(ci);
	ck_assert_int_eq(ci->code, 550);
	ck_assert_int_eq(ci->status, CST_STANDARD);
	ck_assert_ptr_null(rules_code(r, 600));
	ck_assert_ptr_null(rules_code(r, -1));
	ck_assert_ptr_null(rules_code(r, 199));
	ck_assert_int_eq(rules_code(r, 572)->status == CST_NONSTANDARD ||
	    rules_code(r, 572)->status == CST_VENDOR, 1);
	rules_free(r);
}
END_TEST

/* Loading files incomplete: rules_finish says which are missing. */
START_TEST(test_rules_incomplete)
{
	struct tu_stderr cap;
	struct rules *r = rules_new();
	char *err;
	bool ok;

	ck_assert(rules_load_buffer(r, "codes.yaml", CODE_250,
	    strlen(CODE_250)));
	tu_stderr_begin(&cap);
	ok = rules_finish(r);
	err = tu_stderr_end(&cap);
	ck_assert(!ok);
	ck_assert_msg(strstr(err, "error: the rules are incomplete") != NULL,
	    "%s", err);
	free(err);
	rules_free(r);
}
END_TEST

/* A codes.yaml on top replaces 550 and leaves the rest. */
START_TEST(test_rules_override)
{
	static const char over[] =
	    "codes:\n"
	    "  550:\n"
	    "    class: 5\n"
	    "    text: \"Local text\"\n"
	    "    status: vendor\n"
	    "    vendor: \"Example MTA\"\n"
	    "    origin: \"test\"\n"
	    "    meaning: {en: \"local meaning\", de: \"lokale Bedeutung\"}\n"
	    "    hint: {en: \"local hint\", de: \"lokaler Hinweis\"}\n";
	struct tu_stderr cap;
	struct rules *r = rules_new();
	const struct code_info *ci;
	const char *old251;
	char *err;
	bool ok;

	tu_stderr_begin(&cap);
	ok = rules_load_embedded(r);
	old251 = rules_code(r, 251)->text;
	ok = ok && rules_load_buffer(r, "local/codes.yaml", over,
	    strlen(over));
	ok = ok && rules_finish(r);
	err = tu_stderr_end(&cap);
	ck_assert_msg(ok, "%s", err);
	ck_assert_str_eq(err, "");
	free(err);
	ci = rules_code(r, 550);
	ck_assert_str_eq(ci->text, "Local text");
	ck_assert_int_eq(ci->status, CST_VENDOR);
	ck_assert_str_eq(ci->vendor, "Example MTA");
	ck_assert_str_eq(ci->meaning.s[LANG_DE], "lokale Bedeutung");
	ck_assert_str_eq(ci->hint.s[LANG_EN], "local hint");
	/* The replacement has no per-command variants. */
	ck_assert_uint_eq(ci->nvariants, 0);
	ck_assert_ptr_null(rules_code_variant(ci, "RCPT"));
	/* Other codes stay. */
	ck_assert_ptr_eq(rules_code(r, 251)->text, old251);
	ck_assert_ptr_nonnull(rules_code(r, 250));
	rules_free(r);
}
END_TEST

/* A file with an error changes nothing: 550 keeps its embedded text. */
START_TEST(test_rules_failed_override)
{
	static const char over[] =
	    "codes:\n"
	    "  550:\n"
	    "    class: 5\n"
	    "    text: \"Local text\"\n"
	    "    status: standard\n"
	    "    origin: \"test\"\n"
	    "    meaning: {en: \"local meaning\"}\n"
	    "    hint: {en: \"local hint\", de: \"lokaler Hinweis\"}\n";
	struct tu_stderr cap;
	struct rules *r = tu_rules();
	const char *before = rules_code(r, 550)->text;
	char *err;

	tu_stderr_begin(&cap);
	ck_assert(!rules_load_buffer(r, "local/codes.yaml", over,
	    strlen(over)));
	err = tu_stderr_end(&cap);
	ck_assert_ptr_nonnull(strstr(err, "local/codes.yaml:7:"));
	free(err);
	ck_assert_ptr_eq(rules_code(r, 550)->text, before);
	rules_free(r);
}
END_TEST

/* Overrides from a directory (--rules DIR); errors name the file. */
START_TEST(test_rules_dir)
{
	static const char checks[] = CHECK_OOS("warning");
	struct tu_stderr cap;
	struct rules *r;
	char *path, *err, dir[512];
	bool ok;

	path = tu_write_file("checks.yaml", checks, strlen(checks));
	free(path);
	r = rules_new();
	tu_stderr_begin(&cap);
	ok = rules_load_embedded(r) && rules_load_dir(r, tu_tmpdir()) &&
	    rules_finish(r);
	err = tu_stderr_end(&cap);
	ck_assert_msg(ok, "%s", err);
	free(err);
	/* The severity of a check can be lowered by the user. */
	ck_assert_int_eq(rules_check(r, "out-of-sequence")->severity,
	    SEV_WARNING);
	ck_assert_str_eq(rules_check(r, "out-of-sequence")->message.s[LANG_EN],
	    "m");
	ck_assert_int_eq(rules_check(r, "bad-greeting")->severity, SEV_ERROR);
	rules_free(r);

	/* A broken file in the directory. */
	path = tu_write_file("codes.yaml", "codes:\n  700: {}\n", 17);
	r = rules_new();
	tu_stderr_begin(&cap);
	ok = rules_load_dir(r, tu_tmpdir());
	err = tu_stderr_end(&cap);
	ck_assert(!ok);
	snprintf(dir, sizeof(dir), "smtplint: %s:2:3: error: ", path);
	ck_assert_msg(strncmp(err, dir, strlen(dir)) == 0, "'%s'", err);
	free(err);
	rules_free(r);
	unlink(path);
	free(path);

	/* Not a directory; no such directory. */
	r = rules_new();
	tu_stderr_begin(&cap);
	ok = rules_load_dir(r, "/nonexistent/smtplint-rules");
	err = tu_stderr_end(&cap);
	ck_assert(!ok);
	ck_assert_msg(strncmp(err, "smtplint: /nonexistent/smtplint-rules: "
	    "error: ", 39) == 0, "'%s'", err);
	free(err);
	snprintf(dir, sizeof(dir), "%s/checks.yaml", tu_tmpdir());
	tu_stderr_begin(&cap);
	ok = rules_load_dir(r, dir);
	err = tu_stderr_end(&cap);
	ck_assert(!ok);
	ck_assert_msg(strstr(err, "wants a directory") != NULL, "'%s'", err);
	free(err);
	rules_free(r);
}
END_TEST

/* ---- lookups */

static const struct allowed_case {
	const char		*verb;
	int			 code;
	bool			 allowed;
	enum reply_source	 source;
	const char		*extension;	/* EHLO keyword or NULL */
} allowed_cases[] = {
	{ "MAIL", 250, true, SRC_RFC5321, NULL },
	{ "MAIL", 552, true, SRC_RFC5321, NULL },
	{ "RCPT", 554, true, SRC_PRACTICE, NULL },
	{ "RCPT", 421, true, SRC_UNIVERSAL, NULL },
	{ "RCPT", 251, true, SRC_RFC5321, NULL },
	{ "DATA", 354, true, SRC_RFC5321, NULL },
	{ "DATA", 451, true, SRC_HISTORIC, NULL },
	{ "AUTH", 334, true, SRC_EXTENSION, "AUTH" },
	{ "AUTH-RESPONSE", 235, true, SRC_EXTENSION, "AUTH" },
	{ "BDAT", 250, true, SRC_EXTENSION, "CHUNKING" },
	{ "GREETING", 220, true, SRC_RFC5321, NULL },
	{ "GREETING", 554, true, SRC_RFC5321, NULL },
	{ "TURN", 250, true, SRC_HISTORIC, NULL },
	{ "QUIT", 221, true, SRC_RFC5321, NULL },
	/* not allowed */
	{ "DATA", 250, false, SRC_NONE, NULL },
	{ "MAIL", 334, false, SRC_NONE, NULL },
	{ "MAIL", 354, false, SRC_NONE, NULL },
	{ "QUIT", 250, false, SRC_NONE, NULL },
	{ "GREETING", 250, false, SRC_NONE, NULL },
	{ "EHLO", 334, false, SRC_NONE, NULL },
	{ "MAIL", 599, false, SRC_NONE, NULL },
	{ "MAIL", 600, false, SRC_NONE, NULL },
	{ "MAIL", -1, false, SRC_NONE, NULL },
};

START_TEST(test_rules_allowed)
{
	const struct allowed_case *tc = &allowed_cases[_i];
	struct rules *r = tu_rules();
	const struct command_info *ci;
	const struct allowed_reply *a;

	ci = rules_command(r, tc->verb, strlen(tc->verb));
	ck_assert_msg(ci != NULL, "no command %s", tc->verb);
	a = rules_allowed(ci, tc->code);
	if (!tc->allowed) {
		ck_assert_msg(a == NULL, "%s %d allowed", tc->verb, tc->code);
		rules_free(r);
		return;
	}
	ck_assert_msg(a != NULL, "%s %d not allowed", tc->verb, tc->code);
	ck_assert_int_eq(a->code, tc->code);
	ck_assert_msg(a->source == tc->source, "%s %d: source %d, want %d",
	    tc->verb, tc->code, a->source, tc->source);
	if (tc->extension != NULL) {
		ck_assert_ptr_nonnull(a->extension);
		ck_assert_str_eq(a->extension, tc->extension);
	}
	ck_assert_ptr_null(rules_allowed(NULL, tc->code));
	rules_free(r);
}
END_TEST

static const struct cmd_case {
	const char	*in;
	size_t		 len;		/* 0: strlen */
	const char	*verb;		/* NULL: not found */
	enum cmd_action	 action;
} cmd_cases[] = {
	{ "MAIL", 0, "MAIL", ACT_MAIL },
	{ "mail", 0, "MAIL", ACT_MAIL },
	{ "Rcpt", 0, "RCPT", ACT_RCPT },
	{ "ehlo", 0, "EHLO", ACT_EHLO },
	{ "StartTLS", 0, "STARTTLS", ACT_STARTTLS },
	{ "end-of-data", 0, "END-OF-DATA", ACT_END_OF_DATA },
	{ "MAIL FROM:<a@b>", 4, "MAIL", ACT_MAIL },	/* counted */
	{ "SOML", 0, "SOML", ACT_MAIL },
	{ "TURN", 0, "TURN", ACT_TURN },
	/* not found */
	{ "MAI", 0, NULL, 0 },
	{ "MAILX", 0, NULL, 0 },
	{ "FOO", 0, NULL, 0 },
	{ "", 0, NULL, 0 },
	{ "MAIL ", 0, NULL, 0 },
	{ "M\xc3\xa4IL", 0, NULL, 0 },
};

START_TEST(test_rules_command)
{
	const struct cmd_case *tc = &cmd_cases[_i];
	struct rules *r = tu_rules();
	const struct command_info *ci;

	ci = rules_command(r, tc->in, tc->len ? tc->len : strlen(tc->in));
	if (tc->verb == NULL)
		ck_assert_msg(ci == NULL, "'%s' found as %s", tc->in, ci->verb);
	else {
		ck_assert_msg(ci != NULL, "'%s' not found", tc->in);
		ck_assert_str_eq(ci->verb, tc->verb);
		ck_assert_int_eq(ci->action, tc->action);
	}
	rules_free(r);
}
END_TEST

START_TEST(test_rules_lookups)
{
	struct rules *r = tu_rules();
	const struct code_info *ci = rules_code(r, 550);
	const struct code_variant *v;
	const struct enhanced_info *e;
	const struct check_info *ck;
	enum severity sev;
	size_t i;

	/* Per-command variants of a code. */
	v = rules_code_variant(ci, "RCPT");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->command, "RCPT");
	ck_assert_ptr_nonnull(v->meaning.s[LANG_DE]);
	ck_assert_ptr_ne(v->meaning.s[LANG_EN], ci->meaning.s[LANG_EN]);
	ck_assert_ptr_null(rules_code_variant(ci, "NOOP"));
	ck_assert_ptr_null(rules_code_variant(ci, "rcpt"));	/* keys are exact */
	ck_assert_ptr_null(rules_code_variant(ci, NULL));
	ck_assert_ptr_null(rules_code_variant(NULL, "RCPT"));
	/* Enhanced codes. */
	e = rules_enhanced(r, 1, 1);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->key, "X.1.1");
	ck_assert_ptr_null(rules_enhanced(r, 9, 9));
	ck_assert_ptr_nonnull(rules_enhanced_class(r, 5, LANG_DE));
	ck_assert_ptr_null(rules_enhanced_class(r, 3, LANG_EN));
	ck_assert_ptr_null(rules_enhanced_class(r, 6, LANG_EN));
	ck_assert_ptr_nonnull(rules_enhanced_subject(r, 7, LANG_EN));
	ck_assert_ptr_null(rules_enhanced_subject(r, 8, LANG_EN));
	ck_assert_ptr_null(rules_enhanced_subject(r, -1, LANG_EN));
	for (i = 0; i < rules_nenhanced(r); i++)
		ck_assert_ptr_nonnull(rules_enhanced_nth(r, i));
	ck_assert_ptr_null(rules_enhanced_nth(r, rules_nenhanced(r)));
	ck_assert_ptr_null(rules_command_nth(r, rules_ncommands(r)));
	/* Checks, details, labels. */
	ck = rules_check(r, "bad-greeting");
	ck_assert_ptr_nonnull(ck);
	ck_assert_int_eq(ck->severity, SEV_ERROR);
	ck_assert_int_eq(ck->fault, FAULT_SERVER);
	ck_assert_int_eq(rules_check(r, "client-out-of-sequence")->fault,
	    FAULT_CLIENT);
	ck_assert_ptr_null(rules_check(r, "no-such-check"));
	ck_assert_str_eq(rules_detail(r, "no-such-detail", LANG_EN),
	    "no-such-detail");
	ck_assert_str_eq(rules_detail(r, "no-helo", LANG_EN), " before HELO/EHLO");
	ck_assert_str_eq(rules_label(r, "what-to-do", LANG_DE), "Was tun");
	/* Severity names. */
	ck_assert(severity_parse("notice", &sev));
	ck_assert_int_eq(sev, SEV_NOTICE);
	ck_assert(severity_parse("never", &sev));
	ck_assert_int_eq(sev, SEV_NONE);
	ck_assert(!severity_parse("fatal", &sev));
	ck_assert(!severity_parse("ERROR", &sev));
	ck_assert(!severity_parse("", &sev));
	ck_assert_str_eq(severity_name(SEV_WARNING), "warning");
	rules_free(r);
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("schema");
	tcase_add_loop_test(tc, test_rules_bad, 0, (int)TU_NELEM(bad_cases));
	tcase_add_test(tc, test_rules_good_skeletons);
	suite_add_tcase(s, tc);
	tc = tcase_create("ydoc");
	tcase_add_test(tc, test_ydoc);
	tcase_add_loop_test(tc, test_ydoc_duplicate, 0,
	    (int)TU_NELEM(dup_cases));
	tcase_add_test(tc, test_ydoc_same_key_elsewhere);
	suite_add_tcase(s, tc);
	tc = tcase_create("load");
	tcase_add_test(tc, test_rules_embedded);
	tcase_add_test(tc, test_rules_embedded_trees);
	tcase_add_test(tc, test_rules_incomplete);
	tcase_add_test(tc, test_rules_override);
	tcase_add_test(tc, test_rules_failed_override);
	tcase_add_test(tc, test_rules_dir);
	suite_add_tcase(s, tc);
	tc = tcase_create("lookup");
	tcase_add_loop_test(tc, test_rules_allowed, 0,
	    (int)TU_NELEM(allowed_cases));
	tcase_add_loop_test(tc, test_rules_command, 0,
	    (int)TU_NELEM(cmd_cases));
	tcase_add_test(tc, test_rules_lookups);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(rules_suite());
}
