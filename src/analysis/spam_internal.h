/* SPDX-License-Identifier: MIT */
/*
 * What the files of the spam rule engine share: the compiled rule set,
 * the rule record, and the meta-expression program.
 */
#ifndef MS_ANALYSIS_SPAM_INTERNAL_H
#define MS_ANALYSIS_SPAM_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include "analysis/spam_rules.h"

/* Rule kinds, in the order the check runs them. */
enum spam_kind {
    KIND_HEADER,
    KIND_BODY,
    KIND_RAWBODY,
    KIND_FULL,
    KIND_URI,
    KIND_META,
    N_KINDS
};

/* How a header rule reads its header. */
enum header_mode { HMODE_DECODED, HMODE_RAW, HMODE_ADDR, HMODE_NAME };

/* One step of a compiled meta expression (postfix order). */
typedef struct meta_op {
    int op;       /* META_* below */
    double value; /* META_NUM */
    int rule;     /* META_RULE: index into rules */
} meta_op;

enum {
    META_NUM,
    META_RULE,
    META_NOT,
    META_NEG,
    META_MUL,
    META_DIV,
    META_ADD,
    META_SUB,
    META_LT,
    META_GT,
    META_LE,
    META_GE,
    META_EQ,
    META_NE,
    META_AND,
    META_OR
};

/* Arguments an eval: test takes at most. */
#define SPAM_EVAL_MAX_ARGS 4

typedef struct spam_rule {
    char *name;
    int kind;     /* enum spam_kind, -1 until defined */
    bool is_eval; /* eval: test */
    int eval_fn;  /* the test spam_eval.c runs, -1: left out */
    char *eval_args[SPAM_EVAL_MAX_ARGS];
    int n_eval_args;
    pcre2_code *eval_re; /* a test's regex argument, or NULL */
    bool invalid;        /* its regex did not compile */
    char *header;        /* header rules: the header name */
    int header_mode;     /* enum header_mode */
    bool exists_test;    /* header rules: exists:Name */
    bool negate;         /* header rules: !~ */
    char *if_unset;      /* header rules: value when the header is absent */
    char *pattern;       /* the regex source */
    uint32_t pcre_flags;
    pcre2_code *re;
    bool utf;          /* re runs in UTF-8 mode, else on octets */
    int line_need;     /* "(?:G){k}" checked line by line: k, else 0 */
    bool prefiltered;  /* covered by the kind's Hyperscan database */
    char *meta_source; /* meta rules: the expression text */
    meta_op *meta;     /* compiled postfix program */
    size_t n_meta;
    double score[4];
    bool has_score;
    char *describe;
    int priority;
    bool multiple; /* tflags multiple */
    int target;    /* header rules: index of the header text read */
} spam_rule;

/* A header text some header rules read: the header (or ALL, ToCc,
 * MESSAGEID) in one mode. Computed once per mail for all its rules. */
typedef struct header_target {
    char *header;
    int mode;
    size_t pf_first, pf_count; /* its prefilters in rules->pf */
} header_target;

/* One Hyperscan prefilter database: the patterns of some rules of one
 * kind (of one header text for header rules), scanned in one pass. */
typedef struct prefilter {
    hs_database_t *db;
    unsigned *rule; /* pattern id -> rule index */
    size_t n;
    bool by_line; /* the units of line rules (spam_rule.line_need) */
} prefilter;

struct ms_spam_rules {
    spam_rule *rules;
    size_t n_rules;
    size_t cap_rules;
    double required;
    /* the Hyperscan prefilters: per body-like kind a range of them, per
     * header text another; and per kind the rules none covers */
    prefilter *pf;
    size_t n_pf, cap_pf;
    size_t kind_pf_first[N_KINDS], kind_pf_count[N_KINDS];
    unsigned *always[N_KINDS]; /* regex rules run without prefilter */
    size_t n_always[N_KINDS];
    header_target *targets; /* distinct header texts read */
    size_t n_targets;
    unsigned *metas; /* meta rules, each after the metas it reads */
    size_t n_metas;
    /* their programs one after the other, in that order (walked once per
     * mail: one block of memory, not a thousand) */
    meta_op *meta_ops;
    size_t *meta_at;        /* metas[k]'s program: meta_ops + meta_at[k] */
    unsigned *header_rules; /* the header rules checked, in order */
    size_t n_header_rules;
    unsigned *eval_rules; /* the eval: tests run */
    size_t n_eval_rules;
    char **freemail; /* freemail_domains, lower-case: after load, the
                        names without wildcards first, sorted, then the
                        n_freemail_globs with '*' or '?' */
    size_t n_freemail, cap_freemail, n_freemail_globs;
    bool meta_cycle; /* some metas read each other: evaluate to a fixpoint */
    ms_spam_rules_stats stats;
    char *cache_dir; /* compiled prefilters kept here; NULL: not kept */
    struct spam_replace *replace; /* ReplaceTags settings while loading */
};

/* Compiles the regex of a rule from its pattern (invalid when PCRE2
 * refuses it). */
void ms_spam_rule_compile(spam_rule *r);

/* Takes a ReplaceTags directive (replace_tag, replace_pre,
 * replace_inter, replace_post, replace_rules, replace_start,
 * replace_end): *handled says whether key was one. Returns MS_OK or
 * MS_ENOMEM. */
ms_status ms_spam_replace_directive(ms_spam_rules *rules, const char *key,
                                    char *rest, bool *handled);

/* Rewrites the patterns of the rules named by replace_rules with the
 * tags expanded and compiles them again; frees the settings. Returns
 * MS_OK or MS_ENOMEM. */
ms_status ms_spam_replace_apply(ms_spam_rules *rules);

/* Frees the ReplaceTags settings (NULL is fine). */
void ms_spam_replace_free(struct spam_replace *r);

/* Reads an eval: call ("name(args)") into r: r->eval_fn is the test to
 * run, or -1 when spam_eval.c has none. False only when memory runs
 * out. */
bool ms_spam_eval_parse(spam_rule *r, const char *call);

/* Frees what ms_spam_eval_parse kept. */
void ms_spam_eval_free(spam_rule *r);

/* What the eval: tests of one mail share, computed once. */
typedef struct spam_eval_cache {
    bool date_done;
    double date_diff;
} spam_eval_cache;

/* Sorts the freemail_domains list for lookups (after loading). */
void ms_spam_eval_finish(ms_spam_rules *rules);

/* Runs rule r's eval: test on a mail; returns 1 for a hit, else 0. The
 * cache starts zeroed for each mail. */
double ms_spam_eval_run(const ms_spam_rules *rules, const spam_rule *r,
                        ms_arena *a, const ms_message *m, pcre2_match_data *md,
                        spam_eval_cache *cache);

/* Compiles the meta expression of rules->rules[index]. Returns false
 * with a reason in err when the expression is malformed or names an
 * unknown rule. */
bool ms_spam_meta_compile(ms_spam_rules *rules, size_t index, char *err,
                          size_t err_size);

/* Evaluates a compiled meta program over the rule values. */
double ms_spam_meta_eval(const meta_op *ops, size_t n, const double *values);

/* Returns the index of the rule called name, or -1. */
long ms_spam_rule_find(const ms_spam_rules *rules, const char *name);

#endif
