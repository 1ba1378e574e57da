/* SPDX-License-Identifier: MIT */
/*
 * Input helpers of the subcommands (see input.h). Files are read with one
 * fstat and as few read() calls as possible into a reused buffer, since
 * reading is a large share of the time when parsing small mails.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/input.h"

/* Reads everything from fd into buf. */
static ms_status read_fd(int fd, ms_buf *buf, size_t hint, char *reason,
                         size_t reason_size)
{
    size_t chunk = hint > 0 ? hint + 1 : 65536;
    for (;;) {
        ms_status rc = ms_buf_reserve(buf, chunk);
        if (rc != MS_OK) {
            snprintf(reason, reason_size, "%s", ms_status_str(rc));
            return rc;
        }
        ssize_t k = read(fd, buf->p + buf->n, buf->cap - buf->n - 1);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            snprintf(reason, reason_size, "%s", strerror(errno));
            return MS_EIO;
        }
        if (k == 0)
            break;
        buf->n += (size_t)k;
        /* a regular file read to its known size needs no extra read()
         * to see the end: one system call saved per mail */
        if (hint > 0 && (size_t)k == hint && buf->n == hint)
            break;
        chunk = 65536;
    }
    buf->p[buf->n] = '\0';
    return MS_OK;
}

/* Opens the file at path for reading, through the reader's open folder
 * when r is not NULL (see ms_cli_reader in input.h). Returns the file
 * descriptor, or -1 with errno set. */
static int open_input(ms_cli_reader *r, const char *path)
{
    const char *slash = r ? strrchr(path, '/') : NULL;
    if (slash == NULL || slash[1] == '\0')
        return open(path, O_RDONLY | O_CLOEXEC);
    size_t n = (size_t)(slash - path) + 1;
    if (n >= sizeof(r->dir))
        return open(path, O_RDONLY | O_CLOEXEC);
    if (r->dir_fd < 0 || n != r->dir_n || memcmp(path, r->dir, n) != 0) {
        ms_cli_reader_close(r);
        memcpy(r->dir, path, n);
        r->dir[n] = '\0';
        r->dir_fd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->dir_fd < 0) /* the whole path gives the right errno */
            return open(path, O_RDONLY | O_CLOEXEC);
        r->dir_n = n;
    }
    if (r->noatime) {
        /* the access time is left alone: saves the kernel a little work
         * per file, and an analyst's read leaves no mark on the
         * evidence. Only the owner may ask it (EPERM otherwise). */
        int fd = openat(r->dir_fd, slash + 1, O_RDONLY | O_CLOEXEC | O_NOATIME);
        if (fd >= 0 || errno != EPERM)
            return fd;
        r->noatime = false;
    }
    return openat(r->dir_fd, slash + 1, O_RDONLY | O_CLOEXEC);
}

/* Reads the whole file at path ("-" for stdin) into buf, opened through
 * r when it is not NULL. */
static ms_status read_input(ms_cli_reader *r, const char *path, ms_buf *buf,
                            char *reason, size_t reason_size)
{
    if (strcmp(path, "-") == 0)
        return read_fd(0, buf, 0, reason, reason_size);
    int fd = open_input(r, path);
    if (fd < 0) {
        snprintf(reason, reason_size, "%s", strerror(errno));
        return MS_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(reason, reason_size, "%s", strerror(errno));
        close(fd);
        return MS_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(reason, reason_size, "is a directory");
        close(fd);
        return MS_EIO;
    }
    ms_status rc =
        read_fd(fd, buf, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, reason,
                reason_size);
    close(fd);
    return rc;
}

/* Reads the whole file at path ("-" for stdin) into buf; see input.h. */
ms_status ms_cli_read_input(const char *path, ms_buf *buf, char *reason,
                            size_t reason_size)
{
    return read_input(NULL, path, buf, reason, reason_size);
}

/* Prepares a reader with no folder open. */
void ms_cli_reader_init(ms_cli_reader *r)
{
    r->dir_fd = -1;
    r->dir_n = 0;
    r->dir[0] = '\0';
    r->noatime = true;
}

