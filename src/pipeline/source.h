/* SPDX-License-Identifier: MIT */
/*
 * Sources of mail for `mailscope analyze`: files, folders (recursively,
 * with an include pattern), Maildir folders, mbox files and stdin. A
 * source walk calls back once per mail with its bytes and its origin; it
 * never skips a mail silently: an input it cannot read is reported with
 * the reason.
 */
#ifndef MS_PIPELINE_SOURCE_H
#define MS_PIPELINE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/status.h"

/* Where a mail came from. */
typedef struct ms_origin {
    const char *path;      /* the file, or "-" for stdin */
    const char *mailbox;   /* the mbox file or Maildir folder, or NULL */
    long long mbox_offset; /* offset of the mail in its mbox, or -1 */
} ms_origin;

/* Called for each mail: data/len are the mail's bytes (owned by the
 * callee, malloc'd), or NULL with reason set when it could not be read.
 * Returns false to stop the walk. */
typedef bool (*ms_source_fn)(void *ctx, const ms_origin *origin, char *data,
                             size_t len, const char *reason);

typedef struct ms_source_options {
    const char *include;   /* fnmatch pattern on file names, NULL: all */
    bool stdin_mbox;       /* stdin holds an mbox, not one mail */
    size_t max_file_bytes; /* larger files are read up to this much */
} ms_source_options;

/* Walks one path (file, folder, Maildir, mbox, or "-" for stdin) and
 * calls fn for every mail in it. Returns MS_OK, or the status of a
 * failure that ends the walk (the callback asked to stop: MS_OK too). */
ms_status ms_source_walk(const char *path, const ms_source_options *opt,
                         ms_source_fn fn, void *ctx);

/* Reads a whole file (path "-": stdin), at most max bytes (0: no limit),
 * into a malloc'd, NUL-terminated buffer the caller frees; *len gets its
 * length. Returns NULL with a one-line reason when it cannot. */
char *ms_source_read_file(const char *path, size_t max, size_t *len,
                          char *reason, size_t reason_size);

/* True when the bytes look like an mbox: a "From " line first, and
 * another "From " line after a blank line. */
bool ms_source_is_mbox(const char *data, size_t len);

/* Splits an mbox into mails, unescaping ">From " lines, and calls fn for
 * each. The mails are fresh malloc'd copies. Returns false when fn asked
 * to stop. */
bool ms_source_split_mbox(const char *data, size_t len, const char *path,
                          ms_source_fn fn, void *ctx);

#endif
