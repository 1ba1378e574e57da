/* SPDX-License-Identifier: MIT */
/*
 * The MIME tree parser: raw bytes in, an ms_message tree out. It splits
 * header blocks from bodies, splits multipart bodies on their delimiter
 * lines (RFC 2046), descends into message/rfc822 parts, and decodes the
 * leaves. It never fails on content: everything odd becomes a defect on
 * the part where it was met, and parsing goes on with the most useful
 * reading of the bytes.
 *
 * Zero-copy: header names, raw header values and raw bodies are slices
 * into the caller's buffer; only decoded data is written to the arena.
 *
 * Recovery. Attackers shape MIME so that one parser (the scanner's) sees
 * something else than another (the mail client's). The classic tricks and
 * what we do about them:
 *  - a nested multipart reusing its parent's boundary, so that the parent's
 *    close delimiter comes early and real parts end up in the epilogue
 *    (mail-parser's mail_malformed_1 hides a zip with an .exe that way):
 *    delimiter lines found after the close delimiter start new parts,
 *    flagged as recovered;
 *  - a boundary parameter that matches no delimiter line in the body: when
 *    the body has lines that look like delimiters of one other boundary,
 *    that boundary is used and the parts are flagged as recovered;
 *  - a multipart with no boundary parameter at all: the same search.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mailscope/message.h"
#include "mime/charset.h"
#include "mime/params.h"
#include "mime/parser_internal.h"
#include "mime/rfc2047.h"
#include "mime/transfer.h"
#include "util/ascii.h"
#include "util/scan.h"
#include "util/vec.h"

/* Defaults of the ceilings; see ms_parse_options in message.h. */
#define DEFAULT_MAX_MESSAGE_BYTES (64u << 20)
#define DEFAULT_MAX_HEADER_BYTES  (1u << 20)
#define DEFAULT_MAX_HEADERS       2000
#define DEFAULT_MAX_PARTS         1000
#define DEFAULT_MAX_DEPTH         32
#define DEFAULT_MAX_DECODED_BYTES (256u << 20)
#define DEFAULT_MAX_DEFECTS       500
/* uuencoded blocks taken out of one text part */
#define MAX_UU_BLOCKS 16
/* longest MIME path we build ("1.2.3..."); deeper parts are cut by depth */
#define MAX_PATH_LEN 256

/* Fills opt with the default ceilings. */
void ms_parse_options_default(ms_parse_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->max_message_bytes = DEFAULT_MAX_MESSAGE_BYTES;
    opt->max_header_bytes = DEFAULT_MAX_HEADER_BYTES;
    opt->max_headers = DEFAULT_MAX_HEADERS;
    opt->max_parts = DEFAULT_MAX_PARTS;
    opt->max_depth = DEFAULT_MAX_DEPTH;
    opt->max_decoded_bytes = DEFAULT_MAX_DECODED_BYTES;
    opt->max_defects = DEFAULT_MAX_DEFECTS;
    opt->trust = NULL;
}

/* Returns the end of the line that starts at i (the index of its '\n', or
 * n when the data ends without one). */
static size_t line_end(const char *p, size_t n, size_t i)
{
    const char *nl = memchr(p + i, '\n', n - i);
    return nl ? (size_t)(nl - p) : n;
}

/* True when the line [i, e) is empty (nothing, or only a CR). */
static bool line_is_empty(const char *p, size_t i, size_t e)
{
    return e == i || (e == i + 1 && p[i] == '\r');
}

/* True for a byte allowed in a header field name (RFC 5322 ftext). */
static bool is_field_name_char(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 33 && u <= 126 && u != ':';
}

/* True when every byte of p[0..n) is allowed in a header field name.
 * Eight bytes at a time: a byte below 33 borrows into its high bit when
 * 33 is taken from it, one from 127 up carries into it (or has it) when 1
 * is added, and a ':' is a zero byte once XORed with ':'. These tests can
 * flag a good byte above a bad one, never a word of good bytes alone, so
 * "all good" is exact. */
static bool is_field_name(const char *p, size_t n)
{
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t x;
        memcpy(&x, p + k, 8);
        uint64_t colon = x ^ MS_BYTES8(':');
        uint64_t low = (x - MS_BYTES8(33)) & ~x;
        uint64_t high = (x + MS_BYTES8(1)) | x;
        uint64_t colons = (colon - MS_BYTES8(1)) & ~colon;
        if ((low | high | colons) & MS_BYTES8(0x80))
            return false;
    }
    for (; k < n; k++) {
        if (!is_field_name_char(p[k]))
            return false;
    }
    return true;
}

