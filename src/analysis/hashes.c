/* SPDX-License-Identifier: MIT */
/*
 * One-pass hashing of attachment bytes (see hashes.h). OpenSSL's EVP
 * interface gives the four cryptographic digests, which accept data
 * piecewise, so the loop below hands each chunk to all of them before
 * moving on: the chunk is small enough to stay in L2 while four hashers
 * read it. The ssdeep hash (ssdeep.c) then takes its two passes.
 */
#include <string.h>

#include <openssl/evp.h>

#include "analysis/hashes.h"
#include "analysis/ssdeep.h"

/* Bytes handed to every hasher per round: small enough to stay in the
 * L2 cache of any current core while the five hashers read it. */
#define HASH_CHUNK_BYTES (64 * 1024)

_Static_assert(MS_SSDEEP_MAX >= MS_SSDEEP_DIGEST_MAX,
               "ssdeep buffer smaller than a digest");

/* Writes the n bytes of digest as lower-case hex followed by a NUL into
 * out, which holds at least 2 * n + 1 bytes. */
static void digest_to_hex(const unsigned char *digest, unsigned n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Computes the digests (see hashes.h). The EVP_MD objects are OpenSSL's
 * built-in ones, which need no fetching or freeing. */
ms_status ms_hashes_compute(const unsigned char *p, size_t n, bool with_ssdeep,
                            ms_hashes *out)
{
    const EVP_MD *mds[4] = {EVP_md5(), EVP_sha1(), EVP_sha256(), EVP_sha512()};
    char *hex_out[4] = {out->md5, out->sha1, out->sha256, out->sha512};
    EVP_MD_CTX *ctx[4] = {NULL, NULL, NULL, NULL};
    ms_status rc = MS_ENOMEM;

    memset(out, 0, sizeof(*out));
    for (int i = 0; i < 4; i++) {
        ctx[i] = EVP_MD_CTX_new();
        if (ctx[i] == NULL || EVP_DigestInit_ex(ctx[i], mds[i], NULL) != 1)
            goto out;
    }
    for (size_t off = 0; off < n; off += HASH_CHUNK_BYTES) {
        size_t len = n - off < HASH_CHUNK_BYTES ? n - off : HASH_CHUNK_BYTES;
        for (int i = 0; i < 4; i++)
            EVP_DigestUpdate(ctx[i], p + off, len);
    }

    for (int i = 0; i < 4; i++) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_len = 0;
        if (EVP_DigestFinal_ex(ctx[i], digest, &digest_len) != 1)
            goto out;
        digest_to_hex(digest, digest_len, hex_out[i]);
    }
    if (with_ssdeep && ms_ssdeep(p, n, out->ssdeep) != 0)
        out->ssdeep[0] = '\0';
    rc = MS_OK;
out:
    for (int i = 0; i < 4; i++)
        EVP_MD_CTX_free(ctx[i]);
    if (rc != MS_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}
