/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the URL analyzer: every source (plain text, HTML
 * attributes and visible text, attachments as text, HTML, PDF and OOXML
 * relationships, a parsed mail), every flag, deduplication with sources
 * kept, the shortener list and the whitelist, the URL ceiling, and a
 * mail of 100,000 links.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/url_extract.h"
#include "analysis/urls.h"

typedef struct fixture {
    ms_arena *a;
    ms_urls_config c;
    ms_url_list l;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    f->a = ms_arena_new(0);
    ms_urls_config_init(&f->c);
    ms_url_list_init(&f->l);
    *state = f;
    return f->a == NULL;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ms_urls_config_free(&f->c);
    ms_arena_free(f->a);
    free(f);
    return 0;
}

/* Extracts plain text z. */
static void text(fixture *f, const char *z)
{
    assert_int_equal(
        ms_urls_extract_text(f->a, &f->c, NULL, "text", z, strlen(z), &f->l),
        MS_OK);
}

/* Extracts HTML z. */
static void html(fixture *f, const char *z)
{
    assert_int_equal(
        ms_urls_extract_html(f->a, &f->c, NULL, NULL, z, strlen(z), &f->l),
        MS_OK);
}

/* Returns the entry whose normalized URL is z, failing when absent. */
static const ms_url_entry *find(fixture *f, const char *z)
{
    for (size_t i = 0; i < f->l.n; i++) {
        if (strcmp(f->l.items[i].url.url, z) == 0)
            return &f->l.items[i];
    }
    fail_msg("URL %s not found among %zu", z, f->l.n);
    return NULL;
}

/* True when the entry has the source. */
static bool has_source(const ms_url_entry *e, const char *source)
{
    for (size_t k = 0; k < e->n_sources; k++) {
        if (strcmp(e->sources[k], source) == 0)
            return true;
    }
    return false;
}

/* Explicit URLs, www. forms, bare domains with a path, IPv4 hosts with a
 * path; punctuation around them is not part of them. */
static void test_plain_text_finds_every_link_form(void **state)
{
    fixture *f = *state;
    text(f, "Go to https://secure.example.com/login?id=7. Or "
            "(www.example.org/help), or paypal-verify.com/account, or "
            "http://10.0.0.1:8080/x, or 203.0.113.9/admin/ today! "
            "Not links: file.zip, e.g. this, 1.5/2, v1.2.3.");
    assert_int_equal(f->l.n, 5);
    find(f, "https://secure.example.com/login?id=7");
    find(f, "http://www.example.org/help");
    find(f, "http://paypal-verify.com/account");
    find(f, "http://10.0.0.1:8080/x");
    const ms_url_entry *e = find(f, "http://203.0.113.9/admin/");
    assert_true(e->url.flags & MS_URL_IP_HOST);
    assert_string_equal(e->sources[0], "text");
}

/* Defanged spellings are found, repaired and flagged. */
static void test_defanged_links_are_found_and_flagged(void **state)
{
    fixture *f = *state;
    text(f, "IOC: hxxp://evil[.]example[.]com/payload and "
            "bad(dot)example(dot)net/x and http[:]//c2[.]example[.]org/");
    assert_int_equal(f->l.n, 3);
    const ms_url_entry *e = find(f, "http://evil.example.com/payload");
    assert_true(e->url.flags & MS_URL_OBFUSCATED);
    assert_true(find(f, "http://bad.example.net/x")->url.flags &
                MS_URL_OBFUSCATED);
    assert_true(find(f, "http://c2.example.org/")->url.flags &
                MS_URL_OBFUSCATED);
}

/* E-mail addresses and IP literals of the text are listed apart. */
static void test_emails_and_ips_in_text_are_listed(void **state)
{
    fixture *f = *state;
    text(f, "Write to <Billing@Example.COM> or support@help.example.org; "
            "server 198.51.100.7 and 2001:db8::7 answered. "
            "billing@example.com again.");
    assert_int_equal(f->l.n_emails, 2);
    assert_string_equal(f->l.emails[0], "billing@example.com");
    assert_string_equal(f->l.emails[1], "support@help.example.org");
    assert_int_equal(f->l.n_ips, 2);
    assert_string_equal(f->l.ips[0], "198.51.100.7");
    assert_string_equal(f->l.ips[1], "2001:db8::7");
    assert_int_equal(f->l.n, 0);
}

