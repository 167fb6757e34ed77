/* wire.h: a run's state as the protocol carries it (proto.h's SNAPSHOT,
 * SEQ and RUN payloads, and the output lines of LINE, LINES and PASSED),
 * written from the engine's read-only state and read back into plain
 * structs a client owns. Statuses, states and step
 * kinds travel as their names (status.h), so a reordered enum cannot
 * change what a peer reads. Layout:
 *
 *	RUN      u8 settled, f64 started, f64 settled_at, u32 scrollback
 *	         (the budget in bytes of the lines kept in memory),
 *	         f64 kill_grace
 *	SEQ      RUN, then: u32 index, str name, str state, u32 current,
 *	         f64 started, f64 ended, u8 flags (1 failed_pause, 2 hold,
 *	         4 had_failure, 8 cleanup, 16 placeholder, 32 grown), u32
 *	         first, u32 count (a grown placeholder's), u32 n_steps (all
 *	         of them: the steps, then the handlers' and the cleanup's),
 *	         then n_steps times: str name, u8 flags (1 tty, 2 runs a
 *	         command, 4 marked done by hand, 8 waiting for input), u32
 *	         retries, str role, u32 of (the step a handler's handles),
 *	         str command (what its next attempt runs, the operator's
 *	         edit if any; "": none),
 *	         str status, u32 attempt, i32 exit_code, i32 signal,
 *	         f64 started, f64 ended, f64 retry_at
 *	SNAPSHOT RUN, u32 n, then n times the SEQ payload without its RUN
 *	GROW     the same: the placeholder that grew, then the new sequences
 *	         (their indices following the last one's)
 */
#ifndef DROVE_WIRE_H
#define DROVE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "status.h"

struct run;

/* The most sequences and steps a peer will read: a bound, not a limit
 * anyone meets (a snapshot must fit PROTO_MAX anyway). */
#define WIRE_MAX_SEQS 100000
#define WIRE_MAX_STEPS 100000

struct wire_run {
	bool settled;
	double started, settled_at;
	unsigned scrollback;
	double kill_grace;
};

struct wire_step {
	char *name;          /* owned */
	bool tty, command, marked, waiting_input;
	unsigned retries;
	enum step_role role;
	size_t of;           /* STEP_ROLE_HANDLER: a step before it, main */
	char *run;           /* what its next attempt runs (owned); "" for
	                        none */
	enum step_status status;
	unsigned attempt;
	int exit_code, signal;
	double started, ended, retry_at;
};

struct wire_seq {
	size_t index;
	char *name;          /* owned */
	enum seq_state state;
	size_t current;
	double started, ended;
	bool failed_pause, hold, had_failure, cleanup;
	bool placeholder, grown;
	size_t first, count;
	size_t n_steps;
	struct wire_step *steps; /* owned */
};

/* Frames of run's state appended to b: RUN, one SEQ, the SNAPSHOT. */
void wire_put_run(struct proto_buf *b, const struct run *run);
void wire_put_seq(struct proto_buf *b, const struct run *run, size_t i);
void wire_put_snapshot(struct proto_buf *b, const struct run *run);
/* Placeholder p grew (RUN_EV_GROW): it, and the sequences it made. */
void wire_put_grow(struct proto_buf *b, const struct run *run, size_t p);

/* Read the payloads of those messages. 0, or -1 when the message is bad
 * (past its end, an unknown name, a bound broken); *out is then empty. */
int wire_get_run(struct proto_msg *m, struct wire_run *out);
int wire_get_seq(struct proto_msg *m, struct wire_run *run,
    struct wire_seq *out);
/* *seqs (caller frees with wire_seqs_free) and *n. */
int wire_get_snapshot(struct proto_msg *m, struct wire_run *run,
    struct wire_seq **seqs, size_t *n);

/* A GROW: *seqs[0] is the placeholder, the others are new. */
int wire_get_grow(struct proto_msg *m, struct wire_run *run,
    struct wire_seq **seqs, size_t *n);
void wire_seq_free(struct wire_seq *s);
void wire_seqs_free(struct wire_seq *seqs, size_t n);

/* --- output lines ------------------------------------------------------ */

struct outbuf;
struct outbuf_line;
struct outbuf_spilled;

/* A line as LINE, LINES and PASSED carry it: u16 step, u16 flags, f64
 * time, u16 attempt, u32 line in its attempt's log, str text. */
void wire_put_line(struct proto_buf *b, const struct outbuf_line *l);
/* Where lines are, as SPILLED and PASSED carry it: u64 first, u32 count,
 * u32 line in the log, u16 step, u16 attempt, u16 flags, f64 time, str
 * text (a mark's; "" for lines of a log). */
void wire_put_entry(struct proto_buf *b, const struct outbuf_spilled *e);
/* PASSED frames of sequence seq: lines from..to-1 of ob by reference
 * (u32 seq, u32 n, n entries), then in the last frame the `text` lines
 * after them, which ob keeps (u32 n, n lines). False, and nothing
 * appended, when ob knows nothing of line `from`. */
bool wire_put_passed(struct proto_buf *b, const struct outbuf *ob,
    size_t seq, uint64_t from, uint64_t to, size_t text);

#endif
