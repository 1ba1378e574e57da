/* SPDX-License-Identifier: MIT */
/*
 * The attachments analyzer (see attachments.h). One file goes through:
 *
 *   hashes (one pass) -> libmagic on a prefix -> already seen? --yes--> done
 *                                                   | no
 *     traits, type mismatch, YARA <-----------------+
 *     archive? -> extract entries under limits -> each entry: same steps,
 *                                                  one level deeper
 *
 * The mail's extraction budget, file count and candidate passwords are
 * shared by every level of one mail through the walk struct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "analysis/archive.h"
#include "analysis/attachments.h"
#include "analysis/filetype.h"
#include "analysis/seen_filter.h"
#include "util/vec.h"

/* Longest path recorded for a file inside archives; deeper names are
 * cut, the path only locates defects. */
#define MAX_REPORT_PATH 1024

struct ms_attach_engine {
    ms_attach_config cfg;
    ms_yara *yara;
    ms_seen_filter *filter;
};

struct ms_attach_scratch {
    ms_filetype_scratch *magic;
};

/* The state of the analysis of one mail's attachments. */
typedef struct walk {
    const ms_attach_engine *engine;
    ms_attach_scratch *scratch;
    ms_arena *arena;
    ms_message *m;
    const char *const *passwords;
    size_t n_passwords;
    uint64_t budget;   /* bytes archives may still yield */
    size_t n_files;    /* reports made so far */
    bool files_capped; /* the max_files defect was recorded */
} walk;

/* Fills the defaults (see attachments.h; docs/attachments.md lists the
 * same values). */
void ms_attach_config_default(ms_attach_config *c)
{
    memset(c, 0, sizeof(*c));
    c->max_depth = 5;
    c->max_total_bytes = 256u * 1024 * 1024;
    c->max_entries = 10000;
    c->max_ratio = 100;
    c->ratio_min_bytes = 1024 * 1024;
    c->max_files = 10000;
    c->max_scan_bytes = 64u * 1024 * 1024;
    c->max_passwords = MS_ARCHIVE_MAX_PASSWORDS;
    c->payloads = false;
    c->yara = true;
    c->filter = false;
    c->filter_max_entries = 1000000;
}

/* Builds the engine (see attachments.h). */
ms_status ms_attach_engine_new(const ms_attach_config *c,
                               ms_attach_engine **out, char *err,
                               size_t err_size)
{
    *out = NULL;
    ms_attach_engine *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return MS_ENOMEM;
    e->cfg = *c;
    /* The strings belong to the caller: none is kept past this call. */
    e->cfg.yara_rules_dir = NULL;
    e->cfg.filter_path = NULL;
    e->cfg.n_yara_paths = 0;
    if (e->cfg.max_passwords > MS_ARCHIVE_MAX_PASSWORDS)
        e->cfg.max_passwords = MS_ARCHIVE_MAX_PASSWORDS;
    ms_status rc = MS_OK;
    if (c->yara) {
        const char *paths[MS_ATTACH_MAX_YARA_PATHS + 1];
        size_t n = 0;
        if (c->yara_rules_dir != NULL)
            paths[n++] = c->yara_rules_dir;
        for (size_t i = 0; i < c->n_yara_paths && i < MS_ATTACH_MAX_YARA_PATHS;
             i++)
            paths[n++] = c->yara_paths[i];
        if (n > 0)
            rc = ms_yara_load(paths, n, &e->yara, err, err_size);
    }
    if (rc == MS_OK && c->filter)
        rc = ms_seen_filter_open(c->filter_path, c->filter_max_entries,
                                 &e->filter, err, err_size);
    if (rc != MS_OK) {
        ms_attach_engine_free(e);
        return rc;
    }
    *out = e;
    return MS_OK;
}

/* Saves the filter and frees the engine (see attachments.h). */
ms_status ms_attach_engine_close(ms_attach_engine *e, char *err,
                                 size_t err_size)
{
    ms_status rc = MS_OK;
    if (e != NULL && e->filter != NULL)
        rc = ms_seen_filter_save(e->filter, err, err_size);
    ms_attach_engine_free(e);
    return rc;
}

