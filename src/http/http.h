/* The HTTP layer: the only code that includes <microhttpd.h>.
 *
 * Handlers see a `struct req *` and answer through the reply_* functions; they
 * never see libmicrohttpd. The same request object can be made without a socket
 * (req_fake_new) so unit tests run handlers directly.
 *
 * Life of a request: the server reads the whole body (bounded by the limits in
 * struct http_config), parses it according to its Content-Type (urlencoded,
 * multipart/form-data or JSON), matches the route table, calls the app's
 * authorize hook, then the handler. The reply is queued after the body has been
 * read (second access-handler call) so keep-alive works. Everything the request
 * allocated (req_alloc, parsed fields, the model) is freed in the completion
 * callback. */
#ifndef OSSPOINT_HTTP_H
#define OSSPOINT_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_PATCH = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
	HTTP_OTHER = 1 << 7,
};

struct req;
struct net_prefixes; /* lib/netaddr.h */

/* One route: method, path pattern with {name} parameters (a parameter matches
 * one non-empty segment), the minimum role and flags the app's authorize hook
 * enforces, the handler, and how the unit the request acts on is found (its
 * scope). The table is a static array ended by a zeroed entry. */
typedef void (*http_handler)(struct req *r);

/* How a route's unit is found: "none" (public pages, login), "own unit",
 * "{code}", "the unit that owns registry entry {id}", ... The HTTP layer only
 * requires that every route names one (router_add_table refuses a route
 * without); the app's authorize hook calls resolve for every request after
 * the role and CSRF checks and before the handler, and checks the unit
 * against the user's scope. So no handler can forget, and a walk of the
 * table (tests) sees every route's scope by name. */
struct route_scope {
	const char *name; /* shown by `osspoint routes`, e.g. "visit {id}" */
	/* Writes the code of the unit the request acts on into unit (cap bytes;
	 * "" = the request acts on no single unit) and returns ERR_OK; or returns
	 * the error to answer (ERR_NOT_FOUND for an {id} that names nothing,
	 * ERR_BAD_FIELD for a malformed one, ...). It may reply itself with
	 * reply_error to name the field; the layer then sends that reply. */
	enum err (*resolve)(struct req *r, char *unit, size_t cap);
};

enum route_flag {
	ROUTE_PUBLIC = 1 << 0,  /* no login needed */
	ROUTE_NO_CSRF = 1 << 1, /* state-changing route that needs no CSRF token (login) */
	/* With ROUTE_PUBLIC (ignored without it): GET answers with status 200 are
	 * kept by the page cache and later GET/HEAD requests for the same target
	 * are answered from memory, before authorize and the handler run. See
	 * "page cache" below for what is kept and what is not. */
	ROUTE_CACHED = 1 << 3,
};

struct route {
	unsigned methods;    /* bitmask of enum http_method; GET also answers HEAD */
	const char *pattern; /* "/units/{code}" */
	int min_role;        /* app-defined; meaningful only without ROUTE_PUBLIC */
	unsigned flags;      /* enum route_flag */
	http_handler handler;
	const char *name;                /* short id for logs and tests, e.g. "units.show" */
	const struct route_scope *scope; /* required (see struct route_scope) */
};

/* ---- router (pure, testable without a server) ---- */

struct router;
struct router *router_new(void);
void router_free(struct router *rt);
/* Adds every route of a table ended by a zeroed entry. Returns 0, or -1 (with a
 * message on stderr) for a malformed pattern or a duplicate (method, pattern). */
int router_add_table(struct router *rt, const struct route *table);

