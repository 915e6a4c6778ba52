/* Waiting between polls of the CA: a short first wait, doubling. */

#include <stdlib.h>

#include "acme/backoff.h"
#include "acme/log.h"
#include "acme/util.h"

#define POLL_FIRST_MS 50
#define POLL_MAX_MS 5000
/* A Retry-After is a floor for the next poll, up to this. */
#define POLL_RETRY_CAP_S 60
/* How long authorizations and the order may take (ACMEC_ORDER_TIMEOUT). */
#define DEADLINE_S 300

void
backoff_init(struct backoff *b)
{
	const char *v = getenv("ACMEC_ORDER_TIMEOUT");
	long long s = v ? strtoll(v, NULL, 10) : 0;

	b->deadline = util_now_ms() + (s > 0 ? s : DEADLINE_S) * 1000;
	b->wait = POLL_FIRST_MS;
	b->wake = 0;
}

bool
backoff_wait(struct backoff *b, long long retry_after_s)
{
	long long ms = b->wait, now = util_now_ms();

	if (b->wake > 0 && b->wake - now < ms)
		ms = b->wake > now ? b->wake - now : 0;
	if (retry_after_s > POLL_RETRY_CAP_S) {
		log_debug("the CA asks to wait %lld s; waiting %d s", retry_after_s,
		    POLL_RETRY_CAP_S);
		retry_after_s = POLL_RETRY_CAP_S;
	}
	if (retry_after_s > 0 && retry_after_s * 1000 > ms)
		ms = retry_after_s * 1000;
	if (now + ms > b->deadline || util_interrupted())
		return false;
	util_sleep_ms(ms);
	b->wait = b->wait * 2 > POLL_MAX_MS ? POLL_MAX_MS : b->wait * 2;
	return !util_interrupted();
}

void
backoff_restart(struct backoff *b)
{
	b->wait = POLL_FIRST_MS;
}
