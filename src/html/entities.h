/* SPDX-License-Identifier: MIT */
/*
 * HTML character references: "&amp;", "&#233;", "&#x41;". Every numeric
 * form is decoded (with the HTML5 repairs: NUL, surrogates and values past
 * U+10FFFF become U+FFFD, 0x80-0x9F are read as windows-1252); of the 2,000
 * named references only the common ones are known, plus the punctuation
 * names ("&colon;", "&sol;", "&period;") that phishing kits use to hide
 * "http://" from filters that only look for the plain text.
 */
#ifndef MS_HTML_ENTITIES_H
#define MS_HTML_ENTITIES_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"
#include "util/buf.h"

/* Bytes one decoded reference may take (a UTF-8 code point). */
#define MS_HTML_ENTITY_MAX_OUT 4

/* Decodes the reference that starts at p[0] == '&' (n bytes available).
 * in_attribute applies the HTML5 rule for attribute values: a named
 * reference without its ';' followed by '=' or a letter or digit stays
 * literal, so "?a=1&copy=2" keeps its query. Writes the UTF-8 bytes to
 * out and returns how many; *consumed receives the bytes of input used.
 * Returns 0 when p does not start a reference (the '&' is literal). */
size_t ms_html_entity_decode(const char *p, size_t n, bool in_attribute,
                             char out[MS_HTML_ENTITY_MAX_OUT],
                             size_t *consumed);

/* Decodes every reference in the n bytes at p. When there is none, *out
 * points at p itself (no copy); otherwise at a NUL-terminated copy in the
 * arena. Returns MS_OK, or MS_ENOMEM when the arena refuses. */
ms_status ms_html_decode(ms_arena *a, const char *p, size_t n,
                         bool in_attribute, const char **out, size_t *out_n);

/* Appends the n bytes at p to b with every reference decoded. Returns the
 * buffer's status. */
ms_status ms_html_decode_append(ms_buf *b, const char *p, size_t n,
                                bool in_attribute);

/* Writes code point cp as UTF-8 into out (room for 4) and returns the
 * length; invalid code points are written as U+FFFD. */
size_t ms_html_utf8_encode(unsigned long cp, char *out);

#endif
