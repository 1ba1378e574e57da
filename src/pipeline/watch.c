/* SPDX-License-Identifier: MIT */
/*
 * Watch mode (see watch.h). Each look at the folder lists it in name
 * order, skips hidden names (in-flight mails and editors' temporary files
 * start with a dot), folders, files that do not match the include glob,
 * files changed within settle_ms (a writer that does not deliver through
 * rename may still be appending), and mails kept by an earlier look. Each
 * file is one mail: mboxes are not split in watch mode, because a mail is
 * finished (removed, moved) as a whole file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "pipeline/mail_filter.h"
#include "pipeline/watch.h"
#include "util/dir.h"

/* What an in-flight name carries between the mail's name and the pid. */
#define INFLIGHT_TAG ".msinflight."
/* Longest path built. */
#define PATH_BYTES 4096
/* Most numbered variants tried for a free name in a target folder. */
#define MAX_NAME_TRIES 10000
/* The poll loop sleeps in steps this long so a signal is seen quickly. */
#define SLEEP_STEP_MS 50

struct ms_watch {
    ms_watch_options opt; /* strings point into the copies below */
    char *dir, *include, *move_dir, *failed_dir;
    pthread_mutex_t lock; /* guards kept */
    ms_mail_filter *kept; /* mails left in place, by name and mtime */
};

/* Creates a folder unless it exists. Returns MS_OK or MS_EIO with the
 * reason. */
