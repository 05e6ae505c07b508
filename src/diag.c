#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

static bool	diag_error_seen;
static bool	diag_is_quiet;

static void
diag_vprint(const char *level, const char *file, unsigned long line,
    unsigned long col, const char *fmt, va_list ap)
{
	if (diag_is_quiet)
		return;
	fputs("smtplint: ", stderr);
	if (file != NULL) {
		fputs(file, stderr);
		if (line > 0) {
			fprintf(stderr, ":%lu", line);
			if (col > 0)
				fprintf(stderr, ":%lu", col);
		}
		fputs(": ", stderr);
	}
	fprintf(stderr, "%s: ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
diag_error(const char *file, unsigned long line, unsigned long col,
    const char *fmt, ...)
{
	va_list ap;

	diag_error_seen = true;
	va_start(ap, fmt);
	diag_vprint("error", file, line, col, fmt, ap);
	va_end(ap);
}

void
diag_verror(const char *file, unsigned long line, unsigned long col,
    const char *fmt, va_list ap)
{
	diag_error_seen = true;
	diag_vprint("error", file, line, col, fmt, ap);
}

void
diag_vwarn(const char *file, unsigned long line, unsigned long col,
    const char *fmt, va_list ap)
{
	diag_vprint("warning", file, line, col, fmt, ap);
}

void
diag_warn(const char *file, unsigned long line, unsigned long col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint("warning", file, line, col, fmt, ap);
	va_end(ap);
}

bool
diag_had_error(void)
{
	return diag_error_seen;
}

void
diag_reset(void)
{
	diag_error_seen = false;
}

void
diag_quiet(bool q)
{
	diag_is_quiet = q;
}
