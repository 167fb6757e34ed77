/* test_sockdir.c: the directory of the runs' sockets: where it is, that
 * it is made private, and that a directory anyone else could use is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockdir.h"
#include "testutil.h"

static void
test_default(void **state)
{
	char *d, *want;

	(void)state;
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	d = sockdir_default();
	assert_string_equal(d, "/run/user/1000/drove");
	free(d);
	/* Relative or empty: ignored, as the XDG spec says. */
	want = NULL;
	assert_true(asprintf(&want, "/tmp/drove-%lu",
	    (unsigned long)getuid()) > 0);
	setenv("XDG_RUNTIME_DIR", "run", 1);
	d = sockdir_default();
	assert_string_equal(d, want);
	free(d);
	unsetenv("XDG_RUNTIME_DIR");
	d = sockdir_default();
	assert_string_equal(d, want);
	free(d);
	free(want);
}

static void
test_ensure(void **state)
{
	char *t = tu_tmpdir(), *dir, *err = NULL;
	struct stat st;

	(void)state;
	dir = NULL;
	assert_true(asprintf(&dir, "%s/drove", t) > 0);
	umask(022);
	assert_int_equal(sockdir_ensure(dir, &err), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Again: it is there and fine. */
	assert_int_equal(sockdir_ensure(dir, &err), 0);
	free(dir);
	tu_rmrf(t);
	free(t);
}

/* Open to the group or to others: refused, and told how to fix it. */
static void
test_mode_refused(void **state)
{
	char *t = tu_tmpdir(), *dir, *err = NULL;

	(void)state;
	dir = NULL;
	assert_true(asprintf(&dir, "%s/drove", t) > 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0750), 0);
	assert_int_equal(sockdir_ensure(dir, &err), -1);
	assert_non_null(strstr(err, "open to others (mode 750)"));
	assert_non_null(strstr(err, "chmod 700"));
	free(err);
	err = NULL;
	assert_int_equal(chmod(dir, 0701), 0);
	assert_int_equal(sockdir_check(dir, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(sockdir_check(dir, &err), 0);
	free(dir);
	tu_rmrf(t);
	free(t);
}

/* A symlink to a fine directory, a file, someone else's directory: none
 * is used. */
static void
test_not_ours(void **state)
{
	char *t = tu_tmpdir(), *dir, *link, *file, *err = NULL;

	(void)state;
	dir = link = file = NULL;
	assert_true(asprintf(&dir, "%s/real", t) > 0);
	assert_true(asprintf(&link, "%s/link", t) > 0);
	assert_true(asprintf(&file, "%s/file", t) > 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(sockdir_ensure(link, &err), -1);
	assert_non_null(strstr(err, "is not a directory"));
	free(err);
	err = NULL;
	tu_write_file(file, "x");
	assert_int_equal(sockdir_ensure(file, &err), -1);
	free(err);
	err = NULL;
	/* Another owner: only root can make one to test with. */
	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 4242, 4242), 0);
		assert_int_equal(sockdir_check(dir, &err), -1);
		assert_non_null(strstr(err, "belongs to uid 4242"));
		free(err);
		err = NULL;
	}
	free(dir);
	free(link);
	free(file);
	tu_rmrf(t);
	free(t);
}

static void
test_socket_and_list(void **state)
{
	char *t = tu_tmpdir(), *p, *err = NULL, **names, long_name[200];
	size_t n;

	(void)state;
	p = sockdir_socket(t, "20261128-030500", &err);
	assert_non_null(p);
	tu_write_file(p, "");
	free(p);
	p = sockdir_socket(t, "20261128-030500-2", &err);
	tu_write_file(p, "");
	free(p);
	p = sockdir_socket(t, "20261127-230000", &err);
	tu_write_file(p, "");
	free(p);
	p = NULL;
	assert_true(asprintf(&p, "%s/notes.txt", t) > 0);
	tu_write_file(p, "");
	free(p);
	n = sockdir_list(t, &names);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "20261127-230000");
	assert_string_equal(names[1], "20261128-030500");
	assert_string_equal(names[2], "20261128-030500-2");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_null(sockdir_socket(t, long_name, &err));
	assert_non_null(strstr(err, "too long a path"));
	free(err);
	assert_int_equal(sockdir_list("/nonexistent/drove", &names), 0);
	tu_rmrf(t);
	free(t);
}

TU_MAIN(
	cmocka_unit_test(test_default),
	cmocka_unit_test(test_ensure),
	cmocka_unit_test(test_mode_refused),
	cmocka_unit_test(test_not_ours),
	cmocka_unit_test(test_socket_and_list),
)
