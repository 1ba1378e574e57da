/* SPDX-License-Identifier: MIT */
/*
 * Reading inputs for the subcommands: a whole file (or stdin) into a
 * buffer, and lists of paths given on the command line or in a file.
 */
#ifndef MS_CLI_INPUT_H
#define MS_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/message.h"
#include "mailscope/status.h"
#include "util/buf.h"

/* The longest folder path a ms_cli_reader keeps open; files in longer
 * ones are opened by their whole path. */
#define MS_CLI_READER_DIR_MAX 1024

/* A list of paths; the strings are owned by the list. */
typedef struct ms_cli_path_list {
    char **items;
    size_t n;
    size_t cap;
} ms_cli_path_list;

/* Reads the whole file at path ("-" for stdin) into buf (appending).
 * On failure returns MS_EIO or MS_ELIMIT and writes a one-line reason. */
ms_status ms_cli_read_input(const char *path, ms_buf *buf, char *reason,
                            size_t reason_size);

/* Reads many files in a row, keeping the folder of the last one open:
 * a file in the same folder as the one before is opened by its name
 * relative to that folder (openat), so the kernel looks up one path
 * component instead of all of them (opening and reading the SpamAssassin
 * corpus took 7 % less CPU time so). Files are opened with O_NOATIME
 * where that is allowed (the owner, or root). A folder renamed or
 * replaced while files in it are read is not noticed until a file of
 * another folder comes. */
typedef struct ms_cli_reader {
    int dir_fd;   /* the folder of the last file, or -1 */
    size_t dir_n; /* length of its path in dir, slash included */
    bool noatime; /* O_NOATIME allowed so far */
    char dir[MS_CLI_READER_DIR_MAX];
} ms_cli_reader;

void ms_cli_reader_init(ms_cli_reader *r);
/* Closes the folder kept open. */
void ms_cli_reader_close(ms_cli_reader *r);

/* As ms_cli_read_input, through the reader's open folder. */
ms_status ms_cli_reader_read(ms_cli_reader *r, const char *path, ms_buf *buf,
                             char *reason, size_t reason_size);

void ms_cli_path_list_init(ms_cli_path_list *l);
void ms_cli_path_list_free(ms_cli_path_list *l);

/* Appends a copy of path. */
ms_status ms_cli_path_list_add(ms_cli_path_list *l, const char *path);

/* Appends the non-empty lines of the file at path. */
ms_status ms_cli_path_list_read(ms_cli_path_list *l, const char *path,
                                char *reason, size_t reason_size);

/* Sets one parser ceiling from "NAME=N" (a --limit argument); NAME is
 * message_bytes, header_bytes, headers, parts, depth, decoded_bytes or
 * defects. Returns false when the name is unknown or N is not a positive
 * number. */
bool ms_cli_set_limit(ms_parse_options *p, const char *arg);

/* Finds a file or folder of the shipped configuration (rules, yara,
 * phishing/...): next to the binary's source tree, or installed. Writes
 * the path into out (size bytes) and returns it, or NULL when neither
 * exists. */
const char *ms_cli_shipped_conf(const char *name, char *out, size_t size);

#endif
