/*
 * Unit tests of acme/acme.c (proto)'s parsers: the server's JSON (directory,
 * order, authorization, challenge, problem documents) and its header
 * values (Retry-After) and times.  The vectors are RFC 8555's examples
 * (§6.7.1, §7.1.1, §7.1.3, §7.1.4, §7.5, §7.5.1) and what Let's Encrypt
 * serves.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "acme/acme.h"
#include "tests/unit/unit.h"

/* Let's Encrypt's directory (2025), with its random entry. */
static const char le_directory[] =
    "{\"keyChange\":\"https://acme-v02.api.letsencrypt.org/acme/key-change\","
    "\"meta\":{\"caaIdentities\":[\"letsencrypt.org\"],"
    "\"profiles\":{\"classic\":\"https://letsencrypt.org/docs/profiles#"
    "classic\",\"shortlived\":\"https://letsencrypt.org/docs/profiles#"
    "shortlived\",\"tlsserver\":\"https://letsencrypt.org/docs/profiles#"
    "tlsserver\"},"
    "\"termsOfService\":\"https://letsencrypt.org/documents/LE-SA-v1.5-"
    "February-24-2025.pdf\",\"website\":\"https://letsencrypt.org\"},"
    "\"newAccount\":\"https://acme-v02.api.letsencrypt.org/acme/new-acct\","
    "\"newNonce\":\"https://acme-v02.api.letsencrypt.org/acme/new-nonce\","
    "\"newOrder\":\"https://acme-v02.api.letsencrypt.org/acme/new-order\","
    "\"renewalInfo\":\"https://acme-v02.api.letsencrypt.org/"
    "draft-ietf-acme-ari-03/renewalInfo\","
    "\"revokeCert\":\"https://acme-v02.api.letsencrypt.org/acme/"
    "revoke-cert\","
    "\"v2Nz3R7Sz8Y\":\"https://community.letsencrypt.org/t/adding-random-"
    "entries-to-the-directory/33417\"}";

/* RFC 8555 §7.1.1. */
static const char rfc_directory[] =
    "{\"newNonce\": \"https://example.com/acme/new-nonce\","
    " \"newAccount\": \"https://example.com/acme/new-account\","
    " \"newOrder\": \"https://example.com/acme/new-order\","
    " \"newAuthz\": \"https://example.com/acme/new-authz\","
    " \"revokeCert\": \"https://example.com/acme/revoke-cert\","
    " \"keyChange\": \"https://example.com/acme/key-change\","
    " \"meta\": {"
    "   \"termsOfService\": \"https://example.com/acme/terms/2017-5-30\","
    "   \"website\": \"https://www.example.com/\","
    "   \"caaIdentities\": [\"example.com\"],"
    "   \"externalAccountRequired\": false}}";

static int
parse_dir(const char *text, struct acme_dir *d)
{
	return acme_parse_directory(text, strlen(text), d);
}

void
test_proto_directory(void)
{
	struct acme_dir d;

	REQUIRE(parse_dir(le_directory, &d) == 0);
	CHECK_STR(d.new_nonce,
	    "https://acme-v02.api.letsencrypt.org/acme/new-nonce");
	CHECK_STR(d.new_account,
	    "https://acme-v02.api.letsencrypt.org/acme/new-acct");
	CHECK_STR(d.new_order,
	    "https://acme-v02.api.letsencrypt.org/acme/new-order");
	CHECK_STR(d.revoke_cert,
	    "https://acme-v02.api.letsencrypt.org/acme/revoke-cert");
	CHECK_STR(d.key_change,
	    "https://acme-v02.api.letsencrypt.org/acme/key-change");
	CHECK_STR(d.renewal_info, "https://acme-v02.api.letsencrypt.org/"
	    "draft-ietf-acme-ari-03/renewalInfo");
	CHECK_STR(d.tos, "https://letsencrypt.org/documents/LE-SA-v1.5-"
	    "February-24-2025.pdf");
	CHECK_STR(d.website, "https://letsencrypt.org");
	CHECK(!d.eab_required);
	REQUIRE(d.profiles.n == 3);
	CHECK_STR(d.profiles.v[0], "classic");
	CHECK_STR(d.profiles.v[1], "shortlived");
	CHECK_STR(d.profiles.v[2], "tlsserver");
	acme_dir_free(&d);
	CHECK(d.new_nonce == NULL && d.profiles.n == 0);

	REQUIRE(parse_dir(rfc_directory, &d) == 0);
	CHECK_STR(d.new_account, "https://example.com/acme/new-account");
	CHECK_STR(d.tos, "https://example.com/acme/terms/2017-5-30");
	CHECK_STR(d.website, "https://www.example.com/");
	CHECK(!d.eab_required);
	CHECK(d.renewal_info == NULL && d.profiles.n == 0);
	acme_dir_free(&d);

	/* The three required URLs alone; meta with EAB required. */
	REQUIRE(parse_dir("{\"newNonce\":\"n\",\"newAccount\":\"a\","
	    "\"newOrder\":\"o\",\"meta\":{\"externalAccountRequired\":true}}",
	    &d) == 0);
	CHECK(d.eab_required);
	CHECK(d.tos == NULL && d.revoke_cert == NULL && d.key_change == NULL);
	acme_dir_free(&d);
}

