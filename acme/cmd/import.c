/*
 * acmec import: the Secrets kubectl printed (or acmec export wrote),
 * installed where acmec keeps them, all or nothing (README, "Moving to
 * Kubernetes").
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/fs.h"
#include "acme/issue.h"
#include "acme/k8s.h"
#include "acme/log.h"
#include "acme/status.h"
#include "acme/store.h"
#include "crypto/cert.h"
#include "crypto/certinfo.h"
#include "crypto/err.h"
#include "crypto/key.h"

enum what {
	W_TLS,     /* a Certificate's Secret: its files, published as a set */
	W_ACCOUNT, /* an ACME issuer's account key */
	W_OTHER,   /* a Secret an issuer or keystore reads: files */
};

/* One Secret document and what becomes of it. */
struct plan {
	const struct cfg_secret *s;
	enum what what;
	const struct cfg_cert *c;    /* W_TLS */
	const struct cfg_issuer *is; /* W_ACCOUNT */
	bool same;                   /* already in service, byte for byte */
	bool replaces;               /* other files are in service */
	bool status_given;           /* st is the exported status */
	bool names_ok;               /* the leaf has the spec's names */
	struct cert_status st;
	int lockfd;
};

struct import {
	bool force;
	struct store st;
	struct config fcfg, ccfg;
	const struct config *cfg; /* the Certificates' and issuers' */
	struct plan *plans;
	size_t n;
	int refused;
	time_t now;
	int sfd; /* the secrets directory, or -1 if there is none yet */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] [-s STATEDIR] import [--force] "
	    "FILE...\n"
	    "\n"
	    "Install the Secrets in FILEs (what 'kubectl get "
	    "secret,certificate,clusterissuer,\n"
	    "issuer -o yaml' prints, or acmec export with the keys) into "
	    "the secrets\n"
	    "directory: the certificates, account keys and the Secrets "
	    "issuers read, all\n"
	    "or nothing.  The Certificates and issuers come from FILEs if "
	    "they hold any,\n"
	    "else from CONFIG.\n"
	    "\n"
	    "  --force   replace a certificate in service that is valid "
	    "longer, or an\n"
	    "            account key or Secret file that differs\n");
}

/* Refuse s, saying why and what to do. */
static void
refuse(struct import *im, const struct cfg_secret *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
refuse(struct import *im, const struct cfg_secret *s, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s:%d:%d: Secret '%s/%s': %s", s->pos.file, s->pos.line,
	    s->pos.col, log_esc(s->namespace), log_esc2(s->name), msg);
	im->refused++;
}

static const struct cfg_secret_item *
item(const struct cfg_secret *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nitems; i++)
		if (strcmp(s->items[i].key, key) == 0)
			return &s->items[i];
	return NULL;
}

static const char *
annotation(const struct cfg_secret *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->ann_keys.n; i++)
		if (strcmp(s->ann_keys.v[i], key) == 0)
			return s->ann_values.v[i];
	return NULL;
}

/* Does ref (read in namespace ns) name s? */
static bool
names(const struct cfg_secret_ref *ref, const char *ns,
    const struct cfg_secret *s)
{
	return ref->name != NULL && strcmp(ref->name, s->name) == 0 &&
	    strcmp(ns, s->namespace) == 0;
}

/* Does an issuer's SecretRef other than its account key name s? */
static bool
issuer_reads(const struct cfg_issuer *is, const struct cfg_secret *s)
{
	const char *ns = is->cluster ? CONFIG_CLUSTER_RESOURCE_NS :
	    is->namespace;
	size_t i, j;

	if (names(&is->ca_ref, ns, s) || (is->eab_set &&
	    names(&is->eab_key, ns, s)))
		return true;
	for (i = 0; i < is->nsolvers; i++) {
		if (names(&is->solvers[i].tsig_secret, ns, s))
			return true;
		for (j = 0; j < is->solvers[i].api.nrefs; j++)
			if (names(&is->solvers[i].api.refs[j], ns, s))
				return true;
	}
	return false;
}

