/* SPDX-License-Identifier: MIT */
/*
 * The Bayesian filter (see bayes.h).
 *
 * Store layout (SQLite, WAL journal so readers never wait for a trainer):
 *   tokens(h INTEGER PRIMARY KEY, spam INTEGER, ham INTEGER)
 *   seen(id TEXT PRIMARY KEY, spam INTEGER)      mails learnt and as what
 *   vars(name TEXT PRIMARY KEY, value INTEGER)   nspam, nham
 * A token is the 64-bit FNV-1a hash of its text: the store stays small
 * and lookups are integer keys.
 *
 * Classification (Robinson, Fisher): for a token seen s times in nspam
 * spam and h times in nham ham, p = (s/nspam) / (s/nspam + h/nham), and
 * f = (S*X + n*p) / (S + n) with n = s + h, S the strength of the prior
 * and X its value. Tokens with |f - 0.5| below MIN_STRENGTH are dropped,
 * at most MAX_TOKENS of the strongest count. Then
 *   H = 1 - chi2Q(-2 * sum ln f, 2N),  S = 1 - chi2Q(-2 * sum ln(1-f), 2N)
 * and the probability is (1 + S - H) / 2: S near 1 when the tokens are
 * spammy, H near 1 when they are hammy. The constants are
 * SpamAssassin's defaults, and so are the BAYES_xx bands and scores.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "analysis/bayes.h"
#include "analysis/spam_rules.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/vec.h"

#define FW_S_CONST      0.160 /* strength of the prior */
#define FW_X_CONST      0.538 /* the prior of an unknown token */
#define MIN_STRENGTH    0.346 /* |f - 0.5| below this: token ignored */
#define MAX_TOKENS      150   /* strongest tokens used per mail */
#define MIN_TRAINED     200   /* mails of each class before a verdict */
#define MAX_MAIL_TOKENS 5000  /* tokens taken from one mail */
#define MIN_WORD        3
#define MAX_WORD        15

struct ms_bayes_db {
    sqlite3 *db;
    sqlite3_stmt *get_seen, *put_seen, *del_seen, *bump, *get_var, *set_var;
    long long nspam, nham;
};

/* One slot of the snapshot's hash table. */
typedef struct slot {
    uint64_t key; /* 0: empty */
    uint32_t spam, ham;
} slot;

struct ms_bayes_snapshot {
    slot *slots;
    size_t mask;
    long long nspam, nham;
};

/* FNV-1a of a prefix and a text. */
static uint64_t token_hash(char prefix, const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (unsigned char)prefix) * 1099511628211ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h ? h : 1;
}

/* Adds a token unless present (linear probe set in the arena). */
typedef struct token_set {
    uint64_t *table;
    size_t mask, n;
} token_set;

/* Inserts h; returns false when the set is full. */
static bool set_add(token_set *s, uint64_t h)
{
    if (s->n * 2 >= s->mask)
        return false;
    size_t i = (size_t)h & s->mask;
    while (s->table[i]) {
        if (s->table[i] == h)
            return true;
        i = (i + 1) & s->mask;
    }
    s->table[i] = h;
    s->n++;
    return true;
}

/* Adds the words of a text, lower-cased, with a prefix per source. */
static void add_words(token_set *s, char prefix, const char *p, size_t n)
{
    char word[MAX_WORD + 1];
    size_t i = 0;
    while (i < n) {
        while (i < n &&
               (ms_ascii_is_space(p[i]) || p[i] == '"' || p[i] == '(' ||
                p[i] == ')' || p[i] == ',' || p[i] == '<' || p[i] == '>' ||
                p[i] == '[' || p[i] == ']'))
            i++;
        size_t start = i;
        while (i < n && !ms_ascii_is_space(p[i]))
            i++;
        size_t end = i;
        /* trailing punctuation is not part of the word */
        while (end > start &&
               (p[end - 1] == '.' || p[end - 1] == ',' || p[end - 1] == '!' ||
                p[end - 1] == '?' || p[end - 1] == ':' || p[end - 1] == ';' ||
                p[end - 1] == ')' || p[end - 1] == '"'))
            end--;
        size_t len = end - start;
        if (len < MIN_WORD)
            continue;
        if (len > MAX_WORD) {
            /* long runs (encoded data, URLs) count by their kind only */
            char kind[16];
            int k = snprintf(kind, sizeof(kind), "sk:%c%zu",
                             ms_ascii_lower(p[start]), len / 10);
            if (!set_add(s, token_hash(prefix, kind, (size_t)k)))
                return;
            continue;
        }
        for (size_t k = 0; k < len; k++)
            word[k] = ms_ascii_lower(p[start + k]);
        if (!set_add(s, token_hash(prefix, word, len)))
            return;
    }
}