struct route_params {
	size_t n;
	struct {
		const char *name;
		char *value; /* percent-decoded, heap (freed by route_params_cleanup) */
	} p[8];
};
void route_params_cleanup(struct route_params *rp);

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };
/* Finds the route for (method, path). On ROUTE_BAD_METHOD, *allowed gets the
 * bitmask of methods the path does accept (for the Allow header). `path` is the
 * raw request path (percent-encoded, no query): each segment is decoded on its
 * own, so "%2F" stays inside a parameter; a segment that does not decode (bad
 * escape, NUL, invalid UTF-8) matches nothing. Trailing slashes are ignored.
 * A literal segment is tried before a {param}. out, params and allowed may be
 * NULL; params must be cleaned up after ROUTE_FOUND. */
enum route_match router_match(const struct router *rt, enum http_method m, const char *path,
                              const struct route **out, struct route_params *params, unsigned *allowed);
/* Calls fn for every route, in table order (tests walk the table). */
void router_each(const struct router *rt, void (*fn)(const struct route *r, void *arg), void *arg);

/* ---- body parsing (pure, testable, fuzzed) ---- */

struct form_field {
	char *name;
	char *value; /* NUL-terminated; len excludes the NUL */
	size_t len;
	char *filename;     /* multipart file parts only, else NULL */
	char *content_type; /* multipart parts only, else NULL */
};

struct form {
	size_t n, cap;
	struct form_field *f;
};

enum form_status {
	FORM_OK = 0,
	FORM_MALFORMED, /* syntax error; *bad names the field or "body" */
	FORM_TOO_MANY,  /* more fields than the limit */
	FORM_TOO_LONG,  /* a field or name over the limit */
};

struct form_limits {
	size_t max_fields; /* e.g. 256 */
	size_t max_name;   /* e.g. 128 bytes */
	size_t max_value;  /* e.g. 64 KiB for text fields */
	size_t max_file;   /* e.g. 8 MiB for a file part */
};
extern const struct form_limits FORM_DEFAULT_LIMITS;

void form_init(struct form *f);
void form_cleanup(struct form *f);
/* application/x-www-form-urlencoded (also query strings): '+' is space,
 * %XX decoded; a bad escape is FORM_MALFORMED. `bad`, if not NULL, receives a
 * borrowed string naming what was wrong ("body" or the field's name).
 * Both parsers: `lim` NULL means FORM_DEFAULT_LIMITS; names and text values
 * must be valid UTF-8 without NUL (file parts are bytes). On failure `out` may
 * keep the fields parsed so far (call form_cleanup anyway) and `bad` points at
 * a static string or into `out`, valid until form_cleanup. */
enum form_status form_parse_urlencoded(struct form *out, const char *s, size_t len,
                                       const struct form_limits *lim, const char **bad);
/* multipart/form-data with the given Content-Type header value (boundary taken
 * from it). */
enum form_status form_parse_multipart(struct form *out, const char *content_type, const char *body,
                                      size_t len, const struct form_limits *lim, const char **bad);
/* First field with this name, or NULL. */
const struct form_field *form_get(const struct form *f, const char *name);

/* ---- requests ---- */

enum http_method req_method(const struct req *r);
const char *req_method_name(const struct req *r);
const char *req_path(const struct req *r);                     /* decoded path, no query */
const struct route *req_route(const struct req *r);            /* NULL before routing */
const char *req_param(const struct req *r, const char *name);  /* {name} in the route */
const char *req_query(const struct req *r, const char *name);  /* ?name=... */
const char *req_header(const struct req *r, const char *name); /* case-insensitive */
const char *req_cookie(const struct req *r, const char *name);
/* The client's address as text ("203.0.113.7", "2001:db8::1"; "unknown" when
 * the socket has none). It is the socket peer (127.0.0.1 for a fake request)
 * unless the peer is one of cfg->trusted_proxies: then the X-Forwarded-For
 * headers (all of them, in order, as one list) are read right to left and
 * the client is the right-most address that is not itself a trusted proxy
 * (the left-most when all are; a malformed entry, e.g. with a port, ends the
 * walk at the address after it). From any other peer the header is ignored,
 * since anyone can send one. Always a normalised address, never header text. */
