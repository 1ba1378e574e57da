/* SPDX-License-Identifier: MIT */
/*
 * Checking one mail against a compiled rule set. The mail is turned into
 * the texts SpamAssassin's rule kinds read:
 *   header   each header's value (all occurrences, one a line), decoded,
 *            or raw, or its first address or display name;
 *   body     the Subject, then the text of the text parts, HTML rendered
 *            to text, one paragraph a line (the first 50,000 bytes or so
 *            of each part, as SpamAssassin reads);
 *   rawbody  the decoded text parts, HTML left as it is (500,000 bytes
 *            or so of each);
 *   full     the whole raw mail;
 *   uri      the links found in the text parts, one a line.
 * Each text (each header text too) is scanned once by the Hyperscan
 * prefilters of its rules; PCRE2 then confirms only the candidate rules
 * and gives the matched text. Meta rules are evaluated last, in the
 * dependency order the loader computed (repeatedly until no value
 * changes when some metas read each other in a cycle).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/spam_internal.h"
#include "mime/address.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/ip.h"
#include "util/vec.h"

/* Longest matched text kept in a hit. */
#define MAX_MATCH_TEXT 120
/* Passes over the metas before giving up on a cycle. */
#define MAX_META_PASSES 16
/* Links kept for uri rules. */
#define MAX_URIS 2000

/* Per line rule (spam_rule.line_need): the line being counted and the
 * ends of the rule's unit seen on it. */
typedef struct line_count {
    size_t start, end; /* the line, its newline included */
    unsigned seen;
    bool done;     /* checked: matched, or no need to look further */
    bool disorder; /* an end came before the line: check the whole text */
} line_count;

struct ms_spam_scratch {
    hs_scratch_t *hs;
    pcre2_match_data *md;
    line_count *lines;        /* per rule, for line rules */
    unsigned char *candidate; /* per rule: the prefilter fired */
    unsigned *fired;          /* the rules marked since the last reset */
    size_t n_fired;
    double *value;      /* per rule: hit count */
    const char **match; /* per rule: matched text */
    size_t *match_len;
    size_t n_rules;
};

/* Creates the per-thread scratch space for checking with rules. */
ms_status ms_spam_scratch_new(const ms_spam_rules *rules, ms_spam_scratch **out)
{
    ms_spam_scratch *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return MS_ENOMEM;
    s->n_rules = rules->n_rules;
    s->candidate = calloc(rules->n_rules + 1, 1);
    s->fired = calloc(rules->n_rules + 1, sizeof(unsigned));
    s->lines = calloc(rules->n_rules + 1, sizeof(line_count));
    s->value = calloc(rules->n_rules + 1, sizeof(double));
    s->match = calloc(rules->n_rules + 1, sizeof(char *));
    s->match_len = calloc(rules->n_rules + 1, sizeof(size_t));
    s->md = pcre2_match_data_create(8, NULL);
    ms_status rc = (s->candidate && s->fired && s->lines && s->value &&
                    s->match && s->match_len && s->md)
                       ? MS_OK
                       : MS_ENOMEM;
    for (size_t k = 0; k < rules->n_pf && rc == MS_OK; k++) {
        if (hs_alloc_scratch(rules->pf[k].db, &s->hs) != HS_SUCCESS)
            rc = MS_ENOMEM;
    }
    if (rc != MS_OK) {
        ms_spam_scratch_free(s);
        return rc;
    }
    *out = s;
    return MS_OK;
}

/* Frees a scratch space. */
void ms_spam_scratch_free(ms_spam_scratch *s)
{
    if (s == NULL)
        return;
    if (s->hs)
        hs_free_scratch(s->hs);
    if (s->md)
        pcre2_match_data_free(s->md);
    free(s->candidate);
    free(s->fired);
    free(s->lines);
    free(s->value);
    free(s->match);
    free(s->match_len);
    free(s);
}

/* Runs the regex of rule i on subject; on a match records the hit and
 * the matched text (copied to the arena). Returns true on a match. */
static bool run_regex(const ms_spam_rules *rules, ms_spam_scratch *s,
                      ms_arena *a, size_t i, const char *subject, size_t n)
{
    const spam_rule *r = &rules->rules[i];
    int rc = pcre2_match(r->re, (PCRE2_SPTR)subject, n, 0, 0, s->md, NULL);
    if (rc < 0)
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    size_t start = ov[0], end = ov[1];
    if (end < start || end > n)
        end = start;
    size_t len = end - start;
    if (len > MAX_MATCH_TEXT)
        len = MAX_MATCH_TEXT;
    s->match[i] = ms_arena_strndup(a, subject + start, len);
    s->match_len[i] = s->match[i] ? len : 0;
    return true;
}

