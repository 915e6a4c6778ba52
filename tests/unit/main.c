/*
 * Unit test runner.  `unit [SUBSTRING...]` runs the tests whose names
 * contain one of the arguments (all without arguments).  Prints a line per
 * test and ends with "N passed, N failed".  Run from the repository root.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "tests/unit/unit.h"

static int failures;

void
unit_fail(const char *file, int line, const char *what)
{
	printf("    %s:%d: check failed: %s\n", file, line, what);
	failures++;
}

bool
unit_streq(const char *file, int line, const char *expr, const char *got,
    const char *want)
{
	if (got != NULL && want != NULL && strcmp(got, want) == 0)
		return true;
	printf("    %s:%d: %s\n      got  \"%s\"\n      want \"%s\"\n", file,
	    line, expr, got ? got : "(null)", want ? want : "(null)");
	failures++;
	return false;
}

bool
unit_memeq(const char *file, int line, const char *expr, const void *got,
    size_t gotlen, const void *want, size_t wantlen)
{
	if (got != NULL && gotlen == wantlen &&
	    memcmp(got, want, wantlen) == 0)
		return true;
	printf("    %s:%d: %s: %zu bytes differ from the %zu expected\n",
	    file, line, expr, gotlen, wantlen);
	failures++;
	return false;
}

char *
unit_read(const char *name, size_t *len)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "tests/unit/data/%s", name);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "unit: cannot read %s (run from the "
		    "repository root)\n", path);
		exit(2);
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

unsigned char *
unit_unb64(const char *s, size_t *len)
{
	unsigned char *out;

	if (b64_url_decode(s, strlen(s), &out, len) < 0) {
		fprintf(stderr, "unit: bad base64url literal %s\n", s);
		exit(2);
	}
	return out;
}

unsigned char *
unit_unhex(const char *s, size_t *len)
{
	size_t i, n = strlen(s) / 2;
	unsigned char *out = malloc(n + 1);
	unsigned int b;

	for (i = 0; out != NULL && i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1) {
			fprintf(stderr, "unit: bad hex literal %s\n", s);
			exit(2);
		}
		out[i] = (unsigned char)b;
	}
	if (out == NULL || strlen(s) % 2 != 0) {
		fprintf(stderr, "unit: bad hex literal %s\n", s);
		exit(2);
	}
	*len = n;
	return out;
}

struct test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_ENTRY(name) { #name, test_##name },
static const struct test tests[] = { UNIT_TESTS(UNIT_ENTRY) };

static bool
selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (strstr(name, argv[i]) != NULL)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	size_t i;
	int passed = 0, failed = 0, before;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!selected(tests[i].name, argc, argv))
			continue;
		before = failures;
		tests[i].fn();
		if (failures == before) {
			printf("PASS unit/%s\n", tests[i].name);
			passed++;
		} else {
			printf("FAIL unit/%s\n", tests[i].name);
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