void
test_proto_directory_rejects(void)
{
	static const char *const bad[] = {
		/* each lacks one of newNonce, newAccount, newOrder */
		"{\"newAccount\":\"a\",\"newOrder\":\"o\"}",
		"{\"newNonce\":\"n\",\"newOrder\":\"o\"}",
		"{\"newNonce\":\"n\",\"newAccount\":\"a\"}",
		/* wrong types */
		"{\"newNonce\":1,\"newAccount\":\"a\",\"newOrder\":\"o\"}",
		"{\"newNonce\":\"n\",\"newAccount\":null,\"newOrder\":\"o\"}",
		"{\"newNonce\":\"n\",\"newAccount\":\"a\","
		    "\"newOrder\":[\"o\"]}",
		"{\"newNonce\":\"n\",\"newAccount\":\"a\",\"newOrder\":{}}",
		"[\"newNonce\",\"newAccount\",\"newOrder\"]",
		"\"newNonce\"",
		/* not JSON */
		"", "<html><body>Welcome to nginx!</body></html>",
		"{\"newNonce\":\"n\",\"newAccount\":\"a\",\"newOrder\":\"o\"",
		"null",
	};
	struct acme_dir d;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_dir(bad[i], &d) == 0)
			unit_fail(__FILE__, __LINE__, bad[i]);
		/* What was found is the caller's to free, also on -1. */
		acme_dir_free(&d);
	}
	/* Optional members of the wrong type are left out, not fatal. */
	REQUIRE(parse_dir("{\"newNonce\":\"n\",\"newAccount\":\"a\","
	    "\"newOrder\":\"o\",\"revokeCert\":5,\"meta\":{\"termsOfService\":"
	    "true,\"externalAccountRequired\":\"true\",\"profiles\":"
	    "[\"classic\"]}}", &d) == 0);
	CHECK(d.revoke_cert == NULL && d.tos == NULL);
	CHECK(!d.eab_required);
	CHECK(d.profiles.n == 0);
	acme_dir_free(&d);
	REQUIRE(parse_dir("{\"newNonce\":\"n\",\"newAccount\":\"a\","
	    "\"newOrder\":\"o\",\"meta\":[1,2]}", &d) == 0);
	CHECK(d.tos == NULL && !d.eab_required);
	acme_dir_free(&d);
}

/* text parsed; the document of the call before is freed (NULL: freed). */
static const cJSON *
doc(const char *text)
{
	static cJSON *last;

	cJSON_Delete(last);
	last = text != NULL ? cJSON_Parse(text) : NULL;
	return last;
}

static int
parse_order(const char *text, struct acme_order *o, struct acme_problem *p)
{
	return acme_parse_order(doc(text), o, p);
}

static int
parse_authz(const char *text, struct acme_authz *az, struct acme_problem *p)
{
	return acme_parse_authz(doc(text), az, p);
}

static int
parse_challenge(const char *text, struct acme_challenge *ch,
    struct acme_problem *p)
{
	return acme_parse_challenge(doc(text), ch, p);
}

/* RFC 8555 §7.1.3. */
static const char rfc_order[] =
    "{\"status\": \"valid\", \"expires\": \"2016-01-20T14:09:07.99Z\","
    " \"identifiers\": ["
    "   { \"type\": \"dns\", \"value\": \"www.example.org\" },"
    "   { \"type\": \"dns\", \"value\": \"example.org\" }],"
    " \"notBefore\": \"2016-01-01T00:00:00Z\","
    " \"notAfter\": \"2016-01-08T00:00:00Z\","
    " \"authorizations\": ["
    "   \"https://example.com/acme/authz/PAniVnsZcis\","
    "   \"https://example.com/acme/authz/r4HqLzrSrpI\"],"
    " \"finalize\": \"https://example.com/acme/order/TOlocE8rfgo/finalize\","
    " \"certificate\": \"https://example.com/acme/cert/mAt3xBGaobw\"}";

