/* SPDX-License-Identifier: MIT */
/*
 * Mail sources (see source.h). Folders are walked in name order so a run
 * over the same tree always yields the same order. A Maildir is a folder
 * with cur/, new/ and tmp/: its tmp/ holds mails still being delivered
 * and is skipped. An mbox is split on "From " lines at the start of a
 * line after a blank line (or at the start of the file); ">From " lines
 * lose one '>' (the mboxrd convention, which also undoes mboxo's
 * escaping of real "From " lines).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/source.h"
#include "util/dir.h"

/* Deepest folder nesting walked. */
#define MAX_WALK_DEPTH 64

/* Files above this size that start like an mbox are walked from a
 * read-only mapping instead of being read whole. */
#define MAP_THRESHOLD ((size_t)64 << 20)

/* Reads a whole file into a malloc'd buffer; see source.h. */
char *ms_source_read_file(const char *path, size_t max, size_t *len,
                          char *reason, size_t reason_size)
{
    reason[0] = '\0';
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(reason, reason_size, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    struct stat st;
    bool sized = false; /* a regular file: its size is known */
    if (fd != 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        cap = (size_t)st.st_size + 1;
        sized = true;
    }
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap - 1 && sized)
            break; /* the size fstat gave: a file still growing is read
                    * as it was then */
        if (n == cap - 1) {
            /* full as sized: peek before growing, so a file read whole
             * costs no copy */
            char probe;
            ssize_t k = read(fd, &probe, 1);
            if (k < 0 && errno == EINTR)
                continue;
            if (k == 0)
                break;
            if (k < 0) {
                snprintf(reason, reason_size, "%s", strerror(errno));
                free(buf);
                buf = NULL;
                break;
            }
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
            buf[n++] = probe;
            if (max && n >= max) {
                n = max;
                break;
            }
            continue;
        }
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            snprintf(reason, reason_size, "%s", strerror(errno));
            free(buf);
            buf = NULL;
            break;
        }
        if (k == 0)
            break;
        n += (size_t)k;
        if (max && n >= max) {
            n = max;
            break;
        }
    }
    if (buf == NULL && reason[0] == '\0')
        snprintf(reason, reason_size, "out of memory");
    if (fd != 0)
        close(fd);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

/* True when the bytes look like an mbox; see source.h. */
bool ms_source_is_mbox(const char *data, size_t len)
{
    if (len < 5 || memcmp(data, "From ", 5) != 0)
        return false;
    /* one scan for "\nFrom " after a blank line, LF or CRLF */
    const char *p = data + 1, *end = data + len;
    while ((p = memmem(p, (size_t)(end - p), "\nFrom ", 6)) != NULL) {
        if (p[-1] == '\n' || (p[-1] == '\r' && p - 2 >= data && p[-2] == '\n'))
            return true;
        p += 6;
    }
    return false;
}

/* Copies one mbox message, unescaping ">From " lines. */
static char *unescape_message(const char *p, size_t n, size_t *out_len)
{
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return NULL;
    size_t o = 0, i = 0;
    while (i < n) {
        bool line_start = i == 0 || p[i - 1] == '\n';
        if (line_start && p[i] == '>') {
            size_t k = i;
            while (k < n && p[k] == '>')
                k++;
            if (n - k >= 5 && memcmp(p + k, "From ", 5) == 0)
                i++; /* drop one '>' */
        }
        copy[o++] = p[i++];
    }
    copy[o] = '\0';
    *out_len = o;
    return copy;
}

/* Splits an mbox into mails; see source.h. */
bool ms_source_split_mbox(const char *data, size_t len, const char *path,
                          ms_source_fn fn, void *ctx)
{
    size_t start = 0;
    while (start < len) {
        /* the next separator: a blank line, then "From " */
        size_t next = len;
        const char *p = data + start + 1;
        while (p < data + len) {
            const char *hit = memmem(p, (size_t)(data + len - p), "\nFrom ", 6);
            if (hit == NULL)
                break;
            size_t at = (size_t)(hit - data) + 1;
            if (at >= 2 &&
                (data[at - 2] == '\n' ||
                 (data[at - 2] == '\r' && at >= 3 && data[at - 3] == '\n'))) {
                next = at;
                break;
            }
            p = hit + 1;
        }
        size_t n = next - start;
        /* the blank line before the separator belongs to the format, and
         * so does the one that ends the file after the last mail */
        size_t body_n = n;
        const char *m_end = data + start + n;
        bool ends_blank = (n >= 2 && m_end[-1] == '\n' && m_end[-2] == '\n') ||
                          (n >= 4 && memcmp(m_end - 4, "\r\n\r\n", 4) == 0);
        if ((next < len || ends_blank) && body_n > 0 &&
            data[start + body_n - 1] == '\n') {
            body_n--;
            if (body_n > 0 && data[start + body_n - 1] == '\r')
                body_n--;
        }
        size_t mail_len = 0;
        char *mail = unescape_message(data + start, body_n, &mail_len);
        ms_origin origin = {path, path, (long long)start};
        char *label = NULL;
        if (asprintf(&label, "%s:%zu", path, start) < 0)
            label = NULL;
        origin.path = label ? label : path;
        bool go_on =
            fn(ctx, &origin, mail, mail_len, mail ? NULL : "out of memory");
        free(label);
        if (!go_on)
            return false;
        start = next;
    }
    return true;
}

/* Keeps the entries of a folder but hidden ones. */
static bool keep_entry(const char *name, void *ctx)
{
    (void)ctx;
    return name[0] != '.';
}

