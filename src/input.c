/*
 * The line reader.  Plain data is read straight into the line buffer with
 * read(2); data that starts with the gzip magic bytes (1f 8b) goes through
 * zlib's inflate, member after member (gzip -c a b > c is valid gzip).
 * Lines are split on LF only: a CR before the LF makes the line CRLF, any
 * other CR is counted as a bare CR and left in the line, so nothing is lost
 * and the terminator of every line stays visible (RFC 5321 2.3.8).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "diag.h"
#include "input.h"
#include "xalloc.h"

#define INPUT_BUFSZ	(2 * INPUT_MAX_LINE)	/* line buffer */
/* Compressed bytes; the first read of plain data is this size too and must
 * fit in the line buffer (a small INPUT_MAX_LINE in the fuzzing build). */
#define INPUT_RAWSZ	(INPUT_BUFSZ < 256 * 1024 ? INPUT_BUFSZ : 256 * 1024)
/*
 * Bytes asked for by one read(2) or inflate step: the buffer holds a line
 * of INPUT_MAX_LINE, but is filled a slice at a time, so that a log of
 * short lines keeps using the same first pages.  A page touched for the
 * first time is a page fault, and a fault costs ~10 us in a VM: 2 MiB of
 * buffer touched would be 512 of them.
 */
#define INPUT_READSZ	INPUT_RAWSZ

struct input {
	/* With read-ahead the reader's thread writes start, end and lineno
	 * on every line: away from whatever the heap put before it. */
	char		 pad_head[128];
	char		*name;		/* for diagnostics */
	int		 fd;
	bool		 owns_fd;
	bool		 is_gzip;
	bool		 is_eof;	/* no more bytes will come */
	bool		 is_failed;	/* a read or gzip error was diagnosed */
	bool		 told_error;	/* input_next returned -1 already */
	char		*buf;		/* INPUT_BUFSZ + 1 bytes */
	size_t		 start;		/* first byte of the next line */
	size_t		 end;		/* end of valid data */
	size_t		 cr;		/* the first CR at or after start, or
					 * end: none; valid if cr_ok */
	bool		 cr_ok;
	char		*longbuf;	/* kept head of an over-long line */
	/* input_defer: diagnostics kept for the caller, not printed */
	bool		 is_deferred;
	struct input_diag diag[INPUT_DIAG_MAX];
	size_t		 ndiag;
	void		(*before_read)(void *);
	void		*before_read_arg;
	unsigned long	 lineno;
	/* gzip */
	z_stream	 zs;
	bool		 zs_ready;
	bool		 z_member_done;	/* a member ended; more may follow */
	bool		 z_corrupt;	/* inflate failed after giving data */
	unsigned char	*raw;		/* INPUT_RAWSZ */
	size_t		 rawlen;	/* bytes in raw not yet given to zlib */
	bool		 raw_eof;
};

static struct input *
input_make(int fd, const char *name, bool owns)
{
	struct input *in;

	in = xcalloc(1, sizeof(*in));
	in->name = xstrdup(name);
	in->fd = fd;
	in->owns_fd = owns;
	in->buf = xmalloc(INPUT_BUFSZ + 1);
	return in;
}

struct input *
input_fdopen(int fd, const char *name)
{
	return input_make(fd, name, false);
}

/*
 * A pipe's buffer is 64 KiB by default: `cat log | smtplint` then costs a
 * context switch per 64 KiB.  Linux lets the reader grow it (F_SETPIPE_SZ,
 * fcntl(2)); where that fails nothing changes.
 */
static void
input_grow_pipe(int fd)
{
#if defined(__linux__)
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, 1031 /* F_SETPIPE_SZ */, 1024 * 1024);
#else
	(void)fd;
#endif
}

struct input *
input_open(const char *path)
{
	struct stat st;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		input_grow_pipe(STDIN_FILENO);
		return input_make(STDIN_FILENO, "<stdin>", false);
	}
	if ((fd = open(path, O_RDONLY)) == -1) {
		diag_error(path, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_error(path, 0, 0, "is a directory, not a file");
		close(fd);
		return NULL;
	}
	return input_make(fd, path, true);
}

const char *
input_name(const struct input *in)
{
	return in->name;
}

