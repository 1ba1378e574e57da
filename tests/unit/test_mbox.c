/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of mbox handling in the mail sources: where an mbox splits
 * (only on "From " after a blank line), what each mail holds (the From_
 * line, ">From " unescaped by one level), the offsets, CRLF files, a
 * last mail without a newline, stopping early, and telling an mbox from a
 * mail whose first header is "From:".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/source.h"

/* Most mails one test collects. */
#define MAX_MAILS 8

/* What the split handed over. */
typedef struct collected {
    char *mail[MAX_MAILS];
    size_t len[MAX_MAILS];
    long long offset[MAX_MAILS];
    size_t n;
    size_t stop_after; /* 0: never stop */
} collected;

/* Split callback: keeps each mail (it owns data). */
static bool collect(void *ctx, const ms_origin *o, char *data, size_t len,
                    const char *reason)
{
    collected *c = ctx;
    assert_null(reason);
    assert_true(c->n < MAX_MAILS);
    assert_string_equal(o->mailbox, "box");
    c->mail[c->n] = data;
    c->len[c->n] = len;
    c->offset[c->n] = o->mbox_offset;
    c->n++;
    return c->stop_after == 0 || c->n < c->stop_after;
}

/* Frees what collect kept. */
static void release(collected *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->mail[i]);
}

/* Splits a NUL-terminated mbox text. */
static bool split(const char *text, collected *c)
{
    return ms_source_split_mbox(text, strlen(text), "box", collect, c);
}

/* Three mails, each keeping its From_ line, at the right offsets; the
 * blank line before each separator belongs to the format, not the mail. */
static void test_mbox_splits_on_from_lines_after_blank_lines(void **state)
{
    (void)state;
    static const char box[] = "From a@x Mon Jan  1 00:00:00 2024\n"
                              "Subject: one\n\nbody one\n\n"
                              "From b@x Mon Jan  1 00:00:01 2024\n"
                              "Subject: two\n\nbody two\n\n"
                              "From c@x Mon Jan  1 00:00:02 2024\n"
                              "Subject: three\n\nbody three\n\n";
    collected c = {0};
    assert_true(split(box, &c));
    assert_int_equal(c.n, 3);
    assert_string_equal(c.mail[0], "From a@x Mon Jan  1 00:00:00 2024\n"
                                   "Subject: one\n\nbody one\n");
    assert_int_equal(c.offset[0], 0);
    assert_int_equal(c.offset[1], strstr(box, "From b@x") - box);
    assert_int_equal(c.offset[2], strstr(box, "From c@x") - box);
    assert_string_equal(c.mail[2], "From c@x Mon Jan  1 00:00:02 2024\n"
                                   "Subject: three\n\nbody three\n");
    release(&c);
}

/* "From " inside a paragraph (no blank line before it) is text, not a
 * separator: splitting there would cut a mail in two. */
static void test_from_inside_a_paragraph_does_not_split(void **state)
{
    (void)state;
    static const char box[] = "From a@x Mon Jan  1 00:00:00 2024\n"
                              "Subject: one\n\nline\nFrom here on\nend\n";
    collected c = {0};
    assert_true(split(box, &c));
    assert_int_equal(c.n, 1);
    assert_non_null(strstr(c.mail[0], "\nFrom here on\n"));
    release(&c);
}

/* ">From " loses one '>' (mboxrd); ">>From " becomes ">From "; a '>'
 * before anything else, or in the middle of a line, stays. */
static void test_escaped_from_lines_lose_one_quote_level(void **state)
{
    (void)state;
    static const char box[] = "From a@x Mon Jan  1 00:00:00 2024\n"
                              "Subject: q\n\n>From the start\n"
                              ">>From deeper\n>Fromage\n> quoted\n"
                              "a >From b\n";
    collected c = {0};
    assert_true(split(box, &c));
    assert_int_equal(c.n, 1);
    assert_string_equal(c.mail[0], "From a@x Mon Jan  1 00:00:00 2024\n"
                                   "Subject: q\n\nFrom the start\n"
                                   ">From deeper\n>Fromage\n> quoted\n"
                                   "a >From b\n");
    assert_int_equal(c.len[0], strlen(c.mail[0]));
    release(&c);
}

/* CRLF files split too, and the last mail may end without a newline. */
static void test_crlf_mbox_and_unterminated_last_mail(void **state)
{
    (void)state;
    static const char box[] = "From a@x Mon Jan  1 00:00:00 2024\r\n"
                              "Subject: one\r\n\r\nbody\r\n\r\n"
                              "From b@x Mon Jan  1 00:00:01 2024\r\n"
                              "Subject: two\r\n\r\nno newline";
    collected c = {0};
    assert_true(split(box, &c));
    assert_int_equal(c.n, 2);
    assert_non_null(strstr(c.mail[0], "Subject: one"));
    assert_null(strstr(c.mail[0], "Subject: two"));
    /* the separator's blank line goes whole, its \r too */
    assert_string_equal(c.mail[0] + c.len[0] - 6, "body\r\n");
    assert_int_equal(c.offset[1], strstr(box, "From b@x") - box);
    assert_int_equal(c.len[1], strlen("From b@x Mon Jan  1 00:00:01 2024\r\n"
                                      "Subject: two\r\n\r\nno newline"));
    release(&c);
}

/* A callback that says stop ends the split: the rest is not handed
 * over (and split reports it). */
static void test_callback_can_stop_the_split(void **state)
{
    (void)state;
    static const char box[] = "From a@x Mon Jan  1 00:00:00 2024\nA: 1\n\n"
                              "From b@x Mon Jan  1 00:00:00 2024\nA: 2\n\n"
                              "From c@x Mon Jan  1 00:00:00 2024\nA: 3\n";
    collected c = {0};
    c.stop_after = 2;
    assert_false(split(box, &c));
    assert_int_equal(c.n, 2);
    release(&c);
}

/* An mbox starts with "From " and has another separator; a mail whose
 * first header is "From:" is not one, nor is a single From_ message. */
static void test_mbox_detection(void **state)
{
    (void)state;
    static const char box[] = "From a@x Mon Jan  1 00:00:00 2024\nA: 1\n\n"
                              "From b@x Mon Jan  1 00:00:00 2024\nA: 2\n";
    static const char mail[] = "From: a@x\nSubject: s\n\nFrom me\n";
    static const char single[] = "From a@x Mon Jan  1 00:00:00 2024\nA: 1\n";
    assert_true(ms_source_is_mbox(box, strlen(box)));
    assert_false(ms_source_is_mbox(mail, strlen(mail)));
    assert_false(ms_source_is_mbox(single, strlen(single)));
    assert_false(ms_source_is_mbox("From", 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbox_splits_on_from_lines_after_blank_lines),
        cmocka_unit_test(test_from_inside_a_paragraph_does_not_split),
        cmocka_unit_test(test_escaped_from_lines_lose_one_quote_level),
        cmocka_unit_test(test_crlf_mbox_and_unterminated_last_mail),
        cmocka_unit_test(test_callback_can_stop_the_split),
        cmocka_unit_test(test_mbox_detection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
