/* complete.h: the dynamic words of the shell completions, answered by the
 * hidden `drove __complete WHAT ...` so that the bash, zsh and fish scripts
 * stay small (as git and gh do): the sequence names of a config (for
 * --only), the run ids of a log directory, and a past run's sequence and
 * step names (for `drove logs RUN SEQ STEP`). One word per line, nothing
 * on stderr: a completion must never print into the user's command line. */
#ifndef DROVE_COMPLETE_H
#define DROVE_COMPLETE_H

#include <stdio.h>

/* args (nargs of them) after `__complete`:
 *   sequences FILE        the expanded sequence names of FILE
 *   runs                  the run ids in log_dir, newest first
 *   live                  the ids of the runs serving a socket, newest
 *                         first (attach, ctl, wait, stop)
 *   run-sequences RUN     the sequence names of RUN
 *   run-steps RUN SEQ     the step names of RUN's sequence SEQ
 * Returns 0 when it printed the words (maybe none), 1 otherwise. */
int complete_command(const char *log_dir, char **args, int nargs,
    FILE *out);

#endif
