/* SPDX-License-Identifier: MIT */
/*
 * The Received header parser. The syntax of RFC 5321 ("from X by Y with Z
 * id I for F; date") is only a skeleton: every MTA fills the clauses and
 * the comments between them its own way (Postfix "(rdns [ip])", Exim
 * "[ip] (helo=name)", qmail "(HELO name) (ip)", Exchange "(ip) by ...",
 * Gmail "by 2002:a05:...", Sendmail "(may be forged)"). So the parser
 * finds the clause keywords at the top level (outside comments), keeps
 * each clause's text, and then reads facts out of the "from" clause with
 * rules that do not depend on the order of its comments.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mime/date.h"
#include "mime/received.h"
#include "util/ascii.h"
#include "util/ip.h"

/* Clause keywords, in the order of the hop fields they fill. */
enum { CL_FROM, CL_BY, CL_VIA, CL_WITH, CL_ID, CL_FOR, N_CLAUSES };
static const char *const clause_names[N_CLAUSES] = {"from", "by", "via",
                                                    "with", "id", "for"};
static const size_t clause_lengths[N_CLAUSES] = {4, 2, 3, 4, 2, 3};

/* Copies a slice into the arena, trimmed; NULL when empty. */
static const char *copy_trimmed(ms_arena *a, ms_slice s)
{
    s = ms_slice_trim(s);
    if (s.n == 0)
        return NULL;
    return ms_arena_strndup(a, s.p, s.n);
}

#ifdef __SSE2__
/* The bits of the bytes of v equal to c. */
static inline unsigned bytes_equal(__m128i v, char c)
{
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}
#endif

/* The bytes that end the first word of a clause. */
static const unsigned char word_break[256] = {
    [' '] = 1,  ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
    ['\v'] = 1, ['\f'] = 1, ['('] = 1,  [';'] = 1,
};

/* Returns the first word of a clause (up to white space, '(' or ';'),
 * without angle brackets. Trailing white space needs no trim: it ends
 * the word anyway. The words are host names and queue ids, most of them
 * longer than a block: with SSE2 sixteen bytes are tested at a time. */
static ms_slice first_word(ms_slice s)
{
    const unsigned char *u = (const unsigned char *)s.p;
    size_t i = 0;
    while (i < s.n && ms_ascii_is_space(s.p[i]))
        i++;
    size_t k = i;
    bool found = false;
#ifdef __SSE2__
    /* the white space of word_break: ' ', and '\t' to '\r' (9 to 13) */
    const __m128i before_tab = _mm_set1_epi8('\t' - 1);
    const __m128i after_cr = _mm_set1_epi8('\r' + 1);
    for (; k + 16 <= s.n; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s.p + k));
        __m128i space = _mm_and_si128(_mm_cmpgt_epi8(v, before_tab),
                                      _mm_cmplt_epi8(v, after_cr));
        unsigned m = (unsigned)_mm_movemask_epi8(space) | bytes_equal(v, ' ') |
                     bytes_equal(v, '(') | bytes_equal(v, ';');
        if (m != 0) {
            k += (size_t)__builtin_ctz(m);
            found = true;
            break;
        }
    }
#endif
    while (!found && k < s.n && !word_break[u[k]])
        k++;
    ms_slice w = {s.p + i, k - i};
    if (w.n >= 2 && w.p[0] == '<' && w.p[w.n - 1] == '>') {
        w.p++;
        w.n -= 2;
    }
    return w;
}

/* The hop text and a lower-case copy of it, so that case-insensitive
 * searches are plain memmem calls (a dozen searches run on every hop). */
typedef struct hop_text {
    const char *in;
    const char *low;
} hop_text;

/* Finds the lower-case needle in the sub-slice s of the hop text, ignoring
 * case. Returns its offset in s, or (size_t)-1.
 *
 * A dozen searches run over every hop, for needles whose first letter is
 * common in Received text ("envelope-from", "auth", "tls"): with SSE2 a
 * block of sixteen start offsets is kept only where both the first and
 * the second byte of the needle match, and only those few candidates are
 * compared whole. Byte by byte, or with memchr for a needle of one byte,
 * elsewhere. */
