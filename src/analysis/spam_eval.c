/* SPDX-License-Identifier: MIT */
/*
 * The eval: tests of SpamAssassin's rules that mailscope runs itself: the
 * ones its shipped rules use most that need neither the network nor an
 * external plugin. Each is written from what SpamAssassin's Perl plugins
 * compute (HeaderEval, MIMEEval, HTMLEval, FreeMail):
 *
 *   check_for_shifted_date(min, max)   the Date header minus the nearest
 *                                      Received time, in hours, in
 *                                      [min, max) ('undef': open)
 *   subject_is_all_caps()              a Subject of several words, all
 *                                      capitals
 *   check_header_count_range(h, a, b)  header h occurs a to b times
 *   check_for_mime(test)               mime_base64_count, mime_qp_count,
 *                                      mime_attachment,
 *                                      mime_base64_encoded_text
 *   check_for_mime_html()              a text/html part
 *   check_for_mime_html_only()         text/html and no other text part
 *   html_test('html')                  a text/html part
 *   html_tag_exists(tag)               the tag opens or closes in a
 *                                      text/html part
 *   check_freemail_from([re])          a sender address (From or the
 *                                      envelope's) at a free mail domain
 *                                      (freemail_domains, '*' and '?'
 *                                      globs)
 *   check_freemail_header(h[, re])     an address of header h at one
 *
 * Any other eval: test (the network ones, Bayes, which mailscope runs on
 * its own, and the plugins it has no counterpart for) is counted and
 * left out, and reads as not hit in metas.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/spam_internal.h"
#include "mime/address.h"
#include "util/ascii.h"

enum {
    EVAL_SHIFTED_DATE,
    EVAL_SUBJECT_ALL_CAPS,
    EVAL_HEADER_COUNT,
    EVAL_MIME,
    EVAL_MIME_HTML,
    EVAL_MIME_HTML_ONLY,
    EVAL_HTML_TEST,
    EVAL_HTML_TAG_EXISTS,
    EVAL_FREEMAIL_FROM,
    EVAL_FREEMAIL_HEADER,
};

static const struct {
    const char *name;
    int fn;
    int min_args, max_args;
} evals[] = {
    {"check_for_shifted_date", EVAL_SHIFTED_DATE, 2, 2},
    {"subject_is_all_caps", EVAL_SUBJECT_ALL_CAPS, 0, 0},
    {"check_header_count_range", EVAL_HEADER_COUNT, 3, 3},
    {"check_for_mime", EVAL_MIME, 1, 1},
    {"check_for_mime_html", EVAL_MIME_HTML, 0, 0},
    {"check_for_mime_html_only", EVAL_MIME_HTML_ONLY, 0, 0},
    {"html_test", EVAL_HTML_TEST, 1, 1},
    {"html_tag_exists", EVAL_HTML_TAG_EXISTS, 1, 1},
    {"check_freemail_from", EVAL_FREEMAIL_FROM, 0, 1},
    {"check_freemail_header", EVAL_FREEMAIL_HEADER, 1, 2},
};

/* The tests of check_for_mime this module answers. */
static const char *const mime_tests[] = {"mime_base64_count", "mime_qp_count",
                                         "mime_attachment",
                                         "mime_base64_encoded_text"};

/* Reads one argument ('text', "text" or a bare word) at *p into out. */
static bool read_arg(const char **p, char *out, size_t size)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = 0;
    if (*s == '\'' || *s == '"') {
        char q = *s++;
        while (*s && *s != q && n + 1 < size)
            out[n++] = *s++;
        if (*s != q)
            return false;
        s++;
    } else {
        while (*s && *s != ',' && *s != ')' && *s != ' ' && n + 1 < size)
            out[n++] = *s++;
    }
    out[n] = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    *p = s;
    return true;
}