/* Who reads s: sets p->what and its Certificate or issuer; false if none. */
static bool
classify(const struct config *cfg, struct plan *p)
{
	const struct cfg_secret *s = p->s;
	const struct cfg_cert_x *x;
	const char *ns;
	size_t i;

	for (i = 0; i < cfg->ncerts; i++)
		if (strcmp(cfg->certs[i].secret_name, s->name) == 0 &&
		    strcmp(cfg->certs[i].namespace, s->namespace) == 0) {
			p->what = W_TLS;
			p->c = &cfg->certs[i];
			return true;
		}
	for (i = 0; i < cfg->nissuers; i++) {
		const struct cfg_issuer *is = &cfg->issuers[i];

		if (is->type == ISSUER_ACME && names(&is->account_key,
		    is->cluster ? CONFIG_CLUSTER_RESOURCE_NS : is->namespace,
		    s)) {
			p->what = W_ACCOUNT;
			p->is = is;
			return true;
		}
		if (issuer_reads(is, s)) {
			p->what = W_OTHER;
			return true;
		}
	}
	for (i = 0; i < cfg->ncerts; i++) {
		x = config_cert_x(&cfg->certs[i]);
		ns = cfg->certs[i].namespace;
		if (names(&x->pkcs12.password_ref, ns, s) ||
		    names(&x->jks.password_ref, ns, s)) {
			p->what = W_OTHER;
			return true;
		}
	}
	return false;
}

/*
 * The directory of Secret name in service: 0 none, 1 there, -1 (refused)
 * a link or something else planted where it should be.
 */
static int
dir_state(struct import *im, const struct plan *p)
{
	int fd;

	if (im->sfd < 0)
		return 0;
	if ((fd = fs_open_subdir(im->sfd, p->s->name, 0, 0)) >= 0) {
		close(fd);
		return 1;
	}
	if (errno == ENOENT)
		return 0;
	refuse(im, p->s, "%s/%s is %s: remove it (import follows no link)",
	    im->st.secretsdir, p->s->name, errno == ELOOP ? "a symbolic link" :
	    strerror(errno));
	return -1;
}

