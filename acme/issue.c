/* One Certificate's issuance or renewal, and parallel workers for many. */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/account.h"
#include "acme/dryrun.h"
#include "acme/csrfile.h"
#include "acme/fs.h"
#include "acme/hook.h"
#include "acme/http.h"
#include "acme/issue.h"
#include "acme/local.h"
#include "acme/keystore.h"
#include "acme/log.h"
#include "acme/order.h"
#include "acme/runhook.h"
#include "acme/acme.h"
#include "crypto/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "crypto/rand.h"

#define DEPLOY_HOOK_TIMEOUT 300
#define ARI_DEFAULT_RECHECK (6 * 3600)

/* An open session per issuer, shared by a worker's certificates. */
struct session {
	const struct cfg_issuer *issuer;
	struct acme acme;
	struct key *account_key;
	bool failed;
};

/* A worker's own connections, one per issuer. */
struct worker {
	const struct store *st;
	struct session *sessions;
	size_t nsessions;
	struct issue_report *rep; /* the current certificate's, or NULL */
	struct runhook *hooks;    /* the run's pre and post hooks */
	bool dry_run;             /* ISSUE_DRY_RUN */
};

/* The session for is, opened (and its account made ready) on first use. */
static struct session *
session_for(struct worker *w, const struct cfg_issuer *is)
{
	struct acme_problem prob = { 0 };
	struct session *s;
	char *cache;
	size_t i;
	int rc;

	for (i = 0; i < w->nsessions; i++)
		if (w->sessions[i].issuer == is)
			return w->sessions[i].failed ? NULL : &w->sessions[i];
	w->sessions = util_realloc(w->sessions, w->nsessions + 1,
	    sizeof(*w->sessions));
	s = &w->sessions[w->nsessions++];
	memset(s, 0, sizeof(*s));
	s->issuer = is;
	if (is->skip_tls_verify)
		log_warn("issuer '%s' sets skipTLSVerify: the ACME server's "
		    "identity is NOT checked; anyone on the path can issue "
		    "in its name", is->name);
	cache = util_printf("%s/cache", w->st->statedir);
	rc = acme_open_cached(&s->acme, w->dry_run ? dryrun_server(is) :
	    is->server, is->ca_bundle, is->ca_bundle_len, is->skip_tls_verify,
	    cache, &prob);
	free(cache);
	if (rc < 0) {
		char *what = util_printf("issuer '%s'", is->name);

		acme_problem_report(&prob, what);
		free(what);
		acme_problem_free(&prob);
		s->failed = true;
		return NULL;
	}
	if (is->ari_source == 1) {
		/* renewalInformationSource: None; renewal by time alone. */
		free(s->acme.dir.renewal_info);
		s->acme.dir.renewal_info = NULL;
	}
	if (is->profile != NULL &&
	    !strlist_has(&s->acme.dir.profiles, is->profile)) {
		log_error("issuer '%s': the CA offers no profile '%s' (its "
		    "directory lists %zu profile%s); change spec.acme.profile",
		    is->name, is->profile, s->acme.dir.profiles.n,
		    s->acme.dir.profiles.n == 1 ? "" : "s");
		s->failed = true;
		return NULL;
	}
	if (account_ensure(&s->acme, is, w->st, &s->account_key) < 0) {
		s->failed = true;
		return NULL;
	}
	return s;
}

static void
worker_free(struct worker *w)
{
	size_t i;

	for (i = 0; i < w->nsessions; i++) {
		long reqs, rounds, conns;

		if (w->sessions[i].acme.http != NULL) {
			http_counters(w->sessions[i].acme.http, &reqs, &rounds,
			    &conns);
			log_debug("issuer '%s': %ld HTTP requests in %ld rounds, "
			    "%ld TLS connections", w->sessions[i].issuer->name,
			    reqs, rounds, conns);
		}
		acme_close(&w->sessions[i].acme);
		key_free(w->sessions[i].account_key);
	}
	free(w->sessions);
	memset(w, 0, sizeof(*w));
}

/*
 * The key for the new certificate: the one in service in dir if
 * rotationPolicy is Never and it still fits, a new one otherwise (always
 * with dir NULL: a dry run's throwaway key).
 */
