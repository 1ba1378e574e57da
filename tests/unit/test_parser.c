/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the MIME tree parser through the public API: header
 * blocks, multipart splitting, boundary rules, recovery of hidden parts,
 * nested messages, classification and limits. Whole-mail behaviour with
 * realistic mails is pinned by the golden cases in tests/cases/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mailscope/message.h"

/* Parses a NUL-terminated mail with default options into a fresh arena
 * kept in *state. */
static ms_message *parse(void **state, const char *raw)
{
    ms_arena *a = ms_arena_new(0);
    assert_non_null(a);
    *state = a;
    ms_message *m = NULL;
    assert_int_equal(ms_message_parse(a, raw, strlen(raw), NULL, &m), MS_OK);
    assert_non_null(m);
    return m;
}

/* Frees the arena of a test. */
static int teardown(void **state)
{
    ms_arena_free(*state);
    return 0;
}

/* The text of the first part of a list as a NUL-terminated copy. */
static const char *text_of(const ms_part *p)
{
    static char buf[4096];
    size_t n = p->text_len < sizeof(buf) - 1 ? p->text_len : sizeof(buf) - 1;
    memcpy(buf, p->text, n);
    buf[n] = '\0';
    return buf;
}

/* Folded headers keep order and duplicates and are unfolded in value. */
static void test_parser_keeps_header_order_and_unfolds(void **state)
{
    ms_message *m = parse(state, "Received: from a\r\n\tby b; Mon, 1 Jan 2024 "
                                 "00:00:00 +0000\r\n"
                                 "Subject: hello\r\n  world\r\n"
                                 "X-Dup: 1\r\nX-Dup: 2\r\n\r\nbody\r\n");
    assert_int_equal(m->root->n_headers, 4);
    /* RFC 5322 2.2.3: unfolding removes the line break, keeps the blanks */
    assert_string_equal(m->subject, "hello  world");
    assert_int_equal(ms_message_header_count(m, "x-dup"), 2);
    assert_string_equal(ms_message_header(m, "SUBJECT")->value, "hello  world");
    assert_int_equal(m->n_text_plain, 1);
    assert_string_equal(text_of(m->text_plain[0]), "body\r\n");
}

/* A leading mbox From line is not a header and not a defect. */
static void test_parser_skips_mbox_envelope_line(void **state)
{
    ms_message *m = parse(state, "From someone@example.com Mon Jan  1 "
                                 "00:00:00 2024\nSubject: s\n\nx\n");
    assert_int_equal(m->root->n_headers, 1);
    assert_false(ms_message_has_defect(m, "MisplacedEnvelopeHeaderDefect"));
}

/* A line that is neither a field nor a continuation ends the headers. */
static void test_parser_line_without_colon_starts_body(void **state)
{
    ms_message *m = parse(state, "Subject: s\nthis is body\nmore\n");
    assert_int_equal(m->root->n_headers, 1);
    assert_true(ms_message_has_defect(m, "MissingHeaderBodySeparatorDefect"));
    assert_string_equal(text_of(m->text_plain[0]), "this is body\nmore\n");
}

/* A continuation line before any field is dropped with a defect. */
static void test_parser_first_line_continuation_is_a_defect(void **state)
{
    ms_message *m = parse(state, " folded\nSubject: s\n\nx");
    assert_true(
        ms_message_has_defect(m, "FirstHeaderLineIsContinuationDefect"));
    assert_string_equal(m->subject, "s");
}

/* The header scan that decides whether a value needs decoding reads
 * sixteen bytes at a time: an encoded word is found at every offset
 * (its "=?" split over two blocks too), a '=' without '?' after it
 * changes nothing, and a bare CR inside a folded value is dropped. */
