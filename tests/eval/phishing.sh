#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Phishing evaluation: `mailscope analyze` judges labelled mail and this
# prints, per set, how many mails it calls `phishing`, `suspicious` and
# `clean` at the default thresholds, then the detection rate on the
# phishing sets and the false-positive rate (`phishing` verdicts) on the
# ham sets, and the signals that fire most on each side.
#
#   tests/eval/phishing.sh [LABEL=PATH ...] [-- extra analyze options]
#   MAILSCOPE=path/to/mailscope tests/eval/phishing.sh ...
#
# LABEL is `phishing` or `ham`; PATH is a folder of mails or a file that
# lists mail paths. Without sets: the 1,500 real phishing mails of
# ../shared/data (unpacked by bench/fetch-corpus.sh --phishing) and the
# SpamAssassin corpus's easy and hard ham. Without MAILSCOPE the default
# build is made and used.
set -euo pipefail
cd "$(dirname "$0")/../.."
sets=()
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
    --) shift; extra=("$@"); break ;;
    phishing=* | ham=*) sets+=("$1"); shift ;;
    *) echo "phishing.sh: '$1' is not LABEL=PATH (LABEL: phishing or ham)" >&2
       exit 2 ;;
    esac
done
if [ ${#sets[@]} -eq 0 ]; then
    [ -f bench/corpus/phishing.list ] || bench/fetch-corpus.sh --phishing
    [ -f bench/corpus/sa/ham.list ] || bench/fetch-corpus.sh
    sets=(phishing=bench/corpus/phishing.list
          ham=bench/corpus/sa/hard-ham.list
          ham=bench/corpus/sa/ham.list)
fi
if [ -z "${MAILSCOPE:-}" ]; then
    make -s build >/dev/null
fi
bin=${MAILSCOPE:-build/mailscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
for set in "${sets[@]}"; do
    label=${set%%=*}
    path=${set#*=}
    if [ -d "$path" ]; then
        find "$path" -type f | sort >"$tmp/$i.list"
    elif [ -f "$path" ]; then
        cp "$path" "$tmp/$i.list"
    else
        echo "phishing.sh: no such folder or list: $path" >&2
        exit 2
    fi
    "$bin" analyze --no-spam --list "$tmp/$i.list" "${extra[@]}" \
        >"$tmp/$i.jsonl" 2>"$tmp/$i.err" || true
    echo "$label $path $tmp/$i.jsonl" >>"$tmp/sets"
    i=$((i + 1))
done
python3 - "$tmp/sets" <<'PY'
import collections, json, sys

totals = {"phishing": [0, 0], "ham": [0, 0]}
signals = {"phishing": collections.Counter(), "ham": collections.Counter()}
for line in open(sys.argv[1]):
    label, path, out = line.split()
    verdicts = collections.Counter()
    for doc in open(out):
        d = json.loads(doc)
        p = d.get("phishing")
        if p is None:
            verdicts["error"] += 1
            continue
        verdicts[p["verdict"]] += 1
        for s in p["signals"]:
            signals[label][s["name"]] += 1
    n = sum(verdicts.values())
    hit = verdicts["phishing"]
    totals[label][0] += hit
    totals[label][1] += n
    print(f"{label:8} {path}: {n} mails, phishing {hit} ({100 * hit / max(n, 1):.2f}%), "
          f"suspicious {verdicts['suspicious']}, clean {verdicts['clean']}, "
          f"errors {verdicts['error']}")
for label in ("phishing", "ham"):
    hit, n = totals[label]
    if n:
        what = "detected" if label == "phishing" else "false positives"
        print(f"{what}: {hit}/{n} = {100 * hit / n:.2f}%")
for label in ("phishing", "ham"):
    if signals[label]:
        top = ", ".join(f"{k} {v}" for k, v in signals[label].most_common(12))
        print(f"signals on {label}: {top}")
PY
