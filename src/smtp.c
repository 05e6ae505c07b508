/*
 * The SMTP state machine of one session.
 *
 * Client lines are queued as pending commands when they are sent; each
 * complete server reply answers the oldest pending command (RFC 2920 3.1:
 * replies come in command order).  Sequencing is judged when the reply
 * arrives, against the state left by every earlier command: that is the
 * state the server judged the command in, pipelined or not.  Unknown
 * commands are queued too, so one bad pairing never shifts later replies.
 *
 * Which replies a command may get, what it requires and which EHLO keyword
 * enables it come from rules/commands.yaml; this file knows only what each
 * action does to the state.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "event.h"
#include "finding.h"
#include "logstat.h"
#include "reply.h"
#include "rules.h"
#include "smtp.h"
#include "stats.h"
#include "statq.h"
#include "xalloc.h"

#define SMTP_MAX_KEYWORDS	32
#define SMTP_KEYWORD_MAX	24
#define SMTP_AUTH_MAX		160

struct smtp_text {
	char		 s[SMTP_TEXT_MAX];
	size_t		 len;
};

struct smtp_pending {
	const struct command_info *ci;	/* NULL: a command the rules don't know */
	const char	*file;
	unsigned long	 line;
	struct smtp_text text;
	bool		 has_args;
	bool		 is_bdat_last;
	bool		 is_binarymime;
	bool		 has_initial_response;	/* AUTH mech ir */
	bool		 is_pipelined;	/* sent while earlier replies were due */
	bool		 is_no_wait;	/* the client did not wait (EVF_NO_WAIT) */
	long		 size;			/* MAIL SIZE=, -1 if none */
};

struct smtp_reply {
	bool		 is_active;	/* lines were read, the last not yet */
	int		 code;		/* of the first line */
	const char	*file;
	unsigned long	 first_line;
	unsigned long	 nlines;
	bool		 is_mismatch;	/* multiline-code-mismatch reported */
	bool		 is_too_long;	/* SMTP_MAX_REPLY_LINES reported */
	struct smtp_text lines[FINDING_REPLY_LINES];	/* first ones, last */
	unsigned long	 lineno[FINDING_REPLY_LINES];
	struct enhanced	 enh;		/* of the first line */
	bool		 enh_differs;	/* another line has another code */
	bool		 enh_missing;	/* a line without the code */
	/* EHLO keywords seen in this reply, taken if it is a 250 to EHLO */
	char		 kw[SMTP_MAX_KEYWORDS][SMTP_KEYWORD_MAX];
	unsigned	 nkw;
	long		 kw_size;
	char		 kw_auth[SMTP_AUTH_MAX];
};

struct smtp {
	struct smtp_env	 env;
	unsigned	 flags;		/* EVF_* */
	bool		 is_empty;
	/* pairing */
	struct smtp_pending *q;		/* ring */
	size_t		 qhead, qlen, qcap;
	bool		 group_reported;	/* pipelining finding for this group */
	bool		 early_reported;
	struct smtp_reply *cur;		/* the reply being read; allocated at the
					 * first server line */
	/* session state */
	bool		 is_greeted;
	int		 greeting;	/* code of the greeting */
	bool		 is_refused;	/* 554 greeting (or a practice refusal in
					 * its place): only QUIT makes sense */
	bool		 has_helo;	/* HELO/EHLO accepted since start/STARTTLS */
	bool		 has_ehlo;	/* the keywords below are known */
	bool		 has_tls;
	bool		 has_auth;
	const char	*auth_clear;	/* "AUTH PLAIN"/"AUTH LOGIN" sent without
					 * TLS, no credentials yet: told when
					 * they follow (smtp_auth_clear) */
	const char	*auth_clear_file;
	unsigned long	 auth_clear_line;
	bool		 in_auth;	/* a 334 asked for the next AUTH line */
	bool		 in_mail;
	unsigned long	 rcpts;		/* accepted RCPTs in the transaction */
	bool		 used_bdat;
	bool		 is_binarymime;
	bool		 in_data;	/* 354 seen, the final dot not yet */
	unsigned long	 data_line;	/* line of the 354 */
	const char	*data_file;
	bool		 data_eol_reported;
	bool		 data_len_reported;
	bool		 prev_data_bad_eol;
	bool		 bare_dot;	/* a dot line with a bare terminator */
	bool		 smuggle_reported;
	long		 bdat_left;	/* chunk octets still to come */
	bool		 is_quit;	/* 221 to QUIT */
	bool		 is_closed;	/* 421 or 221 */
	bool		 is_swapped;	/* TURN/ATRN: the roles are reversed */
	bool		 quit_reported;
	struct smtp_ext	*ext;		/* EHLO keywords; NULL until an EHLO */
	enum cmd_action	 sending;	/* the command being checked as sent */
	struct smtp_text *maybe_lf;	/* first EOL_MAYBE_LF line, until the
					 * transcript proves it keeps CR LF */
	unsigned long	 maybe_lf_line;
	char		 maybe_lf_side;	/* 'C' or 'S' */
	bool		 eol_known;	/* a CR LF line was seen */
	char		*idbuf;		/* the id, made when first needed */
	const char	*file;		/* input of the session's first event */
	unsigned long	 seq;		/* its number in that input */
};

/* What the last accepted EHLO advertised. */
struct smtp_ext {
	char		 kw[SMTP_MAX_KEYWORDS][SMTP_KEYWORD_MAX];
	unsigned	 nkw;
	long		 size_limit;	/* SIZE keyword, 0: none or no limit */
	char		 auth_mechs[SMTP_AUTH_MAX];
};

struct smtp *
smtp_new(const struct smtp_env *env, const char *file, unsigned long seq,
    unsigned flags)
{
	struct smtp *s;

	/* Small: the reply buffer and the EHLO keywords come when needed,
	 * since most sessions of a log never show a dialogue. */
	s = xcalloc(1, sizeof(*s));
	s->env = *env;
	s->file = file;
	s->seq = seq;
	s->flags = flags;
	s->is_empty = true;
	return s;
}

void
smtp_reset(struct smtp *s, const char *file, unsigned long seq,
    unsigned flags)
{
	struct smtp_pending *q = s->q;
	struct smtp_reply *cur = s->cur;
	struct smtp_env env = s->env;
	size_t qcap = s->qcap;

	/* Keep the queue and reply buffers, forget the rest. */
	free(s->ext);
	free(s->idbuf);
	free(s->maybe_lf);
	memset(s, 0, sizeof(*s));
	s->env = env;
	s->q = q;
	s->qcap = qcap;
	s->cur = cur;
	if (cur != NULL)
		cur->is_active = false;
	s->file = file;
	s->seq = seq;
	s->flags = flags;
	s->is_empty = true;
}

void
smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	free(s->q);
	free(s->cur);
	free(s->ext);
	free(s->maybe_lf);
	free(s->idbuf);
	free(s);
}

const char *
smtp_id(struct smtp *s)
{
	size_t n;

	if (s->idbuf == NULL) {
		n = strlen(s->file) + 24;
		s->idbuf = xmalloc(n);
		snprintf(s->idbuf, n, "%s#%lu", s->file, s->seq);
	}
	return s->idbuf;
}

bool
smtp_is_closed(const struct smtp *s)
{
	return s->is_closed && s->qlen == 0 &&
	    (s->cur == NULL || !s->cur->is_active);
}

bool
smtp_is_empty(const struct smtp *s)
{
	return s->is_empty;
}

static void
smtp_copy(struct smtp_text *t, const char *s, size_t len)
{
	if (len >= sizeof(t->s))
		len = sizeof(t->s) - 1;
	memcpy(t->s, s, len);
	t->s[len] = '\0';
	t->len = len;
}

/*
 * Keep a command for the report, without credentials: the initial response
 * of AUTH and every line of the AUTH exchange are base64 of the password
 * (RFC 4954 4).  A lone "*" (cancel) stays visible.
 */
static void
smtp_copy_masked(struct smtp_text *t, const char *s, size_t len,
    enum cmd_action act)
{
	static const char hidden[] = "[credentials hidden]";
	size_t pos = 0, wlen;
	const char *w;

