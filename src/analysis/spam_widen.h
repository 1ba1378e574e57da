/* SPDX-License-Identifier: MIT */
/*
 * Widening a Perl regex into a cheaper superset for the Hyperscan
 * prefilter of the spam rules (see spam_widen.c).
 */
#ifndef MS_ANALYSIS_SPAM_WIDEN_H
#define MS_ANALYSIS_SPAM_WIDEN_H

#include <stdbool.h>

/* Returns a pattern (malloc'd, the caller frees it) that matches
 * wherever pattern matches, with high bytes folded into one range, large
 * repeats unbounded and look-arounds dropped; NULL when pattern uses
 * syntax the rewrite does not handle or memory runs out. utf: pattern
 * runs in UTF-8 mode (one atom may match a character of several
 * bytes), else in byte mode. */
char *ms_spam_widen(const char *pattern, bool utf);

#endif
