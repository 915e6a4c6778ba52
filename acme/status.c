#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/fs.h"
#include "acme/log.h"
#include "acme/status.h"
#include "crypto/b64.h"
#include "crypto/digest.h"

static char *
status_dir(const struct store *st, const struct cfg_cert *c)
{
	return util_printf("%s/status/%s", st->statedir, c->namespace);
}

static const char *
jstr(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
jnum(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

int
status_load(const struct store *st, const struct cfg_cert *c,
    struct cert_status *s)
{
	char *dir = status_dir(st, c), *path, *data = NULL;
	size_t len;

	memset(s, 0, sizeof(*s));
	path = util_printf("%s/%s.json", dir, c->name);
	free(dir);
	if (fs_read(path, FS_READ_MAX, &data, &len) < 0) {
		if (errno != ENOENT)
			log_warn("cannot read %s: %s", path, strerror(errno));
		free(path);
		return 0;
	}
	if (status_parse(data, len, s) < 0)
		log_warn("%s is not JSON; starting afresh", path);
	free(data);
	free(path);
	return 0;
}

int
status_parse(const char *data, size_t len, struct cert_status *s)
{
	const cJSON *az, *a;
	cJSON *j = NULL;
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	if ((j = cJSON_ParseWithLength(data, len)) == NULL ||
	    !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return -1;
	}
	s->revision = (long)jnum(j, "revision");
	s->last_issued = (time_t)jnum(j, "lastIssued");
	s->issue_seconds = jnum(j, "lastIssuanceSeconds");
	s->last_failure = (time_t)jnum(j, "lastFailureTime");
	s->failed_attempts = (int)jnum(j, "failedIssuanceAttempts");
	s->last_error = util_strdup(jstr(j, "lastError"));
	s->config_hash = util_strdup(jstr(j, "configHash"));
	s->order_url = util_strdup(jstr(j, "orderURL"));
	s->order_status = util_strdup(jstr(j, "orderStatus"));
	s->ari_id = util_strdup(jstr(j, "ariCertID"));
	s->files_hash = util_strdup(jstr(j, "filesHash"));
	s->not_before = (time_t)jnum(j, "notBefore");
	s->not_after = (time_t)jnum(j, "notAfter");
	s->cert_id = util_strdup(jstr(j, "certID"));
	s->serial = util_strdup(jstr(j, "serial"));
	s->revoked_serial = util_strdup(jstr(j, "revokedSerial"));
	s->revoked_at = (time_t)jnum(j, "revokedAt");
	s->revoked_reason = util_strdup(jstr(j, "revokedReason"));
	s->issuer_cn = util_strdup(jstr(j, "issuerCN"));
	s->ari_renew_at = (time_t)jnum(j, "ariRenewAt");
	s->ari_next_check = (time_t)jnum(j, "ariNextCheck");
	az = cJSON_GetObjectItemCaseSensitive(j, "authorizations");
	if (cJSON_IsArray(az)) {
		s->authz = util_alloc(((size_t)cJSON_GetArraySize(az) + 1) *
		    sizeof(*s->authz));
		cJSON_ArrayForEach(a, az) {
			s->authz[n].ident = util_strdup(jstr(a, "identifier"));
			s->authz[n].status = util_strdup(jstr(a, "status"));
			s->authz[n].type = util_strdup(jstr(a, "challenge"));
			s->authz[n].ch_status = util_strdup(jstr(a,
			    "challengeStatus"));
			s->authz[n].error_type = util_strdup(jstr(a,
			    "errorType"));
			s->authz[n].error_detail = util_strdup(jstr(a,
			    "errorDetail"));
			n++;
		}
		s->nauthz = n;
	}
	cJSON_Delete(j);
	return 0;
}

static void
add_str(cJSON *j, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(j, name, v);
}

char *
status_json(const struct cert_status *s, bool pretty)
{
	cJSON *j = cJSON_CreateObject(), *az, *a;
	char *text, *out;
	size_t i;

	cJSON_AddNumberToObject(j, "revision", (double)s->revision);
	cJSON_AddNumberToObject(j, "lastIssued", (double)s->last_issued);
	if (s->issue_seconds > 0)
		cJSON_AddNumberToObject(j, "lastIssuanceSeconds",
		    s->issue_seconds);
	cJSON_AddNumberToObject(j, "lastFailureTime", (double)s->last_failure);
	cJSON_AddNumberToObject(j, "failedIssuanceAttempts",
	    s->failed_attempts);
	add_str(j, "lastError", s->last_error);
	add_str(j, "configHash", s->config_hash);
	add_str(j, "orderURL", s->order_url);
	add_str(j, "orderStatus", s->order_status);
	add_str(j, "ariCertID", s->ari_id);
	add_str(j, "filesHash", s->files_hash);
	cJSON_AddNumberToObject(j, "notBefore", (double)s->not_before);
	cJSON_AddNumberToObject(j, "notAfter", (double)s->not_after);
	add_str(j, "certID", s->cert_id);
	add_str(j, "serial", s->serial);
	add_str(j, "revokedSerial", s->revoked_serial);
	if (s->revoked_at != 0)
		cJSON_AddNumberToObject(j, "revokedAt", (double)s->revoked_at);
	add_str(j, "revokedReason", s->revoked_reason);
	add_str(j, "issuerCN", s->issuer_cn);
	cJSON_AddNumberToObject(j, "ariRenewAt", (double)s->ari_renew_at);
	cJSON_AddNumberToObject(j, "ariNextCheck", (double)s->ari_next_check);
	az = cJSON_AddArrayToObject(j, "authorizations");
	for (i = 0; i < s->nauthz; i++) {
		a = cJSON_CreateObject();
		add_str(a, "identifier", s->authz[i].ident);
		add_str(a, "status", s->authz[i].status);
		add_str(a, "challenge", s->authz[i].type);
		add_str(a, "challengeStatus", s->authz[i].ch_status);
		add_str(a, "errorType", s->authz[i].error_type);
		add_str(a, "errorDetail", s->authz[i].error_detail);
		cJSON_AddItemToArray(az, a);
	}
	text = pretty ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	out = util_strdup(text);
	cJSON_free(text);
	return out;
}

int
status_save(const struct store *st, const struct cfg_cert *c,
    const struct cert_status *s)
{
	char *dir = status_dir(st, c), *name, *text = status_json(s, true);
	int rc = -1;

	name = util_printf("%s.json", c->name);
	if (text == NULL)
		log_error("out of memory");
	else if (fs_mkdirs(dir, 0700) < 0 ||
	    fs_write_atomic(dir, name, text, strlen(text), 0600) < 0)
		log_warn("cannot save the status of %s in %s: %s", c->name,
		    dir, strerror(errno));
	else
		rc = 0;
	free(text);
	free(name);
	free(dir);
	return rc;
}

void
status_set_order(struct cert_status *s, const char *state)
{
	free(s->order_status);
	s->order_status = util_strdup(state);
}

void
status_clear_order(struct cert_status *s)
{
	size_t i;

	free(s->order_url);
	free(s->order_status);
	s->order_url = s->order_status = NULL;
	for (i = 0; i < s->nauthz; i++) {
		free(s->authz[i].ident);
		free(s->authz[i].status);
		free(s->authz[i].type);
		free(s->authz[i].ch_status);
		free(s->authz[i].error_type);
		free(s->authz[i].error_detail);
	}
	free(s->authz);
	s->authz = NULL;
	s->nauthz = 0;
}

void
status_record_issued(struct cert_status *s, const struct cfg_cert *c,
    time_t now, char *ari_id)
{
	s->revision++;
	s->last_issued = now;
	s->last_failure = 0;
	s->failed_attempts = 0;
	free(s->last_error);
	s->last_error = NULL;
	free(s->config_hash);
	s->config_hash = status_config_hash(c);
	free(s->ari_id);
	s->ari_id = ari_id;
	s->ari_renew_at = 0;
	s->ari_next_check = 0;
}

void
status_record_failure(struct cert_status *s, time_t now, const char *error,
    bool count)
{
	s->last_failure = now;
	if (count)
		s->failed_attempts++;
	free(s->last_error);
	s->last_error = util_strdup(error != NULL && error[0] != '\0' ?
	    error : "failed");
}

void
status_free(struct cert_status *s)
{
	status_clear_order(s);
	free(s->last_error);
	free(s->config_hash);
	free(s->ari_id);
	free(s->files_hash);
	free(s->cert_id);
	free(s->serial);
	free(s->issuer_cn);
	free(s->revoked_serial);
	free(s->revoked_reason);
	memset(s, 0, sizeof(*s));
}

bool
status_revoked(const struct cert_status *s, const char *serial)
{
	return s->revoked_serial != NULL && serial != NULL &&
	    strcmp(s->revoked_serial, serial) == 0;
}

int
status_record_revoked(const struct store *st, const struct cfg_cert *c,
    const char *serial, const char *reason)
{
	struct cert_status s;
	int rc;

	status_load(st, c, &s);
	free(s.revoked_serial);
	free(s.revoked_reason);
	s.revoked_serial = util_strdup(serial);
	s.revoked_reason = util_strdup(reason);
	s.revoked_at = time(NULL);
	rc = status_save(st, c, &s);
	status_free(&s);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The list's strings, sorted, each after a newline and prefix. */
static void
add_sorted(struct buf *b, const struct strlist *l, const char *prefix)
{
	char **v = util_alloc((l->n + 1) * sizeof(*v));
	size_t i;

	if (l->n > 0)
		memcpy(v, l->v, l->n * sizeof(*v));
	qsort(v, l->n, sizeof(*v), cmp_str);
	for (i = 0; i < l->n; i++) {
		buf_addstr(b, "\n");
		buf_addstr(b, prefix);
		buf_addstr(b, v[i]);
	}
	free(v);
}

char *
status_config_hash(const struct cfg_cert *c)
{
	unsigned char d[DIGEST_MAX];
	struct buf b = { 0 };
	char num[32];

	/* The order names are listed in does not matter. */
	buf_addstr(&b, c->common_name ? c->common_name : "");
	add_sorted(&b, &c->dns_names, "dns:");
	add_sorted(&b, &c->ip_addresses, "ip:");
	snprintf(num, sizeof(num), "\nkey:%d/%d", (int)c->key_type,
	    c->key_bits);
	buf_addstr(&b, num);
	digest_hash(DIGEST_SHA256, b.data, b.len, d);
	buf_free(&b);
	return b64_url_encode(d, 16);
}
