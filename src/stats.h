/*
 * stats: the counters of one run, for the summary.  Owned by main; the
 * pipeline stages add to it.  Fixed size: memory does not grow with input.
 */
#ifndef STATS_H
#define STATS_H

#include <stdbool.h>

#include "logstat.h"

struct stats {
	unsigned long	files;		/* inputs opened */
	unsigned long	lines;		/* input lines read */
	unsigned long	unparsed_lines;	/* lines no adapter understood */
	unsigned long	truncated_lines;	/* lines cut at INPUT_MAX_LINE */
	unsigned long	sessions;
	unsigned long	commands;
	unsigned long	replies;
	unsigned long	replies_by_code[600];	/* [0]: malformed, no code */
	unsigned long	evicted;	/* sessions dropped by the cap */
	unsigned long	idle_evicted;	/* sessions dropped as idle */
	unsigned long	skipped_lines;	/* outside --since/--until */
	bool		has_exim;	/* an input was read as Exim's log */
	struct logstat	log;		/* rejections in logs (fixed size) */
	struct logstat_table unparsed_prog;	/* the syslog programs of the
					 * unparsed lines (dovecot, …) */
};

#endif
