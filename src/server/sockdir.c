/* sockdir.c: the directory of the runs' sockets, made and checked. */
#include "sockdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "runlog.h"
#include "xmalloc.h"

char *
sockdir_default(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	/* A relative or empty XDG_RUNTIME_DIR is not a place (the XDG
	 * spec says to ignore it). */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/drove", xdg);
	return xasprintf("/tmp/drove-%lu", (unsigned long)getuid());
}

int
sockdir_check(const char *dir, char **err)
{
	struct stat st;

	/* lstat: a symlink planted in /tmp must not send us elsewhere. */
	if (lstat(dir, &st) != 0) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*err = xasprintf("%s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != getuid()) {
		*err = xasprintf("%s belongs to uid %lu, not to you (uid %lu): "
		    "refusing to use it", dir, (unsigned long)st.st_uid,
		    (unsigned long)getuid());
		return -1;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*err = xasprintf("%s is open to others (mode %03o): refusing to "
		    "use it; chmod 700 it", dir,
		    (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

int
sockdir_ensure(const char *dir, char **err)
{
	if (mkdir(dir, S_IRWXU) != 0 && errno != EEXIST) {
		*err = xasprintf("cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	return sockdir_check(dir, err);
}

char *
sockdir_socket(const char *dir, const char *name, char **err)
{
	struct sockaddr_un sun;
	char *path = xasprintf("%s/%s%s", dir, name, SOCKDIR_SUFFIX);

	if (strlen(path) >= sizeof sun.sun_path) {
		*err = xasprintf("%s: too long a path for a socket (at most "
		    "%zu bytes)", path, sizeof sun.sun_path - 1);
		free(path);
		return NULL;
	}
	return path;
}

static int
sockdir_cmp(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return runlog_id_cmp(*x, *y);
}

size_t
sockdir_list(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **out = NULL;
	size_t n = 0, cap = 0, sl = strlen(SOCKDIR_SUFFIX);

	*names = NULL;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= sl || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - sl, SOCKDIR_SUFFIX) != 0)
			continue;
		out = xreallocarray_grow(out, &cap, n + 1, sizeof *out);
		out[n++] = xstrndup(de->d_name, len - sl);
	}
	closedir(d);
	if (n > 1)
		qsort(out, n, sizeof *out, sockdir_cmp);
	*names = out;
	return n;
}
