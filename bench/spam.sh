#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The spam rules benchmark: mailscope and SpamAssassin scoring mail with
# the same rule set, SpamAssassin's own (Debian package spamassassin,
# rules in /usr/share/spamassassin), network tests off, one core each.
#
#   - mailscope: `analyze --threads 1 --spam-rules DIR` over the whole
#     list, pinned to one core, with the other analyzers off (spamd only
#     scores); the mail loop as its summary line times it (the rules are
#     loaded and compiled once, before). FULL=1 keeps every analyzer on.
#   - SpamAssassin: spamd started here on 127.0.0.1 (`spamd -L`, one
#     child, rules loaded once) pinned to another core, and spamc sending
#     it a sample of the list one mail after the other (spamc's own time
#     is not spamd's work: it runs on a third core when there is one).
#
# Prints mails/s per core of each and the ratio.
#
#   bench/spam.sh [LIST]                 default: bench/corpus/sa/all.list
#   RULES=DIR SAMPLE=200 RUNS=3 MAILSCOPE=path bench/spam.sh
set -euo pipefail
cd "$(dirname "$0")/.."
list=${1:-bench/corpus/sa/all.list}
[ -f "$list" ] || bench/fetch-corpus.sh
rules=${RULES:-/usr/share/spamassassin}
sample=${SAMPLE:-200}
runs=${RUNS:-3}
command -v spamd >/dev/null || [ -x /usr/sbin/spamd ] || {
    echo "spam.sh: spamd not found: apt-get install spamassassin spamd spamc" >&2
    exit 2
}
[ -d "$rules" ] || { echo "spam.sh: no rules in $rules" >&2; exit 2; }
if [ -z "${MAILSCOPE:-}" ]; then
    make -s build >/dev/null
fi
bin=${MAILSCOPE:-build/mailscope}
mkdir -p bench/out
out=bench/out/spam
n_mails=$(wc -l <"$list")
tr '\n' '\0' <"$list" | xargs -0 cat >/dev/null

# mailscope: the fastest of RUNS runs of the mail loop
if [ -n "${FULL:-}" ]; then
    printf 'spam:\n  enabled: true\n' >"$out.yml"
else
    printf 'attachments:\n  enabled: false\nurls:\n  enabled: false\nphishing:\n  enabled: false\n' >"$out.yml"
fi
best=""
for _ in $(seq "$runs"); do
    s=$(taskset -c 0 "$bin" analyze --threads 1 -c "$out.yml" --spam-rules "$rules" \
        --list "$list" 2>&1 >/dev/null |
        sed -nE 's/^mailscope analyze:.* ([0-9.]+) s \(.*/\1/p')
    [ -n "$s" ] || { echo "spam.sh: no summary line from $bin" >&2; exit 1; }
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$s" "$best"; then
        best=$s
    fi
done
ms_rate=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):.1f}')" "$n_mails" "$best")

# spamd on core 1 with one child; spamc on the sample, one at a time
awk -v n="$n_mails" -v k="$sample" 'NR % int(n / k > 1 ? n / k : 1) == 0' "$list" |
    head -n "$sample" >"$out.sample"
n_sample=$(wc -l <"$out.sample")
home=$(mktemp -d)
chmod 777 "$home"
port=$((20000 + RANDOM % 20000))
spamd_core=$([ "$(nproc)" -gt 1 ] && echo 1 || echo 0)
taskset -c "$spamd_core" /usr/sbin/spamd -L -x -i 127.0.0.1 -p "$port" \
    -m 1 --min-children=1 --min-spare=1 --max-spare=1 -u nobody \
    --helper-home-dir="$home" -s stderr -q 2>"$home/spamd.log" &
spamd_pid=$!
trap 'kill "$spamd_pid" 2>/dev/null; wait "$spamd_pid" 2>/dev/null; rm -rf "$home"' EXIT
for _ in $(seq 240); do
    spamc -d 127.0.0.1 -p "$port" -c </dev/null >/dev/null 2>&1 && break
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.5
done
# one mail first: the child loads what it loads lazily
spamc -d 127.0.0.1 -p "$port" -c <"$(head -1 "$out.sample")" >/dev/null || true
start=$(date +%s.%N)
while read -r mail; do
    spamc -d 127.0.0.1 -p "$port" -c -s 67108864 <"$mail" >/dev/null || true
done <"$out.sample"
end=$(date +%s.%N)
sa_rate=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])):.1f}')" "$n_sample" "$start" "$end")

echo "spam bench: rules $rules, one core each"
echo "mailscope: $n_mails mails in $best s: $ms_rate mails/s"
echo "spamd:     $n_sample mails (a sample): $sa_rate mails/s"
python3 -c "import sys; print(f'ratio: {float(sys.argv[1]) / float(sys.argv[2]):.0f}x')" "$ms_rate" "$sa_rate"
