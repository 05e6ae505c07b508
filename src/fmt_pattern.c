/*
 * Pattern formats: MTA log formats read from formats.yaml (SCHEMA.md,
 * "formats.yaml").  Loading checks the schema, compiles every pattern with
 * PCRE2 (byte semantics, no UTF check: logs hold any bytes) and resolves
 * the named groups to numbers; the JIT compile of a format's patterns
 * waits until the format is first probed or used, so that a run that never
 * looks at an MTA log pays only for pcre2_compile.
 *
 * The hot path per line: the syslog header split by logfmt (if the format
 * names its programs), the format's literal prefilter (memchr on its
 * rarest byte, then memcmp: glibc's memmem costs more for needles this
 * short), then per
 * line rule its own literal and only then the regex.  One match-data block
 * serves every pattern; the session key is built in the per-input state.
 * No allocation per line.
 *
 * Session states per key follow fmt_postfix.c: a dialogue (client/server
 * rules) counts as complete only when its start line was seen and the
 * greeting comes first; everything else is partial and judged only on what
 * the log shows.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "event.h"
#include "fmt_pattern.h"
#include "fmt_util.h"
#include "format.h"
#include "logfmt.h"
#include "rules.h"
#include "xalloc.h"
#include "ydoc.h"

#define PAT_KEY_PARTS	4		/* groups that make a session key */
#define PAT_KEY_MAX	128		/* session key bytes (session.c's cap) */
#define PAT_REPLY_MAX	600		/* a reply put together from a rule */
#define PAT_SLOTS	4096		/* session states kept (power of 2) */
#define PAT_G_SYSLOG	(-2)		/* key part: the syslog "host prog[pid]" */
#define PAT_G_NONE	(-1)
#define PAT_FILE_MAX	(4 * 1024 * 1024)
#define PAT_JOINS	64		/* second names of sessions kept */
#define PAT_WAITING	16		/* started sessions awaiting a greeting */

enum pat_event {
	PE_START,
	PE_END,
	PE_REPLY,
	PE_NOTE,
	PE_CLIENT,
	PE_SERVER,
	PE_TLS,
	PE_IGNORE
};

static const char *const pat_event_names[] = {
	[PE_START] = "start", [PE_END] = "end", [PE_REPLY] = "reply",
	[PE_NOTE] = "note", [PE_CLIENT] = "client", [PE_SERVER] = "server",
	[PE_TLS] = "tls", [PE_IGNORE] = "ignore",
};

static const char *const pat_note_names[] = {
	[NOTE_NONE] = "none", [NOTE_PIPELINING] = "pipelining",
	[NOTE_SYNC_ERROR] = "sync-error", [NOTE_BARE_LF] = "bare-lf",
	[NOTE_DATA_NO_RCPT] = "data-no-rcpt", [NOTE_PREGREET] = "pregreet",
};

struct pat_rule {
	pcre2_code	*re;
	bool		 is_jit;
	const char	*lit;		/* the rule's own prefilter, or NULL */
	size_t		 litlen;
	size_t		 litrare;	/* its rarest byte, searched first */
	enum pat_event	 event;
	enum log_note	 note;
	int		 score;		/* detect rules */
	int		 keyg[PAT_KEY_PARTS];	/* group numbers, PAT_G_SYSLOG */
	int		 nkeyg;
	int		 g_reply, g_command, g_client, g_rcpt, g_text;
	const char	*command;	/* the command when no group names it */
	const char	*reply;		/* the reply the server sends for such
					 * a line, when the log does not write
					 * it; group text, if any, follows */
	size_t		 replylen;
	bool		 is_alone;	/* a session of its own (one event) */
	bool		 is_dialogue_dup;	/* summary only beside a dialogue */
	bool		 is_joining;	/* start: may name a session already
					 * started under another key */
};

struct pat_cmd {
	const char	*from;		/* as the log writes it */
	const char	*verb;		/* as commands.yaml names it; NULL: none */
};

struct pat_format {
	struct format_adapter ad;	/* ad.ctx points back here */
	struct arena	*arena;		/* strings and arrays below */
	const char	*name;
	const char	**programs;	/* syslog program names, or none */
	size_t		 nprograms;
	bool		 is_bare;	/* also lines without syslog header */
	bool		 is_data_hidden;	/* dialogues never show the data */
	const char	**lits;		/* prefilter: any of these */
	size_t		*litlens;
	size_t		*litrares;
	size_t		 nlits;
	struct pat_rule	*detect;
	size_t		 ndetect;
	struct pat_rule	*rules;
	size_t		 nrules;
	struct pat_cmd	*cmds;
	size_t		 ncmds;
	bool		 is_jitted;
};

enum pat_state {
	PS_NONE,
	PS_CONNECTED,		/* start seen, nothing since */
	PS_FULL,		/* complete dialogue */
	PS_LOGONLY,		/* log lines only */
	PS_DLG_WAIT,		/* dialogue joined late: wait for the client */
	PS_DLG			/* partial dialogue */
};

struct pat_slot {
	uint64_t	 hash;		/* 0: free */
	uint8_t		 state;
};

/* Per input. */
/* A session's second name: OpenSMTPD's -T smtp trace names a session by
 * its pointer, the log lines beside it by the session id. */
struct pat_join {
	uint64_t	 hash;		/* the second name's hash; 0: free */
	char		 key[PAT_KEY_MAX];	/* the session it names */
	size_t		 keylen;
};

struct pat_input {
	const struct pat_format *fmt;
	bool		 has_dialogue;	/* a client/server line was seen */
	char		 key[PAT_KEY_MAX];
	struct pat_slot	 slot[PAT_SLOTS];
	struct pat_join	 join[PAT_JOINS];
	unsigned	 njoin;		/* the slot the next join takes */
	uint64_t	 waiting[PAT_WAITING];	/* started, no greeting yet */
	char		 reply[PAT_REPLY_MAX];	/* a rule's reply and text */
	char		 pend[PAT_KEY_MAX];	/* a joining start … */
	size_t		 pendlen;	/* … to tie at the next greeting; 0: none */
};

