/* SPDX-License-Identifier: MIT */
/*
 * Reading the YAML configuration (see config.h). The file is loaded with
 * libyaml's document API, then walked against one table that lists every
 * key: its section, its type, where it lands in ms_config and its range.
 * Adding a setting is adding a row (and a field), nothing else. Two levels
 * only: a top-level section, then keys; deeper nesting is refused, so a
 * misplaced indent shows up as an error instead of a silently ignored
 * block.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "pipeline/config.h"
#include "util/ascii.h"

/* The kinds of values a key takes. */
typedef enum key_type {
    KEY_BOOL,        /* true or false */
    KEY_UNSIGNED,    /* a whole number in an unsigned field */
    KEY_SIZE,        /* a whole number in a size_t field */
    KEY_STRING,      /* a string, or null */
    KEY_STRING_LIST, /* a sequence of strings (spam.rules) */
    KEY_AFTER        /* keep, remove or move */
} key_type;

/* One known key. */
typedef struct key_spec {
    const char *section;
    const char *name;
    key_type type;
    size_t offset;               /* of the field in ms_config */
    unsigned long long min, max; /* for numbers */
    const char *what;            /* how the value is described in errors */
} key_spec;

#define FIELD(f)  offsetof(ms_config, f)
#define BIG_LIMIT ((unsigned long long)SIZE_MAX)

/* Every key the configuration knows. The order is that of
 * conf/mailscope.yml. */
