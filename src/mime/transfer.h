/* SPDX-License-Identifier: MIT */
/*
 * Content-Transfer-Encoding decoders: base64, quoted-printable and
 * uuencode, and the dispatcher that applies an encoding by name. Each
 * decoder keeps everything it can decode and notes what it had to skip as
 * a defect on the message (m may be NULL).
 */
#ifndef MS_MIME_TRANSFER_H
#define MS_MIME_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/message.h"

/* Decodes base64. White space is skipped silently; any other byte outside
 * the alphabet is skipped and noted once (InvalidBase64CharactersDefect);
 * data after the padding and missing or wrong padding
 * (InvalidBase64PaddingDefect) and a dangling single character
 * (InvalidBase64LengthDefect) are noted, and everything decodable is kept.
 * *out is arena memory, NUL-terminated for convenience, *out_len its
 * length. */
ms_status ms_base64_decode(ms_arena *a, ms_message *m, const char *path,
                           const char *in, size_t n, unsigned char **out,
                           size_t *out_len);

/* Decodes quoted-printable (RFC 2045 6.7): soft line breaks ('=' before CRLF
 * or LF, trailing white space before the break tolerated), "=XX" in either
 * case; an invalid escape is kept literally and noted
 * (InvalidQuotedPrintableDefect). With header_mode (the RFC 2047 Q form)
 * '_' is a space and there are no soft line breaks. *out is arena memory,
 * NUL-terminated. */
ms_status ms_qp_decode(ms_arena *a, ms_message *m, const char *path,
                       const char *in, size_t n, bool header_mode,
                       unsigned char **out, size_t *out_len);

/* Decodes a uuencoded body ("begin MODE NAME" ... "end"); lines before the
 * begin line are skipped, and without one decoding starts at the top. Bad
 * lines and a missing "end" are noted (InvalidUuencodeDefect). *filename
 * (may be NULL) gets the arena copy of the begin line's name, or NULL. */
ms_status ms_uu_decode(ms_arena *a, ms_message *m, const char *path,
                       const char *in, size_t n, unsigned char **out,
                       size_t *out_len, const char **filename);

/* A uuencoded block found inside a text body (offsets into the text). */
typedef struct ms_uu_block {
    size_t start, end;
    const char *filename;
    unsigned char *data;
    size_t len;
} ms_uu_block;

/* Finds and decodes up to max_blocks uuencoded blocks ("begin 644 name",
 * uu lines, "end") embedded in a text body, where old mailers put files.
 * A block whose "end" is lost stops at the first line that is not uu data.
 * More blocks than max_blocks are noted (limit_uuencoded_blocks). Costs
 * one memmem scan when no line starts with "begin ". *blocks is an arena
 * array (NULL when none). */
ms_status ms_uu_find_blocks(ms_arena *a, ms_message *m, const char *path,
                            const char *text, size_t n, size_t max_blocks,
                            ms_uu_block **blocks, size_t *n_blocks);

/* Applies the named transfer encoding (any case): base64,
 * quoted-printable, x-uuencode/uuencode/x-uue; 7bit, 8bit, binary and
 * NULL are the identity (*out points into in). Unknown encodings are the
 * identity plus a defect. Output past max_out bytes (0: no ceiling) is
 * cut with a limit_decoded_bytes defect. */
ms_status ms_transfer_decode(ms_arena *a, ms_message *m, const char *path,
                             const char *encoding, const char *in, size_t n,
                             size_t max_out, const unsigned char **out,
                             size_t *out_len);

#endif
