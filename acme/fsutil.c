/* Atomic writes, crash-consistent file sets, locks. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acme/fsutil.h"
#include "acme/util.h"

int
fs_read(const char *path, size_t max, char **out, size_t *len)
{
	struct buf b = { 0 };
	char chunk[8192];
	ssize_t n;
	int fd, saved;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			errno = EFBIG;
			goto fail;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (b.data == NULL)
		b.data = util_strdup("");
	*out = b.data;
	*len = b.len;
	return 0;
fail:
	saved = errno;
	close(fd);
	/* The file may hold a key. */
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);
	buf_free(&b);
	errno = saved;
	return -1;
}

int
fs_mkdirs(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	struct stat st;
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, mode) < 0) {
			if (errno != EEXIST)
				return -1;
			if (stat(tmp, &st) < 0)
				return -1;
			if (!S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				return -1;
			}
		}
		tmp[i] = path[i];
	}
	return 0;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write data to a new temp file in dir; *tmp (caller frees) is its path. */
static int
write_temp(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode, char **tmp)
{
	int fd, saved;

	*tmp = util_printf("%s/.%s.XXXXXX", dir, name);
	/* mkstemp: O_CREAT | O_EXCL, mode 0600, so no symlink is followed. */
	if ((fd = mkstemp(*tmp)) < 0)
		goto fail;
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(*tmp);
		errno = saved;
		goto fail;
	}
	if (close(fd) < 0) {
		saved = errno;
		unlink(*tmp);
		errno = saved;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	free(*tmp);
	*tmp = NULL;
	errno = saved;
	return -1;
}

int
fs_fsync_dir(const char *dir)
{
	int fd, rc, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/*
 * Put data at dir/name through a temp file: rename(2) replaces what is
 * there; link(2) fails with EEXIST instead.
 */
static int
place(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode, bool replace)
{
	char *tmp = NULL, *path = NULL;
	int rc = -1, saved;

	if (write_temp(dir, name, data, len, mode, &tmp) < 0)
		return -1;
	path = util_printf("%s/%s", dir, name);
	if ((replace ? rename(tmp, path) : link(tmp, path)) == 0)
		rc = fs_fsync_dir(dir);
	saved = errno;
	if (!replace || rc < 0)
		unlink(tmp);
	free(tmp);
	free(path);
	errno = saved;
	return rc;
}

int
fs_write_atomic(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode)
{
	return place(dir, name, data, len, mode, true);
}

int
fs_create_excl(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode)
{
	return place(dir, name, data, len, mode, false);
}

/* rm -r of a directory we created (no symlinks followed). */
static void
remove_tree(const char *path)
{
	struct dirent *de;
	DIR *d;
	char *sub;

	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			sub = util_printf("%s/%s", path, de->d_name);
			if (de->d_type == DT_DIR)
				remove_tree(sub);
			else
				unlink(sub);
			free(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Point dir/name at target with a symlink, replacing what is there. */
static int
symlink_replace(const char *dir, const char *name, const char *target)
{
	char *tmp, *path;
	int rc = -1, saved;

	tmp = util_printf("%s/.%s.tmp", dir, name);
	path = util_printf("%s/%s", dir, name);
	unlink(tmp);
	if (symlink(target, tmp) == 0) {
		if (rename(tmp, path) == 0)
			rc = 0;
		else
			unlink(tmp);
	}
	saved = errno;
	free(tmp);
	free(path);
	errno = saved;
	return rc;
}

/* True if dir/name is already a symlink to target. */
static int
links_to(const char *dir, const char *name, const char *target)
{
	char buf[PATH_MAX], *path;
	ssize_t n;

	path = util_printf("%s/%s", dir, name);
	n = readlink(path, buf, sizeof(buf) - 1);
	free(path);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

int
fs_publish(const char *dir, const struct fs_file *files, size_t n)
{
	char rev[64], *revpath = NULL, *path = NULL, *target;
	struct timespec ts;
	struct dirent *de;
	DIR *d;
	size_t i;
	int fd, saved, rc = -1;

	if (fs_mkdirs(dir, 0700) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(rev, sizeof(rev), "..rev-%lld.%09ld-%d", (long long)ts.tv_sec,
	    ts.tv_nsec, (int)getpid());
	revpath = util_printf("%s/%s", dir, rev);
	if (mkdir(revpath, 0700) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		path = util_printf("%s/%s", revpath, files[i].name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		free(path);
		path = NULL;
		if (fd < 0)
			goto fail;
		if (fchmod(fd, files[i].mode) < 0 ||
		    write_all(fd, files[i].data, files[i].len) < 0 ||
		    fsync(fd) < 0) {
			saved = errno;
			close(fd);
			errno = saved;
			goto fail;
		}
		if (close(fd) < 0)
			goto fail;
	}
	if (fs_fsync_dir(revpath) < 0)
		goto fail;
	/* The switch: after this rename the new set is in service. */
	if (symlink_replace(dir, "..data", rev) < 0)
		goto fail;
	if (fs_fsync_dir(dir) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		target = util_printf("..data/%s", files[i].name);
		if (!links_to(dir, files[i].name, target) &&
		    symlink_replace(dir, files[i].name, target) < 0) {
			saved = errno;
			free(target);
			errno = saved;
			goto out;
		}
		free(target);
	}
	if (fs_fsync_dir(dir) < 0)
		goto out;
	rc = 0;
	/* Old revisions, and any left by a crash, are no longer referenced. */
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "..rev-", 6) != 0 ||
			    strcmp(de->d_name, rev) == 0)
				continue;
			path = util_printf("%s/%s", dir, de->d_name);
			remove_tree(path);
			free(path);
			path = NULL;
		}
		closedir(d);
	}
	goto out;
fail:
	saved = errno;
	remove_tree(revpath);
	errno = saved;
out:
	saved = errno;
	free(revpath);
	errno = saved;
	return rc;
}

int
fs_lock(const char *path, int wait, int *fd)
{
	int saved;

	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -1;
	while (flock(*fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR && wait)
			continue;
		saved = errno;
		close(*fd);
		*fd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

void
fs_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
fs_remove(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}
