/* Certificate requests made elsewhere: read, checked, compared. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acme/csrfile.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "acme/order.h"
#include "acme/util.h"
#include "crypto/err.h"

struct csr *
csrfile_read(const char *path)
{
	struct csr *r;
	char *buf = NULL;
	size_t len = 0;

	if (fs_read(path, FS_READ_MAX, &buf, &len) < 0) {
		util_seterr("cannot read the CSR %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((r = csr_parse((const unsigned char *)buf, len)) == NULL)
		util_seterr("the CSR %s: %s", path, crypto_error());
	free(buf);
	return r;
}

/* The identifiers of l, space-separated, for messages; caller frees. */
static char *
names_text(const struct ident_list *l)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_addstr(&b, " ");
		buf_addstr(&b, log_esc(l->v[i].value));
	}
	return b.data != NULL ? b.data : util_strdup("");
}

/*
 * want and the CSR r (read from path) name the same identifiers; else -1
 * and a message that says which one differs and that where (the names
 * given) must be the CSR's.
 */
static int
same_names(const struct ident_list *want, const struct csr *r,
    const char *path, const char *where)
{
	const struct ident_list *got = csr_ids(r);
	char *all;
	size_t i;

	for (i = 0; i < want->n; i++)
		if (!ident_list_has(got, want->v[i].type, want->v[i].value))
			break;
	if (i < want->n) {
		all = names_text(got);
		util_seterr("the CSR %s does not name %s, which %s lists; "
		    "make %s exactly the CSR's names: %s", path,
		    log_esc(want->v[i].value), where, where, all);
		free(all);
		return -1;
	}
	for (i = 0; i < got->n; i++)
		if (!ident_list_has(want, got->v[i].type, got->v[i].value))
			break;
	if (i < got->n) {
		all = names_text(got);
		util_seterr("the CSR %s names %s, which %s does not list; "
		    "make %s exactly the CSR's names: %s", path,
		    log_esc(got->v[i].value), where, where, all);
		free(all);
		return -1;
	}
	return 0;
}

struct csr *
csrfile_load(const struct cfg_cert *c)
{
	struct ident_list want;
	struct csr *r;

	if (c->issuer != NULL && c->issuer->type != ISSUER_ACME) {
		util_seterr("acmec.io/csr needs an ACME issuer; issuer '%s' "
		    "is a %s issuer, which signs with a key acmec makes: "
		    "remove the annotation or use an ACME issuer",
		    c->issuer->name, config_issuer_type_name(c->issuer->type));
		return NULL;
	}
	if ((r = csrfile_read(c->csr_file)) == NULL)
		return NULL;
	order_identifiers(c, &want);
	if (same_names(&want, r, c->csr_file, "spec.dnsNames, "
	    "ipAddresses and commonName") < 0) {
		csr_free(r);
		r = NULL;
	}
	ident_list_free(&want);
	return r;
}

int
csrfile_check_config(const struct config *cfg)
{
	const struct cfg_cert *c;
	struct csr *r;
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->ncerts; i++) {
		c = &cfg->certs[i];
		if (c->csr_file == NULL || !config_cert_runs(c))
			continue;
		if ((r = csrfile_load(c)) == NULL) {
			log_error("%s:%d:%d: %s: metadata.annotations."
			    "acmec.io/csr: %s", c->csr_pos.file,
			    c->csr_pos.line, c->csr_pos.col, c->name,
			    util_error());
			rc = -1;
		}
		csr_free(r);
	}
	return rc;
}

int
csrfile_adhoc(const char *path, struct cfg_cert *c)
{
	const struct ident_list *got;
	struct ident_list want;
	struct csr *r;
	size_t i;
	int rc = 0;

	if ((r = csrfile_read(path)) == NULL)
		return -1;
	got = csr_ids(r);
	order_identifiers(c, &want);
	if (want.n > 0)
		rc = same_names(&want, r, path, "the -d names");
	for (i = 0; want.n == 0 && i < got->n; i++)
		strlist_add(got->v[i].type == IDENT_DNS ? &c->dns_names :
		    &c->ip_addresses, got->v[i].value);
	free(c->csr_file);
	c->csr_file = util_strdup(path);
	ident_list_free(&want);
	csr_free(r);
	return rc;
}

void
csrfile_drop_key_link(const char *dir)
{
	char *path = util_printf("%s/tls.key", dir);
	struct stat lst, st;

	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
	    stat(path, &st) < 0 && errno == ENOENT && fs_remove(path) == 0)
		log_debug("removed %s: the key is not acmec's (acmec.io/csr)",
		    path);
	free(path);
}
