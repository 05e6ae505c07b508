/*
 * -o summary: the morning report of a nightly audit, readable in a mail
 * client: plain text, no colour, lines kept under 78 columns (long reply
 * texts are wrapped), every word from the rules' labels (en/de).  Findings
 * are only counted; the rejections come from the fixed-size top-k tables
 * of stats->log (logstat.h), so a count marked "~" may be too high by at
 * most the share of values that did not fit the table.
 */
#include <string.h>

#include "logstat.h"
#include "report.h"
#include "stats.h"

#define SUMMARY_TOP	10	/* rows of each top table */
#define SUMMARY_SUB	3	/* clients, domains shown per rejection */
#define SUMMARY_WIDTH	76	/* wrap column */

/* Columns of S on a terminal: UTF-8 continuation bytes take none. */
static size_t
summary_cols(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
summary_pad(FILE *out, const char *s, size_t width)
{
	size_t n = summary_cols(s);

	fputs(s, out);
	for (; n < width; n++)
		fputc(' ', out);
}

static void
summary_row(struct report *r, size_t w, const char *label, unsigned long v)
{
	summary_pad(r->out, report_label(r, label), w);
	fprintf(r->out, " %lu\n", v);
}

static void
summary_heading(struct report *r, const char *label)
{
	const char *t = report_label(r, label);
	size_t i, n = summary_cols(t);

	fprintf(r->out, "\n%s\n", t);
	for (i = 0; i < n; i++)
		fputc('-', r->out);
	fputc('\n', r->out);
}

/* Escaped text (control bytes as \xNN) wrapped at SUMMARY_WIDTH, every
 * line after the first indented by INDENT; FIRST columns are used. */
static void
summary_wrap(struct report *r, const char *s, size_t len, size_t first,
    size_t indent)
{
	size_t col = first, i, j, wl;

	rbuf_reset(&r->b);
	rbuf_add_escaped(&r->b, s, len);
	s = r->b.s;
	len = r->b.len;
	for (i = 0; i < len; i = j) {
		while (i < len && s[i] == ' ')
			i++;
		for (j = i; j < len && s[j] != ' '; j++)
			;
		wl = j - i;
		if (wl == 0)
			break;
		if (col > indent && col + 1 + wl > SUMMARY_WIDTH) {
			fprintf(r->out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > first || (col > indent && col != first)) {
			fputc(' ', r->out);
			col++;
		}
		fwrite(s + i, 1, wl, r->out);
		col += wl;
	}
	fputc('\n', r->out);
}

/* A space-saving count is at most ERR too high: show a value only when
 * at least half of its count and two sightings are certain, so that
 * values that merely passed through a full table stay out. */
static bool
summary_is_sure(const struct logstat_entry *e)
{
	return logstat_is_sure(e);
}

static void
summary_count(struct report *r, const struct logstat_entry *e)
{
	fprintf(r->out, "  %c%8lu  ", e->err > 0 ? '~' : ' ', e->count);
}

/* "clients: a (3), b (2)" for one rejection's sub-table. */
static void
summary_sub(struct report *r, const char *label, const struct logstat_sub *t)
{
	size_t idx[SUMMARY_SUB], n, i;

	if ((n = logstat_top(t->e, t->n, idx, SUMMARY_SUB)) == 0)
		return;
	rbuf_reset(&r->b2);
	for (i = 0; i < n; i++) {
		const struct logstat_entry *e = &t->e[idx[i]];

		if (!summary_is_sure(e))
			continue;
		if (r->b2.len > 0)
			rbuf_addstr(&r->b2, ", ");
		rbuf_add(&r->b2, e->key, e->len);
		rbuf_printf(&r->b2, " (%s%lu)", e->err > 0 ? "~" : "", e->count);
	}
	if (r->b2.len == 0)
		return;
	fprintf(r->out, "%13s%s: ", "", report_label(r, label));
	summary_wrap(r, r->b2.s, r->b2.len, 15 + summary_cols(report_label(r,
	    label)), 15);
}

static bool
summary_top(struct report *r, const char *label,
    const struct logstat_table *t)
{
	size_t idx[SUMMARY_TOP], n, i, sure = 0;
	bool approx = false;

	n = logstat_top(t->e, t->n, idx, SUMMARY_TOP);
	for (i = 0; i < n; i++)
		sure += summary_is_sure(&t->e[idx[i]]);
	if (sure == 0)
		return false;
	summary_heading(r, label);
	for (i = 0; i < n; i++) {
		if (!summary_is_sure(&t->e[idx[i]]))
			continue;
		summary_count(r, &t->e[idx[i]]);
		summary_wrap(r, t->e[idx[i]].key, t->e[idx[i]].len, 13, 13);
		approx |= t->e[idx[i]].err > 0;
	}
	return approx;
}

static void
summary_end(struct report *r, const struct stats *st,
    const struct findings *fx)
{
	static const char *const rows[] = { "sum-files", "sum-lines",
	    "sum-unparsed", "sum-skipped", "sum-truncated", "sum-sessions",
	    "sum-evicted", "sum-idle", "sum-commands", "sum-replies",
	    "sum-rejects" };
	const struct logstat *ls = &st->log;
	const struct code_info *ci;
	const char *title = report_label(r, "summary-title");
	size_t i, n, w = 0, idx[SUMMARY_TOP];
	bool approx = false;
	int c;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if ((n = summary_cols(report_label(r, rows[i]))) > w)
			w = n;
	fprintf(r->out, "%s\n", title);
	for (i = 0, n = summary_cols(title); i < n; i++)
		fputc('=', r->out);
	fputc('\n', r->out);
	summary_row(r, w, "sum-files", st->files);
	summary_row(r, w, "sum-lines", st->lines);
	summary_row(r, w, "sum-unparsed", st->unparsed_lines);
	if (st->skipped_lines > 0)
		summary_row(r, w, "sum-skipped", st->skipped_lines);
	if (st->truncated_lines > 0)
		summary_row(r, w, "sum-truncated", st->truncated_lines);
	if (st->sessions == 0 && st->replies > 0) {
		/* Replies but no connection: the log does not show them
		 * (an excerpt, Sendmail, Exim's default log_selector), not a
		 * quiet night. */
		const char *note = report_label(r, st->has_exim ?
		    "sum-no-sessions-exim" : "sum-no-sessions");

		summary_pad(r->out, report_label(r, "sum-sessions"), w);
		fputs(" 0  ", r->out);
		summary_wrap(r, note, strlen(note), w + 4, w + 4);
	} else
		summary_row(r, w, "sum-sessions", st->sessions);
	if (st->evicted > 0)
		summary_row(r, w, "sum-evicted", st->evicted);
	if (st->idle_evicted > 0)
		summary_row(r, w, "sum-idle", st->idle_evicted);
	summary_row(r, w, "sum-commands", st->commands);
	summary_row(r, w, "sum-replies", st->replies);
	if (ls->rejects > 0)
		summary_row(r, w, "sum-rejects", ls->rejects);

	summary_heading(r, "sum-by-code");
	for (c = 200; c < 600; c++) {
		if (st->replies_by_code[c] == 0)
			continue;
		ci = rules_code(r->rules, c);
		fprintf(r->out, "  %3d %9lu  ", c, st->replies_by_code[c]);
		if (ci != NULL)
			summary_wrap(r, ci->text, strlen(ci->text), 17, 17);
		else
			fprintf(r->out, "%s\n", report_label(r, "unknown-code"));
	}
	if (st->replies_by_code[0] > 0)
		fprintf(r->out, "  ??? %9lu  %s\n", st->replies_by_code[0],
		    report_label(r, "malformed-lines"));

	if ((n = logstat_top(ls->rej.e, ls->rej.n, idx, SUMMARY_TOP)) > 0) {
		summary_heading(r, "sum-top-rejections");
		for (i = 0; i < n; i++) {
			const struct logstat_entry *e = &ls->rej.e[idx[i]];

			summary_count(r, e);
			summary_wrap(r, e->key, e->len, 13, 13);
			summary_sub(r, "sum-clients", &ls->rej_client[idx[i]]);
			summary_sub(r, "sum-domains", &ls->rej_domain[idx[i]]);
			approx |= e->err > 0;
		}
	}
	approx |= summary_top(r, "sum-top-clients", &ls->client);
	approx |= summary_top(r, "sum-top-domains", &ls->domain);
	if (approx)
		fprintf(r->out, "  %s\n", report_label(r, "sum-estimate"));

	summary_heading(r, "sum-by-rule");
	for (i = 0; i < CHECK_N; i++)
		if (fx->by_rule[i] > 0)
			fprintf(r->out, "  %-28s %9lu\n",
			    check_id_name((enum check_id)i), fx->by_rule[i]);
	if (!fx->any)
		fprintf(r->out, "  %s\n", report_label(r, "none"));

	/* Whose lines were not understood: another program's in the same
	 * syslog file (dovecot, opendkim) is no fault of the MTA's log. */
	if (summary_top(r, "sum-unparsed-prog", &st->unparsed_prog))
		fprintf(r->out, "  %s\n", report_label(r, "sum-estimate"));
}

const struct report_ops report_summary_ops = {
	.finding = NULL,
	.end = summary_end,
};
