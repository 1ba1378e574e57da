/* SPDX-License-Identifier: MIT */
/*
 * The attachments analyzer: every attachment of a parsed mail, and every
 * file found inside one, gets hashes (md5, sha1, sha256, sha512, ssdeep),
 * its declared and true types, its extension, risky-trait flags, YARA
 * matches, and, for archives, its inner files analyzed the same way
 * under `files`. The field meanings follow SpamScope's attachments bolt.
 *
 * Three lifetimes:
 *   - ms_attach_engine: built once per configuration load (compiled YARA
 *     rules, the already-seen filter), shared read-only by all workers;
 *   - ms_attach_scratch: one per worker thread (libmagic's handle, which
 *     is not thread-safe);
 *   - ms_file_report trees: per mail, in the message's arena.
 *
 * Every limit is a field of ms_attach_config with its default in
 * ms_attach_config_default(); hitting one adds a limit_* defect to the
 * message. The content of a mail never makes the analysis fail.
 */
#ifndef MS_ANALYSIS_ATTACHMENTS_H
#define MS_ANALYSIS_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/hashes.h"
#include "analysis/traits.h"
#include "analysis/yara.h"
#include "mailscope/arena.h"
#include "mailscope/message.h"
#include "mailscope/status.h"
#include "util/json.h"

/* Largest file inside an archive whose bytes are kept for the URL
 * analyzer (text, HTML, XML, PDF). */
#define MS_ATTACH_MAX_LINK_BYTES (4u << 20)

/* Rule folders or files the user may add to the shipped ones. */
#define MS_ATTACH_MAX_YARA_PATHS 16

/* Settings of the analyzer. Strings are read only by
 * ms_attach_engine_new and need not outlive it. */
typedef struct ms_attach_config {
    size_t max_depth;           /* archives inside archives opened: 5 */
    uint64_t max_total_bytes;   /* extracted from archives per mail: 256 MiB */
    size_t max_entries;         /* headers read per archive: 10000 */
    size_t max_ratio;           /* extracted bytes per archive byte: 100 */
    size_t ratio_min_bytes;     /* ratio judged past this output: 1 MiB */
    size_t max_files;           /* file reports per mail, all levels: 10000 */
    size_t max_scan_bytes;      /* larger files skip ssdeep and YARA: 64 MiB */
    size_t max_passwords;       /* candidates taken from the text: 10 */
    bool payloads;              /* keep bytes for base64 `payload`: false */
    bool yara;                  /* scan with YARA: true */
    const char *yara_rules_dir; /* the shipped conf/yara, NULL: none */
    const char *yara_paths[MS_ATTACH_MAX_YARA_PATHS]; /* the user's */
    size_t n_yara_paths;
    bool filter;               /* the already-seen filter: false */
    const char *filter_path;   /* its file, NULL: kept in memory only */
    size_t filter_max_entries; /* digests remembered: 1000000 */
} ms_attach_config;

/* The report of one file; everything lives in the message arena. */
typedef struct ms_file_report ms_file_report;
struct ms_file_report {
    const char *filename;     /* as named in the mail or the archive */
    const char *path;         /* MIME path, then "/entry" per archive level */
    const char *content_type; /* declared; NULL inside archives */
    const char *mime_type;    /* libmagic's MIME type */
    const char *magic;        /* libmagic's description */
    const char *extension;    /* lower-case, "" when none */
    size_t size;
    ms_hashes hashes;
    int depth;                  /* 0: attachment; 1: inside it; ... */
    bool is_archive;            /* a container this analyzer opens */
    const char *archive_format; /* libarchive's name, NULL when none */
    bool encrypted;             /* encrypted archive or entry */
    const char *password_used;  /* the candidate that opened it, or NULL */
    bool is_filtered;           /* sha256 seen before: heavy work skipped */
    ms_file_report *files;      /* inner files of an archive */
    size_t n_files, cap_files;
    ms_trait_list flags;
    ms_yara_match *yara;
    size_t n_yara;
    const unsigned char *data; /* the bytes, when payloads are kept, and of
                                * the text, HTML, XML and PDF files inside
                                * archives (for their links) */
};

