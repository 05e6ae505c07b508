/*
 * The read-ahead thread and its hand-over.  RA_BATCHES batches go round:
 * the reader fills batch w while the caller works through batch r; filled
 * counts the batches handed over and not yet given back, the one the
 * caller is on included, so the reader never writes into it.  A batch
 * holds copies of its lines (the input's own buffer moves on), and the
 * diagnostics that come after them.
 *
 * What crosses between the threads is kept small, as moving memory from
 * one core to the other is what costs here.  The plain lines at the head
 * of the input's buffer (LF, no CR, most lines of a log) are split many at
 * once by input_split and copied with one memcpy; the others come one by
 * one from input_next, and those that follow each other in the input's
 * buffer (a run) are copied with one memcpy when the run ends.  A line is
 * described by 4 bytes of length and terminator, the rest (its number, a
 * cut or a bare CR) being the same for nearly every line and kept aside
 * for the others.  A reader that is ahead sleeps until half the ring is
 * free, not one batch: waking a thread is a system call, and one per batch
 * cost the caller 3% here.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "readahead.h"
#include "xalloc.h"

#define RA_BATCHES	8
#define RA_WAKE		4		/* free batches that wake the reader */
#define RA_BYTES	(128 * 1024)	/* a batch's bytes; more for a
					 * longer line */
#define RA_LINES	2048		/* a batch's lines */

/* A line's word in a batch: its length, terminator and whether it is odd
 * (cut, or with a bare CR inside), its details then in the batch's odd[]. */
#define RA_LEN_MASK	0x00ffffffu
#define RA_EOL_SHIFT	24
#define RA_ODD		0x80000000u
_Static_assert(INPUT_MAX_LINE <= RA_LEN_MASK, "a line's length fits in 24 bits");

struct ra_odd {
	size_t		 full_len;
	unsigned	 bare_cr;
	bool		 is_truncated;
	bool		 is_partial;
};

struct ra_batch {
	char		*bytes;
	size_t		 cap, used;
	uint32_t	 word[RA_LINES];	/* of each line, see RA_ODD */
	uint32_t	 off[RA_LINES];		/* of each line in bytes */
	struct ra_odd	 odd[RA_LINES];		/* for odd lines */
	unsigned long	 no;			/* number of the first line */
	size_t		 nlines;
	struct input_diag diag[INPUT_DIAG_MAX];	/* after the lines */
	size_t		 ndiag;
	int		 end;		/* 1: the input ends, -1: with an error */
	bool		 is_warm;	/* its pages are mapped (xprefault) */
};

/* Padding, so that the reader's and the caller's fields do not share a
 * cache line that would pass to and fro on every line; at both ends too,
 * as the reader reads in and b on every line, and a neighbour on the heap
 * may be written as often by the caller (a counter of format.c's was). */
#define RA_APART(n)	char n[128]

struct readahead {
	RA_APART(pad_head);
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
	const char	*run, *run_end;	/* lines in the input's buffer, not
					 * yet copied to batch w's used */
	/* the caller's */
	RA_APART(pad2);
	size_t		 r;
	size_t		 pos;
	bool		 has_batch;	/* batch r is being read */
	int		 done;		/* 1: ended, -1: ended with an error */
	RA_APART(pad_tail);
};

/* Reader: make batch w the one being filled; false if told to stop. */
static bool
ra_open(struct readahead *ra)
{
	struct ra_batch *b;

	if (ra->is_open)
		return true;
	pthread_mutex_lock(&ra->mu);
	/* A full ring: wait until RA_WAKE batches are free, so that the
	 * caller wakes this thread once for every RA_WAKE batches, not for
	 * each (a wake-up is a system call, and costly in a VM). */
	if (ra->filled == RA_BATCHES)
		while (ra->filled > RA_BATCHES - RA_WAKE && !ra->stop)
			pthread_cond_wait(&ra->room, &ra->mu);
	if (ra->stop) {
		pthread_mutex_unlock(&ra->mu);
		return false;
	}
	pthread_mutex_unlock(&ra->mu);
	b = &ra->b[ra->w];
	if (!b->is_warm) {
		/* about to be filled: its pages in one go, not a fault each */
		xprefault(b->bytes, b->cap);
		xprefault(b->word, sizeof(b->word));
		xprefault(b->off, sizeof(b->off));
		b->is_warm = true;
	}
	b->used = b->nlines = b->ndiag = 0;
	b->end = 0;
	ra->is_open = true;
	return true;
}

