/* SPDX-License-Identifier: MIT */
/*
 * Builds the analysis document of one mail (see document.h). The order of
 * the keys is fixed: id, source, analysis, hashes, the parse fields, then
 * the analyzer sections; docs/schema.md describes each field.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report/document.h"

#include "analysis/hashes.h"
#include "analysis/qrcode.h"
#include "report/message_json.h"
#include "util/json.h"

/* Writes one digest, null when it could not be computed (""). */
static void write_digest(ms_json *w, const char *key, const char *hex)
{
    if (hex[0] != '\0')
        ms_json_kv_cstr(w, key, hex);
    else
        ms_json_kv_null(w, key);
}

/* Writes the hashes object of the raw mail: md5, sha1, sha256, sha512 and
 * ssdeep, as ms_hashes_compute gave them. */
static void write_hashes(ms_json *w, const ms_hashes *h)
{
    ms_json_object_begin(w);
    write_digest(w, "md5", h->md5);
    write_digest(w, "sha1", h->sha1);
    write_digest(w, "sha256", h->sha256);
    write_digest(w, "sha512", h->sha512);
    write_digest(w, "ssdeep", h->ssdeep);
    ms_json_object_end(w);
}

/* Writes the source object. */
static void write_source(ms_json *w, const ms_origin *o, const char *data,
                         size_t len)
{
    ms_json_key(w, "source");
    ms_json_object_begin(w);
    ms_json_kv_cstr(w, "path", o->path);
    ms_json_kv_cstr(w, "mailbox", o->mailbox);
    if (data)
        ms_json_kv_uint(w, "size", len);
    else
        ms_json_kv_null(w, "size");
    if (o->mbox_offset >= 0)
        ms_json_kv_int(w, "mbox_offset", o->mbox_offset);
    else
        ms_json_kv_null(w, "mbox_offset");
    ms_json_object_end(w);
}

/* Returns the seconds of a monotonic clock. */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the analysis object: when, by which version, how long. */
static void write_analysis(ms_json *w, double started)
{
    char date[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    ms_json_key(w, "analysis");
    ms_json_object_begin(w);
    ms_json_kv_cstr(w, "date", date);
    ms_json_kv_cstr(w, "version", MS_VERSION);
    ms_json_kv_double(w, "duration_ms", (now_seconds() - started) * 1000.0);
    ms_json_object_end(w);
}

/* Appends an error document; the caller has set info->failed. */
static void write_error(ms_buf *out, const ms_origin *o, const char *id,
                        const char *data, size_t len, const char *stage,
                        const char *reason, bool pretty, ms_document_info *info)
{
    snprintf(info->error, sizeof(info->error), "%s: %s", stage, reason);
    ms_json w;
    ms_json_init(&w, out, pretty);
    ms_json_object_begin(&w);
    ms_json_kv_cstr(&w, "id", id);
    write_source(&w, o, data, len);
    ms_json_key(&w, "error");
    ms_json_object_begin(&w);
    ms_json_kv_cstr(&w, "stage", stage);
    ms_json_kv_cstr(&w, "reason", reason);
    ms_json_object_end(&w);
    ms_json_object_end(&w);
    ms_buf_append_char(out, '\n');
}

/* Runs the attachments analyzer: hashes, types, archives, traits, YARA
 * of every attachment. Limits become defects on m. */
static ms_status run_attachments(ms_worker *w, ms_message *m)
{
    if (w->engine->attach == NULL)
        return MS_OK;
    return ms_attachments_analyze(w->engine->attach, w->attach, m, &w->reports,
                                  &w->n_reports);
}

/* Extracts the links of the files inside an archive report (their
 * source is "attachment:ARCHIVE/NAME"), recursively. */
static ms_status archived_urls(ms_worker *w, ms_message *m,
                               const ms_file_report *r, const char *name,
                               int level)
{
    ms_status rc = MS_OK;
    for (size_t i = 0; rc == MS_OK && i < r->n_files && level < 16; i++) {
        const ms_file_report *f = &r->files[i];
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", name ? name : "",
                 f->filename ? f->filename : "");
        const char *inner = ms_arena_strndup(w->arena, path, strlen(path));
        if (inner == NULL)
            return MS_ENOMEM;
        if (f->data != NULL)
            rc = ms_urls_extract_bytes(w->arena, w->engine->urls, m, inner,
                                       f->data, f->size, &w->urls);
        if (rc == MS_OK)
            rc = archived_urls(w, m, f, inner, level + 1);
    }
    return rc;
}

