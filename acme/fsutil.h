#ifndef ACMEC_ACME_FSUTIL_H
#define ACMEC_ACME_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Files that must survive crashes and never be half-written.  All return 0
 * or -1 with errno set; the caller reports, naming the path.  Nothing here
 * follows a symlink where it creates a file.
 */

/* Read a whole file (following symlinks) of at most max bytes (EFBIG). */
int fs_read(const char *path, size_t max, char **out, size_t *len);

/* mkdir -p; directories created get mode, existing ones are left alone. */
int fs_mkdirs(const char *path, mode_t mode);

/*
 * Replace dir/name atomically: a temp file in dir (O_EXCL), write, fsync,
 * chmod to mode exactly (umask does not apply), rename, fsync dir.
 */
int fs_write_atomic(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode);

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
 * layout Kubernetes uses for mounted Secrets).  Old revisions are removed.
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
void fs_unlock(int fd);

/* Remove path; a missing file is success. */
int fs_remove(const char *path);

#endif
