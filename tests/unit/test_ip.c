/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the IP helpers: strict parsing of both families, the
 * public/non-public classification the sender-IP rule depends on, RFC
 * 5952 formatting, and the scanner's word boundaries on realistic
 * Received and body text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/ip.h"

/* Parses z, which must be an address, and returns its canonical text in a
 * static buffer. */
static const char *canonical(const char *z)
{
    static char buf[MS_IP_TEXT_MAX];
    ms_ip ip;
    assert_true(ms_ip_parse(z, strlen(z), &ip));
    assert_true(ms_ip_format(&ip, buf, sizeof(buf)) > 0);
    return buf;
}

/* True when z parses as an address. */
static bool parses(const char *z)
{
    ms_ip ip;
    return ms_ip_parse(z, strlen(z), &ip);
}

/* True when z parses and is public. */
static bool public_ip(const char *z)
{
    ms_ip ip;
    assert_true(ms_ip_parse(z, strlen(z), &ip));
    return ms_ip_is_public(&ip);
}

static void test_ipv4_dotted_quad_parses_to_bytes(void **state)
{
    (void)state;
    ms_ip ip;
    assert_true(ms_ip_parse("209.85.220.41", 13, &ip));
    assert_int_equal(ip.family, 4);
    assert_int_equal(ip.bytes[0], 209);
    assert_int_equal(ip.bytes[1], 85);
    assert_int_equal(ip.bytes[2], 220);
    assert_int_equal(ip.bytes[3], 41);
    assert_string_equal(canonical("0.0.0.0"), "0.0.0.0");
    assert_string_equal(canonical("255.255.255.255"), "255.255.255.255");
}

static void test_ipv4_obfuscated_forms_are_refused(void **state)
{
    (void)state;
    /* octal and hex octets, short forms, a single integer: what
     * inet_aton accepts and obfuscated URLs use */
    assert_false(parses("010.0.0.1"));
    assert_false(parses("0x7f.0.0.1"));
    assert_false(parses("127.1"));
    assert_false(parses("1.2.3"));
    assert_false(parses("2130706433"));
    assert_false(parses("256.1.1.1"));
    assert_false(parses("1.2.3.4."));
    assert_false(parses("1..3.4"));
    assert_false(parses("1.2.3.4.5"));
    assert_false(parses(" 1.2.3.4"));
    assert_false(parses(""));
}

static void test_ipv6_every_rfc4291_form_parses(void **state)
{
    (void)state;
    assert_string_equal(canonical("2001:0DB8:0000:0000:0008:0800:200C:417A"),
                        "2001:db8::8:800:200c:417a");
    assert_string_equal(canonical("FF01::101"), "ff01::101");
    assert_string_equal(canonical("::1"), "::1");
    assert_string_equal(canonical("::"), "::");
    assert_string_equal(canonical("fe80::"), "fe80::");
    assert_string_equal(canonical("0:0:0:0:0:0:13.1.68.3"), "::d01:4403");
    assert_string_equal(canonical("::FFFF:129.144.52.38"),
                        "::ffff:129.144.52.38");
    assert_string_equal(canonical("2603:10b6:303:83::12"),
                        "2603:10b6:303:83::12");
}

static void test_ipv6_tag_brackets_and_zone_are_dropped(void **state)
{
    (void)state;
    assert_string_equal(canonical("IPv6:2a00:1450:4864:20::52f"),
                        "2a00:1450:4864:20::52f");
    assert_string_equal(canonical("[IPv6:2a00:1450:4864:20::52f]"),
                        "2a00:1450:4864:20::52f");
    assert_string_equal(canonical("ipv6:[::1]"), "::1");
    assert_string_equal(canonical("[fe80::1%eth0]"), "fe80::1");
    assert_string_equal(canonical("[192.0.2.1]"), "192.0.2.1");
    /* the tag announces IPv6: a dotted quad after it is not one */
    assert_false(parses("IPv6:192.0.2.1"));
}

