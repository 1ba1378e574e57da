/* SPDX-License-Identifier: MIT */
/*
 * main(): the mailscope program. It reads the subcommand name, hands the
 * rest of the command line to that subcommand, and answers --help,
 * --version and "help COMMAND" itself. Anything it does not know is a
 * one-line error and exit code 2.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const ms_cli_command *const commands[] = {
    &ms_cli_analyze_command,
    &ms_cli_config_command,
    &ms_cli_parse_command,
    &ms_cli_train_command,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Prints the program's overview help to out. */
static void print_overview(FILE *out)
{
    fprintf(out,
            "mailscope %s: turns raw email into one JSON document per mail\n"
            "\n"
            "usage: mailscope COMMAND [OPTIONS] [ARGS]\n"
            "       mailscope help COMMAND\n"
            "       mailscope --version\n"
            "\n"
            "commands:\n",
            MS_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nRun 'mailscope help COMMAND' for the options of one.\n");
}

/* Returns the command called name, or NULL. */
static const ms_cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    }
    return NULL;
}

/* Prints "mailscope CMD: <message>" on stderr and returns MS_EXIT_USAGE. */
int ms_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mailscope %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'mailscope help %s')\n", cmd);
    return MS_EXIT_USAGE;
}

/* Prints the help text of a command to out. */
void ms_cli_print_help(const ms_cli_command *c, FILE *out)
{
    fputs(c->help, out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return MS_EXIT_USAGE;
    }
    const char *arg = argv[1];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        print_overview(stdout);
        return MS_EXIT_OK;
    }
    if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
        printf("mailscope %s\n", MS_VERSION);
        return MS_EXIT_OK;
    }
    if (strcmp(arg, "help") == 0) {
        if (argc < 3) {
            print_overview(stdout);
            return MS_EXIT_OK;
        }
        const ms_cli_command *c = find_command(argv[2]);
        if (c == NULL) {
            fprintf(stderr,
                    "mailscope: unknown command '%s' (see mailscope --help)\n",
                    argv[2]);
            return MS_EXIT_USAGE;
        }
        ms_cli_print_help(c, stdout);
        return MS_EXIT_OK;
    }
    if (arg[0] == '-') {
        fprintf(stderr,
                "mailscope: unknown option '%s' (see mailscope --help)\n", arg);
        return MS_EXIT_USAGE;
    }
    const ms_cli_command *c = find_command(arg);
    if (c == NULL) {
        fprintf(stderr,
                "mailscope: unknown command '%s' (see mailscope --help)\n",
                arg);
        return MS_EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
