/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Received hop parser where a golden case cannot reach
 * easily: the clause keywords, comments and the date separator at every
 * offset of the hop text, since the scans read the text in blocks of
 * sixteen bytes. Whole hops of real MTAs are pinned by the golden cases
 * in tests/cases/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mime/received.h"

/* Parses a NUL-terminated hop into a fresh arena kept in *state. */
static ms_received_hop parse_hop(void **state, const char *text)
{
    ms_arena_free(*state);
    ms_arena *a = ms_arena_new(0);
    assert_non_null(a);
    *state = a;
    ms_received_hop hop;
    assert_int_equal(ms_received_parse(a, text, strlen(text), &hop), MS_OK);
    return hop;
}

/* Frees the arena of a test. */
static int teardown(void **state)
{
    ms_arena_free(*state);
    return 0;
}

/* A comment of any length before the clauses moves every keyword, the
 * parentheses and the ';' across the block edges; the clauses, the
 * client address and the date are read the same at every offset, and a
 * keyword inside the comment is never taken. */
static void test_received_clauses_read_at_every_offset(void **state)
{
    for (size_t pad = 0; pad < 48; pad++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "(%.*s by fake.example; with X) from mail.example.org "
                 "(mail.example.org [198.51.7.20]) BY mx.example.net "
                 "(Postfix) With ESMTPS id 4Tq9 for <rcpt@example.net>; "
                 "Tue, 5 Mar 2024 10:15:00 +0100 (CET)",
                 (int)pad, "................................................");
        ms_received_hop hop = parse_hop(state, text);
        assert_true(hop.parsed);
        assert_string_equal(hop.from, "mail.example.org "
                                      "(mail.example.org [198.51.7.20])");
        assert_string_equal(hop.by, "mx.example.net (Postfix)");
        assert_string_equal(hop.by_host, "mx.example.net");
        assert_string_equal(hop.with, "ESMTPS");
        assert_string_equal(hop.id, "4Tq9");
        assert_string_equal(hop.for_, "rcpt@example.net");
        assert_string_equal(hop.from_ip, "198.51.7.20");
        assert_string_equal(hop.from_host, "mail.example.org");
        assert_true(hop.date.valid);
        assert_int_equal(hop.date.offset_minutes, 60);
        assert_string_equal(hop.tls, "ESMTPS");
    }
}

/* A keyword glued to the word before it is no keyword, and a ';' inside
 * a comment does not start the date, wherever they fall. */
static void test_received_glued_words_and_comment_semicolons(void **state)
{
    for (size_t pad = 0; pad < 40; pad++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "from %.*shost.example (x; y) viaduct.example by "
                 "mx.example id abc; Mon, 4 Mar 2024 09:00:00 -0500",
                 (int)pad, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        ms_received_hop hop = parse_hop(state, text);
        assert_null(hop.via);
        assert_string_equal(hop.by, "mx.example");
        assert_string_equal(hop.id, "abc");
        assert_true(hop.date.valid);
        assert_int_equal(hop.date.offset_minutes, -300);
    }
}

/* The searches for labels in the hop text (HELO, envelope-from, the TLS
 * version, authentication) read blocks of sixteen bytes and keep only
 * the places where the first two letters of a label match: each label is
 * found whatever its case and wherever it falls, and a label whose first
 * two letters come early ("en", "au", "tl" at every offset before it)
 * is still found past them. */
static void test_received_labels_found_at_every_offset(void **state)
{
    for (size_t pad = 0; pad < 48; pad++) {
        char text[768];
        snprintf(text, sizeof(text),
                 "(%.*s en au tl he) from client.example (HELO "
                 "helo.example) ([203.0.113.9]) by mx.example.net with "
                 "ESMTP id Q1 (Envelope-From <s@example.org>) (using "
                 "TLSv1.3 with cipher X) (AUTHENTICATED sender); "
                 "Tue, 5 Mar 2024 10:15:00 +0100",
                 (int)pad, "enauentlheenauentlheenauentlheenauentlheenauentl");
        ms_received_hop hop = parse_hop(state, text);
        assert_string_equal(hop.helo, "helo.example");
        assert_string_equal(hop.from_ip, "203.0.113.9");
        assert_string_equal(hop.envelope_from, "s@example.org");
        assert_string_equal(hop.tls, "TLSv1.3");
        assert_true(hop.authenticated);
    }
}

/* A label cut by the end of the text is not found, and one only
 * negated ("not authenticated") does not count. */
static void test_received_labels_cut_or_negated(void **state)
{
    for (size_t pad = 0; pad < 40; pad++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "from a.example ([198.51.100.7]) by mx.example id %.*sx "
                 "(not authenticated) envelope-fro",
                 (int)pad, "........................................");
        ms_received_hop hop = parse_hop(state, text);
        assert_null(hop.envelope_from);
        assert_false(hop.authenticated);
        assert_null(hop.tls);
    }
}

/* The first word of a clause ends at white space (any of it) or a
 * comment wherever that falls, for words of every length up to three
 * blocks of sixteen bytes (the scan reads a block at a time). */
static void test_received_first_words_of_every_length(void **state)
{
    static const char *const enders[] = {" ",  "\t", "\n", "\v",
                                         "\f", "\r", "(c)"};
    static const char name[] = "abcdefghijklmnopqrstuvwxyz0123456789.-_=+abcd";
    for (size_t len = 1; len <= 44; len++) {
        for (size_t e = 0; e < sizeof(enders) / sizeof(enders[0]); e++) {
            char text[512];
            snprintf(text, sizeof(text),
                     "from a.example by %.*s%sx with %.*s%s(c) id %.*s%s"
                     "y for <%.*s>%sz; Mon, 4 Mar 2024 09:00:00 -0500",
                     (int)len, name, enders[e], (int)len, name, enders[e],
                     (int)len, name, enders[e], (int)len, name, enders[e]);
            ms_received_hop hop = parse_hop(state, text);
            char want[64];
            snprintf(want, sizeof(want), "%.*s", (int)len, name);
            assert_non_null(hop.by_host);
            assert_string_equal(hop.by_host, want);
            assert_non_null(hop.id);
            assert_string_equal(hop.id, want);
            assert_non_null(hop.for_);
            assert_string_equal(hop.for_, want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_received_clauses_read_at_every_offset,
                                  teardown),
        cmocka_unit_test_teardown(
            test_received_glued_words_and_comment_semicolons, teardown),
        cmocka_unit_test_teardown(test_received_labels_found_at_every_offset,
                                  teardown),
        cmocka_unit_test_teardown(test_received_labels_cut_or_negated,
                                  teardown),
        cmocka_unit_test_teardown(test_received_first_words_of_every_length,
                                  teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