static inline size_t find_ci(const hop_text *t, ms_slice s, const char *needle)
{
    const char *base = t->low + (s.p - t->in);
    size_t n = __builtin_strlen(needle);
    if (n == 0 || n > s.n)
        return n == 0 ? 0 : (size_t)-1;
    size_t last = s.n - n; /* the last offset a match can start at */
    if (n == 1) {
        const char *p = memchr(base, needle[0], s.n);
        return p ? (size_t)(p - base) : (size_t)-1;
    }
    size_t i = 0;
#ifdef __SSE2__
    const __m128i first = _mm_set1_epi8(needle[0]);
    const __m128i second = _mm_set1_epi8(needle[1]);
    /* both loads of a block stay inside the slice */
    for (; i + 17 <= s.n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(base + i));
        __m128i b =
            _mm_loadu_si128((const __m128i *)(const void *)(base + i + 1));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, second)));
        for (; m != 0; m &= m - 1) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (k > last)
                return (size_t)-1;
            if (memcmp(base + k + 2, needle + 2, n - 2) == 0)
                return k;
        }
    }
#endif
    for (; i <= last; i++) {
        if (base[i] == needle[0] &&
            memcmp(base + i + 1, needle + 1, n - 1) == 0)
            return i;
    }
    return (size_t)-1;
}

/* Finds the word after needle (lower-case, matched ignoring case) in s,
 * e.g. the name after "helo=". Returns the empty slice when absent. */
static ms_slice word_after(const hop_text *t, ms_slice s, const char *needle)
{
    size_t at = find_ci(t, s, needle);
    if (at == (size_t)-1)
        return MS_SLICE_EMPTY;
    size_t k = at + strlen(needle);
    while (k < s.n && (s.p[k] == ' ' || s.p[k] == '<'))
        k++;
    size_t start = k;
    while (k < s.n && !ms_ascii_is_space(s.p[k]) && s.p[k] != ')' &&
           s.p[k] != '>' && s.p[k] != ';' && s.p[k] != ',')
        k++;
    return (ms_slice){s.p + start, k - start};
}

/* True when a host word is a placeholder and not a name. */
static bool is_placeholder(ms_slice w)
{
    return w.n == 0 || ms_slice_eq_cstr_ci(w, "unknown") ||
           ms_slice_eq_cstr_ci(w, "localhost") || w.p[0] == '[' ||
           w.p[0] == '(';
}

/* Formats an address into the arena. */
static const char *ip_string(ms_arena *a, const ms_ip *ip)
{
    char buf[MS_IP_TEXT_MAX];
    size_t n = ms_ip_format(ip, buf, sizeof(buf));
    return n ? ms_arena_strndup(a, buf, n) : NULL;
}

/* What the scan of a "from" clause for the client address keeps: the
 * first address inside a comment and the first outside, neither of them
 * the HELO argument. */
typedef struct client_ip {
    const char *text;   /* the clause */
    size_t pos;         /* how far the depth count has read */
    int depth;          /* comment depth at pos */
    ms_slice helo;      /* the explicit HELO argument, to be skipped */
    bool in_comment;    /* found one inside a comment */
    ms_ip comment_ip;   /* ... this one */
    size_t comment_off; /* ... at this offset */
    bool outside;       /* found one outside comments */
    ms_ip outside_ip;
} client_ip;

/* ms_ip_scan callback sorting each address of the clause into client_ip.
 * Offsets arrive in increasing order, so the comment depth is counted
 * once over the clause. */
static void sort_client_ip(void *ctx, const ms_ip *ip, size_t off, size_t len)
{
    client_ip *c = ctx;
    for (; c->pos < off; c->pos++) {
        if (c->text[c->pos] == '(')
            c->depth++;
        else if (c->text[c->pos] == ')' && c->depth > 0)
            c->depth--;
    }
    const char *at = c->text + off;
    if (c->helo.n > 0 && at >= c->helo.p && at + len <= c->helo.p + c->helo.n)
        return; /* the name the client gave itself, not its address */
    if (c->depth > 0 && !c->in_comment) {
        c->in_comment = true;
        c->comment_ip = *ip;
        c->comment_off = off;
    } else if (c->depth == 0 && !c->outside) {
        c->outside = true;
        c->outside_ip = *ip;
    }
}

