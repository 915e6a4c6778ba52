#ifndef ACMEC_CRYPTO_CERTINFO_H
#define ACMEC_CRYPTO_CERTINFO_H

/*
 * A certificate's subject attributes and subjectAltNames as text, in the
 * order the certificate holds them: what cert-manager copies into the
 * annotations of a Secret it writes (its AnnotationsForCertificate).
 */

#include <stddef.h>

struct cert;

enum cert_field {
	CERT_F_CN,            /* the last commonName, as Go's pkix.Name */
	CERT_F_SERIALNUMBER,  /* the last serialNumber attribute */
	CERT_F_O,
	CERT_F_OU,
	CERT_F_C,
	CERT_F_ST,
	CERT_F_L,
	CERT_F_POSTALCODE,
	CERT_F_STREET,
	CERT_F_SAN_EMAIL,
	CERT_F_SAN_DNS,       /* as written, case kept */
	CERT_F_SAN_IP,        /* inet_ntop's text: 192.0.2.1, 2001:db8::1 */
	CERT_F_SAN_URI,
};

struct cert_values {
	char **v; /* UTF-8, NUL-terminated */
	size_t n;
};

/* The values of f in c (appended to out); -1 on a malformed certificate. */
int cert_values(const struct cert *c, enum cert_field f,
    struct cert_values *out);

/* Free the values and zero out; accepts a zeroed one. */
void cert_values_free(struct cert_values *out);

#endif
