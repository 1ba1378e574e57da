/* SPDX-License-Identifier: MIT */
/*
 * The "already seen" filter (see mail_filter.h). The hashes live in a
 * ring, oldest first, so forgetting the oldest is O(1); an open-addressing
 * table of ring positions finds a hash in O(1). The table uses linear
 * probing with backward-shift deletion, so forgetting leaves no
 * tombstones that would slow later look-ups.
 *
 * The file format, little-endian:
 *
 *   +----------+-----------+---------------------------------+
 *   | "MSSEEN1\n" | count u64 | count x 32-byte hash, oldest first |
 *   +----------+-----------+---------------------------------+
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pipeline/mail_filter.h"

#define FILE_MAGIC     "MSSEEN1\n"
#define FILE_MAGIC_LEN 8
/* The ring starts this small and doubles up to max_entries, so a filter
 * that sees few mails costs little memory. */
#define INITIAL_CAPACITY 1024

struct ms_mail_filter {
    char *path;
    size_t max_entries;
    unsigned char (*ring)[MS_MAIL_FILTER_HASH_BYTES];
    size_t cap;      /* hashes the ring holds now (<= max_entries) */
    size_t n;        /* hashes held */
    size_t first;    /* ring index of the oldest */
    uint32_t *slots; /* 0: empty, else ring index + 1 */
    size_t n_slots;  /* a power of two, at least twice cap */
};

/* Returns the table slot where a hash's probe starts: the hash is already
 * uniform, its first bytes are a fine index. */
static size_t home_slot(const ms_mail_filter *f, const unsigned char *hash)
{
    uint64_t v;
    memcpy(&v, hash, sizeof(v));
    return (size_t)v & (f->n_slots - 1);
}

/* Returns the slot holding hash, or the empty slot where it would go. */
static size_t find_slot(const ms_mail_filter *f, const unsigned char *hash)
{
    size_t s = home_slot(f, hash);
    while (f->slots[s] != 0 && memcmp(f->ring[f->slots[s] - 1], hash,
                                      MS_MAIL_FILTER_HASH_BYTES) != 0)
        s = (s + 1) & (f->n_slots - 1);
    return s;
}

/* Removes the entry in slot s and shifts back the entries after it that
 * probed past s, so every entry stays reachable from its home slot. */
static void delete_slot(ms_mail_filter *f, size_t s)
{
    size_t mask = f->n_slots - 1;
    size_t next = (s + 1) & mask;
    while (f->slots[next] != 0) {
        size_t home = home_slot(f, f->ring[f->slots[next] - 1]);
        /* move next into the hole when its home is not in (s, next] */
        bool movable =
            s <= next ? (home <= s || home > next) : (home <= s && home > next);
        if (movable) {
            f->slots[s] = f->slots[next];
            s = next;
        }
        next = (next + 1) & mask;
    }
    f->slots[s] = 0;
}

/* Rebuilds the table for a ring of cap hashes. Returns MS_ENOMEM (and
 * keeps the old table) when it cannot. */
static ms_status rebuild_table(ms_mail_filter *f, size_t cap)
{
    size_t n_slots = 16;
    while (n_slots < cap * 2)
        n_slots *= 2;
    uint32_t *slots = calloc(n_slots, sizeof(*slots));
    if (slots == NULL)
        return MS_ENOMEM;
    free(f->slots);
    f->slots = slots;
    f->n_slots = n_slots;
    for (size_t i = 0; i < f->n; i++) {
        size_t r = (f->first + i) % f->cap;
        f->slots[find_slot(f, f->ring[r])] = (uint32_t)(r + 1);
    }
    return MS_OK;
}

/* Doubles the ring (up to max_entries), laying the hashes out oldest
 * first from index 0. Returns MS_ENOMEM when it cannot. */
static ms_status grow(ms_mail_filter *f)
{
    size_t cap = f->cap ? f->cap * 2 : INITIAL_CAPACITY;
    if (cap > f->max_entries)
        cap = f->max_entries;
    unsigned char(*ring)[MS_MAIL_FILTER_HASH_BYTES] =
        malloc(cap * MS_MAIL_FILTER_HASH_BYTES);
    if (ring == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < f->n; i++)
        memcpy(ring[i], f->ring[(f->first + i) % f->cap],
               MS_MAIL_FILTER_HASH_BYTES);
    free(f->ring);
    f->ring = ring;
    f->cap = cap;
    f->first = 0;
    return rebuild_table(f, cap);
}

