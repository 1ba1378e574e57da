/* SPDX-License-Identifier: MIT */
/*
 * The parsed mail as JSON: the fields `mailscope parse` prints and that
 * `mailscope analyze` documents start with. Field meanings follow
 * mail-parser's so SpamScope users find what they know; docs/schema.md
 * documents each one.
 */
#ifndef MS_REPORT_MESSAGE_JSON_H
#define MS_REPORT_MESSAGE_JSON_H

#include "mailscope/message.h"
#include "util/json.h"

/* Writes the fields of the parsed message as keys of the JSON object the
 * caller has opened. Returns the writer's status. */
ms_status ms_message_write_json(ms_json *w, const ms_message *m);

/* Writes the keys of an attachment part that only the tokenizer knows:
 * charset, content_id, disposition, transfer_encoding, path, recovered. */
void ms_part_write_mime_fields(ms_json *w, const ms_part *p);

/* Writes the "attachments" key and value in place of the tokenizer's
 * own list (the analyze document's richer attachment objects). */
typedef void (*ms_attachments_writer)(ms_json *w, const ms_message *m,
                                      void *ctx);

/* Same as ms_message_write_json with the attachments written by
 * attachments(w, m, ctx). */
ms_status ms_message_write_json_with(ms_json *w, const ms_message *m,
                                     ms_attachments_writer attachments,
                                     void *ctx);

/* Writes the lower-case hex SHA-256 of n bytes into hex (65 bytes). */
void ms_sha256_hex(const void *p, size_t n, char hex[65]);

#endif
