/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of URL normalization and decomposition: the Faup fields
 * split by the public suffix list, every normalization step, the host
 * forms (IPv4 in numeric disguises, IPv6, IDN and homographs), opaque
 * schemes, redirect parameters, and resolution against a base.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/url_parse.h"

/* Parses z in a fresh arena kept in *state. */
static ms_url parse(void **state, const char *z)
{
    ms_url u;
    assert_int_equal(ms_url_parse(*state, z, strlen(z), &u), MS_OK);
    return u;
}

static int setup(void **state)
{
    *state = ms_arena_new(0);
    return *state == NULL;
}

static int teardown(void **state)
{
    ms_arena_free(*state);
    return 0;
}

/* The example of Faup's documentation, with every field present. */
static void test_full_url_splits_into_faup_fields(void **state)
{
    ms_url u = parse(state, "HTTPS://User:Pw@WWW.BBC.CO.UK:8443/a/b.php"
                            "?x=1&y=2#frag");
    assert_true(u.valid);
    assert_string_equal(u.scheme, "https");
    assert_string_equal(u.credential, "User:Pw");
    assert_string_equal(u.host, "www.bbc.co.uk");
    assert_string_equal(u.domain, "bbc.co.uk");
    assert_string_equal(u.domain_without_tld, "bbc");
    assert_string_equal(u.subdomain, "www");
    assert_string_equal(u.tld, "co.uk");
    assert_int_equal(u.port, 8443);
    assert_string_equal(u.resource_path, "/a/b.php");
    assert_string_equal(u.query_string, "?x=1&y=2");
    assert_string_equal(u.fragment, "#frag");
    assert_string_equal(u.url, "https://User:Pw@www.bbc.co.uk:8443/a/b.php"
                               "?x=1&y=2#frag");
    assert_true(u.flags & MS_URL_CREDENTIAL);
    assert_false(u.is_ip);
}

/* The default port goes, an empty path becomes "/", and the URL without
 * a path has no resource_path as in Faup. */
static void test_default_port_is_dropped_and_empty_path_is_slash(void **state)
{
    ms_url u = parse(state, "http://Example.COM:80");
    assert_string_equal(u.url, "http://example.com/");
    assert_int_equal(u.port, -1);
    assert_null(u.resource_path);
    u = parse(state, "https://example.com:443/x");
    assert_string_equal(u.url, "https://example.com/x");
}

/* Unreserved characters are decoded, other escapes upper-cased, spaces
 * escaped, dot segments removed. */
static void test_path_escapes_and_dot_segments_are_normalized(void **state)
{
    ms_url u = parse(state, "http://x.com/%7euser/./a/../b%2fc%3f/%41 z");
    assert_string_equal(u.url, "http://x.com/~user/b%2Fc%3F/A%20z");
}

/* Tabs and line breaks inside a link are dropped and backslashes read
 * as slashes, as browsers do. */
static void test_tabs_newlines_and_backslashes_are_browser_read(void **state)
{
    ms_url u = parse(state, "ht\ttp:\\\\evil\n.com\\login");
    assert_string_equal(u.url, "http://evil.com/login");
}

/* "hxxp" and friends are http, and say so. */
static void test_defanged_scheme_is_repaired_and_flagged(void **state)
{
    ms_url u = parse(state, "hXXps://evil.example.net/a");
    assert_string_equal(u.scheme, "https");
    assert_true(u.flags & MS_URL_OBFUSCATED);
}

/* A host written as one decimal number is an IPv4 address in disguise. */
static void test_decimal_and_hex_ipv4_hosts_become_dotted_quads(void **state)
{
    ms_url u = parse(state, "http://3232235777/login");
    assert_string_equal(u.host, "192.168.1.1");
    assert_true(u.is_ip);
    assert_true(u.flags & MS_URL_IP_HOST);
    assert_true(u.flags & MS_URL_OBFUSCATED);
    assert_null(u.domain);
    u = parse(state, "http://0xC0.0250.1.1/");
    assert_string_equal(u.host, "192.168.1.1");
    u = parse(state, "http://10.1.2.3/");
    assert_string_equal(u.host, "10.1.2.3");
    assert_false(u.flags & MS_URL_OBFUSCATED);
}

