/*
 * readahead: an input read by a second thread.  The thread reads, inflates
 * and splits lines (input.c) into a few batches of lines while the caller
 * analyses the batch before; on a machine with two cores reading then
 * costs the analysis almost nothing.  Same contract as input_next: a line
 * stays valid until the next call, diagnostics come out in order, after
 * the lines before them.  A batch is handed over when it is full or when
 * the reader is about to wait for more data, so `tail -f log | smtplint`
 * sees each line at once.  Without threads (pthread_create failing) it
 * reads in the caller's thread.
 */
#ifndef READAHEAD_H
#define READAHEAD_H

#include "input.h"

struct readahead;

/* Take over IN (freed by readahead_free) and start reading. */
struct readahead *readahead_new(struct input *in);
/* As input_next. */
int		 readahead_next(struct readahead *, struct line *l);
/* Up to MAX (at least 1) next lines into L[0..], valid until the next call;
 * how many, or as input_next 0 at the end and -1 at an end with an error. */
long		 readahead_lines(struct readahead *, struct line *l, size_t max);
/* Stop the reader, free it and its input. */
void		 readahead_free(struct readahead *);

#endif
