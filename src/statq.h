/*
 * statq: the summary's rejection tables (logstat.h) kept by a thread of
 * their own.  Counting a rejection (normalising its text, five top-k
 * tables) was a fifth of the analysing thread's work on a busy MX's log,
 * and it affects nothing else until the report: the analysing thread
 * copies what logstat_reply reads into a block and goes on.  Blocks are
 * counted in the order they were filled, so the tables come out exactly as
 * if counted in place.  Fixed memory: STATQ_BLOCKS blocks.
 */
#ifndef STATQ_H
#define STATQ_H

struct event;
struct logstat;
struct statq;

/* Count into LS from a thread of its own; where none can be started,
 * statq_reply counts in place. */
struct statq	*statq_new(struct logstat *ls);
/* Count logged reply EV (EV_LOG_REPLY), as logstat_reply. */
void		 statq_reply(struct statq *, const struct event *ev);
/* Wait until everything handed over is counted: LS is complete. */
void		 statq_finish(struct statq *);
/* Finish, stop the thread and free. */
void		 statq_free(struct statq *);

#endif
