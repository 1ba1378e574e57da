/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the literal database cache: the first compile leaves one
 * file, the second reads it back and finds what a fresh database finds,
 * other literals get a file of their own, and a damaged file is passed
 * over and rewritten whole.
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
#include <sys/stat.h>
#include <unistd.h>

#include "util/hs_cache.h"

static const char *const lits[] = {"paypal", "verify your account", "bank"};
static const size_t lens[] = {6, 19, 4};
static const unsigned flags[] = {HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH,
                                 HS_FLAG_SINGLEMATCH | HS_FLAG_CASELESS};
static const unsigned ids[] = {7, 8, 9};

/* Sets the bit of each literal id found. */
static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned fl, void *ctx)
{
    (void)from;
    (void)to;
    (void)fl;
    *(unsigned *)ctx |= 1u << id;
    return 0;
}

/* The ids a database finds in text, as bits. */
static unsigned found(const hs_database_t *db, const char *text)
{
    hs_scratch_t *s = NULL;
    assert_int_equal(hs_alloc_scratch(db, &s), HS_SUCCESS);
    unsigned bits = 0;
    assert_int_equal(
        hs_scan(db, text, (unsigned)strlen(text), 0, s, on_match, &bits),
        HS_SUCCESS);
    hs_free_scratch(s);
    return bits;
}

/* Calls fn with the path of each file in dir (fn NULL: none); writes the
 * path of the last into path and returns how many there are. */
static int files_in(const char *dir, char *path, size_t size,
                    void (*fn)(const char *path, void *ctx), void *ctx)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, size, "%s/%s", dir, e->d_name);
        if (fn != NULL)
            fn(path, ctx);
        n++;
    }
    closedir(d);
    return n;
}

/* Asserts that the file is more than *ctx bytes long, then removes it. */
static void check_whole_and_remove(const char *path, void *ctx)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > *(const off_t *)ctx);
    unlink(path);
}

static hs_database_t *compile(const char *dir, unsigned n)
{
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    assert_int_equal(
        ms_hs_compile_lit_cached(dir, lits, flags, ids, lens, n, &db, &err),
        HS_SUCCESS);
    assert_non_null(db);
    return db;
}

static void test_cache_round_trip(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/ms-hs-cache-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char dir[256], path[512];
    snprintf(dir, sizeof(dir), "%s/rules", tmpl); /* made on demand */
    const char *text = "Please VERIFY your account at paypal, your BANK";

    hs_database_t *fresh = compile(NULL, 3);
    unsigned want = found(fresh, text);
    assert_int_equal(want, (1u << 7) | (1u << 9)); /* "VERIFY" is cased */

    hs_database_t *first = compile(dir, 3);
    assert_int_equal(files_in(dir, path, sizeof(path), NULL, NULL), 1);
    char path3[512]; /* the file of the three literals */
    snprintf(path3, sizeof(path3), "%s", path);
    struct stat st1;
    assert_int_equal(stat(path3, &st1), 0);
    hs_database_t *second = compile(dir, 3);
    assert_int_equal(found(first, text), want);
    assert_int_equal(found(second, text), want);
    assert_int_equal(files_in(dir, path, sizeof(path), NULL, NULL), 1);

    /* other literals, another file */
    hs_database_t *two = compile(dir, 2);
    assert_int_equal(files_in(dir, path, sizeof(path), NULL, NULL), 2);
    assert_int_equal(found(two, text), 1u << 7);

    /* a damaged file is compiled again and rewritten whole */
    hs_free_database(compile(dir, 3));
    assert_int_equal(truncate(path3, st1.st_size / 2), 0);
    hs_database_t *again = compile(dir, 3);
    assert_int_equal(found(again, text), want);
    off_t half = st1.st_size / 2;
    assert_int_equal(
        files_in(dir, path, sizeof(path), check_whole_and_remove, &half), 2);
    rmdir(dir);
    rmdir(tmpl);
    hs_free_database(fresh);
    hs_free_database(first);
    hs_free_database(second);
    hs_free_database(two);
    hs_free_database(again);
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_round_trip),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
