/* SPDX-License-Identifier: MIT */
/*
 * The URL analyzer: walks the sources of a mail, hands text to the
 * free-text finder and HTML to the renderer, parses every candidate, and
 * keeps one entry per normalized URL in a hash index so that a mail with
 * a hundred thousand links stays linear. Lists (shorteners, whitelist)
 * are sorted arrays built once per configuration and searched with
 * bsearch by every worker.
 */
#include "analysis/urls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "analysis/archive.h"
#include "analysis/url_extract.h"
#include "html/entities.h"
#include "html/render.h"
#include "html/tokenizer.h"
#include "util/ascii.h"
#include "util/ip.h"
#include "util/vec.h"

/* Smallest hash index; it doubles when half full. */
#define INITIAL_SLOTS 64
/* Bytes of a file sniffed to tell markup, PDF, text and binary apart. */
#define SNIFF_BYTES 4096
/* Bytes of a PDF string read as a /URI target. */
#define MAX_PDF_URI_BYTES 4096
/* Members of an OOXML package listed, and bytes of one relationship part
 * and of all of them read: a real document has a few dozen small parts. */
#define MAX_OOXML_ENTRIES    2000
#define MAX_OOXML_PART_BYTES (4u << 20)
#define MAX_OOXML_BYTES      (16u << 20)

static const char *const flag_names[MS_URL_FLAG_COUNT] = {
    "obfuscated",     "text_href_mismatch", "ip_host",  "idn",
    "mixed_script",   "shortener",          "data_uri", "javascript_uri",
    "redirect_param", "credential",         "truncated"};

/* Returns the output name of flag bit i; see urls.h. */
const char *ms_url_flag_name(unsigned bit_index)
{
    return bit_index < MS_URL_FLAG_COUNT ? flag_names[bit_index] : "";
}

/* ------------------------------------------------------------------ */
/* Domain sets                                                        */

/* Orders two set entries. */
static int compare_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Adds a lower-cased copy of the n bytes at p to the set (unsorted until
 * finish_set). Returns MS_ELIMIT past the ceiling, MS_ENOMEM. */
static ms_status set_add(ms_domain_set *set, const char *p, size_t n)
{
    while (n > 0 && ms_ascii_is_space(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && (ms_ascii_is_space(p[n - 1]) || p[n - 1] == '.'))
        n--;
    if (n == 0)
        return MS_OK;
    if (set->n >= MS_URLS_MAX_LIST_ENTRIES)
        return MS_ELIMIT;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        char **items = realloc(set->items, cap * sizeof(*items));
        if (items == NULL)
            return MS_ENOMEM;
        set->items = items;
        set->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        copy[i] = ms_ascii_lower(p[i]);
    copy[n] = '\0';
    set->items[set->n++] = copy;
    return MS_OK;
}

/* Sorts the set and drops duplicates. */
static void finish_set(ms_domain_set *set)
{
    if (set->n == 0)
        return;
    qsort(set->items, set->n, sizeof(*set->items), compare_names);
    size_t o = 1;
    for (size_t i = 1; i < set->n; i++) {
        if (strcmp(set->items[i], set->items[o - 1]) == 0)
            free(set->items[i]);
        else
            set->items[o++] = set->items[i];
    }
    set->n = o;
}

/* Frees a set. */
static void free_set(ms_domain_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->items[i]);
    free(set->items);
    memset(set, 0, sizeof(*set));
}

/* True when domain or one of its parent domains is in the set; see
 * urls.h. "a.bit.ly" matches "bit.ly". */
bool ms_domain_set_contains(const ms_domain_set *set, const char *domain)
{
    if (set == NULL || set->n == 0 || domain == NULL)
        return false;
    const char *d = domain;
    while (d != NULL && *d != '\0') {
        if (bsearch(&d, set->items, set->n, sizeof(*set->items),
                    compare_names) != NULL)
            return true;
        d = strchr(d, '.');
        if (d != NULL)
            d++;
    }
    return false;
}

/* Fills the defaults; see urls.h. */
void ms_urls_config_init(ms_urls_config *c)
{
    memset(c, 0, sizeof(*c));
    c->max_urls = MS_URLS_DEFAULT_MAX_URLS;
}

/* Frees the lists; see urls.h. */
void ms_urls_config_free(ms_urls_config *c)
{
    free_set(&c->shorteners);
    free_set(&c->whitelist);
}

/* Reads a whole file into a malloc'd NUL-terminated buffer. */
static ms_status read_file(const char *path, char **out, size_t *out_n,
                           char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return MS_EIO;
    }
    char *buf = malloc(MS_URLS_MAX_LIST_FILE_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        return MS_ENOMEM;
    }
    size_t n = fread(buf, 1, MS_URLS_MAX_LIST_FILE_BYTES + 1, f);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed || n > MS_URLS_MAX_LIST_FILE_BYTES) {
        snprintf(err, err_size, "%s: %s", path,
                 failed ? "read error" : "file too large");
        free(buf);
        return failed ? MS_EIO : MS_ELIMIT;
    }
    buf[n] = '\0';
    *out = buf;
    *out_n = n;
    return MS_OK;
}

/* Loads shorteners from text; see urls.h. */
ms_status ms_urls_config_load_shorteners_text(ms_urls_config *c,
                                              const char *text, size_t n)
{
    size_t i = 0;
    ms_status rc = MS_OK;
    while (i < n && rc == MS_OK) {
        const char *nl = memchr(text + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - text) : n;
        const char *hash = memchr(text + i, '#', end - i);
        size_t stop = hash ? (size_t)(hash - text) : end;
        rc = set_add(&c->shorteners, text + i, stop - i);
        i = end + 1;
    }
    finish_set(&c->shorteners);
    return rc;
}

