/* remote.c: ssh ControlMasters per host, and the ssh and scp command lines
 * of remote steps and copies. */
#include "remote.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "debug.h"
#include "proc.h"
#include "strbuf.h"
#include "xmalloc.h"

/* What a master said is kept for the steps it fails, up to this much. */
#define REMOTE_MSG_MAX 4096
/* How often a connecting master's socket is looked for when inotify cannot
 * say when it appears (see remote_watch_dir). Connecting takes tens of
 * milliseconds on a LAN. */
#define REMOTE_POLL 0.01
/* A master asked to exit gets this long before SIGKILL. */
#define REMOTE_MASTER_GRACE 2.0
/* ssh binds its control socket as PATH.XXXXXXXXXXXXXXXX, then renames it:
 * PATH plus that suffix must fit in a sun_path. */
#define REMOTE_SSH_SUFFIX 17

/*
 * The wrapper a remote command runs under, on the host, as
 *
 *	exec sh -c WRAPPER drove GRACE MERGE COMMAND NAME=VALUE...
 *
 * sshd starts every command without a pty in a session of its own
 * (setsid), so the wrapper and everything COMMAND starts share one process
 * group, "0" to kill. The wrapper runs COMMAND with stdin from /dev/null,
 * and reads its own stdin, the ssh channel's, which drove feeds from a
 * pipe it never writes to. The end of that input means the step is over
 * for drove: killed, skipped, timed out, or drove itself gone, however it
 * went (drove closes the pipe first thing when it kills a step, the kernel
 * closes it when drove dies, and sshd closes the channel when the client
 * or the connection goes). The watcher then does what proc.c does
 * locally: SIGTERM to the group, SIGKILL after the grace. When COMMAND
 * ends by itself, its leftovers in the group get SIGTERM, as a local
 * step's do, and the wrapper exits with COMMAND's status.
 *
 * The variables are exported by the shell that then execs `sh -c
 * COMMAND`, rather than given to env(1), which would exec it: one exec
 * less per step, a third of what the wrapper adds to a session on the
 * host (measured: 6 ms of sshd's CPU per session with env, 5 ms without,
 * 3 ms for a plain `ssh -S HOST true`). Where a name is no shell
 * identifier, or the shell will not export it (bash's UID, say), `command
 * export` fails without ending the shell, and env does it after all.
 *
 * COMMAND's stderr goes where its stdout goes, on the host: ssh carries
 * the two on separate channels, and they would arrive in bursts of each,
 * out of the order they were written in. One stream keeps the log in
 * write order, as a local step's pipe does. MERGE is 0 for a step that
 * captures its stdout: stderr must stay out of the value.
 *
 * This rather than `ssh -tt` (a remote pty, whose hangup sends SIGHUP):
 * no pty means the output comes back byte for byte (no CR added before
 * LF), programs do not turn interactive (pagers, prompts, colours), and
 * SIGTERM then SIGKILL is the same contract as for local steps. It needs
 * nothing on the host but a POSIX sh, env, kill and sleep. `tty: true`
 * steps do use -tt, and rely on the hangup.
 *
 * `trap "" TERM` before the kills keeps the one who sends them alive to
 * send SIGKILL (or to exit with the status).
 */
static const char remote_wrapper[] =
    "g=$1 m=$2 c=$3; shift 3; "
    "r() { [ $# -eq 0 ] || command export \"$@\" 2>/dev/null || "
    "exec env \"$@\" sh -c \"$c\"; exec sh -c \"$c\"; }; "
    "exec 3<&0 </dev/null; "
    "if [ \"$m\" = 1 ]; then r \"$@\" 3<&- 2>&1 & "
    "else r \"$@\" 3<&- & fi; p=$!; "
    "{ while read -r _; do :; done; trap \"\" TERM; kill -TERM 0; "
    "sleep \"$g\"; kill -KILL 0; } <&3 >/dev/null 2>&1 & "
    "exec 3<&-; "
    "wait \"$p\"; s=$?; "
    "trap \"\" TERM; kill -TERM 0 2>/dev/null; "
    "exit \"$s\"";

enum remote_state {
	REMOTE_DOWN,       /* no master */
	REMOTE_QUEUED,     /* wanted, but max_connecting masters are
	                      connecting: in the queue for a slot */
	REMOTE_CONNECTING, /* a master is starting: its socket is not there */
	REMOTE_UP,         /* steps go through the master */
	REMOTE_FAILED,     /* no master could be started: its waits are to
	                      be told so (msg) from the loop */
	REMOTE_CLOSING,    /* its master was asked to exit: waits are told
	                      the connection is closed once it has */
};

