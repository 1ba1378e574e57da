/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the attachments' already-seen filter: a digest is new
 * once and seen after; malformed digests are never recorded; the oldest
 * is forgotten at the ceiling; the set survives a save and a reload; and
 * threads adding the same digests at once see each one new exactly once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/seen_filter.h"

/* Writes a 64-hex-digit digest derived from i into hex. */
static void make_digest(char hex[65], unsigned i)
{
    snprintf(hex, 65, "%08x%056x", i * 2654435761u, i);
}

/* A digest is new the first time and seen after that. */
static void test_digest_is_new_once_then_seen(void **state)
{
    (void)state;
    char err[256];
    ms_seen_filter *f;
    assert_int_equal(ms_seen_filter_open(NULL, 10, &f, err, sizeof(err)),
                     MS_OK);
    char a[65], b[65];
    make_digest(a, 1);
    make_digest(b, 2);
    assert_false(ms_seen_filter_check_and_add(f, a));
    assert_false(ms_seen_filter_check_and_add(f, b));
    assert_true(ms_seen_filter_check_and_add(f, a));
    /* upper-case hex is the same digest */
    for (char *c = a; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 32);
    assert_true(ms_seen_filter_check_and_add(f, a));
    assert_int_equal(ms_seen_filter_count(f), 2);
    ms_seen_filter_free(f);
}

/* Strings that are not 64 hex digits are never seen nor recorded. */
static void test_malformed_digest_is_never_recorded(void **state)
{
    (void)state;
    char err[256];
    ms_seen_filter *f;
    assert_int_equal(ms_seen_filter_open(NULL, 10, &f, err, sizeof(err)),
                     MS_OK);
    char longer[66];
    make_digest(longer, 3);
    strcat(longer, "0");
    const char *bad[] = {"", "abc", longer,
                         "zz00000000000000000000000000000000000000000000000000"
                         "000000000000"};
    for (size_t i = 0; i < 4; i++) {
        assert_false(ms_seen_filter_check_and_add(f, bad[i]));
        assert_false(ms_seen_filter_check_and_add(f, bad[i]));
    }
    assert_false(ms_seen_filter_check_and_add(f, NULL));
    assert_int_equal(ms_seen_filter_count(f), 0);
    ms_seen_filter_free(f);
}

/* At the ceiling the oldest digest is forgotten. */
static void test_full_filter_forgets_the_oldest_digest(void **state)
{
    (void)state;
    char err[256];
    ms_seen_filter *f;
    assert_int_equal(ms_seen_filter_open(NULL, 2, &f, err, sizeof(err)), MS_OK);
    char d[3][65];
    for (unsigned i = 0; i < 3; i++) {
        make_digest(d[i], i + 10);
        assert_false(ms_seen_filter_check_and_add(f, d[i]));
    }
    assert_int_equal(ms_seen_filter_count(f), 2);
    assert_true(ms_seen_filter_check_and_add(f, d[2]));
    assert_false(ms_seen_filter_check_and_add(f, d[0]));
    ms_seen_filter_free(f);
}

/* Saved digests are seen by a filter opened later on the same file. */
static void test_saved_digests_are_seen_after_reload(void **state)
{
    (void)state;
    char path[] = "/tmp/ms_seen_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    char err[256];
    ms_seen_filter *f;
    assert_int_equal(ms_seen_filter_open(path, 100, &f, err, sizeof(err)),
                     MS_OK);
    char a[65], b[65];
    make_digest(a, 77);
    make_digest(b, 78);
    assert_false(ms_seen_filter_check_and_add(f, a));
    assert_int_equal(ms_seen_filter_save(f, err, sizeof(err)), MS_OK);
    ms_seen_filter_free(f);

    assert_int_equal(ms_seen_filter_open(path, 100, &f, err, sizeof(err)),
                     MS_OK);
    assert_int_equal(ms_seen_filter_count(f), 1);
    assert_true(ms_seen_filter_check_and_add(f, a));
    assert_false(ms_seen_filter_check_and_add(f, b));
    ms_seen_filter_free(f);
    unlink(path);
}

#define THREADS 4
#define DIGESTS 2000

/* What one racing thread does: adds every digest and counts the new. */
typedef struct racer {
    ms_seen_filter *f;
    unsigned n_new;
} racer;

/* Adds all digests in order; counts those reported new. */
static void *race(void *arg)
{
    racer *r = arg;
    for (unsigned i = 0; i < DIGESTS; i++) {
        char d[65];
        make_digest(d, i);
        if (!ms_seen_filter_check_and_add(r->f, d))
            r->n_new++;
    }
    return NULL;
}

/* Threads adding the same digests together see each one new only once:
 * the lock makes check-and-add atomic. */
static void test_racing_threads_see_each_digest_new_once(void **state)
{
    (void)state;
    char err[256];
    ms_seen_filter *f;
    assert_int_equal(ms_seen_filter_open(NULL, 100000, &f, err, sizeof(err)),
                     MS_OK);
    pthread_t t[THREADS];
    racer r[THREADS];
    for (int i = 0; i < THREADS; i++) {
        r[i] = (racer){f, 0};
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    unsigned total = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        total += r[i].n_new;
    }
    assert_int_equal(total, DIGESTS);
    assert_int_equal(ms_seen_filter_count(f), DIGESTS);
    ms_seen_filter_free(f);
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_is_new_once_then_seen),
        cmocka_unit_test(test_malformed_digest_is_never_recorded),
        cmocka_unit_test(test_full_filter_forgets_the_oldest_digest),
        cmocka_unit_test(test_saved_digests_are_seen_after_reload),
        cmocka_unit_test(test_racing_threads_see_each_digest_new_once),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