static struct key *
cert_key(const struct cfg_cert *c, const char *dir)
{
	char *path = dir ? util_printf("%s/tls.key", dir) : NULL, *pem = NULL;
	struct key *key = NULL;
	size_t len = 0;

	if (dir != NULL && !c->rotate_always &&
	    fs_read(path, FS_READ_MAX, &pem, &len) == 0) {
		key = key_load_pem(pem, len);
		crypto_secret_free(pem, len);
		if (key != NULL && (key_get_type(key) != c->key_type ||
		    (c->key_type == KEY_RSA &&
		    key_bits(key) != c->key_bits))) {
			log_info("%s: the key in service does not match "
			    "privateKey; generating a new one", c->name);
			key_free(key);
			key = NULL;
		}
	}
	free(path);
	if (key != NULL)
		return key;
	if ((key = key_generate(c->key_type, c->key_bits)) == NULL)
		log_error("%s: cannot generate the key: %s", c->name,
		    crypto_error());
	return key;
}

/* Run c's deploy hook for the files in dir; 0 if none or it succeeded. */
static int
deploy_hook(const struct cfg_cert *c, const char *dir)
{
	struct strlist env = { 0 };
	struct buf names = { 0 };
	char *e;
	size_t i;
	int rc;

	if (c->deploy_hook.n == 0)
		return 0;
	for (i = 0; i < c->dns_names.n; i++) {
		if (i > 0)
			buf_addstr(&names, " ");
		buf_addstr(&names, c->dns_names.v[i]);
	}
	e = util_printf("ACMEC_CERT_NAME=%s", c->name);
	strlist_add(&env, e);
	free(e);
	e = util_printf("ACMEC_SECRET_DIR=%s", dir);
	strlist_add(&env, e);
	free(e);
	e = util_printf("ACMEC_DNS_NAMES=%s", names.data ? names.data : "");
	strlist_add(&env, e);
	free(e);
	rc = hook_run(&c->deploy_hook, c->deploy_hook_shell, &env,
	    DEPLOY_HOOK_TIMEOUT, "deploy hook");
	if (rc != 0)
		log_event(LOG_ERROR, "hook", "%s: the new certificate is in "
		    "place, but its deploy hook failed", c->name);
	strlist_free(&env);
	buf_free(&names);
	return rc == 0 ? 0 : -1;
}

/*
 * Write the certificate's files (and keystores) as one set; their names
 * are added to written (may be NULL).  Without key (acmec.io/csr: the key
 * is elsewhere) the set is tls.crt and ca.crt, and an old tls.key goes.
 */
static int
publish(const struct store *st, const struct cfg_cert *c, const char *dir,
    const struct key *key, const struct order_result *res,
    struct strlist *written)
{
	struct fs_file files[5 + KEYSTORE_MAX_FILES];
	struct keystore_files ks = { 0 };
	struct buf combined = { 0 };
	char *keypem = NULL, *capem = NULL;
	unsigned char *keyder = NULL;
	size_t keylen = 0, calen = 0, derlen = 0, n = 0, i;
	int rc = -1;

