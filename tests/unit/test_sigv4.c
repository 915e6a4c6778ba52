/*
 * AWS Signature Version 4 against AWS's published test suite
 * (tests/data/aws4_testsuite, from botocore; see its README): for every
 * case, the canonical request, the string to sign and the Authorization
 * header must match byte for byte.  Each .sreq is the request as sent
 * plus the Authorization header, which is left out here.
 */

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/fs.h"
#include "acme/solver/sigv4.h"
#include "tests/unit/unit.h"

#define SUITE "tests/data/aws4_testsuite"

static char *
slurp(const char *dir, const char *name, const char *ext)
{
	char *path = util_printf("%s/%s.%s", dir, name, ext), *data, *copy;
	size_t len;

	copy = fs_read(path, 1 << 20, &data, &len) < 0 ? NULL :
	    util_strdup(data);
	if (copy != NULL)
		free(data);
	free(path);
	return copy;
}

/* Parse a .sreq into req (names/values/body point into text). */
static void
parse_sreq(char *text, struct sigv4_req *req, struct strlist *names,
    struct strlist *values, bool after)
{
	char *line = text, *next, *colon, *target, *proto, *joined;

	if ((next = strchr(line, '\n')) == NULL)
		return;
	*next = '\0';
	req->method = line;
	target = strchr(line, ' ');
	*target++ = '\0';
	proto = strstr(target, " HTTP/1.1");
	*proto = '\0';
	if ((req->query = strchr(target, '?')) != NULL)
		*(char *)req->query++ = '\0';
	req->path = target;
	for (line = next + 1; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0')
			break; /* the body follows */
		if ((*line == ' ' || *line == '\t') && values->n > 0) {
			joined = util_printf("%s %s", values->v[values->n - 1],
			    line);
			free(values->v[values->n - 1]);
			values->v[values->n - 1] = joined;
			continue;
		}
		colon = strchr(line, ':');
		*colon = '\0';
		/* post-sts-header-after: the token is added after signing. */
		if (strcmp(line, "Authorization") == 0 || (after &&
		    strcmp(line, "X-Amz-Security-Token") == 0))
			continue;
		strlist_add(names, line);
		strlist_add(values, colon + 1);
	}
	req->body = next != NULL ? next : "";
	req->body_len = strlen(req->body);
}

static void
one_case(const char *dir, const char *name, int *cases)
{
	struct sigv4_key key = { "AKIDEXAMPLE",
		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
		"service" };
	struct strlist names = { 0 }, values = { 0 };
	struct sigv4_req req = { 0 };
	char *sreq, *want_creq, *want_sts, *want_authz;
	char *authz = NULL, *creq = NULL, *sts = NULL;

	sreq = slurp(dir, name, "sreq");
	want_creq = slurp(dir, name, "creq");
	want_sts = slurp(dir, name, "sts");
	want_authz = slurp(dir, name, "authz");
	if (sreq == NULL || want_creq == NULL || want_sts == NULL ||
	    want_authz == NULL)
		goto out; /* not a case directory */
	parse_sreq(sreq, &req, &names, &values,
	    strcmp(name, "post-sts-header-after") == 0);
	req.names = &names;
	req.values = &values;
	REQUIRE(sigv4_sign(&req, &key, "20150830T123600Z", &authz, &creq,
	    &sts) == 0);
	unit_streq(__FILE__, __LINE__, name, creq, want_creq);
	unit_streq(__FILE__, __LINE__, name, sts, want_sts);
	unit_streq(__FILE__, __LINE__, name, authz, want_authz);
	(*cases)++;
out:
	strlist_free(&names);
	strlist_free(&values);
	free(sreq);
	free(want_creq);
	free(want_sts);
	free(want_authz);
	free(authz);
	free(creq);
	free(sts);
}

static void
walk(const char *dir, int *cases)
{
	struct dirent *de;
	char *sub;
	DIR *d;

	REQUIRE((d = opendir(dir)) != NULL);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strchr(de->d_name, '.') != NULL ||
		    strcmp(de->d_name, "LICENSE") == 0 ||
		    strcmp(de->d_name, "NOTICE") == 0 ||
		    strcmp(de->d_name, "README") == 0)
			continue;
		sub = util_printf("%s/%s", dir, de->d_name);
		one_case(sub, de->d_name, cases);
		if (strcmp(de->d_name, "normalize-path") == 0 ||
		    strcmp(de->d_name, "post-sts-token") == 0)
			walk(sub, cases);
		free(sub);
	}
	closedir(d);
}

void
test_sigv4_aws_suite(void)
{
	int cases = 0;

	walk(SUITE, &cases);
	CHECK(cases == 34);
}