/* What remote_probe knows before it has asked. */
enum remote_answer {
	REMOTE_ANSWER_NONE,
	REMOTE_ANSWER_LOST, /* the master is gone */
	REMOTE_ANSWER_UP,   /* no probe could start: the step's status
	                       stands */
};

struct remote_wait {
	struct remote_wait *next;
	remote_ready_fn *ready;
	void *arg;
};

struct remote_host {
	struct remote *r;
	size_t index;
	enum remote_state state;
	struct proc *master;
	char *path;               /* control socket, once the dir exists */
	char msg[REMOTE_MSG_MAX]; /* what the master said */
	size_t msg_len;
	struct remote_wait *waiting;  /* for this master to be up */
	struct remote_wait *notifying; /* being told, one by one */
	struct proc *probe;       /* remote_probe's ssh, while it runs */
	struct remote_wait *probing; /* for the probe's answer */
	enum remote_answer answer; /* known without a probe: told from
	                             the loop */
};

struct remote {
	const struct config *cfg;
	struct remote_host **hosts; /* one per host of cfg (each its own: a
	                             master's callbacks hold it, and a
	                             fan-out adds hosts: remote_hosts_added) */
	size_t n_hosts;
	char *parent;             /* remote_set_dir */
	char *dir;                /* the control directory, once made */
	ev_timer poll;            /* while a master is connecting, without
	                             inotify; and to tell failures */
	int inotify;              /* on dir: sockets that appear; or -1 */
	ev_io notify;             /* on inotify */
	size_t connecting;        /* hosts in REMOTE_CONNECTING */
	size_t *queue;            /* ring of REMOTE_QUEUED hosts, in the
	                             order they were asked for */
	size_t q_head, q_len;
	bool closing;             /* from remote_disconnect until the last
	                             master is gone (and the directory) */
};

static const char remote_closed_msg[] =
    "drove: the ssh connection was closed before it was up\n";

/* --- command lines ----------------------------------------------------- */

struct remote_args {
	char **v;
	size_t n, cap;
};

static void
remote_arg(struct remote_args *a, char *s)
{
	a->v = xreallocarray_grow(a->v, &a->cap, a->n + 2, sizeof *a->v);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void
remote_opt(struct remote_args *a, char *s)
{
	remote_arg(a, xstrdup("-o"));
	remote_arg(a, s);
}

/*
 * NAME="VALUE" for ssh's -o, for a value drove made (a path): ssh splits
 * an -o line into words as it does a line of ssh_config, so a blank would
 * end the value without the quotes, and it expands %-tokens in paths.
 */
static char *
remote_path_opt(const char *name, const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb, "%s=\"", name);
	for (const char *p = path; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_putc(&sb, '\\');
		else if (*p == '%')
			strbuf_putc(&sb, '%');
		strbuf_putc(&sb, *p);
	}
	strbuf_putc(&sb, '"');
	return strbuf_detach(&sb);
}

/*
 * What every ssh and scp of host h is given. Options on the command line
 * win over the user's ssh config (ssh keeps the first value it gets), so
 * these are the only places drove overrides it: never to prompt, the
 * step's command, and its own connection sharing. Host key checking is
 * left to the user's config.
 */
static void
remote_common(struct remote *r, struct remote_args *a, const char *prog,
    size_t h, bool master)
{
	const struct cfg_host *host = &r->cfg->hosts[h];
	const char *path = r->hosts[h]->path;

	remote_arg(a, xstrdup(prog));
	if (r->cfg->ssh_config != NULL) {
		remote_arg(a, xstrdup("-F"));
		remote_arg(a, xstrdup(r->cfg->ssh_config));
	}
	remote_opt(a, xstrdup("BatchMode=yes"));
	/* The command is the step's, whatever a Host block says. */
	remote_opt(a, xstrdup("RemoteCommand=none"));
	if (host->multiplex && path != NULL) {
		remote_opt(a, xstrdup(master ? "ControlMaster=yes" :
		    "ControlMaster=no"));
		remote_opt(a, remote_path_opt("ControlPath", path));
		if (master)
			remote_opt(a, xstrdup("ControlPersist=no"));
	} else {
		/* A connection of its own: not the user's shared one either. */
		remote_opt(a, xstrdup("ControlMaster=no"));
		remote_opt(a, xstrdup("ControlPath=none"));
	}
	if (host->user != NULL)
		remote_opt(a, remote_path_opt("User", host->user));
	if (host->port != 0)
		remote_opt(a, xasprintf("Port=%u", host->port));
	if (host->identity != NULL)
		remote_opt(a, remote_path_opt("IdentityFile", host->identity));
	for (size_t i = 0; i < host->n_ssh_options; i++)
		remote_opt(a, xasprintf("%s=%s", host->ssh_options[i].name,
		    host->ssh_options[i].value));
}

