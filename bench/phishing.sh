#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The phishing analyzer's benchmark: what it adds to `mailscope analyze`,
# per core. Runs analyze with --threads 1, pinned to one core, page cache
# warm, output discarded, over a list of mails (default: the SpamAssassin
# corpus and, when unpacked, the 1,500 phishing mails), with the phishing
# analyzer on and off (a configuration file `phishing: {enabled:
# false}`), once with the spam rules (the default job) and once with
# --no-spam. Prints mails/s and MB/s of each run (best of RUNS, as the
# summary line times the mail loop) and the share phishing adds.
#
#   bench/phishing.sh [LIST]
#   MAILSCOPE=path/to/mailscope CORE=0 RUNS=5 bench/phishing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
out=bench/out/phishing
if [ $# -gt 0 ]; then
    cp "$1" "$out.list"
else
    [ -f bench/corpus/sa/all.list ] || bench/fetch-corpus.sh
    cat bench/corpus/sa/all.list >"$out.list"
    [ -f bench/corpus/phishing.list ] && cat bench/corpus/phishing.list >>"$out.list"
fi
if [ -z "${MAILSCOPE:-}" ]; then
    make -s build >/dev/null
fi
bin=${MAILSCOPE:-build/mailscope}
core=${CORE:-0}
runs=${RUNS:-5}
printf 'phishing:\n  enabled: true\n' >"$out-on.yml"
printf 'phishing:\n  enabled: false\n' >"$out-off.yml"
tr '\n' '\0' <"$out.list" | xargs -0 cat >/dev/null
n_mails=$(wc -l <"$out.list")
n_bytes=$(tr '\n' '\0' <"$out.list" | xargs -0 cat | wc -c)

# seconds ON|OFF [analyze options]: the fastest of RUNS runs of the mail
# loop, as the summary line reports it (start-up excluded)
seconds() {
    local mode=$1 best="" s
    shift
    for _ in $(seq "$runs"); do
        s=$(taskset -c "$core" "$bin" analyze --threads 1 -c "$out-$mode.yml" \
            "$@" --list "$out.list" 2>&1 >/dev/null |
            sed -nE 's/^mailscope analyze:.* ([0-9.]+) s \(.*/\1/p')
        [ -n "$s" ] || { echo "phishing.sh: no summary line from $bin" >&2; exit 1; }
        if [ -z "$best" ] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$s" "$best"; then
            best=$s
        fi
    done
    echo "$best"
}

echo "phishing bench: $n_mails mails, $n_bytes bytes, one core, best of $runs"
for job in default no-spam; do
    opts=()
    [ "$job" = no-spam ] && opts=(--no-spam)
    on=$(seconds on "${opts[@]}")
    off=$(seconds off "${opts[@]}")
    python3 - "$job" "$n_mails" "$n_bytes" "$on" "$off" <<'PY'
import sys
job, n, b, on, off = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print(f"analyze ({job}): with phishing {n / on:,.0f} mails/s {b / on / 1e6:.1f} MB/s; "
      f"without {n / off:,.0f} mails/s {b / off / 1e6:.1f} MB/s; "
      f"phishing adds {100 * (on - off) / off:.1f}% ({1e6 * (on - off) / n:.1f} us/mail)")
PY
done
