#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acme/fs.h"
#include "acme/log.h"
#include "acme/store.h"
#include "acme/util.h"

void
store_paths(struct store *st, const char *statedir, const char *secretsdir)
{
	memset(st, 0, sizeof(*st));
	st->statedir = util_strdup(statedir);
	st->secretsdir = secretsdir ? util_strdup(secretsdir) :
	    util_printf("%s/secrets", statedir);
}

int
store_open(struct store *st, const char *statedir, const char *secretsdir)
{
	char *locks;
	int fd = -1;

	store_close(st);
	store_paths(st, statedir, secretsdir);
	locks = util_printf("%s/locks", statedir);
	if (fs_mkdirs(statedir, 0700) < 0 ||
	    (fd = fs_open_dir(locks, FS_CREATE | FS_PRIVATE, 0700)) < 0) {
		log_error("cannot create the state directory %s: %s; choose "
		    "another with -s DIR", locks, strerror(errno));
		free(locks);
		return -1;
	}
	free(locks);
	/* Every lock of the run is taken in it: opened once. */
	st->locks_fd = fd;
	st->locks_open = true;
	if (fs_mkdirs(st->secretsdir, 0700) < 0) {
		log_error("cannot create the secrets directory %s: %s",
		    st->secretsdir, strerror(errno));
		return -1;
	}
	return 0;
}

void
store_close(struct store *st)
{
	if (st->locks_open)
		close(st->locks_fd);
	free(st->statedir);
	free(st->secretsdir);
	memset(st, 0, sizeof(*st));
}

/* A lock without store_open(): the directory found by its path. */
static int
fs_lock_path(const struct store *st, const char *name, int wait, int *fd)
{
	char *path = util_printf("%s/locks/%s", st->statedir, name);
	int rc = fs_lock(path, wait, fd);
	int saved = errno;

	free(path);
	errno = saved;
	return rc;
}

char *
store_secret_dir(const struct store *st, const char *name)
{
	return util_printf("%s/%s", st->secretsdir, name);
}

char *
store_secret_path(const struct store *st, const char *name, const char *key)
{
	return util_printf("%s/%s/%s", st->secretsdir, name, key);
}

int
store_lock(const struct store *st, const char *what, int wait, int *fd)
{
	char *name = util_printf("%s.lock", what), *path;
	int rc = 0;

	if ((st->locks_open ? fs_lock_at(st->locks_fd, name, wait, fd) :
	    fs_lock_path(st, name, wait, fd)) < 0) {
		path = util_printf("%s/locks/%s", st->statedir, name);
		if (errno == EWOULDBLOCK)
			log_error("%s is locked: another acmec is working on "
			    "it (lock file %s); try again when it is done",
			    what, path);
		else
			log_error("cannot lock %s: %s", path, strerror(errno));
		free(path);
		rc = -1;
	}
	free(name);
	return rc;
}

int
store_lock_cert(const struct store *st, const char *ns, const char *name,
    int wait, int *fd)
{
	char *what = util_printf("certificate-%s-%s", ns, name);
	int rc = store_lock(st, what, wait, fd);

	free(what);
	return rc;
}
