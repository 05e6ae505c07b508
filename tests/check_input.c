/*
 * check_input: the line reader.  One table of small inputs (line endings,
 * bare CR, NUL, empty, invalid UTF-8) is read four ways: as a plain file,
 * gzip-compressed, and through a pipe that delivers one byte and then the
 * rest, plain and compressed (gzip is detected by magic bytes across short
 * reads).  A second table of over-long lines around the 1 MiB cap, read
 * from a file, a pipe and gzip.  Then the broken inputs: truncated and
 * corrupt gzip, trailing junk, a directory, a missing file; each must be
 * diagnosed on stderr naming the file, after the lines before it.
 */
#include <sys/stat.h>

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "input.h"
#include "readahead.h"
#include "testutil.h"
#include "xalloc.h"

#define MAXL	INPUT_MAX_LINE
#define MIB	(1024 * 1024)

/* ---- helpers */

/*
 * Every test runs twice: reading with input_next, and through readahead
 * (a second thread that reads ahead in batches), with the same
 * expectations: the same lines, numbers, terminators, diagnostics in the
 * same place.
 */
static bool via_ra;
static struct input *ra_in;
static struct readahead *ra;

static void
use_readahead(void)
{
	via_ra = true;
}

static int
next_line(struct input *in, struct line *l)
{
	if (!via_ra)
		return input_next(in, l);
	if (ra_in != in) {
		ck_assert_msg(ra == NULL, "two inputs read at once");
		ra = readahead_new(in);
		ra_in = in;
	}
	return readahead_next(ra, l);
}

static void
free_input(struct input *in)
{
	if (via_ra && in != NULL && ra_in == in) {
		readahead_free(ra);
		ra = NULL;
		ra_in = NULL;
	} else
		input_free(in);
}

/* Compress LEN bytes into one gzip member (caller frees). */
static unsigned char *
gz_make(const void *data, size_t len, size_t *outlen)
{
	static unsigned seq;
	char name[64], *path;
	unsigned char *out;
	gzFile gz;

	snprintf(name, sizeof(name), "gz-%u-%ld.gz", seq++, (long)getpid());
	path = tu_write_file(name, "", 0);
	gz = gzopen(path, "wb6");
	ck_assert_ptr_nonnull(gz);
	if (len > 0)
		ck_assert_int_eq(gzwrite(gz, data, (unsigned)len), (int)len);
	ck_assert_int_eq(gzclose(gz), Z_OK);
	out = (unsigned char *)tu_read_file(path, outlen);
	ck_assert_ptr_nonnull(out);
	unlink(path);
	free(path);
	return out;
}

struct feeder {
	int			 fd;
	const unsigned char	*data;
	size_t			 len;
	size_t			 first;		/* bytes of the first write */
	size_t			 chunk;		/* then writes of this size */
};

