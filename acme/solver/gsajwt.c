/* Google service-account JWT (RS256), see gsajwt.h. */

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/solver/gsajwt.h"
#include "acme/util.h"
#include "crypto/b64.h"

static char *
claims_b64(const char *iss, const char *scope, const char *aud,
    long long iat)
{
	cJSON *c = cJSON_CreateObject();
	char *s, *b = NULL;

	cJSON_AddStringToObject(c, "iss", iss);
	cJSON_AddStringToObject(c, "scope", scope);
	cJSON_AddStringToObject(c, "aud", aud ? aud : GSAJWT_AUD);
	cJSON_AddNumberToObject(c, "iat", (double)iat);
	cJSON_AddNumberToObject(c, "exp", (double)(iat + 3600));
	if ((s = cJSON_PrintUnformatted(c)) != NULL) {
		b = b64_url_encode((unsigned char *)s, strlen(s));
		free(s);
	}
	cJSON_Delete(c);
	return b;
}

char *
gsajwt_make(const struct key *key, const char *iss, const char *scope,
    const char *aud, long long iat)
{
	static const char hdr[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	char *h = NULL, *c = NULL, *in = NULL, *sig64 = NULL, *jwt = NULL;
	unsigned char *sig = NULL;
	size_t siglen;

	if (key_get_type(key) != KEY_RSA) {
		util_seterr("a Google service account key must be RSA");
		return NULL;
	}
	if ((h = b64_url_encode((const unsigned char *)hdr,
	    sizeof(hdr) - 1)) == NULL ||
	    (c = claims_b64(iss, scope, aud, iat)) == NULL)
		goto out;
	in = util_printf("%s.%s", h, c);
	if (key_sign(key, in, strlen(in), &sig, &siglen) < 0 ||
	    (sig64 = b64_url_encode(sig, siglen)) == NULL)
		goto out;
	jwt = util_printf("%s.%s", in, sig64);
out:
	free(h);
	free(c);
	free(in);
	free(sig);
	free(sig64);
	return jwt;
}
