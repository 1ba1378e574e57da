/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of Content-Type and Content-Disposition parsing: the main
 * token, parameters in every malformed form mail uses (folds, comments,
 * missing or doubled semicolons, missing quotes and '=', spaces in
 * unquoted values, text after quotes, duplicates), RFC 2231 continuations
 * and charsets (RFC 2231's own examples among them), RFC 2047 words in
 * file names, raw 8-bit names and the parameter ceiling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mime/params.h"

/* A message that only collects defects, in its own arena. */
typedef struct fixture {
    ms_arena *a;
    ms_message m;
    ms_content_value cv;
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
    f->m.max_defects = 200;
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

/* Parses a NUL-terminated value into f->cv. */
static void parse(fixture *f, const char *in)
{
    assert_int_equal(ms_params_parse(f->a, &f->m, "1", in, strlen(in), &f->cv),
                     MS_OK);
}

/* Checks that the parameter has the value (NULL: absent). */
static void assert_param(const fixture *f, const char *name, const char *want)
{
    const char *got = ms_params_get(&f->cv, name);
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
}

/* A well-formed, folded Content-Type: the main token lower-cased, names
 * lower-cased, values as written, no defect. */
static void test_well_formed_content_type(void **state)
{
    fixture *f = *state;
    parse(f, " Multipart/Mixed;\r\n\tBoundary=\"----=_Part_123_456.789\";"
             " charset=UTF-8\r\n");
    assert_string_equal(f->cv.value, "multipart/mixed");
    assert_int_equal(f->cv.n_params, 2);
    assert_string_equal(f->cv.params[0].name, "boundary");
    assert_param(f, "boundary", "----=_Part_123_456.789");
    assert_param(f, "charset", "UTF-8");
    assert_param(f, "name", NULL);
    assert_int_equal(f->m.n_defects, 0);
}

/* White space around '/' and '=', comments and stray or doubled
 * semicolons are read through without a defect. */
static void test_space_comments_and_stray_semicolons(void **state)
{
    fixture *f = *state;
    parse(f, "text / plain (body text) ;; charset = \"us-ascii\" (plain); ;"
             " format=flowed (RFC 3676);");
    assert_string_equal(f->cv.value, "text/plain");
    assert_int_equal(f->cv.n_params, 2);
    assert_param(f, "charset", "us-ascii");
    assert_param(f, "format", "flowed");
    assert_int_equal(f->m.n_defects, 0);
}

/* An invalid main token is returned as written, lower-case; a missing one
 * is "". */
static void test_invalid_or_missing_main_token(void **state)
{
    fixture *f = *state;
    parse(f, "TEXT; charset=utf-8");
    assert_string_equal(f->cv.value, "text");
    assert_param(f, "charset", "utf-8");
    parse(f, "; name=a.txt");
    assert_string_equal(f->cv.value, "");
    assert_param(f, "name", "a.txt");
    parse(f, "");
    assert_string_equal(f->cv.value, "");
    assert_int_equal(f->cv.n_params, 0);
    assert_int_equal(f->m.n_defects, 0);
}

/* Semicolons left out (after the main token, between parameters) do not
 * merge parameters into one value; each gap is noted. */
static void test_missing_semicolons(void **state)
{
    fixture *f = *state;
    parse(f, "text/plain charset=utf-8 format=flowed name=\"a b\" x=1");
    assert_string_equal(f->cv.value, "text/plain");
    assert_param(f, "charset", "utf-8");
    assert_param(f, "format", "flowed");
    assert_param(f, "name", "a b");
    assert_param(f, "x", "1");
    assert_int_equal(count_defects(&f->m, "InvalidParameterDefect"), 4);
}

/* A parameter without '=' is skipped and noted; the next one is read. */
static void test_parameter_without_equals(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename; size=3");
    assert_string_equal(f->cv.value, "attachment");
    assert_int_equal(f->cv.n_params, 1);
    assert_param(f, "size", "3");
    assert_int_equal(count_defects(&f->m, "InvalidParameterDefect"), 1);
}

/* An unquoted value with spaces runs to the ';' (as clients read it) and
 * is noted. */
static void test_unquoted_value_with_spaces(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename=my invoice 2024.pdf ; size=10");
    assert_param(f, "filename", "my invoice 2024.pdf");
    assert_param(f, "size", "10");
    assert_int_equal(count_defects(&f->m, "InvalidParameterDefect"), 1);
}

/* An unterminated quote runs to the end, ';' included, and is noted;
 * backslash escapes inside quotes are resolved. */
static void test_quotes_unterminated_and_escaped(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename=\"invoice;2024.pdf");
    assert_param(f, "filename", "invoice;2024.pdf");
    assert_int_equal(count_defects(&f->m, "InvalidParameterDefect"), 1);
    parse(f, "attachment; filename=\"say \\\"hi\\\" \\\\ bye.txt\"");
    assert_param(f, "filename", "say \"hi\" \\ bye.txt");
    assert_int_equal(count_defects(&f->m, "InvalidParameterDefect"), 1);
}

/* Text glued after a closing quote ("a.pdf".exe) is dropped and noted:
 * clients disagree on it, which is why attackers write it. */
static void test_text_after_closing_quote(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename=\"invoice.pdf\".exe; size=1");
    assert_param(f, "filename", "invoice.pdf");
    assert_param(f, "size", "1");
    assert_int_equal(count_defects(&f->m, "InvalidParameterDefect"), 1);
}