/* Returns the explicitly labelled HELO argument of a "from" clause:
 * Exim's "helo=name", qmail's and others' "(HELO name)" / "(EHLO name)".
 * The empty slice when there is none. */
static ms_slice explicit_helo(const hop_text *t, ms_slice from)
{
    if (find_ci(t, from, "lo") == (size_t)-1)
        return MS_SLICE_EMPTY; /* one search rules out most hops */
    ms_slice helo = word_after(t, from, "helo=");
    if (helo.n == 0)
        helo = word_after(t, from, "(helo ");
    if (helo.n == 0)
        helo = word_after(t, from, "(ehlo ");
    return helo;
}

/*
 * Reads the facts of the "from" clause.
 *
 * The client IP is the address the receiving MTA saw, which every MTA
 * writes inside a comment ("(rdns [ip])", "(ip)", "([ip] helo=x)"),
 * except Exim when the name is unknown ("[ip] (helo=x)"). The first
 * word of the clause is the HELO argument, which the client chooses: a
 * spammer says "from [10.0.0.1] (unknown [203.0.113.5])" to make a
 * careless reader take the private literal for the client. So an
 * address inside a comment wins over one outside, and an address that
 * is the labelled HELO argument is never taken.
 *
 * The reverse DNS name is the word right before the bracketed client
 * address inside the comment (Postfix, Sendmail, Gmail); for Exim, which
 * writes "from rdns ([ip] helo=x)", the first word when a helo= label
 * shows the HELO name is elsewhere.
 *
 * The HELO name is the labelled one when there is a label, else the
 * first word of the clause, which RFC 5321 4.4 says is the EHLO argument.
 */
static void read_from_clause(ms_arena *a, const hop_text *t, ms_slice from,
                             ms_received_hop *hop)
{
    ms_slice helo = explicit_helo(t, from);
    client_ip c = {.text = from.p, .helo = helo};
    ms_ip_scan(from.p, from.n, sort_client_ip, &c);
    if (c.in_comment) {
        hop->from_ip = ip_string(a, &c.comment_ip);
        /* the word before "[ip]" right after '(' is the rDNS name */
        size_t k = c.comment_off;
        if (k >= 5 &&
            ms_slice_eq_cstr_ci((ms_slice){from.p + k - 5, 5}, "ipv6:"))
            k -= 5;
        while (k > 0 && (from.p[k - 1] == '[' || from.p[k - 1] == ' '))
            k--;
        size_t end = k;
        while (k > 0 && !ms_ascii_is_space(from.p[k - 1]) &&
               from.p[k - 1] != '(')
            k--;
        if (end > k && k > 0 && from.p[k - 1] == '(') {
            ms_slice rdns = {from.p + k, end - k};
            /* "(ident@rdns [ip])": the identd user is not the name */
            const char *at = memchr(rdns.p, '@', rdns.n);
            if (at != NULL) {
                rdns.n -= (size_t)(at + 1 - rdns.p);
                rdns.p = at + 1;
            }
            while (rdns.n > 0 && rdns.p[rdns.n - 1] == '.')
                rdns.n--;
            if (rdns.n > 0 && !is_placeholder(rdns) &&
                memchr(rdns.p, '=', rdns.n) == NULL)
                hop->from_host = copy_trimmed(a, rdns);
        }
    } else if (c.outside) {
        hop->from_ip = ip_string(a, &c.outside_ip);
    }
    ms_slice first = first_word(from);
    if (helo.n > 0 && hop->from_host == NULL && !is_placeholder(first) &&
        find_ci(t, from, "helo=") != (size_t)-1) {
        ms_slice rdns = first;
        while (rdns.n > 0 && rdns.p[rdns.n - 1] == '.')
            rdns.n--;
        hop->from_host = copy_trimmed(a, rdns);
    }
    if (helo.n == 0 && !is_placeholder(first))
        helo = first;
    if (helo.n > 0)
        hop->helo = copy_trimmed(a, helo);
}