/* What the prefilter callback works with. */
typedef struct prefilter_hits {
    const unsigned *rule; /* pattern id -> rule index */
    ms_spam_scratch *s;
} prefilter_hits;

/* Hyperscan callback: marks the rule of a pattern as a candidate. */
static int on_prefilter_match(unsigned int id, unsigned long long from,
                              unsigned long long to, unsigned int flags,
                              void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    prefilter_hits *ph = ctx;
    unsigned i = ph->rule[id];
    if (!ph->s->candidate[i]) {
        ph->s->candidate[i] = 1;
        ph->s->fired[ph->s->n_fired++] = i;
    }
    return 0;
}

/* What the callback of a line rules' database works with. */
typedef struct line_scan {
    const ms_spam_rules *rules;
    ms_spam_scratch *s;
    ms_arena *a;
    const prefilter *pf;
    const char *t;
    size_t n;
} line_scan;

/* Hyperscan callback of the line rules' database: one more end of rule's
 * unit G on the line of byte to - 1. Once a line holds as many ends as
 * the rule repeats G, the rule runs on that line alone; matches come in
 * order of their ends, so each line is counted once. */
static int on_line_unit(unsigned int id, unsigned long long from,
                        unsigned long long to, unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    line_scan *ls = ctx;
    size_t i = ls->pf->rule[id];
    line_count *lc = &ls->s->lines[i];
    if (lc->done || to == 0 || to > ls->n)
        return 0;
    size_t at = (size_t)to - 1;
    if (at < lc->start) {
        lc->disorder = true;
        return 0;
    }
    if (at >= lc->end) {
        size_t start = at;
        while (start > lc->end && ls->t[start - 1] != '\n')
            start--;
        const char *nl = memchr(ls->t + at, '\n', ls->n - at);
        lc->start = start;
        lc->end = nl ? (size_t)(nl - ls->t) + 1 : ls->n;
        lc->seen = 0;
    }
    if (++lc->seen == (unsigned)ls->rules->rules[i].line_need &&
        run_regex(ls->rules, ls->s, ls->a, i, ls->t + lc->start,
                  lc->end - lc->start)) {
        ls->s->value[i] = 1;
        lc->done = true;
    }
    return 0;
}

/* Scans a text with the line rules' database pf: each of its rules runs
 * on the lines that hold enough ends of its unit (on the whole text when
 * the ends came out of order). */
static void line_scan_text(const ms_spam_rules *rules, ms_spam_scratch *s,
                           ms_arena *a, const prefilter *pf, const char *t,
                           size_t n)
{
    for (size_t k = 0; k < pf->n; k++)
        s->lines[pf->rule[k]] = (line_count){0, 0, 0, false, false};
    line_scan ls = {rules, s, a, pf, t, n};
    hs_scan(pf->db, t, (unsigned)n, 0, s->hs, on_line_unit, &ls);
    for (size_t k = 0; k < pf->n; k++) {
        size_t i = pf->rule[k];
        if (s->lines[i].disorder && !s->lines[i].done &&
            run_regex(rules, s, a, i, t, n))
            s->value[i] = 1;
    }
}

/* Scans a text with prefilters first .. first + count - 1, marking the
 * rules whose patterns may match as candidates (line rules are checked
 * right away). */
static void prefilter_scan(const ms_spam_rules *rules, ms_spam_scratch *s,
                           ms_arena *a, size_t first, size_t count,
                           const char *t, size_t n)
{
    for (size_t k = first; k < first + count; k++) {
        if (rules->pf[k].by_line) {
            line_scan_text(rules, s, a, &rules->pf[k], t ? t : "", n);
            continue;
        }
        prefilter_hits ph = {rules->pf[k].rule, s};
        hs_scan(rules->pf[k].db, t ? t : "", (unsigned)n, 0, s->hs,
                on_prefilter_match, &ph);
    }
}

