/* SPDX-License-Identifier: MIT */
/*
 * Writes a parsed message as the JSON fields of `mailscope parse`. Every
 * field is always present: a missing value is null or an empty list, so
 * consumers never have to test for absent keys.
 */
#include <string.h>

#include <openssl/evp.h>

#include "mime/date.h"
#include "report/message_json.h"

/* Writes the lower-case hex SHA-256 of n bytes into hex (65 bytes). */
void ms_sha256_hex(const void *p, size_t n, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int md_len = 0;
    if (!EVP_Digest(p, n, md, &md_len, EVP_sha256(), NULL) || md_len != 32) {
        hex[0] = '\0';
        return;
    }
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

/* Writes an address list as [{name, address, domain}, ...]. */
static void write_addresses(ms_json *w, const char *key,
                            const ms_address_list *l)
{
    ms_json_key(w, key);
    ms_json_array_begin(w);
    for (size_t i = 0; i < l->n; i++) {
        ms_json_object_begin(w);
        ms_json_kv_cstr(w, "name", l->items[i].name ? l->items[i].name : "");
        ms_json_kv_cstr(w, "address",
                        l->items[i].address ? l->items[i].address : "");
        ms_json_kv_cstr(w, "domain",
                        l->items[i].domain ? l->items[i].domain : "");
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
}

/* Writes a date as ISO 8601 in UTC ("...Z"), or null when invalid. */
static void write_date_utc(ms_json *w, const char *key, const ms_date *d)
{
    ms_json_key(w, key);
    if (!d->valid) {
        ms_json_null(w);
        return;
    }
    char buf[40];
    size_t n = ms_date_format_utc(d, buf, sizeof(buf));
    ms_json_string(w, buf, n);
}

/* Writes a date as ISO 8601 local time with its written offset. */
static void write_date_local(ms_json *w, const char *key, const ms_date *d)
{
    ms_json_key(w, key);
    if (!d->valid) {
        ms_json_null(w);
        return;
    }
    ms_date local = *d;
    local.utc += (int64_t)d->offset_minutes * 60;
    char buf[48];
    size_t n = ms_date_format_utc(&local, buf, sizeof(buf));
    if (n > 0 && buf[n - 1] == 'Z')
        n--;
    n += ms_date_format_offset(d->offset_minutes, buf + n, sizeof(buf) - n);
    ms_json_string(w, buf, n);
}

/* Writes the Received chain, oldest hop first. */
static void write_received(ms_json *w, const ms_message *m)
{
    ms_json_key(w, "received");
    ms_json_array_begin(w);
    for (size_t i = 0; i < m->n_received; i++) {
        const ms_received_hop *h = &m->received[i];
        ms_json_object_begin(w);
        ms_json_kv_uint(w, "hop", i + 1);
        ms_json_kv_cstr(w, "from", h->from);
        ms_json_kv_cstr(w, "by", h->by);
        ms_json_kv_cstr(w, "with", h->with);
        ms_json_kv_cstr(w, "id", h->id);
        ms_json_kv_cstr(w, "for", h->for_);
        ms_json_kv_cstr(w, "via", h->via);
        ms_json_kv_cstr(w, "envelope_from", h->envelope_from);
        write_date_local(w, "date", &h->date);
        write_date_utc(w, "date_utc", &h->date);
        ms_json_kv_cstr(w, "from_host", h->from_host);
        ms_json_kv_cstr(w, "helo", h->helo);
        ms_json_kv_cstr(w, "from_ip", h->from_ip);
        ms_json_kv_cstr(w, "by_host", h->by_host);
        ms_json_kv_cstr(w, "tls", h->tls);
        ms_json_kv_bool(w, "authenticated", h->authenticated);
        ms_json_kv_int(w, "delay", h->delay);
        ms_json_kv_bool(w, "parsed", h->parsed);
        ms_json_kv_cstr(w, "raw", h->raw);
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
}

/* Writes the text of a list of parts as a list of strings. */
static void write_texts(ms_json *w, const char *key, ms_part *const *parts,
                        size_t n)
{
    ms_json_key(w, key);
    ms_json_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        const ms_part *p = parts[i];
        if (p->text)
            ms_json_string(w, p->text, p->text_len);
        else
            ms_json_string(w, (const char *)p->body, p->body_len);
    }
    ms_json_array_end(w);
}

/* Writes the keys the tokenizer knows of an attachment part that the
 * file analysis does not repeat (see message_json.h). */
void ms_part_write_mime_fields(ms_json *w, const ms_part *p)
{
    ms_json_kv_cstr(w, "charset", p->charset);
    ms_json_kv_cstr(w, "content_id", p->content_id);
    ms_json_kv_cstr(w, "disposition", p->disposition);
    ms_json_kv_cstr(w, "transfer_encoding", p->transfer_encoding);
    ms_json_kv_cstr(w, "path", p->path);
    ms_json_kv_bool(w, "recovered", p->is_recovered);
}

/* Writes the attachments as the tokenizer sees them. */
static void write_attachments(ms_json *w, const ms_message *m)
{
    ms_json_key(w, "attachments");
    ms_json_array_begin(w);
    for (size_t i = 0; i < m->n_attachments; i++) {
        const ms_part *p = m->attachments[i];
        char hex[65];
        ms_sha256_hex(p->body, p->body_len, hex);
        ms_json_object_begin(w);
        ms_json_kv_cstr(w, "filename", p->filename);
        ms_json_kv_cstr(w, "content_type", p->content_type);
        ms_json_kv_uint(w, "size", p->body_len);
        ms_json_kv_cstr(w, "sha256", hex);
        ms_part_write_mime_fields(w, p);
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
}

/* Writes one part of the MIME tree and, recursively, its children. The
 * recursion is bounded by the parser's depth ceiling. */
static void write_part_tree(ms_json *w, const ms_part *p)
{
    ms_json_object_begin(w);
    ms_json_kv_cstr(w, "path", p->path);
    ms_json_kv_cstr(w, "content_type", p->content_type);
    ms_json_kv_uint(w, "size",
                    p->is_multipart || p->is_message ? p->raw_body.n
                                                     : p->body_len);
    ms_json_kv_cstr(w, "filename", p->filename);
    ms_json_kv_bool(w, "is_attachment", p->is_attachment);
    if (p->is_multipart) {
        ms_json_kv_slice(w, "preamble",
                         p->preamble.n ? p->preamble : MS_SLICE_EMPTY);
        ms_json_kv_slice(w, "epilogue",
                         p->epilogue.n ? p->epilogue : MS_SLICE_EMPTY);
    }
    ms_json_key(w, "children");
    ms_json_array_begin(w);
    for (const ms_part *c = p->first_child; c; c = c->next)
        write_part_tree(w, c);
    ms_json_array_end(w);
    ms_json_object_end(w);
}

/* Writes the defects and their distinct types. */
static void write_defects(ms_json *w, const ms_message *m)
{
    ms_json_key(w, "defects");
    ms_json_array_begin(w);
    for (size_t i = 0; i < m->n_defects; i++) {
        ms_json_object_begin(w);
        ms_json_kv_cstr(w, "path", m->defects[i].path);
        ms_json_kv_cstr(w, "type", m->defects[i].type);
        ms_json_kv_cstr(w, "detail", m->defects[i].detail);
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
    /* distinct types, sorted: a small insertion sort over pointers */
    const char *types[64];
    size_t n_types = 0;
    for (size_t i = 0; i < m->n_defects; i++) {
        const char *t = m->defects[i].type;
        size_t k = 0;
        while (k < n_types && strcmp(types[k], t) < 0)
            k++;
        if (k < n_types && strcmp(types[k], t) == 0)
            continue;
        if (n_types == sizeof(types) / sizeof(types[0]))
            continue;
        memmove(types + k + 1, types + k, (n_types - k) * sizeof(types[0]));
        types[k] = t;
        n_types++;
    }
    ms_json_key(w, "defects_categories");
    ms_json_array_begin(w);
    for (size_t i = 0; i < n_types; i++)
        ms_json_cstr(w, types[i]);
    ms_json_array_end(w);
    ms_json_kv_bool(w, "has_defects", m->n_defects > 0);
    ms_json_kv_bool(w, "defects_truncated", m->defects_truncated);
}

/* Writes the distinct recipient domains (To, Cc, Bcc, Delivered-To). */
static void write_to_domains(ms_json *w, const ms_message *m)
{
    const ms_address_list *lists[] = {&m->to, &m->cc, &m->bcc,
                                      &m->delivered_to};
    ms_json_key(w, "to_domains");
    ms_json_array_begin(w);
    for (size_t l = 0; l < 4; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *d = lists[l]->items[i].domain;
            if (d == NULL || d[0] == '\0')
                continue;
            bool seen = false;
            for (size_t pl = 0; pl <= l && !seen; pl++) {
                size_t end = pl == l ? i : lists[pl]->n;
                for (size_t k = 0; k < end && !seen; k++)
                    seen = lists[pl]->items[k].domain &&
                           strcmp(lists[pl]->items[k].domain, d) == 0;
            }
            if (!seen)
                ms_json_cstr(w, d);
        }
    }
    ms_json_array_end(w);
}

/* Writes the fields of the parsed message; see message_json.h. */
ms_status ms_message_write_json(ms_json *w, const ms_message *m)
{
    return ms_message_write_json_with(w, m, NULL, NULL);
}

/* Same with another attachments writer; see message_json.h. */
ms_status ms_message_write_json_with(ms_json *w, const ms_message *m,
                                     ms_attachments_writer attachments,
                                     void *ctx)
{
    ms_json_kv_cstr(w, "subject", m->subject);
    ms_json_kv_cstr(w, "message_id", m->message_id);
    write_date_utc(w, "date", &m->date);
    ms_json_key(w, "timezone");
    if (m->date.valid && !m->date.zone_missing) {
        char buf[16];
        size_t n =
            ms_date_format_offset(m->date.offset_minutes, buf, sizeof(buf));
        ms_json_string(w, buf, n);
    } else {
        ms_json_null(w);
    }
    write_addresses(w, "from", &m->from);
    write_addresses(w, "to", &m->to);
    write_addresses(w, "cc", &m->cc);
    write_addresses(w, "bcc", &m->bcc);
    write_addresses(w, "reply_to", &m->reply_to);
    write_addresses(w, "sender", &m->sender);
    write_addresses(w, "delivered_to", &m->delivered_to);
    write_addresses(w, "return_path", &m->return_path);
    write_to_domains(w, m);
    ms_json_key(w, "headers");
    ms_json_array_begin(w);
    for (size_t i = 0; m->root && i < m->root->n_headers; i++) {
        const ms_header *h = &m->root->headers[i];
        ms_json_object_begin(w);
        ms_json_kv_slice(w, "name", h->name);
        ms_json_kv_string(w, "value", h->value ? h->value : "",
                          h->value ? h->value_len : 0);
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
    write_received(w, m);
    ms_json_kv_cstr(w, "sender_ip", m->sender_ip);
    write_texts(w, "text_plain", m->text_plain, m->n_text_plain);
    write_texts(w, "text_html", m->text_html, m->n_text_html);
    write_texts(w, "text_not_managed", m->text_not_managed,
                m->n_text_not_managed);
    if (attachments)
        attachments(w, m, ctx);
    else
        write_attachments(w, m);
    ms_json_key(w, "parts");
    if (m->root)
        write_part_tree(w, m->root);
    else
        ms_json_null(w);
    write_defects(w, m);
    return ms_json_status(w);
}
