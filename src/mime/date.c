/* SPDX-License-Identifier: MIT */
/*
 * The date parser. Written by hand: the C library's strptime and timegm
 * depend on the locale and the TZ variable and accept few of the forms
 * mail uses. This parser reads tokens, not a fixed layout, so it takes:
 *  - RFC 5322: "Tue, 5 Mar 2024 10:15:00 +0100", day name optional;
 *  - obsolete forms (RFC 5322 4.3): two- and three-digit years, named
 *    zones (UT, GMT, EST...), military letters (read as -0000, as the RFC
 *    says they were never used consistently);
 *  - missing seconds, one-digit hours, fractional seconds, full month
 *    names, any case, misspelled day names, "10:15 PM";
 *  - "+0100 (CET)" comments, "GMT+0100", extra commas and white space;
 *  - asctime form "Tue Mar  5 10:15:00 2024" (and date(1)'s "... EST
 *    2024");
 *  - ISO 8601 forms "2024-03-05 10:15:00" and "2024-03-05T10:15:00Z".
 * Fields are range checked, the day against the length of its month
 * ("30 Feb" is invalid, not 1 or 2 March), so a forged date cannot pass
 * for another one.
 * A missing zone is read as UTC and flagged; spam tools often omit it.
 */
#include <string.h>

#include "mime/date.h"
#include "mailscope/slice.h"
#include "util/ascii.h"

/* Returns the days since 1970-01-01 of a proleptic Gregorian date
 * (the days-from-civil algorithm: era of 400 years, day of era). */
int64_t ms_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse: civil date of a day count. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static const char *const month_names[12] = {
    "jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec",
};

/* Named zones and their offsets in minutes: RFC 5322's obsolete names
 * (UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT) plus the few others common
 * in mail from Europe, Asia, Australia and the Americas. The table is
 * kept small on purpose: a name not in it is flagged as unknown and read
 * as UTC, as RFC 5322 4.3 says, rather than guessed. Ambiguous names take
 * their most frequent meaning in mail: IST is India (+05:30, not Irish or
 * Israel), CST is US Central (not China), BST is British Summer Time,
 * AST is Atlantic (not Arabia). */
static const struct zone {
    const char *name;
    int minutes;
} zones[] = {
    {"ut", 0},     {"utc", 0},    {"gmt", 0},     {"z", 0},       {"est", -300},
    {"edt", -240}, {"cst", -360}, {"cdt", -300},  {"mst", -420},  {"mdt", -360},
    {"pst", -480}, {"pdt", -420}, {"akst", -540}, {"akdt", -480}, {"hst", -600},
    {"ast", -240}, {"adt", -180}, {"nst", -210},  {"ndt", -150},  {"wet", 0},
    {"west", 60},  {"bst", 60},   {"cet", 60},    {"cest", 120},  {"met", 60},
    {"mest", 120}, {"eet", 120},  {"eest", 180},  {"msk", 180},   {"ist", 330},
    {"pkt", 300},  {"ict", 420},  {"wib", 420},   {"hkt", 480},   {"sgt", 480},
    {"awst", 480}, {"kst", 540},  {"jst", 540},   {"acst", 570},  {"aest", 600},
    {"aedt", 660}, {"nzst", 720}, {"nzdt", 780},  {"brt", -180},  {"art", -180},
};

/* Most tokens read from one date. A real date has about eight; the
 * ceiling stops a megabyte of digits from being walked token by token. */
#define MAX_DATE_TOKENS 32

/* A token of the date text: a run of letters, or of digits with the ':'
 * and '.' of a time inside. */
typedef struct token {
    const char *p;
    size_t n;
} token;

/* The fields read so far; -1 or 0 when not yet seen. */
typedef struct date_fields {
    int year, year_digits, month, day, hour, minute, second;
    int offset;        /* minutes east of UTC, when have_zone */
    bool have_zone;    /* a numeric or known named zone was read */
    bool obsolete;     /* a form RFC 5322 4.3 calls obsolete */
    bool unknown_zone; /* a zone-like word or number not understood */
} date_fields;

