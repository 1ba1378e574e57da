/* SPDX-License-Identifier: MIT */
/*
 * The free-text link finder. SpamScope found links with one regular
 * expression over the raw body (http, https and ftp with an explicit
 * scheme); that misses "www." and bare forms, every defanged spelling,
 * and links whose scheme an attacker wrote in capitals or with a
 * backslash. Here the text is cut into words and each word is classified
 * by what it contains: "://" (or ":\\"), '@', or a host followed by a
 * path. A repaired spelling is handed over with obfuscated set.
 */
#include "analysis/url_extract.h"

#include <libpsl.h>
#include <string.h>

#include "mailscope/slice.h"
#include "util/ascii.h"

/* Longest top-level domain label checked against the suffix list. */
#define MAX_TLD_BYTES 63
/* Longest scheme looked for before "://". */
#define MAX_SCHEME_BYTES 32

/* Schemes a scheme-looking run may end with: "foo.http://x" and
 * "Link:https://x" keep only the scheme. */
static const char *const known_schemes[] = {
    "https", "http", "hxxps", "hxxp", "hxps", "hxp", "ftps", "ftp",
    "sftp",  "fxp",  "wss",   "ws",   "file", "smb", NULL};

/* Defanged spellings and what they stand for, as threat reports and
 * phishing mails write them. */
static const struct {
    const char *written;
    const char *meant;
} defanged[] = {
    {"[.]", "."},   {"(.)", "."},   {"{.}", "."},  {"[dot]", "."},
    {"(dot)", "."}, {"{dot}", "."}, {"[:]", ":"},  {"[://]", "://"},
    {"[/]", "/"},   {"[@]", "@"},   {"(at)", "@"}, {"[at]", "@"},
};

/* True for characters of a scheme. */
static bool scheme_char(char c)
{
    return ms_ascii_is_alnum(c) || c == '+' || c == '-' || c == '.';
}

/* True for characters of a host name as written in text. */
static bool host_char(char c)
{
    return ms_ascii_is_alnum(c) || c == '-' || c == '.' ||
           (unsigned char)c >= 0x80;
}

/* True for characters of the local part of an address (RFC 5322 atext,
 * plus the dots between atoms). */
static bool local_char(char c)
{
    return ms_ascii_is_alnum(c) ||
           (c != '\0' && strchr("!#$%&*+/=?^_{|}~.-", c) != NULL);
}

/* Returns the length of a trailing CJK or typographic punctuation mark
 * at the end of [s, e) ("。", "、", "，", "）", "」", "”", "’", "»"),
 * which text glues to links without a space; 0 when there is none. */
static size_t trailing_wide_punct(const char *w, size_t s, size_t e)
{
    static const char *const marks[] = {
        "\xE3\x80\x82", "\xE3\x80\x81", "\xEF\xBC\x8C",
        "\xEF\xBC\x89", "\xE3\x80\x8D", "\xE2\x80\x9D",
        "\xE2\x80\x99", "\xC2\xBB",     NULL};
    for (size_t k = 0; marks[k] != NULL; k++) {
        size_t len = strlen(marks[k]);
        if (e - s >= len && memcmp(w + e - len, marks[k], len) == 0)
            return len;
    }
    return 0;
}

/* Trims what ends a sentence rather than a link from the end of [s, e):
 * dots, commas and the like, and closing brackets that have no opening
 * one inside ("(see http://x/a_(b))." keeps "a_(b)"). Returns the new
 * end. */
static size_t trim_link_end(const char *w, size_t s, size_t e)
{
    long round = 0, square = 0, curly = 0;
    for (size_t i = s; i < e; i++) {
        round += (w[i] == '(') - (w[i] == ')');
        square += (w[i] == '[') - (w[i] == ']');
        curly += (w[i] == '{') - (w[i] == '}');
    }
    while (e > s) {
        char c = w[e - 1];
        if (strchr(".,;:!?*", c) != NULL) {
            e--;
        } else if (c == ')' && round < 0) {
            round++;
            e--;
        } else if (c == ']' && square < 0) {
            square++;
            e--;
        } else if (c == '}' && curly < 0) {
            curly++;
            e--;
        } else {
            size_t wide = trailing_wide_punct(w, s, e);
            if (wide == 0)
                break;
            e -= wide;
        }
    }
    return e;
}

