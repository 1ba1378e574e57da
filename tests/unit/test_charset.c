/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of charset handling: the labels real mail writes and the
 * names they resolve to, UTF-8 validation, and conversion to UTF-8 from
 * the charsets spam arrives in (KOI8-R, windows-1251, GB2312, Big5,
 * Shift_JIS, ISO-2022-JP, EUC-KR, UTF-7), with lying, unknown and missing
 * labels, invalid bytes, and many threads at once. The legacy bytes and
 * their UTF-8 forms were produced with Python's codecs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mime/charset.h"

/* A message that only collects defects, in its own arena. */
typedef struct fixture {
    ms_arena *a;
    ms_message m;
} fixture;

/* Creates the arena and the defect collector of one test. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    f->a = ms_arena_new(16u << 20);
    if (f->a == NULL) {
        free(f);
        return -1;
    }
    f->m.arena = f->a;
    f->m.max_defects = 100;
    *state = f;
    return 0;
}

/* Frees what setup made. */
static int teardown(void **state)
{
    fixture *f = *state;
    ms_arena_free(f->a);
    free(f);
    return 0;
}

/* Counts the recorded defects of one type. */
static size_t count_defects(const ms_message *m, const char *type)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n_defects; i++)
        k += strcmp(m->defects[i].type, type) == 0;
    return k;
}

/* Resolves a NUL-terminated label. */
static const char *canon(const char *label)
{
    return ms_charset_canonical(label, strlen(label));
}

/* Converts a NUL-terminated text and checks the UTF-8 result. */
static void assert_converts(fixture *f, const char *charset, const char *in,
                            const char *want)
{
    const char *out = NULL;
    size_t len = 0;
    assert_int_equal(ms_charset_to_utf8(f->a, &f->m, "1", charset, in,
                                        strlen(in), &out, &len),
                     MS_OK);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
}

/* The aliases mail uses resolve to the iconv names, in any case and with
 * quotes and white space around. */
static void test_canonical_resolves_the_aliases_mail_uses(void **state)
{
    (void)state;
    assert_string_equal(canon("utf8"), "UTF-8");
    assert_string_equal(canon(" \"UTF-8\" "), "UTF-8");
    assert_string_equal(canon("us-ascii"), "UTF-8");
    assert_string_equal(canon("ASCII"), "UTF-8");
    assert_string_equal(canon("ANSI_X3.4-1968"), "UTF-8");
    assert_string_equal(canon("Latin1"), "WINDOWS-1252");
    assert_string_equal(canon("iso8859-1"), "WINDOWS-1252");
    assert_string_equal(canon("ISO_8859-1"), "WINDOWS-1252");
    assert_string_equal(canon("'cp1252'"), "WINDOWS-1252");
    assert_string_equal(canon("win-1251"), "WINDOWS-1251");
    assert_string_equal(canon("ks_c_5601-1987"), "CP949");
    assert_string_equal(canon("GB2312"), "GB18030");
    assert_string_equal(canon("x-sjis"), "CP932");
    assert_string_equal(canon("shift-jis"), "CP932");
    assert_string_equal(canon("iso-8859-8-i"), "ISO-8859-8");
    assert_string_equal(canon("unicode-1-1-utf-7"), "UTF-7");
    assert_string_equal(canon("big5"), "BIG5-HKSCS");
}

/* Labels that say nothing, empty labels, names iconv does not know and
 * names smuggling iconv options resolve to NULL. */
static void test_canonical_rejects_empty_and_unknown_labels(void **state)
{
    (void)state;
    assert_null(canon("x-unknown"));
    assert_null(canon("unknown-8bit"));
    assert_null(canon("DEFAULT"));
    assert_null(canon(""));
    assert_null(canon("  \"\" "));
    assert_null(canon("x-bogus-charset"));
    assert_null(canon("utf-16//TRANSLIT"));
    assert_null(ms_charset_canonical(NULL, 0));
}

/* Names iconv knows come back upper-case, as the same shared string on
 * every call, and only the first n bytes of the label count. */
