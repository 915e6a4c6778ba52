/*
 * acmec status: what the files and the recorded state say, no network.
 * A table; --json shaped like cert-manager's Certificate status; one NAME
 * described in full, as kubectl describe would.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/issue.h"
#include "acme/log.h"
#include "acme/metrics.h"
#include "acme/solver/solver.h"
#include "acme/status.h"
#include "acme/store.h"

/* What status says of one Certificate. */
struct view {
	const struct cfg_cert *c;
	struct issue_files cs;
	struct cert_status st;
	bool ready;
	const char *reason, *message;
	char *revoked; /* the message, when revoked */
	time_t renewal;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] status [--format table|json|prometheus] "
	    "[--json] [NAME...]\n"
	    "       acmec [-c CONFIG] status --check [--warn DURATION] "
	    "[--crit DURATION] [NAME...]\n"
	    "\n"
	    "Shows the Certificates (all if none is named) from the files "
	    "and the state\n"
	    "acmec keeps, without using the network.  One NAME is described "
	    "in full.\n"
	    "--json is --format json; prometheus prints cert-manager's "
	    "metrics.  --check is\n"
	    "a Nagios check: one line, exit 0 OK, 1 WARNING (expiry within "
	    "--warn, default\n"
	    "21d), 2 CRITICAL (within --crit, default 7d, or not ready or "
	    "failing), 3 UNKNOWN.\n");
}

/* RFC 3339 in UTC, as Kubernetes writes times. */
static const char *
rfc3339(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* Why a revoked certificate is not ready; caller frees. */
static char *
revoked_message(const struct cert_status *s)
{
	char t[32];

	return util_printf("Certificate was revoked (serial %s, %s%s%s); "
	    "renew replaces it", log_esc(s->revoked_serial),
	    rfc3339(s->revoked_at, t, sizeof(t)), s->revoked_reason ?
	    ", reason " : "", s->revoked_reason ?
	    log_esc2(s->revoked_reason) : "");
}

static void
view_init(struct view *v, const struct store *st, const struct cfg_cert *c)
{
	char *hash;

	memset(v, 0, sizeof(*v));
	v->c = c;
	status_load(st, c, &v->st);
	issue_inspect(st, c, NULL, &v->st, &v->cs);
	v->renewal = v->cs.renewal_time;
	if (v->st.ari_renew_at != 0 && v->st.ari_id != NULL &&
	    v->cs.ari_id != NULL && strcmp(v->st.ari_id, v->cs.ari_id) == 0 &&
	    v->st.ari_renew_at < v->renewal)
		v->renewal = v->st.ari_renew_at;
	hash = status_config_hash(c);
	/* cert-manager's reasons, for scripts that know them. */
	if (!v->cs.exists) {
		v->reason = "DoesNotExist";
		v->message = "Issuing certificate as Secret does not exist";
	} else if (!v->cs.key_ok) {
		v->reason = "InvalidKeyPair";
		v->message = v->cs.problem;
	} else if (status_revoked(&v->st, v->cs.serial)) {
		v->reason = "Revoked";
		v->revoked = revoked_message(&v->st);
		v->message = v->revoked;
	} else if (time(NULL) >= v->cs.not_after) {
		v->reason = "Expired";
		v->message = "Certificate has expired";
	} else if (v->st.config_hash == NULL || hash == NULL ||
	    strcmp(v->st.config_hash, hash) != 0) {
		v->reason = "SecretMismatch";
		v->message = "Issuing certificate as the names or key settings "
		    "changed";
	} else {
		v->ready = true;
		v->reason = "Ready";
		v->message = "Certificate is up to date and has not expired";
	}
	free(hash);
}

static void
view_free(struct view *v)
{
	issue_files_free(&v->cs);
	status_free(&v->st);
	free(v->revoked);
}

static const char *
short_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == 0)
		return "-";
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

