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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_received_clauses_read_at_every_offset,
                                  teardown),
        cmocka_unit_test_teardown(
            test_received_glued_words_and_comment_semicolons, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
