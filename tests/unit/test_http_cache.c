/* The page cache (src/http/cache.c) through a real server on 127.0.0.1:0,
 * driven over raw keep-alive sockets, with handlers that count their calls:
 * what is kept and what is not, keys, HEAD, 304, invalidation, the bounds, a
 * handler overlapping an invalidation, and hits hammered during invalidations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http/http.h"

#include "../common/any_scope.h"

/* ---- the app under test ---- */

static atomic_int calls_page, calls_item, calls_missing, calls_cookie, calls_private, calls_plain,
    calls_staff, calls_who, calls_slow, calls_version;
static atomic_int version = 1; /* what /slow and /version render */

/* Blocking /slow: the test opens the gate after the handler read `version`. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_closed, gate_entered;

static void h_page(struct req *r)
{
	atomic_fetch_add(&calls_page, 1);
	const char *a = req_query(r, "a");
	reply_model(r, 200, "page", json_pack("{s:s, s:s}", "path", req_path(r), "a", a ? a : ""));
}

static void h_item(struct req *r)
{
	atomic_fetch_add(&calls_item, 1);
	reply_model(r, 200, "item", json_pack("{s:s}", "code", req_param(r, "code")));
}

static void h_missing(struct req *r)
{
	atomic_fetch_add(&calls_missing, 1);
	reply_error(r, ERR_NOT_FOUND, "code", "ไม่พบบริการรหัสนี้");
}

static void h_cookie(struct req *r)
{
	atomic_fetch_add(&calls_cookie, 1);
	reply_cookie(r, "sid", "abc", -1);
	reply_bytes(r, 200, "text/plain", "cookie", 6);
}

static void h_private(struct req *r)
{
	atomic_fetch_add(&calls_private, 1);
	reply_header(r, "Cache-Control", "private, max-age=5");
	reply_bytes(r, 200, "text/plain", "private", 7);
}

static void h_plain(struct req *r)
{
	atomic_fetch_add(&calls_plain, 1);
	reply_bytes(r, 200, "text/plain", "plain", 5);
}

static void h_staff(struct req *r)
{
	atomic_fetch_add(&calls_staff, 1);
	reply_bytes(r, 200, "text/plain", "staff", 5);
}

static void h_who(struct req *r)
{
	atomic_fetch_add(&calls_who, 1);
	reply_bytes(r, 200, "text/plain", "who", 3);
}

static void h_slow(struct req *r)
{
	atomic_fetch_add(&calls_slow, 1);
	char body[32];
	int n = snprintf(body, sizeof body, "slow v=%d", atomic_load(&version));
	pthread_mutex_lock(&gate_lock);
	gate_entered = true;
	pthread_cond_broadcast(&gate_cond);
	while (gate_closed)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	reply_bytes(r, 200, "text/plain; charset=utf-8", body, (size_t)n);
}

static void h_version(struct req *r)
{
	atomic_fetch_add(&calls_version, 1);
	char body[64];
	int n = snprintf(body, sizeof body, "version %d", atomic_load(&version));
	reply_bytes(r, 200, "text/plain; charset=utf-8", body, (size_t)n);
}

#define PC (ROUTE_PUBLIC | ROUTE_CACHED)
static const struct route routes[] = {
    {HTTP_GET, "/page", 0, PC, h_page, "page", &any_scope},
    {HTTP_GET, "/items/{code}", 0, PC, h_item, "item", &any_scope},
    {HTTP_GET, "/missing", 0, PC, h_missing, "missing", &any_scope},
    {HTTP_GET, "/cookie", 0, PC, h_cookie, "cookie", &any_scope},
    {HTTP_GET, "/private", 0, PC, h_private, "private", &any_scope},
    {HTTP_GET, "/plain", 0, ROUTE_PUBLIC, h_plain, "plain", &any_scope},
    {HTTP_GET, "/staff", 0, ROUTE_CACHED, h_staff, "staff", &any_scope},
    {HTTP_GET, "/who", 0, PC, h_who, "who", &any_scope},
    {HTTP_GET, "/slow", 0, PC, h_slow, "slow", &any_scope},
    {HTTP_GET, "/version", 0, PC, h_version, "version", &any_scope},
    {0},
};

static int test_render(struct req *r, const char *tpl, json_t *model, struct buf *out)
{
	char *j = json_dumps(model, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = buf_printf(out, "<html>[%s]%s</html>", tpl, j);
	free(j);
	return rc;
}

/* Every route is let in; "X-User: name" attaches a user, as a session would. */
static enum err test_authorize(struct req *r, const struct route *route)
{
	const char *u = req_header(r, "X-User");
	if (u)
		req_set_user(r, strdup(u), free);
	return ERR_OK;
}

