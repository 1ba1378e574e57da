/* SPDX-License-Identifier: MIT */
/*
 * Widening a Perl regex into a cheaper one that matches at least where it
 * matches, for the Hyperscan prefilter of the spam rules.
 *
 * Some of SpamAssassin's rules are too big for Hyperscan's compiler: the
 * look-alike letter classes of ReplaceTags turn one word into kilobytes of
 * UTF-8 byte alternations, and large bounded repeats ("[^>]{0,2048}",
 * "(...){1,3}" around a long group) unroll into huge automata. Left to
 * PCRE2 alone, such a rule costs a scan of every body; a few dozen of them
 * cost more than the rest of the rule set together. This module rewrites
 * such a pattern into a superset that compiles in milliseconds:
 *
 *   - every byte >= 0x80 (a literal, an escape, a class member) becomes
 *     the class [\x80-\xff], so a class keeps its ASCII members and gains
 *     all high bytes; and for a rule in UTF-8 mode, where ".", "[^>]",
 *     "\W" or "\xe9" match one character of up to four bytes, such an
 *     atom may take up to three more high bytes;
 *   - alternatives that end up identical are merged, and an alternation
 *     whose branches are all "one byte of a set, then N to M high bytes"
 *     (the shape of the look-alike classes) becomes one class and one
 *     repeat;
 *   - a repeat bounded above 64 loses its upper bound, and a repeated
 *     group longer than 64 bytes becomes "*" or "+" (up to 4 copies of
 *     it are kept at the top level of the pattern);
 *   - look-arounds and end anchors are dropped, atomic groups become
 *     plain groups, lazy and possessive quantifiers plain ones.
 *
 * Each step only enlarges the set of matching strings, so the prefilter
 * never misses a mail the rule would hit; PCRE2 still confirms every
 * candidate with the original regex. The rewrite works on the text of
 * the regex, which no library offers for PCRE syntax; anything it does
 * not understand (conditionals, \Q...\E, extended mode) makes it give up,
 * and the rule stays with PCRE2 alone.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/spam_widen.h"
#include "util/ascii.h"
#include "util/buf.h"

/* Bounded repeats above this keep their lower bound only. */
#define WIDEN_MAX_REPEAT 64
/* The same for ms_spam_widen_loose. */
#define WIDEN_LOOSE_REPEAT 3
/* Repeated groups longer than this (in pattern bytes) become * or +. */
#define WIDEN_BIG_GROUP 64
/* Bounded repeats of big groups up to this many copies are kept at the
 * top level of a pattern: they make a prefilter far more selective
 * ("(field: ){3}"); nested inside other repeats they multiply the
 * compile time (tens of seconds for one rule) and become * or +. */
#define WIDEN_BIG_KEEP 4
/* A rule whose regex runs in UTF-8 mode reads one character of the
 * pattern (".", "[^>]", "\\xe9") as one to four bytes of the text: a
 * widened atom that may match a character beyond ASCII takes up to this
 * many more high bytes. In byte mode (most rules, as SpamAssassin
 * matches octets) an atom is one byte and takes none. */
#define UTF8_TAIL 3
/* Nesting depth of groups accepted. */
#define WIDEN_MAX_DEPTH 64

/* A node of the widened pattern: its text and, when it has the shape
 * "one byte of first, then tmin..tmax high bytes", that summary. */
typedef struct wnode {
    ms_buf text;
    bool simple;
    uint8_t first[32]; /* bit set of the possible first bytes */
    int tmin, tmax;
} wnode;

typedef struct widen_ctx {
    const char *p;
    size_t n;
    size_t i;
    int depth;
    int captures;    /* capturing groups met so far */
    int tail;        /* high bytes an atom may take after its first byte */
    long max_repeat; /* bounded repeats above this lose their bound */
    bool failed;
} widen_ctx;

static void node_init(wnode *w)
{
    memset(w, 0, sizeof(*w));
    ms_buf_init(&w->text, 0);
}

