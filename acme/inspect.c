/*
 * What is in service for a Certificate: its files read and verified once
 * (leaf, key, names, chain), remembered behind a digest of the files,
 * and when cert-manager's rules renew it.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/csrfile.h"
#include "acme/fs.h"
#include "acme/issue.h"
#include "acme/store.h"
#include "crypto/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/err.h"
#include "crypto/key.h"

time_t
issue_renewal_time(const struct cfg_cert *c, time_t nb, time_t na)
{
	long long life = (long long)(na - nb);

	if (life <= 0)
		return nb;
	if (c->renew_before_pct > 0)
		return nb + (time_t)(life * (100 - c->renew_before_pct) / 100);
	if (c->renew_before > 0 && c->renew_before < life)
		return na - (time_t)c->renew_before;
	/* cert-manager's default: renew at 2/3 of the lifetime */
	return nb + (time_t)(life * 2 / 3);
}

/* The RFC 9773 identifier: base64url(AKI keyIdentifier).base64url(serial). */
char *
issue_ari_id(const struct cert *leaf)
{
	unsigned char *aki = NULL, *serial = NULL;
	size_t akilen, seriallen;
	char *a = NULL, *s = NULL, *id = NULL;

	if (cert_aki(leaf, &aki, &akilen) == 0 &&
	    cert_serial(leaf, &serial, &seriallen) == 0 &&
	    (a = b64_url_encode(aki, akilen)) != NULL &&
	    (s = b64_url_encode(serial, seriallen)) != NULL)
		id = util_printf("%s.%s", a, s);
	free(aki);
	free(serial);
	free(a);
	free(s);
	return id;
}

/* base64url(SHA-256(crt || key)); caller frees. */
static char *
files_digest(const char *crt, size_t crtlen, const char *key, size_t keylen)
{
	unsigned char d[DIGEST_MAX];
	struct buf b = { 0 };
	char *out = NULL;

	buf_add(&b, crt, crtlen);
	buf_add(&b, key, keylen);
	if (digest_hash(DIGEST_SHA256, b.data, b.len, d) == 0)
		out = b64_url_encode(d, 32);
	explicit_bzero(b.data, b.cap);
	buf_free(&b);
	return out;
}

/*
 * Why the key material does not go with leaf, or NULL: tls.key (keypem),
 * or for acmec.io/csr the CSR's public key (no tls.key is expected).
 */
static const char *
key_problem(const struct cfg_cert *c, const struct cert *leaf,
    const char *keypem, size_t keylen, const struct csr *csr)
{
	struct key *key;
	bool ok;

	if (c->csr_file != NULL) {
		if (csr == NULL)
			return "the CSR file (acmec.io/csr) cannot be read";
		return cert_matches_key(leaf, csr_key(csr)) ? NULL :
		    "tls.crt is not for the public key of the CSR "
		    "(acmec.io/csr)";
	}
	if (keypem == NULL || (key = key_load_pem(keypem, keylen)) == NULL)
		return "tls.key is missing or not a key";
	ok = cert_matches_key(leaf, key);
	key_free(key);
	return ok ? NULL : "tls.key is not the key of tls.crt";
}

void
issue_inspect(const struct store *st, const struct cfg_cert *c,
    const char *dir, const struct cert_status *cache, struct issue_files *cs)
{
	struct cert_chain chain = { 0 };
	struct csr *csr = NULL;
	const unsigned char *der;
	char *d, *path, *crt = NULL, *keypem = NULL;
	size_t crtlen = 0, keylen = 0, derlen;

	memset(cs, 0, sizeof(*cs));
	d = dir ? util_strdup(dir) : store_secret_dir(st, c->secret_name);
	path = util_printf("%s/tls.crt", d);
	if (fs_read(path, FS_READ_MAX, &crt, &crtlen) < 0) {
		cs->problem = "the Secret holds no certificate yet";
		goto out;
	}
	free(path);
	path = util_printf("%s/tls.key", d);
	/* With a CSR from elsewhere, its bytes stand for tls.key. */
	if (c->csr_file != NULL && (csr = csrfile_read(c->csr_file)) != NULL) {
		der = csr_der(csr, &derlen);
		cs->files_hash = files_digest(crt, crtlen, (const char *)der,
		    derlen);
	} else if (c->csr_file == NULL &&
	    fs_read(path, FS_READ_MAX, &keypem, &keylen) < 0)
		keypem = NULL;
	if (keypem != NULL)
		cs->files_hash = files_digest(crt, crtlen, keypem, keylen);
	if (cache != NULL && cache->files_hash != NULL &&
	    cs->files_hash != NULL && cache->serial != NULL &&
	    strcmp(cache->files_hash, cs->files_hash) == 0 &&
	    cache->not_after != 0) {
		/* Verified when this digest was recorded. */
		cs->cached = true;
		cs->exists = cs->key_ok = true;
		cs->not_before = cache->not_before;
		cs->not_after = cache->not_after;
		cs->ari_id = util_strdup(cache->cert_id);
		cs->serial = util_strdup(cache->serial);
		cs->issuer_cn = util_strdup(cache->issuer_cn);
		goto dates;
	}
	if (cert_chain_parse(crt, crtlen, &chain) < 0) {
		cs->problem = "tls.crt is not a certificate chain";
		goto out;
	}
	cs->exists = true;
	cs->not_before = cert_not_before(chain.v[0]);
	cs->not_after = cert_not_after(chain.v[0]);
	cs->ari_id = issue_ari_id(chain.v[0]);
	cs->serial = cert_serial_hex(chain.v[0]);
	cs->issuer_cn = cert_issuer_cn(chain.v[0]);
	if ((cs->problem = key_problem(c, chain.v[0], keypem, keylen,
	    csr)) != NULL)
		goto out;
	cs->key_ok = true;
dates:
	cs->renewal_time = issue_renewal_time(c, cs->not_before,
	    cs->not_after);
	if (time(NULL) >= cs->not_after)
		cs->problem = "the certificate has expired";
out:
	csr_free(csr);
	crypto_secret_free(keypem, keylen);
	free(crt);
	cert_chain_free(&chain);
	free(path);
	free(d);
}

void
issue_cache_files(struct cert_status *s, const struct issue_files *cs)
{
	free(s->files_hash);
	free(s->cert_id);
	free(s->serial);
	free(s->issuer_cn);
	s->files_hash = cs->exists && cs->key_ok ?
	    util_strdup(cs->files_hash) : NULL;
	s->not_before = cs->not_before;
	s->not_after = cs->not_after;
	s->cert_id = util_strdup(cs->ari_id);
	s->serial = util_strdup(cs->serial);
	s->issuer_cn = util_strdup(cs->issuer_cn);
}

void
issue_files_free(struct issue_files *cs)
{
	free(cs->ari_id);
	free(cs->serial);
	free(cs->issuer_cn);
	free(cs->files_hash);
	memset(cs, 0, sizeof(*cs));
}