static void test_parser_decodes_encoded_word_at_every_offset(void **state)
{
    for (size_t pad = 0; pad < 40; pad++) {
        char raw[256], want[128];
        int k = snprintf(raw, sizeof(raw),
                         "Subject: %.*s=?utf-8?q?caf=C3=A9?= x=y\n\nbody\n",
                         (int)pad, "0123456789012345678901234567890123456789");
        assert_true(k > 0 && (size_t)k < sizeof(raw));
        snprintf(want, sizeof(want), "%.*scaf\xc3\xa9 x=y", (int)pad,
                 "0123456789012345678901234567890123456789");
        ms_message *m = parse(state, raw);
        assert_string_equal(m->subject, want);
        ms_arena_free(*state);
        *state = NULL;
    }
    ms_message *m = parse(state, "Subject: key=value; a=b; c==d, 0123456789"
                                 "abcdef=\n"
                                 "X-Folded: one\r\n two\rthree\r\n\r\nbody\n");
    assert_string_equal(m->subject, "key=value; a=b; c==d, 0123456789abcdef=");
    assert_string_equal(ms_message_header(m, "X-Folded")->value,
                        "one twothree");
}

/* An address list is split before its display names are decoded, so
 * an encoded name that decodes to an address and a comma (a spoofing
 * trick: "x@example.org," shown as the sender) stays one name, wherever
 * the encoded word falls in the header (the check for one reads sixteen
 * bytes at a time, "=" and "?" possibly in two blocks). */
static void test_parser_encoded_comma_in_name_at_every_offset(void **state)
{
    static const char pad[] = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn";
    for (size_t n = 0; n < 40; n++) {
        char raw[512];
        snprintf(raw, sizeof(raw),
                 "To: %.*s@example.com, =?utf-8?q?x@example.org=2C?= "
                 "<j@example.com>\nBcc: a=b?c@example.com, %.*s "
                 "<x@example.com>\n\nbody\n",
                 (int)n + 1, pad, (int)n + 1, pad);
        ms_message *m = parse(state, raw);
        assert_int_equal(m->to.n, 2);
        assert_string_equal(m->to.items[1].name, "x@example.org,");
        assert_string_equal(m->to.items[1].address, "j@example.com");
        assert_int_equal(m->bcc.n, 2);
        assert_string_equal(m->bcc.items[0].address, "a=b?c@example.com");
        ms_arena_free(*state);
        *state = NULL;
    }
}

/* A header line whose name holds a byte that RFC 5322 does not allow in
 * one (a control, a space, DEL, an 8-bit byte) ends the headers, wherever
 * the byte falls in names up to two words long (the check reads eight
 * bytes at a time); '!' and '~', the ends of the allowed range, do not. */
static void test_parser_bad_byte_in_header_name_at_every_offset(void **state)
{
    static const unsigned char bad[] = {0x01, 0x1f, ' ', 0x7f, 0x80, 0xff};
    static const unsigned char good[] = {'!', '~', '9', 'Z'};
    for (size_t len = 1; len <= 17; len++) {
        for (size_t at = 0; at < len; at++) {
            for (size_t k = 0; k < sizeof(bad) + sizeof(good); k++) {
                bool is_bad = k < sizeof(bad);
                char name[18];
                memset(name, 'X', len);
                name[len] = '\0';
                name[at] = (char)(is_bad ? bad[k] : good[k - sizeof(bad)]);
                if (name[0] == ' ' || name[len - 1] == ' ')
                    continue; /* a continuation line, or the white space
                                 allowed before the colon */
                char raw[128];
                snprintf(raw, sizeof(raw),
                         "Subject: s\n%s: v\nX-After: w\n\nbody\n", name);
                ms_message *m = parse(state, raw);
                assert_int_equal(ms_message_has_defect(
                                     m, "MissingHeaderBodySeparatorDefect"),
                                 is_bad);
                assert_int_equal(ms_message_header(m, "X-After") != NULL,
                                 !is_bad);
                ms_arena_free(*state);
                *state = NULL;
            }
        }
    }
}

/* A uuencoded file inside a plain text part is taken out wherever its
 * "begin" line falls in the text (the search reads sixteen bytes at a
 * time), and "begin" inside a line is not the start of one. */
