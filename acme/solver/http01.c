/*
 * http-01 (RFC 8555 §8.3): a small listener of acmec's own that answers
 * only /.well-known/acme-challenge/TOKEN for the tokens of the order (the
 * webroot variant is solver_webroot.c).
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "acme/solver/listener.h"
#include "acme/log.h"
#include "acme/solver/internal.h"
#include "jws/keyauth.h"

#define PREFIX "/.well-known/acme-challenge/"
#define REQ_MAX 4096

struct http01_server {
	struct listener *l;
	int refs; /* solver sets using it */
	pthread_mutex_t mu;
	struct strlist tokens, keyauths;
	struct strlist answered; /* tokens fetched at least once */
};

/*
 * Parallel workers share one listener per address and port, each adding
 * and removing its own tokens.
 */
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct http01_server **registry;
static size_t nregistry;

static const struct listener_ops http_ops;

struct http01_server *
http01_acquire(const char *address, int port)
{
	struct http01_server *srv = NULL;
	struct listener *l;
	size_t i;

	pthread_mutex_lock(&registry_mu);
	for (i = 0; i < nregistry; i++)
		if (listener_is(registry[i]->l, address, port))
			srv = registry[i];
	if (srv == NULL) {
		if ((l = listener_open(address, port, "http-01")) == NULL)
			goto out;
		srv = util_alloc(sizeof(*srv));
		srv->l = l;
		pthread_mutex_init(&srv->mu, NULL);
		if (listener_start(l, &http_ops, srv) < 0) {
			listener_stop(l);
			pthread_mutex_destroy(&srv->mu);
			free(srv);
			srv = NULL;
			goto out;
		}
		registry = util_realloc(registry, nregistry + 1,
		    sizeof(*registry));
		registry[nregistry++] = srv;
	}
	srv->refs++;
out:
	pthread_mutex_unlock(&registry_mu);
	return srv;
}

int
http01_add(struct http01_server *srv, const char *token, const char *keyauth)
{
	if (!keyauth_token_valid(token)) {
		log_error("refusing a challenge token that is not base64url: "
		    "%s", log_esc(token));
		return -1;
	}
	pthread_mutex_lock(&srv->mu);
	strlist_add(&srv->tokens, token);
	strlist_add(&srv->keyauths, keyauth);
	pthread_mutex_unlock(&srv->mu);
	return 0;
}

bool
http01_answered(struct http01_server *srv, const char *token)
{
	bool yes;

	pthread_mutex_lock(&srv->mu);
	yes = strlist_has(&srv->answered, token);
	pthread_mutex_unlock(&srv->mu);
	return yes;
}

/* Take token out of srv's table (the same token twice: once). */
static void
remove_token(struct http01_server *srv, const char *token)
{
	size_t i;

	pthread_mutex_lock(&srv->mu);
	for (i = 0; i < srv->tokens.n; i++) {
		if (strcmp(srv->tokens.v[i], token) != 0)
			continue;
		free(srv->tokens.v[i]);
		free(srv->keyauths.v[i]);
		srv->tokens.v[i] = srv->tokens.v[srv->tokens.n - 1];
		srv->keyauths.v[i] = srv->keyauths.v[srv->keyauths.n - 1];
		srv->tokens.n--;
		srv->keyauths.n--;
		break;
	}
	pthread_mutex_unlock(&srv->mu);
}

void
http01_release(struct http01_server *srv, const struct strlist *tokens)
{
	size_t i;

	if (srv == NULL)
		return;
	for (i = 0; i < tokens->n; i++)
		remove_token(srv, tokens->v[i]);
	pthread_mutex_lock(&registry_mu);
	if (--srv->refs > 0) {
		pthread_mutex_unlock(&registry_mu);
		return;
	}
	for (i = 0; i < nregistry; i++)
		if (registry[i] == srv)
			registry[i] = registry[--nregistry];
	if (nregistry == 0) {
		free(registry);
		registry = NULL;
	}
	/*
	 * Closed before another worker may open the port again: forgotten
	 * but still bound, it made that worker's bind fail (EADDRINUSE).
	 */
	listener_stop(srv->l);
	pthread_mutex_unlock(&registry_mu);
	pthread_mutex_destroy(&srv->mu);
	strlist_free(&srv->tokens);
	strlist_free(&srv->keyauths);
	strlist_free(&srv->answered);
	free(srv);
}