/* Appends one header to the part. Returns MS_ELIMIT past the ceiling. */
static ms_status add_header(parse_ctx *ctx, ms_part *part, size_t *cap,
                            ms_slice name, ms_slice raw)
{
    ms_status rc = MS_VEC_GROW(ctx->arena, part->headers, part->n_headers, *cap,
                               ctx->opt.max_headers);
    if (rc != MS_OK)
        return rc;
    ms_header *h = &part->headers[part->n_headers++];
    h->name = name;
    h->raw = raw;
    h->value = NULL;
    h->value_len = 0;
    return MS_OK;
}

/*
 * Splits the header block at the start of data from the body. Fills
 * part->headers and part->raw_headers and returns the offset where the
 * body starts. The rules follow RFC 5322 with the tolerance of Python's
 * email feed parser: a continuation line before any field is dropped, a
 * stray "From " envelope line is dropped, and a line that is neither a
 * field nor a continuation ends the headers and starts the body.
 */
static size_t parse_header_block(parse_ctx *ctx, ms_part *part, const char *p,
                                 size_t n)
{
    size_t cap = 0;
    size_t i = 0;
    size_t body = n;
    ms_header *cur = NULL;
    bool limited = false;
    while (i < n) {
        size_t e = line_end(p, n, i);
        size_t next = e < n ? e + 1 : n;
        size_t content_end = (e > i && p[e - 1] == '\r') ? e - 1 : e;
        if (line_is_empty(p, i, e)) {
            body = next;
            part->raw_headers = (ms_slice){p, i};
            return body;
        }
        if (i > ctx->opt.max_header_bytes) {
            ms_message_add_defect(ctx->msg, "limit_header_bytes", part->path,
                                  "header block longer than %zu bytes",
                                  ctx->opt.max_header_bytes);
            limited = true;
            body = i;
            break;
        }
        if (p[i] == ' ' || p[i] == '\t') {
            if (cur == NULL) {
                ms_message_add_defect(ctx->msg,
                                      "FirstHeaderLineIsContinuationDefect",
                                      part->path, "%s", "");
            } else {
                cur->raw.n = (size_t)(p + content_end - cur->raw.p);
            }
            i = next;
            continue;
        }
        const char *colon = memchr(p + i, ':', content_end - i);
        size_t name_end = colon ? (size_t)(colon - p) : i;
        while (name_end > i &&
               (p[name_end - 1] == ' ' || p[name_end - 1] == '\t'))
            name_end--;
        bool valid =
            colon != NULL && name_end > i && is_field_name(p + i, name_end - i);
        if (!valid) {
            if (content_end - i >= 5 && memcmp(p + i, "From ", 5) == 0) {
                ms_message_add_defect(
                    ctx->msg, "MisplacedEnvelopeHeaderDefect", part->path,
                    "%.*s", (int)(content_end - i < 60 ? content_end - i : 60),
                    p + i);
                i = next;
                continue;
            }
            ms_message_add_defect(ctx->msg, "MissingHeaderBodySeparatorDefect",
                                  part->path, "%s", "");
            body = i;
            break;
        }
        ms_slice name = {p + i, name_end - i};
        ms_slice raw = {colon + 1, (size_t)(p + content_end - (colon + 1))};
        ms_status rc = add_header(ctx, part, &cap, name, raw);
        if (rc == MS_ELIMIT) {
            ms_message_add_defect(ctx->msg, "limit_headers", part->path,
                                  "more than %zu header fields",
                                  ctx->opt.max_headers);
            limited = true;
            cur = NULL;
        } else if (rc != MS_OK) {
            ctx->rc = rc;
            body = n;
            break;
        } else {
            cur = &part->headers[part->n_headers - 1];
        }
        i = next;
    }
    (void)limited;
    part->raw_headers = (ms_slice){p, body};
    return body;
}

/* Returns the first header of the part called name (any case), or NULL. */
const ms_header *ms_part_header(const ms_part *p, const char *name)
{
    ms_slice want = ms_slice_from_cstr(name);
    for (size_t i = 0; i < p->n_headers; i++) {
        if (p->headers[i].name.n == want.n &&
            ms_slice_eq_ci(p->headers[i].name, want))
            return &p->headers[i];
    }
    return NULL;
}

/* Returns the first top-level header called name (any case), or NULL. */
const ms_header *ms_message_header(const ms_message *m, const char *name)
{
    return m->root ? ms_part_header(m->root, name) : NULL;
}

/* Counts the top-level headers called name. */
size_t ms_message_header_count(const ms_message *m, const char *name)
{
    ms_slice want = ms_slice_from_cstr(name);
    size_t count = 0;
    for (size_t i = 0; m->root && i < m->root->n_headers; i++)
        count += ms_slice_eq_ci(m->root->headers[i].name, want);
    return count;
}

/* Decodes every header value of the part (unfold, RFC 2047, charset) and
 * notes raw 8-bit bytes in the block once. */
