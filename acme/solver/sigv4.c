/*
 * AWS Signature Version 4, for Route 53 and STS: canonical request,
 * string to sign, signing key, Authorization.  The rules for services
 * other than S3: the path normalised (dot segments and empty segments
 * removed) and each segment encoded; query parameters decoded, encoded
 * again and sorted; header names lower case, values trimmed with inner
 * runs of spaces made one, repeated headers joined with commas.
 */

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/solver/sigv4.h"
#include "crypto/digest.h"
#include "crypto/err.h"

#define ALG "AWS4-HMAC-SHA256"

/* Append s[0..n) percent-encoded: all but A-Z a-z 0-9 - . _ ~ (and /). */
static void
encode(struct buf *b, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	char esc[3];
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~' || (keep_slash && c == '/')) {
			buf_add(b, &s[i], 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		buf_add(b, esc, 3);
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s[0..n) percent-decoded (a malformed escape is kept as it is). */
static char *
decode(const char *s, size_t n)
{
	struct buf b = { 0 };
	char c;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			buf_add(&b, &c, 1);
			i += 2;
		} else {
			buf_add(&b, &s[i], 1);
		}
	}
	buf_add(&b, "", 1);
	return b.data;
}

/* The path normalised (RFC 3986 dot segments, no empty ones), encoded. */
static void
canonical_path(struct buf *b, const char *path)
{
	struct strlist segs = { 0 };
	const char *p = path, *end;
	size_t i, n;

	while (*p != '\0') {
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == 2 && strncmp(p, "..", 2) == 0) {
			if (segs.n > 0)
				free(segs.v[--segs.n]);
		} else if (n > 0 && !(n == 1 && *p == '.')) {
			char *seg = util_strndup(p, n);

			strlist_add(&segs, seg);
			free(seg);
		}
		p += n + (end != NULL);
	}
	for (i = 0; i < segs.n; i++) {
		buf_add(b, "/", 1);
		encode(b, segs.v[i], strlen(segs.v[i]), false);
	}
	n = strlen(path);
	if (segs.n == 0 || (n > 0 && path[n - 1] == '/'))
		buf_add(b, "/", 1);
	strlist_free(&segs);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The query's parameters, each decoded and encoded again, sorted. */
static void
canonical_query(struct buf *b, const char *query)
{
	struct strlist params = { 0 };
	struct buf one = { 0 };
	const char *p = query, *end, *eq;
	char *k, *v;
	size_t i, n;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', n);
		k = decode(p, eq != NULL ? (size_t)(eq - p) : n);
		v = decode(eq != NULL ? eq + 1 : "", eq != NULL ?
		    n - (size_t)(eq - p) - 1 : 0);
		if (n > 0) {
			/* \1 sorts before any encoded byte: by name first. */
			encode(&one, k, strlen(k), false);
			buf_add(&one, "\1", 1);
			encode(&one, v, strlen(v), false);
			buf_add(&one, "", 1);
			strlist_add(&params, one.data);
			buf_free(&one);
		}
		free(k);
		free(v);
		p = end != NULL ? end + 1 : NULL;
	}
	/* Sorted by encoded name, then by value. */
	if (params.n > 1)
		qsort(params.v, params.n, sizeof(*params.v), cmp_str);
	for (i = 0; i < params.n; i++) {
		if (i > 0)
			buf_add(b, "&", 1);
		*strchr(params.v[i], '\1') = '=';
		buf_addstr(b, params.v[i]);
	}
	strlist_free(&params);
}

/* A header value trimmed, inner runs of spaces and tabs made one space. */
static void
add_value(struct buf *b, const char *v)
{
	bool space = false;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space)
			buf_add(b, " ", 1);
		space = false;
		buf_add(b, v, 1);
	}
}

/* "name:value\n" per header name (sorted), and the signed names. */
static void
canonical_headers(struct buf *b, struct buf *signed_names,
    const struct strlist *names, const struct strlist *values)
{
	struct strlist lower = { 0 };
	char *l, *p;
	size_t i, j;

	for (i = 0; i < names->n; i++) {
		l = util_strdup(names->v[i]);
		for (p = l; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!strlist_has(&lower, l))
			strlist_add(&lower, l);
		free(l);
	}
	qsort(lower.v, lower.n, sizeof(*lower.v), cmp_str);
	for (i = 0; i < lower.n; i++) {
		bool first = true;

		buf_addstr(b, lower.v[i]);
		buf_add(b, ":", 1);
		for (j = 0; j < names->n; j++) {
			if (strcasecmp(names->v[j], lower.v[i]) != 0)
				continue;
			if (!first)
				buf_add(b, ",", 1);
			add_value(b, values->v[j]);
			first = false;
		}
		buf_add(b, "\n", 1);
		if (i > 0)
			buf_add(signed_names, ";", 1);
		buf_addstr(signed_names, lower.v[i]);
	}
	buf_add(signed_names, "", 1);
	strlist_free(&lower);
}

