/* SPDX-License-Identifier: MIT */
/*
 * Decoding of header values: unfolding, RFC 2047 encoded words, and raw
 * 8-bit bytes (RFC 6532 UTF-8, or a legacy charset read as windows-1252).
 *
 * Spam and phishing use encoded words to hide words from filters, and
 * they are sloppy about them, so this decoder accepts what mail clients
 * display, each oddity noted as a defect:
 *  - encoded words glued to the text around them ("Re:=?utf-8?q?x?=");
 *  - encoded words inside quoted strings;
 *  - spaces inside an encoded word's text;
 *  - a missing final "?=" at the end of the value;
 *  - bad base64 padding (handled by the tolerant base64 decoder);
 *  - a multi-byte character split across two adjacent words: the bytes of
 *    adjacent words in the same charset are joined before conversion.
 * White space between two adjacent encoded words is dropped (RFC 2047 6.2).
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mime/charset.h"
#include "mime/rfc2047.h"
#include "mime/transfer.h"
#include "util/ascii.h"
#include "util/buf.h"

/* Longest charset name read from an encoded word. */
#define MAX_CHARSET 64

/* Unfolds a raw header value; see rfc2047.h. */
ms_status ms_header_unfold(ms_arena *a, const char *in, size_t n,
                           const char **out, size_t *out_len)
{
    ms_slice s = ms_slice_trim((ms_slice){in, n});
    char *dst = ms_arena_alloc(a, s.n + 1);
    if (dst == NULL)
        return MS_ENOMEM;
    size_t o = 0, i = 0;
    while (i < s.n) {
        /* copy the run up to the next line end in one go; a CR inside
         * the run (a bare one) is dropped, which is rare */
        const char *nl = memchr(s.p + i, '\n', s.n - i);
        size_t end = nl ? (size_t)(nl - s.p) : s.n;
        size_t run_end = end;
        if (run_end > i && s.p[run_end - 1] == '\r')
            run_end--;
        if (memchr(s.p + i, '\r', run_end - i) == NULL) {
            memcpy(dst + o, s.p + i, run_end - i);
            o += run_end - i;
        } else {
            for (size_t k = i; k < run_end; k++) {
                if (s.p[k] != '\r')
                    dst[o++] = s.p[k];
            }
        }
        i = end + 1;
    }
    dst[o] = '\0';
    *out = dst;
    *out_len = o;
    return MS_OK;
}

/* An encoded word found in the text. */
typedef struct encoded_word {
    size_t start, end;         /* its extent in the text */
    char charset[MAX_CHARSET]; /* lower-case, without *language */
    char encoding;             /* 'b' or 'q' */
    const char *text;          /* the encoded text */
    size_t text_len;
    bool unterminated; /* no "?=" before the end */
} encoded_word;

/*
 * Reads an encoded word at p[i] ("=?"). Returns false when the bytes do
 * not form one. The encoded text ends at the first "?=" (spaces inside
 * are tolerated, as clients tolerate them); without one, at the end of
 * the value.
 */
static bool read_encoded_word(const char *p, size_t n, size_t i,
                              encoded_word *w)
{
    size_t k = i + 2;
    size_t cs = 0;
    while (k < n && p[k] != '?' && !ms_ascii_is_space(p[k])) {
        if (cs + 1 < MAX_CHARSET)
            w->charset[cs++] = ms_ascii_lower(p[k]);
        k++;
    }
    w->charset[cs] = '\0';
    char *star = strchr(w->charset, '*');
    if (star)
        *star = '\0';
    if (k + 2 >= n || p[k] != '?' || w->charset[0] == '\0')
        return false;
    char e = ms_ascii_lower(p[k + 1]);
    if ((e != 'b' && e != 'q') || p[k + 2] != '?')
        return false;
    size_t text = k + 3;
    size_t end = text;
    while (end + 1 < n && !(p[end] == '?' && p[end + 1] == '='))
        end++;
    w->encoding = e;
    w->text = p + text;
    w->start = i;
    if (end + 1 < n) {
        w->text_len = end - text;
        w->end = end + 2;
        w->unterminated = false;
    } else {
        w->text_len = n - text;
        w->end = n;
        w->unterminated = true;
    }
    return true;
}

/* State of one decode: the output and the pending bytes of adjacent
 * encoded words in one charset. */
