/* SPDX-License-Identifier: MIT */
/*
 * mailscope parse: the tokenizer alone. Reads each named file (or stdin),
 * parses it and prints the parsed mail as JSON: pretty for one file,
 * one compact object per line for several (or with --jsonl). A file that
 * cannot be read gives an error object on its line and the run goes on.
 */
#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "mailscope/message.h"
#include "analysis/attachments.h"
#include "report/document.h"
#include "report/message_json.h"
#include "util/buf.h"
#include "util/json.h"

/* Output is flushed to stdout when this much has accumulated. */
#define OUTPUT_FLUSH_BYTES (1u << 20)
/* Ceiling of one JSON document. */
#define MAX_DOCUMENT_BYTES (512u << 20)

static const char parse_help[] =
    "usage: mailscope parse [OPTIONS] FILE|- ...\n"
    "\n"
    "Parses each mail (a file, or - for stdin) with the MIME tokenizer and\n"
    "prints it as JSON: indented for one file, one compact object per line\n"
    "for several files or with --jsonl. A file that cannot be read prints\n"
    "{\"source\":{\"path\":...},\"error\":{\"stage\":\"read\",\"reason\":...}}"
    "\n"
    "on its line and the run goes on (exit code 1 at the end).\n"
    "\n"
    "options:\n"
    "  --jsonl            one compact JSON object per line, even for one "
    "file\n"
    "  --pretty           indent the output, even for several files\n"
    "  --trust STRING     sender IP by mail-parser's trust rule: the last IP\n"
    "                     before 'by' in the first Received hop containing\n"
    "                     STRING\n"
    "  --list FILE        also read the paths to parse from FILE, one a "
    "line\n"
    "  --stats            print a summary line on stderr at the end\n"
    "  --attachments      analyze each attachment as mailscope analyze\n"
    "                     does: hashes, ssdeep, true type, archives opened,\n"
    "                     risky-trait flags, YARA (docs/attachments.md)\n"
    "  --payloads         with --attachments: each file's bytes in base64\n"
    "  --yara PATH        with --attachments: more YARA rules (a file or a\n"
    "                     folder), besides conf/yara/; repeatable\n"
    "  --limit NAME=N     set a ceiling of the parser; NAME is one of\n"
    "                     message_bytes (64 MiB), header_bytes (1 MiB),\n"
    "                     headers (2000), parts (1000), depth (32),\n"
    "                     decoded_bytes (256 MiB), defects (500); a mail\n"
    "                     past one gets a limit_* defect, never an error\n"
    "  -h, --help         this help\n"
    "\n"
    "fields (missing values are null or [], never absent):\n"
    "  source             {path, size} of the input\n"
    "  subject            decoded Subject\n"
    "  message_id         Message-ID without angle brackets\n"
    "  date               Date in UTC, ISO 8601 with Z; null if missing or\n"
    "                     unparsable (with a defect)\n"
    "  timezone           the Date's written offset, e.g. +01:00\n"
    "  from, to, cc, bcc, reply_to, sender, delivered_to, return_path\n"
    "                     lists of {name, address, domain}; names decoded,\n"
    "                     domains lower-case\n"
    "  to_domains         distinct domains of To, Cc, Bcc, Delivered-To\n"
    "  headers            every top-level header in order: {name, value},\n"
    "                     values unfolded and decoded to UTF-8\n"
    "  received           the Received chain, hop 1 the oldest: hop, from,\n"
    "                     by, with, id, for, via, envelope_from, date (with\n"
    "                     its offset), date_utc, from_host, helo, from_ip,\n"
    "                     by_host, tls, authenticated, delay (seconds since\n"
    "                     the previous hop), parsed, raw\n"
    "  sender_ip          the IP that handed the mail to the receiving side\n"
    "  text_plain         decoded text/plain bodies (UTF-8)\n"
    "  text_html          decoded text/html bodies (UTF-8)\n"
    "  text_not_managed   other non-attachment leaves, decoded\n"
    "  attachments        parts with a file name, a Content-ID and a non-"
    "text\n"
    "                     type, or Content-Disposition: attachment:\n"
    "                     filename, content_type, charset, content_id,\n"
    "                     disposition, transfer_encoding, size (decoded),\n"
    "                     sha256, path (MIME path), recovered\n"
    "  parts              the MIME tree: {path, content_type, size, "
    "filename,\n"
    "                     is_attachment, children}, and for multiparts the\n"
    "                     preamble and epilogue text (null when none);\n"
    "                     root 0, children 1, 2,\n"
    "                     grandchildren 1.1; files found uuencoded in a "
    "text\n"
    "                     part N are N.uu1, N.uu2\n"
    "  defects            oddities found: {path, type, detail}\n"
    "  defects_categories sorted distinct defect types\n"
    "  has_defects        true when there is at least one defect\n"
    "  defects_truncated  true when more defects were found than kept\n"
    "\n"
    "docs/schema.md and docs/defects.md describe each field and defect.\n";

