/* cli.h: the commands that talk to a live run through its socket:
 * drove ps, ctl, wait and stop. Each prints what it has to say (stdout)
 * or why not (stderr, "drove: ..."), and returns the exit status. */
#ifndef DROVE_CLI_H
#define DROVE_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses of the commands besides the run's own (wait). */
#define CLI_REFUSED 1        /* the run refused the action */
#define CLI_USAGE 2          /* bad arguments, no such run */
#define CLI_UNKNOWN_END 4    /* wait: the run is over, and its record
                                does not say how (no run_end, no server:
                                it was killed outright) */

struct cli_options {
	bool json;           /* ps, status: JSON instead of text */
	const char *log_dir; /* where a run that is over left its record
	                        (wait reads its exit status there), or NULL */
	const char *run_dir; /* wait: the directory of the run named, when
	                        the index of runs elsewhere knows it, or NULL */
};

/* What drove ps prints (as_json: --json) of the live runs, to out:
 * the header and a line per run, or a JSON array. Returns how many runs
 * it showed (0: no header either, without as_json). */
size_t cli_ps_write(FILE *out, bool as_json);

/* Whether `cmd` is one of these commands. */
bool cli_is_command(const char *cmd);
/* Run `cmd` with its arguments. */
int cli_command(const char *cmd, char **args, int nargs,
    const struct cli_options *opt);

#endif
