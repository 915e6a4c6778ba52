#!/bin/sh
# acmec's own settings live where a cluster accepts them (acmec.io/
# annotations, a dns01.webhook of group acmec.io); the old in-spec
# spellings are refused with the new one shown; Kubernetes' semantics for
# null and "".  `acmec check` uses no network.
. "$(dirname "$0")/../lib/e2e.sh"

C=$T_TMP/c
mkdir -p "$C"

# doc NAME ANNOTATIONS SOLVERS: a ClusterIssuer with these annotations
# (flow pairs) and solvers (flow list), and a Certificate for it.
doc() {
	cat <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
  annotations: {$2}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: le-account}
    solvers: $3
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web}
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [web.acmec.test]
EOF2
}

# bad NAME MESSAGE ANNOTATIONS SOLVERS: refused with exit 2 and MESSAGE.
bad() {
	doc "$1" "$3" "$4" >"$C/$(echo "$1" | tr / -).yaml"
	expect "$1" 2 "$ACMEC" -c "$C/$(echo "$1" | tr / -).yaml" check
	grep_in "$1/message" "$T_TMP/err" "$2"
}
# good NAME ANNOTATIONS SOLVERS: accepted.
good() {
	doc "$1" "$2" "$3" >"$C/$(echo "$1" | tr / -).yaml"
	expect "$1" 0 "$ACMEC" -c "$C/$(echo "$1" | tr / -).yaml" check
}

HTTP='[{http01: {ingress: {}}}]'
DNS='[{dns01: {rfc2136: {nameserver: "127.0.0.1:53"}}}]'
HOOK='{groupName: acmec.io, solverName: exec, config: {command: [/bin/true]}}'

# The new form is accepted, in every combination the design allows.
good new/listen 'acmec.io/http01-listen: ":8080"' "$HTTP"
good new/listen-v6 'acmec.io/http01-listen: "[::1]:80"' "$HTTP"
good new/webroot 'acmec.io/http01-webroot: /var/www' "$HTTP"
good new/tlsalpn 'acmec.io/tlsalpn01-listen: ":443"' "$HTTP"
good new/gateway '' '[{http01: {gatewayHTTPRoute: {parentRefs: [{name: gw, kind: Gateway}]}}}]'
good new/per-solver 'acmec.io/http01-webroot: /srv, acmec.io/solvers.1.tlsalpn01-listen: "127.0.0.1:443"' \
    '[{selector: {dnsNames: [a.test]}, http01: {ingress: {}}}, {http01: {ingress: {}}}]'
good new/hook 'acmec.io/dns01-propagation-timeout: 90s' "[{dns01: {webhook: $HOOK, nameservers: [\"127.0.0.1:53\"]}}]"
good new/wait '' '[{waitInsteadOfSelfCheck: 0s, dns01: {rfc2136: {nameserver: "[::1]:53", protocol: TCP, tsigAlgorithm: hmacsha256, tsigKeyName: k, tsigSecretSecretRef: {name: t, key: k}}}}]'
good new/others-annotations 'kubectl.kubernetes.io/last-applied-configuration: "{}", argocd.argoproj.io/sync-wave: "1"' "$HTTP"
good new/no-solvers '' '[]'
good new/ari-none '' "$HTTP
    renewalInformationSource: None"

# The old spellings: refused, and the message shows the new one.
bad old/standalone 'http01.standalone is acmec.s old spelling, which a cluster refuses: write http01: {ingress: {}} and, on the issuer, metadata.annotations: {acmec.io/http01-listen: "127.0.0.1:8080"}' \
    '' '[{http01: {standalone: {address: 127.0.0.1, port: 8080}}}]'
bad old/webroot 'write http01: {ingress: {}} and, on the issuer, metadata.annotations: {acmec.io/http01-webroot: /var/www}' \
    '' '[{http01: {webroot: {path: /var/www}}}]'
bad old/tlsalpn01 'metadata.annotations: {acmec.io/tlsalpn01-listen: ":443"}' \
    '' '[{tlsalpn01: {}}]'
