#include <ctype.h>
#include <string.h>

#include "command.h"

bool
command_eq(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0' ||
		    toupper((unsigned char)s[i]) != toupper((unsigned char)word[i]))
			return false;
	return word[len] == '\0';
}

bool
command_word(const char *s, size_t len, size_t *pos, const char **w,
    size_t *wlen)
{
	size_t i = *pos, b;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= len)
		return false;
	b = i;
	while (i < len && s[i] != ' ' && s[i] != '\t')
		i++;
	*w = s + b;
	*wlen = i - b;
	*pos = i;
	return true;
}

/*
 * RFC 5321 4.1.1.2/4.1.1.3: "MAIL FROM:" Reverse-path [SP Mail-parameters].
 * Paths may hold quoted local parts with spaces and '>' ("a b"@x); find the
 * '>' that closes the path outside quotes.  Tolerate "FROM: <a@b>".
 */
static void
command_path(struct command *c)
{
	const char *a = c->arg, *colon;
	size_t n = c->arglen, i;
	bool quoted = false;

	if ((colon = memchr(a, ':', n)) == NULL)
		return;
	i = (size_t)(colon - a) + 1;
	while (i < n && a[i] == ' ')
		i++;
	if (i < n && a[i] == '<') {
		for (i++; i < n; i++) {
			if (a[i] == '\\' && quoted && i + 1 < n)
				i++;
			else if (a[i] == '"')
				quoted = !quoted;
			else if (a[i] == '>' && !quoted)
				break;
		}
		if (i < n)
			i++;
	} else {
		while (i < n && a[i] != ' ')
			i++;
	}
	c->params = a + i;
	c->paramslen = n - i;
}

void
command_split(const char *s, size_t len, struct command *c)
{
	size_t i = 0;

	memset(c, 0, sizeof(*c));
	while (i < len && s[i] != ' ' && s[i] != '\t')
		i++;
	c->verb = s;
	c->verblen = i;
	if (i < len)
		i++;
	c->arg = s + i;
	c->arglen = len - i;
	if (command_eq(c->verb, c->verblen, "MAIL") ||
	    command_eq(c->verb, c->verblen, "RCPT") ||
	    command_eq(c->verb, c->verblen, "SEND") ||
	    command_eq(c->verb, c->verblen, "SOML") ||
	    command_eq(c->verb, c->verblen, "SAML"))
		command_path(c);
}

bool
command_param(const struct command *c, const char *name, const char **val,
    size_t *vallen)
{
	size_t pos = 0, wlen, nlen = strlen(name);
	const char *w;

	while (command_word(c->params, c->paramslen, &pos, &w, &wlen)) {
		size_t k = 0;

		while (k < wlen && w[k] != '=')
			k++;
		if (k == nlen && command_eq(w, k, name)) {
			*val = k < wlen ? w + k + 1 : w + k;
			*vallen = k < wlen ? wlen - k - 1 : 0;
			return true;
		}
	}
	return false;
}
