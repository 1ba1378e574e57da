/* SPDX-License-Identifier: MIT */
/*
 * Parameters of Content-Type and Content-Disposition (RFC 2045, 2183,
 * 2231). The file name of an attachment lives here, and attackers bend
 * the syntax so a gateway reads one name and the client another. This
 * parser reads what clients read, and notes each bend:
 *  - missing or unterminated quotes, backslash escapes, text after a
 *    closing quote (InvalidParameterDefect);
 *  - stray or doubled semicolons (silently: mailers write them), missing
 *    ones between parameters ("charset=utf-8 format=flowed") and a
 *    parameter without '=' (InvalidParameterDefect);
 *  - white space around '=' and '/';
 *  - unquoted values with spaces ("name=my file.pdf" up to the ';');
 *  - comments in parentheses outside quoted strings;
 *  - RFC 2231 continuations (name*0, name*1*, in any order) and
 *    charset'language'%XX encoding, joined then converted; missing,
 *    repeated or out-of-range sections (InvalidRfc2231Defect);
 *  - RFC 2047 encoded words inside values (not allowed there, but the
 *    way most clients encode non-ASCII file names);
 *  - duplicate parameters: the first wins, as in Python's email package
 *    (and so in SpamScope's documents) and in most clients, and the
 *    duplicate is noted (DuplicateParameterDefect) because a second,
 *    different file name is a known trick against gateways that read the
 *    last one. A plain and an RFC 2231 form with the same value are not a
 *    duplicate: that is how mailers serve old and new clients at once.
 */
#include <stdlib.h>
#include <string.h>

#include "mime/charset.h"
#include "mime/params.h"
#include "mime/rfc2047.h"
#include "util/ascii.h"
#include "util/buf.h"

/* Most RFC 2231 sections of one parameter. */
#define MAX_SECTIONS 64
/* Longest parameter name kept; longer ones are cut. */
#define MAX_PARAM_NAME 64
/* Longest charset name of an RFC 2231 value. */
#define MAX_2231_CHARSET 64

/* A raw parameter as written, before RFC 2231 assembly. */
typedef struct raw_param {
    char name[MAX_PARAM_NAME]; /* lower-case base name */
    int section;               /* RFC 2231 index, -1 when none */
    bool extended;             /* name ended with '*': charset'lang'%XX form */
    const char *value;         /* unquoted, arena */
    size_t value_len;
    bool used;
} raw_param;

/* Skips white space and comments from i; returns the new index. An
 * unclosed comment runs to the end. */
static size_t skip_cfws(const char *p, size_t n, size_t i)
{
    while (i < n) {
        if (ms_ascii_is_space(p[i])) {
            i++;
        } else if (p[i] == '(') {
            int depth = 0;
            while (i < n) {
                if (p[i] == '\\' && i + 1 < n)
                    i++;
                else if (p[i] == '(')
                    depth++;
                else if (p[i] == ')' && --depth == 0) {
                    i++;
                    break;
                }
                i++;
            }
        } else {
            break;
        }
    }
    return i;
}

/* True for the bytes of a parameter name (an RFC 2045 token, with the
 * '*' of RFC 2231). */
static bool name_char(char c)
{
    return c > ' ' && (unsigned char)c < 0x7F && c != '=' && c != ';' &&
           c != '"' && c != '(' && c != ')' && c != ',' && c != '<' &&
           c != '>' && c != '@' && c != ':' && c != '\\' && c != '/' &&
           c != '[' && c != ']' && c != '?';
}

/* True when p[i] starts "name=" (white space allowed before '='): the
 * next parameter, written without the ';' before it. */
static bool starts_parameter(const char *p, size_t n, size_t i)
{
    size_t k = i;
    while (k < n && name_char(p[k]))
        k++;
    if (k == i)
        return false;
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    return k < n && p[k] == '=';
}

/* Decodes %XX escapes of an RFC 2231 extended value into buf; a '%' not
 * followed by two hex digits is kept. */
