/* The ACME account of an issuer: its key on disk and its URL at the CA. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "acme/account.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/cert.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "jws/jws.h"

#define ACCOUNT_INFO "account.json"

/* The key of the account key's Secret: tls.key unless named. */
static const char *
key_name(const struct cfg_issuer *is)
{
	return is->account_key.key ? is->account_key.key : "tls.key";
}

char *
account_key_path(const struct cfg_issuer *is, const struct store *st)
{
	return store_secret_path(st, is->account_key.name, key_name(is));
}

char *
account_key_where(const struct cfg_issuer *is, const struct store *st)
{
	return config_secret_where(&is->account_key, key_name(is),
	    st->secretsdir);
}

/* Registering at a->server needs an EAB the issuer lacks: report it. */
static void
eab_missing(const struct acme *a, const struct cfg_issuer *is)
{
	log_error("%s requires an external account binding; add "
	    "spec.acme.externalAccountBinding to issuer '%s' with the key ID "
	    "and MAC key from the CA", a->server, is->name);
}

int
account_can_register(const struct acme *a, const struct cfg_issuer *is,
    const struct store *st)
{
	char *path;
	struct stat sb;
	int rc = 0;

	if (is->eab_set || !a->dir.eab_required || is->account_key.doc != NULL)
		return 0;
	/* A key there may be an account registered with a binding once. */
	path = account_key_path(is, st);
	if (lstat(path, &sb) < 0 && errno == ENOENT) {
		eab_missing(a, is);
		rc = -1;
	}
	free(path);
	return rc;
}

/* Load the existing account key, or NULL: *why if absent, else reported. */
/*
 * A new account key of type (bits for RSA) and its PEM: PKCS#1 for RSA, as
 * cert-manager writes account keys, PKCS#8 otherwise; NULL (reported).
 */
static struct key *
new_key(enum key_type type, int bits, char **pem, size_t *len)
{
	struct key *key = key_generate(type, type == KEY_RSA ? bits : 0);

	if (key == NULL || key_save_pem(key, type == KEY_RSA ? KEY_ENC_PKCS1 :
	    KEY_ENC_PKCS8, pem, len) < 0) {
		log_error("cannot create an account key: %s", crypto_error());
		key_free(key);
		return NULL;
	}
	return key;
}

static struct key *
load_key(const struct cfg_issuer *is, const struct store *st,
    enum account_none *why)
{
	char *path = account_key_where(is, st), *aside, *pem = NULL;
	struct key *key = NULL;
	struct stat sb;
	size_t len = 0;

	*why = ACCOUNT_UNKNOWN;
	/* A Secret document first (never without the key), else the file. */
	if (config_secret_get(&is->account_key, key_name(is), st->secretsdir,
	    FS_READ_MAX, &pem, &len) == 0) {
		if ((key = key_load_pem(pem, len)) == NULL)
			log_error("account key %s: %s", path, crypto_error());
	} else if (errno == ENOENT) {
		aside = util_printf("%s.deactivated", path);
		*why = lstat(aside, &sb) == 0 ? ACCOUNT_DEACTIVATED :
		    ACCOUNT_NO_KEY;
		free(aside);
	} else {
		log_error("cannot read the account key %s: %s", path,
		    strerror(errno));
	}
	crypto_secret_free(pem, len);
	free(path);
	return key;
}

