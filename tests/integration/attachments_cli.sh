#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of the attachment options through the binary:
# `mailscope parse --attachments` gives the analyzed attachment objects
# (and the tokenizer's list without it), --payloads adds the bytes in
# base64, --yara adds a rule folder to the shipped rules (analyze and
# parse), a broken rule file stops the run with exit 2 naming it, and the
# already-seen filter of the attachments section remembers a file's
# digest across runs in its file.
# MAILSCOPE is the binary under test (set by scripts/test-all.sh).
set -euo pipefail
bin=${MAILSCOPE:-build/mailscope}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mail=$here/samples/zip-attachment.eml
field() { # field JSON-FILE PYTHON-EXPRESSION-ON-d
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# 1. parse: the tokenizer's list, or the analysis with --attachments
"$bin" parse "$mail" >"$tmp/plain.json"
[ "$(field "$tmp/plain.json" "'mime_type' in d['attachments'][0]")" = False ] ||
    fail "parse without --attachments analyzed the attachment"
"$bin" parse --attachments "$mail" >"$tmp/att.json"
[ "$(field "$tmp/att.json" "d['attachments'][0]['mime_type']")" = application/zip ] ||
    fail "parse --attachments: no true type"
[ "$(field "$tmp/att.json" "len(d['attachments'][0]['files'])")" = 2 ] ||
    fail "parse --attachments: the zip was not opened"
[ "$(field "$tmp/att.json" "'payload' in d['attachments'][0]")" = False ] ||
    fail "payload without --payloads"
"$bin" parse --attachments --payloads "$mail" >"$tmp/pay.json"
python3 - "$tmp/pay.json" <<'PY' || fail "--payloads: payload is not the zip's bytes"
import base64, hashlib, json, sys
a = json.load(open(sys.argv[1]))["attachments"][0]
assert hashlib.sha256(base64.b64decode(a["payload"])).hexdigest() == a["sha256"]
PY
if "$bin" parse --payloads "$mail" >/dev/null 2>"$tmp/err"; then
    fail "--payloads without --attachments was accepted"
fi
grep -q "need --attachments" "$tmp/err" || fail "no usage line for --payloads"

# 2. --yara adds rules, in analyze and in parse
mkdir "$tmp/rules"
printf 'rule Zip_Local_Header : test { strings: $pk = "PK\\x03\\x04" condition: $pk at 0 }\n' \
    >"$tmp/rules/zip.yar"
"$bin" analyze --no-spam --yara "$tmp/rules" "$mail" >"$tmp/an.json"
[ "$(field "$tmp/an.json" "[y['rule'] for y in d['attachments'][0]['yara']]")" = "['Zip_Local_Header']" ] ||
    fail "analyze --yara: the user's rule did not match the zip"
"$bin" parse --attachments --yara "$tmp/rules/zip.yar" "$mail" >"$tmp/py.json"
[ "$(field "$tmp/py.json" "d['attachments'][0]['yara'][0]['tags']")" = "['test']" ] ||
    fail "parse --yara: no match with its tag"
printf 'rule Broken {\n' >"$tmp/rules/broken.yar"
if "$bin" analyze --no-spam --yara "$tmp/rules" "$mail" >/dev/null 2>"$tmp/err"; then
    fail "a broken YARA file was accepted"
fi
grep -q "broken.yar" "$tmp/err" || fail "the YARA error does not name the file"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "the YARA error is not one line"

# 3. the already-seen filter, persisted between runs
printf 'attachments:\n  filter: true\n  filter_path: %s\n' "$tmp/seen.db" >"$tmp/seen.yml"
"$bin" analyze --no-spam -c "$tmp/seen.yml" "$mail" >"$tmp/r1.json"
[ "$(field "$tmp/r1.json" "d['attachments'][0]['is_filtered']")" = False ] ||
    fail "a first sight was filtered"
[ -s "$tmp/seen.db" ] || fail "the filter file was not written"
"$bin" analyze --no-spam -c "$tmp/seen.yml" "$mail" >"$tmp/r2.json"
[ "$(field "$tmp/r2.json" "d['attachments'][0]['is_filtered']")" = True ] ||
    fail "the second run did not remember the attachment"
[ "$(field "$tmp/r2.json" "d['attachments'][0]['sha256'] == d['attachments'][0]['sha256'] and d['attachments'][0]['files']")" = "[]" ] ||
    fail "a filtered archive was opened again"
echo "attachments_cli: ok"