static void decode_header_values(parse_ctx *ctx, ms_part *part)
{
    bool eight_bit = false;
    for (size_t i = 0; i < part->n_headers && ctx->rc == MS_OK; i++) {
        ms_header *h = &part->headers[i];
        if (!eight_bit)
            eight_bit = ms_scan_8bit(h->raw.p, h->raw.n) < h->raw.n;
        const char *out = NULL;
        size_t out_len = 0;
        ms_status rc = ms_rfc2047_decode(ctx->arena, ctx->msg, part->path,
                                         h->raw.p, h->raw.n, &out, &out_len);
        if (rc != MS_OK) {
            ctx->rc = rc;
            return;
        }
        h->value = out;
        h->value_len = out_len;
    }
    if (eight_bit)
        ms_message_add_defect(ctx->msg, "EightBitHeaderDefect", part->path,
                              "raw 8-bit bytes in the header block");
}

/* Returns an arena copy of the value without surrounding angle brackets
 * and white space, or NULL when empty. */
static const char *strip_angles(parse_ctx *ctx, const char *z, size_t n)
{
    ms_slice s = ms_slice_trim((ms_slice){z, n});
    if (s.n >= 2 && s.p[0] == '<' && s.p[s.n - 1] == '>') {
        s.p++;
        s.n -= 2;
    } else if (s.n >= 1 && s.p[0] == '<') {
        s.p++;
        s.n--;
    }
    s = ms_slice_trim(s);
    if (s.n == 0)
        return NULL;
    return ms_arena_strndup(ctx->arena, s.p, s.n);
}

/* Returns an arena lower-case, trimmed copy of n bytes, or NULL if empty. */
static const char *lower_copy(parse_ctx *ctx, const char *z, size_t n)
{
    ms_slice s = ms_slice_trim((ms_slice){z, n});
    if (s.n == 0)
        return NULL;
    char *out = ms_arena_alloc(ctx->arena, s.n + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < s.n; i++)
        out[i] = ms_ascii_lower(s.p[i]);
    out[s.n] = '\0';
    return out;
}

/* True when a lower-case content type has the given major type. */
static bool type_is(const char *type, const char *major)
{
    size_t n = strlen(major);
    return strncmp(type, major, n) == 0 && type[n] == '/';
}

/*
 * Reads the Content-* headers of the part into its fields: content type
 * (with the default of the context: text/plain, or message/rfc822 inside
 * a multipart/digest), charset, boundary, file name, disposition, content
 * id and transfer encoding.
 */
static void read_content_headers(parse_ctx *ctx, ms_part *part,
                                 const char *default_type)
{
    part->content_type = default_type;
    part->transfer_encoding = "7bit";
    /* one pass finds the four Content-* fields (the first of each) */
    const ms_header *ct = NULL, *cd = NULL, *cid = NULL, *cte = NULL;
    for (size_t i = 0; i < part->n_headers; i++) {
        const ms_header *h = &part->headers[i];
        if (h->name.n < 10 || ms_ascii_lower(h->name.p[0]) != 'c' ||
            !ms_slice_starts_with_ci(h->name, "content-"))
            continue;
        ms_slice rest = {h->name.p + 8, h->name.n - 8};
        if (ct == NULL && ms_slice_eq_cstr_ci(rest, "type"))
            ct = h;
        else if (cd == NULL && ms_slice_eq_cstr_ci(rest, "disposition"))
            cd = h;
        else if (cid == NULL && ms_slice_eq_cstr_ci(rest, "id"))
            cid = h;
        else if (cte == NULL && ms_slice_eq_cstr_ci(rest, "transfer-encoding"))
            cte = h;
    }
    const char *name_param = NULL;
    if (ct) {
        ms_content_value cv;
        if (ms_params_parse(ctx->arena, ctx->msg, part->path, ct->raw.p,
                            ct->raw.n, &cv) == MS_OK) {
            const char *slash = strchr(cv.value, '/');
            if (slash && slash != cv.value && slash[1] != '\0') {
                part->content_type = cv.value;
            } else {
                ms_message_add_defect(ctx->msg, "InvalidContentTypeDefect",
                                      part->path, "'%.60s'", cv.value);
                /* RFC 2045 5.2: an invalid type is read as text/plain */
                part->content_type = "text/plain";
            }
            const char *charset = ms_params_get(&cv, "charset");
            if (charset)
                part->charset = lower_copy(ctx, charset, strlen(charset));
            part->boundary = ms_params_get(&cv, "boundary");
            name_param = ms_params_get(&cv, "name");
        }
    }
    if (cd) {
        ms_content_value cv;
        if (ms_params_parse(ctx->arena, ctx->msg, part->path, cd->raw.p,
                            cd->raw.n, &cv) == MS_OK) {
            if (cv.value[0] != '\0')
                part->disposition = cv.value;
            part->filename = ms_params_get(&cv, "filename");
        }
    }
    if (part->filename == NULL || part->filename[0] == '\0')
        part->filename = name_param;
    if (part->filename && part->filename[0] == '\0')
        part->filename = NULL;
    if (cid)
        part->content_id = strip_angles(ctx, cid->value, cid->value_len);
    if (cte) {
        const char *enc = lower_copy(ctx, cte->value, cte->value_len);
        if (enc)
            part->transfer_encoding = enc;
    }
    part->is_multipart = type_is(part->content_type, "multipart");
    part->is_message = strcmp(part->content_type, "message/rfc822") == 0 ||
                       strcmp(part->content_type, "message/global") == 0;
}

