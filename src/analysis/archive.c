/* SPDX-License-Identifier: MIT */
/*
 * Archive extraction under limits, and password candidates from text
 * (see archive.h).
 *
 * The reader enables an explicit list of formats and filters rather than
 * libarchive's "all": "all" includes mtree, whose entries may name files
 * on the analyzing host (a hostile attachment would make us read and
 * report /etc/shadow), and filters that run external programs (lrzip,
 * lzop) on whatever the attacker sent.
 *
 * Flow of one archive:
 *
 *   open (no passphrase, or the one found) --> next header --+--> EOF
 *        ^                                      |            |
 *        |                  encrypted, none yet |            v
 *        +-- restart when the directory   try candidates   read data in
 *            itself was encrypted         on a fresh       chunks; check
 *                                         reader           budget, ratio
 *
 * An entry's data is read in chunks into a heap buffer that grows only
 * as bytes actually come out, so a header claiming 4 GB costs nothing
 * and a bomb is stopped at the first chunk past a limit.
 */
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>

#include "analysis/archive.h"
#include "util/ascii.h"

/* Bytes asked of libarchive per read: large enough to amortize the call,
 * small enough that a limit is noticed soon after it is passed. */
#define READ_CHUNK_BYTES (64 * 1024)

/* State of one extraction. */
typedef struct extraction {
    ms_arena *arena;
    ms_message *m;
    const char *path;
    const unsigned char *p;
    size_t n;
    bool bare_compressor; /* gzip/bzip2/xz: the raw format is needed */
    bool raw_only;        /* read the decompressed bytes as one member */
    bool empty_eof;       /* the walk met the end before any header */
    const char *raw_name; /* name of the member of a bare compressor */
    const char *const *passwords;
    size_t n_passwords;
    const ms_archive_limits *lim;
    uint64_t *budget;
    uint64_t extracted; /* bytes out of this archive so far */
    unsigned char *buf; /* entry data, heap */
    size_t buf_cap;
    ms_archive_outcome *out;
    bool password_searched; /* candidates were tried once already */
} extraction;

/* Result of reading one entry's data. */
typedef enum read_result {
    READ_DONE,    /* the whole entry is in the buffer */
    READ_LIMIT,   /* a limit was hit; a defect is recorded; stop */
    READ_CORRUPT, /* libarchive reported an error; a defect is recorded */
    READ_NOMEM
} read_result;

/* True when the bytes at p (n available) start with the sig_len bytes of
 * sig at offset off. */
static bool has_signature(const unsigned char *p, size_t n, size_t off,
                          const char *sig, size_t sig_len)
{
    return n >= off + sig_len && memcmp(p + off, sig, sig_len) == 0;
}

/* libarchive converts entry names to the charset of the calling
 * thread's locale: from UTF-16 in 7z, and to UTF-8 for
 * archive_entry_pathname_utf8. The process stays in the "C" locale,
 * where every non-ASCII name fails to convert and the entry comes out
 * nameless (a 7z could hide an "exe<U+202E>fdp.pdf" name that way). Header
 * reads and name lookups therefore run under a UTF-8 locale, switched
 * for the calling thread only. */
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static locale_t utf8_locale = (locale_t)0;

/* Creates the UTF-8 locale once per process. */
static void utf8_locale_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Switches the calling thread to the UTF-8 locale. Returns the locale
 * to give back to leave_utf8, or (locale_t)0 when there was none to
 * switch to. */
static locale_t enter_utf8(void)
{
    pthread_once(&utf8_once, utf8_locale_init);
    if (utf8_locale == (locale_t)0)
        return (locale_t)0;
    return uselocale(utf8_locale);
}

/* Gives the thread its locale back after enter_utf8. */
static void leave_utf8(locale_t previous)
{
    if (previous != (locale_t)0)
        uselocale(previous);
}

/* archive_read_next_header under the UTF-8 locale. */
static int next_header(struct archive *ar, struct archive_entry **entry)
{
    locale_t previous = enter_utf8();
    int r = archive_read_next_header(ar, entry);
    leave_utf8(previous);
    return r;
}

