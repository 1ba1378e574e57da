/* SPDX-License-Identifier: MIT */
/*
 * What the files of the MIME parser share and nobody else needs: the
 * parse context, and the step that derives the mail-parser views
 * (subject, addresses, dates, received chain) from the parsed tree.
 */
#ifndef MS_MIME_PARSER_INTERNAL_H
#define MS_MIME_PARSER_INTERNAL_H

#include "mailscope/message.h"

typedef struct parse_ctx {
    ms_arena *arena;
    ms_message *msg;
    ms_parse_options opt;
    size_t cap_parts;     /* capacity of msg->parts */
    size_t decoded_bytes; /* decoded so far, against max_decoded_bytes */
    bool parts_limited;   /* the limit_parts defect was recorded */
    ms_status rc;         /* first allocation failure, sticky */
} parse_ctx;

/* Fills the derived fields of the message from its root headers:
 * subject, message id, date, address lists, received chain, sender IP,
 * and the defects about missing or repeated singleton fields. */
ms_status ms_message_build_views(parse_ctx *ctx);

/* Maximum number of addresses read from one address header. */
#define MS_MAX_ADDRESSES 1000
/* Maximum number of Received hops read. */
#define MS_MAX_RECEIVED 100

#endif
