/* proto.c: frames of the server protocol, written and read. */
#include "proto.h"

#include <string.h>

#include "xmalloc.h"

const char *
proto_type_name(unsigned type)
{
	switch (type) {
#define PROTO_NAME(NAME, num, name, dir) case num: return name;
	PROTO_MESSAGES(PROTO_NAME)
#undef PROTO_NAME
	}
	return NULL;
}

void
proto_buf_free(struct proto_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void
proto_buf_consume(struct proto_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		b->frame = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->frame = b->frame > n ? b->frame - n : 0;
}

static void
proto_put(struct proto_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
proto_be(struct proto_buf *b, uint64_t v, size_t n)
{
	unsigned char out[8];

	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	proto_put(b, out, n);
}

void
proto_append(struct proto_buf *b, const char *data, size_t len)
{
	proto_put(b, data, len);
}

void
proto_begin(struct proto_buf *b, enum proto_type type)
{
	uint8_t t = (uint8_t)type;

	b->frame = b->len;
	b->open = true;
	proto_be(b, 0, PROTO_HEADER);   /* the length, once known */
	proto_put(b, &t, 1);
}

void proto_u8(struct proto_buf *b, uint8_t v) { proto_be(b, v, 1); }
void proto_u16(struct proto_buf *b, uint16_t v) { proto_be(b, v, 2); }
void proto_u32(struct proto_buf *b, uint32_t v) { proto_be(b, v, 4); }
void proto_i32(struct proto_buf *b, int32_t v) { proto_be(b, (uint32_t)v, 4); }
void proto_u64(struct proto_buf *b, uint64_t v) { proto_be(b, v, 8); }

void
proto_f64(struct proto_buf *b, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof bits);
	proto_be(b, bits, 8);
}

void
proto_str(struct proto_buf *b, const char *s, size_t len)
{
	/* Past PROTO_MAX, proto_end takes the frame back anyway. */
	proto_be(b, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len, 4);
	proto_put(b, s, len);
}

void
proto_cstr(struct proto_buf *b, const char *s)
{
	proto_str(b, s ? s : "", s ? strlen(s) : 0);
}

int
proto_end(struct proto_buf *b)
{
	size_t n = b->len - b->frame - PROTO_HEADER;
	unsigned char *h = (unsigned char *)b->data + b->frame;

	b->open = false;
	if (n > PROTO_MAX) {
		b->len = b->frame;
		return -1;
	}
	h[0] = (unsigned char)(n >> 24);
	h[1] = (unsigned char)(n >> 16);
	h[2] = (unsigned char)(n >> 8);
	h[3] = (unsigned char)n;
	return 0;
}

int
proto_next(const char *data, size_t len, struct proto_msg *m, size_t *used,
    const char **err)
{
	const unsigned char *u = (const unsigned char *)data;
	uint32_t n;

	if (len < PROTO_HEADER)
		return 0;
	n = (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
	if (n == 0 || n > PROTO_MAX) {
		*err = n == 0 ? "an empty frame" : "a frame over the size limit";
		return -1;
	}
	/* The type is known as soon as it is there: a peer that is not
	 * drove is told so before it sends megabytes. */
	if (len > PROTO_HEADER && proto_type_name(u[PROTO_HEADER]) == NULL) {
		*err = "an unknown message type";
		return -1;
	}
	if (len - PROTO_HEADER < n)
		return 0;
	m->type = u[PROTO_HEADER];
	m->p = data + PROTO_HEADER + 1;
	m->left = n - 1;
	m->bad = false;
	*used = PROTO_HEADER + n;
	return 1;
}

static uint64_t
proto_get_be(struct proto_msg *m, size_t n)
{
	const unsigned char *u = (const unsigned char *)m->p;
	uint64_t v = 0;

	if (m->bad || m->left < n) {
		m->bad = true;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v = v << 8 | u[i];
	m->p += n;
	m->left -= n;
	return v;
}

uint8_t proto_get_u8(struct proto_msg *m)
{ return (uint8_t)proto_get_be(m, 1); }
uint16_t proto_get_u16(struct proto_msg *m)
{ return (uint16_t)proto_get_be(m, 2); }
uint32_t proto_get_u32(struct proto_msg *m)
{ return (uint32_t)proto_get_be(m, 4); }
int32_t proto_get_i32(struct proto_msg *m)
{ return (int32_t)(uint32_t)proto_get_be(m, 4); }
uint64_t proto_get_u64(struct proto_msg *m)
{ return proto_get_be(m, 8); }

double
proto_get_f64(struct proto_msg *m)
{
	uint64_t bits = proto_get_be(m, 8);
	double v;

	memcpy(&v, &bits, sizeof v);
	return v;
}

const char *
proto_get_str(struct proto_msg *m, size_t *len)
{
	uint32_t n = proto_get_u32(m);
	const char *s;

	if (m->bad || m->left < n) {
		m->bad = true;
		*len = 0;
		return "";
	}
	s = m->p;
	m->p += n;
	m->left -= n;
	*len = n;
	return s;
}

char *
proto_get_cstr(struct proto_msg *m)
{
	size_t len;
	const char *s = proto_get_str(m, &len);

	if (memchr(s, '\0', len) != NULL)
		m->bad = true;
	return xstrndup(s, len);
}

bool
proto_done(const struct proto_msg *m)
{
	return !m->bad && m->left == 0;
}

char *
proto_version_mismatch(unsigned ours, unsigned theirs, bool server)
{
	return xasprintf("protocol version mismatch: this %s speaks version "
	    "%u, the %s version %u; use the same drove for both (this one is "
	    "drove %s)", server ? "run's server" : "drove", ours,
	    server ? "client" : "run's server", theirs, DROVE_VERSION);
}