/* HOST:PATH for scp; an IPv6 address needs brackets there. */
static char *
remote_scp_target(const struct cfg_host *host, const char *path)
{
	if (strchr(host->address, ':') != NULL && host->address[0] != '[')
		return xasprintf("[%s]:%s", host->address, path);
	return xasprintf("%s:%s", host->address, path);
}

/* A local path for scp, which reads "a:b" as a host. */
static char *
remote_scp_local(const char *path)
{
	const char *colon = strchr(path, ':');

	if (path[0] != '/' && colon != NULL &&
	    memchr(path, '/', (size_t)(colon - path)) == NULL)
		return xasprintf("./%s", path);
	return xstrdup(path);
}

/* Each of words[0..n) as a shell word of its own, after a blank. */
static void
remote_words(struct strbuf *sb, char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_putc(sb, ' ');
		strbuf_shell_quote(sb, words[i]);
	}
}

char **
remote_shell_argv(struct remote *r, size_t h)
{
	struct remote_args a = { NULL, 0, 0 };

	/* Through the host's connection when it is up (the steps' own
	 * options): nothing to type, nothing new for the host to see. */
	remote_common(r, &a, "ssh", h, false);
	remote_arg(&a, xstrdup("-t"));
	remote_arg(&a, xstrdup("--"));
	remote_arg(&a, xstrdup(r->cfg->hosts[h].address));
	return a.v;
}

char **
remote_argv(struct remote *r, size_t h, const struct cfg_step *st,
    char *const *env, size_t n_env, double kill_grace)
{
	const struct cfg_host *host = &r->cfg->hosts[h];
	struct remote_args a = { NULL, 0, 0 };
	struct strbuf cmd = STRBUF_INIT;
	long grace;

	if (st->op == CFG_OP_UPLOAD || st->op == CFG_OP_DOWNLOAD) {
		remote_common(r, &a, "scp", h, false);
		/* Directories too; modes and times as they were. */
		remote_arg(&a, xstrdup("-r"));
		remote_arg(&a, xstrdup("-p"));
		remote_arg(&a, xstrdup("--"));
		if (st->op == CFG_OP_UPLOAD) {
			remote_arg(&a, remote_scp_local(st->run));
			remote_arg(&a, remote_scp_target(host, st->to));
		} else {
			remote_arg(&a, remote_scp_target(host, st->run));
			remote_arg(&a, remote_scp_local(st->to));
		}
		return a.v;
	}

	remote_common(r, &a, "ssh", h, false);
	if (st->tty) {
		/* "Shared connection to HOST closed." would end every one. */
		remote_opt(&a, xstrdup("LogLevel=ERROR"));
		remote_arg(&a, xstrdup("-tt"));
	} else
		remote_arg(&a, xstrdup("-T"));
	remote_arg(&a, xstrdup("--"));
	remote_arg(&a, xstrdup(host->address));

	/* One word for the remote login shell, which must be a POSIX one:
	 * sshd runs it as `$SHELL -c WORD`. The command itself always runs
	 * under sh, as a local step runs under settings.shell. */
	if (st->tty) {
		strbuf_puts(&cmd, "exec env");
		remote_words(&cmd, env, n_env);
		strbuf_puts(&cmd, " sh -c ");
		strbuf_shell_quote(&cmd, st->run);
	} else {
		grace = (long)ceil(kill_grace);
		if (grace < 1)
			grace = 1;
		strbuf_puts(&cmd, "exec sh -c ");
		strbuf_shell_quote(&cmd, remote_wrapper);
		strbuf_printf(&cmd, " drove %ld %d ", grace,
		    st->capture == NULL);
		strbuf_shell_quote(&cmd, st->run);
		remote_words(&cmd, env, n_env);
	}
	remote_arg(&a, strbuf_detach(&cmd));
	return a.v;
}