/* Runs the URL extraction over bodies and attachments, and over the
 * texts of the QR codes of image attachments (source "qr:NAME"). */
static ms_status run_urls(ms_worker *w, ms_message *m)
{
    const ms_engine *e = w->engine;
    if (e->urls == NULL)
        return MS_OK;
    ms_status rc = ms_urls_extract(w->arena, e->urls, m, &w->urls);
    for (size_t i = 0; rc == MS_OK && i < w->n_reports; i++)
        rc = archived_urls(w, m, &w->reports[i], w->reports[i].filename, 0);
    for (size_t i = 0; rc == MS_OK && e->qr_codes && i < m->n_attachments;
         i++) {
        const ms_part *p = m->attachments[i];
        const char *texts[MS_QR_MAX_CODES];
        size_t n = 0;
        if (!ms_qr_is_image(p->body, p->body_len))
            continue;
        rc = ms_qr_decode(w->arena, p->body, p->body_len, texts, &n);
        if (rc != MS_OK || n == 0)
            continue;
        char source[160];
        snprintf(source, sizeof(source), "qr:%s",
                 p->filename ? p->filename : p->path);
        const char *src = ms_arena_strndup(w->arena, source, strlen(source));
        if (src == NULL)
            return MS_ENOMEM;
        for (size_t k = 0; rc == MS_OK && k < n; k++)
            rc = ms_urls_extract_text(w->arena, e->urls, m, src, texts[k],
                                      strlen(texts[k]), &w->urls);
    }
    return rc;
}

/* Adds the sha256 of a report and of its inner files to the list. */
static ms_status collect_hashes(ms_arena *a, const ms_file_report *r,
                                ms_observable_list *out)
{
    ms_status rc = ms_observable_list_add(a, out, r->hashes.sha256,
                                          strlen(r->hashes.sha256));
    for (size_t i = 0; rc == MS_OK && i < r->n_files; i++)
        rc = collect_hashes(a, &r->files[i], out);
    return rc;
}

/* Collects the observables: hosts, IPs, addresses of the headers, the
 * Received chain, the URLs and the bodies; digests of the files. */
static ms_status run_observables(ms_worker *w, ms_message *m)
{
    ms_status rc =
        ms_observables_collect(w->arena, m, w->engine->urls ? &w->urls : NULL,
                               NULL, 0, &w->observables);
    for (size_t i = 0; rc == MS_OK && i < w->n_reports; i++)
        rc = collect_hashes(w->arena, &w->reports[i], &w->observables.hashes);
    return rc;
}

/* Runs the phishing analysis over what the other analyzers found. */
static ms_status run_phishing(ms_worker *w, ms_message *m)
{
    if (w->engine->phishing == NULL)
        return MS_OK;
    return ms_phish_analyze(w->engine->phishing, w->phish, m,
                            w->engine->urls ? &w->urls : NULL, w->reports,
                            w->n_reports, &w->phish_result);
}

/* Runs the spam rules and, with a token store, the Bayesian filter. */
static ms_status run_spam(ms_worker *w, ms_message *m)
{
    const ms_engine *e = w->engine;
    if (e->spam == NULL)
        return MS_OK;
    ms_status rc =
        ms_spam_check(e->spam, w->spam, w->arena, m, &w->spam_result);
    if (rc != MS_OK || e->bayes == NULL)
        return rc;
    ms_bayes_tokens tokens;
    ms_bayes_result br;
    rc = ms_bayes_tokenize(w->arena, m, &tokens);
    if (rc != MS_OK)
        return rc;
    ms_bayes_classify(e->bayes, &tokens, &br);
    if (!br.used)
        return MS_OK;
    /* the rule set may re-score the BAYES_xx rules */
    double score = br.score;
    ms_spam_rules_score(e->spam, br.rule, &score);
    return ms_spam_add_bayes(&w->spam_result, w->arena, br.rule, score,
                             br.probability);
}

