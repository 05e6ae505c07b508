/*
 * smtp: the per-session state machine.  It pairs every command with its
 * reply through a queue of pending commands (RFC 2920 pipelining), builds
 * multiline replies, tracks greeting, EHLO keywords, TLS, AUTH and the mail
 * transaction, and checks each pair against rules/commands.yaml.  What it
 * finds goes to finding_emit().  Memory per session is bounded: at most
 * SMTP_MAX_PENDING queued commands and a few reply lines are kept.
 */
#ifndef SMTP_H
#define SMTP_H

#include <stdbool.h>

#include "event.h"

#ifndef SMTP_MAX_PENDING	/* smaller in the fuzzing build (Makefile) */
#define SMTP_MAX_PENDING	1024	/* commands waiting for replies */
#endif
#define SMTP_TEXT_MAX		512	/* bytes kept of a command or reply line */
#ifndef SMTP_MAX_REPLY_LINES
#define SMTP_MAX_REPLY_LINES	10000	/* lines of one multiline reply */
#endif

struct rules;
struct findings;
struct stats;

struct statq;

struct smtp_env {
	const struct rules	*rules;
	struct findings		*findings;
	struct stats		*stats;
	struct statq		*statq;	/* counts the rejections for stats;
					 * NULL: counted in place */
};

struct smtp;

/* A session, the SEQ-th of input FILE (kept by the caller for the whole
 * run); its id is "FILE#SEQ".  FLAGS: EVF_PARTIAL, EVF_DATA_HIDDEN. */
struct smtp	*smtp_new(const struct smtp_env *, const char *file,
		    unsigned long seq, unsigned flags);
/* Make S a new session as smtp_new would, keeping its buffers. */
void		 smtp_reset(struct smtp *s, const char *file, unsigned long seq,
		    unsigned flags);
/* One event of this session, seen in input FILE (kept by the caller for
 * the whole run). */
void		 smtp_event(struct smtp *, const char *file, const struct event *);
/* The session is over: report what is unfinished.  CLOSED: the input
 * shows the connection closed (not just the end of the transcript). */
void		 smtp_end(struct smtp *, bool closed);
/* The session is over from the protocol's view (221 or 421 seen). */
bool		 smtp_is_closed(const struct smtp *);
/* Nothing happened in it yet. */
bool		 smtp_is_empty(const struct smtp *);
const char	*smtp_id(struct smtp *);
void		 smtp_free(struct smtp *);

#endif
