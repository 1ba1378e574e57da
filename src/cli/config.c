/* SPDX-License-Identifier: MIT */
/*
 * mailscope config: shows the built-in default configuration (the start
 * of any configuration file) and checks a file before a long run would
 * trip over it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/config.h"

static const char config_help[] =
    "usage: mailscope config --print-default\n"
    "       mailscope config --check FILE\n"
    "\n"
    "  --print-default  print the built-in default configuration (YAML,\n"
    "                   with a comment on every key); copy it, edit it and\n"
    "                   run mailscope analyze -c FILE\n"
    "  --check FILE     load FILE over the default and report the first\n"
    "                   unknown key, wrong type or YAML error with its line\n"
    "  -h, --help       this help\n"
    "\n"
    "docs/configuration.md explains every key. Exit status: 0 fine, 2 bad\n"
    "usage or a bad configuration file.\n";

/* Runs the config subcommand. */
static int config_main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"print-default", no_argument, NULL, 'p'},
        {"check", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool print_default = false;
    const char *check = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        switch (c) {
        case 'p':
            print_default = true;
            break;
        case 'c':
            check = optarg;
            break;
        case 'h':
            ms_cli_print_help(&ms_cli_config_command, stdout);
            return MS_EXIT_OK;
        default:
            return ms_cli_usage("config", "unknown or incomplete option '%s'",
                                argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ms_cli_usage("config", "unexpected argument '%s'", argv[optind]);
    if (print_default == (check != NULL))
        return ms_cli_usage("config",
                            "give either --print-default or --check FILE");
    if (print_default) {
        fwrite(ms_default_config_yaml, 1, ms_default_config_yaml_len, stdout);
        return fflush(stdout) == 0 ? MS_EXIT_OK : MS_EXIT_FAILURE;
    }
    char err[512];
    ms_config cfg;
    ms_status rc = ms_config_load_default(&cfg, err, sizeof(err));
    if (rc == MS_OK)
        rc = ms_config_load_file(&cfg, check, err, sizeof(err));
    ms_config_free(&cfg);
    if (rc != MS_OK) {
        fprintf(stderr, "mailscope config: %s\n", err);
        return MS_EXIT_USAGE;
    }
    printf("%s: ok\n", check);
    return MS_EXIT_OK;
}

const ms_cli_command ms_cli_config_command = {
    "config", "print the default configuration or check a file", config_help,
    config_main};
