/*
 * check_smtp: the per-session state machine (smtp.c) driven directly with
 * events.  Each case is a dialogue written as data, one step a line:
 *
 *	C("MAIL FROM:<a@b>")	a client line ending in CRLF
 *	C_LF(".")		a client line ending in a bare LF
 *	S("250 ok")		a server reply line (CRLF)
 *	TLS			the TLS handshake completed
 *	END			the connection closed (smtp_end(s, true))
 *
 * with the number of findings expected per check id; every check not named
 * must not fire (reply-explained, the info-level explanation of 4xx/5xx,
 * is compared only where a case asks).  A few cases also say on which
 * line (the step's 1-based index) and with which detail the first finding
 * of a check must come.  Findings are counted with --min-severity info and
 * captured through a tiny reporter.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "finding.h"
#include "report.h"
#include "rules.h"
#include "smtp.h"
#include "stats.h"
#include "testutil.h"

struct step {
	char		 side;		/* C S T E */
	const char	*text;
	enum eol	 eol;
};

#define C(t)	{ 'C', (t), EOL_CRLF }
#define C_LF(t)	{ 'C', (t), EOL_LF }
#define S(t)	{ 'S', (t), EOL_CRLF }
#define TLS	{ 'T', NULL, EOL_UNKNOWN }
#define END	{ 'E', NULL, EOL_UNKNOWN }
#define GAP	{ 'G', NULL, EOL_UNKNOWN }	/* lines left out ("...") */

#define X100	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define X1200	X100 X100 X100 X100 X100 X100 X100 X100 X100 X100 X100 X100

/* An expectation about the first finding of one check. */
struct at {
	enum check_id	 check;
	unsigned long	 line;		/* step number, 1-based */
	const char	*detail;	/* NULL: don't care */
	enum severity	 severity;	/* SEV_NONE: don't care */
};

struct dialogue {
	const char	*name;
	unsigned	 flags;		/* EVF_* for the session and every event */
	bool		 strict;	/* --strict */
	bool		 care_explained;	/* compare reply-explained too */
	const struct step *steps;	/* until a NULL side */
	unsigned long	 want[CHECK_N];
	struct at	 at[3];		/* until check == 0 and line == 0 */
	const char	*bug;		/* non-NULL: a known state-machine bug */
};

#define STEPS(...)	(const struct step[]){ __VA_ARGS__, { 0, NULL, 0 } }
#define WANT(...)	{ __VA_ARGS__ }
#define NONE		{ 0 }

/* The usual opening: greeting, EHLO with PIPELINING and 8BITMIME. */
#define HELLO \
	S("220 mx.example ESMTP"), \
	C("EHLO client.example"), \
	S("250-mx.example"), \
	S("250-PIPELINING"), \
	S("250 8BITMIME")

/* The same with STARTTLS and AUTH offered. */
#define HELLO_TLS \
	S("220 mx.example ESMTP"), \
	C("EHLO client.example"), \
	S("250-mx.example"), \
	S("250-PIPELINING"), \
	S("250-STARTTLS"), \
	S("250 AUTH LOGIN PLAIN")

#define BYE	C("QUIT"), S("221 bye")

