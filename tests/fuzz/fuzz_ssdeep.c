/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: mailscope's ssdeep against libfuzzy's, the reference. Any
 * input where the two digests differ aborts, so the fuzzer reports it;
 * the sanitizers watch the two passes over the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fuzzy.h>

#include "analysis/ssdeep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy with nothing after it: an over-read is caught */
    unsigned char *in = malloc(size ? size : 1);
    if (in == NULL)
        return 0;
    memcpy(in, data, size);
    char ours[MS_SSDEEP_DIGEST_MAX], ref[FUZZY_MAX_RESULT];
    if (ms_ssdeep(in, size, ours) != 0 ||
        fuzzy_hash_buf(in, (uint32_t)size, ref) != 0 || strcmp(ours, ref) != 0)
        abort();
    free(in);
    return 0;
}
