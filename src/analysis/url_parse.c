/* SPDX-License-Identifier: MIT */
/*
 * URL normalization and decomposition. The parse follows what a browser
 * does with the text of a link (WHATWG URL, simplified), not what RFC 3986
 * allows, because the question is always "where does a click go": a
 * backslash, a tab in the middle, a host written in hex or in full-width
 * letters all still lead somewhere, and an attacker uses each of them to
 * slip past filters that compare strings.
 *
 * Everything is written into the arena; libidn2's results are copied and
 * freed at once. libpsl's built-in list and libidn2 are read-only and
 * safe to share between worker threads.
 */
#include "analysis/url_parse.h"

#include <idn2.h>
#include <libpsl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mailscope/slice.h"
#include "util/ascii.h"
#include "util/utf8.h"
#include "util/ip.h"

/* Longest scheme read; "x-my-app+extension" fits. */
#define MAX_SCHEME_BYTES 32
/* Percent-decoding rounds for a redirect target: a URL inside a query is
 * escaped once, and once more when it is nested in another redirect. */
#define REDIRECT_DECODE_ROUNDS 2

/* Scheme spellings used to defang links in reports and abused by
 * phishing mails to get them past naive filters. */
static const struct {
    const char *written;
    const char *meant;
} obfuscated_schemes[] = {
    {"hxxp", "http"},    {"hxxps", "https"}, {"hxp", "http"},
    {"hxps", "https"},   {"hxtp", "http"},   {"hxtps", "https"},
    {"htxp", "http"},    {"htxps", "https"}, {"hxxxp", "http"},
    {"hxxxps", "https"}, {"fxp", "ftp"},     {"fxps", "ftps"},
    {"meow", "http"},    {"meows", "https"},
};

/* Schemes with an authority and a default port, read the special way
 * browsers read them (any number of slashes, backslash as slash). */
static const struct {
    const char *scheme;
    int default_port;
} special_schemes[] = {
    {"http", 80}, {"https", 443}, {"ftp", 21}, {"ws", 80}, {"wss", 443},
};

/* Returns the length of the scheme at p (before its ':'), or 0. Schemes
 * of one letter are refused so that "c:\dir" stays a path. */
static size_t scheme_length(const char *p, size_t n)
{
    if (n == 0 || !ms_ascii_is_alpha(p[0]))
        return 0;
    size_t i = 1;
    while (
        i < n && i <= MAX_SCHEME_BYTES &&
        (ms_ascii_is_alnum(p[i]) || p[i] == '+' || p[i] == '-' || p[i] == '.'))
        i++;
    if (i >= n || p[i] != ':' || i < 2 || i > MAX_SCHEME_BYTES)
        return 0;
    /* "example.com:8080/x" is a host and a port, as the text finder
     * meant it and as a browser's address bar reads it, not the scheme
     * "example.com" */
    if (memchr(p, '.', i) != NULL) {
        size_t d = i + 1;
        while (d < n && d - i <= 5 && ms_ascii_is_digit(p[d]))
            d++;
        if (d > i + 1 && d - i <= 6 &&
            (d == n || p[d] == '/' || p[d] == '?' || p[d] == '#'))
            return 0;
    }
    return i;
}

/* True when p starts with a scheme; see url_parse.h. */
bool ms_url_has_scheme(const char *p, size_t n)
{
    return scheme_length(p, n) > 0;
}

/* Returns the default port of a special scheme, 0 for another scheme. */
static int special_default_port(const char *scheme)
{
    for (size_t k = 0; k < sizeof(special_schemes) / sizeof(special_schemes[0]);
         k++) {
        if (strcmp(scheme, special_schemes[k].scheme) == 0)
            return special_schemes[k].default_port;
    }
    return 0;
}

/* True for RFC 3986 unreserved characters, which are the same whether
 * escaped or not. */
static bool unreserved(unsigned char c)
{
    return ms_ascii_is_alnum((char)c) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

/* True for bytes that may not stand unescaped in a normalized URL. */
static bool must_escape(unsigned char c)
{
    return c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' ||
           c == '`' || c == '{' || c == '}' || c == '|' || c == '^';
}

/* Appends the n bytes at p to dst with escapes normalized: unreserved
 * characters decoded, other escapes upper-cased, a stray '%' and the
 * bytes of must_escape() escaped. Returns the bytes written; dst has room
 * for 3 * n. */
static size_t normalize_escapes(char *dst, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '%' && i + 2 < n && ms_ascii_hex_value(p[i + 1]) >= 0 &&
            ms_ascii_hex_value(p[i + 2]) >= 0) {
            unsigned char v =
                (unsigned char)(ms_ascii_hex_value(p[i + 1]) * 16 +
                                ms_ascii_hex_value(p[i + 2]));
            if (unreserved(v)) {
                dst[o++] = (char)v;
            } else {
                dst[o++] = '%';
                dst[o++] = hex[v >> 4];
                dst[o++] = hex[v & 15];
            }
            i += 2;
            continue;
        }
        if (c == '%' || must_escape(c)) {
            dst[o++] = '%';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
            continue;
        }
        dst[o++] = (char)c;
    }
    return o;
}

