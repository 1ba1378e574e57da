/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Content-Transfer-Encoding decoders: base64 with the
 * damage real mail carries (line breaks, junk characters, lost or extra
 * padding, concatenated chunks, a dangling character), quoted-printable
 * (soft breaks with padding spaces, lower-case hex, broken escapes, the
 * RFC 2047 Q form), uuencode (whole bodies and blocks inside text, lost
 * "end" lines, stripped trailing spaces) and the dispatcher by encoding
 * name with its output ceiling. Expected bytes come from the RFCs'
 * alphabets or from Python's binascii, not from this code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mime/transfer.h"

/* A message that only collects defects, in its own arena. */
typedef struct fixture {
    ms_arena *a;
    ms_message m;
} fixture;

/* Creates the arena and the defect collector of one test. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    f->a = ms_arena_new(16u << 20);
    if (f->a == NULL) {
        free(f);
        return -1;
    }
    f->m.arena = f->a;
    f->m.max_defects = 100;
    *state = f;
    return 0;
}

/* Frees what setup made. */
static int teardown(void **state)
{
    fixture *f = *state;
    ms_arena_free(f->a);
    free(f);
    return 0;
}

/* Counts the recorded defects of one type. */
static size_t count_defects(const ms_message *m, const char *type)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n_defects; i++)
        k += strcmp(m->defects[i].type, type) == 0;
    return k;
}

/* Decodes base64 text given as a C string. */
static size_t b64(fixture *f, const char *text, unsigned char **out)
{
    size_t len = 99;
    assert_int_equal(
        ms_base64_decode(f->a, &f->m, "1", text, strlen(text), out, &len),
        MS_OK);
    assert_int_equal((*out)[len], '\0');
    return len;
}

/* Decodes quoted-printable text given as a C string. */
static size_t qp(fixture *f, const char *text, bool header_mode,
                 unsigned char **out)
{
    size_t len = 99;
    assert_int_equal(ms_qp_decode(f->a, &f->m, "1", text, strlen(text),
                                  header_mode, out, &len),
                     MS_OK);
    assert_int_equal((*out)[len], '\0');
    return len;
}

/* Encodes bytes as base64 lines of 76 characters with CRLF, the way
 * mailers write attachments: a reference encoder for round trips. */
static size_t encode_base64_lines(const unsigned char *p, size_t n, char *dst)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, col = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        dst[o++] = alphabet[v >> 18 & 63];
        dst[o++] = alphabet[v >> 12 & 63];
        dst[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        dst[o++] = i + 2 < n ? alphabet[v & 63] : '=';
        col += 4;
        if (col == 76) {
            dst[o++] = '\r';
            dst[o++] = '\n';
            col = 0;
        }
    }
    dst[o] = '\0';
    return o;
}

/* A base64 attachment of 1000 bytes in 76-column CRLF lines decodes to
 * exactly its bytes with no defect. */
static void test_base64_decodes_a_line_wrapped_attachment(void **state)
{
    fixture *f = *state;
    unsigned char bytes[1000];
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)(i * 131 + 7);
    static char text[2000];
    encode_base64_lines(bytes, sizeof(bytes), text);
    unsigned char *out;
    assert_int_equal(b64(f, text, &out), sizeof(bytes));
    assert_memory_equal(out, bytes, sizeof(bytes));
    assert_int_equal(f->m.n_defects, 0);
}

/* The RFC 4648 test vectors, padded and not. */
static void test_base64_decodes_the_rfc4648_vectors(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(b64(f, "", &out), 0);
    assert_int_equal(b64(f, "Zg==", &out), 1);
    assert_memory_equal(out, "f", 1);
    assert_int_equal(b64(f, "Zm8=", &out), 2);
    assert_memory_equal(out, "fo", 2);
    assert_int_equal(b64(f, "Zm9vYmFy", &out), 6);
    assert_memory_equal(out, "foobar", 6);
    assert_int_equal(b64(f, "SGVsbG8sIFdvcmxkIQ==", &out), 13);
    assert_memory_equal(out, "Hello, World!", 13);
    assert_int_equal(f->m.n_defects, 0);
}

/* Spaces, tabs and line ends anywhere, even inside a quad, are skipped
 * without a defect. */
static void test_base64_skips_whitespace_between_quads(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(b64(f, " SG Vs\tbG8s\r\nIFdv\ncmxk IQ==\r\n", &out), 13);
    assert_memory_equal(out, "Hello, World!", 13);
    assert_int_equal(f->m.n_defects, 0);
}

