/* SPDX-License-Identifier: MIT */
/*
 * Byte slices: a pointer and a length into memory owned by someone else
 * (the raw mail buffer or a message arena). The parser hands out slices so
 * that header names, values and bodies are not copied. A slice is not NUL
 * terminated unless said so.
 */
#ifndef MAILSCOPE_SLICE_H
#define MAILSCOPE_SLICE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ms_slice {
    const char *p; /* first byte, may be NULL when n == 0 */
    size_t n;      /* number of bytes */
} ms_slice;

/* A slice over a string literal. */
#define MS_SLICE_LIT(s) ((ms_slice){(s), sizeof(s) - 1})
/* The empty slice. */
#define MS_SLICE_EMPTY ((ms_slice){NULL, 0})

/* Returns a slice over a NUL-terminated string (NULL gives the empty one). */
ms_slice ms_slice_from_cstr(const char *z);

/* True when the two slices hold the same bytes. */
bool ms_slice_eq(ms_slice a, ms_slice b);

/* True when the two slices are equal ignoring ASCII case. */
bool ms_slice_eq_ci(ms_slice a, ms_slice b);

/* True when the slice equals the NUL-terminated z, ignoring ASCII case. */
bool ms_slice_eq_cstr_ci(ms_slice a, const char *z);

/* True when a starts with the NUL-terminated prefix z, ignoring ASCII case. */
bool ms_slice_starts_with_ci(ms_slice a, const char *z);

/* Returns the slice without leading and trailing ASCII white space. */
ms_slice ms_slice_trim(ms_slice a);

/* Finds the first occurrence of needle in hay, ignoring ASCII case.
 * Returns its offset, or (size_t)-1 when absent. */
size_t ms_slice_find_ci(ms_slice hay, ms_slice needle);

#endif
