/*
 * PBMAC1 (RFC 9579) for Modern2026 PKCS#12 files.  The verifier here uses
 * OpenSSL's primitives only and is checked first on RFC 9579's Appendix A.1
 * file (data/rfc9579-a1.p12, password "1234"); pbmac1_seal() must give
 * that file's MAC for its salt and iterations.
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto/pbmac1.h"
#include "tests/unit/unit.h"

/* One TLV at *p; its content in *c, *n; -1 if malformed. */
static int
tlv(const unsigned char **p, const unsigned char *end,
    const unsigned char **c, size_t *n)
{
	size_t len, k, i;

	if (end - *p < 2)
		return -1;
	len = (*p)[1];
	*p += 2;
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - *p) < k)
			return -1;
		for (len = 0, i = 0; i < k; i++)
			len = len << 8 | (*p)[i];
		*p += k;
	}
	if ((size_t)(end - *p) < len)
		return -1;
	*c = *p;
	*n = len;
	*p += len;
	return 0;
}

/*
 * The PFX's parts: the end of its authSafe (*macdata: where MacData
 * starts) and the authenticated safe's octets.
 */
static int
pfx_parts(const unsigned char *d, size_t len, const unsigned char **macdata,
    const unsigned char **msg, size_t *msglen)
{
	const unsigned char *p = d, *c, *ci, *x;
	size_t n, cin, xn;

	if (tlv(&p, d + len, &c, &n) < 0)
		return -1;
	p = c;
	if (tlv(&p, c + n, &x, &xn) < 0 || tlv(&p, c + n, &ci, &cin) < 0)
		return -1;
	*macdata = p;
	p = ci;
	if (tlv(&p, ci + cin, &x, &xn) < 0 || tlv(&p, ci + cin, &x, &xn) < 0)
		return -1;
	p = x;
	return tlv(&p, x + xn, msg, msglen);
}

bool
unit_pbmac1_verify(const unsigned char *d, size_t len, const char *pw)
{
	const unsigned char *p = d, *msg, *md, *q;
	const ASN1_OCTET_STRING *dig, *salt;
	const ASN1_INTEGER *iter;
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;
	const void *pv;
	ASN1_SEQUENCE_ANY *seq = NULL;
	X509_ALGOR *kdf = NULL, *mac = NULL;
	PBKDF2PARAM *kp = NULL;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
	unsigned char key[64], out[64];
	size_t msglen, outlen = 0;
	bool ok = false;
	int ptype, klen;

	if (p12 == NULL || pfx_parts(d, len, &md, &msg, &msglen) < 0)
		goto out;
	PKCS12_get0_mac(&dig, &alg, &salt, &iter, p12);
	X509_ALGOR_get0(&obj, &ptype, &pv, alg);
	if (OBJ_obj2nid(obj) != NID_pbmac1 || ptype != V_ASN1_SEQUENCE)
		goto out;
	q = ASN1_STRING_get0_data(pv);
	seq = d2i_ASN1_SEQUENCE_ANY(NULL, &q, ASN1_STRING_length(pv));
	if (seq == NULL || sk_ASN1_TYPE_num(seq) != 2)
		goto out;
	q = sk_ASN1_TYPE_value(seq, 0)->value.sequence->data;
	kdf = d2i_X509_ALGOR(NULL, &q,
	    sk_ASN1_TYPE_value(seq, 0)->value.sequence->length);
	q = sk_ASN1_TYPE_value(seq, 1)->value.sequence->data;
	mac = d2i_X509_ALGOR(NULL, &q,
	    sk_ASN1_TYPE_value(seq, 1)->value.sequence->length);
	if (kdf == NULL || mac == NULL ||
	    OBJ_obj2nid(kdf->algorithm) != NID_id_pbkdf2 ||
	    OBJ_obj2nid(mac->algorithm) != NID_hmacWithSHA256 ||
	    (kp = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
	    kdf->parameter)) == NULL || kp->keylength == NULL ||
	    kp->prf == NULL ||
	    OBJ_obj2nid(kp->prf->algorithm) != NID_hmacWithSHA256)
		goto out;
	klen = (int)ASN1_INTEGER_get(kp->keylength);
	if (klen < 20 || klen > 64 ||
	    !PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw),
	    kp->salt->value.octet_string->data,
	    kp->salt->value.octet_string->length,
	    (int)ASN1_INTEGER_get(kp->iter), EVP_sha256(), klen, key) ||
	    EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, (size_t)klen,
	    msg, msglen, out, sizeof(out), &outlen) == NULL)
		goto out;
	ok = outlen == (size_t)ASN1_STRING_length(dig) &&
	    memcmp(out, ASN1_STRING_get0_data(dig), outlen) == 0;
