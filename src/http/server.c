/* The libmicrohttpd daemon: internal epoll thread pool, one struct req per
 * request, freed in the completion callback.
 *
 * The request object is created in MHD's URI callback, which sees the raw
 * request target before MHD unescapes it (so we parse path and query exactly as
 * fake requests do, and "%2F" inside a route parameter survives). The access
 * handler then reads the whole body (bounded) and, on the call after the body
 * has been read, dispatches and queues the reply: a reply queued on the first
 * call makes MHD close keep-alive connections (measured: 12k vs 76k req/s).
 *
 * Slow and hostile clients: MHD bounds connections in total and per client
 * address, memory per connection and silence (io_timeout); we add a deadline
 * for each request head (request_timeout), enforced by a sweeper thread that
 * shuts overdue connections down, since MHD's own timeout restarts at every
 * byte a trickling client sends. The completion callback writes the access log
 * line into a per-thread buffer (alog.c), never a system call per request. */
#include "http/http.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/internal.h"
#include "lib/log.h"
#include "lib/xalloc.h"

/* One open connection, from MHD's connection-started notification to its
 * closed one (the socket context). `deadline` is when its next request head
 * must be in (CLOCK_MONOTONIC milliseconds), 0 while a request is being read
 * or answered; the sweeper shuts down connections past it. */
struct conn {
	struct conn *prev, *next; /* the server's list, under conns_mu */
	int fd;
	atomic_llong deadline;
};

struct http_server {
	struct MHD_Daemon *d;
	const struct router *rt;
	struct http_config cfg; /* a copy; its strings are copied too */
	char *listen, *static_dir;
	unsigned port;
	atomic_long inflight;   /* requests between the URI callback and completion */
	atomic_uint open_conns; /* connections MHD holds (on_connection) */
	unsigned max_conns;     /* cfg.max_connections as fitted; on_accept keeps to it */
	atomic_bool stopping;
	struct alog *alog; /* NULL without cfg.access_log */
	long long request_timeout_ms;

	/* Workers (cfg.workers): the handlers of writes, while their connection
	 * is suspended. jobs is a FIFO under jobs_mu; once jobs_stop is set no
	 * request is handed over (it runs in the HTTP thread instead). */
	pthread_mutex_t jobs_mu;
	pthread_cond_t jobs_cond;
	struct req *jobs, *jobs_tail;
	bool jobs_stop;
	pthread_t *workers;
	unsigned nworkers;

	pthread_mutex_t conns_mu; /* conns, sweep_stop */
	pthread_cond_t sweep_cond;
	struct conn *conns;
	bool sweep_stop, sweeper_running;
	pthread_t sweeper;
};

static long usec_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000000L + (now.tv_nsec - t0->tv_nsec) / 1000L;
}

static long long mono_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return (long long)now.tv_sec * 1000LL + now.tv_nsec / 1000000L;
}

/* ---- connections: the request-head deadline ---- */

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* The server's connection limit, over all of MHD's threads (MHD's own is
 * split among them: see http_start). Threads that accept at the same
 * moment may pass it together, by at most one connection each. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	(void)addr;
	(void)addrlen;
	struct http_server *s = cls;
	return atomic_load(&s->open_conns) < s->max_conns ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct conn *k = xmalloc(sizeof *k);
		k->fd = ci ? ci->connect_fd : -1;
		atomic_init(&k->deadline, mono_ms() + s->request_timeout_ms);
		k->prev = NULL;
		pthread_mutex_lock(&s->conns_mu);
		k->next = s->conns;
		if (s->conns)
			s->conns->prev = k;
		s->conns = k;
		pthread_mutex_unlock(&s->conns_mu);
		*socket_context = k;
		atomic_fetch_add(&s->open_conns, 1);
		return;
	}
	atomic_fetch_sub(&s->open_conns, 1);
	struct conn *k = *socket_context;
	if (!k)
		return;
	/* MHD closes the socket after this returns: once unlinked here, the
	 * sweeper can never shut down a descriptor that was reused. */
	pthread_mutex_lock(&s->conns_mu);
	if (k->prev)
		k->prev->next = k->next;
	else
		s->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&s->conns_mu);
	*socket_context = NULL;
	free(k);
}

/* Twice a second: a connection whose request head is overdue is shut down
 * (MHD then sees the end of the stream and closes it in its own thread). */
