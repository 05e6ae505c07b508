/*
 * Timestamps, the syslog header and the time filter of the log adapters.
 * Timestamps are turned into seconds since the epoch without calling the C
 * library per line: UTC from the civil date by arithmetic, local time (no
 * zone in the log) through mktime() once per hour of the log.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "logfmt.h"

static long long logfmt_since = -1;	/* set once by main */
static long long logfmt_until = -1;

/* Local time conversions: the hour last converted. */
static struct {
	long		 key;		/* y*1000000 + m*10000 + d*100 + h, 0: none */
	long long	 base;		/* the epoch of that hour's start */
} logfmt_hour;

static long long logfmt_now = -1;	/* RFC 3164 year guess */
static int logfmt_year;

/*
 * NEEDLE in [P, P + LEN).  The needles are a few bytes of fixed text, many
 * starting with a blank or a comma that a line holds dozens of: with SSE2
 * sixteen places are tried at once, each by its first and its last byte,
 * and only where both match are the bytes between compared.
 */
const char *
logfmt_find(const char *p, size_t len, const char *needle, size_t nlen)
{
	const char *q, *end = p + len;

	if (nlen == 0)
		return p;
	if (len < nlen)
		return NULL;
#if defined(__SSE2__)
	if (nlen >= 2) {
		const __m128i first = _mm_set1_epi8(needle[0]);
		const __m128i last = _mm_set1_epi8(needle[nlen - 1]);
		unsigned m;

		/* Place q and its last byte q + nlen - 1, sixteen each. */
		for (q = p; (size_t)(end - q) >= nlen - 1 + 16; q += 16) {
			__m128i a = _mm_loadu_si128((const __m128i *)
			    (const void *)q);
			__m128i b = _mm_loadu_si128((const __m128i *)
			    (const void *)(q + nlen - 1));

			m = (unsigned)_mm_movemask_epi8(_mm_and_si128(
			    _mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
			for (; m != 0; m &= m - 1) {
				const char *c = q + __builtin_ctz(m);

				if (memcmp(c + 1, needle + 1, nlen - 2) == 0)
					return c;
			}
		}
		p = q;
		len = (size_t)(end - p);
	}
#endif
	while (len >= nlen && (q = memchr(p, needle[0], len - nlen + 1)) !=
	    NULL) {
		if (memcmp(q, needle, nlen) == 0)
			return q;
		p = q + 1;
		len = (size_t)(end - p);
	}
	return NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long
logfmt_days(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static long long
logfmt_utc(int y, int mo, int d, int h, int mi, int s)
{
	return logfmt_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static long long
logfmt_local(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;
	long key = (long)y * 1000000 + mo * 10000 + d * 100 + h;

	if (logfmt_hour.key != key) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_isdst = -1;
		logfmt_hour.base = (long long)mktime(&tm);
		logfmt_hour.key = key;
	}
	return logfmt_hour.base + mi * 60 + s;
}

static bool
logfmt_digits(const char *p, size_t n, int *v)
{
	size_t i;
	int x = 0;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return true;
}

/* Two digits at P, the commonest field of a timestamp. */
static inline bool
logfmt_2d(const char *p, int *v)
{
	unsigned a = (unsigned char)p[0] - '0', b = (unsigned char)p[1] - '0';

	if (a > 9 || b > 9)
		return false;
	*v = (int)(a * 10 + b);
	return true;
}

/*
 * The month named at P (LEN bytes): in English, as syslog writes it, or in
 * German, as journalctl writes it in a German locale ("Mär" in UTF-8,
 * "Mai", "Okt", "Dez"; the others are spelt alike).  1-12 and the bytes of
 * the name in *N, or 0.
 */
static int
logfmt_month(const char *p, size_t len, size_t *n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	*n = 3;
	if (len < 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (memcmp(p, months + 3 * i, 3) == 0)
			return i + 1;
	if (memcmp(p, "Mai", 3) == 0)
		return 5;
	if (memcmp(p, "Okt", 3) == 0)
		return 10;
	if (memcmp(p, "Dez", 3) == 0)
		return 12;
	if (len >= 4 && memcmp(p, "M\xc3\xa4r", 4) == 0) {
		*n = 4;
		return 3;
	}
	return 0;
}

/* "hh:mm:ss" at P. */
static bool
logfmt_hms(const char *p, int *h, int *mi, int *s)
{
	return p[2] == ':' && p[5] == ':' && logfmt_2d(p, h) &&
	    logfmt_2d(p + 3, mi) && logfmt_2d(p + 6, s) &&
	    *h < 24 && *mi < 60 && *s <= 60;
}

/* A timestamp's fields as written; zone: 'Z', '+' or '-' with zh:zm, or
 * 0 for local time. */
struct logfmt_stamp {
	int		 y, mo, d, h, mi, s, zh, zm;
	char		 zone;
	bool		 no_year;	/* RFC 3164 */
	long long	 epoch;		/* journald short-unix, else -1 */
};

/*
 * RFC 3164 4.1.2 "Mmm dd hh:mm:ss" at P (LEN bytes) into TS: the month as
 * logfmt_month reads it, the day padded with a blank (the RFC), with a zero
 * or not at all ("Nov 8 05:26:24", as some collectors rewrite it).  Its
 * length, 0 if P holds none.
 */
static size_t
logfmt_3164(const char *p, size_t len, struct logfmt_stamp *ts)
{
	size_t i;

	if ((ts->mo = logfmt_month(p, len, &i)) == 0 || i + 10 > len ||
	    p[i] != ' ')
		return 0;
	i++;
	if (p[i] == ' ' && logfmt_digits(p + i + 1, 1, &ts->d))
		i += 2;
	else if (logfmt_2d(p + i, &ts->d))
		i += 2;
	else if (logfmt_digits(p + i, 1, &ts->d) && p[i + 1] == ' ')
		i++;
	else
		return 0;
	if (ts->d < 1 || i + 9 > len || p[i] != ' ' ||
	    !logfmt_hms(p + i + 1, &ts->h, &ts->mi, &ts->s))
		return 0;
	return i + 9;
}

/* journalctl -o short-full's zone: "UTC", "CET", "+0100"; its length,
 * 0 if P holds none. */
static size_t
logfmt_zone_word(const char *p, size_t len, struct logfmt_stamp *ts)
{
	size_t i;

	if (len >= 5 && (p[0] == '+' || p[0] == '-') &&
	    logfmt_2d(p + 1, &ts->zh) && logfmt_2d(p + 3, &ts->zm) &&
	    (len == 5 || p[5] == ' ')) {
		ts->zone = p[0];
		return 5;
	}
	for (i = 0; i < len && i < 6 && p[i] >= 'A' && p[i] <= 'Z'; i++)
		;
	if (i < 2 || (i < len && p[i] != ' '))
		return 0;
	if (i == 3 && (memcmp(p, "UTC", 3) == 0 || memcmp(p, "GMT", 3) == 0))
		ts->zone = 'Z';
	/* else an abbreviation such as CET: local time */
	return i;
}

/*
 * What comes before a syslog line's timestamp when a collector keeps the
 * message as sent: the priority, "<PRI>" (RFC 3164 4.1.1, RFC 5424 6.2.1;
 * at most 191), and after it RFC 5424's version "1 ".  Its length, 0 when
 * there is none; *IS_5424 tells which.
 */
static size_t
logfmt_pri(const char *p, size_t len, bool *is_5424)
{
	size_t i;
	int v = 0;

	*is_5424 = false;
	if (len < 3 || p[0] != '<')
		return 0;
	for (i = 1; i < len && i < 5 && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (p[i] - '0');
	if (i == 1 || i == len || p[i] != '>' || v > 191)
		return 0;
	i++;
	if (len - i >= 2 && p[i] == '1' && p[i + 1] == ' ') {
		*is_5424 = true;
		i += 2;
	}
	return i;
}

/* Read the timestamp at P into *TS; its length in *USED. */
static bool
logfmt_stamp1(const char *p, size_t len, struct logfmt_stamp *ts, size_t *used)
{
	size_t i;

	ts->zh = ts->zm = 0;
	ts->zone = 0;
	ts->no_year = false;
	ts->epoch = -1;
	/* journalctl -o short-full: "Sun 2026-11-22 10:00:00 CET" */
	if (len >= 25 && p[0] >= 'A' && p[0] <= 'Z' && p[3] == ' ' &&
	    p[8] == '-' && p[14] == ' ' && p[23] == ' ') {
		if (!logfmt_digits(p + 4, 4, &ts->y) ||
		    !logfmt_2d(p + 9, &ts->mo) || p[11] != '-' ||
		    !logfmt_2d(p + 12, &ts->d) ||
		    !logfmt_hms(p + 15, &ts->h, &ts->mi, &ts->s) ||
		    ts->mo < 1 || ts->mo > 12 || ts->d < 1 || ts->d > 31 ||
		    (i = logfmt_zone_word(p + 24, len - 24, ts)) == 0)
			return false;
		*used = 24 + i;
		return true;
	}
	/* journalctl -o short-unix: "1763805600.123456" */
	if (len >= 12 && p[0] >= '1' && p[0] <= '9' && p[4] != '-') {
		long long e = 0;

		for (i = 0; i < len && i < 12 && p[i] >= '0' && p[i] <= '9';
		    i++)
			e = e * 10 + (p[i] - '0');
		if (i < 9 || i == len || p[i] != '.')
			return false;
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			;
		ts->epoch = e;
		*used = i;
		return true;
	}
	if (len >= 14 && p[0] >= 'A' && p[0] <= 'Z') {
		if ((i = logfmt_3164(p, len, ts)) == 0)
			return false;
		ts->no_year = true;
		*used = i;
		return true;
	}
	/* RFC 3339 5.6 (and journald short-iso, Exim) */
	if (len < 19 || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != ' ') || !logfmt_digits(p, 4, &ts->y) ||
	    !logfmt_2d(p + 5, &ts->mo) || !logfmt_2d(p + 8, &ts->d) ||
	    !logfmt_hms(p + 11, &ts->h, &ts->mi, &ts->s) || ts->mo < 1 ||
	    ts->mo > 12 || ts->d < 1 || ts->d > 31)
		return false;
	i = 19;
	if (i < len && (p[i] == '.' || p[i] == ','))
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			;
	/* Exim writes its zone after a blank (log_timezone). */
	if (p[10] == ' ' && i + 5 < len && p[i] == ' ' &&
	    (p[i + 1] == '+' || p[i + 1] == '-') &&
	    logfmt_digits(p + i + 2, 4, &ts->zh))
		i++;
	if (i < len && (p[i] == 'Z' || p[i] == 'z')) {
		ts->zone = 'Z';
		*used = i + 1;
		return true;
	}
	if (i + 4 < len && (p[i] == '+' || p[i] == '-')) {
		ts->zone = p[i];
		if (!logfmt_digits(p + i + 1, 2, &ts->zh))
			return false;
		if (i + 5 < len && p[i + 3] == ':' &&
		    logfmt_digits(p + i + 4, 2, &ts->zm))
			i += 6;
		else if (logfmt_digits(p + i + 3, 2, &ts->zm))
			i += 5;
		else
			return false;
		*used = i;
		return true;
	}
	*used = i;
	return true;
}

/*
 * `docker compose logs` puts the service's name before each line:
 * "postfix-mailcow_1    | Dec 21 22:06:16 mail postfix/smtpd[430]: …"
 * (compose v2: "postfix-1  | …").  The prefix's length, 0 if none.
 */
static size_t
logfmt_compose(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 64 && ((p[i] >= 'a' && p[i] <= 'z') ||
	    (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
	    p[i] == '_' || p[i] == '-' || p[i] == '.'); i++)
		;
	if (i == 0 || i == len || p[i] != ' ')
		return 0;
	while (i < len && p[i] == ' ')
		i++;
	return i + 1 < len && p[i] == '|' && p[i + 1] == ' ' ? i + 2 : 0;
}

/* The same after a compose prefix and a syslog priority (logfmt_pri),
 * which *USED includes. */
static bool
logfmt_stamp(const char *p, size_t len, struct logfmt_stamp *ts, size_t *used)
{
	size_t pre, pri;
	bool is_5424;

	pre = p[0] >= '0' && p[0] <= '9' ? 0 : logfmt_compose(p, len);
	pri = logfmt_pri(p + pre, len - pre, &is_5424);
	if (!logfmt_stamp1(p + pre + pri, len - pre - pri, ts, used))
		return false;
	*used += pre + pri;
	return true;
}

bool
logfmt_time_len(const char *p, size_t len, size_t *used)
{
	struct logfmt_stamp ts;

	return logfmt_stamp(p, len, &ts, used);
}

bool
logfmt_time(const char *p, size_t len, long long *t, size_t *used)
{
	struct logfmt_stamp ts;

	if (!logfmt_stamp(p, len, &ts, used))
		return false;
	if (ts.epoch >= 0) {
		*t = ts.epoch;
		return true;
	}
	if (ts.no_year) {
		if (logfmt_now < 0) {
			struct tm tm;
			time_t now = time(NULL);

			localtime_r(&now, &tm);
			logfmt_now = (long long)now;
			logfmt_year = tm.tm_year + 1900;
		}
		/* No year: this year, unless that is more than a day ahead
		 * (the log spans New Year). */
		*t = logfmt_local(logfmt_year, ts.mo, ts.d, ts.h, ts.mi, ts.s);
		if (*t > logfmt_now + 86400)
			*t = logfmt_local(logfmt_year - 1, ts.mo, ts.d, ts.h,
			    ts.mi, ts.s);
		return true;
	}
	if (ts.zone == 0)
		*t = logfmt_local(ts.y, ts.mo, ts.d, ts.h, ts.mi, ts.s);
	else
		*t = logfmt_utc(ts.y, ts.mo, ts.d, ts.h, ts.mi, ts.s) -
		    (ts.zone == '-' ? -1 : ts.zone == '+' ? 1 : 0) *
		    (ts.zh * 3600 + ts.zm * 60);
	return true;
}

bool
logfmt_parse_when(const char *s, bool is_until, long long *t)
{
	struct tm tm;
	time_t now;
	size_t used, len = strlen(s);
	int y, mo, d;

	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		now = time(NULL);
		localtime_r(&now, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if (s[0] == 'y')
			tm.tm_mday--;
		if (is_until)
			tm.tm_mday++;
		*t = (long long)mktime(&tm);
		return true;
	}
	if (len == 10 && s[4] == '-' && s[7] == '-' &&
	    logfmt_digits(s, 4, &y) && logfmt_digits(s + 5, 2, &mo) &&
	    logfmt_digits(s + 8, 2, &d) && mo >= 1 && mo <= 12 && d >= 1 &&
	    d <= 31) {
		*t = logfmt_local(y, mo, d + (is_until ? 1 : 0), 0, 0, 0);
		if (is_until)	/* mktime normalises day 32 */
			logfmt_hour.key = 0;
		return true;
	}
	if (len == 16 && (s[10] == 'T' || s[10] == ' ')) {
		char buf[20];

		/* "YYYY-MM-DDTHH:MM": seconds 00 */
		memcpy(buf, s, 16);
		memcpy(buf + 16, ":00", 4);
		return logfmt_time(buf, 19, t, &used) && used == 19;
	}
	return logfmt_time(s, len, t, &used) && used == len;
}

void
logfmt_set_range(long long since, long long until)
{
	logfmt_since = since;
	logfmt_until = until;
}

bool
logfmt_has_range(void)
{
	return logfmt_since >= 0 || logfmt_until >= 0;
}

bool
logfmt_is_outside(const char *p, size_t len)
{
	long long t;
	size_t used;

	if (!logfmt_time(p, len, &t, &used))
		return false;
	if (logfmt_since >= 0 && t < logfmt_since)
		return true;
	/* --until is exclusive: a day's end is the next day's start. */
	return logfmt_until >= 0 && t >= logfmt_until;
}

/* The next field of an RFC 5424 header at *P, up to a blank; false when
 * there is none. */
static bool
logfmt_field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *q;

	if (*p >= end || (q = logfmt_chr(*p, end, ' ')) == NULL || q == *p)
		return false;
	*f = *p;
	*n = (size_t)(q - *p);
	*p = q + 1;
	return true;
}

/*
 * RFC 5424 6: after "<PRI>1 ", "TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
 * STRUCTURED-DATA [MSG]", NILVALUE "-" for any of them.  The key is
 * "HOSTNAME APP-NAME PROCID", as the pid names a process in RFC 3164's.
 */
static bool
logfmt_syslog5424(const char *p, const char *end, struct logfmt_syslog *sl)
{
	const char *f, *procid;
	size_t n, procidlen;
	bool in_quote;

	if (!logfmt_field(&p, end, &f, &n) ||		/* TIMESTAMP */
	    !logfmt_field(&p, end, &sl->host, &sl->hostlen) ||
	    !logfmt_field(&p, end, &sl->prog, &sl->proglen) ||
	    !logfmt_field(&p, end, &procid, &procidlen) ||
	    !logfmt_field(&p, end, &f, &n))		/* MSGID */
		return false;
	/* STRUCTURED-DATA: "-", or elements "[id k="v" …]" whose values
	 * may hold blanks and escaped quotes (6.3.3). */
	if (p < end && *p == '-')
		p++;
	else {
		if (p >= end || *p != '[')
			return false;
		while (p < end && *p == '[') {
			for (in_quote = false, p++; p < end; p++) {
				if (in_quote && *p == '\\' && p + 1 < end)
					p++;
				else if (*p == '"')
					in_quote = !in_quote;
				else if (!in_quote && *p == ']')
					break;
			}
			if (p == end)
				return false;
			p++;
		}
	}
	if (p < end && *p != ' ')
		return false;
	if (p < end)
		p++;
	/* 6.4: a UTF-8 message may start with a byte order mark */
	if (end - p >= 3 && (unsigned char)p[0] == 0xef &&
	    (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		p += 3;
	sl->key = sl->host;
	sl->keylen = (size_t)(procid + procidlen - sl->host);
	sl->msg = p;
	sl->msglen = (size_t)(end - p);
	return true;
}

bool
logfmt_syslog(const char *p, size_t len, struct logfmt_syslog *sl)
{
	const char *end = p + len, *q, *tag, *br, *d;
	size_t n;
	bool is_5424, strict = false;

	/* A collector may keep the priority as sent (logfmt_pri). */
	if (len > 0 && p[0] == '<' && (n = logfmt_pri(p, len, &is_5424)) > 0) {
		if (is_5424)
			return logfmt_syslog5424(p + n, end, sl);
		p += n;
		len -= n;
	}
	/* The timestamp: RFC 3164 has a fixed width, RFC 3339 none;
	 * journalctl -o short-precise adds microseconds to RFC 3164's. */
	if (len > 16 && p[0] >= 'A' && p[0] <= 'Z' && p[3] == ' ' &&
	    p[6] == ' ' && p[9] == ':' && p[15] == ' ')
		q = p + 16;
	else if (len > 17 && p[0] >= 'A' && p[0] <= 'Z' && p[3] == ' ' &&
	    p[6] == ' ' && p[9] == ':' && p[15] == '.' && p[16] >= '0' &&
	    p[16] <= '9') {
		for (q = p + 17; q < end && *q >= '0' && *q <= '9'; q++)
			;
		if (q == end || *q != ' ')
			return false;
		q++;
	} else if (len > 20 && p[4] == '-' && p[10] == 'T' && p[13] == ':' &&
	    p[0] >= '0' && p[0] <= '9') {
		if ((q = logfmt_chr(p + 19, end, ' ')) == NULL)
			return false;
		q++;
	} else if (len > 4 && p[4] != '-' && logfmt_time_len(p, len, &n) &&
	    n < len && p[n] == ' ')
		q = p + n + 1;	/* journalctl short-full, short-unix */
	else if (len > 20 && p[4] == '-' && p[10] == ' ' && p[0] >= '0' &&
	    p[0] <= '9' && logfmt_time_len(p, len, &n) && n < len &&
	    p[n] == ' ') {
		/* "2026-11-22 19:01:02 host tag[pid]: ", a collector's
		 * template; Exim's own log starts so too, so the tag is
		 * held to syslog's shape below (no blank, a numeric pid). */
		q = p + n + 1;
		strict = true;
	} else if ((n = logfmt_compose(p, len)) > 0 && n < len &&
	    p[n] != ' ' && logfmt_compose(p + n, len - n) == 0)
		return logfmt_syslog(p + n, len - n, sl);
	else
		return false;
	sl->host = q;
	if ((q = logfmt_chr(q, end, ' ')) == NULL || q == sl->host)
		return false;
	sl->hostlen = (size_t)(q - sl->host);
	tag = ++q;
	/* No host: a container's log (docker logs, Mailu) has the tag
	 * right after the time, "2018-08-22T07:30:18.13Z postfix/smtp[137]:
	 * …".  A host name never ends in ':' nor holds '[' or '/'. */
	if (q[-2] == ':' && (memchr(sl->host, '[', sl->hostlen) != NULL ||
	    memchr(sl->host, '/', sl->hostlen) != NULL)) {
		tag = sl->host;
		sl->hostlen = 0;
	}
	/* RFC 3164 4.1.3: the TAG ends at '[' or ':'. */
	n = (size_t)(end - tag);
	if (n > 64)
		n = 64;
	/* One scan for both: the '[' of a pid comes before the ':'. */
	if ((q = scan_chr2(tag, tag + n, ':', '[')) == NULL || q == tag)
		return false;
	if (*q == '[') {
		br = q;
		if ((q = logfmt_chr(br, tag + n, ':')) == NULL)
			return false;
	} else
		br = NULL;
	if (br != NULL) {
		if (q[-1] != ']' || br == tag || q - br < 3)
			return false;
		sl->proglen = (size_t)(br - tag);
	} else
		sl->proglen = (size_t)(q - tag);
	if (strict) {
		if (memchr(tag, ' ', sl->proglen) != NULL)
			return false;
		if (br != NULL)
			for (d = br + 1; d < q - 1; d++)	/* "[pid]" */
				if (*d < '0' || *d > '9')
					return false;
	}
	sl->prog = tag;
	sl->key = sl->host;
	sl->keylen = (size_t)(q - sl->host);
	q++;
	if (q < end && *q == ' ')
		q++;
	sl->msg = q;
	sl->msglen = (size_t)(end - q);
	return true;
}