/* Loads shorteners from a file; see urls.h. */
ms_status ms_urls_config_load_shorteners(ms_urls_config *c, const char *path,
                                         char *err, size_t err_size)
{
    char *text;
    size_t n;
    ms_status rc = read_file(path, &text, &n, err, err_size);
    if (rc != MS_OK)
        return rc;
    rc = ms_urls_config_load_shorteners_text(c, text, n);
    if (rc == MS_ELIMIT)
        snprintf(err, err_size, "%s: more than %u entries", path,
                 (unsigned)MS_URLS_MAX_LIST_ENTRIES);
    free(text);
    return rc;
}

/* Reads a YAML expiry: null/empty (never), a date "YYYY-MM-DD", or a
 * date and time "YYYY-MM-DDTHH:MM:SS[.fff][Z]" in UTC. Returns false
 * when it is none of these. */
static bool parse_expiry(const char *z, bool *never, time_t *when)
{
    *never = false;
    if (z[0] == '\0' || strcmp(z, "null") == 0 || strcmp(z, "~") == 0) {
        *never = true;
        return true;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int used = 0;
    if (sscanf(z, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &used) != 3)
        return false;
    if (z[used] == 'T' || z[used] == ' ') {
        if (sscanf(z + used + 1, "%2d:%2d:%2d", &tm.tm_hour, &tm.tm_min,
                   &tm.tm_sec) != 3)
            return false;
    } else if (z[used] != '\0') {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *when = timegm(&tm);
    return true;
}

/* Returns the value node of key in a YAML mapping node, or NULL. */
static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map,
                            const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

/* Loads a whitelist from YAML text; see urls.h. */
ms_status ms_urls_config_load_whitelist_text(ms_urls_config *c,
                                             const char *text, size_t n,
                                             time_t now, char *err,
                                             size_t err_size)
{
    if (now == 0)
        now = time(NULL);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return MS_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, err_size, "line %lu: %s",
                 (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "broken YAML");
        yaml_parser_delete(&parser);
        return MS_EINVAL;
    }
    ms_status rc = MS_OK;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root == NULL)
        goto out; /* an empty file is an empty whitelist */
    if (root->type != YAML_MAPPING_NODE) {
        snprintf(err, err_size, "line %lu: a mapping of named lists expected",
                 (unsigned long)root->start_mark.line + 1);
        rc = MS_EINVAL;
        goto out;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top && rc == MS_OK; p++) {
        yaml_node_t *list = yaml_document_get_node(&doc, p->value);
        if (list == NULL || list->type != YAML_MAPPING_NODE) {
            snprintf(err, err_size, "line %lu: {expiry, values} expected",
                     list ? (unsigned long)list->start_mark.line + 1 : 0ul);
            rc = MS_EINVAL;
            break;
        }
        yaml_node_t *expiry = map_get(&doc, list, "expiry");
        bool never = true;
        time_t when = 0;
        if (expiry != NULL &&
            (expiry->type != YAML_SCALAR_NODE ||
             !parse_expiry((const char *)expiry->data.scalar.value, &never,
                           &when))) {
            snprintf(err, err_size, "line %lu: expiry is not a date",
                     (unsigned long)expiry->start_mark.line + 1);
            rc = MS_EINVAL;
            break;
        }
        if (!never && when < now)
            continue; /* expired: its domains are not trusted any more */
        yaml_node_t *values = map_get(&doc, list, "values");
        if (values == NULL)
            continue;
        if (values->type != YAML_SEQUENCE_NODE) {
            snprintf(err, err_size, "line %lu: values must be a list",
                     (unsigned long)values->start_mark.line + 1);
            rc = MS_EINVAL;
            break;
        }
        for (yaml_node_item_t *it = values->data.sequence.items.start;
             it < values->data.sequence.items.top && rc == MS_OK; it++) {
            yaml_node_t *v = yaml_document_get_node(&doc, *it);
            if (v == NULL || v->type != YAML_SCALAR_NODE)
                continue;
            rc = set_add(&c->whitelist, (const char *)v->data.scalar.value,
                         v->data.scalar.length);
            if (rc == MS_ELIMIT)
                snprintf(err, err_size, "more than %u entries",
                         (unsigned)MS_URLS_MAX_LIST_ENTRIES);
        }
    }
out:
    finish_set(&c->whitelist);
    if (rc == MS_OK)
        c->whitelist_enabled = true;
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

/* Loads a whitelist file; see urls.h. */
ms_status ms_urls_config_load_whitelist(ms_urls_config *c, const char *path,
                                        time_t now, char *err, size_t err_size)
{
    char *text;
    size_t n;
    ms_status rc = read_file(path, &text, &n, err, err_size);
    if (rc != MS_OK)
        return rc;
    char inner[200] = "";
    rc = ms_urls_config_load_whitelist_text(c, text, n, now, inner,
                                            sizeof(inner));
    if (rc != MS_OK)
        snprintf(err, err_size, "%s: %s", path, inner);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The list of one mail                                               */

/* Empties a list; see urls.h. */
void ms_url_list_init(ms_url_list *list)
{
    memset(list, 0, sizeof(*list));
}

/* FNV-1a over a string. */
static size_t hash_string(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

/* Rebuilds a hash index of twice the size over the n keys returned by
 * key_of(ctx, i). Returns MS_ENOMEM when the arena refuses. */
static ms_status grow_index(ms_arena *a, size_t **slots, size_t *n_slots,
                            size_t n, const char *(*key_of)(void *, size_t),
                            void *ctx)
{
    size_t cap = *n_slots ? *n_slots * 2 : INITIAL_SLOTS;
    size_t *fresh = ms_arena_calloc(a, cap, sizeof(*fresh));
    if (fresh == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *k = key_of(ctx, i);
        size_t s = hash_string(k, strlen(k)) & (cap - 1);
        while (fresh[s] != 0)
            s = (s + 1) & (cap - 1);
        fresh[s] = i + 1;
    }
    *slots = fresh;
    *n_slots = cap;
    return MS_OK;
}

/* The key of URL entry i. */
static const char *url_key(void *ctx, size_t i)
{
    return ((ms_url_list *)ctx)->items[i].url.url;
}

/* Adds a source to an entry unless it is there already. */
static void entry_add_source(ms_url_entry *e, const char *source)
{
    for (size_t k = 0; k < e->n_sources; k++) {
        if (strcmp(e->sources[k], source) == 0)
            return;
    }
    if (e->n_sources < MS_URLS_MAX_SOURCES)
        e->sources[e->n_sources++] = source;
}

/* The state of one extraction call: where the hits go. */
typedef struct extract_ctx {
    ms_arena *arena;
    const ms_urls_config *config;
    ms_message *m;
    ms_url_list *list;
    const char *source;
    int depth;     /* redirect nesting */
    bool only_new; /* a URL already listed keeps its sources */
} extract_ctx;

/* Records the "limit_urls" defect once per list. */
static ms_status hit_url_limit(extract_ctx *x)
{
    if (x->list->truncated)
        return MS_ELIMIT;
    x->list->truncated = true;
    if (x->m != NULL) {
        ms_status rc = ms_message_add_defect(x->m, "limit_urls", "0",
                                             "more than %zu distinct URLs",
                                             x->config->max_urls);
        if (rc != MS_OK)
            return rc;
    }
    return MS_ELIMIT;
}

/* Doubles the hash set of seen e-mail addresses and IPs, moving the
 * keys over. Returns MS_ENOMEM when the arena refuses. */
static ms_status grow_seen(ms_arena *a, ms_url_list *l)
{
    size_t cap = l->n_seen_slots ? l->n_seen_slots * 2 : INITIAL_SLOTS;
    const char **fresh = ms_arena_calloc(a, cap, sizeof(*fresh));
    if (fresh == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < l->n_seen_slots; i++) {
        const char *k = l->seen_slots[i];
        if (k == NULL)
            continue;
        size_t s = hash_string(k, strlen(k)) & (cap - 1);
        while (fresh[s] != NULL)
            s = (s + 1) & (cap - 1);
        fresh[s] = k;
    }
    l->seen_slots = fresh;
    l->n_seen_slots = cap;
    return MS_OK;
}

/* Adds one e-mail address (kind_tag 'e', lower-cased) or IP ('i') to its
 * list unless seen before. The tag is the first byte of the key so that
 * both kinds share one set. */
static ms_status add_seen(extract_ctx *x, char kind_tag, const char *p,
                          size_t n)
{
    ms_url_list *l = x->list;
    bool email = kind_tag == 'e';
    if ((email && l->n_emails >= MS_URLS_MAX_EMAILS) ||
        (!email && l->n_ips >= MS_URLS_MAX_IPS))
        return MS_OK;
    char *key = ms_arena_alloc(x->arena, n + 2);
    if (key == NULL)
        return MS_ENOMEM;
    key[0] = kind_tag;
    for (size_t i = 0; i < n; i++)
        key[i + 1] = ms_ascii_lower(p[i]);
    key[n + 1] = '\0';
    if ((l->n_seen + 1) * 2 > l->n_seen_slots) {
        ms_status rc = grow_seen(x->arena, l);
        if (rc != MS_OK)
            return rc;
    }
    size_t mask = l->n_seen_slots - 1;
    size_t s = hash_string(key, n + 1) & mask;
    while (l->seen_slots[s] != NULL) {
        if (strcmp(l->seen_slots[s], key) == 0)
            return MS_OK;
        s = (s + 1) & mask;
    }
    ms_status rc = email ? MS_VEC_GROW(x->arena, l->emails, l->n_emails,
                                       l->cap_emails, MS_URLS_MAX_EMAILS)
                         : MS_VEC_GROW(x->arena, l->ips, l->n_ips, l->cap_ips,
                                       MS_URLS_MAX_IPS);
    if (rc != MS_OK)
        return rc == MS_ELIMIT ? MS_OK : rc;
    l->seen_slots[s] = key;
    l->n_seen++;
    if (email)
        l->emails[l->n_emails++] = key + 1;
    else
        l->ips[l->n_ips++] = key + 1;
    return MS_OK;
}

static ms_status add_url(extract_ctx *x, const char *p, size_t n,
                         bool obfuscated, const char *display_text);

/* Adds the address of a mailto: path ("j%2Edoe@example.com%20", the
 * escapes of the URL decoded, the white space and angle brackets a
 * client drops dropped, and only the first of several addresses). */
static ms_status add_mailto_address(extract_ctx *x, const char *path)
{
    size_t n = strcspn(path, "?#");
    char *addr = ms_arena_alloc(x->arena, n + 1);
    if (addr == NULL)
        return MS_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi =
            i + 2 < n && path[i] == '%' ? ms_ascii_hex_value(path[i + 1]) : -1;
        int lo = hi >= 0 ? ms_ascii_hex_value(path[i + 2]) : -1;
        if (lo >= 0) {
            addr[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            addr[o++] = path[i];
        }
    }
    size_t s = 0;
    while (s < o && (ms_ascii_is_space(addr[s]) || addr[s] == '<'))
        s++;
    size_t e = s;
    while (e < o && addr[e] != ',' && addr[e] != ';' && addr[e] != '<' &&
           addr[e] != '>' && !ms_ascii_is_space(addr[e]))
        e++;
    const char *at = memchr(addr + s, '@', e - s);
    if (at == NULL || at == addr + s || at + 1 == addr + e ||
        memchr(at + 1, '@', (size_t)(addr + e - at - 1)) != NULL)
        return MS_OK;
    for (size_t i = s; i < e; i++) {
        if ((unsigned char)addr[i] < 0x20 || addr[i] == 0x7F)
            return MS_OK;
    }
    return add_seen(x, 'e', addr + s, e - s);
}

/* Compares a link's visible text with where it goes: a text that reads
 * as a URL or a domain of another registered domain than the target is
 * the classic phishing link ("https://www.paypal.com" shown, another
 * site opened). */
static ms_status check_display_text(extract_ctx *x, ms_url_entry *e,
                                    const char *text)
{
    const ms_url *target = &e->url;
    const char *target_domain = target->domain ? target->domain : target->host;
    if (target_domain == NULL || text == NULL || text[0] == '\0')
        return MS_OK;
    size_t n = strlen(text);
    const char *cand = NULL;
    size_t cand_n = 0;
    size_t start = 0;
    /* the first word that is a URL, a www. form or a domain */
    while (start < n && cand == NULL) {
        while (start < n && ms_ascii_is_space(text[start]))
            start++;
        size_t end = start;
        while (end < n && !ms_ascii_is_space(text[end]))
            end++;
        ms_slice word = {text + start, end - start};
        if (ms_url_has_scheme(word.p, word.n) &&
            ms_slice_find_ci(word, MS_SLICE_LIT("://")) != (size_t)-1) {
            cand = word.p;
            cand_n = word.n;
        } else {
            size_t host_n = 0;
            while (host_n < word.n && word.p[host_n] != '/')
                host_n++;
            if (ms_url_looks_like_domain(word.p, host_n)) {
                cand = word.p;
                cand_n = word.n;
            }
        }
        start = end;
    }
    if (cand == NULL)
        return MS_OK;
    ms_url shown;
    ms_status rc = ms_url_parse(x->arena, cand, cand_n, &shown);
    if (rc != MS_OK || !shown.valid)
        return rc;
    const char *shown_domain = shown.domain ? shown.domain : shown.host;
    if (shown_domain != NULL && strcmp(shown_domain, target_domain) != 0)
        e->url.flags |= MS_URL_TEXT_HREF_MISMATCH;
    return MS_OK;
}

/* Parses one candidate and adds it (or its source to the existing
 * entry). Whitelisted registered domains are counted and left out.
 * Returns MS_ELIMIT when the list is full. */
static ms_status add_url(extract_ctx *x, const char *p, size_t n,
                         bool obfuscated, const char *display_text)
{
    ms_url u;
    ms_status rc = ms_url_parse(x->arena, p, n, &u);
    if (rc != MS_OK || !u.valid)
        return rc;
    if (obfuscated)
        u.flags |= MS_URL_OBFUSCATED;
    const ms_urls_config *c = x->config;
    if (c->whitelist_enabled && u.domain != NULL &&
        ms_domain_set_contains(&c->whitelist, u.domain)) {
        x->list->n_whitelisted++;
        return MS_OK;
    }
    if (u.host != NULL && !u.is_ip &&
        ms_domain_set_contains(&c->shorteners, u.host))
        u.flags |= MS_URL_SHORTENER;
    if (u.is_ip) {
        const char *ip = u.host;
        size_t ip_n = strlen(ip);
        if (ip[0] == '[') {
            ip++;
            ip_n -= 2;
        }
        rc = add_seen(x, 'i', ip, ip_n);
        if (rc != MS_OK)
            return rc;
    }
    if (strcmp(u.scheme, "mailto") == 0 && u.resource_path != NULL) {
        rc = add_mailto_address(x, u.resource_path);
        if (rc != MS_OK)
            return rc;
    }

    ms_url_list *l = x->list;
    if ((l->n + 1) * 2 > l->n_slots) {
        rc = grow_index(x->arena, &l->slots, &l->n_slots, l->n, url_key, l);
        if (rc != MS_OK)
            return rc;
    }
    size_t mask = l->n_slots - 1;
    size_t s = hash_string(u.url, u.url_len) & mask;
    ms_url_entry *e = NULL;
    while (l->slots[s] != 0) {
        ms_url_entry *cand = &l->items[l->slots[s] - 1];
        if (cand->url.url_len == u.url_len &&
            memcmp(cand->url.url, u.url, u.url_len) == 0) {
            e = cand;
            break;
        }
        s = (s + 1) & mask;
    }
    if (e == NULL) {
        if (l->n >= c->max_urls)
            return hit_url_limit(x);
        rc = MS_VEC_GROW(x->arena, l->items, l->n, l->cap, 0);
        if (rc != MS_OK)
            return rc;
        e = &l->items[l->n];
        memset(e, 0, sizeof(*e));
        e->url = u;
        l->slots[s] = ++l->n;
    } else if (x->only_new) {
        return MS_OK;
    } else {
        e->url.flags |= u.flags & MS_URL_OBFUSCATED;
    }
    entry_add_source(e, x->source);
    if (display_text != NULL && display_text[0] != '\0') {
        if (e->display_text == NULL)
            e->display_text = display_text;
        rc = check_display_text(x, e, display_text);
        if (rc != MS_OK)
            return rc;
    }
    if (u.redirect_target != NULL && x->depth < MS_URLS_MAX_REDIRECT_DEPTH) {
        const char *saved = x->source;
        x->source = "redirect";
        x->depth++;
        const char *target = u.redirect_target;
        if (ms_url_has_scheme(target, strlen(target)) ||
            ms_slice_starts_with_ci(ms_slice_from_cstr(target), "www.") ||
            (target[0] == '/' && target[1] == '/'))
            rc = add_url(x, target, strlen(target), false, NULL);
        x->depth--;
        x->source = saved;
    }
    return rc;
}

/* Receives the hits of the free-text finder. */
static ms_status on_text_hit(void *ctx, const ms_url_hit *hit)
{
    extract_ctx *x = ctx;
    if (hit->kind == MS_URL_HIT_EMAIL)
        return add_seen(x, 'e', hit->p, hit->n);
    return add_url(x, hit->p, hit->n, hit->obfuscated, NULL);
}

/* Receives the IP literals of a text. */
typedef struct ip_scan_ctx {
    extract_ctx *x;
    ms_status rc;
} ip_scan_ctx;

/* Adds one IP literal found in text. */
static void on_text_ip(void *ctx, const ms_ip *ip, size_t off, size_t len)
{
    (void)off;
    (void)len;
    ip_scan_ctx *s = ctx;
    if (s->rc != MS_OK)
        return;
    char buf[64];
    size_t n = ms_ip_format(ip, buf, sizeof(buf));
    s->rc = add_seen(s->x, 'i', buf, n);
}

/* Runs the text finder and the IP scan; MS_ELIMIT from a full list ends
 * the scan quietly. */
static ms_status scan_text(extract_ctx *x, const char *p, size_t n)
{
    ms_status rc = ms_url_scan_text(x->arena, p, n, on_text_hit, x);
    if (rc != MS_OK)
        return rc == MS_ELIMIT ? MS_OK : rc;
    ip_scan_ctx s = {x, MS_OK};
    ms_ip_scan(p, n, on_text_ip, &s);
    return s.rc;
}

/* Extracts from text; see urls.h. */
ms_status ms_urls_extract_text(ms_arena *a, const ms_urls_config *c,
                               ms_message *m, const char *source, const char *p,
                               size_t n, ms_url_list *out)
{
    extract_ctx x = {a, c, m, out, source ? source : "text", 0, false};
    return scan_text(&x, p, n);
}

/* Joins "html:" and a ref kind into a source name (static strings, so
 * nothing is allocated per link). */
static const char *html_source(ms_html_ref_kind kind)
{
    switch (kind) {
    case MS_HTML_REF_HREF:
        return "html:href";
    case MS_HTML_REF_SRC:
        return "html:src";
    case MS_HTML_REF_FORM:
        return "html:form";
    case MS_HTML_REF_BACKGROUND:
        return "html:background";
    case MS_HTML_REF_SRCSET:
        return "html:srcset";
    case MS_HTML_REF_CSS:
        return "html:css";
    case MS_HTML_REF_REFRESH:
        return "html:refresh";
    case MS_HTML_REF_BASE:
        return "html:base";
    case MS_HTML_REF_OOXML:
        return "html:ooxml";
    case MS_HTML_REF_OTHER:
        break;
    }
    return "html:other";
}

/* True for the bytes SpamScope's URL expression takes after "://":
 * ! # $ & ' ( ) * + , - . / 0-9 : ; = ? @ A-Z [ ] _ a-z ~ (and %XX). */
static bool markup_url_byte(unsigned char c)
{
    return c == '!' || c == '#' || c == '$' || (c >= '&' && c <= ';') ||
           c == '=' || (c >= '?' && c <= '[') || c == ']' || c == '_' ||
           (c >= 'a' && c <= 'z') || c == '~' || c == '%';
}

/* Adds the http, https, ftp and ftps URLs of n bytes of p the way
 * SpamScope's expression finds them: a scheme, "://", then the bytes it
 * takes; entities are decoded and trailing punctuation dropped. */
static ms_status scan_schemes(extract_ctx *x, const char *p, size_t n)
{
    ms_status rc = MS_OK;
    for (const char *sep = n ? memchr(p, ':', n) : NULL; sep && rc == MS_OK;
         sep = (size_t)(sep + 1 - p) < n
                   ? memchr(sep + 1, ':', n - (size_t)(sep + 1 - p))
                   : NULL) {
        size_t at = (size_t)(sep - p);
        if (at + 3 > n || sep[1] != '/' || sep[2] != '/')
            continue;
        const char *s = NULL;
        static const char *const schemes[] = {"https", "http", "ftps", "ftp"};
        for (size_t k = 0; k < 4 && s == NULL; k++) {
            size_t len = strlen(schemes[k]);
            if (at >= len && strncasecmp(p + at - len, schemes[k], len) == 0)
                s = p + at - len;
        }
        if (s == NULL)
            continue;
        size_t end = at + 3;
        while (end < n && markup_url_byte((unsigned char)p[end]))
            end++;
        ms_buf b;
        ms_buf_init(&b, MS_URL_MAX_BYTES);
        rc = ms_html_decode_append(&b, s, (size_t)(p + end - s), true);
        if (rc == MS_OK || rc == MS_ELIMIT) {
            size_t len = b.n;
            while (len > 0 && strchr(".,;:!?)'", b.p[len - 1]) != NULL)
                len--;
            rc = len > (size_t)(at - (size_t)(s - p)) + 3
                     ? add_url(x, b.p, len, false, NULL)
                     : MS_OK;
        }
        ms_buf_free(&b);
        sep = p + end - 1;
    }
    return rc;
}

/* Attributes the renderer reads as URLs (or CSS), and namespaces: their
 * values are not scanned again. */
static bool structured_attribute(ms_slice name)
{
#define NAME(z)                                                                \
    {                                                                          \
        z, sizeof(z) - 1                                                       \
    }
    static const struct {
        const char *z;
        size_t n;
    } names[] = {
        NAME("href"),   NAME("src"),        NAME("srcset"),
        NAME("action"), NAME("formaction"), NAME("background"),
        NAME("poster"), NAME("cite"),       NAME("longdesc"),
        NAME("lowsrc"), NAME("dynsrc"),     NAME("xlink:href"),
        NAME("ping"),   NAME("manifest"),   NAME("codebase"),
        NAME("style"),  NAME("data"),
    };
#undef NAME
    if (ms_slice_starts_with_ci(name, "xmlns"))
        return true;
    /* the length first: most attributes are passed over without a look
     * at their bytes */
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (names[k].n == name.n && ms_slice_eq_cstr_ci(name, names[k].z))
            return true;
    return false;
}

/* The places of a body's markup where the renderer does not look for
 * links: comments, scripts and style sheets, and the values of other
 * attributes (form values, event handlers, data-*), where SpamScope
 * found links with one expression over the raw body. They are gathered
 * while the body is rendered, in one pass over its tokens, and read
 * after the renderer's links so that only links no other place gave are
 * added, with the source "html:markup". Doctypes are not links and are
 * skipped. */
typedef struct markup {
    ms_arena *arena;
    ms_slice *places;
    size_t n, cap;
} markup;

/* Keeps one place of markup. */
static ms_status markup_keep(markup *mk, const char *p, size_t n)
{
    if (n == 0)
        return MS_OK;
    ms_status rc = MS_VEC_GROW(mk->arena, mk->places, mk->n, mk->cap, 0);
    if (rc != MS_OK)
        return rc;
    mk->places[mk->n++] = (ms_slice){p, n};
    return MS_OK;
}

/* Token hook of the renderer: keeps the places scan_markup reads. */
static ms_status markup_token(void *ctx, const ms_html_token *tok)
{
    markup *mk = ctx;
    if (tok->type == MS_HTML_COMMENT ||
        (tok->type == MS_HTML_TEXT && tok->raw_text))
        return markup_keep(mk, tok->text.p, tok->text.n);
    ms_status rc = MS_OK;
    if (tok->type == MS_HTML_START_TAG)
        for (size_t k = 0; k < tok->n_attrs && rc == MS_OK; k++)
            if (!structured_attribute(tok->attrs[k].name))
                rc = markup_keep(mk, tok->attrs[k].value.p,
                                 tok->attrs[k].value.n);
    return rc;
}

/* Reads the places kept for links no other place gave. */
static ms_status scan_markup(extract_ctx *x, const markup *mk)
{
    const char *saved = x->source;
    x->source = "html:markup";
    x->only_new = true;
    ms_status rc = MS_OK;
    for (size_t i = 0; i < mk->n && rc == MS_OK; i++)
        rc = scan_schemes(x, mk->places[i].p, mk->places[i].n);
    x->source = saved;
    x->only_new = false;
    return rc == MS_ELIMIT ? MS_OK : rc;
}

/* Extracts from HTML, and copies the rendered document to *keep unless
 * keep is NULL. */
static ms_status extract_html(ms_arena *a, const ms_urls_config *c,
                              ms_message *m, const char *source, const char *p,
                              size_t n, ms_url_list *out, ms_html_doc *keep)
{
    ms_html_limits lim;
    ms_html_limits_default(&lim);
    ms_html_doc doc;
    /* the bodies' markup is read too, as SpamScope read the body
     * (attachments and OOXML parts are read by structure only) */
    markup mk = {a, NULL, 0, 0};
    ms_status rc = ms_html_render_with(
        a, p, n, &lim, source == NULL ? markup_token : NULL, &mk, &doc);
    if (rc != MS_OK)
        return rc;
    if (keep != NULL)
        *keep = doc;
    if (doc.truncated && m != NULL) {
        rc = ms_message_add_defect(m, "limit_html", "0",
                                   "HTML ceiling reached (%zu refs)",
                                   doc.n_refs);
        if (rc != MS_OK)
            return rc;
    }
    extract_ctx x = {a, c, m, out, source, 0, false};
    /* relative links are resolved against <base href> when it is an
     * absolute URL: phishing pages set a base so that every relative
     * link of a copied page goes to the attacker's host */
    const char *base = doc.base_href;
    if (base != NULL && !ms_url_has_scheme(base, strlen(base)))
        base = NULL;
    for (size_t i = 0; i < doc.n_refs; i++) {
        const ms_html_ref *ref = &doc.refs[i];
        const char *url;
        size_t url_n;
        rc = ms_url_resolve(a, ref->kind == MS_HTML_REF_BASE ? NULL : base,
                            ref->url, ref->url_len, &url, &url_n);
        if (rc != MS_OK)
            return rc;
        /* without a base a relative link has nowhere to go: a host
         * written without scheme ("www.x.com/") is still read */
        if (!ms_url_has_scheme(url, url_n) &&
            !(url_n >= 2 && url[0] == '/' && url[1] == '/') &&
            !ms_slice_starts_with_ci((ms_slice){url, url_n}, "www."))
            continue;
        if (url_n >= 2 && url[0] == '/' && url[1] == '/') {
            rc = ms_url_resolve(a, "http://x", url, url_n, &url, &url_n);
            if (rc != MS_OK)
                return rc;
        }
        x.source = source ? source : html_source(ref->kind);
        rc = add_url(&x, url, url_n, false, ref->display_text);
        if (rc == MS_ELIMIT)
            return MS_OK;
        if (rc != MS_OK)
            return rc;
    }
    x.source = source ? source : "html:text";
    rc = scan_text(&x, doc.text, doc.text_len);
    if (rc != MS_OK)
        return rc;
    return scan_markup(&x, &mk);
}

/* Extracts from HTML; see urls.h. */
ms_status ms_urls_extract_html(ms_arena *a, const ms_urls_config *c,
                               ms_message *m, const char *source, const char *p,
                               size_t n, ms_url_list *out)
{
    return extract_html(a, c, m, source, p, n, out, NULL);
}

/* Reads the PDF string at p (a literal "(...)" with its escapes, or a
 * hex string "<...>") into dst (room for MAX_PDF_URI_BYTES + 1). Returns
 * its length. */
static size_t read_pdf_string(const unsigned char *p, size_t n, char *dst)
{
    size_t o = 0, i = 1;
    if (n == 0)
        return 0;
    if (p[0] == '<') {
        int hi = -1;
        for (; i < n && p[i] != '>' && o < MAX_PDF_URI_BYTES; i++) {
            int v = ms_ascii_hex_value((char)p[i]);
            if (v < 0)
                continue;
            if (hi < 0) {
                hi = v;
            } else {
                dst[o++] = (char)(hi * 16 + v);
                hi = -1;
            }
        }
        dst[o] = '\0';
        return o;
    }
    int depth = 1;
    for (; i < n && o < MAX_PDF_URI_BYTES; i++) {
        char ch = (char)p[i];
        if (ch == '\\' && i + 1 < n) {
            char e = (char)p[++i];
            if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int k = 0;
                     k < 2 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7';
                     k++)
                    v = v * 8 + (p[++i] - '0');
                dst[o++] = (char)v;
            } else if (e == 'n' || e == 'r' || e == 't') {
                continue; /* a line break inside a URL is dropped */
            } else if (e != '\n' && e != '\r') {
                dst[o++] = e;
            }
            continue;
        }
        if (ch == '(')
            depth++;
        if (ch == ')' && --depth == 0)
            break;
        dst[o++] = ch;
    }
    dst[o] = '\0';
    return o;
}

/* Finds the /URI actions of a PDF ("/URI (https://...)"), which are
 * what a click in the document opens. Streams are not inflated: links in
 * compressed object streams are missed (see docs/urls.md). */
static ms_status scan_pdf(extract_ctx *x, const unsigned char *p, size_t n)
{
    char *buf = ms_arena_alloc(x->arena, MAX_PDF_URI_BYTES + 1);
    if (buf == NULL)
        return MS_ENOMEM;
    size_t i = 0;
    while (i + 4 < n) {
        const unsigned char *hit = memchr(p + i, '/', n - i);
        if (hit == NULL)
            break;
        i = (size_t)(hit - p) + 1;
        if (i + 3 > n || memcmp(p + i, "URI", 3) != 0)
            continue;
        size_t k = i + 3;
        while (k < n && ms_ascii_is_space((char)p[k]))
            k++;
        if (k >= n || (p[k] != '(' && p[k] != '<'))
            continue;
        size_t len = read_pdf_string(p + k, n - k, buf);
        ms_status rc = add_url(x, buf, len, false, NULL);
        if (rc == MS_ELIMIT)
            return MS_OK;
        if (rc != MS_OK)
            return rc;
        i = k + 1;
    }
    return MS_OK;
}

/* The state of an OOXML walk: the extraction its relationship parts go
 * to. */
typedef struct ooxml_ctx {
    extract_ctx *x;
    ms_status rc; /* the first error of the URL list */
} ooxml_ctx;

/* Reads one member of an OOXML package: its relationship parts
 * ("word/_rels/document.xml.rels") hold the targets of the document's
 * hyperlinks. The bytes live only during the call, so they are copied
 * into the arena first (the entries keep pointers into the text). */
static ms_status on_ooxml_entry(void *ctx, const ms_archive_entry *entry)
{
    ooxml_ctx *o = ctx;
    size_t len = entry->name ? strlen(entry->name) : 0;
    if (entry->data == NULL || entry->size == 0 ||
        entry->size > MAX_OOXML_PART_BYTES || len < 5 ||
        strcasecmp(entry->name + len - 5, ".rels") != 0)
        return MS_OK;
    char *copy = ms_arena_alloc(o->x->arena, entry->size + 1);
    if (copy == NULL)
        return MS_ENOMEM;
    memcpy(copy, entry->data, entry->size);
    copy[entry->size] = '\0';
    ms_status rc =
        ms_urls_extract_html(o->x->arena, o->x->config, o->x->m, o->x->source,
                             copy, entry->size, o->x->list);
    if (rc != MS_OK)
        o->rc = rc;
    return rc;
}

/* Reads the relationship parts of an OOXML package (.docx, .xlsx,
 * .pptx: a ZIP with "_rels/" members). Other archives are the
 * attachment analyzer's: their files are not read for URLs here. */
static ms_status scan_ooxml(extract_ctx *x, const char *name,
                            const unsigned char *p, size_t n)
{
    ms_archive_limits lim = {
        .max_entries = MAX_OOXML_ENTRIES,
        .max_ratio = 100,
        .ratio_min_bytes = 1u << 20,
    };
    uint64_t budget = MAX_OOXML_BYTES;
    ooxml_ctx o = {x, MS_OK};
    ms_archive_outcome outcome;
    /* no message: the attachment analyzer reports the archive's own
     * defects, once */
    ms_status rc =
        ms_archive_extract(x->arena, NULL, "0", p, n, name, NULL, 0, &lim,
                           &budget, on_ooxml_entry, &o, &outcome);
    return rc == MS_ENOMEM || o.rc == MS_ENOMEM ? MS_ENOMEM : MS_OK;
}

/* Extracts from a file's bytes by content; see urls.h. */
ms_status ms_urls_extract_bytes(ms_arena *a, const ms_urls_config *c,
                                ms_message *m, const char *name,
                                const unsigned char *p, size_t n,
                                ms_url_list *out)
{
    size_t name_n = name ? strlen(name) : 0;
    char *source = ms_arena_alloc(a, 11 + name_n + 1);
    if (source == NULL)
        return MS_ENOMEM;
    memcpy(source, "attachment:", 11);
    memcpy(source + 11, name ? name : "", name_n);
    source[11 + name_n] = '\0';
    extract_ctx x = {a, c, m, out, source, 0, false};
    if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return scan_pdf(&x, p, n);
    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0 &&
        ms_archive_has_member(p, n, ".rels", MAX_OOXML_ENTRIES))
        return scan_ooxml(&x, name, p, n);
    size_t sniff = n < SNIFF_BYTES ? n : SNIFF_BYTES;
    if (memchr(p, '\0', sniff) != NULL)
        return MS_OK; /* binary (or UTF-16, not read here) */
    size_t i = 0;
    while (i < sniff && ms_ascii_is_space((char)p[i]))
        i++;
    /* a byte-order mark before the markup */
    if (i + 3 <= sniff && p[i] == 0xEF && p[i + 1] == 0xBB && p[i + 2] == 0xBF)
        i += 3;
    ms_slice head = {(const char *)p, sniff};
    if ((i < sniff && p[i] == '<') ||
        ms_slice_find_ci(head, MS_SLICE_LIT("<html")) != (size_t)-1)
        return ms_urls_extract_html(a, c, m, source, (const char *)p, n, out);
    return scan_text(&x, (const char *)p, n);
}

