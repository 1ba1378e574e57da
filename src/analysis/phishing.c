/* SPDX-License-Identifier: MIT */
/*
 * The phishing analyzer; see phishing.h.
 *
 * Every keyword word, subject word and phrase of every list becomes one
 * literal of a single Hyperscan database. A mail's texts (bodies,
 * subject, From, URLs, attachment text and names) are each normalized
 * (lower-case, white space collapsed) and scanned once; the scan sets,
 * per text, a bit for each literal found anywhere (SpamScope's substring
 * semantics) and one for each literal found on word boundaries (what the
 * detector trusts: "chase" must not fire on "purchase"). Keyword lines
 * and phrases are then answered from the bits.
 *
 * The lookalike checks (edit distance, homoglyph skeletons, brand names
 * inside foreign domains) are written here: they are small, specific to
 * this use, and no Debian library does them.
 */
#include "analysis/phishing.h"

#include <hs/hs.h>
#include <libpsl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "html/render.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/hs_cache.h"
#include "util/utf8.h"

/* The texts of a mail that are scanned, each with its own bits. */
enum {
    F_BODY,      /* text parts as decoded, markup included (SpamScope) */
    F_URLS_BODY, /* URLs found in the bodies */
    F_ATT_TEXT,  /* text of the text attachments */
    F_URLS_ATT,  /* URLs found in attachments */
    F_FILENAMES, /* names of attachments and archived files */
    F_FROM,      /* the From header */
    F_SUBJECT,   /* the subject */
    F_VISIBLE,   /* plain text and rendered HTML text */
    F_DISPLAY,   /* From display names */
    F_COUNT
};

/* SpamScope's bits, in order. */
static const char *const bit_names[8] = {"mail_body",
                                         "urls_body",
                                         "text_attachments",
                                         "urls_attachments",
                                         "filename_attachments",
                                         "mail_from",
                                         "mail_subject",
                                         "mail_form"};

/* The detector's signals with their default weights (the same values as
 * conf/phishing/signals.yml). */
enum {
    S_BRAND_DISPLAY_NAME,
    S_BRAND_SUBJECT,
    S_BRAND_BODY,
    S_LOOKALIKE_DOMAIN,
    S_BRAND_IN_SUBDOMAIN,
    S_TEXT_HREF_MISMATCH,
    S_CREDENTIAL_FORM,
    S_FORM_IN_BODY,
    S_HTML_ATTACHMENT_FORM,
    S_HTML_ATTACHMENT_REMOTE,
    S_REPLY_TO_MISMATCH,
    S_RETURN_PATH_MISMATCH,
    S_DISPLAY_NAME_ADDRESS,
    S_IP_HOST_LINK,
    S_SHORTENER,
    S_REDIRECT,
    S_DATA_URI,
    S_MIXED_SCRIPT,
    S_FREE_MAIL_BRAND,
    S_URGENCY,
    S_CREDENTIAL_REQUEST,
    S_ATTACHMENT_EXECUTABLE,
    S_ATTACHMENT_MACRO,
    S_ATTACHMENT_DOUBLE_EXTENSION,
    S_ATTACHMENT_ENCRYPTED,
    S_ATTACHMENT_PDF_ACTION,
    S_ATTACHMENT_DISK_IMAGE,
    S_QR_CODE,
    S_LURE,
    S_SUSPICIOUS_TLD,
    S_FREE_HOSTING_LINK,
    S_OBFUSCATED_TEXT,
    S_REPLY_TO_FREE_MAIL,
    S_INVALID_SENDER,
    S_RECIPIENT_IN_TEXT,
    S_SYMBOLS_DISPLAY_NAME,
    S_SYMBOLS_SUBJECT,
    S_LINKS_ELSEWHERE,
    S_AUTH_FAIL,
    S_RANDOM_SENDER_DOMAIN,
    S_MONEY_SUBJECT,
    S_THIN_HTML_BODY,
    S_SCAM,
    S_SENDER_UNALIGNED,
    S_FREE_MAIL_ODD_NAME,
    S_RANDOM_TOKEN,
    S_UNVERIFIED_LURE,
    S_REPLY_BAIT,
    S_DISPLAY_NAME_DOMAIN,
    S_ATTACHMENT_ONLY,
    S_SINGLE_CALL_TO_ACTION,
    S_BRAND_SENDER_SPOOFED,
    S_RANDOM_LOCAL_PART,
    S_THROWAWAY_SENDER,
    S_THIN_HTML_BAIT,
    S_ABUSED_LINKS_ONLY,
    S_CALLBACK_LURE,
    S_CONTACT_FREE_MAIL,
    S_DIVERTED_REPLY,
    S_COUNT
};

static const struct {
    const char *name;
    int weight;
} signal_defaults[S_COUNT] = {
    {"brand_display_name", 42},
    {"brand_subject", 15},
    {"brand_body", 10},
    {"lookalike_domain", 40},
    {"brand_in_subdomain", 35},
    {"text_href_mismatch", 10},
    {"credential_form", 35},
    {"form_in_body", 0},
    {"html_attachment_form", 45},
    {"html_attachment_remote", 30},
    {"reply_to_mismatch", 10},
    {"return_path_mismatch", 0},
    {"display_name_address", 25},
    {"ip_host_link", 20},
    {"shortener", 8},
    {"redirect", 8},
    {"data_uri", 20},
    {"mixed_script", 40},
    {"free_mail_brand", 20},
    {"urgency", 8},
    {"credential_request", 12},
    {"attachment_executable", 40},
    {"attachment_macro", 35},
    {"attachment_double_extension", 40},
    {"attachment_encrypted", 25},
    {"attachment_pdf_action", 20},
    {"attachment_disk_image", 30},
    {"qr_code", 30},
    {"lure", 10},
    {"suspicious_tld", 12},
    {"free_hosting_link", 15},
    {"obfuscated_text", 35},
    {"reply_to_free_mail", 20},
    {"invalid_sender", 20},
    {"recipient_in_text", 30},
    {"symbols_display_name", 25},
    {"symbols_subject", 8},
    {"links_elsewhere", 10},
    {"auth_fail", 30},
    {"random_sender_domain", 15},
    {"money_subject", 10},
    {"thin_html_body", 15},
    {"scam", 10},
    {"sender_unaligned", 15},
    {"free_mail_odd_name", 15},
    {"random_token", 10},
    {"unverified_lure", 20},
    {"reply_bait", 10},
    {"display_name_domain", 15},
    {"attachment_only", 15},
    {"single_call_to_action", 10},
    {"brand_sender_spoofed", 20},
    {"random_local_part", 25},
    {"throwaway_sender", 10},
    {"thin_html_bait", 10},
    {"abused_links_only", 20},
    {"callback_lure", 25},
    {"contact_free_mail", 20},
    {"diverted_reply", 20},
};

/* Phrase counts past this add nothing more. */
#define MAX_PHRASE_COUNT 3

/* Visible characters past which a mail is long (a newsletter, a digest,
 * a thread): its phrases weigh half, as a few bait words are bound to
 * occur somewhere in that much text, while a lure is short. */
#define LONG_TEXT_CHARS 3000

/* Words that, joined to a brand name, make a phishing domain:
 * paypal-secure, securepaypal, microsoftsupport. */
static const char *const phishy_words[] = {
    "secure",     "security",     "login",    "logon",    "signin",
    "verify",     "verification", "account",  "accounts", "update",
    "support",    "service",      "services", "online",   "auth",
    "confirm",    "help",         "helpdesk", "billing",  "payment",
    "alert",      "notice",       "center",   "centre",   "team",
    "id",         "web",          "app",      "access",   "recovery",
    "unlock",     "check",        "safe",     "protect",  "customer",
    "client",     "portal",       "office",   "cloud",    "mail",
    "email",      "inc",          "official", "info",     "review",
    "resolution", "limited",      "notify",
};

/* The phrase lists, in the order of ms_phish_engine.phrase_pos. */
enum { PL_URGENCY, PL_CREDENTIAL, PL_LURE, PL_SCAM, PL_COUNT };

/* What a literal is used for: the texts a literal is scanned in follow
 * (subject words are looked for in subjects only). */
enum { USE_BRAND = 1, USE_SUBJECT = 2, USE_PHRASE = 4 };

/* A range of word ids in the engine's flat array: one keyword line. */
typedef struct kw_line {
    uint32_t first, n;
} kw_line;

/* One brand (or SpamScope target). */
typedef struct brand {
    char *name;
    kw_line *lines;
    size_t n_lines, cap_lines;
    char **domains;
    size_t n_domains, cap_domains;
    char **labels;
    size_t n_labels, cap_labels;
} brand;

struct ms_phish_engine {
    char *cache_dir; /* compiled databases kept here, NULL: none */
    char **lits;     /* lower-case literals, distinct */
    size_t *lit_len;
    unsigned char *lit_use; /* USE_* bits: which lists hold it */
    size_t n_lits, cap_lits;
    uint32_t *words; /* word ids of all keyword lines */
    /* for each literal, the brands with a keyword line that starts with
     * it (brand_by_first[at[lit] .. at[lit + 1]]): a brand none of whose
     * first words occurs in a mail cannot match it */
    uint32_t *first_at, *brand_by_first;
    uint32_t *brand_always; /* brands with a line of no word: always */
    size_t n_brand_always;
    size_t n_words, cap_words;
    brand *brands;
    size_t n_brands, cap_brands;
    kw_line *subjects; /* subject keyword lines */
    size_t n_subjects, cap_subjects;
    uint32_t *urgency, *credential, *lure, *scam; /* phrase literal ids */
    size_t n_urgency, cap_urgency, n_credential, cap_credential;
    size_t n_lure, cap_lure, n_scam, cap_scam;
    /* built after loading: for each phrase list (PL_*), each literal's
     * place in it, UINT32_MAX when it is not in the list */
    uint32_t *phrase_pos[PL_COUNT];
    char **free_mail, **free_hosting, **abused_tlds; /* domains.yml */
    size_t n_free_mail, cap_free_mail, n_free_hosting, cap_free_hosting;
    size_t n_abused_tlds, cap_abused_tlds;
    int weights[S_COUNT];
    int threshold_phishing, threshold_suspicious;
    /* [0]: every literal, for subjects; [1]: brand keywords (found) or
     * brand keywords and phrases (words), for the other texts */
    hs_database_t *db[2];       /* the literals */
    hs_database_t *db_words[2]; /* the literals between spaces */
    /* built after loading, for lookups: every brand domain with its
     * brand, sorted by domain; every lookalike label with its length and
     * skeleton */
    struct owned_domain {
        const char *domain;
        uint32_t brand;
    } * owned;
    size_t n_owned;
    struct brand_label {
        const char *label;
        size_t n;
        uint32_t brand;
        char skel[64];    /* "" when it has none */
        uint32_t letters; /* bit c - 'a' for each letter it holds */
    } * labels;
    size_t n_labels;
};

struct ms_phish_scratch {
    hs_scratch_t *hs;
    size_t n_bytes;         /* bytes of one bit set */
    unsigned char *found;   /* F_COUNT sets: literal found */
    unsigned char *bounded; /* F_COUNT sets: found on word boundaries */
    unsigned char *any;     /* the union of the bounded sets the brand checks
                             * read: a brand none of whose lines match it is
                             * skipped */
    ms_buf text;            /* the normalized text being scanned */
};

/* ---- loading ---------------------------------------------------------- */

/* Grows an array of n items of size sz to hold one more. */
static bool grow(void **items, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 16;
    void *p = realloc(*items, c * sz);
    if (p == NULL)
        return false;
    *items = p;
    *cap = c;
    return true;
}

static bool foreign_mark(uint32_t c);

/* True when c shows nothing of its own inside a word: invisible and
 * format characters (zero-width space and joiners, word joiner, soft
 * hyphen, byte order mark), variation selectors, tag characters and
 * combining marks. Phishing lays them between the letters of a brand or
 * a phrase ("Amazon" with a Syriac mark on each letter, "Billing" with
 * variation selectors) so that the word reads the same and its bytes
 * match nothing. */
static bool hidden_in_word(uint32_t c)
{
    return c == 0xad || (c >= 0x300 && c <= 0x36f) || c == 0x34f ||
           (c >= 0x200b && c <= 0x200f) || (c >= 0x2060 && c <= 0x2064) ||
           (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff ||
           (c >= 0xe0000 && c <= 0xe01ef) || foreign_mark(c);
}

/* True when a UTF-8 sequence led by bytes c and d may encode a character
 * of hidden_in_word(): the others (Cyrillic, Greek, CJK, the common
 * punctuation of U+2010-U+205F ...) are not decoded. */
static bool may_hide(unsigned char c, unsigned char d)
{
    switch (c) {
    case 0xc2:
        return d == 0xad;
    case 0xcc:
    case 0xcd:
        return true;
    case 0xe1:
        return d == 0xaa || d == 0xab || d == 0xb7;
    case 0xe2:
        return d == 0x80 || d == 0x81;
    case 0xef:
        return d == 0xb8 || d == 0xbb;
    case 0xf3:
        return d == 0xa0;
    default:
        return c >= 0xd6 && c <= 0xe0;
    }
}

/* The bytes normalize copies without a second look: ASCII letters (in
 * lower case) and digits, but 'w' and 'W', which may start "www.". */
static const char plain_lower[256] = {
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
    ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
    ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
    ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
    ['u'] = 'u', ['v'] = 'v', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
    ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
    ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
    ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
    ['U'] = 'u', ['V'] = 'v', ['X'] = 'x', ['Y'] = 'y', ['Z'] = 'z',
};

/* Starts a word in normalize's output after white space: one space
 * between words (and at the start with words set). */
static inline void open_word(char *dst, size_t *o, bool *space, size_t *word_at,
                             bool words)
{
    if ((*o > 0 || words) && (*o == 0 || dst[*o - 1] != ' '))
        dst[(*o)++] = ' ';
    *space = false;
    *word_at = *o;
}

/* Lower-cases ASCII and Latin-1 capitals (U+00C0-U+00DE, as UTF-8) of n
 * bytes of p into dst and collapses runs of white space into one space.
 * With words set, every ASCII byte that is not a letter or digit counts
 * as white space too, and the result starts and ends with a space, so
 * " word " finds a word on its boundaries, and the characters of
 * hidden_in_word() are dropped. Returns the length written
 * (at most n + 2). */
static size_t normalize(char *dst, const char *p, size_t n, bool words)
{
    /* class of each byte: 0 kept as is, 1 white space, 2 punctuation
     * (white space with words), 3 upper-case ASCII, 4 lead byte 0xc3 */
    static const unsigned char cls[256] = {
        [' '] = 1,  ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['\f'] = 1, ['\v'] = 1,
        [0xc3] = 4,
#define P2(c) [c] = 2
        P2(0),      P2(1),      P2(2),      P2(3),      P2(4),      P2(5),
        P2(6),      P2(7),      P2(8),      P2(14),     P2(15),     P2(16),
        P2(17),     P2(18),     P2(19),     P2(20),     P2(21),     P2(22),
        P2(23),     P2(24),     P2(25),     P2(26),     P2(27),     P2(28),
        P2(29),     P2(30),     P2(31),     P2('!'),    P2('"'),    P2('#'),
        P2('$'),    P2('%'),    P2('&'),    P2('\''),   P2('('),    P2(')'),
        P2('*'),    P2('+'),    P2(','),    P2('-'),    P2('.'),    P2('/'),
        P2(':'),    P2(';'),    P2('<'),    P2('='),    P2('>'),    P2('?'),
        P2('@'),    P2('['),    P2('\\'),   P2(']'),    P2('^'),    P2('_'),
        P2('`'),    P2('{'),    P2('|'),    P2('}'),    P2('~'),    P2(127),
#undef P2
#define U(c) [c] = 3
        U('A'),     U('B'),     U('C'),     U('D'),     U('E'),     U('F'),
        U('G'),     U('H'),     U('I'),     U('J'),     U('K'),     U('L'),
        U('M'),     U('N'),     U('O'),     U('P'),     U('Q'),     U('R'),
        U('S'),     U('T'),     U('U'),     U('V'),     U('W'),     U('X'),
        U('Y'),     U('Z'),
#undef U
    };
    size_t o = 0;
    bool space = words;
    unsigned blank_max = words ? 2 : 1;
    size_t word_at = 0; /* where the current word starts in dst */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        unsigned k = cls[c];
        /* most bytes: a run of ASCII letters and digits, copied in lower
         * case ('w' is left to the checks below: it may start "www.") */
        if (plain_lower[c] != 0) {
            if (space)
                open_word(dst, &o, &space, &word_at, words);
            char d;
            while (i < n && (d = plain_lower[(unsigned char)p[i]]) != 0) {
                dst[o++] = d;
                i++;
            }
            i--;
            continue;
        }
        /* and white space (and, for words, ASCII punctuation but the ':'
         * of a scheme): a run of it is one space */
        if (c < 0x80 && (k == 1 || (k == 2 && words && c != ':'))) {
            space = true;
            continue;
        }
        /* words: a URL ("scheme://...", "www.") is not text; its words
         * ("claim-your-bonus") are dropped up to the next white space */
        if (words && ((c == ':' && i + 2 < n && p[i + 1] == '/' &&
                       p[i + 2] == '/' && o > word_at) ||
                      ((c == 'w' || c == 'W') && i + 4 <= n &&
                       strncasecmp(p + i, "www.", 4) == 0 &&
                       (i == 0 || cls[(unsigned char)p[i - 1]] != 0)))) {
            if (c == ':')
                o = word_at; /* the scheme goes too */
            while (i < n && cls[(unsigned char)p[i]] != 1 && p[i] != '<' &&
                   p[i] != '>' && p[i] != '"')
                i++;
            space = true;
            continue;
        }
        if (k != 0 && k <= blank_max) {
            space = true;
            continue;
        }
        /* words: what hides inside a word is dropped, so the word is
         * found as a reader sees it */
        if (words && c >= 0xc2 && i + 1 < n &&
            may_hide(c, (unsigned char)p[i + 1])) {
            uint32_t cp = 0;
            size_t len = ms_utf8_next((const unsigned char *)p + i, n - i, &cp);
            if (len > 1 && hidden_in_word(cp)) {
                i += len - 1;
                continue;
            }
        }
        /* words: symbols and punctuation outside ASCII separate words
         * too ("McAfee™", "«PayPal»", an emoji glued to a name) */
        size_t sym = 0;
        if (words && i + 1 < n) {
            unsigned char d = (unsigned char)p[i + 1];
            if (c == 0xc2 && d >= 0xa0 && d <= 0xbf)
                sym = 2; /* no-break space, (c), (r), << >> ... */
            else if (c == 0xe2 && i + 2 < n)
                sym = 3; /* U+2000-U+2FFF: punctuation, symbols, arrows */
            else if (c == 0xe3 && d == 0x80 && i + 2 < n)
                sym = 3; /* CJK punctuation */
            else if (c == 0xf0 && d == 0x9f && i + 3 < n)
                sym = 4; /* pictographs */
        }
        if (sym) {
            i += sym - 1;
            space = true;
            continue;
        }
        if (space)
            open_word(dst, &o, &space, &word_at, words);
        if (k == 3) {
            c = (unsigned char)(c + 32);
        } else if (k == 4 && i + 1 < n && (unsigned char)p[i + 1] >= 0x80 &&
                   (unsigned char)p[i + 1] <= 0x9e &&
                   (unsigned char)p[i + 1] != 0x97) {
            dst[o++] = (char)c;
            c = (unsigned char)((unsigned char)p[++i] + 0x20);
        }
        dst[o++] = (char)c;
    }
    if (words)
        dst[o++] = ' ';
    return o;
}

/* Returns the id of the literal (normalized), adding it when new, or
 * UINT32_MAX when out of memory or empty. */
static uint32_t literal_id(ms_phish_engine *e, const char *p, size_t n,
                           unsigned use)
{
    char *norm = malloc(n + 1);
    if (norm == NULL)
        return UINT32_MAX;
    size_t len = normalize(norm, p, n, false);
    while (len > 0 && norm[len - 1] == ' ')
        len--;
    norm[len] = '\0';
    if (len == 0) {
        free(norm);
        return UINT32_MAX;
    }
    for (size_t i = 0; i < e->n_lits; i++) {
        if (e->lit_len[i] == len && memcmp(e->lits[i], norm, len) == 0) {
            free(norm);
            e->lit_use[i] |= (unsigned char)use;
            return (uint32_t)i;
        }
    }
    if (!grow((void **)&e->lits, e->n_lits, &e->cap_lits, sizeof(char *))) {
        free(norm);
        return UINT32_MAX;
    }
    size_t cap = e->cap_lits;
    size_t *lens = realloc(e->lit_len, cap * sizeof(size_t));
    if (lens == NULL) {
        free(norm);
        return UINT32_MAX;
    }
    e->lit_len = lens;
    unsigned char *uses = realloc(e->lit_use, cap);
    if (uses == NULL) {
        free(norm);
        return UINT32_MAX;
    }
    e->lit_use = uses;
    e->lits[e->n_lits] = norm;
    e->lit_len[e->n_lits] = len;
    e->lit_use[e->n_lits] = (unsigned char)use;
    return (uint32_t)e->n_lits++;
}

