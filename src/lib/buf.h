/* Growable byte buffer with a hard maximum size.
 *
 * Every buffer fed by a client or a renderer has a cap (curl's rule): appends
 * that would pass `max` fail with -1 and leave the buffer unchanged, so the
 * caller can answer 413 / 500 instead of growing without bound.
 * The data is always NUL-terminated (not counted in len). */
#ifndef OSSPOINT_BUF_H
#define OSSPOINT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* 0 means BUF_DEFAULT_MAX */
};

#define BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

void buf_init(struct buf *b, size_t max);
/* Free the storage; the buffer may be reused after buf_init. */
void buf_cleanup(struct buf *b);
/* Empty the buffer, keeping its storage. */
void buf_reset(struct buf *b);
/* Returns 0, or -1 when the result would exceed b->max (buffer unchanged). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Append s with the five HTML special characters escaped (& < > " '). */
int buf_put_html(struct buf *b, const char *s, size_t n);
/* Takes the storage out of the buffer (caller frees); the buffer is left empty.
 * Never returns NULL (an empty buffer yields ""). */
char *buf_detach(struct buf *b, size_t *len);
/* Borrowed pointer to the NUL-terminated contents (never NULL). */
const char *buf_str(const struct buf *b);

#endif