static void test_canonical_names_are_stable_strings(void **state)
{
    (void)state;
    const char *koi = canon("koi8-r");
    assert_string_equal(koi, "KOI8-R");
    for (int i = 1; i <= 16; i++) {
        char label[32];
        snprintf(label, sizeof(label), "iso-8859-%d", i);
        canon(label);
    }
    assert_ptr_equal(canon("KOI8-R"), koi);
    assert_string_equal(koi, "KOI8-R");
    assert_string_equal(ms_charset_canonical("utf-8xyz", 5), "UTF-8");
}

/* Valid UTF-8 of every length passes; overlong forms, surrogates, code
 * points past U+10FFFF, stray continuation bytes and cut sequences do
 * not, also after a long ASCII run. */
static void test_utf8_valid_accepts_only_well_formed_utf8(void **state)
{
    (void)state;
    static const char good[] = "plain ASCII text, caf\xc3\xa9, \xe2\x82\xac, "
                               "\xf0\x9f\x98\x80";
    assert_true(ms_utf8_valid(good, strlen(good)));
    assert_true(ms_utf8_valid("", 0));
    assert_false(ms_utf8_valid("\xc0\xaf", 2));
    assert_false(ms_utf8_valid("\xe0\x80\xaf", 3));
    assert_false(ms_utf8_valid("\xed\xa0\x80", 3));
    assert_false(ms_utf8_valid("\xf4\x90\x80\x80", 4));
    assert_false(ms_utf8_valid("\x80", 1));
    assert_false(ms_utf8_valid("\xe2\x82", 2));
    assert_false(ms_utf8_valid("0123456789abcdef\xe9", 17));
    assert_false(ms_utf8_valid("0123456789abcdef\xc3\xa9\xff", 19));
}

/* The ASCII runs before, between and after 8-bit bytes are skipped in
 * blocks: a broken byte after a run of any length is still found, and
 * windows-1252 text with runs of any length converts whole. */
static void test_8bit_bytes_found_after_runs_of_any_length(void **state)
{
    fixture *f = *state;
    for (size_t run = 0; run < 40; run++) {
        char in[96], want[128];
        memset(in, 'a', run);
        in[run] = (char)0xe9;
        assert_false(ms_utf8_valid(in, run + 1));
        memcpy(in + run, "\xc3\xa9", 2);
        assert_true(ms_utf8_valid(in, run + 2));
        memset(in, 'a', run);
        memcpy(in + run, "\xe9z\x80", 3);
        memset(in + run + 3, 'b', run);
        in[2 * run + 3] = '\0';
        memset(want, 'a', run);
        memcpy(want + run, "\xc3\xa9z\xe2\x82\xac", 6);
        memset(want + run + 6, 'b', run);
        want[2 * run + 6] = '\0';
        assert_converts(f, "windows-1252", in, want);
    }
}

/* Valid UTF-8 under a UTF-8 label, no label or an ASCII label is handed
 * back without a copy and without a defect. */
static void test_valid_utf8_passes_through_without_copy(void **state)
{
    fixture *f = *state;
    static const char text[] = "Gr\xc3\xbc\xc3\x9f"
                               "e";
    static const char *const labels[] = {"utf-8", NULL, "us-ascii", "UTF8"};
    for (size_t i = 0; i < 4; i++) {
        const char *out = NULL;
        size_t len = 0;
        assert_int_equal(ms_charset_to_utf8(f->a, &f->m, "1", labels[i], text,
                                            strlen(text), &out, &len),
                         MS_OK);
        assert_ptr_equal(out, text);
        assert_int_equal(len, strlen(text));
    }
    assert_int_equal(f->m.n_defects, 0);
}

/* 8-bit text without a label is read as windows-1252 and noted. */
static void test_unlabelled_8bit_text_is_read_as_windows_1252(void **state)
{
    fixture *f = *state;
    assert_converts(f, NULL,
                    "caf\xe9 \x80"
                    "5",
                    "caf\xc3\xa9 \xe2\x82\xac"
                    "5");
    assert_int_equal(count_defects(&f->m, "CharsetConversionDefect"), 1);
}

