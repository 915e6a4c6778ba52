/*
 * A run's pre and post hooks (acme/runhook.c): the issuer annotations that
 * give them, and their once-only runs under parallel workers.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acme/config/config.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "acme/runhook.h"
#include "tests/unit/unit.h"

#define ISSUER(ann) \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata:\n" \
	"  name: le\n" \
	"  annotations:\n" \
	ann \
	"spec:\n" \
	"  acme:\n" \
	"    server: https://cluster.test/dir\n" \
	"    privateKeySecretRef: {name: le-account}\n" \
	"    solvers: [{http01: {ingress: {}}}]\n"

void
test_runhook_annotations(void)
{
	struct config cfg;
	const struct cfg_issuer *is;
	const char *err;

	REQUIRE(unit_config_load(ISSUER(
	    "    acmec.io/pre-hook: systemctl stop nginx\n"
	    "    acmec.io/post-hook: '[\"/bin/systemctl\", \"start\", \"a b\"]'\n"),
	    &cfg, &err) == 0);
	REQUIRE(cfg.nissuers == 1);
	is = &cfg.issuers[0];
	CHECK(is->hooks.pre.shell && is->hooks.pre.argv.n == 1 &&
	    strcmp(is->hooks.pre.argv.v[0], "systemctl stop nginx") == 0);
	CHECK(!is->hooks.post.shell && is->hooks.post.argv.n == 3 &&
	    strcmp(is->hooks.post.argv.v[2], "a b") == 0);
	/* Not a solver setting: the solver keeps acmec's own listener. */
	CHECK(is->solvers[0].http_mode == HTTP01_STANDALONE &&
	    is->solvers[0].webroot == NULL);
	config_free(&cfg);
	unit_config_refused(ISSUER("    acmec.io/post-hook: '[\"a\", 3]'\n"),
	    "t.yaml:6:5: metadata.annotations: acmec.io/post-hook: a value "
	    "starting with '[' is a JSON list of strings");
	unit_config_refused(ISSUER("    acmec.io/pre-hook: '[]'\n"),
	    "t.yaml:6:5: metadata.annotations: acmec.io/pre-hook: a value "
	    "starting with '['");
	unit_config_refused(ISSUER("    acmec.io/solvers.0.pre-hook: x\n"),
	    "t.yaml:6:5: metadata.annotations: 'acmec.io/solvers.0.pre-hook': "
	    "a pre or post hook runs around the issuer's orders, not one "
	    "solver's; write acmec.io/pre-hook");
	unit_config_refused(ISSUER("    acmec.io/prehook: x\n"),
	    "t.yaml:6:5: metadata.annotations: 'acmec.io/prehook' is not an "
	    "acmec annotation (expected one of: ");
}

struct racer {
	struct runhook *rh;
	const struct cfg_cert *c;
	int rc;
};

static void *
race(void *arg)
{
	struct racer *r = arg;

	r->rc = runhook_pre(r->rh, r->c);
	return NULL;
}

/* How many lines the file at path has; -1 if it cannot be read. */
static int
lines(const char *path)
{
	char *data = NULL;
	size_t len = 0, i;
	int n = 0;

	if (fs_read(path, FS_READ_MAX, &data, &len) < 0)
		return -1;
	for (i = 0; i < len; i++)
		n += data[i] == '\n';
	free(data);
	return n;
}

/*
 * 8 workers ask for the pre hook at once: it runs once (slowly, so that
 * the others must wait for it), every one of them sees its outcome, and
 * the post hook runs once after.
 */
static void
run_race(const char *dir, bool fail)
{
	struct cfg_issuer is = { 0 };
	struct cfg_cert certs[8];
	const struct cfg_cert *list[8];
	struct cfg_hooks hooks = { { { NULL, 0 }, true }, { { NULL, 0 }, true } };
	struct racer r[8];
	pthread_t t[8];
	struct runhook *rh;
	char *cmd, *pre = util_printf("%s/pre", dir);
	char *post = util_printf("%s/post", dir);
	size_t i;

	unlink(pre);
	unlink(post);
	cmd = util_printf("echo \"$ACMEC_HOOK $ACMEC_CERT_NAMES\" >>%s; "
	    "sleep 0.2; exit %d", pre, fail ? 3 : 0);
	strlist_add(&hooks.pre.argv, cmd);
	free(cmd);
	cmd = util_printf("echo \"$ACMEC_HOOK $ACMEC_CERT_NAMES\" >>%s", post);
	strlist_add(&hooks.post.argv, cmd);
	free(cmd);
	memset(certs, 0, sizeof(certs));
	for (i = 0; i < 8; i++) {
		certs[i].name = util_printf("c%zu", i);
		certs[i].issuer = &is;
		list[i] = &certs[i];
	}
	rh = runhook_new(&hooks, list, 8);
	log_discard(true);
	for (i = 0; i < 8; i++) {
		r[i] = (struct racer){ rh, &certs[i], 1 };
		REQUIRE(pthread_create(&t[i], NULL, race, &r[i]) == 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CHECK(r[i].rc == (fail ? -1 : 0));
	}
	CHECK(lines(pre) == 1);
	CHECK(runhook_post(rh) == 0);
	log_discard(false);
	CHECK(lines(post) == 1);
	runhook_free(rh);
	for (i = 0; i < 8; i++)
		free(certs[i].name);
	strlist_free(&hooks.pre.argv);
	strlist_free(&hooks.post.argv);
	free(pre);
	free(post);
}

void
test_runhook_once(void)
{
	char tmpl[] = "/tmp/acmec-unit-XXXXXX";
	const struct cfg_cert *none = NULL;
	struct cfg_hooks empty = { 0 };
	struct runhook *rh;
	char *d = mkdtemp(tmpl), *cmd;

	REQUIRE(d != NULL);
	run_race(d, false);
	run_race(d, true);
	/* No hooks at all: nothing to wait for, nothing owed. */
	CHECK(runhook_pre(NULL, NULL) == 0);
	rh = runhook_new(&empty, &none, 0);
	CHECK(runhook_post(rh) == 0);
	runhook_free(rh);
	CHECK(runhook_post(NULL) == 0);
	cmd = util_printf("%s/pre", d);
	unlink(cmd);
	free(cmd);
	cmd = util_printf("%s/post", d);
	unlink(cmd);
	free(cmd);
	CHECK(rmdir(d) == 0);
}