	if (res->ca_pem != NULL) {
		capem = util_strndup(res->ca_pem, res->ca_len);
		calen = res->ca_len;
	}
	if ((key != NULL && key_save_pem(key, c->key_encoding, &keypem,
	    &keylen) < 0) ||
	    (capem == NULL && cert_to_pem(res->chain.v[res->chain.n - 1],
	    &capem, &calen) < 0) ||
	    (c->out_der && key_save_der(key, c->key_encoding, &keyder,
	    &derlen) < 0)) {
		log_error("%s: %s", c->name, crypto_error());
		goto out;
	}
	files[n++] = (struct fs_file){ "tls.crt", res->chain_pem,
		res->chain_len, 0644 };
	if (key != NULL)
		files[n++] = (struct fs_file){ "tls.key", keypem, keylen,
			0600 };
	files[n++] = (struct fs_file){ "ca.crt", capem, calen, 0644 };
	if (c->out_combined) {
		/* cert-manager's bytes: key and chain joined by "\n". */
		buf_add(&combined, keypem, keylen);
		buf_addstr(&combined, "\n");
		buf_add(&combined, res->chain_pem, res->chain_len);
		files[n++] = (struct fs_file){ "tls-combined.pem",
			combined.data, combined.len, 0600 };
	}
	if (c->out_der)
		files[n++] = (struct fs_file){ "key.der", keyder, derlen,
			0600 };
	if (key != NULL && keystore_build(c, st->secretsdir, key, &res->chain,
	    capem, calen, &ks) < 0) {
		log_error("%s: the files in %s are unchanged", c->name, dir);
		goto out;
	}
	memcpy(files + n, ks.v, ks.n * sizeof(*files));
	n += ks.n;
	if (fs_publish(dir, files, n) < 0) {
		log_event(LOG_ERROR, "failed", "%s: cannot write %s: %s; the "
		    "files in service are unchanged", c->name, dir,
		    strerror(errno));
		goto out;
	}
	for (i = 0; written != NULL && i < n; i++)
		strlist_add(written, files[i].name);
	if (key == NULL)
		csrfile_drop_key_link(dir);
	rc = 0;
out:
	if (combined.data != NULL)
		explicit_bzero(combined.data, combined.cap);
	buf_free(&combined);
	keystore_files_free(&ks);
	crypto_secret_free(keypem, keylen);
	crypto_secret_free(keyder, derlen);
	free(capem);
	return rc;
}

/*
 * The certificate in service is current but its keystores are not what c
 * asks for (added, or no longer created): write the set again from
 * tls.crt, tls.key and ca.crt (carried over as it is: a CA issuer's
 * root is not in tls.crt), issuing nothing, as cert-manager does.
 */
static int
keystores_again(const struct store *st, const struct cfg_cert *c,
    const char *dir)
{
	struct order_result res = { 0 };
	struct key *key = NULL;
	char *path, *pem = NULL;
	size_t len = 0;
	int rc = -1;

	path = util_printf("%s/tls.key", dir);
	if (fs_read(path, FS_READ_MAX, &pem, &len) == 0)
		key = key_load_pem(pem, len);
	crypto_secret_free(pem, len);
	free(path);
	path = util_printf("%s/ca.crt", dir);
	if (fs_read(path, FS_READ_MAX, &res.ca_pem, &res.ca_len) < 0)
		res.ca_pem = NULL; /* none: the top of tls.crt, as publish() */
	free(path);
	path = util_printf("%s/tls.crt", dir);
	if (key == NULL || fs_read(path, FS_READ_MAX, &res.chain_pem,
	    &res.chain_len) < 0 || cert_chain_parse(res.chain_pem,
	    res.chain_len, &res.chain) < 0)
		log_error("%s: cannot read %s and its key again", c->name, dir);
	else if ((rc = publish(st, c, dir, key, &res, NULL)) == 0)
		log_result("%s: keystores written as spec.keystores asks, in "
		    "%s (the certificate is unchanged)", c->name, dir);
	free(path);
	key_free(key);
	order_result_free(&res);
	return rc;
}

/* A uniformly random time in [start, end] (RFC 9773 §4.2). */
static time_t
random_in(time_t start, time_t end)
{
	unsigned long long r = 0;

	if (end <= start || rand_bytes(&r, sizeof(r)) < 0)
		return start;
	return start + (time_t)(r % (unsigned long long)(end - start + 1));
}

/*
 * Ask the CA's ARI when the certificate in service should be renewed, if a
 * check is owed; updates st's schedule and returns true if it did.
 * Failures are warnings: the cert-manager rules still apply.
 */
