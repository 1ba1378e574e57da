/* SPDX-License-Identifier: MIT */
/*
 * A bounded blocking queue of pointers between threads: the reader hands
 * mails to the workers and the workers hand documents to the writer
 * through two of these. A full queue blocks its producer, which is the
 * backpressure that keeps memory bounded whatever the input rate.
 */
#ifndef MS_PIPELINE_QUEUE_H
#define MS_PIPELINE_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "mailscope/status.h"

typedef struct ms_queue {
    void **items;
    size_t cap, head, n;
    bool closed;
    size_t waiting_producers, waiting_consumers;
    size_t wake_batch;  /* see ms_queue_set_batching */
    unsigned linger_ms; /* see ms_queue_set_batching */
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
} ms_queue;

/* Prepares a queue holding at most cap items. */
ms_status ms_queue_init(ms_queue *q, size_t cap);

/* Makes the consumer of a queue take its items in batches: a consumer
 * that finds fewer than wake_batch items waits up to linger_ms more for
 * the rest, and producers wake it only for the first item and the
 * wake_batch-th. Two wake-ups a batch instead of one an item, and items
 * wait at most linger_ms longer. The default (1, 0) hands every item over
 * at once. */
void ms_queue_set_batching(ms_queue *q, size_t wake_batch, unsigned linger_ms);

/* Frees the queue's storage (not the items). */
void ms_queue_destroy(ms_queue *q);

/* Adds an item, waiting while the queue is full. Returns false when the
 * queue was closed. */
bool ms_queue_push(ms_queue *q, void *item);

/* Takes the oldest item, waiting while the queue is empty. Returns NULL
 * once the queue is closed and empty. */
void *ms_queue_pop(ms_queue *q);

/* Takes up to max of the oldest items into items, waiting while the
 * queue is empty. Returns how many, 0 once the queue is closed and empty.
 * Taking several at once saves a lock and a wake-up per mail. */
size_t ms_queue_pop_many(ms_queue *q, void **items, size_t max);

/* Closes the queue: pushes fail, pops drain what is left then get NULL. */
void ms_queue_close(ms_queue *q);

#endif
