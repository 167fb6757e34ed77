/* runindex.c: where recent runs are (runindex.h). */
#include "runindex.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsat.h"
#include "runlog.h"
#include "xmalloc.h"

char *
runindex_dir(const char *default_log_dir)
{
	const char *slash = strrchr(default_log_dir, '/');
	size_t len = slash ? (size_t)(slash - default_log_dir) :
	    strlen(default_log_dir);

	return xasprintf("%.*s/where", (int)len, default_log_dir);
}

/* The index, opened: a directory of the user's that nobody else can
 * write to (entries there say where to read a record), or -1. */
static int
runindex_open(const char *index_dir)
{
	int fd = open(index_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
runindex_free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

void
runindex_add(const char *index_dir, const char *run_dir)
{
	char *abs = realpath(run_dir, NULL), *tmp, *line;
	const char *id;
	char **ids;
	size_t n, len;
	int fd, f;

	if (abs == NULL)
		return;
	id = strrchr(abs, '/') + 1;
	if (!runlog_is_run_id(id) || runlog_mkdirs(index_dir) != 0 ||
	    (fd = runindex_open(index_dir)) < 0) {
		free(abs);
		return;
	}
	/* Written whole under another name, then renamed: a reader never
	 * sees half a path. */
	tmp = xasprintf(".%s.%ld", id, (long)getpid());
	line = xasprintf("%s\n", abs);
	len = strlen(line);
	f = openat(fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (f >= 0) {
		bool ok = write(f, line, len) == (ssize_t)len;
		if (close(f) != 0)
			ok = false;
		if (!ok || renameat(fd, tmp, fd, id) != 0)
			unlinkat(fd, tmp, 0);
	}
	n = runlog_ids_at(fd, true, &ids);
	for (size_t i = 0; i + RUNINDEX_KEEP < n; i++)
		unlinkat(fd, ids[i], 0);
	runindex_free_ids(ids, n);
	free(line);
	free(tmp);
	free(abs);
	close(fd);
}

/* The run directory the entry id names, when it is one of that id. */
static char *
runindex_read(int fd, const char *id)
{
	size_t len;
	char *path = fsat_slurp(fd, id, &len), *ev, *base;
	struct stat st;

	if (path == NULL)
		return NULL;
	if (len == 0 || len >= PATH_MAX || path[len - 1] != '\n' ||
	    memchr(path, '\0', len) != NULL || path[0] != '/') {
		free(path);
		return NULL;
	}
	path[len - 1] = '\0';
	base = strrchr(path, '/') + 1;
	ev = xasprintf("%s/events.jsonl", path);
	if (strcmp(base, id) != 0 || lstat(path, &st) != 0 ||
	    !S_ISDIR(st.st_mode) || lstat(ev, &st) != 0 ||
	    !S_ISREG(st.st_mode)) {
		free(ev);
		free(path);
		return NULL;
	}
	free(ev);
	return path;
}

char *
runindex_find(const char *index_dir, const char *spec, char **err)
{
	char **ids, *found = NULL, *list = NULL;
	size_t n, matches = 0;
	int fd;

	*err = NULL;
	if (*spec == '\0' || (fd = runindex_open(index_dir)) < 0)
		return NULL;
	n = runlog_ids_at(fd, true, &ids);
	for (size_t i = n; i-- > 0;) {
		char *path, *tmp;

		if (strncmp(ids[i], spec, strlen(spec)) != 0)
			continue;
		if ((path = runindex_read(fd, ids[i])) == NULL)
			continue;       /* gone since, or not a run's */
		if (strcmp(ids[i], spec) == 0) {
			free(found);
			found = path;
			matches = 1;
			break;
		}
		matches++;
		tmp = list ? xasprintf("%s, %s", list, ids[i]) :
		    xstrdup(ids[i]);
		free(list);
		list = tmp;
		if (found == NULL)
			found = path;
		else
			free(path);
	}
	runindex_free_ids(ids, n);
	close(fd);
	if (matches > 1) {
		*err = xasprintf("'%s' matches %zu recent runs: %s", spec,
		    matches, list);
		free(found);
		found = NULL;
	}
	free(list);
	return found;
}