/* Checks every regex rule of one body-like kind against its text. */
static void check_kind(const ms_spam_rules *rules, ms_spam_scratch *s,
                       ms_arena *a, int kind, const char *t, size_t n)
{
    s->n_fired = 0;
    prefilter_scan(rules, s, a, rules->kind_pf_first[kind],
                   rules->kind_pf_count[kind], t, n);
    for (size_t k = 0; k < s->n_fired; k++) {
        size_t i = s->fired[k];
        const spam_rule *r = &rules->rules[i];
        if (r->kind != kind || r->re == NULL || !r->prefiltered)
            continue;
        if (run_regex(rules, s, a, i, t ? t : "", n))
            s->value[i] = 1;
    }
    for (size_t k = 0; k < rules->n_always[kind]; k++) {
        size_t i = rules->always[kind][k];
        if (run_regex(rules, s, a, i, t ? t : "", n))
            s->value[i] = 1;
    }
}

/* Appends a header's value in the rule's mode, one occurrence a line. */
static void header_text(ms_arena *a, const ms_message *m, const char *name,
                        int mode, ms_buf *out, bool *found)
{
    ms_slice want = ms_slice_from_cstr(name);
    for (size_t i = 0; m->root && i < m->root->n_headers; i++) {
        const ms_header *h = &m->root->headers[i];
        if (!ms_slice_eq_ci(h->name, want))
            continue;
        *found = true;
        if (out->n > 0)
            ms_buf_append_char(out, '\n');
        if (mode == HMODE_RAW) {
            ms_buf_append(out, h->raw.p, h->raw.n);
            continue;
        }
        if (mode == HMODE_DECODED) {
            ms_buf_append(out, h->value, h->value_len);
            continue;
        }
        ms_address *list = NULL;
        size_t n = 0;
        if (ms_address_list_parse(a, NULL, "0", h->value, h->value_len, 1,
                                  &list, &n) == MS_OK &&
            n > 0)
            ms_buf_append_str(out, mode == HMODE_ADDR ? list[0].address
                                                      : list[0].name);
    }
}

/* Writes SpamAssassin's X-Spam-Relays-* pseudo-header from the Received
 * chain, newest relay first, one "[ ip=... rdns=... helo=... by=...
 * ident= envfrom=... intl=N id=... auth=... msa=0 ]" each. Without
 * configured networks, as SpamAssassin infers them, the relays on top
 * whose sending address is private or loopback are trusted and internal;
 * the first one from a public address and all older ones are untrusted
 * and external. want_trusted picks the side. */
static void relays_text(const ms_message *m, bool want_trusted, ms_buf *out,
                        bool *found)
{
    bool trusted = true;
    for (size_t k = m->n_received; k-- > 0;) {
        const ms_received_hop *h = &m->received[k];
        if (h->from_ip == NULL)
            continue; /* no sending address: not a relay SpamAssassin lists */
        if (h->raw && strstr(h->raw, "fetchmail") != NULL)
            continue; /* a local fetchmail handover, as SpamAssassin skips */
        ms_ip ip;
        if (trusted && (!ms_ip_parse(h->from_ip, strlen(h->from_ip), &ip) ||
                        ms_ip_is_public(&ip)))
            trusted = false;
        if (trusted != want_trusted)
            continue;
        if (out->n > 0)
            ms_buf_append_char(out, ' ');
        ms_buf_printf(out,
                      "[ ip=%s rdns=%s helo=%s by=%s ident= envfrom=%s "
                      "intl=%d id=%s auth=%s msa=0 ]",
                      h->from_ip, h->from_host ? h->from_host : "",
                      h->helo ? h->helo : "", h->by_host ? h->by_host : "",
                      h->envelope_from ? h->envelope_from : "", trusted ? 1 : 0,
                      h->id ? h->id : "", h->authenticated ? "yes" : "");
    }
    *found = true;
}

/* Builds a header text: special names ALL, ToCc and MESSAGEID, or the
 * named header, in the given mode. *found says whether it exists. */
