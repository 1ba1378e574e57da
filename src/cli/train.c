/* SPDX-License-Identifier: MIT */
/*
 * mailscope train: teaches the Bayesian filter. Every mail of the given
 * files, folders, Maildirs or mboxes is learnt as spam or ham (or
 * forgotten) in the token store, in transactions of a few hundred mails
 * so a crash loses at most one batch and readers are never blocked.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/bayes.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "pipeline/source.h"
#include "report/message_json.h"
#include "util/dir.h"

/* Mails learnt per transaction. */
#define TRAIN_BATCH 500

static const char train_help[] =
    "usage: mailscope train --spam|--ham|--forget [OPTIONS] PATH...\n"
    "\n"
    "Teaches the Bayesian filter: every mail in the paths (files, folders,\n"
    "Maildirs, mboxes, - for stdin) is learnt as spam or as ham, or\n"
    "forgotten. A mail learnt twice as the same class counts once; learnt\n"
    "as the other class it moves. mailscope analyze --bayes PATH then adds\n"
    "the filter's verdict (bayes.probability and a BAYES_xx rule) to the\n"
    "spam section once 200 spam and 200 ham are learnt.\n"
    "\n"
    "options:\n"
    "  --spam             learn the mails as spam\n"
    "  --ham              learn the mails as ham\n"
    "  --forget           forget what was learnt from the mails\n"
    "  --bayes PATH       the token store (SQLite; default\n"
    "                     ~/.local/share/mailscope/bayes.db)\n"
    "  --include GLOB     only files whose name matches GLOB in folders\n"
    "  --list FILE        also read the paths from FILE\n"
    "  --mbox             stdin holds an mbox\n"
    "  -h, --help         this help\n";

/* The state of one training run. */
typedef struct train_run {
    ms_bayes_db *db;
    ms_arena *arena;
    int mode; /* 's' spam, 'h' ham, 'f' forget */
    size_t n_mails, n_changed, n_failed, in_batch;
    ms_status rc;
} train_run;

/* Source callback: learns or forgets one mail. */
static bool train_mail(void *ctx, const ms_origin *o, char *data, size_t len,
                       const char *reason)
{
    train_run *t = ctx;
    t->n_mails++;
    if (data == NULL) {
        fprintf(stderr, "mailscope train: %s: %s\n", o->path, reason);
        t->n_failed++;
        return true;
    }
    ms_arena_reset(t->arena);
    ms_message *m = NULL;
    ms_bayes_tokens tokens;
    char id[65];
    ms_sha256_hex(data, len, id);
    if (ms_message_parse(t->arena, data, len, NULL, &m) != MS_OK ||
        ms_bayes_tokenize(t->arena, m, &tokens) != MS_OK) {
        t->n_failed++;
        free(data);
        return true;
    }
    bool changed = false;
    ms_status rc =
        t->mode == 'f'
            ? ms_bayes_forget(t->db, id, &tokens, &changed)
            : ms_bayes_learn(t->db, id, &tokens, t->mode == 's', &changed);
    free(data);
    if (rc != MS_OK) {
        t->rc = rc;
        return false;
    }
    t->n_changed += changed;
    if (++t->in_batch == TRAIN_BATCH) {
        t->in_batch = 0;
        if (ms_bayes_commit(t->db) != MS_OK || ms_bayes_begin(t->db) != MS_OK) {
            t->rc = MS_EIO;
            return false;
        }
        if (isatty(2))
            fprintf(stderr, "\rmailscope train: %zu mails", t->n_mails);
    }
    return true;
}

/* Returns the default store path (~/.local/share/mailscope/bayes.db),
 * creating its folder; NULL when there is no home. */
static const char *default_store(char *buf, size_t size)
{
    const char *home = getenv("HOME");
    if (home == NULL || home[0] == '\0')
        return NULL;
    snprintf(buf, size, "%s/.local/share/mailscope", home);
    ms_dir_make_all(buf);
    snprintf(buf, size, "%s/.local/share/mailscope/bayes.db", home);
    return buf;
}