/* Invalid bytes under a UTF-8 label become U+FFFD, noted once. */
static void test_invalid_utf8_becomes_replacement_characters(void **state)
{
    fixture *f = *state;
    assert_converts(f, "utf-8",
                    "a\xff"
                    "b\xc3(c",
                    "a\xef\xbf\xbd"
                    "b\xef\xbf\xbd(c");
    assert_int_equal(count_defects(&f->m, "CharsetConversionDefect"), 1);
}

/* ISO-8859-1 labels are read as windows-1252: the curly quotes and euro
 * sign of Windows mailers come out right. */
static void test_latin1_label_reads_windows_1252_punctuation(void **state)
{
    fixture *f = *state;
    assert_converts(f, "iso-8859-1",
                    "Gr\xfc\xdf"
                    "e \x93q\x94 \x80",
                    "Gr\xc3\xbc\xc3\x9f"
                    "e \xe2\x80\x9cq\xe2\x80\x9d "
                    "\xe2\x82\xac");
    assert_int_equal(f->m.n_defects, 0);
}

/* UTF-8 text labelled ISO-8859-1 is read as labelled (as clients show
 * it) and the lie is noted. */
static void test_utf8_under_a_latin1_label_is_noted(void **state)
{
    fixture *f = *state;
    assert_converts(f, "iso-8859-1", "caf\xc3\xa9", "caf\xc3\x83\xc2\xa9");
    assert_int_equal(count_defects(&f->m, "CharsetMismatchDefect"), 1);
}

/* The legacy charsets of spam convert through iconv. */
static void test_legacy_charsets_convert_through_iconv(void **state)
{
    fixture *f = *state;
    static const char privet[] = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
                                 "\xd1\x82";
    static const char zhongwen[] = "\xe4\xb8\xad\xe6\x96\x87";
    static const char nihongo[] = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
    assert_converts(f, "koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", privet);
    assert_converts(f, "windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", privet);
    assert_converts(f, "gb2312", "\xd6\xd0\xce\xc4", zhongwen);
    assert_converts(f, "big5", "\xa4\xa4\xa4\xe5", zhongwen);
    assert_converts(f, "shift_jis", "\x93\xfa\x96\x7b\x8c\xea", nihongo);
    assert_converts(f, "iso-2022-jp",
                    "\x1b\x24\x42\x46\x7c\x4b\x5c\x38\x6c\x1b\x28\x42",
                    nihongo);
    assert_converts(f, "ks_c_5601-1987", "\xc7\xd1\xb1\xb9\xbe\xee",
                    "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4");
    assert_int_equal(f->m.n_defects, 0);
}

/* ASCII text under an ASCII-compatible label is not copied, but under
 * UTF-7 the same kind of bytes carry other characters (RFC 2152's
 * example). */
static void test_ascii_passes_only_where_ascii_means_ascii(void **state)
{
    fixture *f = *state;
    static const char text[] = "Hi Mom -+Jjo--!";
    const char *out = NULL;
    size_t len = 0;
    assert_int_equal(ms_charset_to_utf8(f->a, &f->m, "1", "koi8-r", text,
                                        strlen(text), &out, &len),
                     MS_OK);
    assert_ptr_equal(out, text);
    assert_converts(f, "unicode-1-1-utf-7", text, "Hi Mom -\xe2\x98\xba-!");
    assert_int_equal(f->m.n_defects, 0);
}

/* Bytes the declared charset cannot decode become U+FFFD and are noted
 * once; the text around them survives. */
static void test_undecodable_bytes_are_replaced_and_noted_once(void **state)
{
    fixture *f = *state;
    assert_converts(f, "shift_jis", "\x93\xfa \x81 x \x81",
                    "\xe6\x97\xa5 \xef\xbf\xbd x \xef\xbf\xbd");
    assert_int_equal(count_defects(&f->m, "CharsetConversionDefect"), 1);
}

/* An unknown label is noted and the text read as if unlabelled; a label
 * that says nothing is not noted. */
