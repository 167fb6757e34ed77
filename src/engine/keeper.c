/* keeper.c: the keeper process (drove's side: start it, talk to it, end
 * it; the keeper's side: spawn, reap, and take everything down at the
 * end). */
#include "keeper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "xmalloc.h"

/* Requests up to this size travel in the message itself; a larger one
 * (a huge environment) in a memfd sent along, since a message on a unix
 * socket may not exceed the socket's buffer. */
#define KEEPER_INLINE_MAX (48 * 1024)

enum { KEEPER_MSG_SPAWN = 1, KEEPER_MSG_END = 2 };
#define KEEPER_FLAG_MEMFD 1u  /* the request is in the last descriptor */
#define KEEPER_FLAG_NOW 2u    /* END: no grace */

/* Drove to the keeper: a header, then the request (unless in a memfd). */
struct keeper_msg {
	uint32_t kind;
	uint32_t id;
	uint32_t len;
	uint32_t flags;
	double grace;
};

/* The keeper to drove. */
struct keeper_reply {
	uint32_t id;
	uint32_t what;   /* enum keeper_answer */
	int32_t value;
};

/* --- drove's side --------------------------------------------------------- */

/*
 * Up to KEEPER_MAX keepers, each its own process with its own children:
 * a spawn is clone(CLONE_VM|CLONE_VFORK), so a keeper waits for each
 * child to exec, and on a machine busy with other work that is a wait for
 * the CPU per step. One keeper then starts the steps of a thousand
 * sequences one by one, behind the other jobs (measured: it spent most of
 * such a run waiting for its children); several wait side by side. A
 * request goes to an idle keeper, and another keeper is started only when
 * every one has a spawn in flight, so a run that starts a step at a time
 * has one. Each is a subreaper of its own children: what they leave
 * behind is its to take down.
 */
#define KEEPER_MAX 4

struct keeper_conn {
	pid_t pid;           /* the keeper, or 0 */
	int fd;              /* drove's end of the socket, -1 when none */
	ev_io io;            /* answers to read */
	unsigned in_flight;  /* requests it has not said STARTED or FAILED
	                        of */
};

static struct {
	struct keeper_conn k[KEEPER_MAX];
	size_t n;                 /* keepers started (some may be lost) */
	keeper_spawn_fn *spawn;
	keeper_answer_fn *answer;
	unsigned char *owner;     /* by request id - 1: its keeper's index + 1
	                             until it ended, else 0 */
	size_t cap_owner;
} kd;

static void keeper_main(int sock, keeper_spawn_fn *spawn, pid_t drove)
    __attribute__((noreturn));

/* Keeper K is gone (killed by someone): what it ran is lost to drove. */
static void
keeper_lost(struct keeper_conn *k)
{
	unsigned char me = (unsigned char)(k - kd.k + 1);
	unsigned *ids = NULL;
	size_t n = 0, cap = 0;

	ev_io_stop(EV_DEFAULT_UC_ &k->io);
	close(k->fd);
	k->fd = -1;
	/* It is drove's child: reap it if it is gone (libev may have). */
	waitpid(k->pid, NULL, WNOHANG);
	k->pid = 0;
	k->in_flight = 0;
	/* The answers may start new requests, which take ids: collect
	 * first. */
	for (size_t i = 0; i < kd.cap_owner; i++) {
		if (kd.owner[i] != me)
			continue;
		kd.owner[i] = 0;
		ids = xreallocarray_grow(ids, &cap, n + 1, sizeof *ids);
		ids[n++] = (unsigned)i + 1;
	}
	for (size_t i = 0; i < n; i++)
		kd.answer(ids[i], KEEPER_LOST, 0);
	free(ids);
}