static const struct http_config base_cfg = {
    .listen = "127.0.0.1:0",
    .threads = 2,
    .access_log = false,
    .render = test_render,
    .authorize = test_authorize,
};

static struct router *rt;

/* ---- a raw keep-alive client ---- */

struct conn {
	int fd;
	char pending[1 << 16];
	size_t npending;
};

struct resp {
	int status;
	char head[4096];
	char *body;
	size_t len;
};

static void conn_open(struct conn *c, unsigned port)
{
	c->npending = 0;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	struct timeval tv = {10, 0};
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof a), 0);
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		assert_true(k > 0);
		p += k;
		n -= (size_t)k;
	}
}

static int fill(struct conn *c)
{
	ssize_t k = recv(c->fd, c->pending + c->npending, sizeof c->pending - 1 - c->npending, 0);
	if (k <= 0)
		return -1;
	c->npending += (size_t)k;
	return 0;
}

/* Reads one response (Content-Length framed; HEAD has no body). */
static int read_response(struct conn *c, struct resp *rs, bool head_request)
{
	memset(rs, 0, sizeof *rs);
	char *end;
	for (;;) {
		c->pending[c->npending] = '\0';
		if ((end = strstr(c->pending, "\r\n\r\n")))
			break;
		if (fill(c) < 0)
			return -1;
	}
	size_t hlen = (size_t)(end - c->pending) + 4;
	assert_true(hlen < sizeof rs->head);
	memcpy(rs->head, c->pending, hlen);
	rs->head[hlen] = '\0';
	rs->status = (int)strtol(rs->head + 9, NULL, 10);
	size_t clen = 0;
	const char *cl = strcasestr(rs->head, "\r\nContent-Length:");
	if (cl && !head_request && rs->status != 304)
		clen = strtoul(cl + 17, NULL, 10);
	memmove(c->pending, c->pending + hlen, c->npending - hlen);
	c->npending -= hlen;
	while (c->npending < clen)
		if (fill(c) < 0)
			return -1;
	rs->body = malloc(clen + 1);
	memcpy(rs->body, c->pending, clen);
	rs->body[clen] = '\0';
	rs->len = clen;
	memmove(c->pending, c->pending + clen, c->npending - clen);
	c->npending -= clen;
	return 0;
}

/* One request on the connection; `headers` is "" or lines ending in CRLF. */
static void request(struct conn *c, const char *method, const char *target, const char *headers,
                    struct resp *rs)
{
	char req[1024];
	int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", method, target,
	                 headers ? headers : "");
	assert_true(n > 0 && (size_t)n < sizeof req);
	send_all(c->fd, req, (size_t)n);
	assert_int_equal(read_response(c, rs, strcmp(method, "HEAD") == 0), 0);
}

static void resp_free(struct resp *rs)
{
	free(rs->body);
	rs->body = NULL;
}

/* The value of a response header (empty string when absent). */
static const char *hval(const struct resp *rs, const char *name, char *out, size_t outsz)
{
	char pat[128];
	snprintf(pat, sizeof pat, "\r\n%s:", name);
	out[0] = '\0';
	const char *p = strcasestr(rs->head, pat);
	if (!p)
		return out;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, "\r");
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

static bool has_header(const struct resp *rs, const char *name)
{
	char pat[128];
	snprintf(pat, sizeof pat, "\r\n%s:", name);
	return strcasestr(rs->head, pat) != NULL;
}

