/* client.c: connecting to a run's server and talking to it, blocking. */
#include "client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sockdir.h"
#include "strbuf.h"
#include "xmalloc.h"

struct client {
	int fd;
	struct client_info info;
	char *in;            /* received, from `off` */
	size_t len, off, cap;
};

/* 0 connected, else the errno of connect. */
static int
client_connect(const char *path, int *fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s;

	if (strlen(path) >= sizeof sun.sun_path)
		return ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return errno;
	if (connect(s, (struct sockaddr *)&sun, sizeof sun) != 0) {
		int e = errno;
		close(s);
		return e;
	}
	*fd = s;
	return 0;
}

size_t
client_list(char ***names)
{
	char *dir = sockdir_default(), *err = NULL;
	size_t n = 0;

	*names = NULL;
	if (sockdir_check(dir, &err) == 0)
		n = sockdir_list(dir, names);
	free(err);
	free(dir);
	return n;
}

static void
client_free_names(char **names, size_t n)
{
	xstrs_free(names, n);
}

/* The socket `spec` names in dir: its name (caller frees), or NULL and
 * *err. NULL spec: the newest live one. */
static char *
client_pick(const char *dir, const char *spec, char **err)
{
	char **names, *found = NULL;
	size_t n = sockdir_list(dir, &names), matches = 0;
	struct strbuf list = STRBUF_INIT;

	if (spec == NULL) {
		/* Newest first; a stale socket is not a live run. */
		for (size_t i = n; i-- > 0 && found == NULL;) {
			char *path = sockdir_socket(dir, names[i], err);
			int fd;
			if (path != NULL && client_connect(path, &fd) == 0) {
				close(fd);
				found = xstrdup(names[i]);
			}
			free(path);
			free(*err);
			*err = NULL;
		}
		if (found == NULL)
			*err = xstrdup("no live run (drove ps lists them; "
			    "drove logs the past ones)");
		client_free_names(names, n);
		return found;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], spec) == 0) {
			found = xstrdup(names[i]);
			client_free_names(names, n);
			return found;
		}
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], spec, strlen(spec)) != 0)
			continue;
		matches++;
		free(found);
		found = xstrdup(names[i]);
		strbuf_printf(&list, "%s%s", list.len ? ", " : "", names[i]);
	}
	client_free_names(names, n);
	if (matches == 1) {
		strbuf_free(&list);
		return found;
	}
	free(found);
	if (matches == 0)
		*err = xasprintf("no live run '%s' (drove ps lists them; "
		    "drove logs the past ones)", spec);
	else
		*err = xasprintf("'%s' is more than one run: %s", spec,
		    strbuf_str(&list));
	strbuf_free(&list);
	return NULL;
}

/* The id of a socket's path: its name without the suffix. */
static char *
client_path_id(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len, sl = strlen(SOCKDIR_SUFFIX);

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > sl && strcmp(base + len - sl, SOCKDIR_SUFFIX) == 0)
		len -= sl;
	return xstrndup(base, len);
}

/* Ends the frame in b, sends it, and frees b whatever came of it. */
static int
client_send_frame(struct client *c, struct proto_buf *b, char **err)
{
	int r;

	proto_end(b);
	r = client_send(c, b, err);
	proto_buf_free(b);
	return r;
}

static int
client_hello(struct client *c, char **err)
{
	struct proto_buf b = { 0 };
	struct proto_msg m;
	char *tty = ttyname(STDIN_FILENO);
	int r;
	uint32_t version;

	proto_begin(&b, PROTO_HELLO);
	proto_u32(&b, PROTO_VERSION);
	proto_cstr(&b, tty);
	if (client_send_frame(c, &b, err) != 0)
		return -1;
	if ((r = client_recv(c, &m, err)) <= 0) {
		if (r == 0)
			*err = xstrdup("the run's server closed the connection");
		return -1;
	}
	if (m.type != PROTO_WELCOME) {
		*err = xasprintf("the server said '%s' to hello",
		    proto_type_name(m.type));
		return -1;
	}
	version = proto_get_u32(&m);
	if (!m.bad && version != PROTO_VERSION) {
		*err = proto_version_mismatch(PROTO_VERSION, version, false);
		return -1;
	}
	c->info.id = proto_get_cstr(&m);
	c->info.config = proto_get_cstr(&m);
	c->info.run_dir = proto_get_cstr(&m);
	c->info.pid = (long)proto_get_u32(&m);
	c->info.started = proto_get_f64(&m);
	if (!proto_done(&m)) {
		*err = xstrdup("a malformed welcome from the server");
		return -1;
	}
	return 0;
}