/* The first of two different values wins and the second is noted; a
 * plain and an RFC 2231 form of the same value are no duplicate. */
static void test_duplicate_parameters(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename=\"invoice.pdf\"; filename=\"payload.exe\"");
    assert_int_equal(f->cv.n_params, 1);
    assert_param(f, "filename", "invoice.pdf");
    assert_int_equal(count_defects(&f->m, "DuplicateParameterDefect"), 1);
    parse(f, "attachment; filename=\"r\xc3\xa9sum\xc3\xa9.pdf\"; "
             "filename*=UTF-8''r%C3%A9sum%C3%A9.pdf");
    assert_int_equal(f->cv.n_params, 1);
    assert_param(f, "filename", "r\xc3\xa9sum\xc3\xa9.pdf");
    assert_int_equal(count_defects(&f->m, "DuplicateParameterDefect"), 1);
    parse(f, "attachment; filename*=utf-8''payload.exe; filename=invoice.pdf");
    assert_param(f, "filename", "payload.exe");
    assert_int_equal(count_defects(&f->m, "DuplicateParameterDefect"), 2);
}

/* RFC 2231's own examples: a continued URL, and a charset with a
 * language. */
static void test_rfc2231_examples(void **state)
{
    fixture *f = *state;
    parse(f, "message/external-body; access-type=URL;\r\n"
             " URL*0=\"ftp://\";\r\n"
             " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
    assert_param(f, "url",
                 "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
    assert_param(f, "access-type", "URL");
    parse(f, "application/x-stuff;\r\n"
             " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
             " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
             " title*2=\"isn't it!\"");
    assert_param(f, "title", "This is even more ***fun*** isn't it!");
    parse(f, "attachment; filename*=iso-8859-1'en'caf%E9.txt");
    assert_param(f, "filename", "caf\xc3\xa9.txt");
    assert_int_equal(f->m.n_defects, 0);
}

/* Sections out of order are put in order; a character whose bytes are
 * split between sections comes out whole. */
static void test_rfc2231_order_and_split_characters(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename*1=\"2024.pdf\"; filename*0=\"report-\"");
    assert_param(f, "filename", "report-2024.pdf");
    parse(f, "attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC.pdf");
    assert_param(f, "filename", "\xe2\x82\xac.pdf");
    assert_int_equal(f->m.n_defects, 0);
}

/* Missing, repeated and out-of-range sections, and an extended value
 * without charset'language', are noted; what is there is kept. */
static void test_rfc2231_damage_is_noted(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename*0=\"a\"; filename*2=\"c\"");
    assert_param(f, "filename", "ac");
    assert_int_equal(count_defects(&f->m, "InvalidRfc2231Defect"), 1);
    parse(f, "attachment; filename*0=\"a\"; filename*0=\"b\"; "
             "filename*1=\"c\"");
    assert_param(f, "filename", "ac");
    assert_int_equal(count_defects(&f->m, "InvalidRfc2231Defect"), 2);
    parse(f, "attachment; filename*0=\"a\"; filename*99=\"z\"");
    assert_param(f, "filename", "a");
    assert_int_equal(count_defects(&f->m, "InvalidRfc2231Defect"), 3);
    parse(f, "attachment; filename*=%E2%82%AC.pdf");
    assert_param(f, "filename", "\xe2\x82\xac.pdf");
    assert_int_equal(count_defects(&f->m, "InvalidRfc2231Defect"), 4);
}

