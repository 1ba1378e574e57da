/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the per-message arena: alignment, ceilings, overflow
 * checks, growth in place, cleanups and reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mailscope/arena.h"

/* Allocations are aligned to 16 bytes whatever the requested size. */
static void test_arena_allocations_are_aligned(void **state)
{
    ms_arena *a = ms_arena_new(0);
    assert_non_null(a);
    for (size_t n = 1; n < 100; n++) {
        void *p = ms_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    ms_arena_free(a);
}

/* A block larger than a chunk is served, and small blocks still follow. */
static void test_arena_serves_blocks_larger_than_a_chunk(void **state)
{
    ms_arena *a = ms_arena_new(0);
    unsigned char *big = ms_arena_alloc(a, 1 << 20);
    assert_non_null(big);
    memset(big, 0x11, 1 << 20);
    char *small = ms_arena_strndup(a, "hello", 5);
    assert_string_equal(small, "hello");
    assert_int_equal(big[(1 << 20) - 1], 0x11);
    ms_arena_free(a);
}

/* The ceiling refuses an allocation instead of growing past it. */
static void test_arena_ceiling_refuses_allocation(void **state)
{
    ms_arena *a = ms_arena_new(100000);
    assert_non_null(ms_arena_alloc(a, 1000));
    assert_null(ms_arena_alloc(a, 200000));
    /* the arena still works below the ceiling */
    assert_non_null(ms_arena_alloc(a, 1000));
    ms_arena_free(a);
}

/* count * size overflowing size_t is refused, not wrapped. */
static void test_arena_calloc_overflow_is_refused(void **state)
{
    ms_arena *a = ms_arena_new(0);
    assert_null(ms_arena_calloc(a, SIZE_MAX / 2, 3));
    int *p = ms_arena_calloc(a, 10, sizeof(int));
    assert_non_null(p);
    for (int i = 0; i < 10; i++)
        assert_int_equal(p[i], 0);
    ms_arena_free(a);
}

/* Growing the last allocation keeps its address and content. */
static void test_arena_realloc_grows_last_block_in_place(void **state)
{
    ms_arena *a = ms_arena_new(0);
    char *p = ms_arena_alloc(a, 16);
    memcpy(p, "0123456789abcdef", 16);
    char *q = ms_arena_realloc(a, p, 16, 64);
    assert_ptr_equal(p, q);
    char *other = ms_arena_alloc(a, 8);
    (void)other;
    char *r = ms_arena_realloc(a, q, 64, 128);
    assert_ptr_not_equal(q, r);
    assert_memory_equal(r, "0123456789abcdef", 16);
    ms_arena_free(a);
}

static int cleanup_order[4];
static int n_cleanups;

/* Records which cleanup ran. */
static void record_cleanup(void *arg)
{
    cleanup_order[n_cleanups++] = (int)(intptr_t)arg;
}

/* Cleanups run newest first, once, on reset and on free. */
static void test_arena_cleanups_run_newest_first(void **state)
{
    ms_arena *a = ms_arena_new(0);
    n_cleanups = 0;
    assert_int_equal(ms_arena_on_free(a, record_cleanup, (void *)1), MS_OK);
    assert_int_equal(ms_arena_on_free(a, record_cleanup, (void *)2), MS_OK);
    ms_arena_reset(a);
    assert_int_equal(n_cleanups, 2);
    assert_int_equal(cleanup_order[0], 2);
    assert_int_equal(cleanup_order[1], 1);
    assert_int_equal(ms_arena_on_free(a, record_cleanup, (void *)3), MS_OK);
    ms_arena_free(a);
    assert_int_equal(n_cleanups, 3);
    assert_int_equal(cleanup_order[2], 3);
}

/* After a reset, the used count is zero and memory is handed out again. */
static void test_arena_reset_forgets_allocations(void **state)
{
    ms_arena *a = ms_arena_new(0);
    for (int i = 0; i < 1000; i++)
        assert_non_null(ms_arena_alloc(a, 1000));
    assert_true(ms_arena_used(a) >= 1000 * 1000);
    ms_arena_reset(a);
    assert_int_equal(ms_arena_used(a), 0);
    assert_non_null(ms_arena_alloc(a, 100));
    ms_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_allocations_are_aligned),
        cmocka_unit_test(test_arena_serves_blocks_larger_than_a_chunk),
        cmocka_unit_test(test_arena_ceiling_refuses_allocation),
        cmocka_unit_test(test_arena_calloc_overflow_is_refused),
        cmocka_unit_test(test_arena_realloc_grows_last_block_in_place),
        cmocka_unit_test(test_arena_cleanups_run_newest_first),
        cmocka_unit_test(test_arena_reset_forgets_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