	if (act == ACT_AUTH_RESPONSE && !(len == 1 && s[0] == '*')) {
		smtp_copy(t, hidden, sizeof(hidden) - 1);
		return;
	}
	if (act == ACT_AUTH && command_word(s, len, &pos, &w, &wlen) &&
	    command_word(s, len, &pos, &w, &wlen) &&
	    command_word(s, len, &pos, &w, &wlen)) {
		/* "AUTH mech " kept, the initial response replaced */
		smtp_copy(t, s, (size_t)(w - s));
		if (t->len + sizeof(hidden) < sizeof(t->s)) {
			memcpy(t->s + t->len, hidden, sizeof(hidden));
			t->len += sizeof(hidden) - 1;
		}
		return;
	}
	smtp_copy(t, s, len);
}

/* ---- findings */

/* Start finding F; the session id is added in smtp_emit, when shown. */
static void
smtp_finding(struct finding *f, enum check_id c, const char *file,
    unsigned long line)
{
	memset(f, 0, sizeof(*f));
	f->check = c;
	f->file = file;
	f->line = line;
}

/* The command P stands for; its line only if a line showed it (the
 * greeting stands for the connection, and shows no command). */
static void
smtp_with_command(struct finding *f, const struct smtp_pending *p)
{
	if (p == NULL)
		return;
	f->verb = p->ci ? p->ci->verb : NULL;
	if (p->line == 0)
		return;
	f->command = p->text.s;
	f->commandlen = p->text.len;
	f->command_line = p->line;
}

static void
smtp_with_reply(struct finding *f, const struct smtp_reply *r)
{
	unsigned i, n;

	n = r->nlines < FINDING_REPLY_LINES ? (unsigned)r->nlines :
	    FINDING_REPLY_LINES;
	for (i = 0; i < n; i++) {
		f->reply[i] = r->lines[i].s;
		f->replylen[i] = r->lines[i].len;
		f->reply_line[i] = r->lineno[i];
	}
	f->nreply = n;
	f->reply_more = r->nlines - n;
	f->code = r->code;
}

static void
smtp_emit(struct smtp *s, struct finding *f)
{
	if (!finding_count(s->env.findings, f))
		return;
	f->session = smtp_id(s);
	finding_report(s->env.findings, f);
}

/* Start a new reply: clear what it holds, not the whole line buffers
 * (a log holds one reply per line; this is the hot path). */
static void
smtp_reply_reset(struct smtp_reply *r)
{
	unsigned i;

	r->is_active = false;
	r->code = 0;
	r->file = NULL;
	r->first_line = 0;
	r->nlines = 0;
	r->is_mismatch = false;
	r->is_too_long = false;
	memset(&r->enh, 0, sizeof(r->enh));
	r->enh_differs = false;
	r->enh_missing = false;
	for (i = 0; i < FINDING_REPLY_LINES; i++) {
		r->lines[i].len = 0;
		r->lines[i].s[0] = '\0';
		r->lineno[i] = 0;
	}
	r->nkw = 0;
	r->kw_size = 0;
	r->kw_auth[0] = '\0';
}

/* ---- the queue */

static struct smtp_pending *
smtp_q_at(struct smtp *s, size_t i)
{
	return &s->q[(s->qhead + i) % s->qcap];
}

_Static_assert(SMTP_MAX_PENDING >= 8 &&
    ((SMTP_MAX_PENDING / 8) & (SMTP_MAX_PENDING / 8 - 1)) == 0 &&
    SMTP_MAX_PENDING % 8 == 0,
    "SMTP_MAX_PENDING must be 8 times a power of two");

static struct smtp_pending *
smtp_q_push(struct smtp *s)
{
	struct smtp_pending *nq;
	size_t i, ncap;

	if (s->qlen == s->qcap) {
		/* The ring doubles from 8, so the cap is 8 times a power of
		 * two (checked below). */
		if (s->qcap >= SMTP_MAX_PENDING)
			return NULL;
		ncap = s->qcap ? s->qcap * 2 : 8;
		nq = xcalloc(ncap, sizeof(*nq));
		for (i = 0; i < s->qlen; i++)
			nq[i] = *smtp_q_at(s, i);
		free(s->q);
		s->q = nq;
		s->qcap = ncap;
		s->qhead = 0;
	}
	s->qlen++;
	return smtp_q_at(s, s->qlen - 1);
}

static bool
smtp_q_pop(struct smtp *s, struct smtp_pending *out)
{
	if (s->qlen == 0)
		return false;
	*out = s->q[s->qhead];
	s->qhead = (s->qhead + 1) % s->qcap;
	if (--s->qlen == 0)
		s->group_reported = false;
	return true;
}

/* ---- EHLO keywords */

static bool
smtp_has_kw(const struct smtp *s, const char *kw)
{
	unsigned i;

	if (s->ext == NULL)
		return false;
	for (i = 0; i < s->ext->nkw; i++)
		if (strcmp(s->ext->kw[i], kw) == 0)
			return true;
	return false;
}

/* Take one EHLO reply line's keyword (RFC 5321 4.1.1.1: ehlo-line). */
static void
smtp_reply_keyword(struct smtp_reply *r, const char *t, size_t len)
{
	size_t i = 0, k;
	char kw[SMTP_KEYWORD_MAX];

	while (i < len && i < sizeof(kw) - 1 && (isalnum((unsigned char)t[i]) ||
	    t[i] == '-'))
		kw[i] = (char)toupper((unsigned char)t[i]), i++;
	kw[i] = '\0';
	if (i == 0 || r->nkw == SMTP_MAX_KEYWORDS)
		return;
	/* Old servers advertise "AUTH=LOGIN PLAIN" beside "AUTH …". */
	if (i < len && t[i] == '=' && strcmp(kw, "AUTH") != 0)
		return;
	for (k = 0; k < r->nkw; k++)
		if (strcmp(r->kw[k], kw) == 0)
			break;
	if (k == r->nkw)
		memcpy(r->kw[r->nkw++], kw, sizeof(kw));
	if (strcmp(kw, "SIZE") == 0 && i < len)
		r->kw_size = strtol(t + i + 1 < t + len ? t + i + 1 : t + i,
		    NULL, 10);
	if (strcmp(kw, "AUTH") == 0 && i < len) {
		size_t have = strlen(r->kw_auth), n = len - i;

		if (have + n + 1 < sizeof(r->kw_auth)) {
			r->kw_auth[have] = ' ';
			memcpy(r->kw_auth + have + 1, t + i + 1, n - 1);
			r->kw_auth[have + n] = '\0';
		}
	}
}

static bool
smtp_auth_mech_advertised(const struct smtp *s, const char *m, size_t mlen)
{
	const char *w;
	size_t pos = 0, wlen, len;

	if (s->ext == NULL)
		return false;
	len = strlen(s->ext->auth_mechs);
	while (command_word(s->ext->auth_mechs, len, &pos, &w, &wlen))
		if (wlen == mlen && strncasecmp(w, m, mlen) == 0)
			return true;
	return false;
}

/* ---- state changes */

static void
smtp_reset_transaction(struct smtp *s)
{
	s->in_mail = false;
	s->rcpts = 0;
	s->used_bdat = false;
	s->is_binarymime = false;
	s->in_data = false;
	s->bdat_left = 0;
}

/* RFC 3207 4.2: after the handshake both sides forget what they knew. */
static void
smtp_reset_to_greeted(struct smtp *s)
{
	smtp_reset_transaction(s);
	s->has_helo = false;
	s->has_ehlo = false;
	s->has_auth = false;
	s->in_auth = false;
	if (s->ext != NULL)
		memset(s->ext, 0, sizeof(*s->ext));
}

/* ---- client side */

static bool
smtp_bad_eol(const struct event *ev)
{
	return ev->eol == EOL_LF || ev->has_bare_cr;
}

/* A finding about one line of the dialogue, shown as the command (side C)
 * or the reply (side S); SEV other than SEV_NONE raises the severity. */