static void *
feeder_run(void *arg)
{
	struct feeder *f = arg;
	size_t off = 0, n;
	ssize_t w;

	while (off < f->len) {
		n = off == 0 ? f->first : f->chunk;
		if (n > f->len - off)
			n = f->len - off;
		w = write(f->fd, f->data + off, n);
		if (w <= 0)
			break;
		off += (size_t)w;
		if (off == f->first) {
			/* Let the reader see the short read. */
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	close(f->fd);
	return NULL;
}

/* A pipe whose writer thread sends FIRST bytes, waits, then CHUNK-sized
 * writes.  Returns the read end. */
static int
feed_pipe(struct feeder *f, pthread_t *t, const void *data, size_t len,
    size_t first, size_t chunk)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	f->fd = p[1];
	f->data = data;
	f->len = len;
	f->first = first ? first : 1;
	f->chunk = chunk;
	ck_assert_int_eq(pthread_create(t, NULL, feeder_run, f), 0);
	return p[0];
}

/* ---- small inputs */

struct exp_line {
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	enum eol	 eol;
	unsigned	 bare_cr;
};

static const struct small_case {
	const char	*name;
	const char	*data;
	size_t		 len;		/* 0: strlen(data) */
	struct exp_line	 lines[5];	/* up to a NULL text */
} small_cases[] = {
	{ "crlf", "a\r\nbc\r\n", 0,
	    { { "a", 0, EOL_CRLF, 0 }, { "bc", 0, EOL_CRLF, 0 } } },
	{ "lf", "a\nbc\n", 0,
	    { { "a", 0, EOL_LF, 0 }, { "bc", 0, EOL_LF, 0 } } },
	{ "no final newline", "a\nbc", 0,
	    { { "a", 0, EOL_LF, 0 }, { "bc", 0, EOL_NONE, 0 } } },
	{ "mixed endings", "a\r\nb\nc", 0,
	    { { "a", 0, EOL_CRLF, 0 }, { "b", 0, EOL_LF, 0 },
	      { "c", 0, EOL_NONE, 0 } } },
	{ "bare CR inside", "a\rb\r\n", 0,
	    { { "a\rb", 0, EOL_CRLF, 1 } } },
	{ "CR CR LF", "x\r\r\n", 0, { { "x\r", 0, EOL_CRLF, 1 } } },
	{ "lone CR at the end", "a\r", 0, { { "a\r", 0, EOL_NONE, 1 } } },
	{ "only CRs: no line break", "\r\r\r", 0,
	    { { "\r\r\r", 0, EOL_NONE, 3 } } },
	{ "NUL inside", "a\0b\n", 4, { { "a\0b", 3, EOL_LF, 0 } } },
	{ "NUL line", "\0\0\r\n", 4, { { "\0\0", 2, EOL_CRLF, 0 } } },
	{ "empty file", "", 0, { { NULL, 0, 0, 0 } } },
	{ "empty lines", "\n\r\n\n", 0,
	    { { "", 0, EOL_LF, 0 }, { "", 0, EOL_CRLF, 0 },
	      { "", 0, EOL_LF, 0 } } },
	{ "invalid UTF-8", "\xff\xfe\xc3\n", 0,
	    { { "\xff\xfe\xc3", 0, EOL_LF, 0 } } },
	{ "one byte", "x", 0, { { "x", 0, EOL_NONE, 0 } } },
	{ "one gzip magic byte is not gzip", "\x1f", 0,
	    { { "\x1f", 0, EOL_NONE, 0 } } },
	{ "binary", "\x1f\x8a\x00\x01\n", 5,
	    { { "\x1f\x8a\x00\x01", 4, EOL_LF, 0 } } },
};

/* Read every line of IN and compare with TC; the input ends cleanly. */
static void
small_expect(struct input *in, const struct small_case *tc, const char *how)
{
	struct line l;
	size_t i, want;
	int r;

	for (i = 0; tc->lines[i].text != NULL; i++) {
		const struct exp_line *e = &tc->lines[i];

		want = e->len ? e->len : strlen(e->text);
		r = next_line(in, &l);
		ck_assert_msg(r == 1, "%s (%s): line %zu: input_next %d",
		    tc->name, how, i + 1, r);
		ck_assert_msg(l.no == i + 1, "%s (%s): number %lu", tc->name,
		    how, l.no);
		ck_assert_msg(l.len == want, "%s (%s): line %zu: len %zu, "
		    "want %zu", tc->name, how, i + 1, l.len, want);
		ck_assert_msg(memcmp(l.bytes, e->text, want) == 0,
		    "%s (%s): line %zu: bytes differ", tc->name, how, i + 1);
		ck_assert_msg(l.bytes[l.len] == '\0', "%s: not terminated",
		    tc->name);
		ck_assert_msg(l.eol == e->eol, "%s (%s): line %zu: eol %d, "
		    "want %d", tc->name, how, i + 1, l.eol, e->eol);
		ck_assert_msg(l.bare_cr == e->bare_cr, "%s (%s): line %zu: "
		    "bare_cr %u, want %u", tc->name, how, i + 1, l.bare_cr,
		    e->bare_cr);
		ck_assert_msg(!l.is_truncated && l.full_len == l.len,
		    "%s (%s): line %zu truncated", tc->name, how, i + 1);
		ck_assert_msg(!l.is_partial, "%s (%s): line %zu partial",
		    tc->name, how, i + 1);
	}
	ck_assert_msg((r = next_line(in, &l)) == 0, "%s (%s): after the last "
	    "line: %d", tc->name, how, r);
	ck_assert_int_eq(next_line(in, &l), 0);	/* stays at the end */
}

static size_t
small_len(const struct small_case *tc)
{
	return tc->len ? tc->len : strlen(tc->data);
}

/* Nothing on stderr, but the warning for a file of CRs alone (its own
 * test is test_input_cr_only). */
static void
expect_quiet(const struct small_case *tc, const char *err)
{
	ck_assert_msg(err[0] == '\0' || (strcmp(tc->name,
	    "only CRs: no line break") == 0 && strstr(err, "carriage") != NULL),
	    "%s: stderr: %s", tc->name, err);
}

START_TEST(test_input_file)
{
	const struct small_case *tc = &small_cases[_i];
	struct tu_stderr cap;
	struct input *in;
	char name[32], *path, *err;

	snprintf(name, sizeof(name), "small-%d.txt", _i);
	path = tu_write_file(name, tc->data, small_len(tc));
	tu_stderr_begin(&cap);
	in = input_open(path);
	ck_assert_ptr_nonnull(in);
	ck_assert_str_eq(input_name(in), path);
	small_expect(in, tc, "file");
	ck_assert(!input_is_gzip(in));
	free_input(in);
	err = tu_stderr_end(&cap);
	expect_quiet(tc, err);
	free(err);
	free(path);
}
END_TEST

/* Gzip is recognised by its magic bytes, whatever the file's name. */
START_TEST(test_input_gzip)
{
	const struct small_case *tc = &small_cases[_i];
	struct tu_stderr cap;
	struct input *in;
	unsigned char *gz;
	size_t gzlen;
	char name[32], *path, *err;

	gz = gz_make(tc->data, small_len(tc), &gzlen);
	snprintf(name, sizeof(name), "small-%d.log", _i);
	path = tu_write_file(name, gz, gzlen);
	tu_stderr_begin(&cap);
	in = input_open(path);
	ck_assert_ptr_nonnull(in);
	small_expect(in, tc, "gzip");
	ck_assert_msg(input_is_gzip(in), "%s: not seen as gzip", tc->name);
	free_input(in);
	err = tu_stderr_end(&cap);
	expect_quiet(tc, err);
	free(err);
	free(path);
	free(gz);
}
END_TEST

/* A pipe that gives one byte, then the rest: plain and gzip. */
static void
small_pipe(const struct small_case *tc, bool gzip)
{
	struct feeder f;
	struct tu_stderr cap;
	pthread_t t;
	struct input *in;
	unsigned char *gz = NULL;
	const void *data = tc->data;
	size_t len = small_len(tc);
	char *err;
	int fd;

	if (gzip)
		data = gz = gz_make(tc->data, len, &len);
	if (len == 0) {
		/* Nothing to feed: an empty pipe is an empty input. */
		fd = feed_pipe(&f, &t, "", 0, 1, 1);
	} else
		fd = feed_pipe(&f, &t, data, len, 1, 4096);
	tu_stderr_begin(&cap);
	in = input_fdopen(fd, "<pipe>");
	ck_assert_ptr_nonnull(in);
	small_expect(in, tc, gzip ? "pipe, gzip" : "pipe");
	ck_assert_msg(input_is_gzip(in) == gzip, "%s: is_gzip %d", tc->name,
	    input_is_gzip(in));
	free_input(in);
	err = tu_stderr_end(&cap);
	expect_quiet(tc, err);
	free(err);
	pthread_join(t, NULL);
	/* input_fdopen does not own the descriptor. */
	ck_assert_int_eq(close(fd), 0);
	free(gz);
}

START_TEST(test_input_pipe)
{
	small_pipe(&small_cases[_i], false);
}
END_TEST

START_TEST(test_input_pipe_gzip)
{
	small_pipe(&small_cases[_i], true);
}
END_TEST

/* ---- long lines around the cap */

enum via {
	VIA_FILE,
	VIA_PIPE,		/* 64 KiB writes: the line never fits at once */
	VIA_GZIP
};

static const struct long_case {
	const char	*name;
	size_t		 linelen;	/* bytes before the terminator */
	const char	*term;		/* "\n", "\r\n" or "" (end of input) */
	enum via	 via;
} long_cases[] = {
	{ "1 MiB - 1, file", MAXL - 1, "\n", VIA_FILE },
	{ "exactly 1 MiB, file", MAXL, "\n", VIA_FILE },
	{ "exactly 1 MiB CRLF, file", MAXL, "\r\n", VIA_FILE },
	{ "1 MiB + 1, file", MAXL + 1, "\n", VIA_FILE },
	{ "1 MiB + 1 CRLF, file", MAXL + 1, "\r\n", VIA_FILE },
	{ "5 MiB, file", 5 * MIB, "\n", VIA_FILE },
	{ "5 MiB CRLF, file", 5 * MIB, "\r\n", VIA_FILE },
	{ "5 MiB at the end, file", 5 * MIB, "", VIA_FILE },
	{ "exactly 1 MiB at the end, file", MAXL, "", VIA_FILE },
	{ "exactly 1 MiB, pipe", MAXL, "\n", VIA_PIPE },
	{ "exactly 1 MiB CRLF, pipe", MAXL, "\r\n", VIA_PIPE },
	{ "1 MiB + 1, pipe", MAXL + 1, "\n", VIA_PIPE },
	{ "5 MiB, pipe", 5 * MIB, "\n", VIA_PIPE },
	{ "5 MiB at the end, pipe", 5 * MIB, "", VIA_PIPE },
	{ "exactly 1 MiB, gzip", MAXL, "\n", VIA_GZIP },
	{ "1 MiB + 1, gzip", MAXL + 1, "\n", VIA_GZIP },
	{ "5 MiB, gzip", 5 * MIB, "\r\n", VIA_GZIP },
};

START_TEST(test_input_long)
{
	const struct long_case *tc = &long_cases[_i];
	static const char after[] = "next\r\nlast\n";
	size_t tlen = strlen(tc->term), len, i, gzlen;
	bool at_end = tlen == 0, cut = tc->linelen > MAXL;
	unsigned char *data, *gz = NULL;
	struct input *in;
	struct feeder f;
	pthread_t t;
	struct line l;
	char name[32], *path = NULL;
	int fd = -1;

	len = tc->linelen + tlen + (at_end ? 0 : sizeof(after) - 1);
	data = malloc(len);
	ck_assert_ptr_nonnull(data);
	for (i = 0; i < tc->linelen; i++)
		data[i] = (unsigned char)('a' + i % 26);
	memcpy(data + tc->linelen, tc->term, tlen);
	if (!at_end)
		memcpy(data + tc->linelen + tlen, after, sizeof(after) - 1);
	switch (tc->via) {
	case VIA_FILE:
	case VIA_GZIP:
		if (tc->via == VIA_GZIP)
			gz = gz_make(data, len, &gzlen);
		snprintf(name, sizeof(name), "long-%d", _i);
		path = gz ? tu_write_file(name, gz, gzlen) :
		    tu_write_file(name, data, len);
		in = input_open(path);
		break;
	default:
		fd = feed_pipe(&f, &t, data, len, 65536, 65536);
		in = input_fdopen(fd, "<pipe>");
		break;
	}
	ck_assert_ptr_nonnull(in);

	ck_assert_int_eq(next_line(in, &l), 1);
	ck_assert_uint_eq(l.no, 1);
	ck_assert_msg(l.is_truncated == cut, "%s: is_truncated %d", tc->name,
	    l.is_truncated);
	ck_assert_msg(l.len == (cut ? MAXL : tc->linelen), "%s: len %zu",
	    tc->name, l.len);
	ck_assert_msg(memcmp(l.bytes, data, l.len) == 0, "%s: bytes differ",
	    tc->name);
	ck_assert_int_eq(l.bytes[l.len], '\0');
	ck_assert_uint_eq(l.bare_cr, 0);
	if (!cut) {
		ck_assert_msg(l.full_len == l.len, "%s: full_len %zu", tc->name,
		    l.full_len);
		ck_assert_msg(l.eol == (at_end ? EOL_NONE : tlen == 2 ?
		    EOL_CRLF : EOL_LF), "%s: eol %d", tc->name, l.eol);
	} else if (at_end) {
		ck_assert_msg(l.full_len == tc->linelen, "%s: full_len %zu",
		    tc->name, l.full_len);
		ck_assert_int_eq(l.eol, EOL_NONE);
	} else {
		/* The CR of a cut line's CRLF may count in full_len; the
		 * ending is reported as a line feed (input.h). */
		ck_assert_msg(l.full_len == tc->linelen ||
		    (tlen == 2 && l.full_len == tc->linelen + 1),
		    "%s: full_len %zu, want %zu", tc->name, l.full_len,
		    tc->linelen);
		ck_assert_msg(l.eol == EOL_LF || (tlen == 2 &&
		    l.eol == EOL_CRLF), "%s: eol %d", tc->name, l.eol);
	}
	if (!at_end) {
		/* The rest of the long line is skipped, never a new line. */
		ck_assert_int_eq(next_line(in, &l), 1);
		ck_assert_uint_eq(l.no, 2);
		ck_assert_msg(l.len == 4 && memcmp(l.bytes, "next", 4) == 0,
		    "%s: line 2 is '%.*s'", tc->name,
		    (int)(l.len > 40 ? 40 : l.len), l.bytes);
		ck_assert_int_eq(l.eol, EOL_CRLF);
		ck_assert(!l.is_truncated);
		ck_assert_int_eq(next_line(in, &l), 1);
		ck_assert_uint_eq(l.no, 3);
		ck_assert_str_eq(l.bytes, "last");
	}
	ck_assert_int_eq(next_line(in, &l), 0);
	free_input(in);
	if (fd >= 0) {
		pthread_join(t, NULL);
		close(fd);
	}
	free(path);
	free(gz);
	free(data);
}
END_TEST

/* ---- broken inputs */

/* Numbered lines with some variety, so that gzip does not shrink them to
 * nothing. */
static char *
numbered_lines(unsigned n, size_t *lenp)
{
	char *s, *p;
	unsigned i;

	s = p = malloc((size_t)n * 40 + 1);
	ck_assert_ptr_nonnull(s);
	for (i = 1; i <= n; i++)
		p += sprintf(p, "line %u %08x\n", i, i * 2654435761u);
	*lenp = (size_t)(p - s);
	return s;
}

/* Read FILE (bytes DATA) to the end: the lines must be a prefix of the
 * numbered lines; returns how many whole lines came, and the result of
 * the last input_next in *LAST, stderr in *ERR. */
static unsigned
read_numbered(const char *name, const void *data, size_t len, int *last,
    char **err, bool *partial)
{
	struct tu_stderr cap;
	struct input *in;
	struct line l;
	char want[64], *path;
	unsigned n = 0;
	int r;
	bool flagged = false;

	path = tu_write_file(name, data, len);
	*partial = false;
	diag_reset();
	tu_stderr_begin(&cap);
	in = input_open(path);
	ck_assert_ptr_nonnull(in);
	while ((r = next_line(in, &l)) == 1) {
		snprintf(want, sizeof(want), "line %u %08x", n + 1,
		    (n + 1) * 2654435761u);
		ck_assert_msg(!*partial, "%s: a line after the partial one",
		    name);
		if (l.eol == EOL_NONE) {
			/* The piece of a line before the damage. */
			ck_assert_msg(l.len < strlen(want) &&
			    memcmp(l.bytes, want, l.len) == 0,
			    "%s: last piece '%s'", name, l.bytes);
			*partial = true;
			flagged = l.is_partial;
			continue;
		}
		ck_assert_msg(strcmp(l.bytes, want) == 0,
		    "%s: line %u is '%s', want '%s'", name, n + 1, l.bytes,
		    want);
		n++;
	}
	*last = r;
	/* A piece is cut short by an error, or is a last line of its own
	 * (the stream ended there, junk after it ignored). */
	ck_assert_msg(flagged == (*partial && r == -1), "%s: the last piece "
	    "is%s marked partial", name, flagged ? "" : " not");
	if (r == -1)	/* the error is told once, then the end */
		ck_assert_int_eq(next_line(in, &l), 0);
	free_input(in);
	*err = tu_stderr_end(&cap);
	free(path);
	return n;
}

/* Check that ERR is one diagnostic "smtplint: …NAME…: error: …WHAT…". */
static void
expect_diag(const char *err, const char *name, const char *level,
    const char *what)
{
	char prefix[512];

	snprintf(prefix, sizeof(prefix), "smtplint: %s/%s:", tu_tmpdir(), name);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
	    "diagnostic '%s' does not start with '%s'", err, prefix);
	ck_assert_msg(strstr(err, level) != NULL, "'%s' lacks '%s'", err,
	    level);
	ck_assert_msg(strstr(err, what) != NULL, "'%s' lacks '%s'", err, what);
	ck_assert_msg(tu_count_lines(err) == 1, "not one line: '%s'", err);
}

