/* SPDX-License-Identifier: MIT */
/*
 * Header values: unfolding (RFC 5322 2.2.3) and decoding of RFC 2047
 * encoded words and raw 8-bit bytes to UTF-8.
 */
#ifndef MS_MIME_RFC2047_H
#define MS_MIME_RFC2047_H

#include <stddef.h>

#include "mailscope/message.h"

/* Unfolds a raw header value: removes each line end that is followed by
 * a space or tab, drops a final line end, and trims white space. Returns
 * a NUL-terminated arena string. */
ms_status ms_header_unfold(ms_arena *a, const char *in, size_t n,
                           const char **out, size_t *out_len);

/* Unfolds and decodes a header value to UTF-8 (see rfc2047.c for the
 * malformed forms accepted). Returns a NUL-terminated arena string. */
ms_status ms_rfc2047_decode(ms_arena *a, ms_message *m, const char *path,
                            const char *in, size_t n, const char **out,
                            size_t *out_len);

/* Like ms_rfc2047_decode, reading raw 8-bit bytes that are not UTF-8 in
 * the fallback charset (NULL: windows-1252). Mail clients read such
 * headers in the charset of the message body; so does the parser. */
ms_status ms_rfc2047_decode_fallback(ms_arena *a, ms_message *m,
                                     const char *path, const char *in, size_t n,
                                     const char *fallback, const char **out,
                                     size_t *out_len);

#endif
