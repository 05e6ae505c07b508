/*
 * hash: a fast non-cryptographic hash of a short byte string, eight bytes
 * at a time (multiply and xor-shift, constants from MurmurHash3's
 * finaliser).  For in-memory tables only; equal hashes must be confirmed.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t
hash_bytes(const void *p, size_t n)
{
	const unsigned char *k = p;
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, k + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 29;
	}
	for (w = 0; i < n; i++)
		w = (w << 8) | k[i];
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	h ^= h >> 32;
	return h;
}

#endif