bool
input_is_gzip(const struct input *in)
{
	return in->is_gzip;
}

void
input_free(struct input *in)
{
	if (in == NULL)
		return;
	if (in->zs_ready)
		inflateEnd(&in->zs);
	if (in->owns_fd)
		close(in->fd);
	free(in->raw);
	free(in->longbuf);
	free(in->buf);
	free(in->name);
	free(in);
}

/*
 * A diagnostic found while reading: printed now, or kept for
 * input_take_diag when the reading runs ahead of the caller (readahead.c),
 * so that it comes out after the lines before it.
 */
static void DIAG_PRINTF(4, 5)
input_diag(struct input *in, bool is_error, unsigned long line,
    const char *fmt, ...)
{
	struct input_diag *d;
	va_list ap;

	va_start(ap, fmt);
	if (in->is_deferred && in->ndiag < INPUT_DIAG_MAX) {
		d = &in->diag[in->ndiag++];
		d->is_error = is_error;
		d->line = line;
		(void)vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	} else if (is_error)
		diag_verror(in->name, line, 0, fmt, ap);
	else
		diag_vwarn(in->name, line, 0, fmt, ap);
	va_end(ap);
}

void
input_defer(struct input *in, void (*before_read)(void *), void *arg)
{
	in->is_deferred = before_read != NULL;
	in->before_read = before_read;
	in->before_read_arg = arg;
}

size_t
input_take_diag(struct input *in, struct input_diag *d, size_t max)
{
	size_t n = in->ndiag < max ? in->ndiag : max;

	memcpy(d, in->diag, n * sizeof(*d));
	in->ndiag = 0;
	return n;
}

void
input_print_diag(const char *name, const struct input_diag *d)
{
	if (d->is_error)
		diag_error(name, d->line, 0, "%s", d->msg);
	else
		diag_warn(name, d->line, 0, "%s", d->msg);
}

/* For a read or gzip error: what it does to the line read so far, if the
 * error cuts one short (the buffer holds its start and no LF). */
static const char *
input_cut(const struct input *in)
{
	return in->end > in->start ?
	    "; this line is cut short there and not analysed" : "";
}

/* read(2) that retries on EINTR; -1 after a diagnostic. */
static ssize_t
input_read_fd(struct input *in, void *dst, size_t n)
{
	ssize_t r;

	if (in->before_read != NULL)
		in->before_read(in->before_read_arg);
	for (;;) {
		r = read(in->fd, dst, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		input_diag(in, true, in->lineno + 1, "read error: %s%s",
		    strerror(errno), input_cut(in));
		in->is_failed = true;
		return -1;
	}
}

/* Switch to gzip: the N bytes at buf[end - n .. end) are compressed. */
static void
input_start_gzip(struct input *in, size_t n)
{
	in->is_gzip = true;
	in->raw = xmalloc(INPUT_RAWSZ);
	memcpy(in->raw, in->buf + in->end - n, n);
	in->rawlen = n;
	in->end -= n;
	memset(&in->zs, 0, sizeof(in->zs));
	if (inflateInit2(&in->zs, 15 + 16) != Z_OK) {
		input_diag(in, true, 0, "cannot start gzip decompression");
		in->is_failed = true;
		in->is_eof = true;
		return;
	}
	in->zs_ready = true;
}

/* Inflate into buf[end .. INPUT_BUFSZ); returns bytes produced, 0 at the
 * end of the data, -1 on error (diagnosed). */
static ssize_t
input_inflate(struct input *in)
{
	size_t room = INPUT_BUFSZ - in->end < INPUT_READSZ ?
	    INPUT_BUFSZ - in->end : INPUT_READSZ;
	ssize_t r;
	int zr;

	if (in->z_corrupt) {
		/* Told now, after the lines that came before the damage. */
		input_diag(in, true, in->lineno + 1, "corrupt gzip data: %s%s",
		    in->zs.msg ? in->zs.msg : "inflate failed", input_cut(in));
		in->is_failed = true;
		return -1;
	}
	for (;;) {
		if (in->rawlen == 0 && !in->raw_eof) {
			r = input_read_fd(in, in->raw, INPUT_RAWSZ);
			if (r < 0)
				return -1;
			if (r == 0)
				in->raw_eof = true;
			in->rawlen = (size_t)r;
			in->zs.next_in = in->raw;
		} else if (in->zs.next_in == NULL)
			in->zs.next_in = in->raw;
		if (in->z_member_done) {
			/* Another gzip member may follow (RFC 1952 2.2). */
			if (in->rawlen == 0 && in->raw_eof)
				return 0;
			if (in->rawlen == 0)
				continue;
			if (in->zs.next_in[0] != 0x1f) {
				input_diag(in, false, 0,
				    "data after the end of the gzip stream ignored");
				in->rawlen = 0;
				in->raw_eof = true;
				return 0;
			}
			inflateReset(&in->zs);
			in->z_member_done = false;
		}
		if (in->rawlen == 0 && in->raw_eof) {
			input_diag(in, true, in->lineno + 1,
			    "truncated gzip data: the compressed stream ends "
			    "early%s", input_cut(in));
			in->is_failed = true;
			return -1;
		}
		in->zs.avail_in = (uInt)in->rawlen;
		in->zs.next_out = (unsigned char *)in->buf + in->end;
		in->zs.avail_out = (uInt)room;
		zr = inflate(&in->zs, Z_NO_FLUSH);
		in->rawlen = in->zs.avail_in;
		if (in->rawlen == 0)
			in->zs.next_in = NULL;
		r = (ssize_t)(room - in->zs.avail_out);
		if (zr == Z_STREAM_END)
			in->z_member_done = true;
		else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			if (r > 0) {
				/* Hand out the data first; the next call
				 * reports the error (once). */
				in->z_corrupt = true;
				return r;
			}
			input_diag(in, true, in->lineno + 1,
			    "corrupt gzip data: %s%s",
			    in->zs.msg ? in->zs.msg : "inflate failed",
			    input_cut(in));
			in->is_failed = true;
			return -1;
		}
		if (r > 0)
			return r;
	}
}

