/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the quoted-printable decoder, body and header forms. Runs it on
 * arbitrary bytes with a message to collect defects, under AddressSanitizer and
 * UndefinedBehaviorSanitizer.
 */
#include "mime/transfer.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    unsigned char *out;
    size_t n;
    ms_qp_decode(f.a, &f.m, "1", f.in, size, size & 1, &out, &n);
    fuzz_end(&f);
    return 0;
}