static const key_spec keys[] = {
    {"pipeline", "threads", KEY_UNSIGNED, FIELD(pipeline.threads), 0,
     MS_CONFIG_MAX_THREADS, "a whole number from 0 to 256"},
    {"pipeline", "ordered", KEY_BOOL, FIELD(pipeline.ordered), 0, 0,
     "true or false"},
    {"output", "path", KEY_STRING, FIELD(output.path), 0, 0, "a path"},
    {"output", "pretty", KEY_BOOL, FIELD(output.pretty), 0, 0, "true or false"},
    {"sources", "include", KEY_STRING, FIELD(sources.include), 0, 0, "a glob"},
    {"sources", "max_file_bytes", KEY_SIZE, FIELD(sources.max_file_bytes), 1,
     BIG_LIMIT, "a positive whole number"},
    {"limits", "message_bytes", KEY_SIZE, FIELD(parse.max_message_bytes), 1,
     BIG_LIMIT, "a positive whole number"},
    {"limits", "header_bytes", KEY_SIZE, FIELD(parse.max_header_bytes), 1,
     BIG_LIMIT, "a positive whole number"},
    {"limits", "headers", KEY_SIZE, FIELD(parse.max_headers), 1, BIG_LIMIT,
     "a positive whole number"},
    {"limits", "parts", KEY_SIZE, FIELD(parse.max_parts), 1, BIG_LIMIT,
     "a positive whole number"},
    {"limits", "depth", KEY_SIZE, FIELD(parse.max_depth), 1, BIG_LIMIT,
     "a positive whole number"},
    {"limits", "decoded_bytes", KEY_SIZE, FIELD(parse.max_decoded_bytes), 1,
     BIG_LIMIT, "a positive whole number"},
    {"limits", "defects", KEY_SIZE, FIELD(parse.max_defects), 1, BIG_LIMIT,
     "a positive whole number"},
    {"limits", "trust", KEY_STRING, FIELD(trust), 0, 0, "a string or null"},
    {"watch", "poll_ms", KEY_UNSIGNED, FIELD(watch.poll_ms), 1, 3600000,
     "a whole number of milliseconds from 1 to 3600000"},
    {"watch", "settle_ms", KEY_UNSIGNED, FIELD(watch.settle_ms), 0, 3600000,
     "a whole number of milliseconds from 0 to 3600000"},
    {"watch", "after", KEY_AFTER, FIELD(watch.after), 0, 0,
     "keep, remove or move"},
    {"watch", "move_dir", KEY_STRING, FIELD(watch.move_dir), 0, 0,
     "a path or null"},
    {"watch", "failed_dir", KEY_STRING, FIELD(watch.failed_dir), 0, 0,
     "a path or null"},
    {"filter", "enabled", KEY_BOOL, FIELD(filter.enabled), 0, 0,
     "true or false"},
    {"filter", "path", KEY_STRING, FIELD(filter.path), 0, 0, "a path or null"},
    {"filter", "max_entries", KEY_SIZE, FIELD(filter.max_entries), 1, 100000000,
     "a whole number from 1 to 100000000"},
    {"attachments", "enabled", KEY_BOOL, FIELD(attachments.enabled), 0, 0,
     "true or false"},
    {"attachments", "max_depth", KEY_SIZE, FIELD(attachments.max_depth), 0, 64,
     "a whole number from 0 to 64"},
    {"attachments", "max_total_bytes", KEY_SIZE,
     FIELD(attachments.max_total_bytes), 1, BIG_LIMIT,
     "a positive whole number"},
    {"attachments", "max_entries", KEY_SIZE, FIELD(attachments.max_entries), 1,
     BIG_LIMIT, "a positive whole number"},
    {"attachments", "max_ratio", KEY_SIZE, FIELD(attachments.max_ratio), 1,
     BIG_LIMIT, "a positive whole number"},
    {"attachments", "max_files", KEY_SIZE, FIELD(attachments.max_files), 1,
     BIG_LIMIT, "a positive whole number"},
    {"attachments", "max_scan_bytes", KEY_SIZE,
     FIELD(attachments.max_scan_bytes), 0, BIG_LIMIT, "a whole number"},
    {"attachments", "yara", KEY_BOOL, FIELD(attachments.yara), 0, 0,
     "true or false"},
    {"attachments", "yara_rules", KEY_STRING_LIST,
     FIELD(attachments.yara_rules), 0, 0, "a list of paths"},
    {"attachments", "payloads", KEY_BOOL, FIELD(attachments.payloads), 0, 0,
     "true or false"},
    {"attachments", "filter", KEY_BOOL, FIELD(attachments.filter), 0, 0,
     "true or false"},
    {"attachments", "filter_path", KEY_STRING, FIELD(attachments.filter_path),
     0, 0, "a path or null"},
    {"attachments", "filter_max_entries", KEY_SIZE,
     FIELD(attachments.filter_max_entries), 1, 100000000,
     "a whole number from 1 to 100000000"},
    {"urls", "enabled", KEY_BOOL, FIELD(urls.enabled), 0, 0, "true or false"},
    {"urls", "max_urls", KEY_SIZE, FIELD(urls.max_urls), 1, 10000000,
     "a whole number from 1 to 10000000"},
    {"urls", "shorteners", KEY_STRING, FIELD(urls.shorteners), 0, 0,
     "a path or null"},
    {"urls", "whitelist", KEY_STRING, FIELD(urls.whitelist), 0, 0,
     "a path or null"},
    {"urls", "qr_codes", KEY_BOOL, FIELD(urls.qr_codes), 0, 0, "true or false"},
    {"phishing", "enabled", KEY_BOOL, FIELD(phishing.enabled), 0, 0,
     "true or false"},
    {"phishing", "brands", KEY_STRING_LIST, FIELD(phishing.brands), 0, 0,
     "a list of paths"},
    {"phishing", "subjects", KEY_STRING_LIST, FIELD(phishing.subjects), 0, 0,
     "a list of paths"},
    {"phishing", "phrases", KEY_STRING_LIST, FIELD(phishing.phrases), 0, 0,
     "a list of paths"},
    {"phishing", "domains", KEY_STRING_LIST, FIELD(phishing.domains), 0, 0,
     "a list of paths"},
    {"phishing", "signals", KEY_STRING, FIELD(phishing.signals), 0, 0,
     "a path or null"},
    {"spam", "enabled", KEY_BOOL, FIELD(spam.enabled), 0, 0, "true or false"},
    {"spam", "rules", KEY_STRING_LIST, FIELD(spam.rules), 0, 0,
     "a list of paths"},
    {"spam", "bayes", KEY_STRING, FIELD(spam.bayes), 0, 0, "a path or null"},
    {"spam", "cache", KEY_BOOL, FIELD(spam.cache), 0, 0, "true or false"},
    {"spam", "cache_dir", KEY_STRING, FIELD(spam.cache_dir), 0, 0,
     "a path or null"},
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* The state of one load: the document, where errors go. */
typedef struct loader {
    ms_config *c;
    yaml_document_t *doc;
    const char *name;
    char *err;
    size_t err_size;
} loader;

/* Writes "NAME:LINE: message" into the loader's error buffer and returns
 * MS_EINVAL, so callers can write return fail(...). */
__attribute__((format(printf, 3, 4))) static ms_status
fail(loader *l, const yaml_node_t *node, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (node)
        snprintf(l->err, l->err_size, "%s:%lu: %s", l->name,
                 (unsigned long)node->start_mark.line + 1, msg);
    else
        snprintf(l->err, l->err_size, "%s: %s", l->name, msg);
    return MS_EINVAL;
}

/* Returns the text of a scalar node (NUL-terminated by libyaml). */
static const char *scalar_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* True when a and b are the same ASCII word, ignoring case. */
static bool same_word(const char *a, const char *b)
{
    while (*a && ms_ascii_lower(*a) == ms_ascii_lower(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

/* True when the scalar is a plain (unquoted) one: only those can be null,
 * booleans or numbers; "true" in quotes is the string. */
static bool is_plain(const yaml_node_t *n)
{
    return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* True when the node is YAML's null: an empty plain scalar, ~ or null. */
static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || !is_plain(n))
        return false;
    const char *z = scalar_text(n);
    return z[0] == '\0' || strcmp(z, "~") == 0 || same_word(z, "null");
}

/* Reads a boolean into *out. Accepts YAML 1.1's spellings (true/false,
 * yes/no, on/off), because hand-written files use all of them. Returns
 * false when the node is not one. */
static bool read_bool(const yaml_node_t *n, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};
    if (n->type != YAML_SCALAR_NODE || !is_plain(n))
        return false;
    for (size_t i = 0; i < 3; i++) {
        if (same_word(scalar_text(n), yes[i])) {
            *out = true;
            return true;
        }
        if (same_word(scalar_text(n), no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* Reads a whole number within [min, max] into *out. Only digits: "1e6",
 * "0x10" or "-1" are refused rather than guessed at. */
static bool read_number(const yaml_node_t *n, unsigned long long min,
                        unsigned long long max, unsigned long long *out)
{
    if (n->type != YAML_SCALAR_NODE || !is_plain(n))
        return false;
    const char *z = scalar_text(n);
    if (!ms_ascii_is_digit(z[0]))
        return false;
    unsigned long long v = 0;
    for (; *z; z++) {
        if (!ms_ascii_is_digit(*z))
            return false;
        unsigned d = (unsigned)(*z - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Replaces a string setting with a copy of value; see config.h. */
ms_status ms_config_set_string(char **slot, const char *value)
{
    char *copy = NULL;
    if (value) {
        copy = strdup(value);
        if (copy == NULL)
            return MS_ENOMEM;
    }
    free(*slot);
    *slot = copy;
    return MS_OK;
}

/* Sets a list of paths (spam.rules, attachments.yara_rules) from a
 * sequence node, or empties it for null. */
static ms_status set_path_list(loader *l, const key_spec *k,
                               const yaml_node_t *v)
{
    ms_config_paths *list = (ms_config_paths *)((char *)l->c + k->offset);
    char **items = list->items;
    size_t *n = &list->n;
    if (!is_null(v) && v->type != YAML_SEQUENCE_NODE)
        return fail(l, v, "'%s.%s' must be %s", k->section, k->name, k->what);
    for (size_t i = 0; i < *n; i++)
        free(items[i]);
    *n = 0;
    if (is_null(v))
        return MS_OK;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        const yaml_node_t *item = yaml_document_get_node(l->doc, *it);
        if (item == NULL || item->type != YAML_SCALAR_NODE || is_null(item))
            return fail(l, item ? item : v, "'%s.%s' must be %s", k->section,
                        k->name, k->what);
        if (*n == MS_CONFIG_MAX_RULE_PATHS)
            return fail(l, item, "'%s.%s' holds more than %d paths", k->section,
                        k->name, MS_CONFIG_MAX_RULE_PATHS);
        char *copy = strdup(scalar_text(item));
        if (copy == NULL)
            return MS_ENOMEM;
        items[(*n)++] = copy;
    }
    return MS_OK;
}

/* Stores the value node v of key k into the configuration. Returns
 * MS_EINVAL with the key and line when the value has the wrong type. */
static ms_status set_key(loader *l, const key_spec *k, const yaml_node_t *v)
{
    char *field = (char *)l->c + k->offset;
    unsigned long long number = 0;
    switch (k->type) {
    case KEY_BOOL:
        if (!read_bool(v, (bool *)field))
            break;
        return MS_OK;
    case KEY_UNSIGNED:
        if (!read_number(v, k->min, k->max, &number))
            break;
        *(unsigned *)field = (unsigned)number;
        return MS_OK;
    case KEY_SIZE:
        if (!read_number(v, k->min, k->max, &number))
            break;
        *(size_t *)field = (size_t)number;
        return MS_OK;
    case KEY_STRING:
        if (is_null(v))
            return ms_config_set_string((char **)field, NULL);
        if (v->type != YAML_SCALAR_NODE)
            break;
        return ms_config_set_string((char **)field, scalar_text(v));
    case KEY_STRING_LIST:
        return set_path_list(l, k, v);
    case KEY_AFTER:
        if (v->type != YAML_SCALAR_NODE)
            break;
        if (strcmp(scalar_text(v), "keep") == 0)
            *(ms_after_action *)field = MS_AFTER_KEEP;
        else if (strcmp(scalar_text(v), "remove") == 0)
            *(ms_after_action *)field = MS_AFTER_REMOVE;
        else if (strcmp(scalar_text(v), "move") == 0)
            *(ms_after_action *)field = MS_AFTER_MOVE;
        else
            break;
        return MS_OK;
    }
    if (v->type == YAML_SCALAR_NODE)
        return fail(l, v, "'%s.%s' must be %s, not '%s'", k->section, k->name,
                    k->what, scalar_text(v));
    return fail(l, v, "'%s.%s' must be %s, not a %s", k->section, k->name,
                k->what, v->type == YAML_MAPPING_NODE ? "mapping" : "list");
}

/* Returns the row of section.name, or NULL. */
static const key_spec *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].section, section) == 0 &&
            strcmp(keys[i].name, name) == 0)
            return &keys[i];
    }
    return NULL;
}

/* True when some row belongs to the section. */
static bool known_section(const char *section)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].section, section) == 0)
            return true;
    }
    return false;
}