/* Load the account key, creating it if allowed.  *created tells which. */
static struct key *
load_or_create_key(const struct cfg_issuer *is, const struct store *st,
    bool *created)
{
	const char *keyname = is->account_key.key ? is->account_key.key :
	    "tls.key";
	char *dir = NULL, *path = NULL, *pem = NULL;
	enum account_none why;
	size_t len = 0;
	struct key *key;

	*created = false;
	if ((key = load_key(is, st, &why)) != NULL || why == ACCOUNT_UNKNOWN)
		return key;
	path = account_key_path(is, st);
	if (is->disable_account_key_generation) {
		log_error("the account key %s does not exist and issuer '%s' "
		    "sets disableAccountKeyGeneration; put the key there or "
		    "remove that setting", path, is->name);
		goto out;
	}
	/*
	 * A configured issuer's account is cert-manager's kind, RSA 2048 in
	 * PKCS#1, which its ACME issuer requires, so that the account can
	 * move to a cluster (acmec export); ad hoc issue's is ECDSA P-256,
	 * as certbot's and lego's are.
	 */
	if ((key = new_key(strcmp(is->account_key.name,
	    CONFIG_ADHOC_ACCOUNT) == 0 ? KEY_EC_P256 : KEY_RSA, 2048, &pem,
	    &len)) == NULL)
		goto out;
	dir = store_secret_dir(st, is->account_key.name);
	if (fs_mkdirs(dir, 0700) < 0 ||
	    fs_create_excl(dir, keyname, pem, len, 0600) < 0) {
		log_error("cannot write the account key %s: %s", path,
		    strerror(errno));
		key_free(key);
		key = NULL;
		goto out;
	}
	*created = true;
	log_info("created account key %s", path);
out:
	crypto_secret_free(pem, len);
	free(path);
	free(dir);
	return key;
}

/* The stored account URL for this server, or NULL. */
static char *
stored_url(const struct cfg_issuer *is, const struct store *st)
{
	char *path = store_secret_path(st, is->account_key.name,
	    ACCOUNT_INFO);
	char *data = NULL, *url = NULL;
	const cJSON *server, *u;
	cJSON *j = NULL;
	size_t len;

	if (fs_read(path, 65536, &data, &len) < 0) {
		if (errno != ENOENT)
			log_warn("cannot read %s: %s; looking the account up "
			    "instead", path, strerror(errno));
		goto out;
	}
	j = cJSON_ParseWithLength(data, len);
	server = cJSON_GetObjectItemCaseSensitive(j, "server");
	u = cJSON_GetObjectItemCaseSensitive(j, "url");
	if (!cJSON_IsString(server) || !cJSON_IsString(u)) {
		log_warn("%s is malformed; looking the account up instead",
		    path);
		goto out;
	}
	if (strcmp(server->valuestring, is->server) == 0)
		url = util_strdup(u->valuestring);
out:
	cJSON_Delete(j);
	free(data);
	free(path);
	return url;
}

static int
save_url(const struct cfg_issuer *is, const struct store *st, const char *url)
{
	char *dir = store_secret_dir(st, is->account_key.name), *text;
	cJSON *j = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(j, "server", is->server);
	cJSON_AddStringToObject(j, "url", url);
	text = cJSON_Print(j);
	cJSON_Delete(j);
	if (text == NULL) {
		free(dir);
		log_error("out of memory");
		return -1;
	}
	/* Beside a key from a Secret document, the directory may be new. */
	rc = fs_mkdirs(dir, 0700);
	if (rc == 0)
		rc = fs_write_atomic(dir, ACCOUNT_INFO, text, strlen(text),
		    0600);
	if (rc < 0)
		log_error("cannot save the account URL in %s/%s: %s", dir,
		    ACCOUNT_INFO, strerror(errno));
	cJSON_free(text);
	free(dir);
	return rc;
}

/* The externalAccountBinding member of newAccount, or NULL on error. */
static cJSON *
eab_object(const struct acme *a, const struct cfg_issuer *is,
    const struct store *st)
{
	char *path = config_secret_where(&is->eab_key, NULL, st->secretsdir);
	char *data = NULL;
	unsigned char *mac = NULL;
	size_t len = 0, maclen = 0;
	cJSON *eab = NULL;

	if (config_secret_get(&is->eab_key, NULL, st->secretsdir, 65536,
	    &data, &len) < 0) {
		log_error("cannot read the externalAccountBinding key %s: %s",
		    path, strerror(errno));
		goto out;
	}
	/* As cert-manager: the secret holds the base64url MAC key. */
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (b64_url_decode(data, len, &mac, &maclen) < 0 &&
	    b64_std_decode(data, len, &mac, &maclen) < 0) {
		log_error("the externalAccountBinding key in %s is not "
		    "base64url", path);
		goto out;
	}
	if ((eab = jws_eab(is->eab_key_id, mac, maclen, is->eab_alg, a->key,
	    a->dir.new_account)) == NULL)
		log_error("cannot sign the externalAccountBinding: %s",
		    crypto_error());
out:
	crypto_secret_free(mac, maclen);
	crypto_secret_free(data, len);
	free(path);
	return eab;
}

