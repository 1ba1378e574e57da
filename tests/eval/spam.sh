#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Spam evaluation on the SpamAssassin corpus: the Bayesian filter learns
# the mails whose numeric id is even, then `mailscope analyze` with the
# default rules and Bayes judges the mails whose id is odd. Prints
# accuracy, the false-positive rate (ham marked spam) and the
# false-negative rate (spam let through).
#
#   tests/eval/spam.sh [extra analyze options...]
#
# MAILSCOPE=path/to/mailscope evaluates that binary instead of building
# and using build/mailscope (e.g. a build folder of your own).
# SPAM_EVAL_MISJUDGED=1 lists the misjudged mails after the figures, one
# a line: FP or FN, the path, the score, the Bayes probability and the
# rules hit.
set -euo pipefail
# MAILSCOPE: a name in PATH, or a path from the folder the script ran in
bin=${MAILSCOPE:-}
case "$bin" in
'' | /*) ;;
*/*) bin=$PWD/$bin ;;
*) bin=$(command -v "$bin") || {
    echo "spam.sh: MAILSCOPE=$MAILSCOPE: not found" >&2
    exit 1
} ;;
esac
cd "$(dirname "$0")/../.."
[ -f bench/corpus/sa/MANIFEST.tsv ] || bench/fetch-corpus.sh
if [ -z "$bin" ]; then
    make -s build >/dev/null
    bin=build/mailscope
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# split by the parity of the numeric id (the file name before .eml)
awk -F'\t' -v dir="$tmp" 'NR > 1 {
    n = split($1, parts, "/"); id = parts[n]; sub(/\.eml$/, "", id);
    set = (id % 2 == 0) ? "train" : "test";
    print $1 > (dir "/" set "-" $3 ".list")
}' bench/corpus/sa/MANIFEST.tsv
"$bin" train --spam --bayes "$tmp/bayes.db" --list "$tmp/train-spam.list"
"$bin" train --ham --bayes "$tmp/bayes.db" --list "$tmp/train-ham.list"
cat "$tmp/test-spam.list" "$tmp/test-ham.list" >"$tmp/test.list"
"$bin" analyze --bayes "$tmp/bayes.db" --list "$tmp/test.list" "$@" \
    >"$tmp/out.jsonl" 2>"$tmp/analyze.err" || true
tail -1 "$tmp/analyze.err"
SPAM_EVAL_MISJUDGED=${SPAM_EVAL_MISJUDGED:-} \
    python3 - "$tmp/out.jsonl" "$tmp/test-spam.list" <<'PY'
import json, os, sys
misjudged = []
spam_paths = set(l.strip() for l in open(sys.argv[2]) if l.strip())
tp = fp = tn = fn = errors = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "spam" not in d:
        errors += 1
        continue
    is_spam = d["source"]["path"] in spam_paths
    said = d["spam"]["is_spam"]
    if is_spam and said: tp += 1
    elif is_spam: fn += 1
    elif said: fp += 1
    else: tn += 1
    if is_spam != said:
        misjudged.append((is_spam, d))
total = tp + fp + tn + fn
print(f"spam eval: {total} mails ({tp + fn} spam, {tn + fp} ham), {errors} without a verdict")
print(f"accuracy {100.0 * (tp + tn) / total:.2f} %, "
      f"false positives {100.0 * fp / max(1, tn + fp):.2f} % ({fp} ham marked spam), "
      f"false negatives {100.0 * fn / max(1, tp + fn):.2f} % ({fn} spam missed)")
if os.environ.get("SPAM_EVAL_MISJUDGED"):
    for is_spam, d in sorted(misjudged, key=lambda x: (x[0], x[1]["source"]["path"])):
        s = d["spam"]
        rules = " ".join(r.get("name", "?") for r in s.get("rules", []))
        bayes = (s.get("bayes") or {}).get("probability")
        print("FN" if is_spam else "FP", d["source"]["path"],
              f"score={s.get('score', 0):.1f}",
              f"bayes={bayes:.3f}" if isinstance(bayes, (int, float)) else "bayes=-",
              rules)
PY
