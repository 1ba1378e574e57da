/* SPDX-License-Identifier: MIT */
/*
 * libyara glue (see yara.h). libyara must be initialized once per
 * process before any compile or scan, and finalized after the last; a
 * reference count under a mutex lets several configurations (a reload
 * building the new one while the old one still scans) share it.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yara.h>

#include "analysis/yara.h"
#include "util/dir.h"
#include "util/vec.h"

struct ms_yara {
    YR_RULES *rules;
    size_t n_rules;
};

static pthread_mutex_t library_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t library_users;

/* Initializes libyara on first use. Returns MS_OK or MS_ENOMEM. */
static ms_status library_acquire(void)
{
    ms_status rc = MS_OK;
    pthread_mutex_lock(&library_lock);
    if (library_users == 0 && yr_initialize() != ERROR_SUCCESS)
        rc = MS_ENOMEM;
    else
        library_users++;
    pthread_mutex_unlock(&library_lock);
    return rc;
}

/* Finalizes libyara when its last user goes. */
static void library_release(void)
{
    pthread_mutex_lock(&library_lock);
    if (library_users > 0 && --library_users == 0)
        yr_finalize();
    pthread_mutex_unlock(&library_lock);
}

/* Where compiler errors are collected: the first one is kept. */
typedef struct compile_errors {
    char *err;
    size_t err_size;
    bool have_error;
} compile_errors;

/* libyara's compiler callback: keeps the first error as
 * "FILE:LINE: message"; warnings are ignored. */
static void on_compile_message(int level, const char *file_name, int line,
                               const YR_RULE *rule, const char *message,
                               void *user_data)
{
    (void)rule;
    compile_errors *ce = user_data;
    if (level != YARA_ERROR_LEVEL_ERROR || ce->have_error)
        return;
    ce->have_error = true;
    snprintf(ce->err, ce->err_size, "%s:%d: %s",
             file_name ? file_name : "rules", line, message);
}

/* True for the names of rule files. */
static bool is_rule_file(const char *name, void *ctx)
{
    (void)ctx;
    size_t len = strlen(name);
    return name[0] != '.' &&
           ((len > 4 && strcmp(name + len - 4, ".yar") == 0) ||
            (len > 5 && strcmp(name + len - 5, ".yara") == 0));
}

/* Adds one rule file to the compiler under a namespace named after the
 * file. Returns MS_OK, MS_EIO or MS_EINVAL with err set. */
static ms_status add_rule_file(YR_COMPILER *compiler, const char *file,
                               compile_errors *ce)
{
    FILE *fp = fopen(file, "r");
    if (fp == NULL) {
        snprintf(ce->err, ce->err_size, "%s: %s", file, strerror(errno));
        return MS_EIO;
    }
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    int n_errors = yr_compiler_add_file(compiler, fp, base, file);
    fclose(fp);
    return n_errors == 0 ? MS_OK : MS_EINVAL;
}

/* Adds one path (a file or a folder of rule files). */
static ms_status add_rule_path(YR_COMPILER *compiler, const char *path,
                               compile_errors *ce)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(ce->err, ce->err_size, "%s: %s", path, strerror(errno));
        return MS_EIO;
    }
    if (!S_ISDIR(st.st_mode))
        return add_rule_file(compiler, path, ce);
    DIR *d = opendir(path);
    if (d == NULL) {
        snprintf(ce->err, ce->err_size, "%s: %s", path, strerror(errno));
        return MS_EIO;
    }
    char **names = NULL;
    size_t n = 0;
    ms_status rc = ms_dir_sorted_names(d, is_rule_file, NULL, &names, &n);
    for (size_t i = 0; rc == MS_OK && i < n; i++) {
        char file[4096];
        if ((size_t)snprintf(file, sizeof(file), "%s/%s", path, names[i]) >=
            sizeof(file)) {
            snprintf(ce->err, ce->err_size, "%s: path too long", path);
            rc = MS_EINVAL;
            break;
        }
        rc = add_rule_file(compiler, file, ce);
    }
    ms_dir_names_free(names, n);
    return rc;
}

/* Compiles from files (paths) or from source (when source is not NULL)
 * into *out. */
