#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates the attachments benchmark set: mails with large attachments.

Usage: gen_attachment_mails.py OUTDIR [N_MAILS] [SEED]

Writes OUTDIR/mails/NNN.eml and, for the physical reference, the decoded
attachment bytes as OUTDIR/payloads/NNN-K.bin (sha256sum reads exactly
the bytes the analyzer hashes). Attachments are 1 to 20 MB of mixed
kinds: incompressible binary, text, a PDF-like file, an executable-like
file, zip and tar.gz archives of text and binary.
"""
import email.policy
import io
import os
import random
import sys
import tarfile
import zipfile
from email.message import EmailMessage

WORDS = ("invoice order amount payment account reference total shipping "
         "customer delivery schedule report quarterly balance").split()


def text_bytes(rng, n):
    out = io.BytesIO()
    while out.tell() < n:
        line = " ".join(rng.choice(WORDS) for _ in range(12))
        out.write(line.encode() + b"\n")
    return out.getvalue()[:n]


def binary_bytes(rng, n):
    return rng.randbytes(n)


def pdf_bytes(rng, n):
    head = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"
    body = binary_bytes(rng, n - len(head) - 6)
    return head + body + b"%%EOF\n"


def exe_bytes(rng, n):
    head = b"MZ" + bytes(58) + (0x80).to_bytes(4, "little") + bytes(64)
    head += b"PE\0\0"
    return head + binary_bytes(rng, n - len(head))


def zip_bytes(rng, n):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.txt", text_bytes(rng, n // 2))
        zf.writestr("scan.bin", binary_bytes(rng, n // 4))
    return buf.getvalue()


def targz_bytes(rng, n):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in (("logs.txt", text_bytes(rng, n // 2)),
                           ("blob.bin", binary_bytes(rng, n // 4))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


KINDS = [
    ("bin", "application/octet-stream", binary_bytes),
    ("txt", "text/plain", text_bytes),
    ("pdf", "application/pdf", pdf_bytes),
    ("exe", "application/octet-stream", exe_bytes),
    ("zip", "application/zip", zip_bytes),
    ("tar.gz", "application/gzip", targz_bytes),
]


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gen_attachment_mails.py OUTDIR [N_MAILS] [SEED]")
    out = sys.argv[1]
    n_mails = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    os.makedirs(os.path.join(out, "mails"), exist_ok=True)
    os.makedirs(os.path.join(out, "payloads"), exist_ok=True)
    for i in range(n_mails):
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = "sender%d@example.net" % i
        msg["To"] = "analyst@example.org"
        msg["Subject"] = "Documents %d" % i
        msg.set_content("Please find the documents attached.\n")
        for k in range(rng.choice((1, 1, 2))):
            ext, ctype, make = rng.choice(KINDS)
            size = rng.randint(1, 20) * 1024 * 1024
            data = make(rng, size)
            maintype, subtype = ctype.split("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype,
                               filename="file%d-%d.%s" % (i, k, ext))
            with open(os.path.join(out, "payloads", "%03d-%d.bin" % (i, k)),
                      "wb") as f:
                f.write(data)
        with open(os.path.join(out, "mails", "%03d.eml" % i), "wb") as f:
            f.write(msg.as_bytes())


if __name__ == "__main__":
    main()