/* Collects the last public address of a text (for ms_ip_scan). */
typedef struct last_public {
    bool found;
    ms_ip ip;
} last_public;

/* ms_ip_scan callback keeping the last public address. */
static void keep_last_public(void *ctx, const ms_ip *ip, size_t off, size_t len)
{
    last_public *f = ctx;
    (void)off;
    (void)len;
    if (ms_ip_is_public(ip)) {
        f->found = true;
        f->ip = *ip;
    }
}

/* Collects the first address of a text (for ms_ip_scan). */
typedef struct first_ip {
    bool found;
    ms_ip ip;
    size_t off;
} first_ip;

/* ms_ip_scan callback keeping the first address. */
static void keep_first_ip(void *ctx, const ms_ip *ip, size_t off, size_t len)
{
    first_ip *f = ctx;
    (void)len;
    if (!f->found) {
        f->found = true;
        f->ip = *ip;
        f->off = off;
    }
}

/* True when the match at offset at of s starts a word (the text before
 * it is not a letter or digit), so "tls1" does not match inside a host
 * name like "smtp-tls1x.example". */
static bool starts_word(ms_slice s, size_t at)
{
    return at == 0 || !ms_ascii_is_alnum(s.p[at - 1]);
}

/* Finds a TLS hint: a protocol version written in the hop (Postfix
 * "using TLSv1.3", Exchange "version=TLS1_2", Exim "(TLS1.2)", Sendmail
 * "version=TLSv1.2"), else a cipher ("cipher=X", Exim's "tls TLS_..."),
 * else a "with" protocol of the ESMTPS family (RFC 3848), which says TLS
 * was used without saying which. */
static void read_tls(ms_arena *a, const hop_text *t, ms_slice s,
                     ms_received_hop *hop)
{
    /* marker, and how many of its bytes to skip before the value */
    static const struct {
        const char *marker;
        size_t skip;
        bool needs_tls; /* the marker holds "tls" */
    } markers[] = {
        {"version=", 8, false}, {"tlsv1", 0, true},    {"tls1", 0, true},
        {"using tls", 6, true}, {"cipher=", 7, false}, {"tls tls_", 4, true},
    };
    /* every marker but two holds "tls": one search rules them out for
     * the many hops that say nothing about TLS */
    bool any_tls = find_ci(t, s, "tls") != (size_t)-1;
    bool any_cipher = find_ci(t, s, "=") != (size_t)-1;
    for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
        if (markers[i].needs_tls ? !any_tls : !any_cipher)
            continue;
        ms_slice rest = s;
        size_t at;
        while ((at = find_ci(t, rest, markers[i].marker)) != (size_t)-1 &&
               !starts_word(rest, at)) {
            rest.p += at + 1;
            rest.n -= at + 1;
        }
        if (at == (size_t)-1)
            continue;
        size_t k = at + markers[i].skip;
        size_t start = k;
        while (k < rest.n && !ms_ascii_is_space(rest.p[k]) &&
               rest.p[k] != ',' && rest.p[k] != ')' && rest.p[k] != ';' &&
               rest.p[k] != '(')
            k++;
        if (k > start) {
            hop->tls = copy_trimmed(a, (ms_slice){rest.p + start, k - start});
            return;
        }
    }
    if (hop->with) {
        size_t n = strlen(hop->with);
        if ((n >= 1 && ms_ascii_upper(hop->with[n - 1]) == 'S') ||
            (n >= 2 && ms_ascii_upper(hop->with[n - 2]) == 'S' &&
             ms_ascii_upper(hop->with[n - 1]) == 'A'))
            hop->tls = hop->with;
    }
}

/* True when the hop says its client authenticated: a "with" protocol of
 * the ESMTPA family (RFC 3848: ESMTPA, ESMTPSA, LMTPA, LMTPSA), Postfix's
 * "Authenticated sender:", Sendmail's "(authenticated bits=0)", or an
 * "auth=pass" result. "unauthenticated" and "not authenticated", which
 * some relays write, do not count. */
