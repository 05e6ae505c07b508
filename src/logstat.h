/*
 * logstat: the rejections of a log for the summary: the most frequent
 * rejections (code, enhanced code, text with addresses and numbers
 * replaced), and the clients and recipient domains they hit.  Fixed size:
 * each table is a space-saving top-k (Metwally et al. 2005) of
 * LOGSTAT_SLOTS counters, so memory does not grow with the input; a count
 * may be too high by at most its slot's err.  Part of struct stats (owned
 * by main); fed by the session layer from EV_LOG_REPLY events, and by
 * smtp.c from the dialogues of formats whose logs record no rejections.
 */
#ifndef LOGSTAT_H
#define LOGSTAT_H

#include <stddef.h>
#include <stdint.h>

#define LOGSTAT_SLOTS	64	/* counters per table */
#define LOGSTAT_SUB	4	/* clients, domains kept per rejection */
#define LOGSTAT_KEY_MAX	112	/* bytes of a key */

struct logstat_entry {
	unsigned long	 count;
	unsigned long	 err;		/* over-estimate bound */
	uint16_t	 len;
	char		 key[LOGSTAT_KEY_MAX];
};

/* A table of CAP slots: the hashes and counts apart from the keys, so
 * that a lookup and the search for the smallest count stay in a few cache
 * lines. */
#define LOGSTAT_TABLE(name, cap)					\
	struct name {							\
		size_t			n;				\
		uint32_t		hash[cap];			\
		unsigned long		count[cap];			\
		uint8_t			index[2 * (cap)];	/* slot + 1, \
						 * by hash, linear probing */	\
		unsigned long		minval;	/* no count is below */	\
		size_t			cursor;	/* where to look next */	\
		struct logstat_entry	e[cap];				\
	}

LOGSTAT_TABLE(logstat_table, LOGSTAT_SLOTS);
LOGSTAT_TABLE(logstat_sub, LOGSTAT_SUB);

struct logstat {
	unsigned long		rejects;	/* 4xx/5xx replies logged */
	struct logstat_table	rej;		/* normalised reply */
	struct logstat_sub	rej_client[LOGSTAT_SLOTS];	/* per rej slot */
	struct logstat_sub	rej_domain[LOGSTAT_SLOTS];
	struct logstat_table	client;		/* any rejection */
	struct logstat_table	domain;
};

struct event;

/* Count a logged reply (EV_LOG_REPLY) of class 4 or 5 with the client and
 * recipient the event names; other replies are skipped. */
void	logstat_reply(struct logstat *, const struct event *);
/* Would logstat_reply count reply TEXT of LEN bytes (a 4xx or 5xx)? */
int	logstat_is_rejection(const char *text, size_t len);

/* Count KEY (LEN bytes, cut to LOGSTAT_KEY_MAX) in table T. */
void	logstat_count(struct logstat_table *t, const char *key, size_t len);

/* Normalise reply TEXT for grouping into OUT (SZ bytes, NUL-terminated):
 * <addresses>, [literals], (x=y) and URLs become <*>, [*], (*), URL, an
 * address without brackets "*@*";
 * numbers after the codes become N, words of letters and digits of 8 bytes
 * or more (ids) "*"; blanks are squeezed; a cut text ends in "...".  A
 * multiline reply flattened into one line reads as one reply: "550-"
 * becomes "550 " and the repeated prefixes of its lines go.
 * Returns the length. */
size_t	logstat_normalise(const char *text, size_t len, char *out, size_t sz);

/* The indexes of the N largest counts of the NE entries E into IDX,
 * largest first, ties by key; returns how many were written.  Use
 * t.e, t.n of a table. */
size_t	logstat_top(const struct logstat_entry *e, size_t ne, size_t *idx,
	    size_t n);

/* True when a count is worth showing: exact, or at least 2 certain and
 * its error no more than half of it. */
int	logstat_is_sure(const struct logstat_entry *e);

#endif