/* Extracts from every source of the message; see urls.h. */
ms_status ms_urls_extract(ms_arena *a, const ms_urls_config *c, ms_message *m,
                          ms_url_list *out)
{
    ms_status rc = MS_OK;
    out->html_docs = NULL;
    out->n_html_docs = 0;
    if (m->n_text_html > 0) {
        out->html_docs =
            ms_arena_calloc(a, m->n_text_html, sizeof(*out->html_docs));
        if (out->html_docs == NULL)
            return MS_ENOMEM;
    }
    for (size_t i = 0; i < m->n_text_plain && rc == MS_OK; i++) {
        const ms_part *part = m->text_plain[i];
        if (part->text != NULL)
            rc = ms_urls_extract_text(a, c, m, "text", part->text,
                                      part->text_len, out);
    }
    for (size_t i = 0; i < m->n_text_html && rc == MS_OK; i++) {
        const ms_part *part = m->text_html[i];
        if (part->text != NULL)
            rc = extract_html(a, c, m, NULL, part->text, part->text_len, out,
                              &out->html_docs[out->n_html_docs++]);
    }
    for (size_t i = 0; i < m->n_attachments && rc == MS_OK; i++) {
        const ms_part *part = m->attachments[i];
        const char *name = part->filename ? part->filename : part->path;
        if (part->text != NULL)
            rc = ms_urls_extract_bytes(a, c, m, name,
                                       (const unsigned char *)part->text,
                                       part->text_len, out);
        else if (part->body != NULL)
            rc = ms_urls_extract_bytes(a, c, m, name, part->body,
                                       part->body_len, out);
    }
    return rc;
}