/* Builds the path of the index-th (1-based) child of parent: "1", "2" under
 * the root, "1.2" under "1"; sep is "." for MIME children and ".uu" for
 * files taken out of a text part ("1.uu1"). */
static const char *child_path(parse_ctx *ctx, const ms_part *parent,
                              size_t index, const char *sep)
{
    char tmp[MAX_PATH_LEN + 32];
    int k;
    if (parent->depth == 0 && strcmp(sep, ".") == 0)
        k = snprintf(tmp, sizeof(tmp), "%zu", index);
    else
        k = snprintf(tmp, sizeof(tmp), "%.*s%s%zu", MAX_PATH_LEN, parent->path,
                     sep, index);
    if (k < 0)
        k = 0;
    if ((size_t)k >= sizeof(tmp))
        k = sizeof(tmp) - 1;
    return ms_arena_strndup(ctx->arena, tmp, (size_t)k);
}

/* Allocates a new part as the last child of parent. Returns NULL when the
 * part ceiling is reached (with a defect) or the arena refuses. */
static ms_part *new_child(parse_ctx *ctx, ms_part *parent, const char *sep)
{
    if (ctx->msg->n_parts >= ctx->opt.max_parts) {
        if (!ctx->parts_limited)
            ms_message_add_defect(ctx->msg, "limit_parts", parent->path,
                                  "more than %zu MIME parts",
                                  ctx->opt.max_parts);
        ctx->parts_limited = true;
        return NULL;
    }
    ms_part *child = ms_arena_calloc(ctx->arena, 1, sizeof(*child));
    if (child == NULL) {
        ctx->rc = MS_ENOMEM;
        return NULL;
    }
    child->parent = parent;
    child->depth = parent->depth + 1;
    child->path = child_path(ctx, parent, parent->n_children + 1, sep);
    if (child->path == NULL) {
        ctx->rc = MS_ENOMEM;
        return NULL;
    }
    if (parent->first_child == NULL) {
        parent->first_child = child;
    } else {
        ms_part *last = parent->first_child;
        while (last->next)
            last = last->next;
        last->next = child;
    }
    parent->n_children++;
    ms_status rc = MS_VEC_GROW(ctx->arena, ctx->msg->parts, ctx->msg->n_parts,
                               ctx->cap_parts, 0);
    if (rc != MS_OK) {
        ctx->rc = rc;
        return NULL;
    }
    ctx->msg->parts[ctx->msg->n_parts++] = child;
    return child;
}

/*
 * A delimiter line found in a multipart body: [line, after) covers the
 * line from its first '-' to the start of the next line; crlf_before is
 * where the line end that precedes it starts (the body of the part before
 * ends there, RFC 2046 5.1.1).
 */
typedef struct delimiter {
    size_t crlf_before;
    size_t line;
    size_t after;
    bool close;
} delimiter;

/*
 * Finds the next delimiter line of boundary b in body[from, n). A
 * delimiter is "--" b at the start of a line, optionally "--", then only
 * spaces and tabs to the end of the line. Requiring nothing else after
 * the boundary is what keeps "--abc" from matching a nested "--abcdef"
 * (boundaries that are prefixes of others). Returns false when none.
 */
static bool find_delimiter(const char *body, size_t n, size_t from,
                           const char *b, size_t blen, delimiter *out)
{
    size_t i = from;
    while (i + 2 + blen <= n) {
        const char *hit = memmem(body + i, n - i, b, blen);
        if (hit == NULL)
            return false;
        size_t at = (size_t)(hit - body);
        i = at + 1;
        if (at < 2 || body[at - 1] != '-' || body[at - 2] != '-')
            continue;
        size_t line = at - 2;
        if (line != 0 && body[line - 1] != '\n')
            continue;
        size_t k = at + blen;
        bool close = false;
        if (k + 1 < n + 1 && k + 2 <= n && body[k] == '-' &&
            body[k + 1] == '-') {
            close = true;
            k += 2;
        }
        while (k < n && (body[k] == ' ' || body[k] == '\t'))
            k++;
        if (k < n && body[k] == '\r')
            k++;
        if (k < n && body[k] != '\n')
            continue;
        if (k < n)
            k++;
        out->line = line;
        out->after = k;
        out->close = close;
        size_t before = line;
        if (before > 0 && body[before - 1] == '\n') {
            before--;
            if (before > 0 && body[before - 1] == '\r')
                before--;
        }
        out->crlf_before = before < from ? from : before;
        return true;
    }
    return false;
}

