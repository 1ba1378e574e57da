/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the JSON writer: structure, commas, escaping of control
 * characters, repair of invalid UTF-8, numbers, and the buffer ceiling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/json.h"

/* Writes a string value alone and returns the document (static buffer). */
static const char *encode(ms_buf *b, const char *p, size_t n)
{
    ms_json w;
    ms_buf_clear(b);
    ms_json_init(&w, b, false);
    ms_json_string(&w, p, n);
    assert_int_equal(ms_json_status(&w), MS_OK);
    return b->p;
}

/* Nested objects and arrays get commas only between items. */
static void test_json_places_commas_between_items_only(void **state)
{
    ms_buf b;
    ms_buf_init(&b, 0);
    ms_json w;
    ms_json_init(&w, &b, false);
    ms_json_object_begin(&w);
    ms_json_kv_cstr(&w, "a", "x");
    ms_json_key(&w, "b");
    ms_json_array_begin(&w);
    ms_json_int(&w, 1);
    ms_json_int(&w, -2);
    ms_json_object_begin(&w);
    ms_json_object_end(&w);
    ms_json_array_end(&w);
    ms_json_kv_null(&w, "c");
    ms_json_kv_bool(&w, "d", true);
    ms_json_key(&w, "e");
    ms_json_array_begin(&w);
    ms_json_array_end(&w);
    ms_json_object_end(&w);
    assert_int_equal(ms_json_status(&w), MS_OK);
    assert_string_equal(
        b.p, "{\"a\":\"x\",\"b\":[1,-2,{}],\"c\":null,\"d\":true,\"e\":[]}");
    ms_buf_free(&b);
}

/* More than 255 items in one container still get every comma (a counter
 * that wrapped at 256 once dropped one). */
static void test_json_commas_survive_many_items(void **state)
{
    ms_buf b;
    ms_buf_init(&b, 0);
    ms_json w;
    ms_json_init(&w, &b, false);
    ms_json_array_begin(&w);
    for (int i = 0; i < 600; i++)
        ms_json_int(&w, 7);
    ms_json_array_end(&w);
    size_t commas = 0;
    for (size_t i = 0; i < b.n; i++)
        commas += b.p[i] == ',';
    assert_int_equal(commas, 599);
    ms_buf_free(&b);
}

/* Quotes, backslashes and every control character are escaped. */
static void test_json_escapes_control_characters(void **state)
{
    ms_buf b;
    ms_buf_init(&b, 0);
    assert_string_equal(encode(&b, "a\"b\\c\n\r\t", 8),
                        "\"a\\\"b\\\\c\\n\\r\\t\"");
    assert_string_equal(encode(&b, "\x01\x1f\x00z", 4),
                        "\"\\u0001\\u001f\\u0000z\"");
    ms_buf_free(&b);
}

/* Valid UTF-8 passes through; invalid bytes become U+FFFD. */
static void test_json_replaces_invalid_utf8(void **state)
{
    ms_buf b;
    ms_buf_init(&b, 0);
    assert_string_equal(encode(&b, "caf\xc3\xa9 \xe2\x82\xac", 9),
                        "\"caf\xc3\xa9 \xe2\x82\xac\"");
    /* a Latin-1 byte, an overlong slash, a surrogate, a truncated tail */
    assert_string_equal(encode(&b, "\xe9", 1), "\"\xef\xbf\xbd\"");
    assert_string_equal(encode(&b, "\xc0\xaf", 2),
                        "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_string_equal(encode(&b, "\xed\xa0\x80", 3),
                        "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_string_equal(encode(&b, "ok\xe2\x82", 4),
                        "\"ok\xef\xbf\xbd\xef\xbf\xbd\"");
    ms_buf_free(&b);
}

/* The escape of one byte, written the slow obvious way, for comparing
 * with the writer's word-at-a-time scan. Returns the bytes written. */
static size_t reference_escape_byte(unsigned char c, char *o)
{
    static const char hex[] = "0123456789abcdef";
    const char *short_escapes = "\"\"\\\\\bb\tt\nn\ff\rr";
    for (const char *e = short_escapes; *e; e += 2) {
        if ((unsigned char)e[0] == c) {
            o[0] = '\\';
            o[1] = e[1];
            return 2;
        }
    }
    if (c < 0x20) {
        memcpy(o, "\\u00", 4);
        o[4] = hex[c >> 4];
        o[5] = hex[c & 15];
        return 6;
    }
    o[0] = (char)c;
    return 1;
}

/* A byte that needs an escape is found at every position of strings of
 * every length up to 40, whichever of the 16-byte, 8-byte or byte-wise
 * scans meets it, and the bytes around it are copied unchanged. */
