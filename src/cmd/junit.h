/* junit.h: a past run as a JUnit XML report, the form CI systems read
 * (`drove logs RUN --junit FILE`): one testsuite per sequence, one
 * testcase per step, its attempts' output as system-out. */
#ifndef DROVE_JUNIT_H
#define DROVE_JUNIT_H

#include <stdio.h>

struct rr_run;

/* Write run's report to fp. A step that succeeded passes; failed,
 * timeout and killed are failures; skipped, or never run, is skipped; one
 * cut off by the end of the run is an error. system-out holds each
 * attempt's output, under a line saying which attempt and how it ended;
 * text that XML cannot hold (control characters, bytes that are not
 * UTF-8) becomes U+FFFD. */
void junit_write(const struct rr_run *run, FILE *fp);

/* `drove logs RUN --junit FILE`: RUN of log_dir to FILE (replaced whole,
 * or not at all). Returns 0, or 1 with a message on stderr. */
int junit_command(const char *log_dir, const char *spec, const char *path);

#endif