/* Before the first read: map the pages the reads will use (the first
 * INPUT_READSZ and a line's tail after them), or as many as a small
 * file needs. */
static void
input_warm(struct input *in)
{
	struct stat st;
	size_t n = INPUT_READSZ + 4096;

	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size >= 0 && (unsigned long long)st.st_size < n)
		n = (size_t)st.st_size + 1;
	xprefault(in->buf, n < INPUT_BUFSZ ? n : INPUT_BUFSZ);
}

/* Fill the buffer after compacting it; false when nothing more comes. */
static bool
input_fill(struct input *in)
{
	ssize_t r;
	bool first = (in->lineno == 0 && in->end == 0 && !in->is_gzip);

	if (in->is_eof)
		return false;
	if (first)
		input_warm(in);
	/* The lines handed out so far may be overwritten from here on. */
	if (in->before_read != NULL)
		in->before_read(in->before_read_arg);
	in->cr_ok = false;
	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	if (in->end == INPUT_BUFSZ)
		return true;	/* full: the caller handles the long line */
	if (in->is_gzip)
		r = input_inflate(in);
	else {
		/* The first read is no larger than the gzip input buffer, so
		 * that it can move there when it holds gzip data. */
		r = input_read_fd(in, in->buf + in->end,
		    first ? INPUT_RAWSZ : INPUT_BUFSZ - in->end < INPUT_READSZ ?
		    INPUT_BUFSZ - in->end : INPUT_READSZ);
		/* Gzip by magic bytes, whatever the name (DESIGN.md). */
		if (first && r > 0) {
			while (r == 1) {
				ssize_t r2 = input_read_fd(in, in->buf + 1,
				    INPUT_RAWSZ - 1);
				if (r2 <= 0)
					break;
				r += r2;
			}
			if (r >= 2 && (unsigned char)in->buf[0] == 0x1f &&
			    (unsigned char)in->buf[1] == 0x8b) {
				in->end = (size_t)r;
				input_start_gzip(in, (size_t)r);
				return input_fill(in);
			}
		}
	}
	if (r <= 0) {
		in->is_eof = true;
		return false;
	}
	in->end += (size_t)r;
	return true;
}

/* The offset of the first CR at or after P in the data, in->end when
 * there is none (the cache of input_eol and input_split). */