static void
smtp_line_finding_sev(struct smtp *s, const char *file,
    const struct event *ev, enum check_id c, const char *detail, long limit,
    const char *side, enum severity sev)
{
	struct finding f;
	struct smtp_text t;

	smtp_finding(&f, c, file, ev->line);
	if (side[0] == 'C')
		smtp_copy_masked(&t, ev->text, ev->len, s->sending);
	else
		smtp_copy(&t, ev->text, ev->len);
	if (side[0] == 'C') {
		f.command = t.s;
		f.commandlen = t.len;
		f.command_line = ev->line;
	} else {
		f.reply[0] = t.s;
		f.replylen[0] = t.len;
		f.reply_line[0] = ev->line;
		f.nreply = 1;
	}
	f.detail = detail;
	f.limit = limit;
	f.len = (long)(ev->full_len > ev->len ? ev->full_len : ev->len) + 2;
	if (sev != SEV_NONE) {
		f.severity = sev;
		f.is_raised = true;
	}
	smtp_emit(s, &f);
}

static void
smtp_line_finding(struct smtp *s, const char *file, const struct event *ev,
    enum check_id c, const char *detail, long limit, const char *side)
{
	smtp_line_finding_sev(s, file, ev, c, detail, limit, side, SEV_NONE);
}

static void
smtp_eol_check(struct smtp *s, const char *file, const struct event *ev,
    const char *side)
{
	struct event old;

	if (ev->eol == EOL_MAYBE_LF && !s->eol_known && s->maybe_lf == NULL) {
		s->maybe_lf = xmalloc(sizeof(*s->maybe_lf));
		smtp_copy_masked(s->maybe_lf, ev->text, ev->len, s->sending);
		s->maybe_lf_line = ev->line;
		s->maybe_lf_side = side[0];
	} else if (ev->eol == EOL_CRLF && !s->eol_known) {
		s->eol_known = true;
		if (s->maybe_lf != NULL) {
			/* The transcript keeps CR LF: the earlier line's bare
			 * LF was on the wire. */
			old = *ev;
			old.text = s->maybe_lf->s;
			old.len = s->maybe_lf->len;
			old.line = s->maybe_lf_line;
			old.eol = EOL_LF;
			old.has_bare_cr = false;
			old.is_truncated = false;
			old.full_len = old.len;
			smtp_line_finding(s, file, &old, CHECK_BARE_LINE_ENDING,
			    "bare-lf", 0, s->maybe_lf_side == 'C' ? "C" : "S");
		}
	}
	if (!smtp_bad_eol(ev))
		return;
	smtp_line_finding(s, file, ev, CHECK_BARE_LINE_ENDING,
	    ev->has_bare_cr ? "bare-cr" : "bare-lf", 0, side);
}

static bool
smtp_looks_like_command(const char *t, size_t len)
{
	static const char *const cmds[] = { "MAIL FROM:", "RCPT TO:", "DATA",
	    "BDAT ", "EHLO ", "HELO ", "RSET", "QUIT", NULL };
	size_t i, n;

	for (i = 0; cmds[i] != NULL; i++) {
		n = strlen(cmds[i]);
		if (len >= n && strncasecmp(t, cmds[i], n) == 0)
			return true;
	}
	return false;
}

/* A line of message data after the 354 (RFC 5321 4.1.1.4, 4.5.2). */
static void
smtp_data_line(struct smtp *s, const char *file, const struct event *ev)
{
	struct smtp_pending *p;
	bool bad = smtp_bad_eol(ev);
	size_t len;

	if (ev->len == 1 && ev->text[0] == '.') {
		/*
		 * RFC 5321 4.1.1.4: only CRLF.CRLF ends the data; a dot line
		 * with a bare LF or CR on either side is the SMTP smuggling
		 * pattern (CVE-2023-51764 and others) and must not end it.
		 */
		if (bad || s->prev_data_bad_eol) {
			smtp_line_finding_sev(s, file, ev, CHECK_BARE_LINE_ENDING,
			    "bare-dot", 0, "C", SEV_ERROR);
			s->bare_dot = true;
			s->prev_data_bad_eol = bad;
			return;
		}
		s->in_data = false;
		s->prev_data_bad_eol = false;
		s->env.stats->commands++;
		if ((p = smtp_q_push(s)) == NULL)
			return;
		memset(p, 0, sizeof(*p));
		p->ci = rules_command_by_action(s->env.rules, ACT_END_OF_DATA);
		p->file = file;
		p->line = ev->line;
		smtp_copy(&p->text, ".", 1);
		p->size = -1;
		return;
	}
	if (s->bare_dot && !s->smuggle_reported &&
	    smtp_looks_like_command(ev->text, ev->len)) {
		smtp_line_finding_sev(s, file, ev, CHECK_BARE_LINE_ENDING,
		    "smuggled-command", 0, "C", SEV_ERROR);
		s->smuggle_reported = true;
	}
	if (bad && !s->data_eol_reported) {
		smtp_eol_check(s, file, ev, "C");
		s->data_eol_reported = true;
	}
	s->prev_data_bad_eol = bad;
	/* RFC 5321 4.5.3.1.6: 1000 octets with CRLF; the dot added for
	 * transparency (4.5.2) does not count. */
	len = ev->len - (ev->len > 1 && ev->text[0] == '.');
	if ((len > 998 || ev->is_truncated) && !s->data_len_reported) {
		smtp_line_finding(s, file, ev, CHECK_LINE_TOO_LONG, "data-line",
		    1000, "C");
		s->data_len_reported = true;
	}
}

/* The pipelining rules of RFC 2920 3.1, checked as a command is sent. */
static void
smtp_pipelining(struct smtp *s, const char *file, const struct event *ev)
{
	struct finding f;
	struct smtp_text t;
	const struct smtp_pending *last;

	if (s->flags & EVF_PARTIAL)
		return;
	if (!s->is_greeted) {
		/* RFC 5321 3.1, 4.3.2: the client waits for the greeting.
		 * Before any server line the capture may have begun after the
		 * greeting: the first reply tells (smtp_before_greeting). */
		if (s->early_reported || s->cur == NULL || !s->cur->is_active)
			return;
		s->early_reported = true;
		smtp_finding(&f, CHECK_PIPELINING_VIOLATION, file, ev->line);
		f.detail = "before-greeting";
	} else if (s->qlen == 0)
		return;
	else if (s->group_reported && smtp_has_kw(s, "PIPELINING"))
		return;
	else if (!smtp_has_kw(s, "PIPELINING")) {
		/* Every command sent ahead is a violation of its own. */
		smtp_finding(&f, CHECK_PIPELINING_NOT_ADVERTISED, file,
		    ev->line);
		f.detail = s->has_ehlo ? "not-advertised" : "no-ehlo";
	} else {
		last = smtp_q_at(s, s->qlen - 1);
		if (last->ci == NULL || !last->ci->is_pipeline_last ||
		    last->has_initial_response)
			return;
		smtp_finding(&f, CHECK_PIPELINING_VIOLATION, file, ev->line);
		f.detail = "after-last";
		f.arg = last->ci->verb;
		s->group_reported = true;
	}
	smtp_copy_masked(&t, ev->text, ev->len, s->sending);
	f.command = t.s;
	f.commandlen = t.len;
	f.command_line = ev->line;
	smtp_emit(s, &f);
}

/* Credentials of an AUTH PLAIN or LOGIN sent without TLS (s->auth_clear)
 * cross now: tell it, at the AUTH command (P, if still at hand). */
static void
smtp_auth_clear(struct smtp *s, const struct smtp_pending *p)
{
	struct finding f;

	smtp_finding(&f, CHECK_AUTH_WITHOUT_TLS, s->auth_clear_file,
	    s->auth_clear_line);
	if (p != NULL)
		smtp_with_command(&f, p);
	else {
		f.verb = "AUTH";
		f.command = s->auth_clear;
		f.commandlen = strlen(s->auth_clear);
		f.command_line = s->auth_clear_line;
	}
	f.arg = s->auth_clear + 5;
	s->auth_clear = NULL;
	smtp_emit(s, &f);
}

