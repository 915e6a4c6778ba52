/* A run's pre and post hooks (runhook.h). */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "acme/hook.h"
#include "acme/log.h"
#include "acme/runhook.h"

/* As long as a deploy hook may take. */
#define RUNHOOK_TIMEOUT 300
/* ACMEC_CERT_NAMES stays well below Linux's 128 KiB for one string. */
#define NAMES_MAX 65536

enum state {
	ST_IDLE,
	ST_RUNNING,
	ST_OK,
	ST_FAILED,
};

/* The hooks of the command line (issuer NULL) or of one issuer. */
struct group {
	const struct cfg_issuer *issuer;
	const struct cfg_hooks *hooks;
	struct strlist scope;   /* the run's Certificates it applies to */
	struct strlist ordered; /* those of them that were ordered */
	enum state pre;
	bool owed;              /* its post hook is to run */
};

struct runhook {
	pthread_mutex_t mu;
	pthread_cond_t done; /* a pre hook has finished */
	struct group *g;
	size_t n;
};

static bool
has_hooks(const struct cfg_hooks *h)
{
	return h != NULL && (h->pre.argv.n > 0 || h->post.argv.n > 0);
}

static bool
applies(const struct group *g, const struct cfg_cert *c)
{
	return g->issuer == NULL || g->issuer == c->issuer;
}

static void
add_group(struct runhook *rh, const struct cfg_issuer *is,
    const struct cfg_hooks *hooks)
{
	struct group *g;

	rh->g = util_realloc(rh->g, rh->n + 1, sizeof(*rh->g));
	g = &rh->g[rh->n++];
	memset(g, 0, sizeof(*g));
	g->issuer = is;
	g->hooks = hooks;
}

struct runhook *
runhook_new(const struct cfg_hooks *cli, const struct cfg_cert *const *certs,
    size_t n)
{
	struct runhook *rh = util_alloc(sizeof(*rh));
	const struct cfg_issuer *is;
	size_t i, k;

	memset(rh, 0, sizeof(*rh));
	/* The command line's first: its pre hook runs before an issuer's. */
	if (has_hooks(cli))
		add_group(rh, NULL, cli);
	for (i = 0; i < n; i++) {
		if ((is = certs[i]->issuer) == NULL || !has_hooks(&is->hooks))
			continue;
		for (k = 0; k < rh->n && rh->g[k].issuer != is; k++)
			;
		if (k == rh->n)
			add_group(rh, is, &is->hooks);
	}
	for (k = 0; k < rh->n; k++)
		for (i = 0; i < n; i++)
			if (applies(&rh->g[k], certs[i]))
				strlist_add(&rh->g[k].scope, certs[i]->name);
	pthread_mutex_init(&rh->mu, NULL);
	pthread_cond_init(&rh->done, NULL);
	return rh;
}

/* "pre hook (--pre-hook)", "post hook of issuer 'le'"; caller frees. */
static char *
hook_name(const struct group *g, bool pre)
{
	if (g->issuer == NULL)
		return util_printf("%s hook (--%s-hook)", pre ? "pre" : "post",
		    pre ? "pre" : "post");
	return util_printf("%s hook of issuer '%s' (acmec.io/%s-hook)",
	    pre ? "pre" : "post", g->issuer->name, pre ? "pre" : "post");
}

/* Run g's pre or post hook for the Certificates names; 0 if it succeeded. */
static int
run(const struct group *g, bool pre, const struct strlist *names)
{
	const struct cfg_hook *h = pre ? &g->hooks->pre : &g->hooks->post;
	struct strlist env = { 0 };
	struct buf list = { 0 };
	char *what = hook_name(g, pre), *e;
	size_t i;
	int rc;

	for (i = 0; i < names->n; i++) {
		if (list.len + strlen(names->v[i]) + 1 > NAMES_MAX) {
			buf_addstr(&list, " ...");
			break;
		}
		if (i > 0)
			buf_addstr(&list, " ");
		buf_addstr(&list, names->v[i]);
	}
	strlist_add(&env, pre ? "ACMEC_HOOK=pre" : "ACMEC_HOOK=post");
	e = util_printf("ACMEC_CERT_NAMES=%s", list.data ? list.data : "");
	strlist_add(&env, e);
	free(e);
	log_event(LOG_INFO, "hook", "running the %s", what);
	rc = hook_run(&h->argv, h->shell, &env, RUNHOOK_TIMEOUT, what);
	strlist_free(&env);
	buf_free(&list);
	free(what);
	return rc == 0 ? 0 : -1;
}

/*
 * g's pre hook, run now if nobody has (mu held, released while it runs);
 * its state after.  stopped: a stop signal came before it could start.
 */
static enum state
pre_once(struct runhook *rh, struct group *g, bool *stopped)
{
	int rc;

	while (g->pre == ST_RUNNING)
		pthread_cond_wait(&rh->done, &rh->mu);
	if (g->pre != ST_IDLE)
		return g->pre;
	if (util_interrupted()) {
		*stopped = true;
		return ST_FAILED;
	}
	g->pre = ST_RUNNING;
	g->owed = true; /* started: what it did is to be undone */
	pthread_mutex_unlock(&rh->mu);
	rc = run(g, true, &g->scope);
	pthread_mutex_lock(&rh->mu);
	g->pre = rc == 0 ? ST_OK : ST_FAILED;
	pthread_cond_broadcast(&rh->done);
	return g->pre;
}

int
runhook_pre(struct runhook *rh, const struct cfg_cert *c)
{
	const struct group *failed = NULL;
	bool stopped = false;
	char *what;
	size_t k;

	if (rh == NULL || rh->n == 0)
		return 0;
	pthread_mutex_lock(&rh->mu);
	for (k = 0; k < rh->n && failed == NULL; k++)
		if (applies(&rh->g[k], c) && rh->g[k].hooks->pre.argv.n > 0 &&
		    pre_once(rh, &rh->g[k], &stopped) != ST_OK)
			failed = &rh->g[k];
	for (k = 0; k < rh->n && failed == NULL; k++)
		if (applies(&rh->g[k], c)) {
			rh->g[k].owed = true;
			strlist_add(&rh->g[k].ordered, c->name);
		}
	pthread_mutex_unlock(&rh->mu);
	if (failed == NULL)
		return 0;
	what = hook_name(failed, true);
	log_event(LOG_ERROR, "failed", "%s: not ordered: %s%s%s; the files in "
	    "service are unchanged", c->name, stopped ? "acmec was stopped "
	    "before the " : "the ", what, stopped ? " could run" : " failed");
	free(what);
	return -1;
}

int
runhook_post(struct runhook *rh)
{
	size_t k;
	int rc = 0;

	/* The reverse of the pre hooks' order: the issuers' first. */
	for (k = rh ? rh->n : 0; k-- > 0;)
		if (rh->g[k].owed && rh->g[k].hooks->post.argv.n > 0 &&
		    run(&rh->g[k], false, &rh->g[k].ordered) < 0)
			rc = -1;
	return rc;
}

void
runhook_free(struct runhook *rh)
{
	size_t k;

	if (rh == NULL)
		return;
	for (k = 0; k < rh->n; k++) {
		strlist_free(&rh->g[k].scope);
		strlist_free(&rh->g[k].ordered);
	}
	free(rh->g);
	pthread_mutex_destroy(&rh->mu);
	pthread_cond_destroy(&rh->done);
	free(rh);
}
