/* SPDX-License-Identifier: MIT */
/*
 * mailscope analyze: the main job. One reader walks the inputs (or
 * watches a folder), N worker threads parse and analyze, one writer puts
 * the documents out; bounded queues between them keep memory flat. Every
 * mail in gives one line out: its document, a short "seen" document when
 * the already-seen filter knows its body, or an error document with the
 * reason.
 *
 *   reader --[jobs]--> workers --[done]--> writer --> stdout or -o FILE
 *                                              \--> watch: remove/move/keep
 *
 * With --ordered the writer holds finished documents back until those
 * before them are written. In watch mode the writer flushes each batch of
 * documents before it removes or moves their mails, so a mail is never
 * gone before its line is out. SIGINT or SIGTERM stops the reader; mails
 * in flight are finished and written; a second signal exits at once.
 *
 * Settings come from the built-in default configuration, then -c FILE,
 * then the command line (see src/pipeline/config.h).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/spam_rules.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "pipeline/config.h"
#include "pipeline/mail_filter.h"
#include "pipeline/queue.h"
#include "pipeline/source.h"
#include "pipeline/watch.h"
#include "report/document.h"

/* Jobs waiting for a worker, and documents waiting for the writer. */
#define JOB_QUEUE_SIZE  256
#define DONE_QUEUE_SIZE 256
/* Mails a worker takes from the queue at once, and documents the writer
 * takes: fewer locks and wake-ups per mail. Small enough that threads
 * share the work evenly. */
#define WORKER_BATCH 8
#define WRITER_BATCH 64
/* The writer is woken for every WRITER_WAKE documents (or the first
 * after a pause), and a document waits at most WRITER_LINGER_MS for it:
 * the writer is quick, and a wake-up per document cost more than
 * writing it. */
#define WRITER_WAKE      32
#define WRITER_LINGER_MS 5
/* Largest document written. */
#define MAX_DOCUMENT_BYTES (512u << 20)
/* The progress line is redrawn at most this often (seconds). */
#define PROGRESS_INTERVAL 0.25

static const char analyze_help[] =
    "usage: mailscope analyze [OPTIONS] [PATH...]\n"
    "       mailscope analyze [OPTIONS] --watch DIR\n"
    "\n"
    "Analyzes every mail in the paths and writes one JSON document per mail\n"
    "(JSON Lines). A path is a mail file, a folder (walked recursively, in\n"
    "name order), a Maildir (cur/ and new/; tmp/ is skipped), an mbox file\n"
    "(split on its From lines, >From unescaped), or - for stdin; with no\n"
    "path, stdin is read. A mail that cannot be read or analyzed still gives\n"
    "a line: {\"id\":...,\"source\":...,\"error\":{\"stage\":...,\"reason\":"
    "...}}.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE     YAML configuration laid over the built-in one\n"
    "                        (mailscope config --print-default shows it)\n"
    "  -o, --output FILE     write the documents to FILE (default stdout)\n"
    "  -t, --threads N       worker threads (default: the number of cores)\n"
    "      --ordered         write documents in input order\n"
    "      --pretty          indent the documents\n"
    "      --include GLOB    only files whose name matches GLOB in folders\n"
    "                        (SpamScope's files_pattern), e.g. '*.eml'\n"
    "      --mbox            stdin holds an mbox, not one mail\n"
    "      --list FILE       also analyze the paths listed in FILE\n"
    "      --watch DIR       poll DIR for new mail files until stopped;\n"
    "                        each is renamed while analyzed, so two runs\n"
    "                        never take the same mail\n"
    "      --after ACTION    in watch mode, once a mail's document is\n"
    "                        written: keep, remove, or move:DIR (into\n"
    "                        DIR/YYYY-MM-DD/); a mail that failed goes to\n"
    "                        DIR/failed/ (watch.failed_dir) with NAME.error\n"
    "      --filter          skip mails whose body was seen before: they\n"
    "                        get a short {\"seen\":...} document (the\n"
    "                        filter section of the configuration keeps the\n"
    "                        hashes in a file between runs)\n"
    "      --payloads        add each attachment's bytes in base64 (payload)\n"
    "      --yara PATH       more YARA rules, a file or a folder, besides\n"
    "                        conf/yara/ (repeatable; adds to the file's)\n"
    "      --spam-rules PATH SpamAssassin rule file or folder (repeatable;\n"
    "                        replaces the default set), e.g.\n"
    "                        /usr/share/spamassassin\n"
    "      --no-spam         no spam section\n"
    "      --bayes PATH      add the Bayesian filter's verdict from the\n"
    "                        token store at PATH (see mailscope train)\n"
    "      --trust STRING    sender IP by mail-parser's trust rule\n"
    "      --limit NAME=N    a parser ceiling (see mailscope help parse)\n"
    "      --stats           print the summary line even for one mail\n"
    "  -h, --help            this help\n"
    "\n"
    "document fields: id (sha256 of the raw mail), source {path, mailbox,\n"
    "size, mbox_offset}, hashes {md5, sha1, sha256, sha512, ssdeep}, the\n"
    "fields of mailscope parse (see mailscope help parse), spam {score,\n"
    "required, is_spam, status, rules [{name, score, description, match}],\n"
    "bayes}, analysis {date, version, duration_ms}. docs/schema.md has "
    "them all.\n"
    "\n"
    "At the end a summary goes to stderr: mails, bytes, failures, defects,\n"
    "mails/s and MB/s; while it runs, a progress line when stderr is a\n"
    "terminal. Exit status: 0 all mails analyzed, 1 some failed, 2 bad\n"
    "usage or configuration.\n";

