/* SPDX-License-Identifier: MIT */
/*
 * The true type of a file: libmagic's MIME type and description of the
 * bytes, the file name's extension, and whether the declared type, the
 * extension and the true type disagree (a ".pdf" that is a PE file is how
 * droppers get past people and naive gateways).
 *
 * libmagic's magic_t is not thread-safe, so each worker thread owns one
 * ms_filetype_scratch; it loads the magic database once and is reused for
 * every file that thread sees.
 */
#ifndef MS_ANALYSIS_FILETYPE_H
#define MS_ANALYSIS_FILETYPE_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"

/* libmagic looks only at this many leading bytes: every signature it
 * needs for mail attachments (ISO 9660's at 32 KiB included) sits within
 * them, and a 20 MB attachment then costs the same as a 64 KB one. */
#define MS_FILETYPE_PREFIX_BYTES (64 * 1024)
/* Longest extension taken from a file name; longer tails are not
 * extensions ("report.2024 final version"). */
#define MS_FILETYPE_MAX_EXTENSION 10

typedef struct ms_filetype_scratch ms_filetype_scratch;

/* Opens libmagic and loads its default database for the calling thread.
 * Returns MS_OK; MS_EINVAL with the reason in err when the database
 * cannot be loaded; MS_ENOMEM. Free with ms_filetype_scratch_free. */
ms_status ms_filetype_scratch_new(ms_filetype_scratch **out, char *err,
                                  size_t err_size);

/* Closes libmagic. NULL is fine. */
void ms_filetype_scratch_free(ms_filetype_scratch *s);

/* Identifies the n bytes at p: *mime_type gets libmagic's MIME type
 * ("application/pdf"), *description its text ("PDF document, version
 * 1.4"), both copied into the arena. When libmagic gives no answer the
 * MIME type is "application/octet-stream" and the description "data".
 * Returns MS_OK or MS_ENOMEM. */
ms_status ms_filetype_detect(ms_filetype_scratch *s, ms_arena *a,
                             const unsigned char *p, size_t n,
                             const char **mime_type, const char **description);

/* Returns the lower-cased extension of filename without the dot ("exe"),
 * copied into the arena, or "" when the name has none (no dot, a tail
 * that is too long or not alphanumeric). NULL only when out of memory. */
const char *ms_filetype_extension(ms_arena *a, const char *filename);

/* Checks the declared content type and the extension against the true
 * MIME type. Returns true when either one claims a family of files the
 * bytes do not belong to, and then copies a short reason into the arena
 * (*reason). Generic claims (application/octet-stream, no extension, an
 * unknown extension) and an unidentified true type never mismatch. */
bool ms_filetype_mismatch(ms_arena *a, const char *declared,
                          const char *extension, const char *true_mime,
                          const char **reason);

#endif