/* Adds a header-derived token ("H" prefix family). */
static void add_header_token(token_set *s, char prefix, const char *z)
{
    if (z && z[0])
        set_add(s, token_hash(prefix, z, strlen(z)));
}

/* Headers whose words are tokens, each under its own prefix: who sent
 * it, through which hosts and with which software says as much as the
 * body (bulk senders keep their infrastructure, not their wording). */
static const char *const word_headers[] = {
    "from",         "to",           "cc",           "reply-to",
    "return-path",  "received",     "message-id",   "x-mailer",
    "user-agent",   "content-type", "list-id",      "precedence",
    "organization", "x-priority",   "mime-version", "x-msmail-priority",
};

/* Adds the header tokens of a mail: the name of every header present
 * (unusual headers are telling) and the words of the headers above. */
static void add_header_tokens(token_set *s, const ms_message *m)
{
    if (m->root == NULL)
        return;
    for (size_t i = 0; i < m->root->n_headers; i++) {
        const ms_header *h = &m->root->headers[i];
        char name[64];
        size_t n = h->name.n < sizeof(name) - 1 ? h->name.n : sizeof(name) - 1;
        for (size_t k = 0; k < n; k++)
            name[k] = ms_ascii_lower(h->name.p[k]);
        name[n] = '\0';
        set_add(s, token_hash('n', name, n));
        for (size_t k = 0; k < sizeof(word_headers) / sizeof(char *); k++) {
            if (strcmp(name, word_headers[k]) == 0) {
                /* one prefix byte per header: 'A' + its index */
                add_words(s, (char)('A' + k), h->value, h->value_len);
                break;
            }
        }
    }
}

/* Extracts the distinct tokens of a mail; see bayes.h. */
ms_status ms_bayes_tokenize(ms_arena *a, const ms_message *m,
                            ms_bayes_tokens *out)
{
    token_set s;
    /* a power of two at least twice the most tokens kept */
    size_t cap = 1;
    while (cap < 4 * MAX_MAIL_TOKENS)
        cap <<= 1;
    s.mask = cap - 1;
    s.n = 0;
    s.table = ms_arena_calloc(a, cap, sizeof(uint64_t));
    if (s.table == NULL)
        return MS_ENOMEM;
    ms_buf body;
    ms_buf_init(&body, 0);
    ms_buf uris;
    ms_buf_init(&uris, 0);
    ms_spam_texts(m, &body, NULL, &uris);
    add_words(&s, 'b', body.p ? body.p : "", body.n);
    if (m->subject)
        add_words(&s, 's', m->subject, strlen(m->subject));
    if (m->from.n > 0)
        add_header_token(&s, 'f', m->from.items[0].domain);
    if (m->reply_to.n > 0)
        add_header_token(&s, 'r', m->reply_to.items[0].domain);
    add_header_tokens(&s, m);
    if (m->root && m->root->content_type)
        add_header_token(&s, 'c', m->root->content_type);
    /* link hosts: "http://host/..." lines */
    for (size_t i = 0; i < uris.n;) {
        const char *line = uris.p + i;
        const char *nl = memchr(line, '\n', uris.n - i);
        size_t len = nl ? (size_t)(nl - line) : uris.n - i;
        const char *host = memmem(line, len, "://", 3);
        if (host) {
            host += 3;
            size_t hl = 0;
            while (host + hl < line + len && host[hl] != '/' &&
                   host[hl] != ':' && host[hl] != '?')
                hl++;
            char lower[256];
            if (hl > 0 && hl < sizeof(lower)) {
                for (size_t k = 0; k < hl; k++)
                    lower[k] = ms_ascii_lower(host[k]);
                set_add(&s, token_hash('u', lower, hl));
            }
        }
        i += len + 1;
    }
    ms_buf_free(&body);
    ms_buf_free(&uris);
    out->items = ms_arena_alloc(a, (s.n + 1) * sizeof(uint64_t));
    if (out->items == NULL)
        return MS_ENOMEM;
    out->n = 0;
    for (size_t i = 0; i <= s.mask; i++) {
        if (s.table[i])
            out->items[out->n++] = s.table[i];
    }
    return MS_OK;
}

