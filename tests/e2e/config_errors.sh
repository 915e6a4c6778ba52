#!/bin/sh
# Bad configuration: each file gives exit 2 and a FILE:LINE:COL: PATH
# message naming what to change.  `acmec check` uses no network.
. "$(dirname "$0")/../lib/e2e.sh"

C=$T_TMP/c
mkdir -p "$C"

ISSUER='apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef:
      name: le-account
    solvers:
    - http01:
        ingress: {}'

# bad NAME EXPECTED-MESSAGE: the YAML on stdin, checked with acmec check.
bad() {
	cat >"$C/$1.yaml"
	expect "config/$1" 2 "$ACMEC" -c "$C/$1.yaml" check
	grep_in "config/$1-message" "$T_TMP/err" "$C/$1.yaml:$2"
}

bad unknown-field '12:9: spec.acme.solvers\[0\].http01.ingres: unknown field (expected one of: ingress, gatewayHTTPRoute)' <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef:
      name: le-account
    solvers:
    - http01:
        ingres: {}
EOF2

bad wrong-type '5:41: metadata.annotations.acmec.io/http01-listen: expected a string, found an integer (quote it to make it a string)' <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
  annotations: {acmec.io/http01-listen: 80}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef:
      name: le-account
    solvers:
    - http01:
        ingress: {}
EOF2

bad bad-enum "23:16: spec.privateKey.algorithm: 'DSA' is not one of: RSA, ECDSA, Ed25519" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [web.acmec.test]
  privateKey:
    algorithm: DSA
EOF2

bad missing-field '19:3: spec.secretName: required field is missing' <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [web.acmec.test]
EOF2

bad dangling-issuerref "20:14: spec.issuerRef: no ClusterIssuer named 'letsencrypt'" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
  dnsNames: [web.acmec.test]
EOF2

bad issuer-kind-mismatch "20:14: spec.issuerRef: no Issuer named 'le' in namespace default" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: le}
  dnsNames: [web.acmec.test]
EOF2

bad duplicate-name "26:9: metadata.name: Certificate 'default/web' is defined twice (first at $C/duplicate-name.yaml:17:9)" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [web.acmec.test]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web2-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [web2.acmec.test]
EOF2

bad duplicate-key '8:5: spec.acme.server: given more than once' <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
spec:
  acme:
    server: https://acme.test/dir
    server: https://other.test/dir
    privateKeySecretRef: {name: le-account}
    solvers: [{http01: {standalone: {}}}]
EOF2

bad bad-dns-name "23:5: spec.dnsNames\[1\]: 'a.test;touch /tmp/x' is not a valid DNS name" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames:
  - web.acmec.test
  - a.test;touch /tmp/x
EOF2

bad path-escape "19:15: spec.secretName: '../x' is not a valid name" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: ../x
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [web.acmec.test]
EOF2

bad bad-duration "22:13: spec.duration: '90 days' is not a duration such as 2160h or 1h30m" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [web.acmec.test]
  duration: 90 days
EOF2

bad bool-as-string '10:20: spec.acme.skipTLSVerify: expected true or false, found a string' <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers: [{http01: {standalone: {}}}]
    skipTLSVerify: "yes"
EOF2

# kind: Secret is read (config_kinds.sh); a kind of cert-manager's under
# another apiVersion is not.
bad wrong-kind "1:13: apiVersion: 'v1' is not the apiVersion of a Certificate: use cert-manager.io/v1" <<EOF2
apiVersion: v1
kind: Certificate
metadata: {name: x}
EOF2

bad yaml-syntax '4:1: YAML syntax error' <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le
EOF2

bad http-server "7:5: spec.acme: server 'http://acme.test/dir' must be an https:// URL" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
spec:
  acme:
    server: http://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers: [{http01: {standalone: {}}}]
EOF2

bad no-names '19:3: spec: name at least one of dnsNames, ipAddresses or commonName' <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
EOF2

bad bad-ip "21:17: spec.ipAddresses\[0\]: '300.1.2.3' is not an IPv4 or IPv6 address" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  ipAddresses: [300.1.2.3]
EOF2

bad dns-two-providers '10:9: spec.acme.solvers\[0\].dns01: may not specify more than one provider type' <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers:
    - dns01:
        rfc2136: {nameserver: "127.0.0.1:53"}
        webhook: {groupName: acmec.io, solverName: exec, config: {command: [/bin/true]}}
EOF2

bad tsig-algorithm "12:26: spec.acme.solvers\[0\].dns01.rfc2136.tsigAlgorithm: 'HMACSHA384' is not one of: HMACMD5, HMACSHA1, HMACSHA256, HMACSHA512" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers:
    - dns01:
        rfc2136:
          nameserver: 127.0.0.1
          tsigAlgorithm: HMACSHA384
