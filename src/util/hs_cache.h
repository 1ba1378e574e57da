/* SPDX-License-Identifier: MIT */
/*
 * Hyperscan literal databases kept between runs. Compiling the phishing
 * lists takes longer than analyzing a thousand mails; loading the
 * compiled database from a cache folder takes a millisecond.
 */
#ifndef MS_UTIL_HS_CACHE_H
#define MS_UTIL_HS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <hs/hs.h>
#include <openssl/evp.h>

/* Compiles n literals in block mode as hs_compile_lit_multi does. When
 * dir is not NULL the database is first looked for there, and kept there
 * once compiled; a cache file is named by the SHA-256 of the library
 * version, the CPU features and every literal with its flags and id, so
 * a stale one is never read. A cache that cannot be read or written is
 * passed over silently: the database is compiled as without one. */
hs_error_t ms_hs_compile_lit_cached(const char *dir, const char *const *lits,
                                    const unsigned *flags, const unsigned *ids,
                                    const size_t *lens, unsigned n,
                                    hs_database_t **db,
                                    hs_compile_error_t **err);

/* The pieces other caches build on. A cache file is a caller's header,
 * then the serialized database's size as 8 bytes, then the database. */

/* Starts the SHA-256 that names a cache file with magic, the library
 * version and the CPU features; the caller adds its patterns. NULL when
 * out of memory. */
EVP_MD_CTX *ms_hs_cache_key_begin(const char *magic);

/* Ends the key begun above (ok false: the caller's updates failed) and
 * writes dir/<hex>.hsdb into path; frees ctx. False on failure. */
bool ms_hs_cache_key_path(EVP_MD_CTX *ctx, bool ok, const char *dir, char *path,
                          size_t size);

/* Reads the size and the database that follow the header at f's
 * position, which must end the file; false when they do not read back
 * whole. */
bool ms_hs_cache_read_db(FILE *f, hs_database_t **db);

/* Writes head (head_len bytes) and db to path, creating dir; through a
 * temporary file renamed into place. Failures are silent. */
void ms_hs_cache_save(const char *dir, const char *path, const void *head,
                      size_t head_len, const hs_database_t *db);

#endif
