#ifndef ACMEC_CRYPTO_ERR_H
#define ACMEC_CRYPTO_ERR_H

/*
 * crypto/ and jws/ do no I/O and no logging.  A function that fails records
 * why in a per-thread message and returns -1 or NULL; the caller, which knows
 * what the user was trying to do, reports it once.
 */

/* The last failure's message in this thread; never NULL, "" when none. */
const char *crypto_error(void);

/* Record a failure; replaces the previous message. */
void crypto_seterr(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Free memory that held a secret (key PEM, MAC key), wiping it first. */
void crypto_secret_free(void *p, size_t len);

#endif