/* MAIL/RCPT parameters and the keyword each needs (RFC 1870, 6152, 3030,
 * 6531, 3461, 4954).  BODY is judged by its value. */
static const struct {
	const char	*param;
	const char	*value;		/* NULL: any */
	const char	*keyword;
} smtp_params[] = {
	{ "SIZE", NULL, "SIZE" },
	{ "BODY", "8BITMIME", "8BITMIME" },
	{ "BODY", "BINARYMIME", "BINARYMIME" },
	{ "SMTPUTF8", NULL, "SMTPUTF8" },
	{ "RET", NULL, "DSN" },
	{ "ENVID", NULL, "DSN" },
	{ "NOTIFY", NULL, "DSN" },
	{ "ORCPT", NULL, "DSN" },
	{ "AUTH", NULL, "AUTH" },
	{ "REQUIRETLS", NULL, "REQUIRETLS" },
	{ "MT-PRIORITY", NULL, "MT-PRIORITY" },
};

static void
smtp_not_advertised(struct smtp *s, const char *file, const struct event *ev,
    const char *what)
{
	struct finding f;
	struct smtp_text t;

	smtp_finding(&f, CHECK_EXTENSION_NOT_ADVERTISED, file, ev->line);
	smtp_copy_masked(&t, ev->text, ev->len, s->sending);
	f.command = t.s;
	f.commandlen = t.len;
	f.command_line = ev->line;
	f.arg = what;
	f.detail = s->has_ehlo ? "not-in-ehlo" : "helo-only";
	smtp_emit(s, &f);
}

static void
smtp_extensions(struct smtp *s, const char *file, const struct event *ev,
    const struct command *cmd, struct smtp_pending *p)
{
	const char *v, *w;
	size_t vlen, i, pos = 0, wlen;
	char what[64];

	/* Only judge what the session shows: keywords known from EHLO, or
	 * none because the client said HELO. */
	if (!s->has_helo || (s->flags & EVF_PARTIAL))
		return;
	if (p->ci->extension != NULL && !smtp_has_kw(s, p->ci->extension)) {
		smtp_not_advertised(s, file, ev, p->ci->extension);
		return;
	}
	if (p->ci->action == ACT_AUTH && s->has_ehlo &&
	    command_word(cmd->arg, cmd->arglen, &pos, &w, &wlen) &&
	    !smtp_auth_mech_advertised(s, w, wlen)) {
		snprintf(what, sizeof(what), "AUTH %.*s",
		    (int)(wlen > 40 ? 40 : wlen), w);
		smtp_not_advertised(s, file, ev, what);
		return;
	}
	if (p->ci->action != ACT_MAIL && p->ci->action != ACT_RCPT)
		return;
	for (i = 0; i < sizeof(smtp_params) / sizeof(smtp_params[0]); i++) {
		if (!command_param(cmd, smtp_params[i].param, &v, &vlen))
			continue;
		if (smtp_params[i].value != NULL &&
		    !command_eq(v, vlen, smtp_params[i].value))
			continue;
		if (!smtp_has_kw(s, smtp_params[i].keyword))
			smtp_not_advertised(s, file, ev, smtp_params[i].keyword);
	}
}

/* RFC 5321 4.5.3.1.4: 512 octets with CRLF; MAIL grows by the extensions
 * it uses: SIZE +26 (RFC 1870 3), SMTPUTF8 +10 (RFC 6531 3.1), AUTH= +500
 * (RFC 4954 3).  AUTH exchange lines may reach 12288 (RFC 4954 4). */
static long
smtp_command_limit(const struct command *cmd, enum cmd_action act)
{
	const char *v;
	size_t vlen;
	long limit = 512;

	if (act == ACT_AUTH_RESPONSE)
		return 12288;
	if (act != ACT_MAIL && act != ACT_RCPT)
		return limit;
	if (command_param(cmd, "SIZE", &v, &vlen))
		limit += 26;
	if (command_param(cmd, "SMTPUTF8", &v, &vlen))
		limit += 10;
	if (command_param(cmd, "AUTH", &v, &vlen))
		limit += 500;
	if (command_param(cmd, "RET", &v, &vlen) ||
	    command_param(cmd, "ENVID", &v, &vlen) ||
	    command_param(cmd, "NOTIFY", &v, &vlen) ||
	    command_param(cmd, "ORCPT", &v, &vlen))
		limit += 500;	/* RFC 3461 4: generous, exact sum unverified */
	return limit;
}

static void
smtp_command(struct smtp *s, const char *file, const struct event *ev,
    enum cmd_action forced)
{
	struct smtp_pending *p;
	struct command cmd;
	const struct command_info *ci;
	const char *v;
	size_t vlen, pos = 0, wlen;
	const char *w;
	long limit;
	char *end;

	command_split(ev->text, ev->len, &cmd);
	if (forced != ACT_OTHER)
		ci = rules_command_by_action(s->env.rules, forced);
	else {
		ci = rules_command(s->env.rules, cmd.verb, cmd.verblen);
		/* Pseudo commands are never sent by name. */
		if (ci != NULL && (ci->action == ACT_GREETING ||
		    ci->action == ACT_END_OF_DATA ||
		    ci->action == ACT_AUTH_RESPONSE))
			ci = NULL;
	}
	s->env.stats->commands++;
	s->sending = ci ? ci->action : ACT_OTHER;
	limit = smtp_command_limit(&cmd, ci ? ci->action : ACT_OTHER);
	if ((long)ev->len + 2 > limit || ev->is_truncated)
		smtp_line_finding(s, file, ev, CHECK_LINE_TOO_LONG,
		    forced == ACT_AUTH_RESPONSE ? "auth-line" : "command-line",
		    limit, "C");
	smtp_eol_check(s, file, ev, "C");
	smtp_pipelining(s, file, ev);
	if ((p = smtp_q_push(s)) == NULL) {
		/* The queue is full: the oldest command is given up. */
		struct smtp_pending old;
		struct finding f;

		smtp_q_pop(s, &old);
		smtp_finding(&f, CHECK_UNANSWERED_COMMAND, old.file,
		    old.line);
		smtp_with_command(&f, &old);
		f.detail = "queue-full";
		f.limit = SMTP_MAX_PENDING;
		smtp_emit(s, &f);
		p = smtp_q_push(s);
	}
	memset(p, 0, sizeof(*p));
	p->ci = ci;
	p->file = file;
	p->line = ev->line;
	p->size = -1;
	p->is_pipelined = s->qlen > 1;
	p->is_no_wait = (ev->flags & EVF_NO_WAIT) != 0;
	smtp_copy_masked(&p->text, ev->text, ev->len, ci ? ci->action :
	    ACT_OTHER);
	p->has_args = cmd.arglen > 0;
	if (ci == NULL)
		return;
	switch (ci->action) {
	case ACT_MAIL:
		if (command_param(&cmd, "SIZE", &v, &vlen))
			p->size = strtol(v, NULL, 10);
		if (command_param(&cmd, "BODY", &v, &vlen) &&
		    command_eq(v, vlen, "BINARYMIME"))
			p->is_binarymime = true;
		break;
	case ACT_BDAT:
		if (command_word(cmd.arg, cmd.arglen, &pos, &w, &wlen)) {
			s->bdat_left = strtol(w, &end, 10);
			if (s->bdat_left < 0)
				s->bdat_left = 0;
		}
		if (command_word(cmd.arg, cmd.arglen, &pos, &w, &wlen) &&
		    command_eq(w, wlen, "LAST"))
			p->is_bdat_last = true;
		if (s->flags & EVF_DATA_HIDDEN)
			s->bdat_left = 0;
		break;
	case ACT_AUTH:
		if (command_word(cmd.arg, cmd.arglen, &pos, &w, &wlen)) {
			const char *ir;
			size_t irlen;

			p->has_initial_response = command_word(cmd.arg,
			    cmd.arglen, &pos, &ir, &irlen);
			/* RFC 4954 4: mechanisms that show the password;
			 * told once credentials cross, in the command or
			 * after a 334. */
			if (!s->has_tls && !(s->flags & EVF_PARTIAL) &&
			    (command_eq(w, wlen, "PLAIN") ||
			    command_eq(w, wlen, "LOGIN"))) {
				s->auth_clear = command_eq(w, wlen, "PLAIN") ?
				    "AUTH PLAIN" : "AUTH LOGIN";
				s->auth_clear_file = file;
				s->auth_clear_line = ev->line;
				if (p->has_initial_response)
					smtp_auth_clear(s, p);
			}
		}
		break;
	default:
		break;
	}
	if (forced == ACT_OTHER)
		smtp_extensions(s, file, ev, &cmd, p);
	s->sending = ACT_OTHER;
}

