/*
 * command: pure parsing of client command lines (RFC 5321 4.1): the verb,
 * the argument, the path of MAIL FROM / RCPT TO and their ESMTP parameters.
 * No state, no allocation; results point into the line.
 */
#ifndef COMMAND_H
#define COMMAND_H

#include <stdbool.h>
#include <stddef.h>

struct command {
	const char	*verb;
	size_t		 verblen;
	const char	*arg;		/* after the first space, may be empty */
	size_t		 arglen;
	const char	*params;	/* MAIL/RCPT: after the path */
	size_t		 paramslen;
};

/* Split S into verb and argument; for MAIL and RCPT also find the
 * parameters after the <path>. */
void	command_split(const char *s, size_t len, struct command *c);
/* Find ESMTP parameter NAME (case-insensitive) in the parameters; its
 * value (after '=') in *VAL, *VALLEN (empty when it has none). */
bool	command_param(const struct command *c, const char *name,
	    const char **val, size_t *vallen);
/* Case-insensitive comparison of a counted string with a C string. */
bool	command_eq(const char *s, size_t len, const char *word);
/* The next space-separated word of S at or after *POS. */
bool	command_word(const char *s, size_t len, size_t *pos, const char **w,
	    size_t *wlen);

#endif
