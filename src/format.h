/*
 * format: the registry of input format adapters and auto-detection.  An
 * adapter turns the raw lines of one input into events (event.h).  Detection
 * looks at the first lines of each input and picks the adapter whose probe
 * scores them highest; --format forces one.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stdbool.h>

#include "event.h"
#include "input.h"

/* A log's lines between two EV_CLOCK events (the time of the line). */
#define FORMAT_CLOCK_LINES	256

struct format_adapter {
	const char	*name;		/* for --format and --list-formats */
	const char	*description;	/* one line, English */
	bool		 is_log;	/* an MTA log of interleaved sessions */
	/* Its dialogues' 4xx/5xx count among the summary's rejections: no
	 * log line of its records them (transcripts, Exchange).  Where one
	 * does (Postfix's NOQUEUE beside debug_peer_list), that line is
	 * counted instead. */
	bool		 dialogue_rejects;
	/* How sure is it that L is of this format: 0 (no) .. 100 (certain). */
	int		(*probe)(const struct line *l);
	/* Per-input state; new may return NULL when there is none. */
	void		*(*new)(void);
	void		(*free)(void *st);
	/* Turn one line into events; false when the line was not understood
	 * (it is then counted as unparsed). */
	bool		(*line)(void *st, const struct line *l, const struct event_sink *);
	/* End of input: emit what is still held back; may be NULL. */
	void		(*end)(void *st, const struct event_sink *);
	/* What the input turned out to be, where that matters across
	 * inputs (enum format_kind); may be NULL. */
	int		(*kind)(void *st);
	/* Adapters defined as data (fmt_pattern.c): probe and new get CTX
	 * and replace the plain probe and new; NULL for the built-in ones. */
	const void	*ctx;
	int		(*probe_ctx)(const void *ctx, const struct line *l);
	void		*(*new_ctx)(const void *ctx);
};

extern const struct format_adapter fmt_rfc;		/* C: / S: */
extern const struct format_adapter fmt_swaks;
extern const struct format_adapter fmt_curl;
extern const struct format_adapter fmt_smtplib;
extern const struct format_adapter fmt_msmtp;
extern const struct format_adapter fmt_phpmailer;
extern const struct format_adapter fmt_ruby;
extern const struct format_adapter fmt_nodemailer;
extern const struct format_adapter fmt_javamail;
extern const struct format_adapter fmt_telnet;
extern const struct format_adapter fmt_postfix;	/* MTA logs */
extern const struct format_adapter fmt_exim;
extern const struct format_adapter fmt_exchange;

/* What an input was, for a caveat that only several inputs raise. */
enum format_kind {
	FORMAT_KIND_OTHER,
	FORMAT_KIND_EXIM_MAIN,		/* an Exim main log */
	FORMAT_KIND_EXIM_REJECT		/* an Exim reject log: its entries
					 * are copies of the main log's */
};

struct stats;
struct format_stream;

/* The driver of one input: detection (unless FORCED), then the adapter.
 * Lines are counted in STATS as read, unparsed or truncated. */
struct format_stream	*format_stream_new(const struct format_adapter *forced,
			    const struct event_sink *, struct stats *);
void			 format_stream_line(struct format_stream *,
			    const struct line *);
/* N lines in a row: as format_stream_line for each, at less cost a line. */
void			 format_stream_lines(struct format_stream *,
			    const struct line *, size_t);
/* End of the input: decide if still undecided, flush the adapter. */
void			 format_stream_end(struct format_stream *);
/* The adapter in use, NULL when no line was recognised. */
const struct format_adapter *format_stream_adapter(const struct format_stream *);
/* Lines an adapter understood. */
unsigned long		 format_stream_used(const struct format_stream *);
/* After format_stream_end: what the input was. */
enum format_kind	 format_stream_kind(const struct format_stream *);
void			 format_stream_free(struct format_stream *);

/* The adapter named NAME, or NULL. */
const struct format_adapter	*format_find(const char *name);
/* The N-th adapter (for listing), NULL past the end: the built-in ones,
 * then those of formats.yaml (fmt_pattern.h). */
const struct format_adapter	*format_nth(size_t n);

#endif