bad old/exec 'write dns01: {webhook: {groupName: acmec.io, solverName: exec, config: {command: \[...\], timeout: ...}}}' \
    '' '[{dns01: {exec: {command: [/bin/true]}}}]'
bad old/recursive 'recursiveNameservers is acmec.s old spelling, which a cluster refuses: write dns01.nameservers' \
    '' "[{dns01: {webhook: $HOOK, recursiveNameservers: [\"127.0.0.1:53\"]}}]"
bad old/propagation-check 'write waitInsteadOfSelfCheck: 0s on the solver' \
    '' "[{dns01: {webhook: $HOOK, propagationCheck: None}}]"
bad old/propagation-timeout 'metadata.annotations: {acmec.io/dns01-propagation-timeout: 2m} on the issuer' \
    '' "[{dns01: {webhook: $HOOK, propagationTimeout: 2m}}]"
doc old/hooks '' "$HTTP" >"$C/hooks.yaml"
printf '  hooks: {deploy: "systemctl reload nginx"}\n' >>"$C/hooks.yaml"
expect old/hooks 2 "$ACMEC" -c "$C/hooks.yaml" check
grep_in old/hooks/message "$T_TMP/err" 'hooks.yaml:19:10: spec.hooks: spec.hooks is acmec.s old spelling, which a cluster refuses: write metadata.annotations: {acmec.io/deploy-hook: "systemctl reload nginx"}'

# Annotations that cannot apply are errors, never ignored.
bad ann/unknown "metadata.annotations: 'acmec.io/http01-port' is not an acmec annotation (expected one of: acmec.io/http01-listen, acmec.io/http01-webroot, acmec.io/tlsalpn01-listen, acmec.io/dns01-propagation-timeout" \
    'acmec.io/http01-port: "80"' "$HTTP"
bad ann/two-modes "give one of acmec.io/http01-listen, http01-webroot or tlsalpn01-listen; 'acmec.io/http01-listen' is also set" \
    'acmec.io/http01-listen: ":80", acmec.io/http01-webroot: /srv' "$HTTP"
bad ann/relative "metadata.annotations.acmec.io/http01-webroot: 'srv/www' must be an absolute path" \
    'acmec.io/http01-webroot: srv/www' "$HTTP"
bad ann/no-http "'acmec.io/http01-webroot': no http01 solver in spec.acme.solvers to apply it to" \
    'acmec.io/http01-webroot: /srv' "$DNS"
bad ann/index "'acmec.io/solvers.3.http01-listen': spec.acme.solvers has 1 entry (counted from 0)" \
    'acmec.io/solvers.3.http01-listen: ":80"' "$HTTP"
bad ann/wrong-type "'acmec.io/solvers.0.http01-webroot': spec.acme.solvers\[0\] is not an http01 solver" \
    'acmec.io/solvers.0.http01-webroot: /srv' "$DNS"
bad ann/timeout "'soon' is not a duration such as 5m or 90s" \
    'acmec.io/dns01-propagation-timeout: soon' "$DNS"
bad ann/listen "'80:80:80' is not ADDRESS:PORT" 'acmec.io/http01-listen: "80:80:80"' "$HTTP"
bad ann/not-string 'metadata.annotations.acmec.io/http01-listen: expected a string, found an integer (quote it to make it a string)' \
    'acmec.io/http01-listen: 8080' "$HTTP"

# Webhook solvers: acmec.io's own, others run inside a cluster only.
# Solvers only a cluster runs: noticed, the rest of the tree goes on
# (the names they are selected for fail at issue time: issue_failures.sh).
good hook/other-group '' '[{dns01: {webhook: {groupName: acme.example.com, solverName: hetzner}}}]'
grep_in hook/other-group/notice "$T_TMP/err" "spec.acme.solvers\[0\].dns01.webhook is webhook solver 'hetzner' of group 'acme.example.com', which runs inside a Kubernetes cluster only; the names this solver is selected for fail"
good hook/route53-k8s '' '[{dns01: {route53: {auth: {kubernetes: {serviceAccountRef: {name: cm, audiences: [sts.amazonaws.com]}}}}}}, {http01: {ingress: {}}}]'
grep_in hook/route53-k8s/notice "$T_TMP/err" "spec.acme.solvers\[0\].dns01.route53.auth authenticates with a Kubernetes ServiceAccount token, which only a cluster has"
bad hook/route53-scalar 'spec.acme.solvers\[0\].dns01.route53: expected a mapping, found a string' '' '[{dns01: {route53: yes please}}]'

