/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * The files: a file or a directory of them read, their documents loaded
 * in two passes (load.c reads each document), then linked (link.c).
 */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/err.h"

#define CONFIG_MAX_FILE (4 * 1024 * 1024)

/* One file's text, kept for the second pass. */
struct src {
	const char *file; /* owned by cfg->files */
	char *data;
	size_t len;
	size_t nsecrets; /* Secret documents it holds */
};

/*
 * What loading gathers over the files.  The first pass reads each
 * Certificate at once when the second pass would read it the same
 * (cfgw_cert_early()): with many Certificates, parsing the text a second
 * time was half of loading.  What those reads noted stays apart, to come
 * after the first pass's notes as the second pass's would; if one
 * Certificate needs the second pass, all of them are read there.
 */
struct loading {
	struct config *cfg;
	struct strlist ignored; /* Kubernetes-only fields seen */
	int errors;
	bool ingress;
	bool early;                           /* no second pass needed yet */
	struct strlist early_ignored, early_noticed; /* noted by those */
};

/* Move the strings of from past its first n to the end of to. */
static void
move_tail(struct strlist *from, size_t n, struct strlist *to)
{
	size_t i;

	for (i = n; i < from->n; i++) {
		to->v = util_realloc(to->v, to->n + 1, sizeof(*to->v));
		to->v[to->n++] = from->v[i];
	}
	from->n = n;
}

/* Add the strings of from not in to, in order. */
static void
merge(struct strlist *to, const struct strlist *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		if (!strlist_has(to, from->v[i]))
			strlist_add(to, from->v[i]);
}

/* The second pass will read every Certificate: drop the early ones. */
static void
early_drop(struct loading *l)
{
	size_t i;

	for (i = 0; i < l->cfg->ncerts; i++)
		config_cert_free(&l->cfg->certs[i]);
	free(l->cfg->certs);
	l->cfg->certs = NULL;
	l->cfg->ncerts = 0;
	strlist_free(&l->early_ignored);
	strlist_free(&l->early_noticed);
	l->early = false;
}

/* After the first pass read root: the Certificate in it, if it can. */
static void
early_cert(struct loading *l, struct ld *ld, const yaml_node_t *root)
{
	size_t noticed = l->cfg->noticed.n;
	int r;

	ld->ignored = &l->early_ignored;
	r = cfgw_cert_early(ld, root);
	ld->ignored = &l->ignored;
	move_tail(&l->cfg->noticed, noticed, &l->early_noticed);
	if (r < 0)
		early_drop(l);
}

