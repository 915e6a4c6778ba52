/*
 * The http-01 listener is shared by the workers of one process: a worker
 * releasing the last reference must close the socket before another can
 * open the port again.  renew --jobs 4 under ASan once failed with
 * "cannot listen on *:80: Address already in use" because the registry
 * forgot the listener before its socket was closed.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acme/log.h"
#include "acme/solver/internal.h"
#include "tests/unit/unit.h"

#define THREADS 6
#define ROUNDS 150

static int share_port;
static int share_failures;
static pthread_mutex_t share_mu = PTHREAD_MUTEX_INITIALIZER;

static void *
churn(void *arg)
{
	struct strlist none = { 0 };
	struct http01_server *srv;
	int i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		if ((srv = http01_acquire("127.0.0.1", share_port)) == NULL) {
			pthread_mutex_lock(&share_mu);
			share_failures++;
			pthread_mutex_unlock(&share_mu);
			continue;
		}
		http01_release(srv, &none);
	}
	return NULL;
}

/* A loopback port nothing listens on now. */
static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port = -1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

void
test_http01_share(void)
{
	pthread_t t[THREADS];
	int i;

	REQUIRE((share_port = free_port()) > 0);
	share_failures = 0;
	log_discard(true);
	for (i = 0; i < THREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, churn, NULL) == 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	log_discard(false);
	CHECK(share_failures == 0);
}
