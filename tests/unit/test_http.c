/* Unit tests of acme/http.c that need no network: Link header values. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/backoff.h"
#include "acme/http.h"
#include "tests/unit/unit.h"

struct links {
	struct strlist alt, up;
};

static void
links(const char *value, struct links *l)
{
	strlist_free(&l->alt);
	strlist_free(&l->up);
	http_parse_links(value, &l->alt, &l->up);
}

void
test_http_links(void)
{
	struct links l = { { 0 }, { 0 } };

	/* RFC 8555 §7.4.2: alternate chains, one Link field each. */
	links("<https://example.com/acme/cert/mAt3xBGaobw/1>;rel=\"alternate\"",
	    &l);
	REQUIRE(l.alt.n == 1);
	CHECK_STR(l.alt.v[0], "https://example.com/acme/cert/mAt3xBGaobw/1");
	CHECK(l.up.n == 0);
	/* Fields of one response accumulate. */
	http_parse_links("<https://example.com/acme/cert/mAt3xBGaobw/2>;"
	    "rel=\"alternate\"", &l.alt, &l.up);
	REQUIRE(l.alt.n == 2);
	CHECK_STR(l.alt.v[1], "https://example.com/acme/cert/mAt3xBGaobw/2");

	/* Several links in one field, and relations acmec ignores. */
	links("<https://example.com/acme/directory>;rel=\"index\", "
	    "<https://example.com/c/1>;rel=\"alternate\",<https://example.com/"
	    "issuer>; rel=\"up\" , <https://example.com/c/2> ; "
	    "rel=\"alternate\", <https://example.com/acme/orders/rzGoeA?"
	    "cursor=2>;rel=\"next\"", &l);
	REQUIRE(l.alt.n == 2);
	CHECK_STR(l.alt.v[0], "https://example.com/c/1");
	CHECK_STR(l.alt.v[1], "https://example.com/c/2");
	REQUIRE(l.up.n == 1);
	CHECK_STR(l.up.v[0], "https://example.com/issuer");

	/* An unquoted rel; other parameters around it; a comma in a URL. */
	links("<https://example.com/up,1>;rel=up, <https://example.com/alt>;"
	    "anchor=\"https://example.com/cert\";rel=alternate;type="
	    "\"application/pem-certificate-chain\"", &l);
	REQUIRE(l.up.n == 1);
	CHECK_STR(l.up.v[0], "https://example.com/up,1");
	REQUIRE(l.alt.n == 1);
	CHECK_STR(l.alt.v[0], "https://example.com/alt");

	/* Links without a relation acmec wants. */
	links("<https://example.com/acme/terms/2017-6-02>;rel="
	    "\"terms-of-service\", <https://example.com/x>, <https://example"
	    ".com/y>;title=\"up\"", &l);
	CHECK(l.alt.n == 0 && l.up.n == 0);
	strlist_free(&l.alt);
	strlist_free(&l.up);
}

void
test_http_links_hostile(void)
{
	struct links l = { { 0 }, { 0 } };
	struct buf b = { 0 };
	char *big;
	size_t i, n = 10000, len = 1 << 20;

	links("", &l);
	CHECK(l.alt.n == 0 && l.up.n == 0);
	links("rel=\"up\"", &l);
	CHECK(l.up.n == 0);
	/* An unterminated '<' ends the parse; what came before stays. */
	links("<https://example.com/a>;rel=up, <https://example.com/b;rel=up",
	    &l);
	REQUIRE(l.up.n == 1);
	CHECK_STR(l.up.v[0], "https://example.com/a");
	links("<https://example.com/a;rel=\"alternate\"", &l);
	CHECK(l.alt.n == 0 && l.up.n == 0);
	links(">;rel=up<", &l);
	CHECK(l.up.n == 0);
	links("<<<<", &l);
	CHECK(l.alt.n == 0 && l.up.n == 0);
	/* Unterminated quotes and escapes, empty parameters. */
	links("<https://example.com/a>;rel=\"up\\\"", &l);
	CHECK(l.up.n == 0);
	links("<https://example.com/a>;rel=\"up", &l);
	CHECK(l.up.n == 1);
	links("<https://example.com/a>;rel=\"\\", &l);
	CHECK(l.up.n == 0 && l.alt.n == 0);
	links("<https://example.com/a>;;; ;rel=up;;", &l);
	CHECK(l.up.n == 1);
	links("<https://example.com/a>;=;rel;rel=up", &l);
	CHECK(l.up.n == 0);
	links("<https://example.com/a>junk\"<x>;rel=up, <https://example.com/"
	    "b>;rel=alternate", &l);
	CHECK(l.up.n == 0);
	CHECK(l.alt.n == 1 && strcmp(l.alt.v[0], "https://example.com/b") == 0);

	/* Many links in one value. */
	for (i = 0; i < n; i++) {
		char one[96];

		snprintf(one, sizeof(one), "%s<https://example.com/c/%zu>;"
		    "rel=\"%s\"", i ? ", " : "", i, i % 2 ? "up" : "alternate");
		buf_addstr(&b, one);
	}
	links(b.data, &l);
	CHECK(l.alt.n == n / 2 && l.up.n == n / 2);
	CHECK(l.alt.n > 0 && strcmp(l.alt.v[l.alt.n - 1],
	    "https://example.com/c/9998") == 0);
	CHECK(l.up.n > 0 && strcmp(l.up.v[l.up.n - 1],
	    "https://example.com/c/9999") == 0);
	buf_free(&b);

	/* A megabyte-long target is taken whole. */
	big = malloc(len + 32);
	REQUIRE(big != NULL);
	big[0] = '<';
	memset(big + 1, 'a', len);
	strcpy(big + 1 + len, ">;rel=\"up\"");
	links(big, &l);
	REQUIRE(l.up.n == 1);
	CHECK(strlen(l.up.v[0]) == len && l.up.v[0][len - 1] == 'a');
	free(big);
	strlist_free(&l.alt);
	strlist_free(&l.up);
}