/*
 * POST newAccount; only_existing: just look the key up.  Returns 1 when the
 * account exists (a->kid set), 0 when only_existing and there is none, -1
 * on error (reported).
 */
static int
new_account(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, bool only_existing)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;
	cJSON *payload = cJSON_CreateObject(), *contact, *eab;
	char *text = NULL;
	int rc = -1;

	if (only_existing) {
		cJSON_AddTrueToObject(payload, "onlyReturnExisting");
	} else {
		cJSON_AddTrueToObject(payload, "termsOfServiceAgreed");
		if (is->email != NULL) {
			char *mailto = util_printf("mailto:%s", is->email);

			contact = cJSON_AddArrayToObject(payload, "contact");
			cJSON_AddItemToArray(contact,
			    cJSON_CreateString(mailto));
			free(mailto);
		}
		if (is->eab_set) {
			if ((eab = eab_object(a, is, st)) == NULL)
				goto out;
			cJSON_AddItemToObject(payload,
			    "externalAccountBinding", eab);
		} else if (a->dir.eab_required) {
			eab_missing(a, is);
			goto out;
		}
	}
	text = cJSON_PrintUnformatted(payload);
	if (acme_post(a, a->dir.new_account, text, NULL, &r, &prob) < 0) {
		if (only_existing &&
		    strcmp(acme_problem_short(&prob), "accountDoesNotExist") ==
		    0) {
			rc = 0;
			goto out;
		}
		acme_problem_report(&prob, only_existing ?
		    "looking up the account" : "registering the account");
		goto out;
	}
	if (r.location == NULL) {
		log_error("the CA did not send the account URL (Location)");
		http_resp_free(&r);
		goto out;
	}
	a->kid = util_strdup(r.location);
	http_resp_free(&r);
	rc = 1;
out:
	acme_problem_free(&prob);
	cJSON_free(text);
	cJSON_Delete(payload);
	return rc;
}

int
account_ensure(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **keyp)
{
	struct key *key = NULL;
	char *what = util_printf("account-%s", is->account_key.name);
	bool created, own;
	int lockfd = -1, rc = -1, found = 0;

	*keyp = NULL;
	if (account_can_register(a, is, st) < 0)
		goto out;
	/* Account operations are serialised across processes. */
	if (store_lock(st, what, 1, &lockfd) < 0)
		goto out;
	if ((key = load_or_create_key(is, st, &created)) == NULL)
		goto out;
	a->key = key;
	free(a->kid);
	/*
	 * The URL recorded is the issuer's server's; at another server (a
	 * dry run's staging twin) the key is looked up each time and the
	 * record is left as it is.
	 */
	own = strcmp(a->server, is->server) == 0;
	if ((a->kid = own ? stored_url(is, st) : NULL) != NULL) {
		log_debug("account %s", log_esc(a->kid));
		rc = 0;
		goto out;
	}
	if (!created && (found = new_account(a, is, st, true)) < 0)
		goto out;
	if (found == 0) {
		if (new_account(a, is, st, false) != 1)
			goto out;
		log_info("registered account %s at %s", log_esc(a->kid),
		    log_esc2(a->server));
	}
	if (own && save_url(is, st, a->kid) < 0)
		goto out;
	rc = 0;
out:
	fs_unlock(lockfd);
	free(what);
	if (rc < 0) {
		a->key = NULL;
		key_free(key);
	} else {
		*keyp = key;
	}
	return rc;
}

