#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The URL analyzer's benchmark: what URL extraction costs, per core, over
# the mails of a corpus (default: the SpamAssassin corpus) that have an
# HTML body. `mailscope analyze --no-spam --threads 1` runs over those
# mails twice, pinned to one core, page cache warm, output discarded:
# with the URL analyzer on and with a configuration file that turns it
# off (`urls: {enabled: false}`), the phishing analyzer (which reads
# the URLs) off in both; the difference of the two
# times is the URL cost (text and HTML bodies, attachments, JSON of the
# URL objects, observables from them). Prints the number of mails, of
# HTML bytes (the decoded text/html bodies, counted by Python's email
# package) and of URLs found, both times, and URLs/s and HTML MB/s of
# the URL analyzer alone; also the whole analyze rate for scale.
#
#   bench/urls.sh [LIST]      # default LIST: bench/corpus/sa/all.list
#   MAILSCOPE=path/to/mailscope CORE=0 RUNS=5 bench/urls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
list=${1:-bench/corpus/sa/all.list}
[ -f "$list" ] || bench/fetch-corpus.sh
if [ -z "${MAILSCOPE:-}" ]; then
    make -s build >/dev/null
fi
bin=${MAILSCOPE:-build/mailscope}
core=${CORE:-0}
runs=${RUNS:-5}
mkdir -p bench/out
out=bench/out/urls

# 1. the mails with an HTML body, and the bytes of those bodies
python3 - "$list" "$out.list" >"$out.sizes" <<'PY'
import email, email.policy, sys
src, dst = sys.argv[1], sys.argv[2]
keep, html_bytes, mail_bytes = [], 0, 0
for path in open(src).read().split():
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    n = 0
    for part in msg.walk():
        if part.get_content_type() != "text/html" or part.is_multipart():
            continue
        if (part.get("Content-Disposition") or "").lower().startswith("attachment"):
            continue
        n += len(part.get_payload(decode=True) or b"")
    if n:
        keep.append(path)
        html_bytes += n
        mail_bytes += len(raw)
open(dst, "w").write("\n".join(keep) + "\n")
print(len(keep), html_bytes, mail_bytes)
PY
read -r n_mails html_bytes mail_bytes <"$out.sizes"

# the phishing analyzer is off in both: it reads every URL's host
# (brand look-alikes), so it would add its own per-URL cost to the
# difference
printf 'urls:\n  enabled: true\nphishing:\n  enabled: false\n' >"$out-on.yml"
printf 'urls:\n  enabled: false\nphishing:\n  enabled: false\n' >"$out-off.yml"
tr '\n' '\0' <"$out.list" | xargs -0 cat >/dev/null

# the URLs found, from one run whose output is kept
taskset -c "$core" "$bin" analyze --no-spam --threads 1 -c "$out-on.yml" \
    --list "$out.list" -o "$out.jsonl" 2>/dev/null || true
n_urls=$(python3 -c '
import json, sys
print(sum(len(json.loads(l).get("urls") or []) for l in open(sys.argv[1])))' "$out.jsonl")

# seconds MODE: the fastest of RUNS runs, as the summary line reports
# them (the loop over the mails; start-up and configuration excluded)
seconds() {
    local best="" s
    for _ in $(seq "$runs"); do
        s=$(taskset -c "$core" "$bin" analyze --no-spam --threads 1 \
            -c "$out-$1.yml" --list "$out.list" 2>&1 >/dev/null |
            sed -nE 's/^mailscope analyze:.* ([0-9.]+) s \(.*/\1/p')
        [ -n "$s" ] || { echo "urls.sh: no summary line from $bin" >&2; exit 1; }
        if [ -z "$best" ] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$s" "$best"; then
            best=$s
        fi
    done
    echo "$best"
}
t_on=$(seconds on)
t_off=$(seconds off)

echo "corpus: $list; $n_mails mails with an HTML body ($((mail_bytes / 1000)) kB of mail, $((html_bytes / 1000)) kB of HTML); core $core: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
python3 - "$n_mails" "$html_bytes" "$mail_bytes" "$n_urls" "$t_on" "$t_off" <<'PY'
import sys
mails, html, raw, urls = map(int, sys.argv[1:5])
on, off = map(float, sys.argv[5:7])
cost = on - off
print(f"analyze --no-spam (phishing off), URLs on : {on:8.3f} s  {mails / on:8.0f} mails/s  {raw / 1e6 / on:6.1f} MB/s")
print(f"analyze --no-spam (phishing off), URLs off: {off:8.3f} s  {mails / off:8.0f} mails/s  {raw / 1e6 / off:6.1f} MB/s")
print(f"URL analyzer: {cost:.3f} s for {urls} URLs ({cost / on * 100:.0f} % of the run)")
if cost > 0:
    print(f"URL analyzer alone, per core: {urls / cost:,.0f} URLs/s, "
          f"{html / 1e6 / cost:.1f} MB/s of HTML, {mails / cost:,.0f} mails/s")
else:
    print("URL analyzer alone: below the noise of the two runs")
PY