/* --- the control directory --------------------------------------------- */

static void remote_notify_cb(EV_P_ ev_io *w, int revents);

/*
 * ssh makes its control socket under a temporary name and links it into
 * place once the connection is authenticated and the socket listens: an
 * IN_CREATE of the host's name in the directory is the moment a master is
 * up. One inotify descriptor for all of them, rather than a timer that
 * looks at every connecting host's path a hundred times a second (with
 * 500 hosts connecting for minutes, half of drove's own CPU). Without
 * inotify (out of instances), the timer it is.
 */
static void
remote_watch_dir(struct remote *r)
{
	r->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (r->inotify < 0)
		return;
	if (inotify_add_watch(r->inotify, r->dir, IN_CREATE | IN_MOVED_TO) <
	    0) {
		close(r->inotify);
		r->inotify = -1;
		return;
	}
	ev_io_init(&r->notify, remote_notify_cb, r->inotify, EV_READ);
	ev_io_start(EV_DEFAULT_ &r->notify);
}

static void
remote_unwatch_dir(struct remote *r)
{
	if (r->inotify < 0)
		return;
	ev_io_stop(EV_DEFAULT_ &r->notify);
	close(r->inotify);
	r->inotify = -1;
}

/* Does dir leave room for a socket name of `name` bytes and ssh's
 * temporary suffix in a sun_path? */
static bool
remote_fits(const char *dir, size_t name)
{
	struct sockaddr_un sun;

	return strlen(dir) + 1 + name + REMOTE_SSH_SUFFIX <
	    sizeof sun.sun_path;
}

