#ifndef ACMEC_ACME_KEYSTORE_H
#define ACMEC_ACME_KEYSTORE_H

/*
 * A Certificate's keystores (spec.keystores), written with its PEM files
 * as cert-manager adds them to the Secret: keystore.p12 and
 * truststore.p12 (pkcs12), keystore.jks and truststore.jks (jks), each
 * 0600, encrypted with the keystore's password.
 */

#include <stdbool.h>
#include <stddef.h>

#include "acme/config/config.h"
#include "acme/fs.h"

struct cert_chain;
struct key;

#define KEYSTORE_MAX_FILES 4

/* The encoded files, for an fs_publish() set; data owned here. */
struct keystore_files {
	struct fs_file v[KEYSTORE_MAX_FILES];
	unsigned char *data[KEYSTORE_MAX_FILES];
	size_t n;
};

/*
 * Encode the keystores c creates for key, chain (tls.crt, leaf first) and
 * capem (ca.crt: the truststores' certificates), the passwords read from
 * c's Secrets under secretsdir.  Errors are reported here, naming c and
 * what to change.
 */
int keystore_build(const struct cfg_cert *c, const char *secretsdir,
    const struct key *key, const struct cert_chain *chain, const char *capem,
    size_t calen, struct keystore_files *ks);

/*
 * Can c's keystore passwords be read?  Asked before ordering, so that a
 * missing password costs no order at the CA.  Errors reported here.
 */
int keystore_check(const struct cfg_cert *c, const char *secretsdir);

/* Wipe and free; accepts a zeroed set. */
void keystore_files_free(struct keystore_files *ks);

/*
 * Do c's keystore files in dir differ from what c asks for: one created
 * but missing, or one no longer created but present?  cert-manager then
 * writes the Secret again without issuing.
 */
bool keystore_stale(const struct cfg_cert *c, const char *dir);

#endif
