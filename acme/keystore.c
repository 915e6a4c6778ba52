/*
 * spec.keystores: the PKCS#12 and JKS files cert-manager puts next to
 * tls.crt (pkg/controller/certificates/issuing/internal/keystore.go).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "acme/keystore.h"
#include "acme/log.h"
#include "acme/util.h"
#include "crypto/cert.h"
#include "crypto/err.h"
#include "crypto/jks.h"
#include "crypto/pkcs12.h"

/* The most a password Secret holds that acmec reads. */
#define KEYSTORE_PW_MAX 4096

static const char *const file_names[2][2] = {
	{ "keystore.p12", "truststore.p12" },
	{ "keystore.jks", "truststore.jks" },
};

/*
 * The password of ks, as cert-manager reads it: the literal, else the
 * Secret's value exactly as stored (a trailing newline is part of it).
 * Caller frees with crypto_secret_free(*pw, *len).
 */
static int
password(const struct cfg_cert *c, const struct cfg_keystore *ks,
    const char *what, const char *secretsdir, char **pw, size_t *len)
{
	char *where;

	if (ks->password != NULL) {
		*pw = util_strdup(ks->password);
		*len = strlen(*pw);
		return 0;
	}
	where = config_secret_where(&ks->password_ref, NULL, secretsdir);
	if (config_secret_get(&ks->password_ref, NULL, secretsdir,
	    KEYSTORE_PW_MAX, pw, len) < 0) {
		log_error("%s: cannot read the %s keystore password %s: %s; "
		    "put it there, or change spec.keystores's "
		    "passwordSecretRef", c->name, what, where,
		    errno == EFBIG ? "larger than 4096 bytes" :
		    strerror(errno));
		free(where);
		return -1;
	}
	if (*len == 0) {
		log_error("%s: the %s keystore password %s is empty; "
		    "cert-manager refuses that too: put the password there",
		    c->name, what, where);
		crypto_secret_free(*pw, *len);
		*pw = NULL;
		free(where);
		return -1;
	}
	if ((*pw)[*len - 1] == '\n')
		log_notice("%s: the %s keystore password %s ends with a "
		    "newline, which is part of the password (as cert-manager "
		    "reads it)", c->name, what, where);
	free(where);
	return 0;
}

static void
add(struct keystore_files *ks, const char *name, unsigned char *data,
    size_t len)
{
	ks->data[ks->n] = data;
	ks->v[ks->n] = (struct fs_file){ name, data, len, 0600 };
	ks->n++;
}

/* keystore.p12 and truststore.p12. */
static int
build_p12(const struct cfg_cert *c, const char *pw, size_t pwlen,
    const struct key *key, const struct cert_chain *chain,
    const struct cert_chain *cas, struct keystore_files *ks)
{
	enum pkcs12_profile profile = (enum pkcs12_profile)
	    config_cert_x(c)->pkcs12.profile;
	unsigned char *d = NULL;
	size_t len;

	if (pkcs12_keystore(profile, pw, pwlen, key, chain, cas, &d, &len) < 0)
		goto err;
	add(ks, file_names[0][0], d, len);
	if (cas->n == 0)
		return 0;
	if (pkcs12_truststore(profile, pw, pwlen, cas, &d, &len) < 0)
		goto err;
	add(ks, file_names[0][1], d, len);
	return 0;
err:
	log_error("%s: cannot write the PKCS#12 keystore: %s", c->name,
	    crypto_error());
	return -1;
}

/* keystore.jks and truststore.jks. */
static int
build_jks(const struct cfg_cert *c, const char *pw, size_t pwlen,
    const struct key *key, const struct cert_chain *chain,
    const struct cert_chain *cas, struct keystore_files *ks)
{
	const char *alias = config_cert_x(c)->jks.alias;
	long long now = (long long)time(NULL) * 1000;
	unsigned char *d = NULL;
	size_t len;

	if (jks_keystore(pw, pwlen, alias ? alias : "certificate", key, chain,
	    cas, now, &d, &len) < 0)
		goto err;
	add(ks, file_names[1][0], d, len);
	if (cas->n == 0)
		return 0;
	if (jks_truststore(pw, pwlen, cas, now, &d, &len) < 0)
		goto err;
	add(ks, file_names[1][1], d, len);
	return 0;
err:
	log_error("%s: cannot write the JKS keystore: %s", c->name,
	    crypto_error());
	return -1;
}

int
keystore_build(const struct cfg_cert *c, const char *secretsdir,
    const struct key *key, const struct cert_chain *chain, const char *capem,
    size_t calen, struct keystore_files *ks)
{
	const struct cfg_cert_x *x = config_cert_x(c);
	struct cert_chain cas = { 0 };
	char *pw = NULL;
	size_t pwlen = 0;
	int rc = -1;

	memset(ks, 0, sizeof(*ks));
	if (!x->pkcs12.create && !x->jks.create)
		return 0;
	/* ca.crt is the truststores' content, as cert-manager's data.CA. */
	if (calen > 0 && cert_chain_parse(capem, calen, &cas) < 0) {
		log_error("%s: ca.crt: %s", c->name, crypto_error());
		return -1;
	}
	if (x->pkcs12.create) {
		if (password(c, &x->pkcs12, "PKCS#12", secretsdir, &pw,
		    &pwlen) < 0 ||
		    build_p12(c, pw, pwlen, key, chain, &cas, ks) < 0)
			goto out;
		crypto_secret_free(pw, pwlen);
		pw = NULL;
	}
	if (x->jks.create &&
	    (password(c, &x->jks, "JKS", secretsdir, &pw, &pwlen) < 0 ||
	    build_jks(c, pw, pwlen, key, chain, &cas, ks) < 0))
		goto out;
	rc = 0;
out:
	crypto_secret_free(pw, pwlen);
	cert_chain_free(&cas);
	if (rc < 0)
		keystore_files_free(ks);
	return rc;
}

int
keystore_check(const struct cfg_cert *c, const char *secretsdir)
{
	const struct cfg_cert_x *x = config_cert_x(c);
	const struct cfg_keystore *ks[2] = { &x->pkcs12, &x->jks };
	static const char *const what[2] = { "PKCS#12", "JKS" };
	char *pw;
	size_t i, len;

	for (i = 0; i < 2; i++) {
		if (!ks[i]->create)
			continue;
		if (password(c, ks[i], what[i], secretsdir, &pw, &len) < 0)
			return -1;
		crypto_secret_free(pw, len);
	}
	return 0;
}

void
keystore_files_free(struct keystore_files *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		free(ks->data[i]);
	memset(ks, 0, sizeof(*ks));
}

/* Is dir/name there and not empty (through ..data, as readers see it)? */
static bool
present(const char *dir, const char *name)
{
	char *path = util_printf("%s/%s", dir, name);
	struct stat sb;
	bool yes = stat(path, &sb) == 0 && sb.st_size > 0;

	free(path);
	return yes;
}

bool
keystore_stale(const struct cfg_cert *c, const char *dir)
{
	const bool create[2] = { config_cert_x(c)->pkcs12.create,
		config_cert_x(c)->jks.create };
	/* ca.crt looked at only for a keystore asked for: renew over many
	 * Certificates stats each file it names. */
	bool ca = (create[0] || create[1]) && present(dir, "ca.crt");
	size_t i;

	for (i = 0; i < 2; i++) {
		/* A truststore is written when ca.crt holds a certificate. */
		if (present(dir, file_names[i][0]) != create[i] ||
		    present(dir, file_names[i][1]) != (create[i] && ca))
			return true;
	}
	return false;
}
