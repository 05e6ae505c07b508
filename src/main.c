/*
 * smtplint: options, the wiring of the pipeline, the exit status.
 * input -> format -> session -> smtp -> finding -> report (DESIGN.md).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "explain.h"
#include "finding.h"
#include "fmt_pattern.h"
#include "format.h"
#include "input.h"
#include "logfmt.h"
#include "readahead.h"
#include "report.h"
#include "rules.h"
#include "session.h"
#include "smtp.h"
#include "stats.h"
#include "statq.h"

#ifndef SMTPLINT_VERSION
#define SMTPLINT_VERSION "0"
#endif

#define RUN_LINES	64	/* lines taken from the reader at a time */

struct opts {
	const char			*format;
	enum report_kind		 output;
	int				 lang;		/* -1: from the environment */
	enum severity			 min_severity;
	enum severity			 fail_on;
	const char			*rules_dir;
	bool				 is_strict;
	const char			*explain;
	bool				 list_rules;
	bool				 list_formats;
	int				 color;		/* -1 auto, 0 never, 1 always */
	size_t				 max_sessions;
	long long			 max_idle;	/* seconds, 0: none */
};

static void
usage(FILE *fp)
{
	fputs(
"usage: smtplint [OPTION]... [FILE]...\n"
"Lint SMTP transcripts and MTA logs: pair every command with its reply,\n"
"check them against RFC 5321 and its extensions, explain every code.\n"
"With no FILE, or FILE '-', read standard input; gzip input is unpacked.\n"
"\n"
"  -f, --format=NAME       auto (default) or a format of --list-formats\n"
"  -o, --output=NAME       text (default), json, summary\n"
"  -l, --lang=en|de        language (default: LC_ALL, LC_MESSAGES, LANG)\n"
"  -s, --min-severity=L    info|notice|warning|error: hide findings below L\n"
"                          (default notice)\n"
"      --fail-on=L         exit 1 on a finding at or above L (default\n"
"                          warning); 'never' to always exit 0\n"
"      --rules=DIR         rules files that add to the built-in ones\n"
"      --strict            also report common-practice replies outside the\n"
"                          RFC lists\n"
"      --explain=CODE      explain a reply code (550), an enhanced code\n"
"                          (5.1.1) or a whole reply line, and exit\n"
"      --list-rules        print the check catalog and exit\n"
"      --list-formats      print the input formats and exit\n"
"      --color=WHEN        auto (default), always, never; NO_COLOR is honoured\n"
"      --max-sessions=N    open sessions kept at most (default 10000)\n"
"      --max-idle=SECONDS  logs: drop a session not seen for this long in\n"
"                          the log's time (default 3600; 0: never)\n"
"      --since=TIME        logs: skip lines before TIME (ISO 8601 date or\n"
"                          date and time, 'today', 'yesterday')\n"
"      --until=TIME        logs: skip lines from TIME on; a day alone means\n"
"                          its end ('--since yesterday --until yesterday')\n"
"  -h, --help              this help\n"
"  -V, --version           the version\n"
"\n"
"Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage error,\n"
"unreadable input or invalid rules.\n", fp);
}

/* DESIGN.md: --lang, else the first set, non-empty one of LC_ALL,
 * LC_MESSAGES, LANG; "de…" is German.  Read directly, not through
 * setlocale(): containers rarely have the German locale. */
static enum lang
lang_from_env(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < 3; i++) {
		v = getenv(vars[i]);
		if (v != NULL && *v != '\0')
			return (v[0] == 'd' && v[1] == 'e' &&
			    (v[2] == '\0' || v[2] == '_' || v[2] == '.' ||
			    v[2] == '@')) ? LANG_DE : LANG_EN;
	}
	return LANG_EN;
}

static bool
use_color(int color)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (color >= 0)
		return color == 1;
	if (nc != NULL && *nc != '\0')
		return false;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