/* One mail on its way through the pipeline. */
typedef struct job {
    unsigned long long seq;
    char *path;
    char *mailbox;
    long long mbox_offset;
    char *inflight; /* watch mode: the mail's name while analyzed */
    char *data;
    size_t len;
    char *reason;
    bool seen; /* the filter knows its body */
    char body_sha256[65];
    ms_buf out;
    ms_document_info info;
} job;

/* The state of one run. */
typedef struct run {
    ms_config config;
    ms_engine engine;
    ms_urls_config urls; /* engine.urls points here */
    ms_queue jobs, done;
    FILE *out;
    bool ordered;
    bool write_failed;
    bool progress; /* stderr is a terminal */
    unsigned long long next_seq;
    ms_source_options source;
    ms_mail_filter *filter; /* reader only */
    ms_watch *watch;
    /* totals, written by the writer only */
    unsigned long long n_mails, n_failed, n_defects, n_bytes, n_seen;
    unsigned long long n_after_failed;
    job **written; /* the writer's current batch, written, not finished */
    size_t n_written, cap_written;
    double started, last_progress;
    int n_threads;
} run;

static volatile sig_atomic_t stop_requested;

/* The first signal asks the reader to stop; a second one exits now. */
static void on_signal(int sig)
{
    if (stop_requested)
        _exit(128 + sig);
    stop_requested = 1;
}

/* Returns the seconds of a monotonic clock. */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Frees a job. */
static void job_free(job *j)
{
    free(j->path);
    free(j->mailbox);
    free(j->inflight);
    free(j->data);
    free(j->reason);
    ms_buf_free(&j->out);
    free(j);
}

/* Writes n bytes as lower-case hex into hex (2n+1 bytes). */
static void to_hex(const unsigned char *p, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[p[i] >> 4];
        hex[2 * i + 1] = digits[p[i] & 15];
    }
    hex[2 * n] = '\0';
}

/* Wraps one mail into a job for the workers (taking data), asking the
 * filter first. Returns false when the run stops. */
static bool enqueue(run *r, const ms_origin *o, const char *inflight,
                    char *data, size_t len, const char *reason)
{
    job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        free(data);
        return false;
    }
    j->seq = r->next_seq++;
    j->path = strdup(o->path);
    j->mailbox = o->mailbox ? strdup(o->mailbox) : NULL;
    j->inflight = inflight ? strdup(inflight) : NULL;
    j->mbox_offset = o->mbox_offset;
    j->data = data;
    j->len = len;
    j->reason = reason ? strdup(reason) : NULL;
    ms_buf_init(&j->out, MAX_DOCUMENT_BYTES);
    if (j->path == NULL || (o->mailbox && j->mailbox == NULL) ||
        (inflight && j->inflight == NULL)) {
        /* cannot even say which mail it is: stop rather than lose it */
        job_free(j);
        return false;
    }
    if (r->filter && data && len > 0) {
        unsigned char hash[MS_MAIL_FILTER_HASH_BYTES];
        ms_mail_filter_body_hash(data, len, hash);
        j->seen = ms_mail_filter_check_and_add(r->filter, hash);
        to_hex(hash, sizeof(hash), j->body_sha256);
    }
    if (!ms_queue_push(&r->jobs, j)) {
        job_free(j);
        return false;
    }
    return !stop_requested;
}

/* Source callback: one mail of a path. */
static bool enqueue_mail(void *ctx, const ms_origin *o, char *data, size_t len,
                         const char *reason)
{
    return enqueue(ctx, o, NULL, data, len, reason);
}

/* Watch callback: one mail taken from the watched folder. */
static bool enqueue_watched(void *ctx, const ms_origin *o, const char *inflight,
                            char *data, size_t len, const char *reason)
{
    return enqueue(ctx, o, inflight, data, len, reason);
}

/* Builds the document of one job and hands it to the writer. */
static void process_job(run *r, ms_worker *w, bool ready, job *j)
{
    ms_origin o = {j->path, j->mailbox, j->mbox_offset};
    if (!ready)
        ms_document_build(w, &o, NULL, 0, "out of memory", &j->out, &j->info);
    else if (j->seen)
        ms_document_build_seen(w, &o, j->data, j->len, j->body_sha256, &j->out,
                               &j->info);
    else
        ms_document_build(w, &o, j->data, j->len,
                          j->reason ? j->reason : "unreadable", &j->out,
                          &j->info);
    /* the mail's bytes are no longer needed: free them before the
     * document waits for the writer */
    free(j->data);
    j->data = NULL;
    ms_queue_push(&r->done, j);
}

