/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the bounded queue between the pipeline's threads: items
 * come out once each and in order, a producer blocked on a full queue is
 * released (it is woken only once the queue is half empty), a batching
 * consumer still gets a lone item and every item of a batch, and closing
 * drains what is left.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pipeline/queue.h"

#define N_ITEMS 20000

typedef struct feed {
    ms_queue *q;
    size_t from, count;
} feed;

/* Pushes count items numbered from + 1 onwards (0 is never pushed). */
static void *producer(void *arg)
{
    feed *f = arg;
    for (size_t i = 1; i <= f->count; i++)
        ms_queue_push(f->q, (void *)(uintptr_t)(f->from + i));
    return NULL;
}

/* A small queue, a producer much faster than its consumer: everything
 * arrives once, in order, although the producer waits on a full queue
 * again and again. */
static void test_full_queue_releases_its_producer(void **state)
{
    (void)state;
    ms_queue q;
    assert_int_equal(ms_queue_init(&q, 8), MS_OK);
    feed f = {&q, 0, N_ITEMS};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, &f), 0);
    for (size_t i = 1; i <= N_ITEMS; i++)
        assert_int_equal((uintptr_t)ms_queue_pop(&q), i);
    pthread_join(t, NULL);
    ms_queue_close(&q);
    assert_null(ms_queue_pop(&q));
    ms_queue_destroy(&q);
}

typedef struct drain {
    ms_queue *q;
    uint64_t sum;
    size_t count;
} drain;

/* Takes batches until the queue is closed and empty. */
static void *consumer(void *arg)
{
    drain *d = arg;
    void *items[16];
    size_t n;
    while ((n = ms_queue_pop_many(d->q, items, 16)) > 0) {
        for (size_t k = 0; k < n; k++)
            d->sum += (uintptr_t)items[k];
        d->count += n;
    }
    return NULL;
}

/* Two producers, three consumers: every item is taken exactly once. */
static void test_many_threads_take_every_item_once(void **state)
{
    (void)state;
    ms_queue q;
    assert_int_equal(ms_queue_init(&q, 32), MS_OK);
    feed f[2] = {{&q, 0, N_ITEMS}, {&q, N_ITEMS, N_ITEMS}};
    drain d[3] = {{&q, 0, 0}, {&q, 0, 0}, {&q, 0, 0}};
    pthread_t p[2], c[3];
    for (int k = 0; k < 3; k++)
        assert_int_equal(pthread_create(&c[k], NULL, consumer, &d[k]), 0);
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_create(&p[k], NULL, producer, &f[k]), 0);
    for (int k = 0; k < 2; k++)
        pthread_join(p[k], NULL);
    ms_queue_close(&q);
    uint64_t sum = 0;
    size_t count = 0;
    for (int k = 0; k < 3; k++) {
        pthread_join(c[k], NULL);
        sum += d[k].sum;
        count += d[k].count;
    }
    uint64_t n = 2 * N_ITEMS;
    assert_int_equal(count, n);
    assert_int_equal(sum, n * (n + 1) / 2);
    ms_queue_destroy(&q);
}

/* A consumer taking batches of 64 still gets a lone item (once its wait
 * runs out), gets a full batch whole, and a closed queue hands over what
 * is left at once. */
static void test_batching_consumer_gets_lone_items_and_batches(void **state)
{
    (void)state;
    ms_queue q;
    assert_int_equal(ms_queue_init(&q, 256), MS_OK);
    ms_queue_set_batching(&q, 64, 20);
    void *items[128];
    ms_queue_push(&q, (void *)(uintptr_t)7);
    assert_int_equal(ms_queue_pop_many(&q, items, 128), 1);
    assert_int_equal((uintptr_t)items[0], 7);

    drain d = {&q, 0, 0};
    pthread_t c;
    assert_int_equal(pthread_create(&c, NULL, consumer, &d), 0);
    feed f = {&q, 0, N_ITEMS};
    producer(&f);
    ms_queue_close(&q);
    pthread_join(c, NULL);
    assert_int_equal(d.count, N_ITEMS);
    assert_int_equal(d.sum, (uint64_t)N_ITEMS * (N_ITEMS + 1) / 2);
    ms_queue_destroy(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_queue_releases_its_producer),
        cmocka_unit_test(test_many_threads_take_every_item_once),
        cmocka_unit_test(test_batching_consumer_gets_lone_items_and_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