static void
smtp_client(struct smtp *s, const char *file, const struct event *ev)
{
	if (s->is_quit) {
		/* RFC 5321 4.1.4: QUIT is the last command. */
		if (!s->quit_reported) {
			smtp_line_finding(s, file, ev, CHECK_COMMAND_AFTER_QUIT,
			    NULL, 0, "C");
			s->quit_reported = true;
		}
		return;
	}
	if (s->in_data) {
		smtp_data_line(s, file, ev);
		return;
	}
	if (s->bdat_left > 0) {
		/* Chunk octets: the line and its CRLF (RFC 3030 2). */
		s->bdat_left -= (long)ev->len + (ev->eol == EOL_LF ? 1 : 2);
		if (s->bdat_left < 0)
			s->bdat_left = 0;
		return;
	}
	if (s->in_auth) {
		s->in_auth = false;
		/* "*" cancels (RFC 4954 4): no credentials in it */
		if (s->auth_clear != NULL && !(ev->len == 1 &&
		    ev->text[0] == '*'))
			smtp_auth_clear(s, NULL);
		smtp_command(s, file, ev, ACT_AUTH_RESPONSE);
		return;
	}
	smtp_command(s, file, ev, ACT_OTHER);
}

/* ---- server side: pairing and checks */

static const char *
smtp_unmet(const struct smtp *s, const struct smtp_pending *p)
{
	unsigned r = p->ci->requires;

	/* RFC 5321 3.1: after a 554 greeting only QUIT is useful. */
	if (s->is_refused && p->ci->action != ACT_QUIT)
		return "refused-session";
	if ((r & REQ_HELO) && !s->has_helo)
		return "no-helo";
	if ((r & REQ_NO_MAIL) && s->in_mail)
		return "nested-mail";
	if ((r & REQ_MAIL) && !s->in_mail)
		return "no-mail";
	if ((r & REQ_RCPT) && s->rcpts == 0)
		return "no-rcpt";
	if ((r & REQ_AUTH) && !s->has_auth)
		return "no-auth";
	if ((r & REQ_NO_AUTH) && s->has_auth)
		return "already-auth";
	if ((r & REQ_NO_TLS) && s->has_tls)
		return "tls-active";
	/* RFC 3030 2, 3: DATA after BDAT or after BODY=BINARYMIME. */
	if (p->ci->action == ACT_DATA && (s->used_bdat || s->is_binarymime))
		return "data-after-bdat";
	return NULL;
}

static void
smtp_explain(struct smtp *s, const struct smtp_pending *p)
{
	struct finding f;
	char enh[16];

	if (s->cur->code < 400 || s->cur->code > 599)
		return;
	smtp_finding(&f, CHECK_REPLY_EXPLAINED, s->cur->file,
	    s->cur->first_line);
	/* One per 4xx/5xx of a log: fill in the rest only when shown. */
	if (!finding_count(s->env.findings, &f))
		return;
	smtp_with_command(&f, p);
	smtp_with_reply(&f, s->cur);
	if (s->cur->enh.is_present && !s->cur->enh.is_bad) {
		reply_enhanced_format(&s->cur->enh, enh, sizeof(enh));
		f.enhanced = enh;
	}
	f.session = smtp_id(s);
	finding_report(s->env.findings, &f);
}

/*
 * A 4xx/5xx the dialogue showed, for the summary's rejection tables, as a
 * log's are counted (session.c): its first line, and a RCPT's address,
 * where no log line of the format records it (EVF_COUNT_REJECTS).  The
 * dialogue names no client.
 */
static void
smtp_count_rejection(struct smtp *s, const struct smtp_pending *p)
{
	struct event ev;
	const char *a, *b;

	if (!(s->flags & EVF_COUNT_REJECTS) || s->cur->code < 400 ||
	    s->cur->code > 599 || s->cur->nlines == 0)
		return;
	ev = event_make(EV_LOG_REPLY, s->cur->first_line);
	ev.text = s->cur->lines[0].s;
	ev.len = s->cur->lines[0].len;
	if (p != NULL && p->ci != NULL && p->ci->action == ACT_RCPT &&
	    (a = memchr(p->text.s, '<', p->text.len)) != NULL &&
	    (b = memchr(a, '>', p->text.len - (size_t)(a - p->text.s))) !=
	    NULL) {
		ev.rcpt = a;
		ev.rcptlen = (size_t)(b + 1 - a);
	}
	if (s->env.statq != NULL)
		statq_reply(s->env.statq, &ev);
	else
		logstat_reply(&s->env.stats->log, &ev);
}

/* Does commands.yaml list reply A among the standards' (RFC 5321, an
 * extension's, 421/500/501 anywhere), not as practice, historic or one
 * vendor's? */
static bool
smtp_is_listed(const struct allowed_reply *a)
{
	return a != NULL && a->source != SRC_PRACTICE &&
	    a->source != SRC_HISTORIC && a->source != SRC_VENDOR;
}

/* Check the code against the command's table.  True when the code was
 * reported as nonstandard (which explains it already). */
static bool
smtp_check_allowed(struct smtp *s, const struct smtp_pending *p,
    const struct command_info *ci)
{
	const struct code_info *code;
	const struct allowed_reply *a;
	struct finding f;
	int c = s->cur->code;
	bool nonstandard = false;

	code = rules_code(s->env.rules, c);
	if ((code != NULL && (code->status == CST_NONSTANDARD ||
	    code->status == CST_VENDOR)) || (code == NULL && c / 10 % 10 <= 5)) {
		smtp_finding(&f, CHECK_NONSTANDARD_CODE, s->cur->file,
		    s->cur->first_line);
		smtp_with_command(&f, p);
		smtp_with_reply(&f, s->cur);
		f.verb = ci ? ci->verb : NULL;
		if (code == NULL)
			f.detail = "unknown-code";
		smtp_emit(s, &f);
		nonstandard = true;
		/* The pairing is judged too: a nonstandard code is in no
		 * command's list, unless a vendor's entry puts it there. */
	}
	if (ci == NULL || (code == NULL && !nonstandard))
		return nonstandard;
	/* RFC 5321 3.1: after a 554 greeting the server SHOULD answer every
	 * command but QUIT with 503; commands.yaml does not list it each time. */
	if (s->is_refused && c == 503)
		return nonstandard;
	/* Allowed, the common case, is decided before a finding is made. */
	a = rules_allowed(ci, c);
	if (smtp_is_listed(a) && (a->source != SRC_EXTENSION ||
	    a->extension == NULL || smtp_has_kw(s, a->extension)))
		return nonstandard;
	smtp_finding(&f, CHECK_REPLY_NOT_ALLOWED, s->cur->file,
	    s->cur->first_line);
	smtp_with_command(&f, p);
	smtp_with_reply(&f, s->cur);
	f.verb = ci->verb;
	if (a != NULL) {
		if (a->source == SRC_EXTENSION) {
			f.detail = "extension";
			f.arg = a->extension;
		} else
			f.detail = a->source == SRC_HISTORIC ? "historic" :
			    "practice";
		/* Outside RFC 5321's list but what conforming servers
		 * send: reported only with --strict (PROTOCOL.md, issue 2). */
		f.is_strict = true;
		f.is_raised = true;
		f.severity = SEV_WARNING;
	}
	smtp_emit(s, &f);
	return nonstandard;
}

