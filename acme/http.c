#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "acme/http.h"
#include "acme/log.h"

/*
 * Every request goes through one multi handle: its connection cache keeps
 * the connection (and TLS session) from request to request, and a batch
 * runs as streams of one HTTP/2 connection where the server offers it.
 * base holds the options each transfer's handle is copied from.
 */
struct http {
	CURLM *multi;
	CURL *base;
	CURL **spare; /* transfer handles, reused */
	size_t nspare;
	long requests, connects, rounds;
};

/* One transfer of a batch. */
struct xfer {
	CURL *curl;
	struct http_resp *resp;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc;
	bool too_big, done;
};

/* At most this many HTTP/1.1 connections to a host at once. */
#define HTTP_MAX_CONNS 6
static bool initialised;

void
http_init(void)
{
	if (!initialised && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		initialised = true;
}

/* A positive number of seconds from the environment, or dflt. */
static long
env_seconds(const char *name, long dflt)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return dflt;
	n = strtol(v, &end, 10);
	return *end == '\0' && n > 0 && n <= 86400 ? n : dflt;
}

struct http *
http_new(const char *ca_pem, size_t ca_len, bool insecure)
{
	struct http *h;
	struct curl_blob blob;
	long timeout;

	http_init();
	if (!initialised) {
		util_seterr("cannot initialise libcurl");
		return NULL;
	}
	h = util_alloc(sizeof(*h));
	if ((h->base = curl_easy_init()) == NULL ||
	    (h->multi = curl_multi_init()) == NULL) {
		http_free(h);
		util_seterr("cannot initialise libcurl");
		return NULL;
	}
	/* HTTP/2 streams on one connection; else a few connections. */
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)HTTP_MAX_CONNS);
	curl_easy_setopt(h->base, CURLOPT_USERAGENT, "acmec/" ACMEC_VERSION);
	curl_easy_setopt(h->base, CURLOPT_NOSIGNAL, 1L);
	/*
	 * A stalled server: under 1 byte/s for the timeout (30 s, or
	 * ACMEC_HTTP_TIMEOUT) aborts; four times that overall.
	 */
	timeout = env_seconds("ACMEC_HTTP_TIMEOUT", 30);
	curl_easy_setopt(h->base, CURLOPT_CONNECTTIMEOUT, timeout < 10 ?
	    timeout : 10L);
	curl_easy_setopt(h->base, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h->base, CURLOPT_LOW_SPEED_TIME, timeout);
	curl_easy_setopt(h->base, CURLOPT_TIMEOUT, 4 * timeout);
	curl_easy_setopt(h->base, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->base, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h->base, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h->base, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h->base, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	/* A batch waits for the connection to learn whether it multiplexes. */
	curl_easy_setopt(h->base, CURLOPT_PIPEWAIT, 1L);
	if (insecure) {
		curl_easy_setopt(h->base, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h->base, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (ca_pem != NULL) {
		blob.data = (void *)ca_pem;
		blob.len = ca_len;
		blob.flags = CURL_BLOB_COPY;
		if (curl_easy_setopt(h->base, CURLOPT_CAINFO_BLOB, &blob) !=
		    CURLE_OK) {
			http_free(h);
			util_seterr("libcurl cannot use an in-memory CA bundle");
			return NULL;
		}
	}
	return h;
}

struct http *
http_new_metadata(void)
{
	struct http *h = http_new(NULL, 0, false);

	if (h == NULL)
		return NULL;
	/* Link-local, no proxy, no TLS; absent on most machines: fail fast. */
	curl_easy_setopt(h->base, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(h->base, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h->base, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(h->base, CURLOPT_TIMEOUT, 5L);
	return h;
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	if (x->resp->body.len + size * n > HTTP_MAX_BODY) {
		x->too_big = true;
		return 0; /* aborts the transfer */
	}
	buf_add(&x->resp->body, data, size * n);
	return size * n;
}

/* Trim a header value in place; returns it. */
static char *
trim(char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	s[len] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

#define LINK_ALTERNATE 1
#define LINK_UP 2

/* The relation types acmec wants among the words of a rel value. */
static int
link_rels(const char *v, size_t len)
{
	size_t i, n;
	int rels = 0;

	for (i = 0; i < len; i += n + 1) {
		for (n = 0; i + n < len && !isspace((unsigned char)v[i + n]);
		    n++)
			;
		if (n == 9 && strncasecmp(v + i, "alternate", 9) == 0)
			rels |= LINK_ALTERNATE;
		else if (n == 2 && strncasecmp(v + i, "up", 2) == 0)
			rels |= LINK_UP;
	}
	return rels;
}

/*
 * A link's parameters, from just after its '>' (RFC 8288 §3: *(OWS ";"
 * OWS token BWS ["=" BWS (token / quoted-string)])): *rels gets the
 * types of its first rel.  Returns where the next link may start.
 */
static const char *
link_params(const char *s, int *rels)
{
	const char *name, *val;
	size_t nlen, vlen;
	bool seen = false;

	*rels = 0;
	while (*(s += strspn(s, " \t")) == ';') {
		s += 1 + strspn(s + 1, " \t");
		name = s;
		s += nlen = strcspn(s, "=;, \t");
		s += strspn(s, " \t");
		val = s;
		vlen = 0;
		if (*s == '=') {
			s += 1 + strspn(s + 1, " \t");
			if (*s != '"') {
				val = s;
				s += vlen = strcspn(s, ";, \t");
			} else {
				for (val = ++s; *s != '\0' && *s != '"'; s++)
					if (*s == '\\' && s[1] != '\0')
						s++;
				vlen = (size_t)(s - val);
				s += *s == '"';
			}
		}
		if (!seen && nlen == 3 && strncasecmp(name, "rel", 3) == 0) {
			seen = true;
			*rels = link_rels(val, vlen);
		}
	}
	/* Whatever is not a parameter runs to the ',' that ends the link. */
	if (*s != '\0' && (s = strchr(s, ',')) == NULL)
		return "";
	return *s == ',' ? s + 1 : s;
}

void
http_parse_links(const char *v, struct strlist *alternate, struct strlist *up)
{
	const char *p = v, *lt, *gt;
	char *url;
	int rels;

	while ((lt = strchr(p, '<')) != NULL &&
	    (gt = strchr(lt, '>')) != NULL) {
		p = link_params(gt + 1, &rels);
		if (rels == 0)
			continue;
		url = util_strndup(lt + 1, (size_t)(gt - lt - 1));
		if (rels & LINK_ALTERNATE)
			strlist_add(alternate, url);
		if (rels & LINK_UP)
			strlist_add(up, url);
		free(url);
	}
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n, klen;
	char *line, *colon, *v, *semi;

	if (len < 2 || len > 8192)
		return len;
	/* A new status line (after 100 Continue): forget what came before. */
	if (strncmp(data, "HTTP/", 5) == 0) {
		struct buf keep = r->body;

		memset(&r->body, 0, sizeof(r->body));
		http_resp_free(r);
		r->body = keep;
		return len;
	}
	line = util_strndup(data, len);
	if ((colon = strchr(line, ':')) == NULL) {
		free(line);
		return len;
	}
	klen = (size_t)(colon - line);
	v = trim(colon + 1, strlen(colon + 1));
#define IS(name) (klen == strlen(name) && strncasecmp(line, name, klen) == 0)
	if (IS("Replay-Nonce")) {
		free(r->nonce);
		r->nonce = util_strdup(v);
	} else if (IS("Location")) {
		free(r->location);
		r->location = util_strdup(v);
	} else if (IS("Retry-After")) {
		free(r->retry_after);
		r->retry_after = util_strdup(v);
	} else if (IS("Content-Type")) {
		if ((semi = strchr(v, ';')) != NULL)
			*semi = '\0';
		v = trim(v, strlen(v));
		for (semi = v; *semi != '\0'; semi++)
			*semi = (char)tolower((unsigned char)*semi);
		free(r->content_type);
		r->content_type = util_strdup(v);
	} else if (IS("Link")) {
		http_parse_links(v, &r->links_alternate, &r->links_up);
	}
#undef IS
	free(line);
	return len;
}

/* The method and body of req on a reused handle c. */
static void
set_method(CURL *c, const struct http_req *req)
{
	bool head = strcmp(req->method, "HEAD") == 0;
	bool get = head || strcmp(req->method, "GET") == 0;

	/* The handle is reused: undo what the last request set. */
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(c, CURLOPT_NOBODY, head ? 1L : 0L);
	if (get) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		if (head)
			curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		return;
	}
	if (req->body == NULL && strcmp(req->method, "DELETE") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
		return;
	}
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
	    (long)(req->body ? strlen(req->body) : 0));
	if (strcmp(req->method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
}

/* The request's headers for libcurl; NULL-safe to free. */
static struct curl_slist *
req_headers(const struct http_req *req)
{
	struct curl_slist *hdrs = NULL;
	char hdr[256];
	size_t i;

	if (req->ctype != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", req->ctype);
		hdrs = curl_slist_append(hdrs, hdr);
	}
	if (req->accept != NULL) {
		snprintf(hdr, sizeof(hdr), "Accept: %s", req->accept);
		hdrs = curl_slist_append(hdrs, hdr);
	}
	for (i = 0; req->headers != NULL && i < req->headers->n; i++)
		hdrs = curl_slist_append(hdrs, req->headers->v[i]);
	/* No "Expect: 100-continue" round trip for small bodies. */
	return curl_slist_append(hdrs, "Expect:");
}

/* A transfer handle: a spare one, or a new copy of the base. */
static CURL *
xfer_handle(struct http *h)
{
	if (h->nspare > 0)
		return h->spare[--h->nspare];
	return curl_easy_duphandle(h->base);
}

/* Keep c for the next transfer. */
static void
spare_put(struct http *h, CURL *c)
{
	h->spare = util_realloc(h->spare, h->nspare + 1, sizeof(*h->spare));
	h->spare[h->nspare++] = c;
}

/* Set x up for req and add it to h's multi handle; -1 if it cannot be. */
static int
xfer_start(struct http *h, struct xfer *x, const struct http_req *req,
    struct http_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	x->resp = resp;
	if ((x->curl = xfer_handle(h)) == NULL) {
		snprintf(x->errbuf, sizeof(x->errbuf), "out of memory");
		return -1;
	}
	curl_easy_setopt(x->curl, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->curl, CURLOPT_URL, req->url);
	set_method(x->curl, req);
	x->hdrs = req_headers(req);
	curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(x->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->curl, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->curl, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(x->curl, CURLOPT_PRIVATE, x);
	log_proto("%s %s", req->method, log_esc(req->url));
	if (curl_multi_add_handle(h->multi, x->curl) != CURLM_OK) {
		snprintf(x->errbuf, sizeof(x->errbuf), "cannot start");
		return -1;
	}
	return 0;
}

/* Run h's transfers until all are done. */
static void
xfer_run(struct http *h)
{
	struct xfer *x;
	CURLMsg *m;
	int running = 1, left;

	while (running > 0) {
		if (curl_multi_perform(h->multi, &running) != CURLM_OK)
			break;
		while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE ||
			    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    (char **)&x) != CURLE_OK || x == NULL)
				continue;
			x->rc = m->data.result;
			x->done = true;
		}
		if (running > 0 &&
		    curl_multi_poll(h->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			break;
	}
}

/* x's outcome into its response (0), or its reason into *err (-1). */
static int
xfer_finish(struct http *h, struct xfer *x, const char *url, char **err)
{
	long connects = 0;
	int rc = -1;

	if (x->curl == NULL)
		goto fail;
	curl_multi_remove_handle(h->multi, x->curl);
	curl_slist_free_all(x->hdrs); /* XXX: libcurl's copies are not wiped */
	curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(x->curl, CURLOPT_PRIVATE, NULL);
	h->requests++;
	if (curl_easy_getinfo(x->curl, CURLINFO_NUM_CONNECTS, &connects) ==
	    CURLE_OK)
		h->connects += connects;
	if (x->done && x->rc == CURLE_OK) {
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE,
		    &x->resp->status);
		log_proto("< %ld %s (%zu bytes)", x->resp->status,
		    x->resp->content_type ? log_esc(x->resp->content_type) :
		    "", x->resp->body.len);
		rc = 0;
	}
	spare_put(h, x->curl);
	if (rc == 0)
		return 0;
fail:
	if (x->too_big)
		*err = util_printf("%s: the response is larger than %d bytes",
		    url, HTTP_MAX_BODY);
	else
		*err = util_printf("%s: %s", url, x->errbuf[0] ? x->errbuf :
		    x->done ? curl_easy_strerror(x->rc) : "not completed");
	http_resp_free(x->resp);
	return -1;
}

void
http_send_many(struct http *h, size_t n, const struct http_req *reqs,
    struct http_resp *resps, int *rcs, char **errs)
{
	struct xfer *x;
	size_t i;

	if (n == 0)
		return;
	x = util_alloc(n * sizeof(*x));
	for (i = 0; i < n; i++)
		if (xfer_start(h, &x[i], &reqs[i], &resps[i]) < 0 &&
		    x[i].curl != NULL) {
			curl_slist_free_all(x[i].hdrs); /* never added */
			spare_put(h, x[i].curl);
			x[i].curl = NULL;
		}
	xfer_run(h);
	h->rounds++;
	for (i = 0; i < n; i++) {
		errs[i] = NULL;
		rcs[i] = xfer_finish(h, &x[i], reqs[i].url, &errs[i]);
	}
	free(x);
}

int
http_send(struct http *h, const struct http_req *req, struct http_resp *resp)
{
	char *err = NULL;
	int rc;

	http_send_many(h, 1, req, resp, &rc, &err);
	if (rc < 0)
		util_seterr("%s", err);
	free(err);
	return rc;
}

int
http_request(struct http *h, const char *method, const char *url,
    const char *body, const char *ctype, const char *accept,
    struct http_resp *resp)
{
	struct http_req req = { method, url, body, ctype, accept, NULL };

	return http_send(h, &req, resp);
}

void
http_counters(const struct http *h, long *requests, long *rounds,
    long *connects)
{
	*requests = h->requests;
	*rounds = h->rounds;
	*connects = h->connects;
}

void
http_resp_free(struct http_resp *r)
{
	buf_free(&r->body);
	free(r->location);
	free(r->nonce);
	free(r->content_type);
	free(r->retry_after);
	strlist_free(&r->links_alternate);
	strlist_free(&r->links_up);
	memset(r, 0, sizeof(*r));
}

void
http_free(struct http *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nspare; i++)
		curl_easy_cleanup(h->spare[i]);
	free(h->spare);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	if (h->base != NULL)
		curl_easy_cleanup(h->base);
	free(h);
}
