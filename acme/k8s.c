/*
 * Secrets as cert-manager writes them.  Facts from cert-manager's source:
 * pkg/controller/certificates/issuing/internal/secret.go (the Secret, its
 * type, label and issuer annotations), internal/controller/certificates/
 * secrets.go AnnotationsForCertificate (the details), pkg/util/util.go
 * JoinWithEscapeCSV, pkg/apis/certmanager/v1/types.go (the key strings).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/config/config.h"
#include "acme/k8s.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/certinfo.h"
#include "crypto/err.h"

void
k8s_secret_add(struct k8s_secret *s, const char *key, const void *data,
    size_t len)
{
	if (s->nitems < K8S_MAX_ITEMS)
		s->items[s->nitems++] = (struct k8s_item){ key, data, len };
}

static void
oom(void)
{
	log_error("out of memory");
	exit(1);
}

/* A YAML double-quoted scalar: JSON's string syntax is one. */
static void
add_quoted(struct buf *out, const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *text = j != NULL ? cJSON_PrintUnformatted(j) : NULL;

	if (text == NULL)
		oom();
	buf_addstr(out, text);
	cJSON_free(text);
	cJSON_Delete(j);
}

static void
add_map(struct buf *out, const char *name, const struct strlist *k,
    const struct strlist *v)
{
	size_t i;

	if (k->n == 0)
		return;
	buf_addstr(out, "  ");
	buf_addstr(out, name);
	buf_addstr(out, ":\n");
	for (i = 0; i < k->n; i++) {
		buf_addstr(out, "    ");
		add_quoted(out, k->v[i]);
		buf_addstr(out, ": ");
		add_quoted(out, v->v[i]);
		buf_addstr(out, "\n");
	}
}

void
k8s_secret_yaml(struct buf *out, const struct k8s_secret *s)
{
	char *b64;
	size_t i;

	buf_addstr(out, "---\napiVersion: v1\nkind: Secret\nmetadata:\n"
	    "  name: ");
	add_quoted(out, s->name);
	buf_addstr(out, "\n");
	if (s->namespace != NULL) {
		buf_addstr(out, "  namespace: ");
		add_quoted(out, s->namespace);
		buf_addstr(out, "\n");
	}
	add_map(out, "labels", &s->label_keys, &s->label_values);
	add_map(out, "annotations", &s->ann_keys, &s->ann_values);
	buf_addstr(out, "type: ");
	add_quoted(out, s->type);
	buf_addstr(out, "\ndata:\n");
	for (i = 0; i < s->nitems; i++) {
		if ((b64 = b64_std_encode(s->items[i].data,
		    s->items[i].len)) == NULL)
			oom();
		buf_addstr(out, "  ");
		add_quoted(out, s->items[i].key);
		buf_addstr(out, ": \"");
		buf_addstr(out, b64);
		buf_addstr(out, "\"\n");
		crypto_secret_free(b64, strlen(b64));
	}
}

void
k8s_secret_clear(struct k8s_secret *s)
{
	strlist_free(&s->label_keys);
	strlist_free(&s->label_values);
	strlist_free(&s->ann_keys);
	strlist_free(&s->ann_values);
	memset(s, 0, sizeof(*s));
}

/* Does s start with a rune Go's unicode.IsSpace takes for a space? */
static bool
starts_with_space(const char *s)
{
	static const char *const wide[] = { "\xc2\x85", "\xc2\xa0",
		"\xe1\x9a\x80", "\xe2\x80\xa8", "\xe2\x80\xa9",
		"\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80" };
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (strchr(" \t\n\v\f\r", s[0]) != NULL && s[0] != '\0')
		return true;
	/* U+2000 to U+200A */
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x80 && u[2] <= 0x8a)
		return true;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (strncmp(s, wide[i], strlen(wide[i])) == 0)
			return true;
	return false;
}

/* Go's fieldNeedsQuotes (encoding/csv, Comma ','). */
static bool
needs_quotes(const char *f)
{
	if (f[0] == '\0')
		return false;
	if (strcmp(f, "\\.") == 0 || strpbrk(f, ",\"\r\n") != NULL)
		return true;
	return starts_with_space(f);
}

char *
k8s_join_csv(char *const *v, size_t n)
{
	struct buf b = { 0 };
	const char *p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addstr(&b, ",");
		if (!needs_quotes(v[i])) {
			buf_addstr(&b, v[i]);
			continue;
		}
		buf_addstr(&b, "\"");
		for (p = v[i]; *p != '\0'; p++) {
			if (*p == '"')
				buf_add(&b, "\"", 1); /* doubled */
			buf_add(&b, p, 1);
		}
		buf_addstr(&b, "\"");
	}
	return b.data != NULL ? b.data : util_strdup("");
}

/* cert-manager's AnnotationsForCertificate, in its order (secrets.go). */
static const struct {
	const char *key;
	enum cert_field f;
	bool keep_empty;
	bool csv;
} details[] = {
	{ "cert-manager.io/common-name", CERT_F_CN, true, false },
	{ "cert-manager.io/subject-serialnumber", CERT_F_SERIALNUMBER, false,
	    false },
	{ "cert-manager.io/subject-organizations", CERT_F_O, false, true },
	{ "cert-manager.io/subject-organizationalunits", CERT_F_OU, false,
	    true },
	{ "cert-manager.io/subject-countries", CERT_F_C, false, true },
	{ "cert-manager.io/subject-provinces", CERT_F_ST, false, true },
	{ "cert-manager.io/subject-localities", CERT_F_L, false, true },
	{ "cert-manager.io/subject-postalcodes", CERT_F_POSTALCODE, false,
	    true },
	{ "cert-manager.io/subject-streetaddresses", CERT_F_STREET, false,
	    true },
	{ "cert-manager.io/email-sans", CERT_F_SAN_EMAIL, false, true },
	{ "cert-manager.io/alt-names", CERT_F_SAN_DNS, true, true },
	{ "cert-manager.io/ip-sans", CERT_F_SAN_IP, true, true },
	{ "cert-manager.io/uri-sans", CERT_F_SAN_URI, true, true },
};

int
k8s_cert_annotations(const struct cfg_cert *c, const struct cert *leaf,
    struct strlist *keys, struct strlist *values)
{
	struct cert_values v = { 0 };
	char *text;
	size_t i;

	/* secret.go: the Certificate's name and its issuerRef, defaulted. */
	strlist_add(keys, "cert-manager.io/certificate-name");
	strlist_add(values, c->name);
	strlist_add(keys, "cert-manager.io/issuer-name");
	strlist_add(values, c->issuer_name);
	strlist_add(keys, "cert-manager.io/issuer-kind");
	strlist_add(values, c->issuer_cluster ? "ClusterIssuer" : "Issuer");
	strlist_add(keys, "cert-manager.io/issuer-group");
	strlist_add(values, c->issuer_group ? c->issuer_group :
	    "cert-manager.io");
	for (i = 0; i < sizeof(details) / sizeof(details[0]); i++) {
		if (cert_values(leaf, details[i].f, &v) < 0) {
			log_error("%s/%s: the certificate's names cannot be "
			    "read: %s", c->namespace, c->name,
			    crypto_error());
			cert_values_free(&v);
			return -1;
		}
		if (v.n > 0 || details[i].keep_empty) {
			text = details[i].csv ? k8s_join_csv(v.v, v.n) :
			    util_strdup(v.n > 0 ? v.v[0] : "");
			strlist_add(keys, details[i].key);
			strlist_add(values, text);
			free(text);
		}
		cert_values_free(&v);
	}
	return 0;
}
