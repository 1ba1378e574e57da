/* SPDX-License-Identifier: MIT */
/*
 * SpamAssassin's ReplaceTags: rule sets write obfuscation-proof regexes
 * with tags ("/<V><I><A><G><R><A>/" where each tag is a class of look-alike
 * characters) and name those rules in replace_rules. The tags are
 * expanded once the whole set is loaded (tags may be defined after the
 * rules that use them), then the rules are compiled again:
 *
 *   replace_start / replace_end   the tag delimiters, "<" and ">"
 *   replace_tag NAME VALUE        <NAME> becomes VALUE (which may hold
 *                                 other tags)
 *   replace_pre/inter/post NAME V  a rule that holds <pre NAME>,
 *                                 <inter NAME> or <post NAME> gets V
 *                                 before each tag, between two adjacent
 *                                 tags, or after each tag
 *
 * SpamAssassin's own sets use it for hundreds of rules (the money, drug
 * and obfuscation rules); without it those rules never match.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/spam_internal.h"
#include "util/buf.h"

/* Expansion depth of tags inside tags. */
#define MAX_TAG_DEPTH 8

/* One named value. */
typedef struct named {
    char *name;
    char *value;
} named;

/* A list of named values. */
typedef struct named_list {
    named *items;
    size_t n, cap;
} named_list;

struct spam_replace {
    char start[16], end[16];
    named_list tags, pres, inters, posts;
    char **rules; /* names listed by replace_rules */
    size_t n_rules, cap_rules;
};

static void free_list(named_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name);
        free(l->items[i].value);
    }
    free(l->items);
}

/* Frees the settings; see spam_internal.h. */
void ms_spam_replace_free(struct spam_replace *r)
{
    if (r == NULL)
        return;
    free_list(&r->tags);
    free_list(&r->pres);
    free_list(&r->inters);
    free_list(&r->posts);
    for (size_t i = 0; i < r->n_rules; i++)
        free(r->rules[i]);
    free(r->rules);
    free(r);
}

/* Cuts the next white-space separated word off *s. */
static char *word(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '\n')
        return NULL;
    char *w = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n')
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return w;
}

/* The rest of the line, without surrounding white space. */
static char *rest_of_line(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
                     s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Sets name to value in the list (a later line wins). */
static ms_status list_set(named_list *l, const char *name, const char *value)
{
    char *v = strdup(value);
    if (v == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].name, name) == 0) {
            free(l->items[i].value);
            l->items[i].value = v;
            return MS_OK;
        }
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        named *items = realloc(l->items, cap * sizeof(*items));
        if (items == NULL) {
            free(v);
            return MS_ENOMEM;
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n].name = strdup(name);
    if (l->items[l->n].name == NULL) {
        free(v);
        return MS_ENOMEM;
    }
    l->items[l->n++].value = v;
    return MS_OK;
}

static const char *list_get(const named_list *l, const char *name, size_t n)
{
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->items[i].name) == n &&
            memcmp(l->items[i].name, name, n) == 0)
            return l->items[i].value;
    return NULL;
}

/* Takes a ReplaceTags directive; see spam_internal.h. */
ms_status ms_spam_replace_directive(ms_spam_rules *rules, const char *key,
                                    char *rest, bool *handled)
{
    *handled = strncmp(key, "replace_", 8) == 0;
    if (!*handled)
        return MS_OK;
    struct spam_replace *r = rules->replace;
    if (r == NULL) {
        r = rules->replace = calloc(1, sizeof(*r));
        if (r == NULL)
            return MS_ENOMEM;
        strcpy(r->start, "<");
        strcpy(r->end, ">");
    }
    const char *what = key + 8;
    if (strcmp(what, "start") == 0 || strcmp(what, "end") == 0) {
        char *v = word(&rest);
        if (v && strlen(v) < sizeof(r->start))
            strcpy(what[0] == 's' ? r->start : r->end, v);
        return MS_OK;
    }
    if (strcmp(what, "rules") == 0) {
        for (char *name = word(&rest); name; name = word(&rest)) {
            if (r->n_rules == r->cap_rules) {
                size_t cap = r->cap_rules ? 2 * r->cap_rules : 64;
                char **items = realloc(r->rules, cap * sizeof(*items));
                if (items == NULL)
                    return MS_ENOMEM;
                r->rules = items;
                r->cap_rules = cap;
            }
            r->rules[r->n_rules] = strdup(name);
            if (r->rules[r->n_rules] == NULL)
                return MS_ENOMEM;
            r->n_rules++;
        }
        return MS_OK;
    }
    named_list *l = strcmp(what, "tag") == 0     ? &r->tags
                    : strcmp(what, "pre") == 0   ? &r->pres
                    : strcmp(what, "inter") == 0 ? &r->inters
                    : strcmp(what, "post") == 0  ? &r->posts
                                                 : NULL;
    if (l == NULL)
        return MS_OK; /* an unknown replace_ setting: ignored */
    char *name = word(&rest);
    if (name == NULL)
        return MS_OK;
    return list_set(l, name, rest_of_line(rest));
}