/* One file to analyze when not taken from a message. */
typedef struct ms_attach_input {
    const char *filename;     /* may be NULL */
    const char *content_type; /* declared, may be NULL */
    const char *path;         /* where defects are recorded, e.g. "2" */
    const unsigned char *data;
    size_t size;
} ms_attach_input;

typedef struct ms_attach_engine ms_attach_engine;
typedef struct ms_attach_scratch ms_attach_scratch;

/* Fills c with the documented defaults. */
void ms_attach_config_default(ms_attach_config *c);

/* Builds the shared state: compiles the YARA rules (when enabled, from
 * yara_rules_dir and yara_paths) and opens the filter (when enabled).
 * Returns MS_OK; MS_EINVAL or MS_EIO with a one-line reason in err;
 * MS_ENOMEM. Free with ms_attach_engine_close or ms_attach_engine_free. */
ms_status ms_attach_engine_new(const ms_attach_config *c,
                               ms_attach_engine **out, char *err,
                               size_t err_size);

/* Saves the filter to its file (when there is one) and frees the
 * engine. Returns MS_OK, or MS_EIO with the reason in err (the engine is
 * freed all the same). */
ms_status ms_attach_engine_close(ms_attach_engine *e, char *err,
                                 size_t err_size);

/* Frees the engine without saving. NULL is fine. */
void ms_attach_engine_free(ms_attach_engine *e);

/* The engine's settings. */
const ms_attach_config *ms_attach_engine_config(const ms_attach_engine *e);

/* Creates the per-thread scratch (loads libmagic). Returns MS_OK;
 * MS_EINVAL with the reason in err; MS_ENOMEM. */
ms_status ms_attach_scratch_new(ms_attach_scratch **out, char *err,
                                size_t err_size);

/* Frees the scratch. NULL is fine. */
void ms_attach_scratch_free(ms_attach_scratch *s);

/* Analyzes every attachment of m (m->attachments), trying the passwords
 * found in the mail's subject and text parts on encrypted archives.
 * *reports gets an arena array of *n_reports trees, one per attachment.
 * Limits become defects on m. Returns MS_OK or MS_ENOMEM. */
ms_status ms_attachments_analyze(const ms_attach_engine *e,
                                 ms_attach_scratch *s, ms_message *m,
                                 ms_file_report **reports, size_t *n_reports);

/* Analyzes the given files as the attachments of one mail, with the
 * given candidate passwords. m may be NULL (defects are then dropped);
 * the reports are allocated in a. Returns MS_OK or MS_ENOMEM. */
ms_status ms_attachments_analyze_files(
    const ms_attach_engine *e, ms_attach_scratch *s, ms_arena *a, ms_message *m,
    const ms_attach_input *files, size_t n, const char *const *passwords,
    size_t n_passwords, ms_file_report **reports, size_t *n_reports);

/* Collects candidate passwords from m's subject and text parts into out
 * (arena strings), at most max. Returns MS_OK or MS_ENOMEM. */
ms_status ms_attachments_passwords(ms_message *m, const char **out,
                                   size_t *n_out, size_t max);

/* Writes `"attachments": [...]` into the object open in w: one object per
 * report with filename, content_type, mime_type, magic, extension, size,
 * md5, sha1, sha256, sha512, ssdeep, is_archive, encrypted,
 * password_used, files (same shape), flags ({name, reason}), yara
 * ({rule, namespace, tags}), is_filtered and, with payloads, payload in
 * base64 (null when the bytes were not kept). */
void ms_attachments_write_json(ms_json *w, const ms_file_report *reports,
                               size_t n, bool payloads);

/* Writes the keys of one report (those of ms_attachments_write_json's
 * objects) into the object open in w. */
void ms_file_report_write_fields(ms_json *w, const ms_file_report *r,
                                 bool payloads);

/* Finds the flag of that name on a report, or NULL. */
const ms_trait *ms_file_report_flag(const ms_file_report *r, const char *name);

#endif