/* A line longer than the cap whose gzip stream breaks off inside it: the
 * kept head comes, cut and marked partial. */
static void
cut_long_line(void)
{
	struct tu_stderr cap;
	struct input *in;
	struct line l;
	unsigned char *data, *gz;
	size_t len = MAXL + MAXL / 2, gzlen, i;
	unsigned x = 1;
	char *path, *err;

	data = malloc(len);
	ck_assert_ptr_nonnull(data);
	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)('a' + (x >> 16) % 26);
	}
	gz = gz_make(data, len, &gzlen);
	path = tu_write_file("longcut.gz", gz, gzlen * 9 / 10);
	tu_stderr_begin(&cap);
	in = input_open(path);
	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(next_line(in, &l), 1);
	ck_assert(l.is_truncated);
	ck_assert(l.is_partial);
	ck_assert_uint_eq(l.len, MAXL);
	ck_assert_int_eq(next_line(in, &l), -1);
	free_input(in);
	err = tu_stderr_end(&cap);
	ck_assert_msg(strstr(err, "truncated gzip") != NULL, "%s", err);
	free(err);
	free(path);
	free(gz);
	free(data);
}

START_TEST(test_input_gzip_truncated)
{
	unsigned char *gz;
	size_t len, gzlen;
	char *text, *err, at[64];
	unsigned n;
	bool partial;
	int last;

	text = numbered_lines(5000, &len);
	gz = gz_make(text, len, &gzlen);
	ck_assert_uint_gt(gzlen, 4096);
	n = read_numbered("cut.gz", gz, gzlen / 2, &last, &err, &partial);
	ck_assert_msg(n > 100 && n < 5000, "%u lines before the cut", n);
	ck_assert_int_eq(last, -1);
	expect_diag(err, "cut.gz", ": error: ", "truncated gzip");
	/* The place is the line after the last whole one; the piece of it
	 * that came is not analysed, and the message says so. */
	snprintf(at, sizeof(at), "cut.gz:%u: ", n + 1);
	ck_assert_msg(strstr(err, at) != NULL, "'%s' lacks '%s'", err, at);
	ck_assert_msg(partial == (strstr(err, "cut short") != NULL),
	    "partial %d, but '%s'", partial, err);
	ck_assert(diag_had_error());
	free(err);
	/* Cut inside the header: nothing, then the error. */
	n = read_numbered("head.gz", gz, 5, &last, &err, &partial);
	ck_assert_uint_eq(n, 0);
	ck_assert(!partial);
	ck_assert_int_eq(last, -1);
	expect_diag(err, "head.gz", ": error: ", "truncated gzip");
	free(err);
	/* Only the magic bytes. */
	n = read_numbered("magic.gz", "\x1f\x8b", 2, &last, &err, &partial);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(last, -1);
	expect_diag(err, "magic.gz", ": error: ", "truncated gzip");
	free(err);
	/* Cut just before the 8-byte trailer: every line, then the error. */
	n = read_numbered("trailer.gz", gz, gzlen - 4, &last, &err, &partial);
	ck_assert_uint_eq(n, 5000);
	ck_assert_int_eq(last, -1);
	expect_diag(err, "trailer.gz", ": error: ", "truncated gzip");
	free(err);
	free(gz);
	free(text);
	cut_long_line();
}
END_TEST

