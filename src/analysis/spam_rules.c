/* SPDX-License-Identifier: MIT */
/*
 * Loading SpamAssassin rule files (.cf) and compiling them.
 *
 * The language, as far as this engine reads it:
 *   header NAME Header =~ /re/flags [if-unset: TEXT]   (also !~)
 *   header NAME Header:raw|:addr|:name =~ /re/         (ALL, ToCc, MESSAGEID)
 *   header NAME exists:Header
 *   body|rawbody|full|uri NAME /re/flags
 *   meta NAME boolean-or-arithmetic expression over rule names
 *   score NAME s [s s s]; describe NAME text; tflags NAME flags;
 *   priority NAME n; required_score n; include FILE;
 *   ifplugin NAME / if (expr) / else / endif
 * Lines of other kinds (lang, report templates, plugin settings) are
 * ignored; eval: tests are counted and skipped. Regexes are Perl's, run
 * with PCRE2 (JIT); every regex of a body-like kind is also compiled into
 * one Hyperscan database in prefilter mode, so a mail is scanned once per
 * kind and PCRE2 runs only for the rules that may match.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "analysis/spam_internal.h"
#include "analysis/spam_widen.h"
#include "util/ascii.h"
#include "util/hs_cache.h"
#include "util/dir.h"

/* Nesting of include files and if/ifplugin blocks. */
#define MAX_INCLUDE_DEPTH 8
#define MAX_IF_DEPTH      32
/* Largest bounded repeat compiled into the prefilter. */
#define MAX_PREFILTER_REPEAT 64
/* Longest line of a .cf file read. */
#define MAX_LINE 65536

/* The loading state: the rule set being built and where we are. */
typedef struct loader {
    ms_spam_rules *rules;
    char *err;
    size_t err_size;
    const char *file;
    int line;
    int include_depth;
} loader;

/* Records a one-line error naming the file and line. Returns MS_EINVAL. */
static ms_status load_error(loader *ld, const char *fmt, const char *arg)
{
    char what[256];
    snprintf(what, sizeof(what), fmt, arg);
    snprintf(ld->err, ld->err_size, "%s:%d: %s", ld->file, ld->line, what);
    return MS_EINVAL;
}

/* Returns the index of the rule called name, or -1. */
long ms_spam_rule_find(const ms_spam_rules *rules, const char *name)
{
    for (size_t i = rules->n_rules; i > 0; i--) {
        if (strcmp(rules->rules[i - 1].name, name) == 0)
            return (long)(i - 1);
    }
    return -1;
}

/* Makes room for one more item in a malloc'd array of n items, doubling
 * its capacity (first when empty). Returns the array, moved or not, or
 * NULL when memory runs out (the old one is then kept). */
static void *grow_for_one(void *items, size_t n, size_t *cap, size_t size,
                          size_t first)
{
    if (n < *cap)
        return items;
    size_t want = *cap ? *cap * 2 : first;
    void *grown = realloc(items, want * size);
    if (grown != NULL)
        *cap = want;
    return grown;
}

/* Returns the rule called name, creating an undefined one when absent
 * (score and describe lines may come before the rule). NULL on ENOMEM. */
static spam_rule *rule_get(ms_spam_rules *rules, const char *name)
{
    long i = ms_spam_rule_find(rules, name);
    if (i >= 0)
        return &rules->rules[i];
    spam_rule *grown = grow_for_one(rules->rules, rules->n_rules,
                                    &rules->cap_rules, sizeof(spam_rule), 256);
    if (grown == NULL)
        return NULL;
    rules->rules = grown;
    spam_rule *r = &rules->rules[rules->n_rules];
    memset(r, 0, sizeof(*r));
    r->name = strdup(name);
    if (r->name == NULL)
        return NULL;
    r->kind = -1;
    r->eval_fn = -1;
    rules->n_rules++;
    return r;
}

/* Splits the next white-space separated word off *s; returns it (NUL-
 * terminated in place) or NULL at the end. */
static char *next_word(char **s)
{
    char *p = *s;
    while (*p && ms_ascii_is_space(*p))
        p++;
    if (*p == '\0')
        return NULL;
    char *w = p;
    while (*p && !ms_ascii_is_space(*p))
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return w;
}

/* Returns s without leading and trailing white space (in place). */
static char *trim(char *s)
{
    while (*s && ms_ascii_is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && ms_ascii_is_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/*
 * Reads a Perl regex literal at s: /re/flags, m/re/flags or m{re}flags
 * (any delimiter after m). Sets the pattern (malloc'd), the PCRE2 flags
 * and *rest to what follows. Returns false when s is not a regex.
 */
static bool read_regex(const char *s, char **pattern, uint32_t *flags,
                       const char **rest)
{
    while (*s && ms_ascii_is_space(*s))
        s++;
    char open = *s, close;
    if (open == 'm' && s[1] && !ms_ascii_is_alnum(s[1]) &&
        !ms_ascii_is_space(s[1])) {
        s++;
        open = *s;
    } else if (open != '/') {
        return false;
    }
    switch (open) {
    case '{':
        close = '}';
        break;
    case '(':
        close = ')';
        break;
    case '[':
        close = ']';
        break;
    case '<':
        close = '>';
        break;
    default:
        close = open;
    }
    const char *start = s + 1;
    /* the closing delimiter is the last one before the flags: Perl allows
     * an unescaped delimiter only escaped, so scan for the first unescaped
     * one (bracket pairs nest) */
    const char *p = start;
    int depth = 0;
    while (*p) {
        if (*p == '\\' && p[1]) {
            p += 2;
            continue;
        }
        if (close != open && *p == open)
            depth++;
        else if (*p == close) {
            if (depth == 0)
                break;
            depth--;
        }
        p++;
    }
    if (*p != close)
        return false;
    *pattern = strndup(start, (size_t)(p - start));
    if (*pattern == NULL)
        return false;
    uint32_t f = 0;
    p++;
    while (*p && ms_ascii_is_alpha(*p)) {
        switch (*p) {
        case 'i':
            f |= PCRE2_CASELESS;
            break;
        case 's':
            f |= PCRE2_DOTALL;
            break;
        case 'm':
            f |= PCRE2_MULTILINE;
            break;
        case 'x':
            f |= PCRE2_EXTENDED;
            break;
        default: /* g, o and the like change nothing here */
            break;
        }
        p++;
    }
    *flags = f;
    *rest = p;
    return true;
}

/* Compiles a rule's regex with PCRE2 (JIT when available). It matches
 * octets, as SpamAssassin does (it hands its rules UTF-8 encoded bytes:
 * "[\xe2][\x80][\xa6]" is how a rule spells an ellipsis); a regex that
 * names a character beyond one byte ("\x{2028}") runs in UTF-8 mode
 * instead. A regex PCRE2 rejects makes the rule invalid, counted and
 * skipped, as SpamAssassin skips rules that do not compile. */
void ms_spam_rule_compile(spam_rule *r)
{
    int errcode;
    PCRE2_SIZE erroffset;
    r->utf = false;
    r->re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                          r->pcre_flags, &errcode, &erroffset, NULL);
    if (r->re == NULL) {
        r->utf = true;
        r->re =
            pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                          r->pcre_flags | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                          &errcode, &erroffset, NULL);
    }
    if (r->re == NULL) {
        r->invalid = true;
        return;
    }
    pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
}