# route53, as cert-manager checks it (and ids that go into URLs).
good r53/ambient '' '[{dns01: {route53: {region: eu-west-1}}}]'
good r53/keys '' '[{dns01: {route53: {accessKeyID: AKIAX, secretAccessKeySecretRef: {name: aws, key: s}, hostedZoneID: /hostedzone/Z2ABC, role: "arn:aws:iam::1:role/dns"}}}]'
bad r53/both-ids 'accessKeyID and accessKeyIDSecretRef cannot both be specified' '' \
    '[{dns01: {route53: {accessKeyID: AKIAX, accessKeyIDSecretRef: {name: aws, key: id}, secretAccessKeySecretRef: {name: aws, key: s}}}}]'
bad r53/id-alone 'only one of access and secret key was provided' '' '[{dns01: {route53: {accessKeyID: AKIAX}}}]'
bad r53/secret-alone 'only one of access and secret key was provided' '' \
    '[{dns01: {route53: {secretAccessKeySecretRef: {name: aws, key: s}}}}]'
bad r53/zone-id "dns01.route53.hostedZoneID: '../Z1' is not a Route 53 hosted zone id" '' \
    '[{dns01: {route53: {hostedZoneID: ../Z1}}}]'
bad r53/region "dns01.route53.region: 'EU West' is not an AWS region" '' '[{dns01: {route53: {region: EU West}}}]'
bad r53/role "dns01.route53.role: 'dns' is not a role ARN" '' '[{dns01: {route53: {role: dns}}}]'
bad r53/k8s-no-name 'serviceAccountRef.name: required field is missing' '' \
    '[{dns01: {route53: {auth: {kubernetes: {serviceAccountRef: {}}}}}}]'

# acmeDNS, as cert-manager checks it (and https only).
good adns/ok '' '[{dns01: {acmeDNS: {host: "https://acme-dns.a.test", accountSecretRef: {name: a, key: j}}}}]'
bad adns/no-host 'dns01.acmeDNS.host: required field is missing' '' '[{dns01: {acmeDNS: {accountSecretRef: {name: a, key: j}}}}]'
bad adns/no-account 'dns01.acmeDNS.accountSecretRef: required field is missing' '' '[{dns01: {acmeDNS: {host: "https://a.test"}}}]'

# digitalocean, as cert-manager checks it.
good do/token '' '[{dns01: {digitalocean: {tokenSecretRef: {name: do, key: token}}}}]'
bad do/no-token 'dns01.digitalocean.tokenSecretRef: required field is missing' '' '[{dns01: {digitalocean: {}}}]'
bad do/no-key 'dns01.digitalocean.tokenSecretRef.key: required field is missing' '' \
    '[{dns01: {digitalocean: {tokenSecretRef: {name: do}}}}]'

# cloudflare, as cert-manager checks it.
good cf/token '' '[{dns01: {cloudflare: {apiTokenSecretRef: {name: cf, key: token}}}}]'
good cf/key '' '[{dns01: {cloudflare: {apiKeySecretRef: {name: cf, key: key}, email: ops@a.test}}}]'
bad cf/both 'apiKeySecretRef and apiTokenSecretRef cannot both be specified' '' \
    '[{dns01: {cloudflare: {apiKeySecretRef: {name: cf, key: k}, apiTokenSecretRef: {name: cf, key: t}, email: ops@a.test}}}]'
bad cf/neither 'apiKeySecretRef or apiTokenSecretRef is required' '' '[{dns01: {cloudflare: {email: ops@a.test}}}]'
bad cf/no-email 'spec.acme.solvers\[0\].dns01.cloudflare.email: required with apiKeySecretRef' '' \
    '[{dns01: {cloudflare: {apiKeySecretRef: {name: cf, key: k}}}}]'
