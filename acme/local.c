/*
 * SelfSigned and CA issuers (cert-manager's pkg/issuer and
 * pkg/controller/certificaterequests/{selfsigned,ca}): the certificate
 * template as cert-manager builds it from a Certificate (subject, SANs,
 * key usages with their defaults, isCA, duration default 90 days), the
 * issuer's CRL and AIA URLs; the chain as ParseSingleCertificateChain
 * returns it (self-signed roots left out of tls.crt, the top in ca.crt).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/local.h"
#include "acme/log.h"
#include "crypto/cert.h"
#include "crypto/certgen.h"
#include "crypto/err.h"

#define DEFAULT_DURATION (90LL * 86400) /* cert-manager's */
#define CA_SECRET_MAX (256 * 1024)

/* cert-manager's usage names: key usage bits, or an EKU short name. */
static const struct {
	const char *name;
	unsigned ku;
	const char *eku;
} usages[] = {
	{ "signing", CG_KU_DIGITAL_SIGNATURE, NULL },
	{ "digital signature", CG_KU_DIGITAL_SIGNATURE, NULL },
	{ "content commitment", CG_KU_CONTENT_COMMITMENT, NULL },
	{ "key encipherment", CG_KU_KEY_ENCIPHERMENT, NULL },
	{ "key agreement", CG_KU_KEY_AGREEMENT, NULL },
	{ "data encipherment", CG_KU_DATA_ENCIPHERMENT, NULL },
	{ "cert sign", CG_KU_CERT_SIGN, NULL },
	{ "crl sign", CG_KU_CRL_SIGN, NULL },
	{ "encipher only", CG_KU_ENCIPHER_ONLY, NULL },
	{ "decipher only", CG_KU_DECIPHER_ONLY, NULL },
	{ "any", 0, "anyExtendedKeyUsage" },
	{ "server auth", 0, "serverAuth" },
	{ "client auth", 0, "clientAuth" },
	{ "code signing", 0, "codeSigning" },
	{ "email protection", 0, "emailProtection" },
	{ "s/mime", 0, "emailProtection" },
	{ "ipsec end system", 0, "ipsecEndSystem" },
	{ "ipsec tunnel", 0, "ipsecTunnel" },
	{ "ipsec user", 0, "ipsecUser" },
	{ "timestamping", 0, "timeStamping" },
	{ "ocsp signing", 0, "OCSPSigning" },
	{ "microsoft sgc", 0, "msSGC" },
	{ "netscape sgc", 0, "nsSGC" },
};

/* The key usages and EKUs of c (defaults: digital signature, key
 * encipherment; a CA also signs certificates). */
static void
key_usages(const struct cfg_cert *c, struct certgen *g, const char **eku)
{
	static const char *const dflt[] = { "digital signature",
		"key encipherment" };
	const char *const *names = c->usages.n ? (const char *const *)
	    c->usages.v : dflt;
	size_t n = c->usages.n ? c->usages.n : 2, i, k, j;

	g->key_usage = c->is_ca ? CG_KU_CERT_SIGN : 0;
	g->next_usages = 0;
	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(usages) / sizeof(usages[0]); k++) {
			if (strcmp(names[i], usages[k].name) != 0)
				continue;
			g->key_usage |= usages[k].ku;
			for (j = 0; usages[k].eku && j < g->next_usages; j++)
				if (strcmp(eku[j], usages[k].eku) == 0)
					break;
			if (usages[k].eku && j == g->next_usages)
				eku[g->next_usages++] = usages[k].eku;
		}
	g->ext_usages = eku;
}

/* spec.subject's attributes, by OpenSSL short name. */
static size_t
subject_attrs(const struct cfg_subject *s, const char **names,
    const char **values, size_t max)
{
	const struct { const char *sn; const struct strlist *l; } f[] = {
		{ "C", &s->countries }, { "ST", &s->provinces },
		{ "L", &s->localities }, { "street", &s->street_addresses },
		{ "postalCode", &s->postal_codes }, { "O", &s->organizations },
		{ "OU", &s->organizational_units },
	};
	size_t n = 0, i, k;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		for (k = 0; k < f[i].l->n && n < max; k++) {
			names[n] = f[i].sn;
			values[n++] = f[i].l->v[k];
		}
	if (s->serial_number != NULL && n < max) {
		names[n] = "serialNumber";
		values[n++] = s->serial_number;
	}
	return n;
}

