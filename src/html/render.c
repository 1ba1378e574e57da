/* SPDX-License-Identifier: MIT */
/*
 * HTML rendering: one pass of the tokenizer that writes the visible text
 * and collects links, URL references, forms, images and the few head
 * elements that matter to a mail filter (base, meta refresh, title).
 * Nesting is not tracked beyond what the collection needs (the open link,
 * the open form, the element whose raw text comes next), so hostile
 * nesting cannot cost more than its length.
 */
#include "html/render.h"

#include <string.h>

#include "html/entities.h"
#include "html/tokenizer.h"
#include "util/ascii.h"
#include "util/vec.h"

/* First size of the text buffer; it doubles from there. */
#define TEXT_INITIAL_CAP 256
/* Most line breaks kept in a row: block elements nested ten deep must
 * not become ten empty lines. */
#define MAX_NEWLINES_IN_A_ROW 2

/* The visible text being written, in the arena. Pending white space is
 * written only before the next visible character, which is how HTML
 * collapses runs of spaces and drops them at line starts. */
typedef struct text_builder {
    ms_arena *arena;
    char *p;
    size_t n, cap, max;
    bool pending_space;
    int pending_newlines;
    int trailing_newlines; /* newlines at the end of p */
    bool truncated;
} text_builder;

/* The state of one rendering. */
typedef struct renderer {
    ms_arena *arena;
    const ms_html_limits *lim;
    ms_html_doc *doc;
    text_builder text;
    const char *raw_owner;    /* element whose raw text comes next, or NULL */
    long open_link;           /* index in doc->links of the open <a>, or -1 */
    long open_link_ref;       /* its index in doc->refs, or -1 */
    size_t open_link_text_at; /* text offset where the open link began */
    bool open_link_has_image;
    long open_form; /* index in doc->forms, or -1 */
} renderer;

/* Fills lim with the defaults; see render.h. */
void ms_html_limits_default(ms_html_limits *lim)
{
    lim->max_text_bytes = MS_HTML_DEFAULT_MAX_TEXT_BYTES;
    lim->max_refs = MS_HTML_DEFAULT_MAX_REFS;
    lim->max_forms = MS_HTML_DEFAULT_MAX_FORMS;
    lim->max_inputs = MS_HTML_DEFAULT_MAX_INPUTS;
    lim->max_images = MS_HTML_DEFAULT_MAX_IMAGES;
}

/* Returns the short name of a ref kind; see render.h. */
const char *ms_html_ref_kind_name(ms_html_ref_kind kind)
{
    switch (kind) {
    case MS_HTML_REF_HREF:
        return "href";
    case MS_HTML_REF_SRC:
        return "src";
    case MS_HTML_REF_FORM:
        return "form";
    case MS_HTML_REF_BACKGROUND:
        return "background";
    case MS_HTML_REF_SRCSET:
        return "srcset";
    case MS_HTML_REF_CSS:
        return "css";
    case MS_HTML_REF_REFRESH:
        return "refresh";
    case MS_HTML_REF_BASE:
        return "base";
    case MS_HTML_REF_OOXML:
        return "ooxml";
    case MS_HTML_REF_OTHER:
        break;
    }
    return "other";
}

/* Appends n raw bytes to the text, growing it in the arena; past the
 * ceiling the text is cut and marked truncated. Returns MS_ENOMEM when
 * the arena refuses. */
