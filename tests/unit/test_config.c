/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the YAML configuration: the compiled-in default matches
 * conf/mailscope.yml byte for byte and agrees with the parser's own
 * defaults; a file overrides only the keys it names; unknown keys, wrong
 * types, duplicates and broken YAML are errors naming the key and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/config.h"

/* Lays text over the default configuration in c; returns the status and
 * leaves the error text in err. */
static ms_status load(ms_config *c, const char *text, char *err,
                      size_t err_size)
{
    assert_int_equal(ms_config_load_default(c, err, err_size), MS_OK);
    return ms_config_load_text(c, text, strlen(text), "test.yml", err,
                               err_size);
}

/* The compiled-in text is conf/mailscope.yml, byte for byte: a change to
 * one without the other fails here. */
static void test_default_text_equals_conf_mailscope_yml(void **state)
{
    (void)state;
    FILE *f = fopen(MS_SOURCE_DIR "/conf/mailscope.yml", "rb");
    assert_non_null(f);
    char *text = malloc(1 << 20);
    assert_non_null(text);
    size_t n = fread(text, 1, 1 << 20, f);
    fclose(f);
    assert_int_equal(n, ms_default_config_yaml_len);
    assert_memory_equal(text, ms_default_config_yaml, n);
    free(text);
}

/* The default's limits are the parser's built-in ceilings, so running with
 * and without a configuration parses alike. */
static void test_default_limits_match_the_parser_defaults(void **state)
{
    (void)state;
    char err[512];
    ms_config c;
    assert_int_equal(ms_config_load_default(&c, err, sizeof(err)), MS_OK);
    ms_parse_options p;
    ms_parse_options_default(&p);
    assert_int_equal(c.parse.max_message_bytes, p.max_message_bytes);
    assert_int_equal(c.parse.max_header_bytes, p.max_header_bytes);
    assert_int_equal(c.parse.max_headers, p.max_headers);
    assert_int_equal(c.parse.max_parts, p.max_parts);
    assert_int_equal(c.parse.max_depth, p.max_depth);
    assert_int_equal(c.parse.max_decoded_bytes, p.max_decoded_bytes);
    assert_int_equal(c.parse.max_defects, p.max_defects);
    assert_null(c.parse.trust);
    assert_int_equal(c.pipeline.threads, 0);
    assert_string_equal(c.output.path, "-");
    assert_string_equal(c.sources.include, "*");
    assert_int_equal(c.watch.after, MS_AFTER_KEEP);
    assert_false(c.filter.enabled);
    assert_true(c.spam.enabled);
    assert_int_equal(c.spam.rules.n, 0);
    ms_config_free(&c);
}

/* A file that names two keys changes those two and nothing else. */
static void test_file_overrides_only_the_keys_it_names(void **state)
{
    (void)state;
    char err[512];
    ms_config c;
    assert_int_equal(load(&c,
                          "pipeline:\n  threads: 3\n"
                          "limits:\n  parts: 7\n  trust: \"mx.example\"\n"
                          "spam:\n  rules: [a.cf, /etc/b]\n",
                          err, sizeof(err)),
                     MS_OK);
    assert_int_equal(c.pipeline.threads, 3);
    assert_false(c.pipeline.ordered);
    assert_int_equal(c.parse.max_parts, 7);
    assert_int_equal(c.parse.max_depth, 32);
    assert_string_equal(c.parse.trust, "mx.example");
    assert_int_equal(c.spam.rules.n, 2);
    assert_string_equal(c.spam.rules.items[1], "/etc/b");
    ms_config_free(&c);
}

/* A misspelt key is refused with its full name and its line, and the
 * message lists the keys that exist. */
static void test_unknown_key_names_the_key_and_the_line(void **state)
{
    (void)state;
    char err[512];
    ms_config c;
    assert_int_equal(
        load(&c, "watch:\n  poll_ms: 10\n  aftr: remove\n", err, sizeof(err)),
        MS_EINVAL);
    assert_non_null(strstr(err, "test.yml:3:"));
    assert_non_null(strstr(err, "'watch.aftr'"));
    assert_non_null(strstr(err, "after"));
    ms_config_free(&c);
    assert_int_equal(load(&c, "\n\nwtach:\n  after: keep\n", err, sizeof(err)),
                     MS_EINVAL);
    assert_non_null(strstr(err, "test.yml:3:"));
    assert_non_null(strstr(err, "'wtach'"));
    ms_config_free(&c);
}