bool ms_spam_eval_parse(spam_rule *r, const char *call)
{
    r->eval_fn = -1;
    const char *open = strchr(call, '(');
    if (open == NULL)
        return true;
    size_t name_len = (size_t)(open - call);
    int found = -1;
    for (size_t k = 0; k < sizeof(evals) / sizeof(evals[0]); k++)
        if (strlen(evals[k].name) == name_len &&
            strncmp(call, evals[k].name, name_len) == 0)
            found = (int)k;
    if (found < 0)
        return true;
    const char *p = open + 1;
    int n = 0;
    char arg[256];
    while (*p && *p != ')') {
        if (n == SPAM_EVAL_MAX_ARGS || !read_arg(&p, arg, sizeof(arg)))
            return true;
        r->eval_args[n] = strdup(arg);
        if (r->eval_args[n] == NULL)
            return false;
        r->n_eval_args = ++n; /* freed by ms_spam_eval_free */
        if (*p == ',')
            p++;
        else if (*p != ')')
            return true;
    }
    if (*p != ')' || n < evals[found].min_args || n > evals[found].max_args)
        return true;
    int fn = evals[found].fn;
    if (fn == EVAL_HTML_TEST && strcmp(r->eval_args[0], "html") != 0)
        return true;
    if (fn == EVAL_MIME) {
        bool known = false;
        for (size_t k = 0; k < sizeof(mime_tests) / sizeof(mime_tests[0]); k++)
            known = known || strcmp(r->eval_args[0], mime_tests[k]) == 0;
        if (!known)
            return true;
    }
    if ((fn == EVAL_FREEMAIL_FROM && n == 1) ||
        (fn == EVAL_FREEMAIL_HEADER && n == 2)) {
        const char *re = r->eval_args[n - 1];
        int err;
        PCRE2_SIZE at;
        r->eval_re = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                   PCRE2_CASELESS, &err, &at, NULL);
        if (r->eval_re == NULL)
            return true;
    }
    r->eval_fn = fn;
    return true;
}

void ms_spam_eval_free(spam_rule *r)
{
    for (int k = 0; k < r->n_eval_args; k++)
        free(r->eval_args[k]);
    r->n_eval_args = 0;
    if (r->eval_re)
        pcre2_code_free(r->eval_re);
    r->eval_re = NULL;
}

/* Hours given as an argument: 'undef' is open. */
static bool hours_arg(const char *s, double *out)
{
    if (strcmp(s, "undef") == 0)
        return false;
    *out = strtod(s, NULL) * 3600.0;
    return true;
}

/* True when a Received text is a local hand-over SpamAssassin leaves out
 * of the times: a delivery from localhost or 127.0.0.1, or qmail's
 * local injection. */
static bool received_local(const char *raw)
{
    ms_slice t = ms_slice_from_cstr(raw ? raw : "");
    size_t at = ms_slice_find_ci(t, ms_slice_from_cstr("from localhost"));
    if (at != (size_t)-1 && at + 14 < t.n && ms_ascii_is_space(t.p[at + 14]))
        return true;
    at = ms_slice_find_ci(t, ms_slice_from_cstr("from "));
    if (at != (size_t)-1) {
        /* 127.0.0.1 within the next three words */
        size_t words = 0;
        for (size_t i = at + 5; i < t.n && words < 3; i++) {
            if (t.p[i] == ' ') {
                words++;
                continue;
            }
            if (t.n - i >= 9 && memcmp(t.p + i, "127.0.0.1", 9) == 0 &&
                (i == 0 || !ms_ascii_is_alnum(t.p[i - 1])) &&
                (i + 9 == t.n || !ms_ascii_is_digit(t.p[i + 9])))
                return true;
        }
    }
    return ms_slice_find_ci(t, ms_slice_from_cstr("qmail ")) != (size_t)-1 &&
           ms_slice_find_ci(t, ms_slice_from_cstr("invoked by uid")) !=
               (size_t)-1;
}

/* Skips digits from *i; true when there was at least one. */
static bool skip_digits(const char *t, size_t n, size_t *i)
{
    size_t start = *i;
    while (*i < n && ms_ascii_is_digit(t[*i]))
        (*i)++;
    return *i > start;
}

/* True when a Received text holds a date in the one form SpamAssassin
 * reads there, "D Mon YYYY HH:MM:SS ZONE" after white space; a hop dated
 * otherwise ("Sep, 11 2002 ...") does not count, as in SpamAssassin. */
static bool received_date_form(const char *raw)
{
    const char *t = raw ? raw : "";
    size_t n = strlen(t);
    for (size_t s = 0; s < n; s++) {
        if (!ms_ascii_is_space(t[s]))
            continue;
        /* \s.?\d+ \S\S\S \d+ \d+:\d+:\d+ \S+ */
        for (size_t skip = 0; skip <= 1; skip++) {
            size_t i = s + 1 + skip;
            if (i > n || !skip_digits(t, n, &i) || i >= n || t[i] != ' ')
                continue;
            i++;
            if (i + 3 >= n || ms_ascii_is_space(t[i]) ||
                ms_ascii_is_space(t[i + 1]) || ms_ascii_is_space(t[i + 2]) ||
                t[i + 3] != ' ')
                continue;
            i += 4;
            if (!skip_digits(t, n, &i) || i >= n || t[i] != ' ')
                continue;
            i++;
            if (!skip_digits(t, n, &i) || i >= n || t[i] != ':')
                continue;
            i++;
            if (!skip_digits(t, n, &i) || i >= n || t[i] != ':')
                continue;
            i++;
            if (!skip_digits(t, n, &i) || i + 1 >= n || t[i] != ' ' ||
                ms_ascii_is_space(t[i + 1]))
                continue;
            return true;
        }
    }
    return false;
}