/* Reader: copy the run into batch w. */
static void
ra_flush(struct readahead *ra)
{
	struct ra_batch *b = &ra->b[ra->w];
	size_t n;

	if (ra->run == NULL)
		return;
	n = (size_t)(ra->run_end - ra->run);
	if (b->cap - b->used < n) {
		/* an empty batch and a line longer than its bytes */
		b->cap = b->used + n;
		b->bytes = xrealloc(b->bytes, b->cap);
	}
	memcpy(b->bytes + b->used, ra->run, n);
	b->used += n;
	ra->run = ra->run_end = NULL;
}

/* Reader: hand batch w over. */
static void
ra_publish(struct readahead *ra)
{
	ra_flush(ra);
	pthread_mutex_lock(&ra->mu);
	ra->filled++;
	pthread_cond_signal(&ra->more);
	pthread_mutex_unlock(&ra->mu);
	ra->w = (ra->w + 1) % RA_BATCHES;
	ra->is_open = false;
}

/* Reader, before the input's buffer changes and before a read(2) that may
 * wait: copy the run, and let the caller have what there is. */
static void
ra_before_read(void *arg)
{
	struct readahead *ra = arg;

	if (ra->is_open && ra->b[ra->w].nlines > 0)
		ra_publish(ra);
}

/* Reader: add line L to batch w, as part of the run when it follows the
 * run's last line in the input's buffer; false if told to stop. */
static bool
ra_add(struct readahead *ra, const struct line *l)
{
	struct ra_batch *b;
	uintptr_t at = (uintptr_t)l->bytes, end = (uintptr_t)ra->run_end;
	size_t need;
	bool joins;

	if (!ra_open(ra))
		return false;
	b = &ra->b[ra->w];
	/* Between two lines of a run there is at most the CR of a CR LF,
	 * the LF having become the first line's NUL. */
	joins = ra->run != NULL && at >= end && at - end <= 1;
	need = (joins ? (size_t)(ra->run_end - ra->run) + (at - end) :
	    ra->run != NULL ? (size_t)(ra->run_end - ra->run) : 0) +
	    l->len + 1;
	if (b->nlines == RA_LINES || (b->nlines > 0 &&
	    b->cap - b->used < need)) {
		ra_publish(ra);
		if (!ra_open(ra))
			return false;
		b = &ra->b[ra->w];
		joins = false;
	} else if (!joins)
		ra_flush(ra);
	if (!joins)
		ra->run = l->bytes;
	ra->run_end = l->bytes + l->len + 1;
	if (b->nlines == 0)
		b->no = l->no;
	b->off[b->nlines] = (uint32_t)(b->used + (size_t)(l->bytes - ra->run));
	b->word[b->nlines] = (uint32_t)l->len |
	    (uint32_t)l->eol << RA_EOL_SHIFT;
	if (l->bare_cr != 0 || l->is_truncated || l->is_partial ||
	    l->full_len != l->len) {
		b->word[b->nlines] |= RA_ODD;
		b->odd[b->nlines].full_len = l->full_len;
		b->odd[b->nlines].bare_cr = l->bare_cr;
		b->odd[b->nlines].is_truncated = l->is_truncated;
		b->odd[b->nlines].is_partial = l->is_partial;
	}
	b->nlines++;
	/* A line this long may be in the input's other buffer, for long
	 * lines, and nothing may join it. */
	if (l->len + 1 >= INPUT_MAX_LINE)
		ra_flush(ra);
	return true;
}

/*
 * Reader: the plain lines at the head of the input's buffer into batch w
 * in one go, with one copy of their bytes; how many (0: none could be, the
 * next line goes through input_next), or -1 if told to stop.
 */