/* Bytes outside the alphabet are skipped and noted once, however many. */
static void test_base64_skips_junk_characters_and_notes_them_once(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(b64(f, "SG*Vs!bG8s\x80IFdvcmxkIQ==.", &out), 13);
    assert_memory_equal(out, "Hello, World!", 13);
    assert_int_equal(count_defects(&f->m, "InvalidBase64CharactersDefect"), 1);
    assert_int_equal(f->m.n_defects, 1);
}

/* A last group without its padding is still decoded; the lost padding
 * is noted. */
static void test_base64_missing_padding_keeps_the_last_bytes(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(b64(f, "SGVsbG8", &out), 5);
    assert_memory_equal(out, "Hello", 5);
    assert_int_equal(count_defects(&f->m, "InvalidBase64PaddingDefect"), 1);
}

/* One '=' where two are due, and two where one is due, are noted. */
static void test_base64_wrong_padding_is_noted(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(b64(f, "QQ=", &out), 1);
    assert_memory_equal(out, "A", 1);
    assert_int_equal(count_defects(&f->m, "InvalidBase64PaddingDefect"), 1);
    assert_int_equal(b64(f, "QUI==", &out), 2);
    assert_memory_equal(out, "AB", 2);
    assert_int_equal(count_defects(&f->m, "InvalidBase64PaddingDefect"), 2);
    assert_int_equal(b64(f, "=QUJD", &out), 3);
    assert_memory_equal(out, "ABC", 3);
    assert_int_equal(count_defects(&f->m, "InvalidBase64PaddingDefect"), 3);
}

/* Two chunks encoded separately and glued together ("QQ==QUI=") decode
 * to both, the data after the padding noted. */
static void test_base64_decodes_data_after_padding(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(b64(f, "QQ==\r\nQUI=\r\n", &out), 3);
    assert_memory_equal(out, "AAB", 3);
    assert_int_equal(count_defects(&f->m, "InvalidBase64PaddingDefect"), 1);
    assert_int_equal(f->m.n_defects, 1);
}

/* A single character left over carries six bits, not a byte: dropped
 * and noted, the bytes before it kept. */
static void test_base64_dangling_character_is_noted(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(b64(f, "QUJDR", &out), 3);
    assert_memory_equal(out, "ABC", 3);
    assert_int_equal(count_defects(&f->m, "InvalidBase64LengthDefect"), 1);
    assert_int_equal(count_defects(&f->m, "InvalidBase64PaddingDefect"), 0);
}

/* Without a message the decoder works and records nothing. */
static void test_base64_works_without_a_message(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    size_t len;
    assert_int_equal(ms_base64_decode(f->a, NULL, "1", "Q*Q", 3, &out, &len),
                     MS_OK);
    assert_int_equal(len, 1);
    assert_int_equal(out[0], 'A');
}

/* Upper- and lower-case escapes both decode (UTF-8 "café"). */
static void test_qp_decodes_escapes_in_either_case(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(qp(f, "caf=C3=A9 caf=c3=a9", false, &out), 11);
    assert_memory_equal(out, "caf\xc3\xa9 caf\xc3\xa9", 11);
    assert_int_equal(f->m.n_defects, 0);
}

/* Soft line breaks vanish with CRLF, with LF, and with the padding
 * spaces some gateways leave before the line end; hard breaks stay. */
static void test_qp_soft_line_breaks_are_removed(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    size_t len = qp(f,
                    "Dear cust=\r\nomer, your acc=\nount is=  \t\r\n "
                    "locked.\r\nClick here=",
                    false, &out);
    const char *want = "Dear customer, your account is locked.\r\nClick here";
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
    assert_int_equal(f->m.n_defects, 0);
}

/* An '=' not followed by two hex digits is kept as written and noted. */
static void test_qp_invalid_escape_is_kept_literally(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    size_t len = qp(f, "100=% off, =G1 =4 x", false, &out);
    assert_int_equal(len, strlen("100=% off, =G1 =4 x"));
    assert_memory_equal(out, "100=% off, =G1 =4 x", len);
    assert_int_equal(count_defects(&f->m, "InvalidQuotedPrintableDefect"), 1);
}

