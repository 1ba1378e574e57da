/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the spam rule engine through its API: loading the
 * SpamAssassin rule language, each rule kind and header modifier, meta
 * expressions, score sets, conditionals and includes, the GTUBE test
 * string with the shipped rules, and the X-Spam-Status line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/spam_rules.h"

static char dir[256];

/* Writes a rule file into the test's folder and returns its path. */
static const char *write_rules(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Creates the temporary folder of the rule files. */
static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/ms-spam-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

/* Removes the temporary folder. */
static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Loads one rule text; fails the test on a load error. */
static ms_spam_rules *load_text(const char *text)
{
    const char *path = write_rules("t.cf", text);
    ms_spam_rules *rules = NULL;
    char err[256];
    ms_status rc = ms_spam_rules_load(&path, 1, NULL, &rules, err, sizeof(err));
    if (rc != MS_OK)
        fail_msg("load failed: %s", err);
    return rules;
}

/* Parses a mail and checks it; returns the result (arena kept in *a). */
static ms_spam_result check(ms_spam_rules *rules, ms_arena **a,
                            const char *mail)
{
    *a = ms_arena_new(0);
    ms_message *m = NULL;
    assert_int_equal(ms_message_parse(*a, mail, strlen(mail), NULL, &m), MS_OK);
    ms_spam_scratch *s = NULL;
    assert_int_equal(ms_spam_scratch_new(rules, &s), MS_OK);
    ms_spam_result r;
    assert_int_equal(ms_spam_check(rules, s, *a, m, &r), MS_OK);
    ms_spam_scratch_free(s);
    return r;
}

/* True when the result lists the rule. */
static bool has_hit(const ms_spam_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_hits; i++) {
        if (strcmp(r->hits[i].name, name) == 0)
            return true;
    }
    return false;
}

/* Checks a mail and tells whether rule name hit it. */
static bool hits(ms_spam_rules *rules, const char *mail, const char *name)
{
    ms_arena *a;
    ms_spam_result r = check(rules, &a, mail);
    bool hit = has_hit(&r, name);
    ms_arena_free(a);
    return hit;
}

static const char plain_mail[] =
    "From: Winner Notice <prize12345@example.net>\n"
    "To: undisclosed-recipients:;\n"
    "Subject: You WON $1,000,000\n"
    "Date: Tue, 12 Mar 2024 15:03:05 +0100\n"
    "X-Mailer: Bulk Sender 2.1\n"
    "Content-Type: text/plain\n"
    "\n"
    "Dear friend,\n"
    "congratulations you have been selected.\n"
    "Visit http://198.51.100.7/claim now.\n";

/* The shipped rules find GTUBE anywhere in the body and score it 1000. */
static void test_spam_shipped_rules_catch_gtube(void **state)
{
    const char *path = MS_SOURCE_DIR "/conf/rules";
    ms_spam_rules *rules = NULL;
    char err[256];
    assert_int_equal(
        ms_spam_rules_load(&path, 1, NULL, &rules, err, sizeof(err)), MS_OK);
    ms_spam_rules_stats st;
    ms_spam_rules_get_stats(rules, &st);
    assert_true(st.n_rules > 20);
    assert_true(st.n_prefilter > 0);
    assert_int_equal(st.n_invalid, 0);
    ms_arena *a;
    ms_spam_result r = check(
        rules, &a,
        "From: a@example.org\nSubject: test\n\nThis is the GTUBE, the\n"
        "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
        "\n\nend\n");
    assert_true(has_hit(&r, "GTUBE"));
    assert_true(r.is_spam);
    assert_true(r.score >= 1000);
    assert_non_null(strstr(r.status, "Yes, score="));
    assert_non_null(strstr(r.status, "tests="));
    ms_arena_free(a);
    /* and a harmless mail stays ham */
    r = check(rules, &a,
              "From: a@example.org\nTo: b@example.com\nSubject: lunch\n"
              "Date: Tue, 12 Mar 2024 15:03:05 +0100\nMessage-Id: <x@y>\n\n"
              "Shall we meet at noon?\n");
    assert_false(r.is_spam);
    assert_false(has_hit(&r, "GTUBE"));
    ms_arena_free(a);
    ms_spam_rules_free(rules);
}

