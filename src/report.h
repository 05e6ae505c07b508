/*
 * report: the reporters (text, json, summary) behind one interface, and
 * what they share: rendering of the rules' message templates, explanations
 * by command, escaping of dialogue bytes.  A reporter writes to one FILE;
 * write errors are remembered and reported once by report_end.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "finding.h"
#include "rules.h"

struct stats;
struct report;

enum report_kind {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_SUMMARY
};

struct report_ops {
	void	(*finding)(struct report *, const struct finding *);
	void	(*end)(struct report *, const struct stats *,
		    const struct findings *);
};

struct report_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

struct report {
	const struct report_ops	*ops;
	FILE			*out;
	const struct rules	*rules;
	enum lang		 lang;
	bool			 has_color;
	struct report_buf	 b;	/* scratch */
	struct report_buf	 b2;	/* scratch */
	void			*priv;	/* the reporter's own state */
};

struct report	*report_new(enum report_kind, FILE *out, const struct rules *,
		    enum lang, bool color);
void		 report_finding(struct report *, const struct finding *);
/* Write the summary; false if any write failed (diagnosed). */
bool		 report_end(struct report *, const struct stats *,
		    const struct findings *);
void		 report_free(struct report *);

extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_summary_ops;

/* Shared helpers for the reporters. */
void	rbuf_reset(struct report_buf *);
void	rbuf_add(struct report_buf *, const char *, size_t);
void	rbuf_addstr(struct report_buf *, const char *);
void	rbuf_printf(struct report_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	rbuf_free(struct report_buf *);
/* Dialogue bytes for a terminal: control bytes and invalid UTF-8 as \xNN. */
void	rbuf_add_escaped(struct report_buf *, const char *, size_t);
/* A JSON string with quotes; invalid UTF-8 becomes U+FFFD. */
void	rbuf_add_json(struct report_buf *, const char *, size_t);
/* The finding's message, explanation and hint in the report's language. */
void	report_message(const struct report *, const struct finding *,
	    struct report_buf *);
void	report_explanation(const struct report *, const struct finding *,
	    struct report_buf *);
void	report_hint(const struct report *, const struct finding *,
	    struct report_buf *);
/* The name of a command for people ("MAIL", "end of data"), or "a
 * command" when neither VERB nor TEXT names one. */
const char *report_command_name(const struct report *, const char *verb,
	    const char *text, size_t len, char *buf, size_t sz);
const char *report_label(const struct report *, const char *id);
/* Print TEXT word-wrapped at WIDTH columns (UTF-8 aware), every line
 * starting with INDENT; the first with "LEAD:" (LEAD may be NULL) between
 * ON and OFF (colour codes, or ""). */
void	report_wrap(FILE *out, const char *indent, const char *lead,
	    const char *on, const char *off, const char *text, size_t width);

#endif