/* Names the container format by its signature (see archive.h). */
const char *ms_archive_kind(const unsigned char *p, size_t n)
{
    if (has_signature(p, n, 0, "PK\x03\x04", 4) ||
        has_signature(p, n, 0, "PK\x05\x06", 4) ||
        has_signature(p, n, 0, "PK\x07\x08", 4))
        return "zip";
    if (has_signature(p, n, 0, "7z\xbc\xaf\x27\x1c", 6))
        return "7z";
    if (has_signature(p, n, 0, "Rar!\x1a\x07", 6))
        return "rar";
    if (has_signature(p, n, 0, "\x1f\x8b", 2))
        return "gzip";
    if (has_signature(p, n, 0, "BZh", 3))
        return "bzip2";
    if (has_signature(p, n, 0,
                      "\xfd"
                      "7zXZ\x00",
                      6))
        return "xz";
    if (has_signature(p, n, 0, "MSCF\0\0\0\0", 8))
        return "cab";
    /* ISO 9660's primary volume descriptor sits in sector 16; the other
     * offsets are the same descriptor in 2352-byte and other layouts
     * libarchive does not read, so only sector 16 of 2048 counts. */
    if (has_signature(p, n, 0x8001, "CD001", 5))
        return "iso";
    if (has_signature(p, n, 257, "ustar", 5))
        return "tar";
    return NULL;
}

/* Creates a reader over the bytes with the formats this module opens,
 * and the passphrase when one is given; with raw_only, the raw format
 * alone. Returns NULL when libarchive refuses the bytes or memory runs
 * out. The caller frees the reader. */
static struct archive *open_reader(const unsigned char *p, size_t n,
                                   bool bare_compressor, bool raw_only,
                                   const char *password)
{
    struct archive *ar = archive_read_new();
    if (ar == NULL)
        return NULL;
    archive_read_support_filter_gzip(ar);
    archive_read_support_filter_bzip2(ar);
    archive_read_support_filter_xz(ar);
    archive_read_support_filter_lzma(ar);
    if (raw_only) {
        archive_read_support_format_raw(ar);
    } else {
        archive_read_support_format_zip(ar);
        archive_read_support_format_7zip(ar);
        archive_read_support_format_rar(ar);
        archive_read_support_format_rar5(ar);
        archive_read_support_format_tar(ar);
        archive_read_support_format_cab(ar);
        archive_read_support_format_iso9660(ar);
        archive_read_support_format_cpio(ar);
        /* The raw format accepts anything, so it is offered only when a
         * compression filter is known to be there to unwrap. */
        if (bare_compressor)
            archive_read_support_format_raw(ar);
    }
    if (password != NULL)
        archive_read_add_passphrase(ar, password);
    if (archive_read_open_memory(ar, p, n) != ARCHIVE_OK) {
        archive_read_free(ar);
        return NULL;
    }
    return ar;
}

/* Returns the name under which the entry is reported: its path in the
 * archive, the archive's name without its compressor extension for the
 * raw member of a bare .gz/.bz2/.xz, or "(unnamed)". In the arena; NULL
 * when out of memory. */
static const char *entry_name(extraction *x, struct archive_entry *entry)
{
    locale_t previous = enter_utf8();
    const char *name = archive_entry_pathname_utf8(entry);
    if (name == NULL)
        name = archive_entry_pathname(entry);
    leave_utf8(previous);
    if (x->bare_compressor && (name == NULL || strcmp(name, "data") == 0) &&
        x->raw_name != NULL && x->raw_name[0] != '\0') {
        size_t len = strlen(x->raw_name);
        const char *dot = strrchr(x->raw_name, '.');
        if (dot != NULL && dot != x->raw_name)
            len = (size_t)(dot - x->raw_name);
        return ms_arena_strndup(x->arena, x->raw_name, len);
    }
    if (name == NULL || name[0] == '\0')
        name = "(unnamed)";
    return ms_arena_strndup(x->arena, name, strlen(name));
}

/* Records a defect at the archive's path when there is a message. */
static void archive_defect(extraction *x, const char *type, const char *what,
                           const char *name)
{
    if (x->m != NULL)
        ms_message_add_defect(x->m, type, x->path, "%s: %s", name, what);
}

