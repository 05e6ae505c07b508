/*
 * fmt_pattern: input formats described as data in rules/formats.yaml
 * (SCHEMA.md): per format a literal prefilter, detection patterns and line
 * rules, each a PCRE2 pattern with named groups that says which event a
 * matching line gives.  The embedded formats.yaml is read on first use;
 * --rules DIR may add formats or replace them by name.  Owns the formats
 * (freed at exit); at most FMT_PATTERN_MAX of them.
 */
#ifndef FMT_PATTERN_H
#define FMT_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#define FMT_PATTERN_MAX		32	/* formats from formats.yaml */

struct format_adapter;

/* Read DIR/formats.yaml if it exists (after the embedded one): its formats
 * are added, or replace a pattern format of the same name.  False after
 * diagnostics (FILE:LINE:COL); the formats read before stay usable. */
bool	fmt_pattern_load_dir(const char *dir);
/* Load one formats.yaml from memory; NAME is used in diagnostics. */
bool	fmt_pattern_load_buffer(const char *name, const char *data, size_t len);
/* The N-th pattern format (registry order), NULL past the end; loads the
 * embedded formats on first use. */
const struct format_adapter *fmt_pattern_nth(size_t n);
/* The pattern format named NAME, or NULL. */
const struct format_adapter *fmt_pattern_find(const char *name);
/* Forget every pattern format (tests; also run at exit). */
void	fmt_pattern_reset(void);

#endif
