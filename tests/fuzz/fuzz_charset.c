/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: charset conversion; the first byte picks the label. Runs it on
 * arbitrary bytes with a message to collect defects, under AddressSanitizer and
 * UndefinedBehaviorSanitizer.
 */
#include "mime/charset.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    static const char *const labels[] = {
        NULL,          "utf-8", "iso-8859-1", "koi8-r",
        "iso-2022-jp", "utf-7", "shift_jis",  "x-bogus"};
    const char *out;
    size_t n;
    if (size > 0)
        ms_charset_to_utf8(f.a, &f.m, "1", labels[f.in[0] & 7], f.in + 1,
                           size - 1, &out, &n);
    fuzz_end(&f);
    return 0;
}
