/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer on the heap with a hard ceiling. Output documents,
 * file contents and scratch text are built in one; it never grows past its
 * max, and a failed append leaves the content as it was.
 */
#ifndef MS_UTIL_BUF_H
#define MS_UTIL_BUF_H

#include <stddef.h>

#include "mailscope/status.h"

typedef struct ms_buf {
    char *p;    /* content, always NUL terminated once allocated */
    size_t n;   /* bytes of content */
    size_t cap; /* bytes allocated */
    size_t max; /* ceiling on n, 0 = SIZE_MAX / 2 */
} ms_buf;

/* Prepares an empty buffer that may grow to max bytes (0: no ceiling). */
void ms_buf_init(ms_buf *b, size_t max);

/* Releases the buffer's memory and leaves it empty. */
void ms_buf_free(ms_buf *b);

/* Empties the buffer, keeping its memory. */
void ms_buf_clear(ms_buf *b);

/* Makes room for n more bytes. Returns MS_ELIMIT past the ceiling,
 * MS_ENOMEM when the allocation fails. */
ms_status ms_buf_reserve(ms_buf *b, size_t n);

/* Appends n bytes. */
ms_status ms_buf_append(ms_buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string. */
ms_status ms_buf_append_str(ms_buf *b, const char *z);

/* Appends one byte. */
ms_status ms_buf_append_char(ms_buf *b, char c);

/* Appends printf-style formatted text. */
ms_status ms_buf_printf(ms_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
