#!/usr/bin/env python3
"""Checks of exported manifests, from public facts (no cluster needed).

k8s_check.py schema FILE
    Every Secret document passes the API server's validation of a Secret
    (Kubernetes API reference, core/v1 Secret; pkg/apis/core/validation
    ValidateSecret): apiVersion v1, kind Secret, metadata.name a DNS-1123
    subdomain (at most 253 characters, [a-z0-9]([-a-z0-9]*[a-z0-9])? labels
    joined by '.'), metadata.namespace a DNS-1123 label, data keys
    [-._a-zA-Z0-9]+ of at most 253, not "." or ".." or starting with ".."
    (IsConfigMapKey), data values standard base64 (RFC 4648 section 4, with
    padding: Go's base64.StdEncoding), total data at most 1 MiB, and a
    kubernetes.io/tls Secret holds the keys tls.crt and tls.key (present;
    ValidateSecret does not look at their length).

k8s_check.py uptodate FILE CERTDIR
    cert-manager's trigger policy chain (internal/controller/certificates/
    policies/policies.go NewTriggerPolicyChain; checks.go) finds nothing to
    do for each kubernetes.io/tls Secret whose Certificate is in FILE:
      SecretIsMissingData: tls.crt and tls.key are not empty;
      SecretPublicKeysDiffer: tls.key is the key of tls.crt's leaf;
      SecretIssuerAnnotationsMismatch (pkg/api/util/issuers.go
        SecretIssuerAnnotationsMatch): issuer-name equals issuerRef.name;
        issuer-kind, "" being Issuer; issuer-group, "" being cert-manager.io;
      SecretCertificateNameAnnotationsMismatch: certificate-name equals the
        Certificate's name;
      SecretPrivateKeyMismatchesSpec: the key's algorithm and size are the
        spec's privateKey (RSA 2048 when unset);
      CurrentCertificateNearingExpiry: now is before the renewal time
        (renewBeforePercentage, else renewBefore, else 2/3 of the lifetime);
      and the post-issuance details (SecretCertificateDetailsAnnotations-
      Mismatch): the annotations AnnotationsForCertificate gives the leaf.
Exit 0 when all hold; otherwise each failure printed, exit 1.
"""
import base64
import binascii
import datetime
import re
import subprocess
import sys

import yaml

LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
SUBDOMAIN = re.compile(r"^%s(\.%s)*$" % (LABEL, LABEL))
NSLABEL = re.compile(r"^%s$" % LABEL)
KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
fails = []


def bad(what):
    fails.append(what)


def docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def schema(d):
    m = d.get("metadata") or {}
    name = m.get("name", "")
    where = "Secret %s" % name
    if d.get("apiVersion") != "v1":
        bad("%s: apiVersion %r" % (where, d.get("apiVersion")))
    if not (0 < len(name) <= 253 and SUBDOMAIN.match(name)):
        bad("%s: name is not a DNS-1123 subdomain" % where)
    ns = m.get("namespace")
    if ns is not None and not (len(ns) <= 63 and NSLABEL.match(ns)):
        bad("%s: namespace %r is not a DNS-1123 label" % (where, ns))
    for sect in ("labels", "annotations"):
        for k, v in (m.get(sect) or {}).items():
            if not isinstance(k, str) or not isinstance(v, str):
                bad("%s: %s %r: %r is not a string" % (where, sect, k, v))
    total = 0
    data = d.get("data") or {}
    for k, v in data.items():
        if not isinstance(k, str) or not KEY.match(k) or len(k) > 253 \
                or k in (".", "..") or k.startswith(".."):
            bad("%s: data key %r" % (where, k))
        if not isinstance(v, str):
            bad("%s: data %s is not a string" % (where, k))
            continue
        try:
            raw = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            bad("%s: data %s is not standard base64" % (where, k))
            continue
        if base64.b64encode(raw).decode() != v:
            bad("%s: data %s is not canonical padded base64" % (where, k))
        total += len(raw)
    if total > 1024 * 1024:
        bad("%s: more than 1 MiB of data" % where)
    if d.get("type") == "kubernetes.io/tls":
        for k in ("tls.crt", "tls.key"):
            if k not in data:
                bad("%s: kubernetes.io/tls Secret lacks %s" % (where, k))