static long
ra_split(struct readahead *ra)
{
	struct ra_batch *b;
	const char *first;
	unsigned long no;
	size_t n, i, last, end, room;

	if (!ra_open(ra))
		return -1;
	b = &ra->b[ra->w];
	ra_flush(ra);
	room = b->cap - b->used;
	n = input_split(ra->in, &first, &no, b->off + b->nlines,
	    b->word + b->nlines, RA_LINES - b->nlines, room);
	if (n == 0)
		return 0;
	if (b->nlines == 0)
		b->no = no;
	for (i = b->nlines; i < b->nlines + n; i++) {
		b->off[i] += (uint32_t)b->used;
		b->word[i] |= (uint32_t)EOL_LF << RA_EOL_SHIFT;
	}
	/* their bytes, from the first's start to the last's NUL */
	last = b->nlines + n - 1;
	end = b->off[last] + (b->word[last] & RA_LEN_MASK) + 1;
	memcpy(b->bytes + b->used, first, end - b->used);
	b->used = end;
	b->nlines += n;
	if (b->nlines == RA_LINES || b->cap - b->used < 256)
		ra_publish(ra);
	return (long)n;
}

static void *
ra_run(void *arg)
{
	struct readahead *ra = arg;
	struct input_diag d[INPUT_DIAG_MAX];
	struct ra_batch *b;
	struct line l;
	size_t nd;
	long n;
	int rc;

	for (;;) {
		if ((n = ra_split(ra)) < 0)
			return NULL;
		if (n > 0)
			continue;
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

/* Caller: the batch being read, with a line left in it; NULL at the end
 * of the input, *END then telling how (-1 once if with an error, then 0,
 * as input_next). */
static struct ra_batch *
ra_current(struct readahead *ra, int *end)
{
	struct ra_batch *b;
	size_t i;
	int e;

	for (;;) {
		if (ra->done != 0) {
			*end = ra->done > 0 ? 0 : -1;
			ra->done = 1;
			return NULL;
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
		if (ra->pos < b->nlines)
			return b;
		for (i = 0; i < b->ndiag; i++)
			input_print_diag(input_name(ra->in), &b->diag[i]);
		e = b->end;
		pthread_mutex_lock(&ra->mu);
		if (--ra->filled == RA_BATCHES - RA_WAKE)
			pthread_cond_signal(&ra->room);
		pthread_mutex_unlock(&ra->mu);
		ra->r = (ra->r + 1) % RA_BATCHES;
		ra->has_batch = false;
		ra->done = e;
	}
}

/* Caller: line POS of batch B into L. */
static inline void
ra_line(const struct ra_batch *b, size_t pos, struct line *l)
{
	uint32_t w = b->word[pos];

	l->no = b->no + pos;
	l->bytes = b->bytes + b->off[pos];
	l->len = w & RA_LEN_MASK;
	l->eol = (enum eol)((w & ~RA_ODD) >> RA_EOL_SHIFT);
	if (w & RA_ODD) {
		l->full_len = b->odd[pos].full_len;
		l->bare_cr = b->odd[pos].bare_cr;
		l->is_truncated = b->odd[pos].is_truncated;
		l->is_partial = b->odd[pos].is_partial;
	} else {
		l->full_len = l->len;
		l->bare_cr = 0;
		l->is_truncated = false;
		l->is_partial = false;
	}
}

int
readahead_next(struct readahead *ra, struct line *l)
{
	struct ra_batch *b;
	int end;

	if (!ra->is_threaded)
		return input_next(ra->in, l);
	if ((b = ra_current(ra, &end)) == NULL)
		return end;
	ra_line(b, ra->pos++, l);
	return 1;
}

long
readahead_lines(struct readahead *ra, struct line *l, size_t max)
{
	struct ra_batch *b;
	size_t n;
	int end;

	if (!ra->is_threaded || max <= 1)
		return readahead_next(ra, l);
	if ((b = ra_current(ra, &end)) == NULL)
		return end;
	for (n = 0; n < max && ra->pos < b->nlines; n++)
		ra_line(b, ra->pos++, &l[n]);
	return (long)n;
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