/* Writes the attachments with their analysis; see document.h. */
void ms_document_write_attachments(ms_json *j, const ms_message *m,
                                   const ms_file_report *reports,
                                   size_t n_reports, bool payloads)
{
    ms_json_key(j, "attachments");
    ms_json_array_begin(j);
    for (size_t i = 0; i < m->n_attachments; i++) {
        ms_json_object_begin(j);
        ms_part_write_mime_fields(j, m->attachments[i]);
        if (i < n_reports) {
            ms_file_report_write_fields(j, &reports[i], payloads);
        } else {
            /* past the files ceiling: named, not analyzed */
            ms_json_kv_cstr(j, "filename", m->attachments[i]->filename);
            ms_json_kv_cstr(j, "content_type", m->attachments[i]->content_type);
            ms_json_kv_uint(j, "size", m->attachments[i]->body_len);
            ms_json_kv_bool(j, "analyzed", false);
        }
        ms_json_object_end(j);
    }
    ms_json_array_end(j);
}

/* The attachments writer of the worker's document (ctx is the worker). */
static void write_attachments(ms_json *j, const ms_message *m, void *ctx)
{
    const ms_worker *w = ctx;
    ms_document_write_attachments(
        j, m, w->reports, w->n_reports,
        ms_attach_engine_config(w->engine->attach)->payloads);
}

static void write_urls(ms_worker *w, ms_json *j)
{
    if (w->engine->urls == NULL)
        return;
    ms_json_key(j, "urls");
    ms_urls_write_json(j, &w->urls);
}

static void write_observables(ms_worker *w, ms_json *j)
{
    ms_json_key(j, "observables");
    ms_observables_write_json(j, &w->observables);
}

static void write_phishing(ms_worker *w, ms_json *j)
{
    if (w->engine->phishing == NULL)
        return;
    ms_json_key(j, "phishing");
    ms_phish_write_json(j, &w->phish_result);
}

static void write_spam(ms_worker *w, ms_json *j)
{
    if (w->engine->spam == NULL)
        return;
    ms_json_key(j, "spam");
    ms_spam_write_json(j, &w->spam_result);
}

/* One analyzer: run computes its result into the worker (shared state
 * is in w->engine, read-only) and may add defects to the mail, so every
 * analyzer runs before the document is written; write writes its
 * section, or nothing when the analyzer is off (attachments are written
 * inside the parsed mail's fields, in place of the tokenizer's list). */
typedef ms_status (*section_run)(ms_worker *w, ms_message *m);
typedef void (*section_write)(ms_worker *w, ms_json *j);

/* The analyzers, in the order they run and their sections appear. Adding
 * one is a row here, its long-lived state in ms_engine, its scratch and
 * result in ms_worker (scratch built in ms_worker_init). */
static const struct {
    const char *name;
    section_run run;
    section_write write;
} sections[] = {
    {"attachments", run_attachments, NULL},
    {"urls", run_urls, write_urls},
    {"observables", run_observables, write_observables},
    {"phishing", run_phishing, write_phishing},
    {"spam", run_spam, write_spam},
};

/* Prepares a worker for the engine. */
ms_status ms_worker_init(ms_worker *w, const ms_engine *engine)
{
    memset(w, 0, sizeof(*w));
    w->engine = engine;
    w->arena = ms_arena_new(0);
    if (w->arena == NULL)
        return MS_ENOMEM;
    if (engine->attach) {
        char err[256];
        ms_status rc = ms_attach_scratch_new(&w->attach, err, sizeof(err));
        if (rc != MS_OK)
            return rc;
    }
    if (engine->phishing) {
        ms_status rc = ms_phish_scratch_new(engine->phishing, &w->phish);
        if (rc != MS_OK)
            return rc;
    }
    if (engine->spam)
        return ms_spam_scratch_new(engine->spam, &w->spam);
    return MS_OK;
}

/* Frees a worker's scratch. */
void ms_worker_destroy(ms_worker *w)
{
    ms_attach_scratch_free(w->attach);
    ms_phish_scratch_free(w->phish);
    ms_spam_scratch_free(w->spam);
    ms_arena_free(w->arena);
    memset(w, 0, sizeof(*w));
}

