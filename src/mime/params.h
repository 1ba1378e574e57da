/* SPDX-License-Identifier: MIT */
/*
 * Content-Type and Content-Disposition values: the main token and the
 * parameters, with RFC 2231 continuations and charsets and the malformed
 * forms real mail uses.
 */
#ifndef MS_MIME_PARAMS_H
#define MS_MIME_PARAMS_H

#include <stddef.h>

#include "mailscope/message.h"

/* Most parameters kept from one header. */
#define MS_PARAMS_MAX 64

typedef struct ms_param {
    const char *name;  /* lower-case, without the RFC 2231 suffix */
    const char *value; /* decoded UTF-8 */
} ms_param;

typedef struct ms_content_value {
    const char *value; /* lower-case main token; "" when missing */
    ms_param *params;
    size_t n_params;
} ms_content_value;

/* Parses a Content-Type or Content-Disposition value (raw bytes, maybe
 * folded, not yet RFC 2047-decoded) tolerantly: the malformed forms real
 * mail uses are read as clients read them and noted
 * (InvalidParameterDefect, InvalidRfc2231Defect, DuplicateParameterDefect;
 * see params.c). The main token is lower-case without white space around
 * '/', returned as written when invalid ("text") and "" when missing.
 * Values are UTF-8: RFC 2231 continuations joined and converted, RFC 2047
 * words decoded. At most MS_PARAMS_MAX parameters are kept
 * (limit_parameters). Everything is arena memory. */
ms_status ms_params_parse(ms_arena *a, ms_message *m, const char *path,
                          const char *in, size_t n, ms_content_value *out);

/* Returns the value of the parameter called name (lower-case), or NULL. */
const char *ms_params_get(const ms_content_value *cv, const char *name);

#endif