static size_t
input_cr(struct input *in, const char *p)
{
	size_t at = (size_t)(p - in->buf);
	const char *c;

	if (!in->cr_ok || in->cr < at) {
		c = memchr(p, '\r', in->end - at);
		in->cr = c != NULL ? (size_t)(c - in->buf) : in->end;
		in->cr_ok = true;
	}
	return in->cr;
}

/*
 * The first LF in [P, END), or NULL; *CR tells whether a CR comes before
 * it (or before END).  The LF is found with memchr; the CR is looked for
 * once for a whole buffer of lines without one, and again only after the
 * CR found, so that a log without CRs costs one memchr a line.
 */
static char *
input_eol(struct input *in, char *p, char *end, bool *cr)
{
	char *nl = memchr(p, '\n', (size_t)(end - p));

	*cr = input_cr(in, p) < (nl != NULL ? (size_t)(nl - in->buf) :
	    in->end);
	return nl;
}

/* Fill L from LEN bytes at P ending with terminator EOL; HAS_CR: P may
 * hold a CR (false only when the caller knows that none is there). */
static void
input_set_line(struct input *in, struct line *l, char *p, size_t len,
    enum eol eol, size_t full_len, bool truncated, bool has_cr)
{
	const char *cr;
	unsigned n = 0;

	if (has_cr) {
		if (eol == EOL_LF && len > 0 && p[len - 1] == '\r' &&
		    !truncated) {
			eol = EOL_CRLF;
			len--;
			full_len--;
		}
		if ((cr = memchr(p, '\r', len)) != NULL)
			for (; cr < p + len; cr++)
				n += *cr == '\r';
	}
	p[len] = '\0';
	l->no = ++in->lineno;
	l->bytes = p;
	l->len = len;
	l->eol = eol;
	l->full_len = full_len;
	l->bare_cr = n;
	l->is_truncated = truncated;
	l->is_partial = false;
	/* Old Mac line ends: the whole input is one line of CRs. */
	if (l->no == 1 && n >= 2 && (eol == EOL_NONE || truncated))
		input_diag(in, false, 1, "no line feed in the first line but "
		    "%u carriage returns: lines that end in CR alone are not "
		    "split (convert them with tr '\\r' '\\n')", n);
}

/*
 * An over-long line: keep its first INPUT_MAX_LINE bytes, skip to its LF.
 * Its length and terminator (CR LF or bare LF) are those of the whole line,
 * so that a cut line is not taken for one with a bare LF.  A line of exactly
 * the cap is whole, not truncated.
 */
static int
input_long_line(struct input *in, struct line *l)
{
	enum eol eol = EOL_NONE;
	size_t full;
	char *nl, last;

	if (in->longbuf == NULL)
		in->longbuf = xmalloc(INPUT_MAX_LINE + 1);
	memcpy(in->longbuf, in->buf + in->start, INPUT_MAX_LINE);
	full = in->end - in->start;
	last = in->buf[in->end - 1];
	in->start = in->end;
	while (input_fill(in)) {
		nl = memchr(in->buf + in->start, '\n', in->end - in->start);
		if (nl != NULL) {
			if (nl > in->buf + in->start)
				last = nl[-1];
			full += (size_t)(nl - (in->buf + in->start));
			in->start = (size_t)(nl - in->buf) + 1;
			eol = EOL_LF;
			break;
		}
		full += in->end - in->start;
		last = in->buf[in->end - 1];
		in->start = in->end;
	}
	if (eol == EOL_LF && last == '\r') {
		eol = EOL_CRLF;
		full--;
	}
	if (full <= INPUT_MAX_LINE)
		input_set_line(in, l, in->longbuf, full, eol, full, false,
		    true);
	else
		input_set_line(in, l, in->longbuf, INPUT_MAX_LINE, eol, full,
		    true, true);
	l->is_partial = eol == EOL_NONE && in->is_failed;
	return 1;
}

#if defined(__SSE2__)
/* The LFs among the 64 bytes at P, one bit each. */
static inline uint64_t
input_lf64(const char *p)
{
	const __m128i lf = _mm_set1_epi8('\n');

	/* Spelt out: gcc -O2 keeps a loop over the four, at three times
	 * the instructions. */
#define INPUT_LF16(i) ((uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8( \
	_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * (i))), lf)) << \
	(16 * (i)))
	return INPUT_LF16(0) | INPUT_LF16(1) | INPUT_LF16(2) | INPUT_LF16(3);
