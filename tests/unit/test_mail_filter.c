/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the "already seen" mail filter: seen and unseen hashes,
 * forgetting the oldest at the ceiling (checked against a simple model
 * over many insertions, which exercises the table's deletions), the file
 * round trip, a foreign file, and the body hash.
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

#include "pipeline/mail_filter.h"

/* Fills hash with a value derived from i. Only the first 2 bytes vary
 * for small i, so home slots collide and probing is exercised. */
static void make_hash(unsigned char *hash, unsigned i)
{
    memset(hash, 0, MS_MAIL_FILTER_HASH_BYTES);
    hash[0] = (unsigned char)(i * 7);
    hash[1] = (unsigned char)((i * 7) >> 8);
    hash[20] = (unsigned char)i;
    hash[21] = (unsigned char)(i >> 8);
    hash[22] = (unsigned char)(i >> 16);
}

/* A hash is new the first time and seen the second. */
static void test_second_sighting_of_a_hash_is_reported(void **state)
{
    (void)state;
    char err[256];
    ms_mail_filter *f;
    assert_int_equal(ms_mail_filter_open(NULL, 10, &f, err, sizeof(err)),
                     MS_OK);
    unsigned char a[32], b[32];
    make_hash(a, 1);
    make_hash(b, 2);
    assert_false(ms_mail_filter_check_and_add(f, a));
    assert_false(ms_mail_filter_check_and_add(f, b));
    assert_true(ms_mail_filter_check_and_add(f, a));
    assert_true(ms_mail_filter_check_and_add(f, b));
    assert_int_equal(ms_mail_filter_count(f), 2);
    ms_mail_filter_free(f);
}

/* At the ceiling the oldest hash is forgotten, the newer ones kept. */
static void test_full_filter_forgets_the_oldest_hash(void **state)
{
    (void)state;
    char err[256];
    ms_mail_filter *f;
    assert_int_equal(ms_mail_filter_open(NULL, 3, &f, err, sizeof(err)), MS_OK);
    unsigned char h[4][32];
    for (unsigned i = 0; i < 4; i++) {
        make_hash(h[i], i);
        assert_false(ms_mail_filter_check_and_add(f, h[i]));
    }
    assert_int_equal(ms_mail_filter_count(f), 3);
    assert_true(ms_mail_filter_check_and_add(f, h[3]));
    assert_true(ms_mail_filter_check_and_add(f, h[2]));
    assert_true(ms_mail_filter_check_and_add(f, h[1]));
    /* h[0] was forgotten: it is new again (and now evicts h[1]) */
    assert_false(ms_mail_filter_check_and_add(f, h[0]));
    ms_mail_filter_free(f);
}

/* Over many insertions with constant eviction, the filter answers
 * exactly like a list of the last max_entries hashes. */
static void test_filter_agrees_with_a_model_over_many_evictions(void **state)
{
    (void)state;
    enum { MAX = 1500, ROUNDS = 20000 };
    char err[256];
    ms_mail_filter *f;
    assert_int_equal(ms_mail_filter_open(NULL, MAX, &f, err, sizeof(err)),
                     MS_OK);
    unsigned *model = calloc(MAX, sizeof(*model));
    size_t n_model = 0, first = 0;
    unsigned seed = 12345;
    for (unsigned round = 0; round < ROUNDS; round++) {
        seed = seed * 1103515245u + 12345u;
        unsigned id = (seed >> 8) % 4000;
        bool in_model = false;
        for (size_t i = 0; i < n_model && !in_model; i++)
            in_model = model[(first + i) % MAX] == id;
        unsigned char h[32];
        make_hash(h, id);
        assert_int_equal(ms_mail_filter_check_and_add(f, h), in_model);
        if (!in_model) {
            if (n_model == MAX) {
                model[first] = id;
                first = (first + 1) % MAX;
            } else {
                model[(first + n_model++) % MAX] = id;
            }
        }
    }
    free(model);
    ms_mail_filter_free(f);
}

/* Saved hashes are known to the next run; a foreign file is refused. */
static void test_saved_hashes_survive_to_the_next_run(void **state)
{
    (void)state;
    char path[] = "/tmp/ms_filter_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    char err[256];
    ms_mail_filter *f;
    unsigned char a[32], b[32];
    make_hash(a, 11);
    make_hash(b, 12);
    assert_int_equal(ms_mail_filter_open(path, 100, &f, err, sizeof(err)),
                     MS_OK);
    assert_false(ms_mail_filter_check_and_add(f, a));
    assert_int_equal(ms_mail_filter_save(f, err, sizeof(err)), MS_OK);
    ms_mail_filter_free(f);

    assert_int_equal(ms_mail_filter_open(path, 100, &f, err, sizeof(err)),
                     MS_OK);
    assert_int_equal(ms_mail_filter_count(f), 1);
    assert_true(ms_mail_filter_check_and_add(f, a));
    assert_false(ms_mail_filter_check_and_add(f, b));
    ms_mail_filter_free(f);

    FILE *o = fopen(path, "wb");
    fputs("not a filter\n", o);
    fclose(o);
    assert_int_equal(ms_mail_filter_open(path, 100, &f, err, sizeof(err)),
                     MS_EINVAL);
    assert_null(f);
    assert_non_null(strstr(err, "not a mail filter file"));
    unlink(path);
}

/* Two copies of a campaign with different headers share the key; a
 * different body does not; body-less mails are keyed on all their bytes
 * so they do not all collide. */
static void test_body_hash_ignores_headers_but_not_empty_bodies(void **state)
{
    (void)state;
    static const char m1[] = "To: a@x.example\nSubject: hi\n\nBuy now\n";
    static const char m2[] = "To: b@y.example\r\nSubject: hey\r\n\r\nBuy now\n";
    static const char m3[] = "To: a@x.example\nSubject: hi\n\nBuy later\n";
    static const char e1[] = "To: a@x.example\nSubject: one\n\n";
    static const char e2[] = "To: a@x.example\nSubject: two\n\n\n";
    unsigned char h1[32], h2[32], h3[32], he1[32], he2[32];
    ms_mail_filter_body_hash(m1, sizeof(m1) - 1, h1);
    ms_mail_filter_body_hash(m2, sizeof(m2) - 1, h2);
    ms_mail_filter_body_hash(m3, sizeof(m3) - 1, h3);
    ms_mail_filter_body_hash(e1, sizeof(e1) - 1, he1);
    ms_mail_filter_body_hash(e2, sizeof(e2) - 1, he2);
    assert_memory_equal(h1, h2, 32);
    assert_memory_not_equal(h1, h3, 32);
    assert_memory_not_equal(he1, he2, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_sighting_of_a_hash_is_reported),
        cmocka_unit_test(test_full_filter_forgets_the_oldest_hash),
        cmocka_unit_test(test_filter_agrees_with_a_model_over_many_evictions),
        cmocka_unit_test(test_saved_hashes_survive_to_the_next_run),
        cmocka_unit_test(test_body_hash_ignores_headers_but_not_empty_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