/* Parse the YAML text of src into l->cfg, one pass. */
static void
load_buffer(struct loading *l, struct src *src, enum cfgw_pass pass)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	const yaml_node_t *root;
	struct ld ld = { 0 };
	size_t nsecrets = l->cfg->nsecrets;
	bool done = false;

	ld.cfg = l->cfg;
	ld.file = src->file;
	ld.ignored = &l->ignored;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser,
	    (const unsigned char *)src->data, src->len);
	while (!done) {
		if (!yaml_parser_load(&parser, &doc)) {
			if (pass == P_OTHERS)
				log_error("%s:%lu:%lu: YAML syntax error: %s",
				    ld.file,
				    (unsigned long)parser.problem_mark.line + 1,
				    (unsigned long)parser.problem_mark.column +
				    1, parser.problem ? parser.problem :
				    "unknown");
			ld.errors += pass == P_OTHERS;
			break;
		}
		ld.doc = &doc;
		if ((root = yaml_document_get_root_node(&doc)) == NULL) {
			done = true;
		} else if (!(root->type == YAML_SCALAR_NODE &&
		    cfgw_sctype(root) == S_NULL)) { /* "---" alone is fine */
			cfgw_read_object(&ld, root, 0, pass);
			if (pass == P_OTHERS && l->early)
				early_cert(l, &ld, root);
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	src->nsecrets += l->cfg->nsecrets - nsecrets;
	l->errors += ld.errors;
	l->ingress = l->ingress || ld.ingress_notice;
}

/* Both passes over the sources (the second only if needed). */
static void
load_passes(struct loading *l, struct src *srcs, size_t n)
{
	size_t i;

	l->early = true;
	for (i = 0; i < n; i++)
		load_buffer(l, &srcs[i], P_OTHERS);
	if (l->early) {
		merge(&l->ignored, &l->early_ignored);
		merge(&l->cfg->noticed, &l->early_noticed);
		strlist_free(&l->early_ignored);
		strlist_free(&l->early_noticed);
		return;
	}
	for (i = 0; i < n; i++)
		load_buffer(l, &srcs[i], P_CERTS);
}

/* Both passes, then the sources' modes checked and their text wiped. */
static void
load_sources(struct loading *l, struct src *srcs, size_t n)
{
	struct stat st;
	size_t i;

	load_passes(l, srcs, n);
	for (i = 0; i < n; i++) {
		/* Secrets in it: only its owner should read it. */
		if (srcs[i].nsecrets > 0 && srcs[i].data != NULL &&
		    stat(srcs[i].file, &st) == 0 &&
		    (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
			log_warn("%s holds Secret documents and %s can read "
			    "it: run chmod go-rwx %s", srcs[i].file,
			    st.st_mode & S_IROTH ? "everyone" : "its group",
			    srcs[i].file);
		crypto_secret_free(srcs[i].data, srcs[i].len);
		srcs[i].data = NULL;
	}
}

/* Read the file path into a new source; -1 (reported) if unreadable. */
static int
read_source(struct config *cfg, const char *path, struct src **srcs,
    size_t *n)
{
	char *data;
	size_t len;

	if (fs_read(path, CONFIG_MAX_FILE, &data, &len) < 0) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	strlist_add(&cfg->files, path);
	*srcs = util_realloc(*srcs, *n + 1, sizeof(**srcs));
	(*srcs)[*n].file = cfg->files.v[cfg->files.n - 1];
	(*srcs)[*n].data = data;
	(*srcs)[*n].len = len;
	(*srcs)[*n].nsecrets = 0;
	(*n)++;
	return 0;
}

int
config_load_buffer(const char *name, const char *data, size_t len,
    struct config *cfg)
{
	struct loading l = { 0 };
	struct src src = { 0 };

	memset(cfg, 0, sizeof(*cfg));
	l.cfg = cfg;
	strlist_add(&cfg->files, name);
	src.file = cfg->files.v[0];
	src.data = (char *)data; /* the caller's: read only, not wiped */
	src.len = len;
	load_passes(&l, &src, 1);
	if (l.errors == 0)
		l.errors += cfgw_link(cfg);
	strlist_free(&l.ignored);
	return l.errors == 0 ? 0 : -1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml and *.yml files of directory path, in name order. */
static int
read_dir(struct config *cfg, const char *path, struct src **srcs, size_t *n)
{
	struct strlist names = { 0 };
	struct dirent *de;
	int errors = 0;
	size_t i;
	DIR *d;

	if ((d = opendir(path)) == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && (util_endswith(de->d_name,
		    ".yaml") || util_endswith(de->d_name, ".yml")))
			strlist_add(&names, de->d_name);
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	if (names.n == 0) {
		log_error("%s: no *.yaml files in this directory", path);
		errors++;
	}
	for (i = 0; i < names.n; i++) {
		char *file = util_printf("%s/%s", path, names.v[i]);

		if (read_source(cfg, file, srcs, n) < 0)
			errors++;
		free(file);
	}
	strlist_free(&names);
	return errors;
}

int
config_load(const char *path, struct config *cfg)
{
	return config_load_paths(&path, 1, cfg);
}

int
config_load_paths(const char *const *paths, size_t n, struct config *cfg)
{
	struct loading l = { 0 };
	struct src *srcs = NULL;
	struct stat st;
	struct buf b = { 0 };
	size_t i, nsrcs = 0;
	int e;

	memset(cfg, 0, sizeof(*cfg));
	l.cfg = cfg;
	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) < 0) {
			log_error("%s: %s; give the configuration with -c "
			    "FILE|DIR", paths[i], strerror(errno));
			l.errors++;
		} else if (S_ISDIR(st.st_mode)) {
			/* An unreadable directory: nothing else to say. */
			if ((e = read_dir(cfg, paths[i], &srcs, &nsrcs)) < 0) {
				free(srcs);
				return -1;
			}
			l.errors += e;
		} else if (read_source(cfg, paths[i], &srcs, &nsrcs) < 0) {
			l.errors++;
		}
	}
	if (l.errors > 0 && nsrcs == 0) {
		free(srcs);
		return -1;
	}
	load_sources(&l, srcs, nsrcs);
	free(srcs);
	if (l.errors == 0)
		l.errors += cfgw_link(cfg);
	if (l.ignored.n > 0) {
		for (i = 0; i < l.ignored.n; i++) {
			if (i > 0)
				buf_addstr(&b, ", ");
			buf_addstr(&b, l.ignored.v[i]);
		}
		log_notice("ignoring fields that only mean something inside "
		    "Kubernetes: %s", b.data);
		buf_free(&b);
	}
	if (l.ingress)
		log_notice("http01 solvers without an acmec.io/ annotation: "
		    "acmec answers the challenges itself on port 80 (set "
		    "acmec.io/http01-listen, acmec.io/http01-webroot or "
		    "acmec.io/tlsalpn01-listen on the issuer to choose)");
	strlist_free(&l.ignored);
	return l.errors == 0 ? 0 : -1;
}