static void
keeper_io_cb(EV_P_ ev_io *w, int revents)
{
	struct keeper_conn *k = w->data;
	struct keeper_reply r;
	ssize_t n;

	(void)EV_A;
	(void)revents;
	for (;;) {
		n = recv(k->fd, &r, sizeof r, MSG_DONTWAIT);
		if (n == (ssize_t)sizeof r) {
			if ((r.what == KEEPER_STARTED ||
			    r.what == KEEPER_FAILED) && k->in_flight > 0)
				k->in_flight--;
			if (r.what != KEEPER_STARTED && r.id >= 1 &&
			    r.id <= kd.cap_owner)
				kd.owner[r.id - 1] = 0;
			kd.answer(r.id, (enum keeper_answer)r.what, r.value);
			/* An answer may have ended the keepers (keeper_end
			 * from a callback). */
			if (k->fd < 0)
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		keeper_lost(k);
		return;
	}
}

/* Fork keeper K. Returns 0, or -1 with *err (caller frees) and errno. */
static int
keeper_start(struct keeper_conn *k, char **err)
{
	int sv[2], e;
	pid_t drove = getpid(), pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		e = errno;
		*err = xasprintf("socketpair: %s", strerror(e));
		errno = e;
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		*err = xasprintf("cannot start the keeper process: %s",
		    strerror(e));
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		keeper_main(sv[1], kd.spawn, drove);
	}
	close(sv[1]);
	k->pid = pid;
	k->fd = sv[0];
	k->in_flight = 0;
	ev_io_init(&k->io, keeper_io_cb, k->fd, EV_READ);
	k->io.data = k;
	ev_io_start(EV_DEFAULT_ &k->io);
	return 0;
}

int
keeper_ensure(keeper_spawn_fn *spawn, keeper_answer_fn *answer, char **err)
{
	kd.spawn = spawn;
	kd.answer = answer;
	for (size_t i = 0; i < kd.n; i++)
		if (kd.k[i].fd >= 0)
			return 0;
	/* None runs (the first time, or all were lost): start over. */
	kd.n = 0;
	if (keeper_start(&kd.k[0], err) != 0)
		return -1;
	kd.n = 1;
	return 0;
}

/* The keeper for the next request: an idle one, else a new one while
 * fewer than KEEPER_MAX run, else the least busy. NULL when none runs. */
static struct keeper_conn *
keeper_pick(void)
{
	struct keeper_conn *best = NULL;
	char *err = NULL;

	for (size_t i = 0; i < kd.n; i++) {
		struct keeper_conn *k = &kd.k[i];
		if (k->fd < 0)
			continue;
		if (k->in_flight == 0)
			return k;
		if (best == NULL || k->in_flight < best->in_flight)
			best = k;
	}
	if (kd.n < KEEPER_MAX && best != NULL) {
		if (keeper_start(&kd.k[kd.n], &err) == 0)
			return &kd.k[kd.n++];
		free(err);   /* the others will do */
	}
	return best;
}