void
test_proto_order(void)
{
	struct acme_problem p = { .retry_after = -1 };
	struct acme_order o;

	REQUIRE(parse_order(rfc_order, &o, &p) == 0);
	CHECK(o.status == ST_VALID);
	REQUIRE(o.authzs.n == 2);
	CHECK_STR(o.authzs.v[0], "https://example.com/acme/authz/PAniVnsZcis");
	CHECK_STR(o.authzs.v[1], "https://example.com/acme/authz/r4HqLzrSrpI");
	CHECK_STR(o.finalize,
	    "https://example.com/acme/order/TOlocE8rfgo/finalize");
	CHECK_STR(o.certificate, "https://example.com/acme/cert/mAt3xBGaobw");
	CHECK(o.error == NULL);
	CHECK(o.url == NULL); /* the caller knows it, the object does not */
	acme_order_free(&o);

	/* A pending order: no certificate yet; every status is known. */
	REQUIRE(parse_order("{\"status\":\"pending\",\"authorizations\":[],"
	    "\"finalize\":\"f\"}", &o, &p) == 0);
	CHECK(o.status == ST_PENDING && o.authzs.n == 0);
	CHECK(o.certificate == NULL);
	acme_order_free(&o);
	REQUIRE(parse_order("{\"status\":\"ready\",\"authorizations\":[],"
	    "\"finalize\":\"f\"}", &o, &p) == 0);
	CHECK(o.status == ST_READY);
	acme_order_free(&o);
	REQUIRE(parse_order("{\"status\":\"processing\",\"authorizations\":"
	    "[],\"finalize\":\"f\"}", &o, &p) == 0);
	CHECK(o.status == ST_PROCESSING);
	acme_order_free(&o);

	/* An invalid order carries its problem (status is the HTTP one). */
	REQUIRE(parse_order("{\"status\":\"invalid\",\"authorizations\":"
	    "[\"a\"],\"finalize\":\"f\",\"error\":{\"type\":"
	    "\"urn:ietf:params:acme:error:unauthorized\",\"detail\":"
	    "\"no\",\"status\":403}}", &o, &p) == 0);
	CHECK(o.status == ST_INVALID);
	REQUIRE(o.error != NULL);
	CHECK_STR(o.error->type, "urn:ietf:params:acme:error:unauthorized");
	CHECK_STR(acme_problem_short(o.error), "unauthorized");
	CHECK_STR(o.error->detail, "no");
	CHECK(o.error->status == 0 && o.error->retry_after == -1);
	acme_order_free(&o);
	/* An "error" that is not an object is no problem document. */
	REQUIRE(parse_order("{\"status\":\"invalid\",\"authorizations\":[],"
	    "\"finalize\":\"f\",\"error\":\"boom\"}", &o, &p) == 0);
	CHECK(o.error == NULL);
	acme_order_free(&o);
	acme_problem_free(&p);
	doc(NULL);
}

void
test_proto_order_rejects(void)
{
	static const char *const bad[] = {
		"{\"authorizations\":[],\"finalize\":\"f\"}",
		"{\"status\":\"issued\",\"authorizations\":[],\"finalize\":"
		    "\"f\"}",
		"{\"status\":\"VALID\",\"authorizations\":[],\"finalize\":"
		    "\"f\"}",
		"{\"status\":\"unknown\",\"authorizations\":[],\"finalize\":"
		    "\"f\"}",
		"{\"status\":1,\"authorizations\":[],\"finalize\":\"f\"}",
		"{\"status\":\"valid\",\"finalize\":\"f\"}",
		"{\"status\":\"valid\",\"authorizations\":\"a\","
		    "\"finalize\":\"f\"}",
		"{\"status\":\"valid\",\"authorizations\":{\"a\":\"b\"},"
		    "\"finalize\":\"f\"}",
		"{\"status\":\"valid\",\"authorizations\":[\"a\",5],"
		    "\"finalize\":\"f\"}",
		"{\"status\":\"valid\",\"authorizations\":[\"a\",null],"
		    "\"finalize\":\"f\"}",
		"{\"status\":\"valid\",\"authorizations\":[]}",
		"{\"status\":\"valid\",\"authorizations\":[],\"finalize\":7}",
		"[]", "\"valid\"", "5",
	};
	struct acme_problem p = { .retry_after = -1 };
	struct acme_order o;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_order(bad[i], &o, &p) == 0) {
			unit_fail(__FILE__, __LINE__, bad[i]);
			acme_order_free(&o);
			continue;
		}
		/* A local problem; nothing left in o. */
		CHECK(p.type == NULL && p.detail != NULL);
		CHECK(o.finalize == NULL && o.authzs.n == 0);
	}
	CHECK(strstr(p.detail, "malformed order") != NULL);
	acme_problem_free(&p);
	/* NULL (the body was no JSON) is malformed too. */
	CHECK(acme_parse_order(NULL, &o, &p) < 0);
	acme_problem_free(&p);
	doc(NULL);
}

/* RFC 8555 §7.5: a pending authorization (challenges without status). */
static const char rfc_authz_pending[] =
    "{\"status\": \"pending\", \"expires\": \"2016-01-02T14:09:30Z\","
    " \"identifier\": {\"type\": \"dns\", \"value\": \"www.example.org\"},"
    " \"challenges\": ["
    "   {\"type\": \"http-01\","
    "    \"url\": \"https://example.com/acme/chall/prV_B7yEyA4\","
    "    \"token\": \"DGyRejmCefe7v4NfDGDKfA\"},"
    "   {\"type\": \"dns-01\","
    "    \"url\": \"https://example.com/acme/chall/Rg5dV14Gh1Q\","
    "    \"token\": \"DGyRejmCefe7v4NfDGDKfA\"}]}";

