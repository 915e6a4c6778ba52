#ifndef ACMEC_ACME_STATUS_H
#define ACMEC_ACME_STATUS_H

/*
 * What acmec knows of each Certificate between runs, in
 * STATEDIR/status/NAMESPACE/NAME.json: counts and times of issuance, the
 * last error, the last order with its authorizations and challenges (for
 * `acmec status NAME`), the configuration the files were issued for, and
 * the ARI schedule.  Reading never needs the network.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "acme/config/config.h"
#include "acme/store.h"

struct status_authz {
	char *ident;
	char *status;    /* the authorization's state */
	char *type;      /* the challenge answered */
	char *ch_status; /* its state */
	char *error_type, *error_detail;
};

struct cert_status {
	long revision;        /* certificates issued so far */
	time_t last_issued;
	double issue_seconds;  /* how long that issuance took; 0 unknown */
	time_t last_failure;  /* 0: none since the last success */
	int failed_attempts;  /* since the last success */
	char *last_error;
	char *config_hash;    /* the settings the files in service are for */
	char *order_url, *order_status;
	struct status_authz *authz;
	size_t nauthz;
	/* What was last verified of the files in service, and their digest:
	 * while the digest holds, renew need not parse them again. */
	char *files_hash;
	time_t not_before, not_after;
	char *cert_id;        /* their RFC 9773 identifier */
	char *serial;         /* the leaf's serial number, hex */
	char *issuer_cn;
	char *ari_id;         /* the certificate the ARI data is about */
	time_t ari_renew_at;  /* chosen inside the CA's window; 0 none */
	time_t ari_next_check; /* when the CA may be asked again */
	/* The last certificate `acmec revoke` revoked (by its serial, so a
	 * later one is not taken for it), when, and why. */
	char *revoked_serial;
	time_t revoked_at;
	char *revoked_reason;
};

/* Load c's status; a missing file is an empty status. */
int status_load(const struct store *st, const struct cfg_cert *c,
    struct cert_status *s);

/*
 * The status as the JSON text status_save() writes (pretty: indented),
 * caller frees; and back (0, or -1 if data is not a JSON object; s is
 * zeroed first and always freed with status_free()).  export carries it
 * in an annotation, import writes it back.
 */
char *status_json(const struct cert_status *s, bool pretty);
int status_parse(const char *data, size_t len, struct cert_status *s);

/* Save atomically; errors are reported. */
int status_save(const struct store *st, const struct cfg_cert *c,
    const struct cert_status *s);

void status_clear_order(struct cert_status *s);
/* Record the order's state (its name, as acme_status_name() gives it). */
void status_set_order(struct cert_status *s, const char *state);

/* Was the certificate of this serial (hex; may be NULL) revoked? */
bool status_revoked(const struct cert_status *s, const char *serial);

/*
 * Record that the certificate of this serial was revoked (for reason,
 * NULL if none given): load c's status, note it, save.  Errors are
 * reported.
 */
int status_record_revoked(const struct store *st, const struct cfg_cert *c,
    const char *serial, const char *reason);
/*
 * The outcome of an attempt, in s (saved by the caller).  Issued: a new
 * certificate for c is in service, its ARI identifier ari_id (NULL: none;
 * taken over) and no schedule yet; the failure count starts over.  Failed,
 * with the error reported (NULL or "": "failed"); count says whether it
 * counts as a failed attempt to obtain one (a deploy hook's failure does
 * not).
 */
void status_record_issued(struct cert_status *s, const struct cfg_cert *c,
    time_t now, char *ari_id);
void status_record_failure(struct cert_status *s, time_t now,
    const char *error, bool count);

void status_free(struct cert_status *s);

/*
 * A digest of what the files must match: names and key settings.  A
 * Certificate whose hash changed is due.  Caller frees.
 */
char *status_config_hash(const struct cfg_cert *c);

#endif
