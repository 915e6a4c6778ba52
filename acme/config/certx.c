/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * The Certificate fields acmec keeps but does not act on for an ACME
 * issuer (URI, email and otherName SANs, subject, name constraints, key
 * usages, signature algorithm): each is type-checked and validated with
 * cert-manager's webhook rules (tests/data/cert-manager/validation-v1.md),
 * then noticed once with what acmec does instead.  certk8s.c has the rest.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "acme/config/certx.h"
#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/log.h"


/* path with list indexes made "[]": one notice per field, not per item. */
static char *
notice_key(const char *path)
{
	struct buf key = { 0 };
	const char *p;

	for (p = path; *p != '\0'; p++) {
		if (*p == '[' && strchr(p, ']') != NULL) {
			buf_addstr(&key, "[]");
			p = strchr(p, ']');
			continue;
		}
		buf_add(&key, p, 1);
	}
	buf_add(&key, "", 1);
	return key.data;
}

void
certx_notice(struct ld *ld, const yaml_node_t *n, const char *path,
    const char *fmt, ...)
{
	char msg[1024], *key = notice_key(path);
	bool seen;
	va_list ap;

	seen = strlist_has(&ld->cfg->noticed, key);
	if (!seen)
		strlist_add(&ld->cfg->noticed, key);
	free(key);
	if (seen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_notice("%s:%lu: %s: %s", ld->file,
	    (unsigned long)n->start_mark.line + 1, path, msg);
}

void
certx_acme_notice(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_cert *c, const char *fmt, ...)
{
	char msg[1024], *key = notice_key(path), *line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = util_printf("%s\1%s:%lu: %s: %s", key, ld->file,
	    (unsigned long)n->start_mark.line + 1, path, msg);
	strlist_add(&cfgw_cert_x(c)->acme_notices, line);
	free(line);
	free(key);
}

void
certx_each(struct ld *ld, const yaml_node_t *n, const char *path,
    field_fn fn, void *obj)
{
	const yaml_node_item_t *it;
	char *sub;
	size_t i = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		cfgw_perr(ld, n, path, "expected a list, found %s",
		    cfgw_kind_name(n));
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		sub = util_printf("%s[%zu]", path, i);
		fn(ld, cfgw_node(ld, *it), sub, obj);
		free(sub);
	}
}

/* A list of strings, noticed if it has any. */
static void
san_list(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_cert *c, struct strlist *out,
    int (*check)(const char *, char **))
{
	(void)c;
	cfgw_read_strlist(ld, n, path, out, check);
}

void
certx_uris(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	/* cert-manager checks no URI syntax before issuing. */
	san_list(ld, n, path, obj, &cfgw_cert_x(obj)->uris, NULL);
}

/* atext (RFC 5322) and dots, no empty atom. */
static bool
dot_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' && s[i + 1] == '.')
			return false;
		if (!isalnum(c) && c < 0x80 && c != '.' &&
		    strchr("!#$%&'*+-/=?^_`{|}~", c) == NULL)
			return false;
	}
	return true;
}

/* An address as Go's net/mail reads it, and nothing but the address. */
static int
check_email(const char *s, char **out)
{
	const char *at = strrchr(s, '@');
	size_t n = strlen(s);

	*out = NULL;
	if (n > 0 && (strpbrk(s, "<>") != NULL || isspace((unsigned char)s[0]) ||
	    isspace((unsigned char)s[n - 1]))) {
		util_seterr("must be the address alone, as cert-manager "
		    "requires: write ops@example.com, without a name or "
		    "angle brackets");
		return -1;
	}
	if (at == NULL) {
		util_seterr("is not an email address: it has no '@'");
		return -1;
	}
	if (!(dot_atom(s, (size_t)(at - s)) || (at - s >= 2 && s[0] == '"' &&
	    at[-1] == '"')) || !dot_atom(at + 1, strlen(at + 1))) {
		util_seterr("is not an email address such as ops@example.com");
		return -1;
	}
	*out = util_strdup(s);
	return 0;
}

void
certx_emails(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	san_list(ld, n, path, obj, &cfgw_cert_x(obj)->email_addresses,
	    check_email);
}

/* A dotted OID as cert-manager parses one: two or more numbers. */
static bool
valid_oid(const char *s)
{
	size_t parts = 0, len;

	for (;;) {
		len = strspn(s, "0123456789");
		if (len == 0)
			return false;
		parts++;
		s += len;
		if (*s == '\0')
			return parts >= 2;
		if (*s++ != '.')
			return false;
	}
}

struct other_name {
	char *oid, *value;
};