/* Header rules: =~, !~ with if-unset, exists:, :addr and :name. */
static void test_spam_header_rules_and_modifiers(void **state)
{
    ms_spam_rules *rules = load_text(
        "header H_SUBJ Subject =~ /\\$1,000,000/\n"
        "header H_NOT_MAILER X-Mailer !~ /Outlook/\n"
        "header H_UNSET X-Nothere =~ /^default$/ [if-unset: default]\n"
        "header H_EXISTS exists:X-Mailer\n"
        "header H_MISSING exists:X-Nothere\n"
        "header H_ADDR From:addr =~ /^prize\\d+\\@example\\.net$/\n"
        "header H_NAME From:name =~ /^Winner Notice$/\n"
        "header H_TOCC ToCc =~ /undisclosed/\n"
        "header H_ALL ALL =~ /^X-Mailer: Bulk/m\n"
        "score H_SUBJ 1\nscore H_NOT_MAILER 1\nscore H_UNSET 1\n"
        "score H_EXISTS 1\nscore H_MISSING 1\nscore H_ADDR 1\n"
        "score H_NAME 1\nscore H_TOCC 1\nscore H_ALL 1\n");
    ms_arena *a;
    ms_spam_result r = check(rules, &a, plain_mail);
    assert_true(has_hit(&r, "H_SUBJ"));
    assert_true(has_hit(&r, "H_NOT_MAILER"));
    assert_true(has_hit(&r, "H_UNSET"));
    assert_true(has_hit(&r, "H_EXISTS"));
    assert_false(has_hit(&r, "H_MISSING"));
    assert_true(has_hit(&r, "H_ADDR"));
    assert_true(has_hit(&r, "H_NAME"));
    assert_true(has_hit(&r, "H_TOCC"));
    assert_true(has_hit(&r, "H_ALL"));
    ms_arena_free(a);
    ms_spam_rules_free(rules);
}

/* Body rules see the Subject and paragraphs; rawbody sees HTML as it is;
 * uri rules see the links; full sees the raw mail; matched text kept. */
static void test_spam_body_rawbody_uri_full(void **state)
{
    ms_spam_rules *rules =
        load_text("body B_SUBJECT /You WON/\n"
                  "body B_PARA /^Dear friend, congratulations you/i\n"
                  "rawbody R_RAW /have been\\s+selected/\n"
                  "uri U_IP m{^http://\\d+\\.\\d+\\.\\d+\\.\\d+/}\n"
                  "full F_MAILER /^X-Mailer: Bulk Sender/m\n"
                  "body B_ABSENT /nothing like this/\n");
    ms_arena *a;
    ms_spam_result r = check(rules, &a, plain_mail);
    assert_true(has_hit(&r, "B_SUBJECT"));
    assert_true(has_hit(&r, "B_PARA"));
    assert_true(has_hit(&r, "R_RAW"));
    assert_true(has_hit(&r, "U_IP"));
    assert_true(has_hit(&r, "F_MAILER"));
    assert_false(has_hit(&r, "B_ABSENT"));
    for (size_t i = 0; i < r.n_hits; i++) {
        if (strcmp(r.hits[i].name, "U_IP") == 0)
            assert_string_equal(r.hits[i].match, "http://198.51.100.7/");
    }
    /* rules without a score line count 1 each */
    assert_true(r.score >= 5.0 && r.score <= 5.01);
    ms_arena_free(a);
    ms_spam_rules_free(rules);
}

/* Meta rules: boolean and arithmetic, sub-rules not reported, metas of
 * metas, unknown names read as 0. */