/* Computes the key of a mail; see mail_filter.h. */
void ms_mail_filter_body_hash(const char *data, size_t len,
                              unsigned char hash[MS_MAIL_FILTER_HASH_BYTES])
{
    const char *body = NULL;
    for (size_t i = 0; i + 1 < len && body == NULL; i++) {
        if (data[i] != '\n')
            continue;
        if (data[i + 1] == '\n')
            body = data + i + 2;
        else if (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')
            body = data + i + 3;
    }
    size_t body_len = body ? (size_t)(data + len - body) : 0;
    bool blank = true;
    for (size_t i = 0; i < body_len && blank; i++)
        blank = body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
                body[i] == '\n';
    if (blank) {
        body = data;
        body_len = len;
    }
    unsigned int n = 0;
    if (!EVP_Digest(body, body_len, hash, &n, EVP_sha256(), NULL))
        memset(hash, 0, MS_MAIL_FILTER_HASH_BYTES);
}

/* Reports whether hash was seen, adding it when not; see mail_filter.h. */
bool ms_mail_filter_check_and_add(
    ms_mail_filter *f, const unsigned char hash[MS_MAIL_FILTER_HASH_BYTES])
{
    if (f->n_slots > 0 && f->slots[find_slot(f, hash)] != 0)
        return true;
    if (f->n == f->cap && f->cap < f->max_entries && grow(f) != MS_OK)
        return false;
    if (f->cap == 0)
        return false;
    size_t r;
    if (f->n == f->cap) {
        /* full at max_entries: forget the oldest, reuse its place */
        r = f->first;
        delete_slot(f, find_slot(f, f->ring[r]));
        f->first = (f->first + 1) % f->cap;
    } else {
        r = (f->first + f->n) % f->cap;
        f->n++;
    }
    memcpy(f->ring[r], hash, MS_MAIL_FILTER_HASH_BYTES);
    f->slots[find_slot(f, hash)] = (uint32_t)(r + 1);
    return false;
}

/* True when hash is held; see mail_filter.h. */
bool ms_mail_filter_contains(
    const ms_mail_filter *f,
    const unsigned char hash[MS_MAIL_FILTER_HASH_BYTES])
{
    return f->n_slots > 0 && f->slots[find_slot(f, hash)] != 0;
}

/* Number of hashes held. */
size_t ms_mail_filter_count(const ms_mail_filter *f)
{
    return f->n;
}

/* Loads the hashes of the filter's file, if there is one. */
static ms_status load(ms_mail_filter *f, char *err, size_t err_size)
{
    FILE *in = fopen(f->path, "rb");
    if (in == NULL) {
        if (errno == ENOENT)
            return MS_OK; /* the first run */
        snprintf(err, err_size, "cannot read %s: %s", f->path, strerror(errno));
        return MS_EIO;
    }
    char magic[FILE_MAGIC_LEN];
    unsigned char count_bytes[8];
    if (fread(magic, 1, FILE_MAGIC_LEN, in) != FILE_MAGIC_LEN ||
        memcmp(magic, FILE_MAGIC, FILE_MAGIC_LEN) != 0 ||
        fread(count_bytes, 1, 8, in) != 8) {
        fclose(in);
        snprintf(err, err_size, "%s is not a mail filter file", f->path);
        return MS_EINVAL;
    }
    uint64_t count = 0;
    for (int i = 7; i >= 0; i--)
        count = count << 8 | count_bytes[i];
    unsigned char hash[MS_MAIL_FILTER_HASH_BYTES];
    for (uint64_t i = 0; i < count; i++) {
        if (fread(hash, 1, sizeof(hash), in) != sizeof(hash)) {
            fclose(in);
            snprintf(err, err_size, "%s is cut short", f->path);
            return MS_EINVAL;
        }
        ms_mail_filter_check_and_add(f, hash);
    }
    fclose(in);
    return MS_OK;
}

/* Creates a filter, loading its file; see mail_filter.h. */
ms_status ms_mail_filter_open(const char *path, size_t max_entries,
                              ms_mail_filter **out, char *err, size_t err_size)
{
    *out = NULL;
    err[0] = '\0';
    ms_mail_filter *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return MS_ENOMEM;
    /* ring positions are stored as uint32 + 1 */
    f->max_entries = max_entries < 1 ? 1 : max_entries;
    if (f->max_entries > UINT32_MAX - 1)
        f->max_entries = UINT32_MAX - 1;
    if (path && (f->path = strdup(path)) == NULL) {
        free(f);
        return MS_ENOMEM;
    }
    ms_status rc = grow(f);
    if (rc == MS_OK && f->path)
        rc = load(f, err, err_size);
    if (rc != MS_OK) {
        ms_mail_filter_free(f);
        return rc;
    }
    *out = f;
    return MS_OK;
}

/* Writes the hashes to the filter's file; see mail_filter.h. */
ms_status ms_mail_filter_save(const ms_mail_filter *f, char *err,
                              size_t err_size)
{
    if (f->path == NULL)
        return MS_OK;
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
    FILE *o = fopen(tmp, "wb");
    if (o == NULL) {
        snprintf(err, err_size, "cannot write %s: %s", tmp, strerror(errno));
        return MS_EIO;
    }
    unsigned char count_bytes[8];
    uint64_t count = f->n;
    for (int i = 0; i < 8; i++)
        count_bytes[i] = (unsigned char)(count >> (8 * i));
    bool ok = fwrite(FILE_MAGIC, 1, FILE_MAGIC_LEN, o) == FILE_MAGIC_LEN &&
              fwrite(count_bytes, 1, 8, o) == 8;
    for (size_t i = 0; ok && i < f->n; i++)
        ok = fwrite(f->ring[(f->first + i) % f->cap], 1,
                    MS_MAIL_FILTER_HASH_BYTES, o) == MS_MAIL_FILTER_HASH_BYTES;
    if (fclose(o) != 0)
        ok = false;
    if (!ok || rename(tmp, f->path) != 0) {
        snprintf(err, err_size, "cannot write %s: %s", f->path,
                 strerror(errno));
        remove(tmp);
        return MS_EIO;
    }
    return MS_OK;
}

/* Frees the filter. */
void ms_mail_filter_free(ms_mail_filter *f)
{
    if (f == NULL)
        return;
    free(f->path);
    free(f->ring);
    free(f->slots);
    free(f);
}
