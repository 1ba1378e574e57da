/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the address-list parser at the edge between its one-pass
 * reader of simple lists ("Name <a@b>", "a@b") and the full reader: the
 * simple forms read right, and every list that needs a defect or a
 * quote, comment, group or route still gets the full reader's answer.
 * Whole headers of real mail are pinned by the golden cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mime/address.h"

/* A message that collects defects, in its own arena. */
typedef struct fixture {
    ms_arena *a;
    ms_message m;
    ms_address *items;
    size_t n;
} fixture;

/* Parses the NUL-terminated list into a fresh fixture kept in *state. */
static fixture *parse_list(void **state, const char *list, size_t max)
{
    fixture *f = *state;
    if (f == NULL) {
        f = calloc(1, sizeof(*f));
        assert_non_null(f);
        *state = f;
    }
    ms_arena_free(f->a);
    f->a = ms_arena_new(0);
    assert_non_null(f->a);
    memset(&f->m, 0, sizeof(f->m));
    f->m.arena = f->a;
    f->m.max_defects = 100;
    assert_int_equal(ms_address_list_parse(f->a, &f->m, "0", list, strlen(list),
                                           max, &f->items, &f->n),
                     MS_OK);
    return f;
}

/* Frees what parse_list made. */
static int teardown(void **state)
{
    fixture *f = *state;
    if (f) {
        ms_arena_free(f->a);
        free(f);
    }
    return 0;
}

/* Asserts one entry's name, address and domain. */
static void assert_entry(const fixture *f, size_t i, const char *name,
                         const char *address, const char *domain)
{
    assert_true(i < f->n);
    assert_string_equal(f->items[i].name, name);
    assert_string_equal(f->items[i].address, address);
    assert_string_equal(f->items[i].domain, domain);
}

/* Simple lists: names with their white space collapsed, white space
 * taken out of addresses, domains lower-cased, empty entries skipped,
 * both separators, and no defect. */
static void test_address_simple_lists_read_in_one_pass(void **state)
{
    fixture *f = parse_list(state,
                            " John \t Doe <john.doe@Mail.Example.COM>, "
                            "jane@example.org;<bob @ b.example> ,, "
                            "Ann <ann@a.example.>",
                            0);
    assert_int_equal(f->n, 4);
    assert_entry(f, 0, "John Doe", "john.doe@Mail.Example.COM",
                 "mail.example.com");
    assert_entry(f, 1, "", "jane@example.org", "example.org");
    assert_entry(f, 2, "", "bob@b.example", "b.example");
    assert_entry(f, 3, "Ann", "ann@a.example.", "a.example");
    assert_int_equal(f->m.n_defects, 0);
}

/* Lists outside the simple forms keep the full reader's defects: a name
 * that is an address, an address after a bare name, a missing '@', an
 * unclosed bracket and the ceiling on addresses. */
static void test_address_lists_with_defects_take_the_full_reader(void **state)
{
    fixture *f = parse_list(state, "ceo@bank.example <evil@evil.example>", 0);
    assert_int_equal(f->n, 1);
    assert_entry(f, 0, "ceo@bank.example", "evil@evil.example", "evil.example");
    assert_int_equal(f->m.n_defects, 1);
    assert_string_equal(f->m.defects[0].type, "DisplayNameAddressDefect");

    f = parse_list(state, "John Doe john@example.com", 0);
    assert_entry(f, 0, "John Doe", "john@example.com", "example.com");
    assert_string_equal(f->m.defects[0].type, "InvalidAddressDefect");

    f = parse_list(state, "undisclosed-recipients", 0);
    assert_entry(f, 0, "", "undisclosed-recipients", "");
    assert_string_equal(f->m.defects[0].type, "InvalidAddressDefect");

    f = parse_list(state, "Jo <jo@x.example", 0);
    assert_entry(f, 0, "Jo", "jo@x.example", "x.example");
    assert_string_equal(f->m.defects[0].type, "InvalidAddressDefect");

    f = parse_list(state, "a@x.example, b@x.example, c@x.example", 2);
    assert_int_equal(f->n, 2);
    assert_string_equal(f->m.defects[0].type, "limit_addresses");
}

/* Quotes, comments, groups and routes are read by the full reader. */
static void test_address_quotes_comments_groups_routes(void **state)
{
    fixture *f = parse_list(state,
                            "\"Doe, John\" <jd@x.example>, team: a@y.example "
                            "(Al), <@relay.example:b@z.example>;",
                            0);
    assert_int_equal(f->n, 3);
    assert_entry(f, 0, "Doe, John", "jd@x.example", "x.example");
    assert_entry(f, 1, "Al", "a@y.example", "y.example");
    assert_entry(f, 2, "", "b@z.example", "z.example");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_address_simple_lists_read_in_one_pass,
                                  teardown),
        cmocka_unit_test_teardown(
            test_address_lists_with_defects_take_the_full_reader, teardown),
        cmocka_unit_test_teardown(test_address_quotes_comments_groups_routes,
                                  teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