/* RFC 8555 §7.1.4: a valid one. */
static const char rfc_authz_valid[] =
    "{\"status\": \"valid\", \"expires\": \"2015-03-01T14:09:07.99Z\","
    " \"identifier\": {\"type\": \"dns\", \"value\": \"www.example.org\"},"
    " \"challenges\": ["
    "   {\"url\": \"https://example.com/acme/chall/prV_B7yEyA4\","
    "    \"type\": \"http-01\", \"status\": \"valid\","
    "    \"token\": \"DGyRejmCefe7v4NfDGDKfA\","
    "    \"validated\": \"2014-12-01T12:05:58.16Z\"}],"
    " \"wildcard\": false}";

void
test_proto_authz(void)
{
	struct acme_problem p = { .retry_after = -1 };
	struct acme_authz az;

	REQUIRE(parse_authz(rfc_authz_pending, &az, &p) == 0);
	CHECK(az.status == ST_PENDING);
	CHECK(az.id.type == IDENT_DNS);
	CHECK_STR(az.id.value, "www.example.org");
	CHECK(!az.wildcard);
	REQUIRE(az.nch == 2);
	CHECK_STR(az.ch[0].type, "http-01");
	CHECK_STR(az.ch[0].url, "https://example.com/acme/chall/prV_B7yEyA4");
	CHECK_STR(az.ch[0].token, "DGyRejmCefe7v4NfDGDKfA");
	CHECK(az.ch[0].status == ST_UNKNOWN); /* the example leaves it out */
	CHECK(az.ch[0].error == NULL);
	CHECK_STR(az.ch[1].type, "dns-01");
	CHECK_STR(az.ch[1].url, "https://example.com/acme/chall/Rg5dV14Gh1Q");
	acme_authz_free(&az);

	REQUIRE(parse_authz(rfc_authz_valid, &az, &p) == 0);
	CHECK(az.status == ST_VALID && !az.wildcard);
	REQUIRE(az.nch == 1);
	CHECK(az.ch[0].status == ST_VALID);
	CHECK_STR(az.ch[0].token, "DGyRejmCefe7v4NfDGDKfA");
	acme_authz_free(&az);

	/* "*.example.org" is authorized as "example.org" with wildcard. */
	REQUIRE(parse_authz("{\"status\":\"pending\",\"identifier\":{\"type\":"
	    "\"dns\",\"value\":\"example.org\"},\"wildcard\":true,"
	    "\"challenges\":[{\"type\":\"dns-01\",\"url\":\"u\",\"token\":"
	    "\"t\",\"status\":\"pending\"}]}", &az, &p) == 0);
	CHECK(az.wildcard);
	CHECK_STR(az.id.value, "*.example.org");
	CHECK(az.ch[0].status == ST_PENDING);
	acme_authz_free(&az);

	/* RFC 8738: an IP identifier; an authorization may be deactivated. */
	REQUIRE(parse_authz("{\"status\":\"deactivated\",\"identifier\":"
	    "{\"type\":\"ip\",\"value\":\"192.0.2.1\"},\"challenges\":[]}",
	    &az, &p) == 0);
	CHECK(az.status == ST_DEACTIVATED);
	CHECK(az.id.type == IDENT_IP);
	CHECK_STR(az.id.value, "192.0.2.1");
	CHECK(az.nch == 0);
	acme_authz_free(&az);
	REQUIRE(parse_authz("{\"status\":\"expired\",\"identifier\":{\"type\":"
	    "\"dns\",\"value\":\"a.test\"},\"challenges\":[]}", &az, &p) == 0);
	CHECK(az.status == ST_EXPIRED);
	acme_authz_free(&az);
	REQUIRE(parse_authz("{\"status\":\"revoked\",\"identifier\":{\"type\":"
	    "\"dns\",\"value\":\"a.test\"},\"challenges\":[]}", &az, &p) == 0);
	CHECK(az.status == ST_REVOKED);
	acme_authz_free(&az);

	/* A failed authorization: its challenge says why. */
	REQUIRE(parse_authz("{\"status\":\"invalid\",\"identifier\":{\"type\":"
	    "\"dns\",\"value\":\"a.test\"},\"challenges\":[{\"type\":"
	    "\"http-01\",\"url\":\"u\",\"token\":\"t\",\"status\":\"invalid\","
	    "\"error\":{\"type\":\"urn:ietf:params:acme:error:connection\","
	    "\"detail\":\"Connection refused\"}}]}", &az, &p) == 0);
	CHECK(az.status == ST_INVALID && az.ch[0].status == ST_INVALID);
	REQUIRE(az.ch[0].error != NULL);
	CHECK_STR(acme_problem_short(az.ch[0].error), "connection");
	CHECK_STR(az.ch[0].error->detail, "Connection refused");
	acme_authz_free(&az);
	acme_problem_free(&p);
	doc(NULL);
}

