/* SPDX-License-Identifier: MIT */
/*
 * Golden cases of the attachments analyzer. tests/gen/gen_attachments.py
 * writes real-looking mails (archives of every format, nested archives,
 * encrypted zips with the password in the body, a zip bomb, EICAR in a
 * zip, macro documents, executables under false names, active PDFs,
 * phishing HTML) and a manifest of checks whose expected hashes come
 * from Python's hashlib. Each mail is parsed with ms_message_parse,
 * analyzed with the shipped YARA rules, and every check of the manifest
 * is applied. Further tests cover the already-seen filter, payloads in
 * the JSON and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/attachments.h"
#include "mailscope/message.h"
#include "util/buf.h"
#include "util/json.h"

/* Where the generated mails are, for every test of the file. */
static char gen_dir[256];
static bool gen_ok;

/* Reads a whole file into a malloc'd buffer. Returns NULL on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)size + 1);
    if (p != NULL && fread(p, 1, (size_t)size, f) != (size_t)size) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p != NULL) {
        p[size] = '\0';
        *len = (size_t)size;
    }
    return p;
}

/* Runs the generator once into a temporary folder. */
static int generate(void **state)
{
    (void)state;
    snprintf(gen_dir, sizeof(gen_dir), "/tmp/ms_attach_XXXXXX");
    if (mkdtemp(gen_dir) == NULL)
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "python3 %s/tests/gen/gen_attachments.py %s >/dev/null 2>&1",
             MS_SOURCE_DIR, gen_dir);
    gen_ok = system(cmd) == 0;
    return 0;
}