/* Writes the known keys of a section, comma separated, into out: the
 * error for a typo lists what was meant. */
static void list_keys(const char *section, char *out, size_t out_size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < N_KEYS && n < out_size; i++) {
        if (section && strcmp(keys[i].section, section) != 0)
            continue;
        if (!section && i > 0 &&
            strcmp(keys[i - 1].section, keys[i].section) == 0)
            continue;
        int k = snprintf(out + n, out_size - n, "%s%s", n ? ", " : "",
                         section ? keys[i].name : keys[i].section);
        if (k < 0)
            break;
        n += (size_t)k;
    }
}

/* True when the mapping has another key spelled like the pair at index
 * i, before it: YAML forbids it and the later one would silently win. */
static bool duplicate_key(yaml_document_t *doc, const yaml_node_t *map,
                          const yaml_node_pair_t *pair)
{
    const yaml_node_t *key = yaml_document_get_node(doc, pair->key);
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair;
         p++) {
        const yaml_node_t *other = yaml_document_get_node(doc, p->key);
        if (other && other->type == YAML_SCALAR_NODE &&
            strcmp(scalar_text(other), scalar_text(key)) == 0)
            return true;
    }
    return false;
}

/* Applies one section (the mapping v of section name). */
static ms_status load_section(loader *l, const char *section,
                              const yaml_node_t *v)
{
    if (is_null(v))
        return MS_OK; /* "urls:" with nothing under it */
    if (v->type != YAML_MAPPING_NODE)
        return fail(l, v, "'%s' must be a mapping of keys", section);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
         p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *key = yaml_document_get_node(l->doc, p->key);
        const yaml_node_t *value = yaml_document_get_node(l->doc, p->value);
        if (key == NULL || value == NULL || key->type != YAML_SCALAR_NODE)
            return fail(l, key, "a key of '%s' is not a plain name", section);
        if (duplicate_key(l->doc, v, p))
            return fail(l, key, "'%s.%s' is given twice", section,
                        scalar_text(key));
        const key_spec *k = find_key(section, scalar_text(key));
        if (k == NULL) {
            char known[512];
            list_keys(section, known, sizeof(known));
            return fail(l, key, "unknown key '%s.%s' (known: %s)", section,
                        scalar_text(key), known);
        }
        ms_status rc = set_key(l, k, value);
        if (rc != MS_OK)
            return rc;
    }
    return MS_OK;
}

