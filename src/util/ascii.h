/* SPDX-License-Identifier: MIT */
/*
 * Locale-free ASCII character classes. The C library's <ctype.h> depends
 * on the locale and is undefined for negative chars; mail syntax is
 * defined on ASCII bytes, so these inline helpers take any char safely.
 */
#ifndef MS_UTIL_ASCII_H
#define MS_UTIL_ASCII_H

#include <stdbool.h>

/* Eight copies of the byte b, for the tests that read eight bytes at a
 * time in one 64-bit word. */
#define MS_BYTES8(b) (0x0101010101010101ULL * (b))

/* Lower-cases an ASCII letter; other bytes are returned unchanged. */
static inline char ms_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Upper-cases an ASCII letter; other bytes are returned unchanged. */
static inline char ms_ascii_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}

/* True for space, tab, CR, LF, vertical tab and form feed. */
static inline bool ms_ascii_is_space(char c)
{
    /* one bit test: this runs on nearly every byte of every header */
    const unsigned long long spaces = 1ULL << ' ' | 1ULL << '\t' |
                                      1ULL << '\r' | 1ULL << '\n' |
                                      1ULL << '\v' | 1ULL << '\f';
    unsigned char u = (unsigned char)c;
    return u <= ' ' && (spaces >> u & 1) != 0;
}

/* True for an ASCII decimal digit. */
static inline bool ms_ascii_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* True for an ASCII letter. */
static inline bool ms_ascii_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True for an ASCII letter or digit. */
static inline bool ms_ascii_is_alnum(char c)
{
    return ms_ascii_is_alpha(c) || ms_ascii_is_digit(c);
}

/* Returns the value of a hex digit, or -1 when c is not one. */
static inline int ms_ascii_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
