#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/err.h"
#include "crypto/ident.h"

int
ident_list_add(struct ident_list *l, enum ident_type type, const char *value)
{
	struct ident *v;
	char *copy;

	if ((copy = strdup(value)) == NULL ||
	    (v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL) {
		free(copy);
		crypto_seterr("out of memory");
		return -1;
	}
	l->v = v;
	l->v[l->n].type = type;
	l->v[l->n].value = copy;
	l->n++;
	return 0;
}

bool
ident_list_has(const struct ident_list *l, enum ident_type type,
    const char *value)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].type == type &&
		    strcasecmp(l->v[i].value, value) == 0)
			return true;
	return false;
}

void
ident_list_free(struct ident_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].value);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
ident_ip_canonical(const char *s, char *buf, size_t size)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, s, addr) == 1)
		return inet_ntop(AF_INET, addr, buf, (socklen_t)size) ? 0 : -1;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return inet_ntop(AF_INET6, addr, buf, (socklen_t)size) ? 0 : -1;
	crypto_seterr("'%s' is not an IP address", s);
	return -1;
}
