/* The Prometheus text and the Nagios line of acme/metrics.c. */

#include <stdlib.h>
#include <string.h>

#include "acme/metrics.h"
#include "tests/unit/unit.h"

static struct metrics_cert
cert(const char *name, const char *ready, time_t not_after)
{
	struct metrics_cert m = { 0 };

	m.name = name;
	m.namespace = "default";
	m.issuer_name = "le";
	m.issuer_kind = "ClusterIssuer";
	m.issuer_group = "cert-manager.io";
	m.ready = ready;
	m.reason = strcmp(ready, "True") == 0 ? "Ready" : "DoesNotExist";
	m.not_after = not_after;
	return m;
}

void
test_metrics_prometheus(void)
{
	struct metrics_cert m = cert("web", "False", 2208988804);
	struct metrics_run run = { 1700000000, 1.5, 0, 1, 2, 3 };
	struct buf out = { 0 };

	m.namespace = "a\"b\\c\nd";
	m.issue_seconds = 2.25;
	metrics_prometheus(&out, &m, 1, &run);
	REQUIRE(out.data != NULL);
	/* A duration to the millisecond, not truncated to whole seconds. */
	CHECK(strstr(out.data, "\nacmec_certificate_last_issuance_duration_"
	    "seconds{name=\"web\",namespace=\"a\\\"b\\\\c\\nd\"} 2.250\n") !=
	    NULL);
	CHECK(strstr(out.data, "# TYPE acmec_certificate_last_issuance_"
	    "duration_seconds gauge\n") != NULL);
	/* cert-manager's series, labels in name order, one per condition. */
	CHECK(strstr(out.data, "\ncertmanager_certificate_expiration_timestamp_"
	    "seconds{issuer_group=\"cert-manager.io\",issuer_kind=\""
	    "ClusterIssuer\",issuer_name=\"le\",name=\"web\",namespace=\""
	    "a\\\"b\\\\c\\nd\"} 2208988804\n") != NULL);
	CHECK(strstr(out.data, "certmanager_certificate_ready_status{condition="
	    "\"False\",issuer_group=\"cert-manager.io\"") != NULL);
	CHECK(strstr(out.data, "{condition=\"True\",") != NULL);
	CHECK(strstr(out.data, "{condition=\"Unknown\",") != NULL);
	CHECK(strstr(out.data, "namespace=\"a\\\"b\\\\c\\nd\"} 1\n") != NULL);
	CHECK(strstr(out.data, "\nacmec_renew_last_run_success 0\n") != NULL);
	CHECK(strstr(out.data, "\nacmec_renew_last_run_duration_seconds "
	    "1.500\n") != NULL);
	CHECK(strstr(out.data, "{result=\"failed\"} 3\n") != NULL);
	/* Families in name order, as client_golang writes them. */
	CHECK(strstr(out.data, "# TYPE acmec_renew_last_run_success") <
	    strstr(out.data, "# TYPE certmanager_"));
	CHECK(strstr(out.data, "# TYPE acmec_certificate_revision") <
	    strstr(out.data, "# TYPE acmec_renew_"));
	buf_free(&out);
	/* No certificate, no run: nothing at all. */
	metrics_prometheus(&out, NULL, 0, NULL);
	CHECK(out.len == 0);
}

void
test_metrics_check(void)
{
	time_t now = 1700000000;
	struct metrics_cert m[3] = { cert("web", "True", now + 62 * 86400),
		cert("api", "True", now + 10 * 86400),
		cert("db", "True", now + 3 * 86400 + 7200) };
	struct buf out = { 0 };

	CHECK(metrics_check(&out, m, 1, now, 21 * 86400, 7 * 86400) ==
	    METRICS_OK);
	CHECK_STR(out.data, "ACMEC OK - 1 certificate, next expiry web in 62d "
	    "| certificates=1;;;0 warning=0;;;0 critical=0;;;0 "
	    "next_expiry=5356800s;1814400:;604800:\n");
	buf_free(&out);
	CHECK(metrics_check(&out, m, 2, now, 21 * 86400, 7 * 86400) ==
	    METRICS_WARNING);
	CHECK(strncmp(out.data, "ACMEC WARNING - 1 of 2 certificates: api "
	    "expires in 10d |", 57) == 0);
	buf_free(&out);
	m[0].namespace = "shop";
	CHECK(metrics_check(&out, m, 3, now, 21 * 86400, 7 * 86400) ==
	    METRICS_CRITICAL);
	CHECK(strncmp(out.data, "ACMEC CRITICAL - 1 of 3 certificates: db "
	    "expires in 3d; 1 warning |", 67) == 0);
	buf_free(&out);
	m[1] = cert("api", "False", 0);
	m[0].last_failure = now - 60;
	m[0].failed_attempts = 2;
	CHECK(metrics_check(&out, m, 2, now, 21 * 86400, 7 * 86400) ==
	    METRICS_CRITICAL);
	CHECK(strncmp(out.data, "ACMEC CRITICAL - 2 of 2 certificates: "
	    "shop/web failing (2 failed attempts, expires in 62d), api not "
	    "ready (DoesNotExist) |", 122) == 0);
	buf_free(&out);
}

void
test_metrics_duration(void)
{
	long long s = 0;
	char b[32];

	CHECK(metrics_parse_duration("21d", &s) == 0 && s == 21 * 86400);
	CHECK(metrics_parse_duration("504h", &s) == 0 && s == 504 * 3600);
	CHECK(metrics_parse_duration("1h30m", &s) == 0 && s == 5400);
	CHECK(metrics_parse_duration("d", &s) < 0);
	CHECK(metrics_parse_duration("2dd", &s) < 0);
	CHECK(metrics_parse_duration("1d2h", &s) < 0);
	CHECK(metrics_parse_duration("-1h", &s) < 0);
	CHECK(metrics_parse_duration("soon", &s) < 0);
	CHECK(metrics_parse_duration("", &s) < 0);
	metrics_span(62 * 86400 + 5, b, sizeof(b));
	CHECK_STR(b, "62d");
	metrics_span(30 * 3600, b, sizeof(b));
	CHECK_STR(b, "30h");
	metrics_span(-3 * 86400, b, sizeof(b));
	CHECK_STR(b, "3d");
	metrics_span(59, b, sizeof(b));
	CHECK_STR(b, "59s");
}
