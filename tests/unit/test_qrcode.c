/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the QR code reader: codes in PNG and JPEG files (made
 * with qrencode and cjpeg, kept as the fuzz target's seeds), and the
 * inputs that give no code: other formats, truncated files, an image
 * whose header claims more pixels than the ceiling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/qrcode.h"

#define SEEDS MS_SOURCE_DIR "/tests/fuzz/corpus/fuzz_qr/"

/* Reads a whole file into *n bytes (malloc'd). */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *p = malloc(1 << 20);
    assert_non_null(p);
    *n = fread(p, 1, 1 << 20, f);
    fclose(f);
    return p;
}

/* Decodes the file and checks the one text it must hold. */
static void expect_code(const char *path, const char *want)
{
    ms_arena *a = ms_arena_new(0);
    size_t n;
    unsigned char *p = slurp(path, &n);
    const char *texts[MS_QR_MAX_CODES];
    size_t n_texts = 99;
    assert_true(ms_qr_is_image(p, n));
    assert_int_equal(ms_qr_decode(a, p, n, texts, &n_texts), MS_OK);
    assert_int_equal(n_texts, 1);
    assert_string_equal(texts[0], want);
    free(p);
    ms_arena_free(a);
}

static void test_png_and_jpeg(void **state)
{
    (void)state;
    expect_code(SEEDS "url.png", "https://example.net/a");
    expect_code(SEEDS "text.png", "hello");
    expect_code(SEEDS "url.jpg", "https://example.net/j");
}

/* Not an image, a cut image, a lying header: no code, no error. */
static void test_no_code(void **state)
{
    (void)state;
    ms_arena *a = ms_arena_new(0);
    const char *texts[MS_QR_MAX_CODES];
    size_t n_texts = 99;
    const unsigned char gif[] = "GIF89a\x01\x00\x01\x00";
    assert_false(ms_qr_is_image(gif, sizeof(gif) - 1));
    assert_int_equal(ms_qr_decode(a, gif, sizeof(gif) - 1, texts, &n_texts),
                     MS_OK);
    assert_int_equal(n_texts, 0);
    size_t n;
    unsigned char *png = slurp(SEEDS "url.png", &n);
    n_texts = 99;
    assert_int_equal(ms_qr_decode(a, png, n / 2, texts, &n_texts), MS_OK);
    assert_int_equal(n_texts, 0);
    /* IHDR width and height at bytes 16-23: claim 60000 x 60000 */
    unsigned char big[8] = {0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60};
    memcpy(png + 16, big, 8);
    n_texts = 99;
    assert_int_equal(ms_qr_decode(a, png, n, texts, &n_texts), MS_OK);
    assert_int_equal(n_texts, 0);
    free(png);
    unsigned char *jpg = slurp(SEEDS "url.jpg", &n);
    n_texts = 99;
    assert_int_equal(ms_qr_decode(a, jpg, n / 3, texts, &n_texts), MS_OK);
    assert_int_equal(n_texts, 0);
    free(jpg);
    ms_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_and_jpeg),
        cmocka_unit_test(test_no_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