START_TEST(test_input_gzip_corrupt)
{
	/* A valid header, then a deflate block of the reserved type 3. */
	static const unsigned char bad[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0,
	    3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned char *gz;
	size_t len, gzlen;
	char *text, *err;
	unsigned n;
	bool partial;
	int last;

	n = read_numbered("bad.gz", bad, sizeof(bad), &last, &err, &partial);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(last, -1);
	expect_diag(err, "bad.gz", ": error: ", "corrupt gzip");
	free(err);
	/* A wrong CRC: every line comes, then the error. */
	text = numbered_lines(300, &len);
	gz = gz_make(text, len, &gzlen);
	gz[gzlen - 8] ^= 0xff;
	n = read_numbered("crc.gz", gz, gzlen, &last, &err, &partial);
	ck_assert_uint_eq(n, 300);
	ck_assert_int_eq(last, -1);
	/* Once, and at the end, not where inflate first saw the damage. */
	expect_diag(err, "crc.gz", ": error: ", "corrupt gzip");
	ck_assert_msg(strstr(err, "crc.gz:301: ") != NULL, "'%s'", err);
	free(err);
	free(gz);
	free(text);
}
END_TEST

START_TEST(test_input_gzip_members)
{
	unsigned char *g1, *g2, *g3, *all;
	size_t l1, l2, l3, len, tlen;
	char *text, *err;
	unsigned n;
	bool partial;
	int last;

	/* gzip -c a b > c: the members follow each other; a line may
	 * straddle them. */
	text = numbered_lines(3000, &tlen);
	g1 = gz_make(text, 1000, &l1);
	g2 = gz_make(text + 1000, tlen - 1000 - 7, &l2);
	g3 = gz_make(text + tlen - 7, 7, &l3);
	all = malloc(l1 + l2 + l3);
	ck_assert_ptr_nonnull(all);
	memcpy(all, g1, l1);
	memcpy(all + l1, g2, l2);
	memcpy(all + l1 + l2, g3, l3);
	len = l1 + l2 + l3;
	n = read_numbered("members.gz", all, len, &last, &err, &partial);
	ck_assert_uint_eq(n, 3000);
	ck_assert(!partial);
	ck_assert_int_eq(last, 0);
	ck_assert_msg(err[0] == '\0', "stderr: %s", err);
	ck_assert(!diag_had_error());
	free(err);
	/* Junk after the last member: a warning, the lines, no error. */
	memcpy(all + l1, "junk\n", 5);
	n = read_numbered("junk.gz", all, l1 + 5, &last, &err, &partial);
	ck_assert_msg(n > 10, "%u lines", n);
	ck_assert_int_eq(last, 0);
	expect_diag(err, "junk.gz", ": warning: ", "after the end of the gzip");
	ck_assert(!diag_had_error());
	free(err);
	free(all);
	free(g1);
	free(g2);
	free(g3);
	free(text);
}
END_TEST

START_TEST(test_input_open_errors)
{
	struct tu_stderr cap;
	struct input *in;
	char want[512], *err, *path;

	diag_reset();
	tu_stderr_begin(&cap);
	in = input_open(tu_tmpdir());
	err = tu_stderr_end(&cap);
	ck_assert_ptr_null(in);
	snprintf(want, sizeof(want), "smtplint: %s: error: ", tu_tmpdir());
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "'%s'", err);
	ck_assert_msg(strstr(err, "directory") != NULL, "'%s'", err);
	ck_assert(diag_had_error());
	free(err);

	diag_reset();
	path = tu_write_file("gone", "", 0);
	unlink(path);
	tu_stderr_begin(&cap);
	in = input_open(path);
	err = tu_stderr_end(&cap);
	ck_assert_ptr_null(in);
	snprintf(want, sizeof(want), "smtplint: %s: error: cannot open: ",
	    path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "'%s'", err);
	ck_assert_msg(strstr(err, "No such file") != NULL, "'%s'", err);
	ck_assert_uint_eq(tu_count_lines(err), 1);
	ck_assert(diag_had_error());
	free(err);
	free(path);
}
END_TEST

