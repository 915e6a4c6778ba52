#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

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

/* Per level: the verbosity it needs (-2: routine), text prefix, JSON name. */
static const struct {
	int min;
	const char *prefix, *name;
} levels[] = {
	[LOG_ERROR] = { -1, "error: ", "error" },
	[LOG_WARN] = { -1, "warning: ", "warning" },
	[LOG_RESULT] = { 0, "", "result" },
	[LOG_NOTICE] = { -2, "notice: ", "notice" },
	[LOG_INFO] = { -2, "", "info" },
	[LOG_DEBUG] = { 1, "", "debug" },
	[LOG_PROTO] = { 2, "> ", "proto" },
};

static enum log_format format = LOG_TEXT;
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char cur_cert[512];

int
log_set_format_name(const char *name)
{
	if (strcmp(name, "text") == 0)
		format = LOG_TEXT;
	else if (strcmp(name, "json") == 0)
		format = LOG_JSON;
	else
		return -1;
	return 0;
}

void
log_set_cert(const char *ns, const char *name)
{
	if (name == NULL)
		cur_cert[0] = '\0';
	else
		snprintf(cur_cert, sizeof(cur_cert), "%s/%s",
		    ns != NULL ? ns : "", name);
}

/* Length of the valid UTF-8 sequence at s, or 0 if there is none. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* s as valid UTF-8 (U+FFFD for each stray byte), in a cJSON string. */
static cJSON *
json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n;
	char *buf;
	cJSON *v;

	if ((buf = malloc(3 * strlen(s) + 1)) == NULL)
		return NULL;
	for (; *p != '\0'; p += n) {
		if ((n = utf8_len(p)) == 0) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		} else {
			memcpy(buf + o, p, n);
			o += n;
		}
	}
	buf[o] = '\0';
	v = cJSON_CreateString(buf);
	free(buf);
	return v;
}

static void
json_add(cJSON *o, const char *key, const char *s)
{
	cJSON *v = json_str(s);

	if (v != NULL)
		cJSON_AddItemToObject(o, key, v);
}

char *
log_json_line(const struct timespec *ts, enum log_level level,
    const char *cert, const char *event, const char *message)
{
	char when[64], *text, *line = NULL;
	struct tm tm;
	cJSON *o;
	size_t len;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
	    ts->tv_nsec / 1000000);
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	json_add(o, "time", when);
	json_add(o, "level", levels[level].name);
	if (cert != NULL)
		json_add(o, "certificate", cert);
	json_add(o, "event", event);
	json_add(o, "message", message);
	if ((text = cJSON_PrintUnformatted(o)) != NULL &&
	    (line = malloc((len = strlen(text)) + 2)) != NULL) {
		memcpy(line, text, len);
		memcpy(line + len, "\n", 2);
	}
	cJSON_free(text);
	cJSON_Delete(o);
	return line;
}

/* One write(2) per line, under a lock: whole lines, even on a pipe. */
static void
emit(const char *s, size_t len)
{
	ssize_t w;

	pthread_mutex_lock(&write_mu);
	while (len > 0) {
		if ((w = write(STDERR_FILENO, s, len)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		s += w;
		len -= (size_t)w;
	}
	pthread_mutex_unlock(&write_mu);
}

static void vlog(enum log_level level, const char *event, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

bool
log_enabled(enum log_level level)
{
	int min = levels[level].min == -2 ? routine : levels[level].min;

	return verbosity >= min;
}

static void
vlog(enum log_level level, const char *event, const char *fmt, va_list ap)
{
	char line[2048], text[2100], *json = NULL;
	struct timespec ts;

	if (!log_enabled(level))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* The first error of a certificate's run is its "last error". */
	if (!held && level == LOG_ERROR && last_error[0] == '\0')
		snprintf(last_error, sizeof(last_error), "%.*s",
		    (int)sizeof(last_error) - 1, line);
	lines++;
	if (discard || held)
		return;
	if (format == LOG_JSON) {
		clock_gettime(CLOCK_REALTIME, &ts);
		json = log_json_line(&ts, level, cur_cert[0] ? cur_cert : NULL,
		    event != NULL ? event : "message", line);
	}
	if (json != NULL) {
		emit(json, strlen(json));
		free(json);
		return;
	}
	snprintf(text, sizeof(text), "acmec: %s%s\n", levels[level].prefix,
	    line);
	emit(text, strlen(text));
}

void
log_event(enum log_level level, const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, event, fmt, ap);
	va_end(ap);
}

#define LOGFN(name, level) \
	void name(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		vlog(level, NULL, fmt, ap); \
		va_end(ap); \
	}

LOGFN(log_error, LOG_ERROR)
LOGFN(log_warn, LOG_WARN)
LOGFN(log_result, LOG_RESULT)
LOGFN(log_notice, LOG_NOTICE)
LOGFN(log_info, LOG_INFO)
LOGFN(log_debug, LOG_DEBUG)
LOGFN(log_proto, LOG_PROTO)

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
