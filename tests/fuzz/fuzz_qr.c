/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target of the QR code reader: the input is an image file (PNG or
 * JPEG, by its first bytes) decoded to grey levels and scanned by zbar.
 * The seeds are small PNG and JPEG files holding QR codes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/qrcode.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    const char *texts[MS_QR_MAX_CODES];
    size_t n = 0;
    if (ms_qr_decode(f.a, (const unsigned char *)f.in, size, texts, &n) ==
        MS_OK) {
        for (size_t i = 0; i < n; i++)
            if (strlen(texts[i]) == (size_t)-1)
                abort(); /* each text is a NUL-terminated string */
    }
    fuzz_end(&f);
    return 0;
}