/* Options of one parse run. */
typedef struct parse_options {
    bool jsonl;
    bool pretty;
    bool stats;
    const char *list_file;
    ms_parse_options parse;
    bool attachments; /* --attachments */
    ms_attach_engine *attach;
    ms_attach_scratch *attach_scratch;
} parse_options;

/* Writes the error object for an input that could not be read. */
static void write_error_document(ms_buf *out, const char *path,
                                 const char *stage, const char *reason,
                                 bool pretty)
{
    ms_json w;
    ms_json_init(&w, out, pretty);
    ms_json_object_begin(&w);
    ms_json_key(&w, "source");
    ms_json_object_begin(&w);
    ms_json_kv_cstr(&w, "path", path);
    ms_json_object_end(&w);
    ms_json_key(&w, "error");
    ms_json_object_begin(&w);
    ms_json_kv_cstr(&w, "stage", stage);
    ms_json_kv_cstr(&w, "reason", reason);
    ms_json_object_end(&w);
    ms_json_object_end(&w);
    ms_buf_append_char(out, '\n');
}

/* Flushes the accumulated output to stdout. Returns false on a write
 * error (a closed pipe, a full disk). */
static bool flush_output(ms_buf *out)
{
    if (out->n == 0)
        return true;
    size_t written = fwrite(out->p, 1, out->n, stdout);
    bool ok = written == out->n;
    ms_buf_clear(out);
    return ok;
}

/* The analyzed attachments of one mail, for the writer below. */
typedef struct attach_ctx {
    const ms_file_report *reports;
    size_t n_reports;
    bool payloads;
} attach_ctx;

static void write_analyzed(ms_json *w, const ms_message *m, void *ctx)
{
    const attach_ctx *c = ctx;
    ms_document_write_attachments(w, m, c->reports, c->n_reports, c->payloads);
}

/* Builds the attachments analyzer of --attachments: the defaults, the
 * shipped YARA rules, the --yara paths. Returns false after reporting. */
static bool open_attachments(parse_options *opt, const char *const *yara,
                             size_t n_yara, bool payloads)
{
    ms_attach_config ac;
    ms_attach_config_default(&ac);
    ac.payloads = payloads;
    char yara_dir[4096];
    ac.yara_rules_dir = ms_cli_shipped_conf("yara", yara_dir, sizeof(yara_dir));
    for (size_t i = 0; i < n_yara; i++)
        ac.yara_paths[ac.n_yara_paths++] = yara[i];
    char err[512];
    if (ms_attach_engine_new(&ac, &opt->attach, err, sizeof(err)) != MS_OK ||
        ms_attach_scratch_new(&opt->attach_scratch, err, sizeof(err)) !=
            MS_OK) {
        fprintf(stderr, "mailscope parse: attachments: %s\n", err);
        return false;
    }
    return true;
}

/* Parses one mail and appends its document to out. Returns false when the
 * input could not be read or the document not written (an error object is
 * written instead). */
static bool parse_one(const char *path, const parse_options *opt,
                      ms_cli_reader *reader, ms_arena *arena, ms_buf *input,
                      ms_buf *out)
{
    char reason[256];
    ms_buf_clear(input);
    if (ms_cli_reader_read(reader, path, input, reason, sizeof(reason)) !=
        MS_OK) {
        write_error_document(out, path, "read", reason, opt->pretty);
        return false;
    }
    ms_arena_reset(arena);
    ms_message *m = NULL;
    ms_status rc = ms_message_parse(arena, input->p, input->n, &opt->parse, &m);
    if (rc != MS_OK) {
        write_error_document(out, path, "parse", ms_status_str(rc),
                             opt->pretty);
        return false;
    }
    size_t mark = out->n;
    ms_json w;
    ms_json_init(&w, out, opt->pretty);
    ms_json_object_begin(&w);
    ms_json_key(&w, "source");
    ms_json_object_begin(&w);
    ms_json_kv_cstr(&w, "path", path);
    ms_json_kv_uint(&w, "size", input->n);
    ms_json_object_end(&w);
    if (opt->attach) {
        ms_file_report *reports = NULL;
        size_t n_reports = 0;
        rc = ms_attachments_analyze(opt->attach, opt->attach_scratch, m,
                                    &reports, &n_reports);
        if (rc != MS_OK) {
            out->n = mark;
            write_error_document(out, path, "attachments", ms_status_str(rc),
                                 opt->pretty);
            return false;
        }
        attach_ctx ctx = {reports, n_reports,
                          ms_attach_engine_config(opt->attach)->payloads};
        ms_message_write_json_with(&w, m, write_analyzed, &ctx);
    } else {
        ms_message_write_json(&w, m);
    }
    ms_json_object_end(&w);
    rc = ms_json_status(&w);
    if (rc != MS_OK) {
        out->n = mark;
        write_error_document(out, path, "report", ms_status_str(rc),
                             opt->pretty);
        return false;
    }
    ms_buf_append_char(out, '\n');
    return true;
}

