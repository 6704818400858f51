/* The access log: one line per request, written in batches.
 *
 * Each server thread formats its lines into a buffer of its own (found through
 * a thread-local pointer, guarded by a mutex only the flusher ever contends
 * for), so logging a request costs a clock read and a few byte copies, and no
 * system call. A buffer is written out when it is full, by its own thread; a
 * flusher thread writes every buffer once a second; alog_free (http_stop,
 * after the daemon has finished every request) and exit() write what is left.
 * So a clean stop loses nothing and a crash loses at most a second.
 *
 * Lines go to standard error, the same stream as log_msg() and in its format,
 * each write made under the stream's lock (flockfile) and holding whole lines
 * only, so lines of the two never mix. Lines of different threads may appear
 * out of order by up to a second; each carries its own time stamp. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/internal.h"
#include "lib/xalloc.h"

#define ALOG_BUF_SIZE (32 * 1024)
/* Longest line: stamp and level (31), method (31), path (512), status,
 * microseconds and the suffixes. */
#define ALOG_LINE_MAX 640

struct alog_buf {
	pthread_mutex_t mu;
	struct alog_buf *next; /* the log's list (only grows until alog_free) */
	size_t len;
	time_t stamp_sec; /* the second stamp[] was made for */
	char stamp[64];   /* "2026-12-02T04:39:31." */
	char data[ALOG_BUF_SIZE];
};

struct alog {
	uint64_t id;
	pthread_mutex_t mu; /* bufs, stop */
	pthread_cond_t cond;
	struct alog_buf *bufs;
	bool stop, flusher_running;
	pthread_t flusher;
	struct alog *next_live; /* every live log, for exit() */
};

static _Thread_local struct alog_buf *tl_buf;
static _Thread_local uint64_t tl_id; /* the log tl_buf belongs to: ids are never reused */
static atomic_uint_fast64_t next_id = 1;

static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static struct alog *live;
static pthread_once_t atexit_once = PTHREAD_ONCE_INIT;

/* Whole lines to standard error, under its stream lock (log_msg writes
 * through the same stream). A failed write loses those lines: there is no
 * better place to say so. */
static void out_write(const char *p, size_t n)
{
	flockfile(stderr);
	while (n) {
		ssize_t k = write(STDERR_FILENO, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		p += k;
		n -= (size_t)k;
	}
	funlockfile(stderr);
}

/* Called with b->mu held. */
static void buf_write_locked(struct alog_buf *b)
{
	if (b->len) {
		out_write(b->data, b->len);
		b->len = 0;
	}
}

static void flush_all(struct alog *a)
{
	pthread_mutex_lock(&a->mu);
	struct alog_buf *head = a->bufs;
	pthread_mutex_unlock(&a->mu);
	/* Buffers are only ever added at the head: the rest of the list is
	 * stable without the lock. */
	for (struct alog_buf *b = head; b; b = b->next) {
		pthread_mutex_lock(&b->mu);
		buf_write_locked(b);
		pthread_mutex_unlock(&b->mu);
	}
}

static void flush_live_at_exit(void)
{
	pthread_mutex_lock(&live_mu);
	for (struct alog *a = live; a; a = a->next_live)
		flush_all(a);
	pthread_mutex_unlock(&live_mu);
}

static void register_atexit(void)
{
	atexit(flush_live_at_exit);
}

static void *flusher_main(void *arg)
{
	struct alog *a = arg;
	pthread_mutex_lock(&a->mu);
	while (!a->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&a->cond, &a->mu, &until);
		if (a->stop)
			break;
		pthread_mutex_unlock(&a->mu);
		flush_all(a);
		pthread_mutex_lock(&a->mu);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

struct alog *alog_new(void)
{
	struct alog *a = xcalloc(1, sizeof *a);
	a->id = atomic_fetch_add(&next_id, 1);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cond, NULL);
	pthread_once(&atexit_once, register_atexit);
	pthread_mutex_lock(&live_mu);
	a->next_live = live;
	live = a;
	pthread_mutex_unlock(&live_mu);
	/* Signals are blocked by the caller (http_start) around thread
	 * creation, as for MHD's threads. */
	a->flusher_running = pthread_create(&a->flusher, NULL, flusher_main, a) == 0;
	return a;
}

void alog_free(struct alog *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->mu);
	if (a->flusher_running)
		pthread_join(a->flusher, NULL);
	pthread_mutex_lock(&live_mu);
	for (struct alog **p = &live; *p; p = &(*p)->next_live)
		if (*p == a) {
			*p = a->next_live;
			break;
		}
	flush_all(a);
	pthread_mutex_unlock(&live_mu);
	for (struct alog_buf *b = a->bufs, *next; b; b = next) {
		next = b->next;
		pthread_mutex_destroy(&b->mu);
		free(b);
	}
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

static struct alog_buf *my_buf(struct alog *a)
{
	if (tl_buf && tl_id == a->id)
		return tl_buf;
	struct alog_buf *b = xmalloc(sizeof *b);
	pthread_mutex_init(&b->mu, NULL);
	b->len = 0;
	b->stamp_sec = -1;
	pthread_mutex_lock(&a->mu);
	b->next = a->bufs;
	a->bufs = b;
	pthread_mutex_unlock(&a->mu);
	tl_buf = b;
	tl_id = a->id;
	return b;
}

static char *put(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

static char *put_uint(char *p, unsigned long long v, int min_digits)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < min_digits)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

void alog_request(struct alog *a, const char *method, const char *raw_path, int status, long usec, bool hit,
                  bool aborted)
{
	struct alog_buf *b = my_buf(a);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&b->mu);
	if (ALOG_BUF_SIZE - b->len < ALOG_LINE_MAX)
		buf_write_locked(b);
	if (b->stamp_sec != ts.tv_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		snprintf(b->stamp, sizeof b->stamp, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		b->stamp_sec = ts.tv_sec;
	}
	/* As log_msg writes it: "<time> info GET /path 200 153us[ hit][ (aborted)]" */
	char *start = b->data + b->len, *p = start;
	p = put(p, b->stamp);
	p = put_uint(p, (unsigned long long)(ts.tv_nsec / 1000000), 3);
	p = put(p, "Z info ");
	p = put(p, method); /* req_method_name: a known name, or cleaned and cut at 31 bytes */
	*p++ = ' ';
	log_clean(p, 512, raw_path ? raw_path : "-");
	p += strlen(p);
	*p++ = ' ';
	if (status > 0)
		p = put_uint(p, (unsigned long long)status, 1);
	else
		*p++ = '-';
	*p++ = ' ';
	p = put_uint(p, (unsigned long long)(usec > 0 ? usec : 0), 1);
	p = put(p, "us");
	if (hit)
		p = put(p, " hit");
	if (aborted)
		p = put(p, " (aborted)");
	*p++ = '\n';
	b->len += (size_t)(p - start);
	pthread_mutex_unlock(&b->mu);
}