/* Returns the value of n decimal digits at p. */
static int digits_value(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* True when the token is all digits. */
static bool all_digits(token t)
{
    for (size_t i = 0; i < t.n; i++) {
        if (!ms_ascii_is_digit(t.p[i]))
            return false;
    }
    return t.n > 0;
}

/* True when the token equals the lower-case word z, ignoring case. */
static bool token_is(token t, const char *z)
{
    return ms_slice_eq_cstr_ci((ms_slice){t.p, t.n}, z);
}

/* Parses "H:MM", "HH:MM:SS" or "HH:MM:SS.fraction" (the fraction, which
 * SendGrid and ISO 8601 writers add, is dropped). Returns false when the
 * token is not a time. */
static bool parse_time(token t, int *h, int *mi, int *s)
{
    int parts[3] = {0, 0, 0};
    int count = 0;
    size_t i = 0;
    while (i < t.n && count < 3) {
        size_t start = i;
        while (i < t.n && ms_ascii_is_digit(t.p[i]))
            i++;
        if (i == start || i - start > 2)
            return false;
        parts[count++] = digits_value(t.p + start, i - start);
        if (i < t.n && t.p[i] == ':' && count < 3) {
            i++;
            continue;
        }
        break;
    }
    if (count == 3 && i < t.n && t.p[i] == '.') {
        size_t start = ++i;
        while (i < t.n && ms_ascii_is_digit(t.p[i]))
            i++;
        if (i == start)
            return false;
    }
    if (count < 2 || i < t.n)
        return false;
    *h = parts[0];
    *mi = parts[1];
    *s = parts[2];
    return true;
}

/* Returns the month (1-12) named by a token of letters ("Mar", "march",
 * "MARCH"), or 0. */
static int month_of(token t)
{
    if (t.n < 3 || t.n > 9)
        return 0;
    for (int k = 0; k < 12; k++) {
        if (ms_ascii_lower(t.p[0]) == month_names[k][0] &&
            ms_ascii_lower(t.p[1]) == month_names[k][1] &&
            ms_ascii_lower(t.p[2]) == month_names[k][2])
            return k + 1;
    }
    return 0;
}

/* Looks a zone name up. Returns true and sets *minutes when known; a
 * single military letter (RFC 5322 4.3: their signs were published the
 * wrong way round, so they carry no information) reads as 0. */
static bool zone_of(token t, int *minutes)
{
    char name[8];
    if (t.n == 0 || t.n >= sizeof(name))
        return false;
    for (size_t i = 0; i < t.n; i++)
        name[i] = ms_ascii_lower(t.p[i]);
    name[t.n] = '\0';
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        if (strcmp(zones[i].name, name) == 0) {
            *minutes = zones[i].minutes;
            return true;
        }
    }
    if (t.n == 1 && name[0] >= 'a' && name[0] <= 'z' && name[0] != 'j') {
        *minutes = 0;
        return true;
    }
    return false;
}

/* True when p[0..n) starts with an ISO 8601 calendar date
 * "YYYY-MM-DD". */
static bool is_iso_date(const char *p, size_t n)
{
    static const char shape[] = "dddd-dd-dd";
    if (n < 10)
        return false;
    for (size_t i = 0; i < 10; i++) {
        if (shape[i] == 'd' ? !ms_ascii_is_digit(p[i]) : p[i] != '-')
            return false;
    }
    return true;
}

/* Reads a numeric zone starting at the sign in[i]: "+0100", "-05:30",
 * "+01", and after a GMT/UTC name also "+1" ("GMT+1"). Sets the fields
 * and returns the index after it. A number that is no zone ("+9999")
 * marks the zone unknown. */
static size_t read_numeric_zone(const char *in, size_t n, size_t i,
                                bool after_utc_name, date_fields *f)
{
    int sign = in[i] == '-' ? -1 : 1;
    size_t k = i + 1;
    char digits[4];
    size_t nd = 0, total = 0;
    while (k < n && (ms_ascii_is_digit(in[k]) || in[k] == ':')) {
        if (in[k] != ':') {
            if (nd < sizeof(digits))
                digits[nd++] = in[k];
            total++;
        }
        k++;
    }
    int hh = -1, mm = 0;
    if (total == 4) {
        hh = digits_value(digits, 2);
        mm = digits_value(digits + 2, 2);
    } else if (total == 2 || (total == 1 && after_utc_name)) {
        hh = digits_value(digits, total);
    }
    if (hh < 0 || hh > 23 || mm > 59) {
        f->unknown_zone = true;
        return k;
    }
    f->offset = sign * (hh * 60 + mm);
    f->have_zone = true;
    return k;
}

