/*
 * input: the line reader.  Reads a file or standard input in large blocks,
 * decompresses gzip when the data starts with the gzip magic bytes, and hands
 * out one line at a time with its number, its terminator and its length.
 * Owns its read buffer; a line handed out stays valid until the next call.
 * Lines longer than INPUT_MAX_LINE are cut there and marked truncated; the
 * rest of such a line is skipped, never split into further lines.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef INPUT_MAX_LINE		/* smaller in the fuzzing build (Makefile) */
#define INPUT_MAX_LINE	(1024 * 1024)	/* bytes kept of one line */
#endif

enum eol {
	EOL_NONE,		/* last line of the input, no terminator */
	EOL_LF,			/* bare LF */
	EOL_CRLF,		/* CR LF */
	EOL_UNKNOWN,		/* the wire terminator is not visible (events only) */
	EOL_MAYBE_LF		/* a bare LF, if the transcript turns out to keep
				 * the wire's line endings (events only) */
};

struct line {
	unsigned long	 no;		/* 1-based line number in its input */
	const char	*bytes;		/* NUL-terminated copy of the line; may hold NULs */
	size_t		 len;		/* length without the terminator */
	enum eol	 eol;		/* how the line ended in the file */
	size_t		 full_len;	/* length before truncation */
	unsigned	 bare_cr;	/* CR bytes inside the line, not before the LF */
	bool		 is_truncated;	/* longer than INPUT_MAX_LINE */
	bool		 is_partial;	/* the last line, cut short by a read or
					 * gzip error: its rest never came */
};

struct input;

#define INPUT_DIAG_MAX	4

/* A diagnostic kept by a deferred input (input_defer). */
struct input_diag {
	bool		 is_error;	/* else a warning */
	unsigned long	 line;		/* 0: none */
	char		 msg[240];
};

/* Open PATH ("-" or NULL: standard input).  NULL after a diagnostic. */
struct input	*input_open(const char *path);
/* Open an already open descriptor (not closed by input_free). */
struct input	*input_fdopen(int fd, const char *name);
/* Next line: 1 and *L filled, 0 at end of input, -1 on a read or gzip
 * error (diagnosed; the lines before it were delivered). */
int		 input_next(struct input *, struct line *l);
/* Many plain lines at once, for a reader that hands them on (input.c). */
size_t		 input_split(struct input *, const char **first,
		    unsigned long *no, uint32_t *off, uint32_t *len, size_t max,
		    size_t maxbytes);
const char	*input_name(const struct input *);
bool		 input_is_gzip(const struct input *);
void		 input_free(struct input *);

/* For a reader that runs ahead of its consumer (readahead.c): keep the
 * diagnostics found while reading for input_take_diag instead of printing
 * them, and call BEFORE_READ(ARG), if not NULL, before each read(2), which
 * may block, and before the lines handed out so far are overwritten;
 * BEFORE_READ NULL: print them again, as at first. */
void		 input_defer(struct input *, void (*before_read)(void *),
		    void *arg);
/* Move up to MAX kept diagnostics to D; how many. */
size_t		 input_take_diag(struct input *, struct input_diag *d,
		    size_t max);
/* Print one, naming input NAME. */
void		 input_print_diag(const char *name, const struct input_diag *);

#endif
