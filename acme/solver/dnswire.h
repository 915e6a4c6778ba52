#ifndef ACMEC_ACME_SOLVER_DNSWIRE_H
#define ACMEC_ACME_SOLVER_DNSWIRE_H

/*
 * One DNS exchange in wire format with one server, taking only the answer
 * to the query sent: over UDP from a connected socket (the kernel drops
 * datagrams from any other address or port), falling back to TCP when the
 * answer is truncated; an answer must carry the query's ID, QR, its opcode
 * and exactly its question (name, type, class), else it is dropped and the
 * real one awaited.  ldns's own ldns_send() checks none of this: it reads
 * the first datagram from anywhere on an unconnected socket.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Send query (its ID already set) to addr (numeric IPv4 or IPv6) port;
 * tries UDP attempts of timeout_ms each (TCP alone if tcp).  *reply (caller frees) is the
 * first matching answer.  -1 with util_error() naming label.
 */
int dnswire_exchange(const char *addr, int port, const char *label, bool tcp,
    const uint8_t *query, size_t qlen, int timeout_ms, int tries,
    uint8_t **reply, size_t *rlen);

/*
 * Is r an answer to q: same ID, QR set, same opcode, one question equal
 * to q's (name compared without case, type, class)?
 */
bool dnswire_matches(const uint8_t *q, size_t qlen, const uint8_t *r,
    size_t rlen);

#endif
