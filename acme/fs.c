/*
 * Atomic writes, crash-consistent file sets, locks.  Below a directory
 * that someone else might write (a Secret, the state directory, a
 * webroot), everything goes through directory descriptors: a path is
 * resolved once, its last component never through a link, and nothing
 * below it is ever reached by a path string again.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acme/fs.h"
#include "acme/log.h"
#include "acme/util.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
/* How deep remove_tree() goes; what acmec writes is one level deep. */
#define TREE_DEPTH 8

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

/* Close fd keeping errno; returns -1 for "goto out" style callers. */
static int
close_keep(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

int
fs_open_subdir(int dfd, const char *name, int flags, mode_t mode)
{
	struct stat st;
	int fd;

	fd = openat(dfd, name, DIR_FLAGS);
	if (fd < 0 && errno == ENOENT && (flags & FS_CREATE)) {
		if (mkdirat(dfd, name, mode) == 0) {
			/* Ours: its mode exact, whatever the umask. */
			if ((fd = openat(dfd, name, DIR_FLAGS)) >= 0)
				(void)fchmod(fd, mode);
		} else if (errno == EEXIST)
			fd = openat(dfd, name, DIR_FLAGS);
	}
	/* O_NOFOLLOW reports a link as ELOOP or ENOTDIR: make it ELOOP. */
	if (fd < 0 && errno == ENOTDIR &&
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		errno = ELOOP;
	return fd;
}

/*
 * Whether the directory open at fd (named path) can be changed by nobody
 * but the user running acmec; if not, say what to run (EPERM).
 */
static int
check_private(int fd, const char *path)
{
	char user[64], pwbuf[1024], what[96];
	struct passwd pw, *res = NULL;
	struct buf cmd = { 0 };
	struct stat st;
	bool owner, open;
	const char *p = log_esc(path);

	if (fstat(fd, &st) < 0)
		return -1;
	owner = st.st_uid != geteuid();
	open = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
	if (!owner && !open)
		return 0;
	if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 &&
	    res != NULL)
		snprintf(user, sizeof(user), "%s", pw.pw_name);
	else
		snprintf(user, sizeof(user), "%u", (unsigned)geteuid());
	what[0] = '\0';
	if (owner)
		snprintf(what, sizeof(what), "owned by uid %u%s",
		    (unsigned)st.st_uid, open ? " and " : "");
	if (open)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
		    "writable by %s", st.st_mode & S_IWOTH ? "everyone" :
		    "its group");
	if (owner) {
		buf_addstr(&cmd, "chown ");
		buf_addstr(&cmd, user);
		buf_addstr(&cmd, " '");
		buf_addstr(&cmd, p);
		buf_addstr(&cmd, open ? "' && " : "'");
	}
	if (open) {
		buf_addstr(&cmd, "chmod go-w '");
		buf_addstr(&cmd, p);
		buf_addstr(&cmd, "'");
	}
	log_error("refusing %s: it is %s, and acmec keeps keys and state only "
	    "in directories no one else can plant files or links in; run: %s",
	    p, what, cmd.data);
	buf_free(&cmd);
	errno = EPERM;
	return -1;
}

int
fs_open_dir(const char *path, int flags, mode_t mode)
{
	char *copy = util_strdup(path), *comp, *rest;
	int dfd, fd;

	dfd = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	for (rest = copy; dfd >= 0 && rest != NULL;) {
		comp = rest;
		if ((rest = strchr(rest, '/')) != NULL)
			*rest++ = '\0';
		while (rest != NULL && *rest == '/')
			rest++;
		if (rest != NULL && *rest == '\0')
			rest = NULL;
		if (*comp == '\0' || strcmp(comp, ".") == 0)
			continue;
		/* The path above is the administrator's; the last part is
		 * never a link. */
		if (rest != NULL) {
			fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);
			if (fd < 0 && errno == ENOENT && (flags & FS_CREATE))
				fd = fs_open_subdir(dfd, comp, flags, mode);
		} else
			fd = fs_open_subdir(dfd, comp, flags, mode);
		close_keep(dfd);
		dfd = fd;
	}
	if (dfd >= 0 && (flags & FS_PRIVATE) && check_private(dfd, path) < 0)
		dfd = close_keep(dfd);
	else if (dfd < 0 && errno == ELOOP)
		log_error("refusing %s: it is a symbolic link, and acmec never "
		    "follows one where it writes; give the real directory or "
		    "replace the link with one", log_esc(path));
	free(copy);
	return dfd;
}

