#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden-case runner.

Each case is a folder tests/cases/NAME/ holding mail.eml and expected.json,
and optionally `args` (one line of extra command-line words). The runner
runs `BIN parse [args] mail.eml` (or the subcommand named by the top-level
"$command" key of expected.json) and checks that the output matches the
fields the case pins; fields it does not name are ignored, so adding
fields to the output never breaks a case.

Matching: an expected object matches when each of its keys matches the
actual value's key; a list matches a list of the same length element by
element; scalars match by equality. Objects with a single "$" key are
special forms:
  {"$contains": [..]}      each item matches some element of the list
  {"$not_contains": [..]}  no item matches any element
  {"$len": N} {"$len_min": N}
  {"$regex": "re"}         re.search on a string
  {"$substring": "s"}
  {"$not_null": true}
  {"$absent": true}        the key must not exist
Top-level keys starting with "$" are options ("$command", "$comment").

Prints "ok NAME" or "FAIL NAME: path: why" per case and ends with the line
"golden: N passed, N failed"; exits 1 when a case failed.
"""
import argparse
import json
import os
import re
import subprocess
import sys

MISSING = object()


def short(value, limit=120):
    """Returns a one-line, truncated JSON rendering of a value."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "..."


def match(expected, actual, path):
    """Returns None when actual matches expected, else a reason string."""
    if isinstance(expected, dict) and len(expected) == 1:
        (key, arg), = expected.items()
        if key.startswith("$"):
            return special(key, arg, actual, path)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {short(actual)}"
        for key, want in expected.items():
            if isinstance(want, dict) and want.get("$absent"):
                if key in actual:
                    return f"{path}.{key}: expected absent, got {short(actual[key])}"
                continue
            if key not in actual:
                return f"{path}.{key}: expected {short(want)}, got nothing (key missing)"
            why = match(want, actual[key], f"{path}.{key}")
            if why:
                return why
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected a list, got {short(actual)}"
        if len(expected) != len(actual):
            return (f"{path}: expected {len(expected)} items, got "
                    f"{len(actual)}: {short(actual)}")
        for i, (want, got) in enumerate(zip(expected, actual)):
            why = match(want, got, f"{path}[{i}]")
            if why:
                return why
        return None
    if isinstance(expected, bool) or isinstance(actual, bool):
        ok = expected is actual
    elif isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        ok = expected == actual
    else:
        ok = expected == actual
    return None if ok else f"{path}: expected {short(expected)}, got {short(actual)}"


def special(key, arg, actual, path):
    """Checks one of the "$" forms; returns None or a reason."""
    if key == "$contains" or key == "$not_contains":
        if not isinstance(actual, list):
            return f"{path}: expected a list, got {short(actual)}"
        for item in arg:
            found = any(match(item, got, path) is None for got in actual)
            if key == "$contains" and not found:
                return f"{path}: expected an element matching {short(item)}, got {short(actual)}"
            if key == "$not_contains" and found:
                return f"{path}: expected no element matching {short(item)}, got {short(actual)}"
        return None
    if key == "$len":
        n = len(actual) if isinstance(actual, (list, str, dict)) else None
        return None if n == arg else f"{path}: expected length {arg}, got {n}"
    if key == "$len_min":
        n = len(actual) if isinstance(actual, (list, str, dict)) else None
        return None if n is not None and n >= arg else f"{path}: expected length >= {arg}, got {n}"
    if key == "$regex":
        if isinstance(actual, str) and re.search(arg, actual):
            return None
        return f"{path}: expected a string matching /{arg}/, got {short(actual)}"
    if key == "$substring":
        if isinstance(actual, str) and arg in actual:
            return None
        return f"{path}: expected a string containing {short(arg)}, got {short(actual)}"
    if key == "$not_null":
        return None if actual is not None else f"{path}: expected non-null, got null"
    if key == "$absent":
        return f"{path}: expected absent"
    return f"{path}: unknown special form {key}"


def parse_output(stdout):
    """Returns the JSON document a command printed.

    `parse` indents its one document; `analyze` prints one compact
    document per line (and may add a summary line), so when the whole
    output is not one document the first line is taken.
    """
    text = stdout.decode("utf-8")
    try:
        return json.loads(text)
    except ValueError:
        lines = [line for line in text.splitlines() if line.strip()]
        return json.loads(lines[0])


def run_case(binary, case_dir, verbose):
    """Runs one case; returns (ok, message)."""
    with open(os.path.join(case_dir, "expected.json"), encoding="utf-8") as f:
        expected = json.load(f)
    command = expected.get("$command", ["parse"])
    extra = []
    args_file = os.path.join(case_dir, "args")
    if os.path.exists(args_file):
        with open(args_file, encoding="utf-8") as f:
            extra = f.read().split()
    argv = [binary] + command + extra + [os.path.join(case_dir, "mail.eml")]
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return False, "timed out after 30 s"
    if proc.returncode != 0:
        return False, (f"exit code {proc.returncode}: "
                       f"{proc.stderr.decode('utf-8', 'replace').strip()[:300]}")
    try:
        actual = parse_output(proc.stdout)
    except (ValueError, IndexError, UnicodeDecodeError) as e:
        return False, f"invalid JSON output: {e}"
    pinned = {k: v for k, v in expected.items() if not k.startswith("$")}
    why = match(pinned, actual, "$")
    if why and verbose:
        why += "\n" + json.dumps(actual, indent=2, ensure_ascii=False)[:4000]
    return why is None, why


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="path of mailscope")
    parser.add_argument("--cases", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "cases"))
    parser.add_argument("--filter", default="")
    parser.add_argument("-v", "--verbose", action="store_true")
    opts = parser.parse_args()
    passed = failed = 0
    for name in sorted(os.listdir(opts.cases)):
        case_dir = os.path.join(opts.cases, name)
        if not os.path.isfile(os.path.join(case_dir, "expected.json")):
            continue
        if opts.filter not in name:
            continue
        try:
            ok, why = run_case(opts.bin, case_dir, opts.verbose)
        except (OSError, ValueError) as e:
            ok, why = False, f"cannot run: {e}"
        if ok:
            passed += 1
            print(f"ok {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {why}")
    print(f"golden: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
