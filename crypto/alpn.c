/* TLS handshakes for tls-alpn-01: SNI picks the certificate, ALPN gates it. */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "crypto/alpn.h"
#include "crypto/cert.h"
#include "crypto/ident.h"
#include "crypto/internal.h"

#define ACME_TLS "acme-tls/1"

struct entry {
	char *sni;
	X509 *x;
	EVP_PKEY *pkey;
};

struct alpn_responder {
	SSL_CTX *ctx;
	struct entry *v;
	size_t n;
};

/* What the client hello asked for, for the caller's messages. */
struct hello {
	struct alpn_responder *r;
	char sni[256];
	int served;
};

static int hello_index = -1;

/* The host_name of the server_name extension (RFC 6066 §3). */
static int
parse_sni(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t list, n;

	if (len < 2)
		return -1;
	list = (size_t)p[0] << 8 | p[1];
	if (list + 2 != len || list < 3 || p[2] != 0 /* host_name */)
		return -1;
	n = (size_t)p[3] << 8 | p[4];
	if (n + 5 > len || n == 0 || n >= outlen ||
	    memchr(p + 5, '\0', n) != NULL)
		return -1;
	memcpy(out, p + 5, n);
	out[n] = '\0';
	return 0;
}

/* True if the ALPN extension lists exactly one protocol, acme-tls/1. */
static bool
only_acme_tls(const unsigned char *p, size_t len)
{
	static const char proto[] = ACME_TLS;
	size_t list;

	if (len < 2)
		return false;
	list = (size_t)p[0] << 8 | p[1];
	return list + 2 == len && list == 1 + strlen(proto) &&
	    p[2] == strlen(proto) && memcmp(p + 3, proto, strlen(proto)) == 0;
}

/*
 * Decide before anything is sent: without exactly acme-tls/1 and a known
 * name, the handshake ends here and no certificate leaves.
 */
static int
on_client_hello(SSL *ssl, int *alert, void *arg)
{
	struct hello *h = SSL_get_ex_data(ssl, hello_index);
	const unsigned char *ext;
	size_t len, i;

	(void)arg;
	if (!SSL_client_hello_get0_ext(ssl,
	    TLSEXT_TYPE_application_layer_protocol_negotiation, &ext, &len) ||
	    !only_acme_tls(ext, len)) {
		*alert = SSL_AD_NO_APPLICATION_PROTOCOL;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext,
	    &len) || parse_sni(ext, len, h->sni, sizeof(h->sni)) < 0) {
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_CLIENT_HELLO_ERROR;
	}
	for (i = 0; i < h->r->n; i++)
		if (strcasecmp(h->r->v[i].sni, h->sni) == 0)
			break;
	if (i == h->r->n) {
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (SSL_use_certificate(ssl, h->r->v[i].x) != 1 ||
	    SSL_use_PrivateKey(ssl, h->r->v[i].pkey) != 1) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	h->served = 1;
	return SSL_CLIENT_HELLO_SUCCESS;
}

static int
on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char proto[] = ACME_TLS;

	(void)ssl;
	(void)arg;
	/* on_client_hello has checked the list; select its only entry. */
	if (inlen != 1 + sizeof(proto) - 1 || in[0] != sizeof(proto) - 1 ||
	    memcmp(in + 1, proto, sizeof(proto) - 1) != 0)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = in + 1;
	*outlen = in[0];
	return SSL_TLSEXT_ERR_OK;
}