static const struct dialogue dialogues[] = {
	{ "clean session", 0, false, true, STEPS(
	    HELLO,
	    C("MAIL FROM:<a@example.org> BODY=8BITMIME"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("354 go ahead"),
	    C("Subject: test"), C(""), C("body"), C(".."), C("."),
	    S("250 queued as 1"),
	    BYE), NONE, { { 0 } }, NULL },

	{ "clean session with HELO", 0, false, true, STEPS(
	    S("220 mx.example"), C("HELO client.example"), S("250 mx.example"),
	    C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("354 go ahead"), C("x"), C("."), S("250 ok"),
	    BYE), NONE, { { 0 } }, NULL },

	/* ---- sequence */
	{ "RCPT before MAIL accepted", 0, false, false, STEPS(
	    HELLO, C("RCPT TO:<b@example.net>"), S("250 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 7, "no-mail", SEV_ERROR } }, NULL },

	{ "pipelined after a refused MAIL: no fault of the client", 0, false,
	    false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), C("RCPT TO:<b@example.net>"),
	    C("DATA"), S("550 5.7.1 sender refused"), S("503 5.5.1 need MAIL"),
	    S("503 5.5.1 need RCPT"), C("QUIT"), S("221 2.0.0 bye")),
	    NONE, { { 0 } }, NULL },

	{ "RCPT before MAIL refused with 503", 0, false, false, STEPS(
	    HELLO, C("RCPT TO:<b@example.net>"), S("503 5.5.1 need MAIL"),
	    BYE),
	    WANT([CHECK_CLIENT_OUT_OF_SEQUENCE] = 1),
	    /* the client's fault: reported at the command */
	    { { CHECK_CLIENT_OUT_OF_SEQUENCE, 6, "no-mail", SEV_NOTICE } },
	    NULL },

	{ "DATA with no RCPT accepted with 354", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("DATA"), S("354 go"), C("x"), C("."), S("250 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 9, "no-rcpt", SEV_NONE } }, NULL },

	{ "MAIL before EHLO accepted", 0, false, false, STEPS(
	    S("220 mx.example"), C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 3, "no-helo", SEV_NONE } }, NULL },

	{ "MAIL inside a transaction accepted", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("MAIL FROM:<c@example.org>"), S("250 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 9, "nested-mail", SEV_NONE } }, NULL },

	{ "RSET ends the transaction", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RSET"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 11, "no-mail", SEV_NONE } }, NULL },

	{ "a second EHLO resets the transaction", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("EHLO client.example"), S("250-mx.example"), S("250 PIPELINING"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 12, "no-mail", SEV_NONE } }, NULL },

	{ "a refused second EHLO changes nothing", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("EHLO client.example"), S("550 5.7.1 not you"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"), BYE),
	    NONE, { { 0 } }, NULL },

	{ "554 greeting, then MAIL accepted", 0, false, false, STEPS(
	    S("554 go away"), C("EHLO client.example"), S("503 only QUIT"),
	    C("MAIL FROM:<a@example.org>"), S("250 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1,
	        [CHECK_CLIENT_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 5, "refused-session", SEV_NONE } },
	    NULL },

	{ "DATA after BDAT in one transaction", 0, false, false, STEPS(
	    S("220 mx.example"), C("EHLO c"), S("250-mx"), S("250 CHUNKING"),
	    C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("BDAT 3"), C("a"), S("250 3 octets"),
	    C("DATA"), S("503 5.5.1 BDAT in use"), BYE),
	    WANT([CHECK_CLIENT_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_CLIENT_OUT_OF_SEQUENCE, 12, "data-after-bdat",
	        SEV_NONE } }, NULL },

	{ "STARTTLS forgets EHLO: MAIL accepted without a new EHLO", 0, false,
	    false, STEPS(
	    HELLO_TLS, C("STARTTLS"), S("220 go ahead"), TLS,
	    C("MAIL FROM:<a@example.org>"), S("250 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 11, "no-helo", SEV_NONE } }, NULL },

	{ "STARTTLS twice", 0, false, false, STEPS(
	    HELLO_TLS, C("STARTTLS"), S("220 go ahead"), TLS,
	    C("EHLO client.example"), S("250-mx.example"), S("250 STARTTLS"),
	    C("STARTTLS"), S("220 again"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 14, "tls-active", SEV_NONE } }, NULL },

	/* ---- allowed replies */
	{ "334 to MAIL", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("334 VXNlcm5hbWU6"),
	    BYE),
	    WANT([CHECK_REPLY_NOT_ALLOWED] = 1),
	    { { CHECK_REPLY_NOT_ALLOWED, 7, NULL, SEV_ERROR } }, NULL },

	{ "250 to DATA", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("250 ok"), BYE),
	    WANT([CHECK_REPLY_NOT_ALLOWED] = 1),
	    { { CHECK_REPLY_NOT_ALLOWED, 11, NULL, SEV_NONE } }, NULL },

	{ "HELO answered with a multiline reply", 0, false, false, STEPS(
	    S("220 mx.example"), C("HELO client.example"),
	    S("250-mx.example"), S("250 PIPELINING"), BYE),
	    WANT([CHECK_REPLY_NOT_ALLOWED] = 1),
	    { { CHECK_REPLY_NOT_ALLOWED, 3, "multiline-helo", SEV_NONE } },
	    NULL },

	{ "RCPT answered 554: practice, nothing by default", 0, false, true,
	    STEPS(HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("554 5.7.1 Relay access denied"),
	    BYE),
	    WANT([CHECK_REPLY_EXPLAINED] = 1), { { 0 } }, NULL },

	{ "RCPT answered 554 with --strict", 0, true, true, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("554 5.7.1 Relay access denied"),
	    BYE),
	    WANT([CHECK_REPLY_NOT_ALLOWED] = 1, [CHECK_REPLY_EXPLAINED] = 1),
	    { { CHECK_REPLY_NOT_ALLOWED, 9, "practice", SEV_WARNING } },
	    NULL },

	{ "MAIL SIZE above the advertised limit accepted", 0, false, false,
	    STEPS(
	    S("220 mx.example"), C("EHLO client.example"),
	    S("250-mx.example"), S("250 SIZE 100"),
	    C("MAIL FROM:<a@example.org> SIZE=999"), S("250 ok"), BYE),
	    WANT([CHECK_REPLY_NOT_ALLOWED] = 1),
	    { { CHECK_REPLY_NOT_ALLOWED, 6, "size-above-limit", SEV_NONE } },
	    NULL },

	{ "MAIL SIZE above the limit refused with 552", 0, false, false,
	    STEPS(
	    S("220 mx.example"), C("EHLO client.example"),
	    S("250-mx.example"), S("250 SIZE 100"),
	    C("MAIL FROM:<a@example.org> SIZE=999"),
	    S("552 5.3.4 too big"), BYE),
	    NONE, { { 0 } }, NULL },

	{ "572 to RCPT: nonstandard", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("572 relay not permitted"), BYE),
	    WANT([CHECK_NONSTANDARD_CODE] = 1, [CHECK_REPLY_NOT_ALLOWED] = 1),
	    { { CHECK_NONSTANDARD_CODE, 9, NULL, SEV_WARNING } }, NULL },

	{ "200 to NOOP: nonstandard", 0, false, false, STEPS(
	    HELLO, C("NOOP"), S("200 ok"), BYE),
	    WANT([CHECK_NONSTANDARD_CODE] = 1, [CHECK_REPLY_NOT_ALLOWED] = 1),
	    { { 0 } }, NULL },

	{ "code in no catalog", 0, false, false, STEPS(
	    HELLO, C("NOOP"), S("259 odd"), BYE),
	    WANT([CHECK_NONSTANDARD_CODE] = 1, [CHECK_REPLY_NOT_ALLOWED] = 1),
	    { { CHECK_NONSTANDARD_CODE, 7, "unknown-code", SEV_NONE } }, NULL },

	{ "unknown command answered 500, then MAIL 250: no shift", 0, false,
	    true, STEPS(
	    HELLO, C("FOO bar"), S("500 5.5.2 unknown command"),
	    C("MAIL FROM:<a@example.org>"), S("250 ok"), BYE),
	    WANT([CHECK_REPLY_EXPLAINED] = 1), { { 0 } }, NULL },

	{ "pipelined unknown command: no shift", 0, false, true, STEPS(
	    HELLO, C("FOO bar"), C("MAIL FROM:<a@example.org>"),
	    C("RCPT TO:<b@example.net>"),
	    S("500 unknown command"), S("250 ok"), S("250 ok"), BYE),
	    WANT([CHECK_REPLY_EXPLAINED] = 1), { { 0 } }, NULL },

	/* ---- greeting and pairing */
	{ "greeting 250", 0, false, false, STEPS(
	    S("250 hello"), C("EHLO c"), S("250 ok"), BYE),
	    WANT([CHECK_BAD_GREETING] = 1),
	    { { CHECK_BAD_GREETING, 1, NULL, SEV_ERROR } }, NULL },

	{ "greeting 450 (Postfix, smtpd_delay_reject = no): practice, then "
	    "503s", 0, false, false, STEPS(
	    S("450 4.7.25 Client host rejected: cannot find your hostname"),
	    C("EHLO c"), S("503 5.7.0 Error: access denied for unknown[192.0.2.1]"),
	    BYE), WANT([CHECK_CLIENT_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_CLIENT_OUT_OF_SEQUENCE, 2, NULL, SEV_NOTICE } }, NULL },

	{ "greeting 550 with --strict: reply-not-allowed, a warning", 0, true,
	    false, STEPS(S("550 5.7.1 Client host rejected: Access denied"),
	    C("EHLO c"), S("503 5.7.0 Error: access denied"), BYE),
	    WANT([CHECK_REPLY_NOT_ALLOWED] = 1,
	    [CHECK_CLIENT_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_REPLY_NOT_ALLOWED, 1, NULL, SEV_WARNING } }, NULL },

	{ "greeting 452: no greeting at all", 0, false, false, STEPS(
	    S("452 4.3.1 full"), C("EHLO c"), S("250 ok"), BYE),
	    WANT([CHECK_BAD_GREETING] = 1),
	    { { CHECK_BAD_GREETING, 1, NULL, SEV_ERROR } }, NULL },

	{ "greeting 421", 0, false, false, STEPS(S("421 busy"), END),
	    NONE, { { 0 } }, NULL },

	{ "unsolicited 421 closes the session", 0, false, false, STEPS(
	    HELLO, S("421 4.3.2 shutting down"), END),
	    NONE, { { 0 } }, NULL },

	{ "unsolicited 250", 0, false, false, STEPS(
	    HELLO, S("250 what?"), BYE),
	    WANT([CHECK_UNSOLICITED_REPLY] = 1),
	    { { CHECK_UNSOLICITED_REPLY, 6, NULL, SEV_ERROR } }, NULL },

	{ "reply after the 221", 0, false, false, STEPS(
	    HELLO, BYE, S("250 what?")),
	    WANT([CHECK_UNSOLICITED_REPLY] = 1),
	    { { CHECK_UNSOLICITED_REPLY, 8, "after-quit", SEV_NONE } }, NULL },

	{ "multiline 250- then 251", 0, false, false, STEPS(
	    S("220 mx"), C("EHLO c"), S("250-mx"), S("251 odd"), BYE),
	    WANT([CHECK_MULTILINE_CODE_MISMATCH] = 1),
	    { { CHECK_MULTILINE_CODE_MISMATCH, 4, NULL, SEV_ERROR } }, NULL },

	{ "malformed reply line is not paired", 0, false, false, STEPS(
	    HELLO, C("NOOP"), S("25O ok"), S("250 ok"), BYE),
	    WANT([CHECK_MALFORMED_REPLY] = 1),
	    { { CHECK_MALFORMED_REPLY, 7, "no-code", SEV_ERROR } }, NULL },

	{ "multiline reply never finished, connection closed", 0, false,
	    false, STEPS(HELLO, C("NOOP"), S("250-one"), S("250-two"), END),
	    /* the unfinished reply answers the NOOP: not unanswered */
	    WANT([CHECK_MALFORMED_REPLY] = 1),
	    { { CHECK_MALFORMED_REPLY, 8, "unfinished-multiline", SEV_NONE } },
	    NULL },
	{ "multiline reply cut by the transcript's end", 0, false, false,
	    STEPS(HELLO, C("NOOP"), S("250-one"), S("250-two")),
	    /* a capture cut short: the NOOP's reply never ended in it */
	    WANT([CHECK_UNANSWERED_COMMAND] = 1),
	    { { CHECK_UNANSWERED_COMMAND, 8, "transcript-ends-in-reply",
	    SEV_WARNING } }, NULL },
	{ "greeting cut by the transcript's end", 0, false, false,
	    STEPS(S("220-one")),
	    WANT([CHECK_MALFORMED_REPLY] = 1),
	    { { CHECK_MALFORMED_REPLY, 1, "unfinished-multiline", SEV_NONE } },
	    NULL },

	/* ---- enhanced codes */
	{ "550 4.1.1: class mismatch", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("550 4.1.1 unknown user"), BYE),
	    WANT([CHECK_ENHANCED_CODE_MISMATCH] = 1),
	    { { CHECK_ENHANCED_CODE_MISMATCH, 9, "enhanced-class",
	        SEV_WARNING } }, NULL },

	{ "550 5.01.1: bad syntax", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("550 5.01.1 unknown user"), BYE),
	    WANT([CHECK_ENHANCED_CODE_MISMATCH] = 1),
	    { { CHECK_ENHANCED_CODE_MISMATCH, 9, "enhanced-syntax",
	        SEV_NONE } }, NULL },

	{ "ENHANCEDSTATUSCODES advertised, code missing", 0, false, false,
	    STEPS(
	    S("220 mx"), C("EHLO c"), S("250-mx"), S("250 ENHANCEDSTATUSCODES"),
	    C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("QUIT"), S("221 2.0.0 bye")),
	    WANT([CHECK_ENHANCED_CODE_MISMATCH] = 1),
	    { { CHECK_ENHANCED_CODE_MISMATCH, 6, "enhanced-missing",
	        SEV_NONE } }, NULL },

	{ "enhanced codes present and right", 0, false, false, STEPS(
	    S("220 mx"), C("EHLO c"), S("250-mx"), S("250 ENHANCEDSTATUSCODES"),
	    C("MAIL FROM:<a@example.org>"), S("250 2.1.0 ok"),
	    C("RCPT TO:<b@example.net>"), S("250-2.1.5 ok"), S("250 2.1.5 ok"),
	    C("QUIT"), S("221 2.0.0 bye")), NONE, { { 0 } }, NULL },

	/* ---- pipelining */
	{ "pipelined MAIL/RCPT/DATA with PIPELINING", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), C("RCPT TO:<b@example.net>"),
	    C("DATA"), S("250 ok"), S("250 ok"), S("354 go"),
	    C("x"), C("."), S("250 ok"), BYE), NONE, { { 0 } }, NULL },

	{ "pipelined without PIPELINING", 0, false, false, STEPS(
	    S("220 mx"), C("EHLO c"), S("250-mx"), S("250 8BITMIME"),
	    C("MAIL FROM:<a@example.org>"), C("RCPT TO:<b@example.net>"),
	    C("DATA"), S("250 ok"), S("250 ok"), S("354 go"),
	    C("x"), C("."), S("250 ok"), BYE),
	    /* RCPT and DATA were each sent before a reply */
	    WANT([CHECK_PIPELINING_NOT_ADVERTISED] = 2),
	    { { CHECK_PIPELINING_NOT_ADVERTISED, 6, "not-advertised",
	        SEV_WARNING } }, NULL },

	{ "command after STARTTLS before its 220", 0, false, false, STEPS(
	    HELLO_TLS, C("STARTTLS"), C("EHLO client.example"),
	    S("220 go ahead"), TLS, S("250-mx.example"), S("250 AUTH PLAIN"),
	    BYE),
	    WANT([CHECK_PIPELINING_VIOLATION] = 1),
	    { { CHECK_PIPELINING_VIOLATION, 8, "after-last", SEV_NONE } },
	    NULL },

	{ "client speaks before the greeting", 0, false, false, STEPS(
	    C("EHLO c"), S("220 mx"), S("250 mx"), BYE),
	    WANT([CHECK_PIPELINING_VIOLATION] = 1),
	    { { CHECK_PIPELINING_VIOLATION, 1, "before-greeting", SEV_NONE } },
	    NULL },

	{ "client speaks twice before the greeting: told once", 0, false,
	    false, STEPS(C("EHLO c"), C("MAIL FROM:<a@b>"), S("220 mx"),
	    S("250 mx"), S("250 ok"), BYE),
	    WANT([CHECK_PIPELINING_VIOLATION] = 1),
	    { { CHECK_PIPELINING_VIOLATION, 1, "before-greeting", SEV_NONE } },
	    NULL },

	{ "capture begun after the greeting (smtplib): joined late", 0, false,
	    false, STEPS(C("ehlo c"), S("250-mx"), S("250 PIPELINING"),
	    C("mail FROM:<a@b>"), S("250 ok"), C("rcpt TO:<x@y>"),
	    S("250 ok"), C("data"), S("354 go"), C("Subject: t"), C(""),
	    C("body"), C("."), S("250 queued"), BYE),
	    NONE, { { 0 } }, NULL },

	{ "joined late: a reply to a command sent before the log began",
	    EVF_PARTIAL, false, true, STEPS(C("RCPT TO:<x@y>"),
	    S("250 2.1.0 Sender OK"), S("550 5.7.1 Unable to relay"),
	    C("QUIT"), S("221 bye")),
	    /* explained, to no command: not unsolicited */
	    WANT([CHECK_REPLY_EXPLAINED] = 1),
	    { { CHECK_REPLY_EXPLAINED, 3, NULL, SEV_NONE } }, NULL },
	{ "complete: a reply with no command waiting is unsolicited", 0,
	    false, false, STEPS(HELLO, S("550 5.7.1 what"), BYE),
	    WANT([CHECK_UNSOLICITED_REPLY] = 1),
	    { { CHECK_UNSOLICITED_REPLY, 6, NULL, SEV_ERROR } }, NULL },

	{ "a gap: the reply left out pairs nothing wrongly", 0, false, true,
	    STEPS(HELLO, C("MAIL FROM:<a@b>"), GAP, C("RCPT TO:<x@y>"),
	    S("550 5.1.1 no such user"), BYE),
	    /* the MAIL's 250 is not taken for the RCPT's: explained */
	    WANT([CHECK_REPLY_EXPLAINED] = 1),
	    { { CHECK_REPLY_EXPLAINED, 9, NULL, SEV_NONE } }, NULL },
	{ "after a gap, sequence is not judged", 0, false, false,
	    STEPS(HELLO, GAP, C("DATA"), S("354 go"), C("."), S("250 ok"),
	    BYE), NONE, { { 0 } }, NULL },
	{ "without the gap, the same is out of sequence", 0, false, false,
	    STEPS(HELLO, C("DATA"), S("354 go"), C("."), S("250 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1), { { 0 } }, NULL },

	{ "client speaks during a greeting of several lines", 0, false,
	    false, STEPS(S("220-mx"), C("EHLO c"), S("220 mx"), S("250 mx"),
	    BYE),
	    WANT([CHECK_PIPELINING_VIOLATION] = 1),
	    { { CHECK_PIPELINING_VIOLATION, 2, "before-greeting", SEV_NONE } },
	    NULL },

	/* ---- extensions, AUTH, TLS */
	{ "SIZE= without SIZE advertised", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org> SIZE=10"), S("250 ok"), BYE),
	    WANT([CHECK_EXTENSION_NOT_ADVERTISED] = 1),
	    { { CHECK_EXTENSION_NOT_ADVERTISED, 6, "not-in-ehlo", SEV_NONE } },
	    NULL },

	{ "BODY=8BITMIME after HELO", 0, false, false, STEPS(
	    S("220 mx"), C("HELO c"), S("250 mx"),
	    C("MAIL FROM:<a@example.org> BODY=8BITMIME"), S("250 ok"), BYE),
	    WANT([CHECK_EXTENSION_NOT_ADVERTISED] = 1),
	    { { CHECK_EXTENSION_NOT_ADVERTISED, 4, "helo-only", SEV_NONE } },
	    NULL },

	{ "STARTTLS not advertised", 0, false, false, STEPS(
	    HELLO, C("STARTTLS"), S("454 4.7.0 TLS not available"), BYE),
	    WANT([CHECK_EXTENSION_NOT_ADVERTISED] = 1), { { 0 } }, NULL },

	{ "AUTH mechanism not advertised", 0, false, false, STEPS(
	    HELLO_TLS, C("STARTTLS"), S("220 go"), TLS,
	    C("EHLO client.example"), S("250-mx.example"), S("250 AUTH PLAIN"),
	    C("AUTH CRAM-MD5"), S("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+"),
	    C("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"),
	    S("235 ok"), BYE),
	    WANT([CHECK_EXTENSION_NOT_ADVERTISED] = 1), { { 0 } }, NULL },

	{ "AUTH LOGIN without TLS", 0, false, false, STEPS(
	    HELLO_TLS, C("AUTH LOGIN"), S("334 VXNlcm5hbWU6"),
	    C("dXNlcg=="), S("334 UGFzc3dvcmQ6"), C("cGFzcw=="),
	    S("235 2.7.0 ok"), BYE),
	    WANT([CHECK_AUTH_WITHOUT_TLS] = 1),
	    { { CHECK_AUTH_WITHOUT_TLS, 7, NULL, SEV_NOTICE } }, NULL },

	{ "AUTH PLAIN without TLS, credentials in the command", 0, false,
	    false, STEPS(HELLO_TLS, C("AUTH PLAIN AHVzZXIAcGFzcw=="),
	    S("235 2.7.0 ok"), BYE),
	    WANT([CHECK_AUTH_WITHOUT_TLS] = 1),
	    { { CHECK_AUTH_WITHOUT_TLS, 7, NULL, SEV_NOTICE } }, NULL },

	{ "AUTH LOGIN without TLS refused at once: nothing crossed", 0, false,
	    false, STEPS(HELLO_TLS, C("AUTH LOGIN"),
	    S("530 5.7.0 Must issue a STARTTLS command first"), BYE),
	    NONE, { { 0 } }, NULL },

	{ "AUTH LOGIN without TLS cancelled: nothing crossed", 0, false,
	    false, STEPS(HELLO_TLS, C("AUTH LOGIN"), S("334 VXNlcm5hbWU6"),
	    C("*"), S("501 5.0.0 AUTH aborted"), BYE),
	    NONE, { { 0 } }, NULL },

	{ "AUTH PLAIN after STARTTLS", 0, false, false, STEPS(
	    HELLO_TLS, C("STARTTLS"), S("220 go"), TLS,
	    C("EHLO client.example"), S("250-mx.example"), S("250 AUTH PLAIN"),
	    C("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q="), S("235 2.7.0 ok"),
	    C("MAIL FROM:<a@example.org>"), S("250 ok"), BYE),
	    NONE, { { 0 } }, NULL },

	{ "AUTH twice", 0, false, false, STEPS(
	    HELLO_TLS, C("STARTTLS"), S("220 go"), TLS,
	    C("EHLO client.example"), S("250-mx.example"), S("250 AUTH PLAIN"),
	    C("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q="), S("235 2.7.0 ok"),
	    C("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q="), S("235 2.7.0 ok"), BYE),
	    WANT([CHECK_OUT_OF_SEQUENCE] = 1),
	    { { CHECK_OUT_OF_SEQUENCE, 16, "already-auth", SEV_NONE } }, NULL },

	/* ---- data, BDAT */
	{ "BDAT LAST with its chunk", 0, false, false, STEPS(
	    S("220 mx"), C("EHLO c"), S("250-mx"), S("250 CHUNKING"),
	    C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("BDAT 5 LAST"), C("abc"), S("250 5 octets, message accepted"),
	    C("MAIL FROM:<a@example.org>"), S("250 ok"), BYE),
	    NONE, { { 0 } }, NULL },

	{ "data line of 1200 octets", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("354 go"), C(X1200), C(X1200), C("."), S("250 ok"),
	    BYE),
	    WANT([CHECK_LINE_TOO_LONG] = 1),	/* once per message */
	    { { CHECK_LINE_TOO_LONG, 12, "data-line", SEV_WARNING } }, NULL },

	{ "data line of 998 octets plus a stuffed dot", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("354 go"),
	    C("." X100 X100 X100 X100 X100 X100 X100 X100 X100
	        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
	    C("."), S("250 ok"), BYE),
	    NONE, { { 0 } }, NULL },

	{ "bare-LF dot does not end the data", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("354 go"), C("body"), C_LF("."), C("more"), C("."),
	    S("250 ok"), BYE),
	    WANT([CHECK_BARE_LINE_ENDING] = 1),
	    { { CHECK_BARE_LINE_ENDING, 13, "bare-dot", SEV_ERROR } }, NULL },

	{ "smuggled command after a bare-LF dot", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("354 go"), C("body"), C_LF("."),
	    C("MAIL FROM:<evil@example.org>"), C("."), S("250 ok"), BYE),
	    WANT([CHECK_BARE_LINE_ENDING] = 2),
	    { { CHECK_BARE_LINE_ENDING, 13, "bare-dot", SEV_ERROR } }, NULL },

	{ "bare LF in a command", 0, false, false, STEPS(
	    HELLO, C_LF("NOOP"), S("250 ok"), BYE),
	    WANT([CHECK_BARE_LINE_ENDING] = 1),
	    { { CHECK_BARE_LINE_ENDING, 6, "bare-lf", SEV_WARNING } }, NULL },

	{ "curl hides the data: DATA 354 then 250", EVF_DATA_HIDDEN, false,
	    false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("354 go"), S("250 queued"), BYE),
	    NONE, { { 0 } }, NULL },

	/* ---- end of session, QUIT */
	{ "command after QUIT", 0, false, false, STEPS(
	    HELLO, BYE, C("NOOP")),
	    WANT([CHECK_COMMAND_AFTER_QUIT] = 1),
	    { { CHECK_COMMAND_AFTER_QUIT, 8, NULL, SEV_WARNING } }, NULL },

	{ "session ends with a command pending", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), END),
	    WANT([CHECK_UNANSWERED_COMMAND] = 1),
	    { { CHECK_UNANSWERED_COMMAND, 6, "connection-closed", SEV_NONE } },
	    NULL },

	{ "session ends inside the data", 0, false, false, STEPS(
	    HELLO, C("MAIL FROM:<a@example.org>"), S("250 ok"),
	    C("RCPT TO:<b@example.net>"), S("250 ok"),
	    C("DATA"), S("354 go"), C("x")),
	    WANT([CHECK_UNANSWERED_COMMAND] = 1),
	    { { CHECK_UNANSWERED_COMMAND, 11, "no-data-end", SEV_NONE } },
	    NULL },

	/* ---- long lines */
	{ "command line over 512", 0, false, false, STEPS(
	    HELLO, C("NOOP " X100 X100 X100 X100 X100 X100), S("250 ok"), BYE),
	    WANT([CHECK_LINE_TOO_LONG] = 1),
	    { { CHECK_LINE_TOO_LONG, 6, "command-line", SEV_NONE } }, NULL },

	{ "reply line over 512", 0, false, false, STEPS(
	    HELLO, C("NOOP"), S("250 " X100 X100 X100 X100 X100 X100), BYE),
	    WANT([CHECK_LINE_TOO_LONG] = 1),
	    { { CHECK_LINE_TOO_LONG, 7, "reply-line", SEV_NONE } }, NULL },

	/* ---- TURN */
	{ "TURN 250 swaps the roles", 0, false, false, STEPS(
	    HELLO, C("TURN"), S("250 ok, turning"),
	    C("220 client.example ready"), S("EHLO mx.example"),
	    C("250 client.example"), S("MAIL FROM:<x@example.net>"),
	    C("250 ok"), S("QUIT"), C("221 bye")),
	    NONE, { { 0 } }, NULL },

	{ "TURN refused keeps the roles", 0, false, false, STEPS(
	    HELLO, C("TURN"), S("502 5.5.1 not implemented"),
	    C("NOOP"), S("250 ok"), BYE),
	    NONE, { { 0 } }, NULL },
};

