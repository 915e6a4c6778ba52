/*
 * Akamai EdgeGrid, as Akamai documents it ("Authenticate with EdgeGrid",
 * techdocs.akamai.com/developer/docs/authenticate-with-edgegrid):
 *   signing key = base64(HMAC-SHA256(client_secret, timestamp))
 *   data to sign = method \t https \t host \t path?query \t headers
 *                  \t content hash \t the Authorization value so far
 *   signature = base64(HMAC-SHA256(signing key, data to sign))
 * Proven against Akamai's testcases.json in tests/unit/test_edgegrid.c.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/solver/edgegrid.h"
#include "acme/util.h"
#include "crypto/b64.h"
#include "crypto/digest.h"

/* Standard base64 with padding, from the base64url form crypto/ offers. */
static char *
b64_std(const unsigned char *p, size_t n)
{
	char *u = b64_url_encode(p, n), *s, *c;
	size_t l;

	if (u == NULL)
		return NULL;
	l = strlen(u);
	s = util_alloc(l + 3);
	memcpy(s, u, l);
	while (l % 4 != 0)
		s[l++] = '=';
	for (c = s; *c != '\0'; c++)
		*c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
	free(u);
	return s;
}

int
edgegrid_timestamp(time_t t, char out[23])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 23, "%Y%m%dT%H:%M:%S+0000", &tm) != 22) {
		util_seterr("edgegrid: cannot format the time");
		return -1;
	}
	return 0;
}

char *
edgegrid_signing_key(const char *secret, const char *timestamp)
{
	unsigned char k[DIGEST_MAX];
	char *s = NULL;

	if (digest_hmac(DIGEST_SHA256, (const unsigned char *)secret,
	    strlen(secret), timestamp, strlen(timestamp), k) == 0)
		s = b64_std(k, 32);
	explicit_bzero(k, sizeof(k));
	return s;
}

/* Trimmed, runs of white space folded to one space. */
static void
add_value(struct buf *b, const char *v)
{
	int space = 0;

	while (isspace((unsigned char)*v))
		v++;
	for (; *v != '\0'; v++) {
		if (isspace((unsigned char)*v)) {
			space = 1;
			continue;
		}
		if (space)
			buf_add(b, " ", 1);
		space = 0;
		buf_add(b, v, 1);
	}
}

/* Each of headers_to_sign present in the request: "name:value", \t. */
static void
canon_headers(struct buf *b, const struct edgegrid_req *r)
{
	const char *n;
	size_t i, j, k, first = 1;

	for (i = 0; i < r->nsign; i++) {
		for (j = 0; j < r->nheaders; j++)
			if (strcasecmp(r->headers[j].name,
			    r->headers_to_sign[i]) == 0)
				break;
		if (j == r->nheaders)
			continue;
		if (!first)
			buf_add(b, "\t", 1);
		first = 0;
		n = r->headers_to_sign[i];
		for (k = 0; n[k] != '\0'; k++) {
			char c = (char)tolower((unsigned char)n[k]);
			buf_add(b, &c, 1);
		}
		buf_add(b, ":", 1);
		add_value(b, r->headers[j].value);
	}
}

/* Only POST bodies are hashed, at most max_body bytes of them. */
static int
content_hash(struct buf *b, const struct edgegrid_req *r)
{
	unsigned char d[DIGEST_MAX];
	size_t max = r->max_body ? r->max_body : EDGEGRID_MAX_BODY;
	size_t n = r->body_len < max ? r->body_len : max;
	char *s;

	if (strcmp(r->method, "POST") != 0 || n == 0)
		return 0;
	if (digest_hash(DIGEST_SHA256, r->body, n, d) < 0 ||
	    (s = b64_std(d, 32)) == NULL)
		return -1;
	buf_addstr(b, s);
	free(s);
	return 0;
}

int
edgegrid_sign(const struct edgegrid_req *r, struct edgegrid_out *out)
{
	unsigned char sig[DIGEST_MAX];
	struct buf b = { 0 };
	char *prefix, *key = NULL, *s = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	prefix = util_printf("EG1-HMAC-SHA256 client_token=%s;access_token=%s;"
	    "timestamp=%s;nonce=%s;", r->client_token, r->access_token,
	    r->timestamp, r->nonce);
	buf_addstr(&b, r->method);
	buf_addstr(&b, "\thttps\t");
	buf_addstr(&b, r->host);
	buf_add(&b, "\t", 1);
	buf_addstr(&b, r->path_query);
	buf_add(&b, "\t", 1);
	canon_headers(&b, r);
	buf_add(&b, "\t", 1);
	if (content_hash(&b, r) < 0)
		goto out;
	buf_add(&b, "\t", 1);
	buf_addstr(&b, prefix);
	if ((key = edgegrid_signing_key(r->client_secret, r->timestamp)) ==
	    NULL || digest_hmac(DIGEST_SHA256, (unsigned char *)key,
	    strlen(key), b.data, b.len, sig) < 0 || (s = b64_std(sig, 32)) ==
	    NULL)
		goto out;
	out->authz = util_printf("%ssignature=%s", prefix, s);
	/* the part before the prefix is what Akamai's tests show */
	b.data[b.len - strlen(prefix)] = '\0';
	out->data_to_sign = b.data;
	b.data = NULL;
	rc = 0;
out:
	if (key != NULL)
		explicit_bzero(key, strlen(key));
	explicit_bzero(sig, sizeof(sig));
	free(key);
	free(s);
	free(prefix);
	buf_free(&b);
	return rc;
}

void
edgegrid_out_free(struct edgegrid_out *out)
{
	free(out->data_to_sign);
	free(out->authz);
	memset(out, 0, sizeof(*out));
}