static void header_target_text(ms_arena *a, const ms_message *m,
                               const header_target *t, ms_buf *out, bool *found)
{
    *found = false;
    ms_buf_clear(out);
    if (strcmp(t->header, "ALL") == 0) {
        for (size_t i = 0; m->root && i < m->root->n_headers; i++) {
            const ms_header *h = &m->root->headers[i];
            ms_buf_append(out, h->name.p, h->name.n);
            ms_buf_append(out, ": ", 2);
            ms_buf_append(out, h->value, h->value_len);
            ms_buf_append_char(out, '\n');
        }
        *found = m->root && m->root->n_headers > 0;
        return;
    }
    if (strcmp(t->header, "ToCc") == 0) {
        header_text(a, m, "To", t->mode, out, found);
        header_text(a, m, "Cc", t->mode, out, found);
        return;
    }
    if (strcmp(t->header, "MESSAGEID") == 0) {
        header_text(a, m, "Message-Id", t->mode, out, found);
        header_text(a, m, "Resent-Message-Id", t->mode, out, found);
        header_text(a, m, "X-Message-Id", t->mode, out, found);
        return;
    }
    if (strcmp(t->header, "X-Spam-Relays-Untrusted") == 0 ||
        strcmp(t->header, "X-Spam-Relays-External") == 0) {
        relays_text(m, false, out, found);
        return;
    }
    if (strcmp(t->header, "X-Spam-Relays-Trusted") == 0 ||
        strcmp(t->header, "X-Spam-Relays-Internal") == 0) {
        relays_text(m, true, out, found);
        return;
    }
    if (strcmp(t->header, "EnvelopeFrom") == 0) {
        header_text(a, m, "Return-Path", HMODE_ADDR, out, found);
        return;
    }
    header_text(a, m, t->header, t->mode, out, found);
}

/* Checks the header rules. Each distinct header text is built once per
 * mail and shared by all the rules that read it (SpamAssassin's set has
 * hundreds of rules on a few dozen headers). */
static void check_headers(const ms_spam_rules *rules, ms_spam_scratch *s,
                          ms_arena *a, const ms_message *m, ms_buf *tmp)
{
    const char **texts =
        ms_arena_calloc(a, rules->n_targets + 1, sizeof(char *));
    size_t *lens = ms_arena_calloc(a, rules->n_targets + 1, sizeof(size_t));
    signed char *state = ms_arena_calloc(a, rules->n_targets + 1, 1);
    if (texts == NULL || lens == NULL || state == NULL)
        return;
    for (size_t k = 0; k < rules->n_header_rules; k++) {
        size_t i = rules->header_rules[k];
        const spam_rule *r = &rules->rules[i];
        int t = r->target;
        if (state[t] == 0) {
            bool found;
            const header_target *ht = &rules->targets[t];
            header_target_text(a, m, ht, tmp, &found);
            texts[t] = ms_arena_strndup(a, tmp->p ? tmp->p : "", tmp->n);
            lens[t] = tmp->n;
            state[t] = found ? 1 : -1;
            prefilter_scan(rules, s, a, ht->pf_first, ht->pf_count, texts[t],
                           lens[t]);
        }
        bool found = state[t] > 0;
        if (r->exists_test) {
            s->value[i] = found;
            continue;
        }
        const char *text = texts[t] ? texts[t] : "";
        size_t n = lens[t];
        bool hit;
        if (!found && r->if_unset) {
            /* the text read is the rule's own default: no prefilter */
            text = r->if_unset;
            n = strlen(text);
            hit = run_regex(rules, s, a, i, text, n);
        } else if (r->prefiltered && !s->candidate[i]) {
            hit = false; /* the prefilter rules a match out */
        } else {
            hit = run_regex(rules, s, a, i, text, n);
        }
        if (r->negate) {
            hit = !hit;
            s->match[i] = NULL;
        }
        s->value[i] = hit;
    }
}

/* Drops the spaces at the end of out. */
static void trim_trailing_spaces(ms_buf *out)
{
    while (out->n > 0 && out->p[out->n - 1] == ' ')
        out->n--;
    if (out->p)
        out->p[out->n] = '\0';
}

/* Returns what a tag (start or end) puts into the text, as SpamAssassin's
 * HTML module has it: "\n" for br and div, a paragraph break for p, hr,
 * blockquote, pre, title and the like, a space for list items, table
 * cells and headings; NULL for the others. */
