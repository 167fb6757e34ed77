/* notify.h: settings.notify, a command run when the operator is wanted
 * or the run is over, for notify-send, mail or a chat webhook. It observes
 * the run and starts `SHELL -c COMMAND`, in a session of its own with
 * stdin from /dev/null and its output appended to notify.log in the run
 * directory, with these in its environment (beside drove's own):
 *   DROVE_EVENT     pause (a failed step waits for the operator), failed
 *                   (the first sequence of the run that failed), end
 *   DROVE_RUN_ID, DROVE_RUN_DIR
 *   DROVE_SEQUENCE, DROVE_STEP   (pause, failed; empty for end)
 *   DROVE_STATE     pause: paused; failed: failed; end: ok, failed or
 *                   interrupted
 *   DROVE_MESSAGE   one line saying all of it, for a notification
 * Nothing it does affects the run: its status, output and failure to
 * start only reach notify.log. */
#ifndef DROVE_NOTIFY_H
#define DROVE_NOTIFY_H

struct run;
struct notify;

/* Observe run and run command (with shell) at its moments; run_dir is the
 * run's directory (copied). Caller frees. */
struct notify *notify_create(struct run *run, const char *command,
    const char *shell, const char *run_dir);

/* Give the commands still running up to `grace` seconds to finish (the
 * loop turns meanwhile), then kill their process groups, reap them and
 * free n. NULL is a no-op. */
void notify_free(struct notify *n, double grace);

#endif