/* Splits a keyword line into words (white space) and stores their ids;
 * *line gets the range. Returns MS_OK, MS_EINVAL for an empty line,
 * MS_ENOMEM. */
static ms_status add_line(ms_phish_engine *e, const char *text, kw_line *line,
                          unsigned use)
{
    line->first = (uint32_t)e->n_words;
    line->n = 0;
    const char *p = text;
    while (*p) {
        while (*p && ms_ascii_is_space((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && !ms_ascii_is_space((unsigned char)*p))
            p++;
        if (p == start)
            break;
        uint32_t id = literal_id(e, start, (size_t)(p - start), use);
        if (id == UINT32_MAX)
            return MS_ENOMEM;
        if (!grow((void **)&e->words, e->n_words, &e->cap_words,
                  sizeof(uint32_t)))
            return MS_ENOMEM;
        e->words[e->n_words++] = id;
        line->n++;
    }
    return line->n ? MS_OK : MS_EINVAL;
}

/* The state of loading one YAML file. */
typedef struct yaml_file {
    const char *path;
    yaml_document_t doc;
    char *err;
    size_t err_size;
} yaml_file;

__attribute__((format(printf, 3, 4))) static ms_status
yfail(yaml_file *f, const yaml_node_t *n, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(f->err, f->err_size, "%s:%lu: %s", f->path,
             n ? (unsigned long)n->start_mark.line + 1 : 0ul, what);
    return MS_EINVAL;
}

/* Reads and parses a YAML file into f->doc. */
static ms_status yaml_open(yaml_file *f)
{
    FILE *in = fopen(f->path, "rb");
    if (in == NULL) {
        snprintf(f->err, f->err_size, "cannot read %s", f->path);
        return MS_EIO;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(in);
        return MS_ENOMEM;
    }
    yaml_parser_set_input_file(&parser, in);
    ms_status rc = MS_OK;
    if (!yaml_parser_load(&parser, &f->doc)) {
        snprintf(f->err, f->err_size, "%s:%lu: %s", f->path,
                 (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "broken YAML");
        rc = MS_EINVAL;
    }
    yaml_parser_delete(&parser);
    fclose(in);
    return rc;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                            : NULL;
}

/* Calls add(e, f, text, ctx) for each scalar of a sequence node. */
static ms_status each_string(yaml_file *f, const yaml_node_t *seq,
                             const char *what,
                             ms_status (*add)(ms_phish_engine *, yaml_file *,
                                              const yaml_node_t *, void *),
                             ms_phish_engine *e, void *ctx)
{
    if (seq == NULL)
        return MS_OK;
    if (seq->type == YAML_SCALAR_NODE && seq->data.scalar.length == 0)
        return MS_OK;
    if (seq->type != YAML_SEQUENCE_NODE)
        return yfail(f, seq, "%s must be a list", what);
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        const yaml_node_t *v = yaml_document_get_node(&f->doc, *it);
        if (scalar(v) == NULL)
            return yfail(f, v ? v : seq, "%s must hold strings", what);
        ms_status rc = add(e, f, v, ctx);
        if (rc != MS_OK)
            return rc;
    }
    return MS_OK;
}

static ms_status add_brand_keyword(ms_phish_engine *e, yaml_file *f,
                                   const yaml_node_t *v, void *ctx)
{
    brand *b = ctx;
    if (!grow((void **)&b->lines, b->n_lines, &b->cap_lines, sizeof(kw_line)))
        return MS_ENOMEM;
    ms_status rc = add_line(e, scalar(v), &b->lines[b->n_lines], USE_BRAND);
    if (rc == MS_EINVAL)
        return yfail(f, v, "empty keyword line");
    if (rc == MS_OK)
        b->n_lines++;
    return rc;
}

/* Adds a lower-case copy of the string to a list of strings. */
static ms_status add_string(char ***items, size_t *n, size_t *cap,
                            const char *s)
{
    if (!grow((void **)items, *n, cap, sizeof(char *)))
        return MS_ENOMEM;
    char *copy = strdup(s);
    if (copy == NULL)
        return MS_ENOMEM;
    for (char *c = copy; *c; c++)
        *c = (char)ms_ascii_lower((unsigned char)*c);
    (*items)[(*n)++] = copy;
    return MS_OK;
}

static ms_status add_brand_domain(ms_phish_engine *e, yaml_file *f,
                                  const yaml_node_t *v, void *ctx)
{
    (void)e;
    (void)f;
    brand *b = ctx;
    return add_string(&b->domains, &b->n_domains, &b->cap_domains, scalar(v));
}

static ms_status add_brand_label(ms_phish_engine *e, yaml_file *f,
                                 const yaml_node_t *v, void *ctx)
{
    (void)e;
    brand *b = ctx;
    if (strlen(scalar(v)) < 4)
        return yfail(f, v, "label '%s' is too short to compare (4 or more)",
                     scalar(v));
    return add_string(&b->labels, &b->n_labels, &b->cap_labels, scalar(v));
}

/* Returns the brand called name, adding it when new; NULL when out of
 * memory. */
static brand *find_brand(ms_phish_engine *e, const char *name)
{
    for (size_t i = 0; i < e->n_brands; i++)
        if (strcmp(e->brands[i].name, name) == 0)
            return &e->brands[i];
    if (!grow((void **)&e->brands, e->n_brands, &e->cap_brands, sizeof(brand)))
        return NULL;
    brand *b = &e->brands[e->n_brands];
    memset(b, 0, sizeof(*b));
    b->name = strdup(name);
    if (b->name == NULL)
        return NULL;
    e->n_brands++;
    return b;
}

/* Returns the value of key in a mapping node, or NULL. */
static const yaml_node_t *map_get(yaml_file *f, const yaml_node_t *map,
                                  const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const char *k = scalar(yaml_document_get_node(&f->doc, p->key));
        if (k && strcmp(k, key) == 0)
            return yaml_document_get_node(&f->doc, p->value);
    }
    return NULL;
}

/* Loads a brands file: a map of name -> {keywords, domains, labels}, or
 * SpamScope's targets format, name -> [keyword lines]. */
static ms_status load_brands(ms_phish_engine *e, yaml_file *f)
{
    const yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    if (root == NULL)
        return MS_OK;
    if (root->type != YAML_MAPPING_NODE)
        return yfail(f, root, "a map of brand names expected");
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(&f->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(&f->doc, p->value);
        if (scalar(k) == NULL || v == NULL)
            return yfail(f, k, "a brand name expected");
        brand *b = find_brand(e, scalar(k));
        if (b == NULL)
            return MS_ENOMEM;
        ms_status rc;
        if (v->type == YAML_SEQUENCE_NODE) {
            rc = each_string(f, v, "keywords", add_brand_keyword, e, b);
        } else if (v->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
                 q < v->data.mapping.pairs.top; q++) {
                const char *key =
                    scalar(yaml_document_get_node(&f->doc, q->key));
                if (key == NULL ||
                    (strcmp(key, "keywords") != 0 &&
                     strcmp(key, "domains") != 0 && strcmp(key, "labels") != 0))
                    return yfail(f, yaml_document_get_node(&f->doc, q->key),
                                 "brand '%s': unknown key '%s' (keywords, "
                                 "domains, labels)",
                                 b->name, key ? key : "?");
            }
            rc = each_string(f, map_get(f, v, "keywords"), "keywords",
                             add_brand_keyword, e, b);
            if (rc == MS_OK)
                rc = each_string(f, map_get(f, v, "domains"), "domains",
                                 add_brand_domain, e, b);
            if (rc == MS_OK)
                rc = each_string(f, map_get(f, v, "labels"), "labels",
                                 add_brand_label, e, b);
        } else {
            return yfail(f, v,
                         "brand '%s': a list of keywords or a map "
                         "{keywords, domains, labels} expected",
                         b->name);
        }
        if (rc != MS_OK)
            return rc;
    }
    return MS_OK;
}

static ms_status add_subject(ms_phish_engine *e, yaml_file *f,
                             const yaml_node_t *v, void *ctx)
{
    (void)ctx;
    if (!grow((void **)&e->subjects, e->n_subjects, &e->cap_subjects,
              sizeof(kw_line)))
        return MS_ENOMEM;
    ms_status rc =
        add_line(e, scalar(v), &e->subjects[e->n_subjects], USE_SUBJECT);
    if (rc == MS_EINVAL)
        return yfail(f, v, "empty keyword line");
    if (rc == MS_OK)
        e->n_subjects++;
    return rc;
}

/* Loads a subjects file: a list of keyword lines (SpamScope's format). */
static ms_status load_subjects(ms_phish_engine *e, yaml_file *f)
{
    const yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    return each_string(f, root, "the subjects file", add_subject, e, NULL);
}

/* A list of phrase ids. */
typedef struct id_list {
    uint32_t **items;
    size_t *n, *cap;
} id_list;

static ms_status add_phrase(ms_phish_engine *e, yaml_file *f,
                            const yaml_node_t *v, void *ctx)
{
    id_list *l = ctx;
    uint32_t id = literal_id(e, scalar(v), strlen(scalar(v)), USE_PHRASE);
    if (id == UINT32_MAX)
        return strlen(scalar(v)) ? MS_ENOMEM : yfail(f, v, "empty phrase");
    for (size_t i = 0; i < *l->n; i++)
        if ((*l->items)[i] == id)
            return MS_OK;
    if (!grow((void **)l->items, *l->n, l->cap, sizeof(uint32_t)))
        return MS_ENOMEM;
    (*l->items)[(*l->n)++] = id;
    return MS_OK;
}

/* Loads a phrases file: {urgency: [...], credential: [...], lure: [...],
 * scam: [...]}. */
static ms_status load_phrases(ms_phish_engine *e, yaml_file *f)
{
    const yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    if (root == NULL)
        return MS_OK;
    if (root->type != YAML_MAPPING_NODE)
        return yfail(f, root,
                     "a map {urgency, credential, lure, scam} expected");
    id_list urgency = {&e->urgency, &e->n_urgency, &e->cap_urgency};
    id_list credential = {&e->credential, &e->n_credential, &e->cap_credential};
    id_list lure = {&e->lure, &e->n_lure, &e->cap_lure};
    id_list scam = {&e->scam, &e->n_scam, &e->cap_scam};
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(&f->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(&f->doc, p->value);
        ms_status rc;
        if (scalar(k) && strcmp(scalar(k), "urgency") == 0)
            rc = each_string(f, v, "urgency", add_phrase, e, &urgency);
        else if (scalar(k) && strcmp(scalar(k), "credential") == 0)
            rc = each_string(f, v, "credential", add_phrase, e, &credential);
        else if (scalar(k) && strcmp(scalar(k), "lure") == 0)
            rc = each_string(f, v, "lure", add_phrase, e, &lure);
        else if (scalar(k) && strcmp(scalar(k), "scam") == 0)
            rc = each_string(f, v, "scam", add_phrase, e, &scam);
        else
            return yfail(f, k,
                         "unknown key '%s' (urgency, credential, lure, scam)",
                         scalar(k) ? scalar(k) : "?");
        if (rc != MS_OK)
            return rc;
    }
    return MS_OK;
}

/* A list of strings of the engine. */
typedef struct str_list {
    char ***items;
    size_t *n, *cap;
} str_list;

static ms_status add_domain(ms_phish_engine *e, yaml_file *f,
                            const yaml_node_t *v, void *ctx)
{
    (void)e;
    (void)f;
    str_list *l = ctx;
    const char *d = scalar(v);
    while (*d == '.')
        d++;
    return add_string(l->items, l->n, l->cap, d);
}

/* Loads a domains file: {free_mail, free_hosting, abused_tlds}. */
static ms_status load_domains(ms_phish_engine *e, yaml_file *f)
{
    const yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    if (root == NULL)
        return MS_OK;
    if (root->type != YAML_MAPPING_NODE)
        return yfail(f, root,
                     "a map {free_mail, free_hosting, abused_tlds} expected");
    str_list free_mail = {&e->free_mail, &e->n_free_mail, &e->cap_free_mail};
    str_list hosting = {&e->free_hosting, &e->n_free_hosting,
                        &e->cap_free_hosting};
    str_list tlds = {&e->abused_tlds, &e->n_abused_tlds, &e->cap_abused_tlds};
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(&f->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(&f->doc, p->value);
        const char *key = scalar(k) ? scalar(k) : "?";
        str_list *l = strcmp(key, "free_mail") == 0      ? &free_mail
                      : strcmp(key, "free_hosting") == 0 ? &hosting
                      : strcmp(key, "abused_tlds") == 0  ? &tlds
                                                         : NULL;
        if (l == NULL)
            return yfail(f, k,
                         "unknown key '%s' (free_mail, free_hosting, "
                         "abused_tlds)",
                         key);
        ms_status rc = each_string(f, v, key, add_domain, e, l);
        if (rc != MS_OK)
            return rc;
    }
    return MS_OK;
}

/* Reads a whole number from 0 to 100 from a scalar node. */
static bool read_weight(const yaml_node_t *v, int *out)
{
    const char *s = scalar(v);
    if (s == NULL || *s == '\0')
        return false;
    char *end = NULL;
    long x = strtol(s, &end, 10);
    if (*end != '\0' || x < 0 || x > 100)
        return false;
    *out = (int)x;
    return true;
}

/* Loads a signals file: thresholds and {weights: {name: N}}. */
static ms_status load_signals(ms_phish_engine *e, yaml_file *f)
{
    const yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    if (root == NULL)
        return MS_OK;
    if (root->type != YAML_MAPPING_NODE)
        return yfail(f, root,
                     "a map {threshold_phishing, "
                     "threshold_suspicious, weights} expected");
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(&f->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(&f->doc, p->value);
        const char *key = scalar(k) ? scalar(k) : "?";
        if (strcmp(key, "threshold_phishing") == 0) {
            if (!read_weight(v, &e->threshold_phishing))
                return yfail(f, v, "%s must be a whole number from 0 to 100",
                             key);
        } else if (strcmp(key, "threshold_suspicious") == 0) {
            if (!read_weight(v, &e->threshold_suspicious))
                return yfail(f, v, "%s must be a whole number from 0 to 100",
                             key);
        } else if (strcmp(key, "weights") == 0) {
            if (v == NULL || v->type != YAML_MAPPING_NODE)
                return yfail(f, v, "weights must be a map of signal names");
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
                 q < v->data.mapping.pairs.top; q++) {
                const yaml_node_t *sk = yaml_document_get_node(&f->doc, q->key);
                const yaml_node_t *sv =
                    yaml_document_get_node(&f->doc, q->value);
                const char *name = scalar(sk) ? scalar(sk) : "?";
                size_t s = 0;
                while (s < S_COUNT && strcmp(signal_defaults[s].name, name))
                    s++;
                if (s == S_COUNT)
                    return yfail(f, sk, "unknown signal '%s'", name);
                if (!read_weight(sv, &e->weights[s]))
                    return yfail(f, sv,
                                 "weight of %s must be a whole number "
                                 "from 0 to 100",
                                 name);
            }
        } else {
            return yfail(f, k,
                         "unknown key '%s' (threshold_phishing, "
                         "threshold_suspicious, weights)",
                         key);
        }
    }
    if (e->threshold_suspicious > e->threshold_phishing)
        return yfail(f, root,
                     "threshold_suspicious is above "
                     "threshold_phishing");
    return MS_OK;
}

/* Loads each file of a kind with load. */
static ms_status load_files(ms_phish_engine *e, const char *const *paths,
                            size_t n,
                            ms_status (*load)(ms_phish_engine *, yaml_file *),
                            char *err, size_t err_size)
{
    for (size_t i = 0; i < n; i++) {
        yaml_file f = {.path = paths[i], .err = err, .err_size = err_size};
        ms_status rc = yaml_open(&f);
        if (rc != MS_OK)
            return rc;
        rc = load(e, &f);
        yaml_document_delete(&f.doc);
        if (rc != MS_OK)
            return rc;
    }
    return MS_OK;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_owned(const void *a, const void *b)
{
    const struct owned_domain *x = a, *y = b;
    int c = strcmp(x->domain, y->domain);
    return c ? c : (x->brand > y->brand) - (x->brand < y->brand);
}

static bool skeleton(const char *label, char dst[64]);

/* The set of ASCII letters of n bytes, one bit per letter: a cheap test
 * that two names cannot be a few edits apart. */
static uint32_t letter_mask(const char *p, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char c = ms_ascii_lower(p[i]);
        if (c >= 'a' && c <= 'z')
            m |= 1u << (c - 'a');
    }
    return m;
}

/* Sorts the domain lists and builds the brand domain and label indexes
 * the analysis looks up. */
static ms_status index_lists(ms_phish_engine *e)
{
    qsort(e->free_mail, e->n_free_mail, sizeof(char *), compare_strings);
    qsort(e->free_hosting, e->n_free_hosting, sizeof(char *), compare_strings);
    qsort(e->abused_tlds, e->n_abused_tlds, sizeof(char *), compare_strings);
    size_t n_domains = 0, n_labels = 0;
    for (size_t i = 0; i < e->n_brands; i++) {
        n_domains += e->brands[i].n_domains;
        n_labels += e->brands[i].n_labels;
    }
    e->owned = calloc(n_domains ? n_domains : 1, sizeof(*e->owned));
    e->labels = calloc(n_labels ? n_labels : 1, sizeof(*e->labels));
    if (e->owned == NULL || e->labels == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < e->n_brands; i++) {
        const brand *b = &e->brands[i];
        for (size_t k = 0; k < b->n_domains; k++)
            e->owned[e->n_owned++] =
                (struct owned_domain){b->domains[k], (uint32_t)i};
        for (size_t k = 0; k < b->n_labels; k++) {
            struct brand_label *l = &e->labels[e->n_labels++];
            l->label = b->labels[k];
            l->n = strlen(l->label);
            l->brand = (uint32_t)i;
            l->letters = letter_mask(l->label, l->n);
            if (!skeleton(l->label, l->skel))
                l->skel[0] = '\0';
        }
    }
    qsort(e->owned, e->n_owned, sizeof(*e->owned), compare_owned);
    const uint32_t *ids[PL_COUNT] = {e->urgency, e->credential, e->lure,
                                     e->scam};
    size_t n_ids[PL_COUNT] = {e->n_urgency, e->n_credential, e->n_lure,
                              e->n_scam};
    for (int k = 0; k < PL_COUNT; k++) {
        e->phrase_pos[k] =
            malloc((e->n_lits ? e->n_lits : 1) * sizeof(uint32_t));
        if (e->phrase_pos[k] == NULL)
            return MS_ENOMEM;
        memset(e->phrase_pos[k], 0xff, e->n_lits * sizeof(uint32_t));
        for (size_t i = 0; i < n_ids[k]; i++)
            e->phrase_pos[k][ids[k][i]] = (uint32_t)i;
    }
    return MS_OK;
}

/* Compiles n literals into a database whose matches report once per
 * scan, with ids[i] for literal i (NULL: i) and the given extra flags. */
static ms_status compile_literals(const char *cache_dir,
                                  const char *const *lits, const size_t *lens,
                                  const unsigned *ids, size_t n, unsigned flag,
                                  hs_database_t **db, char *err,
                                  size_t err_size)
{
    unsigned *flags = calloc(n ? n : 1, sizeof(unsigned));
    unsigned *own_ids = calloc(n ? n : 1, sizeof(unsigned));
    if (flags == NULL || own_ids == NULL) {
        free(flags);
        free(own_ids);
        return MS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        own_ids[i] = ids ? ids[i] : (unsigned)i;
        flags[i] = HS_FLAG_SINGLEMATCH | flag;
    }
    hs_compile_error_t *cerr = NULL;
    ms_status rc = MS_OK;
    if (ms_hs_compile_lit_cached(cache_dir, lits, flags, own_ids, lens,
                                 (unsigned)n, db, &cerr) != HS_SUCCESS) {
        snprintf(err, err_size, "phishing lists: %s",
                 cerr && cerr->message ? cerr->message : "cannot compile");
        hs_free_compile_error(cerr);
        rc = MS_EINVAL;
    }
    free(flags);
    free(own_ids);
    return rc;
}

