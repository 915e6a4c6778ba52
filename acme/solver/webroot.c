/*
 * http-01 through a webroot: the answers are files in
 * ROOT/.well-known/acme-challenge/ that the web server serves.  The
 * webroot belongs to the web server and whoever can write it: links there
 * are refused, never followed; files are written and later removed
 * through the descriptor of acme-challenge, and only the file acmec
 * wrote is removed.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acme/fs.h"
#include "acme/log.h"
#include "acme/solver/internal.h"
#include "jws/keyauth.h"

struct webroot_file {
	int dfd;     /* ROOT/.well-known/acme-challenge */
	char *token; /* the file's name in it */
	char *path;  /* for messages */
	dev_t dev;   /* what was written, to remove only that */
	ino_t ino;
};

/* Open (make) dfd/name, a directory of the webroot; errors reported. */
static int
open_part(int dfd, const char *root, const char *rel, const char *name)
{
	int fd = fs_open_subdir(dfd, name, FS_CREATE, 0755);

	if (fd >= 0)
		return fd;
	if (errno == ELOOP)
		log_error("webroot: refusing %s/%s: it is a symbolic link, and "
		    "acmec follows none in a webroot; make it a directory",
		    log_esc(root), rel);
	else
		log_error("webroot: cannot open %s/%s: %s", log_esc(root), rel,
		    strerror(errno));
	return -1;
}

/* The descriptor of ROOT/.well-known/acme-challenge; errors reported. */
static int
open_challenge_dir(const char *root)
{
	int rfd, wfd, cfd = -1;

	/* The web server must be able to read what it serves: 0755. */
	if ((rfd = fs_open_dir(root, FS_CREATE, 0755)) < 0) {
		if (errno != ELOOP) /* already reported */
			log_error("webroot: cannot open %s: %s", log_esc(root),
			    strerror(errno));
		return -1;
	}
	wfd = open_part(rfd, root, ".well-known", ".well-known");
	if (wfd >= 0)
		cfd = open_part(wfd, root, ".well-known/acme-challenge",
		    "acme-challenge");
	close(rfd);
	if (wfd >= 0)
		close(wfd);
	return cfd;
}

int
webroot_present(struct solver_set *set, const char *root, const char *token,
    const char *keyauth)
{
	struct webroot_file *f;
	struct stat st;
	char *path;
	int cfd;

	/* The token becomes a file name: nothing but base64url. */
	if (!keyauth_token_valid(token)) {
		log_error("refusing a challenge token that is not base64url: "
		    "%s", log_esc(token));
		return -1;
	}
	if ((cfd = open_challenge_dir(root)) < 0)
		return -1;
	path = util_printf("%s/.well-known/acme-challenge/%s", root, token);
	if (fstatat(cfd, token, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode)) {
		log_error("webroot: refusing %s: it is %s, not a file acmec "
		    "wrote; remove it", log_esc(path), S_ISLNK(st.st_mode) ?
		    "a symbolic link" : "not a regular file");
		goto fail;
	}
	if (fs_write_atomic_at(cfd, token, keyauth, strlen(keyauth), 0644,
	    &st) < 0) {
		log_error("webroot: cannot write %s: %s", log_esc(path),
		    strerror(errno));
		goto fail;
	}
	set->webroot = util_realloc(set->webroot, set->nwebroot + 1,
	    sizeof(*set->webroot));
	f = &set->webroot[set->nwebroot++];
	f->dfd = cfd;
	f->token = util_strdup(token);
	f->path = path;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	log_debug("webroot: wrote %s", log_esc(path));
	return 0;
fail:
	free(path);
	close(cfd);
	return -1;
}

void
webroot_cleanup(struct solver_set *set)
{
	struct webroot_file *f;
	struct stat st;
	size_t i;

	for (i = 0; i < set->nwebroot; i++) {
		f = &set->webroot[i];
		if (fstatat(f->dfd, f->token, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				log_warn("cannot check the challenge file %s: "
				    "%s", log_esc(f->path), strerror(errno));
		} else if (st.st_dev != f->dev || st.st_ino != f->ino)
			log_warn("left %s alone: it is no longer the file "
			    "acmec wrote", log_esc(f->path));
		else if (unlinkat(f->dfd, f->token, 0) < 0)
			log_warn("cannot remove the challenge file %s: %s",
			    log_esc(f->path), strerror(errno));
		close(f->dfd);
		free(f->token);
		free(f->path);
	}
	free(set->webroot);
	set->webroot = NULL;
	set->nwebroot = 0;
}