const char *req_client_ip(const struct req *r);
/* Body field from an urlencoded or multipart body; for a JSON object body,
 * a string member as is, a number or boolean rendered as text ("42", "1.5",
 * "true"); NULL when absent or of another type. */
const char *req_form(const struct req *r, const char *name);
const struct form_field *req_file(const struct req *r, const char *name);
/* The n-th (from 0) file part named name, or NULL (several files in one field). */
const struct form_field *req_file_at(const struct req *r, const char *name, size_t n);
/* Parsed JSON body (borrowed), or NULL when the body was not JSON. */
json_t *req_json(const struct req *r);
bool req_is_json_body(const struct req *r);
/* True when the client asked for JSON (Accept: application/json, or the path
 * ends in .json handled by the app). */
bool req_wants_json(const struct req *r);
const char *req_body(const struct req *r, size_t *len);

/* Request-lifetime allocation: freed with the request. */
void *req_alloc(struct req *r, size_t n);
char *req_strdup(struct req *r, const char *s);

/* One opaque slot for the app (the logged-in user / session). The app owns
 * what it stores and frees it through the cleanup function, called once when
 * the request ends. */
void req_set_user(struct req *r, void *user, void (*cleanup)(void *));
void *req_user(const struct req *r);

/* Request-completion hooks: fn(arg) is called once when the request ends
 * (after the reply was sent, before the request's memory is freed; the user
 * slot's cleanup runs after them), hooks in the reverse order of their
 * registration. For a resource the request holds until it is done, e.g. a
 * counted reference to shared data that must stay valid while the handler
 * (and anything it hands the request to) reads it. req_done_arg returns the
 * arg of the most recent hook registered with fn, or NULL: so a module can
 * take such a resource once per request and find it again. */
void req_on_done(struct req *r, void (*fn)(void *arg), void *arg);
void *req_done_arg(const struct req *r, void (*fn)(void *arg));

/* ---- replies (exactly one per request; a second call is a bug, logged) ---- */

/* Add a response header (copied). Names must be tokens and values free of
 * control characters (else logged as a bug and dropped). The reply_* call sets
 * Content-Type itself; a Cache-Control set here replaces the no-store default. */
void reply_header(struct req *r, const char *name, const char *value);
/* Set-Cookie with HttpOnly; SameSite=Lax; Path=/ (and Secure when configured).
 * max_age < 0 means a session cookie; 0 deletes it. */
void reply_cookie(struct req *r, const char *name, const char *value, long max_age);
/* The page is its model: HTML through template `tpl`, or the model as JSON when
 * req_wants_json(). Takes ownership of `model`. */
void reply_model(struct req *r, int status, const char *tpl, json_t *model);
/* JSON regardless of Accept. Takes ownership of `body`. */
void reply_json(struct req *r, int status, json_t *body);
/* Error from the err table: Thai HTML page, or application/problem+json
 * {type, title, status, detail, field}. `field` and `detail` may be NULL (and
 * are then left out). JSON when req_wants_json() or the request body was JSON. */
void reply_error(struct req *r, enum err code, const char *field, const char *detail);
/* 422 with a list of {field, message}: takes ownership of `errors` (a JSON
 * array). For HTML, `tpl` is re-rendered with `model` (taken too, may be NULL)
 * plus "errors" so the form keeps what was typed. */
void reply_invalid(struct req *r, const char *tpl, json_t *model, json_t *errors);
/* The same with another error code of the table (its status, title and
 * problem type), for a list of errors that is not a form's (an import's rows). */