typedef struct decoder {
    ms_arena *a;
    ms_message *m;
    const char *path;
    ms_buf out;
    ms_buf pending;
    char pending_charset[MAX_CHARSET];
    const char *fallback; /* charset of raw 8-bit bytes that are not UTF-8 */
    ms_status rc;
} decoder;

/* Converts the pending encoded-word bytes and appends them. */
static void flush_pending(decoder *d)
{
    if (d->pending.n == 0 || d->rc != MS_OK)
        return;
    const char *text = NULL;
    size_t len = 0;
    d->rc = ms_charset_to_utf8(d->a, d->m, d->path, d->pending_charset,
                               d->pending.p, d->pending.n, &text, &len);
    if (d->rc == MS_OK)
        d->rc = ms_buf_append(&d->out, text, len);
    ms_buf_clear(&d->pending);
}

/* Appends raw (not encoded) text: UTF-8 as it is, other 8-bit bytes read
 * as windows-1252, NUL bytes dropped. */
static void append_raw(decoder *d, const char *p, size_t n)
{
    if (n == 0 || d->rc != MS_OK)
        return;
    bool eight_bit = false, nul = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        eight_bit |= c >= 0x80;
        nul |= c == 0;
    }
    if (nul) {
        ms_message_add_defect(d->m, "NulInHeaderDefect", d->path,
                              "NUL bytes dropped from a header");
        for (size_t i = 0; i < n && d->rc == MS_OK; i++) {
            if (p[i] != '\0')
                append_raw(d, p + i, 1);
        }
        return;
    }
    if (!eight_bit || ms_utf8_valid(p, n)) {
        d->rc = ms_buf_append(&d->out, p, n);
        return;
    }
    ms_message_add_defect(d->m, "NonUtf8HeaderDefect", d->path,
                          "8-bit header bytes read as %s", d->fallback);
    const char *text = NULL;
    size_t len = 0;
    d->rc =
        ms_charset_to_utf8(d->a, NULL, d->path, d->fallback, p, n, &text, &len);
    if (d->rc == MS_OK)
        d->rc = ms_buf_append(&d->out, text, len);
}

/* Decodes one encoded word's bytes into the pending buffer, flushing it
 * first when the charset changes. */
static void add_word(decoder *d, const encoded_word *w)
{
    if (strcmp(d->pending_charset, w->charset) != 0)
        flush_pending(d);
    memcpy(d->pending_charset, w->charset, sizeof(d->pending_charset));
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (w->encoding == 'b')
        d->rc = ms_base64_decode(d->a, d->m, d->path, w->text, w->text_len,
                                 &bytes, &len);
    else
        d->rc = ms_qp_decode(d->a, d->m, d->path, w->text, w->text_len, true,
                             &bytes, &len);
    if (d->rc == MS_OK)
        d->rc = ms_buf_append(&d->pending, bytes, len);
}

/* True when the bytes need more than a copy: encoded words, line ends,
 * 8-bit bytes or NULs. Sixteen bytes at a time with SSE2: every header of
 * every mail goes through here. A '=' (common in signatures and URLs)
 * counts only when a '?' follows it. */
static bool needs_decoding(const char *p, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'),
                  eq = _mm_set1_epi8('='), question = _mm_set1_epi8('?'),
                  zero = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i hard = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)),
            _mm_or_si128(_mm_cmpeq_epi8(v, zero), v));
        /* the sign bit of each byte is set for 8-bit bytes */
        if (_mm_movemask_epi8(hard) != 0)
            return true;
        unsigned eqs = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, eq));
        if (eqs == 0)
            continue;
        unsigned questions =
            (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, question));
        if (i + 16 < n && p[i + 16] == '?')
            questions |= 1u << 16;
        if (eqs & (questions >> 1))
            return true;
    }
    if (i < n && n >= 16) {
        /* the last bytes as one block overlapping the bytes already read,
         * which are read again to no effect */
        __m128i v = _mm_loadu_si128((const __m128i *)(p + n - 16));
        __m128i hard = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)),
            _mm_or_si128(_mm_cmpeq_epi8(v, zero), v));
        unsigned eqs = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, eq));
        unsigned questions =
            (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, question));
        return _mm_movemask_epi8(hard) != 0 || (eqs & (questions >> 1)) != 0;
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80 || c == '\r' || c == '\n' || c == '\0' ||
            (c == '=' && i + 1 < n && p[i + 1] == '?'))
            return true;
    }
    return false;
}

