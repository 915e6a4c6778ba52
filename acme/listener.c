#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "acme/listener.h"
#include "acme/log.h"
#include "acme/util.h"

#define CONN_TIMEOUT_S 3

struct listener {
	int fd;
	char *address;
	int port;
	int stop[2];
	pthread_t thread;
	bool running;
	volatile sig_atomic_t stopping;
	void (*serve)(void *arg, int fd);
	void *arg;
};

struct listener *
listener_open(const char *address, int port, const char *what)
{
	struct listener *l;
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
		log_error("%s: '%s' is not an IP address", what,
		    log_esc(address));
		return NULL;
	}
	if (v6 && (fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 &&
	    address == NULL)
		v6 = false;
	if (!v6)
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_error("%s: socket: %s", what, strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6 && address == NULL)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if ((v6 ? bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) :
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) < 0 ||
	    listen(fd, 64) < 0) {
		log_error("%s: cannot listen on %s:%d: %s%s", what,
		    address ? address : "*", port, strerror(errno),
		    errno == EADDRINUSE ? " (another program uses the port; "
		    "stop it or choose another solver)" : errno == EACCES ?
		    " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" :
		    "");
		close(fd);
		return NULL;
	}
	l = util_alloc(sizeof(*l));
	l->fd = fd;
	l->address = util_strdup(address);
	l->port = port;
	l->stop[0] = l->stop[1] = -1;
	log_debug("%s: listening on %s:%d", what, address ? address : "*",
	    port);
	return l;
}

bool
listener_is(const struct listener *l, const char *address, int port)
{
	if (l->port != port)
		return false;
	if (l->address == NULL || address == NULL)
		return l->address == address;
	return strcmp(l->address, address) == 0;
}

static void *
run(void *arg)
{
	struct listener *l = arg;
	struct timeval tv = { CONN_TIMEOUT_S, 0 };
	struct pollfd pfd[2];
	int c;

	pfd[0].fd = l->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = l->stop[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents != 0 || l->stopping ||
		    (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)))
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if ((c = accept(l->fd, NULL, NULL)) < 0)
			continue;
		fcntl(c, F_SETFD, FD_CLOEXEC);
		/* A client that stalls cannot hold the responder for long. */
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		l->serve(l->arg, c);
		close(c);
	}
	return NULL;
}

int
listener_start(struct listener *l, void (*serve)(void *arg, int fd),
    void *arg)
{
	l->serve = serve;
	l->arg = arg;
	if (pipe(l->stop) < 0 ||
	    fcntl(l->stop[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(l->stop[1], F_SETFD, FD_CLOEXEC) < 0 ||
	    pthread_create(&l->thread, NULL, run, l) != 0) {
		log_error("cannot start the listener on port %d: %s", l->port,
		    strerror(errno));
		return -1;
	}
	l->running = true;
	return 0;
}

void
listener_stop(struct listener *l)
{
	if (l == NULL)
		return;
	if (l->running) {
		l->stopping = 1;
		/* Wake the thread; if the pipe fails, shutting the socket
		 * down wakes its poll() as well. */
		if (write(l->stop[1], "x", 1) != 1)
			shutdown(l->fd, SHUT_RDWR);
		pthread_join(l->thread, NULL);
	}
	if (l->stop[0] >= 0)
		close(l->stop[0]);
	if (l->stop[1] >= 0)
		close(l->stop[1]);
	close(l->fd);
	free(l->address);
	free(l);
}