int
fs_mkdirs(const char *path, mode_t mode)
{
	int fd = fs_open_dir(path, FS_CREATE | FS_PRIVATE, mode);

	if (fd < 0)
		return -1;
	close(fd);
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

/*
 * A new name in dfd for a temporary of name: ".NAME.XXXXXXXX" with random
 * letters, so that nothing planted in advance can be in the way.
 */
static void
temp_name(char *out, size_t size, const char *name)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[10];
	size_t i, n;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		unsigned long x = (unsigned long)util_now_ms() ^
		    ((unsigned long)getpid() << 16) ^ (unsigned long)rand();

		memcpy(r, &x, sizeof(x) < sizeof(r) ? sizeof(x) : sizeof(r));
	}
	snprintf(out, size, ".%.*s.", (int)(size > 24 ? size - 24 : 0), name);
	n = strlen(out);
	for (i = 0; i < sizeof(r) && n + 1 < size; i++)
		out[n++] = abc[r[i] % (sizeof(abc) - 1)];
	out[n] = '\0';
}

/*
 * Write data to a new temp file in dfd, mode exactly mode; its name in
 * tmp, its identity in *st if st is not NULL.
 */
static int
write_temp(int dfd, const char *name, const void *data, size_t len,
    mode_t mode, char *tmp, size_t tmpsize, struct stat *st)
{
	int fd = -1, tries;

	for (tries = 0; fd < 0 && tries < 16; tries++) {
		temp_name(tmp, tmpsize, name);
		/* O_EXCL | O_NOFOLLOW: nothing planted is written through;
		 * O_CLOEXEC: no hook forked meanwhile inherits it. */
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0 || (st != NULL && fstat(fd, st) < 0)) {
		close_keep(fd);
		goto fail;
	}
	if (close(fd) < 0)
		goto fail;
	return 0;
fail:
	(void)unlinkat(dfd, tmp, 0);
	return close_keep(-1);
}

int
fs_fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close_keep(fd);
	return rc;
}

/*
 * Put data at dfd/name through a temp file: renameat(2) replaces what is
 * there (a planted link included, without following it); linkat(2) fails
 * with EEXIST instead.
 */
static int
place(int dfd, const char *name, const void *data, size_t len, mode_t mode,
    bool replace, struct stat *st)
{
	char tmp[NAME_MAX + 1];
	int rc = -1;

	if (write_temp(dfd, name, data, len, mode, tmp, sizeof(tmp), st) < 0)
		return -1;
	if ((replace ? renameat(dfd, tmp, dfd, name) :
	    linkat(dfd, tmp, dfd, name, 0)) == 0)
		rc = fsync(dfd);
	if (!replace || rc < 0) {
		int saved = errno;

		(void)unlinkat(dfd, tmp, 0);
		errno = saved;
	}
	return rc;
}

int
fs_write_atomic_at(int dfd, const char *name, const void *data, size_t len,
    mode_t mode, struct stat *st)
{
	return place(dfd, name, data, len, mode, true, st);
}

/* place() in the private directory dir. */
static int
place_in(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode, bool replace)
{
	int dfd, rc;

	if ((dfd = fs_open_dir(dir, FS_PRIVATE, 0)) < 0)
		return -1;
	rc = place(dfd, name, data, len, mode, replace, NULL);
	close_keep(dfd);
	return rc;
}

int
fs_write_atomic(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode)
{
	return place_in(dir, name, data, len, mode, true);
}

int
fs_create_excl(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode)
{
	return place_in(dir, name, data, len, mode, false);
}

/*
 * rm -r of dfd/name without ever going through a link: a link (or any
 * other non-directory) is unlinked itself, a directory is entered only
 * through openat(O_NOFOLLOW).
 */