bool
http01_is(const struct http01_server *srv, const char *address, int port)
{
	return listener_is(srv->l, address, port);
}

int
http01_parse_request(char *req, size_t len, bool *head, const char **path)
{
	char *sp, *p, *ver;

	/* "GET /path HTTP/1.1", nothing else; the rest is ignored. */
	if (memchr(req, '\0', len) != NULL)
		return -1;
	if ((sp = strchr(req, ' ')) == NULL)
		return -1;
	*sp = '\0';
	p = sp + 1;
	if ((ver = strpbrk(p, " \r\n")) == NULL || *ver != ' ' ||
	    strncmp(ver + 1, "HTTP/1.", 7) != 0)
		return -1;
	*ver = '\0';
	if (strcmp(req, "GET") != 0 && strcmp(req, "HEAD") != 0)
		return -1;
	*head = req[0] == 'H';
	*path = p;
	return 0;
}

/* One connection: its request head as it arrives, then the answer. */
struct http_conn {
	struct http01_server *srv;
	char req[REQ_MAX + 1];
	size_t len;
	char *out;
	size_t outlen, sent;
};

static void *
conn_new(void *arg, int fd)
{
	struct http_conn *c = util_alloc(sizeof(*c));

	(void)fd;
	c->srv = arg;
	return c;
}

static void
conn_free(void *conn)
{
	struct http_conn *c = conn;

	free(c->out);
	free(c);
}

/* The answer to the request in c->req, into c->out; -1 if it is bad. */
static int
answer(struct http_conn *c)
{
	struct http01_server *srv = c->srv;
	const char *path;
	char *body = NULL;
	size_t i;
	bool head;

	if (http01_parse_request(c->req, c->len, &head, &path) < 0)
		return -1;
	pthread_mutex_lock(&srv->mu);
	if (strncmp(path, PREFIX, strlen(PREFIX)) == 0)
		for (i = 0; i < srv->tokens.n && body == NULL; i++)
			if (strcmp(path + strlen(PREFIX), srv->tokens.v[i]) == 0)
				body = util_strdup(srv->keyauths.v[i]);
	if (body != NULL && !strlist_has(&srv->answered, path + strlen(PREFIX)))
		strlist_add(&srv->answered, path + strlen(PREFIX));
	pthread_mutex_unlock(&srv->mu);
	if (body != NULL) {
		c->out = util_printf("HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n%s", strlen(body),
		    head ? "" : body);
		log_debug("http01: answered %s", log_esc(path));
		free(body);
	} else {
		c->out = util_strdup("HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n");
		log_debug("http01: 404 for %s", log_esc(path));
	}
	c->outlen = strlen(c->out);
	return 0;
}

/* Read the request head as it comes, then send the answer and close. */
static enum listener_want
step(void *conn, int fd)
{
	struct http_conn *c = conn;
	ssize_t n;

	if (c->out == NULL) {
		n = recv(fd, c->req + c->len, REQ_MAX - c->len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return LISTENER_READ;
		if (n <= 0)
			return LISTENER_DONE;
		c->len += (size_t)n;
		c->req[c->len] = '\0';
		if (strstr(c->req, "\r\n\r\n") == NULL &&
		    strstr(c->req, "\n\n") == NULL)
			return c->len < REQ_MAX ? LISTENER_READ : LISTENER_DONE;
		if (answer(c) < 0)
			return LISTENER_DONE;
	}
	n = send(fd, c->out + c->sent, c->outlen - c->sent, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return LISTENER_WRITE;
	if (n <= 0)
		return LISTENER_DONE;
	c->sent += (size_t)n;
	return c->sent < c->outlen ? LISTENER_WRITE : LISTENER_DONE;
}

static const struct listener_ops http_ops = { conn_new, step, conn_free };
