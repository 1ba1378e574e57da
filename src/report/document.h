/* SPDX-License-Identifier: MIT */
/*
 * The analysis document of one mail, as `mailscope analyze` writes it:
 * id, source, analysis, hashes of the raw mail, the parsed mail, and one
 * section per analyzer. Long-lived state (configuration, compiled rules)
 * is an engine built once and shared; per-thread state is a worker.
 */
#ifndef MS_REPORT_DOCUMENT_H
#define MS_REPORT_DOCUMENT_H

#include <stdbool.h>

#include "analysis/attachments.h"
#include "analysis/bayes.h"
#include "analysis/observables.h"
#include "analysis/phishing.h"
#include "analysis/spam_rules.h"
#include "analysis/urls.h"
#include "mailscope/message.h"
#include "pipeline/source.h"
#include "util/buf.h"

/* What every worker shares, read-only: built once per configuration
 * load (compiled rules, snapshots, settings). Each analyzer keeps its
 * long-lived state here and its per-thread scratch in ms_worker; its
 * section is one row of the section table in document.c. */
typedef struct ms_engine {
    ms_parse_options parse;
    const ms_attach_engine *attach;  /* NULL: tokenizer's attachment list */
    const ms_urls_config *urls;      /* NULL: no urls section */
    bool qr_codes;                   /* QR codes of images join the URLs */
    const ms_phish_engine *phishing; /* NULL: no phishing section */
    const ms_spam_rules *spam;       /* NULL: no spam section */
    const ms_bayes_snapshot *bayes;  /* NULL: no Bayesian verdict */
    bool pretty;
} ms_engine;

/* One worker's scratch, reused from mail to mail, and the results of the
 * mail in hand (in the arena) between the analysis and the writing. */
typedef struct ms_worker {
    const ms_engine *engine;
    ms_arena *arena;
    ms_attach_scratch *attach;
    ms_spam_scratch *spam;
    ms_phish_scratch *phish;
    ms_file_report *reports; /* one per attachment, maybe fewer */
    size_t n_reports;
    ms_url_list urls;
    ms_observables observables;
    ms_phish_result phish_result;
    ms_spam_result spam_result;
} ms_worker;

/* What the builder tells the caller about one mail. */
typedef struct ms_document_info {
    bool failed;      /* an error document was written */
    size_t n_defects; /* defects of the parsed mail */
    char error[256];  /* "stage: reason" of an error document, else "" */
} ms_document_info;

/* Writes the "attachments" key and array: for each attachment part of m
 * its MIME fields and, for the first n_reports, its file analysis (see
 * docs/attachments.md); payload only with payloads. */
void ms_document_write_attachments(ms_json *j, const ms_message *m,
                                   const ms_file_report *reports,
                                   size_t n_reports, bool payloads);

/* Prepares a worker for the engine. */
ms_status ms_worker_init(ms_worker *w, const ms_engine *engine);

/* Frees a worker's scratch. */
void ms_worker_destroy(ms_worker *w);

/* Appends the document of one mail (data NULL: an error document with
 * reason) and a newline to out. Never fails on the mail's content; an
 * internal failure becomes an error document too. */
void ms_document_build(ms_worker *w, const ms_origin *origin, const char *data,
                       size_t len, const char *reason, ms_buf *out,
                       ms_document_info *info);

/* Appends the short document of a mail the "already seen" filter
 * skipped: id, source, and seen {reason, body_sha256}, then a newline.
 * body_sha256 is the filter's key in hex. */
void ms_document_build_seen(ms_worker *w, const ms_origin *origin,
                            const char *data, size_t len,
                            const char *body_sha256, ms_buf *out,
                            ms_document_info *info);

#endif
