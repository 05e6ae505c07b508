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

/* [{"KEY":"…","count":N,"error":E}, …] of the table's top entries; the
 * rejections also carry their clients and domains. */
static void
json_top(struct report_buf *b, const char *name, const char *key,
    const struct logstat_entry *e, size_t ne, const struct logstat *ls,
    bool is_rej)
{
	size_t idx[10], sub[LOGSTAT_SUB], n, m, i, j;
	const char *sep = "";

	rbuf_printf(b, ",\"%s\":[", name);
	n = logstat_top(e, ne, idx, 10);
	for (i = 0; i < n; i++) {
		const struct logstat_entry *x = &e[idx[i]];

		if (!logstat_is_sure(x))
			continue;
		rbuf_printf(b, "%s{\"%s\":", sep, key);
		rbuf_add_json(b, x->key, x->len);
		rbuf_printf(b, ",\"count\":%lu,\"error\":%lu", x->count, x->err);
		sep = ",";
		if (is_rej) {
			const struct logstat_sub *t[2] = { &ls->rej_client[idx[i]],
			    &ls->rej_domain[idx[i]] };
			static const char *const tn[2] = { "clients", "domains" };
			static const char *const tk[2] = { "client", "domain" };
			int k;

			for (k = 0; k < 2; k++) {
				const char *s2 = "";

				rbuf_printf(b, ",\"%s\":[", tn[k]);
				m = logstat_top(t[k]->e, t[k]->n, sub, LOGSTAT_SUB);
				for (j = 0; j < m; j++) {
					const struct logstat_entry *y =
					    &t[k]->e[sub[j]];

					if (!logstat_is_sure(y))
						continue;
					rbuf_printf(b, "%s{\"%s\":", s2, tk[k]);
					rbuf_add_json(b, y->key, y->len);
					rbuf_printf(b, ",\"count\":%lu}", y->count);
					s2 = ",";
				}
				rbuf_addstr(b, "]");
			}
		}
		rbuf_addstr(b, "}");
	}
	rbuf_addstr(b, "]");
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
	rbuf_printf(b, ",\"truncated_lines\":%lu,\"evicted_sessions\":%lu",
	    st->truncated_lines, st->evicted);
	rbuf_printf(b, ",\"idle_sessions\":%lu", st->idle_evicted);
	rbuf_printf(b, ",\"skipped_lines\":%lu,\"rejections\":%lu",
	    st->skipped_lines, st->log.rejects);
	json_top(b, "top_rejections", "reply", st->log.rej.e, st->log.rej.n,
	    &st->log, true);
	json_top(b, "top_clients", "client", st->log.client.e,
	    st->log.client.n, &st->log, false);
	json_top(b, "top_domains", "domain", st->log.domain.e,
	    st->log.domain.n, &st->log, false);
	json_top(b, "unparsed_programs", "program", st->unparsed_prog.e,
	    st->unparsed_prog.n, &st->log, false);
	rbuf_addstr(b, "}\n");
	fwrite(b->s, 1, b->len, r->out);
	fflush(r->out);
}

const struct report_ops report_json_ops = {
	.finding = json_finding,
	.end = json_end,
};
