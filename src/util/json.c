/* SPDX-License-Identifier: MIT */
/*
 * The streaming JSON writer (see json.h). Escaping is the hot path of every
 * document: runs of plain ASCII are copied in one append, and only control
 * characters, quotes, backslashes and non-ASCII bytes take the slow path.
 * Non-ASCII bytes are validated as UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF); an invalid byte becomes U+FFFD so a
 * hostile mail can never make a document that a JSON parser rejects.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/json.h"

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD in UTF-8 */

/* Records the first error only. */
static void set_error(ms_json *w, ms_status rc)
{
    if (w->rc == MS_OK)
        w->rc = rc;
}

/* Appends bytes, recording any failure. The common case (room in the
 * buffer) is a plain copy; the buffer call only grows it. */
static inline void put(ms_json *w, const char *p, size_t n)
{
    ms_buf *b = w->out;
    if (b->cap > 0 && n < b->cap - b->n) {
        memcpy(b->p + b->n, p, n);
        b->n += n;
        b->p[b->n] = '\0';
        return;
    }
    if (w->rc != MS_OK)
        return;
    ms_status rc = ms_buf_append(b, p, n);
    if (rc != MS_OK)
        set_error(w, rc);
}

/* Writes a newline and the indentation of the current depth. */
static void indent(ms_json *w)
{
    static const char spaces[] = "                                ";
    put(w, "\n", 1);
    size_t n = (size_t)w->depth * 2;
    while (n > 0) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        put(w, spaces, k);
        n -= k;
    }
}

/* Places the comma and indentation due before a value or a key. */
static void before_item(ms_json *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (w->has_items[w->depth - 1])
        put(w, ",", 1);
    else
        w->has_items[w->depth - 1] = true;
    if (w->pretty)
        indent(w);
}

/* Starts writing into out (appending). With pretty, indents by two. */
void ms_json_init(ms_json *w, ms_buf *out, bool pretty)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->pretty = pretty;
}

/* Returns the first error met, or MS_OK. */
ms_status ms_json_status(const ms_json *w)
{
    return w->rc;
}

/* Opens a container with the given bracket. */
static void open_container(ms_json *w, char c)
{
    before_item(w);
    if (w->depth >= MS_JSON_MAX_DEPTH) {
        set_error(w, MS_ELIMIT);
        return;
    }
    put(w, &c, 1);
    w->has_items[w->depth++] = false;
}

/* Closes the innermost container with the given bracket. */
static void close_container(ms_json *w, char c)
{
    if (w->depth == 0) {
        set_error(w, MS_EINVAL);
        return;
    }
    w->depth--;
    if (w->pretty && w->has_items[w->depth])
        indent(w);
    put(w, &c, 1);
}

void ms_json_object_begin(ms_json *w)
{
    open_container(w, '{');
}

void ms_json_object_end(ms_json *w)
{
    close_container(w, '}');
}

void ms_json_array_begin(ms_json *w)
{
    open_container(w, '[');
}

void ms_json_array_end(ms_json *w)
{
    close_container(w, ']');
}

/* Returns the length of the valid UTF-8 sequence at p (1 to 4), or 0 when
 * the bytes at p do not start one. n is the number of bytes available. */
size_t ms_utf8_sequence_length(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0; /* continuation byte, overlong lead, or > U+10FFFF */
    if (c < 0xE0) {
        if (n < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && p[1] >= 0xA0)
            return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
        (p[3] & 0xC0) != 0x80)
        return 0;
    if (c == 0xF0 && p[1] < 0x90)
        return 0; /* overlong */
    if (c == 0xF4 && p[1] >= 0x90)
        return 0; /* above U+10FFFF */
    return 4;
}

/* True when the byte can be copied into a JSON string as it is. */
static inline bool is_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Returns the end of the run of plain bytes that starts at i: sixteen
 * bytes at a time with SSE2 (a signed compare with 0x20 catches both the
 * control characters and the non-ASCII bytes), then byte by byte. */
static size_t plain_run_end(const unsigned char *s, size_t i, size_t n)
{
#ifdef __SSE2__
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                _mm_cmpeq_epi8(v, backslash)));
        int mask = _mm_movemask_epi8(bad);
        if (mask != 0)
            return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    while (i < n && is_plain(s[i]))
        i++;
    return i;
}

/* Appends n bytes to out: a copy when there is room, else a grow. */
static inline ms_status append_fast(ms_buf *out, const char *p, size_t n)
{
    if (out->cap > 0 && n < out->cap - out->n) {
        memcpy(out->p + out->n, p, n);
        out->n += n;
        out->p[out->n] = '\0';
        return MS_OK;
    }
    return ms_buf_append(out, p, n);
}