/* Unfolds and decodes a header value; see rfc2047.h. */
ms_status ms_rfc2047_decode(ms_arena *a, ms_message *m, const char *path,
                            const char *in, size_t n, const char **out,
                            size_t *out_len)
{
    return ms_rfc2047_decode_fallback(a, m, path, in, n, NULL, out, out_len);
}

/* Like ms_rfc2047_decode, reading raw 8-bit bytes that are not UTF-8 in
 * the fallback charset (NULL: windows-1252). */
ms_status ms_rfc2047_decode_fallback(ms_arena *a, ms_message *m,
                                     const char *path, const char *in, size_t n,
                                     const char *fallback, const char **out,
                                     size_t *out_len)
{
    ms_slice s = ms_slice_trim((ms_slice){in, n});
    if (!needs_decoding(s.p, s.n)) {
        char *z = ms_arena_strndup(a, s.p, s.n);
        if (z == NULL)
            return MS_ENOMEM;
        *out = z;
        *out_len = s.n;
        return MS_OK;
    }
    const char *text = NULL;
    size_t len = 0;
    ms_status rc = ms_header_unfold(a, s.p, s.n, &text, &len);
    if (rc != MS_OK)
        return rc;
    /* folded but otherwise plain (most Received headers): unfolding was
     * all the work */
    if (!needs_decoding(text, len)) {
        *out = text;
        *out_len = len;
        return MS_OK;
    }
    decoder d = {.a = a,
                 .m = m,
                 .path = path,
                 .fallback = fallback ? fallback : "windows-1252",
                 .rc = MS_OK};
    ms_buf_init(&d.out, 0);
    ms_buf_init(&d.pending, 0);
    size_t i = 0, raw_start = 0;
    bool last_was_word = false, glued = false, unterminated = false,
         spaced = false;
    while (i < len && d.rc == MS_OK) {
        const char *hit = memchr(text + i, '=', len - i);
        if (hit == NULL)
            break;
        size_t at = (size_t)(hit - text);
        encoded_word w;
        if (at + 1 >= len || text[at + 1] != '?' ||
            !read_encoded_word(text, len, at, &w)) {
            i = at + 1;
            continue;
        }
        /* the text between the previous word and this one */
        bool only_space = true;
        for (size_t k = raw_start; k < at && only_space; k++)
            only_space = text[k] == ' ' || text[k] == '\t';
        if (!(last_was_word && only_space)) {
            flush_pending(&d);
            append_raw(&d, text + raw_start, at - raw_start);
            if (at > 0 && !ms_ascii_is_space(text[at - 1]) &&
                text[at - 1] != '"' && text[at - 1] != '(')
                glued = true;
        }
        add_word(&d, &w);
        unterminated |= w.unterminated;
        spaced |= memchr(w.text, ' ', w.text_len) != NULL ||
                  memchr(w.text, '\t', w.text_len) != NULL;
        if (w.end < len && !ms_ascii_is_space(text[w.end]) &&
            text[w.end] != '"' && text[w.end] != ')' && text[w.end] != '=')
            glued = true;
        last_was_word = true;
        raw_start = w.end;
        i = w.end;
    }
    flush_pending(&d);
    append_raw(&d, text + raw_start, len - raw_start);
    if (glued)
        ms_message_add_defect(m, "InvalidEncodedWordDefect", path,
                              "encoded word not separated by white space");
    if (unterminated)
        ms_message_add_defect(m, "InvalidEncodedWordDefect", path,
                              "encoded word without its final ?=");
    if (spaced)
        ms_message_add_defect(m, "InvalidEncodedWordDefect", path,
                              "white space inside an encoded word");
    rc = d.rc;
    if (rc == MS_OK) {
        char *z = ms_arena_strndup(a, d.out.p ? d.out.p : "", d.out.n);
        if (z == NULL) {
            rc = MS_ENOMEM;
        } else {
            *out = z;
            *out_len = d.out.n;
        }
    }
    ms_buf_free(&d.out);
    ms_buf_free(&d.pending);
    return rc;
}