struct client *
client_open(const char *spec, enum client_error *why, char **over_id,
    char **err)
{
	char *dir = NULL, *path, *name;
	struct client *c;
	int fd = -1, e;

	*over_id = NULL;
	*why = CLIENT_NO_RUN;
	if (spec != NULL && strcmp(spec, "latest") == 0)
		spec = NULL;
	if (spec != NULL && strchr(spec, '/') != NULL) {
		/* A path chosen by the user: used as it is (tmux -S). */
		path = xstrdup(spec);
		name = client_path_id(spec);
	} else {
		dir = sockdir_default();
		if (sockdir_check(dir, err) != 0) {
			free(*err);
			*err = spec ? xasprintf("no live run '%s' (drove ps "
			    "lists them; drove logs the past ones)", spec) :
			    xstrdup("no live run (drove ps lists them; drove "
			    "logs the past ones)");
			free(dir);
			return NULL;
		}
		if ((name = client_pick(dir, spec, err)) == NULL) {
			free(dir);
			return NULL;
		}
		if ((path = sockdir_socket(dir, name, err)) == NULL) {
			free(name);
			free(dir);
			return NULL;
		}
	}
	e = client_connect(path, &fd);
	if (e != 0) {
		if (e == ECONNREFUSED) {
			/* Nobody listens: its server died without removing
			 * it (SIGKILL, a crash). The socket is ours to clear
			 * (a path given by hand is left alone). */
			*why = CLIENT_OVER;
			*err = xasprintf("the run %s is over: its server is "
			    "gone", name);
			*over_id = name;
			name = NULL;
			if (dir != NULL)
				unlink(path);
		} else {
			*why = e == ENOENT ? CLIENT_NO_RUN : CLIENT_FAILED;
			*err = xasprintf("%s: %s", path, strerror(e));
		}
		free(name);
		free(path);
		free(dir);
		return NULL;
	}
	free(name);
	free(path);
	free(dir);
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	if (client_hello(c, err) != 0) {
		*why = CLIENT_REFUSED;
		client_free(c);
		return NULL;
	}
	*why = CLIENT_OK;
	return c;
}

void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->info.id);
	free(c->info.config);
	free(c->info.run_dir);
	free(c->in);
	free(c);
}

const struct client_info *
client_info(const struct client *c)
{
	return &c->info;
}

int
client_fd(const struct client *c)
{
	return c->fd;
}

int
client_send(struct client *c, const struct proto_buf *b, char **err)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t r = send(c->fd, b->data + off, b->len - off,
		    MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = xasprintf("the run's server: %s",
			    strerror(errno));
			return -1;
		}
		off += (size_t)r;
	}
	return 0;
}

int
client_next(struct client *c, struct proto_msg *m, char **err)
{
	size_t used;
	const char *why;
	int r = proto_next(c->in + c->off, c->len - c->off, m, &used, &why);
	char *text;

	if (r < 0) {
		*err = xasprintf("the run's server sent %s", why);
		return -1;
	}
	if (r == 0)
		return 0;
	c->off += used;
	if (m->type == PROTO_REFUSED) {
		text = proto_get_cstr(m);
		if (!proto_done(m)) {
			free(text);
			text = xstrdup("refused");
		}
		*err = text;
		return -1;
	}
	return 1;
}

int
client_read(struct client *c, char **err)
{
	ssize_t got;

	/* Keep what is not a frame yet at the start, then read. */
	if (c->off > 0) {
		memmove(c->in, c->in + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->cap - c->len < 65536) {
		c->cap = c->cap ? c->cap * 2 : 131072;
		if (c->cap > PROTO_HEADER + PROTO_MAX + 65536)
			c->cap = PROTO_HEADER + PROTO_MAX + 65536;
		c->in = xrealloc(c->in, c->cap);
	}
	got = read(c->fd, c->in + c->len, c->cap - c->len);
	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (got < 0) {
		*err = xasprintf("the run's server: %s", strerror(errno));
		return -1;
	}
	if (got == 0)
		return 0;
	c->len += (size_t)got;
	return 1;
}

int
client_recv(struct client *c, struct proto_msg *m, char **err)
{
	for (;;) {
		int r = client_next(c, m, err);

		if (r != 0)
			return r;
		if ((r = client_read(c, err)) <= 0)
			return r;
	}
}

int
client_ask(struct client *c, enum proto_type req, enum proto_type want,
    struct proto_msg *m, char **err)
{
	struct proto_buf b = { 0 };
	int r;

	proto_begin(&b, req);
	if (client_send_frame(c, &b, err) != 0)
		return -1;
	while ((r = client_recv(c, m, err)) > 0 && m->type != want)
		;
	return r;
}