static bool
ari_check(struct worker *w, const struct cfg_cert *c,
    const struct issue_files *cs, struct cert_status *st, time_t now)
{
	struct acme_problem prob = { 0 };
	struct session *s;
	long long ra = -1;
	time_t start, end;

	/* A dry run's server (a staging twin) may not know the certificate. */
	if (w->dry_run || st->ari_id == NULL || cs->ari_id == NULL ||
	    strcmp(st->ari_id, cs->ari_id) != 0 || now < st->ari_next_check)
		return false;
	if ((s = session_for(w, c->issuer)) == NULL ||
	    s->acme.dir.renewal_info == NULL)
		return false;
	if (acme_renewal_info(&s->acme, cs->ari_id, &start, &end, &ra,
	    &prob) < 0) {
		acme_problem_report(&prob, "renewal information (ARI)");
		acme_problem_free(&prob);
		st->ari_next_check = now + (ra > 0 ? ra : 3600);
		return true;
	}
	st->ari_renew_at = random_in(start, end);
	/* The CA's Retry-After is kept across runs (RFC 9773 §4.3). */
	st->ari_next_check = now + (ra >= 0 ? ra : ARI_DEFAULT_RECHECK);
	log_debug("%s: the CA suggests renewing between %lld and %lld; "
	    "chose %lld", c->name, (long long)start, (long long)end,
	    (long long)st->ari_renew_at);
	return true;
}

/* Why c is due now, or NULL. */
static const char *
due_reason(const struct cfg_cert *c, const struct issue_files *cs,
    const struct cert_status *st, time_t now)
{
	char *hash;
	bool changed;

	if (!cs->exists)
		return "it has no certificate yet";
	if (!cs->key_ok)
		return cs->problem;
	if (status_revoked(st, cs->serial))
		return "it was revoked";
	hash = status_config_hash(c);
	changed = st->config_hash == NULL || hash == NULL ||
	    strcmp(hash, st->config_hash) != 0;
	free(hash);
	if (changed)
		return "its names or key settings changed";
	if (now >= cs->not_after)
		return "it has expired";
	if (st->ari_renew_at != 0 && st->ari_id != NULL && cs->ari_id != NULL &&
	    strcmp(st->ari_id, cs->ari_id) == 0 && now >= st->ari_renew_at)
		return "the CA's renewal window (ARI) says so";
	if (now >= cs->renewal_time)
		return "its renewal time has come";
	return NULL;
}

/*
 * Is c due (always, with force)?  Verified files are remembered and ARI is
 * asked when owed; st and cs are updated.  Logs why, or until when not.
 */
static bool
is_due(struct worker *w, const struct cfg_cert *c, bool cache,
    struct cert_status *st, const struct issue_files *cs, time_t now)
{
	const char *why;
	bool save = false;
	char date[32];
	time_t at;

	/* Files verified afresh: remember them, for the next run. */
	if (cache && !cs->cached && cs->exists && cs->key_ok) {
		issue_cache_files(st, cs);
		save = true;
	}
	if ((why = due_reason(c, cs, st, now)) == NULL &&
	    ari_check(w, c, cs, st, now)) {
		why = due_reason(c, cs, st, now);
		save = true;
	}
	if (save && !w->dry_run)
		status_save(w->st, c, st);
	if (why != NULL) {
		log_event(LOG_RESULT, "renewal-due", "%s: renewing: %s",
		    c->name, why);
		return true;
	}
	/* Only with -v: renew over many Certificates formats no dates. */
	if (!log_enabled(LOG_DEBUG))
		return false;
	at = st->ari_renew_at && st->ari_renew_at < cs->renewal_time ?
	    st->ari_renew_at : cs->renewal_time;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&at));
	log_event(LOG_DEBUG, "renewal-skipped", "%s: not due until %s",
	    c->name, date);
	return false;
}

/* A CA or selfSigned issuer's certificate for c, put in service in dir. */
static int
obtain_local(struct worker *w, const struct cfg_cert *c, const char *dir,
    struct order_result *res)
{
	struct key *key;
	int rc = -1;

	if ((key = cert_key(c, w->dry_run ? NULL : dir)) == NULL)
		return -1;
	if (local_obtain(w->st->secretsdir, c, key, res) < 0)
		log_event(LOG_ERROR, "failed", "%s: not issued; the files "
		    "in %s are unchanged", c->name, dir);
	else
		rc = w->dry_run ? 0 : publish(w->st, c, dir, key, res, w->rep ?
		    &w->rep->files : NULL);
	key_free(key);
	return rc;
}

/*
 * Order a certificate for c with its key (or its CSR from elsewhere) and
 * put it in service in dir; st gets the last order.  The session is
 * returned in *sp.
 */
