/*
 * The adapter registry and the per-input driver.  Until the format of an
 * input is known its first lines are held and scored by every adapter's
 * probe, up to FORMAT_HOLD_LINES lines that some probe recognises or
 * FORMAT_HOLD_BYTES bytes in all.  The best total wins and the held lines
 * are replayed through it.  Lines no probe knows do not decide: a mail log
 * may begin with hours of dovecot before the MTA's first line, so when the
 * held bytes are all such lines they are counted as not understood and
 * dropped, and detection goes on.  A forced format (--format) skips
 * detection.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt_pattern.h"
#include "format.h"
#include "logfmt.h"
#include "stats.h"
#include "xalloc.h"

#define FORMAT_HOLD_LINES	64
#define FORMAT_HOLD_BYTES	(1024 * 1024)
#define FORMAT_SURE		250	/* a total that decides at once */

static const struct format_adapter *const format_adapters[] = {
	&fmt_rfc,
	&fmt_swaks,
	&fmt_curl,
	&fmt_smtplib,
	&fmt_msmtp,
	&fmt_phpmailer,
	&fmt_ruby,
	&fmt_nodemailer,
	&fmt_javamail,
	&fmt_postfix,
	&fmt_exim,
	&fmt_exchange,
	&fmt_telnet,
};

#define FORMAT_N	(sizeof(format_adapters) / sizeof(format_adapters[0]))
/* The built-in adapters, then the pattern formats of formats.yaml. */
#define FORMAT_MAX	(FORMAT_N + FMT_PATTERN_MAX)

const struct format_adapter *
format_find(const char *name)
{
	size_t i;

	for (i = 0; i < FORMAT_N; i++)
		if (strcmp(format_adapters[i]->name, name) == 0)
			return format_adapters[i];
	return fmt_pattern_find(name);
}

const struct format_adapter *
format_nth(size_t n)
{
	return n < FORMAT_N ? format_adapters[n] : fmt_pattern_nth(n - FORMAT_N);
}

static void *
format_state_new(const struct format_adapter *a)
{
	if (a->new_ctx != NULL)
		return a->new_ctx(a->ctx);
	return a->new ? a->new() : NULL;
}

struct format_held {
	struct line	 l;
	char		*bytes;
};

struct format_stream {
	const struct format_adapter *adapter;	/* NULL: not yet known */
	void			*st;
	struct event_sink	 sink;		/* the adapter's: outer, or
						 * format_emit_rejects */
	struct event_sink	 outer;
	struct stats		*stats;
	struct format_held	*held;
	size_t			 nheld, heldcap;
	size_t			 heldbytes;
	size_t			 nknown;	/* held lines a probe knew */
	long			 score[FORMAT_MAX];
	unsigned long		 used;		/* lines understood */
	bool			 is_decided;
};

/* The events of an adapter whose dialogues are the only record of the
 * rejections: marked so that the session layer counts them. */
static void
format_emit_rejects(void *ctx, const struct event *ev)
{
	struct format_stream *fs = ctx;
	struct event e = *ev;

	e.flags |= EVF_COUNT_REJECTS;
	fs->outer.emit(fs->outer.ctx, &e);
}

static void
format_use(struct format_stream *fs, const struct format_adapter *a)
{
	fs->adapter = a;
	fs->st = format_state_new(a);
	if (a->dialogue_rejects) {
		fs->sink.emit = format_emit_rejects;
		fs->sink.ctx = fs;
	}
}

struct format_stream *
format_stream_new(const struct format_adapter *forced,
    const struct event_sink *sink, struct stats *stats)
{
	struct format_stream *fs;

	fs = xcalloc(1, sizeof(*fs));
	fs->sink = fs->outer = *sink;
	fs->stats = stats;
	if (forced != NULL) {
		fs->is_decided = true;
		format_use(fs, forced);
	}
	return fs;
}

/* Line L is not understood: counted, and by its program when it has a
 * syslog header, so that the summary can say the lines were dovecot's
 * rather than leave the reader to wonder. */
static void
format_unparsed(struct format_stream *fs, const struct line *l)
{
	struct logfmt_syslog sl;

	fs->stats->unparsed_lines++;
	if (logfmt_syslog(l->bytes, l->len, &sl))
		logstat_count(&fs->stats->unparsed_prog, sl.prog, sl.proglen);
}

static void
format_feed(struct format_stream *fs, const struct line *l)
{
	struct event ev;
	long long t;
	size_t used;

	/* --since/--until: a log line outside the range is read, not used. */
	if (fs->adapter->is_log && logfmt_has_range() &&
	    logfmt_is_outside(l->bytes, l->len)) {
		fs->stats->skipped_lines++;
		fs->used++;
		return;
	}
	/* The log's clock, for the sessions' idle time: now and then is
	 * enough, and costs nothing per line. */
	if (fs->adapter->is_log && l->no % FORMAT_CLOCK_LINES == 0 &&
	    logfmt_time(l->bytes, l->len, &t, &used)) {
		ev = event_make(EV_CLOCK, l->no);
		ev.when = t;
		fs->sink.emit(fs->sink.ctx, &ev);
	}
	if (fs->adapter->line(fs->st, l, &fs->sink))
		fs->used++;
	else
		format_unparsed(fs, l);
}

