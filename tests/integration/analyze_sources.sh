#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of `mailscope analyze` through the binary: every kind
# of source, bad inputs that must give error lines without stopping the
# run, input order with --ordered, and a SIGTERM in the middle of a run.
# MAILSCOPE is the binary under test (set by scripts/test-all.sh).
set -euo pipefail
bin=${MAILSCOPE:-build/mailscope}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# count_json FILE: number of lines, failing on a line that is not JSON
count_json() {
    python3 - "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line)
    n += 1
print(n)
PY
}

mail() { # mail N: a small valid mail
    printf 'From: sender%s@example.org\nTo: rcpt@example.com\nSubject: mail %s\nDate: Tue, 12 Mar 2024 15:03:05 +0100\nMessage-ID: <m%s@example.org>\n\nbody %s\n' "$1" "$1" "$1" "$1"
}

# 1. a file, a folder with an include pattern, a Maildir (tmp/ skipped)
mkdir -p "$tmp/dir/sub" "$tmp/md/cur" "$tmp/md/new" "$tmp/md/tmp"
mail 1 >"$tmp/one.eml"
mail 2 >"$tmp/dir/a.eml"
mail 3 >"$tmp/dir/sub/b.eml"
echo "not a mail" >"$tmp/dir/notes.txt"
mail 4 >"$tmp/md/cur/1700000000.1.host:2,S"
mail 5 >"$tmp/md/new/1700000001.2.host"
mail 6 >"$tmp/md/tmp/1700000002.3.host"
"$bin" analyze --no-spam "$tmp/one.eml" >"$tmp/out1" 2>/dev/null || fail "single file"
[ "$(count_json "$tmp/out1")" = 1 ] || fail "single file: one line"
"$bin" analyze --no-spam --include '*.eml' "$tmp/dir" >"$tmp/out2" 2>/dev/null || fail "folder"
[ "$(count_json "$tmp/out2")" = 2 ] || fail "folder with --include: two mails"
"$bin" analyze --no-spam --ordered "$tmp/md" >"$tmp/out3" 2>/dev/null || fail "maildir"
[ "$(count_json "$tmp/out3")" = 2 ] || fail "Maildir: cur and new, not tmp"
grep -q '"mailbox":"'"$tmp/md"'"' "$tmp/out3" || fail "Maildir: mailbox set"

# 2. an mbox with an escaped >From line, and stdin (one mail, and --mbox)
{ echo "From a@example.org Tue Mar 12 15:00:00 2024"; mail 7; echo;
  echo "From b@example.org Tue Mar 12 15:01:00 2024"; mail 8 | sed 's/^body 8$/>From the start/'; echo;
  echo "From c@example.org Tue Mar 12 15:02:00 2024"; mail 9; } >"$tmp/box.mbox"
"$bin" analyze --no-spam --ordered "$tmp/box.mbox" >"$tmp/out4" 2>/dev/null || fail "mbox"
[ "$(count_json "$tmp/out4")" = 3 ] || fail "mbox: three mails"
python3 - "$tmp/out4" <<'PY' || fail "mbox fields"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert [d["subject"] for d in docs] == ["mail 7", "mail 8", "mail 9"], docs
assert docs[1]["text_plain"] == ["From the start\n"], docs[1]["text_plain"]
assert docs[0]["source"]["mbox_offset"] == 0
assert docs[1]["source"]["mbox_offset"] > 0
PY
mail 10 | "$bin" analyze --no-spam >"$tmp/out5" 2>/dev/null || fail "stdin"
[ "$(count_json "$tmp/out5")" = 1 ] || fail "stdin: one mail"
"$bin" analyze --no-spam --mbox <"$tmp/box.mbox" >"$tmp/out6" 2>/dev/null || fail "stdin mbox"
[ "$(count_json "$tmp/out6")" = 3 ] || fail "stdin --mbox: three mails"

# 3. bad inputs: each gives an error line, the run goes on, exit 1
mkdir -p "$tmp/bad"
mail 11 >"$tmp/bad/1-good.eml"
: >"$tmp/bad/2-empty.eml"
head -c 3000 /dev/urandom | tr -d '\n:' >"$tmp/bad/3-corrupt.eml"
ln -s "$tmp/nowhere" "$tmp/bad/4-dangling.eml"
mail 12 >"$tmp/bad/5-good.eml"
set +e
"$bin" analyze --no-spam --ordered "$tmp/bad" >"$tmp/out7" 2>/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || fail "bad inputs: exit 1, got $rc"
python3 - "$tmp/out7" <<'PY' || fail "bad inputs: lines"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert len(docs) == 5, len(docs)
assert "error" not in docs[0] and "error" not in docs[4]
assert docs[1]["error"]["reason"] == "empty input", docs[1]
assert docs[2]["error"]["stage"] == "parse", docs[2]
assert docs[3]["error"]["stage"] == "read", docs[3]
PY

# 4. --ordered keeps input order with several threads
ls "$here"/tests/cases/*/mail.eml | sort >"$tmp/list"
"$bin" analyze --no-spam --ordered --threads 4 --list "$tmp/list" >"$tmp/out8" 2>/dev/null || true
python3 - "$tmp/out8" "$tmp/list" <<'PY' || fail "ordered output"
import json, sys
paths = [json.loads(l)["source"]["path"] for l in open(sys.argv[1])]
want = [l.strip() for l in open(sys.argv[2]) if l.strip()]
assert paths == want, (paths[:3], want[:3])
PY

# 5. SIGTERM in the middle: the run ends cleanly, every line is whole
#    JSON
for i in $(seq 1 400); do cat "$here"/tests/cases/*/mail.eml; done >/dev/null
for i in $(seq 1 30); do cat "$tmp/list"; done >"$tmp/biglist"
"$bin" analyze --threads 2 --list "$tmp/biglist" >"$tmp/out9" 2>/dev/null &
pid=$!
# wait until documents flow, so the signal lands in the middle of the run
for i in $(seq 1 100); do
    [ -s "$tmp/out9" ] && break
    sleep 0.1
done
kill -TERM "$pid" 2>/dev/null || true
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "SIGTERM: clean exit, got $rc"
n=$(count_json "$tmp/out9") || fail "SIGTERM: a partial line"
echo "analyze_sources: ok ($n documents before SIGTERM)"
