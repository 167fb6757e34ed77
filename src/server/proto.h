/* proto.h: the protocol between a run's server and its clients (drove
 * attach, ps, ctl, wait, stop), spelled once. A message is a frame:
 *
 *	u32 length    of what follows, big-endian, 1 .. PROTO_MAX
 *	u8  type      one of PROTO_MESSAGES
 *	payload       fields in the order the table below says
 *
 * Fields are u8, u16, u32, i32, u64 (big-endian), f64 (an IEEE double's
 * bits as a u64) and str (u32 length, then that many bytes, no NUL; at
 * most the frame's rest). The first message of a connection is the
 * client's HELLO, whose first field is the version; the server answers
 * WELCOME (its own version first) or REFUSED (why) and closes. A
 * version is a whole: peers of different versions refuse each other with
 * a message saying both, and the frame and HELLO/WELCOME/REFUSED stay as
 * they are in every version so that this can be said. Everything read is
 * bounded: a frame longer than PROTO_MAX, a field past its frame's end,
 * an unknown type or trailing bytes are errors, never trusted. */
#ifndef DROVE_PROTO_H
#define DROVE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 5
/* The largest frame: a snapshot of a big run fits, a hostile length
 * does not make anyone allocate gigabytes. */
#define PROTO_MAX (4u << 20)
#define PROTO_HEADER 4

/* M(NAME, number, "name", direction). C: client to server, S: server to
 * client. The payload of each is in the comment; README.md documents
 * them for other clients. */
#define PROTO_MESSAGES(M)                                                 \
	M(HELLO, 1, "hello", C)       /* u32 version, str tty */          \
	M(WELCOME, 2, "welcome", S)   /* u32 version, str run id, str     \
	                                 config, str run dir, u32 pid,    \
	                                 f64 started */                   \
	M(REFUSED, 3, "refused", S)   /* str why; then the server closes */ \
	M(STATUS, 4, "status", C)     /* (none): answered by SNAPSHOT */  \
	M(SNAPSHOT, 5, "snapshot", S) /* u8 settled, u32 n, n SEQ payloads \
	                                 (wire.h) */                      \
	M(ACT, 6, "act", C)           /* str verb, str seq, str step,     \
	                                 str argument (edit: the command; \
	                                 note: its text) */               \
	M(RESULT, 7, "result", S)     /* u8 ok, str message, str the bare \
	                                 reason when refused */           \
	M(STOP, 8, "stop", C)         /* (none): RESULT, and the run stops */ \
	M(WAIT, 9, "wait", C)         /* (none): END once the run is over */ \
	M(END, 10, "end", S)          /* i32 exit code, str status */     \
	M(ATTACH, 11, "attach", C)    /* (none): SNAPSHOT, LINES, then    \
	                                 SEQ, LINE(S), PASSED, PARTIAL,   \
	                                 NOTICE, END as they happen */    \
	M(SEQ, 12, "seq", S)          /* one sequence's state and its     \
	                                 steps' (wire.h) */               \
	M(LINE, 13, "line", S)        /* u32 seq, u16 step, u16 flags,    \
	                                 f64 time, u16 attempt, u32 line  \
	                                 in its attempt's log, str text */ \
	M(PARTIAL, 14, "partial", S)  /* u32 seq, str the unfinished line */ \
	M(NOTICE, 15, "notice", S)    /* u32 seq, str text */             \
	M(INPUT, 16, "input", C)      /* u32 seq, str bytes for its tty   \
	                                 step: RESULT */                  \
	M(RESIZE, 17, "resize", C)    /* u32 seq, u16 cols, u16 rows */   \
	M(LINES, 18, "lines", S)      /* u32 seq, u64 total, u32 n, then  \
	                                 n times: u16 step, u16 flags,    \
	                                 f64 time, u16 attempt, u32 line, \
	                                 str text */                      \
	M(RUN, 19, "run", S)          /* the run's own state (wire.h) */  \
	M(WARNING, 20, "warning", S)  /* str what stays on a dashboard's  \
	                                 status bar (the record is        \
	                                 incomplete); "": nothing */      \
	M(SPILLED, 21, "spilled", S)  /* u32 seq, u32 n, then n times:    \
	                                 u64 first, u32 count, u32 line,  \
	                                 u16 step, u16 attempt, u16       \
	                                 flags, f64 time, str text: where \
	                                 lines older than those sent are  \
	                                 (marks by their text, output by  \
	                                 its place in a log) */           \
	M(SHELL, 22, "shell", C)      /* u32 seq: SHELL_AT; recorded */   \
	M(SHELL_AT, 23, "shell at", S) /* u32 seq, str why not ("": go),  \
	                                 str host ("": here), str cwd,    \
	                                 u32 n, n str argv (0: the shell  \
	                                 of env, here), u32 n, n str env */    \
	M(GROW, 24, "grow", S)        /* a fan-out made sequences: RUN, u32 \
	                                 n, the placeholder's SEQ payload \
	                                 then the new ones' (wire.h) */  \
	M(PASSED, 25, "passed", S)    /* u32 seq, u32 n, then n entries   \
	                                 as SPILLED's: lines after those  \
	                                 sent, by reference (a flood: the \
	                                 newest follow as LINES) */

