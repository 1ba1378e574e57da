/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: header value decoding (unfolding, RFC 2047, 8-bit). Runs it on
 * arbitrary bytes with a message to collect defects, under AddressSanitizer and
 * UndefinedBehaviorSanitizer.
 */
#include "mime/rfc2047.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    const char *out;
    size_t n;
    ms_rfc2047_decode(f.a, &f.m, "0", f.in, size, &out, &n);
    fuzz_end(&f);
    return 0;
}
