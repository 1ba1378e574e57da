/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: date parsing and formatting. Runs it on arbitrary bytes with a
 * message to collect defects, under AddressSanitizer and
 * UndefinedBehaviorSanitizer.
 */
#include "mime/date.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    ms_date d;
    unsigned flags;
    ms_date_parse(f.in, size, &d, &flags);
    char buf[32];
    if (d.valid) {
        ms_date_format_utc(&d, buf, sizeof(buf));
        ms_date_format_offset(d.offset_minutes, buf, sizeof(buf));
    }
    fuzz_end(&f);
    return 0;
}