/* Repairs the defanged spellings of a word into the arena. *out is the
 * word itself when there was nothing to repair. Returns MS_OK or
 * MS_ENOMEM. */
static ms_status repair_word(ms_arena *a, const char *w, size_t n,
                             const char **out, size_t *out_n, bool *repaired)
{
    *out = w;
    *out_n = n;
    *repaired = false;
    bool maybe = false;
    for (size_t i = 0; i < n && !maybe; i++)
        maybe = w[i] == '[' || w[i] == '(' || w[i] == '{';
    if (!maybe)
        return MS_OK;
    char *dst = NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = 0, nk = sizeof(defanged) / sizeof(defanged[0]);
        if (w[i] == '[' || w[i] == '(' || w[i] == '{') {
            for (; k < nk; k++) {
                if (ms_slice_starts_with_ci((ms_slice){w + i, n - i},
                                            defanged[k].written))
                    break;
            }
        } else {
            k = nk;
        }
        if (k < nk && dst == NULL) {
            dst = ms_arena_alloc(a, n + 1);
            if (dst == NULL)
                return MS_ENOMEM;
            memcpy(dst, w, i);
            o = i;
        }
        if (k < nk) {
            size_t len = strlen(defanged[k].meant);
            memcpy(dst + o, defanged[k].meant, len);
            o += len;
            i += strlen(defanged[k].written);
            continue;
        }
        if (dst != NULL)
            dst[o++] = w[i];
        i++;
    }
    if (dst == NULL)
        return MS_OK;
    dst[o] = '\0';
    *out = dst;
    *out_n = o;
    *repaired = true;
    return MS_OK;
}

/* Finds the first "://" or ":\\" in w from i. Returns its offset or n. */
static size_t find_scheme_separator(const char *w, size_t n, size_t i)
{
    while (i < n) {
        const char *colon = memchr(w + i, ':', n - i);
        if (colon == NULL)
            return n;
        size_t at = (size_t)(colon - w);
        if (at + 2 < n && ((w[at + 1] == '/' && w[at + 2] == '/') ||
                           (w[at + 1] == '\\' && w[at + 2] == '\\')))
            return at;
        i = at + 1;
    }
    return n;
}

/* True when the n bytes at p are one of known_schemes. */
static bool is_known_scheme(const char *p, size_t n)
{
    for (size_t k = 0; known_schemes[k] != NULL; k++) {
        if (ms_slice_eq_cstr_ci((ms_slice){p, n}, known_schemes[k]))
            return true;
    }
    return false;
}

/* Returns where the scheme that ends at sep starts, or sep when there is
 * none. */
static size_t scheme_start(const char *w, size_t sep)
{
    size_t s = sep;
    while (s > 0 && sep - s < MAX_SCHEME_BYTES && scheme_char(w[s - 1]))
        s--;
    while (s < sep && !ms_ascii_is_alpha(w[s]))
        s++;
    bool plain = true;
    for (size_t i = s; i < sep; i++)
        plain &= ms_ascii_is_alpha(w[i]) != 0;
    if (plain) {
        /* "GUARANTEEDhttp://" or "Ghttp://": a word glued to a web
         * scheme (the text lost its space), which no browser opens as
         * a scheme of its own; only the long web schemes are taken off
         * the end, so that "news:" does not become "ws:" */
        static const char *const glued[] = {"https", "http", "hxxps", "hxxp",
                                            "ftps",  "ftp",  NULL};
        for (size_t k = 0; glued[k] != NULL; k++) {
            size_t len = strlen(glued[k]);
            if (sep - s > len &&
                ms_slice_eq_cstr_ci((ms_slice){w + sep - len, len}, glued[k]) &&
                !is_known_scheme(w + s, sep - s))
                return sep - len;
        }
        return s;
    }
    /* "foo.http" or "x-https": keep the known scheme at the end */
    for (size_t k = 0; known_schemes[k] != NULL; k++) {
        size_t len = strlen(known_schemes[k]);
        if (sep - s >= len &&
            ms_slice_eq_cstr_ci((ms_slice){w + sep - len, len},
                                known_schemes[k]))
            return sep - len;
    }
    return s;
}

