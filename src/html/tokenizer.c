/* SPDX-License-Identifier: MIT */
/*
 * The HTML tokenizer. Each call to ms_html_next() starts at the current
 * position, reads one token and moves past it; no byte is read more than a
 * bounded number of times, so the whole document costs linear time
 * whatever its shape. The rules follow what browsers do with broken markup,
 * because what matters for a mail filter is what the victim sees and what
 * a click opens:
 *
 *   "<" not followed by a letter, "/", "!" or "?"  is text ("a < b")
 *   "</" followed by a non-letter                   is a bogus comment
 *   a quote left open                               runs to the end
 *   a repeated attribute                            is ignored (first wins)
 *   inside script, style, xmp, iframe, noembed,     only the matching end
 *   noframes, textarea, title                       tag ends the text
 *   plaintext                                       runs to the end
 */
#include "html/tokenizer.h"

#include <string.h>

#include "html/entities.h"
#include "util/ascii.h"

/* Elements whose content is text up to their end tag. The first ones are
 * raw text (no entities); textarea and title are RCDATA (entities are
 * decoded when the consumer decodes the text). */
static const char *const raw_text_elements[] = {
    "script", "style", "xmp", "iframe", "noembed", "noframes", "plaintext"};
static const char *const rcdata_elements[] = {"textarea", "title"};

/* Prepares t; see tokenizer.h. */
void ms_html_tokenizer_init(ms_html_tokenizer *t, ms_arena *a, const char *p,
                            size_t n)
{
    memset(t, 0, sizeof(*t));
    t->arena = a;
    t->p = p;
    t->n = n;
}

/* True for the white space HTML skips between attributes. */
static bool html_space(char c)
{
    return ms_ascii_is_space(c);
}

/* Finds the first occurrence of the two bytes a, b at or after from.
 * Returns its offset, or n when absent. */
static size_t find_pair(const char *p, size_t n, size_t from, char a, char b)
{
    while (from < n) {
        const char *hit = memchr(p + from, a, n - from);
        if (hit == NULL)
            return n;
        size_t at = (size_t)(hit - p);
        if (at + 1 < n && p[at + 1] == b)
            return at;
        from = at + 1;
    }
    return n;
}

/* Finds where the raw text that started at from ends: the offset of
 * "</name" followed by space, '/', '>' or the end. Returns n when the
 * element is never closed. */
static size_t find_raw_end(const ms_html_tokenizer *t, size_t from)
{
    size_t len = t->raw_until_len;
    for (;;) {
        size_t at = find_pair(t->p, t->n, from, '<', '/');
        if (at >= t->n)
            return t->n;
        size_t name_at = at + 2;
        if (name_at + len <= t->n &&
            ms_slice_eq_cstr_ci((ms_slice){t->p + name_at, len},
                                t->raw_until)) {
            size_t after = name_at + len;
            if (after == t->n || html_space(t->p[after]) ||
                t->p[after] == '/' || t->p[after] == '>')
                return at;
        }
        from = at + 2;
    }
}

/* Reads a text token from the current position up to the next "<" that
 * opens markup. */
static void read_text(ms_html_tokenizer *t, ms_html_token *tok)
{
    size_t start = t->pos, i = t->pos;
    while (i < t->n) {
        const char *lt = memchr(t->p + i, '<', t->n - i);
        if (lt == NULL) {
            i = t->n;
            break;
        }
        i = (size_t)(lt - t->p);
        if (i + 1 < t->n) {
            char c = t->p[i + 1];
            if (ms_ascii_is_alpha(c) || c == '/' || c == '!' || c == '?')
                break;
        }
        i++;
    }
    tok->type = MS_HTML_TEXT;
    tok->text = (ms_slice){t->p + start, i - start};
    tok->raw = tok->text;
    t->pos = i;
}

/* Reads a comment-like token from start (the '<') whose content runs from
 * content_at to the terminator term (of term_len bytes); a missing
 * terminator runs the token to the end of the input. */
static void read_until(ms_html_tokenizer *t, ms_html_token *tok,
                       ms_html_token_type type, size_t start, size_t content_at,
                       const char *term, size_t term_len)
{
    size_t end = t->n, next = t->n;
    if (content_at > t->n)
        content_at = t->n;
    if (term_len == 1) {
        const char *hit = memchr(t->p + content_at, term[0], t->n - content_at);
        if (hit != NULL) {
            end = (size_t)(hit - t->p);
            next = end + 1;
        }
    } else {
        /* "-->": find "--" then check the '>' */
        size_t from = content_at;
        for (;;) {
            size_t at = find_pair(t->p, t->n, from, term[0], term[1]);
            if (at >= t->n)
                break;
            if (at + 2 < t->n && t->p[at + 2] == term[2]) {
                end = at;
                next = at + 3;
                break;
            }
            from = at + 1;
        }
    }
    if (end == t->n)
        t->n_unterminated++;
    tok->type = type;
    tok->text = (ms_slice){t->p + content_at, end - content_at};
    tok->raw = (ms_slice){t->p + start, next - start};
    t->pos = next;
}

