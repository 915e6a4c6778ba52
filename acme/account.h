#ifndef ACMEC_ACME_ACCOUNT_H
#define ACMEC_ACME_ACCOUNT_H

#include "acme/config/config.h"
#include "acme/acme.h"
#include "acme/store.h"

/*
 * Make a->key and a->kid the issuer's account: load its key (or create an
 * EC P-256 key, 0600, unless disableAccountKeyGeneration), and reuse the
 * account URL stored beside it for this server; without one, look the key
 * up (onlyReturnExisting) and register it if the CA does not know it,
 * agreeing to the terms of service.  At a server other than the issuer's
 * (a->server: a dry run's staging twin) no URL is read or stored.  *key
 * (caller frees) is the key.  Errors are reported here.
 */
int account_ensure(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **key);

/*
 * Before anything is written: would registering be refused for want of an
 * external account binding (the CA's directory requires one, the issuer
 * has none, and there is no account key yet)?  -1 (reported) if so.
 */
int account_can_register(const struct acme *a, const struct cfg_issuer *is,
    const struct store *st);

/* Why account_find() found no account. */
enum account_none {
	ACCOUNT_NO_KEY,      /* no account key yet */
	ACCOUNT_DEACTIVATED, /* only the key set aside by deactivate */
	ACCOUNT_UNKNOWN,     /* the CA knows no account for the key */
};

/*
 * Read-only account_ensure(): make a->key and a->kid the issuer's existing
 * account, never creating a key, registering or writing anything.  0 when
 * found (*key, caller frees, is the key), 1 when there is none (*why says
 * why; nothing reported), -1 on error (reported).
 */
int account_find(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **key, enum account_none *why);

/*
 * account_find() that always asks the CA (newAccount with
 * onlyReturnExisting, RFC 8555 §7.3.1), whatever URL is stored: check
 * --online.  Nothing is created or written.
 */
int account_lookup(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **key, enum account_none *why);

/* The path of the issuer's account key file; caller frees. */
char *account_key_path(const struct cfg_issuer *is, const struct store *st);

/*
 * Where the account key is, for messages: its Secret document when the
 * configuration holds one, else that path; caller frees.
 */
char *account_key_where(const struct cfg_issuer *is, const struct store *st);

/* The account's status and contacts (POST-as-GET); errors reported. */
int account_fetch(struct acme *a, char **status, struct strlist *contacts);

/* Set the account's contact to mailto:email. */
int account_update_email(struct acme *a, const char *email);

/*
 * Roll the account key (RFC 8555 §7.3.5): a new key of type (bits for
 * RSA), or of the same type if type is -1; the key file is replaced only
 * once the CA has confirmed.  *key becomes the new key.
 */
int account_rekey(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **key, int type, int bits);

/*
 * Deactivate the account; its key is then renamed KEY.deactivated and the
 * stored URL dropped, so that the next use registers a new account.
 */
int account_deactivate(struct acme *a, const struct cfg_issuer *is,
    const struct store *st);

struct cert;

/*
 * Revoke the certificate leaf (RFC 8555 §7.6) for reason (an RFC 5280
 * code, -1: none given), signed with a->key: the account's (a->kid set) or
 * the certificate's own key (a->kid NULL).  -1 with prob filled when the
 * CA refuses (the caller tells alreadyRevoked apart); other failures are
 * in prob too.
 */
int account_revoke(struct acme *a, const struct cert *leaf, int reason,
    struct acme_problem *prob);

#endif