enum {
	OPT_FAIL_ON = 256,
	OPT_RULES,
	OPT_STRICT,
	OPT_EXPLAIN,
	OPT_LIST_RULES,
	OPT_LIST_FORMATS,
	OPT_COLOR,
	OPT_MAX_SESSIONS,
	OPT_MAX_IDLE,
	OPT_SINCE,
	OPT_UNTIL
};

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "lang", required_argument, NULL, 'l' },
	{ "min-severity", required_argument, NULL, 's' },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "list-formats", no_argument, NULL, OPT_LIST_FORMATS },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "colour", required_argument, NULL, OPT_COLOR },
	{ "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS },
	{ "max-idle", required_argument, NULL, OPT_MAX_IDLE },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static bool
bad_option(const char *opt, const char *val, const char *want)
{
	diag_error(NULL, 0, 0, "invalid value '%s' for %s (%s)", val, opt,
	    want);
	fputs("Try 'smtplint --help'.\n", stderr);
	return false;
}

static bool
parse_opts(int argc, char *argv[], struct opts *o)
{
	char *end;
	unsigned long n;
	long long since = -1, until = -1;
	int c;

	memset(o, 0, sizeof(*o));
	o->lang = -1;
	o->min_severity = SEV_NOTICE;
	o->fail_on = SEV_WARNING;
	o->color = -1;
	o->max_sessions = SESSION_MAX_DEFAULT;
	o->max_idle = SESSION_IDLE_DEFAULT;
	while ((c = getopt_long(argc, argv, "f:o:l:s:hV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f':
			/* Checked once --rules DIR added its formats. */
			o->format = strcmp(optarg, "auto") ? optarg : NULL;
			break;
		case 'o':
			if (strcmp(optarg, "text") == 0)
				o->output = REPORT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->output = REPORT_JSON;
			else if (strcmp(optarg, "summary") == 0)
				o->output = REPORT_SUMMARY;
			else
				return bad_option("--output", optarg,
				    "text, json or summary");
			break;
		case 'l':
			if (strcmp(optarg, "en") == 0)
				o->lang = LANG_EN;
			else if (strcmp(optarg, "de") == 0)
				o->lang = LANG_DE;
			else
				return bad_option("--lang", optarg, "en or de");
			break;
		case 's':
			if (!severity_parse(optarg, &o->min_severity) ||
			    o->min_severity == SEV_NONE)
				return bad_option("--min-severity", optarg,
				    "info, notice, warning or error");
			break;
		case OPT_FAIL_ON:
			if (!severity_parse(optarg, &o->fail_on))
				return bad_option("--fail-on", optarg,
				    "info, notice, warning, error or never");
			break;
		case OPT_RULES:
			o->rules_dir = optarg;
			break;
		case OPT_STRICT:
			o->is_strict = true;
			break;
		case OPT_EXPLAIN:
			o->explain = optarg;
			break;
		case OPT_LIST_RULES:
			o->list_rules = true;
			break;
		case OPT_LIST_FORMATS:
			o->list_formats = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else
				return bad_option("--color", optarg,
				    "auto, always or never");
			break;
		case OPT_MAX_SESSIONS:
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || n == 0 ||
			    n > 10000000)
				return bad_option("--max-sessions", optarg,
				    "1 to 10000000");
			o->max_sessions = n;
			break;
		case OPT_MAX_IDLE:
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] == '-' ||
			    n > 100000000)
				return bad_option("--max-idle", optarg,
				    "0 to 100000000 seconds");
			o->max_idle = (long long)n;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (!logfmt_parse_when(optarg, c == OPT_UNTIL,
			    c == OPT_SINCE ? &since : &until))
				return bad_option(c == OPT_SINCE ? "--since" :
				    "--until", optarg, "ISO 8601 date or date and "
				    "time, 'today' or 'yesterday'");
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("smtplint %s\n", SMTPLINT_VERSION);
			exit(0);
		default:
			fputs("Try 'smtplint --help'.\n", stderr);
			return false;
		}
	}
	logfmt_set_range(since, until);
	return true;
}

static void
sink_emit(void *ctx, const struct event *ev)
{
	sessions_event(ctx, ev);
}

/* Inputs that call for a caveat together: the first of each kind. */
struct kinds {
	const char	*exim_main;
	const char	*exim_reject;
};

/* Read one input through its format adapter into the sessions. */
static void
run_input(const struct opts *o, const char *path, struct sessions *ss,
    struct stats *st, struct kinds *kinds)
{
	struct input *in;
	struct readahead *ra;
	struct format_stream *fs;
	struct event_sink sink = { sink_emit, ss };
	struct line l[RUN_LINES];
	unsigned long before = st->lines;
	const char *name;
	long rc;

