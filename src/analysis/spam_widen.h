/* SPDX-License-Identifier: MIT */
/*
 * Widening a Perl regex into a cheaper superset for the Hyperscan
 * prefilter of the spam rules (see spam_widen.c).
 */
#ifndef MS_ANALYSIS_SPAM_WIDEN_H
#define MS_ANALYSIS_SPAM_WIDEN_H

#include <stdbool.h>
#include <stddef.h>

/* Returns a pattern (malloc'd, the caller frees it) that matches
 * wherever pattern matches, with high bytes folded into one range, large
 * repeats unbounded and look-arounds dropped; NULL when pattern uses
 * syntax the rewrite does not handle or memory runs out. utf: pattern
 * runs in UTF-8 mode (one atom may match a character of several
 * bytes), else in byte mode. */
char *ms_spam_widen(const char *pattern, bool utf);

/* Like ms_spam_widen, but every repeat bounded above 3 loses its upper
 * bound: a far looser pattern, which Hyperscan compiles exactly where
 * the tighter one is too large for it. */
char *ms_spam_widen_loose(const char *pattern, bool utf);

/* True when the whole pattern is one group repeated at least twice,
 * "(?:G){k}", "(?:G){k,}" or "(?:G){k,m}" with k >= 2: G is at
 * pattern + *start, *len bytes, and *times is k. */
bool ms_spam_repeat_unit(const char *pattern, size_t *start, size_t *len,
                         long *times);

#endif