/* True when w[at] is ':' and a port follows, then a '/' ("x.com:8080/");
 * "genpkglist.cc:604:33" is a compiler's file and line, not a link. */
static bool port_then_path(const char *w, size_t at, size_t n)
{
    if (at >= n || w[at] != ':')
        return false;
    size_t d = at + 1;
    while (d < n && d - at <= 5 && ms_ascii_is_digit(w[d]))
        d++;
    return d > at + 1 && d < n && w[d] == '/';
}

/* True when the lower-cased label is a top-level domain of the ICANN
 * section of the public suffix list (the "*" default rule excluded). */
static bool known_tld(const char *p, size_t n)
{
    char label[MAX_TLD_BYTES + 1];
    if (n < 2 || n > MAX_TLD_BYTES)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!ms_ascii_is_alpha(p[i]))
            return false;
        label[i] = ms_ascii_lower(p[i]);
    }
    label[n] = '\0';
    const psl_ctx_t *psl = psl_builtin();
    return psl != NULL &&
           psl_is_public_suffix2(psl, label,
                                 PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE);
}

/* True when the n bytes at h are a dotted IPv4 quad. */
static bool dotted_quad(const char *h, size_t n)
{
    size_t dots = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i] == '.') {
            if (digits == 0)
                return false;
            dots++;
            digits = 0;
        } else if (ms_ascii_is_digit(h[i]) && digits < 3) {
            digits++;
        } else {
            return false;
        }
    }
    return dots == 3 && digits > 0;
}

/* Calls fn for each e-mail address in the word. Returns fn's status. */
static ms_status scan_emails(const char *w, size_t n, bool repaired,
                             ms_url_hit_fn fn, void *ctx, bool *found)
{
    size_t from = 0, floor = 0;
    while (from < n) {
        const char *at_p = memchr(w + from, '@', n - from);
        if (at_p == NULL)
            break;
        size_t at = (size_t)(at_p - w);
        size_t ls = at;
        while (ls > floor && local_char(w[ls - 1]))
            ls--;
        while (ls < at && w[ls] == '.')
            ls++;
        size_t de = at + 1;
        while (de < n && host_char(w[de]))
            de++;
        while (de > at + 1 && (w[de - 1] == '.' || w[de - 1] == '-'))
            de--;
        const char *dot =
            de > at + 1 ? memchr(w + at + 1, '.', de - at - 1) : NULL;
        size_t last = de;
        while (last > at + 1 && w[last - 1] != '.')
            last--;
        bool tld_ok = de - last >= 2;
        for (size_t i = last; i < de && tld_ok; i++)
            tld_ok = ms_ascii_is_alpha(w[i]);
        if (ls < at && dot != NULL && tld_ok) {
            ms_url_hit hit = {MS_URL_HIT_EMAIL, w + ls, de - ls, repaired};
            ms_status rc = fn(ctx, &hit);
            if (rc != MS_OK)
                return rc;
            *found = true;
        }
        floor = de > at + 1 ? de : at + 1;
        from = floor;
    }
    return MS_OK;
}

/* Looks for a "www." or bare-domain link at the start of the word (after
 * opening punctuation). Returns fn's status. */
static ms_status scan_bare(const char *w, size_t n, bool repaired,
                           ms_url_hit_fn fn, void *ctx)
{
    size_t s = 0;
    while (s < n && strchr("([{*,;:", w[s]) != NULL)
        s++;
    size_t host_end = s;
    while (host_end < n && host_char(w[host_end]))
        host_end++;
    size_t host_n = host_end - s;
    /* the host without a final dot: "www.x.com." ends a sentence */
    size_t h_n = host_n;
    while (h_n > 0 && w[s + h_n - 1] == '.')
        h_n--;
    if (h_n < 4 || memchr(w + s, '.', h_n) == NULL)
        return MS_OK;
    bool www = h_n > 4 &&
               ms_slice_starts_with_ci((ms_slice){w + s, h_n}, "www.") &&
               memchr(w + s + 4, '.', h_n - 4) != NULL;
    bool has_path = host_end < n && host_n == h_n &&
                    (w[host_end] == '/' || port_then_path(w, host_end, n));
    if (!www) {
        if (!has_path)
            return MS_OK;
        size_t last = h_n;
        while (last > 0 && w[s + last - 1] != '.')
            last--;
        if (!dotted_quad(w + s, h_n) && !known_tld(w + s + last, h_n - last))
            return MS_OK;
    }
    size_t e = trim_link_end(w, s, n);
    if (e <= s)
        return MS_OK;
    ms_url_hit hit = {MS_URL_HIT_URL, w + s, e - s, repaired};
    return fn(ctx, &hit);
}