static char *
remote_mkdtemp(const char *base, const char *prefix, size_t name)
{
	char *tmpl;

	if (base == NULL || base[0] != '/')
		return NULL;
	/* The directory's own name is as long as the template. */
	tmpl = xasprintf("%s/%sXXXXXX", base, prefix);
	if (!remote_fits(tmpl, name) || mkdtemp(tmpl) == NULL) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

/*
 * The run directory is private already (0700), and the sockets are best
 * kept with the run; but a sun_path holds about 100 bytes, and a deep
 * log_dir leaves too few. Then a short private directory elsewhere.
 */
static int
remote_make_dir(struct remote *r, char **err)
{
	char num[32];
	size_t name, i;

	if (r->dir != NULL)
		return 0;
	/* Room for the names of hosts a fan-out may add. */
	snprintf(num, sizeof num, "%zu", r->n_hosts > 99999 ? r->n_hosts :
	    (size_t)99999);
	name = strlen(num);
	r->dir = remote_mkdtemp(r->parent, "ssh-", name);
	if (r->dir == NULL)
		r->dir = remote_mkdtemp(getenv("XDG_RUNTIME_DIR"),
		    "drove-ssh-", name);
	if (r->dir == NULL)
		r->dir = remote_mkdtemp(getenv("TMPDIR"), "drove-ssh-", name);
	if (r->dir == NULL)
		r->dir = remote_mkdtemp("/tmp", "drove-ssh-", name);
	if (r->dir == NULL) {
		*err = xasprintf("drove: cannot make a directory for the ssh "
		    "control sockets: %s\n", strerror(errno));
		return -1;
	}
	for (i = 0; i < r->n_hosts; i++)
		r->hosts[i]->path = xasprintf("%s/%zu", r->dir, i);
	remote_watch_dir(r);
	return 0;
}

static void
remote_remove_dir(struct remote *r)
{
	size_t i;

	if (r->dir == NULL)
		return;
	remote_unwatch_dir(r);
	for (i = 0; i < r->n_hosts; i++) {
		/* ssh removes its socket when it exits as asked; not when
		 * SIGKILL had to come. */
		unlink(r->hosts[i]->path);
		free(r->hosts[i]->path);
		r->hosts[i]->path = NULL;
	}
	rmdir(r->dir);
	free(r->dir);
	r->dir = NULL;
}

/* --- masters ----------------------------------------------------------- */

static void remote_closed_check(struct remote *r);
static void remote_dequeue(struct remote *r);
static void remote_probe_tell(struct remote_host *rh, bool up);

/* Tell the waits of host rh, one at a time (a callback may start steps,
 * cancel waits or connect anew). */
static void
remote_notify(struct remote_host *rh, const char *err)
{
	struct remote_wait *w;

	rh->notifying = rh->waiting;
	rh->waiting = NULL;
	while ((w = rh->notifying) != NULL) {
		rh->notifying = w->next;
		w->ready(w->arg, err);
		free(w);
	}
}

/* Every change of a host's state goes through here, which keeps the count
 * of connecting masters that max_connecting bounds. */
static void
remote_set_state(struct remote_host *rh, enum remote_state st)
{
	if (rh->state == REMOTE_CONNECTING)
		rh->r->connecting--;
	if (st == REMOTE_CONNECTING)
		rh->r->connecting++;
	rh->state = st;
}

/* Is host rh's master up now? Then its waits are told. */
static void
remote_check_up(struct remote_host *rh)
{
	struct stat sb;

	/* ssh links the socket into place once it is listening and the
	 * connection is authenticated: its being there is the sign. */
	if (rh->state != REMOTE_CONNECTING || stat(rh->path, &sb) != 0 ||
	    !S_ISSOCK(sb.st_mode))
		return;
	DEBUG_LOG("connection to %s: master up (%zu connecting)",
	    rh->r->cfg->hosts[rh->index].name, rh->r->connecting - 1);
	remote_set_state(rh, REMOTE_UP);
	remote_notify(rh, NULL);
}

static void
remote_poll_cb(EV_P_ ev_timer *w, int revents)
{
	struct remote *r = container_of(w, struct remote, poll);

	(void)revents;
	for (size_t i = 0; i < r->n_hosts; i++) {
		struct remote_host *rh = r->hosts[i];
		if (rh->state == REMOTE_FAILED) {
			remote_set_state(rh, REMOTE_DOWN);
			remote_notify(rh, rh->msg);
		} else
			remote_check_up(rh);
		if (rh->answer != REMOTE_ANSWER_NONE) {
			bool up = rh->answer == REMOTE_ANSWER_UP;
			rh->answer = REMOTE_ANSWER_NONE;
			remote_probe_tell(rh, up);
		}
	}
	remote_dequeue(r);
	if (r->inotify >= 0 || r->connecting == 0)
		ev_timer_stop(EV_A_ w);
}

static void
remote_notify_cb(EV_P_ ev_io *w, int revents)
{
	struct remote *r = container_of(w, struct remote, notify);
	/* As inotify(7) says: aligned for struct inotify_event. */
	_Alignas(struct inotify_event) char buf[4096];
	const struct inotify_event *ev;
	ssize_t n;
	char *end;
	unsigned long h;

	(void)EV_A;
	(void)revents;
	while ((n = read(r->inotify, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				/* Events were lost: look at them all. */
				for (size_t i = 0; i < r->n_hosts; i++)
					remote_check_up(r->hosts[i]);
				continue;
			}
			/* HOST or ssh's temporary HOST.XXXX: only the first
			 * is the sign. */
			if (ev->len == 0 || ev->name[0] < '0' ||
			    ev->name[0] > '9')
				continue;
			errno = 0;
			h = strtoul(ev->name, &end, 10);
			if (errno == 0 && *end == '\0' && h < r->n_hosts)
				remote_check_up(r->hosts[h]);
			/* A callback may have closed it all. */
			if (r->inotify < 0)
				return;
		}
	}
	remote_dequeue(r);
}

static void
remote_master_output(void *arg, const char *data, size_t len)
{
	struct remote_host *rh = arg;
	size_t room = sizeof rh->msg - 1 - rh->msg_len;

	if (len > room)
		len = room;
	memcpy(rh->msg + rh->msg_len, data, len);
	rh->msg_len += len;
	rh->msg[rh->msg_len] = '\0';
}

static void
remote_master_exited(void *arg, int status)
{
	struct remote_host *rh = arg;
	enum remote_state was = rh->state;
	char *err;

	proc_free(rh->master);
	rh->master = NULL;
	remote_set_state(rh, REMOTE_DOWN);
	if (was == REMOTE_CLOSING) {
		remote_notify(rh, remote_closed_msg);
		remote_closed_check(rh->r);
		return;
	}
	if (was != REMOTE_CONNECTING)
		return;
	/* It never came up: ssh's own words, or at least its status. */
	if (rh->msg_len > 0)
		err = xasprintf("%s%s", rh->msg,
		    rh->msg[rh->msg_len - 1] == '\n' ? "" : "\n");
	else
		err = xasprintf("drove: ssh to %s exited with status %d before "
		    "it connected\n", rh->r->cfg->hosts[rh->index].name,
		    status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) :
		    -1);
	DEBUG_LOG("connection to %s: master failed", rh->r->cfg->hosts[
	    rh->index].name);
	remote_notify(rh, err);
	free(err);
	/* Its slot is free. */
	remote_dequeue(rh->r);
}

