#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of `mailscope analyze --watch DIR` through the binary:
# --after remove, move:DIR and keep; a failed mail goes to failed/ with a
# .error file; mails of a dead run are taken back; two watchers on one
# folder never take the same mail; SIGTERM ends a watch cleanly.
# MAILSCOPE is the binary under test (set by scripts/test-all.sh).
set -euo pipefail
bin=${MAILSCOPE:-build/mailscope}
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mail() { # mail N: a small valid mail
    printf 'From: sender%s@example.org\nTo: rcpt@example.com\nSubject: mail %s\nMessage-ID: <w%s@example.org>\n\nbody %s\n' "$1" "$1" "$1" "$1"
}

# a quick configuration: look often, take files at once
cat >"$tmp/fast.yml" <<'EOF'
watch:
  poll_ms: 50
  settle_ms: 0
spam:
  enabled: false
EOF

# lines FILE: number of lines (0 when missing)
lines() { [ -f "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }

# wait_lines FILE N: waits up to 10 s for FILE to have N lines
wait_lines() {
    for _ in $(seq 1 200); do
        [ "$(lines "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    fail "waited for $2 lines in $1, got $(lines "$1")"
}

# stop PID: SIGTERM, wait, and leave the exit code in $rc (not in a
# subshell: only this shell can wait for its children)
stop() {
    kill -TERM "$1"
    set +e
    wait "$1"
    rc=$?
    set -e
}

# 1. --after remove: good mails vanish once written; the empty one goes
#    to failed/ with NAME.error saying why; a mail dropped in later is
#    taken too
mkdir "$tmp/w1"
mail 1 >"$tmp/w1/a.eml"
mail 2 >"$tmp/w1/b.eml"
: >"$tmp/w1/c.eml"
"$bin" analyze -c "$tmp/fast.yml" --watch "$tmp/w1" --after remove \
    -o "$tmp/out1" 2>"$tmp/err1" &
pid=$!
pids+=("$pid")
wait_lines "$tmp/out1" 3
mail 4 >"$tmp/w1/.d.tmp" && mv "$tmp/w1/.d.tmp" "$tmp/w1/d.eml"
wait_lines "$tmp/out1" 4
stop "$pid"
[ "$rc" = 1 ] || fail "remove: exit 1 (one mail failed), got $rc"
python3 - "$tmp/out1" "$tmp/w1" <<'PY' || fail "remove: documents"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
by_name = {d["source"]["path"].rsplit("/", 1)[1]: d for d in docs}
assert sorted(by_name) == ["a.eml", "b.eml", "c.eml", "d.eml"], by_name
assert by_name["c.eml"]["error"]["reason"] == "empty input"
assert by_name["a.eml"]["subject"] == "mail 1"
assert by_name["a.eml"]["source"]["mailbox"] == sys.argv[2]
PY
[ -z "$(ls -A "$tmp/w1" | grep -v '^failed$')" ] || fail "remove: left $(ls -A "$tmp/w1")"
[ -f "$tmp/w1/failed/c.eml" ] || fail "failed mail not in failed/"
grep -q 'empty input' "$tmp/w1/failed/c.eml.error" || fail ".error file"

# 2. --after move:DIR: into DIR/YYYY-MM-DD/, the day in UTC
mkdir "$tmp/w2"
mail 5 >"$tmp/w2/e.eml"
"$bin" analyze -c "$tmp/fast.yml" --watch "$tmp/w2" --after "move:$tmp/done" \
    -o "$tmp/out2" 2>/dev/null &
pid=$!
pids+=("$pid")
wait_lines "$tmp/out2" 1
sleep 0.2
stop "$pid"
[ "$rc" = 0 ] || fail "move: exit 0, got $rc"
day=$(date -u +%Y-%m-%d)
[ -f "$tmp/done/$day/e.eml" ] || fail "move: not in done/$day: $(find "$tmp/done")"
[ ! -e "$tmp/w2/e.eml" ] || fail "move: still in the folder"

# 3. --after keep: the mail stays and is analyzed once, not at every
#    look; a mail left in flight by a dead run is taken back and analyzed
mkdir "$tmp/w3"
mail 6 >"$tmp/w3/f.eml"
sh -c 'exit 0' &
dead=$!
wait "$dead"
mail 7 >"$tmp/w3/.g.eml.msinflight.$dead"
"$bin" analyze -c "$tmp/fast.yml" --watch "$tmp/w3" --after keep \
    -o "$tmp/out3" 2>/dev/null &
pid=$!
pids+=("$pid")
wait_lines "$tmp/out3" 2
sleep 0.5 # about ten more looks at the folder
stop "$pid"
[ "$rc" = 0 ] || fail "keep: exit 0, got $rc"
[ "$(lines "$tmp/out3")" = 2 ] || fail "keep: analyzed $(lines "$tmp/out3") times, want 2"
[ -f "$tmp/w3/f.eml" ] || fail "keep: the mail is gone"
[ -f "$tmp/w3/g.eml" ] || fail "orphan: not given back under its name"
grep -q '"subject":"mail 7"' "$tmp/out3" || fail "orphan: not analyzed"

# 4. two watchers on one folder: every mail exactly once
mkdir "$tmp/w4"
for i in $(seq 1 300); do mail "$i" >"$tmp/w4/m$i.eml"; done
"$bin" analyze -c "$tmp/fast.yml" --threads 2 --watch "$tmp/w4" --after remove \
    -o "$tmp/out4a" 2>/dev/null &
pa=$!
"$bin" analyze -c "$tmp/fast.yml" --threads 2 --watch "$tmp/w4" --after remove \
    -o "$tmp/out4b" 2>/dev/null &
pb=$!
pids+=("$pa" "$pb")
for _ in $(seq 1 200); do
    [ $(( $(lines "$tmp/out4a") + $(lines "$tmp/out4b") )) -ge 300 ] && break
    sleep 0.05
done
stop "$pa"
rca=$rc
stop "$pb"
rcb=$rc
[ "$rca" = 0 ] && [ "$rcb" = 0 ] || fail "two watchers: exit $rca $rcb"
python3 - "$tmp/out4a" "$tmp/out4b" <<'PY' || fail "two watchers: each mail once"
import json, sys
paths = [json.loads(l)["source"]["path"] for f in sys.argv[1:] for l in open(f)]
assert len(paths) == 300, len(paths)
assert len(set(paths)) == 300, "a mail analyzed twice"
PY
[ -z "$(ls -A "$tmp/w4" | grep -v '^failed$')" ] || fail "two watchers: mails left"

# 5. SIGTERM in the middle of a watch: every mail has exactly one line
#    and is gone, or has no line and is back under its own name; nothing
#    stays in flight
mkdir "$tmp/w5"
for i in $(seq 1 2000); do mail "$i" >"$tmp/w5/m$i.eml"; done
"$bin" analyze -c "$tmp/fast.yml" --threads 2 --watch "$tmp/w5" --after remove \
    -o "$tmp/out5" 2>/dev/null &
pid=$!
pids+=("$pid")
wait_lines "$tmp/out5" 50
stop "$pid"
[ "$rc" = 0 ] || fail "SIGTERM watch: exit 0, got $rc"
python3 - "$tmp/out5" "$tmp/w5" <<'PY' || fail "SIGTERM watch: a mail lost or doubled"
import json, os, sys
done = [json.loads(l)["source"]["path"].rsplit("/", 1)[1] for l in open(sys.argv[1])]
left = [n for n in os.listdir(sys.argv[2]) if n != "failed"]
assert not [n for n in left if n.startswith(".")], "left in flight"
assert len(done) == len(set(done)), "a mail written twice"
assert not set(done) & set(left), "written but not removed"
assert len(done) + len(left) == 2000, (len(done), len(left))
if not left: print("note: SIGTERM came after the last mail", file=sys.stderr)
PY

# 6. usage errors: a missing folder, move without a folder, paths too
set +e
"$bin" analyze --no-spam --watch "$tmp/nowhere" 2>/dev/null
rc1=$?
"$bin" analyze --no-spam --watch "$tmp/w1" --after shred 2>/dev/null
rc2=$?
"$bin" analyze --no-spam --watch "$tmp/w1" "$tmp/w2" 2>/dev/null
rc3=$?
set -e
[ "$rc1$rc2$rc3" = 222 ] || fail "usage errors exit 2: $rc1 $rc2 $rc3"
echo "analyze_watch: ok"
