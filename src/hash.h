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
	/* The last 1-7 bytes: the string's last eight when it has them
	 * (hashing some again does no harm), else two loads that may
	 * overlap; the final steps mix every bit into the low ones. */
	if (i < n) {
		if (n >= 8)
			memcpy(&w, k + n - 8, 8);
		else if (n >= 4) {
			uint32_t a, b;

			memcpy(&a, k, 4);
			memcpy(&b, k + n - 4, 4);
			w = (uint64_t)a << 32 | b;
		} else
			w = (uint64_t)k[0] << 16 | (uint64_t)k[n / 2] << 8 |
			    k[n - 1];
	} else
		w = 0;
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 29;
	return h;
}

/* hash_bytes, but never 0, which a table or an event may take for none. */
static inline uint64_t
hash_key(const void *p, size_t n)
{
	uint64_t h = hash_bytes(p, n);

	return h != 0 ? h : 1;
}

#endif
