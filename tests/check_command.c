/*
 * check_command: command_split (verb, argument, the parameters after the
 * path of MAIL/RCPT, RFC 5321 4.1.1.2-3, 4.1.2), command_param (ESMTP
 * parameters, case-insensitive), command_eq and command_word.  Tables of
 * lines, odd and malformed ones included.
 */
#include <check.h>
#include <string.h>

#include "command.h"
#include "testutil.h"

/* ---- command_split */

static const struct split_case {
	const char	*name;
	const char	*in;
	const char	*verb;
	const char	*arg;
	const char	*params;	/* leading blanks ignored; NULL: none */
} split_cases[] = {
	{ "MAIL with parameters", "MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME",
	    "MAIL", "FROM:<a@b> SIZE=10 BODY=8BITMIME",
	    "SIZE=10 BODY=8BITMIME" },
	{ "MAIL plain", "MAIL FROM:<a@b>", "MAIL", "FROM:<a@b>", "" },
	{ "null reverse path", "MAIL FROM:<> BODY=7BIT", "MAIL",
	    "FROM:<> BODY=7BIT", "BODY=7BIT" },
	{ "space after the colon tolerated", "MAIL FROM: <a@b> SIZE=1",
	    "MAIL", "FROM: <a@b> SIZE=1", "SIZE=1" },
	{ "lower case", "mail from:<a@b> size=1", "mail", "from:<a@b> size=1",
	    "size=1" },
	{ "quoted local part with space and >",
	    "MAIL FROM:<\"a >b\"@x> SIZE=5", "MAIL",
	    "FROM:<\"a >b\"@x> SIZE=5", "SIZE=5" },
	{ "escaped quote inside quotes",
	    "MAIL FROM:<\"a\\\"> b\"@x> BODY=7BIT", "MAIL",
	    "FROM:<\"a\\\"> b\"@x> BODY=7BIT", "BODY=7BIT" },
	{ "RCPT with DSN parameters",
	    "RCPT TO:<u@x> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u@x", "RCPT",
	    "TO:<u@x> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u@x",
	    "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u@x" },
	{ "source route", "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>",
	    "RCPT", "TO:<@hosta.int,@jkl.org:userc@d.bar.org>", "" },
	{ "postmaster", "RCPT TO:<Postmaster>", "RCPT", "TO:<Postmaster>",
	    "" },
	{ "path without brackets", "MAIL FROM:a@b SIZE=3", "MAIL",
	    "FROM:a@b SIZE=3", "SIZE=3" },
	{ "two spaces before the parameters", "MAIL FROM:<a@b>  SIZE=10",
	    "MAIL", "FROM:<a@b>  SIZE=10", "SIZE=10" },
	{ "tab after the verb", "MAIL\tFROM:<a@b>", "MAIL", "FROM:<a@b>",
	    "" },
	{ "SEND has a path too", "SEND FROM:<a@b> SIZE=2", "SEND",
	    "FROM:<a@b> SIZE=2", "SIZE=2" },
	{ "EHLO", "EHLO client.example", "EHLO", "client.example", NULL },
	{ "AUTH with initial response", "AUTH PLAIN dGVzdA==", "AUTH",
	    "PLAIN dGVzdA==", NULL },
	{ "BDAT", "BDAT 86 LAST", "BDAT", "86 LAST", NULL },
	{ "no argument", "QUIT", "QUIT", "", NULL },
	{ "trailing space", "QUIT ", "QUIT", "", NULL },
	/* malformed */
	{ "empty line", "", "", "", NULL },
	{ "no verb", " MAIL FROM:<a@b>", "", "MAIL FROM:<a@b>", NULL },
	{ "MAIL without argument", "MAIL", "MAIL", "", NULL },
	{ "MAIL without colon", "MAIL FROM <a@b> SIZE=1", "MAIL",
	    "FROM <a@b> SIZE=1", NULL },
	{ "unclosed path", "MAIL FROM:<a@b SIZE=1", "MAIL",
	    "FROM:<a@b SIZE=1", "" },
	{ "unclosed quote", "MAIL FROM:<\"a@b> SIZE=1", "MAIL",
	    "FROM:<\"a@b> SIZE=1", "" },
	{ "binary verb", "\x01\x02 x", "\x01\x02", "x", NULL },
};

/* Compare the counted string S,LEN with WANT. */
static void
cmd_eq_str(const char *what, const char *name, const char *s, size_t len,
    const char *want)
{
	ck_assert_msg(len == strlen(want) && (len == 0 ||
	    memcmp(s, want, len) == 0), "%s: %s is '%.*s', want '%s'", name,
	    what, (int)len, s ? s : "", want);
}

START_TEST(test_command_split)
{
	const struct split_case *tc = &split_cases[_i];
	size_t len = strlen(tc->in);
	struct command c;
	const char *p;
	size_t plen;

	memset(&c, 0xa5, sizeof(c));
	command_split(tc->in, len, &c);
	cmd_eq_str("verb", tc->name, c.verb, c.verblen, tc->verb);
	cmd_eq_str("arg", tc->name, c.arg, c.arglen, tc->arg);
	ck_assert_msg(c.verb == tc->in, "%s: verb does not start the line",
	    tc->name);
	ck_assert_msg(c.arg >= tc->in && c.arg + c.arglen == tc->in + len,
	    "%s: arg does not end the line", tc->name);
	if (tc->params == NULL) {
		ck_assert_msg(c.paramslen == 0, "%s: params '%.*s'", tc->name,
		    (int)c.paramslen, c.params);
		return;
	}
	ck_assert_msg(c.params != NULL, "%s: no params", tc->name);
	ck_assert_msg(c.params >= tc->in && c.params + c.paramslen ==
	    tc->in + len, "%s: params do not end the line", tc->name);
	p = c.params;
	plen = c.paramslen;
	while (plen > 0 && (*p == ' ' || *p == '\t'))
		p++, plen--;
	cmd_eq_str("params", tc->name, p, plen, tc->params);
}
END_TEST