static int
obtain(struct worker *w, const struct cfg_cert *c, const char *dir,
    const struct issue_files *cs, struct cert_status *st,
    struct order_result *res, struct session **sp)
{
	struct session *s;
	struct key *key = NULL;
	struct csr *csr = NULL;
	const char *replaces = NULL;
	int rc = -1;

	*sp = NULL;
	/* A CSR from elsewhere is read afresh each run, before anything. */
	if (c->csr_file != NULL && (csr = csrfile_load(c)) == NULL) {
		log_event(LOG_ERROR, "failed", "%s: %s; not ordered, the files "
		    "in %s are unchanged", c->name, util_error(), dir);
		return -1;
	}
	if (c->issuer->type != ISSUER_ACME)
		return obtain_local(w, c, dir, res);
	if ((*sp = s = session_for(w, c->issuer)) == NULL)
		goto out;
	/*
	 * Tell the CA which certificate this one replaces (RFC 9773 §5); not
	 * a dry run's order, which would use up the one replacement.
	 */
	if (s->acme.dir.renewal_info != NULL && cs->exists &&
	    cs->ari_id != NULL && !w->dry_run)
		replaces = cs->ari_id;
	if (keystore_check(c, w->st->secretsdir) < 0) {
		log_error("%s: not ordered; the files in %s are unchanged",
		    c->name, dir);
		goto out;
	}
	if (csr == NULL && (key = cert_key(c, w->dry_run ? NULL : dir)) == NULL)
		goto out;
	log_event(LOG_INFO, "order", "%s: ordering from %s", c->name,
	    log_esc(s->acme.server));
	if (order_run(&s->acme, c, csr ? csr_key(csr) : key, csr,
	    w->st->secretsdir, replaces, st, res) < 0) {
		if (s->acme.account_unknown)
			log_error("%s: the CA does not know the account %s (was "
			    "the CA reset?); acmec keeps its key: to register "
			    "that key again, remove %s/%s/account.json or run "
			    "'acmec account register --issuer %s' after that",
			    c->name, log_esc(s->acme.kid), w->st->secretsdir,
			    c->issuer->account_key.name, c->issuer->name);
		log_event(LOG_ERROR, "failed", "%s: not issued; the files in "
		    "%s are unchanged", c->name, dir);
		goto out;
	}
	/* With a CSR, the key is not acmec's: tls.crt and ca.crt only. */
	rc = w->dry_run ? 0 : publish(w->st, c, dir, key, res, w->rep ?
	    &w->rep->files : NULL);
out:
	key_free(key);
	csr_free(csr);
	return rc;
}

/*
 * Record the certificate now in service in dir: status, what its files
 * verify to, and the line that says so.
 */
static void
record_issued(struct worker *w, const struct cfg_cert *c, const char *dir,
    const struct session *s, const struct order_result *res,
    struct cert_status *st, struct issue_files *cs, time_t now)
{
	char *id, date[32];
	time_t na;

	id = s != NULL && s->acme.dir.renewal_info ? issue_ari_id(res->chain.v[0]) :
	    NULL;
	status_record_issued(st, c, now, id);
	/* What is in service now, verified once, for later runs. */
	issue_files_free(cs);
	issue_inspect(w->st, c, dir, NULL, cs);
	issue_cache_files(st, cs);
	na = cert_not_after(res->chain.v[0]);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&na));
	log_event(LOG_RESULT, "issued", "%s: issued, valid until %s, in %s",
	    c->name, date, dir);
}

/* What the run wrote, for issue --json (rep may be NULL). */
static void
report(struct issue_report *rep, enum issue_result result, const char *dir,
    struct issue_files *cs)
{
	if (rep == NULL)
		return;
	rep->result = result;
	rep->dir = util_strdup(dir);
	if (result == ISSUE_FAILED)
		rep->error = util_strdup(log_last_error()[0] != '\0' ?
		    log_last_error() : "failed; see the messages on stderr");
	/* Written (a deploy hook may still have failed): what is there. */
	if (rep->files.n > 0) {
		rep->in_service = *cs; /* moved: cs is zeroed */
		memset(cs, 0, sizeof(*cs));
	}
}

