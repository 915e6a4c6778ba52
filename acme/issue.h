#ifndef ACMEC_ACME_ISSUE_H
#define ACMEC_ACME_ISSUE_H

/*
 * Issuing one Certificate, the way `issue` and `renew` share: lock, decide
 * whether it is due, order, write the files as one set, run the deploy
 * hook, record the outcome.  And running many of them on parallel workers,
 * each with its own connections.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "acme/config/config.h"
#include "acme/status.h"
#include "acme/store.h"
#include "crypto/cert.h"

/* The files of a Certificate as they are on disk (no network). */
struct issue_files {
	bool exists;       /* tls.crt holds a certificate */
	bool key_ok;       /* tls.key is its key */
	time_t not_before, not_after;
	time_t renewal_time; /* cert-manager's rules (ARI aside) */
	char *ari_id;      /* RFC 9773 certificate identifier, or NULL */
	char *serial;      /* the leaf's serial number (hex), or NULL */
	char *issuer_cn;
	char *files_hash;  /* digest of tls.crt and tls.key */
	bool cached;       /* taken from the status, files unchanged */
	const char *problem; /* why it is not ready, or NULL */
};

/*
 * Look at c's files in dir (NULL: its Secret); never fails.  When their
 * digest is the one cache recorded (may be NULL), what was verified then
 * is used instead of parsing them again: renew over many certificates
 * reads two files and a small JSON each.
 */
void issue_inspect(const struct store *st, const struct cfg_cert *c,
    const char *dir, const struct cert_status *cache, struct issue_files *cs);

/* Record what cs verified in s, for issue_inspect() to trust later. */
void issue_cache_files(struct cert_status *s, const struct issue_files *cs);
void issue_files_free(struct issue_files *cs);

/*
 * When a certificate valid from nb to na is due by cert-manager's rules:
 * renewBeforePercentage, else renewBefore, else at 2/3 of its lifetime.
 */
time_t issue_renewal_time(const struct cfg_cert *c, time_t nb, time_t na);

/* The RFC 9773 identifier of leaf: base64url(AKI).base64url(serial). */
char *issue_ari_id(const struct cert *leaf);

enum issue_result {
	ISSUE_DONE,
	ISSUE_NOT_DUE,
	ISSUE_FAILED,
};

/* What a run did, for the summary line. */
struct issue_counts {
	size_t done, not_due, failed;
	bool hook_failed; /* a post hook (a pre hook fails its orders) */
};

/* What one Certificate's run did and wrote, for issue --json. */
struct issue_report {
	enum issue_result result;
	char *dir;             /* the Secret directory */
	struct strlist files;  /* the files written in dir, by name */
	struct issue_files in_service; /* what dir holds after an issuance */
	char *error;           /* the first error, if it failed */
};

void issue_report_free(struct issue_report *r);

/* issue_run's flags. */
enum {
	ISSUE_FORCE = 1,   /* every certificate, due or not */
	ISSUE_DRY_RUN = 2, /* order, verify and drop (acme/dryrun.h) */
};

/*
 * Issue every certificate of certs (n of them) on up to jobs parallel
 * workers: all of them with ISSUE_FORCE, else those that are due (renew).
 * ISSUE_DRY_RUN: each order goes to dryrun_server(), for a throwaway key,
 * without ARI's "replaces"; the certificate is verified and dropped, and
 * nothing is written (Secrets, keystores, status) nor run (deploy hook;
 * the pre and post hooks do run, as certbot's do); the certificate's lock
 * is taken as in a real run, and DONE means the order worked.  outdir
 * overrides the Secret directory (ad hoc, one certificate).  The pre and
 * post hooks of hooks (NULL: none) and of the certificates' issuers run
 * around the orders (runhook.h).  One failure does not stop the others;
 * counts says what happened, and reports (NULL, or n of them, zeroed but
 * for result, caller frees) what each certificate's run did.
 */
void issue_run(const struct store *st, const struct cfg_cert *const *certs,
    size_t n, int jobs, unsigned flags, const char *outdir,
    const struct cfg_hooks *hooks, struct issue_counts *counts,
    struct issue_report *reports);

#endif