/* A failure to connect, told to host rh's waits from the loop: the caller
 * is in the middle of starting a step. */
static void
remote_fail_later(struct remote_host *rh, const char *msg)
{
	snprintf(rh->msg, sizeof rh->msg, "%s%s", msg,
	    msg[0] != '\0' && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
	rh->msg_len = strlen(rh->msg);
	remote_set_state(rh, REMOTE_FAILED);
	ev_feed_event(EV_DEFAULT_ &rh->r->poll, EV_TIMER);
}

static void
remote_start_master(struct remote *r, size_t h)
{
	struct remote_host *rh = r->hosts[h];
	struct remote_args a = { NULL, 0, 0 };
	struct proc_spec spec = { 0 };
	struct proc_callbacks cb = {
		.output = remote_master_output,
		.exited = remote_master_exited,
		.arg = rh,
	};
	char *err = NULL;

	if (remote_make_dir(r, &err) != 0) {
		remote_fail_later(rh, err);
		free(err);
		return;
	}
	/* A socket left by a master that had to be SIGKILLed. */
	unlink(rh->path);
	remote_common(r, &a, "ssh", h, true);
	remote_arg(&a, xstrdup("-N"));
	remote_arg(&a, xstrdup("--"));
	remote_arg(&a, xstrdup(r->cfg->hosts[h].address));
	spec.shell = "/bin/sh";
	spec.command = a.v[0];
	spec.argv = a.v;
	spec.kill_grace = REMOTE_MASTER_GRACE;
	rh->msg_len = 0;
	rh->msg[0] = '\0';
	rh->master = proc_start(&spec, &cb, &err);
	xstrv_free(a.v);
	if (rh->master == NULL) {
		remote_fail_later(rh, err);
		free(err);
		return;
	}
	remote_set_state(rh, REMOTE_CONNECTING);
	DEBUG_LOG("connection to %s: master started (%zu connecting)",
	    r->cfg->hosts[h].name, r->connecting);
	if (r->inotify < 0 && !ev_is_active(&r->poll))
		ev_timer_again(EV_DEFAULT_ &r->poll);
}

/* Is there a slot for one more connection attempt? */
static bool
remote_slot_free(const struct remote *r)
{
	return r->cfg->max_connecting == 0 ||
	    r->connecting < r->cfg->max_connecting;
}

/* Start the masters of queued hosts while there are slots, in the order
 * they were asked for. */
static void
remote_dequeue(struct remote *r)
{
	size_t h;

	while (r->q_len > 0 && !r->closing && remote_slot_free(r)) {
		h = r->queue[r->q_head];
		r->q_head = (r->q_head + 1) % r->n_hosts;
		r->q_len--;
		if (r->hosts[h]->state == REMOTE_QUEUED)
			remote_start_master(r, h);
	}
}

int
remote_connect(struct remote *r, size_t h, remote_ready_fn *ready, void *arg,
    struct remote_wait **wait)
{
	struct remote_host *rh = r->hosts[h];
	struct remote_wait *w;

	*wait = NULL;
	if (!r->cfg->hosts[h].multiplex || rh->state == REMOTE_UP)
		return 1;
	if (rh->state == REMOTE_DOWN && r->closing) {
		/* No new master while the others are closing: told from
		 * the loop, as a failure to connect is. */
		remote_fail_later(rh, remote_closed_msg);
	} else if (rh->state == REMOTE_DOWN && !remote_slot_free(r)) {
		/* No process until a slot frees (remote_dequeue). */
		remote_set_state(rh, REMOTE_QUEUED);
		r->queue[(r->q_head + r->q_len) % r->n_hosts] = h;
		r->q_len++;
		DEBUG_LOG("connection to %s: queued (%zu connecting, "
		    "max_connecting %u)", r->cfg->hosts[h].name,
		    r->connecting, r->cfg->max_connecting);
	} else if (rh->state == REMOTE_DOWN)
		remote_start_master(r, h);
	w = xcalloc(1, sizeof *w);
	w->ready = ready;
	w->arg = arg;
	w->next = rh->waiting;
	rh->waiting = w;
	*wait = w;
	return 0;
}

bool
remote_queued(const struct remote *r, size_t h)
{
	return h < r->n_hosts && r->hosts[h]->state == REMOTE_QUEUED;
}

static bool
remote_unlink_wait(struct remote_wait **list, struct remote_wait *w)
{
	for (; *list != NULL; list = &(*list)->next) {
		if (*list == w) {
			*list = w->next;
			free(w);
			return true;
		}
	}
	return false;
}

void
remote_cancel(struct remote *r, struct remote_wait *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < r->n_hosts; i++) {
		if (remote_unlink_wait(&r->hosts[i]->waiting, w) ||
		    remote_unlink_wait(&r->hosts[i]->notifying, w) ||
		    remote_unlink_wait(&r->hosts[i]->probing, w))
			return;
	}
}

