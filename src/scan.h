/*
 * scan: the first of one or two given bytes in a short span, such as a
 * syslog header's fields.  Sixteen bytes at a time with SSE2 (part of every
 * x86-64), a byte at a time elsewhere and for the last few bytes; never a
 * byte outside [P, END).  For spans of a few dozen bytes this is cheaper
 * than a memchr call and much cheaper than a plain loop.
 */
#ifndef SCAN_H
#define SCAN_H

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The first A or B in [P, END), or NULL. */
static inline const char *
scan_chr2(const char *p, const char *end, char a, char b)
{
#if defined(__SSE2__)
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)));

		if (m != 0)
			return p + __builtin_ctz(m);
	}
#endif
	for (; p < end; p++)
		if (*p == a || *p == b)
			return p;
	return NULL;
}

/* The first C in [P, END), or NULL. */
static inline const char *
scan_chr(const char *p, const char *end, char c)
{
	return scan_chr2(p, end, c, c);
}

#endif