static ms_status text_put(text_builder *b, const char *p, size_t n)
{
    if (b->truncated)
        return MS_OK;
    if (n > b->max - b->n) {
        b->truncated = true;
        return MS_OK;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : TEXT_INITIAL_CAP;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = ms_arena_realloc(b->arena, b->p, b->cap, cap);
        if (q == NULL)
            return MS_ENOMEM;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return MS_OK;
}

/* Writes the pending white space, then n visible bytes. */
static ms_status text_visible(text_builder *b, const char *p, size_t n)
{
    ms_status rc = MS_OK;
    if (b->n > 0 && b->pending_newlines > 0) {
        while (rc == MS_OK && b->trailing_newlines < b->pending_newlines &&
               b->trailing_newlines < MAX_NEWLINES_IN_A_ROW) {
            rc = text_put(b, "\n", 1);
            b->trailing_newlines++;
        }
    } else if (b->n > 0 && b->pending_space && b->trailing_newlines == 0) {
        char last = b->p[b->n - 1];
        if (last != ' ' && last != '\t')
            rc = text_put(b, " ", 1);
    }
    b->pending_space = false;
    b->pending_newlines = 0;
    if (rc == MS_OK && n > 0) {
        rc = text_put(b, p, n);
        b->trailing_newlines = 0;
    }
    return rc;
}

/* Asks for a line break before the next visible text. */
static void text_newline(text_builder *b, int count)
{
    if (b->pending_newlines < count)
        b->pending_newlines = count;
}

/* Appends a text token's characters: entities decoded, white space
 * collapsed, non-breaking spaces read as spaces. */
static ms_status text_append_html(text_builder *b, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && !ms_ascii_is_space(p[run]) && p[run] != '&' &&
               !((unsigned char)p[run] == 0xC2 && run + 1 < n &&
                 (unsigned char)p[run + 1] == 0xA0))
            run++;
        if (run > i) {
            ms_status rc = text_visible(b, p + i, run - i);
            if (rc != MS_OK)
                return rc;
            i = run;
            continue;
        }
        if (p[i] == '&') {
            char tmp[MS_HTML_ENTITY_MAX_OUT];
            size_t used = 0;
            size_t len = ms_html_entity_decode(p + i, n - i, false, tmp, &used);
            if (len == 0) {
                ms_status rc = text_visible(b, "&", 1);
                if (rc != MS_OK)
                    return rc;
                i++;
                continue;
            }
            i += used;
            if ((len == 1 && ms_ascii_is_space(tmp[0])) ||
                (len == 2 && (unsigned char)tmp[0] == 0xC2 &&
                 (unsigned char)tmp[1] == 0xA0)) {
                b->pending_space = true;
                continue;
            }
            ms_status rc = text_visible(b, tmp, len);
            if (rc != MS_OK)
                return rc;
            continue;
        }
        /* white space or a raw U+00A0 */
        b->pending_space = true;
        i += ms_ascii_is_space(p[i]) ? 1 : 2;
    }
    return MS_OK;
}

/* True when the name is lit; the first letters are compared before the
 * call, which settles most tags. */
static inline bool tag_is(const char *name, const char *lit)
{
    return name[0] == lit[0] && strcmp(name, lit) == 0;
}

/* True when name is one of the NULL-terminated list. */
static bool name_in(const char *name, const char *const *list)
{
    for (; *list != NULL; list++) {
        if (tag_is(name, *list))
            return true;
    }
    return false;
}

/* Elements that start and end a line of text. */
static const char *const block_elements[] = {
    "address", "article", "aside",   "blockquote", "center",     "dd",
    "div",     "dl",      "dt",      "fieldset",   "figcaption", "figure",
    "footer",  "form",    "h1",      "h2",         "h3",         "h4",
    "h5",      "h6",      "header",  "hr",         "li",         "main",
    "nav",     "ol",      "p",       "pre",        "section",    "table",
    "tr",      "ul",      "caption", "option",     NULL};

/* Copies n bytes of p into the arena with ASCII white space trimmed at
 * both ends. Returns NULL when the arena refuses. */
