#define _GNU_SOURCE /* accept4, pipe2 */

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
#include <unistd.h>

#include "acme/solver/listener.h"
#include "acme/solver/solver.h"
#include "acme/log.h"
#include "acme/util.h"

/* One connection in progress. */
struct conn {
	int fd;
	void *state;
	enum listener_want want;
	unsigned char src[16]; /* source: IPv4 as ::ffff:a.b.c.d, IPv6 /64 */
	long long deadline;    /* for the whole request or handshake */
	long long last;        /* when bytes last arrived */
};

/* Reasons a connection is closed early, counted for one line at stop. */
enum {
	CLOSED_SOURCE_CAP,
	CLOSED_TOTAL_CAP,
	CLOSED_DEADLINE,
	NCLOSED
};

struct listener {
	int fd;
	char *address;
	char *what;
	int port;
	int stop[2];
	pthread_t thread;
	bool running;
	const struct listener_ops *ops;
	void *arg;
	struct conn conns[LISTENER_MAX_CONNS];
	size_t nconns;
	unsigned long closed[NCLOSED];
};

/*
 * A socket bound to address (NULL: all addresses, dual-stack IPv6, or
 * IPv4 without IPv6) and port, listening with backlog; -1 and errno
 * (EINVAL: address is not an IP address).
 */
static int
bind_port(const char *address, int port, int backlog)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	int fd = -1, one = 1, zero = 0, err;
	bool v6;

	memset(&sin6, 0, sizeof(sin6));
	memset(&sin, 0, sizeof(sin));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)port);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (address == NULL) {
		sin6.sin6_addr = in6addr_any;
		v6 = true;
	} else if (inet_pton(AF_INET, address, &sin.sin_addr) == 1) {
		v6 = false;
	} else if (inet_pton(AF_INET6, address, &sin6.sin6_addr) == 1) {
		v6 = true;
	} else {
		errno = EINVAL;
		return -1;
	}
	if (v6 && (fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 &&
	    address == NULL)
		v6 = false;
	if (!v6)
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6 && address == NULL)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if ((v6 ? bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) :
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) < 0 ||
	    listen(fd, backlog) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int
solver_port_free(const char *address, int port)
{
	int fd = bind_port(address, port, 1);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

struct listener *
listener_open(const char *address, int port, const char *what)
{
	struct listener *l;
	int fd;

	if ((fd = bind_port(address, port, 64)) < 0) {
		if (errno == EINVAL)
			log_error("%s: '%s' is not an IP address", what,
			    log_esc(address));
		else
			log_error("%s: cannot listen on %s:%d: %s%s", what,
			    address ? address : "*", port, strerror(errno),
			    errno == EADDRINUSE ? " (another program uses the "
			    "port; stop it or choose another solver)" :
			    errno == EACCES ? " (ports below 1024 need root or "
			    "CAP_NET_BIND_SERVICE)" : "");
		return NULL;
	}
	l = util_alloc(sizeof(*l));
	l->fd = fd;
	l->address = util_strdup(address);
	l->what = util_strdup(what);
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


/* An IPv4 address as IPv6 (::ffff:a.b.c.d): its first 12 bytes. */
static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };

/* The source a connection counts against: an IPv4 address or an IPv6 /64. */
static void
source_key(const struct sockaddr_storage *ss, unsigned char key[16])
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

	memset(key, 0, 16);
	if (ss->ss_family == AF_INET) {
		memcpy(key, v4mapped, sizeof(v4mapped));
		memcpy(key + 12, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(key, &sin6->sin6_addr, 16);
		if (memcmp(key, v4mapped, sizeof(v4mapped)) != 0)
			memset(key + 8, 0, 8);
	}
}

/* The source as text, for messages: "192.0.2.1" or "2001:db8::/64". */
static const char *
source_text(const unsigned char key[16], char *buf, size_t len)
{
	size_t n;

	if (memcmp(key, v4mapped, sizeof(v4mapped)) == 0)
		return inet_ntop(AF_INET, key + 12, buf, (socklen_t)len);
	if (inet_ntop(AF_INET6, key, buf, (socklen_t)len) == NULL)
		return "?";
	n = strlen(buf);
	if (n + 4 <= len)
		memcpy(buf + n, "/64", 4);
	return buf;
}

static void
conn_close(struct listener *l, size_t i)
{
	l->ops->conn_free(l->conns[i].state);
	close(l->conns[i].fd);
	l->conns[i] = l->conns[--l->nconns];
}

/*
 * Make room: close the connection idle the longest, among those from src
 * (NULL: among all).  The first time for each cap says so; stop counts.
 */
static void
evict(struct listener *l, const unsigned char *src, int why)
{
	char text[INET6_ADDRSTRLEN + 4];
	size_t i, oldest = l->nconns;

	for (i = 0; i < l->nconns; i++)
		if ((src == NULL || memcmp(l->conns[i].src, src, 16) == 0) &&
		    (oldest == l->nconns ||
		    l->conns[i].last < l->conns[oldest].last))
			oldest = i;
	if (oldest == l->nconns)
		return;
	if (l->closed[why]++ == 0 && src != NULL)
		log_debug("%s: %d connections from %s; closing the oldest idle "
		    "one", l->what, LISTENER_MAX_PER_SOURCE,
		    source_text(src, text, sizeof(text)));
	if (l->closed[why] == 1 && src == NULL)
		log_debug("%s: %d connections in all; closing the oldest idle "
		    "one", l->what, LISTENER_MAX_CONNS);
	conn_close(l, oldest);
}

/* Take one new connection; false when none is waiting. */
static bool
accept_one(struct listener *l, long long now)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	unsigned char src[16];
	struct conn *c;
	size_t i, same = 0;
	void *state;
	int fd;

	fd = accept4(l->fd, (struct sockaddr *)&ss, &sslen,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EINTR || errno == ECONNABORTED;
	source_key(&ss, src);
	for (i = 0; i < l->nconns; i++)
		same += memcmp(l->conns[i].src, src, 16) == 0;
	if (same >= LISTENER_MAX_PER_SOURCE)
		evict(l, src, CLOSED_SOURCE_CAP);
	else if (l->nconns >= LISTENER_MAX_CONNS)
		evict(l, NULL, CLOSED_TOTAL_CAP);
	if ((state = l->ops->conn_new(l->arg, fd)) == NULL) {
		close(fd);
		return true;
	}
	c = &l->conns[l->nconns++];
	c->fd = fd;
	c->state = state;
	c->want = LISTENER_READ;
	memcpy(c->src, src, 16);
	c->deadline = now + LISTENER_DEADLINE_MS;
	c->last = now;
	return true;
}

/* Close the connections past their deadline; the poll timeout to use. */
static int
expire(struct listener *l, long long now)
{
	char text[INET6_ADDRSTRLEN + 4];
	long long next = -1;
	size_t i;

	for (i = l->nconns; i-- > 0;) {
		if (l->conns[i].deadline <= now) {
			if (l->closed[CLOSED_DEADLINE]++ == 0)
				log_debug("%s: no complete request or "
				    "handshake within %d s from %s; closed",
				    l->what, LISTENER_DEADLINE_MS / 1000,
				    source_text(l->conns[i].src, text,
				    sizeof(text)));
			conn_close(l, i);
		} else if (next < 0 || l->conns[i].deadline < next) {
			next = l->conns[i].deadline;
		}
	}
	return next < 0 ? -1 : (int)(next - now);
}

/* Let every connection that poll() found ready make progress. */
static void
serve_ready(struct listener *l, const struct pollfd *pfd, long long now)
{
	size_t i;

	/* Backwards: closing i moves the last connection, already done, in. */
	for (i = l->nconns; i-- > 0;) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].revents & POLLIN)
			l->conns[i].last = now;
		l->conns[i].want = l->ops->step(l->conns[i].state,
		    l->conns[i].fd);
		if (l->conns[i].want == LISTENER_DONE)
			conn_close(l, i);
	}
}

