/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * Names and values checked for the config and also for ad hoc flags: DNS
 * names, IP addresses, Kubernetes names, secret keys, durations.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/err.h"
#include "crypto/ident.h"


/* ---- validation helpers, also used for ad hoc flags ---- */

bool
config_valid_k8s_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 253 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(islower(c) || isdigit(c) || c == '-' || c == '.'))
			return false;
		if (c == '.' && (s[i + 1] == '.' || s[i + 1] == '-' ||
		    s[i - 1] == '-'))
			return false;
	}
	return true;
}

/* A Secret key: [-._a-zA-Z0-9]+, and not "." or "..". */
bool
cfgw_valid_secret_key(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 253 && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._") == n;
}

int
config_check_dns_name(const char *s, char **out)
{
	char *d, ipbuf[64];
	size_t i, n = strlen(s), label = 0;

	*out = NULL;
	if (n == 0 || n > 253) {
		util_seterr("is not a DNS name: it must be 1 to 253 characters");
		return -1;
	}
	if (ident_ip_canonical(s, ipbuf, sizeof(ipbuf)) == 0) {
		util_seterr("is an IP address: list it under ipAddresses");
		return -1;
	}
	d = util_strdup(s);
	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	i = 0;
	if (strncmp(d, "*.", 2) == 0)
		i = 2;
	if (d[i] == '\0' || d[n - 1] == '.')
		goto bad;
	for (; i <= n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || d[i - 1] == '-')
				goto bad;
			label = 0;
			continue;
		}
		if (!(isalnum(c) || (c == '-' && label > 0) || c == '_'))
			goto bad;
		label++;
	}
	*out = d;
	return 0;
bad:
	free(d);
	util_seterr("is not a valid DNS name (letters, digits and '-' in labels "
	    "of at most 63, optionally starting with '*.')");
	return -1;
}

int
config_check_ip(const char *s, char **out)
{
	char buf[64];

	*out = NULL;
	if (ident_ip_canonical(s, buf, sizeof(buf)) < 0) {
		util_seterr("is not an IPv4 or IPv6 address");
		return -1;
	}
	*out = util_strdup(buf);
	return 0;
}

int
config_parse_duration(const char *s, long long *seconds)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "ns", 1e-9 }, { "us", 1e-6 }, { "µs", 1e-6 },
		{ "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 } };
	double total = 0, v;
	char *end;
	size_t i, best, blen;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		v = strtod(s, &end);
		if (end == s)
			return -1;
		s = end;
		best = blen = 0;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);

			if (strncmp(s, units[i].unit, l) == 0 && l > blen) {
				best = i;
				blen = l;
			}
		}
		if (blen == 0)
			return -1;
		total += v * units[best].scale;
		s += blen;
	}
	if (total > 1e12)
		return -1;
	*seconds = (long long)total;
	return 0;
}

void
cfgw_duration(struct ld *ld, const yaml_node_t *n, const char *path,
    long long *out)
{
	if (!cfgw_is_str(ld, n, path))
		return;
	if (config_parse_duration(cfgw_scalar(n), out) < 0 || *out <= 0)
		cfgw_perr(ld, n, path, "'%s' is not a duration such as 2160h or "
		    "1h30m", log_esc(cfgw_scalar(n)));
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* The end of a placeholder that starts at p, or NULL if none does. */
static const char *
placeholder_end(const char *p)
{
	const char *q;
	size_t n;

	if (p[0] == '$' && p[1] == '{' && (isalpha((unsigned char)p[2]) ||
	    p[2] == '_'))
		return (q = strchr(p, '}')) != NULL ? q + 1 : NULL;
	if (p[0] == '$' && (isalpha((unsigned char)p[1]) || p[1] == '_'))
		return p + 1 + strspn(p + 1, ALNUM "_");
	if (p[0] == '{' && p[1] == '{')
		return (q = strstr(p, "}}")) != NULL ? q + 2 : NULL;
	/* <email>, never an address or URL in brackets (<ops@a.test>). */
	if (p[0] == '<' && isalpha((unsigned char)p[1])) {
		n = strcspn(p + 1, "<>@:\n");
		return p[1 + n] == '>' && n <= 64 ? p + 2 + n : NULL;
	}
	/* [Your_email], never [::1] or [fe80::1%eth0]. */
	if (p[0] == '[' && isalpha((unsigned char)p[1])) {
		n = strspn(p + 1, ALNUM "_ .-");
		return p[1 + n] == ']' ? p + 2 + n : NULL;
	}
	return NULL;
}

const char *
config_placeholder(const char *s, size_t *len)
{
	const char *end;

	for (; *s != '\0'; s++)
		if ((end = placeholder_end(s)) != NULL) {
			*len = (size_t)(end - s);
			return s;
		}
	*len = 0;
	return NULL;
}

/* RFC 5322 dot-atom: atext runs joined by single dots. */
static const char *
email_local_problem(const char *s, size_t n)
{
	static const char atext[] = ALNUM "!#$%&'*+-/=?^_`{|}~";
	size_t i;

	if (s[0] == '.' || s[n - 1] == '.')
		return "starts or ends with a dot before '@'";
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return "has two dots in a row before '@'";
		if (s[i] != '.' && strchr(atext, s[i]) == NULL)
			return "has a character an address cannot hold before "
			    "'@' (quote-free letters, digits and !#$%&'*+-/=?^_`{|}~)";
	}
	return n > 64 ? "has more than 64 characters before '@'" : NULL;
}

/* What Boulder asks of the domain: LDH labels, at least two, not an IP. */
static const char *
email_domain_problem(const char *d)
{
	size_t n = strlen(d), i, label = 0;

	if (strchr(d, '.') == NULL)
		return "needs a dot in its domain (a CA refuses ops@localhost)";
	if (d[n - 1] == '.')
		return "ends in a dot";
	for (i = 0; i <= n; i++) {
		if (d[i] == '.' || d[i] == '\0') {
			if (label == 0 || label > 63 || d[i - 1] == '-')
				break;
			label = 0;
		} else if (!(isalnum((unsigned char)d[i]) ||
		    (d[i] == '-' && label > 0)) || i >= 253) {
			break;
		} else {
			label++;
		}
	}
	if (i <= n || strspn(strrchr(d, '.') + 1, "0123456789") ==
	    strlen(strrchr(d, '.') + 1))
		return "is not a host name after '@' (letters, digits and '-' "
		    "in labels joined by dots)";
	return NULL;
}

int
config_check_email(const char *s, char **why)
{
	const char *at = strchr(s, '@'), *p = NULL;

	*why = NULL;
	if (*s == '\0')
		p = "is empty";
	else if (strncasecmp(s, "mailto:", 7) == 0)
		p = "is not an address: give the address alone, without mailto:";
	else if (strchr(s, '<') != NULL)
		p = "is not an address: give the address alone, without a name "
		    "or <>";
	else if (strpbrk(s, ",;") != NULL)
		p = "lists several: give one address";
	else if (strpbrk(s, " \t\r\n") != NULL)
		p = "has spaces";
	else if (at == NULL)
		p = "is not an e-mail address: it has no '@'";
	else if (strchr(at + 1, '@') != NULL)
		p = "has more than one '@'";
	else if (at == s)
		p = "has nothing before '@'";
	else if (at[1] == '\0')
		p = "has nothing after '@'";
	else if ((p = email_local_problem(s, (size_t)(at - s))) == NULL)
		p = email_domain_problem(at + 1);
	if (p == NULL)
		return 0;
	*why = util_strdup(p);
	return -1;
}