/* True when the literal holds a lower-case Latin-1 letter (as UTF-8). */
static bool has_latin1_lower(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if ((unsigned char)p[i] == 0xc3 && (unsigned char)p[i + 1] >= 0xa0 &&
            (unsigned char)p[i + 1] <= 0xbe && (unsigned char)p[i + 1] != 0xb7)
            return true;
    return false;
}

/* Compiles the found database of the literals whose uses meet mask:
 * those without white space (keyword words), matched in any ASCII case
 * on the raw text, SpamScope's substring semantics; a literal with a
 * lower-case Latin-1 letter also gets its upper-case form ("crédit" and
 * "CRÉDIT"), as the text is not folded. */
static ms_status compile_found(ms_phish_engine *e, unsigned mask,
                               hs_database_t **db, char *err, size_t err_size)
{
    size_t cap = 2 * e->n_lits;
    char **forms = calloc(cap, sizeof(char *));
    size_t *lens = calloc(cap, sizeof(size_t));
    unsigned *ids = calloc(cap, sizeof(unsigned));
    ms_status rc = forms && lens && ids ? MS_OK : MS_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; rc == MS_OK && i < e->n_lits; i++) {
        const char *lit = e->lits[i];
        size_t len = e->lit_len[i];
        if (!(e->lit_use[i] & mask) || memchr(lit, ' ', len))
            continue; /* phrases are matched on word boundaries only */
        for (int form = 0; form < 2 && rc == MS_OK; form++) {
            if (form == 1 && !has_latin1_lower(lit, len))
                break;
            forms[n] = strdup(lit);
            if (forms[n] == NULL) {
                rc = MS_ENOMEM;
                break;
            }
            for (size_t k = 0; form == 1 && k + 1 < len; k++)
                if ((unsigned char)forms[n][k] == 0xc3 &&
                    (unsigned char)forms[n][k + 1] >= 0xa0 &&
                    (unsigned char)forms[n][k + 1] <= 0xbe &&
                    (unsigned char)forms[n][k + 1] != 0xb7)
                    forms[n][k + 1] =
                        (char)((unsigned char)forms[n][k + 1] - 0x20);
            lens[n] = len;
            ids[n] = (unsigned)i;
            n++;
        }
    }
    if (rc == MS_OK && n > 0)
        rc = compile_literals(e->cache_dir, (const char *const *)forms, lens,
                              ids, n, HS_FLAG_CASELESS, db, err, err_size);
    for (size_t i = 0; i < n; i++)
        free(forms[i]);
    free(forms);
    free(lens);
    free(ids);
    return rc;
}

/* Compiles the words database of the literals whose uses meet mask:
 * each literal's words between spaces, matched on text whose case is
 * folded and whose punctuation became spaces, so found on word
 * boundaries. */
static ms_status compile_words(ms_phish_engine *e, unsigned mask,
                               hs_database_t **db, char *err, size_t err_size)
{
    char **forms = calloc(e->n_lits, sizeof(char *));
    size_t *lens = calloc(e->n_lits, sizeof(size_t));
    unsigned *ids = calloc(e->n_lits, sizeof(unsigned));
    ms_status rc = forms && lens && ids ? MS_OK : MS_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; rc == MS_OK && i < e->n_lits; i++) {
        if (!(e->lit_use[i] & mask))
            continue;
        forms[n] = malloc(e->lit_len[i] + 3);
        if (forms[n] == NULL) {
            rc = MS_ENOMEM;
            break;
        }
        lens[n] = normalize(forms[n], e->lits[i], e->lit_len[i], true);
        ids[n] = (unsigned)i;
        if (lens[n] <= 2) {
            /* punctuation only: never on word boundaries (normalized text
             * holds no line feed) */
            forms[n][0] = '\n';
            lens[n] = 1;
        }
        n++;
    }
    if (rc == MS_OK && n > 0)
        rc = compile_literals(e->cache_dir, (const char *const *)forms, lens,
                              ids, n, 0, db, err, err_size);
    for (size_t i = 0; i < n; i++)
        free(forms[i]);
    free(forms);
    free(lens);
    free(ids);
    return rc;
}

/* Compiles the databases: for subjects, every literal; for the other
 * texts, the brand keywords (and, on word boundaries, the phrases). */
static ms_status compile(ms_phish_engine *e, char *err, size_t err_size)
{
    if (e->n_lits == 0)
        return MS_OK;
    unsigned all = USE_BRAND | USE_SUBJECT | USE_PHRASE;
    ms_status rc = compile_found(e, all, &e->db[0], err, err_size);
    if (rc == MS_OK)
        rc = compile_found(e, USE_BRAND, &e->db[1], err, err_size);
    if (rc == MS_OK)
        rc = compile_words(e, all, &e->db_words[0], err, err_size);
    if (rc == MS_OK)
        rc = compile_words(e, USE_BRAND | USE_PHRASE, &e->db_words[1], err,
                           err_size);
    return rc;
}

/* Builds the index from each literal to the brands with a keyword line
 * that starts with it (counted, then filled, in brand order). */
static ms_status index_first_words(ms_phish_engine *e)
{
    e->first_at = calloc(e->n_lits + 1, sizeof(uint32_t));
    size_t n_refs = 0;
    for (size_t i = 0; i < e->n_brands; i++)
        n_refs += e->brands[i].n_lines;
    e->brand_by_first = calloc(n_refs ? n_refs : 1, sizeof(uint32_t));
    e->brand_always = calloc(e->n_brands ? e->n_brands : 1, sizeof(uint32_t));
    if (e->first_at == NULL || e->brand_by_first == NULL ||
        e->brand_always == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < e->n_brands; i++) {
        bool always = false;
        for (size_t k = 0; k < e->brands[i].n_lines; k++) {
            if (e->brands[i].lines[k].n > 0)
                e->first_at[e->words[e->brands[i].lines[k].first] + 1]++;
            else
                always = true;
        }
        if (always)
            e->brand_always[e->n_brand_always++] = (uint32_t)i;
    }
    for (size_t l = 0; l < e->n_lits; l++)
        e->first_at[l + 1] += e->first_at[l];
    uint32_t *fill = calloc(e->n_lits + 1, sizeof(uint32_t));
    if (fill == NULL)
        return MS_ENOMEM;
    for (size_t i = 0; i < e->n_brands; i++)
        for (size_t k = 0; k < e->brands[i].n_lines; k++) {
            const kw_line *line = &e->brands[i].lines[k];
            if (line->n == 0)
                continue;
            uint32_t lit = e->words[line->first];
            e->brand_by_first[e->first_at[lit] + fill[lit]++] = (uint32_t)i;
        }
    free(fill);
    return MS_OK;
}

/* Builds the engine; see phishing.h. */
ms_status ms_phish_engine_new(const ms_phish_config *c, ms_phish_engine **out,
                              char *err, size_t err_size)
{
    *out = NULL;
    ms_phish_engine *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return MS_ENOMEM;
    for (size_t s = 0; s < S_COUNT; s++)
        e->weights[s] = signal_defaults[s].weight;
    e->threshold_phishing = 50;
    e->threshold_suspicious = 25;
    if (c->cache_dir && (e->cache_dir = strdup(c->cache_dir)) == NULL) {
        free(e);
        return MS_ENOMEM;
    }
    ms_status rc =
        load_files(e, c->brands, c->n_brands, load_brands, err, err_size);
    if (rc == MS_OK)
        rc = load_files(e, c->subjects, c->n_subjects, load_subjects, err,
                        err_size);
    if (rc == MS_OK)
        rc = load_files(e, c->phrases, c->n_phrases, load_phrases, err,
                        err_size);
    if (rc == MS_OK)
        rc = load_files(e, c->domains, c->n_domains, load_domains, err,
                        err_size);
    if (rc == MS_OK && c->signals)
        rc = load_files(e, &c->signals, 1, load_signals, err, err_size);
    if (rc == MS_OK)
        rc = index_lists(e);
    if (rc == MS_OK)
        rc = index_first_words(e);
    if (rc == MS_OK)
        rc = compile(e, err, err_size);
    if (rc != MS_OK) {
        if (rc == MS_ENOMEM)
            snprintf(err, err_size, "out of memory");
        ms_phish_engine_free(e);
        return rc;
    }
    *out = e;
    return MS_OK;
}

static void free_strings(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

/* Frees the engine; see phishing.h. */
void ms_phish_engine_free(ms_phish_engine *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n_brands; i++) {
        brand *b = &e->brands[i];
        free(b->name);
        free(b->lines);
        free_strings(b->domains, b->n_domains);
        free_strings(b->labels, b->n_labels);
    }
    free(e->brands);
    free(e->cache_dir);
    free_strings(e->lits, e->n_lits);
    free(e->lit_len);
    free(e->lit_use);
    free(e->words);
    free(e->first_at);
    free(e->brand_by_first);
    free(e->brand_always);
    free(e->subjects);
    free(e->urgency);
    free(e->credential);
    free(e->lure);
    free(e->scam);
    for (int k = 0; k < PL_COUNT; k++)
        free(e->phrase_pos[k]);
    free(e->owned);
    free(e->labels);
    free_strings(e->free_mail, e->n_free_mail);
    free_strings(e->free_hosting, e->n_free_hosting);
    free_strings(e->abused_tlds, e->n_abused_tlds);
    for (int k = 0; k < 2; k++) {
        hs_free_database(e->db[k]);
        hs_free_database(e->db_words[k]);
    }
    free(e);
}

size_t ms_phish_engine_brand_count(const ms_phish_engine *e)
{
    return e->n_brands;
}

size_t ms_phish_engine_literal_count(const ms_phish_engine *e)
{
    return e->n_lits;
}

/* Sizes one Hyperscan scratch for every database of the engine. */
static bool alloc_scratch(const ms_phish_engine *e, hs_scratch_t **hs)
{
    for (int k = 0; k < 2; k++) {
        if (e->db[k] && hs_alloc_scratch(e->db[k], hs) != HS_SUCCESS)
            return false;
        if (e->db_words[k] &&
            hs_alloc_scratch(e->db_words[k], hs) != HS_SUCCESS)
            return false;
    }
    return true;
}

/* Creates a worker's scratch; see phishing.h. */
ms_status ms_phish_scratch_new(const ms_phish_engine *e, ms_phish_scratch **out)
{
    ms_phish_scratch *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return MS_ENOMEM;
    s->n_bytes = (e->n_lits + 7) / 8;
    s->found = calloc(F_COUNT, s->n_bytes ? s->n_bytes : 1);
    s->bounded = calloc(F_COUNT, s->n_bytes ? s->n_bytes : 1);
    s->any = calloc(1, s->n_bytes ? s->n_bytes : 1);
    ms_buf_init(&s->text, 2 * (size_t)MS_PHISH_MAX_SCAN_BYTES + 16);
    if (s->found == NULL || s->bounded == NULL || s->any == NULL ||
        !alloc_scratch(e, &s->hs)) {
        ms_phish_scratch_free(s);
        return MS_ENOMEM;
    }
    *out = s;
    return MS_OK;
}

/* Frees the scratch; see phishing.h. */
void ms_phish_scratch_free(ms_phish_scratch *s)
{
    if (s == NULL)
        return;
    hs_free_scratch(s->hs);
    free(s->found);
    free(s->bounded);
    free(s->any);
    ms_buf_free(&s->text);
    free(s);
}

/* ---- scanning ------------------------------------------------------- */

static bool bit(const unsigned char *set, uint32_t i)
{
    return (set[i >> 3] >> (i & 7)) & 1;
}

static void set_bit(unsigned char *set, uint32_t i)
{
    set[i >> 3] |= (unsigned char)(1u << (i & 7));
}

/* A letter or digit, or a byte of a multi-byte UTF-8 letter. */
static bool word_byte(unsigned char c)
{
    return ms_ascii_is_alnum(c) || c >= 0x80;
}

/* The bit sets of up to two fields that one scan fills. */
typedef struct scan_ctx {
    unsigned char *sets[2];
} scan_ctx;

static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    scan_ctx *c = ctx;
    set_bit(c->sets[0], id);
    if (c->sets[1])
        set_bit(c->sets[1], id);
    return 0;
}

/* Scans n bytes of p: the literals found anywhere into field f's bits,
 * those found on word boundaries into field g's (either may be -1). The
 * subject is scanned for every literal, the other texts for those their
 * checks read. */
static void scan(const ms_phish_engine *e, ms_phish_scratch *s, int f, int g,
                 const char *p, size_t n)
{
    int k = f == F_SUBJECT || g == F_SUBJECT ? 0 : 1;
    if (p == NULL || n == 0)
        return;
    if (n > MS_PHISH_MAX_SCAN_BYTES)
        n = MS_PHISH_MAX_SCAN_BYTES;
    if (f >= 0 && e->db[k]) {
        scan_ctx c = {{s->found + (size_t)f * s->n_bytes, NULL}};
        hs_scan(e->db[k], p, (unsigned)n, 0, s->hs, on_match, &c);
    }
    if (g >= 0 && e->db_words[k]) {
        s->text.n = 0;
        if (ms_buf_reserve(&s->text, n + 4) != MS_OK)
            return;
        size_t tn = normalize(s->text.p, p, n, true);
        scan_ctx c = {{s->bounded + (size_t)g * s->n_bytes, NULL}};
        hs_scan(e->db_words[k], s->text.p, (unsigned)tn, 0, s->hs, on_match,
                &c);
    }
}

static const unsigned char *found_bits(const ms_phish_scratch *s, int f)
{
    return s->found + (size_t)f * s->n_bytes;
}

static const unsigned char *bounded_bits(const ms_phish_scratch *s, int f)
{
    return s->bounded + (size_t)f * s->n_bytes;
}

/* True when every word of the line is set in bits. */
static bool line_matches(const ms_phish_engine *e, const kw_line *l,
                         const unsigned char *bits)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (!bit(bits, e->words[l->first + i]))
            return false;
    return true;
}

/* True when one of the n lines matches. */
static bool lines_match(const ms_phish_engine *e, const kw_line *lines,
                        size_t n, const unsigned char *bits)
{
    for (size_t i = 0; i < n; i++)
        if (line_matches(e, &lines[i], bits))
            return true;
    return false;
}

/* Counts, for each phrase list, its phrases set in the bits of any of
 * the three fields a, b and c (n_bytes each), in one pass over the set
 * bits, and names the first of each list (in the list's order) in
 * first. */
static void count_phrases(const ms_phish_engine *e, const unsigned char *a,
                          const unsigned char *b, const unsigned char *c,
                          size_t n_bytes, size_t count[PL_COUNT],
                          const char *first[PL_COUNT])
{
    uint32_t best[PL_COUNT];
    for (int k = 0; k < PL_COUNT; k++) {
        count[k] = 0;
        first[k] = NULL;
        best[k] = UINT32_MAX;
    }
    for (size_t i = 0; i < n_bytes; i++) {
        for (unsigned v = a[i] | b[i] | c[i]; v; v &= v - 1) {
            uint32_t id = (uint32_t)(i * 8 + (size_t)__builtin_ctz(v));
            if (id >= e->n_lits)
                break;
            for (int k = 0; k < PL_COUNT; k++) {
                uint32_t pos = e->phrase_pos[k][id];
                if (pos == UINT32_MAX)
                    continue;
                count[k]++;
                if (pos < best[k]) {
                    best[k] = pos;
                    first[k] = e->lits[id];
                }
            }
        }
    }
}

/* ---- domains ---------------------------------------------------------- */

/* The registered domain of a host (lower-case), in the arena; the host
 * itself when the public suffix list has no answer; NULL for none. */
static const char *registered(ms_arena *a, const char *host)
{
    if (host == NULL || *host == '\0')
        return NULL;
    char *low = ms_arena_strndup(a, host, strlen(host));
    if (low == NULL)
        return NULL;
    for (char *c = low; *c; c++)
        *c = (char)ms_ascii_lower((unsigned char)*c);
    const char *suffix, *reg;
    if (!ms_url_public_suffix(low, &suffix, &reg))
        reg = NULL;
    return reg ? reg : low;
}

/* True when host is d or a subdomain of d. */
static bool host_is(const char *host, const char *d)
{
    size_t hn = strlen(host), dn = strlen(d);
    if (hn < dn)
        return false;
    if (hn == dn)
        return memcmp(host, d, dn) == 0;
    return host[hn - dn - 1] == '.' && memcmp(host + hn - dn, d, dn) == 0;
}

/* True when s is in the sorted list. */
static bool sorted_has(char *const *items, size_t n, const char *s)
{
    return bsearch(&s, items, n, sizeof(char *), compare_strings) != NULL;
}

/* True when host is one of the domains of the sorted list, or under
 * one. */
static bool in_domains(char *const *domains, size_t n, const char *host)
{
    if (host == NULL)
        return false;
    for (const char *h = host; h; h = strchr(h, '.')) {
        if (*h == '.')
            h++;
        if (sorted_has(domains, n, h))
            return true;
    }
    return false;
}

/* The brands that own host (a domain of theirs or under one): their
 * indexes into out (at most max), their count returned. */
static size_t owners(const ms_phish_engine *e, const char *host, uint32_t *out,
                     size_t max)
{
    size_t n = 0;
    if (host == NULL)
        return 0;
    for (const char *h = host; h; h = strchr(h, '.')) {
        if (*h == '.')
            h++;
        size_t lo = 0, hi = e->n_owned;
        while (lo < hi) { /* the first entry not below h */
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(e->owned[mid].domain, h) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < e->n_owned && strcmp(e->owned[lo].domain, h) == 0; lo++)
            if (n < max)
                out[n++] = e->owned[lo].brand;
    }
    return n;
}

/* True when brand index b is among the n owners. */
static bool owned_by(const uint32_t *owner, size_t n, size_t b)
{
    for (size_t i = 0; i < n; i++)
        if (owner[i] == b)
            return true;
    return false;
}

/* True when the host's last label is an abused top-level domain, or its
 * last two labels are an abused second-level suffix sold like one
 * (sa.com, ru.com: names under them cost little and are mostly bought
 * for abuse). */
static bool abused_tld(const ms_phish_engine *e, const char *host)
{
    if (host == NULL)
        return false;
    const char *dot = strrchr(host, '.');
    if (sorted_has(e->abused_tlds, e->n_abused_tlds, dot ? dot + 1 : host))
        return true;
    if (dot == NULL)
        return false;
    const char *second = dot;
    while (second > host && second[-1] != '.')
        second--;
    return second > host &&
           sorted_has(e->abused_tlds, e->n_abused_tlds, second);
}

/* The script of a letter: 1 Latin, 2 Cyrillic, 3 Greek, 0 other. */
static int letter_script(uint32_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7))
        return 1;
    if (c >= 0x400 && c <= 0x4ff)
        return 2;
    if (c >= 0x370 && c <= 0x3ff)
        return 3;
    return 0;
}

/* True when c is a combining mark of a script other than Latin, Greek
 * and Cyrillic (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Indic),
 * or one of the rarely used extended or half marks: laid on Latin
 * letters they leave a word readable and its bytes unmatched. */
static bool foreign_mark(uint32_t c)
{
    return (c >= 0x591 && c <= 0x5c7) || (c >= 0x610 && c <= 0x61a) ||
           (c >= 0x64b && c <= 0x65f) || c == 0x670 ||
           (c >= 0x6d6 && c <= 0x6ed) || c == 0x711 ||
           (c >= 0x730 && c <= 0x74a) || (c >= 0x7a6 && c <= 0x7b0) ||
           (c >= 0x7eb && c <= 0x7f3) || (c >= 0x816 && c <= 0x82d) ||
           (c >= 0x8d3 && c <= 0x903) || (c >= 0x93a && c <= 0x94f) ||
           (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) ||
           (c >= 0xfe20 && c <= 0xfe2f);
}

/* Says what hides words from filters in a subject or display name:
 * letters of two scripts in one word (Cyrillic 'Р' in "PAYMENT"),
 * styled mathematical or fullwidth letters, invisible characters or
 * combining marks inside Latin words. Returns the reason or NULL. */