void
test_proto_authz_rejects(void)
{
#define ID "\"identifier\":{\"type\":\"dns\",\"value\":\"a.test\"}"
#define CH "\"challenges\":[{\"type\":\"http-01\",\"url\":\"u\"}]"
	static const char *const bad[] = {
		/* missing members */
		"{" ID "," CH "}",
		"{\"status\":\"pending\"," CH "}",
		"{\"status\":\"pending\"," ID "}",
		"{\"status\":\"pending\",\"identifier\":{\"value\":\"a.test\"},"
		    CH "}",
		"{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\"},"
		    CH "}",
		/* unknown status strings */
		"{\"status\":\"Pending\"," ID "," CH "}",
		"{\"status\":\"unknown\"," ID "," CH "}",
		"{\"status\":\"\"," ID "," CH "}",
		/* wrong types */
		"{\"status\":true," ID "," CH "}",
		"{\"status\":\"pending\",\"identifier\":\"a.test\"," CH "}",
		"{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\","
		    "\"value\":7}," CH "}",
		"{\"status\":\"pending\"," ID ",\"challenges\":{}}",
		"{\"status\":\"pending\"," ID ",\"challenges\":\"http-01\"}",
		/* identifier types other than dns and ip */
		"{\"status\":\"pending\",\"identifier\":{\"type\":\"email\","
		    "\"value\":\"a@b.test\"}," CH "}",
		"{\"status\":\"pending\",\"identifier\":{\"type\":\"DNS\","
		    "\"value\":\"a.test\"}," CH "}",
		/* a malformed challenge spoils the authorization */
		"{\"status\":\"pending\"," ID ",\"challenges\":[{\"type\":"
		    "\"http-01\",\"url\":\"u\"},{\"type\":\"dns-01\"}]}",
		"{\"status\":\"pending\"," ID ",\"challenges\":[5]}",
		"[]", "null",
	};
#undef ID
#undef CH
	struct acme_problem p = { .retry_after = -1 };
	struct acme_authz az;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_authz(bad[i], &az, &p) == 0) {
			unit_fail(__FILE__, __LINE__, bad[i]);
			acme_authz_free(&az);
			continue;
		}
		CHECK(p.type == NULL && p.detail != NULL &&
		    strstr(p.detail, "malformed authorization") != NULL);
		CHECK(az.id.value == NULL && az.nch == 0 && az.ch == NULL);
	}
	acme_problem_free(&p);
	doc(NULL);
}