static void
other_name(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "oid", K_STR, offsetof(struct other_name, oid), NULL, NULL,
		    0 },
		{ "utf8Value", K_STR, offsetof(struct other_name, value), NULL,
		    NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_cert *c = obj;
	struct other_name on = { NULL, NULL };

	if (!cfgw_walk_map(ld, n, path, fields, &on))
		return;
	if (on.oid == NULL)
		cfgw_perr(ld, n, path, "oid is required: give the otherName's "
		    "type as a dotted OID (1.3.6.1.4.1.311.20.2.3, say)");
	else if (!valid_oid(on.oid))
		cfgw_perr(ld, n, path, "oid '%s' is not a dotted OID such as "
		    "1.3.6.1.4.1.311.20.2.3", log_esc(on.oid));
	if (on.value == NULL)
		cfgw_perr(ld, n, path, "utf8Value is required: give the "
		    "otherName's value");
	if (on.oid != NULL && on.value != NULL) {
		strlist_add(&cfgw_cert_x(c)->other_name_oids, on.oid);
		strlist_add(&cfgw_cert_x(c)->other_name_values, on.value);
	}
	free(on.oid);
	free(on.value);
}

void
certx_other_names(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_cert *c = obj;

	certx_each(ld, n, path, other_name, obj);
	(void)c;
}

#define SUBJECT_LIST(fn, member) \
	static void \
	fn(struct ld *ld, const yaml_node_t *n, const char *path, void *obj) \
	{ \
		cfgw_read_strlist(ld, n, path, \
		    &((struct cfg_subject *)obj)->member, NULL); \
	}
SUBJECT_LIST(f_organizations, organizations)
SUBJECT_LIST(f_countries, countries)
SUBJECT_LIST(f_units, organizational_units)
SUBJECT_LIST(f_localities, localities)
SUBJECT_LIST(f_provinces, provinces)
SUBJECT_LIST(f_streets, street_addresses)
SUBJECT_LIST(f_postal_codes, postal_codes)

bool
certx_subject_set(const struct cfg_subject *s)
{
	return s->organizations.n > 0 || s->countries.n > 0 ||
	    s->organizational_units.n > 0 || s->localities.n > 0 ||
	    s->provinces.n > 0 || s->street_addresses.n > 0 ||
	    s->postal_codes.n > 0 || s->serial_number != NULL;
}

void
certx_subject(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "organizations", K_FN, 0, f_organizations, NULL, 0 },
		{ "countries", K_FN, 0, f_countries, NULL, 0 },
		{ "organizationalUnits", K_FN, 0, f_units, NULL, 0 },
		{ "localities", K_FN, 0, f_localities, NULL, 0 },
		{ "provinces", K_FN, 0, f_provinces, NULL, 0 },
		{ "streetAddresses", K_FN, 0, f_streets, NULL, 0 },
		{ "postalCodes", K_FN, 0, f_postal_codes, NULL, 0 },
		{ "serialNumber", K_STR, offsetof(struct cfg_subject,
		    serial_number), NULL, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_cert *c = obj;

	cfgw_walk_map(ld, n, path, fields, &cfgw_cert_x(c)->subject);
}

/* One attribute value of a DN: escapes checked, *end after it. */
static int
dn_value(const char *s, const char **end, bool *ber)
{
	static const char special[] = ",+\"\\<>;= #";

	*ber = *s == '#';
	if (*ber) {
		s++;
		if (strspn(s, "0123456789abcdefABCDEF") % 2 != 0 ||
		    strspn(s, "0123456789abcdefABCDEF") == 0)
			return -1;
		s += strspn(s, "0123456789abcdefABCDEF");
		*end = s;
		return 0;
	}
	for (; *s != '\0' && *s != ',' && *s != '+'; s++) {
		if (*s != '\\')
			continue;
		if (strchr(special, s[1]) != NULL && s[1] != '\0')
			s++;
		else if (isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2]))
			s += 2;
		else
			return -1;
	}
	*end = s;
	return 0;
}

/* The value s[0..end) with RFC 4514's escapes undone. */
static char *
dn_unescape(const char *s, const char *end)
{
	struct buf b = { 0 };
	char c;

	for (; s < end; s++) {
		c = *s;
		if (c == '\\' && s + 2 < end + 1 && isxdigit((unsigned char)s[1])
		    && isxdigit((unsigned char)s[2])) {
			c = (char)strtol((char[3]){ s[1], s[2], 0 }, NULL, 16);
			s += 2;
		} else if (c == '\\' && s + 1 < end) {
			c = *++s;
		}
		buf_add(&b, &c, 1);
	}
	buf_add(&b, "", 1);
	return b.data;
}

