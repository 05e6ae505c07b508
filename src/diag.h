/*
 * diag: smtplint's own diagnostics on standard error, about its inputs as
 * files and about its options ("smtplint: FILE:LINE:COL: error: text").
 * Problems in the SMTP dialogue are findings, never diagnostics.  The worst
 * level seen is kept: an error makes the exit status 2.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stdarg.h>
#include <stdbool.h>

#define DIAG_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* FILE may be NULL; LINE and COL 0 mean "not known". */
void	diag_error(const char *file, unsigned long line, unsigned long col,
	    const char *fmt, ...) DIAG_PRINTF(4, 5);
void	diag_warn(const char *file, unsigned long line, unsigned long col,
	    const char *fmt, ...) DIAG_PRINTF(4, 5);
/* diag_error with a va_list, for callers that build their own. */
void	diag_verror(const char *file, unsigned long line, unsigned long col,
	    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
void	diag_vwarn(const char *file, unsigned long line, unsigned long col,
	    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
bool	diag_had_error(void);
/* Reset the error flag (tests). */
void	diag_reset(void);
/* Send diagnostics to nowhere (fuzzing) or back to stderr. */
void	diag_quiet(bool);

#endif
