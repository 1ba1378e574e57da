/* SPDX-License-Identifier: MIT */
/*
 * Charset conversion to UTF-8. glibc's iconv does the real work for the
 * hundreds of charsets mail uses; three cases are done by hand because
 * they cover most mail and iconv's per-call cost would dominate: UTF-8
 * and ASCII (validated, passed through without a copy), and ISO-8859-1 /
 * windows-1252 (a table). ISO-8859-1 labels are decoded as windows-1252,
 * as browsers and mail clients do: senders label windows-1252 text
 * (curly quotes, the euro sign) as ISO-8859-1 all the time, and the C1
 * controls ISO-8859-1 would give in their place are never meant.
 *
 * iconv_open is slow, so each thread keeps a few open descriptors keyed by
 * canonical name (the workers call this concurrently; iconv_t is not
 * shareable between threads).
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "mime/charset.h"
#include "util/ascii.h"
#include "util/json.h"
#include "util/scan.h"

/* Longest charset label considered. */
#define MAX_LABEL 64
/* Open iconv descriptors kept per thread. */
#define ICONV_CACHE_SIZE 8

/* Windows-1252 code points of the bytes 0x80 to 0x9F (the rest of the
 * upper half is ISO-8859-1, code point = byte). */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Labels seen in mail and the iconv name they mean. Labels not listed are
 * tried with iconv as they are. */
