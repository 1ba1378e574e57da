/* SPDX-License-Identifier: MIT */
/*
 * The configuration of `mailscope analyze`: everything the command line
 * sets plus the analyzers' settings, read from YAML. The built-in default
 * (conf/mailscope.yml, compiled in as ms_default_config_yaml) is loaded
 * first; a file given with -c is laid over it, key by key; command-line
 * options are applied last by the caller. A key the schema does not know,
 * or a value of the wrong type, is an error naming the key and the line:
 * a typo in a configuration must not silently fall back to a default.
 */
#ifndef MS_PIPELINE_CONFIG_H
#define MS_PIPELINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "mailscope/message.h"
#include "mailscope/status.h"

/* Most worker threads a configuration may ask for. */
#define MS_CONFIG_MAX_THREADS 256
/* Most spam rule paths. */
#define MS_CONFIG_MAX_RULE_PATHS 64
/* Largest configuration file read. */
#define MS_CONFIG_MAX_FILE_BYTES (1u << 20)

/* A list of paths given in the configuration. */
typedef struct ms_config_paths {
    char *items[MS_CONFIG_MAX_RULE_PATHS];
    size_t n;
} ms_config_paths;

/* What watch mode does with a mail once its document is written. */
typedef enum ms_after_action {
    MS_AFTER_KEEP,   /* leave it where it was */
    MS_AFTER_REMOVE, /* delete it */
    MS_AFTER_MOVE    /* move it to move_dir/YYYY-MM-DD/ */
} ms_after_action;

/* One loaded configuration. Strings are malloc'd and owned by the
 * configuration (ms_config_free releases them); NULL means "not set". */
typedef struct ms_config {
    struct {
        unsigned threads; /* 0: one per core */
        bool ordered;
    } pipeline;
    struct {
        char *path; /* "-": stdout */
        bool pretty;
    } output;
    struct {
        char *include; /* fnmatch glob on file names in folders */
        size_t max_file_bytes;
    } sources;
    ms_parse_options parse; /* parse.trust points into trust below */
    char *trust;
    struct {
        unsigned poll_ms;
        unsigned settle_ms;
        ms_after_action after;
        char *move_dir;
        char *failed_dir; /* NULL: DIR/failed */
    } watch;
    struct {
        bool enabled;
        char *path; /* NULL: not persisted */
        size_t max_entries;
    } filter;
    struct {
        bool enabled;
        size_t max_depth, max_entries, max_ratio, max_files;
        size_t max_total_bytes, max_scan_bytes;
        bool yara, payloads;
        ms_config_paths yara_rules; /* added to the shipped rules */
        bool filter;                /* the already-seen filter */
        char *filter_path;          /* NULL: kept in memory only */
        size_t filter_max_entries;
    } attachments;
    struct {
        bool enabled;
        size_t max_urls;
        char *shorteners; /* NULL: the shipped list */
        char *whitelist;  /* NULL: no whitelist */
        bool qr_codes;    /* read QR codes in PNG and JPEG images */
    } urls;
    struct {
        bool enabled;
        ms_config_paths brands;   /* added to conf/phishing/brands.yml */
        ms_config_paths subjects; /* added to conf/phishing/subjects.yml */
        ms_config_paths phrases;  /* added to conf/phishing/phrases.yml */
        ms_config_paths domains;  /* added to conf/phishing/domains.yml */
        char *signals;            /* NULL: conf/phishing/signals.yml */
    } phishing;
    struct {
        bool enabled;
        ms_config_paths rules; /* none: the shipped rule set */
        char *bayes;
        bool cache;      /* keep compiled rule databases between runs */
        char *cache_dir; /* NULL: the user's cache folder */
    } spam;
} ms_config;

/* The built-in default configuration, byte for byte conf/mailscope.yml. */
extern const char ms_default_config_yaml[];
extern const size_t ms_default_config_yaml_len;

/* Loads the built-in default into a zeroed (or freed) c. Returns MS_OK,
 * or MS_EINVAL with a one-line reason in err (a broken build). */
ms_status ms_config_load_default(ms_config *c, char *err, size_t err_size);

/* Lays the YAML text over c: keys present replace their values, the
 * others stay. name labels the errors ("FILE:LINE: ..."). Returns MS_OK;
 * MS_EINVAL with a one-line reason naming the key and line for an unknown
 * key, a wrong type or broken YAML; MS_ENOMEM. On failure c may be
 * partly updated. */
ms_status ms_config_load_text(ms_config *c, const char *text, size_t len,
                              const char *name, char *err, size_t err_size);

/* Reads the file at path and lays it over c (see ms_config_load_text).
 * Returns MS_EIO with the reason when it cannot be read. */
ms_status ms_config_load_file(ms_config *c, const char *path, char *err,
                              size_t err_size);

/* Replaces a string setting with a copy of value (NULL: unset). Returns
 * MS_ENOMEM when the copy fails (the old value stays). */
ms_status ms_config_set_string(char **slot, const char *value);

/* Parses an --after argument: keep, remove or move:DIR (which also sets
 * watch.move_dir). Returns false when it is none of these. */
bool ms_config_set_after(ms_config *c, const char *arg);

/* Frees the paths of a list and empties it. */
void ms_config_paths_free(ms_config_paths *l);

/* Frees the strings of c and zeroes it. */
void ms_config_free(ms_config *c);

#endif