static cJSON *
view_json(const struct view *v)
{
	cJSON *item = cJSON_CreateObject(), *meta, *status, *conds, *cond;
	char t[32];

	meta = cJSON_AddObjectToObject(item, "metadata");
	cJSON_AddStringToObject(meta, "name", v->c->name);
	cJSON_AddStringToObject(meta, "namespace", v->c->namespace);
	status = cJSON_AddObjectToObject(item, "status");
	conds = cJSON_AddArrayToObject(status, "conditions");
	cond = cJSON_CreateObject();
	cJSON_AddStringToObject(cond, "type", "Ready");
	cJSON_AddStringToObject(cond, "status", v->ready ? "True" : "False");
	cJSON_AddStringToObject(cond, "reason", v->reason);
	cJSON_AddStringToObject(cond, "message", v->message);
	cJSON_AddItemToArray(conds, cond);
	if (v->cs.exists) {
		cJSON_AddStringToObject(status, "notBefore",
		    rfc3339(v->cs.not_before, t, sizeof(t)));
		cJSON_AddStringToObject(status, "notAfter",
		    rfc3339(v->cs.not_after, t, sizeof(t)));
		cJSON_AddStringToObject(status, "renewalTime",
		    rfc3339(v->renewal, t, sizeof(t)));
	}
	if (v->st.revision > 0)
		cJSON_AddNumberToObject(status, "revision",
		    (double)v->st.revision);
	if (v->st.last_failure != 0)
		cJSON_AddStringToObject(status, "lastFailureTime",
		    rfc3339(v->st.last_failure, t, sizeof(t)));
	if (v->st.failed_attempts > 0)
		cJSON_AddNumberToObject(status, "failedIssuanceAttempts",
		    v->st.failed_attempts);
	if (v->st.last_error != NULL && v->st.last_failure != 0)
		cJSON_AddStringToObject(status, "lastError",
		    v->st.last_error);
	return item;
}

static void
print_table(struct view *v, size_t n)
{
	char a[32], b[32];
	size_t i;

	printf("%-24s %-5s %-24s %-16s %-16s %-20s %s\n", "NAME", "READY",
	    "SECRET", "NOT AFTER", "RENEWAL TIME", "ISSUER", "LAST ERROR");
	for (i = 0; i < n; i++) {
		char *issuer = util_printf("%s%s",
		    v[i].c->issuer_cluster ? "cluster/" : "",
		    v[i].c->issuer_name);

		printf("%-24s %-5s %-24s %-16s %-16s %-20s %s\n", v[i].c->name,
		    v[i].ready ? "True" : "False", v[i].c->secret_name,
		    v[i].cs.exists ? short_time(v[i].cs.not_after, a,
		    sizeof(a)) : "-", v[i].cs.exists ? short_time(v[i].renewal,
		    b, sizeof(b)) : "-", issuer, v[i].st.last_failure != 0 &&
		    v[i].st.last_error ? log_esc(v[i].st.last_error) : "-");
		free(issuer);
	}
}

static void
describe(const struct view *v, const struct store *st)
{
	const struct cfg_cert *c = v->c;
	char t[32], *dir = store_secret_dir(st, c->secret_name), *h;
	size_t i;

	printf("Name:             %s\n", c->name);
	printf("Namespace:        %s\n", c->namespace);
	printf("Secret:           %s\n", dir);
	printf("Issuer:           %s %s (%s)\n", c->issuer_cluster ?
	    "ClusterIssuer" : "Issuer", c->issuer_name, c->issuer == NULL ?
	    "?" : c->issuer->server ? c->issuer->server :
	    config_issuer_type_name(c->issuer->type));
	printf("DNS Names:       ");
	for (i = 0; i < c->dns_names.n; i++)
		printf(" %s", c->dns_names.v[i]);
	for (i = 0; i < c->ip_addresses.n; i++)
		printf(" %s", c->ip_addresses.v[i]);
	if (c->csr_file != NULL)
		printf("\nCSR:              %s (acmec.io/csr; no tls.key: the "
		    "private key stays where the CSR was made)", c->csr_file);
	printf("\nReady:            %s (%s: %s)\n", v->ready ? "True" :
	    "False", v->reason, v->message);
	if (v->cs.exists) {
		printf("Not Before:       %s\n", rfc3339(v->cs.not_before, t,
		    sizeof(t)));
		printf("Not After:        %s\n", rfc3339(v->cs.not_after, t,
		    sizeof(t)));
		printf("Renewal Time:     %s%s\n", rfc3339(v->renewal, t,
		    sizeof(t)), v->renewal != v->cs.renewal_time ?
		    " (from the CA's renewal window)" : "");
		printf("Issued By:        %s\n", v->cs.issuer_cn ?
		    log_esc(v->cs.issuer_cn) : "?");
	}
	printf("Revision:         %ld\n", v->st.revision);
	printf("Failed Attempts:  %d\n", v->st.failed_attempts);
	if (v->st.last_failure != 0) {
		printf("Last Failure:     %s\n", rfc3339(v->st.last_failure, t,
		    sizeof(t)));
		printf("Last Error:       %s\n", v->st.last_error ?
		    log_esc(v->st.last_error) : "-");
	}
	if (v->st.order_url == NULL) {
		printf("Last Order:       none\n");
		free(dir);
		return;
	}
	printf("Last Order:       %s (%s)\n", log_esc(v->st.order_url),
	    log_esc2(v->st.order_status ? v->st.order_status : "?"));
	for (i = 0; i < v->st.nauthz; i++) {
		const struct status_authz *az = &v->st.authz[i];

		printf("  Authorization:  %s (%s)\n", log_esc(az->ident ?
		    az->ident : "?"), log_esc2(az->status ? az->status : "?"));
		if (az->type == NULL)
			continue;
		printf("    Challenge:    %s (%s)\n", log_esc(az->type),
		    log_esc2(az->ch_status ? az->ch_status : "?"));
		if (az->error_type == NULL)
			continue;
		printf("    Error:        %s: %s\n", log_esc(az->error_type),
		    log_esc2(az->error_detail ? az->error_detail : ""));
		h = az->ident ? solver_hint(az->type, az->error_type,
		    az->ident) : NULL;
		if (h != NULL)
			printf("    Hint:         %s\n", h);
		free(h);
	}
	free(dir);
}

