#ifndef ACMEC_ACME_RUNHOOK_H
#define ACMEC_ACME_RUNHOOK_H

/*
 * A run's pre and post hooks, certbot's --pre-hook and --post-hook: the
 * command line's apply to every order of the run, an issuer's
 * (acmec.io/pre-hook, acmec.io/post-hook) to the orders of its
 * Certificates.  Each pre hook runs once, before the first order that
 * needs it, while the other workers that need it wait; each post hook
 * runs once, after the run's last order, whatever the orders' outcome, if
 * its pre hook was started (without a pre hook: if an order that needed
 * it started).  A run that orders nothing runs no hook.
 *
 * Their environment: ACMEC_HOOK=pre or post, ACMEC_CERT_NAMES the names
 * of the Certificates (space separated) the hook is for: for a pre hook,
 * those of the run it applies to (renew decides which are due one by one,
 * after it), for a post hook those that were ordered.
 */

#include <stddef.h>

#include "acme/config/config.h"

struct runhook;

/*
 * The hooks of a run over certs (n): cli's (may be NULL) and those of the
 * certificates' issuers.  Borrows all three until runhook_free().
 */
struct runhook *runhook_new(const struct cfg_hooks *cli,
    const struct cfg_cert *const *certs, size_t n);

/*
 * Before c's order (any thread): run the pre hooks c needs that have not
 * run yet, or wait for the one running.  0: go on; -1 if one of them
 * failed (now or before), reported (c is not to be ordered).  rh may be
 * NULL: no hooks.
 */
int runhook_pre(struct runhook *rh, const struct cfg_cert *c);

/*
 * After the run's last order (all workers done, also after a stop
 * signal): the post hooks that are owed.  -1 if one failed (reported).
 */
int runhook_post(struct runhook *rh);

void runhook_free(struct runhook *rh);

#endif