static int
keeper_send(struct keeper_conn *k, const struct keeper_msg *m,
    const char *req, size_t len, const int *fds, size_t n_fds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * (KEEPER_MAX_FDS + 1))];
	} c;
	struct iovec iov[2] = {
		{ .iov_base = (void *)m, .iov_len = sizeof *m },
		{ .iov_base = (void *)req, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };
	ssize_t n;

	if (n_fds > 0) {
		memset(&c, 0, sizeof c);
		mh.msg_control = c.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(&c.h), fds, sizeof(int) * n_fds);
	}
	/* Blocking: the keeper always reads (it queues its answers rather
	 * than wait on drove), so this waits at most for a spawn. */
	do
		n = sendmsg(k->fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int
keeper_request(unsigned id, double grace, const char *req, size_t len,
    const int *fds, size_t n_fds, char **err)
{
	struct keeper_msg m = { .kind = KEEPER_MSG_SPAWN, .id = id,
		                .len = (uint32_t)len, .grace = grace };
	struct keeper_conn *k = keeper_pick();
	int all[KEEPER_MAX_FDS + 1], memfd = -1, rc, e;

	if (k == NULL || n_fds > KEEPER_MAX_FDS || len > UINT32_MAX ||
	    id == 0) {
		*err = xasprintf("cannot start a process: %s", k == NULL ?
		    "the keeper process is gone" : "bad request");
		errno = k == NULL ? EPIPE : E2BIG;
		return -1;
	}
	memcpy(all, fds, sizeof(int) * n_fds);
	if (len > KEEPER_INLINE_MAX) {
		memfd = memfd_create("drove-request", MFD_CLOEXEC);
		if (memfd < 0 || write(memfd, req, len) != (ssize_t)len) {
			e = errno;
			*err = xasprintf("cannot start a process: memfd: %s",
			    strerror(e));
			if (memfd >= 0)
				close(memfd);
			errno = e;
			return -1;
		}
		all[n_fds++] = memfd;
		m.flags |= KEEPER_FLAG_MEMFD;
		req = NULL;
		len = 0;
	}
	rc = keeper_send(k, &m, req, len, all, n_fds);
	e = errno;
	if (rc != 0)
		*err = xasprintf("cannot start a process: keeper: %s",
		    strerror(e));
	else {
		size_t had = kd.cap_owner;
		kd.owner = xreallocarray_grow(kd.owner, &kd.cap_owner, id,
		    sizeof *kd.owner);
		memset(kd.owner + had, 0, kd.cap_owner - had);
		kd.owner[id - 1] = (unsigned char)(k - kd.k + 1);
		k->in_flight++;
	}
	if (memfd >= 0)
		close(memfd);
	errno = e;
	return rc;
}

void
keeper_end(bool now)
{
	struct keeper_msg m = { .kind = KEEPER_MSG_END,
		                .flags = now ? KEEPER_FLAG_NOW : 0 };
	int status;

	/* All are told first: they take their children down side by
	 * side. */
	for (size_t i = 0; i < kd.n; i++) {
		struct keeper_conn *k = &kd.k[i];
		if (k->fd < 0)
			continue;
		(void)keeper_send(k, &m, NULL, 0, NULL, 0);
		ev_io_stop(EV_DEFAULT_UC_ &k->io);
		close(k->fd);
		k->fd = -1;
	}
	/* Until everything they kept is gone: whoever waits for drove may
	 * count on that. */
	for (size_t i = 0; i < kd.n; i++) {
		struct keeper_conn *k = &kd.k[i];
		if (k->pid == 0)
			continue;
		while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
			;
		k->pid = 0;
	}
	kd.n = 0;
	if (kd.cap_owner > 0)
		memset(kd.owner, 0, kd.cap_owner);
}

/* --- the keeper's side ---------------------------------------------------- */

struct keeper_kid {
	pid_t pid;
	uint32_t id;
};

static struct {
	int sock;                  /* to drove */
	int sig;                   /* signalfd: CHLD, and the ends */
	keeper_spawn_fn *spawn;
	double grace;              /* the largest any request asked for */
	struct keeper_kid *kids;   /* what drove asked for and is running */
	size_t n_kids, cap_kids;
	struct keeper_reply *out;  /* answers not yet sent */
	size_t n_out, head_out, cap_out;
} ks;

static double
keeper_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
keeper_queue(uint32_t id, enum keeper_answer what, int value)
{
	ks.out = xreallocarray_grow(ks.out, &ks.cap_out, ks.n_out + 1,
	    sizeof *ks.out);
	ks.out[ks.n_out++] = (struct keeper_reply){ id, (uint32_t)what,
		                                    value };
}

/* Send what drove may take now; the rest waits for POLLOUT. Returns -1
 * when drove is gone. */
static int
keeper_flush(void)
{
	ssize_t n;

	while (ks.head_out < ks.n_out) {
		n = send(ks.sock, &ks.out[ks.head_out], sizeof *ks.out,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -1;
		ks.head_out++;
	}
	ks.n_out = ks.head_out = 0;
	return 0;
}

/* Reap every child that has ended; tell drove of the ones it started when
 * TELL. Returns whether children are left. */
static bool
keeper_reap(bool tell)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			return true;
		if (pid < 0)
			return errno == EINTR;
		for (size_t i = 0; i < ks.n_kids; i++) {
			if (ks.kids[i].pid != pid)
				continue;
			/* Asked now, a breath after the reap: the group's
			 * id cannot have been handed out again yet. Drove
			 * hears of it much later, when the id may already
			 * be another's (a tmux server's, say). */
			if (tell)
				keeper_queue(ks.kids[i].id,
				    kill(-pid, 0) == 0 ? KEEPER_EXITED :
				    KEEPER_ENDED, status);
			ks.kids[i] = ks.kids[--ks.n_kids];
			break;
		}
		/* Anything else was an orphan the keeper adopted. */
	}
}

struct keeper_ps {
	pid_t pid, ppid;
};

static int
keeper_ps_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct keeper_ps *)a)->pid;
	pid_t y = ((const struct keeper_ps *)b)->pid;

	return (x > y) - (x < y);
}

