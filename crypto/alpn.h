#ifndef ACMEC_CRYPTO_ALPN_H
#define ACMEC_CRYPTO_ALPN_H

/*
 * The TLS side of the tls-alpn-01 responder (RFC 8737): which certificate
 * to present to whom.  acme/ owns the sockets; this only runs a handshake
 * on a connected descriptor it is given.
 */

#include <stdbool.h>
#include <stddef.h>

struct cert;
struct key;
struct alpn_responder;

/* A responder with no certificates; NULL on failure (crypto_error()). */
struct alpn_responder *alpn_responder_new(void);

/*
 * Present cert (signed for key; both stay owned by the caller and must
 * outlive the responder) to clients that ask for server name sni.
 */
int alpn_responder_add(struct alpn_responder *r, const char *sni,
    const struct cert *cert, const struct key *key);

/*
 * One TLS handshake (1.2 or newer) on the non-blocking socket fd, run a
 * step at a time.  The client must offer exactly the ALPN protocol
 * "acme-tls/1" and a server name that was added; only then is a
 * certificate sent.  NULL on failure (crypto_error()).  fd stays the
 * caller's, and so does r, which must outlive the connection.
 */
struct alpn_conn *alpn_conn_new(struct alpn_responder *r, int fd);

/*
 * Make progress without blocking: 1 when the challenge certificate was
 * presented and the handshake is over, 0 when it waits for fd to become
 * readable (*want_write false) or writable (true), -1 when the client was
 * refused or the handshake failed (crypto_error()).
 */
int alpn_conn_step(struct alpn_conn *c, bool *want_write);

/* The server name the client asked for ("" before its hello). */
const char *alpn_conn_sni(const struct alpn_conn *c);

void alpn_conn_free(struct alpn_conn *c);

void alpn_responder_free(struct alpn_responder *r);

/*
 * The SNI for an identifier (RFC 8738 §6): a DNS name as is, an IP address
 * as its reverse-DNS name (in-addr.arpa / ip6.arpa).  Caller frees.
 */
char *alpn_sni_name(int ident_type, const char *value);

#endif
