/* Private to src/http: the request object and the pieces the server, the fake
 * requests and the dispatcher share. Nothing outside src/http includes this. */
#ifndef OSSPOINT_HTTP_INTERNAL_H
#define OSSPOINT_HTTP_INTERNAL_H

#include "http/http.h"

#include <stdalign.h>
#include <stddef.h>
#include <time.h>

/* Defaults used when a struct http_config field is 0. */
#define HTTP_DEFAULT_MAX_BODY   ((size_t)1 << 20)  /* 1 MiB */
#define HTTP_DEFAULT_MAX_UPLOAD ((size_t)16 << 20) /* 16 MiB */
/* A body over its limit is read and thrown away up to limit + this, so the
 * client gets its 413 on a connection that stays open; past it (or when
 * Content-Length already says so) the layer answers at once and MHD closes. */
#define HTTP_DISCARD_MAX ((size_t)64 << 20)
/* Cap of a rendered page or a JSON reply. */
#define HTTP_RENDER_MAX ((size_t)32 << 20)
/* Connection bounds when the config says 0 (see struct http_config). */
#define HTTP_DEFAULT_MAX_CONNECTIONS        4096
#define HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP 1024
#define HTTP_DEFAULT_REQUEST_TIMEOUT        15 /* seconds to deliver a request head */
#define HTTP_DEFAULT_IO_TIMEOUT             30 /* seconds of silence once the head is in */
#define HTTP_DEFAULT_CONNECTION_MEMORY      ((size_t)16 << 10)
/* Seconds http_stop waits for running requests. */
#define HTTP_DRAIN_SECONDS   10
#define HTTP_DEFAULT_WORKERS 64
#define HTTP_WORKER_STACK    ((size_t)1 << 20) /* 1 MiB: templates and jansson, no deep recursion */
/* Page cache (cache.c): bounds when the config says 0, and the Cache-Control
 * of a kept answer whose handler set none. */
#define HTTP_CACHE_DEFAULT_MAX_BYTES   ((size_t)8 << 20) /* 8 MiB */
#define HTTP_CACHE_DEFAULT_MAX_ENTRIES ((size_t)4096)
#define HTTP_CACHE_CONTROL             "public, no-cache"

/* One header of a reply (or of a fake request): strings live in the request
 * arena or are static. */
struct hdr {
	struct hdr *next;
	const char *name;
	const char *value;
};

enum body_kind { BODY_NONE, BODY_URLENCODED, BODY_MULTIPART, BODY_JSON, BODY_OTHER };

struct static_file;      /* static.c */
struct http_cache_entry; /* cache.c */

struct reply {
	int status; /* 0 until a reply_* call */
	struct hdr *head, *tail;
	char *body; /* malloc'ed, owned when body_owned */
	size_t len;
	bool body_owned;
	struct static_file *file;        /* a reference: body and headers come from the cache */
	bool not_modified;               /* with file or cached: the 304 variant */
	struct http_cache_entry *cached; /* a reference: a page cache hit */
	struct reply_stream_src *stream; /* reply_stream: handed to MHD when queued */
};

struct reply_stream_src {
	uint64_t size;
	reply_read_fn read;
	void (*free_ctx)(void *ctx);
	void *ctx;
};
/* reply.c: frees a stream never handed to MHD. */
void reply_stream_free(struct reply_stream_src *s);

/* A request-completion hook (req_on_done). */
struct done_hook {
	struct done_hook *next;
	void (*fn)(void *arg);
	void *arg;
};

struct arena_chunk {
	struct arena_chunk *next;
	size_t cap, used;
	alignas(max_align_t) unsigned char mem[];
};

#define REQ_INLINE_ARENA 1536

struct req {
	const struct http_config *cfg; /* set by the dispatcher / server */
	void *conn;                    /* struct MHD_Connection *, NULL for a fake request */
	bool started;                  /* server: first access-handler call seen */
	/* server: the handler runs on a worker (a write: it may wait for the
	 * group commit) while the connection is suspended; HANDED until the
	 * worker has replied, then ANSWERED and the access handler queues it. */
	enum { REQ_LOCAL, REQ_HANDED, REQ_ANSWERED } stage;
	struct req *job_next; /* the workers' queue */

	enum http_method method;
	const char *method_name;
	char *raw_path;        /* as sent, no query, NUL-terminated (arena) */
	const char *raw_query; /* after '?', or NULL (arena) */
	char *path;            /* percent-decoded, trailing slash removed (arena) */
	char *log_path;        /* path with controls escaped, for logs (arena, lazy) */

	struct hdr *fake_headers; /* fake requests only */

	const struct route *route;
	struct route_params params;
	struct form query;
	struct form form;
	json_t *json;
	enum body_kind kind;
	bool is_json;

	struct buf body;
	size_t body_limit;
	unsigned long long body_received;
	bool too_large;

	void *user;
	void (*user_cleanup)(void *);
	struct done_hook *done; /* req_on_done, newest first (arena) */

