/* base64 by hand: small, and strict in exactly the ways JOSE needs. */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/err.h"

static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* buf in the alphabet a; '=' padding to a multiple of 4 if pad. */
static char *
encode(const unsigned char *buf, size_t len, const char *a, bool pad)
{
	char *out, *p;
	size_t i;

	if (len > (SIZE_MAX - 4) / 4 * 3) {
		crypto_seterr("base64: input too large");
		return NULL;
	}
	if ((out = malloc(len / 3 * 4 + 5)) == NULL) {
		crypto_seterr("out of memory");
		return NULL;
	}
	p = out;
	for (i = 0; i + 2 < len; i += 3) {
		*p++ = a[buf[i] >> 2];
		*p++ = a[(buf[i] & 0x03) << 4 | buf[i + 1] >> 4];
		*p++ = a[(buf[i + 1] & 0x0f) << 2 | buf[i + 2] >> 6];
		*p++ = a[buf[i + 2] & 0x3f];
	}
	if (len - i == 1) {
		*p++ = a[buf[i] >> 2];
		*p++ = a[(buf[i] & 0x03) << 4];
		if (pad) {
			*p++ = '=';
			*p++ = '=';
		}
	} else if (len - i == 2) {
		*p++ = a[buf[i] >> 2];
		*p++ = a[(buf[i] & 0x03) << 4 | buf[i + 1] >> 4];
		*p++ = a[(buf[i + 1] & 0x0f) << 2];
		if (pad)
			*p++ = '=';
	}
	*p = '\0';
	return out;
}

char *
b64_url_encode(const unsigned char *buf, size_t len)
{
	return encode(buf, len, url_alphabet, false);
}

char *
b64_std_encode(const unsigned char *buf, size_t len)
{
	return encode(buf, len, std_alphabet, true);
}

/* The 6-bit value of c, or -1 if c is not in the alphabet. */
static int
sextet(unsigned char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

static int
decode(const char *s, size_t len, unsigned char **out, size_t *outlen,
    bool url)
{
	unsigned char *buf = NULL;
	unsigned int acc = 0;
	size_t i, n = 0, nchars = 0, npad = 0;
	int bits = 0, v;

	*out = NULL;
	*outlen = 0;
	if ((buf = malloc(len / 4 * 3 + 4)) == NULL) {
		crypto_seterr("out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!url && (c == '\n' || c == '\r' || c == ' ' || c == '\t'))
			continue;
		if (!url && c == '=') {
			npad++;
			continue;
		}
		if (npad > 0) {
			crypto_seterr("base64: data after '=' padding");
			goto fail;
		}
		if ((v = sextet(c, url)) < 0) {
			if (c == '=')
				crypto_seterr("base64url: padding ('=') is "
				    "not allowed");
			else
				crypto_seterr("base64%s: illegal character "
				    "at offset %zu", url ? "url" : "", i);
			goto fail;
		}
		acc = (acc << 6 | (unsigned int)v) & 0xffffff;
		bits += 6;
		nchars++;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* One leftover character cannot encode a whole byte. */
	if (nchars % 4 == 1) {
		crypto_seterr("base64%s: truncated input", url ? "url" : "");
		goto fail;
	}
	if (npad > 2 || (npad > 0 && (nchars + npad) % 4 != 0)) {
		crypto_seterr("base64: bad padding");
		goto fail;
	}
	/* Canonical encodings leave the unused low bits zero. */
	if ((acc & ((1u << bits) - 1)) != 0) {
		crypto_seterr("base64%s: non-canonical trailing bits",
		    url ? "url" : "");
		goto fail;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
fail:
	/* What was decoded so far may be part of a secret. */
	crypto_secret_free(buf, len / 4 * 3 + 4);
	return -1;
}

int
b64_url_decode(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	return decode(s, len, out, outlen, true);
}

int
b64_std_decode(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	return decode(s, len, out, outlen, false);
}
