/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the date parser: the RFC 5322 form, every obsolete and
 * broken form real mail uses, the range checks that refuse impossible
 * dates, the flags the parser reports, and the two formatters. Expected
 * epoch values were computed independently (Python's calendar.timegm).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mime/date.h"

/* The result of parsing one text. */
typedef struct parsed {
    ms_date date;
    unsigned flags;
    char utc[32]; /* the UTC time formatted, "" when invalid */
} parsed;

/* Parses the NUL-terminated z. */
static parsed parse(const char *z)
{
    parsed r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(ms_date_parse(z, strlen(z), &r.date, &r.flags), MS_OK);
    if (r.date.valid)
        ms_date_format_utc(&r.date, r.utc, sizeof(r.utc));
    return r;
}

/* Asserts that z parses to the UTC text, the written offset and exactly
 * the flags. */
static void check(const char *z, const char *utc, int offset, unsigned flags)
{
    parsed r = parse(z);
    if (!r.date.valid)
        fail_msg("'%s' not parsed", z);
    if (strcmp(r.utc, utc) != 0 || r.date.offset_minutes != offset ||
        r.flags != flags)
        fail_msg("'%s': got %s %d flags %u, want %s %d flags %u", z, r.utc,
                 r.date.offset_minutes, r.flags, utc, offset, flags);
}

/* Asserts that z is refused. */
static void check_invalid(const char *z)
{
    parsed r = parse(z);
    if (r.date.valid || r.flags != MS_DATE_INVALID)
        fail_msg("'%s' taken for %s", z, r.utc);
}

/* The common form is read in one pass; text after it that the token
 * reader would still use (AM/PM, a second zone, a nested comment, more
 * words) or a zone out of range leaves it to the token reader, so the
 * result never depends on which of the two read the date. */
static void test_common_form_defers_whatever_it_does_not_read(void **state)
{
    (void)state;
    check("Tue, 12 Mar 2024 10:15:00 +0100 (CET)", "2024-03-12T09:15:00Z", 60,
          0);
    check("  Sat, 2 Mar 2024 10:15:00 -0000  ", "2024-03-02T10:15:00Z", 0, 0);
    /* "PM" after the zone still moves the hour */
    check("Tue, 12 Mar 2024 10:15:00 +0100 PM", "2024-03-12T21:15:00Z", 60, 0);
    check("Tue, 12 Mar 2024 10:15:00 +0100 (a (nested) one)",
          "2024-03-12T09:15:00Z", 60, 0);
    check("Tue, 12 Mar 2024 10:15:00 +0100 (CET) +0200", "2024-03-12T09:15:00Z",
          60, 0);
    check("Tue, 12 Mar 2024 10:15:00 +2500 GMT", "2024-03-12T10:15:00Z", 0,
          MS_DATE_OBSOLETE);
    check("Tue, 12 Mar 2024 10:15:00 +01000", "2024-03-12T10:15:00Z", 0,
          MS_DATE_ZONE_UNKNOWN);
    check("tue, 12 mar 2024 10:15:00 +0100", "2024-03-12T09:15:00Z", 60, 0);
    check("Tue, 12 Mar 24 10:15:00 +0100", "2024-03-12T09:15:00Z", 60,
          MS_DATE_OBSOLETE);
    check_invalid("Fri, 30 Feb 2024 10:15:00 +0100");
    check_invalid("Fri, 1 Mar 2024 24:15:00 +0100");
}

static void test_rfc5322_date_gives_utc_and_written_offset(void **state)
{
    (void)state;
    parsed r = parse("Tue, 12 Mar 2024 15:03:05 +0100");
    assert_true(r.date.valid);
    assert_int_equal(r.date.utc, 1710252185);
    assert_int_equal(r.date.offset_minutes, 60);
    assert_false(r.date.zone_missing);
    assert_int_equal(r.flags, 0);
    check("1 Feb 2024 23:30:00 -0530", "2024-02-02T05:00:00Z", -330, 0);
    check("Wed, 31 Dec 2025 23:59:59 +0200 (EET)", "2025-12-31T21:59:59Z", 120,
          0);
    check("Thu, 1 Jan 1970 00:00:00 -0000", "1970-01-01T00:00:00Z", 0, 0);
}

static void test_two_and_three_digit_years_follow_rfc5322_4_3(void **state)
{
    (void)state;
    check("Fri, 20 Sep 02 10:11:12 -0400", "2002-09-20T14:11:12Z", -240,
          MS_DATE_OBSOLETE);
    check("Fri, 1 Jan 49 00:00:00 +0000", "2049-01-01T00:00:00Z", 0,
          MS_DATE_OBSOLETE);
    check("Fri, 1 Jan 50 00:00:00 +0000", "1950-01-01T00:00:00Z", 0,
          MS_DATE_OBSOLETE);
    check("Mon, 5 Jan 104 10:00:00 +0000", "2004-01-05T10:00:00Z", 0,
          MS_DATE_OBSOLETE);
}

static void test_named_zones_are_obsolete_and_read_from_the_table(void **state)
{
    (void)state;
    check("Fri, 20 Sep 2002 10:11:12 EDT", "2002-09-20T14:11:12Z", -240,
          MS_DATE_OBSOLETE);
    check("Fri, 20 Sep 2002 10:11:12 pst", "2002-09-20T18:11:12Z", -480,
          MS_DATE_OBSOLETE);
    check("Fri, 20 Sep 2002 10:11:12 GMT", "2002-09-20T10:11:12Z", 0,
          MS_DATE_OBSOLETE);
    check("Fri, 20 Sep 2002 10:11:12 CEST", "2002-09-20T08:11:12Z", 120,
          MS_DATE_OBSOLETE);
    check("Fri, 20 Sep 2002 10:11:12 IST", "2002-09-20T04:41:12Z", 330,
          MS_DATE_OBSOLETE);
    /* military letters carry no information: -0000 */
    check("Fri, 20 Sep 2002 10:11:12 A", "2002-09-20T10:11:12Z", 0,
          MS_DATE_OBSOLETE);
}

static void
test_unknown_or_missing_zone_reads_as_utc_and_is_flagged(void **state)
{
    (void)state;
    parsed r = parse("Mon, 4 Nov 2019 09:05:00");
    assert_true(r.date.valid);
    assert_true(r.date.zone_missing);
    assert_string_equal(r.utc, "2019-11-04T09:05:00Z");
    assert_int_equal(r.flags, MS_DATE_ZONE_MISSING);
    check("Tue, 12 Mar 2024 15:03:05 MESZ", "2024-03-12T15:03:05Z", 0,
          MS_DATE_ZONE_UNKNOWN);
    /* a number that is no offset is no zone either */
    check("Tue, 12 Mar 2024 15:03:05 +9999", "2024-03-12T15:03:05Z", 0,
          MS_DATE_ZONE_UNKNOWN);
}

static void test_missing_seconds_and_one_digit_hour_are_accepted(void **state)
{
    (void)state;
    check("Mon, 4 Nov 2019 09:05 +0000", "2019-11-04T09:05:00Z", 0, 0);
    check("Mon, 4 Nov 2019 9:05:00 +0000", "2019-11-04T09:05:00Z", 0, 0);
    check("Mon, 4 Nov 2019 9:05 +0000", "2019-11-04T09:05:00Z", 0, 0);
}

static void test_month_and_day_names_in_any_case_and_spelling(void **state)
{
    (void)state;
    check("5 JANUARY 2024 10:00:00 +0000", "2024-01-05T10:00:00Z", 0, 0);
    check("friday, 5 january 2024 10:00:00 +0000", "2024-01-05T10:00:00Z", 0,
          0);
    check("Thurs, 4 Jan 2024 10:00:00 +0000", "2024-01-04T10:00:00Z", 0, 0);
    check("Tues, 2 Jan 2024 10:00:00 +0000", "2024-01-02T10:00:00Z", 0, 0);
    check("Sept 5 2024 10:00:00 +0000", "2024-09-05T10:00:00Z", 0, 0);
}

static void test_extra_white_space_and_commas_are_ignored(void **state)
{
    (void)state;
    check("  Tue,,  12   Mar  2024 \t  15:03:05   +0100  ",
          "2024-03-12T14:03:05Z", 60, 0);
    check("Tue, 12 Mar, 2024, 15:03:05, +0100", "2024-03-12T14:03:05Z", 60, 0);
}

static void test_iso_8601_forms_are_read(void **state)
{
    (void)state;
    check("2024-01-05 10:00:00", "2024-01-05T10:00:00Z", 0,
          MS_DATE_ZONE_MISSING);
    check("2024-01-05T10:00:00Z", "2024-01-05T10:00:00Z", 0, 0);
    check("2024-01-05T10:00:00.123+01:00", "2024-01-05T09:00:00Z", 60, 0);
    check("2024-01-05T10:00:00-05:30", "2024-01-05T15:30:00Z", -330, 0);
    /* SendGrid's internal hop: Go's time format */
    check("2024-03-14 16:20:30.618624134 +0000 UTC m=+1932447.812045672",
          "2024-03-14T16:20:30Z", 0, 0);
}

static void test_asctime_and_date_command_forms_are_read(void **state)
{
    (void)state;
    check("Fri Jan  5 10:00:00 2024", "2024-01-05T10:00:00Z", 0,
          MS_DATE_ZONE_MISSING);
    check("Fri Jan  5 10:00:00 EST 2024", "2024-01-05T15:00:00Z", -300,
          MS_DATE_OBSOLETE);
}

static void test_broken_mailer_forms_are_read(void **state)
{
    (void)state;
    /* an offset after GMT corrects it */
    check("Tue, 12 Mar 2024 15:03:05 GMT+0100", "2024-03-12T14:03:05Z", 60,
          MS_DATE_OBSOLETE);
    check("Tue, 12 Mar 2024 15:03:05 UTC-5", "2024-03-12T20:03:05Z", -300,
          MS_DATE_OBSOLETE);
    check("Tue, 12 Mar 2024 3:03:05 PM +0000", "2024-03-12T15:03:05Z", 0, 0);
    check("Tue, 12 Mar 2024 12:30 AM +0000", "2024-03-12T00:30:00Z", 0, 0);
    check("Thu, 14 Mar 2024 16:20:30.538 +0000 (UTC)", "2024-03-14T16:20:30Z",
          0, 0);
    check("Tue, 12 Mar 2024 15:03:05 +01", "2024-03-12T14:03:05Z", 60, 0);
    /* a comment with nested parentheses and an escaped one */
    check("Tue, 12 Mar 2024 15:03:05 (a (b) \\) c) +0100",
          "2024-03-12T14:03:05Z", 60, 0);
}

static void test_leap_days_and_leap_seconds_are_checked(void **state)
{
    (void)state;
    check("29 Feb 2024 12:00:00 +0000", "2024-02-29T12:00:00Z", 0, 0);
    check("29 Feb 2000 12:00:00 +0000", "2000-02-29T12:00:00Z", 0, 0);
    check_invalid("29 Feb 2023 12:00:00 +0000");
    check_invalid("29 Feb 1900 12:00:00 +0000");
    parsed r = parse("31 Dec 2016 23:59:60 +0000");
    assert_true(r.date.valid);
    assert_int_equal(r.date.utc, 1483228800);
}

static void test_out_of_range_fields_make_the_date_invalid(void **state)
{
    (void)state;
    check_invalid("30 Feb 2024 10:00:00 +0000");
    check_invalid("31 Apr 2024 10:00:00 +0000");
    check_invalid("32 Jan 2024 10:00:00 +0000");
    check_invalid("0 Jan 2024 10:00:00 +0000");
    check_invalid("5 Jan 2024 24:00:00 +0000");
    check_invalid("5 Jan 2024 10:60:00 +0000");
    check_invalid("5 Jan 2024 10:00:61 +0000");
    check_invalid("5 Jan 1899 10:00:00 +0000");
    check_invalid("5 Jan 10000 10:00:00 +0000");
    check_invalid("5 Jan 2024 +0000");
    check_invalid("someday soon");
    check_invalid("");
    check_invalid("2024-13-01 10:00:00");
}

static void test_garbage_is_invalid_and_reads_nothing_past_n(void **state)
{
    (void)state;
    static char digits[20000];
    memset(digits, '9', sizeof(digits));
    ms_date d;
    unsigned flags;
    ms_date_parse(digits, sizeof(digits), &d, &flags);
    assert_false(d.valid);
    assert_int_equal(flags, MS_DATE_INVALID);
    /* the zone lies past n: the date is read without it */
    const char *z = "Tue, 12 Mar 2024 15:03:05 +0100";
    ms_date_parse(z, strlen(z) - 6, &d, &flags);
    assert_true(d.valid);
    assert_int_equal(flags, MS_DATE_ZONE_MISSING);
    assert_int_equal(d.utc, 1710252185 + 3600);
}

static void test_format_utc_handles_dates_before_the_epoch(void **state)
{
    (void)state;
    ms_date d = {.valid = true, .utc = -1};
    char buf[21];
    assert_int_equal(ms_date_format_utc(&d, buf, sizeof(buf)), 20);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    d.utc = 253402300799; /* the last second of 9999 */
    assert_int_equal(ms_date_format_utc(&d, buf, sizeof(buf)), 20);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
    char small[20];
    assert_int_equal(ms_date_format_utc(&d, small, sizeof(small)), 0);
    assert_string_equal(small, "");
}

/* Instants four days, one hour, one minute and one second apart from
 * 1900 to 2100, so that every field takes many values, format as
 * gmtime() and strftime() write them (the digits are written two at a
 * time from a table). */
static void test_format_utc_agrees_with_gmtime(void **state)
{
    (void)state;
    for (int64_t t = -2208988800LL; t < 4102444800LL; t += 4 * 86400 + 3661) {
        ms_date d = {.valid = true, .utc = t};
        char buf[21], want[32];
        time_t tt = (time_t)t;
        struct tm tm;
        assert_non_null(gmtime_r(&tt, &tm));
        strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
        assert_int_equal(ms_date_format_utc(&d, buf, sizeof(buf)), 20);
        assert_string_equal(buf, want);
    }
}

static void test_format_offset_writes_sign_hours_and_minutes(void **state)
{
    (void)state;
    char buf[7];
    assert_int_equal(ms_date_format_offset(60, buf, sizeof(buf)), 6);
    assert_string_equal(buf, "+01:00");
    ms_date_format_offset(-330, buf, sizeof(buf));
    assert_string_equal(buf, "-05:30");
    ms_date_format_offset(0, buf, sizeof(buf));
    assert_string_equal(buf, "+00:00");
    ms_date_format_offset(825, buf, sizeof(buf));
    assert_string_equal(buf, "+13:45");
    assert_int_equal(ms_date_format_offset(60, buf, 6), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc5322_date_gives_utc_and_written_offset),
        cmocka_unit_test(test_common_form_defers_whatever_it_does_not_read),
        cmocka_unit_test(test_two_and_three_digit_years_follow_rfc5322_4_3),
        cmocka_unit_test(test_named_zones_are_obsolete_and_read_from_the_table),
        cmocka_unit_test(
            test_unknown_or_missing_zone_reads_as_utc_and_is_flagged),
        cmocka_unit_test(test_missing_seconds_and_one_digit_hour_are_accepted),
        cmocka_unit_test(test_month_and_day_names_in_any_case_and_spelling),
        cmocka_unit_test(test_extra_white_space_and_commas_are_ignored),
        cmocka_unit_test(test_iso_8601_forms_are_read),
        cmocka_unit_test(test_asctime_and_date_command_forms_are_read),
        cmocka_unit_test(test_broken_mailer_forms_are_read),
        cmocka_unit_test(test_leap_days_and_leap_seconds_are_checked),
        cmocka_unit_test(test_out_of_range_fields_make_the_date_invalid),
        cmocka_unit_test(test_garbage_is_invalid_and_reads_nothing_past_n),
        cmocka_unit_test(test_format_utc_handles_dates_before_the_epoch),
        cmocka_unit_test(test_format_utc_agrees_with_gmtime),
        cmocka_unit_test(test_format_offset_writes_sign_hours_and_minutes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
