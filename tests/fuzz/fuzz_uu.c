/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the uuencode decoder and the finder of embedded blocks. Runs it
 * on arbitrary bytes with a message to collect defects, under AddressSanitizer
 * and UndefinedBehaviorSanitizer.
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
    const char *name;
    ms_uu_decode(f.a, &f.m, "1", f.in, size, &out, &n, &name);
    ms_uu_block *blocks;
    size_t n_blocks;
    ms_uu_find_blocks(f.a, &f.m, "1", f.in, size, 8, &blocks, &n_blocks);
    fuzz_end(&f);
    return 0;
}