/*
 * Looks for the boundary a broken multipart really uses: the first line
 * of the body that starts with "--" followed by a plausible boundary
 * token, accepted when the same delimiter occurs again later. Returns an
 * arena copy of the boundary or NULL.
 */
static const char *guess_boundary(parse_ctx *ctx, const char *body, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e = line_end(body, n, i);
        size_t end = e;
        while (end > i && ms_ascii_is_space(body[end - 1]))
            end--;
        if (end - i >= 3 && end - i <= 72 && body[i] == '-' &&
            body[i + 1] == '-') {
            size_t blen = end - i - 2;
            const char *b = body + i + 2;
            if (blen > 2 && b[blen - 1] == '-' && b[blen - 2] == '-')
                blen -= 2;
            delimiter d;
            if (blen > 0 &&
                find_delimiter(body, n, e < n ? e + 1 : n, b, blen, &d))
                return ms_arena_strndup(ctx->arena, b, blen);
        }
        i = e < n ? e + 1 : n;
    }
    return NULL;
}

static void parse_entity(parse_ctx *ctx, ms_part *part, const char *p, size_t n,
                         const char *default_type);

/* True when the multipart's own transfer encoding is allowed (RFC 2045
 * 6.4: only identity encodings for composite types). */
static bool identity_encoding(const char *enc)
{
    return strcmp(enc, "7bit") == 0 || strcmp(enc, "8bit") == 0 ||
           strcmp(enc, "binary") == 0;
}

/*
 * Splits the body of a multipart into its parts and parses each. Parts
 * found after the close delimiter (the epilogue) are parsed too and
 * flagged: a client that reads them would show content the scanner of a
 * strict parser never saw.
 */
static void parse_multipart(parse_ctx *ctx, ms_part *part, const char *body,
                            size_t n)
{
    if (!identity_encoding(part->transfer_encoding))
        ms_message_add_defect(ctx->msg,
                              "InvalidMultipartContentTransferEncodingDefect",
                              part->path, "%s", part->transfer_encoding);
    const char *boundary = part->boundary;
    bool recovered = false;
    if (boundary == NULL || boundary[0] == '\0') {
        ms_message_add_defect(ctx->msg, "NoBoundaryInMultipartDefect",
                              part->path, "%s", "");
        boundary = guess_boundary(ctx, body, n);
        recovered = boundary != NULL;
    }
    delimiter d;
    size_t blen = boundary ? strlen(boundary) : 0;
    if (boundary && !find_delimiter(body, n, 0, boundary, blen, &d)) {
        ms_message_add_defect(ctx->msg, "StartBoundaryNotFoundDefect",
                              part->path, "boundary '%.70s'", boundary);
        const char *guess = guess_boundary(ctx, body, n);
        boundary = NULL;
        if (guess && find_delimiter(body, n, 0, guess, strlen(guess), &d)) {
            boundary = guess;
            blen = strlen(guess);
            recovered = true;
            ms_message_add_defect(ctx->msg, "BoundaryMismatchDefect",
                                  part->path,
                                  "parts use boundary '%.70s' instead", guess);
        }
    }
    if (boundary == NULL) {
        /* nothing to split: the body stays a leaf, as Python's email
         * leaves it a string payload */
        part->is_multipart = false;
        part->raw_body = (ms_slice){body, n};
        part->body = (const unsigned char *)body;
        part->body_len = n;
        ms_message_add_defect(ctx->msg, "MultipartInvariantViolationDefect",
                              part->path, "multipart without parts");
        return;
    }
    if (part->depth + 1 > (int)ctx->opt.max_depth) {
        ms_message_add_defect(ctx->msg, "limit_depth", part->path,
                              "nesting deeper than %zu", ctx->opt.max_depth);
        part->raw_body = (ms_slice){body, n};
        return;
    }
    const char *child_type = strcmp(part->content_type, "multipart/digest") == 0
                                 ? "message/rfc822"
                                 : "text/plain";
    part->preamble = (ms_slice){body, d.crlf_before};
    bool closed = d.close;
    bool in_epilogue = false;
    size_t start = d.after;
    size_t epilogue_start = n;
    if (closed) {
        epilogue_start = d.after;
    }
    while (ctx->rc == MS_OK) {
        delimiter next;
        bool found = find_delimiter(body, n, start, boundary, blen, &next);
        if (closed) {
            /* after a close delimiter only an open delimiter matters */
            if (!found)
                break;
            if (next.close) {
                start = next.after;
                epilogue_start = next.after;
                continue;
            }
            if (!in_epilogue)
                ms_message_add_defect(ctx->msg, "PartsInEpilogueDefect",
                                      part->path,
                                      "parts after the close delimiter");
            in_epilogue = true;
            closed = false;
            start = next.after;
            epilogue_start = n;
            continue;
        }
        size_t end = found ? next.crlf_before : n;
        if (end < start)
            end = start;
        ms_part *child = new_child(ctx, part, ".");
        if (child == NULL)
            break;
        child->is_recovered = recovered || in_epilogue;
        parse_entity(ctx, child, body + start, end - start, child_type);
        if (!found) {
            ms_message_add_defect(ctx->msg, "CloseBoundaryNotFoundDefect",
                                  part->path, "boundary '%.70s'", boundary);
            break;
        }
        start = next.after;
        if (next.close) {
            closed = true;
            epilogue_start = next.after;
        }
    }
    if (epilogue_start < n)
        part->epilogue = (ms_slice){body + epilogue_start, n - epilogue_start};
    if (part->n_children == 0)
        ms_message_add_defect(ctx->msg, "MultipartInvariantViolationDefect",
                              part->path, "multipart without parts");
}

