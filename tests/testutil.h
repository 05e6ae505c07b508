/*
 * testutil: helpers shared by the Check suites in tests/check_*.c.  The
 * Makefile builds each suite from its one .c file, so everything here is
 * header-only and static inline.  It offers: capture of standard error (to
 * assert on smtplint's diagnostics), temporary files and directories that
 * are removed at exit, whole-file reading below TOP_SRCDIR, loading of the
 * embedded rules, and the runner every suite's main() calls.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "rules.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR	"."
#endif

#define TU_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- standard error capture */

struct tu_stderr {
	int	 saved;		/* the real fd 2 */
	FILE	*tmp;		/* where fd 2 points meanwhile */
};

/* Point fd 2 at a temporary file until tu_stderr_end(). */
static inline void
tu_stderr_begin(struct tu_stderr *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	ck_assert_msg(c->tmp != NULL, "tmpfile: %s", strerror(errno));
	c->saved = dup(STDERR_FILENO);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_ge(dup2(fileno(c->tmp), STDERR_FILENO), 0);
}

/* Restore fd 2 and return what was written meanwhile (caller frees). */
static inline char *
tu_stderr_end(struct tu_stderr *c)
{
	char *s;
	long n;

	fflush(stderr);
	ck_assert_int_ge(dup2(c->saved, STDERR_FILENO), 0);
	close(c->saved);
	n = ftell(c->tmp);
	ck_assert_int_ge(n, 0);
	s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	rewind(c->tmp);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, c->tmp), (size_t)n);
	s[n] = '\0';
	fclose(c->tmp);
	return s;
}

/* Number of lines (LF-terminated) in S. */
static inline size_t
tu_count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* ---- temporary files: one directory per process, removed at exit */

static char	tu_tmpdir_path[256];

static inline void
tu_tmpdir_cleanup(void)
{
	char cmd[300];

	if (tu_tmpdir_path[0] == '\0')
		return;
	/* The directory holds only files the suite made. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_tmpdir_path);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n",
		    tu_tmpdir_path);
	tu_tmpdir_path[0] = '\0';
}

static inline const char *
tu_tmpdir(void)
{
	const char *t;

	if (tu_tmpdir_path[0] != '\0')
		return tu_tmpdir_path;
	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	snprintf(tu_tmpdir_path, sizeof(tu_tmpdir_path),
	    "%s/smtplint-test.XXXXXX", t);
	if (mkdtemp(tu_tmpdir_path) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", tu_tmpdir_path,
		    strerror(errno));
		abort();
	}
	atexit(tu_tmpdir_cleanup);
	return tu_tmpdir_path;
}

/* Write LEN bytes to NAME in the temporary directory; the path (caller
 * frees). */
static inline char *
tu_write_file(const char *name, const void *data, size_t len)
{
	char *path;
	size_t n;
	FILE *f;

	n = strlen(tu_tmpdir()) + strlen(name) + 2;
	path = malloc(n);
	ck_assert_ptr_nonnull(path);
	snprintf(path, n, "%s/%s", tu_tmpdir(), name);
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	if (len > 0)
		ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Read a whole file (caller frees); NULL if it cannot be opened. */
static inline char *
tu_read_file(const char *path, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* A file of the source tree, e.g. "rules/codes.yaml" (caller frees). */
static inline char *
tu_read_src(const char *rel, size_t *lenp)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", TOP_SRCDIR, rel);
	return tu_read_file(path, lenp);
}

/* ---- rules */

/* The embedded rules, loaded and finished; the loader must be silent. */
static inline struct rules *
tu_rules(void)
{
	struct tu_stderr cap;
	struct rules *r;
	char *err;
	bool ok;

	tu_stderr_begin(&cap);
	r = rules_new();
	ok = rules_load_embedded(r) && rules_finish(r);
	err = tu_stderr_end(&cap);
	ck_assert_msg(ok, "the embedded rules do not load: %s", err);
	ck_assert_msg(err[0] == '\0', "loading the rules said: %s", err);
	free(err);
	return r;
}

/* ---- runner */

static inline int
tu_run(Suite *s)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_tmpdir_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
