/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of archive extraction and password candidates. Archives
 * are written in the test with libarchive's writer (an independent code
 * path from the reader under test): entries come out with their bytes;
 * each limit (entries, bytes, ratio) stops the archive with its defect;
 * an encrypted zip opens with the right candidate and stays locked
 * without one; broken bytes are defects, not errors. The password finder
 * is checked on the phrasings phishing mails use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "analysis/archive.h"
#include "mailscope/message.h"

/* One file to put in a test archive. */
typedef struct test_file {
    const char *name;
    const void *data;
    size_t size;
} test_file;

/* Writes a zip of the files into a malloc'd buffer; with a password the
 * entries are encrypted with traditional PKWARE encryption. */
static unsigned char *make_zip(const test_file *files, size_t n,
                               const char *password, size_t *out_len)
{
    size_t cap = 16u * 1024 * 1024;
    unsigned char *buf = malloc(cap);
    assert_non_null(buf);
    struct archive *a = archive_write_new();
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    if (password != NULL) {
        assert_int_equal(
            archive_write_set_options(a, "zip:encryption=zipcrypt"),
            ARCHIVE_OK);
        assert_int_equal(archive_write_set_passphrase(a, password), ARCHIVE_OK);
    }
    size_t used = 0;
    assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, files[i].name);
        archive_entry_set_size(e, (la_int64_t)files[i].size);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, files[i].data, files[i].size),
                         (la_ssize_t)files[i].size);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *out_len = used;
    return buf;
}

/* What the test callback saw. */
typedef struct seen {
    size_t n;
    char names[8][64];
    size_t sizes[8];
    bool had_data[8];
    char first_bytes[8][32];
} seen;

/* Records each entry it is given. */
static ms_status record_entry(void *ctx, const ms_archive_entry *e)
{
    seen *s = ctx;
    if (s->n < 8) {
        snprintf(s->names[s->n], 64, "%s", e->name);
        s->sizes[s->n] = e->size;
        s->had_data[s->n] = e->data != NULL;
        if (e->data != NULL)
            snprintf(s->first_bytes[s->n], 32, "%.*s",
                     (int)(e->size < 31 ? e->size : 31), (const char *)e->data);
    }
    s->n++;
    return MS_OK;
}

/* A message to collect defects on. */
static ms_message *new_message(ms_arena **arena)
{
    *arena = ms_arena_new(0);
    ms_parse_options opt;
    ms_parse_options_default(&opt);
    ms_message *m;
    static const char raw[] = "Subject: x\r\n\r\nbody\r\n";
    assert_int_equal(ms_message_parse(*arena, raw, sizeof(raw) - 1, &opt, &m),
                     MS_OK);
    return m;
}

static const ms_archive_limits LIMITS = {
    .max_entries = 100, .max_ratio = 100, .ratio_min_bytes = 1024 * 1024};

/* Entries come out whole, with their names, in order. */
static void test_zip_entries_come_out_with_their_bytes(void **state)
{
    (void)state;
    test_file files[] = {{"a.txt", "alpha content", 13},
                         {"dir/b.txt", "bravo", 5}};
    size_t len;
    unsigned char *zip = make_zip(files, 2, NULL, &len);
    ms_arena *arena;
    ms_message *m = new_message(&arena);
    size_t defects_before = m->n_defects;
    uint64_t budget = 1 << 20;
    seen s = {0};
    ms_archive_outcome out;
    assert_int_equal(ms_archive_extract(arena, m, "1", zip, len, "t.zip", NULL,
                                        0, &LIMITS, &budget, record_entry, &s,
                                        &out),
                     MS_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.names[0], "a.txt");
    assert_string_equal(s.first_bytes[0], "alpha content");
    assert_string_equal(s.names[1], "dir/b.txt");
    assert_int_equal(s.sizes[1], 5);
    assert_false(out.encrypted);
    assert_int_equal(budget, (1 << 20) - 18);
    assert_non_null(out.format);
    assert_int_equal(m->n_defects, defects_before);
    ms_arena_free(arena);
    free(zip);
}

/* More entries than allowed: the first ones are delivered, then the
 * archive stops with limit_archive_entries. */
static void test_entry_ceiling_stops_with_a_defect(void **state)
{
    (void)state;
    test_file files[5];
    char names[5][8];
    for (int i = 0; i < 5; i++) {
        snprintf(names[i], sizeof(names[i]), "f%d", i);
        files[i] = (test_file){names[i], "x", 1};
    }
    size_t len;
    unsigned char *zip = make_zip(files, 5, NULL, &len);
    ms_arena *arena;
    ms_message *m = new_message(&arena);
    ms_archive_limits lim = LIMITS;
    lim.max_entries = 3;
    uint64_t budget = 1 << 20;
    seen s = {0};
    ms_archive_outcome out;
    assert_int_equal(ms_archive_extract(arena, m, "1", zip, len, "t.zip", NULL,
                                        0, &lim, &budget, record_entry, &s,
                                        &out),
                     MS_OK);
    assert_int_equal(s.n, 3);
    assert_true(out.stopped_by_limit);
    assert_true(ms_message_has_defect(m, "limit_archive_entries"));
    ms_arena_free(arena);
    free(zip);
}

