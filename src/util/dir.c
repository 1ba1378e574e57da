/* SPDX-License-Identifier: MIT */
/*
 * Sorted folder listings and folder creation (see dir.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/dir.h"

/* Compares two names for qsort. */
static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the kept names of an open folder, sorted; see dir.h. */
ms_status ms_dir_sorted_names(DIR *d, bool (*keep)(const char *, void *),
                              void *ctx, char ***names, size_t *n)
{
    char **list = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    ms_status rc = MS_OK;
    while ((e = readdir(d)) != NULL) {
        if (keep && !keep(e->d_name, ctx))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(list, cap * sizeof(*p));
            if (p == NULL) {
                rc = MS_ENOMEM;
                break;
            }
            list = p;
        }
        list[count] = strdup(e->d_name);
        if (list[count] == NULL) {
            rc = MS_ENOMEM;
            break;
        }
        count++;
    }
    closedir(d);
    if (rc != MS_OK) {
        ms_dir_names_free(list, count);
        return rc;
    }
    if (count > 1)
        qsort(list, count, sizeof(*list), compare_names);
    *names = list;
    *n = count;
    return MS_OK;
}

/* Frees what ms_dir_sorted_names returned. */
void ms_dir_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Creates a folder and its parents; see dir.h. */
bool ms_dir_make_all(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return false;
        buf[i] = c;
    }
    return true;
}