static void *sweeper_main(void *arg)
{
	struct http_server *s = arg;
	pthread_mutex_lock(&s->conns_mu);
	while (!s->sweep_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500L * 1000 * 1000;
		if (until.tv_nsec >= 1000L * 1000 * 1000) {
			until.tv_sec++;
			until.tv_nsec -= 1000L * 1000 * 1000;
		}
		pthread_cond_timedwait(&s->sweep_cond, &s->conns_mu, &until);
		long long now = mono_ms();
		unsigned closed = 0;
		for (struct conn *k = s->conns; k && !s->sweep_stop; k = k->next) {
			long long d = atomic_load_explicit(&k->deadline, memory_order_relaxed);
			if (d && d <= now && k->fd >= 0) {
				atomic_store_explicit(&k->deadline, 0, memory_order_relaxed);
				shutdown(k->fd, SHUT_RDWR);
				closed++;
			}
		}
		if (closed)
			log_info("http: closed %u connection%s that sent no complete request within %llds",
			         closed, closed == 1 ? "" : "s", s->request_timeout_ms / 1000);
	}
	pthread_mutex_unlock(&s->conns_mu);
	return NULL;
}

/* ---- workers ---- */

static void *worker_main(void *arg)
{
	struct http_server *s = arg;
	pthread_mutex_lock(&s->jobs_mu);
	for (;;) {
		while (!s->jobs && !s->jobs_stop)
			pthread_cond_wait(&s->jobs_cond, &s->jobs_mu);
		struct req *r = s->jobs;
		if (!r)
			break; /* stopping, and nothing left */
		s->jobs = r->job_next;
		if (!s->jobs)
			s->jobs_tail = NULL;
		pthread_mutex_unlock(&s->jobs_mu);
		http_dispatch(&s->cfg, s->rt, r);
		struct MHD_Connection *c = r->conn;
		r->stage = REQ_ANSWERED;
		/* MHD calls the access handler again, which queues the reply; from
		 * here on r belongs to MHD's thread (and may be freed). */
		MHD_resume_connection(c);
		pthread_mutex_lock(&s->jobs_mu);
	}
	pthread_mutex_unlock(&s->jobs_mu);
	return NULL;
}

/* Hands r to a worker and suspends its connection; false (run it here)
 * without workers or once the server is stopping. */
static bool hand_over(struct http_server *s, struct req *r)
{
	if (!s->nworkers || (r->method & (HTTP_GET | HTTP_HEAD | HTTP_OPTIONS)))
		return false;
	pthread_mutex_lock(&s->jobs_mu);
	if (s->jobs_stop) {
		pthread_mutex_unlock(&s->jobs_mu);
		return false;
	}
	r->stage = REQ_HANDED;
	r->job_next = NULL;
	/* Suspended before a worker can see it, so its resume cannot come
	 * first; workers never call MHD while holding jobs_mu. */
	MHD_suspend_connection(r->conn);
	if (s->jobs_tail)
		s->jobs_tail->job_next = r;
	else
		s->jobs = r;
	s->jobs_tail = r;
	pthread_cond_signal(&s->jobs_cond);
	pthread_mutex_unlock(&s->jobs_mu);
	return true;
}

static void workers_start(struct http_server *s, unsigned n)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, HTTP_WORKER_STACK);
	s->workers = xcalloc(n, sizeof *s->workers);
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&s->workers[s->nworkers], &attr, worker_main, s) != 0) {
			log_warn("http: started %u of %u workers; writes run on the rest", s->nworkers, n);
			break;
		}
		s->nworkers++;
	}
	pthread_attr_destroy(&attr);
}

/* Lets the workers finish what they were handed, then joins them. */
static void workers_stop(struct http_server *s)
{
	pthread_mutex_lock(&s->jobs_mu);
	s->jobs_stop = true;
	pthread_cond_broadcast(&s->jobs_cond);
	pthread_mutex_unlock(&s->jobs_mu);
	for (unsigned i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL);
	s->nworkers = 0;
}

