"""Reads config files with kobo's PyConfigParser, what pungi-koji reads configs with,
for tests/tests/kobo_parity.rs: the paths come one per line on stdin; printed is one
JSON object, for each path either its options as typed JSON (so a tuple, a bool and
an int stay apart) or the exception kobo raised."""

import json
import sys

from kobo.conf import PyConfigParser


def typed(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, list):
        return {"list": [typed(item) for item in value]}
    if isinstance(value, tuple):
        return {"tuple": [typed(item) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[typed(k), typed(v)] for k, v in value.items()]}
    return {"unexpected": repr(value)}


def main():
    results = {}
    for path in sys.stdin.read().splitlines():
        parser = PyConfigParser()
        try:
            parser.load_from_file(path)
            options = {name: typed(value) for name, value in parser.items()}
            results[path] = {"options": options}
        except Exception as error:  # every exception is kobo refusing the file
            results[path] = {"error": "%s: %s" % (type(error).__name__, error)}
    json.dump(results, sys.stdout)


main()
