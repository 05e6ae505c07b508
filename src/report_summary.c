/*
 * -o summary: the morning report of a nightly audit, readable in a mail
 * client: plain text, no colour, fixed columns.  Findings are only counted.
 */
#include <string.h>

#include "report.h"
#include "stats.h"

static void
summary_end(struct report *r, const struct stats *st,
    const struct findings *fx)
{
	const struct code_info *ci;
	const char *title = report_label(r, "summary-title");
	size_t i, n = strlen(title);
	int c;

	fprintf(r->out, "%s\n", title);
	for (i = 0; i < n; i++)
		fputc('=', r->out);
	fputc('\n', r->out);
	fprintf(r->out, "%-22s %lu\n", report_label(r, "sum-files"), st->files);
	fprintf(r->out, "%-22s %lu\n", report_label(r, "sum-lines"), st->lines);
	fprintf(r->out, "%-22s %lu\n", report_label(r, "sum-unparsed"),
	    st->unparsed_lines);
	if (st->truncated_lines > 0)
		fprintf(r->out, "%-22s %lu\n", report_label(r, "sum-truncated"),
		    st->truncated_lines);
	fprintf(r->out, "%-22s %lu\n", report_label(r, "sum-sessions"),
	    st->sessions);
	if (st->evicted > 0)
		fprintf(r->out, "%-22s %lu\n", report_label(r, "sum-evicted"),
		    st->evicted);
	fprintf(r->out, "%-22s %lu\n", report_label(r, "sum-commands"),
	    st->commands);
	fprintf(r->out, "%-22s %lu\n", report_label(r, "sum-replies"),
	    st->replies);
	fprintf(r->out, "\n%s\n", report_label(r, "sum-by-code"));
	for (c = 200; c < 600; c++) {
		if (st->replies_by_code[c] == 0)
			continue;
		ci = rules_code(r->rules, c);
		fprintf(r->out, "  %3d %10lu  %s\n", c, st->replies_by_code[c],
		    ci ? ci->text : report_label(r, "unknown-code"));
	}
	if (st->replies_by_code[0] > 0)
		fprintf(r->out, "  ??? %10lu  %s\n", st->replies_by_code[0],
		    report_label(r, "malformed-lines"));
	fprintf(r->out, "\n%s\n", report_label(r, "sum-by-rule"));
	for (i = 0; i < CHECK_N; i++)
		if (fx->by_rule[i] > 0)
			fprintf(r->out, "  %-28s %8lu\n",
			    check_id_name((enum check_id)i), fx->by_rule[i]);
	if (!fx->any)
		fprintf(r->out, "  %s\n", report_label(r, "none"));
}

const struct report_ops report_summary_ops = {
	.finding = NULL,
	.end = summary_end,
};