static char *dup_trimmed(ms_arena *a, const char *p, size_t n, size_t *out_n)
{
    while (n > 0 && ms_ascii_is_space(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && ms_ascii_is_space(p[n - 1]))
        n--;
    if (out_n)
        *out_n = n;
    return ms_arena_strndup(a, p, n);
}

/* Records one URL reference; empty values and in-page anchors ("#top")
 * lead nowhere and are skipped. *index receives its position or -1.
 * Returns MS_ENOMEM when the arena refuses. */
static ms_status add_ref(renderer *r, const char *p, size_t n,
                         ms_html_ref_kind kind, const char *tag, long *index)
{
    if (index)
        *index = -1;
    size_t len;
    while (n > 0 && ms_ascii_is_space(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && ms_ascii_is_space(p[n - 1]))
        n--;
    if (n == 0 || p[0] == '#')
        return MS_OK;
    ms_html_doc *d = r->doc;
    ms_status rc = MS_VEC_GROW(r->arena, d->refs, d->n_refs, d->cap_refs,
                               r->lim->max_refs);
    if (rc == MS_ELIMIT) {
        d->truncated = true;
        return MS_OK;
    }
    if (rc != MS_OK)
        return rc;
    char *url = dup_trimmed(r->arena, p, n, &len);
    char *tag_copy = ms_arena_strndup(r->arena, tag, strlen(tag));
    if (url == NULL || tag_copy == NULL)
        return MS_ENOMEM;
    ms_html_ref *ref = &d->refs[d->n_refs];
    ref->url = url;
    ref->url_len = len;
    ref->kind = kind;
    ref->tag = tag_copy;
    ref->display_text = NULL;
    if (index)
        *index = (long)d->n_refs;
    d->n_refs++;
    return MS_OK;
}

/* Finds CSS url(...) values and @import strings in n bytes of style and
 * records each as a CSS reference. Backgrounds in CSS are how image-only
 * spam and tracking pixels hide from src-only extractors. */
static ms_status scan_css(renderer *r, const char *p, size_t n, const char *tag)
{
    size_t i = 0;
    while (i + 4 <= n) {
        const char *hit = memchr(p + i, '(', n - i);
        const char *at = memchr(p + i, '@', n - i);
        if (hit == NULL && at == NULL)
            break;
        if (at != NULL && (hit == NULL || at < hit)) {
            /* @import "x" or @import url(x) */
            size_t k = (size_t)(at - p);
            i = k + 1;
            if (!ms_slice_starts_with_ci((ms_slice){p + k, n - k}, "@import"))
                continue;
            k += 7;
            while (k < n && ms_ascii_is_space(p[k]))
                k++;
            if (k < n && (p[k] == '"' || p[k] == '\'')) {
                const char *close = memchr(p + k + 1, p[k], n - k - 1);
                if (close == NULL)
                    break;
                ms_status rc =
                    add_ref(r, p + k + 1, (size_t)(close - p) - k - 1,
                            MS_HTML_REF_CSS, tag, NULL);
                if (rc != MS_OK)
                    return rc;
                i = (size_t)(close - p) + 1;
            }
            continue;
        }
        size_t k = (size_t)(hit - p);
        i = k + 1;
        if (k < 3 || !ms_slice_eq_cstr_ci((ms_slice){p + k - 3, 3}, "url"))
            continue;
        k++;
        while (k < n && ms_ascii_is_space(p[k]))
            k++;
        size_t start = k, end;
        if (k < n && (p[k] == '"' || p[k] == '\'')) {
            const char *close = memchr(p + k + 1, p[k], n - k - 1);
            if (close == NULL)
                break;
            start = k + 1;
            end = (size_t)(close - p);
        } else {
            const char *close = memchr(p + k, ')', n - k);
            end = close ? (size_t)(close - p) : n;
        }
        ms_status rc =
            add_ref(r, p + start, end - start, MS_HTML_REF_CSS, tag, NULL);
        if (rc != MS_OK)
            return rc;
        i = end;
    }
    return MS_OK;
}

/* Splits a srcset value into its candidates ("url 2x, url 640w") and
 * records each URL. */
static ms_status scan_srcset(renderer *r, const char *p, size_t n,
                             const char *tag)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (ms_ascii_is_space(p[i]) || p[i] == ','))
            i++;
        size_t start = i;
        while (i < n && !ms_ascii_is_space(p[i]))
            i++;
        size_t end = i;
        while (end > start && p[end - 1] == ',')
            end--;
        if (end > start) {
            ms_status rc = add_ref(r, p + start, end - start,
                                   MS_HTML_REF_SRCSET, tag, NULL);
            if (rc != MS_OK)
                return rc;
        }
        /* the descriptor runs to the next comma */
        if (end == i) {
            const char *comma = memchr(p + i, ',', n - i);
            i = comma ? (size_t)(comma - p) + 1 : n;
        }
    }
    return MS_OK;
}

/* Reads <meta http-equiv=refresh content="5; url=...">: the delay, then
 * the target after "url=" (or after the separator when "url=" is left
 * out, which browsers accept too). */
