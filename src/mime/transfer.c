/* SPDX-License-Identifier: MIT */
/*
 * The Content-Transfer-Encoding decoders. Written by hand because they
 * are on the hot path of every mail and because their tolerance is the
 * point: general-purpose decoders (OpenSSL's EVP_Decode*, for one) stop
 * at the first bad byte, while mail clients decode around garbage, and a
 * scanner that stops early misses what the user will see. Each decoder
 * keeps every byte it can decode and records what it skipped.
 */
#include <assert.h>
#include <string.h>

#include "mime/transfer.h"
#include "util/ascii.h"
#include "util/vec.h"

/* Classes of bytes in base64 text beyond the 64 alphabet values. */
#define B64_SPACE 64 /* white space: skipped silently */
#define B64_PAD   65 /* '=' */
#define B64_BAD   66 /* anything else: skipped with a defect */

/* Maps each byte to its 6-bit value or its class. */
/* clang-format off */
static const unsigned char b64_table[256] = {
#define X B64_BAD
    X, X, X, X, X, X, X, X, X, 64, 64, 64, 64, 64, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    64, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, 65, X, X,
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
#undef X
};
/* clang-format on */

/*
 * Decodes base64. White space is skipped; other bytes outside the
 * alphabet are skipped and noted once. Padding ends a group and decoding
 * goes on after it: mailers that concatenate separately encoded chunks
 * leave "==" in the middle, and clients decode the whole. Padding that
 * does not fit the group ("QQ=" or a stray "="), data after the padding,
 * and a group cut short at the end are noted; a single character left
 * over (six bits, not a byte) is dropped and noted.
 */
ms_status ms_base64_decode(ms_arena *a, ms_message *m, const char *path,
                           const char *in, size_t n, unsigned char **out,
                           size_t *out_len)
{
    unsigned char *dst = ms_arena_alloc(a, n / 4 * 3 + 4);
    if (dst == NULL)
        return MS_ENOMEM;
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, i = 0;
    unsigned quad = 0;
    int have = 0;      /* characters of the current group */
    int pads_owed = 0; /* '=' still due after a short group */
    bool after_pad = false, bad_chars = false, bad_padding = false,
         dangling = false;
    while (i < n) {
        /* fast path: four alphabet characters at a group boundary */
        if (have == 0 && !after_pad && i + 4 <= n) {
            unsigned c0 = b64_table[s[i]], c1 = b64_table[s[i + 1]],
                     c2 = b64_table[s[i + 2]], c3 = b64_table[s[i + 3]];
            if ((c0 | c1 | c2 | c3) < 64) {
                unsigned v = c0 << 18 | c1 << 12 | c2 << 6 | c3;
                dst[o] = (unsigned char)(v >> 16);
                dst[o + 1] = (unsigned char)(v >> 8);
                dst[o + 2] = (unsigned char)v;
                o += 3;
                i += 4;
                continue;
            }
        }
        unsigned c = b64_table[s[i++]];
        if (c < 64) {
            if (after_pad) {
                /* data after "==": a concatenated chunk, or a short one */
                bad_padding = true;
                after_pad = false;
                pads_owed = 0;
            }
            quad = quad << 6 | c;
            if (++have == 4) {
                dst[o++] = (unsigned char)(quad >> 16);
                dst[o++] = (unsigned char)(quad >> 8);
                dst[o++] = (unsigned char)quad;
                quad = 0;
                have = 0;
            }
        } else if (c == B64_PAD) {
            if (have == 2) {
                dst[o++] = (unsigned char)(quad >> 4);
                pads_owed = 1;
            } else if (have == 3) {
                dst[o++] = (unsigned char)(quad >> 10);
                dst[o++] = (unsigned char)(quad >> 2);
                pads_owed = 0;
            } else if (have == 1) {
                dangling = true;
            } else if (pads_owed > 0) {
                pads_owed--;
            } else {
                bad_padding = true; /* '=' where no group needs one */
            }
            quad = 0;
            have = 0;
            after_pad = true;
        } else if (c == B64_BAD) {
            bad_chars = true;
        }
    }
    if (have == 1) {
        dangling = true;
    } else if (have == 2) {
        dst[o++] = (unsigned char)(quad >> 4);
        bad_padding = true;
    } else if (have == 3) {
        dst[o++] = (unsigned char)(quad >> 10);
        dst[o++] = (unsigned char)(quad >> 2);
        bad_padding = true;
    }
    if (pads_owed > 0)
        bad_padding = true;
    if (bad_chars)
        ms_message_add_defect(m, "InvalidBase64CharactersDefect", path,
                              "characters outside the alphabet skipped");
    if (bad_padding)
        ms_message_add_defect(m, "InvalidBase64PaddingDefect", path,
                              "missing or misplaced padding");
    if (dangling)
        ms_message_add_defect(m, "InvalidBase64LengthDefect", path,
                              "one character left over");
    dst[o] = '\0';
    *out = dst;
    *out_len = o;
    return MS_OK;
}