/* Forgets the results of the previous mail. */
static void reset_results(ms_worker *w)
{
    w->reports = NULL;
    w->n_reports = 0;
    ms_url_list_init(&w->urls);
    memset(&w->observables, 0, sizeof(w->observables));
    memset(&w->phish_result, 0, sizeof(w->phish_result));
    memset(&w->spam_result, 0, sizeof(w->spam_result));
}

/* Appends the document of one mail; see document.h. */
void ms_document_build(ms_worker *w, const ms_origin *origin, const char *data,
                       size_t len, const char *reason, ms_buf *out,
                       ms_document_info *info)
{
    const ms_engine *e = w->engine;
    double started = now_seconds();
    info->failed = false;
    info->n_defects = 0;
    info->error[0] = '\0';
    if (data == NULL) {
        info->failed = true;
        write_error(out, origin, NULL, NULL, 0, "read", reason, e->pretty,
                    info);
        return;
    }
    /* the raw mail's digests in one pass; its sha256 is the id */
    ms_hashes hashes;
    if (ms_hashes_compute((const unsigned char *)data, len, true, &hashes) !=
        MS_OK)
        ms_sha256_hex(data, len, hashes.sha256); /* the others stay null */
    const char *id = hashes.sha256;
    ms_arena_reset(w->arena);
    ms_message *m = NULL;
    ms_status rc = ms_message_parse(w->arena, data, len, &e->parse, &m);
    if (rc != MS_OK) {
        info->failed = true;
        write_error(out, origin, id, data, len, "parse", ms_status_str(rc),
                    e->pretty, info);
        return;
    }
    /* an empty file or bytes without a single header field are not a
     * mail: say so instead of writing a document about nothing */
    if (len == 0 || m->root->n_headers == 0) {
        info->failed = true;
        write_error(out, origin, id, data, len, "parse",
                    len == 0 ? "empty input" : "no mail header found",
                    e->pretty, info);
        return;
    }
    reset_results(w);
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        rc = sections[i].run(w, m);
        if (rc != MS_OK) {
            /* the mail gets an error document naming the analyzer */
            info->failed = true;
            write_error(out, origin, id, data, len, sections[i].name,
                        ms_status_str(rc), e->pretty, info);
            return;
        }
    }
    info->n_defects = m->n_defects;
    size_t mark = out->n;
    ms_json j;
    ms_json_init(&j, out, e->pretty);
    ms_json_object_begin(&j);
    ms_json_kv_cstr(&j, "id", id);
    write_source(&j, origin, data, len);
    ms_json_key(&j, "hashes");
    write_hashes(&j, &hashes);
    if (e->attach)
        ms_message_write_json_with(&j, m, write_attachments, w);
    else
        ms_message_write_json(&j, m);
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        if (sections[i].write)
            sections[i].write(w, &j);
    write_analysis(&j, started);
    ms_json_object_end(&j);
    rc = ms_json_status(&j);
    if (rc != MS_OK) {
        out->n = mark;
        info->failed = true;
        write_error(out, origin, id, data, len, "report", ms_status_str(rc),
                    e->pretty, info);
        return;
    }
    ms_buf_append_char(out, '\n');
}

/* Appends the short document of a mail the filter skipped; see
 * document.h. */
void ms_document_build_seen(ms_worker *w, const ms_origin *origin,
                            const char *data, size_t len,
                            const char *body_sha256, ms_buf *out,
                            ms_document_info *info)
{
    char id[65];
    info->failed = false;
    info->n_defects = 0;
    info->error[0] = '\0';
    ms_sha256_hex(data, len, id);
    ms_json j;
    ms_json_init(&j, out, w->engine->pretty);
    ms_json_object_begin(&j);
    ms_json_kv_cstr(&j, "id", id);
    write_source(&j, origin, data, len);
    ms_json_key(&j, "seen");
    ms_json_object_begin(&j);
    ms_json_kv_cstr(&j, "reason", "already seen");
    ms_json_kv_cstr(&j, "body_sha256", body_sha256);
    ms_json_object_end(&j);
    ms_json_object_end(&j);
    ms_buf_append_char(out, '\n');
}
