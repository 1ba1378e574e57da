/* SPDX-License-Identifier: MIT */
/*
 * Spam rules in SpamAssassin's language: a rule set is loaded from .cf
 * files once per configuration and shared read-only by every worker; each
 * worker checks mails with its own scratch space. The result is the
 * `spam` section of a document: score, required score, verdict, the rules
 * that hit and the X-Spam-Status line SpamAssassin users know.
 */
#ifndef MS_ANALYSIS_SPAM_RULES_H
#define MS_ANALYSIS_SPAM_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/message.h"
#include "util/buf.h"
#include "util/json.h"

typedef struct ms_spam_rules ms_spam_rules;
typedef struct ms_spam_scratch ms_spam_scratch;

/* Counts of what a rule set holds, for the user and the tests. */
typedef struct ms_spam_rules_stats {
    size_t n_rules;      /* rules defined, all kinds */
    size_t n_header;     /* header rules */
    size_t n_body;       /* body, rawbody, full and uri regex rules */
    size_t n_meta;       /* meta rules */
    size_t n_eval;       /* eval: rules */
    size_t n_eval_run;   /* of those, run (spam_eval.c); the rest skipped */
    size_t n_invalid;    /* rules whose regex did not compile, skipped */
    size_t n_prefilter;  /* regexes the Hyperscan prefilter covers */
    size_t n_widened;    /* of those, through a widened pattern */
    size_t n_line_rules; /* of those, checked line by line (a repeated
                            group's unit in the database) */
    size_t n_databases;  /* prefilter databases */
    size_t n_cached;     /* of those, read from the cache */
    double required;     /* required_score */
} ms_spam_rules_stats;

/* One rule that hit. */
typedef struct ms_spam_hit {
    const char *name;
    double score;
    const char *description; /* may be "" */
    const char *match;       /* the matched text of a regex rule, or NULL */
    size_t match_len;
} ms_spam_hit;

/* The verdict on one mail; strings live in the arena given to check. */
typedef struct ms_spam_result {
    double score;
    double required;
    bool is_spam;
    ms_spam_hit *hits; /* by descending score, then name */
    size_t n_hits;
    const char *status; /* "Yes, score=7.3 required=5.0 tests=A,B ..." */
    bool bayes_used;    /* the Bayesian filter gave a verdict */
    double bayes_probability;
    const char *bayes_rule;
} ms_spam_result;

/* Loads and compiles the .cf files (or folders of them, read in name
 * order) given in paths. cache_dir, when not NULL, is a folder (created
 * if missing) where the compiled prefilter databases are kept between
 * runs, so a rule set compiled once loads in a fraction of the time; a
 * cache that cannot be read or written is simply not used. On failure
 * returns MS_EINVAL or MS_EIO with a one-line reason in err naming the
 * file and line. */
ms_status ms_spam_rules_load(const char *const *paths, size_t n_paths,
                             const char *cache_dir, ms_spam_rules **out,
                             char *err, size_t err_size);

/* Frees a rule set (not while scratches or checks use it). */
void ms_spam_rules_free(ms_spam_rules *rules);

/* Fills the counts of a loaded rule set. */
void ms_spam_rules_get_stats(const ms_spam_rules *rules,
                             ms_spam_rules_stats *out);

/* Creates the per-thread scratch space for checking with rules. */
ms_status ms_spam_scratch_new(const ms_spam_rules *rules,
                              ms_spam_scratch **out);

/* Frees a scratch space. */
void ms_spam_scratch_free(ms_spam_scratch *scratch);

/* Checks one parsed mail. raw/raw_len is the whole mail (for `full`
 * rules). Allocates the result's strings in the arena. */
ms_status ms_spam_check(const ms_spam_rules *rules, ms_spam_scratch *scratch,
                        ms_arena *arena, const ms_message *m,
                        ms_spam_result *out);

/* Builds the texts the rule kinds read: body (Subject and rendered text
 * parts, one paragraph a line), rawbody and the links, one a line
 * (rawbody and uris may be NULL). The Bayesian filter reads body too. */
void ms_spam_texts(const ms_message *m, ms_buf *body, ms_buf *rawbody,
                   ms_buf *uris);

/* Adds the Bayesian filter's rule (BAYES_xx) to a result: its score,
 * the hit, the status line. */
ms_status ms_spam_add_bayes(ms_spam_result *r, ms_arena *a, const char *rule,
                            double score, double probability);

/* Returns in *score the score a rule set gives the named rule with a
 * score line (so a set can re-score the BAYES_xx rules). False when the
 * set has no score for it. */
bool ms_spam_rules_score(const ms_spam_rules *rules, const char *name,
                         double *score);

/* Writes the result as the value of a `spam` key (an object). */
void ms_spam_write_json(ms_json *w, const ms_spam_result *r);

#endif