/* Appends the JSON escape of n bytes (without quotes) to out. */
ms_status ms_json_escape(ms_buf *out, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    ms_status rc = MS_OK;
    while (i < n && rc == MS_OK) {
        size_t run = plain_run_end(s, i, n);
        if (run > i) {
            rc = append_fast(out, p + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t len = ms_utf8_sequence_length(s + i, n - i);
            if (len == 0) {
                rc = ms_buf_append(out, REPLACEMENT, 3);
                i++;
            } else {
                rc = append_fast(out, p + i, len);
                i += len;
            }
            continue;
        }
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t k = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        rc = ms_buf_append(out, esc, k);
        i++;
    }
    return rc;
}

/* Writes an object key of n bytes; the next call writes its value. */
void ms_json_key_n(ms_json *w, const char *key, size_t n)
{
    before_item(w);
    /* keys are the program's own ASCII names: no escaping needed */
    assert(memchr(key, '"', n) == NULL && memchr(key, '\\', n) == NULL);
    ms_buf *b = w->out;
    if (!w->pretty && b->cap > 0 && n + 3 < b->cap - b->n) {
        /* the common case in one copy: "key": */
        char *o = b->p + b->n;
        o[0] = '"';
        memcpy(o + 1, key, n);
        o[n + 1] = '"';
        o[n + 2] = ':';
        b->n += n + 3;
        b->p[b->n] = '\0';
    } else {
        put(w, "\"", 1);
        put(w, key, n);
        put(w, w->pretty ? "\": " : "\":", w->pretty ? 3 : 2);
    }
    w->after_key = true;
}

/* Writes n bytes as a JSON string, escaping and repairing UTF-8. */
void ms_json_string(ms_json *w, const char *p, size_t n)
{
    before_item(w);
    ms_buf *b = w->out;
    if (b->cap > 0 && n + 2 < b->cap - b->n &&
        plain_run_end((const unsigned char *)p, 0, n) == n) {
        /* nothing to escape (most strings): one copy between quotes */
        char *o = b->p + b->n;
        o[0] = '"';
        memcpy(o + 1, p, n);
        o[n + 1] = '"';
        b->n += n + 2;
        b->p[b->n] = '\0';
        return;
    }
    put(w, "\"", 1);
    if (w->rc == MS_OK) {
        ms_status rc = ms_json_escape(w->out, p, n);
        if (rc != MS_OK)
            set_error(w, rc);
    }
    put(w, "\"", 1);
}

/* Writes a NUL-terminated string, or null when z is NULL. */
void ms_json_cstr(ms_json *w, const char *z)
{
    if (z == NULL)
        ms_json_null(w);
    else
        ms_json_string(w, z, strlen(z));
}

/* Writes a slice as a string, or null when its pointer is NULL. */
void ms_json_slice(ms_json *w, ms_slice s)
{
    if (s.p == NULL)
        ms_json_null(w);
    else
        ms_json_string(w, s.p, s.n);
}

/* Formats v in decimal at the end of tmp (32 bytes); returns the start.
 * printf is a large share of the time when documents are full of small
 * numbers, hence this. */
static char *format_uint(unsigned long long v, char *tmp)
{
    char *p = tmp + 31;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

/* Writes a signed integer. */
void ms_json_int(ms_json *w, long long v)
{
    char tmp[32];
    unsigned long long mag =
        v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    char *p = format_uint(mag, tmp);
    if (v < 0)
        *--p = '-';
    ms_json_raw(w, p, (size_t)(tmp + 31 - p));
}

/* Writes an unsigned integer. */
void ms_json_uint(ms_json *w, unsigned long long v)
{
    char tmp[32];
    char *p = format_uint(v, tmp);
    ms_json_raw(w, p, (size_t)(tmp + 31 - p));
}

/* Writes a number with up to 6 significant decimals; NaN/inf give null. */
void ms_json_double(ms_json *w, double v)
{
    if (!isfinite(v)) {
        ms_json_null(w);
        return;
    }
    char tmp[48];
    int k = snprintf(tmp, sizeof(tmp), "%.6g", v);
    ms_json_raw(w, tmp, (size_t)k);
}

/* Writes true or false. */
void ms_json_bool(ms_json *w, bool v)
{
    if (v)
        ms_json_raw(w, "true", 4);
    else
        ms_json_raw(w, "false", 5);
}

/* Writes null. */
void ms_json_null(ms_json *w)
{
    ms_json_raw(w, "null", 4);
}

/* Writes already-serialized JSON as a value, unchecked. */
void ms_json_raw(ms_json *w, const char *p, size_t n)
{
    before_item(w);
    put(w, p, n);
}

void ms_json_kv_cstr(ms_json *w, const char *key, const char *z)
{
    ms_json_key(w, key);
    ms_json_cstr(w, z);
}

void ms_json_kv_slice(ms_json *w, const char *key, ms_slice s)
{
    ms_json_key(w, key);
    ms_json_slice(w, s);
}

void ms_json_kv_string(ms_json *w, const char *key, const char *p, size_t n)
{
    ms_json_key(w, key);
    ms_json_string(w, p, n);
}

void ms_json_kv_int(ms_json *w, const char *key, long long v)
{
    ms_json_key(w, key);
    ms_json_int(w, v);
}

void ms_json_kv_uint(ms_json *w, const char *key, unsigned long long v)
{
    ms_json_key(w, key);
    ms_json_uint(w, v);
}

void ms_json_kv_double(ms_json *w, const char *key, double v)
{
    ms_json_key(w, key);
    ms_json_double(w, v);
}

void ms_json_kv_bool(ms_json *w, const char *key, bool v)
{
    ms_json_key(w, key);
    ms_json_bool(w, v);
}

void ms_json_kv_null(ms_json *w, const char *key)
{
    ms_json_key(w, key);
    ms_json_null(w);
}