/* Prepares one statement; false on failure. */
static bool prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK;
}

/* Reads a counter from vars. */
static long long get_var(ms_bayes_db *b, const char *name)
{
    long long v = 0;
    sqlite3_bind_text(b->get_var, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(b->get_var) == SQLITE_ROW)
        v = sqlite3_column_int64(b->get_var, 0);
    sqlite3_reset(b->get_var);
    return v;
}

/* Writes a counter to vars. */
static bool set_var(ms_bayes_db *b, const char *name, long long v)
{
    sqlite3_bind_text(b->set_var, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(b->set_var, 2, v);
    bool ok = sqlite3_step(b->set_var) == SQLITE_DONE;
    sqlite3_reset(b->set_var);
    return ok;
}

/* Opens (creating when missing) the store at path; see bayes.h. */
ms_status ms_bayes_open(const char *path, ms_bayes_db **out, char *err,
                        size_t err_size)
{
    ms_bayes_db *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return MS_ENOMEM;
    if (sqlite3_open(path, &b->db) != SQLITE_OK) {
        snprintf(err, err_size, "cannot open the Bayes store %s: %s", path,
                 sqlite3_errmsg(b->db));
        ms_bayes_close(b);
        return MS_EIO;
    }
    sqlite3_busy_timeout(b->db, 10000);
    const char *schema =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS tokens(h INTEGER PRIMARY KEY,"
        " spam INTEGER NOT NULL, ham INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS seen(id TEXT PRIMARY KEY,"
        " spam INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS vars(name TEXT PRIMARY KEY,"
        " value INTEGER NOT NULL);";
    char *msg = NULL;
    if (sqlite3_exec(b->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
        !prepare(b->db, "SELECT spam FROM seen WHERE id=?", &b->get_seen) ||
        !prepare(b->db, "INSERT OR REPLACE INTO seen(id,spam) VALUES(?,?)",
                 &b->put_seen) ||
        !prepare(b->db, "DELETE FROM seen WHERE id=?", &b->del_seen) ||
        !prepare(b->db,
                 "INSERT INTO tokens(h,spam,ham) VALUES(?1,max(?2,0),max(?3,"
                 "0)) ON CONFLICT(h) DO UPDATE SET spam=max(spam+?2,0),"
                 " ham=max(ham+?3,0)",
                 &b->bump) ||
        !prepare(b->db, "SELECT value FROM vars WHERE name=?", &b->get_var) ||
        !prepare(b->db, "INSERT OR REPLACE INTO vars(name,value) VALUES(?,?)",
                 &b->set_var)) {
        snprintf(err, err_size, "cannot use the Bayes store %s: %s", path,
                 msg ? msg : sqlite3_errmsg(b->db));
        sqlite3_free(msg);
        ms_bayes_close(b);
        return MS_EIO;
    }
    b->nspam = get_var(b, "nspam");
    b->nham = get_var(b, "nham");
    *out = b;
    return MS_OK;
}

/* Closes the store. */
void ms_bayes_close(ms_bayes_db *b)
{
    if (b == NULL)
        return;
    sqlite3_finalize(b->get_seen);
    sqlite3_finalize(b->put_seen);
    sqlite3_finalize(b->del_seen);
    sqlite3_finalize(b->bump);
    sqlite3_finalize(b->get_var);
    sqlite3_finalize(b->set_var);
    sqlite3_close(b->db);
    free(b);
}

/* Starts a batch of training. */
ms_status ms_bayes_begin(ms_bayes_db *b)
{
    return sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
               ? MS_OK
               : MS_EIO;
}

/* Commits a batch of training with the class counters. */
ms_status ms_bayes_commit(ms_bayes_db *b)
{
    if (!set_var(b, "nspam", b->nspam) || !set_var(b, "nham", b->nham))
        return MS_EIO;
    return sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK
               ? MS_OK
               : MS_EIO;
}

/* Adds ds and dh to the counts of every token. */
static ms_status bump_tokens(ms_bayes_db *b, const ms_bayes_tokens *t, int ds,
                             int dh)
{
    for (size_t i = 0; i < t->n; i++) {
        sqlite3_bind_int64(b->bump, 1, (sqlite3_int64)t->items[i]);
        sqlite3_bind_int(b->bump, 2, ds);
        sqlite3_bind_int(b->bump, 3, dh);
        int rc = sqlite3_step(b->bump);
        sqlite3_reset(b->bump);
        if (rc != SQLITE_DONE)
            return MS_EIO;
    }
    return MS_OK;
}

/* Returns how a mail was learnt: 1 spam, 0 ham, -1 not learnt. */
static int seen_as(ms_bayes_db *b, const char *id)
{
    int v = -1;
    sqlite3_bind_text(b->get_seen, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(b->get_seen) == SQLITE_ROW)
        v = sqlite3_column_int(b->get_seen, 0);
    sqlite3_reset(b->get_seen);
    return v;
}

/* Forgets what was learnt from a mail; see bayes.h. */
ms_status ms_bayes_forget(ms_bayes_db *b, const char *id,
                          const ms_bayes_tokens *t, bool *changed)
{
    *changed = false;
    int was = seen_as(b, id);
    if (was < 0)
        return MS_OK;
    ms_status rc = bump_tokens(b, t, was ? -1 : 0, was ? 0 : -1);
    if (rc != MS_OK)
        return rc;
    if (was)
        b->nspam--;
    else
        b->nham--;
    sqlite3_bind_text(b->del_seen, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(b->del_seen);
    sqlite3_reset(b->del_seen);
    *changed = true;
    return step == SQLITE_DONE ? MS_OK : MS_EIO;
}

/* Learns a mail as spam or ham; see bayes.h. */
ms_status ms_bayes_learn(ms_bayes_db *b, const char *id,
                         const ms_bayes_tokens *t, bool spam, bool *changed)
{
    *changed = false;
    int was = seen_as(b, id);
    if (was == (spam ? 1 : 0))
        return MS_OK;
    bool forgot;
    ms_status rc = ms_bayes_forget(b, id, t, &forgot);
    if (rc != MS_OK)
        return rc;
    rc = bump_tokens(b, t, spam ? 1 : 0, spam ? 0 : 1);
    if (rc != MS_OK)
        return rc;
    if (spam)
        b->nspam++;
    else
        b->nham++;
    sqlite3_bind_text(b->put_seen, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(b->put_seen, 2, spam);
    int step = sqlite3_step(b->put_seen);
    sqlite3_reset(b->put_seen);
    *changed = true;
    return step == SQLITE_DONE ? MS_OK : MS_EIO;
}

/* The counts of mails learnt. */
void ms_bayes_counts(ms_bayes_db *b, long long *n_spam, long long *n_ham)
{
    *n_spam = b->nspam;
    *n_ham = b->nham;
}

/* Loads the store into a read-only snapshot; see bayes.h. */
ms_status ms_bayes_snapshot_load(const char *path, ms_bayes_snapshot **out,
                                 char *err, size_t err_size)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, err_size, "cannot open the Bayes store %s: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return MS_EIO;
    }
    ms_bayes_snapshot *s = calloc(1, sizeof(*s));
    sqlite3_stmt *count = NULL, *rows = NULL, *vars = NULL;
    ms_status rc = s ? MS_OK : MS_ENOMEM;
    if (rc == MS_OK &&
        (!prepare(db, "SELECT count(*) FROM tokens", &count) ||
         !prepare(db, "SELECT h, spam, ham FROM tokens", &rows) ||
         !prepare(db, "SELECT name, value FROM vars", &vars))) {
        snprintf(err, err_size, "%s is not a Bayes store: %s", path,
                 sqlite3_errmsg(db));
        rc = MS_EINVAL;
    }
    if (rc == MS_OK) {
        long long n = sqlite3_step(count) == SQLITE_ROW
                          ? sqlite3_column_int64(count, 0)
                          : 0;
        size_t cap = 1024;
        while (cap < (size_t)n * 2)
            cap <<= 1;
        s->slots = calloc(cap, sizeof(slot));
        s->mask = cap - 1;
        if (s->slots == NULL)
            rc = MS_ENOMEM;
    }
    while (rc == MS_OK && sqlite3_step(rows) == SQLITE_ROW) {
        uint64_t key = (uint64_t)sqlite3_column_int64(rows, 0);
        size_t i = (size_t)key & s->mask;
        while (s->slots[i].key && s->slots[i].key != key)
            i = (i + 1) & s->mask;
        s->slots[i].key = key;
        s->slots[i].spam = (uint32_t)sqlite3_column_int64(rows, 1);
        s->slots[i].ham = (uint32_t)sqlite3_column_int64(rows, 2);
    }
    while (rc == MS_OK && sqlite3_step(vars) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(vars, 0);
        if (name && strcmp(name, "nspam") == 0)
            s->nspam = sqlite3_column_int64(vars, 1);
        else if (name && strcmp(name, "nham") == 0)
            s->nham = sqlite3_column_int64(vars, 1);
    }
    sqlite3_finalize(count);
    sqlite3_finalize(rows);
    sqlite3_finalize(vars);
    sqlite3_close(db);
    if (rc != MS_OK) {
        if (rc == MS_ENOMEM)
            snprintf(err, err_size, "out of memory loading %s", path);
        ms_bayes_snapshot_free(s);
        return rc;
    }
    *out = s;
    return MS_OK;
}

/* Frees a snapshot. */
void ms_bayes_snapshot_free(ms_bayes_snapshot *s)
{
    if (s == NULL)
        return;
    free(s->slots);
    free(s);
}

/* The upper tail of the chi-square distribution with v (even) degrees of
 * freedom at x2. */
static double chi2q(double x2, size_t v)
{
    double m = x2 / 2.0;
    double term = exp(-m), sum = term;
    for (size_t i = 1; i < v / 2; i++) {
        term *= m / (double)i;
        sum += term;
    }
    return sum < 1.0 ? sum : 1.0;
}

/* Orders token strengths, strongest first. */
static int compare_strength(const void *a, const void *b)
{
    double x = fabs(*(const double *)a - 0.5);
    double y = fabs(*(const double *)b - 0.5);
    return x < y ? 1 : (x > y ? -1 : 0);
}

/* Classifies the tokens of one mail; see bayes.h. */
void ms_bayes_classify(const ms_bayes_snapshot *s, const ms_bayes_tokens *t,
                       ms_bayes_result *out)
{
    memset(out, 0, sizeof(*out));
    if (s == NULL || s->nspam < MIN_TRAINED || s->nham < MIN_TRAINED)
        return;
    double probs[MAX_MAIL_TOKENS];
    size_t n = 0;
    for (size_t k = 0; k < t->n && n < MAX_MAIL_TOKENS; k++) {
        uint64_t key = t->items[k];
        size_t i = (size_t)key & s->mask;
        while (s->slots[i].key && s->slots[i].key != key)
            i = (i + 1) & s->mask;
        if (s->slots[i].key != key)
            continue;
        double sp = (double)s->slots[i].spam / (double)s->nspam;
        double hp = (double)s->slots[i].ham / (double)s->nham;
        if (sp + hp <= 0)
            continue;
        double p = sp / (sp + hp);
        double cnt = (double)s->slots[i].spam + (double)s->slots[i].ham;
        double f = (FW_S_CONST * FW_X_CONST + cnt * p) / (FW_S_CONST + cnt);
        if (fabs(f - 0.5) < MIN_STRENGTH)
            continue;
        probs[n++] = f;
    }
    if (n > MAX_TOKENS) {
        qsort(probs, n, sizeof(double), compare_strength);
        n = MAX_TOKENS;
    }
    static const struct {
        double low;
        const char *rule;
        double score;
    } bands[] = {
        {0.99, "BAYES_99", 3.5},    {0.95, "BAYES_95", 3.0},
        {0.80, "BAYES_80", 2.0},    {0.60, "BAYES_60", 1.5},
        {0.40, "BAYES_50", 0.8},    {0.20, "BAYES_40", -0.001},
        {0.05, "BAYES_20", -0.001}, {0.01, "BAYES_05", -0.5},
        {0.00, "BAYES_00", -1.9},
    };
    double prob = 0.5;
    if (n > 0) {
        double ln_f = 0, ln_1f = 0;
        for (size_t i = 0; i < n; i++) {
            ln_f += log(probs[i]);
            ln_1f += log(1.0 - probs[i]);
        }
        double h = 1.0 - chi2q(-2.0 * ln_f, 2 * n);
        double sp = 1.0 - chi2q(-2.0 * ln_1f, 2 * n);
        prob = (1.0 + sp - h) / 2.0;
    }
    out->used = true;
    out->probability = prob;
    out->n_tokens = n;
    for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++) {
        if (prob >= bands[i].low) {
            out->rule = bands[i].rule;
            out->score = bands[i].score;
            break;
        }
    }
}
