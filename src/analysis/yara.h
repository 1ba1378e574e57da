/* SPDX-License-Identifier: MIT */
/*
 * YARA scanning of attachments and the files inside them. Rules are
 * compiled once per configuration load, from the shipped conf/yara/
 * folder and any folder or file the user names, into one read-only
 * ms_yara shared by every worker thread; each scan is independent
 * (libyara creates its scan context per call), so threads need no lock.
 */
#ifndef MS_ANALYSIS_YARA_H
#define MS_ANALYSIS_YARA_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"

/* Most rule matches reported for one file. */
#define MS_YARA_MAX_MATCHES 64
/* Most tags reported for one match. */
#define MS_YARA_MAX_TAGS 16
/* Seconds one scan may take before libyara gives up on it. */
#define MS_YARA_SCAN_TIMEOUT_S 10

typedef struct ms_yara ms_yara;

/* One matching rule: its name and tags, in the arena. */
typedef struct ms_yara_match {
    const char *rule;
    const char *namespace_; /* the rule file's name */
    const char **tags;
    size_t n_tags;
} ms_yara_match;

/* Compiles every *.yar and *.yara file of the given paths (folders are
 * read in name order, not recursively; a path may also be one file).
 * Returns MS_OK; MS_EINVAL with "FILE:LINE: message" in err for a rule
 * that does not compile or a path that cannot be read; MS_ENOMEM. Free
 * *out with ms_yara_free. */
ms_status ms_yara_load(const char *const *paths, size_t n_paths, ms_yara **out,
                       char *err, size_t err_size);

/* Compiles rules from source text (tests, inline rules). Same returns. */
ms_status ms_yara_load_string(const char *source, ms_yara **out, char *err,
                              size_t err_size);

/* Number of rules compiled. */
size_t ms_yara_rule_count(const ms_yara *y);

/* Scans n bytes and returns the matching rules in *matches (arena) and
 * their count. A scan that times out or fails reports what matched so
 * far and *failed = true. Returns MS_OK or MS_ENOMEM. Safe to call from
 * many threads on the same y. */
ms_status ms_yara_scan(const ms_yara *y, ms_arena *a, const unsigned char *p,
                       size_t n, ms_yara_match **matches, size_t *n_matches,
                       bool *failed);

/* Frees the compiled rules. NULL is fine. */
void ms_yara_free(ms_yara *y);

#endif
