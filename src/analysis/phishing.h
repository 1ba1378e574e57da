/* SPDX-License-Identifier: MIT */
/*
 * The phishing analyzer: "is this mail phishing, and whom does it
 * target?"
 *
 * Two answers side by side:
 *   - SpamScope's keyword bitmap, bit for bit: `score` (0-255),
 *     `score_expanded`, `targets`, `with_phishing`. A keyword line matches
 *     when each of its words occurs in the lower-cased text; a list when
 *     any line does.
 *   - a detector that explains itself: `verdict` (clean, suspicious,
 *     phishing), `risk` (0-100) and the `signals` that fired, each with a
 *     weight and its evidence. It reads the URLs and attachment reports of
 *     the other analyzers, the headers and the rendered HTML.
 *
 * Every keyword, brand word and phrase of every list is one literal of a
 * single Hyperscan database: each text of a mail is scanned once.
 *
 * Lifetimes: ms_phish_engine is built once per configuration load and
 * shared read-only; ms_phish_scratch is one per worker thread; results
 * live in the message arena.
 */
#ifndef MS_ANALYSIS_PHISHING_H
#define MS_ANALYSIS_PHISHING_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/attachments.h"
#include "analysis/urls.h"
#include "mailscope/message.h"
#include "util/json.h"

/* Most list files of each kind a configuration names. */
#define MS_PHISH_MAX_FILES 16

/* Signals kept per mail (each signal once, with its first evidence). */
#define MS_PHISH_MAX_SIGNALS 64

/* Targets (brands) reported per mail. */
#define MS_PHISH_MAX_TARGETS 32

/* Bytes of one text scanned (a body, an attachment's text). */
#define MS_PHISH_MAX_SCAN_BYTES (4u << 20)

typedef struct ms_phish_config {
    /* brand files (ours, or SpamScope targets files) and subject and
     * phrase files; all of one kind merge */
    const char *brands[MS_PHISH_MAX_FILES];
    size_t n_brands;
    const char *subjects[MS_PHISH_MAX_FILES];
    size_t n_subjects;
    const char *phrases[MS_PHISH_MAX_FILES];
    size_t n_phrases;
    const char *domains[MS_PHISH_MAX_FILES]; /* free mail, hosting, TLDs */
    size_t n_domains;
    const char *signals;   /* weights and thresholds, NULL: built-in */
    const char *cache_dir; /* compiled lists kept here, NULL: none */
} ms_phish_config;

/* One signal that fired. */
typedef struct ms_phish_signal {
    const char *name;
    int weight;
    const char *evidence; /* the URL, the header, the words */
} ms_phish_signal;

typedef struct ms_phish_result {
    /* SpamScope's part */
    unsigned score; /* 0-255 bitmap */
    const char *targets[MS_PHISH_MAX_TARGETS];
    size_t n_targets;
    bool with_phishing;
    /* the detector */
    int risk; /* 0-100 */
    const char *verdict;
    const char *brand; /* the brand most likely imitated, or NULL */
    ms_phish_signal signals[MS_PHISH_MAX_SIGNALS];
    size_t n_signals;
} ms_phish_result;

typedef struct ms_phish_engine ms_phish_engine;
typedef struct ms_phish_scratch ms_phish_scratch;

/* Loads the lists and compiles them. Returns MS_OK; MS_EINVAL or MS_EIO
 * with a one-line reason naming the file and line in err; MS_ENOMEM. */
ms_status ms_phish_engine_new(const ms_phish_config *c, ms_phish_engine **out,
                              char *err, size_t err_size);

/* Frees the engine. NULL is fine. */
void ms_phish_engine_free(ms_phish_engine *e);

/* Counts of what was loaded, for tests and `config --check`. */
size_t ms_phish_engine_brand_count(const ms_phish_engine *e);
size_t ms_phish_engine_literal_count(const ms_phish_engine *e);

/* Creates a worker's scratch. Returns MS_OK or MS_ENOMEM. */
ms_status ms_phish_scratch_new(const ms_phish_engine *e,
                               ms_phish_scratch **out);

/* Frees the scratch. NULL is fine. */
void ms_phish_scratch_free(ms_phish_scratch *s);

/* Analyzes a parsed mail with what the other analyzers found: urls may be
 * NULL (no URL analysis), reports may be NULL with n_reports 0. Results
 * are in m's arena. Returns MS_OK or MS_ENOMEM. */
ms_status ms_phish_analyze(const ms_phish_engine *e, ms_phish_scratch *s,
                           const ms_message *m, const ms_url_list *urls,
                           const ms_file_report *reports, size_t n_reports,
                           ms_phish_result *out);

/* Writes the phishing object (the caller writes the key). */
void ms_phish_write_json(ms_json *w, const ms_phish_result *r);

/* The name of SpamScope's bit i (0-7): "mail_body", "urls_body", ... */
const char *ms_phish_bit_name(unsigned i);

#endif