/* Runs the train subcommand. */
static int train_main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"spam", no_argument, NULL, 's'},
        {"ham", no_argument, NULL, 'H'},
        {"forget", no_argument, NULL, 'f'},
        {"bayes", required_argument, NULL, 'b'},
        {"include", required_argument, NULL, 'i'},
        {"list", required_argument, NULL, 'l'},
        {"mbox", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    train_run t;
    memset(&t, 0, sizeof(t));
    ms_source_options src = {NULL, false, 256u << 20};
    const char *store = NULL, *list = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        switch (c) {
        case 's':
        case 'H':
        case 'f':
            if (t.mode && t.mode != (c == 'H' ? 'h' : c))
                return ms_cli_usage("train",
                                    "give one of --spam, --ham, --forget");
            t.mode = c == 'H' ? 'h' : c;
            break;
        case 'b':
            store = optarg;
            break;
        case 'i':
            src.include = optarg;
            break;
        case 'l':
            list = optarg;
            break;
        case 'm':
            src.stdin_mbox = true;
            break;
        case 'h':
            ms_cli_print_help(&ms_cli_train_command, stdout);
            return MS_EXIT_OK;
        default:
            return ms_cli_usage("train", "unknown or incomplete option '%s'",
                                argv[optind - 1]);
        }
    }
    if (t.mode == 0)
        return ms_cli_usage("train", "give one of --spam, --ham, --forget");
    ms_cli_path_list paths;
    ms_cli_path_list_init(&paths);
    for (int i = optind; i < argc; i++)
        ms_cli_path_list_add(&paths, argv[i]);
    char reason[256];
    if (list &&
        ms_cli_path_list_read(&paths, list, reason, sizeof(reason)) != MS_OK) {
        ms_cli_path_list_free(&paths);
        return ms_cli_usage("train", "cannot read --list %s: %s", list, reason);
    }
    if (paths.n == 0) {
        ms_cli_path_list_free(&paths);
        return ms_cli_usage("train", "no mail given (use - for stdin)");
    }
    char store_buf[4096];
    if (store == NULL)
        store = default_store(store_buf, sizeof(store_buf));
    if (store == NULL) {
        ms_cli_path_list_free(&paths);
        return ms_cli_usage("train", "no HOME: give --bayes PATH");
    }
    char err[512];
    if (ms_bayes_open(store, &t.db, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailscope train: %s\n", err);
        ms_cli_path_list_free(&paths);
        return MS_EXIT_USAGE;
    }
    t.arena = ms_arena_new(0);
    t.rc = t.arena ? ms_bayes_begin(t.db) : MS_ENOMEM;
    for (size_t i = 0; i < paths.n && t.rc == MS_OK; i++)
        ms_source_walk(paths.items[i], &src, train_mail, &t);
    if (t.rc == MS_OK)
        t.rc = ms_bayes_commit(t.db);
    long long nspam, nham;
    ms_bayes_counts(t.db, &nspam, &nham);
    if (isatty(2))
        fprintf(stderr, "\r");
    fprintf(stderr,
            "mailscope train: %zu mails, %zu %s, %zu failed; the store %s "
            "holds %lld spam and %lld ham\n",
            t.n_mails, t.n_changed,
            t.mode == 'f'
                ? "forgotten"
                : (t.mode == 's' ? "learnt as spam" : "learnt as ham"),
            t.n_failed, store, nspam, nham);
    if (t.rc != MS_OK)
        fprintf(stderr,
                "mailscope train: the store could not be written "
                "(%s)\n",
                ms_status_str(t.rc));
    ms_bayes_close(t.db);
    ms_arena_free(t.arena);
    ms_cli_path_list_free(&paths);
    return t.rc != MS_OK || t.n_failed ? MS_EXIT_FAILURE : MS_EXIT_OK;
}

const ms_cli_command ms_cli_train_command = {
    "train", "teach the Bayesian filter: --spam|--ham|--forget PATH...",
    train_help, train_main};