/* Parses the definition of a header rule: "Header =~ /re/" and variants. */
static ms_status define_header(loader *ld, spam_rule *r, char *rest)
{
    rest = trim(rest);
    r->kind = KIND_HEADER;
    if (strncmp(rest, "eval:", 5) == 0) {
        r->is_eval = true;
        return ms_spam_eval_parse(r, trim(rest + 5)) ? MS_OK : MS_ENOMEM;
    }
    if (strncmp(rest, "exists:", 7) == 0) {
        r->exists_test = true;
        r->header = strdup(trim(rest + 7));
        return r->header ? MS_OK : MS_ENOMEM;
    }
    char *op = strstr(rest, "=~");
    char *neg = strstr(rest, "!~");
    if (neg && (op == NULL || neg < op)) {
        op = neg;
        r->negate = true;
    }
    if (op == NULL)
        return load_error(ld, "header rule %s: no =~ or !~", r->name);
    *op = '\0';
    char *name = trim(rest);
    char *colon = strchr(name, ':');
    if (colon) {
        *colon = '\0';
        const char *mod = colon + 1;
        if (strcmp(mod, "raw") == 0)
            r->header_mode = HMODE_RAW;
        else if (strcmp(mod, "addr") == 0)
            r->header_mode = HMODE_ADDR;
        else if (strcmp(mod, "name") == 0)
            r->header_mode = HMODE_NAME;
    }
    r->header = strdup(name);
    const char *after;
    if (r->header == NULL)
        return MS_ENOMEM;
    if (!read_regex(op + 2, &r->pattern, &r->pcre_flags, &after))
        return load_error(ld, "header rule %s: bad regex", r->name);
    const char *unset = strstr(after, "[if-unset:");
    if (unset) {
        const char *v = unset + 10;
        const char *end = strchr(v, ']');
        size_t n = end ? (size_t)(end - v) : strlen(v);
        char *copy = strndup(v, n);
        if (copy == NULL)
            return MS_ENOMEM;
        r->if_unset = strdup(trim(copy));
        free(copy);
    }
    ms_spam_rule_compile(r);
    return MS_OK;
}

/* Parses the definition of a body-like rule: "/re/flags" or eval:. */
static ms_status define_regex_rule(loader *ld, spam_rule *r, int kind,
                                   char *rest)
{
    rest = trim(rest);
    r->kind = kind;
    if (strncmp(rest, "eval:", 5) == 0) {
        r->is_eval = true;
        return ms_spam_eval_parse(r, trim(rest + 5)) ? MS_OK : MS_ENOMEM;
    }
    const char *after;
    if (!read_regex(rest, &r->pattern, &r->pcre_flags, &after))
        return load_error(ld, "rule %s: bad regex", r->name);
    /* SpamAssassin matches body rules paragraph by paragraph and uri
     * rules URI by URI; the texts here hold one paragraph or one URI a
     * line, so ^ and $ are line anchors */
    if (kind == KIND_BODY || kind == KIND_RAWBODY || kind == KIND_URI)
        r->pcre_flags |= PCRE2_MULTILINE;
    ms_spam_rule_compile(r);
    return MS_OK;
}

/* Evaluates the condition of an "if" line. Version tests and can()
 * checks are taken as true (we implement the current language), plugin
 * tests as false unless they name a plugin we emulate. */
static bool plugin_available(const char *name);

static bool if_condition(const char *expr)
{
    const char *p = strstr(expr, "plugin(");
    if (p == NULL)
        return true;
    /* "plugin(NAME)" or "!plugin(NAME)" alone; anything more complex
     * is taken as false */
    const char *q = expr;
    while (*q == ' ' || *q == '\t' || *q == '(')
        q++;
    bool negate = *q == '!';
    if (negate)
        q++;
    while (*q == ' ')
        q++;
    if (q != p)
        return false;
    const char *name = p + 7, *end = strchr(name, ')');
    if (end == NULL || (size_t)(end - name) >= 128)
        return false;
    char buf[128];
    memcpy(buf, name, (size_t)(end - name));
    buf[end - name] = '\0';
    return plugin_available(trim(buf)) != negate;
}

/* True for an ifplugin name this engine stands in for (none of the
 * network or external plugins; the built-in checks are always on). */
static bool plugin_available(const char *name)
{
    static const char *const known[] = {
        "Mail::SpamAssassin::Plugin::Check",
        "Mail::SpamAssassin::Plugin::HeaderEval",
        "Mail::SpamAssassin::Plugin::BodyEval",
        "Mail::SpamAssassin::Plugin::MIMEEval",
        "Mail::SpamAssassin::Plugin::HTMLEval",
        "Mail::SpamAssassin::Plugin::FreeMail",
        "Mail::SpamAssassin::Plugin::ReplaceTags",
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(name, known[i]) == 0)
            return true;
    }
    return false;
}

static ms_status load_path(loader *ld, const char *path);

