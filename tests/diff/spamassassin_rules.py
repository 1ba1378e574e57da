#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential check of mailscope's rule engine against SpamAssassin.

Both score the same sample of the SpamAssassin corpus with SpamAssassin's
own rule set (the Debian package `spamassassin`, rules in
/usr/share/spamassassin), network tests off and the Bayesian filter
unused, and the script compares, rule by rule, which mails each says the
rule hit:

  - SpamAssassin: spamd (`spamd -L`, started here on 127.0.0.1 with its
    rules loaded once) and `spamc -y`, which prints the names of the rules
    that hit a mail;
  - mailscope: `mailscope analyze --spam-rules /usr/share/spamassassin`
    over the same list; the `spam.rules` names of each document.

Rules are grouped by how mailscope treats them: supported (header, body,
rawbody, full, uri rules, the eval: tests mailscope runs, and meta rules
built only from those), and the others (the eval: tests mailscope does
not run, counted and skipped, and meta rules that need one). For the supported ones the agreement of a rule is
both / (either), over the mails where at least one side says it hit; the
total agreement sums over the rules. Printed: the sample, the totals, and
the rules that disagree most, with example mails.

    python3 tests/diff/spamassassin_rules.py [--bin build/mailscope]
        [--list bench/corpus/sa/all.list] [--sample 300] [--rules DIR]
