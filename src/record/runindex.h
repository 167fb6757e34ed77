/* runindex.h: where recent runs are, so that a run id names its run
 * whatever log directory it went to (a config's log_dir, --log-dir), and
 * `drove logs ID`, `review ID` and `wait ID` find it without -c FILE.
 *
 * The index is a directory beside the default log directory
 * ($XDG_STATE_HOME/drove/where, else ~/.local/state/drove/where), made 0700 and used only when it is
 * a real directory of the user's that nobody else can write to. It holds
 * a file per run, named by the run id, whose content is the absolute
 * path of the run directory and a newline. Only the newest RUNINDEX_KEEP
 * are kept. A path read from it is used only when it is a run directory
 * (it has an events.jsonl) named by that id: the index says where to
 * look, the record itself is read as ever (runread.h). */
#ifndef DROVE_RUNINDEX_H
#define DROVE_RUNINDEX_H

#define RUNINDEX_KEEP 200

/* The index directory beside the default log directory (DIR/runs:
 * DIR/where; not made). Caller frees. */
char *runindex_dir(const char *default_log_dir);
/* Note that run_dir (made by runlog_create; made absolute here) is
 * where its run is. Best effort and quiet: a run goes on without it.
 * Older entries beyond RUNINDEX_KEEP are removed. */
void runindex_add(const char *index_dir, const char *run_dir);
/* The run directory of the run spec names (a run id, or a unique
 * prefix of one) in the index: its path (caller frees), or NULL, with
 * *err (caller frees) when spec is more than one run, else *err NULL. */
char *runindex_find(const char *index_dir, const char *spec, char **err);

#endif
