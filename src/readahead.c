/*
 * The read-ahead thread and its hand-over.  RA_BATCHES batches go round:
 * the reader fills batch w while the caller works through batch r; filled
 * counts the batches handed over and not yet given back, the one the
 * caller is on included, so the reader never writes into it.  A batch
 * holds copies of its lines (the input's own buffer moves on), and the
 * diagnostics that come after them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "readahead.h"
#include "xalloc.h"

#define RA_BATCHES	4
#define RA_BYTES	(256 * 1024)	/* a batch's bytes; more for a
					 * longer line */
#define RA_LINES	4096		/* a batch's lines */

struct ra_batch {
	char		*bytes;
	size_t		 cap, used;
	struct line	 lines[RA_LINES];	/* bytes set when taken */
	size_t		 off[RA_LINES];		/* of each line in bytes */
	size_t		 nlines;
	struct input_diag diag[INPUT_DIAG_MAX];	/* after the lines */
	size_t		 ndiag;
	int		 end;		/* 1: the input ends, -1: with an error */
};

/* Padding, so that the reader's and the caller's fields do not share a
 * cache line that would pass to and fro on every line. */
#define RA_APART(n)	char n[128]

struct readahead {
	struct input	*in;
	struct ra_batch	*b;		/* RA_BATCHES */
	bool		 is_threaded;
	pthread_t	 thread;
	RA_APART(pad0);
	pthread_mutex_t	 mu;
	pthread_cond_t	 more;		/* a batch was handed over */
	pthread_cond_t	 room;		/* a batch was given back, or stop */
	size_t		 filled;	/* under mu */
	bool		 stop;		/* under mu */
	/* the reader's */
	RA_APART(pad1);
	size_t		 w;
	bool		 is_open;	/* batch w is being filled */
	/* the caller's */
	RA_APART(pad2);
	size_t		 r;
	size_t		 pos;
	bool		 has_batch;	/* batch r is being read */
	int		 done;		/* 1: ended, -1: ended with an error */
};

/* Reader: make batch w the one being filled; false if told to stop. */
static bool
ra_open(struct readahead *ra)
{
	struct ra_batch *b;

	if (ra->is_open)
		return true;
	pthread_mutex_lock(&ra->mu);
	while (ra->filled == RA_BATCHES && !ra->stop)
		pthread_cond_wait(&ra->room, &ra->mu);
	if (ra->stop) {
		pthread_mutex_unlock(&ra->mu);
		return false;
	}
	pthread_mutex_unlock(&ra->mu);
	b = &ra->b[ra->w];
	b->used = b->nlines = b->ndiag = 0;
	b->end = 0;
	ra->is_open = true;
	return true;
}

/* Reader: hand batch w over. */
static void
ra_publish(struct readahead *ra)
{
	pthread_mutex_lock(&ra->mu);
	ra->filled++;
	pthread_cond_signal(&ra->more);
	pthread_mutex_unlock(&ra->mu);
	ra->w = (ra->w + 1) % RA_BATCHES;
	ra->is_open = false;
}

/* Reader, before a read(2) that may wait: let the caller have what there
 * is. */
static void
ra_before_read(void *arg)
{
	struct readahead *ra = arg;

	if (ra->is_open && ra->b[ra->w].nlines > 0)
		ra_publish(ra);
}

/* Reader: copy line L into the batch; false if told to stop. */
static bool
ra_add(struct readahead *ra, const struct line *l)
{
	struct ra_batch *b;

	if (!ra_open(ra))
		return false;
	b = &ra->b[ra->w];
	if (b->nlines == RA_LINES || (b->nlines > 0 &&
	    b->cap - b->used < l->len + 1)) {
		ra_publish(ra);
		if (!ra_open(ra))
			return false;
		b = &ra->b[ra->w];
	}
	if (b->cap - b->used < l->len + 1) {
		/* an empty batch and a line longer than its bytes */
		b->cap = l->len + 1;
		b->bytes = xrealloc(b->bytes, b->cap);
	}
	memcpy(b->bytes + b->used, l->bytes, l->len);
	b->bytes[b->used + l->len] = '\0';
	b->lines[b->nlines] = *l;
	b->off[b->nlines++] = b->used;
	b->used += l->len + 1;
	return true;
}

