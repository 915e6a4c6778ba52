/*
 * Prometheus text exposition format 0.0.4 and Nagios plugin output.  The
 * certmanager_* names, labels, HELP texts and types are cert-manager's
 * (internal/collectors/certificate_collector.go): families in name order,
 * labels in name order, as its client library writes them.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/metrics.h"

enum labels {
	L_ISSUER, /* cert-manager's five */
	L_NAME,   /* name, namespace */
};

enum field {
	F_READY, /* one series a condition */
	F_NOT_AFTER,
	F_NOT_BEFORE,
	F_RENEWAL,
	F_ISSUED,
	F_FAILURE,
	F_FAILED,
	F_REVISION,
	F_DURATION, /* seconds, to the millisecond */
};

struct family {
	const char *name, *help, *type;
	enum labels labels;
	enum field field;
};

static long long
value(const struct metrics_cert *m, enum field f)
{
	switch (f) {
	case F_NOT_AFTER:
		return (long long)m->not_after;
	case F_NOT_BEFORE:
		return (long long)m->not_before;
	case F_RENEWAL:
		return (long long)m->renewal;
	case F_ISSUED:
		return (long long)m->last_issued;
	case F_FAILURE:
		return (long long)m->last_failure;
	case F_FAILED:
		return m->failed_attempts;
	case F_REVISION:
		return m->revision;
	case F_READY:
	case F_DURATION:
		break;
	}
	return 0;
}

/* In name order. */
static const struct family families[] = {
	{ "acmec_certificate_failed_attempts", "Failed attempts to obtain "
	  "the certificate since the last success.", "gauge", L_NAME,
	  F_FAILED },
	{ "acmec_certificate_last_failure_timestamp_seconds", "When the last "
	  "failed attempt ended, 0 if none since the last success, expressed "
	  "in Unix Epoch Time.", "gauge", L_NAME, F_FAILURE },
	{ "acmec_certificate_last_issuance_duration_seconds", "How long the "
	  "last successful issuance took, from the order's start to the files "
	  "written, 0 if unknown.", "gauge", L_NAME, F_DURATION },
	{ "acmec_certificate_last_issued_timestamp_seconds", "When acmec last "
	  "put a new certificate in service, 0 if never, expressed in Unix "
	  "Epoch Time.", "gauge", L_NAME, F_ISSUED },
	{ "acmec_certificate_revision", "Certificates acmec has issued for "
	  "this Certificate so far (status.revision).", "gauge", L_NAME,
	  F_REVISION },
	{ "certmanager_certificate_expiration_timestamp_seconds", "The "
	  "timestamp after which the certificate expires, expressed in Unix "
	  "Epoch Time.", "gauge", L_ISSUER, F_NOT_AFTER },
	{ "certmanager_certificate_not_after_timestamp_seconds", "The "
	  "timestamp after which the certificate is invalid, expressed as a "
	  "Unix Epoch Time.", "gauge", L_ISSUER, F_NOT_AFTER },
	{ "certmanager_certificate_not_before_timestamp_seconds", "The "
	  "timestamp before which the certificate is invalid, expressed as a "
	  "Unix Epoch Time.", "gauge", L_ISSUER, F_NOT_BEFORE },
	{ "certmanager_certificate_ready_status", "The ready status of the "
	  "certificate.", "gauge", L_ISSUER, F_READY },
	{ "certmanager_certificate_renewal_timestamp_seconds", "The timestamp "
	  "after which the certificate should be renewed, expressed in Unix "
	  "Epoch Time.", "gauge", L_ISSUER, F_RENEWAL },
};

/* A label value: backslash, double quote and newline escaped. */
static void
add_value(struct buf *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\')
			buf_addstr(out, "\\\\");
		else if (*s == '"')
			buf_addstr(out, "\\\"");
		else if (*s == '\n')
			buf_addstr(out, "\\n");
		else
			buf_add(out, s, 1);
	}
}

static void
add_label(struct buf *out, const char *name, const char *value, bool last)
{
	buf_addstr(out, name);
	buf_addstr(out, "=\"");
	add_value(out, value);
	buf_addstr(out, last ? "\"" : "\",");
}

/* NAME{labels} VALUE; condition only for the ready status. */
static void
add_sample(struct buf *out, const struct family *f,
    const struct metrics_cert *m, const char *condition, long long v)
{
	char num[32];

	buf_addstr(out, f->name);
	buf_addstr(out, "{");
	if (condition != NULL)
		add_label(out, "condition", condition, false);
	if (f->labels == L_ISSUER) {
		add_label(out, "issuer_group", m->issuer_group, false);
		add_label(out, "issuer_kind", m->issuer_kind, false);
		add_label(out, "issuer_name", m->issuer_name, false);
	}
	add_label(out, "name", m->name, false);
	add_label(out, "namespace", m->namespace, true);
	if (f->field == F_DURATION)
		snprintf(num, sizeof(num), "} %.3f\n", m->issue_seconds);
	else
		snprintf(num, sizeof(num), "} %lld\n", v);
	buf_addstr(out, num);
}