/* Removes "." and ".." segments from the absolute path at p (n bytes,
 * starting with '/') into dst (room for n + 1). Returns the length. Each
 * byte is copied and removed at most once: linear. */
static size_t remove_dot_segments(char *dst, const char *p, size_t n)
{
    size_t o = 0, i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && p[j] != '/')
            j++;
        const char *seg = p + i + 1;
        size_t seg_n = j - i - 1;
        bool last = j >= n;
        if (seg_n == 1 && seg[0] == '.') {
            if (last)
                dst[o++] = '/';
        } else if (seg_n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o > 0 && dst[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            if (last)
                dst[o++] = '/';
        } else {
            dst[o++] = '/';
            memcpy(dst + o, seg, seg_n);
            o += seg_n;
        }
        i = j;
    }
    if (o == 0)
        dst[o++] = '/';
    return o;
}

/* Reads one part of a numeric IPv4 host: decimal, octal with a leading
 * 0, or hex with 0x. Returns false when it is not a number. */
static bool ipv4_part(const char *p, size_t n, uint64_t *out)
{
    int base = 10;
    if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
        n -= 2;
    } else if (n >= 2 && p[0] == '0') {
        base = 8;
        p++;
        n--;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = base == 16 ? ms_ascii_hex_value(p[i])
                           : (ms_ascii_is_digit(p[i]) ? p[i] - '0' : -1);
        if (d < 0 || d >= base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0xFFFFFFFFull)
            return false;
    }
    *out = v;
    return true;
}

/* Reads a host written as an IPv4 address in any of the forms browsers
 * accept (1 to 4 parts, each decimal, octal or hex: "3232235777",
 * "0300.0250.1.1", "0xC0A80101"). Writes the dotted quad to quad.
 * Returns false when the host is not one. */
static bool parse_ipv4_host(const char *h, size_t n, char quad[16])
{
    uint64_t parts[4];
    size_t n_parts = 0, start = 0;
    if (n == 0 || !ms_ascii_is_digit(h[0]))
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.')
            continue;
        if (n_parts == 4 || i == start ||
            !ipv4_part(h + start, i - start, &parts[n_parts]))
            return false;
        n_parts++;
        start = i + 1;
    }
    uint64_t v = 0;
    for (size_t k = 0; k + 1 < n_parts; k++) {
        if (parts[k] > 255)
            return false;
        v |= parts[k] << (8 * (3 - k));
    }
    uint64_t last = parts[n_parts - 1];
    if (last >= (1ull << (8 * (5 - n_parts))))
        return false;
    v |= last;
    snprintf(quad, 16, "%u.%u.%u.%u", (unsigned)(v >> 24) & 255,
             (unsigned)(v >> 16) & 255, (unsigned)(v >> 8) & 255,
             (unsigned)v & 255);
    return true;
}

enum {
    SCRIPT_LATIN = 1,
    SCRIPT_CYRILLIC = 2,
    SCRIPT_GREEK = 4,
    SCRIPT_ARMENIAN = 8,
    SCRIPT_CHEROKEE = 16
};

/* Returns the script bit of a letter among those used for Latin
 * look-alikes, or 0 for digits, hyphens and other scripts. */
static unsigned script_of(uint32_t cp)
{
    if ((cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp <= 0x24F) ||
        (cp >= 0x1E00 && cp <= 0x1EFF))
        return SCRIPT_LATIN;
    if (cp >= 0x400 && cp <= 0x52F)
        return SCRIPT_CYRILLIC;
    if ((cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x1F00 && cp <= 0x1FFF))
        return SCRIPT_GREEK;
    if (cp >= 0x530 && cp <= 0x58F)
        return SCRIPT_ARMENIAN;
    if (cp >= 0x13A0 && cp <= 0x13FF)
        return SCRIPT_CHEROKEE;
    return 0;
}

/* Cyrillic letters that look like Latin ones: a name made only of them
 * ("аррӏе" for apple) reads as a Latin name. */
static bool cyrillic_lookalike(uint32_t cp)
{
    static const uint32_t lookalikes[] = {
        0x430, 0x432, 0x435, 0x43A, 0x43C, 0x43D, 0x43E, 0x440,
        0x441, 0x442, 0x443, 0x445, 0x456, 0x458, 0x455, 0x4CF,
        0x501, 0x4BB, 0x51B, 0x51D, 0x4AF, 0x491, 0x457};
    for (size_t k = 0; k < sizeof(lookalikes) / sizeof(lookalikes[0]); k++) {
        if (lookalikes[k] == cp)
            return true;
    }
    return false;
}

/* Public suffixes of countries that write in Cyrillic, where an
 * all-Cyrillic name is ordinary. */