static void test_ipv6_syntax_errors_are_refused(void **state)
{
    (void)state;
    assert_false(parses("1::2::3"));
    assert_false(parses("1:2:3:4:5:6:7"));
    assert_false(parses("1:2:3:4:5:6:7:8:9"));
    assert_false(parses("1:2:3:4:5:6:7::8"));
    assert_false(parses("12345::1"));
    assert_false(parses(":1:2:3:4:5:6:7"));
    assert_false(parses("1:2:3:4:5:6:7:"));
    assert_false(parses("::1.2.3.4:5"));
    assert_false(parses("g::1"));
    assert_false(parses("10:15:00"));
    assert_false(parses("00:1a:2b:3c:4d:5e"));
}

static void test_format_compresses_the_first_longest_zero_run(void **state)
{
    (void)state;
    /* RFC 5952 4.2.2: a single zero group is not compressed */
    assert_string_equal(canonical("2001:db8:0:1:1:1:1:1"),
                        "2001:db8:0:1:1:1:1:1");
    /* 4.2.3: the longest run, the first when equal */
    assert_string_equal(canonical("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
    assert_string_equal(canonical("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
}

static void test_format_refuses_a_short_buffer(void **state)
{
    (void)state;
    ms_ip ip;
    char small[8];
    assert_true(ms_ip_parse("203.0.113.200", 13, &ip));
    assert_int_equal(ms_ip_format(&ip, small, sizeof(small)), 0);
    assert_string_equal(small, "");
    char exact[14];
    assert_int_equal(ms_ip_format(&ip, exact, sizeof(exact)), 13);
}

static void test_private_and_special_ipv4_are_not_public(void **state)
{
    (void)state;
    const char *not_public[] = {
        "10.1.2.3",    "172.16.0.1",   "172.31.255.255", "192.168.1.1",
        "127.0.0.1",   "169.254.1.1",  "100.64.0.1",     "100.127.255.254",
        "0.0.0.0",     "224.0.0.1",    "240.0.0.1",      "255.255.255.255",
        "192.0.2.10",  "198.51.100.7", "203.0.113.77",   "198.18.0.1",
        "192.0.0.170", "192.88.99.1",
    };
    for (size_t i = 0; i < sizeof(not_public) / sizeof(not_public[0]); i++) {
        if (public_ip(not_public[i]))
            fail_msg("%s taken for public", not_public[i]);
    }
    assert_true(public_ip("209.85.220.41"));
    assert_true(public_ip("172.32.0.1"));
    assert_true(public_ip("100.128.0.1"));
    assert_true(public_ip("81.2.69.142"));
}

static void test_special_ipv6_and_mapped_private_are_not_public(void **state)
{
    (void)state;
    const char *not_public[] = {
        "::",
        "::1",
        "fe80::1",
        "fd00::1",
        "fc00::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::10.0.0.1",
        "2002:c0a8:101::1",
        "fec0::1",
        "100::1",
        "3fff::1",
        "2001:2::1",
    };
    for (size_t i = 0; i < sizeof(not_public) / sizeof(not_public[0]); i++) {
        if (public_ip(not_public[i]))
            fail_msg("%s taken for public", not_public[i]);
    }
    assert_true(public_ip("2a00:1450:4864:20::52f"));
    assert_true(public_ip("2603:10b6:303:83::12"));
    assert_true(public_ip("::ffff:209.85.220.41"));
    assert_true(public_ip("2002:d155:dc29::1")); /* 6to4 of 209.85.220.41 */
}

/* What a scan found, in order. */
typedef struct found_list {
    char text[8][MS_IP_TEXT_MAX];
    size_t off[8];
    size_t len[8];
    size_t n;
} found_list;

/* ms_ip_scan callback recording each address. */
static void record(void *ctx, const ms_ip *ip, size_t off, size_t len)
{
    found_list *f = ctx;
    if (f->n < 8) {
        ms_ip_format(ip, f->text[f->n], sizeof(f->text[0]));
        f->off[f->n] = off;
        f->len[f->n] = len;
        f->n++;
    }
}

/* Scans z into f. */
static void scan(const char *z, found_list *f)
{
    memset(f, 0, sizeof(*f));
    ms_ip_scan(z, strlen(z), record, f);
}

static void test_scan_finds_addresses_in_received_text(void **state)
{
    (void)state;
    found_list f;
    const char *hop = "from relay.example.org (mail6.example.org "
                      "[IPv6:2a00:1450:4864:20::52f]) by mx1 "
                      "(10.13.177.79) with ESMTPS";
    scan(hop, &f);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.text[0], "2a00:1450:4864:20::52f");
    /* the offset is the address itself, after the tag */
    assert_int_equal(f.off[0], (size_t)(strstr(hop, "2a00") - hop));
    assert_int_equal(f.len[0], strlen("2a00:1450:4864:20::52f"));
    assert_string_equal(f.text[1], "10.13.177.79");
}

static void test_scan_skips_version_numbers_and_host_names(void **state)
{
    (void)state;
    found_list f;
    scan("Exim 4.96.2.1.7, v1.2.3.4, 1.2.3.4.5, 1.2.3.4.dsl.example.net, "
         "host-10.0.0.1, cafe::babe, std::vector, 10:15:00",
         &f);
    assert_int_equal(f.n, 0);
}

/* Runs without a decimal digit ("face", "de.ad", "::") are passed over
 * whole, and the addresses right after them, or tagged IPv6 among hex
 * words, are still found. */
static void test_scan_passes_over_runs_without_digits(void **state)
{
    (void)state;
    found_list f;
    scan("facade.bead (cafe [::]) dead.beef:: ab:cd [IPv6:fe80::1] "
         "ee (added 198.51.100.7) ace:bad:cab:: (:192.0.2.44)",
         &f);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.text[0], "fe80::1");
    assert_string_equal(f.text[1], "198.51.100.7");
    assert_string_equal(f.text[2], "192.0.2.44");
    /* the 6 of the tag is no digit of the address after it */
    scan("[IPv6:abc::def] [IPv6:::] x6:1.2.3.4 [ipv6:2001:db8::7]", &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.text[0], "2001:db8::7");
}

static void
test_scan_takes_addresses_ending_a_sentence_or_with_a_port(void **state)
{
    (void)state;
    found_list f;
    scan("Connect from 192.0.2.1. Then [198.51.100.2]:25 and "
         "203.0.113.9:587, IP:81.2.69.142; helo=[::1].",
         &f);
    assert_int_equal(f.n, 5);
    assert_string_equal(f.text[0], "192.0.2.1");
    assert_string_equal(f.text[1], "198.51.100.2");
    assert_string_equal(f.text[2], "203.0.113.9");
    assert_int_equal(f.len[2], strlen("203.0.113.9"));
    assert_string_equal(f.text[3], "81.2.69.142");
    assert_string_equal(f.text[4], "::1");
}

static void
test_scan_of_a_truncated_literal_reads_nothing_past_the_end(void **state)
{
    (void)state;
    found_list f;
    char text[] = "x 10.0.0.12";
    memset(&f, 0, sizeof(f));
    /* cut inside the last octet: "10.0.0.1" is what the caller gave */
    ms_ip_scan(text, strlen(text) - 1, record, &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.text[0], "10.0.0.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_dotted_quad_parses_to_bytes),
        cmocka_unit_test(test_ipv4_obfuscated_forms_are_refused),
        cmocka_unit_test(test_ipv6_every_rfc4291_form_parses),
        cmocka_unit_test(test_ipv6_tag_brackets_and_zone_are_dropped),
        cmocka_unit_test(test_ipv6_syntax_errors_are_refused),
        cmocka_unit_test(test_format_compresses_the_first_longest_zero_run),
        cmocka_unit_test(test_format_refuses_a_short_buffer),
        cmocka_unit_test(test_private_and_special_ipv4_are_not_public),
        cmocka_unit_test(test_special_ipv6_and_mapped_private_are_not_public),
        cmocka_unit_test(test_scan_finds_addresses_in_received_text),
        cmocka_unit_test(test_scan_skips_version_numbers_and_host_names),
        cmocka_unit_test(test_scan_passes_over_runs_without_digits),
        cmocka_unit_test(
            test_scan_takes_addresses_ending_a_sentence_or_with_a_port),
        cmocka_unit_test(
            test_scan_of_a_truncated_literal_reads_nothing_past_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
