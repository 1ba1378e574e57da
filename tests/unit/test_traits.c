/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the risky-trait checks: executable headers (and the
 * Java class file that shares Mach-O's magic), OLE directories with and
 * without VBA storages and with hostile sector numbers, PDF names hidden
 * with #xx escapes, HTML forms and scripts, deceptive names (double
 * extensions, right-to-left override, padding) and disk images.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/traits.h"

/* Puts a little-endian 32-bit value at p. */
static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* Builds a 3-sector OLE file (header, FAT, directory) whose directory
 * holds the root and the given entry name (storage). Returns a static
 * buffer of OLE_SIZE bytes. dir_sector lets a test point the directory
 * somewhere hostile. */
#define OLE_SIZE (3 * 512)
static unsigned char *make_ole(const char *entry_name, uint32_t dir_sector)
{
    static unsigned char f[OLE_SIZE];
    memset(f, 0, sizeof(f));
    memcpy(f, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
    f[0x18] = 0x3e;
    f[0x1a] = 3;
    f[0x1c] = 0xfe;
    f[0x1d] = 0xff;
    f[0x1e] = 9; /* 512-byte sectors */
    f[0x20] = 6;
    put32(f + 0x2c, 1);          /* one FAT sector */
    put32(f + 0x30, dir_sector); /* first directory sector */
    put32(f + 0x38, 4096);
    put32(f + 0x3c, 0xfffffffe);
    put32(f + 0x44, 0xfffffffe);
    put32(f + 0x4c, 0); /* FAT is sector 0 */
    for (int i = 1; i < 109; i++)
        put32(f + 0x4c + 4 * i, 0xffffffff);
    unsigned char *fat = f + 512;
    put32(fat, 0xfffffffd);     /* sector 0: the FAT */
    put32(fat + 4, 0xfffffffe); /* sector 1: directory, end of chain */
    for (int i = 2; i < 128; i++)
        put32(fat + 4 * i, 0xffffffff);
    unsigned char *dir = f + 1024;
    const char *names[2] = {"Root Entry", entry_name};
    for (int e = 0; e < 2; e++) {
        unsigned char *d = dir + 128 * e;
        size_t len = strlen(names[e]);
        for (size_t i = 0; i < len; i++)
            d[2 * i] = (unsigned char)names[e][i];
        d[0x40] = (unsigned char)(2 * (len + 1));
        d[0x42] = e == 0 ? 5 : 1;
    }
    return f;
}

/* Runs ms_traits_detect on the input and returns the list. */
static ms_trait_list detect(ms_arena *a, const char *filename,
                            const char *extension, const char *mime,
                            const void *data, size_t size)
{
    ms_trait_list list = {0};
    ms_traits_input in = {.filename = filename,
                          .extension = extension,
                          .mime_type = mime,
                          .data = data,
                          .size = size};
    assert_int_equal(ms_traits_detect(a, &in, &list), MS_OK);
    return list;
}

/* PE, ELF and Mach-O headers are named; a Java class is not Mach-O. */
static void test_executable_headers_are_named(void **state)
{
    (void)state;
    unsigned char pe[0x100] = {'M', 'Z'};
    put32(pe + 0x3c, 0x80);
    memcpy(pe + 0x80, "PE\0\0", 4);
    assert_string_equal(ms_traits_executable_kind(pe, sizeof(pe)), "PE");
    put32(pe + 0x3c, 0xfffffff0); /* e_lfanew past the end */
    assert_string_equal(ms_traits_executable_kind(pe, sizeof(pe)), "MS-DOS");
    assert_string_equal(
        ms_traits_executable_kind((const unsigned char *)"\x7f"
                                                         "ELF\x02",
                                  5),
        "ELF");
    assert_string_equal(
        ms_traits_executable_kind((const unsigned char *)"\xcf\xfa\xed\xfe", 4),
        "Mach-O");
    /* Java class version 52.0: minor 0, major 52 */
    assert_null(ms_traits_executable_kind(
        (const unsigned char *)"\xca\xfe\xba\xbe\x00\x00\x00\x34", 8));
    assert_string_equal(
        ms_traits_executable_kind(
            (const unsigned char *)"\xca\xfe\xba\xbe\x00\x00\x00\x02", 8),
        "Mach-O universal");
    assert_null(ms_traits_executable_kind((const unsigned char *)"M", 1));
}

/* A VBA storage in the OLE directory is found; a plain document and a
 * directory pointed outside the file are not, and do not crash. */
static void test_ole_directory_walk_finds_vba_storages(void **state)
{
    (void)state;
    assert_true(ms_traits_ole_has_vba(make_ole("VBA", 1), OLE_SIZE));
    assert_true(
        ms_traits_ole_has_vba(make_ole("_VBA_PROJECT_CUR", 1), OLE_SIZE));
    assert_false(ms_traits_ole_has_vba(make_ole("WordDocument", 1), OLE_SIZE));
    assert_false(ms_traits_ole_has_vba(make_ole("VBA", 7), OLE_SIZE));
    assert_false(ms_traits_ole_has_vba(make_ole("VBA", 0xfffffffe), OLE_SIZE));
    /* a FAT whose chain loops back on the directory ends by the bound */
    unsigned char *loop = make_ole("Other", 1);
    put32(loop + 512 + 4, 1);
    assert_false(ms_traits_ole_has_vba(loop, OLE_SIZE));
    assert_false(ms_traits_ole_has_vba(make_ole("VBA", 1), 600));
}

/* PDF names are found whether written plainly or with #xx escapes, and
 * the escapes are reported. */
static void test_pdf_names_are_found_through_hex_escapes(void **state)
{
    (void)state;
    const char *plain = "<< /OpenAction 3 0 R /S /JavaScript /JS (x) >>";
    unsigned bits =
        ms_traits_pdf_scan((const unsigned char *)plain, strlen(plain));
    assert_true(bits & MS_PDF_OPEN_ACTION);
    assert_true(bits & MS_PDF_JAVASCRIPT);
    assert_false(bits & MS_PDF_OBFUSCATED);
    assert_false(bits & MS_PDF_LAUNCH);

    const char *hidden = "<</S/J#61va#53cript/Type/#45mbeddedFile>>";
    bits = ms_traits_pdf_scan((const unsigned char *)hidden, strlen(hidden));
    assert_true(bits & MS_PDF_JAVASCRIPT);
    assert_true(bits & MS_PDF_EMBEDDED);
    assert_true(bits & MS_PDF_OBFUSCATED);

    /* a longer name that starts like a wanted one is not it */
    const char *near = "/JavaScriptX /Launcher /AAB";
    assert_int_equal(
        ms_traits_pdf_scan((const unsigned char *)near, strlen(near)), 0);
    /* a # at the very end is read safely */
    assert_int_equal(ms_traits_pdf_scan((const unsigned char *)"/J#", 3), 0);
}

/* Names built to deceive are flagged; ordinary names are not. */
static void test_deceptive_names_are_flagged(void **state)
{
    (void)state;
    ms_arena *a = ms_arena_new(0);
    ms_trait_list l = detect(a, "invoice.pdf.exe", "exe", NULL, "", 0);
    assert_true(ms_traits_has(&l, "double_extension"));
    assert_true(ms_traits_has(&l, "executable"));
    l = detect(a, "scan.JPG   .js", "js", NULL, "", 0);
    assert_true(ms_traits_has(&l, "double_extension"));
    assert_true(ms_traits_has(&l, "script"));
    l = detect(a, "setup.v2.exe", "exe", NULL, "", 0);
    assert_false(ms_traits_has(&l, "double_extension"));
    l = detect(a, "report.final.pdf", "pdf", NULL, "", 0);
    assert_int_equal(l.n, 0);
    l = detect(a,
               "Invoice_\xe2\x80\xae"
               "fdp.exe",
               "exe", NULL, "", 0);
    assert_true(ms_traits_has(&l, "rtl_override"));
    l = detect(a,
               "doc.pdf"
               "\xc2\xa0\xc2\xa0   "
               "\xc2\xa0.exe",
               "exe", NULL, "", 0);
    assert_true(ms_traits_has(&l, "space_padding_name"));
    l = detect(a, "two  spaces.txt", "txt", NULL, "", 0);
    assert_false(ms_traits_has(&l, "space_padding_name"));
    ms_arena_free(a);
}

/* HTML with a form and a script is flagged, by type or by name; the
 * same words in a text file are not. */
static void test_html_forms_and_scripts_are_flagged(void **state)
{
    (void)state;
    ms_arena *a = ms_arena_new(0);
    const char *page = "<HTML><FORM action=x><input></FORM>"
                       "<SCRIPT>go()</SCRIPT></HTML>";
    ms_trait_list l =
        detect(a, "login.htm", "htm", "text/html", page, strlen(page));
    assert_true(ms_traits_has(&l, "html_form"));
    assert_true(ms_traits_has(&l, "html_script"));
    l = detect(a, "notes.txt", "txt", "text/plain", page, strlen(page));
    assert_false(ms_traits_has(&l, "html_form"));
    ms_arena_free(a);
}

/* Disk images are flagged by signature and by extension; a shortcut by
 * its header. */
static void test_disk_images_and_shortcuts_are_flagged(void **state)
{
    (void)state;
    ms_arena *a = ms_arena_new(0);
    static unsigned char iso[0x8800];
    memcpy(iso + 0x8001, "CD001", 5);
    ms_trait_list l = detect(a, "x.bin", "bin", NULL, iso, sizeof(iso));
    assert_true(ms_traits_has(&l, "disk_image"));
    l = detect(a, "Order.vhdx", "vhdx", NULL, "", 0);
    assert_true(ms_traits_has(&l, "disk_image"));
    static const unsigned char lnk[76] = {0x4c, 0, 0, 0, 0x01, 0x14, 0x02,
                                          0,    0, 0, 0, 0,    0xc0, 0,
                                          0,    0, 0, 0, 0,    0x46};
    l = detect(a, "photo.jpg", "jpg", NULL, lnk, sizeof(lnk));
    assert_true(ms_traits_has(&l, "shortcut"));
    ms_arena_free(a);
}

/* A flag is added once, however often it is found. */
static void test_flags_are_added_once(void **state)
{
    (void)state;
    ms_arena *a = ms_arena_new(0);
    ms_trait_list l = {0};
    assert_int_equal(ms_traits_add(a, &l, "x", "first %d", 1), MS_OK);
    assert_int_equal(ms_traits_add(a, &l, "x", "second"), MS_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].reason, "first 1");
    ms_arena_free(a);
}

/* Runs the tests and prints the summary line. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_executable_headers_are_named),
        cmocka_unit_test(test_ole_directory_walk_finds_vba_storages),
        cmocka_unit_test(test_pdf_names_are_found_through_hex_escapes),
        cmocka_unit_test(test_deceptive_names_are_flagged),
        cmocka_unit_test(test_html_forms_and_scripts_are_flagged),
        cmocka_unit_test(test_disk_images_and_shortcuts_are_flagged),
        cmocka_unit_test(test_flags_are_added_once),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t total = sizeof(tests) / sizeof(tests[0]);
    printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
    return failed != 0;
}
