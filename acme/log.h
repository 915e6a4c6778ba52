#ifndef ACMEC_ACME_LOG_H
#define ACMEC_ACME_LOG_H

#include <stdbool.h>

/*
 * Progress and errors on stderr.  Errors and warnings always; results
 * (log_result: what a command changed) unless -q; notices and progress
 * unless -q, or unless the command is quiet when healthy (log_quiet());
 * debug with -v; the protocol exchange with -vv (never keys or MACs).  Text from a server or a file is printed only through "%s"
 * after log_esc(), which makes it safe for a terminal.
 */

enum log_level {
	LOG_ERROR = -1,
	LOG_INFO = 0,
	LOG_DEBUG = 1,
	LOG_PROTO = 2,
};

/* Drop every message (the fuzzers; acmec itself never does). */
void log_discard(bool on);

/*
 * Hold this thread's messages back (counted, never printed) while on: for
 * trying something whose messages would come out of order (loading).
 */
void log_hold(bool on);
/* How many messages this thread has logged, held or discarded ones too. */
unsigned long log_lines(void);

/* -q: -1 (errors only), default 0, -v 1, -vv 2. */
void log_set_verbosity(int v);
int log_verbosity(void);

/*
 * renew and status: quiet when healthy, for cron, which mails every line
 * it sees.  From now on notices and progress print only with -v; errors,
 * warnings and results as before.  Call before loading the configuration.
 */
void log_quiet(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_proto(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The first error reported in this thread since log_clear_error(): what
 * `acmec status` shows as a certificate's last error.
 */
const char *log_last_error(void);
void log_clear_error(void);

/*
 * s with control characters, backslashes and non-ASCII bytes escaped, cut
 * to about 4 KiB.  Returns a per-thread buffer valid until the next call;
 * log_esc2() has a second buffer, for two such strings in one message.
 */
const char *log_esc(const char *s);
const char *log_esc2(const char *s);

#endif
