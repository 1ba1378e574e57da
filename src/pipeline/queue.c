/* SPDX-License-Identifier: MIT */
/*
 * The bounded blocking queue (see queue.h): a ring buffer under one mutex
 * with two condition variables. Mails are a few kilobytes and each takes
 * tens of microseconds to analyze, so one lock per item is far from the
 * bottleneck; a wake-up per item is not (a switch of threads costs a few
 * microseconds and spoils the caches). So a producer blocked on a full
 * queue is woken once it is half empty, not at every item taken, and a
 * consumer can be set to take its items in batches.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "pipeline/queue.h"

/* Prepares a queue holding at most cap items. */
ms_status ms_queue_init(ms_queue *q, size_t cap)
{
    q->items = calloc(cap, sizeof(void *));
    if (q->items == NULL)
        return MS_ENOMEM;
    q->cap = cap;
    q->head = 0;
    q->n = 0;
    q->closed = false;
    q->waiting_producers = 0;
    q->waiting_consumers = 0;
    q->wake_batch = 1;
    q->linger_ms = 0;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    return MS_OK;
}

/* Sets the consumer's batching; see queue.h. */
void ms_queue_set_batching(ms_queue *q, size_t wake_batch, unsigned linger_ms)
{
    pthread_mutex_lock(&q->lock);
    q->wake_batch = wake_batch > 0 ? wake_batch : 1;
    q->linger_ms = linger_ms;
    pthread_mutex_unlock(&q->lock);
}

/* Wakes the producers once the queue is down to half (lock held). */
static void wake_producers(ms_queue *q)
{
    if (q->waiting_producers > 0 && q->n <= q->cap / 2)
        pthread_cond_broadcast(&q->not_full);
}

/* Waits while the queue is empty, then, when the consumer takes batches,
 * up to linger_ms for a whole batch (lock held). */
static void wait_for_items(ms_queue *q)
{
    q->waiting_consumers++;
    while (q->n == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->lock);
    if (q->linger_ms > 0 && q->n < q->wake_batch && !q->closed) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)q->linger_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (q->n < q->wake_batch && !q->closed &&
               pthread_cond_timedwait(&q->not_empty, &q->lock, &until) !=
                   ETIMEDOUT)
            ;
    }
    q->waiting_consumers--;
}

/* Frees the queue's storage (not the items). */
void ms_queue_destroy(ms_queue *q)
{
    free(q->items);
    q->items = NULL;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
}

/* Adds an item, waiting while the queue is full. */
bool ms_queue_push(ms_queue *q, void *item)
{
    pthread_mutex_lock(&q->lock);
    q->waiting_producers++;
    while (q->n == q->cap && !q->closed)
        pthread_cond_wait(&q->not_full, &q->lock);
    q->waiting_producers--;
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return false;
    }
    q->items[(q->head + q->n) % q->cap] = item;
    q->n++;
    if (q->waiting_consumers > 0 && (q->n == 1 || q->n >= q->wake_batch))
        pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
    return true;
}

/* Takes the oldest item, waiting while the queue is empty. */
void *ms_queue_pop(ms_queue *q)
{
    pthread_mutex_lock(&q->lock);
    wait_for_items(q);
    void *item = NULL;
    if (q->n > 0) {
        item = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
        wake_producers(q);
    }
    pthread_mutex_unlock(&q->lock);
    return item;
}

/* Takes up to max of the oldest items; see queue.h. */
size_t ms_queue_pop_many(ms_queue *q, void **items, size_t max)
{
    pthread_mutex_lock(&q->lock);
    wait_for_items(q);
    size_t k = 0;
    while (k < max && q->n > 0) {
        items[k++] = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
    }
    if (k > 0)
        wake_producers(q);
    pthread_mutex_unlock(&q->lock);
    return k;
}

/* Closes the queue. */
void ms_queue_close(ms_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}