/* Copies the tag name at p (n bytes) lower-cased into tok->name. */
static void set_tag_name(ms_html_token *tok, const char *p, size_t n)
{
    if (n > MS_HTML_MAX_TAG_NAME)
        n = MS_HTML_MAX_TAG_NAME;
    for (size_t i = 0; i < n; i++)
        tok->name[i] = ms_ascii_lower(p[i]);
    tok->name[n] = '\0';
}

/* Returns the name slice lower-cased: the input itself when it has no
 * upper case, else an arena copy. NULL pointer in the slice on failure. */
static ms_slice lower_name(ms_arena *a, const char *p, size_t n, bool *oom)
{
    size_t i = 0;
    while (i < n && !(p[i] >= 'A' && p[i] <= 'Z'))
        i++;
    if (i == n)
        return (ms_slice){p, n};
    char *copy = ms_arena_alloc(a, n + 1);
    if (copy == NULL) {
        *oom = true;
        return (ms_slice){NULL, 0};
    }
    for (i = 0; i < n; i++)
        copy[i] = ms_ascii_lower(p[i]);
    copy[n] = '\0';
    return (ms_slice){copy, n};
}

/* Keeps one attribute of the tag being read, unless its name was seen
 * before (browsers use the first) or the ceiling is reached. */
static ms_status keep_attr(ms_html_tokenizer *t, ms_html_token *tok,
                           const char *name, size_t name_n, const char *value,
                           size_t value_n, bool keep)
{
    bool oom = false;
    ms_slice lname = lower_name(t->arena, name, name_n, &oom);
    if (oom)
        return MS_ENOMEM;
    for (size_t k = 0; k < tok->n_attrs; k++) {
        if (ms_slice_eq(t->attrs[k].name, lname)) {
            t->n_duplicate_attrs++;
            return MS_OK;
        }
    }
    if (tok->n_attrs >= MS_HTML_MAX_ATTRS) {
        t->n_dropped_attrs++;
        return MS_OK;
    }
    ms_html_attr *attr = &t->attrs[tok->n_attrs++];
    attr->name = lname;
    attr->value = (ms_slice){value, 0};
    if (keep && value_n > 0) {
        const char *decoded;
        size_t decoded_n;
        ms_status rc = ms_html_decode(t->arena, value, value_n, true, &decoded,
                                      &decoded_n);
        if (rc != MS_OK)
            return rc;
        attr->value = (ms_slice){decoded, decoded_n};
    }
    return MS_OK;
}

/* Reads the attributes of a tag from i up to its '>' (or the end), keeping
 * them when keep is set (start tags). Returns MS_OK and the offset after
 * the tag in *end. */
static ms_status read_attributes(ms_html_tokenizer *t, ms_html_token *tok,
                                 size_t i, bool keep, size_t *end)
{
    const char *p = t->p;
    size_t n = t->n;
    for (;;) {
        while (i < n && (html_space(p[i]) || p[i] == '/')) {
            /* '/' right before '>' makes the tag self-closing */
            if (p[i] == '/' && i + 1 < n && p[i + 1] == '>')
                tok->self_closing = true;
            i++;
        }
        if (i >= n) {
            t->n_unterminated++;
            break;
        }
        if (p[i] == '>') {
            i++;
            break;
        }
        /* the name: a leading '=' belongs to it, as in HTML5 */
        size_t name_at = i++;
        while (i < n && !html_space(p[i]) && p[i] != '/' && p[i] != '>' &&
               p[i] != '=')
            i++;
        size_t name_n = i - name_at;
        size_t j = i;
        while (j < n && html_space(p[j]))
            j++;
        const char *value = p + i;
        size_t value_n = 0;
        if (j < n && p[j] == '=') {
            j++;
            while (j < n && html_space(p[j]))
                j++;
            if (j < n && (p[j] == '"' || p[j] == '\'')) {
                const char *close = memchr(p + j + 1, p[j], n - j - 1);
                value = p + j + 1;
                if (close == NULL) {
                    t->n_unterminated++;
                    value_n = n - j - 1;
                    i = n;
                } else {
                    value_n = (size_t)(close - value);
                    i = (size_t)(close - p) + 1;
                }
            } else {
                value = p + j;
                while (j < n && !html_space(p[j]) && p[j] != '>')
                    j++;
                value_n = (size_t)(p + j - value);
                i = j;
            }
        }
        if (keep) {
            ms_status rc =
                keep_attr(t, tok, p + name_at, name_n, value, value_n, keep);
            if (rc != MS_OK)
                return rc;
        }
    }
    *end = i;
    return MS_OK;
}

/* After a start tag, switches to raw-text reading when the element's
 * content is not markup. "<script/>" opens a script all the same: HTML
 * ignores the slash on elements that are not void. */
