/* SPDX-License-Identifier: MIT */
/*
 * ssdeep digests (see ssdeep.h), written here rather than taken from
 * libfuzzy because hashing every mail and attachment with libfuzzy was a
 * tenth of `mailscope analyze`'s time. The digest is the same; the work
 * is not.
 *
 * How ssdeep works. A rolling hash over the last 7 bytes marks "trigger"
 * points; a trigger has a level, the number of trailing zero bits of
 * (sum + 1) / 3 when 3 divides sum + 1. The digest for block size
 * 3 * 2^L cuts the input at the triggers of level L or more and writes
 * one base64 character (a 6-bit FNV hash) per piece, at most 64; the
 * 32nd and later pieces of the second, half-length digest run together.
 * The block size printed is the smallest whose digest could hold the
 * input (3 * 2^L * 64 >= size), lowered while its digest has fewer than
 * 32 characters; the second part is the digest of the next level up.
 *
 * libfuzzy keeps a running FNV hash for every level that might still be
 * chosen (five to seven at once, two hashes each) and updates all of
 * them for every byte. Here a first pass only counts the triggers per
 * level, which settles the level to print; a second pass hashes the two
 * levels printed, one hash each. Triggers below the likely levels are
 * rare events, not counted, unless the counts show they are needed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analysis/ssdeep.h"

#define WINDOW        7     /* bytes in the rolling hash */
#define MIN_BLOCK     3u    /* block size of level 0 */
#define DIGEST_LEN    64    /* characters of the first digest */
#define HALF_LEN      32    /* characters of the second digest */
#define HASH_INIT     0x27  /* FNV offset basis, low 6 bits */
#define FNV_PRIME_LOW 0x93u /* FNV prime 0x01000193, low 8 bits */
#define LEVELS        32
#define MAX_LEVEL     28 /* above, ssdeep switches to a special case */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The rolling hash; the byte leaving the window is read from the input. */
typedef struct roll {
    uint32_t h1, h2, h3;
} roll;

static inline uint32_t roll_step(roll *r, uint32_t c, uint32_t gone)
{
    r->h2 += WINDOW * c - r->h1;
    r->h1 += c - gone;
    r->h3 = (r->h3 << 5) ^ c;
    return r->h1 + r->h2 + r->h3;
}

/* One FNV step. Only the low 6 bits are ever printed, and they depend
 * only on the low bits of the state: the bits above are left to wrap. */
static inline uint32_t fnv(uint32_t h, uint32_t c)
{
    return (h * FNV_PRIME_LOW) ^ c;
}

/* When the rolling sum s marks a trigger at level lmin or above, returns
 * true and sets *q to (s + 1) / 3, whose trailing zeros are the level.
 * 0xAAAAAAAB is the inverse of 3 modulo 2^32: the product is the
 * quotient exactly when 3 divides, and above 0x55555555 otherwise.
 * Rotating the product right by lmin folds "3 * 2^lmin divides" into one
 * comparison (low bits that are not zero land on top), so the loop has a
 * single, rarely taken branch. A sum of 0xFFFFFFFF is not a trigger. */
static inline bool trigger(uint32_t s, unsigned lmin, uint32_t *q)
{
    uint32_t horg = s + 1;
    *q = horg * 0xAAAAAAABu;
    uint32_t rot = lmin ? (*q >> lmin) | (*q << (32 - lmin)) : *q;
    return __builtin_expect(rot <= (0x55555555u >> lmin), 0) && horg != 0;
}

/* Counts the triggers of level lmin or more by level into hist. */
static void count_triggers(const unsigned char *p, size_t n, unsigned lmin,
                           uint64_t hist[LEVELS])
{
    memset(hist, 0, LEVELS * sizeof(hist[0]));
    uint32_t q;
    roll r = {0, 0, 0};
    size_t head = n < WINDOW ? n : WINDOW;
    for (size_t i = 0; i < head; i++)
        if (trigger(roll_step(&r, p[i], 0), lmin, &q))
            hist[__builtin_ctz(q)]++;
    for (size_t i = head; i < n; i++)
        if (trigger(roll_step(&r, p[i], p[i - WINDOW]), lmin, &q))
            hist[__builtin_ctz(q)]++;
}

/* Picks the level to print from the trigger counts; sets *levels to the
 * number of levels ssdeep would have opened (a level opens at the first
 * trigger of the one below, up to limit). Returns -1 when a count below
 * lmin is needed. */
static int pick_level(const uint64_t hist[LEVELS], unsigned lmin,
                      unsigned guess, unsigned limit, unsigned *levels)
{
    uint64_t ge[LEVELS + 1];
    ge[LEVELS] = 0;
    int top = -1;
    for (int l = LEVELS - 1; l >= (int)lmin; l--) {
        ge[l] = ge[l + 1] + hist[l];
        if (top < 0 && hist[l] > 0)
            top = l;
    }
    if (top < 0 && lmin > 0)
        return -1; /* the highest trigger, if any, is below lmin */
    *levels = top < 0
                  ? 1
                  : 1 + ((unsigned)top + 1 < limit ? (unsigned)top + 1 : limit);
    unsigned bi = guess < *levels - 1 ? guess : *levels - 1;
    while (bi > 0 && bi >= lmin && ge[bi] < HALF_LEN)
        bi--;
    if (bi > 0 && bi < lmin)
        return -1;
    return (int)bi;
}

/* The pieces of one level cut so far: a full digest (up to 64
 * characters, the last piece absorbing the rest) or a half one (up to 32,
 * the hash no longer reset after the 31st cut). tail is the character the
 * last cut would have written past the end; h the running hash. */
