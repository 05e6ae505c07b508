/*
 * arena: a bump allocator for data that lives as long as its owner (the
 * rules, a parsed YAML document).  Everything is freed at once with
 * arena_free(); there is no per-object free.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena;

struct arena	*arena_new(void);
void		*arena_alloc(struct arena *, size_t);	/* zeroed, 16-aligned */
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_strdup(struct arena *, const char *);
void		 arena_free(struct arena *);

#endif
