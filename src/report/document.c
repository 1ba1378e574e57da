/* SPDX-License-Identifier: MIT */
/*
 * Builds the analysis document of one mail (see document.h). The order of
 * the keys is fixed: id, source, analysis, hashes, the parse fields, then
 * the analyzer sections; docs/schema.md describes each field.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <fuzzy.h>
#include <openssl/evp.h>

#include "report/document.h"
#include "report/message_json.h"
#include "util/json.h"

/* Writes n bytes of digest as lower-case hex into hex (2n+1 bytes). */
static void to_hex(const unsigned char *md, unsigned n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * n] = '\0';
}

/* Writes the hashes object of the raw mail: md5, sha1, sha256, sha512 and
 * ssdeep. */
static void write_hashes(ms_json *w, const char *data, size_t len,
                         const char *sha256)
{
    static const struct {
        const char *key;
        const EVP_MD *(*md)(void);
    } algos[] = {{"md5", EVP_md5}, {"sha1", EVP_sha1}, {"sha512", EVP_sha512}};
    ms_json_object_begin(w);
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        char hex[2 * EVP_MAX_MD_SIZE + 1];
        if (EVP_Digest(data, len, md, &n, algos[i].md(), NULL)) {
            to_hex(md, n, hex);
            ms_json_kv_cstr(w, algos[i].key, hex);
        } else {
            ms_json_kv_null(w, algos[i].key);
        }
        if (i == 1)
            ms_json_kv_cstr(w, "sha256", sha256);
    }
    char fuzzy[FUZZY_MAX_RESULT];
    if (fuzzy_hash_buf((const unsigned char *)data, (uint32_t)len, fuzzy) == 0)
        ms_json_kv_cstr(w, "ssdeep", fuzzy);
    else
        ms_json_kv_null(w, "ssdeep");
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

/* Writes the spam section: the rule set's verdict and, with a token
 * store, the Bayesian one. Nothing without spam rules. Returns MS_OK, or
 * the failure with *stage set to "spam" or "bayes". */
static ms_status write_spam_section(ms_worker *w, const ms_message *m,
                                    ms_json *j, const char **stage)
{
    const ms_engine *e = w->engine;
    if (e->spam == NULL)
        return MS_OK;
    ms_spam_result spam;
    *stage = "spam";
    ms_status rc = ms_spam_check(e->spam, w->spam, w->arena, m, &spam);
    if (rc != MS_OK)
        return rc;
    if (e->bayes) {
        ms_bayes_tokens tokens;
        ms_bayes_result br;
        *stage = "bayes";
        rc = ms_bayes_tokenize(w->arena, m, &tokens);
        if (rc != MS_OK)
            return rc;
        ms_bayes_classify(e->bayes, &tokens, &br);
        /* the rule set may re-score the BAYES_xx rules */
        double score = br.score;
        if (br.used) {
            ms_spam_rules_score(e->spam, br.rule, &score);
            rc = ms_spam_add_bayes(&spam, w->arena, br.rule, score,
                                   br.probability);
            if (rc != MS_OK)
                return rc;
        }
    }
    ms_json_key(j, "spam");
    ms_spam_write_json(j, &spam);
    return MS_OK;
}

/* Writes one analyzer's section into the open document of a parsed mail:
 * runs the analysis with the worker's scratch (state shared by all
 * workers is in w->engine, read-only) and writes its key and value, or
 * nothing when the analyzer is off. Returns MS_OK, or the status of a
 * failure with *stage naming what failed (preset to the row's name). */
typedef ms_status (*section_writer)(ms_worker *w, const ms_message *m,
                                    ms_json *j, const char **stage);

/* The analyzers, in the order their sections appear. Adding one is a
 * row here, its long-lived state in ms_engine and its scratch in
 * ms_worker (built in ms_worker_init). */
static const struct {
    const char *name;
    section_writer write;
} sections[] = {
    {"spam", write_spam_section},
};

/* Prepares a worker for the engine. */
ms_status ms_worker_init(ms_worker *w, const ms_engine *engine)
{
    memset(w, 0, sizeof(*w));
    w->engine = engine;
    w->arena = ms_arena_new(0);
    if (w->arena == NULL)
        return MS_ENOMEM;
    if (engine->spam)
        return ms_spam_scratch_new(engine->spam, &w->spam);
    return MS_OK;
}

/* Frees a worker's scratch. */
void ms_worker_destroy(ms_worker *w)
{
    ms_spam_scratch_free(w->spam);
    ms_arena_free(w->arena);
    memset(w, 0, sizeof(*w));
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
    char id[65];
    ms_sha256_hex(data, len, id);
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
    info->n_defects = m->n_defects;
    size_t mark = out->n;
    ms_json j;
    ms_json_init(&j, out, e->pretty);
    ms_json_object_begin(&j);
    ms_json_kv_cstr(&j, "id", id);
    write_source(&j, origin, data, len);
    ms_json_key(&j, "hashes");
    write_hashes(&j, data, len, id);
    ms_message_write_json(&j, m);
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        const char *stage = sections[i].name;
        rc = sections[i].write(w, m, &j, &stage);
        if (rc != MS_OK) {
            /* drop the half-written document: the mail gets an error
             * document naming the analyzer instead */
            out->n = mark;
            info->failed = true;
            write_error(out, origin, id, data, len, stage, ms_status_str(rc),
                        e->pretty, info);
            return;
        }
    }
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
