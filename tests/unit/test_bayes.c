/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Bayesian filter through its API: the token store
 * (learn, learn again, move to the other class, forget), the minimum of
 * training before a verdict, and classification of clearly spammy and
 * clearly hammy mails after training on generated mails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/bayes.h"
#include "report/message_json.h"

static char store[256];

/* Creates a fresh store path. */
static int setup(void **state)
{
    snprintf(store, sizeof(store), "/tmp/ms-bayes-test-%d.db", (int)getpid());
    unlink(store);
    return 0;
}

/* Removes the store and its WAL files. */
static int teardown(void **state)
{
    char p[300];
    unlink(store);
    snprintf(p, sizeof(p), "%s-wal", store);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", store);
    unlink(p);
    return 0;
}

static const char *const spam_words[] = {
    "viagra",   "casino",       "winner",  "lottery", "pills",
    "discount", "prescription", "jackpot", "bonus",   "unsubscribe"};
static const char *const ham_words[] = {
    "meeting", "agenda",   "kernel",   "patch",   "review",
    "minutes", "deadline", "compiler", "release", "schedule"};

/* Writes a generated mail of one class into buf: a sender domain and
 * words typical of the class, varied by i. */
static size_t make_mail(char *buf, size_t size, bool spam, int i)
{
    const char *const *w = spam ? spam_words : ham_words;
    return (size_t)snprintf(
        buf, size,
        "From: %s%d@%s\nTo: user@example.com\nSubject: %s %s %d\n"
        "Date: Tue, 12 Mar 2024 15:03:05 +0100\n\n"
        "Hello, %s %s %s and %s. Reference %d.\n",
        spam ? "promo" : "colleague", i,
        spam ? "cheap-deals.example" : "work.example", w[i % 10],
        w[(i + 3) % 10], i, w[(i + 1) % 10], w[(i + 2) % 10], w[(i + 5) % 10],
        w[(i + 7) % 10], i * 7919);
}

/* Parses and tokenizes a mail; returns the tokens (arena kept in a). */
static ms_bayes_tokens tokens_of(ms_arena *a, const char *mail, size_t n,
                                 char id[65])
{
    ms_message *m = NULL;
    assert_int_equal(ms_message_parse(a, mail, n, NULL, &m), MS_OK);
    ms_bayes_tokens t;
    assert_int_equal(ms_bayes_tokenize(a, m, &t), MS_OK);
    assert_true(t.n > 5);
    ms_sha256_hex(mail, n, id);
    return t;
}

/* Learning counts a mail once, moves it between classes, and forgets. */
static void test_bayes_learn_again_move_and_forget(void **state)
{
    char err[256];
    ms_bayes_db *db = NULL;
    assert_int_equal(ms_bayes_open(store, &db, err, sizeof(err)), MS_OK);
    ms_arena *a = ms_arena_new(0);
    char mail[1024], id[65];
    size_t n = make_mail(mail, sizeof(mail), true, 1);
    ms_bayes_tokens t = tokens_of(a, mail, n, id);
    bool changed;
    long long ns, nh;
    assert_int_equal(ms_bayes_begin(db), MS_OK);
    assert_int_equal(ms_bayes_learn(db, id, &t, true, &changed), MS_OK);
    assert_true(changed);
    assert_int_equal(ms_bayes_learn(db, id, &t, true, &changed), MS_OK);
    assert_false(changed);
    ms_bayes_counts(db, &ns, &nh);
    assert_int_equal(ns, 1);
    assert_int_equal(nh, 0);
    assert_int_equal(ms_bayes_learn(db, id, &t, false, &changed), MS_OK);
    assert_true(changed);
    ms_bayes_counts(db, &ns, &nh);
    assert_int_equal(ns, 0);
    assert_int_equal(nh, 1);
    assert_int_equal(ms_bayes_forget(db, id, &t, &changed), MS_OK);
    assert_true(changed);
    ms_bayes_counts(db, &ns, &nh);
    assert_int_equal(nh, 0);
    assert_int_equal(ms_bayes_commit(db), MS_OK);
    ms_bayes_close(db);
    ms_arena_free(a);
}

/* Trains count mails of each class. */
static void train(int count)
{
    char err[256];
    ms_bayes_db *db = NULL;
    assert_int_equal(ms_bayes_open(store, &db, err, sizeof(err)), MS_OK);
    ms_arena *a = ms_arena_new(0);
    assert_int_equal(ms_bayes_begin(db), MS_OK);
    for (int i = 0; i < count; i++) {
        for (int spam = 0; spam < 2; spam++) {
            char mail[1024], id[65];
            ms_arena_reset(a);
            size_t n = make_mail(mail, sizeof(mail), spam, i);
            ms_bayes_tokens t = tokens_of(a, mail, n, id);
            bool changed;
            assert_int_equal(ms_bayes_learn(db, id, &t, spam, &changed), MS_OK);
        }
    }
    assert_int_equal(ms_bayes_commit(db), MS_OK);
    ms_bayes_close(db);
    ms_arena_free(a);
}

/* Classifies one generated mail with a fresh snapshot. */
static ms_bayes_result classify(bool spam, int i)
{
    char err[256];
    ms_bayes_snapshot *s = NULL;
    assert_int_equal(ms_bayes_snapshot_load(store, &s, err, sizeof(err)),
                     MS_OK);
    ms_arena *a = ms_arena_new(0);
    char mail[1024], id[65];
    size_t n = make_mail(mail, sizeof(mail), spam, i);
    ms_bayes_tokens t = tokens_of(a, mail, n, id);
    ms_bayes_result r;
    ms_bayes_classify(s, &t, &r);
    ms_arena_free(a);
    ms_bayes_snapshot_free(s);
    return r;
}

/* Below 200 mails of each class there is no verdict; above, spam and ham
 * not seen in training land in the right BAYES bands. */
static void test_bayes_needs_training_then_separates(void **state)
{
    train(150);
    ms_bayes_result r = classify(true, 1000);
    assert_false(r.used);
    train(260);
    r = classify(true, 1001);
    assert_true(r.used);
    assert_true(r.probability > 0.95);
    assert_non_null(strstr(r.rule, "BAYES_9"));
    r = classify(false, 1002);
    assert_true(r.used);
    assert_true(r.probability < 0.05);
    assert_true(strcmp(r.rule, "BAYES_00") == 0 ||
                strcmp(r.rule, "BAYES_05") == 0);
    assert_true(r.score < 0);
}

/* A store that is not a Bayes store is refused with a reason. */
static void test_bayes_rejects_a_foreign_file(void **state)
{
    FILE *f = fopen(store, "w");
    assert_non_null(f);
    fputs("not a database at all", f);
    fclose(f);
    char err[256] = "";
    ms_bayes_snapshot *s = NULL;
    assert_int_not_equal(ms_bayes_snapshot_load(store, &s, err, sizeof(err)),
                         MS_OK);
    assert_null(s);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bayes_learn_again_move_and_forget,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_bayes_needs_training_then_separates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bayes_rejects_a_foreign_file,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