"""
import argparse
import collections
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

RULE_LINE = re.compile(
    r"^\s*(header|body|rawbody|full|uri|meta|mimeheader|uri_detail)\s+(\S+)\s+(.*)$")
META_NAME = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\b")


# The eval: tests mailscope runs (src/analysis/spam_eval.c), with the
# arguments it takes where it runs only some.
EVAL_RUN = {
    "check_for_shifted_date": None, "subject_is_all_caps": None,
    "check_header_count_range": None, "check_for_mime_html": None,
    "check_for_mime_html_only": None, "check_freemail_from": None,
    "check_freemail_header": None, "html_tag_exists": None,
    "html_test": {"html"},
    "check_for_mime": {"mime_base64_count", "mime_qp_count",
                       "mime_attachment", "mime_base64_encoded_text"},
}


def eval_run(call):
    """True for an eval: call mailscope runs itself."""
    m = re.match(r"(\w+)\s*\((.*)\)", call)
    if not m or m.group(1) not in EVAL_RUN:
        return False
    args = EVAL_RUN[m.group(1)]
    first = m.group(2).split(",")[0].strip().strip("'\"")
    return args is None or first in args


def read_rule_kinds(folder):
    """Maps each rule name to ("eval"|"meta"|"regex", definition)."""
    kinds = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".cf"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8",
                  errors="replace") as f:
            for line in f:
                m = RULE_LINE.match(line)
                if not m:
                    continue
                kind, rule, rest = m.groups()
                if kind in ("mimeheader", "uri_detail"):
                    kinds[rule] = ("eval", rest)
                elif "eval:" in rest.split("#")[0][:80]:
                    call = rest.split("eval:", 1)[1].strip()
                    kinds[rule] = ("regex" if eval_run(call) else "eval",
                                   rest)
                elif kind == "meta":
                    kinds[rule] = ("meta", rest)
                else:
                    kinds.setdefault(rule, ("regex", rest))
    return kinds


def supported(kinds):
    """The rules mailscope can judge: regex rules, and metas built only
    from supported rules (or from names no file defines, which are false
    in both engines)."""
    memo = {}

    def ok(rule, depth=0):
        if rule in memo:
            return memo[rule]
        if depth > 50 or rule not in kinds:
            return rule not in kinds
        kind, rest = kinds[rule]
        if kind == "eval":
            memo[rule] = False
        elif kind == "regex":
            memo[rule] = True
        else:
            memo[rule] = True  # guards a cycle
            memo[rule] = all(ok(n, depth + 1) for n in META_NAME.findall(rest)
                             if n in kinds)
        return memo[rule]

    return {r for r in kinds if ok(r)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_spamd(port, home):
    spamd = shutil.which("spamd") or "/usr/sbin/spamd"
    cmd = [spamd, "-L", "-x", "-i", "127.0.0.1", "-p", str(port), "-m", "2",
           "--min-spare=1", "--max-spare=2", "-u", "nobody",
           "--helper-home-dir=" + home, "-s", "stderr", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(home, "spamd.log"), "w"),
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    sys.exit("spamassassin_rules.py: spamd did not start; see "
             + os.path.join(home, "spamd.log"))


def spamc_rules(port, path):
    with open(path, "rb") as f:
        out = subprocess.run(["spamc", "-d", "127.0.0.1", "-p", str(port),
                              "-y", "-s", "67108864"],
                             stdin=f, capture_output=True, timeout=300)
    names = out.stdout.decode("ascii", "replace").strip()
    return {n for n in names.split(",") if n}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="build/mailscope")
    ap.add_argument("--list", default="bench/corpus/sa/all.list")
    ap.add_argument("--sample", type=int, default=300)
    ap.add_argument("--rules", default="/usr/share/spamassassin")
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    if not shutil.which("spamc"):
        sys.exit("spamassassin_rules.py: spamc not found: "
                 "apt-get install spamassassin spamc spamd")
    paths = open(args.list).read().split()
    step = max(1, len(paths) // args.sample)
    sample = paths[::step][:args.sample]

    home = tempfile.mkdtemp(prefix="ms-sa-")
    os.chmod(home, 0o777)
    port = free_port()
    spamd = start_spamd(port, home)
    try:
        with ThreadPoolExecutor(2) as pool:
            sa = dict(zip(sample, pool.map(lambda p: spamc_rules(port, p),
                                           sample)))
    finally:
        os.killpg(spamd.pid, signal.SIGTERM)
        spamd.wait(timeout=30)

    listing = os.path.join(home, "sample.list")
    with open(listing, "w") as f:
        f.write("\n".join(sample) + "\n")
    out = subprocess.run([args.bin, "analyze", "--spam-rules", args.rules,
                          "--list", listing], capture_output=True)
    ms = {}
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        d = json.loads(line)
        spam = d.get("spam") or {}
        ms[d["source"]["path"]] = {r["name"] for r in spam.get("rules", [])}
    shutil.rmtree(home, ignore_errors=True)

    kinds = read_rule_kinds(args.rules)
    ok = supported(kinds)
    both = collections.Counter()
    only_sa = collections.defaultdict(list)
    only_ms = collections.defaultdict(list)
    skipped = collections.Counter()
    for path in sample:
        a, b = sa.get(path, set()), ms.get(path, set())
        for rule in a | b:
            if rule.startswith("__"):
                continue
            if rule not in ok:
                skipped[rule] += 1
                continue
            if rule in a and rule in b:
                both[rule] += 1
            elif rule in a:
                only_sa[rule].append(path)
            else:
                only_ms[rule].append(path)
    rules = set(both) | set(only_sa) | set(only_ms)
    n_both = sum(both.values())
    n_either = n_both + sum(len(v) for v in only_sa.values()) + \
        sum(len(v) for v in only_ms.values())
    print(f"sample: {len(sample)} mails of {args.list}; "
          f"{len(ms)} mailscope documents")
    print(f"rules defined: {len(kinds)}; supported by mailscope: {len(ok)}; "
          f"others (eval: tests and metas that need one): "
          f"{len(kinds) - len(ok)}")
    print(f"supported rules that hit at least once: {len(rules)}")
    if n_either:
        print(f"agreement on supported rules: {n_both} of {n_either} hits "
              f"({100 * n_both / n_either:.2f}%)")
    per_rule = []
    for rule in rules:
        e = both[rule] + len(only_sa[rule]) + len(only_ms[rule])
        per_rule.append((e - both[rule], rule, e))
    per_rule.sort(reverse=True)
    print(f"rules that disagree most (mails where only one side hit):")
    for miss, rule, e in per_rule[:args.top]:
        if miss == 0:
            break
        print(f"  {rule:32} both {both[rule]:4}  SpamAssassin only "
              f"{len(only_sa[rule]):4}  mailscope only {len(only_ms[rule]):4}"
              f"  ({kinds[rule][0]})")
        for p in (only_sa[rule] + only_ms[rule])[:args.examples]:
            print(f"      {p}")
    top_skipped = ", ".join(f"{r} {n}" for r, n in skipped.most_common(12))
    print(f"hits of rules mailscope does not judge: "
          f"{sum(skipped.values())} ({top_skipped})")


if __name__ == "__main__":
    main()
