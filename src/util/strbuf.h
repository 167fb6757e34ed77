/* strbuf.h: a string that grows as it is appended to, for everything drove
 * builds piece by piece (JSON lines, expanded templates, shell words,
 * messages). Appending is amortised linear. The buffer is owned by the
 * strbuf until strbuf_detach hands it to the caller. */
#ifndef DROVE_STRBUF_H
#define DROVE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;      /* NUL-terminated; NULL until something is added */
	size_t len, cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_add(struct strbuf *sb, const char *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* text as one word for a POSIX shell: in single quotes, each ' as '\''. */
void strbuf_shell_quote(struct strbuf *sb, const char *text);
/* The string so far: "" when nothing was added. Valid until the next
 * change to sb. */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the string to the caller (free(); never NULL, "" when nothing was
 * added); sb is empty again. */
char *strbuf_detach(struct strbuf *sb);
/* Empty sb, keeping its memory for reuse. */
void strbuf_reset(struct strbuf *sb);
/* Free the buffer; sb is empty again. */
void strbuf_free(struct strbuf *sb);

#endif