static void *
run(void *arg)
{
	struct listener *l = arg;
	struct pollfd pfd[2 + LISTENER_MAX_CONNS];
	size_t i, n;
	int timeout;

	pfd[0].fd = l->stop[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = l->fd;
	pfd[1].events = POLLIN;
	for (;;) {
		timeout = expire(l, util_now_ms());
		n = l->nconns;
		for (i = 0; i < n; i++) {
			pfd[2 + i].fd = l->conns[i].fd;
			pfd[2 + i].events = l->conns[i].want ==
			    LISTENER_WRITE ? POLLOUT : POLLIN;
			pfd[2 + i].revents = 0;
		}
		if (poll(pfd, 2 + n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_error("%s: poll: %s", l->what, strerror(errno));
			break;
		}
		if (pfd[0].revents != 0 ||
		    (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL)))
			break;
		serve_ready(l, pfd + 2, util_now_ms());
		/* A bounded batch, so that a flood cannot starve the rest. */
		for (i = 0; i < 32 && (pfd[1].revents & POLLIN); i++)
			if (!accept_one(l, util_now_ms()))
				break;
	}
	while (l->nconns > 0)
		conn_close(l, l->nconns - 1);
	return NULL;
}

int
listener_start(struct listener *l, const struct listener_ops *ops, void *arg)
{
	sigset_t block, old;
	int rc;

	l->ops = ops;
	l->arg = arg;
	if (pipe2(l->stop, O_CLOEXEC) < 0 ||
	    fcntl(l->fd, F_SETFL, O_NONBLOCK) < 0) {
		log_error("cannot start the %s listener on port %d: %s",
		    l->what, l->port, strerror(errno));
		return -1;
	}
	/* Signals go to the thread that acts on them, never this one. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&l->thread, NULL, run, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_error("cannot start the %s listener on port %d: %s",
		    l->what, l->port, strerror(rc));
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
		/* Wake the thread; if the pipe fails, shutting the socket
		 * down wakes its poll() as well.  It never blocks elsewhere. */
		if (write(l->stop[1], "x", 1) != 1)
			shutdown(l->fd, SHUT_RDWR);
		pthread_join(l->thread, NULL);
		if (l->closed[CLOSED_SOURCE_CAP] + l->closed[CLOSED_TOTAL_CAP] +
		    l->closed[CLOSED_DEADLINE] > 0)
			log_debug("%s: closed %lu connections past a source's "
			    "cap, %lu past the total cap, %lu past the "
			    "deadline", l->what, l->closed[CLOSED_SOURCE_CAP],
			    l->closed[CLOSED_TOTAL_CAP],
			    l->closed[CLOSED_DEADLINE]);
	}
	if (l->stop[0] >= 0)
		close(l->stop[0]);
	if (l->stop[1] >= 0)
		close(l->stop[1]);
	close(l->fd);
	free(l->address);
	free(l->what);
	free(l);
}
