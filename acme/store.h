#ifndef ACMEC_ACME_STORE_H
#define ACMEC_ACME_STORE_H

#include <stdbool.h>

/*
 * The on-disk layout (acmec(1) FILES):
 *   STATEDIR/                 0700
 *   STATEDIR/locks/           one lock file per certificate and account
 *   STATEDIR/cache/           ACME directories kept a day (directory-*.json)
 *   SECRETS/NAME/KEY          a Secret's key (SECRETS: STATEDIR/secrets or
 *                             --secrets-dir)
 *   SECRETS/ACCOUNT/tls.key   an issuer's account key (privateKeySecretRef)
 *   SECRETS/ACCOUNT/account.json  the account URL at that server
 *   SECRETS/SECRETNAME/{tls.crt,tls.key,ca.crt}  a Certificate's files
 * Functions that fail report the error themselves, naming the path.
 */

struct store {
	char *statedir;
	char *secretsdir;
	/* STATEDIR/locks, opened (and checked) once by store_open() */
	bool locks_open;
	int locks_fd;
};

/* The paths only, creating nothing: for commands that only read. */
void store_paths(struct store *st, const char *statedir,
    const char *secretsdir);

/* store_paths(), and create the directories (0700) if missing. */
int store_open(struct store *st, const char *statedir,
    const char *secretsdir);
void store_close(struct store *st);

/* SECRETS/name, and SECRETS/name/key; caller frees. */
char *store_secret_dir(const struct store *st, const char *name);
char *store_secret_path(const struct store *st, const char *name,
    const char *key);

/*
 * Lock "what" (e.g. "certificate-default-web"): without wait, a lock held
 * by another acmec is reported as such.  *fd for fs_unlock().
 */
int store_lock(const struct store *st, const char *what, int wait, int *fd);

/* The lock of Certificate namespace/name, as store_lock(). */
int store_lock_cert(const struct store *st, const char *ns,
    const char *name, int wait, int *fd);

#endif
