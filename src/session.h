/*
 * session: routes events to per-session state machines.  Transcripts have
 * one session at a time per input (a new one at each connection marker, or
 * when a server line follows a closed session); logs key sessions by the
 * event's key.  At most MAX sessions are open; beyond that the least
 * recently used one is ended early and counted as evicted.  Owns the
 * sessions; the memory is bounded by MAX times a session's own cap.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>

#include "event.h"

#define SESSION_MAX_DEFAULT	10000
#define SESSION_IDLE_DEFAULT	3600	/* seconds */

struct smtp_env;
struct sessions;

struct sessions	*sessions_new(const struct smtp_env *, size_t max);
/* Start reading input FILE (kept by the caller until sessions_free). */
void		 sessions_input(struct sessions *, const char *file);
void		 sessions_event(struct sessions *, const struct event *);
/* Drop a log's sessions not seen for SECONDS of the log's time (EV_CLOCK);
 * 0: never. */
void		 sessions_set_idle(struct sessions *, long long seconds);
/* The current input ended: end its transcript session.  Keyed (log)
 * sessions stay open, a log may go on in the next file. */
void		 sessions_input_end(struct sessions *, unsigned long lastline);
/* End of all input: end every session. */
void		 sessions_flush(struct sessions *);
void		 sessions_free(struct sessions *);

#endif
