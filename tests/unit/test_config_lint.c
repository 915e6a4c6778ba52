/*
 * What a configuration must not carry into a run (issue 13): placeholders
 * a templating step should have replaced, and e-mail addresses a CA would
 * refuse.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/log.h"
#include "tests/unit/unit.h"

/* The placeholder config_placeholder() finds in s, or "" for none. */
static void
placeholder_is(const char *s, const char *want)
{
	char got[128] = "";
	const char *p;
	size_t len = 0;

	if ((p = config_placeholder(s, &len)) != NULL)
		snprintf(got, sizeof(got), "%.*s", (int)len, p);
	CHECK_STR(got, want);
}

void
test_config_placeholders(void)
{
	placeholder_is("${ACME_EMAIL}", "${ACME_EMAIL}");
	placeholder_is("ops-${ENV}@example.com", "${ENV}");
	placeholder_is("${ACME_SERVER:-https://x.test/dir}",
	    "${ACME_SERVER:-https://x.test/dir}");
	placeholder_is("$ACME_EMAIL", "$ACME_EMAIL");
	placeholder_is("https://$host/dir", "$host");
	placeholder_is("<email>", "<email>");
	placeholder_is("<your email address>", "<your email address>");
	placeholder_is("[Your_email]", "[Your_email]");
	placeholder_is("[YOUR DOMAIN].com", "[YOUR DOMAIN]");
	placeholder_is("{{ .Values.email }}", "{{ .Values.email }}");
	placeholder_is("{{.Values.acme.server}}/x", "{{.Values.acme.server}}");
	/* What legitimately holds $, <, [ or {. */
	placeholder_is("ops@acmec.test", "");
	placeholder_is("[::1]:53", "");
	placeholder_is("[fe80::1%eth0]:53", "");
	placeholder_is("https://[2001:db8::1]:14000/dir", "");
	placeholder_is("127.0.0.1:8080", "");
	placeholder_is("a+b/c=", "");
	placeholder_is("price$", "");
	placeholder_is("$5", "");
	placeholder_is("a < b", "");
	placeholder_is("{name: x}", "");
	placeholder_is("", "");
}

/* The Secret key in a ClusterIssuer: value v of field k under spec.acme. */
#define ISSUER_WITH(line) \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata:\n" \
	"  name: le\n" \
	"  labels: {app: web}\n" \
	"  annotations:\n" \
	"    argocd.argoproj.io/note: '{{.app.metadata.name}} ${X}'\n" \
	"spec:\n" \
	"  acme:\n" \
	"    server: https://acme.test/dir\n" \
	"    privateKeySecretRef: {name: le-account}\n" \
	line \
	"    solvers:\n" \
	"    - selector: {dnsZones: [acmec.test]}\n" \
	"      http01: {ingress: {}}\n"

static int
load(const char *text, const char **err)
{
	struct config cfg;
	int rc;

	rc = unit_config_load(text, &cfg, err);
	config_free(&cfg);
	return rc;
}

static void
refused(const char *text, const char *want)
{
	const char *err;

	CHECK(load(text, &err) < 0);
	if (strstr(err, want) == NULL)
		CHECK_STR(err, want);
}

void
test_config_placeholders_refused(void)
{
	const char *err;

	refused(ISSUER_WITH("    email: ${ACME_EMAIL}\n"),
	    "t.yaml:12:12: spec.acme.email: '${ACME_EMAIL}' left "
	    "unsubstituted: run envsubst or your GitOps tool's substitution "
	    "first");
	refused(ISSUER_WITH("    email: <email>\n"),
	    "spec.acme.email: '<email>' left unsubstituted");
	refused(ISSUER_WITH("    email: '[Your_email]'\n"),
	    "spec.acme.email: '[Your_email]' left unsubstituted");
	refused(ISSUER_WITH("    email: '{{ .Values.email }}'\n"),
	    "'{{ .Values.email }}' left unsubstituted");
	refused(ISSUER_WITH("    preferredChain: $CHAIN\n"),
	    "spec.acme.preferredChain: '$CHAIN' left unsubstituted");
	/* A list item, a map value. */
	refused(ISSUER_WITH("")
	    "    - selector: {dnsNames: ['${DOMAIN}']}\n"
	    "      http01: {ingress: {}}\n",
	    "spec.acme.solvers[1].selector.dnsNames[0]: '${DOMAIN}' left "
	    "unsubstituted");
	refused(ISSUER_WITH("")
	    "    - selector: {matchLabels: {app: '${APP}'}}\n"
	    "      http01: {ingress: {}}\n",
	    "matchLabels.app: '${APP}' left unsubstituted");
	/* Other tools' annotations are theirs: not checked. */
	CHECK(load(ISSUER_WITH("    email: ops@acmec.test\n"), &err) == 0);
	CHECK_STR(err, "");
	/* A deploy hook is a shell command: $VAR and < are the shell's. */
	CHECK(load(ISSUER_WITH("")
	    "---\n"
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: Certificate\n"
	    "metadata:\n"
	    "  name: web\n"
	    "  annotations:\n"
	    "    acmec.io/deploy-hook: 'cp $ACMEC_SECRET_DIR/tls.crt /etc/x "
	    "</dev/null'\n"
	    "spec:\n"
	    "  secretName: web-tls\n"
	    "  issuerRef: {name: le, kind: ClusterIssuer}\n"
	    "  dnsNames: [web.acmec.test]\n", &err) == 0);
	CHECK_STR(err, "");
}

static void
email_ok(const char *s)
{
	char *why = NULL;

	if (config_check_email(s, &why) != 0)
		CHECK_STR(why, "(accepted)");
	free(why);
}

static void
email_bad(const char *s, const char *want)
{
	char *why = NULL;

	CHECK(config_check_email(s, &why) < 0);
	if (why == NULL || strstr(why, want) == NULL)
		CHECK_STR(why, want);
	free(why);
}

void
test_config_email(void)
{
	email_ok("ops@acmec.test");
	email_ok("first.last+certs@mail.example.co.uk");
	email_ok("o'brien@EXAMPLE.NET");
	email_ok("ops@xn--bcher-kva.example");
	email_bad("", "is empty");
	email_bad("ops", "no '@'");
	email_bad("ops@", "nothing after '@'");
	email_bad("@acmec.test", "nothing before '@'");
	email_bad("a@b@acmec.test", "more than one '@'");
	email_bad("ops@localhost", "needs a dot");
	email_bad("ops@acmec.test.", "ends in a dot");
	email_bad("ops@acmec..test", "not a host name");
	email_bad("ops@-acmec.test", "not a host name");
	email_bad("ops@acmec_x.test", "not a host name");
	email_bad("ops@127.0.0.1", "not a host name");
	email_bad("ops@[127.0.0.1]", "not a host name");
	email_bad("ops @acmec.test", "spaces");
	email_bad("ops@acmec.test, dev@acmec.test", "one address");
	email_bad("Ops <ops@acmec.test>", "the address alone");
	email_bad("mailto:ops@acmec.test", "without mailto:");
	email_bad(".ops@acmec.test", "dot");
	email_bad("o..ps@acmec.test", "dot");
	email_bad("o\"ps@acmec.test", "character");
}