/* True for fetchmail's own Received line. */
static bool received_fetchmail(const char *raw)
{
    ms_slice t = ms_slice_from_cstr(raw ? raw : "");
    return ms_slice_find_ci(t, ms_slice_from_cstr("by localhost with ")) !=
               (size_t)-1 &&
           ms_slice_find_ci(t, ms_slice_from_cstr("(fetchmail-")) != (size_t)-1;
}

/* The Date header minus the Received time nearest to it, in seconds, as
 * SpamAssassin computes it (0 without a Date or a dated Received): the
 * hops newest first, fetchmail's line on top left out (with the local
 * hand-over above it, if any), and the oldest dated hop left out too when
 * it agrees exactly with the Date and others are left. Ties go to the
 * newer hop, as SpamAssassin's stable sort leaves them. */
static double date_diff(const ms_message *m)
{
    if (!m->date.valid || m->n_received == 0)
        return 0;
    size_t top = m->n_received; /* hops top..0 (newest first) are read */
    if (received_local(m->received[top - 1].raw)) {
        if (top >= 2 && received_fetchmail(m->received[top - 2].raw))
            top -= 2;
    } else if (received_fetchmail(m->received[top - 1].raw)) {
        top -= 1;
    }
    /* the last dated hop seen is held back until an older one shows it
     * was not the oldest */
    double best = 0, held = 0;
    size_t dated = 0;
    for (size_t k = top; k-- > 0;) {
        const ms_received_hop *h = &m->received[k];
        if (!h->date.valid || !received_date_form(h->raw))
            continue;
        if (dated > 0 && (dated == 1 || fabs(held) < fabs(best)))
            best = held;
        held = (double)(m->date.utc - h->date.utc);
        dated++;
    }
    if (dated > 0 && !(held == 0 && dated > 1) &&
        (dated == 1 || fabs(held) < fabs(best)))
        best = held;
    return best;
}

/* SpamAssassin's Subject test: several words, ten letters or more, every
 * letter a capital, not encoded in a charset whose text often reads as
 * capitals in ASCII. */
static bool subject_all_caps(const ms_message *m)
{
    const char *s = m->subject;
    if (s == NULL)
        return false;
    const ms_header *raw = ms_message_header(m, "Subject");
    if (raw != NULL) {
        static const char *const fp_charsets[] = {
            "koi",   "jp",     "jis",          "euc",        "gb",    "big5",
            "isoir", "cp1251", "windows-1251", "georgianps", "pt154", "tis"};
        ms_slice v = raw->raw;
        size_t at = ms_slice_find_ci(v, ms_slice_from_cstr("=?"));
        for (size_t k = 0; at != (size_t)-1 &&
                           k < sizeof(fp_charsets) / sizeof(fp_charsets[0]);
             k++)
            if (ms_slice_find_ci((ms_slice){v.p + at, v.n - at},
                                 ms_slice_from_cstr(fp_charsets[k])) !=
                (size_t)-1)
                return false;
    }
    while (ms_ascii_is_space(*s))
        s++;
    /* the reply and forward prefixes go */
    static const char *const prefixes[] = {"re", "fwd", "fw", "aw", "antwort",
                                           "wg", "sv",  "vb", "vs", "vl"};
    for (bool again = true; again;) {
        again = false;
        for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
            size_t n = strlen(prefixes[k]);
            if (ms_slice_starts_with_ci(ms_slice_from_cstr(s), prefixes[k]) &&
                s[n] == ':') {
                s += n + 1;
                while (ms_ascii_is_space(*s))
                    s++;
                again = true;
                break;
            }
        }
    }
    size_t len = strlen(s);
    while (len > 0 && ms_ascii_is_space(s[len - 1]))
        len--;
    bool space = false;
    size_t letters = 0;
    for (size_t i = 0; i < len; i++) {
        space = space || ms_ascii_is_space(s[i]);
        if (s[i] >= 'a' && s[i] <= 'z')
            return false;
        letters += s[i] >= 'A' && s[i] <= 'Z';
    }
    return space && len >= 10 && letters > 0;
}

/* True when domain matches a freemail_domains entry: '*' stands for any
 * run of characters without a dot, '?' for any one character. */