/*
 * Order c's certificate (due, locked) into dir after the pre hooks, and
 * record the outcome in st (a dry run records nothing).
 */
static enum issue_result
order_one(struct worker *w, const struct cfg_cert *c, const char *dir,
    struct cert_status *st, struct issue_files *cs, time_t now)
{
	struct order_result res = { 0 };
	struct session *s = NULL;
	enum issue_result result = ISSUE_FAILED;
	long long start;
	int rc;

	if (runhook_pre(w->hooks, c) < 0) {
		if (!w->dry_run) {
			status_record_failure(st, now, log_last_error(), false);
			status_save(w->st, c, st);
		}
		return ISSUE_FAILED;
	}
	start = util_now_ms();
	rc = obtain(w, c, dir, cs, st, &res, &s);
	if (w->dry_run) {
		dryrun_result(c, rc == 0, &res, dir);
		result = rc == 0 ? ISSUE_DONE : ISSUE_FAILED;
		goto out;
	}
	if (rc < 0) {
		status_record_failure(st, now, log_last_error(), true);
	} else {
		/* From the order's start to the files written, for metrics. */
		st->issue_seconds = (double)(util_now_ms() - start) / 1000.0;
		record_issued(w, c, dir, s, &res, st, cs, now);
		if (deploy_hook(c, dir) == 0)
			result = ISSUE_DONE;
		else
			status_record_failure(st, now, log_last_error(),
			    false);
	}
	status_save(w->st, c, st);
out:
	order_result_free(&res);
	return result;
}

static enum issue_result
issue_one(struct worker *w, const struct cfg_cert *c, const char *outdir,
    bool force, struct issue_report *rep)
{
	struct cert_status st;
	struct issue_files cs;
	enum issue_result result = ISSUE_FAILED;
	time_t now = time(NULL);
	char *dir;
	int lockfd = -1;

	log_clear_error();
	log_set_cert(c->namespace, c->name);
	w->rep = rep;
	dir = outdir ? util_strdup(outdir) :
	    store_secret_dir(w->st, c->secret_name);
	memset(&st, 0, sizeof(st));
	memset(&cs, 0, sizeof(cs));
	if (store_lock_cert(w->st, c->namespace, c->name, 0, &lockfd) < 0)
		goto out_unlocked;
	status_load(w->st, c, &st);
	issue_inspect(w->st, c, dir, &st, &cs);
	if (!force && !is_due(w, c, outdir == NULL, &st, &cs, now)) {
		result = ISSUE_NOT_DUE;
		if (keystore_stale(c, dir) && !w->dry_run &&
		    (keystores_again(w->st, c, dir) < 0 ||
		    deploy_hook(c, dir) < 0))
			result = ISSUE_FAILED;
		goto out;
	}
	result = order_one(w, c, dir, &st, &cs, now);
out:
	fs_unlock(lockfd);
out_unlocked:
	report(rep, result, dir, &cs);
	w->rep = NULL;
	log_set_cert(NULL, NULL);
	issue_files_free(&cs);
	status_free(&st);
	free(dir);
	return result;
}

/* The work queue shared by the workers of one run. */
struct queue {
	const struct store *st;
	const struct cfg_cert *const *certs;
	struct issue_report **reports; /* NULL, or one per certificate */
	size_t n, next;
	unsigned flags;
	const char *outdir;
	struct runhook *hooks;
	pthread_mutex_t mu;
	struct issue_counts counts;
};

static void *
work(void *arg)
{
	struct queue *q = arg;
	struct worker w = { q->st, NULL, 0, NULL, q->hooks,
		(q->flags & ISSUE_DRY_RUN) != 0 };
	enum issue_result r;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		i = q->next < q->n && !util_interrupted() ? q->next++ : q->n;
		pthread_mutex_unlock(&q->mu);
		if (i >= q->n)
			break;
		r = issue_one(&w, q->certs[i], q->outdir,
		    (q->flags & ISSUE_FORCE) != 0,
		    q->reports ? q->reports[i] : NULL);
		pthread_mutex_lock(&q->mu);
		if (r == ISSUE_DONE)
			q->counts.done++;
		else if (r == ISSUE_NOT_DUE)
			q->counts.not_due++;
		else
			q->counts.failed++;
		pthread_mutex_unlock(&q->mu);
	}
	worker_free(&w);
	return NULL;
}