void
test_proto_challenge(void)
{
	struct acme_problem p = { .retry_after = -1 };
	struct acme_challenge ch;

	/* RFC 8555 §7.5.1: the answer to the challenge's POST. */
	REQUIRE(parse_challenge("{\"type\": \"http-01\", \"url\": "
	    "\"https://example.com/acme/chall/prV_B7yEyA4\", \"status\": "
	    "\"processing\", \"token\": \"DGyRejmCefe7v4NfDGDKfA\"}", &ch,
	    &p) == 0);
	CHECK_STR(ch.type, "http-01");
	CHECK_STR(ch.url, "https://example.com/acme/chall/prV_B7yEyA4");
	CHECK_STR(ch.token, "DGyRejmCefe7v4NfDGDKfA");
	CHECK(ch.status == ST_PROCESSING && ch.error == NULL);
	acme_challenge_free(&ch);
	CHECK(ch.type == NULL && ch.error == NULL);

	/* Invalid, with a problem document and subproblems. */
	REQUIRE(parse_challenge("{\"type\":\"dns-01\",\"url\":\"u\",\"token\":"
	    "\"t\",\"status\":\"invalid\",\"error\":{\"type\":"
	    "\"urn:ietf:params:acme:error:dns\",\"detail\":\"NXDOMAIN looking "
	    "up TXT for _acme-challenge.a.test\",\"status\":400,"
	    "\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:dns\","
	    "\"detail\":\"x\",\"identifier\":{\"type\":\"dns\",\"value\":"
	    "\"a.test\"}}]}}", &ch, &p) == 0);
	CHECK(ch.status == ST_INVALID);
	REQUIRE(ch.error != NULL);
	CHECK_STR(ch.error->type, "urn:ietf:params:acme:error:dns");
	CHECK_STR(ch.error->detail, "NXDOMAIN looking up TXT for "
	    "_acme-challenge.a.test");
	CHECK(ch.error->status == 0 && ch.error->retry_after == -1);
	REQUIRE(ch.error->nsub == 1);
	CHECK_STR(ch.error->sub[0].ident, "a.test");
	acme_challenge_free(&ch);

	/*
	 * RFC 8555 §8.2: while the CA retries, a pending or processing
	 * challenge carries the error of the last attempt; it is kept.
	 */
	REQUIRE(parse_challenge("{\"type\":\"http-01\",\"url\":\"u\",\"token\":"
	    "\"t\",\"status\":\"pending\",\"error\":{\"type\":"
	    "\"urn:ietf:params:acme:error:connection\",\"detail\":"
	    "\"timeout\"}}", &ch, &p) == 0);
	CHECK(ch.status == ST_PENDING);
	REQUIRE(ch.error != NULL);
	CHECK_STR(acme_problem_short(ch.error), "connection");
	CHECK_STR(ch.error->detail, "timeout");
	acme_challenge_free(&ch);

	/* An error object without a type: a stand-in problem. */
	REQUIRE(parse_challenge("{\"type\":\"http-01\",\"url\":\"u\","
	    "\"status\":\"invalid\",\"error\":{\"detail\":\"d\"}}", &ch,
	    &p) == 0);
	REQUIRE(ch.error != NULL);
	CHECK_STR(ch.error->type, "about:blank");
	CHECK(ch.token == NULL);
	acme_challenge_free(&ch);

	/* Types unknown to acmec and unknown statuses are kept as such. */
	REQUIRE(parse_challenge("{\"type\":\"dns-account-01\",\"url\":\"u\","
	    "\"status\":\"waiting\"}", &ch, &p) == 0);
	CHECK_STR(ch.type, "dns-account-01");
	CHECK(ch.status == ST_UNKNOWN && ch.token == NULL);
	acme_challenge_free(&ch);

	/* type and url are required, as strings. */
	CHECK(parse_challenge("{\"url\":\"u\",\"token\":\"t\"}", &ch, &p) < 0);
	CHECK(p.type == NULL && strstr(p.detail, "malformed challenge"));
	CHECK(ch.type == NULL && ch.url == NULL && ch.token == NULL);
	CHECK(parse_challenge("{\"type\":\"http-01\",\"token\":\"t\"}", &ch,
	    &p) < 0);
	CHECK(parse_challenge("{\"type\":1,\"url\":\"u\"}", &ch, &p) < 0);
	CHECK(parse_challenge("{\"type\":\"http-01\",\"url\":[\"u\"]}", &ch,
	    &p) < 0);
	CHECK(parse_challenge("\"http-01\"", &ch, &p) < 0);
	CHECK(acme_parse_challenge(NULL, &ch, &p) < 0);
	acme_problem_free(&p);
	doc(NULL);
}

/* RFC 8555 §6.7.1. */
static const char rfc_subproblems[] =
    "{\"type\": \"urn:ietf:params:acme:error:malformed\","
    " \"detail\": \"Some of the identifiers requested were rejected\","
    " \"subproblems\": ["
    "   {\"type\": \"urn:ietf:params:acme:error:malformed\","
    "    \"detail\": \"Invalid underscore in DNS name \\\"_example.org\\\"\","
    "    \"identifier\": {\"type\": \"dns\", \"value\": \"_example.org\"}},"
    "   {\"type\": \"urn:ietf:params:acme:error:rejectedIdentifier\","
    "    \"detail\": \"This CA will not issue for \\\"example.net\\\"\","
    "    \"identifier\": {\"type\": \"dns\", \"value\": \"example.net\"}}]}";

static void
problem(const char *body, long status, const char *retry_after,
    struct acme_problem *p)
{
	acme_problem_parse(body, body ? strlen(body) : 0, status, retry_after,
	    p);
}