static void test_parser_finds_uuencoded_file_at_every_offset(void **state)
{
    for (size_t pad = 0; pad < 40; pad++) {
        char raw[512];
        int k = snprintf(raw, sizeof(raw),
                         "Subject: s\n\nsee the file, we begin now%.*s\n"
                         "begin 644 note.txt\n):&5L;&\\@=74*\n`\nend\n",
                         (int)pad, "........................................");
        assert_true(k > 0 && (size_t)k < sizeof(raw));
        ms_message *m = parse(state, raw);
        assert_int_equal(m->n_attachments, 1);
        assert_string_equal(m->attachments[0]->filename, "note.txt");
        assert_int_equal(m->attachments[0]->body_len, 9);
        ms_arena_free(*state);
        *state = NULL;
    }
    ms_message *m = parse(state, "Subject: s\n\nwe begin 644 x.txt here\n");
    assert_int_equal(m->n_attachments, 0);
}

static const char multipart_mail[] =
    "From: a@example.com\n"
    "Date: Tue, 5 Mar 2024 10:15:00 +0100\n"
    "Content-Type: multipart/mixed; boundary=\"abc\"\n"
    "\n"
    "preamble\n"
    "--abc\n"
    "Content-Type: text/plain\n"
    "\n"
    "first\n"
    "--abc\n"
    "Content-Type: multipart/alternative; boundary=\"abcdef\"\n"
    "\n"
    "--abcdef\n"
    "Content-Type: text/plain\n"
    "\n"
    "alt plain\n"
    "--abcdef\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>alt html</p>\n"
    "--abcdef--\n"
    "--abc\n"
    "Content-Type: application/pdf; name=\"doc.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBERi0=\n"
    "--abc--\n"
    "epilogue\n";

/* Parts are split on delimiters; a boundary that is a prefix of another
 * does not match the longer one; paths number the tree. */
static void test_parser_splits_nested_multiparts(void **state)
{
    ms_message *m = parse(state, multipart_mail);
    ms_part *root = m->root;
    assert_true(root->is_multipart);
    assert_int_equal(root->n_children, 3);
    assert_memory_equal(root->preamble.p, "preamble", 8);
    assert_int_equal(root->preamble.n, 8);
    assert_memory_equal(root->epilogue.p, "epilogue\n", 9);
    ms_part *alt = root->first_child->next;
    assert_string_equal(alt->path, "2");
    assert_int_equal(alt->n_children, 2);
    assert_string_equal(alt->first_child->next->path, "2.2");
    assert_int_equal(m->n_text_plain, 2);
    assert_string_equal(text_of(m->text_plain[0]), "first");
    assert_string_equal(text_of(m->text_plain[1]), "alt plain");
    assert_int_equal(m->n_text_html, 1);
    assert_int_equal(m->n_attachments, 1);
    assert_string_equal(m->attachments[0]->filename, "doc.pdf");
    assert_string_equal(m->attachments[0]->path, "3");
    assert_int_equal(m->attachments[0]->body_len, 5);
    assert_memory_equal(m->attachments[0]->body, "%PDF-", 5);
    assert_false(m->defects_truncated);
    assert_int_equal(m->n_defects, 0);
}

/* A nested multipart reusing its parent's boundary pushes the real parts
 * behind the close delimiter; they are recovered and flagged. */
