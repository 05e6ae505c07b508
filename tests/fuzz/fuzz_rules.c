/*
 * libFuzzer harness: arbitrary bytes through the rules loader (ydoc's YAML
 * tree and rules.c's schema checks).  The first byte is a selector, the
 * rest is the file:
 *   byte % 4  the schema, by file name as rules_load_dir() picks it:
 *             0 codes.yaml, 1 commands.yaml, 2 enhanced.yaml, 3 checks.yaml
 *   bit 2     load a small complete rules set first (fr_base below: the
 *             embedded rules are 200 KB of YAML, too slow to parse on every
 *             run), so that the file overrides it as --rules DIR does; if
 *             rules_finish() accepts the result, a transcript is linted with
 *             those rules through the json, text and summary reporters, and
 *             every check's texts are rendered: rules a user may load must
 *             not crash the reporters either.
 * tests/fuzz/run.sh makes the seeds: each rules file behind its selector.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "finding.h"
#include "report.h"
#include "rules.h"
#include "session.h"
#include "smtp.h"
#include "stats.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The smallest rules that rules_finish() accepts: a command for every
 * action it wants. */
#define FR_CMD(verb, action) \
	"  " verb ": {action: " action ", pipelining: any, args: optional, " \
	"replies: {250: rfc5321, 354: rfc5321, 334: extension, " \
	"550: {source: universal, ref: x}}}\n"

static const char fr_base_codes[] =
    "codes:\n"
    "  250: {class: 2, text: ok, status: standard, origin: RFC 5321,\n"
    "    meaning: {en: \"m {code}\", de: m}, hint: {en: h, de: h},\n"
    "    commands: {MAIL: {meaning: {en: a, de: b}, hint: {en: c, de: d}}}}\n"
    "  550: {class: 5, text: no, status: standard, origin: RFC 5321,\n"
    "    meaning: {en: m, de: m}, hint: {en: \"h {summary}\", de: h}}\n";
static const char fr_base_commands[] =
    "commands:\n"
    FR_CMD("GREETING", "greeting") FR_CMD("HELO", "helo")
    FR_CMD("EHLO", "ehlo") FR_CMD("MAIL", "mail") FR_CMD("RCPT", "rcpt")
    FR_CMD("DATA", "data") FR_CMD("END-OF-DATA", "end-of-data")
    FR_CMD("BDAT", "bdat") FR_CMD("RSET", "rset") FR_CMD("VRFY", "vrfy")
    FR_CMD("EXPN", "expn") FR_CMD("HELP", "help") FR_CMD("NOOP", "noop")
    FR_CMD("QUIT", "quit") FR_CMD("STARTTLS", "starttls")
    FR_CMD("AUTH", "auth") FR_CMD("AUTH-RESPONSE", "auth-response");
static const char fr_base_enhanced[] =
    "classes: {2: {en: a, de: b}, 5: {en: a, de: b}}\n"
    "subjects: {1: {en: a, de: b}}\n"
    "codes: {X.1.1: {text: t, ref: r, basic: [550], meaning: {en: x, de: y}}}\n";
static const char fr_base_checks[] =
    "checks:\n"
    "  reply-explained: {severity: info, fault: none,\n"
    "    message: {en: \"{code} {reply} {summary} {command}{detail}\", de: x},\n"
    "    explanation: {en: e, de: e}, hint: {en: \"{arg} {limit} {len}\", de: h}}\n"
    "details: {queue-full: {en: \" ({limit})\", de: x}}\n"
    "labels: {what-to-do: {en: W, de: W}}\n";

static void
fr_base(struct rules *r)
{
	if (!rules_load_buffer(r, "base/codes.yaml", fr_base_codes,
	    sizeof(fr_base_codes) - 1) ||
	    !rules_load_buffer(r, "base/commands.yaml", fr_base_commands,
	    sizeof(fr_base_commands) - 1) ||
	    !rules_load_buffer(r, "base/enhanced.yaml", fr_base_enhanced,
	    sizeof(fr_base_enhanced) - 1) ||
	    !rules_load_buffer(r, "base/checks.yaml", fr_base_checks,
	    sizeof(fr_base_checks) - 1))
		abort();	/* the base must load */
}