void
test_proto_problem(void)
{
	struct acme_problem p = { .retry_after = -1 };
	char date[64];
	struct tm tm;
	time_t t;

	problem(rfc_subproblems, 403, NULL, &p);
	CHECK_STR(p.type, "urn:ietf:params:acme:error:malformed");
	CHECK_STR(acme_problem_short(&p), "malformed");
	CHECK_STR(p.detail, "Some of the identifiers requested were rejected");
	CHECK(p.status == 403 && p.retry_after == -1);
	REQUIRE(p.nsub == 2);
	CHECK_STR(p.sub[0].type, "urn:ietf:params:acme:error:malformed");
	CHECK_STR(p.sub[0].detail,
	    "Invalid underscore in DNS name \"_example.org\"");
	CHECK_STR(p.sub[0].ident, "_example.org");
	CHECK_STR(p.sub[1].type,
	    "urn:ietf:params:acme:error:rejectedIdentifier");
	CHECK_STR(p.sub[1].ident, "example.net");

	/* Parsing again replaces what p held (no leak, no left-overs). */
	problem("{\"type\":\"urn:ietf:params:acme:error:rateLimited\","
	    "\"detail\":\"too many certificates\"}", 429, "3600", &p);
	CHECK_STR(acme_problem_short(&p), "rateLimited");
	CHECK(p.status == 429 && p.retry_after == 3600);
	CHECK(p.nsub == 0 && p.sub == NULL);

	/* Retry-After as an HTTP date, an hour from now. */
	t = time(NULL) + 3600;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	problem("{\"type\":\"urn:ietf:params:acme:error:badNonce\"}", 400,
	    date, &p);
	CHECK_STR(acme_problem_short(&p), "badNonce");
	CHECK(p.detail == NULL);
	CHECK(p.retry_after >= 3598 && p.retry_after <= 3600);
	problem("{\"type\":\"urn:ietf:params:acme:error:badNonce\"}", 400,
	    "later", &p);
	CHECK(p.retry_after == -1);

	/* Types outside ACME's namespace are shown whole. */
	problem("{\"type\":\"https://example.com/probs/out-of-credit\","
	    "\"title\":\"You do not have enough credit.\"}", 403, NULL, &p);
	CHECK_STR(acme_problem_short(&p), "https://example.com/probs/"
	    "out-of-credit");

	/* Subproblems without identifier, or not objects at all. */
	problem("{\"type\":\"t\",\"subproblems\":[{\"type\":\"s\"},7,"
	    "{\"identifier\":\"a.test\",\"detail\":5}]}", 400, NULL, &p);
	REQUIRE(p.nsub == 3);
	CHECK_STR(p.sub[0].type, "s");
	CHECK(p.sub[0].ident == NULL && p.sub[0].detail == NULL);
	CHECK(p.sub[1].type == NULL && p.sub[1].ident == NULL);
	CHECK(p.sub[2].ident == NULL && p.sub[2].detail == NULL);
	problem("{\"type\":\"t\",\"subproblems\":{\"type\":\"s\"}}", 400, NULL,
	    &p);
	CHECK(p.nsub == 0);
	acme_problem_free(&p);
	CHECK(p.type == NULL && p.retry_after == -1);
}

void
test_proto_problem_not_json(void)
{
	static const char *const bodies[] = { "<html>502 Bad Gateway</html>",
		"", "[]", "\"urn:ietf:params:acme:error:malformed\"",
		"{\"detail\":\"no type\"}", "{\"type\":5}",
		"{\"type\":\"urn:ietf:params:acme:error:malformed\"" };
	struct acme_problem p = { .retry_after = -1 };
	char *deep;
	size_t i, depth = 5000;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		problem(bodies[i], 502, "7", &p);
		CHECK_STR(p.type, "about:blank");
		CHECK_STR(p.detail, "HTTP 502 without a problem document");
		CHECK(p.status == 502 && p.retry_after == 7 && p.nsub == 0);
	}
	problem(NULL, 500, NULL, &p);
	CHECK_STR(p.detail, "HTTP 500 without a problem document");
	/* Only len bytes are read. */
	acme_problem_parse("{\"type\":\"a\"}garbage", 12, 400, NULL, &p);
	CHECK_STR(p.type, "a");

	/* Nested deeper than cJSON's limit: not a problem document. */
	deep = malloc(2 * depth + 64);
	REQUIRE(deep != NULL);
	strcpy(deep, "{\"type\":\"t\",\"x\":");
	memset(deep + strlen(deep), '[', depth);
	memset(deep + 16 + depth, ']', depth);
	strcpy(deep + 16 + 2 * depth, "}");
	problem(deep, 400, NULL, &p);
	CHECK_STR(p.type, "about:blank");
	/* Deep but within it: the type is read. */
	strcpy(deep, "{\"type\":\"t\",\"x\":[[[[[[[[[[]]]]]]]]]]}");
	problem(deep, 400, NULL, &p);
	CHECK_STR(p.type, "t");
	free(deep);
	acme_problem_free(&p);
}

void
test_proto_problem_local(void)
{
	struct acme_problem p = { .retry_after = -1 };

	problem("{\"type\":\"urn:ietf:params:acme:error:malformed\","
	    "\"subproblems\":[{\"type\":\"x\"}]}", 400, "5", &p);
	acme_problem_local(&p, "cannot reach %s: %d", "https://ca.test", 7);
	CHECK(p.type == NULL && p.nsub == 0 && p.retry_after == -1);
	CHECK_STR(p.detail, "cannot reach https://ca.test: 7");
	CHECK_STR(acme_problem_short(&p), "");
	acme_problem_free(&p);
}

