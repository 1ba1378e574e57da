/* SPDX-License-Identifier: MIT */
/*
 * The per-message arena: a bump allocator over a list of chunks.
 *
 *   ms_arena
 *   +---------+      +-------------------------------+
 *   | head  --+----> | chunk: next | cap | used | data...
 *   | first   |      +-------------------------------+
 *   | cleanups|            |
 *   +---------+            v  (older chunks)
 *
 * Small allocations are carved from the head chunk; a request larger than a
 * quarter of the default chunk gets a chunk of its own, inserted behind the
 * head so the head keeps serving small requests. Reset keeps the first
 * (oldest) chunk so a worker that handles mail after mail does not go back
 * to malloc for each one. Debug builds fill released memory with 0xA5 so a
 * use after reset shows up as garbage instead of stale but plausible data.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailscope/arena.h"

#define ARENA_CHUNK_SIZE (64 * 1024)
#define ARENA_ALIGN      16
#define ARENA_POISON     0xA5

typedef struct chunk {
    struct chunk *next;
    size_t cap;  /* usable bytes in data */
    size_t used; /* bytes handed out */
    _Alignas(ARENA_ALIGN) unsigned char data[];
} chunk;

typedef struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
} cleanup;

/* Default-size chunks kept for reuse across resets, per arena. */
#define ARENA_SPARE_CHUNKS 64

struct ms_arena {
    chunk *head;  /* chunk serving small requests */
    chunk *spare; /* default-size chunks kept by reset for reuse */
    size_t n_spare;
    chunk *first;       /* the chunk kept across resets */
    cleanup *cleanups;  /* most recent first */
    size_t max_bytes;   /* ceiling on chunk bytes, 0 = none */
    size_t total_bytes; /* chunk bytes currently held */
    size_t used;        /* bytes handed out */
};

/* Rounds n up to the arena alignment; returns 0 on overflow. */
static size_t align_up(size_t n)
{
    if (n > SIZE_MAX - (ARENA_ALIGN - 1))
        return 0;
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* Allocates a chunk with cap usable bytes, charging it to the ceiling.
 * Returns NULL when the ceiling or malloc refuses. */
static chunk *chunk_new(ms_arena *a, size_t cap)
{
    if (cap > SIZE_MAX - sizeof(chunk))
        return NULL;
    if (a->max_bytes &&
        (cap > a->max_bytes || a->total_bytes > a->max_bytes - cap))
        return NULL;
    chunk *c;
    if (cap == ARENA_CHUNK_SIZE && a->spare) {
        c = a->spare;
        a->spare = c->next;
        a->n_spare--;
    } else {
        c = malloc(sizeof(chunk) + cap);
    }
    if (c == NULL)
        return NULL;
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
    a->total_bytes += cap;
    return c;
}

/* Creates an arena whose total allocations may not exceed max_bytes
 * (0 means no ceiling). Returns NULL when out of memory. */
ms_arena *ms_arena_new(size_t max_bytes)
{
    ms_arena *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    a->max_bytes = max_bytes;
    size_t cap = ARENA_CHUNK_SIZE;
    if (max_bytes && max_bytes < cap)
        cap = max_bytes;
    a->first = chunk_new(a, cap);
    if (a->first == NULL) {
        free(a);
        return NULL;
    }
    a->head = a->first;
    return a;
}

/* Runs and forgets the registered cleanups, newest first. */
static void run_cleanups(ms_arena *a)
{
    cleanup *c = a->cleanups;
    a->cleanups = NULL;
    while (c) {
        /* the cleanup records live in the arena itself */
        c->fn(c->arg);
        c = c->next;
    }
}

/* Releases every chunk except keep (which may be NULL). With keep set
 * (a reset), default-size chunks go to the spare list instead of free(),
 * up to ARENA_SPARE_CHUNKS: a worker handling mail after mail then stops
 * paying for malloc and page faults on every mail. */
static void release_chunks(ms_arena *a, chunk *keep)
{
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        if (c != keep) {
            a->total_bytes -= c->cap;
#ifndef NDEBUG
            memset(c->data, ARENA_POISON, c->cap);
#endif
            if (keep && c->cap == ARENA_CHUNK_SIZE &&
                a->n_spare < ARENA_SPARE_CHUNKS) {
                c->next = a->spare;
                a->spare = c;
                a->n_spare++;
            } else {
                free(c);
            }
        }
        c = next;
    }
    if (keep == NULL) {
        while (a->spare) {
            chunk *s = a->spare;
            a->spare = s->next;
            free(s);
        }
        a->n_spare = 0;
    }
}