static void
smtp_check_enhanced(struct smtp *s, const struct smtp_pending *p,
    enum cmd_action act)
{
	struct finding f;
	char enh[16];
	const char *detail = NULL;
	int c = s->cur->code;

	/* RFC 2034 3, 4: no code in the greeting, the replies to HELO and
	 * EHLO, and 3xx replies. */
	if (act == ACT_GREETING || act == ACT_HELO || act == ACT_EHLO ||
	    c / 100 == 3)
		return;
	if (s->cur->enh.is_present) {
		if (s->cur->enh.is_bad)
			detail = "enhanced-syntax";
		else if (s->cur->enh.cls != c / 100)
			detail = "enhanced-class";
		else if (s->cur->enh_differs)
			detail = "enhanced-lines";
		else if (s->cur->enh_missing && smtp_has_kw(s,
		    "ENHANCEDSTATUSCODES"))
			detail = "enhanced-some-lines";
	} else if (smtp_has_kw(s, "ENHANCEDSTATUSCODES") && act != ACT_OTHER &&
	    !(s->flags & EVF_PARTIAL))
		detail = "enhanced-missing";
	if (detail == NULL)
		return;
	smtp_finding(&f, CHECK_ENHANCED_CODE_MISMATCH, s->cur->file,
	    s->cur->first_line);
	smtp_with_command(&f, p);
	smtp_with_reply(&f, s->cur);
	if (s->cur->enh.is_present) {
		reply_enhanced_format(&s->cur->enh, enh, sizeof(enh));
		f.enhanced = enh;
	}
	f.detail = detail;
	smtp_emit(s, &f);
}

/* Apply what an answered command did to the session (after the checks). */
static void
smtp_apply(struct smtp *s, const struct smtp_pending *p)
{
	int c = s->cur->code, cls = c / 100;
	unsigned i;

	if (c == 421 || (c == 521 && p->ci != NULL &&
	    p->ci->action != ACT_GREETING)) {
		s->is_closed = true;
		return;
	}
	if (p->ci == NULL)
		return;
	switch (p->ci->action) {
	case ACT_HELO:
	case ACT_EHLO:
		if (cls != 2)
			break;	/* RFC 5321 4.1.4: a failed EHLO changes nothing */
		/* An accepted HELO/EHLO in mid-session is an implicit RSET. */
		smtp_reset_transaction(s);
		s->has_helo = true;
		s->has_ehlo = p->ci->action == ACT_EHLO;
		if (s->ext != NULL)
			memset(s->ext, 0, sizeof(*s->ext));
		if (p->ci->action == ACT_EHLO) {
			if (s->ext == NULL)
				s->ext = xcalloc(1, sizeof(*s->ext));
			for (i = 0; i < s->cur->nkw; i++)
				memcpy(s->ext->kw[i], s->cur->kw[i],
				    sizeof(s->ext->kw[i]));
			s->ext->nkw = s->cur->nkw;
			s->ext->size_limit = s->cur->kw_size;
			memcpy(s->ext->auth_mechs, s->cur->kw_auth,
			    sizeof(s->ext->auth_mechs));
		}
		break;
	case ACT_MAIL:
		if (cls == 2) {
			s->in_mail = true;
			s->rcpts = 0;
			s->used_bdat = false;
			s->is_binarymime = p->is_binarymime;
		}
		break;
	case ACT_RCPT:
		if (cls == 2)
			s->rcpts++;
		break;
	case ACT_DATA:
		if (c == 354) {
			s->in_data = true;
			s->data_line = s->cur->first_line;
			s->data_file = s->cur->file;
			s->data_eol_reported = false;
			s->data_len_reported = false;
			s->prev_data_bad_eol = false;
			s->bare_dot = false;
		}
		break;
	case ACT_END_OF_DATA:
		/* RFC 5321 4.1.1.4: any reply to the dot ends the transaction. */
		smtp_reset_transaction(s);
		break;
	case ACT_BDAT:
		s->used_bdat = true;
		if (p->is_bdat_last && cls == 2)
			smtp_reset_transaction(s);
		break;
	case ACT_RSET:
		if (cls == 2)
			smtp_reset_transaction(s);
		break;
	case ACT_QUIT:
		if (c == 221) {
			s->is_quit = true;
			s->is_closed = true;
		}
		break;
	case ACT_STARTTLS:
		if (c == 220) {
			smtp_reset_to_greeted(s);
			s->has_tls = true;
		}
		break;
	case ACT_AUTH:
	case ACT_AUTH_RESPONSE:
		if (c == 334)
			s->in_auth = true;
		else if (c == 235)
			s->has_auth = true;
		if (c != 334)
			s->auth_clear = NULL;	/* refused: nothing crossed */
		break;
	case ACT_TURN:
	case ACT_ATRN:
		if (cls == 2) {
			/* RFC 2645 5.3: the roles reverse; the old client
			 * greets next. */
			smtp_reset_to_greeted(s);
			s->has_tls = false;
			s->is_greeted = false;
			s->is_refused = false;
			s->is_swapped = !s->is_swapped;
		}
		break;
	default:
		break;
	}
}

/*
 * Reply code C as a greeting: commands.yaml's GREETING entry (*CI, its
 * entry for C in *A), or 220, 421, 554, 521 (RFC 5321 3.1, RFC 7504) for
 * rules without one.  True when a standard lists it there.
 */
static bool
smtp_is_greeting(const struct smtp *s, int c, const struct command_info **ci,
    const struct allowed_reply **a)
{
	*ci = rules_command_by_action(s->env.rules, ACT_GREETING);
	*a = *ci != NULL ? rules_allowed(*ci, c) : NULL;
	return *ci != NULL ? smtp_is_listed(*a) :
	    c == 220 || c == 421 || c == 554 || c == 521;
}

static void
smtp_greeting(struct smtp *s)
{
	const struct command_info *ci;
	const struct allowed_reply *a;
	struct smtp_pending g;
	struct finding f;
	int c = s->cur->code;
	bool is_std, is_practice;

	s->is_greeted = true;
	s->greeting = c;
	memset(&g, 0, sizeof(g));
	/* A refusal commands.yaml lists as practice (Postfix with
	 * smtpd_delay_reject = no) is judged as a reply outside the list,
	 * shown with --strict, not as a missing greeting. */
	is_std = smtp_is_greeting(s, c, &ci, &a);
	g.ci = ci;
	is_practice = !is_std && a != NULL && a->source == SRC_PRACTICE &&
	    c >= 400;
	if (!is_std && !is_practice && (s->flags & EVF_PARTIAL)) {
		/* Joined after the greeting: the first reply seen answers
		 * something not shown; it is not judged as a greeting. */
	} else if (!is_std && !is_practice) {
		smtp_finding(&f, CHECK_BAD_GREETING, s->cur->file,
		    s->cur->first_line);
		smtp_with_reply(&f, s->cur);
		f.verb = ci ? ci->verb : NULL;
		smtp_emit(s, &f);
		smtp_explain(s, &g);
	} else if (!smtp_check_allowed(s, NULL, ci))
		smtp_explain(s, &g);
	/* Refused: the server answers what follows with 503 (RFC 5321 3.1). */
	if (c == 554 || is_practice)
		s->is_refused = true;
	if (c == 421 || c == 521)
		s->is_closed = true;
}

/*
 * The first reply of a session whose client spoke before any server line.
 * A greeting then means the client talked first (RFC 5321 3.1), reported
 * at its first command; any other reply, that the capture began after the
 * greeting (Python's smtplib prints nothing before set_debuglevel, often
 * called after the connection): the session is judged as joined late, the
 * reply answering the first command.
 */
static void
smtp_before_greeting(struct smtp *s)
{
	const struct command_info *ci;
	const struct allowed_reply *a;
	const struct smtp_pending *p;
	struct finding f;

	/* Any code GREETING lists, practice too: a refusal greets. */
	if (!smtp_is_greeting(s, s->cur->code, &ci, &a) && a == NULL) {
		s->flags |= EVF_PARTIAL;
		return;
	}
	p = smtp_q_at(s, 0);
	s->early_reported = true;
	smtp_finding(&f, CHECK_PIPELINING_VIOLATION, p->file, p->line);
	f.detail = "before-greeting";
	smtp_with_command(&f, p);
	smtp_emit(s, &f);
}

