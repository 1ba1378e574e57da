/* SPDX-License-Identifier: MIT */
/*
 * The Bayesian spam filter: tokens from a mail, a token store on disk
 * (SQLite in WAL mode: many readers while one writer trains), training
 * and forgetting, and classification by Robinson's token probabilities
 * combined with Fisher's chi-square method, as SpamAssassin and SpamBayes
 * do. Classification reads a snapshot of the store loaded once per run,
 * shared read-only by the workers.
 */
#ifndef MS_ANALYSIS_BAYES_H
#define MS_ANALYSIS_BAYES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailscope/message.h"

typedef struct ms_bayes_db ms_bayes_db; /* the store, for training */
typedef struct ms_bayes_snapshot ms_bayes_snapshot; /* read-only, in memory */

/* The tokens of one mail: 64-bit hashes, distinct. */
typedef struct ms_bayes_tokens {
    uint64_t *items;
    size_t n;
} ms_bayes_tokens;

/* Extracts the distinct tokens of a mail into the arena (at most 5000):
 * words of the Subject and the rendered text parts, the sender, Reply-To
 * and Return-Path, the Received hosts and networks, the mailer, the MIME
 * types and charsets, the hosts and path words of links, and the tags
 * and attributes of HTML. bayes.c lists them. */
ms_status ms_bayes_tokenize(ms_arena *a, const ms_message *m,
                            ms_bayes_tokens *out);

/* Opens (creating when missing) the store at path. err gets a one-line
 * reason on failure. */
ms_status ms_bayes_open(const char *path, ms_bayes_db **out, char *err,
                        size_t err_size);

/* Closes the store. */
void ms_bayes_close(ms_bayes_db *db);

/* Starts and commits a batch of training (one transaction). */
ms_status ms_bayes_begin(ms_bayes_db *db);
ms_status ms_bayes_commit(ms_bayes_db *db);

/* Learns a mail (id: the sha256 of the raw mail) as spam or ham, or
 * forgets what was learnt from it. A mail learnt again as the same class
 * is skipped (*changed false); as the other class it is moved. */
ms_status ms_bayes_learn(ms_bayes_db *db, const char *id,
                         const ms_bayes_tokens *tokens, bool spam,
                         bool *changed);
ms_status ms_bayes_forget(ms_bayes_db *db, const char *id,
                          const ms_bayes_tokens *tokens, bool *changed);

/* The counts of mails learnt. */
void ms_bayes_counts(ms_bayes_db *db, long long *n_spam, long long *n_ham);

/* Loads the store at path into a read-only snapshot. */
ms_status ms_bayes_snapshot_load(const char *path, ms_bayes_snapshot **out,
                                 char *err, size_t err_size);
void ms_bayes_snapshot_free(ms_bayes_snapshot *s);

/* The verdict of the filter on one mail. */
typedef struct ms_bayes_result {
    bool used;          /* false: too little training, no verdict */
    double probability; /* 0 ham .. 1 spam */
    const char *rule;   /* BAYES_00 .. BAYES_99 */
    double score;       /* the rule's score */
    size_t n_tokens;    /* tokens that counted */
} ms_bayes_result;

/* Classifies the tokens of one mail with a snapshot. */
void ms_bayes_classify(const ms_bayes_snapshot *s,
                       const ms_bayes_tokens *tokens, ms_bayes_result *out);

#endif