/* Handles one line of a .cf file (comments already removed). */
static ms_status load_line(loader *ld, char *line, const char *dir)
{
    char *rest = line;
    char *key = next_word(&rest);
    if (key == NULL)
        return MS_OK;
    ms_spam_rules *rules = ld->rules;
    if (strcmp(key, "freemail_domains") == 0) {
        /* FreeMail's list: names, with '*' and '?' globs */
        for (char *d = next_word(&rest); d != NULL; d = next_word(&rest)) {
            char **grown =
                grow_for_one(rules->freemail, rules->n_freemail,
                             &rules->cap_freemail, sizeof(char *), 64);
            if (grown == NULL)
                return MS_ENOMEM;
            rules->freemail = grown;
            char *copy = strdup(d);
            if (copy == NULL)
                return MS_ENOMEM;
            for (char *c = copy; *c; c++)
                *c = ms_ascii_lower(*c);
            rules->freemail[rules->n_freemail++] = copy;
        }
        return MS_OK;
    }
    if (strcmp(key, "required_score") == 0 ||
        strcmp(key, "required_hits") == 0) {
        rules->required = strtod(rest, NULL);
        return MS_OK;
    }
    if (strcmp(key, "include") == 0) {
        char *file = trim(rest);
        char full[4096];
        if (file[0] == '/')
            snprintf(full, sizeof(full), "%s", file);
        else
            snprintf(full, sizeof(full), "%s/%s", dir, file);
        if (ld->include_depth >= MAX_INCLUDE_DEPTH)
            return load_error(ld, "includes nested too deep at %s", file);
        loader inner = *ld;
        inner.include_depth++;
        return load_path(&inner, full);
    }
    static const struct {
        const char *key;
        int kind;
    } kinds[] = {{"header", KIND_HEADER},   {"body", KIND_BODY},
                 {"rawbody", KIND_RAWBODY}, {"full", KIND_FULL},
                 {"uri", KIND_URI},         {"meta", KIND_META}};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        if (strcmp(key, kinds[k].key) != 0)
            continue;
        char *name = next_word(&rest);
        if (name == NULL)
            return load_error(ld, "%s without a rule name", key);
        spam_rule *r = rule_get(rules, name);
        if (r == NULL)
            return MS_ENOMEM;
        if (r->kind >= 0) {
            /* a later definition replaces an earlier one, as in
             * SpamAssassin where local rules override the stock set */
            free(r->header);
            free(r->pattern);
            free(r->if_unset);
            free(r->meta_source);
            ms_spam_eval_free(r);
            r->eval_fn = -1;
            if (r->re)
                pcre2_code_free(r->re);
            r->header = r->pattern = r->if_unset = r->meta_source = NULL;
            r->re = NULL;
            r->is_eval = r->invalid = r->exists_test = r->negate = false;
            r->header_mode = HMODE_DECODED;
        }
        if (kinds[k].kind == KIND_HEADER)
            return define_header(ld, r, rest);
        if (kinds[k].kind == KIND_META) {
            r->kind = KIND_META;
            r->meta_source = strdup(trim(rest));
            return r->meta_source ? MS_OK : MS_ENOMEM;
        }
        return define_regex_rule(ld, r, kinds[k].kind, rest);
    }
    if (strcmp(key, "score") == 0 || strcmp(key, "describe") == 0 ||
        strcmp(key, "tflags") == 0 || strcmp(key, "priority") == 0) {
        char *name = next_word(&rest);
        if (name == NULL)
            return load_error(ld, "%s without a rule name", key);
        spam_rule *r = rule_get(rules, name);
        if (r == NULL)
            return MS_ENOMEM;
        if (key[0] == 's') {
            double v[4];
            int n = 0;
            char *w;
            while (n < 4 && (w = next_word(&rest)) != NULL) {
                char *end;
                v[n] = strtod(w, &end);
                if (end == w)
                    return load_error(ld, "score of %s is not a number", name);
                n++;
            }
            if (n == 0)
                return load_error(ld, "score of %s is missing", name);
            for (int i = 0; i < 4; i++)
                r->score[i] = n == 4 ? v[i] : v[0];
            r->has_score = true;
        } else if (key[0] == 'd') {
            free(r->describe);
            r->describe = strdup(trim(rest));
            if (r->describe == NULL)
                return MS_ENOMEM;
        } else if (key[0] == 't') {
            r->multiple = strstr(rest, "multiple") != NULL;
        } else {
            r->priority = atoi(rest);
        }
        return MS_OK;
    }
    bool handled = false;
    ms_status rc = ms_spam_replace_directive(rules, key, rest, &handled);
    if (rc != MS_OK || handled)
        return rc;
    /* settings of plugins, report templates, languages: not rules */
    return MS_OK;
}

/* Loads one .cf file. */
static ms_status load_file(loader *ld, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(ld->err, ld->err_size, "cannot read rule file %s: %s", path,
                 strerror(errno));
        return MS_EIO;
    }
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof(dir), ".");
    loader ctx = *ld;
    ctx.file = path;
    ctx.line = 0;
    /* the if/ifplugin stack: whether each level is active */
    bool active[MAX_IF_DEPTH];
    int depth = 0;
    char *line = malloc(MAX_LINE);
    ms_status rc = line ? MS_OK : MS_ENOMEM;
    while (rc == MS_OK && fgets(line, MAX_LINE, f)) {
        ctx.line++;
        /* comments: '#' not escaped */
        for (char *p = line; *p; p++) {
            if (*p == '\\' && p[1]) {
                p++;
                continue;
            }
            if (*p == '#') {
                *p = '\0';
                break;
            }
        }
        char *t = trim(line);
        if (*t == '\0')
            continue;
        bool enabled = depth == 0 || active[depth - 1];
        if (strncmp(t, "ifplugin", 8) == 0 || strncmp(t, "if ", 3) == 0 ||
            strncmp(t, "if(", 3) == 0) {
            if (depth == MAX_IF_DEPTH) {
                rc = load_error(&ctx, "if blocks nested too deep%s", "");
                break;
            }
            bool cond = t[2] == 'p' ? plugin_available(trim(t + 8))
                                    : if_condition(t + 2);
            active[depth++] = enabled && cond;
            continue;
        }
        if (strcmp(t, "else") == 0) {
            if (depth == 0) {
                rc = load_error(&ctx, "else without if%s", "");
                break;
            }
            bool outer = depth == 1 || active[depth - 2];
            active[depth - 1] = outer && !active[depth - 1];
            continue;
        }
        if (strcmp(t, "endif") == 0) {
            if (depth == 0) {
                rc = load_error(&ctx, "endif without if%s", "");
                break;
            }
            depth--;
            continue;
        }
        if (!enabled)
            continue;
        rc = load_line(&ctx, t, dir);
    }
    free(line);
    fclose(f);
    return rc;
}

