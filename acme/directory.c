/*
 * Opening a session: the CA's directory (RFC 8555 §7.1.1), read from the
 * server or, for issue and renew, from a copy kept in the state directory
 * for a day, so that a run's first round trip asks for nonces, not for the
 * directory.  The copy is read again from the server whenever an answer
 * says it may be out of date (acme_dir_refresh()).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "acme/acme.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/digest.h"

#define DIR_TRIES 4
#define DIR_WAIT_MAX 10
/* How long a kept directory is used without asking the server. */
#define DIR_CACHE_S 86400
#define DIR_CACHE_MAX (64 * 1024)

/* GET the directory at server, with a few tries; r has the answer. */
static int
get_directory(struct acme *a, const char *server, struct http_resp *r,
    struct acme_problem *prob)
{
	long long wait;
	int attempt;

	/* A CA that is briefly down (503, a reset) gets a few tries. */
	for (attempt = 0;; attempt++) {
		if (http_request(a->http, "GET", server, NULL, NULL,
		    "application/json", r) < 0) {
			if (attempt >= DIR_TRIES - 1) {
				acme_problem_local(prob, "cannot reach the ACME "
				    "server: %s", util_error());
				return -1;
			}
			wait = 1LL << attempt;
		} else if (r->status >= 500 && attempt < DIR_TRIES - 1) {
			wait = acme_retry_after(r->retry_after);
			if (wait < 0)
				wait = 1LL << attempt;
			http_resp_free(r);
		} else {
			return 0;
		}
		if (wait > DIR_WAIT_MAX)
			wait = DIR_WAIT_MAX;
		log_info("the ACME server at %s is not answering; trying again "
		    "in %lld s", server, wait);
		util_sleep_ms(wait * 1000);
		if (util_interrupted()) {
			acme_problem_local(prob, "interrupted");
			return -1;
		}
	}
}

/* The file that keeps server's directory (caller frees), or NULL. */
static char *
cache_name(const char *server)
{
	unsigned char md[DIGEST_MAX];
	char *id, *name;

	/* base64url has no '/': 16 bytes of the hash name the file. */
	if (digest_hash(DIGEST_SHA256, server, strlen(server), md) < 0 ||
	    (id = b64_url_encode(md, 16)) == NULL)
		return NULL;
	name = util_printf("directory-%s.json", id);
	free(id);
	return name;
}

/* Keep the directory body (JSON) of a's server; failures only logged. */
static void
cache_write(const struct acme *a, const char *body, size_t len)
{
	cJSON *j = cJSON_CreateObject(), *d = cJSON_ParseWithLength(body, len);
	char *name = cache_name(a->server), *text;

	cJSON_AddStringToObject(j, "server", a->server);
	cJSON_AddNumberToObject(j, "fetched", (double)time(NULL));
	cJSON_AddItemToObject(j, "directory", d);
	text = cJSON_PrintUnformatted(j);
	if (name != NULL && text != NULL && (fs_mkdirs(a->cachedir,
	    0700) < 0 || fs_write_atomic(a->cachedir, name, text,
	    strlen(text), 0600) < 0))
		log_debug("cannot keep the directory: %s", util_error());
	cJSON_free(text);
	cJSON_Delete(j);
	free(name);
}

/* a's directory from the copy kept, if there is one fresh enough. */
static int
cache_read(struct acme *a)
{
	char *name = cache_name(a->server), *path, *text = NULL, *dir = NULL;
	const cJSON *srv, *when;
	cJSON *j = NULL;
	size_t len;
	double age;
	int rc = -1;

	path = name ? util_printf("%s/%s", a->cachedir, name) : NULL;
	if (path == NULL || fs_read(path, DIR_CACHE_MAX, &text, &len) < 0)
		goto out;
	j = cJSON_ParseWithLength(text, len);
	srv = cJSON_GetObjectItemCaseSensitive(j, "server");
	when = cJSON_GetObjectItemCaseSensitive(j, "fetched");
	if (!cJSON_IsString(srv) || strcmp(srv->valuestring, a->server) != 0 ||
	    !cJSON_IsNumber(when))
		goto out;
	age = difftime(time(NULL), (time_t)when->valuedouble);
	if (age < -60 || age > DIR_CACHE_S)
		goto out;
	dir = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j,
	    "directory"));
	if (dir == NULL || acme_parse_directory(dir, strlen(dir),
	    &a->dir) < 0) {
		acme_dir_free(&a->dir);
		goto out;
	}
	log_debug("the directory of %s as read %.0f s ago", a->server, age);
	a->dir_cached = true;
	rc = 0;
