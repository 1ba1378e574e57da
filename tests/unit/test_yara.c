/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the YARA glue: rules from text match with their tags,
 * a broken rule is reported with its line, the shipped conf/yara rules
 * compile and find EICAR only where it is the whole file, and threads
 * share one compiled rule set.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/yara.h"

static const char EICAR[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-"
                            "ANTIVIRUS-TEST-FILE!$H+H*";

/* A rule given as text matches its string and reports its tags. */
static void test_rule_from_text_matches_with_tags(void **state)
{
    (void)state;
    char err[256];
    ms_yara *y;
    assert_int_equal(
        ms_yara_load_string("rule Greeting : demo words { strings: $a = "
                            "\"hello\" condition: $a }\n"
                            "rule Other { condition: false }",
                            &y, err, sizeof(err)),
        MS_OK);
    assert_int_equal(ms_yara_rule_count(y), 2);
    ms_arena *a = ms_arena_new(0);
    ms_yara_match *m;
    size_t n;
    bool failed;
    assert_int_equal(ms_yara_scan(y, a, (const unsigned char *)"say hello", 9,
                                  &m, &n, &failed),
                     MS_OK);
    assert_false(failed);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].rule, "Greeting");
    assert_int_equal(m[0].n_tags, 2);
    assert_string_equal(m[0].tags[0], "demo");
    assert_string_equal(m[0].tags[1], "words");
    assert_int_equal(ms_yara_scan(y, a, (const unsigned char *)"goodbye", 7, &m,
                                  &n, &failed),
                     MS_OK);
    assert_int_equal(n, 0);
    ms_arena_free(a);
    ms_yara_free(y);
}

/* A rule that does not compile is refused with its line number. */
static void test_broken_rule_is_reported_with_its_line(void **state)
{
    (void)state;
    char err[256] = "";
    ms_yara *y = (ms_yara *)1;
    assert_int_equal(ms_yara_load_string("rule Fine { condition: true }\n"
                                         "rule Broken { condition: $nope }\n",
                                         &y, err, sizeof(err)),
                     MS_EINVAL);
    assert_null(y);
    assert_non_null(strstr(err, ":2:"));
}

/* A missing rule folder is an I/O error naming the path. */
static void test_missing_rule_folder_is_reported(void **state)
{
    (void)state;
    char err[256] = "";
    ms_yara *y;
    const char *paths[] = {"/nonexistent/yara-rules"};
    assert_int_equal(ms_yara_load(paths, 1, &y, err, sizeof(err)), MS_EIO);
    assert_non_null(strstr(err, "/nonexistent/yara-rules"));
}

/* The shipped rules compile; EICAR matches as a whole file and not when
 * it is buried in a larger one (the EICAR convention). */
static void test_shipped_rules_find_eicar_only_as_the_whole_file(void **state)
{
    (void)state;
    char err[256];
    ms_yara *y;
    const char *paths[] = {MS_SOURCE_DIR "/conf/yara"};
    assert_int_equal(ms_yara_load(paths, 1, &y, err, sizeof(err)), MS_OK);
    assert_true(ms_yara_rule_count(y) >= 6);
    ms_arena *a = ms_arena_new(0);
    ms_yara_match *m;
    size_t n;
    bool failed;
    assert_int_equal(ms_yara_scan(y, a, (const unsigned char *)EICAR,
                                  strlen(EICAR), &m, &n, &failed),
                     MS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].rule, "EICAR_Test_File");
    assert_string_equal(m[0].namespace_, "eicar.yar");

    char buried[512];
    memset(buried, 'A', sizeof(buried));
    memcpy(buried + 100, EICAR, strlen(EICAR));
    assert_int_equal(ms_yara_scan(y, a, (const unsigned char *)buried,
                                  sizeof(buried), &m, &n, &failed),
                     MS_OK);
    assert_int_equal(n, 0);
    ms_arena_free(a);
    ms_yara_free(y);
}

/* One racing scanner: scans EICAR many times, counts the matches. */
typedef struct scanner {
    const ms_yara *y;
    int hits;
} scanner;

/* Scans EICAR 200 times with its own arena. */
static void *scan_many(void *arg)
{
    scanner *s = arg;
    ms_arena *a = ms_arena_new(0);
    for (int i = 0; i < 200; i++) {
        ms_yara_match *m;
        size_t n;
        bool failed;
        if (ms_yara_scan(s->y, a, (const unsigned char *)EICAR, strlen(EICAR),
                         &m, &n, &failed) == MS_OK &&
            n == 1)
            s->hits++;
        ms_arena_reset(a);
    }
    ms_arena_free(a);
    return NULL;
}

/* Four threads scan with one compiled rule set and all find EICAR. */
static void test_threads_share_one_compiled_rule_set(void **state)
{
    (void)state;
    char err[256];
    ms_yara *y;
    const char *paths[] = {MS_SOURCE_DIR "/conf/yara/eicar.yar"};
    assert_int_equal(ms_yara_load(paths, 1, &y, err, sizeof(err)), MS_OK);
    pthread_t t[4];
    scanner s[4];
    for (int i = 0; i < 4; i++) {
        s[i] = (scanner){y, 0};
        assert_int_equal(pthread_create(&t[i], NULL, scan_many, &s[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(s[i].hits, 200);
    }
    ms_yara_free(y);
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_from_text_matches_with_tags),
        cmocka_unit_test(test_broken_rule_is_reported_with_its_line),
        cmocka_unit_test(test_missing_rule_folder_is_reported),
        cmocka_unit_test(test_shipped_rules_find_eicar_only_as_the_whole_file),
        cmocka_unit_test(test_threads_share_one_compiled_rule_set),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