/* Keeps the .cf files of a rule folder. */
static bool is_rule_file(const char *name, void *ctx)
{
    (void)ctx;
    size_t len = strlen(name);
    return len >= 4 && strcmp(name + len - 3, ".cf") == 0;
}

/* Loads a .cf file, or every .cf file of a folder in name order (the
 * order SpamAssassin reads its rule folders in). */
static ms_status load_path(loader *ld, const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        if (errno == ENOTDIR)
            return load_file(ld, path);
        snprintf(ld->err, ld->err_size, "cannot read rules at %s: %s", path,
                 strerror(errno));
        return MS_EIO;
    }
    char **names = NULL;
    size_t n = 0;
    ms_status rc = ms_dir_sorted_names(d, is_rule_file, NULL, &names, &n);
    for (size_t i = 0; i < n && rc == MS_OK; i++) {
        char full[4096];
        snprintf(full, sizeof(full), "%s/%s", path, names[i]);
        rc = load_file(ld, full);
    }
    if (names)
        ms_dir_names_free(names, n);
    return rc;
}

/* Longest regex given to the prefilter as it is: longer ones
 * (SpamAssassin's tag-expanded rules reach 20 kB) take Hyperscan's
 * compiler tens of seconds together; they go in small databases. */
#define MAX_PREFILTER_PATTERN_BYTES 3000
/* Widened patterns are compiled in small databases: one database of all
 * of them takes Hyperscan's compiler several times longer than the sum
 * of the small ones, and scans no faster. */
#define WIDENED_PER_DATABASE 16
/* Header texts read by fewer regex rules than this go without a
 * prefilter. */
#define MIN_HEADER_PREFILTER 4

/* True when a regex holds a bounded repeat with an upper bound above
 * MAX_PREFILTER_REPEAT ("[^>]{0,2048}"): Hyperscan expands such repeats
 * at compile time, and one SpamAssassin rule alone took 36 seconds. Such
 * rules go to the prefilter widened. */
static bool costly_to_compile(const char *re)
{
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p != '{')
            continue;
        const char *q = p + 1;
        long lo = strtol(q, (char **)&q, 10);
        long hi = lo;
        if (*q == ',') {
            q++;
            hi = ms_ascii_is_digit(*q) ? strtol(q, (char **)&q, 10) : 0;
        }
        if (*q == '}' && hi > MAX_PREFILTER_REPEAT)
            return true;
    }
    return false;
}

/* Returns the Hyperscan flags of a rule's regex in prefilter mode. */
static unsigned prefilter_flags(const spam_rule *r)
{
    unsigned f = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
    if (r->pcre_flags & PCRE2_CASELESS)
        f |= HS_FLAG_CASELESS;
    if (r->pcre_flags & PCRE2_DOTALL)
        f |= HS_FLAG_DOTALL;
    if (r->pcre_flags & PCRE2_MULTILINE)
        f |= HS_FLAG_MULTILINE;
    return f;
}

/* Patterns waiting to be compiled into prefilters: the expression, its
 * flags and its rule. */
typedef struct pattern_list {
    const char **expr;
    unsigned *flags;
    unsigned *rule;
    size_t n;
} pattern_list;

/* Makes an empty list with room for cap patterns; false when memory runs
 * out (pattern_list_free still frees what was made). */
static bool pattern_list_new(pattern_list *list, size_t cap)
{
    list->expr = calloc(cap + 1, sizeof(char *));
    list->flags = calloc(cap + 1, sizeof(unsigned));
    list->rule = calloc(cap + 1, sizeof(unsigned));
    list->n = 0;
    return list->expr && list->flags && list->rule;
}

/* Frees a list's arrays (not the expressions). */
static void pattern_list_free(pattern_list *list)
{
    free(list->expr);
    free(list->flags);
    free(list->rule);
}

/*
 * The prefilter cache: a compiled database is kept in
 * cache_dir/<key>.hsdb, where key is the SHA-256 of the Hyperscan
 * version, the CPU features it compiled for, and every pattern with its
 * flags. The file holds "MSPF0001", the number of patterns given, the
 * number kept and their positions (the refused ones are left out), then
 * the serialized database. A file that does not read back whole is
 * ignored and compiled again.
 */
#define CACHE_MAGIC "MSPF0001"

static ms_status add_prefilter(ms_spam_rules *rules, const pattern_list *list,
                               hs_database_t *db);

/* Writes the cache file name of list into path. */
static bool cache_path(const ms_spam_rules *rules, const pattern_list *list,
                       char *path, size_t size)
{
    EVP_MD_CTX *ctx = ms_hs_cache_key_begin(CACHE_MAGIC);
    if (ctx == NULL)
        return false;
    bool ok = true;
    for (size_t k = 0; k < list->n && ok; k++)
        ok = EVP_DigestUpdate(ctx, &list->flags[k], sizeof(unsigned)) == 1 &&
             EVP_DigestUpdate(ctx, list->expr[k], strlen(list->expr[k]) + 1) ==
                 1;
    return ms_hs_cache_key_path(ctx, ok, rules->cache_dir, path, size);
}

/* Reads a cached database for list: on success *db is set and list keeps
 * only the patterns the database holds, the others going to refused. */
