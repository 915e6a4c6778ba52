#ifndef ACMEC_ACME_BACKOFF_H
#define ACMEC_ACME_BACKOFF_H

#include <stdbool.h>

/*
 * Backoff between polls: short first wait, doubling, Retry-After as floor;
 * wake (absolute ms, 0 if none) cuts a wait short.  The deadline is 300 s
 * (ACMEC_ORDER_TIMEOUT seconds if set) from backoff_init().
 */
struct backoff {
	long long deadline, wait, wake;
};

void backoff_init(struct backoff *b);

/* Sleep before the next poll; false if the deadline passed or a signal came. */
bool backoff_wait(struct backoff *b, long long retry_after_s);

/*
 * backoff_wait(), cut short as soon as early(arg) is true (asked every
 * 2 ms once the Retry-After has passed); then the waits start again from
 * 10 ms, as after backoff_now().
 */
bool backoff_wait_early(struct backoff *b, long long retry_after_s,
    bool (*early)(void *), void *arg);

/*
 * The next wait is 5 ms (or the CA's Retry-After): the answer awaited is
 * likely there by the time a request reaches the CA (after a finalize, or
 * challenges started a round trip ago); then 10 ms, doubling.
 */
void backoff_now(struct backoff *b);

/* Poll soon again (something changed), keeping the deadline. */
void backoff_restart(struct backoff *b);

#endif
