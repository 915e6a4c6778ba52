#!/usr/bin/env python3
"""Extract the cert-manager YAML examples of acmec's documentation.

usage: doc_blocks.py OUTDIR FILE...

A block is taken when it holds a line starting with "apiVersion:"; every
such block must be a complete configuration (its issuers with its
Certificates), since tests/e2e/docs_yaml.sh runs `acmec check` on each
alone.  Fragments (a solver alone, say) have no apiVersion line and are
left out.  Where blocks are found:

  README        ```yaml fences, and runs of lines indented by 4 spaces with
                no blank line inside (a YAML example there has none)
  *.1, *.5      .Bd -literal ... .Ed, roff escapes undone
  *.yaml        the whole file (the fuzzers' seed configurations)
  *.sh          here-documents; $PEBBLE_DIR and $(ca_bundle ...) become a
                directory URL and $DOC_CA_BUNDLE (any other $ stays, and
                fails the check loudly)

For block N it writes OUTDIR/N.yaml, OUTDIR/N.json (a JSON list of the
documents, for check_fields.py) or OUTDIR/N.err (not YAML), and a Secret
file OUTDIR/N.secrets/NAME/KEY for every *SecretRef {name, key} but the
account key's, and prints "N<TAB>FILE:LINE".
"""
import base64
import json
import os
import re
import sys

import yaml


def readme_blocks(lines):
    i = 0
    while i < len(lines):
        if lines[i].strip() == '```yaml':
            j = i + 1
            while j < len(lines) and lines[j].strip() != '```':
                j += 1
            yield i + 2, lines[i + 1:j]
            i = j + 1
        elif lines[i].startswith('    ') and lines[i].strip():
            j = i
            while j < len(lines) and lines[j].startswith('    ') and \
                    lines[j].strip():
                j += 1
            yield i + 1, [ln[4:] for ln in lines[i:j]]
            i = j
        else:
            i += 1


def roff(s):
    for a, b in (('\\e', '\\'), ('\\&', ''), ('\\-', '-'), ('\\(aq', "'"),
                 ('\\(dq', '"')):
        s = s.replace(a, b)
    return s


def man_blocks(lines):
    i = 0
    while i < len(lines):
        if lines[i].startswith('.Bd -literal'):
            j = i + 1
            while j < len(lines) and not lines[j].startswith('.Ed'):
                j += 1
            yield i + 2, [roff(ln) for ln in lines[i + 1:j]]
            i = j + 1
        else:
            i += 1


def shell(s):
    s = re.sub(r'\$\(ca_bundle[^)]*\)(\.\.\.)?',
               os.environ.get('DOC_CA_BUNDLE', 'DOC_CA_BUNDLE'), s)
    return re.sub(r'\$\{?PEBBLE_DIR\}?', 'https://127.0.0.1:14000/dir', s)


def sh_blocks(lines):
    i = 0
    while i < len(lines):
        m = re.search(r"<<-?\s*(['\"]?)(\w+)\1", lines[i])
        if m:
            quoted, end = m.group(1) != '', m.group(2)
            j = i + 1
            while j < len(lines) and lines[j].strip() != end:
                j += 1
            body = lines[i + 1:j]
            yield i + 2, body if quoted else [shell(ln) for ln in body]
            i = j + 1
        else:
            i += 1


def secret_refs(obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k.endswith('SecretRef') and k != 'privateKeySecretRef' and \
                    isinstance(v, dict) and v.get('name'):
                out.add((v['name'], v.get('key') or 'tls.key'))
            secret_refs(v, out)
    elif isinstance(obj, list):
        for v in obj:
            secret_refs(v, out)


def write(outdir, n, text):
    path = os.path.join(outdir, str(n))
    with open(path + '.yaml', 'w') as fh:
        fh.write(text)
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        with open(path + '.err', 'w') as fh:
            fh.write('not YAML: %s\n' % str(e).replace('\n', ' '))
        return
    with open(path + '.json', 'w') as fh:
        json.dump(docs, fh, default=str)
    refs = set()
    secret_refs(docs, refs)
    for name, key in refs:
        d = os.path.join(path + '.secrets', name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, key), 'w') as fh:
            fh.write(base64.b64encode(bytes(range(30))).decode() + '\n')


def main(argv):
    outdir, n = argv[1], 0
    for name in argv[2:]:
        with open(name) as fh:
            lines = fh.read().split('\n')
        base = os.path.basename(name)
        if base.endswith('.yaml'):
            blocks = iter([(1, lines)])
        elif re.search(r'\.[0-9]$', base):
            blocks = man_blocks(lines)
        elif base.endswith('.sh'):
            blocks = sh_blocks(lines)
        else:
            blocks = readme_blocks(lines)
        for line, body in blocks:
            if not any(ln.startswith('apiVersion:') for ln in body):
                continue
            n += 1
            write(outdir, n, '\n'.join(body) + '\n')
            print('%d\t%s:%d' % (n, name, line))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
