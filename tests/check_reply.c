/*
 * check_reply: reply_parse (RFC 5321 4.2 Reply-line), reply_code and reply_enhanced
 * (RFC 3463 2 enhanced status codes).  Two tables of lines with what the
 * parser must make of them, malformed lines included; a line given with an
 * explicit length may hold NUL bytes.
 */
#include <check.h>
#include <string.h>

#include "reply.h"
#include "testutil.h"

/* ---- reply_parse */

static const struct reply_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	int		 code;
	bool		 is_last;
	bool		 is_malformed;
	const char	*why;		/* NULL when well-formed */
	const char	*text;		/* expected text after the separator */
} reply_cases[] = {
	{ "single line", "250 ok", 0, 250, true, false, NULL, "ok" },
	{ "continuation", "250-PIPELINING", 0, 250, false, false, NULL,
	    "PIPELINING" },
	{ "bare code (4.2)", "250", 0, 250, true, false, NULL, "" },
	{ "bare continuation", "250-", 0, 250, false, false, NULL, "" },
	{ "code and space", "250 ", 0, 250, true, false, NULL, "" },
	{ "4xx", "451 4.3.0 try later", 0, 451, true, false, NULL,
	    "4.3.0 try later" },
	{ "tab in text allowed", "250 a\tb", 0, 250, true, false, NULL,
	    "a\tb" },
	{ "bare CR left to the line-ending check", "250 a\rb", 0, 250, true,
	    false, NULL, "a\rb" },
	{ "8-bit text (SMTPUTF8)", "550 Empf\xc3\xa4nger unbekannt", 0, 550,
	    true, false, NULL, "Empf\xc3\xa4nger unbekannt" },
	/* The second digit 6-9 is smtp.c's to judge against the catalog. */
	{ "572 kept", "572 x", 0, 572, true, false, NULL, "x" },
	{ "599 kept", "599-x", 0, 599, false, false, NULL, "x" },
	/* malformed */
	/* The first three digits are kept so that the line still answers
	 * its command. */
	{ "four digits", "2500 x", 0, 250, true, true, "long-code", NULL },
	{ "five digits", "25000", 0, 250, true, true, "long-code", NULL },
	{ "letter O for zero", "25O x", 0, 0, true, true, "no-code", NULL },
	{ "no separator", "250ok", 0, 250, true, true, "bad-separator", NULL },
	{ "tab separator", "250\tok", 0, 250, true, true, "bad-separator",
	    NULL },
	{ "class 1", "150 x", 0, 150, true, true, "bad-class", NULL },
	{ "class 6", "672 x", 0, 672, true, true, "bad-class", NULL },
	{ "class 0", "099 x", 0, 99, true, true, "bad-class", NULL },
	{ "class 1 continuation", "150-x", 0, 150, false, true, "bad-class",
	    NULL },
	{ "empty", "", 0, 0, true, true, "no-code", NULL },
	{ "two digits", "25", 0, 0, true, true, "no-code", NULL },
	{ "leading spaces", "  250 x", 0, 0, true, true, "no-code", NULL },
	{ "text only", "Hello there", 0, 0, true, true, "no-code", NULL },
	{ "control char", "250 a\x01z", 0, 250, true, true, "control-char",
	    NULL },
	{ "DEL", "250 a\x7f", 0, 250, true, true, "control-char", NULL },
	{ "escape in continuation", "250-\x1b[31m", 0, 250, false, true,
	    "control-char", NULL },
	{ "NUL inside", "250 a\0b", 7, 250, true, true, "control-char",
	    NULL },
	{ "bare LF inside", "250 a\nb", 0, 250, true, true, "control-char",
	    NULL },
};