static void assert_header(const struct resp *rs, const char *name, const char *want)
{
	char v[512];
	hval(rs, name, v, sizeof v);
	if (strcmp(v, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\" in\n%s", name, v, want, rs->head);
}

static struct http_server *start(const struct http_config *cfg)
{
	http_cache_invalidate(); /* a failed test must not leave entries behind */
	struct http_server *s = http_start(cfg, rt);
	assert_non_null(s);
	return s;
}

/* ---- tests ---- */

static void hit_serves_same_bytes(void **state)
{
	struct http_server *s = start(&base_cfg);
	struct http_cache_stats before, after;
	http_cache_stats_get(&before);
	int calls = atomic_load(&calls_page);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp a, b, d;
	request(&c, "GET", "/page", "", &a);
	assert_int_equal(a.status, 200);
	assert_int_equal(atomic_load(&calls_page), calls + 1);
	assert_header(&a, "X-Cache", "miss");
	assert_header(&a, "Cache-Control", "public, no-cache");
	assert_header(&a, "Vary", "Accept");
	assert_header(&a, "Content-Type", "text/html; charset=utf-8");
	char etag[128];
	hval(&a, "ETag", etag, sizeof etag);
	assert_true(etag[0] == '"' && etag[strlen(etag) - 1] == '"');
	assert_string_equal(a.body, "<html>[page]{\"a\":\"\",\"path\":\"/page\"}</html>");

	/* the same connection, twice more: from memory, byte for byte */
	for (int i = 0; i < 2; i++) {
		request(&c, "GET", "/page", "", &b);
		assert_int_equal(b.status, 200);
		assert_int_equal(atomic_load(&calls_page), calls + 1);
		assert_header(&b, "X-Cache", "hit");
		assert_header(&b, "ETag", etag);
		assert_header(&b, "Content-Type", "text/html; charset=utf-8");
		assert_header(&b, "Cache-Control", "public, no-cache");
		assert_header(&b, "Vary", "Accept");
		assert_header(&b, "X-Frame-Options", "DENY");
		assert_true(has_header(&b, "Content-Security-Policy"));
		assert_int_equal(b.len, a.len);
		assert_memory_equal(b.body, a.body, a.len);
		resp_free(&b);
	}
	/* a query string that is empty is no query string */
	request(&c, "GET", "/page?", "", &d);
	assert_header(&d, "X-Cache", "hit");
	resp_free(&d);

	http_cache_stats_get(&after);
	assert_int_equal(after.misses - before.misses, 1);
	assert_int_equal(after.hits - before.hits, 3);
	assert_int_equal(after.stores - before.stores, 1);
	assert_int_equal(after.entries, 1);
	assert_int_equal(after.bytes, a.len);
	resp_free(&a);
	close(c.fd);
	http_stop(s);
}

static void head_uses_entry(void **state)
{
	struct http_server *s = start(&base_cfg);
	int calls = atomic_load(&calls_page);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp a, h;
	request(&c, "GET", "/page?a=head", "", &a);
	request(&c, "HEAD", "/page?a=head", "", &h);
	assert_int_equal(h.status, 200);
	assert_int_equal(atomic_load(&calls_page), calls + 1);
	assert_header(&h, "X-Cache", "hit");
	char etag[128], len[32];
	assert_header(&h, "ETag", hval(&a, "ETag", etag, sizeof etag));
	assert_header(&h, "Content-Length", hval(&a, "Content-Length", len, sizeof len));
	assert_int_equal(h.len, 0);
	resp_free(&a);
	resp_free(&h);

	/* a HEAD miss is not kept (a handler may leave a HEAD body out) */
	request(&c, "HEAD", "/page?a=head2", "", &h);
	assert_header(&h, "X-Cache", "miss");
	resp_free(&h);
	request(&c, "GET", "/page?a=head2", "", &a);
	assert_header(&a, "X-Cache", "miss");
	assert_int_equal(atomic_load(&calls_page), calls + 3);
	request(&c, "HEAD", "/page?a=head2", "", &h);
	assert_header(&h, "X-Cache", "hit");
	assert_int_equal(atomic_load(&calls_page), calls + 3);
	/* the connection is still in step after HEADs */
	resp_free(&a);
	request(&c, "GET", "/page?a=head2", "", &a);
	assert_int_equal(a.status, 200);
	assert_true(strstr(a.body, "head2") != NULL);
	resp_free(&a);
	resp_free(&h);
	close(c.fd);
	http_stop(s);
}

static void if_none_match(void **state)
{
	struct http_server *s = start(&base_cfg);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp a, b;
	request(&c, "GET", "/items/A1", "", &a);
	char etag[128], hdr[256];
	hval(&a, "ETag", etag, sizeof etag);
	int calls = atomic_load(&calls_item);

	/* A 304 states the 200's length (RFC 9110 8.6), from memory and from the
	 * handler alike, and sends no body. */
	char alen[32];
	snprintf(alen, sizeof alen, "%zu", a.len);
	snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
	request(&c, "GET", "/items/A1", hdr, &b);
	assert_int_equal(b.status, 304);
	assert_int_equal(b.len, 0);
	assert_header(&b, "Content-Length", alen);
	assert_header(&b, "ETag", etag);
	assert_header(&b, "X-Cache", "hit");
	assert_header(&b, "Cache-Control", "public, no-cache");
	assert_false(has_header(&b, "Content-Type"));
	resp_free(&b);

	snprintf(hdr, sizeof hdr, "If-None-Match: \"other\", W/%s\r\n", etag);
	request(&c, "GET", "/items/A1", hdr, &b);
	assert_int_equal(b.status, 304);
	resp_free(&b);
	request(&c, "HEAD", "/items/A1", "If-None-Match: *\r\n", &b);
	assert_int_equal(b.status, 304);
	resp_free(&b);
	request(&c, "GET", "/items/A1", "If-None-Match: \"other\"\r\n", &b);
	assert_int_equal(b.status, 200);
	assert_int_equal(b.len, a.len);
	resp_free(&b);
	assert_int_equal(atomic_load(&calls_item), calls);

	/* after an invalidation the handler runs again; the bytes did not change,
	 * so the client's ETag still matches: 304 from the handler's answer */
	http_cache_invalidate();
	snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
	request(&c, "GET", "/items/A1", hdr, &b);
	assert_int_equal(atomic_load(&calls_item), calls + 1);
	assert_int_equal(b.status, 304);
	assert_int_equal(b.len, 0);
	assert_header(&b, "Content-Length", alen);
	assert_header(&b, "X-Cache", "miss");
	assert_header(&b, "ETag", etag);
	resp_free(&b);
	/* ... and that answer was kept */
	request(&c, "GET", "/items/A1", "", &b);
	assert_int_equal(b.status, 200);
	assert_header(&b, "X-Cache", "hit");
	assert_memory_equal(b.body, a.body, a.len);
	resp_free(&b);
	resp_free(&a);
	close(c.fd);
	http_stop(s);
}

static void keys(void **state)
{
	struct http_server *s = start(&base_cfg);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp r1, r2, j1, j2, h;
	int calls = atomic_load(&calls_page);
	request(&c, "GET", "/page?a=1", "", &r1);
	request(&c, "GET", "/page?a=2", "", &r2);
	assert_int_equal(atomic_load(&calls_page), calls + 2);
	assert_true(strstr(r1.body, "\"a\":\"1\"") != NULL);
	assert_true(strstr(r2.body, "\"a\":\"2\"") != NULL);
	char e1[128], e2[128];
	assert_string_not_equal(hval(&r1, "ETag", e1, sizeof e1), hval(&r2, "ETag", e2, sizeof e2));

	/* JSON is another entry, with its own bytes, type and ETag */
	request(&c, "GET", "/page?a=1", "Accept: application/json\r\n", &j1);
	assert_int_equal(atomic_load(&calls_page), calls + 3);
	assert_header(&j1, "X-Cache", "miss");
	assert_header(&j1, "Content-Type", "application/json; charset=utf-8");
	assert_string_equal(j1.body, "{\"path\":\"/page\",\"a\":\"1\"}");
	request(&c, "GET", "/page?a=1", "Accept: application/json\r\n", &j2);
	assert_header(&j2, "X-Cache", "hit");
	assert_string_equal(j2.body, j1.body);
	char ej[128];
	assert_string_not_equal(hval(&j1, "ETag", ej, sizeof ej), e1);
	/* ... and the HTML entry is still HTML */
	request(&c, "GET", "/page?a=1", "Accept: text/html,application/json;q=0.9\r\n", &h);
	assert_header(&h, "X-Cache", "hit");
	assert_string_equal(h.body, r1.body);
	assert_int_equal(atomic_load(&calls_page), calls + 3);
	resp_free(&h);

	/* the raw query is the key: another spelling is another entry */
	request(&c, "GET", "/page?a=%31", "", &h);
	assert_header(&h, "X-Cache", "miss");
	assert_string_equal(h.body, r1.body);
	assert_int_equal(atomic_load(&calls_page), calls + 4);
	resp_free(&h);
	/* routes with parameters too */
	int items = atomic_load(&calls_item);
	request(&c, "GET", "/items/B2", "", &h);
	resp_free(&h);
	request(&c, "GET", "/items/B3", "", &h);
	assert_true(strstr(h.body, "B3") != NULL);
	resp_free(&h);
	request(&c, "GET", "/items/B2", "", &h);
	assert_header(&h, "X-Cache", "hit");
	assert_true(strstr(h.body, "B2") != NULL);
	resp_free(&h);
	assert_int_equal(atomic_load(&calls_item), items + 2);

	resp_free(&r1);
	resp_free(&r2);
	resp_free(&j1);
	resp_free(&j2);
	close(c.fd);
	http_stop(s);
}

/* Requests `target` twice and checks the handler ran both times. */
static void twice_uncached(struct conn *c, const char *target, const char *headers, atomic_int *calls,
                           int status)
{
	int n = atomic_load(calls);
	for (int i = 0; i < 2; i++) {
		struct resp rs;
		request(c, "GET", target, headers, &rs);
		assert_int_equal(rs.status, status);
		char v[32];
		assert_string_not_equal(hval(&rs, "X-Cache", v, sizeof v), "hit");
		resp_free(&rs);
	}
	assert_int_equal(atomic_load(calls), n + 2);
}

static void not_kept(void **state)
{
	struct http_server *s = start(&base_cfg);
	struct http_cache_stats before, after;
	http_cache_stats_get(&before);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp rs;

	twice_uncached(&c, "/missing", "", &calls_missing, 404);
	request(&c, "GET", "/missing", "", &rs);
	assert_header(&rs, "Cache-Control", "no-store");
	assert_header(&rs, "X-Cache", "miss");
	resp_free(&rs);

	twice_uncached(&c, "/cookie", "", &calls_cookie, 200);
	request(&c, "GET", "/cookie", "", &rs);
	assert_true(has_header(&rs, "Set-Cookie"));
	assert_header(&rs, "Cache-Control", "no-store");
	assert_false(has_header(&rs, "ETag"));
	resp_free(&rs);

	twice_uncached(&c, "/private", "", &calls_private, 200);
	request(&c, "GET", "/private", "", &rs);
	assert_header(&rs, "Cache-Control", "private, max-age=5");
	resp_free(&rs);

	/* not ROUTE_CACHED, or ROUTE_CACHED without ROUTE_PUBLIC */
	twice_uncached(&c, "/plain", "", &calls_plain, 200);
	request(&c, "GET", "/plain", "", &rs);
	assert_false(has_header(&rs, "X-Cache"));
	assert_header(&rs, "Cache-Control", "no-store");
	resp_free(&rs);
	twice_uncached(&c, "/staff", "", &calls_staff, 200);

	/* an answer made with a user attached is not kept (nor marked public);
	 * one made without is, and is then the page for everyone */
	twice_uncached(&c, "/who", "X-User: officer\r\n", &calls_who, 200);
	request(&c, "GET", "/who", "X-User: officer\r\n", &rs);
	assert_header(&rs, "Cache-Control", "no-store");
	resp_free(&rs);
	int who = atomic_load(&calls_who);
	request(&c, "GET", "/who", "", &rs);
	resp_free(&rs);
	request(&c, "GET", "/who", "X-User: officer\r\n", &rs);
	assert_header(&rs, "X-Cache", "hit");
	resp_free(&rs);
	assert_int_equal(atomic_load(&calls_who), who + 1);

	/* other methods never touch the cache */
	request(&c, "POST", "/page", "Content-Length: 0\r\n", &rs);
	assert_int_equal(rs.status, 405);
	resp_free(&rs);

	http_cache_stats_get(&after);
	assert_int_equal(after.stores - before.stores, 1); /* the anonymous /who */
	assert_int_equal(after.entries, 1);
	close(c.fd);
	http_stop(s);
}

static void invalidate(void **state)
{
	struct http_server *s = start(&base_cfg);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp rs;
	int calls = atomic_load(&calls_page);
	request(&c, "GET", "/page?a=inv", "", &rs);
	resp_free(&rs);
	request(&c, "GET", "/page?a=inv2", "", &rs);
	resp_free(&rs);
	struct http_cache_stats st0, st1;
	http_cache_stats_get(&st0);
	assert_int_equal(st0.entries, 2);
	assert_true(st0.bytes > 0);

	http_cache_invalidate();
	http_cache_stats_get(&st1);
	assert_int_equal(st1.generation, st0.generation + 1);
	assert_int_equal(st1.entries, 0);
	assert_int_equal(st1.bytes, 0);

	request(&c, "GET", "/page?a=inv", "", &rs);
	assert_header(&rs, "X-Cache", "miss");
	resp_free(&rs);
	assert_int_equal(atomic_load(&calls_page), calls + 3);
	request(&c, "GET", "/page?a=inv", "", &rs);
	assert_header(&rs, "X-Cache", "hit");
	resp_free(&rs);
	assert_int_equal(atomic_load(&calls_page), calls + 3);
	close(c.fd);
	http_stop(s);
	/* stopping a server drops its entries (its router may be freed) */
	http_cache_stats_get(&st1);
	assert_int_equal(st1.entries, 0);
}

static void bound_entries(void **state)
{
	struct http_config cfg = base_cfg;
	cfg.cache_max_entries = 2;
	struct http_server *s = start(&cfg);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp rs;
	int calls = atomic_load(&calls_page);
	const char *targets[] = {"/page?n=1", "/page?n=2", "/page?n=3", "/page?n=3", "/page?n=1"};
	const char *want[] = {"miss", "miss", "miss", "miss", "hit"};
	for (size_t i = 0; i < 5; i++) {
		request(&c, "GET", targets[i], "", &rs);
		assert_int_equal(rs.status, 200);
		assert_header(&rs, "X-Cache", want[i]);
		resp_free(&rs);
	}
	assert_int_equal(atomic_load(&calls_page), calls + 4);
	struct http_cache_stats st;
	http_cache_stats_get(&st);
	assert_int_equal(st.entries, 2);
	/* the next generation has room again */
	http_cache_invalidate();
	request(&c, "GET", "/page?n=3", "", &rs);
	resp_free(&rs);
	request(&c, "GET", "/page?n=3", "", &rs);
	assert_header(&rs, "X-Cache", "hit");
	resp_free(&rs);
	close(c.fd);
	http_stop(s);
}

static void bound_bytes(void **state)
{
	/* "<html>[page]{"a":"x1","path":"/page"}</html>" is 44 bytes: exactly
	 * two such pages fit in 88 bytes, not three */
	struct http_config cfg = base_cfg;
	cfg.cache_max_bytes = 88;
	struct http_server *s = start(&cfg);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp rs;
	const char *targets[] = {"/page?a=x1", "/page?a=x2", "/page?a=x3", "/page?a=x3", "/page?a=x2"};
	const char *want[] = {"miss", "miss", "miss", "miss", "hit"};
	for (size_t i = 0; i < 5; i++) {
		request(&c, "GET", targets[i], "", &rs);
		assert_int_equal(rs.len, 44);
		assert_header(&rs, "X-Cache", want[i]);
		resp_free(&rs);
	}
	struct http_cache_stats st;
	http_cache_stats_get(&st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.bytes, 88);
	/* a page larger than the whole cache is never kept */
	http_cache_invalidate();
	cfg.cache_max_bytes = 43;
	http_stop(s);
	s = start(&cfg);
	close(c.fd);
	conn_open(&c, http_port(s));
	for (int i = 0; i < 2; i++) {
		request(&c, "GET", "/page?a=x1", "", &rs);
		assert_header(&rs, "X-Cache", "miss");
		resp_free(&rs);
	}
	http_cache_stats_get(&st);
	assert_int_equal(st.entries, 0);
	close(c.fd);
	http_stop(s);
}

static void gate_wait_entered(void)
{
	pthread_mutex_lock(&gate_lock);
	while (!gate_entered)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
}

static void gate_open(void)
{
	pthread_mutex_lock(&gate_lock);
	gate_closed = false;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

static void overlapping_invalidation(void **state)
{
	struct http_server *s = start(&base_cfg);
	struct conn c;
	conn_open(&c, http_port(s));
	atomic_store(&version, 1);
	gate_closed = true;
	gate_entered = false;
	int calls = atomic_load(&calls_slow);
	struct http_cache_stats st0, st1;
	http_cache_stats_get(&st0);

	/* The handler reads version 1 and waits; meanwhile the data changes and
	 * the cache is invalidated; then the handler answers with version 1. */
	const char *get = "GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	send_all(c.fd, get, strlen(get));
	gate_wait_entered();
	atomic_store(&version, 2);
	http_cache_invalidate();
	gate_open();
	struct resp rs;
	assert_int_equal(read_response(&c, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body, "slow v=1"); /* it was in flight: that is fine */
	resp_free(&rs);
	http_cache_stats_get(&st1);
	assert_int_equal(st1.stores, st0.stores); /* ... but it was not kept */
	assert_int_equal(st1.entries, 0);

	request(&c, "GET", "/slow", "", &rs);
	assert_string_equal(rs.body, "slow v=2");
	assert_header(&rs, "X-Cache", "miss");
	resp_free(&rs);
	request(&c, "GET", "/slow", "", &rs);
	assert_string_equal(rs.body, "slow v=2");
	assert_header(&rs, "X-Cache", "hit");
	resp_free(&rs);
	assert_int_equal(atomic_load(&calls_slow), calls + 2);
	close(c.fd);
	http_stop(s);
}

/* ---- hits hammered while another thread invalidates ---- */

#define HAMMER_CLIENTS  4
#define HAMMER_REQUESTS 4000
#define HAMMER_VERSIONS 4096

static atomic_int floor_version; /* every answer started after this was set is at least this */
static atomic_bool hammer_done;
static pthread_mutex_t etag_lock = PTHREAD_MUTEX_INITIALIZER;
static char etags[HAMMER_VERSIONS][128]; /* the ETag seen for each version */

struct hammer_arg {
	unsigned port;
	int hits, errors;
	char error[512];
};

static void *hammer_client(void *p)
{
	struct hammer_arg *a = p;
	struct conn *c = calloc(1, sizeof *c);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {10, 0};
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)a->port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		a->errors++;
		snprintf(a->error, sizeof a->error, "connect: %s", strerror(errno));
		free(c);
		return NULL;
	}
	const char *get = "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	for (int i = 0; i < HAMMER_REQUESTS && !a->errors; i++) {
		int floor = atomic_load(&floor_version);
		if (send(c->fd, get, strlen(get), MSG_NOSIGNAL) != (ssize_t)strlen(get)) {
			a->errors++;
			snprintf(a->error, sizeof a->error, "send failed");
			break;
		}
		struct resp rs;
		memset(&rs, 0, sizeof rs);
		int v = -1;
		char etag[128] = "", xc[16] = "";
		if (read_response(c, &rs, false) < 0 || rs.status != 200 ||
		    sscanf(rs.body, "version %d", &v) != 1 || v < floor || v >= HAMMER_VERSIONS) {
			a->errors++;
			snprintf(a->error, sizeof a->error, "request %d: status %d body \"%.200s\" floor %d",
			         i, rs.status, rs.body ? rs.body : "", floor);
		} else {
			hval(&rs, "ETag", etag, sizeof etag);
			hval(&rs, "X-Cache", xc, sizeof xc);
			a->hits += strcmp(xc, "hit") == 0;
			/* one version, one set of bytes, one ETag */
			pthread_mutex_lock(&etag_lock);
			if (!etags[v][0])
				snprintf(etags[v], sizeof etags[v], "%s", etag);
			else if (strcmp(etags[v], etag) != 0) {
				a->errors++;
				snprintf(a->error, sizeof a->error, "version %d: ETag %.120s then %.120s", v,
				         etags[v], etag);
			}
			pthread_mutex_unlock(&etag_lock);
		}
		free(rs.body);
	}
	close(c->fd);
	free(c);
	return NULL;
}

