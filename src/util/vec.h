/* SPDX-License-Identifier: MIT */
/*
 * Growable arrays in an arena. A vector is a pointer, a count and a
 * capacity; ms_vec_grow() makes room for one more element, doubling the
 * capacity in the arena (the old block is simply abandoned there). Every
 * vector has a ceiling given by the caller, so hostile input cannot make
 * one grow without bound.
 */
#ifndef MS_UTIL_VEC_H
#define MS_UTIL_VEC_H

#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"

/* Makes room for one more element of elem_size bytes in *items, which
 * holds *n of *cap. Returns MS_ELIMIT when *n has reached max (0: no
 * ceiling), MS_ENOMEM when the arena refuses. */
ms_status ms_vec_grow(ms_arena *a, void **items, size_t n, size_t *cap,
                      size_t elem_size, size_t max);

/* Makes room for one more element in a vector declared as
 * `T *items; size_t n, cap;`:
 *     rc = MS_VEC_GROW(arena, v, n_v, cap_v, max);
 *     if (rc == MS_OK) v[n_v++] = x;                                        */
#define MS_VEC_GROW(arena, items, n, cap, max)                                 \
    ms_vec_grow((arena), (void **)&(items), (n), &(cap), sizeof(*(items)),     \
                (max))

#endif