static bool read_authenticated(const hop_text *t, ms_slice all, ms_slice with)
{
    if (with.n > 0) {
        ms_slice w = first_word(with);
        if (w.n >= 5 && ms_ascii_upper(w.p[w.n - 1]) == 'A' &&
            find_ci(t, w, "smtp") != (size_t)-1)
            return true;
        if (w.n >= 5 && ms_ascii_upper(w.p[w.n - 1]) == 'A' &&
            find_ci(t, w, "lmtp") != (size_t)-1)
            return true;
    }
    if (find_ci(t, all, "auth") == (size_t)-1)
        return false;
    if (find_ci(t, all, "auth=pass") != (size_t)-1)
        return true;
    ms_slice rest = all;
    size_t at;
    while ((at = find_ci(t, rest, "authenticated")) != (size_t)-1) {
        bool negated = !starts_word(rest, at) ||
                       (at >= 4 && find_ci(t, (ms_slice){rest.p + at - 4, 4},
                                           "not ") == 0);
        if (!negated)
            return true;
        rest.p += at + 1;
        rest.n -= at + 1;
    }
    return false;
}

/* Finds the clause keyword kw (lower case) at the top level of text[0..n)
 * (outside comments), as a word: white space or a parenthesis or the start
 * before it, white space after it. Returns its offset or (size_t)-1. */
static size_t find_keyword(const char *text, const char *low, size_t n,
                           const char *kw)
{
    size_t len = strlen(kw);
    int depth = 0;
    for (size_t i = 0; i + len < n; i++) {
        char c = text[i];
        if (c == '(') {
            depth++;
            continue;
        }
        if (c == ')') {
            if (depth > 0)
                depth--;
            continue;
        }
        if (depth > 0 || low[i] != kw[0] ||
            (i > 0 && !ms_ascii_is_space(text[i - 1]) && text[i - 1] != ')'))
            continue;
        if (memcmp(low + i, kw, len) == 0 && ms_ascii_is_space(text[i + len]))
            return i;
    }
    return (size_t)-1;
}

/* Most words of a "with" protocol name ("Microsoft SMTP Server"). */
#define MAX_PROTOCOL_WORDS 3

/* Returns the protocol of a "with" clause: its words up to the first
 * comment, Exim's "tls" cipher note or the word ceiling ("ESMTPS",
 * "esmtpsa", "Microsoft SMTP Server"). */
static ms_slice protocol_of(ms_slice with)
{
    with = ms_slice_trim(with);
    size_t k = 0;
    for (int words = 0; words < MAX_PROTOCOL_WORDS && k < with.n; words++) {
        size_t start = k;
        while (start < with.n && ms_ascii_is_space(with.p[start]))
            start++;
        size_t end = start;
        while (end < with.n && !ms_ascii_is_space(with.p[end]) &&
               with.p[end] != '(' && with.p[end] != ';')
            end++;
        if (end == start ||
            (words > 0 && ms_slice_eq_cstr_ci(
                              (ms_slice){with.p + start, end - start}, "tls")))
            break;
        k = end;
        if (k < with.n && (with.p[k] == '(' || with.p[k] == ';'))
            break;
    }
    return (ms_slice){with.p, k};
}

/* Copies n bytes, lower-casing the ASCII letters; sixteen at a time with
 * SSE2 (bytes above 0x7F compare as negative and stay as they are). */
static void copy_lower(char *dst, const char *src, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i before_a = _mm_set1_epi8('A' - 1);
    const __m128i after_z = _mm_set1_epi8('Z' + 1);
    const __m128i case_bit = _mm_set1_epi8(0x20);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, before_a),
                                      _mm_cmplt_epi8(v, after_z));
        _mm_storeu_si128((__m128i *)(dst + i),
                         _mm_or_si128(v, _mm_and_si128(upper, case_bit)));
    }
#endif
    for (; i < n; i++)
        dst[i] = ms_ascii_lower(src[i]);
}

/* Tracks the comment depth over one parenthesis; returns false for any
 * other byte. */
static inline bool count_paren(char c, int *depth)
{
    if (c == '(') {
        (*depth)++;
        return true;
    }
    if (c == ')') {
        if (*depth > 0)
            (*depth)--;
        return true;
    }
    return false;
}

