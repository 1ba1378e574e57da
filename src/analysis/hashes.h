/* SPDX-License-Identifier: MIT */
/*
 * Hashes of an attachment's decoded bytes: md5, sha1, sha256, sha512 and
 * the ssdeep fuzzy hash. The bytes are walked once in cache-sized chunks
 * and every chunk is fed to the four digests while it is still hot, so a
 * large attachment is read from memory once rather than four times;
 * ssdeep takes two passes of its own.
 */
#ifndef MS_ANALYSIS_HASHES_H
#define MS_ANALYSIS_HASHES_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/status.h"

/* Room for an ssdeep digest and its NUL (MS_SSDEEP_DIGEST_MAX). */
#define MS_SSDEEP_MAX 148

/* The hex digests of one file; every string is NUL-terminated and
 * lower-case. ssdeep is "" when it was not computed. */
typedef struct ms_hashes {
    char md5[33];
    char sha1[41];
    char sha256[65];
    char sha512[129];
    char ssdeep[MS_SSDEEP_MAX];
} ms_hashes;

/* Computes all digests of the n bytes at p. The ssdeep hash
 * is computed only when with_ssdeep is true (callers skip it for files
 * past their ssdeep ceiling). Returns MS_OK, or MS_ENOMEM when a hasher
 * cannot be created; out is then zeroed. */
ms_status ms_hashes_compute(const unsigned char *p, size_t n, bool with_ssdeep,
                            ms_hashes *out);

#endif
