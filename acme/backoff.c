/* Waiting between polls of the CA: a short first wait, doubling. */

#include <stdlib.h>

#include "acme/backoff.h"
#include "acme/log.h"
#include "acme/util.h"

#define POLL_FIRST_MS 50
/*
 * After backoff_now(): 5 ms (a CA on this host finishes in that time; over
 * a network the round trip is the wait), then 10 ms, doubling.
 */
#define POLL_NOW_MS 5
#define POLL_SOON_MS 10
#define POLL_MAX_MS 5000
/* A Retry-After is a floor for the next poll, up to this. */
#define POLL_RETRY_CAP_S 60
/* How long authorizations and the order may take (ACMEC_ORDER_TIMEOUT). */
#define DEADLINE_S 300
/* How often an early wake-up is looked for. */
#define EARLY_SLICE_MS 2

void
backoff_init(struct backoff *b)
{
	const char *v = getenv("ACMEC_ORDER_TIMEOUT");
	long long s = v ? strtoll(v, NULL, 10) : 0;

	b->deadline = util_now_ms() + (s > 0 ? s : DEADLINE_S) * 1000;
	b->wait = POLL_FIRST_MS;
	b->wake = 0;
}

/*
 * Sleep ms, in slices from floor ms on, until early(arg) turns true; true
 * if it did.
 */
static bool
sleep_until(long long ms, long long floor, bool (*early)(void *), void *arg)
{
	long long end = util_now_ms() + ms, left;

	if (early == NULL) {
		util_sleep_ms(ms);
		return false;
	}
	if (floor > 0)
		util_sleep_ms(floor);
	while (!util_interrupted() && (left = end - util_now_ms()) > 0) {
		if (early(arg))
			return true;
		util_sleep_ms(left < EARLY_SLICE_MS ? left : EARLY_SLICE_MS);
	}
	return early(arg);
}

bool
backoff_wait_early(struct backoff *b, long long retry_after_s,
    bool (*early)(void *), void *arg)
{
	long long ms = b->wait, now = util_now_ms(), floor = 0;

	if (b->wake > 0 && b->wake - now < ms)
		ms = b->wake > now ? b->wake - now : 0;
	if (retry_after_s > POLL_RETRY_CAP_S) {
		log_debug("the CA asks to wait %lld s; waiting %d s", retry_after_s,
		    POLL_RETRY_CAP_S);
		retry_after_s = POLL_RETRY_CAP_S;
	}
	if (retry_after_s > 0)
		floor = retry_after_s * 1000;
	if (floor > ms)
		ms = floor;
	if (now + ms > b->deadline || util_interrupted())
		return false;
	/* Woken early, the CA is at work: soon again, as after backoff_now(). */
	if ((ms > 0 && sleep_until(ms, floor, early, arg)) ||
	    b->wait < POLL_SOON_MS)
		b->wait = POLL_SOON_MS;
	else
		b->wait = b->wait * 2 > POLL_MAX_MS ? POLL_MAX_MS : b->wait * 2;
	return !util_interrupted();
}

bool
backoff_wait(struct backoff *b, long long retry_after_s)
{
	return backoff_wait_early(b, retry_after_s, NULL, NULL);
}

void
backoff_now(struct backoff *b)
{
	b->wait = POLL_NOW_MS;
}

void
backoff_restart(struct backoff *b)
{
	b->wait = POLL_FIRST_MS;
}
