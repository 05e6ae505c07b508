#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "session.h"
#include "smtp.h"
#include "stats.h"
#include "statq.h"
#include "xalloc.h"

#define SESSION_KEY_MAX	128
#define SESSION_POOL	256	/* ended sessions kept for reuse */
#define SESSION_ID_MAX	4200

struct sess {
	struct sess	*hnext;		/* hash chain */
	struct sess	*prev, *next;	/* LRU list, most recent first */
	struct smtp	*smtp;
	long long	 last;		/* the log's time when last seen */
	uint64_t	 hash;		/* hash_key of the key */
	size_t		 keylen;
	char		 key[SESSION_KEY_MAX];
};

struct sessions {
	struct smtp_env	 env;
	size_t		 max;
	size_t		 count;
	struct sess	**hash;
	size_t		 nhash;
	struct sess	*lru_head, *lru_tail;
	struct sess	*pool;		/* ended sessions, chained by hnext */
	size_t		 npool;
	const char	*file;		/* current input */
	unsigned long	 seq;		/* sessions begun in this input */
	struct smtp	*cur;		/* the transcript session of this input */
	unsigned long	 lastline;
	long long	 now;		/* the log's time (EV_CLOCK), 0: none */
	long long	 max_idle;	/* seconds; 0: no limit */
};

struct sessions *
sessions_new(const struct smtp_env *env, size_t max)
{
	struct sessions *ss;

	ss = xcalloc(1, sizeof(*ss));
	ss->env = *env;
	ss->max = max ? max : 1;
	/* Small at first, so that the buckets stay in the cache; it grows
	 * with the sessions open at once (sessions_grow). */
	ss->nhash = 64;
	ss->hash = xcalloc(ss->nhash, sizeof(*ss->hash));
	return ss;
}

static struct smtp *
sessions_start(struct sessions *ss, unsigned flags, bool counted)
{
	if (counted)
		ss->env.stats->sessions++;
	return smtp_new(&ss->env, ss->file ? ss->file : "-", ++ss->seq, flags);
}

static void
sessions_end_cur(struct sessions *ss, bool closed)
{
	if (ss->cur == NULL)
		return;
	smtp_end(ss->cur, closed);
	smtp_free(ss->cur);
	ss->cur = NULL;
}

void
sessions_input(struct sessions *ss, const char *file)
{
	ss->file = file;
	ss->seq = 0;
}

void
sessions_input_end(struct sessions *ss, unsigned long lastline)
{
	ss->lastline = lastline;
	sessions_end_cur(ss, false);
}

