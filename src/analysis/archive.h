/* SPDX-License-Identifier: MIT */
/*
 * Opening archives found in mail: zip, 7z, rar, tar, gzip, bzip2, xz,
 * cab and ISO images, read from memory with libarchive. Every entry is
 * extracted in chunks under hard limits (entries, bytes left for the
 * whole mail, compression ratio) that are checked while the bytes come
 * out, never trusted from the archive's own headers: a zip bomb states
 * whatever sizes it likes. Hitting a limit adds a limit_* defect to the
 * message and stops the archive; it is never an error.
 *
 * Encrypted archives are common in phishing ("the password is 1234"): the
 * caller passes candidate passwords (ms_archive_find_passwords reads them
 * from the mail's text) and the one that opens the archive is reported.
 */
#ifndef MS_ANALYSIS_ARCHIVE_H
#define MS_ANALYSIS_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailscope/arena.h"
#include "mailscope/message.h"
#include "mailscope/status.h"

/* Most candidate passwords taken from one mail: each one may cost a
 * trial decryption per encrypted archive. */
#define MS_ARCHIVE_MAX_PASSWORDS 10
/* Longest candidate password kept. */
#define MS_ARCHIVE_MAX_PASSWORD_LEN 64
/* Bytes of an entry decrypted to judge a candidate password: a wrong
 * ZipCrypto password passes the one-byte header check 1 time in 256,
 * and is then caught by the inflater or the CRC within these bytes for
 * all but tiny entries. */
#define MS_ARCHIVE_PASSWORD_TRIAL_BYTES (256 * 1024)

/* The ceilings of one archive. The byte budget is shared by every
 * archive of a mail and passed separately. */
typedef struct ms_archive_limits {
    size_t max_entries;     /* headers read from one archive */
    size_t max_ratio;       /* extracted bytes per byte of archive */
    size_t ratio_min_bytes; /* the ratio is judged past this output */
} ms_archive_limits;

/* One extracted regular file, handed to the caller's callback. data is
 * valid only during the callback; name is in the arena. */
typedef struct ms_archive_entry {
    const char *name;
    const unsigned char *data; /* NULL when encrypted and not opened */
    size_t size;
    bool encrypted; /* the entry is encrypted */
} ms_archive_entry;

/* Called for each regular file; a status other than MS_OK stops the
 * extraction and is returned by ms_archive_extract. */
typedef ms_status (*ms_archive_entry_fn)(void *ctx,
                                         const ms_archive_entry *entry);

/* What extraction learned about the archive as a whole. */
typedef struct ms_archive_outcome {
    const char *format; /* libarchive's name, e.g. "ZIP 2.0 (deflation)" */
    bool encrypted;     /* an entry or the directory is encrypted */
    bool locked;        /* encrypted and no candidate opened it */
    const char *password_used; /* the candidate that opened it, or NULL */
    size_t n_entries;          /* headers read */
    bool stopped_by_limit;     /* a limit cut the extraction short */
} ms_archive_outcome;

/* Returns a short name of the container format the bytes start with
 * ("zip", "7z", "rar", "gzip", "bzip2", "xz", "cab", "iso", "tar"), or
 * NULL when they are not an archive this module opens. */
const char *ms_archive_kind(const unsigned char *p, size_t n);

/* Extracts the archive of n bytes at p, calling fn(ctx, entry) for each
 * regular file. name is the archive's own file name (it names the single
 * member of a bare .gz/.bz2/.xz). *budget_bytes is what the mail may
 * still extract; it is decreased, and set to 0 when exhausted so that
 * enclosing archives stop too. Limits and unreadable data become defects
 * on m (which may be NULL) at path. Returns MS_OK whatever the bytes are;
 * MS_ENOMEM; or the callback's status. */
ms_status ms_archive_extract(ms_arena *a, ms_message *m, const char *path,
                             const unsigned char *p, size_t n, const char *name,
                             const char *const *passwords, size_t n_passwords,
                             const ms_archive_limits *lim,
                             uint64_t *budget_bytes, ms_archive_entry_fn fn,
                             void *ctx, ms_archive_outcome *out);

/* True when the zip at p lists a member whose name ends with suffix
 * (any case), reading at most max_entries headers and no data. Office
 * Open XML files keep their macros in "vbaProject.bin". */
bool ms_archive_has_member(const unsigned char *p, size_t n, const char *suffix,
                           size_t max_entries);

/* Finds candidate passwords in text: words that follow "password",
 * "pass", "pwd", "passwort", "contraseña", "mot de passe", "senha" and
 * kin, with an optional colon, "is" or quotes. Appends new candidates to
 * out (copied into the arena) while *n_out < max. Returns MS_OK or
 * MS_ENOMEM. */
ms_status ms_archive_find_passwords(ms_arena *a, const char *text, size_t len,
                                    const char **out, size_t *n_out,
                                    size_t max);

#endif
