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
 * Tokens (as SpamBayes and SpamAssassin's Bayes.pm make them; the text
 * before the first colon names the source):
 *   word              words of the rendered body, 3..12 bytes, lower-cased
 *   skip:c N          a longer word by first character and length in tens
 *   email name/addr:  the parts of an address written in the text
 *   subject:word      words of the Subject
 *   from:addr, from:domain, from:name, reply-to:domain, return-path:domain
 *   to:2**k, cc:2**k  how many recipients, by order of magnitude
 *   message-id:host   the host part of the Message-ID
 *   received:host     Received hosts and their parent domains, the /8,
 *                     /16 and /24 networks of their addresses, protocols
 *   x-mailer:...      the mailer, whole; list-id:, precedence: ... words
 *   content-type:, charset:, encoding:, filename:   of every MIME part
 *   proto:, url:host, url:path:word   links, split into host and words
 *   tag:name, attr:name   the markup of HTML parts (its text is words)
 *
 * Classification (Robinson, Fisher): for a token seen s times in nspam
 * spam and h times in nham ham, p = (s/nspam) / (s/nspam + h/nham), and
 * f = (S*X + n*p) / (S + n) with n = s + h, S the strength of the prior
 * and X its value. Tokens with |f - 0.5| below MIN_STRENGTH are dropped,
 * at most MAX_TOKENS of the strongest count, of which at most
 * MAX_MARKUP_TOKENS markup tokens, and of tokens with the very same
 * counts (seen in MIN_TWIN_COUNT mails or more) only the first: they
 * come from one source, such as the headers of a mailing list. Then
 *   H = 1 - chi2Q(-2 * sum ln f, 2N),  S = 1 - chi2Q(-2 * sum ln(1-f), 2N)
 * and the probability is (1 + S - H) / 2: S near 1 when the tokens are
 * spammy, H near 1 when they are hammy. The constants are SpamBayes's
 * defaults (unknown_word_strength 0.45, unknown_word_prob 0.5,
 * minimum_prob_strength 0.1, max_discriminators 150); SpamAssassin's
 * (S 0.160, X 0.538, strength 0.346) drop most tokens of an ordinary
 * mail and leave many spams at BAYES_50. The BAYES_xx bands and their
 * built-in scores are SpamAssassin's; rule sets may re-score them.
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

#define FW_S_CONST        0.45 /* strength of the prior */
#define FW_X_CONST        0.5  /* the prior of an unknown token */
#define MIN_STRENGTH      0.1  /* |f - 0.5| below this: token ignored */
#define MAX_TOKENS        150  /* strongest tokens used per mail */
#define MAX_MARKUP_TOKENS 4    /* of which markup tokens, at most */
#define MIN_TWIN_COUNT    10   /* twins seen in this many mails count once */
#define MIN_TRAINED       200  /* mails of each class before a verdict */
#define MAX_MAIL_TOKENS   5000 /* tokens taken from one mail */
#define MIN_WORD          3    /* words shorter than this are left out */
#define MAX_WORD          12   /* longer words count as "skip:" tokens */
#define MAX_HOST          253  /* longer host names are left out */
#define MAX_HOST_LEVELS   4    /* parent domains of at most 4 labels */
#define MAX_HOPS          8    /* Received hops read, the newest */
#define MAX_MAILER        40   /* bytes of X-Mailer taken as one token */

/* The top four bits of a token's hash name its family. Markup tokens
 * form one: see MAX_MARKUP_TOKENS. */
#define FAMILY_MASK   (0xFULL << 60)
#define FAMILY_MARKUP (0x1ULL << 60)

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

/* The tokens of one mail while they are collected: a linear-probe set of
 * hashes in the arena. It holds at most MAX_MAIL_TOKENS; the table has
 * four times as many slots so probes stay short. */
typedef struct token_set {
    uint64_t *table;
    size_t mask, n;
} token_set;

/* FNV-1a of "kind:text", lower-cased (no kind: the text alone), with the
 * family of the kind in the top bits. Never 0, the empty slot. */
