/* runlog.h: the run directory, the record a run leaves behind.
 *
 *   LOG_DIR/RUN_ID/config.yaml          the config file, as it was
 *   LOG_DIR/RUN_ID/events.jsonl         one JSON object per line
 *   LOG_DIR/RUN_ID/NN-SEQ/MM-STEP.A.log the exact bytes attempt A wrote
 *   LOG_DIR/latest -> RUN_ID
 *
 * It is an observer of the run: it writes what the run announces, each
 * event line flushed as it happens, so a run killed outright still leaves
 * a readable record. Directories are 0700 and files 0600: logs hold
 * secrets more often than not. */
#ifndef DROVE_RUNLOG_H
#define DROVE_RUNLOG_H

#include <stdbool.h>
#include <stddef.h>

struct run;
struct runlog;

/* Make the run directory under log_dir (created if needed) for `run`,
 * copy config_path into it, and observe the run. NULL and *err (caller
 * frees) if the directory cannot be made. */
struct runlog *runlog_create(struct run *run, const char *config_path,
    const char *log_dir, char **err);
void runlog_free(struct runlog *rl);

const char *runlog_dir(const struct runlog *rl);
/* Record that the run's socket refused a peer (why: who it was). */
void runlog_refused(struct runlog *rl, const char *why);

/* Why the record is incomplete: the first write to the run directory
 * that failed (a full disk, most often), or NULL while all is written.
 * The run goes on regardless; events.jsonl only ever holds whole lines,
 * and says what was lost in a run-wide `notice` once it can. Owned by
 * rl. */
const char *runlog_problem(const struct runlog *rl);
/* Whether to print that problem on stderr when it happens (by default
 * yes; the dashboard shows it on its status bar instead). */
void runlog_set_quiet(struct runlog *rl, bool quiet);
/* Path of a step attempt's log relative to the run directory. The file
 * (and its sequence's directory) is made when the attempt writes its
 * first byte: one that printed nothing has none, and its step_end says
 * log_bytes 0. Caller frees. */
char *runlog_step_path(const struct runlog *rl, size_t seq, size_t step,
    unsigned attempt);

/* Is name a run id (YYYYmmdd-HHMMSS, maybe -N)? Only such entries of a
 * log directory are runs; nothing else there is ever touched. */
bool runlog_is_run_id(const char *name);

/* Is the run in directory `dir` still being written by a drove? (It
 * holds a lock on its events.jsonl for as long as it runs.) */
bool runlog_live(const char *dir);

/* Order of run ids by age, like strcmp: the time first, then the -N of
 * runs started in the same second (-10 after -9). */
int runlog_id_cmp(const char *a, const char *b);

/* The run ids in log_dir, newest first (caller frees each and the array).
 * Returns the count; 0 also when log_dir cannot be read. */
size_t runlog_list(const char *log_dir, char ***ids);
/* The same for a directory open as log_fd (it stays open), and oldest
 * first when oldest_first. */
size_t runlog_ids_at(int log_fd, bool oldest_first, char ***ids);

/* mkdir -p with mode 0700 for what it creates: 0, or -1 with errno. */
int runlog_mkdirs(const char *path);

/* Remove the oldest run directories of log_dir so that at most `keep`
 * remain, never `current` (an id) nor a run another drove still writes
 * (its events.jsonl is locked). keep 0 keeps everything. Returns the
 * number removed. */
size_t runlog_prune(const char *log_dir, unsigned keep, const char *current);

/* A name safe for a file: letters, digits, '.', '_' and '-' are kept,
 * runs of anything else become one '-'; never empty. Caller frees. */
char *runlog_slug(const char *name);

#endif