/* In the RFC 2047 Q form '_' is a space; in a body it is an underscore. */
static void test_qp_header_mode_reads_underscore_as_space(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(qp(f, "caf=E9_au_lait", true, &out), 12);
    assert_memory_equal(out, "caf\xe9 au lait", 12);
    assert_int_equal(qp(f, "snake_case", false, &out), 10);
    assert_memory_equal(out, "snake_case", 10);
    assert_int_equal(f->m.n_defects, 0);
}

/* A header has no soft line breaks: "=" before a line end or at the end
 * is kept and noted. */
static void test_qp_header_mode_has_no_soft_breaks(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    assert_int_equal(qp(f, "a=\nb", true, &out), 4);
    assert_memory_equal(out, "a=\nb", 4);
    assert_int_equal(qp(f, "caf=", true, &out), 4);
    assert_memory_equal(out, "caf=", 4);
    assert_int_equal(count_defects(&f->m, "InvalidQuotedPrintableDefect"), 2);
}

/* Lines of 100 bytes encoded by Python's binascii.b2a_uu (space for zero
 * bits, trailing spaces stripped by a mailer) in CRLF lines. */
static const char uu_lines[] =
    "M\"S!5>I_$Z0XS6'VBQ^P1-EN I<KO%#E>@ZC-\\A<\\88:KT/4:/V2)KM/X'4)G\r\n"
    "MC+'6^R!%:H^TV?XC2&V2M]P!)DMPE;K?!\"E.<YB]X@<L47:;P.4*+U1YGL/H\r\n"
    "*#3)7?*'&ZQ U6@\r\n"
    "`\r\n"
    "end\r\n";

/* Checks that out holds the 100 bytes of uu_lines. */
static void assert_uu_bytes(const unsigned char *out, size_t len)
{
    assert_int_equal(len, 100);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(out[i], (unsigned char)(i * 37 + 11));
}

/* A uuencoded body decodes to its bytes; the note before the begin line
 * is skipped, the file name is read, and stripped trailing spaces are no
 * defect. */
static void test_uu_decodes_a_body_after_a_note(void **state)
{
    fixture *f = *state;
    char text[1024];
    snprintf(text, sizeof(text),
             "Here is the file you asked for.\r\n\r\nbegin 644 "
             "report.bin\r\n%s",
             uu_lines);
    unsigned char *out;
    size_t len;
    const char *name;
    assert_int_equal(
        ms_uu_decode(f->a, &f->m, "1", text, strlen(text), &out, &len, &name),
        MS_OK);
    assert_uu_bytes(out, len);
    assert_string_equal(name, "report.bin");
    assert_int_equal(f->m.n_defects, 0);
}

/* Without a begin line decoding starts at the top and the name is NULL;
 * a missing "end" is noted. */
static void test_uu_without_begin_or_end(void **state)
{
    fixture *f = *state;
    unsigned char *out;
    size_t len;
    const char *name = "x";
    static const char text[] = "#0V%T\n";
    assert_int_equal(
        ms_uu_decode(f->a, &f->m, "1", text, strlen(text), &out, &len, &name),
        MS_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "Cat", 3);
    assert_null(name);
    assert_int_equal(count_defects(&f->m, "InvalidUuencodeDefect"), 1);
}

/* A line of prose inside the data is skipped and noted; the data after
 * it still decodes. */
