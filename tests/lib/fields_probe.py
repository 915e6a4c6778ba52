#!/usr/bin/env python3
"""Probe acmec's loader with every field path of cert-manager's v1 API.

usage: fields_probe.py ACMEC KIND... [--tsv FILE]

For each row of tests/data/cert-manager/fields-v1.tsv of the given kinds,
a small valid document of that kind gets that one field set to a value of
its type (and its parents created), and `ACMEC -c FILE check` runs on it.
acmec may refuse the value (a Kubernetes-only field, a provider it does
not run yet, a missing sibling), but it must never call a field of
cert-manager's API "unknown field": that message is for what cert-manager
does not have.  A made-up field is probed too and must be unknown.

Prints one line per path that fails and a summary; exit 1 if any failed.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TSV = os.path.join(HERE, '..', 'data', 'cert-manager', 'fields-v1.tsv')

BASE = {
    'Issuer': {
        'apiVersion': 'cert-manager.io/v1', 'kind': 'Issuer',
        'metadata': {'name': 'le', 'namespace': 'default'},
        'spec': {'acme': {'server': 'https://acme.test/dir',
                          'privateKeySecretRef': {'name': 'le-account'},
                          'solvers': [{'http01': {'ingress': {}}}]}},
    },
    'Certificate': {
        'apiVersion': 'cert-manager.io/v1', 'kind': 'Certificate',
        'metadata': {'name': 'web', 'namespace': 'default'},
        'spec': {'secretName': 'web-tls',
                 'issuerRef': {'name': 'le', 'kind': 'Issuer'},
                 'dnsNames': ['web.acmec.test']},
    },
}
BASE['ClusterIssuer'] = json.loads(json.dumps(BASE['Issuer']))
BASE['ClusterIssuer']['kind'] = 'ClusterIssuer'
del BASE['ClusterIssuer']['metadata']['namespace']


def sample(row):
    """A value of the row's type (the first enum value if closed)."""
    for c in row['constraints'].split(' ; '):
        if c.startswith('enum:'):
            return c[5:].split(' ')[0].split(',')[0]
    return {
        'string': 'x', 'integer': 1, 'boolean': True, 'object': {},
        'array': [], 'map': {}, 'json': {}, 'duration': '1h',
        'timestamp': '2026-01-01T00:00:00Z', 'quantity': '1',
        'bytes': 'eA==',
    }[row['type']]


def set_path(doc, path, value):
    """Set doc at path ("a.b[].c", "m{}"), creating the parents."""
    parts = path.replace('[]', '.[]').replace('{}', '.{}').split('.')
    cur = doc
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        nxt = None if last else parts[i + 1]
        if p == '[]':
            if not cur:
                cur.append({} if nxt not in ('[]', '{}') else [])
            if last:
                cur[0] = value
            cur = cur[0]
            continue
        key = 'acmec-probe' if p == '{}' else p
        if last:
            cur[key] = value
        else:
            want = [] if nxt == '[]' else {}
            if not isinstance(cur.get(key), type(want)):
                cur[key] = want
            cur = cur[key]
    return doc


def probe(acmec, doc, tmp):
    path = os.path.join(tmp, 'probe.yaml')
    with open(path, 'w', encoding='utf-8') as fh:
        json.dump(doc, fh)
    r = subprocess.run([acmec, '-c', path, 'check'], capture_output=True,
                       text=True, check=False)
    return r.stderr


def main():
    args = sys.argv[1:]
    tsv = TSV
    if '--tsv' in args:
        i = args.index('--tsv')
        tsv = args[i + 1]
        del args[i:i + 2]
    acmec, kinds = args[0], args[1:]
    rows = []
    with open(tsv, encoding='utf-8') as fh:
        header = None
        for line in fh:
            if line.startswith('#') or not line.strip():
                continue
            cols = line.rstrip('\n').split('\t')
            if header is None:
                header = cols
                continue
            rows.append(dict(zip(header, cols)))
    failed = checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            base = json.dumps(BASE[kind])
            made_up = set_path(json.loads(base), 'spec.acmecProbe', 'x')
            if 'unknown field' not in probe(acmec, made_up, tmp):
                print(f'{kind} spec.acmecProbe: not called unknown')
                failed += 1
            for row in rows:
                if row['kind'] != kind or row['path'] in ('apiVersion',
                                                          'kind'):
                    continue
                checked += 1
                doc = set_path(json.loads(base), row['path'], sample(row))
                err = probe(acmec, doc, tmp)
                if 'unknown field' in err:
                    line = [l for l in err.splitlines()
                            if 'unknown field' in l][0]
                    print(f'{kind} {row["path"]}: {line}')
                    failed += 1
    print(f'{checked} field paths probed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
