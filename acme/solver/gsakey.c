/* A Google service account's JSON key file, see gsakey.h. */

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/log.h"
#include "acme/solver/gsakey.h"
#include "acme/util.h"
#include "crypto/err.h"

/* The token endpoints Google's key files name (older keys, the v4 one). */
static const char *const token_uris[] = {
	GSAKEY_TOKEN_URI,
	"https://accounts.google.com/o/oauth2/token",
	"https://www.googleapis.com/oauth2/v4/token",
	NULL,
};

static int
sa_str(const cJSON *j, const char *field, bool required, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, field);

	*out = NULL;
	if (v == NULL && !required)
		return 0;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		util_seterr("no %s in it: give the service account's JSON key "
		    "file as Google made it", field);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/* Where the assertion may go: Google's https token endpoints only. */
static int
sa_token_uri(const char *uri)
{
	size_t i;

	if (strncmp(uri, "https://", 8) != 0) {
		util_seterr("token_uri '%s' is not https: the signed assertion "
		    "would travel in clear (Google's is " GSAKEY_TOKEN_URI
		    ")", log_esc(uri));
		return -1;
	}
	for (i = 0; token_uris[i] != NULL; i++)
		if (strcmp(uri, token_uris[i]) == 0)
			return 0;
	util_seterr("token_uri '%s' is not Google's token endpoint ("
	    GSAKEY_TOKEN_URI "): acmec sends the signed assertion only "
	    "there", log_esc(uri));
	return -1;
}

int
gsakey_parse(const char *json, size_t len, struct gsakey *sa)
{
	cJSON *j = cJSON_ParseWithLength(json, len);
	const char *type, *email, *pem, *uri;
	int rc = -1;

	memset(sa, 0, sizeof(*sa));
	if (!cJSON_IsObject(j)) {
		util_seterr("not JSON: give the service account's JSON key "
		    "file as Google made it");
		goto out;
	}
	if (sa_str(j, "type", true, &type) < 0 ||
	    sa_str(j, "client_email", true, &email) < 0 ||
	    sa_str(j, "private_key", true, &pem) < 0 ||
	    sa_str(j, "token_uri", false, &uri) < 0)
		goto out;
	if (strcmp(type, "service_account") != 0) {
		util_seterr("type '%s' is not a service account's key: create "
		    "a JSON key for a service account (gcloud iam "
		    "service-accounts keys create)", log_esc(type));
		goto out;
	}
	if (strchr(email, '@') == NULL || strlen(email) > 256) {
		util_seterr("client_email '%s' is not an address",
		    log_esc(email));
		goto out;
	}
	if (sa_token_uri(uri != NULL ? uri : GSAKEY_TOKEN_URI) < 0)
		goto out;
	if ((sa->key = key_load_pem(pem, strlen(pem))) == NULL ||
	    key_get_type(sa->key) != KEY_RSA) {
		util_seterr("its private_key is not an RSA key in PEM%s%s",
		    sa->key == NULL ? ": " : "", sa->key == NULL ?
		    crypto_error() : "");
		goto out;
	}
	sa->email = util_strdup(email);
	sa->token_uri = util_strdup(uri != NULL ? uri : GSAKEY_TOKEN_URI);
	rc = 0;
out:
	if (j != NULL && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j,
	    "private_key"))) {
		pem = cJSON_GetObjectItemCaseSensitive(j,
		    "private_key")->valuestring;
		explicit_bzero((char *)pem, strlen(pem));
	}
	cJSON_Delete(j);
	if (rc < 0)
		gsakey_free(sa);
	return rc;
}

void
gsakey_free(struct gsakey *sa)
{
	free(sa->email);
	free(sa->token_uri);
	key_free(sa->key);
	memset(sa, 0, sizeof(*sa));
}