static void test_parser_recovers_parts_hidden_in_epilogue(void **state)
{
    ms_message *m =
        parse(state, "Content-Type: multipart/mixed; boundary=\"X\"\n\n"
                     "--X\n"
                     "Content-Type: multipart/alternative; "
                     "boundary=\"X\"\n\n"
                     "--X\n"
                     "Content-Type: text/plain\n\nhi\n"
                     "--X--\n\n"
                     "--X\n"
                     "Content-Type: application/zip; name=\"a.zip\"\n"
                     "Content-Transfer-Encoding: base64\n\n"
                     "UEsDBA==\n"
                     "--X--\n");
    assert_true(ms_message_has_defect(m, "StartBoundaryNotFoundDefect") ||
                ms_message_has_defect(m, "MultipartInvariantViolationDefect"));
    assert_true(ms_message_has_defect(m, "PartsInEpilogueDefect"));
    assert_int_equal(m->n_attachments, 1);
    assert_string_equal(m->attachments[0]->filename, "a.zip");
    assert_true(m->attachments[0]->is_recovered);
    assert_int_equal(m->n_text_plain, 1);
}

/* A missing close delimiter keeps the last part and adds a defect. */
static void test_parser_missing_close_boundary(void **state)
{
    ms_message *m =
        parse(state, "Content-Type: multipart/mixed; boundary=b1\n\n"
                     "--b1\nContent-Type: text/plain\n\none\n"
                     "--b1\nContent-Type: text/plain\n\ntwo\n");
    assert_int_equal(m->root->n_children, 2);
    assert_true(ms_message_has_defect(m, "CloseBoundaryNotFoundDefect"));
    assert_string_equal(text_of(m->text_plain[1]), "two\n");
}

/* Without a boundary parameter the delimiter used by the body is found. */
static void test_parser_guesses_missing_boundary(void **state)
{
    ms_message *m = parse(state, "Content-Type: multipart/mixed\n\n"
                                 "--zz\nContent-Type: text/plain\n\none\n"
                                 "--zz\nContent-Type: text/html\n\n<b>two</b>\n"
                                 "--zz--\n");
    assert_true(ms_message_has_defect(m, "NoBoundaryInMultipartDefect"));
    assert_int_equal(m->root->n_children, 2);
    assert_int_equal(m->n_text_html, 1);
}

/* Delimiters may carry trailing white space (RFC 2046 transport
 * padding). */
static void test_parser_accepts_trailing_whitespace_on_delimiter(void **state)
{
    ms_message *m =
        parse(state, "Content-Type: multipart/mixed; boundary=q\r\n\r\n"
                     "--q  \t\r\nContent-Type: text/plain\r\n\r\none\r\n"
                     "--q-- \r\n");
    assert_int_equal(m->root->n_children, 1);
    assert_string_equal(text_of(m->text_plain[0]), "one");
    assert_false(ms_message_has_defect(m, "CloseBoundaryNotFoundDefect"));
}

/* message/rfc822 parts are parsed recursively; digest children default
 * to message/rfc822. */
static void test_parser_descends_into_embedded_messages(void **state)
{
    ms_message *m =
        parse(state, "Content-Type: multipart/digest; boundary=d\n\n"
                     "--d\n\n"
                     "Subject: inner\n"
                     "Content-Type: text/plain\n\ninner body\n"
                     "--d--\n");
    ms_part *msg = m->root->first_child;
    assert_non_null(msg);
    assert_string_equal(msg->content_type, "message/rfc822");
    assert_true(msg->is_message);
    assert_int_equal(msg->n_children, 1);
    assert_string_equal(msg->first_child->path, "1.1");
    assert_string_equal(ms_part_header(msg->first_child, "subject")->value,
                        "inner");
    assert_int_equal(m->n_text_plain, 1);
}

/* The part ceiling stops the tree and records one limit defect. */
static void test_parser_part_limit_is_a_defect(void **state)
{
    char raw[20000];
    size_t k = (size_t)snprintf(
        raw, sizeof(raw), "Content-Type: multipart/mixed; boundary=b\n\n");
    for (int i = 0; i < 300; i++)
        k += (size_t)snprintf(raw + k, sizeof(raw) - k, "--b\n\npart %d\n", i);
    snprintf(raw + k, sizeof(raw) - k, "--b--\n");
    ms_arena *a = ms_arena_new(0);
    *state = a;
    ms_parse_options opt;
    ms_parse_options_default(&opt);
    opt.max_parts = 50;
    ms_message *m = NULL;
    assert_int_equal(ms_message_parse(a, raw, strlen(raw), &opt, &m), MS_OK);
    assert_true(m->n_parts <= 50);
    assert_true(ms_message_has_defect(m, "limit_parts"));
}