START_TEST(test_input_stdin_name)
{
	struct input *in;

	in = input_open("-");
	ck_assert_ptr_nonnull(in);
	ck_assert_str_eq(input_name(in), "<stdin>");
	free_input(in);
	in = input_open(NULL);
	ck_assert_ptr_nonnull(in);
	ck_assert_str_eq(input_name(in), "<stdin>");
	free_input(in);
}
END_TEST

/* Lines that end in CR alone (old Mac files) stay one line, as SMTP
 * takes no CR alone as a line end; a warning says how to convert them.
 * A CR inside LF lines is no such case. */
START_TEST(test_input_cr_only)
{
	static const char mac[] = "S: 220 x\rC: EHLO a\rS: 250 ok\r";
	static const char crlf[] = "S: 220 x\r\nC: EHLO a\rb\r\n";
	struct tu_stderr cap;
	struct input *in;
	struct line l;
	char *path, *err;

	path = tu_write_file("mac", mac, sizeof(mac) - 1);
	diag_reset();
	tu_stderr_begin(&cap);
	in = input_open(path);
	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(next_line(in, &l), 1);
	ck_assert_uint_eq(l.len, sizeof(mac) - 1);
	ck_assert_uint_eq(l.bare_cr, 3);
	ck_assert_int_eq(next_line(in, &l), 0);
	free_input(in);
	err = tu_stderr_end(&cap);
	expect_diag(err, "mac", ": warning: ", "3 carriage returns");
	ck_assert(!diag_had_error());
	free(err);
	free(path);
	path = tu_write_file("crlf", crlf, sizeof(crlf) - 1);
	tu_stderr_begin(&cap);
	in = input_open(path);
	ck_assert_ptr_nonnull(in);
	while (next_line(in, &l) == 1)
		;
	free_input(in);
	err = tu_stderr_end(&cap);
	ck_assert_msg(err[0] == '\0', "stderr: %s", err);
	free(err);
	free(path);
}
END_TEST