static void test_uu_skips_a_bad_line_in_a_body(void **state)
{
    fixture *f = *state;
    static const char text[] = "begin 600 c\n#0V%T\nsorry, wrong paste\n"
                               "#0V%T\n`\nend\n";
    unsigned char *out;
    size_t len;
    assert_int_equal(
        ms_uu_decode(f->a, &f->m, "1", text, strlen(text), &out, &len, NULL),
        MS_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(out, "CatCat", 6);
    assert_int_equal(count_defects(&f->m, "InvalidUuencodeDefect"), 1);
}

/* A line shorter than its length character says is noted, and hostile
 * lines that claim 45 bytes each never yield more bytes than the input
 * holds. */
static void test_uu_short_lines_never_outgrow_the_input(void **state)
{
    fixture *f = *state;
    static const char text[] = "M\nM\nM\nM!\nM!!\n";
    unsigned char *out;
    size_t len;
    assert_int_equal(
        ms_uu_decode(f->a, &f->m, "1", text, strlen(text), &out, &len, NULL),
        MS_OK);
    assert_true(len <= strlen(text));
    assert_int_equal(count_defects(&f->m, "InvalidUuencodeDefect"), 1);
}

/* Two blocks inside a text body are found with their offsets, names and
 * bytes; the text around them is left alone. */
static void test_uu_finds_blocks_inside_text(void **state)
{
    fixture *f = *state;
    char text[1024];
    snprintf(text, sizeof(text),
             "Hi,\r\nsee below.\r\nbegin 644 report.bin\r\n%sBye\r\n"
             "begin 0755 cat.txt\r\n#0V%%T\r\n`\r\nend\r\n",
             uu_lines);
    ms_uu_block *blocks;
    size_t n_blocks;
    assert_int_equal(ms_uu_find_blocks(f->a, &f->m, "1", text, strlen(text), 4,
                                       &blocks, &n_blocks),
                     MS_OK);
    assert_int_equal(n_blocks, 2);
    const char *first = strstr(text, "begin 644");
    const char *bye = strstr(text, "Bye");
    const char *second = strstr(text, "begin 0755");
    assert_int_equal(blocks[0].start, (size_t)(first - text));
    assert_int_equal(blocks[0].end, (size_t)(bye - text));
    assert_string_equal(blocks[0].filename, "report.bin");
    assert_uu_bytes(blocks[0].data, blocks[0].len);
    assert_int_equal(blocks[1].start, (size_t)(second - text));
    assert_int_equal(blocks[1].end, strlen(text));
    assert_string_equal(blocks[1].filename, "cat.txt");
    assert_int_equal(blocks[1].len, 3);
    assert_memory_equal(blocks[1].data, "Cat", 3);
    assert_int_equal(f->m.n_defects, 0);
}

/* A block whose "end" line was lost ends at the first line of prose,
 * which stays text; the loss is noted. */
static void test_uu_block_without_end_stops_at_prose(void **state)
{
    fixture *f = *state;
    static const char text[] = "begin 644 cat.txt\n#0V%T\n\nRegards,\nBob\n";
    ms_uu_block *blocks;
    size_t n_blocks;
    assert_int_equal(ms_uu_find_blocks(f->a, &f->m, "1", text, strlen(text), 4,
                                       &blocks, &n_blocks),
                     MS_OK);
    assert_int_equal(n_blocks, 1);
    assert_int_equal(blocks[0].len, 3);
    assert_memory_equal(blocks[0].data, "Cat", 3);
    assert_int_equal(blocks[0].end, (size_t)(strstr(text, "Regards") - text));
    assert_int_equal(count_defects(&f->m, "InvalidUuencodeDefect"), 1);
}

/* Prose that starts with "begin", a begin line inside a line, and a
 * begin line without an octal mode are not blocks. */
static void test_uu_ignores_lines_that_only_look_like_begin(void **state)
{
    fixture *f = *state;
    static const char text[] = "begin the meeting at 10\n"
                               "we will begin 644 tasks\n"
                               "begin 999 x.exe\n#0V%T\nend\n"
                               "begin 644\n";
    ms_uu_block *blocks = (ms_uu_block *)1;
    size_t n_blocks = 9;
    assert_int_equal(ms_uu_find_blocks(f->a, &f->m, "1", text, strlen(text), 4,
                                       &blocks, &n_blocks),
                     MS_OK);
    assert_int_equal(n_blocks, 0);
    assert_null(blocks);
    assert_int_equal(f->m.n_defects, 0);
}

/* Blocks past max_blocks are left alone and the ceiling is noted. */
static void test_uu_block_ceiling_is_noted(void **state)
{
    fixture *f = *state;
    static const char text[] = "begin 644 a\n#0V%T\nend\n"
                               "begin 644 b\n#0V%T\nend\n";
    ms_uu_block *blocks;
    size_t n_blocks;
    assert_int_equal(ms_uu_find_blocks(f->a, &f->m, "1", text, strlen(text), 1,
                                       &blocks, &n_blocks),
                     MS_OK);
    assert_int_equal(n_blocks, 1);
    assert_string_equal(blocks[0].filename, "a");
    assert_int_equal(count_defects(&f->m, "limit_uuencoded_blocks"), 1);
}

/* Encoding names are matched in any case with white space around. */
static void test_transfer_decode_dispatches_by_name(void **state)
{
    fixture *f = *state;
    const unsigned char *out;
    size_t len;
    assert_int_equal(ms_transfer_decode(f->a, &f->m, "1", " Base64\t", "Q2F0",
                                        4, 0, &out, &len),
                     MS_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "Cat", 3);
    assert_int_equal(ms_transfer_decode(f->a, &f->m, "1", "QUOTED-PRINTABLE",
                                        "C=61t", 5, 0, &out, &len),
                     MS_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "Cat", 3);
    static const char *const uu_names[] = {"x-uuencode", "uuencode", "X-UUE"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ms_transfer_decode(f->a, &f->m, "1", uu_names[i],
                                            "begin 644 c\n#0V%T\nend\n", 22, 0,
                                            &out, &len),
                         MS_OK);
        assert_int_equal(len, 3);
        assert_memory_equal(out, "Cat", 3);
    }
    assert_int_equal(f->m.n_defects, 0);
}

