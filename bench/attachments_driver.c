/* SPDX-License-Identifier: MIT */
/*
 * The attachments benchmark driver (bench/attachments.sh builds and runs
 * it). Single-threaded, so its figures are per core. It parses each mail
 * given on the command line, then times the attachments analysis as a
 * whole and, in a second pass over the same attachments, each stage on
 * its own: the four cryptographic digests, ssdeep, libmagic, YARA, the
 * trait checks and the archive walk, and libfuzzy's ssdeep for
 * reference. Prints one line per stage with
 * seconds and MB/s over the attachments' decoded bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fuzzy.h>
#include <openssl/evp.h>

#include "analysis/archive.h"
#include "analysis/attachments.h"
#include "analysis/filetype.h"
#include "analysis/hashes.h"
#include "analysis/ssdeep.h"
#include "analysis/traits.h"
#include "analysis/yara.h"
#include "mailscope/message.h"

/* Stages timed on their own. */
enum {
    ST_ALL,
    ST_CRYPTO,
    ST_SSDEEP,
    ST_MAGIC,
    ST_YARA,
    ST_TRAITS,
    ST_ARCHIVE,
    ST_PARSE,
    ST_SSDEEP_REF,
    N_STAGES
};
static const char *const STAGE_NAMES[N_STAGES] = {
    "whole analysis",
    "md5+sha1+sha256+sha512",
    "ssdeep",
    "libmagic",
    "yara",
    "traits",
    "archive walk",
    "mime parse",
    "ssdeep, libfuzzy (reference)"};
static double stage_seconds[N_STAGES];

/* Returns the monotonic clock in seconds. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads a whole file; exits on failure. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n)
        exit(1);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Archive callback that only counts. */
static ms_status count_entry(void *ctx, const ms_archive_entry *e)
{
    *(size_t *)ctx += e->size;
    return MS_OK;
}

/* Times each stage on one attachment. */
static void time_stages(const ms_attach_engine *e, ms_filetype_scratch *magic,
                        const ms_yara *y, ms_arena *a, const ms_part *p)
{
    const ms_attach_config *c = ms_attach_engine_config(e);
    ms_hashes h;
    double t = now();
    ms_hashes_compute(p->body, p->body_len, false, &h);
    stage_seconds[ST_CRYPTO] += now() - t;

    t = now();
    char digest[FUZZY_MAX_RESULT];
    ms_ssdeep(p->body, p->body_len, digest);
    stage_seconds[ST_SSDEEP] += now() - t;

    /* libfuzzy, told the length as mailscope used it before */
    t = now();
    fuzzy_hash_buf(p->body, (uint32_t)p->body_len, digest);
    stage_seconds[ST_SSDEEP_REF] += now() - t;

    const char *mime, *desc;
    t = now();
    ms_filetype_detect(magic, a, p->body, p->body_len, &mime, &desc);
    stage_seconds[ST_MAGIC] += now() - t;

    if (y != NULL) {
        ms_yara_match *m;
        size_t n;
        bool failed;
        t = now();
        ms_yara_scan(y, a, p->body, p->body_len, &m, &n, &failed);
        stage_seconds[ST_YARA] += now() - t;
    }

    ms_trait_list list = {0};
    ms_traits_input in = {.filename = p->filename,
                          .extension = ms_filetype_extension(a, p->filename),
                          .declared = p->content_type,
                          .mime_type = mime,
                          .data = p->body,
                          .size = p->body_len};
    t = now();
    ms_traits_detect(a, &in, &list);
    stage_seconds[ST_TRAITS] += now() - t;

    if (ms_archive_kind(p->body, p->body_len) != NULL) {
        ms_archive_limits lim = {c->max_entries, c->max_ratio,
                                 c->ratio_min_bytes};
        uint64_t budget = c->max_total_bytes;
        size_t out = 0;
        ms_archive_outcome o;
        t = now();
        ms_archive_extract(a, NULL, "1", p->body, p->body_len, p->filename,
                           NULL, 0, &lim, &budget, count_entry, &out, &o);
        stage_seconds[ST_ARCHIVE] += now() - t;
    }
}

/* Parses and analyzes every mail given; prints the table. */
int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: attachments_driver YARA_DIR MAIL...\n");
        return 2;
    }
    ms_attach_config c;
    ms_attach_config_default(&c);
    c.yara_rules_dir = argv[1];
    char err[512];
    ms_attach_engine *e;
    ms_attach_scratch *s;
    ms_filetype_scratch *magic;
    ms_yara *y;
    const char *paths[] = {argv[1]};
    if (ms_attach_engine_new(&c, &e, err, sizeof(err)) != MS_OK ||
        ms_attach_scratch_new(&s, err, sizeof(err)) != MS_OK ||
        ms_filetype_scratch_new(&magic, err, sizeof(err)) != MS_OK ||
        ms_yara_load(paths, 1, &y, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return 1;
    }
    ms_parse_options opt;
    ms_parse_options_default(&opt);
    opt.max_message_bytes = 256u << 20;
    opt.max_decoded_bytes = 256u << 20;
    uint64_t bytes = 0, files = 0;
    for (int i = 2; i < argc; i++) {
        size_t len;
        char *raw = slurp(argv[i], &len);
        ms_arena *a = ms_arena_new(0);
        ms_message *m;
        double t = now();
        ms_message_parse(a, raw, len, &opt, &m);
        stage_seconds[ST_PARSE] += now() - t;
        ms_file_report *r;
        size_t n;
        t = now();
        ms_attachments_analyze(e, s, m, &r, &n);
        stage_seconds[ST_ALL] += now() - t;
        for (size_t k = 0; k < m->n_attachments; k++) {
            bytes += m->attachments[k]->body_len;
            files++;
            time_stages(e, magic, y, a, m->attachments[k]);
        }
        ms_arena_free(a);
        free(raw);
    }
    double mb = (double)bytes / 1e6;
    printf("attachments: %llu files, %.1f MB decoded\n",
           (unsigned long long)files, mb);
    printf("%-24s %9s %9s\n", "stage", "seconds", "MB/s");
    for (int k = 0; k < N_STAGES; k++)
        printf("%-24s %9.3f %9.1f\n", STAGE_NAMES[k], stage_seconds[k],
               stage_seconds[k] > 0 ? mb / stage_seconds[k] : 0.0);
    ms_yara_free(y);
    ms_filetype_scratch_free(magic);
    ms_attach_scratch_free(s);
    ms_attach_engine_free(e);
    return 0;
}