static ms_status percent_decode(ms_buf *buf, const char *p, size_t n)
{
    ms_status rc = MS_OK;
    for (size_t i = 0; i < n && rc == MS_OK; i++) {
        if (p[i] == '%' && i + 2 < n) {
            int hi = ms_ascii_hex_value(p[i + 1]);
            int lo = ms_ascii_hex_value(p[i + 2]);
            if (hi >= 0 && lo >= 0) {
                rc = ms_buf_append_char(buf, (char)(hi << 4 | lo));
                i += 2;
                continue;
            }
        }
        rc = ms_buf_append_char(buf, p[i]);
    }
    return rc;
}

/* Splits "name*2*" into base name, section and extended flag. */
static void split_name(const char *p, size_t n, raw_param *rp)
{
    rp->section = -1;
    rp->extended = false;
    if (n > 0 && p[n - 1] == '*') {
        rp->extended = true;
        n--;
    }
    size_t star = n;
    while (star > 0 && p[star - 1] != '*')
        star--;
    if (star > 0 && star < n) {
        bool digits = true;
        for (size_t k = star; k < n; k++)
            digits = digits && ms_ascii_is_digit(p[k]);
        if (digits && n - star <= 3) {
            rp->section = atoi(p + star);
            n = star - 1;
        }
    }
    if (n >= sizeof(rp->name))
        n = sizeof(rp->name) - 1;
    for (size_t k = 0; k < n; k++)
        rp->name[k] = ms_ascii_lower(p[k]);
    rp->name[n] = '\0';
}

/* Reads a quoted string at p[i] (the opening quote) into the arena,
 * resolving backslash escapes. An unterminated one runs to the end of the
 * value and is noted. Returns the index after the closing quote. */
static size_t read_quoted(ms_arena *a, ms_message *m, const char *path,
                          const char *p, size_t n, size_t i, const char **val,
                          size_t *val_len, ms_status *rc)
{
    char *dst = ms_arena_alloc(a, n - i + 1);
    if (dst == NULL) {
        *rc = MS_ENOMEM;
        return n;
    }
    size_t o = 0;
    bool closed = false;
    for (i++; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            dst[o++] = p[++i];
        } else if (p[i] == '"') {
            closed = true;
            i++;
            break;
        } else {
            dst[o++] = p[i];
        }
    }
    if (!closed)
        ms_message_add_defect(m, "InvalidParameterDefect", path,
                              "unterminated quoted string");
    dst[o] = '\0';
    *val = dst;
    *val_len = o;
    return i;
}

/*
 * Reads one value at p[i]: a quoted string, or a token up to the ';'.
 * Returns the index after it; the unquoted value goes to the arena.
 *
 * An unquoted value may hold spaces ("name=my file.pdf"): clients read
 * it to the ';'. Two things end it earlier: white space before "name="
 * (a missing ';' before the next parameter, as in "charset=utf-8
 * format=flowed") and a comment at its end ("utf-8 (Unicode)"). Text
 * after a closing quote is dropped and noted: 'name="a.pdf".exe' reads
 * differently in different clients, which is the point of writing it.
 */
static size_t read_value(ms_arena *a, ms_message *m, const char *path,
                         const char *p, size_t n, size_t i, const char **val,
                         size_t *val_len, ms_status *rc)
{
    if (i < n && p[i] == '"') {
        i = read_quoted(a, m, path, p, n, i, val, val_len, rc);
        size_t k = skip_cfws(p, n, i);
        if (k < n && p[k] != ';' && !starts_parameter(p, n, k)) {
            ms_message_add_defect(m, "InvalidParameterDefect", path,
                                  "text after a quoted value dropped");
            while (k < n && p[k] != ';')
                k++;
        }
        return k;
    }
    size_t start = i, end = i;
    while (i < n && p[i] != ';') {
        if (ms_ascii_is_space(p[i])) {
            size_t k = skip_cfws(p, n, i);
            if (k >= n || p[k] == ';' || starts_parameter(p, n, k)) {
                i = k;
                break;
            }
            i = k;
            continue;
        }
        i++;
        end = i;
    }
    ms_slice s = ms_slice_trim((ms_slice){p + start, end - start});
    for (size_t k = 0; k < s.n; k++) {
        if (ms_ascii_is_space(s.p[k])) {
            ms_message_add_defect(m, "InvalidParameterDefect", path,
                                  "unquoted value with white space");
            break;
        }
    }
    char *dst = ms_arena_strndup(a, s.p ? s.p : "", s.n);
    if (dst == NULL)
        *rc = MS_ENOMEM;
    *val = dst;
    *val_len = s.n;
    return i;
}