static bool cache_read(const char *path, pattern_list *list, hs_database_t **db,
                       unsigned *refused, size_t *n_refused)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    char magic[sizeof(CACHE_MAGIC) - 1];
    uint32_t n_given = 0, n_kept = 0;
    uint32_t *kept = NULL;
    bool ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
              memcmp(magic, CACHE_MAGIC, sizeof(magic)) == 0 &&
              fread(&n_given, sizeof(n_given), 1, f) == 1 &&
              fread(&n_kept, sizeof(n_kept), 1, f) == 1 && n_given == list->n &&
              n_kept <= n_given;
    if (ok) {
        kept = malloc((n_kept + 1) * sizeof(*kept));
        ok = kept != NULL && fread(kept, sizeof(*kept), n_kept, f) == n_kept;
    }
    for (uint32_t k = 0; ok && k < n_kept; k++)
        ok = kept[k] < n_given && (k == 0 || kept[k] > kept[k - 1]);
    ok = ok && ms_hs_cache_read_db(f, db);
    fclose(f);
    if (ok) {
        size_t at = 0;
        for (size_t k = 0; k < list->n; k++) {
            if (at < n_kept && kept[at] == k) {
                list->expr[at] = list->expr[k];
                list->flags[at] = list->flags[k];
                list->rule[at] = list->rule[k];
                at++;
            } else if (refused) {
                refused[(*n_refused)++] = list->rule[k];
            }
        }
        list->n = n_kept;
    }
    free(kept);
    return ok;
}

/* Writes a compiled database to the cache: the magic, the number of
 * patterns given, the number kept and their positions, the database. */
static void cache_write(const char *dir, const char *path,
                        const hs_database_t *db, size_t n_given,
                        const uint32_t *kept, size_t n_kept)
{
    size_t magic = sizeof(CACHE_MAGIC) - 1;
    size_t head_len = magic + 2 * sizeof(uint32_t) + n_kept * sizeof(*kept);
    char *head = malloc(head_len);
    if (head == NULL)
        return;
    uint32_t given = (uint32_t)n_given, n = (uint32_t)n_kept;
    memcpy(head, CACHE_MAGIC, magic);
    memcpy(head + magic, &given, sizeof(given));
    memcpy(head + magic + sizeof(given), &n, sizeof(n));
    if (n_kept > 0)
        memcpy(head + magic + 2 * sizeof(uint32_t), kept,
               n_kept * sizeof(*kept));
    ms_hs_cache_save(dir, path, head, head_len, db);
    free(head);
}

/*
 * Compiles the patterns of list into one prefilter appended to
 * rules->pf. When Hyperscan refuses a pattern the error names it; its
 * rule is moved to refused (or dropped when refused is NULL) and the rest
 * is compiled again. Compiling pattern by pattern first would cost
 * minutes on SpamAssassin's own set.
 */
static ms_status compile_prefilter(ms_spam_rules *rules, pattern_list *list,
                                   unsigned *refused, size_t *n_refused)
{
    size_t m = list->n;
    if (m == 0)
        return MS_OK;
    hs_database_t *db = NULL;
    char path[4200];
    bool cached =
        rules->cache_dir != NULL && cache_path(rules, list, path, sizeof(path));
    if (cached && cache_read(path, list, &db, refused, n_refused)) {
        rules->stats.n_cached++;
        return add_prefilter(rules, list, db);
    }
    unsigned *ids = calloc(m + 1, sizeof(*ids));
    uint32_t *pos = calloc(m + 1, sizeof(*pos)); /* given positions kept */
    if (ids == NULL || pos == NULL) {
        free(ids);
        free(pos);
        return MS_ENOMEM;
    }
    size_t n_given = m;
    for (size_t k = 0; k < m; k++)
        pos[k] = (uint32_t)k;
    while (m > 0) {
        for (size_t k = 0; k < m; k++)
            ids[k] = (unsigned)k;
        hs_compile_error_t *cerr = NULL;
        if (hs_compile_multi(list->expr, list->flags, ids, (unsigned)m,
                             HS_MODE_BLOCK, NULL, &db, &cerr) == HS_SUCCESS)
            break;
        int bad = cerr ? cerr->expression : -1;
        if (cerr)
            hs_free_compile_error(cerr);
        if (bad < 0 || (size_t)bad >= m) {
            /* an error not tied to one pattern: no prefilter at all */
            for (size_t k = 0; k < m && refused; k++)
                refused[(*n_refused)++] = list->rule[k];
            m = 0;
            break;
        }
        if (refused)
            refused[(*n_refused)++] = list->rule[bad];
        size_t tail = m - (size_t)bad - 1;
        memmove(list->expr + bad, list->expr + bad + 1,
                tail * sizeof(*list->expr));
        memmove(list->flags + bad, list->flags + bad + 1,
                tail * sizeof(*list->flags));
        memmove(list->rule + bad, list->rule + bad + 1,
                tail * sizeof(*list->rule));
        memmove(pos + bad, pos + bad + 1, tail * sizeof(*pos));
        m--;
    }
    free(ids);
    list->n = m;
    if (m > 0 && cached)
        cache_write(rules->cache_dir, path, db, n_given, pos, m);
    free(pos);
    if (m == 0)
        return MS_OK;
    return add_prefilter(rules, list, db);
}

/* Appends a compiled prefilter for the rules of list (it takes db). */
static ms_status add_prefilter(ms_spam_rules *rules, const pattern_list *list,
                               hs_database_t *db)
{
    size_t m = list->n;
    if (m == 0) {
        hs_free_database(db);
        return MS_OK;
    }
    prefilter *grown = grow_for_one(rules->pf, rules->n_pf, &rules->cap_pf,
                                    sizeof(prefilter), 16);
    if (grown == NULL) {
        hs_free_database(db);
        return MS_ENOMEM;
    }
    rules->pf = grown;
    prefilter *pf = &rules->pf[rules->n_pf];
    pf->db = db;
    pf->n = m;
    pf->by_line = false;
    pf->rule = malloc(m * sizeof(unsigned));
    if (pf->rule == NULL) {
        hs_free_database(db);
        return MS_ENOMEM;
    }
    memcpy(pf->rule, list->rule, m * sizeof(unsigned));
    rules->n_pf++;
    for (size_t k = 0; k < m; k++)
        rules->rules[list->rule[k]].prefiltered = true;
    rules->stats.n_prefilter += m;
    rules->stats.n_databases++;
    return MS_OK;
}

