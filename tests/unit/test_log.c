/* log_json_line(): the JSON lines of --log-format json. */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/log.h"
#include "tests/unit/unit.h"

void
test_log_json_line(void)
{
	/* 2026-11-28T15:02:19Z, and 7 ms and a bit. */
	struct timespec ts = { 1795878139, 7999999 };
	char *l;

	l = log_json_line(&ts, LOG_RESULT, "default/web", "issued",
	    "web: issued");
	CHECK_STR(l, "{\"time\":\"2026-11-28T15:02:19.007Z\",\"level\":"
	    "\"result\",\"certificate\":\"default/web\",\"event\":\"issued\","
	    "\"message\":\"web: issued\"}\n");
	free(l);
	/* No certificate: no key; every level has its name. */
	ts.tv_nsec = 999999999;
	l = log_json_line(&ts, LOG_PROTO, NULL, "message", "> GET");
	CHECK_STR(l, "{\"time\":\"2026-11-28T15:02:19.999Z\",\"level\":"
	    "\"proto\",\"event\":\"message\",\"message\":\"> GET\"}\n");
	free(l);
	l = log_json_line(&ts, LOG_WARN, NULL, "message", "");
	REQUIRE(l != NULL);
	CHECK(strstr(l, "\"level\":\"warning\"") != NULL);
	free(l);
	l = log_json_line(&ts, LOG_NOTICE, NULL, "message", "");
	REQUIRE(l != NULL);
	CHECK(strstr(l, "\"level\":\"notice\"") != NULL);
	free(l);
}

void
test_log_json_escapes(void)
{
	struct timespec ts = { 0, 0 };
	char *l;

	/* Quotes, backslashes, newlines and escapes: JSON's escapes; one
	 * line whatever the message holds. */
	l = log_json_line(&ts, LOG_ERROR, "a/b", "failed",
	    "say \"hi\"\\ \n\x1b[31m\t");
	CHECK_STR(l, "{\"time\":\"1970-01-01T00:00:00.000Z\",\"level\":"
	    "\"error\",\"certificate\":\"a/b\",\"event\":\"failed\","
	    "\"message\":\"say \\\"hi\\\"\\\\ \\n\\u001b[31m\\t\"}\n");
	free(l);
	/* UTF-8 is kept; stray bytes, overlong forms and surrogates become
	 * U+FFFD, so the line is always valid UTF-8. */
	l = log_json_line(&ts, LOG_INFO, NULL, "message",
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92|\xff|\xc0\xaf|"
	    "\xed\xa0\x80|\xe2\x82|\xf4\x90\x80\x80");
	CHECK_STR(l, "{\"time\":\"1970-01-01T00:00:00.000Z\",\"level\":"
	    "\"info\",\"event\":\"message\",\"message\":\"caf\xc3\xa9 "
	    "\xe2\x82\xac \xf0\x9f\x94\x92|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf"
	    "\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf"
	    "\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}\n");
	free(l);
}