static const char *tag_break(ms_slice name)
{
    static const struct {
        const char *name;
        size_t n;
        const char *text;
    } breaks[] = {
        {"br", 2, "\n"},
        {"div", 3, "\n"},
        {"p", 1, "\n\n"},
        {"hr", 2, "\n\n"},
        {"blockquote", 10, "\n\n"},
        {"pre", 3, "\n\n"},
        {"listing", 7, "\n\n"},
        {"plaintext", 9, "\n\n"},
        {"xmp", 3, "\n\n"},
        {"title", 5, "\n\n"},
        {"li", 2, " "},
        {"th", 2, " "},
        {"td", 2, " "},
        {"dt", 2, " "},
        {"dd", 2, " "},
        {"embed", 5, " "},
    };
    if (name.n == 0 || name.n > 10)
        return NULL;
    for (size_t k = 0; k < sizeof(breaks) / sizeof(breaks[0]); k++)
        if (breaks[k].n == name.n &&
            ms_slice_eq_ci(name, (ms_slice){breaks[k].name, breaks[k].n}))
            return breaks[k].text;
    if (name.n == 2 && (name.p[0] == 'h' || name.p[0] == 'H') &&
        name.p[1] >= '1' && name.p[1] <= '6')
        return " ";
    return NULL;
}

/*
 * Renders HTML to text for body rules as SpamAssassin's HTML module does:
 * tags dropped, script and style contents dropped, the common entities
 * decoded, every run of white space (a no-break space too) one space, and
 * the tags that break text (tag_break) putting in their line end,
 * paragraph break or space, with the spaces around it dropped. A single
 * line end joins the lines around it into one paragraph later on, as in
 * SpamAssassin; a paragraph break starts a new line of the body text.
 */
static void render_html(const char *p, size_t n, ms_buf *out)
{
    size_t i = 0;
    bool after_break = true; /* the last thing written was a tag's break */
    while (i < n) {
        char c = p[i];
        if (c == '<') {
            size_t end = i + 1;
            while (end < n && p[end] != '>')
                end++;
            size_t at = i + 1;
            if (at < end && p[at] == '/')
                at++;
            size_t name_end = at;
            while (name_end < end && ms_ascii_is_alnum(p[name_end]))
                name_end++;
            ms_slice name = {p + at, name_end - at};
            bool opening = at == i + 1;
            bool skip_content =
                opening && (name.n == 6 || name.n == 5) &&
                (ms_slice_eq_ci(name, (ms_slice){"script", 6}) ||
                 ms_slice_eq_ci(name, (ms_slice){"style", 5}));
            const char *brk = tag_break(name);
            if (brk != NULL) {
                trim_trailing_spaces(out);
                ms_buf_append_str(out, brk);
                after_break = true;
            }
            i = end < n ? end + 1 : n;
            if (skip_content) {
                const char *close = name.n == 6 ? "</script" : "</style";
                size_t to = ms_slice_find_ci((ms_slice){p + i, n - i},
                                             ms_slice_from_cstr(close));
                i = to == (size_t)-1 ? n : i + to;
            }
            continue;
        }
        bool space = ms_ascii_is_space(c);
        size_t len = 1;
        if (!space && (unsigned char)c == 0xc2 && i + 1 < n &&
            (unsigned char)p[i + 1] == 0xa0) {
            space = true; /* a no-break space */
            len = 2;
        }
        if (!space && c == '&' && i + 6 <= n &&
            ms_slice_eq_ci((ms_slice){p + i, 6},
                           ms_slice_from_cstr("&nbsp;"))) {
            space = true;
            len = 6;
        }
        if (space) {
            if (!after_break && out->n > 0 && out->p[out->n - 1] != ' ')
                ms_buf_append_char(out, ' ');
            i += len;
            continue;
        }
        after_break = false;
        if (c == '&') {
            static const struct {
                const char *name;
                const char *text;
            } ents[] = {{"&amp;", "&"},
                        {"&lt;", "<"},
                        {"&gt;", ">"},
                        {"&quot;", "\""},
                        {"&#39;", "'"}};
            bool done = false;
            for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
                size_t elen = strlen(ents[k].name);
                if (i + elen <= n &&
                    ms_slice_eq_ci((ms_slice){p + i, elen},
                                   ms_slice_from_cstr(ents[k].name))) {
                    ms_buf_append_str(out, ents[k].text);
                    i += elen;
                    done = true;
                    break;
                }
            }
            if (done)
                continue;
        }
        /* a run of plain text in one copy */
        size_t j = i + 1;
        while (j < n && p[j] != '<' && p[j] != '&' &&
               !ms_ascii_is_space(p[j]) && (unsigned char)p[j] != 0xc2)
            j++;
        ms_buf_append(out, p + i, j - i);
        i = j;
    }
}

