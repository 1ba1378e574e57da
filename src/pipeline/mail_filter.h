/* SPDX-License-Identifier: MIT */
/*
 * The "already seen" filter of `mailscope analyze` (SpamScope's
 * filter_mails): a bounded set of body hashes, oldest forgotten first,
 * optionally kept in a file between runs. A campaign sends the same body
 * to thousands of recipients; analyzing it once is enough, the copies get
 * a short document that points at the hash.
 *
 * One owner: the reader thread checks and adds, so there is no lock.
 */
#ifndef MS_PIPELINE_MAIL_FILTER_H
#define MS_PIPELINE_MAIL_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/status.h"

/* Bytes of one hash (SHA-256). */
#define MS_MAIL_FILTER_HASH_BYTES 32

typedef struct ms_mail_filter ms_mail_filter;

/* Creates a filter of at most max_entries hashes (at least 1). With a
 * path, the hashes saved there by an earlier run are loaded (a missing
 * file is an empty filter). Returns MS_OK; MS_EINVAL with a reason in err
 * when the file is not a filter file; MS_EIO when it cannot be read;
 * MS_ENOMEM. The caller frees *out with ms_mail_filter_free. */
ms_status ms_mail_filter_open(const char *path, size_t max_entries,
                              ms_mail_filter **out, char *err, size_t err_size);

/* Computes the hash the filter keys on: SHA-256 of the body (what follows
 * the first blank line). A mail with an empty or missing body is keyed on
 * all its bytes instead: otherwise every body-less mail would look like
 * the first one. */
void ms_mail_filter_body_hash(const char *data, size_t len,
                              unsigned char hash[MS_MAIL_FILTER_HASH_BYTES]);

/* Returns true when hash was seen before; otherwise adds it (forgetting
 * the oldest hash when full) and returns false. Never fails: when memory
 * runs out the hash is simply not remembered. */
bool ms_mail_filter_check_and_add(
    ms_mail_filter *f, const unsigned char hash[MS_MAIL_FILTER_HASH_BYTES]);

/* True when hash is held; adds nothing. */
bool ms_mail_filter_contains(
    const ms_mail_filter *f,
    const unsigned char hash[MS_MAIL_FILTER_HASH_BYTES]);

/* Number of hashes held. */
size_t ms_mail_filter_count(const ms_mail_filter *f);

/* Writes the hashes to the filter's file (a no-op without a path), via a
 * temporary file renamed over it so a crash never leaves half a file.
 * Returns MS_OK, or MS_EIO with the reason in err. */
ms_status ms_mail_filter_save(const ms_mail_filter *f, char *err,
                              size_t err_size);

/* Frees the filter (without saving). NULL is fine. */
void ms_mail_filter_free(ms_mail_filter *f);

#endif
