#ifndef ACMEC_ACME_SOLVER_INTERNAL_H
#define ACMEC_ACME_SOLVER_INTERNAL_H

/*
 * What the solvers of this room share with solver.c, which alone is used
 * from outside (solver.h).
 */

#include <stdbool.h>
#include <stddef.h>

#include "acme/solver/solver.h"

/*
 * http-01 internals (http01.c).  A listener is shared by every solver
 * set of the process that uses its address and port: acquired (bound and
 * serving on first use), given tokens, released with the tokens to drop.
 */
struct http01_server *http01_acquire(const char *address, int port);
int http01_add(struct http01_server *srv, const char *token,
    const char *keyauth);
bool http01_is(const struct http01_server *srv, const char *address,
    int port);

/*
 * Take apart a request head (len bytes, NUL-terminated at len; modified):
 * only GET and HEAD with an HTTP/1.x version are accepted.  *path points
 * into req.  -1 for anything else.  (Separate so that it can be fuzzed:
 * it faces the internet.)
 */
int http01_parse_request(char *req, size_t len, bool *head,
    const char **path);
void http01_release(struct http01_server *srv, const struct strlist *tokens);
/* True once token has been fetched from srv. */
bool http01_answered(struct http01_server *srv, const char *token);

/*
 * http-01 through a webroot (webroot.c): write the answer for token
 * under root, never through a link there (errors reported); cleanup
 * removes exactly the files written, through the same descriptors.
 */
int webroot_present(struct solver_set *set, const char *root,
    const char *token, const char *keyauth);
void webroot_cleanup(struct solver_set *set);

/* tls-alpn-01 internals (tlsalpn.c). */
struct tlsalpn_server *tlsalpn_listen(const char *address, int port);
bool tlsalpn_is(const struct tlsalpn_server *srv, const char *address, int port);
int tlsalpn_add(struct tlsalpn_server *srv, const struct ident *id,
    const char *keyauth);
int tlsalpn_start(struct tlsalpn_server *srv);
void tlsalpn_stop(struct tlsalpn_server *srv);
/* How many of srv's certificates no client has been shown yet. */
size_t tlsalpn_unanswered(struct tlsalpn_server *srv);

/* dns-01 internals (dns01.c). */
int dns01_present(struct solver_set *set, const struct cfg_solver *s,
    const struct ident *id, const char *keyauth);
int dns01_commit(struct solver_set *set);
void dns01_cleanup(struct solver_set *set);

/*
 * Where solver s writes the dns-01 record of domain ("*." dropped), as
 * commit finds it: *target (the provider's, or _acme-challenge.DOMAIN
 * with its CNAMEs followed under cnameStrategy Follow) and, if need_zone,
 * *zone, the zone holding it, asked of the solver's nameservers (else the
 * system's).  Caller frees both; -1 reported (both NULL).
 */
int dns01_locate(const struct cfg_solver *s, const char *secretsdir,
    const char *domain, bool need_zone, char **target, char **zone);

#endif