/* Frees the engine without saving. */
void ms_attach_engine_free(ms_attach_engine *e)
{
    if (e == NULL)
        return;
    ms_yara_free(e->yara);
    ms_seen_filter_free(e->filter);
    free(e);
}

/* Returns the engine's settings. */
const ms_attach_config *ms_attach_engine_config(const ms_attach_engine *e)
{
    return &e->cfg;
}

/* Creates the per-thread scratch (see attachments.h). */
ms_status ms_attach_scratch_new(ms_attach_scratch **out, char *err,
                                size_t err_size)
{
    *out = NULL;
    ms_attach_scratch *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return MS_ENOMEM;
    ms_status rc = ms_filetype_scratch_new(&s->magic, err, err_size);
    if (rc != MS_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return MS_OK;
}

/* Frees the scratch. */
void ms_attach_scratch_free(ms_attach_scratch *s)
{
    if (s == NULL)
        return;
    ms_filetype_scratch_free(s->magic);
    free(s);
}

/* Records a defect when there is a message to hold it. */
#define WALK_DEFECT(w, type, path, ...)                                        \
    do {                                                                       \
        if ((w)->m != NULL)                                                    \
            ms_message_add_defect((w)->m, (type), (path), __VA_ARGS__);        \
    } while (0)

/* True when the zip-based file is a document rather than an archive the
 * user unpacks: Office Open XML, OpenDocument, EPUB. Their macro parts
 * are judged by traits.c; listing their XML members as files would bury
 * the report. */
static bool is_zip_document(const ms_file_report *r)
{
    static const char *const DOCUMENT_TYPES[] = {
        "application/vnd.openxmlformats-officedocument.",
        "application/vnd.ms-word.",
        "application/vnd.ms-excel.",
        "application/vnd.ms-powerpoint.",
        "application/vnd.oasis.opendocument.",
        "application/epub+zip"};
    static const char *const DOCUMENT_EXTENSIONS[] = {
        "docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm", "xlam",
        "pptx", "pptm", "ppsx", "ppsm", "potm", "odt",  "ods",  "odp",  "epub"};
    /* Windows opens a .zip as a folder whatever its members: a zip that
     * starts with the parts of an Office document (so that libmagic
     * calls it one) still shows the user the program packed after
     * them. */
    if (strcmp(r->extension, "zip") == 0)
        return false;
    for (size_t i = 0; i < sizeof(DOCUMENT_TYPES) / sizeof(DOCUMENT_TYPES[0]);
         i++)
        if (strncmp(r->mime_type, DOCUMENT_TYPES[i],
                    strlen(DOCUMENT_TYPES[i])) == 0)
            return true;
    /* libmagic calls a minimal or unusual OOXML file plain zip; its name
     * still says what Office will do with it. */
    for (size_t i = 0;
         i < sizeof(DOCUMENT_EXTENSIONS) / sizeof(DOCUMENT_EXTENSIONS[0]); i++)
        if (strcmp(r->extension, DOCUMENT_EXTENSIONS[i]) == 0)
            return true;
    return false;
}

static ms_status analyze_file(walk *w, const ms_attach_input *in, int depth,
                              bool keep_copy, bool locked, ms_file_report *r);

/* What the archive callback needs: the walk and the parent report. */
typedef struct entry_ctx {
    walk *w;
    ms_file_report *parent;
} entry_ctx;

/* Analyzes one extracted entry as a file one level down and appends its
 * report to the parent's files. Past max_files the entry is dropped with
 * a defect. */
static ms_status on_archive_entry(void *ctx, const ms_archive_entry *entry)
{
    entry_ctx *ec = ctx;
    walk *w = ec->w;
    ms_file_report *parent = ec->parent;
    if (w->n_files >= w->engine->cfg.max_files) {
        if (!w->files_capped)
            WALK_DEFECT(w, "limit_attachment_files", parent->path,
                        "more than %zu files in the attachments",
                        w->engine->cfg.max_files);
        w->files_capped = true;
        return MS_OK;
    }
    char path[MAX_REPORT_PATH];
    snprintf(path, sizeof(path), "%s/%s", parent->path, entry->name);
    ms_attach_input in = {
        .filename = entry->name,
        .content_type = NULL,
        .path = ms_arena_strndup(w->arena, path, strlen(path)),
        .data = entry->data,
        .size = entry->size,
    };
    if (in.path == NULL)
        return MS_ENOMEM;
    ms_file_report child;
    ms_status rc =
        analyze_file(w, &in, parent->depth + 1, true,
                     entry->encrypted && entry->data == NULL, &child);
    if (rc != MS_OK)
        return rc;
    if (entry->encrypted) {
        child.encrypted = true;
        if (entry->data == NULL)
            rc = ms_traits_add(w->arena, &child.flags, "encrypted_archive",
                               "encrypted entry, no candidate password "
                               "opened it");
    }
    if (rc == MS_OK)
        rc = MS_VEC_GROW(w->arena, parent->files, parent->n_files,
                         parent->cap_files, 0);
    if (rc != MS_OK)
        return rc;
    parent->files[parent->n_files++] = child;
    return MS_OK;
}

/* Opens the archive of report r (bytes p, n) and analyzes its entries,
 * within the depth limit. */
static ms_status open_archive(walk *w, ms_file_report *r,
                              const unsigned char *p, size_t n)
{
    const ms_attach_config *c = &w->engine->cfg;
    if ((size_t)r->depth >= c->max_depth) {
        WALK_DEFECT(w, "limit_archive_depth", r->path,
                    "archive nested deeper than %zu not opened", c->max_depth);
        return MS_OK;
    }
    ms_archive_limits lim = {
        .max_entries = c->max_entries,
        .max_ratio = c->max_ratio,
        .ratio_min_bytes = c->ratio_min_bytes,
    };
    ms_archive_outcome outcome;
    entry_ctx ec = {w, r};
    ms_status rc = ms_archive_extract(
        w->arena, w->m, r->path, p, n, r->filename, w->passwords,
        w->n_passwords, &lim, &w->budget, on_archive_entry, &ec, &outcome);
    if (rc != MS_OK)
        return rc;
    r->archive_format = outcome.format;
    r->encrypted = outcome.encrypted;
    r->password_used = outcome.password_used;
    if (outcome.encrypted) {
        if (outcome.password_used != NULL)
            rc = ms_traits_add(w->arena, &r->flags, "encrypted_archive",
                               "encrypted; opened with a password found in "
                               "the mail");
        else if (w->n_passwords > 0)
            rc = ms_traits_add(w->arena, &r->flags, "encrypted_archive",
                               "encrypted; none of %zu candidate passwords "
                               "from the mail opened it",
                               w->n_passwords);
        else
            rc = ms_traits_add(w->arena, &r->flags, "encrypted_archive",
                               "encrypted; no password found in the mail");
    }
    return rc;
}

/* Runs the content checks of a file not seen before: traits, the type
 * mismatch, YARA, and the archive walk. */
static ms_status inspect_content(walk *w, const ms_attach_input *in,
                                 ms_file_report *r)
{
    const ms_attach_config *c = &w->engine->cfg;
    ms_traits_input ti = {
        .filename = r->filename,
        .extension = r->extension,
        .declared = r->content_type,
        .mime_type = r->mime_type,
        .data = in->data,
        .size = in->size,
    };
    ms_status rc = ms_traits_detect(w->arena, &ti, &r->flags);
    if (rc != MS_OK)
        return rc;
    const char *why;
    if (in->size > 0 &&
        ms_filetype_mismatch(w->arena, r->content_type, r->extension,
                             r->mime_type, &why)) {
        rc = ms_traits_add(w->arena, &r->flags, "type_mismatch", "%s",
                           why ? why : "declared and true types differ");
        if (rc != MS_OK)
            return rc;
    }
    if (w->engine->yara != NULL && in->size > 0) {
        if (in->size > c->max_scan_bytes) {
            WALK_DEFECT(w, "limit_attachment_scan_bytes", r->path,
                        "%zu bytes: YARA scan skipped", in->size);
        } else {
            bool failed;
            rc = ms_yara_scan(w->engine->yara, w->arena, in->data, in->size,
                              &r->yara, &r->n_yara, &failed);
            if (rc != MS_OK)
                return rc;
            if (failed)
                WALK_DEFECT(w, "YaraScanFailedDefect", r->path,
                            "YARA scan stopped early (timeout or error)");
        }
    }
    if (r->is_archive)
        rc = open_archive(w, r, in->data, in->size);
    return rc;
}

/* True for the types whose links the URL analyzer reads. */
static bool link_bearing(const char *mime_type)
{
    return mime_type != NULL &&
           (strncmp(mime_type, "text/", 5) == 0 ||
            strcmp(mime_type, "application/pdf") == 0 ||
            strcmp(mime_type, "application/xml") == 0 ||
            strcmp(mime_type, "application/xhtml+xml") == 0 ||
            strcmp(mime_type, "image/svg+xml") == 0);
}

/* Analyzes one file into r. keep_copy says the bytes are temporary (an
 * archive entry) and must be copied into the arena when payloads are
 * kept; locked says the file is an encrypted entry no password opened,
 * whose bytes are unknown. */
static ms_status analyze_file(walk *w, const ms_attach_input *in, int depth,
                              bool keep_copy, bool locked, ms_file_report *r)
{
    const ms_attach_config *c = &w->engine->cfg;
    memset(r, 0, sizeof(*r));
    w->n_files++;
    r->filename = in->filename;
    r->path = in->path ? in->path : "";
    r->content_type = in->content_type;
    r->size = in->size;
    r->depth = depth;
    r->extension = ms_filetype_extension(w->arena, in->filename);
    if (r->extension == NULL)
        return MS_ENOMEM;
    /* A locked entry has no bytes to hash or identify: its digests and
     * types stay null. The digests of an empty file would name a file
     * that is not in the archive, and land among the observables. */
    if (locked)
        return ms_traits_detect(w->arena,
                                &(ms_traits_input){.filename = r->filename,
                                                   .extension = r->extension},
                                &r->flags);
    if (in->size > c->max_scan_bytes)
        WALK_DEFECT(w, "limit_attachment_scan_bytes", r->path,
                    "%zu bytes: ssdeep skipped", in->size);
    ms_status rc = ms_hashes_compute(in->data, in->size,
                                     in->size <= c->max_scan_bytes, &r->hashes);
    if (rc != MS_OK)
        return rc;
    /* An empty part may come without a buffer; libmagic then judges an
     * empty buffer rather than a NULL pointer. */
    static const unsigned char no_bytes[1];
    rc = ms_filetype_detect(w->scratch->magic, w->arena,
                            in->data ? in->data : no_bytes, in->size,
                            &r->mime_type, &r->magic);
    if (rc != MS_OK)
        return rc;
    r->is_archive =
        ms_archive_kind(in->data, in->size) != NULL && !is_zip_document(r);
    /* the bytes are kept for the payload, and for the files inside
     * archives whose links the URL analyzer reads (text, HTML, XML,
     * PDF) */
    bool linkable = depth > 0 && in->data != NULL &&
                    in->size <= MS_ATTACH_MAX_LINK_BYTES &&
                    link_bearing(r->mime_type);
    if ((c->payloads || linkable) && in->data != NULL) {
        if (keep_copy) {
            unsigned char *copy = ms_arena_alloc(w->arena, in->size + 1);
            if (copy == NULL)
                return MS_ENOMEM;
            memcpy(copy, in->data, in->size);
            r->data = copy;
        } else {
            r->data = in->data;
        }
    }
    if (w->engine->filter != NULL && in->data != NULL &&
        ms_seen_filter_check_and_add(w->engine->filter, r->hashes.sha256)) {
        /* Seen before: the name can still lie in a new way, the rest of
         * the work was done for the earlier copy. */
        r->is_filtered = true;
        ms_traits_input ti = {.filename = r->filename};
        return ms_traits_detect(w->arena, &ti, &r->flags);
    }
    if (in->data == NULL)
        return ms_traits_detect(w->arena,
                                &(ms_traits_input){.filename = r->filename,
                                                   .extension = r->extension},
                                &r->flags);
    return inspect_content(w, in, r);
}

/* Analyzes files as one mail's attachments (see attachments.h). */
ms_status ms_attachments_analyze_files(
    const ms_attach_engine *e, ms_attach_scratch *s, ms_arena *a, ms_message *m,
    const ms_attach_input *files, size_t n, const char *const *passwords,
    size_t n_passwords, ms_file_report **reports, size_t *n_reports)
{
    *reports = NULL;
    *n_reports = 0;
    walk w = {
        .engine = e,
        .scratch = s,
        .arena = a,
        .m = m,
        .passwords = passwords,
        .n_passwords = n_passwords,
        .budget = e->cfg.max_total_bytes,
    };
    if (n == 0)
        return MS_OK;
    ms_file_report *out = ms_arena_calloc(a, n, sizeof(*out));
    if (out == NULL)
        return MS_ENOMEM;
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        if (w.n_files >= e->cfg.max_files) {
            WALK_DEFECT(&w, "limit_attachment_files", files[i].path,
                        "more than %zu files in the attachments",
                        e->cfg.max_files);
            break;
        }
        ms_status rc = analyze_file(&w, &files[i], 0, false, false, &out[done]);
        if (rc != MS_OK)
            return rc;
        done++;
    }
    *reports = out;
    *n_reports = done;
    return MS_OK;
}

