/*
 * Secrets as cert-manager writes them: the CSV of its annotations (Go's
 * encoding/csv), the details of a certificate, and the manifest text read
 * back by acmec's own loader.
 */

#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/k8s.h"
#include "crypto/cert.h"
#include "tests/unit/unit.h"

void
test_k8s_csv(void)
{
	static const struct {
		const char *in[3];
		size_t n;
		const char *want;
	} v[] = {
		{ { NULL }, 0, "" },
		{ { "" }, 1, "" },
		{ { "a.test", "b.test" }, 2, "a.test,b.test" },
		{ { "B, Corp", "Acme" }, 2, "\"B, Corp\",Acme" },
		{ { "say \"hi\"" }, 1, "\"say \"\"hi\"\"\"" },
		{ { " lead", "x" }, 2, "\" lead\",x" },
		{ { "\xc2\xa0nbsp" }, 1, "\"\xc2\xa0nbsp\"" },
		{ { "two\nlines" }, 1, "\"two\nlines\"" },
		{ { "\\." }, 1, "\"\\.\"" },
		{ { "trail ", "", "x" }, 3, "trail ,,x" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		s = k8s_join_csv((char *const *)v[i].in, v[i].n);
		CHECK_STR(s, v[i].want);
		free(s);
	}
}

/* The annotation key in keys/values, or NULL. */
static const char *
ann(const struct strlist *k, const struct strlist *v, const char *key)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i], key) == 0)
			return v->v[i];
	return NULL;
}

static void
annotations_of(const char *file, struct strlist *k, struct strlist *v)
{
	struct cfg_cert c;
	struct cert_chain chain;
	size_t len;
	char *pem = unit_read(file, &len);

	memset(&c, 0, sizeof(c));
	c.name = "web";
	c.namespace = "shop";
	c.issuer_name = "le";
	c.issuer_cluster = true;
	if (cert_chain_parse(pem, len, &chain) == 0) {
		CHECK(k8s_cert_annotations(&c, chain.v[0], k, v) == 0);
		cert_chain_free(&chain);
	} else {
		CHECK(!"parse");
	}
	free(pem);
}

void
test_k8s_cert_annotations(void)
{
	struct strlist k = { 0 }, v = { 0 };

	annotations_of("leaf.pem", &k, &v);
	CHECK_STR(ann(&k, &v, "cert-manager.io/certificate-name"), "web");
	CHECK_STR(ann(&k, &v, "cert-manager.io/issuer-name"), "le");
	CHECK_STR(ann(&k, &v, "cert-manager.io/issuer-kind"), "ClusterIssuer");
	CHECK_STR(ann(&k, &v, "cert-manager.io/issuer-group"),
	    "cert-manager.io");
	CHECK_STR(ann(&k, &v, "cert-manager.io/common-name"), "example.org");
	/* As written (Go keeps the case), and Go's IP text. */
	CHECK_STR(ann(&k, &v, "cert-manager.io/alt-names"),
	    "example.org,*.Example.ORG");
	CHECK_STR(ann(&k, &v, "cert-manager.io/ip-sans"),
	    "192.0.2.1,2001:db8::1");
	CHECK_STR(ann(&k, &v, "cert-manager.io/uri-sans"), "");
	CHECK(ann(&k, &v, "cert-manager.io/email-sans") == NULL);
	CHECK(ann(&k, &v, "cert-manager.io/subject-organizations") == NULL);
	strlist_free(&k);
	strlist_free(&v);

	annotations_of("goname.pem", &k, &v);
	CHECK_STR(ann(&k, &v, "cert-manager.io/common-name"), "#web+x ");
	CHECK_STR(ann(&k, &v, "cert-manager.io/subject-serialnumber"), "7");
	CHECK_STR(ann(&k, &v, "cert-manager.io/subject-organizations"),
	    "\"B, Corp\",Acme");
	CHECK_STR(ann(&k, &v, "cert-manager.io/subject-organizationalunits"),
	    "Ops");
	CHECK_STR(ann(&k, &v, "cert-manager.io/subject-countries"), "US");
	CHECK_STR(ann(&k, &v, "cert-manager.io/subject-provinces"), "Cal");
	CHECK(ann(&k, &v, "cert-manager.io/subject-localities") == NULL);
	/* Always there, empty: no subjectAltName at all. */
	CHECK_STR(ann(&k, &v, "cert-manager.io/alt-names"), "");
	CHECK_STR(ann(&k, &v, "cert-manager.io/ip-sans"), "");
	strlist_free(&k);
	strlist_free(&v);
}

void
test_k8s_secret_yaml(void)
{
	static const unsigned char bin[] = { 0, 0xff, 'a', '\n' };
	struct k8s_secret s = { 0 };
	struct buf out = { 0 };
	struct config cfg;
	const char *err;

	s.name = "web-tls";
	s.namespace = "shop";
	s.type = K8S_TLS_TYPE;
	strlist_add(&s.label_keys, K8S_FAO_LABEL);
	strlist_add(&s.label_values, "true");
	strlist_add(&s.ann_keys, "acmec.io/status");
	strlist_add(&s.ann_values, "{\"a\":\"q\\\"\\n\"}\n: - #");
	k8s_secret_add(&s, "tls.crt", "crt", 3);
	k8s_secret_add(&s, "tls.key", "", 0);
	k8s_secret_add(&s, "key.der", bin, sizeof(bin));
	k8s_secret_yaml(&out, &s);
	CHECK_STR(out.data,
	    "---\napiVersion: v1\nkind: Secret\nmetadata:\n"
	    "  name: \"web-tls\"\n  namespace: \"shop\"\n"
	    "  labels:\n    \"controller.cert-manager.io/fao\": \"true\"\n"
	    "  annotations:\n    \"acmec.io/status\": "
	    "\"{\\\"a\\\":\\\"q\\\\\\\"\\\\n\\\"}\\n: - #\"\n"
	    "type: \"kubernetes.io/tls\"\ndata:\n"
	    "  \"tls.crt\": \"Y3J0\"\n  \"tls.key\": \"\"\n"
	    "  \"key.der\": \"AP9hCg==\"\n");
	/* Read back: the same Secret, its annotation and data intact. */
	REQUIRE(unit_config_load(out.data, &cfg, &err) == 0);
	REQUIRE(cfg.nsecrets == 1);
	CHECK_STR(cfg.secrets[0].type, K8S_TLS_TYPE);
	CHECK_STR(cfg.secrets[0].namespace, "shop");
	REQUIRE(cfg.secrets[0].ann_values.n == 1);
	CHECK_STR(cfg.secrets[0].ann_values.v[0], s.ann_values.v[0]);
	REQUIRE(cfg.secrets[0].nitems == 3);
	CHECK_MEM(cfg.secrets[0].items[2].value, cfg.secrets[0].items[2].len,
	    bin, sizeof(bin));
	CHECK(cfg.secrets[0].items[1].len == 0);
	config_free(&cfg);
	buf_free(&out);
	k8s_secret_clear(&s);
}
