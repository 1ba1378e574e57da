/* SPDX-License-Identifier: MIT */
/*
 * The stderr logger behind the MS_LOG_* macros. A line is formatted into a
 * local buffer and written with one fwrite so lines from several worker
 * threads do not interleave.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

static _Atomic int current_level = MS_LOG_LEVEL_WARN;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/* Sets the most verbose level that is printed (default: warn). */
void ms_log_set_level(ms_log_level level)
{
    atomic_store(&current_level, (int)level);
}

/* Returns the current level. */
ms_log_level ms_log_get_level(void)
{
    return (ms_log_level)atomic_load(&current_level);
}

/* Parses "error", "warn", "info" or "debug". Returns 0 on success. */
int ms_log_level_parse(const char *z, ms_log_level *out)
{
    for (int i = 0; i <= MS_LOG_LEVEL_DEBUG; i++) {
        if (strcmp(z, level_names[i]) == 0) {
            *out = (ms_log_level)i;
            return 0;
        }
    }
    return -1;
}

/* Prints one line at level for the message id (NULL when none). */
void ms_log_write(ms_log_level level, const char *msg_id, const char *fmt, ...)
{
    char line[1024];
    int k;
    if (msg_id)
        k = snprintf(line, sizeof(line), "mailscope: %s: [%.16s] ",
                     level_names[level], msg_id);
    else
        k = snprintf(line, sizeof(line), "mailscope: %s: ", level_names[level]);
    if (k < 0 || (size_t)k >= sizeof(line))
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + k, sizeof(line) - (size_t)k - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)k + (size_t)m;
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}
