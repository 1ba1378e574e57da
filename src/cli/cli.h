/* SPDX-License-Identifier: MIT */
/*
 * What the subcommands of the mailscope program share: the table entry each
 * one fills, and the helpers for one-line usage errors. Each subcommand
 * lives in its own file, src/cli/<name>.c, and exports one ms_cli_<name>
 * function and its help text.
 */
#ifndef MS_CLI_CLI_H
#define MS_CLI_CLI_H

#include <stdio.h>

/* Exit codes shared by every subcommand. */
#define MS_EXIT_OK      0 /* everything worked */
#define MS_EXIT_FAILURE 1 /* the work ran but something failed */
#define MS_EXIT_USAGE   2 /* bad usage or bad configuration */

typedef struct ms_cli_command {
    const char *name;                  /* as typed after "mailscope" */
    const char *summary;               /* one line for "mailscope --help" */
    const char *help;                  /* full text for "mailscope help NAME" */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} ms_cli_command;

/* Prints "mailscope CMD: <message>" and a pointer to --help on stderr.
 * Returns MS_EXIT_USAGE so callers can write return ms_cli_usage(...). */
int ms_cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the help text of a command to out. */
void ms_cli_print_help(const ms_cli_command *c, FILE *out);

/* The subcommands, each defined in its own file. */
extern const ms_cli_command ms_cli_parse_command;
extern const ms_cli_command ms_cli_analyze_command;
extern const ms_cli_command ms_cli_train_command;
extern const ms_cli_command ms_cli_config_command;

#endif
