#ifndef ACMEC_ACME_CSRFILE_H
#define ACMEC_ACME_CSRFILE_H

/*
 * A certificate request made elsewhere (acmec.io/csr, issue --csr): its
 * names are the certificate's, its DER is what finalize sends, and its
 * private key is never needed nor read.  The file is read afresh on each
 * run, so a CI job may replace it between runs.
 */

#include "acme/config/config.h"
#include "crypto/csr.h"

/* Read and check the CSR file at path; NULL with util_error() set. */
struct csr *csrfile_read(const char *path);

/*
 * c's CSR (c->csr_file), read and checked against c: an ACME issuer, and
 * the names c lists (dnsNames, ipAddresses, commonName) exactly the CSR's.
 * NULL with util_error() set, saying what to change.
 */
struct csr *csrfile_load(const struct cfg_cert *c);

/*
 * acmec check: read and check the CSR of each Certificate of cfg that has
 * one and runs; each failure reported at its annotation's FILE:LINE:COL.
 * -1 if any failed.
 */
int csrfile_check_config(const struct config *cfg);

/*
 * Ad hoc issue --csr path: c takes the CSR's names if -d gave none, else
 * they must be the same.  Sets c->csr_file.  -1 with util_error() set.
 */
int csrfile_adhoc(const char *path, struct cfg_cert *c);

/*
 * After a set without tls.key is published in dir, the old set's
 * dir/tls.key link leads nowhere: remove it (only such a dangling link),
 * so no key seems to be in service.
 */
void csrfile_drop_key_link(const char *dir);

#endif