/* Runs the parse subcommand. */
static int parse_main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"jsonl", no_argument, NULL, 'j'},
        {"pretty", no_argument, NULL, 'p'},
        {"trust", required_argument, NULL, 't'},
        {"list", required_argument, NULL, 'l'},
        {"stats", no_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'L'},
        {"attachments", no_argument, NULL, 'A'},
        {"payloads", no_argument, NULL, 'P'},
        {"yara", required_argument, NULL, 'Y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    parse_options opt;
    memset(&opt, 0, sizeof(opt));
    ms_parse_options_default(&opt.parse);
    bool pretty_set = false, payloads = false;
    const char *yara[MS_ATTACH_MAX_YARA_PATHS];
    size_t n_yara = 0;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        switch (c) {
        case 'j':
            opt.jsonl = true;
            break;
        case 'p':
            pretty_set = true;
            break;
        case 't':
            opt.parse.trust = optarg;
            break;
        case 'l':
            opt.list_file = optarg;
            break;
        case 's':
            opt.stats = true;
            break;
        case 'L':
            if (!ms_cli_set_limit(&opt.parse, optarg))
                return ms_cli_usage("parse",
                                    "bad --limit '%s': use NAME=N with NAME "
                                    "one of message_bytes, header_bytes, "
                                    "headers, parts, depth, decoded_bytes, "
                                    "defects and N a positive number",
                                    optarg);
            break;
        case 'A':
            opt.attachments = true;
            break;
        case 'P':
            payloads = true;
            break;
        case 'Y':
            if (n_yara == MS_ATTACH_MAX_YARA_PATHS)
                return ms_cli_usage("parse", "more than %d --yara paths",
                                    MS_ATTACH_MAX_YARA_PATHS);
            yara[n_yara++] = optarg;
            break;
        case 'h':
            ms_cli_print_help(&ms_cli_parse_command, stdout);
            return MS_EXIT_OK;
        default:
            if (optopt)
                return ms_cli_usage("parse", "unknown option '-%c'", optopt);
            return ms_cli_usage("parse", "unknown or incomplete option '%s'",
                                argv[optind - 1]);
        }
    }
    ms_cli_path_list paths;
    ms_cli_path_list_init(&paths);
    for (int i = optind; i < argc; i++) {
        if (ms_cli_path_list_add(&paths, argv[i]) != MS_OK) {
            fprintf(stderr, "mailscope parse: out of memory\n");
            return MS_EXIT_FAILURE;
        }
    }
    if (opt.list_file) {
        char reason[256];
        if (ms_cli_path_list_read(&paths, opt.list_file, reason,
                                  sizeof(reason)) != MS_OK) {
            ms_cli_path_list_free(&paths);
            return ms_cli_usage("parse", "cannot read --list %s: %s",
                                opt.list_file, reason);
        }
    }
    if (paths.n == 0) {
        ms_cli_path_list_free(&paths);
        return ms_cli_usage("parse", "no input file given (use - for stdin)");
    }
    if ((payloads || n_yara > 0) && !opt.attachments) {
        ms_cli_path_list_free(&paths);
        return ms_cli_usage("parse", "--payloads and --yara need "
                                     "--attachments");
    }
    if (opt.attachments && !open_attachments(&opt, yara, n_yara, payloads)) {
        ms_cli_path_list_free(&paths);
        return MS_EXIT_USAGE;
    }
    opt.pretty = pretty_set || (paths.n == 1 && !opt.jsonl);

    ms_arena *arena = ms_arena_new(0);
    ms_cli_reader reader;
    ms_cli_reader_init(&reader);
    ms_buf input, out;
    ms_buf_init(&input, 0);
    ms_buf_init(&out, MAX_DOCUMENT_BYTES);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t n_failed = 0, n_bytes = 0;
    bool write_ok = arena != NULL;
    for (size_t i = 0; i < paths.n && write_ok; i++) {
        if (!parse_one(paths.items[i], &opt, &reader, arena, &input, &out))
            n_failed++;
        n_bytes += input.n;
        if (out.n >= OUTPUT_FLUSH_BYTES)
            write_ok = flush_output(&out);
    }
    if (write_ok)
        write_ok = flush_output(&out);
    if (fflush(stdout) != 0)
        write_ok = false;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (opt.stats || paths.n > 1)
        fprintf(stderr,
                "mailscope parse: %zu mails, %zu failed, %.1f MB in %.3f s "
                "(%.0f mails/s, %.1f MB/s)\n",
                paths.n, n_failed, (double)n_bytes / 1e6, secs,
                secs > 0 ? (double)paths.n / secs : 0.0,
                secs > 0 ? (double)n_bytes / 1e6 / secs : 0.0);
    if (!write_ok)
        fprintf(stderr, "mailscope parse: cannot write the output: %s\n",
                strerror(errno));
    ms_cli_reader_close(&reader);
    ms_buf_free(&input);
    ms_buf_free(&out);
    ms_arena_free(arena);
    ms_cli_path_list_free(&paths);
    ms_attach_scratch_free(opt.attach_scratch);
    ms_attach_engine_free(opt.attach);
    return (n_failed == 0 && write_ok) ? MS_EXIT_OK : MS_EXIT_FAILURE;
}

const ms_cli_command ms_cli_parse_command = {
    "parse", "the tokenizer alone: the parsed mail as JSON", parse_help,
    parse_main};
