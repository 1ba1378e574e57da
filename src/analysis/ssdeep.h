/* SPDX-License-Identifier: MIT */
/*
 * The ssdeep context-triggered piecewise hash of a buffer, the same
 * digest libfuzzy's fuzzy_hash_buf gives (flags 0: the second part cut
 * to 32 characters, runs of a character kept), computed in two passes
 * that do a fraction of libfuzzy's work per byte.
 */
#ifndef MS_ANALYSIS_SSDEEP_H
#define MS_ANALYSIS_SSDEEP_H

#include <stddef.h>

/* Room for a digest and its NUL: "blocksize:" (at most 11 digits and the
 * colon), 64 + 1 characters, a colon, 32 + 1 characters. libfuzzy's
 * FUZZY_MAX_RESULT (148) is larger still and is what callers reserve. */
#define MS_SSDEEP_DIGEST_MAX 148

/* Writes the ssdeep digest of the n bytes at p into out (at least
 * MS_SSDEEP_DIGEST_MAX bytes). Returns 0, or -1 when n is past what
 * ssdeep's block sizes cover (about 51 GB); out is then "". */
int ms_ssdeep(const unsigned char *p, size_t n, char *out);

#endif