static const char *obfuscation(const char *text)
{
    if (text == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    unsigned scripts = 0; /* bits of the scripts of the current word */
    uint32_t prev = 0, next = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += ms_utf8_next(p + i, n - i, &c);
        next = 0;
        if (i < n)
            ms_utf8_next(p + i, n - i, &next);
        if (c >= 0x1d400 && c <= 0x1d7ff)
            return "styled mathematical letters";
        if (c >= 0xff21 && c <= 0xff5a)
            return "fullwidth letters";
        if ((c >= 0x1d00 && c <= 0x1d2b) || c == 0x0262 || c == 0x026a ||
            c == 0x0274 || c == 0x0280 || c == 0x028f || c == 0x0299 ||
            c == 0x029c || c == 0x029f)
            return "small capital letters";
        if ((c >= 0x2460 && c <= 0x24ff) || (c >= 0x1f130 && c <= 0x1f189))
            return "enclosed letters";
        if (c >= 0xe0000 && c <= 0xe01ef && letter_script(prev) == 1)
            return "invisible tag characters or variation selectors inside "
                   "a word";
        if ((c == 0x200b || c == 0x200c || c == 0x200d || c == 0x2060 ||
             c == 0xfeff || c == 0xad) &&
            letter_script(prev) == 1 && letter_script(next) == 1)
            return "an invisible character inside a word";
        if (foreign_mark(c) && letter_script(prev) == 1)
            return "foreign combining marks on Latin letters";
        int sc = letter_script(c);
        if (sc) {
            scripts |= 1u << sc;
            if ((scripts & 2u) && (scripts & (4u | 8u)))
                return "Latin and Cyrillic or Greek letters in one word";
        } else if (!(c >= 0x300 && c <= 0x36f)) {
            scripts = 0;
        }
        prev = c;
    }
    return NULL;
}

/* True when the text holds pictographs (emoji, dingbats, symbols), the
 * decoration of bulk offers and lures. */
static bool has_pictographs(const char *text)
{
    if (text == NULL)
        return false;
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += ms_utf8_next(p + i, n - i, &c);
        if ((c >= 0x1f000 && c <= 0x1faff) || (c >= 0x2600 && c <= 0x27bf) ||
            (c >= 0x2b00 && c <= 0x2bff) || c == 0xfe0f)
            return true;
    }
    return false;
}

/* Levenshtein distance of two short strings, capped: returns cap + 1 when
 * larger. */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 63 || nb > 63)
        return cap + 1;
    if ((na > nb ? na - nb : nb - na) > cap)
        return cap + 1;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] =
                sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (cur[j] < best)
                best = cur[j];
        }
        if (best > cap)
            return cap + 1;
        memcpy(prev, cur, (nb + 1) * sizeof(size_t));
    }
    return prev[nb];
}

/* Maps a code point that looks like a Latin letter or digit to it, 0 when
 * none. Cyrillic and Greek lookalikes, and the digits of leetspeak. */
static char latin_lookalike(uint32_t cp)
{
    static const struct {
        uint32_t cp;
        char c;
    } map[] = {
        {0x0430, 'a'}, {0x0435, 'e'}, {0x043e, 'o'}, {0x0440, 'p'},
        {0x0441, 'c'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0456, 'i'},
        {0x0458, 'j'}, {0x0455, 's'}, {0x04bb, 'h'}, {0x0501, 'd'},
        {0x051b, 'q'}, {0x051d, 'w'}, {0x03bf, 'o'}, {0x03b1, 'a'},
        {0x03b5, 'e'}, {0x03b9, 'i'}, {0x03ba, 'k'}, {0x03bd, 'v'},
        {0x03c1, 'p'}, {0x03c4, 't'}, {0x03c5, 'u'}, {0x03c7, 'x'},
        {0x0261, 'g'}, {0x0131, 'i'}, {0x00e0, 'a'}, {0x00e1, 'a'},
        {0x00e2, 'a'}, {0x00e4, 'a'}, {0x00e8, 'e'}, {0x00e9, 'e'},
        {0x00ea, 'e'}, {0x00ec, 'i'}, {0x00ed, 'i'}, {0x00ef, 'i'},
        {0x00f2, 'o'}, {0x00f3, 'o'}, {0x00f4, 'o'}, {0x00f6, 'o'},
        {0x00f9, 'u'}, {0x00fa, 'u'}, {0x00fc, 'u'}, {0x00e7, 'c'},
        {0x00f1, 'n'},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].cp == cp)
            return map[i].c;
    return 0;
}

/* Writes the skeleton of a UTF-8 label into dst (room for 64): letters
 * folded to the Latin letters they imitate, digits to the letters they
 * stand for (0 o, 1 l, 3 e, 5 s), "rn" to "m", "vv" to "w", 'i' to 'l',
 * hyphens dropped. Returns false when the label is too long or holds
 * something else. */
static bool skeleton(const char *label, char dst[64])
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)label;
    size_t n = strlen(label);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += ms_utf8_next(p + i, n - i, &cp);
        char c = cp < 0x80 ? (char)ms_ascii_lower((unsigned char)cp)
                           : latin_lookalike(cp);
        if (c == 0)
            return false;
        if (c == '-')
            continue;
        switch (c) {
        case '0':
            c = 'o';
            break;
        case '1':
            c = 'l';
            break;
        case 'i':
            c = 'l';
            break;
        case '3':
            c = 'e';
            break;
        case '5':
            c = 's';
            break;
        default:
            break;
        }
        if (o >= 62)
            return false;
        if (c == 'n' && o > 0 && dst[o - 1] == 'r') {
            dst[o - 1] = 'm';
            continue;
        }
        if (c == 'v' && o > 0 && dst[o - 1] == 'v') {
            dst[o - 1] = 'w';
            continue;
        }
        dst[o++] = c;
    }
    dst[o] = '\0';
    return o > 0;
}

/* True when word is one of the phishy words. */
static bool phishy_word(const char *p, size_t n)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i < sizeof(phishy_words) / sizeof(phishy_words[0]); i++)
        if (strlen(phishy_words[i]) == n && memcmp(phishy_words[i], p, n) == 0)
            return true;
    return false;
}

/* True when name holds label as a hyphen-separated token, or label
 * joined to phishy words only ("securepaypal", "paypal-login-help"). */
static bool holds_brand(const char *name, const char *label)
{
    size_t ln = strlen(label);
    for (const char *hit = strstr(name, label); hit;
         hit = strstr(hit + 1, label)) {
        const char *before = name, *after = hit + ln;
        bool left_sep = hit == name || hit[-1] == '-';
        bool right_sep = *after == '\0' || *after == '-';
        if (left_sep && right_sep && (hit != name || *after != '\0'))
            return true;
        /* the rest on each side, without hyphens and digits, must be
         * phishy words */
        const char *l_end = hit;
        while (l_end > before && (l_end[-1] == '-' ||
                                  ms_ascii_is_digit((unsigned char)l_end[-1])))
            l_end--;
        const char *l_start = l_end;
        while (l_start > before && l_start[-1] != '-')
            l_start--;
        const char *r_start = after;
        while (*r_start == '-' || ms_ascii_is_digit((unsigned char)*r_start))
            r_start++;
        const char *r_end = r_start;
        while (*r_end && *r_end != '-')
            r_end++;
        if ((hit != name || *after != '\0') &&
            phishy_word(l_start, (size_t)(l_end - l_start)) &&
            phishy_word(r_start, (size_t)(r_end - r_start)))
            return true;
    }
    return false;
}

/* What a domain check found. */
typedef struct lookalike {
    const brand *b;
    int signal; /* S_LOOKALIKE_DOMAIN or S_BRAND_IN_SUBDOMAIN */
} lookalike;

/* Compares a host (and its registered domain) with every brand: a
 * lookalike of a brand's label, or a brand's label as a subdomain of a
 * domain the brand does not own. unicode is the host's Unicode form (or
 * NULL). */
static bool check_host(const ms_phish_engine *e, ms_arena *a, const char *host,
                       const char *reg, const char *unicode, lookalike *out)
{
    uint32_t owner[1];
    if (reg == NULL)
        reg = registered(a, host);
    /* a brand's domain, or a free mail provider (mail.com is one edit
     * from gmail, and is not imitating it) */
    if (reg == NULL || owners(e, host, owner, 1) > 0 ||
        in_domains(e->free_mail, e->n_free_mail, reg))
        return false;
    /* the registered domain without its suffix */
    const char *dot = strchr(reg, '.');
    size_t name_n = dot ? (size_t)(dot - reg) : strlen(reg);
    if (name_n == 0 || name_n > 63)
        return false;
    char name[64];
    memcpy(name, reg, name_n);
    name[name_n] = '\0';
    char skel[64] = "";
    if (unicode && strcmp(unicode, host) != 0) {
        /* the label of the Unicode form at the same place */
        size_t labels_after = 0;
        for (const char *c = reg; *c; c++)
            labels_after += *c == '.';
        const char *q = unicode + strlen(unicode);
        size_t seen = 0;
        while (q > unicode && seen <= labels_after)
            if (*--q == '.')
                seen++;
        const char *start = q == unicode && *q != '.' ? q : q + 1;
        const char *stop = strchr(start, '.');
        size_t un = stop ? (size_t)(stop - start) : strlen(start);
        char ulabel[128];
        if (un < sizeof(ulabel)) {
            memcpy(ulabel, start, un);
            ulabel[un] = '\0';
            if (!skeleton(ulabel, skel))
                skel[0] = '\0';
        }
    }
    if (skel[0] == '\0' && !skeleton(name, skel))
        skel[0] = '\0';
    size_t host_n = strlen(host), reg_n = strlen(reg);
    size_t sub_n = host_n > reg_n ? host_n - reg_n : 0;
    uint32_t letters = letter_mask(name, name_n);
    for (size_t i = 0; i < e->n_labels; i++) {
        const struct brand_label *l = &e->labels[i];
        const brand *b = &e->brands[l->brand];
        size_t cap = l->n >= 10 ? 2 : 1;
        size_t diff = name_n > l->n ? name_n - l->n : l->n - name_n;
        if (name_n == l->n && memcmp(name, l->label, l->n) == 0) {
            /* the brand's name on another suffix: mostly its own country
             * sites (amazon.se), a lookalike on a suffix bought for abuse
             * (paypal.xyz) */
            if (!abused_tld(e, reg))
                continue;
            *out = (lookalike){b, S_LOOKALIKE_DOMAIN};
            return true;
        }
        bool hit = false;
        /* one edit changes at most two letters of the set */
        if (!hit && l->n >= 5 && diff <= cap &&
            (size_t)__builtin_popcount(letters ^ l->letters) <= 2 * cap)
            hit = edit_distance(name, l->label, cap) <= cap;
        if (!hit && skel[0] && skel[0] == l->skel[0])
            hit = strcmp(skel, l->skel) == 0;
        if (!hit && l->n >= 5 && name_n > l->n && (l->letters & ~letters) == 0)
            hit = holds_brand(name, l->label);
        if (hit) {
            *out = (lookalike){b, S_LOOKALIKE_DOMAIN};
            return true;
        }
    }
    /* a label of the subdomain: paypal.com.evil.example */
    for (size_t i = 0; i < sub_n;) {
        size_t j = i;
        while (j < sub_n && host[j] != '.' && host[j] != '-')
            j++;
        for (size_t k = 0; j - i >= 5 && k < e->n_labels; k++) {
            const struct brand_label *l = &e->labels[k];
            if (l->n == j - i && memcmp(host + i, l->label, l->n) == 0) {
                *out = (lookalike){&e->brands[l->brand], S_BRAND_IN_SUBDOMAIN};
                return true;
            }
        }
        i = j + 1;
    }
    return false;
}

/* ---- the analysis ----------------------------------------------------- */

/* The state of one analysis. */
typedef struct run {
    const ms_phish_engine *e;
    ms_phish_scratch *s;
    ms_arena *a;
    const ms_message *m;
    ms_phish_result *r;
    const char *brand; /* the brand most likely targeted */
    bool long_text;    /* more than LONG_TEXT_CHARS visible characters */
} run;

/* Adds a signal once (the first evidence wins). */
__attribute__((format(printf, 3, 4))) static void
add_signal(run *x, int s, const char *fmt, ...)
{
    int weight = x->e->weights[s];
    if (weight == 0)
        return;
    for (size_t i = 0; i < x->r->n_signals; i++)
        if (strcmp(x->r->signals[i].name, signal_defaults[s].name) == 0)
            return;
    if (x->r->n_signals == MS_PHISH_MAX_SIGNALS)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    ms_phish_signal *sig = &x->r->signals[x->r->n_signals];
    sig->name = signal_defaults[s].name;
    sig->weight = weight;
    sig->evidence = ms_arena_strndup(x->a, buf, (size_t)n);
    if (sig->evidence == NULL)
        sig->evidence = "";
    x->r->n_signals++;
}

/* Adds the weight of a phrase signal: per distinct phrase, up to a
 * ceiling; half of it in a long mail. */
static void add_phrase_signal(run *x, int s, size_t count, const char *first)
{
    if (count == 0 || x->e->weights[s] == 0)
        return;
    size_t before = x->r->n_signals;
    add_signal(x, s, "%zu phrase%s, first: \"%s\"", count,
               count == 1 ? "" : "s", first);
    if (x->r->n_signals > before) {
        size_t k = count < MAX_PHRASE_COUNT ? count : MAX_PHRASE_COUNT;
        int weight = (int)k * x->e->weights[s];
        x->r->signals[before].weight = x->long_text ? weight / 2 : weight;
    }
}

/* Adds a target name once. */
static void add_target(ms_phish_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_targets; i++)
        if (strcmp(r->targets[i], name) == 0)
            return;
    if (r->n_targets < MS_PHISH_MAX_TARGETS)
        r->targets[r->n_targets++] = name;
}

/* The value of the first header called name, or NULL. */
static const char *header_value(const ms_message *m, const char *name,
                                size_t *n)
{
    const ms_header *h = ms_message_header(m, name);
    if (h == NULL || h->value == NULL)
        return NULL;
    *n = h->value_len;
    return h->value;
}

/* True when a List-Id value holds a well-formed list identifier: the
 * part in angle brackets (or the whole value) is a dot-atom with a dot,
 * no dot at either end and none doubled ("<razor-users.example.org>").
 * List managers write it so; a forged field copied with a slip
 * ("<.7289367.xt.local>") is no list's. */
static bool list_id_valid(const char *v)
{
    const char *open = v ? strrchr(v, '<') : NULL;
    const char *p = open ? open + 1 : v;
    if (p == NULL)
        return false;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *end = open ? strchr(p, '>') : p + strlen(p);
    if (end == NULL)
        return false;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (end == p || *p == '.' || end[-1] == '.' ||
        memchr(p, '.', (size_t)(end - p)) == NULL)
        return false;
    for (const char *c = p; c < end; c++)
        if ((*c == '.' && c[1] == '.') || *c == ' ' || *c == '<' || *c == '@')
            return false;
    return true;
}

/* True when the mail came through a mailing list, whose posts keep the
 * list's Reply-To and link anywhere: a List-Post or Mailing-List field,
 * or List-Id fields that are all well formed. */
static bool via_mailing_list(const ms_message *m)
{
    if (ms_message_header(m, "List-Post") ||
        ms_message_header(m, "Mailing-List"))
        return true;
    bool listed = false;
    ms_slice want = ms_slice_from_cstr("List-Id");
    for (size_t i = 0; m->root && i < m->root->n_headers; i++) {
        const ms_header *h = &m->root->headers[i];
        if (!ms_slice_eq_ci(h->name, want))
            continue;
        if (!list_id_valid(h->value))
            return false;
        listed = true;
    }
    return listed;
}

/* True when the URL entry was found in a body (not only attachments). */
static bool from_body(const ms_url_entry *u)
{
    for (size_t i = 0; i < u->n_sources; i++)
        if (strncmp(u->sources[i], "attachment:", 11) != 0)
            return true;
    return false;
}

static bool from_attachment(const ms_url_entry *u)
{
    for (size_t i = 0; i < u->n_sources; i++)
        if (strncmp(u->sources[i], "attachment:", 11) == 0)
            return true;
    return false;
}

/* True when the URL is a link someone follows (an href, a form, a
 * refresh, text), not an image or a style sheet. */
static bool is_link(const ms_url_entry *u)
{
    for (size_t i = 0; i < u->n_sources; i++) {
        const char *s = u->sources[i];
        if (strcmp(s, "html:src") && strcmp(s, "html:css") &&
            strcmp(s, "html:srcset") && strcmp(s, "html:background") &&
            strcmp(s, "html:other") && strcmp(s, "html:base") &&
            strcmp(s, "html:markup"))
            return true;
    }
    return false;
}

/* Scans a display name for brand words and phrases, and again with its
 * words set apart when it runs them together ("NetflixSupportTeam",
 * "SecurityAlert"): a space before each capital that follows a small
 * letter, so that words on boundaries match. */
static void scan_display_name(const ms_phish_engine *e, ms_phish_scratch *s,
                              const char *name)
{
    size_t n = strlen(name);
    scan(e, s, -1, F_DISPLAY, name, n);
    char split[256];
    size_t k = 0;
    bool joined = false;
    for (size_t i = 0; i < n && k + 2 < sizeof(split); i++) {
        if (i > 0 && name[i] >= 'A' && name[i] <= 'Z' && name[i - 1] >= 'a' &&
            name[i - 1] <= 'z') {
            split[k++] = ' ';
            joined = true;
        }
        split[k++] = name[i];
    }
    if (joined)
        scan(e, s, -1, F_DISPLAY, split, k);
}

/* Scans every text of the mail into its field's bits. */
static ms_status scan_mail(run *x, const ms_url_list *urls,
                           const ms_file_report *reports, size_t n_reports,
                           ms_html_doc *docs, size_t *n_docs)
{
    const ms_phish_engine *e = x->e;
    ms_phish_scratch *s = x->s;
    const ms_message *m = x->m;
    memset(s->found, 0, F_COUNT * s->n_bytes);
    memset(s->bounded, 0, F_COUNT * s->n_bytes);
    for (size_t i = 0; i < m->n_text_plain; i++) {
        const ms_part *p = m->text_plain[i];
        scan(e, s, F_BODY, F_VISIBLE, p->text, p->text_len);
    }
    *n_docs = 0;
    for (size_t i = 0; i < m->n_text_html; i++) {
        const ms_part *p = m->text_html[i];
        if (p->text == NULL)
            continue;
        scan(e, s, F_BODY, -1, p->text, p->text_len);
        ms_html_doc *d = &docs[*n_docs];
        if (*n_docs < 8) {
            /* the URL analyzer rendered the same part: reuse it */
            size_t k = *n_docs;
            if (urls && k < urls->n_html_docs) {
                *d = urls->html_docs[k];
            } else {
                ms_status rc =
                    ms_html_render(x->a, p->text, p->text_len, NULL, d);
                if (rc != MS_OK)
                    return rc;
            }
            scan(e, s, -1, F_VISIBLE, d->text, d->text_len);
            (*n_docs)++;
        }
    }
    if (m->subject)
        scan(e, s, F_SUBJECT, F_SUBJECT, m->subject, strlen(m->subject));
    size_t from_n = 0;
    const char *from = header_value(m, "From", &from_n);
    scan(e, s, F_FROM, -1, from, from_n);
    for (size_t i = 0; i < m->from.n; i++)
        if (m->from.items[i].name)
            scan_display_name(e, s, m->from.items[i].name);
    /* the URLs of each kind joined by line feeds (no keyword holds one),
     * one scan per kind */
    for (int kind = 0; urls && kind < 2; kind++) {
        ms_buf joined;
        ms_buf_init(&joined, MS_PHISH_MAX_SCAN_BYTES);
        for (size_t i = 0; i < urls->n; i++) {
            const ms_url_entry *u = &urls->items[i];
            if (u->url.url == NULL ||
                !(kind == 0 ? from_body(u) : from_attachment(u)))
                continue;
            if (ms_buf_append(&joined, u->url.url, u->url.url_len) != MS_OK ||
                ms_buf_append_char(&joined, '\n') != MS_OK)
                break; /* past the ceiling: the first URLs are scanned */
        }
        scan(e, s, kind == 0 ? F_URLS_BODY : F_URLS_ATT, -1, joined.p,
             joined.n);
        ms_buf_free(&joined);
    }
    /* attachments: names at every level, text of the text ones */
    for (size_t i = 0; i < m->n_attachments; i++) {
        const ms_part *p = m->attachments[i];
        if (p->filename)
            scan(e, s, F_FILENAMES, -1, p->filename, strlen(p->filename));
        const char *type = i < n_reports && reports[i].mime_type
                               ? reports[i].mime_type
                               : p->content_type;
        if (type && strncmp(type, "text/", 5) == 0)
            scan(e, s, F_ATT_TEXT, -1, (const char *)p->body, p->body_len);
    }
    const ms_file_report *stack[64];
    size_t depth = 0;
    for (size_t i = 0; i < n_reports; i++) {
        stack[depth++] = &reports[i];
        while (depth > 0) {
            const ms_file_report *r = stack[--depth];
            if (r->depth > 0 && r->filename)
                scan(e, s, F_FILENAMES, -1, r->filename, strlen(r->filename));
            for (size_t k = 0; k < r->n_files && depth < 64; k++)
                stack[depth++] = &r->files[k];
        }
    }
    return MS_OK;
}

