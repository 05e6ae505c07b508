/*
 * event: the only type that crosses from a format adapter to the session
 * layer.  An adapter turns one input line into zero or more events; every
 * pointer in an event is borrowed for the duration of the call.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"

enum event_kind {
	EV_SESSION_START,	/* a new connection begins */
	EV_SESSION_END,		/* the connection was closed */
	EV_CLIENT,		/* a line the client sent (command, data, AUTH answer) */
	EV_SERVER,		/* one reply line the server sent */
	EV_TLS,			/* the TLS handshake completed (STARTTLS or implicit) */
	EV_LOG_REPLY,		/* a logged reply (text) and the command it answered
				 * (command, may be NULL): judged on its own */
	EV_LOG_NOTE,		/* a logged protocol fact (logs: pipelining, bare LF …) */
	EV_GAP,			/* the transcript leaves lines out here ("...") */
	EV_CLOCK		/* the log's time is now WHEN (format.c, every
				 * FORMAT_CLOCK_LINES lines of a log) */
};

/* What an EV_LOG_NOTE says; smtp.c turns each into a finding. */
enum log_note {
	NOTE_NONE,
	NOTE_PIPELINING,	/* Postfix "improper command pipelining after X" */
	NOTE_SYNC_ERROR,	/* Exim "SMTP synchronization error" */
	NOTE_BARE_LF,		/* Postfix "notes=bare_lf", "bare <LF> received" */
	NOTE_DATA_NO_RCPT,	/* counters: DATA accepted with no accepted RCPT */
	NOTE_PREGREET		/* the client talked before the greeting (Postfix
				 * postscreen PREGREET, Sendmail greet_pause) */
};

struct event {
	enum event_kind	 kind;
	const char	*text;		/* the SMTP bytes, without the transcript's prefix */
	size_t		 len;
	enum eol	 eol;		/* the wire terminator, or EOL_UNKNOWN */
	unsigned long	 line;		/* input line number */
	bool		 is_truncated;	/* the input line was cut */
	size_t		 full_len;	/* is_truncated: the text's length before
					 * the cut (0: not known) */
	bool		 has_bare_cr;	/* a bare CR inside the wire line */
	const char	*key;		/* session key; NULL: the stream's current session */
	size_t		 keylen;
	uint64_t	 keyhash;	/* hash_key(key, keylen) if the adapter has
					 * it at hand, else 0 */
	const char	*command;	/* EV_LOG_REPLY: the command it answered, if known;
					 * EV_LOG_NOTE: the command named, if any */
	size_t		 commandlen;
	enum log_note	 note;		/* EV_LOG_NOTE: what was noted */
	unsigned	 flags;		/* EVF_* */
	const char	*client;	/* EV_LOG_REPLY: the client the log names
					 * ("host[ip]"), or NULL (summary only) */
	size_t		 clientlen;
	const char	*rcpt;		/* EV_LOG_REPLY: the recipient, or NULL */
	size_t		 rcptlen;
	long long	 when;		/* EV_CLOCK: seconds since the epoch */
};

#define EVF_PARTIAL	0x01	/* the session's dialogue is only partly visible */
#define EVF_DATA_HIDDEN	0x02	/* the adapter never shows message data */
#define EVF_STATS_ONLY	0x04	/* EV_LOG_REPLY: the dialogue shows this reply
				 * too; count it for the summary only */
#define EVF_ALONE	0x08	/* EV_SESSION_START of a one-event session (a
				 * logged reply, no connection): not counted */
#define EVF_NO_WAIT	0x10	/* EV_CLIENT: the client does not wait for the
				 * reply (Exim's transport after QUIT): none
				 * shown is no fault */
#define EVF_COUNT_REJECTS 0x20	/* the session's 4xx/5xx replies count for the
				 * summary's rejection tables (format.h,
				 * dialogue_rejects) */

struct event_sink {
	void	(*emit)(void *ctx, const struct event *);
	void	 *ctx;
};

/* Fill an event with defaults: everything zero, eol unknown. */
static inline struct event
event_make(enum event_kind kind, unsigned long line)
{
	struct event ev = { 0 };

	ev.kind = kind;
	ev.line = line;
	ev.eol = EOL_UNKNOWN;
	return ev;
}

#endif