/* Registry, loaded once, read-only while input is read. */
static struct pat_format *pat_formats[FMT_PATTERN_MAX];
static size_t pat_n;
static bool pat_is_init;		/* the embedded file was read */
static bool pat_has_atexit;
static pcre2_match_data *pat_md;	/* shared by every pattern */
static uint32_t pat_md_pairs;

/* ---- loading */

struct pat_load {
	const char	*name;		/* file name for diagnostics */
	bool		 ok;
};

static void pat_err(struct pat_load *, const struct ynode *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
pat_err(struct pat_load *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(c->name, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
	c->ok = false;
}

static bool
pat_keys(struct pat_load *c, const struct ynode *n, const char *const *keys,
    const char *what)
{
	if (ydoc_check_keys(c->name, n, keys, what))
		return true;
	c->ok = false;
	return false;
}

/* A scalar under KEY: NULL when absent (an error if REQUIRED). */
static const struct ynode *
pat_scalar(struct pat_load *c, const struct ynode *map, const char *key,
    bool required, const char *what)
{
	const struct ynode *v = ydoc_get(map, key);

	if (v == NULL || v->type == YN_NULL) {
		if (required)
			pat_err(c, v ? v : map, "%s: '%s' is missing", what, key);
		return NULL;
	}
	if (v->type != YN_SCALAR) {
		pat_err(c, v, "%s: '%s' must be a value", what, key);
		return NULL;
	}
	if (required && v->len == 0) {
		pat_err(c, v, "%s: '%s' is empty", what, key);
		return NULL;
	}
	return v;
}

static bool
pat_bool(struct pat_load *c, const struct ynode *map, const char *key,
    const char *what)
{
	const struct ynode *v = pat_scalar(c, map, key, false, what);

	if (v == NULL)
		return false;
	if (strcmp(v->value, "true") == 0 || strcmp(v->value, "yes") == 0)
		return true;
	if (strcmp(v->value, "false") != 0 && strcmp(v->value, "no") != 0)
		pat_err(c, v, "%s: '%s' must be true or false", what, key);
	return false;
}

/* A value or a list of values under KEY, copied into the arena. */
static size_t
pat_strings(struct pat_load *c, struct arena *a, const struct ynode *map,
    const char *key, const char ***out, const char *what)
{
	const struct ynode *v = ydoc_get(map, key);
	const char **s;
	size_t i;

	*out = NULL;
	if (v == NULL || v->type == YN_NULL)
		return 0;
	if (v->type == YN_SCALAR) {
		if (v->len == 0) {
			pat_err(c, v, "%s: '%s' is empty", what, key);
			return 0;
		}
		s = arena_alloc(a, sizeof(*s));
		s[0] = arena_strndup(a, v->value, v->len);
		*out = s;
		return 1;
	}
	if (v->type != YN_SEQ || v->nkids == 0) {
		pat_err(c, v, "%s: '%s' must be a value or a list of values",
		    what, key);
		return 0;
	}
	s = arena_alloc(a, v->nkids * sizeof(*s));
	for (i = 0; i < v->nkids; i++) {
		if (v->kids[i]->type != YN_SCALAR || v->kids[i]->len == 0) {
			pat_err(c, v->kids[i], "%s: '%s' must hold non-empty "
			    "values", what, key);
			return 0;
		}
		s[i] = arena_strndup(a, v->kids[i]->value, v->kids[i]->len);
	}
	*out = s;
	return v->nkids;
}

static int
pat_group(const pcre2_code *re, const char *name)
{
	int n = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);

	return n > 0 ? n : PAT_G_NONE;
}

/* Compile the pattern of rule node N into R. */
static bool
pat_compile(struct pat_load *c, const struct pat_format *f,
    const struct ynode *n, struct pat_rule *r, const char *what)
{
	const struct ynode *m = pat_scalar(c, n, "match", true, what);
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	uint32_t pairs;
	int err;

	if (m == NULL)
		return false;
	r->re = pcre2_compile((PCRE2_SPTR)m->value, m->len, 0, &err, &off,
	    NULL);
	if (r->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		pat_err(c, m, "format '%s': %s: the pattern does not compile: "
		    "%s (at offset %zu of the pattern)", f->name, what,
		    (const char *)msg, (size_t)off);
		return false;
	}
	if (pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &pairs) == 0 &&
	    pairs + 1 > pat_md_pairs)
		pat_md_pairs = pairs + 1;
	r->g_reply = pat_group(r->re, "reply");
	r->g_command = pat_group(r->re, "command");
	r->g_client = pat_group(r->re, "client");
	r->g_rcpt = pat_group(r->re, "rcpt");
	r->g_text = pat_group(r->re, "text");
	return true;
}

/*
 * The offset of the byte of literal S to look for first: in log lines
 * blanks, lower-case letters and digits are everywhere, so memchr() on
 * them stops at every word; punctuation and capitals stop rarely.
 */
static size_t
pat_rare(const char *s, size_t n)
{
	size_t i, best = 0;
	int r, bestr = -1;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == ' ' || ch == 'e' || ch == 't' || ch == 'a' ||
		    ch == 'o')
			r = 0;
		else if (ch >= 'a' && ch <= 'z')
			r = 1;
		else if (ch >= '0' && ch <= '9')
			r = 2;
		else if (ch >= 'A' && ch <= 'Z')
			r = 3;
		else
			r = 4;
		if (r > bestr) {
			bestr = r;
			best = i;
		}
	}
	return best;
}

/* Literal S (N bytes, rarest byte at RARE) in P, or NULL. */
static const char *
pat_find(const char *p, size_t len, const char *s, size_t n, size_t rare)
{
	const char *q, *last;

	if (n == 0 || n > len)
		return n == 0 ? p : NULL;
	last = p + (len - n) + rare;	/* where the rare byte can be last */
	for (q = p + rare; q <= last &&
	    (q = memchr(q, s[rare], (size_t)(last - q) + 1)) != NULL; q++)
		if (memcmp(q - rare, s, n) == 0)
			return q - rare;
	return NULL;
}