/* Repeated groups shorter than this (in pattern bytes) are left to the
 * prefilter: Hyperscan compiles them as they are. */
#define LINE_UNIT_MIN_BYTES 64

/* Returns the Hyperscan flags of a line rule's unit: every end reported,
 * the pattern taken as it is. */
static unsigned line_unit_flags(const spam_rule *r)
{
    return prefilter_flags(r) &
           ~(unsigned)(HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH |
                       HS_FLAG_ALLOWEMPTY);
}

/*
 * Body rules that are one long group repeated ("(?:G){3}", the
 * form-filling rules of SpamAssassin) defeat the prefilter: widened whole
 * they are too large for Hyperscan, which then approximates them into a
 * pattern that fires on nearly every mail, and PCRE2 ran them over every
 * body (a tenth of the time of SpamAssassin's set). SpamAssassin matches
 * body rules line by line, and a line the rule matches holds at least k
 * ends of matches of G. So G, loosely widened (Hyperscan compiles that
 * exactly), goes to a database that reports every end, and PCRE2 runs
 * the rule only on the lines holding k of them (spam_check.c). A rule
 * whose unit Hyperscan refuses stays with the prefilter.
 */
static ms_status build_line_rules(ms_spam_rules *rules, int kind, size_t *count)
{
    size_t n = 0;
    for (size_t i = 0; i < rules->n_rules; i++)
        n += rules->rules[i].kind == kind && rules->rules[i].re != NULL;
    pattern_list units;
    bool listed = pattern_list_new(&units, n);
    char **owned = calloc(n + 1, sizeof(char *));
    unsigned *refused = calloc(n + 1, sizeof(unsigned));
    size_t n_refused = 0;
    ms_status rc = MS_ENOMEM;
    if (!listed || !owned || !refused)
        goto done;
    for (size_t i = 0; i < rules->n_rules; i++) {
        spam_rule *r = &rules->rules[i];
        size_t at, len;
        long times;
        if (r->kind != kind || r->re == NULL ||
            (r->pcre_flags & PCRE2_EXTENDED) ||
            !ms_spam_repeat_unit(r->pattern, &at, &len, &times) ||
            len < LINE_UNIT_MIN_BYTES || times > 1000)
            continue;
        char *unit = strndup(r->pattern + at, len);
        char *w = unit ? ms_spam_widen_loose(unit, r->utf) : NULL;
        free(unit);
        if (w == NULL)
            continue;
        owned[units.n] = w;
        units.expr[units.n] = w;
        units.flags[units.n] = line_unit_flags(r);
        units.rule[units.n++] = (unsigned)i;
        r->line_need = (int)times;
    }
    size_t before = rules->n_pf;
    rc = compile_prefilter(rules, &units, refused, &n_refused);
    for (size_t k = 0; k < n_refused; k++)
        rules->rules[refused[k]].line_need = 0;
    if (rc == MS_OK && rules->n_pf > before) {
        rules->pf[before].by_line = true;
        rules->stats.n_line_rules += rules->pf[before].n;
        (*count)++;
    }
done:
    for (size_t k = 0; owned && k < n; k++)
        free(owned[k]);
    free(owned);
    free(refused);
    pattern_list_free(&units);
    return rc;
}

/*
 * Builds the prefilters of the regex rules of one kind (of one header
 * text when target >= 0). Every pattern goes in widened (spam_widen.c:
 * Hyperscan has no look-arounds, and a rule in UTF-8 mode reads
 * characters where Hyperscan reads bytes; only the widened form is sure
 * to match wherever the rule does). The patterns
 * Hyperscan compiles quickly share one database; the long ones, those
 * with large repeats and those it refuses go a few to a database; what
 * still fails is left to PCRE2 alone (rules->always for the body-like
 * kinds). Extended-syntax regexes are left to PCRE2 too.
 */
