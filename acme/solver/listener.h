#ifndef ACMEC_ACME_SOLVER_LISTENER_H
#define ACMEC_ACME_SOLVER_LISTENER_H

/*
 * A TCP listener for the http-01 and tls-alpn-01 responders, on a thread
 * of its own, serving many connections at once with non-blocking sockets
 * and one poll loop.  It exists only while an order is validated, and is
 * open to the internet then, so:
 *
 *   - each connection has LISTENER_DEADLINE_MS for its whole request or
 *     handshake and answer, however its bytes trickle in;
 *   - at most LISTENER_MAX_PER_SOURCE connections per source address (an
 *     IPv6 source counts by its /64) and LISTENER_MAX_CONNS in all; when a
 *     cap is reached, the connection idle the longest (under that cap)
 *     is closed to make room, so the CA's validation always gets in;
 *   - stopping closes whatever is in progress at once.
 */

#include <stdbool.h>

#define LISTENER_DEADLINE_MS 10000
#define LISTENER_MAX_PER_SOURCE 16
#define LISTENER_MAX_CONNS 128

struct listener;

/* What step() asks for next. */
enum listener_want {
	LISTENER_DONE,  /* close the connection */
	LISTENER_READ,  /* call step() again when fd is readable */
	LISTENER_WRITE, /* ... when fd is writable */
};

/*
 * A responder's side of each connection, called on the listener's thread.
 * conn_new() makes the state for a new connection (fd is non-blocking and
 * close-on-exec; NULL refuses it); step() makes progress without blocking;
 * conn_free() frees the state (the listener closes fd).
 */
struct listener_ops {
	void *(*conn_new)(void *arg, int fd);
	enum listener_want (*step)(void *conn, int fd);
	void (*conn_free)(void *conn);
};

/*
 * Bind address (NULL: all, IPv6 and IPv4) and port.  Reports its errors,
 * naming what (e.g. "tls-alpn-01") and what to do about a taken port.
 */
struct listener *listener_open(const char *address, int port,
    const char *what);

/* Start serving connections with ops (which must outlive l) and arg. */
int listener_start(struct listener *l, const struct listener_ops *ops,
    void *arg);

/* True if l listens on address (NULL: all) and port. */
bool listener_is(const struct listener *l, const char *address, int port);

/*
 * Stop the thread, closing every connection in progress, and close the
 * socket; returns at once whatever the clients do.  Accepts NULL.
 */
void listener_stop(struct listener *l);

#endif