/* ---- command_param */

static const struct param_case {
	const char	*name;
	const char	*in;
	const char	*param;
	bool		 found;
	const char	*value;
} param_cases[] = {
	{ "SIZE", "MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME", "SIZE", true,
	    "10" },
	{ "BODY", "MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME", "BODY", true,
	    "8BITMIME" },
	{ "name case-insensitive", "MAIL FROM:<a@b> SIZE=10", "size", true,
	    "10" },
	{ "parameter in lower case", "mail from:<a@b> body=8bitmime", "BODY",
	    true, "8bitmime" },
	{ "keyword without value", "MAIL FROM:<a@b> SMTPUTF8", "SMTPUTF8",
	    true, "" },
	{ "empty value", "MAIL FROM:<a@b> SIZE=", "SIZE", true, "" },
	{ "NOTIFY", "RCPT TO:<u@x> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u@x",
	    "NOTIFY", true, "SUCCESS,FAILURE" },
	{ "ORCPT", "RCPT TO:<u@x> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u@x",
	    "orcpt", true, "rfc822;u@x" },
	{ "after a quoted local part", "MAIL FROM:<\"a >b\"@x> SIZE=7",
	    "SIZE", true, "7" },
	{ "after FROM: <path>", "MAIL FROM: <a@b> SIZE=9", "SIZE", true,
	    "9" },
	{ "value with '='", "MAIL FROM:<a@b> ENVID=a=b", "ENVID", true,
	    "a=b" },
	/* not found */
	{ "absent", "MAIL FROM:<a@b> SIZE=10", "BODY", false, NULL },
	{ "prefix of a longer name", "MAIL FROM:<a@b> SIZEX=5", "SIZE",
	    false, NULL },
	{ "longer than the name", "MAIL FROM:<a@b> SIZ=5", "SIZE", false,
	    NULL },
	{ "inside the quoted local part", "MAIL FROM:<\"a SIZE=1\"@x>",
	    "SIZE", false, NULL },
	{ "inside the path", "MAIL FROM:<SIZE=1@x>", "SIZE", false, NULL },
	{ "no parameters at all", "QUIT", "SIZE", false, NULL },
	{ "empty line", "", "SIZE", false, NULL },
};

START_TEST(test_command_param)
{
	const struct param_case *tc = &param_cases[_i];
	struct command c;
	const char *v = NULL;
	size_t vlen = 12345;
	bool found;

	command_split(tc->in, strlen(tc->in), &c);
	found = command_param(&c, tc->param, &v, &vlen);
	ck_assert_msg(found == tc->found, "%s: found %d", tc->name, found);
	if (!found)
		return;
	cmd_eq_str("value", tc->name, v, vlen, tc->value);
}
END_TEST

/* ---- command_eq, command_word */

static const struct eq_case {
	const char	*s;
	size_t		 len;
	const char	*word;
	bool		 eq;
} eq_cases[] = {
	{ "MAIL", 4, "MAIL", true },
	{ "mail", 4, "MAIL", true },
	{ "MaIl", 4, "mail", true },
	{ "MAIL FROM", 4, "MAIL", true },	/* only LEN bytes count */
	{ "MAI", 3, "MAIL", false },
	{ "MAILX", 5, "MAIL", false },
	{ "", 0, "", true },
	{ "", 0, "X", false },
	{ "X", 1, "", false },
	{ "END-OF-DATA", 11, "end-of-data", true },
	{ "\xc4", 1, "\xe4", false },		/* no locale folding */
};

START_TEST(test_command_eq)
{
	const struct eq_case *tc = &eq_cases[_i];

	ck_assert_msg(command_eq(tc->s, tc->len, tc->word) == tc->eq,
	    "command_eq('%.*s', '%s') != %d", (int)tc->len, tc->s, tc->word,
	    tc->eq);
}
END_TEST

static const struct word_case {
	const char	*in;
	const char	*words[5];	/* NULL-terminated */
} word_cases[] = {
	{ "a b c", { "a", "b", "c", NULL } },
	{ "  a  bc\t d ", { "a", "bc", "d", NULL } },
	{ "LOGIN", { "LOGIN", NULL } },
	{ "", { NULL } },
	{ " \t ", { NULL } },
};

START_TEST(test_command_word)
{
	const struct word_case *tc = &word_cases[_i];
	size_t pos = 0, wlen, n = 0;
	const char *w;

	while (command_word(tc->in, strlen(tc->in), &pos, &w, &wlen)) {
		ck_assert_msg(tc->words[n] != NULL, "'%s': extra word '%.*s'",
		    tc->in, (int)wlen, w);
		cmd_eq_str("word", tc->in, w, wlen, tc->words[n]);
		n++;
	}
	ck_assert_msg(tc->words[n] == NULL, "'%s': word %zu '%s' missing",
	    tc->in, n, tc->words[n]);
	ck_assert_uint_le(pos, strlen(tc->in));
}
END_TEST

static Suite *
command_suite(void)
{
	Suite *s = suite_create("command");
	TCase *tc;

	tc = tcase_create("split");
	tcase_add_loop_test(tc, test_command_split, 0,
	    (int)TU_NELEM(split_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("param");
	tcase_add_loop_test(tc, test_command_param, 0,
	    (int)TU_NELEM(param_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("words");
	tcase_add_loop_test(tc, test_command_eq, 0, (int)TU_NELEM(eq_cases));
	tcase_add_loop_test(tc, test_command_word, 0,
	    (int)TU_NELEM(word_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(command_suite());
}