/* Makes room for need bytes in the entry buffer. Returns false when out
 * of memory. */
static bool buffer_reserve(extraction *x, size_t need)
{
    if (need <= x->buf_cap)
        return true;
    size_t cap = x->buf_cap ? x->buf_cap : READ_CHUNK_BYTES;
    while (cap < need)
        cap *= 2;
    unsigned char *grown = realloc(x->buf, cap);
    if (grown == NULL)
        return false;
    x->buf = grown;
    x->buf_cap = cap;
    return true;
}

/* Reads the current entry's data into the buffer, chunk by chunk,
 * checking the mail's byte budget and the archive's ratio after each
 * chunk. *size gets the bytes read. */
static read_result read_entry(extraction *x, struct archive *ar,
                              const char *name, size_t *size)
{
    size_t have = 0;
    *size = 0;
    for (;;) {
        if (!buffer_reserve(x, have + READ_CHUNK_BYTES))
            return READ_NOMEM;
        la_ssize_t got = archive_read_data(ar, x->buf + have, READ_CHUNK_BYTES);
        if (got == 0)
            break;
        if (got < 0) {
            const char *why = archive_error_string(ar);
            archive_defect(x, "ArchiveCorruptDefect", why ? why : "read error",
                           name);
            *size = have;
            return READ_CORRUPT;
        }
        have += (size_t)got;
        x->extracted += (uint64_t)got;
        if ((uint64_t)got > *x->budget) {
            *x->budget = 0;
            archive_defect(x, "limit_archive_bytes",
                           "extracted bytes of the mail over the limit", name);
            return READ_LIMIT;
        }
        *x->budget -= (uint64_t)got;
        /* A bomb inflates a few KB into GB; legitimate archives rarely
         * pass 100:1 once there is real volume. Judged on the whole
         * archive's size, which can only understate an entry's ratio. */
        if (x->extracted > x->lim->ratio_min_bytes &&
            x->extracted / (x->n ? x->n : 1) > x->lim->max_ratio) {
            archive_defect(x, "limit_archive_ratio",
                           "compression ratio over the limit", name);
            return READ_LIMIT;
        }
    }
    *size = have;
    return READ_DONE;
}

/* True when the candidate password opens the archive: with it a fresh
 * reader reaches header number index (counting from 0) and reads up to
 * MS_ARCHIVE_PASSWORD_TRIAL_BYTES of its data without error. With index
 * (size_t)-1 only the first header must be readable (an encrypted
 * directory). */
static bool password_opens(extraction *x, const char *password, size_t index)
{
    struct archive *ar =
        open_reader(x->p, x->n, x->bare_compressor, x->raw_only, password);
    if (ar == NULL)
        return false;
    bool ok = false;
    struct archive_entry *entry;
    size_t want = index == (size_t)-1 ? 0 : index;
    for (size_t i = 0; i <= want; i++) {
        int r = next_header(ar, &entry);
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            goto out;
    }
    if (index == (size_t)-1) {
        ok = true;
        goto out;
    }
    unsigned char chunk[4096];
    size_t total = 0;
    while (total < MS_ARCHIVE_PASSWORD_TRIAL_BYTES) {
        la_ssize_t got = archive_read_data(ar, chunk, sizeof(chunk));
        if (got < 0)
            goto out;
        if (got == 0)
            break;
        total += (size_t)got;
    }
    ok = true;
out:
    archive_read_free(ar);
    return ok;
}

/* Tries the candidates on header index (see password_opens). Returns
 * the first that works, or NULL. */
static const char *find_password(extraction *x, size_t index)
{
    for (size_t i = 0; i < x->n_passwords; i++)
        if (password_opens(x, x->passwords[i], index))
            return x->passwords[i];
    return NULL;
}

/* True when libarchive's error on the reader is about encryption. */
static bool error_is_encryption(struct archive *ar)
{
    const char *why = archive_error_string(ar);
    return archive_read_has_encrypted_entries(ar) > 0 ||
           (why != NULL && (strcasestr(why, "encrypt") != NULL ||
                            strcasestr(why, "passphrase") != NULL));
}