void
certx_literal_subject(struct ld *ld, const yaml_node_t *n, const char *path,
    const char *dn, char **cn, struct strlist *out)
{
	static const char *const names[] = { "C", "O", "OU", "CN",
		"SERIALNUMBER", "L", "ST", "STREET", "DC", "UID", NULL };
	const char *p = dn, *eq, *end;
	char *type, sep = ',';
	size_t i;
	bool ber;

	*cn = NULL;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if ((eq = strchr(p, '=')) == NULL || eq == p ||
		    dn_value(eq + 1, &end, &ber) < 0) {
			cfgw_perr(ld, n, path, "'%s' is not an RFC 4514 name "
			    "such as CN=example.com,O=Example,C=DE",
			    log_esc(dn));
			break;
		}
		type = util_strndup(p, (size_t)(eq - p));
		while (*type != '\0' && type[strlen(type) - 1] == ' ')
			type[strlen(type) - 1] = '\0';
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(type, names[i]) == 0)
				break;
		if (names[i] == NULL && !valid_oid(type))
			cfgw_perr(ld, n, path, "'%s' is not an attribute cert-"
			    "manager knows: use C, O, OU, CN, SERIALNUMBER, L, "
			    "ST, STREET, DC, UID or a dotted OID",
			    log_esc(type));
		else if (strcmp(type, "CN") == 0 && ber)
			cfgw_perr(ld, n, path, "the CN must be a string, not "
			    "#hex");
		else if (strcmp(type, "CN") == 0 && *cn == NULL)
			*cn = util_strndup(eq + 1, (size_t)(end - eq - 1));
		if (out != NULL) {
			/* "+TYPE\1VALUE" joins the RDN before, ",..." opens one;
			 * a BER value is "TYPE\2HEX" */
			char *v = ber ? util_strndup(eq + 2, (size_t)(end - eq -
			    2)) : dn_unescape(eq + 1, end), *e;

			e = util_printf("%c%s%c%s", sep, type, ber ? '\2' : '\1',
			    v);
			strlist_add(out, e);
			free(e);
			free(v);
		}
		free(type);
		sep = *end == '+' ? '+' : ',';
		p = *end != '\0' ? end + 1 : end;
	}
}

/* "ADDRESS/PREFIX" with the prefix in range for the family. */
static int
check_cidr(const char *s, char **out)
{
	const char *slash = strchr(s, '/');
	unsigned char a[16];
	char *addr, *end;
	long bits = -1;
	int fam = 0;

	*out = NULL;
	if (slash != NULL) {
		addr = util_strndup(s, (size_t)(slash - s));
		fam = inet_pton(AF_INET, addr, a) == 1 ? 32 :
		    inet_pton(AF_INET6, addr, a) == 1 ? 128 : 0;
		free(addr);
		if (isdigit((unsigned char)slash[1]))
			bits = strtol(slash + 1, &end, 10);
		if (bits >= 0 && *end != '\0')
			bits = -1;
	}
	if (fam == 0 || bits < 0 || bits > fam) {
		util_seterr("is not a CIDR range such as 192.0.2.0/24 or "
		    "2001:db8::/32");
		return -1;
	}
	*out = util_strdup(s);
	return 0;
}

/*
 * One nameConstraints entry in OpenSSL's words ("permitted;DNS:x"), from
 * path (...permitted.dnsDomains) and the value.
 */
static void
nc_add(struct cfg_cert *c, const char *path, const char *type,
    const char *value)
{
	char *e = util_printf("%s;%s:%s", strstr(path, ".excluded.") ?
	    "excluded" : "permitted", type, value);

	strlist_add(&c->nc, e);
	free(e);
}

static void
f_nc_list(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct strlist l = { 0 };
	const char *type = util_endswith(path, "dnsDomains") ? "DNS" :
	    util_endswith(path, "emailAddresses") ? "email" : "URI";
	size_t i;

	cfgw_read_strlist(ld, n, path, &l, NULL);
	for (i = 0; i < l.n; i++) {
		if (l.v[i][0] == '\0' || strpbrk(l.v[i], ", \n") != NULL)
			cfgw_perr(ld, n, path, "'%s' is not a name to "
			    "constrain", log_esc(l.v[i]));
		else
			nc_add(obj, path, type, l.v[i]);
	}
	strlist_free(&l);
}

/* "192.0.2.0/24" as "192.0.2.0/255.255.255.0" (OpenSSL's form). */
static char *
cidr_mask(const char *cidr)
{
	const char *slash = strchr(cidr, '/');
	unsigned char m[16] = { 0 };
	char *addr = util_strndup(cidr, (size_t)(slash - cidr)), buf[64];
	int bits = atoi(slash + 1), len = strchr(addr, ':') ? 16 : 4, i;
	char *out;

	for (i = 0; i < bits; i++)
		m[i / 8] |= (unsigned char)(0x80 >> (i % 8));
	inet_ntop(len == 16 ? AF_INET6 : AF_INET, m, buf, sizeof(buf));
	out = util_printf("%s/%s", addr, buf);
	free(addr);
	return out;
}

