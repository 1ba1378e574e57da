/* SPDX-License-Identifier: MIT */
/*
 * Watch mode of `mailscope analyze --watch DIR` (SpamScope's files spout):
 * poll a folder, take each new mail file, and once its document is
 * written remove it, move it to a dated folder, or leave it. A mail that
 * failed goes to a failed folder with NAME.error beside it.
 *
 * Taking a file renames it to a hidden in-flight name that carries the
 * taker's process id (".NAME.msinflight.PID"). rename() is atomic, so of
 * two runs polling the same folder only one gets each mail; a run that
 * dies leaves its in-flight files behind, and the next run renames those
 * whose process is gone back to their names.
 *
 * The reader thread polls (ms_watch_run); the writer thread finishes each
 * mail after writing its document (ms_watch_finish). The only state they
 * share, the set of kept mails, sits behind a mutex inside ms_watch.
 */
#ifndef MS_PIPELINE_WATCH_H
#define MS_PIPELINE_WATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "mailscope/status.h"
#include "pipeline/config.h"
#include "pipeline/source.h"

/* Most mails a watch run remembers as kept (after: keep) so it does not
 * analyze them again; the oldest are forgotten beyond this. */
#define MS_WATCH_MAX_KEPT 1000000

typedef struct ms_watch_options {
    const char *dir;        /* the folder watched (not recursively) */
    const char *include;    /* glob on file names, NULL: all */
    unsigned poll_ms;       /* pause between two looks */
    unsigned settle_ms;     /* files younger than this wait */
    ms_after_action after;  /* what happens to a mail analyzed */
    const char *move_dir;   /* for MS_AFTER_MOVE */
    const char *failed_dir; /* for failed mails; NULL: DIR/failed */
    size_t max_file_bytes;  /* a larger file is read up to this much */
} ms_watch_options;

typedef struct ms_watch ms_watch;

/* Called for each mail taken: origin->path is the mail's own name,
 * inflight the name it has while analyzed (pass it to ms_watch_finish);
 * data/len as for ms_source_fn (malloc'd, owned by the callee, or NULL
 * with a reason). Returns false to stop watching. */
typedef bool (*ms_watch_fn)(void *ctx, const ms_origin *origin,
                            const char *inflight, char *data, size_t len,
                            const char *reason);

/* Checks the folders (creating the failed and move folders), gives back
 * the mails of dead runs, and returns the watch state in *out. Returns
 * MS_OK, or MS_EINVAL/MS_EIO with a one-line reason in err. */
ms_status ms_watch_open(const ms_watch_options *opt, ms_watch **out, char *err,
                        size_t err_size);

/* Polls until *stop is set or fn returns false, calling fn for every mail
 * taken. Returns MS_OK, or MS_EIO when the folder cannot be listed any
 * more. */
ms_status ms_watch_run(ms_watch *w, volatile sig_atomic_t *stop, ms_watch_fn fn,
                       void *ctx);

/* Finishes one mail after its document was written: failed mails go to
 * the failed folder with NAME.error holding error_text; the others are
 * kept, removed or moved. With written false (the output could not be
 * written) the mail gets its name back for the next run. Returns MS_OK,
 * or MS_EIO with the reason in err (the mail then stays in flight, never
 * lost). */
ms_status ms_watch_finish(ms_watch *w, const char *inflight,
                          const char *original, bool written, bool failed,
                          const char *error_text, char *err, size_t err_size);

/* Frees the watch state. NULL is fine. */
void ms_watch_free(ms_watch *w);

#endif
