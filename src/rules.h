/*
 * rules: the protocol knowledge, loaded from YAML (the rules files, SCHEMA.md).
 * The embedded defaults are read first, then the files of --rules DIR on top
 * of them; an entry with the same key replaces the earlier one.  Every file
 * is checked against the schema and errors name file, line and column.
 * After rules_finish() the rules are read-only; one owner frees them.
 */
#ifndef RULES_H
#define RULES_H

#include <stdbool.h>
#include <stddef.h>

enum lang {
	LANG_EN,
	LANG_DE,
	LANG_N
};

enum severity {			/* ordered: higher is worse */
	SEV_INFO,
	SEV_NOTICE,
	SEV_WARNING,
	SEV_ERROR,
	SEV_NONE		/* above everything: --fail-on never */
};

enum fault {
	FAULT_NONE,
	FAULT_SERVER,
	FAULT_CLIENT
};

enum code_status {
	CST_STANDARD,		/* RFC 5321 */
	CST_EXTENSION,		/* an extension RFC */
	CST_HISTORIC,		/* RFC 821/2821 or another obsolete document */
	CST_NONSTANDARD,	/* in no RFC */
	CST_VENDOR		/* one vendor's code */
};

enum reply_source {
	SRC_NONE,		/* not allowed at all */
	SRC_RFC5321,		/* RFC 5321 4.3.2 */
	SRC_UNIVERSAL,		/* 421, 500, 501 to any command */
	SRC_EXTENSION,		/* an extension RFC, maybe needing a keyword */
	SRC_HISTORIC,		/* RFC 821/2821 only */
	SRC_PRACTICE,		/* outside the RFC lists, common and conforming */
	SRC_VENDOR		/* one implementation's habit */
};

enum cmd_action {
	ACT_OTHER,
	ACT_GREETING,
	ACT_HELO,
	ACT_EHLO,
	ACT_MAIL,
	ACT_RCPT,
	ACT_DATA,
	ACT_END_OF_DATA,
	ACT_BDAT,
	ACT_RSET,
	ACT_VRFY,
	ACT_EXPN,
	ACT_HELP,
	ACT_NOOP,
	ACT_QUIT,
	ACT_STARTTLS,
	ACT_AUTH,
	ACT_AUTH_RESPONSE,
	ACT_ETRN,
	ACT_ATRN,
	ACT_TURN
};

/* requires: */
#define REQ_HELO	0x01	/* HELO/EHLO accepted (since the last STARTTLS) */
#define REQ_MAIL	0x02	/* a transaction is open */
#define REQ_RCPT	0x04	/* a recipient was accepted */
#define REQ_NO_MAIL	0x08	/* no transaction is open */
#define REQ_AUTH	0x10	/* authenticated */
#define REQ_NO_AUTH	0x20	/* not yet authenticated */
#define REQ_NO_TLS	0x40	/* TLS not active */

enum cmd_args {
	ARGS_ANY,
	ARGS_NONE,
	ARGS_OPTIONAL,
	ARGS_REQUIRED
};

struct text {
	const char	*s[LANG_N];
};

struct code_variant {
	const char	*command;	/* verb or pseudo command */
	struct text	 meaning;
	struct text	 hint;
};

struct code_info {
	int			 code;
	const char		*text;
	enum code_status	 status;
	const char		*origin;
	const char		*vendor;	/* may be NULL */
	struct text		 meaning;
	struct text		 hint;
	const struct code_variant *variants;
	size_t			 nvariants;
};

struct allowed_reply {
	int			 code;
	enum reply_source	 source;
	const char		*extension;	/* EHLO keyword, may be NULL */
	const char		*ref;		/* may be NULL */
};

struct command_info {
	const char		*verb;		/* upper case key: MAIL, END-OF-DATA */
	struct text		 name;		/* for people */
	enum cmd_action		 action;
	const char		*extension;	/* needed EHLO keyword, or NULL */
	unsigned		 requires;	/* REQ_* */
	bool			 is_pipeline_last;
	enum cmd_args		 args;
	const struct allowed_reply *replies;
	size_t			 nreplies;
	unsigned char		 reply_index[600];	/* code -> index + 1 */
};

struct enhanced_info {
	const char	*key;		/* "X.1.1" */
	int		 subject;
	int		 detail;
	const char	*text;
	const char	*ref;
	struct text	 meaning;
};

struct check_info {
	const char	*id;
	enum severity	 severity;
	enum fault	 fault;
	struct text	 message;
	struct text	 explanation;
	struct text	 hint;
};

struct rules;

/* An embedded rules file (rules_embed.c, generated). */
struct yflat;
struct rules_file {
	const char	*name;		/* codes.yaml */
	const char	*data;
	size_t		 len;
	const struct yflat *tree;	/* ydoc_parse of data, made at build
					 * time, flat */
};
extern const struct rules_file rules_embedded[];

struct rules	*rules_new(void);
/* Load the embedded defaults; false after diagnostics. */
bool		 rules_load_embedded(struct rules *);
/* Load one file from memory; NAME is used in diagnostics and picks the
 * schema by its base name (codes.yaml …).  False after diagnostics. */
bool		 rules_load_buffer(struct rules *, const char *name,
		    const char *data, size_t len);
/* Load every known file found in DIR; false after diagnostics. */
bool		 rules_load_dir(struct rules *, const char *dir);
/* Cross-check the tables (every check has text, variants name known
 * commands …); false after diagnostics.  Call once after loading. */
bool		 rules_finish(struct rules *);
void		 rules_free(struct rules *);

const struct code_info		*rules_code(const struct rules *, int code);
const struct command_info	*rules_command(const struct rules *, const char *verb,
				    size_t len);
const struct command_info	*rules_command_by_action(const struct rules *,
				    enum cmd_action);
size_t				 rules_ncommands(const struct rules *);
const struct command_info	*rules_command_nth(const struct rules *, size_t);
const struct allowed_reply	*rules_allowed(const struct command_info *, int code);
const struct code_variant	*rules_code_variant(const struct code_info *,
				    const char *verb);
const struct enhanced_info	*rules_enhanced(const struct rules *, int subject,
				    int detail);
size_t				 rules_nenhanced(const struct rules *);
const struct enhanced_info	*rules_enhanced_nth(const struct rules *, size_t);
const char			*rules_enhanced_class(const struct rules *, int cls,
				    enum lang);
const char			*rules_enhanced_subject(const struct rules *, int subj,
				    enum lang);
const struct check_info		*rules_check(const struct rules *, const char *id);
/* A {detail} fragment or a reporter label; the id itself when missing. */
const char			*rules_detail(const struct rules *, const char *id,
				    enum lang);
const char			*rules_label(const struct rules *, const char *id,
				    enum lang);
/* All codes known, ascending (for --explain lists and tests). */
size_t				 rules_code_list(const struct rules *, int *codes,
				    size_t max);

const char	*severity_name(enum severity);
bool		 severity_parse(const char *, enum severity *);

#endif