/* ---- the harness */

#define CAP_MAX	64

struct capture {
	size_t		 n;
	struct {
		enum check_id	 check;
		unsigned long	 line;
		enum severity	 severity;
		char		 detail[48];
	} f[CAP_MAX];
};

static void
cap_finding(struct report *rep, const struct finding *f)
{
	struct capture *c = rep->priv;

	ck_assert_int_lt(f->check, CHECK_N);
	ck_assert_ptr_nonnull(f->session);
	if (c->n < CAP_MAX) {
		c->f[c->n].check = f->check;
		c->f[c->n].line = f->line;
		c->f[c->n].severity = f->severity;
		snprintf(c->f[c->n].detail, sizeof(c->f[c->n].detail), "%s",
		    f->detail ? f->detail : "");
	}
	c->n++;
}

static const struct report_ops cap_ops = { cap_finding, NULL };

/* Run DLG; fill FX (counts) and CAP (each finding). */
static void
run_dialogue(const struct dialogue *dlg, const struct rules *r,
    struct findings *fx, struct capture *cap)
{
	struct report rep;
	struct stats st;
	struct smtp_env env;
	struct smtp *s;
	const struct step *p;
	unsigned long line = 0;
	bool ended = false;

	memset(&rep, 0, sizeof(rep));
	memset(&st, 0, sizeof(st));
	memset(cap, 0, sizeof(*cap));
	rep.ops = &cap_ops;
	rep.rules = r;
	rep.priv = cap;
	findings_init(fx, r, &rep, SEV_INFO, dlg->strict);
	env.rules = r;
	env.findings = fx;
	env.stats = &st;
	env.statq = NULL;
	s = smtp_new(&env, "test", 1, dlg->flags);
	for (p = dlg->steps; p->side != 0; p++) {
		struct event ev;

		line++;
		ck_assert_msg(!ended, "%s: step after END", dlg->name);
		switch (p->side) {
		case 'C':
		case 'S':
			ev = event_make(p->side == 'C' ? EV_CLIENT : EV_SERVER,
			    line);
			ev.text = p->text;
			ev.len = strlen(p->text);
			ev.eol = p->eol;
			ev.has_bare_cr = memchr(p->text, '\r', ev.len) != NULL;
			break;
		case 'T':
			ev = event_make(EV_TLS, line);
			break;
		case 'G':
			ev = event_make(EV_GAP, line);
			break;
		case 'E':
			smtp_end(s, true);
			ended = true;
			continue;
		default:
			ck_abort_msg("%s: bad step side '%c'", dlg->name,
			    p->side);
		}
		ev.flags = dlg->flags;
		smtp_event(s, "test.txt", &ev);
	}
	if (!ended)
		smtp_end(s, false);
	smtp_free(s);
}