static uint64_t token_hash(const char *kind, const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *k = kind; k && *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    if (kind)
        h = (h ^ (unsigned char)':') * 1099511628211ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)ms_ascii_lower(p[i])) * 1099511628211ULL;
    h &= ~FAMILY_MASK;
    if (kind && (strcmp(kind, "tag") == 0 || strcmp(kind, "attr") == 0))
        h |= FAMILY_MARKUP;
    return h ? h : 1;
}

/* Adds the token "kind:text" unless present; returns false when the set
 * is full (the caller may stop adding). */
static bool add_token(token_set *s, const char *kind, const char *p, size_t n)
{
    if (s->n >= MAX_MAIL_TOKENS)
        return false;
    uint64_t h = token_hash(kind, p, n);
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

/* Adds a NUL-terminated text as one token, when there is one. */
static void add_token_str(token_set *s, const char *kind, const char *z)
{
    if (z && z[0])
        add_token(s, kind, z, strlen(z));
}

/* Adds a count as "kind:2**k", k its binary order of magnitude: how many
 * recipients or hops tells more than the exact number. */
static void add_count(token_set *s, const char *kind, size_t count)
{
    char z[16];
    int k = 0;
    while (count >> k > 1)
        k++;
    int n = snprintf(z, sizeof(z), count ? "2**%d" : "none", k);
    add_token(s, kind, z, (size_t)n);
}

/* True for the punctuation around words that is not part of them. */
static bool is_word_edge(char c)
{
    return c != '\0' && strchr("\"'`()[]<>{},.;:!?*", c) != NULL;
}

/* True when p[0..n) is a dotted IPv4 address. */
static bool is_ipv4(const char *p, size_t n)
{
    size_t dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '.')
            dots++;
        else if (!ms_ascii_is_digit(p[i]))
            return false;
    }
    return dots == 3;
}

/* Adds a host: an IPv4 address as its /8, /16 and /24 networks
 * ("10", "10.1", "10.1.2"), a name as itself and its parent domains of
 * two labels or more ("mx.mail.example.com", ..., "example.com"): the
 * network and the registered domain are what a bulk sender keeps while
 * its host names and addresses vary. */
static void add_host(token_set *s, const char *kind, const char *p, size_t n)
{
    while (n > 0 && (p[n - 1] == '.' || p[n - 1] == ']'))
        n--;
    while (n > 0 && (p[0] == '[' || p[0] == '.'))
        p++, n--;
    if (n == 0 || n > MAX_HOST)
        return;
    if (is_ipv4(p, n)) {
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '.')
                add_token(s, kind, p, i);
        }
        return;
    }
    size_t dots = 0;
    for (size_t i = n; i-- > 0;) {
        if (p[i] == '.' && ++dots >= 2 && dots <= MAX_HOST_LEVELS)
            add_token(s, kind, p + i + 1, n - i - 1);
    }
    add_token(s, kind, p, n);
}

/* Adds the host of a NUL-terminated name or address, when there is one. */
static void add_host_str(token_set *s, const char *kind, const char *z)
{
    if (z && z[0])
        add_host(s, kind, z, strlen(z));
}

/* Adds one word of a text. Words of MIN_WORD..MAX_WORD bytes are tokens
 * as they are (lower-cased). Longer ones are mostly encoded data, glued
 * words or links, unique to a mail: an address counts by its parts, a
 * link is left to the link tokens, and the rest as "skip:" with the
 * first character and the length in tens, as SpamBayes does. */
static void add_word(token_set *s, const char *kind, const char *p, size_t n)
{
    if (n < MIN_WORD)
        return;
    if (n <= MAX_WORD) {
        add_token(s, kind, p, n);
        return;
    }
    const char *at = memchr(p, '@', n);
    if (at) {
        if (at > p)
            add_token(s, "email name", p, (size_t)(at - p));
        add_host(s, "email addr", at + 1, n - (size_t)(at + 1 - p));
        return;
    }
    ms_slice w = {p, n};
    if (ms_slice_starts_with_ci(w, "http") ||
        ms_slice_starts_with_ci(w, "www."))
        return;
    char z[32];
    int k = snprintf(z, sizeof(z), "%c %zu", ms_ascii_lower(p[0]), n / 10 * 10);
    add_token(s, "skip", z, (size_t)k);
}

