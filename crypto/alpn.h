#ifndef ACMEC_CRYPTO_ALPN_H
#define ACMEC_CRYPTO_ALPN_H

/*
 * The TLS side of the tls-alpn-01 responder (RFC 8737): which certificate
 * to present to whom.  acme/ owns the sockets; this only runs a handshake
 * on a connected descriptor it is given.
 */

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
 * One TLS handshake (1.2 or newer) on fd.  The client must offer exactly
 * the ALPN protocol "acme-tls/1" and a server name that was added; only
 * then is a certificate sent.  Returns 0 when the challenge certificate was
 * presented, -1 otherwise; sni (may be NULL) receives the name asked for.
 * fd is left open; its timeouts bound the handshake.
 */
int alpn_responder_handshake(struct alpn_responder *r, int fd, char *sni,
    size_t snilen);

void alpn_responder_free(struct alpn_responder *r);

/*
 * The SNI for an identifier (RFC 8738 §6): a DNS name as is, an IP address
 * as its reverse-DNS name (in-addr.arpa / ip6.arpa).  Caller frees.
 */
char *alpn_sni_name(int ident_type, const char *value);

#endif