/* Returns the offset of the last ';' outside comments, or n: the date of
 * a hop follows it. Only parentheses and ';' matter, so with SSE2 the
 * blocks of sixteen bytes are read for those alone. */
static size_t find_clauses_end(const char *in, size_t n)
{
    size_t end = n;
    int depth = 0;
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(in + i));
        unsigned m =
            bytes_equal(v, '(') | bytes_equal(v, ')') | bytes_equal(v, ';');
        for (; m != 0; m &= m - 1) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (!count_paren(in[k], &depth) && depth == 0)
                end = k;
        }
    }
#endif
    for (; i < n; i++) {
        if (!count_paren(in[i], &depth) && in[i] == ';' && depth == 0)
            end = i;
    }
    return end;
}

/* The clause keywords found at the top level of a hop: where each one's
 * text starts, in the order they appear. */
typedef struct clause_starts {
    size_t starts[N_CLAUSES];
    bool seen[N_CLAUSES];
    int order[N_CLAUSES];
    size_t found;
} clause_starts;

/* Takes the clause keyword starting at i, if one does: a keyword not yet
 * seen, white space after it, ending before the clauses do. */
static void take_keyword(const char *in, const char *low, size_t i,
                         size_t clauses_end, clause_starts *cs)
{
    /* the keywords a letter can start, in the order they are tried */
    int candidates[2], n_candidates = 1;
    switch (low[i]) {
    case 'f':
        candidates[0] = CL_FROM;
        candidates[1] = CL_FOR;
        n_candidates = 2;
        break;
    case 'b':
        candidates[0] = CL_BY;
        break;
    case 'v':
        candidates[0] = CL_VIA;
        break;
    case 'w':
        candidates[0] = CL_WITH;
        break;
    case 'i':
        candidates[0] = CL_ID;
        break;
    default:
        return;
    }
    for (int c = 0; c < n_candidates; c++) {
        int k = candidates[c];
        size_t len = clause_lengths[k];
        if (cs->seen[k] || i + len >= clauses_end ||
            !ms_ascii_is_space(in[i + len]))
            continue;
        size_t j = 1;
        while (j < len && low[i + j] == clause_names[k][j])
            j++;
        if (j < len)
            continue;
        cs->seen[k] = true;
        cs->starts[k] = i + len + 1;
        cs->order[cs->found++] = k;
        return;
    }
}

/* True when the lower-case byte can start a clause keyword. */
static inline bool keyword_letter(char c)
{
    return c == 'f' || c == 'b' || c == 'v' || c == 'w' || c == 'i';
}

/*
 * Finds the clause keywords at the top level of in[0..clauses_end), at
 * word starts (white space or ')' or the start before them), each taken
 * the first time it appears. With SSE2 a block of sixteen bytes yields
 * the parentheses and the keyword letters that follow a word break, and
 * only those are looked at.
 */
static void find_clauses(const char *in, const char *low, size_t clauses_end,
                         clause_starts *cs)
{
    int depth = 0;
    size_t i = 0;
    if (clauses_end > 0) {
        if (!count_paren(in[0], &depth) && keyword_letter(low[0]))
            take_keyword(in, low, 0, clauses_end, cs);
        i = 1;
    }
#ifdef __SSE2__
    const __m128i before_tab = _mm_set1_epi8('\t' - 1);
    const __m128i after_cr = _mm_set1_epi8('\r' + 1);
    for (; i + 16 <= clauses_end; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(in + i));
        __m128i lv = _mm_loadu_si128((const __m128i *)(low + i));
        __m128i prev = _mm_loadu_si128((const __m128i *)(in + i - 1));
        /* the byte before is white space (' ', or '\t' to '\r') or ')' */
        unsigned after_break = (unsigned)_mm_movemask_epi8(_mm_and_si128(
                                   _mm_cmpgt_epi8(prev, before_tab),
                                   _mm_cmplt_epi8(prev, after_cr))) |
                               bytes_equal(prev, ' ') | bytes_equal(prev, ')');
        unsigned letters = bytes_equal(lv, 'f') | bytes_equal(lv, 'b') |
                           bytes_equal(lv, 'v') | bytes_equal(lv, 'w') |
                           bytes_equal(lv, 'i');
        unsigned m =
            bytes_equal(v, '(') | bytes_equal(v, ')') | (letters & after_break);
        for (; m != 0; m &= m - 1) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (!count_paren(in[k], &depth) && depth == 0)
                take_keyword(in, low, k, clauses_end, cs);
        }
    }
