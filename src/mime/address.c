/* SPDX-License-Identifier: MIT */
/*
 * The address-list parser. It splits the list on commas outside quoted
 * strings, comments and angle brackets, steps over group syntax
 * ("team: a@x, b@y;"), and reads each entry as a display name plus an
 * address. Tolerated, because clients tolerate them: missing angle
 * brackets ("John Doe john@x"), a comment as the name ("john@x (John)"),
 * obsolete routes ("<@relay:john@x>"), unbalanced quotes or brackets.
 *
 * The spoofing form `"ceo@bank.com" <attacker@evil.net>`, where the
 * display name is itself an address, keeps the bracketed address as the
 * address and is noted: clients that show only the name show the fake
 * address, and phishing detection reads the defect.
 */
#include <string.h>

#include "mime/address.h"
#include "util/ascii.h"
#include "util/vec.h"

/* Returns the index after a quoted string starting at p[i] == '"'. */
static size_t skip_quoted(const char *p, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n)
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return n;
}

/* Returns the index after a comment starting at p[i] == '('. */
static size_t skip_comment(const char *p, size_t n, size_t i)
{
    int depth = 0;
    for (; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n)
            i++;
        else if (p[i] == '(')
            depth++;
        else if (p[i] == ')' && --depth == 0)
            return i + 1;
    }
    return n;
}

/* Copies s into the arena without quotes and comments, resolving
 * backslash escapes and collapsing white space runs. The text of the
 * first comment goes to *comment when comment is not NULL. */
static char *unquote(ms_arena *a, ms_slice s, ms_slice *comment)
{
    char *dst = ms_arena_alloc(a, s.n + 1);
    if (dst == NULL)
        return NULL;
    size_t o = 0;
    bool in_quote = false, space = false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (c == '\\' && i + 1 < s.n) {
            dst[o++] = s.p[++i];
            space = false;
            continue;
        }
        if (c == '"') {
            in_quote = !in_quote;
            continue;
        }
        if (!in_quote && c == '(') {
            size_t end = skip_comment(s.p, s.n, i);
            if (comment && comment->n == 0 && end - i >= 2)
                *comment = ms_slice_trim((ms_slice){s.p + i + 1, end - i - 2});
            i = end - 1;
            continue;
        }
        if (ms_ascii_is_space(c)) {
            if (o > 0 && !space)
                dst[o++] = ' ';
            space = true;
            continue;
        }
        dst[o++] = c;
        space = false;
    }
    while (o > 0 && dst[o - 1] == ' ')
        o--;
    dst[o] = '\0';
    return dst;
}

/* Removes the white space left inside an address: the obsolete syntax
 * allows folding white space around '@' and dots ("john @ example.com"),
 * and clients join the pieces. */
static void remove_spaces(char *z)
{
    char *o = z;
    for (; *z; z++) {
        if (*z != ' ')
            *o++ = *z;
    }
    *o = '\0';
}

/* Returns the lower-case domain after the last '@' of an address. */
static char *domain_of(ms_arena *a, const char *addr)
{
    const char *at = strrchr(addr, '@');
    if (at == NULL)
        return ms_arena_strndup(a, "", 0);
    at++;
    size_t n = strlen(at);
    while (n > 0 && (at[n - 1] == '.' || at[n - 1] == '>'))
        n--;
    char *d = ms_arena_alloc(a, n + 1);
    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        d[i] = ms_ascii_lower(at[i]);
    d[n] = '\0';
    return d;
}

/* True when a display name is itself an e-mail address. */
static bool looks_like_address(const char *z)
{
    const char *at = strchr(z, '@');
    if (at == NULL || at == z || strchr(at + 1, '.') == NULL)
        return false;
    return strchr(z, ' ') == NULL;
}

/* Reads one entry of the list into addr. Returns false when the entry is
 * empty. */