typedef struct pieces {
    uint32_t h;
    unsigned n;
    char tail;
    char chars[DIGEST_LEN];
} pieces;

static inline void cut_full(pieces *d)
{
    if (d->n < DIGEST_LEN - 1) {
        d->chars[d->n++] = b64[d->h & 63];
        d->h = HASH_INIT;
    } else {
        d->tail = b64[d->h & 63];
    }
}

static inline void cut_half(pieces *d)
{
    if (d->n < HALF_LEN - 1) {
        d->chars[d->n++] = b64[d->h & 63];
        d->h = HASH_INIT;
        d->tail = 0;
    } else {
        d->tail = b64[d->h & 63];
    }
}

/* Writes "blocksize:first:second". The unfinished piece counts unless the
 * input ends on a rolling sum of zero, where ssdeep prints the last
 * finished one instead. second is NULL when level bi + 1 never opened. */
static void write_digest(char *out, unsigned bi, const pieces *first,
                         const pieces *second, uint32_t sum)
{
    int k = snprintf(out, MS_SSDEEP_DIGEST_MAX,
                     "%lu:", (unsigned long)(MIN_BLOCK << bi));
    memcpy(out + k, first->chars, first->n);
    k += (int)first->n;
    if (sum != 0)
        out[k++] = b64[first->h & 63];
    else if (first->tail)
        out[k++] = first->tail;
    out[k++] = ':';
    if (second != NULL) {
        memcpy(out + k, second->chars, second->n);
        k += (int)second->n;
        if (sum != 0)
            out[k++] = b64[second->h & 63];
        else if (second->tail)
            out[k++] = second->tail;
    } else if (sum != 0) {
        out[k++] = b64[first->h & 63];
    }
    out[k] = '\0';
}

static void pieces_init(pieces *d)
{
    d->h = HASH_INIT;
    d->n = 0;
    d->tail = 0;
}

/* One pass over the input hashing the pieces of level lo and the two
 * above: pc[0] the full digest of lo, pc[1] the full digest and pc[2]
 * the half digest of lo + 1, pc[3] the half digest of lo + 2; counts[0]
 * and counts[1] the triggers of level lo and up, lo + 1 and up. Returns
 * the rolling sum at the end. */
static uint32_t hash_pieces(const unsigned char *p, size_t n, unsigned lo,
                            pieces pc[4], uint64_t counts[2])
{
    for (int k = 0; k < 4; k++)
        pieces_init(&pc[k]);
    counts[0] = counts[1] = 0;
    uint32_t q, sum = 0;
    roll r = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        uint32_t c = p[i];
        sum = roll_step(&r, c, i >= WINDOW ? p[i - WINDOW] : 0);
        pc[0].h = fnv(pc[0].h, c);
        pc[1].h = fnv(pc[1].h, c);
        pc[2].h = fnv(pc[2].h, c);
        pc[3].h = fnv(pc[3].h, c);
        if (!trigger(sum, lo, &q))
            continue;
        counts[0]++;
        cut_full(&pc[0]);
        if ((q >> lo) & 1)
            continue;
        counts[1]++;
        cut_full(&pc[1]);
        cut_half(&pc[2]);
        if (((q >> (lo + 1)) & 1) == 0)
            cut_half(&pc[3]);
    }
    return sum;
}

/* The general way, two passes: count the triggers to settle the level
 * bi, then hash the pieces of bi and of the one above. */
static void two_passes(const unsigned char *p, size_t n, unsigned guess,
                       char *out)
{
    unsigned limit = guess + 1;
    unsigned lmin = guess >= 3 ? guess - 3 : 0;
    uint64_t hist[LEVELS];
    unsigned levels = 1;
    int level;
    for (;;) {
        count_triggers(p, n, lmin, hist);
        level = pick_level(hist, lmin, guess, limit, &levels);
        if (level >= 0)
            break;
        lmin = 0; /* rare: few triggers high up; count them all */
    }
    unsigned bi = (unsigned)level;
    pieces pc[4];
    uint64_t counts[2];
    uint32_t sum = hash_pieces(p, n, bi, pc, counts);
    write_digest(out, bi, &pc[0], bi + 1 < levels ? &pc[2] : NULL, sum);
}

/* Writes the ssdeep digest; see ssdeep.h.
 *
 * Most inputs print the level their size suggests (g) or the one below:
 * one pass hashes the pieces of both candidates (full digests of g - 1
 * and g, half digests of g and g + 1) while it counts their triggers.
 * When the counts point lower, or the input is small, the two-pass way
 * is taken instead. */
int ms_ssdeep(const unsigned char *p, size_t n, char *out)
{
    out[0] = '\0';
    unsigned guess = 0;
    while (guess <= MAX_LEVEL &&
           (uint64_t)(MIN_BLOCK << guess) * DIGEST_LEN < (uint64_t)n)
        guess++;
    if (guess > MAX_LEVEL)
        return -1;
    if (guess < 2) {
        two_passes(p, n, guess, out);
        return 0;
    }
    unsigned lo = guess - 1;
    pieces pc[4];
    uint64_t counts[2];
    uint32_t sum = hash_pieces(p, n, lo, pc, counts);
    /* level g opens with the first trigger of lo, level g + 1 (the last
     * that can open) with the first of g; the printed level is g when
     * its digest is long enough, else lo when lo's is */
    if (counts[1] >= HALF_LEN)
        write_digest(out, guess, &pc[1], &pc[3], sum);
    else if (counts[0] >= HALF_LEN)
        write_digest(out, lo, &pc[0], &pc[2], sum);
    else
        two_passes(p, n, guess, out);
    return 0;
}