/* Decodes the transfer encoding of a leaf, within the decoded-bytes
 * budget of the whole message. */
static void decode_leaf(parse_ctx *ctx, ms_part *part, const char *body,
                        size_t n)
{
    size_t budget = ctx->opt.max_decoded_bytes > ctx->decoded_bytes
                        ? ctx->opt.max_decoded_bytes - ctx->decoded_bytes
                        : 1;
    const unsigned char *out = NULL;
    size_t out_len = 0;
    ms_status rc = ms_transfer_decode(ctx->arena, ctx->msg, part->path,
                                      part->transfer_encoding, body, n, budget,
                                      &out, &out_len);
    if (rc != MS_OK) {
        ctx->rc = rc;
        return;
    }
    part->body = out;
    part->body_len = out_len;
    ctx->decoded_bytes += out_len;
}

/* Converts a text part's decoded bytes to UTF-8 from its charset. */
static void convert_text(parse_ctx *ctx, ms_part *part)
{
    const char *out = NULL;
    size_t out_len = 0;
    ms_status rc = ms_charset_to_utf8(ctx->arena, ctx->msg, part->path,
                                      part->charset, (const char *)part->body,
                                      part->body_len, &out, &out_len);
    if (rc != MS_OK) {
        ctx->rc = rc;
        return;
    }
    part->text = out;
    part->text_len = out_len;
}

/* True when a "begin " line starts somewhere in the text: the cheap test
 * before looking for uuencoded blocks. With SSE2 only the line ends
 * followed by a 'b' are compared, sixteen bytes at a time. */
static bool may_hold_uuencode(const char *p, size_t n)
{
    static const char begin_line[] = "\nbegin ";
    if (n >= 6 && memcmp(p, begin_line + 1, 6) == 0)
        return true;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i lf = _mm_set1_epi8('\n'), b = _mm_set1_epi8('b');
    for (; i + 17 <= n; i += 16) {
        __m128i here = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i next = _mm_loadu_si128((const __m128i *)(p + i + 1));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(here, lf), _mm_cmpeq_epi8(next, b)));
        for (; m != 0; m &= m - 1) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (k + 7 <= n && memcmp(p + k, begin_line, 7) == 0)
                return true;
        }
    }
#endif
    for (; i + 7 <= n; i++) {
        if (p[i] == '\n' && memcmp(p + i, begin_line, 7) == 0)
            return true;
    }
    return false;
}

/*
 * Takes the uuencoded blocks out of a plain text part: old mailers and
 * some malware kits put files inline this way, invisible to a scanner
 * that only looks at MIME attachments. Each block becomes a child part
 * "<path>.uuN" typed application/octet-stream.
 */
static void extract_uuencoded(parse_ctx *ctx, ms_part *part)
{
    if (!may_hold_uuencode(part->text, part->text_len))
        return;
    ms_uu_block *blocks = NULL;
    size_t n_blocks = 0;
    ms_status rc =
        ms_uu_find_blocks(ctx->arena, ctx->msg, part->path, part->text,
                          part->text_len, MAX_UU_BLOCKS, &blocks, &n_blocks);
    if (rc != MS_OK) {
        ctx->rc = rc;
        return;
    }
    for (size_t i = 0; i < n_blocks; i++) {
        ms_part *child = new_child(ctx, part, ".uu");
        if (child == NULL)
            return;
        child->content_type = "application/octet-stream";
        child->transfer_encoding = "x-uuencode";
        child->filename = blocks[i].filename;
        child->raw_body = (ms_slice){part->text + blocks[i].start,
                                     blocks[i].end - blocks[i].start};
        child->body = blocks[i].data;
        child->body_len = blocks[i].len;
        child->is_attachment = true;
    }
}