EOF2

bad exec-shell-string '11:37: spec.acme.solvers\[0\].dns01.webhook.config.command: expected a list (the command and its arguments, run without a shell), found a string' <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers:
    - dns01:
        webhook: {groupName: acmec.io, solverName: exec,
                  config: {command: "hook.sh \$NAME"}}
EOF2

bad nameserver "11:23: spec.acme.solvers\[0\].dns01.rfc2136.nameserver: '127.0.0.1:99999' is not host, host:port or \[IPv6\]:port" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers:
    - dns01:
        rfc2136:
          nameserver: 127.0.0.1:99999
EOF2

bad two-solver-types '9:7: spec.acme.solvers\[0\]: may not specify more than one solver type in a single solver' <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers:
    - dns01: {rfc2136: {nameserver: 127.0.0.1}}
      http01: {ingress: {}}
EOF2

bad tlsalpn-address "3:36: metadata.annotations.acmec.io/tlsalpn01-listen: 'localhost:443' is not ADDRESS:PORT" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le, annotations: {acmec.io/tlsalpn01-listen: "localhost:443"}}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers:
    - http01: {ingress: {}}
EOF2

# Several errors are all reported, not just the first.
cat >"$C/many.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
spec:
  acme:
    sever: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers: [{http01: {ingress: {serviceType: LoadBalancer}}}]
EOF2
expect config/many 2 "$ACMEC" -c "$C/many.yaml" check
grep_in config/many-1 "$T_TMP/err" "many.yaml:7:5: spec.acme.sever: unknown field"
grep_in config/many-2 "$T_TMP/err" "many.yaml:9:48: spec.acme.solvers\[0\].http01.ingress.serviceType: 'LoadBalancer' must be empty, \"ClusterIP\" or \"NodePort\""
grep_in config/many-3 "$T_TMP/err" "many.yaml:7:5: spec.acme.server: required field is missing"

# A good configuration with Kubernetes-only fields: accepted, one notice.
cat >"$C/good.yaml" <<EOF2
$ISSUER
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  namespace: prod
  annotations: {owner: web-team, acmec.io/deploy-hook: '["systemctl", "reload", "nginx"]'}
  labels: {app: web}
spec:
  secretName: web-tls
  secretTemplate: {labels: {a: b}}
  revisionHistoryLimit: 2
  issuerRef: {name: le, kind: ClusterIssuer}
  commonName: web.acmec.test
  dnsNames: [web.acmec.test, "*.web.acmec.test"]
  ipAddresses: ["2001:DB8::1"]
  duration: 2160h
  renewBefore: 360h
  privateKey: {algorithm: Ed25519, rotationPolicy: Never}
status: {conditions: []}
EOF2
expect config/good 0 "$ACMEC" -c "$C/good.yaml" check
grep_in config/good-summary "$T_TMP/err" "1 issuer, 1 certificate: OK"
grep_in config/good-notice "$T_TMP/err" "notice: ignoring fields that only mean something inside Kubernetes: status"
grep_in config/good-template "$T_TMP/err" "spec.secretTemplate: acmec writes files, not a Kubernetes Secret"
grep_in config/good-history "$T_TMP/err" "spec.revisionHistoryLimit: acmec keeps no CertificateRequest history"
grep_in config/good-listen-notice "$T_TMP/err" "notice: http01 solvers without an acmec.io/ annotation: acmec answers the challenges itself on port 80"
check config/good-one-notice-each test "$(grep -c notice "$T_TMP/err")" -eq 4

# A directory: every *.yaml, other files ignored.
mkdir -p "$C/dir"
printf '%s\n' "$ISSUER" >"$C/dir/issuer.yaml"
echo 'not yaml: [' >"$C/dir/README"
expect config/dir 0 "$ACMEC" -c "$C/dir" check
expect config/missing 2 "$ACMEC" -c "$C/nonexistent" check
grep_in config/missing-message "$T_TMP/err" "nonexistent: No such file or directory"
# --issuer NAME is the ClusterIssuer NAME, NAMESPACE/NAME an Issuer; a bare
# name only Issuers of several namespaces have is refused, not guessed.
for ns in web mail; do
	printf '%s\n---\n' "$ISSUER" | sed "s/^kind: ClusterIssuer/kind: Issuer/;
	    s/^  name: le/  name: le\\n  namespace: $ns/;
	    s/le-account/$ns-account/"
done >"$C/issuers.yaml"
expect config/issuer-check 0 "$ACMEC" -c "$C/issuers.yaml" check
expect config/issuer-ambiguous 2 "$ACMEC" -c "$C/issuers.yaml" account show --issuer le
grep_in config/issuer-ambiguous-message "$T_TMP/err" "error: --issuer le: Issuers of several namespaces have this name; write NAMESPACE/NAME"
finish
