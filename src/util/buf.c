/* SPDX-License-Identifier: MIT */
/*
 * The growable heap buffer with a ceiling (see buf.h). Growth doubles the
 * allocation, so appends are amortized O(1); the ceiling is checked before
 * any allocation so a hostile input cannot make it grow without bound.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define BUF_DEFAULT_MAX (SIZE_MAX / 2)
#define BUF_MIN_CAP     256

/* Prepares an empty buffer that may grow to max bytes (0: no ceiling). */
void ms_buf_init(ms_buf *b, size_t max)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
    b->max = max ? max : BUF_DEFAULT_MAX;
}

/* Releases the buffer's memory and leaves it empty. */
void ms_buf_free(ms_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
}

/* Empties the buffer, keeping its memory. */
void ms_buf_clear(ms_buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. Returns MS_ELIMIT past the
 * ceiling, MS_ENOMEM when the allocation fails. */
ms_status ms_buf_reserve(ms_buf *b, size_t n)
{
    if (n > b->max - b->n)
        return MS_ELIMIT;
    size_t need = b->n + n + 1;
    if (need <= b->cap)
        return MS_OK;
    size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    /* never allocate past the ceiling: callers that append into spare
     * capacity directly rely on cap - 1 <= max */
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = realloc(b->p, cap);
    if (p == NULL)
        return MS_ENOMEM;
    b->p = p;
    b->cap = cap;
    return MS_OK;
}

/* Appends n bytes. */
ms_status ms_buf_append(ms_buf *b, const void *p, size_t n)
{
    ms_status rc = ms_buf_reserve(b, n);
    if (rc != MS_OK)
        return rc;
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return MS_OK;
}

/* Appends a NUL-terminated string. */
ms_status ms_buf_append_str(ms_buf *b, const char *z)
{
    return ms_buf_append(b, z, strlen(z));
}

/* Appends one byte. */
ms_status ms_buf_append_char(ms_buf *b, char c)
{
    if (b->n + 1 < b->cap) {
        b->p[b->n++] = c;
        b->p[b->n] = '\0';
        return MS_OK;
    }
    return ms_buf_append(b, &c, 1);
}

/* Appends printf-style formatted text. */
ms_status ms_buf_printf(ms_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return MS_EINVAL;
    ms_status rc = ms_buf_reserve(b, (size_t)len);
    if (rc != MS_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
    return MS_OK;
}