/* Takes a run of digits (not a time, not an ISO date) as the day or the
 * year, whichever the order of the forms allows: "5 Mar 2024", "Mar 5
 * 2024", "2024 Mar 5", asctime's "Mar  5 10:15:00 2024". */
static void read_number(token t, date_fields *f)
{
    int v = digits_value(t.p, t.n > 9 ? 9 : t.n);
    if (f->day == 0 && t.n <= 2 && (f->month == 0 || f->year < 0)) {
        f->day = v;
    } else if (f->year < 0) {
        f->year = v;
        f->year_digits = (int)t.n;
    } else if (f->day == 0 && t.n <= 2) {
        f->day = v;
    }
}

/* Reads a word: a month name, a zone name, AM/PM, or (ignored) a day
 * name, misspelled or not. Returns true when it was a zone name of offset
 * zero (GMT, UTC, UT), which an offset may follow and correct
 * ("GMT+0100", "UTC-5", as Windows and PHP mailers write). */
static bool read_word(token t, bool after_digit, date_fields *f)
{
    int mo = month_of(t);
    int zm;
    if (mo && f->month == 0) {
        f->month = mo;
        return false;
    }
    if (f->hour < 0)
        return false; /* a day name or noise before the time */
    if (token_is(t, "pm") || token_is(t, "am")) {
        /* "10:15:00 PM": written by hand-made mailers */
        if (f->hour >= 1 && f->hour <= 12) {
            bool pm = ms_ascii_lower(t.p[0]) == 'p';
            f->hour = f->hour % 12 + (pm ? 12 : 0);
        }
        return false;
    }
    if (f->have_zone)
        return false;
    if (t.n == 1 && ms_ascii_lower(t.p[0]) == 'z' && after_digit) {
        /* ISO 8601 "10:15:00Z": UTC, and not the obsolete military Z */
        f->offset = 0;
        f->have_zone = true;
        return false;
    }
    if (zone_of(t, &zm)) {
        f->offset = zm;
        f->have_zone = true;
        f->obsolete = true;
        return zm == 0 && t.n >= 2;
    }
    if (t.n <= 5)
        f->unknown_zone = true;
    return false;
}

