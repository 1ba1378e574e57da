/* SPDX-License-Identifier: MIT */
/*
 * Small helpers over byte slices: comparison ignoring ASCII case, trimming
 * and searching. Mail is ASCII-case-insensitive in its syntax (header
 * names, MIME types, parameters), never locale-dependent, so these helpers
 * fold only A-Z.
 */
#include <stdint.h>
#include <string.h>

#include "mailscope/slice.h"
#include "util/ascii.h"

/* Returns a slice over a NUL-terminated string (NULL gives the empty one). */
ms_slice ms_slice_from_cstr(const char *z)
{
    ms_slice s = {z, z ? strlen(z) : 0};
    return s;
}

/* True when the two slices hold the same bytes. */
bool ms_slice_eq(ms_slice a, ms_slice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Returns the eight bytes of x with the capitals A-Z lower-cased, all at
 * once: a byte's low seven bits plus 0x80 - 'A' reach the high bit when
 * it is 'A' or above, plus 0x80 - 'Z' - 1 when it is above 'Z' (no carry
 * leaves a byte), and a byte with its own high bit set is no letter. */
static inline uint64_t lower8(uint64_t x)
{
    uint64_t heptets = x & MS_BYTES8(0x7F);
    uint64_t from_a = heptets + MS_BYTES8(0x80 - 'A');
    uint64_t past_z = heptets + MS_BYTES8(0x80 - 'Z' - 1);
    uint64_t upper = from_a & ~past_z & ~x & MS_BYTES8(0x80);
    return x | (upper >> 2);
}

/* True when the two slices are equal ignoring ASCII case. Eight bytes at
 * a time: header names are compared with every header of a mail, and a
 * match (the common case) reads the whole name. */
bool ms_slice_eq_ci(ms_slice a, ms_slice b)
{
    if (a.n != b.n)
        return false;
    size_t i = 0;
    for (; i + 8 <= a.n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a.p + i, 8);
        memcpy(&y, b.p + i, 8);
        if (x != y && lower8(x) != lower8(y))
            return false;
    }
    for (; i < a.n; i++) {
        if (ms_ascii_lower(a.p[i]) != ms_ascii_lower(b.p[i]))
            return false;
    }
    return true;
}

/* True when the slice equals the NUL-terminated z, ignoring ASCII case. */
bool ms_slice_eq_cstr_ci(ms_slice a, const char *z)
{
    size_t i = 0;
    for (; i < a.n; i++)
        if (z[i] == '\0' || ms_ascii_lower(a.p[i]) != ms_ascii_lower(z[i]))
            return false;
    return z[i] == '\0';
}

/* True when a starts with the NUL-terminated prefix z, ignoring ASCII case.
 * One pass that stops at the first difference: no length of z is taken,
 * as most calls fail on the first byte. */
bool ms_slice_starts_with_ci(ms_slice a, const char *z)
{
    for (size_t i = 0; z[i] != '\0'; i++)
        if (i >= a.n || ms_ascii_lower(a.p[i]) != ms_ascii_lower(z[i]))
            return false;
    return true;
}

/* Returns the slice without leading and trailing ASCII white space. */
ms_slice ms_slice_trim(ms_slice a)
{
    while (a.n > 0 && ms_ascii_is_space(a.p[0])) {
        a.p++;
        a.n--;
    }
    while (a.n > 0 && ms_ascii_is_space(a.p[a.n - 1]))
        a.n--;
    return a;
}

/* Finds the first occurrence of needle in hay, ignoring ASCII case.
 * Returns its offset, or (size_t)-1 when absent. */
size_t ms_slice_find_ci(ms_slice hay, ms_slice needle)
{
    if (needle.n == 0)
        return 0;
    if (needle.n > hay.n)
        return (size_t)-1;
    char first = ms_ascii_lower(needle.p[0]);
    size_t last = hay.n - needle.n; /* the last place the needle fits */
    if (!ms_ascii_is_alpha(first)) {
        /* one case only ("<form", "</script"): memchr finds the places */
        const char *at = hay.p;
        while ((at = memchr(at, first, (size_t)(hay.p + last - at) + 1))) {
            if (ms_slice_eq_ci((ms_slice){at, needle.n}, needle))
                return (size_t)(at - hay.p);
            if (at++ == hay.p + last)
                break;
        }
        return (size_t)-1;
    }
    for (size_t i = 0; i <= last; i++) {
        /* | 0x20 lower-cases a letter; another byte it turns into the
         * letter is turned away by the whole compare */
        if ((char)(hay.p[i] | 0x20) != first)
            continue;
        if (ms_slice_eq_ci((ms_slice){hay.p + i, needle.n}, needle))
            return i;
    }
    return (size_t)-1;
}