/* ---- MHD callbacks ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_server *s = cls;
	struct req *r = req_new();
	r->conn = c;
	r->cfg = &s->cfg;
	req_set_target(r, uri ? uri : "/");
	atomic_fetch_add(&s->inflight, 1);
	return r;
}

/* reply_stream's body, as the client reads it. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct reply_stream_src *st = cls;
	if (pos >= st->size)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (max > st->size - pos)
		max = (size_t)(st->size - pos);
	long long n = st->read(st->ctx, pos, buf, max);
	if (n <= 0 || (size_t)n > max) {
		log_error("http: a streamed body could not be read at %llu of %llu", (unsigned long long)pos,
		          (unsigned long long)st->size);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	reply_stream_free(cls);
}

static enum MHD_Result queue_reply(struct http_server *s, struct req *r)
{
	struct reply *rp = &r->reply;
	enum MHD_Result ret;
	if (rp->file || rp->cached) {
		/* A prebuilt, shared response: MHD takes its own reference. */
		struct MHD_Response *resp = rp->file
		                                ? static_file_response(rp->file, rp->not_modified)
		                                : http_cache_entry_response(rp->cached, rp->not_modified);
		return MHD_queue_response(r->conn, (unsigned)rp->status, resp);
	}
	struct MHD_Response *resp;
	if (rp->stream) {
		struct reply_stream_src *st = rp->stream;
		resp = MHD_create_response_from_callback(st->size, 64 * 1024, stream_read, st, stream_free);
		if (resp)
			rp->stream = NULL; /* MHD frees it (stream_free) */
		if (resp)
			goto headers;
	}
	if (rp->body_owned && rp->len == 0) { /* nothing to send: do not hand MHD an empty buffer to free */
		free(rp->body);
		rp->body = NULL;
		rp->body_owned = false;
	}
	if (rp->body_owned) {
		resp = MHD_create_response_from_buffer(rp->len, rp->body, MHD_RESPMEM_MUST_FREE);
		if (resp) { /* MHD frees the body now */
			rp->body = NULL;
			rp->body_owned = false;
		}
	} else {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	if (!resp) {
		log_error("http: could not create a response for %s %s", req_method_name(r), req_log_path(r));
		return MHD_NO;
	}
headers:
	for (const struct hdr *h = rp->head; h; h = h->next)
		if (MHD_add_response_header(resp, h->name, h->value) != MHD_YES)
			log_bug("http: MHD refused header %s for %s", h->name, req_log_path(r));
	if (atomic_load(&s->stopping) && !reply_header_get(r, "Connection"))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(r->conn, (unsigned)rp->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static unsigned long long content_length(const struct req *r)
{
	const char *cl = req_header(r, "Content-Length");
	if (!cl)
		return 0;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(cl, &end, 10);
	return errno || end == cl ? 0 : n;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;
	if (!r) { /* the URI callback always runs first; kept for safety */
		r = on_uri(s, url, c);
		*con_cls = r;
	}
	if (!r->started) {
		r->started = true;
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		struct conn *k = conn_of(c);
		if (k) /* the head is in: no deadline while it is read and answered */
			atomic_store_explicit(&k->deadline, 0, memory_order_relaxed);
		req_set_method(r, method);
		req_body_begin(r, &s->cfg);
		/* Conflicting lengths are refused before reading, and so is a
		 * declared size past the discard cap (MHD then closes the
		 * connection, having not read the body), and any oversize body the
		 * client has not sent yet because it waits for "100 Continue": it
		 * would rather hear 413 now. */
		unsigned long long cl = content_length(r);
		const char *expect = req_header(r, "Expect");
		if (req_length_conflict(r)) {
			http_dispatch(&s->cfg, s->rt, r);
			return queue_reply(s, r);
		}
		if (cl > (unsigned long long)r->body_limit + HTTP_DISCARD_MAX ||
		    (cl > r->body_limit && expect && strcasecmp(expect, "100-continue") == 0)) {
			r->too_large = true;
			http_dispatch(&s->cfg, s->rt, r);
			return queue_reply(s, r);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		r->body_received += n;
		if (!r->too_large && buf_append(&r->body, upload_data, n) < 0) {
			/* Over the limit: keep reading, throw the bytes away, answer 413
			 * once the body is in, so the connection stays usable. */
			r->too_large = true;
			buf_cleanup(&r->body);
		}
		if (r->too_large && r->body_received > (unsigned long long)r->body_limit + HTTP_DISCARD_MAX) {
			log_info("%s %s: body over %zu bytes; closing", req_method_name(r), req_log_path(r),
			         r->body_limit + HTTP_DISCARD_MAX);
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (r->stage == REQ_ANSWERED) /* resumed: the worker has replied */
		return queue_reply(s, r);
	if (r->stage == REQ_HANDED || hand_over(s, r))
		return MHD_YES;
	http_dispatch(&s->cfg, s->rt, r);
	return queue_reply(s, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	if (s->alog && r->started)
		alog_request(s->alog, req_method_name(r), r->raw_path, r->reply.status, usec_since(&r->t0),
		             r->reply.cached != NULL, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
	/* The next request head is due within request_timeout. */
	struct conn *k = conn_of(c);
	if (k)
		atomic_store_explicit(&k->deadline, mono_ms() + s->request_timeout_ms, memory_order_relaxed);
	req_free(r);
	atomic_fetch_sub(&s->inflight, 1);
}

/* MHD's messages, at most 20 a second: a flood of refused or broken
 * connections says so once per message and second, not once per
 * connection (the log must not become the bottleneck of the flood). */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static long long window;
	static unsigned in_window, dropped;
	(void)cls;
	long long sec = mono_ms() / 1000;
	unsigned report = 0;
	pthread_mutex_lock(&mu);
	if (sec != window) {
		report = dropped;
		window = sec;
		in_window = 0;
		dropped = 0;
	}
	bool log = in_window++ < 20;
	if (!log)
		dropped++;
	pthread_mutex_unlock(&mu);
	if (report)
		log_warn("mhd: %u more message%s not shown (at most 20 a second)", report,
		         report == 1 ? "" : "s");
	if (!log)
		return;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_warn("mhd: %s", line);
}

/* ---- start / stop ---- */

/* "host:port", "[v6]:port" or ":port" (all interfaces). */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen)
{
	char host[256];
	const char *port;
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof host)
			return -1;
		memcpy(host, listen + 1, (size_t)(close - listen - 1));
		host[close - listen - 1] = '\0';
		port = close + 2;
	} else {
		const char *colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= sizeof host)
			return -1;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
		port = colon + 1;
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 0 || p > 65535)
		return -1;
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host[0] && strcmp(host, "*") != 0 ? host : NULL, port, &hints, &res);
	if (rc != 0 || !res) {
		log_error("http: cannot resolve %s: %s", listen, gai_strerror(rc));
		return -1;
	}
	/* Prefer IPv4 for a wildcard (AI_PASSIVE lists it first on most systems). */
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static unsigned cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Every connection is a file descriptor: raises the soft RLIMIT_NOFILE to the
 * hard limit when the connection limit (plus what the server itself opens:
 * database, files, two per thread for epoll and MHD's wake-up channel) would
 * not fit, and lowers the connection limit when even the hard limit is too
 * small. Returns the connection limit to use. */
static unsigned fit_fd_limit(unsigned conns, unsigned threads)
{
	rlim_t reserve = 128 + 2 * (rlim_t)threads, need = (rlim_t)conns + reserve;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return conns;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		struct rlimit up = rl;
		up.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0) {
			log_info("http: open file limit raised from %llu to %llu",
			         (unsigned long long)rl.rlim_cur, (unsigned long long)up.rlim_cur);
			rl = up;
		}
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		unsigned fit = rl.rlim_cur > reserve + 16 ? (unsigned)(rl.rlim_cur - reserve) : 16;
		log_warn(
		    "http: open file limit %llu leaves room for %u connections, not %u (max_connections)",
		    (unsigned long long)rl.rlim_cur, fit, conns);
		return fit;
	}
	return conns;
}

static unsigned or_default(unsigned v, unsigned def)
{
	return v ? v : def;
}

static void server_free(struct http_server *s)
{
	alog_free(s->alog);
	free(s->workers);
	pthread_cond_destroy(&s->jobs_cond);
	pthread_mutex_destroy(&s->jobs_mu);
	pthread_cond_destroy(&s->sweep_cond);
	pthread_mutex_destroy(&s->conns_mu);
	free(s->listen);
	free(s->static_dir);
	free(s);
}

struct http_server *http_start(const struct http_config *cfg, const struct router *rt)
{
	if (!cfg || !cfg->listen || !rt) {
		log_error("http: a listen address and a router are required");
		return NULL;
	}
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (parse_listen(cfg->listen, &ss, &sslen) < 0) {
		log_error("http: bad listen address \"%s\" (want host:port)", cfg->listen);
		return NULL;
	}
	struct http_server *s = xcalloc(1, sizeof *s);
	s->rt = rt;
	s->cfg = *cfg;
	s->listen = xstrdup(cfg->listen);
	s->cfg.listen = s->listen;
	if (cfg->static_dir) {
		s->static_dir = xstrdup(cfg->static_dir);
		s->cfg.static_dir = s->static_dir;
	}
	atomic_init(&s->inflight, 0);
	atomic_init(&s->open_conns, 0);
	atomic_init(&s->stopping, false);
	pthread_mutex_init(&s->conns_mu, NULL);
	pthread_cond_init(&s->sweep_cond, NULL);
	pthread_mutex_init(&s->jobs_mu, NULL);
	pthread_cond_init(&s->jobs_cond, NULL);

	unsigned flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	else
		flags |= MHD_USE_POLL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	unsigned threads = cfg->threads ? cfg->threads : cpu_count();
	unsigned max_conns =
	    fit_fd_limit(or_default(cfg->max_connections, HTTP_DEFAULT_MAX_CONNECTIONS), threads);
	unsigned per_ip = or_default(cfg->max_connections_per_ip, HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP);
	unsigned io_timeout = or_default(cfg->io_timeout, HTTP_DEFAULT_IO_TIMEOUT);
	size_t conn_memory = cfg->connection_memory ? cfg->connection_memory : HTTP_DEFAULT_CONNECTION_MEMORY;
	s->request_timeout_ms = 1000LL * or_default(cfg->request_timeout, HTTP_DEFAULT_REQUEST_TIMEOUT);
	/* MHD splits its connection limit among its pool threads, and with
	 * epoll (libmicrohttpd 0.9.75) a thread that reaches its share stops
	 * serving the connections it holds: 512 connections of one address,
	 * 4096 over 32 threads, left the 128 of one thread unanswered for 15 s
	 * under load (tests/api/http.test.mjs). So each thread's share is what
	 * one address may open (or the whole limit, if smaller), and the
	 * server's limit is kept by on_accept over all threads. */
	s->max_conns = max_conns;
	unsigned share = per_ip < max_conns ? per_ip : max_conns;
	unsigned long long mhd_limit = (unsigned long long)share * (threads ? threads : 1);
	if (mhd_limit < max_conns)
		mhd_limit = max_conns;
	if (mhd_limit > 1000000)
		mhd_limit = 1000000;
	struct MHD_OptionItem pool[] = {
	    {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)threads, NULL},
	    {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_OptionItem limits[] = {
	    {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)mhd_limit, NULL},
	    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)per_ip, NULL},
	    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)conn_memory, NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)io_timeout, NULL},
	    {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s},
	    {MHD_OPTION_END, 0, NULL},
	};

	/* MHD's threads inherit our signal mask: SIGTERM/SIGINT are for the
	 * thread in http_wait_for_signal, SIGPIPE for nobody. SIGTERM/SIGINT stay
	 * blocked in the calling thread too, so one that arrives before
	 * http_wait_for_signal waits for its sigwait instead of killing us. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (cfg->access_log)
		s->alog = alog_new();
	workers_start(s, or_default(cfg->workers, HTTP_DEFAULT_WORKERS)); /* with the signals blocked */
	s->d = MHD_start_daemon(flags, 0, on_accept, s, on_access, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
	                        s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK,
	                        on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	                        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_ARRAY, limits,
	                        MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
	if (s->d)
		s->sweeper_running = pthread_create(&s->sweeper, NULL, sweeper_main, s) == 0;
	if (s->d) {
		sigaddset(&old, SIGTERM);
		sigaddset(&old, SIGINT);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->d) {
		log_error("http: cannot listen on %s", cfg->listen);
		workers_stop(s);
		server_free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	log_info("http: listening on %s (port %u, %u thread%s, %u workers, %s; up to %u connections, %u "
	         "per address)",
	         cfg->listen, s->port, threads, threads == 1 ? "" : "s", s->nworkers,
	         (flags & MHD_USE_EPOLL) ? "epoll" : "poll", max_conns, per_ip);
	return s;
}

unsigned http_port(const struct http_server *s)
{
	return s ? s->port : 0;
}

void http_wait_for_signal(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	log_info("http: %s received, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	/* Stop accepting; replies from now on close their connection; wait for
	 * the requests in progress, then stop (idle connections are dropped). */
	atomic_store(&s->stopping, true);
	MHD_socket lsock = MHD_quiesce_daemon(s->d);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&s->inflight) > 0 && usec_since(&t0) < HTTP_DRAIN_SECONDS * 1000000L) {
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&s->inflight) > 0)
		log_warn("http: %ld request(s) still running after %ds; stopping anyway",
		         atomic_load(&s->inflight), HTTP_DRAIN_SECONDS);
	pthread_mutex_lock(&s->conns_mu);
	s->sweep_stop = true;
	pthread_cond_signal(&s->sweep_cond);
	pthread_mutex_unlock(&s->conns_mu);
	if (s->sweeper_running)
		pthread_join(s->sweeper, NULL);
	s->sweeper_running = false;
	/* No connection may stay suspended when MHD stops: the workers finish
	 * (and resume) everything they were handed, later writes run inline. */
	workers_stop(s);
	MHD_stop_daemon(s->d); /* every completion callback has run after this */
	s->d = NULL;
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	static_cache_clear();
	/* The page cache is keyed by router: one freed now may be reused by the
	 * next server's router at the same address. */
	http_cache_invalidate();
	server_free(s); /* writes the access log's last lines */
	log_info("http: stopped");
}
