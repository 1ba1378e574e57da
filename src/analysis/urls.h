/* SPDX-License-Identifier: MIT */
/*
 * The URL analyzer: every link of a mail, from every place an attacker
 * can hide one, normalized, decomposed and flagged, one entry per
 * distinct normalized URL with every place it was found.
 *
 * Sources (the `source` strings of the output):
 *   text                text/plain bodies
 *   html:href, html:src, html:form, html:background, html:srcset,
 *   html:css, html:refresh, html:base, html:other, html:text
 *                       text/html bodies: attributes by kind, and links
 *                       in the visible text
 *   attachment:NAME     text, HTML, PDF (/URI actions) and OOXML
 *                       relationship files handed over by content
 *   redirect            a URL found inside another URL's query
 *
 * Configuration (long-lived, shared read-only by the workers): the
 * ceiling of URLs per mail, the URL shortener domains, and an optional
 * whitelist of registered domains (SpamScope's YAML format) whose URLs
 * are left out of the output.
 */
#ifndef MS_ANALYSIS_URLS_H
#define MS_ANALYSIS_URLS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "analysis/url_parse.h"
#include "html/render.h"
#include "mailscope/message.h"
#include "util/json.h"

/* Distinct URLs kept per mail by default; past it "limit_urls". */
#define MS_URLS_DEFAULT_MAX_URLS 10000
/* Sources kept per URL; a link repeated in fifty places is one URL
 * found in a handful of kinds of place. */
#define MS_URLS_MAX_SOURCES 16
/* Distinct e-mail addresses and IP literals kept from bodies. */
#define MS_URLS_MAX_EMAILS 10000
#define MS_URLS_MAX_IPS    10000
/* Entries of a shortener list or a whitelist. */
#define MS_URLS_MAX_LIST_ENTRIES 1000000
/* Largest list file read. */
#define MS_URLS_MAX_LIST_FILE_BYTES (64u << 20)
/* Redirect targets followed inside one URL (a redirect to a redirect). */
#define MS_URLS_MAX_REDIRECT_DEPTH 2

/* A sorted set of lower-case domain names, malloc'd. */
typedef struct ms_domain_set {
    char **items;
    size_t n, cap;
} ms_domain_set;

typedef struct ms_urls_config {
    size_t max_urls;          /* distinct URLs per mail */
    ms_domain_set shorteners; /* hosts or registered domains */
    bool whitelist_enabled;   /* off by default, as in SpamScope */
    ms_domain_set whitelist;  /* registered domains left out */
} ms_urls_config;

/* One distinct URL of the mail. */
typedef struct ms_url_entry {
    ms_url url;
    const char *sources[MS_URLS_MAX_SOURCES];
    size_t n_sources;
    const char *display_text; /* first non-empty link text, or NULL */
} ms_url_entry;

/* The URLs, addresses and IP literals of one mail, in the arena. */
typedef struct ms_url_list {
    ms_url_entry *items;
    size_t n, cap;
    size_t *slots; /* hash index of items by URL: index + 1, 0 free */
    size_t n_slots;
    const char **emails; /* lower-case, distinct */
    size_t n_emails, cap_emails;
    const char **ips; /* canonical, distinct */
    size_t n_ips, cap_ips;
    const char **seen_slots; /* hash set of "e"+address and "i"+ip keys */
    size_t n_seen_slots, n_seen;
    size_t n_whitelisted; /* URLs left out by the whitelist */
    /* the rendered text/html bodies, one per m->text_html part that has
     * text, in order: kept by ms_urls_extract for the analyzers that
     * read the same markup (phishing), so it is parsed once */
    ms_html_doc *html_docs;
    size_t n_html_docs;
    bool truncated; /* max_urls was reached */
} ms_url_list;

/* Fills c with the defaults: MS_URLS_DEFAULT_MAX_URLS, no shorteners,
 * whitelist off. */
void ms_urls_config_init(ms_urls_config *c);

/* Frees the lists of c. */
void ms_urls_config_free(ms_urls_config *c);

/* Loads a shortener list: one domain a line, '#' starts a comment.
 * Entries add to those already loaded. Returns MS_OK, MS_EIO with the
 * reason in err, MS_ELIMIT past MS_URLS_MAX_LIST_ENTRIES, MS_ENOMEM. */
ms_status ms_urls_config_load_shorteners(ms_urls_config *c, const char *path,
                                         char *err, size_t err_size);

/* Same from text in memory. */
ms_status ms_urls_config_load_shorteners_text(ms_urls_config *c,
                                              const char *text, size_t n);

/* Loads a domain whitelist in SpamScope's format: a YAML mapping of named
 * lists, each {expiry: DATE or null, values: [domain, ...]}; a list whose
 * expiry is before now (0: the current time) is skipped. Enables the
 * whitelist. Returns MS_OK, or MS_EINVAL/MS_EIO with the reason in err. */
ms_status ms_urls_config_load_whitelist(ms_urls_config *c, const char *path,
                                        time_t now, char *err, size_t err_size);

/* Same from YAML text in memory. */
ms_status ms_urls_config_load_whitelist_text(ms_urls_config *c,
                                             const char *text, size_t n,
                                             time_t now, char *err,
                                             size_t err_size);

/* True when the lower-case domain, or a parent domain of it, is in set. */
bool ms_domain_set_contains(const ms_domain_set *set, const char *domain);

/* Empties list (no memory to free: everything is in the arena). */
void ms_url_list_init(ms_url_list *list);

/* Extracts from every source of the message: text parts, HTML parts,
 * and attachments by content, into the arena a (usually m->arena).
 * Returns MS_OK for any content; MS_ENOMEM when the arena refuses.
 * Ceilings become defects on m. */
ms_status ms_urls_extract(ms_arena *a, const ms_urls_config *c, ms_message *m,
                          ms_url_list *out);

/* Extracts from n bytes of plain text found at source (e.g. "text",
 * "attachment:a.txt"); links, e-mail addresses and IP literals. m may be
 * NULL (no defects recorded). */
ms_status ms_urls_extract_text(ms_arena *a, const ms_urls_config *c,
                               ms_message *m, const char *source, const char *p,
                               size_t n, ms_url_list *out);

/* Extracts from n bytes of HTML (or XML). source NULL gives the
 * "html:KIND" sources; otherwise every URL gets source as it is. Relative
 * links are resolved against <base href>, and links whose visible text
 * names another domain than their target are flagged. */
ms_status ms_urls_extract_html(ms_arena *a, const ms_urls_config *c,
                               ms_message *m, const char *source, const char *p,
                               size_t n, ms_url_list *out);

/* Extracts from the bytes of a file called name (an attachment or a file
 * inside an archive), by content: PDF /URI actions, HTML and XML (OOXML
 * relationships), or text. Binary content is skipped. */
ms_status ms_urls_extract_bytes(ms_arena *a, const ms_urls_config *c,
                                ms_message *m, const char *name,
                                const unsigned char *p, size_t n,
                                ms_url_list *out);

/* Writes the "urls" array (the caller writes the key). */
void ms_urls_write_json(ms_json *w, const ms_url_list *list);

/* Returns the names of the flags set in flags, in the order of their
 * bits, for each i < MS_URL_FLAG_COUNT where the bit is set. */
#define MS_URL_FLAG_COUNT 11
const char *ms_url_flag_name(unsigned bit_index);

#endif
