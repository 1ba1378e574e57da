/* SPDX-License-Identifier: MIT */
/*
 * Meta rules: boolean and arithmetic expressions over other rules
 * ("(__A && !__B) || (__C + __D + __E > 1)"). An expression is compiled
 * once, at load, into a postfix program by the shunting-yard method, and
 * evaluated on a small stack for each mail. A rule name's value is its
 * hit count (0 or 1, more for tflags multiple); an undefined rule is 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/spam_internal.h"
#include "util/ascii.h"

/* Deepest operator or value stack of one expression. */
#define META_STACK 128

/* Binding strength of an operator; higher binds tighter (Perl's order). */
static int precedence(int op)
{
    switch (op) {
    case META_NOT:
    case META_NEG:
        return 7;
    case META_MUL:
    case META_DIV:
        return 6;
    case META_ADD:
    case META_SUB:
        return 5;
    case META_LT:
    case META_GT:
    case META_LE:
    case META_GE:
        return 4;
    case META_EQ:
    case META_NE:
        return 3;
    case META_AND:
        return 2;
    case META_OR:
        return 1;
    }
    return 0;
}

/* True for the unary operators, which associate to the right. */
static bool is_unary(int op)
{
    return op == META_NOT || op == META_NEG;
}

/* Reads an operator at p; returns its length (0 when none) and sets *op.
 * unary says whether an operand is expected (so '-' is a negation). */
static size_t read_operator(const char *p, bool unary, int *op)
{
    static const struct {
        const char *text;
        int op;
    } ops[] = {{"&&", META_AND}, {"||", META_OR}, {"<=", META_LE},
               {">=", META_GE},  {"==", META_EQ}, {"!=", META_NE},
               {"<", META_LT},   {">", META_GT},  {"+", META_ADD},
               {"*", META_MUL},  {"/", META_DIV}, {"!", META_NOT}};
    if (*p == '-') {
        *op = unary ? META_NEG : META_SUB;
        return 1;
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t n = strlen(ops[i].text);
        if (strncmp(p, ops[i].text, n) == 0) {
            if (ops[i].op == META_NOT && !unary)
                return 0;
            *op = ops[i].op;
            return n;
        }
    }
    return 0;
}

/* Compiles the meta expression of rules->rules[index]; see
 * spam_internal.h. err is left empty when the only fault is an unknown
 * rule name (read as 0). */
bool ms_spam_meta_compile(ms_spam_rules *rules, size_t index, char *err,
                          size_t err_size)
{
    spam_rule *r = &rules->rules[index];
    const char *p = r->meta_source;
    size_t cap = strlen(p) + 2;
    meta_op *out = calloc(cap, sizeof(*out));
    if (out == NULL) {
        snprintf(err, err_size, "out of memory compiling meta %s", r->name);
        return false;
    }
    int stack[META_STACK]; /* operators; '(' is -1 */
    int top = 0;
    size_t n = 0;
    bool expect_operand = true;
    bool ok = true;
    while (*p && ok) {
        if (ms_ascii_is_space(*p)) {
            p++;
            continue;
        }
        if (ms_ascii_is_alpha(*p) || *p == '_') {
            const char *s = p;
            while (ms_ascii_is_alnum(*p) || *p == '_')
                p++;
            char name[256];
            size_t len = (size_t)(p - s) < sizeof(name) - 1 ? (size_t)(p - s)
                                                            : sizeof(name) - 1;
            memcpy(name, s, len);
            name[len] = '\0';
            long ri = ms_spam_rule_find(rules, name);
            if (ri < 0 || rules->rules[ri].kind < 0) {
                out[n].op = META_NUM;
                out[n++].value = 0;
            } else {
                out[n].op = META_RULE;
                out[n++].rule = (int)ri;
            }
            expect_operand = false;
            continue;
        }
        if (ms_ascii_is_digit(*p) || (*p == '.' && ms_ascii_is_digit(p[1]))) {
            char *end;
            out[n].op = META_NUM;
            out[n++].value = strtod(p, &end);
            p = end;
            expect_operand = false;
            continue;
        }
        if (*p == '(') {
            if (top == META_STACK) {
                ok = false;
                break;
            }
            stack[top++] = -1;
            p++;
            expect_operand = true;
            continue;
        }
        if (*p == ')') {
            while (top > 0 && stack[top - 1] != -1)
                out[n++].op = stack[--top];
            if (top == 0) {
                ok = false;
                break;
            }
            top--;
            p++;
            expect_operand = false;
            continue;
        }
        int op;
        size_t len = read_operator(p, expect_operand, &op);
        if (len == 0) {
            ok = false;
            break;
        }
        p += len;
        while (top > 0 && stack[top - 1] != -1 && !is_unary(op) &&
               precedence(stack[top - 1]) >= precedence(op))
            out[n++].op = stack[--top];
        if (top == META_STACK) {
            ok = false;
            break;
        }
        stack[top++] = op;
        expect_operand = true;
    }
    while (ok && top > 0) {
        if (stack[top - 1] == -1) {
            ok = false;
            break;
        }
        out[n++].op = stack[--top];
    }
    if (!ok || n == 0 || expect_operand) {
        free(out);
        snprintf(err, err_size, "meta %s: cannot read the expression '%.80s'",
                 r->name, r->meta_source);
        return false;
    }
    r->meta = out;
    r->n_meta = n;
    return true;
}

/* Evaluates a compiled meta program over the rule values. A program that
 * would underflow its stack (not produced by the compiler) gives 0. */
double ms_spam_meta_eval(const meta_op *ops, size_t n, const double *values)
{
    double stack[META_STACK];
    int top = 0;
    for (size_t i = 0; i < n; i++) {
        const meta_op *op = &ops[i];
        if (op->op == META_NUM || op->op == META_RULE) {
            if (top == META_STACK)
                return 0;
            stack[top++] = op->op == META_NUM ? op->value : values[op->rule];
            continue;
        }
        if (is_unary(op->op)) {
            if (top < 1)
                return 0;
            stack[top - 1] =
                op->op == META_NOT ? (stack[top - 1] == 0) : -stack[top - 1];
            continue;
        }
        if (top < 2)
            return 0;
        double b = stack[--top], a = stack[top - 1], v = 0;
        switch (op->op) {
        case META_MUL:
            v = a * b;
            break;
        case META_DIV:
            v = b != 0 ? a / b : 0;
            break;
        case META_ADD:
            v = a + b;
            break;
        case META_SUB:
            v = a - b;
            break;
        case META_LT:
            v = a < b;
            break;
        case META_GT:
            v = a > b;
            break;
        case META_LE:
            v = a <= b;
            break;
        case META_GE:
            v = a >= b;
            break;
        case META_EQ:
            v = a == b;
            break;
        case META_NE:
            v = a != b;
            break;
        case META_AND:
            v = a != 0 && b != 0;
            break;
        case META_OR:
            v = a != 0 || b != 0;
            break;
        }
        stack[top - 1] = v;
    }
    return top == 1 ? stack[0] : 0;
}
