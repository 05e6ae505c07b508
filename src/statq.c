/*
 * The rejection tables' thread.  STATQ_BLOCKS blocks go round: the
 * analysing thread (the producer) appends records to block w; a full block
 * is handed over, and the counting thread works through block r.  filled
 * counts the blocks handed over and not yet counted, so the producer never
 * writes into one the counter is reading.  A record is what logstat_reply
 * reads of an event: three lengths, then the reply text, the client and
 * the recipient.  A record too large for a block is rare (a reply of
 * kilobytes): the producer waits until everything before it is counted and
 * counts it in place, so the order stays that of the input.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "logstat.h"
#include "statq.h"
#include "xalloc.h"

#define STATQ_BLOCKS	4
#define STATQ_BYTES	(64 * 1024)
#define STATQ_REC_MAX	4096		/* larger records: counted in place */
#define STATQ_HEAD	(3 * sizeof(uint16_t))

/* As in readahead.c: the two threads' fields on cache lines of their own. */
#define SQ_APART(n)	char n[128]

struct statq {
	SQ_APART(pad_head);
	struct logstat	*ls;
	char		*bytes[STATQ_BLOCKS];
	size_t		 used[STATQ_BLOCKS];	/* of a block handed over:
						 * read by the counter only */
	bool		 is_threaded;
	pthread_t	 thread;
	SQ_APART(pad0);
	pthread_mutex_t	 mu;
	pthread_cond_t	 more;		/* a block was handed over, or stop */
	pthread_cond_t	 room;		/* a block was counted */
	size_t		 filled;	/* under mu */
	bool		 stop;		/* under mu */
	/* the producer's */
	SQ_APART(pad1);
	size_t		 w;
	size_t		 wused;		/* bytes in block w */
	unsigned	 warm;		/* blocks whose pages are mapped */
	/* the counter's */
	SQ_APART(pad2);
	size_t		 r;
	SQ_APART(pad_tail);
};

/* Count the records of N bytes at P. */
static void
statq_count(struct logstat *ls, const char *p, size_t n)
{
	const char *end = p + n;
	struct event ev;
	uint16_t h[3];

	while (p < end) {
		memcpy(h, p, sizeof(h));
		p += STATQ_HEAD;
		ev = event_make(EV_LOG_REPLY, 0);
		ev.text = p;
		ev.len = h[0];
		p += h[0];
		ev.client = h[1] > 0 ? p : NULL;
		ev.clientlen = h[1];
		p += h[1];
		ev.rcpt = h[2] > 0 ? p : NULL;
		ev.rcptlen = h[2];
		p += h[2];
		logstat_reply(ls, &ev);
	}
}

static void *
statq_run(void *arg)
{
	struct statq *q = arg;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->filled == 0 && !q->stop)
			pthread_cond_wait(&q->more, &q->mu);
		if (q->filled == 0) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		pthread_mutex_unlock(&q->mu);
		statq_count(q->ls, q->bytes[q->r], q->used[q->r]);
		pthread_mutex_lock(&q->mu);
		q->filled--;
		pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->mu);
		q->r = (q->r + 1) % STATQ_BLOCKS;
	}
}

struct statq *
statq_new(struct logstat *ls)
{
	struct statq *q;
	size_t i;

	q = xcalloc(1, sizeof(*q));
	q->ls = ls;
	for (i = 0; i < STATQ_BLOCKS; i++)
		q->bytes[i] = xmalloc(STATQ_BYTES);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	q->is_threaded = pthread_create(&q->thread, NULL, statq_run, q) == 0;
	return q;
}

/* Producer: hand block w over and take the next one when it is free;
 * with ALL, also wait until every block is counted. */
static void
statq_publish(struct statq *q, bool all)
{
	pthread_mutex_lock(&q->mu);
	if (q->wused > 0) {
		q->used[q->w] = q->wused;
		q->filled++;
		pthread_cond_signal(&q->more);
		q->w = (q->w + 1) % STATQ_BLOCKS;
		q->wused = 0;
	}
	while (all ? q->filled > 0 : q->filled == STATQ_BLOCKS)
		pthread_cond_wait(&q->room, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

void
statq_reply(struct statq *q, const struct event *ev)
{
	size_t clen, rlen, need;
	uint16_t h[3];
	char *p;

	if (!logstat_is_rejection(ev->text, ev->len))
		return;		/* logstat_reply would skip it: not copied */
	clen = ev->client != NULL ? ev->clientlen : 0;
	rlen = ev->rcpt != NULL ? ev->rcptlen : 0;
	need = STATQ_HEAD + ev->len + clen + rlen;
	if (!q->is_threaded) {
		logstat_reply(q->ls, ev);
		return;
	}
	if (need > STATQ_REC_MAX) {
		/* the counter idle, the tables are this thread's for now */
		statq_publish(q, true);
		logstat_reply(q->ls, ev);
		return;
	}
	if (STATQ_BYTES - q->wused < need)
		statq_publish(q, false);
	if (!(q->warm & 1u << q->w)) {
		xprefault(q->bytes[q->w], STATQ_BYTES);
		q->warm |= 1u << q->w;
	}
	p = q->bytes[q->w] + q->wused;
	h[0] = (uint16_t)ev->len;
	h[1] = (uint16_t)clen;
	h[2] = (uint16_t)rlen;
	memcpy(p, h, sizeof(h));
	p += STATQ_HEAD;
	memcpy(p, ev->text, ev->len);
	p += ev->len;
	if (clen > 0)
		memcpy(p, ev->client, clen);
	p += clen;
	if (rlen > 0)
		memcpy(p, ev->rcpt, rlen);
	q->wused += need;
}

void
statq_finish(struct statq *q)
{
	if (q->is_threaded)
		statq_publish(q, true);
}

void
statq_free(struct statq *q)
{
	size_t i;

	if (q == NULL)
		return;
	if (q->is_threaded) {
		statq_publish(q, true);
		pthread_mutex_lock(&q->mu);
		q->stop = true;
		pthread_cond_signal(&q->more);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->thread, NULL);
	}
	pthread_cond_destroy(&q->more);
	pthread_cond_destroy(&q->room);
	pthread_mutex_destroy(&q->mu);
	for (i = 0; i < STATQ_BLOCKS; i++)
		free(q->bytes[i]);
	free(q);
}