static bool cyrillic_tld(const char *tld)
{
    static const char *const tlds[] = {
        "ru",        "su",         "ua",        "by",          "kz",
        "bg",        "mk",         "rs",        "mn",          "kg",
        "tj",        "uz",         "xn--p1ai",  "xn--j1amh",   "xn--90ais",
        "xn--d1alf", "xn--90a3ac", "xn--l1acc", "xn--80ao21a", NULL};
    if (tld == NULL)
        return false;
    const char *last = strrchr(tld, '.');
    last = last ? last + 1 : tld;
    for (size_t k = 0; tlds[k] != NULL; k++) {
        if (strcmp(last, tlds[k]) == 0)
            return true;
    }
    return false;
}

/* The IDN homograph test on the Unicode host: true when one label mixes
 * Latin with Cyrillic, Greek, Armenian or Cherokee letters ("pаypal" with
 * a Cyrillic а), or mixes two of those, or is made only of Cyrillic
 * letters that look Latin under a suffix that is not a Cyrillic country
 * ("аррӏе.com"). Browsers show such names as punycode for this reason. */
static bool homograph_host(const char *host, const char *tld)
{
    const unsigned char *p = (const unsigned char *)host;
    size_t n = strlen(host), i = 0;
    while (i < n) {
        unsigned scripts = 0;
        bool all_lookalike = true;
        size_t letters = 0;
        while (i < n && p[i] != '.') {
            uint32_t cp;
            i += ms_utf8_next(p + i, n - i, &cp);
            unsigned s = script_of(cp);
            if (s == 0)
                continue;
            scripts |= s;
            letters++;
            if (s != SCRIPT_CYRILLIC || !cyrillic_lookalike(cp))
                all_lookalike = false;
        }
        i++;
        if (scripts & (scripts - 1))
            return true; /* two scripts or more in one label */
        if (scripts == SCRIPT_CYRILLIC && all_lookalike && letters > 0 &&
            !cyrillic_tld(tld))
            return true;
    }
    return false;
}

/* Copies a string returned by libidn2 into the arena and frees it. */
static char *take_idn2(ms_arena *a, char *z)
{
    char *copy = ms_arena_strndup(a, z, strlen(z));
    idn2_free(z);
    return copy;
}

static char *normalized_copy(ms_arena *a, const char *p, size_t n);

/* True for the bytes no host name may hold (the WHATWG forbidden domain
 * code points): a host with one cannot be opened, and is kept escaped. */
static bool forbidden_in_host(unsigned char c)
{
    return c <= 0x20 || c == 0x7F ||
           (c != '\0' && strchr("#%/:<>?@[\\]^|", c) != NULL);
}

/* Returns a copy of h with the forbidden bytes and the bytes >= 0x80
 * percent-encoded, so that the host and the URL stay printable ASCII;
 * NULL when the arena refuses. */
static char *escape_host(ms_arena *a, const char *h, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char *dst = ms_arena_alloc(a, 3 * n + 1);
    if (dst == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (forbidden_in_host(c) || c >= 0x80) {
            dst[o++] = '%';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            dst[o++] = (char)c;
        }
    }
    dst[o] = '\0';
    return dst;
}

/* Sets host, punycode, unicode and the host flags from the lower-cased
 * host name h (percent-decoded, NUL-terminated, in the arena). A host
 * that is no name (a space, a control byte, a '/' decoded from an
 * escape, or non-ASCII that IDNA refuses) is kept percent-encoded, and
 * has no registered domain (see split_domain). */