/* Appends text as SpamAssassin presents the body to its rules (white
 * space is Perl's \s on bytes, ms_ascii_is_space's set): a run of
 * white space holding two line ends or more becomes one line end (a
 * paragraph break; a space stays on either side when the run had white
 * space there), every other run one space, so one paragraph is one line. */
static void append_paragraphs(ms_buf *out, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (!ms_ascii_is_space(p[i])) {
            size_t j = i;
            while (j < n && !ms_ascii_is_space(p[j]))
                j++;
            ms_buf_append(out, p + i, j - i);
            i = j;
            continue;
        }
        size_t j = i, first_nl = n, last_nl = n, lines = 0;
        for (; j < n && ms_ascii_is_space(p[j]); j++) {
            if (p[j] != '\n')
                continue;
            if (lines++ == 0)
                first_nl = j;
            last_nl = j;
        }
        if (lines < 2) {
            ms_buf_append_char(out, ' ');
        } else {
            if (first_nl > i)
                ms_buf_append_char(out, ' ');
            ms_buf_append_char(out, '\n');
            if (last_nl + 1 < j)
                ms_buf_append_char(out, ' ');
        }
        i = j;
    }
}

/* Collects the links of a text, one a line: explicit schemes and www.
 * forms. A stand-in until the URL analyzer hands over its list. */
static void collect_uris(const char *p, size_t n, ms_buf *out, size_t *count)
{
    static const char *const starts[] = {"http://", "https://", "ftp://",
                                         "www."};
    for (size_t i = 0; i < n && *count < MAX_URIS; i++) {
        /* the first two letters settle most places: "ht", "ft", "ww" */
        char c = ms_ascii_lower(p[i]);
        if (c != 'h' && c != 'f' && c != 'w')
            continue;
        char c2 = i + 1 < n ? ms_ascii_lower(p[i + 1]) : '\0';
        if (c2 != (c == 'w' ? 'w' : 't'))
            continue;
        for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
            ms_slice rest = {p + i, n - i};
            if (!ms_slice_starts_with_ci(rest, starts[k]))
                continue;
            if (k == 3 && i > 0 &&
                (ms_ascii_is_alnum(p[i - 1]) || p[i - 1] == '/' ||
                 p[i - 1] == '.'))
                break;
            size_t e = i;
            while (e < n && (unsigned char)p[e] > ' ' && p[e] != '"' &&
                   p[e] != '\'' && p[e] != '<' && p[e] != '>')
                e++;
            if (k == 3)
                ms_buf_append_str(out, "http://");
            ms_buf_append(out, p + i, e - i);
            ms_buf_append_char(out, '\n');
            (*count)++;
            i = e;
            break;
        }
    }
}

/* SpamAssassin's per-part ceilings (body_part_scan_size and
 * rawbody_part_scan_size): the rules read this much of one part's text. */
#define BODY_PART_SCAN_BYTES    50000
#define RAWBODY_PART_SCAN_BYTES 500000
/* How far past a ceiling the cut may move to end on a separator. */
#define SCAN_CUT_SLACK 1024

/* Returns how much of a part's text the rules read: all of it up to
 * limit, else up to the first of seps (tried in order) found within
 * SCAN_CUT_SLACK bytes after limit, else limit, as SpamAssassin cuts. */
static size_t part_scan_len(const char *t, size_t n, size_t limit,
                            const char *seps)
{
    if (n <= limit)
        return n;
    for (const char *sep = seps; *sep; sep++) {
        const char *hit = memchr(t + limit, *sep, n - limit);
        if (hit != NULL && (size_t)(hit - t) - limit <= SCAN_CUT_SLACK)
            return (size_t)(hit - t) + 1;
    }
    return limit;
}