static const struct alias {
    const char *label;
    const char *name;
} aliases[] = {
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"us-ascii", "UTF-8"},
    {"ascii", "UTF-8"},
    {"ansi_x3.4-1968", "UTF-8"},
    {"iso646-us", "UTF-8"},
    {"us", "UTF-8"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"iso8859_1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"latin-1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"},
    {"cp1252", "WINDOWS-1252"},
    {"win-1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"cp-1252", "WINDOWS-1252"},
    {"windows-1251", "WINDOWS-1251"},
    {"win-1251", "WINDOWS-1251"},
    {"cp1251", "WINDOWS-1251"},
    {"x-cp1251", "WINDOWS-1251"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601", "CP949"},
    {"euc-kr", "CP949"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"x-gbk", "GB18030"},
    {"cn-gb", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"x-sjis", "CP932"},
    {"shift-jis", "CP932"},
    {"shift_jis", "CP932"},
    {"sjis", "CP932"},
    {"ms_kanji", "CP932"},
    {"windows-31j", "CP932"},
    {"iso-8859-8-i", "ISO-8859-8"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"unicode-1-1-utf-7", "UTF-7"},
    {"utf-7", "UTF-7"},
    {"euc-cn", "GB18030"},
    {"x-euc-cn", "GB18030"},
    {"cp936", "GB18030"},
    {"windows-936", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"x-x-big5", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"x-mac-roman", "MACINTOSH"},
    {"macintosh", "MACINTOSH"},
    {"tis-620", "TIS-620"},
    {"windows-874", "CP874"},
};

/* Labels that say nothing: read as if no label was given. */
static const char *const empty_labels[] = {
    "x-unknown",      "unknown-8bit", "unknown", "default",
    "x-user-defined", "charset",      "none",
};

/* True for the bytes a charset name may hold. Anything else (a '/' that
 * would pass "//TRANSLIT" options to iconv, quotes, controls) makes the
 * label unknown. */
static bool label_char(char c)
{
    return ms_ascii_is_alnum(c) || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == '+';
}

/* Copies a label into buf, lower-case, without quotes and white space.
 * Returns its length (0 when empty, too long or holding bytes no charset
 * name has). */
static size_t clean_label(const char *label, size_t n, char *buf)
{
    ms_slice s = ms_slice_trim((ms_slice){label, n});
    while (s.n > 0 && (s.p[0] == '"' || s.p[0] == '\'')) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && (s.p[s.n - 1] == '"' || s.p[s.n - 1] == '\''))
        s.n--;
    s = ms_slice_trim(s);
    if (s.n == 0 || s.n >= MAX_LABEL)
        return 0;
    for (size_t i = 0; i < s.n; i++) {
        if (!label_char(s.p[i]))
            return 0;
        buf[i] = ms_ascii_lower(s.p[i]);
    }
    buf[s.n] = '\0';
    return s.n;
}

/* True when the cleaned label is one that says nothing about the bytes. */
static bool empty_label(const char *buf)
{
    for (size_t i = 0; i < sizeof(empty_labels) / sizeof(empty_labels[0]);
         i++) {
        if (strcmp(buf, empty_labels[i]) == 0)
            return true;
    }
    return false;
}

/*
 * Canonical names of the charsets iconv knows that the alias table does
 * not list, upper-case, shared by all threads and never freed, so that
 * ms_charset_canonical can hand out strings that stay valid. iconv knows
 * about a thousand names, so hostile labels cannot grow this without
 * bound; past the ceiling a thread-local copy is returned instead.
 */
#define MAX_INTERNED_NAMES 256
static char interned_names[MAX_INTERNED_NAMES][MAX_LABEL];
static size_t n_interned_names;
static pthread_mutex_t interned_lock = PTHREAD_MUTEX_INITIALIZER;

/* Returns the shared copy of the upper-case name, adding it when new, or
 * NULL when the table is full. */
static const char *intern_name(const char *upper)
{
    const char *found = NULL;
    pthread_mutex_lock(&interned_lock);
    for (size_t i = 0; i < n_interned_names && found == NULL; i++) {
        if (strcmp(interned_names[i], upper) == 0)
            found = interned_names[i];
    }
    if (found == NULL && n_interned_names < MAX_INTERNED_NAMES) {
        char *slot = interned_names[n_interned_names++];
        memcpy(slot, upper, strlen(upper) + 1);
        found = slot;
    }
    pthread_mutex_unlock(&interned_lock);
    return found;
}

/* One entry of the per-thread cache of open descriptors, keyed by name
 * without regard to case. */
typedef struct iconv_entry {
    char name[MAX_LABEL];
    char upper[MAX_LABEL]; /* the name upper-cased */
    const char *canonical; /* interned upper-case name, or NULL when full */
    iconv_t cd;
    bool ok; /* false: iconv does not know the name */
} iconv_entry;

/* The calling thread's cache. Worker threads convert text concurrently and
 * an iconv_t must not be shared, so each thread has its own. */
static _Thread_local iconv_entry iconv_cache[ICONV_CACHE_SIZE];
static _Thread_local unsigned iconv_cache_next;

/* Closes the calling thread's cached descriptors; run by the thread-exit
 * destructor of cache_key, so worker threads do not leak them. */
static void close_thread_cache(void *unused)
{
    (void)unused;
    for (unsigned i = 0; i < ICONV_CACHE_SIZE; i++) {
        if (iconv_cache[i].name[0] && iconv_cache[i].ok)
            iconv_close(iconv_cache[i].cd);
        iconv_cache[i].name[0] = '\0';
        iconv_cache[i].ok = false;
    }
}

static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

/* Creates the key whose destructor closes a thread's descriptors. */
static void make_cache_key(void)
{
    pthread_key_create(&cache_key, close_thread_cache);
}

/*
 * Returns the calling thread's cache entry for the charset name (any
 * case), opening a descriptor to UTF-8 on a miss (entry->ok false when
 * iconv does not know the name; failures are cached too, so a label
 * repeated in every header is looked up once). The descriptor is reset
 * to its initial shift state.
 */
static iconv_entry *cached_iconv(const char *name)
{
    pthread_once(&cache_key_once, make_cache_key);
    if (pthread_getspecific(cache_key) == NULL)
        pthread_setspecific(cache_key, (void *)1);
    for (unsigned i = 0; i < ICONV_CACHE_SIZE; i++) {
        iconv_entry *e = &iconv_cache[i];
        if (e->name[0] && strcasecmp(e->name, name) == 0) {
            if (e->ok)
                iconv(e->cd, NULL, NULL, NULL, NULL);
            return e;
        }
    }
    iconv_entry *e = &iconv_cache[iconv_cache_next++ % ICONV_CACHE_SIZE];
    if (e->name[0] && e->ok)
        iconv_close(e->cd);
    size_t len = strlen(name);
    if (len >= MAX_LABEL)
        len = MAX_LABEL - 1;
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    for (size_t i = 0; i <= len; i++)
        e->upper[i] = ms_ascii_upper(e->name[i]);
    e->cd = iconv_open("UTF-8", e->name);
    e->ok = e->cd != (iconv_t)-1;
    e->canonical = e->ok ? intern_name(e->upper) : NULL;
    return e;
}

/* Returns the canonical iconv name for a charset label; see charset.h.
 * Listed aliases give their table name; other names iconv knows give
 * their upper-case form. */
const char *ms_charset_canonical(const char *label, size_t n)
{
    char buf[MAX_LABEL];
    if (label == NULL || clean_label(label, n, buf) == 0)
        return NULL;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (strcmp(buf, aliases[i].label) == 0)
            return aliases[i].name;
    }
    if (empty_label(buf))
        return NULL;
    iconv_entry *e = cached_iconv(buf);
    if (!e->ok)
        return NULL;
    if (e->canonical)
        return e->canonical;
    /* the shared table is full: a copy valid until the thread's next call */
    static _Thread_local char known[MAX_LABEL];
    memcpy(known, e->upper, strlen(e->upper) + 1);
    return known;
}