static ms_status make_dir(const char *path, char *err, size_t err_size)
{
    struct stat st;
    if (mkdir(path, 0777) == 0 ||
        (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
        return MS_OK;
    snprintf(err, err_size, "cannot create folder %s: %s", path,
             strerror(errno));
    return MS_EIO;
}

/* Computes the key of a kept mail: its name and the time it was last
 * changed, so a new mail arriving under the same name is not skipped. */
static void kept_key(const char *name, const struct stat *st,
                     unsigned char key[MS_MAIL_FILTER_HASH_BYTES])
{
    char text[PATH_BYTES + 64];
    int n = snprintf(text, sizeof(text), "%s|%lld.%09ld|%lld", name,
                     (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
                     (long long)st->st_size);
    unsigned int len = 0;
    if (n < 0 || !EVP_Digest(text, (size_t)n, key, &len, EVP_sha256(), NULL))
        memset(key, 0, MS_MAIL_FILTER_HASH_BYTES);
}

/* Keeps the hidden names of a listing: candidates for in-flight files. */
static bool keep_hidden(const char *name, void *ctx)
{
    (void)ctx;
    return name[0] == '.' && strstr(name, INFLIGHT_TAG) != NULL;
}

/* Keeps the visible names of a listing: candidates for new mails. */
static bool keep_visible(const char *name, void *ctx)
{
    (void)ctx;
    return name[0] != '.';
}

/* Gives back the in-flight files of runs that no longer exist: renames
 * ".NAME.msinflight.PID" to "NAME" when process PID is gone and NAME is
 * free. Mails of live runs (and of this one) are left alone. */
static void reclaim_orphans(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    char **names = NULL;
    size_t n = 0;
    /* the listing closes the folder */
    if (ms_dir_sorted_names(d, keep_hidden, NULL, &names, &n) != MS_OK)
        names = NULL;
    for (size_t i = 0; names && i < n; i++) {
        const char *tag = strstr(names[i], INFLIGHT_TAG);
        char *end = NULL;
        long pid = strtol(tag + strlen(INFLIGHT_TAG), &end, 10);
        if (pid <= 0 || *end != '\0' || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to judge */
        char from[PATH_BYTES], to[PATH_BYTES];
        snprintf(from, sizeof(from), "%s/%s", dir, names[i]);
        snprintf(to, sizeof(to), "%s/%.*s", dir, (int)(tag - names[i] - 1),
                 names[i] + 1);
        struct stat st;
        if (lstat(to, &st) != 0)
            rename(from, to);
    }
    if (names)
        ms_dir_names_free(names, n);
}

/* Prepares a watch; see watch.h. */
ms_status ms_watch_open(const ms_watch_options *opt, ms_watch **out, char *err,
                        size_t err_size)
{
    *out = NULL;
    struct stat st;
    if (stat(opt->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "--watch %s: not a folder", opt->dir);
        return MS_EINVAL;
    }
    if (opt->after == MS_AFTER_MOVE && opt->move_dir == NULL) {
        snprintf(err, err_size,
                 "after: move needs a folder (--after "
                 "move:DIR or watch.move_dir)");
        return MS_EINVAL;
    }
    ms_watch *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return MS_ENOMEM;
    w->opt = *opt;
    char failed[PATH_BYTES];
    snprintf(failed, sizeof(failed), "%s/failed", opt->dir);
    w->dir = strdup(opt->dir);
    w->include = opt->include ? strdup(opt->include) : NULL;
    w->move_dir = opt->move_dir ? strdup(opt->move_dir) : NULL;
    w->failed_dir = strdup(opt->failed_dir ? opt->failed_dir : failed);
    pthread_mutex_init(&w->lock, NULL);
    ms_status rc = MS_OK;
    if (w->dir == NULL || w->failed_dir == NULL ||
        (opt->include && w->include == NULL) ||
        (opt->move_dir && w->move_dir == NULL))
        rc = MS_ENOMEM;
    if (rc == MS_OK)
        rc = ms_mail_filter_open(NULL, MS_WATCH_MAX_KEPT, &w->kept, err,
                                 err_size);
    if (rc == MS_OK)
        rc = make_dir(w->failed_dir, err, err_size);
    if (rc == MS_OK && w->move_dir)
        rc = make_dir(w->move_dir, err, err_size);
    if (rc != MS_OK) {
        ms_watch_free(w);
        return rc;
    }
    w->opt.dir = w->dir;
    w->opt.include = w->include;
    w->opt.move_dir = w->move_dir;
    w->opt.failed_dir = w->failed_dir;
    reclaim_orphans(w->dir);
    *out = w;
    return MS_OK;
}

/* True when the file changed less than settle_ms ago. */
static bool too_fresh(const struct stat *st, unsigned settle_ms)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long age_ms = (long long)(now.tv_sec - st->st_mtim.tv_sec) * 1000 +
                       (now.tv_nsec - st->st_mtim.tv_nsec) / 1000000;
    return age_ms < (long long)settle_ms;
}

/* True when the mail was kept by an earlier look (and has not changed). */
static bool was_kept(ms_watch *w, const char *name, const struct stat *st)
{
    unsigned char key[MS_MAIL_FILTER_HASH_BYTES];
    kept_key(name, st, key);
    pthread_mutex_lock(&w->lock);
    bool kept = ms_mail_filter_contains(w->kept, key);
    pthread_mutex_unlock(&w->lock);
    return kept;
}

/* Takes one file of the folder: renames it in flight, reads it, hands it
 * to fn. Returns false when fn asked to stop. */
static bool take(ms_watch *w, const char *name, ms_watch_fn fn, void *ctx)
{
    char path[PATH_BYTES], inflight[PATH_BYTES];
    snprintf(path, sizeof(path), "%s/%s", w->dir, name);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return true; /* folders (failed/, dated ones) and oddities */
    if (w->include && fnmatch(w->include, name, 0) != 0)
        return true;
    if (too_fresh(&st, w->opt.settle_ms) || was_kept(w, name, &st))
        return true;
    snprintf(inflight, sizeof(inflight), "%s/.%s%s%ld", w->dir, name,
             INFLIGHT_TAG, (long)getpid());
    if (rename(path, inflight) != 0)
        return true; /* another run took it first */
    char reason[256] = "";
    size_t len = 0;
    char *data = ms_source_read_file(inflight, w->opt.max_file_bytes, &len,
                                     reason, sizeof(reason));
    ms_origin o = {path, w->dir, -1};
    return fn(ctx, &o, inflight, data, len, data ? NULL : reason);
}

/* Sleeps ms milliseconds, waking early when *stop is set. */
static void nap(unsigned ms, volatile sig_atomic_t *stop)
{
    while (ms > 0 && !*stop) {
        unsigned step = ms < SLEEP_STEP_MS ? ms : SLEEP_STEP_MS;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* Polls the folder until told to stop; see watch.h. */
ms_status ms_watch_run(ms_watch *w, volatile sig_atomic_t *stop, ms_watch_fn fn,
                       void *ctx)
{
    while (!*stop) {
        DIR *d = opendir(w->dir);
        if (d == NULL)
            return MS_EIO;
        char **names = NULL;
        size_t n = 0;
        ms_status rc = ms_dir_sorted_names(d, keep_visible, NULL, &names, &n);
        if (rc != MS_OK)
            return rc;
        bool go_on = true;
        for (size_t i = 0; i < n && go_on && !*stop; i++)
            go_on = take(w, names[i], fn, ctx);
        ms_dir_names_free(names, n);
        if (!go_on)
            return MS_OK;
        nap(w->opt.poll_ms, stop);
    }
    return MS_OK;
}

/* Copies a file to a new path (for a move across file systems). Returns
 * true when the copy is complete and closed. */
static bool copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return false;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (out < 0) {
        close(in);
        return false;
    }
    char buf[65536];
    bool ok = true;
    ssize_t k;
    while (ok && (k = read(in, buf, sizeof(buf))) != 0) {
        if (k < 0) {
            ok = errno == EINTR;
            continue;
        }
        for (ssize_t done = 0; ok && done < k;) {
            ssize_t m = write(out, buf + done, (size_t)(k - done));
            if (m < 0)
                ok = errno == EINTR;
            else
                done += m;
        }
    }
    close(in);
    if (close(out) != 0)
        ok = false;
    if (!ok)
        unlink(to);
    return ok;
}

/* Moves the in-flight file into folder under its own name, or NAME.1,
 * NAME.2... when taken. Writes the path used into target. Returns MS_OK
 * or MS_EIO with the reason. */
static ms_status move_into(const char *inflight, const char *original,
                           const char *folder, char *target, size_t target_size,
                           char *err, size_t err_size)
{
    const char *name = strrchr(original, '/');
    name = name ? name + 1 : original;
    for (int i = 0; i < MAX_NAME_TRIES; i++) {
        if (i == 0)
            snprintf(target, target_size, "%s/%s", folder, name);
        else
            snprintf(target, target_size, "%s/%s.%d", folder, name, i);
        struct stat st;
        if (lstat(target, &st) == 0)
            continue;
        /* the check and the rename race with other runs only over names
         * in the target folder, and a lost race costs a number, not a
         * mail: link() would refuse, rename() would overwrite, so use
         * link() + unlink() where the file system allows it */
        if (link(inflight, target) == 0) {
            unlink(inflight);
            return MS_OK;
        }
        if (errno == EEXIST)
            continue;
        if (errno == EXDEV) {
            if (copy_file(inflight, target)) {
                unlink(inflight);
                return MS_OK;
            }
            if (errno == EEXIST)
                continue;
        } else if (rename(inflight, target) == 0) {
            return MS_OK; /* file systems without hard links */
        }
        break;
    }
    snprintf(err, err_size, "cannot move %s into %s: %s", inflight, folder,
             strerror(errno));
    return MS_EIO;
}

/* Writes text and a newline to a new file at path. */
static bool write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return false;
    bool ok = fprintf(f, "%s\n", text) >= 0;
    return fclose(f) == 0 && ok;
}

/* Finishes one mail after its document was written; see watch.h. */
ms_status ms_watch_finish(ms_watch *w, const char *inflight,
                          const char *original, bool written, bool failed,
                          const char *error_text, char *err, size_t err_size)
{
    char target[PATH_BYTES];
    struct stat st;
    if (!written || (!failed && w->opt.after == MS_AFTER_KEEP)) {
        if (lstat(original, &st) == 0) {
            snprintf(err, err_size, "%s came back while analyzed; %s stays",
                     original, inflight);
            return MS_EIO;
        }
        if (rename(inflight, original) != 0) {
            snprintf(err, err_size, "cannot rename %s back: %s", inflight,
                     strerror(errno));
            return MS_EIO;
        }
        if (written && lstat(original, &st) == 0) {
            const char *name = strrchr(original, '/');
            unsigned char key[MS_MAIL_FILTER_HASH_BYTES];
            kept_key(name ? name + 1 : original, &st, key);
            pthread_mutex_lock(&w->lock);
            ms_mail_filter_check_and_add(w->kept, key);
            pthread_mutex_unlock(&w->lock);
        }
        return MS_OK;
    }
    if (failed) {
        ms_status rc = move_into(inflight, original, w->failed_dir, target,
                                 sizeof(target), err, err_size);
        if (rc != MS_OK)
            return rc;
        char error_path[PATH_BYTES + 8];
        snprintf(error_path, sizeof(error_path), "%s.error", target);
        if (!write_text_file(error_path, error_text ? error_text : "failed")) {
            snprintf(err, err_size, "cannot write %s: %s", error_path,
                     strerror(errno));
            return MS_EIO;
        }
        return MS_OK;
    }
    if (w->opt.after == MS_AFTER_REMOVE) {
        if (unlink(inflight) != 0) {
            snprintf(err, err_size, "cannot remove %s: %s", inflight,
                     strerror(errno));
            return MS_EIO;
        }
        return MS_OK;
    }
    /* MS_AFTER_MOVE: into move_dir/YYYY-MM-DD/, the day it was analyzed */
    char day[PATH_BYTES];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char date[16];
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    snprintf(day, sizeof(day), "%s/%s", w->move_dir, date);
    ms_status rc = make_dir(day, err, err_size);
    if (rc != MS_OK)
        return rc;
    return move_into(inflight, original, day, target, sizeof(target), err,
                     err_size);
}

/* Frees the watch state. */
void ms_watch_free(ms_watch *w)
{
    if (w == NULL)
        return;
    ms_mail_filter_free(w->kept);
    pthread_mutex_destroy(&w->lock);
    free(w->dir);
    free(w->include);
    free(w->move_dir);
    free(w->failed_dir);
    free(w);
}