/*
 * Parses one entity (a message or a body part): its headers, then its body
 * as a multipart, an embedded message or a leaf.
 */
static void parse_entity(parse_ctx *ctx, ms_part *part, const char *p, size_t n,
                         const char *default_type)
{
    size_t body_off = parse_header_block(ctx, part, p, n);
    if (ctx->rc != MS_OK)
        return;
    decode_header_values(ctx, part);
    if (ctx->rc != MS_OK)
        return;
    read_content_headers(ctx, part, default_type);
    const char *body = p + body_off;
    size_t body_n = n - body_off;
    part->raw_body = (ms_slice){body, body_n};
    if (part->is_multipart) {
        parse_multipart(ctx, part, body, body_n);
        return;
    }
    if (part->is_message) {
        if (part->depth + 1 > (int)ctx->opt.max_depth) {
            ms_message_add_defect(ctx->msg, "limit_depth", part->path,
                                  "nesting deeper than %zu",
                                  ctx->opt.max_depth);
            part->is_message = false;
        } else {
            /* a message/rfc822 body should not be encoded (RFC 2046 5.2.1)
             * but mailers do it; decode first so the inner mail is seen */
            const char *inner = body;
            size_t inner_n = body_n;
            if (!identity_encoding(part->transfer_encoding)) {
                decode_leaf(ctx, part, body, body_n);
                inner = (const char *)part->body;
                inner_n = part->body_len;
            }
            ms_part *child = new_child(ctx, part, ".");
            if (child != NULL)
                parse_entity(ctx, child, inner, inner_n, "text/plain");
            return;
        }
    }
    decode_leaf(ctx, part, body, body_n);
    if (ctx->rc != MS_OK)
        return;
    if (type_is(part->content_type, "text"))
        convert_text(ctx, part);
}

/* Applies mail-parser's attachment rule and fills the body lists:
 * a leaf is an attachment when it has a file name, a Content-ID with a
 * non-text type, or "Content-Disposition: attachment". */
static void classify_parts(parse_ctx *ctx)
{
    ms_message *m = ctx->msg;
    size_t cap_att = 0, cap_plain = 0, cap_html = 0, cap_other = 0;
    for (size_t i = 0; i < m->n_parts && ctx->rc == MS_OK; i++) {
        ms_part *p = m->parts[i];
        if (p->is_multipart || p->is_message)
            continue;
        bool is_text_type = type_is(p->content_type, "text");
        if (!p->is_attachment)
            p->is_attachment =
                p->filename != NULL ||
                (p->content_id != NULL && !is_text_type) ||
                (p->disposition && strcmp(p->disposition, "attachment") == 0);
        ms_status rc = MS_OK;
        if (p->is_attachment) {
            rc = MS_VEC_GROW(ctx->arena, m->attachments, m->n_attachments,
                             cap_att, 0);
            if (rc == MS_OK)
                m->attachments[m->n_attachments++] = p;
        } else if (strcmp(p->content_type, "text/plain") == 0) {
            p->is_text = true;
            rc = MS_VEC_GROW(ctx->arena, m->text_plain, m->n_text_plain,
                             cap_plain, 0);
            if (rc == MS_OK)
                m->text_plain[m->n_text_plain++] = p;
        } else if (strcmp(p->content_type, "text/html") == 0) {
            p->is_text = true;
            rc = MS_VEC_GROW(ctx->arena, m->text_html, m->n_text_html, cap_html,
                             0);
            if (rc == MS_OK)
                m->text_html[m->n_text_html++] = p;
        } else {
            rc = MS_VEC_GROW(ctx->arena, m->text_not_managed,
                             m->n_text_not_managed, cap_other, 0);
            if (rc == MS_OK)
                m->text_not_managed[m->n_text_not_managed++] = p;
        }
        if (rc != MS_OK)
            ctx->rc = rc;
    }
}

/*
 * Decodes again the top-level headers that hold raw 8-bit bytes which are
 * not UTF-8, in the charset of the first text part that declares a
 * legacy one. Spam from East Asia writes raw GB2312, Big5 or EUC-KR
 * subjects and labels only the body; mail clients read the headers in
 * the body's charset, and windows-1252 would turn them to nonsense.
 */