static void
dump_findings(const struct capture *cap, char *buf, size_t sz)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < cap->n && i < CAP_MAX && off < sz; i++)
		off += (size_t)snprintf(buf + off, sz - off, "\n  line %lu %s (%s) %s",
		    cap->f[i].line, check_id_name(cap->f[i].check),
		    severity_name(cap->f[i].severity), cap->f[i].detail);
}

START_TEST(test_smtp_dialogue)
{
	const struct dialogue *dlg = &dialogues[_i];
	struct rules *r = tu_rules();
	struct findings fx;
	struct capture cap;
	char all[4096];
	size_t i, k;
	int c;

	run_dialogue(dlg, r, &fx, &cap);
	dump_findings(&cap, all, sizeof(all));
	if (dlg->bug != NULL)
		fprintf(stderr, "%s: KNOWN BUG (for the lead): %s\n",
		    dlg->name, dlg->bug);
	for (c = 0; c < CHECK_N; c++) {
		if (c == CHECK_REPLY_EXPLAINED && !dlg->care_explained)
			continue;
		ck_assert_msg(fx.by_rule[c] == dlg->want[c],
		    "%s: %s: %lu findings, want %lu; all findings:%s",
		    dlg->name, check_id_name((enum check_id)c), fx.by_rule[c],
		    dlg->want[c], all);
	}
	/* The count in by_rule and the findings the reporter saw agree
	 * (everything is shown at --min-severity info). */
	ck_assert_uint_eq(fx.hidden, 0);
	for (i = 0; i < TU_NELEM(dlg->at) && dlg->at[i].line != 0; i++) {
		const struct at *a = &dlg->at[i];

		for (k = 0; k < cap.n && k < CAP_MAX; k++)
			if (cap.f[k].check == a->check)
				break;
		ck_assert_msg(k < cap.n, "%s: no %s", dlg->name,
		    check_id_name(a->check));
		ck_assert_msg(cap.f[k].line == a->line,
		    "%s: %s on line %lu, want %lu", dlg->name,
		    check_id_name(a->check), cap.f[k].line, a->line);
		if (a->detail != NULL)
			ck_assert_msg(strcmp(cap.f[k].detail, a->detail) == 0,
			    "%s: %s detail '%s', want '%s'", dlg->name,
			    check_id_name(a->check), cap.f[k].detail,
			    a->detail);
		if (a->severity != SEV_NONE)
			ck_assert_msg(cap.f[k].severity == a->severity,
			    "%s: %s severity %s, want %s", dlg->name,
			    check_id_name(a->check),
			    severity_name(cap.f[k].severity),
			    severity_name(a->severity));
	}
	rules_free(r);
}
END_TEST