	struct reply reply;
	uint64_t cache_gen; /* page cache generation when the lookup was made */
	bool cache_json;    /* req_wants_json(), computed by the lookup */
	struct timespec t0;
	char client_ip[48];

	struct arena_chunk *chunks;
	size_t inline_used;
	alignas(max_align_t) unsigned char inline_mem[REQ_INLINE_ARENA];
};

/* request.c */
struct req *req_new(void);
/* Frees the request and everything hanging off it, calling the user slot's
 * cleanup first. NULL is a no-op. */
void req_free(struct req *r);
void req_set_method(struct req *r, const char *method);
/* Splits the request target into raw path, raw query and decoded path. */
void req_set_target(struct req *r, const char *target);
/* Chooses the body kind from Content-Type and the body limit from cfg. */
void req_body_begin(struct req *r, const struct http_config *cfg);
/* True when the request states its body length in two ways that disagree:
 * Content-Length twice with different values, or Content-Length together with
 * Transfer-Encoding. Front ends may read such a body differently from us (request
 * smuggling): refused with 400 and the connection closed. */
bool req_length_conflict(const struct req *r);
/* Query and body parsing at dispatch; replies 400/413 itself and returns -1. */
int req_parse_query(struct req *r);
int req_parse_body(struct req *r);
bool utf8_valid(const char *s, size_t n);
/* Copies s for a log line: control bytes, DEL and '"' as %XX, cut to fit. */
void log_clean(char *out, size_t outsz, const char *s);
/* req_path() made safe for a log line (a decoded path may hold %0A). */
const char *req_log_path(const struct req *r);

/* reply.c */
/* Adds what every reply carries (security headers, Cache-Control default) and
 * makes sure there is a reply at all. Called once, at the end of dispatch. */
void reply_finish(struct req *r);
const char *reply_header_get(const struct req *r, const char *name);
/* Copies into the arena; used by the dispatcher and static.c. */
void reply_header_add(struct req *r, const char *name, const char *value);
/* The security headers every reply carries, as a {name, value} list ended by NULL. */
extern const char *const http_security_headers[][2];

/* alog.c: the buffered access log (the server's; fake requests log nothing).
 * alog_request may be called from any thread; alog_free writes every line
 * still buffered and must come after the last alog_request. */
struct alog;
struct alog *alog_new(void);
void alog_free(struct alog *a);
/* One line, as log_msg would write it: "<time> info GET /path 200 153us",
 * then " hit" for a page cache answer and " (aborted)" for a request that did
 * not complete. `raw_path` is cleaned of control characters here. */
void alog_request(struct alog *a, const char *method, const char *raw_path, int status, long usec, bool hit,
                  bool aborted);

/* dispatch.c: the one path shared by the server and fake requests. */
void http_dispatch(const struct http_config *cfg, const struct router *rt, struct req *r);

/* static.c */
/* Serves r->path (which starts with "/static/") from cfg->static_dir. */
void static_serve(struct req *r);
void static_file_release(struct static_file *f);
/* Body and header lookup for fake requests. */
const char *static_file_body(const struct static_file *f, bool not_modified, size_t *len);
const char *static_file_header(const struct static_file *f, bool not_modified, const char *name);
/* The prebuilt MHD response (struct MHD_Response *), borrowed. */
void *static_file_response(const struct static_file *f, bool not_modified);
/* Drops every cached file (the in-use ones live on until released). */
void static_cache_clear(void);

/* static.c, shared with cache.c: FNV-1a of n bytes, continuing from h (start:
 * 14695981039346656037). */
unsigned long long http_fnv1a(const void *p, size_t n, unsigned long long h);
/* If-None-Match value (a list of entity tags, W/ allowed, or "*") against a
 * strong ETag, weak comparison (RFC 9110). */
bool http_etag_matches(const char *inm, const char *etag);

/* cache.c: the page cache (see http.h). */
/* Looks r up (GET/HEAD only). On a hit the reply references the entry (200, or
 * 304 for a matching If-None-Match) and true is returned; on a miss, records
 * what the store needs (generation, JSON or not) and returns false. Call it
 * before routing. */
bool http_cache_lookup(struct req *r, const struct router *rt);
/* After the handler of a ROUTE_PUBLIC | ROUTE_CACHED route answered a GET or
 * HEAD: adds the cache headers, calls reply_finish, keeps a GET answer that
 * qualifies, and turns a 200 into a 304 when If-None-Match names its ETag. */
void http_cache_finish(struct req *r, const struct router *rt);
void http_cache_entry_release(struct http_cache_entry *e);
/* Body and header lookup for fake requests. */
const char *http_cache_entry_body(const struct http_cache_entry *e, bool not_modified, size_t *len);
const char *http_cache_entry_header(const struct http_cache_entry *e, bool not_modified, const char *name);
/* The prebuilt MHD response (struct MHD_Response *), borrowed. */
void *http_cache_entry_response(const struct http_cache_entry *e, bool not_modified);

/* Value of one hex digit, or -1 (parse.c; shared by every percent-decoder). */
int http_hexval(unsigned char c);

#endif
