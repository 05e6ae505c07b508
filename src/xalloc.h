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

/*
 * Map the pages of [P, P + N) now, with one system call, when the caller
 * is about to write them all: a page touched for the first time is a
 * fault, about 10 us each in a VM, and mapping them together costs a
 * fifth of that.  A hint: where the system cannot (MADV_POPULATE_WRITE,
 * Linux 5.14), nothing happens and the pages come one fault at a time.
 */
void	 xprefault(void *p, size_t n);

#endif
