/*
 * Akamai EdgeGrid against Akamai's own vectors: testcases.json and
 * testdata.json from akamai/AkamaiOPEN-edgegrid-python,
 * akamai/edgegrid/test/ (commit 7111af56988590341caed3acaa0a6f166374fa25,
 * Apache-2.0), copied unchanged to tests/unit/data/edgegrid/.  All 15 cases
 * are checked: data to sign (where given) and Authorization byte for byte.
 * "Header with leading and interior spaces" is refused by Python's requests
 * before signing; its published Authorization is still checked here.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/solver/edgegrid.h"
#include "tests/unit/unit.h"

#define MAXH 8

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Fill r from testdata.json's credentials and one case's request. */
static void
fill(struct edgegrid_req *r, const cJSON *td, const cJSON *req,
    struct edgegrid_header *h, const char **sign)
{
	const cJSON *e, *kv;
	const char *d;
	size_t n = 0;

	r->client_token = str(td, "client_token");
	r->client_secret = str(td, "client_secret");
	r->access_token = str(td, "access_token");
	r->timestamp = str(td, "timestamp");
	r->nonce = str(td, "nonce");
	r->max_body = (size_t)cJSON_GetObjectItem(td, "max_body")->valueint;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(td, "headers_to_sign"))
		if (n < MAXH)
			sign[n++] = e->valuestring;
	r->headers_to_sign = sign;
	r->nsign = n;
	/* base_url's host: https://HOST/ */
	r->method = str(req, "method");
	r->path_query = str(req, "path");
	n = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(req, "headers"))
		cJSON_ArrayForEach(kv, e)
			if (n < MAXH) {
				h[n].name = kv->string;
				h[n++].value = kv->valuestring;
			}
	r->headers = h;
	r->nheaders = n;
	d = str(req, "data");
	r->body = d;
	r->body_len = d ? strlen(d) : 0;
}

void
test_edgegrid_vectors(void)
{
	char *tdtext = unit_read("edgegrid/testdata.json", NULL);
	char *tctext = unit_read("edgegrid/testcases.json", NULL);
	cJSON *td = cJSON_Parse(tdtext), *tc = cJSON_Parse(tctext), *c;
	struct edgegrid_header h[MAXH];
	const char *sign[MAXH], *want;
	struct edgegrid_out out;
	struct edgegrid_req r;
	char host[128], *key;
	int ncases = 0;

	REQUIRE(td != NULL && tc != NULL);
	key = edgegrid_signing_key(str(td, "client_secret"),
	    str(td, "timestamp"));
	CHECK_STR(key, str(td, "sign_key_test"));
	free(key);
	REQUIRE(strncmp(str(td, "base_url"), "https://", 8) == 0);
	snprintf(host, sizeof(host), "%s", str(td, "base_url") + 8);
	host[strcspn(host, "/")] = '\0';
	cJSON_ArrayForEach(c, tc) {
		memset(&r, 0, sizeof(r));
		fill(&r, td, cJSON_GetObjectItem(c, "request"), h, sign);
		r.host = host;
		if (edgegrid_sign(&r, &out) < 0) {
			unit_fail(__FILE__, __LINE__, str(c, "testName"));
			continue;
		}
		if ((want = str(c, "expectedDataToSign")) != NULL)
			CHECK_STR(out.data_to_sign, want);
		CHECK_STR(out.authz, str(c, "expectedAuthorization"));
		edgegrid_out_free(&out);
		ncases++;
	}
	CHECK(ncases == 15);
	cJSON_Delete(td);
	cJSON_Delete(tc);
	free(tdtext);
	free(tctext);
}

/* content_hash_test: POST "test_body" (test_edgegrid.py's own input). */
void
test_edgegrid_content_hash(void)
{
	static const char *const none[] = { "x" };
	struct edgegrid_req r = { .client_token = "c", .client_secret = "s",
		.access_token = "a", .timestamp = "20140321T19:34:21+0000",
		.nonce = "n", .method = "POST", .host = "h", .path_query = "/",
		.headers_to_sign = none, .nsign = 1, .body = "test_body",
		.body_len = 9 };
	struct edgegrid_out out;
	char ts[23];

	REQUIRE(edgegrid_sign(&r, &out) == 0);
	CHECK_STR(out.data_to_sign, "POST\thttps\th\t/\t\t"
	    "REPGqEEubBHzJMhwqDZtbt515/ntEvAMNriNR53zcdY=\t");
	edgegrid_out_free(&out);
	r.method = "PUT";	/* only POST bodies are hashed */
	REQUIRE(edgegrid_sign(&r, &out) == 0);
	CHECK_STR(out.data_to_sign, "PUT\thttps\th\t/\t\t\t");
	edgegrid_out_free(&out);
	REQUIRE(edgegrid_timestamp(1395430461, ts) == 0);
	CHECK_STR(ts, "20140321T19:34:21+0000");
}
