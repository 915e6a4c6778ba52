/* fs against planted links, unsafe directories and leaked descriptors. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acme/fs.h"
#include "acme/log.h"
#include "acme/solver/internal.h"
#include "tests/unit/unit.h"

static char *
mktmp(void)
{
	char tmpl[] = "/tmp/acmec-unit-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static bool
exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static const struct fs_file set1[] = { { "tls.crt", "crt", 3, 0644 },
	{ "tls.key", "key", 3, 0600 } };

void
test_fs_planted_links(void)
{
	char *root = mktmp(), dir[256], canary[256];

	REQUIRE(root != NULL);
	log_discard(true);
	snprintf(dir, sizeof(dir), "%s/secret", root);
	snprintf(canary, sizeof(canary), "%s/canary", root);
	REQUIRE(sh("mkdir -p %s/sub && echo precious >%s/file", canary,
	    canary) == 0);
	REQUIRE(sh("echo deep >%s/sub/file && mkdir -p %s", canary, dir) == 0);
	/* Old revisions that are links, or hold links, are never entered. */
	REQUIRE(sh("ln -s %s %s/..rev-1", canary, dir) == 0);
	REQUIRE(sh("mkdir %s/..rev-2 && touch %s/..rev-2/f", dir, dir) == 0);
	REQUIRE(sh("ln -s %s/sub %s/..rev-2/sub", canary, dir) == 0);
	REQUIRE(sh("ln -s %s %s/..data", canary, dir) == 0);
	CHECK(fs_publish(dir, set1, 2) == 0);
	CHECK(exists(canary, "file") && exists(canary, "sub/file"));
	CHECK(!exists(dir, "..rev-1") && !exists(dir, "..rev-2"));
	CHECK(sh("test \"$(readlink %s/tls.key)\" = ..data/tls.key", dir) == 0);
	/* A directory given as a link is refused, not followed. */
	REQUIRE(sh("ln -s %s %s/linked", canary, root) == 0);
	snprintf(dir, sizeof(dir), "%s/linked", root);
	CHECK(fs_publish(dir, set1, 2) < 0 && errno == ELOOP);
	CHECK(fs_write_atomic(dir, "f", "x", 1, 0600) < 0);
	CHECK(fs_mkdirs(dir, 0700) < 0);
	CHECK(!exists(canary, "f") && !exists(canary, "tls.crt"));
	log_discard(false);
	CHECK(sh("rm -rf %s", root) == 0);
	free(root);
}

/* Names the directory's own links use, and paths, are refused. */
static void
refuses_bad_names(const char *dir)
{
	static const char *const bad[] = { "..data", "..rev-1", "..", ".", "",
		"a/b", "../x" };
	struct fs_file f = { NULL, "x", 1, 0600 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.name = bad[i];
		errno = 0;
		CHECK(fs_publish(dir, &f, 1) < 0 && errno == EINVAL);
	}
	CHECK(exists(dir, "tls.crt") && exists(dir, "tls.key"));
}

/*
 * A file that leaves the set (additionalOutputFormats removed) takes its
 * link with it, as in Kubernetes' atomic writer; links and files that are
 * not ours stay.
 */
void
test_fs_publish_shrinks(void)
{
	static const struct fs_file set3[] = { { "tls.crt", "crt", 3, 0644 },
		{ "tls.key", "key", 3, 0600 },
		{ "tls-combined.pem", "both", 4, 0600 } };
	char *root = mktmp(), dir[256];

	REQUIRE(root != NULL);
	snprintf(dir, sizeof(dir), "%s/secret", root);
	CHECK(fs_publish(dir, set3, 3) == 0);
	CHECK(exists(dir, "tls-combined.pem"));
	REQUIRE(sh("ln -s ..data/other %s/mine && ln -s /etc/hostname "
	    "%s/theirs && echo x >%s/plain", dir, dir, dir) == 0);
	CHECK(fs_publish(dir, set1, 2) == 0);
	CHECK(sh("test ! -e %s/tls-combined.pem && ! test -L "
	    "%s/tls-combined.pem", dir, dir) == 0);
	CHECK(exists(dir, "tls.crt") && exists(dir, "tls.key"));
	CHECK(sh("test -L %s/mine && test -L %s/theirs && test -f %s/plain",
	    dir, dir, dir) == 0);
	refuses_bad_names(dir);
	CHECK(sh("rm -rf %s", root) == 0);
	free(root);
}

