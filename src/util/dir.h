/* SPDX-License-Identifier: MIT */
/*
 * Listing a folder's entries in name order, so that every walk over the
 * same tree (rule folders, mail folders) sees the same order; creating a
 * folder with its parents.
 */
#ifndef MS_UTIL_DIR_H
#define MS_UTIL_DIR_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "mailscope/status.h"

/* Reads the names of an open folder for which keep(name, ctx) is true
 * (all when keep is NULL), sorted, into a malloc'd array of malloc'd
 * strings. Closes the folder. Free with ms_dir_names_free. */
ms_status ms_dir_sorted_names(DIR *d, bool (*keep)(const char *, void *),
                              void *ctx, char ***names, size_t *n);

/* Frees what ms_dir_sorted_names returned. */
void ms_dir_names_free(char **names, size_t n);

/* Creates a folder and its missing parents (as mkdir -p). Returns false
 * when one cannot be created. */
bool ms_dir_make_all(const char *path);

#endif