/* account_find(), trusting the stored URL or (ask) asking the CA. */
static int
find(struct acme *a, const struct cfg_issuer *is, const struct store *st,
    struct key **keyp, enum account_none *why, bool ask)
{
	struct key *key;
	int found;

	*keyp = NULL;
	if ((key = load_key(is, st, why)) == NULL)
		return *why == ACCOUNT_UNKNOWN ? -1 : 1;
	a->key = key;
	free(a->kid);
	if ((a->kid = ask ? NULL : stored_url(is, st)) == NULL &&
	    (found = new_account(a, is, st, true)) != 1) {
		a->key = NULL;
		key_free(key);
		*why = ACCOUNT_UNKNOWN;
		return found < 0 ? -1 : 1;
	}
	*keyp = key;
	return 0;
}

int
account_find(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **keyp, enum account_none *why)
{
	return find(a, is, st, keyp, why, false);
}

int
account_lookup(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **keyp, enum account_none *why)
{
	return find(a, is, st, keyp, why, true);
}

int
account_fetch(struct acme *a, char **status, struct strlist *contacts)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;
	const cJSON *c, *it;
	cJSON *j = NULL;

	*status = NULL;
	memset(contacts, 0, sizeof(*contacts));
	if (acme_post_json(a, a->kid, NULL, &r, &j, &prob) < 0) {
		acme_problem_report(&prob, "reading the account");
		acme_problem_free(&prob);
		return -1;
	}
	http_resp_free(&r);
	c = cJSON_GetObjectItemCaseSensitive(j, "status");
	*status = util_strdup(cJSON_IsString(c) ? c->valuestring : "?");
	c = cJSON_GetObjectItemCaseSensitive(j, "contact");
	cJSON_ArrayForEach(it, c)
		if (cJSON_IsString(it))
			strlist_add(contacts, it->valuestring);
	cJSON_Delete(j);
	return 0;
}

/* POST payload to the account URL. */
static int
post_account(struct acme *a, const char *payload, const char *what)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;

	if (acme_post(a, a->kid, payload, NULL, &r, &prob) < 0) {
		acme_problem_report(&prob, what);
		acme_problem_free(&prob);
		return -1;
	}
	http_resp_free(&r);
	return 0;
}

int
account_update_email(struct acme *a, const char *email)
{
	cJSON *p = cJSON_CreateObject(), *arr;
	char *mailto = util_printf("mailto:%s", email), *text;
	int rc;

	arr = cJSON_AddArrayToObject(p, "contact");
	cJSON_AddItemToArray(arr, cJSON_CreateString(mailto));
	text = cJSON_PrintUnformatted(p);
	rc = post_account(a, text, "updating the account");
	cJSON_free(text);
	cJSON_Delete(p);
	free(mailto);
	return rc;
}

