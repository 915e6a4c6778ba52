#!/usr/bin/env python3
"""Check manifests, given as JSON, against fields-v1.tsv.

usage: check_fields.py [--tsv FILE] DOC.json...

Each JSON file holds one object, a JSON array of objects, or a kind: List.
Turn YAML into JSON elsewhere (python3 stdlib has no YAML reader), e.g.
  yq -o=json -I=0 '.' file.yaml | jq -s . > file.json
  kubectl create --dry-run=client -o json -f file.yaml > file.json

Reports, per document: fields not in the table for that kind ("unknown
field"), schema type mismatches, missing required keys, and values outside a
closed enum. Kinds the table does not have are reported and skipped.
Exit status 1 if anything was reported. Python 3 standard library only.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_table(path):
    table = {}
    with open(path, encoding='utf-8') as fh:
        header = None
        for line in fh:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            cols = line.split('\t')
            if header is None:
                header = cols
                continue
            row = dict(zip(header, cols))
            table.setdefault(row['kind'], {})[row['path']] = row
    return table


def enum_of(cons):
    """Closed enum from the constraints column: (values, case_insensitive)."""
    for part in cons.split(' ; '):
        m = re.match(r'enum:([^()\[]*?)\s*(\((schema|webhook|server)[^)]*\))?\s*\[(case-sensitive|case-insensitive)\]', part)
        if m:
            return [v for v in m.group(1).split(',')], m.group(4) == 'case-insensitive'
    return None, False


TYPES = {
    'string': (str,), 'duration': (str,), 'timestamp': (str,), 'bytes': (str,),
    'integer': (int,), 'boolean': (bool,), 'object': (dict,), 'map': (dict,),
    'array': (list,), 'quantity': (str, int, float), 'int-or-string': (str, int),
}


def check(doc, rows, where, out):
    def walk(val, path, shown):
        row = rows.get(path) if path else {'type': 'object', 'constraints': ''}
        if row is None:
            out.append('%s: unknown field "%s"' % (where, shown))
            return
        t = row['type']
        if val is None:
            return  # null = unset (pruned by the API server)
        ok = TYPES.get(t)
        if ok and (not isinstance(val, ok) or (t == 'integer' and isinstance(val, bool))):
            out.append('%s: %s: must be of type %s' % (where, shown, t))
            return
        values, ci = enum_of(row['constraints'])
        if values and isinstance(val, str) and not (val == '' and 'empty allowed' in row['constraints']):
            hit = val.upper() in [v.upper() for v in values] if ci else val in values
            if not hit:
                out.append('%s: %s: Unsupported value: "%s"' % (where, shown, val))
        if t == 'json':
            return
        if isinstance(val, dict) and t in ('object',):
            for k, v in val.items():
                walk(v, (path + '.' if path else '') + k, (shown + '.' if shown else '') + k)
            prefix = (path + '.') if path else ''
            for p, r in rows.items():
                if r['required'] == 'yes' and p.startswith(prefix) and '.' not in p[len(prefix):] \
                        and '[' not in p[len(prefix):] and '{' not in p[len(prefix):]:
                    if p[len(prefix):] not in val:
                        out.append('%s: %s: Required value' % (where, (shown + '.' if shown else '') + p[len(prefix):]))
        elif isinstance(val, dict) and t == 'map':
            for k, v in val.items():
                walk(v, path + '{}', '%s[%s]' % (shown, k))
        elif isinstance(val, list):
            for i, v in enumerate(val):
                walk(v, path + '[]', '%s[%d]' % (shown, i))
    walk(doc, '', '')


def documents(obj):
    if isinstance(obj, list):
        for o in obj:
            yield from documents(o)
    elif isinstance(obj, dict) and obj.get('kind') == 'List' and obj.get('apiVersion') == 'v1':
        yield obj
        for o in obj.get('items') or []:
            yield from documents(o)
    elif isinstance(obj, dict):
        yield obj


def main(argv):
    tsv = os.path.join(HERE, 'fields-v1.tsv')
    if len(argv) > 2 and argv[1] == '--tsv':
        tsv = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    table = load_table(tsv)
    out = []
    for name in argv[1:]:
        with open(name, encoding='utf-8') as fh:
            data = json.load(fh)
        for n, doc in enumerate(documents(data)):
            kind = doc.get('kind')
            where = '%s: document %d (%s)' % (name, n + 1, kind)
            if kind not in table:
                out.append('%s: kind not in the table, skipped' % where)
                continue
            rows = table[kind]
            if kind == 'List':
                doc = {k: v for k, v in doc.items() if k != 'items'}
                doc['items'] = []
            check(doc, rows, where, out)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