static ms_status read_refresh(renderer *r, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && ms_ascii_is_space(p[i]))
        i++;
    long delay = 0;
    while (i < n && ms_ascii_is_digit(p[i])) {
        if (delay < 1000000)
            delay = delay * 10 + (p[i] - '0');
        i++;
    }
    while (i < n && (ms_ascii_is_digit(p[i]) || p[i] == '.'))
        i++;
    while (i < n && (ms_ascii_is_space(p[i]) || p[i] == ';' || p[i] == ','))
        i++;
    if (i + 3 <= n && ms_slice_eq_cstr_ci((ms_slice){p + i, 3}, "url")) {
        size_t k = i + 3;
        while (k < n && ms_ascii_is_space(p[k]))
            k++;
        if (k < n && p[k] == '=') {
            k++;
            while (k < n && ms_ascii_is_space(p[k]))
                k++;
            i = k;
        }
    }
    size_t end = n;
    if (i < n && (p[i] == '"' || p[i] == '\'')) {
        const char *close = memchr(p + i + 1, p[i], n - i - 1);
        if (close != NULL)
            end = (size_t)(close - p);
        i++;
    }
    if (i >= end)
        return MS_OK;
    long index;
    ms_status rc =
        add_ref(r, p + i, end - i, MS_HTML_REF_REFRESH, "meta", &index);
    if (rc != MS_OK || index < 0)
        return rc;
    if (r->doc->refresh_url == NULL) {
        r->doc->refresh_url = r->doc->refs[index].url;
        r->doc->refresh_delay = delay;
    }
    return MS_OK;
}

/* Closes the open link: its visible text is what was written since it
 * opened, cut at MS_HTML_MAX_LINK_TEXT bytes on a UTF-8 boundary. */
static ms_status close_link(renderer *r)
{
    if (r->open_link < 0)
        return MS_OK;
    ms_html_link *link = &r->doc->links[r->open_link];
    size_t from = r->open_link_text_at;
    const char *p = r->text.p ? r->text.p + from : "";
    size_t n = r->text.n > from ? r->text.n - from : 0;
    if (n > MS_HTML_MAX_LINK_TEXT) {
        n = MS_HTML_MAX_LINK_TEXT;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
    }
    size_t len;
    char *text = dup_trimmed(r->arena, p, n, &len);
    if (text == NULL)
        return MS_ENOMEM;
    if (link->text == NULL || len > 0)
        link->text = text;
    link->image_only = r->open_link_has_image && link->text[0] == '\0';
    if (r->open_link_ref >= 0)
        r->doc->refs[r->open_link_ref].display_text = link->text;
    r->open_link = -1;
    r->open_link_ref = -1;
    return MS_OK;
}

/* Opens a link for <a> or <area> with its href (NULL when none); area
 * links have no content, their alt text stands for it. */
static ms_status open_link(renderer *r, const ms_html_token *tok)
{
    ms_status rc = close_link(r);
    if (rc != MS_OK)
        return rc;
    ms_html_doc *d = r->doc;
    rc = MS_VEC_GROW(r->arena, d->links, d->n_links, d->cap_links,
                     r->lim->max_refs);
    if (rc == MS_ELIMIT) {
        d->truncated = true;
        return MS_OK;
    }
    if (rc != MS_OK)
        return rc;
    size_t href_n;
    const char *href = ms_html_attr_get(tok, "href", &href_n);
    ms_html_link *link = &d->links[d->n_links];
    memset(link, 0, sizeof(*link));
    long ref = -1;
    if (href != NULL) {
        link->href = dup_trimmed(r->arena, href, href_n, NULL);
        if (link->href == NULL)
            return MS_ENOMEM;
        rc = add_ref(r, href, href_n, MS_HTML_REF_HREF, tok->name, &ref);
        if (rc != MS_OK)
            return rc;
    }
    long index = (long)d->n_links++;
    if (tag_is(tok->name, "area")) {
        size_t alt_n;
        const char *alt = ms_html_attr_get(tok, "alt", &alt_n);
        link->text = dup_trimmed(r->arena, alt ? alt : "", alt_n, NULL);
        if (link->text == NULL)
            return MS_ENOMEM;
        if (ref >= 0)
            d->refs[ref].display_text = link->text;
        return MS_OK;
    }
    r->open_link = index;
    r->open_link_ref = ref;
    r->open_link_text_at = r->text.n;
    r->open_link_has_image = false;
    return MS_OK;
}

