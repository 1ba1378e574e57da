/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the phishing analyzer: loading the shipped lists and
 * SpamScope's file formats, errors that name the file and line, the
 * keyword semantics behind SpamScope's bitmap, and the detector's
 * signals on parsed mails (brand names, lookalike domains, hidden text,
 * the receiver's authentication verdict and sender alignment, machine-made
 * tokens, display names, free mail senders, weights and thresholds, long
 * mails).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/phishing.h"
#include "analysis/urls.h"

#define CONF MS_SOURCE_DIR "/conf/phishing/"

typedef struct fixture {
    ms_phish_engine *e;
    ms_phish_scratch *s;
    ms_arena *a;
    ms_urls_config uc;
    ms_url_list urls;
    ms_message *m;
    ms_phish_result r;
    char path[64]; /* a temporary list file */
} fixture;

/* The shipped lists, plus extra files of each kind. */
static ms_status build(fixture *f, const char *brands, const char *subjects,
                       const char *signals, char *err, size_t err_size)
{
    ms_phish_config c = {0};
    c.brands[c.n_brands++] = CONF "brands.yml";
    if (brands)
        c.brands[c.n_brands++] = brands;
    c.subjects[c.n_subjects++] = CONF "subjects.yml";
    if (subjects)
        c.subjects[c.n_subjects++] = subjects;
    c.phrases[c.n_phrases++] = CONF "phrases.yml";
    c.domains[c.n_domains++] = CONF "domains.yml";
    c.signals = signals ? signals : CONF "signals.yml";
    ms_phish_engine_free(f->e);
    f->e = NULL;
    ms_phish_scratch_free(f->s);
    f->s = NULL;
    ms_status rc = ms_phish_engine_new(&c, &f->e, err, err_size);
    if (rc == MS_OK)
        assert_int_equal(ms_phish_scratch_new(f->e, &f->s), MS_OK);
    return rc;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char err[256];
    f->a = ms_arena_new(0);
    ms_urls_config_init(&f->uc);
    if (ms_urls_config_load_shorteners(&f->uc,
                                       MS_SOURCE_DIR "/conf/shorteners.txt",
                                       err, sizeof(err)) != MS_OK)
        return 1;
    if (build(f, NULL, NULL, NULL, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ms_phish_scratch_free(f->s);
    ms_phish_engine_free(f->e);
    ms_urls_config_free(&f->uc);
    ms_arena_free(f->a);
    if (f->path[0])
        remove(f->path);
    free(f);
    return 0;
}

/* Writes text to a temporary file; returns its path. */
static const char *temp_file(fixture *f, const char *text)
{
    strcpy(f->path, "/tmp/ms-phish-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
    return f->path;
}

/* Parses the mail, extracts its URLs and runs the analysis. */
static const ms_phish_result *analyze(fixture *f, const char *mail)
{
    ms_arena_reset(f->a);
    ms_parse_options o = {0};
    ms_parse_options_default(&o);
    assert_int_equal(ms_message_parse(f->a, mail, strlen(mail), &o, &f->m),
                     MS_OK);
    ms_url_list_init(&f->urls);
    assert_int_equal(ms_urls_extract(f->a, &f->uc, f->m, &f->urls), MS_OK);
    assert_int_equal(
        ms_phish_analyze(f->e, f->s, f->m, &f->urls, NULL, 0, &f->r), MS_OK);
    return &f->r;
}

/* The signal of that name, or NULL. */
static const ms_phish_signal *signal_of(const ms_phish_result *r,
                                        const char *name)
{
    for (size_t i = 0; i < r->n_signals; i++)
        if (strcmp(r->signals[i].name, name) == 0)
            return &r->signals[i];
    return NULL;
}

static bool has_target(const ms_phish_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_targets; i++)
        if (strcmp(r->targets[i], name) == 0)
            return true;
    return false;
}

/* The shipped lists load: many brands, one literal per distinct word. */
static void test_shipped_lists_load(void **state)
{
    fixture *f = *state;
    assert_true(ms_phish_engine_brand_count(f->e) >= 80);
    assert_true(ms_phish_engine_literal_count(f->e) >= 500);
}

/* A SpamScope targets file (name -> keyword lines) adds a target and
 * merges keywords into a brand of the same name. */
static void test_spamscope_targets_file(void **state)
{
    fixture *f = *state;
    char err[256];
    size_t before = ms_phish_engine_brand_count(f->e);
    const char *targets = temp_file(f, "Banca Fake:\n"
                                       "  - banca fake\n"
                                       "  - bancafake\n"
                                       "PayPal:\n"
                                       "  - pay pal\n");
    assert_int_equal(build(f, targets, NULL, NULL, err, sizeof(err)), MS_OK);
    assert_int_equal(ms_phish_engine_brand_count(f->e), before + 1);
    const ms_phish_result *r =
        analyze(f, "From: a@b.example\nSubject: hi\n\n"
                   "Accedi alla tua FAKE area di BANCA oggi.\n");
    /* every word of "banca fake" occurs, in any order and case */
    assert_true(r->score & 1u);
    assert_true(has_target(r, "Banca Fake"));
    r = analyze(f, "From: a@b.example\nSubject: hi\n\nPay your PAL today.\n");
    assert_true(has_target(r, "PayPal"));
}

/* Broken files are refused with the file and line of the fault. */
static void test_errors_name_file_and_line(void **state)
{
    fixture *f = *state;
    char err[256];
    const char *bad = temp_file(f, "threshold_phishing: 50\n"
                                   "weights:\n"
                                   "  no_such_signal: 10\n");
    assert_int_equal(build(f, NULL, NULL, bad, err, sizeof(err)), MS_EINVAL);
    assert_non_null(strstr(err, ":3: unknown signal 'no_such_signal'"));
    bad = temp_file(f, "weights:\n  urgency: 500\n");
    assert_int_equal(build(f, NULL, NULL, bad, err, sizeof(err)), MS_EINVAL);
    assert_non_null(strstr(err, "from 0 to 100"));
    bad = temp_file(f, "Acme: 12\n");
    assert_int_equal(build(f, bad, NULL, NULL, err, sizeof(err)), MS_EINVAL);
    assert_non_null(strstr(err, ":1:"));
    assert_int_equal(
        build(f, "/nonexistent/brands.yml", NULL, NULL, err, sizeof(err)),
        MS_EIO);
    assert_non_null(strstr(err, "/nonexistent/brands.yml"));
    assert_int_equal(build(f, NULL, NULL, NULL, err, sizeof(err)), MS_OK);
}

/* SpamScope's bits: body, From, subject list, form; with_phishing needs
 * a URL besides a score. */
static void test_spamscope_bits(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r =
        analyze(f, "From: \"PayPal Service\" <service@pp-notice.example>\n"
                   "Subject: Your account has been suspended\n"
                   "MIME-Version: 1.0\n"
                   "Content-Type: text/html; charset=utf-8\n\n"
                   "<p>Your PayPal account is limited.</p>"
                   "<FORM action=\"https://pp-notice.example/x\">"
                   "<input name=u></form>\n");
    assert_true(r->score & (1u << 0)); /* mail_body */
    assert_true(r->score & (1u << 5)); /* mail_from */
    assert_true(r->score & (1u << 6)); /* mail_subject */
    assert_true(r->score & (1u << 7)); /* mail_form */
    assert_false(r->score & (1u << 1));
    assert_true(has_target(r, "PayPal"));
    assert_true(r->with_phishing);
    r = analyze(f, "From: a@b.example\nSubject: lunch\n\nSee you at noon.\n");
    assert_int_equal(r->score, 0);
    assert_false(r->with_phishing);
    assert_string_equal(r->verdict, "clean");
}

/* A brand in the display name from another domain, a lookalike link, a
 * credential request: phishing, with the brand named. */
static void test_brand_lure(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r = analyze(
        f, "From: \"Microsoft 365\" <no-reply@m365-mail.example>\n"
           "To: jo@corp.example\n"
           "Subject: Action required: password expires today\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/html; charset=utf-8\n\n"
           "<p>Your password expires today. Verify your account within 24 "
           "hours to avoid suspension.</p>"
           "<a href=\"https://microsoftonline-login.example-secure.net/\">"
           "Keep my password</a>\n");
    assert_non_null(signal_of(r, "brand_display_name"));
    /* microsoftonline-login.example-secure.net: the brand's name leads
     * the subdomain of a domain it does not own */
    assert_non_null(signal_of(r, "brand_in_subdomain"));
    assert_non_null(signal_of(r, "urgency"));
    assert_non_null(signal_of(r, "credential_request"));
    assert_string_equal(r->verdict, "phishing");
    assert_string_equal(r->brand, "Microsoft");
    assert_true(r->risk >= 50 && r->risk <= 100);
}

/* The brand's own mail, linking to its own domain, stays clean. */
static void test_brand_own_mail_is_clean(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r = analyze(
        f, "From: \"PayPal\" <service@paypal.com>\n"
           "Subject: Receipt for your payment\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/html; charset=utf-8\n\n"
           "<p>You sent a payment of 12.00 EUR.</p>"
           "<a href=\"https://www.paypal.com/activity\">View details</a>\n");
    assert_null(signal_of(r, "brand_display_name"));
    assert_null(signal_of(r, "lookalike_domain"));
    assert_null(signal_of(r, "links_elsewhere"));
    assert_string_equal(r->verdict, "clean");
}

/* Lookalikes: one edit away, digits for letters, a brand joined to a
 * phishy word, a brand as a subdomain of another domain; a word that only
 * contains a brand's letters does not count. */
static void test_lookalike_domains(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *host;
        const char *signal; /* NULL: none */
    } cases[] = {
        {"paypai.com", "lookalike_domain"},
        {"paypa1.com", "lookalike_domain"},
        {"secure-paypal.net", "lookalike_domain"},
        {"paypalsupport.com", "lookalike_domain"},
        {"paypal.com.account-check.example", "brand_in_subdomain"},
        {"netfliix.com", "lookalike_domain"},
        {"www.paypal.com", NULL},
        {"spotifyfans.example", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char mail[512];
        snprintf(mail, sizeof(mail),
                 "From: a@b.example\nSubject: hi\nMIME-Version: 1.0\n"
                 "Content-Type: text/html\n\n<a href=\"https://%s/x\">x</a>\n",
                 cases[i].host);
        const ms_phish_result *r = analyze(f, mail);
        bool look = signal_of(r, "lookalike_domain") != NULL;
        bool sub = signal_of(r, "brand_in_subdomain") != NULL;
        if (cases[i].signal == NULL) {
            if (look || sub)
                fail_msg("%s flagged", cases[i].host);
        } else if (signal_of(r, cases[i].signal) == NULL) {
            fail_msg("%s: no %s", cases[i].host, cases[i].signal);
        }
    }
}

/* Words hidden from filters: a Cyrillic letter inside a Latin word,
 * styled mathematical letters. Plain accented text is fine. */
static void test_obfuscated_text(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r =
        analyze(f, "From: a@b.example\n"
                   "Subject: =?UTF-8?B?0KBBWU1FTlQgRkFJTEVE?=\n\nhi\n");
    assert_non_null(signal_of(r, "obfuscated_text"));
    r = analyze(f,
                "From: a@b.example\nSubject: =?UTF-8?B?8J2Qk/CdkKs=?=\n\nhi\n");
    assert_non_null(signal_of(r, "obfuscated_text"));
    /* tag characters between the letters of "Coinbase" */
    r = analyze(f, "From: a@b.example\nSubject: Your Co\xf3\xa0\x84\xb9in"
                   "\xf3\xa0\x84\xb9"
                   "base wallet\n\nhi\n");
    assert_non_null(signal_of(r, "obfuscated_text"));
    r = analyze(f,
                "From: a@b.example\n"
                "Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9_du_caf=C3=A9?=\n\nhi\n");
    assert_null(signal_of(r, "obfuscated_text"));
    /* zero-width spaces inside the words of the body, three of them;
     * two, or the preheader padding between words, or soft hyphens, are
     * not the trick */
    static const char zwsp[] = "\xe2\x80\x8b";
    char mail[512];
    snprintf(mail, sizeof(mail),
             "From: a@b.example\nSubject: hi\nContent-Type: text/plain; "
             "charset=utf-8\n\nYo%sur secu%sre docu%sment is ready.\n",
             zwsp, zwsp, zwsp);
    assert_non_null(signal_of(analyze(f, mail), "obfuscated_text"));
    snprintf(mail, sizeof(mail),
             "From: a@b.example\nSubject: hi\nContent-Type: text/plain; "
             "charset=utf-8\n\nYo%sur secu%sre document is ready. %s %s "
             "%s\n",
             zwsp, zwsp, zwsp, zwsp, zwsp);
    assert_null(signal_of(analyze(f, mail), "obfuscated_text"));
    assert_null(signal_of(
        analyze(f, "From: a@b.example\nSubject: hi\nContent-Type: text/plain; "
                   "charset=utf-8\n\nVer\xc2\xadsiche\xc2\xadrungs\xc2\xad"
                   "ver\xc2\xadtrag\n"),
        "obfuscated_text"));
}

/* The topmost Authentication-Results decides; a forged one below it does
 * not. */
static void test_authentication_results(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r =
        analyze(f, "Authentication-Results: mx.example; spf=pass; dkim=none;\n"
                   " dmarc=fail action=none header.from=bank.example\n"
                   "Authentication-Results: forged; dmarc=pass\n"
                   "From: a@bank.example\nSubject: hi\n\nhi\n");
    assert_non_null(signal_of(r, "auth_fail"));
    r = analyze(f, "Authentication-Results: mx.example; spf=pass; dkim=pass;\n"
                   " dmarc=pass\n"
                   "Authentication-Results: forged; dmarc=fail\n"
                   "From: a@bank.example\nSubject: hi\n\nhi\n");
    assert_null(signal_of(r, "auth_fail"));
}

/* Weights and thresholds come from the signals file: a weight of 0
 * turns a signal off, thresholds move the verdict. */
static void test_weights_and_thresholds(void **state)
{
    fixture *f = *state;
    char err[256];
    const char *mail = "From: a@b.example\n"
                       "Subject: Your mailbox is full\n\n"
                       "Your password expires today. Log in to "
                       "https://bit.ly/abc immediately.\n";
    const char *file = temp_file(f, "threshold_phishing: 5\n"
                                    "threshold_suspicious: 1\n"
                                    "weights:\n"
                                    "  shortener: 0\n");
    assert_int_equal(build(f, NULL, NULL, file, err, sizeof(err)), MS_OK);
    const ms_phish_result *r = analyze(f, mail);
    assert_null(signal_of(r, "shortener"));
    assert_non_null(signal_of(r, "urgency"));
    assert_string_equal(r->verdict, "phishing");
    file = temp_file(f, "threshold_phishing: 100\n"
                        "threshold_suspicious: 100\n");
    assert_int_equal(build(f, NULL, NULL, file, err, sizeof(err)), MS_OK);
    r = analyze(f, mail);
    assert_non_null(signal_of(r, "shortener"));
    assert_string_equal(r->verdict, "clean");
    assert_int_equal(build(f, NULL, NULL, NULL, err, sizeof(err)), MS_OK);
}

/* Phrases count once each, and only on word boundaries. */
static void test_phrases_on_word_boundaries(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r =
        analyze(f, "From: a@b.example\nSubject: news\n\n"
                   "The winnerless game. Congratulations! Congratulations!\n");
    const ms_phish_signal *lure = signal_of(r, "lure");
    assert_non_null(lure);
    assert_non_null(strstr(lure->evidence, "1 phrase"));
}

/* Sender alignment: no DMARC pass and neither SPF nor DKIM for the From
 * domain fires sender_unaligned; a DKIM signature of a subdomain of the
 * From domain, or SPF for it, is alignment. */
static void test_sender_alignment(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r = analyze(
        f, "Authentication-Results: mx.example; spf=pass (sender IP is "
           "192.0.2.1)\n smtp.mailfrom=bulk.example; dkim=pass (signature "
           "was verified)\n header.d=bulk.example; dmarc=none "
           "header.from=shop.example\n"
           "From: Shop <news@shop.example>\nSubject: hi\n\nhi\n");
    assert_non_null(signal_of(r, "sender_unaligned"));
    assert_null(signal_of(r, "auth_fail"));
    r = analyze(f, "Authentication-Results: mx.example; spf=pass "
                   "smtp.mailfrom=bulk.example;\n dkim=pass "
                   "header.d=mail.shop.example; dmarc=none\n"
                   "From: Shop <news@shop.example>\nSubject: hi\n\nhi\n");
    assert_null(signal_of(r, "sender_unaligned"));
    r = analyze(f, "Authentication-Results: mx.example; spf=pass "
                   "smtp.mailfrom=bounce@shop.example; dkim=none\n"
                   "From: Shop <news@shop.example>\nSubject: hi\n\nhi\n");
    assert_null(signal_of(r, "sender_unaligned"));
    /* a domain named only in a comment vouches for nothing */
    r = analyze(f, "Authentication-Results: mx.example; spf=pass "
                   "(domain of shop.example) smtp.mailfrom=x.example\n"
                   "From: Shop <news@shop.example>\nSubject: hi\n\nhi\n");
    assert_non_null(signal_of(r, "sender_unaligned"));
    r = analyze(f, "Authentication-Results: mx.example; dmarc=bestguesspass\n"
                   "From: Shop <news@shop.example>\nSubject: hi\n\nhi\n");
    assert_null(signal_of(r, "sender_unaligned"));
}

/* Machine-made tokens in the subject; names and references are not. */
static void test_random_token(void **state)
{
    fixture *f = *state;
    static const char *const random[] = {"Saldo 9aJqKga0PEWhWiJ",
                                         "message Pending nDY9wO",
                                         "Aviso nhgU4juhRVAtbXFHKb7C"};
    static const char *const names[] = {
        "Back to School with Buy4Now", "Mark2CurSeen notes",
        "Invoice AXRT1121DXB04", "New iPhone15 cases", "GHSclassof1977"};
    char mail[256];
    for (size_t i = 0; i < sizeof(random) / sizeof(random[0]); i++) {
        snprintf(mail, sizeof(mail), "From: a@b.example\nSubject: %s\n\nhi\n",
                 random[i]);
        assert_non_null(signal_of(analyze(f, mail), "random_token"));
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(mail, sizeof(mail), "From: a@b.example\nSubject: %s\n\nhi\n",
                 names[i]);
        assert_null(signal_of(analyze(f, mail), "random_token"));
    }
}

/* Fills the one %s of format with each of fills in turn, analyzes the
 * mail and checks that the signal fires (fires) or does not. */
static void check_fills(fixture *f, const char *format,
                        const char *const *fills, size_t n, const char *name,
                        bool fires)
{
    char mail[512];
    for (size_t i = 0; i < n; i++) {
        snprintf(mail, sizeof(mail), format, fills[i]);
        const ms_phish_signal *s = signal_of(analyze(f, mail), name);
        if ((s != NULL) != fires)
            fail_msg("%s %s on: %s", name, fires ? "missed" : "fired",
                     fills[i]);
    }
}

/* Mailbox names a machine makes (random case, a serial number after
 * words, letters and digits interleaved) fire random_local_part; the
 * names people and companies choose do not. */
static void test_random_local_part(void **state)
{
    fixture *f = *state;
    static const char *const machine[] = {
        "kkzWneyD",        "Garcia_Lena_48213", "SPRING_DEAL_3_90417",
        "join_today_5521", "qhvex318t7mr",      "7fkwqz52bnd",
        "mariaconti4x81w"};
    static const char *const chosen[] = {
        "JohnSmith",        "OrderUpdatesUSA", "maria1984", "john_smith",
        "sales_team_2024x", "j.smith_1990",    "support24", "mp3lover",
        "billing_42",       "no-reply_10023",  "noreply2"};
    static const char mail[] =
        "From: Offers <%s@deals.example>\nSubject: hi\n\nhi\n";
    check_fills(f, mail, machine, sizeof(machine) / sizeof(machine[0]),
                "random_local_part", true);
    check_fills(f, mail, chosen, sizeof(chosen) / sizeof(chosen[0]),
                "random_local_part", false);
}

/* A brand named with a phone number and an amount charged, from a
 * sender that is not the brand and with no link to it, is a call-back
 * lure; without the number, without the charge, or with a link to the
 * brand's site it is not. */
static void test_callback_lure(void **state)
{
    fixture *f = *state;
    static const char mail[] =
        "From: Billing <desk@rowing-club.example>\nSubject: Statement\n"
        "Content-Type: text/html\n\n"
        "<p>Your Norton plan was renewed: %s was charged.</p>"
        "<p>To cancel call %s.</p>%s\n";
    static const char *const phones[] = {"1 863 337-1462", "(888) 555-0134",
                                         "+1-855-555-0199", "808.555.0147"};
    static const char *const charges[] = {"$438.22", "USD 59.99",
                                          "1,299.00 USD", "$ 74.50"};
    char buf[512];
    for (size_t i = 0; i < 4; i++) {
        snprintf(buf, sizeof(buf), mail, charges[i], phones[i], "");
        assert_non_null(signal_of(analyze(f, buf), "callback_lure"));
    }
    snprintf(buf, sizeof(buf), mail, "$438.22", "our desk", "");
    assert_null(signal_of(analyze(f, buf), "callback_lure"));
    snprintf(buf, sizeof(buf), mail, "the yearly fee", "1 863 337-1462", "");
    assert_null(signal_of(analyze(f, buf), "callback_lure"));
    snprintf(buf, sizeof(buf), mail, "$438.22", "12 863 337-14620", "");
    assert_null(signal_of(analyze(f, buf), "callback_lure"));
    snprintf(buf, sizeof(buf), mail, "$438.22", "1 863 337-1462",
             "<a href=\"https://my.norton.com/account\">Your account</a>");
    assert_null(signal_of(analyze(f, buf), "callback_lure"));
}

/* A short mail that asks to be written to at a free mailbox other than
 * the sender's fires contact_free_mail; the same address as the sender,
 * a recipient named in a bulk footer, a quoted header of a forward and an
 * address with no word asking for a reply do not. */
static void test_contact_free_mail(void **state)
{
    fixture *f = *state;
    static const char mail[] =
        "From: Grace Mensah <grace@clinic-lome.example>\nTo: ann@home.example\n"
        "Subject: Hello\n\n%s\n";
    static const char *const asks[] = {
        "I am lonely. Write at grace.mensah77@gmail.com for my photos.",
        "For the funds contact my lawyer.\nE-mail: barrister.kofi@outlook.com",
        "Kindly reply to me privately (grace.mensah77@gmail.com)."};
    static const char forwarded[] =
        "---------- Forwarded message ---------\n"
        "From: Mike Lane <mike.lane@gmail.com>\nSubject: photos\n\nHi!";
    static const char *const others[] = {
        "This email was sent to ann.smith@gmail.com by Garden News.", forwarded,
        "The photos from mike.lane@gmail.com are in the shared folder.",
        "Write at grace@clinic-lome.example for my photos."};
    check_fills(f, mail, asks, sizeof(asks) / sizeof(asks[0]),
                "contact_free_mail", true);
    check_fills(f, mail, others, sizeof(others) / sizeof(others[0]),
                "contact_free_mail", false);
}

/* A mail with a well-formed List-Id is a list's post, exempt from
 * links_elsewhere; a List-Id copied with a slip (a dot at an end, a dot
 * doubled) exempts nothing, and one bad field of two spoils both. */
static void test_list_id_well_formed(void **state)
{
    fixture *f = *state;
    static const char mail[] =
        "From: Offers <deals@shop.example>\n%sSubject: hi\n"
        "Content-Type: text/html\n\n"
        "<p>Our picks of the week.</p>"
        "<a href=\"https://track.other.example/c/1\">See them</a>\n";
    static const char *const lists[] = {
        "List-Id: <weekly.shop.example>\n",
        "List-Id: Shop weekly <weekly.shop.example>\n",
        "List-Id: <a.lists.example>\nList-Id: <b.lists.example>\n"};
    static const char *const forged[] = {
        "List-Id: <.7289367.lists.example>\n", "List-Id: <weekly..example>\n",
        "List-Id: <weekly.shop.example>\nList-Id: <.81.lists.example>\n",
        "List-Id: <weekly>\n"};
    check_fills(f, mail, lists, sizeof(lists) / sizeof(lists[0]),
                "links_elsewhere", false);
    check_fills(f, mail, forged, sizeof(forged) / sizeof(forged[0]),
                "links_elsewhere", true);
}

/* The sign-in alerts of account providers, as phishing copies them, are
 * credential phrases in each language. */
static void test_sign_in_alert_phrases(void **state)
{
    fixture *f = *state;
    static const char *const alerts[] = {
        "We detected something unusual about a recent sign-in to your "
        "account.",
        "Nous avons d\xc3\xa9tect\xc3\xa9 quelque chose d'inhabituel \xc3\xa0 "
        "propos d'une connexion r\xc3\xa9"
        "cente.",
        "Detectamos algo inusual en un inicio de sesi\xc3\xb3n reciente.",
        "Detectamos algo incomum em uma entrada recente.",
        "Wir haben etwas Ungew\xc3\xb6hnliches bei einer Anmeldung erkannt.",
        "Abbiamo rilevato qualcosa di insolito in un accesso recente."};
    check_fills(
        f,
        "From: a@b.example\nSubject: Account\nContent-Type: text/plain; "
        "charset=utf-8\n\n%s\n",
        alerts, sizeof(alerts) / sizeof(alerts[0]), "credential_request", true);
}

/* A From address with no domain sends every link elsewhere (with links
 * to a page of another site that sender is a throwaway one) and differs
 * from any Reply-To. */
static void test_sender_without_domain(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r =
        analyze(f, "From: Nail-Care-Service\nSubject: Healthy nails\n"
                   "Content-Type: text/html\n\n<p>Try our treatment now.</p>"
                   "<a href=\"https://offer.nails.example/t/7\">Order</a>\n");
    assert_non_null(signal_of(r, "invalid_sender"));
    assert_non_null(signal_of(r, "links_elsewhere"));
    assert_non_null(signal_of(r, "throwaway_sender"));
    r = analyze(f, "From: Rachid Ramiro\nReply-To: <r.ramiro1960@gmail.com>\n"
                   "Subject: Your draft\n\nContact me to receive it.\n");
    assert_non_null(signal_of(r, "reply_to_free_mail"));
    r = analyze(f, "From: Nail Care <care@nails.example>\nSubject: Healthy "
                   "nails\nContent-Type: text/html\n\n<p>Try our treatment "
                   "now.</p><a href=\"https://offer.nails.example/t/7\">"
                   "Order</a>\n");
    assert_null(signal_of(r, "links_elsewhere"));
    assert_null(signal_of(r, "throwaway_sender"));
}

/* Casino bonuses with no deposit are lure phrases in each language. */
static void test_casino_bonus_phrases(void **state)
{
    fixture *f = *state;
    static const char *const offers[] = {
        "Jetzt registrieren: 100 Gratisspins, keine Einzahlung erforderlich.",
        "Reg\xc3\xadstrate hoy y juega sin dep\xc3\xb3sito.",
        "Inscrivez-vous et jouez sans d\xc3\xa9p\xc3\xb4t.",
        "Registrati ora e gioca senza deposito.",
        "Cadastre-se e jogue sem dep\xc3\xb3sito.",
        "Meld je aan en speel zonder storting."};
    check_fills(f,
                "From: a@b.example\nSubject: Casino\nContent-Type: text/plain; "
                "charset=utf-8\n\n%s\n",
                offers, sizeof(offers) / sizeof(offers[0]), "lure", true);
}

/* The donation and widow stories of advance-fee fraud are scam phrases;
 * a courier service named in a business mail is not. */
static void test_donation_scam_phrases(void **state)
{
    fixture *f = *state;
    static const char *const stories[] = {
        "Mr. Arnold has donated $2,500,000.00 to you.",
        "Contact my secretary to receive your donation.",
        "We were married for ten years without a child.",
        "Ambos \xc3\xa9ramos crist\xc3\xa3os renascidos."};
    static const char *const business[] = {
        "Our courier service picks the parcel up on Monday."};
    static const char format[] =
        "From: a@b.example\nSubject: Hello\nContent-Type: text/plain; "
        "charset=utf-8\n\n%s\n";
    check_fills(f, format, stories, sizeof(stories) / sizeof(stories[0]),
                "scam", true);
    check_fills(f, format, business, 1, "scam", false);
}

/* A display name that shows another site's domain; the sender's own
 * domain and initials with a dot are fine. */
static void test_display_name_domain(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r =
        analyze(f, "From: \"[Shop.es]\" <promo@other.example>\n"
                   "Subject: hi\n\nhi\n");
    assert_non_null(signal_of(r, "display_name_domain"));
    r = analyze(f, "From: \"Shop.example Orders\" <orders@mail.shop.example>\n"
                   "Subject: hi\n\nhi\n");
    assert_null(signal_of(r, "display_name_domain"));
    r = analyze(f, "From: \"Craig R.Hughes\" <craig@other.example>\n"
                   "Subject: hi\n\nhi\n");
    assert_null(signal_of(r, "display_name_domain"));
}

/* Free mail senders: an odd display name fires, a person's name does
 * not; bait phrases from such a sender add unverified_lure. */
static void test_free_mail_sender(void **state)
{
    fixture *f = *state;
    const ms_phish_result *r =
        analyze(f, "From: \"Mr. John Smith\" <js1960@gmail.com>\n"
                   "Subject: hello\n\nI have a business proposal for you. "
                   "Kindly get back to me.\n");
    assert_non_null(signal_of(r, "free_mail_odd_name"));
    assert_non_null(signal_of(r, "scam"));
    assert_non_null(signal_of(r, "unverified_lure"));
    assert_non_null(signal_of(r, "reply_bait"));
    r = analyze(f, "From: John Smith <john.smith@gmail.com>\n"
                   "Subject: dinner\n\nAre we still on for Friday?\n");
    assert_null(signal_of(r, "free_mail_odd_name"));
    assert_null(signal_of(r, "unverified_lure"));
    assert_string_equal(r->verdict, "clean");
}

/* Phrases weigh half in a long mail. */
static void test_long_mail_phrases_weigh_half(void **state)
{
    fixture *f = *state;
    char mail[8192];
    int n = snprintf(mail, sizeof(mail),
                     "From: a@b.example\nSubject: news\n\n"
                     "Congratulations to the winner of our photo contest.\n");
    const ms_phish_signal *lure = signal_of(analyze(f, mail), "lure");
    assert_non_null(lure);
    int full = lure->weight;
    while (n < 4000)
        n += snprintf(mail + n, sizeof(mail) - (size_t)n,
                      "Notes from the garden club meeting, week by week.\n");
    lure = signal_of(analyze(f, mail), "lure");
    assert_non_null(lure);
    assert_int_equal(lure->weight, full / 2);
}

/* A brand's name disguised in the display name: look-alike letters,
 * digits or letters set apart; the brand's own mail and ordinary names
 * pass. */
static void test_disguised_brand_in_display_name(void **state)
{
    fixture *f = *state;
    static const char *const disguised[] = {
        "From: Iedger <k14@qvvq.example>\n",
        "From: \"F.e.d.E.x\" <moses@fnideq.example>\n",
        /* Cyrillic е (U+0435) in "Ledger" */
        "From: L\xd0\xb5"
        "dg\xd0\xb5"
        "r <x@y.example>\n",
        "From: \"P a y P a l\" <service@pp-help.example>\n",
    };
    char mail[256];
    for (size_t i = 0; i < sizeof(disguised) / sizeof(disguised[0]); i++) {
        snprintf(mail, sizeof(mail), "%sSubject: hi\n\nhi\n", disguised[i]);
        const ms_phish_signal *s =
            signal_of(analyze(f, mail), "brand_display_name");
        assert_non_null(s);
        assert_non_null(strstr(s->evidence, "disguised"));
    }
    const ms_phish_result *r =
        analyze(f, "From: \"F.e.d.E.x\" <news@fedex.com>\nSubject: hi\n\nhi\n");
    assert_null(signal_of(r, "brand_display_name"));
    r = analyze(f, "From: Ivan Petrov <ivan@example.org>\nSubject: hi\n\nhi\n");
    assert_null(signal_of(r, "brand_display_name"));
}

/* A thin HTML mail with one link host away from the sender asks for one
 * click; with a List-Unsubscribe field it is a bulk sender's mail. */
static void test_single_call_to_action(void **state)
{
    fixture *f = *state;
    static const char mail[] =
        "From: Team <team@sender.example>\n"
        "%sSubject: hi\n"
        "Content-Type: text/html\n\n"
        "<p>Your document is ready.</p>"
        "<a href=\"https://pages.other.example/d/1\">Open</a>\n";
    char buf[512];
    snprintf(buf, sizeof(buf), mail, "");
    const ms_phish_result *r = analyze(f, buf);
    assert_non_null(signal_of(r, "thin_html_body"));
    assert_non_null(signal_of(r, "single_call_to_action"));
    snprintf(buf, sizeof(buf), mail,
             "List-Unsubscribe: <https://sender.example/u>\n");
    r = analyze(f, buf);
    assert_non_null(signal_of(r, "thin_html_body"));
    assert_null(signal_of(r, "single_call_to_action"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_lists_load),
        cmocka_unit_test(test_spamscope_targets_file),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_spamscope_bits),
        cmocka_unit_test(test_brand_lure),
        cmocka_unit_test(test_brand_own_mail_is_clean),
        cmocka_unit_test(test_lookalike_domains),
        cmocka_unit_test(test_obfuscated_text),
        cmocka_unit_test(test_authentication_results),
        cmocka_unit_test(test_weights_and_thresholds),
        cmocka_unit_test(test_phrases_on_word_boundaries),
        cmocka_unit_test(test_sender_alignment),
        cmocka_unit_test(test_random_token),
        cmocka_unit_test(test_random_local_part),
        cmocka_unit_test(test_callback_lure),
        cmocka_unit_test(test_contact_free_mail),
        cmocka_unit_test(test_list_id_well_formed),
        cmocka_unit_test(test_sign_in_alert_phrases),
        cmocka_unit_test(test_sender_without_domain),
        cmocka_unit_test(test_casino_bonus_phrases),
        cmocka_unit_test(test_donation_scam_phrases),
        cmocka_unit_test(test_display_name_domain),
        cmocka_unit_test(test_free_mail_sender),
        cmocka_unit_test(test_long_mail_phrases_weigh_half),
        cmocka_unit_test(test_disguised_brand_in_display_name),
        cmocka_unit_test(test_single_call_to_action),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
