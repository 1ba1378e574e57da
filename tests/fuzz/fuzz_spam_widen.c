/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: widening a rule's regex for the spam prefilter. Runs the
 * rewrite on arbitrary bytes (as a pattern) under AddressSanitizer and
 * UndefinedBehaviorSanitizer; when PCRE2 accepts the pattern and the
 * rewrite gives a result, the result must be a pattern PCRE2 accepts too
 * (the rewrite only drops and widens, it never breaks the syntax).
 * Both modes of the rewrite are exercised, by the input's length.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/spam_widen.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, '\0', size) != NULL)
        return 0;
    char *pattern = malloc(size + 1);
    if (pattern == NULL)
        return 0;
    memcpy(pattern, data, size);
    pattern[size] = '\0';
    /* both modes: byte mode for even lengths, UTF-8 mode for odd */
    char *wide = ms_spam_widen(pattern, size % 2 == 1);
    if (wide != NULL) {
        int err;
        PCRE2_SIZE at;
        pcre2_code *orig = pcre2_compile(
            (PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &at, NULL);
        if (orig != NULL) {
            pcre2_code *w = pcre2_compile(
                (PCRE2_SPTR)wide, PCRE2_ZERO_TERMINATED, 0, &err, &at, NULL);
            if (w == NULL)
                abort();
            pcre2_code_free(w);
            pcre2_code_free(orig);
        }
        free(wide);
    }
    free(pattern);
    return 0;
}
