/*
 * Unit tests of issue_renewal_time() (acme/issue.c), with the vectors of
 * cert-manager's pkg/util/pki/renewaltime_test.go (TestRenewalTime and
 * TestRenewBefore) and Let's Encrypt's lifetimes.
 */

#include <time.h>

#include "acme/issue.h"
#include "tests/unit/unit.h"

#define H 3600LL
#define D (24 * H)

/* nb + the renewal offset for a lifetime, renewBefore and percentage. */
static long long
offset(long long life, long long renew_before, int pct)
{
	struct cfg_cert c = { 0 };
	const time_t nb = 1735790400; /* 2025-01-02T04:00:00Z */

	c.renew_before = renew_before;
	c.renew_before_pct = pct;
	return (long long)(issue_renewal_time(&c, nb, nb + (time_t)life) - nb);
}

void
test_issue_renewal_time(void)
{
	/* TestRenewalTime */
	CHECK(offset(3 * H, 0, 0) == 2 * H);
	CHECK(offset(4380 * H, 0, 0) == 2920 * H);
	CHECK(offset(24 * H, 20 * H, 0) == 4 * H);
	CHECK(offset(730 * H, 706 * H, 0) == 24 * H);
	/* renewBefore past the lifetime: the 2/3 default */
	CHECK(offset(24 * H, 25 * H, 0) == 16 * H);
	CHECK(offset(730 * H, 0, 30) == 511 * H);
	CHECK(offset(24 * H + 180, 24 * H, 0) == 180);
	/* truncated to the second, as cert-manager stores it */
	CHECK(offset(24 * H - 1, 0, 0) == 16 * H - 1);

	/* TestRenewBefore (3 h lifetime) */
	CHECK(offset(3 * H, 0, 25) == 2 * H + 15 * 60);
	CHECK(offset(3 * H, 1 * H, 0) == 2 * H);
	CHECK(offset(3 * H, 4 * H, 0) == 2 * H);
	/* percentage 99 of ten years: no overflow */
	CHECK(offset(3650 * D, 0, 99) == 365 * D / 10);
	CHECK(offset(3 * 365 * D, 0, 99) == 3 * 365 * D / 100);

	/* renewBefore equal to the lifetime is past it too. */
	CHECK(offset(90 * D, 90 * D, 0) == 60 * D);
	CHECK(offset(90 * D, 90 * D - 1, 0) == 1);
	/* Let's Encrypt: 90 days less a second (notAfter is inclusive)... */
	CHECK(offset(90 * D - 1, 0, 0) == 60 * D - 1);
	CHECK(offset(90 * D - 1, 30 * D, 0) == 60 * D - 1);
	/* ...and the six-day shortlived profile (160 h). */
	CHECK(offset(160 * H, 0, 0) == 106 * H + 40 * 60);
	CHECK(offset(160 * H, 0, 50) == 80 * H);
	CHECK(offset(160 * H, 0, 1) == 160 * H * 99 / 100);
	/* A certificate without a lifetime is due from its start. */
	CHECK(offset(0, 0, 0) == 0);
	CHECK(offset(-H, 0, 0) == 0);
	CHECK(offset(-H, 0, 30) == 0);
}
