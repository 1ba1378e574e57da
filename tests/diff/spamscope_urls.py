#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential check of mailscope's URL analyzer against SpamScope's.

Usage:
    python3 tests/diff/spamscope_urls.py [--bin build/mailscope]
        [--list bench/corpus/sa/all.list] [--config FILE] [--examples N]

SpamScope finds URLs with one regular expression, RE_URL of
spamscope/src/modules/utils.py (SpamScope/spamscope on GitHub; the same
expression as UrlsExtractor._url_regex of src/modules/urls_extractor.py):

    ((?:(?:ht|f)tp(?:s?)\\:\\/\\/)(?:[!#$&-;=?-\\[\\]_a-z~]|%[0-9a-f]{2})+)

case-insensitive, run over mail-parser's `body`: the decoded text parts,
text/plain and text/html alike (the HTML as source, not rendered), joined.
This script is that oracle: Python's email package decodes every text/*
part that is not an attachment (charset from the part, Latin-1 when it
is unknown), the regex runs on each, and the distinct matches of a mail
are its SpamScope URLs. The exact regex is used, not an approximation.

mailscope runs over the whole list in a few calls (`analyze --no-spam
--threads N PATH...`, 2,000 paths a call); documents carry source.path,
which ties them to the mails.

Both sides are normalized the same way before comparing: '&amp;' and
other character references decoded (SpamScope reports them as written in
the HTML source, a browser follows them decoded), trailing punctuation
that the regex swallows and no link ends with removed (. , ; : ! ? ' and
an unbalanced ')' or ']'), scheme and host lower-cased, the default port
dropped, an empty path made '/', escapes of unreserved characters
decoded and others upper-cased.

Printed: mails read, URLs the regex finds, how many of those mailscope
also has, the others grouped by where the regex found them (text/plain,
or the HTML context: visible text, an attribute of a tag, an inline
script, a comment, the doctype) with examples, and mailscope's extra
URLs counted by kind (the first source of the URL: text, html:href,
html:src, ..., redirect, attachment) and by scheme. Exits 0; it is a
report, not a test.
"""
import argparse
import collections
import email
import email.policy
import html
import json
import os
import re
import subprocess
import sys

RE_URL = re.compile(r'((?:(?:ht|f)tp(?:s?)\:\/\/)'
                    r'(?:[!#$&-;=?-\[\]_a-z~]|%[0-9a-f]{2})+)', re.I)

DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21", "ftps": "990"}
UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                 "0123456789-._~")
ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def fix_escape(m):
    c = chr(int(m.group(1), 16))
    return c if c in UNRESERVED else "%" + m.group(1).upper()


def strip_trailing(u):
    while u:
        c = u[-1]
        if c in ".,;:!?'\"*":
            u = u[:-1]
        elif c == ")" and u.count("(") < u.count(")"):
            u = u[:-1]
        elif c == "]" and u.count("[") < u.count("]"):
            u = u[:-1]
        else:
            break
    return u


SPLIT = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$", re.S)


def normalize(u, unescape=True):
    """The comparison form of a URL; the same function for both sides."""
    if unescape:
        u = html.unescape(u)
    u = strip_trailing(u.strip())
    m = SPLIT.match(u)
    if not m:
        return u
    scheme, auth, rest = m.group(1).lower(), m.group(2), m.group(3)
    user = ""
    if "@" in auth:
        user, auth = auth.rsplit("@", 1)
        user += "@"
    host, port = auth, ""
    if not host.startswith("[") and ":" in host:
        host, port = host.rsplit(":", 1)
    host = ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), host)
    host = host.lower().rstrip(".")
    if port == DEFAULT_PORTS.get(scheme) or port == "":
        port = ""
    else:
        port = ":" + port
    rest = ESCAPE.sub(fix_escape, rest)
    if not rest.startswith("/"):
        rest = "/" + rest
    return f"{scheme}://{user}{host}{port}{rest}"


def decode_part(part):
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("latin-1")


TAG_START = re.compile(r"<([A-Za-z][A-Za-z0-9]*)")
ATTR_BEFORE = re.compile(r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*[\"']?[^\"'=<>]*$")


def html_context(text, pos):
    """Where in the HTML source the offset pos is: 'script', 'comment',
    'doctype', 'attribute NAME of <TAG>' or 'text'."""
    low = text[:pos].lower()
    for open_, close, name in (("<script", "</script", "inline <script>"),
                               ("<!--", "-->", "comment"),
                               ("<style", "</style", "<style>")):
        o = low.rfind(open_)
        if o >= 0 and low.rfind(close) < o:
            return name
    lt, gt = low.rfind("<"), low.rfind(">")
    if lt > gt:
        if low.startswith("<!doctype", lt):
            return "doctype"
        tag = TAG_START.match(text, lt)
        attr = ATTR_BEFORE.search(text[lt:pos])
        return (f"attribute {attr.group(1).lower() if attr else '?'} of "
                f"<{tag.group(1).lower() if tag else '?'}>")
    return "text"


def spamscope_urls(path):
    """The URLs SpamScope's regex finds in the text bodies of a mail:
    {normalized: (as matched, where)}, where is "text/plain" or the HTML
    context of the match."""
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    found = {}
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        disp = (part.get("Content-Disposition") or "").lower()
        if disp.startswith("attachment"):
            continue
        text = decode_part(part)
        for m in RE_URL.finditer(text):
            raw = m.group(0).strip()
            key = normalize(raw, unescape=ctype == "text/html")
            if key not in found:
                where = ("text/plain" if ctype == "text/plain" else
                         "html " + html_context(text, m.start()))
                found[key] = (raw, where)
    return found


def run_mailscope(binary, paths, config, threads):
    cmd = [binary, "analyze", "--no-spam", "--threads", str(threads)]
    if config:
        cmd += ["-c", config]
    # the paths as arguments, in chunks (no --list option on analyze)
    docs = {}
    chunk = 2000
    for i in range(0, len(paths), chunk):
        out = subprocess.run(cmd + paths[i:i + chunk], capture_output=True,
                             check=False)
        if out.returncode not in (0, 1):
            sys.exit("mailscope failed: "
                     + out.stderr.decode(errors="replace")[-500:])
        for line in out.stdout.splitlines():
            d = json.loads(line)
            src = d.get("source") or {}
            p = src.get("path") if isinstance(src, dict) else None
            if p is not None:
                docs[os.path.abspath(p)] = d
    return docs


def why_missed(raw, where, ms_keys):
    """Where the regex URL mailscope does not have was, and what is odd
    about it: the reason of the difference in most cases."""
    key = normalize(raw)
    odd = ""
    if re.match(r"(?i)^(ht|f)tps?://[^/?#]*%", raw):
        odd = ", escapes in the host"
    elif re.search(r"['\"]", raw):
        odd = ", a quote inside the match"
    for k in ms_keys:
        if k != key and (k.startswith(key) or key.startswith(k)):
            odd = ", mailscope has a longer or shorter form"
            break
    return where + odd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="build/mailscope")
    ap.add_argument("--list", default="bench/corpus/sa/all.list")
    ap.add_argument("--config", default=None,
                    help="configuration file passed with -c")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--examples", type=int, default=12)
    args = ap.parse_args()

    if not os.path.exists(args.list):
        sys.exit(f"{args.list} is missing: run bash bench/fetch-corpus.sh")
    paths = [os.path.abspath(p) for p in open(args.list).read().split()]
    docs = run_mailscope(args.bin, paths, args.config, args.threads)

    regex_total = both = 0
    mails_with_urls = 0
    missed = collections.Counter()
    missed_examples = collections.defaultdict(list)
    extra_by_kind = collections.Counter()
    extra_by_scheme = collections.Counter()
    extra_examples = collections.defaultdict(list)
    ms_total = 0
    no_doc = 0
    for p in paths:
        d = docs.get(p)
        if d is None or "urls" not in d:
            no_doc += 1
            continue
        ss = spamscope_urls(p)
        if ss:
            mails_with_urls += 1
        ms = {}
        for u in d["urls"]:
            ms.setdefault(normalize(u["url"], unescape=False), u)
        ms_total += len(d["urls"])
        regex_total += len(ss)
        for k, (raw, where) in ss.items():
            if k in ms:
                both += 1
            else:
                why = why_missed(raw, where, ms)
                missed[why] += 1
                if len(missed_examples[why]) < args.examples:
                    missed_examples[why].append((os.path.relpath(p), raw))
        for k, u in ms.items():
            if k in ss:
                continue
            kind = (u.get("source") or "?")
            if kind.startswith("attachment:"):
                kind = "attachment"
            extra_by_kind[kind] += 1
            extra_by_scheme[u.get("scheme") or "?"] += 1
            if len(extra_examples[kind]) < 3:
                extra_examples[kind].append((os.path.relpath(p), u["url"]))

    print(f"mails: {len(paths)} listed, {len(paths) - no_doc} analyzed, "
          f"{no_doc} without a document")
    print(f"SpamScope regex: {regex_total} distinct URLs (per mail) in "
          f"{mails_with_urls} mails")
    pct = 100.0 * both / regex_total if regex_total else 0.0
    print(f"found by mailscope too: {both} ({pct:.2f}%)")
    print(f"not found by mailscope: {regex_total - both}")
    for why, n in missed.most_common():
        print(f"  {n:6d}  {why}")
        for path, raw in missed_examples[why][:args.examples]:
            print(f"            {path}: {raw[:140]}")
    extra = sum(extra_by_kind.values())
    print(f"mailscope URLs: {ms_total}; not found by the regex: {extra}")
    print("  by kind (first source):")
    for kind, n in extra_by_kind.most_common():
        ex = "; ".join(u[:90] for _, u in extra_examples[kind][:2])
        print(f"  {n:6d}  {kind:16s} e.g. {ex}")
    print("  by scheme: " + ", ".join(f"{s} {n}" for s, n in
                                      extra_by_scheme.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
