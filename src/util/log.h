/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr with levels. Every line carries the level and, when
 * the message being worked on is known, its id, so a line in a long run can
 * be tied back to the mail that caused it. Use the MS_LOG_* macros.
 */
#ifndef MS_UTIL_LOG_H
#define MS_UTIL_LOG_H

typedef enum ms_log_level {
    MS_LOG_LEVEL_ERROR = 0,
    MS_LOG_LEVEL_WARN,
    MS_LOG_LEVEL_INFO,
    MS_LOG_LEVEL_DEBUG
} ms_log_level;

/* Sets the most verbose level that is printed (default: warn). */
void ms_log_set_level(ms_log_level level);

/* Returns the current level. */
ms_log_level ms_log_get_level(void);

/* Parses "error", "warn", "info" or "debug". Returns 0 on success. */
int ms_log_level_parse(const char *z, ms_log_level *out);

/* Prints one line at level for the message id (NULL when none). */
void ms_log_write(ms_log_level level, const char *msg_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define MS_LOG(level, id, ...)                                                 \
    do {                                                                       \
        if ((level) <= ms_log_get_level())                                     \
            ms_log_write((level), (id), __VA_ARGS__);                          \
    } while (0)

#define MS_LOG_ERROR(id, ...) MS_LOG(MS_LOG_LEVEL_ERROR, id, __VA_ARGS__)
#define MS_LOG_WARN(id, ...)  MS_LOG(MS_LOG_LEVEL_WARN, id, __VA_ARGS__)
#define MS_LOG_INFO(id, ...)  MS_LOG(MS_LOG_LEVEL_INFO, id, __VA_ARGS__)
#define MS_LOG_DEBUG(id, ...) MS_LOG(MS_LOG_LEVEL_DEBUG, id, __VA_ARGS__)

#endif
