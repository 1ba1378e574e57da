/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the URL analyzer. The input is read as plain text
 * (explicit, www., bare-domain, defanged links, addresses, IP literals),
 * as HTML (refs resolved against <base>, link texts compared), as a
 * file by content (PDF /URI, markup, text), and its first line alone as
 * one URL to parse and to resolve against a base, with a shortener list,
 * a whitelist and a small URL ceiling so that every path of the list
 * runs. The JSON of the result is written, so every field is read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/observables.h"
#include "analysis/urls.h"
#include "util/buf.h"
#include "util/json.h"
#include "fuzz_common.h"

static ms_urls_config config;
static bool ready;

/* Builds the configuration once for the whole run. */
static void setup_once(void)
{
    if (ready)
        return;
    ms_urls_config_init(&config);
    config.max_urls = 50;
    static const char shorteners[] = "bit.ly\ntinyurl.com\n# comment\nt.co\n";
    static const char whitelist[] =
        "trusted:\n  expiry: null\n  values:\n    - example.org\n";
    char err[200];
    if (ms_urls_config_load_shorteners_text(&config, shorteners,
                                            sizeof(shorteners) - 1) != MS_OK ||
        ms_urls_config_load_whitelist_text(&config, whitelist,
                                           sizeof(whitelist) - 1, 1, err,
                                           sizeof(err)) != MS_OK)
        abort();
    ready = true;
}

/* Writes the list and its observables as JSON, so every string of every
 * entry is read. */
static void write_all(ms_arena *a, const ms_url_list *list)
{
    ms_buf b;
    ms_buf_init(&b, 64u << 20);
    ms_json w;
    ms_json_init(&w, &b, false);
    ms_urls_write_json(&w, list);
    ms_observables o;
    if (ms_observables_collect(a, NULL, list, NULL, 0, &o) == MS_OK)
        ms_observables_write_json(&w, &o);
    ms_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    fuzz_input f;
    if (!fuzz_begin(&f, data, size))
        return 0;

    ms_url_list list;
    ms_url_list_init(&list);
    ms_urls_extract_text(f.a, &config, &f.m, "text", f.in, size, &list);
    ms_urls_extract_html(f.a, &config, &f.m, NULL, f.in, size, &list);
    write_all(f.a, &list);

    ms_url_list_init(&list);
    ms_urls_extract_bytes(f.a, &config, &f.m, "a.bin",
                          (const unsigned char *)f.in, size, &list);
    write_all(f.a, &list);

    /* the first line alone: one URL, parsed and resolved */
    const char *nl = memchr(f.in, '\n', size);
    size_t line = nl ? (size_t)(nl - f.in) : size;
    ms_url u;
    ms_url_parse(f.a, f.in, line, &u);
    if (u.valid && u.url != NULL && strlen(u.url) != u.url_len)
        abort();
    const char *out;
    size_t out_n;
    if (ms_url_resolve(f.a, "http://base.example/a/b/c?q#f", f.in, line, &out,
                       &out_n) == MS_OK)
        ms_url_parse(f.a, out, out_n, &u);
    if (nl != NULL && ms_url_has_scheme(f.in, line)) {
        /* the first line as a base for the rest */
        char *base = ms_arena_alloc(f.a, line + 1);
        if (base != NULL) {
            memcpy(base, f.in, line);
            base[line] = '\0';
            ms_url_resolve(f.a, base, nl + 1, size - line - 1, &out, &out_n);
        }
    }
    fuzz_end(&f);
    return 0;
}