static void test_json_escape_found_at_every_offset(void **state)
{
    static const unsigned char specials[] = {'"',  '\\', '\n', 0x01,
                                             0x1f, 0x7f, ' ',  '~'};
    ms_buf b;
    ms_buf_init(&b, 0);
    for (size_t len = 1; len <= 40; len++) {
        for (size_t at = 0; at < len; at++) {
            for (size_t k = 0; k < sizeof(specials); k++) {
                char in[40], want[256];
                for (size_t i = 0; i < len; i++)
                    in[i] = (char)('a' + i % 26);
                in[at] = (char)specials[k];
                size_t o = 0;
                want[o++] = '"';
                for (size_t i = 0; i < len; i++)
                    o += reference_escape_byte((unsigned char)in[i], want + o);
                want[o++] = '"';
                want[o] = '\0';
                assert_string_equal(encode(&b, in, len), want);
            }
        }
    }
    ms_buf_free(&b);
}

/* A string longer than one escaping round (4096 bytes) with a UTF-8
 * sequence across the round's end, a broken sequence and control bytes
 * comes out whole and in order. */
static void test_json_long_string_across_rounds(void **state)
{
    enum { N = 9000 };
    static char in[N], want[2 * N];
    for (size_t i = 0; i < N; i++)
        in[i] = (char)('a' + i % 26);
    memcpy(in + 4094, "\xe2\x82\xac", 3); /* the euro sign across 4096 */
    in[5000] = '\n';
    in[8191] = (char)0xe9; /* a Latin-1 byte: replaced */
    in[8999] = '\x02';
    size_t o = 0;
    want[o++] = '"';
    for (size_t i = 0; i < N; i++) {
        if (i == 8191) {
            memcpy(want + o, "\xef\xbf\xbd", 3);
            o += 3;
        } else if (i >= 4094 && i < 4097) {
            want[o++] = in[i];
        } else {
            o += reference_escape_byte((unsigned char)in[i], want + o);
        }
    }
    want[o++] = '"';
    want[o] = '\0';
    ms_buf b;
    ms_buf_init(&b, 0);
    assert_string_equal(encode(&b, in, N), want);
    ms_buf_free(&b);
}

/* The writer reserves the worst case (six bytes a byte) before escaping;
 * under a ceiling too low for that but high enough for the real escape,
 * the string is still written. */
static void test_json_escape_fits_under_a_tight_ceiling(void **state)
{
    ms_buf b;
    ms_buf_init(&b, 40);
    assert_string_equal(encode(&b, "line one\nline two\tend", 21),
                        "\"line one\\nline two\\tend\"");
    ms_buf_free(&b);
}

/* Pretty output indents by two spaces and still closes empty containers
 * on the same line. */
static void test_json_pretty_indents(void **state)
{
    ms_buf b;
    ms_buf_init(&b, 0);
    ms_json w;
    ms_json_init(&w, &b, true);
    ms_json_object_begin(&w);
    ms_json_kv_int(&w, "n", 3);
    ms_json_key(&w, "l");
    ms_json_array_begin(&w);
    ms_json_array_end(&w);
    ms_json_object_end(&w);
    assert_string_equal(b.p, "{\n  \"n\": 3,\n  \"l\": []\n}");
    ms_buf_free(&b);
}

/* Non-finite doubles are written as null, others compactly. */
static void test_json_doubles(void **state)
{
    ms_buf b;
    ms_buf_init(&b, 0);
    ms_json w;
    ms_json_init(&w, &b, false);
    ms_json_array_begin(&w);
    ms_json_double(&w, 0.5);
    ms_json_double(&w, 1.0 / 0.0);
    ms_json_array_end(&w);
    assert_string_equal(b.p, "[0.5,null]");
    ms_buf_free(&b);
}

/* A document that would pass the buffer ceiling reports MS_ELIMIT. */
static void test_json_buffer_ceiling_is_reported(void **state)
{
    ms_buf b;
    ms_buf_init(&b, 64);
    ms_json w;
    ms_json_init(&w, &b, false);
    ms_json_array_begin(&w);
    for (int i = 0; i < 100; i++)
        ms_json_cstr(&w, "0123456789");
    ms_json_array_end(&w);
    assert_int_equal(ms_json_status(&w), MS_ELIMIT);
    assert_true(b.n <= 64);
    ms_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_places_commas_between_items_only),
        cmocka_unit_test(test_json_commas_survive_many_items),
        cmocka_unit_test(test_json_escapes_control_characters),
        cmocka_unit_test(test_json_replaces_invalid_utf8),
        cmocka_unit_test(test_json_escape_found_at_every_offset),
        cmocka_unit_test(test_json_long_string_across_rounds),
        cmocka_unit_test(test_json_escape_fits_under_a_tight_ceiling),
        cmocka_unit_test(test_json_pretty_indents),
        cmocka_unit_test(test_json_doubles),
        cmocka_unit_test(test_json_buffer_ceiling_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
