/* SPDX-License-Identifier: MIT */
/*
 * Reading UTF-8 one code point at a time, for the checks that look at
 * letters (homograph hosts, hidden or styled text).
 */
#ifndef MS_UTIL_UTF8_H
#define MS_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one UTF-8 code point at p (n bytes, n > 0); returns its length,
 * or 1 with *cp = 0xFFFD for a broken byte. */
size_t ms_utf8_next(const unsigned char *p, size_t n, uint32_t *cp);

#endif