/* Walks the archive once with the given password (or none), delivering
 * the regular files from header number skip on (the earlier ones were
 * delivered by a previous walk). When an encrypted entry or directory
 * is met without a password and a candidate opens it, the walk stops
 * and sets *restart_with and *restart_at: libarchive settles an entry's
 * decryption when its header is read, so the archive is walked again
 * from the start with the passphrase, skipping what was delivered. */
static ms_status walk(extraction *x, const char *password, size_t skip,
                      ms_archive_entry_fn fn, void *ctx,
                      const char **restart_with, size_t *restart_at)
{
    ms_status rc = MS_OK;
    *restart_with = NULL;
    struct archive *ar =
        open_reader(x->p, x->n, x->bare_compressor, x->raw_only, password);
    if (ar == NULL) {
        archive_defect(x, "ArchiveCorruptDefect", "cannot be opened",
                       x->raw_name ? x->raw_name : "archive");
        return MS_OK;
    }
    x->out->n_entries = 0;
    for (;;) {
        struct archive_entry *entry;
        int r = next_header(ar, &entry);
        if (r == ARCHIVE_EOF) {
            x->empty_eof = x->out->n_entries == 0;
            break;
        }
        if (r == ARCHIVE_RETRY)
            continue;
        if (x->out->format == NULL && archive_format_name(ar) != NULL) {
            const char *f = archive_format_name(ar);
            x->out->format = ms_arena_strndup(x->arena, f, strlen(f));
        }
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            if (x->out->n_entries == 0 && error_is_encryption(ar)) {
                x->out->encrypted = true;
                if (password == NULL) {
                    *restart_with = find_password(x, (size_t)-1);
                    *restart_at = 0;
                }
                if (*restart_with == NULL)
                    x->out->locked = true;
            } else {
                const char *why = archive_error_string(ar);
                archive_defect(x, "ArchiveCorruptDefect",
                               why ? why : "bad header",
                               x->raw_name ? x->raw_name : "archive");
            }
            break;
        }
        size_t index = x->out->n_entries++;
        if (x->out->n_entries > x->lim->max_entries) {
            archive_defect(x, "limit_archive_entries",
                           "entries of the archive over the limit",
                           x->raw_name ? x->raw_name : "archive");
            x->out->stopped_by_limit = true;
            break;
        }
        if (index < skip || archive_entry_filetype(entry) != AE_IFREG)
            continue;
        ms_archive_entry item = {0};
        item.encrypted = archive_entry_is_encrypted(entry) != 0;
        if (item.encrypted) {
            x->out->encrypted = true;
            if (password == NULL && x->n_passwords > 0 &&
                !x->password_searched) {
                x->password_searched = true;
                *restart_with = find_password(x, index);
                if (*restart_with != NULL) {
                    *restart_at = index;
                    break;
                }
            }
        }
        item.name = entry_name(x, entry);
        if (item.name == NULL) {
            rc = MS_ENOMEM;
            break;
        }
        if (item.encrypted && password == NULL) {
            x->out->locked = true;
            rc = fn(ctx, &item);
            if (rc != MS_OK)
                break;
            continue;
        }
        size_t size = 0;
        read_result got = read_entry(x, ar, item.name, &size);
        if (got == READ_NOMEM) {
            rc = MS_ENOMEM;
            break;
        }
        if (got == READ_LIMIT) {
            x->out->stopped_by_limit = true;
            break;
        }
        item.data = x->buf;
        item.size = size;
        rc = fn(ctx, &item);
        if (rc != MS_OK || got == READ_CORRUPT || *x->budget == 0)
            break;
    }
    archive_read_free(ar);
    return rc;
}