/* Signal every descendant of the keeper, whatever its group or session:
 * a walk of /proc by parent links. */
static void
keeper_signal_all(int sig)
{
	struct keeper_ps *ps = NULL, key, *up;
	size_t n = 0, cap = 0;
	struct dirent *de;
	char path[64], buf[512], *p;
	pid_t self = getpid(), pid, q;
	DIR *d;
	int fd;
	ssize_t len;

	if ((d = opendir("/proc")) == NULL) {
		/* No /proc: at least the groups drove asked for. */
		for (size_t i = 0; i < ks.n_kids; i++)
			kill(-ks.kids[i].pid, sig);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)atoi(de->d_name);
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		len = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "PID (COMM) S PPID ...": COMM may hold anything. */
		if ((p = strrchr(buf, ')')) == NULL)
			continue;
		ps = xreallocarray_grow(ps, &cap, n + 1, sizeof *ps);
		ps[n].pid = pid;
		if (sscanf(p + 1, " %*c %d", &ps[n].ppid) == 1)
			n++;
	}
	closedir(d);
	qsort(ps, n, sizeof *ps, keeper_ps_cmp);
	for (size_t i = 0; i < n; i++) {
		/* Up the parent links; bounded against a cycle that pid
		 * reuse between reads could fake. */
		q = ps[i].ppid;
		for (int depth = 0; depth < 4096 && q > 1 && q != self;
		    depth++) {
			key.pid = q;
			up = bsearch(&key, ps, n, sizeof *ps, keeper_ps_cmp);
			q = up != NULL ? up->ppid : 0;
		}
		if (q == self && ps[i].pid != self)
			kill(ps[i].pid, sig);
	}
	free(ps);
}

/* Wait for a SIGCHLD until DEADLINE, at most 50 ms. */
static void
keeper_wait_child(double deadline)
{
	struct signalfd_siginfo si;
	struct pollfd pf = { .fd = ks.sig, .events = POLLIN };
	double left = deadline - keeper_clock();
	int ms = left <= 0 ? 0 : left > 0.05 ? 50 : (int)(left * 1000) + 1;

	poll(&pf, 1, ms);
	while (read(ks.sig, &si, sizeof si) == (ssize_t)sizeof si)
		;
}

/* Drove is gone, or done: terminate every descendant, SIGTERM first
 * unless NOW, SIGKILL after the grace, until none is left. The keeper is
 * a subreaper: a descendant is its child or below a living one, and an
 * orphan becomes its child, so no child left means no descendant left,
 * and the walk of /proc (milliseconds at every run's end) is skipped. */
static void __attribute__((noreturn))
keeper_finish(bool now)
{
	double deadline = keeper_clock() + (now ? 0 : ks.grace);

	if (!now && ks.grace > 0 && keeper_reap(false)) {
		keeper_signal_all(SIGTERM);
		keeper_signal_all(SIGCONT);
		while (keeper_reap(false) && keeper_clock() < deadline)
			keeper_wait_child(deadline);
	}
	while (keeper_reap(false)) {
		keeper_signal_all(SIGKILL);
		keeper_wait_child(keeper_clock() + 0.05);
	}
	_exit(0);
}

/* Bring in the request in a memfd. Returns a buffer (caller frees), or
 * NULL. */
