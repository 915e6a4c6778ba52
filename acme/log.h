#ifndef ACMEC_ACME_LOG_H
#define ACMEC_ACME_LOG_H

#include <stdbool.h>
#include <time.h>

/*
 * Progress and errors on stderr.  Errors and warnings always; results
 * (log_result: what a command changed) unless -q; notices and progress
 * unless -q, or unless the command is quiet when healthy (log_quiet());
 * debug with -v; the protocol exchange with -vv (never keys or MACs).  Text from a server or a file is printed only through "%s"
 * after log_esc(), which makes it safe for a terminal.
 *
 * Each message is one write(2), whole, even with several workers: a line
 * "acmec: error: ..." (LOG_TEXT), or a JSON object (LOG_JSON, for CI logs
 * and journald collectors; see log_json_line()).
 */

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_RESULT,
	LOG_NOTICE,
	LOG_INFO,
	LOG_DEBUG,
	LOG_PROTO,
};

enum log_format {
	LOG_TEXT,
	LOG_JSON,
};

/* --log-format / ACMEC_LOG_FORMAT; "text" or "json", else -1. */
int log_set_format_name(const char *name);

/*
 * The Certificate this thread works on ("namespace/name"), named in each
 * JSON line until log_set_cert(NULL, NULL).
 */
void log_set_cert(const char *ns, const char *name);

/*
 * One JSON object and a newline: {"time", "level", "certificate" (omitted
 * if cert is NULL), "event", "message"}; time in RFC 3339 UTC with
 * milliseconds.  Bytes that are not UTF-8 become U+FFFD.  Caller frees.
 */
char *log_json_line(const struct timespec *ts, enum log_level level,
    const char *cert, const char *event, const char *message);

/*
 * Drop every message: the fuzzers, and completion --names, which prints
 * nothing but names.
 */
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

/* Would a message of level be printed (not to format one in vain)? */
bool log_enabled(enum log_level level);

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
 * The same with the kind of message for JSON lines: a short stable word
 * ("issued", "failed", "order", "hook", ...); the others say "message".
 */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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