static ms_status set_name_host(ms_arena *a, char *h, ms_url *out)
{
    bool forbidden = false;
    for (const char *c = h; *c && !forbidden; c++)
        forbidden = forbidden_in_host((unsigned char)*c);
    if (forbidden) {
        out->host = escape_host(a, h, strlen(h));
        if (out->host == NULL)
            return MS_ENOMEM;
        out->punycode = out->host;
        out->unicode = h;
        return MS_OK;
    }

    bool non_ascii = false;
    for (const char *c = h; *c; c++)
        non_ascii |= (unsigned char)*c >= 0x80;
    bool has_ace = strstr(h, "xn--") != NULL;
    out->host = h;
    out->punycode = h;
    out->unicode = h;
    if (!non_ascii && !has_ace)
        return MS_OK;
    out->flags |= MS_URL_IDN;
    char *ascii = NULL;
    if (non_ascii) {
        if (idn2_to_ascii_8z(
                h, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK &&
            idn2_to_ascii_8z(h, &ascii, IDN2_NFC_INPUT | IDN2_TRANSITIONAL) !=
                IDN2_OK)
            ascii = NULL;
        if (ascii != NULL) {
            char *copy = take_idn2(a, ascii);
            if (copy == NULL)
                return MS_ENOMEM;
            bool mapped_forbidden = false;
            for (char *c = copy; *c; c++) {
                *c = ms_ascii_lower(*c);
                mapped_forbidden |= forbidden_in_host((unsigned char)*c);
            }
            if (mapped_forbidden) {
                /* a no-break space or a full-width solidus maps to a
                 * byte no host holds: the name is not one */
                out->host = escape_host(a, h, strlen(h));
                if (out->host == NULL)
                    return MS_ENOMEM;
                out->punycode = out->host;
                return MS_OK;
            }
            /* full-width or other compatibility letters that map to a
             * plain ASCII name: written to dodge string matching */
            if (strstr(copy, "xn--") == NULL) {
                out->flags |= MS_URL_OBFUSCATED;
                out->flags &= ~(unsigned)MS_URL_IDN;
            }
            out->host = copy;
            out->punycode = copy;
        } else {
            /* not a name IDNA can write in ASCII: no browser opens it */
            out->host = escape_host(a, h, strlen(h));
            if (out->host == NULL)
                return MS_ENOMEM;
            out->punycode = out->host;
            return MS_OK;
        }
    }
    char *unicode = NULL;
    if (idn2_to_unicode_8z8z(out->host, &unicode, 0) == IDN2_OK &&
        unicode != NULL) {
        char *copy = take_idn2(a, unicode);
        if (copy == NULL)
            return MS_ENOMEM;
        out->unicode = copy;
    }
    return MS_OK;
}

/* Remembered public suffix answers, per thread: a mail names the same
 * hosts again and again (a newsletter links to one host dozens of times)
 * and a lookup in the list costs more than the rest of the URL's
 * parsing. Direct-mapped on a hash of the host; the answers are offsets
 * into the host, as libpsl returns pointers into the string it is
 * given. */
#define PSL_MEMO_SLOTS 128
#define PSL_MEMO_HOST  64
typedef struct psl_memo {
    char host[PSL_MEMO_HOST];
    int16_t suffix_at; /* -1: none */
    int16_t reg_at;    /* -1: none */
} psl_memo;
static _Thread_local psl_memo psl_memos[PSL_MEMO_SLOTS];

/* Looks a host up in the public suffix list; see url_parse.h. */
bool ms_url_public_suffix(const char *host, const char **suffix,
                          const char **reg)
{
    size_t n = strlen(host);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)host[i]) * 16777619u;
    psl_memo *m = &psl_memos[h % PSL_MEMO_SLOTS];
    if (n < PSL_MEMO_HOST && strcmp(m->host, host) == 0) {
        *suffix = m->suffix_at < 0 ? NULL : host + m->suffix_at;
        *reg = m->reg_at < 0 ? NULL : host + m->reg_at;
        return true;
    }
    const psl_ctx_t *psl = psl_builtin();
    if (psl == NULL)
        return false;
    *suffix = psl_unregistrable_domain(psl, host);
    *reg = psl_registrable_domain(psl, host);
    bool inside =
        (*suffix == NULL || (*suffix >= host && *suffix <= host + n)) &&
        (*reg == NULL || (*reg >= host && *reg <= host + n));
    if (n < PSL_MEMO_HOST && inside) {
        memcpy(m->host, host, n + 1);
        m->suffix_at = *suffix ? (int16_t)(*suffix - host) : -1;
        m->reg_at = *reg ? (int16_t)(*reg - host) : -1;
    }
    return true;
}

/* Sets domain, domain_without_tld, subdomain and tld of a named host from
 * the public suffix list. Hosts without a dot ("localhost") have none. */
static ms_status split_domain(ms_arena *a, ms_url *out)
{
    const char *host = out->host;
    if (out->is_ip || host == NULL || strchr(host, '.') == NULL ||
        strchr(host, '%') != NULL)
        return MS_OK; /* no dot, or not a name (escaped by set_name_host) */
    const char *suffix, *reg;
    if (!ms_url_public_suffix(host, &suffix, &reg))
        return MS_OK;
    size_t host_n = strlen(host);
    if (suffix != NULL) {
        out->tld = suffix; /* points into host, which is in the arena */
    }
    if (reg == NULL)
        return MS_OK;
    out->domain = reg;
    size_t reg_n = strlen(reg);
    if (out->tld != NULL && reg_n > strlen(out->tld) + 1) {
        out->domain_without_tld =
            ms_arena_strndup(a, reg, reg_n - strlen(out->tld) - 1);
        if (out->domain_without_tld == NULL)
            return MS_ENOMEM;
    }
    if (host_n > reg_n + 1) {
        out->subdomain = ms_arena_strndup(a, host, host_n - reg_n - 1);
        if (out->subdomain == NULL)
            return MS_ENOMEM;
    }
    return MS_OK;
}

/* Percent-decodes n bytes of p into dst (room for n + 1); returns the
 * length. */
static size_t percent_decode(char *dst, const char *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && ms_ascii_hex_value(p[i + 1]) >= 0 &&
            ms_ascii_hex_value(p[i + 2]) >= 0) {
            dst[o++] = (char)(ms_ascii_hex_value(p[i + 1]) * 16 +
                              ms_ascii_hex_value(p[i + 2]));
            i += 2;
        } else {
            dst[o++] = p[i];
        }
    }
    dst[o] = '\0';
    return o;
}