static const char *
pat_lit(struct pat_load *c, struct arena *a, const struct ynode *n,
    size_t *len, const char *what)
{
	const struct ynode *v = pat_scalar(c, n, "prefilter", false, what);

	if (v == NULL)
		return NULL;
	if (v->len == 0) {
		pat_err(c, v, "%s: 'prefilter' is empty", what);
		return NULL;
	}
	*len = v->len;
	return arena_strndup(a, v->value, v->len);
}

static bool
pat_load_detect(struct pat_load *c, struct pat_format *f,
    const struct ynode *n, struct pat_rule *r)
{
	static const char *const keys[] = { "match", "prefilter", "score",
	    NULL };
	const struct ynode *v;
	char *end;
	long sc;

	if (n->type != YN_MAP) {
		pat_err(c, n, "format '%s': a detect entry must be a mapping",
		    f->name);
		return false;
	}
	if (!pat_keys(c, n, keys, "a detect entry"))
		return false;
	r->lit = pat_lit(c, f->arena, n, &r->litlen, "detect");
	r->litrare = pat_rare(r->lit, r->litlen);
	r->score = 100;
	if ((v = pat_scalar(c, n, "score", false, "detect")) != NULL) {
		errno = 0;
		sc = strtol(v->value, &end, 10);
		if (errno != 0 || *end != '\0' || sc < 1 || sc > 100) {
			pat_err(c, v, "format '%s': detect: 'score' must be "
			    "1 to 100", f->name);
			return false;
		}
		r->score = (int)sc;
	}
	return pat_compile(c, f, n, r, "detect");
}

static bool
pat_load_rule(struct pat_load *c, struct pat_format *f, const struct ynode *n,
    struct pat_rule *r)
{
	static const char *const keys[] = { "match", "prefilter", "event",
	    "key", "command", "note", "alone", "dialogue_dup", "joins", "reply",
	    NULL };
	const struct ynode *v, *k;
	size_t i, j;
	int g;

	if (n->type != YN_MAP) {
		pat_err(c, n, "format '%s': a lines entry must be a mapping",
		    f->name);
		return false;
	}
	if (!pat_keys(c, n, keys, "a lines entry"))
		return false;
	r->lit = pat_lit(c, f->arena, n, &r->litlen, "lines");
	r->litrare = pat_rare(r->lit, r->litlen);
	if ((v = pat_scalar(c, n, "event", true, "lines")) == NULL)
		return false;
	for (i = 0; i < sizeof(pat_event_names) / sizeof(pat_event_names[0]);
	    i++)
		if (strcmp(v->value, pat_event_names[i]) == 0)
			break;
	if (i == sizeof(pat_event_names) / sizeof(pat_event_names[0])) {
		pat_err(c, v, "format '%s': unknown event '%s' (start, end, "
		    "reply, note, client, server, tls, ignore)", f->name,
		    v->value);
		return false;
	}
	r->event = (enum pat_event)i;
	if ((v = pat_scalar(c, n, "note", false, "lines")) != NULL) {
		for (j = 1; j < sizeof(pat_note_names) / sizeof(pat_note_names[0]);
		    j++)
			if (strcmp(v->value, pat_note_names[j]) == 0)
				break;
		if (j == sizeof(pat_note_names) / sizeof(pat_note_names[0])) {
			pat_err(c, v, "format '%s': unknown note '%s' "
			    "(pipelining, sync-error, bare-lf, data-no-rcpt, pregreet)",
			    f->name, v->value);
			return false;
		}
		r->note = (enum log_note)j;
	}
	if (r->event == PE_NOTE && r->note == NOTE_NONE) {
		pat_err(c, n, "format '%s': an event 'note' needs 'note'",
		    f->name);
		return false;
	}
	if (r->note != NOTE_NONE && r->event != PE_NOTE &&
	    r->event != PE_REPLY) {
		pat_err(c, n, "format '%s': 'note' goes with the events note "
		    "and reply", f->name);
		return false;
	}
	if ((v = pat_scalar(c, n, "command", false, "lines")) != NULL)
		r->command = arena_strndup(f->arena, v->value, v->len);
	if ((v = pat_scalar(c, n, "reply", false, "lines")) != NULL) {
		if (r->event != PE_REPLY || v->len < 3 ||
		    v->len > PAT_REPLY_MAX / 2 || v->value[0] < '2' ||
		    v->value[0] > '5' || v->value[1] < '0' ||
		    v->value[1] > '9' || v->value[2] < '0' ||
		    v->value[2] > '9' || (v->len > 3 && v->value[3] != ' ')) {
			pat_err(c, v, "format '%s': 'reply' goes with the event "
			    "reply and is a reply such as \"535 5.7.0 text\" "
			    "(a code 200..599, then a blank and text)",
			    f->name);
			return false;
		}
		r->reply = arena_strndup(f->arena, v->value, v->len);
		r->replylen = v->len;
	}
	r->is_alone = pat_bool(c, n, "alone", "lines");
	r->is_dialogue_dup = pat_bool(c, n, "dialogue_dup", "lines");
	r->is_joining = pat_bool(c, n, "joins", "lines");
	if (r->is_joining && r->event != PE_START) {
		pat_err(c, n, "format '%s': 'joins' goes with the event start",
		    f->name);
		return false;
	}
	if (!pat_compile(c, f, n, r, "lines"))
		return false;
	if (r->event == PE_REPLY && (r->g_reply == PAT_G_NONE) ==
	    (r->reply == NULL)) {
		pat_err(c, ydoc_get(n, "match"), "format '%s': an event 'reply' "
		    "needs a group named 'reply' or a 'reply' (not both)",
		    f->name);
		return false;
	}
	if ((r->event == PE_CLIENT || r->event == PE_SERVER) &&
	    r->g_text == PAT_G_NONE) {
		pat_err(c, ydoc_get(n, "match"), "format '%s': an event '%s' "
		    "needs a group named 'text'", f->name,
		    pat_event_names[r->event]);
		return false;
	}
	/* The session key: the groups named by 'key', else the group "key",
	 * else the syslog header's "host prog[pid]". */
	k = ydoc_get(n, "key");
	if (k != NULL && k->type != YN_NULL) {
		const struct ynode *one = k;
		size_t nk = 1;

		if (k->type == YN_SEQ)
			nk = k->nkids;
		else if (k->type != YN_SCALAR) {
			pat_err(c, k, "format '%s': 'key' must be a group name "
			    "or a list of them", f->name);
			return false;
		}
		if (nk == 0 || nk > PAT_KEY_PARTS) {
			pat_err(c, k, "format '%s': 'key' names 1 to %d groups",
			    f->name, PAT_KEY_PARTS);
			return false;
		}
		for (i = 0; i < nk; i++) {
			one = k->type == YN_SEQ ? k->kids[i] : k;
			if (one->type != YN_SCALAR) {
				pat_err(c, one, "format '%s': 'key' must name "
				    "groups", f->name);
				return false;
			}
			if (strcmp(one->value, "syslog") == 0 &&
			    f->nprograms > 0)
				g = PAT_G_SYSLOG;
			else if ((g = pat_group(r->re, one->value)) ==
			    PAT_G_NONE) {
				pat_err(c, one, "format '%s': 'key': the pattern "
				    "has no group named '%s'", f->name,
				    one->value);
				return false;
			}
			r->keyg[r->nkeyg++] = g;
		}
	} else if ((g = pat_group(r->re, "key")) != PAT_G_NONE)
		r->keyg[r->nkeyg++] = g;
	else if (f->nprograms > 0)
		r->keyg[r->nkeyg++] = PAT_G_SYSLOG;
	else if (r->event != PE_IGNORE) {
		pat_err(c, n, "format '%s': no session key: give 'key', a group "
		    "named 'key' or the format's 'syslog' programs", f->name);
		return false;
	}
	return true;
}