static void test_spam_meta_expressions(void **state)
{
    ms_spam_rules *rules = load_text(
        "body __A /Dear friend/\nbody __B /congratulations/\n"
        "body __C /not present/\n"
        "meta M_AND __A && __B\nmeta M_OR __C || __A\n"
        "meta M_NOT !__C && !(__A && __C)\n"
        "meta M_SUM __A + __B + __C >= 2\nmeta M_SUM3 __A + __B + __C >= 3\n"
        "meta M_OF_M M_AND && M_SUM\nmeta M_UNKNOWN __A && NO_SUCH_RULE\n"
        "meta M_ARITH (__A * 2 - __B) == 1\n"
        "score M_AND 1\nscore M_OR 1\nscore M_NOT 1\nscore M_SUM 1\n"
        "score M_SUM3 1\nscore M_OF_M 1\nscore M_UNKNOWN 1\n"
        "score M_ARITH 1\n");
    ms_arena *a;
    ms_spam_result r = check(rules, &a, plain_mail);
    assert_true(has_hit(&r, "M_AND"));
    assert_true(has_hit(&r, "M_OR"));
    assert_true(has_hit(&r, "M_NOT"));
    assert_true(has_hit(&r, "M_SUM"));
    assert_false(has_hit(&r, "M_SUM3"));
    assert_true(has_hit(&r, "M_OF_M"));
    assert_false(has_hit(&r, "M_UNKNOWN"));
    assert_true(has_hit(&r, "M_ARITH"));
    assert_false(has_hit(&r, "__A"));
    ms_arena_free(a);
    ms_spam_rules_free(rules);
}

/* Scores: four-value sets use the first (no Bayes, no network); score 0
 * disables; required_score sets the verdict; describe is reported. */
static void test_spam_scores_required_and_describe(void **state)
{
    ms_spam_rules *rules =
        load_text("required_score 2.5\n"
                  "body S_ONE /Dear friend/\nscore S_ONE 2.0 0.5 3.0 4.0\n"
                  "describe S_ONE Greets a friend\n"
                  "body S_OFF /congratulations/\nscore S_OFF 0\n"
                  "body S_TWO /selected/\nscore S_TWO 0.7\n");
    ms_arena *a;
    ms_spam_result r = check(rules, &a, plain_mail);
    assert_true(r.required == 2.5);
    assert_true(r.score > 2.69 && r.score < 2.71);
    assert_true(r.is_spam);
    assert_false(has_hit(&r, "S_OFF"));
    assert_string_equal(r.hits[0].name, "S_ONE");
    assert_string_equal(r.hits[0].description, "Greets a friend");
    assert_string_equal(r.status,
                        "Yes, score=2.7 required=2.5 tests=S_ONE,S_TWO "
                        "autolearn=no");
    ms_arena_free(a);
    ms_spam_rules_free(rules);
}

/* ifplugin blocks of unknown plugins are skipped, else branches taken,
 * includes read relative to the file, eval rules and bad regexes counted
 * instead of failing the load. */
static void test_spam_conditionals_includes_and_skips(void **state)
{
    write_rules("inc.cf", "body I_INCLUDED /selected/\n");
    ms_spam_rules *rules =
        load_text("ifplugin Mail::SpamAssassin::Plugin::URIDNSBL\n"
                  "body P_SKIPPED /Dear/\n"
                  "else\n"
                  "body P_ELSE /Dear/\n"
                  "endif\n"
                  "if (version >= 3.004)\nbody P_VERSION /friend/\nendif\n"
                  "include inc.cf\n"
                  "header E_EVAL eval:check_for_missing_to_header()\n"
                  "body E_BAD /unclosed(group/\n");
    ms_spam_rules_stats st;
    ms_spam_rules_get_stats(rules, &st);
    assert_int_equal(st.n_eval, 1);
    assert_int_equal(st.n_invalid, 1);
    ms_arena *a;
    ms_spam_result r = check(rules, &a, plain_mail);
    assert_false(has_hit(&r, "P_SKIPPED"));
    assert_true(has_hit(&r, "P_ELSE"));
    assert_true(has_hit(&r, "P_VERSION"));
    assert_true(has_hit(&r, "I_INCLUDED"));
    ms_arena_free(a);
    ms_spam_rules_free(rules);
}

/* A broken file is a one-line error naming the file and line. */
static void test_spam_load_errors_name_file_and_line(void **state)
{
    const char *path = write_rules("bad.cf", "body OK /x/\n"
                                             "header BROKEN Subject\n");
    ms_spam_rules *rules = NULL;
    char err[256];
    assert_int_equal(
        ms_spam_rules_load(&path, 1, NULL, &rules, err, sizeof(err)),
        MS_EINVAL);
    assert_null(rules);
    assert_non_null(strstr(err, "bad.cf:2:"));
    const char *missing = "/nonexistent/rules.cf";
    assert_int_equal(
        ms_spam_rules_load(&missing, 1, NULL, &rules, err, sizeof(err)),
        MS_EIO);
}

