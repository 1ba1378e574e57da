/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the HTML tokenizer and the renderer. The input is read
 * token by token (every attribute value touched, so a bad slice is an
 * over-read AddressSanitizer sees), then rendered with small ceilings so
 * the cut paths run too, and every ref, link, form and image of the
 * result is walked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html/render.h"
#include "html/tokenizer.h"
#include "fuzz_common.h"

/* Adds every byte of the n at p into *sum, so that each is read. */
static void touch(const char *p, size_t n, unsigned *sum)
{
    for (size_t i = 0; p != NULL && i < n; i++)
        *sum += (unsigned char)p[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;
    volatile unsigned sink = 0;
    unsigned sum = 0;

    ms_html_tokenizer t;
    ms_html_tokenizer_init(&t, f.a, f.in, size);
    ms_html_token tok;
    size_t tokens = 0;
    while (ms_html_next(&t, &tok) == MS_OK && tok.type != MS_HTML_EOF) {
        touch(tok.text.p, tok.text.n, &sum);
        touch(tok.raw.p, tok.raw.n, &sum);
        for (size_t i = 0; i < tok.n_attrs; i++) {
            touch(tok.attrs[i].name.p, tok.attrs[i].name.n, &sum);
            touch(tok.attrs[i].value.p, tok.attrs[i].value.n, &sum);
        }
        if (++tokens > 4 * size + 16)
            abort(); /* the tokenizer must move forward */
    }

    ms_html_limits lim;
    ms_html_limits_default(&lim);
    lim.max_text_bytes = 4096;
    lim.max_refs = 64;
    lim.max_forms = 4;
    lim.max_inputs = 8;
    lim.max_images = 16;
    ms_html_doc doc;
    for (int pass = 0; pass < 2; pass++) {
        if (ms_html_render(f.a, f.in, size, pass ? NULL : &lim, &doc) != MS_OK)
            break;
        /* NUL bytes of the input may stay in the text: only the
         * terminator is promised */
        if (doc.text == NULL || doc.text[doc.text_len] != '\0')
            abort();
        for (size_t i = 0; i < doc.n_refs; i++) {
            touch(doc.refs[i].url, doc.refs[i].url_len, &sum);
            touch(doc.refs[i].tag, strlen(doc.refs[i].tag), &sum);
            if (doc.refs[i].display_text)
                touch(doc.refs[i].display_text,
                      strlen(doc.refs[i].display_text), &sum);
            touch(ms_html_ref_kind_name(doc.refs[i].kind), 1, &sum);
        }
        for (size_t i = 0; i < doc.n_links; i++) {
            if (doc.links[i].href)
                touch(doc.links[i].href, strlen(doc.links[i].href), &sum);
            if (doc.links[i].text)
                touch(doc.links[i].text, strlen(doc.links[i].text), &sum);
        }
        for (size_t i = 0; i < doc.n_forms; i++) {
            for (size_t k = 0; k < doc.forms[i].n_inputs; k++)
                if (doc.forms[i].inputs[k].name)
                    touch(doc.forms[i].inputs[k].name,
                          strlen(doc.forms[i].inputs[k].name), &sum);
        }
        for (size_t i = 0; i < doc.n_images; i++)
            touch(doc.images[i], strlen(doc.images[i]), &sum);
        if (doc.title)
            touch(doc.title, strlen(doc.title), &sum);
        if (doc.base_href)
            touch(doc.base_href, strlen(doc.base_href), &sum);
        if (doc.refresh_url)
            touch(doc.refresh_url, strlen(doc.refresh_url), &sum);
    }
    sink = sum;
    (void)sink;
    fuzz_end(&f);
    return 0;
}
