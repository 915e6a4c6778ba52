/*
 * acmec check --online (online.h): the directory, the account, and each
 * solver, probed as a run would use them, creating nothing.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/fs.h"
#include "acme/http.h"
#include "acme/log.h"
#include "acme/online.h"
#include "acme/order.h"
#include "acme/solver/solver.h"
#include "crypto/b64.h"
#include "crypto/err.h"
#include "crypto/ident.h"
#include "crypto/key.h"
#include "crypto/rand.h"

void
online_init(struct online *o, const char *config, const char *statedir,
    const char *secretsdir)
{
	memset(o, 0, sizeof(*o));
	o->config = config;
	o->secrets_given = secretsdir;
	store_paths(&o->st, statedir, secretsdir);
}

void
online_free(struct online *o)
{
	store_close(&o->st);
	strlist_free(&o->done);
}

/*
 * A check begins: what the layers below report goes into its line (and
 * to stderr too with -v), the first error being the reason it failed.
 */
static void
begin(void)
{
	log_clear_error();
	if (log_verbosity() < 1)
		log_discard(true);
}

/* A check ends: its line, OK (note, may be NULL) or FAILED and why. */
static void
end(struct online *o, int rc, const char *what, const char *note)
{
	const char *why = log_last_error();

	log_discard(false);
	if (rc == 0) {
		o->ok++;
		printf("%s: OK%s%s\n", what, note != NULL ? ": " : "",
		    note != NULL ? note : "");
	} else {
		o->failed++;
		printf("%s: FAILED: %s\n", what, *why != '\0' ? why :
		    "no reason given; run with -v for the details");
	}
	fflush(stdout);
	log_clear_error();
}

/* --issuer's NAME (ClusterIssuer) or NAMESPACE/NAME; caller frees. */
static char *
issuer_arg(const struct cfg_issuer *is)
{
	return is->cluster ? util_strdup(is->name) :
	    util_printf("%s/%s", is->namespace, is->name);
}

/* What the directory shows the user; caller frees. */
static char *
dir_note(const struct acme *a)
{
	struct buf b = { 0 };

	buf_addstr(&b, "terms of service ");
	buf_addstr(&b, a->dir.tos != NULL ? log_esc(a->dir.tos) : "(none)");
	if (a->dir.website != NULL) {
		buf_addstr(&b, ", website ");
		buf_addstr(&b, log_esc(a->dir.website));
	}
	if (a->dir.eab_required)
		buf_addstr(&b, ", external account binding required");
	return b.data;
}

/* Say why is has no account at the CA, and the command that makes one. */
static void
no_account(const struct online *o, const struct cfg_issuer *is,
    enum account_none why)
{
	char *arg = issuer_arg(is);
	char *cmd = util_printf("acmec -c %s -s %s%s%s account register "
	    "--issuer %s", log_esc(o->config), log_esc2(o->st.statedir),
	    o->secrets_given != NULL ? " --secrets-dir " : "",
	    o->secrets_given != NULL ? o->secrets_given : "", arg);

	if (why == ACCOUNT_NO_KEY)
		log_error("the account key does not exist; register the "
		    "account: %s", cmd);
	else if (why == ACCOUNT_DEACTIVATED)
		log_error("the account is deactivated (its key is kept with "
		    ".deactivated added); register a new one: %s", cmd);
	else
		log_error("the CA knows no account with this key; register "
		    "one: %s", cmd);
	free(cmd);
	free(arg);
}

/* The account key of is exists and the CA knows it (a is open). */
static void
check_account(struct online *o, const struct cfg_issuer *is, struct acme *a,
    const char *label)
{
	struct key *key = NULL;
	enum account_none why;
	char *where = account_key_where(is, &o->st), *what, *note = NULL;
	int found;

	what = util_printf("%s: account key %s", label, log_esc(where));
	begin();
	if ((found = account_lookup(a, is, &o->st, &key, &why)) > 0)
		no_account(o, is, why);
	else if (found == 0)
		note = util_printf("registered as %s", log_esc(a->kid));
	end(o, found == 0 ? 0 : -1, what, note);
	a->key = NULL;
	key_free(key);
	free(note);
	free(what);
	free(where);
}

