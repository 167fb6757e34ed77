/* logsjson.h: `drove logs --json`, the record of past runs as JSON for jq
 * and scripts: the list of runs, one run with its sequences, steps and
 * every attempt, one sequence, one step. The same reading as `drove logs`
 * (runread), one JSON object on one line. */
#ifndef DROVE_LOGSJSON_H
#define DROVE_LOGSJSON_H

#include <stdio.h>

/* args (nargs of them, at most 3) are [RUN [SEQUENCE [STEP]]]:
 *   {"runs": [{id, config, start, end, status, exit_code, sequences}]}
 *   a run: {id, dir, config, start, end, ended, live, status, exit_code,
 *           sequences: [...], warnings: [...]}
 *   a sequence: {name, state, start, end, steps: [...], actions: [...]}
 *   a step: {name, status, retries, resumed, attempts: [...]}
 * Times are seconds since the epoch (null when unknown). Problems go to
 * stderr; returns 0, or 1 when something asked for is not there. */
int logsjson_command(const char *log_dir, char **args, int nargs,
    FILE *out);

#endif