out:
	PBKDF2PARAM_free(kp);
	X509_ALGOR_free(kdf);
	X509_ALGOR_free(mac);
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	PKCS12_free(p12);
	return ok;
}

void
test_pbmac1_rfc9579(void)
{
	static const unsigned char salt[] = { 0x6f, 0x47, 0x3c, 0x38, 0xb0,
		0x2e, 0x31, 0x73 };
	const unsigned char *md, *msg, *md2, *msg2;
	unsigned char *d, *bare, *out = NULL, *rnd = NULL;
	size_t len, msglen, msglen2, barelen, outlen = 0, rndlen = 0;
	PKCS12 *p12;
	const ASN1_OCTET_STRING *dig, *ms;
	const ASN1_INTEGER *it;
	const unsigned char *p;

	d = (unsigned char *)unit_read("rfc9579-a1.p12", &len);
	/* The verifier, on the RFC's file. */
	CHECK(unit_pbmac1_verify(d, len, "1234"));
	CHECK(!unit_pbmac1_verify(d, len, "1235"));
	/* The same PFX without its MacData, sealed again. */
	REQUIRE(pfx_parts(d, len, &md, &msg, &msglen) == 0);
	barelen = (size_t)(md - d) - 4;
	bare = malloc(barelen + 4);
	bare[0] = 0x30;
	bare[1] = 0x82;
	bare[2] = (unsigned char)(barelen >> 8);
	bare[3] = (unsigned char)barelen;
	memcpy(bare + 4, d + 4, barelen);
	REQUIRE(d[1] == 0x82);
	REQUIRE(pbmac1_seal(bare, barelen + 4, "1234", 4, salt, sizeof(salt),
	    2048, &out, &outlen) == 0);
	CHECK(unit_pbmac1_verify(out, outlen, "1234"));
	REQUIRE(pfx_parts(out, outlen, &md2, &msg2, &msglen2) == 0);
	CHECK_MEM(msg2, msglen2, msg, msglen);
	p = out;
	p12 = d2i_PKCS12(NULL, &p, (long)outlen);
	REQUIRE(p12 != NULL);
	PKCS12_get0_mac(&dig, NULL, &ms, &it, p12);
	/* RFC 9579 A.1's MAC, for its salt, 2048 iterations and "1234" */
	CHECK_MEM(ASN1_STRING_get0_data(dig), (size_t)ASN1_STRING_length(dig),
	    "\x7a\xa5\x6d\x85\x39\xd7\x02\x36\x3f\x3b\xcd\x2e\xb8\x35\x45\xc6"
	    "\xdf\xa2\xb9\x69\x70\xe7\x14\x77\x2d\x22\x4e\x41\x7f\x89\x06\xdd",
	    32);
	/* go-pkcs12's MacData: macSalt empty, iterations 0 */
	CHECK(ASN1_STRING_length(ms) == 0);
	CHECK(it != NULL && ASN1_INTEGER_get(it) == 0);
	PKCS12_free(p12);
	/* A random salt: still verifies, and not with another password. */
	REQUIRE(pbmac1_seal(bare, barelen + 4, "1234", 4, NULL, 16, 2048,
	    &rnd, &rndlen) == 0);
	CHECK(unit_pbmac1_verify(rnd, rndlen, "1234"));
	CHECK(!unit_pbmac1_verify(rnd, rndlen, "4321"));
	free(rnd);
	/* Not a PFX: refused. */
	CHECK(pbmac1_seal(bare, 10, "1234", 4, NULL, 16, 2048, &rnd, &rndlen)
	    < 0 && rnd == NULL);
	free(out);
	free(bare);
	free(d);
}
