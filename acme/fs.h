#ifndef ACMEC_ACME_FS_H
#define ACMEC_ACME_FS_H

#include <stddef.h>
#include <sys/types.h>

#include <sys/stat.h>

/*
 * Files that must survive crashes and never be half-written.  All return 0
 * (or a descriptor) or -1 with errno set; the caller reports, naming the
 * path.  Every descriptor is O_CLOEXEC, so a hook forked by another worker
 * inherits none.
 *
 * Links: a directory given by path is resolved once, its last component
 * never through a link (ELOOP); below it everything goes through that
 * descriptor (openat, mkdirat, renameat, unlinkat with O_NOFOLLOW), never
 * a path string, so nothing planted there leads a write or a removal
 * elsewhere.  The directories that hold keys and state (every path-taking
 * function but fs_read and fs_fsync_dir) must be private: owned by the
 * user running acmec and not writable by group or others; else -1 with
 * EPERM, after one error that says which chown/chmod to run.
 */

/* The most fs_read() takes of a key, certificate, status or CA bundle. */
#define FS_READ_MAX (1024 * 1024)

/* Read a whole file (following symlinks) of at most max bytes (EFBIG). */
int fs_read(const char *path, size_t max, char **out, size_t *len);

#define FS_CREATE 1  /* create what is missing, with mode exactly */
#define FS_PRIVATE 2 /* refuse (EPERM) unless only acmec's user can write */

/*
 * Open the directory path (O_DIRECTORY, the last component O_NOFOLLOW:
 * a link there is refused with ELOOP and an error naming it).  Returns the
 * descriptor; caller closes.
 */
int fs_open_dir(const char *path, int flags, mode_t mode);

/* Open (FS_CREATE: make) the directory dfd/name, never through a link. */
int fs_open_subdir(int dfd, const char *name, int flags, mode_t mode);

/* mkdir -p of a private directory; directories created get mode. */
int fs_mkdirs(const char *path, mode_t mode);

/*
 * Replace dir/name atomically: a temp file in dir (O_EXCL, random name),
 * write, fsync, chmod to mode exactly (umask does not apply), rename,
 * fsync dir.  A link at dir/name is replaced, never written through.
 */
int fs_write_atomic(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode);

/* The same in the directory open at dfd; *st (if not NULL) the file's. */
int fs_write_atomic_at(int dfd, const char *name, const void *data,
    size_t len, mode_t mode, struct stat *st);

/*
 * Create dir/name with the same care, but fail with EEXIST if it exists:
 * an existing file (an account key) is never replaced.
 */
int fs_create_excl(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode);

/* One file of a set published by fs_publish(). */
struct fs_file {
	const char *name;
	const void *data;
	size_t len;
	mode_t mode;
};

/*
 * Publish a set of files in dir so that readers of dir/NAME see either the
 * whole old set or the whole new one, never a mix, even across a crash:
 * the files go to a new directory dir/..rev-*, which the symlink dir/..data
 * is then atomically switched to; dir/NAME is a symlink to ..data/NAME (the
 * layout Kubernetes uses for mounted Secrets).  Old revisions are removed
 * without following any link in or to them.
 * On failure before the switch, the files in service are untouched.
 */
int fs_publish(const char *dir, const struct fs_file *files, size_t n);

/* fsync a directory, making renames in it durable. */
int fs_fsync_dir(const char *dir);

/*
 * Take an exclusive lock on path (created 0600 if missing, never through a
 * symlink).  Without wait, -1 with errno EWOULDBLOCK if another process
 * holds it.  *fd is released with fs_unlock().
 */
int fs_lock(const char *path, int wait, int *fd);
/* The same for name in the directory open at dfd (one of fs_open_dir()). */
int fs_lock_at(int dfd, const char *name, int wait, int *fd);
void fs_unlock(int fd);

/* Remove path (never what a link there points to); missing is success. */
int fs_remove(const char *path);

#endif