/* --- is the connection still there? ------------------------------------ */

static const char remote_lost_msg[] =
    "drove: the ssh connection was lost\n";

/* Tell the waits of host rh's probe its answer, one at a time (a callback
 * may start a step, which may probe again). */
static void
remote_probe_tell(struct remote_host *rh, bool up)
{
	struct remote_wait *w, *list = rh->probing;

	rh->probing = NULL;
	while ((w = list) != NULL) {
		list = w->next;
		w->ready(w->arg, up ? NULL : remote_lost_msg);
		free(w);
	}
}

static void
remote_probe_output(void *arg, const char *data, size_t len)
{
	/* ssh -O check's words ("Master running", or why not): its status
	 * says it all. */
	(void)arg;
	(void)data;
	(void)len;
}

static void
remote_probe_exited(void *arg, int status)
{
	struct remote_host *rh = arg;
	bool up = status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;

	proc_free(rh->probe);
	rh->probe = NULL;
	DEBUG_LOG("connection to %s: probe says %s",
	    rh->r->cfg->hosts[rh->index].name, up ? "up" : "lost");
	remote_probe_tell(rh, up);
}

/*
 * For a shared connection, its master answers for it: `ssh -O check`
 * asks it through its socket, and fails when the master is gone or
 * going (a connection that broke ends the master, which is how its
 * steps' ssh learnt of it). Without one, a new connection that runs
 * nothing says whether the host answers at all.
 */
void
remote_probe(struct remote *r, size_t h, remote_ready_fn *ready, void *arg,
    struct remote_wait **wait)
{
	struct remote_host *rh = r->hosts[h];
	const struct cfg_host *host = &r->cfg->hosts[h];
	struct remote_args a = { NULL, 0, 0 };
	struct proc_spec spec = { 0 };
	struct proc_callbacks cb = {
		.output = remote_probe_output,
		.exited = remote_probe_exited,
		.arg = rh,
	};
	struct remote_wait *w = xcalloc(1, sizeof *w);
	char *err = NULL;

	w->ready = ready;
	w->arg = arg;
	w->next = rh->probing;
	rh->probing = w;
	*wait = w;
	if (rh->probe != NULL || rh->answer != REMOTE_ANSWER_NONE)
		return;
	if (host->multiplex && (rh->state != REMOTE_UP || rh->path == NULL)) {
		/* Its master is gone already: lost, told from the loop. */
		rh->answer = REMOTE_ANSWER_LOST;
		ev_feed_event(EV_DEFAULT_ &r->poll, EV_TIMER);
		return;
	}
	remote_common(r, &a, "ssh", h, false);
	if (host->multiplex) {
		remote_arg(&a, xstrdup("-O"));
		remote_arg(&a, xstrdup("check"));
	} else
		remote_arg(&a, xstrdup("-T"));
	remote_arg(&a, xstrdup("--"));
	remote_arg(&a, xstrdup(host->address));
	if (!host->multiplex)
		remote_arg(&a, xstrdup("exit 0"));
	spec.shell = "/bin/sh";
	spec.command = a.v[0];
	spec.argv = a.v;
	spec.kill_grace = REMOTE_MASTER_GRACE;
	rh->probe = proc_start(&spec, &cb, &err);
	xstrv_free(a.v);
	if (rh->probe == NULL) {
		/* Cannot ask: the 255 stays the command's, as before. */
		free(err);
		DEBUG_LOG("connection to %s: cannot probe", host->name);
		rh->answer = REMOTE_ANSWER_UP;
		ev_feed_event(EV_DEFAULT_ &r->poll, EV_TIMER);
	}
}