static bool read_entry(ms_arena *a, ms_message *m, const char *path, ms_slice e,
                       ms_address *addr, ms_status *rc)
{
    e = ms_slice_trim(e);
    if (e.n == 0)
        return false;
    /* the last angle bracket outside quotes and comments */
    size_t lt = (size_t)-1, gt = (size_t)-1;
    for (size_t i = 0; i < e.n; i++) {
        if (e.p[i] == '"') {
            i = skip_quoted(e.p, e.n, i) - 1;
        } else if (e.p[i] == '(') {
            i = skip_comment(e.p, e.n, i) - 1;
        } else if (e.p[i] == '<') {
            lt = i;
            gt = (size_t)-1;
        } else if (e.p[i] == '>' && lt != (size_t)-1 && gt == (size_t)-1) {
            gt = i;
        }
    }
    ms_slice name = MS_SLICE_EMPTY, spec;
    ms_slice comment = MS_SLICE_EMPTY;
    if (lt != (size_t)-1) {
        name = (ms_slice){e.p, lt};
        size_t end = gt != (size_t)-1 ? gt : e.n;
        spec = (ms_slice){e.p + lt + 1, end - lt - 1};
        if (gt == (size_t)-1)
            ms_message_add_defect(m, "InvalidAddressDefect", path,
                                  "unclosed angle bracket");
        /* doubled brackets "<<a@b>>" */
        while (spec.n > 0 && spec.p[0] == '<') {
            spec.p++;
            spec.n--;
        }
        /* obsolete route "@relay1,@relay2:" before the address */
        spec = ms_slice_trim(spec);
        if (spec.n > 0 && spec.p[0] == '@') {
            const char *colon = memchr(spec.p, ':', spec.n);
            if (colon) {
                spec.n -= (size_t)(colon + 1 - spec.p);
                spec.p = colon + 1;
            }
        }
    } else {
        /* no brackets: the word with an '@' is the address, the rest
         * is the name ("John Doe john@x") or a comment is ("john@x (J)") */
        size_t at_word = (size_t)-1, word_start = 0;
        for (size_t i = 0; i <= e.n; i++) {
            if (i < e.n && e.p[i] == '"') {
                i = skip_quoted(e.p, e.n, i) - 1;
                continue;
            }
            if (i < e.n && e.p[i] == '(') {
                i = skip_comment(e.p, e.n, i) - 1;
                continue;
            }
            if (i == e.n || ms_ascii_is_space(e.p[i])) {
                if (at_word == (size_t)-1 &&
                    memchr(e.p + word_start, '@', i - word_start) != NULL)
                    at_word = word_start;
                word_start = i + 1;
            }
        }
        if (at_word == (size_t)-1 || at_word == 0) {
            spec = e;
        } else {
            size_t end = at_word;
            while (end < e.n && !ms_ascii_is_space(e.p[end]) && e.p[end] != '(')
                end++;
            name = (ms_slice){e.p, at_word};
            spec = (ms_slice){e.p + at_word, end - at_word};
            ms_message_add_defect(m, "InvalidAddressDefect", path,
                                  "address without angle brackets after a "
                                  "name");
        }
    }
    char *address = unquote(a, spec, &comment);
    if (address != NULL && strchr(address, '@') != NULL)
        remove_spaces(address);
    char *display = unquote(a, name, name.n ? NULL : &comment);
    if (address == NULL || display == NULL) {
        *rc = MS_ENOMEM;
        return false;
    }
    if (display[0] == '\0' && comment.n > 0) {
        display = unquote(a, comment, NULL);
        if (display == NULL) {
            *rc = MS_ENOMEM;
            return false;
        }
    }
    const char *at = strrchr(address, '@');
    if (address[0] != '\0' && at == NULL)
        ms_message_add_defect(m, "InvalidAddressDefect", path,
                              "no @ in '%.60s'", address);
    else if (at == address || (at && at[1] == '\0'))
        ms_message_add_defect(m, "InvalidAddressDefect", path,
                              "empty local part or domain in '%.60s'", address);
    if (display[0] != '\0' && lt != (size_t)-1 && looks_like_address(display) &&
        strcmp(display, address) != 0)
        ms_message_add_defect(m, "DisplayNameAddressDefect", path, "%.100s",
                              display);
    addr->name = display;
    addr->address = address;
    addr->domain = domain_of(a, address);
    if (addr->domain == NULL) {
        *rc = MS_ENOMEM;
        return false;
    }
    return address[0] != '\0' || display[0] != '\0';
}

