#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Phishing evaluation: `mailscope analyze` judges labelled mail and this
# prints, per set, how many mails it calls `phishing`, `suspicious` and
# `clean` at the default thresholds, then the detection rate on the
# phishing sets and the false-positive rate (`phishing` verdicts) on the
# ham sets, and the signals that fire most on each side.
#
#   tests/eval/phishing.sh [--histogram] [--misjudged] [--halves]
#                          [LABEL=PATH ...]
#                          [-- extra analyze options]
#   MAILSCOPE=path/to/mailscope tests/eval/phishing.sh ...
#
# --histogram prints, per set, how many mails fall in each band of five
# risk points: where the sets overlap is where a threshold or a weight can
# move. --misjudged lists the mails of phishing sets not judged `phishing`
# and those of ham sets judged `phishing`, with their risk and signals.
# --halves splits each set by the parity of the number in the mail's file
# name (sample-12.eml is even) and prints the rate of each half: signals
# are chosen on the even half, the odd half checks that they hold.
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
histogram=0
misjudged=0
halves=0
while [ $# -gt 0 ]; do
    case "$1" in
    --) shift; extra=("$@"); break ;;
    phishing=* | ham=*) sets+=("$1"); shift ;;
    --histogram) histogram=1; shift ;;
    --misjudged) misjudged=1; shift ;;
    --halves) halves=1; shift ;;
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
python3 - "$tmp/sets" "$histogram" "$misjudged" "$halves" <<'PY'
import collections, json, re, sys

show_histogram = sys.argv[2] == "1"
show_misjudged = sys.argv[3] == "1"
show_halves = sys.argv[4] == "1"

totals = {"phishing": [0, 0], "ham": [0, 0]}
signals = {"phishing": collections.Counter(), "ham": collections.Counter()}
for line in open(sys.argv[1]):
    label, path, out = line.split()
    verdicts = collections.Counter()
    bands = collections.Counter()
    wrong = []
    half = {"even": [0, 0], "odd": [0, 0]}
    for doc in open(out):
        d = json.loads(doc)
        p = d.get("phishing")
        if p is None:
            verdicts["error"] += 1
            continue
        verdicts[p["verdict"]] += 1
        where = (d.get("source") or {}).get("path") or ""
        number = re.search(r"(\d+)\.[^/]*$", where)
        if number:
            h = half["even" if int(number.group(1)) % 2 == 0 else "odd"]
            h[0] += p["verdict"] == "phishing"
            h[1] += 1
        bands[min(p["risk"] // 5 * 5, 100)] += 1
        if (p["verdict"] == "phishing") != (label == "phishing"):
            wrong.append((p["risk"], (d.get("source") or {}).get("path") or d.get("id"),
                          " ".join(f"{s['name']}:{s['weight']}" for s in p["signals"])))
        for s in p["signals"]:
            signals[label][s["name"]] += 1
    n = sum(verdicts.values())
    hit = verdicts["phishing"]
    totals[label][0] += hit
    totals[label][1] += n
    print(f"{label:8} {path}: {n} mails, phishing {hit} ({100 * hit / max(n, 1):.2f}%), "
          f"suspicious {verdicts['suspicious']}, clean {verdicts['clean']}, "
          f"errors {verdicts['error']}")
    if show_halves:
        print("  " + ", ".join(f"{k} half {v[0]}/{v[1]} ({100 * v[0] / max(v[1], 1):.2f}%)"
                               for k, v in half.items()))
    if show_histogram:
        print("  risk  " + " ".join(f"{b}:{bands[b]}" for b in sorted(bands)))
    if show_misjudged:
        for risk, where, why in sorted(wrong, key=lambda w: -w[0]):
            print(f"  {risk:3} {where}  {why}")
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
