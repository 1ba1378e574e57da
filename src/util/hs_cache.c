/* SPDX-License-Identifier: MIT */
/*
 * The literal database cache (see hs_cache.h). A file holds "MSLT0001",
 * the size of the serialized database as 8 bytes, then the database. It
 * is written to a temporary name and renamed into place, so a reader
 * never sees half a file and two runs may fill the cache at once.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/dir.h"
#include "util/hs_cache.h"

#define LIT_MAGIC "MSLT0001"

/* Starts a cache key; see hs_cache.h. */
EVP_MD_CTX *ms_hs_cache_key_begin(const char *magic)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return NULL;
    hs_platform_info_t plat;
    memset(&plat, 0, sizeof(plat));
    hs_populate_platform(&plat);
    const char *version = hs_version();
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
        EVP_DigestUpdate(ctx, magic, strlen(magic) + 1) == 1 &&
        EVP_DigestUpdate(ctx, version, strlen(version) + 1) == 1 &&
        EVP_DigestUpdate(ctx, &plat, sizeof(plat)) == 1)
        return ctx;
    EVP_MD_CTX_free(ctx);
    return NULL;
}

/* Ends a cache key into a file name; see hs_cache.h. */
bool ms_hs_cache_key_path(EVP_MD_CTX *ctx, bool ok, const char *dir, char *path,
                          size_t size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &md_len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return false;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned k = 0; k < md_len; k++)
        snprintf(hex + 2 * k, 3, "%02x", md[k]);
    int w = snprintf(path, size, "%s/%s.hsdb", dir, hex);
    return w > 0 && (size_t)w < size;
}

/* Writes the cache file name for the literals into path. */
static bool cache_path(const char *dir, const char *const *lits,
                       const unsigned *flags, const unsigned *ids,
                       const size_t *lens, unsigned n, char *path, size_t size)
{
    EVP_MD_CTX *ctx = ms_hs_cache_key_begin(LIT_MAGIC);
    if (ctx == NULL)
        return false;
    bool ok = EVP_DigestUpdate(ctx, &n, sizeof(n)) == 1;
    for (unsigned k = 0; k < n && ok; k++) {
        uint64_t len = lens[k];
        ok = EVP_DigestUpdate(ctx, &flags[k], sizeof(flags[k])) == 1 &&
             EVP_DigestUpdate(ctx, &ids[k], sizeof(ids[k])) == 1 &&
             EVP_DigestUpdate(ctx, &len, sizeof(len)) == 1 &&
             EVP_DigestUpdate(ctx, lits[k], lens[k]) == 1;
    }
    return ms_hs_cache_key_path(ctx, ok, dir, path, size);
}

/* Reads the database after a header; see hs_cache.h. */
bool ms_hs_cache_read_db(FILE *f, hs_database_t **db)
{
    uint64_t size = 0;
    if (fread(&size, sizeof(size), 1, f) != 1 || size == 0 ||
        size >= ((uint64_t)1 << 32))
        return false;
    char *bytes = malloc(size);
    bool ok = bytes != NULL && fread(bytes, 1, size, f) == size &&
              fgetc(f) == EOF &&
              hs_deserialize_database(bytes, size, db) == HS_SUCCESS;
    free(bytes);
    return ok;
}

/* Writes a header and a database; see hs_cache.h. */
void ms_hs_cache_save(const char *dir, const char *path, const void *head,
                      size_t head_len, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t size = 0;
    if (!ms_dir_make_all(dir) ||
        hs_serialize_database(db, &bytes, &size) != HS_SUCCESS)
        return;
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    uint64_t size64 = size;
    bool ok = f != NULL && fwrite(head, 1, head_len, f) == head_len &&
              fwrite(&size64, sizeof(size64), 1, f) == 1 &&
              fwrite(bytes, 1, size, f) == size;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
    free(bytes);
}

/* Reads a cached literal database; false when there is none whole. */
static bool cache_read(const char *path, hs_database_t **db)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    char magic[sizeof(LIT_MAGIC) - 1];
    bool ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
              memcmp(magic, LIT_MAGIC, sizeof(magic)) == 0 &&
              ms_hs_cache_read_db(f, db);
    fclose(f);
    return ok;
}

/* Compiles through the cache; see hs_cache.h. */
hs_error_t ms_hs_compile_lit_cached(const char *dir, const char *const *lits,
                                    const unsigned *flags, const unsigned *ids,
                                    const size_t *lens, unsigned n,
                                    hs_database_t **db,
                                    hs_compile_error_t **err)
{
    char path[4096];
    bool cached = dir != NULL && cache_path(dir, lits, flags, ids, lens, n,
                                            path, sizeof(path));
    if (cached && cache_read(path, db))
        return HS_SUCCESS;
    hs_error_t rc = hs_compile_lit_multi(lits, flags, ids, lens, n,
                                         HS_MODE_BLOCK, NULL, db, err);
    if (rc == HS_SUCCESS && cached)
        ms_hs_cache_save(dir, path, LIT_MAGIC, sizeof(LIT_MAGIC) - 1, *db);
    return rc;
}