void reply_invalid_code(struct req *r, enum err code, const char *tpl, json_t *model, json_t *errors);
/* 303 See Other (after a form POST) or 302. */
void reply_redirect(struct req *r, int status, const char *location);
/* Raw bytes, copied. */
void reply_bytes(struct req *r, int status, const char *content_type, const void *data, size_t len);
/* Raw bytes, taking ownership of `data` (malloc'ed). */
void reply_bytes_owned(struct req *r, int status, const char *content_type, void *data, size_t len);
bool req_replied(const struct req *r);
/* Streams a body of exactly `size` bytes (a file kept in the database):
 * read(ctx, pos, buf, max) copies up to max bytes from offset pos into buf
 * and returns how many (> 0), or -1 when it cannot (the connection is then
 * cut: the client sees a short body, never a wrong one). It is called from
 * the server's thread after the handler returned, as the client reads, so
 * a large file is never all in memory; ctx must own everything it needs (no
 * request memory) and free_ctx(ctx) is called once at the end, whether or
 * not the body was sent. Fake requests read the whole body at once. */
typedef long long (*reply_read_fn)(void *ctx, uint64_t pos, char *buf, size_t max);
void reply_stream(struct req *r, int status, const char *content_type, uint64_t size, reply_read_fn read,
                  void (*free_ctx)(void *ctx), void *ctx);

/* ---- server ---- */

/* Renders `model` as HTML through template `tpl` into `out`. Called for
 * reply_model / reply_error / reply_invalid HTML answers; the app adds what
 * every page needs (user, navigation, CSRF token) to the model first. Returns 0,
 * or -1 (the layer then answers a plain 500). */
typedef int (*http_render_fn)(struct req *r, const char *tpl, json_t *model, struct buf *out);
/* Called after routing, before the handler. Returns ERR_OK to go on, or an
 * error the layer replies with (401 / 403 / CSRF ...). May call req_set_user. */
typedef enum err (*http_authorize_fn)(struct req *r, const struct route *route);

struct http_config {
	const char *listen;     /* "127.0.0.1:8080"; port 0 picks a free port */
	const char *static_dir; /* served at /static/ ; NULL disables */
	size_t max_body;        /* urlencoded / JSON, e.g. 1 MiB */
	size_t max_upload;      /* multipart, e.g. 16 MiB */
	unsigned threads;       /* 0 = number of CPUs */
	/* Requests other than GET, HEAD and OPTIONS (writes, which wait for the
	 * database's group commit) run on this many worker threads while their
	 * connection is suspended, so no HTTP thread sleeps on a commit and
	 * holds the other connections it serves. 0 = 64 (the writer's batch). */
	unsigned workers;
	bool secure_cookies; /* add Secure to cookies (behind TLS) */
	bool access_log;     /* one line per request on stderr, buffered (written at least once a second) */
	http_render_fn render;
	http_authorize_fn authorize;
	size_t cache_max_bytes;   /* page cache: body bytes kept, 0 = 8 MiB */
	size_t cache_max_entries; /* page cache: answers kept, 0 = 4096 */
	/* Reverse proxies whose X-Forwarded-For is believed (req_client_ip);
	 * NULL or empty = none. Borrowed: must outlive the server. */
	const struct net_prefixes *trusted_proxies;
	/* Connections (slow or hostile clients). Past max_connections, or past
	 * max_connections_per_ip from one client address, a new connection is
	 * closed at once (no answer), so one address cannot take every slot. */
	unsigned max_connections;        /* open connections in total, 0 = 4096 */
	unsigned max_connections_per_ip; /* open connections per client address, 0 = 1024 */
	/* A connection must deliver a whole request head (request line and
	 * headers) within request_timeout seconds of opening or of its previous
	 * answer, however it trickles the bytes, or it is closed: idle
	 * keep-alive connections and slow-header clients alike. */
	unsigned request_timeout; /* seconds, 0 = 15 */
	/* Once the head is in, a connection silent for this long (a stalled
	 * body upload, a client that stopped reading the answer) is closed. */
	unsigned io_timeout; /* seconds, 0 = 30 */
	/* libmicrohttpd's memory per connection: request line, headers, the
	 * answer's headers. A head that does not fit gets 431 (or 414). */
	size_t connection_memory; /* bytes, 0 = 16 KiB */
};
/* Zero limits mean the defaults (1 MiB body, 16 MiB upload, the bounds
 * above). http_start copies the config and its strings (trusted_proxies is
 * borrowed, not copied). */