static bool domain_glob(const char *d, const char *g)
{
    for (; *g; g++, d++) {
        if (*g == '*') {
            for (const char *e = d;; e++) {
                if (domain_glob(e, g + 1))
                    return true;
                if (*e == '\0' || *e == '.')
                    return false;
            }
        }
        if (*d == '\0' ||
            (*g != '?' && ms_ascii_lower(*g) != ms_ascii_lower(*d)))
            return false;
    }
    return *d == '\0';
}

static int compare_names(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void ms_spam_eval_finish(ms_spam_rules *rules)
{
    /* the plain names first (sorted, for bsearch), the globs after */
    size_t plain = 0;
    for (size_t k = 0; k < rules->n_freemail; k++) {
        if (strpbrk(rules->freemail[k], "*?") != NULL)
            continue;
        char *t = rules->freemail[plain];
        rules->freemail[plain++] = rules->freemail[k];
        rules->freemail[k] = t;
    }
    if (plain > 1)
        qsort(rules->freemail, plain, sizeof(char *), compare_names);
    rules->n_freemail_globs = rules->n_freemail - plain;
}

/* True when the address is at a free mail domain, as SpamAssassin's
 * FreeMail plugin judges it: role and bounce addresses are left out. */
static bool is_freemail(const ms_spam_rules *rules, const char *address)
{
    const char *at = strrchr(address, '@');
    if (at == NULL || at[1] == '\0')
        return false;
    static const char *const roles[] = {
        "abuse",       "support", "sales",      "info",       "helpdesk",
        "contact",     "kontakt", "postmaster", "hostmaster", "domainmaster",
        "undisclosed", "bounce-", "bounced-"};
    for (size_t k = 0; k < sizeof(roles) / sizeof(roles[0]); k++) {
        size_t n = strlen(roles[k]);
        bool prefix =
            roles[k][n - 1] == '-' || strcmp(roles[k], "undisclosed") == 0;
        if ((size_t)(at - address) >= n &&
            ms_slice_eq_ci((ms_slice){address, n}, (ms_slice){roles[k], n}) &&
            (prefix || (size_t)(at - address) == n))
            return false;
    }
    char domain[256];
    size_t n = 0;
    for (const char *c = at + 1; *c && n + 1 < sizeof(domain); c++)
        domain[n++] = ms_ascii_lower(*c);
    domain[n] = '\0';
    size_t plain = rules->n_freemail - rules->n_freemail_globs;
    const char *key = domain;
    if (plain > 0 && bsearch(&key, rules->freemail, plain, sizeof(char *),
                             compare_names) != NULL)
        return true;
    for (size_t k = plain; k < rules->n_freemail; k++)
        if (domain_glob(domain, rules->freemail[k]))
            return true;
    return false;
}

/* True when an address of header name is at a free mail domain (and
 * matches re when given). */
static bool freemail_in(const ms_spam_rules *rules, const spam_rule *r,
                        ms_arena *a, const ms_message *m, const char *name,
                        pcre2_match_data *md)
{
    const ms_part *root = m->root;
    ms_slice want = ms_slice_from_cstr(name);
    for (size_t i = 0; root && i < root->n_headers; i++) {
        const ms_header *h = &root->headers[i];
        if (!ms_slice_eq_ci(h->name, want))
            continue;
        ms_address *list = NULL;
        size_t n = 0;
        if (ms_address_list_parse(a, NULL, "0", h->value, h->value_len, 1,
                                  &list, &n) != MS_OK)
            continue;
        for (size_t k = 0; k < n; k++) {
            const char *addr = list[k].address;
            if (addr == NULL || !is_freemail(rules, addr))
                continue;
            if (r->eval_re == NULL ||
                pcre2_match(r->eval_re, (PCRE2_SPTR)addr, strlen(addr), 0, 0,
                            md, NULL) >= 0)
                return true;
        }
    }
    return false;
}

/* Counts what check_for_mime reads over the parts. */
static bool mime_test(const ms_message *m, const char *test)
{
    size_t base64 = 0, qp = 0, attachment = 0;
    bool encoded_text = false;
    for (size_t i = 0; i < m->n_parts; i++) {
        const ms_part *p = m->parts[i];
        const char *cte = p->transfer_encoding ? p->transfer_encoding : "";
        const char *cd = p->disposition ? p->disposition : "";
        bool b64 = strstr(cte, "base64") != NULL;
        base64 += b64;
        qp += !b64 && strstr(cte, "quoted-printable") != NULL;
        attachment += strstr(cd, "attachment") != NULL;
        const char *cs = p->charset ? p->charset : "";
        bool ascii = cs[0] == '\0' || strstr(cs, "ascii") != NULL ||
                     strcmp(cs, "us") == 0;
        if (strncmp(p->content_type, "text", 4) == 0 && b64 && ascii &&
            strncmp(cd, "attachment", 10) != 0 && strncmp(cd, "inline", 6) != 0)
            encoded_text = true;
    }
    if (strcmp(test, "mime_base64_count") == 0)
        return base64 > 0;
    if (strcmp(test, "mime_qp_count") == 0)
        return qp > 0;
    if (strcmp(test, "mime_attachment") == 0)
        return attachment > 0;
    return encoded_text;
}

/* Counts the text/html and the other text parts. */
static void count_text_parts(const ms_message *m, size_t *html, size_t *text)
{
    *html = *text = 0;
    for (size_t i = 0; i < m->n_parts; i++) {
        const char *ct = m->parts[i]->content_type;
        if (strcmp(ct, "text/html") == 0)
            (*html)++;
        else if (strncmp(ct, "text", 4) == 0)
            (*text)++;
    }
}

/* True when tag opens or closes ("<tag", "</tag" then no name
 * character) in a text/html part. */
static bool html_tag_exists(const ms_message *m, const char *tag)
{
    size_t tn = strlen(tag);
    for (size_t i = 0; i < m->n_parts; i++) {
        const ms_part *p = m->parts[i];
        if (strcmp(p->content_type, "text/html") != 0 || p->text == NULL)
            continue;
        const char *t = p->text, *end = p->text + p->text_len;
        while ((t = memchr(t, '<', (size_t)(end - t))) != NULL) {
            t++;
            const char *name = t < end && *t == '/' ? t + 1 : t;
            if ((size_t)(end - name) > tn &&
                ms_slice_eq_ci((ms_slice){name, tn}, (ms_slice){tag, tn}) &&
                !ms_ascii_is_alnum(name[tn]))
                return true;
        }
    }
    return false;
}

/* True when the top Content-Type is text/html. */
static bool top_is_html(const ms_message *m)
{
    const ms_header *h = ms_message_header(m, "Content-Type");
    if (h == NULL)
        return false;
    const char *v = h->value;
    while (ms_ascii_is_space(*v))
        v++;
    return ms_slice_starts_with_ci(ms_slice_from_cstr(v), "text/html");
}

double ms_spam_eval_run(const ms_spam_rules *rules, const spam_rule *r,
                        ms_arena *a, const ms_message *m, pcre2_match_data *md,
                        spam_eval_cache *cache)
{
    size_t html, text;
    switch (r->eval_fn) {
    case EVAL_SHIFTED_DATE: {
        if (!cache->date_done) {
            cache->date_diff = date_diff(m);
            cache->date_done = true;
        }
        double d = cache->date_diff, lo, hi;
        bool has_lo = hours_arg(r->eval_args[0], &lo);
        bool has_hi = hours_arg(r->eval_args[1], &hi);
        return (!has_lo || d >= lo) && (!has_hi || d < hi);
    }
    case EVAL_SUBJECT_ALL_CAPS:
        return subject_all_caps(m);
    case EVAL_HEADER_COUNT: {
        size_t n = ms_message_header_count(m, r->eval_args[0]);
        return (double)n >= strtod(r->eval_args[1], NULL) &&
               (double)n <= strtod(r->eval_args[2], NULL);
    }
    case EVAL_MIME:
        return mime_test(m, r->eval_args[0]);
    case EVAL_MIME_HTML:
    case EVAL_HTML_TEST:
        count_text_parts(m, &html, &text);
        return html > 0 || top_is_html(m);
    case EVAL_HTML_TAG_EXISTS:
        return html_tag_exists(m, r->eval_args[0]);
    case EVAL_MIME_HTML_ONLY:
        count_text_parts(m, &html, &text);
        return top_is_html(m) || (html > 0 && text == 0);
    case EVAL_FREEMAIL_FROM: {
        /* SpamAssassin's sender addresses: From and the envelope's */
        static const char *const senders[] = {"From", "Envelope-Sender",
                                              "Resent-Sender",
                                              "X-Envelope-From", "Return-Path"};
        for (size_t k = 0; k < sizeof(senders) / sizeof(senders[0]); k++)
            if (freemail_in(rules, r, a, m, senders[k], md))
                return 1;
        return 0;
    }
    case EVAL_FREEMAIL_HEADER: {
        const char *h = r->eval_args[0];
        if (strcmp(h, "EnvelopeFrom") == 0)
            h = "Return-Path";
        return freemail_in(rules, r, a, m, h, md);
    }
    }
    return 0;
}
