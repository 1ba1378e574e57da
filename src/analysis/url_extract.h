/* SPDX-License-Identifier: MIT */
/*
 * Finding links in free text: explicit URLs ("https://...", any scheme),
 * "www." forms, bare domains with a path ("paypal-login.com/verify"),
 * IPv4 hosts with a path, e-mail addresses, and their defanged spellings
 * ("hxxp://evil[.]com", "evil(dot)com/x", "http[:]//"), which are
 * found, repaired and marked obfuscated.
 *
 * The text is cut into words at white space and at the characters that
 * cannot stand unescaped in a link written in text (< > " ' `); each word
 * is looked at a bounded number of times, so the scan is linear. A bare
 * domain counts only when its last label is a real top-level domain
 * (ICANN section of the public suffix list) and a path follows: "file.zip"
 * and "e.g." are not links, "login.example.zip/x" is.
 */
#ifndef MS_ANALYSIS_URL_EXTRACT_H
#define MS_ANALYSIS_URL_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/arena.h"
#include "mailscope/status.h"

typedef enum ms_url_hit_kind {
    MS_URL_HIT_URL = 0, /* a link, to give to ms_url_parse() */
    MS_URL_HIT_EMAIL    /* an e-mail address local@domain */
} ms_url_hit_kind;

/* One thing found in the text. p points into the text, or into the arena
 * when the spelling was repaired. */
typedef struct ms_url_hit {
    ms_url_hit_kind kind;
    const char *p;
    size_t n;
    bool obfuscated; /* a defanged spelling was repaired */
} ms_url_hit;

/* Called for each hit; a status other than MS_OK stops the scan and is
 * returned by it (MS_ELIMIT for "enough"). */
typedef ms_status (*ms_url_hit_fn)(void *ctx, const ms_url_hit *hit);

/* Scans n bytes of text and calls fn for every URL and e-mail address, in
 * order. Returns MS_OK, fn's first other status, or MS_ENOMEM. */
ms_status ms_url_scan_text(ms_arena *a, const char *p, size_t n,
                           ms_url_hit_fn fn, void *ctx);

/* True when the n bytes at p are a host name alone ("paypal.com", with an
 * optional final dot) whose last label is a real top-level domain. Link
 * texts are compared with it: a text that reads as a domain is a claim
 * about where the link goes. */
bool ms_url_looks_like_domain(const char *p, size_t n);

#endif