static void
pat_format_free(struct pat_format *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ndetect; i++)
		pcre2_code_free(f->detect[i].re);
	for (i = 0; i < f->nrules; i++)
		pcre2_code_free(f->rules[i].re);
	arena_free(f->arena);
	free(f);
}

static int	pat_probe(const void *, const struct line *);
static void	*pat_new(const void *);
static void	 pat_free(void *);
static bool	 pat_line(void *, const struct line *, const struct event_sink *);

static struct pat_format *
pat_load_format(struct pat_load *c, const struct ynode *n)
{
	static const char *const keys[] = { "name", "description", "syslog",
	    "bare", "data_hidden", "prefilter", "detect", "commands", "lines",
	    NULL };
	struct pat_format *f;
	const struct ynode *v, *d, *ls, *cm;
	const char **lits;
	size_t i;
	bool ok = true;

	if (n->type != YN_MAP) {
		pat_err(c, n, "a format must be a mapping");
		return NULL;
	}
	if (!pat_keys(c, n, keys, "a format"))
		return NULL;
	if ((v = pat_scalar(c, n, "name", true, "a format")) == NULL)
		return NULL;
	for (i = 0; i < v->len; i++)
		if (!((v->value[i] >= 'a' && v->value[i] <= 'z') ||
		    (v->value[i] >= '0' && v->value[i] <= '9') ||
		    v->value[i] == '-' || v->value[i] == '_'))
			break;
	if (i < v->len || v->len > 24) {
		pat_err(c, v, "format name '%s': use at most 24 of a-z, 0-9, "
		    "'-', '_'", v->value);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->arena = arena_new();
	f->name = arena_strndup(f->arena, v->value, v->len);
	if ((v = pat_scalar(c, n, "description", true, "a format")) == NULL) {
		pat_format_free(f);
		return NULL;
	}
	f->ad.name = f->name;
	f->ad.description = arena_strndup(f->arena, v->value, v->len);
	f->ad.is_log = true;
	f->ad.ctx = f;
	f->ad.probe_ctx = pat_probe;
	f->ad.new_ctx = pat_new;
	f->ad.free = pat_free;
	f->ad.line = pat_line;
	f->nprograms = pat_strings(c, f->arena, n, "syslog", &f->programs,
	    "a format");
	f->is_bare = pat_bool(c, n, "bare", "a format");
	f->is_data_hidden = pat_bool(c, n, "data_hidden", "a format");
	f->nlits = pat_strings(c, f->arena, n, "prefilter", &lits, "a format");
	f->lits = lits;
	f->litlens = arena_alloc(f->arena, (f->nlits + 1) * sizeof(size_t));
	f->litrares = arena_alloc(f->arena, (f->nlits + 1) * sizeof(size_t));
	for (i = 0; i < f->nlits; i++) {
		f->litlens[i] = strlen(lits[i]);
		f->litrares[i] = pat_rare(lits[i], f->litlens[i]);
	}
	if ((cm = ydoc_get(n, "commands")) != NULL && cm->type != YN_NULL) {
		if (cm->type != YN_MAP) {
			pat_err(c, cm, "format '%s': 'commands' must be a "
			    "mapping from the log's word to a command", f->name);
			ok = false;
		} else {
			f->cmds = arena_alloc(f->arena, (cm->nkids / 2 + 1) *
			    sizeof(*f->cmds));
			for (i = 0; i + 1 < cm->nkids; i += 2) {
				if (cm->kids[i + 1]->type == YN_NULL) {
					/* ~: the log's word names no command */
					f->cmds[f->ncmds].from = arena_strdup(
					    f->arena, cm->kids[i]->value);
					f->cmds[f->ncmds++].verb = NULL;
					continue;
				}
				if (cm->kids[i + 1]->type != YN_SCALAR ||
				    cm->kids[i + 1]->len == 0) {
					pat_err(c, cm->kids[i + 1], "format '%s': "
					    "commands: '%s' needs a command name",
					    f->name, cm->kids[i]->value);
					ok = false;
					continue;
				}
				f->cmds[f->ncmds].from = arena_strdup(f->arena,
				    cm->kids[i]->value);
				f->cmds[f->ncmds++].verb = arena_strdup(f->arena,
				    cm->kids[i + 1]->value);
			}
		}
	}
	d = ydoc_get(n, "detect");
	if (d == NULL || d->type != YN_SEQ || d->nkids == 0) {
		pat_err(c, d ? d : n, "format '%s': 'detect' must be a "
		    "non-empty list", f->name);
		ok = false;
	} else {
		f->detect = arena_alloc(f->arena, d->nkids * sizeof(*f->detect));
		for (i = 0; i < d->nkids; i++)
			if (pat_load_detect(c, f, d->kids[i], &f->detect[i]))
				f->ndetect++;
			else {
				ok = false;
				break;
			}
	}
	ls = ydoc_get(n, "lines");
	if (ls == NULL || ls->type != YN_SEQ || ls->nkids == 0) {
		pat_err(c, ls ? ls : n, "format '%s': 'lines' must be a "
		    "non-empty list", f->name);
		ok = false;
	} else {
		f->rules = arena_alloc(f->arena, ls->nkids * sizeof(*f->rules));
		for (i = 0; i < ls->nkids; i++)
			if (pat_load_rule(c, f, ls->kids[i], &f->rules[i]))
				f->nrules++;
			else {
				pcre2_code_free(f->rules[i].re);
				ok = false;
				break;
			}
	}
	if (!ok || !c->ok) {
		pat_format_free(f);
		return NULL;
	}
	return f;
}

static void
pat_free_all(void)
{
	size_t i;

	for (i = 0; i < pat_n; i++)
		pat_format_free(pat_formats[i]);
	pat_n = 0;
	pcre2_match_data_free(pat_md);
	pat_md = NULL;
	pat_md_pairs = 0;
}

/* Add F, replacing the format of the same name. */
static bool
pat_register(struct pat_load *c, const struct ynode *n, struct pat_format *f)
{
	size_t i;

	for (i = 0; i < pat_n; i++)
		if (strcmp(pat_formats[i]->name, f->name) == 0) {
			pat_format_free(pat_formats[i]);
			pat_formats[i] = f;
			return true;
		}
	/* A built-in adapter keeps its name. */
	for (i = 0; format_nth(i) != NULL && format_nth(i)->ctx == NULL; i++)
		if (strcmp(format_nth(i)->name, f->name) == 0) {
			pat_err(c, ydoc_get(n, "name"), "format name '%s' is "
			    "a built-in format", f->name);
			pat_format_free(f);
			return false;
		}
	if (pat_n == FMT_PATTERN_MAX) {
		pat_err(c, n, "more than %d formats", FMT_PATTERN_MAX);
		pat_format_free(f);
		return false;
	}
	pat_formats[pat_n++] = f;
	return true;
}

/* Load the formats of tree ROOT (of file NAME, in arena A, freed here). */
static bool
pat_load_tree(const char *name, struct arena *a, const struct ynode *root)
{
	struct pat_load c = { name, true };
	const struct ynode *list;
	struct pat_format *f;
	static const char *const keys[] = { "formats", NULL };
	size_t i;
	bool is_ok = true;

	if (!pat_has_atexit) {
		atexit(pat_free_all);
		pat_has_atexit = true;
	}
	pat_is_init = true;
	if (root->type == YN_NULL) {
		arena_free(a);
		return true;
	}
	if (root->type != YN_MAP) {
		pat_err(&c, root, "formats.yaml must be a mapping with the key "
		    "'formats'");
		arena_free(a);
		return false;
	}
	if (!pat_keys(&c, root, keys, "formats.yaml"))
		is_ok = false;
	list = ydoc_get(root, "formats");
	if (list == NULL || list->type != YN_SEQ) {
		pat_err(&c, list ? list : root, "'formats' must be a list");
		arena_free(a);
		return false;
	}
	/* A broken format is left out; the others are still read. */
	for (i = 0; i < list->nkids; i++) {
		c.ok = true;
		if ((f = pat_load_format(&c, list->kids[i])) != NULL)
			(void)pat_register(&c, list->kids[i], f);
		if (!c.ok)
			is_ok = false;
	}
	arena_free(a);
	/* One match-data block, sized for the pattern with most groups. */
	if (pat_md_pairs > 0 && (pat_md == NULL ||
	    pcre2_get_ovector_count(pat_md) < pat_md_pairs)) {
		pcre2_match_data_free(pat_md);
		if ((pat_md = pcre2_match_data_create(pat_md_pairs, NULL)) ==
		    NULL) {
			fputs("smtplint: out of memory\n", stderr);
			exit(2);
		}
	}
	return is_ok && c.ok;
}

bool
fmt_pattern_load_buffer(const char *name, const char *data, size_t len)
{
	struct arena *a = arena_new();
	const struct ynode *root;

	if ((root = ydoc_parse(a, name, data, len)) == NULL) {
		arena_free(a);
		pat_is_init = true;
		return false;
	}
	return pat_load_tree(name, a, root);
}

/* The embedded formats.yaml, read once on first use. */
static void
pat_init(void)
{
	const struct rules_file *rf;

	if (pat_is_init)
		return;
	pat_is_init = true;
	/* parsed at build time (tools/embed.c) */
	for (rf = rules_embedded; rf->name != NULL; rf++)
		if (strcmp(rf->name, "formats.yaml") == 0) {
			struct arena *a = arena_new();

			(void)pat_load_tree("(built-in) rules/formats.yaml", a,
			    ydoc_unflatten(a, rf->tree));
		}
}

bool
fmt_pattern_load_dir(const char *dir)
{
	char path[PATH_MAX];
	char *buf;
	struct stat sb;
	ssize_t n;
	size_t len = 0;
	int fd;
	bool ok;

	pat_init();
	if (dir == NULL)
		return true;
	snprintf(path, sizeof(path), "%s/formats.yaml", dir);
	if ((fd = open(path, O_RDONLY)) == -1) {
		if (errno == ENOENT)
			return true;
		diag_error(path, 0, 0, "cannot read: %s", strerror(errno));
		return false;
	}
	if (fstat(fd, &sb) == -1 || sb.st_size > PAT_FILE_MAX) {
		diag_error(path, 0, 0, "cannot read: %s", fstat(fd, &sb) ==
		    -1 ? strerror(errno) : "larger than 4 MiB");
		close(fd);
		return false;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (len < (size_t)sb.st_size &&
	    ((n = read(fd, buf + len, (size_t)sb.st_size - len)) > 0 ||
	    (n == -1 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	ok = fmt_pattern_load_buffer(path, buf, len);
	free(buf);
	return ok;
}

const struct format_adapter *
fmt_pattern_nth(size_t n)
{
	pat_init();
	return n < pat_n ? &pat_formats[n]->ad : NULL;
}

const struct format_adapter *
fmt_pattern_find(const char *name)
{
	size_t i;

	pat_init();
	for (i = 0; i < pat_n; i++)
		if (strcmp(pat_formats[i]->name, name) == 0)
			return &pat_formats[i]->ad;
	return NULL;
}

void
fmt_pattern_reset(void)
{
	pat_free_all();
	pat_is_init = false;
}

/* ---- matching */

/*
 * JIT-compile a format's patterns on its first use; without JIT support
 * the interpreter serves.  Under valgrind the interpreter serves too: the
 * JIT's SIMD scans read aligned blocks past the end of the subject, which
 * memcheck reports as use of uninitialised bytes (SMTPLINT_NO_JIT=1 asks
 * for the same elsewhere).
 */
static void
pat_jit(const struct pat_format *cf)
{
	struct pat_format *f = (struct pat_format *)(uintptr_t)cf;
	const char *e;
	size_t i;

	if (f->is_jitted)
		return;
	f->is_jitted = true;
	if (((e = getenv("LD_PRELOAD")) != NULL &&
	    strstr(e, "vgpreload_memcheck") != NULL) ||
	    ((e = getenv("SMTPLINT_NO_JIT")) != NULL && strcmp(e, "1") == 0))
		return;
	for (i = 0; i < f->ndetect; i++)
		f->detect[i].is_jit = pcre2_jit_compile(f->detect[i].re,
		    PCRE2_JIT_COMPLETE) == 0;
	for (i = 0; i < f->nrules; i++)
		f->rules[i].is_jit = pcre2_jit_compile(f->rules[i].re,
		    PCRE2_JIT_COMPLETE) == 0;
}

static bool
pat_match(const struct pat_rule *r, const char *p, size_t n)
{
	if (r->lit != NULL && pat_find(p, n, r->lit, r->litlen, r->litrare) ==
	    NULL)
		return false;
	if (r->is_jit)
		return pcre2_jit_match(r->re, (PCRE2_SPTR)p, n, 0, 0, pat_md,
		    NULL) >= 0;
	return pcre2_match(r->re, (PCRE2_SPTR)p, n, 0, 0, pat_md, NULL) >= 0;
}

/* Group G of the last match; false when it did not take part. */
static bool
pat_get(const char *p, int g, const char **s, size_t *len)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(pat_md);

	if (g < 0 || (uint32_t)g >= pcre2_get_ovector_count(pat_md) ||
	    ov[2 * g] == PCRE2_UNSET)
		return false;
	*s = p + ov[2 * g];
	*len = ov[2 * g + 1] - ov[2 * g];
	return true;
}

/* The part of line L the patterns see: the syslog message of one of the
 * format's programs, or the whole line.  *SL gets the header; false when
 * the line is not the format's. */
static bool
pat_message(const struct pat_format *f, const struct line *l,
    struct logfmt_syslog *sl, bool *has_header)
{
	size_t i;

	*has_header = false;
	if (f->nprograms == 0) {
		sl->msg = l->bytes;
		sl->msglen = l->len;
		return true;
	}
	if (!logfmt_syslog(l->bytes, l->len, sl)) {
		if (!f->is_bare)
			return false;
		sl->msg = l->bytes;
		sl->msglen = l->len;
		return true;
	}
	/* The whole tag: OpenSMTPD's "smtpd" is not "postfix/smtpd". */
	for (i = 0; i < f->nprograms; i++)
		if (strlen(f->programs[i]) == sl->proglen &&
		    memcmp(f->programs[i], sl->prog, sl->proglen) == 0) {
			*has_header = true;
			return true;
		}
	return false;
}

static bool
pat_prefilter(const struct pat_format *f, const char *p, size_t n)
{
	size_t i;

	if (f->nlits == 0)
		return true;
	for (i = 0; i < f->nlits; i++)
		if (pat_find(p, n, f->lits[i], f->litlens[i], f->litrares[i]) !=
		    NULL)
			return true;
	return false;
}

static int
pat_probe(const void *ctx, const struct line *l)
{
	const struct pat_format *f = ctx;
	struct logfmt_syslog sl;
	size_t i;
	bool hdr;
	int best = 0;

	if (!pat_message(f, l, &sl, &hdr) || !pat_prefilter(f, sl.msg,
	    sl.msglen))
		return 0;
	pat_jit(f);
	for (i = 0; i < f->ndetect; i++)
		if (f->detect[i].score > best &&
		    pat_match(&f->detect[i], sl.msg, sl.msglen))
			best = f->detect[i].score;
	return best;
}

static void *
pat_new(const void *ctx)
{
	struct pat_input *in = xcalloc(1, sizeof(*in));

	in->fmt = ctx;
	pat_jit(in->fmt);
	return in;
}

static void
pat_free(void *st)
{
	free(st);
}

/* FNV-1a, 64 bits; never 0 (a free slot). */
static uint64_t
pat_hash(const char *k, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h ? h : 1;
}

static struct pat_slot *
pat_slot(struct pat_input *in, uint64_t h)
{
	return &in->slot[(h ^ (h >> 29)) & (PAT_SLOTS - 1)];
}

static enum pat_state
pat_get_state(struct pat_input *in, uint64_t h)
{
	struct pat_slot *s = pat_slot(in, h);

	return s->hash == h ? (enum pat_state)s->state : PS_NONE;
}

static void
pat_set_state(struct pat_input *in, uint64_t h, enum pat_state st)
{
	struct pat_slot *s = pat_slot(in, h);

	s->hash = h;
	s->state = (uint8_t)st;
}

/* "format part part …" into in->key; its length. */
static size_t
pat_key(struct pat_input *in, const struct pat_rule *r, const char *p,
    const struct logfmt_syslog *sl, bool has_header)
{
	const char *s;
	size_t n, len, i;

	len = strlen(in->fmt->name);
	memcpy(in->key, in->fmt->name, len);
	for (i = 0; i < (size_t)r->nkeyg; i++) {
		if (r->keyg[i] == PAT_G_SYSLOG) {
			if (!has_header)
				continue;
			s = sl->key;
			n = sl->keylen;
		} else if (!pat_get(p, r->keyg[i], &s, &n))
			continue;
		if (len + 1 + n > PAT_KEY_MAX)
			n = PAT_KEY_MAX - len - 1;
		in->key[len++] = ' ';
		memcpy(in->key + len, s, n);
		len += n;
		if (len + 1 >= PAT_KEY_MAX)
			break;
	}
	return len;
}

/* The command group mapped through the format's 'commands', else the
 * rule's literal command. */
static void
pat_command(const struct pat_format *f, const struct pat_rule *r,
    const char *p, struct event *ev)
{
	const char *s;
	size_t n, i;

	if (pat_get(p, r->g_command, &s, &n)) {
		for (i = 0; i < f->ncmds; i++)
			if (strlen(f->cmds[i].from) == n &&
			    strncasecmp(f->cmds[i].from, s, n) == 0) {
				ev->command = f->cmds[i].verb;
				ev->commandlen = ev->command ?
				    strlen(ev->command) : 0;
				return;
			}
		if (n > 0) {
			ev->command = s;
			ev->commandlen = n;
			return;
		}
	}
	if (r->command != NULL) {
		ev->command = r->command;
		ev->commandlen = strlen(r->command);
	}
}

static void
pat_emit_simple(const struct event_sink *sink, enum event_kind k,
    const struct line *l, const char *key, size_t keylen, unsigned flags)
{
	struct event ev = event_make(k, l->no);

	ev.key = key;
	ev.keylen = keylen;
	ev.flags = flags;
	sink->emit(sink->ctx, &ev);
}

/* The session H is a second name of, or NULL. */
static struct pat_join *
pat_join_find(struct pat_input *in, uint64_t h)
{
	size_t i;

	for (i = 0; i < PAT_JOINS; i++)
		if (in->join[i].hash == h)
			return &in->join[i];
	return NULL;
}

/* Note (IS_WAITING) or forget the started session H awaiting its
 * greeting; a full list forgets its oldest. */
static void
pat_wait(struct pat_input *in, uint64_t h, bool is_waiting)
{
	size_t i;

	for (i = 0; i < PAT_WAITING; i++)
		if (in->waiting[i] == h) {
			memmove(&in->waiting[i], &in->waiting[i + 1],
			    (PAT_WAITING - i - 1) * sizeof(in->waiting[0]));
			in->waiting[PAT_WAITING - 1] = 0;
			break;
		}
	if (!is_waiting)
		return;
	for (i = 0; i < PAT_WAITING && in->waiting[i] != 0; i++)
		;
	if (i == PAT_WAITING) {
		memmove(&in->waiting[0], &in->waiting[1],
		    (PAT_WAITING - 1) * sizeof(in->waiting[0]));
		i = PAT_WAITING - 1;
	}
	in->waiting[i] = h;
}

/* The session KEY got its greeting: a pending joining start names it
 * from now on.  OpenSMTPD's smtp_connected() logs "<id> smtp connected"
 * and at once sends the banner, so the next greeting in a trace is that
 * session's. */
static void
pat_join_tie(struct pat_input *in, const char *key, size_t keylen)
{
	struct pat_join *j;

	if (in->pendlen == 0)
		return;
	j = &in->join[in->njoin];
	in->njoin = (in->njoin + 1) % PAT_JOINS;
	j->hash = pat_hash(in->pend, in->pendlen);
	memcpy(j->key, key, keylen);
	j->keylen = keylen;
	in->pendlen = 0;
}

static bool
pat_line(void *vst, const struct line *l, const struct event_sink *sink)
{
	struct pat_input *in = vst;
	const struct pat_format *f = in->fmt;
	const struct pat_rule *r = NULL;
	struct logfmt_syslog sl;
	struct event ev;
	struct pat_join *j;
	const char *p, *s;
	size_t i, n, keylen;
	uint64_t h;
	enum pat_state st;
	unsigned flags, dflag = f->is_data_hidden ? EVF_DATA_HIDDEN : 0;
	bool hdr, is_client;

	if (!pat_message(f, l, &sl, &hdr))
		/* journalctl's "-- Boot …" markers */
		return LOGFMT_PREFIX(l->bytes, l->len, "-- ");
	p = sl.msg;
	if (pat_prefilter(f, p, sl.msglen))
		for (i = 0; i < f->nrules; i++)
			if (pat_match(&f->rules[i], p, sl.msglen)) {
				r = &f->rules[i];
				break;
			}
	if (r == NULL)
		/* Another line of the format's program is understood;
		 * a bare line no rule knows is not. */
		return hdr;
	if (r->event == PE_IGNORE)
		return true;
	keylen = pat_key(in, r, p, &sl, hdr);
	h = pat_hash(in->key, keylen);
	if ((j = pat_join_find(in, h)) != NULL) {
		/* the session's other name */
		if (r->event == PE_END)
			j->hash = 0;
		memcpy(in->key, j->key, j->keylen);
		keylen = j->keylen;
		h = pat_hash(in->key, keylen);
	} else if (r->is_joining && in->waiting[0] != 0) {
		/* a session of the trace awaits its greeting: this start
		 * names it (tied at the greeting), not a connection of its
		 * own */
		memcpy(in->pend, in->key, keylen);
		in->pendlen = keylen;
		return true;
	}
	st = pat_get_state(in, h);
	flags = st == PS_FULL ? 0 : EVF_PARTIAL;
	switch (r->event) {
	case PE_START:
		if (!r->is_joining)
			pat_wait(in, h, true);
		pat_set_state(in, h, PS_CONNECTED);
		pat_emit_simple(sink, EV_SESSION_START, l, in->key, keylen, dflag);
		return true;
	case PE_END:
		pat_wait(in, h, false);
		pat_slot(in, h)->hash = 0;
		pat_emit_simple(sink, EV_SESSION_END, l, in->key, keylen, 0);
		return true;
	case PE_TLS:
		if (st == PS_FULL || st == PS_CONNECTED)
			pat_emit_simple(sink, EV_TLS, l, in->key, keylen, 0);
		return true;
	case PE_CLIENT:
	case PE_SERVER:
		is_client = r->event == PE_CLIENT;
		if (!pat_get(p, r->g_text, &s, &n))
			return true;
		in->has_dialogue = true;
		switch (st) {
		case PS_CONNECTED:
			/* RFC 5321 3.1: the greeting comes first; a session
			 * whose dialogue starts with it is complete. */
			if (!is_client && n >= 3 && (memcmp(s, "220", 3) == 0 ||
			    memcmp(s, "421", 3) == 0 ||
			    memcmp(s, "554", 3) == 0)) {
				st = PS_FULL;
				pat_wait(in, h, false);
				pat_join_tie(in, in->key, keylen);
				break;
			}
			/* FALLTHROUGH */
		case PS_NONE:
		case PS_LOGONLY:
		case PS_DLG_WAIT:
			st = is_client ? PS_DLG : PS_DLG_WAIT;
			break;
		case PS_FULL:
		case PS_DLG:
			break;
		}
		pat_set_state(in, h, st);
		if (st == PS_DLG_WAIT) {
			(void)fmt_util_late_reply(sink, l, s, n, in->key,
			    keylen, dflag);
			return true;
		}
		ev = event_make(is_client ? EV_CLIENT : EV_SERVER, l->no);
		ev.text = s;
		ev.len = n;
		ev.is_truncated = l->is_truncated;
		ev.key = in->key;
		ev.keylen = keylen;
		ev.flags = (st == PS_FULL ? 0 : EVF_PARTIAL) | dflag;
		sink->emit(sink->ctx, &ev);
		return true;
	case PE_REPLY:
		if (r->reply != NULL) {
			/* The log names the event; the reply is the one the
			 * server sends for it, with the line's text. */
			const char *t;
			size_t tn;

			memcpy(in->reply, r->reply, n = r->replylen);
			if (pat_get(p, r->g_text, &t, &tn) && tn > 0) {
				if (tn > sizeof(in->reply) - n - 1)
					tn = sizeof(in->reply) - n - 1;
				in->reply[n++] = ' ';
				memcpy(in->reply + n, t, tn);
				n += tn;
			}
			s = in->reply;
		} else if (!pat_get(p, r->g_reply, &s, &n) || n < 3 ||
		    s[0] < '2' ||
		    s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
		    s[2] > '9' || (n > 3 && s[3] != ' ' && s[3] != '-'))
			return true;	/* no reply code: nothing to judge */
		ev = event_make(EV_LOG_REPLY, l->no);
		ev.text = s;
		ev.len = n;
		pat_command(f, r, p, &ev);
		if (pat_get(p, r->g_client, &s, &n)) {
			ev.client = s;
			ev.clientlen = n;
		}
		if (pat_get(p, r->g_rcpt, &s, &n)) {
			ev.rcpt = s;
			ev.rcptlen = n;
		}
		ev.key = in->key;
		ev.keylen = keylen;
		if (r->is_alone) {
			ev.flags = EVF_PARTIAL;
			pat_emit_simple(sink, EV_SESSION_START, l, in->key,
			    keylen, EVF_PARTIAL | EVF_ALONE);
			sink->emit(sink->ctx, &ev);
			if (r->note != NOTE_NONE)
				break;		/* the note, then the end */
			pat_emit_simple(sink, EV_SESSION_END, l, in->key,
			    keylen, EVF_PARTIAL);
			return true;
		}
		if (st == PS_CONNECTED || st == PS_NONE)
			pat_set_state(in, h, st = PS_LOGONLY);
		/* The dialogue shows this reply too: the summary counts it,
		 * the dialogue is judged.  A reply the dialogue does not
		 * show (no dialogue_dup) is judged here. */
		ev.flags = flags | (r->is_dialogue_dup && (st == PS_FULL ||
		    st == PS_DLG || st == PS_DLG_WAIT || in->has_dialogue) ?
		    EVF_STATS_ONLY : 0);
		sink->emit(sink->ctx, &ev);
		if (r->note == NOTE_NONE || (ev.flags & EVF_STATS_ONLY))
			return true;
		break;
	case PE_NOTE:
		if (r->is_dialogue_dup && in->has_dialogue)
			return true;
		if (r->is_alone)
			flags = EVF_PARTIAL;
		break;
	case PE_IGNORE:
		return true;
	}
	ev = event_make(EV_LOG_NOTE, l->no);
	ev.note = r->note;
	ev.text = l->bytes;
	ev.len = l->len;
	pat_command(f, r, p, &ev);
	ev.key = in->key;
	ev.keylen = keylen;
	ev.flags = flags;
	if (r->is_alone) {
		ev.flags = EVF_PARTIAL;
		if (r->event == PE_NOTE)
			pat_emit_simple(sink, EV_SESSION_START, l, in->key,
			    keylen, EVF_PARTIAL | EVF_ALONE);
		sink->emit(sink->ctx, &ev);
		pat_emit_simple(sink, EV_SESSION_END, l, in->key, keylen,
		    EVF_PARTIAL);
		return true;
	}
	sink->emit(sink->ctx, &ev);
	return true;
}
