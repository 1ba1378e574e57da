/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target of the attachment path that opens archives: the input is
 * one attachment, analyzed as a mail's only file with small limits, so
 * every archive format, nested archives, the trait checks on what comes
 * out, libmagic and the hashes all see hostile bytes. Two password
 * candidates let the encrypted-entry path run too. YARA is left out: it
 * is libyara's own code and slows every run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/attachments.h"
#include "fuzz_common.h"

static ms_attach_engine *engine;
static ms_attach_scratch *scratch;

/* Builds the engine and libmagic once for the whole run. */
static void setup_once(void)
{
    if (engine != NULL)
        return;
    ms_attach_config c;
    ms_attach_config_default(&c);
    c.yara = false;
    c.max_depth = 3;
    c.max_total_bytes = 8u << 20;
    c.max_entries = 200;
    c.max_files = 500;
    c.max_scan_bytes = 1u << 20;
    char err[256];
    if (ms_attach_engine_new(&c, &engine, err, sizeof(err)) != MS_OK ||
        ms_attach_scratch_new(&scratch, err, sizeof(err)) != MS_OK)
        abort();
}

/* Analyzes the input as a file called "fuzz.zip" (the name matters only
 * for the raw member of a bare .gz). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    ms_attach_input in = {
        .filename = "fuzz.zip",
        .content_type = "application/zip",
        .path = "1",
        .data = (const unsigned char *)f.in,
        .size = size,
    };
    static const char *const passwords[] = {"infected", "1234"};
    ms_file_report *reports;
    size_t n;
    ms_attachments_analyze_files(engine, scratch, f.a, &f.m, &in, 1, passwords,
                                 2, &reports, &n);
    fuzz_end(&f);
    return 0;
}
