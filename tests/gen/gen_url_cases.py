#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the golden cases of the URL analyzer, tests/cases/analyze_url_*.

Usage: python3 tests/gen/gen_url_cases.py   (from the repository root)

Each case is a mail written byte for byte and an expected.json whose
values come from the standards, not from mailscope's output: RFC 3986
(resolution, dot segments, percent-encoding), the WHATWG URL standard
(default ports dropped, host lower-cased, punycode hosts), HTML5
(character references in attributes, meta refresh, srcset), IDNA
(Python's idna codec gives the punycode), PDF 1.7 section 12.6.4.7
(/URI actions) and ECMA-376 part 2 (OOXML relationships). The mails
copy the headers and MIME layout of real clients and MTAs.
"""
import base64
import io
import json
import os
import quopri
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cases")
CMD = ["analyze", "--no-spam"]


def write_case(name, mail, expected, comment):
    d = os.path.join(ROOT, "analyze_url_" + name)
    os.makedirs(d, exist_ok=True)
    if isinstance(mail, str):
        mail = mail.encode("utf-8")
    mail = mail.replace(b"\r\n", b"\n")
    with open(os.path.join(d, "mail.eml"), "wb") as f:
        f.write(mail)
    doc = {"$command": CMD, "$comment": comment}
    doc.update(expected)
    with open(os.path.join(d, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


def received(by, frm, ip, qid, date):
    return (f"Received: from {frm} ({frm} [{ip}])\n"
            f"\tby {by} (Postfix) with ESMTPS id {qid}\n"
            f"\tfor <j.doe@example.com>; {date}\n")


def headers(subject, frm, msgid, date, extra="", ip="198.51.100.25",
            host="mail.example.net"):
    return (f"Return-Path: <{frm}>\n"
            "Delivered-To: j.doe@example.com\n"
            + received("mx1.example.com", host, ip, "4TvV5e8Ps0z4xZg",
                       date.replace(" +0100", " +0000"))
            + f"From: {frm}\n"
            "To: Jane Doe <j.doe@example.com>\n"
            f"Subject: {subject}\n"
            f"Date: {date}\n"
            f"Message-ID: <{msgid}>\n"
            + extra +
            "MIME-Version: 1.0\n")


def url(u, **kw):
    d = {"url": u}
    d.update(kw)
    return d


def alternative(text, html, boundary, text_cte="7bit", html_cte="7bit"):
    return (f'Content-Type: multipart/alternative; boundary="{boundary}"\n'
            "\n"
            f"--{boundary}\n"
            'Content-Type: text/plain; charset="utf-8"\n'
            f"Content-Transfer-Encoding: {text_cte}\n"
            "\n"
            f"{text}\n"
            f"--{boundary}\n"
            'Content-Type: text/html; charset="utf-8"\n'
            f"Content-Transfer-Encoding: {html_cte}\n"
            "\n"
            f"{html}\n"
            f"--{boundary}--\n")


def html_only(html, cte="7bit"):
    return ('Content-Type: text/html; charset="utf-8"\n'
            f"Content-Transfer-Encoding: {cte}\n"
            "\n" + html + "\n")


def text_only(text, cte="7bit"):
    return ('Content-Type: text/plain; charset="utf-8"; format=flowed\n'
            f"Content-Transfer-Encoding: {cte}\n"
            "\n" + text + "\n")


THUNDERBIRD = ("User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) "
               "Gecko/20100101 Thunderbird/115.8.0\n"
               "Content-Language: en-US\n")
OUTLOOK = ("X-Mailer: Microsoft Outlook 16.0\n"
           "Thread-Index: AdqKx2Vw8v3Jm0rHQ9uJx1pL2cT7QA==\n"
           "Content-Language: en-us\n")


def main():
    # ------------------------------------------------------------ text
    write_case(
        "text_explicit",
        headers("Q3 review material", "Mark Lee <m.lee@example.org>",
                "3f1c0d2e-8b1a-4c55-9e0f-2a7b6c1d9e44@example.org",
                "Tue, 12 Mar 2024 15:03:05 +0100", THUNDERBIRD,
                host="smtp.example.org", ip="192.0.2.10")
        + text_only(
            "Hi Jane,\n\n"
            "The slides are at\n"
            "https://Docs.Example.COM:443/shared/./q3/../q3-review.pdf?dl=1 and\n"
            "the raw data is on ftp://ftp.example.net/pub/data.csv.\n"
            "(Old wiki page: http://intranet.example.org:8080/wiki/Budget_2024).\n"
            "Calendar: <https://calendar.example.com/event?id=42&tz=UTC>\n\n"
            "Mark"),
        {"urls": [
            url("https://docs.example.com/shared/q3-review.pdf?dl=1",
                scheme="https", host="docs.example.com", domain="example.com",
                domain_without_tld="example", subdomain="docs", tld="com",
                port=None, resource_path="/shared/q3-review.pdf",
                query_string="?dl=1", fragment=None, is_ip=False,
                source="text", flags=[]),
            url("ftp://ftp.example.net/pub/data.csv", scheme="ftp",
                host="ftp.example.net", resource_path="/pub/data.csv",
                source="text", flags=[]),
            url("http://intranet.example.org:8080/wiki/Budget_2024",
                port=8080, subdomain="intranet", domain="example.org",
                resource_path="/wiki/Budget_2024", source="text", flags=[]),
            url("https://calendar.example.com/event?id=42&tz=UTC",
                query_string="?id=42&tz=UTC", source="text", flags=[]),
        ]},
        "Four explicit URLs in a text/plain body, in order. Normalization "
        "(WHATWG URL / RFC 3986 6.2): scheme and host lower-cased, the "
        "default port 443 of https dropped (port null), './' and 'q3/../' "
        "removed (RFC 3986 5.2.4), path case kept. The sentence dot after "
        "data.csv, the ').' after the wiki link and the angle brackets "
        "(RFC 3986 appendix C delimiters) are not part of the URLs. Port "
        "8080 is not a default so it is kept.")

    write_case(
        "text_www_and_bare_domain",
        headers("Re: account access", "IT Helpdesk <helpdesk@example.org>",
                "CAF=k9x2Lm0wQz@mail.example.org",
                "Wed, 13 Mar 2024 09:12:44 +0100", THUNDERBIRD)
        + text_only(
            "Hello,\n\n"
            "Our new portal is www.Example.net/offers and the old one\n"
            "www.example.org still works. To reset your password go to\n"
            "account-help.example.com/reset?u=jdoe and follow the steps.\n"
            "The test server is staging.example.com:8443/login for now.\n"
            "The attached report.pdf, e.g. the summary, is final.\n"
            "See also \"status.example.com/incidents\".\n"),
        {"urls": [
            url("http://www.example.net/offers", scheme="http",
                host="www.example.net", subdomain="www",
                resource_path="/offers", source="text", flags=[]),
            url("http://www.example.org/", host="www.example.org",
                resource_path=None, source="text", flags=[]),
            url("http://account-help.example.com/reset?u=jdoe",
                host="account-help.example.com", domain="example.com",
                query_string="?u=jdoe", source="text", flags=[]),
            url("http://staging.example.com:8443/login", scheme="http",
                host="staging.example.com", port=8443,
                resource_path="/login", source="text", flags=[]),
            url("http://status.example.com/incidents", source="text",
                flags=[]),
        ]},
        "Links written without scheme: a 'www.' form is a link with or "
        "without a path and means http (what mail clients linkify); a bare "
        "domain counts only with a path and a real TLD "
        "(account-help.example.com/reset, status.example.com/incidents "
        "inside quotes), also with a port (staging.example.com:8443/login is "
        "host and port, not a URI whose scheme is 'staging.example.com'). "
        "'report.pdf' (pdf is no TLD) and 'e.g.' are not links. The "
        "normalized URL of a bare 'www.example.org' ends with '/' (WHATWG "
        "URL: an empty http path serializes as '/'), while resource_path "
        "stays null because no path was written (url_parse.h).")

    write_case(
        "text_emails_and_ip_literals",
        headers("Outage report 2024-03-14", "NOC <noc@example.net>",
                "20240314081502.GA1234@noc.example.net",
                "Thu, 14 Mar 2024 08:15:02 +0100",
                "User-Agent: Mutt/2.2.9 (2022-11-12)\n",
                host="noc.example.net", ip="203.0.113.5")
        + text_only(
            "Summary of the night:\n\n"
            "- relay 192.0.2.44 refused connections from 02:10 to 02:40;\n"
            "- the IPv6 resolver 2001:DB8:0:0::25 answered SERVFAIL;\n"
            "- build 10.4.999.1 was rolled back.\n\n"
            "Questions to Jane.Doe@Example.ORG or support@help.example.net.\n"),
        {"urls": {"$len": 0},
         "observables": {
             "emails": {"$contains": ["jane.doe@example.org",
                                      "support@help.example.net"]},
             "ips": {"$contains": ["192.0.2.44", "2001:db8::25"]}}},
        "E-mail addresses and IP literals of a text body go to observables, "
        "not to urls (no scheme, no path). Addresses are lower-cased "
        "(observables.h); the IPv6 literal is written in the RFC 5952 "
        "canonical form (lower case, '::' for the zero run). 10.4.999.1 is "
        "a version number, not an address (999 > 255). The sentence-ending "
        "'.' of the last address is not part of it.")

    write_case(
        "text_defanged",
        headers("[TLP:AMBER] IOCs for campaign 2024-031",
                "SOC <soc@example.com>",
                "ioc-2024-031@soc.example.com",
                "Fri, 15 Mar 2024 11:00:00 +0100", OUTLOOK,
                host="soc.example.com", ip="192.0.2.80")
        + text_only(
            "Block the following indicators:\n\n"
            "hxxp://malware.example[.]net/payload.exe\n"
            "hxxps://phish[.]example.com/login\n"
            "evil(dot)example(dot)org/gate.php\n"
            "http[:]//198.51.100[.]23/c2\n"),
        {"urls": [
            url("http://malware.example.net/payload.exe", scheme="http",
                host="malware.example.net", flags=["obfuscated"]),
            url("https://phish.example.com/login", scheme="https",
                flags=["obfuscated"]),
            url("http://evil.example.org/gate.php", domain="example.org",
                flags=["obfuscated"]),
            url("http://198.51.100.23/c2", is_ip=True, host="198.51.100.23",
                flags=["obfuscated", "ip_host"]),
         ],
         "observables": {"ips": {"$contains": ["198.51.100.23"]}}},
        "Defanged indicators as analysts write them: 'hxxp'/'hxxps' read "
        "as http/https, '[.]' and '(dot)' as '.', '[:]' as ':'. Each is "
        "repaired and flagged obfuscated; the IP host also gets ip_host "
        "(flags are listed in bit order: obfuscated, ..., ip_host).")

    # ------------------------------------------------------------ html
    html = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="refresh" content="5; url=https://refresh.example.com/landing">
<style type="text/css">
body { background-image: url('https://css.example.com/bg.png'); }
@import "https://css.example.com/theme.css";
</style>
</head>
<body background="https://bg.example.com/paper.jpg">
<p>Dear customer,</p>
<p><a href="https://www.example.com/account">Manage your account</a></p>
<img src="https://img.example.com/logo.png" srcset="https://img.example.com/logo-2x.png 2x, https://img.example.com/logo-3x.png 3x" alt="Example">
<form action="https://forms.example.net/submit" method="post">
<input type="text" name="user"><button type="submit" formaction="https://forms.example.net/alt">Go</button>
</form>
<div style="background:url(https://inline.example.org/dot.gif)">&nbsp;</div>
<p>Or paste https://text.example.org/help into your browser.</p>
</body></html>"""
    write_case(
        "html_attribute_sources",
        headers("Your account", "Example Support <support@example.com>",
                "0100018e2a7b.5d1c@email.example.com",
                "Mon, 18 Mar 2024 10:20:30 +0100",
                "X-Mailer: Amazon SES\n", host="a8-30.smtp-out.example.com",
                ip="54.240.8.30")
        + alternative("Dear customer,\nManage your account: "
                      "https://www.example.com/account\n", html, "b1_x7Q"),
        {"urls": {"$contains": [
            url("https://www.example.com/account",
                sources={"$contains": ["text", "html:href"]},
                display_text="Manage your account", flags=[]),
            url("https://refresh.example.com/landing", source="html:refresh"),
            url("https://css.example.com/bg.png", source="html:css"),
            url("https://css.example.com/theme.css", source="html:css"),
            url("https://bg.example.com/paper.jpg", source="html:background"),
            url("https://img.example.com/logo.png", source="html:src"),
            url("https://img.example.com/logo-2x.png", source="html:srcset"),
            url("https://img.example.com/logo-3x.png", source="html:srcset"),
            url("https://forms.example.net/submit", source="html:form"),
            url("https://forms.example.net/alt", source="html:form"),
            url("https://inline.example.org/dot.gif", source="html:css"),
            url("https://text.example.org/help", source="html:text"),
        ]}},
        "Every place HTML holds a URL, with its source kind (urls.h): "
        "a href, img src, each srcset candidate without its descriptor "
        "(HTML5 srcset), form action and button formaction (both html:form), "
        "the body background attribute, CSS url() in <style> and in a "
        "style attribute and @import (html:css), the url= of a meta refresh "
        "(HTML5 'shared declarative refresh steps'), and a URL in the "
        "visible text (html:text). The link also in the text/plain part "
        "has both sources, text first (parts are read in order); its "
        "display text is the anchor text.")
    html = """<html>
<head><base href="https://attacker.example.net/kit/"></head>
<body>
<p><a href="login.php?next=/home">Sign in</a> |
<a href="/static/help.html">Help</a> |
<a href="../assets/terms.html">Terms</a> |
<a href="//cdn.example.org/x.js">CDN</a> |
<a href="https://absolute.example.com/">Partner</a></p>
<img src="img/logo.png" alt="">
</body></html>"""
    write_case(
        "html_base_relative",
        headers("Verify your mailbox", "Mail Admin <admin@example.net>",
                "Sgk2.9f8a@attacker.example.net",
                "Tue, 19 Mar 2024 07:45:10 +0100",
                host="attacker.example.net", ip="203.0.113.66")
        + html_only(html),
        {"urls": {"$contains": [
            url("https://attacker.example.net/kit/", source="html:base"),
            url("https://attacker.example.net/kit/login.php?next=/home",
                source="html:href", display_text="Sign in"),
            url("https://attacker.example.net/static/help.html",
                source="html:href"),
            url("https://attacker.example.net/assets/terms.html",
                source="html:href"),
            url("https://cdn.example.org/x.js", scheme="https",
                source="html:href"),
            url("https://absolute.example.com/", source="html:href"),
            url("https://attacker.example.net/kit/img/logo.png",
                source="html:src"),
        ]}},
        "Relative references resolved against <base href> by RFC 3986 5.2 "
        "(examples of 5.4): 'login.php' merges with the base path /kit/, "
        "'/static/..' replaces the path, '../assets' goes one level up from "
        "/kit/, '//cdn...' keeps only the base scheme (https), an absolute "
        "URL is kept. The base itself is listed as html:base.")

    html = """<html><body>
<p>Dear user, your session expired.</p>
<p><a href="https://secure-login.example.net/signin/">https://www.example.com/signin</a></p>
<p><a href="http://198.51.100.9/verify">www.bank.example.com</a></p>
<p><a href="https://www.example.com/orders">www.example.com</a></p>
<p><a href="https://mail.example.com/inbox">example.com</a></p>
<p><a href="https://track.example.org/c?id=9">Click here</a></p>
</body></html>"""
    write_case(
        "html_text_href_mismatch",
        headers("Action required: session expired",
                "Example Security <security@example.com>",
                "a81f2c@secure-login.example.net",
                "Wed, 20 Mar 2024 02:11:59 +0000",
                host="secure-login.example.net", ip="203.0.113.77")
        + html_only(html),
        {"urls": {"$contains": [
            url("https://secure-login.example.net/signin/",
                display_text="https://www.example.com/signin",
                flags=["text_href_mismatch"]),
            url("http://198.51.100.9/verify",
                display_text="www.bank.example.com",
                flags=["text_href_mismatch", "ip_host"]),
            url("https://www.example.com/orders", flags=[]),
            url("https://mail.example.com/inbox", flags=[]),
            url("https://track.example.org/c?id=9", flags=[]),
        ]}},
        "A link whose visible text is a URL or domain of another registered "
        "domain than the target is flagged text_href_mismatch (the text "
        "shows example.com, the click opens example.net, or a bare IP). "
        "Same registered domain (www.example.com shown, "
        "www.example.com or mail.example.com opened) and a text that names "
        "no domain ('Click here') are not flagged.")

    html = """<html><body>
<p>Hello <b>friend
<p><a href=http://unquoted.example.com/path?a=1&b=2>unquoted link</a>
<p><a href='https://single.example.net/say"hi"'>single quotes</a>
<p><a href="https://double.example.org/it's">double quotes</a>
<p><A HREF="HTTPS://UPPER.EXAMPLE.COM/Path">upper case</A>
<p><a href = "https://spaced.example.com/x" >spaced</a>
<p><a href="https://unclosed.example.com/end">never closed"""
    write_case(
        "html_broken_markup",
        headers("promo", "Deals <deals@offers.example.net>",
                "m.1710950000.7731@offers.example.net",
                "Wed, 20 Mar 2024 16:33:20 +0000",
                host="mta-22.offers.example.net", ip="198.51.100.80")
        + html_only(html),
        {"urls": [
            url("http://unquoted.example.com/path?a=1&b=2",
                display_text="unquoted link", source="html:href"),
            url("https://single.example.net/say%22hi%22",
                resource_path="/say%22hi%22", source="html:href"),
            url("https://double.example.org/it's", source="html:href"),
            url("https://upper.example.com/Path", resource_path="/Path",
                source="html:href"),
            url("https://spaced.example.com/x", source="html:href"),
            url("https://unclosed.example.com/end", source="html:href",
                display_text="never closed"),
        ]},
        "Broken HTML as spam tools write it (HTML5 tokenizer rules): an "
        "unquoted attribute value ends at white space or '>' and keeps "
        "'&b=2' ('&b' is no character reference); a double quote inside a "
        "single-quoted value is data and is percent-encoded in the path "
        "(WHATWG path percent-encode set); an apostrophe is a sub-delim "
        "(RFC 3986) and kept; tag and attribute names are "
        "case-insensitive, host and scheme lower-cased, path case kept; "
        "spaces around '=' are allowed; unclosed <b>, <p> and a final <a> "
        "cut by the end of the body still give their links.")

    html = """<html><body>
<p><a href="&#104;ttps://&#x77;ww.example.com/reset?user=jane&amp;token=abc">Reset your password</a></p>
<p><a href="https&#58;//entity.example.net/a&#x2F;b">Document</a></p>
<p><a href="https://named.example.org/?a=1&amp;b=2&lang=en&copy=3">Preferences</a></p>
</body></html>"""
    write_case(
        "html_entity_encoded_href",
        headers("Password reset", "Example <no-reply@example.com>",
                "reset.55a1@example.com", "Thu, 21 Mar 2024 12:00:00 +0000",
                host="mail.example.com", ip="192.0.2.33")
        + html_only(html),
        {"urls": [
            url("https://www.example.com/reset?user=jane&token=abc",
                host="www.example.com", query_string="?user=jane&token=abc",
                source="html:href"),
            url("https://entity.example.net/a/b", resource_path="/a/b"),
            url("https://named.example.org/?a=1&b=2&lang=en&copy=3",
                query_string="?a=1&b=2&lang=en&copy=3"),
        ]},
        "Character references in attribute values are decoded before the "
        "URL is read (HTML5 13.2.5.72): '&#104;' is 'h', '&#x77;' is 'w', "
        "'&#58;' is ':', '&#x2F;' is '/', '&amp;' is '&'. '&lang' is no "
        "reference, and '&copy' without ';' followed by '=' in an "
        "attribute is left as written (the 'historical reasons' rule), so "
        "the query keeps '&lang=en&copy=3'.")

    text = ("Your statement is ready:\n"
            "https://portal.example.com/very/long/path/that/needs/wrapping/"
            "statements/2024/03/statement-details?session=3D12345&next=3Dhome\n")
    text_qp = ("Your statement is ready:\n"
               "https://portal.example.com/very/long/path/that/needs/wrappin=\n"
               "g/statements/2024/03/statement-details?session=3D12345&next=3D=\n"
               "home\n")
    html_qp = ("<html><body><p>Download the <a href=3D\"https://portal.example=\n"
               ".com/docs/annual-re=\nport-2024.pdf\">annual report</a>.</p></body>=\n"
               "</html>")
    write_case(
        "qp_soft_break_in_url",
        headers("Your March statement", "Example Bank <statements@example.com>",
                "stmt.202403.99812@example.com",
                "Fri, 22 Mar 2024 06:00:01 +0100", OUTLOOK)
        + alternative(text_qp, html_qp, "_000_PR3P195MB0712", "quoted-printable",
                      "quoted-printable"),
        {"urls": [
            url("https://portal.example.com/very/long/path/that/needs/"
                "wrapping/statements/2024/03/statement-details"
                "?session=12345&next=home", source="text"),
            url("https://portal.example.com/docs/annual-report-2024.pdf",
                source="html:href", display_text="annual report"),
        ]},
        "Quoted-printable (RFC 2045 6.7): '=' at a line end is a soft "
        "line break that joins the lines, '=3D' is '='. The URLs are read "
        "from the decoded bodies, so each is whole, with no '=' or line "
        "break inside.")

    write_case(
        "percent_encoding",
        headers("Files shared with you", "Jane Roe <j.roe@example.org>",
                "CAH+9xLq2=sHd@mail.example.org",
                "Sat, 23 Mar 2024 18:40:00 +0100", THUNDERBIRD)
        + alternative(
            "Files: https://files.example.com/%7Ejane/My%20Docs/%e2%82%ac.txt\n"
            "Folder: https://files.example.com/a%2fb/%41%42\n"
            "Mirror: http://%66iles.example.net/x\n",
            '<html><body><p><a href="https://files.example.com/Menu Café.pdf">'
            "Menu</a></p></body></html>", "------------kW2yqJ0aQ1"),
        {"urls": [
            url("https://files.example.com/~jane/My%20Docs/%E2%82%AC.txt",
                resource_path="/~jane/My%20Docs/%E2%82%AC.txt"),
            url("https://files.example.com/a%2Fb/AB",
                resource_path="/a%2Fb/AB"),
            url("http://files.example.net/x", host="files.example.net",
                flags=["obfuscated"]),
            url("https://files.example.com/Menu%20Caf%C3%A9.pdf",
                resource_path="/Menu%20Caf%C3%A9.pdf", source="html:href"),
        ]},
        "Percent-encoding normalization (RFC 3986 6.2.2): escapes of "
        "unreserved characters are decoded (%7E '~', %41%42 'AB'), other "
        "escapes are kept with upper-case hex (%e2%82%ac -> %E2%82%AC, "
        "%2f -> %2F: a reserved '/' stays escaped), an escape in the host "
        "is decoded (%66 'f'; an escape has no use in a host name but to hide "
        "it from filters, so the URL is flagged obfuscated), and a space and UTF-8 bytes written raw in "
        "an href are percent-encoded (WHATWG URL path percent-encode set).")

    latin = "ex\u0430mple.com"   # Cyrillic small a U+0430
    puny_mixed = "xn--" + latin.split(".")[0].encode("punycode").decode() + ".com"
    assert latin.encode("idna").decode() == puny_mixed
    cyr = "\u043f\u043e\u0447\u0442\u0430"  # "почта"
    puny_cyr = cyr.encode("idna").decode()
    write_case(
        "idn_homograph",
        headers("Security alert", "Example <security@example.com>",
                "sec.0a9f@mailer.example.net",
                "Sun, 24 Mar 2024 03:03:03 +0000",
                host="mailer.example.net", ip="203.0.113.90")
        + alternative(
            f"Sign in at https://{latin}/login to keep your account.\n"
            f"Webmail: https://{cyr}.example.com/\n",
            f'<html><body><a href="https://{latin}/login">Sign in</a>'
            "</body></html>", "=-=-=_mx_7c1"),
        {"urls": [
            url(f"https://{puny_mixed}/login", host=puny_mixed,
                punycode=puny_mixed, unicode=latin,
                sources=["text", "html:href"],
                flags=["idn", "mixed_script"]),
            url(f"https://{puny_cyr}.example.com/",
                host=f"{puny_cyr}.example.com",
                unicode=f"{cyr}.example.com", domain="example.com",
                flags=["idn"]),
        ],
         "observables": {"domains": {"$contains": [puny_mixed]}}},
        "IDN homograph: 'ex\\u0430mple.com' has a Cyrillic a (U+0430) in a "
        "Latin name. The host is given in its ASCII form "
        f"({puny_mixed}, from Python's idna codec) and the Unicode form; "
        "flags idn and mixed_script (one label mixes Latin and Cyrillic). "
        "An all-Cyrillic label under a Latin domain is idn but not "
        "mixed_script: each label is one script (the UTS 39 check is per "
        "label). The same link in text and HTML is one URL with two "
        "sources.")

    write_case(
        "shortener",
        headers("check this out", "Sam <sam@example.net>",
                "CAB1x=Zq+abc@mail.example.net",
                "Mon, 25 Mar 2024 20:00:00 +0000", THUNDERBIRD)
        + text_only(
            "Short link: https://bit.ly/3xYzAbC and the old one\n"
            "http://TinyURL.com/2p8mzvr5 ; not a shortener:\n"
            "https://www.example.com/bit.ly/page\n"),
        {"urls": [
            url("https://bit.ly/3xYzAbC", host="bit.ly", domain="bit.ly",
                flags=["shortener"]),
            url("http://tinyurl.com/2p8mzvr5", host="tinyurl.com",
                resource_path="/2p8mzvr5", flags=["shortener"]),
            url("https://www.example.com/bit.ly/page", flags=[]),
        ]},
        "Hosts in conf/shorteners.txt (bit.ly, tinyurl.com) are flagged "
        "shortener, whatever the case the host is written in; 'bit.ly' "
        "in the path of another host is not a shortener link. The "
        "shortener's path is case-sensitive and kept.")

    html = """<html><body>
<p><a href="javascript:window.location='https://pop.example.net/'">Open document</a></p>
<p><a href="VBScript:MsgBox(1)">Old IE link</a></p>
<p><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==" alt="logo"></p>
<p><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Invoice</a></p>
<p>Questions? <a href="mailto:Billing@Example.net?subject=Invoice%202024-0331">Write to us</a></p>
</body></html>"""
    write_case(
        "data_and_javascript_uri",
        headers("Invoice 2024-0331", "Billing <billing@example.net>",
                "inv-20240331@example.net",
                "Sun, 31 Mar 2024 10:10:10 +0200")
        + html_only(html),
        {"urls": {"$contains": [
            {"scheme": "javascript", "source": "html:href",
             "display_text": "Open document", "host": None,
             "flags": ["javascript_uri"]},
            {"scheme": "vbscript", "flags": ["javascript_uri"]},
            {"scheme": "data", "source": "html:src", "host": None,
             "flags": ["data_uri"]},
            {"scheme": "data", "source": "html:href",
             "url": {"$regex": "^data:text/html;base64,PHNjcmlwdD5"},
             "flags": ["data_uri"]},
            {"url": "mailto:Billing@Example.net?subject=Invoice%202024-0331",
             "scheme": "mailto", "resource_path": "Billing@Example.net",
             "query_string": "?subject=Invoice%202024-0331", "flags": []},
        ]},
         "observables": {"emails": {"$contains": ["billing@example.net"]}}},
        "javascript: and vbscript: hrefs run script when clicked "
        "(flag javascript_uri, urls.h); data: URIs in img src and a href "
        "embed content (flag data_uri, RFC 2397). None has a host. A "
        "mailto: link is an opaque URI whose path is the address and "
        "whose query ('?subject=...', RFC 6068) is the query_string, as "
        "RFC 3986 3 splits any URI; its address goes to observables, "
        "lower-cased.")

    write_case(
        "redirect_param",
        headers("Your parcel", "Parcel Service <info@example.com>",
                "p.77123@example.com", "Mon, 01 Apr 2024 09:30:00 +0200",
                host="out.example.com", ip="192.0.2.55")
        + text_only(
            "Track your parcel:\n"
            "https://redirect.example.com/out?url=https%3A%2F%2Fphish.example.net%2Flogin&src=mail\n"
            "or https://click.example.org/r?target=http://www.example.net/promo\n"
            "or https://mail.example.com/l?u=https%253A%252F%252Fdrop.example.net%252Fget\n"
            "or https://href.example.org/?https://bare.example.net/win\n"),
        {"urls": {"$contains": [
            url("https://redirect.example.com/out?url=https%3A%2F%2Fphish.example.net%2Flogin&src=mail",
                redirect_target="https://phish.example.net/login",
                source="text", flags=["redirect_param"]),
            url("https://phish.example.net/login", source="redirect",
                flags=[]),
            url("https://click.example.org/r?target=http://www.example.net/promo",
                redirect_target="http://www.example.net/promo",
                flags=["redirect_param"]),
            url("http://www.example.net/promo",
                sources={"$contains": ["redirect"]}),
            url("https://mail.example.com/l?u=https%253A%252F%252Fdrop.example.net%252Fget",
                redirect_target="https://drop.example.net/get",
                flags=["redirect_param"]),
            url("https://drop.example.net/get", source="redirect"),
            url("https://href.example.org/?https://bare.example.net/win",
                redirect_target="https://bare.example.net/win",
                flags=["redirect_param"]),
            url("https://bare.example.net/win", source="redirect"),
        ]}},
        "Open redirects: a query parameter whose value (percent-decoded, "
        "RFC 3986 2.1) is itself a URL is the real destination. The outer "
        "URL is flagged redirect_param with redirect_target, and the "
        "target is listed on its own with source 'redirect'. The outer "
        "query keeps its escapes (%3A, %2F are reserved). A target escaped "
        "twice (%253A is '%3A' escaped, as a redirect inside a redirect "
        "writes it) is decoded twice. A query that is a URL as a whole "
        "('?https://...', no parameter name) is a target too.")

    write_case(
        "ip_host",
        headers("Router firmware", "Admin <admin@example.org>",
                "fw.1@example.org", "Tue, 02 Apr 2024 14:14:14 +0200")
        + text_only(
            "Login: http://198.51.100.23/login\n"
            "Admin: http://[2001:DB8:0::7]:8080/admin\n"
            "Same box: http://3325256727/x and http://0xC6.0x33.0x64.0x17/y\n"),
        {"urls": [
            url("http://198.51.100.23/login", host="198.51.100.23",
                is_ip=True, domain=None, punycode=None,
                flags=["ip_host"]),
            url("http://[2001:db8::7]:8080/admin", host="[2001:db8::7]",
                port=8080, is_ip=True, flags=["ip_host"]),
            url("http://198.51.100.23/x", is_ip=True,
                flags=["obfuscated", "ip_host"]),
            url("http://198.51.100.23/y", is_ip=True,
                flags=["obfuscated", "ip_host"]),
        ],
         "observables": {"ips": {"$contains": ["198.51.100.23",
                                              "2001:db8::7"]}}},
        "IP hosts: flag ip_host, is_ip true, no registered domain and no "
        "punycode form. The IPv6 host is bracketed and canonical (RFC "
        "5952). 3325256727 = 198*2^24 + 51*2^16 + 100*2^8 + 23 and "
        "0xC6.0x33.0x64.0x17 are other spellings of 198.51.100.23 that "
        "browsers accept (WHATWG IPv4 parser): rewritten as a dotted quad "
        "and flagged obfuscated.")

    write_case(
        "credential",
        headers("Shared folder", "Files <files@example.net>",
                "cr.1@example.net", "Wed, 03 Apr 2024 08:08:08 +0200")
        + text_only(
            "Open https://accounts.example.com:pa55@evil.example.net/login\n"
            "Mirror ftp://anonymous:guest@ftp.example.org/pub/\n"
            "Web https://www.example.com@phish.example.net/\n"),
        {"urls": [
            url("https://accounts.example.com:pa55@evil.example.net/login",
                credential="accounts.example.com:pa55",
                host="evil.example.net", domain="example.net",
                flags=["credential"]),
            url("ftp://anonymous:guest@ftp.example.org/pub/",
                credential="anonymous:guest", host="ftp.example.org",
                flags=["credential"]),
            url("https://www.example.com@phish.example.net/",
                credential="www.example.com", host="phish.example.net",
                flags=["credential"]),
        ]},
        "User information before '@' (RFC 3986 3.2.1) is not the host: "
        "the host is what follows the last '@' of the authority. "
        "'accounts.example.com:pa55' and 'www.example.com' are the classic "
        "disguise; the flag is credential.")

    html = """<html><body>
<p><a href="http://www.Bank.example.com%40w%77%77%2Eexample%2Enet/pe%72sonal9/">www.Bank.example.com</a></p>
<p><img src="http://www.example.com /images/logo.gif" alt=""></p>
<p><a href="http://login.example.org%00.example.net/x">Log in</a></p>
<p><a href="mailto:info@example.net%20%20?subject=Offer">Reply</a></p>
</body></html>"""
    write_case(
        "host_escapes",
        headers("Your account statement", "Bank <service@example.com>",
                "5F2A01.77@example.net", "Sat, 06 Apr 2024 22:10:00 +0000",
                host="relay.example.net", ip="203.0.113.45")
        + html_only(html),
        {"urls": [
            url("http://www.Bank.example.com@www.example.net/personal9/",
                credential="www.Bank.example.com", host="www.example.net",
                domain="example.net", resource_path="/personal9/",
                flags=["obfuscated", "text_href_mismatch", "credential"]),
            url("http://www.example.com%20/images/logo.gif",
                host="www.example.com%20", domain=None, tld=None,
                source="html:src"),
            url("http://login.example.org%00.example.net/x",
                host="login.example.org%00.example.net", domain=None,
                flags=["obfuscated"]),
            url("mailto:info@example.net%20%20?subject=Offer",
                host="example.net", query_string="?subject=Offer"),
            url("http://www.bank.example.com/", source="html:text"),
         ],
         "observables": {"emails": {"$contains": ["info@example.net"]},
                         "domains": {"$contains": ["www.example.net"]}}},
        "Escapes and bad bytes in the host. '%40' is an escaped '@': "
        "Internet Explorer decoded it before finding the user info, and "
        "spam writes 'www.Bank.example.com%40www.example.net' so that the "
        "name read first is not the host; the host is www.example.net, "
        "the part before is the credential, and the URL is flagged "
        "obfuscated (escapes in a host name have no other use) and "
        "credential. Its link text names example.com: text_href_mismatch "
        "(and the text, a www. form, is a link of its own, html:text). "
        "A space or a NUL (%00) in a host is a forbidden host code point "
        "(WHATWG URL): no browser opens it, so no registered domain is "
        "claimed, and the host is kept percent-encoded so that the URL "
        "stays printable and the NUL cannot cut the name short. A mailto: "
        "address padded with escaped spaces is the address without them "
        "in observables (a client trims them).")

    write_case(
        "text_glued_scheme_and_file_lines",
        headers("Re: build failure on i686", "Dev <dev@example.org>",
                "20240407.1@build.example.org",
                "Sun, 07 Apr 2024 10:00:00 +0200",
                "User-Agent: Mutt/2.2.9 (2022-11-12)\n")
        + text_only(
            "The build stops with:\n\n"
            "genpkglist.cc:604:33: error: 'struct stat' has no member\n"
            "  File \"setup.py:12\", in <module>\n\n"
            "Logs are on build.example.org:8010/builders/i686 as usual.\n"
            "P.S. the spam of the day: earn $500 a day GUARANTEEDhttp://www.example.net/offer\n"),
        {"urls": [
            url("http://build.example.org:8010/builders/i686", port=8010,
                source="text"),
            url("http://www.example.net/offer", scheme="http",
                source="text"),
        ]},
        "Compiler and traceback positions ('genpkglist.cc:604:33', "
        "'setup.py:12') are a file name and a line, not a host and a port, "
        "although cc and py are TLDs: a bare host with a port is a link "
        "only when a path follows (build.example.org:8010/builders). A "
        "word glued to 'http://' ('GUARANTEEDhttp://...', the text lost its "
        "space) is not the scheme 'guaranteedhttp': the link is the http "
        "URL after it.")

    cyr_dom = "\u043f\u0440\u0438\u043c\u0435\u0440.example"  # "пример"
    write_case(
        "observables_idn_and_empty_local_part",
        ("Return-Path: <info@" + cyr_dom + ">\n"
         + received("mx1.example.com", "mail.example.net", "198.51.100.25",
                    "4TvV5e8Ps0z4xZg", "Mon, 08 Apr 2024 08:00:00 +0000")
         + "From: Info <info@" + cyr_dom + ">\n"
           "To: @example.net\n"
           "Subject: Newsletter\n"
           "Date: Mon, 08 Apr 2024 10:00:00 +0200\n"
           "Message-ID: <nl.1@mail.example.net>\n"
           "MIME-Version: 1.0\n")
        + html_only('<html><body><p><a href="https://' + cyr_dom
                    + '/news">News</a> | <a href="mailto:%3Cinfo@'
                    'example.org%3E?subject=Stop">Unsubscribe</a></p>'
                    "</body></html>"),
        {"urls": {"$contains": [
            url("https://" + cyr_dom.encode("idna").decode() + "/news",
                flags=["idn"]),
            url("mailto:%3Cinfo@example.org%3E?subject=Stop",
                host="example.org"),
         ]},
         "observables": {
             "domains": {"$contains": [cyr_dom.encode("idna").decode()],
                         },
             "emails": ["info@" + cyr_dom, "info@example.org"]}},
        "Observables use one form per domain: the Unicode domain of the "
        "From address (RFC 6532) and the same domain in a link are one "
        "entry, in the ASCII form the URL host has (IDNA, Python's idna "
        "codec). A mailto: address wrapped in escaped angle brackets is "
        "the address without them. 'To: @example.net' names no mailbox "
        "and is not an e-mail observable: the list is the From (and "
        "Return-Path) address as written, then the mailto: address.")

    # ------------------------------------------------------------ files
    def pdf_with_uri():
        objs = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Annots [4 0 R 5 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] "
            b"/A << /S /URI /URI (https://pdf.example.com/invoice\\(2024\\)) >> >>",
            b"<< /Type /Annot /Subtype /Link /Rect [72 650 300 670] "
            b"/A << /S /URI /URI <" +
            "https://hex.example.net/pay".encode().hex().encode() + b"> >> >>",
        ]
        out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        offs = []
        for i, o in enumerate(objs, 1):
            offs.append(len(out))
            out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
        x = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
        for o in offs:
            out += b"%010d 00000 n \n" % o
        out += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                % (len(objs) + 1, x))
        return out

    def attach_mail(subject, msgid, fname, ctype, data, text):
        b = "----=_Part_4411_1283812.1712300000000"
        b64 = base64.encodebytes(data).decode()
        return (headers(subject, "Accounts <accounts@example.net>", msgid,
                        "Fri, 05 Apr 2024 09:00:00 +0200", OUTLOOK)
                + f'Content-Type: multipart/mixed; boundary="{b}"\n\n'
                f"--{b}\n"
                'Content-Type: text/plain; charset="us-ascii"\n'
                "Content-Transfer-Encoding: 7bit\n\n"
                f"{text}\n"
                f"--{b}\n"
                f'Content-Type: {ctype}; name="{fname}"\n'
                f'Content-Disposition: attachment; filename="{fname}"\n'
                "Content-Transfer-Encoding: base64\n\n"
                f"{b64}"
                f"--{b}--\n")

    write_case(
        "pdf_uri_action",
        attach_mail("Invoice", "inv.pdf.1@example.net", "invoice.pdf",
                    "application/pdf", pdf_with_uri(),
                    "Please find the invoice attached."),
        {"urls": [
            url("https://pdf.example.com/invoice(2024)",
                source="attachment:invoice.pdf"),
            url("https://hex.example.net/pay",
                source="attachment:invoice.pdf"),
        ]},
        "A PDF link annotation opens its /URI action (PDF 1.7, 12.6.4.7). "
        "The URI is a PDF string: a literal with escaped parentheses "
        "'\\(' '\\)' (7.3.4.2) or a hex string (7.3.4.3, here the hex of "
        "https://hex.example.net/pay). Parentheses are sub-delims, kept in "
        "the path. Source is attachment:FILENAME.")

    def docx():
        bio = io.BytesIO()
        with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml",
                       '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                       '<Default Extension="xml" ContentType="application/xml"/>'
                       '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                       '</Types>')
            z.writestr("_rels/.rels",
                       '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                       '</Relationships>')
            z.writestr("word/document.xml",
                       '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                       '<w:body><w:p><w:hyperlink r:id="rId5"><w:r><w:t>View the shared file</w:t></w:r>'
                       '</w:hyperlink></w:p></w:body></w:document>')
            z.writestr("word/_rels/document.xml.rels",
                       '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
                       'Target="https://docx.example.net/share?id=77&amp;dl=1" TargetMode="External"/>'
                       '</Relationships>')
        return bio.getvalue()

    write_case(
        "docx_relationship",
        attach_mail("Shared document", "docx.1@example.net", "shared.docx",
                    "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document", docx(),
                    "The document is attached."),
        {"urls": [
            url("https://docx.example.net/share?id=77&dl=1",
                query_string="?id=77&dl=1",
                source="attachment:shared.docx"),
        ]},
        "A Word hyperlink is a relationship with TargetMode=\"External\" in "
        "word/_rels/document.xml.rels (ECMA-376 part 2, 9.3); the Target "
        "attribute is XML, so '&amp;' is '&'. The .docx is a ZIP made with "
        "Python's zipfile; the link is only reachable by reading the part "
        "inside it. The package-internal target (word/document.xml) is "
        "relative, and the namespace and Type URIs are names, not links: "
        "one URL in all.")

    write_case(
        "text_and_html_attachments",
        attach_mail("Meeting notes", "notes.1@example.net", "notes.txt",
                    "text/plain",
                    b"Action items:\r\n- review https://wiki.example.org/"
                    b"Meeting_Notes/2024-04-05\r\n- mail bob@example.net\r\n",
                    "Notes attached."),
        {"urls": [
            url("https://wiki.example.org/Meeting_Notes/2024-04-05",
                source="attachment:notes.txt"),
        ],
         "observables": {"emails": {"$contains": ["bob@example.net"]}}},
        "A text attachment is read like a text body; its links get the "
        "source attachment:FILENAME (urls.h), its addresses go to "
        "observables.")


if __name__ == "__main__":
    main()