static void
sessions_lru_unlink(struct sessions *ss, struct sess *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		ss->lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		ss->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void
sessions_lru_front(struct sessions *ss, struct sess *e)
{
	e->next = ss->lru_head;
	e->prev = NULL;
	if (ss->lru_head)
		ss->lru_head->prev = e;
	ss->lru_head = e;
	if (ss->lru_tail == NULL)
		ss->lru_tail = e;
}

static void
sessions_remove(struct sessions *ss, struct sess *e, bool evicted,
    bool closed)
{
	struct sess **pp;

	pp = &ss->hash[e->hash & (ss->nhash - 1)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	sessions_lru_unlink(ss, e);
	if (!evicted)
		smtp_end(e->smtp, closed);
	ss->count--;
	/* A busy log opens and ends sessions all the time: keep a few for
	 * reuse rather than free and allocate them again. */
	if (ss->npool < SESSION_POOL) {
		e->hnext = ss->pool;
		ss->pool = e;
		ss->npool++;
		return;
	}
	smtp_free(e->smtp);
	free(e);
}

/* Double the buckets when the open sessions outnumber them. */
static void
sessions_grow(struct sessions *ss)
{
	struct sess *e;
	size_t h;

	if (ss->count < ss->nhash || ss->nhash >= (1u << 22))
		return;
	free(ss->hash);
	ss->nhash *= 2;
	ss->hash = xcalloc(ss->nhash, sizeof(*ss->hash));
	for (e = ss->lru_head; e != NULL; e = e->next) {
		h = e->hash & (ss->nhash - 1);
		e->hnext = ss->hash[h];
		ss->hash[h] = e;
	}
}

/* The session under KEY (its hash_key HASH, 0: not known); when missing
 * and CREATE, a new one, counted in the statistics when COUNTED (its start
 * is in the log: a log's sessions are its connections, the Postfix
 * "connect from" lines).  *FOUND (may be NULL): it was there already. */
static struct sess *
sessions_lookup(struct sessions *ss, const char *key, size_t n, uint64_t hash,
    bool create, unsigned flags, bool counted, bool *found)
{
	struct sess *e;
	size_t h;

	if (n > SESSION_KEY_MAX) {
		n = SESSION_KEY_MAX;
		hash = 0;	/* of the whole key */
	}
	if (hash == 0)
		hash = hash_key(key, n);
	h = hash & (ss->nhash - 1);
	for (e = ss->hash[h]; e != NULL; e = e->hnext)
		if (e->hash == hash && e->keylen == n &&
		    memcmp(e->key, key, n) == 0) {
			if (ss->lru_head != e) {
				sessions_lru_unlink(ss, e);
				sessions_lru_front(ss, e);
			}
			e->last = ss->now;
			if (found != NULL)
				*found = true;
			return e;
		}
	if (found != NULL)
		*found = false;
	if (!create)
		return NULL;
	if (ss->count >= ss->max) {
		ss->env.stats->evicted++;
		sessions_remove(ss, ss->lru_tail, true, false);
	}
	if (ss->count >= ss->nhash) {
		sessions_grow(ss);
		h = hash & (ss->nhash - 1);
	}
	if ((e = ss->pool) != NULL) {
		ss->pool = e->hnext;
		ss->npool--;
		if (counted)
			ss->env.stats->sessions++;
		smtp_reset(e->smtp, ss->file ? ss->file : "-", ++ss->seq, flags);
	} else {
		e = xcalloc(1, sizeof(*e));
		e->smtp = sessions_start(ss, flags, counted);
	}
	memcpy(e->key, key, n);
	e->keylen = n;
	e->hash = hash;
	e->last = ss->now;
	e->hnext = ss->hash[h];
	ss->hash[h] = e;
	sessions_lru_front(ss, e);
	ss->count++;
	return e;
}

void
sessions_set_idle(struct sessions *ss, long long seconds)
{
	ss->max_idle = seconds;
}

/*
 * The log's time moved on to WHEN: drop the sessions not seen for longer
 * than max_idle, from the least recently seen on.  Their ends are not in
 * the log (a crash, a restart, lines lost); like those dropped by the cap
 * they are not judged further.
 */
static void
sessions_clock(struct sessions *ss, long long when)
{
	struct sess *e;

	if (ss->now == 0)
		for (e = ss->lru_head; e != NULL; e = e->next)
			e->last = when;	/* seen before the first clock */
	ss->now = when;
	if (ss->max_idle <= 0)
		return;
	while ((e = ss->lru_tail) != NULL && e->last < when - ss->max_idle) {
		ss->env.stats->idle_evicted++;
		sessions_remove(ss, e, true, false);
	}
}

void
sessions_event(struct sessions *ss, const struct event *ev)
{
	struct sess *e;
	bool found;

	if (ev->kind == EV_CLOCK) {
		sessions_clock(ss, ev->when);
		return;
	}
	ss->lastline = ev->line;
	if (ev->kind == EV_LOG_REPLY) {
		if (ss->env.statq != NULL)
			statq_reply(ss->env.statq, ev);
		else
			logstat_reply(&ss->env.stats->log, ev);
		if (ev->flags & EVF_STATS_ONLY)
			return;
	}
	if (ev->key != NULL) {
		/* A session whose start was not seen (the log began later,
		 * or it was evicted and comes back) is only partly visible:
		 * no greeting or sequencing checks on it. */
		e = sessions_lookup(ss, ev->key, ev->keylen, ev->keyhash,
		    ev->kind != EV_SESSION_END, ev->kind == EV_SESSION_START ?
		    ev->flags : ev->flags | EVF_PARTIAL,
		    ev->kind == EV_SESSION_START && !(ev->flags & EVF_ALONE),
		    &found);
		if (ev->kind == EV_SESSION_START && found) {
			/* A new connection under a key still in use: the old
			 * session ended without a trace in the log (Exim
			 * without +incoming_port keys by address alone). */
			sessions_remove(ss, e, false, false);
			e = sessions_lookup(ss, ev->key, ev->keylen,
			    ev->keyhash, true, ev->flags, !(ev->flags &
			    EVF_ALONE), NULL);
		}
		if (e == NULL)
			return;
		if (ev->kind == EV_SESSION_END) {
			sessions_remove(ss, e, false, true);
			return;
		}
		if (ev->kind != EV_SESSION_START)
			smtp_event(e->smtp, ss->file, ev);
		return;
	}
	switch (ev->kind) {
	case EV_GAP:
		if (ss->cur == NULL)
			return;		/* before any session: nothing missed */
		break;
	case EV_SESSION_START:
		if (ss->cur != NULL && !smtp_is_empty(ss->cur))
			sessions_end_cur(ss, false);
		if (ss->cur == NULL)
			ss->cur = sessions_start(ss, ev->flags, true);
		return;
	case EV_SESSION_END:
		sessions_end_cur(ss, true);
		return;
	case EV_SERVER:
		/* A greeting after the session closed: a new connection whose
		 * marker the transcript does not show.  Anything else stays
		 * in the old session, where it is an unsolicited reply. */
		if (ss->cur != NULL && smtp_is_closed(ss->cur) &&
		    ev->len >= 3 && (memcmp(ev->text, "220", 3) == 0 ||
		    memcmp(ev->text, "554", 3) == 0))
			sessions_end_cur(ss, false);
		break;
	default:
		break;
	}
	if (ss->cur == NULL)
		ss->cur = sessions_start(ss, ev->flags, true);
	smtp_event(ss->cur, ss->file, ev);
}

void
sessions_flush(struct sessions *ss)
{
	sessions_end_cur(ss, false);
	while (ss->lru_head != NULL)
		sessions_remove(ss, ss->lru_head, false, false);
}

void
sessions_free(struct sessions *ss)
{
	struct sess *e;

	if (ss == NULL)
		return;
	sessions_flush(ss);
	while ((e = ss->pool) != NULL) {
		ss->pool = e->hnext;
		smtp_free(e->smtp);
		free(e);
	}
	free(ss->hash);
	free(ss);
}