/* A link whose text shows another domain than its target is flagged;
 * one whose text shows the same registered domain is not. */
static void test_link_text_naming_another_domain_is_a_mismatch(void **state)
{
    fixture *f = *state;
    html(f, "<a href=\"http://paypal.com.evil.example/login\">"
            "https://www.paypal.com/signin</a>"
            "<a href=\"https://www.bank.example/a\">bank.example</a>"
            "<a href=\"https://x.example/\">Click here</a>"
            "<a href=\"https://y.example/\">Paypal.com</a>");
    const ms_url_entry *e = find(f, "http://paypal.com.evil.example/login");
    assert_true(e->url.flags & MS_URL_TEXT_HREF_MISMATCH);
    assert_string_equal(e->display_text, "https://www.paypal.com/signin");
    assert_true(has_source(e, "html:href"));
    assert_false(find(f, "https://www.bank.example/a")->url.flags &
                 MS_URL_TEXT_HREF_MISMATCH);
    assert_false(find(f, "https://x.example/")->url.flags &
                 MS_URL_TEXT_HREF_MISMATCH);
    assert_true(find(f, "https://y.example/")->url.flags &
                MS_URL_TEXT_HREF_MISMATCH);
}

/* Every HTML source gets its own name; relative links resolve against
 * <base>; links in the visible text count too. */
static void test_html_sources_and_base_resolution(void **state)
{
    fixture *f = *state;
    html(f, "<html><head><base href=\"https://kit.example/o365/\">"
            "<meta http-equiv=refresh content=\"0;url=next.php\"></head>"
            "<body background=\"bg.jpg\"><form action=\"post.php\" "
            "method=post><input type=password name=p></form>"
            "<img src=\"/img/logo.png\" srcset=\"a.png 1x\">"
            "<div style=\"background:url(c.png)\">Visit "
            "www.visible.example/now</div>"
            "<a href=\"javascript:void(0)\">x</a>"
            "<a href=\"data:text/html;base64,PGgxPg==\">y</a></body></html>");
    assert_true(has_source(find(f, "https://kit.example/o365/"), "html:base"));
    assert_true(has_source(find(f, "https://kit.example/o365/next.php"),
                           "html:refresh"));
    assert_true(has_source(find(f, "https://kit.example/o365/bg.jpg"),
                           "html:background"));
    assert_true(
        has_source(find(f, "https://kit.example/o365/post.php"), "html:form"));
    assert_true(
        has_source(find(f, "https://kit.example/img/logo.png"), "html:src"));
    assert_true(
        has_source(find(f, "https://kit.example/o365/a.png"), "html:srcset"));
    assert_true(
        has_source(find(f, "https://kit.example/o365/c.png"), "html:css"));
    assert_true(
        has_source(find(f, "http://www.visible.example/now"), "html:text"));
    assert_true(find(f, "javascript:void(0)")->url.flags &
                MS_URL_JAVASCRIPT_URI);
    assert_true(find(f, "data:text/html;base64,PGgxPg==")->url.flags &
                MS_URL_DATA_URI);
}

/* Relative links without a base lead nowhere and are not URLs. */
static void test_relative_links_without_base_are_skipped(void **state)
{
    fixture *f = *state;
    html(f, "<a href=\"/login\">a</a><img src=\"x.png\"><a "
            "href=\"//cdn.example/x.js\">b</a>");
    assert_int_equal(f->l.n, 1);
    find(f, "http://cdn.example/x.js");
}

/* An entity-encoded and a quoted-printable-free but broken href still
 * give the right URL, and the same URL found twice is one entry with
 * both sources. */
static void test_entity_encoded_href_dedups_with_text_link(void **state)
{
    fixture *f = *state;
    html(f, "<p>See https://login.example.com/a?x=1&amp;y=2</p><a "
            "href=\"https&#x3a;//LOGIN.example.com:443/a?x=1&amp;y=2\">"
            "here</a>");
    assert_int_equal(f->l.n, 1);
    const ms_url_entry *e = find(f, "https://login.example.com/a?x=1&y=2");
    assert_true(has_source(e, "html:href"));
    assert_true(has_source(e, "html:text"));
}

