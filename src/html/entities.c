/* SPDX-License-Identifier: MIT */
/*
 * Decoding of HTML character references. The named table is small and
 * sorted for a binary search; numeric references follow the HTML5
 * tokenizer's repairs so that "&#0;", "&#xD800;" or "&#99999999;" cannot
 * produce invalid UTF-8 or a NUL in a decoded link. Decoding never fails on
 * input: a malformed reference is left as literal text, as browsers do.
 */
#include "html/entities.h"

#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"

/* Longest named reference in the table, in bytes. */
#define ENTITY_NAME_MAX 8
/* Digits read of a numeric reference; the rest are consumed but ignored,
 * so a million zeros cannot overflow the value. */
#define ENTITY_DIGITS_MAX 8

typedef struct named_entity {
    const char *name;
    unsigned long code_point;
    bool legacy; /* browsers decode it without the ';' too */
} named_entity;

/* Sorted by strcmp (upper case before lower case). */
static const named_entity named_entities[] = {
    {"AElig", 198, true},  {"AMP", 38, true},       {"Aacute", 193, true},
    {"Agrave", 192, true}, {"Auml", 196, true},     {"COPY", 169, true},
    {"Ccedil", 199, true}, {"Eacute", 201, true},   {"GT", 62, true},
    {"Hat", 94, false},    {"LT", 60, true},        {"NewLine", 10, false},
    {"Ntilde", 209, true}, {"Ouml", 214, true},     {"QUOT", 34, true},
    {"REG", 174, true},    {"Tab", 9, false},       {"Uuml", 220, true},
    {"aacute", 225, true}, {"acute", 180, true},    {"agrave", 224, true},
    {"amp", 38, true},     {"apos", 39, false},     {"ast", 42, false},
    {"auml", 228, true},   {"bsol", 92, false},     {"bull", 8226, false},
    {"ccedil", 231, true}, {"cent", 162, true},     {"colon", 58, false},
    {"comma", 44, false},  {"commat", 64, false},   {"copy", 169, true},
    {"deg", 176, true},    {"divide", 247, true},   {"dollar", 36, false},
    {"eacute", 233, true}, {"egrave", 232, true},   {"emsp", 8195, false},
    {"ensp", 8194, false}, {"equals", 61, false},   {"euro", 8364, false},
    {"excl", 33, false},   {"frac12", 189, true},   {"grave", 96, false},
    {"gt", 62, true},      {"hellip", 8230, false}, {"iacute", 237, true},
    {"iexcl", 161, true},  {"iquest", 191, true},   {"laquo", 171, true},
    {"lcub", 123, false},  {"ldquo", 8220, false},  {"lowbar", 95, false},
    {"lpar", 40, false},   {"lsqb", 91, false},     {"lsquo", 8216, false},
    {"lt", 60, true},      {"mdash", 8212, false},  {"middot", 183, true},
    {"nbsp", 160, true},   {"ndash", 8211, false},  {"ntilde", 241, true},
    {"num", 35, false},    {"oacute", 243, true},   {"ouml", 246, true},
    {"para", 182, true},   {"percnt", 37, false},   {"period", 46, false},
    {"plus", 43, false},   {"plusmn", 177, true},   {"pound", 163, true},
    {"quest", 63, false},  {"quot", 34, true},      {"raquo", 187, true},
    {"rcub", 125, false},  {"rdquo", 8221, false},  {"reg", 174, true},
    {"rpar", 41, false},   {"rsqb", 93, false},     {"rsquo", 8217, false},
    {"sect", 167, true},   {"semi", 59, false},     {"shy", 173, true},
    {"sol", 47, false},    {"szlig", 223, true},    {"thinsp", 8201, false},
    {"times", 215, true},  {"trade", 8482, false},  {"uacute", 250, true},
    {"uuml", 252, true},   {"verbar", 124, false},  {"yen", 165, true},
    {"zwj", 8205, false},  {"zwnj", 8204, false},
};

#define N_NAMED_ENTITIES (sizeof(named_entities) / sizeof(named_entities[0]))

/* HTML5's reading of the C1 range in a numeric reference: the
 * windows-1252 characters at 0x80-0x9F (0 where the spec keeps the
 * value). */
static const unsigned short windows1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* Writes code point cp as UTF-8; NUL, surrogates and values past the
 * Unicode range become U+FFFD. Returns the number of bytes (1 to 4). */