/* Adds the words of a text: runs between white space, without the
 * punctuation around them. */
static void add_words(token_set *s, const char *kind, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && s->n < MAX_MAIL_TOKENS) {
        while (i < n && ms_ascii_is_space(p[i]))
            i++;
        size_t start = i;
        while (i < n && !ms_ascii_is_space(p[i]))
            i++;
        size_t end = i;
        while (start < end && is_word_edge(p[start]))
            start++;
        while (end > start && is_word_edge(p[end - 1]))
            end--;
        add_word(s, kind, p + start, end - start);
    }
}

/* Adds the words of a NUL-terminated text, when there is one. */
static void add_words_str(token_set *s, const char *kind, const char *z)
{
    if (z)
        add_words(s, kind, z, strlen(z));
}

/* Adds the tokens of one link ("scheme://host/path?query"): the scheme,
 * the host and its parent domains, and the words of the path and query
 * (split at / ? & = . - _ and the like). */
static void add_link(token_set *s, const char *p, size_t n)
{
    const char *colon = memmem(p, n, "://", 3);
    if (colon == NULL)
        return;
    add_token(s, "proto", p, (size_t)(colon - p));
    const char *host = colon + 3, *end = p + n;
    const char *q = host;
    while (q < end && *q != '/' && *q != '?' && *q != '#')
        q++;
    const char *h = host, *hend = q;
    const char *at = memchr(h, '@', (size_t)(hend - h));
    if (at) {
        add_token(s, "url", "@userinfo", 9);
        h = at + 1;
    }
    const char *port = memchr(h, ':', (size_t)(hend - h));
    if (port) {
        add_token(s, "url", ":port", 5);
        hend = port;
    }
    add_host(s, "url", h, (size_t)(hend - h));
    while (q < end) {
        while (q < end && !ms_ascii_is_alnum(*q) && (unsigned char)*q < 0x80)
            q++;
        const char *start = q;
        while (q < end && (ms_ascii_is_alnum(*q) || (unsigned char)*q >= 0x80))
            q++;
        size_t len = (size_t)(q - start);
        if (len >= MIN_WORD && len <= MAX_WORD)
            add_token(s, "url:path", start, len);
    }
}

/* Adds the markup of an HTML part, summarized: the name of every tag
 * and of its attributes ("tag:font", "attr:bgcolor"). Spam is written
 * with tools that leave their marks there (fonts, tables, hidden text,
 * images), while people's mailers write little markup. The words of the
 * rendered text come with the body. These tokens are a family: only
 * MAX_MARKUP_TOKENS of them count in a verdict. */
static void add_markup(token_set *s, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && s->n < MAX_MAIL_TOKENS) {
        const char *lt = memchr(p + i, '<', n - i);
        if (lt == NULL)
            break;
        i = (size_t)(lt - p) + 1;
        if (i < n && p[i] == '/')
            i++;
        size_t start = i;
        while (i < n && ms_ascii_is_alnum(p[i]))
            i++;
        if (i == start || i - start > MAX_WORD)
            continue;
        add_token(s, "tag", p + start, i - start);
        /* attribute names: identifiers followed by '=' up to '>' */
        while (i < n && p[i] != '>' && p[i] != '<') {
            if (p[i] == '"' || p[i] == '\'') {
                const char *close = memchr(p + i + 1, p[i], n - i - 1);
                i = close ? (size_t)(close - p) + 1 : n;
                continue;
            }
            size_t a = i;
            while (i < n && (ms_ascii_is_alnum(p[i]) || p[i] == '-'))
                i++;
            if (i > a && i < n && p[i] == '=' && i - a <= MAX_WORD)
                add_token(s, "attr", p + a, i - a);
            if (i == a)
                i++;
        }
    }
}

/* Headers whose words are tokens under the header's name: they say
 * which software and which lists a mail comes through. */