	if ((in = input_open(path)) == NULL)
		return;
	st->files++;
	name = (path == NULL || strcmp(path, "-") == 0) ? "<stdin>" : path;
	sessions_input(ss, name);
	fs = format_stream_new(o->format ? format_find(o->format) : NULL,
	    &sink, st);
	ra = readahead_new(in);
	while ((rc = readahead_lines(ra, l, RUN_LINES)) > 0)
		format_stream_lines(fs, l, (size_t)rc);
	format_stream_end(fs);
	if (format_stream_adapter(fs) == &fmt_exim)
		st->has_exim = true;
	switch (format_stream_kind(fs)) {
	case FORMAT_KIND_EXIM_MAIN:
		if (kinds->exim_main == NULL)
			kinds->exim_main = name;
		break;
	case FORMAT_KIND_EXIM_REJECT:
		if (kinds->exim_reject == NULL)
			kinds->exim_reject = name;
		break;
	case FORMAT_KIND_OTHER:
		break;
	}
	sessions_input_end(ss, st->lines - before);
	if (rc == 0 && format_stream_used(fs) == 0) {
		if (st->lines == before)
			diag_warn(name, 0, 0, "the input is empty");
		else
			diag_warn(name, 0, 0, "no line could be understood "
			    "(%lu lines; not a known transcript or log format, "
			    "see --list-formats)", st->lines - before);
	}
	format_stream_free(fs);
	readahead_free(ra);
}

static void
list_formats(void)
{
	const struct format_adapter *a;
	size_t i;

	for (i = 0; (a = format_nth(i)) != NULL; i++)
		printf("%-12s %s\n", a->name, a->description);
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct rules *rules;
	struct report *rep;
	struct findings fx;
	struct stats *st;
	struct sessions *ss;
	struct smtp_env env;
	struct kinds kinds = { NULL, NULL };
	enum lang lang;
	int i, status;
	bool ok;

	/* `smtplint big.log | head -1`: end quietly at the first write after
	 * the reader has gone, even when started with SIGPIPE ignored (a
	 * write error would otherwise be diagnosed only at the end). */
	signal(SIGPIPE, SIG_DFL);
	if (!parse_opts(argc, argv, &o))
		return 2;
	rules = rules_new();
	ok = rules_load_embedded(rules);
	if (ok && o.rules_dir != NULL)
		ok = rules_load_dir(rules, o.rules_dir);
	if (ok && o.rules_dir != NULL)
		ok = fmt_pattern_load_dir(o.rules_dir);
	if (!ok || !rules_finish(rules)) {
		rules_free(rules);
		return 2;
	}
	if (o.format != NULL && format_find(o.format) == NULL) {
		bad_option("--format", o.format, "see --list-formats");
		rules_free(rules);
		return 2;
	}
	if (o.list_formats) {
		list_formats();
		rules_free(rules);
		return 0;
	}
	lang = o.lang >= 0 ? (enum lang)o.lang : lang_from_env();
	if (o.explain != NULL) {
		status = explain_code(rules, lang, o.explain, stdout);
		rules_free(rules);
		return status;
	}
	if (o.list_rules) {
		status = explain_list_rules(rules, lang, stdout);
		rules_free(rules);
		return status;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		fputs("smtplint: out of memory\n", stderr);
		return 2;
	}
	rep = report_new(o.output, stdout, rules, lang, use_color(o.color) &&
	    o.output == REPORT_TEXT);
	findings_init(&fx, rules, rep, o.min_severity, o.is_strict);
	env.rules = rules;
	env.findings = &fx;
	env.stats = st;
	env.statq = statq_new(&st->log);
	ss = sessions_new(&env, o.max_sessions);
	sessions_set_idle(ss, o.max_idle);
	if (optind >= argc)
		run_input(&o, NULL, ss, st, &kinds);
	for (i = optind; i < argc; i++)
		run_input(&o, argv[i], ss, st, &kinds);
	if (kinds.exim_main != NULL && kinds.exim_reject != NULL)
		diag_warn(NULL, 0, 0, "%s looks like an Exim reject log and %s "
		    "like a main log: a reject log repeats the main log's "
		    "rejections, so if both are of one server those are "
		    "counted twice (read the main log alone)",
		    kinds.exim_reject, kinds.exim_main);
	sessions_flush(ss);
	statq_finish(env.statq);
	if (st->evicted > 0)
		diag_warn(NULL, 0, 0, "%lu sessions were ended early, more than "
		    "%zu being open at once (--max-sessions); their unanswered "
		    "commands were not checked", st->evicted, o.max_sessions);
	ok = report_end(rep, st, &fx);
	if (!ok || diag_had_error())
		status = 2;
	else if (fx.any && o.fail_on != SEV_NONE && fx.worst >= o.fail_on)
		status = 1;
	else
		status = 0;
	sessions_free(ss);
	statq_free(env.statq);
	report_free(rep);
	rules_free(rules);
	free(st);
	return status;
}