/* Runs the cleanups and releases all memory of the arena, and the arena. */
void ms_arena_free(ms_arena *a)
{
    if (a == NULL)
        return;
    run_cleanups(a);
    release_chunks(a, NULL);
    free(a);
}

/* Runs the cleanups and forgets every allocation, keeping the first chunk
 * for reuse: the cheap way for a worker to start its next mail. */
void ms_arena_reset(ms_arena *a)
{
    run_cleanups(a);
    release_chunks(a, a->first);
#ifndef NDEBUG
    memset(a->first->data, ARENA_POISON, a->first->used);
#endif
    a->first->used = 0;
    a->first->next = NULL;
    a->head = a->first;
    a->used = 0;
}

/* Returns n bytes aligned for any type, or NULL when out of memory or past
 * the ceiling. The memory is not zeroed. */
void *ms_arena_alloc(ms_arena *a, size_t n)
{
    size_t need = align_up(n ? n : 1);
    if (need == 0)
        return NULL;
    chunk *h = a->head;
    if (h->cap - h->used >= need) {
        void *p = h->data + h->used;
        h->used += need;
        a->used += need;
        return p;
    }
    if (need > ARENA_CHUNK_SIZE / 4) {
        /* a large block gets its own chunk behind the head */
        chunk *c = chunk_new(a, need);
        if (c == NULL)
            return NULL;
        c->used = need;
        c->next = h->next;
        h->next = c;
        a->used += need;
        return c->data;
    }
    chunk *c = chunk_new(a, ARENA_CHUNK_SIZE);
    if (c == NULL)
        return NULL;
    c->next = h;
    a->head = c;
    c->used = need;
    a->used += need;
    return c->data;
}

/* Returns count * size zeroed bytes, or NULL on overflow, out of memory or
 * past the ceiling. */
void *ms_arena_calloc(ms_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = ms_arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

/* Grows the allocation p of old_n bytes to new_n bytes, in place when it is
 * the last one carved from the head chunk, by copying otherwise. Returns
 * the new pointer or NULL (the old block stays valid then). */
void *ms_arena_realloc(ms_arena *a, void *p, size_t old_n, size_t new_n)
{
    if (p == NULL)
        return ms_arena_alloc(a, new_n);
    if (new_n <= old_n)
        return p;
    chunk *h = a->head;
    size_t old_aligned = align_up(old_n ? old_n : 1);
    size_t new_aligned = align_up(new_n);
    if (new_aligned == 0)
        return NULL;
    if ((unsigned char *)p + old_aligned == h->data + h->used &&
        new_aligned - old_aligned <= h->cap - h->used) {
        h->used += new_aligned - old_aligned;
        a->used += new_aligned - old_aligned;
        return p;
    }
    void *q = ms_arena_alloc(a, new_n);
    if (q == NULL)
        return NULL;
    memcpy(q, p, old_n);
    return q;
}

/* Copies n bytes of p into the arena and adds a NUL. Returns NULL on
 * failure. */
char *ms_arena_strndup(ms_arena *a, const char *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *z = ms_arena_alloc(a, n + 1);
    if (z == NULL)
        return NULL;
    if (n)
        memcpy(z, p, n);
    z[n] = '\0';
    return z;
}

/* Registers fn(arg) to run when the arena is reset or freed, in reverse
 * order of registration. Returns MS_ENOMEM when it cannot be recorded. */
ms_status ms_arena_on_free(ms_arena *a, void (*fn)(void *), void *arg)
{
    assert(fn != NULL);
    cleanup *c = ms_arena_alloc(a, sizeof(*c));
    if (c == NULL)
        return MS_ENOMEM;
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return MS_OK;
}

/* Returns the number of bytes handed out since the last reset. */
size_t ms_arena_used(const ms_arena *a)
{
    return a->used;
}