/* Extracts the archive (see archive.h). */
ms_status ms_archive_extract(ms_arena *a, ms_message *m, const char *path,
                             const unsigned char *p, size_t n, const char *name,
                             const char *const *passwords, size_t n_passwords,
                             const ms_archive_limits *lim,
                             uint64_t *budget_bytes, ms_archive_entry_fn fn,
                             void *ctx, ms_archive_outcome *out)
{
    memset(out, 0, sizeof(*out));
    const char *kind = ms_archive_kind(p, n);
    extraction x = {
        .arena = a,
        .m = m,
        .path = path,
        .p = p,
        .n = n,
        .bare_compressor = kind != NULL && (strcmp(kind, "gzip") == 0 ||
                                            strcmp(kind, "bzip2") == 0 ||
                                            strcmp(kind, "xz") == 0),
        .raw_name = name,
        .passwords = passwords,
        .n_passwords = n_passwords,
        .lim = lim,
        .budget = budget_bytes,
        .out = out,
    };
    if (*budget_bytes == 0)
        return MS_OK;
    const char *restart_with = NULL;
    size_t restart_at = 0;
    ms_status rc = walk(&x, NULL, 0, fn, ctx, &restart_with, &restart_at);
    if (rc == MS_OK && restart_with != NULL) {
        out->password_used = restart_with;
        rc = walk(&x, restart_with, restart_at, fn, ctx, &restart_with,
                  &restart_at);
    }
    /* A bare compressor whose content starts with a zero block (an ISO
     * image's system area, a bomb of zeros) is taken by the tar reader
     * for an empty archive: its end-of-archive mark outbids the raw
     * format, and nothing would be extracted or scanned. The content is
     * then read again as the compressor's single member. */
    if (rc == MS_OK && x.bare_compressor && x.empty_eof) {
        x.raw_only = true;
        rc = walk(&x, NULL, 0, fn, ctx, &restart_with, &restart_at);
    }
    free(x.buf);
    return rc;
}

/* True when the zip lists a member ending with suffix (see archive.h). */
bool ms_archive_has_member(const unsigned char *p, size_t n, const char *suffix,
                           size_t max_entries)
{
    struct archive *ar = archive_read_new();
    if (ar == NULL)
        return false;
    archive_read_support_format_zip(ar);
    bool found = false;
    if (archive_read_open_memory(ar, p, n) == ARCHIVE_OK) {
        size_t suffix_len = strlen(suffix);
        struct archive_entry *entry;
        for (size_t i = 0; i < max_entries && !found; i++) {
            int r = next_header(ar, &entry);
            if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                break;
            locale_t previous = enter_utf8();
            const char *name = archive_entry_pathname(entry);
            leave_utf8(previous);
            size_t len = name ? strlen(name) : 0;
            found = len >= suffix_len &&
                    strcasecmp(name + len - suffix_len, suffix) == 0;
        }
    }
    archive_read_free(ar);
    return found;
}

/* The words after which a password follows, lower-case, longest first
 * where one is the prefix of another, each with its length and its first
 * letter (as folded_char gives it), so that most places in a text are
 * passed over on one comparison. Non-ASCII ones are matched byte for
 * byte in the lower case written here. */
typedef struct password_keyword {
    const char *word;
    size_t n;
    uint32_t first;
} password_keyword;

#define KEYWORD(w, c)                                                          \
    {                                                                          \
        w, sizeof(w) - 1, c                                                    \
    }
static const password_keyword PASSWORD_KEYWORDS[] = {
    KEYWORD("password", 'p'),     KEYWORD("passwort", 'p'),
    KEYWORD("passwd", 'p'),       KEYWORD("passcode", 'p'),
    KEYWORD("pass", 'p'),         KEYWORD("pwd", 'p'),
    KEYWORD("kennwort", 'k'),     KEYWORD("contraseña", 'c'),
    KEYWORD("contrasena", 'c'),   KEYWORD("clave", 'c'),
    KEYWORD("mot de passe", 'm'), KEYWORD("senha", 's'),
    KEYWORD("parola", 'p'),       KEYWORD("wachtwoord", 'w'),
    KEYWORD("hasło", 'h'),        KEYWORD("haslo", 'h'),
    KEYWORD("пароль", 0x43f),     KEYWORD("mật khẩu", 'm'),
    KEYWORD("şifre", 0x15f),      KEYWORD("sifre", 's'),
};
#undef KEYWORD