/* Wrong types are refused, naming the key, the line and the value:
 * quoted "true" is a string, not a boolean; numbers are digits only. */
static void test_wrong_types_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "pipeline:\n  threads: many\n",   "pipeline:\n  threads: -1\n",
        "pipeline:\n  threads: 100000\n", "output:\n  pretty: \"true\"\n",
        "limits:\n  parts: 0\n",          "limits:\n  parts: 1e6\n",
        "watch:\n  after: shred\n",       "spam:\n  rules: one.cf\n",
        "filter:\n  path: [a, b]\n",      "limits: 5\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[512];
        ms_config c;
        assert_int_equal(load(&c, bad[i], err, sizeof(err)), MS_EINVAL);
        assert_non_null(strstr(err, "test.yml:"));
        ms_config_free(&c);
    }
    char err[512];
    ms_config c;
    assert_int_equal(load(&c, "pipeline:\n  threads: many\n", err, sizeof(err)),
                     MS_EINVAL);
    assert_non_null(strstr(err, "test.yml:2: 'pipeline.threads' must be"));
    assert_non_null(strstr(err, "'many'"));
    ms_config_free(&c);
}

/* YAML's other spellings of booleans and null are understood. */
static void test_yes_no_and_tilde_are_understood(void **state)
{
    (void)state;
    char err[512];
    ms_config c;
    assert_int_equal(load(&c,
                          "output:\n  pretty: yes\n  path: ~\n"
                          "pipeline:\n  ordered: On\n"
                          "spam:\n  enabled: no\n",
                          err, sizeof(err)),
                     MS_OK);
    assert_true(c.output.pretty);
    assert_null(c.output.path);
    assert_true(c.pipeline.ordered);
    assert_false(c.spam.enabled);
    ms_config_free(&c);
}

/* A key given twice is an error rather than "the last one wins". */
static void test_duplicate_key_is_an_error(void **state)
{
    (void)state;
    char err[512];
    ms_config c;
    assert_int_equal(
        load(&c, "pipeline:\n  threads: 2\n  threads: 4\n", err, sizeof(err)),
        MS_EINVAL);
    assert_non_null(strstr(err, "test.yml:3:"));
    assert_non_null(strstr(err, "given twice"));
    ms_config_free(&c);
}

/* Broken YAML names its line; an empty file changes nothing. */
static void
test_broken_yaml_names_the_line_and_empty_changes_nothing(void **state)
{
    (void)state;
    char err[512];
    ms_config c;
    assert_int_equal(load(&c, "pipeline:\n  threads: [1,\n", err, sizeof(err)),
                     MS_EINVAL);
    assert_non_null(strstr(err, "not valid YAML"));
    ms_config_free(&c);
    assert_int_equal(load(&c, "", err, sizeof(err)), MS_OK);
    assert_int_equal(c.parse.max_parts, 1000);
    ms_config_free(&c);
    assert_int_equal(load(&c, "# only a comment\n", err, sizeof(err)), MS_OK);
    ms_config_free(&c);
}

/* --after takes keep, remove and move:DIR, and nothing else. */
static void test_after_argument_forms(void **state)
{
    (void)state;
    char err[512];
    ms_config c;
    assert_int_equal(ms_config_load_default(&c, err, sizeof(err)), MS_OK);
    assert_true(ms_config_set_after(&c, "remove"));
    assert_int_equal(c.watch.after, MS_AFTER_REMOVE);
    assert_true(ms_config_set_after(&c, "move:/srv/done"));
    assert_int_equal(c.watch.after, MS_AFTER_MOVE);
    assert_string_equal(c.watch.move_dir, "/srv/done");
    assert_false(ms_config_set_after(&c, "move:"));
    assert_false(ms_config_set_after(&c, "delete"));
    assert_true(ms_config_set_after(&c, "keep"));
    assert_int_equal(c.watch.after, MS_AFTER_KEEP);
    ms_config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_text_equals_conf_mailscope_yml),
        cmocka_unit_test(test_default_limits_match_the_parser_defaults),
        cmocka_unit_test(test_file_overrides_only_the_keys_it_names),
        cmocka_unit_test(test_unknown_key_names_the_key_and_the_line),
        cmocka_unit_test(test_wrong_types_are_refused),
        cmocka_unit_test(test_yes_no_and_tilde_are_understood),
        cmocka_unit_test(test_duplicate_key_is_an_error),
        cmocka_unit_test(
            test_broken_yaml_names_the_line_and_empty_changes_nothing),
        cmocka_unit_test(test_after_argument_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
