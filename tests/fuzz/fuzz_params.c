/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: Content-Type and Content-Disposition parameters. Runs it on
 * arbitrary bytes with a message to collect defects, under AddressSanitizer and
 * UndefinedBehaviorSanitizer.
 */
#include "mime/params.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    ms_content_value cv;
    ms_params_parse(f.a, &f.m, "1", f.in, size, &cv);
    fuzz_end(&f);
    return 0;
}
