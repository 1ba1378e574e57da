/* SPDX-License-Identifier: MIT */
/*
 * Conversion of text to UTF-8 from the charset a mail declares. Every
 * text the analyzers read is UTF-8; this module gets it there from
 * whatever label the sender wrote, right or wrong.
 */
#ifndef MS_MIME_CHARSET_H
#define MS_MIME_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/message.h"

/* Returns the canonical iconv name for a charset label as found in mail
 * (any case, quotes and white space ignored), resolving the aliases real
 * mail uses, or NULL when the label is empty, says nothing (x-unknown,
 * unknown-8bit, default) or is unknown to iconv. UTF-8 and ASCII labels
 * give "UTF-8"; ISO-8859-1 and its aliases give "WINDOWS-1252" (see
 * charset.c); other names iconv knows give their upper-case form. The
 * string is static and shared by all threads. */
const char *ms_charset_canonical(const char *label, size_t n);

/* True when the bytes are valid UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF); ASCII runs are checked 8 bytes at a time. */
bool ms_utf8_valid(const char *p, size_t n);

/* Converts n bytes declared in charset (label as in the mail, may be
 * NULL) to UTF-8. Valid UTF-8 under a UTF-8, ASCII or missing label
 * passes through without a copy (*out may point into in). Invalid bytes
 * become U+FFFD, or, with no label, are read as windows-1252 (what 8-bit
 * mail without a label usually is); both are noted
 * (CharsetConversionDefect). Other labels go through iconv (one cached
 * descriptor per thread and charset); undecodable bytes become U+FFFD,
 * noted once. UTF-8 text under a single-byte label is read as labelled
 * and noted (CharsetMismatchDefect). An unknown label is noted
 * (UnknownCharsetDefect) and read as if missing. *out is arena memory or
 * in itself, not NUL-terminated. Safe to call from many threads. */
ms_status ms_charset_to_utf8(ms_arena *a, ms_message *m, const char *path,
                             const char *charset, const char *in, size_t n,
                             const char **out, size_t *out_len);

#endif