static ms_status build_prefilters(ms_spam_rules *rules, int kind, int target,
                                  size_t *first, size_t *count)
{
    size_t n = 0;
    for (size_t i = 0; i < rules->n_rules; i++) {
        const spam_rule *r = &rules->rules[i];
        n += r->kind == kind && r->re != NULL &&
             (target < 0 || r->target == target);
    }
    *first = rules->n_pf;
    *count = 0;
    if (target >= 0 && n < MIN_HEADER_PREFILTER)
        return MS_OK; /* a scan costs more than PCRE2 on a short header */
    if (kind == KIND_BODY) {
        ms_status lrc = build_line_rules(rules, kind, count);
        if (lrc != MS_OK)
            return lrc;
    }
    pattern_list direct, wide;
    bool listed = pattern_list_new(&direct, n);
    listed = pattern_list_new(&wide, n) && listed;
    unsigned *later = calloc(n + 1, sizeof(unsigned));
    char **owned = calloc(n + 1, sizeof(char *));
    size_t n_later = 0, n_owned = 0;
    ms_status rc = MS_OK;
    if (!listed || !later || !owned) {
        rc = MS_ENOMEM;
        goto done;
    }
    if (target < 0) {
        rules->always[kind] = calloc(n + 1, sizeof(unsigned));
        if (rules->always[kind] == NULL) {
            rc = MS_ENOMEM;
            goto done;
        }
    }
    for (size_t i = 0; i < rules->n_rules; i++) {
        spam_rule *r = &rules->rules[i];
        if (r->kind != kind || r->re == NULL ||
            (target >= 0 && r->target != target) || r->line_need > 0)
            continue;
        if (r->pcre_flags & PCRE2_EXTENDED) {
            later[n_later++] = (unsigned)i;
            continue;
        }
        if (costly_to_compile(r->pattern) ||
            strlen(r->pattern) > MAX_PREFILTER_PATTERN_BYTES) {
            later[n_later++] = (unsigned)i;
            continue;
        }
        /* even the quick ones go in widened, for the end anchors */
        char *w = ms_spam_widen(r->pattern, r->utf);
        if (w == NULL) {
            later[n_later++] = (unsigned)i;
            continue;
        }
        owned[n_owned++] = w;
        direct.expr[direct.n] = w;
        direct.flags[direct.n] = prefilter_flags(r);
        direct.rule[direct.n++] = (unsigned)i;
    }
    rc = compile_prefilter(rules, &direct, later, &n_later);
    if (rc != MS_OK)
        goto done;
    *count += direct.n > 0;
    /* the rest, widened, a few to a database */
    size_t n_still = 0;
    for (size_t k = 0; k < n_later; k++) {
        spam_rule *r = &rules->rules[later[k]];
        bool tried = !(r->pcre_flags & PCRE2_EXTENDED) &&
                     !costly_to_compile(r->pattern) &&
                     strlen(r->pattern) <= MAX_PREFILTER_PATTERN_BYTES;
        char *w = (r->pcre_flags & PCRE2_EXTENDED) || tried
                      ? NULL
                      : ms_spam_widen(r->pattern, r->utf);
        if (w == NULL) {
            later[n_still++] = later[k];
            continue;
        }
        owned[n_owned++] = w;
        wide.expr[wide.n] = w;
        wide.flags[wide.n] = prefilter_flags(r);
        wide.rule[wide.n++] = later[k];
    }
    for (size_t at = 0; at < wide.n; at += WIDENED_PER_DATABASE) {
        size_t m = wide.n - at < WIDENED_PER_DATABASE ? wide.n - at
                                                      : WIDENED_PER_DATABASE;
        pattern_list chunk = {wide.expr + at, wide.flags + at, wide.rule + at,
                              m};
        size_t before = rules->stats.n_prefilter;
        rc = compile_prefilter(rules, &chunk, later, &n_still);
        if (rc != MS_OK)
            goto done;
        rules->stats.n_widened += rules->stats.n_prefilter - before;
        *count += chunk.n > 0;
    }
    if (target < 0)
        for (size_t k = 0; k < n_still; k++)
            rules->always[kind][rules->n_always[kind]++] = later[k];
done:
    for (size_t k = 0; k < n_owned; k++)
        free(owned[k]);
    free(owned);
    free(later);
    pattern_list_free(&direct);
    pattern_list_free(&wide);
    return rc;
}

/* Appends meta rule i to out after the metas it reads (depth first);
 * state: 0 not seen, 1 being ordered, 2 ordered. */
static void order_meta(ms_spam_rules *rules, size_t i, unsigned char *state,
                       unsigned *out, size_t *n_out, int depth)
{
    if (state[i] == 2)
        return;
    if (state[i] == 1 || depth > 1000) {
        rules->meta_cycle = true;
        return;
    }
    state[i] = 1;
    const spam_rule *r = &rules->rules[i];
    for (size_t k = 0; k < r->n_meta; k++) {
        if (r->meta[k].op != META_RULE)
            continue;
        size_t dep = (size_t)r->meta[k].rule;
        const spam_rule *d = &rules->rules[dep];
        if (d->kind == KIND_META && !d->invalid && d->meta != NULL)
            order_meta(rules, dep, state, out, n_out, depth + 1);
    }
    state[i] = 2;
    out[(*n_out)++] = (unsigned)i;
}

/* Copies the metas' programs into one array, in evaluation order. */
static ms_status pack_metas(ms_spam_rules *rules)
{
    size_t total = 0;
    for (size_t k = 0; k < rules->n_metas; k++)
        total += rules->rules[rules->metas[k]].n_meta;
    rules->meta_ops = malloc((total + 1) * sizeof(meta_op));
    rules->meta_at = malloc((rules->n_metas + 1) * sizeof(size_t));
    if (rules->meta_ops == NULL || rules->meta_at == NULL)
        return MS_ENOMEM;
    size_t at = 0;
    for (size_t k = 0; k < rules->n_metas; k++) {
        const spam_rule *r = &rules->rules[rules->metas[k]];
        rules->meta_at[k] = at;
        if (r->n_meta > 0)
            memcpy(rules->meta_ops + at, r->meta, r->n_meta * sizeof(meta_op));
        at += r->n_meta;
    }
    rules->meta_at[rules->n_metas] = at;
    return MS_OK;
}

/* Orders the metas so that one pass evaluates them all: each comes after
 * the metas it reads. A set where metas read each other in a cycle is
 * flagged and evaluated by repeated passes instead. */
static ms_status order_metas(ms_spam_rules *rules)
{
    unsigned char *state = calloc(rules->n_rules + 1, 1);
    unsigned *out = calloc(rules->n_metas + 1, sizeof(unsigned));
    if (state == NULL || out == NULL) {
        free(state);
        free(out);
        return MS_ENOMEM;
    }
    size_t n = 0;
    for (size_t k = 0; k < rules->n_metas; k++)
        order_meta(rules, rules->metas[k], state, out, &n, 0);
    free(rules->metas);
    rules->metas = out;
    rules->n_metas = n;
    free(state);
    return MS_OK;
}

/* Finishes a loaded set: default scores, meta programs, prefilters,
 * statistics. */