static void
add_hex(struct buf *b, const unsigned char *d, size_t n)
{
	char h[3];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(h, sizeof(h), "%02x", d[i]);
		buf_add(b, h, 2);
	}
}

/* The signing key of key at date (yyyymmdd), into out (32 bytes). */
static int
signing_key(const struct sigv4_key *key, const char *date,
    unsigned char out[DIGEST_MAX])
{
	unsigned char k[DIGEST_MAX];
	char *secret = util_printf("AWS4%s", key->secret_key);
	int rc = -1;

	if (digest_hmac(DIGEST_SHA256, (unsigned char *)secret,
	    strlen(secret), date, strlen(date), k) < 0 ||
	    digest_hmac(DIGEST_SHA256, k, 32, key->region,
	    strlen(key->region), k) < 0 ||
	    digest_hmac(DIGEST_SHA256, k, 32, key->service,
	    strlen(key->service), k) < 0 ||
	    digest_hmac(DIGEST_SHA256, k, 32, "aws4_request", 12, out) < 0)
		goto out;
	rc = 0;
out:
	crypto_secret_free(secret, strlen(secret));
	explicit_bzero(k, sizeof(k));
	return rc;
}

int
sigv4_sign(const struct sigv4_req *req, const struct sigv4_key *key,
    const char *amzdate, char **authz, char **creq_out, char **sts_out)
{
	struct buf creq = { 0 }, sts = { 0 }, names = { 0 }, out = { 0 };
	unsigned char d[DIGEST_MAX], k[DIGEST_MAX];
	char date[9], *scope;
	int rc = -1;

	snprintf(date, sizeof(date), "%.8s", amzdate);
	scope = util_printf("%s/%s/%s/aws4_request", date, key->region,
	    key->service);
	buf_addstr(&creq, req->method);
	buf_add(&creq, "\n", 1);
	canonical_path(&creq, req->path);
	buf_add(&creq, "\n", 1);
	canonical_query(&creq, req->query);
	buf_add(&creq, "\n", 1);
	canonical_headers(&creq, &names, req->names, req->values);
	buf_add(&creq, "\n", 1);
	buf_addstr(&creq, names.data);
	buf_add(&creq, "\n", 1);
	if (digest_hash(DIGEST_SHA256, req->body ? req->body : "",
	    req->body_len, d) < 0)
		goto out;
	add_hex(&creq, d, 32);
	if (digest_hash(DIGEST_SHA256, creq.data, creq.len, d) < 0)
		goto out;
	buf_addstr(&sts, ALG "\n");
	buf_addstr(&sts, amzdate);
	buf_add(&sts, "\n", 1);
	buf_addstr(&sts, scope);
	buf_add(&sts, "\n", 1);
	add_hex(&sts, d, 32);
	if (signing_key(key, date, k) < 0 ||
	    digest_hmac(DIGEST_SHA256, k, 32, sts.data, sts.len, d) < 0)
		goto out;
	buf_addstr(&out, ALG " Credential=");
	buf_addstr(&out, key->access_key);
	buf_add(&out, "/", 1);
	buf_addstr(&out, scope);
	buf_addstr(&out, ", SignedHeaders=");
	buf_addstr(&out, names.data);
	buf_addstr(&out, ", Signature=");
	add_hex(&out, d, 32);
	buf_add(&out, "", 1);
	*authz = out.data;
	out.data = NULL;
	rc = 0;
out:
	explicit_bzero(k, sizeof(k));
	if (rc == 0 && creq_out != NULL) {
		buf_add(&creq, "", 1);
		*creq_out = creq.data;
		creq.data = NULL;
	}
	if (rc == 0 && sts_out != NULL) {
		buf_add(&sts, "", 1);
		*sts_out = sts.data;
		sts.data = NULL;
	}
	buf_free(&creq);
	buf_free(&sts);
	buf_free(&names);
	buf_free(&out);
	free(scope);
	return rc;
}