/* Builds the texts the rule kinds read; see spam_rules.h. */
void ms_spam_texts(const ms_message *m, ms_buf *body, ms_buf *rawbody,
                   ms_buf *uris)
{
    ms_buf tmp, joined;
    ms_buf_init(&tmp, 0);
    ms_buf_init(&joined, 0);
    /* body: the Subject as its own line, then the text parts one line
     * end apart, made into paragraphs as a whole */
    if (m->subject)
        ms_buf_append_str(body, m->subject);
    ms_buf_append_char(body, '\n');
    bool first_part = true;
    size_t n_uris = 0;
    for (size_t i = 0; i < m->n_parts; i++) {
        const ms_part *p = m->parts[i];
        if (!p->is_text || p->text == NULL)
            continue;
        if (rawbody) {
            ms_buf_append(rawbody, p->text,
                          part_scan_len(p->text, p->text_len,
                                        RAWBODY_PART_SCAN_BYTES, "\n> "));
            ms_buf_append_char(rawbody, '\n');
        }
        if (uris)
            collect_uris(p->text, p->text_len, uris, &n_uris);
        if (!first_part)
            ms_buf_append_char(&joined, '\n');
        first_part = false;
        if (strcmp(p->content_type, "text/html") == 0) {
            ms_buf_clear(&tmp);
            render_html(p->text, p->text_len, &tmp);
            ms_buf_append(&joined, tmp.p ? tmp.p : "",
                          part_scan_len(tmp.p ? tmp.p : "", tmp.n,
                                        BODY_PART_SCAN_BYTES, "\n "));
        } else {
            ms_buf_append(&joined, p->text,
                          part_scan_len(p->text, p->text_len,
                                        BODY_PART_SCAN_BYTES, "\n "));
        }
    }
    append_paragraphs(body, joined.p, joined.n);
    if (body->n == 0 || body->p[body->n - 1] != '\n')
        ms_buf_append_char(body, '\n');
    ms_buf_free(&joined);
    ms_buf_free(&tmp);
}