bad cf/no-key 'dns01.cloudflare.apiTokenSecretRef.key: required field is missing' '' \
    '[{dns01: {cloudflare: {apiTokenSecretRef: {name: cf}}}}]'
bad cf/unknown "dns01.cloudflare.apiToken: unknown field (expected one of: email, apiKeySecretRef, apiTokenSecretRef)" '' \
    '[{dns01: {cloudflare: {apiToken: abc}}}]'
bad hook/other-solver "group acmec.io has one solver, 'exec' (a hook command); found 'run'" \
    '' '[{dns01: {webhook: {groupName: acmec.io, solverName: run, config: {command: [/bin/true]}}}}]'
bad hook/no-config 'spec.acme.solvers\[0\].dns01.webhook.config: required field is missing' \
    '' '[{dns01: {webhook: {groupName: acmec.io, solverName: exec}}}]'
bad hook/no-solver-name 'solverName: required field is missing' \
    '' '[{dns01: {webhook: {groupName: acmec.io}}}]'

# cert-manager's validation rules, cert-manager's refusals.
bad cm/nameserver-port "'127.0.0.1' must be in the format <ip address>:<port>" \
    '' "[{dns01: {webhook: $HOOK, nameservers: [127.0.0.1]}}]"
bad cm/wait-negative "'-5s' is not a duration" '' "[{waitInsteadOfSelfCheck: -5s, dns01: {webhook: $HOOK}}]"
bad cm/no-http01-type 'no HTTP01 solver type configured' '' '[{http01: {}}]'
bad cm/ingress-two 'only one of .ingressClassName., .name. or .class. should be specified' \
    '' '[{http01: {ingress: {class: nginx, name: web}}}]'
bad cm/no-provider 'no DNS01 provider configured' '' '[{dns01: {cnameStrategy: Follow}}]'
bad cm/no-type 'no solver type configured' '' '[{selector: {dnsZones: [a.test]}}]'
bad cm/bare-v6 "'::1': an IPv6 address goes in brackets, as in '\[::1\]:53'" '' '[{dns01: {rfc2136: {nameserver: "::1"}}}]'
bad cm/protocol "'tcp' is not one of: UDP, TCP" '' '[{dns01: {rfc2136: {nameserver: "127.0.0.1:53", protocol: tcp}}}]'
doc cm/ca-skip '' "$HTTP" | sed 's/^    solvers:/    skipTLSVerify: true\n    caBundle: '"$(printf '%s' '-----BEGIN CERTIFICATE-----' | base64)"'\n    solvers:/' >"$C/ca-skip.yaml"
expect cm/ca-skip 2 "$ACMEC" -c "$C/ca-skip.yaml" check
grep_in cm/ca-skip/message "$T_TMP/err" 'caBundle and skipTLSVerify are mutually exclusive and cannot both be set'

# The account's contact address is checked as a CA checks it.
bad email/localhost "spec.acme.email: 'ops@localhost' needs a dot in its domain" '' "$HTTP
    email: ops@localhost"
bad email/name "spec.acme.email: 'Ops <ops@a.test>' is not an address: give the address alone" '' "$HTTP
    email: 'Ops <ops@a.test>'"
bad email/placeholder "spec.acme.email: '\\\${ACME_EMAIL}' left unsubstituted: run envsubst" '' "$HTTP
    email: \${ACME_EMAIL}"

# null and "" are unset, as Kubernetes reads them.
doc k8s/null '' "$HTTP" | sed 's/^  dnsNames:/  commonName: ""\n  isCA: null\n  duration: ~\n  dnsNames:/;
    s/^    solvers:/    preferredChain: ""\n    email: null\n    solvers:/' >"$C/null.yaml"
expect k8s/null 0 "$ACMEC" -c "$C/null.yaml" check
doc k8s/null-required '' "$HTTP" | sed 's/^  secretName: web-tls/  secretName: null/' >"$C/null-req.yaml"
expect k8s/null-required 2 "$ACMEC" -c "$C/null-req.yaml" check
grep_in k8s/null-required/message "$T_TMP/err" 'spec.secretName: required field is missing'
good k8s/null-solver '' '[{http01: {ingress: {}, gatewayHTTPRoute: null}}]'
finish
