#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

	store_close(st);
	store_paths(st, statedir, secretsdir);
	locks = util_printf("%s/locks", statedir);
	if (fs_mkdirs(statedir, 0700) < 0 || fs_mkdirs(locks, 0700) < 0) {
		log_error("cannot create the state directory %s: %s; choose "
		    "another with -s DIR", locks, strerror(errno));
		free(locks);
		return -1;
	}
	free(locks);
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
	free(st->statedir);
	free(st->secretsdir);
	memset(st, 0, sizeof(*st));
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
	char *path = util_printf("%s/locks/%s.lock", st->statedir, what);
	int rc = 0;

	if (fs_lock(path, wait, fd) < 0) {
		if (errno == EWOULDBLOCK)
			log_error("%s is locked: another acmec is working on "
			    "it (lock file %s); try again when it is done",
			    what, path);
		else
			log_error("cannot lock %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(path);
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
