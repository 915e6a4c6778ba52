#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/digest.h"
#include "tests/unit/unit.h"

/* RFC 4648 §10 test vectors, with the padding removed per §5 / RFC 7515. */
void
test_b64_rfc4648(void)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	/* Bytes whose encoding uses the two URL-safe characters. */
	static const unsigned char hi[] = { 0xfb, 0xef, 0xbe, 0xff, 0xff };
	unsigned char *dec;
	size_t i, n;
	char *enc;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		enc = b64_url_encode((const unsigned char *)v[i][0],
		    strlen(v[i][0]));
		CHECK_STR(enc, v[i][1]);
		free(enc);
		CHECK(b64_url_decode(v[i][1], strlen(v[i][1]), &dec, &n) == 0);
		CHECK_MEM(dec, n, v[i][0], strlen(v[i][0]));
		free(dec);
	}
	enc = b64_url_encode(hi, sizeof(hi));
	CHECK_STR(enc, "----__8");
	free(enc);
	/* §10 with its padding, and §4's alphabet: Kubernetes' data. */
	static const char *const padded[] = { "", "Zg==", "Zm8=", "Zm9v",
		"Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		enc = b64_std_encode((const unsigned char *)v[i][0],
		    strlen(v[i][0]));
		CHECK_STR(enc, padded[i]);
		free(enc);
	}
	enc = b64_std_encode(hi, sizeof(hi));
	CHECK_STR(enc, "++++//8=");
	free(enc);
	CHECK(b64_url_decode("----__8", 7, &dec, &n) == 0);
	CHECK_MEM(dec, n, hi, sizeof(hi));
	free(dec);
}

void
test_b64_url_rejects(void)
{
	static const char *const bad[] = {
		"Zg==",     /* padding */
		"Zm8=",     /* padding */
		"Zm+v",     /* standard alphabet */
		"Zm/v",     /* standard alphabet */
		"Zm9v\n",   /* white space */
		"Zm 9v",    /* white space */
		"Z",        /* a lone sextet is not a byte */
		"Zh",       /* non-zero trailing bits */
		"Zm9v.",    /* illegal character */
	};
	unsigned char *dec = (unsigned char *)"x";
	size_t i, n = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(b64_url_decode(bad[i], strlen(bad[i]), &dec, &n) < 0);
		CHECK(dec == NULL && n == 0);
	}
	/* An embedded NUL is illegal, not the end of the input. */
	CHECK(b64_url_decode("Zm\0v", 4, &dec, &n) < 0);
}

void
test_b64_std(void)
{
	unsigned char *dec;
	size_t n;

	CHECK(b64_std_decode("Zm9vYmE=", 8, &dec, &n) == 0);
	CHECK_MEM(dec, n, "fooba", 5);
	free(dec);
	CHECK(b64_std_decode("Zm9v\nYmFy\n", 10, &dec, &n) == 0);
	CHECK_MEM(dec, n, "foobar", 6);
	free(dec);
	CHECK(b64_std_decode("Zm9vYmE", 7, &dec, &n) == 0);
	CHECK_MEM(dec, n, "fooba", 5);
	free(dec);
	CHECK(b64_std_decode("+/8=", 4, &dec, &n) == 0);
	CHECK_MEM(dec, n, "\xfb\xff", 2);
	free(dec);
	CHECK(b64_std_decode("Zm-v", 4, &dec, &n) < 0);
	CHECK(b64_std_decode("Zg=a", 4, &dec, &n) < 0);
	CHECK(b64_std_decode("Zg===", 5, &dec, &n) < 0);
}

/* FIPS 180-2 "abc" and RFC 4231 test case 2. */
void
test_digest_vectors(void)
{
	static const char hmac_data[] = "what do ya want for nothing?";
	static const struct {
		enum digest_alg alg;
		const char *hash_abc, *hmac;
	} v[] = {
		{ DIGEST_SHA256,
		    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
		    "f20015ad",
		    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
		    "64ec3843" },
		{ DIGEST_SHA384,
		    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a"
		    "43ff5bed8086072ba1e7cc2358baeca134c825a7",
		    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec373"
		    "6322445e8e2240ca5e69e2c78b3239ecfab21649" },
		{ DIGEST_SHA512, NULL,
		    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7"
		    "ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b"
		    "636e070a38bce737" },
	};
	unsigned char out[DIGEST_MAX], *want;
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i].hash_abc != NULL) {
			want = unit_unhex(v[i].hash_abc, &n);
			CHECK(digest_hash(v[i].alg, "abc", 3, out) == 0);
			CHECK_MEM(out, digest_size(v[i].alg), want, n);
			free(want);
		}
		want = unit_unhex(v[i].hmac, &n);
		CHECK(digest_hmac(v[i].alg, (const unsigned char *)"Jefe", 4,
		    hmac_data, strlen(hmac_data), out) == 0);
		CHECK_MEM(out, digest_size(v[i].alg), want, n);
		free(want);
	}
	CHECK(digest_hmac(DIGEST_SHA256, (const unsigned char *)"", 0, "x", 1,
	    out) < 0);
}
