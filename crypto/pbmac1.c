/* PBMAC1 (RFC 9579) for PKCS#12, in go-pkcs12's encoding; see pbmac1.h. */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/internal.h"
#include "crypto/pbmac1.h"

#define PBMAC1_KEYLEN 32
#define PBMAC1_MAX_SALT 64

/* 1.2.840.113549.1.5.14, .5.12, .2.9: PBMAC1, PBKDF2, hmacWithSHA256. */
static const unsigned char oid_pbmac1[] = { 0x06, 0x09, 0x2a, 0x86, 0x48,
	0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0e };
static const unsigned char oid_pbkdf2[] = { 0x06, 0x09, 0x2a, 0x86, 0x48,
	0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c };
static const unsigned char alg_hmac_sha256[] = { 0x30, 0x0a, 0x06, 0x08,
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09 };

/* tag and length of n content octets. */
static void
head(struct crypto_buf *d, unsigned char tag, size_t n)
{
	unsigned char h[6];
	size_t k = 0, i;

	h[0] = tag;
	if (n < 0x80) {
		h[1] = (unsigned char)n;
		crypto_buf_add(d, h, 2);
		return;
	}
	for (i = n; i > 0; i >>= 8)
		k++;
	h[1] = (unsigned char)(0x80 | k);
	for (i = 0; i < k; i++)
		h[2 + i] = (unsigned char)(n >> (8 * (k - 1 - i)));
	crypto_buf_add(d, h, 2 + k);
}

/* Wrap what d holds as the content of one tag; d then holds the TLV. */
static void
wrap(struct crypto_buf *d, unsigned char tag)
{
	struct crypto_buf w = { 0 };

	head(&w, tag, d->len);
	crypto_buf_add(&w, d->p, d->len);
	w.bad |= d->bad;
	free(d->p);
	*d = w;
}

/* A small INTEGER (DER: no extra leading zero, a zero for the sign). */
static void
integer(struct crypto_buf *d, uint32_t v)
{
	unsigned char b[6];
	size_t n = 0, i;

	for (i = 0; i < 4; i++)
		if (n > 0 || (v >> (8 * (3 - i))) & 0xff)
			b[1 + n++] = (unsigned char)(v >> (8 * (3 - i)));
	if (n == 0 || b[1] & 0x80) {
		memmove(b + 1 + 1, b + 1, n);
		b[1] = 0;
		n++;
	}
	head(d, 0x02, n);
	crypto_buf_add(d, b + 1, n);
}

/*
 * One TLV at *p (below end): its tag, and *c, *clen its content; *p moves
 * past it.  Definite lengths only, as DER has them.
 */
static int
tlv(const unsigned char **p, const unsigned char *end, unsigned char *tag,
    const unsigned char **c, size_t *clen)
{
	size_t n, k, i;

	if (end - *p < 2)
		return -1;
	*tag = (*p)[0];
	n = (*p)[1];
	*p += 2;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k == 0 || k > 4 || (size_t)(end - *p) < k)
			return -1;
		for (n = 0, i = 0; i < k; i++)
			n = n << 8 | (*p)[i];
		*p += k;
	}
	if ((size_t)(end - *p) < n)
		return -1;
	*c = *p;
	*clen = n;
	*p += n;
	return 0;
}

/*
 * The version and authSafe of pfx (*body, *bodylen: their encoding) and
 * the authenticated safe the MAC covers (*msg, *msglen).
 */
static int
split(const unsigned char *pfx, size_t len, const unsigned char **body,
    size_t *bodylen, const unsigned char **msg, size_t *msglen)
{
	const unsigned char *p = pfx, *c, *ci, *end = pfx + len;
	size_t n, cin;
	unsigned char t;

	if (tlv(&p, end, &t, &c, &n) < 0 || t != 0x30 || p != end)
		return -1;
	*body = c;
	*bodylen = n;
	p = c;
	end = c + n;
	/* version, then ContentInfo {data, [0] {OCTET STRING}} */
	if (tlv(&p, end, &t, &c, &n) < 0 || t != 0x02 ||
	    tlv(&p, end, &t, &ci, &cin) < 0 || t != 0x30 || p != end)
		return -1;
	p = ci;
	end = ci + cin;
	if (tlv(&p, end, &t, &c, &n) < 0 || t != 0x06 ||
	    tlv(&p, end, &t, &c, &n) < 0 || t != 0xa0 || p != end)
		return -1;
	p = c;
	end = c + n;
	if (tlv(&p, end, &t, msg, msglen) < 0 || t != 0x04 || p != end)
		return -1;
	return 0;
}