static void set_bit(uint8_t *set, unsigned c)
{
    set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool has_bit(const uint8_t *set, unsigned c)
{
    return set[c >> 3] & (1u << (c & 7));
}

/* True when every byte of set is >= 0x80. */
static bool only_high(const uint8_t *set)
{
    for (unsigned c = 0; c < 0x80; c++)
        if (has_bit(set, c))
            return false;
    return true;
}

/* Makes w the summary of the class [\x80-\xff]. */
static void set_high(wnode *w)
{
    memset(w->first, 0, sizeof(w->first));
    for (unsigned c = 0x80; c < 0x100; c++)
        set_bit(w->first, c);
    w->simple = true;
    w->tmin = w->tmax = 0;
}

/* Appends a byte as it may stand inside a class. */
static void class_byte(ms_buf *b, unsigned c)
{
    if (c >= 0x80 || c < 0x20 || strchr("]\\^-[", (int)c) != NULL) {
        ms_buf_printf(b, "\\x%02x", c);
        return;
    }
    ms_buf_append_char(b, (char)c);
}

/* Writes a class of the bytes of set, high bytes as one range. */
static void class_text(ms_buf *b, const uint8_t *set)
{
    ms_buf_append_char(b, '[');
    for (unsigned c = 0; c < 0x80; c++) {
        if (!has_bit(set, c))
            continue;
        unsigned e = c;
        while (e + 1 < 0x80 && has_bit(set, e + 1))
            e++;
        class_byte(b, c);
        if (e > c + 1)
            ms_buf_append_char(b, '-');
        if (e > c)
            class_byte(b, e);
        c = e;
    }
    bool high = false;
    for (unsigned c = 0x80; c < 0x100 && !high; c++)
        high = has_bit(set, c);
    if (high)
        ms_buf_append_str(b, "\\x80-\\xff");
    ms_buf_append_char(b, ']');
}

/* Writes the text of a simple node from its summary. */
static void simple_text(ms_buf *b, const wnode *w)
{
    bool wrap = w->tmax > 0;
    if (wrap)
        ms_buf_append_str(b, "(?:");
    class_text(b, w->first);
    if (w->tmax > 0)
        ms_buf_printf(b, "[\\x80-\\xff]{%d,%d}", w->tmin, w->tmax);
    if (wrap)
        ms_buf_append_char(b, ')');
}

/* Reads \xHH or \x{HHH} at ctx->i (on the 'x'); returns the value or
 * -1. */
static long read_hex_escape(widen_ctx *c)
{
    size_t i = c->i + 1;
    long v = 0;
    if (i < c->n && c->p[i] == '{') {
        i++;
        int digits = 0;
        while (i < c->n && ms_ascii_hex_value(c->p[i]) >= 0 && digits < 8) {
            v = v * 16 + ms_ascii_hex_value(c->p[i++]);
            digits++;
        }
        if (i >= c->n || c->p[i] != '}' || digits == 0)
            return -1;
        c->i = i + 1;
        return v;
    }
    int digits = 0;
    while (i < c->n && digits < 2 && ms_ascii_hex_value(c->p[i]) >= 0) {
        v = v * 16 + ms_ascii_hex_value(c->p[i++]);
        digits++;
    }
    c->i = i;
    return v;
}

/*
 * Reads one class member at c->i: a byte value in *v (or -1 for a
 * shorthand such as \d or [:alpha:], copied to text). Returns false on
 * malformed input.
 */
static bool class_member(widen_ctx *c, long *v, ms_buf *text)
{
    const char *p = c->p;
    if (p[c->i] == '[' && c->i + 1 < c->n && p[c->i + 1] == ':') {
        const char *end = strstr(p + c->i, ":]");
        if (end == NULL || (size_t)(end - p) >= c->n)
            return false;
        ms_buf_append(text, p + c->i, (size_t)(end - p) + 2 - c->i);
        c->i = (size_t)(end - p) + 2;
        *v = -1;
        return true;
    }
    if (p[c->i] != '\\') {
        *v = (unsigned char)p[c->i++];
        return true;
    }
    if (c->i + 1 >= c->n)
        return false;
    char e = p[c->i + 1];
    if (e == 'x') {
        c->i++;
        *v = read_hex_escape(c);
        return *v >= 0 && *v < 0x100;
    }
    if (strchr("dDwWsShHvVR", e) != NULL) {
        ms_buf_append(text, p + c->i, 2);
        c->i += 2;
        *v = -1;
        return true;
    }
    static const char named[] = "tnrfae";
    static const unsigned char values[] = {'\t', '\n', '\r', '\f', 7, 27};
    const char *k = strchr(named, e);
    c->i += 2;
    if (k != NULL && e != '\0') {
        *v = values[k - named];
        return true;
    }
    if (ms_ascii_is_alnum(e))
        return false; /* an escape not handled here: give up */
    *v = (unsigned char)e;
    return true;
}

/* True when shorthands copied from a class (\\W, \\S, ...) match
 * characters beyond ASCII. */
static bool shorthand_matches_high(const ms_buf *extra)
{
    for (size_t i = 0; i + 1 < extra->n; i++)
        if (extra->p[i] == '\\' && strchr("WSDHVN", extra->p[i + 1]) != NULL)
            return true;
    return extra->n > 0 && strstr(extra->p, "[:^") != NULL;
}

/* Parses a class at c->i (on '['): keeps its ASCII members and
 * shorthands, replaces any high byte by the whole high range. */
static void parse_class(widen_ctx *c, wnode *out)
{
    size_t start = c->i;
    c->i++;
    bool negated = c->i < c->n && c->p[c->i] == '^';
    if (negated)
        c->i++;
    uint8_t set[32] = {0};
    ms_buf extra; /* shorthands, copied as they are */
    ms_buf_init(&extra, 0);
    bool high = false, first = true;
    while (c->i < c->n && (c->p[c->i] != ']' || first)) {
        first = false;
        long lo;
        if (!class_member(c, &lo, &extra)) {
            c->failed = true;
            break;
        }
        long hi = lo;
        if (lo >= 0 && c->i + 1 < c->n && c->p[c->i] == '-' &&
            c->p[c->i + 1] != ']') {
            c->i++;
            if (!class_member(c, &hi, &extra) || hi < lo) {
                c->failed = true;
                break;
            }
        }
        if (lo < 0)
            continue;
        for (long v = lo; v <= hi; v++) {
            if (v >= 0x80)
                high = true;
            else
                set_bit(set, (unsigned)v);
        }
    }
    if (c->i >= c->n)
        c->failed = true;
    if (c->failed) {
        ms_buf_free(&extra);
        return;
    }
    c->i++; /* ']' */
    (void)start;
    if (high && !negated)
        for (unsigned v = 0x80; v < 0x100; v++)
            set_bit(set, v);
    if (!negated && extra.n == 0) {
        /* one byte of the set, then (for a character of two to four
         * bytes) up to three high bytes */
        memcpy(out->first, set, sizeof(set));
        out->simple = true;
        out->tmin = 0;
        out->tmax = high ? c->tail : 0;
        simple_text(&out->text, out);
        ms_buf_free(&extra);
        return;
    }
    /* negated, or with shorthands: written out, no summary; a negated
     * class names only its ASCII members (it matches every other
     * character, whatever its bytes) */
    bool wide =
        c->tail > 0 && (negated || high || shorthand_matches_high(&extra));
    ms_buf body;
    ms_buf_init(&body, 0);
    class_text(&body, set);
    bool empty = body.n <= 2 && extra.n == 0;
    if (wide)
        ms_buf_append_str(&out->text, "(?:");
    if (empty) {
        ms_buf_append_str(&out->text,
                          negated ? "[\\x00-\\xff]" : "[\\x80-\\xff]");
    } else {
        ms_buf_append_str(&out->text, negated ? "[^" : "[");
        if (body.n > 2)
            ms_buf_append(&out->text, body.p + 1, body.n - 2);
        ms_buf_append(&out->text, extra.p, extra.n);
        ms_buf_append_char(&out->text, ']');
    }
    if (wide)
        ms_buf_printf(&out->text, "[\\x80-\\xff]{0,%d})", c->tail);
    ms_buf_free(&body);
    ms_buf_free(&extra);
}

static void parse_alternation(widen_ctx *c, wnode *out);

/* Parses a group at c->i (on '('). Look-arounds and comments produce
 * no text (*empty is set). */
static void parse_group(widen_ctx *c, wnode *out, bool *empty)
{
    const char *p = c->p;
    size_t i = c->i + 1;
    const char *open = "(";
    bool drop = false, plain = false;
    if (i < c->n && p[i] == '?') {
        char k = i + 1 < c->n ? p[i + 1] : '\0';
        if (k == ':' || k == '>' || k == '|') {
            open = "(?:";
            plain = k != '|';
            i += 2;
        } else if (k == '=' || k == '!') {
            drop = true;
            i += 2;
        } else if (k == '<' && i + 2 < c->n &&
                   (p[i + 2] == '=' || p[i + 2] == '!')) {
            drop = true;
            i += 3;
        } else if (k == '#') {
            const char *end = memchr(p + i, ')', c->n - i);
            if (end == NULL) {
                c->failed = true;
                return;
            }
            c->i = (size_t)(end - p) + 1;
            *empty = true;
            return;
        } else if (k == '<' || k == 'P' || k == '\'') {
            /* a named group, kept with its name */
            size_t j = i + 1;
            if (k == 'P')
                j++;
            char close = k == '\'' ? '\'' : '>';
            while (j < c->n && p[j] != close)
                j++;
            if (j >= c->n) {
                c->failed = true;
                return;
            }
            ms_buf_append(&out->text, p + c->i, j + 1 - c->i);
            open = NULL;
            c->captures++;
            i = j + 1;
        } else {
            /* inline options, "(?i)" or "(?i:" */
            size_t j = i + 1;
            while (j < c->n && ((p[j] >= 'a' && p[j] <= 'z') || p[j] == '-'))
                j++;
            if (j >= c->n || (p[j] != ')' && p[j] != ':')) {
                c->failed = true; /* conditionals, recursion, verbs */
                return;
            }
            if (p[j] == ')') {
                ms_buf_append(&out->text, p + c->i, j + 1 - c->i);
                c->i = j + 1;
                return;
            }
            ms_buf_append(&out->text, p + c->i, j + 1 - c->i);
            open = NULL;
            i = j + 1;
        }
    }
    if (++c->depth > WIDEN_MAX_DEPTH) {
        c->failed = true;
        return;
    }
    if (!drop && open != NULL && strcmp(open, "(") == 0)
        c->captures++;
    int captures_before = c->captures;
    c->i = i;
    wnode inner;
    node_init(&inner);
    parse_alternation(c, &inner);
    c->depth--;
    if (c->failed || c->i >= c->n || p[c->i] != ')') {
        c->failed = true;
        ms_buf_free(&inner.text);
        return;
    }
    c->i++;
    if (drop && c->captures != captures_before) {
        /* a dropped look-around would take groups that back-references
         * may count on */
        c->failed = true;
    } else if (drop) {
        *empty = true;
    } else if (plain && inner.simple) {
        memcpy(out->first, inner.first, sizeof(out->first));
        out->simple = true;
        out->tmin = inner.tmin;
        out->tmax = inner.tmax;
        simple_text(&out->text, out);
    } else {
        if (open)
            ms_buf_append_str(&out->text, open);
        ms_buf_append(&out->text, inner.text.p, inner.text.n);
        ms_buf_append_char(&out->text, ')');
    }
    ms_buf_free(&inner.text);
}

/* Parses an escape outside a class at c->i (on '\'). */
static void parse_escape(widen_ctx *c, wnode *out)
{
    const char *p = c->p;
    if (c->i + 1 >= c->n) {
        c->failed = true;
        return;
    }
    char e = p[c->i + 1];
    if (e == 'Q' || e == 'E' || e == 'c' || e == 'N' || e == 'p' || e == 'P' ||
        e == 'X' || e == 'C' || e == 'K' || e == 'o') {
        c->failed = true;
        return;
    }
    if (e == 'x') {
        c->i++;
        long v = read_hex_escape(c);
        if (v < 0 || v > 0x10ffff) {
            c->failed = true;
            return;
        }
        if (v >= 0x80) {
            set_high(out);
            out->tmax = c->tail;
            simple_text(&out->text, out);
            return;
        }
        memset(out->first, 0, sizeof(out->first));
        set_bit(out->first, (unsigned)v);
        out->simple = true;
        ms_buf_printf(&out->text, "\\x%02lx", v);
        return;
    }
    if (e == 'k' || e == 'g') {
        /* a named or relative back-reference: copied with its name */
        size_t j = c->i + 2;
        if (j < c->n && strchr("<{'", p[j]) != NULL) {
            char close = p[j] == '<' ? '>' : p[j] == '{' ? '}' : '\'';
            while (j < c->n && p[j] != close)
                j++;
            if (j >= c->n) {
                c->failed = true;
                return;
            }
            j++;
        } else {
            while (j < c->n && (p[j] == '-' || ms_ascii_is_digit(p[j])))
                j++;
        }
        ms_buf_append(&out->text, p + c->i, j - c->i);
        c->i = j;
        return;
    }
    if (ms_ascii_is_digit(e)) {
        /* a back-reference or an octal escape: copied whole */
        size_t j = c->i + 1;
        while (j < c->n && ms_ascii_is_digit(p[j]))
            j++;
        ms_buf_append(&out->text, p + c->i, j - c->i);
        c->i = j;
        return;
    }
    if (strchr("WSDHVN", e) != NULL && c->tail > 0) {
        ms_buf_printf(&out->text, "(?:\\%c[\\x80-\\xff]{0,%d})", e, c->tail);
        c->i += 2;
        return;
    }
    ms_buf_append(&out->text, p + c->i, 2);
    c->i += 2;
    bool literal = !ms_ascii_is_alnum(e);
    if (literal && (unsigned char)e < 0x80) {
        memset(out->first, 0, sizeof(out->first));
        set_bit(out->first, (unsigned char)e);
        out->simple = true;
    }
}

/* Reads a quantifier at c->i into lo/hi (hi -1: unbounded); returns
 * false when there is none. A trailing lazy or possessive mark is
 * skipped. */
static bool parse_quantifier(widen_ctx *c, long *lo, long *hi)
{
    const char *p = c->p;
    size_t i = c->i;
    if (i >= c->n)
        return false;
    if (p[i] == '*' || p[i] == '+' || p[i] == '?') {
        *lo = p[i] == '+' ? 1 : 0;
        *hi = p[i] == '?' ? 1 : -1;
        i++;
    } else if (p[i] == '{') {
        size_t j = i + 1;
        long a = 0, b;
        bool digits = false;
        while (j < c->n && ms_ascii_is_digit(p[j]) && a < 100000) {
            a = a * 10 + (p[j++] - '0');
            digits = true;
        }
        if (!digits)
            return false; /* a literal '{' */
        b = a;
        if (j < c->n && p[j] == ',') {
            j++;
            if (j < c->n && ms_ascii_is_digit(p[j])) {
                b = 0;
                while (j < c->n && ms_ascii_is_digit(p[j]) && b < 100000)
                    b = b * 10 + (p[j++] - '0');
            } else {
                b = -1;
            }
        }
        if (j >= c->n || p[j] != '}')
            return false;
        *lo = a;
        *hi = b;
        i = j + 1;
    } else {
        return false;
    }
    if (i < c->n && (p[i] == '?' || p[i] == '+'))
        i++;
    c->i = i;
    return true;
}

/* Applies a quantifier to an atom, widening it as the header says. */
static void apply_quantifier(wnode *atom, long lo, long hi, int depth,
                             long max_repeat)
{
    bool keep = depth == 0 && hi >= 0 && hi <= WIDEN_BIG_KEEP;
    bool big = atom->text.n > WIDEN_BIG_GROUP && (hi < 0 || hi > 1) && !keep;
    bool was_simple = atom->simple && only_high(atom->first) && lo >= 1 &&
                      hi >= 0 && !big && hi <= max_repeat;
    char q[48];
    if (big)
        snprintf(q, sizeof(q), "%s", lo >= 1 ? "+" : "*");
    else if (hi < 0 || hi > max_repeat)
        snprintf(q, sizeof(q), "{%ld,}", lo > max_repeat ? max_repeat : lo);
    else
        snprintf(q, sizeof(q), "{%ld,%ld}", lo, hi);
    if (was_simple) {
        /* n to m copies of high bytes: still "one byte, then high
         * bytes" */
        int len_min = (int)lo * (1 + atom->tmin);
        int len_max = (int)hi * (1 + atom->tmax);
        atom->tmin = len_min - 1;
        atom->tmax = len_max - 1;
        ms_buf_clear(&atom->text);
        simple_text(&atom->text, atom);
        return;
    }
    atom->simple = false;
    if (atom->text.n == 0)
        return; /* nothing to repeat */
    ms_buf wrapped;
    ms_buf_init(&wrapped, 0);
    ms_buf_append_str(&wrapped, "(?:");
    ms_buf_append(&wrapped, atom->text.p, atom->text.n);
    ms_buf_append_char(&wrapped, ')');
    ms_buf_append_str(&wrapped, q);
    ms_buf_free(&atom->text);
    atom->text = wrapped;
}

/* Parses a sequence of atoms up to '|', ')' or the end. */
static void parse_sequence(widen_ctx *c, wnode *out)
{
    const char *p = c->p;
    bool first_atom = true;
    out->simple = true;
    out->tmin = out->tmax = 0;
    memset(out->first, 0, sizeof(out->first));
    bool any = false;
    while (!c->failed && c->i < c->n && p[c->i] != '|' && p[c->i] != ')') {
        wnode atom;
        node_init(&atom);
        bool empty = false;
        unsigned char ch = (unsigned char)p[c->i];
        if (ch == '$' || (ch == '\\' && c->i + 1 < c->n &&
                          (p[c->i + 1] == 'z' || p[c->i + 1] == 'Z'))) {
            /* end anchors are dropped: Debian 12's Vectorscan misses some
             * matches of end-anchored patterns on longer texts ("^x[^y]+y$"
             * on a line of 80 bytes), and without them a prefilter can only
             * match more */
            c->i += ch == '$' ? 1 : 2;
            empty = true;
        } else if (ch == '(') {
            parse_group(c, &atom, &empty);
        } else if (ch == '[') {
            parse_class(c, &atom);
        } else if (ch == '\\') {
            parse_escape(c, &atom);
        } else if (ch >= 0x80) {
            set_high(&atom);
            ms_buf_append_str(&atom.text, "[\\x80-\\xff]");
            c->i++;
        } else if (ch == '*' || ch == '+' || ch == '?') {
            c->failed = true; /* a quantifier with nothing to repeat */
        } else if (ch == '.' && c->tail > 0) {
            ms_buf_printf(&atom.text, "(?:.[\\x80-\\xff]{0,%d})", c->tail);
            c->i++;
        } else if (ch == '.') {
            ms_buf_append_char(&atom.text, '.');
            c->i++;
        } else {
            /* a brace that starts no quantifier is a literal; escaped, so
             * that dropping what follows cannot make it one */
            if (ch == '{' || ch == '}')
                ms_buf_append_char(&atom.text, '\\');
            ms_buf_append_char(&atom.text, (char)ch);
            c->i++;
            if (ch != '^' && ch != '$') {
                set_bit(atom.first, ch);
                atom.simple = true;
            }
        }
        long lo, hi;
        if (!c->failed && parse_quantifier(c, &lo, &hi)) {
            if (empty)
                ms_buf_append_str(&atom.text, "(?:)");
            apply_quantifier(&atom, lo, hi, c->depth, c->max_repeat);
            empty = false;
        }
        if (c->failed || empty) {
            ms_buf_free(&atom.text);
            continue;
        }
        /* the sequence stays simple while what follows its first atom is
         * high bytes only */
        if (!atom.simple) {
            out->simple = false;
        } else if (first_atom) {
            memcpy(out->first, atom.first, sizeof(out->first));
            out->tmin = atom.tmin;
            out->tmax = atom.tmax;
        } else if (only_high(atom.first)) {
            out->tmin += 1 + atom.tmin;
            out->tmax += 1 + atom.tmax;
        } else {
            out->simple = false;
        }
        first_atom = false;
        any = true;
        ms_buf_append(&out->text, atom.text.p, atom.text.n);
        ms_buf_free(&atom.text);
    }
    if (!any)
        out->simple = false;
    if (out->tmax > WIDEN_MAX_REPEAT)
        out->simple = false;
}

/* Parses alternatives separated by '|' up to ')' or the end: identical
 * ones are merged, and all-simple ones collapse into one class and a
 * repeat of high bytes. */
static void parse_alternation(widen_ctx *c, wnode *out)
{
    wnode *alts = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            wnode *grown = realloc(alts, ncap * sizeof(*alts));
            if (grown == NULL) {
                c->failed = true;
                break;
            }
            alts = grown;
            cap = ncap;
        }
        wnode *a = &alts[n];
        node_init(a);
        parse_sequence(c, a);
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = alts[k].text.n == a->text.n &&
                  (a->text.n == 0 ||
                   memcmp(alts[k].text.p, a->text.p, a->text.n) == 0);
        if (dup)
            ms_buf_free(&a->text);
        else
            n++;
        if (c->failed || c->i >= c->n || c->p[c->i] != '|')
            break;
        c->i++;
    }
    bool simple = n > 0 && !c->failed;
    for (size_t k = 0; k < n && simple; k++)
        simple = alts[k].simple;
    if (simple) {
        memset(out->first, 0, sizeof(out->first));
        out->tmin = alts[0].tmin;
        out->tmax = alts[0].tmax;
        for (size_t k = 0; k < n; k++) {
            for (size_t b = 0; b < sizeof(out->first); b++)
                out->first[b] |= alts[k].first[b];
            if (alts[k].tmin < out->tmin)
                out->tmin = alts[k].tmin;
            if (alts[k].tmax > out->tmax)
                out->tmax = alts[k].tmax;
        }
        out->simple = true;
        simple_text(&out->text, out);
    } else {
        out->simple = false;
        for (size_t k = 0; k < n; k++) {
            if (k > 0)
                ms_buf_append_char(&out->text, '|');
            ms_buf_append(&out->text, alts[k].text.p, alts[k].text.n);
        }
    }
    for (size_t k = 0; k < n; k++)
        ms_buf_free(&alts[k].text);
    free(alts);
}

