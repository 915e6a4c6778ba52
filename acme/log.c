#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "acme/log.h"

static int verbosity;
static bool discard;
static _Thread_local bool held;
static _Thread_local unsigned long lines;
/* The verbosity notices and progress need: 0, or 1 after log_quiet(). */
static int routine;

void
log_discard(bool on)
{
	discard = on;
}

void
log_hold(bool on)
{
	held = on;
}

unsigned long
log_lines(void)
{
	return lines;
}

void
log_set_verbosity(int v)
{
	verbosity = v;
}

int
log_verbosity(void)
{
	return verbosity;
}

void
log_quiet(void)
{
	routine = 1;
}

static _Thread_local char last_error[512];

const char *
log_last_error(void)
{
	return last_error;
}

void
log_clear_error(void)
{
	last_error[0] = '\0';
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* The first error of a certificate's run is its "last error". */
	if (!held && strcmp(prefix, "error: ") == 0 && last_error[0] == '\0')
		snprintf(last_error, sizeof(last_error), "%.*s",
		    (int)sizeof(last_error) - 1, line);
	lines++;
	/* One write per line, so parallel workers do not interleave. */
	if (!discard && !held)
		fprintf(stderr, "acmec: %s%s\n", prefix, line);
}

#define LOGFN(name, min, prefix) \
	void name(const char *fmt, ...) \
	{ \
		va_list ap; \
		if (verbosity < (min)) \
			return; \
		va_start(ap, fmt); \
		vlog(prefix, fmt, ap); \
		va_end(ap); \
	}

LOGFN(log_error, -1, "error: ")
LOGFN(log_warn, -1, "warning: ")
LOGFN(log_result, 0, "")
LOGFN(log_notice, routine, "notice: ")
LOGFN(log_info, routine, "")
LOGFN(log_debug, 1, "")
LOGFN(log_proto, 2, "> ")

static const char *
esc(char *buf, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (s == NULL)
		return "(null)";
	for (; *s != '\0' && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\') {
			buf[o++] = '\\';
			buf[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (*s != '\0') {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

const char *
log_esc(const char *s)
{
	static _Thread_local char buf[4096];

	return esc(buf, sizeof(buf), s);
}

const char *
log_esc2(const char *s)
{
	static _Thread_local char buf[4096];

	return esc(buf, sizeof(buf), s);
}