/* MacData with the MAC mac, for salt and iter, appended to d. */
static void
mac_data(struct crypto_buf *d, const unsigned char *salt, size_t saltlen,
    int iter, const unsigned char *mac)
{
	struct crypto_buf k = { 0 }, a = { 0 };

	/* PBKDF2-params, then the KDF's AlgorithmIdentifier */
	head(&k, 0x04, saltlen);
	crypto_buf_add(&k, salt, saltlen);
	integer(&k, (uint32_t)iter);
	integer(&k, PBMAC1_KEYLEN);
	crypto_buf_add(&k, alg_hmac_sha256, sizeof(alg_hmac_sha256));
	wrap(&k, 0x30);
	crypto_buf_add(&a, oid_pbkdf2, sizeof(oid_pbkdf2));
	crypto_buf_add(&a, k.p, k.len);
	wrap(&a, 0x30);
	/* PBMAC1-params, the MAC's AlgorithmIdentifier, DigestInfo */
	crypto_buf_add(&a, alg_hmac_sha256, sizeof(alg_hmac_sha256));
	wrap(&a, 0x30);
	free(k.p);
	k = (struct crypto_buf){ 0 };
	crypto_buf_add(&k, oid_pbmac1, sizeof(oid_pbmac1));
	crypto_buf_add(&k, a.p, a.len);
	wrap(&k, 0x30);
	head(&k, 0x04, 32);
	crypto_buf_add(&k, mac, 32);
	wrap(&k, 0x30);
	/* macSalt empty, iterations 0: go-pkcs12's */
	crypto_buf_add(&k, "\x04\x00\x02\x01\x00", 5);
	wrap(&k, 0x30);
	crypto_buf_add(d, k.p, k.len);
	d->bad |= k.bad || a.bad;
	free(k.p);
	free(a.p);
}

int
pbmac1_seal(const unsigned char *pfx, size_t len, const char *pw,
    size_t pwlen, const unsigned char *salt, size_t saltlen, int iter,
    unsigned char **out, size_t *outlen)
{
	unsigned char key[PBMAC1_KEYLEN], mac[32], rnd[PBMAC1_MAX_SALT];
	const unsigned char *body, *msg;
	size_t bodylen, msglen, maclen = 0;
	struct crypto_buf d = { 0 };
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (split(pfx, len, &body, &bodylen, &msg, &msglen) < 0 ||
	    saltlen == 0 || saltlen > sizeof(rnd) || iter < 1) {
		crypto_seterr("cannot add a PBMAC1 MAC to that PKCS#12 file");
		return -1;
	}
	if (salt == NULL) {
		if (RAND_bytes(rnd, (int)saltlen) != 1)
			goto ossl;
		salt = rnd;
	}
	if (!PKCS5_PBKDF2_HMAC(pw, (int)pwlen, salt, (int)saltlen, iter,
	    EVP_sha256(), sizeof(key), key) ||
	    EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, sizeof(key),
	    msg, msglen, mac, sizeof(mac), &maclen) == NULL ||
	    maclen != sizeof(mac))
		goto ossl;
	crypto_buf_add(&d, body, bodylen);
	mac_data(&d, salt, saltlen, iter, mac);
	wrap(&d, 0x30);
	if (d.bad) {
		crypto_seterr("out of memory");
		goto out;
	}
	*out = d.p;
	*outlen = d.len;
	d.p = NULL;
	rc = 0;
	goto out;
ossl:
	crypto_ossl_err("cannot compute the PBMAC1 MAC");
out:
	OPENSSL_cleanse(key, sizeof(key));
	free(d.p);
	return rc;
}
