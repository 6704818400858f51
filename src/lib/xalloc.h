/* Allocation that never returns NULL.
 *
 * Policy (written once, here): osspoint does not try to recover from running out
 * of memory. Every allocation goes through these wrappers, which print one line
 * and abort(). Callers therefore never check for NULL from x*alloc / xstrdup. */
#ifndef OSSPOINT_XALLOC_H
#define OSSPOINT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
