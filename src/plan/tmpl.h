/* tmpl.h: {{name}} substitution in the strings of a config file.
 *
 * "{{name}}" (spaces allowed inside the braces: "{{ name }}") is replaced by
 * the value of the variable; "{{{{" is a literal "{{". Anything else that
 * starts with "{{" is an error, so a typo never reaches a shell silently.
 * "${name}" and "}}" on their own are left alone. */
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

/* Whether text refers to the variable called name (text that does not
 * expand cleanly refers to nothing). */
bool tmpl_uses(const char *text, const char *name);

/* Whether name can be used as a variable: letters, digits, '_' and '-',
 * not starting with '-'. */
bool tmpl_valid_name(const char *name);

#endif
