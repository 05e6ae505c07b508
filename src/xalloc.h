/*
 * xalloc: allocation that never returns NULL.  On exhaustion the program
 * says so and exits with status 2 (DESIGN.md: resource errors are exit 2).
 */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);

#endif