static const char *const word_headers[] = {
    "list-id",           "precedence",   "organization",
    "x-priority",        "importance",   "x-mimeole",
    "x-msmail-priority", "mime-version", "content-type",
};

/* Adds the tokens of the top-level header: the words of the fields
 * above, the whole of the mailer's name and how many Received fields
 * there are. The names of the fields are no tokens (SpamBayes leaves
 * them out too): the List-* fields come by the half dozen, and spam
 * sent through a list was outvoted by them whatever its words. */
static void add_header_fields(token_set *s, const ms_part *root)
{
    size_t n_received = 0;
    for (size_t i = 0; i < root->n_headers; i++) {
        const ms_header *h = &root->headers[i];
        char name[64];
        size_t n = h->name.n < sizeof(name) - 1 ? h->name.n : sizeof(name) - 1;
        for (size_t k = 0; k < n; k++)
            name[k] = ms_ascii_lower(h->name.p[k]);
        name[n] = '\0';
        if (strcmp(name, "received") == 0)
            n_received++;
        if (strcmp(name, "x-mailer") == 0 || strcmp(name, "user-agent") == 0) {
            size_t len = h->value_len < MAX_MAILER ? h->value_len : MAX_MAILER;
            add_token(s, "x-mailer", h->value, len);
            continue;
        }
        for (size_t k = 0; k < sizeof(word_headers) / sizeof(char *); k++) {
            if (strcmp(name, word_headers[k]) == 0) {
                add_words(s, word_headers[k], h->value, h->value_len);
                break;
            }
        }
    }
    add_count(s, "received", n_received);
}

/* Adds the tokens of the addresses: the sender's address, domain and
 * display name words, the Reply-To and Return-Path domains, and how many
 * recipients there are. */
static void add_addresses(token_set *s, const ms_message *m)
{
    if (m->from.n > 0) {
        const ms_address *a = &m->from.items[0];
        add_token_str(s, "from:addr", a->address);
        add_host_str(s, "from:domain", a->domain);
        if (a->name && a->name[0])
            add_words_str(s, "from:name", a->name);
        else
            add_token(s, "from", "no real name", 12);
    } else {
        add_token(s, "from", "none", 4);
    }
    if (m->reply_to.n > 0) {
        const char *domain = m->reply_to.items[0].domain;
        add_host_str(s, "reply-to:domain", domain);
        if (m->from.n > 0 && domain &&
            strcmp(domain, m->from.items[0].domain) != 0)
            add_token(s, "reply-to", "other domain", 12);
    }
    if (m->return_path.n > 0)
        add_host_str(s, "return-path:domain", m->return_path.items[0].domain);
    add_count(s, "to", m->to.n);
    add_count(s, "cc", m->cc.n);
    if (m->message_id) {
        const char *at = strrchr(m->message_id, '@');
        add_host_str(s, "message-id", at ? at + 1 : "no domain");
    } else {
        add_token(s, "message-id", "none", 4);
    }
}

/* Adds the tokens of the Received chain, hop by hop: the sending host's
 * name, HELO and address, the receiving host and the protocol. */
static void add_received(token_set *s, const ms_message *m)
{
    size_t first = m->n_received > MAX_HOPS ? m->n_received - MAX_HOPS : 0;
    for (size_t i = first; i < m->n_received; i++) {
        const ms_received_hop *hop = &m->received[i];
        if (!hop->parsed) {
            add_token(s, "received", "unparsed", 8);
            continue;
        }
        add_host_str(s, "received", hop->from_host);
        add_host_str(s, "received", hop->helo);
        add_host_str(s, "received", hop->from_ip);
        add_host_str(s, "received", hop->by_host);
        add_token_str(s, "received:with", hop->with);
    }
}

/* Adds the tokens of the MIME structure: every part's type, charset,
 * transfer encoding and file name extension, and the markup of HTML. */