/* --min-severity hides but still counts; the worst severity is kept. */
START_TEST(test_smtp_min_severity)
{
	const struct dialogue d = { "hidden", 0, false, false, STEPS(
	    S("250 hello"), C("NOOP"), S("500 what?"), BYE), NONE, { { 0 } },
	    NULL };
	struct rules *r = tu_rules();
	struct report rep;
	struct capture cap;
	struct findings fx;
	struct stats st;
	struct smtp_env env = { r, &fx, &st, NULL };
	struct smtp *s;
	const struct step *p;
	unsigned long line = 0;

	memset(&rep, 0, sizeof(rep));
	memset(&st, 0, sizeof(st));
	memset(&cap, 0, sizeof(cap));
	rep.ops = &cap_ops;
	rep.priv = &cap;
	findings_init(&fx, r, &rep, SEV_ERROR, false);
	s = smtp_new(&env, "t", 1, 0);
	for (p = d.steps; p->side != 0; p++) {
		struct event ev = event_make(p->side == 'C' ? EV_CLIENT :
		    EV_SERVER, ++line);

		ev.text = p->text;
		ev.len = strlen(p->text);
		ev.eol = EOL_CRLF;
		smtp_event(s, "t", &ev);
	}
	smtp_end(s, false);
	smtp_free(s);
	/* bad-greeting (error) shown; reply-explained (info) hidden */
	ck_assert_uint_eq(fx.by_rule[CHECK_BAD_GREETING], 1);
	ck_assert_uint_eq(fx.by_rule[CHECK_REPLY_EXPLAINED], 1);
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_int_eq(cap.f[0].check, CHECK_BAD_GREETING);
	ck_assert_uint_eq(fx.hidden, 1);
	ck_assert_int_eq(fx.worst, SEV_ERROR);
	ck_assert_uint_eq(fx.by_severity[SEV_INFO], 1);
	ck_assert_uint_eq(st.commands, 2);
	ck_assert_uint_eq(st.replies, 3);
	ck_assert_uint_eq(st.replies_by_code[500], 1);
	rules_free(r);
}
END_TEST