/* Words that may stand between the keyword and the password ("the
 * password for the zip file is: 1234"). */
static const char *const PASSWORD_FILLERS[] = {
    "is",       "es",  "ist",  "est",     "é",   "e",    "for",
    "the",      "zip", "file", "archive", "to",  "open", "of",
    "this",     "de",  "la",   "le",      "du",  "do",   "da",
    "der",      "die", "das",  "lautet",  "del", "el",   "attachment",
    "document", "is:", "it",   "wird",    "à",   "a",    "será",
};

/* Words that follow a keyword without being a password ("password
 * protected", "password below"). */
static const char *const PASSWORD_STOPWORDS[] = {
    "protected", "required", "below", "above",   "attached", "protegido",
    "geschützt", "protégé",  "reset", "expires", "expired",  "change",
};

/* Returns the length of a quotation mark at p (ASCII quotes, the curly
 * ones and guillemets in UTF-8), or 0. */
static size_t quote_length(const char *p, size_t rem)
{
    if (rem >= 1 && (p[0] == '"' || p[0] == '\'' || p[0] == '`'))
        return 1;
    if (rem >= 3 && (unsigned char)p[0] == 0xe2 &&
        (unsigned char)p[1] == 0x80 &&
        ((unsigned char)p[2] >= 0x98 && (unsigned char)p[2] <= 0x9f))
        return 3;
    if (rem >= 2 && (unsigned char)p[0] == 0xc2 &&
        ((unsigned char)p[1] == 0xab || (unsigned char)p[1] == 0xbb))
        return 2;
    return 0;
}

/* Returns the lower case of the code point for the scripts of the
 * keywords: ASCII, Latin-1, Latin Extended-A, Cyrillic and the
 * Vietnamese letters of Latin Extended Additional. Each pair has the
 * same UTF-8 length. Other code points are returned unchanged. */
static uint32_t fold_code_point(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 0x20;
    if (c >= 0xc0 && c <= 0xde && c != 0xd7)
        return c + 0x20;
    /* Latin Extended-A pairs upper case on the even code point, except
     * in two runs where it is on the odd one (Ĺ..ň, Ź..ž). */
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
        return (c & 1) ? c + 1 : c;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
        return c | 1;
    if (c >= 0x410 && c <= 0x42f)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40f)
        return c + 0x50;
    if (c >= 0x1ea0 && c <= 0x1ef9)
        return c | 1;
    return c;
}

/* Decodes the UTF-8 character at p (n > 0 bytes available) into *c,
 * folded by fold_code_point; returns its length. A byte that does not
 * start a well-formed sequence of at most three bytes stands for
 * itself. */
static size_t folded_char(const char *p, size_t n, uint32_t *c)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] >= 0xc2 && u[0] <= 0xdf && n >= 2 && (u[1] & 0xc0) == 0x80) {
        *c = fold_code_point((uint32_t)(u[0] & 0x1f) << 6 | (u[1] & 0x3f));
        return 2;
    }
    if (u[0] >= 0xe0 && u[0] <= 0xef && n >= 3 && (u[1] & 0xc0) == 0x80 &&
        (u[2] & 0xc0) == 0x80) {
        *c = fold_code_point((uint32_t)(u[0] & 0x0f) << 12 |
                             (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f));
        return 3;
    }
    *c = u[0] < 0x80 ? fold_code_point(u[0]) : u[0];
    return 1;
}

/* Compares the n bytes at p with the lower-case word of n bytes,
 * ignoring case: "Пароль:" and "Şifre:", capitalized at the start of a
 * line, are how the keywords are usually written. */
static bool word_equals_ci_n(const char *p, const char *word, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t a, b;
        size_t len = folded_char(p + i, n - i, &a);
        if (folded_char(word + i, n - i, &b) != len || a != b)
            return false;
        i += len;
    }
    return true;
}

/* As word_equals_ci_n, for a NUL-terminated word. */
static bool word_equals_ci(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && word_equals_ci_n(p, word, n);
}

/* True when the n bytes at p are one of the count words. */
static bool word_in(const char *p, size_t n, const char *const *words,
                    size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (word_equals_ci(p, n, words[i]))
            return true;
    return false;
}

