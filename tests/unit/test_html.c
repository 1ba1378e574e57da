/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the HTML tokenizer, the entity decoder and the renderer:
 * broken markup cut the way browsers cut it, every numeric entity form,
 * raw-text elements, the visible text, links with their text, forms,
 * meta refresh, base, srcset and CSS URLs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "html/entities.h"
#include "html/render.h"
#include "html/tokenizer.h"

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

/* Decodes z as attribute or text and returns the arena copy. */
static const char *decode(void **state, const char *z, bool attr)
{
    const char *out;
    size_t n;
    assert_int_equal(ms_html_decode(*state, z, strlen(z), attr, &out, &n),
                     MS_OK);
    return ms_arena_strndup(*state, out, n);
}

/* Renders z. */
static ms_html_doc render(void **state, const char *z)
{
    ms_html_doc d;
    assert_int_equal(ms_html_render(*state, z, strlen(z), NULL, &d), MS_OK);
    return d;
}

/* Named, decimal and hex references, with and without ';'. */
static void test_entities_decode_named_decimal_and_hex(void **state)
{
    assert_string_equal(
        decode(state, "a&amp;b &lt;&gt; &#65;&#x42;&#X43", false),
        "a&b <> ABC");
    assert_string_equal(decode(state, "&eacute;t&eacute; &euro;", false),
                        "été €");
    assert_string_equal(decode(state, "&nosuch; & &#;", false),
                        "&nosuch; & &#;");
}

/* The punctuation names phishing kits use to hide a scheme. */
static void test_entities_hide_no_scheme(void **state)
{
    assert_string_equal(
        decode(state, "http&colon;&sol;&sol;evil&period;com", true),
        "http://evil.com");
}

/* HTML5 repairs: NUL, surrogates and huge values are U+FFFD, the C1
 * range is windows-1252. */
