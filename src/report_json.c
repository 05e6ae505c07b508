/*
 * -o json: JSON Lines as DESIGN.md specifies, one object a line, flushed
 * after each line so that `tail -F | smtplint -o json | jq` streams; the
 * summary object comes last.
 */
#include <string.h>

#include "report.h"
#include "stats.h"

static void
json_str_or_null(struct report_buf *b, const char *s, size_t n)
{
	if (s == NULL)
		rbuf_addstr(b, "null");
	else
		rbuf_add_json(b, s, n);
}

static void
json_finding(struct report *r, const struct finding *f)
{
	struct report_buf *b = &r->b2;
	struct report_buf reply = { 0 };
	unsigned i;

	rbuf_reset(b);
	rbuf_addstr(b, "{\"type\":\"finding\",\"rule\":");
	rbuf_add_json(b, check_id_name(f->check), strlen(check_id_name(f->check)));
	rbuf_printf(b, ",\"severity\":\"%s\",\"file\":",
	    severity_name(f->severity));
	rbuf_add_json(b, f->file, strlen(f->file));
	rbuf_printf(b, ",\"line\":%lu,\"session\":", f->line);
	json_str_or_null(b, f->session, f->session ? strlen(f->session) : 0);
	rbuf_addstr(b, ",\"command\":");
	json_str_or_null(b, f->command, f->commandlen);
	if (f->command != NULL)
		rbuf_printf(b, ",\"command_line\":%lu", f->command_line);
	else
		rbuf_addstr(b, ",\"command_line\":null");
	rbuf_addstr(b, ",\"reply\":");
	for (i = 0; i < f->nreply; i++) {
		if (i > 0)
			rbuf_add(&reply, "\n", 1);
		rbuf_add(&reply, f->reply[i], f->replylen[i]);
	}
	json_str_or_null(b, f->nreply ? reply.s : NULL, reply.len);
	rbuf_free(&reply);
	if (f->code)
		rbuf_printf(b, ",\"code\":%d", f->code);
	else
		rbuf_addstr(b, ",\"code\":null");
	rbuf_addstr(b, ",\"enhanced\":");
	json_str_or_null(b, f->enhanced, f->enhanced ? strlen(f->enhanced) : 0);
	report_message(r, f, &r->b);
	rbuf_addstr(b, ",\"message\":");
	rbuf_add_json(b, r->b.s, r->b.len);
	report_explanation(r, f, &r->b);
	rbuf_addstr(b, ",\"explanation\":");
	rbuf_add_json(b, r->b.s, r->b.len);
	report_hint(r, f, &r->b);
	rbuf_addstr(b, ",\"hint\":");
	rbuf_add_json(b, r->b.s, r->b.len);
	rbuf_printf(b, ",\"lang\":\"%s\"}\n", r->lang == LANG_DE ? "de" : "en");
	fwrite(b->s, 1, b->len, r->out);
	fflush(r->out);
}

static void
json_end(struct report *r, const struct stats *st, const struct findings *fx)
{
	struct report_buf *b = &r->b2;
	const char *sep = "";
	int c, i;

	rbuf_reset(b);
	rbuf_printf(b, "{\"type\":\"summary\",\"files\":%lu,\"lines\":%lu,"
	    "\"sessions\":%lu,\"commands\":%lu,\"replies\":%lu,"
	    "\"replies_by_code\":{", st->files, st->lines, st->sessions,
	    st->commands, st->replies);
	for (c = 200; c < 600; c++)
		if (st->replies_by_code[c] > 0) {
			rbuf_printf(b, "%s\"%d\":%lu", sep, c,
			    st->replies_by_code[c]);
			sep = ",";
		}
	rbuf_addstr(b, "},\"findings_by_rule\":{");
	sep = "";
	for (i = 0; i < CHECK_N; i++)
		if (fx->by_rule[i] > 0) {
			rbuf_printf(b, "%s\"%s\":%lu", sep,
			    check_id_name((enum check_id)i), fx->by_rule[i]);
			sep = ",";
		}
	rbuf_printf(b, "},\"unparsed_lines\":%lu", st->unparsed_lines);
	rbuf_printf(b, ",\"truncated_lines\":%lu,\"evicted_sessions\":%lu}\n",
	    st->truncated_lines, st->evicted);
	fwrite(b->s, 1, b->len, r->out);
	fflush(r->out);
}

const struct report_ops report_json_ops = {
	.finding = json_finding,
	.end = json_end,
};