/* Classifies one word and reports what it holds. */
static ms_status scan_word(ms_arena *a, const char *word, size_t word_n,
                           ms_url_hit_fn fn, void *ctx)
{
    const char *w;
    size_t n;
    bool repaired;
    ms_status rc = repair_word(a, word, word_n, &w, &n, &repaired);
    if (rc != MS_OK)
        return rc;
    size_t sep = find_scheme_separator(w, n, 0);
    while (sep < n) {
        size_t s = scheme_start(w, sep);
        if (s < sep) {
            size_t e = trim_link_end(w, s, n);
            if (e > sep + 3) {
                ms_url_hit hit = {MS_URL_HIT_URL, w + s, e - s, repaired};
                return fn(ctx, &hit);
            }
            return MS_OK;
        }
        sep = find_scheme_separator(w, n, sep + 3);
    }
    bool found = false;
    if (memchr(w, '@', n) != NULL) {
        rc = scan_emails(w, n, repaired, fn, ctx, &found);
        if (rc != MS_OK || found)
            return rc;
    }
    if (memchr(w, '.', n) != NULL)
        return scan_bare(w, n, repaired, fn, ctx);
    return MS_OK;
}

/* True when the text is a host name with a known TLD; see
 * url_extract.h. */
bool ms_url_looks_like_domain(const char *p, size_t n)
{
    while (n > 0 && p[n - 1] == '.')
        n--;
    if (n < 4 || memchr(p, '.', n) == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!host_char(p[i]))
            return false;
    }
    size_t last = n;
    while (last > 0 && p[last - 1] != '.')
        last--;
    return known_tld(p + last, n - last);
}

/* Classes of the bytes of a text: 1 a byte that ends a word (a link in
 * text never holds them unescaped; bytes past 0x7F stay in words: IDN
 * hosts, UTF-8 paths), 2 a byte without which a word holds nothing scan_word
 * finds (a scheme's ':', an address's '@', a host's '.', or the bracket
 * of a defanged spelling). */
static const unsigned char byte_class[256] = {
    [0] = 1,   [1] = 1,    [2] = 1,   [3] = 1,    [4] = 1,   [5] = 1,
    [6] = 1,   [7] = 1,    [8] = 1,   [9] = 1,    [10] = 1,  [11] = 1,
    [12] = 1,  [13] = 1,   [14] = 1,  [15] = 1,   [16] = 1,  [17] = 1,
    [18] = 1,  [19] = 1,   [20] = 1,  [21] = 1,   [22] = 1,  [23] = 1,
    [24] = 1,  [25] = 1,   [26] = 1,  [27] = 1,   [28] = 1,  [29] = 1,
    [30] = 1,  [31] = 1,   [32] = 1,  [0x7f] = 1, ['<'] = 1, ['>'] = 1,
    ['"'] = 1, ['\''] = 1, ['`'] = 1, ['['] = 2,  ['('] = 2, ['{'] = 2,
    [':'] = 2, ['@'] = 2,  ['.'] = 2,
};

/* Scans text for links and addresses; see url_extract.h. */
ms_status ms_url_scan_text(ms_arena *a, const char *p, size_t n,
                           ms_url_hit_fn fn, void *ctx)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (byte_class[(unsigned char)p[i]] & 1))
            i++;
        size_t start = i;
        unsigned seen = 0;
        while (i < n && !(byte_class[(unsigned char)p[i]] & 1))
            seen |= byte_class[(unsigned char)p[i++]];
        /* a word shorter than "a.bc/" or "a@b.cd" holds nothing, nor one
         * without any of the bytes of class 2 */
        if (i - start < 5 || !(seen & 2))
            continue;
        ms_status rc = scan_word(a, p + start, i - start, fn, ctx);
        if (rc != MS_OK)
            return rc;
    }
    return MS_OK;
}
