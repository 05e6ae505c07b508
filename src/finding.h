/*
 * finding: the check catalog's C side and the funnel every finding passes
 * through.  The ids, default severities and texts live in rules/checks.yaml;
 * C names only the enum.  finding_emit() applies the severity from the
 * rules, the --min-severity filter and --strict, counts, and hands the
 * finding to the reporter.  Borrowed pointers only: nothing is kept.
 */
#ifndef FINDING_H
#define FINDING_H

#include <stdbool.h>

#include "rules.h"

enum check_id {
	CHECK_OUT_OF_SEQUENCE,
	CHECK_CLIENT_OUT_OF_SEQUENCE,
	CHECK_REPLY_NOT_ALLOWED,
	CHECK_NONSTANDARD_CODE,
	CHECK_MALFORMED_REPLY,
	CHECK_MULTILINE_CODE_MISMATCH,
	CHECK_ENHANCED_CODE_MISMATCH,
	CHECK_BAD_GREETING,
	CHECK_UNSOLICITED_REPLY,
	CHECK_UNANSWERED_COMMAND,
	CHECK_COMMAND_AFTER_QUIT,
	CHECK_LINE_TOO_LONG,
	CHECK_BARE_LINE_ENDING,
	CHECK_PIPELINING_NOT_ADVERTISED,
	CHECK_PIPELINING_VIOLATION,
	CHECK_EXTENSION_NOT_ADVERTISED,
	CHECK_AUTH_WITHOUT_TLS,
	CHECK_REPLY_EXPLAINED,
	CHECK_N
};

struct check_def {
	const char	*id;		/* stable kebab-case id (DESIGN.md) */
	enum severity	 severity;	/* default; checks.yaml must agree */
};

extern const struct check_def check_defs[CHECK_N];

#define FINDING_REPLY_LINES	4	/* reply lines shown with a finding */

struct finding {
	enum check_id	 check;
	enum severity	 severity;	/* set by finding_emit from the rules */
	bool		 is_raised;	/* severity given by the caller instead */
	bool		 is_strict;	/* reported only with --strict */
	const char	*file;
	unsigned long	 line;		/* the line that shows the problem */
	const char	*session;	/* "file#n" */
	const char	*verb;		/* command key (RCPT, END-OF-DATA), or NULL */
	const char	*command;	/* the command as sent, or NULL */
	bool		 is_log_line;	/* command holds a log line instead */
	size_t		 commandlen;
	unsigned long	 command_line;
	const char	*reply[FINDING_REPLY_LINES];	/* reply lines */
	size_t		 replylen[FINDING_REPLY_LINES];
	unsigned long	 reply_line[FINDING_REPLY_LINES];
	unsigned	 nreply;	/* lines in reply[] */
	unsigned long	 reply_more;	/* lines not shown */
	int		 code;		/* reply code, 0 if none */
	const char	*enhanced;	/* "5.1.1" or NULL */
	const char	*detail;	/* detail id for {detail}, or NULL */
	const char	*arg;		/* {arg}, or NULL */
	long		 limit;		/* {limit} */
	long		 len;		/* {len} */
};

struct report;

struct findings {
	const struct rules	*rules;
	struct report		*report;
	enum severity		 min_severity;	/* hide below this */
	bool			 is_strict;
	unsigned long		 by_rule[CHECK_N];	/* all findings, shown or not */
	unsigned long		 by_severity[SEV_NONE];
	unsigned long		 hidden;	/* below --min-severity */
	enum severity		 worst;		/* worst finding, SEV_INFO.. */
	bool			 any;		/* there was a finding */
	const struct check_info	*info[CHECK_N];	/* from the rules, by id */
};

void		 findings_init(struct findings *, const struct rules *,
		    struct report *, enum severity min, bool strict);
void		 finding_emit(struct findings *, struct finding *);
/* finding_emit in two steps, for a caller that fills in costly fields
 * only for a finding that is shown: count it (true: it is to be shown),
 * then report it. */
bool		 finding_count(struct findings *, struct finding *);
void		 finding_report(struct findings *, const struct finding *);
const char	*check_id_name(enum check_id);
/* The check with this id, or CHECK_N. */
enum check_id	 check_lookup(const char *id);

#endif