static ms_status finish_rules(ms_spam_rules *rules)
{
    ms_spam_rules_stats *st = &rules->stats;
    for (size_t i = 0; i < rules->n_rules; i++) {
        spam_rule *r = &rules->rules[i];
        if (r->kind < 0)
            continue;
        st->n_rules++;
        if (!r->has_score) {
            /* SpamAssassin's defaults: 1 for a rule without a score,
             * 0 for "__" sub-rules that only feed metas */
            double v = strncmp(r->name, "__", 2) == 0 ? 0.0 : 1.0;
            for (int k = 0; k < 4; k++)
                r->score[k] = v;
        }
        if (r->is_eval) {
            st->n_eval++;
            st->n_eval_run += r->eval_fn >= 0;
            continue;
        }
        if (r->invalid) {
            st->n_invalid++;
            continue;
        }
        if (r->kind == KIND_HEADER)
            st->n_header++;
        else if (r->kind == KIND_META)
            st->n_meta++;
        else
            st->n_body++;
    }
    /* the distinct header texts, so a mail computes each once; names
     * compare case-sensitively because the special names (MESSAGEID,
     * ALL) must not swallow headers spelled alike ("MessageID") */
    rules->targets = calloc(rules->n_rules + 1, sizeof(header_target));
    if (rules->targets == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < rules->n_rules; i++) {
        spam_rule *r = &rules->rules[i];
        if (r->kind != KIND_HEADER || r->is_eval || r->invalid)
            continue;
        size_t t = 0;
        while (t < rules->n_targets &&
               !(rules->targets[t].mode == r->header_mode &&
                 strcmp(rules->targets[t].header, r->header) == 0))
            t++;
        if (t == rules->n_targets) {
            rules->targets[t].header = r->header;
            rules->targets[t].mode = r->header_mode;
            rules->n_targets++;
        }
        r->target = (int)t;
    }
    rules->metas = calloc(rules->n_rules + 1, sizeof(unsigned));
    if (rules->metas == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < rules->n_rules; i++) {
        spam_rule *r = &rules->rules[i];
        if (r->kind != KIND_META)
            continue;
        char why[256];
        if (!ms_spam_meta_compile(rules, i, why, sizeof(why))) {
            /* a malformed meta is skipped with the count of invalid
             * rules, as SpamAssassin skips it with a warning */
            r->invalid = true;
            st->n_invalid++;
            st->n_meta--;
            continue;
        }
        rules->metas[rules->n_metas++] = (unsigned)i;
    }
    ms_status ordered = order_metas(rules);
    if (ordered == MS_OK)
        ordered = pack_metas(rules);
    if (ordered != MS_OK)
        return ordered;
    for (int kind = KIND_BODY; kind <= KIND_URI; kind++) {
        ms_status rc =
            build_prefilters(rules, kind, -1, &rules->kind_pf_first[kind],
                             &rules->kind_pf_count[kind]);
        if (rc != MS_OK)
            return rc;
    }
    for (size_t t = 0; t < rules->n_targets; t++) {
        ms_status rc = build_prefilters(rules, KIND_HEADER, (int)t,
                                        &rules->targets[t].pf_first,
                                        &rules->targets[t].pf_count);
        if (rc != MS_OK)
            return rc;
    }
    rules->header_rules = calloc(rules->n_rules + 1, sizeof(unsigned));
    rules->eval_rules = calloc(rules->n_rules + 1, sizeof(unsigned));
    if (rules->header_rules == NULL || rules->eval_rules == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < rules->n_rules; i++) {
        const spam_rule *r = &rules->rules[i];
        if (r->is_eval && r->eval_fn >= 0 && r->kind >= 0)
            rules->eval_rules[rules->n_eval_rules++] = (unsigned)i;
    }
    ms_spam_eval_finish(rules);
    for (size_t i = 0; i < rules->n_rules; i++) {
        const spam_rule *r = &rules->rules[i];
        if (r->kind == KIND_HEADER && !r->is_eval && !r->invalid)
            rules->header_rules[rules->n_header_rules++] = (unsigned)i;
    }
    st->required = rules->required;
    return MS_OK;
}

/* Loads and compiles the rule files; see spam_rules.h. */
ms_status ms_spam_rules_load(const char *const *paths, size_t n_paths,
                             const char *cache_dir, ms_spam_rules **out,
                             char *err, size_t err_size)
{
    *out = NULL;
    err[0] = '\0';
    ms_spam_rules *rules = calloc(1, sizeof(*rules));
    if (rules == NULL)
        return MS_ENOMEM;
    if (cache_dir && cache_dir[0] &&
        (rules->cache_dir = strdup(cache_dir)) == NULL) {
        free(rules);
        return MS_ENOMEM;
    }
    rules->required = 5.0;
    loader ld = {rules, err, err_size, "", 0, 0};
    ms_status rc = MS_OK;
    for (size_t i = 0; i < n_paths && rc == MS_OK; i++)
        rc = load_path(&ld, paths[i]);
    if (rc == MS_OK)
        rc = ms_spam_replace_apply(rules);
    if (rc == MS_OK)
        rc = finish_rules(rules);
    if (rc != MS_OK) {
        if (rc == MS_ENOMEM && err[0] == '\0')
            snprintf(err, err_size, "out of memory loading rules");
        ms_spam_rules_free(rules);
        return rc;
    }
    *out = rules;
    return MS_OK;
}

/* Frees a rule set. */
void ms_spam_rules_free(ms_spam_rules *rules)
{
    if (rules == NULL)
        return;
    for (size_t i = 0; i < rules->n_rules; i++) {
        spam_rule *r = &rules->rules[i];
        free(r->name);
        free(r->header);
        free(r->if_unset);
        free(r->pattern);
        free(r->meta_source);
        free(r->meta);
        free(r->describe);
        ms_spam_eval_free(r);
        if (r->re)
            pcre2_code_free(r->re);
    }
    for (size_t k = 0; k < rules->n_pf; k++) {
        hs_free_database(rules->pf[k].db);
        free(rules->pf[k].rule);
    }
    free(rules->pf);
    for (int k = 0; k < N_KINDS; k++)
        free(rules->always[k]);
    ms_spam_replace_free(rules->replace);
    free(rules->cache_dir);
    free(rules->metas);
    free(rules->meta_ops);
    free(rules->meta_at);
    free(rules->header_rules);
    free(rules->eval_rules);
    for (size_t k = 0; k < rules->n_freemail; k++)
        free(rules->freemail[k]);
    free(rules->freemail);
    free(rules->targets);
    free(rules->rules);
    free(rules);
}

/* Returns the score a rule set gives the named rule; see spam_rules.h. */
bool ms_spam_rules_score(const ms_spam_rules *rules, const char *name,
                         double *score)
{
    long i = ms_spam_rule_find(rules, name);
    if (i < 0 || !rules->rules[i].has_score)
        return false;
    /* score set 2: Bayes on, network tests off */
    *score = rules->rules[i].score[2];
    return true;
}

/* Fills the counts of a loaded rule set. */
void ms_spam_rules_get_stats(const ms_spam_rules *rules,
                             ms_spam_rules_stats *out)
{
    *out = rules->stats;
}
