/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: Received header parsing and the sender IP. Runs it on arbitrary
 * bytes with a message to collect defects, under AddressSanitizer and
 * UndefinedBehaviorSanitizer.
 */
#include "mime/received.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    ms_received_hop hops[2];
    /* the parser wants NUL-terminated text, as header values are */
    char *z = ms_arena_strndup(f.a, f.in, size);
    char *half = ms_arena_strndup(f.a, f.in, size / 2);
    if (z == NULL || half == NULL) {
        fuzz_end(&f);
        return 0;
    }
    ms_received_parse(f.a, z, size, &hops[0]);
    ms_received_parse(f.a, half, size / 2, &hops[1]);
    ms_received_chain_finish(hops, 2);
    ms_received_sender_ip(f.a, hops, 2, (size & 1) ? "by" : NULL);
    fuzz_end(&f);
    return 0;
}