static void *
ra_run(void *arg)
{
	struct readahead *ra = arg;
	struct input_diag d[INPUT_DIAG_MAX];
	struct ra_batch *b;
	struct line l;
	size_t nd;
	int rc;

	for (;;) {
		rc = input_next(ra->in, &l);
		/* What was told while reading comes before line L. */
		if ((nd = input_take_diag(ra->in, d, INPUT_DIAG_MAX)) > 0) {
			if (!ra_open(ra))
				return NULL;
			b = &ra->b[ra->w];
			memcpy(b->diag, d, nd * sizeof(d[0]));
			b->ndiag = nd;
			ra_publish(ra);
		}
		if (rc != 1) {
			if (!ra_open(ra))
				return NULL;
			ra->b[ra->w].end = rc == 0 ? 1 : -1;
			ra_publish(ra);
			return NULL;
		}
		if (!ra_add(ra, &l))
			return NULL;
	}
}

struct readahead *
readahead_new(struct input *in)
{
	struct readahead *ra;
	size_t i;

	ra = xcalloc(1, sizeof(*ra));
	ra->in = in;
	ra->b = xcalloc(RA_BATCHES, sizeof(*ra->b));
	for (i = 0; i < RA_BATCHES; i++) {
		ra->b[i].cap = RA_BYTES;
		ra->b[i].bytes = xmalloc(RA_BYTES);
	}
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->more, NULL);
	pthread_cond_init(&ra->room, NULL);
	input_defer(in, ra_before_read, ra);
	if (pthread_create(&ra->thread, NULL, ra_run, ra) == 0)
		ra->is_threaded = true;
	else
		input_defer(in, NULL, NULL);	/* read here, as before */
	return ra;
}

int
readahead_next(struct readahead *ra, struct line *l)
{
	struct ra_batch *b;
	size_t i;
	int end;

	if (!ra->is_threaded)
		return input_next(ra->in, l);
	for (;;) {
		if (ra->done != 0) {
			/* -1 once, then 0, as input_next */
			end = ra->done;
			ra->done = 1;
			return end > 0 ? 0 : -1;
		}
		if (!ra->has_batch) {
			pthread_mutex_lock(&ra->mu);
			while (ra->filled == 0)
				pthread_cond_wait(&ra->more, &ra->mu);
			pthread_mutex_unlock(&ra->mu);
			ra->has_batch = true;
			ra->pos = 0;
		}
		b = &ra->b[ra->r];
		if (ra->pos < b->nlines) {
			*l = b->lines[ra->pos];
			l->bytes = b->bytes + b->off[ra->pos];
			ra->pos++;
			return 1;
		}
		for (i = 0; i < b->ndiag; i++)
			input_print_diag(input_name(ra->in), &b->diag[i]);
		end = b->end;
		pthread_mutex_lock(&ra->mu);
		ra->filled--;
		pthread_cond_signal(&ra->room);
		pthread_mutex_unlock(&ra->mu);
		ra->r = (ra->r + 1) % RA_BATCHES;
		ra->has_batch = false;
		ra->done = end;
	}
}

void
readahead_free(struct readahead *ra)
{
	size_t i;

	if (ra == NULL)
		return;
	if (ra->is_threaded) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = true;
		pthread_cond_signal(&ra->room);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->thread, NULL);
	}
	pthread_cond_destroy(&ra->more);
	pthread_cond_destroy(&ra->room);
	pthread_mutex_destroy(&ra->mu);
	for (i = 0; i < RA_BATCHES; i++)
		free(ra->b[i].bytes);
	free(ra->b);
	input_free(ra->in);
	free(ra);
}