#endif
    for (; i < clauses_end; i++) {
        if (count_paren(in[i], &depth) || depth > 0 ||
            !keyword_letter(low[i]) ||
            (!ms_ascii_is_space(in[i - 1]) && in[i - 1] != ')'))
            continue;
        take_keyword(in, low, i, clauses_end, cs);
    }
}

/* Parses one Received value; see received.h. */
ms_status ms_received_parse(ms_arena *a, const char *in, size_t n,
                            ms_received_hop *hop)
{
    memset(hop, 0, sizeof(*hop));
    /* one block: the copy the hop keeps, then its lower-case twin, so
     * that case-insensitive searches are plain compares */
    char *copy = ms_arena_alloc(a, 2 * n + 2);
    if (copy == NULL)
        return MS_ENOMEM;
    char *low = copy + n + 1;
    if (n > 0)
        memcpy(copy, in, n);
    copy[n] = '\0';
    copy_lower(low, copy, n);
    low[n] = '\0';
    in = copy;
    hop->raw = copy;
    hop_text t = {in, low};
    /* the date follows the last ';' at the top level */
    size_t clauses_end = find_clauses_end(in, n);
    if (clauses_end < n) {
        unsigned flags;
        ms_date_parse(in + clauses_end + 1, n - clauses_end - 1, &hop->date,
                      &flags);
    }
    clause_starts cs;
    memset(&cs, 0, sizeof(cs));
    find_clauses(in, low, clauses_end, &cs);
    const size_t *starts = cs.starts;
    const bool *seen = cs.seen;
    const int *order = cs.order;
    size_t found = cs.found;
    size_t ends[N_CLAUSES];
    for (size_t j = 0; j < found; j++) {
        int k = order[j];
        size_t end = clauses_end;
        for (size_t l = 0; l < found; l++) {
            size_t kw = starts[order[l]] - clause_lengths[order[l]] - 1;
            if (kw >= starts[k] && kw < end)
                end = kw;
        }
        ends[k] = end;
    }
    ms_slice clause[N_CLAUSES];
    for (int k = 0; k < N_CLAUSES; k++)
        clause[k] = seen[k] ? (ms_slice){in + starts[k], ends[k] - starts[k]}
                            : MS_SLICE_EMPTY;
    if (clauses_end == n && found > 0) {
        /* no ';' (SendGrid's internal hops): the date, if any, follows
         * the first word of the last clause ("id X 2024-03-14 ...") */
        int last = order[0];
        for (size_t j = 1; j < found; j++) {
            if (starts[order[j]] > starts[last])
                last = order[j];
        }
        ms_slice tail = ms_slice_trim(clause[last]);
        ms_slice w = first_word(tail);
        size_t skip = (size_t)(w.p - tail.p) + w.n;
        if (skip < tail.n) {
            unsigned flags;
            ms_date_parse(tail.p + skip, tail.n - skip, &hop->date, &flags);
        }
    }
    if (seen[CL_FROM]) {
        hop->from = copy_trimmed(a, clause[CL_FROM]);
        read_from_clause(a, &t, clause[CL_FROM], hop);
    }
    if (seen[CL_BY]) {
        hop->by = copy_trimmed(a, clause[CL_BY]);
        ms_slice w = first_word(clause[CL_BY]);
        if (w.n)
            hop->by_host = copy_trimmed(a, w);
    }
    if (seen[CL_VIA])
        hop->via = copy_trimmed(a, first_word(clause[CL_VIA]));
    if (seen[CL_WITH])
        hop->with = copy_trimmed(a, protocol_of(clause[CL_WITH]));
    if (seen[CL_ID])
        hop->id = copy_trimmed(a, first_word(clause[CL_ID]));
    if (seen[CL_FOR])
        hop->for_ = copy_trimmed(a, first_word(clause[CL_FOR]));
    ms_slice all = {in, clauses_end};
    ms_slice env = MS_SLICE_EMPTY;
    if (find_ci(&t, all, "envelope-from") != (size_t)-1) {
        env = word_after(&t, all, "envelope-from ");
        if (env.n == 0)
            env = word_after(&t, all, "envelope-from=");
    }
    if (env.n > 0)
        hop->envelope_from = copy_trimmed(a, env);
    if (!seen[CL_FROM]) {
        /* some hops carry the client only in a comment before "by" */
        first_ip f = {0};
        size_t limit = seen[CL_BY] ? starts[CL_BY] : clauses_end;
        ms_ip_scan(all.p, limit, keep_first_ip, &f);
        if (f.found)
            hop->from_ip = ip_string(a, &f.ip);
    }
    read_tls(a, &t, all, hop);
    hop->authenticated = read_authenticated(&t, all, clause[CL_WITH]);
    hop->parsed = seen[CL_FROM] || seen[CL_BY];
    return MS_OK;
}

