/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Bayesian filter through its API: the token store
 * (learn, learn again, move to the other class, forget), the minimum of
 * training before a verdict, classification of clearly spammy and
 * clearly hammy mails after training on generated mails, how words
 * become tokens, the ceiling on the markup tokens that count, and
 * tokens learnt from the very same mails (a list's headers) counting
 * once.
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

/* Returns the tokens of a mail, sorted, in the arena. */
static ms_bayes_tokens sorted_tokens(ms_arena *a, const char *mail)
{
    char id[65];
    ms_bayes_tokens t = tokens_of(a, mail, strlen(mail), id);
    for (size_t i = 1; i < t.n; i++) {
        for (size_t k = i; k > 0 && t.items[k - 1] > t.items[k]; k--) {
            uint64_t x = t.items[k];
            t.items[k] = t.items[k - 1];
            t.items[k - 1] = x;
        }
    }
    return t;
}

/* True when two mails give the same tokens. */
static bool same_tokens(const char *x, const char *y)
{
    ms_arena *a = ms_arena_new(0);
    ms_bayes_tokens tx = sorted_tokens(a, x), ty = sorted_tokens(a, y);
    bool same = tx.n == ty.n &&
                memcmp(tx.items, ty.items, tx.n * sizeof(uint64_t)) == 0;
    ms_arena_free(a);
    return same;
}

#define HEAD "From: a@example.com\nSubject: hello\n\n"

/* Words are tokens whatever their case and the punctuation around
 * them. */
static void test_bayes_words_ignore_case_and_punctuation(void **state)
{
    assert_true(
        same_tokens(HEAD "Free money, NOW!\n", HEAD "free (Money) now\n"));
    assert_false(
        same_tokens(HEAD "free money now\n", HEAD "free money later\n"));
}

/* A word longer than 12 bytes (encoded data, glued words) counts by its
 * first character and its length in tens, so the many unique ones of
 * spam still say something. */
static void test_bayes_long_words_count_by_kind(void **state)
{
    assert_true(same_tokens(HEAD "see xaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 here\n",
                            HEAD "see xbbbbbbbbbbbbbbbbbbbbbbbbbbbb2 here\n"));
    /* other length in tens, other first character */
    assert_false(
        same_tokens(HEAD "see xaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 here\n", HEAD
                    "see xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 here\n"));
    assert_false(same_tokens(HEAD "see xaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 here\n",
                             HEAD "see yaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 here\n"));
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

/* The markup of a generated HTML mail: many tags and attributes. */
#define MARKUP_OPEN                                                            \
    "<html><head><meta http-equiv=x content=y><style>p{}</style></head>"       \
    "<body bgcolor=white><center><table border=0 width=600><tr>"               \
    "<td align=left valign=top><font face=arial size=2 color=red><b><i>"       \
    "<u><div class=c><span style=s><img src=x.gif alt=x height=1>"
#define MARKUP_CLOSE                                                           \
    "</span></div></u></i></b></font></td></tr></table></center>"              \
    "<br><hr><p><strong><em><small><big><h1><ul><li><ol><sup><sub>"            \
    "</body></html>"

/* Writes mail i of a training set (a spam or a ham) into buf; returns
 * its length. */
typedef size_t (*mail_maker)(char *buf, size_t size, int i, bool spam);

/* Trains count spams and count hams, each written by make. */
static void train_with(int count, mail_maker make)
{
    char err[256];
    ms_bayes_db *db = NULL;
    assert_int_equal(ms_bayes_open(store, &db, err, sizeof(err)), MS_OK);
    ms_arena *a = ms_arena_new(0);
    assert_int_equal(ms_bayes_begin(db), MS_OK);
    for (int i = 0; i < count; i++) {
        for (int spam = 0; spam < 2; spam++) {
            char mail[2048], id[65];
            ms_arena_reset(a);
            size_t n = make(mail, sizeof(mail), i, spam);
            ms_bayes_tokens t = tokens_of(a, mail, n, id);
            bool changed;
            assert_int_equal(ms_bayes_learn(db, id, &t, spam, &changed), MS_OK);
        }
    }
    assert_int_equal(ms_bayes_commit(db), MS_OK);
    ms_bayes_close(db);
    ms_arena_free(a);
}

/* A spam written in HTML, or a ham in plain text. */
static size_t make_html_spam(char *mail, size_t size, int i, bool spam)
{
    char text[1024];
    make_mail(text, sizeof(text), spam, i);
    char *body = strstr(text, "\n\n") + 2;
    body[-1] = '\0';
    if (spam)
        return (size_t)snprintf(mail, size,
                                "%sContent-Type: text/html\n\n"
                                "%s%s%s",
                                text, MARKUP_OPEN, body, MARKUP_CLOSE);
    return (size_t)snprintf(mail, size, "%s\n%s", text, body);
}

/* When all the spam learnt was HTML and all the ham plain text, each of
 * the dozens of markup tokens of an HTML mail is as spammy as can be.
 * They all say one thing, "this is HTML", so only a few of them count
 * (with all of them, an HTML ham's words were outvoted): a mail of
 * markup alone is decided by at most four markup tokens (here one: the
 * markup tokens were all learnt from the same mails, so they are twins)
 * and its few header tokens, not by the 40 it has. */
static void test_bayes_markup_counts_as_a_few_tokens(void **state)
{
    train_with(250, make_html_spam);
    char err[256];
    ms_bayes_snapshot *s = NULL;
    assert_int_equal(ms_bayes_snapshot_load(store, &s, err, sizeof(err)),
                     MS_OK);
    ms_arena *a = ms_arena_new(0);
    char mail[2048], id[65];
    size_t n = (size_t)snprintf(mail, sizeof(mail),
                                "Subject: hi\nContent-Type: text/html\n\n"
                                "%s Hello %s",
                                MARKUP_OPEN, MARKUP_CLOSE);
    ms_bayes_tokens t = tokens_of(a, mail, n, id);
    assert_true(t.n > 40);
    ms_bayes_result r;
    ms_bayes_classify(s, &t, &r);
    assert_true(r.used);
    assert_true(r.n_tokens >= 1);
    assert_true(r.n_tokens <= 8);
    ms_arena_free(a);
    ms_bayes_snapshot_free(s);
}

/* The header of a mailing list that relays only ham in training. */
#define LIST_HEADER                                                            \
    "List-Id: Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India "        \
    "Juliet Kilo Lima <devel.lists.example>\n"

/* Writes a generated spam whose words are not equally frequent: mail i
 * has the first 1 + i % 10 spam words, so each word has counts of its
 * own, as in real mail. */
static size_t make_uneven_spam(char *buf, size_t size, int i)
{
    size_t n = (size_t)snprintf(buf, size,
                                "From: promo%d@cheap-deals.example\n"
                                "Subject: offer %d\n\nHello",
                                i, i);
    for (int k = 0; k <= i % 10 && n < size; k++)
        n += (size_t)snprintf(buf + n, size - n, " %s", spam_words[k]);
    if (n < size)
        n += (size_t)snprintf(buf + n, size - n, ". Reference %d.\n", i * 7919);
    return n < size ? n : size - 1;
}

/* An uneven spam, or a ham relayed by the list of LIST_HEADER. */
static size_t make_list_ham(char *mail, size_t size, int i, bool spam)
{
    if (spam)
        return make_uneven_spam(mail, size, i);
    size_t n = strlen(LIST_HEADER);
    memcpy(mail, LIST_HEADER, n);
    return n + make_mail(mail + n, size - n, false, i);
}

/* A spam sent through a list whose mails were all ham: the twelve words
 * of the List-Id were learnt from the very same mails, have the same
 * counts, and count as one hammy token, so the spam's own words still
 * decide (counted one by one they pulled it to BAYES_50). */
static void test_bayes_twin_tokens_count_once(void **state)
{
    train_with(250, make_list_ham);
    char err[256];
    ms_bayes_snapshot *s = NULL;
    assert_int_equal(ms_bayes_snapshot_load(store, &s, err, sizeof(err)),
                     MS_OK);
    ms_arena *a = ms_arena_new(0);
    char mail[2048], id[65];
    size_t n = strlen(LIST_HEADER);
    memcpy(mail, LIST_HEADER, n);
    n += make_uneven_spam(mail + n, sizeof(mail) - n, 1009);
    ms_bayes_tokens t = tokens_of(a, mail, n, id);
    ms_bayes_result r;
    ms_bayes_classify(s, &t, &r);
    assert_true(r.used);
    assert_true(r.probability > 0.9);
    ms_arena_free(a);
    ms_bayes_snapshot_free(s);
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
        cmocka_unit_test(test_bayes_words_ignore_case_and_punctuation),
        cmocka_unit_test(test_bayes_long_words_count_by_kind),
        cmocka_unit_test_setup_teardown(
            test_bayes_markup_counts_as_a_few_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bayes_twin_tokens_count_once,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
