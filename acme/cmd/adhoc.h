#ifndef ACMEC_ACME_CMD_ADHOC_H
#define ACMEC_ACME_CMD_ADHOC_H

/*
 * Ad hoc issue: a certificate described by issue's flags alone.  The
 * issuer is written as the ClusterIssuer a user would write (and read
 * through the configuration's own checks); credentials come from the
 * environment variables each provider's own tools use, never from argv.
 */

#include <stdbool.h>

#include "acme/config/config.h"

struct adhoc {
	bool on;      /* -d given: the certificate is described by flags */
	int flags;    /* ad hoc flags given */
	int jobs;     /* --jobs */
	bool json;    /* --json */
	struct cfg_hooks hooks; /* --pre-hook, --post-hook */
	bool dry_run; /* --dry-run */
	int modes;    /* --standalone, --tls-alpn, --webroot, --dns... given */
	char *first;  /* the first -d name */
	char *csr;    /* --csr FILE */
	bool key_type; /* --key-type given */
	/* the issuer's flags */
	char *server, *email, *profile, *chain, *eab_kid;
	bool staging;
	char *ca_bundle;
	size_t ca_bundle_len;
	/* the solver's: one of these */
	char mode;          /* 'S' standalone, 'T' tls-alpn, 'w' webroot,
			       'D' --dns, 'H' --dns-hook */
	char *listen;       /* --standalone / --tls-alpn ADDR:PORT */
	char *webroot;
	char *dns;          /* --dns PROVIDER */
	char *dns_hook;     /* --dns-hook PROGRAM */
	struct strlist resolvers; /* --dns-resolver HOST[:PORT] */
	struct config cfg;  /* the issuer, once made */
	struct cfg_cert cert;
	char *out;
};

/* --dns PROVIDER: one acmec knows?  Usage error (reported) if not. */
int adhoc_check_provider(const char *name);

/*
 * Make ad's issuer from its flags and the environment (ad->cert.issuer is
 * set); -1 (reported) if something is missing or refused.
 */
int adhoc_issuer(struct adhoc *ad);

void adhoc_free(struct adhoc *ad);

#endif
