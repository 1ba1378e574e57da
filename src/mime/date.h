/* SPDX-License-Identifier: MIT */
/*
 * Dates of mail headers: RFC 5322 date-time and the obsolete and broken
 * forms real mail uses, to seconds since the epoch plus the written
 * offset.
 */
#ifndef MS_MIME_DATE_H
#define MS_MIME_DATE_H

#include <stddef.h>

#include "mailscope/message.h"

enum {
    MS_DATE_OBSOLETE = 1,     /* two-digit year, named or military zone */
    MS_DATE_ZONE_MISSING = 2, /* no zone: read as UTC */
    MS_DATE_INVALID = 4,      /* unparsable */
    MS_DATE_ZONE_UNKNOWN = 8  /* a zone name not in the table: UTC */
};

/* Parses an RFC 5322 date-time, or one of the obsolete and broken forms
 * real mail uses (see date.c for the list), from n bytes at in (no NUL
 * needed). out->utc is seconds since the epoch in UTC, out->offset_minutes
 * the offset as written (0 when missing or unknown, then read as UTC).
 * out->valid is false, and MS_DATE_INVALID set in *flags, when the text
 * is no date. Pure: no allocation, no locale, no TZ. Always MS_OK. */
ms_status ms_date_parse(const char *in, size_t n, ms_date *out,
                        unsigned *flags);

/* Writes the UTC time as "2024-01-05T09:00:00Z" and a NUL into buf (at
 * least 21 bytes); returns the length, 0 when buf is too small or the year
 * is outside 0-9999. */
size_t ms_date_format_utc(const ms_date *d, char *buf, size_t size);

/* Writes an offset as "+01:00" / "-05:30" and a NUL into buf (at least 7
 * bytes); returns the length, 0 when buf is too small. */
size_t ms_date_format_offset(int offset_minutes, char *buf, size_t size);

/* Returns the days since 1970-01-01 of a proleptic Gregorian date. */
int64_t ms_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
