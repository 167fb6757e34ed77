/* logback.h: a live run's lines read back from its step logs, for the
 * scrollback beyond the memory budget (outbuf.h's reader). A line is
 * asked for as "line K of sequence Q's step S, attempt A": the attempt's
 * log is found in the run directory (NN-SEQ/MM-STEP.A.log, by the
 * numbers, so a renamed slug does not matter) and split into lines the
 * way outbuf splits a step's output, by outbuf itself, so the numbers
 * agree. Memory stays small: per log read, a checkpoint (line number, byte
 * offset) every LOGBACK_BLOCK lines, and one block of lines, the last one
 * read (drawing and searching walk line by line). The server and the
 * dashboard each have one: they run as the same user, and reading the
 * files beats asking the server for old lines. */
#ifndef DROVE_LOGBACK_H
#define DROVE_LOGBACK_H

#include <stddef.h>
#include <stdint.h>

#define LOGBACK_BLOCK 256

struct logback;

/* Over the run directory `run_dir` (opened at the first read). */
struct logback *logback_create(const char *run_dir);
void logback_free(struct logback *lb);

/* outbuf_reader: line `aline` of that attempt's log; its bytes are owned
 * by lb and valid until the next call. NULL when there is no such line
 * (no log, a log cut by max_log, a record being deleted). */
const char *logback_line(void *lb, size_t seq, unsigned step,
    unsigned attempt, uint64_t aline, size_t *len, unsigned *flags);

#endif