/* Looks for another URL in the query ("?url=https://...", escaped or
 * not): the open-redirect pattern phishing uses to borrow a trusted
 * domain. Sets the flag and the decoded target. */
static ms_status find_redirect(ms_arena *a, const char *q, ms_url *out)
{
    /* escaped once or twice: the target is decoded as many times */
    static const char *const markers[] = {
        "=http:", "=https:", "=http%3a", "=https%3a", "=http%253a",
        "=https%253a", "=www.", "=//", "=%2f%2f", "=%252f%252f",
        /* the whole query is the target: "https://href.example/?https://x" */
        "?http:", "?https:", "?http%3a", "?https%3a", "?www."};
    ms_slice query = ms_slice_from_cstr(q);
    size_t best = (size_t)-1;
    for (size_t k = 0; k < sizeof(markers) / sizeof(markers[0]); k++) {
        size_t at = ms_slice_find_ci(query, ms_slice_from_cstr(markers[k]));
        if (at < best)
            best = at;
    }
    if (best == (size_t)-1)
        return MS_OK;
    const char *start = q + best + 1;
    size_t n = strcspn(start, "&#");
    char *target = ms_arena_alloc(a, n + 1);
    if (target == NULL)
        return MS_ENOMEM;
    memcpy(target, start, n);
    target[n] = '\0';
    for (int round = 0; round < REDIRECT_DECODE_ROUNDS; round++) {
        if (strchr(target, '%') == NULL)
            break;
        n = percent_decode(target, target, n);
    }
    out->flags |= MS_URL_REDIRECT_PARAM;
    out->redirect_target = target;
    return MS_OK;
}

/* Writes an opaque URL (mailto:, data:, javascript:, tel:, ...): the
 * scheme and the rest with escapes normalized. For mailto the domain of
 * the address is the host, so whitelists and observables see it. */
static ms_status parse_opaque(ms_arena *a, const char *rest, size_t n,
                              ms_url *out)
{
    size_t scheme_n = strlen(out->scheme);
    char *url = ms_arena_alloc(a, scheme_n + 1 + 3 * n + 1);
    if (url == NULL)
        return MS_ENOMEM;
    memcpy(url, out->scheme, scheme_n);
    url[scheme_n] = ':';
    size_t o = scheme_n + 1;
    o += normalize_escapes(url + o, rest, n);
    url[o] = '\0';
    out->url = url;
    out->url_len = o;
    out->valid = true;
    /* the generic syntax (RFC 3986 3) holds for opaque URLs too: the
     * path ends at '?' or '#' ("mailto:a@b.example?subject=x") */
    const char *path = url + scheme_n + 1;
    size_t path_n = strcspn(path, "?#");
    size_t query_n = path[path_n] == '?' ? strcspn(path + path_n, "#") : 0;
    out->resource_path = ms_arena_strndup(a, path, path_n);
    if (out->resource_path == NULL)
        return MS_ENOMEM;
    if (query_n > 0) {
        out->query_string = ms_arena_strndup(a, path + path_n, query_n);
        if (out->query_string == NULL)
            return MS_ENOMEM;
    }
    if (path[path_n + query_n] == '#') {
        out->fragment = ms_arena_strndup(a, path + path_n + query_n,
                                         strlen(path + path_n + query_n));
        if (out->fragment == NULL)
            return MS_ENOMEM;
    }
    if (strcmp(out->scheme, "mailto") == 0) {
        size_t addr_n = strcspn(out->resource_path, "?");
        const char *at = memchr(out->resource_path, '@', addr_n);
        if (at != NULL && at + 1 < out->resource_path + addr_n) {
            size_t host_n = (size_t)(out->resource_path + addr_n - at - 1);
            char *h = ms_arena_alloc(a, host_n + 1);
            if (h == NULL)
                return MS_ENOMEM;
            host_n = percent_decode(h, at + 1, host_n);
            /* "a@b.example%20", "%3Ca@b.example%3E", "a@b.example,c@d":
             * the domain ends where the first address does */
            host_n = strcspn(h, " \t\r\n,;<>");
            h[host_n] = '\0';
            if (host_n == 0)
                return MS_OK;
            for (size_t i = 0; i < host_n; i++)
                h[i] = ms_ascii_lower(h[i]);
            ms_status rc = set_name_host(a, h, out);
            if (rc == MS_OK)
                rc = split_domain(a, out);
            return rc;
        }
    }
    return MS_OK;
}

/* Copies the input without surrounding white space and without the tabs
 * and line breaks browsers drop from inside a URL. */
