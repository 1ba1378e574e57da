/* SPDX-License-Identifier: MIT */
/*
 * The bounded blocking queue (see queue.h): a ring buffer under one mutex
 * with two condition variables. Mails are a few kilobytes and each takes
 * tens of microseconds to analyze, so one lock per item is far from the
 * bottleneck.
 */
#include <stdlib.h>

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
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    return MS_OK;
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
    while (q->n == q->cap && !q->closed)
        pthread_cond_wait(&q->not_full, &q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return false;
    }
    q->items[(q->head + q->n) % q->cap] = item;
    q->n++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
    return true;
}

/* Takes the oldest item, waiting while the queue is empty. */
void *ms_queue_pop(ms_queue *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->n == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->lock);
    void *item = NULL;
    if (q->n > 0) {
        item = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->lock);
    return item;
}

/* Takes up to max of the oldest items; see queue.h. */
size_t ms_queue_pop_many(ms_queue *q, void **items, size_t max)
{
    pthread_mutex_lock(&q->lock);
    while (q->n == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->lock);
    size_t k = 0;
    while (k < max && q->n > 0) {
        items[k++] = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
    }
    if (k > 0)
        pthread_cond_broadcast(&q->not_full);
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
