/*
 * explain: --explain CODE and --list-rules, printed from the rules in the
 * chosen language.  Both return the exit status.
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

#include <stdio.h>

#include "rules.h"

/* Explain ARG (550, 5.1.1, "550 5.1.1", a reply line): 0, or 2 after a
 * diagnostic when ARG is none of these. */
int	explain_code(const struct rules *, enum lang, const char *arg, FILE *);
int	explain_list_rules(const struct rules *, enum lang, FILE *);

#endif