/* The CA of a CA issuer: its key and chain from its Secret; -1 reported. */
static int
ca_load(const char *secretsdir, const struct cfg_issuer *is, struct key **key,
    struct cert_chain *chain)
{
	char *crt = NULL, *pem = NULL, *where = NULL, date[32];
	size_t crtlen = 0, pemlen = 0;
	const char *bad = NULL;
	time_t na;
	int rc = -1;

	if (config_secret_get(&is->ca_ref, "tls.crt", secretsdir,
	    CA_SECRET_MAX, &crt, &crtlen) < 0 || config_secret_get(&is->ca_ref,
	    "tls.key", secretsdir, CA_SECRET_MAX, &pem, &pemlen) < 0) {
		where = config_secret_where(&is->ca_ref, crt ? "tls.key" :
		    "tls.crt", secretsdir);
		log_error("issuer '%s': cannot read the CA's %s: %s", is->name,
		    where, strerror(errno));
		goto out;
	}
	where = config_secret_where(&is->ca_ref, "tls.crt", secretsdir);
	if (cert_chain_parse(crt, crtlen, chain) < 0)
		bad = "its tls.crt is not a PEM certificate chain";
	else if ((*key = key_load_pem(pem, pemlen)) == NULL)
		bad = "its tls.key is not a PEM private key";
	else if (!cert_matches_key(chain->v[0], *key))
		bad = "its tls.key does not match its tls.crt: put the CA "
		    "certificate's own key beside it";
	else if (!cert_is_ca(chain->v[0]))
		bad = "its certificate is not a CA certificate (basic "
		    "constraints CA:TRUE): issue it with isCA: true";
	if (bad != NULL) {
		log_error("issuer '%s': the CA in %s: %s", is->name, where,
		    bad);
		goto out;
	}
	if ((na = cert_not_after(chain->v[0])) < time(NULL)) {
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&na));
		log_error("issuer '%s': the CA certificate in %s expired on %s: "
		    "renew it first", is->name, where, date);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		key_free(*key);
		*key = NULL;
		cert_chain_free(chain);
	}
	free(where);
	free(crt);
	if (pem != NULL)
		crypto_secret_free(pem, pemlen);
	return rc;
}

/* Append c's PEM to b (and NUL-less). */
static int
add_pem(struct buf *b, const struct cert *c)
{
	char *pem;
	size_t len;

	if (cert_to_pem(c, &pem, &len) < 0)
		return -1;
	buf_add(b, pem, len);
	free(pem);
	return 0;
}

/*
 * tls.crt: the leaf and the CA chain, less a self-signed root; ca.crt:
 * the chain's top (the leaf itself when self-signed).
 */
static int
result(const struct cert *leaf, const struct cert_chain *ca,
    struct order_result *res)
{
	struct buf chain = { 0 }, top = { 0 };
	size_t i;
	int rc = -1;

	if (add_pem(&chain, leaf) < 0 || add_pem(&top, ca->n ?
	    ca->v[ca->n - 1] : leaf) < 0)
		goto out;
	for (i = 0; i < ca->n; i++)
		if (!cert_self_signed(ca->v[i]) && add_pem(&chain, ca->v[i]) <
		    0)
			goto out;
	if (cert_chain_parse(chain.data, chain.len, &res->chain) < 0)
		goto out;
	buf_add(&chain, "", 1);
	buf_add(&top, "", 1);
	res->chain_pem = chain.data;
	res->chain_len = chain.len - 1;
	res->ca_pem = top.data;
	res->ca_len = top.len - 1;
	chain.data = top.data = NULL;
	rc = 0;
out:
	buf_free(&chain);
	buf_free(&top);
	return rc;
}

