/*
 * logfmt: what the MTA log adapters (fmt_postfix, fmt_exim, fmt_exchange,
 * fmt_pattern) share: timestamps in RFC 3164, RFC 3339, journald short-iso
 * and "YYYY-MM-DD HH:MM:SS" form, the syslog line header (RFC 3164's, with
 * or without a priority, and RFC 5424's), and the --since/--until time
 * filter.  Nothing here allocates; the time range is set once by main
 * before any input is read and read-only afterwards.
 */
#ifndef LOGFMT_H
#define LOGFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "scan.h"

/* Does P (LEN bytes) start with the string literal S? */
#define LOGFMT_PREFIX(p, len, s) \
	((len) >= sizeof(s) - 1 && memcmp((p), (s), sizeof(s) - 1) == 0)

/* The first occurrence of NEEDLE (NLEN bytes) in P, or NULL. */
const char	*logfmt_find(const char *p, size_t len, const char *needle,
		    size_t nlen);
#define LOGFMT_FIND(p, len, s)	logfmt_find((p), (len), (s), sizeof(s) - 1)

/*
 * A timestamp at the start of P: "Nov 22 19:01:02" (RFC 3164, no year: the
 * current year, or the previous one for a date more than a day ahead),
 * "2026-11-22T19:01:02[.ffffff](Z|+01:00|+0100)" (RFC 3339, journald
 * short-iso) or "2026-11-22 19:01:02[ +0100]" (Exim, Exchange without T).
 * No zone: local time.  Sets *T (seconds since the epoch) and *USED (bytes,
 * without the blank after it); false when P starts with no timestamp.
 */
bool	logfmt_time(const char *p, size_t len, long long *t, size_t *used);
/* The same without the conversion: is there a timestamp, how long. */
bool	logfmt_time_len(const char *p, size_t len, size_t *used);

/* An option value for --since/--until: ISO 8601 date or date and time,
 * "today", "yesterday".  A day alone means its start for --since and its
 * end for --until (IS_UNTIL).  False if it cannot be read. */
bool	logfmt_parse_when(const char *s, bool is_until, long long *t);

/* Set the range (main, once); SINCE/UNTIL < 0: open. */
void	logfmt_set_range(long long since, long long until);
/* Is a range set at all (cheap, checked per line by the adapters)? */
bool	logfmt_has_range(void);
/* Is the line starting at P outside the range?  A line without a readable
 * timestamp is never outside. */
bool	logfmt_is_outside(const char *p, size_t len);

/*
 * The header of a syslog line: TIMESTAMP HOST PROGRAM[PID]: MESSAGE
 * (RFC 3164 4.1.3 TAG, as rsyslog and journalctl write it).  Pointers into
 * the line.  KEY spans "HOST PROGRAM[PID]", the session key of a daemon
 * process; PROGRAM is without the [PID].
 */
struct logfmt_syslog {
	const char	*host;
	size_t		 hostlen;
	const char	*prog;		/* "postfix/smtpd" */
	size_t		 proglen;
	const char	*key;		/* "host postfix/smtpd[123]" */
	size_t		 keylen;
	const char	*msg;		/* after "]: " */
	size_t		 msglen;
};

/* Split line P; false when it is not a syslog line. */
bool	logfmt_syslog(const char *p, size_t len, struct logfmt_syslog *);

/* The first C in [P, END), or NULL (a syslog field's few bytes). */
static inline const char *
logfmt_chr(const char *p, const char *end, char c)
{
	return scan_chr(p, end, c);
}

#endif
