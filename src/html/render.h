/* SPDX-License-Identifier: MIT */
/*
 * HTML to what a reader sees and what a click opens. One pass of the
 * tokenizer gives:
 *
 *   text      the visible text: script, style, head and comments dropped,
 *             entities decoded, white space collapsed, block elements and
 *             <br> made into line breaks, cells separated by a tab
 *   links     every <a>/<area> href with the visible text of the link
 *   refs      every URL the markup holds, with the kind of place it was in
 *             (href, src, form action, background, srcset, CSS url(),
 *             meta refresh, base, OOXML relationship target)
 *   forms     action, method and inputs (type, name), password fields
 *   images    the src of every <img>
 *   base      the first <base href>, meta refresh, title, script count
 *
 * Spam rules render bodies with it, phishing reads forms and links, and
 * the URL extractor reads refs. URLs are handed out as written (entity
 * decoded, not resolved against base; ms_url_resolve() does that).
 * Everything lives in the arena given.
 */
#ifndef MS_HTML_RENDER_H
#define MS_HTML_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"
#include "html/tokenizer.h"

/* Default ceilings of one rendered document. */
#define MS_HTML_DEFAULT_MAX_TEXT_BYTES (4u << 20)
#define MS_HTML_DEFAULT_MAX_REFS       200000
#define MS_HTML_DEFAULT_MAX_FORMS      64
#define MS_HTML_DEFAULT_MAX_INPUTS     256 /* per form */
#define MS_HTML_DEFAULT_MAX_IMAGES     10000
/* Bytes of a link's visible text kept. */
#define MS_HTML_MAX_LINK_TEXT 512

/* Where in the markup a URL was found. */
typedef enum ms_html_ref_kind {
    MS_HTML_REF_HREF = 0,   /* a, area, link href */
    MS_HTML_REF_SRC,        /* img, script, iframe, embed, ... src */
    MS_HTML_REF_FORM,       /* form action, button/input formaction */
    MS_HTML_REF_BACKGROUND, /* background attribute */
    MS_HTML_REF_SRCSET,     /* one candidate of srcset */
    MS_HTML_REF_CSS,        /* url(...) or @import in style */
    MS_HTML_REF_REFRESH,    /* <meta http-equiv=refresh content="0;url=">*/
    MS_HTML_REF_BASE,       /* <base href> */
    MS_HTML_REF_OTHER,      /* poster, data, cite, longdesc, ... */
    MS_HTML_REF_OOXML       /* <Relationship Target=...> in OOXML _rels */
} ms_html_ref_kind;

/* One URL in the markup. */
typedef struct ms_html_ref {
    const char *url; /* as written, entity-decoded, trimmed */
    size_t url_len;
    ms_html_ref_kind kind;
    const char *tag;          /* lower-case element name */
    const char *display_text; /* <a>/<area>: visible text, else NULL */
} ms_html_ref;

/* One <a> or <area>. */
typedef struct ms_html_link {
    const char *href; /* entity-decoded, NULL when the tag had none */
    const char *text; /* visible text (alt text for area), may be "" */
    bool image_only;  /* the link shows an image and no text */
} ms_html_link;

typedef struct ms_html_input {
    const char *type; /* lower-case, "text" when not given */
    const char *name; /* NULL when none */
} ms_html_input;

typedef struct ms_html_form {
    const char *action; /* NULL when none (the page itself) */
    const char *method; /* lower-case, "get" when not given */
    ms_html_input *inputs;
    size_t n_inputs, cap_inputs;
    bool has_password; /* an <input type=password> */
    bool truncated;    /* inputs past the ceiling were dropped */
} ms_html_form;

/* Ceilings; ms_html_limits_default() fills the defaults. */
typedef struct ms_html_limits {
    size_t max_text_bytes;
    size_t max_refs;
    size_t max_forms;
    size_t max_inputs;
    size_t max_images;
} ms_html_limits;

typedef struct ms_html_doc {
    const char *text; /* visible text, UTF-8 as the input, NUL-terminated */
    size_t text_len;
    const char *title; /* NULL when none */
    ms_html_ref *refs;
    size_t n_refs, cap_refs;
    ms_html_link *links;
    size_t n_links, cap_links;
    ms_html_form *forms;
    size_t n_forms, cap_forms;
    const char **images;
    size_t n_images, cap_images;
    const char *base_href;    /* first <base href>, NULL when none */
    const char *refresh_url;  /* meta refresh target, NULL when none */
    long refresh_delay;       /* seconds, when refresh_url is set */
    size_t n_scripts;         /* <script> elements */
    size_t n_password_inputs; /* anywhere, in a form or not */
    size_t n_hidden_inputs;
    /* hostile-markup counters, for defects and rules */
    size_t n_unterminated;    /* tags, comments, quotes cut by the end */
    size_t n_duplicate_attrs; /* repeated attribute names */
    size_t n_dropped_attrs;   /* attributes past the per-tag ceiling */
    bool truncated;           /* a ceiling was reached somewhere */
} ms_html_doc;

/* Fills lim with the defaults above. */
void ms_html_limits_default(ms_html_limits *lim);

/* Renders the n bytes of HTML at p into out (zeroed first). lim NULL
 * means the defaults. Returns MS_OK for any input; MS_ENOMEM when the
 * arena refuses. Ceilings reached set out->truncated. */
ms_status ms_html_render(ms_arena *a, const char *p, size_t n,
                         const ms_html_limits *lim, ms_html_doc *out);

/* Called with every token of the document, before the renderer handles
 * it, so a caller that wants more of the markup reads it in the same
 * pass. A status other than MS_OK stops the rendering and is returned. */
typedef ms_status (*ms_html_token_fn)(void *ctx, const ms_html_token *tok);

/* As ms_html_render, handing every token to fn first. */
ms_status ms_html_render_with(ms_arena *a, const char *p, size_t n,
                              const ms_html_limits *lim, ms_html_token_fn fn,
                              void *ctx, ms_html_doc *out);

/* Returns the short name of a ref kind as used in URL sources ("href",
 * "src", "form", "background", "srcset", "css", "refresh", "base",
 * "other", "ooxml"). */
const char *ms_html_ref_kind_name(ms_html_ref_kind kind);

#endif
