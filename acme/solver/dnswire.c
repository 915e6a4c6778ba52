/* One DNS exchange that takes only the answer to its own query. */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acme/solver/dnswire.h"
#include "acme/util.h"
#include "acme/util.h"

#define HDR 12
#define MSG_MAX 65535

/*
 * The length of the one question of m (name, type, class) from HDR, or 0
 * if m has not exactly one, uncompressed and whole.
 */
static size_t
question_len(const uint8_t *m, size_t len)
{
	size_t i = HDR;

	if (len < HDR || m[4] != 0 || m[5] != 1)
		return 0;
	while (i < len && m[i] != 0) {
		if ((m[i] & 0xc0) != 0)
			return 0;
		i += 1 + m[i];
	}
	if (i + 5 > len)
		return 0;
	return i + 5 - HDR;
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

bool
dnswire_matches(const uint8_t *q, size_t qlen, const uint8_t *r, size_t rlen)
{
	size_t n = question_len(q, qlen), i;

	if (n == 0 || question_len(r, rlen) != n)
		return false;
	/* ID, QR set, the same opcode */
	if (q[0] != r[0] || q[1] != r[1] || (r[2] & 0x80) == 0 ||
	    (q[2] & 0x78) != (r[2] & 0x78))
		return false;
	/* Label lengths match exactly, letters without case. */
	for (i = HDR; i < HDR + n; i++)
		if (lower(q[i]) != lower(r[i]))
			return false;
	return true;
}

static bool
truncated(const uint8_t *r)
{
	return (r[2] & 0x02) != 0;
}

/* addr:port as a socket address; -1 if addr is not numeric. */
static int
sockaddr_of(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* Wait for events on fd until deadline: 1 ready, 0 time is up, -1 error. */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = deadline - util_now_ms();
		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/*
 * One UDP attempt: 1 and *reply when a matching answer came, 0 when none
 * did before the deadline (*dropped counts the others), -1 on an error.
 */
static int
udp_try(const struct sockaddr_storage *ss, socklen_t sslen, const uint8_t *q,
    size_t qlen, int timeout_ms, uint8_t **reply, size_t *rlen, int *dropped)
{
	long long deadline = util_now_ms() + timeout_ms;
	uint8_t *buf = NULL;
	ssize_t n = 0;
	int fd, e, rc = -1;

	if ((fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	/* Connected: datagrams from any other address are not delivered. */
	if (connect(fd, (const struct sockaddr *)ss, sslen) < 0 ||
	    send(fd, q, qlen, 0) != (ssize_t)qlen)
		goto out;
	buf = util_alloc(MSG_MAX);
	for (;;) {
		if ((rc = wait_fd(fd, POLLIN, deadline)) <= 0)
			goto out;
		if ((n = recv(fd, buf, MSG_MAX, MSG_DONTWAIT)) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			rc = -1;
			goto out;
		}
		if (dnswire_matches(q, qlen, buf, (size_t)n))
			break;
		(*dropped)++;
	}
	*reply = buf;
	*rlen = (size_t)n;
	buf = NULL;
	rc = 1;
out:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return rc;
}

/* Write or read exactly len bytes of a non-blocking socket by deadline. */
static int
tcp_io(int fd, bool out, uint8_t *p, size_t len, long long deadline)
{
	ssize_t n;

	while (len > 0) {
		if (wait_fd(fd, out ? POLLOUT : POLLIN, deadline) <= 0)
			return -1;
		n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The exchange over TCP (RFC 1035 §4.2.2: a two-byte length first). */
static int
tcp_exchange(const struct sockaddr_storage *ss, socklen_t sslen,
    const uint8_t *q, size_t qlen, int timeout_ms, uint8_t **reply,
    size_t *rlen)
{
	long long deadline = util_now_ms() + timeout_ms;
	uint8_t *msg = util_alloc(qlen + 2), len[2], *buf = NULL;
	size_t n;
	int fd, err = 0, rc = -1;
	socklen_t elen = sizeof(err);

	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0)
		goto out;
	if (connect(fd, (const struct sockaddr *)ss, sslen) < 0 &&
	    (errno != EINPROGRESS || wait_fd(fd, POLLOUT, deadline) <= 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 ||
	    err != 0))
		goto out;
	msg[0] = (uint8_t)(qlen >> 8);
	msg[1] = (uint8_t)qlen;
	memcpy(msg + 2, q, qlen);
	if (tcp_io(fd, true, msg, qlen + 2, deadline) < 0 ||
	    tcp_io(fd, false, len, 2, deadline) < 0)
		goto out;
	n = (size_t)len[0] << 8 | len[1];
	buf = util_alloc(n + 1);
	if (tcp_io(fd, false, buf, n, deadline) < 0 ||
	    !dnswire_matches(q, qlen, buf, n))
		goto out;
	*reply = buf;
	*rlen = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	free(msg);
	if (fd >= 0)
		close(fd);
	return rc;
}

int
dnswire_exchange(const char *addr, int port, const char *label, bool tcp,
    const uint8_t *query, size_t qlen, int timeout_ms, int tries,
    uint8_t **reply, size_t *rlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int i, rc = 0, dropped = 0;

	*reply = NULL;
	if (sockaddr_of(addr, port, &ss, &sslen) < 0) {
		util_seterr("%s: not a numeric address", label);
		return -1;
	}
	if (tcp) {
		if (tcp_exchange(&ss, sslen, query, qlen, timeout_ms, reply,
		    rlen) == 0)
			return 0;
		util_seterr("no answer from %s over TCP", label);
		return -1;
	}
	for (i = 0; i < tries && rc == 0; i++)
		rc = udp_try(&ss, sslen, query, qlen, timeout_ms, reply, rlen,
		    &dropped);
	if (rc > 0 && !truncated(*reply))
		return 0;
	if (rc > 0) {
		/* Truncated: ask again over TCP, whose answer replaces it. */
		free(*reply);
		*reply = NULL;
		if (tcp_exchange(&ss, sslen, query, qlen, timeout_ms, reply,
		    rlen) == 0)
			return 0;
		util_seterr("no answer from %s over TCP (the UDP "
		    "answer was truncated)", label);
		return -1;
	}
	if (rc < 0)
		util_seterr("no answer from %s: %s", label,
		    strerror(errno));
	else if (dropped > 0)
		util_seterr("no answer from %s (%d answer%s dropped "
		    "that did not match the query: another ID or question)",
		    label, dropped, dropped == 1 ? "" : "s");
	else
		util_seterr("no answer from %s within %d s", label,
		    timeout_ms * tries / 1000);
	return -1;
}