static void
remove_tree(int dfd, const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = openat(dfd, name, DIR_FLAGS)) < 0) {
		(void)unlinkat(dfd, name, 0);
		return;
	}
	if (depth < TREE_DEPTH && (d = fdopendir(fd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				remove_tree(dirfd(d), de->d_name, depth + 1);
		closedir(d);
	} else
		close(fd);
	(void)unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Point dfd/name at target with a symlink, replacing what is there. */
static int
symlink_replace(int dfd, const char *name, const char *target)
{
	char tmp[NAME_MAX + 1];
	int tries;

	for (tries = 0; tries < 16; tries++) {
		temp_name(tmp, sizeof(tmp), name);
		if (symlinkat(target, dfd, tmp) == 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	if (tries == 16)
		return -1;
	if (renameat(dfd, tmp, dfd, name) == 0)
		return 0;
	(void)unlinkat(dfd, tmp, 0);
	return close_keep(-1);
}

/* True if dfd/name is already a symlink to target. */
static bool
links_to(int dfd, const char *name, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n;

	if ((n = readlinkat(dfd, name, buf, sizeof(buf) - 1)) < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

/* Write the files of a revision into the new directory rfd. */
static int
write_files(int rfd, const struct fs_file *files, size_t n)
{
	size_t i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = openat(rfd, files[i].name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		if (fchmod(fd, files[i].mode) < 0 ||
		    write_all(fd, files[i].data, files[i].len) < 0 ||
		    fsync(fd) < 0)
			return close_keep(fd);
		if (close(fd) < 0)
			return -1;
	}
	return fsync(rfd);
}

/* Point dfd/..data at rev, then each dfd/NAME at ..data/NAME. */
static int
switch_to(int dfd, const char *rev, const struct fs_file *files, size_t n)
{
	char target[NAME_MAX + 8];
	size_t i;

	/* The switch: after this rename the new set is in service. */
	if (symlink_replace(dfd, "..data", rev) < 0 || fsync(dfd) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(target, sizeof(target), "..data/%s", files[i].name);
		if (!links_to(dfd, files[i].name, target) &&
		    symlink_replace(dfd, files[i].name, target) < 0)
			return -1;
	}
	return fsync(dfd);
}

/*
 * Is name one of our links into ..data/ for a file that is no longer in
 * files (n), as Kubernetes' atomic writer removes them?
 */
static bool
stale_link(int dfd, const char *name, const struct fs_file *files, size_t n)
{
	char target[300];
	ssize_t len;
	size_t i;

	if (name[0] == '.' ||
	    (len = readlinkat(dfd, name, target, sizeof(target) - 1)) < 0)
		return false;
	target[len] = '\0';
	if (strncmp(target, "..data/", 7) != 0 || strcmp(target + 7, name) != 0)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(files[i].name, name) == 0)
			return false;
	return true;
}

/*
 * Old revisions, and any left by a crash, are no longer referenced; nor
 * are the links to files that left the set.
 */
static void
remove_old(int dfd, const char *keep, const struct fs_file *files, size_t n)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = openat(dfd, ".", DIR_FLAGS)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "..rev-", 6) == 0 &&
		    strcmp(de->d_name, keep) != 0)
			remove_tree(dfd, de->d_name, 0);
		else if ((de->d_type == DT_LNK || de->d_type == DT_UNKNOWN) &&
		    stale_link(dfd, de->d_name, files, n))
			unlinkat(dfd, de->d_name, 0);
	closedir(d);
}

int
fs_publish(const char *dir, const struct fs_file *files, size_t n)
{
	char rev[64];
	struct timespec ts;
	size_t i;
	int dfd, rfd = -1, rc = -1;
	bool made = false;

	/*
	 * A name the directory's own links use (..data, ..rev-*), a path, or
	 * none: refused, as Kubernetes' atomic writer refuses them.
	 */
	for (i = 0; i < n; i++)
		if (files[i].name[0] == '\0' || strchr(files[i].name, '/') ||
		    strncmp(files[i].name, "..", 2) == 0 ||
		    strcmp(files[i].name, ".") == 0) {
			errno = EINVAL;
			return -1;
		}
	if ((dfd = fs_open_dir(dir, FS_CREATE | FS_PRIVATE, 0700)) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(rev, sizeof(rev), "..rev-%lld.%09ld-%d", (long long)ts.tv_sec,
	    ts.tv_nsec, (int)getpid());
	if (mkdirat(dfd, rev, 0700) < 0)
		goto out;
	made = true;
	if ((rfd = openat(dfd, rev, DIR_FLAGS)) < 0 ||
	    write_files(rfd, files, n) < 0)
		goto out;
	if (switch_to(dfd, rev, files, n) < 0) {
		/* ..data may already point at rev: keep it. */
		made = !links_to(dfd, "..data", rev);
		goto out;
	}
	made = false;
	rc = 0;
	remove_old(dfd, rev, files, n);
out:
	if (made) {
		int saved = errno;

		remove_tree(dfd, rev, 0);
		errno = saved;
	}
	close_keep(rfd);
	close_keep(dfd);
	return rc;
}

/* Split path into its directory (caller frees) and last component. */
static char *
split(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*base = path;
		return util_strdup(".");
	}
	*base = slash + 1;
	return slash == path ? util_strdup("/") :
	    util_strndup(path, (size_t)(slash - path));
}

int
fs_lock(const char *path, int wait, int *fd)
{
	const char *base;
	char *dir = split(path, &base);
	int dfd, rc;

	*fd = -1;
	dfd = fs_open_dir(dir, FS_PRIVATE, 0);
	free(dir);
	if (dfd < 0)
		return -1;
	rc = fs_lock_at(dfd, base, wait, fd);
	close_keep(dfd);
	return rc;
}

int
fs_lock_at(int dfd, const char *name, int wait, int *fd)
{
	*fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (*fd < 0)
		return -1;
	while (flock(*fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR && wait)
			continue;
		*fd = close_keep(*fd);
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
	const char *base;
	char *dir = split(path, &base);
	int dfd, rc = 0;

	dfd = fs_open_dir(dir, FS_PRIVATE, 0);
	free(dir);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
		rc = -1;
	close_keep(dfd);
	return rc;
}