static char *clean_input(ms_arena *a, const char *p, size_t n, size_t *out_n,
                         unsigned *flags)
{
    while (n > 0 && (unsigned char)p[0] <= 0x20) {
        p++;
        n--;
    }
    while (n > 0 && (unsigned char)p[n - 1] <= 0x20)
        n--;
    if (n > MS_URL_MAX_BYTES) {
        n = MS_URL_MAX_BYTES;
        *flags |= MS_URL_TRUNCATED;
    }
    char *s = ms_arena_alloc(a, n + 1);
    if (s == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            s[o++] = p[i];
    }
    s[o] = '\0';
    *out_n = o;
    return s;
}

/* Reads the host and port of the authority (after any user info) and
 * sets host, is_ip, port and their flags. Returns MS_OK or MS_ENOMEM. */
static ms_status parse_host_port(ms_arena *a, const char *hp, size_t n,
                                 int default_port, ms_url *out)
{
    size_t host_n = n;
    const char *port_at = NULL;
    if (n > 0 && hp[0] == '[') {
        const char *close = memchr(hp, ']', n);
        host_n = close ? (size_t)(close - hp) + 1 : n;
        if (host_n < n && hp[host_n] == ':')
            port_at = hp + host_n + 1;
    } else {
        const char *colon = memchr(hp, ':', n);
        if (colon != NULL) {
            host_n = (size_t)(colon - hp);
            port_at = colon + 1;
        }
    }
    if (port_at != NULL) {
        size_t port_n = (size_t)(hp + n - port_at);
        long port = 0;
        bool digits = port_n > 0;
        for (size_t i = 0; i < port_n && digits; i++) {
            digits = ms_ascii_is_digit(port_at[i]);
            if (digits && port <= 65535)
                port = port * 10 + (port_at[i] - '0');
        }
        if (digits && port <= 65535 && port != default_port)
            out->port = (int)port;
    }
    char *h = ms_arena_alloc(a, host_n + 1);
    if (h == NULL)
        return MS_ENOMEM;
    size_t written_n = host_n;
    host_n = percent_decode(h, hp, host_n);
    /* escapes in a host name ("w%77w.%65xample.com") have no use but to
     * hide the name from filters that read it as written */
    if (host_n != written_n && hp[0] != '[')
        out->flags |= MS_URL_OBFUSCATED;
    /* an '@' decoded from "%40": browsers of the time decoded before
     * finding the user info, and spam still writes
     * "www.bank.example%40evil.example" so that the name shown first is
     * not the host */
    char *at = NULL;
    for (size_t i = 0; i < host_n; i++) {
        if (h[i] == '@')
            at = h + i;
    }
    if (at != NULL && h[0] != '[') {
        if (out->credential == NULL) {
            out->credential = normalized_copy(a, h, (size_t)(at - h));
            if (out->credential == NULL)
                return MS_ENOMEM;
        }
        out->flags |= MS_URL_CREDENTIAL | MS_URL_OBFUSCATED;
        host_n -= (size_t)(at + 1 - h);
        h = at + 1;
    }
    for (size_t i = 0; i < host_n; i++)
        h[i] = ms_ascii_lower(h[i]);
    if (memchr(h, '\0', host_n) != NULL) {
        /* "%00" in the host: cut there, C code (and old filters) would
         * read another name than the one written */
        out->host = escape_host(a, h, host_n);
        if (out->host == NULL)
            return MS_ENOMEM;
        out->punycode = out->host;
        out->unicode = out->host;
        return MS_OK;
    }
    /* "example.com." is example.com */
    while (host_n > 0 && h[host_n - 1] == '.')
        h[--host_n] = '\0';
    if (host_n == 0)
        return MS_OK;
    ms_ip ip;
    if (h[0] == '[') {
        if (ms_ip_parse(h, host_n, &ip)) {
            char buf[64];
            buf[0] = '[';
            size_t len = ms_ip_format(&ip, buf + 1, sizeof(buf) - 2);
            buf[1 + len] = ']';
            out->host = ms_arena_strndup(a, buf, len + 2);
            if (out->host == NULL)
                return MS_ENOMEM;
            out->unicode = out->host;
            out->is_ip = true;
            out->flags |= MS_URL_IP_HOST;
            return MS_OK;
        }
        out->host = h;
        out->unicode = h;
        return MS_OK;
    }
    char quad[16];
    if (parse_ipv4_host(h, host_n, quad)) {
        /* "http://3232235777/" or "http://0xC0.0250.1.1/": a browser
         * reads either as 192.168.1.1; only a dotted quad is plain */
        if (strcmp(quad, h) != 0)
            out->flags |= MS_URL_OBFUSCATED;
        out->host = ms_arena_strndup(a, quad, strlen(quad));
        if (out->host == NULL)
            return MS_ENOMEM;
        out->unicode = out->host;
        out->is_ip = true;
        out->flags |= MS_URL_IP_HOST;
        return MS_OK;
    }
    return set_name_host(a, h, out);
}