/* True when the text holds "<form", in any case. */
static bool has_form(const char *p, size_t n)
{
    return ms_slice_find_ci((ms_slice){p, n}, MS_SLICE_LIT("<form")) !=
           (size_t)-1;
}

/* SpamScope's bitmap and targets. */
static void spamscope_part(run *x, const ms_url_list *urls)
{
    const ms_phish_engine *e = x->e;
    const ms_phish_scratch *s = x->s;
    ms_phish_result *r = x->r;
    static const struct {
        int field;
        unsigned bit;
        bool target;
    } checks[] = {
        {F_BODY, 0, true},      {F_URLS_BODY, 1, false}, {F_ATT_TEXT, 2, true},
        {F_URLS_ATT, 3, false}, {F_FILENAMES, 4, true},  {F_FROM, 5, true},
    };
    enum { N_CHECKS = sizeof(checks) / sizeof(checks[0]), MAX_CANDIDATES = 64 };
    /* the brands whose words occur in the union of the texts: the others
     * (most brands, in most mails) cannot match one text */
    for (size_t i = 0; i < s->n_bytes; i++) {
        unsigned char v = 0;
        for (size_t c = 0; c < N_CHECKS; c++)
            v |= found_bits(s, checks[c].field)[i];
        s->any[i] = v;
    }
    uint32_t candidates[MAX_CANDIDATES];
    size_t n_candidates = 0;
    bool every = false;
    /* the brands with a line whose first word occurs, marked from the
     * words found (few) rather than by asking every brand (many) */
    size_t n_marks = (e->n_brands + 63) / 64;
    uint64_t *marks = ms_arena_alloc(x->a, (n_marks ? n_marks : 1) * 8);
    if (marks != NULL) {
        memset(marks, 0, n_marks * 8);
        for (size_t k = 0; k < e->n_brand_always; k++)
            marks[e->brand_always[k] / 64] |= (uint64_t)1
                                              << (e->brand_always[k] % 64);
        for (size_t i = 0; i < s->n_bytes; i++) {
            for (unsigned v = s->any[i]; v != 0; v &= v - 1) {
                size_t lit = i * 8 + (size_t)__builtin_ctz(v);
                if (lit >= e->n_lits)
                    break;
                for (uint32_t k = e->first_at[lit]; k < e->first_at[lit + 1];
                     k++)
                    marks[e->brand_by_first[k] / 64] |=
                        (uint64_t)1 << (e->brand_by_first[k] % 64);
            }
        }
    }
    for (size_t i = 0; i < e->n_brands && !every; i++) {
        if (marks != NULL && !(marks[i / 64] >> (i % 64) & 1))
            continue;
        const brand *b = &e->brands[i];
        if (!lines_match(e, b->lines, b->n_lines, s->any))
            continue;
        if (n_candidates < MAX_CANDIDATES)
            candidates[n_candidates++] = (uint32_t)i;
        else
            every = true;
    }
    size_t n_loop = every ? e->n_brands : n_candidates;
    for (size_t c = 0; c < N_CHECKS; c++) {
        const unsigned char *bits = found_bits(s, checks[c].field);
        for (size_t k = 0; k < n_loop; k++) {
            const brand *b = &e->brands[every ? k : candidates[k]];
            if (!lines_match(e, b->lines, b->n_lines, bits))
                continue;
            r->score |= 1u << checks[c].bit;
            if (checks[c].target)
                add_target(r, b->name);
            else
                break;
        }
    }
    if (lines_match(e, e->subjects, e->n_subjects, found_bits(s, F_SUBJECT)))
        r->score |= 1u << 6;
    const ms_message *m = x->m;
    for (size_t i = 0; i < m->n_text_plain + m->n_text_html; i++) {
        const ms_part *p = i < m->n_text_plain
                               ? m->text_plain[i]
                               : m->text_html[i - m->n_text_plain];
        if (p->text && has_form(p->text, p->text_len))
            r->score |= 1u << 7;
    }
    r->with_phishing = r->score != 0 && urls != NULL && urls->n > 0;
}

/* Display-name words at most and their lengths, for disguised brands. */
#define MAX_NAME_TOKENS 16
#define MAX_TOKEN_BYTES 64

/* One word of a display name: its skeleton, its length, and whether it
 * was written in disguise (digits, letters of other scripts, a capital
 * I, or single letters set apart). */
typedef struct name_token {
    char skel[MAX_TOKEN_BYTES];
    char low[MAX_TOKEN_BYTES]; /* as written, lower-cased ('?' not ASCII) */
    size_t n;
    size_t singles; /* single characters merged into it */
    bool disguised;
} name_token;

/* Splits a display name into words folded to the Latin letters they
 * imitate (see skeleton()); runs of single characters ("F.e.d.E.x",
 * "L E D G E R") become one word. Returns the count. */
static size_t name_tokens(const char *name, name_token *out)
{
    size_t n_out = 0;
    const unsigned char *p = (const unsigned char *)name;
    size_t n = strlen(name);
    name_token cur;
    memset(&cur, 0, sizeof(cur));
    for (size_t i = 0; i <= n && n_out < MAX_NAME_TOKENS;) {
        uint32_t cp = 0;
        if (i < n)
            i += ms_utf8_next(p + i, n - i, &cp);
        else
            i++;
        char c = cp < 0x80 ? (ms_ascii_is_alnum((unsigned char)cp)
                                  ? (char)ms_ascii_lower((unsigned char)cp)
                                  : 0)
                           : latin_lookalike(cp);
        if (c != 0 && cur.n + 2 < MAX_TOKEN_BYTES) {
            cur.disguised |=
                cp >= 0x80 || cp == 'I' || ms_ascii_is_digit((unsigned char)c);
            static const char from[] = "01i35", to[] = "olles";
            const char *k = strchr(from, c);
            cur.low[cur.n] = cp < 0x80 ? c : '?';
            cur.skel[cur.n++] = k ? to[k - from] : c;
            continue;
        }
        if (cur.n == 0)
            continue;
        name_token *last = n_out ? &out[n_out - 1] : NULL;
        if (cur.n == 1 && last && last->singles > 0 &&
            last->n + 1 < MAX_TOKEN_BYTES) {
            /* a single character after single characters: one word */
            last->low[last->n] = cur.low[0];
            last->skel[last->n++] = cur.skel[0];
            last->singles++;
            last->disguised |= cur.disguised;
        } else {
            cur.singles = cur.n == 1;
            out[n_out++] = cur;
        }
        memset(&cur, 0, sizeof(cur));
    }
    for (size_t k = 0; k < n_out; k++) {
        out[k].skel[out[k].n] = '\0';
        out[k].low[out[k].n] = '\0';
        if (out[k].singles >= 3)
            out[k].disguised = true;
    }
    return n_out;
}

/* A brand's one-word name in the display name written in disguise:
 * look-alike letters or digits ("Iedger", "PayPa1", Cyrillic letters)
 * or letters set apart ("F.e.d.E.x"), which keeps the name readable and
 * the brand's keyword unmatched. Brands that own the sender's domain are
 * skipped. */
static void disguised_brand_signal(run *x, const char *from_reg,
                                   const uint32_t *owner, size_t n_owner)
{
    const ms_phish_engine *e = x->e;
    const ms_message *m = x->m;
    const char *name = m->from.n ? m->from.items[0].name : NULL;
    if (name == NULL || x->e->weights[S_BRAND_DISPLAY_NAME] == 0)
        return;
    name_token tokens[MAX_NAME_TOKENS];
    size_t n_tokens = name_tokens(name, tokens);
    for (size_t t = 0; t < n_tokens; t++) {
        if (!tokens[t].disguised || tokens[t].n < 4)
            continue;
        for (size_t i = 0; i < e->n_brands; i++) {
            const brand *b = &e->brands[i];
            if (owned_by(owner, n_owner, i))
                continue;
            for (size_t k = 0; k < b->n_lines; k++) {
                char skel[64];
                if (b->lines[k].n != 1)
                    continue;
                uint32_t id = e->words[b->lines[k].first];
                if (e->lit_len[id] != tokens[t].n ||
                    (tokens[t].singles < 3 &&
                     strcmp(e->lits[id], tokens[t].low) == 0) ||
                    !skeleton(e->lits[id], skel) ||
                    strcmp(skel, tokens[t].skel) != 0)
                    continue;
                add_signal(x, S_BRAND_DISPLAY_NAME,
                           "%s disguised in the display name, sent from %s",
                           b->name, from_reg ? from_reg : "an unknown sender");
                if (x->brand == NULL)
                    x->brand = b->name;
                return;
            }
        }
    }
}

static bool fired(const run *x, int s);
static bool shows_callback(const ms_message *m, const ms_html_doc *docs,
                           size_t n_docs);

/* True when a link of the mail goes to a domain of brand b; *links
 * tells whether the mail has a link at all. */
static bool links_to_brand(const run *x, const ms_url_list *urls, size_t b,
                           bool *links)
{
    *links = false;
    for (size_t k = 0; urls && k < urls->n; k++) {
        const ms_url_entry *u = &urls->items[k];
        if (!is_link(u) || u->url.host == NULL)
            continue;
        *links = true;
        uint32_t owner[16];
        if (owned_by(owner, owners(x->e, u->url.host, owner, 16), b))
            return true;
    }
    return false;
}

/* Brand mentions where the sender is not the brand. */
static void brand_signals(run *x, const char *from_host, const char *from_reg,
                          const ms_url_list *urls, size_t n_credential,
                          size_t n_urgency, const ms_html_doc *docs,
                          size_t n_docs)
{
    int callback = -1; /* the texts are read for it once, when needed */
    const ms_phish_engine *e = x->e;
    const ms_phish_scratch *s = x->s;
    bool free_sender = in_domains(e->free_mail, e->n_free_mail, from_reg);
    uint32_t sender_owner[16];
    size_t n_sender_owner = owners(e, from_host, sender_owner, 16);
    const unsigned char *display = bounded_bits(s, F_DISPLAY);
    const unsigned char *subject = bounded_bits(s, F_SUBJECT);
    const unsigned char *visible = bounded_bits(s, F_VISIBLE);
    for (size_t i = 0; i < s->n_bytes; i++)
        s->any[i] = display[i] | subject[i] | visible[i];
    const char *name = x->m->from.n ? x->m->from.items[0].name : NULL;
    for (size_t i = 0; i < e->n_brands; i++) {
        const brand *b = &e->brands[i];
        /* a display name that is the brand's name and nothing else
         * ("Exodus", "Orange"): the brand's keywords leave out names
         * that are common words, a sender calling itself by one alone
         * is taking the brand's name */
        bool named = name && b->n_domains > 0 &&
                     ms_ascii_lower(name[0]) == ms_ascii_lower(b->name[0]) &&
                     strcasecmp(name, b->name) == 0;
        if (b->n_lines == 0 || owned_by(sender_owner, n_sender_owner, i) ||
            (!named && !lines_match(e, b->lines, b->n_lines, s->any)))
            continue;
        bool in_display =
            named || lines_match(e, b->lines, b->n_lines, display);
        bool in_subject = lines_match(e, b->lines, b->n_lines, subject);
        bool in_body = lines_match(e, b->lines, b->n_lines, visible);
        /* a brand with no domains (webmail) cannot be checked against the
         * sender: only its words count */
        if (b->n_domains == 0 && !in_display && !in_subject)
            continue;
        if (in_display) {
            add_signal(x, S_BRAND_DISPLAY_NAME, "%s named by %s", b->name,
                       from_reg ? from_reg : "an unknown sender");
            if (x->brand == NULL)
                x->brand = b->name;
        }
        /* news and offers name brands in subjects all the time: only
         * with pressure or a request for credentials */
        if (in_subject && n_credential + n_urgency > 0) {
            add_signal(x, S_BRAND_SUBJECT, "%s in the subject, sent from %s",
                       b->name, from_reg ? from_reg : "an unknown sender");
            if (x->brand == NULL)
                x->brand = b->name;
        }
        if ((in_display || (in_subject && n_credential + n_urgency > 0)) &&
            free_sender)
            add_signal(x, S_FREE_MAIL_BRAND, "%s named by a sender on %s",
                       b->name, from_reg);
        /* a mail with no link at all counts too: the call-back lure
         * ("your Norton plan was renewed, call us to cancel") sends the
         * reader to a phone, not to a page */
        bool links;
        if (in_body && !in_display && !in_subject && n_credential > 0) {
            if (!links_to_brand(x, urls, i, &links)) {
                add_signal(x, S_BRAND_BODY, "%s named in the body; %s", b->name,
                           links ? "no link goes to it"
                                 : "the mail has no link");
                if (x->brand == NULL)
                    x->brand = b->name;
            }
        }
        /* the call-back scam: a renewal or a purchase of the brand's
         * product was charged, and the number to call to dispute it is
         * the scammer's; the brand's own notices link to its site */
        if (b->n_domains > 0 && !fired(x, S_CALLBACK_LURE) && callback != 0 &&
            (callback > 0 ||
             (callback = shows_callback(x->m, docs, n_docs)) > 0) &&
            !links_to_brand(x, urls, i, &links)) {
            add_signal(x, S_CALLBACK_LURE,
                       "%s named with a phone number and a charge, sent "
                       "from %s",
                       b->name, from_reg ? from_reg : "an unknown sender");
            if (x->brand == NULL)
                x->brand = b->name;
        }
    }
    disguised_brand_signal(x, from_reg, sender_owner, n_sender_owner);
}

/* A brand's own domain in From that the receiving server could not
 * confirm (auth_fail or sender_unaligned fired): phishing that writes
 * the real "Delivery@gls.de" or "service@paypal.com" into From, which
 * every check of names and domains takes for the brand itself. Free
 * mail providers are left out: anyone has an address there. */
static void brand_spoofed_signal(run *x, const char *from_host,
                                 const char *from_reg)
{
    const ms_phish_engine *e = x->e;
    if (from_host == NULL ||
        in_domains(e->free_mail, e->n_free_mail, from_reg) ||
        !(fired(x, S_AUTH_FAIL) || fired(x, S_SENDER_UNALIGNED)))
        return;
    uint32_t owner[16];
    if (owners(e, from_host, owner, 16) == 0)
        return;
    const char *name = e->brands[owner[0]].name;
    add_signal(x, S_BRAND_SENDER_SPOOFED,
               "%s sends as %s, and the receiving server did not confirm it",
               from_host, name);
    if (x->brand == NULL)
        x->brand = name;
}

/* The signals of the URLs. */
static void url_signals(run *x, const ms_url_list *urls)
{
    const char *hosts[64];
    size_t n_hosts = 0;
    for (size_t i = 0; urls && i < urls->n; i++) {
        const ms_url_entry *u = &urls->items[i];
        const ms_url *url = &u->url;
        if (url->url == NULL)
            continue;
        bool link = is_link(u);
        for (size_t k = 0; k < u->n_sources; k++)
            if (strncmp(u->sources[k], "qr:", 3) == 0)
                add_signal(x, S_QR_CODE, "%.200s in a QR code of %.120s",
                           url->url, u->sources[k] + 3);
        if (url->flags & MS_URL_TEXT_HREF_MISMATCH)
            add_signal(x, S_TEXT_HREF_MISMATCH, "\"%.80s\" links to %.200s",
                       u->display_text ? u->display_text : "", url->url);
        if (url->flags & MS_URL_MIXED_SCRIPT)
            add_signal(x, S_MIXED_SCRIPT, "%.200s",
                       url->unicode ? url->unicode : url->url);
        if (link && (url->flags & MS_URL_IP_HOST))
            add_signal(x, S_IP_HOST_LINK, "%.200s", url->url);
        if (link && (url->flags & MS_URL_SHORTENER))
            add_signal(x, S_SHORTENER, "%.200s", url->url);
        if (link && (url->flags & MS_URL_REDIRECT_PARAM))
            add_signal(x, S_REDIRECT, "%.200s", url->url);
        if (link && (url->flags & (MS_URL_DATA_URI | MS_URL_JAVASCRIPT_URI)))
            add_signal(x, S_DATA_URI, "%.80s", url->url);
        if (link && url->host && abused_tld(x->e, url->host))
            add_signal(x, S_SUSPICIOUS_TLD, "%.200s", url->url);
        if (link && url->host &&
            in_domains(x->e->free_hosting, x->e->n_free_hosting, url->host))
            add_signal(x, S_FREE_HOSTING_LINK, "%.200s", url->url);
        /* a mail repeats its hosts: each is judged once */
        bool seen = false;
        for (size_t k = 0; url->host && k < n_hosts && !seen; k++)
            seen = strcmp(hosts[k], url->host) == 0;
        if (!seen && url->host && n_hosts < sizeof(hosts) / sizeof(hosts[0]))
            hosts[n_hosts++] = url->host;
        if (!seen && url->host && !url->is_ip) {
            lookalike l;
            if (check_host(x->e, x->a, url->host, url->domain, url->unicode,
                           &l)) {
                add_signal(x, l.signal, "%s imitates %s", url->host, l.b->name);
                if (x->brand == NULL)
                    x->brand = l.b->name;
            }
        }
    }
}

/* True when the name has one of the extensions. */
static bool html_name(const char *ext)
{
    static const char *const html[] = {"htm", "html", "shtml", "xhtml",
                                       "svg", "mht",  "mhtml"};
    for (size_t i = 0; ext && i < sizeof(html) / sizeof(html[0]); i++)
        if (strcmp(ext, html[i]) == 0)
            return true;
    return false;
}

/* The signals of one file report and, recursively, its inner files. */
static void file_signals(run *x, const ms_file_report *r,
                         const ms_url_list *urls, int level)
{
    static const struct {
        const char *trait;
        int signal;
    } map[] = {
        {"executable", S_ATTACHMENT_EXECUTABLE},
        {"script", S_ATTACHMENT_EXECUTABLE},
        {"shortcut", S_ATTACHMENT_EXECUTABLE},
        {"office_macro", S_ATTACHMENT_MACRO},
        {"double_extension", S_ATTACHMENT_DOUBLE_EXTENSION},
        {"rtl_override", S_ATTACHMENT_DOUBLE_EXTENSION},
        {"encrypted_archive", S_ATTACHMENT_ENCRYPTED},
        {"pdf_javascript", S_ATTACHMENT_PDF_ACTION},
        {"pdf_launch", S_ATTACHMENT_PDF_ACTION},
        {"disk_image", S_ATTACHMENT_DISK_IMAGE},
        {"html_form", S_HTML_ATTACHMENT_FORM},
    };
    const char *name = r->filename ? r->filename : "(unnamed)";
    for (size_t i = 0; i < r->flags.n; i++)
        for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
            if (strcmp(r->flags.items[i].name, map[k].trait) == 0)
                add_signal(x, map[k].signal, "%.120s: %.200s", name,
                           r->flags.items[i].reason);
    bool html = html_name(r->extension) ||
                (r->mime_type && strcmp(r->mime_type, "text/html") == 0);
    if (html) {
        bool remote = ms_file_report_flag(r, "html_script") != NULL;
        const char *where = NULL;
        size_t nn = strlen(name);
        for (size_t i = 0; !remote && urls && i < urls->n; i++) {
            const ms_url_entry *u = &urls->items[i];
            for (size_t k = 0; k < u->n_sources; k++) {
                const char *s = u->sources[k];
                if (strncmp(s, "attachment:", 11) == 0 &&
                    strncmp(s + 11, name, nn) == 0 &&
                    (s[11 + nn] == '\0' || s[11 + nn] == '/') && u->url.host) {
                    remote = true;
                    where = u->url.url;
                    break;
                }
            }
        }
        if (remote)
            add_signal(x, S_HTML_ATTACHMENT_REMOTE, "%.120s%s%.200s", name,
                       where ? " loads " : " runs a script",
                       where ? where : "");
    }
    if (level < 8)
        for (size_t i = 0; i < r->n_files; i++)
            file_signals(x, &r->files[i], urls, level + 1);
}

/* Says what is wrong with a From address no mail system hands out: no
 * proper domain, an address inside the local part
 * ("newsletter.emma@example.org@mailer.example", which clients show as
 * the first address), quotes in the domain or angle brackets anywhere,
 * left by a sender that assembles the field by hand. Returns the reason
 * or NULL (also for no address). */