/* Starts a form. */
static ms_status open_form(renderer *r, const ms_html_token *tok)
{
    ms_html_doc *d = r->doc;
    ms_status rc = MS_VEC_GROW(r->arena, d->forms, d->n_forms, d->cap_forms,
                               r->lim->max_forms);
    if (rc == MS_ELIMIT) {
        d->truncated = true;
        r->open_form = -1;
        return MS_OK;
    }
    if (rc != MS_OK)
        return rc;
    ms_html_form *f = &d->forms[d->n_forms];
    memset(f, 0, sizeof(*f));
    size_t n;
    const char *action = ms_html_attr_get(tok, "action", &n);
    if (action != NULL) {
        f->action = dup_trimmed(r->arena, action, n, NULL);
        if (f->action == NULL)
            return MS_ENOMEM;
    }
    const char *method = ms_html_attr_get(tok, "method", &n);
    char *m = method ? dup_trimmed(r->arena, method, n, NULL)
                     : ms_arena_strndup(r->arena, "get", 3);
    if (m == NULL)
        return MS_ENOMEM;
    for (char *c = m; *c; c++)
        *c = ms_ascii_lower(*c);
    f->method = m;
    r->open_form = (long)d->n_forms++;
    return MS_OK;
}

/* Records an input, select or textarea: in the open form if any, and in
 * the document's counters. */
static ms_status add_input(renderer *r, const ms_html_token *tok)
{
    size_t type_n = 0, name_n = 0;
    const char *type = NULL;
    if (tag_is(tok->name, "input")) {
        type = ms_html_attr_get(tok, "type", &type_n);
    } else {
        type = tok->name;
        type_n = strlen(tok->name);
    }
    if (type == NULL || type_n == 0) {
        type = "text";
        type_n = 4;
    }
    char *type_copy = dup_trimmed(r->arena, type, type_n, NULL);
    if (type_copy == NULL)
        return MS_ENOMEM;
    for (char *c = type_copy; *c; c++)
        *c = ms_ascii_lower(*c);
    if (tag_is(type_copy, "password"))
        r->doc->n_password_inputs++;
    if (tag_is(type_copy, "hidden"))
        r->doc->n_hidden_inputs++;
    if (r->open_form < 0)
        return MS_OK;
    ms_html_form *f = &r->doc->forms[r->open_form];
    if (tag_is(type_copy, "password"))
        f->has_password = true;
    ms_status rc = MS_VEC_GROW(r->arena, f->inputs, f->n_inputs, f->cap_inputs,
                               r->lim->max_inputs);
    if (rc == MS_ELIMIT) {
        f->truncated = true;
        r->doc->truncated = true;
        return MS_OK;
    }
    if (rc != MS_OK)
        return rc;
    const char *name = ms_html_attr_get(tok, "name", &name_n);
    ms_html_input *in = &f->inputs[f->n_inputs++];
    in->type = type_copy;
    in->name = name ? dup_trimmed(r->arena, name, name_n, NULL) : NULL;
    if (name != NULL && in->name == NULL)
        return MS_ENOMEM;
    return MS_OK;
}

/* Records an image source. */
static ms_status add_image(renderer *r, const char *src, size_t n)
{
    ms_html_doc *d = r->doc;
    ms_status rc = MS_VEC_GROW(r->arena, d->images, d->n_images, d->cap_images,
                               r->lim->max_images);
    if (rc == MS_ELIMIT) {
        d->truncated = true;
        return MS_OK;
    }
    if (rc != MS_OK)
        return rc;
    const char *copy = dup_trimmed(r->arena, src, n, NULL);
    if (copy == NULL)
        return MS_ENOMEM;
    d->images[d->n_images++] = copy;
    return MS_OK;
}

/* Attributes that hold one URL, and the kind each one gives. href is
 * handled with the element (links, base); src, action and formaction
 * below too. */
static const struct {
    const char *name;
    ms_html_ref_kind kind;
} url_attributes[] = {
    {"src", MS_HTML_REF_SRC},         {"action", MS_HTML_REF_FORM},
    {"formaction", MS_HTML_REF_FORM}, {"background", MS_HTML_REF_BACKGROUND},
    {"poster", MS_HTML_REF_OTHER},    {"cite", MS_HTML_REF_OTHER},
    {"longdesc", MS_HTML_REF_OTHER},  {"lowsrc", MS_HTML_REF_OTHER},
    {"dynsrc", MS_HTML_REF_OTHER},    {"xlink:href", MS_HTML_REF_OTHER},
    {"ping", MS_HTML_REF_OTHER},      {"manifest", MS_HTML_REF_OTHER},
    {"codebase", MS_HTML_REF_OTHER},
};

