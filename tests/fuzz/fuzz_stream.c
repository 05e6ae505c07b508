/*
 * libFuzzer harness: arbitrary bytes through the whole pipeline, as main.c
 * wires it: input (plain or gzip, by magic) -> format detection -> sessions
 * -> smtp state machine -> findings -> a reporter writing to memory.
 *
 * The first byte chooses the run's options (it stays part of the input, so
 * the seeds from testdata/ are used as they are):
 *   bits 0-1  reporter: json, text, summary, json
 *   bit  2    --lang de
 *   bit  3    --strict
 *   bit  4    -s info (else the default, notice)
 *   bit  5    --max-sessions 2 (eviction) instead of the default
 *   bit  6    two inputs: the bytes are split at the second byte's share
 *   bit  7    --format forced to the adapter picked by the second byte
 *
 * Besides the sanitizers, it checks what tests/bad.sh checks on the binary:
 *   - every line of -o json is one valid JSON value in valid UTF-8;
 *   - text output holds no control bytes but LF and no invalid UTF-8;
 *   - lines read == lines used by an adapter + unparsed lines, and for
 *     plain (non-gzip) input == the number of lines in the bytes.
 * A violation aborts, so it is reported like a crash.
 */
#define _GNU_SOURCE		/* memfd_create */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "finding.h"
#include "format.h"
#include "input.h"
#include "report.h"
#include "rules.h"
#include "session.h"
#include "smtp.h"
#include "stats.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct rules	*fz_rules;
static int		 fz_fd = -1;

static void
fz_fail(const char *what, const char *out, size_t len)
{
	fprintf(stderr, "fuzz_stream: %s\n--- output (%zu bytes) ---\n", what,
	    len);
	fwrite(out, 1, len > 4096 ? 4096 : len, stderr);
	fputs("\n---\n", stderr);
	abort();
}

/* ---- a strict JSON checker (RFC 8259), UTF-8 included */

struct js {
	const unsigned char	*p, *e;
	int			 depth;
};

