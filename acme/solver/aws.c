/*
 * AWS credentials, STS and signed requests for the Route 53 provider.
 * Facts from AWS's documentation: the credential chain and the shared
 * credentials file ("Configuration and credential file settings"), IMDSv2
 * ("Use the Instance Metadata Service to access instance metadata"), STS
 * AssumeRole (API version 2011-06-15, query API), Signature Version 4,
 * and the endpoints of the aws, aws-cn and aws-us-gov partitions.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cJSON.h>

#include "acme/fs.h"
#include "acme/log.h"
#include "acme/solver/aws.h"
#include "acme/solver/sigv4.h"
#include "acme/xml.h"
#include "crypto/err.h"

#define AWS_TRIES 4
#define IMDS_DEFAULT "http://169.254.169.254"

void
aws_cred_free(struct aws_cred *c)
{
	if (c->secret != NULL)
		crypto_secret_free(c->secret, strlen(c->secret));
	if (c->token != NULL)
		crypto_secret_free(c->token, strlen(c->token));
	free(c->access);
	memset(c, 0, sizeof(*c));
}

void
aws_cred_to_list(struct aws_cred *c, struct strlist *l)
{
	strlist_add(l, c->access);
	strlist_add(l, c->secret);
	strlist_add(l, c->token ? c->token : "");
	aws_cred_free(c);
}

void
aws_cred_from_list(const struct strlist *l, struct aws_cred *c)
{
	memset(c, 0, sizeof(*c));
	if (l->n != 3)
		return;
	c->access = l->v[0];
	c->secret = l->v[1];
	c->token = l->v[2][0] != '\0' ? l->v[2] : NULL;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Is s a region name (us-east-1, cn-north-1, us-gov-west-1)? */
