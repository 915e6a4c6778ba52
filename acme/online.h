#ifndef ACMEC_ACME_ONLINE_H
#define ACMEC_ACME_ONLINE_H

/*
 * acmec check --online: what a run needs from the world, probed without
 * creating or changing anything there.  Each check prints one line on
 * stdout, "WHAT: OK" or "WHAT: FAILED: why; what to change"; the messages
 * of the layers below go into that line (shown on stderr as well with
 * -v).  A check made once (a port, a webroot and name, a TSIG key and
 * zone) is not made again for the next Certificate.
 */

#include <stddef.h>

#include "acme/config/config.h"
#include "acme/store.h"
#include "acme/util.h"

struct online {
	const char *config; /* -c, for the commands suggested */
	const char *secrets_given; /* --secrets-dir, or NULL */
	struct store st;    /* paths only: nothing is created */
	size_t ok, failed;
	struct strlist done; /* checks made: their keys */
};

/* Start with config (-c), statedir (-s), secretsdir (NULL: default). */
void online_init(struct online *o, const char *config, const char *statedir,
    const char *secretsdir);

/*
 * The directory of is answers (its terms of service and website shown)
 * and its account key exists and is registered there (newAccount with
 * onlyReturnExisting).  Counted in o.
 */
void online_issuer(struct online *o, const struct cfg_issuer *is);

/*
 * Each name of c has a solver, and that solver is ready: a port that can
 * be bound, a webroot served at http://NAME/, a TSIG key the nameserver
 * accepts, a hook that exists, a provider's credentials that work.
 */
void online_cert(struct online *o, const struct cfg_cert *c);

void online_free(struct online *o);

#endif
