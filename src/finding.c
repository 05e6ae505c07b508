#include <string.h>

#include "finding.h"
#include "report.h"

const struct check_def check_defs[CHECK_N] = {
	[CHECK_OUT_OF_SEQUENCE] = { "out-of-sequence", SEV_ERROR },
	[CHECK_CLIENT_OUT_OF_SEQUENCE] = { "client-out-of-sequence", SEV_NOTICE },
	[CHECK_REPLY_NOT_ALLOWED] = { "reply-not-allowed", SEV_ERROR },
	[CHECK_NONSTANDARD_CODE] = { "nonstandard-code", SEV_WARNING },
	[CHECK_MALFORMED_REPLY] = { "malformed-reply", SEV_ERROR },
	[CHECK_MULTILINE_CODE_MISMATCH] = { "multiline-code-mismatch", SEV_ERROR },
	[CHECK_ENHANCED_CODE_MISMATCH] = { "enhanced-code-mismatch", SEV_WARNING },
	[CHECK_BAD_GREETING] = { "bad-greeting", SEV_ERROR },
	[CHECK_UNSOLICITED_REPLY] = { "unsolicited-reply", SEV_ERROR },
	[CHECK_UNANSWERED_COMMAND] = { "unanswered-command", SEV_WARNING },
	[CHECK_COMMAND_AFTER_QUIT] = { "command-after-quit", SEV_WARNING },
	[CHECK_LINE_TOO_LONG] = { "line-too-long", SEV_WARNING },
	[CHECK_BARE_LINE_ENDING] = { "bare-line-ending", SEV_WARNING },
	[CHECK_PIPELINING_NOT_ADVERTISED] = { "pipelining-not-advertised", SEV_WARNING },
	[CHECK_PIPELINING_VIOLATION] = { "pipelining-violation", SEV_WARNING },
	[CHECK_EXTENSION_NOT_ADVERTISED] = { "extension-not-advertised", SEV_WARNING },
	[CHECK_AUTH_WITHOUT_TLS] = { "auth-without-tls", SEV_NOTICE },
	[CHECK_REPLY_EXPLAINED] = { "reply-explained", SEV_INFO },
};

_Static_assert(sizeof(check_defs) / sizeof(check_defs[0]) == CHECK_N,
    "check_defs must name every check");

void
findings_init(struct findings *fx, const struct rules *r, struct report *rep,
    enum severity min, bool strict)
{
	int i;

	memset(fx, 0, sizeof(*fx));
	fx->rules = r;
	fx->report = rep;
	fx->min_severity = min;
	fx->is_strict = strict;
	for (i = 0; i < CHECK_N; i++)
		fx->info[i] = r ? rules_check(r, check_defs[i].id) : NULL;
}

const char *
check_id_name(enum check_id c)
{
	return c < CHECK_N ? check_defs[c].id : "?";
}

enum check_id
check_lookup(const char *id)
{
	int i;

	for (i = 0; i < CHECK_N; i++)
		if (strcmp(check_defs[i].id, id) == 0)
			return (enum check_id)i;
	return CHECK_N;
}

void
finding_emit(struct findings *fx, struct finding *f)
{
	if (finding_count(fx, f))
		finding_report(fx, f);
}

bool
finding_count(struct findings *fx, struct finding *f)
{
	const struct check_info *ci;

	if (f->is_strict && !fx->is_strict)
		return false;
	if (!f->is_raised) {
		ci = fx->info[f->check];
		f->severity = ci ? ci->severity : check_defs[f->check].severity;
	}
	/* Counted whether shown or not: --min-severity only hides. */
	fx->by_rule[f->check]++;
	fx->by_severity[f->severity]++;
	if (!fx->any || f->severity > fx->worst)
		fx->worst = f->severity;
	fx->any = true;
	if (f->severity < fx->min_severity) {
		fx->hidden++;
		return false;
	}
	return fx->report != NULL && fx->report->ops->finding != NULL;
}

void
finding_report(struct findings *fx, const struct finding *f)
{
	if (fx->report != NULL)
		report_finding(fx->report, f);
}