static void
view_metrics(const struct view *v, struct metrics_cert *m)
{
	memset(m, 0, sizeof(*m));
	m->name = v->c->name;
	m->namespace = v->c->namespace;
	m->issuer_name = v->c->issuer_name;
	/* cert-manager's defaults for an issuerRef without them. */
	m->issuer_kind = v->c->issuer_cluster ? "ClusterIssuer" : "Issuer";
	m->issuer_group = v->c->issuer_group ? v->c->issuer_group :
	    "cert-manager.io";
	m->ready = v->ready ? "True" : "False";
	m->reason = v->reason;
	if (v->cs.exists) {
		m->not_before = v->cs.not_before;
		m->not_after = v->cs.not_after;
		m->renewal = v->renewal;
	}
	m->last_issued = v->st.last_issued;
	m->last_failure = v->st.last_failure;
	m->failed_attempts = v->st.failed_attempts;
	m->revision = v->st.revision;
	m->issue_seconds = v->st.issue_seconds;
}

/* The views of certs (n) as metrics, for metrics_*(); caller frees. */
static struct metrics_cert *
views_metrics(const struct view *views, size_t n)
{
	struct metrics_cert *m = util_alloc((n + 1) * sizeof(*m));
	size_t i;

	for (i = 0; i < n; i++)
		view_metrics(&views[i], &m[i]);
	return m;
}

char *
cmd_status_prometheus(const struct globals *g,
    const struct cfg_cert *const *certs, size_t n,
    const struct metrics_run *run)
{
	struct store st = { 0 };
	struct view *views = util_alloc((n + 1) * sizeof(*views));
	struct metrics_cert *m;
	struct buf out = { 0 };
	size_t i;

	store_paths(&st, g->statedir, g->secretsdir);
	for (i = 0; i < n; i++)
		view_init(&views[i], &st, certs[i]);
	m = views_metrics(views, n);
	metrics_prometheus(&out, m, n, run);
	for (i = 0; i < n; i++)
		view_free(&views[i]);
	free(views);
	free(m);
	store_close(&st);
	return out.data != NULL ? out.data : util_strdup("");
}

static void
print_prometheus(const struct view *views, size_t n)
{
	struct metrics_cert *m = views_metrics(views, n);
	struct buf out = { 0 };

	metrics_prometheus(&out, m, n, NULL);
	if (out.len > 0)
		fputs(out.data, stdout);
	buf_free(&out);
	free(m);
}