out:
	cJSON_free(dir);
	cJSON_Delete(j);
	free(text);
	free(path);
	free(name);
	return rc;
}

/* Read a's directory from its server (and keep a copy if asked). */
static int
read_directory(struct acme *a, struct acme_problem *prob)
{
	const char *server = a->server;
	struct http_resp r;
	int rc = -1;

	if (get_directory(a, server, &r, prob) < 0)
		return -1;
	acme_nonce_keep(a, &r);
	if (r.status >= 300 && r.status < 400) {
		acme_problem_local(prob, "the ACME directory %s redirects to "
		    "%s; give the final https:// URL as the server", server,
		    r.location ? r.location : "nowhere");
		goto out;
	}
	if (r.status != 200) {
		acme_problem_parse(r.body.data, r.body.len, r.status,
		    r.retry_after, prob);
		free(prob->detail);
		prob->detail = util_printf("the ACME directory %s answered "
		    "HTTP %ld", server, r.status);
		goto out;
	}
	if (acme_parse_directory(r.body.data ? r.body.data : "", r.body.len,
	    &a->dir) < 0) {
		acme_problem_local(prob, "%s is not an ACME directory (no "
		    "newNonce, newAccount or newOrder)", server);
		goto out;
	}
	a->dir_cached = false;
	if (a->cachedir != NULL)
		cache_write(a, r.body.data, r.body.len);
	rc = 0;
out:
	http_resp_free(&r);
	return rc;
}

int
acme_dir_refresh(struct acme *a, struct acme_problem *prob)
{
	struct acme_dir old = a->dir;

	log_debug("the directory kept for %s may be out of date; reading it "
	    "again", a->server);
	memset(&a->dir, 0, sizeof(a->dir));
	if (read_directory(a, prob) < 0) {
		acme_dir_free(&a->dir);
		a->dir = old;
		return -1;
	}
	acme_dir_free(&old);
	return 0;
}

int
acme_open_cached(struct acme *a, const char *server, const char *ca,
    size_t calen, bool insecure, const char *cachedir,
    struct acme_problem *prob)
{
	memset(a, 0, sizeof(*a));
	acme_problem_free(prob);
	a->server = util_strdup(server);
	a->cachedir = util_strdup(cachedir);
	if ((a->http = http_new(ca, calen, insecure)) == NULL) {
		acme_problem_local(prob, "%s", util_error());
		acme_close(a);
		return -1;
	}
	if ((cachedir == NULL || cache_read(a) < 0) &&
	    read_directory(a, prob) < 0) {
		acme_close(a);
		return -1;
	}
	return 0;
}

int
acme_open(struct acme *a, const char *server, const char *ca, size_t calen,
    bool insecure, struct acme_problem *prob)
{
	return acme_open_cached(a, server, ca, calen, insecure, NULL, prob);
}

const char *
acme_staging_twin(const char *server)
{
	/* Each CA's documentation: production, then its staging twin. */
	static const char *const twins[][2] = {
		{ ACME_LE_PRODUCTION, ACME_LE_STAGING },
		{ "https://dv.acme-v02.api.pki.goog/directory",
		  "https://dv.acme-v02.test-api.pki.goog/directory" },
	};
	size_t i;

	for (i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		if (strcmp(server, twins[i][0]) == 0)
			return twins[i][1];
	return NULL;
}