/* --- lifecycle --------------------------------------------------------- */

void
remote_hosts_added(struct remote *r)
{
	size_t i, n = r->cfg->n_hosts, *queue;

	if (n <= r->n_hosts && r->hosts != NULL)
		return;
	r->hosts = xrealloc(r->hosts, (n ? n : 1) * sizeof *r->hosts);
	/* The ring of hosts waiting for a slot holds every host once at
	 * most: room for the new ones too, in the order they were asked
	 * for. */
	queue = xcalloc(n ? n : 1, sizeof *queue);
	for (i = 0; i < r->q_len; i++)
		queue[i] = r->queue[(r->q_head + i) % r->n_hosts];
	free(r->queue);
	r->queue = queue;
	r->q_head = 0;
	for (i = r->n_hosts; i < n; i++) {
		r->hosts[i] = xcalloc(1, sizeof *r->hosts[i]);
		r->hosts[i]->r = r;
		r->hosts[i]->index = i;
		if (r->dir != NULL)
			r->hosts[i]->path = xasprintf("%s/%zu", r->dir, i);
	}
	r->n_hosts = n;
}

struct remote *
remote_create(const struct config *cfg)
{
	struct remote *r = xcalloc(1, sizeof *r);

	r->cfg = cfg;
	r->inotify = -1;
	remote_hosts_added(r);
	ev_init(&r->poll, remote_poll_cb);
	r->poll.repeat = REMOTE_POLL;
	return r;
}

void
remote_set_dir(struct remote *r, const char *parent)
{
	free(r->parent);
	r->parent = parent != NULL ? xstrdup(parent) : NULL;
}

size_t
remote_masters(const struct remote *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_hosts; i++)
		if (r->hosts[i]->master != NULL)
			n++;
	return n;
}

const char *
remote_control_path(const struct remote *r, size_t h)
{
	return h < r->n_hosts ? r->hosts[h]->path : NULL;
}

const char *
remote_dir(const struct remote *r)
{
	return r->dir;
}

/* The end of closing: the last master is gone. */
static void
remote_closed_check(struct remote *r)
{
	if (!r->closing || remote_masters(r) > 0)
		return;
	remote_remove_dir(r);
	r->closing = false;
}

void
remote_disconnect(struct remote *r)
{
	if (r == NULL)
		return;
	ev_timer_stop(EV_DEFAULT_ &r->poll);
	r->closing = true;
	for (size_t i = 0; i < r->n_hosts; i++) {
		struct remote_host *rh = r->hosts[i];
		/* SIGTERM: ssh closes the connection and removes its
		 * socket; remote_master_exited hears of its end. */
		if (rh->master != NULL) {
			remote_set_state(rh, REMOTE_CLOSING);
			proc_kill(rh->master);
		} else
			remote_set_state(rh, REMOTE_DOWN);
	}
	/* The queued hosts are down again: their waits are told below. */
	r->q_len = 0;
	/* Only then the waits, whose callbacks may ask for a connection
	 * again (and are refused from the loop). */
	for (size_t i = 0; i < r->n_hosts; i++)
		if (r->hosts[i]->waiting != NULL)
			remote_notify(r->hosts[i], remote_closed_msg);
	remote_closed_check(r);
}

bool
remote_closing(const struct remote *r)
{
	return r != NULL && r->closing;
}

void
remote_free(struct remote *r)
{
	if (r == NULL)
		return;
	ev_timer_stop(EV_DEFAULT_ &r->poll);
	for (size_t i = 0; i < r->n_hosts; i++) {
		struct remote_host *rh = r->hosts[i];
		struct remote_wait *w, *next;
		/* proc_free kills what is still there at once. */
		proc_free(rh->master);
		rh->master = NULL;
		proc_free(rh->probe);
		rh->probe = NULL;
		for (w = rh->waiting; w != NULL; w = next) {
			next = w->next;
			free(w);
		}
		for (w = rh->probing; w != NULL; w = next) {
			next = w->next;
			free(w);
		}
	}
	remote_remove_dir(r);
	for (size_t i = 0; i < r->n_hosts; i++)
		free(r->hosts[i]);
	free(r->hosts);
	free(r->queue);
	free(r->parent);
	free(r);
}
