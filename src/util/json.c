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
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/ascii.h"
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

/* Places the comma and indentation due before a value or a key. Inline:
 * it runs before every key and every value. */
static inline void before_item(ms_json *w)
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

/*
 * What each byte turns into inside a JSON string: 0 copied as it is,
 * 'u' written as \u00XX, another letter or sign written after a
 * backslash (\n, \", ...), 1 the start of a UTF-8 sequence to check.
 */
static const unsigned char escape_of[256] = {
    'u', 'u', 'u',  'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u',
    'u', 'u', 'u',  'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    'u', 'u', 0,    0,   '"', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   '\\', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,    0,   0,   0,   0,   0,   1,   1,   1,   1,   1,   1,   1,
    1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   1,   1,    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,
};

/* Returns the bytes of w (read little-endian) that need escaping, as a
 * mask with the high bit of each such byte set. Bytes above the first
 * flagged one may be flagged wrongly (a borrow runs upwards), so only the
 * lowest flag is to be trusted. */
static inline uint64_t escape_mask8(uint64_t w)
{
    uint64_t quote = w ^ MS_BYTES8('"'), backslash = w ^ MS_BYTES8('\\');
    uint64_t low = (w - MS_BYTES8(0x20)) & ~w;
    uint64_t q = (quote - MS_BYTES8(1)) & ~quote;
    uint64_t bs = (backslash - MS_BYTES8(1)) & ~backslash;
    return (low | q | bs | w) & MS_BYTES8(0x80);
}

/*
 * Copies the run of bytes that need no escape from s[i, end) to *po and
 * returns the run's end, *po moved past the copy. Sixteen bytes at a time
 * with SSE2 (a signed compare with 0x20 catches both the control
 * characters and the non-ASCII bytes), then eight at a time in a word:
 * each block is stored whole before its test, so a clean block costs no
 * separate copy. Stores may reach past the copy, never past o_end.
 */
static inline size_t copy_plain_run(char **po, const char *o_end,
                                    const unsigned char *s, size_t i,
                                    size_t end)
{
    char *o = *po;
#ifdef __SSE2__
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    size_t start = i;
    while (i + 16 <= end && o_end - o >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                _mm_cmpeq_epi8(v, backslash)));
        _mm_storeu_si128((__m128i *)(void *)o, v);
        int mask = _mm_movemask_epi8(bad);
        if (mask != 0) {
            size_t k = (size_t)__builtin_ctz((unsigned)mask);
            *po = o + k;
            return i + k;
        }
        i += 16;
        o += 16;
    }
    if (i < end && end - start >= 16 && o_end - o >= 16) {
        /* the last block, overlapping bytes already copied: they were
         * copied one for one in this run, so storing them again at the
         * same place changes nothing */
        size_t back = i - (end - 16);
        __m128i v = _mm_loadu_si128((const __m128i *)(s + end - 16));
        __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                _mm_cmpeq_epi8(v, backslash)));
        _mm_storeu_si128((__m128i *)(void *)(o - back), v);
        unsigned mask = (unsigned)_mm_movemask_epi8(bad) >> back;
        size_t k = mask != 0 ? (size_t)__builtin_ctz(mask) : end - i;
        *po = o + k;
        return i + k;
    }
#endif
    while (i + 8 <= end && o_end - o >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        memcpy(o, &w, 8);
        uint64_t m = escape_mask8(w);
        if (m != 0) {
            size_t k = (size_t)(__builtin_ctzll(m) >> 3);
            *po = o + k;
            return i + k;
        }
        i += 8;
        o += 8;
    }
    while (i < end && escape_of[s[i]] == 0)
        *o++ = (char)s[i++];
    *po = o;
    return i;
}

/* Input bytes escaped per round: the room reserved for a round is the
 * worst case of the round (six output bytes per input byte) plus slack
 * for a UTF-8 sequence that starts at its end. */
#define ESCAPE_ROUND 4096
#define ESCAPE_SLACK 8

/* Returns the length of the JSON escape of s[i, end), reading a UTF-8
 * sequence that starts before end up to n. */
static size_t escaped_length(const unsigned char *s, size_t i, size_t end,
                             size_t n)
{
    size_t len = 0;
    while (i < end) {
        unsigned char e = escape_of[s[i]];
        if (e == 0) {
            len++;
            i++;
        } else if (e == 1) {
            size_t k = ms_utf8_sequence_length(s + i, n - i);
            len += k ? k : 3;
            i += k ? k : 1;
        } else {
            len += e == 'u' ? 6 : 2;
            i++;
        }
    }
    return len;
}

/* Escapes s[i, end) into o, which has room for it (blocks may be stored
 * past the escape, up to o_end), reading a UTF-8
 * sequence that starts before end up to n. Returns the end of the output
 * and sets *next to where the input stopped (end, or past it when a
 * sequence crossed it). */
static char *escape_into(char *o, const char *o_end, const unsigned char *s,
                         size_t i, size_t end, size_t n, size_t *next)
{
    static const char hex[] = "0123456789abcdef";
    while (i < end) {
        i = copy_plain_run(&o, o_end, s, i, end);
        if (i == end)
            break;
        unsigned char c = s[i];
        unsigned char e = escape_of[c];
        if (e == 1) {
            size_t len = ms_utf8_sequence_length(s + i, n - i);
            if (len == 0) {
                memcpy(o, REPLACEMENT, 3);
                o += 3;
                i++;
            } else {
                memcpy(o, s + i, len);
                o += len;
                i += len;
            }
        } else if (e == 'u') {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
            i++;
        } else {
            o[0] = '\\';
            o[1] = (char)e;
            o += 2;
            i++;
        }
    }
    *next = i;
    return o;
}

/* Appends the JSON escape of n bytes (without quotes) to out, in rounds
 * that each reserve their worst case once and then write without checks.
 * When the worst case does not fit under the buffer's ceiling, the exact
 * length is reserved instead, so a document that fits is never refused. */
ms_status ms_json_escape(ms_buf *out, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        size_t end = n - i > ESCAPE_ROUND ? i + ESCAPE_ROUND : n;
        ms_status rc = ms_buf_reserve(out, (end - i) * 6 + ESCAPE_SLACK);
        if (rc == MS_ELIMIT)
            rc = ms_buf_reserve(out, escaped_length(s, i, end, n));
        if (rc != MS_OK)
            return rc;
        char *o =
            escape_into(out->p + out->n, out->p + out->cap, s, i, end, n, &i);
        out->n = (size_t)(o - out->p);
        out->p[out->n] = '\0';
    }
    return MS_OK;
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

/* Writes n bytes as a JSON string, escaping and repairing UTF-8. A
 * string that fits in one round with its quotes (nearly every one) is
 * written straight into the buffer. */
void ms_json_string(ms_json *w, const char *p, size_t n)
{
    before_item(w);
    ms_buf *b = w->out;
    if (n <= ESCAPE_ROUND && b->cap > 0 &&
        n * 6 + ESCAPE_SLACK + 2 < b->cap - b->n) {
        const unsigned char *s = (const unsigned char *)p;
        char *o = b->p + b->n;
        *o++ = '"';
        size_t next;
        o = escape_into(o, b->p + b->cap, s, 0, n, n, &next);
        *o++ = '"';
        b->n = (size_t)(o - b->p);
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
