/*
 * ydoc: a YAML document read with libyaml into a small tree of scalars,
 * mappings and sequences, each node with its line and column, so that the
 * schema checks of rules.c can name the place of every error.  Duplicate
 * keys and aliases are errors.  The tree lives in an arena owned by the
 * caller.
 */
#ifndef YDOC_H
#define YDOC_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

enum ynode_type {
	YN_NULL,		/* empty, ~ or null */
	YN_SCALAR,
	YN_MAP,
	YN_SEQ
};

struct ynode {
	enum ynode_type	 type;
	const char	*value;		/* scalars: NUL-terminated text */
	size_t		 len;
	bool		 is_quoted;	/* a quoted scalar is never null */
	struct ynode	**kids;		/* maps: key, value, key, value … */
	size_t		 nkids;
	unsigned long	 line;		/* 1-based */
	unsigned long	 col;		/* 1-based */
};

/*
 * A tree in flat form, as tools/embed.c writes the built-in rules: numbers
 * instead of pointers, so that the data needs no relocation when the
 * program starts.  Node 0 is the root; a node's children are
 * kids[n.kids .. n.kids + n.nkids).
 */
#define YFLAT_NONE	0xffffffffu	/* no value */

struct yflat_node {
	unsigned char	 type;		/* enum ynode_type */
	bool		 is_quoted;
	unsigned	 value;		/* offset in strs, or YFLAT_NONE */
	unsigned	 len;
	unsigned	 kids;
	unsigned	 nkids;
	unsigned	 line;
	unsigned	 col;
};

struct yflat {
	const struct yflat_node	*nodes;
	const unsigned		*kids;
	const char		*strs;	/* the values, each NUL-terminated */
	size_t			 nnodes;
};

/* The tree of F in arena A (the values stay in F). */
struct ynode	*ydoc_unflatten(struct arena *, const struct yflat *f);

/* Parse LEN bytes.  NULL after a diagnostic naming NAME:LINE:COL.  An empty
 * document gives a YN_NULL root. */
struct ynode	*ydoc_parse(struct arena *, const char *name, const char *data,
		    size_t len);
/* Every key of map N must be in the NULL-terminated list KEYS: false
 * after a diagnostic "NAME:LINE:COL: unknown key 'k' in WHAT" for each
 * other one. */
bool		 ydoc_check_keys(const char *name, const struct ynode *n,
		    const char *const *keys, const char *what);
/* The value under KEY in map N, or NULL. */
const struct ynode *ydoc_get(const struct ynode *n, const char *key);

#endif