static void test_numeric_entities_are_repaired(void **state)
{
    assert_string_equal(decode(state, "&#0;&#xD800;&#99999999999;", false),
                        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(decode(state, "&#128;&#x93;", false), "€“");
}

/* In an attribute, "&copy=" in a query stays literal; in text it is ©. */
static void test_legacy_entity_in_attribute_query_stays_literal(void **state)
{
    assert_string_equal(decode(state, "?a=1&copy=2", true), "?a=1&copy=2");
    assert_string_equal(decode(state, "&copy 2024", false), "© 2024");
}

/* Tags, attributes in every quoting, case folding, self-closing. */
static void test_tokenizer_reads_tags_and_attributes(void **state)
{
    const char *z = "<A HREF='x' data-v=\"1\" flag b=c/>t</a>";
    ms_html_tokenizer t;
    ms_html_tokenizer_init(&t, *state, z, strlen(z));
    ms_html_token tok;
    assert_int_equal(ms_html_next(&t, &tok), MS_OK);
    assert_int_equal(tok.type, MS_HTML_START_TAG);
    assert_string_equal(tok.name, "a");
    assert_int_equal(tok.n_attrs, 4);
    size_t n;
    assert_memory_equal(ms_html_attr_get(&tok, "href", &n), "x", 1);
    assert_memory_equal(ms_html_attr_get(&tok, "data-v", &n), "1", 1);
    assert_non_null(ms_html_attr_get(&tok, "flag", &n));
    assert_int_equal(n, 0);
    /* unquoted value runs to space or '>': "c/" */
    assert_memory_equal(ms_html_attr_get(&tok, "b", &n), "c/", 2);
    assert_int_equal(ms_html_next(&t, &tok), MS_OK);
    assert_int_equal(tok.type, MS_HTML_TEXT);
    assert_int_equal(ms_html_next(&t, &tok), MS_OK);
    assert_int_equal(tok.type, MS_HTML_END_TAG);
    assert_int_equal(ms_html_next(&t, &tok), MS_OK);
    assert_int_equal(tok.type, MS_HTML_EOF);
}

/* The first of two same-named attributes wins, as in browsers; a filter
 * reading the second would follow the decoy. */
static void test_duplicate_attribute_keeps_the_first(void **state)
{
    ms_html_doc d = render(state, "<a href=\"https://good.example/\" "
                                  "HREF=\"https://evil.example/\">x</a>");
    assert_int_equal(d.n_links, 1);
    assert_string_equal(d.links[0].href, "https://good.example/");
    assert_int_equal(d.n_duplicate_attrs, 1);
}

/* "<" that opens nothing is text; unterminated comments and quotes run
 * to the end without a crash. */
static void test_broken_markup_survives(void **state)
{
    ms_html_doc d = render(state, "1 < 2 <b>bold</b> <!-- never closed");
    assert_string_equal(d.text, "1 < 2 bold");
    assert_int_equal(d.n_unterminated, 1);
    d = render(state, "<a href=\"http://x.com/ >text");
    assert_int_equal(d.n_links, 1);
    assert_true(d.n_unterminated >= 1);
    d = render(state, "<<<>>></></ x><!><?php ?>ok");
    assert_string_equal(d.text, "<<<>>>ok"); /* as HTML5 reads it */
}

/* Script and style are not visible, and markup in them is not parsed. */
static void test_script_and_style_content_is_dropped(void **state)
{
    ms_html_doc d = render(state, "<p>a</p><script>if (a<b) x='<a href=y>'"
                                  "</script><style>p{}</style><p>b</p>");
    assert_string_equal(d.text, "a\nb");
    assert_int_equal(d.n_links, 0);
    assert_int_equal(d.n_scripts, 1);
}

/* Block elements and <br> break lines; white space collapses; cells are
 * separated; entities are decoded; the title is kept apart. */
static void test_render_gives_readable_text(void **state)
{
    ms_html_doc d =
        render(state, "<html><head><title>Your &amp; account</title></head>"
                      "<body><div>Dear   customer,<br>please\n\n verify"
                      "</div><table><tr><td>a</td><td>b</td></tr></table>"
                      "&nbsp;&copy;</body></html>");
    assert_string_equal(d.title, "Your & account");
    assert_string_equal(d.text, "Dear customer,\nplease verify\na b\n©");
}

/* A link keeps its visible text; an image-only link says so. */
static void test_links_keep_visible_text(void **state)
{
    ms_html_doc d = render(
        state, "<a href=\"https://evil.example/x\">  https://www.paypal.com "
               "</a><a href=/rel><img src=\"logo.png\"></a><area "
               "href=\"http://m.example/\" alt=\"Map\">");
    assert_int_equal(d.n_links, 3);
    assert_string_equal(d.links[0].text, "https://www.paypal.com");
    assert_string_equal(d.links[1].href, "/rel");
    assert_true(d.links[1].image_only);
    assert_string_equal(d.links[2].text, "Map");
    assert_int_equal(d.n_images, 1);
    assert_string_equal(d.images[0], "logo.png");
}

/* A second <a> closes the first (HTML has no nested links). */
static void test_nested_links_close_the_outer_one(void **state)
{
    ms_html_doc d =
        render(state, "<a href=\"http://a.example/\">one<a "
                      "href=\"http://b.example/\">two</a>three</a>");
    assert_int_equal(d.n_links, 2);
    assert_string_equal(d.links[0].text, "one");
    assert_string_equal(d.links[1].text, "two");
}

/* Forms: action, method, inputs, password. */
static void test_forms_list_inputs_and_password(void **state)
{
    ms_html_doc d = render(
        state, "<form action=\"https://collect.example/p.php\" METHOD=Post>"
               "<input name=user><input type=PASSWORD name=pass>"
               "<input type=hidden name=t value=1><select name=s></select>"
               "<button formaction=\"http://other.example/\">Go</button>"
               "</form><input type=password>");
    assert_int_equal(d.n_forms, 1);
    const ms_html_form *f = &d.forms[0];
    assert_string_equal(f->action, "https://collect.example/p.php");
    assert_string_equal(f->method, "post");
    assert_int_equal(f->n_inputs, 4);
    assert_string_equal(f->inputs[0].type, "text");
    assert_string_equal(f->inputs[1].type, "password");
    assert_string_equal(f->inputs[1].name, "pass");
    assert_string_equal(f->inputs[3].type, "select");
    assert_true(f->has_password);
    assert_int_equal(d.n_password_inputs, 2);
    assert_int_equal(d.n_hidden_inputs, 1);
    size_t forms = 0;
    for (size_t i = 0; i < d.n_refs; i++)
        forms += d.refs[i].kind == MS_HTML_REF_FORM;
    assert_int_equal(forms, 2);
}

/* Meta refresh, base, srcset, CSS url() and @import, background. */
static void test_every_url_attribute_is_a_ref(void **state)
{
    ms_html_doc d = render(
        state,
        "<head><base href=\"https://base.example/dir/\">"
        "<meta http-equiv=\"Refresh\" content=\"3; URL='https://r.example/'\">"
        "<style>@import \"https://css1.example/a.css\"; body{background:"
        "url( 'https://css2.example/b.png' )}</style></head>"
        "<body background=\"https://bg.example/c.jpg\">"
        "<img srcset=\"https://s1.example/1.png 1x, https://s2.example/2.png "
        "2x\" style=\"background-image:url(https://css3.example/d.png)\">"
        "<a href=\"#top\">top</a></body>");
    assert_string_equal(d.base_href, "https://base.example/dir/");
    assert_string_equal(d.refresh_url, "https://r.example/");
    assert_int_equal(d.refresh_delay, 3);
    const char *want[] = {
        "https://base.example/dir/",  "https://r.example/",
        "https://css1.example/a.css", "https://css2.example/b.png",
        "https://bg.example/c.jpg",   "https://s1.example/1.png",
        "https://s2.example/2.png",   "https://css3.example/d.png"};
    assert_int_equal(d.n_refs, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < d.n_refs; i++)
        assert_string_equal(d.refs[i].url, want[i]);
    assert_int_equal(d.refs[4].kind, MS_HTML_REF_BACKGROUND);
    assert_int_equal(d.refs[5].kind, MS_HTML_REF_SRCSET);
}

/* An entity-encoded href is decoded before it is a ref. */
static void test_entity_encoded_href_is_decoded(void **state)
{
    ms_html_doc d = render(state, "<a href=\"&#104;&#x74;tp&colon;//evil"
                                  "&#46;example/?a=1&amp;b=2\">x</a>");
    assert_string_equal(d.links[0].href, "http://evil.example/?a=1&b=2");
}

/* Attributes past the ceiling are dropped and counted. */
static void test_attribute_ceiling_is_counted(void **state)
{
    char z[4096] = "<p";
    for (int i = 0; i < MS_HTML_MAX_ATTRS + 10; i++) {
        char a[16];
        snprintf(a, sizeof(a), " a%d=1", i);
        strcat(z, a);
    }
    strcat(z, ">");
    ms_html_doc d = render(state, z);
    assert_int_equal(d.n_dropped_attrs, 10);
}

/* OOXML relationships pointing outside the document are refs. */
static void test_ooxml_external_relationship_is_a_ref(void **state)
{
    ms_html_doc d = render(
        state, "<?xml version=\"1.0\"?><Relationships><Relationship Id=\"r1\" "
               "Type=\"http://schemas.openxmlformats.org/x/hyperlink\" "
               "Target=\"https://ext.example/doc\" TargetMode=\"External\"/>"
               "<Relationship Id=\"r2\" Target=\"media/image1.png\"/>"
               "</Relationships>");
    assert_int_equal(d.n_refs, 1);
    assert_string_equal(d.refs[0].url, "https://ext.example/doc");
    assert_int_equal(d.refs[0].kind, MS_HTML_REF_OOXML);
}

/* What the token hook of ms_html_render_with saw. */
typedef struct seen_tokens {
    int start, end, text, comment;
    char order[16];
    size_t n_order;
    int stop_at; /* stop with MS_ELIMIT at this token (1-based), 0: never */
} seen_tokens;

static ms_status see_token(void *ctx, const ms_html_token *tok)
{
    seen_tokens *s = ctx;
    char kind = tok->type == MS_HTML_START_TAG ? 's'
                : tok->type == MS_HTML_END_TAG ? 'e'
                : tok->type == MS_HTML_TEXT    ? 't'
                : tok->type == MS_HTML_COMMENT ? 'c'
                                               : 'd';
    s->start += kind == 's';
    s->end += kind == 'e';
    s->text += kind == 't';
    s->comment += kind == 'c';
    if (s->n_order + 1 < sizeof(s->order))
        s->order[s->n_order++] = kind;
    s->order[s->n_order] = '\0';
    if (s->stop_at > 0 && (int)s->n_order == s->stop_at)
        return MS_ELIMIT;
    return MS_OK;
}

/* The hook sees every token in document order while the document renders
 * as without it, and an error from the hook stops the rendering. */
static void test_token_hook_sees_every_token(void **state)
{
    const char *z = "<p>Hi <a href=\"https://x.example/\">there</a></p>"
                    "<!-- https://hidden.example/ --><script>go()</script>";
    seen_tokens s = {0};
    ms_html_doc with, without;
    assert_int_equal(
        ms_html_render_with(*state, z, strlen(z), NULL, see_token, &s, &with),
        MS_OK);
    assert_int_equal(ms_html_render(*state, z, strlen(z), NULL, &without),
                     MS_OK);
    assert_string_equal(s.order, "ststeecste");
    assert_int_equal(s.start, 3);
    assert_int_equal(s.end, 3);
    assert_int_equal(s.comment, 1);
    assert_int_equal(s.text, 3);
    assert_string_equal(with.text, without.text);
    assert_int_equal(with.n_refs, without.n_refs);

    seen_tokens stop = {0};
    stop.stop_at = 2;
    assert_int_equal(ms_html_render_with(*state, z, strlen(z), NULL, see_token,
                                         &stop, &with),
                     MS_ELIMIT);
    assert_int_equal((int)stop.n_order, 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_entities_decode_named_decimal_and_hex),
        T(test_entities_hide_no_scheme),
        T(test_numeric_entities_are_repaired),
        T(test_legacy_entity_in_attribute_query_stays_literal),
        T(test_tokenizer_reads_tags_and_attributes),
        T(test_duplicate_attribute_keeps_the_first),
        T(test_broken_markup_survives),
        T(test_script_and_style_content_is_dropped),
        T(test_render_gives_readable_text),
        T(test_links_keep_visible_text),
        T(test_nested_links_close_the_outer_one),
        T(test_forms_list_inputs_and_password),
        T(test_every_url_attribute_is_a_ref),
        T(test_entity_encoded_href_is_decoded),
        T(test_attribute_ceiling_is_counted),
        T(test_ooxml_external_relationship_is_a_ref),
        T(test_token_hook_sees_every_token),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
