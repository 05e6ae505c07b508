/*
 * reply: pure parsing of server reply lines (RFC 5321 4.2) and of enhanced
 * status codes (RFC 3463 2, RFC 2034).  No state, no allocation.
 */
#ifndef REPLY_H
#define REPLY_H

#include <stdbool.h>
#include <stddef.h>

struct reply_line {
	int		 code;		/* 0 when the line carries no code */
	bool		 is_last;	/* "DDD text" or "DDD" (not "DDD-") */
	bool		 is_malformed;	/* not Reply-line ABNF */
	const char	*why;		/* detail id when malformed */
	const char	*text;		/* after the separator */
	size_t		 textlen;
};

/* Parse one line (without terminator).  Always fills R; a line that is
 * malformed but starts with three digits keeps its code. */
void	reply_parse(const char *s, size_t len, struct reply_line *r);
/* Only the code (0: none) and the text that reply_parse would give. */
int	reply_code(const char *s, size_t len, const char **text,
	    size_t *textlen);

struct enhanced {
	bool	 is_present;	/* the text starts with a code */
	bool	 is_bad;	/* looks like one but breaks RFC 3463 syntax */
	int	 cls, subject, detail;
	size_t	 len;		/* bytes of the code in the text */
};

/* Look for an enhanced status code at the start of reply text. */
void	reply_enhanced(const char *text, size_t len, struct enhanced *e);
/* Format "c.s.d" into BUF (at least 16 bytes). */
void	reply_enhanced_format(const struct enhanced *, char *buf, size_t sz);

#endif