/* ---- readahead against input_next */

/*
 * A few MiB of lines of every kind, in a fixed pseudo-random order: short
 * and empty lines, LF and CR LF, bare CRs, NULs, lines of some hundred KiB
 * and lines past the cap, so that runs of lines, batches and the input's
 * buffer end at every kind of line.
 */
static unsigned char *
mixed_lines(size_t *lenp)
{
	size_t cap = 16 * MIB, n = 0, len, i;
	unsigned char *s;
	unsigned x = 12345, k;

	s = malloc(cap);
	ck_assert_ptr_nonnull(s);
	while (n < cap - MAXL - 3 * MIB) {
		x = x * 1103515245u + 12345u;
		k = (x >> 16) % 1000;
		len = k < 900 ? (x >> 8) % 160 : k < 995 ? (x >> 4) % 2048 :
		    k < 999 ? 200000 + (x >> 8) % 1000 : MAXL - 2 + x % 5;
		for (i = 0; i < len; i++)
			s[n + i] = (unsigned char)('a' + (i + k) % 26);
		if (k % 37 == 0 && len > 2)
			s[n + len / 2] = '\r';
		if (k % 53 == 0 && len > 2)
			s[n + len / 3] = '\0';
		n += len;
		if (k % 3 == 0)
			s[n++] = '\r';
		s[n++] = '\n';
	}
	memcpy(s + n, "last", 4);	/* no line end */
	*lenp = n + 4;
	return s;
}

