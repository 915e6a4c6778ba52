#ifndef ACMEC_ACME_UTIL_H
#define ACMEC_ACME_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Allocation that cannot fail: on exhaustion acmec prints a message and
 * exits 1 (a half-done run leaves the files in service untouched anyway).
 */
void *util_alloc(size_t size);                 /* zeroed */
void *util_realloc(void *p, size_t n, size_t size); /* n * size, checked */
char *util_strdup(const char *s);              /* NULL stays NULL */
char *util_strndup(const char *s, size_t n);
char *util_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated when len > 0. */
struct buf {
	char *data;
	size_t len, cap;
};

void buf_add(struct buf *b, const void *data, size_t len);
void buf_addstr(struct buf *b, const char *s);
void buf_free(struct buf *b);

/* A list of owned strings. */
struct strlist {
	char **v;
	size_t n;
};

void strlist_add(struct strlist *l, const char *s);
bool strlist_has(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/*
 * How the lower layers of acme/ fail: they return -1 (or NULL) and leave
 * one message here, per thread, which the caller that knows what the user
 * was doing reports once ("what: util_error()").  crypto/ and jws/ do the
 * same with crypto_error().  Text from the network must be escaped
 * (log_esc) before it goes in.
 */
void util_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *util_error(void);

/* True if s ends with suffix. */
bool util_endswith(const char *s, const char *suffix);

/* Monotonic clock in milliseconds. */
long long util_now_ms(void);

/*
 * SIGINT, SIGTERM and SIGHUP set a flag instead of killing acmec, so that
 * the run stops at the next wait and cleans up (challenge files, listeners);
 * SIGPIPE is ignored.
 */
void util_catch_signals(void);

/* The signal that asked acmec to stop, or 0. */
int util_interrupted(void);

/* Sleep ms milliseconds; returns early if a stop signal arrives. */
void util_sleep_ms(long long ms);

#endif