static void *hammer_invalidator(void *p)
{
	int *rounds = p;
	while (!atomic_load(&hammer_done)) {
		int v = atomic_load(&version);
		if (v + 1 >= HAMMER_VERSIONS)
			break;
		/* the data changes, then the cache is told, then every request
		 * that starts from now on must see at least this version */
		atomic_store(&version, v + 1);
		http_cache_invalidate();
		atomic_store(&floor_version, v + 1);
		(*rounds)++;
		struct timespec ts = {0, 200 * 1000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void hammer_during_invalidation(void **state)
{
	struct http_config cfg = base_cfg;
	cfg.threads = 4;
	struct http_server *s = start(&cfg);
	atomic_store(&version, 1);
	atomic_store(&floor_version, 1);
	atomic_store(&hammer_done, false);
	memset(etags, 0, sizeof etags);
	int calls = atomic_load(&calls_version);
	struct http_cache_stats st0, st1;
	http_cache_stats_get(&st0);

	pthread_t clients[HAMMER_CLIENTS], inv;
	struct hammer_arg args[HAMMER_CLIENTS];
	int rounds = 0;
	for (int i = 0; i < HAMMER_CLIENTS; i++) {
		args[i] = (struct hammer_arg){.port = http_port(s)};
		assert_int_equal(pthread_create(&clients[i], NULL, hammer_client, &args[i]), 0);
	}
	assert_int_equal(pthread_create(&inv, NULL, hammer_invalidator, &rounds), 0);
	int hits = 0;
	for (int i = 0; i < HAMMER_CLIENTS; i++) {
		pthread_join(clients[i], NULL);
		if (args[i].errors)
			fail_msg("client %d: %s", i, args[i].error);
		hits += args[i].hits;
	}
	atomic_store(&hammer_done, true);
	pthread_join(inv, NULL);
	http_cache_stats_get(&st1);
	int handler_calls = atomic_load(&calls_version) - calls;
	print_message("hammer: %d requests, %d hits, %d handler calls, %d invalidations\n",
	              HAMMER_CLIENTS * HAMMER_REQUESTS, hits, handler_calls, rounds);
	/* both paths ran many times, and the counters agree with the clients */
	assert_true(hits > 0);
	assert_true(handler_calls > 0);
	assert_true(rounds > 1);
	assert_int_equal(st1.hits - st0.hits, (uint64_t)hits);
	assert_int_equal(st1.misses - st0.misses, (uint64_t)handler_calls);
	assert_int_equal(hits + handler_calls, HAMMER_CLIENTS * HAMMER_REQUESTS);

	/* once quiet: the latest version, then from memory */
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp rs;
	char want[64];
	snprintf(want, sizeof want, "version %d", atomic_load(&version));
	request(&c, "GET", "/version", "", &rs);
	assert_string_equal(rs.body, want);
	resp_free(&rs);
	request(&c, "GET", "/version", "", &rs);
	assert_string_equal(rs.body, want);
	assert_header(&rs, "X-Cache", "hit");
	resp_free(&rs);
	close(c.fd);
	http_stop(s);
}

/* ---- fake requests go through the same cache ---- */

static void fake_requests(void **state)
{
	http_cache_invalidate();
	int calls = atomic_load(&calls_page);
	struct req *a = req_fake_new("GET", "/page?a=fake", NULL, NULL, 0);
	http_dispatch_fake(&base_cfg, rt, a);
	assert_int_equal(req_fake_status(a), 200);
	assert_string_equal(req_fake_reply_header(a, "X-Cache"), "miss");
	size_t alen, blen;
	const char *abody = req_fake_body(a, &alen);

	struct req *b = req_fake_new("GET", "/page?a=fake", NULL, NULL, 0);
	http_dispatch_fake(&base_cfg, rt, b);
	assert_int_equal(atomic_load(&calls_page), calls + 1);
	assert_int_equal(req_fake_status(b), 200);
	assert_string_equal(req_fake_reply_header(b, "X-Cache"), "hit");
	assert_string_equal(req_fake_reply_header(b, "ETag"), req_fake_reply_header(a, "ETag"));
	assert_string_equal(req_fake_reply_header(b, "Content-Type"), "text/html; charset=utf-8");
	const char *bbody = req_fake_body(b, &blen);
	assert_int_equal(blen, alen);
	assert_memory_equal(bbody, abody, alen);

	/* an invalidation while b still holds the entry: b's bytes stay valid */
	char *etag = strdup(req_fake_reply_header(a, "ETag"));
	http_cache_invalidate();
	assert_memory_equal(req_fake_body(b, &blen), abody, alen);
	req_fake_free(b);
	req_fake_free(a);

	char inm[160];
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	const char *const hdrs[] = {inm, NULL};
	struct req *c = req_fake_new("GET", "/page?a=fake", hdrs, NULL, 0);
	http_dispatch_fake(&base_cfg, rt, c);
	assert_int_equal(req_fake_status(c), 304); /* from the handler's answer */
	assert_string_equal(req_fake_reply_header(c, "X-Cache"), "miss");
	req_fake_body(c, &blen);
	assert_int_equal(blen, 0); /* as on the wire */
	req_fake_free(c);
	struct req *d = req_fake_new("GET", "/page?a=fake", hdrs, NULL, 0);
	http_dispatch_fake(&base_cfg, rt, d);
	assert_int_equal(req_fake_status(d), 304); /* from memory */
	assert_string_equal(req_fake_reply_header(d, "X-Cache"), "hit");
	assert_null(req_fake_reply_header(d, "Content-Type"));
	assert_string_equal(req_fake_reply_header(d, "ETag"), etag);
	req_fake_body(d, &blen);
	assert_int_equal(blen, 0);
	req_fake_free(d);
	assert_int_equal(atomic_load(&calls_page), calls + 2);
	free(etag);
	http_cache_invalidate();
}

/* ---- the access log says "hit" ---- */

static void access_log_hit(void **state)
{
	char path[] = "/tmp/test_http_cache_log.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);

	struct http_config cfg = base_cfg;
	cfg.access_log = true;
	struct http_server *s = start(&cfg);
	struct conn c;
	conn_open(&c, http_port(s));
	struct resp rs;
	request(&c, "GET", "/page?a=log", "", &rs);
	resp_free(&rs);
	request(&c, "GET", "/page?a=log", "", &rs);
	resp_free(&rs);
	close(c.fd);
	http_stop(s); /* waits for the completion callbacks */

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char log[8192];
	ssize_t n = pread(fd, log, sizeof log - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	log[n] = '\0';
	const char *miss = strstr(log, "GET /page 200 ");
	assert_non_null(miss);
	const char *eol = strchr(miss, '\n');
	assert_non_null(eol);
	assert_false(eol - miss >= 4 && memcmp(eol - 4, " hit", 4) == 0);
	const char *hit = strstr(eol, "GET /page 200 ");
	assert_non_null(hit);
	eol = strchr(hit, '\n');
	assert_non_null(eol);
	assert_memory_equal(eol - 4, " hit", 4);
}

static int group_setup(void **state)
{
	rt = router_new();
	return router_add_table(rt, routes);
}

static int group_teardown(void **state)
{
	http_cache_invalidate();
	router_free(rt);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hit_serves_same_bytes),
	    cmocka_unit_test(head_uses_entry),
	    cmocka_unit_test(if_none_match),
	    cmocka_unit_test(keys),
	    cmocka_unit_test(not_kept),
	    cmocka_unit_test(invalidate),
	    cmocka_unit_test(bound_entries),
	    cmocka_unit_test(bound_bytes),
	    cmocka_unit_test(overlapping_invalidation),
	    cmocka_unit_test(hammer_during_invalidation),
	    cmocka_unit_test(fake_requests),
	    cmocka_unit_test(access_log_hit),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