void
test_fs_unsafe_dirs(void)
{
	char *root = mktmp(), dir[256];
	int fd = -1;

	REQUIRE(root != NULL);
	log_discard(true);
	snprintf(dir, sizeof(dir), "%s/open", root);
	REQUIRE(mkdir(dir, 0700) == 0 && chmod(dir, 0777) == 0);
	CHECK(fs_publish(dir, set1, 2) < 0 && errno == EPERM);
	CHECK(fs_write_atomic(dir, "f", "x", 1, 0600) < 0 && errno == EPERM);
	CHECK(fs_create_excl(dir, "g", "x", 1, 0600) < 0 && errno == EPERM);
	CHECK(fs_mkdirs(dir, 0700) < 0 && errno == EPERM);
	CHECK(sh("test -z \"$(ls -A %s)\"", dir) == 0);
	REQUIRE(chmod(dir, 0750) == 0);
	CHECK(fs_write_atomic(dir, "f", "x", 1, 0600) == 0);
	if (geteuid() == 0) {
		/* Owned by someone else (nobody): refused as well. */
		REQUIRE(chown(dir, 65534, 65534) == 0);
		CHECK(fs_publish(dir, set1, 2) < 0 && errno == EPERM);
		CHECK(fs_lock(strcat(dir, "/x.lock"), 0, &fd) < 0);
	}
	log_discard(false);
	CHECK(sh("rm -rf %s", root) == 0);
	free(root);
}

/* Scans /proc/self/fd while a large file is written. */
struct scan {
	const char *dir;
	volatile int done;
	int inheritable, seen;
};

static void
scan_once(struct scan *s)
{
	char link[512], target[512], info[512];
	struct dirent *de;
	ssize_t n;
	DIR *d;
	FILE *f;
	unsigned long flags;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		if ((n = readlink(link, target, sizeof(target) - 1)) < 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, s->dir, strlen(s->dir)) != 0)
			continue;
		s->seen++;
		snprintf(info, sizeof(info), "/proc/self/fdinfo/%s",
		    de->d_name);
		if ((f = fopen(info, "r")) == NULL)
			continue;
		while (fgets(link, sizeof(link), f) != NULL)
			if (sscanf(link, "flags: %lo", &flags) == 1 &&
			    !(flags & O_CLOEXEC))
				s->inheritable++;
		fclose(f);
	}
	closedir(d);
}

static void *
scanner(void *arg)
{
	struct scan *s = arg;

	while (!s->done)
		scan_once(s);
	return NULL;
}

void
test_fs_cloexec(void)
{
	char *root = mktmp(), *big;
	size_t len = 64u << 20, i;
	struct scan s = { 0 };
	pthread_t t;

	REQUIRE(root != NULL && (big = calloc(1, len)) != NULL);
	s.dir = root;
	REQUIRE(pthread_create(&t, NULL, scanner, &s) == 0);
	for (i = 0; i < 4; i++) {
		CHECK(fs_write_atomic(root, "big", big, len, 0600) == 0);
		CHECK(fs_create_excl(root, i % 2 ? "b" : "a", big, len / 4,
		    0600) == 0 || errno == EEXIST);
	}
	s.done = 1;
	pthread_join(t, NULL);
	/* The files were seen open, and never inheritable. */
	CHECK(s.seen > 0);
	CHECK(s.inheritable == 0);
	free(big);
	CHECK(sh("rm -rf %s", root) == 0);
	free(root);
}

void
test_webroot_links(void)
{
	static const char tok[] = "tok_EN-1aaaaaaaaaaaa";
	char *root = mktmp(), dir[256], canary[256];
	struct solver_set set = { 0 };

	REQUIRE(root != NULL);
	log_discard(true);
	snprintf(dir, sizeof(dir), "%s/www/.well-known/acme-challenge", root);
	snprintf(canary, sizeof(canary), "%s/canary", root);
	REQUIRE(sh("mkdir -p %s %s && echo precious >%s/file", dir, canary,
	    canary) == 0);
	/* A planted token-name link: refused, not written through. */
	REQUIRE(sh("ln -s %s/file %s/%s", canary, dir, tok) == 0);
	snprintf(dir, sizeof(dir), "%s/www", root);
	CHECK(webroot_present(&set, dir, tok, "ka") < 0);
	CHECK(sh("test \"$(cat %s/file)\" = precious", canary) == 0);
	/* acme-challenge a link: refused. */
	REQUIRE(sh("rm -r %s/.well-known/acme-challenge && ln -s %s "
	    "%s/.well-known/acme-challenge", dir, canary, dir) == 0);
	CHECK(webroot_present(&set, dir, tok, "ka") < 0);
	CHECK(!exists(canary, tok));
	/* Written through the directory's descriptor; cleanup removes only
	 * the file acmec wrote, not what replaced it. */
	REQUIRE(sh("rm %s/.well-known/acme-challenge%s", dir, "") == 0);
	CHECK(webroot_present(&set, dir, tok, "ka") == 0);
	CHECK(webroot_present(&set, dir, "other_bbbbbbbbbbbbb", "kb") == 0);
	CHECK(sh("test \"$(cat %s/.well-known/acme-challenge/%s)\" = ka",
	    dir, tok) == 0);
	REQUIRE(sh("ln -sf %s/file %s/.well-known/acme-challenge/%s", canary,
	    dir, "other_bbbbbbbbbbbbb") == 0);
	webroot_cleanup(&set);
	snprintf(dir, sizeof(dir), "%s/www/.well-known/acme-challenge", root);
	CHECK(!exists(dir, tok) && exists(dir, "other_bbbbbbbbbbbbb"));
	CHECK(sh("test \"$(cat %s/file)\" = precious", canary) == 0);
	log_discard(false);
	CHECK(sh("rm -rf %s", root) == 0);
	free(root);
}
