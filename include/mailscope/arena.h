/* SPDX-License-Identifier: MIT */
/*
 * The per-message arena. Everything the parser and the analyzers allocate
 * for one mail comes from it and goes away in one ms_arena_free() or
 * ms_arena_reset() call. Foreign objects (library handles) register a
 * cleanup callback that runs when the arena is reset or freed.
 *
 * An arena has a hard ceiling on the bytes it may hold; past it every
 * allocation returns NULL, which callers turn into a limit defect.
 */
#ifndef MAILSCOPE_ARENA_H
#define MAILSCOPE_ARENA_H

#include <stddef.h>

#include "mailscope/status.h"

typedef struct ms_arena ms_arena;

/* Creates an arena whose total allocations may not exceed max_bytes
 * (0 means no ceiling). Returns NULL when out of memory. */
ms_arena *ms_arena_new(size_t max_bytes);

/* Runs the cleanups and releases all memory of the arena, and the arena. */
void ms_arena_free(ms_arena *a);

/* Runs the cleanups and forgets every allocation, keeping the first chunk
 * for reuse: the cheap way for a worker to start its next mail. */
void ms_arena_reset(ms_arena *a);

/* Returns n bytes aligned for any type, or NULL when out of memory or past
 * the ceiling. The memory is not zeroed. */
void *ms_arena_alloc(ms_arena *a, size_t n);

/* Returns count * size zeroed bytes, or NULL on overflow, out of memory or
 * past the ceiling. */
void *ms_arena_calloc(ms_arena *a, size_t count, size_t size);

/* Grows the most recent or any earlier allocation p of old_n bytes to
 * new_n bytes, moving it when needed. Returns the new pointer or NULL. */
void *ms_arena_realloc(ms_arena *a, void *p, size_t old_n, size_t new_n);

/* Copies n bytes of p into the arena and adds a NUL. Returns NULL on
 * failure. */
char *ms_arena_strndup(ms_arena *a, const char *p, size_t n);

/* Registers fn(arg) to run when the arena is reset or freed, in reverse
 * order of registration. Returns MS_ENOMEM when it cannot be recorded. */
ms_status ms_arena_on_free(ms_arena *a, void (*fn)(void *), void *arg);

/* Returns the number of bytes handed out since the last reset. */
size_t ms_arena_used(const ms_arena *a);

#endif