void
test_proto_retry_after(void)
{
	char date[64];
	struct tm tm;
	time_t t = time(NULL) + 120;
	long long v;

	CHECK(acme_retry_after("120") == 120);
	CHECK(acme_retry_after("0") == 0);
	CHECK(acme_retry_after("007") == 7);
	CHECK(acme_retry_after("86400") == 86400);
	CHECK(acme_retry_after(NULL) == -1);
	CHECK(acme_retry_after("") == -1);
	CHECK(acme_retry_after("soon") == -1);
	CHECK(acme_retry_after("12abc") == -1);
	CHECK(acme_retry_after("12 ") == -1);
	CHECK(acme_retry_after(" 12") == -1);
	CHECK(acme_retry_after("+12") == -1);
	CHECK(acme_retry_after("1.5") == -1);
	CHECK(acme_retry_after("-5") == -1);
	/* Absurdly large values are capped at a day. */
	CHECK(acme_retry_after("86401") == 86400);
	CHECK(acme_retry_after("99999999999") == 86400);
	CHECK(acme_retry_after("99999999999999999999999999") == 86400);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	v = acme_retry_after(date);
	CHECK(v >= 118 && v <= 120);
	/* A date in the past is now; one far ahead is a day. */
	CHECK(acme_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0);
	CHECK(acme_retry_after("Fri, 31 Dec 9998 23:59:59 GMT") == 86400);
	/* Dates in other zones or shapes are not HTTP dates. */
	CHECK(acme_retry_after("Wed, 21 Oct 2015 07:28:00 UTC") == -1);
	CHECK(acme_retry_after("Wed, 21 Oct 2015 07:28:00 GMT+1") == -1);
	CHECK(acme_retry_after("2015-10-21T07:28:00Z") == -1);
	CHECK(acme_retry_after("Wed, 21 Oct 2015") == -1);
	/* RFC 9110's obsolete forms: RFC 850 and asctime. */
	CHECK(acme_retry_after("Sunday, 06-Nov-94 08:49:37 GMT") == 0);
	CHECK(acme_retry_after("Sun Nov  6 08:49:37 1994") == 0);
	CHECK(acme_retry_after("Fri Dec 31 23:59:59 9998") == 86400);
	/* %y spelled out: the compiler rightly warns of two-digit years. */
	strftime(date, sizeof(date), "%A, %d-%b-", &tm);
	snprintf(date + strlen(date), 8, "%02d", tm.tm_year % 100);
	strftime(date + strlen(date), 20, " %H:%M:%S GMT", &tm);
	v = acme_retry_after(date);
	CHECK(v >= 118 && v <= 120);
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
	v = acme_retry_after(date);
	CHECK(v >= 118 && v <= 120);
	CHECK(acme_retry_after("Sunday, 06-Nov-94 08:49:37") == -1);
	CHECK(acme_retry_after("Sun Nov  6 08:49:37 1994 GMT") == -1);
}

void
test_proto_time(void)
{
	/* 2025-01-02T04:00:00Z */
	const time_t t = 1735790400;

	CHECK(acme_parse_time("2025-01-02T04:00:00Z") == t);
	CHECK(acme_parse_time("1970-01-01T00:00:00Z") == 0);
	CHECK(acme_parse_time("2016-01-20T14:09:07.99Z") == 1453298947);
	/* Fractions of any length are dropped, not rounded. */
	CHECK(acme_parse_time("2025-01-02T04:00:00.999999999Z") == t);
	CHECK(acme_parse_time("2025-01-02T04:00:00.5Z") == t);
	CHECK(acme_parse_time("2025-01-02T04:00:00+00:00") == t);
	CHECK(acme_parse_time("2024-02-29T12:00:00Z") == 1709208000);
	/* Not RFC 3339 times. */
	CHECK(acme_parse_time(NULL) == (time_t)-1);
	CHECK(acme_parse_time("") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02 04:00:00Z") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00Zjunk") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00Z ") == (time_t)-1);
	CHECK(acme_parse_time("2025-13-02T04:00:00Z") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T25:00:00Z") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:60:00Z") == (time_t)-1);
	CHECK(acme_parse_time("Thu, 02 Jan 2025 04:00:00 GMT") == (time_t)-1);
	CHECK(acme_parse_time("1735790400") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00+0000") == (time_t)-1);
}

void
test_proto_time_offsets(void)
{
	/* 2025-01-02T04:00:00Z */
	const time_t t = 1735790400;

	/* RFC 3339 §5.6: time-offset = "Z" / ("+" / "-") HH:MM. */
	CHECK(acme_parse_time("2025-01-02T06:00:00+02:00") == t);
	CHECK(acme_parse_time("2025-01-01T23:30:00-04:30") == t);
	CHECK(acme_parse_time("2025-01-02T04:00:00.250-00:00") == t);
	CHECK(acme_parse_time("2025-01-02T09:45:00+05:45") == t);
	/* §5.6 allows "t" and "z" in lower case. */
	CHECK(acme_parse_time("2025-01-02t04:00:00z") == t);
	/* A fraction has digits. */
	CHECK(acme_parse_time("2025-01-02T04:00:00.Z") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00+2:00") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00+02") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00+24:00") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00+02:60") == (time_t)-1);
	CHECK(acme_parse_time("2025-01-02T04:00:00+02:00Z") == (time_t)-1);
}

void
test_proto_status_name(void)
{
	static const char *const want[] = { "unknown", "pending", "ready",
		"processing", "valid", "invalid", "deactivated", "expired",
		"revoked" };
	size_t i;

	CHECK(sizeof(want) / sizeof(want[0]) == (size_t)ST_REVOKED + 1);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_STR(acme_status_name((enum acme_status)i), want[i]);
}
