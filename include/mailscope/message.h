/* SPDX-License-Identifier: MIT */
/*
 * The parsed mail: what the tokenizer (src/mime/) makes of raw bytes and
 * what every analyzer reads. A message lives in an arena; header names,
 * raw values and raw bodies are slices into the caller's input buffer,
 * which must outlive the message. Decoded text is in the arena.
 *
 * The MIME tree: the root part holds the top-level headers. Its children
 * are numbered 1, 2, ...; a child of part "1" is "1.1", and so on. The
 * root itself is "0". A message/rfc822 part has one child, the embedded
 * message's root, whose path is the part's path plus ".1".
 *
 * Nothing in here is an error for hostile input: oddities are recorded as
 * defects (type name, MIME path, detail) on the message.
 */
#ifndef MAILSCOPE_MESSAGE_H
#define MAILSCOPE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailscope/arena.h"
#include "mailscope/slice.h"
#include "mailscope/status.h"

/* One header field as it appears in the mail. */
typedef struct ms_header {
    ms_slice name;     /* field name, as written */
    ms_slice raw;      /* raw value after the colon, folded, into the input */
    const char *value; /* unfolded, RFC 2047-decoded, UTF-8, NUL-terminated */
    size_t value_len;
} ms_header;

/* One mailbox of an address header. */
typedef struct ms_address {
    const char *name;    /* display name, decoded; "" when none */
    const char *address; /* local@domain as written (IDN kept in UTF-8) */
    const char *domain;  /* lower-cased domain; "" when none */
} ms_address;

typedef struct ms_address_list {
    ms_address *items;
    size_t n;
} ms_address_list;

/* A parsed date. */
typedef struct ms_date {
    bool valid;         /* false: missing or unparsable */
    int64_t utc;        /* seconds since the epoch, UTC */
    int offset_minutes; /* zone offset as written, e.g. +60 for +0100 */
    bool zone_missing;  /* no zone was written; UTC assumed */
} ms_date;

/* One hop of the Received chain. Any field may be NULL. */
typedef struct ms_received_hop {
    const char *raw;  /* the unfolded header value */
    const char *from; /* the whole "from" clause */
    const char *by;   /* the whole "by" clause */
    const char *with; /* protocol, e.g. ESMTPS */
    const char *id;   /* queue id */
    const char *for_; /* recipient */
    const char *via;
    const char *envelope_from;
    const char *from_host; /* reverse DNS name of the sending host */
    const char *helo;      /* HELO/EHLO name the sender gave */
    const char *from_ip;   /* IPv4 or IPv6 of the sending host */
    const char *by_host;   /* the receiving host */
    const char *tls;       /* TLS version or cipher hint */
    bool authenticated;    /* the sender authenticated (ESMTPA, auth=) */
    ms_date date;          /* the date after the semicolon */
    int64_t delay;         /* seconds since the previous hop, or 0 */
    bool parsed;           /* false: only raw is reliable */
} ms_received_hop;

typedef struct ms_part ms_part;

/* One node of the MIME tree. */
struct ms_part {
    const char *path;   /* "0", "1", "1.2", ... */
    int depth;          /* 0 for the root */
    ms_header *headers; /* this part's own header fields, in order */
    size_t n_headers;
    const char *content_type; /* lower-case "type/subtype"; default applied */
    const char *charset;      /* lower-case, NULL when not given */
    const char *boundary;     /* multipart boundary, NULL when none */
    const char *filename;     /* decoded file name, NULL when none */
    const char *content_id;   /* without angle brackets, NULL when none */
    const char *disposition;  /* lower-case "attachment"/"inline", or NULL */
    const char *transfer_encoding; /* lower-case, "7bit" when not given */
    ms_slice raw_headers;          /* the header block, into the input */
    ms_slice raw_body;             /* the body as encoded, into the input */
    ms_slice preamble;             /* multipart: text before the first part */
    ms_slice epilogue;         /* multipart: text after the close delimiter */
    const unsigned char *body; /* transfer-decoded bytes */
    size_t body_len;
    const char *text; /* UTF-8 text of a text/ part, else NULL */
    size_t text_len;
    bool is_multipart;
    bool is_message;    /* message/rfc822 (or global) */
    bool is_attachment; /* by mail-parser's rules */
    bool is_text;       /* text/ part that is not an attachment */
    bool is_recovered;  /* found by recovery from a broken structure */
    ms_part *parent;
    ms_part *first_child;
    ms_part *next; /* next sibling */
    size_t n_children;
};

/* One oddity found in the mail. */
typedef struct ms_defect {
    const char *type;   /* e.g. "StartBoundaryNotFoundDefect" */
    const char *path;   /* MIME path of the part where it was found */
    const char *detail; /* one line, may be "" */
} ms_defect;

/* Ceilings of the parser. Hitting one adds a limit_* defect. */
typedef struct ms_parse_options {
    size_t max_message_bytes; /* input beyond this is not parsed */
    size_t max_header_bytes;  /* bytes of one part's header block */
    size_t max_headers;       /* header fields of one part */
    size_t max_parts;         /* MIME parts in the whole message */
    size_t max_depth;         /* nesting of multiparts and messages */
    size_t max_decoded_bytes; /* decoded bytes of all parts together */
    size_t max_defects;       /* defects recorded */
    const char *trust;        /* mail-parser's trust string, or NULL */
} ms_parse_options;

typedef struct ms_message {
    ms_arena *arena;
    const char *raw; /* the input */
    size_t raw_len;
    ms_part *root;

    /* The views mail-parser gives, derived from the tree. */
    const char *subject;    /* decoded, NULL when absent */
    const char *message_id; /* without angle brackets, NULL when absent */
    ms_date date;
    ms_address_list from, to, cc, bcc, reply_to, sender, delivered_to,
        return_path;
    ms_received_hop *received; /* hop 0 is the oldest */
    size_t n_received;
    const char *sender_ip; /* NULL when none found */

    ms_part **parts; /* every part, in document order */
    size_t n_parts;
    ms_part **attachments;
    size_t n_attachments;
    ms_part **text_plain;
    size_t n_text_plain;
    ms_part **text_html;
    size_t n_text_html;
    ms_part **text_not_managed;
    size_t n_text_not_managed;

    ms_defect *defects;
    size_t n_defects;
    size_t cap_defects;
    size_t max_defects;
    bool defects_truncated;
} ms_message;

/* Fills opt with the default ceilings. */
void ms_parse_options_default(ms_parse_options *opt);

/* Parses n bytes of raw mail into a message allocated in the arena. The
 * input must outlive the message. Returns MS_OK for any input, however
 * broken (its faults become defects); MS_ENOMEM when the arena refuses. */
ms_status ms_message_parse(ms_arena *a, const char *raw, size_t n,
                           const ms_parse_options *opt, ms_message **out);

/* Returns the first header of the part called name (any case), or NULL. */
const ms_header *ms_part_header(const ms_part *p, const char *name);

/* Returns the first top-level header called name (any case), or NULL. */
const ms_header *ms_message_header(const ms_message *m, const char *name);

/* Counts the top-level headers called name. */
size_t ms_message_header_count(const ms_message *m, const char *name);

/* Records a defect. type must be a string that outlives the message (a
 * literal); path and detail are copied. Past max_defects it only sets
 * defects_truncated. Returns MS_ENOMEM when the arena refuses. */
ms_status ms_message_add_defect(ms_message *m, const char *type,
                                const char *path, const char *detail_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* True when the message has a defect of that type. */
bool ms_message_has_defect(const ms_message *m, const char *type);

#endif
