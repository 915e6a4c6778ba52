/* Unit tests of acme/config.c and acme/fs.c that need no network. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acme/config/config.h"
#include "acme/fs.h"
#include "tests/unit/unit.h"

void
test_config_duration(void)
{
	static const struct {
		const char *s;
		long long want;
	} ok[] = { { "2160h", 2160LL * 3600 }, { "1h30m", 5400 },
		{ "90s", 90 }, { "720h0m0s", 720LL * 3600 }, { "1.5h", 5400 },
		{ "1500ms", 1 } };
	static const char *const bad[] = { "", "90", "90 days", "h", "1x",
		"-1h", "1h 30m" };
	long long v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK(config_parse_duration(ok[i].s, &v) == 0);
		CHECK(v == ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(config_parse_duration(bad[i], &v) < 0);
}

void
test_config_names(void)
{
	static const char *const good[] = { "example.com", "*.example.com",
		"a-b.example", "xn--bcher-kva.example", "EXAMPLE.COM",
		"_acme-challenge.example.com" };
	static const char *const bad[] = { "", "a..b", "-a.example",
		"a-.example", "example.com.", "a.test;touch /tmp/x",
		"$(id).test", "../x", "*.*.example", "a.*.example", "127.0.0.1",
		"a b.example" };
	char *norm;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK(config_check_dns_name(good[i], &norm) == 0);
		free(norm);
	}
	CHECK(config_check_dns_name("WWW.Example.COM", &norm) == 0);
	CHECK_STR(norm, "www.example.com");
	free(norm);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		norm = NULL;
		if (config_check_dns_name(bad[i], &norm) == 0) {
			unit_fail(__FILE__, __LINE__, bad[i]);
			free(norm);
		}
	}
	CHECK(config_check_ip("2001:DB8:0::1", &norm) == 0);
	CHECK_STR(norm, "2001:db8::1");
	free(norm);
	CHECK(config_check_ip("300.1.2.3", &norm) < 0);
	CHECK_STR(util_error(), "is not an IPv4 or IPv6 address");
	CHECK(config_valid_k8s_name("example-com-tls"));
	CHECK(config_valid_k8s_name("a.b-c"));
	CHECK(!config_valid_k8s_name("../x"));
	CHECK(!config_valid_k8s_name("Upper"));
	CHECK(!config_valid_k8s_name("a/b"));
	CHECK(!config_valid_k8s_name(".hidden"));
	CHECK(!config_valid_k8s_name(""));
}

static char *
tmpdir(void)
{
	char tmpl[] = "/tmp/acmec-unit-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static char *
slurp(const char *dir, const char *name)
{
	char path[512], *data;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fs_read(path, 1 << 20, &data, &len) < 0)
		return NULL;
	return data;
}

void
test_fs_publish(void)
{
	struct fs_file v1[] = { { "tls.crt", "crt1", 4, 0644 },
		{ "tls.key", "key1", 4, 0600 } };
	struct fs_file v2[] = { { "tls.crt", "crt2", 4, 0644 },
		{ "tls.key", "key2", 4, 0600 } };
	struct fs_file bad[] = { { "tls.crt", "crt3", 4, 0644 },
		{ "no/such/dir", "x", 1, 0600 } };
	char *root = tmpdir(), *dir, *s, cmd[600];
	struct stat st;

	REQUIRE(root != NULL);
	dir = malloc(strlen(root) + 16);
	sprintf(dir, "%s/secret", root);
	CHECK(fs_publish(dir, v1, 2) == 0);
	s = slurp(dir, "tls.key");
	CHECK_STR(s, "key1");
	free(s);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(fs_publish(dir, v2, 2) == 0);
	s = slurp(dir, "tls.crt");
	CHECK_STR(s, "crt2");
	free(s);
	s = slurp(dir, "tls.key");
	CHECK_STR(s, "key2");
	free(s);
	/* A set that cannot be written completely changes nothing. */
	CHECK(fs_publish(dir, bad, 2) < 0);
	s = slurp(dir, "tls.crt");
	CHECK_STR(s, "crt2");
	free(s);
	/* Exactly one revision directory is left. */
	snprintf(cmd, sizeof(cmd), "test $(ls -a %s | grep -c '^\\.\\.rev-') "
	    "-eq 1", dir);
	CHECK(system(cmd) == 0);
	/* An existing file is never replaced by fs_create_excl. */
	CHECK(fs_create_excl(root, "key", "a", 1, 0600) == 0);
	CHECK(fs_create_excl(root, "key", "b", 1, 0600) < 0 &&
	    errno == EEXIST);
	s = slurp(root, "key");
	CHECK_STR(s, "a");
	free(s);
	/* Modes are exact whatever the umask. */
	umask(0);
	CHECK(fs_write_atomic(root, "f", "x", 1, 0600) == 0);
	snprintf(cmd, sizeof(cmd), "%s/f", root);
	CHECK(stat(cmd, &st) == 0 && (st.st_mode & 0777) == 0600);
	umask(022);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK(system(cmd) == 0);
	free(dir);
	free(root);
}

void
test_fs_lock(void)
{
	char *root = tmpdir(), path[512], cmd[600];
	int fd1 = -1, fd2 = -1;

	REQUIRE(root != NULL);
	snprintf(path, sizeof(path), "%s/x.lock", root);
	CHECK(fs_lock(path, 0, &fd1) == 0);
	CHECK(fs_lock(path, 0, &fd2) < 0 && errno == EWOULDBLOCK);
	fs_unlock(fd1);
	CHECK(fs_lock(path, 0, &fd2) == 0);
	fs_unlock(fd2);
	/* A symlink planted at the lock's path is not followed. */
	snprintf(cmd, sizeof(cmd), "ln -s /etc/passwd %s/y.lock", root);
	CHECK(system(cmd) == 0);
	snprintf(path, sizeof(path), "%s/y.lock", root);
	CHECK(fs_lock(path, 0, &fd1) < 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK(system(cmd) == 0);
	free(root);
}