static void redecode_legacy_headers(parse_ctx *ctx)
{
    const char *charset = NULL;
    for (size_t i = 0; i < ctx->msg->n_parts && charset == NULL; i++) {
        const char *c = ctx->msg->parts[i]->charset;
        if (c && type_is(ctx->msg->parts[i]->content_type, "text")) {
            const char *canon = ms_charset_canonical(c, strlen(c));
            if (canon && strcmp(canon, "UTF-8") != 0 &&
                strcmp(canon, "WINDOWS-1252") != 0)
                charset = c;
        }
    }
    if (charset == NULL)
        return;
    ms_part *root = ctx->msg->root;
    for (size_t i = 0; i < root->n_headers && ctx->rc == MS_OK; i++) {
        ms_header *h = &root->headers[i];
        bool eight_bit = ms_scan_8bit(h->raw.p, h->raw.n) < h->raw.n;
        if (!eight_bit || ms_utf8_valid(h->raw.p, h->raw.n))
            continue;
        const char *out = NULL;
        size_t out_len = 0;
        ctx->rc = ms_rfc2047_decode_fallback(ctx->arena, NULL, "0", h->raw.p,
                                             h->raw.n, charset, &out, &out_len);
        if (ctx->rc == MS_OK) {
            h->value = out;
            h->value_len = out_len;
        }
    }
}

/* Takes the uuencoded files out of the plain text parts; run before the
 * classification so the new parts are classified too. */
static void extract_all_uuencoded(parse_ctx *ctx)
{
    size_t n = ctx->msg->n_parts;
    for (size_t i = 0; i < n && ctx->rc == MS_OK; i++) {
        ms_part *p = ctx->msg->parts[i];
        if (p->text && strcmp(p->content_type, "text/plain") == 0 &&
            p->filename == NULL &&
            !(p->disposition && strcmp(p->disposition, "attachment") == 0))
            extract_uuencoded(ctx, p);
    }
}

/*
 * Notes the byte-level oddities of the whole input: NUL bytes (they cut
 * strings in C-based filters, so attackers hide content behind them) and
 * bare carriage returns (read as line ends by some parsers and not by
 * others, which lets a header hide inside another).
 */
static void check_raw_bytes(parse_ctx *ctx, const char *p, size_t n)
{
    const char *nul = memchr(p, '\0', n);
    if (nul)
        ms_message_add_defect(ctx->msg, "NulByteDefect", "0",
                              "first NUL at offset %zu", (size_t)(nul - p));
    const char *cr = p;
    size_t left = n;
    while (left > 0 && (cr = memchr(cr, '\r', left)) != NULL) {
        size_t off = (size_t)(cr - p);
        if (off + 1 >= n || cr[1] != '\n') {
            ms_message_add_defect(ctx->msg, "BareCarriageReturnDefect", "0",
                                  "first at offset %zu", off);
            break;
        }
        cr += 2;
        left = n - off - 2;
    }
}

/* Parses n bytes of raw mail into a message; see message.h. */
ms_status ms_message_parse(ms_arena *a, const char *raw, size_t n,
                           const ms_parse_options *opt, ms_message **out)
{
    parse_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.arena = a;
    if (opt)
        ctx.opt = *opt;
    else
        ms_parse_options_default(&ctx.opt);
    ms_message *m = ms_arena_calloc(a, 1, sizeof(*m));
    if (m == NULL)
        return MS_ENOMEM;
    ctx.msg = m;
    m->arena = a;
    m->raw = raw;
    m->raw_len = n;
    m->max_defects = ctx.opt.max_defects;
    ms_part *root = ms_arena_calloc(a, 1, sizeof(*root));
    if (root == NULL)
        return MS_ENOMEM;
    root->path = "0";
    m->root = root;
    ms_status rc = MS_VEC_GROW(a, m->parts, m->n_parts, ctx.cap_parts, 0);
    if (rc != MS_OK)
        return rc;
    m->parts[m->n_parts++] = root;

    if (raw == NULL)
        n = 0;
    if (n > ctx.opt.max_message_bytes) {
        ms_message_add_defect(m, "limit_message_bytes", "0",
                              "%zu bytes, parsed the first %zu", n,
                              ctx.opt.max_message_bytes);
        n = ctx.opt.max_message_bytes;
    }
    if (n > 0)
        check_raw_bytes(&ctx, raw, n);
    /* an mbox envelope line ("From sender date") before the headers */
    size_t start = 0;
    if (n >= 5 && memcmp(raw, "From ", 5) == 0) {
        size_t e = line_end(raw, n, 0);
        start = e < n ? e + 1 : n;
    }
    parse_entity(&ctx, root, raw + start, n - start, "text/plain");
    if (ctx.rc == MS_OK)
        extract_all_uuencoded(&ctx);
    if (ctx.rc == MS_OK)
        classify_parts(&ctx);
    if (ctx.rc == MS_OK && ms_message_has_defect(m, "NonUtf8HeaderDefect"))
        redecode_legacy_headers(&ctx);
    if (ctx.rc == MS_OK)
        ctx.rc = ms_message_build_views(&ctx);
    if (ctx.rc != MS_OK)
        return ctx.rc;
    *out = m;
    return MS_OK;
}
