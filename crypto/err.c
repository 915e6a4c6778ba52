#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "crypto/internal.h"

static _Thread_local char errbuf[512];

const char *
crypto_error(void)
{
	return errbuf;
}

void
crypto_seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
}

void
crypto_ossl_err(const char *fmt, ...)
{
	va_list ap;
	unsigned long e;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	/* The last error queued is the most specific one. */
	e = ERR_peek_last_error();
	n = strlen(errbuf);
	if (e != 0 && ERR_reason_error_string(e) != NULL && n < sizeof(errbuf))
		snprintf(errbuf + n, sizeof(errbuf) - n, " (%s)",
		    ERR_reason_error_string(e));
	ERR_clear_error();
}

void
crypto_secret_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

void
crypto_buf_add(struct crypto_buf *b, const void *s, size_t n)
{
	unsigned char *np;

	if (b->bad)
		return;
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2 + 256;
		if ((np = realloc(b->p, b->cap)) == NULL) {
			b->bad = true;
			crypto_seterr("out of memory");
			return;
		}
		b->p = np;
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}
