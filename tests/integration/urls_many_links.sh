#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of the URL analyzer on a huge mail: an HTML body with
# 100,000 distinct links (about 5 MB, generated here, too big to commit)
# must be analyzed in well under 10 s (the URL list is a hash index, so
# the work is linear). With the default ceiling (urls.max_urls 10000) the
# document keeps exactly 10,000 URLs, in the order of the body, and
# carries one "limit_urls" defect; with the ceiling raised above the
# count in a configuration file, every one of the 100,000 is kept and
# there is no such defect. A link repeated in the text part is one URL
# with two sources, not two URLs.
# MAILSCOPE is the binary under test (set by scripts/test-all.sh).
set -euo pipefail
bin=${MAILSCOPE:-build/mailscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
links=100000
# 10 s for a normal build; a sanitizer build (AddressSanitizer and
# UndefinedBehaviorSanitizer check every access) gets 60 s
max_seconds=${MAX_SECONDS:-10}
if [ -z "${MAX_SECONDS:-}" ] && grep -q __asan_init "$bin" 2>/dev/null; then
    max_seconds=60
fi

python3 - "$tmp/many.eml" "$links" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
b = "=_many_links_7f3a"
out = [
    "Received: from mta-7.news.example.net (mta-7.news.example.net [198.51.100.7])\n"
    "\tby mx1.example.com (Postfix) with ESMTPS id 4TvV5e8Ps0z4xZg\n"
    "\tfor <j.doe@example.com>; Tue, 12 Mar 2024 14:03:09 +0000 (UTC)\n",
    "From: Newsletter <news@news.example.net>\n",
    "To: j.doe@example.com\n",
    "Subject: Weekly digest: every link\n",
    "Date: Tue, 12 Mar 2024 15:03:05 +0100\n",
    "Message-ID: <digest-2024-11@news.example.net>\n",
    "MIME-Version: 1.0\n",
    f'Content-Type: multipart/alternative; boundary="{b}"\n\n',
    f"--{b}\nContent-Type: text/plain; charset=us-ascii\n\n",
    "Read online: https://news.example.net/item/0\n\n",
    f"--{b}\nContent-Type: text/html; charset=us-ascii\n\n<html><body>\n",
]
for i in range(n):
    out.append(f'<p><a href="https://news.example.net/item/{i}">Item {i}</a></p>\n')
out.append(f"</body></html>\n\n--{b}--\n")
open(path, "w").write("".join(out))
PY

# check OUT COUNT LIMITED SECONDS: the first document of OUT has COUNT
# URLs, the limit_urls defect when LIMITED is 1 (none when 0), and the
# run took at most max_seconds
check() {
    python3 - "$@" "$max_seconds" <<'PY' || exit 1
import json, sys
out, count, limited, secs, max_secs = sys.argv[1:6]
line = open(out).readline()
if not line:
    sys.exit(f"FAIL: {out}: no document")
d = json.loads(line)
if "error" in d:
    sys.exit(f"FAIL: {out}: error document: {d['error']}")
urls = d["urls"]
if len(urls) != int(count):
    sys.exit(f"FAIL: {out}: {len(urls)} URLs, expected {count}")
first = urls[0]
if first["url"] != "https://news.example.net/item/0" or \
        first["sources"] != ["text", "html:href"]:
    sys.exit(f"FAIL: {out}: first URL {first['url']} {first['sources']}")
want_last = f"https://news.example.net/item/{int(count) - 1}"
if urls[-1]["url"] != want_last:
    sys.exit(f"FAIL: {out}: last URL {urls[-1]['url']}, expected {want_last}")
if len({u["url"] for u in urls}) != len(urls):
    sys.exit(f"FAIL: {out}: duplicate URLs")
has = "limit_urls" in d["defects_categories"]
if has != (limited == "1"):
    sys.exit(f"FAIL: {out}: limit_urls defect {'present' if has else 'missing'}")
if float(secs) > float(max_secs):
    sys.exit(f"FAIL: {out}: {secs} s, more than {max_secs} s")
PY
}

# run NAME [OPTIONS...]: analyzes the mail, prints the seconds taken
run() {
    local name=$1
    shift
    local start end
    start=$(date +%s.%N)
    "$bin" analyze --no-spam -t 1 "$@" -o "$tmp/$name.jsonl" "$tmp/many.eml" \
        2>"$tmp/$name.err" || fail "$name: exit $? ($(cat "$tmp/$name.err"))"
    end=$(date +%s.%N)
    echo "$start $end" | awk '{printf "%.2f", $2 - $1}'
}

# 1. the default ceiling: 10,000 URLs kept, the limit defect
secs=$(run default)
check "$tmp/default.jsonl" 10000 1 "$secs"

# 2. the ceiling raised in a configuration file: all 100,000 kept
printf 'urls:\n  max_urls: 200000\n' >"$tmp/many.yml"
secs_all=$(run all -c "$tmp/many.yml")
check "$tmp/all.jsonl" "$links" 0 "$secs_all"

echo "urls_many_links: ok ($links links: ${secs} s with the default ceiling, ${secs_all} s keeping all)"