static void test_unknown_label_is_read_as_unlabelled(void **state)
{
    fixture *f = *state;
    assert_converts(f, "x-bogus", "caf\xe9", "caf\xc3\xa9");
    assert_int_equal(count_defects(&f->m, "UnknownCharsetDefect"), 1);
    assert_int_equal(count_defects(&f->m, "CharsetConversionDefect"), 1);
    assert_converts(f, "unknown-8bit", "ok", "ok");
    assert_int_equal(count_defects(&f->m, "UnknownCharsetDefect"), 1);
}

/* More charsets than the per-thread cache holds, twice round, still
 * convert right after their descriptors were evicted. */
static void test_cache_eviction_keeps_conversions_right(void **state)
{
    fixture *f = *state;
    for (int round = 0; round < 2; round++) {
        for (int i = 2; i <= 11; i++) {
            char label[32];
            snprintf(label, sizeof(label), "iso-8859-%d", i);
            assert_converts(f, label, "abc", "abc");
        }
        assert_converts(f, "koi8-r", "\xf0", "\xd0\x9f");
        assert_converts(f, "iso-2022-jp", "\x1b\x24\x42\x46\x7c\x1b\x28\x42",
                        "\xe6\x97\xa5");
    }
}

/* One worker's conversions, with a check of each result. */
static void *convert_in_thread(void *arg)
{
    const char *charset = arg;
    ms_arena *a = ms_arena_new(1u << 20);
    bool ok = a != NULL;
    for (int i = 0; i < 2000 && ok; i++) {
        const char *out = NULL;
        size_t len = 0;
        if (strcmp(charset, "koi8-r") == 0) {
            ok = ms_charset_to_utf8(a, NULL, "1", charset, "\xf0\xd2", 2, &out,
                                    &len) == MS_OK &&
                 len == 4 && memcmp(out, "\xd0\x9f\xd1\x80", 4) == 0;
        } else {
            ok = ms_charset_to_utf8(a, NULL, "1", charset,
                                    "\x1b\x24\x42\x46\x7c\x1b\x28\x42"
                                    "a",
                                    9, &out, &len) == MS_OK &&
                 len == 4 &&
                 memcmp(out,
                        "\xe6\x97\xa5"
                        "a",
                        4) == 0;
        }
        ms_arena_reset(a);
    }
    ms_arena_free(a);
    return ok ? arg : NULL;
}

/* Worker threads converting at once each get right results: descriptors
 * are per thread, and a stateful decoder's shift state never leaks from
 * one call into the next. */
static void test_threads_convert_concurrently(void **state)
{
    (void)state;
    pthread_t threads[4];
    char *charsets[4] = {"koi8-r", "iso-2022-jp", "koi8-r", "iso-2022-jp"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(
            pthread_create(&threads[i], NULL, convert_in_thread, charsets[i]),
            0);
    for (int i = 0; i < 4; i++) {
        void *result = NULL;
        pthread_join(threads[i], &result);
        assert_ptr_equal(result, charsets[i]);
    }
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_canonical_resolves_the_aliases_mail_uses),
        T(test_canonical_rejects_empty_and_unknown_labels),
        T(test_canonical_names_are_stable_strings),
        T(test_utf8_valid_accepts_only_well_formed_utf8),
        T(test_8bit_bytes_found_after_runs_of_any_length),
        T(test_valid_utf8_passes_through_without_copy),
        T(test_unlabelled_8bit_text_is_read_as_windows_1252),
        T(test_invalid_utf8_becomes_replacement_characters),
        T(test_latin1_label_reads_windows_1252_punctuation),
        T(test_utf8_under_a_latin1_label_is_noted),
        T(test_legacy_charsets_convert_through_iconv),
        T(test_ascii_passes_only_where_ascii_means_ascii),
        T(test_undecodable_bytes_are_replaced_and_noted_once),
        T(test_unknown_label_is_read_as_unlabelled),
        T(test_cache_eviction_keeps_conversions_right),
        T(test_threads_convert_concurrently),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