/* The file key of Secret name in service (*data NULL if none). */
static int
in_service(struct import *im, const char *name, const char *key,
    char **data, size_t *len)
{
	char *path = store_secret_path(&im->st, name, key);
	int rc = 0;

	*data = NULL;
	*len = 0;
	if (fs_read(path, FS_READ_MAX * 8, data, len) < 0 && errno !=
	    ENOENT) {
		log_error("%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(path);
	return rc;
}

static bool
same(const char *a, size_t alen, const struct cfg_secret_item *it)
{
	return a != NULL && it != NULL && alen == it->len &&
	    memcmp(a, it->value, alen) == 0;
}

static const char *
day(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* What c's Secret holds in service, against the imported leaf. */
static void
check_tls_service(struct import *im, struct plan *p, time_t na)
{
	struct cert_chain old = { 0 };
	char *crt = NULL, *key = NULL, a[32], b[32];
	size_t crtlen, keylen;

	if (dir_state(im, p) <= 0 ||
	    in_service(im, p->s->name, "tls.crt", &crt, &crtlen) < 0 ||
	    in_service(im, p->s->name, "tls.key", &key, &keylen) < 0 ||
	    crt == NULL)
		goto out;
	if (same(crt, crtlen, item(p->s, "tls.crt")) &&
	    same(key, keylen, item(p->s, "tls.key"))) {
		p->same = true;
		goto out;
	}
	p->replaces = true;
	if (!im->force && cert_chain_parse(crt, crtlen, &old) == 0 &&
	    cert_not_after(old.v[0]) > na)
		refuse(im, p->s, "%s/%s holds a certificate valid until %s, "
		    "longer than the imported one (until %s): leave the "
		    "Secret out, or pass --force to replace it",
		    im->st.secretsdir, p->s->name, day(cert_not_after(old.v[0]),
		    a, sizeof(a)), day(na, b, sizeof(b)));
out:
	cert_chain_free(&old);
	free(crt);
	if (key != NULL)
		crypto_secret_free(key, keylen);
}

/* Are the leaf's names of field f those of want (DNS and IP as such)? */
static bool
same_names(const struct cert *leaf, enum cert_field f,
    const struct strlist *want)
{
	struct cert_values v = { 0 };
	char a[64], b[64];
	bool ok;
	size_t i, j;

	ok = cert_values(leaf, f, &v) == 0 && v.n == want->n;
	for (i = 0; ok && i < want->n; i++) {
		for (j = 0; j < v.n; j++)
			if (f == CERT_F_SAN_DNS ? strcasecmp(v.v[j],
			    want->v[i]) == 0 : f != CERT_F_SAN_IP ?
			    strcmp(v.v[j], want->v[i]) == 0 :
			    ident_ip_canonical(v.v[j], a, sizeof(a)) == 0 &&
			    ident_ip_canonical(want->v[i], b, sizeof(b)) == 0 &&
			    strcmp(a, b) == 0)
				break;
		ok = j < v.n;
	}
	cert_values_free(&v);
	return ok;
}

/* Does leaf name exactly what c asks for (else renew replaces it)? */
static bool
names_match(const struct cfg_cert *c, const struct cert *leaf)
{
	const struct cfg_cert_x *x = config_cert_x(c);

	return same_names(leaf, CERT_F_SAN_DNS, &c->dns_names) &&
	    same_names(leaf, CERT_F_SAN_IP, &c->ip_addresses) &&
	    same_names(leaf, CERT_F_SAN_EMAIL, &x->email_addresses) &&
	    same_names(leaf, CERT_F_SAN_URI, &x->uris);
}

/* acmec's status from the annotation export wrote, if it is this leaf's. */
static void
given_status(struct plan *p, const struct cert *leaf)
{
	const char *json = annotation(p->s, K8S_STATUS_ANNOTATION);
	char *serial = cert_serial_hex(leaf);

	if (json != NULL && serial != NULL &&
	    status_parse(json, strlen(json), &p->st) == 0 &&
	    p->st.serial != NULL && strcmp(p->st.serial, serial) == 0)
		p->status_given = true;
	else
		status_free(&p->st);
	free(serial);
}

/* A Certificate's Secret: a kubernetes.io/tls one acmec can serve. */
static void
check_tls(struct import *im, struct plan *p)
{
	const struct cfg_secret *s = p->s;
	const struct cfg_cert *c = p->c;
	const struct cfg_secret_item *crt = item(s, "tls.crt"),
	    *key = item(s, "tls.key");
	struct cert_chain chain = { 0 };
	struct key *k = NULL;
	char t[32];

	if (!config_cert_runs(c))
		refuse(im, s, "Certificate '%s/%s' writes it, and acmec does "
		    "not run its issuer: leave the Secret out", c->namespace,
		    c->name);
	else if (s->type == NULL || strcmp(s->type, K8S_TLS_TYPE) != 0)
		refuse(im, s, "its type is '%s', and Certificate '%s/%s' "
		    "writes a %s Secret: leave this one out, or correct the "
		    "Certificate's spec.secretName", s->type == NULL ?
		    "Opaque" : strspn(s->type, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-_") ==
		    strlen(s->type) ? s->type : "(unprintable)", c->namespace,
		    c->name, K8S_TLS_TYPE);
	else if (crt == NULL || cert_chain_parse((const char *)crt->value,
	    crt->len, &chain) < 0)
		refuse(im, s, "tls.crt is not a certificate chain: leave the "
		    "Secret out and run 'acmec issue %s'", c->name);
	else if (key == NULL || key->len == 0)
		refuse(im, s, "tls.key is empty (exported without "
		    "--include-keys?): export it again with --include-keys, or "
		    "leave it out and run 'acmec issue %s'", c->name);
	else if ((k = key_load_pem((const char *)key->value, key->len)) ==
	    NULL)
		refuse(im, s, "tls.key is not a private key (%s): leave the "
		    "Secret out and run 'acmec issue %s'", crypto_error(),
		    c->name);
	else if (!cert_matches_key(chain.v[0], k))
		refuse(im, s, "tls.key is not the key of the certificate in "
		    "tls.crt: leave the Secret out and run 'acmec issue %s'",
		    c->name);
	else if (cert_not_after(chain.v[0]) <= im->now)
		refuse(im, s, "its certificate expired at %s: leave the "
		    "Secret out and run 'acmec issue %s'",
		    day(cert_not_after(chain.v[0]), t, sizeof(t)), c->name);
	else {
		p->names_ok = names_match(c, chain.v[0]);
		given_status(p, chain.v[0]);
		check_tls_service(im, p, cert_not_after(chain.v[0]));
	}
	key_free(k);
	cert_chain_free(&chain);
}

/* An account key or a Secret an issuer reads: files, one a key. */
static void
check_files(struct import *im, struct plan *p)
{
	const struct cfg_secret *s = p->s;
	const char *kname;
	struct key *k;
	char *data;
	size_t i, len, nsame = 0;

	if (p->what == W_ACCOUNT) {
		kname = p->is->account_key.key ? p->is->account_key.key :
		    "tls.key";
		if (item(s, kname) == NULL || (k = key_load_pem((const char *)
		    item(s, kname)->value, item(s, kname)->len)) == NULL) {
			refuse(im, s, "%s '%s' reads its ACME account key from "
			    "its key '%s', which is not a private key here: "
			    "leave the Secret out (acmec registers a new "
			    "account)", p->is->cluster ? "ClusterIssuer" :
			    "Issuer", p->is->name, kname);
			return;
		}
		key_free(k);
	}
	if (dir_state(im, p) <= 0)
		return;
	for (i = 0; i < s->nitems; i++) {
		if (in_service(im, s->name, s->items[i].key, &data, &len) < 0) {
			im->refused++;
			return;
		}
		if (same(data, len, &s->items[i]))
			nsame++;
		else if (data != NULL)
			p->replaces = true;
		if (data != NULL)
			crypto_secret_free(data, len);
	}
	p->same = nsame == s->nitems;
	if (p->replaces && !im->force)
		refuse(im, s, "%s/%s holds other values%s: leave the Secret "
		    "out, or pass --force to replace them", im->st.secretsdir,
		    s->name, p->what == W_ACCOUNT ? " (another account key)" :
		    "");
}

/* Who reads each Secret, and may acmec take it; nothing written yet. */
static void
check_all(struct import *im)
{
	const struct config *f = &im->fcfg;
	struct plan *p;
	size_t i, j;

	im->plans = util_alloc((f->nsecrets + 1) * sizeof(*im->plans));
	for (i = 0; i < f->nsecrets; i++) {
		p = &im->plans[im->n++];
		p->s = &f->secrets[i];
		p->lockfd = -1;
		for (j = 0; j < i; j++)
			if (strcmp(f->secrets[j].name, p->s->name) == 0)
				break;
		if (j < i) {
			refuse(im, p->s, "the secrets directory holds one "
			    "Secret of a name, and '%s/%s' has it too: import "
			    "the namespaces one at a time", f->secrets[j].
			    namespace, p->s->name);
			continue;
		}
		for (j = 0; j < p->s->nitems; j++)
			if (strncmp(p->s->items[j].key, "..", 2) == 0)
				break;
		if (j < p->s->nitems)
			refuse(im, p->s, "key '%s' begins with '..', which "
			    "Kubernetes does not allow: remove it",
			    p->s->items[j].key);
		else if (!classify(im->cfg, p))
			refuse(im, p->s, "no Certificate, issuer or keystore "
			    "of %s reads it: leave it out (kubectl get secret "
			    "NAME... selects)", im->cfg == &im->fcfg ?
			    "the files" : "the configuration");
		else if (p->what == W_TLS)
			check_tls(im, p);
		else
			check_files(im, p);
	}
}

static mode_t
file_mode(const char *key)
{
	static const char *const open[] = { "tls.crt", "ca.crt",
		"truststore.p12", "truststore.jks" };
	size_t i;

	for (i = 0; i < sizeof(open) / sizeof(open[0]); i++)
		if (strcmp(key, open[i]) == 0)
			return 0644;
	return 0600;
}

/* The status of p's Certificate: exported, else from its files. */
static int
write_status(struct import *im, struct plan *p)
{
	struct issue_files cs;

	if (!p->status_given) {
		issue_inspect(&im->st, p->c, NULL, NULL, &cs);
		status_record_issued(&p->st, p->c, cs.not_before,
		    util_strdup(cs.ari_id));
		issue_cache_files(&p->st, &cs);
		issue_files_free(&cs);
		if (!p->names_ok) { /* not what the spec asks: renew it */
			free(p->st.config_hash);
			p->st.config_hash = NULL;
		}
	}
	return status_save(&im->st, p->c, &p->st);
}

static int
write_tls(struct import *im, struct plan *p)
{
	const struct cfg_secret *s = p->s;
	struct fs_file *files = util_alloc((s->nitems + 1) * sizeof(*files));
	char *dir = store_secret_dir(&im->st, s->name);
	size_t i;
	int rc = -1;

	for (i = 0; i < s->nitems; i++)
		files[i] = (struct fs_file){ s->items[i].key,
			s->items[i].value, s->items[i].len,
			file_mode(s->items[i].key) };
	if (fs_publish(dir, files, s->nitems) < 0)
		log_error("%s: %s", dir, strerror(errno));
	else if (write_status(im, p) == 0)
		rc = 0;
	free(files);
	free(dir);
	return rc;
}

static int
write_files(struct import *im, struct plan *p)
{
	const struct cfg_secret *s = p->s;
	size_t i;
	int dfd, rc = 0;

	if ((dfd = fs_open_subdir(im->sfd, s->name, FS_CREATE | FS_PRIVATE,
	    0700)) < 0) {
		log_error("%s/%s: %s", im->st.secretsdir, s->name,
		    strerror(errno));
		return -1;
	}
	for (i = 0; rc == 0 && i < s->nitems; i++)
		if ((rc = fs_write_atomic_at(dfd, s->items[i].key,
		    s->items[i].value, s->items[i].len, 0600, NULL)) < 0)
			log_error("%s/%s/%s: %s", im->st.secretsdir, s->name,
			    s->items[i].key, strerror(errno));
	/* Another key is another account: its URL goes with the old one. */
	if (rc == 0 && p->what == W_ACCOUNT && p->replaces &&
	    unlinkat(dfd, "account.json", 0) < 0 && errno != ENOENT) {
		log_error("%s/%s/account.json: %s", im->st.secretsdir,
		    s->name, strerror(errno));
		rc = -1;
	}
	close(dfd);
	return rc;
}

/* Everything checked: take the locks, then write. */
static int
install(struct import *im, const struct globals *g)
{
	struct plan *p;
	size_t i, done = 0;

	if (store_open(&im->st, g->statedir, g->secretsdir) < 0)
		return -1;
	if (im->sfd < 0 && (im->sfd = fs_open_dir(im->st.secretsdir,
	    FS_CREATE | FS_PRIVATE, 0700)) < 0) {
		log_error("%s: %s", im->st.secretsdir, strerror(errno));
		return -1;
	}
	for (i = 0; i < im->n; i++) {
		p = &im->plans[i];
		if (p->what == W_TLS && !p->same &&
		    store_lock_cert(&im->st, p->c->namespace, p->c->name, 0,
		    &p->lockfd) < 0)
			return -1; /* said; nothing written yet */
	}
	for (i = 0; i < im->n; i++) {
		p = &im->plans[i];
		if (p->same)
			continue;
		if ((p->what == W_TLS ? write_tls(im, p) :
		    write_files(im, p)) < 0) {
			log_error("import stopped after %zu of the Secrets",
			    done);
			return -1;
		}
		log_info("%s/%s: installed in %s/%s%s", p->s->namespace,
		    p->s->name, im->st.secretsdir, p->s->name, p->replaces ?
		    " (replacing what was there)" : "");
		done++;
	}
	log_info("%zu Secret%s installed, %zu already in service", done,
	    done == 1 ? "" : "s", im->n - done);
	return 0;
}

static int
parse(struct import *im, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			im->force = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		log_error("import: give the FILEs kubectl or acmec export "
		    "printed");
		usage(stderr);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The FILEs, and the configuration if they hold no Certificate. */
static int
load(struct import *im, const struct globals *g, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (access(argv[i], R_OK) < 0) {
			log_error("%s: %s", argv[i], strerror(errno));
			return -1;
		}
	if (config_load_paths((const char *const *)argv, (size_t)argc,
	    &im->fcfg) < 0)
		return -1;
	im->cfg = &im->fcfg;
	if (im->fcfg.ncerts > 0)
		return 0;
	if (config_load(g->config, &im->ccfg) < 0)
		return -1;
	im->cfg = &im->ccfg;
	return 0;
}

int
cmd_import(const struct globals *g, int argc, char **argv)
{
	struct import im = { 0 };
	size_t i;
	int rc;

	im.sfd = -1;
	if ((rc = parse(&im, argc, argv)) != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	im.now = time(NULL);
	store_paths(&im.st, g->statedir, g->secretsdir);
	rc = EXIT_USAGE;
	if (load(&im, g, argc - optind, argv + optind) < 0)
		goto out;
	if ((im.sfd = fs_open_dir(im.st.secretsdir, FS_PRIVATE, 0)) < 0 &&
	    errno != ENOENT) {
		log_error("%s: %s", im.st.secretsdir, strerror(errno));
		goto out;
	}
	rc = EXIT_FAILED;
	check_all(&im);
	if (im.refused > 0) {
		log_error("nothing imported: %d Secret%s refused", im.refused,
		    im.refused == 1 ? "" : "s");
		goto out;
	}
	if (install(&im, g) == 0)
		rc = EXIT_OK;
out:
	for (i = 0; i < im.n; i++) {
		status_free(&im.plans[i].st);
		if (im.plans[i].lockfd >= 0)
			fs_unlock(im.plans[i].lockfd);
	}
	free(im.plans);
	if (im.sfd >= 0)
		close(im.sfd);
	store_close(&im.st);
	config_free(&im.fcfg);
	config_free(&im.ccfg);
	return rc;
}
