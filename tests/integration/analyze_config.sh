#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of the configuration and the already-seen filter
# through the binary: `mailscope config --print-default` is
# conf/mailscope.yml; a file given with -c changes the run and the
# command line wins over it; a bad key or type exits 2 naming the key and
# line; the filter gives short "seen" documents and remembers bodies
# across runs in its file.
# MAILSCOPE is the binary under test (set by scripts/test-all.sh).
set -euo pipefail
bin=${MAILSCOPE:-build/mailscope}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mail() { # mail N BODY: a small valid mail
    printf 'From: s%s@example.org\nTo: r@example.com\nSubject: mail %s\n\n%s\n' "$1" "$1" "$2"
}

# 1. the default configuration is the shipped file, and it checks out
"$bin" config --print-default | cmp -s - "$here/conf/mailscope.yml" ||
    fail "print-default differs from conf/mailscope.yml"
"$bin" config --print-default >"$tmp/default.yml"
"$bin" config --check "$tmp/default.yml" >/dev/null || fail "default does not check"

# 2. a file changes the run; the command line wins over it
mkdir "$tmp/in"
mail 1 "hello" >"$tmp/in/a.eml"
mail 2 "hello again" >"$tmp/in/b.txt"
cat >"$tmp/run.yml" <<EOF
output:
  pretty: true
  path: "$tmp/from-config.jsonl"
sources:
  include: "*.eml"
spam:
  enabled: false
EOF
"$bin" analyze -c "$tmp/run.yml" "$tmp/in" 2>/dev/null || fail "run with -c"
[ -s "$tmp/from-config.jsonl" ] || fail "output.path not used"
[ "$(head -n 1 "$tmp/from-config.jsonl")" = "{" ] || fail "pretty not used"
grep -q '"subject": "mail 1"' "$tmp/from-config.jsonl" || fail "a.eml missing"
grep -q 'mail 2' "$tmp/from-config.jsonl" && fail "include glob not used"
"$bin" analyze -c "$tmp/run.yml" -o - --include '*.txt' "$tmp/in" >"$tmp/cli.json" 2>/dev/null ||
    fail "run with -c and options"
grep -q '"subject": "mail 2"' "$tmp/cli.json" || fail "command line did not win"

# 3. bad files: exit 2, the message names the key and the line
printf 'pipeline:\n  threads: 2\n  orderd: true\n' >"$tmp/typo.yml"
set +e
msg=$("$bin" analyze -c "$tmp/typo.yml" "$tmp/in" 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown key: exit 2, got $rc"
grep -q "typo.yml:3: unknown key 'pipeline.orderd'" <<<"$msg" || fail "unknown key message: $msg"
printf 'limits:\n  parts: lots\n' >"$tmp/type.yml"
set +e
msg=$("$bin" config --check "$tmp/type.yml" 2>&1)
rc=$?
set -e
[ "$rc" = 2 ] || fail "wrong type: exit 2, got $rc"
grep -q "type.yml:2: 'limits.parts' must be" <<<"$msg" || fail "wrong type message: $msg"
set +e
"$bin" analyze -c "$tmp/missing.yml" "$tmp/in" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "missing file: exit 2, got $rc"

# 4. the filter: a second copy of a body (other headers) gets a "seen"
#    document; with a file, the next run remembers
mkdir "$tmp/camp"
mail 1 "Buy cheap watches" >"$tmp/camp/1.eml"
mail 2 "Buy cheap watches" >"$tmp/camp/2.eml"
mail 3 "Something else" >"$tmp/camp/3.eml"
cat >"$tmp/filter.yml" <<EOF
filter:
  enabled: true
  path: "$tmp/seen.db"
spam:
  enabled: false
EOF
"$bin" analyze -c "$tmp/filter.yml" --ordered --threads 2 "$tmp/camp" >"$tmp/f1" 2>/dev/null ||
    fail "filter run 1"
python3 - "$tmp/f1" <<'PY' || fail "filter run 1: documents"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert len(docs) == 3
assert "seen" not in docs[0] and "subject" in docs[0]
assert docs[1]["seen"]["reason"] == "already seen", docs[1]
assert "subject" not in docs[1]
assert "seen" not in docs[2]
PY
[ -s "$tmp/seen.db" ] || fail "filter file not written"
mail 4 "Something else" >"$tmp/next.eml"
"$bin" analyze -c "$tmp/filter.yml" "$tmp/next.eml" >"$tmp/f2" 2>/dev/null || fail "filter run 2"
grep -q '"seen":{' "$tmp/f2" || fail "filter forgot between runs"
printf 'garbage' >"$tmp/seen.db"
set +e
"$bin" analyze -c "$tmp/filter.yml" "$tmp/next.eml" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "foreign filter file: exit 2, got $rc"
# 5. an mbox larger than sources.max_file_bytes is split whole (it is
#    mapped, not read into memory); a plain mail is cut at the ceiling
{ for i in 1 2 3; do echo "From x@example.org Tue Mar 12 15:00:0$i 2024"; mail "$i" "body $i"; echo; done; } >"$tmp/big.mbox"
printf 'sources:\n  max_file_bytes: 100\nspam:\n  enabled: false\n' >"$tmp/small.yml"
"$bin" analyze -c "$tmp/small.yml" --ordered "$tmp/big.mbox" >"$tmp/m1" 2>/dev/null || fail "big mbox"
python3 - "$tmp/m1" <<'PY' || fail "big mbox: three whole mails"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert [d["subject"] for d in docs] == ["mail 1", "mail 2", "mail 3"], docs
assert [d["text_plain"] for d in docs] == [["body 1\n"], ["body 2\n"], ["body 3\n"]]
PY
echo "analyze_config: ok"