/* A worker thread: takes jobs a few at a time and builds their
 * documents. */
static void *worker_main(void *arg)
{
    run *r = arg;
    ms_worker w;
    bool ready = ms_worker_init(&w, &r->engine) == MS_OK;
    void *batch[WORKER_BATCH];
    size_t n_batch;
    while ((n_batch = ms_queue_pop_many(&r->jobs, batch, WORKER_BATCH)) > 0) {
        for (size_t b = 0; b < n_batch; b++)
            process_job(r, &w, ready, batch[b]);
    }
    if (ready)
        ms_worker_destroy(&w);
    return NULL;
}

/* Writes one finished job, counts it, and keeps it for the end of the
 * batch (its watch after-action waits for the flush). */
static void write_job(run *r, job *j)
{
    if (!r->write_failed && fwrite(j->out.p, 1, j->out.n, r->out) != j->out.n)
        r->write_failed = true;
    r->n_mails++;
    r->n_failed += j->info.failed;
    r->n_seen += j->seen;
    r->n_defects += j->info.n_defects;
    r->n_bytes += j->len;
    if (r->n_written == r->cap_written) {
        size_t cap = r->cap_written ? r->cap_written * 2 : WRITER_BATCH;
        job **p = realloc(r->written, cap * sizeof(*p));
        if (p == NULL) {
            /* no room to wait: flush and finish this one now */
            if (j->inflight && fflush(r->out) != 0)
                r->write_failed = true;
            if (j->inflight) {
                char err[512];
                if (ms_watch_finish(r->watch, j->inflight, j->path,
                                    !r->write_failed, j->info.failed,
                                    j->info.error, err, sizeof(err)) != MS_OK)
                    r->n_after_failed++;
            }
            job_free(j);
            return;
        }
        r->written = p;
        r->cap_written = cap;
    }
    r->written[r->n_written++] = j;
}

/* Ends a batch: in watch mode flushes the output, then removes, moves or
 * keeps each mail written; frees the jobs. */
static void finish_batch(run *r)
{
    bool any_watched = false;
    for (size_t i = 0; i < r->n_written; i++)
        any_watched |= r->written[i]->inflight != NULL;
    if (any_watched && fflush(r->out) != 0)
        r->write_failed = true;
    for (size_t i = 0; i < r->n_written; i++) {
        job *j = r->written[i];
        if (j->inflight) {
            char err[512];
            if (ms_watch_finish(r->watch, j->inflight, j->path,
                                !r->write_failed, j->info.failed, j->info.error,
                                err, sizeof(err)) != MS_OK) {
                fprintf(stderr, "mailscope analyze: %s\n", err);
                r->n_after_failed++;
            }
        }
        job_free(j);
    }
    r->n_written = 0;
}

/* Redraws the progress line on the terminal, at most a few times a
 * second; with done, clears it for the summary. */
static void show_progress(run *r, bool done)
{
    if (!r->progress)
        return;
    double now = now_seconds();
    if (!done && now - r->last_progress < PROGRESS_INTERVAL)
        return;
    r->last_progress = now;
    double secs = now - r->started;
    if (done) {
        fputs("\r\033[K", stderr);
        return;
    }
    fprintf(stderr,
            "\r\033[K%llu mails, %.1f MB, %llu failed, %.0f mails/s, %.1f "
            "MB/s",
            r->n_mails, (double)r->n_bytes / 1e6, r->n_failed,
            secs > 0 ? (double)r->n_mails / secs : 0.0,
            secs > 0 ? (double)r->n_bytes / 1e6 / secs : 0.0);
    fflush(stderr);
}

/* The writer's reorder list for --ordered: finished jobs waiting for
 * those before them. Its size is bounded by the queues: at most the jobs
 * in flight (JOB_QUEUE_SIZE + DONE_QUEUE_SIZE + a batch per worker). */
typedef struct reorder {
    job **pending;
    size_t n, cap;
    unsigned long long next;
} reorder;

/* Takes one finished job: writes it at once, or with --ordered keeps it
 * until every job before it is written. */
static void writer_take(run *r, reorder *ro, job *j)
{
    if (!r->ordered) {
        write_job(r, j);
        return;
    }
    if (ro->n == ro->cap) {
        size_t cap = ro->cap ? ro->cap * 2 : 64;
        job **p = realloc(ro->pending, cap * sizeof(*p));
        if (p == NULL) {
            write_job(r, j); /* out of order beats lost */
            return;
        }
        ro->pending = p;
        ro->cap = cap;
    }
    ro->pending[ro->n++] = j;
    bool progress = true;
    while (progress) {
        progress = false;
        for (size_t i = 0; i < ro->n; i++) {
            if (ro->pending[i]->seq == ro->next) {
                write_job(r, ro->pending[i]);
                ro->pending[i] = ro->pending[--ro->n];
                ro->next++;
                progress = true;
                break;
            }
        }
    }
}