/* Returns the widened form of pattern; see spam_widen.h. */
static char *widen(const char *pattern, bool utf, long max_repeat)
{
    widen_ctx c = {pattern, strlen(pattern),     0,          0,
                   0,       utf ? UTF8_TAIL : 0, max_repeat, false};
    wnode top;
    node_init(&top);
    parse_alternation(&c, &top);
    if (c.failed || c.i != c.n || top.text.n == 0) {
        ms_buf_free(&top.text);
        return NULL;
    }
    char *out = malloc(top.text.n + 1);
    if (out != NULL) {
        memcpy(out, top.text.p, top.text.n);
        out[top.text.n] = '\0';
    }
    ms_buf_free(&top.text);
    return out;
}

/* Skips a class "[...]" at c->i. */
static void skip_class(widen_ctx *c)
{
    size_t i = c->i + 1;
    if (i < c->n && c->p[i] == '^')
        i++;
    if (i < c->n && c->p[i] == ']')
        i++;
    while (i < c->n && c->p[i] != ']')
        i += c->p[i] == '\\' ? 2 : 1;
    c->i = i < c->n ? i + 1 : c->n;
}

char *ms_spam_widen(const char *pattern, bool utf)
{
    return widen(pattern, utf, WIDEN_MAX_REPEAT);
}

