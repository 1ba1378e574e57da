/* SPDX-License-Identifier: MIT */
/*
 * Collection of a mail's observables into four deduplicated lists. Each
 * list is an array in first-seen order plus an open-addressing hash set
 * in the arena, so a mail with many thousands of links costs linear time.
 * Host names are kept only when they have a dot and are not IP literals;
 * IPs are written canonically so that "::ffff:0:1" and its other
 * spellings count once.
 */
#include "analysis/observables.h"

#include <idn2.h>
#include <stdint.h>
#include <string.h>

#include "util/ascii.h"
#include "util/ip.h"
#include "util/vec.h"

/* Smallest hash set; it doubles when half full. */
#define INITIAL_SLOTS 32

/* FNV-1a over n bytes. */
static size_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

/* Doubles the hash set of l. Returns MS_ENOMEM when the arena refuses. */
static ms_status grow_slots(ms_arena *a, ms_observable_list *l)
{
    size_t cap = l->n_slots ? l->n_slots * 2 : INITIAL_SLOTS;
    const char **fresh = ms_arena_calloc(a, cap, sizeof(*fresh));
    if (fresh == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < l->n; i++) {
        size_t s = hash_bytes(l->items[i], strlen(l->items[i])) & (cap - 1);
        while (fresh[s] != NULL)
            s = (s + 1) & (cap - 1);
        fresh[s] = l->items[i];
    }
    l->slots = fresh;
    l->n_slots = cap;
    return MS_OK;
}

/* Adds a string to a list; see observables.h. */
ms_status ms_observable_list_add(ms_arena *a, ms_observable_list *l,
                                 const char *p, size_t n)
{
    while (n > 0 && ms_ascii_is_space(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && (ms_ascii_is_space(p[n - 1]) || p[n - 1] == '.'))
        n--;
    if (n == 0)
        return MS_OK;
    char *key = ms_arena_alloc(a, n + 1);
    if (key == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        key[i] = ms_ascii_lower(p[i]);
    key[n] = '\0';
    if ((l->n + 1) * 2 > l->n_slots) {
        ms_status rc = grow_slots(a, l);
        if (rc != MS_OK)
            return rc;
    }
    size_t mask = l->n_slots - 1;
    size_t s = hash_bytes(key, n) & mask;
    while (l->slots[s] != NULL) {
        if (strcmp(l->slots[s], key) == 0)
            return MS_OK;
        s = (s + 1) & mask;
    }
    ms_status rc =
        MS_VEC_GROW(a, l->items, l->n, l->cap, MS_OBSERVABLES_MAX_ITEMS);
    if (rc == MS_ELIMIT) {
        l->truncated = true;
        return MS_OK;
    }
    if (rc != MS_OK)
        return rc;
    l->items[l->n++] = key;
    l->slots[s] = key;
    return MS_OK;
}

/* Adds a string of unknown length, ignoring NULL. */
static ms_status add_cstr(ms_arena *a, ms_observable_list *l, const char *z)
{
    return z ? ms_observable_list_add(a, l, z, strlen(z)) : MS_OK;
}

/* Adds an IP written in any form, canonically; text that is not an IP
 * is ignored. */
static ms_status add_ip(ms_arena *a, ms_observables *o, const char *z)
{
    ms_ip ip;
    if (z == NULL || !ms_ip_parse(z, strlen(z), &ip))
        return MS_OK;
    char buf[64];
    size_t n = ms_ip_format(&ip, buf, sizeof(buf));
    return ms_observable_list_add(a, &o->ips, buf, n);
}

/* Adds a host name when it is a dotted name and not an IP literal (a
 * Received "from" clause may hold either, or "unknown"). */
static ms_status add_host(ms_arena *a, ms_observables *o, const char *z)
{
    ms_ip ip;
    if (z == NULL || strchr(z, '.') == NULL || z[0] == '[' ||
        ms_ip_parse(z, strlen(z), &ip))
        return MS_OK;
    bool non_ascii = false;
    for (const char *c = z; *c; c++)
        non_ascii |= (unsigned char)*c >= 0x80;
    char *ascii = NULL;
    if (non_ascii) {
        /* the ASCII form, as the URL hosts are given: one domain written
         * in Unicode in an address and in punycode in a link is one
         * observable ("x@𝗲𝗯𝗮𝘆.de" is ebay.de to a mail system) */
        if (idn2_to_ascii_8z(
                z, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK &&
            idn2_to_ascii_8z(z, &ascii, IDN2_NFC_INPUT | IDN2_TRANSITIONAL) !=
                IDN2_OK)
            return MS_OK; /* not a name */
        z = ascii;
    }
    ms_status rc = MS_OK;
    bool name = true;
    for (const char *c = z; *c && name; c++)
        name = ms_ascii_is_alnum(*c) || *c == '.' || *c == '-' || *c == '_';
    if (name)
        rc = add_cstr(a, &o->domains, z);
    if (ascii != NULL)
        idn2_free(ascii);
    return rc;
}

/* Adds the addresses and their domains of one header list. */
static ms_status add_addresses(ms_arena *a, ms_observables *o,
                               const ms_address_list *list)
{
    ms_status rc = MS_OK;
    for (size_t i = 0; i < list->n && rc == MS_OK; i++) {
        const ms_address *ad = &list->items[i];
        const char *at = ad->address ? strrchr(ad->address, '@') : NULL;
        if (at == NULL || at == ad->address || at[1] == '\0')
            continue; /* "To: @example.net" names no mailbox */
        rc = add_cstr(a, &o->emails, ad->address);
        if (rc == MS_OK && ad->domain != NULL && ad->domain[0] != '\0')
            rc = add_host(a, o, ad->domain);
    }
    return rc;
}

/* Adds what the headers hold: addresses, Received hops, sender IP. */
static ms_status collect_message(ms_arena *a, const ms_message *m,
                                 ms_observables *o)
{
    const ms_address_list *lists[] = {
        &m->from,     &m->to,     &m->cc,           &m->bcc,
        &m->reply_to, &m->sender, &m->delivered_to, &m->return_path};
    ms_status rc = MS_OK;
    for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]) && rc == MS_OK; k++)
        rc = add_addresses(a, o, lists[k]);
    for (size_t i = 0; i < m->n_received && rc == MS_OK; i++) {
        const ms_received_hop *hop = &m->received[i];
        rc = add_ip(a, o, hop->from_ip);
        if (rc == MS_OK)
            rc = add_host(a, o, hop->from_host);
        if (rc == MS_OK)
            rc = add_host(a, o, hop->by_host);
    }
    if (rc == MS_OK)
        rc = add_ip(a, o, m->sender_ip);
    return rc;
}