/* Collects password candidates from the mail (see attachments.h). The
 * subject comes first: "Invoice (pwd: 4471)" is a common pattern. */
ms_status ms_attachments_passwords(ms_message *m, const char **out,
                                   size_t *n_out, size_t max)
{
    ms_status rc = MS_OK;
    if (m->subject != NULL)
        rc = ms_archive_find_passwords(m->arena, m->subject, strlen(m->subject),
                                       out, n_out, max);
    for (size_t i = 0; rc == MS_OK && i < m->n_text_plain; i++)
        if (m->text_plain[i]->text != NULL)
            rc = ms_archive_find_passwords(m->arena, m->text_plain[i]->text,
                                           m->text_plain[i]->text_len, out,
                                           n_out, max);
    for (size_t i = 0; rc == MS_OK && i < m->n_text_html; i++)
        if (m->text_html[i]->text != NULL)
            rc = ms_archive_find_passwords(m->arena, m->text_html[i]->text,
                                           m->text_html[i]->text_len, out,
                                           n_out, max);
    return rc;
}

/* Analyzes the attachments of a parsed mail (see attachments.h). */
ms_status ms_attachments_analyze(const ms_attach_engine *e,
                                 ms_attach_scratch *s, ms_message *m,
                                 ms_file_report **reports, size_t *n_reports)
{
    *reports = NULL;
    *n_reports = 0;
    if (m->n_attachments == 0)
        return MS_OK;
    const char *passwords[MS_ARCHIVE_MAX_PASSWORDS];
    size_t n_passwords = 0;
    ms_status rc = ms_attachments_passwords(m, passwords, &n_passwords,
                                            e->cfg.max_passwords);
    if (rc != MS_OK)
        return rc;
    ms_attach_input *files =
        ms_arena_calloc(m->arena, m->n_attachments, sizeof(*files));
    if (files == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < m->n_attachments; i++) {
        const ms_part *p = m->attachments[i];
        files[i] = (ms_attach_input){
            .filename = p->filename,
            .content_type = p->content_type,
            .path = p->path,
            .data = p->body,
            .size = p->body_len,
        };
    }
    return ms_attachments_analyze_files(e, s, m->arena, m, files,
                                        m->n_attachments, passwords,
                                        n_passwords, reports, n_reports);
}