/*
 * Decodes quoted-printable. Runs without '=' are copied whole (memchr
 * finds the next one). "=XX" is accepted in either case: RFC 2045 asks
 * for upper case, but lower-case mailers exist and every client decodes
 * them. A soft line break may carry trailing white space before its line
 * end (added by gateways that pad lines). Any other '=' is kept as it is
 * and noted: clients show it, and so must a scanner.
 */
ms_status ms_qp_decode(ms_arena *a, ms_message *m, const char *path,
                       const char *in, size_t n, bool header_mode,
                       unsigned char **out, size_t *out_len)
{
    unsigned char *dst = ms_arena_alloc(a, n + 1);
    if (dst == NULL)
        return MS_ENOMEM;
    size_t o = 0, i = 0;
    bool bad = false;
    while (i < n) {
        const char *eq = memchr(in + i, '=', n - i);
        size_t run_end = eq ? (size_t)(eq - in) : n;
        if (header_mode) {
            for (size_t k = i; k < run_end; k++)
                dst[o++] = in[k] == '_' ? ' ' : (unsigned char)in[k];
        } else {
            memcpy(dst + o, in + i, run_end - i);
            o += run_end - i;
        }
        i = run_end;
        if (i >= n)
            break;
        /* at '=' */
        if (i + 2 < n) {
            int hi = ms_ascii_hex_value(in[i + 1]);
            int lo = ms_ascii_hex_value(in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                dst[o++] = (unsigned char)(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        /* a soft line break: '=', optional trailing white space, EOL */
        size_t k = i + 1;
        while (k < n && (in[k] == ' ' || in[k] == '\t'))
            k++;
        if (k < n && in[k] == '\r')
            k++;
        if (!header_mode && k < n && in[k] == '\n') {
            i = k + 1;
            continue;
        }
        if (k >= n && !header_mode) {
            /* '=' at the very end of a body: a soft break whose line end
             * was lost; nothing to keep */
            i = n;
            continue;
        }
        bad = true;
        dst[o++] = '=';
        i++;
    }
    if (bad)
        ms_message_add_defect(m, "InvalidQuotedPrintableDefect", path,
                              "'=' not followed by two hex digits");
    dst[o] = '\0';
    *out = dst;
    *out_len = o;
    return MS_OK;
}

/* Returns the end of the line at i (index of '\n' or n). */
static size_t uu_line_end(const char *p, size_t n, size_t i)
{
    const char *nl = memchr(p + i, '\n', n - i);
    return nl ? (size_t)(nl - p) : n;
}

/* Returns the end of the line content at i: its '\n' or n, less a CR. */
static size_t uu_content_end(const char *p, size_t n, size_t i, size_t *next)
{
    size_t e = uu_line_end(p, n, i);
    *next = e < n ? e + 1 : n;
    return e > i && p[e - 1] == '\r' ? e - 1 : e;
}

/* True when [i, e) is a "begin MODE NAME" line; sets the name slice. The
 * mode must be three or four octal digits, so that prose that happens to
 * start with "begin " is not taken for a block. */
static bool uu_begin_line(const char *p, size_t i, size_t e, ms_slice *name)
{
    if (e - i < 10 || memcmp(p + i, "begin ", 6) != 0)
        return false;
    size_t k = i + 6;
    size_t digits = 0;
    while (k < e && p[k] >= '0' && p[k] <= '7') {
        k++;
        digits++;
    }
    if (digits < 3 || digits > 4 || k >= e || p[k] != ' ')
        return false;
    ms_slice s = ms_slice_trim((ms_slice){p + k + 1, e - k - 1});
    *name = s;
    return s.n > 0;
}

/* What one line inside a uuencoded block is. */
typedef enum uu_line_kind {
    UU_BLANK, /* empty: some mailers add them, skipped */
    UU_END,   /* "end": the block is over */
    UU_DATA,  /* a length character and encoded characters */
    UU_TEXT   /* anything else: prose, a signature, garbage */
} uu_line_kind;

/* Classifies the line [i, e). A data line uses only the characters
 * 0x20-0x60 and holds at most the characters its length calls for plus
 * two (some encoders append a checksum character); prose fails this at
 * its first lower-case letter. */
static uu_line_kind uu_classify(const char *p, size_t i, size_t e)
{
    if (e == i)
        return UU_BLANK;
    if (e - i >= 3 && memcmp(p + i, "end", 3) == 0 &&
        (e - i == 3 || ms_ascii_is_space(p[i + 3])))
        return UU_END;
    for (size_t k = i; k < e; k++) {
        if (p[k] < 0x20 || p[k] > 0x60)
            return UU_TEXT;
    }
    size_t len = (size_t)((p[i] - 0x20) & 63);
    size_t chars = e - i - 1;
    if (chars > (len + 2) / 3 * 4 + 2)
        return UU_TEXT;
    return UU_DATA;
}

/*
 * Decodes one data line [i, e) into dst (NULL: only count). Encoders
 * that write a space for zero bits lose trailing spaces to mailers, so a
 * group cut short is completed with zeros; whole groups missing make the
 * line short, which is noted through *bad. Writes at most three bytes per
 * four characters present, so the output never outgrows the input.
 */
static size_t uu_decode_line(const char *p, size_t i, size_t e,
                             unsigned char *dst, bool *bad)
{
    size_t len = (size_t)((p[i] - 0x20) & 63);
    size_t k = i + 1, got = 0;
    while (got < len && k < e) {
        unsigned char c[4] = {0, 0, 0, 0};
        for (int j = 0; j < 4 && k < e; j++, k++)
            c[j] = (unsigned char)((p[k] - 0x20) & 63);
        unsigned char b[3] = {(unsigned char)(c[0] << 2 | c[1] >> 4),
                              (unsigned char)(c[1] << 4 | c[2] >> 2),
                              (unsigned char)(c[2] << 6 | c[3])};
        for (int j = 0; j < 3 && got < len; j++, got++) {
            if (dst)
                dst[got] = b[j];
        }
    }
    if (got < len)
        *bad = true;
    return got;
}

/*
 * Decodes the lines of a uuencoded block from i until its "end" line into
 * dst (NULL: only count the bytes into *o). Returns the offset after the
 * block. A text line ends the block when stop_at_text (a block inside a
 * text body whose "end" was lost: the prose after it is not data);
 * otherwise it is skipped. Malformed lines and a missing "end" set *bad.
 */
static size_t uu_decode_lines(const char *p, size_t n, size_t i,
                              bool stop_at_text, unsigned char *dst, size_t *o,
                              bool *bad)
{
    *o = 0;
    while (i < n) {
        size_t next;
        size_t e = uu_content_end(p, n, i, &next);
        switch (uu_classify(p, i, e)) {
        case UU_END:
            return next;
        case UU_DATA:
            *o += uu_decode_line(p, i, e, dst ? dst + *o : NULL, bad);
            break;
        case UU_TEXT:
            *bad = true;
            if (stop_at_text)
                return i;
            break;
        case UU_BLANK:
            break;
        }
        i = next;
    }
    *bad = true; /* no "end" line */
    return n;
}

/* Decodes the block starting at body into exact-size arena memory: one
 * pass to size it, one to fill it. Sets *data, *len, *end and *bad. */
static ms_status uu_decode_block(ms_arena *a, const char *p, size_t n,
                                 size_t body, bool stop_at_text,
                                 unsigned char **data, size_t *len, size_t *end,
                                 bool *bad)
{
    size_t size = 0;
    bool counted_bad = false;
    *end = uu_decode_lines(p, n, body, stop_at_text, NULL, &size, &counted_bad);
    unsigned char *dst = ms_arena_alloc(a, size + 1);
    if (dst == NULL)
        return MS_ENOMEM;
    uu_decode_lines(p, n, body, stop_at_text, dst, len, bad);
    assert(*len == size);
    dst[*len] = '\0';
    *data = dst;
    return MS_OK;
}

/* Decodes a uuencoded body; see transfer.h. Lines before the begin line
 * (a note from the sender, a mailer banner) are skipped. */
ms_status ms_uu_decode(ms_arena *a, ms_message *m, const char *path,
                       const char *in, size_t n, unsigned char **out,
                       size_t *out_len, const char **filename)
{
    size_t body = 0;
    ms_slice name = MS_SLICE_EMPTY;
    for (size_t k = 0; k < n;) {
        size_t next;
        size_t e = uu_content_end(in, n, k, &next);
        if (uu_begin_line(in, k, e, &name)) {
            body = next;
            break;
        }
        k = next;
    }
    bool bad = false;
    size_t end = 0;
    ms_status rc =
        uu_decode_block(a, in, n, body, false, out, out_len, &end, &bad);
    if (rc != MS_OK)
        return rc;
    if (bad)
        ms_message_add_defect(m, "InvalidUuencodeDefect", path,
                              "malformed or unterminated uuencoded data");
    if (filename) {
        *filename = name.n ? ms_arena_strndup(a, name.p, name.n) : NULL;
        if (name.n && *filename == NULL)
            return MS_ENOMEM;
    }
    return MS_OK;
}

/* Returns the offset of the next line at or after from that starts with
 * "begin ", or n. memmem skips the text between candidates, so a body
 * without one costs a single scan. */
static size_t uu_next_begin(const char *p, size_t n, size_t from)
{
    while (from < n) {
        const char *hit = memmem(p + from, n - from, "begin ", 6);
        if (hit == NULL)
            return n;
        size_t at = (size_t)(hit - p);
        if (at == 0 || p[at - 1] == '\n')
            return at;
        from = at + 1;
    }
    return n;
}

/* Finds and decodes the uuencoded blocks of a text; see transfer.h. */
ms_status ms_uu_find_blocks(ms_arena *a, ms_message *m, const char *path,
                            const char *text, size_t n, size_t max_blocks,
                            ms_uu_block **blocks, size_t *n_blocks)
{
    *blocks = NULL;
    *n_blocks = 0;
    size_t cap = 0;
    size_t i = uu_next_begin(text, n, 0);
    while (i < n) {
        size_t next;
        size_t e = uu_content_end(text, n, i, &next);
        ms_slice name;
        if (!uu_begin_line(text, i, e, &name)) {
            i = uu_next_begin(text, n, next);
            continue;
        }
        if (*n_blocks == max_blocks) {
            ms_message_add_defect(m, "limit_uuencoded_blocks", path,
                                  "more than %zu uuencoded blocks", max_blocks);
            break;
        }
        ms_status rc = MS_VEC_GROW(a, *blocks, *n_blocks, cap, max_blocks);
        if (rc != MS_OK)
            return rc;
        ms_uu_block *b = &(*blocks)[*n_blocks];
        bool bad = false;
        rc = uu_decode_block(a, text, n, next, true, &b->data, &b->len, &b->end,
                             &bad);
        if (rc != MS_OK)
            return rc;
        b->start = i;
        b->filename = ms_arena_strndup(a, name.p, name.n);
        if (b->filename == NULL)
            return MS_ENOMEM;
        (*n_blocks)++;
        if (bad)
            ms_message_add_defect(m, "InvalidUuencodeDefect", path,
                                  "malformed uuencoded block '%.*s'",
                                  (int)(name.n < 60 ? name.n : 60), name.p);
        i = uu_next_begin(text, n, b->end);
    }
    return MS_OK;
}

/* Applies the named transfer encoding; see transfer.h. */
ms_status ms_transfer_decode(ms_arena *a, ms_message *m, const char *path,
                             const char *encoding, const char *in, size_t n,
                             size_t max_out, const unsigned char **out,
                             size_t *out_len)
{
    ms_slice enc = ms_slice_trim(ms_slice_from_cstr(encoding));
    unsigned char *dec = NULL;
    size_t dec_len = 0;
    ms_status rc = MS_OK;
    if (ms_slice_eq_cstr_ci(enc, "base64")) {
        rc = ms_base64_decode(a, m, path, in, n, &dec, &dec_len);
    } else if (ms_slice_eq_cstr_ci(enc, "quoted-printable")) {
        rc = ms_qp_decode(a, m, path, in, n, false, &dec, &dec_len);
    } else if (ms_slice_eq_cstr_ci(enc, "x-uuencode") ||
               ms_slice_eq_cstr_ci(enc, "uuencode") ||
               ms_slice_eq_cstr_ci(enc, "x-uue")) {
        rc = ms_uu_decode(a, m, path, in, n, &dec, &dec_len, NULL);
    } else {
        if (enc.n > 0 && !ms_slice_eq_cstr_ci(enc, "7bit") &&
            !ms_slice_eq_cstr_ci(enc, "8bit") &&
            !ms_slice_eq_cstr_ci(enc, "binary"))
            ms_message_add_defect(m, "UnknownTransferEncodingDefect", path,
                                  "'%.40s' read as 8bit", encoding);
        *out = (const unsigned char *)in;
        *out_len = n;
        if (max_out && n > max_out) {
            ms_message_add_defect(m, "limit_decoded_bytes", path,
                                  "cut at %zu bytes", max_out);
            *out_len = max_out;
        }
        return MS_OK;
    }
    if (rc != MS_OK)
        return rc;
    if (max_out && dec_len > max_out) {
        ms_message_add_defect(m, "limit_decoded_bytes", path,
                              "cut at %zu bytes", max_out);
        dec_len = max_out;
    }
    *out = dec;
    *out_len = dec_len;
    return MS_OK;
}