int
account_rekey(struct acme *a, const struct cfg_issuer *is,
    const struct store *st, struct key **key, int type, int bits)
{
	const char *keyname = is->account_key.key ? is->account_key.key :
	    "tls.key";
	char *dir = store_secret_dir(st, is->account_key.name);
	char *what = util_printf("account-%s", is->account_key.name);
	struct acme_problem prob = { 0 };
	struct http_resp r;
	struct key *nk = NULL;
	cJSON *inner = NULL;
	char *text = NULL, *pem = NULL, *where = NULL;
	size_t len = 0;
	int lockfd = -1, rc = -1;

	if (is->account_key.doc != NULL) {
		/* The new key would have to go where acmec never writes. */
		where = account_key_where(is, st);
		log_error("the account key of issuer '%s' is %s, in the "
		    "configuration, which acmec does not write: to roll it, "
		    "move that key to %s/%s and remove the Secret document, "
		    "then rekey", is->name, log_esc(where), dir, keyname);
		goto out;
	}
	if (a->dir.key_change == NULL) {
		log_error("the CA's directory has no keyChange");
		goto out;
	}
	if (store_lock(st, what, 1, &lockfd) < 0)
		goto out;
	if (type < 0) {
		type = (int)key_get_type(*key);
		bits = key_bits(*key);
	}
	if ((nk = new_key((enum key_type)type, bits, &pem, &len)) == NULL)
		goto out;
	if ((inner = jws_keychange(nk, *key, a->kid,
	    a->dir.key_change)) == NULL ||
	    (text = cJSON_PrintUnformatted(inner)) == NULL) {
		log_error("cannot make the new account key: %s",
		    crypto_error());
		goto out;
	}
	/* The outer JWS is signed by the old key (a->key). */
	if (acme_post(a, a->dir.key_change, text, NULL, &r, &prob) < 0) {
		acme_problem_report(&prob, "changing the account key");
		goto out;
	}
	http_resp_free(&r);
	/* The CA has switched: only now does the old key go. */
	if (fs_write_atomic(dir, keyname, pem, len, 0600) < 0) {
		log_error("the CA now knows the account by its new key, but "
		    "writing it to %s/%s failed: %s", dir, keyname,
		    strerror(errno));
		goto out;
	}
	key_free(*key);
	*key = nk;
	a->key = nk;
	nk = NULL;
	rc = 0;
out:
	acme_problem_free(&prob);
	fs_unlock(lockfd);
	key_free(nk);
	crypto_secret_free(pem, len);
	cJSON_free(text);
	cJSON_Delete(inner);
	free(where);
	free(what);
	free(dir);
	return rc;
}

int
account_deactivate(struct acme *a, const struct cfg_issuer *is,
    const struct store *st)
{
	const char *keyname = is->account_key.key ? is->account_key.key :
	    "tls.key";
	char *dir = store_secret_dir(st, is->account_key.name);
	char *from = util_printf("%s/%s", dir, keyname);
	char *to = util_printf("%s/%s.deactivated", dir, keyname);
	char *info = util_printf("%s/%s", dir, ACCOUNT_INFO), *where;
	int rc = -1;

	if (post_account(a, "{\"status\":\"deactivated\"}",
	    "deactivating the account") < 0)
		goto out;
	if (is->account_key.doc != NULL) {
		(void)fs_remove(info);
		where = account_key_where(is, st);
		log_warn("the account is deactivated, but its key stays in %s "
		    "(acmec does not write the configuration): remove it "
		    "there, or the next issue will use a deactivated account",
		    log_esc(where));
		free(where);
		rc = 0;
		goto out;
	}
	/* A deactivated account is of no further use: set its key aside. */
	if (rename(from, to) < 0 || fs_remove(info) < 0 ||
	    fs_fsync_dir(dir) < 0) {
		log_warn("the account is deactivated, but its key could not "
		    "be set aside as %s: %s", to, strerror(errno));
	}
	rc = 0;
out:
	free(from);
	free(to);
	free(info);
	free(dir);
	return rc;
}

int
account_revoke(struct acme *a, const struct cert *leaf, int reason,
    struct acme_problem *prob)
{
	struct http_resp r;
	unsigned char *der = NULL;
	char *der64 = NULL, *payload = NULL;
	size_t derlen = 0;
	cJSON *p;
	int rc = -1;

	if (a->dir.revoke_cert == NULL) {
		acme_problem_local(prob, "the CA's directory has no revokeCert");
		return -1;
	}
	if (cert_to_der(leaf, &der, &derlen) < 0 ||
	    (der64 = b64_url_encode(der, derlen)) == NULL) {
		acme_problem_local(prob, "%s", crypto_error());
		goto out;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "certificate", der64);
	if (reason >= 0)
		cJSON_AddNumberToObject(p, "reason", reason);
	payload = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	if (acme_post(a, a->dir.revoke_cert, payload, NULL, &r, prob) < 0)
		goto out;
	http_resp_free(&r);
	rc = 0;
out:
	cJSON_free(payload);
	free(der64);
	free(der);
	return rc;
}
