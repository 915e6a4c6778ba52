#ifndef ACMEC_ACME_CMD_CMD_H
#define ACMEC_ACME_CMD_CMD_H

#include <stdbool.h>

#include "crypto/key.h"

/* The subcommands; each returns the process exit status. */

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1, /* a certificate (or the operation) failed */
	EXIT_USAGE = 2,  /* usage or configuration error */
};

/* Options every command sees. */
struct globals {
	const char *config;      /* -c: file or directory */
	const char *statedir;    /* -s */
	const char *secretsdir;  /* --secrets-dir, NULL: STATEDIR/secrets */
	int verbosity;           /* -q: -1, default 0, -v: 1, -vv: 2 */
	int config_given;        /* -c was given */
};

int cmd_issue(const struct globals *g, int argc, char **argv);
int cmd_renew(const struct globals *g, int argc, char **argv);
int cmd_status(const struct globals *g, int argc, char **argv);
int cmd_revoke(const struct globals *g, int argc, char **argv);
int cmd_account(const struct globals *g, int argc, char **argv);
int cmd_check(const struct globals *g, int argc, char **argv);
int cmd_export(const struct globals *g, int argc, char **argv);
int cmd_import(const struct globals *g, int argc, char **argv);
int cmd_completion(const struct globals *g, int argc, char **argv);

struct config;
struct cfg_cert;

/*
 * Load the configuration into cfg (caller frees) and return the
 * Certificates named in argv (argc of them; all when argc is 0) as a
 * caller-freed array of n; NULL (reported) if the configuration is bad or
 * a name unknown.
 */
const struct cfg_cert **cmd_load_certs(const struct globals *g, int argc,
    char **argv, struct config *cfg, size_t *n);

/*
 * Does acmec run c's issuer?  If not, says so (the explicit request of a
 * skipped Certificate is a usage error) and returns false.
 */
bool cmd_cert_runs(const struct cfg_cert *c);

/*
 * --issuer ARG: NAME is the ClusterIssuer of that name (else the one
 * Issuer of that name), NAMESPACE/NAME an Issuer; NULL (reported) if none
 * or ambiguous.
 */
struct cfg_issuer;
const struct cfg_issuer *cmd_find_issuer(const struct globals *g,
    const struct config *cfg, const char *arg);

/*
 * The metrics of certs (n) as `status --format prometheus` prints them,
 * with run's (renew --metrics-file) if not NULL; caller frees.
 */
struct metrics_run;
char *cmd_status_prometheus(const struct globals *g,
    const struct cfg_cert *const *certs, size_t n,
    const struct metrics_run *run);

/* --key-type: ec256 ec384 rsa2048 rsa3072 rsa4096 ed25519; -1 reported. */
int cmd_parse_key_type(const char *s, enum key_type *type, int *bits);

/* --jobs N: 1 to 256; -1 (reported) otherwise. */
int cmd_parse_jobs(const char *s, int *jobs);

/*
 * --pre-hook CMD and --post-hook CMD (getopt's codes below) of issue and
 * renew into h: a command line for sh -c; -1 (reported) if it is empty.
 * cmd_hooks_free() frees h's.
 */
enum {
	CMD_PRE_HOOK = 0x100,
	CMD_POST_HOOK,
};
struct cfg_hooks;
int cmd_parse_hook(int ch, const char *arg, struct cfg_hooks *h);
void cmd_hooks_free(struct cfg_hooks *h);

#endif
