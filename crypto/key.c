/* Private keys: generate, load, save, sign.  Only OpenSSL's EVP API. */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/key.h"
#include "crypto/internal.h"

static const char *const curve_names[] = {
	[KEY_EC_P256] = "P-256",
	[KEY_EC_P384] = "P-384",
	[KEY_EC_P521] = "P-521",
};

/* Field size in bytes of an EC key type, 0 for the others. */
static size_t
ec_size(int type)
{
	switch (type) {
	case KEY_EC_P256:
		return 32;
	case KEY_EC_P384:
		return 48;
	case KEY_EC_P521:
		return 66;
	}
	return 0;
}

/*
 * Decide which of our key types pkey is, enforcing the rules every key
 * must meet whatever its source.  Returns the type or -1.
 */
static int
classify(EVP_PKEY *pkey)
{
	char group[64];
	size_t glen = 0;
	int bits;

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		bits = EVP_PKEY_get_bits(pkey);
		if (bits < KEY_RSA_MIN_BITS || bits > KEY_RSA_MAX_BITS) {
			crypto_seterr("RSA key of %d bits: use 2048 to 8192 "
			    "bits", bits);
			return -1;
		}
		return KEY_RSA;
	}
	if (EVP_PKEY_is_a(pkey, "EC")) {
		if (!EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    &glen)) {
			crypto_ossl_err("EC key without a named curve: use "
			    "P-256, P-384 or P-521");
			return -1;
		}
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0)
			return KEY_EC_P256;
		if (strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0)
			return KEY_EC_P384;
		if (strcmp(group, "secp521r1") == 0 ||
		    strcmp(group, "P-521") == 0)
			return KEY_EC_P521;
		crypto_seterr("EC key on curve %s: use P-256, P-384 or P-521",
		    group);
		return -1;
	}
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return KEY_ED25519;
	crypto_seterr("unsupported key type %s: use RSA, ECDSA (P-256, "
	    "P-384, P-521) or Ed25519", EVP_PKEY_get0_type_name(pkey) ?
	    EVP_PKEY_get0_type_name(pkey) : "(unknown)");
	return -1;
}

/* Wrap pkey (taking ownership) after classify(); NULL on failure. */
static struct key *
wrap(EVP_PKEY *pkey)
{
	struct key *key;
	int type;

	if ((type = classify(pkey)) < 0) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		crypto_seterr("out of memory");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	key->pkey = pkey;
	key->type = type;
	return key;
}

struct key *
crypto_key_wrap(EVP_PKEY *pkey)
{
	return wrap(pkey);
}

struct key *
key_generate(enum key_type type, int bits)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	const char *alg;

	alg = type == KEY_RSA ? "RSA" : type == KEY_ED25519 ? "ED25519" : "EC";
	if (type == KEY_RSA &&
	    (bits < KEY_RSA_MIN_BITS || bits > KEY_RSA_MAX_BITS)) {
		crypto_seterr("RSA key size %d: use 2048 to 8192", bits);
		return NULL;
	}
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0)
		goto fail;
	if (type == KEY_RSA && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) <= 0)
		goto fail;
	if (ec_size(type) != 0 &&
	    EVP_PKEY_CTX_set_group_name(ctx, curve_names[type]) <= 0)
		goto fail;
	if (EVP_PKEY_generate(ctx, &pkey) <= 0)
		goto fail;
	EVP_PKEY_CTX_free(ctx);
	return wrap(pkey);
fail:
	crypto_ossl_err("cannot generate %s key", alg);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return NULL;
}

static bool
has_substring(const char *buf, size_t len, const char *needle)
{
	size_t i, n = strlen(needle);

	for (i = 0; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return true;
	return false;
}

/* Never prompt: acmec runs from cron. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

struct key *
key_load_pem(const char *pem, size_t len)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;

	if (len > INT_MAX) {
		crypto_seterr("key file too large");
		return NULL;
	}
	if (has_substring(pem, len, "ENCRYPTED")) {
		crypto_seterr("the private key is encrypted; acmec needs it "
		    "unencrypted (openssl pkey -in KEY -out PLAIN)");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		crypto_ossl_err("out of memory");
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		crypto_ossl_err("not a PEM private key, or truncated");
		return NULL;
	}
	return wrap(pkey);
}

/* Append a big-endian unsigned integer to bld; bn is kept for freeing. */
static int
push_bn(OSSL_PARAM_BLD *bld, const char *name, const unsigned char *buf,
    size_t len, BIGNUM **bn)
{
	if (len == 0 || len > INT_MAX ||
	    (*bn = BN_bin2bn(buf, (int)len, NULL)) == NULL)
		return -1;
	return OSSL_PARAM_BLD_push_BN(bld, name, *bn) ? 0 : -1;
}

static EVP_PKEY *
ed25519_from_params(const struct key_params *p)
{
	EVP_PKEY *pkey = NULL;
	unsigned char pub[32];
	size_t publen = sizeof(pub);

	if (p->d != NULL) {
		if (p->dlen != 32)
			goto bad;
		pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL,
		    p->d, p->dlen);
		/* x, if given, must be the public half of d. */
		if (pkey != NULL && p->a != NULL &&
		    (!EVP_PKEY_get_raw_public_key(pkey, pub, &publen) ||
		    publen != p->alen || memcmp(pub, p->a, publen) != 0)) {
			EVP_PKEY_free(pkey);
			crypto_seterr("Ed25519 key: x does not match d");
			return NULL;
		}
	} else {
		if (p->alen != 32)
			goto bad;
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL,
		    p->a, p->alen);
	}
	if (pkey == NULL)
		crypto_ossl_err("bad Ed25519 key");
	return pkey;