enum proto_type {
#define PROTO_ENUM(NAME, num, name, dir) PROTO_##NAME = num,
	PROTO_MESSAGES(PROTO_ENUM)
#undef PROTO_ENUM
};

/* "hello"; NULL for a type nobody sends. */
const char *proto_type_name(unsigned type);

/* --- writing: frames appended to a growing buffer ---------------------- */

struct proto_buf {
	char *data;          /* owned */
	size_t len, cap;
	size_t frame;        /* where the open frame begins */
	bool open;
};

void proto_buf_free(struct proto_buf *b);
/* Append whole frames made elsewhere (one copy for many clients). */
void proto_append(struct proto_buf *b, const char *data, size_t len);
/* Drop the first n bytes (sent). */
void proto_buf_consume(struct proto_buf *b, size_t n);

/* Open a frame of `type`; the fields follow; proto_end closes it. */
void proto_begin(struct proto_buf *b, enum proto_type type);
void proto_u8(struct proto_buf *b, uint8_t v);
void proto_u16(struct proto_buf *b, uint16_t v);
void proto_u32(struct proto_buf *b, uint32_t v);
void proto_i32(struct proto_buf *b, int32_t v);
void proto_u64(struct proto_buf *b, uint64_t v);
void proto_f64(struct proto_buf *b, double v);
void proto_str(struct proto_buf *b, const char *s, size_t len);
/* s NUL-terminated; NULL is "". */
void proto_cstr(struct proto_buf *b, const char *s);
/* Close the frame: 0, or -1 when it grew past PROTO_MAX (it is then
 * taken back out, and the buffer is as before proto_begin). */
int proto_end(struct proto_buf *b);

/* --- reading: one frame at a time out of received bytes ---------------- */

struct proto_msg {
	unsigned type;
	const char *p;       /* the payload not read yet (borrowed) */
	size_t left;
	bool bad;            /* a field ran past the end */
};

/* The first frame of data[0..len): 1 and *m, *used (bytes of the frame);
 * 0 when it is not all there yet; -1 and *err (static text) when it can
 * never be a frame (a length of 0 or over PROTO_MAX, an unknown type). */
int proto_next(const char *data, size_t len, struct proto_msg *m,
    size_t *used, const char **err);

uint8_t proto_get_u8(struct proto_msg *m);
uint16_t proto_get_u16(struct proto_msg *m);
uint32_t proto_get_u32(struct proto_msg *m);
int32_t proto_get_i32(struct proto_msg *m);
uint64_t proto_get_u64(struct proto_msg *m);
double proto_get_f64(struct proto_msg *m);
/* A string field: borrowed bytes, *len of them, not NUL-terminated. */
const char *proto_get_str(struct proto_msg *m, size_t *len);
/* A string field as a new NUL-terminated string (caller frees); a NUL
 * inside it makes the message bad. */
char *proto_get_cstr(struct proto_msg *m);
/* After the last field: true when every field was there and nothing is
 * left over. */
bool proto_done(const struct proto_msg *m);

/* The refusal of a peer speaking another version (caller frees), for
 * both sides to say the same. */
char *proto_version_mismatch(unsigned ours, unsigned theirs, bool server);

#endif
