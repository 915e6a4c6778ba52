#ifndef ACMEC_TESTS_UNIT_H
#define ACMEC_TESTS_UNIT_H

/*
 * A small test runner: each test is a void function; CHECK records a
 * failure and goes on, REQUIRE records it and returns from the test.
 */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

void unit_fail(const char *file, int line, const char *what);
bool unit_streq(const char *file, int line, const char *expr,
    const char *got, const char *want);
bool unit_memeq(const char *file, int line, const char *expr,
    const void *got, size_t gotlen, const void *want, size_t wantlen);

#define CHECK(c) \
	do { \
		if (!(c)) \
			unit_fail(__FILE__, __LINE__, #c); \
	} while (0)
#define REQUIRE(c) \
	do { \
		if (!(c)) { \
			unit_fail(__FILE__, __LINE__, #c); \
			return; \
		} \
	} while (0)
#define CHECK_STR(got, want) \
	((void)unit_streq(__FILE__, __LINE__, #got, (got), (want)))
#define CHECK_MEM(got, gotlen, want, wantlen) \
	((void)unit_memeq(__FILE__, __LINE__, #got, (got), (gotlen), (want), \
	    (wantlen)))

/* Helpers for tests. */

/* Whole file (tests/unit/data/NAME) NUL-terminated; aborts if missing. */
char *unit_read(const char *name, size_t *len);

/*
 * Load YAML text as t.yaml with messages kept quiet; *err is the first
 * error.  unit_config_refused: it must fail, that error starting with want.
 */
struct config;
int unit_config_load(const char *text, struct config *cfg, const char **err);
void unit_config_refused(const char *text, const char *want);

/* base64url-decode a literal (aborts on bad input); caller frees. */
unsigned char *unit_unb64(const char *s, size_t *len);

/* Decode hex (aborts on bad input); caller frees. */
unsigned char *unit_unhex(const char *s, size_t *len);

/* Does the PBMAC1 MAC (RFC 9579) of the PFX d verify with pw? */
bool unit_pbmac1_verify(const unsigned char *d, size_t len, const char *pw);

/* The tests, one list per file. */
#define UNIT_TESTS(X) \
	X(b64_rfc4648) \
	X(b64_url_rejects) \
	X(b64_std) \
	X(digest_vectors) \
	X(key_roundtrip_rsa) \
	X(key_roundtrip_ec) \
	X(key_roundtrip_ed25519) \
	X(key_rfc7515_a2_rs256) \
	X(key_rfc7515_a3_es256) \
	X(key_rfc8037_a4_ed25519) \
	X(key_rejects) \
	X(key_params_reject) \
	X(key_cert_manager_sizes) \
	X(config_cert_keys) \
	X(config_cert_kept_fields) \
	X(config_cert_refusals) \
	X(config_cert_lifetime) \
	X(config_cert_acme_only) \
	X(csr_roundtrip) \
	X(csr_user_supplied) \
	X(csr_rejects) \
	X(csr_parse) \
	X(csr_cn_only) \
	X(csr_refusals) \
	X(cert_chain_fields) \
	X(cert_ari_parts) \
	X(cert_chain_rejects) \
	X(cert_chain_to_pem) \
	X(cert_alpn_dns) \
	X(cert_alpn_ip) \
	X(pkcs12_profiles) \
	X(pkcs12_rejects) \
	X(pkcs12_go_name) \
	X(pbmac1_rfc9579) \
	X(jks_keytool_vector) \
	X(jks_stores) \
	X(keystore_config_secrets) \
	X(alpn_sni_names) \
	X(jwk_rfc7638_thumbprint) \
	X(jwk_members) \
	X(jws_sign_jwk) \
	X(jws_sign_kid_and_post_as_get) \
	X(jws_all_key_types) \
	X(jws_eab) \
	X(jws_keychange) \
	X(keyauth_values) \
	X(keyauth_token_rules) \
	X(config_duration) \
	X(config_names) \
	X(config_typed) \
	X(config_errors) \
	X(config_issuer_kinds) \
	X(config_k8s_scalars) \
	X(config_annotations) \
	X(runhook_annotations) \
	X(runhook_once) \
	X(config_listen) \
	X(config_one_pass) \
	X(config_duplicates) \
	X(config_cert_x) \
	X(log_hold) \
	X(sigv4_aws_suite) \
	X(xml_reader) \
	X(edgegrid_vectors) \
	X(edgegrid_content_hash) \
	X(gsajwt_claims) \
	X(gsakey_parse) \
	X(clouddns_config) \
	X(azuredns_config_fields) \
	X(azuredns_config_refusals) \
	X(http01_share) \
	X(config_secret_docs) \
	X(config_secret_namespaces) \
	X(config_secret_rules) \
	X(config_list) \
	X(config_other_kinds) \
	X(config_other_issuers) \
	X(config_skipped_certs) \
	X(config_placeholders) \
	X(config_placeholders_refused) \
	X(config_email) \
	X(fs_publish) \
	X(fs_lock) \
	X(proto_directory) \
	X(proto_directory_rejects) \
	X(proto_order) \
	X(proto_order_rejects) \
	X(proto_authz) \
	X(proto_authz_rejects) \
	X(proto_challenge) \
	X(proto_problem) \
	X(proto_problem_not_json) \
	X(proto_problem_local) \
	X(proto_retry_after) \
	X(proto_time) \
	X(proto_time_offsets) \
	X(proto_status_name) \
	X(http_links) \
	X(backoff_early) \
	X(http_links_hostile) \
	X(http_links_rfc8288) \
	X(issue_renewal_time) \
	X(dryrun_staging_twin) \
	X(dryrun_server) \
	X(solver_select) \
	X(solver_select_labels) \
	X(solver_select_types) \
	X(solver_select_all_parts) \
	X(dns_reply_matches) \
	X(dns_exchange_drops_forged) \
	X(dns_exchange_tcp_when_truncated) \
	X(fs_planted_links) \
	X(fs_publish_shrinks) \
	X(fs_unsafe_dirs) \
	X(fs_cloexec) \
	X(webroot_links) \
	X(metrics_prometheus) \
	X(metrics_check) \
	X(metrics_duration) \
	X(log_json_line) \
	X(log_json_escapes) \
	X(k8s_csv) \
	X(k8s_cert_annotations) \
	X(k8s_secret_yaml) \
	X(dnsapi_check)

#define UNIT_DECLARE(name) void test_##name(void);
UNIT_TESTS(UNIT_DECLARE)

#endif