/* Closes the folder kept open, if any. */
void ms_cli_reader_close(ms_cli_reader *r)
{
    if (r->dir_fd >= 0)
        close(r->dir_fd);
    r->dir_fd = -1;
    r->dir_n = 0;
}

/* Reads the whole file at path through the reader; see input.h. */
ms_status ms_cli_reader_read(ms_cli_reader *r, const char *path, ms_buf *buf,
                             char *reason, size_t reason_size)
{
    return read_input(r, path, buf, reason, reason_size);
}

/* Prepares an empty list. */
void ms_cli_path_list_init(ms_cli_path_list *l)
{
    memset(l, 0, sizeof(*l));
}

/* Frees the list and its strings. */
void ms_cli_path_list_free(ms_cli_path_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* Appends a copy of the n bytes of path. */
static ms_status add_n(ms_cli_path_list *l, const char *path, size_t n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **items = realloc(l->items, cap * sizeof(*items));
        if (items == NULL)
            return MS_ENOMEM;
        l->items = items;
        l->cap = cap;
    }
    char *copy = strndup(path, n);
    if (copy == NULL)
        return MS_ENOMEM;
    l->items[l->n++] = copy;
    return MS_OK;
}

/* Appends a copy of path. */
ms_status ms_cli_path_list_add(ms_cli_path_list *l, const char *path)
{
    return add_n(l, path, strlen(path));
}

/* Appends the non-empty lines of the file at path. */
ms_status ms_cli_path_list_read(ms_cli_path_list *l, const char *path,
                                char *reason, size_t reason_size)
{
    ms_buf b;
    ms_buf_init(&b, 0);
    ms_status rc = ms_cli_read_input(path, &b, reason, reason_size);
    size_t i = 0;
    while (rc == MS_OK && i < b.n) {
        const char *nl = memchr(b.p + i, '\n', b.n - i);
        size_t e = nl ? (size_t)(nl - b.p) : b.n;
        size_t end = e;
        if (end > i && b.p[end - 1] == '\r')
            end--;
        if (end > i)
            rc = add_n(l, b.p + i, end - i);
        i = e + 1;
    }
    if (rc == MS_ENOMEM)
        snprintf(reason, reason_size, "out of memory");
    ms_buf_free(&b);
    return rc;
}

/* Sets one parser ceiling from "NAME=N"; see input.h. */
bool ms_cli_set_limit(ms_parse_options *p, const char *arg)
{
    static const struct {
        const char *name;
        size_t offset;
    } limits[] = {
        {"message_bytes", offsetof(ms_parse_options, max_message_bytes)},
        {"header_bytes", offsetof(ms_parse_options, max_header_bytes)},
        {"headers", offsetof(ms_parse_options, max_headers)},
        {"parts", offsetof(ms_parse_options, max_parts)},
        {"depth", offsetof(ms_parse_options, max_depth)},
        {"decoded_bytes", offsetof(ms_parse_options, max_decoded_bytes)},
        {"defects", offsetof(ms_parse_options, max_defects)},
    };
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq[1] == '\0' || eq[1] == '-')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(eq + 1, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0)
        return false;
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        if (strlen(limits[i].name) == (size_t)(eq - arg) &&
            strncmp(limits[i].name, arg, (size_t)(eq - arg)) == 0) {
            *(size_t *)((char *)p + limits[i].offset) = (size_t)v;
            return true;
        }
    }
    return false;
}

/* Finds a file or folder of the shipped configuration; see input.h. */
const char *ms_cli_shipped_conf(const char *name, char *out, size_t size)
{
    const char *roots[] = {MS_SOURCE_CONF, MS_INSTALL_CONF};
    for (size_t i = 0; i < 2; i++) {
        snprintf(out, size, "%s/%s", roots[i], name);
        if (access(out, R_OK) == 0)
            return out;
    }
    return NULL;
}
