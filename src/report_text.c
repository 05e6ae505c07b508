/*
 * -o text: for a person at a terminal.  One finding:
 *   file:line: severity: rule: message
 *         12 C: the command
 *         14 S: the reply
 *      explanation
 *      What to do: hint
 * Colour only when asked for (main decides: a TTY, no NO_COLOR).
 */
#include <string.h>

#include "report.h"
#include "stats.h"

#define TEXT_WIDTH	78
#define TEXT_INDENT	"   "

static const char *const text_sev_color[] = {
	[SEV_INFO] = "\033[34m",
	[SEV_NOTICE] = "\033[36m",
	[SEV_WARNING] = "\033[1;33m",
	[SEV_ERROR] = "\033[1;31m",
	[SEV_NONE] = "",
};

static const char *
text_c(const struct report *r, const char *code)
{
	return r->has_color ? code : "";
}

static void
text_wrap(struct report *r, const char *lead, const char *s)
{
	report_wrap(r->out, TEXT_INDENT, lead, text_c(r, "\033[1m"),
	    text_c(r, "\033[0m"), s, TEXT_WIDTH);
}

static void
text_dialogue(struct report *r, unsigned long line, const char *side,
    const char *s, size_t len)
{
	rbuf_reset(&r->b2);
	rbuf_add_escaped(&r->b2, s, len);
	fprintf(r->out, "%s%8lu%s %s: %s\n", text_c(r, "\033[2m"), line,
	    text_c(r, "\033[0m"), side, r->b2.s != NULL ? r->b2.s : "");
}

static void
text_finding(struct report *r, const struct finding *f)
{
	unsigned i;
	bool cmd_done = f->command == NULL;

	report_message(r, f, &r->b);
	fprintf(r->out, "%s:%lu: %s%s%s: %s%s%s: %s\n", f->file, f->line,
	    text_c(r, text_sev_color[f->severity]), severity_name(f->severity),
	    text_c(r, "\033[0m"), text_c(r, "\033[1m"),
	    check_id_name(f->check), text_c(r, "\033[0m"), r->b.s);
	/* The command and the reply in the order of their lines. */
	for (i = 0; i < f->nreply; i++) {
		if (!cmd_done && f->command_line <= f->reply_line[i]) {
			text_dialogue(r, f->command_line, f->is_log_line ?
			    "L" : "C", f->command, f->commandlen);
			cmd_done = true;
		}
		text_dialogue(r, f->reply_line[i], "S", f->reply[i],
		    f->replylen[i]);
		if (i + 2 == f->nreply && f->reply_more > 0)
			fprintf(r->out, "%8s    … %lu %s\n", "", f->reply_more,
			    report_label(r, f->reply_more == 1 ? "more-line" :
			    "more-lines"));
	}
	if (!cmd_done)
		text_dialogue(r, f->command_line, f->is_log_line ? "L" : "C",
		    f->command, f->commandlen);
	report_explanation(r, f, &r->b);
	if (r->b.len > 0)
		text_wrap(r, NULL, r->b.s);
	report_hint(r, f, &r->b);
	if (r->b.len > 0)
		text_wrap(r, report_label(r, "what-to-do"), r->b.s);
}

static void
text_count(struct report *r, unsigned long n, const char *one,
    const char *many, const char *sep)
{
	fprintf(r->out, "%s%lu %s", sep, n, report_label(r, n == 1 ? one :
	    many));
}

static void
text_end(struct report *r, const struct stats *st, const struct findings *fx)
{
	text_count(r, st->sessions, "session", "sessions", "");
	text_count(r, st->commands, "command", "commands", ", ");
	text_count(r, st->replies, "reply", "replies", ", ");
	text_count(r, fx->by_severity[SEV_ERROR], "error", "errors", "; ");
	text_count(r, fx->by_severity[SEV_WARNING], "warning", "warnings",
	    ", ");
	text_count(r, fx->by_severity[SEV_NOTICE], "notice", "notices", ", ");
	text_count(r, fx->by_severity[SEV_INFO], "info", "infos", ", ");
	if (fx->hidden > 0)
		fprintf(r->out, " (%lu %s)", fx->hidden,
		    report_label(r, "hidden"));
	if (st->evicted > 0)
		text_count(r, st->evicted, "evicted-1", "evicted", "; ");
	if (st->idle_evicted > 0)
		text_count(r, st->idle_evicted, "idle-1", "idle", "; ");
	if (st->unparsed_lines > 0)
		text_count(r, st->unparsed_lines, "unparsed-1", "unparsed",
		    "; ");
	fprintf(r->out, " (%s)\n", report_label(r, "explain-hint"));
}

const struct report_ops report_text_ops = {
	.finding = text_finding,
	.end = text_end,
};