/* Finds a flag by name on a report. */
const ms_trait *ms_file_report_flag(const ms_file_report *r, const char *name)
{
    for (size_t i = 0; i < r->flags.n; i++)
        if (strcmp(r->flags.items[i].name, name) == 0)
            return &r->flags.items[i];
    return NULL;
}

/* Writes the bytes as a base64 JSON string. The encoding is built in a
 * heap buffer with its quotes and handed over as raw JSON: base64 needs
 * no escaping. When the buffer cannot be had, null is written. */
static void write_base64(ms_json *w, const unsigned char *p, size_t n)
{
    size_t encoded = 4 * ((n + 2) / 3);
    char *text = malloc(encoded + 3);
    if (text == NULL || n > (size_t)INT32_MAX) {
        free(text);
        ms_json_null(w);
        return;
    }
    text[0] = '"';
    /* EVP_EncodeBlock takes an int length: feed it in slices that are
     * multiples of 3 bytes so the pieces join into one encoding. */
    size_t out = 1;
    for (size_t off = 0; off < n;) {
        size_t len = n - off > 3u * 1024 * 1024 ? 3u * 1024 * 1024 : n - off;
        out += (size_t)EVP_EncodeBlock((unsigned char *)text + out, p + off,
                                       (int)len);
        off += len;
    }
    text[out++] = '"';
    ms_json_raw(w, text, out);
    free(text);
}