/* The Certificates of certs run in parallel; counts added to *counts. */
static void
run_wave(const struct store *st, const struct cfg_cert *const *certs,
    struct issue_report **reports, size_t n, int jobs, unsigned flags,
    const char *outdir, struct runhook *hooks, struct issue_counts *counts)
{
	struct queue q;
	pthread_t *threads;
	int i, started = 0;

	memset(&q, 0, sizeof(q));
	q.st = st;
	q.certs = certs;
	q.reports = reports;
	q.n = n;
	q.flags = flags;
	q.outdir = outdir;
	q.hooks = hooks;
	pthread_mutex_init(&q.mu, NULL);
	if (jobs < 1)
		jobs = 1;
	if ((size_t)jobs > n)
		jobs = (int)n;
	threads = util_alloc(((size_t)jobs + 1) * sizeof(*threads));
	/* One worker runs on this thread; the others on threads of their own. */
	for (i = 1; i < jobs; i++)
		if (pthread_create(&threads[started], NULL, work, &q) == 0)
			started++;
		else
			log_warn("cannot start worker %d; going on with fewer", i);
	work(&q);
	/* Only the threads that started, whichever failed in between. */
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&q.mu);
	counts->done += q.counts.done;
	counts->not_due += q.counts.not_due;
	counts->failed += q.counts.failed;
}

/*
 * How many Certificates of certs stand between c and its root: a CA
 * issuer's certificate is signed after the Certificate that writes the
 * CA's Secret, if that one runs too (cycles are refused at load).
 */
static size_t
wave_of(const struct cfg_cert *const *certs, size_t n,
    const struct cfg_cert *c)
{
	const struct cfg_issuer *is;
	size_t depth = 0, i;

	while (depth < n && (is = c->issuer) != NULL &&
	    is->type == ISSUER_CA && is->ca_ref.doc == NULL) {
		for (i = 0; i < n; i++)
			if (certs[i]->secret_name != NULL && strcmp(
			    certs[i]->secret_name, is->ca_ref.name) == 0)
				break;
		if (i == n || certs[i] == c)
			break;
		c = certs[i];
		depth++;
	}
	return depth;
}

void
issue_run(const struct store *st, const struct cfg_cert *const *certs,
    size_t n, int jobs, unsigned flags, const char *outdir,
    const struct cfg_hooks *hooks, struct issue_counts *counts,
    struct issue_report *reports)
{
	struct runhook *rh = runhook_new(hooks, certs, n);
	const struct cfg_cert **wave = util_alloc((n + 1) * sizeof(*wave));
	struct issue_report **wrep = util_alloc((n + 1) * sizeof(*wrep));
	size_t *depth = util_alloc((n + 1) * sizeof(*depth)), max = 0, d, i, k;

	memset(counts, 0, sizeof(*counts));
	/* libcurl's global state, once, before any thread. */
	http_init();
	if (flags & ISSUE_DRY_RUN)
		dryrun_announce(certs, n);
	for (i = 0; i < n; i++)
		if ((depth[i] = wave_of(certs, n, certs[i])) > max)
			max = depth[i];
	/* CAs before the certificates they sign; each wave in parallel. */
	for (d = 0; d <= max && !util_interrupted(); d++) {
		for (i = k = 0; i < n; i++)
			if (depth[i] == d) {
				wrep[k] = reports ? &reports[i] : NULL;
				wave[k++] = certs[i];
			}
		if (k > 0)
			run_wave(st, wave, reports ? wrep : NULL, k, jobs,
			    flags, outdir, rh, counts);
	}
	/* After the last order, also after a stop signal. */
	counts->hook_failed = runhook_post(rh) < 0;
	runhook_free(rh);
	free(wave);
	free(wrep);
	free(depth);
}

void
issue_report_free(struct issue_report *r)
{
	free(r->dir);
	strlist_free(&r->files);
	issue_files_free(&r->in_service);
	free(r->error);
	memset(r, 0, sizeof(*r));
}