/* Builds the normalized URL string from the decomposed parts. */
static ms_status build_url(ms_arena *a, ms_url *out, const char *path,
                           size_t path_n)
{
    size_t n = strlen(out->scheme) + 3 +
               (out->credential ? strlen(out->credential) + 1 : 0) +
               (out->host ? strlen(out->host) : 0) + 8 + path_n +
               (out->query_string ? strlen(out->query_string) : 0) +
               (out->fragment ? strlen(out->fragment) : 0) + 1;
    char *url = ms_arena_alloc(a, n);
    if (url == NULL)
        return MS_ENOMEM;
    int len;
    char port[8] = "";
    if (out->port >= 0)
        snprintf(port, sizeof(port), ":%d", out->port);
    len =
        snprintf(url, n, "%s://%s%s%s%s%.*s%s%s", out->scheme,
                 out->credential ? out->credential : "",
                 out->credential ? "@" : "", out->host ? out->host : "", port,
                 (int)path_n, path, out->query_string ? out->query_string : "",
                 out->fragment ? out->fragment : "");
    out->url = url;
    out->url_len = len > 0 ? (size_t)len : 0;
    return MS_OK;
}

/* Copies n bytes of p with escapes normalized into the arena. */
static char *normalized_copy(ms_arena *a, const char *p, size_t n)
{
    char *dst = ms_arena_alloc(a, 3 * n + 1);
    if (dst == NULL)
        return NULL;
    size_t o = normalize_escapes(dst, p, n);
    dst[o] = '\0';
    return dst;
}

/* Normalizes and decomposes a URL; see url_parse.h. */
ms_status ms_url_parse(ms_arena *a, const char *p, size_t n, ms_url *out)
{
    memset(out, 0, sizeof(*out));
    out->port = -1;
    size_t len;
    char *s = clean_input(a, p, n, &len, &out->flags);
    if (s == NULL)
        return MS_ENOMEM;

    /* the scheme, de-obfuscated; none means http (a www. or bare form) */
    size_t scheme_n = scheme_length(s, len);
    const char *rest = s;
    char scheme_buf[MAX_SCHEME_BYTES + 1] = "http";
    if (scheme_n > 0) {
        for (size_t i = 0; i < scheme_n; i++)
            scheme_buf[i] = ms_ascii_lower(s[i]);
        scheme_buf[scheme_n] = '\0';
        for (size_t k = 0;
             k < sizeof(obfuscated_schemes) / sizeof(obfuscated_schemes[0]);
             k++) {
            if (strcmp(scheme_buf, obfuscated_schemes[k].written) == 0) {
                strcpy(scheme_buf, obfuscated_schemes[k].meant);
                out->flags |= MS_URL_OBFUSCATED;
                break;
            }
        }
        rest = s + scheme_n + 1;
    }
    out->scheme = ms_arena_strndup(a, scheme_buf, strlen(scheme_buf));
    if (out->scheme == NULL)
        return MS_ENOMEM;
    size_t rest_n = (size_t)(s + len - rest);
    int default_port = special_default_port(out->scheme);
    bool special = default_port != 0;

    if (strcmp(out->scheme, "javascript") == 0 ||
        strcmp(out->scheme, "vbscript") == 0 ||
        strcmp(out->scheme, "livescript") == 0)
        out->flags |= MS_URL_JAVASCRIPT_URI;
    if (strcmp(out->scheme, "data") == 0)
        out->flags |= MS_URL_DATA_URI;

    /* the authority: browsers take any run of slashes and backslashes
     * after a special scheme ("http:/\evil.com" works) */
    bool has_authority = false;
    if (special) {
        while (rest_n > 0 && (rest[0] == '/' || rest[0] == '\\')) {
            rest++;
            rest_n--;
        }
        has_authority = true; /* "http:evil.com" goes to evil.com */
    } else if (rest_n >= 2 && rest[0] == '/' && rest[1] == '/') {
        rest += 2;
        rest_n -= 2;
        has_authority = true;
    }
    if (!has_authority)
        return parse_opaque(a, rest, rest_n, out);

    size_t auth_n = 0;
    while (auth_n < rest_n && rest[auth_n] != '/' && rest[auth_n] != '?' &&
           rest[auth_n] != '#' && !(special && rest[auth_n] == '\\'))
        auth_n++;
    const char *at = NULL;
    for (size_t i = 0; i < auth_n; i++) {
        if (rest[i] == '@')
            at = rest + i; /* the last '@' ends the user info */
    }
    const char *host_at = rest;
    if (at != NULL) {
        out->credential = normalized_copy(a, rest, (size_t)(at - rest));
        if (out->credential == NULL)
            return MS_ENOMEM;
        out->flags |= MS_URL_CREDENTIAL;
        host_at = at + 1;
    }
    ms_status rc = parse_host_port(
        a, host_at, (size_t)(rest + auth_n - host_at), default_port, out);
    if (rc != MS_OK)
        return rc;

    /* path, query, fragment */
    const char *tail = rest + auth_n;
    size_t tail_n = rest_n - auth_n;
    size_t path_n = 0;
    while (path_n < tail_n && tail[path_n] != '?' && tail[path_n] != '#')
        path_n++;
    size_t query_n = 0;
    if (path_n < tail_n && tail[path_n] == '?') {
        while (path_n + query_n < tail_n && tail[path_n + query_n] != '#')
            query_n++;
    }
    size_t frag_at = path_n + query_n;
    if (query_n > 0) {
        char *q = normalized_copy(a, tail + path_n, query_n);
        if (q == NULL)
            return MS_ENOMEM;
        out->query_string = q;
        rc = find_redirect(a, q, out);
        if (rc != MS_OK)
            return rc;
    }
    if (frag_at < tail_n) {
        out->fragment = normalized_copy(a, tail + frag_at, tail_n - frag_at);
        if (out->fragment == NULL)
            return MS_ENOMEM;
    }
    char *path = ms_arena_alloc(a, 3 * path_n + 2);
    char *clean = ms_arena_alloc(a, 3 * path_n + 2);
    if (path == NULL || clean == NULL)
        return MS_ENOMEM;
    size_t raw_path_n = normalize_escapes(path + 1, tail, path_n);
    if (special) {
        for (size_t i = 1; i <= raw_path_n; i++) {
            if (path[i] == '\\')
                path[i] = '/';
        }
    }
    size_t clean_n = 0;
    if (raw_path_n > 0) {
        /* the path starts with '/' after an authority */
        const char *from = path + 1;
        size_t from_n = raw_path_n;
        if (from[0] != '/') {
            path[0] = '/';
            from = path;
            from_n++;
        }
        clean_n = remove_dot_segments(clean, from, from_n);
        clean[clean_n] = '\0';
        out->resource_path = clean;
    } else if (special) {
        clean[0] = '/';
        clean[1] = '\0';
        clean_n = 1;
    } else {
        clean[0] = '\0';
    }
    rc = build_url(a, out, clean, clean_n);
    if (rc != MS_OK)
        return rc;

    out->valid = out->host != NULL || !special;
    if (scheme_n == 0 && (out->host == NULL || strchr(out->host, '.') == NULL))
        out->valid = false; /* no scheme and no dotted host: not a link */
    rc = split_domain(a, out);
    if (rc != MS_OK)
        return rc;
    if (out->host != NULL && !out->is_ip && (out->flags & MS_URL_IDN) &&
        homograph_host(out->unicode, out->tld))
        out->flags |= MS_URL_MIXED_SCRIPT;
    return MS_OK;
}

