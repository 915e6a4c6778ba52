/* Unit tests of the DNS exchange: which answers are taken. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acme/solver/dnswire.h"
#include "acme/util.h"
#include "tests/unit/unit.h"

/* ID 0x1234, RD; one question: a.Example TXT IN. */
static const uint8_t query[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
	0, 0, 1, 'a', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 16, 0, 1 };

/* The answer header (QR, AA, RD, RA) with query's question. */
static size_t
answer(uint8_t *r)
{
	memcpy(r, query, sizeof(query));
	r[2] = 0x85;
	r[3] = 0x80;
	return sizeof(query);
}

void
test_dns_reply_matches(void)
{
	uint8_t r[64];
	size_t n;

	n = answer(r);
	CHECK(dnswire_matches(query, sizeof(query), r, n));
	r[16] = 'X'; /* "a.EXample": names compare without case */
	CHECK(dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	r[1] ^= 1; /* another ID */
	CHECK(!dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	r[2] &= 0x7f; /* not an answer (QR clear) */
	CHECK(!dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	r[2] |= 0x28; /* another opcode (UPDATE) */
	CHECK(!dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	r[13] = 'b'; /* another name */
	CHECK(!dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	r[n - 3] = 1; /* another type (A) */
	CHECK(!dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	r[n - 1] = 3; /* another class (CH) */
	CHECK(!dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	r[5] = 0; /* no question */
	CHECK(!dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	r[5] = 2; /* two questions */
	CHECK(!dnswire_matches(query, sizeof(query), r, n));
	n = answer(r);
	CHECK(!dnswire_matches(query, sizeof(query), r, n - 1)); /* cut */
	CHECK(!dnswire_matches(query, sizeof(query), r, 11));
	/* A compressed question name (a pointer to offset 12). */
	n = answer(r);
	r[12] = 0xc0;
	r[13] = 12;
	r[14] = 0;
	r[15] = 16;
	r[16] = 0;
	r[17] = 1;
	CHECK(!dnswire_matches(query, sizeof(query), r, 18));
}

struct server {
	int fd;
	bool wrong_first, right;
};

/* Answer one query: a forged answer (another ID) first, then the real. */
static void *
serve(void *arg)
{
	struct server *s = arg;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	uint8_t q[512], r[512];
	ssize_t n;

	n = recvfrom(s->fd, q, sizeof(q), 0, (struct sockaddr *)&peer, &plen);
	if (n != (ssize_t)sizeof(query) || memcmp(q, query, sizeof(query)))
		return NULL;
	answer(r);
	if (s->wrong_first) {
		r[0] ^= 0x80;
		sendto(s->fd, r, sizeof(query), 0, (struct sockaddr *)&peer,
		    plen);
		r[0] ^= 0x80;
	}
	if (s->right)
		sendto(s->fd, r, sizeof(query), 0, (struct sockaddr *)&peer,
		    plen);
	return NULL;
}

/* Run one exchange against a server on 127.0.0.1 behaving as told. */
static int
exchange_with(bool wrong_first, bool right)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	struct server s = { -1, wrong_first, right };
	pthread_t t;
	uint8_t *reply = NULL;
	size_t rlen = 0;
	int rc = -2;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s.fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(s.fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(s.fd, (struct sockaddr *)&sin, &slen) < 0 ||
	    pthread_create(&t, NULL, serve, &s) != 0)
		goto out;
	rc = dnswire_exchange("127.0.0.1", ntohs(sin.sin_port), "test", false,
	    query, sizeof(query), 1000, 1, &reply, &rlen);
	pthread_join(t, NULL);
	if (rc == 0 && (rlen != sizeof(query) || reply[0] != query[0]))
		rc = -3;
	free(reply);
out:
	if (s.fd >= 0)
		close(s.fd);
	return rc;
}

void
test_dns_exchange_drops_forged(void)
{

	CHECK(exchange_with(false, true) == 0);
	/* The forged answer comes first; the real one is still taken. */
	CHECK(exchange_with(true, true) == 0);
	/* Only a forged one: no answer, and the message says why. */
	CHECK(exchange_with(true, false) == -1);
	CHECK(strstr(util_error(), "1 answer dropped that did not match") != NULL);
}

struct tc_server {
	int udp, tcp;
	bool tcp_wrong_id;
};

/* Answer over UDP truncated, then the whole answer over TCP. */
static void *
serve_tc(void *arg)
{
	struct tc_server *s = arg;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	uint8_t q[512], r[512];
	ssize_t n;
	int c;

	n = recvfrom(s->udp, q, sizeof(q), 0, (struct sockaddr *)&peer, &plen);
	if (n != (ssize_t)sizeof(query))
		return NULL;
	answer(r);
	r[2] |= 0x02; /* TC */
	sendto(s->udp, r, sizeof(query), 0, (struct sockaddr *)&peer, plen);
	if ((c = accept(s->tcp, NULL, NULL)) < 0)
		return NULL;
	n = recv(c, q, sizeof(query) + 2, MSG_WAITALL);
	r[0] = 0;
	r[1] = sizeof(query);
	answer(r + 2);
	if (s->tcp_wrong_id)
		r[2] ^= 1;
	if (n == (ssize_t)sizeof(query) + 2)
		send(c, r, sizeof(query) + 2, 0);
	close(c);
	return NULL;
}

static int
exchange_tc(bool tcp_wrong_id)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	struct tc_server s = { -1, -1, tcp_wrong_id };
	pthread_t t;
	uint8_t *reply = NULL;
	size_t rlen = 0;
	int rc = -2;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s.tcp = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(s.tcp, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(s.tcp, 1) < 0 ||
	    getsockname(s.tcp, (struct sockaddr *)&sin, &slen) < 0 ||
	    (s.udp = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(s.udp, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    pthread_create(&t, NULL, serve_tc, &s) != 0)
		goto out;
	rc = dnswire_exchange("127.0.0.1", ntohs(sin.sin_port), "test", false,
	    query, sizeof(query), 1000, 1, &reply, &rlen);
	pthread_join(t, NULL);
	/* The TCP answer, not the truncated one. */
	if (rc == 0 && (rlen != sizeof(query) || (reply[2] & 0x02) != 0))
		rc = -3;
	free(reply);
out:
	if (s.udp >= 0)
		close(s.udp);
	if (s.tcp >= 0)
		close(s.tcp);
	return rc;
}

void
test_dns_exchange_tcp_when_truncated(void)
{
	CHECK(exchange_tc(false) == 0);
	CHECK(exchange_tc(true) == -1);
}
