#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job's benchmark: `mailscope analyze` over a corpus (default:
# the SpamAssassin corpus) with every analyzer on, with 1 thread and with
# all cores, page cache warm, output discarded. Prints mails/s, MB/s and
# peak RSS for each, and the scaling from 1 thread to all.
#
#   bench/analyze.sh [LIST] [extra analyze options...]
set -euo pipefail
cd "$(dirname "$0")/.."
list=${1:-bench/corpus/sa/all.list}
shift || true
[ -f "$list" ] || bench/fetch-corpus.sh
make -s build >/dev/null
bin=build/mailscope
cores=$(nproc)
tr '\n' '\0' <"$list" | xargs -0 cat >/dev/null
echo "corpus: $list, $(wc -l <"$list") mails; $cores cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
declare -A rate
for t in 1 "$cores"; do
    out=$( { /usr/bin/time -f 'rss=%M' "$bin" analyze --threads "$t" --list "$list" "$@" >/dev/null; } 2>&1)
    line=$(grep '^mailscope analyze:' <<<"$out")
    rss=$(grep -o 'rss=[0-9]*' <<<"$out" | cut -d= -f2)
    mps=$(sed -E 's/.*\(([0-9]+) mails\/s, ([0-9.]+) MB\/s\).*/\1/' <<<"$line")
    mbs=$(sed -E 's/.*\(([0-9]+) mails\/s, ([0-9.]+) MB\/s\).*/\2/' <<<"$line")
    rate[$t]=$mps
    printf '%-10s %8s mails/s %8s MB/s  peak RSS %5d MB\n' "$t thread(s)" "$mps" "$mbs" $((rss / 1024))
done
python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'scaling 1 -> $cores threads: {b / a:.2f}x')" "${rate[1]}" "${rate[$cores]}"