def openssl(args, data):
    return subprocess.run(["openssl"] + args, input=data,
                          capture_output=True, check=True).stdout


def leaf_facts(crt):
    """The leaf's details, as AnnotationsForCertificate needs them."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    c = x509.load_pem_x509_certificate(crt)

    def attrs(oid):
        return [a.value for a in c.subject.get_attributes_for_oid(oid)]
    try:
        san = c.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = x509.SubjectAlternativeName([])
    import csv
    import io

    def join(v):
        b = io.StringIO()
        csv.writer(b, lineterminator="\n").writerow(v)
        return b.getvalue().rstrip("\n") if v else ""
    out = {"cert-manager.io/common-name": (attrs(NameOID.COMMON_NAME) or
                                          [""])[-1]}
    opt = [("subject-serialnumber", NameOID.SERIAL_NUMBER, False),
           ("subject-organizations", NameOID.ORGANIZATION_NAME, True),
           ("subject-organizationalunits",
            NameOID.ORGANIZATIONAL_UNIT_NAME, True),
           ("subject-countries", NameOID.COUNTRY_NAME, True),
           ("subject-provinces", NameOID.STATE_OR_PROVINCE_NAME, True),
           ("subject-localities", NameOID.LOCALITY_NAME, True),
           ("subject-postalcodes", NameOID.POSTAL_CODE, True),
           ("subject-streetaddresses", NameOID.STREET_ADDRESS, True)]
    for k, oid, csvd in opt:
        v = attrs(oid)
        if v:
            out["cert-manager.io/" + k] = join(v) if csvd else v[-1]
    emails = san.get_values_for_type(x509.RFC822Name)
    if emails:
        out["cert-manager.io/email-sans"] = join(emails)
    out["cert-manager.io/alt-names"] = join(
        san.get_values_for_type(x509.DNSName))
    out["cert-manager.io/ip-sans"] = join(
        [str(i) for i in san.get_values_for_type(x509.IPAddress)])
    out["cert-manager.io/uri-sans"] = join(
        san.get_values_for_type(x509.UniformResourceIdentifier))
    return c, out


def key_facts(keypem):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519
    k = serialization.load_pem_private_key(keypem, None)
    if isinstance(k, rsa.RSAPrivateKey):
        return k, "RSA", k.key_size
    if isinstance(k, ec.EllipticCurvePrivateKey):
        return k, "ECDSA", k.curve.key_size
    if isinstance(k, ed25519.Ed25519PrivateKey):
        return k, "Ed25519", 0
    return k, "?", 0


def duration(s):
    """A Go duration as cert-manager writes them (2160h, 90m, 1h30m)."""
    secs = 0
    for n, u in re.findall(r"(\d+)(h|m|s)", s or ""):
        secs += int(n) * {"h": 3600, "m": 60, "s": 1}[u]
    return secs


def uptodate(d, cert):
    from cryptography.hazmat.primitives import serialization
    name = d["metadata"]["name"]
    ann = d["metadata"].get("annotations") or {}
    data = {k: base64.b64decode(v) for k, v in (d.get("data") or {}).items()}
    spec = cert["spec"]
    where = "Secret %s (Certificate %s)" % (name, cert["metadata"]["name"])
    if not data.get("tls.crt") or not data.get("tls.key"):
        bad("%s: SecretIsMissingData" % where)
        return
    ref = spec["issuerRef"]
    if ann.get("cert-manager.io/issuer-name") != ref["name"]:
        bad("%s: issuer-name %r" % (where,
                                    ann.get("cert-manager.io/issuer-name")))
    if (ann.get("cert-manager.io/issuer-kind") or "Issuer") != \
            (ref.get("kind") or "Issuer"):
        bad("%s: issuer-kind" % where)
    if (ann.get("cert-manager.io/issuer-group") or "cert-manager.io") != \
            (ref.get("group") or "cert-manager.io"):
        bad("%s: issuer-group" % where)
    if ann.get("cert-manager.io/certificate-name") != \
            cert["metadata"]["name"]:
        bad("%s: certificate-name" % where)
    c, details = leaf_facts(data["tls.crt"])
    k, alg, size = key_facts(data["tls.key"])
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    if k.public_key().public_bytes(enc, pub) != \
            c.public_key().public_bytes(enc, pub):
        bad("%s: SecretPublicKeysDiffer" % where)
    pk = spec.get("privateKey") or {}
    want_alg = pk.get("algorithm") or "RSA"
    want_size = pk.get("size") or {"RSA": 2048, "ECDSA": 256}.get(want_alg,
                                                                   0)
    if alg != want_alg or size != want_size:
        bad("%s: SecretPrivateKeyMismatchesSpec: %s %d, spec %s %d" %
            (where, alg, size, want_alg, want_size))
    utc = datetime.timezone.utc
    nb = getattr(c, "not_valid_before_utc", None) or \
        c.not_valid_before.replace(tzinfo=utc)
    na = getattr(c, "not_valid_after_utc", None) or \
        c.not_valid_after.replace(tzinfo=utc)
    life = na - nb
    if spec.get("renewBeforePercentage"):
        rb = life * spec["renewBeforePercentage"] / 100
    elif spec.get("renewBefore"):
        rb = datetime.timedelta(seconds=duration(spec["renewBefore"]))
    else:
        rb = life / 3
    if datetime.datetime.now(datetime.timezone.utc) >= na - rb:
        bad("%s: CurrentCertificateNearingExpiry" % where)
    for k2, v in details.items():
        if ann.get(k2) != v:
            bad("%s: annotation %s is %r, cert-manager writes %r" %
                (where, k2, ann.get(k2), v))
    for k2 in ann:
        if k2.startswith("cert-manager.io/") and k2 not in details and \
                k2 not in ("cert-manager.io/certificate-name",
                           "cert-manager.io/issuer-name",
                           "cert-manager.io/issuer-kind",
                           "cert-manager.io/issuer-group"):
            bad("%s: annotation %s cert-manager does not write" % (where, k2))
    if (d["metadata"].get("labels") or {}).get(
            "controller.cert-manager.io/fao") != "true":
        bad("%s: SecretBaseLabelsMismatch" % where)
    # SecretAdditionalOutputFormatsMismatch compares the bytes:
    # OutputFormatCombinedPEM joins key and chain with "\n"; key.der is
    # the PEM key's DER.
    if "tls-combined.pem" in data and data["tls-combined.pem"] != \
            data["tls.key"] + b"\n" + data["tls.crt"]:
        bad("%s: tls-combined.pem is not tls.key, \"\\n\", tls.crt" % where)
    if "key.der" in data and data["key.der"] != \
            k.private_bytes(serialization.Encoding.DER,
                            serialization.PrivateFormat.PKCS8
                            if b"BEGIN PRIVATE KEY" in data["tls.key"] else
                            serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()):
        bad("%s: key.der is not tls.key's DER" % where)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    ds = docs(path)
    secrets = [d for d in ds if d.get("kind") == "Secret"]
    if mode == "schema":
        for d in secrets:
            schema(d)
    else:
        certs = [d for d in ds if d.get("kind") == "Certificate"]
        n = 0
        for c in certs:
            ns = c["metadata"].get("namespace")
            for d in secrets:
                if d["metadata"]["name"] == c["spec"]["secretName"] and \
                        d.get("type") == "kubernetes.io/tls" and \
                        d["metadata"].get("namespace", ns) == (ns or
                        d["metadata"].get("namespace")):
                    uptodate(d, c)
                    n += 1
        if n == 0:
            bad("no Secret of any Certificate found")
    for f in fails:
        print(f)
    sys.exit(1 if fails else 0)


main()
