/*
 * --explain and --list-rules: the catalog for a person at a support desk.
 * --explain takes a basic code (550), an enhanced code (5.1.1), both, or
 * a whole pasted reply line, and prints everything the rules know of it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "explain.h"
#include "finding.h"
#include "reply.h"
#include "report.h"
#include "rules.h"

static const char *
explain_label(const struct rules *r, enum lang l, const char *id)
{
	return rules_label(r, id, l);
}

/* Print TEXT wrapped at 76 columns with INDENT. */
static void
explain_wrap(FILE *out, const char *indent, const char *text)
{
	report_wrap(out, indent, NULL, "", "", text, 76);
}

static const char *
explain_status(const struct rules *r, enum lang l, enum code_status s)
{
	static const char *const ids[] = {
		[CST_STANDARD] = "status-standard",
		[CST_EXTENSION] = "status-extension",
		[CST_HISTORIC] = "status-historic",
		[CST_NONSTANDARD] = "status-nonstandard",
		[CST_VENDOR] = "status-vendor",
	};

	return explain_label(r, l, ids[s]);
}

static void
explain_basic(const struct rules *r, enum lang l, int code, FILE *out)
{
	const struct code_info *ci = rules_code(r, code);
	const struct command_info *cmd;
	const struct allowed_reply *a;
	char cls[32];
	size_t i, n = 0;

	if (ci == NULL) {
		/* RFC 5321 4.2.1, 4.3.2: an unknown code is read by its
		 * first digit; the second digit must be 0-5. */
		fprintf(out, "%d: %s\n", code,
		    explain_label(r, l, "not-defined"));
		snprintf(cls, sizeof(cls), "class-%d", code / 100);
		explain_wrap(out, "  ", explain_label(r, l, cls));
		if (code / 10 % 10 > 5)
			explain_wrap(out, "  ",
			    explain_label(r, l, "second-digit-invalid"));
		return;
	}
	fprintf(out, "%d %s\n", code, ci->text);
	fprintf(out, "  %s: %s (%s", explain_label(r, l, "origin"),
	    ci->origin, explain_status(r, l, ci->status));
	if (ci->vendor != NULL)
		fprintf(out, ", %s", ci->vendor);
	fputs(")\n", out);
	explain_wrap(out, "  ", ci->meaning.s[l]);
	fprintf(out, "  %s:\n", explain_label(r, l, "what-to-do"));
	explain_wrap(out, "    ", ci->hint.s[l]);
	for (i = 0; i < ci->nvariants; i++) {
		const struct code_variant *v = &ci->variants[i];

		cmd = rules_command(r, v->command, strlen(v->command));
		fprintf(out, "\n  %s %s:\n", explain_label(r, l, "as-reply-to"),
		    cmd ? cmd->name.s[l] : v->command);
		explain_wrap(out, "    ", v->meaning.s[l]);
		fprintf(out, "    %s:\n", explain_label(r, l, "what-to-do"));
		explain_wrap(out, "      ", v->hint.s[l]);
	}
	/* Which commands may get it, from commands.yaml. */
	for (i = 0; (cmd = rules_command_nth(r, i)) != NULL; i++) {
		if ((a = rules_allowed(cmd, code)) == NULL)
			continue;
		if (n++ == 0)
			fprintf(out, "\n  %s:", explain_label(r, l,
			    "allowed-after"));
		fprintf(out, " %s", cmd->name.s[l]);
	}
	if (n > 0)
		fputc('\n', out);
}

static void
explain_enhanced(const struct rules *r, enum lang l, const struct enhanced *e,
    FILE *out)
{
	const struct enhanced_info *ei;
	const char *c, *s;
	char buf[1024];

	ei = rules_enhanced(r, e->subject, e->detail);
	if (ei != NULL) {
		fprintf(out, "%d.%d.%d %s (%s)\n", e->cls, e->subject,
		    e->detail, ei->text, ei->ref);
		explain_wrap(out, "  ", ei->meaning.s[l]);
	} else
		fprintf(out, "%d.%d.%d: %s\n", e->cls, e->subject, e->detail,
		    explain_label(r, l, "enhanced-not-registered"));
	if ((c = rules_enhanced_class(r, e->cls, l)) != NULL) {
		snprintf(buf, sizeof(buf), "%s %d: %s",
		    explain_label(r, l, "class"), e->cls, c);
		explain_wrap(out, "  ", buf);
	}
	if ((s = rules_enhanced_subject(r, e->subject, l)) != NULL) {
		snprintf(buf, sizeof(buf), "%s %d: %s",
		    explain_label(r, l, "subject"), e->subject, s);
		explain_wrap(out, "  ", buf);
	}
}

int
explain_code(const struct rules *r, enum lang l, const char *arg, FILE *out)
{
	struct reply_line rl;
	struct enhanced e;
	const char *p = arg;
	size_t len;

	while (isspace((unsigned char)*p))
		p++;
	len = strlen(p);
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	memset(&e, 0, sizeof(e));
	reply_enhanced(p, len, &e);
	if (e.is_present) {
		/* Only an enhanced code: "5.1.1".  Code-shaped but invalid
		 * input gets an answer, not an error. */
		if (e.is_bad) {
			fprintf(out, "%.*s: ", (int)e.len, p);
			explain_wrap(out, "", explain_label(r, l,
			    "enhanced-bad"));
			return 0;
		}
		explain_enhanced(r, l, &e, out);
		return 0;
	}
	reply_parse(p, len, &rl);
	if (rl.code == 0 || (rl.is_malformed && (strcmp(rl.why, "no-code") == 0 ||
	    strcmp(rl.why, "long-code") == 0))) {
		diag_error(NULL, 0, 0, "--explain: '%s' is not a reply code "
		    "(200-599), an enhanced code (5.1.1) or a reply line", arg);
		return 2;
	}
	if (rl.code < 200 || rl.code > 599) {
		/* RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39 */
		fprintf(out, "%d: ", rl.code);
		explain_wrap(out, "", explain_label(r, l, "first-digit-invalid"));
		return 0;
	}
	explain_basic(r, l, rl.code, out);
	reply_enhanced(rl.text, rl.textlen, &e);
	if (e.is_present) {
		fputc('\n', out);
		if (e.is_bad)
			fprintf(out, "%.*s: %s\n", (int)e.len, rl.text,
			    explain_label(r, l, "enhanced-bad"));
		else {
			explain_enhanced(r, l, &e, out);
			if (e.cls != rl.code / 100)
				explain_wrap(out, "  ", explain_label(r, l,
				    "enhanced-class-mismatch"));
		}
	}
	return 0;
}

int
explain_list_rules(const struct rules *r, enum lang l, FILE *out)
{
	const struct check_info *ci;
	int i;

	for (i = 0; i < CHECK_N; i++) {
		ci = rules_check(r, check_id_name((enum check_id)i));
		if (ci == NULL)
			continue;
		fprintf(out, "%-26s %-8s %s\n", ci->id,
		    severity_name(ci->severity), explain_label(r, l,
		    ci->fault == FAULT_SERVER ? "fault-server" :
		    ci->fault == FAULT_CLIENT ? "fault-client" : "fault-none"));
		explain_wrap(out, "    ", ci->explanation.s[l]);
	}
	return 0;
}
