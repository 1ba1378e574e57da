/* SPDX-License-Identifier: MIT */
/*
 * Fast scans over bytes for the tests that run on every header and every
 * body of every mail: where the first 8-bit byte is. Sixteen bytes at a
 * time with SSE2 (the sign bit of each byte is its high bit), eight at a
 * time in a word elsewhere.
 */
#ifndef MS_UTIL_SCAN_H
#define MS_UTIL_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Returns the offset of the first byte of p[0..n) at or above 0x80, or n
 * when all are 7-bit. */
static inline size_t ms_scan_8bit(const char *p, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16) {
        int mask = _mm_movemask_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(p + i)));
        if (mask != 0)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
    if (i < n && n >= 16) {
        /* the last bytes as one block overlapping the clean ones before */
        size_t back = i - (n - 16);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_loadu_si128(
                            (const __m128i *)(const void *)(p + n - 16))) >>
                        back;
        return mask != 0 ? i + (size_t)__builtin_ctz(mask) : n;
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        w &= 0x8080808080808080ULL;
        if (w != 0)
            return i + (size_t)(__builtin_ctzll(w) >> 3);
    }
    for (; i < n; i++) {
        if ((unsigned char)p[i] >= 0x80)
            return i;
    }
    return n;
}

#endif