static const char *malformed_address(const char *address, const char *reg)
{
    if (address == NULL)
        return NULL;
    if (reg == NULL || strchr(reg, '.') == NULL)
        return "has no domain";
    const char *at = strrchr(address, '@');
    if (at && memchr(address, '@', (size_t)(at - address)) != NULL)
        return "holds another address before its domain";
    if (strpbrk(at ? at : address, "'\"") != NULL ||
        strpbrk(address, "<>") != NULL)
        return "has quotes or angle brackets in it";
    return NULL;
}

/* True when the field value writes a whole address in quotes inside its
 * angle brackets (<"noreply@bank.example">): the quotes make it a local
 * part with no domain, which no mail system writes, while clients show
 * it as the address. */
static bool quoted_address(const char *v)
{
    for (const char *p = v ? strstr(v, "<\"") : NULL; p;
         p = strstr(p + 2, "<\"")) {
        const char *q = strchr(p + 2, '"');
        if (q && q[1] == '>' && memchr(p + 2, '@', (size_t)(q - p - 2)))
            return true;
    }
    return false;
}

/* True when the raw field value holds two entries or more: a comma
 * outside quotes, comments, encoded words and angle brackets with words
 * on both sides
 * ("Microsoft account team, <no-reply@evil.example>", a name cut from
 * its address, or several mailboxes). The standard reads a name without
 * an address there, clients show it as the sender's name; mail systems
 * quote such a name or encode it. */
static bool split_field(const ms_slice *raw)
{
    bool before = false, quoted = false;
    int depth = 0, angle = 0;
    for (size_t i = 0; i < raw->n; i++) {
        char c = raw->p[i];
        if (quoted) {
            if (c == '\\')
                i++;
            else if (c == '"')
                quoted = false;
            continue;
        }
        if (c == '=' && i + 1 < raw->n && raw->p[i + 1] == '?') {
            /* an encoded word is one word, whatever it holds */
            size_t marks = 0, k = i + 2;
            while (k + 1 < raw->n &&
                   !(marks >= 2 && raw->p[k] == '?' && raw->p[k + 1] == '='))
                marks += raw->p[k++] == '?';
            if (k + 1 < raw->n) {
                i = k + 1;
                before = true;
                continue;
            }
        }
        if (c == '"')
            quoted = true;
        else if (c == '(')
            depth++;
        else if (c == ')' && depth > 0)
            depth--;
        else if (depth == 0 && c == '<')
            angle = 1;
        else if (depth == 0 && c == '>')
            angle = 0;
        else if (depth == 0 && angle == 0 && c == ',') {
            if (!before)
                continue;
            for (size_t k = i + 1; k < raw->n; k++)
                if (!ms_ascii_is_space(raw->p[k]))
                    return true;
            return false;
        }
        if (!ms_ascii_is_space(c))
            before = true;
    }
    return false;
}

/* The signals of the headers: Reply-To, Return-Path, display names. */
static void header_signals(run *x, const char *from_reg)
{
    const ms_message *m = x->m;
    const ms_phish_engine *e = x->e;
    const char *why_invalid = malformed_address(
        m->from.n > 0 ? m->from.items[0].address : NULL, from_reg);
    const ms_header *from = ms_message_header(m, "From");
    if (why_invalid == NULL && m->from.n > 0 && from &&
        quoted_address(from->value))
        why_invalid = "is written in quotes inside its angle brackets";
    if (why_invalid == NULL && m->from.n > 0 && from && split_field(&from->raw))
        why_invalid = "follows a comma that cuts the field in two";
    if (why_invalid)
        add_signal(x, S_INVALID_SENDER, "From address %.200s %s",
                   m->from.items[0].address, why_invalid);
    const char *why = obfuscation(m->subject);
    if (why)
        add_signal(x, S_OBFUSCATED_TEXT, "subject: %s", why);
    if (why == NULL && m->from.n > 0 &&
        (why = obfuscation(m->from.items[0].name)) != NULL)
        add_signal(x, S_OBFUSCATED_TEXT, "display name: %s", why);
    if (why == NULL && m->from.n > 0 &&
        (why = obfuscation(m->from.items[0].address)) != NULL)
        add_signal(x, S_OBFUSCATED_TEXT, "sender address: %s", why);
    if (m->from.n > 0 && has_pictographs(m->from.items[0].name))
        add_signal(x, S_SYMBOLS_DISPLAY_NAME, "display name \"%.120s\"",
                   m->from.items[0].name);
    if (has_pictographs(m->subject))
        add_signal(x, S_SYMBOLS_SUBJECT, "subject \"%.120s\"", m->subject);
    /* a From address with no domain differs from any Reply-To */
    bool list = via_mailing_list(m);
    const char *from_shown = from_reg ? from_reg : "with no domain";
    if (m->reply_to.n > 0 && m->reply_to.items[0].domain &&
        *m->reply_to.items[0].domain && !list) {
        const char *rt = registered(x->a, m->reply_to.items[0].domain);
        if (rt && (from_reg == NULL || strcmp(rt, from_reg) != 0)) {
            if (in_domains(e->free_mail, e->n_free_mail, rt) &&
                (from_reg == NULL ||
                 !in_domains(e->free_mail, e->n_free_mail, from_reg)))
                add_signal(x, S_REPLY_TO_FREE_MAIL,
                           "replies go to %s, a free mail provider; From %s",
                           rt, from_shown);
            else
                add_signal(x, S_REPLY_TO_MISMATCH, "Reply-To %s, From %s", rt,
                           from_shown);
        }
    }
    if (from_reg == NULL)
        return;
    if (m->return_path.n > 0 && m->return_path.items[0].domain &&
        *m->return_path.items[0].domain) {
        const char *rp = registered(x->a, m->return_path.items[0].domain);
        if (rp && strcmp(rp, from_reg) != 0)
            add_signal(x, S_RETURN_PATH_MISMATCH, "Return-Path %s, From %s", rp,
                       from_reg);
    }
    const char *name = m->from.n ? m->from.items[0].name : NULL;
    const char *at = name ? strchr(name, '@') : NULL;
    if (at) {
        const char *d = at + 1;
        size_t dn = 0;
        while (d[dn] && (ms_ascii_is_alnum((unsigned char)d[dn]) ||
                         d[dn] == '.' || d[dn] == '-'))
            dn++;
        while (dn > 0 && d[dn - 1] == '.')
            dn--;
        if (dn > 0 && memchr(d, '.', dn)) {
            char *host = ms_arena_strndup(x->a, d, dn);
            const char *reg = host ? registered(x->a, host) : NULL;
            if (reg && strcmp(reg, from_reg) != 0)
                add_signal(x, S_DISPLAY_NAME_ADDRESS,
                           "display name \"%.120s\", address at %s", name,
                           from_reg);
        }
    }
}

/* True when tld is a country code (two letters) or one of the generic
 * top-level domains shops and services use in their names. */
static bool site_tld(const char *tld)
{
    static const char *const common[] = {
        "com",    "net",  "org", "info", "biz",  "app",  "shop",  "store",
        "online", "site", "xyz", "club", "live", "bank", "cloud", "pro"};
    size_t n = strlen(tld);
    if (n == 2)
        return ms_ascii_is_alpha((unsigned char)tld[0]) &&
               ms_ascii_is_alpha((unsigned char)tld[1]);
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
        if (strcmp(tld, common[i]) == 0)
            return true;
    return false;
}

/* A display name that shows a domain ("CarShield.com", "[Carrefour.es]")
 * while the address is at another registered domain: the name promises
 * a site the mail does not come from. Names without an address-like
 * part, and domains the sender owns, pass. */
static void display_name_domain_signal(run *x, const char *from_reg)
{
    const ms_message *m = x->m;
    const char *name = m->from.n ? m->from.items[0].name : NULL;
    if (name == NULL || from_reg == NULL || strchr(name, '@'))
        return;
    const psl_ctx_t *psl = psl_builtin();
    for (const char *p = name; *p;) {
        if (!ms_ascii_is_alnum((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *q = p;
        while (ms_ascii_is_alnum((unsigned char)*q) || *q == '-' ||
               (*q == '.' && ms_ascii_is_alnum((unsigned char)q[1])))
            q++;
        const char *dot = memchr(p, '.', (size_t)(q - p));
        if (dot && q - p < 200) {
            char token[200];
            size_t n = (size_t)(q - p);
            for (size_t i = 0; i < n; i++)
                token[i] = (char)ms_ascii_lower((unsigned char)p[i]);
            token[n] = '\0';
            const char *tld = strrchr(token, '.') + 1;
            /* a site's name: a first label of two characters or more and
             * a country code or a common generic top-level domain ("No.1",
             * "Craig R.Hughes", "Mr.Clayton" are not sites) */
            const char *reg = psl && dot - p >= 2 && site_tld(tld) &&
                                      psl_is_public_suffix(psl, tld)
                                  ? psl_registrable_domain(psl, token)
                                  : NULL;
            if (reg && strcmp(reg, from_reg) != 0) {
                add_signal(x, S_DISPLAY_NAME_DOMAIN,
                           "display name \"%.120s\", address at %s", name,
                           from_reg);
                return;
            }
        }
        p = q;
    }
}

/* Greeting words that precede a name. */
static const char *const greetings[] = {
    "hello",     "hi",        "dear",    "hey",     "hallo", "liebe",
    "lieber",    "guten tag", "bonjour", "cher",    "chère", "hola",
    "estimado",  "estimada",  "ciao",    "gentile", "caro",  "cara",
    "olá",       "ola",       "prezado", "prezada", "beste", "geachte",
    "attention", "greetings"};

/* True when the address that starts at text[at] follows a greeting word
 * ("Hello john@example.com", "Dear john@example.com,"). */
static bool greeted(const char *text, size_t at)
{
    size_t i = at;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == ','))
        i--;
    for (size_t g = 0; g < sizeof(greetings) / sizeof(greetings[0]); g++) {
        size_t k = strlen(greetings[g]);
        if (i >= k && strncasecmp(text + i - k, greetings[g], k) == 0 &&
            (i == k || !word_byte((unsigned char)text[i - k - 1])))
            return true;
    }
    return false;
}

/* The recipient greeted by an e-mail address instead of a name: text a
 * machine wrote for a list of addresses. Returns the address found. */
static bool greets_by_address(ms_arena *a, const char *text, size_t n,
                              const char **found)
{
    for (const char *at = memchr(text, '@', n); at;
         at = memchr(at + 1, '@', n - (size_t)(at + 1 - text))) {
        size_t pos = (size_t)(at - text);
        size_t start = pos;
        while (start > 0 && (ms_ascii_is_alnum(text[start - 1]) ||
                             strchr("._+-", text[start - 1]) != NULL))
            start--;
        size_t end = pos + 1;
        while (end < n && (ms_ascii_is_alnum(text[end]) || text[end] == '.' ||
                           text[end] == '-'))
            end++;
        if (start == pos || end == pos + 1 || start == 0)
            continue;
        if (greeted(text, start)) {
            *found = ms_arena_strndup(a, text + start, end - start);
            return *found != NULL;
        }
        if (pos + 1 >= n)
            break;
    }
    return false;
}

/* Adds recipient_in_text when a body greets by address. */
static void recipient_signal(run *x, const ms_html_doc *docs, size_t n_docs)
{
    const ms_message *m = x->m;
    const char *addr = NULL;
    bool found = false;
    for (size_t k = 0; !found && k < m->n_text_plain; k++)
        found = m->text_plain[k]->text &&
                greets_by_address(x->a, m->text_plain[k]->text,
                                  m->text_plain[k]->text_len, &addr);
    for (size_t k = 0; !found && k < n_docs; k++)
        found = docs[k].text &&
                greets_by_address(x->a, docs[k].text, docs[k].text_len, &addr);
    if (found) {
        add_signal(x, S_RECIPIENT_IN_TEXT, "greets %.120s by address", addr);
        return;
    }
    /* an address in the subject: "tom@example.org, your offer" */
    const char *subj = m->subject;
    const char *at = subj ? strchr(subj, '@') : NULL;
    if (at && at > subj && ms_ascii_is_alnum(at[-1]) &&
        ms_ascii_is_alnum(at[1]) && strchr(at, '.'))
        add_signal(x, S_RECIPIENT_IN_TEXT, "the subject holds an address");
}

/* True when a domain label looks machine-made: six consonants in a
 * row, or letters and digits mixed in a long label ("5s51bac2wvo0"). */
static bool random_label(const char *p, size_t n)
{
    if (n < 6)
        return false;
    size_t consonants = 0, digits = 0, letters = 0;
    bool mixed = false;
    for (size_t i = 0; i < n; i++) {
        char c = ms_ascii_lower(p[i]);
        if (ms_ascii_is_digit(c)) {
            digits++;
            consonants = 0;
            if (i > 0 && ms_ascii_is_alpha(p[i - 1]))
                mixed = true;
        } else if (ms_ascii_is_alpha(c)) {
            letters++;
            if (i > 0 && ms_ascii_is_digit(p[i - 1]))
                mixed = true;
            if (strchr("aeiouy", c))
                consonants = 0;
            else if (++consonants >= 6)
                return true;
        } else {
            consonants = 0;
        }
    }
    return mixed && n >= 8 && digits >= 2 && letters >= 3;
}

/* The sender's domain has a machine-made label (not its suffix). */
static void random_sender_signal(run *x, const char *from_host,
                                 const char *from_reg)
{
    if (from_host == NULL || from_reg == NULL)
        return;
    const char *dot = strchr(from_reg, '.');
    size_t end = strlen(from_host) - strlen(from_reg) +
                 (dot ? (size_t)(dot - from_reg) : strlen(from_reg));
    for (size_t i = 0; i < end;) {
        size_t j = i;
        while (j < end && from_host[j] != '.')
            j++;
        if (random_label(from_host + i, j - i)) {
            add_signal(x, S_RANDOM_SENDER_DOMAIN, "%s", from_host);
            return;
        }
        i = j + 1;
    }
}

/* True when a mailbox name (letters and digits, 5 to 16 of them) mixes
 * capitals and small letters at random ("kkzWneyD", "IrkcUJj"): three
 * changes of case or more, and a capital after a small letter that
 * starts no word (a word is a capital or a run of capitals followed by
 * two small letters or more, "JohnSmith", "FOXSports", or a run of
 * three capitals or more at the end, "sendHTML"). */
static bool random_case(const char *p, size_t n)
{
    if (n < 5 || n > 16)
        return false;
    size_t changes = 0;
    int last = 0; /* 1 small, 2 capital, 0 none yet */
    for (size_t i = 0; i < n; i++) {
        if (ms_ascii_is_digit(p[i]))
            continue;
        if (!ms_ascii_is_alpha(p[i]))
            return false;
        int c = p[i] >= 'a' && p[i] <= 'z' ? 1 : 2;
        changes += last != 0 && c != last;
        last = c;
    }
    if (changes < 3)
        return false;
    for (size_t i = 1; i < n; i++) {
        if (!(p[i] >= 'A' && p[i] <= 'Z') ||
            !(p[i - 1] >= 'a' && p[i - 1] <= 'z'))
            continue;
        size_t j = i, k;
        while (j < n && p[j] >= 'A' && p[j] <= 'Z')
            j++;
        k = j;
        while (k < n && p[k] >= 'a' && p[k] <= 'z')
            k++;
        if (k - j >= 2 || (j - i >= 3 && j == n))
            continue;
        return true;
    }
    return false;
}

/* True when a mailbox name is a serial number hung on words: words
 * joined by underscores and ended by a number of three to six digits
 * ("Diaz_Jorge_12864", "NEW_OFFRE_1_71624"), the names affiliate
 * senders number their throwaway mailboxes with. */
static bool numbered_name(const char *p, size_t n)
{
    size_t words = 0, i = 0;
    while (i < n && ms_ascii_is_alpha(p[i])) {
        while (i < n && ms_ascii_is_alpha(p[i]))
            i++;
        words++;
        if (i == n || p[i] != '_')
            return false;
        i++;
    }
    if (words < 2)
        return false;
    for (;;) {
        size_t start = i;
        while (i < n && ms_ascii_is_digit(p[i]))
            i++;
        if (i == start)
            return false;
        if (i == n)
            return i - start >= 3 && i - start <= 6;
        if (p[i] != '_')
            return false;
        i++;
    }
}

/* True when a mailbox name (letters and digits only, 8 to 24 of them)
 * switches between letters and digits three times or more
 * ("dhvow214r6dr", "1ljocry459tl"): a generated name, as people number
 * their mailboxes once at the end ("maria1984"). */
static bool interleaved_digits(const char *p, size_t n)
{
    if (n < 8 || n > 24)
        return false;
    size_t runs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ms_ascii_is_alnum(p[i]))
            return false;
        runs +=
            i == 0 || ms_ascii_is_digit(p[i]) != ms_ascii_is_digit(p[i - 1]);
    }
    return runs >= 4;
}

/* The sender's mailbox name is made up by a machine: capitals and small
 * letters at random, a serial number after words, or letters and digits
 * interleaved, as bulk senders rotate a fresh address per mail. */
static void random_local_part_signal(run *x)
{
    const ms_message *m = x->m;
    if (m->from.n == 0 || m->from.items[0].address == NULL)
        return;
    const char *address = m->from.items[0].address;
    const char *at = strrchr(address, '@');
    if (at == NULL)
        return;
    size_t n = (size_t)(at - address);
    if (random_case(address, n) || numbered_name(address, n) ||
        interleaved_digits(address, n))
        add_signal(x, S_RANDOM_LOCAL_PART, "%.200s", address);
}

/* True when the text names an amount of money: a currency sign next to
 * a number ("$30", "500 €", "€4.000") or a number and a currency code
 * ("0.75 BTC", "100 EUR"). */
static bool names_money(const char *text)
{
    static const char *const signs[] = {"$", "\xe2\x82\xac", "\xc2\xa3"};
    static const char *const codes[] = {"eur",  "usd", "btc",
                                        "euro", "gbp", "dollars"};
    if (text == NULL)
        return false;
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < 3; k++) {
            size_t sl = strlen(signs[k]);
            if (strncmp(text + i, signs[k], sl) != 0)
                continue;
            size_t a = i + sl;
            if (a < n && text[a] == ' ')
                a++;
            if ((a < n && ms_ascii_is_digit(text[a])) ||
                (i > 0 && ms_ascii_is_digit(text[i - 1])) ||
                (i > 1 && text[i - 1] == ' ' && ms_ascii_is_digit(text[i - 2])))
                return true;
        }
        if (ms_ascii_is_digit(text[i]) &&
            (i + 1 == n || !ms_ascii_is_digit(text[i + 1]))) {
            size_t a = i + 1;
            if (a < n && text[a] == ' ')
                a++;
            for (size_t k = 0; k < sizeof(codes) / sizeof(codes[0]); k++) {
                size_t cl = strlen(codes[k]);
                if (a + cl <= n && strncasecmp(text + a, codes[k], cl) == 0 &&
                    (a + cl == n || !ms_ascii_is_alpha(text[a + cl])))
                    return true;
            }
        }
    }
    return false;
}

/* The i-th visible text of the mail, its length in *n: the plain parts
 * first, then the rendered HTML docs. NULL for a part with no text. */
static const char *visible_text(const ms_message *m, const ms_html_doc *docs,
                                size_t i, size_t *n)
{
    if (i < m->n_text_plain) {
        *n = m->text_plain[i]->text_len;
        return m->text_plain[i]->text;
    }
    *n = docs[i - m->n_text_plain].text_len;
    return docs[i - m->n_text_plain].text;
}

/* True when c separates the groups of a phone number's digits. */
static bool phone_separator(char c)
{
    return c == ' ' || c == '.' || c == '-';
}

/* True when p[0..n) shows a North American phone number at i: ten
 * digits as 3-3-4 with a space, a dot or a hyphen between the groups,
 * the area code perhaps in parentheses and after "1" or "+1" ("1 863
 * 337-1462", "(888) 555-0134", "+1-855-555-0199"), and no digit around
 * it. */
static bool phone_at(const char *p, size_t n, size_t i)
{
    static const size_t groups[] = {3, 3, 4};
    size_t k = i;
    if (k > 0 && (ms_ascii_is_digit(p[k - 1]) || p[k - 1] == '.'))
        return false;
    if (k + 2 < n && p[k] == '+' && p[k + 1] == '1' &&
        phone_separator(p[k + 2]))
        k += 3;
    else if (k + 1 < n && p[k] == '1' && phone_separator(p[k + 1]))
        k += 2;
    for (size_t g = 0; g < 3; g++) {
        bool paren = g == 0 && k < n && p[k] == '(';
        k += paren;
        for (size_t d = 0; d < groups[g]; d++, k++)
            if (k >= n || !ms_ascii_is_digit(p[k]))
                return false;
        if (paren && (k >= n || p[k++] != ')'))
            return false;
        if (g < 2 && k < n && phone_separator(p[k]))
            k++;
        else if (g < 2 && !paren)
            return false;
    }
    return k == n || !ms_ascii_is_digit(p[k]);
}