/* The held lines, none of which a probe knew: not understood, whatever
 * the format turns out to be. */
static void
format_drop_held(struct format_stream *fs)
{
	size_t i;

	for (i = 0; i < fs->nheld; i++) {
		format_unparsed(fs, &fs->held[i].l);
		free(fs->held[i].bytes);
	}
	fs->nheld = 0;
	fs->heldbytes = 0;
}

/* Pick the best-scoring adapter and replay the held lines through it. */
static void
format_decide(struct format_stream *fs)
{
	size_t i, best = 0;

	fs->is_decided = true;
	for (i = 1; i < FORMAT_MAX && format_nth(i) != NULL; i++)
		if (fs->score[i] > fs->score[best])
			best = i;
	if (fs->score[best] > 0)
		format_use(fs, format_nth(best));
	for (i = 0; i < fs->nheld; i++) {
		if (fs->adapter != NULL)
			format_feed(fs, &fs->held[i].l);
		else
			format_unparsed(fs, &fs->held[i].l);
		free(fs->held[i].bytes);
	}
	fs->nheld = 0;
	fs->heldbytes = 0;
	free(fs->held);
	fs->held = NULL;
	fs->heldcap = 0;
}

void
format_stream_line(struct format_stream *fs, const struct line *l)
{
	const struct format_adapter *a;
	struct format_held *h;
	size_t i;
	int sc;
	bool sure = false, known = false;

	fs->stats->lines++;
	if (l->is_partial) {
		/* Cut short by a read or gzip error (told then): counted,
		 * not judged on the piece that came. */
		fs->stats->unparsed_lines++;
		return;
	}
	if (l->is_truncated)
		fs->stats->truncated_lines++;
	if (fs->adapter != NULL) {
		format_feed(fs, l);
		return;
	}
	if (fs->is_decided) {
		/* Nothing recognisable in the first lines: no adapter
		 * guesses, every line is counted as unparsed. */
		format_unparsed(fs, l);
		return;
	}
	if (fs->nheld == fs->heldcap) {
		fs->heldcap = fs->heldcap ? 2 * fs->heldcap : FORMAT_HOLD_LINES;
		fs->held = xrealloc(fs->held, fs->heldcap *
		    sizeof(*fs->held));
	}
	h = &fs->held[fs->nheld++];
	h->l = *l;
	h->bytes = xmemdup(l->bytes, l->len + 1);
	h->l.bytes = h->bytes;
	/* What a held line costs, its record and allocation included, so
	 * that a megabyte of empty lines is not 64 MB held. */
	fs->heldbytes += l->len + 1 + sizeof(*h) + 32;
	for (i = 0; (a = format_nth(i)) != NULL; i++) {
		sc = a->probe_ctx ? a->probe_ctx(a->ctx, l) : a->probe(l);
		fs->score[i] += sc;
		if (fs->score[i] >= FORMAT_SURE)
			sure = true;
		known |= sc > 0;
	}
	fs->nknown += known;
	if (sure || fs->nknown == FORMAT_HOLD_LINES)
		format_decide(fs);
	else if (fs->heldbytes >= FORMAT_HOLD_BYTES) {
		if (fs->nknown > 0)
			format_decide(fs);
		else
			format_drop_held(fs);
	}
}

void
format_stream_lines(struct format_stream *fs, const struct line *l, size_t n)
{
	const struct format_adapter *a = fs->adapter;
	size_t i;

	/* Until the format is known, and with --since/--until, a line at a
	 * time; else the plain lines go straight to the adapter, without the
	 * checks format_stream_line makes of each. */
	if (a == NULL || (a->is_log && logfmt_has_range())) {
		for (i = 0; i < n; i++)
			format_stream_line(fs, &l[i]);
		return;
	}
	for (i = 0; i < n; i++) {
		if (l[i].is_partial || l[i].is_truncated ||
		    (a->is_log && l[i].no % FORMAT_CLOCK_LINES == 0)) {
			format_stream_line(fs, &l[i]);
			continue;
		}
		fs->stats->lines++;
		if (a->line(fs->st, &l[i], &fs->sink))
			fs->used++;
		else
			format_unparsed(fs, &l[i]);
	}
}

void
format_stream_end(struct format_stream *fs)
{
	if (!fs->is_decided)
		format_decide(fs);
	if (fs->adapter != NULL && fs->adapter->end != NULL)
		fs->adapter->end(fs->st, &fs->sink);
}

const struct format_adapter *
format_stream_adapter(const struct format_stream *fs)
{
	return fs->adapter;
}

unsigned long
format_stream_used(const struct format_stream *fs)
{
	return fs->used;
}

enum format_kind
format_stream_kind(const struct format_stream *fs)
{
	if (fs->adapter == NULL || fs->adapter->kind == NULL)
		return FORMAT_KIND_OTHER;
	return (enum format_kind)fs->adapter->kind(fs->st);
}

void
format_stream_free(struct format_stream *fs)
{
	size_t i;

	if (fs == NULL)
		return;
	for (i = 0; i < fs->nheld; i++)
		free(fs->held[i].bytes);
	free(fs->held);
	if (fs->adapter != NULL && fs->adapter->free != NULL)
		fs->adapter->free(fs->st);
	free(fs);
}