struct http_server;
/* Starts serving in background threads. Returns NULL (logged) on failure.
 * On success SIGTERM and SIGINT are left blocked in the calling thread (the
 * server threads never take them), so a signal sent as soon as the server is
 * up waits for http_wait_for_signal instead of killing the process. */
struct http_server *http_start(const struct http_config *cfg, const struct router *rt);
/* The port actually bound (useful with port 0). */
unsigned http_port(const struct http_server *s);
/* Blocks until SIGTERM or SIGINT, then returns (the caller calls http_stop).
 * Call it from the thread that called http_start. */
void http_wait_for_signal(void);
/* Stops accepting, lets running requests finish (up to 10 s), writes every
 * access-log line still buffered, frees the server. */
void http_stop(struct http_server *s);

/* ---- page cache (cache.c) ----
 *
 * One process-wide cache of the answers of ROUTE_PUBLIC | ROUTE_CACHED routes,
 * shared by every server and by fake requests (they run the same dispatcher).
 *
 * Key: the raw request path, '?', the raw query string (no query and an empty
 * one are the same), whether the client wants JSON (req_wants_json), and the
 * router. A GET answer is kept when its status is 200, it sets no cookie, the
 * handler's Cache-Control (if any) says neither "private" nor "no-store", and
 * no user was attached to the request (req_set_user: a page that saw a session
 * may be personal; logged as a bug once, since cached routes must not load
 * one). Kept: the body bytes and every header of the answer. The answer gets,
 * unless the handler set them: Cache-Control "public, no-cache", a strong
 * ETag (hash of the bytes), "Vary: Accept". Answers from the handler on a
 * cached route carry "X-Cache: miss", answers from memory "X-Cache: hit".
 *
 * A later GET or HEAD for the same key is answered from memory (304 when
 * If-None-Match names the ETag) without routing, authorize or the handler.
 * When the bounds of the server's config are reached, new answers are not kept
 * until the next invalidation (a flood of distinct query strings cannot evict
 * the pages in use). */

struct http_cache_stats {
	uint64_t hits;       /* answers served from memory (200 and 304) */
	uint64_t misses;     /* GET/HEAD requests of cached routes that ran the handler */
	uint64_t stores;     /* answers kept */
	size_t entries;      /* answers in the cache now */
	size_t bytes;        /* their body bytes */
	uint64_t generation; /* +1 per invalidation (and per http_stop) */
};
/* Starts a new generation: every kept answer is dropped at once (requests
 * still sending one keep it alive until they finish), and an answer whose
 * handler started before this call is not kept. Call it after the change is
 * visible to handlers (committed, and any snapshot the handlers read rebuilt):
 * a handler that starts after this call must render the new data. Cheap for
 * the callers (one lock, no I/O); thread-safe. */
void http_cache_invalidate(void);
/* A consistent snapshot of the counters (thread-safe). */
void http_cache_stats_get(struct http_cache_stats *out);

/* ---- fake requests (tests; no socket) ---- */

/* headers: NULL-terminated array of "Name: value" strings, may be NULL. The body
 * is parsed as the server would (Content-Type from the headers). */
struct req *req_fake_new(const char *method, const char *target, const char *const *headers, const char *body,
                         size_t body_len);
/* Routes and runs the request as the server would (authorize, handler, error
 * pages), with the given config hooks. */
void http_dispatch_fake(const struct http_config *cfg, const struct router *rt, struct req *r);
int req_fake_status(const struct req *r);
const char *req_fake_body(const struct req *r, size_t *len);
const char *req_fake_reply_header(const struct req *r, const char *name);
void req_fake_free(struct req *r);

#endif