void
online_issuer(struct online *o, const struct cfg_issuer *is)
{
	struct acme_problem prob = { 0 };
	struct acme a;
	char *arg = issuer_arg(is), *label, *what, *note = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	label = util_printf("issuer %s", arg);
	what = util_printf("%s: directory %s", label, log_esc(is->server));
	begin();
	if ((rc = acme_open(&a, is->server, is->ca_bundle, is->ca_bundle_len,
	    is->skip_tls_verify, &prob)) < 0)
		log_error("%s; check spec.acme.server%s", prob.detail != NULL ?
		    log_esc(prob.detail) : "no answer", is->ca_bundle != NULL ?
		    " and spec.acme.caBundle" : ", and spec.acme.caBundle if "
		    "the server's certificate is from a private CA");
	else
		note = dir_note(&a);
	end(o, rc, what, note);
	if (rc == 0)
		check_account(o, is, &a, label);
	acme_problem_free(&prob);
	acme_close(&a);
	free(note);
	free(what);
	free(label);
	free(arg);
}

/* Can address (NULL: all) and port be bound now?  Bound and closed. */
static int
probe_port(const char *address, int port, const char *type)
{
	int err;

	if (solver_port_free(address, port) == 0)
		return 0;
	err = errno;
	if (err == EINVAL) {
		log_error("'%s' is not an IP address", log_esc(address));
		return -1;
	}
	if (err == EADDRINUSE)
		log_error("port %d is held by another server; stop it, %s, or "
		    "stop that server around runs with --pre-hook and "
		    "--post-hook", port, strcmp(type, "http-01") == 0 ?
		    "use a webroot (acmec.io/http01-webroot) that it serves" :
		    "give acmec another address (acmec.io/tlsalpn01-listen)");
	else
		log_error("cannot bind port %d: %s%s", port, strerror(err),
		    err == EACCES ? " (ports below 1024 need root or "
		    "CAP_NET_BIND_SERVICE)" : "");
	return -1;
}

/* GET url from this host: its body must be want. */
static int
fetch_probe(const char *url, const char *want, const char *root)
{
	struct http *h = http_new_metadata();
	struct http_resp r;
	int rc = -1;

	if (h == NULL) {
		log_error("%s", util_error());
		return -1;
	}
	if (http_request(h, "GET", url, NULL, NULL, NULL, &r) < 0) {
		log_error("cannot fetch %s: %s; is a web server on port 80 "
		    "there serving %s?", url, util_error(), log_esc(root));
		goto out;
	}
	if (r.status != 200 || r.body.len != strlen(want) ||
	    memcmp(r.body.data, want, r.body.len) != 0)
		log_error("%s answered %s%ld%s, not the file written in %s; "
		    "serve %s/.well-known/acme-challenge/ at that URL", url,
		    r.status == 200 ? "other content (HTTP " : "HTTP ",
		    r.status, r.status == 200 ? ")" : r.location != NULL ?
		    " (a redirect; the CA follows it, this check does not)" :
		    "", log_esc(root), log_esc2(root));
	else
		rc = 0;
	http_resp_free(&r);
out:
	http_free(h);
	return rc;
}

/*
 * Before the probe: open root (it must exist: a web server serves it) and
 * see which of .well-known and .well-known/acme-challenge exist, so that
 * the probe removes the directories it makes.  -1 reported.
 */
