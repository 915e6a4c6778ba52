#ifndef ACMEC_ACME_METRICS_H
#define ACMEC_ACME_METRICS_H

/*
 * What status knows of the Certificates, as monitoring reads it: the
 * Prometheus text exposition format with cert-manager's metric names,
 * labels and HELP texts (so its dashboards and alerts work unchanged) plus
 * acmec's own, and a Nagios check line.  Pure formatting: no I/O.
 */

#include <stddef.h>
#include <time.h>

#include "acme/util.h"

/* One Certificate; strings are borrowed. */
struct metrics_cert {
	const char *name, *namespace;
	const char *issuer_name, *issuer_kind, *issuer_group;
	const char *ready;  /* "True", "False" or "Unknown" */
	const char *reason; /* of the Ready condition */
	time_t not_before, not_after, renewal; /* 0: no certificate */
	time_t last_issued, last_failure;      /* 0: none */
	int failed_attempts; /* since the last success */
	long revision;       /* certificates issued so far */
	double issue_seconds; /* the last issuance's duration; 0 unknown */
};

/* One renew run (renew --metrics-file). */
struct metrics_run {
	time_t end;
	double duration; /* seconds */
	int success;     /* its exit status was 0 */
	size_t renewed, not_due, failed;
};

/* Append the metrics of certs (n) and, if not NULL, of run to out. */
void metrics_prometheus(struct buf *out, const struct metrics_cert *certs,
    size_t n, const struct metrics_run *run);

enum metrics_state {
	METRICS_OK,
	METRICS_WARNING,
	METRICS_CRITICAL,
	METRICS_UNKNOWN,
};

/*
 * The Nagios check of certs (n) at now: CRITICAL if one is not ready or
 * its last attempt failed or it expires within crit seconds, WARNING if
 * within warn; one line (with perfdata, ending in a newline) appended to
 * out.  Returns the state, which is the exit status.
 */
enum metrics_state metrics_check(struct buf *out,
    const struct metrics_cert *certs, size_t n, time_t now, long long warn,
    long long crit);

/* A duration as Go writes it ("504h", "1h30m") or in days ("21d"). */
int metrics_parse_duration(const char *s, long long *seconds);

/* "62d", "30h", "45m", "10s": a span in its largest whole unit. */
void metrics_span(long long seconds, char *buf, size_t size);

#endif