/* RFC 2047 words in file names, quoted, unquoted and inside RFC 2231
 * sections, decode as clients decode them. */
static void test_encoded_words_in_values(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename=\"=?UTF-8?B?0KHRh9C10YIucGRm?=\"");
    assert_param(f, "filename", "\xd0\xa1\xd1\x87\xd0\xb5\xd1\x82.pdf");
    parse(f, "application/pdf; name==?utf-8?q?caf=C3=A9.pdf?=");
    assert_param(f, "name", "caf\xc3\xa9.pdf");
    parse(f, "attachment; filename*0=\"=?utf-8?q?caf=C3=A9?=\"; "
             "filename*1=\".pdf\"");
    assert_param(f, "filename", "caf\xc3\xa9.pdf");
    assert_int_equal(f->m.n_defects, 0);
}

/* Raw 8-bit names: UTF-8 is kept, windows-1252 converted and noted. */
static void test_raw_8bit_values(void **state)
{
    fixture *f = *state;
    parse(f, "attachment; filename=\"caf\xc3\xa9.pdf\"");
    assert_param(f, "filename", "caf\xc3\xa9.pdf");
    assert_int_equal(f->m.n_defects, 0);
    parse(f, "attachment; filename=\"caf\xe9.pdf\"");
    assert_param(f, "filename", "caf\xc3\xa9.pdf");
    assert_int_equal(count_defects(&f->m, "NonUtf8HeaderDefect"), 1);
}

/* More parameters than MS_PARAMS_MAX: the first ones are kept and the
 * ceiling is noted. */
static void test_parameter_ceiling(void **state)
{
    fixture *f = *state;
    char in[4096] = "text/plain";
    for (int i = 0; i < MS_PARAMS_MAX + 6; i++) {
        char one[32];
        snprintf(one, sizeof(one), "; p%d=%d", i, i);
        strcat(in, one);
    }
    parse(f, in);
    assert_int_equal(f->cv.n_params, MS_PARAMS_MAX);
    assert_param(f, "p0", "0");
    assert_param(f, "p63", "63");
    assert_param(f, "p64", NULL);
    assert_int_equal(count_defects(&f->m, "limit_parameters"), 1);
}

/* Hostile runs of semicolons, parentheses and quotes end, and without a
 * message nothing is recorded. */
static void test_hostile_runs_end(void **state)
{
    fixture *f = *state;
    static char in[30000];
    memset(in, ';', 10000);
    memset(in + 10000, '(', 10000);
    memset(in + 20000, '"', 9999);
    assert_int_equal(ms_params_parse(f->a, NULL, "1", in, strlen(in), &f->cv),
                     MS_OK);
    assert_string_equal(f->cv.value, "");
    assert_int_equal(f->m.n_defects, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_well_formed_content_type),
        T(test_space_comments_and_stray_semicolons),
        T(test_invalid_or_missing_main_token),
        T(test_missing_semicolons),
        T(test_parameter_without_equals),
        T(test_unquoted_value_with_spaces),
        T(test_quotes_unterminated_and_escaped),
        T(test_text_after_closing_quote),
        T(test_duplicate_parameters),
        T(test_rfc2231_examples),
        T(test_rfc2231_order_and_split_characters),
        T(test_rfc2231_damage_is_noted),
        T(test_encoded_words_in_values),
        T(test_raw_8bit_values),
        T(test_parameter_ceiling),
        T(test_hostile_runs_end),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