/* True when p[0..n) shows an amount charged: a currency sign or code
 * next to a number with cents ("$438.22", "1,299.00 USD", "49,99" and
 * the euro sign), as an invoice writes it. */
static bool shows_charge(const char *p, size_t n)
{
    static const char *const marks[] = {"$",   "\xe2\x82\xac", "\xc2\xa3",
                                        "USD", "EUR",          "GBP"};
    for (size_t i = 0; i < n; i++) {
        if (!ms_ascii_is_digit(p[i]) || (i > 0 && ms_ascii_is_digit(p[i - 1])))
            continue;
        size_t k = i;
        for (;;) {
            while (k < n && ms_ascii_is_digit(p[k]))
                k++;
            /* a thousands separator: a comma and three digits more */
            if (k + 3 < n && p[k] == ',' && ms_ascii_is_digit(p[k + 1]) &&
                ms_ascii_is_digit(p[k + 2]) && ms_ascii_is_digit(p[k + 3]))
                k++;
            else
                break;
        }
        if (!(k + 2 < n && (p[k] == '.' || p[k] == ',') &&
              ms_ascii_is_digit(p[k + 1]) && ms_ascii_is_digit(p[k + 2]) &&
              (k + 3 == n || !ms_ascii_is_digit(p[k + 3]))))
            continue;
        size_t before = i > 0 && p[i - 1] == ' ' ? i - 1 : i;
        size_t after = k + 3 < n && p[k + 3] == ' ' ? k + 4 : k + 3;
        for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
            size_t ml = strlen(marks[m]);
            if ((before >= ml && memcmp(p + before - ml, marks[m], ml) == 0) ||
                (after + ml <= n && memcmp(p + after, marks[m], ml) == 0))
                return true;
        }
    }
    return false;
}

/* True when the visible text of the mail (its plain parts and rendered
 * HTML) shows both a phone number and an amount charged: the shape of a
 * call-back lure ("your renewal of $438.22 was processed; to cancel call
 * 1 863 337-1462"). */
static bool shows_callback(const ms_message *m, const ms_html_doc *docs,
                           size_t n_docs)
{
    bool phone = false, charge = false;
    for (size_t i = 0; i < m->n_text_plain + n_docs; i++) {
        size_t n;
        const char *p = visible_text(m, docs, i, &n);
        if (p == NULL)
            continue;
        for (size_t k = 0; k < n && !phone; k++)
            phone = (ms_ascii_is_digit(p[k]) || p[k] == '+' || p[k] == '(') &&
                    phone_at(p, n, k);
        charge = charge || shows_charge(p, n);
        if (phone && charge)
            return true;
    }
    return false;
}

/* Counts the invisible characters (zero-width space, joiners, word
 * joiner, byte order mark) between two ASCII letters of p[0..n):
 * "Y<ZWSP>ou<ZWSP>r Secu<ZWSP>re" reads as words and matches no filter.
 * Soft hyphens are left out: newsletters set them as hyphenation
 * hints. */
static size_t hidden_in_words(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t count = 0;
    /* the characters are E2 80 8B-8D, E2 81 A0 and EF BB BF in UTF-8:
     * memchr finds their lead bytes */
    const unsigned char *e2 = memchr(u, 0xe2, n), *ef = memchr(u, 0xef, n);
    while (e2 || ef) {
        const unsigned char *at = !ef || (e2 && e2 < ef) ? e2 : ef;
        size_t i = (size_t)(at - u), k = i;
        while (k + 3 <= n &&
               ((u[k] == 0xe2 && u[k + 1] == 0x80 && u[k + 2] >= 0x8b &&
                 u[k + 2] <= 0x8d) ||
                (u[k] == 0xe2 && u[k + 1] == 0x81 && u[k + 2] == 0xa0) ||
                (u[k] == 0xef && u[k + 1] == 0xbb && u[k + 2] == 0xbf)))
            k += 3;
        if (k > i && i > 0 && k < n && ms_ascii_is_alpha(p[i - 1]) &&
            ms_ascii_is_alpha(p[k]))
            count++;
        size_t next = k > i ? k : i + 1;
        if (e2 && (size_t)(e2 - u) < next)
            e2 = next < n ? memchr(u + next, 0xe2, n - next) : NULL;
        if (ef && (size_t)(ef - u) < next)
            ef = next < n ? memchr(u + next, 0xef, n - next) : NULL;
    }
    return count;
}

/* Adds obfuscated_text when a visible text (a plain part or rendered
 * HTML) hides invisible characters inside its words three times or
 * more, unless a header already showed the trick. */
static void hidden_text_signal(run *x, const ms_html_doc *docs, size_t n_docs)
{
    const ms_message *m = x->m;
    if (fired(x, S_OBFUSCATED_TEXT))
        return;
    for (size_t i = 0; i < m->n_text_plain + n_docs; i++) {
        size_t n;
        const char *p = visible_text(m, docs, i, &n);
        size_t hidden = p ? hidden_in_words(p, n) : 0;
        if (hidden >= 3) {
            add_signal(x, S_OBFUSCATED_TEXT,
                       "the text hides %zu invisible characters inside words",
                       hidden);
            return;
        }
    }
}

/* Counts the visible characters of the mail that are not white space:
 * its plain parts and its rendered HTML. */
static size_t visible_chars(const ms_message *m, const ms_html_doc *docs,
                            size_t n_docs)
{
    size_t visible = 0;
    for (size_t i = 0; i < m->n_text_plain; i++)
        for (size_t k = 0; k < m->text_plain[i]->text_len; k++)
            visible += !ms_ascii_is_space(m->text_plain[i]->text[k]);
    for (size_t i = 0; i < n_docs; i++)
        for (size_t k = 0; k < docs[i].text_len; k++)
            visible += !ms_ascii_is_space(docs[i].text[k]);
    return visible;
}

/* An HTML mail (n_docs rendered HTML parts) whose visible text (visible
 * characters) is a line or two around a link: the shape of a lure that
 * hides its words in images or sends the reader away at once. */
static void thin_body_signal(run *x, size_t n_docs, const ms_url_list *urls,
                             size_t visible)
{
    if (n_docs == 0 || urls == NULL)
        return;
    bool link = false;
    for (size_t i = 0; i < urls->n && !link; i++)
        link = is_link(&urls->items[i]);
    if (link && visible < 250)
        add_signal(x, S_THIN_HTML_BODY,
                   "%zu visible characters around the "
                   "links",
                   visible);
}

/* True when the header value holds "key=value" as a result token. */
static bool has_result(const char *v, size_t n, const char *token)
{
    size_t k = strlen(token);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(v + i, token, k) == 0 &&
            (i == 0 || !word_byte((unsigned char)v[i - 1])) &&
            (i + k == n || !word_byte((unsigned char)v[i + k])))
            return true;
    return false;
}

/* True when the domain named by a property value ("example.org",
 * "user@example.org", "@example.org"; n bytes) is from_reg or under
 * it. */
static bool property_is(run *x, const char *p, size_t n, const char *from_reg)
{
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (n == 0 || n > 253)
        return false;
    char *host = ms_arena_strndup(x->a, p, n);
    if (host == NULL)
        return false;
    for (char *c = host; *c; c++)
        *c = (char)ms_ascii_lower((unsigned char)*c);
    return host_is(host, from_reg);
}

/* True when an Authentication-Results value vouches for the From domain:
 * SPF passed for an envelope sender (smtp.mailfrom) under from_reg, or a
 * DKIM signature of a domain under from_reg (header.d, header.i)
 * passed. Comments in parentheses are skipped. */
static bool auth_aligned(run *x, const char *v, size_t n, const char *from_reg)
{
    size_t i = 0;
    while (i < n) {
        /* one result: "method=result (comment) prop=value ..." up to ';' */
        size_t end = i;
        int depth = 0;
        while (end < n && (v[end] != ';' || depth > 0)) {
            depth += v[end] == '(';
            depth -= v[end] == ')' && depth > 0;
            end++;
        }
        while (i < end && ms_ascii_is_space((unsigned char)v[i]))
            i++;
        bool spf = end - i >= 8 && strncasecmp(v + i, "spf=pass", 8) == 0;
        bool dkim = end - i >= 9 && strncasecmp(v + i, "dkim=pass", 9) == 0;
        for (size_t k = i; (spf || dkim) && k < end; k++) {
            if (v[k] == '(') {
                while (k < end && v[k] != ')')
                    k++;
                continue;
            }
            static const char *const props[] = {
                "smtp.mailfrom=", "header.d=", "header.i="};
            for (size_t q = spf ? 0 : 1; q < (spf ? 1u : 3u); q++) {
                size_t pn = strlen(props[q]);
                if (k + pn > end || strncasecmp(v + k, props[q], pn) != 0 ||
                    (k > i && !ms_ascii_is_space((unsigned char)v[k - 1])))
                    continue;
                size_t a = k + pn, b = a;
                while (b < end && !ms_ascii_is_space((unsigned char)v[b]) &&
                       v[b] != ';')
                    b++;
                if (property_is(x, v + a, b - a, from_reg))
                    return true;
            }
        }
        i = end + 1;
    }
    return false;
}

/* The receiving server's verdict on the sender: the topmost
 * Authentication-Results (RFC 8601) field, the one the last hop wrote
 * (fields further down may be forged). DMARC or composite authentication
 * failed, or SPF failed without a valid DKIM signature: auth_fail. No
 * DMARC pass, and neither SPF nor DKIM vouches for the From domain: the
 * sender's name is the sender's say-so alone (sender_unaligned; how
 * spoofed and throw-away senders look, while bulk mail services sign
 * with their customers' domains). */
static void auth_signal(run *x, const char *from_reg)
{
    size_t n = 0;
    const char *v = header_value(x->m, "Authentication-Results", &n);
    if (v == NULL)
        return;
    if (has_result(v, n, "dmarc=fail"))
        add_signal(x, S_AUTH_FAIL, "DMARC failed");
    else if (has_result(v, n, "compauth=fail"))
        add_signal(x, S_AUTH_FAIL, "composite authentication failed");
    else if ((has_result(v, n, "spf=fail") ||
              has_result(v, n, "spf=softfail")) &&
             !has_result(v, n, "dkim=pass"))
        add_signal(x, S_AUTH_FAIL, "SPF failed and no DKIM signature passed");
    else if (from_reg && !has_result(v, n, "dmarc=pass") &&
             !has_result(v, n, "dmarc=bestguesspass") &&
             !auth_aligned(x, v, n, from_reg))
        add_signal(x, S_SENDER_UNALIGNED, "neither SPF nor DKIM passed for %s",
                   from_reg);
}

/* Titles that open the display names of advance-fee letters ("Mr.
 * Raymond Leo", "Barrister James"); people do not title themselves. */
static const char *const name_titles[] = {
    "mr",    "mrs",     "miss", "ms",   "dr",        "barrister", "general",
    "gen",   "captain", "capt", "prof", "professor", "engr",      "sir",
    "madam", "rev",     "hon",  "sgt",  "col",       "lt",        "major"};

/* True when the display name is no one's name: it holds digits, codes or
 * markup symbols ("Ropo12g Gaming", "[BB] Saldo - Cod.9777",
 * "KETO_Exclusive#"), opens with a title ("Mr. Raymond Leo"), or it is a
 * sentence of five words or more. */
static bool odd_display_name(const char *name)
{
    if (name == NULL)
        return false;
    size_t first = strcspn(name, " .");
    for (size_t i = 0; i < sizeof(name_titles) / sizeof(name_titles[0]); i++)
        if (strlen(name_titles[i]) == first &&
            strncasecmp(name, name_titles[i], first) == 0 && name[first])
            return true;
    size_t words = 0;
    bool in_word = false;
    for (const char *c = name; *c; c++) {
        if (ms_ascii_is_digit((unsigned char)*c) ||
            strchr("#[]{}|\\$%*=<>~^", *c))
            return true;
        bool space = ms_ascii_is_space((unsigned char)*c);
        if (!space && !in_word)
            words++;
        in_word = !space;
    }
    return words >= 5;
}

/* A sender on a free mail provider whose display name is a company, an
 * offer or a code rather than a person: people write from free mail
 * under their names, businesses from their own domains. */
static void free_mail_name_signal(run *x, const char *from_reg)
{
    const ms_message *m = x->m;
    if (m->from.n == 0 || from_reg == NULL ||
        !in_domains(x->e->free_mail, x->e->n_free_mail, from_reg))
        return;
    if (odd_display_name(m->from.items[0].name))
        add_signal(x, S_FREE_MAIL_ODD_NAME, "\"%.120s\" on %s",
                   m->from.items[0].name, from_reg);
}

/* The class of a byte of a token: 1 lower-case, 2 upper-case, 3 digit,
 * 0 anything else. */
static int token_class(unsigned char c)
{
    return c >= 'a' && c <= 'z'   ? 1
           : c >= 'A' && c <= 'Z' ? 2
           : c >= '0' && c <= '9' ? 3
                                  : 0;
}

/* Counts the pieces of a token of n letters and digits: words in
 * lower-case with at most one capital ("Mark", "now"), runs of capitals
 * ("PEW") and numbers. */
static size_t token_pieces(const char *p, size_t n)
{
    size_t pieces = 0;
    for (size_t i = 0; i < n;) {
        int k = token_class((unsigned char)p[i]);
        size_t j = i + 1;
        if (k == 2 && j < n && token_class((unsigned char)p[j]) == 1)
            k = 1; /* a capital that starts a word */
        while (j < n && token_class((unsigned char)p[j]) == k)
            j++;
        pieces++;
        i = j;
    }
    return pieces;
}

/* Returns the first machine-made token of text in the arena, or NULL: a
 * run of six or more letters and digits that mixes lower-case,
 * upper-case and digits in five pieces or more, two and a half
 * characters long on average ("9aJqKga0PEWhWiJ", "nDY9wO"): the random
 * tag that makes each copy of a mass mailing unique. Names ("iPhone15",
 * "Buy4Now", "Mark2CurSeen") and references ("AXRT1121DXB04") are made of
 * fewer, longer pieces. */
static const char *random_token(ms_arena *a, const char *text)
{
    if (text == NULL)
        return NULL;
    for (const char *p = text; *p;) {
        if (token_class((unsigned char)*p) == 0) {
            p++;
            continue;
        }
        const char *q = p;
        size_t count[4] = {0, 0, 0, 0};
        while (token_class((unsigned char)*q) != 0)
            count[token_class((unsigned char)*q++)]++;
        size_t n = (size_t)(q - p);
        if (n >= 6 && count[1] >= 2 && count[2] >= 2 && count[3] >= 1) {
            size_t pieces = token_pieces(p, n);
            if (pieces >= 5 && 2 * n <= 5 * pieces)
                return ms_arena_strndup(a, p, n);
        }
        p = q;
    }
    return NULL;
}

/* The tag a bulk sender hangs on the end of a display name to make each
 * copy differ ("Slim Besparen Team .PCOK", "Akusoli...CCzt"): four to
 * eight letters, two capitals at least, set off by a space before a dot
 * or by two dots or more. A domain shown as a name ("Booking.com",
 * "GMX.NET") has a single dot and a shorter suffix. */
static const char *trailing_tag(const char *name)
{
    if (name == NULL)
        return NULL;
    size_t n = strlen(name), i = n, capitals = 0;
    while (i > 0 && ms_ascii_is_alpha(name[i - 1])) {
        capitals += name[i - 1] >= 'A' && name[i - 1] <= 'Z';
        i--;
    }
    if (n - i < 4 || n - i > 8 || capitals < 2 || i < 2 || name[i - 1] != '.')
        return NULL;
    if (name[i - 2] != ' ' && name[i - 2] != '.')
        return NULL;
    return name + i;
}

/* A machine-made token in the subject, the display name or the name of
 * an attachment. */
static void random_token_signal(run *x)
{
    const ms_message *m = x->m;
    const char *t = random_token(x->a, m->subject);
    if (t) {
        add_signal(x, S_RANDOM_TOKEN, "subject token %.80s", t);
        return;
    }
    if (m->from.n > 0 &&
        ((t = random_token(x->a, m->from.items[0].name)) != NULL ||
         (t = trailing_tag(m->from.items[0].name)) != NULL)) {
        add_signal(x, S_RANDOM_TOKEN, "display name token %.80s", t);
        return;
    }
    for (size_t i = 0; i < m->n_attachments; i++) {
        t = random_token(x->a, m->attachments[i]->filename);
        if (t) {
            add_signal(x, S_RANDOM_TOKEN, "attachment name token %.80s", t);
            return;
        }
    }
}

/* True when the signal s fired. */
static bool fired(const run *x, int s)
{
    for (size_t i = 0; i < x->r->n_signals; i++)
        if (strcmp(x->r->signals[i].name, signal_defaults[s].name) == 0)
            return true;
    return false;
}

/* Bait from a sender nobody vouches for: the words of a lure, a threat,
 * a credential request or a scam, and a sender that is a free mailbox,
 * fails or lacks authentication, wants replies elsewhere, or names
 * itself with a made-up domain or name. Either alone is common in
 * honest mail (offers from real shops, friends on free mail); phishing
 * brings both. Mailing lists are left out. */
static void unverified_lure_signal(run *x, const char *from_reg,
                                   size_t n_phrases)
{
    static const int weak[] = {
        S_AUTH_FAIL,          S_SENDER_UNALIGNED,     S_REPLY_TO_MISMATCH,
        S_REPLY_TO_FREE_MAIL, S_RANDOM_SENDER_DOMAIN, S_INVALID_SENDER,
        S_FREE_MAIL_ODD_NAME, S_OBFUSCATED_TEXT,      S_BRAND_DISPLAY_NAME,
        S_LOOKALIKE_DOMAIN,   S_DISPLAY_NAME_ADDRESS, S_RANDOM_TOKEN,
        S_RANDOM_LOCAL_PART,  S_CONTACT_FREE_MAIL,
    };
    const ms_phish_engine *e = x->e;
    if ((n_phrases == 0 && !fired(x, S_MONEY_SUBJECT)) ||
        via_mailing_list(x->m))
        return;
    const char *why = NULL;
    if (from_reg && in_domains(e->free_mail, e->n_free_mail, from_reg))
        why = "a free mail sender";
    else if (from_reg && abused_tld(e, from_reg))
        why = "a sender on an abused top-level domain";
    else if (from_reg && in_domains(e->free_hosting, e->n_free_hosting,
                                    x->m->from.items[0].domain))
        why = "a sender on a free hosting service";
    for (size_t i = 0; why == NULL && i < sizeof(weak) / sizeof(weak[0]); i++)
        if (fired(x, weak[i]))
            why = signal_defaults[weak[i]].name;
    if (why && n_phrases == 0)
        add_signal(x, S_UNVERIFIED_LURE, "money in the subject from %s", why);
    else if (why)
        add_signal(x, S_UNVERIFIED_LURE, "%zu bait phrase%s from %s", n_phrases,
                   n_phrases == 1 ? "" : "s", why);
}

/* True when the address a (n bytes) is one of the list's, case folded. */
static bool listed_address(const ms_address_list *l, const char *a, size_t n)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *v = l->items[i].address;
        if (v && strlen(v) == n && strncasecmp(v, a, n) == 0)
            return true;
    }
    return false;
}

/* True when the line holding text[at] quotes a header or introduces a
 * quote ("From: Ann <ann@example.com>", "De: ...", "On Monday, ann@...
 * wrote:"): an address a forward or a reply carries along, not one the
 * writer asks to be written to. */
static bool quoted_header_line(const char *text, size_t n, size_t at)
{
    static const char *const fields[] = {
        "from",    "to",      "cc",      "bcc",   "reply-to", "sender",
        "de",      "para",    "von",     "an",    "da",       "a",
        "sent",    "date",    "enviado", "envoy", "gesendet", "inviato",
        "subject", "assunto", "asunto",  "objet", "betreff",  "oggetto"};
    size_t start = at, end = at;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    while (end < n && text[end] != '\n')
        end++;
    size_t i = start;
    while (i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '>' ||
                       text[i] == '*'))
        i++;
    size_t w = i;
    while (w < end && w - i < 12 && text[w] != ':' && text[w] != ' ')
        w++;
    if (w < end && text[w] == ':')
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
            if (strlen(fields[k]) == w - i &&
                strncasecmp(text + i, fields[k], w - i) == 0)
                return true;
    while (end > at && ms_ascii_is_space(text[end - 1]))
        end--;
    return end > at && text[end - 1] == ':';
}