static void
smtp_reply_done(struct smtp *s)
{
	struct smtp_pending p;
	struct finding f;
	const char *why;
	enum cmd_action act;
	int c = s->cur->code, cls = c / 100;
	bool explained;

	s->cur->is_active = false;
	s->env.stats->replies++;
	s->env.stats->replies_by_code[c >= 0 && c < 600 ? c : 0]++;
	if (s->bdat_left > 0)
		s->bdat_left = 0;	/* the chunk's data was not shown */
	if (!s->is_greeted && !(s->flags & EVF_PARTIAL) && s->qlen > 0 &&
	    !s->early_reported)
		smtp_before_greeting(s);
	if (!s->is_greeted && !(s->flags & EVF_PARTIAL && s->qlen > 0)) {
		smtp_greeting(s);
		return;
	}
	s->is_greeted = true;
	if (s->qlen == 0 && s->in_data) {
		/* The end of the data is not in the transcript (curl -v hides
		 * it; a bare-LF dot the server took as the end): this reply
		 * answers the end of data. */
		memset(&p, 0, sizeof(p));
		p.ci = rules_command_by_action(s->env.rules, ACT_END_OF_DATA);
		p.file = s->cur->file;
		p.line = s->cur->first_line;
		smtp_copy(&p.text, ".", 1);
		s->in_data = false;
	} else if (!smtp_q_pop(s, &p)) {
		/* RFC 5321 3.8: a 421 may come at any time.  In a session
		 * joined late the command may have gone before the log or
		 * capture began (pipelined ahead of the reply shown). */
		if (c == 421 || (s->flags & EVF_PARTIAL)) {
			if (c == 421)
				s->is_closed = true;
			memset(&p, 0, sizeof(p));
			smtp_explain(s, &p);
			return;
		}
		smtp_finding(&f, CHECK_UNSOLICITED_REPLY, s->cur->file,
		    s->cur->first_line);
		smtp_with_reply(&f, s->cur);
		f.detail = s->is_quit ? "after-quit" : NULL;
		smtp_emit(s, &f);
		return;
	}
	act = p.ci ? p.ci->action : ACT_OTHER;
	smtp_count_rejection(s, &p);
	explained = smtp_check_allowed(s, &p, p.ci);
	/* RFC 5321 3.2, 4.1.1.1: never an EHLO-style reply to HELO. */
	if (act == ACT_HELO && cls == 2 && s->cur->nlines > 1) {
		smtp_finding(&f, CHECK_REPLY_NOT_ALLOWED, s->cur->file,
		    s->cur->first_line);
		smtp_with_command(&f, &p);
		smtp_with_reply(&f, s->cur);
		f.detail = "multiline-helo";
		smtp_emit(s, &f);
	}
	/* RFC 1870 6.1: a SIZE above the advertised limit must get 552. */
	if (act == ACT_MAIL && cls == 2 && p.size > 0 && s->ext != NULL &&
	    s->ext->size_limit > 0 && p.size > s->ext->size_limit) {
		smtp_finding(&f, CHECK_REPLY_NOT_ALLOWED, s->cur->file,
		    s->cur->first_line);
		smtp_with_command(&f, &p);
		smtp_with_reply(&f, s->cur);
		f.detail = "size-above-limit";
		f.limit = s->ext->size_limit;
		f.len = p.size;
		smtp_emit(s, &f);
	}
	smtp_check_enhanced(s, &p, act);
	if (p.ci != NULL && !(s->flags & EVF_PARTIAL) &&
	    (why = smtp_unmet(s, &p)) != NULL) {
		/* A pipelined command the server refuses because an earlier
		 * one in the group failed is no fault: the client could not
		 * know (RFC 2920 3.1: DATA after refused RCPTs gets 503/554). */
		if (cls == 2 || cls == 3 || !p.is_pipelined) {
			if (cls == 2 || cls == 3)
				smtp_finding(&f, CHECK_OUT_OF_SEQUENCE,
				    s->cur->file, s->cur->first_line);
			else
				smtp_finding(&f,
				    CHECK_CLIENT_OUT_OF_SEQUENCE, p.file,
				    p.line);
			smtp_with_command(&f, &p);
			smtp_with_reply(&f, s->cur);
			f.detail = why;
			smtp_emit(s, &f);
		}
	}
	if (!explained)
		smtp_explain(s, &p);
	smtp_apply(s, &p);
}

static void
smtp_server(struct smtp *s, const char *file, const struct event *ev)
{
	struct reply_line rl;
	struct smtp_reply *r = s->cur;
	struct finding f;
	struct enhanced e;
	unsigned slot;

	if (s->cur == NULL) {
		s->cur = xmalloc(sizeof(*s->cur));
		smtp_reply_reset(s->cur);
		r = s->cur;
	}
	reply_parse(ev->text, ev->len, &rl);
	if ((long)ev->len + 2 > 512 || ev->is_truncated)
		smtp_line_finding(s, file, ev, CHECK_LINE_TOO_LONG, "reply-line",
		    512, "S");
	smtp_eol_check(s, file, ev, "S");
	if (rl.is_malformed || (rl.code != 0 && rl.code / 10 % 10 > 5 &&
	    rules_code(s->env.rules, rl.code) == NULL)) {
		smtp_line_finding(s, file, ev, CHECK_MALFORMED_REPLY,
		    rl.why ? rl.why : "bad-second-digit", 0, "S");
		if (rl.code == 0 || rl.code < 200 || rl.code > 599) {
			/* No usable code: the line is not paired; a
			 * multiline reply in progress goes on. */
			if (!r->is_active)
				s->env.stats->replies_by_code[0]++;
			return;
		}
	}
	if (!r->is_active) {
		smtp_reply_reset(r);
		r->is_active = true;
		r->code = rl.code;
		r->file = file;
		r->first_line = ev->line;
		reply_enhanced(rl.text, rl.textlen, &r->enh);
	} else {
		if (rl.code != r->code && !r->is_mismatch) {
			/* RFC 5321 4.2.1: the same code on every line. */
			r->is_mismatch = true;
			smtp_finding(&f, CHECK_MULTILINE_CODE_MISMATCH, file,
			    ev->line);
			smtp_with_reply(&f, r);
			/* The differing line is shown last, in place of the
			 * last one kept when all slots are taken. */
			slot = f.nreply < FINDING_REPLY_LINES ? f.nreply :
			    FINDING_REPLY_LINES - 1;
			f.reply[slot] = ev->text;
			f.replylen[slot] = ev->len;
			f.reply_line[slot] = ev->line;
			if (f.nreply < FINDING_REPLY_LINES)
				f.nreply++;
			else
				f.reply_more++;
			f.code = rl.code;
			smtp_emit(s, &f);
		}
		/* RFC 2034 4: the same enhanced code on every line. */
		reply_enhanced(rl.text, rl.textlen, &e);
		if (r->enh.is_present && (!e.is_present || e.cls != r->enh.cls ||
		    e.subject != r->enh.subject || e.detail != r->enh.detail)) {
			if (e.is_present)
				r->enh_differs = true;
			else
				r->enh_missing = true;
		}
		/* EHLO keywords stand on the lines after the first. */
		smtp_reply_keyword(r, rl.text, rl.textlen);
	}
	slot = r->nlines < FINDING_REPLY_LINES ? (unsigned)r->nlines :
	    FINDING_REPLY_LINES - 1;
	smtp_copy(&r->lines[slot], ev->text, ev->len);
	r->lineno[slot] = ev->line;
	if (r->nlines < SMTP_MAX_REPLY_LINES)
		r->nlines++;
	else if (!r->is_too_long) {
		/* smtplint's cap, not the RFC's: said once per reply. */
		r->is_too_long = true;
		smtp_line_finding(s, file, ev, CHECK_MALFORMED_REPLY,
		    "too-many-lines", SMTP_MAX_REPLY_LINES, "S");
	}
	if (rl.is_last)
		smtp_reply_done(s);
}

