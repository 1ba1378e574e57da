#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of how `mailscope parse` reads many files: it keeps the
# folder of the last file open and opens the next file in the same folder
# by its name alone. Files of the same name in different folders, folders
# whose paths share a prefix, relative and absolute paths, a missing file,
# a folder given as a file, a path ending in a slash and stdin must each
# give the document of the right file (or its error) on their own line,
# in order (the paths of the command line first, then those of --list).
# MAILSCOPE is the binary under test (set by scripts/test-all.sh).
set -euo pipefail
bin=${MAILSCOPE:-build/mailscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# mail FILE SUBJECT: writes a small mail whose subject names where it is
mail() {
    mkdir -p "$(dirname "$1")"
    printf 'From: a@example.com\nSubject: %s\n\nbody\n' "$2" >"$1"
}
mail "$tmp/a/m.eml" "a/m"
mail "$tmp/a/n.eml" "a/n"
mail "$tmp/ab/m.eml" "ab/m"
mail "$tmp/b/m.eml" "b/m"
mail "$tmp/m.eml" "m"
mail "$tmp/b/c/m.eml" "b/c/m"
mkdir -p "$tmp/empty"

cd "$tmp"
printf '%s\n' \
    "$tmp/a/m.eml" "$tmp/a/n.eml" "$tmp/ab/m.eml" "$tmp/a/m.eml" \
    "$tmp/b/m.eml" "$tmp/b/missing.eml" "$tmp/b/m.eml" "a/m.eml" \
    "./a/n.eml" "m.eml" "$tmp/b/c/m.eml" "$tmp/b/c/../m.eml" \
    "$tmp/empty" "$tmp/empty/" "b/m.eml" "/" >list
mail stdin.eml "stdin"
rc=0
"$bin" parse --jsonl --list list - <stdin.eml >out.jsonl 2>err || rc=$?
[ "$rc" -eq 1 ] || fail "exit $rc, not 1 (some inputs are unreadable)"

python3 - out.jsonl <<'PY' || fail "wrong document for a path"
import json, sys
want = ["stdin", "a/m", "a/n", "ab/m", "a/m", "b/m", "error", "b/m", "a/m",
        "a/n", "m", "b/c/m", "b/m", "error", "error", "b/m", "error"]
got = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    got.append("error" if "error" in d else d["subject"])
if got != want:
    sys.exit("got %s\nwant %s" % (got, want))
PY
grep -q 'No such file or directory' out.jsonl || fail "no reason for the missing file"
[ "$(grep -c 'is a directory' out.jsonl)" -eq 3 ] || fail "folders not refused"
echo "ok parse_many_folders"