/* True for a raw parameter written in the RFC 2231 form. */
static bool is_2231(const raw_param *r)
{
    return r->section >= 0 || r->extended;
}

/* Decodes the sections of a parameter without a charset as header text,
 * each on its own (a mailer that puts an RFC 2047 word in a section ends
 * the word with the section, and the next section follows it without the
 * white space RFC 2047 asks for), and joins them into *out. The sections
 * are p[0, ends[0]), p[ends[0], ends[1]), ..., p[ends[n - 1], n_p). */
static ms_status decode_pieces(ms_arena *a, ms_message *m, const char *path,
                               const char *p, size_t n_p, const size_t *ends,
                               size_t n_ends, const char **out)
{
    ms_buf joined;
    ms_buf_init(&joined, 0);
    ms_status rc = MS_OK;
    size_t start = 0;
    for (size_t i = 0; i <= n_ends && rc == MS_OK; i++) {
        size_t end = i < n_ends ? ends[i] : n_p;
        const char *piece = NULL;
        size_t len = 0;
        rc =
            ms_rfc2047_decode(a, m, path, p + start, end - start, &piece, &len);
        if (rc == MS_OK)
            rc = ms_buf_append(&joined, piece, len);
        start = end;
    }
    if (rc == MS_OK) {
        *out = ms_arena_strndup(a, joined.p ? joined.p : "", joined.n);
        if (*out == NULL)
            rc = MS_ENOMEM;
    }
    ms_buf_free(&joined);
    return rc;
}

/*
 * Assembles the RFC 2231 sections of raws[first]'s name (only those
 * written in the RFC 2231 form; a plain parameter of the same name is a
 * duplicate, not a section) into one value converted to UTF-8: with the
 * charset of section 0, or, without one, read as a header value (RFC 2047
 * words, which some mailers put inside sections, and raw UTF-8 or
 * windows-1252). Marks the sections used.
 */