/* Reverses the hops so the oldest is first, and fills the delays. */
void ms_received_chain_finish(ms_received_hop *hops, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        ms_received_hop t = hops[i];
        hops[i] = hops[n - 1 - i];
        hops[n - 1 - i] = t;
    }
    for (size_t i = 0; i < n; i++) {
        hops[i].delay = 0;
        if (i > 0 && hops[i].date.valid && hops[i - 1].date.valid)
            hops[i].delay = hops[i].date.utc - hops[i - 1].date.utc;
    }
}

/* True when hay contains needle, ignoring ASCII case. */
static bool contains_ci(const char *hay, const char *needle)
{
    return ms_slice_find_ci(ms_slice_from_cstr(hay),
                            ms_slice_from_cstr(needle)) != (size_t)-1;
}

/*
 * The sender IP.
 *
 * With a trust string (mail-parser's rule, made precise): scan the hops
 * from the newest; the first hop whose "by" clause contains the trust
 * string (our own MX, e.g. "mx.example.com"; compared ignoring case) is
 * where the mail entered our side, and the sender is the last public
 * address written in that hop's text before its top-level " by " (its
 * "from" part; mail-parser takes the last address before "by"). NULL
 * when no hop matches or that hop names no public address: a trusted
 * hop that received the mail from a private address means the mail was
 * submitted internally, and an older hop, written by someone else, is
 * not believed.
 *
 * Without one, the heuristic: the newest hops are normally our own
 * relays, passing the mail between private or loopback addresses.
 * Walking from the newest hop to the oldest, the first hop whose client
 * address (from_ip) is public is where the mail crossed from the
 * outside into the private network, and that address is the sender.
 * Hops further down were written by the sender's side and can be
 * forged, so they are never preferred over it. Hops with no client
 * address are skipped. NULL when no hop has a public client address.
 */
const char *ms_received_sender_ip(ms_arena *a, const ms_received_hop *hops,
                                  size_t n, const char *trust)
{
    for (size_t j = n; j > 0; j--) {
        const ms_received_hop *h = &hops[j - 1];
        if (trust && trust[0]) {
            if (h->raw == NULL || h->by == NULL || !contains_ci(h->by, trust))
                continue;
            size_t len = strlen(h->raw);
            char *low = ms_arena_alloc(a, len + 1);
            if (low == NULL)
                return NULL;
            for (size_t i = 0; i <= len; i++)
                low[i] = ms_ascii_lower(h->raw[i]);
            size_t by = find_keyword(h->raw, low, len, "by");
            last_public f = {0};
            ms_ip_scan(h->raw, by == (size_t)-1 ? len : by, keep_last_public,
                       &f);
            return f.found ? ip_string(a, &f.ip) : NULL;
        }
        ms_ip ip;
        if (h->from_ip && ms_ip_parse(h->from_ip, strlen(h->from_ip), &ip) &&
            ms_ip_is_public(&ip))
            return ms_arena_strndup(a, h->from_ip, strlen(h->from_ip));
    }
    return NULL;
}
