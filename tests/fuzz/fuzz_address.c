/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: address-list parsing. Runs it on arbitrary bytes with a message
 * to collect defects, under AddressSanitizer and UndefinedBehaviorSanitizer.
 */
#include "mime/address.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    ms_address *list;
    size_t n;
    ms_address_list_parse(f.a, &f.m, "0", f.in, size, 100, &list, &n);
    fuzz_end(&f);
    return 0;
}
