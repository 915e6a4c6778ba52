/*
 * Unit tests of acme_staging_twin() (acme/directory.c) and dryrun_server()
 * (acme/dryrun.c): the directory URLs from Let's Encrypt's "Staging
 * Environment" page and Google Trust Services' ACME documentation.
 */

#include <stddef.h>

#include "acme/acme.h"
#include "acme/dryrun.h"
#include "tests/unit/unit.h"

#define GTS_PROD "https://dv.acme-v02.api.pki.goog/directory"
#define GTS_STAGING "https://dv.acme-v02.test-api.pki.goog/directory"

void
test_dryrun_staging_twin(void)
{
	static const char *const none[] = {
		ACME_LE_STAGING,  /* staging already: no twin of its own */
		GTS_STAGING,
		"https://127.0.0.1:14000/dir",
		"https://acme.zerossl.com/v2/DV90",
		/* Exact URLs only: a near one is not the CA's. */
		"https://acme-v02.api.letsencrypt.org/directory/",
		"http://acme-v02.api.letsencrypt.org/directory",
		"https://ACME-V02.api.letsencrypt.org/directory",
		"https://acme-v02.api.letsencrypt.org/directory?x",
		"https://acme-v02.api.letsencrypt.org.evil.example/directory",
		"",
	};
	size_t i;

	CHECK_STR(ACME_LE_PRODUCTION,
	    "https://acme-v02.api.letsencrypt.org/directory");
	CHECK_STR(ACME_LE_STAGING,
	    "https://acme-staging-v02.api.letsencrypt.org/directory");
	CHECK_STR(acme_staging_twin(ACME_LE_PRODUCTION), ACME_LE_STAGING);
	CHECK_STR(acme_staging_twin(GTS_PROD), GTS_STAGING);
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		CHECK(acme_staging_twin(none[i]) == NULL);
}

void
test_dryrun_server(void)
{
	struct cfg_issuer is = { 0 };

	is.server = (char *)ACME_LE_PRODUCTION;
	CHECK_STR(dryrun_server(&is), ACME_LE_STAGING);
	is.server = (char *)GTS_PROD;
	CHECK_STR(dryrun_server(&is), GTS_STAGING);
	/* No twin known: the issuer's own server, the same string. */
	is.server = (char *)"https://ca.internal.example/acme/directory";
	CHECK(dryrun_server(&is) == is.server);
	is.server = (char *)ACME_LE_STAGING;
	CHECK(dryrun_server(&is) == is.server);
}
