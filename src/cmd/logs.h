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

#endif