static void write_report(ms_json *w, const ms_file_report *r, bool payloads);

/* Writes the fields of one report and its inner files (see
 * attachments.h). */
void ms_file_report_write_fields(ms_json *w, const ms_file_report *r,
                                 bool payloads)
{
    ms_json_kv_cstr(w, "filename", r->filename);
    ms_json_kv_cstr(w, "content_type", r->content_type);
    ms_json_kv_cstr(w, "mime_type", r->mime_type);
    ms_json_kv_cstr(w, "magic", r->magic);
    ms_json_kv_cstr(w, "extension", r->extension);
    ms_json_kv_uint(w, "size", r->size);
    /* A locked entry has no digests: null, not "". */
    ms_json_kv_cstr(w, "md5", r->hashes.md5[0] ? r->hashes.md5 : NULL);
    ms_json_kv_cstr(w, "sha1", r->hashes.sha1[0] ? r->hashes.sha1 : NULL);
    ms_json_kv_cstr(w, "sha256", r->hashes.sha256[0] ? r->hashes.sha256 : NULL);
    ms_json_kv_cstr(w, "sha512", r->hashes.sha512[0] ? r->hashes.sha512 : NULL);
    ms_json_kv_cstr(w, "ssdeep", r->hashes.ssdeep[0] ? r->hashes.ssdeep : NULL);
    ms_json_kv_bool(w, "is_archive", r->is_archive);
    ms_json_kv_cstr(w, "archive_format", r->archive_format);
    ms_json_kv_bool(w, "encrypted", r->encrypted);
    ms_json_kv_cstr(w, "password_used", r->password_used);
    ms_json_key(w, "files");
    ms_json_array_begin(w);
    for (size_t i = 0; i < r->n_files; i++)
        write_report(w, &r->files[i], payloads);
    ms_json_array_end(w);
    ms_json_key(w, "flags");
    ms_json_array_begin(w);
    for (size_t i = 0; i < r->flags.n; i++) {
        ms_json_object_begin(w);
        ms_json_kv_cstr(w, "name", r->flags.items[i].name);
        ms_json_kv_cstr(w, "reason", r->flags.items[i].reason);
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
    ms_json_key(w, "yara");
    ms_json_array_begin(w);
    for (size_t i = 0; i < r->n_yara; i++) {
        ms_json_object_begin(w);
        ms_json_kv_cstr(w, "rule", r->yara[i].rule);
        ms_json_kv_cstr(w, "namespace", r->yara[i].namespace_);
        ms_json_key(w, "tags");
        ms_json_array_begin(w);
        for (size_t t = 0; t < r->yara[i].n_tags; t++)
            ms_json_cstr(w, r->yara[i].tags[t]);
        ms_json_array_end(w);
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
    ms_json_kv_bool(w, "is_filtered", r->is_filtered);
    if (payloads) {
        ms_json_key(w, "payload");
        if (r->data != NULL)
            write_base64(w, r->data, r->size);
        else
            ms_json_null(w);
    }
}

/* Writes one report and its inner files as an object. */
static void write_report(ms_json *w, const ms_file_report *r, bool payloads)
{
    ms_json_object_begin(w);
    ms_file_report_write_fields(w, r, payloads);
    ms_json_object_end(w);
}

/* Writes the attachments section (see attachments.h). */
void ms_attachments_write_json(ms_json *w, const ms_file_report *reports,
                               size_t n, bool payloads)
{
    ms_json_key(w, "attachments");
    ms_json_array_begin(w);
    for (size_t i = 0; i < n; i++)
        write_report(w, &reports[i], payloads);
    ms_json_array_end(w);
}
