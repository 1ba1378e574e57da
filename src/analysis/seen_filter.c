/* SPDX-License-Identifier: MIT */
/*
 * The attachments' "already seen" filter (see seen_filter.h): the
 * pipeline's bounded hash set behind a mutex, keyed on the binary form of
 * the attachment's SHA-256.
 */
#include <pthread.h>
#include <stdlib.h>

#include "analysis/seen_filter.h"
#include "pipeline/mail_filter.h"
#include "util/ascii.h"

struct ms_seen_filter {
    pthread_mutex_t lock;
    ms_mail_filter *set;
};

/* Opens the filter (see seen_filter.h). */
ms_status ms_seen_filter_open(const char *path, size_t max_entries,
                              ms_seen_filter **out, char *err, size_t err_size)
{
    *out = NULL;
    ms_seen_filter *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return MS_ENOMEM;
    ms_status rc =
        ms_mail_filter_open(path, max_entries, &f->set, err, err_size);
    if (rc != MS_OK) {
        free(f);
        return rc;
    }
    pthread_mutex_init(&f->lock, NULL);
    *out = f;
    return MS_OK;
}

/* Decodes 64 hex digits into 32 bytes. Returns false for anything else. */
static bool hex_to_digest(const char *hex,
                          unsigned char digest[MS_MAIL_FILTER_HASH_BYTES])
{
    if (hex == NULL)
        return false;
    for (size_t i = 0; i < MS_MAIL_FILTER_HASH_BYTES; i++) {
        int hi = ms_ascii_hex_value(hex[2 * i]);
        int lo = hi < 0 ? -1 : ms_ascii_hex_value(hex[2 * i + 1]);
        if (lo < 0)
            return false;
        digest[i] = (unsigned char)(hi * 16 + lo);
    }
    return hex[2 * MS_MAIL_FILTER_HASH_BYTES] == '\0';
}

/* Checks and records a digest (see seen_filter.h). */
bool ms_seen_filter_check_and_add(ms_seen_filter *f, const char *sha256_hex)
{
    unsigned char digest[MS_MAIL_FILTER_HASH_BYTES];
    if (f == NULL || !hex_to_digest(sha256_hex, digest))
        return false;
    pthread_mutex_lock(&f->lock);
    bool seen = ms_mail_filter_check_and_add(f->set, digest);
    pthread_mutex_unlock(&f->lock);
    return seen;
}

/* Counts the digests held. */
size_t ms_seen_filter_count(ms_seen_filter *f)
{
    pthread_mutex_lock(&f->lock);
    size_t n = ms_mail_filter_count(f->set);
    pthread_mutex_unlock(&f->lock);
    return n;
}

/* Saves the digests (see seen_filter.h). */
ms_status ms_seen_filter_save(ms_seen_filter *f, char *err, size_t err_size)
{
    pthread_mutex_lock(&f->lock);
    ms_status rc = ms_mail_filter_save(f->set, err, err_size);
    pthread_mutex_unlock(&f->lock);
    return rc;
}

/* Frees the filter. */
void ms_seen_filter_free(ms_seen_filter *f)
{
    if (f == NULL)
        return;
    ms_mail_filter_free(f->set);
    pthread_mutex_destroy(&f->lock);
    free(f);
}
