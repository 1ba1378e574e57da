/* SPDX-License-Identifier: MIT */
/*
 * The mail-parser views of a parsed message: subject, message id, date,
 * the address lists, the Received chain and the sender IP, all derived
 * from the top-level headers once the tree is built. Also the defects
 * about the header set as a whole: a missing Date or From, and singleton
 * fields that appear twice (two From or Subject headers are a spoofing
 * trick: filters read one, mail clients show the other).
 */
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mime/address.h"
#include "mime/date.h"
#include "mime/parser_internal.h"
#include "mime/received.h"
#include "mime/rfc2047.h"
#include "util/vec.h"

/* Fields RFC 5322 3.6 allows at most once. */
static const char *const singleton_fields[] = {
    "From",         "Sender",
    "Reply-To",     "To",
    "Cc",           "Bcc",
    "Message-ID",   "In-Reply-To",
    "References",   "Subject",
    "Date",         "MIME-Version",
    "Content-Type", "Content-Transfer-Encoding",
};

/* True when the header's decoded value may differ from its unfolded raw
 * text: encoded words ("=?"), 8-bit or NUL bytes in the raw value. With
 * SSE2 sixteen bytes at a time, each compared with the byte after it for
 * the "=?" pair: address lists are the longest headers most mails have. */
static bool needs_raw_split(const ms_header *h)
{
    const char *p = h->raw.p;
    size_t n = h->raw.n;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i eq = _mm_set1_epi8('='), question = _mm_set1_epi8('?'),
                  zero = _mm_setzero_si128();
    for (; i + 17 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i next =
            _mm_loadu_si128((const __m128i *)(const void *)(p + i + 1));
        /* the sign bit of each byte is set for 8-bit bytes */
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, zero), v),
                         _mm_and_si128(_mm_cmpeq_epi8(v, eq),
                                       _mm_cmpeq_epi8(next, question)));
        if (_mm_movemask_epi8(hit) != 0)
            return true;
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80 || c == '\0' ||
            (c == '=' && i + 1 < n && p[i + 1] == '?'))
            return true;
    }
    return false;
}

/*
 * Reads every occurrence of an address header into one list. Each
 * display name is RFC 2047-decoded only after the list is split, so an
 * encoded comma inside a name cannot split an address.
 */
static ms_status read_addresses(parse_ctx *ctx, const char *name,
                                ms_address_list *out)
{
    ms_part *root = ctx->msg->root;
    ms_slice want = ms_slice_from_cstr(name);
    size_t cap = 0;
    out->items = NULL;
    out->n = 0;
    for (size_t i = 0; i < root->n_headers; i++) {
        const ms_header *h = &root->headers[i];
        if (h->name.n != want.n || !ms_slice_eq_ci(h->name, want))
            continue;
        /* the decoded value is the unfolded raw value when decoding
         * changed nothing (no encoded word, no 8-bit byte): then it can
         * be split as it is, without another copy */
        const char *unfolded = h->value;
        size_t unfolded_len = h->value_len;
        ms_status rc = MS_OK;
        if (needs_raw_split(h)) {
            rc = ms_header_unfold(ctx->arena, h->raw.p, h->raw.n, &unfolded,
                                  &unfolded_len);
            if (rc != MS_OK)
                return rc;
        }
        ms_address *items = NULL;
        size_t n = 0;
        size_t room = MS_MAX_ADDRESSES > out->n ? MS_MAX_ADDRESSES - out->n : 0;
        if (room == 0)
            break;
        rc = ms_address_list_parse(ctx->arena, ctx->msg, "0", unfolded,
                                   unfolded_len, room, &items, &n);
        if (rc != MS_OK)
            return rc;
        for (size_t k = 0; k < n; k++) {
            if (items[k].name && items[k].name[0] != '\0') {
                const char *decoded = NULL;
                size_t decoded_len = 0;
                rc = ms_rfc2047_decode(ctx->arena, ctx->msg, "0", items[k].name,
                                       strlen(items[k].name), &decoded,
                                       &decoded_len);
                if (rc != MS_OK)
                    return rc;
                items[k].name = decoded;
            }
            rc = MS_VEC_GROW(ctx->arena, out->items, out->n, cap, 0);
            if (rc != MS_OK)
                return rc;
            out->items[out->n++] = items[k];
        }
    }
    return MS_OK;
}

/* Parses the Date header into msg->date, with the defects of its form. */
static void read_date(parse_ctx *ctx)
{
    const ms_header *h = ms_message_header(ctx->msg, "Date");
    if (h == NULL) {
        ms_message_add_defect(ctx->msg, "MissingDateDefect", "0", "%s", "");
        return;
    }
    unsigned flags = 0;
    ms_date_parse(h->value, h->value_len, &ctx->msg->date, &flags);
    if (!ctx->msg->date.valid || (flags & MS_DATE_INVALID)) {
        ctx->msg->date.valid = false;
        ms_message_add_defect(ctx->msg, "InvalidDateDefect", "0", "'%.80s'",
                              h->value);
        return;
    }
    if (flags & MS_DATE_ZONE_MISSING)
        ms_message_add_defect(ctx->msg, "DateZoneMissingDefect", "0",
                              "'%.80s', read as UTC", h->value);
    if (flags & MS_DATE_ZONE_UNKNOWN)
        ms_message_add_defect(ctx->msg, "DateZoneUnknownDefect", "0",
                              "'%.80s', read as UTC", h->value);
    if (flags & MS_DATE_OBSOLETE)
        ms_message_add_defect(ctx->msg, "ObsoleteDateDefect", "0", "'%.80s'",
                              h->value);
}

