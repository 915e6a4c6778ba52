#ifndef ACMEC_CRYPTO_B64_H
#define ACMEC_CRYPTO_B64_H

#include <stddef.h>

/*
 * base64url without padding (RFC 4648 §5, as JOSE and ACME use it).
 * Returns a NUL-terminated string the caller frees, or NULL.
 */
char *b64_url_encode(const unsigned char *buf, size_t len);

/*
 * Standard base64 with padding (RFC 4648 §4), as Kubernetes writes a
 * Secret's data.  Same contract as b64_url_encode().
 */
char *b64_std_encode(const unsigned char *buf, size_t len);

/*
 * Decode base64url without padding.  Padding, white space and characters
 * outside the URL-safe alphabet are errors, as are non-zero trailing bits.
 * *out (caller frees) is NUL-terminated for convenience; *outlen excludes it.
 */
int b64_url_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen);

/*
 * Decode standard base64 (RFC 4648 §4) as found in Kubernetes secrets and
 * TSIG keys: padding is optional, white space (line breaks) is skipped.
 * Same contract as b64_url_decode().
 */
int b64_std_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen);

#endif