/* A logged reply with the command it answered (MTA logs). */
static void
smtp_log_reply(struct smtp *s, const char *file, const struct event *ev)
{
	struct smtp_pending p;
	const char *text;
	size_t textlen;
	int code;
	struct smtp_reply reply, *r = &reply, *held = s->cur;

	code = reply_code(ev->text, ev->len, &text, &textlen);
	if (code < 200 || code > 599)
		return;
	/* Judged on its own, in a reply buffer of its own: a log's sessions
	 * keep no reply buffer, and a dialogue's reply being read (debug
	 * logs) is left alone. */
	s->cur = r;
	smtp_reply_reset(r);
	r->code = code;
	r->file = file;
	r->first_line = ev->line;
	r->nlines = 1;
	smtp_copy(&r->lines[0], ev->text, ev->len);
	r->lineno[0] = ev->line;
	reply_enhanced(text, textlen, &r->enh);
	s->env.stats->replies++;
	s->env.stats->replies_by_code[code]++;
	/* Each field but the text buffer, which is long. */
	p.ci = NULL;
	p.file = file;
	/* The log line names both, or names no command. */
	p.line = ev->command != NULL ? ev->line : 0;
	p.text.len = 0;
	p.text.s[0] = '\0';
	p.has_args = p.is_bdat_last = p.is_binarymime = false;
	p.has_initial_response = p.is_pipelined = false;
	p.size = -1;
	if (ev->command != NULL) {
		size_t vl = 0;

		while (vl < ev->commandlen && ev->command[vl] != ' ' &&
		    ev->command[vl] != '\t')
			vl++;
		p.ci = rules_command(s->env.rules, ev->command, vl);
		smtp_copy(&p.text, ev->command, ev->commandlen);
		/* The greeting answers the connection, not a line the
		 * client sent: no C: line for it. */
		if (p.ci != NULL && p.ci->action == ACT_GREETING)
			p.line = 0;
	}
	if (!smtp_check_allowed(s, &p, p.ci))
		smtp_explain(s, &p);
	smtp_check_enhanced(s, &p, p.ci ? p.ci->action : ACT_OTHER);
	s->cur = held;
}

/* A protocol fact only the log shows (MTA logs). */
static void
smtp_log_note(struct smtp *s, const char *file, const struct event *ev)
{
	static const struct {
		enum check_id	 check;
		const char	*detail;
	} notes[] = {
		[NOTE_NONE] = { CHECK_N, NULL },
		[NOTE_PIPELINING] = { CHECK_PIPELINING_VIOLATION, "log-pipelining" },
		[NOTE_SYNC_ERROR] = { CHECK_PIPELINING_VIOLATION, "log-sync" },
		[NOTE_PREGREET] = { CHECK_PIPELINING_VIOLATION, "log-pregreet" },
		[NOTE_BARE_LF] = { CHECK_BARE_LINE_ENDING, "log-bare-lf" },
		[NOTE_DATA_NO_RCPT] = { CHECK_OUT_OF_SEQUENCE, "log-data-no-rcpt" },
	};
	struct finding f;
	struct smtp_text t, arg;

	if (ev->note <= NOTE_NONE ||
	    (size_t)ev->note >= sizeof(notes) / sizeof(notes[0]))
		return;
	smtp_finding(&f, notes[ev->note].check, file, ev->line);
	smtp_copy(&t, ev->text, ev->len);
	f.command = t.s;
	f.commandlen = t.len;
	f.command_line = ev->line;
	f.is_log_line = true;
	f.detail = notes[ev->note].detail;
	if (ev->note == NOTE_DATA_NO_RCPT) {
		/* data=1 in the counters: DATA got its 354. */
		f.verb = "DATA";
		f.code = 354;
	}
	if (ev->command != NULL) {
		smtp_copy(&arg, ev->command, ev->commandlen);
		f.arg = arg.s;
	}
	smtp_emit(s, &f);
}

/*
 * The transcript leaves lines out here: what waited for a reply may have
 * got it unseen, and what follows cannot be held to what came before.
 * From here the session is judged as one joined late; what it learnt
 * (TLS, the EHLO keywords) stays.
 */
static void
smtp_gap(struct smtp *s)
{
	struct smtp_pending p;

	while (smtp_q_pop(s, &p))
		;
	if (s->cur != NULL)
		s->cur->is_active = false;
	s->flags |= EVF_PARTIAL;
	s->is_greeted = true;
}

void
smtp_event(struct smtp *s, const char *file, const struct event *ev)
{
	enum event_kind k = ev->kind;

	if (k == EV_GAP) {
		smtp_gap(s);	/* nothing shown: the session stays empty */
		return;
	}
	s->is_empty = false;
	s->flags |= ev->flags;
	if (s->is_swapped && k == EV_CLIENT)
		k = EV_SERVER;
	else if (s->is_swapped && k == EV_SERVER)
		k = EV_CLIENT;
	switch (k) {
	case EV_CLIENT:
		smtp_client(s, file, ev);
		break;
	case EV_SERVER:
		smtp_server(s, file, ev);
		break;
	case EV_TLS:
		s->has_tls = true;
		break;
	case EV_LOG_REPLY:
		smtp_log_reply(s, file, ev);
		break;
	case EV_LOG_NOTE:
		smtp_log_note(s, file, ev);
		break;
	default:
		break;
	}
}

void
smtp_end(struct smtp *s, bool closed)
{
	struct smtp_pending p;
	struct finding f;
	unsigned long n = 0;

	if (s->cur != NULL && s->cur->is_active) {
		unsigned long last = s->cur->lineno[s->cur->nlines <
		    FINDING_REPLY_LINES ? s->cur->nlines - 1 :
		    FINDING_REPLY_LINES - 1];

		/* The unfinished reply was the answer to the oldest command.
		 * Where the transcript just stops, the capture was most
		 * likely cut short; where the connection closed, the server
		 * broke RFC 5321 4.2.1 (the last line is "DDD SP text"). */
		if (!closed && s->is_greeted) {
			/* a session joined late: nothing to say of its end */
			if (!smtp_q_pop(s, &p) || (s->flags & EVF_PARTIAL)) {
				s->cur->is_active = false;
				goto queue;
			}
			smtp_finding(&f, CHECK_UNANSWERED_COMMAND, s->cur->file,
			    last);
			smtp_with_command(&f, &p);
			f.detail = "transcript-ends-in-reply";
		} else {
			smtp_finding(&f, CHECK_MALFORMED_REPLY, s->cur->file,
			    last);
			if (closed && s->is_greeted && smtp_q_pop(s, &p))
				smtp_with_command(&f, &p);
			f.detail = "unfinished-multiline";
		}
		smtp_with_reply(&f, s->cur);
		smtp_emit(s, &f);
		s->cur->is_active = false;
	}
queue:
	if (s->flags & EVF_PARTIAL) {
		while (smtp_q_pop(s, &p))
			;
		return;
	}
	if (s->in_data && s->qlen == 0) {
		smtp_finding(&f, CHECK_UNANSWERED_COMMAND, s->data_file,
		    s->data_line);
		f.verb = "END-OF-DATA";
		f.detail = "no-data-end";
		smtp_emit(s, &f);
	}
	while (smtp_q_pop(s, &p)) {
		if (p.is_no_wait)
			continue;
		if (n++ >= 10)
			continue;
		smtp_finding(&f, CHECK_UNANSWERED_COMMAND, p.file, p.line);
		smtp_with_command(&f, &p);
		f.detail = closed ? "connection-closed" : "transcript-ends";
		smtp_emit(s, &f);
	}
	if (n > 10) {
		smtp_finding(&f, CHECK_UNANSWERED_COMMAND, p.file, p.line);
		smtp_with_command(&f, &p);
		f.detail = "more-unanswered";
		f.len = (long)(n - 10);
		smtp_emit(s, &f);
	}
}
