/*
 * libFuzzer: every parser of what an ACME server sends.  The first byte
 * picks the parser: directory, order, authorization (with its
 * challenges), problem document, Retry-After, Link header, time.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/http.h"
#include "acme/log.h"
#include "acme/acme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acme_problem prob = { 0 };
	struct acme_dir dir;
	struct acme_order o;
	struct acme_authz az;
	struct strlist alt = { 0 }, up = { 0 };
	const char *body;
	char *text;
	cJSON *j;

	log_discard(true);
	if (size < 1)
		return 0;
	body = (const char *)data + 1;
	size--;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, body, size);
	text[size] = '\0';
	switch (data[0] % 7) {
	case 0:
		acme_parse_directory(body, size, &dir);
		acme_dir_free(&dir);
		break;
	case 1:
		j = cJSON_ParseWithLength(body, size);
		if (acme_parse_order(j, &o, &prob) == 0)
			acme_order_free(&o);
		cJSON_Delete(j);
		break;
	case 2:
		j = cJSON_ParseWithLength(body, size);
		if (acme_parse_authz(j, &az, &prob) == 0)
			acme_authz_free(&az);
		cJSON_Delete(j);
		break;
	case 3:
		acme_problem_parse(body, size, 400, text, &prob);
		break;
	case 4:
		acme_retry_after(text);
		break;
	case 5:
		http_parse_links(text, &alt, &up);
		break;
	case 6:
		acme_parse_time(text);
		break;
	}
	acme_problem_free(&prob);
	strlist_free(&alt);
	strlist_free(&up);
	free(text);
	return 0;
}