/* 7bit, 8bit, binary, empty and missing encodings hand back the input
 * itself, not a copy. */
static void test_transfer_decode_identity_does_not_copy(void **state)
{
    fixture *f = *state;
    static const char body[] = "plain =41 text";
    static const char *const names[] = {"7bit", "8BIT", "binary", "", NULL};
    for (size_t i = 0; i < 5; i++) {
        const unsigned char *out = NULL;
        size_t len = 0;
        assert_int_equal(ms_transfer_decode(f->a, &f->m, "1", names[i], body,
                                            strlen(body), 0, &out, &len),
                         MS_OK);
        assert_ptr_equal(out, body);
        assert_int_equal(len, strlen(body));
    }
    assert_int_equal(f->m.n_defects, 0);
}

/* An unknown encoding is read as 8bit and noted. */
static void test_transfer_decode_unknown_encoding_is_identity(void **state)
{
    fixture *f = *state;
    const unsigned char *out;
    size_t len;
    assert_int_equal(ms_transfer_decode(f->a, &f->m, "1", "x-gzip64", "Q2F0", 4,
                                        0, &out, &len),
                     MS_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "Q2F0", 4);
    assert_int_equal(count_defects(&f->m, "UnknownTransferEncodingDefect"), 1);
}

/* Output past max_out is cut there and noted, decoded or not. */
static void test_transfer_decode_cuts_at_the_ceiling(void **state)
{
    fixture *f = *state;
    const unsigned char *out;
    size_t len;
    assert_int_equal(ms_transfer_decode(f->a, &f->m, "1", "base64",
                                        "SGVsbG8sIFdvcmxkIQ==", 20, 5, &out,
                                        &len),
                     MS_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(out, "Hello", 5);
    assert_int_equal(ms_transfer_decode(f->a, &f->m, "1", "7bit", "abcdefgh", 8,
                                        3, &out, &len),
                     MS_OK);
    assert_int_equal(len, 3);
    assert_int_equal(ms_transfer_decode(f->a, &f->m, "1", "base64", "Q2F0", 4,
                                        3, &out, &len),
                     MS_OK);
    assert_int_equal(len, 3);
    assert_int_equal(count_defects(&f->m, "limit_decoded_bytes"), 2);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_base64_decodes_a_line_wrapped_attachment),
        T(test_base64_decodes_the_rfc4648_vectors),
        T(test_base64_skips_whitespace_between_quads),
        T(test_base64_skips_junk_characters_and_notes_them_once),
        T(test_base64_missing_padding_keeps_the_last_bytes),
        T(test_base64_wrong_padding_is_noted),
        T(test_base64_decodes_data_after_padding),
        T(test_base64_dangling_character_is_noted),
        T(test_base64_works_without_a_message),
        T(test_qp_decodes_escapes_in_either_case),
        T(test_qp_soft_line_breaks_are_removed),
        T(test_qp_invalid_escape_is_kept_literally),
        T(test_qp_header_mode_reads_underscore_as_space),
        T(test_qp_header_mode_has_no_soft_breaks),
        T(test_uu_decodes_a_body_after_a_note),
        T(test_uu_without_begin_or_end),
        T(test_uu_skips_a_bad_line_in_a_body),
        T(test_uu_short_lines_never_outgrow_the_input),
        T(test_uu_finds_blocks_inside_text),
        T(test_uu_block_without_end_stops_at_prose),
        T(test_uu_ignores_lines_that_only_look_like_begin),
        T(test_uu_block_ceiling_is_noted),
        T(test_transfer_decode_dispatches_by_name),
        T(test_transfer_decode_identity_does_not_copy),
        T(test_transfer_decode_unknown_encoding_is_identity),
        T(test_transfer_decode_cuts_at_the_ceiling),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