/* A redirect parameter flags the URL and adds its target. */
static void test_redirect_target_is_added_as_its_own_url(void **state)
{
    fixture *f = *state;
    text(f, "https://l.example.com/r?u=https%3A%2F%2Fphish.example%2Fx");
    assert_int_equal(f->l.n, 2);
    const ms_url_entry *e =
        find(f, "https://l.example.com/r?u=https%3A%2F%2Fphish.example%2Fx");
    assert_true(e->url.flags & MS_URL_REDIRECT_PARAM);
    assert_true(has_source(find(f, "https://phish.example/x"), "redirect"));
}

/* Shortener hosts (and their subdomains) are flagged from the list. */
static void test_shortener_list_flags_hosts(void **state)
{
    fixture *f = *state;
    const char *list = "# shorteners\nbit.ly\n  TinyURL.com  # comment\n\n";
    assert_int_equal(
        ms_urls_config_load_shorteners_text(&f->c, list, strlen(list)), MS_OK);
    assert_int_equal(f->c.shorteners.n, 2);
    text(f, "https://bit.ly/3xYz http://www.tinyurl.com/abc "
            "https://notbit.ly.example/x");
    assert_true(find(f, "https://bit.ly/3xYz")->url.flags & MS_URL_SHORTENER);
    assert_true(find(f, "http://www.tinyurl.com/abc")->url.flags &
                MS_URL_SHORTENER);
    assert_false(find(f, "https://notbit.ly.example/x")->url.flags &
                 MS_URL_SHORTENER);
}

/* The shipped shortener list loads and knows bit.ly. */
static void test_shipped_shortener_list_loads(void **state)
{
    fixture *f = *state;
    char err[256];
    assert_int_equal(
        ms_urls_config_load_shorteners(
            &f->c, MS_SOURCE_DIR "/conf/shorteners.txt", err, sizeof(err)),
        MS_OK);
    assert_true(f->c.shorteners.n >= 90);
    assert_true(ms_domain_set_contains(&f->c.shorteners, "bit.ly"));
    assert_true(ms_domain_set_contains(&f->c.shorteners, "t.co"));
}

/* SpamScope's whitelist format: expired lists are skipped; whitelisted
 * registered domains leave the output. */
static void test_whitelist_drops_domains_and_honours_expiry(void **state)
{
    fixture *f = *state;
    const char *yml = "generic:\n"
                      "  expiry: null\n"
                      "  values:\n"
                      "    - google.com\n"
                      "    - Example.org\n"
                      "old:\n"
                      "  expiry: 2001-01-01T00:00:00.000Z\n"
                      "  values: [expired.example]\n"
                      "future:\n"
                      "  expiry: 2999-12-31\n"
                      "  values: [future.example]\n";
    char err[256] = "";
    assert_int_equal(ms_urls_config_load_whitelist_text(&f->c, yml, strlen(yml),
                                                        0, err, sizeof(err)),
                     MS_OK);
    assert_true(f->c.whitelist_enabled);
    assert_int_equal(f->c.whitelist.n, 3);
    text(f, "https://www.google.com/a https://mail.example.org/b "
            "https://expired.example/c https://future.example/d "
            "https://google.com.evil.example/e");
    assert_int_equal(f->l.n, 2);
    find(f, "https://expired.example/c");
    find(f, "https://google.com.evil.example/e");
    assert_int_equal(f->l.n_whitelisted, 3);
}

/* The example whitelist shipped in conf/ loads. */
static void test_example_whitelist_loads(void **state)
{
    fixture *f = *state;
    char err[256] = "";
    assert_int_equal(ms_urls_config_load_whitelist(
                         &f->c,
                         MS_SOURCE_DIR "/conf/whitelist-domains.example.yml", 0,
                         err, sizeof(err)),
                     MS_OK);
    assert_true(f->c.whitelist.n > 0);
}

/* A broken whitelist is an error naming the line. */
static void test_broken_whitelist_is_an_error(void **state)
{
    fixture *f = *state;
    const char *yml = "generic:\n  expiry: tomorrow\n  values: [a.com]\n";
    char err[256] = "";
    assert_int_equal(ms_urls_config_load_whitelist_text(&f->c, yml, strlen(yml),
                                                        0, err, sizeof(err)),
                     MS_EINVAL);
    assert_non_null(strstr(err, "line 2"));
}