/* The prefilters never hide a hit: rules whose patterns go to Hyperscan
 * as they are, widened (long look-alike alternations, large repeats) or
 * per header text hit exactly where PCRE2 alone hits them, and a meta
 * over metas defined later is evaluated in one pass. */
static void test_spam_prefilters_keep_every_hit(void **state)
{
    /* a tag-like look-alike class of alternatives (the rules match
     * octets, as SpamAssassin's do: [\xce][\x85] is the UTF-8 form of
     * U+0385), long enough (over 3 kB) to be widened */
    char letter[4096] = "(?:[pP\\xd1\\xf1]";
    for (int k = 0; k < 60; k++) {
        char alt[64];
        snprintf(alt, sizeof(alt),
                 "|[\\xce][\\x%02x]|[\\xf0][\\x9d][\\x90][\\x%02x]", 0x80 + k,
                 0x80 + k);
        strcat(letter, alt);
    }
    strcat(letter, ")");
    char rules_text[16384];
    snprintf(rules_text, sizeof(rules_text),
             "body B_FUZZY /(?:^|\\W)(?!paypal)%sa[yY]%sal\\b/i\n"
             "score B_FUZZY 1\n"
             "body B_FAR /order\\W[^<]{0,2048}today/i\n"
             "score B_FAR 1\n"
             "body B_LOOK /(?<=\\s)wire(?= transfer)/\n"
             "score B_LOOK 1\n"
             "header H_RELAY X-Spam-Relays-External =~ /^\\[ [^\\]]+ \\]$/\n"
             "score H_RELAY 1\n"
             "header H_NOT_LIST List-Id !~ /lists\\.example/\n"
             "score H_NOT_LIST 1\n"
             "header H_UNSET X-Nothing =~ /^none$/ [if-unset: none]\n"
             "score H_UNSET 1\n"
             "uri U_MAILTO /\\?.{0,200}\\w\\@[\\w-]{1,20}.\\w\\w\\w?\\b/i\n"
             "score U_MAILTO 1\n"
             "meta M_OUTER M_INNER && B_FAR\n"
             "score M_OUTER 1\n"
             "meta M_INNER B_LOOK || B_FUZZY\n"
             "score M_INNER 1\n"
             "body B_ELLIPSIS /ends[\\xe2][\\x80][\\xa6]/\n"
             "score B_ELLIPSIS 1\n"
             "body B_WIDE /\\x{2026} \\w/\n"
             "score B_WIDE 1\n",
             letter, letter);
    ms_spam_rules *rules = load_text(rules_text);
    ms_spam_rules_stats st;
    ms_spam_rules_get_stats(rules, &st);
    assert_true(st.n_widened >= 2); /* B_FUZZY and B_FAR */
    ms_arena *a;
    char mail[8192];
    /* the first pad moves the texts across 64-byte boundaries */
    for (int pad = 0; pad < 64; pad += 7) {
        snprintf(mail, sizeof(mail),
                 "Received: from relay.example.net (relay.example.net "
                 "[81.2.69.142]) by mx.example.com with ESMTP id "
                 "abcdefghijklmn for <you@example.com>; Tue, 12 Mar 2024 "
                 "15:03:05 +0100\n"
                 "From: a@example.org\nTo: b@example.com\nSubject: hi%*s\n"
                 "Content-Type: text/html; charset=utf-8\n\n"
                 "<p>Order now, the offer ends\xe2\x80\xa6 today. Send a "
                 "wire transfer to "
                 "\xce\x85"
                 "ay"
                 "\xce\x90"
                 "al.</p>"
                 "<a href=\"http://shop.example/remove.php?id=jm@example.com\">"
                 "x</a>\n",
                 pad, "");
        ms_spam_result r = check(rules, &a, mail);
        assert_true(has_hit(&r, "B_FUZZY"));
        assert_true(has_hit(&r, "B_FAR"));
        assert_true(has_hit(&r, "B_LOOK"));
        assert_true(has_hit(&r, "H_RELAY"));
        assert_true(has_hit(&r, "H_NOT_LIST"));
        assert_true(has_hit(&r, "H_UNSET"));
        assert_true(has_hit(&r, "U_MAILTO"));
        assert_true(has_hit(&r, "M_INNER"));
        assert_true(has_hit(&r, "M_OUTER"));
        /* byte sequences as SpamAssassin spells them, and a character
         * beyond one byte (that rule runs in UTF-8 mode) */
        assert_true(has_hit(&r, "B_ELLIPSIS"));
        assert_true(has_hit(&r, "B_WIDE"));
        ms_arena_free(a);
    }
    /* and none of them on a mail without those features */
    ms_spam_result r =
        check(rules, &a,
              "From: a@example.org\nList-Id: <team.lists.example>\n"
              "X-Nothing: something\nSubject: paypal\n\n"
              "Your paypal receipt. Order details below.\n");
    assert_int_equal(r.n_hits, 0);
    ms_arena_free(a);
    ms_spam_rules_free(rules);
}