struct seen_line {
	unsigned long	 no;
	size_t		 len, full_len, sum;
	enum eol	 eol;
	unsigned	 bare_cr;
	bool		 is_truncated;
};

static size_t
sum_bytes(const struct line *l)
{
	size_t i, h = l->len;

	for (i = 0; i < l->len; i++)
		h = h * 31 + (unsigned char)l->bytes[i];
	return h;
}

/* The lines of file PATH as input_next alone reads them (caller frees);
 * *N: how many. */
static struct seen_line *
seen_lines(const char *path, size_t *np)
{
	struct seen_line *want;
	struct input *in;
	struct line l;
	size_t n = 0, cap = 1 << 16;

	want = malloc(cap * sizeof(*want));
	ck_assert_ptr_nonnull(want);
	in = input_open(path);
	ck_assert_ptr_nonnull(in);
	while (input_next(in, &l) == 1) {
		ck_assert(n < cap);
		want[n].no = l.no;
		want[n].len = l.len;
		want[n].full_len = l.full_len;
		want[n].sum = sum_bytes(&l);
		want[n].eol = l.eol;
		want[n].bare_cr = l.bare_cr;
		want[n].is_truncated = l.is_truncated;
		ck_assert_int_eq(l.bytes[l.len], '\0');
		n++;
	}
	input_free(in);
	*np = n;
	return want;
}

/* Line L is line I of WANT, as seen when reading alone. */
static void
same_line(const struct line *l, const struct seen_line *want, size_t i,
    int pass)
{
	ck_assert_msg(l->no == want[i].no && l->len == want[i].len &&
	    l->full_len == want[i].full_len && l->eol == want[i].eol &&
	    l->bare_cr == want[i].bare_cr &&
	    l->is_truncated == want[i].is_truncated &&
	    sum_bytes(l) == want[i].sum && l->bytes[l->len] == '\0',
	    "pass %d: line %zu differs (len %zu, want %zu)", pass, i + 1,
	    l->len, want[i].len);
}

/*
 * The read-ahead thread gives the lines input_next gives, a line at a
 * time and in runs (readahead_lines, every line of a run still valid when
 * the run is looked at), from a file and from a pipe written in odd pieces.
 */
START_TEST(test_readahead_same)
{
	unsigned char *data;
	struct seen_line *want;
	struct readahead *r;
	struct input *in;
	struct feeder f;
	pthread_t t;
	struct line l, run[37];
	size_t len, n, i, j;
	long got;
	char *path;
	int fd, pass;

	data = mixed_lines(&len);
	path = tu_write_file("mixed", data, len);
	want = seen_lines(path, &n);
	ck_assert_uint_gt(n, 3000);
	for (pass = 0; pass < 4; pass++) {
		fd = -1;
		if (pass % 2 == 0)
			in = input_open(path);
		else {
			fd = feed_pipe(&f, &t, data, len, 1000, 4093);
			in = input_fdopen(fd, "<pipe>");
		}
		r = readahead_new(in);
		i = 0;
		if (pass < 2) {
			for (; readahead_next(r, &l) == 1; i++) {
				ck_assert_msg(i < n, "pass %d: more lines", pass);
				same_line(&l, want, i, pass);
			}
		} else {
			while ((got = readahead_lines(r, run, 37)) > 0) {
				ck_assert_msg(i + (size_t)got <= n,
				    "pass %d: more lines", pass);
				for (j = 0; j < (size_t)got; j++)
					same_line(&run[j], want, i + j, pass);
				i += (size_t)got;
			}
			ck_assert_int_eq(got, 0);
		}
		ck_assert_msg(i == n, "pass %d: %zu lines, want %zu", pass, i,
		    n);
		readahead_free(r);
		if (fd >= 0) {
			pthread_join(t, NULL);
			close(fd);
		}
	}
	free(want);
	free(path);
	free(data);
}
END_TEST

/*
 * input_split and input_next in turn give what input_next alone gives:
 * input_split only plain lines (LF, no CR, whole), within its limits, and
 * input_next the rest, numbered on from them.
 */