char *ms_spam_widen_loose(const char *pattern, bool utf)
{
    return widen(pattern, utf, WIDEN_LOOSE_REPEAT);
}

/* Returns the index just past the group that opens at p[i] ('('), or 0
 * when it does not close. */
static size_t group_end(const char *p, size_t n, size_t i)
{
    int depth = 0;
    while (i < n) {
        if (p[i] == '\\') {
            i += 2;
            continue;
        }
        if (p[i] == '[') {
            widen_ctx c = {p, n, i, 0, 0, 0, 0, false};
            skip_class(&c);
            i = c.i;
            continue;
        }
        if (p[i] == '(')
            depth++;
        else if (p[i] == ')' && --depth == 0)
            return i + 1;
        i++;
    }
    return 0;
}

bool ms_spam_repeat_unit(const char *pattern, size_t *start, size_t *len,
                         long *times)
{
    size_t n = strlen(pattern);
    if (n < 4 || strncmp(pattern, "(?:", 3) != 0)
        return false;
    size_t end = group_end(pattern, n, 0);
    if (end == 0 || end >= n)
        return false;
    widen_ctx c = {pattern, n, end, 0, 0, 0, 0, false};
    long lo = 0, hi = 0;
    if (pattern[end] != '{' || !parse_quantifier(&c, &lo, &hi) || c.i != n ||
        lo < 2)
        return false;
    *start = 3;
    *len = end - 1 - 3;
    *times = lo;
    return true;
}