static void
js_ws(struct js *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

/* One UTF-8 sequence at P; its length, 0 if invalid (RFC 3629). */
static size_t
js_utf8(const unsigned char *p, const unsigned char *e)
{
	size_t need, i;
	unsigned long cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 4, cp = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(e - p) < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

static int
js_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
js_string(struct js *j)
{
	size_t k;

	if (j->p >= j->e || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->e && *j->p != '"') {
		if (*j->p < 0x20)
			return 0;
		if (*j->p == '\\') {
			if (++j->p >= j->e)
				return 0;
			if (*j->p == 'u') {
				if (j->e - j->p < 5 || !js_hex(j->p[1]) ||
				    !js_hex(j->p[2]) || !js_hex(j->p[3]) ||
				    !js_hex(j->p[4]))
					return 0;
				j->p += 5;
				continue;
			}
			if (strchr("\"\\/bfnrt", *j->p) == NULL)
				return 0;
			j->p++;
			continue;
		}
		if ((k = js_utf8(j->p, j->e)) == 0)
			return 0;
		j->p += k;
	}
	if (j->p >= j->e)
		return 0;
	j->p++;
	return 1;
}

static int js_value(struct js *);

static int
js_number(struct js *j)
{
	const unsigned char *s = j->p;

	if (j->p < j->e && *j->p == '-')
		j->p++;
	if (j->p >= j->e)
		return 0;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return 0;
	if (j->p < j->e && *j->p == '.') {
		j->p++;
		if (j->p >= j->e || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->e || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static int
js_lit(struct js *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->e - j->p) < n || memcmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

static int
js_value(struct js *j)
{
	int first;

	js_ws(j);
	if (j->p >= j->e || ++j->depth > 64)
		return 0;
	switch (*j->p) {
	case '{':
		j->p++;
		for (first = 1;; first = 0) {
			js_ws(j);
			if (j->p < j->e && *j->p == '}' && first)
				break;
			if (!js_string(j))
				return 0;
			js_ws(j);
			if (j->p >= j->e || *j->p != ':')
				return 0;
			j->p++;
			if (!js_value(j))
				return 0;
			js_ws(j);
			if (j->p < j->e && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->e && *j->p == '}')
				break;
			return 0;
		}
		j->p++;
		break;
	case '[':
		j->p++;
		for (first = 1;; first = 0) {
			js_ws(j);
			if (j->p < j->e && *j->p == ']' && first)
				break;
			if (!js_value(j))
				return 0;
			js_ws(j);
			if (j->p < j->e && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->e && *j->p == ']')
				break;
			return 0;
		}
		j->p++;
		break;
	case '"':
		if (!js_string(j))
			return 0;
		break;
	case 't':
		if (!js_lit(j, "true"))
			return 0;
		break;
	case 'f':
		if (!js_lit(j, "false"))
			return 0;
		break;
	case 'n':
		if (!js_lit(j, "null"))
			return 0;
		break;
	default:
		if (!js_number(j))
			return 0;
	}
	j->depth--;
	return 1;
}

/* Every line one JSON object; the last one the summary. */
static void
fz_check_json(const char *out, size_t len)
{
	const char *p = out, *nl, *last = NULL;
	struct js j;

	if (len == 0 || out[len - 1] != '\n')
		fz_fail("json output does not end in a newline", out, len);
	while (p < out + len) {
		nl = memchr(p, '\n', (size_t)(out + len - p));
		j.p = (const unsigned char *)p;
		j.e = (const unsigned char *)nl;
		j.depth = 0;
		if (j.p >= j.e || *j.p != '{' || !js_value(&j) ||
		    (js_ws(&j), j.p != j.e))
			fz_fail("a json line is not valid JSON", p,
			    (size_t)(nl - p));
		last = p;
		p = nl + 1;
	}
	if (strncmp(last, "{\"type\":\"summary\",", 18) != 0)
		fz_fail("the last json line is not the summary", out, len);
}

/* Text for a terminal: valid UTF-8, no control byte but LF. */
static void
fz_check_text(const char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)out;
	const unsigned char *e = p + len;
	size_t k;

	while (p < e) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fz_fail("a control byte in the text output", out, len);
		if ((k = js_utf8(p, e)) == 0)
			fz_fail("invalid UTF-8 in the text output", out, len);
		p += k;
	}
}

static void
fz_sink(void *ctx, const struct event *ev)
{
	sessions_event(ctx, ev);
}

/* Put LEN bytes into the memfd and read them as one input, as main.c's
 * run_input() does.  Returns the lines used by the adapter. */
static unsigned long
fz_input(const uint8_t *data, size_t len, const char *name,
    const struct format_adapter *forced, struct sessions *ss,
    struct stats *st, bool *is_gzip)
{
	struct input *in;
	struct format_stream *fs;
	struct event_sink sink = { fz_sink, ss };
	struct line l;
	unsigned long before = st->lines, used;

	if (ftruncate(fz_fd, 0) == -1 ||
	    (len > 0 && pwrite(fz_fd, data, len, 0) != (ssize_t)len) ||
	    lseek(fz_fd, 0, SEEK_SET) == -1) {
		perror("fuzz_stream: memfd");
		abort();
	}
	in = input_fdopen(fz_fd, name);
	st->files++;
	sessions_input(ss, name);
	fs = format_stream_new(forced, &sink, st);
	while (input_next(in, &l) == 1) {
		if (l.bytes[l.len] != '\0')
			fz_fail("a line is not NUL-terminated", l.bytes, l.len);
		if (l.len > INPUT_MAX_LINE || (l.is_truncated &&
		    l.full_len <= INPUT_MAX_LINE))
			fz_fail("a line is longer than the cap", "", 0);
		format_stream_line(fs, &l);
	}
	format_stream_end(fs);
	sessions_input_end(ss, st->lines - before);
	used = format_stream_used(fs);
	*is_gzip = input_is_gzip(in);
	format_stream_free(fs);
	input_free(in);
	return used;
}

/* Lines in LEN plain bytes: LFs, plus one for a last unterminated line. */
static unsigned long
fz_count_lines(const uint8_t *data, size_t len)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += data[i] == '\n';
	if (len > 0 && data[len - 1] != '\n')
		n++;
	return n;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	diag_quiet(true);
	fz_rules = rules_new();
	if (!rules_load_embedded(fz_rules) || !rules_finish(fz_rules)) {
		fputs("fuzz_stream: the embedded rules do not load\n", stderr);
		abort();
	}
	if ((fz_fd = memfd_create("fuzz_stream", 0)) == -1) {
		perror("fuzz_stream: memfd_create");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum report_kind kinds[4] = { REPORT_JSON, REPORT_TEXT,
	    REPORT_SUMMARY, REPORT_JSON };
	const struct format_adapter *forced = NULL;
	struct stats st;
	struct findings fx;
	struct smtp_env env;
	struct sessions *ss;
	struct report *rep;
	enum report_kind kind;
	unsigned flags = size > 0 ? data[0] : 0;
	unsigned char second = size > 1 ? data[1] : 0;
	unsigned long used = 0, nformats = 0, want;
	size_t split;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;
	bool gz1 = false, gz2 = false;

	while (format_nth(nformats) != NULL)
		nformats++;
	if ((flags & 0x80) && nformats > 0)
		forced = format_nth(second % nformats);
	kind = kinds[flags & 3];
	if ((fp = open_memstream(&out, &outlen)) == NULL)
		abort();
	memset(&st, 0, sizeof(st));
	diag_reset();
	rep = report_new(kind, fp, fz_rules, (flags & 4) ? LANG_DE : LANG_EN,
	    false);
	findings_init(&fx, fz_rules, rep, (flags & 0x10) ? SEV_INFO :
	    SEV_NOTICE, (flags & 8) != 0);
	env.rules = fz_rules;
	env.findings = &fx;
	env.stats = &st;
	env.statq = NULL;	/* rejections counted in place */
	/* 64, not the default: its hash table is costly per run. */
	ss = sessions_new(&env, (flags & 0x20) ? 2 : 64);
	if (flags & 0x40) {
		split = size * second / 256;
		used += fz_input(data, split, "one.txt", forced, ss, &st, &gz1);
		used += fz_input(data + split, size - split, "two.txt", forced,
		    ss, &st, &gz2);
		want = fz_count_lines(data, split) +
		    fz_count_lines(data + split, size - split);
	} else {
		split = size;
		used = fz_input(data, size, "fuzz.txt", forced, ss, &st, &gz1);
		want = fz_count_lines(data, size);
	}
	sessions_flush(ss);
	if (!report_end(rep, &st, &fx))
		abort();
	sessions_free(ss);
	report_free(rep);
	fclose(fp);

	/* Nothing lost: every line used or counted as unparsed. */
	if (st.lines != used + st.unparsed_lines) {
		fprintf(stderr, "lines %lu, used %lu, unparsed %lu\n",
		    st.lines, used, st.unparsed_lines);
		fz_fail("lines != used + unparsed", out, outlen);
	}
	if (!gz1 && !gz2 && st.lines != want) {
		fprintf(stderr, "lines %lu, the bytes hold %lu\n", st.lines,
		    want);
		fz_fail("a line was lost or invented by the reader", out,
		    outlen);
	}
	if (kind == REPORT_JSON)
		fz_check_json(out, outlen);
	else
		fz_check_text(out, outlen);
	free(out);
	return 0;
}