/* IPv6 literals are written canonically in brackets. */
static void test_ipv6_host_is_canonical(void **state)
{
    ms_url u = parse(state, "http://[2001:DB8:0:0::1]:8080/");
    assert_string_equal(u.host, "[2001:db8::1]");
    assert_int_equal(u.port, 8080);
    assert_true(u.is_ip);
}

/* A Unicode host gets its punycode form; a punycode host its Unicode
 * form; both are flagged idn. */
static void test_idn_host_has_both_forms(void **state)
{
    ms_url u = parse(state, "http://münchen.de/");
    assert_string_equal(u.host, "xn--mnchen-3ya.de");
    assert_string_equal(u.punycode, "xn--mnchen-3ya.de");
    assert_string_equal(u.unicode, "münchen.de");
    assert_string_equal(u.domain, "xn--mnchen-3ya.de");
    assert_true(u.flags & MS_URL_IDN);
    assert_false(u.flags & MS_URL_MIXED_SCRIPT);
    u = parse(state, "http://xn--mnchen-3ya.de/");
    assert_string_equal(u.unicode, "münchen.de");
}

/* "pаypal.com" with a Cyrillic а mixes scripts in one label; "аррӏе.com"
 * is all Cyrillic look-alikes under .com; both are homographs. A Russian
 * name under .рф is not. */
static void test_homograph_hosts_are_flagged_mixed_script(void **state)
{
    ms_url u = parse(state, "https://p\xD0\xB0ypal.com/signin");
    assert_true(u.flags & MS_URL_MIXED_SCRIPT);
    assert_string_equal(u.host, "xn--pypal-4ve.com");
    u = parse(state, "https://xn--80ak6aa92e.com/");
    assert_string_equal(u.unicode, "аррӏе.com");
    assert_true(u.flags & MS_URL_MIXED_SCRIPT);
    u = parse(state, "http://пример.рф/");
    assert_true(u.flags & MS_URL_IDN);
    assert_false(u.flags & MS_URL_MIXED_SCRIPT);
}

/* Full-width letters that map to a plain ASCII name hide the name from
 * string matching. */
static void test_fullwidth_host_maps_to_ascii_and_is_obfuscated(void **state)
{
    ms_url u = parse(state, "http://\xEF\xBD\x90\xEF\xBD\x81ypal.com/");
    assert_string_equal(u.host, "paypal.com");
    assert_true(u.flags & MS_URL_OBFUSCATED);
}

/* Percent-escapes in the host are decoded before anything else. */
static void test_escaped_host_is_decoded(void **state)
{
    ms_url u = parse(state, "http://ex%61mple.com/");
    assert_string_equal(u.host, "example.com");
}

/* data:, javascript: and mailto: are opaque; mailto has the address's
 * domain as host. */
static void test_opaque_schemes_are_flagged(void **state)
{
    ms_url u = parse(state, "data:text/html;base64,PHNjcmlwdD4=");
    assert_true(u.valid);
    assert_true(u.flags & MS_URL_DATA_URI);
    assert_null(u.host);
    u = parse(state, "JavaScript:alert(1)");
    assert_string_equal(u.scheme, "javascript");
    assert_true(u.flags & MS_URL_JAVASCRIPT_URI);
    u = parse(state, "mailto:Help@Mail.Example.org?subject=x");
    assert_string_equal(u.host, "mail.example.org");
    assert_string_equal(u.domain, "example.org");
}

/* Another URL in the query (an open redirect) is found and decoded. */
static void test_redirect_parameter_is_found_and_decoded(void **state)
{
    ms_url u = parse(state, "https://www.google.com/url?q=https%3A%2F%2Fevil"
                            ".example%2Fx&sa=D");
    assert_true(u.flags & MS_URL_REDIRECT_PARAM);
    assert_string_equal(u.redirect_target, "https://evil.example/x");
    u = parse(state, "https://www.google.com/search?q=cats");
    assert_false(u.flags & MS_URL_REDIRECT_PARAM);
}

/* A host without a dot and without a scheme is not a link. */
static void test_schemeless_word_without_dot_is_not_valid(void **state)
{
    ms_url u = parse(state, "login");
    assert_false(u.valid);
    u = parse(state, "www.example.com/a");
    assert_true(u.valid);
    assert_string_equal(u.url, "http://www.example.com/a");
}