/* Body rules read about the first 50,000 bytes of each text part and
 * rawbody rules the first 500,000, as SpamAssassin does: a word placed
 * after that is not seen by body rules, one before it is. */
static void test_spam_part_scan_sizes(void **state)
{
    (void)state;
    ms_spam_rules *rules = load_text("body B_EARLY /early marker/\n"
                                     "score B_EARLY 1\n"
                                     "body B_LATE /late marker/\n"
                                     "score B_LATE 1\n"
                                     "rawbody R_LATE /late marker/\n"
                                     "score R_LATE 1\n");
    size_t filler = 70000;
    char *mail = malloc(filler + 512);
    assert_non_null(mail);
    int n = sprintf(mail, "From: a@example.org\nTo: b@example.com\n"
                          "Subject: report\n\nearly marker\n");
    for (size_t k = 0; k < filler; k += 50)
        n += sprintf(mail + n, "%s\n",
                     "the quarterly figures are attached as before ...");
    sprintf(mail + n, "late marker\n");
    ms_arena *a;
    ms_spam_result r = check(rules, &a, mail);
    assert_true(has_hit(&r, "B_EARLY"));
    assert_false(has_hit(&r, "B_LATE"));
    assert_true(has_hit(&r, "R_LATE"));
    ms_arena_free(a);
    free(mail);
    ms_spam_rules_free(rules);
}

/* A rule that is one long group repeated ("(?:G){3}") is checked line
 * by line, as SpamAssassin checks body rules: it hits three form fields
 * on lines of one paragraph (HTML lines joined by <br>), not three fields
 * in three paragraphs; and the rendered HTML drops tags, joins <br>
 * lines with a space and starts a new line at <p>. */
static void test_spam_line_rules_and_rendered_paragraphs(void **state)
{
    (void)state;
    ms_spam_rules *rules = load_text(
        "body L_FORM /(?:(?:your\\s)?(?:full\\sname|name|city|state|phone|"
        "e-?mail|address|country|zip\\scode|date\\sof\\sbirth):?\\s?"
        "(?:[-=_.,:;*]|\\s){2,100}){3}/i\n"
        "score L_FORM 1\n"
        "body B_JOINED /^Fill in the form below and fax it back today\\.$/m\n"
        "score B_JOINED 1\n");
    ms_spam_rules_stats st;
    ms_spam_rules_get_stats(rules, &st);
    assert_int_equal(st.n_line_rules, 1);
    char mail[4096];
    for (int pad = 0; pad < 64; pad += 9) {
        snprintf(mail, sizeof(mail),
                 "From: Sales <sales@example.net>\nTo: you@example.com\n"
                 "Subject: offer%*s\nContent-Type: text/html\n\n"
                 "<html><body><p>Fill in the form <b>below</b> and fax it\n"
                 "back today.</p>\n"
                 "<font size=\"+1\">NAME:______________<br>\n"
                 "<font size=\"+1\">CITY:______________<br>\n"
                 "<font size=\"+1\">PHONE:_____________<br>\n"
                 "</body></html>\n",
                 pad, "");
        assert_true(hits(rules, mail, "L_FORM"));
        assert_true(hits(rules, mail, "B_JOINED"));
    }
    /* the same fields as three paragraphs of plain text */
    assert_false(hits(rules,
                      "From: Sales <sales@example.net>\nTo: you@example.com\n"
                      "Subject: offer\n\nNAME:______________\n\n"
                      "CITY:______________\n\nPHONE:_____________\n",
                      "L_FORM"));
    ms_spam_rules_free(rules);
}

