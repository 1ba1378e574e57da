/* SPDX-License-Identifier: MIT */
/*
 * A streaming HTML tokenizer: it cuts a document into text, start tags
 * (with their attributes), end tags, comments and doctypes, one token per
 * call, in one pass and without recursion, the way browsers cut broken
 * markup (HTML5 tokenization, simplified). Hostile markup cannot make it
 * fail or slow down: unterminated quotes, tags and comments end at the end
 * of the input, and the number of attributes kept per tag has a ceiling.
 *
 * Tag and attribute names are lower-cased; attribute values are
 * entity-decoded (into the arena only when they hold a '&'). Text tokens
 * are raw slices of the input: decode them with ms_html_decode() when
 * needed. The content of script, style and the other raw-text elements is
 * one text token whose `raw_text` is set; markup inside it is not parsed.
 */
#ifndef MS_HTML_TOKENIZER_H
#define MS_HTML_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/slice.h"
#include "mailscope/status.h"

/* Attributes kept per tag; later ones are counted in n_dropped_attrs. */
#define MS_HTML_MAX_ATTRS 64
/* Bytes of a tag name kept (lower-cased, NUL-terminated); longer names
 * are cut, which no real element needs. */
#define MS_HTML_MAX_TAG_NAME 31

typedef enum ms_html_token_type {
    MS_HTML_EOF = 0,   /* no more tokens */
    MS_HTML_TEXT,      /* character data, raw (entities not decoded) */
    MS_HTML_START_TAG, /* <name attr=value ...> */
    MS_HTML_END_TAG,   /* </name> */
    MS_HTML_COMMENT,   /* <!-- ... -->, and <? ... > read as a comment */
    MS_HTML_DOCTYPE    /* <!DOCTYPE ...>, <![CDATA[ ...> and other <!...> */
} ms_html_token_type;

/* One attribute of a start tag. name is lower-cased (in the arena when
 * it had upper case), value is entity-decoded; both NUL-terminated only
 * when copied, so use the lengths. */
typedef struct ms_html_attr {
    ms_slice name;
    ms_slice value; /* empty when the attribute had no value */
} ms_html_attr;

typedef struct ms_html_token {
    ms_html_token_type type;
    char name[MS_HTML_MAX_TAG_NAME + 1]; /* tag name, lower-case */
    ms_slice text;             /* TEXT: the characters; COMMENT: its content */
    ms_slice raw;              /* the whole token as written in the input */
    const ms_html_attr *attrs; /* START_TAG: the attributes kept */
    size_t n_attrs;
    bool self_closing; /* START_TAG written <name ... /> */
    bool raw_text;     /* TEXT inside script, style, xmp, ... */
} ms_html_token;

/* The tokenizer state; fields are private. */
typedef struct ms_html_tokenizer {
    ms_arena *arena;
    const char *p;
    size_t n;
    size_t pos;
    char raw_until[MS_HTML_MAX_TAG_NAME + 1]; /* "" or the raw element */
    size_t raw_until_len;
    ms_html_attr attrs[MS_HTML_MAX_ATTRS];
    size_t n_dropped_attrs;   /* attributes past MS_HTML_MAX_ATTRS */
    size_t n_duplicate_attrs; /* repeated names (the first one wins) */
    size_t n_unterminated;    /* tags, comments or quotes cut by the end */
} ms_html_tokenizer;

/* Starts tokenizing the n bytes at p, which must outlive the tokens. The
 * arena receives the decoded attribute values. */
void ms_html_tokenizer_init(ms_html_tokenizer *t, ms_arena *a, const char *p,
                            size_t n);

/* Reads the next token into tok (valid until the next call for its
 * attributes). Returns MS_OK, with tok->type == MS_HTML_EOF at the end;
 * MS_ENOMEM when the arena refuses a decoded value. */
ms_status ms_html_next(ms_html_tokenizer *t, ms_html_token *tok);

/* Returns the value of the attribute called name (lower-case) of a start
 * tag, or NULL when absent; *n receives its length. */
const char *ms_html_attr_get(const ms_html_token *tok, const char *name,
                             size_t *n);

#endif
