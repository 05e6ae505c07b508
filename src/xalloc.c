#define _DEFAULT_SOURCE		/* madvise(2) */

#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

static void
xalloc_fail(void)
{
	fputs("smtplint: out of memory\n", stderr);
	exit(2);
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		xalloc_fail();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n ? n : 1, sz ? sz : 1)) == NULL)
		xalloc_fail();
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p;

	if ((p = realloc(old, n ? n : 1)) == NULL)
		xalloc_fail();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void *
xmemdup(const void *s, size_t n)
{
	void *p;

	p = xmalloc(n ? n : 1);
	if (n)
		memcpy(p, s, n);
	return p;
}

void
xprefault(void *p, size_t n)
{
#if defined(__linux__)
	static uintptr_t pg;
	uintptr_t s, e;

	if (pg == 0) {
		long v = sysconf(_SC_PAGESIZE);

		pg = v > 0 ? (uintptr_t)v : 4096;
	}
	/* the whole pages inside the range */
	s = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	e = ((uintptr_t)p + n) & ~(pg - 1);
	if (e > s)
		(void)madvise((void *)s, e - s, 23 /* MADV_POPULATE_WRITE */);
#else
	(void)p;
	(void)n;
#endif
}