/* Orders hits by descending score, then name. */
static int compare_hits(const void *a, const void *b)
{
    const ms_spam_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* Orders names alphabetically (for the status line's tests list). */
static int compare_hit_names(const void *a, const void *b)
{
    return strcmp((*(const ms_spam_hit *const *)a)->name,
                  (*(const ms_spam_hit *const *)b)->name);
}

static ms_status finish_result(ms_spam_result *out, ms_arena *a);

/* Builds the result from the rule values. */
static ms_status make_result(const ms_spam_rules *rules, ms_spam_scratch *s,
                             ms_arena *a, ms_spam_result *out)
{
    memset(out, 0, sizeof(*out));
    out->required = rules->required;
    size_t cap = 0;
    for (size_t i = 0; i < rules->n_rules; i++) {
        const spam_rule *r = &rules->rules[i];
        if (s->value[i] == 0 || r->kind < 0 || strncmp(r->name, "__", 2) == 0)
            continue;
        double score = r->score[0];
        if (score == 0)
            continue; /* a rule scored 0 is disabled */
        ms_status rc = MS_VEC_GROW(a, out->hits, out->n_hits, cap, 0);
        if (rc != MS_OK)
            return rc;
        ms_spam_hit *h = &out->hits[out->n_hits++];
        h->name = r->name;
        h->score = score;
        h->description = r->describe ? r->describe : "";
        h->match = s->match[i];
        h->match_len = s->match_len[i];
        out->score += score;
    }
    return finish_result(out, a);
}

/* Sorts the hits, sets the verdict and writes the status line. */
static ms_status finish_result(ms_spam_result *out, ms_arena *a)
{
    if (out->n_hits > 1)
        qsort(out->hits, out->n_hits, sizeof(*out->hits), compare_hits);
    out->is_spam = out->score >= out->required;
    ms_buf line;
    ms_buf_init(&line, 0);
    ms_buf_printf(&line, "%s, score=%.1f required=%.1f tests=",
                  out->is_spam ? "Yes" : "No", out->score, out->required);
    const ms_spam_hit **sorted =
        ms_arena_calloc(a, out->n_hits + 1, sizeof(*sorted));
    if (sorted == NULL) {
        ms_buf_free(&line);
        return MS_ENOMEM;
    }
    for (size_t i = 0; i < out->n_hits; i++)
        sorted[i] = &out->hits[i];
    qsort(sorted, out->n_hits, sizeof(*sorted), compare_hit_names);
    for (size_t i = 0; i < out->n_hits; i++)
        ms_buf_printf(&line, "%s%s", i ? "," : "", sorted[i]->name);
    if (out->n_hits == 0)
        ms_buf_append_str(&line, "none");
    ms_buf_append_str(&line, " autolearn=no");
    out->status = ms_arena_strndup(a, line.p ? line.p : "", line.n);
    ms_buf_free(&line);
    return out->status ? MS_OK : MS_ENOMEM;
}

/* Checks one parsed mail; see spam_rules.h. */
ms_status ms_spam_check(const ms_spam_rules *rules, ms_spam_scratch *s,
                        ms_arena *arena, const ms_message *m,
                        ms_spam_result *out)
{
    memset(s->candidate, 0, rules->n_rules);
    s->n_fired = 0;
    memset(s->value, 0, rules->n_rules * sizeof(double));
    memset(s->match, 0, rules->n_rules * sizeof(char *));
    ms_buf tmp, body, rawbody, uris;
    ms_buf_init(&tmp, 0);
    ms_buf_init(&body, 0);
    ms_buf_init(&rawbody, 0);
    ms_buf_init(&uris, 0);

    check_headers(rules, s, arena, m, &tmp);

    ms_spam_texts(m, &body, &rawbody, &uris);
    check_kind(rules, s, arena, KIND_BODY, body.p, body.n);
    check_kind(rules, s, arena, KIND_RAWBODY, rawbody.p, rawbody.n);
    check_kind(rules, s, arena, KIND_FULL, m->raw, m->raw_len);
    check_kind(rules, s, arena, KIND_URI, uris.p, uris.n);

    /* the eval: tests mailscope runs */
    spam_eval_cache cache = {false, 0};
    for (size_t k = 0; k < rules->n_eval_rules; k++) {
        size_t i = rules->eval_rules[k];
        s->value[i] =
            ms_spam_eval_run(rules, &rules->rules[i], arena, m, s->md, &cache);
    }

    /* the metas come in dependency order, so one pass suffices unless
     * some read each other in a cycle */
    int passes = rules->meta_cycle ? MAX_META_PASSES : 1;
    for (int pass = 0; pass < passes; pass++) {
        bool changed = false;
        for (size_t k = 0; k < rules->n_metas; k++) {
            size_t i = rules->metas[k];
            const meta_op *ops = rules->meta_ops + rules->meta_at[k];
            size_t n_ops = rules->meta_at[k + 1] - rules->meta_at[k];
            double v = ms_spam_meta_eval(ops, n_ops, s->value) != 0;
            if (v != s->value[i]) {
                s->value[i] = v;
                changed = true;
            }
        }
        if (!changed)
            break;
    }
    ms_buf_free(&tmp);
    ms_buf_free(&body);
    ms_buf_free(&rawbody);
    ms_buf_free(&uris);
    return make_result(rules, s, arena, out);
}

/* Adds the Bayesian filter's rule to a result; see spam_rules.h. */
ms_status ms_spam_add_bayes(ms_spam_result *r, ms_arena *a, const char *rule,
                            double score, double probability)
{
    r->bayes_used = true;
    r->bayes_probability = probability;
    r->bayes_rule = rule;
    ms_spam_hit *hits = ms_arena_calloc(a, r->n_hits + 1, sizeof(*hits));
    if (hits == NULL)
        return MS_ENOMEM;
    if (r->n_hits)
        memcpy(hits, r->hits, r->n_hits * sizeof(*hits));
    ms_spam_hit *h = &hits[r->n_hits];
    h->name = rule;
    h->score = score;
    h->description = "Bayesian spam probability";
    r->hits = hits;
    r->n_hits++;
    r->score += score;
    return finish_result(r, a);
}

/* Writes the result as the value of a `spam` key. */
void ms_spam_write_json(ms_json *w, const ms_spam_result *r)
{
    ms_json_object_begin(w);
    ms_json_kv_double(w, "score", r->score);
    ms_json_kv_double(w, "required", r->required);
    ms_json_kv_bool(w, "is_spam", r->is_spam);
    ms_json_kv_cstr(w, "status", r->status);
    ms_json_key(w, "rules");
    ms_json_array_begin(w);
    for (size_t i = 0; i < r->n_hits; i++) {
        const ms_spam_hit *h = &r->hits[i];
        ms_json_object_begin(w);
        ms_json_kv_cstr(w, "name", h->name);
        ms_json_kv_double(w, "score", h->score);
        ms_json_kv_cstr(w, "description", h->description);
        ms_json_key(w, "match");
        if (h->match)
            ms_json_string(w, h->match, h->match_len);
        else
            ms_json_null(w);
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
    ms_json_key(w, "bayes");
    if (r->bayes_used) {
        ms_json_object_begin(w);
        ms_json_kv_double(w, "probability", r->bayes_probability);
        ms_json_kv_cstr(w, "rule", r->bayes_rule);
        ms_json_object_end(w);
    } else {
        ms_json_null(w);
    }
    ms_json_object_end(w);
}
