/* logs.h: `drove logs`, the past runs for people and their tools: the list
 * of runs, one run's summary, one sequence's step table, one step's
 * output. Reads run directories through runread. */
#ifndef DROVE_LOGS_H
#define DROVE_LOGS_H

#include <stdio.h>

/* args (nargs of them) are [RUN [SEQUENCE [STEP]]]; attempt 0 means the
 * last one. Prints to out, problems to stderr. Returns the exit status:
 * 0, or 1 when something asked for cannot be shown (a message says why). */
int logs_command(const char *log_dir, char **args, int nargs,
    unsigned attempt, FILE *out);

struct rr_run;
/* The run SPEC names in log_dir (runread_open), for the logs commands
 * (--json and --junit too): NULL, and why on stderr, when there is none.
 * Caller frees with runread_free. */
struct rr_run *logs_open(const char *log_dir, const char *spec);

#endif