/* Finds the next tag "<NAME>" (start/end delimiters) at or after p whose
 * name is made of letters, digits, '_' and spaces; sets *name, *name_n
 * and returns the tag's start, or NULL. */
static const char *next_tag(const struct spam_replace *r, const char *p,
                            const char **name, size_t *name_n)
{
    size_t sn = strlen(r->start), en = strlen(r->end);
    for (const char *s = strstr(p, r->start); s; s = strstr(s + 1, r->start)) {
        const char *n = s + sn, *q = n;
        while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
               (*q >= '0' && *q <= '9') || *q == '_' || *q == ' ')
            q++;
        if (q > n && strncmp(q, r->end, en) == 0) {
            *name = n;
            *name_n = (size_t)(q - n);
            return s;
        }
    }
    return NULL;
}

/* Appends text with its tags expanded: each known tag becomes pre +
 * value + post, with inter between two adjacent tags. */
static ms_status expand(const struct spam_replace *r, const char *text,
                        const char *pre, const char *inter, const char *post,
                        int depth, ms_buf *out)
{
    size_t en = strlen(r->end);
    const char *p = text;
    bool after_tag = false;
    for (;;) {
        const char *name;
        size_t name_n;
        const char *t = next_tag(r, p, &name, &name_n);
        const char *value = t ? list_get(&r->tags, name, name_n) : NULL;
        if (t == NULL) {
            return ms_buf_append_str(out, p);
        }
        if (value == NULL || depth >= MAX_TAG_DEPTH) {
            /* not a tag of ours: the text stays as written */
            size_t upto = (size_t)(t - p) + 1;
            ms_status rc = ms_buf_append(out, p, upto);
            if (rc != MS_OK)
                return rc;
            p += upto;
            after_tag = false;
            continue;
        }
        ms_status rc = ms_buf_append(out, p, (size_t)(t - p));
        if (rc == MS_OK && after_tag && t == p && inter)
            rc = ms_buf_append_str(out, inter);
        if (rc == MS_OK && pre)
            rc = ms_buf_append_str(out, pre);
        if (rc == MS_OK)
            rc = expand(r, value, NULL, NULL, NULL, depth + 1, out);
        if (rc == MS_OK && post)
            rc = ms_buf_append_str(out, post);
        if (rc != MS_OK)
            return rc;
        p = name + name_n + en;
        after_tag = true;
    }
}

/* Takes "<pre NAME>", "<inter NAME>" and "<post NAME>" markers out of
 * the pattern (into *pre, *inter, *post) and returns the rest, malloc'd. */
static char *take_markers(const struct spam_replace *r, const char *pattern,
                          const char **pre, const char **inter,
                          const char **post)
{
    char *copy = strdup(pattern);
    if (copy == NULL)
        return NULL;
    size_t sn = strlen(r->start), en = strlen(r->end);
    static const char *const kinds[] = {"pre ", "inter ", "post "};
    const named_list *lists[] = {&r->pres, &r->inters, &r->posts};
    const char **outs[] = {pre, inter, post};
    for (int k = 0; k < 3; k++) {
        *outs[k] = NULL;
        size_t kn = strlen(kinds[k]);
        for (char *s = strstr(copy, r->start); s;) {
            if (strncmp(s + sn, kinds[k], kn) != 0) {
                s = strstr(s + 1, r->start);
                continue;
            }
            char *n = s + sn + kn;
            char *e = strstr(n, r->end);
            if (e == NULL)
                break;
            const char *v = list_get(lists[k], n, (size_t)(e - n));
            if (v)
                *outs[k] = v;
            memmove(s, e + en, strlen(e + en) + 1);
        }
    }
    return copy;
}

/* Rewrites and compiles the rules of replace_rules; see spam_internal.h. */
ms_status ms_spam_replace_apply(ms_spam_rules *rules)
{
    struct spam_replace *r = rules->replace;
    if (r == NULL)
        return MS_OK;
    ms_status rc = MS_OK;
    for (size_t i = 0; i < r->n_rules && rc == MS_OK; i++) {
        long k = ms_spam_rule_find(rules, r->rules[i]);
        if (k < 0)
            continue;
        spam_rule *rule = &rules->rules[k];
        if (rule->pattern == NULL || rule->is_eval)
            continue;
        const char *pre, *inter, *post;
        char *bare = take_markers(r, rule->pattern, &pre, &inter, &post);
        if (bare == NULL)
            return MS_ENOMEM;
        ms_buf out;
        ms_buf_init(&out, 0);
        rc = expand(r, bare, pre, inter, post, 0, &out);
        if (rc == MS_OK)
            rc = ms_buf_append_char(&out, '\0');
        free(bare);
        if (rc != MS_OK) {
            ms_buf_free(&out);
            break;
        }
        free(rule->pattern);
        rule->pattern = strdup(out.p);
        ms_buf_free(&out);
        if (rule->pattern == NULL)
            return MS_ENOMEM;
        if (rule->re)
            pcre2_code_free(rule->re);
        rule->re = NULL;
        rule->invalid = false;
        ms_spam_rule_compile(rule);
    }
    ms_spam_replace_free(r);
    rules->replace = NULL;
    return rc;
}