static void
print_json(const struct view *views, size_t n)
{
	cJSON *out, *items;
	char *text;
	size_t i;

	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "apiVersion", "acmec/v1");
	cJSON_AddStringToObject(out, "kind", "CertificateStatusList");
	items = cJSON_AddArrayToObject(out, "items");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(items, view_json(&views[i]));
	text = cJSON_Print(out);
	printf("%s\n", text ? text : "{}");
	cJSON_free(text);
	cJSON_Delete(out);
}

enum format { F_TABLE, F_JSON, F_PROMETHEUS, F_CHECK };

/* What the options ask for. */
struct opts {
	enum format format;
	long long warn, crit;
	bool bad;
};

static void
parse_opt(int ch, struct opts *o)
{
	long long *d = ch == 'w' ? &o->warn : &o->crit;

	switch (ch) {
	case 'J':
		o->format = F_JSON;
		break;
	case 'F':
		if (strcmp(optarg, "table") == 0)
			o->format = F_TABLE;
		else if (strcmp(optarg, "json") == 0)
			o->format = F_JSON;
		else if (strcmp(optarg, "prometheus") == 0)
			o->format = F_PROMETHEUS;
		else {
			log_error("--format %s: give table, json or "
			    "prometheus", log_esc(optarg));
			o->bad = true;
		}
		break;
	case 'C':
		o->format = F_CHECK;
		break;
	case 'w':
	case 'c':
		if (metrics_parse_duration(optarg, d) < 0) {
			log_error("--%s %s: not a duration such as 504h, 21d "
			    "or 1h30m", ch == 'w' ? "warn" : "crit",
			    log_esc(optarg));
			o->bad = true;
		}
		break;
	default:
		o->bad = true;
	}
}

/* A usage error: --check is UNKNOWN (3) to Nagios, 2 would be CRITICAL. */
static int
bad_usage(const struct opts *o)
{
	if (!o->bad)
		log_error("--warn must not be shorter than --crit");
	usage(stderr);
	if (o->format != F_CHECK)
		return EXIT_USAGE;
	printf("ACMEC UNKNOWN - usage error\n");
	return METRICS_UNKNOWN;
}

/* --check: the line on stdout, the Nagios exit status. */
static int
run_check(const struct view *views, size_t n, const struct opts *o)
{
	struct metrics_cert *m = views_metrics(views, n);
	struct buf out = { 0 };
	int rc;

	rc = (int)metrics_check(&out, m, n, time(NULL), o->warn, o->crit);
	fputs(out.data, stdout);
	buf_free(&out);
	free(m);
	return rc;
}

int
cmd_status(const struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "format", required_argument, NULL, 'F' },
		{ "check", no_argument, NULL, 'C' },
		{ "warn", required_argument, NULL, 'w' },
		{ "crit", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { F_TABLE, 21 * 86400, 7 * 86400, false };
	struct config cfg = { 0 };
	struct store st = { 0 };
	const struct cfg_cert **certs = NULL;
	struct view *views = NULL;
	size_t i, n = 0;
	int ch, rc = EXIT_OK;

	log_quiet();
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		parse_opt(ch, &o);
	}
	if (o.bad || (o.format == F_CHECK && o.warn < o.crit))
		return bad_usage(&o);
	if ((certs = cmd_load_certs(g, argc - optind, argv + optind, &cfg,
	    &n)) == NULL || (o.format == F_CHECK && n == 0)) {
		if (o.format == F_CHECK)
			printf("ACMEC UNKNOWN - %s\n", certs != NULL ?
			    "the configuration has no Certificate" :
			    log_last_error()[0] != '\0' ? log_last_error() :
			    "the configuration cannot be read");
		rc = o.format == F_CHECK ? METRICS_UNKNOWN : EXIT_USAGE;
		goto out;
	}
	/* Read-only: the paths, never created here. */
	store_paths(&st, g->statedir, g->secretsdir);
	views = util_alloc((n + 1) * sizeof(*views));
	for (i = 0; i < n; i++)
		view_init(&views[i], &st, certs[i]);
	if (o.format == F_CHECK)
		rc = run_check(views, n, &o);
	else if (o.format == F_JSON)
		print_json(views, n);
	else if (o.format == F_PROMETHEUS)
		print_prometheus(views, n);
	else if (argc - optind == 1)
		describe(&views[0], &st);
	else
		print_table(views, n);
out:
	for (i = 0; views != NULL && i < n; i++)
		view_free(&views[i]);
	free(views);
	free(certs);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