static void enter_raw_text(ms_html_tokenizer *t, const ms_html_token *tok)
{
    /* the first letters of the names above: most tags stop here */
    if (strchr("sxinpt", tok->name[0]) == NULL || tok->name[0] == '\0')
        return;
    for (size_t k = 0;
         k < sizeof(raw_text_elements) / sizeof(raw_text_elements[0]); k++) {
        if (strcmp(tok->name, raw_text_elements[k]) == 0)
            goto raw;
    }
    for (size_t k = 0; k < sizeof(rcdata_elements) / sizeof(rcdata_elements[0]);
         k++) {
        if (strcmp(tok->name, rcdata_elements[k]) == 0)
            goto raw;
    }
    return;
raw:
    t->raw_until_len = strlen(tok->name);
    memcpy(t->raw_until, tok->name, t->raw_until_len + 1);
}

/* Reads a start or end tag at the '<' at start. */
static ms_status read_tag(ms_html_tokenizer *t, ms_html_token *tok,
                          size_t start, bool is_end)
{
    size_t i = start + (is_end ? 2 : 1);
    size_t name_at = i;
    while (i < t->n && !html_space(t->p[i]) && t->p[i] != '/' && t->p[i] != '>')
        i++;
    set_tag_name(tok, t->p + name_at, i - name_at);
    tok->type = is_end ? MS_HTML_END_TAG : MS_HTML_START_TAG;
    size_t end = i;
    ms_status rc = read_attributes(t, tok, i, !is_end, &end);
    if (rc != MS_OK)
        return rc;
    tok->attrs = t->attrs;
    tok->raw = (ms_slice){t->p + start, end - start};
    t->pos = end;
    if (!is_end)
        enter_raw_text(t, tok);
    return MS_OK;
}

/* Reads the next token; see tokenizer.h. */
ms_status ms_html_next(ms_html_tokenizer *t, ms_html_token *tok)
{
    memset(tok, 0, sizeof(*tok));
    if (t->pos >= t->n) {
        tok->type = MS_HTML_EOF;
        return MS_OK;
    }
    if (t->raw_until_len > 0) {
        size_t end = strcmp(t->raw_until, "plaintext") == 0
                         ? t->n
                         : find_raw_end(t, t->pos);
        bool rcdata = strcmp(t->raw_until, "textarea") == 0 ||
                      strcmp(t->raw_until, "title") == 0;
        t->raw_until_len = 0;
        t->raw_until[0] = '\0';
        if (end > t->pos) {
            tok->type = MS_HTML_TEXT;
            tok->text = (ms_slice){t->p + t->pos, end - t->pos};
            tok->raw = tok->text;
            tok->raw_text = !rcdata;
            t->pos = end;
            return MS_OK;
        }
    }
    const char *p = t->p;
    size_t at = t->pos;
    if (p[at] != '<' || at + 1 >= t->n) {
        read_text(t, tok);
        return MS_OK;
    }
    char c = p[at + 1];
    if (ms_ascii_is_alpha(c))
        return read_tag(t, tok, at, false);
    if (c == '/') {
        if (at + 2 < t->n && ms_ascii_is_alpha(p[at + 2]))
            return read_tag(t, tok, at, true);
        if (at + 2 < t->n && p[at + 2] == '>') {
            /* "</>" is dropped; report it as an empty comment */
            tok->type = MS_HTML_COMMENT;
            tok->raw = (ms_slice){p + at, 3};
            tok->text = (ms_slice){p + at + 2, 0};
            t->pos = at + 3;
            return MS_OK;
        }
        read_until(t, tok, MS_HTML_COMMENT, at, at + 2, ">", 1);
        return MS_OK;
    }
    if (c == '!') {
        if (at + 3 < t->n && p[at + 2] == '-' && p[at + 3] == '-') {
            /* "<!-->" and "<!--->" are empty comments in HTML5 */
            size_t content_at = at + 4;
            if (content_at < t->n && p[content_at] == '>') {
                read_until(t, tok, MS_HTML_COMMENT, at, content_at, ">", 1);
                return MS_OK;
            }
            if (content_at + 1 < t->n && p[content_at] == '-' &&
                p[content_at + 1] == '>') {
                read_until(t, tok, MS_HTML_COMMENT, at, content_at + 1, ">", 1);
                return MS_OK;
            }
            read_until(t, tok, MS_HTML_COMMENT, at, content_at, "-->", 3);
            return MS_OK;
        }
        read_until(t, tok, MS_HTML_DOCTYPE, at, at + 2, ">", 1);
        return MS_OK;
    }
    if (c == '?') {
        read_until(t, tok, MS_HTML_COMMENT, at, at + 1, ">", 1);
        return MS_OK;
    }
    read_text(t, tok);
    return MS_OK;
}

/* Looks an attribute up by lower-case name; see tokenizer.h. */
const char *ms_html_attr_get(const ms_html_token *tok, const char *name,
                             size_t *n)
{
    for (size_t k = 0; k < tok->n_attrs; k++) {
        if (ms_slice_eq_cstr_ci(tok->attrs[k].name, name)) {
            if (n)
                *n = tok->attrs[k].value.n;
            return tok->attrs[k].value.p;
        }
    }
    if (n)
        *n = 0;
    return NULL;
}