/* A URL longer than the ceiling is cut and flagged. */
static void test_overlong_url_is_truncated(void **state)
{
    size_t n = MS_URL_MAX_BYTES * 2;
    char *z = ms_arena_alloc(*state, n + 1);
    memcpy(z, "http://x.com/", 13);
    memset(z + 13, 'a', n - 13);
    z[n] = '\0';
    ms_url u = parse(state, z);
    assert_true(u.flags & MS_URL_TRUNCATED);
    assert_true(u.url_len <= MS_URL_MAX_BYTES + 16);
}

/* References resolve against a base as RFC 3986 section 5.4 shows. */
static void test_relative_references_resolve_against_base(void **state)
{
    const char *base = "http://a.com/b/c/d;p?q";
    const struct {
        const char *ref, *want;
    } cases[] = {
        {"g", "http://a.com/b/c/g"},
        {"/g", "http://a.com/g"},
        {"//g/x", "http://g/x"},
        {"?y", "http://a.com/b/c/d;p?y"},
        {"#s", "http://a.com/b/c/d;p?q#s"},
        {"https://z.org/", "https://z.org/"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *out;
        size_t n;
        assert_int_equal(ms_url_resolve(*state, base, cases[i].ref,
                                        strlen(cases[i].ref), &out, &n),
                         MS_OK);
        assert_string_equal(out, cases[i].want);
    }
    const char *out;
    size_t n;
    assert_int_equal(ms_url_resolve(*state, "http://a.com", "x", 1, &out, &n),
                     MS_OK);
    assert_string_equal(out, "http://a.com/x");
    /* "../" segments are removed by the parse */
    assert_int_equal(ms_url_resolve(*state, base, "../../g", 7, &out, &n),
                     MS_OK);
    ms_url u = parse(state, out);
    assert_string_equal(u.url, "http://a.com/g");
}

/* Hosts seen again (the public suffix answers are remembered per
 * thread) split as they did the first time, whatever came in between,
 * long hosts and hosts without a registrable domain included. */
static void test_repeated_hosts_split_the_same(void **state)
{
    static const char *const urls[] = {
        "http://www.bbc.co.uk/news",
        "https://login.secure.example.com.br/x",
        "http://co.uk/",
        "http://a.very.long.chain.of.labels.that.goes.on.and.on.example.org/",
        "http://news.bbc.co.uk/",
        "http://s3.amazonaws.com/bucket",
    };
    const size_t n = sizeof(urls) / sizeof(urls[0]);
    ms_url first[6];
    for (size_t i = 0; i < n; i++)
        first[i] = parse(state, urls[i]);
    for (int round = 0; round < 3; round++) {
        for (size_t k = 0; k < n; k++) {
            size_t i = (k * 5 + (size_t)round) % n;
            ms_url u = parse(state, urls[i]);
            const char *got[] = {u.domain, u.tld, u.subdomain,
                                 u.domain_without_tld};
            const char *want[] = {first[i].domain, first[i].tld,
                                  first[i].subdomain,
                                  first[i].domain_without_tld};
            for (int f = 0; f < 4; f++) {
                if (want[f] == NULL)
                    assert_null(got[f]);
                else
                    assert_string_equal(got[f], want[f]);
            }
        }
    }
    assert_string_equal(first[0].domain, "bbc.co.uk");
    assert_string_equal(first[1].domain, "example.com.br");
    assert_null(first[2].domain);
    assert_string_equal(first[2].tld, "co.uk");
    assert_string_equal(first[3].domain, "example.org");
    assert_string_equal(first[5].tld, "s3.amazonaws.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_url_splits_into_faup_fields,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_default_port_is_dropped_and_empty_path_is_slash, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_path_escapes_and_dot_segments_are_normalized, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_tabs_newlines_and_backslashes_are_browser_read, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_defanged_scheme_is_repaired_and_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_decimal_and_hex_ipv4_hosts_become_dotted_quads, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_host_is_canonical, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_idn_host_has_both_forms, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_homograph_hosts_are_flagged_mixed_script, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fullwidth_host_maps_to_ascii_and_is_obfuscated, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_escaped_host_is_decoded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_opaque_schemes_are_flagged, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_redirect_parameter_is_found_and_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_schemeless_word_without_dot_is_not_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong_url_is_truncated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_relative_references_resolve_against_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_hosts_split_the_same,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