static int
webroot_open(const char *root, const char *name, int *rfd, bool *had_wk,
    bool *had_ac)
{
	struct stat sb;
	int wfd;

	*had_wk = *had_ac = true;
	if ((*rfd = fs_open_dir(root, 0, 0)) < 0) {
		if (errno == ENOENT)
			log_error("the webroot %s does not exist; create it, "
			    "and serve it at http://%s/", log_esc(root), name);
		else if (errno != ELOOP) /* reported */
			log_error("cannot open the webroot %s: %s",
			    log_esc(root), strerror(errno));
		return -1;
	}
	*had_wk = fstatat(*rfd, ".well-known", &sb, AT_SYMLINK_NOFOLLOW) == 0;
	*had_ac = false;
	if (*had_wk && (wfd = fs_open_subdir(*rfd, ".well-known", 0, 0)) >= 0) {
		*had_ac = fstatat(wfd, "acme-challenge", &sb,
		    AT_SYMLINK_NOFOLLOW) == 0;
		close(wfd);
	} else if (*had_wk) {
		*had_ac = true; /* not a directory: webroot_present says so */
	}
	return 0;
}

/* After the probe: remove the directories it made, if empty. */
static void
webroot_tidy(int rfd, bool had_wk, bool had_ac)
{
	int wfd;

	if (rfd < 0 || had_ac)
		return;
	if ((wfd = fs_open_subdir(rfd, ".well-known", 0, 0)) >= 0) {
		(void)unlinkat(wfd, "acme-challenge", AT_REMOVEDIR);
		close(wfd);
	}
	if (!had_wk)
		(void)unlinkat(rfd, ".well-known", AT_REMOVEDIR);
}

/*
 * Is s's webroot writable and served at http://NAME/?  A random probe file
 * written there as a challenge answer is (through the webroot solver:
 * descriptors, no links followed), fetched, and removed, and so are the
 * directories made for it.
 */
static int
probe_webroot(const struct online *o, const struct cfg_solver *s,
    const struct ident *id)
{
	struct solver_set set = { .secretsdir = o->st.secretsdir };
	unsigned char rnd[24];
	char *token = NULL, *body = NULL, *url = NULL;
	bool had_wk, had_ac;
	int rfd = -1, rc = -1;

	if (rand_bytes(rnd, sizeof(rnd)) < 0 ||
	    (token = b64_url_encode(rnd, sizeof(rnd))) == NULL) {
		log_error("%s", crypto_error());
		return -1;
	}
	body = util_printf("acmec check --online %s", token);
	if (webroot_open(s->webroot, id->value, &rfd, &had_wk, &had_ac) == 0 &&
	    solver_present(&set, s, id, token, body) == 0) {
		url = util_printf(strchr(id->value, ':') != NULL ?
		    "http://[%s]/.well-known/acme-challenge/%s" :
		    "http://%s/.well-known/acme-challenge/%s", id->value,
		    token);
		rc = fetch_probe(url, body, s->webroot);
	}
	solver_cleanup(&set);
	webroot_tidy(rfd, had_wk, had_ac);
	if (rfd >= 0)
		close(rfd);
	free(url);
	free(body);
	free(token);
	return rc;
}

