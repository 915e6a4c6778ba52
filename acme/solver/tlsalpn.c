/*
 * tls-alpn-01 (RFC 8737, RFC 8738 for IP addresses): one TLS listener for
 * the whole order, a self-signed certificate per identifier carrying the
 * acmeIdentifier extension, chosen by SNI, shown only to clients that ask
 * for exactly acme-tls/1.
 */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "acme/solver/listener.h"
#include "acme/log.h"
#include "acme/solver/internal.h"
#include "crypto/alpn.h"
#include "crypto/cert.h"
#include "crypto/err.h"
#include "crypto/key.h"

struct tlsalpn_server {
	struct listener *l;
	struct alpn_responder *resp;
	struct key *key;
	struct cert **certs;
	size_t ncerts;
	struct ident_list ids;
	struct strlist keyauths;
	struct strlist snis;     /* the server name of each of ids */
	pthread_mutex_t mu;
	struct strlist answered; /* server names presented at least once */
};

struct tlsalpn_server *
tlsalpn_listen(const char *address, int port)
{
	struct tlsalpn_server *srv;
	struct listener *l;

	if ((l = listener_open(address, port, "tls-alpn-01")) == NULL)
		return NULL;
	srv = util_alloc(sizeof(*srv));
	srv->l = l;
	pthread_mutex_init(&srv->mu, NULL);
	return srv;
}

bool
tlsalpn_is(const struct tlsalpn_server *srv, const char *address, int port)
{
	return listener_is(srv->l, address, port);
}

int
tlsalpn_add(struct tlsalpn_server *srv, const struct ident *id, const char *keyauth)
{
	if (ident_list_add(&srv->ids, id->type, id->value) < 0) {
		log_error("tls-alpn-01: %s", crypto_error());
		return -1;
	}
	strlist_add(&srv->keyauths, keyauth);
	return 0;
}

/* A connection, and the server it came to. */
struct conn {
	struct alpn_conn *c;
	struct tlsalpn_server *srv;
};

static void *
conn_new(void *arg, int fd)
{
	struct tlsalpn_server *srv = arg;
	struct conn *x = util_alloc(sizeof(*x));

	x->srv = srv;
	if ((x->c = alpn_conn_new(srv->resp, fd)) == NULL) {
		log_debug("tls-alpn-01: %s", crypto_error());
		free(x);
		return NULL;
	}
	return x;
}

/* The CA was shown the certificate for sni: its validation came. */
static void
answered(struct tlsalpn_server *srv, const char *sni)
{
	pthread_mutex_lock(&srv->mu);
	if (!strlist_has(&srv->answered, sni))
		strlist_add(&srv->answered, sni);
	pthread_mutex_unlock(&srv->mu);
}

static enum listener_want
step(void *conn, int fd)
{
	struct conn *x = conn;
	bool want_write = false;

	(void)fd;
	switch (alpn_conn_step(x->c, &want_write)) {
	case 0:
		return want_write ? LISTENER_WRITE : LISTENER_READ;
	case 1:
		log_debug("tls-alpn-01: presented the certificate for %s",
		    log_esc(alpn_conn_sni(x->c)));
		answered(x->srv, alpn_conn_sni(x->c));
		break;
	default:
		log_debug("tls-alpn-01: %s (server name '%s')",
		    crypto_error(), log_esc(alpn_conn_sni(x->c)));
		break;
	}
	return LISTENER_DONE;
}

static void
conn_free(void *conn)
{
	struct conn *x = conn;

	alpn_conn_free(x->c);
	free(x);
}

static const struct listener_ops alpn_ops = { conn_new, step, conn_free };

int
tlsalpn_start(struct tlsalpn_server *srv)
{
	char *sni;
	size_t i;

	if (srv->resp != NULL)
		return 0;
	/* One throwaway key signs every challenge certificate. */
	if ((srv->key = key_generate(KEY_EC_P256, 0)) == NULL ||
	    (srv->resp = alpn_responder_new()) == NULL) {
		log_error("tls-alpn-01: %s", crypto_error());
		return -1;
	}
	srv->certs = util_alloc((srv->ids.n + 1) * sizeof(*srv->certs));
	for (i = 0; i < srv->ids.n; i++) {
		srv->certs[i] = cert_alpn_create(srv->key, &srv->ids.v[i],
		    srv->keyauths.v[i]);
		srv->ncerts = i + 1;
		sni = alpn_sni_name(srv->ids.v[i].type, srv->ids.v[i].value);
		if (srv->certs[i] == NULL || sni == NULL ||
		    alpn_responder_add(srv->resp, sni, srv->certs[i],
		    srv->key) < 0) {
			log_error("tls-alpn-01: %s: %s",
			    log_esc(srv->ids.v[i].value), crypto_error());
			free(sni);
			return -1;
		}
		strlist_add(&srv->snis, sni);
		free(sni);
	}
	return listener_start(srv->l, &alpn_ops, srv);
}

size_t
tlsalpn_unanswered(struct tlsalpn_server *srv)
{
	size_t i, n = 0;

	pthread_mutex_lock(&srv->mu);
	for (i = 0; i < srv->snis.n; i++)
		n += !strlist_has(&srv->answered, srv->snis.v[i]);
	pthread_mutex_unlock(&srv->mu);
	return n;
}

void
tlsalpn_stop(struct tlsalpn_server *srv)
{
	size_t i;

	if (srv == NULL)
		return;
	/* The thread is gone before what it reads is freed. */
	listener_stop(srv->l);
	alpn_responder_free(srv->resp);
	for (i = 0; i < srv->ncerts; i++)
		cert_free(srv->certs[i]);
	free(srv->certs);
	key_free(srv->key);
	ident_list_free(&srv->ids);
	strlist_free(&srv->keyauths);
	strlist_free(&srv->snis);
	strlist_free(&srv->answered);
	pthread_mutex_destroy(&srv->mu);
	free(srv);
}