static bool
region_ok(const char *s)
{
	return s != NULL && *s != '\0' && strlen(s) < 24 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

void
aws_where(const struct dnsapi_ctx *ctx, struct aws_where *w)
{
	const char *r = config_dnsapi_str(&ctx->solver->api, "region");

	if (r == NULL)
		r = env("AWS_REGION") ? env("AWS_REGION") :
		    env("AWS_DEFAULT_REGION");
	if (!region_ok(r))
		r = NULL;
	if (r != NULL && strncmp(r, "cn-", 3) == 0) {
		snprintf(w->route53, sizeof(w->route53),
		    "route53.amazonaws.com.cn");
		snprintf(w->r53_region, sizeof(w->r53_region),
		    "cn-northwest-1");
		snprintf(w->sts, sizeof(w->sts), "sts.%s.amazonaws.com.cn", r);
	} else if (r != NULL && strncmp(r, "us-gov-", 7) == 0) {
		snprintf(w->route53, sizeof(w->route53),
		    "route53.us-gov.amazonaws.com");
		snprintf(w->r53_region, sizeof(w->r53_region),
		    "us-gov-west-1");
		snprintf(w->sts, sizeof(w->sts), "sts.%s.amazonaws.com", r);
	} else {
		snprintf(w->route53, sizeof(w->route53),
		    "route53.amazonaws.com");
		snprintf(w->r53_region, sizeof(w->r53_region), "us-east-1");
		/* Without a region, STS's global endpoint (us-east-1). */
		snprintf(w->sts, sizeof(w->sts), r ? "sts.%s.amazonaws.com" :
		    "sts.amazonaws.com", r);
	}
	snprintf(w->sts_region, sizeof(w->sts_region), "%s",
	    r ? r : "us-east-1");
}

char *
aws_error(const struct http_resp *resp)
{
	struct xml_node *x = xml_parse(resp->body.data ? resp->body.data : "",
	    resp->body.len);
	const struct xml_node *e, *m;
	struct buf b = { 0 };
	char *out;

	e = x != NULL && strcmp(x->name, "Error") == 0 ? x : xml_get(x,
	    "Error");
	if (e != NULL && xml_text(e, "Code") != NULL) {
		buf_addstr(&b, log_esc(xml_text(e, "Code")));
		if (xml_text(e, "Message") != NULL) {
			buf_addstr(&b, ": ");
			buf_addstr(&b, log_esc(xml_text(e, "Message")));
		}
	}
	/* Route 53's InvalidChangeBatch with several messages. */
	for (m = NULL; x != NULL && strcmp(x->name, "InvalidChangeBatch") ==
	    0 && (m = xml_child(xml_get(x, "Messages"), "Message", m)) !=
	    NULL;) {
		buf_addstr(&b, b.len ? "; " : "InvalidChangeBatch: ");
		buf_addstr(&b, log_esc(m->text ? m->text : ""));
	}
	xml_free(x);
	if (b.len == 0)
		return util_printf("HTTP %ld (no error in the answer)",
		    resp->status);
	out = util_printf("HTTP %ld: %.*s", resp->status, (int)b.len, b.data);
	buf_free(&b);
	return out;
}

/* AWS's error code in resp, or "" (caller frees). */
static char *
error_code(const struct http_resp *resp)
{
	struct xml_node *x = xml_parse(resp->body.data ? resp->body.data : "",
	    resp->body.len);
	const struct xml_node *e = x != NULL && strcmp(x->name, "Error") == 0 ?
	    x : xml_get(x, "Error");
	char *code = util_strdup(xml_text(e, "Code") ? xml_text(e, "Code") :
	    "");

	xml_free(x);
	return code;
}

static bool
throttled(const struct http_resp *resp)
{
	static const char *const codes[] = { "Throttling",
		"ThrottlingException", "PriorRequestNotComplete",
		"RequestLimitExceeded", "TooManyRequestsException", NULL };
	char *code;
	bool yes = false;
	size_t i;

	if (resp->status != 400)
		return false;
	code = error_code(resp);
	for (i = 0; codes[i] != NULL; i++)
		yes = yes || strcmp(code, codes[i]) == 0;
	free(code);
	return yes;
}

/* The signed headers of call at this second into hdrs; -1 on failure. */
static int
sign(const struct aws_cred *c, const struct aws_call *call,
    struct strlist *hdrs)
{
	struct strlist names = { 0 }, values = { 0 };
	struct sigv4_req req = { call->method, call->path, call->query,
		&names, &values, call->body, call->body ? strlen(call->body) :
		0 };
	struct sigv4_key key = { c->access, c->secret, call->region,
		call->service };
	char date[32], *authz, *h;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
	strlist_add(&names, "host");
	strlist_add(&values, call->host);
	strlist_add(&names, "x-amz-date");
	strlist_add(&values, date);
	if (c->token != NULL) {
		strlist_add(&names, "x-amz-security-token");
		strlist_add(&values, c->token);
	}
	if (sigv4_sign(&req, &key, date, &authz, NULL, NULL) < 0) {
		strlist_free(&names);
		dnsapi_headers_free(&values);
		util_seterr("cannot sign the request: %s", crypto_error());
		return -1;
	}
	h = util_printf("X-Amz-Date: %s", date);
	strlist_add(hdrs, h);
	free(h);
	if (c->token != NULL) {
		h = util_printf("X-Amz-Security-Token: %s", c->token);
		strlist_add(hdrs, h);
		crypto_secret_free(h, strlen(h));
	}
	h = util_printf("Authorization: %s", authz);
	strlist_add(hdrs, h);
	free(h);
	free(authz);
	strlist_free(&names);
	dnsapi_headers_free(&values);
	return 0;
}

int
aws_send(const struct dnsapi_ctx *ctx, const struct aws_cred *c,
    const struct aws_call *call, struct http_resp *resp)
{
	struct strlist hdrs = { 0 };
	struct http_req req = { call->method, NULL, call->body, call->ctype,
		NULL, &hdrs };
	char *url = util_printf("https://%s%s%s%s", call->host, call->path,
	    call->query ? "?" : "", call->query ? call->query : "");
	int i, rc = -1;

	req.url = url;
	for (i = 0;; i++) {
		if (sign(c, call, &hdrs) < 0)
			break;
		rc = dnsapi_send(ctx, &req, resp);
		dnsapi_headers_free(&hdrs);
		if (rc < 0 || !throttled(resp) || i + 1 >= AWS_TRIES ||
		    util_interrupted())
			break;
		log_info("dns-01: %s asks to wait (HTTP 400, throttled); "
		    "waiting %d s", call->service, 1 << i);
		http_resp_free(resp);
		util_sleep_ms(1000LL << i);
	}
	free(url);
	return rc;
}

/* The keys in the solver's Secrets (or accessKeyID); 1 if none given. */
static int
from_secrets(const struct dnsapi_ctx *ctx, struct aws_cred *c)
{
	const char *id = config_dnsapi_str(&ctx->solver->api, "accessKeyID");
	char *s = NULL, *secret = NULL;
	size_t len = 0, slen = 0;
	int rc = -1;

	if (id == NULL && dnsapi_secret(ctx, "accessKeyIDSecretRef", &s,
	    &len) < 0)
		return -1;
	if (dnsapi_secret(ctx, "secretAccessKeySecretRef", &secret, &slen) < 0)
		goto out;
	if ((id ? id : s) == NULL && secret == NULL) {
		rc = 1;
		goto out;
	}
	/* cert-manager trims both; a key id or secret is never blank. */
	c->access = util_strdup(id ? id : s);
	c->secret = util_strdup(secret ? secret : "");
	while (c->access[0] != '\0' && isspace((unsigned char)
	    c->access[strlen(c->access) - 1]))
		c->access[strlen(c->access) - 1] = '\0';
	if (c->access[0] == '\0' || c->secret[0] == '\0') {
		log_error("dns-01: route53: only one of the access key id and "
		    "the secret access key was given: give both (or neither, "
		    "for the machine's own AWS credentials)");
		aws_cred_free(c);
		goto out;
	}
	rc = 0;
out:
	if (s != NULL)
		crypto_secret_free(s, len);
	if (secret != NULL)
		crypto_secret_free(secret, slen);
	return rc;
}

/* AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; 1 if not set. */
static int
from_env(struct aws_cred *c)
{
	if (env("AWS_ACCESS_KEY_ID") == NULL &&
	    env("AWS_SECRET_ACCESS_KEY") == NULL)
		return 1;
	if (env("AWS_ACCESS_KEY_ID") == NULL ||
	    env("AWS_SECRET_ACCESS_KEY") == NULL) {
		log_error("dns-01: route53: AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY go together: set both");
		return -1;
	}
	c->access = util_strdup(env("AWS_ACCESS_KEY_ID"));
	c->secret = util_strdup(env("AWS_SECRET_ACCESS_KEY"));
	c->token = util_strdup(env("AWS_SESSION_TOKEN"));
	log_debug("dns-01: route53: credentials from the environment");
	return 0;
}

/* line[0..n) trimmed of blanks at both ends, in place. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Take key = value of the profile's section of text into c. */
static void
ini_profile(char *text, const char *profile, struct aws_cred *c)
{
	char *line, *save = NULL, *eq, *k;
	bool in = false;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		line = trim(line);
		if (*line == '#' || *line == ';' || *line == '\0')
			continue;
		if (*line == '[') {
			line[strcspn(line, "]")] = '\0';
			in = strcmp(trim(line + 1), profile) == 0;
			continue;
		}
		if (!in || (eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		k = trim(line);
		if (strcmp(k, "aws_access_key_id") == 0 && c->access == NULL)
			c->access = util_strdup(trim(eq + 1));
		else if (strcmp(k, "aws_secret_access_key") == 0 &&
		    c->secret == NULL)
			c->secret = util_strdup(trim(eq + 1));
		else if (strcmp(k, "aws_session_token") == 0 &&
		    c->token == NULL)
			c->token = util_strdup(trim(eq + 1));
	}
}

/*
 * The profile (AWS_PROFILE, else "default") of the shared credentials
 * file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials); 1 if
 * there is none, -1 (reported) if it is not usable.
 */
static int
from_file(struct aws_cred *c)
{
	const char *named = env("AWS_SHARED_CREDENTIALS_FILE");
	const char *profile = env("AWS_PROFILE") ? env("AWS_PROFILE") :
	    "default";
	char *path, *text;
	size_t len;
	int rc = 1;

	if (named == NULL && env("HOME") == NULL)
		return 1;
	path = named ? util_strdup(named) : util_printf("%s/.aws/credentials",
	    env("HOME"));
	if (fs_read(path, 64 * 1024, &text, &len) < 0) {
		if (named != NULL || env("AWS_PROFILE") != NULL) {
			log_error("dns-01: route53: cannot read the AWS "
			    "credentials file %s: %s", path, util_error());
			rc = -1;
		}
		free(path);
		return rc;
	}
	ini_profile(text, profile, c);
	crypto_secret_free(text, len);
	if (c->access != NULL && c->secret != NULL) {
		log_debug("dns-01: route53: credentials from %s, profile %s",
		    path, profile);
		rc = 0;
	} else if (c->access != NULL || c->secret != NULL ||
	    env("AWS_PROFILE") != NULL) {
		log_error("dns-01: route53: %s has no aws_access_key_id and "
		    "aws_secret_access_key in the profile [%s]", path,
		    log_esc(profile));
		rc = -1;
	}
	if (rc != 0)
		aws_cred_free(c);
	free(path);
	return rc;
}

/* GET (or PUT) path at the metadata service with headers; the body. */
static char *
imds_call(struct http *h, const char *base, const char *method,
    const char *path, const char *hdr)
{
	struct strlist hdrs = { 0 };
	struct http_req req = { method, NULL, NULL, NULL, NULL, &hdrs };
	struct http_resp resp;
	char *url = util_printf("%s%s", base, path), *out = NULL;

	strlist_add(&hdrs, hdr);
	req.url = url;
	if (http_send(h, &req, &resp) < 0) {
		util_seterr("%s", util_error());
	} else if (resp.status != 200) {
		util_seterr("%s %s: HTTP %ld", method, url, resp.status);
	} else {
		buf_add(&resp.body, "", 1);
		out = resp.body.data;
		resp.body.data = NULL;
	}
	http_resp_free(&resp);
	dnsapi_headers_free(&hdrs);
	free(url);
	return out;
}

/* The instance role's credentials from IMDS's JSON answer. */
static int
imds_json(const char *text, struct aws_cred *c)
{
	cJSON *j = cJSON_Parse(text);
	const char *k[4] = { "Code", "AccessKeyId", "SecretAccessKey", "Token" };
	const cJSON *v[4];
	int i, rc = -1;

	for (i = 0; i < 4; i++) {
		v[i] = cJSON_GetObjectItemCaseSensitive(j, k[i]);
		if (!cJSON_IsString(v[i]) || v[i]->valuestring[0] == '\0')
			break;
	}
	if (i < 4 || strcmp(v[0]->valuestring, "Success") != 0) {
		util_seterr("the instance's credentials answer is not usable");
	} else {
		c->access = util_strdup(v[1]->valuestring);
		c->secret = util_strdup(v[2]->valuestring);
		c->token = util_strdup(v[3]->valuestring);
		rc = 0;
	}
	if (j != NULL && cJSON_IsString(v[2]) && i >= 3)
		explicit_bzero(v[2]->valuestring, strlen(v[2]->valuestring));
	cJSON_Delete(j);
	return rc;
}

/*
 * The instance role's credentials through IMDSv2 (a session token first,
 * then the role's name, then its credentials); 1 if there is no metadata
 * service, -1 (reported) if it answers wrongly.
 */
static int
from_imds(struct aws_cred *c)
{
	const char *given = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *dir = "/latest/meta-data/iam/security-credentials/";
	char *tok, *role = NULL, *text = NULL, *hdr = NULL, *path, *base;
	struct http *h;
	size_t n;
	int rc = 1;

	if (env("AWS_EC2_METADATA_DISABLED") != NULL &&
	    strcasecmp(env("AWS_EC2_METADATA_DISABLED"), "true") == 0)
		return 1;
	base = util_strdup(given ? given : IMDS_DEFAULT);
	for (n = strlen(base); n > 0 && base[n - 1] == '/'; n--)
		base[n - 1] = '\0';
	if ((h = http_new_metadata()) == NULL)
		goto out;
	if ((tok = imds_call(h, base, "PUT", "/latest/api/token",
	    "X-aws-ec2-metadata-token-ttl-seconds: 300")) == NULL) {
		log_debug("dns-01: route53: no instance metadata: %s",
		    util_error());
		goto out;
	}
	hdr = util_printf("X-aws-ec2-metadata-token: %s", trim(tok));
	crypto_secret_free(tok, strlen(tok));
	rc = -1;
	if ((role = imds_call(h, base, "GET", dir, hdr)) == NULL)
		goto fail;
	role[strcspn(role, "\r\n")] = '\0';
	if (role[0] == '\0' || strlen(role) > 64 || strspn(role,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    "+=,.@_-") != strlen(role)) {
		util_seterr("the instance has no usable IAM role");
		goto fail;
	}
	path = util_printf("%s%s", dir, role);
	text = imds_call(h, base, "GET", path, hdr);
	free(path);
	if (text != NULL && imds_json(text, c) == 0) {
		log_debug("dns-01: route53: credentials of the instance role "
		    "%s", role);
		rc = 0;
	}
fail:
	if (rc < 0)
		log_error("dns-01: route53: the instance metadata service at "
		    "%s: %s", base, util_error());
out:
	if (text != NULL)
		crypto_secret_free(text, strlen(text));
	if (hdr != NULL)
		crypto_secret_free(hdr, strlen(hdr));
	free(role);
	http_free(h);
	free(base);
	return rc;
}

/* name=value, form-encoded, appended to b. */
static void
form_add(struct buf *b, const char *name, const char *value)
{
	char *v = dnsapi_pct(value, "");

	if (b->len > 0)
		buf_add(b, "&", 1);
	buf_addstr(b, name);
	buf_add(b, "=", 1);
	buf_addstr(b, v);
	free(v);
}

/* Replace c by the temporary credentials of role (STS AssumeRole). */
static int
assume_role(const struct dnsapi_ctx *ctx, const char *role,
    struct aws_cred *c)
{
	struct aws_where w;
	struct aws_call call = { "sts", NULL, "POST", NULL, "/", NULL, NULL,
		"application/x-www-form-urlencoded; charset=utf-8" };
	struct http_resp resp;
	struct buf form = { 0 };
	struct xml_node *x = NULL;
	const struct xml_node *cr;
	struct aws_cred t = { 0 };
	char *why;
	int rc = -1;

	aws_where(ctx, &w);
	call.host = w.sts;
	call.region = w.sts_region;
	form_add(&form, "Action", "AssumeRole");
	form_add(&form, "RoleArn", role);
	form_add(&form, "RoleSessionName", "acmec");
	form_add(&form, "Version", "2011-06-15");
	buf_add(&form, "", 1);
	call.body = form.data;
	if (aws_send(ctx, c, &call, &resp) < 0) {
		log_error("dns-01: route53: assuming the role %s: %s", role,
		    util_error());
		buf_free(&form);
		return -1;
	}
	buf_free(&form);
	if (resp.status != 200) {
		why = aws_error(&resp);
		log_error("dns-01: route53: STS refuses to assume the role %s: "
		    "%s", log_esc(role), why);
		free(why);
		goto out;
	}
	x = xml_parse(resp.body.data ? resp.body.data : "", resp.body.len);
	cr = xml_get(x, "AssumeRoleResult/Credentials");
	t.access = util_strdup(xml_text(cr, "AccessKeyId"));
	t.secret = util_strdup(xml_text(cr, "SecretAccessKey"));
	t.token = util_strdup(xml_text(cr, "SessionToken"));
	if (t.access == NULL || t.secret == NULL || t.token == NULL) {
		log_error("dns-01: route53: STS's answer to AssumeRole holds no "
		    "credentials");
		aws_cred_free(&t);
		goto out;
	}
	aws_cred_free(c);
	*c = t;
	log_debug("dns-01: route53: assumed the role %s", log_esc(role));
	rc = 0;
out:
	if (x != NULL && (cr = xml_get(x, "AssumeRoleResult/Credentials/"
	    "SecretAccessKey")) != NULL && cr->text != NULL)
		explicit_bzero(cr->text, strlen(cr->text));
	xml_free(x);
	if (resp.body.data != NULL)
		explicit_bzero(resp.body.data, resp.body.len);
	http_resp_free(&resp);
	return rc;
}

int
aws_credentials(const struct dnsapi_ctx *ctx, struct aws_cred *c)
{
	const char *role = config_dnsapi_str(&ctx->solver->api, "role");
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = from_secrets(ctx, c)) == 1 && (rc = from_env(c)) == 1 &&
	    (rc = from_file(c)) == 1 && (rc = from_imds(c)) == 1) {
		log_error("dns-01: route53: no AWS credentials: give "
		    "accessKeyID (or accessKeyIDSecretRef) and "
		    "secretAccessKeySecretRef, or set AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials, "
		    "or run on EC2 with an instance role");
		return -1;
	}
	if (rc < 0)
		return -1;
	if (role != NULL && assume_role(ctx, role, c) < 0) {
		aws_cred_free(c);
		return -1;
	}
	return 0;
}