/* Applies the root node: a mapping of sections, or nothing at all. */
static ms_status load_root(loader *l, const yaml_node_t *root)
{
    if (root == NULL || is_null(root))
        return MS_OK; /* an empty file changes nothing */
    if (root->type != YAML_MAPPING_NODE)
        return fail(l, root,
                    "the configuration must be a mapping of "
                    "sections");
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *key = yaml_document_get_node(l->doc, p->key);
        const yaml_node_t *value = yaml_document_get_node(l->doc, p->value);
        if (key == NULL || value == NULL || key->type != YAML_SCALAR_NODE)
            return fail(l, key, "a section name is not a plain name");
        if (duplicate_key(l->doc, root, p))
            return fail(l, key, "section '%s' is given twice",
                        scalar_text(key));
        if (!known_section(scalar_text(key))) {
            char known[512];
            list_keys(NULL, known, sizeof(known));
            return fail(l, key, "unknown key '%s' (known sections: %s)",
                        scalar_text(key), known);
        }
        ms_status rc = load_section(l, scalar_text(key), value);
        if (rc != MS_OK)
            return rc;
    }
    return MS_OK;
}

/* Lays YAML text over c; see config.h. */
ms_status ms_config_load_text(ms_config *c, const char *text, size_t len,
                              const char *name, char *err, size_t err_size)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    loader l = {c, &doc, name, err, err_size};
    err[0] = '\0';
    if (!yaml_parser_initialize(&parser))
        return MS_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, err_size, "%s:%lu: not valid YAML: %s%s%s", name,
                 (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "unknown problem",
                 parser.context ? " " : "",
                 parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return MS_EINVAL;
    }
    ms_status rc = load_root(&l, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    c->parse.trust = c->trust;
    return rc;
}

