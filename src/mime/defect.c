/* SPDX-License-Identifier: MIT */
/*
 * Defects: the record of everything odd the parser and decoders meet. A
 * defect is a flag on the message, never an error: the parse goes on. The
 * list has a ceiling (max_defects) so a mail built to trigger millions of
 * them costs bounded memory; past it only defects_truncated is set.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mailscope/message.h"
#include "util/vec.h"

/* Records a defect; see message.h. */
ms_status ms_message_add_defect(ms_message *m, const char *type,
                                const char *path, const char *detail_fmt, ...)
{
    if (m == NULL)
        return MS_OK;
    ms_status rc = MS_VEC_GROW(m->arena, m->defects, m->n_defects,
                               m->cap_defects, m->max_defects);
    if (rc == MS_ELIMIT) {
        m->defects_truncated = true;
        return MS_OK;
    }
    if (rc != MS_OK)
        return rc;
    char detail[256];
    va_list ap;
    va_start(ap, detail_fmt);
    int k = vsnprintf(detail, sizeof(detail), detail_fmt, ap);
    va_end(ap);
    if (k < 0)
        k = 0;
    if ((size_t)k >= sizeof(detail))
        k = sizeof(detail) - 1;
    ms_defect *d = &m->defects[m->n_defects];
    d->type = type;
    d->path =
        ms_arena_strndup(m->arena, path ? path : "0", path ? strlen(path) : 1);
    d->detail = ms_arena_strndup(m->arena, detail, (size_t)k);
    if (d->path == NULL || d->detail == NULL)
        return MS_ENOMEM;
    m->n_defects++;
    return MS_OK;
}

/* True when the message has a defect of that type. */
bool ms_message_has_defect(const ms_message *m, const char *type)
{
    for (size_t i = 0; i < m->n_defects; i++) {
        if (strcmp(m->defects[i].type, type) == 0)
            return true;
    }
    return false;
}