START_TEST(test_reply_parse)
{
	const struct reply_case *tc = &reply_cases[_i];
	size_t len = tc->len ? tc->len : strlen(tc->in);
	struct reply_line r;

	memset(&r, 0xa5, sizeof(r));	/* reply_parse must fill every field */
	reply_parse(tc->in, len, &r);
	ck_assert_msg(r.code == tc->code, "%s: code %d, want %d", tc->name,
	    r.code, tc->code);
	ck_assert_msg(r.is_last == tc->is_last, "%s: is_last %d", tc->name,
	    r.is_last);
	ck_assert_msg(r.is_malformed == tc->is_malformed,
	    "%s: is_malformed %d", tc->name, r.is_malformed);
	if (tc->why == NULL)
		ck_assert_msg(r.why == NULL, "%s: why '%s'", tc->name, r.why);
	else {
		ck_assert_msg(r.why != NULL, "%s: no why", tc->name);
		ck_assert_msg(strcmp(r.why, tc->why) == 0,
		    "%s: why '%s', want '%s'", tc->name, r.why, tc->why);
	}
	/* The text always points into the line. */
	ck_assert_msg(r.text >= tc->in && r.text + r.textlen <= tc->in + len,
	    "%s: text outside the line", tc->name);
	if (tc->text != NULL) {
		ck_assert_msg(r.textlen == strlen(tc->text),
		    "%s: textlen %zu, want %zu", tc->name, r.textlen,
		    strlen(tc->text));
		ck_assert(memcmp(r.text, tc->text, r.textlen) == 0);
	}
}
END_TEST

/* The length is what counts, not a NUL: "250 ok" cut to 3 is a bare code,
 * cut to 2 no code at all. */
START_TEST(test_reply_parse_len)
{
	struct reply_line r;

	reply_parse("250 ok", 3, &r);
	ck_assert_int_eq(r.code, 250);
	ck_assert(!r.is_malformed);
	ck_assert_uint_eq(r.textlen, 0);
	reply_parse("250 ok", 2, &r);
	ck_assert_int_eq(r.code, 0);
	ck_assert(r.is_malformed);
	reply_parse("2500", 4, &r);
	ck_assert_str_eq(r.why, "long-code");
	reply_parse("2500", 3, &r);
	ck_assert(!r.is_malformed);
}
END_TEST

/* reply_code gives the code and text reply_parse gives, for every line of
 * the table and for every length of each, malformed lines included. */
START_TEST(test_reply_code)
{
	const struct reply_case *tc = &reply_cases[_i];
	size_t len = tc->len ? tc->len : strlen(tc->in), n, tl;
	struct reply_line r;
	const char *t;
	int code;

	for (n = 0; n <= len; n++) {
		reply_parse(tc->in, n, &r);
		code = reply_code(tc->in, n, &t, &tl);
		ck_assert_msg(code == r.code && t == r.text && tl == r.textlen,
		    "%s, %zu bytes: code %d text +%td/%zu, reply_parse %d "
		    "+%td/%zu", tc->name, n, code, t - tc->in, tl, r.code,
		    r.text - tc->in, r.textlen);
	}
}
END_TEST

/* ---- reply_enhanced */