void
local_notice_dropped(const struct cfg_cert *c, const struct cert *leaf)
{
	const char *names[LOCAL_MAX_ATTRS], *values[LOCAL_MAX_ATTRS];
	const struct cfg_cert_x *x = config_cert_x(c);
	struct buf b = { 0 };
	size_t n = subject_attrs(&x->subject, names, values, LOCAL_MAX_ATTRS);
	size_t i;

	for (i = 0; i < n; i++)
		if (!cert_has_attr(leaf, names[i], values[i])) {
			buf_addstr(&b, b.len ? ", " : "");
			buf_addstr(&b, names[i]);
			buf_addstr(&b, "=");
			buf_addstr(&b, log_esc(values[i]));
		}
	for (i = 0; i < x->email_addresses.n; i++)
		if (!cert_has_name(leaf, false, x->email_addresses.v[i])) {
			buf_addstr(&b, b.len ? ", email " : "email ");
			buf_addstr(&b, log_esc(x->email_addresses.v[i]));
		}
	for (i = 0; i < x->uris.n; i++)
		if (!cert_has_name(leaf, true, x->uris.v[i])) {
			buf_addstr(&b, b.len ? ", URI " : "URI ");
			buf_addstr(&b, log_esc(x->uris.v[i]));
		}
	if (b.len > 0)
		log_notice("%s: the CA left out of the certificate what the "
		    "Certificate asks for: %.*s (an ACME CA decides what it "
		    "certifies)", c->name, (int)b.len, b.data);
	buf_free(&b);
}

void
local_tpl_init(struct local_tpl *t, const struct cfg_cert *c,
    const struct key *key, const struct ident_list *ids)
{
	const struct cfg_issuer *is = c->issuer;
	const struct cfg_cert_x *x = config_cert_x(c);
	struct certgen *g = &t->g;

	memset(t, 0, sizeof(*t));
	g->key = key;
	g->common_name = c->common_name;
	g->attr_names = t->names;
	g->attr_values = t->values;
	g->nattrs = subject_attrs(&x->subject, t->names, t->values,
	    LOCAL_MAX_ATTRS);
	g->rdns = (const char *const *)x->literal_rdns.v;
	g->nrdns = x->literal_rdns.n;
	g->ids = ids;
	g->uris = (const char *const *)x->uris.v;
	g->nuris = x->uris.n;
	g->emails = (const char *const *)x->email_addresses.v;
	g->nemails = x->email_addresses.n;
	g->other_oids = (const char *const *)x->other_name_oids.v;
	g->other_values = (const char *const *)x->other_name_values.v;
	g->nother = x->other_name_oids.n;
	g->is_ca = c->is_ca;
	key_usages(c, g, t->eku);
	if (is != NULL && is->type != ISSUER_ACME) {
		g->crl_urls = (const char *const *)is->crl_urls.v;
		g->ncrl = is->crl_urls.n;
		g->ocsp_urls = (const char *const *)is->ocsp_urls.v;
		g->nocsp = is->ocsp_urls.n;
		g->issuer_urls = (const char *const *)is->issuer_urls.v;
		g->nissuer = is->issuer_urls.n;
	}
	g->name_constraints = (const char *const *)c->nc.v;
	g->nnc = c->nc.n;
	g->nc_critical = c->nc_critical;
	g->not_before = time(NULL);
	g->not_after = g->not_before + (c->duration > 0 ? c->duration :
	    DEFAULT_DURATION);
}

int
local_obtain(const char *secretsdir, const struct cfg_cert *c,
    const struct key *key, struct order_result *res)
{
	const struct cfg_issuer *is = c->issuer;
	struct local_tpl t;
	struct ident_list ids = { 0 };
	struct cert_chain ca = { 0 };
	struct key *ca_key = NULL;
	struct cert *leaf = NULL;
	size_t i;
	int rc = -1;

	if (is->type == ISSUER_CA && ca_load(secretsdir, is, &ca_key, &ca) < 0)
		return -1;
	for (i = 0; i < c->dns_names.n; i++)
		ident_list_add(&ids, IDENT_DNS, c->dns_names.v[i]);
	for (i = 0; i < c->ip_addresses.n; i++)
		ident_list_add(&ids, IDENT_IP, c->ip_addresses.v[i]);
	local_tpl_init(&t, c, key, &ids);
	if ((leaf = certgen_sign(&t.g, ca_key ? ca_key : key, ca.n ? ca.v[0] :
	    NULL)) == NULL || result(leaf, &ca, res) < 0) {
		log_error("%s: %s", c->name, crypto_error());
		order_result_free(res);
		goto out;
	}
	log_info("%s: signed by %s '%s'", c->name, is->type == ISSUER_CA ?
	    "the CA of issuer" : "its own key, issuer", is->name);
	rc = 0;
out:
	cert_free(leaf);
	key_free(ca_key);
	cert_chain_free(&ca);
	ident_list_free(&ids);
	return rc;
}
