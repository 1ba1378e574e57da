/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the one-pass hasher: published test vectors for md5,
 * sha1, sha256 and sha512; input longer than one chunk gives the same
 * digests as OpenSSL's and libfuzzy's one-shot functions; ssdeep is
 * left empty when not asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fuzzy.h>
#include <openssl/evp.h>

#include "analysis/hashes.h"

/* "abc" gives the digests published with each algorithm (RFC 1321,
 * FIPS 180-2 examples). */
static void test_abc_gives_the_published_digests(void **state)
{
    (void)state;
    ms_hashes h;
    assert_int_equal(
        ms_hashes_compute((const unsigned char *)"abc", 3, true, &h), MS_OK);
    assert_string_equal(h.md5, "900150983cd24fb0d6963f7d28e17f72");
    assert_string_equal(h.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_string_equal(
        h.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_string_equal(h.sha512,
                        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9ee"
                        "ee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d442364"
                        "3ce80e2a9ac94fa54ca49f");
    assert_true(strlen(h.ssdeep) > 0);
}

/* Empty input hashes to the empty-string digests. */
static void test_empty_input_gives_empty_string_digests(void **state)
{
    (void)state;
    ms_hashes h;
    assert_int_equal(ms_hashes_compute(NULL, 0, true, &h), MS_OK);
    assert_string_equal(h.md5, "d41d8cd98f00b204e9800998ecf8427e");
    assert_string_equal(
        h.sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(h.ssdeep, "3::");
}

/* A buffer of several chunks, fed piecewise, hashes as the one-shot
 * functions hash it whole. */
static void test_multi_chunk_input_matches_one_shot_digests(void **state)
{
    (void)state;
    size_t n = 1000 * 1000 + 17;
    unsigned char *p = malloc(n);
    assert_non_null(p);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char)(x >> 16);
    }
    ms_hashes h;
    assert_int_equal(ms_hashes_compute(p, n, true, &h), MS_OK);

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(p, n, digest, &len, EVP_sha256(), NULL), 1);
    char hex[65];
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    assert_string_equal(h.sha256, hex);

    char ssdeep[FUZZY_MAX_RESULT];
    assert_int_equal(fuzzy_hash_buf(p, (uint32_t)n, ssdeep), 0);
    assert_string_equal(h.ssdeep, ssdeep);
    free(p);
}

/* Without ssdeep the fuzzy hash stays empty and the others are there. */
static void test_ssdeep_is_skipped_when_not_asked(void **state)
{
    (void)state;
    ms_hashes h;
    assert_int_equal(
        ms_hashes_compute((const unsigned char *)"abc", 3, false, &h), MS_OK);
    assert_string_equal(h.ssdeep, "");
    assert_string_equal(h.md5, "900150983cd24fb0d6963f7d28e17f72");
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abc_gives_the_published_digests),
        cmocka_unit_test(test_empty_input_gives_empty_string_digests),
        cmocka_unit_test(test_multi_chunk_input_matches_one_shot_digests),
        cmocka_unit_test(test_ssdeep_is_skipped_when_not_asked),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