/* l holds exactly n targets, the first of them first (if n > 0). */
static bool
only(const struct strlist *l, size_t n, const char *first)
{
	return l->n == n && (n == 0 || strcmp(l->v[0], first) == 0);
}

void
test_http_links_rfc8288(void)
{
	struct links l = { { 0 }, { 0 } };

	/* §3.3: rel may hold several relation types. */
	links("<https://example.com/i>;rel=\"up alternate\"", &l);
	CHECK(only(&l.up, 1, "https://example.com/i"));
	CHECK(only(&l.alt, 1, "https://example.com/i"));
	/* §2.1.1, §3: compared case-insensitively; BWS around '='. */
	links("<https://example.com/i>;REL=\"UP\", <https://example.com/j>; "
	    "Rel = Alternate", &l);
	CHECK(only(&l.up, 1, "https://example.com/i"));
	CHECK(only(&l.alt, 1, "https://example.com/j"));
	/* Whole relation types only. */
	links("<https://example.com/i>;rel=upgrade, <https://example.com/j>;"
	    "rel=alternates, <https://example.com/k>;rel=\"up-to\"", &l);
	CHECK(l.up.n == 0 && l.alt.n == 0);
	/* Only the rel parameter counts, not text in another one. */
	links("<https://example.com/i>;title=\"rel=up\"", &l);
	CHECK(l.up.n == 0);
	/* A comma or '<' inside a quoted string does not start a link. */
	links("<https://example.com/i>;title=\"a, <https://evil.test/>;"
	    "rel=up\";rel=\"alternate\"", &l);
	CHECK(l.up.n == 0);
	CHECK(only(&l.alt, 1, "https://example.com/i"));
	/* §3.3: occurrences of rel after the first are ignored. */
	links("<https://example.com/i>;rel=\"alternate\";rel=\"up\"", &l);
	CHECK(l.alt.n == 1 && l.up.n == 0);
	strlist_free(&l.alt);
	strlist_free(&l.up);
}

/* A wake-up that turns true on its third question. */
static bool
third(void *arg)
{
	int *n = arg;

	return ++*n >= 3;
}

static bool
never(void *arg)
{
	(void)arg;
	return false;
}

/*
 * Polling: a wait is cut short when acmec's listeners have answered, never
 * before the CA's Retry-After; the first wait after backoff_now() is 5 ms,
 * the next 10 ms; waits double.  (Bounds are generous: only the order of
 * magnitude is checked, never a speed.)
 */
void
test_backoff_early(void)
{
	struct backoff b;
	long long t;
	int n = 0;

	backoff_init(&b);
	b.wait = 2000;
	t = util_now_ms();
	REQUIRE(backoff_wait_early(&b, -1, third, &n));
	CHECK(n == 3);
	CHECK(util_now_ms() - t < 1500);
	CHECK(b.wait == 10);

	/* Retry-After is a floor, asked before early is. */
	n = 0;
	b.wait = 10;
	t = util_now_ms();
	REQUIRE(backoff_wait_early(&b, 1, third, &n));
	CHECK(util_now_ms() - t >= 1000);
	CHECK(n >= 1);

	/* Not woken: the whole wait, and the next is twice as long. */
	b.wait = 60;
	t = util_now_ms();
	REQUIRE(backoff_wait_early(&b, -1, never, NULL));
	CHECK(util_now_ms() - t >= 60);
	CHECK(b.wait == 120);

	/* backoff_now(): 5 ms, then 10 ms, doubling. */
	backoff_now(&b);
	t = util_now_ms();
	REQUIRE(backoff_wait(&b, -1));
	CHECK(util_now_ms() - t >= 5 && util_now_ms() - t < 1000);
	CHECK(b.wait == 10);
	REQUIRE(backoff_wait(&b, -1));
	CHECK(b.wait == 20);
}
