/* SPDX-License-Identifier: MIT */
/*
 * Observables: the distinct domains, IP addresses, e-mail addresses and
 * hashes of a mail, what a SIEM puts in related.hosts, related.ip,
 * related.user and related.hash. Collected from the URLs (hosts and
 * registered domains), the bodies (addresses and IP literals the URL
 * analyzer found), the headers (addresses), the Received chain (sending
 * IPs and host names) and hashes the caller hands over.
 */
#ifndef MS_ANALYSIS_OBSERVABLES_H
#define MS_ANALYSIS_OBSERVABLES_H

#include <stddef.h>

#include "analysis/urls.h"
#include "mailscope/message.h"
#include "util/json.h"

/* Entries kept per list; a mail with more is cut, not refused. */
#define MS_OBSERVABLES_MAX_ITEMS 10000

/* One deduplicated list of lower-case strings, in first-seen order. */
typedef struct ms_observable_list {
    const char **items;
    size_t n, cap;
    const char **slots; /* hash set over items */
    size_t n_slots;
    bool truncated;
} ms_observable_list;

typedef struct ms_observables {
    ms_observable_list domains;
    ms_observable_list ips;
    ms_observable_list emails;
    ms_observable_list hashes;
} ms_observables;

/* Collects the observables of m (may be NULL) and urls (may be NULL),
 * plus the n_hashes hex strings of hashes (attachment and body digests
 * the caller computed), into out in the arena. Returns MS_OK or
 * MS_ENOMEM. */
ms_status ms_observables_collect(ms_arena *a, const ms_message *m,
                                 const ms_url_list *urls,
                                 const char *const *hashes, size_t n_hashes,
                                 ms_observables *out);

/* Adds one string (lower-cased) to a list unless present. Returns MS_OK
 * or MS_ENOMEM; past the ceiling it sets truncated. */
ms_status ms_observable_list_add(ms_arena *a, ms_observable_list *l,
                                 const char *p, size_t n);

/* Writes the "observables" object {domains, ips, emails, hashes} (the
 * caller writes the key). */
void ms_observables_write_json(ms_json *w, const ms_observables *o);

#endif