static char *
keeper_read_memfd(int fd, size_t len)
{
	char *buf = xmalloc(len + 1);
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, buf + got, len - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

static void
keeper_spawn_one(const struct keeper_msg *m, const char *req, int *fds,
    size_t n_fds)
{
	char *big = NULL;
	size_t len = m->len;
	pid_t pid;

	if (m->grace > ks.grace)
		ks.grace = m->grace;
	if (m->flags & KEEPER_FLAG_MEMFD) {
		if (n_fds == 0 || (big = keeper_read_memfd(fds[n_fds - 1],
		    len)) == NULL) {
			keeper_queue(m->id, KEEPER_FAILED, EPROTO);
			return;
		}
		req = big;
		n_fds--;   /* the memfd: keeper_read closes it */
	}
	pid = ks.spawn(req, len, fds, n_fds);
	free(big);
	if (pid > 0) {
		ks.kids = xreallocarray_grow(ks.kids, &ks.cap_kids,
		    ks.n_kids + 1, sizeof *ks.kids);
		ks.kids[ks.n_kids++] = (struct keeper_kid){ pid, m->id };
		keeper_queue(m->id, KEEPER_STARTED, (int)pid);
	} else
		keeper_queue(m->id, KEEPER_FAILED, pid < 0 ? (int)-pid : EIO);
}

/* Take every request there is. Ends the keeper at drove's end. */
static void
keeper_read(void)
{
	static char req[KEEPER_INLINE_MAX + 1];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * (KEEPER_MAX_FDS + 1))];
	} c;
	struct keeper_msg m;
	struct iovec iov[2] = {
		{ .iov_base = &m, .iov_len = sizeof m },
		{ .iov_base = req, .iov_len = KEEPER_INLINE_MAX },
	};
	struct msghdr mh;
	struct cmsghdr *ch;
	int fds[KEEPER_MAX_FDS + 1];
	size_t n_fds;
	ssize_t n;

	for (;;) {
		mh = (struct msghdr){ .msg_iov = iov, .msg_iovlen = 2,
			              .msg_control = c.buf,
			              .msg_controllen = sizeof c.buf };
		n = recvmsg(ks.sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			keeper_finish(false);   /* drove is gone */
		n_fds = 0;
		for (ch = CMSG_FIRSTHDR(&mh); ch != NULL;
		    ch = CMSG_NXTHDR(&mh, ch)) {
			size_t k;
			if (ch->cmsg_level != SOL_SOCKET ||
			    ch->cmsg_type != SCM_RIGHTS)
				continue;
			k = (ch->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(ch) + i * sizeof fd,
				    sizeof fd);
				if (n_fds < KEEPER_MAX_FDS + 1)
					fds[n_fds++] = fd;
				else
					close(fd);
			}
		}
		if (m.kind == KEEPER_MSG_END)
			keeper_finish((m.flags & KEEPER_FLAG_NOW) != 0);
		if ((size_t)n < sizeof m || m.kind != KEEPER_MSG_SPAWN ||
		    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    (!(m.flags & KEEPER_FLAG_MEMFD) &&
		    (size_t)n != sizeof m + m.len))
			keeper_queue(m.id, KEEPER_FAILED, EPROTO);
		else {
			req[m.flags & KEEPER_FLAG_MEMFD ? 0 : m.len] = '\0';
			keeper_spawn_one(&m, req, fds, n_fds);
		}
		for (size_t i = 0; i < n_fds; i++)
			close(fds[i]);
	}
}

static void
keeper_signals(void)
{
	struct signalfd_siginfo si;

	while (read(ks.sig, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo != SIGCHLD)
			keeper_finish(false);  /* told to end, or drove died */
	}
	keeper_reap(true);
}

static void
keeper_main(int sock, keeper_spawn_fn *spawn, pid_t drove)
{
	struct sigaction sa;
	sigset_t mask;
	int fd;

	/* Nothing of drove's signal handling (libev's) lives on here; what
	 * the keeper hears, it reads from a signalfd. Only SIGPIPE is not
	 * at its default: the spawn function counts on that (proc.c's
	 * child resets it alone). */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	/* Out of the terminal's foreground group: Ctrl-C is drove's to
	 * handle, and reaches the steps through drove. */
	setpgid(0, 0);
	prctl(PR_SET_NAME, "drove-keeper");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGTERM);

	/* Only the socket stays, as 3; stdio is /dev/null, so that the
	 * keeper holds no pipe of drove's caller open. */
	if (sock != 3 && dup3(sock, 3, O_CLOEXEC) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	ks.sock = 3;
	ks.spawn = spawn;
	if ((ks.sig = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		_exit(1);
	if (getppid() != drove)
		keeper_finish(false);  /* gone before PDEATHSIG was set */

	for (;;) {
		struct pollfd pf[2] = {
			{ .fd = ks.sock, .events = POLLIN },
			{ .fd = ks.sig, .events = POLLIN },
		};
		if (ks.n_out > ks.head_out)
			pf[0].events |= POLLOUT;
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			keeper_finish(false);
		}
		if (pf[1].revents != 0)
			keeper_signals();
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
			keeper_read();
		if (keeper_flush() != 0)
			keeper_finish(false);
	}
}