bad:
	crypto_seterr("Ed25519 key: parameters must be 32 bytes");
	return NULL;
}

struct key *
key_from_params(const struct key_params *p)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *check = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = NULL, *e = NULL, *d = NULL;
	unsigned char *point = NULL;
	size_t fs = ec_size(p->type);
	int sel = p->d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;

	if (p->type == KEY_ED25519) {
		pkey = ed25519_from_params(p);
		return pkey != NULL ? wrap(pkey) : NULL;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto fail;
	if (p->type == KEY_RSA) {
		if (push_bn(bld, OSSL_PKEY_PARAM_RSA_N, p->a, p->alen, &n) ||
		    push_bn(bld, OSSL_PKEY_PARAM_RSA_E, p->b, p->blen, &e))
			goto fail;
		if (p->d != NULL &&
		    push_bn(bld, OSSL_PKEY_PARAM_RSA_D, p->d, p->dlen, &d))
			goto fail;
	} else {
		/* JWK coordinates are exactly the field size (RFC 7518). */
		if (p->alen != fs || p->blen != fs) {
			crypto_seterr("%s key: x and y must be %zu bytes",
			    curve_names[p->type], fs);
			goto out;
		}
		if ((point = malloc(1 + 2 * fs)) == NULL)
			goto fail;
		point[0] = 0x04; /* uncompressed */
		memcpy(point + 1, p->a, fs);
		memcpy(point + 1 + fs, p->b, fs);
		if (!OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, curve_names[p->type], 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * fs))
			goto fail;
		if (p->d != NULL &&
		    push_bn(bld, OSSL_PKEY_PARAM_PRIV_KEY, p->d, p->dlen, &d))
			goto fail;
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL,
	    p->type == KEY_RSA ? "RSA" : "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, sel, params) <= 0)
		goto fail;
	/* A point that is not on the curve (say, one from another curve). */
	if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_public_check(check) <= 0) {
		crypto_ossl_err("%s key: invalid public key",
		    p->type == KEY_RSA ? "RSA" : curve_names[p->type]);
		EVP_PKEY_free(pkey);
		pkey = NULL;
		goto out;
	}
	goto out;
fail:
	crypto_ossl_err("invalid %s key parameters",
	    p->type == KEY_RSA ? "RSA" : curve_names[p->type]);
	EVP_PKEY_free(pkey);
	pkey = NULL;
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	free(point);
	return pkey != NULL ? wrap(pkey) : NULL;
}

/* Encode the private key as PEM or DER (NUL-terminated copy). */
static int
encode(const struct key *key, enum key_encoding enc, const char *form,
    unsigned char **out, size_t *outlen)
{
	OSSL_ENCODER_CTX *ctx = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	const char *structure = "PrivateKeyInfo";
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (enc == KEY_ENC_PKCS1 && key->type != KEY_ED25519)
		structure = "type-specific";
	ctx = OSSL_ENCODER_CTX_new_for_pkey(key->pkey,
	    OSSL_KEYMGMT_SELECT_KEYPAIR, form, structure, NULL);
	if (ctx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ctx) == 0 ||
	    !OSSL_ENCODER_to_data(ctx, &data, &len)) {
		crypto_ossl_err("cannot encode private key");
		goto out;
	}
	if ((*out = malloc(len + 1)) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	memcpy(*out, data, len);
	(*out)[len] = '\0';
	*outlen = len;
	rc = 0;
out:
	OPENSSL_clear_free(data, len);
	OSSL_ENCODER_CTX_free(ctx);
	return rc;
}

int
key_save_pem(const struct key *key, enum key_encoding enc, char **out,
    size_t *outlen)
{
	return encode(key, enc, "PEM", (unsigned char **)out, outlen);
}

int
key_save_der(const struct key *key, enum key_encoding enc,
    unsigned char **out, size_t *outlen)
{
	return encode(key, enc, "DER", out, outlen);
}

/* Get a BIGNUM parameter as big-endian bytes, padded to pad if non-zero. */
static int
get_bn(const EVP_PKEY *pkey, const char *name, size_t pad,
    unsigned char **buf, size_t *len)
{
	BIGNUM *bn = NULL;
	size_t n;
	int rc = -1;

	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		goto out;
	n = pad != 0 ? pad : (size_t)BN_num_bytes(bn);
	if (n == 0)
		n = 1;
	if ((*buf = malloc(n)) == NULL ||
	    BN_bn2binpad(bn, *buf, (int)n) < 0)
		goto out;
	*len = n;
	rc = 0;
out:
	BN_free(bn);
	return rc;
}