static void
add_header(struct buf *out, const char *name, const char *help,
    const char *type)
{
	buf_addstr(out, "# HELP ");
	buf_addstr(out, name);
	buf_addstr(out, " ");
	buf_addstr(out, help);
	buf_addstr(out, "\n# TYPE ");
	buf_addstr(out, name);
	buf_addstr(out, " ");
	buf_addstr(out, type);
	buf_addstr(out, "\n");
}

static void
add_family(struct buf *out, const struct family *f,
    const struct metrics_cert *certs, size_t n)
{
	static const char *const conds[] = { "True", "False", "Unknown" };
	size_t i, k;

	add_header(out, f->name, f->help, f->type);
	for (i = 0; i < n; i++) {
		if (f->field != F_READY) {
			add_sample(out, f, &certs[i], NULL, value(&certs[i],
			    f->field));
			continue;
		}
		for (k = 0; k < 3; k++)
			add_sample(out, f, &certs[i], conds[k],
			    strcmp(certs[i].ready, conds[k]) == 0);
	}
}

static void
add_run(struct buf *out, const struct metrics_run *r)
{
	static const char *const results[] = { "renewed", "not_due",
		"failed" };
	size_t counts[3] = { r->renewed, r->not_due, r->failed }, k;
	char line[160];

	add_header(out, "acmec_renew_last_run_certificates", "Certificates "
	    "of the last renew run by result: renewed, not_due, failed.",
	    "gauge");
	for (k = 0; k < 3; k++) {
		snprintf(line, sizeof(line), "acmec_renew_last_run_certificates"
		    "{result=\"%s\"} %zu\n", results[k], counts[k]);
		buf_addstr(out, line);
	}
	add_header(out, "acmec_renew_last_run_duration_seconds", "How long "
	    "the last renew run took.", "gauge");
	snprintf(line, sizeof(line), "acmec_renew_last_run_duration_seconds "
	    "%.3f\n", r->duration);
	buf_addstr(out, line);
	add_header(out, "acmec_renew_last_run_success", "1 if the last renew "
	    "run exited 0, else 0.", "gauge");
	snprintf(line, sizeof(line), "acmec_renew_last_run_success %d\n",
	    r->success ? 1 : 0);
	buf_addstr(out, line);
	add_header(out, "acmec_renew_last_run_timestamp_seconds", "When the "
	    "last renew run ended, expressed in Unix Epoch Time.", "gauge");
	snprintf(line, sizeof(line), "acmec_renew_last_run_timestamp_seconds "
	    "%lld\n", (long long)r->end);
	buf_addstr(out, line);
}

void
metrics_prometheus(struct buf *out, const struct metrics_cert *certs,
    size_t n, const struct metrics_run *run)
{
	bool run_done = run == NULL;
	size_t i;

	/* In name order: acmec_certificate_*, acmec_renew_*, certmanager_*. */
	for (i = 0; n > 0 && i < sizeof(families) / sizeof(families[0]); i++) {
		if (!run_done && strncmp(families[i].name, "certmanager_", 12) ==
		    0) {
			add_run(out, run);
			run_done = true;
		}
		add_family(out, &families[i], certs, n);
	}
	if (!run_done)
		add_run(out, run);
}

void
metrics_span(long long s, char *buf, size_t size)
{
	long long a = s < 0 ? -s : s;

	if (a >= 2 * 86400)
		snprintf(buf, size, "%lldd", a / 86400);
	else if (a >= 2 * 3600)
		snprintf(buf, size, "%lldh", a / 3600);
	else if (a >= 2 * 60)
		snprintf(buf, size, "%lldm", a / 60);
	else
		snprintf(buf, size, "%llds", a);
}

int
metrics_parse_duration(const char *s, long long *seconds)
{
	char *end;
	long long d;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	if (util_endswith(s, "d")) {
		d = strtoll(s, &end, 10);
		if (*end != 'd' || end[1] != '\0' || d > 100000)
			return -1;
		*seconds = d * 86400;
		return 0;
	}
	return config_parse_duration(s, seconds);
}

/* NAME, or NAMESPACE/NAME outside the default namespace. */
static void
add_name(struct buf *out, const struct metrics_cert *m)
{
	if (strcmp(m->namespace, "default") != 0) {
		buf_addstr(out, m->namespace);
		buf_addstr(out, "/");
	}
	buf_addstr(out, m->name);
}

