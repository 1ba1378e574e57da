/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the slice comparisons that ignore ASCII case: whole
 * equality with a C string and prefix tests, at the edges (empty, one
 * longer than the other, a NUL-free slice cut short, non-ASCII bytes
 * that must not fold).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mailscope/slice.h"

static ms_slice of(const char *p, size_t n)
{
    ms_slice s = {p, n};
    return s;
}

static void test_equal_to_c_string_ignoring_case(void **state)
{
    (void)state;
    assert_true(ms_slice_eq_cstr_ci(of("Content-Type", 12), "content-type"));
    assert_true(ms_slice_eq_cstr_ci(of("", 0), ""));
    assert_false(ms_slice_eq_cstr_ci(of("", 0), "a"));
    assert_false(ms_slice_eq_cstr_ci(of("From", 4), "from:"));
    assert_false(ms_slice_eq_cstr_ci(of("From:", 5), "from"));
    /* only the slice's bytes count, not what follows them */
    assert_true(ms_slice_eq_cstr_ci(of("FROMAGE", 4), "from"));
    assert_false(
        ms_slice_eq_cstr_ci(of("\xc3\x89t\xc3\xa9", 5), "\xc3\xa9t\xc3\xa9"));
    assert_false(ms_slice_eq_cstr_ci(of("fro\0", 4), "fro"));
}

static void test_prefix_ignoring_case(void **state)
{
    (void)state;
    assert_true(
        ms_slice_starts_with_ci(of("HTTPS://example.org", 19), "https://"));
    assert_true(ms_slice_starts_with_ci(of("www.", 4), "WWW."));
    assert_true(ms_slice_starts_with_ci(of("anything", 8), ""));
    assert_false(ms_slice_starts_with_ci(of("http:/", 6), "http://"));
    assert_false(ms_slice_starts_with_ci(of("ftp://x", 7), "http://"));
    /* the slice ends before the bytes that would match */
    assert_false(ms_slice_starts_with_ci(of("http://x", 4), "http://"));
    assert_false(ms_slice_starts_with_ci(of("", 0), "h"));
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_to_c_string_ignoring_case),
        cmocka_unit_test(test_prefix_ignoring_case),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