/* Removes the generated folder. */
static int cleanup(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", gen_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* One analyzed mail: its input, arena, message and reports. */
typedef struct analyzed {
    char *raw;
    size_t raw_len;
    ms_arena *arena;
    ms_message *m;
    ms_file_report *reports;
    size_t n_reports;
    double ms; /* milliseconds the analysis took */
} analyzed;

/* Builds an engine with the shipped rules and the given settings. */
static ms_attach_engine *make_engine(ms_attach_config *c)
{
    char err[512] = "";
    ms_attach_engine *e = NULL;
    c->yara_rules_dir = MS_SOURCE_DIR "/conf/yara";
    ms_status rc = ms_attach_engine_new(c, &e, err, sizeof(err));
    if (rc != MS_OK)
        fprintf(stderr, "engine: %s\n", err);
    assert_int_equal(rc, MS_OK);
    return e;
}

/* Parses and analyzes one generated mail. */
static void analyze_mail(const ms_attach_engine *e, ms_attach_scratch *s,
                         const char *name, analyzed *out)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", gen_dir, name);
    memset(out, 0, sizeof(*out));
    out->raw = read_file(path, &out->raw_len);
    assert_non_null(out->raw);
    out->arena = ms_arena_new(0);
    assert_non_null(out->arena);
    ms_parse_options opt;
    ms_parse_options_default(&opt);
    assert_int_equal(
        ms_message_parse(out->arena, out->raw, out->raw_len, &opt, &out->m),
        MS_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(
        ms_attachments_analyze(e, s, out->m, &out->reports, &out->n_reports),
        MS_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
              (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

/* Frees what analyze_mail made. */
static void analyzed_free(analyzed *a)
{
    ms_arena_free(a->arena);
    free(a->raw);
}

/* Finds the report addressed by "name > inner > ..." or NULL. */
static const ms_file_report *find_report(const analyzed *a, const char *addr)
{
    const ms_file_report *level = a->reports;
    size_t n = a->n_reports;
    const ms_file_report *found = NULL;
    const char *p = addr;
    for (;;) {
        const char *sep = strstr(p, " > ");
        size_t len = sep ? (size_t)(sep - p) : strlen(p);
        found = NULL;
        for (size_t i = 0; i < n && found == NULL; i++)
            if (level[i].filename != NULL && strlen(level[i].filename) == len &&
                memcmp(level[i].filename, p, len) == 0)
                found = &level[i];
        if (found == NULL || sep == NULL)
            return found;
        level = found->files;
        n = found->n_files;
        p = sep + 3;
    }
}

/* True when the report has a YARA match of that rule. */
static bool has_yara(const ms_file_report *r, const char *rule)
{
    for (size_t i = 0; i < r->n_yara; i++)
        if (strcmp(r->yara[i].rule, rule) == 0)
            return true;
    return false;
}

/* Applies one manifest check; prints what failed and returns false. */
static bool apply_check(const analyzed *a, const char *mail, const char *file,
                        const char *what, const char *value)
{
    const ms_file_report *r = NULL;
    if (strcmp(file, "-") != 0) {
        r = find_report(a, file);
        if (r == NULL) {
            fprintf(stderr, "%s: no file \"%s\"\n", mail, file);
            return false;
        }
    }
    bool ok;
    char got[256] = "";
    if (strcmp(what, "defect") == 0)
        ok = ms_message_has_defect(a->m, value);
    else if (strcmp(what, "nodefect") == 0)
        ok = !ms_message_has_defect(a->m, value);
    else if (strcmp(what, "max_ms") == 0) {
        ok = a->ms <= atof(value);
        snprintf(got, sizeof(got), "%.1f ms", a->ms);
    } else if (r == NULL)
        ok = false;
    else if (strcmp(what, "is_archive") == 0)
        ok = r->is_archive == (strcmp(value, "true") == 0);
    else if (strcmp(what, "encrypted") == 0)
        ok = r->encrypted == (strcmp(value, "true") == 0);
    else if (strcmp(what, "filtered") == 0)
        ok = r->is_filtered == (strcmp(value, "true") == 0);
    else if (strcmp(what, "password") == 0) {
        ok = value[0] == '\0'
                 ? r->password_used == NULL
                 : r->password_used && strcmp(r->password_used, value) == 0;
        snprintf(got, sizeof(got), "%s",
                 r->password_used ? r->password_used : "(none)");
    } else if (strcmp(what, "flag") == 0)
        ok = ms_file_report_flag(r, value) != NULL;
    else if (strcmp(what, "noflag") == 0)
        ok = ms_file_report_flag(r, value) == NULL;
    else if (strcmp(what, "flags") == 0) {
        ok = r->flags.n == (size_t)atol(value);
        snprintf(got, sizeof(got), "%zu (first: %s)", r->flags.n,
                 r->flags.n ? r->flags.items[0].name : "-");
    } else if (strcmp(what, "yara") == 0)
        ok = has_yara(r, value);
    else if (strcmp(what, "noyara") == 0)
        ok = !has_yara(r, value);
    else if (strcmp(what, "mime") == 0) {
        ok = strcmp(r->mime_type, value) == 0;
        snprintf(got, sizeof(got), "%s", r->mime_type);
    } else if (strcmp(what, "md5") == 0)
        ok = strcmp(r->hashes.md5, value) == 0;
    else if (strcmp(what, "sha1") == 0)
        ok = strcmp(r->hashes.sha1, value) == 0;
    else if (strcmp(what, "sha256") == 0)
        ok = strcmp(r->hashes.sha256, value) == 0;
    else if (strcmp(what, "sha512") == 0)
        ok = strcmp(r->hashes.sha512, value) == 0;
    else if (strcmp(what, "size") == 0)
        ok = r->size == (size_t)atol(value);
    else if (strcmp(what, "files") == 0) {
        ok = r->n_files == (size_t)atol(value);
        snprintf(got, sizeof(got), "%zu", r->n_files);
    } else {
        fprintf(stderr, "unknown check %s\n", what);
        ok = false;
    }
    if (!ok)
        fprintf(stderr, "%s: %s: %s %s failed%s%s\n", mail, file, what, value,
                got[0] ? ", got " : "", got);
    return ok;
}

/* Every check of the manifest holds on the generated mails. */
static void test_generated_mails_pass_every_manifest_check(void **state)
{
    (void)state;
    if (!gen_ok)
        skip();
    ms_attach_config c;
    ms_attach_config_default(&c);
    ms_attach_engine *e = make_engine(&c);
    char err[256];
    ms_attach_scratch *s;
    assert_int_equal(ms_attach_scratch_new(&s, err, sizeof(err)), MS_OK);

    char path[512];
    snprintf(path, sizeof(path), "%s/manifest.tsv", gen_dir);
    size_t len;
    char *manifest = read_file(path, &len);
    assert_non_null(manifest);
    char current[128] = "";
    analyzed a = {0};
    size_t n_checks = 0, n_failed = 0;
    for (char *line = strtok(manifest, "\n"); line; line = strtok(NULL, "\n")) {
        char *fields[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4; i++) {
            fields[i] = strchr(fields[i - 1], '\t');
            assert_non_null(fields[i]);
            *fields[i]++ = '\0';
        }
        if (strcmp(fields[0], current) != 0) {
            if (current[0])
                analyzed_free(&a);
            snprintf(current, sizeof(current), "%s", fields[0]);
            analyze_mail(e, s, current, &a);
        }
        n_checks++;
        if (!apply_check(&a, fields[0], fields[1], fields[2], fields[3]))
            n_failed++;
    }
    if (current[0])
        analyzed_free(&a);
    free(manifest);
    ms_attach_scratch_free(s);
    ms_attach_engine_free(e);
    assert_true(n_checks > 80);
    assert_int_equal(n_failed, 0);
}

/* With the filter on, the second copy of an attachment is marked
 * filtered and skips archive extraction; the digest survives a save and
 * a reload. */
static void
test_second_copy_of_an_attachment_is_filtered_across_runs(void **state)
{
    (void)state;
    if (!gen_ok)
        skip();
    char filter_path[300];
    snprintf(filter_path, sizeof(filter_path), "%s/seen.bin", gen_dir);
    ms_attach_config c;
    ms_attach_config_default(&c);
    c.filter = true;
    c.filter_path = filter_path;
    c.filter_max_entries = 100;
    char err[256];
    ms_attach_scratch *s;
    assert_int_equal(ms_attach_scratch_new(&s, err, sizeof(err)), MS_OK);

    ms_attach_engine *e = make_engine(&c);
    analyzed a;
    analyze_mail(e, s, "archive_zip.eml", &a);
    assert_int_equal(a.n_reports, 1);
    assert_false(a.reports[0].is_filtered);
    assert_int_equal(a.reports[0].n_files, 2);
    analyzed_free(&a);
    analyze_mail(e, s, "archive_zip.eml", &a);
    assert_true(a.reports[0].is_filtered);
    assert_int_equal(a.reports[0].n_files, 0);
    assert_string_equal(a.reports[0].mime_type, "application/zip");
    analyzed_free(&a);
    assert_int_equal(ms_attach_engine_close(e, err, sizeof(err)), MS_OK);

    e = make_engine(&c);
    analyze_mail(e, s, "archive_zip.eml", &a);
    assert_true(a.reports[0].is_filtered);
    analyzed_free(&a);
    analyze_mail(e, s, "archive_7z.eml", &a);
    assert_false(a.reports[0].is_filtered);
    analyzed_free(&a);
    ms_attach_engine_free(e);
    ms_attach_scratch_free(s);
}

/* Checks that the JSON holds the SpamScope fields and, when asked, the
 * payload in base64 for the attachment and for the files inside it. */
static void
test_json_carries_fields_and_base64_payloads_when_asked(void **state)
{
    (void)state;
    if (!gen_ok)
        skip();
    ms_attach_config c;
    ms_attach_config_default(&c);
    c.payloads = true;
    ms_attach_engine *e = make_engine(&c);
    char err[256];
    ms_attach_scratch *s;
    assert_int_equal(ms_attach_scratch_new(&s, err, sizeof(err)), MS_OK);
    analyzed a;
    analyze_mail(e, s, "eicar_zip.eml", &a);

    ms_buf out;
    ms_buf_init(&out, 0);
    ms_json w;
    ms_json_init(&w, &out, false);
    ms_json_object_begin(&w);
    ms_attachments_write_json(&w, a.reports, a.n_reports, true);
    ms_json_object_end(&w);
    assert_int_equal(ms_json_status(&w), MS_OK);
    static const char *const keys[] = {
        "\"filename\":\"eicar.zip\"", "\"content_type\":\"application/zip\"",
        "\"mime_type\":\"application/zip\"", "\"extension\":\"zip\"",
        "\"is_archive\":true", "\"is_filtered\":false", "\"ssdeep\":\"",
        "\"files\":[{\"filename\":\"eicar.com\"",
        "\"rule\":\"EICAR_Test_File\"",
        /* base64 of the first 30 bytes of the EICAR string */
        "\"payload\":\"WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FS"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strstr(out.p, keys[i]) == NULL)
            fprintf(stderr, "missing %s in %s\n", keys[i], out.p);
        assert_non_null(strstr(out.p, keys[i]));
    }
    ms_buf_free(&out);

    ms_buf_init(&out, 0);
    ms_json_init(&w, &out, false);
    ms_json_object_begin(&w);
    ms_attachments_write_json(&w, a.reports, a.n_reports, false);
    ms_json_object_end(&w);
    assert_null(strstr(out.p, "\"payload\""));
    ms_buf_free(&out);
    analyzed_free(&a);
    ms_attach_scratch_free(s);
    ms_attach_engine_free(e);
}

/* A tight extraction budget stops the archive with a defect instead of
 * failing the mail. */
static void test_byte_budget_stops_extraction_with_a_defect(void **state)
{
    (void)state;
    if (!gen_ok)
        skip();
    ms_attach_config c;
    ms_attach_config_default(&c);
    c.max_total_bytes = 1000;
    c.yara = false;
    ms_attach_engine *e = make_engine(&c);
    char err[256];
    ms_attach_scratch *s;
    assert_int_equal(ms_attach_scratch_new(&s, err, sizeof(err)), MS_OK);
    analyzed a;
    analyze_mail(e, s, "archive_7z.eml", &a);
    assert_true(ms_message_has_defect(a.m, "limit_archive_bytes"));
    assert_int_equal(a.reports[0].n_files, 0);
    analyzed_free(&a);
    ms_attach_scratch_free(s);
    ms_attach_engine_free(e);
}

/* The file ceiling counts files at every level and adds one defect. */
static void test_file_ceiling_counts_inner_files(void **state)
{
    (void)state;
    if (!gen_ok)
        skip();
    ms_attach_config c;
    ms_attach_config_default(&c);
    c.max_files = 2;
    c.yara = false;
    ms_attach_engine *e = make_engine(&c);
    char err[256];
    ms_attach_scratch *s;
    assert_int_equal(ms_attach_scratch_new(&s, err, sizeof(err)), MS_OK);
    analyzed a;
    analyze_mail(e, s, "archive_zip.eml", &a);
    assert_true(ms_message_has_defect(a.m, "limit_attachment_files"));
    assert_int_equal(a.reports[0].n_files, 1);
    analyzed_free(&a);
    ms_attach_scratch_free(s);
    ms_attach_engine_free(e);
}

/* A mail without attachments yields no reports and no defects. */
static void test_mail_without_attachments_gives_empty_section(void **state)
{
    (void)state;
    static const char mail[] = "From: a@example.org\r\nSubject: hi\r\n\r\n"
                               "password: 1234\r\n";
    ms_attach_config c;
    ms_attach_config_default(&c);
    c.yara = false;
    ms_attach_engine *e = make_engine(&c);
    char err[256];
    ms_attach_scratch *s;
    assert_int_equal(ms_attach_scratch_new(&s, err, sizeof(err)), MS_OK);
    ms_arena *arena = ms_arena_new(0);
    ms_parse_options opt;
    ms_parse_options_default(&opt);
    ms_message *m;
    assert_int_equal(ms_message_parse(arena, mail, sizeof(mail) - 1, &opt, &m),
                     MS_OK);
    ms_file_report *r = (ms_file_report *)1;
    size_t n = 7;
    assert_int_equal(ms_attachments_analyze(e, s, m, &r, &n), MS_OK);
    assert_int_equal(n, 0);
    assert_null(r);
    const char *pw[4];
    size_t n_pw = 0;
    assert_int_equal(ms_attachments_passwords(m, pw, &n_pw, 4), MS_OK);
    assert_int_equal(n_pw, 1);
    assert_string_equal(pw[0], "1234");
    ms_arena_free(arena);
    ms_attach_scratch_free(s);
    ms_attach_engine_free(e);
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_mails_pass_every_manifest_check),
        cmocka_unit_test(
            test_second_copy_of_an_attachment_is_filtered_across_runs),
        cmocka_unit_test(
            test_json_carries_fields_and_base64_payloads_when_asked),
        cmocka_unit_test(test_byte_budget_stops_extraction_with_a_defect),
        cmocka_unit_test(test_file_ceiling_counts_inner_files),
        cmocka_unit_test(test_mail_without_attachments_gives_empty_section),
    };
    int failed = cmocka_run_group_tests(tests, generate, cleanup);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