/* Writes one URL object. */
static void write_url(ms_json *w, const ms_url_entry *e)
{
    const ms_url *u = &e->url;
    ms_json_object_begin(w);
    ms_json_kv_string(w, "url", u->url, u->url_len);
    ms_json_kv_cstr(w, "scheme", u->scheme);
    ms_json_kv_cstr(w, "credential", u->credential);
    ms_json_kv_cstr(w, "host", u->host);
    ms_json_kv_cstr(w, "punycode", u->punycode);
    ms_json_kv_cstr(w, "unicode", u->unicode);
    ms_json_kv_cstr(w, "domain", u->domain);
    ms_json_kv_cstr(w, "domain_without_tld", u->domain_without_tld);
    ms_json_kv_cstr(w, "subdomain", u->subdomain);
    ms_json_kv_cstr(w, "tld", u->tld);
    if (u->port >= 0)
        ms_json_kv_int(w, "port", u->port);
    else
        ms_json_kv_null(w, "port");
    ms_json_kv_cstr(w, "resource_path", u->resource_path);
    ms_json_kv_cstr(w, "query_string", u->query_string);
    ms_json_kv_cstr(w, "fragment", u->fragment);
    ms_json_kv_bool(w, "is_ip", u->is_ip);
    ms_json_kv_cstr(w, "source", e->n_sources ? e->sources[0] : NULL);
    ms_json_key(w, "sources");
    ms_json_array_begin(w);
    for (size_t k = 0; k < e->n_sources; k++)
        ms_json_cstr(w, e->sources[k]);
    ms_json_array_end(w);
    ms_json_kv_cstr(w, "display_text", e->display_text);
    ms_json_kv_cstr(w, "redirect_target", u->redirect_target);
    ms_json_key(w, "flags");
    ms_json_array_begin(w);
    for (unsigned b = 0; b < MS_URL_FLAG_COUNT; b++) {
        if (u->flags & (1u << b))
            ms_json_cstr(w, flag_names[b]);
    }
    ms_json_array_end(w);
    ms_json_object_end(w);
}

/* Writes the urls array; see urls.h. */
void ms_urls_write_json(ms_json *w, const ms_url_list *list)
{
    ms_json_array_begin(w);
    for (size_t i = 0; list != NULL && i < list->n; i++)
        write_url(w, &list->items[i]);
    ms_json_array_end(w);
}