static const struct enh_case {
	const char	*name;
	const char	*in;
	bool		 is_present;
	bool		 is_bad;
	int		 cls, subject, detail;
	size_t		 len;
} enh_cases[] = {
	{ "code and text", "5.1.1 x", true, false, 5, 1, 1, 5 },
	{ "code alone", "5.1.1", true, false, 5, 1, 1, 5 },
	{ "success", "2.0.0 Ok", true, false, 2, 0, 0, 5 },
	{ "two-digit detail", "4.7.12", true, false, 4, 7, 12, 6 },
	{ "three-digit parts", "5.999.999 x", true, false, 5, 999, 999, 9 },
	{ "tab after", "4.2.2\tfull", true, false, 4, 2, 2, 5 },
	/* not a code at all */
	{ "dotted quad", "1.2.3.4 x", false, false, 0, 0, 0, 0 },
	{ "trailing dot", "2.0.0. x", false, false, 0, 0, 0, 0 },
	{ "two parts", "5.1 x", false, false, 0, 0, 0, 0 },
	{ "empty", "", false, false, 0, 0, 0, 0 },
	{ "text", "Ok", false, false, 0, 0, 0, 0 },
	{ "letter after", "5.1.1x", false, false, 0, 0, 0, 0 },
	{ "two-digit class", "50.1.1 x", false, false, 0, 0, 0, 0 },
	{ "empty subject", "5..1 x", false, false, 0, 0, 0, 0 },
	{ "missing detail", "5.1. x", false, false, 0, 0, 0, 0 },
	{ "leading space", " 5.1.1", false, false, 0, 0, 0, 0 },
	/* looks like a code, breaks RFC 3463 2 */
	{ "leading zero subject", "5.01.1 x", true, true, 5, 1, 1, 6 },
	{ "leading zero detail", "5.1.01", true, true, 5, 1, 1, 6 },
	{ "four-digit detail", "5.1.1000", true, true, 5, 1, 1000, 8 },
	{ "class 3", "3.1.1 x", true, true, 3, 1, 1, 5 },
	{ "class 1", "1.0.0", true, true, 1, 0, 0, 5 },
	{ "class 9", "9.9.9 x", true, true, 9, 9, 9, 5 },
};

START_TEST(test_reply_enhanced)
{
	const struct enh_case *tc = &enh_cases[_i];
	struct enhanced e;

	memset(&e, 0xa5, sizeof(e));
	reply_enhanced(tc->in, strlen(tc->in), &e);
	ck_assert_msg(e.is_present == tc->is_present, "%s: is_present %d",
	    tc->name, e.is_present);
	ck_assert_msg(e.is_bad == tc->is_bad, "%s: is_bad %d", tc->name,
	    e.is_bad);
	if (!tc->is_present)
		return;
	ck_assert_msg(e.cls == tc->cls && e.subject == tc->subject &&
	    e.detail == tc->detail, "%s: %d.%d.%d", tc->name, e.cls,
	    e.subject, e.detail);
	ck_assert_msg(e.len == tc->len, "%s: len %zu, want %zu", tc->name,
	    e.len, tc->len);
}
END_TEST

/* Only LEN bytes are read: "5.1.1" cut to 4 is no code. */
START_TEST(test_reply_enhanced_len)
{
	struct enhanced e;

	reply_enhanced("5.1.1 x", 4, &e);
	ck_assert(!e.is_present);
	reply_enhanced("5.1.12", 5, &e);
	ck_assert(e.is_present);
	ck_assert_int_eq(e.detail, 1);
	ck_assert_uint_eq(e.len, 5);
}
END_TEST

START_TEST(test_reply_enhanced_format)
{
	struct enhanced e;
	char buf[16];

	reply_enhanced("4.7.12 x", 8, &e);
	reply_enhanced_format(&e, buf, sizeof(buf));
	ck_assert_str_eq(buf, "4.7.12");
	reply_enhanced("5.999.999", 9, &e);
	reply_enhanced_format(&e, buf, sizeof(buf));
	ck_assert_str_eq(buf, "5.999.999");
	/* A small buffer is cut, never overrun. */
	memset(buf, 'Z', sizeof(buf));
	reply_enhanced_format(&e, buf, 4);
	ck_assert_str_eq(buf, "5.9");
	ck_assert_int_eq(buf[4], 'Z');
}
END_TEST

static Suite *
reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_reply_parse, 0,
	    (int)TU_NELEM(reply_cases));
	tcase_add_test(tc, test_reply_parse_len);
	tcase_add_loop_test(tc, test_reply_code, 0,
	    sizeof(reply_cases) / sizeof(reply_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("enhanced");
	tcase_add_loop_test(tc, test_reply_enhanced, 0,
	    (int)TU_NELEM(enh_cases));
	tcase_add_test(tc, test_reply_enhanced_len);
	tcase_add_test(tc, test_reply_enhanced_format);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(reply_suite());
}
