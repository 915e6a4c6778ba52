/*
 * http-01 (RFC 8555 §8.3): a small listener of acmec's own that answers
 * only /.well-known/acme-challenge/TOKEN for the tokens of the order, and
 * the webroot variant that writes the same answers as files.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acme/fsutil.h"
#include "acme/log.h"
#include "acme/solver.h"
#include "jws/keyauth.h"

#define PREFIX "/.well-known/acme-challenge/"
#define REQ_MAX 4096
#define REQ_TIMEOUT_MS 3000

struct http01_server {
	int fd;
	char *address;
	int port;
	int stop[2];
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;
	struct strlist tokens, keyauths;
};

struct http01_server *
http01_listen(const char *address, int port)
{
	struct http01_server *srv;
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	int fd = -1, one = 1, zero = 0;
	bool v6;

	memset(&sin6, 0, sizeof(sin6));
	memset(&sin, 0, sizeof(sin));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)port);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (address == NULL) {
		/* All addresses: dual-stack IPv6, or IPv4 without IPv6. */
		sin6.sin6_addr = in6addr_any;
		v6 = true;
	} else if (inet_pton(AF_INET, address, &sin.sin_addr) == 1) {
		v6 = false;
	} else if (inet_pton(AF_INET6, address, &sin6.sin6_addr) == 1) {
		v6 = true;
	} else {
		log_error("http01 standalone: '%s' is not an IP address",
		    log_esc(address));
		return NULL;
	}
	if (v6 && (fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 &&
	    address == NULL)
		v6 = false;
	if (!v6)
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_error("http01 standalone: socket: %s", strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6 && address == NULL)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if ((v6 ? bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) :
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) < 0 ||
	    listen(fd, 64) < 0) {
		log_error("http01 standalone: cannot listen on %s:%d: %s%s",
		    address ? address : "*", port, strerror(errno),
		    errno == EADDRINUSE ? " (another program uses the port; "
		    "stop it or use a webroot solver)" : errno == EACCES ?
		    " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" :
		    "");
		close(fd);
		return NULL;
	}
	srv = util_alloc(sizeof(*srv));
	srv->fd = fd;
	srv->address = util_strdup(address);
	srv->port = port;
	srv->stop[0] = srv->stop[1] = -1;
	pthread_mutex_init(&srv->mu, NULL);
	log_debug("http01: listening on %s:%d", address ? address : "*",
	    port);
	return srv;
}

bool
http01_is(const struct http01_server *srv, const char *address, int port)
{
	if (srv->port != port)
		return false;
	if (srv->address == NULL || address == NULL)
		return srv->address == address;
	return strcmp(srv->address, address) == 0;
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

/* Read one request head and answer it; the connection is then closed. */
static void
serve(struct http01_server *srv, int fd)
{
	char req[REQ_MAX + 1], *sp, *path, *ver, resp[1024];
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
	/* "GET /path HTTP/1.1" */
	if ((sp = strchr(req, ' ')) == NULL)
		return;
	*sp = '\0';
	path = sp + 1;
	if ((ver = strchr(path, ' ')) == NULL)
		return;
	*ver = '\0';
	head = strcmp(req, "HEAD") == 0;
	if (strcmp(req, "GET") == 0 || head) {
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

static void *
run(void *arg)
{
	struct http01_server *srv = arg;
	struct pollfd pfd[2];
	int c;

	pfd[0].fd = srv->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = srv->stop[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents != 0)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if ((c = accept(srv->fd, NULL, NULL)) < 0)
			continue;
		fcntl(c, F_SETFD, FD_CLOEXEC);
		serve(srv, c);
		close(c);
	}
	return NULL;
}

int
http01_start(struct http01_server *srv)
{
	if (pipe(srv->stop) < 0 ||
	    fcntl(srv->stop[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(srv->stop[1], F_SETFD, FD_CLOEXEC) < 0 ||
	    pthread_create(&srv->thread, NULL, run, srv) != 0) {
		log_error("http01 standalone: cannot start: %s",
		    strerror(errno));
		return -1;
	}
	srv->running = true;
	return 0;
}

void
http01_stop(struct http01_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->running) {
		if (write(srv->stop[1], "x", 1) < 0)
			log_warn("http01: cannot stop the listener thread");
		pthread_join(srv->thread, NULL);
	}
	if (srv->stop[0] >= 0)
		close(srv->stop[0]);
	if (srv->stop[1] >= 0)
		close(srv->stop[1]);
	close(srv->fd);
	pthread_mutex_destroy(&srv->mu);
	strlist_free(&srv->tokens);
	strlist_free(&srv->keyauths);
	free(srv->address);
	free(srv);
}

int
webroot_present(const char *root, const char *token, const char *keyauth,
    char **path)
{
	char *dir;
	int rc = -1;

	*path = NULL;
	/* The token becomes a file name: nothing but base64url. */
	if (!keyauth_token_valid(token)) {
		log_error("refusing a challenge token that is not base64url: "
		    "%s", log_esc(token));
		return -1;
	}
	dir = util_printf("%s%s", root, "/.well-known/acme-challenge");
	/* The web server must be able to read what it serves. */
	if (fs_mkdirs(dir, 0755) < 0 ||
	    fs_write_atomic(dir, token, keyauth, strlen(keyauth), 0644) < 0) {
		log_error("webroot: cannot write %s/%s: %s", dir, token,
		    strerror(errno));
		goto out;
	}
	*path = util_printf("%s/%s", dir, token);
	log_debug("webroot: wrote %s", *path);
	rc = 0;
out:
	free(dir);
	return rc;
}
