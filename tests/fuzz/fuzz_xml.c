/*
 * libFuzzer: the XML reader on what a provider (Route 53, STS) could
 * send: never a crash or a leak, and every element found by walking the
 * tree has a name; AWS's error reader on the same bytes.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/http.h"
#include "acme/solver/aws.h"
#include "acme/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
walk(const struct xml_node *n, int depth)
{
	size_t count = 0;

	for (; n != NULL; n = n->next) {
		if (n->name == NULL || n->text == NULL || depth > 64)
			abort();
		count += 1 + walk(n->child, depth + 1);
	}
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp resp = { 0 };
	struct xml_node *x = xml_parse((const char *)data, size);
	char *why;

	walk(x, 0);
	(void)xml_text(x, "Error/Code");
	xml_free(x);
	resp.status = 400;
	resp.body.data = (char *)data;
	resp.body.len = size;
	why = aws_error(&resp);
	free(why);
	return 0;
}