/* Megabytes of zeros from a few KB: the ratio limit refuses the entry
 * soon after the first MB, whatever the header claims. */
static void test_bomb_entry_is_refused_by_the_ratio_limit(void **state)
{
    (void)state;
    size_t n = 8u * 1024 * 1024;
    unsigned char *zeros = calloc(1, n);
    test_file files[] = {{"zeros.bin", zeros, n}};
    size_t len;
    unsigned char *zip = make_zip(files, 1, NULL, &len);
    assert_true(len < n / 100);
    ms_arena *arena;
    ms_message *m = new_message(&arena);
    uint64_t budget = 1u << 30;
    seen s = {0};
    ms_archive_outcome out;
    assert_int_equal(ms_archive_extract(arena, m, "1", zip, len, "b.zip", NULL,
                                        0, &LIMITS, &budget, record_entry, &s,
                                        &out),
                     MS_OK);
    assert_int_equal(s.n, 0);
    assert_true(ms_message_has_defect(m, "limit_archive_ratio"));
    /* stopped within a chunk or two of the ratio threshold */
    assert_true((1u << 30) - budget < 2u * 1024 * 1024);
    ms_arena_free(arena);
    free(zip);
    free(zeros);
}

/* The mail's byte budget stops extraction and is left at 0, so that
 * enclosing archives stop too. */
static void test_exhausted_budget_stops_and_reads_zero(void **state)
{
    (void)state;
    static char text[100000];
    memset(text, 'q', sizeof(text));
    test_file files[] = {{"a", text, sizeof(text)}, {"b", "bb", 2}};
    size_t len;
    unsigned char *zip = make_zip(files, 2, NULL, &len);
    ms_arena *arena;
    ms_message *m = new_message(&arena);
    uint64_t budget = 50000;
    seen s = {0};
    ms_archive_outcome out;
    ms_archive_limits lim = LIMITS;
    lim.max_ratio = 1000000;
    assert_int_equal(ms_archive_extract(arena, m, "1", zip, len, "t.zip", NULL,
                                        0, &lim, &budget, record_entry, &s,
                                        &out),
                     MS_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(budget, 0);
    assert_true(ms_message_has_defect(m, "limit_archive_bytes"));
    ms_arena_free(arena);
    free(zip);
}

/* The right candidate opens an encrypted zip and is reported; the wrong
 * one before it does not get in the way. */
static void test_encrypted_zip_opens_with_the_right_candidate(void **state)
{
    (void)state;
    test_file files[] = {{"secret.txt", "the quarterly numbers", 21},
                         {"more.txt", "and more", 8}};
    size_t len;
    unsigned char *zip = make_zip(files, 2, "Inv-4471", &len);
    ms_arena *arena;
    ms_message *m = new_message(&arena);
    uint64_t budget = 1 << 20;
    seen s = {0};
    ms_archive_outcome out;
    const char *candidates[] = {"wrong1", "Inv-4471"};
    assert_int_equal(ms_archive_extract(arena, m, "1", zip, len, "t.zip",
                                        candidates, 2, &LIMITS, &budget,
                                        record_entry, &s, &out),
                     MS_OK);
    assert_true(out.encrypted);
    assert_false(out.locked);
    assert_string_equal(out.password_used, "Inv-4471");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.first_bytes[0], "the quarterly numbers");
    assert_string_equal(s.first_bytes[1], "and more");
    ms_arena_free(arena);
    free(zip);
}

/* Without the right password the entries are listed without data and
 * the archive is marked locked. */
static void test_encrypted_zip_without_password_stays_locked(void **state)
{
    (void)state;
    test_file files[] = {{"secret.txt", "the quarterly numbers", 21}};
    size_t len;
    unsigned char *zip = make_zip(files, 1, "Inv-4471", &len);
    ms_arena *arena;
    ms_message *m = new_message(&arena);
    uint64_t budget = 1 << 20;
    seen s = {0};
    ms_archive_outcome out;
    const char *candidates[] = {"1234"};
    assert_int_equal(ms_archive_extract(arena, m, "1", zip, len, "t.zip",
                                        candidates, 1, &LIMITS, &budget,
                                        record_entry, &s, &out),
                     MS_OK);
    assert_true(out.encrypted);
    assert_true(out.locked);
    assert_null(out.password_used);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.names[0], "secret.txt");
    assert_false(s.had_data[0]);
    ms_arena_free(arena);
    free(zip);
}