/* The eval: tests mailscope runs: free mail senders (with the globs of
 * freemail_domains and the role addresses left out), the Date against
 * the Received times (fetchmail's own lines left out), an all-capitals
 * Subject, header counts, MIME and HTML facts; the network tests are
 * counted and skipped. */
static void test_spam_eval_tests(void **state)
{
    (void)state;
    ms_spam_rules *rules = load_text(
        "freemail_domains hotmail.* mail2*.com\n"
        "header E_FREE_FROM eval:check_freemail_from()\n"
        "header E_FREE_RT_DIGIT eval:check_freemail_header('Reply-To', "
        "'\\d@')\n"
        "header E_FUTURE_06_12 eval:check_for_shifted_date('6', '12')\n"
        "header E_PAST_96_XX eval:check_for_shifted_date('undef', '-96')\n"
        "header E_CAPS eval:subject_is_all_caps()\n"
        "header E_TWO_CTYPES eval:check_header_count_range('Content-Type',"
        "'2','999')\n"
        "rawbody E_B64 eval:check_for_mime('mime_base64_count')\n"
        "body E_HTML_ONLY eval:check_for_mime_html_only()\n"
        "body E_HTML eval:html_test('html')\n"
        "body E_TAG_HTML eval:html_tag_exists('html')\n"
        "body E_TAG_FONT eval:html_tag_exists('font')\n"
        "header E_RBL eval:check_rbl('zen', 'zen.spamhaus.org.')\n"
        "body E_EMBEDS eval:html_test('embeds')\n");
    ms_spam_rules_stats st;
    ms_spam_rules_get_stats(rules, &st);
    assert_int_equal(st.n_eval, 13);
    assert_int_equal(st.n_eval_run, 11);
    static const char mail[] =
        "Received: from localhost (localhost [127.0.0.1])\n"
        "\tby home.example.org (Postfix) with ESMTP id 1A2B3C\n"
        "\tfor <me@example.org>; Tue, 10 Sep 2024 15:00:00 +0000\n"
        "Received: from pop.example.net [192.0.2.7]\n"
        "\tby localhost with POP3 (fetchmail-6.4.37)\n"
        "\tfor <me@example.org>; Tue, 10 Sep 2024 14:59:59 +0000 (UTC)\n"
        "Received: from relay.example.net (relay.example.net [81.2.69.142])\n"
        "\tby mx.example.net with ESMTP id 7QWERTY; Tue, 10 Sep 2024 "
        "06:00:00 +0000\n"
        "From: Win Now <jack1977@hotmail.com>\n"
        "Reply-To: jack1977@mail2world.com\n"
        "To: me@example.org\n"
        "Subject: FREE MONEY FOR EVERYONE TODAY\n"
        "Date: Tue, 10 Sep 2024 14:00:00 +0000\n"
        "Content-Type: text/html; charset=us-ascii\n"
        "Content-Type: text/html\n"
        "Content-Transfer-Encoding: base64\n\n"
        "PGZvbnQgY29sb3I9cmVkPkNsaWNrIG5vdzwvZm9udD4K\n";
    ms_arena *a;
    ms_spam_result r = check(rules, &a, mail);
    static const char *const hit[] = {
        "E_FREE_FROM", "E_FREE_RT_DIGIT", "E_FUTURE_06_12",
        "E_CAPS",      "E_TWO_CTYPES",    "E_B64",
        "E_HTML_ONLY", "E_HTML",          "E_TAG_FONT"};
    for (size_t k = 0; k < sizeof(hit) / sizeof(hit[0]); k++)
        assert_true(has_hit(&r, hit[k]));
    static const char *const miss[] = {"E_PAST_96_XX", "E_TAG_HTML", "E_RBL",
                                       "E_EMBEDS"};
    for (size_t k = 0; k < sizeof(miss) / sizeof(miss[0]); k++)
        assert_false(has_hit(&r, miss[k]));
    ms_arena_free(a);
    /* a role address at a free mail domain, a Subject in mixed case, a
     * plain text mail */
    assert_false(hits(rules,
                      "From: support@hotmail.com\nTo: me@example.org\n"
                      "Subject: Your ticket was updated today\n\nHello\n",
                      "E_FREE_FROM"));
    assert_false(hits(rules,
                      "From: support@hotmail.com\nTo: me@example.org\n"
                      "Subject: Your ticket was updated today\n\nHello\n",
                      "E_CAPS"));
    ms_spam_rules_free(rules);
}