int
key_public_params(const struct key *key, struct key_params *p)
{
	size_t fs = ec_size(key->type);

	memset(p, 0, sizeof(*p));
	p->type = key->type;
	switch (key->type) {
	case KEY_RSA:
		if (get_bn(key->pkey, OSSL_PKEY_PARAM_RSA_N, 0, &p->a,
		    &p->alen) ||
		    get_bn(key->pkey, OSSL_PKEY_PARAM_RSA_E, 0, &p->b,
		    &p->blen))
			goto fail;
		break;
	case KEY_EC_P256:
	case KEY_EC_P384:
	case KEY_EC_P521:
		if (get_bn(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, fs, &p->a,
		    &p->alen) ||
		    get_bn(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, fs, &p->b,
		    &p->blen))
			goto fail;
		break;
	case KEY_ED25519:
		p->alen = 32;
		if ((p->a = malloc(p->alen)) == NULL ||
		    !EVP_PKEY_get_raw_public_key(key->pkey, p->a, &p->alen))
			goto fail;
		break;
	}
	return 0;
fail:
	crypto_ossl_err("cannot read public key parameters");
	key_params_clear(p);
	return -1;
}

void
key_params_clear(struct key_params *p)
{
	free(p->a);
	free(p->b);
	crypto_secret_free(p->d, p->dlen);
	memset(p, 0, sizeof(*p));
}

enum key_type
key_get_type(const struct key *key)
{
	return key->type;
}

int
key_bits(const struct key *key)
{
	return key->type == KEY_ED25519 ? 256 : EVP_PKEY_get_bits(key->pkey);
}

const char *
key_describe(const struct key *key, char *buf, size_t size)
{
	switch (key->type) {
	case KEY_RSA:
		snprintf(buf, size, "RSA-%d", key_bits(key));
		break;
	case KEY_EC_P256:
		snprintf(buf, size, "ECDSA-P256");
		break;
	case KEY_EC_P384:
		snprintf(buf, size, "ECDSA-P384");
		break;
	case KEY_EC_P521:
		snprintf(buf, size, "ECDSA-P521");
		break;
	case KEY_ED25519:
		snprintf(buf, size, "Ed25519");
		break;
	}
	return buf;
}

bool
key_equal_public(const struct key *a, const struct key *b)
{
	return EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

const EVP_MD *
crypto_key_md(const struct key *key)
{
	switch (key->type) {
	case KEY_RSA:
	case KEY_EC_P256:
		return EVP_sha256();
	case KEY_EC_P384:
		return EVP_sha384();
	case KEY_EC_P521:
		return EVP_sha512(); /* RFC 7518 ES512; cert-manager's CSR too */
	case KEY_ED25519:
		break;
	}
	return NULL;
}

int
key_sign(const struct key *key, const void *msg, size_t len,
    unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char *der = NULL, *raw = NULL;
	const unsigned char *p;
	const BIGNUM *r, *s;
	size_t derlen = 0, fs = ec_size(key->type);
	int rc = -1;

	*sig = NULL;
	*siglen = 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, crypto_key_md(key), NULL,
	    key->pkey) <= 0 ||
	    EVP_DigestSign(ctx, NULL, &derlen, msg, len) <= 0 ||
	    (der = malloc(derlen)) == NULL ||
	    EVP_DigestSign(ctx, der, &derlen, msg, len) <= 0) {
		crypto_ossl_err("signing failed");
		goto out;
	}
	if (fs == 0) {
		*sig = der;
		*siglen = derlen;
		der = NULL;
		rc = 0;
		goto out;
	}
	/* JWS wants ECDSA as fixed-size r || s, not DER (RFC 7518 §3.4). */
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL ||
	    (raw = malloc(2 * fs)) == NULL) {
		crypto_ossl_err("cannot convert ECDSA signature");
		goto out;
	}
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, raw, (int)fs) < 0 ||
	    BN_bn2binpad(s, raw + fs, (int)fs) < 0) {
		crypto_ossl_err("cannot convert ECDSA signature");
		goto out;
	}
	*sig = raw;
	*siglen = 2 * fs;
	raw = NULL;
	rc = 0;
out:
	free(raw);
	free(der);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return rc;
}

bool
key_verify(const struct key *key, const void *msg, size_t len,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	size_t fs = ec_size(key->type);
	int derlen;
	bool ok = false;

	if (fs != 0) {
		if (siglen != 2 * fs)
			goto out;
		if ((es = ECDSA_SIG_new()) == NULL ||
		    (r = BN_bin2bn(sig, (int)fs, NULL)) == NULL ||
		    (s = BN_bin2bn(sig + fs, (int)fs, NULL)) == NULL ||
		    !ECDSA_SIG_set0(es, r, s))
			goto out;
		r = s = NULL; /* owned by es now */
		if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
			goto out;
		sig = der;
		siglen = (size_t)derlen;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, crypto_key_md(key), NULL,
	    key->pkey) <= 0)
		goto out;
	ok = EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
out:
	if (!ok)
		crypto_ossl_err("signature does not verify");
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	return ok;
}

void
key_free(struct key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}
