#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/digest.h"
#include "crypto/err.h"
#include "jws/jwk.h"
#include "jws/keyauth.h"

bool
keyauth_token_valid(const char *token)
{
	size_t i, n = strlen(token);

	if (n < 16 || n > 255)
		return false;
	for (i = 0; i < n; i++) {
		char c = token[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

char *
keyauth_make(const char *token, const struct key *account)
{
	char *thumb, *out = NULL;
	size_t n;

	if (!keyauth_token_valid(token)) {
		crypto_seterr("the CA sent a challenge token that is not "
		    "base64url");
		return NULL;
	}
	if ((thumb = jwk_thumbprint(account)) == NULL)
		return NULL;
	n = strlen(token) + 1 + strlen(thumb) + 1;
	if ((out = malloc(n)) == NULL)
		crypto_seterr("out of memory");
	else
		snprintf(out, n, "%s.%s", token, thumb);
	free(thumb);
	return out;
}

char *
keyauth_dns01(const char *keyauth)
{
	unsigned char digest[DIGEST_MAX];

	if (digest_hash(DIGEST_SHA256, keyauth, strlen(keyauth), digest) < 0)
		return NULL;
	return b64_url_encode(digest, 32);
}
