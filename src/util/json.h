/* SPDX-License-Identifier: MIT */
/*
 * A streaming JSON writer into an ms_buf. Callers open and close objects
 * and arrays and emit keys and values; the writer places commas, optional
 * indentation, and escapes strings. Any byte string may be written: control
 * characters are escaped and invalid UTF-8 becomes U+FFFD, so the document
 * is valid JSON whatever the mail held. Errors (ceiling of the buffer,
 * nesting too deep) are sticky: check ms_json_status() once at the end.
 */
#ifndef MS_UTIL_JSON_H
#define MS_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailscope/slice.h"
#include "mailscope/status.h"
#include "util/buf.h"

#define MS_JSON_MAX_DEPTH 256

typedef struct ms_json {
    ms_buf *out;
    int depth;
    bool pretty;
    bool after_key;                    /* a key was written, value next */
    bool has_items[MS_JSON_MAX_DEPTH]; /* container holds an item */
    ms_status rc;                      /* first error, sticky */
} ms_json;

/* Starts writing into out (appending). With pretty, indents by two. */
void ms_json_init(ms_json *w, ms_buf *out, bool pretty);

/* Returns the first error met, or MS_OK. */
ms_status ms_json_status(const ms_json *w);

void ms_json_object_begin(ms_json *w);
void ms_json_object_end(ms_json *w);
void ms_json_array_begin(ms_json *w);
void ms_json_array_end(ms_json *w);

/* Writes an object key of n bytes; the next call writes its value. Keys
 * are the program's own ASCII names and are not escaped. */
void ms_json_key_n(ms_json *w, const char *key, size_t n);

/* Writes an object key; inline so that the length of a literal key is
 * computed at compile time and the compact case ("key": after a comma
 * when one is due) is a few stores into the buffer. */
static inline void ms_json_key(ms_json *w, const char *key)
{
    size_t n = __builtin_strlen(key);
    ms_buf *b = w->out;
    if (!w->pretty && !w->after_key && w->depth > 0 && b->cap > 0 &&
        n + 4 < b->cap - b->n) {
        char *o = b->p + b->n;
        bool *has_items = &w->has_items[w->depth - 1];
        if (*has_items)
            *o++ = ',';
        *has_items = true;
        *o++ = '"';
        __builtin_memcpy(o, key, n);
        o += n;
        o[0] = '"';
        o[1] = ':';
        o[2] = '\0';
        b->n = (size_t)(o + 2 - b->p);
        w->after_key = true;
        return;
    }
    ms_json_key_n(w, key, n);
}

/* Writes n bytes as a JSON string, escaping and repairing UTF-8. */
void ms_json_string(ms_json *w, const char *p, size_t n);
/* Writes a NUL-terminated string, or null when z is NULL. */
void ms_json_cstr(ms_json *w, const char *z);
/* Writes a slice as a string, or null when its pointer is NULL. */
void ms_json_slice(ms_json *w, ms_slice s);
void ms_json_int(ms_json *w, long long v);
void ms_json_uint(ms_json *w, unsigned long long v);
/* Writes a number with up to 6 significant decimals; NaN/inf give null. */
void ms_json_double(ms_json *w, double v);
void ms_json_bool(ms_json *w, bool v);
void ms_json_null(ms_json *w);
/* Writes already-serialized JSON as a value, unchecked. */
void ms_json_raw(ms_json *w, const char *p, size_t n);

/* Key-value shorthands for the common case inside an object; inline so
 * that the key is written as a literal (see ms_json_key). */
static inline void ms_json_kv_cstr(ms_json *w, const char *key, const char *z)
{
    ms_json_key(w, key);
    ms_json_cstr(w, z);
}

static inline void ms_json_kv_slice(ms_json *w, const char *key, ms_slice s)
{
    ms_json_key(w, key);
    ms_json_slice(w, s);
}

static inline void ms_json_kv_string(ms_json *w, const char *key, const char *p,
                                     size_t n)
{
    ms_json_key(w, key);
    ms_json_string(w, p, n);
}

static inline void ms_json_kv_int(ms_json *w, const char *key, long long v)
{
    ms_json_key(w, key);
    ms_json_int(w, v);
}

static inline void ms_json_kv_uint(ms_json *w, const char *key,
                                   unsigned long long v)
{
    ms_json_key(w, key);
    ms_json_uint(w, v);
}

static inline void ms_json_kv_double(ms_json *w, const char *key, double v)
{
    ms_json_key(w, key);
    ms_json_double(w, v);
}

static inline void ms_json_kv_bool(ms_json *w, const char *key, bool v)
{
    ms_json_key(w, key);
    ms_json_bool(w, v);
}

static inline void ms_json_kv_null(ms_json *w, const char *key)
{
    ms_json_key(w, key);
    ms_json_null(w);
}

/* Appends the JSON escape of n bytes (without quotes) to out. Returns
 * the buffer status. Exposed for writers that build strings piecewise. */
ms_status ms_json_escape(ms_buf *out, const char *p, size_t n);

/* Returns the length of the valid UTF-8 sequence at p (1 to 4), or 0 when
 * the bytes at p do not start one (overlong, surrogate, truncated, > U+10FFFF).
 * n is the number of bytes available. */
size_t ms_utf8_sequence_length(const unsigned char *p, size_t n);

#endif
