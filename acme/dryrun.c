/* Where a dry run's orders go, and the line that says how it went. */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/acme.h"
#include "acme/dryrun.h"
#include "acme/log.h"
#include "acme/order.h"
#include "crypto/cert.h"

const char *
dryrun_server(const struct cfg_issuer *is)
{
	const char *twin = acme_staging_twin(is->server);

	return twin != NULL ? twin : is->server;
}

/* Has an issuer before certs[i] the same issuer? */
static bool
seen_before(const struct cfg_cert *const *certs, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (certs[k]->issuer == certs[i]->issuer)
			return true;
	return false;
}

void
dryrun_announce(const struct cfg_cert *const *certs, size_t n)
{
	const struct cfg_issuer *is;
	const char *twin;
	size_t i;

	for (i = 0; i < n; i++) {
		is = certs[i]->issuer;
		if (is == NULL || is->type != ISSUER_ACME ||
		    seen_before(certs, i))
			continue;
		if ((twin = acme_staging_twin(is->server)) != NULL)
			log_info("dry run: issuer '%s' uses the production "
			    "server %s; its orders go to that CA's staging "
			    "server %s instead (as certbot's --dry-run does), "
			    "with the same account key", is->name,
			    log_esc(is->server), twin);
		else
			log_info("dry run: issuer '%s' orders from its own "
			    "server %s (no staging twin is known for it): the "
			    "CA issues real certificates, which acmec "
			    "verifies and drops", is->name,
			    log_esc(is->server));
	}
}

void
dryrun_result(const struct cfg_cert *c, bool ok,
    const struct order_result *res, const char *dir)
{
	char date[32];
	time_t na;

	if (!ok) {
		log_event(LOG_RESULT, "dry-run", "dry run: %s: would not be "
		    "issued (see above); nothing written", c->name);
		return;
	}
	na = cert_not_after(res->chain.v[0]);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&na));
	log_event(LOG_RESULT, "dry-run", "dry run: %s: would be issued (the "
	    "CA issued a certificate valid until %s, verified and dropped); "
	    "OK, nothing written to %s", c->name, date, dir);
}