/* True when the word before the address that starts at text[start] says
 * whom the mail went to ("This email was sent to ann@...", "enviado
 * para ...", "Para: ..."): a recipient, as a bulk sender's footer names
 * the mailbox it mailed, whatever To says. */
static bool addressed_to(const char *text, size_t start)
{
    static const char *const words[] = {"to", "para", "an",      "for",
                                        "a",  "per",  "\xc3\xa0"};
    size_t end = start;
    while (end > 0 &&
           (ms_ascii_is_space(text[end - 1]) || text[end - 1] == ':' ||
            text[end - 1] == '<' || text[end - 1] == '('))
        end--;
    size_t w = end;
    while (w > 0 && (ms_ascii_is_alpha(text[w - 1]) ||
                     (unsigned char)text[w - 1] >= 0x80))
        w--;
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
        if (strlen(words[k]) == end - w &&
            strncasecmp(text + w, words[k], end - w) == 0)
            return true;
    return false;
}

/* Words that, shortly before an address, ask the reader to write to it:
 * "Write at", "Email me at", "reply to", "contact", "e-mail box for
 * response", in the languages of the phrase lists. */
static const char *const contact_words[] = {
    "mail",    "write",  "reply",  "respon",  "contact",
    "contato", "reach",  "crivez", "schreib", "kontakt",
    "scriv",   "escrib", "escrev", "antwort", "risp"};

/* True when the 80 bytes before text[start] hold a contact word. */
static bool contact_cue(const char *text, size_t start)
{
    size_t from = start > 80 ? start - 80 : 0;
    for (size_t i = from; i < start; i++)
        for (size_t k = 0; k < sizeof(contact_words) / sizeof(contact_words[0]);
             k++) {
            size_t wl = strlen(contact_words[k]);
            if (i + wl <= start &&
                strncasecmp(text + i, contact_words[k], wl) == 0)
                return true;
        }
    return false;
}

/* Finds in text an address on a free mail provider that is neither the
 * sender's nor a recipient's, outside quoted headers, and that the words
 * before it offer as a contact; returns it (arena memory) or NULL. */
static const char *free_contact(const run *x, const char *text, size_t n)
{
    const ms_message *m = x->m;
    for (const char *at = memchr(text, '@', n); at;
         at = memchr(at + 1, '@', n - (size_t)(at + 1 - text))) {
        size_t pos = (size_t)(at - text);
        size_t start = pos, end = pos + 1;
        while (start > 0 && (ms_ascii_is_alnum(text[start - 1]) ||
                             strchr("._+-", text[start - 1]) != NULL))
            start--;
        while (end < n && (ms_ascii_is_alnum(text[end]) || text[end] == '.' ||
                           text[end] == '-'))
            end++;
        while (end > pos + 1 && text[end - 1] == '.')
            end--;
        /* "a@b.example@c.example" is no address to write to */
        if (start == pos || end == pos + 1 || pos + 1 >= n ||
            (start > 0 && text[start - 1] == '@'))
            continue;
        char *domain = ms_arena_strndup(x->a, at + 1, end - pos - 1);
        const char *reg = domain ? registered(x->a, domain) : NULL;
        if (reg == NULL || !in_domains(x->e->free_mail, x->e->n_free_mail, reg))
            continue;
        size_t len = end - start;
        if (listed_address(&m->from, text + start, len) ||
            listed_address(&m->to, text + start, len) ||
            listed_address(&m->cc, text + start, len) ||
            listed_address(&m->reply_to, text + start, len) ||
            quoted_header_line(text, n, pos) || addressed_to(text, start) ||
            !contact_cue(text, start))
            continue;
        return ms_arena_strndup(x->a, text + start, len);
    }
    return NULL;
}

/* A short mail (not long_text) outside mailing lists whose text asks to
 * be written to at a free mailbox that is not the sender's: "write me at
 * ...@gmail.com", "contact his secretary at ...@outlook.com". The
 * Reply-To trick (reply_to_free_mail) done in the words of the mail,
 * which advance-fee, donation and dating scams use to move the talk to
 * a mailbox of their own. */
static void contact_free_mail_signal(run *x, const ms_html_doc *docs,
                                     size_t n_docs)
{
    const ms_message *m = x->m;
    if (x->long_text || via_mailing_list(m))
        return;
    const char *found = NULL;
    for (size_t i = 0; !found && i < m->n_text_plain + n_docs; i++) {
        size_t n;
        const char *p = visible_text(m, docs, i, &n);
        if (p)
            found = free_contact(x, p, n);
    }
    if (found)
        add_signal(x, S_CONTACT_FREE_MAIL, "the text gives %.120s", found);
}

/* True when nobody vouches for the sender: a free mailbox, failed or
 * missing authentication for the From domain, or replies sent
 * elsewhere. */
static bool unvouched_sender(const run *x, const char *from_reg)
{
    const ms_phish_engine *e = x->e;
    return (from_reg && in_domains(e->free_mail, e->n_free_mail, from_reg)) ||
           fired(x, S_AUTH_FAIL) || fired(x, S_SENDER_UNALIGNED) ||
           fired(x, S_REPLY_TO_MISMATCH) || fired(x, S_REPLY_TO_FREE_MAIL) ||
           fired(x, S_INVALID_SENDER) || fired(x, S_CONTACT_FREE_MAIL);
}

/* A mail of a few words that hands over a document (an attached file
 * and little else to read) from a sender nobody vouches for: the lure is
 * in the attachment, where the body's filters do not look. */
static void attachment_only_signal(run *x, const char *from_reg, size_t visible)
{
    const ms_message *m = x->m;
    if (m->n_attachments == 0 || visible > 400 || via_mailing_list(m) ||
        !unvouched_sender(x, from_reg))
        return;
    const char *name = m->attachments[0]->filename;
    add_signal(x, S_ATTACHMENT_ONLY, "%zu visible characters and %.120s",
               visible, name ? name : "an attachment");
}

/* A short mail with nothing to click and nothing attached, from a sender
 * nobody vouches for (a free mailbox, failed or missing authentication,
 * replies sent elsewhere): the opening of an advance-fee, romance or
 * gift-card scam, which wants an answer, not a click. Mailing lists are
 * left out. */
static void reply_bait_signal(run *x, const ms_url_list *urls,
                              const char *from_reg, size_t visible)
{
    const ms_message *m = x->m;
    if (visible == 0 || visible > 1500 || m->n_attachments > 0 ||
        via_mailing_list(m))
        return;
    for (size_t i = 0; urls && i < urls->n; i++) {
        const ms_url_entry *u = &urls->items[i];
        if (is_link(u) && u->url.host != NULL)
            return;
    }
    if (!unvouched_sender(x, from_reg))
        return;
    add_signal(x, S_REPLY_BAIT,
               "%zu visible characters, no link, no attachment, from %s",
               visible, from_reg ? from_reg : "an unknown sender");
    /* the scam's opening asks for an answer, and the answer goes to a
     * free mailbox of the scammer's, not back to the sender */
    if (fired(x, S_REPLY_TO_FREE_MAIL) || fired(x, S_CONTACT_FREE_MAIL))
        add_signal(x, S_DIVERTED_REPLY, "replies go to a free mailbox: %s",
                   fired(x, S_REPLY_TO_FREE_MAIL) ? "Reply-To"
                                                  : "an address in the text");
}

/* Links that all lead away from the sender's domain (all of them, when
 * the From address has no domain), outside mailing lists (whose posts
 * link anywhere). */
static void links_elsewhere_signal(run *x, const ms_url_list *urls,
                                   const char *from_reg)
{
    if (urls == NULL || via_mailing_list(x->m))
        return;
    size_t links = 0;
    const char *first = NULL;
    for (size_t i = 0; i < urls->n; i++) {
        const ms_url_entry *u = &urls->items[i];
        if (!is_link(u) || u->url.host == NULL)
            continue;
        const char *reg = u->url.domain ? u->url.domain : u->url.host;
        if (from_reg &&
            (strcmp(reg, from_reg) == 0 || host_is(u->url.host, from_reg)))
            return;
        if (first == NULL)
            first = u->url.url;
        links++;
    }
    if (links > 0)
        add_signal(x, S_LINKS_ELSEWHERE, "%zu link%s, none to %s; first %.200s",
                   links, links == 1 ? "" : "s",
                   from_reg ? from_reg : "the sender, who has no domain",
                   first);
}

/* A minimal HTML mail whose one or two link hosts are all away from the
 * sender (thin_html_body and links_elsewhere) and which carries no
 * List-Unsubscribe field, as bulk senders' mail does: a page built to
 * make the reader click one button. */
static void call_to_action_signal(run *x, const ms_url_list *urls)
{
    if (urls == NULL || !fired(x, S_THIN_HTML_BODY) ||
        !fired(x, S_LINKS_ELSEWHERE) ||
        ms_message_header(x->m, "List-Unsubscribe"))
        return;
    const char *hosts[2] = {NULL, NULL};
    size_t n_hosts = 0;
    for (size_t i = 0; i < urls->n; i++) {
        const ms_url_entry *u = &urls->items[i];
        if (!is_link(u) || u->url.host == NULL)
            continue;
        bool seen = false;
        for (size_t k = 0; k < n_hosts && !seen; k++)
            seen = strcasecmp(hosts[k], u->url.host) == 0;
        if (seen)
            continue;
        if (n_hosts == 2)
            return;
        hosts[n_hosts++] = u->url.host;
    }
    if (n_hosts > 0)
        add_signal(x, S_SINGLE_CALL_TO_ACTION, "links to %s%s%s only", hosts[0],
                   n_hosts > 1 ? " and " : "", n_hosts > 1 ? hosts[1] : "");
}

/* Links that all lead away from the sender (links_elsewhere) and all to
 * hosts on abused top-level domains, in a mail that carries no
 * List-Unsubscribe field, outside mailing lists: the sender's one
 * destination is a throwaway domain. A newsletter or a post that links
 * to one such site among others does not count. */
static void abused_links_signal(run *x, const ms_url_list *urls)
{
    if (urls == NULL || !fired(x, S_LINKS_ELSEWHERE) ||
        via_mailing_list(x->m) || ms_message_header(x->m, "List-Unsubscribe"))
        return;
    const char *first = NULL;
    for (size_t i = 0; i < urls->n; i++) {
        const ms_url_entry *u = &urls->items[i];
        if (!is_link(u) || u->url.host == NULL)
            continue;
        if (!abused_tld(x->e, u->url.host))
            return;
        if (first == NULL)
            first = u->url.host;
    }
    if (first)
        add_signal(x, S_ABUSED_LINKS_ONLY,
                   "every link on an abused "
                   "top-level domain; first %.200s",
                   first);
}

/* A sender that looks made for the mailing (a machine-made mailbox name
 * or domain label, an address no mail system hands out, a domain on an
 * abused top-level domain or a hosting service) whose links all lead elsewhere
 * or whose HTML is a line or two around a link: a mass mailing sent from a
 * throwaway domain for somebody else's page. Mailing lists are left out. */
static void throwaway_sender_signal(run *x, const char *from_host,
                                    const char *from_reg)
{
    const ms_phish_engine *e = x->e;
    if (via_mailing_list(x->m) ||
        !(fired(x, S_LINKS_ELSEWHERE) || fired(x, S_THIN_HTML_BODY)))
        return;
    const char *why = NULL;
    if (fired(x, S_RANDOM_LOCAL_PART))
        why = "a machine-made mailbox name";
    else if (fired(x, S_INVALID_SENDER))
        why = "an address no mail system hands out";
    else if (fired(x, S_RANDOM_SENDER_DOMAIN))
        why = "a machine-made domain";
    else if (from_reg && abused_tld(e, from_reg))
        why = "an abused top-level domain";
    else if (from_host &&
             in_domains(e->free_hosting, e->n_free_hosting, from_host))
        why = "a hosting service";
    if (why)
        add_signal(x, S_THROWAWAY_SENDER, "%s sends the reader away from %s",
                   why,
                   from_reg    ? from_reg
                   : from_host ? from_host
                               : "a sender with no domain");
}

/* A thin HTML mail (thin_html_body) whose line or two is bait: a phrase
 * of pressure, a lure or a scam, or money or pictographs in the subject.
 * A short honest HTML mail (a receipt, a shipping notice) seldom sells;
 * an advertisement that shows its offer as one image and a line of text
 * does. Credential phrases are left out: "your parcel", "reset your
 * password" are the words of real notices too. */
static void thin_html_bait_signal(run *x)
{
    static const int bait[] = {
        S_URGENCY, S_LURE, S_SCAM, S_MONEY_SUBJECT, S_SYMBOLS_SUBJECT,
    };
    if (!fired(x, S_THIN_HTML_BODY))
        return;
    for (size_t i = 0; i < sizeof(bait) / sizeof(bait[0]); i++)
        if (fired(x, bait[i])) {
            add_signal(x, S_THIN_HTML_BAIT, "a line or two of HTML and %s",
                       signal_defaults[bait[i]].name);
            return;
        }
}

/* Analyzes a mail; see phishing.h. */
ms_status ms_phish_analyze(const ms_phish_engine *e, ms_phish_scratch *s,
                           const ms_message *m, const ms_url_list *urls,
                           const ms_file_report *reports, size_t n_reports,
                           ms_phish_result *out)
{
    memset(out, 0, sizeof(*out));
    out->verdict = "clean";
    run x = {e, s, m->arena, m, out, NULL, false};
    ms_html_doc docs[8];
    size_t n_docs = 0;
    ms_status rc = scan_mail(&x, urls, reports, n_reports, docs, &n_docs);
    if (rc != MS_OK)
        return rc;
    spamscope_part(&x, urls);

    const char *from_host =
        m->from.n && m->from.items[0].domain && *m->from.items[0].domain
            ? m->from.items[0].domain
            : NULL;
    const char *from_reg = registered(x.a, from_host);
    size_t n_phrases[PL_COUNT];
    const char *first_phrase[PL_COUNT];
    count_phrases(e, bounded_bits(s, F_VISIBLE), bounded_bits(s, F_SUBJECT),
                  bounded_bits(s, F_DISPLAY), s->n_bytes, n_phrases,
                  first_phrase);
    size_t n_urgency = n_phrases[PL_URGENCY];
    size_t n_credential = n_phrases[PL_CREDENTIAL];

    brand_signals(&x, from_host, from_reg, urls, n_credential, n_urgency, docs,
                  n_docs);
    if (from_reg && abused_tld(e, from_reg))
        add_signal(&x, S_SUSPICIOUS_TLD, "sender domain %s", from_reg);
    if (from_host && in_domains(e->free_hosting, e->n_free_hosting, from_host))
        add_signal(&x, S_FREE_HOSTING_LINK, "sender domain %s", from_host);
    if (from_host) {
        /* the sender's domain in both forms, as a link's host is: an
         * IDN sender (xn--pypal-4ve.com) is judged by its Unicode form */
        char link[300];
        ms_url sender;
        memset(&sender, 0, sizeof(sender));
        const char *unicode = NULL;
        int n = snprintf(link, sizeof(link), "http://%s/", from_host);
        if (n > 0 && (size_t)n < sizeof(link) &&
            ms_url_parse(x.a, link, (size_t)n, &sender) == MS_OK &&
            sender.valid && sender.host) {
            unicode = sender.unicode;
            if (sender.flags & MS_URL_MIXED_SCRIPT)
                add_signal(&x, S_MIXED_SCRIPT, "sender domain %.200s",
                           sender.unicode ? sender.unicode : from_host);
        }
        lookalike l;
        bool parsed = sender.valid && sender.host && sender.domain;
        if (check_host(e, x.a, parsed ? sender.host : from_host,
                       parsed ? sender.domain : from_reg, unicode, &l)) {
            add_signal(&x, l.signal, "sender domain %s imitates %s", from_host,
                       l.b->name);
            if (x.brand == NULL)
                x.brand = l.b->name;
        }
    }
    url_signals(&x, urls);
    for (size_t i = 0; i < n_docs; i++) {
        for (size_t k = 0; k < docs[i].n_forms; k++) {
            const ms_html_form *f = &docs[i].forms[k];
            if (f->has_password)
                add_signal(&x, S_CREDENTIAL_FORM,
                           "a form with a password field posts to %.200s",
                           f->action ? f->action : "(this page)");
            else
                add_signal(&x, S_FORM_IN_BODY, "a form posts to %.200s",
                           f->action ? f->action : "(this page)");
        }
        if (docs[i].n_password_inputs > 0)
            add_signal(&x, S_CREDENTIAL_FORM, "%zu password field%s",
                       docs[i].n_password_inputs,
                       docs[i].n_password_inputs == 1 ? "" : "s");
    }
    for (size_t i = 0; i < n_reports; i++)
        file_signals(&x, &reports[i], urls, 0);
    recipient_signal(&x, docs, n_docs);
    auth_signal(&x, from_reg);
    brand_spoofed_signal(&x, from_host, from_reg);
    random_sender_signal(&x, from_host, from_reg);
    random_local_part_signal(&x);
    free_mail_name_signal(&x, from_reg);
    random_token_signal(&x);
    size_t visible = visible_chars(m, docs, n_docs);
    x.long_text = visible > LONG_TEXT_CHARS;
    thin_body_signal(&x, n_docs, urls, visible);
    contact_free_mail_signal(&x, docs, n_docs);
    if (names_money(m->subject))
        add_signal(&x, S_MONEY_SUBJECT, "subject \"%.120s\"", m->subject);
    header_signals(&x, from_reg);
    hidden_text_signal(&x, docs, n_docs);
    links_elsewhere_signal(&x, urls, from_reg);
    call_to_action_signal(&x, urls);
    abused_links_signal(&x, urls);
    throwaway_sender_signal(&x, from_host, from_reg);
    display_name_domain_signal(&x, from_reg);
    reply_bait_signal(&x, urls, from_reg, visible);
    attachment_only_signal(&x, from_reg, visible);
    add_phrase_signal(&x, S_URGENCY, n_urgency, first_phrase[PL_URGENCY]);
    add_phrase_signal(&x, S_CREDENTIAL_REQUEST, n_credential,
                      first_phrase[PL_CREDENTIAL]);
    add_phrase_signal(&x, S_LURE, n_phrases[PL_LURE], first_phrase[PL_LURE]);
    add_phrase_signal(&x, S_SCAM, n_phrases[PL_SCAM], first_phrase[PL_SCAM]);
    thin_html_bait_signal(&x);
    unverified_lure_signal(&x, from_reg,
                           n_urgency + n_credential + n_phrases[PL_LURE] +
                               n_phrases[PL_SCAM]);

    int risk = 0;
    for (size_t i = 0; i < out->n_signals; i++)
        risk += out->signals[i].weight;
    out->risk = risk > 100 ? 100 : risk;
    out->verdict = out->risk >= e->threshold_phishing     ? "phishing"
                   : out->risk >= e->threshold_suspicious ? "suspicious"
                                                          : "clean";
    out->brand = x.brand;
    return MS_OK;
}

/* The name of SpamScope's bit i. */
const char *ms_phish_bit_name(unsigned i)
{
    return i < 8 ? bit_names[i] : NULL;
}

/* Writes the phishing object; see phishing.h. */
void ms_phish_write_json(ms_json *w, const ms_phish_result *r)
{
    ms_json_object_begin(w);
    ms_json_kv_uint(w, "score", r->score);
    ms_json_key(w, "score_expanded");
    ms_json_array_begin(w);
    for (unsigned i = 0; i < 8; i++)
        if (r->score & (1u << i))
            ms_json_cstr(w, bit_names[i]);
    ms_json_array_end(w);
    ms_json_key(w, "targets");
    ms_json_array_begin(w);
    for (size_t i = 0; i < r->n_targets; i++)
        ms_json_cstr(w, r->targets[i]);
    ms_json_array_end(w);
    ms_json_kv_bool(w, "with_phishing", r->with_phishing);
    ms_json_kv_cstr(w, "verdict", r->verdict);
    ms_json_kv_int(w, "risk", r->risk);
    ms_json_kv_cstr(w, "brand", r->brand);
    ms_json_key(w, "signals");
    ms_json_array_begin(w);
    for (size_t i = 0; i < r->n_signals; i++) {
        ms_json_object_begin(w);
        ms_json_kv_cstr(w, "name", r->signals[i].name);
        ms_json_kv_int(w, "weight", r->signals[i].weight);
        ms_json_kv_cstr(w, "evidence", r->signals[i].evidence);
        ms_json_object_end(w);
    }
    ms_json_array_end(w);
    ms_json_object_end(w);
}