/*
 * Joins a display name that an unquoted comma split from its address:
 * "Microsoft account team, <no-reply@evil.example>" is two entries by the
 * RFC, a name without an address and an address, but mail clients show
 * the name, and phishing uses the form so that the brand is what the
 * victim reads. An entry with no '@' and no name, followed by an entry
 * with an address, becomes that entry's display name.
 */
static ms_status join_split_names(ms_arena *a, ms_message *m, const char *path,
                                  ms_address *items, size_t *count)
{
    size_t o = 0;
    for (size_t i = 0; i < *count; i++) {
        ms_address *cur = &items[i];
        if (i + 1 < *count && cur->name[0] == '\0' && cur->address[0] != '\0' &&
            strchr(cur->address, '@') == NULL &&
            strchr(items[i + 1].address, '@') != NULL) {
            ms_address *next = &items[i + 1];
            size_t n1 = strlen(cur->address), n2 = strlen(next->name);
            char *joined = ms_arena_alloc(a, n1 + n2 + 3);
            if (joined == NULL)
                return MS_ENOMEM;
            memcpy(joined, cur->address, n1);
            size_t k = n1;
            if (n2 > 0) {
                joined[k++] = ',';
                joined[k++] = ' ';
                memcpy(joined + k, next->name, n2);
                k += n2;
            }
            joined[k] = '\0';
            next->name = joined;
            ms_message_add_defect(m, "InvalidAddressDefect", path,
                                  "display name '%.60s' split from its "
                                  "address by a comma",
                                  cur->address);
            continue;
        }
        items[o++] = *cur;
    }
    *count = o;
    return MS_OK;
}

/* Copies s into the arena with its white space runs as single spaces
 * and none at either end (what unquote does to text without quotes,
 * comments or escapes). */
static char *copy_collapsed(ms_arena *a, ms_slice s)
{
    char *dst = ms_arena_alloc(a, s.n + 1);
    if (dst == NULL)
        return NULL;
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < s.n; i++) {
        if (ms_ascii_is_space(s.p[i])) {
            space = o > 0;
            continue;
        }
        if (space)
            dst[o++] = ' ';
        space = false;
        dst[o++] = s.p[i];
    }
    dst[o] = '\0';
    return dst;
}

/* Reads one entry of a simple list (see parse_simple_list) into addr:
 * "Name <local@domain>" or a lone "local@domain". Returns false when the
 * entry is not of those forms or would raise a defect. */
static bool read_simple_entry(ms_arena *a, ms_slice e, ms_address *addr,
                              ms_status *rc)
{
    const char *lt = memchr(e.p, '<', e.n);
    ms_slice name = MS_SLICE_EMPTY, spec = e;
    if (lt != NULL) {
        size_t at_lt = (size_t)(lt - e.p);
        const char *gt = memchr(lt, '>', e.n - at_lt);
        /* one bracket pair, closed at the end of the entry */
        if (gt == NULL || gt != e.p + e.n - 1 ||
            memchr(lt + 1, '<', (size_t)(gt - lt - 1)) != NULL)
            return false;
        name = (ms_slice){e.p, at_lt};
        spec = ms_slice_trim((ms_slice){lt + 1, (size_t)(gt - lt - 1)});
        if (spec.n == 0 || spec.p[0] == '@')
            return false;
    } else {
        for (size_t i = 0; i < e.n; i++) {
            if (ms_ascii_is_space(e.p[i]) || e.p[i] == '>')
                return false;
        }
    }
    /* the address without its white space, as unquote and remove_spaces
     * leave it; an '@' neither first nor last */
    char *address = ms_arena_alloc(a, spec.n + 1);
    if (address == NULL) {
        *rc = MS_ENOMEM;
        return false;
    }
    size_t o = 0;
    for (size_t i = 0; i < spec.n; i++) {
        if (!ms_ascii_is_space(spec.p[i]))
            address[o++] = spec.p[i];
    }
    address[o] = '\0';
    const char *at = strrchr(address, '@');
    if (at == NULL || at == address || at[1] == '\0')
        return false;
    char *display = copy_collapsed(a, name);
    if (display == NULL) {
        *rc = MS_ENOMEM;
        return false;
    }
    /* a name that may be an address itself takes the full reader */
    if (strchr(display, '@') != NULL)
        return false;
    addr->name = display;
    addr->address = address;
    addr->domain = domain_of(a, address);
    if (addr->domain == NULL) {
        *rc = MS_ENOMEM;
        return false;
    }
    return true;
}