/* Handles the URL-bearing attributes of a start tag. */
static ms_status collect_attribute_refs(renderer *r, const ms_html_token *tok)
{
    const char *tag = tok->name;
    ms_status rc = MS_OK;
    for (size_t k = 0; k < tok->n_attrs && rc == MS_OK; k++) {
        const ms_html_attr *at = &tok->attrs[k];
        ms_slice name = at->name;
        if (ms_slice_eq_cstr_ci(name, "href")) {
            if (tag_is(tag, "a") || tag_is(tag, "area"))
                continue; /* done by open_link */
            long index;
            bool is_base = tag_is(tag, "base");
            rc = add_ref(r, at->value.p, at->value.n,
                         is_base ? MS_HTML_REF_BASE : MS_HTML_REF_HREF, tag,
                         &index);
            if (rc == MS_OK && is_base && index >= 0 &&
                r->doc->base_href == NULL)
                r->doc->base_href = r->doc->refs[index].url;
            continue;
        }
        if (ms_slice_eq_cstr_ci(name, "srcset")) {
            rc = scan_srcset(r, at->value.p, at->value.n, tag);
            continue;
        }
        if (ms_slice_eq_cstr_ci(name, "style")) {
            rc = scan_css(r, at->value.p, at->value.n, tag);
            continue;
        }
        if (ms_slice_eq_cstr_ci(name, "data") && tag_is(tag, "object")) {
            rc = add_ref(r, at->value.p, at->value.n, MS_HTML_REF_OTHER, tag,
                         NULL);
            continue;
        }
        /* OOXML relationships: <Relationship Target="https://..."
         * TargetMode="External"/> is how a document links out */
        if (ms_slice_eq_cstr_ci(name, "target") &&
            tag_is(tag, "relationship")) {
            size_t mode_n;
            const char *mode = ms_html_attr_get(tok, "targetmode", &mode_n);
            if (mode != NULL &&
                ms_slice_eq_cstr_ci((ms_slice){mode, mode_n}, "external"))
                rc = add_ref(r, at->value.p, at->value.n, MS_HTML_REF_OOXML,
                             tag, NULL);
            continue;
        }
        for (size_t u = 0;
             u < sizeof(url_attributes) / sizeof(url_attributes[0]); u++) {
            if (!ms_slice_eq_cstr_ci(name, url_attributes[u].name))
                continue;
            rc = add_ref(r, at->value.p, at->value.n, url_attributes[u].kind,
                         tag, NULL);
            if (rc == MS_OK && url_attributes[u].kind == MS_HTML_REF_SRC &&
                tag_is(tag, "img"))
                rc = add_image(r, at->value.p, at->value.n);
            break;
        }
    }
    return rc;
}

/* Elements whose content the tokenizer hands over as one text token. */
static const char *const raw_text_owners[] = {
    "script",  "style",    "title",    "xmp",       "iframe",
    "noembed", "noframes", "textarea", "plaintext", NULL};

/* Handles a start tag: structure (links, forms, line breaks) and the URLs
 * in its attributes. */
static ms_status start_tag(renderer *r, const ms_html_token *tok)
{
    const char *name = tok->name;
    ms_status rc = MS_OK;
    if (tag_is(name, "a") || tag_is(name, "area")) {
        rc = open_link(r, tok);
    } else if (tag_is(name, "form")) {
        rc = open_form(r, tok);
    } else if (tag_is(name, "input") || tag_is(name, "select") ||
               tag_is(name, "textarea")) {
        rc = add_input(r, tok);
    } else if (tag_is(name, "img")) {
        if (r->open_link >= 0)
            r->open_link_has_image = true;
    } else if (tag_is(name, "script")) {
        r->doc->n_scripts++;
    } else if (tag_is(name, "meta")) {
        size_t n;
        const char *equiv = ms_html_attr_get(tok, "http-equiv", &n);
        if (equiv && ms_slice_eq_cstr_ci(ms_slice_trim((ms_slice){equiv, n}),
                                         "refresh")) {
            const char *content = ms_html_attr_get(tok, "content", &n);
            if (content)
                rc = read_refresh(r, content, n);
        }
    }
    if (rc != MS_OK)
        return rc;
    if (tag_is(name, "br")) {
        /* each <br> is one more line break: two make a blank line */
        if (r->text.pending_newlines < MAX_NEWLINES_IN_A_ROW)
            r->text.pending_newlines++;
    } else if (name_in(name, block_elements)) {
        text_newline(&r->text, 1);
    } else if (tag_is(name, "td") || tag_is(name, "th")) {
        r->text.pending_space = true;
    }
    for (const char *const *raw = raw_text_owners; *raw != NULL; raw++) {
        if (tag_is(name, *raw))
            r->raw_owner = *raw;
    }
    return collect_attribute_refs(r, tok);
}