/* Parses the Received headers into the chain, oldest hop first, and
 * finds the sender IP. */
static ms_status read_received(parse_ctx *ctx)
{
    ms_message *m = ctx->msg;
    ms_part *root = m->root;
    size_t cap = 0;
    for (size_t i = 0; i < root->n_headers; i++) {
        const ms_header *h = &root->headers[i];
        if (h->name.n != 8 || !ms_slice_eq_cstr_ci(h->name, "Received"))
            continue;
        ms_status rc = MS_VEC_GROW(ctx->arena, m->received, m->n_received, cap,
                                   MS_MAX_RECEIVED);
        if (rc == MS_ELIMIT) {
            ms_message_add_defect(m, "limit_received", "0",
                                  "more than %d Received headers",
                                  MS_MAX_RECEIVED);
            break;
        }
        if (rc != MS_OK)
            return rc;
        ms_received_hop *hop = &m->received[m->n_received];
        memset(hop, 0, sizeof(*hop));
        rc = ms_received_parse(ctx->arena, h->value, h->value_len, hop);
        if (rc != MS_OK)
            return rc;
        m->n_received++;
    }
    ms_received_chain_finish(m->received, m->n_received);
    m->sender_ip = ms_received_sender_ip(ctx->arena, m->received, m->n_received,
                                         ctx->opt.trust);
    return MS_OK;
}

/* Fills the derived fields of the message; see parser_internal.h. */
ms_status ms_message_build_views(parse_ctx *ctx)
{
    ms_message *m = ctx->msg;
    const ms_header *subject = ms_message_header(m, "Subject");
    if (subject)
        m->subject = subject->value;
    const ms_header *mid = ms_message_header(m, "Message-ID");
    if (mid) {
        ms_slice s = ms_slice_trim((ms_slice){mid->value, mid->value_len});
        if (s.n >= 1 && s.p[0] == '<') {
            s.p++;
            s.n--;
            const char *close = memchr(s.p, '>', s.n);
            if (close)
                s.n = (size_t)(close - s.p);
        }
        s = ms_slice_trim(s);
        /* RFC 5322 3.6.4: "<" id-left "@" id-right ">"; spam tools often
         * write anything */
        ms_slice whole = ms_slice_trim((ms_slice){mid->value, mid->value_len});
        if (s.n == 0 || memchr(s.p, '@', s.n) == NULL || whole.n == 0 ||
            whole.p[0] != '<')
            ms_message_add_defect(m, "InvalidHeaderDefect", "0",
                                  "Message-ID is not <left@right>");
        if (s.n > 0) {
            m->message_id = ms_arena_strndup(ctx->arena, s.p, s.n);
            if (m->message_id == NULL)
                return MS_ENOMEM;
        }
    }
    read_date(ctx);
    struct {
        const char *name;
        ms_address_list *list;
    } lists[] = {
        {"From", &m->from},
        {"To", &m->to},
        {"Cc", &m->cc},
        {"Bcc", &m->bcc},
        {"Reply-To", &m->reply_to},
        {"Sender", &m->sender},
        {"Delivered-To", &m->delivered_to},
        {"Return-Path", &m->return_path},
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        ms_status rc = read_addresses(ctx, lists[i].name, lists[i].list);
        if (rc != MS_OK)
            return rc;
    }
    if (ms_message_header(m, "From") == NULL)
        ms_message_add_defect(m, "MissingFromDefect", "0", "%s", "");
    /* one pass over the headers counts every singleton field; the name
     * lengths are taken once, and compared before the names */
    enum { N_SINGLETONS = sizeof(singleton_fields) / sizeof(char *) };
    size_t counts[N_SINGLETONS] = {0};
    size_t lengths[N_SINGLETONS];
    for (size_t k = 0; k < N_SINGLETONS; k++)
        lengths[k] = strlen(singleton_fields[k]);
    for (size_t i = 0; i < m->root->n_headers; i++) {
        ms_slice name = m->root->headers[i].name;
        for (size_t k = 0; k < N_SINGLETONS; k++) {
            if (name.n == lengths[k] &&
                ms_slice_eq_cstr_ci(name, singleton_fields[k])) {
                counts[k]++;
                break;
            }
        }
    }
    for (size_t k = 0; k < N_SINGLETONS; k++) {
        if (counts[k] > 1)
            ms_message_add_defect(m, "DuplicateHeaderDefect", "0",
                                  "%s appears %zu times", singleton_fields[k],
                                  counts[k]);
    }
    return read_received(ctx);
}
