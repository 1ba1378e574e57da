/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the whole tokenizer. Parses the input as a mail and writes
 * the parse JSON, so the decoders, the tree builder, the views and the
 * JSON writer all see hostile bytes. Small ceilings keep each run fast
 * while still reaching the limit paths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailscope/message.h"
#include "report/message_json.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_arena *a = ms_arena_new(256u << 20);
    if (a == NULL)
        return 0;
    /* a private copy with no NUL after it, so overreads are caught */
    char *copy = malloc(size ? size : 1);
    if (copy == NULL) {
        ms_arena_free(a);
        return 0;
    }
    memcpy(copy, data, size);
    ms_parse_options opt;
    ms_parse_options_default(&opt);
    opt.max_parts = 200;
    opt.max_depth = 12;
    opt.max_decoded_bytes = 8u << 20;
    opt.max_defects = 100;
    opt.trust = (size & 1) ? "mx" : NULL;
    ms_message *m = NULL;
    if (ms_message_parse(a, copy, size, &opt, &m) == MS_OK) {
        ms_buf out;
        ms_buf_init(&out, 64u << 20);
        ms_json w;
        ms_json_init(&w, &out, false);
        ms_json_object_begin(&w);
        ms_message_write_json(&w, m);
        ms_json_object_end(&w);
        ms_buf_free(&out);
    }
    free(copy);
    ms_arena_free(a);
    return 0;
}