static ms_status assemble_2231(ms_arena *a, ms_message *m, const char *path,
                               raw_param *raws, size_t n_raws, size_t first,
                               const char **out)
{
    raw_param *sections[MAX_SECTIONS] = {0};
    int max_index = -1;
    bool repeated = false, out_of_range = false;
    for (size_t k = first; k < n_raws; k++) {
        raw_param *r = &raws[k];
        if (r->used || !is_2231(r) || strcmp(r->name, raws[first].name) != 0)
            continue;
        int idx = r->section < 0 ? 0 : r->section;
        r->used = true;
        if (idx >= MAX_SECTIONS) {
            out_of_range = true;
            continue;
        }
        if (sections[idx] != NULL) {
            repeated = true; /* the first of a repeated section wins */
            continue;
        }
        sections[idx] = r;
        if (idx > max_index)
            max_index = idx;
    }
    ms_buf bytes;
    ms_buf_init(&bytes, 0);
    char charset[MAX_2231_CHARSET] = "";
    bool missing = false, no_charset = false;
    ms_status rc = MS_OK;
    size_t n_pieces = 0, piece_end[MAX_SECTIONS];
    bool any = false;
    for (int idx = 0; idx <= max_index && rc == MS_OK; idx++) {
        raw_param *r = sections[idx];
        if (r == NULL) {
            missing = true;
            continue;
        }
        if (any)
            piece_end[n_pieces++] = bytes.n;
        any = true;
        const char *v = r->value;
        size_t vn = r->value_len;
        if (r->extended && idx == 0) {
            const char *q1 = memchr(v, '\'', vn);
            const char *q2 =
                q1 ? memchr(q1 + 1, '\'', vn - (size_t)(q1 + 1 - v)) : NULL;
            if (q1 && q2) {
                size_t cl = (size_t)(q1 - v);
                if (cl >= sizeof(charset))
                    cl = sizeof(charset) - 1;
                memcpy(charset, v, cl);
                charset[cl] = '\0';
                vn -= (size_t)(q2 + 1 - v);
                v = q2 + 1;
            } else {
                no_charset = true;
            }
        }
        if (r->extended)
            rc = percent_decode(&bytes, v, vn);
        else
            rc = ms_buf_append(&bytes, v, vn);
    }
    if (missing)
        ms_message_add_defect(m, "InvalidRfc2231Defect", path,
                              "parameter %s has missing sections",
                              raws[first].name);
    if (repeated)
        ms_message_add_defect(m, "InvalidRfc2231Defect", path,
                              "parameter %s repeats a section",
                              raws[first].name);
    if (out_of_range)
        ms_message_add_defect(m, "InvalidRfc2231Defect", path,
                              "parameter %s has sections past %d",
                              raws[first].name, MAX_SECTIONS - 1);
    if (no_charset)
        ms_message_add_defect(m, "InvalidRfc2231Defect", path,
                              "parameter %s lacks charset'language'",
                              raws[first].name);
    const char *text = NULL;
    size_t len = 0;
    const char *value = bytes.p ? bytes.p : "";
    if (rc == MS_OK && charset[0] != '\0') {
        rc = ms_charset_to_utf8(a, m, path, charset, value, bytes.n, &text,
                                &len);
        if (rc == MS_OK) {
            *out = ms_arena_strndup(a, text, len);
            if (*out == NULL)
                rc = MS_ENOMEM;
        }
    } else if (rc == MS_OK) {
        rc =
            decode_pieces(a, m, path, value, bytes.n, piece_end, n_pieces, out);
    }
    ms_buf_free(&bytes);
    return rc;
}

/* Decodes the value of raws[k] (plain, or the RFC 2231 parameter whose
 * first section it is) into *value. */
static ms_status decode_param(ms_arena *a, ms_message *m, const char *path,
                              raw_param *raws, size_t n_raws, size_t k,
                              const char **value)
{
    raw_param *r = &raws[k];
    if (is_2231(r))
        return assemble_2231(a, m, path, raws, n_raws, k, value);
    size_t len = 0;
    r->used = true;
    return ms_rfc2047_decode(a, m, path, r->value, r->value_len, value, &len);
}

/*
 * Reads the main token ("text/plain", "attachment") from i into the
 * arena, lower-case, without comments, quotes and the white space around
 * '/'. White space elsewhere ends it. Returns the index after it.
 */
static size_t read_main_token(const char *p, size_t n, size_t i, char *dst)
{
    size_t o = 0;
    while (i < n && p[i] != ';') {
        if (p[i] == '(') {
            i = skip_cfws(p, n, i);
            continue;
        }
        if (ms_ascii_is_space(p[i])) {
            size_t k = skip_cfws(p, n, i);
            bool around_slash =
                (o > 0 && dst[o - 1] == '/') || (k < n && p[k] == '/');
            if (!around_slash) {
                dst[o] = '\0';
                return k;
            }
            i = k;
            continue;
        }
        if (p[i] != '"')
            dst[o++] = ms_ascii_lower(p[i]);
        i++;
    }
    dst[o] = '\0';
    return i;
}

/* Adds the decoded parameter to out unless its name is already there;
 * a repeated name is noted unless its value is the same. */
static void keep_param(ms_message *m, const char *path, ms_content_value *out,
                       const char *name, const char *value)
{
    for (size_t j = 0; j < out->n_params; j++) {
        if (strcmp(out->params[j].name, name) == 0) {
            if (strcmp(out->params[j].value, value) != 0)
                ms_message_add_defect(
                    m, "DuplicateParameterDefect", path,
                    "parameter %s given twice, the first kept", name);
            return;
        }
    }
    out->params[out->n_params].name = name;
    out->params[out->n_params].value = value;
    out->n_params++;
}