/*
 * Reads the lists most mail has, "Name <a@b.example>, c@d.example", in
 * one pass: no quotes, comments, escapes, groups, NUL bytes or stray
 * brackets, and every entry of the two simple forms with an '@' that
 * raises no defect. Returns false for anything else, and the full reader
 * below takes the list (the arena may then hold a few unused bytes).
 */
static bool parse_simple_list(ms_arena *a, const char *in, size_t n, size_t max,
                              ms_address **out, size_t *n_out, ms_status *rc)
{
    size_t entries = 1;
    bool in_angle = false;
    for (size_t i = 0; i < n; i++) {
        switch (in[i]) {
        case '"':
        case '(':
        case '\\':
        case ':':
        case '\0':
            return false;
        case '<':
            if (in_angle)
                return false;
            in_angle = true;
            break;
        case '>':
            if (!in_angle)
                return false;
            in_angle = false;
            break;
        case ',':
        case ';':
            if (in_angle)
                return false;
            entries++;
            break;
        default:
            break;
        }
    }
    if (in_angle || (max && entries > max))
        return false;
    ms_address *items = NULL;
    size_t count = 0, cap = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && in[i] != ',' && in[i] != ';')
            continue;
        ms_slice e = ms_slice_trim((ms_slice){in + start, i - start});
        start = i + 1;
        if (e.n == 0)
            continue;
        ms_address addr;
        if (!read_simple_entry(a, e, &addr, rc))
            return false;
        *rc = MS_VEC_GROW(a, items, count, cap, 0);
        if (*rc != MS_OK)
            return false;
        items[count++] = addr;
    }
    *out = items;
    *n_out = count;
    return true;
}

/* Parses an address-list value; see address.h. */
ms_status ms_address_list_parse(ms_arena *a, ms_message *m, const char *path,
                                const char *in, size_t n, size_t max,
                                ms_address **out, size_t *n_out)
{
    ms_address *items = NULL;
    size_t count = 0, cap = 0;
    ms_status rc = MS_OK;
    if (parse_simple_list(a, in, n, max, &items, &count, &rc)) {
        *out = items;
        *n_out = count;
        return MS_OK;
    }
    if (rc != MS_OK) {
        *out = NULL;
        *n_out = 0;
        return rc;
    }
    items = NULL;
    count = 0;
    size_t start = 0;
    bool in_angle = false;
    for (size_t i = 0; i <= n && rc == MS_OK; i++) {
        if (i < n) {
            char c = in[i];
            if (c == '"') {
                i = skip_quoted(in, n, i) - 1;
                continue;
            }
            if (c == '(') {
                i = skip_comment(in, n, i) - 1;
                continue;
            }
            if (c == '<')
                in_angle = true;
            else if (c == '>')
                in_angle = false;
            if (in_angle)
                continue;
            if (c == ':') {
                /* a group name ends here unless an address came first */
                bool plain = true;
                for (size_t k = start; k < i && plain; k++)
                    plain = in[k] != '@' && in[k] != '<';
                if (plain) {
                    start = i + 1;
                    continue;
                }
            }
            if (c != ',' && c != ';')
                continue;
        }
        ms_address addr;
        if (read_entry(a, m, path, (ms_slice){in + start, i - start}, &addr,
                       &rc)) {
            if (max && count >= max) {
                ms_message_add_defect(m, "limit_addresses", path,
                                      "more than %zu addresses", max);
                break;
            }
            rc = MS_VEC_GROW(a, items, count, cap, 0);
            if (rc == MS_OK)
                items[count++] = addr;
        }
        start = i + 1;
        in_angle = false;
    }
    if (rc == MS_OK)
        rc = join_split_names(a, m, path, items, &count);
    *out = items;
    *n_out = count;
    return rc;
}