static ms_status compile(const char *const *paths, size_t n_paths,
                         const char *source, ms_yara **out, char *err,
                         size_t err_size)
{
    *out = NULL;
    if (err_size > 0)
        err[0] = '\0';
    ms_status rc = library_acquire();
    if (rc != MS_OK)
        return rc;
    compile_errors ce = {err, err_size, false};
    YR_COMPILER *compiler = NULL;
    ms_yara *y = calloc(1, sizeof(*y));
    if (y == NULL || yr_compiler_create(&compiler) != ERROR_SUCCESS) {
        rc = MS_ENOMEM;
        goto out;
    }
    yr_compiler_set_callback(compiler, on_compile_message, &ce);
    if (source != NULL) {
        if (yr_compiler_add_string(compiler, source, NULL) != 0)
            rc = MS_EINVAL;
    }
    for (size_t i = 0; rc == MS_OK && i < n_paths; i++)
        rc = add_rule_path(compiler, paths[i], &ce);
    if (rc != MS_OK)
        goto out;
    if (yr_compiler_get_rules(compiler, &y->rules) != ERROR_SUCCESS) {
        rc = MS_ENOMEM;
        goto out;
    }
    YR_RULE *rule;
    yr_rules_foreach(y->rules, rule)
    {
        y->n_rules++;
    }
out:
    if (compiler != NULL)
        yr_compiler_destroy(compiler);
    if (rc != MS_OK) {
        if (y != NULL && y->rules != NULL)
            yr_rules_destroy(y->rules);
        free(y);
        library_release();
        return rc;
    }
    *out = y;
    return MS_OK;
}

/* Compiles rule files and folders (see yara.h). */
ms_status ms_yara_load(const char *const *paths, size_t n_paths, ms_yara **out,
                       char *err, size_t err_size)
{
    return compile(paths, n_paths, NULL, out, err, err_size);
}

/* Compiles rule source text (see yara.h). */
ms_status ms_yara_load_string(const char *source, ms_yara **out, char *err,
                              size_t err_size)
{
    return compile(NULL, 0, source, out, err, err_size);
}

/* Returns the number of compiled rules. */
size_t ms_yara_rule_count(const ms_yara *y)
{
    return y ? y->n_rules : 0;
}

/* What a scan collects. */
typedef struct scan_state {
    ms_arena *arena;
    ms_yara_match *matches;
    size_t n, cap;
    ms_status rc;
} scan_state;

/* Copies a matching rule's name, namespace and tags into the arena. */
static int on_scan_message(YR_SCAN_CONTEXT *context, int message,
                           void *message_data, void *user_data)
{
    (void)context;
    scan_state *s = user_data;
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    YR_RULE *rule = message_data;
    ms_status rc =
        MS_VEC_GROW(s->arena, s->matches, s->n, s->cap, MS_YARA_MAX_MATCHES);
    if (rc == MS_ELIMIT)
        return CALLBACK_ABORT;
    if (rc != MS_OK)
        goto fail;
    ms_yara_match *mt = &s->matches[s->n];
    memset(mt, 0, sizeof(*mt));
    mt->rule =
        ms_arena_strndup(s->arena, rule->identifier, strlen(rule->identifier));
    const char *ns = rule->ns && rule->ns->name ? rule->ns->name : "";
    mt->namespace_ = ms_arena_strndup(s->arena, ns, strlen(ns));
    if (mt->rule == NULL || mt->namespace_ == NULL)
        goto fail;
    const char *tag;
    size_t n_tags = 0;
    yr_rule_tags_foreach(rule, tag)
    {
        n_tags++;
    }
    if (n_tags > MS_YARA_MAX_TAGS)
        n_tags = MS_YARA_MAX_TAGS;
    if (n_tags > 0) {
        mt->tags = ms_arena_calloc(s->arena, n_tags, sizeof(*mt->tags));
        if (mt->tags == NULL)
            goto fail;
        yr_rule_tags_foreach(rule, tag)
        {
            if (mt->n_tags == n_tags)
                break;
            mt->tags[mt->n_tags] = ms_arena_strndup(s->arena, tag, strlen(tag));
            if (mt->tags[mt->n_tags] == NULL)
                goto fail;
            mt->n_tags++;
        }
    }
    s->n++;
    return CALLBACK_CONTINUE;
fail:
    s->rc = MS_ENOMEM;
    return CALLBACK_ABORT;
}

/* Scans the bytes (see yara.h). */
ms_status ms_yara_scan(const ms_yara *y, ms_arena *a, const unsigned char *p,
                       size_t n, ms_yara_match **matches, size_t *n_matches,
                       bool *failed)
{
    scan_state s = {.arena = a, .rc = MS_OK};
    *matches = NULL;
    *n_matches = 0;
    *failed = false;
    if (y == NULL || y->rules == NULL)
        return MS_OK;
    /* Fast mode stops counting a string after its first hit: we report
     * rules, not every offset, and hostile files repeat strings. */
    int r = yr_rules_scan_mem(y->rules, p, n, SCAN_FLAGS_FAST_MODE,
                              on_scan_message, &s, MS_YARA_SCAN_TIMEOUT_S);
    if (r != ERROR_SUCCESS && s.rc == MS_OK)
        *failed = true;
    *matches = s.matches;
    *n_matches = s.n;
    return s.rc;
}

/* Frees the rules and drops this user of libyara. */
void ms_yara_free(ms_yara *y)
{
    if (y == NULL)
        return;
    if (y->rules != NULL)
        yr_rules_destroy(y->rules);
    free(y);
    library_release();
}