/* True when the URL was only seen written in markup (a namespace, a
 * doctype, a comment): not a link, not an observable. */
static bool markup_only(const ms_url_entry *e)
{
    for (size_t i = 0; i < e->n_sources; i++)
        if (strcmp(e->sources[i], "html:markup") != 0)
            return false;
    return e->n_sources > 0;
}

/* Adds what the URL analyzer found. */
static ms_status collect_urls(ms_arena *a, const ms_url_list *urls,
                              ms_observables *o)
{
    ms_status rc = MS_OK;
    for (size_t i = 0; i < urls->n && rc == MS_OK; i++) {
        const ms_url *u = &urls->items[i].url;
        if (u->host == NULL || markup_only(&urls->items[i]))
            continue;
        if (u->is_ip) {
            rc = add_ip(a, o, u->host);
            continue;
        }
        rc = add_host(a, o, u->host);
        if (rc == MS_OK && u->domain != NULL && strcmp(u->domain, u->host))
            rc = add_host(a, o, u->domain);
    }
    for (size_t i = 0; i < urls->n_emails && rc == MS_OK; i++) {
        rc = add_cstr(a, &o->emails, urls->emails[i]);
        const char *at = strrchr(urls->emails[i], '@');
        if (rc == MS_OK && at != NULL)
            rc = add_host(a, o, at + 1);
    }
    for (size_t i = 0; i < urls->n_ips && rc == MS_OK; i++)
        rc = add_ip(a, o, urls->ips[i]);
    return rc;
}

/* Collects the observables; see observables.h. */
ms_status ms_observables_collect(ms_arena *a, const ms_message *m,
                                 const ms_url_list *urls,
                                 const char *const *hashes, size_t n_hashes,
                                 ms_observables *out)
{
    memset(out, 0, sizeof(*out));
    ms_status rc = MS_OK;
    if (m != NULL)
        rc = collect_message(a, m, out);
    if (rc == MS_OK && urls != NULL)
        rc = collect_urls(a, urls, out);
    for (size_t i = 0; i < n_hashes && rc == MS_OK; i++)
        rc = add_cstr(a, &out->hashes, hashes[i]);
    return rc;
}

/* Writes one list as an array. */
static void write_list(ms_json *w, const char *key, const ms_observable_list *l)
{
    ms_json_key(w, key);
    ms_json_array_begin(w);
    for (size_t i = 0; i < l->n; i++)
        ms_json_cstr(w, l->items[i]);
    ms_json_array_end(w);
}

/* Writes the observables object; see observables.h. */
void ms_observables_write_json(ms_json *w, const ms_observables *o)
{
    ms_json_object_begin(w);
    write_list(w, "domains", &o->domains);
    write_list(w, "ips", &o->ips);
    write_list(w, "emails", &o->emails);
    write_list(w, "hashes", &o->hashes);
    ms_json_object_end(w);
}