/* A zip cut in half is a defect and whatever could be read; no error. */
static void test_truncated_zip_is_a_defect_not_an_error(void **state)
{
    (void)state;
    static char text[20000];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (char)('a' + (i * 7919) % 26);
    test_file files[] = {{"a.txt", text, sizeof(text)}};
    size_t len;
    unsigned char *zip = make_zip(files, 1, NULL, &len);
    ms_arena *arena;
    ms_message *m = new_message(&arena);
    uint64_t budget = 1 << 20;
    seen s = {0};
    ms_archive_outcome out;
    assert_int_equal(ms_archive_extract(arena, m, "1", zip, len / 2, "t.zip",
                                        NULL, 0, &LIMITS, &budget, record_entry,
                                        &s, &out),
                     MS_OK);
    assert_true(ms_message_has_defect(m, "ArchiveCorruptDefect"));
    ms_arena_free(arena);
    free(zip);
}

/* Signatures name the container formats; other bytes are not archives. */
static void test_kind_is_named_by_signature(void **state)
{
    (void)state;
    assert_string_equal(
        ms_archive_kind((const unsigned char *)"PK\x03\x04rest", 8), "zip");
    assert_string_equal(
        ms_archive_kind((const unsigned char *)"7z\xbc\xaf\x27\x1c..", 8),
        "7z");
    assert_string_equal(
        ms_archive_kind((const unsigned char *)"Rar!\x1a\x07\x01", 7), "rar");
    assert_string_equal(
        ms_archive_kind((const unsigned char *)"\x1f\x8b\x08", 3), "gzip");
    assert_string_equal(
        ms_archive_kind((const unsigned char *)"MSCF\0\0\0\0", 8), "cab");
    assert_null(ms_archive_kind((const unsigned char *)"%PDF-1.4", 8));
    assert_null(ms_archive_kind((const unsigned char *)"PK", 2));
    assert_null(ms_archive_kind(NULL, 0));
}

/* Finds candidates in text; returns how many, copies them to out. */
static size_t find(const char *text, const char **out, size_t max)
{
    static ms_arena *arena;
    if (arena == NULL)
        arena = ms_arena_new(0);
    size_t n = 0;
    assert_int_equal(
        ms_archive_find_passwords(arena, text, strlen(text), out, &n, max),
        MS_OK);
    return n;
}

/* The phrasings of phishing mails in several languages give the
 * password, without quotes or trailing punctuation. */
static void test_password_phrasings_are_recognized(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *want;
    } CASES[] = {
        {"Password: 1234", "1234"},
        {"the password is 9Xk-22.", "9Xk-22"},
        {"The password for the zip file is: Inv-4471\n", "Inv-4471"},
        {"pwd=abc123", "abc123"},
        {"PASS: \"open sesame\"", "open sesame"},
        {"Passwort: geheim-77", "geheim-77"},
        {"mot de passe : facture2024", "facture2024"},
        {"contraseña: hola99", "hola99"},
        {"Senha 7777", "7777"},
        {"password \xe2\x80\x9cq w e\xe2\x80\x9d", "q w e"},
        {"<p>Password: <b>x9</b></p>", "x9"},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const char *out[4];
        size_t n = find(CASES[i].text, out, 4);
        if (n != 1 || strcmp(out[0], CASES[i].want) != 0)
            fprintf(stderr, "case %zu: %s -> %s\n", i, CASES[i].text,
                    n ? out[0] : "(none)");
        assert_int_equal(n, 1);
        assert_string_equal(out[0], CASES[i].want);
    }
}

/* Words that merely mention passwords give no candidate; repeats are
 * kept once; the ceiling is respected. */
static void test_password_finder_skips_mentions_repeats_and_caps(void **state)
{
    (void)state;
    const char *out[4];
    assert_int_equal(find("This archive is password protected.", out, 4), 0);
    assert_int_equal(find("passage: no", out, 4), 0);
    assert_int_equal(find("password: a1\npassword: a1\npwd: b2", out, 4), 2);
    assert_string_equal(out[0], "a1");
    assert_string_equal(out[1], "b2");
    assert_int_equal(find("pwd: 1 pwd: 2 pwd: 3 pwd: 4 pwd: 5", out, 3), 3);
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_entries_come_out_with_their_bytes),
        cmocka_unit_test(test_entry_ceiling_stops_with_a_defect),
        cmocka_unit_test(test_bomb_entry_is_refused_by_the_ratio_limit),
        cmocka_unit_test(test_exhausted_budget_stops_and_reads_zero),
        cmocka_unit_test(test_encrypted_zip_opens_with_the_right_candidate),
        cmocka_unit_test(test_encrypted_zip_without_password_stays_locked),
        cmocka_unit_test(test_truncated_zip_is_a_defect_not_an_error),
        cmocka_unit_test(test_kind_is_named_by_signature),
        cmocka_unit_test(test_password_phrasings_are_recognized),
        cmocka_unit_test(test_password_finder_skips_mentions_repeats_and_caps),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