/* True when c ends a bare (unquoted) password. */
static bool ends_bare_word(char c)
{
    return ms_ascii_is_space(c) || c == '<' || c == '>';
}

/* Reads the password that follows a keyword ending at text[i]: skips
 * separators and filler words, then takes a quoted string or a bare
 * word. Sets *start and *len; returns false when nothing usable
 * follows. */
static bool read_password_after(const char *text, size_t len, size_t i,
                                size_t *start, size_t *out_len)
{
    for (int fillers = 0; fillers < 6 && i < len; fillers++) {
        while (i < len && (ms_ascii_is_space(text[i]) || text[i] == ':' ||
                           text[i] == '=' || text[i] == '-' || text[i] == '*' ||
                           text[i] == '<')) {
            /* HTML bodies wrap the password in markup:
             * "Password: <b>x9</b>". A tag is skipped like a blank. */
            if (text[i] == '<') {
                const char *close = memchr(text + i, '>', len - i);
                if (close == NULL)
                    return false;
                i = (size_t)(close - text);
            }
            i++;
        }
        size_t j = i;
        while (j < len && !ends_bare_word(text[j]) && text[j] != ':' &&
               quote_length(text + j, len - j) == 0)
            j++;
        if (j > i &&
            word_in(text + i, j - i, PASSWORD_FILLERS,
                    sizeof(PASSWORD_FILLERS) / sizeof(PASSWORD_FILLERS[0])))
            i = j;
        else
            break;
    }
    if (i >= len)
        return false;
    size_t q = quote_length(text + i, len - i);
    size_t s = i + q, e = s;
    if (q > 0) {
        while (e < len && text[e] != '\n' &&
               quote_length(text + e, len - e) == 0)
            e++;
    } else {
        while (e < len && !ends_bare_word(text[e]))
            e++;
        /* Sentence punctuation after a bare password is not part of it;
         * a password that is all punctuation keeps its characters. */
        while (e > s + 1 && strchr(".,;:!?)]", text[e - 1]) != NULL)
            e--;
    }
    if (e == s || e - s > MS_ARCHIVE_MAX_PASSWORD_LEN)
        return false;
    if (word_in(text + s, e - s, PASSWORD_STOPWORDS,
                sizeof(PASSWORD_STOPWORDS) / sizeof(PASSWORD_STOPWORDS[0])))
        return false;
    *start = s;
    *out_len = e - s;
    return true;
}

/* Finds candidate passwords in text (see archive.h). */
ms_status ms_archive_find_passwords(ms_arena *a, const char *text, size_t len,
                                    const char **out, size_t *n_out, size_t max)
{
    size_t n_keywords =
        sizeof(PASSWORD_KEYWORDS) / sizeof(PASSWORD_KEYWORDS[0]);
    for (size_t i = 0; i < len && *n_out < max; i++) {
        if (i > 0 && (ms_ascii_is_alnum(text[i - 1]) ||
                      (unsigned char)text[i - 1] >= 0x80))
            continue;
        uint32_t first;
        folded_char(text + i, len - i, &first);
        for (size_t k = 0; k < n_keywords; k++) {
            const password_keyword *kw = &PASSWORD_KEYWORDS[k];
            size_t kw_len = kw->n;
            if (kw->first != first || kw_len > len - i ||
                !word_equals_ci_n(text + i, kw->word, kw_len))
                continue;
            size_t end = i + kw_len;
            if (end < len && ms_ascii_is_alnum(text[end]))
                continue;
            size_t start, plen;
            if (!read_password_after(text, len, end, &start, &plen))
                break;
            bool known = false;
            for (size_t j = 0; j < *n_out && !known; j++)
                known = strlen(out[j]) == plen &&
                        memcmp(out[j], text + start, plen) == 0;
            if (!known) {
                const char *copy = ms_arena_strndup(a, text + start, plen);
                if (copy == NULL)
                    return MS_ENOMEM;
                out[(*n_out)++] = copy;
            }
            i = end - 1;
            break;
        }
    }
    return MS_OK;
}
