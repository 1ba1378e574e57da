/* SPDX-License-Identifier: MIT */
/*
 * One URL, normalized and decomposed: the fields Faup gave SpamScope
 * (scheme, credential, subdomain, domain, host, tld, port, resource_path,
 * query_string, fragment) plus the registered domain split by the public
 * suffix list (libpsl), the host in its punycode and Unicode forms
 * (libidn2), and the flags a phishing rule reads.
 *
 * Normalization, so that one link written ten ways is one URL:
 *   - tabs and line breaks inside are removed, as browsers do
 *   - scheme and host lower-cased; "hxxp" and friends read as http
 *     (flag obfuscated); no scheme ("www.x.com/") means http
 *   - backslashes before the query read as slashes (browsers do)
 *   - percent-escapes in the host decoded; host IDNA-mapped to
 *     punycode and back; numeric IPv4 forms (3232235777, 0xC0.0xA8.1.1)
 *     become a dotted quad (flag obfuscated); IPv6 canonical
 *   - default port dropped (80 http, 443 https, 21 ftp, ...)
 *   - unreserved characters percent-decoded, other escapes upper-cased,
 *     bytes that may not appear in a URL percent-encoded
 *   - "." and ".." path segments removed; an empty http path is "/"
 */
#ifndef MS_ANALYSIS_URL_PARSE_H
#define MS_ANALYSIS_URL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"

/* Bytes of a URL that are read; the rest is cut (flag truncated). A data:
 * URI of a whole image does not need to be kept whole to be judged. */
#define MS_URL_MAX_BYTES 8192

/* Flags of one URL; docs/urls.md explains each. */
enum {
    MS_URL_OBFUSCATED = 1u << 0,         /* de-obfuscated form found */
    MS_URL_TEXT_HREF_MISMATCH = 1u << 1, /* link text shows another domain */
    MS_URL_IP_HOST = 1u << 2,            /* the host is an IP literal */
    MS_URL_IDN = 1u << 3,                /* internationalized host */
    MS_URL_MIXED_SCRIPT = 1u << 4,       /* a label mixes scripts */
    MS_URL_SHORTENER = 1u << 5,          /* host is a URL shortener */
    MS_URL_DATA_URI = 1u << 6,           /* data: */
    MS_URL_JAVASCRIPT_URI = 1u << 7,     /* javascript: or vbscript: */
    MS_URL_REDIRECT_PARAM = 1u << 8,     /* a URL inside the query */
    MS_URL_CREDENTIAL = 1u << 9,         /* user info before the host */
    MS_URL_TRUNCATED = 1u << 10          /* longer than MS_URL_MAX_BYTES */
};

/* A decomposed URL. Strings are NUL-terminated in the arena; NULL means
 * the part is absent. */
typedef struct ms_url {
    const char *url; /* the normalized URL */
    size_t url_len;
    const char *scheme;             /* lower-case, e.g. "https" */
    const char *credential;         /* "user:password" before '@' */
    const char *host;               /* lower-case, ASCII (punycode) form */
    const char *punycode;           /* = host for names; NULL for IPs */
    const char *unicode;            /* host in Unicode (= host when ASCII) */
    const char *domain;             /* registered domain, e.g. "bbc.co.uk" */
    const char *domain_without_tld; /* "bbc" */
    const char *subdomain;          /* "www" */
    const char *tld;                /* public suffix, e.g. "co.uk" */
    int port;                       /* -1 when none or the default */
    const char *resource_path;      /* "/a/b", NULL when none written */
    const char *query_string;       /* "?a=1" (with its '?') */
    const char *fragment;           /* "#top" (with its '#') */
    const char *redirect_target;    /* URL found in the query */
    bool is_ip;
    bool valid; /* false: no scheme and no host, nothing to decompose */
    unsigned flags;
} ms_url;

/* Normalizes and decomposes the n bytes at p (trimmed of white space).
 * Returns MS_OK for any input (out->valid says whether it was a URL);
 * MS_ENOMEM when the arena refuses. */
ms_status ms_url_parse(ms_arena *a, const char *p, size_t n, ms_url *out);

/* Resolves the reference ref (n bytes) against the absolute URL base
 * (RFC 3986 5.2: "//host/x", "/x", "x", "?q", "../x"). When ref is
 * absolute (has a scheme) or base is NULL, *out is ref itself. The
 * result is in the arena. Returns MS_OK or MS_ENOMEM. */
ms_status ms_url_resolve(ms_arena *a, const char *base, const char *ref,
                         size_t n, const char **out, size_t *out_n);

/* Looks the lower-case host name up in the public suffix list: sets
 * *suffix to its public suffix and *reg to its registrable domain
 * (pointers into host, NULL when there is none). Answers are remembered
 * per thread, as mails name the same hosts again and again. False when
 * no list is available. */
bool ms_url_public_suffix(const char *host, const char **suffix,
                          const char **reg);

/* True when the n bytes at p start with a scheme ("x:", two letters or
 * more so that "c:\path" is not one). */
bool ms_url_has_scheme(const char *p, size_t n);

#endif