/* NUL bytes and bare CRs are noted; the parse goes on. */
static void test_parser_notes_nul_and_bare_cr(void **state)
{
    static const char raw[] = "Subject: a\rb\n\nbo\0dy\n";
    ms_arena *a = ms_arena_new(0);
    *state = a;
    ms_message *m = NULL;
    assert_int_equal(ms_message_parse(a, raw, sizeof(raw) - 1, NULL, &m),
                     MS_OK);
    assert_true(ms_message_has_defect(m, "NulByteDefect"));
    assert_true(ms_message_has_defect(m, "BareCarriageReturnDefect"));
    assert_int_equal(m->n_text_plain, 1);
}

/* Empty input is a message with no headers, not an error. */
static void test_parser_accepts_empty_input(void **state)
{
    ms_message *m = parse(state, "");
    assert_int_equal(m->root->n_headers, 0);
    assert_true(ms_message_has_defect(m, "MissingFromDefect"));
}

/* A Content-ID with a non-text type makes an attachment; inline text with
 * a Content-ID does not. */
static void test_parser_attachment_rule(void **state)
{
    ms_message *m =
        parse(state, "Content-Type: multipart/related; boundary=r\n\n"
                     "--r\nContent-Type: text/html\nContent-ID: <t1>\n\n"
                     "<img src=cid:i1>\n"
                     "--r\nContent-Type: image/png\nContent-ID: <i1>\n"
                     "Content-Transfer-Encoding: base64\n\niVBORw==\n"
                     "--r\nContent-Type: text/plain\n"
                     "Content-Disposition: attachment\n\nnotes\n"
                     "--r--\n");
    assert_int_equal(m->n_text_html, 1);
    assert_int_equal(m->n_attachments, 2);
    assert_string_equal(m->attachments[0]->content_id, "i1");
    assert_null(m->attachments[1]->filename);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_parser_keeps_header_order_and_unfolds,
                                  teardown),
        cmocka_unit_test_teardown(
            test_parser_decodes_encoded_word_at_every_offset, teardown),
        cmocka_unit_test_teardown(
            test_parser_encoded_comma_in_name_at_every_offset, teardown),
        cmocka_unit_test_teardown(
            test_parser_bad_byte_in_header_name_at_every_offset, teardown),
        cmocka_unit_test_teardown(
            test_parser_finds_uuencoded_file_at_every_offset, teardown),
        cmocka_unit_test_teardown(test_parser_skips_mbox_envelope_line,
                                  teardown),
        cmocka_unit_test_teardown(test_parser_line_without_colon_starts_body,
                                  teardown),
        cmocka_unit_test_teardown(
            test_parser_first_line_continuation_is_a_defect, teardown),
        cmocka_unit_test_teardown(test_parser_splits_nested_multiparts,
                                  teardown),
        cmocka_unit_test_teardown(test_parser_recovers_parts_hidden_in_epilogue,
                                  teardown),
        cmocka_unit_test_teardown(test_parser_missing_close_boundary, teardown),
        cmocka_unit_test_teardown(test_parser_guesses_missing_boundary,
                                  teardown),
        cmocka_unit_test_teardown(
            test_parser_accepts_trailing_whitespace_on_delimiter, teardown),
        cmocka_unit_test_teardown(test_parser_descends_into_embedded_messages,
                                  teardown),
        cmocka_unit_test_teardown(test_parser_part_limit_is_a_defect, teardown),
        cmocka_unit_test_teardown(test_parser_notes_nul_and_bare_cr, teardown),
        cmocka_unit_test_teardown(test_parser_accepts_empty_input, teardown),
        cmocka_unit_test_teardown(test_parser_attachment_rule, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