/* Loads the built-in default; see config.h. */
ms_status ms_config_load_default(ms_config *c, char *err, size_t err_size)
{
    memset(c, 0, sizeof(*c));
    ms_parse_options_default(&c->parse);
    return ms_config_load_text(c, ms_default_config_yaml,
                               ms_default_config_yaml_len, "built-in default",
                               err, err_size);
}

/* Reads a configuration file and lays it over c; see config.h. */
ms_status ms_config_load_file(ms_config *c, const char *path, char *err,
                              size_t err_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return MS_EIO;
    }
    if (!S_ISREG(st.st_mode) || (size_t)st.st_size > MS_CONFIG_MAX_FILE_BYTES) {
        snprintf(err, err_size, "%s: not a regular file of at most %u bytes",
                 path, MS_CONFIG_MAX_FILE_BYTES);
        close(fd);
        return MS_EIO;
    }
    size_t size = (size_t)st.st_size, n = 0;
    char *text = malloc(size + 1);
    if (text == NULL) {
        close(fd);
        return MS_ENOMEM;
    }
    while (n < size) {
        ssize_t k = read(fd, text + n, size - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    text[n] = '\0';
    ms_status rc = ms_config_load_text(c, text, n, path, err, err_size);
    free(text);
    return rc;
}

/* Parses an --after argument; see config.h. */
bool ms_config_set_after(ms_config *c, const char *arg)
{
    if (strcmp(arg, "keep") == 0) {
        c->watch.after = MS_AFTER_KEEP;
        return true;
    }
    if (strcmp(arg, "remove") == 0) {
        c->watch.after = MS_AFTER_REMOVE;
        return true;
    }
    if (strncmp(arg, "move:", 5) == 0 && arg[5] != '\0') {
        if (ms_config_set_string(&c->watch.move_dir, arg + 5) != MS_OK)
            return false;
        c->watch.after = MS_AFTER_MOVE;
        return true;
    }
    return false;
}

/* Frees the paths of a list and empties it; see config.h. */
void ms_config_paths_free(ms_config_paths *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    l->n = 0;
}

/* Frees the strings of c and zeroes it; see config.h. */
void ms_config_free(ms_config *c)
{
    free(c->output.path);
    free(c->sources.include);
    free(c->trust);
    free(c->watch.move_dir);
    free(c->watch.failed_dir);
    free(c->filter.path);
    ms_config_paths_free(&c->attachments.yara_rules);
    free(c->attachments.filter_path);
    free(c->urls.shorteners);
    free(c->urls.whitelist);
    ms_config_paths_free(&c->phishing.brands);
    ms_config_paths_free(&c->phishing.subjects);
    ms_config_paths_free(&c->phishing.phrases);
    ms_config_paths_free(&c->phishing.domains);
    free(c->phishing.signals);
    ms_config_paths_free(&c->spam.rules);
    free(c->spam.bayes);
    free(c->spam.cache_dir);
    memset(c, 0, sizeof(*c));
}