/* A cache folder keeps the compiled prefilters: the second load reads
 * them all back and checks mail the same way. */
static void test_spam_prefilter_cache(void **state)
{
    char cache[300];
    snprintf(cache, sizeof(cache), "%s/cache/rules", dir);
    const char *path =
        write_rules("c.cf", "body C_ONE /cheap\\s+(?:pills|meds)/i\n"
                            "score C_ONE 2\n"
                            "header C_TWO Subject =~ /^urgent/i\n"
                            "score C_TWO 2\n"
                            "body C_FAR /order\\W[^<]{0,2048}today/i\n"
                            "score C_FAR 2\n");
    const char *mail = "From: a@example.org\nSubject: URGENT offer\n\n"
                       "Cheap  pills, order now, gone today.\n";
    for (int round = 0; round < 2; round++) {
        ms_spam_rules *rules = NULL;
        char err[256];
        assert_int_equal(
            ms_spam_rules_load(&path, 1, cache, &rules, err, sizeof(err)),
            MS_OK);
        ms_spam_rules_stats st;
        ms_spam_rules_get_stats(rules, &st);
        assert_true(st.n_databases >= 2);
        assert_int_equal(st.n_cached, round == 0 ? 0 : st.n_databases);
        ms_arena *a;
        ms_spam_result r = check(rules, &a, mail);
        assert_true(has_hit(&r, "C_ONE"));
        assert_true(has_hit(&r, "C_TWO"));
        assert_true(has_hit(&r, "C_FAR"));
        assert_true(r.is_spam);
        ms_arena_free(a);
        ms_spam_rules_free(rules);
    }
    /* a damaged cache file is ignored and compiled again */
    char cmd[700];
    snprintf(cmd, sizeof(cmd),
             "for f in %s/*.hsdb; do head -c 20 \"$f\" > \"$f.x\" && "
             "mv \"$f.x\" \"$f\"; done",
             cache);
    assert_int_equal(system(cmd), 0);
    ms_spam_rules *rules = NULL;
    char err[256];
    assert_int_equal(
        ms_spam_rules_load(&path, 1, cache, &rules, err, sizeof(err)), MS_OK);
    ms_spam_rules_stats st;
    ms_spam_rules_get_stats(rules, &st);
    assert_int_equal(st.n_cached, 0);
    ms_arena *a;
    ms_spam_result r = check(rules, &a, mail);
    assert_true(has_hit(&r, "C_ONE") && has_hit(&r, "C_FAR"));
    ms_arena_free(a);
    ms_spam_rules_free(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spam_shipped_rules_catch_gtube),
        cmocka_unit_test(test_spam_header_rules_and_modifiers),
        cmocka_unit_test(test_spam_body_rawbody_uri_full),
        cmocka_unit_test(test_spam_meta_expressions),
        cmocka_unit_test(test_spam_scores_required_and_describe),
        cmocka_unit_test(test_spam_conditionals_includes_and_skips),
        cmocka_unit_test(test_spam_load_errors_name_file_and_line),
        cmocka_unit_test(test_spam_prefilters_keep_every_hit),
        cmocka_unit_test(test_spam_prefilter_cache),
        cmocka_unit_test(test_spam_part_scan_sizes),
        cmocka_unit_test(test_spam_line_rules_and_rendered_paragraphs),
        cmocka_unit_test(test_spam_eval_tests),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
