/* SPDX-License-Identifier: MIT */
/*
 * What the decoder fuzz targets share: an arena, a message that collects
 * defects, and a private copy of the input with nothing after it, so an
 * over-read is caught by AddressSanitizer.
 */
#ifndef MS_FUZZ_COMMON_H
#define MS_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailscope/message.h"

typedef struct fuzz_input {
    ms_arena *a;
    ms_message m;
    char *in;
} fuzz_input;

/* Prepares the arena, the message and the copy; false when out of
 * memory (the run is skipped). */
static inline bool fuzz_begin(fuzz_input *f, const uint8_t *data, size_t size)
{
    f->a = ms_arena_new(64u << 20);
    f->in = malloc(size ? size : 1);
    if (f->a == NULL || f->in == NULL) {
        ms_arena_free(f->a);
        free(f->in);
        return false;
    }
    memset(&f->m, 0, sizeof(f->m));
    f->m.arena = f->a;
    f->m.max_defects = 100;
    memcpy(f->in, data, size);
    return true;
}

/* Frees what fuzz_begin made. */
static inline void fuzz_end(fuzz_input *f)
{
    free(f->in);
    ms_arena_free(f->a);
}

#endif
