#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential check of `mailscope parse` against Python's email package.

Usage: python_email_diff.py [OPTIONS] BIN LIST

Runs `BIN parse --jsonl` over every mail named in LIST (one path a line,
handed over in batches on the command line) and parses the same files with
email.parser.BytesParser(policy=email.policy.default), then compares per
mail:

  subject             the decoded Subject, whitespace runs collapsed to one
                      space and trimmed; a missing Subject is null
  from                the first address of the (first) From header, its
                      addr-spec lower-cased; null when there is none
  attachments_count   how many attachments each side counts (rule below)
  attachments_sha256  the SHA-256 of each attachment's decoded bytes, as a
                      sorted list (a multiset: duplicates count)

The attachment rule is mail-parser's, as mailscope implements it (see
`mailscope help parse`), applied to every leaf of Message.walk() (multiparts
and message/* containers are walked into, not counted): a leaf is an
attachment when
  - it has a file name (Content-Disposition filename or Content-Type name,
    RFC 2231 decoded, non-empty), or
  - it has a Content-ID that is not empty once its angle brackets are
    removed, and its type is not text/*, or
  - its Content-Disposition type is "attachment".
mailscope also lifts uuencoded files out of text/plain bodies as attachments
at paths N.uuK; Python's email does not look for them, so those are left
out of the comparison and only counted.

Prints the agreement per field (mails compared, agreeing, per cent) and
writes every disagreement as one JSON line {path, field, ours, python} to
the --out file, plus lines with field "python_failure" / "ours_failure"
for mails one side could not handle. A Python exception while reading a
field makes that field a Python failure for that mail, not a disagreement.
Exit status 0 (the output is a report) unless --min-agreement PCT is given
and some field agrees on fewer than PCT per cent of the mails compared (1),
or the usage is wrong (2).
"""

import argparse
import email.parser
import email.policy
import hashlib
import json
import os
import re
import subprocess
import sys

# Mails per `BIN parse` process: big enough that process start-up does not
# matter, small enough to stay far below the kernel's argument size limit
# and to make re-running a crashed batch one mail at a time cheap.
DEFAULT_BATCH = 500

# A single mail whose parse takes longer than this is recorded as a hang.
PER_MAIL_TIMEOUT_S = 30

FIELDS = ("subject", "from", "attachments_count", "attachments_sha256")

WHITESPACE_RUN = re.compile(r"\s+")

# Python's email keeps header bytes it cannot decode as lone surrogates.
LONE_SURROGATE = re.compile("[\udc80-\udcff]")


def normalize_subject(value):
    """Collapses runs of whitespace to one space and trims; None stays
    None (no Subject header)."""
    if value is None:
        return None
    return WHITESPACE_RUN.sub(" ", value).strip()


def normalize_address(value):
    """Lower-cases an addr-spec; empty ones ('' or Python's '<>' for an
    address without local part and domain) become None."""
    if value is None:
        return None
    value = value.strip().lower()
    if value in ("", "<>"):
        return None
    return value


# ---------------------------------------------------------------- ours


def run_ours_batch(binary, paths):
    """Runs `binary parse --jsonl` over paths; returns (records by path,
    exit status). Records are the parsed JSON objects; lines that are not
    JSON are kept as {"_bad_json": line}."""
    try:
        proc = subprocess.run(
            [binary, "parse", "--jsonl", "--"] + paths,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=PER_MAIL_TIMEOUT_S * max(1, len(paths) // 20),
        )
    except subprocess.TimeoutExpired:
        return {}, "timeout"
    records = {}
    for line in proc.stdout.splitlines():
        try:
            rec = json.loads(line)
            path = rec.get("source", {}).get("path")
        except (ValueError, AttributeError):
            continue
        if path is not None:
            records[path] = rec
    return records, proc.returncode


def run_ours(binary, paths, batch_size):
    """Parses every path with mailscope, batch by batch. A batch that
    crashes, hangs or leaves mails out is re-run one mail at a time so the
    culprit is found and the rest still compared. Returns (records by path,
    failures by path: a short reason)."""
    records, failures = {}, {}
    for start in range(0, len(paths), batch_size):
        batch = paths[start : start + batch_size]
        got, status = run_ours_batch(binary, batch)
        if status in (0, 1) and all(p in got for p in batch):
            records.update(got)
            continue
        for path in batch:
            one, one_status = run_ours_batch(binary, [path])
            if path in one:
                records[path] = one[path]
            elif one_status == "timeout":
                failures[path] = f"no output within {PER_MAIL_TIMEOUT_S} s"
            elif isinstance(one_status, int) and one_status < 0:
                failures[path] = f"killed by signal {-one_status}"
            else:
                failures[path] = f"no output line (exit {one_status})"
    for path, rec in list(records.items()):
        if rec.get("error") is not None:
            failures[path] = "error record: " + json.dumps(rec["error"])
            del records[path]
    return records, failures


def ours_fields(rec):
    """The compared fields of one mailscope record. Returns (fields,
    attachment detail for the disagreements file, number of
    uuencoded-in-text attachments left out)."""
    subject = rec.get("subject")
    from_list = rec.get("from") or []
    first = from_list[0].get("address") if from_list else None
    all_atts = rec.get("attachments") or []
    uu = [a for a in all_atts if ".uu" in (a.get("path") or "")]
    atts = [a for a in all_atts if ".uu" not in (a.get("path") or "")]
    fields = {
        "subject": normalize_subject(subject),
        "from": normalize_address(first),
        "attachments_count": len(atts),
        "attachments_sha256": sorted(a.get("sha256") or "" for a in atts),
    }
    detail = [
        {
            "path": a.get("path"),
            "filename": a.get("filename"),
            "content_type": a.get("content_type"),
            "size": a.get("size"),
            "sha256": a.get("sha256"),
        }
        for a in atts
    ]
    return fields, detail, len(uu)


# -------------------------------------------------------------- python


def content_id_present(part):
    """True when the part has a Content-ID that is not empty once trimmed
    and stripped of its angle brackets (mailscope ignores "<>" and blank
    ones)."""
    raw = part.get("content-id")
    if raw is None:
        return False
    value = str(raw).strip()
    if value.startswith("<"):
        value = value[1:]
    if value.endswith(">"):
        value = value[:-1]
    return value.strip() != ""


def is_attachment(part):
    """mail-parser's attachment rule for one leaf (see the module text)."""
    filename = part.get_filename()
    if filename:
        return True
    if content_id_present(part) and part.get_content_maintype() != "text":
        return True
    return part.get_content_disposition() == "attachment"


def python_attachments(msg):
    """The attachments of msg by the rule: a list of dicts with the
    decoded bytes' sha256, the file name and the type."""
    found = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if not is_attachment(part):
            continue
        data = part.get_payload(decode=True) or b""
        found.append(
            {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    return found


def header_notes(header, value):
    """Why Python's reading of a header may be the wrong one: the defects
    its header parser registered, and "lossy" when the value holds U+FFFD
    or lone surrogates (8-bit bytes it could not decode). Returns a list,
    empty when Python saw nothing odd."""
    notes = []
    for defect in getattr(header, "defects", ()) or ():
        notes.append(f"{type(defect).__name__}: {defect}")
    if value is not None and ("\ufffd" in value or LONE_SURROGATE.search(value)):
        notes.append("lossy: undecodable 8-bit bytes")
    return notes


def python_fields(parser, path):
    """Parses the file at path with Python's email; returns (fields,
    attachment detail, notes, errors): notes maps a field to
    header_notes(), errors maps a field name (or "read" / "parse") to the
    exception text for the fields that raised."""
    errors = {}
    fields = {}
    notes = {}
    detail = None
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return fields, detail, notes, {"read": str(e)}
    try:
        msg = parser.parsebytes(data)
    except Exception as e:  # the library's failure is the mail's result
        return fields, detail, notes, {"parse": f"{type(e).__name__}: {e}"}
    try:
        subject = msg["subject"]
        text = None if subject is None else str(subject)
        fields["subject"] = normalize_subject(text)
        notes["subject"] = header_notes(subject, text)
    except Exception as e:
        errors["subject"] = f"{type(e).__name__}: {e}"
    try:
        header = msg["from"]
        address = None
        addresses = getattr(header, "addresses", None) if header else None
        if addresses:
            address = addresses[0].addr_spec
        fields["from"] = normalize_address(address)
        notes["from"] = header_notes(header, address)
    except Exception as e:
        errors["from"] = f"{type(e).__name__}: {e}"
    try:
        detail = python_attachments(msg)
        fields["attachments_count"] = len(detail)
        fields["attachments_sha256"] = sorted(a["sha256"] for a in detail)
        # the MIME defects Python found anywhere in the mail, decoding
        # included: on a base64 error get_payload(decode=True) hands back
        # the undecoded text, and a lost boundary hides parts, so these
        # explain most attachment disagreements
        mime_notes = sorted(
            {type(d).__name__ for part in msg.walk() for d in part.defects}
        )
        notes["attachments_count"] = mime_notes
        notes["attachments_sha256"] = mime_notes
    except Exception as e:
        errors["attachments_count"] = f"{type(e).__name__}: {e}"
        errors["attachments_sha256"] = errors["attachments_count"]
    return fields, detail, notes, errors


# ---------------------------------------------------------------- main


def read_list(list_path, limit):
    """The non-empty lines of the list file, at most limit of them (0: all)."""
    with open(list_path, encoding="utf-8", errors="surrogateescape") as f:
        paths = [line.rstrip("\r\n") for line in f if line.strip()]
    return paths[:limit] if limit > 0 else paths


def parse_args(argv):
    """The command line, parsed (argparse exits with status 2 on errors)."""
    ap = argparse.ArgumentParser(
        description="Compare `BIN parse --jsonl` with Python's email "
        "(policy=default) on subject, From, attachments.",
    )
    ap.add_argument("binary", metavar="BIN", help="the mailscope binary")
    ap.add_argument("list", metavar="LIST", help="mail paths, one a line")
    ap.add_argument(
        "--out",
        default=None,
        help="disagreements file, JSON lines (default: "
        "bench/out/python_email_diff.jsonl in the repository)",
    )
    ap.add_argument(
        "--min-agreement",
        type=float,
        default=None,
        metavar="PCT",
        help="exit 1 when a field agrees on fewer than PCT %% of the mails",
    )
    ap.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="mails per BIN run")
    ap.add_argument("--limit", type=int, default=0, help="only the first N mails")
    return ap.parse_args(argv)


def main(argv):
    """Runs both sides, compares, prints the report; returns the exit
    status."""
    args = parse_args(argv)
    if not os.access(args.binary, os.X_OK):
        print(f"python_email_diff: {args.binary}: not an executable", file=sys.stderr)
        return 2
    try:
        paths = read_list(args.list, args.limit)
    except OSError as e:
        print(f"python_email_diff: {args.list}: {e.strerror}", file=sys.stderr)
        return 2
    out_path = args.out
    if out_path is None:
        repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        out_path = os.path.join(repo, "bench", "out", "python_email_diff.jsonl")
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)

    ours, ours_failures = run_ours(args.binary, paths, max(1, args.batch))
    parser = email.parser.BytesParser(policy=email.policy.default)

    compared = {f: 0 for f in FIELDS}
    agreed = {f: 0 for f in FIELDS}
    python_failed = {f: 0 for f in FIELDS}
    # disagreements where Python itself flagged the header as odd
    flagged = {f: 0 for f in FIELDS}
    python_failed_mails = 0
    uu_left_out = uu_mails = 0
    n_lines = 0
    with open(out_path, "w", encoding="utf-8") as out:

        def emit(record):
            """Writes one line of the disagreements file."""
            nonlocal n_lines
            line = json.dumps(record, ensure_ascii=False)
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:
                # Python keeps undecodable header bytes as lone surrogates,
                # which UTF-8 cannot hold: escape this line instead
                line = json.dumps(record)
            out.write(line + "\n")
            n_lines += 1

        for path in paths:
            py, py_detail, py_notes, py_errors = python_fields(parser, path)
            if py_errors:
                python_failed_mails += 1
                emit({"path": path, "field": "python_failure", "errors": py_errors})
            if path in ours_failures:
                emit({"path": path, "field": "ours_failure", "reason": ours_failures[path]})
                continue
            mine, my_detail, n_uu = ours_fields(ours[path])
            if n_uu:
                uu_left_out += n_uu
                uu_mails += 1
            for field in FIELDS:
                if field not in py:
                    python_failed[field] += 1
                    continue
                compared[field] += 1
                if mine[field] == py[field]:
                    agreed[field] += 1
                    continue
                record = {"path": path, "field": field, "ours": mine[field], "python": py[field]}
                if py_notes.get(field):
                    record["python_notes"] = py_notes[field]
                    flagged[field] += 1
                if field.startswith("attachments"):
                    record["ours_attachments"] = my_detail
                    record["python_attachments"] = py_detail
                emit(record)

    print(
        f"python_email_diff: {len(paths)} mails from {args.list}; "
        f"mailscope failed on {len(ours_failures)}, "
        f"Python raised on {python_failed_mails}"
    )
    print(
        f"{'field':<20} {'compared':>9} {'agree':>9} {'%':>8} "
        f"{'disagree':>9} {'py flagged':>11} {'py failed':>10}"
    )
    below = []
    for field in FIELDS:
        pct = 100.0 * agreed[field] / compared[field] if compared[field] else 100.0
        if args.min_agreement is not None and pct < args.min_agreement:
            below.append(field)
        print(
            f"{field:<20} {compared[field]:>9} {agreed[field]:>9} "
            f"{pct:>8.2f} {compared[field] - agreed[field]:>9} "
            f"{flagged[field]:>11} {python_failed[field]:>10}"
        )
    if uu_left_out:
        print(
            f"left out: {uu_left_out} uuencoded-in-text attachments of ours "
            f"in {uu_mails} mails (Python's email does not extract them)"
        )
    print(
        "py flagged: disagreements where Python itself registered defects "
        "(in the header, or in the MIME structure and decoding for the "
        "attachment fields) or lost 8-bit bytes"
    )
    print(f"{n_lines} lines (disagreements and failures) in {out_path}")
    if below:
        print(
            f"python_email_diff: below {args.min_agreement}%: {', '.join(below)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