START_TEST(test_input_split_same)
{
	static const size_t maxes[][2] = {
		{ 1, 1 << 20 }, { 7, 100 }, { 5000, 1 }, { 5000, 1 << 21 },
	};
	unsigned char *data;
	struct seen_line *want;
	struct input *in;
	struct line l;
	const char *first;
	unsigned long no;
	uint32_t off[5000], len[5000];
	size_t dlen, n, i, k, got, split = 0;
	char *path;

	data = mixed_lines(&dlen);
	path = tu_write_file("mixed-split", data, dlen);
	want = seen_lines(path, &n);
	in = input_open(path);
	ck_assert_ptr_nonnull(in);
	i = 0;
	for (k = 0; ; k++) {
		got = input_split(in, &first, &no, off, len,
		    maxes[k % 4][0], maxes[k % 4][1]);
		ck_assert_uint_le(got, maxes[k % 4][0]);
		if (got > 0) {
			ck_assert_uint_le(off[got - 1] + len[got - 1] + 1,
			    maxes[k % 4][1]);
			ck_assert_uint_eq(no, want[i].no);
		}
		for (size_t j = 0; j < got; j++, i++) {
			l.bytes = first + off[j];
			l.len = len[j];
			ck_assert_msg(i < n && want[i].eol == EOL_LF &&
			    want[i].bare_cr == 0 && !want[i].is_truncated &&
			    want[i].len == len[j] && want[i].sum ==
			    sum_bytes(&l) && l.bytes[l.len] == '\0',
			    "split line %zu differs", i + 1);
		}
		split += got;
		if (got > 0)
			continue;
		if (input_next(in, &l) != 1)
			break;
		ck_assert_msg(i < n && l.no == want[i].no &&
		    l.len == want[i].len && l.eol == want[i].eol &&
		    sum_bytes(&l) == want[i].sum, "line %zu differs", i + 1);
		i++;
	}
	ck_assert_uint_eq(i, n);
	/* Most lines are plain: most must have come in bulk. */
	ck_assert_uint_gt(split, n / 3);
	input_free(in);
	free(want);
	free(path);
	free(data);
}
END_TEST

/* Check keeps the names it is given: string literals, not buffers. */
static void
add_cases(Suite *s, const char *const names[3], void (*setup)(void))
{
	TCase *tc;

	tc = tcase_create(names[0]);
	if (setup != NULL)
		tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_input_file, 0,
	    (int)TU_NELEM(small_cases));
	tcase_add_loop_test(tc, test_input_gzip, 0,
	    (int)TU_NELEM(small_cases));
	tcase_add_loop_test(tc, test_input_pipe, 0,
	    (int)TU_NELEM(small_cases));
	tcase_add_loop_test(tc, test_input_pipe_gzip, 0,
	    (int)TU_NELEM(small_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create(names[1]);
	if (setup != NULL)
		tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 120);	/* valgrind */
	tcase_add_loop_test(tc, test_input_long, 0, (int)TU_NELEM(long_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create(names[2]);
	if (setup != NULL)
		tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_input_gzip_truncated);
	tcase_add_test(tc, test_input_gzip_corrupt);
	tcase_add_test(tc, test_input_gzip_members);
	tcase_add_test(tc, test_input_open_errors);
	tcase_add_test(tc, test_input_stdin_name);
	tcase_add_test(tc, test_input_cr_only);
	suite_add_tcase(s, tc);
}

/*
 * xprefault is a hint that must never change memory: bytes already
 * written stay (MADV_DONTNEED, one value away, would zero them), for
 * ranges that start and end inside pages, span a few, or hold no whole
 * page at all.
 */
START_TEST(test_xprefault_keeps_bytes)
{
	static const size_t offs[] = { 0, 1, 4095, 4096, 5000 };
	static const size_t lens[] = { 0, 1, 100, 4096, 12289, 300000 };
	size_t n = 320000, i, j, k;
	unsigned char *p = xmalloc(n);

	for (k = 0; k < n; k++)
		p[k] = (unsigned char)(k * 7 + 3);
	for (i = 0; i < TU_NELEM(offs); i++)
		for (j = 0; j < TU_NELEM(lens); j++)
			if (offs[i] + lens[j] <= n)
				xprefault(p + offs[i], lens[j]);
	for (k = 0; k < n; k++)
		if (p[k] != (unsigned char)(k * 7 + 3))
			ck_abort_msg("byte %zu changed", k);
	free(p);
}
END_TEST

static Suite *
input_suite(void)
{
	Suite *s = suite_create("input");
	static const char *const plain[3] = { "small", "long", "broken" };
	static const char *const ahead[3] = { "small (readahead)",
	    "long (readahead)", "broken (readahead)" };

	TCase *tc;

	add_cases(s, plain, NULL);
	add_cases(s, ahead, use_readahead);
	tc = tcase_create("readahead = input_next");
	tcase_set_timeout(tc, 300);	/* valgrind */
	tcase_add_test(tc, test_readahead_same);
	tcase_add_test(tc, test_input_split_same);
	suite_add_tcase(s, tc);
	tc = tcase_create("xprefault");
	tcase_add_test(tc, test_xprefault_keeps_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(input_suite());
}