struct alpn_responder *
alpn_responder_new(void)
{
	struct alpn_responder *r;

	if (hello_index < 0 && (hello_index = SSL_get_ex_new_index(0, NULL,
	    NULL, NULL, NULL)) < 0) {
		crypto_ossl_err("cannot set up TLS");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		crypto_seterr("out of memory");
		return NULL;
	}
	if ((r->ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    !SSL_CTX_set_min_proto_version(r->ctx, TLS1_2_VERSION)) {
		crypto_ossl_err("cannot set up TLS");
		alpn_responder_free(r);
		return NULL;
	}
	SSL_CTX_set_client_hello_cb(r->ctx, on_client_hello, NULL);
	SSL_CTX_set_alpn_select_cb(r->ctx, on_alpn, NULL);
	SSL_CTX_set_session_cache_mode(r->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(r->ctx, SSL_OP_NO_TICKET);
	return r;
}

int
alpn_responder_add(struct alpn_responder *r, const char *sni,
    const struct cert *cert, const struct key *key)
{
	struct entry *v;
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t len;
	X509 *x;

	/* struct cert is opaque outside cert.c: go through DER. */
	if (cert_to_der(cert, &der, &len) < 0)
		return -1;
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	free(der);
	if (x == NULL) {
		crypto_ossl_err("cannot use the tls-alpn-01 certificate");
		return -1;
	}
	if ((v = realloc(r->v, (r->n + 1) * sizeof(*v))) == NULL ||
	    (v[r->n].sni = strdup(sni)) == NULL) {
		if (v != NULL)
			r->v = v;
		X509_free(x);
		crypto_seterr("out of memory");
		return -1;
	}
	r->v = v;
	v[r->n].x = x;
	v[r->n].pkey = key->pkey;
	EVP_PKEY_up_ref(key->pkey);
	r->n++;
	return 0;
}

struct alpn_conn {
	SSL *ssl;
	struct hello h;
};

struct alpn_conn *
alpn_conn_new(struct alpn_responder *r, int fd)
{
	struct alpn_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		crypto_seterr("out of memory");
		return NULL;
	}
	c->h.r = r;
	if ((c->ssl = SSL_new(r->ctx)) == NULL || !SSL_set_fd(c->ssl, fd) ||
	    !SSL_set_ex_data(c->ssl, hello_index, &c->h)) {
		crypto_ossl_err("cannot start a TLS handshake");
		alpn_conn_free(c);
		return NULL;
	}
	SSL_set_accept_state(c->ssl);
	return c;
}

int
alpn_conn_step(struct alpn_conn *c, bool *want_write)
{
	int rc, e;

	rc = SSL_do_handshake(c->ssl);
	if (rc == 1 && c->h.served) {
		/* close_notify, best effort: the client has what it came for. */
		SSL_shutdown(c->ssl);
		ERR_clear_error();
		return 1;
	}
	e = SSL_get_error(c->ssl, rc);
	ERR_clear_error();
	if (rc != 1 && (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)) {
		*want_write = e == SSL_ERROR_WANT_WRITE;
		return 0;
	}
	crypto_seterr("refused a TLS client that did not ask for acme-tls/1 "
	    "and a known name");
	return -1;
}

const char *
alpn_conn_sni(const struct alpn_conn *c)
{
	return c->h.sni;
}

void
alpn_conn_free(struct alpn_conn *c)
{
	if (c == NULL)
		return;
	SSL_free(c->ssl);
	free(c);
}

void
alpn_responder_free(struct alpn_responder *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].sni);
		X509_free(r->v[i].x);
		EVP_PKEY_free(r->v[i].pkey);
	}
	free(r->v);
	SSL_CTX_free(r->ctx);
	free(r);
}

char *
alpn_sni_name(int ident_type, const char *value)
{
	unsigned char a[16];
	char buf[80], *p = buf;
	int i;

	if (ident_type != IDENT_IP)
		return strdup(value);
	if (inet_pton(AF_INET, value, a) == 1) {
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u.in-addr.arpa", a[3],
		    a[2], a[1], a[0]);
		return strdup(buf);
	}
	if (inet_pton(AF_INET6, value, a) != 1)
		return NULL;
	for (i = 15; i >= 0; i--)
		p += sprintf(p, "%x.%x.", a[i] & 15, a[i] >> 4);
	strcpy(p, "ip6.arpa");
	return strdup(buf);
}