/* Attachments: a text file, an HTML file, a PDF with /URI actions and
 * an OOXML relationship file, each with the attachment's name. */
static void test_attachment_bytes_by_content(void **state)
{
    fixture *f = *state;
    const char *txt = "readme: https://txt.example/a";
    const char *htm = "<html><a href=\"https://htm.example/b\">b</a></html>";
    const char *pdf = "%PDF-1.4\n1 0 obj << /Type /Action /S /URI "
                      "/URI (https://pdf.example/c\\(1\\)) >>\n"
                      "2 0 obj << /URI <68747470733a2f2f7064662e6578616d706c"
                      "652f64> >>\n";
    const char *rels = "<?xml version=\"1.0\"?><Relationships><Relationship "
                       "Target=\"https://docx.example/e\" "
                       "TargetMode=\"External\"/></Relationships>";
    const unsigned char bin[] = {0x4d, 0x5a, 0, 0, 'h', 't', 't', 'p'};
    struct {
        const char *name;
        const void *p;
        size_t n;
    } files[] = {{"a.txt", txt, strlen(txt)},
                 {"b.html", htm, strlen(htm)},
                 {"c.pdf", pdf, strlen(pdf)},
                 {"word/_rels/document.xml.rels", rels, strlen(rels)},
                 {"e.exe", bin, sizeof(bin)}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        assert_int_equal(ms_urls_extract_bytes(f->a, &f->c, NULL, files[i].name,
                                               files[i].p, files[i].n, &f->l),
                         MS_OK);
    assert_int_equal(f->l.n, 5);
    assert_true(
        has_source(find(f, "https://txt.example/a"), "attachment:a.txt"));
    assert_true(
        has_source(find(f, "https://htm.example/b"), "attachment:b.html"));
    assert_true(
        has_source(find(f, "https://pdf.example/c(1)"), "attachment:c.pdf"));
    find(f, "https://pdf.example/d");
    assert_true(has_source(find(f, "https://docx.example/e"),
                           "attachment:word/_rels/document.xml.rels"));
}

/* A parsed mail: the plain part, the HTML part, and a zip's text file
 * handed over by the attachment analysis, with the ceiling's defect. */
static void test_parsed_mail_all_sources(void **state)
{
    fixture *f = *state;
    const char *raw =
        "From: a@example.com\r\n"
        "To: b@example.net\r\n"
        "Subject: t\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=XX\r\n"
        "\r\n"
        "--XX\r\n"
        "Content-Type: text/plain\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "Pay at "
        "https://pay.example.com/very/long/path/that/is/cut/by/qp/so=\r\n"
        "ft/breaks?x=3D1\r\n"
        "--XX\r\n"
        "Content-Type: text/html\r\n"
        "\r\n"
        "<a href=\"https://html.example/\">https://other.example/</a>\r\n"
        "--XX--\r\n";
    ms_parse_options opt;
    ms_parse_options_default(&opt);
    ms_message *m;
    assert_int_equal(ms_message_parse(f->a, raw, strlen(raw), &opt, &m), MS_OK);
    assert_int_equal(ms_urls_extract(f->a, &f->c, m, &f->l), MS_OK);
    const ms_url_entry *e = find(f, "https://pay.example.com/very/long/path/"
                                    "that/is/cut/by/qp/soft/breaks?x=1");
    assert_string_equal(e->sources[0], "text");
    assert_true(find(f, "https://html.example/")->url.flags &
                MS_URL_TEXT_HREF_MISMATCH);
    /* what the attachment analysis hands over from inside a zip */
    const char *inner = "see hxxps://zip[.]example/inner";
    assert_int_equal(ms_urls_extract_bytes(f->a, &f->c, m, "x.zip/notes.txt",
                                           (const unsigned char *)inner,
                                           strlen(inner), &f->l),
                     MS_OK);
    assert_true(has_source(find(f, "https://zip.example/inner"),
                           "attachment:x.zip/notes.txt"));

    f->c.max_urls = f->l.n;
    text(f, "https://one.more.example/");
    assert_true(f->l.truncated);
    const char *more = "https://two.more.example/";
    assert_int_equal(
        ms_urls_extract_text(f->a, &f->c, m, "text", more, strlen(more), &f->l),
        MS_OK);
    assert_false(ms_message_has_defect(m, "limit_urls"));
    ms_url_list fresh;
    ms_url_list_init(&fresh);
    f->c.max_urls = 1;
    assert_int_equal(ms_urls_extract(f->a, &f->c, m, &fresh), MS_OK);
    assert_int_equal(fresh.n, 1);
    assert_true(ms_message_has_defect(m, "limit_urls"));
}

/* 100,000 distinct links in one HTML body: all found under a raised
 * ceiling (the hash index keeps this linear), and the default ceiling
 * stops at 10,000. */
static void test_hundred_thousand_links_are_all_counted(void **state)
{
    fixture *f = *state;
    size_t n_links = 100000;
    size_t cap = n_links * 64 + 64;
    char *body = malloc(cap);
    assert_non_null(body);
    size_t o = 0;
    for (size_t i = 0; i < n_links; i++)
        o += (size_t)snprintf(body + o, cap - o,
                              "<a href=\"https://h%zu.example.com/p\">l</a>\n",
                              i);
    f->c.max_urls = 200000;
    assert_int_equal(
        ms_urls_extract_html(f->a, &f->c, NULL, NULL, body, o, &f->l), MS_OK);
    assert_int_equal(f->l.n, n_links);
    assert_false(f->l.truncated);
    find(f, "https://h99999.example.com/p");

    ms_url_list capped;
    ms_url_list_init(&capped);
    f->c.max_urls = MS_URLS_DEFAULT_MAX_URLS;
    assert_int_equal(
        ms_urls_extract_html(f->a, &f->c, NULL, NULL, body, o, &capped), MS_OK);
    assert_int_equal(capped.n, MS_URLS_DEFAULT_MAX_URLS);
    assert_true(capped.truncated);
    free(body);
}

/* The JSON has every field and the flags by name. */
static void test_json_lists_fields_and_flag_names(void **state)
{
    fixture *f = *state;
    html(f, "<a href=\"http://user@3232235777/x\">https://bank.example/</a>");
    ms_buf b;
    ms_buf_init(&b, 0);
    ms_json w;
    ms_json_init(&w, &b, false);
    ms_urls_write_json(&w, &f->l);
    assert_int_equal(ms_json_status(&w), MS_OK);
    assert_non_null(strstr(b.p, "\"url\":\"http://user@192.168.1.1/x\""));
    assert_non_null(strstr(b.p, "\"domain_without_tld\":null"));
    assert_non_null(strstr(b.p, "\"source\":\"html:href\""));
    assert_non_null(strstr(b.p, "\"display_text\":\"https://bank.example/\""));
    assert_non_null(strstr(b.p, "\"flags\":[\"obfuscated\","
                                "\"text_href_mismatch\",\"ip_host\","
                                "\"credential\"]"));
    ms_buf_free(&b);
}

/* ms_url_looks_like_domain knows real TLDs only. */
static void test_domain_lookalike_needs_a_real_tld(void **state)
{
    (void)state;
    assert_true(ms_url_looks_like_domain("paypal.com", 10));
    assert_true(ms_url_looks_like_domain("www.bbc.co.uk.", 14));
    /* ".here" is a real gTLD; ".zzzq" is not */
    assert_true(ms_url_looks_like_domain("click.here", 10));
    assert_false(ms_url_looks_like_domain("click.zzzq", 10));
    assert_false(ms_url_looks_like_domain("paypal", 6));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_plain_text_finds_every_link_form),
        T(test_defanged_links_are_found_and_flagged),
        T(test_emails_and_ips_in_text_are_listed),
        T(test_link_text_naming_another_domain_is_a_mismatch),
        T(test_html_sources_and_base_resolution),
        T(test_relative_links_without_base_are_skipped),
        T(test_entity_encoded_href_dedups_with_text_link),
        T(test_redirect_target_is_added_as_its_own_url),
        T(test_shortener_list_flags_hosts),
        T(test_shipped_shortener_list_loads),
        T(test_whitelist_drops_domains_and_honours_expiry),
        T(test_example_whitelist_loads),
        T(test_broken_whitelist_is_an_error),
        T(test_attachment_bytes_by_content),
        T(test_parsed_mail_all_sources),
        T(test_hundred_thousand_links_are_all_counted),
        T(test_json_lists_fields_and_flag_names),
        T(test_domain_lookalike_needs_a_real_tld),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