static void add_parts(token_set *s, const ms_message *m)
{
    for (size_t i = 0; i < m->n_parts; i++) {
        const ms_part *p = m->parts[i];
        add_token_str(s, "content-type", p->content_type);
        add_token_str(s, "charset", p->charset);
        add_token_str(s, "encoding", p->transfer_encoding);
        if (p->filename) {
            const char *dot = strrchr(p->filename, '.');
            add_token_str(s, "filename", dot ? dot : "no extension");
        }
        if (p->text && p->content_type &&
            strcmp(p->content_type, "text/html") == 0)
            add_markup(s, p->text, p->text_len);
    }
}

/* Extracts the distinct tokens of a mail; see bayes.h. */
ms_status ms_bayes_tokenize(ms_arena *a, const ms_message *m,
                            ms_bayes_tokens *out)
{
    token_set s;
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
    /* the header first: when a mail has more tokens than are kept, the
     * long body gives up its tail */
    add_words_str(&s, "subject", m->subject);
    add_addresses(&s, m);
    if (m->root)
        add_header_fields(&s, m->root);
    add_received(&s, m);
    add_parts(&s, m);
    for (size_t i = 0; i < uris.n;) {
        const char *line = uris.p + i;
        const char *nl = memchr(line, '\n', uris.n - i);
        size_t len = nl ? (size_t)(nl - line) : uris.n - i;
        add_link(&s, line, len);
        i += len + 1;
    }
    add_words(&s, NULL, body.p ? body.p : "", body.n);
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

/* The probability of one token of a mail, whether it is markup, and
 * the counts it was computed from. */
typedef struct token_prob {
    float f; /* float: MAX_MAIL_TOKENS of them live on the stack */
    bool markup;
    uint32_t spam, ham;
} token_prob;

/* Orders token strengths, strongest first. */
static int compare_strength(const void *a, const void *b)
{
    double x = fabs(((const token_prob *)a)->f - 0.5);
    double y = fabs(((const token_prob *)b)->f - 0.5);
    return x < y ? 1 : (x > y ? -1 : 0);
}

/* True when a token has the same counts as one of the kept[0..n_kept)
 * and was seen in at least MIN_TWIN_COUNT mails. Such twins travel
 * together: the Return-Path domain, the List-Id words and the Received
 * hosts of a mailing list are in every mail it relays, and counted one
 * by one they would outvote the words of a spam sent through it. Two
 * unrelated tokens share both counts now and then, rarely once they
 * are seen in a few mails; for tokens seen once or twice it is the
 * rule, so those always count. */
static bool is_twin(const token_prob *kept, size_t n_kept, const token_prob *t)
{
    if ((uint64_t)t->spam + t->ham < MIN_TWIN_COUNT)
        return false;
    for (size_t i = 0; i < n_kept; i++) {
        if (kept[i].spam == t->spam && kept[i].ham == t->ham)
            return true;
    }
    return false;
}

/* Classifies the tokens of one mail; see bayes.h. */
void ms_bayes_classify(const ms_bayes_snapshot *s, const ms_bayes_tokens *t,
                       ms_bayes_result *out)
{
    memset(out, 0, sizeof(*out));
    if (s == NULL || s->nspam < MIN_TRAINED || s->nham < MIN_TRAINED)
        return;
    token_prob probs[MAX_MAIL_TOKENS];
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
        probs[n].f = (float)f;
        probs[n].spam = s->slots[i].spam;
        probs[n].ham = s->slots[i].ham;
        probs[n++].markup = (key & FAMILY_MASK) == FAMILY_MARKUP;
    }
    /* the strongest first; markup tokens come together (a mail written
     * in HTML has dozens at once), so a few of them speak for all, and
     * twins count once */
    qsort(probs, n, sizeof(probs[0]), compare_strength);
    size_t kept = 0, n_markup = 0;
    for (size_t i = 0; i < n && kept < MAX_TOKENS; i++) {
        if (probs[i].markup && n_markup++ >= MAX_MARKUP_TOKENS)
            continue;
        if (is_twin(probs, kept, &probs[i]))
            continue;
        probs[kept++] = probs[i];
    }
    n = kept;
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
            ln_f += log(probs[i].f);
            ln_1f += log(1.0 - probs[i].f);
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