/* Returns the number of days in month m of year y. */
static int days_in_month(int y, int m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly two decimal digits at p; returns -1 when they are not. */
static int two_digits(const char *p)
{
    if (!ms_ascii_is_digit(p[0]) || !ms_ascii_is_digit(p[1]))
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/*
 * The form nearly every date of real mail has, read in one pass:
 * "Tue, 5 Mar 2024 10:15:00 +0100", the day name optional, then nothing
 * but white space and at most one comment without nesting ("(CET)").
 * Fills out and returns true only when the token reader below would read
 * the same fields and raise no flag; anything else (a named zone, a
 * two-digit year, missing seconds, more text) returns false, and the
 * token reader takes the date.
 */
static bool parse_common_form(const char *in, size_t n, ms_date *out)
{
    static const char day_names[] = "MonTueWedThuFriSatSun";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    size_t i = 0;
    while (i < n && (in[i] == ' ' || in[i] == '\t'))
        i++;
    if (i + 5 <= n && ms_ascii_is_alpha(in[i])) {
        bool day_name = false;
        for (size_t k = 0; k < 21 && !day_name; k += 3)
            day_name = memcmp(in + i, day_names + k, 3) == 0;
        if (!day_name || in[i + 3] != ',' || in[i + 4] != ' ')
            return false;
        i += 5;
    }
    /* "5 Mar 2024 10:15:00 +0100" is 25 bytes, a two-digit day 26 */
    if (i + 25 > n || !ms_ascii_is_digit(in[i]))
        return false;
    int day = in[i++] - '0';
    if (ms_ascii_is_digit(in[i]))
        day = day * 10 + (in[i++] - '0');
    if (i + 24 > n || in[i] != ' ')
        return false;
    i++;
    int month = 0;
    for (int k = 0; k < 12 && month == 0; k++) {
        if (memcmp(in + i, months + 3 * k, 3) == 0)
            month = k + 1;
    }
    if (month == 0 || in[i + 3] != ' ')
        return false;
    i += 4;
    int century = two_digits(in + i), year_low = two_digits(in + i + 2);
    if (century < 0 || year_low < 0 || in[i + 4] != ' ')
        return false;
    int year = century * 100 + year_low;
    i += 5;
    int hour = two_digits(in + i), minute = two_digits(in + i + 3),
        second = two_digits(in + i + 6);
    if (hour < 0 || minute < 0 || second < 0 || in[i + 2] != ':' ||
        in[i + 5] != ':' || in[i + 8] != ' ')
        return false;
    i += 9;
    char sign = in[i];
    int zone_hours = two_digits(in + i + 1),
        zone_minutes = two_digits(in + i + 3);
    if ((sign != '+' && sign != '-') || zone_hours < 0 || zone_minutes < 0 ||
        zone_hours > 23 || zone_minutes > 59)
        return false;
    i += 5;
    /* what may follow: white space and one plain comment */
    while (i < n && (in[i] == ' ' || in[i] == '\t'))
        i++;
    if (i < n && in[i] == '(') {
        i++;
        while (i < n && in[i] != ')' && in[i] != '(' && in[i] != '\\')
            i++;
        if (i == n || in[i] != ')')
            return false;
        i++;
        while (i < n && (in[i] == ' ' || in[i] == '\t'))
            i++;
    }
    if (i != n)
        return false;
    if (year < 1900 || month < 1 || day < 1 ||
        day > days_in_month(year, month) || hour > 23 || minute > 59 ||
        second > 60)
        return false;
    int offset = (sign == '-' ? -1 : 1) * (zone_hours * 60 + zone_minutes);
    int64_t days = ms_days_from_civil(year, (unsigned)month, (unsigned)day);
    int64_t local = days * 86400 + hour * 3600 + minute * 60 + second;
    out->valid = true;
    out->offset_minutes = offset;
    out->utc = local - (int64_t)offset * 60;
    out->zone_missing = false;
    return true;
}

/* Parses a date; see date.h. The text is read as tokens rather than
 * against a fixed layout, each token taking the first free field its
 * form allows, so fields may be missing or moved as real mail has them. */
ms_status ms_date_parse(const char *in, size_t n, ms_date *out, unsigned *flags)
{
    memset(out, 0, sizeof(*out));
    *flags = 0;
    if (parse_common_form(in, n, out))
        return MS_OK;
    memset(out, 0, sizeof(*out));
    date_fields f = {.year = -1, .hour = -1};
    size_t i = 0, utc_name_end = (size_t)-1;
    int n_tokens = 0;
    while (i < n && n_tokens < MAX_DATE_TOKENS) {
        char c = in[i];
        if (c == '(') {
            /* a comment ("+0100 (CET)"): skipped, nesting respected */
            int depth = 0;
            for (; i < n; i++) {
                if (in[i] == '\\')
                    i++;
                else if (in[i] == '(')
                    depth++;
                else if (in[i] == ')' && --depth == 0)
                    break;
            }
            i++;
            continue;
        }
        if ((c == '+' || c == '-') && i + 1 < n &&
            ms_ascii_is_digit(in[i + 1]) && f.hour >= 0 &&
            (!f.have_zone || i == utc_name_end)) {
            i = read_numeric_zone(in, n, i, i == utc_name_end, &f);
            n_tokens++;
            continue;
        }
        if (ms_ascii_is_digit(c) && is_iso_date(in + i, n - i)) {
            f.year = digits_value(in + i, 4);
            f.year_digits = 4;
            f.month = digits_value(in + i + 5, 2);
            f.day = digits_value(in + i + 8, 2);
            i += 10;
            /* "2024-01-05T10:00:00": the T joins date and time */
            if (i + 1 < n && (in[i] == 'T' || in[i] == 't') &&
                ms_ascii_is_digit(in[i + 1]))
                i++;
            n_tokens++;
            continue;
        }
        if (ms_ascii_is_digit(c)) {
            size_t k = i;
            while (k < n &&
                   (ms_ascii_is_digit(in[k]) || in[k] == ':' || in[k] == '.'))
                k++;
            /* a trailing dot separates ("5. Mar") */
            while (k > i + 1 && in[k - 1] == '.')
                k--;
            token t = {in + i, k - i};
            int h, mi, s;
            if (f.hour < 0 && parse_time(t, &h, &mi, &s)) {
                f.hour = h;
                f.minute = mi;
                f.second = s;
            } else if (all_digits(t)) {
                read_number(t, &f);
            }
            i = k;
            n_tokens++;
            continue;
        }
        if (ms_ascii_is_alpha(c)) {
            size_t k = i;
            while (k < n && ms_ascii_is_alpha(in[k]))
                k++;
            bool after_digit = i > 0 && ms_ascii_is_digit(in[i - 1]);
            if (read_word((token){in + i, k - i}, after_digit, &f))
                utc_name_end = k;
            i = k;
            n_tokens++;
            continue;
        }
        i++;
    }
    if (f.year >= 0 && f.year_digits <= 2) {
        f.year += f.year < 50 ? 2000 : 1900;
        f.obsolete = true;
    } else if (f.year >= 0 && f.year_digits == 3) {
        f.year += 1900;
        f.obsolete = true;
    }
    if (f.year < 1900 || f.year > 9999 || f.month < 1 || f.month > 12 ||
        f.day < 1 || f.day > days_in_month(f.year, f.month) || f.hour < 0 ||
        f.hour > 23 || f.minute > 59 || f.second > 60) {
        *flags |= MS_DATE_INVALID;
        return MS_OK;
    }
    int64_t days =
        ms_days_from_civil(f.year, (unsigned)f.month, (unsigned)f.day);
    int64_t local = days * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
    out->valid = true;
    out->offset_minutes = f.have_zone ? f.offset : 0;
    out->utc = local - (int64_t)out->offset_minutes * 60;
    out->zone_missing = !f.have_zone;
    if (!f.have_zone)
        *flags |= f.unknown_zone ? MS_DATE_ZONE_UNKNOWN : MS_DATE_ZONE_MISSING;
    if (f.obsolete)
        *flags |= MS_DATE_OBSOLETE;
    return MS_OK;
}

/* "00" to "99": the digits of two-digit numbers, written two at a time
 * (every Received hop formats two dates). */
static const char digit_pairs[201] = "0001020304050607080910111213141516171819"
                                     "2021222324252627282930313233343536373839"
                                     "4041424344454647484950515253545556575859"
                                     "6061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

/* Writes v as exactly width decimal digits at p (the low ones when v has
 * more); width is even. */
static void put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 2; i >= 0; i -= 2) {
        memcpy(p + i, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
}

/* Writes the UTC time as "2024-01-05T09:00:00Z"; returns the length.
 * Formatted by hand: it runs for every date of every document, and
 * snprintf was a visible share of the time. */
size_t ms_date_format_utc(const ms_date *d, char *buf, size_t size)
{
    int64_t days = d->utc / 86400;
    int64_t secs = d->utc % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    int64_t y;
    unsigned m, day;
    civil_from_days(days, &y, &m, &day);
    if (size < 21 || y < 0 || y > 9999) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    put_digits(buf, (unsigned)y, 4);
    buf[4] = '-';
    put_digits(buf + 5, m, 2);
    buf[7] = '-';
    put_digits(buf + 8, day, 2);
    buf[10] = 'T';
    put_digits(buf + 11, (unsigned)(secs / 3600), 2);
    buf[13] = ':';
    put_digits(buf + 14, (unsigned)(secs / 60 % 60), 2);
    buf[16] = ':';
    put_digits(buf + 17, (unsigned)(secs % 60), 2);
    buf[19] = 'Z';
    buf[20] = '\0';
    return 20;
}

/* Writes an offset as "+01:00"; returns the length. */
size_t ms_date_format_offset(int offset_minutes, char *buf, size_t size)
{
    if (size < 7) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    unsigned v =
        (unsigned)(offset_minutes < 0 ? -offset_minutes : offset_minutes);
    buf[0] = offset_minutes < 0 ? '-' : '+';
    put_digits(buf + 1, v / 60 % 100, 2);
    buf[3] = ':';
    put_digits(buf + 4, v % 60, 2);
    buf[6] = '\0';
    return 6;
}
