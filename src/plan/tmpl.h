/* tmpl.h: {{name}} substitution in the strings of a config file.
 *
 * "{{name}}" (spaces allowed inside the braces: "{{ name }}") is replaced by
 * the value of the variable, as it is; "{{name|q}}" by the value quoted as
 * one shell word (single quotes), which the shell then expands nothing in.
 * "{{{{" is a literal "{{". Anything else that starts with "{{" is an
 * error, so a typo never reaches a shell silently. "${name}" and "}}" on
 * their own are left alone. */
#ifndef DROVE_TMPL_H
#define DROVE_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Expand text with vars[] (n_vars entries; the last entry of a name wins).
 * Returns a new string the caller frees, or NULL and a message in *err
 * (caller frees) without position. If unknown is not NULL it is set to
 * true when the failure is an unknown variable (and to false otherwise). */
char *tmpl_expand(const char *text, const struct cfg_kv *vars,
    size_t n_vars, char **err, bool *unknown);

/* Same, but longer than max bytes once expanded fails too, with *err set
 * to NULL (and *unknown false). */
char *tmpl_expand_max(const char *text, const struct cfg_kv *vars,
    size_t n_vars, size_t max, char **err, bool *unknown);

/*
 * Expansion that may leave some references for later (a value captured at
 * run time, a fan-out's key): defer(arg, name, len, known) says whether
 * the reference to name (known: vars has it) stays. The result is then a
 * template: deferred references as {{name}}, literal braces (of the text
 * and of the values put in) as {{{{, so that expanding it again with the
 * late values gives what one expansion of everything would. *deferred is
 * set when a reference stayed. max as for tmpl_expand_max.
 */
typedef bool tmpl_defer_fn(void *arg, const char *name, size_t len,
    bool known);
char *tmpl_expand_defer(const char *text, const struct cfg_kv *vars,
    size_t n_vars, size_t max, tmpl_defer_fn *defer, void *arg,
    bool *deferred, char **err, bool *unknown);

/* The next reference of text at or after *p: returns true and its name in
 * *name, *len, leaving *p after it; false at the end (or at text that does
 * not expand cleanly). Literal "{{{{" is passed over. */
bool tmpl_next_ref(const char **p, const char **name, size_t *len);

/* Whether text refers to the variable called name (text that does not
 * expand cleanly refers to nothing). */
bool tmpl_uses(const char *text, const char *name);

/* Whether name can be used as a variable: letters, digits, '_' and '-',
 * not starting with '-'. */
bool tmpl_valid_name(const char *name);

#endif