/* Keeps the entries of a Maildir but hidden ones and tmp/, which holds
 * mails still being delivered. */
static bool keep_maildir_entry(const char *name, void *ctx)
{
    return keep_entry(name, ctx) && strcmp(name, "tmp") != 0;
}

/* True when the folder is a Maildir (has cur/ and new/). */
static bool is_maildir(const char *dir)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof(p), "%s/cur", dir);
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    snprintf(p, sizeof(p), "%s/new", dir);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static ms_status walk(const char *path, const char *mailbox, int depth,
                      const ms_source_options *opt, ms_source_fn fn, void *ctx,
                      bool *stop);

/* Walks a folder's entries in name order. */
static ms_status walk_dir(const char *path, const char *mailbox, int depth,
                          const ms_source_options *opt, ms_source_fn fn,
                          void *ctx, bool *stop)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        ms_origin o = {path, mailbox, -1};
        char reason[256];
        snprintf(reason, sizeof(reason), "%s", strerror(errno));
        *stop = !fn(ctx, &o, NULL, 0, reason);
        return MS_OK;
    }
    bool maildir = is_maildir(path);
    char **names = NULL;
    size_t n = 0;
    ms_status rc = ms_dir_sorted_names(
        d, maildir ? keep_maildir_entry : keep_entry, NULL, &names, &n);
    for (size_t i = 0; i < n; i++) {
        if (rc == MS_OK && !*stop) {
            char *full = NULL;
            if (asprintf(&full, "%s/%s", path, names[i]) < 0) {
                rc = MS_ENOMEM;
            } else {
                rc = walk(full, maildir ? path : mailbox, depth + 1, opt, fn,
                          ctx, stop);
                free(full);
            }
        }
    }
    if (names)
        ms_dir_names_free(names, n);
    return rc;
}

/* Splits a file that starts like an mbox straight from a read-only
 * mapping: an mbox may be far larger than memory or than max_file_bytes,
 * and only the mail being handed over is copied. Sets *split when the
 * file was an mbox and was walked; otherwise the caller reads it as one
 * mail. Returns false when fn asked to stop. */
static bool walk_mapped_mbox(const char *path, size_t size, ms_source_fn fn,
                             void *ctx, bool *split)
{
    *split = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true; /* the plain read reports the reason */
    char head[5];
    if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
        memcmp(head, "From ", 5) != 0) {
        close(fd);
        return true;
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return true;
    bool go_on = true;
    if (ms_source_is_mbox(map, size)) {
        madvise(map, size, MADV_SEQUENTIAL);
        *split = true;
        go_on = ms_source_split_mbox(map, size, path, fn, ctx);
    }
    munmap(map, size);
    return go_on;
}

/* Walks one path: a folder, an mbox or a mail file. */
static ms_status walk(const char *path, const char *mailbox, int depth,
                      const ms_source_options *opt, ms_source_fn fn, void *ctx,
                      bool *stop)
{
    struct stat st;
    bool is_stdin = strcmp(path, "-") == 0;
    if (!is_stdin && stat(path, &st) != 0) {
        ms_origin o = {path, mailbox, -1};
        char reason[256];
        snprintf(reason, sizeof(reason), "%s", strerror(errno));
        *stop = !fn(ctx, &o, NULL, 0, reason);
        return MS_OK;
    }
    if (!is_stdin && S_ISDIR(st.st_mode)) {
        if (depth >= MAX_WALK_DEPTH)
            return MS_OK;
        return walk_dir(path, mailbox, depth, opt, fn, ctx, stop);
    }
    if (!is_stdin && depth > 0 && opt->include) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (fnmatch(opt->include, base, 0) != 0)
            return MS_OK;
    }
    /* a file that fits is read whole and split from memory; only a big
     * one (an mbox far larger than any mail) is walked from a mapping:
     * mapping and unmapping every small file costs more than reading it,
     * and each unmapping interrupts the other cores */
    if (!is_stdin && S_ISREG(st.st_mode) && st.st_size > 0 &&
        ((size_t)st.st_size > MAP_THRESHOLD ||
         (opt->max_file_bytes && (size_t)st.st_size > opt->max_file_bytes))) {
        bool split = false;
        *stop = !walk_mapped_mbox(path, (size_t)st.st_size, fn, ctx, &split);
        if (split)
            return MS_OK;
    }
    char reason[256] = "";
    size_t len = 0;
    char *data = ms_source_read_file(path, opt->max_file_bytes, &len, reason,
                                     sizeof(reason));
    ms_origin o = {path, mailbox, -1};
    if (data == NULL) {
        *stop = !fn(ctx, &o, NULL, 0, reason);
        return MS_OK;
    }
    bool mbox = is_stdin ? opt->stdin_mbox : ms_source_is_mbox(data, len);
    if (mbox) {
        *stop = !ms_source_split_mbox(data, len, path, fn, ctx);
        free(data);
        return MS_OK;
    }
    *stop = !fn(ctx, &o, data, len, NULL);
    return MS_OK;
}

/* Walks one path and calls fn for every mail in it; see source.h. */
ms_status ms_source_walk(const char *path, const ms_source_options *opt,
                         ms_source_fn fn, void *ctx)
{
    bool stop = false;
    /* "dir/" and "dir" name the same folder: drop trailing slashes so the
     * paths in the documents read the same */
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    char *clean = strndup(path, n);
    if (clean == NULL)
        return MS_ENOMEM;
    ms_status rc = walk(clean, NULL, 0, opt, fn, ctx, &stop);
    free(clean);
    return rc;
}
