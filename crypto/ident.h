#ifndef ACMEC_CRYPTO_IDENT_H
#define ACMEC_CRYPTO_IDENT_H

#include <stdbool.h>
#include <stddef.h>

/* An ACME identifier (RFC 8555 §9.7.7, RFC 8738). */
enum ident_type {
	IDENT_DNS,
	IDENT_IP,
};

struct ident {
	enum ident_type type;
	char *value; /* DNS: lower case, may start with "*."; IP: canonical text */
};

struct ident_list {
	struct ident *v;
	size_t n;
};

/* Append a copy of value; -1 on allocation failure. */
int ident_list_add(struct ident_list *l, enum ident_type type,
    const char *value);

/* True if l holds an identifier of this type and value (DNS: any case). */
bool ident_list_has(const struct ident_list *l, enum ident_type type,
    const char *value);

/* Free the entries and zero l.  Accepts an empty list. */
void ident_list_free(struct ident_list *l);

/*
 * Canonical text of an IP address (RFC 5952 for IPv6) into buf, or -1 if s
 * is not an IPv4 or IPv6 address.
 */
int ident_ip_canonical(const char *s, char *buf, size_t size);

#endif