/* True when the bytes are valid UTF-8. */
bool ms_utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        i += ms_scan_8bit(p + i, n - i);
        if (i >= n)
            break;
        size_t len = ms_utf8_sequence_length(s + i, n - i);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

/* Appends the UTF-8 form of code point cp at dst; returns its length. */
static size_t put_utf8(unsigned char *dst, unsigned cp)
{
    if (cp < 0x80) {
        dst[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (unsigned char)(0xC0 | cp >> 6);
        dst[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    dst[0] = (unsigned char)(0xE0 | cp >> 12);
    dst[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    dst[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
}

/* Decodes windows-1252 by table. Returns MS_ENOMEM or MS_OK. */
static ms_status from_cp1252(ms_arena *a, const char *in, size_t n,
                             const char **out, size_t *out_len)
{
    unsigned char *dst = ms_arena_alloc(a, n * 3 + 1);
    if (dst == NULL)
        return MS_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        /* the 7-bit run up to the next 8-bit byte in one copy */
        size_t run = ms_scan_8bit(in + i, n - i);
        memcpy(dst + o, in + i, run);
        o += run;
        i += run;
        if (i == n)
            break;
        unsigned char c = (unsigned char)in[i];
        if (c < 0xA0)
            o += put_utf8(dst + o, cp1252_high[c - 0x80]);
        else
            o += put_utf8(dst + o, c);
    }
    *out = (const char *)dst;
    *out_len = o;
    return MS_OK;
}

/* Copies UTF-8, replacing each invalid byte by U+FFFD. */
static ms_status repair_utf8(ms_arena *a, const char *in, size_t n,
                             const char **out, size_t *out_len)
{
    unsigned char *dst = ms_arena_alloc(a, n * 3 + 1);
    if (dst == NULL)
        return MS_ENOMEM;
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, i = 0;
    while (i < n) {
        size_t len = s[i] < 0x80 ? 1 : ms_utf8_sequence_length(s + i, n - i);
        if (len == 0) {
            o += put_utf8(dst + o, 0xFFFD);
            i++;
            continue;
        }
        memcpy(dst + o, s + i, len);
        o += len;
        i += len;
    }
    *out = (const char *)dst;
    *out_len = o;
    return MS_OK;
}

/* Doubles the iconv output buffer in the arena, keeping what was
 * written; updates the write position and the room left. */
static bool grow_output(ms_arena *a, char **dst, size_t *cap, char **o,
                        size_t *room)
{
    size_t used = (size_t)(*o - *dst);
    char *bigger = ms_arena_realloc(a, *dst, *cap, *cap * 2);
    if (bigger == NULL)
        return false;
    *dst = bigger;
    *cap *= 2;
    *o = bigger + used;
    *room = *cap - used;
    return true;
}

/* Converts with iconv, replacing undecodable bytes by U+FFFD. Sets *bad
 * when it had to. */
static ms_status with_iconv(ms_arena *a, iconv_t cd, const char *in, size_t n,
                            const char **out, size_t *out_len, bool *bad)
{
    size_t cap = n * 4 + 16;
    char *dst = ms_arena_alloc(a, cap);
    if (dst == NULL)
        return MS_ENOMEM;
    char *src = (char *)in;
    size_t left = n;
    char *o = dst;
    size_t room = cap;
    while (left > 0) {
        size_t r = iconv(cd, &src, &left, &o, &room);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            if (!grow_output(a, &dst, &cap, &o, &room))
                return MS_ENOMEM;
            continue;
        }
        /* EILSEQ or EINVAL: one undecodable byte */
        *bad = true;
        if (room < 3 && !grow_output(a, &dst, &cap, &o, &room))
            return MS_ENOMEM;
        size_t k = put_utf8((unsigned char *)o, 0xFFFD);
        o += k;
        room -= k;
        src++;
        left--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    /* flush the shift state of stateful encodings (ISO-2022-JP) */
    iconv(cd, NULL, NULL, &o, &room);
    *out = dst;
    *out_len = (size_t)(o - dst);
    return MS_OK;
}

/* True when the bytes are all 7-bit. */
static bool ascii_only(const char *p, size_t n)
{
    return ms_scan_8bit(p, n) == n;
}

/* True when 7-bit bytes of the charset mean ASCII, so pure ASCII text
 * can pass through: not so for the UTF-7/16/32 family and the ISO-2022
 * and HZ encodings, whose 7-bit bytes carry other characters. */
static bool ascii_transparent(const char *name)
{
    return strstr(name, "UTF") == NULL && strstr(name, "utf") == NULL &&
           strstr(name, "UCS") == NULL && strstr(name, "ucs") == NULL &&
           strstr(name, "2022") == NULL && strstr(name, "hz") == NULL &&
           strstr(name, "HZ") == NULL;
}

/* True for the single-byte legacy charsets whose labels are the ones
 * mailers put on UTF-8 text by mistake. */
static bool single_byte_legacy(const char *name)
{
    return strncmp(name, "WINDOWS-125", 11) == 0 ||
           strncmp(name, "ISO-8859-", 9) == 0 ||
           strncmp(name, "KOI8", 4) == 0 || strncmp(name, "CP125", 5) == 0;
}

/*
 * Converts n bytes declared in charset to UTF-8; see charset.h.
 *
 * A label that lies: text labelled with a single-byte legacy charset
 * (ISO-8859-1 above all) that is valid UTF-8 with multi-byte sequences
 * was almost surely written as UTF-8 by a mailer that labels everything
 * Latin-1. It is still read as labelled, as Python's email package and
 * mail clients read it (the recipient sees the mojibake, and so must the
 * analysis), and the mismatch is noted (CharsetMismatchDefect) so that an
 * analyst knows why the text looks garbled. An us-ascii label on 8-bit
 * text is different: it names no 8-bit charset, so valid UTF-8 is kept.
 */
ms_status ms_charset_to_utf8(ms_arena *a, ms_message *m, const char *path,
                             const char *charset, const char *in, size_t n,
                             const char **out, size_t *out_len)
{
    const char *name = NULL;
    if (charset && charset[0] != '\0') {
        size_t label_len = strlen(charset);
        name = ms_charset_canonical(charset, label_len);
        char buf[MAX_LABEL];
        if (name == NULL &&
            (clean_label(charset, label_len, buf) == 0 || !empty_label(buf)))
            ms_message_add_defect(m, "UnknownCharsetDefect", path, "'%.40s'",
                                  charset);
    }
    if (name == NULL || strcmp(name, "UTF-8") == 0) {
        if (ms_utf8_valid(in, n)) {
            *out = in;
            *out_len = n;
            return MS_OK;
        }
        if (name == NULL) {
            ms_message_add_defect(m, "CharsetConversionDefect", path,
                                  "8-bit text without a known charset read "
                                  "as windows-1252");
            return from_cp1252(a, in, n, out, out_len);
        }
        ms_message_add_defect(m, "CharsetConversionDefect", path,
                              "invalid bytes for %.40s", charset);
        return repair_utf8(a, in, n, out, out_len);
    }
    if (ascii_transparent(name) && ascii_only(in, n)) {
        *out = in;
        *out_len = n;
        return MS_OK;
    }
    if (single_byte_legacy(name) && ms_utf8_valid(in, n))
        ms_message_add_defect(m, "CharsetMismatchDefect", path,
                              "text labelled %.40s is UTF-8; read as labelled",
                              charset);
    if (strcmp(name, "WINDOWS-1252") == 0)
        return from_cp1252(a, in, n, out, out_len);
    iconv_entry *e = cached_iconv(name);
    if (!e->ok) {
        /* an alias whose target this C library lacks */
        ms_message_add_defect(m, "UnknownCharsetDefect", path,
                              "'%.40s' not supported, read as windows-1252",
                              charset);
        return from_cp1252(a, in, n, out, out_len);
    }
    bool bad = false;
    ms_status rc = with_iconv(a, e->cd, in, n, out, out_len, &bad);
    if (rc == MS_OK && bad)
        ms_message_add_defect(m, "CharsetConversionDefect", path,
                              "invalid bytes for %.40s", charset);
    return rc;
}