/* Resolves a reference against a base; see url_parse.h. */
ms_status ms_url_resolve(ms_arena *a, const char *base, const char *ref,
                         size_t n, const char **out, size_t *out_n)
{
    *out = ref;
    *out_n = n;
    size_t base_n = base ? strlen(base) : 0;
    size_t base_scheme = scheme_length(base ? base : "", base_n);
    if (base == NULL || base_scheme == 0 || ms_url_has_scheme(ref, n))
        return MS_OK;
    const char *auth = base + base_scheme + 1;
    if (auth[0] != '/' || auth[1] != '/')
        return MS_OK; /* an opaque base cannot resolve anything */
    auth += 2;
    size_t auth_n = strcspn(auth, "/?#");
    size_t keep; /* bytes of base kept before ref */
    if (n >= 2 && ref[0] == '/' && ref[1] == '/') {
        keep = base_scheme + 1;
    } else if (n >= 1 && ref[0] == '/') {
        keep = (size_t)(auth + auth_n - base);
    } else if (n >= 1 && ref[0] == '?') {
        keep = (size_t)(auth - base) + auth_n + strcspn(auth + auth_n, "?#");
    } else if (n >= 1 && ref[0] == '#') {
        keep = (size_t)(auth - base) + auth_n + strcspn(auth + auth_n, "#");
    } else {
        /* a relative path: up to the last '/' of the base path */
        const char *path = auth + auth_n;
        size_t path_n = strcspn(path, "?#");
        size_t slash = path_n;
        while (slash > 0 && path[slash - 1] != '/')
            slash--;
        keep = (size_t)(path - base) + slash;
        if (slash == 0) {
            /* "http://host" + "x" is "http://host/x" */
            char *joined = ms_arena_alloc(a, keep + 1 + n + 1);
            if (joined == NULL)
                return MS_ENOMEM;
            memcpy(joined, base, keep);
            joined[keep] = '/';
            memcpy(joined + keep + 1, ref, n);
            joined[keep + 1 + n] = '\0';
            *out = joined;
            *out_n = keep + 1 + n;
            return MS_OK;
        }
    }
    char *joined = ms_arena_alloc(a, keep + n + 1);
    if (joined == NULL)
        return MS_ENOMEM;
    memcpy(joined, base, keep);
    memcpy(joined + keep, ref, n);
    joined[keep + n] = '\0';
    *out = joined;
    *out_n = keep + n;
    return MS_OK;
}