/* Many findings in few lines, for the templates. */
static const char *const fr_transcript[] = {
	"S: 220 mx.example ESMTP", "C: MAIL FROM:<a@b>",
	"S: 250 2.1.0 Ok", "C: EHLO c.example", "S: 250-mx.example",
	"S: 251-SIZE 100", "S: 250 AUTH PLAIN", "C: AUTH PLAIN AGFAYg==",
	"S: 235 2.7.0 ok", "C: MAIL FROM:<a@b> SIZE=500", "S: 552 5.3.4 big",
	"C: RCPT TO:<x@y>", "S: 550 4.1.1 no", "C: DATA", "C: NOOP",
	"S: 334 what", "S: 354 go", "S: 200 nonstandard", "C: BDAT 10 LAST",
	"S: 99 bad", "C: STARTTLS", "S: 454 4.7.0 no tls", "C: QUIT",
	"S: 221 bye", "C: NOOP", "C: RSET",
};

static void
fr_sink(void *ctx, const struct event *ev)
{
	sessions_event(ctx, ev);
}

static void
fr_lint(const struct rules *r, enum report_kind kind, FILE *fp)
{
	struct stats st;
	struct findings fx;
	struct smtp_env env;
	struct sessions *ss;
	struct report *rep;
	struct event ev;
	struct finding f;
	size_t i;
	int c;

	memset(&st, 0, sizeof(st));
	rep = report_new(kind, fp, r, kind == REPORT_TEXT ? LANG_DE : LANG_EN,
	    kind == REPORT_TEXT);
	findings_init(&fx, r, rep, SEV_INFO, true);
	env.rules = r;
	env.findings = &fx;
	env.stats = &st;
	env.statq = NULL;	/* rejections counted in place */
	ss = sessions_new(&env, 4);
	sessions_input(ss, "rules.txt");
	for (i = 0; i < sizeof(fr_transcript) / sizeof(fr_transcript[0]); i++) {
		const char *t = fr_transcript[i];

		ev = event_make(t[0] == 'C' ? EV_CLIENT : EV_SERVER, i + 1);
		ev.text = t + 3;
		ev.len = strlen(t + 3);
		ev.eol = EOL_CRLF;
		fr_sink(ss, &ev);
	}
	sessions_input_end(ss, i);
	sessions_flush(ss);
	/* Every check's message, explanation and hint. */
	for (c = 0; c < CHECK_N; c++) {
		memset(&f, 0, sizeof(f));
		f.check = (enum check_id)c;
		f.file = "rules.txt";
		f.line = 1;
		f.session = "rules.txt#1";
		f.verb = "MAIL";
		f.command = "MAIL FROM:<a@b>";
		f.commandlen = strlen(f.command);
		f.command_line = 1;
		f.reply[0] = "550 5.1.1 no";
		f.replylen[0] = strlen(f.reply[0]);
		f.reply_line[0] = 2;
		f.nreply = 1;
		f.code = c % 2 ? 550 : 299;
		f.enhanced = "5.1.1";
		f.detail = c % 2 ? "queue-full" : "no-helo";
		f.arg = "arg";
		finding_emit(&fx, &f);
	}
	(void)report_end(rep, &st, &fx);
	sessions_free(ss);
	report_free(rep);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rules *r0;

	(void)argc;
	(void)argv;
	diag_quiet(true);
	/* The base must be complete, and the embedded rules must load. */
	r0 = rules_new();
	fr_base(r0);
	if (!rules_finish(r0))
		abort();
	rules_free(r0);
	r0 = rules_new();
	if (!rules_load_embedded(r0) || !rules_finish(r0))
		abort();
	rules_free(r0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[4] = { "fuzz/codes.yaml",
	    "fuzz/commands.yaml", "fuzz/enhanced.yaml", "fuzz/checks.yaml" };
	struct rules *r;
	unsigned flags;
	char *copy;
	FILE *fp;

	if (size == 0)
		return 0;
	flags = data[0];
	data++;
	size--;
	/* An exact copy, so that ASan sees any read past the end (the
	 * loader is given no terminating NUL it could rely on). */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	diag_reset();
	r = rules_new();
	if (flags & 4)
		fr_base(r);
	(void)rules_load_buffer(r, names[flags % 4], copy, size);
	free(copy);
	if ((flags & 4) && rules_finish(r) &&
	    (fp = fopen("/dev/null", "w")) != NULL) {
		fr_lint(r, REPORT_JSON, fp);
		fr_lint(r, REPORT_TEXT, fp);
		fr_lint(r, REPORT_SUMMARY, fp);
		fclose(fp);
	}
	rules_free(r);
	return 0;
}