/* Parses a Content-Type or Content-Disposition value; see params.h. */
ms_status ms_params_parse(ms_arena *a, ms_message *m, const char *path,
                          const char *in, size_t n, ms_content_value *out)
{
    const char *p = NULL;
    size_t len = 0;
    out->value = "";
    out->params = NULL;
    out->n_params = 0;
    ms_status rc = ms_header_unfold(a, in, n, &p, &len);
    if (rc != MS_OK)
        return rc;
    char *main_token = ms_arena_alloc(a, len + 1);
    if (main_token == NULL)
        return MS_ENOMEM;
    size_t i = read_main_token(p, len, skip_cfws(p, len, 0), main_token);
    out->value = main_token;
    if (i < len && p[i] != ';')
        ms_message_add_defect(m, "InvalidParameterDefect", path,
                              "no ';' after '%.40s'", main_token);

    raw_param raws[MS_PARAMS_MAX];
    size_t n_raws = 0;
    size_t n_read = 0;
    while (i < len && rc == MS_OK) {
        bool separated = false;
        while (i < len &&
               (p[i] == ';' || ms_ascii_is_space(p[i]) || p[i] == '(')) {
            separated |= p[i] == ';';
            i = p[i] == '(' ? skip_cfws(p, len, i) : i + 1;
        }
        if (i >= len)
            break;
        if (!separated && n_read > 0)
            ms_message_add_defect(m, "InvalidParameterDefect", path,
                                  "no ';' before parameter");
        n_read++;
        size_t name_start = i;
        while (i < len && p[i] != '=' && p[i] != ';')
            i++;
        ms_slice name =
            ms_slice_trim((ms_slice){p + name_start, i - name_start});
        if (i >= len || p[i] == ';' || name.n == 0) {
            ms_message_add_defect(m, "InvalidParameterDefect", path,
                                  "parameter without a value: '%.*s'",
                                  (int)(name.n < 40 ? name.n : 40),
                                  name.p ? name.p : "");
            /* skip what is left of the broken parameter, so the loop
             * always moves on */
            while (i < len && p[i] != ';')
                i++;
            continue;
        }
        i = skip_cfws(p, len, i + 1);
        const char *val = NULL;
        size_t val_len = 0;
        i = read_value(a, m, path, p, len, i, &val, &val_len, &rc);
        if (rc != MS_OK)
            break;
        if (n_raws == MS_PARAMS_MAX) {
            ms_message_add_defect(m, "limit_parameters", path,
                                  "more than %d parameters", MS_PARAMS_MAX);
            break;
        }
        raw_param *rp = &raws[n_raws];
        split_name(name.p, name.n, rp);
        rp->value = val;
        rp->value_len = val_len;
        rp->used = false;
        n_raws++;
    }
    if (rc != MS_OK || n_raws == 0)
        return rc;
    out->params = ms_arena_calloc(a, n_raws, sizeof(ms_param));
    if (out->params == NULL)
        return MS_ENOMEM;
    for (size_t k = 0; k < n_raws && rc == MS_OK; k++) {
        if (raws[k].used)
            continue;
        const char *value = NULL;
        rc = decode_param(a, m, path, raws, n_raws, k, &value);
        if (rc != MS_OK)
            break;
        char *name_copy =
            ms_arena_strndup(a, raws[k].name, strlen(raws[k].name));
        if (name_copy == NULL)
            return MS_ENOMEM;
        keep_param(m, path, out, name_copy, value);
    }
    return rc;
}

/* Returns the value of the parameter called name (lower-case), or NULL. */
const char *ms_params_get(const ms_content_value *cv, const char *name)
{
    for (size_t i = 0; i < cv->n_params; i++) {
        if (strcmp(cv->params[i].name, name) == 0)
            return cv->params[i].value;
    }
    return NULL;
}