/* Is argv0 a program that can run (found in PATH if it has no '/')? */
static int
probe_exec(const char *argv0)
{
	const char *path = getenv("PATH"), *p, *e;
	struct stat sb;
	char *f;
	int ok;

	if (strchr(argv0, '/') != NULL) {
		if (stat(argv0, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(argv0, X_OK) == 0)
			return 0;
		log_error("the hook %s %s; fix dns01.webhook.config.command",
		    log_esc(argv0), stat(argv0, &sb) < 0 ? "does not exist" :
		    "is not an executable file");
		return -1;
	}
	for (p = path != NULL ? path : "/usr/bin:/bin"; ; p = e + 1) {
		e = strchr(p, ':');
		f = util_printf("%.*s/%s", (int)(e ? (size_t)(e - p) :
		    strlen(p)), p, argv0);
		ok = stat(f, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(f, X_OK) == 0;
		free(f);
		if (ok)
			return 0;
		if (e == NULL)
			break;
	}
	log_error("the hook %s is not found in PATH; give its full path in "
	    "dns01.webhook.config.command", log_esc(argv0));
	return -1;
}

/*
 * The key of the check of s for id (made once a run) and the line's
 * words; both caller-freed.  NULL key: nothing to check.
 */
static char *
describe(const struct cfg_solver *s, const struct ident *id, char **what)
{
	const char *name = strncmp(id->value, "*.", 2) == 0 ? id->value + 2 :
	    id->value, *addr = s->http_address ? s->http_address : "*";

	if (s->type != SOLVER_DNS01 && (s->type == SOLVER_TLSALPN01 ||
	    s->http_mode == HTTP01_STANDALONE)) {
		*what = util_printf("%s on port %s:%d",
		    solver_challenge_type(s), addr, s->http_port);
		return util_printf("port %s %d", addr, s->http_port);
	}
	if (s->type == SOLVER_HTTP01) {
		*what = util_printf("http-01 webroot %s served at http://%s/",
		    log_esc(s->webroot), name);
		return util_printf("webroot %s %s", s->webroot, name);
	}
	if (s->dns_provider == DNS01_EXEC) {
		*what = util_printf("dns-01 hook %s",
		    log_esc(s->exec_command.v[0]));
		return util_printf("exec %s", s->exec_command.v[0]);
	}
	if (s->dns_provider == DNS01_API) {
		*what = util_printf("dns-01 %s credentials for %s",
		    s->api.provider, name);
		return util_printf("api %p %s", (const void *)s, name);
	}
	*what = util_printf("dns-01 TSIG key %s at %s for %s",
	    s->tsig_key_name ? s->tsig_key_name : "(none)",
	    s->rfc2136_nameserver, name);
	return s->tsig_key_name == NULL ? NULL :
	    util_printf("tsig %p %s", (const void *)s, name);
}

/* Probe s for id; 0 if ready, else -1 (reported). */
static int
probe(const struct online *o, const struct cfg_solver *s,
    const struct ident *id)
{
	if (s->type == SOLVER_TLSALPN01 || (s->type == SOLVER_HTTP01 &&
	    s->http_mode == HTTP01_STANDALONE))
		return probe_port(s->http_address, s->http_port,
		    solver_challenge_type(s));
	if (s->type == SOLVER_HTTP01)
		return probe_webroot(o, s, id);
	if (s->dns_provider == DNS01_EXEC)
		return probe_exec(s->exec_command.v[0]);
	if (s->dns_provider == DNS01_API)
		return solver_check_credentials(s, o->st.secretsdir, id->value);
	return solver_check_tsig(s, o->st.secretsdir, id->value);
}

/* The line for id of c (label): its solver, ready or not. */
static void
check_name(struct online *o, const char *label, const struct cfg_cert *c,
    const struct ident *id)
{
	const struct cfg_solver *s;
	char *key, *what = NULL, *line;

	begin();
	if ((s = solver_select(c->issuer, c, id)) == NULL) {
		log_error("%s; add a solver whose selector matches it",
		    util_error());
		line = util_printf("%s: %s: solver", label, id->value);
		end(o, -1, line, NULL);
		free(line);
		return;
	}
	key = describe(s, id, &what);
	line = util_printf("%s: %s: %s", label, id->value, what);
	if (key == NULL) {
		log_discard(false);
		printf("%s: not checked: no tsigKeyName (unsigned UPDATEs)\n",
		    line);
	} else if (!strlist_has(&o->done, key)) {
		strlist_add(&o->done, key);
		end(o, probe(o, s, id), line, NULL);
	} else {
		log_discard(false);
	}
	free(line);
	free(what);
	free(key);
}

void
online_cert(struct online *o, const struct cfg_cert *c)
{
	struct ident_list ids;
	char *label = util_printf("certificate %s/%s", c->namespace, c->name);
	size_t i;

	order_identifiers(c, &ids);
	for (i = 0; i < ids.n; i++)
		check_name(o, label, c, &ids.v[i]);
	ident_list_free(&ids);
	free(label);
}