static void
f_nc_cidrs(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct strlist l = { 0 };
	char *v;
	size_t i;

	cfgw_read_strlist(ld, n, path, &l, check_cidr);
	for (i = 0; i < l.n; i++) {
		v = cidr_mask(l.v[i]);
		nc_add(obj, path, "IP", v);
		free(v);
	}
	strlist_free(&l);
}

static void
f_nc_subtree(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "dnsDomains", K_FN, 0, f_nc_list, NULL, 0 },
		{ "emailAddresses", K_FN, 0, f_nc_list, NULL, 0 },
		{ "ipRanges", K_FN, 0, f_nc_cidrs, NULL, 0 },
		{ "uriDomains", K_FN, 0, f_nc_list, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

/*
 * nameConstraints: a CA certificate's (the isCA rule, cert.c, refuses
 * them elsewhere), kept in OpenSSL's words for acmec's own signer.
 */
void
certx_name_constraints(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "critical", K_BOOL, offsetof(struct cfg_cert, nc_critical),
		    NULL, NULL, 0 },
		{ "permitted", K_FN, 0, f_nc_subtree, NULL, 0 },
		{ "excluded", K_FN, 0, f_nc_subtree, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	((struct cfg_cert *)obj)->name_constraints = true;
	if (!cfgw_walk_map(ld, n, path, fields, obj))
		return;
	if (cfgw_count_set(ld, n, "critical") == 0)
		cfgw_perr(ld, n, path, "give permitted or excluded (or both), "
		    "as cert-manager requires");
}

void
certx_usages(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const names[] = { "signing", "digital signature",
		"content commitment", "key encipherment", "key agreement",
		"data encipherment", "cert sign", "crl sign", "encipher only",
		"decipher only", "any", "server auth", "client auth",
		"code signing", "email protection", "s/mime",
		"ipsec end system", "ipsec tunnel", "ipsec user",
		"timestamping", "ocsp signing", "microsoft sgc",
		"netscape sgc", NULL };
	struct cfg_cert *c = obj;
	size_t i, k;

	cfgw_read_strlist(ld, n, path, &c->usages, NULL);
	for (i = 0; i < c->usages.n; i++) {
		for (k = 0; names[k] != NULL; k++)
			if (strcmp(c->usages.v[i], names[k]) == 0)
				break;
		if (names[k] == NULL)
			cfgw_perr(ld, n, path, "'%s' is not a key usage "
			    "cert-manager knows, such as \"digital "
			    "signature\", \"key encipherment\" or \"server "
			    "auth\" (lower case, with spaces)",
			    log_esc(c->usages.v[i]));
	}
}

void
certx_encode_usages(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field f = { "encodeUsagesInRequest", K_BOOL,
		offsetof(struct cfg_cert, encode_usages), NULL, NULL, 0 };

	cfgw_read_field(ld, &f, n, path, obj);
}

void
certx_signature_alg(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const algs[] = { "SHA256WithRSA", "SHA384WithRSA",
		"SHA512WithRSA", "ECDSAWithSHA256", "ECDSAWithSHA384",
		"ECDSAWithSHA512", "PureEd25519", NULL };
	static const struct field f = { "signatureAlgorithm", K_ENUM,
		offsetof(struct cfg_cert, signature_alg), NULL, algs, 0 };

	cfgw_read_field(ld, &f, n, path, obj);
	certx_acme_notice(ld, n, path, obj, "the ACME CA chooses the "
	    "signature "
	    "algorithm of the certificates it issues: acmec signs the request "
	    "with SHA-256 (SHA-384 for ECDSA P-384, SHA-512 for P-521)");
}
void
certx_free(struct cfg_cert *c)
{
	struct cfg_subject *s;

	free(c->issuer_group);
	strlist_free(&c->usages);
	strlist_free(&c->nc);
	if (c->x == NULL)
		return;
	s = &c->x->subject;
	strlist_free(&c->x->uris);
	strlist_free(&c->x->email_addresses);
	strlist_free(&c->x->other_name_oids);
	strlist_free(&c->x->other_name_values);
	free(c->x->literal_subject);
	strlist_free(&s->organizations);
	strlist_free(&s->countries);
	strlist_free(&s->organizational_units);
	strlist_free(&s->localities);
	strlist_free(&s->provinces);
	strlist_free(&s->street_addresses);
	strlist_free(&s->postal_codes);
	free(s->serial_number);
}
