#ifndef ACMEC_ACME_ACCOUNT_H
#define ACMEC_ACME_ACCOUNT_H

#include "acme/config.h"
#include "acme/proto.h"
#include "acme/store.h"

/*
 * Make a->key and a->kid the issuer's account: load its key (or create an
 * EC P-256 key, 0600, unless disableAccountKeyGeneration), and reuse the
 * account URL stored beside it for this server; without one, look the key
 * up (onlyReturnExisting) and register it if the CA does not know it,
 * agreeing to the terms of service.  *key (caller frees) is the key.
 * Errors are reported here.
 */
int account_ensure(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **key);

#endif
