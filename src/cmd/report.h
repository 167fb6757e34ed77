/* report.h: the headless reporter, for CI logs and pipes. An observer of
 * the run that prints each output line as `SEQUENCE | line`, a line when a
 * step starts and ends, notices, and at the end a summary table. Colour
 * only when the output is a terminal and NO_COLOR is unset. */
#ifndef DROVE_REPORT_H
#define DROVE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct run;
struct report;

/* Observe `run`, printing to fp (borrowed). */
struct report *report_create(struct run *run, FILE *fp, bool color);
void report_free(struct report *rp);
/* Show control characters in what is printed visibly (vis.h), colours
 * kept when colour is on: for a terminal, unless --raw. */
void report_set_visible(struct report *rp, bool visible);
/* --raw: a step's lines exactly as written, escape sequences and all
 * (without it, and without colour, they are stripped to plain text). */
void report_set_raw(struct report *rp, bool raw);
/* Print the summary table; `run_dir` (may be NULL) is where the logs are. */
void report_summary(struct report *rp, const char *run_dir);

/* Strip ANSI escape sequences and other control bytes (but tabs) from
 * text, in place; returns the new length. */
size_t report_strip(char *text, size_t len);

#endif
