/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of mailscope's ssdeep: the digest is libfuzzy's, byte for
 * byte, on the sample mails, on their prefixes, on inputs sized at the
 * edges of the block sizes, and on inputs that push the digest to the
 * rare paths (few triggers high up, a digest that runs full, a rolling
 * sum of zero at the end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fuzzy.h>

#include "analysis/ssdeep.h"

/* Checks one input against libfuzzy and counts it. */
static void check(const unsigned char *p, size_t n)
{
    char ours[MS_SSDEEP_DIGEST_MAX], ref[FUZZY_MAX_RESULT];
    assert_int_equal(fuzzy_hash_buf(p, (uint32_t)n, ref), 0);
    assert_int_equal(ms_ssdeep(p, n, ours), 0);
    if (strcmp(ours, ref) != 0)
        fprintf(stderr, "differ at %zu bytes: %s against %s\n", n, ours, ref);
    assert_string_equal(ours, ref);
}

/* A small xorshift generator, so every run sees the same bytes. */
static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Empty input and a few bytes: the short digests. */
static void test_short_inputs(void **state)
{
    (void)state;
    char out[MS_SSDEEP_DIGEST_MAX];
    assert_int_equal(ms_ssdeep(NULL, 0, out), 0);
    assert_string_equal(out, "3::");
    const char *s = "The quick brown fox jumps over the lazy dog";
    for (size_t n = 0; n <= strlen(s); n++)
        check((const unsigned char *)s, n);
}

/* Every sample mail, whole and cut at a few places. */
static void test_sample_mails(void **state)
{
    (void)state;
    DIR *d = opendir(MS_SOURCE_DIR "/samples");
    assert_non_null(d);
    struct dirent *e;
    int seen = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/samples/%s", MS_SOURCE_DIR, e->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        unsigned char *buf = malloc(1 << 22);
        assert_non_null(buf);
        size_t n = fread(buf, 1, 1 << 22, f);
        fclose(f);
        check(buf, n);
        for (size_t k = 1; k < 8; k++)
            check(buf, n * k / 8);
        free(buf);
        seen++;
    }
    closedir(d);
    assert_true(seen > 0);
}

/* Random bytes sized just around each block size's capacity (3 * 2^L *
 * 64), where the printed block size changes. */
static void test_block_size_edges(void **state)
{
    (void)state;
    size_t max = (size_t)3 << 16 << 6;
    unsigned char *p = malloc(max + 4);
    assert_non_null(p);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < max + 4; i++)
        p[i] = (unsigned char)next_random(&x);
    for (unsigned l = 0; l <= 16; l++) {
        size_t edge = ((size_t)3 << l) * 64;
        for (size_t n = edge - 2; n <= edge + 2; n++)
            check(p, n);
    }
    free(p);
}

/* Text-like, periodic and constant inputs: periodic bytes give few or
 * many triggers at every level, so the level to print falls below the
 * levels first counted and every level is counted again; constant bytes
 * end on a rolling sum of zero. */
static void test_skewed_inputs(void **state)
{
    (void)state;
    size_t max = 600000;
    unsigned char *p = malloc(max);
    assert_non_null(p);
    uint32_t x = 88675123u;
    for (int round = 0; round < 120; round++) {
        size_t n = next_random(&x) % max;
        size_t period = 1 + next_random(&x) % 40;
        for (size_t i = 0; i < n; i++) {
            switch (round % 4) {
            case 0:
                p[i] = (unsigned char)(i % period * 37);
                break;
            case 1:
                p[i] = (unsigned char)("abc "[next_random(&x) % 4]);
                break;
            case 2:
                p[i] = (unsigned char)round;
                break;
            default:
                p[i] = next_random(&x) % 64 == 0
                           ? (unsigned char)next_random(&x)
                           : 'x';
            }
        }
        check(p, n);
    }
    free(p);
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_inputs),
        cmocka_unit_test(test_sample_mails),
        cmocka_unit_test(test_block_size_edges),
        cmocka_unit_test(test_skewed_inputs),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