/* A severity lowered in the rules applies to the findings. */
START_TEST(test_smtp_rules_severity)
{
	static const char over[] =
	    "checks:\n"
	    "  bad-greeting:\n"
	    "    severity: notice\n"
	    "    fault: server\n"
	    "    message: {en: \"m\", de: \"m\"}\n"
	    "    explanation: {en: \"e\", de: \"e\"}\n"
	    "    hint: {en: \"h\", de: \"h\"}\n";
	struct rules *r = rules_new();
	struct findings fx;
	struct capture cap;
	const struct dialogue d = { "lowered", 0, false, false, STEPS(
	    S("250 hello"), C("QUIT"), S("221 bye")), NONE, { { 0 } }, NULL };

	ck_assert(rules_load_embedded(r));
	ck_assert(rules_load_buffer(r, "checks.yaml", over, strlen(over)));
	ck_assert(rules_finish(r));
	run_dialogue(&d, r, &fx, &cap);
	ck_assert_uint_eq(fx.by_rule[CHECK_BAD_GREETING], 1);
	ck_assert_int_eq(cap.f[0].severity, SEV_NOTICE);
	ck_assert_int_eq(fx.worst, SEV_NOTICE);
	rules_free(r);
}
END_TEST

static Suite *
smtp_suite(void)
{
	Suite *s = suite_create("smtp");
	TCase *tc;

	tc = tcase_create("dialogues");
	tcase_add_loop_test(tc, test_smtp_dialogue, 0,
	    (int)TU_NELEM(dialogues));
	suite_add_tcase(s, tc);
	tc = tcase_create("findings");
	tcase_add_test(tc, test_smtp_min_severity);
	tcase_add_test(tc, test_smtp_rules_severity);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(smtp_suite());
}