/* Handles an end tag. */
static ms_status end_tag(renderer *r, const ms_html_token *tok)
{
    const char *name = tok->name;
    if (tag_is(name, "a"))
        return close_link(r);
    if (tag_is(name, "form"))
        r->open_form = -1;
    if (name_in(name, block_elements))
        text_newline(&r->text, 1);
    return MS_OK;
}

/* Handles a text token according to the element it belongs to: script,
 * style and friends are not visible; title is kept apart; xmp, textarea
 * and plaintext show their text as it is. owner is the element the
 * text belongs to when it is raw text, else NULL. */
static ms_status text_token(renderer *r, const ms_html_token *tok,
                            const char *owner)
{
    if (owner == NULL || tag_is(owner, "textarea"))
        return text_append_html(&r->text, tok->text.p, tok->text.n);
    if (tag_is(owner, "title")) {
        if (r->doc->title != NULL)
            return MS_OK;
        ms_buf b;
        ms_buf_init(&b, MS_HTML_MAX_LINK_TEXT);
        ms_status rc =
            ms_html_decode_append(&b, tok->text.p, tok->text.n, false);
        (void)rc; /* a title cut at the ceiling is still a title */
        r->doc->title = dup_trimmed(r->arena, b.p ? b.p : "", b.n, NULL);
        ms_buf_free(&b);
        return r->doc->title ? MS_OK : MS_ENOMEM;
    }
    if (tag_is(owner, "style"))
        return scan_css(r, tok->text.p, tok->text.n, "style");
    if (tag_is(owner, "xmp") || tag_is(owner, "plaintext"))
        return text_visible(&r->text, tok->text.p, tok->text.n);
    return MS_OK; /* script, iframe, noembed, noframes */
}

/* Renders a document; see render.h. */
ms_status ms_html_render(ms_arena *a, const char *p, size_t n,
                         const ms_html_limits *lim, ms_html_doc *out)
{
    return ms_html_render_with(a, p, n, lim, NULL, NULL, out);
}

/* Renders a document, showing every token to fn; see render.h. */
ms_status ms_html_render_with(ms_arena *a, const char *p, size_t n,
                              const ms_html_limits *lim, ms_html_token_fn fn,
                              void *ctx, ms_html_doc *out)
{
    ms_html_limits defaults;
    if (lim == NULL) {
        ms_html_limits_default(&defaults);
        lim = &defaults;
    }
    memset(out, 0, sizeof(*out));
    renderer r;
    memset(&r, 0, sizeof(r));
    r.arena = a;
    r.lim = lim;
    r.doc = out;
    r.text.arena = a;
    r.text.max = lim->max_text_bytes;
    r.open_link = -1;
    r.open_link_ref = -1;
    r.open_form = -1;

    ms_html_tokenizer t;
    ms_html_tokenizer_init(&t, a, p, n);
    ms_status rc = MS_OK;
    for (;;) {
        ms_html_token tok;
        rc = ms_html_next(&t, &tok);
        if (rc != MS_OK || tok.type == MS_HTML_EOF)
            break;
        if (fn != NULL && (rc = fn(ctx, &tok)) != MS_OK)
            break;
        /* raw text comes right after its start tag, or not at all */
        const char *owner = r.raw_owner;
        r.raw_owner = NULL;
        switch (tok.type) {
        case MS_HTML_TEXT:
            rc = text_token(&r, &tok, owner);
            break;
        case MS_HTML_START_TAG:
            rc = start_tag(&r, &tok);
            break;
        case MS_HTML_END_TAG:
            rc = end_tag(&r, &tok);
            break;
        default:
            break;
        }
        if (rc != MS_OK)
            break;
    }
    if (rc == MS_OK)
        rc = close_link(&r);
    if (rc != MS_OK)
        return rc;
    if (r.text.p == NULL) {
        r.text.p = ms_arena_strndup(a, "", 0);
        if (r.text.p == NULL)
            return MS_ENOMEM;
    }
    out->text = r.text.p;
    out->text_len = r.text.n;
    out->n_unterminated = t.n_unterminated;
    out->n_duplicate_attrs = t.n_duplicate_attrs;
    out->n_dropped_attrs = t.n_dropped_attrs;
    if (r.text.truncated)
        out->truncated = true;
    return MS_OK;
}