/* The writer thread: writes documents as they finish, or in input order
 * with --ordered, and finishes watched mails after each batch. */
static void *writer_main(void *arg)
{
    run *r = arg;
    reorder ro = {NULL, 0, 0, 0};
    void *batch[WRITER_BATCH];
    size_t n_batch;
    while ((n_batch = ms_queue_pop_many(&r->done, batch, WRITER_BATCH)) > 0) {
        for (size_t b = 0; b < n_batch; b++)
            writer_take(r, &ro, batch[b]);
        finish_batch(r);
        show_progress(r, false);
    }
    for (size_t i = 0; i < ro.n; i++)
        write_job(r, ro.pending[i]);
    finish_batch(r);
    show_progress(r, true);
    free(ro.pending);
    free(r->written);
    return NULL;
}

/* Builds the attachments analyzer from the configuration. Returns NULL
 * after reporting the error. */
static ms_attach_engine *load_attachments(const ms_config *cfg)
{
    ms_attach_config ac;
    ms_attach_config_default(&ac);
    ac.max_depth = cfg->attachments.max_depth;
    ac.max_total_bytes = cfg->attachments.max_total_bytes;
    ac.max_entries = cfg->attachments.max_entries;
    ac.max_ratio = cfg->attachments.max_ratio;
    ac.max_files = cfg->attachments.max_files;
    ac.max_scan_bytes = cfg->attachments.max_scan_bytes;
    ac.payloads = cfg->attachments.payloads;
    ac.filter = cfg->attachments.filter;
    ac.filter_path = cfg->attachments.filter_path;
    ac.filter_max_entries = cfg->attachments.filter_max_entries;
    ac.yara = cfg->attachments.yara;
    char yara_dir[4096];
    ac.yara_rules_dir = ms_cli_shipped_conf("yara", yara_dir, sizeof(yara_dir));
    if (cfg->attachments.yara_rules.n > MS_ATTACH_MAX_YARA_PATHS) {
        fprintf(stderr,
                "mailscope analyze: attachments.yara_rules holds more than "
                "%d paths\n",
                MS_ATTACH_MAX_YARA_PATHS);
        return NULL;
    }
    for (size_t i = 0; i < cfg->attachments.yara_rules.n; i++)
        ac.yara_paths[i] = cfg->attachments.yara_rules.items[i];
    ac.n_yara_paths = cfg->attachments.yara_rules.n;
    ms_attach_engine *engine = NULL;
    char err[512];
    if (ms_attach_engine_new(&ac, &engine, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope analyze: attachments: %s\n", err);
        return NULL;
    }
    return engine;
}

/* Builds the URL analyzer's settings: the shortener list (the shipped
 * one unless another is named) and the optional whitelist. Returns
 * false after reporting the error. */
static bool load_urls(const ms_config *cfg, ms_urls_config *uc)
{
    ms_urls_config_init(uc);
    uc->max_urls = cfg->urls.max_urls;
    char path[4096], err[512];
    const char *shorteners =
        cfg->urls.shorteners
            ? cfg->urls.shorteners
            : ms_cli_shipped_conf("shorteners.txt", path, sizeof(path));
    if (shorteners && ms_urls_config_load_shorteners(uc, shorteners, err,
                                                     sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope analyze: urls.shorteners: %s\n", err);
        return false;
    }
    if (cfg->urls.whitelist &&
        ms_urls_config_load_whitelist(uc, cfg->urls.whitelist, 0, err,
                                      sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope analyze: urls.whitelist: %s\n", err);
        return false;
    }
    return true;
}

/* Fills the paths of one kind of phishing list: the shipped file first,
 * then the configuration's. */
static bool phish_paths(const char *shipped, const ms_config_paths *more,
                        const char **paths, size_t *n, char *buf, size_t size)
{
    *n = 0;
    const char *path = ms_cli_shipped_conf(shipped, buf, size);
    if (path)
        paths[(*n)++] = path;
    for (size_t i = 0; i < more->n; i++) {
        if (*n == MS_PHISH_MAX_FILES) {
            fprintf(stderr,
                    "mailscope analyze: phishing: more than %d list "
                    "files of one kind\n",
                    MS_PHISH_MAX_FILES);
            return false;
        }
        paths[(*n)++] = more->items[i];
    }
    return true;
}

/* Writes the folder of the compiled rule cache (spam rules and phishing
 * lists) into buf: the configured
 * one, else $XDG_CACHE_HOME/mailscope/rules, else
 * $HOME/.cache/mailscope/rules. Returns NULL when caching is off or no
 * folder is known. */
static const char *rule_cache_dir(const ms_config *cfg, char *buf, size_t size)
{
    if (!cfg->spam.cache)
        return NULL;
    if (cfg->spam.cache_dir)
        return cfg->spam.cache_dir;
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, size, "%s/mailscope/rules", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, size, "%s/.cache/mailscope/rules", home);
    else
        return NULL;
    return n > 0 && (size_t)n < size ? buf : NULL;
}

/* Builds the phishing analyzer from the shipped lists and the
 * configuration's. Returns NULL after reporting the error. */
static ms_phish_engine *load_phishing(const ms_config *cfg)
{
    ms_phish_config pc = {0};
    char brands[4096], subjects[4096], phrases[4096], signals[4096];
    char domains[4096];
    if (!phish_paths("phishing/brands.yml", &cfg->phishing.brands, pc.brands,
                     &pc.n_brands, brands, sizeof(brands)) ||
        !phish_paths("phishing/subjects.yml", &cfg->phishing.subjects,
                     pc.subjects, &pc.n_subjects, subjects, sizeof(subjects)) ||
        !phish_paths("phishing/phrases.yml", &cfg->phishing.phrases, pc.phrases,
                     &pc.n_phrases, phrases, sizeof(phrases)) ||
        !phish_paths("phishing/domains.yml", &cfg->phishing.domains, pc.domains,
                     &pc.n_domains, domains, sizeof(domains)))
        return NULL;
    pc.signals = cfg->phishing.signals
                     ? cfg->phishing.signals
                     : ms_cli_shipped_conf("phishing/signals.yml", signals,
                                           sizeof(signals));
    char cache[4096];
    pc.cache_dir = rule_cache_dir(cfg, cache, sizeof(cache));
    ms_phish_engine *engine = NULL;
    char err[512];
    if (ms_phish_engine_new(&pc, &engine, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope analyze: phishing: %s\n", err);
        return NULL;
    }
    return engine;
}

/* Loads the spam rules: the given paths, or the shipped default set
 * (next to the binary's source tree or installed). */
static ms_spam_rules *load_spam_rules(const ms_config *cfg)
{
    const char *paths[MS_CONFIG_MAX_RULE_PATHS];
    char *const *given = cfg->spam.rules.items;
    size_t n = cfg->spam.rules.n;
    char shipped[4096], cache[4096];
    char err[512];
    ms_spam_rules *rules = NULL;
    for (size_t i = 0; i < n; i++)
        paths[i] = given[i];
    if (n == 0) {
        paths[0] = ms_cli_shipped_conf("rules", shipped, sizeof(shipped));
        n = paths[0] != NULL;
        if (n == 0) {
            fprintf(stderr, "mailscope analyze: no default spam rules found "
                            "(give --spam-rules PATH or --no-spam)\n");
            return NULL;
        }
    }
    const char *cache_dir = rule_cache_dir(cfg, cache, sizeof(cache));
    if (ms_spam_rules_load(paths, n, cache_dir, &rules, err, sizeof(err)) !=
        MS_OK) {
        fprintf(stderr, "mailscope analyze: %s\n", err);
        return NULL;
    }
    if (cfg->spam.rules.n > 0) {
        /* a rule set of the user's: say what of it runs */
        ms_spam_rules_stats st;
        ms_spam_rules_get_stats(rules, &st);
        fprintf(stderr,
                "mailscope analyze: spam rules: %zu (%zu header, %zu "
                "body-like, %zu meta), %zu eval: tests of which %zu run and "
                "%zu are skipped, %zu invalid\n",
                st.n_rules, st.n_header, st.n_body, st.n_meta, st.n_eval,
                st.n_eval_run, st.n_eval - st.n_eval_run, st.n_invalid);
    }
    return rules;
}

/* The command line's options. */
static const struct option long_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"output", required_argument, NULL, 'o'},
    {"threads", required_argument, NULL, 't'},
    {"ordered", no_argument, NULL, 'O'},
    {"pretty", no_argument, NULL, 'p'},
    {"include", required_argument, NULL, 'i'},
    {"mbox", no_argument, NULL, 'm'},
    {"list", required_argument, NULL, 'l'},
    {"watch", required_argument, NULL, 'W'},
    {"after", required_argument, NULL, 'A'},
    {"filter", no_argument, NULL, 'F'},
    {"spam-rules", required_argument, NULL, 'r'},
    {"no-spam", no_argument, NULL, 'n'},
    {"bayes", required_argument, NULL, 'B'},
    {"trust", required_argument, NULL, 'T'},
    {"limit", required_argument, NULL, 'L'},
    {"stats", no_argument, NULL, 's'},
    {"payloads", no_argument, NULL, 'P'},
    {"yara", required_argument, NULL, 'Y'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* What the command line asks beyond the configuration. */
typedef struct cli_request {
    const char *list, *watch;
    bool stats, stdin_mbox, help;
    bool rules_from_cli; /* the first --spam-rules replaces the file's */
} cli_request;

/* Finds -c FILE (a first pass over the command line, so the file is
 * loaded before the other options override it). Returns its path or
 * NULL. */
static const char *find_config_option(int argc, char **argv)
{
    const char *path = NULL;
    int c;
    opterr = 0;
    optind = 0; /* glibc: start over, forget the previous scan */
    while ((c = getopt_long(argc, argv, "c:o:t:h", long_options, NULL)) != -1)
        if (c == 'c')
            path = optarg;
    return path;
}

/* Applies one command-line option over the configuration. Returns
 * MS_EXIT_OK, or the exit code of a usage error (already reported). */
static int apply_option(ms_config *cfg, cli_request *req, int c, char **argv)
{
    bool oom = false;
    switch (c) {
    case 'c':
        break;
    case 'o':
        oom = ms_config_set_string(&cfg->output.path, optarg) != MS_OK;
        break;
    case 't': {
        char *end;
        long v = strtol(optarg, &end, 10);
        if (*end != '\0' || v < 1 || v > MS_CONFIG_MAX_THREADS)
            return ms_cli_usage("analyze",
                                "--threads takes a number from 1 to %d",
                                MS_CONFIG_MAX_THREADS);
        cfg->pipeline.threads = (unsigned)v;
        break;
    }
    case 'O':
        cfg->pipeline.ordered = true;
        break;
    case 'p':
        cfg->output.pretty = true;
        break;
    case 'i':
        oom = ms_config_set_string(&cfg->sources.include, optarg) != MS_OK;
        break;
    case 'm':
        req->stdin_mbox = true;
        break;
    case 'l':
        req->list = optarg;
        break;
    case 'W':
        req->watch = optarg;
        break;
    case 'A':
        if (!ms_config_set_after(cfg, optarg))
            return ms_cli_usage("analyze",
                                "--after takes keep, remove or move:DIR, not "
                                "'%s'",
                                optarg);
        break;
    case 'F':
        cfg->filter.enabled = true;
        break;
    case 'P':
        cfg->attachments.payloads = true;
        break;
    case 'Y':
        if (cfg->attachments.yara_rules.n == MS_CONFIG_MAX_RULE_PATHS)
            return ms_cli_usage("analyze", "too many --yara paths");
        cfg->attachments.yara_rules.items[cfg->attachments.yara_rules.n] =
            strdup(optarg);
        oom = cfg->attachments.yara_rules
                  .items[cfg->attachments.yara_rules.n++] == NULL;
        break;
    case 'r':
        if (!req->rules_from_cli) {
            ms_config_paths_free(&cfg->spam.rules);
            req->rules_from_cli = true;
        }
        if (cfg->spam.rules.n == MS_CONFIG_MAX_RULE_PATHS)
            return ms_cli_usage("analyze", "too many --spam-rules");
        cfg->spam.rules.items[cfg->spam.rules.n] = strdup(optarg);
        oom = cfg->spam.rules.items[cfg->spam.rules.n++] == NULL;
        break;
    case 'n':
        cfg->spam.enabled = false;
        break;
    case 'B':
        oom = ms_config_set_string(&cfg->spam.bayes, optarg) != MS_OK;
        break;
    case 'T':
        oom = ms_config_set_string(&cfg->trust, optarg) != MS_OK;
        cfg->parse.trust = cfg->trust;
        break;
    case 'L':
        if (!ms_cli_set_limit(&cfg->parse, optarg))
            return ms_cli_usage("analyze",
                                "bad --limit '%s': use NAME=N (see "
                                "mailscope help parse)",
                                optarg);
        break;
    case 's':
        req->stats = true;
        break;
    case 'h':
        req->help = true;
        break;
    default:
        if (optopt)
            return ms_cli_usage("analyze", "unknown or incomplete option '-%c'",
                                optopt);
        return ms_cli_usage("analyze", "unknown or incomplete option '%s'",
                            argv[optind - 1]);
    }
    if (oom) {
        fprintf(stderr, "mailscope analyze: out of memory\n");
        return MS_EXIT_FAILURE;
    }
    return MS_EXIT_OK;
}

/* Reads the configuration and the command line into cfg, req and paths.
 * Returns MS_EXIT_OK or the exit code of an error (already reported). */
static int read_settings(int argc, char **argv, ms_config *cfg,
                         cli_request *req, ms_cli_path_list *paths)
{
    char err[512];
    if (ms_config_load_default(cfg, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope analyze: %s\n", err);
        return MS_EXIT_USAGE;
    }
    const char *config_path = find_config_option(argc, argv);
    if (config_path &&
        ms_config_load_file(cfg, config_path, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope analyze: %s\n", err);
        return MS_EXIT_USAGE;
    }
    int c;
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, "c:o:t:h", long_options, NULL)) != -1) {
        int rc = apply_option(cfg, req, c, argv);
        if (rc != MS_EXIT_OK)
            return rc;
    }
    if (req->help)
        return MS_EXIT_OK;
    for (int i = optind; i < argc; i++)
        ms_cli_path_list_add(paths, argv[i]);
    if (req->list) {
        char reason[256];
        if (ms_cli_path_list_read(paths, req->list, reason, sizeof(reason)) !=
            MS_OK)
            return ms_cli_usage("analyze", "cannot read --list %s: %s",
                                req->list, reason);
    }
    if (req->watch && paths->n > 0)
        return ms_cli_usage("analyze", "--watch DIR takes no other paths");
    if (cfg->spam.bayes && !cfg->spam.enabled)
        return ms_cli_usage("analyze", "--bayes needs the spam section "
                                       "(drop --no-spam)");
    if (!req->watch && paths->n == 0)
        ms_cli_path_list_add(paths, "-");
    return MS_EXIT_OK;
}

/* Builds the engine's long-lived parts: spam rules, the Bayes snapshot,
 * the filter, the watch, the output. Returns MS_EXIT_OK or the exit code
 * of an error (already reported). */
static int prepare_run(run *r, const cli_request *req)
{
    ms_config *cfg = &r->config;
    char err[512];
    r->engine.parse = cfg->parse;
    r->engine.pretty = cfg->output.pretty;
    r->ordered = cfg->pipeline.ordered;
    r->source.include = cfg->sources.include;
    r->source.max_file_bytes = cfg->sources.max_file_bytes;
    r->source.stdin_mbox = req->stdin_mbox;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    r->n_threads = cfg->pipeline.threads > 0 ? (int)cfg->pipeline.threads
                   : cores > 0               ? (int)cores
                                             : 1;
    if (r->n_threads > MS_CONFIG_MAX_THREADS)
        r->n_threads = MS_CONFIG_MAX_THREADS;
    if (cfg->attachments.enabled) {
        ms_attach_engine *attach = load_attachments(cfg);
        if (attach == NULL)
            return MS_EXIT_USAGE;
        r->engine.attach = attach;
    }
    if (cfg->urls.enabled) {
        if (!load_urls(cfg, &r->urls))
            return MS_EXIT_USAGE;
        r->engine.urls = &r->urls;
        r->engine.qr_codes = cfg->urls.qr_codes;
    }
    if (cfg->phishing.enabled) {
        ms_phish_engine *phishing = load_phishing(cfg);
        if (phishing == NULL)
            return MS_EXIT_USAGE;
        r->engine.phishing = phishing;
    }
    if (cfg->spam.enabled) {
        ms_spam_rules *rules = load_spam_rules(cfg);
        if (rules == NULL)
            return MS_EXIT_USAGE;
        r->engine.spam = rules;
    }
    if (cfg->spam.bayes) {
        ms_bayes_snapshot *bayes = NULL;
        if (ms_bayes_snapshot_load(cfg->spam.bayes, &bayes, err, sizeof(err)) !=
            MS_OK) {
            fprintf(stderr, "mailscope analyze: %s\n", err);
            return MS_EXIT_USAGE;
        }
        r->engine.bayes = bayes;
    }
    if (cfg->filter.enabled &&
        ms_mail_filter_open(cfg->filter.path, cfg->filter.max_entries,
                            &r->filter, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope analyze: filter: %s\n", err);
        return MS_EXIT_USAGE;
    }
    if (req->watch) {
        ms_watch_options wo = {req->watch,
                               cfg->sources.include,
                               cfg->watch.poll_ms,
                               cfg->watch.settle_ms,
                               cfg->watch.after,
                               cfg->watch.move_dir,
                               cfg->watch.failed_dir,
                               cfg->sources.max_file_bytes};
        if (ms_watch_open(&wo, &r->watch, err, sizeof(err)) != MS_OK) {
            fprintf(stderr, "mailscope analyze: %s\n", err);
            return MS_EXIT_USAGE;
        }
    }
    r->out = stdout;
    if (cfg->output.path && strcmp(cfg->output.path, "-") != 0) {
        /* append in watch mode: a restarted watcher must not wipe the
         * documents of the mails it already removed */
        r->out = fopen(cfg->output.path, req->watch ? "a" : "w");
        if (r->out == NULL) {
            fprintf(stderr, "mailscope analyze: cannot write %s: %s\n",
                    cfg->output.path, strerror(errno));
            return MS_EXIT_USAGE;
        }
    }
    r->progress = isatty(2);
    return MS_EXIT_OK;
}

/* Frees what prepare_run built. */
static void release_run(run *r)
{
    if (r->out && r->out != stdout)
        fclose(r->out);
    ms_watch_free(r->watch);
    ms_mail_filter_free(r->filter);
    ms_bayes_snapshot_free((ms_bayes_snapshot *)r->engine.bayes);
    ms_spam_rules_free((ms_spam_rules *)r->engine.spam);
    ms_urls_config_free(&r->urls);
    ms_phish_engine_free((ms_phish_engine *)r->engine.phishing);
    if (r->engine.attach) {
        char err[512];
        if (ms_attach_engine_close((ms_attach_engine *)r->engine.attach, err,
                                   sizeof(err)) != MS_OK)
            fprintf(stderr, "mailscope analyze: attachments: %s\n", err);
    }
    ms_config_free(&r->config);
}

/* Runs the reader on this thread, the workers and the writer on their
 * own, until the inputs end or a signal stops the reader. Returns the
 * number of workers started. */
static int run_pipeline(run *r, const ms_cli_path_list *paths)
{
    ms_queue_init(&r->jobs, JOB_QUEUE_SIZE);
    ms_queue_init(&r->done, DONE_QUEUE_SIZE);
    ms_queue_set_batching(&r->done, WRITER_WAKE, WRITER_LINGER_MS);
    pthread_t writer, workers[MS_CONFIG_MAX_THREADS];
    int n_started = 0;
    r->started = now_seconds();
    if (pthread_create(&writer, NULL, writer_main, r) != 0) {
        fprintf(stderr, "mailscope analyze: cannot start the writer\n");
        ms_queue_destroy(&r->jobs);
        ms_queue_destroy(&r->done);
        return 0;
    }
    for (int i = 0; i < r->n_threads; i++) {
        if (pthread_create(&workers[i], NULL, worker_main, r) == 0)
            n_started++;
    }
    if (n_started > 0) {
        if (r->watch) {
            if (ms_watch_run(r->watch, &stop_requested, enqueue_watched, r) !=
                MS_OK)
                fprintf(stderr, "mailscope analyze: the watched folder "
                                "cannot be listed any more\n");
        }
        for (size_t i = 0; i < paths->n && !stop_requested; i++)
            ms_source_walk(paths->items[i], &r->source, enqueue_mail, r);
    }
    ms_queue_close(&r->jobs);
    for (int i = 0; i < n_started; i++)
        pthread_join(workers[i], NULL);
    ms_queue_close(&r->done);
    pthread_join(writer, NULL);
    ms_queue_destroy(&r->jobs);
    ms_queue_destroy(&r->done);
    return n_started;
}

/* Runs the analyze subcommand. */
static int analyze_main(int argc, char **argv)
{
    /* signals first: a run stopped while it loads still ends cleanly */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    run r;
    memset(&r, 0, sizeof(r));
    cli_request req;
    memset(&req, 0, sizeof(req));
    ms_cli_path_list paths;
    ms_cli_path_list_init(&paths);
    int rc = read_settings(argc, argv, &r.config, &req, &paths);
    if (rc == MS_EXIT_OK && req.help) {
        ms_cli_print_help(&ms_cli_analyze_command, stdout);
        ms_config_free(&r.config);
        ms_cli_path_list_free(&paths);
        return MS_EXIT_OK;
    }
    if (rc == MS_EXIT_OK)
        rc = prepare_run(&r, &req);
    if (rc != MS_EXIT_OK) {
        release_run(&r);
        ms_cli_path_list_free(&paths);
        return rc;
    }

    int n_started = run_pipeline(&r, &paths);
    double secs = now_seconds() - r.started;
    if (fflush(r.out) != 0)
        r.write_failed = true;
    if (r.out != stdout && fclose(r.out) != 0)
        r.write_failed = true;
    if (r.out != stdout)
        r.out = NULL;
    char err[512];
    if (r.filter && ms_mail_filter_save(r.filter, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope analyze: filter: %s\n", err);
        r.write_failed = true;
    }
    if (req.stats || r.n_mails != 1 || r.n_failed || r.watch)
        fprintf(stderr,
                "mailscope analyze: %llu mails, %.1f MB, %llu failed, %llu "
                "defects, %llu seen before, %d threads, %.3f s (%.0f "
                "mails/s, %.1f MB/s)%s\n",
                r.n_mails, (double)r.n_bytes / 1e6, r.n_failed, r.n_defects,
                r.n_seen, n_started, secs,
                secs > 0 ? (double)r.n_mails / secs : 0.0,
                secs > 0 ? (double)r.n_bytes / 1e6 / secs : 0.0,
                stop_requested ? ", stopped by a signal" : "");
    if (r.write_failed)
        fprintf(stderr, "mailscope analyze: cannot write the output: %s\n",
                strerror(errno));
    if (n_started == 0)
        fprintf(stderr, "mailscope analyze: no worker thread could start\n");
    bool failed =
        r.write_failed || r.n_failed || r.n_after_failed || n_started == 0;
    release_run(&r);
    ms_cli_path_list_free(&paths);
    return failed ? MS_EXIT_FAILURE : MS_EXIT_OK;
}

const ms_cli_command ms_cli_analyze_command = {
    "analyze", "the main job: one JSON document per mail, all cores busy",
    analyze_help, analyze_main};