size_t ms_html_utf8_encode(unsigned long cp, char *out)
{
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Finds the named reference of exactly n bytes at p. Returns its entry or
 * NULL. */
static const named_entity *find_named(const char *p, size_t n)
{
    size_t lo = 0, hi = N_NAMED_ENTITIES;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *name = named_entities[mid].name;
        size_t len = strlen(name);
        int cmp = memcmp(p, name, n < len ? n : len);
        if (cmp == 0)
            cmp = n < len ? -1 : (n > len ? 1 : 0);
        if (cmp == 0)
            return &named_entities[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Decodes "&#...;" at p (p[1] == '#'). Returns the output length and sets
 * *consumed, or 0 when no digit follows (the text stays literal). */
static size_t decode_numeric(const char *p, size_t n, char *out,
                             size_t *consumed)
{
    size_t i = 2;
    bool hex = i < n && (p[i] == 'x' || p[i] == 'X');
    if (hex)
        i++;
    size_t digits_start = i, n_digits = 0;
    unsigned long cp = 0;
    while (i < n) {
        int v = hex ? ms_ascii_hex_value(p[i])
                    : (ms_ascii_is_digit(p[i]) ? p[i] - '0' : -1);
        if (v < 0)
            break;
        /* leading zeros do not count towards the ceiling */
        if (cp != 0 || v != 0)
            n_digits++;
        if (n_digits <= ENTITY_DIGITS_MAX)
            cp = cp * (hex ? 16 : 10) + (unsigned long)v;
        else
            cp = 0x110000; /* too large: replaced below */
        i++;
    }
    if (i == digits_start)
        return 0;
    if (i < n && p[i] == ';')
        i++;
    *consumed = i;
    if (cp >= 0x80 && cp <= 0x9F && windows1252_c1[cp - 0x80] != 0)
        cp = windows1252_c1[cp - 0x80];
    return ms_html_utf8_encode(cp, out);
}

/* Decodes one reference at p; see entities.h. */
size_t ms_html_entity_decode(const char *p, size_t n, bool in_attribute,
                             char out[MS_HTML_ENTITY_MAX_OUT], size_t *consumed)
{
    if (n < 2 || p[0] != '&')
        return 0;
    if (p[1] == '#')
        return decode_numeric(p, n, out, consumed);
    size_t run = 1;
    while (run < n && run <= ENTITY_NAME_MAX + 1 && ms_ascii_is_alnum(p[run]))
        run++;
    size_t name_len = run - 1;
    if (name_len == 0)
        return 0;
    if (run < n && p[run] == ';' && name_len <= ENTITY_NAME_MAX) {
        const named_entity *e = find_named(p + 1, name_len);
        if (e != NULL) {
            *consumed = run + 1;
            return ms_html_utf8_encode(e->code_point, out);
        }
    }
    /* Without the ';': the longest legacy name that prefixes the run,
     * as browsers read "&copy2024" or "&ampx". */
    size_t try_len = name_len < ENTITY_NAME_MAX ? name_len : ENTITY_NAME_MAX;
    for (; try_len >= 2; try_len--) {
        const named_entity *e = find_named(p + 1, try_len);
        if (e == NULL || !e->legacy)
            continue;
        size_t after = 1 + try_len;
        if (in_attribute && after < n &&
            (p[after] == '=' || ms_ascii_is_alnum(p[after])))
            return 0;
        *consumed = after;
        return ms_html_utf8_encode(e->code_point, out);
    }
    return 0;
}

/* Decodes every reference of p into b; see entities.h. */
ms_status ms_html_decode_append(ms_buf *b, const char *p, size_t n,
                                bool in_attribute)
{
    ms_status rc = MS_OK;
    size_t i = 0;
    while (i < n && rc == MS_OK) {
        const char *amp = memchr(p + i, '&', n - i);
        size_t stop = amp ? (size_t)(amp - p) : n;
        if (stop > i)
            rc = ms_buf_append(b, p + i, stop - i);
        if (amp == NULL || rc != MS_OK)
            break;
        char tmp[MS_HTML_ENTITY_MAX_OUT];
        size_t used = 0;
        size_t len =
            ms_html_entity_decode(p + stop, n - stop, in_attribute, tmp, &used);
        if (len == 0) {
            rc = ms_buf_append_char(b, '&');
            i = stop + 1;
        } else {
            rc = ms_buf_append(b, tmp, len);
            i = stop + used;
        }
    }
    return rc;
}

/* Decodes p into the arena, or hands p back when it has no '&'; see
 * entities.h. A decoded text is never longer than its source (the longest
 * UTF-8 output, 4 bytes, comes from references of at least 4 bytes), so one
 * allocation of n + 1 bytes is enough. */
ms_status ms_html_decode(ms_arena *a, const char *p, size_t n,
                         bool in_attribute, const char **out, size_t *out_n)
{
    const char *amp = n ? memchr(p, '&', n) : NULL;
    if (amp == NULL) {
        *out = p;
        *out_n = n;
        return MS_OK;
    }
    char *dst = ms_arena_alloc(a, n + 1);
    if (dst == NULL)
        return MS_ENOMEM;
    size_t i = 0, o = 0;
    while (i < n) {
        if (p[i] != '&') {
            dst[o++] = p[i++];
            continue;
        }
        size_t used = 0;
        size_t len =
            ms_html_entity_decode(p + i, n - i, in_attribute, dst + o, &used);
        if (len == 0) {
            dst[o++] = p[i++];
            continue;
        }
        o += len;
        i += used;
    }
    dst[o] = '\0';
    *out = dst;
    *out_n = o;
    return MS_OK;
}