/* How bad m is; why, appended to why. */
static enum metrics_state
judge(const struct metrics_cert *m, time_t now, long long warn,
    long long crit, struct buf *why)
{
	long long left = (long long)(m->not_after - now);
	char span[32], text[96];

	metrics_span(left, span, sizeof(span));
	add_name(why, m);
	if (strcmp(m->ready, "True") != 0) {
		snprintf(text, sizeof(text), " not ready (%s)", m->reason ?
		    m->reason : m->ready);
		buf_addstr(why, text);
		return METRICS_CRITICAL;
	}
	if (m->last_failure != 0) {
		snprintf(text, sizeof(text), " failing (%d failed attempts, "
		    "expires in %s)", m->failed_attempts, span);
		buf_addstr(why, text);
		return METRICS_CRITICAL;
	}
	snprintf(text, sizeof(text), " expires in %s", span);
	buf_addstr(why, text);
	return left < crit ? METRICS_CRITICAL : left < warn ?
	    METRICS_WARNING : METRICS_OK;
}

/* The certificate that expires first (of those with files), or NULL. */
static const struct metrics_cert *
next_expiry(const struct metrics_cert *certs, size_t n)
{
	const struct metrics_cert *next = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (certs[i].not_after != 0 && (next == NULL ||
		    certs[i].not_after < next->not_after))
			next = &certs[i];
	return next;
}

static void
add_perfdata(struct buf *out, const struct metrics_cert *certs, size_t n,
    time_t now, long long warn, long long crit, const size_t count[])
{
	const struct metrics_cert *next = next_expiry(certs, n);
	char line[256];

	snprintf(line, sizeof(line), " | certificates=%zu;;;0 warning=%zu;;;0 "
	    "critical=%zu;;;0", n, count[METRICS_WARNING],
	    count[METRICS_CRITICAL]);
	buf_addstr(out, line);
	if (next != NULL) {
		snprintf(line, sizeof(line), " next_expiry=%llds;%lld:;%lld:",
		    (long long)(next->not_after - now), warn, crit);
		buf_addstr(out, line);
	}
	buf_addstr(out, "\n");
}

/* "N certificates, next expiry NAME in SPAN" */
static void
add_ok(struct buf *out, const struct metrics_cert *certs, size_t n,
    time_t now)
{
	const struct metrics_cert *next = next_expiry(certs, n);
	char text[64], span[32];

	snprintf(text, sizeof(text), "%zu certificate%s", n, n == 1 ? "" :
	    "s");
	buf_addstr(out, text);
	if (next == NULL)
		return;
	metrics_span((long long)(next->not_after - now), span, sizeof(span));
	buf_addstr(out, ", next expiry ");
	add_name(out, next);
	buf_addstr(out, next->not_after < now ? " expired " : " in ");
	buf_addstr(out, span);
	if (next->not_after < now)
		buf_addstr(out, " ago");
}

enum metrics_state
metrics_check(struct buf *out, const struct metrics_cert *certs, size_t n,
    time_t now, long long warn, long long crit)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
		"UNKNOWN" };
	struct buf why[4] = { { 0 } }, scratch = { 0 };
	enum metrics_state st, worst = METRICS_OK;
	size_t count[4] = { 0 }, i, named = 0;
	char head[96];

	for (i = 0; i < n; i++) {
		scratch.len = 0;
		st = judge(&certs[i], now, warn, crit, &scratch);
		count[st]++;
		worst = st > worst ? st : worst;
		if (st == METRICS_OK || count[st] > 5)
			continue;
		if (why[st].len > 0)
			buf_addstr(&why[st], ", ");
		buf_add(&why[st], scratch.data, scratch.len);
	}
	snprintf(head, sizeof(head), "ACMEC %s - ", names[worst]);
	buf_addstr(out, head);
	if (worst == METRICS_OK) {
		add_ok(out, certs, n, now);
	} else {
		named = count[worst];
		snprintf(head, sizeof(head), "%zu of %zu certificates: ", named,
		    n);
		buf_addstr(out, head);
		buf_add(out, why[worst].data, why[worst].len);
		if (named > 5) {
			snprintf(head, sizeof(head), " and %zu more", named - 5);
			buf_addstr(out, head);
		}
		if (worst == METRICS_CRITICAL && count[METRICS_WARNING] > 0) {
			snprintf(head, sizeof(head), "; %zu warning",
			    count[METRICS_WARNING]);
			buf_addstr(out, head);
		}
	}
	add_perfdata(out, certs, n, now, warn, crit, count);
	for (i = 0; i < 4; i++)
		buf_free(&why[i]);
	buf_free(&scratch);
	return worst;
}
