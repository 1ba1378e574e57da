/* SPDX-License-Identifier: MIT */
/*
 * The "already seen" filter of attachments (SpamScope's attachments
 * filter): a bounded set of SHA-256 digests of files analyzed before. An
 * attachment whose digest is in it skips the heavy work (ssdeep, archive
 * extraction, YARA, trait checks) and is marked is_filtered in the
 * output: a campaign sends the same file thousands of times and one
 * analysis is enough.
 *
 * The set is shared by every worker thread, so it takes a lock. It is
 * bounded (the oldest digest is forgotten first), loaded from a file at
 * start and saved to it on exit with write-to-temporary and rename, so a
 * crash never leaves half a file. The set itself is the pipeline's mail
 * filter (src/pipeline/mail_filter.c), reused as is.
 */
#ifndef MS_ANALYSIS_SEEN_FILTER_H
#define MS_ANALYSIS_SEEN_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/status.h"

typedef struct ms_seen_filter ms_seen_filter;

/* Creates a filter of at most max_entries digests, loading path when it
 * is given and exists. Returns MS_OK; MS_EINVAL or MS_EIO with the reason
 * in err; MS_ENOMEM. Free with ms_seen_filter_free. */
ms_status ms_seen_filter_open(const char *path, size_t max_entries,
                              ms_seen_filter **out, char *err, size_t err_size);

/* Takes a SHA-256 as 64 hex digits. Returns true when it was seen
 * before; otherwise records it and returns false. A string that is not
 * 64 hex digits is never seen and not recorded. Thread-safe. */
bool ms_seen_filter_check_and_add(ms_seen_filter *f, const char *sha256_hex);

/* Number of digests held. Thread-safe. */
size_t ms_seen_filter_count(ms_seen_filter *f);

/* Saves the digests to the filter's file (no-op without a path).
 * Returns MS_OK, or MS_EIO with the reason in err. Thread-safe. */
ms_status ms_seen_filter_save(ms_seen_filter *f, char *err, size_t err_size);

/* Frees the filter without saving. NULL is fine. */
void ms_seen_filter_free(ms_seen_filter *f);

#endif
