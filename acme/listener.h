#ifndef ACMEC_ACME_LISTENER_H
#define ACMEC_ACME_LISTENER_H

/*
 * A TCP listener that serves connections one at a time on a thread of its
 * own, for the http-01 and tls-alpn-01 responders.  It exists only while an
 * order is validated.
 */

#include <stdbool.h>

struct listener;

/*
 * Bind address (NULL: all, IPv6 and IPv4) and port.  Reports its errors,
 * naming what (e.g. "tls-alpn-01") and what to do about a taken port.
 */
struct listener *listener_open(const char *address, int port,
    const char *what);

/*
 * Start serving: serve(arg, fd) is called on the listener's thread for
 * every connection, whose send and receive time out after a few seconds;
 * the descriptor is closed afterwards.
 */
int listener_start(struct listener *l, void (*serve)(void *arg, int fd),
    void *arg);

/* True if l listens on address (NULL: all) and port. */
bool listener_is(const struct listener *l, const char *address, int port);

/* Stop the thread and close the socket; accepts NULL. */
void listener_stop(struct listener *l);

#endif
