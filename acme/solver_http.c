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

#include "acme/listener.h"
#include "acme/log.h"
#include "acme/solver.h"
#include "jws/keyauth.h"

#define PREFIX "/.well-known/acme-challenge/"
#define REQ_MAX 4096
#define REQ_TIMEOUT_MS 3000

struct http01_server {
	struct listener *l;
	int refs; /* solver sets using it */
	pthread_mutex_t mu;
	struct strlist tokens, keyauths;
};

/*
 * Parallel workers share one listener per address and port, each adding
 * and removing its own tokens.
 */
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct http01_server **registry;
static size_t nregistry;

static void serve(void *arg, int fd);

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
		if (listener_start(l, serve, srv) < 0) {
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
	pthread_mutex_unlock(&registry_mu);
	listener_stop(srv->l);
	pthread_mutex_destroy(&srv->mu);
	strlist_free(&srv->tokens);
	strlist_free(&srv->keyauths);
	free(srv);
}

bool
http01_is(const struct http01_server *srv, const char *address, int port)
{
	return listener_is(srv->l, address, port);
}

static void
send_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		len -= (size_t)n;
	}
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

/* Read one request head and answer it; the connection is then closed. */
static void
serve(void *arg, int fd)
{
	struct http01_server *srv = arg;
	char req[REQ_MAX + 1], resp[1024];
	const char *path;
	const char *body = NULL;
	struct pollfd pfd = { fd, POLLIN, 0 };
	long long deadline = util_now_ms() + REQ_TIMEOUT_MS;
	size_t len = 0, i;
	ssize_t n;
	bool head;

	while (len < REQ_MAX) {
		long long left = deadline - util_now_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return;
		n = recv(fd, req + len, REQ_MAX - len, 0);
		if (n <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL ||
		    strstr(req, "\n\n") != NULL)
			break;
	}
	req[len] = '\0';
	if (http01_parse_request(req, len, &head, &path) < 0)
		return;
	{
		pthread_mutex_lock(&srv->mu);
		if (strncmp(path, PREFIX, strlen(PREFIX)) == 0)
			for (i = 0; i < srv->tokens.n; i++)
				if (strcmp(path + strlen(PREFIX),
				    srv->tokens.v[i]) == 0)
					body = util_strdup(srv->keyauths.v[i]);
		pthread_mutex_unlock(&srv->mu);
	}
	if (body != NULL) {
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n", strlen(body));
		send_all(fd, resp, strlen(resp));
		if (!head)
			send_all(fd, body, strlen(body));
		log_debug("http01: answered %s", log_esc(path));
		free((char *)body);
	} else {
		static const char nf[] = "HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n";

		send_all(fd, nf, sizeof(nf) - 1);
		log_debug("http01: 404 for %s", log_esc(path));
	}
}