#undef INPUT_LF16
}
#endif

/*
 * The plain lines at the head of the buffer, many at once, for a caller
 * that takes them by the thousand (readahead.c): whole LF-terminated lines
 * with no CR in them and within the cap, up to MAX of them and MAXBYTES
 * bytes.  The first starts at *FIRST and is number *NO; line i starts
 * OFF[i] bytes after the first and is LEN[i] bytes long, its LF become a
 * NUL.  0 when the next line is not such a line or not whole in the
 * buffer: input_next takes it.  The lines stay valid as input_next's do.
 */
size_t
input_split(struct input *in, const char **first, unsigned long *no,
    uint32_t *off, uint32_t *len, size_t max, size_t maxbytes)
{
	char *p = in->buf + in->start, *p0 = p, *stop, *nl, *at;
	size_t n = 0, ln;
#if defined(__SSE2__)
	uint64_t lfs = 0;	/* LFs not taken yet in the 64 bytes at blk */
	char *blk = p;
#endif

	/* Lines that end before the first CR hold none. */
	stop = in->buf + input_cr(in, p);
	if ((size_t)(stop - p) > maxbytes)
		stop = p + maxbytes;
	/* The LFs are found 64 bytes at a time, as bits, the last few bytes
	 * with memchr: a memchr a line costs twice as much. */
	at = p;
	while (n < max) {
#if defined(__SSE2__)
		while (lfs == 0 && stop - at >= 64) {
			blk = at;
			lfs = input_lf64(blk);
			at += 64;
		}
		if (lfs != 0) {
			nl = blk + __builtin_ctzll(lfs);
			lfs &= lfs - 1;
		} else
#endif
		{
			if ((nl = memchr(at, '\n', (size_t)(stop - at))) == NULL)
				break;
			at = nl + 1;
		}
		/* Not in the normal build, whose reads are smaller than the
		 * cap; in the fuzzing build's (Makefile) they are not. */
		if ((ln = (size_t)(nl - p)) > INPUT_MAX_LINE)
			break;
		*nl = '\0';
		off[n] = (uint32_t)(p - p0);
		len[n] = (uint32_t)ln;
		n++;
		p = nl + 1;
	}
	*first = p0;
	*no = in->lineno + 1;
	in->start = (size_t)(p - in->buf);
	in->lineno += n;
	return n;
}

int
input_next(struct input *in, struct line *l)
{
	char *p, *nl;
	size_t avail, n;
	bool cr;

	for (;;) {
		p = in->buf + in->start;
		avail = in->end - in->start;
		if ((nl = input_eol(in, p, p + avail, &cr)) != NULL) {
			n = (size_t)(nl - p);
			in->start += n + 1;
			/* The whole line is in the buffer, but it may still
			 * be longer than the cap: cut it all the same. */
			if (n > 0 && p[n - 1] == '\r' &&
			    n - 1 > INPUT_MAX_LINE)
				input_set_line(in, l, p, INPUT_MAX_LINE,
				    EOL_CRLF, n - 1, true, true);
			else if (n > INPUT_MAX_LINE && p[n - 1] != '\r')
				input_set_line(in, l, p, INPUT_MAX_LINE, EOL_LF,
				    n, true, true);
			else
				input_set_line(in, l, p, n, EOL_LF, n, false,
				    cr);
			return 1;
		}
		if (avail >= INPUT_MAX_LINE)
			return input_long_line(in, l);
		if (!input_fill(in))
			break;
	}
	/* End of input: a last line without terminator. */
	avail = in->end - in->start;
	if (avail > 0) {
		p = in->buf + in->start;
		in->start = in->end;
		input_set_line(in, l, p, avail, EOL_NONE, avail, false, true);
		/* Ended by an error: the rest of the line never came (the
		 * diagnostic says so). */
		l->is_partial = in->is_failed;
		return 1;
	}
	if (in->is_failed && !in->told_error) {
		in->told_error = true;
		return -1;
	}
	return 0;
}
