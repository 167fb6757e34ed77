/* testutil.h: helpers shared by the unit tests: scratch directories and
 * reading whole files. Everything returned is owned by the caller. */
#ifndef DROVE_TESTUTIL_H
#define DROVE_TESTUTIL_H

#include <stddef.h>

/* mkdtemp under $TMPDIR (or /tmp); caller frees, and removes with tu_rmrf. */
char *tu_tmpdir(void);
/* rm -rf PATH. */
void tu_rmrf(const char *path);
/* Whole file into a NUL-terminated buffer; *len gets its size. NULL if it
 * cannot be read. */
char *tu_read_file(const char *path, size_t *len);
/* Write text to PATH (creating or truncating it). */
void tu_write_file(const char *path, const char *text);
/* Number of occurrences of needle in haystack. */
size_t tu_count(const char *haystack, const char *needle);



#include <stdbool.h>
#include <sys/types.h>

/* Is pid a live process (not missing, not a zombie)? */
bool tu_pid_alive(pid_t pid);
/* Read a pid written to a file; 0 if none. */
pid_t tu_read_pid(const char *path);
#endif
