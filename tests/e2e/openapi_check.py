#!/usr/bin/python3
"""openapi_check.py -- checks live gateway responses against proto/openapi.yaml.

Usage: openapi_check.py OPENAPI BASE_URL < cases
Each case line: METHOD PATH  (the path as sent). For every case the response
status must be documented for the matched operation, its content type must be
one the document lists, and a JSON body must validate against the schema.
Prints TAP lines."""
import json
import re
import sys
import urllib.error
import urllib.request

import jsonschema
import yaml


def match_path(spec_paths, path):
    for template in spec_paths:
        rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(rx, path.split("?")[0]):
            return template
    return None


def main():
    spec = yaml.safe_load(open(sys.argv[1]))
    base = sys.argv[2]
    n = 0
    for line in sys.stdin:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        method, path = line.split(None, 1)
        n += 1
        name = f"{method} {path} matches openapi.yaml"
        try:
            with urllib.request.urlopen(urllib.request.Request(base + path, method=method), timeout=30) as r:
                status, ctype, body = r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, body = e.code, e.headers.get("Content-Type", ""), e.read()
        template = match_path(spec["paths"], path)
        op = spec["paths"].get(template, {}).get(method.lower()) if template else None
        why = None
        if op is None:
            why = "no such operation"
        elif str(status) not in op["responses"]:
            why = f"status {status} not documented"
        else:
            content = op["responses"][str(status)].get("content", {})
            media = ctype.split(";")[0].strip()
            if media not in content:
                why = f"content type {media} not documented for {status}"
            elif media.endswith("json"):
                schema = dict(content[media]["schema"])
                schema["components"] = spec["components"]
                try:
                    jsonschema.validate(json.loads(body), schema)
                except Exception as e:  # noqa: BLE001 - report any failure as a test failure
                    why = f"body invalid: {str(e).splitlines()[0]}"
        if why:
            print(f"not ok {n} - {name}\n#   {why}")
        else:
            print(f"ok {n} - {name}")


main()
