/* SPDX-License-Identifier: MIT */
/*
 * Arena-backed growable arrays (see vec.h).
 */
#include <stdint.h>
#include <string.h>

#include "util/vec.h"

#define VEC_FIRST_CAP 4

/* Makes room for one more element; see vec.h. */
ms_status ms_vec_grow(ms_arena *a, void **items, size_t n, size_t *cap,
                      size_t elem_size, size_t max)
{
    if (max && n >= max)
        return MS_ELIMIT;
    if (n < *cap)
        return MS_OK;
    size_t new_cap = *cap ? *cap * 2 : VEC_FIRST_CAP;
    if (max && new_cap > max)
        new_cap = max;
    if (new_cap > SIZE_MAX / elem_size)
        return MS_ENOMEM;
    void *p =
        ms_arena_realloc(a, *items, *cap * elem_size, new_cap * elem_size);
    if (p == NULL)
        return MS_ENOMEM;
    *items = p;
    *cap = new_cap;
    return MS_OK;
}
