/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the slice helpers where the word-at-a-time compare can go
 * wrong: every pair of byte values at every position of names up to two
 * words long, checked against a compare written the slow obvious way;
 * and the comparisons with C strings (whole and prefix) at their edges:
 * empty, one longer than the other, a slice cut short, non-ASCII bytes
 * that must not fold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mailscope/slice.h"

/* A byte lower-cased the obvious way: only A-Z change. */
static unsigned char reference_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Two names that differ at one position, by every pair of byte values
 * (capitals and small letters, the bytes next to them such as '@', '[',
 * '`' and '{', 8-bit bytes whose low seven bits are letters), compare
 * equal exactly when the two bytes are the same letter in either case,
 * wherever the position falls in or after the eight-byte words. */
static void test_slice_eq_ci_every_byte_pair_at_every_position(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 17; len++) {
        for (size_t at = 0; at < len; at++) {
            char a[17], b[17];
            for (size_t i = 0; i < len; i++)
                a[i] = b[i] = (char)("Content-Transfer-"[i]);
            for (unsigned x = 0; x < 256; x++) {
                for (unsigned y = 0; y < 256; y++) {
                    a[at] = (char)x;
                    b[at] = (char)y;
                    bool want = reference_lower((unsigned char)x) ==
                                reference_lower((unsigned char)y);
                    ms_slice sa = {a, len}, sb = {b, len};
                    if (ms_slice_eq_ci(sa, sb) != want)
                        fail_msg("len %zu at %zu: 0x%02x vs 0x%02x", len, at, x,
                                 y);
                }
            }
        }
    }
}

/* Names of different lengths never match; case differences all along a
 * long name do. */
static void test_slice_eq_ci_lengths_and_whole_names(void **state)
{
    (void)state;
    assert_true(ms_slice_eq_cstr_ci(ms_slice_from_cstr("CONTENT-TRANSFER-"
                                                       "ENCODING"),
                                    "content-transfer-encoding"));
    assert_true(ms_slice_eq_cstr_ci(ms_slice_from_cstr("X-MS-Exchange-"
                                                       "Organization-SCL"),
                                    "x-ms-exchange-organization-scl"));
    assert_false(
        ms_slice_eq_cstr_ci(ms_slice_from_cstr("Received"), "Received:"));
    assert_false(
        ms_slice_eq_cstr_ci(ms_slice_from_cstr("Reply-To"), "Reply-Tp"));
    assert_true(ms_slice_eq_cstr_ci(ms_slice_from_cstr(""), ""));
}

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

/* Finding a needle ignoring case: by memchr when its first byte is no
 * letter, byte by byte otherwise; at the start, at the very end, absent,
 * longer than the haystack, and after near misses. */
static void test_find_ignoring_case(void **state)
{
    (void)state;
    const char *html = "<p>Hi</p><FoRm action=x><form>";
    ms_slice h = of(html, strlen(html));
    assert_int_equal(ms_slice_find_ci(h, of("<form", 5)), 9);
    assert_int_equal(ms_slice_find_ci(h, of("FORM>", 5)), 25);
    assert_int_equal(ms_slice_find_ci(h, of("<p>", 3)), 0);
    assert_int_equal(ms_slice_find_ci(h, of("<form>", 6)), 24);
    assert_int_equal(ms_slice_find_ci(h, of("</form", 6)), (size_t)-1);
    assert_int_equal(ms_slice_find_ci(h, of("action=y", 8)), (size_t)-1);
    assert_int_equal(ms_slice_find_ci(of("<<<<", 4), of("<<<<<", 5)),
                     (size_t)-1);
    assert_int_equal(ms_slice_find_ci(of("<<<x", 4), of("<x", 2)), 2);
    assert_int_equal(ms_slice_find_ci(of("@`[{", 4), of("{", 1)), 3);
    assert_int_equal(ms_slice_find_ci(of("@@a", 3), of("A", 1)), 2);
    assert_int_equal(ms_slice_find_ci(of("abc", 3), of("", 0)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slice_eq_ci_every_byte_pair_at_every_position),
        cmocka_unit_test(test_slice_eq_ci_lengths_and_whole_names),
        cmocka_unit_test(test_equal_to_c_string_ignoring_case),
        cmocka_unit_test(test_prefix_ignoring_case),
        cmocka_unit_test(test_find_ignoring_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
