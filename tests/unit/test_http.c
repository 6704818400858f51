/* The HTTP layer end to end: fake requests through the real dispatcher, and one
 * real server on 127.0.0.1:0 driven over a raw keep-alive socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http/http.h"
#include "lib/netaddr.h"

#include "../common/any_scope.h"

/* ---- the app under test ---- */

static int user_cleanups;

static void free_user(void *p)
{
	user_cleanups++;
	free(p);
}

static void h_hello(struct req *r)
{
	reply_bytes(r, 200, "text/plain; charset=utf-8", "hello", 5);
}

static void h_ip(struct req *r)
{
	const char *ip = req_client_ip(r);
	reply_bytes(r, 200, "text/plain", ip, strlen(ip));
}

static void h_page(struct req *r)
{
	reply_model(r, 200, "page", json_pack("{s:s}", "greeting", "สวัสดี"));
}

static void h_broken(struct req *r)
{
	reply_model(r, 200, "broken", json_object());
}

static void h_echo(struct req *r)
{
	json_t *j = json_object();
	static const char *const names[] = {"a", "b", "n", "r", "t", "f", "z", "o", "csrf", NULL};
	for (size_t i = 0; names[i]; i++) {
		const char *v = req_form(r, names[i]);
		json_object_set_new(j, names[i], v ? json_string(v) : json_null());
	}
	const struct form_field *f = req_file(r, "doc");
	if (f) {
		json_object_set_new(j, "filename", json_string(f->filename));
		json_object_set_new(j, "size", json_integer((json_int_t)f->len));
	}
	json_object_set_new(j, "is_json", json_boolean(req_is_json_body(r)));
	reply_json(r, 200, j);
}

static void h_unit(struct req *r)
{
	reply_json(r, 200,
	           json_pack("{s:s, s:s}", "code", req_param(r, "code"), "route", req_route(r)->name));
}

static void h_info(struct req *r)
{
	const char *q = req_query(r, "q");
	const char *x = req_header(r, "x-test");
	const char *sid = req_cookie(r, "sid");
	json_t *j = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s, s:b}", "path", req_path(r), "method",
	                      req_method_name(r), "q", q, "x", x, "sid", sid, "ip", req_client_ip(r),
	                      "wants_json", req_wants_json(r));
	reply_json(r, 200, j);
}

static void h_noreply(struct req *r)
{
	(void)r;
}

static void h_twice(struct req *r)
{
	reply_bytes(r, 200, "text/plain", "first", 5);
	reply_bytes(r, 201, "text/plain", "second", 6);
	reply_error(r, ERR_CONFLICT, NULL, NULL);
}

static void h_redirect(struct req *r)
{
	reply_redirect(r, 303, "/hello");
}

static void h_cached(struct req *r)
{
	reply_header(r, "Cache-Control", "private, max-age=60");
	reply_header(r, "X-Bad", "a\r\nInjected: yes");
	reply_bytes(r, 200, "text/plain", "c", 1);
}

static void h_cookie(struct req *r)
{
	reply_cookie(r, "sid", "abc123", -1);
	reply_cookie(r, "bad", "a;b", -1);
	reply_json(r, 200, json_object());
}

static void h_logout(struct req *r)
{
	reply_cookie(r, "sid", "", 0);
	reply_redirect(r, 303, "/");
}

static void h_invalid(struct req *r)
{
	json_t *errors = json_pack("[{s:s, s:s}]", "field", "name", "message", "กรุณากรอกชื่อ");
	reply_invalid(r, "form", json_pack("{s:s}", "name", "ก"), errors);
}

static void h_secret(struct req *r)
{
	reply_json(r, 200, json_pack("{s:s}", "user", (const char *)req_user(r)));
}

static void h_upload(struct req *r)
{
	reply_json(
	    r, 200,
	    json_pack("{s:I}", "len", (json_int_t)(req_body(r, NULL) ? strlen(req_body(r, NULL)) : 0)));
}

static void h_alloc(struct req *r)
{
	/* the arena: many small and a few big allocations, all freed with r */
	for (int i = 0; i < 500; i++) {
		char *p = req_alloc(r, (size_t)(i % 37) + 1);
		memset(p, 'x', (size_t)(i % 37) + 1);
	}
	char *big = req_alloc(r, 100000);
	memset(big, 'y', 100000);
	char *s = req_strdup(r, "สวัสดี");
	reply_bytes(r, 200, "text/plain; charset=utf-8", s, strlen(s));
}

static void h_slow(struct req *r)
{
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	reply_bytes(r, 200, "text/plain", "slow", 4);
}

/* POST /hold: waits (at most 5 s) until the test opens the gate, as a write
 * waits for the group commit. */
static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cond = PTHREAD_COND_INITIALIZER;
static int hold_inside;
static bool hold_open;

static void h_hold(struct req *r)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&hold_mu);
	hold_inside++;
	pthread_cond_broadcast(&hold_cond);
	while (!hold_open)
		if (pthread_cond_timedwait(&hold_cond, &hold_mu, &until) != 0)
			break;
	pthread_mutex_unlock(&hold_mu);
	reply_bytes(r, 200, "text/plain", "held", 4);
}

static void *open_gate_later(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&hold_mu);
	hold_open = true;
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_mu);
	return NULL;
}

static const struct route routes[] = {
    {HTTP_GET, "/slow", 0, ROUTE_PUBLIC, h_slow, "slow", &any_scope},
    {HTTP_POST, "/hold", 0, ROUTE_PUBLIC, h_hold, "hold", &any_scope},
    {HTTP_GET, "/hello", 0, ROUTE_PUBLIC, h_hello, "hello", &any_scope},
    {HTTP_GET, "/ip", 0, ROUTE_PUBLIC, h_ip, "ip", &any_scope},
    {HTTP_GET, "/page", 0, ROUTE_PUBLIC, h_page, "page", &any_scope},
    {HTTP_GET, "/broken", 0, ROUTE_PUBLIC, h_broken, "broken", &any_scope},
    {HTTP_POST | HTTP_PUT, "/echo", 0, ROUTE_PUBLIC, h_echo, "echo", &any_scope},
    {HTTP_GET, "/units/{code}", 0, ROUTE_PUBLIC, h_unit, "units.show", &any_scope},
    {HTTP_GET | HTTP_POST, "/info", 0, ROUTE_PUBLIC, h_info, "info", &any_scope},
    {HTTP_GET, "/noreply", 0, ROUTE_PUBLIC, h_noreply, "noreply", &any_scope},
    {HTTP_GET, "/twice", 0, ROUTE_PUBLIC, h_twice, "twice", &any_scope},
    {HTTP_GET, "/redirect", 0, ROUTE_PUBLIC, h_redirect, "redirect", &any_scope},
    {HTTP_GET, "/cached", 0, ROUTE_PUBLIC, h_cached, "cached", &any_scope},
    {HTTP_GET, "/cookie", 0, ROUTE_PUBLIC, h_cookie, "cookie", &any_scope},
    {HTTP_POST, "/logout", 0, ROUTE_PUBLIC, h_logout, "logout", &any_scope},
    {HTTP_GET, "/invalid", 0, ROUTE_PUBLIC, h_invalid, "invalid", &any_scope},
    {HTTP_GET, "/secret", 1, 0, h_secret, "secret", &any_scope},
    {HTTP_POST, "/upload", 0, ROUTE_PUBLIC, h_upload, "upload", &any_scope},
    {HTTP_GET, "/alloc", 0, ROUTE_PUBLIC, h_alloc, "alloc", &any_scope},
    {0},
};

/* Renders "<html>[tpl]{model as JSON}</html>"; the template "broken" fails. */
static int test_render(struct req *r, const char *tpl, json_t *model, struct buf *out)
{
	if (strcmp(tpl, "broken") == 0)
		return -1;
	char *j = json_dumps(model, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = buf_printf(out, "<html>[%s]%s</html>", tpl, j);
	free(j);
	return rc;
}

static int failing_render(struct req *r, const char *tpl, json_t *model, struct buf *out)
{
	return -1;
}

static enum err test_authorize(struct req *r, const struct route *route)
{
	const char *u = req_header(r, "X-User");
	if (u)
		req_set_user(r, strdup(u), free_user);
	if (route->flags & ROUTE_PUBLIC)
		return ERR_OK;
	if (!u)
		return ERR_UNAUTHORIZED;
	if (strcmp(u, "intruder") == 0)
		return ERR_FORBIDDEN;
	if (strcmp(u, "forger") == 0)
		return ERR_CSRF;
	if (strcmp(u, "self") == 0) { /* a hook may reply itself, naming a field */
		reply_error(r, ERR_FORBIDDEN, "code", "นอกเขตรับผิดชอบ");
		return ERR_FORBIDDEN;
	}
	return ERR_OK;
}

static char static_dir[256];

static struct http_config cfg = {
    .listen = "127.0.0.1:0",
    .static_dir = static_dir,
    .max_body = 4096,
    .max_upload = 16384,
    .threads = 2,
    .secure_cookies = false,
    .access_log = true,
    .render = test_render,
    .authorize = test_authorize,
};

static struct router *rt;

/* ---- helpers ---- */

static struct req *run(const char *method, const char *target, const char *const *headers, const char *body)
{
	struct req *r = req_fake_new(method, target, headers, body, body ? strlen(body) : 0);
	http_dispatch_fake(&cfg, rt, r);
	return r;
}

static json_t *body_json(const struct req *r)
{
	size_t len;
	const char *b = req_fake_body(r, &len);
	json_error_t e;
	json_t *j = json_loadb(b, len, 0, &e);
	if (!j)
		fail_msg("reply is not JSON (%s): %.*s", e.text, (int)len, b);
	return j;
}

static bool body_has(const struct req *r, const char *needle)
{
	size_t len;
	const char *b = req_fake_body(r, &len);
	return memmem(b, len, needle, strlen(needle)) != NULL;
}

static void assert_security_headers(const struct req *r)
{
	const char *csp = req_fake_reply_header(r, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'self'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_non_null(strstr(csp, "object-src 'none'"));
	assert_string_equal(req_fake_reply_header(r, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(req_fake_reply_header(r, "x-frame-options"), "DENY");
	assert_string_equal(req_fake_reply_header(r, "Referrer-Policy"), "same-origin");
	assert_string_equal(req_fake_reply_header(r, "Permissions-Policy"),
	                    "camera=(), microphone=(), geolocation=()");
}

static const char *const ACCEPT_JSON[] = {"Accept: application/json", NULL};
static const char *const ACCEPT_HTML[] = {"Accept: text/html,application/xhtml+xml,*/*;q=0.8", NULL};

/* ---- fake dispatch ---- */

static void not_found_problem_json(void **state)
{
	struct req *r = run("GET", "/nowhere", ACCEPT_JSON, NULL);
	assert_int_equal(req_fake_status(r), 404);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"),
	                    "application/problem+json; charset=utf-8");
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/not-found");
	assert_string_equal(json_string_value(json_object_get(j, "title")), err_info(ERR_NOT_FOUND)->title);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
	json_decref(j);
	assert_security_headers(r);
	assert_string_equal(req_fake_reply_header(r, "Cache-Control"), "no-store");
	req_fake_free(r);
}

static void not_found_html(void **state)
{
	struct req *r = run("GET", "/nowhere", ACCEPT_HTML, NULL);
	assert_int_equal(req_fake_status(r), 404);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"), "text/html; charset=utf-8");
	assert_true(body_has(r, "<html>[error]"));
	assert_true(body_has(r, "\"slug\":\"not-found\""));
	assert_true(body_has(r, "\"status\":404"));
	assert_true(body_has(r, err_info(ERR_NOT_FOUND)->title));
	assert_security_headers(r);
	req_fake_free(r);
	/* no Accept at all: HTML */
	r = run("GET", "/nowhere", NULL, NULL);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"), "text/html; charset=utf-8");
	req_fake_free(r);
}

static void method_not_allowed(void **state)
{
	struct req *r = run("DELETE", "/hello", ACCEPT_JSON, NULL);
	assert_int_equal(req_fake_status(r), 405);
	assert_string_equal(req_fake_reply_header(r, "Allow"), "GET, HEAD");
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/method-not-allowed");
	json_decref(j);
	assert_security_headers(r);
	req_fake_free(r);

	r = run("GET", "/echo", ACCEPT_HTML, NULL);
	assert_int_equal(req_fake_status(r), 405);
	assert_string_equal(req_fake_reply_header(r, "Allow"), "POST, PUT");
	assert_true(body_has(r, "method-not-allowed"));
	req_fake_free(r);

	/* an unknown method */
	r = run("BREW", "/hello", ACCEPT_JSON, NULL);
	assert_int_equal(req_fake_status(r), 405);
	req_fake_free(r);
}

static void builtin_error_page_when_render_fails(void **state)
{
	struct http_config c = cfg;
	c.render = failing_render;
	struct req *r = req_fake_new("GET", "/nowhere", NULL, NULL, 0);
	http_dispatch_fake(&c, rt, r);
	assert_int_equal(req_fake_status(r), 404); /* the error keeps its status */
	assert_string_equal(req_fake_reply_header(r, "Content-Type"), "text/html; charset=utf-8");
	assert_true(body_has(r, "<html lang=\"th\">"));
	assert_true(body_has(r, err_info(ERR_NOT_FOUND)->title));
	assert_security_headers(r);
	req_fake_free(r);

	/* no render hook at all */
	c.render = NULL;
	r = req_fake_new("GET", "/page", NULL, NULL, 0);
	http_dispatch_fake(&c, rt, r);
	assert_int_equal(req_fake_status(r), 500);
	assert_true(body_has(r, err_info(ERR_INTERNAL)->title));
	req_fake_free(r);
}

static void model_html_or_json(void **state)
{
	struct req *r = run("GET", "/page", ACCEPT_HTML, NULL);
	assert_int_equal(req_fake_status(r), 200);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"), "text/html; charset=utf-8");
	assert_true(body_has(r, "<html>[page]{\"greeting\":\"สวัสดี\"}</html>"));
	assert_string_equal(req_fake_reply_header(r, "Cache-Control"), "no-store");
	assert_security_headers(r);
	req_fake_free(r);

	r = run("GET", "/page", ACCEPT_JSON, NULL);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"), "application/json; charset=utf-8");
	size_t len;
	const char *b = req_fake_body(r, &len);
	/* compact, UTF-8 (not \u escapes) */
	assert_int_equal(len, strlen("{\"greeting\":\"สวัสดี\"}"));
	assert_memory_equal(b, "{\"greeting\":\"สวัสดี\"}", len);
	req_fake_free(r);

	/* a render failure is a 500 */
	r = run("GET", "/broken", ACCEPT_HTML, NULL);
	assert_int_equal(req_fake_status(r), 500);
	assert_true(body_has(r, err_info(ERR_INTERNAL)->title));
	assert_security_headers(r);
	req_fake_free(r);
}

static void wants_json_rules(void **state)
{
	static const struct {
		const char *accept;
		bool json;
	} cases[] = {
	    {"application/json", true},
	    {"application/problem+json", true},
	    {"application/json, text/html", true},
	    {"text/html, application/json", false},
	    {"text/html;q=0.5, application/json", true},
	    {"application/json;q=0.4, text/html;q=0.9", false},
	    {"APPLICATION/JSON", true},
	    {"*/*", false},
	    {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
	    {"application/json;q=0", false},
	    {"application/json; q=nan", false},
	    {"application/jsonx", false},
	    {"", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char h[256];
		snprintf(h, sizeof h, "Accept: %s", cases[i].accept);
		const char *hdrs[] = {h, NULL};
		struct req *r = req_fake_new("GET", "/", hdrs, NULL, 0);
		if (req_wants_json(r) != cases[i].json)
			fail_msg("Accept \"%s\": wants_json should be %d", cases[i].accept, cases[i].json);
		req_fake_free(r);
	}
}

static void too_large_body(void **state)
{
	char *big = malloc(cfg.max_body + 2);
	memset(big, 'a', cfg.max_body + 1);
	memcpy(big, "a=", 2);
	big[cfg.max_body + 1] = '\0';
	const char *hdrs[] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
	                      NULL};
	struct req *r = run("POST", "/echo", hdrs, big);
	assert_int_equal(req_fake_status(r), 413);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "title")), err_info(ERR_TOO_LARGE)->title);
	json_decref(j);
	assert_security_headers(r);
	req_fake_free(r);

	/* exactly at the limit is fine */
	big[cfg.max_body] = '\0';
	r = run("POST", "/echo", hdrs, big);
	assert_int_equal(req_fake_status(r), 200);
	req_fake_free(r);

	/* multipart has the larger upload limit */
	const char *mp[] = {"Content-Type: multipart/form-data; boundary=B", NULL};
	size_t n = cfg.max_body * 2;
	char *body = malloc(n + 200);
	int k = snprintf(body, 200,
	                 "--B\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"x.bin\"\r\n\r\n");
	memset(body + k, 'z', n);
	memcpy(body + k + n, "\r\n--B--\r\n", 10);
	r = run("POST", "/echo", mp, body);
	assert_int_equal(req_fake_status(r), 200);
	j = body_json(r);
	assert_int_equal(json_integer_value(json_object_get(j, "size")), (json_int_t)n);
	assert_string_equal(json_string_value(json_object_get(j, "filename")), "x.bin");
	json_decref(j);
	req_fake_free(r);
	free(body);

	/* a text field over its own limit: 413 naming the field */
	size_t vlen = 70 * 1024;
	struct http_config c = cfg;
	c.max_body = 1 << 20;
	char *longv = malloc(vlen + 16);
	memcpy(longv, "note=", 5);
	memset(longv + 5, 'n', vlen);
	longv[5 + vlen] = '\0';
	r = req_fake_new("POST", "/echo", hdrs, longv, strlen(longv));
	http_dispatch_fake(&c, rt, r);
	assert_int_equal(req_fake_status(r), 413);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "note");
	json_decref(j);
	req_fake_free(r);
	free(longv);
	free(big);
}

static void malformed_json(void **state)
{
	const char *hdrs[] = {"Content-Type: application/json", NULL};
	struct req *r = run("POST", "/echo", hdrs, "{\n  \"a\": 1,\n  \"b\": }");
	assert_int_equal(req_fake_status(r), 400);
	/* a JSON request gets a JSON problem even without Accept */
	assert_string_equal(req_fake_reply_header(r, "Content-Type"),
	                    "application/problem+json; charset=utf-8");
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/bad-json");
	const char *detail = json_string_value(json_object_get(j, "detail"));
	assert_non_null(detail);
	assert_non_null(strstr(detail, "บรรทัด 3"));
	assert_non_null(strstr(detail, "คอลัมน์"));
	json_decref(j);
	assert_security_headers(r);
	req_fake_free(r);

	/* duplicate keys are refused */
	r = run("POST", "/echo", hdrs, "{\"a\":1,\"a\":2}");
	assert_int_equal(req_fake_status(r), 400);
	req_fake_free(r);
	/* not an object */
	r = run("POST", "/echo", hdrs, "[1,2]");
	assert_int_equal(req_fake_status(r), 400);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/bad-json");
	json_decref(j);
	req_fake_free(r);
	/* trailing garbage */
	r = run("POST", "/echo", hdrs, "{} x");
	assert_int_equal(req_fake_status(r), 400);
	req_fake_free(r);
	/* HTML client: the error page names the line too */
	const char *hh[] = {"Content-Type: application/json", "Accept: text/html", NULL};
	r = run("POST", "/echo", hh, "{\n\n\n x");
	assert_int_equal(req_fake_status(r), 400);
	assert_true(body_has(r, "บรรทัด 4"));
	req_fake_free(r);
}

static void json_body_as_form(void **state)
{
	const char *hdrs[] = {"Content-Type: application/json; charset=utf-8", NULL};
	struct req *r = run(
	    "POST", "/echo", hdrs,
	    "{\"a\":\"ก\",\"n\":42,\"r\":1.5,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"x\":1},\"b\":-7}");
	assert_int_equal(req_fake_status(r), 200);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "a")), "ก");
	assert_string_equal(json_string_value(json_object_get(j, "n")), "42");
	assert_string_equal(json_string_value(json_object_get(j, "b")), "-7");
	assert_string_equal(json_string_value(json_object_get(j, "r")), "1.5");
	assert_string_equal(json_string_value(json_object_get(j, "t")), "true");
	assert_string_equal(json_string_value(json_object_get(j, "f")), "false");
	assert_true(json_is_null(json_object_get(j, "z")));
	assert_true(json_is_null(json_object_get(j, "o")));
	assert_true(json_is_null(json_object_get(j, "csrf")));
	assert_true(json_is_true(json_object_get(j, "is_json")));
	json_decref(j);
	req_fake_free(r);

	/* application/vnd.x+json counts as JSON; an empty JSON body is no body */
	const char *vnd[] = {"Content-Type: application/merge-patch+json", NULL};
	r = run("PUT", "/echo", vnd, "{\"a\":\"x\"}");
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "a")), "x");
	json_decref(j);
	req_fake_free(r);
	r = run("POST", "/echo", hdrs, "");
	assert_int_equal(req_fake_status(r), 200);
	req_fake_free(r);
}

static void forms_through_dispatch(void **state)
{
	const char *url[] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
	                     NULL};
	struct req *r = run("POST", "/echo", url, "a=%E0%B8%81&b=x+y&csrf=tok");
	assert_int_equal(req_fake_status(r), 200);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "a")), "ก");
	assert_string_equal(json_string_value(json_object_get(j, "b")), "x y");
	assert_string_equal(json_string_value(json_object_get(j, "csrf")), "tok");
	assert_true(json_is_false(json_object_get(j, "is_json")));
	json_decref(j);
	req_fake_free(r);

	/* malformed: 400 naming the field */
	r = run("POST", "/echo", url, "a=1&b=%zz");
	assert_int_equal(req_fake_status(r), 400);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/bad-form");
	assert_string_equal(json_string_value(json_object_get(j, "field")), "b");
	json_decref(j);
	req_fake_free(r);

	/* malformed multipart (no closing boundary) */
	const char *mp[] = {"Content-Type: multipart/form-data; boundary=B", "Accept: application/json",
	                    NULL};
	r = run("POST", "/echo", mp, "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated");
	assert_int_equal(req_fake_status(r), 400);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "a");
	json_decref(j);
	req_fake_free(r);

	/* an unknown type is left alone: the handler sees no fields */
	const char *xml[] = {"Content-Type: application/xml", NULL};
	r = run("POST", "/echo", xml, "<a>1</a>");
	assert_int_equal(req_fake_status(r), 200);
	j = body_json(r);
	assert_true(json_is_null(json_object_get(j, "a")));
	json_decref(j);
	req_fake_free(r);
	r = run("POST", "/upload", xml, "<a>1</a>");
	j = body_json(r);
	assert_int_equal(json_integer_value(json_object_get(j, "len")), 8);
	json_decref(j);
	req_fake_free(r);
}

/* Issue 8 item 10: JSON (or anything whose field name is over the limit)
 * sent with a form's Content-Type is a bad form naming the body, 400, never
 * 413 and never a form with one odd field. */
static void json_sent_as_form(void **state)
{
	const char *url[] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
	                     NULL};
	static const struct {
		const char *what, *body;
	} cases[] = {
	    {"a JSON object", "{\"a\":\"1\",\"csrf\":\"tok\"}"},
	    {"white space, then a JSON object", "\r\n {\"a\":1}"},
	    {"a JSON array", "[1,2]"},
	    {"a JSON object with = and & inside", "{\"q\":\"a=b&c=d\"}"},
	    {"a field name over the limit", NULL}, /* built below */
	};
	char longname[300];
	memset(longname, 'n', 200);
	memcpy(longname + 200, "=1", 3);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct req *r = run("POST", "/echo", url, cases[i].body ? cases[i].body : longname);
		if (req_fake_status(r) != 400)
			fail_msg("%s: %d", cases[i].what, req_fake_status(r));
		json_t *j = body_json(r);
		assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/bad-form");
		assert_string_equal(json_string_value(json_object_get(j, "field")), "body");
		json_decref(j);
		req_fake_free(r);
	}
	/* a large JSON body too: the same 400, not 413 */
	size_t n = cfg.max_body - 64;
	char *big = malloc(n + 1);
	memset(big, 'x', n);
	memcpy(big, "{\"remarks\":\"", 12);
	memcpy(big + n - 2, "\"}", 2);
	big[n] = '\0';
	struct req *r = run("POST", "/echo", url, big);
	assert_int_equal(req_fake_status(r), 400);
	free(big);
	req_fake_free(r);
	/* the same body as JSON is fine */
	const char *js[] = {"Content-Type: application/json", NULL};
	r = run("POST", "/echo", js, "{\"a\":\"1\"}");
	assert_int_equal(req_fake_status(r), 200);
	req_fake_free(r);
}

/* Issue 8 item 10: a body length stated twice in ways that disagree is 400
 * naming Content-Length, with Connection: close; the same value twice is one
 * length. */
static void conflicting_lengths(void **state)
{
	static const struct {
		const char *what;
		const char *h1, *h2;
		int status;
	} cases[] = {
	    {"two different Content-Length", "Content-Length: 3", "Content-Length: 30", 400},
	    {"Content-Length and Transfer-Encoding", "Content-Length: 3", "Transfer-Encoding: chunked", 400},
	    {"the same Content-Length twice", "Content-Length: 3", "Content-Length: 3", 200},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *h[] = {"Content-Type: application/x-www-form-urlencoded",
		                   "Accept: application/json", cases[i].h1, cases[i].h2, NULL};
		struct req *r = run("POST", "/echo", h, "a=1");
		if (req_fake_status(r) != cases[i].status)
			fail_msg("%s: %d", cases[i].what, req_fake_status(r));
		if (cases[i].status == 400) {
			json_t *j = body_json(r);
			assert_string_equal(json_string_value(json_object_get(j, "type")),
			                    "/problems/bad-request");
			assert_string_equal(json_string_value(json_object_get(j, "field")), "Content-Length");
			json_decref(j);
			assert_string_equal(req_fake_reply_header(r, "Connection"), "close");
			assert_security_headers(r);
		}
		req_fake_free(r);
	}
}

static void request_accessors(void **state)
{
	const char *hdrs[] = {"X-Test: value  ", "Cookie: a=1; sid=\"s3\"; other=2",
	                      "Accept: application/json", NULL};
	struct req *r = run("GET", "/info/?q=%E0%B8%81+1&z=2#frag", hdrs, NULL);
	assert_int_equal(req_fake_status(r), 200);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/info");
	assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
	assert_string_equal(json_string_value(json_object_get(j, "q")), "ก 1");
	assert_string_equal(json_string_value(json_object_get(j, "x")), "value  ");
	assert_string_equal(json_string_value(json_object_get(j, "sid")), "s3");
	assert_string_equal(json_string_value(json_object_get(j, "ip")), "127.0.0.1");
	assert_true(json_is_true(json_object_get(j, "wants_json")));
	json_decref(j);
	req_fake_free(r);

	/* a malformed query string is a 400 naming the parameter */
	r = run("GET", "/info?q=%zz", ACCEPT_JSON, NULL);
	assert_int_equal(req_fake_status(r), 400);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "q");
	json_decref(j);
	req_fake_free(r);

	/* route parameters are decoded; req_path too */
	r = run("GET", "/units/%E0%B8%81%2F1", ACCEPT_JSON, NULL);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "ก/1");
	assert_string_equal(json_string_value(json_object_get(j, "route")), "units.show");
	json_decref(j);
	req_fake_free(r);

	r = req_fake_new("GET", "/a%20b/", NULL, NULL, 0);
	assert_string_equal(req_path(r), "/a b");
	assert_int_equal(req_method(r), HTTP_GET);
	assert_null(req_route(r));
	assert_null(req_cookie(r, "sid"));
	assert_null(req_query(r, "q"));
	assert_null(req_json(r));
	req_fake_free(r);

	/* arena allocations survive until the request is freed */
	r = run("GET", "/alloc", NULL, NULL);
	assert_int_equal(req_fake_status(r), 200);
	assert_true(body_has(r, "สวัสดี"));
	req_fake_free(r);
}

static void headers_and_cookies(void **state)
{
	struct req *r = run("GET", "/cached", NULL, NULL);
	assert_string_equal(req_fake_reply_header(r, "Cache-Control"), "private, max-age=60");
	assert_null(req_fake_reply_header(r, "X-Bad")); /* header injection refused */
	assert_security_headers(r);
	req_fake_free(r);

	r = run("GET", "/cookie", NULL, NULL);
	const char *c = req_fake_reply_header(r, "Set-Cookie");
	assert_non_null(c);
	assert_string_equal(c, "sid=abc123; Path=/; HttpOnly; SameSite=Lax");
	req_fake_free(r);

	struct http_config sc = cfg;
	sc.secure_cookies = true;
	r = req_fake_new("POST", "/logout", NULL, NULL, 0);
	http_dispatch_fake(&sc, rt, r);
	assert_int_equal(req_fake_status(r), 303);
	assert_string_equal(req_fake_reply_header(r, "Location"), "/");
	assert_string_equal(req_fake_reply_header(r, "Set-Cookie"),
	                    "sid=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure");
	assert_security_headers(r);
	req_fake_free(r);

	r = run("GET", "/redirect", NULL, NULL);
	assert_int_equal(req_fake_status(r), 303);
	assert_string_equal(req_fake_reply_header(r, "Location"), "/hello");
	size_t len;
	req_fake_body(r, &len);
	assert_int_equal(len, 0);
	assert_security_headers(r);
	req_fake_free(r);
}

static void invalid_shape(void **state)
{
	struct req *r = run("GET", "/invalid", ACCEPT_JSON, NULL);
	assert_int_equal(req_fake_status(r), 422);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"),
	                    "application/problem+json; charset=utf-8");
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/invalid");
	assert_string_equal(json_string_value(json_object_get(j, "title")), err_info(ERR_INVALID)->title);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 422);
	json_t *errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "field")), "name");
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "message")),
	                    "กรุณากรอกชื่อ");
	json_decref(j);
	assert_security_headers(r);
	req_fake_free(r);

	/* HTML: the form template again, with what was typed, errors and status */
	r = run("GET", "/invalid", ACCEPT_HTML, NULL);
	assert_int_equal(req_fake_status(r), 422);
	assert_true(body_has(r, "<html>[form]"));
	assert_true(body_has(r, "\"name\":\"ก\""));
	assert_true(body_has(r, "\"errors\":[{\"field\":\"name\",\"message\":\"กรุณากรอกชื่อ\"}]"));
	assert_true(body_has(r, "\"status\":422"));
	req_fake_free(r);
}

static void authorize_hook(void **state)
{
	user_cleanups = 0;
	struct req *r = run("GET", "/secret", ACCEPT_JSON, NULL);
	assert_int_equal(req_fake_status(r), 401);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/unauthorized");
	assert_string_equal(json_string_value(json_object_get(j, "title")),
	                    err_info(ERR_UNAUTHORIZED)->title);
	json_decref(j);
	assert_security_headers(r);
	req_fake_free(r);

	const char *intruder[] = {"X-User: intruder", NULL};
	r = run("GET", "/secret", intruder, NULL);
	assert_int_equal(req_fake_status(r), 403);
	assert_true(body_has(r, "forbidden"));
	req_fake_free(r);
	assert_int_equal(user_cleanups, 1); /* the user slot is freed with the request */

	const char *somchai[] = {"X-User: somchai", "Accept: application/json", NULL};
	r = run("GET", "/secret", somchai, NULL);
	assert_int_equal(req_fake_status(r), 200);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "user")), "somchai");
	json_decref(j);
	req_fake_free(r);
	assert_int_equal(user_cleanups, 2);

	const char *forger[] = {"X-User: forger", "Accept: application/json", NULL};
	r = run("GET", "/secret", forger, NULL);
	assert_int_equal(req_fake_status(r), 403);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/csrf");
	assert_string_equal(json_string_value(json_object_get(j, "field")), "csrf");
	json_decref(j);
	req_fake_free(r);
	const char *self[] = {"X-User: self", "Accept: application/json", NULL};
	r = run("GET", "/secret", self, NULL);
	assert_int_equal(req_fake_status(r), 403);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "code");
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "นอกเขตรับผิดชอบ");
	json_decref(j);
	req_fake_free(r);
	assert_int_equal(user_cleanups, 4);

	/* the hook runs after routing: a 404 never reaches it */
	r = run("GET", "/nope", intruder, NULL);
	assert_int_equal(req_fake_status(r), 404);
	req_fake_free(r);
	assert_int_equal(user_cleanups, 4);
}

static void head_has_no_body(void **state)
{
	struct req *r = run("HEAD", "/hello", NULL, NULL);
	assert_int_equal(req_fake_status(r), 200);
	size_t len = 99;
	req_fake_body(r, &len);
	assert_int_equal(len, 0);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"), "text/plain; charset=utf-8");
	assert_security_headers(r);
	req_fake_free(r);
	/* HEAD on a path without GET: 405 */
	r = run("HEAD", "/echo", NULL, NULL);
	assert_int_equal(req_fake_status(r), 405);
	req_fake_free(r);
}

/* The client address: the peer (127.0.0.1 for a fake request), or from
 * X-Forwarded-For only when the peer is a trusted proxy. */
static const char *client_ip_with(const struct net_prefixes *trusted, const char *const *headers, char *out,
                                  size_t cap)
{
	struct http_config c = cfg;
	c.trusted_proxies = trusted;
	struct req *r = req_fake_new("GET", "/ip", headers, NULL, 0);
	http_dispatch_fake(&c, rt, r);
	assert_int_equal(req_fake_status(r), 200);
	size_t len;
	const char *b = req_fake_body(r, &len);
	snprintf(out, cap, "%.*s", (int)len, b);
	req_fake_free(r);
	return out;
}

static void client_ip_forwarded(void **state)
{
	struct net_prefixes trusted, other;
	char err[256], ip[64];
	assert_int_equal(net_prefixes_parse(&trusted, "127.0.0.1, 10.0.0.0/8", err, sizeof err), 0);
	assert_int_equal(net_prefixes_parse(&other, "10.0.0.0/8", err, sizeof err), 0);
	static const struct {
		const char *h[3];
		const char *want;
	} cases[] = {
	    {{NULL}, "127.0.0.1"},
	    {{"X-Forwarded-For: 203.0.113.9"}, "203.0.113.9"},
	    {{"x-forwarded-for:203.0.113.9 "}, "203.0.113.9"},
	    /* a client-made entry on the left does not count */
	    {{"X-Forwarded-For: 198.51.100.1, 203.0.113.9"}, "203.0.113.9"},
	    /* trusted hops are skipped, right to left */
	    {{"X-Forwarded-For: 203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
	    {{"X-Forwarded-For: 198.51.100.1, 203.0.113.9", "X-Forwarded-For: 10.0.0.5"}, "203.0.113.9"},
	    {{"X-Forwarded-For: 10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
	    {{"X-Forwarded-For: ,, 203.0.113.9 ,"}, "203.0.113.9"},
	    /* a malformed entry stops at the hop a trusted proxy vouched for */
	    {{"X-Forwarded-For: 203.0.113.9, garbage, 10.0.0.2"}, "10.0.0.2"},
	    {{"X-Forwarded-For: 203.0.113.9:4711"}, "127.0.0.1"},
	    {{"X-Forwarded-For: <script>"}, "127.0.0.1"},
	    {{"X-Forwarded-For: "}, "127.0.0.1"},
	    /* normalised text, never the header's */
	    {{"X-Forwarded-For: 2001:DB8:0::1"}, "2001:db8::1"},
	    {{"X-Forwarded-For: ::ffff:203.0.113.9"}, "203.0.113.9"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		client_ip_with(&trusted, cases[i].h, ip, sizeof ip);
		if (strcmp(ip, cases[i].want))
			fail_msg("case %zu (%s): got %s, want %s", i, cases[i].h[0] ? cases[i].h[0] : "-", ip,
			         cases[i].want);
	}
	/* From a peer that is not a trusted proxy the header is ignored. */
	const char *const spoof[] = {"X-Forwarded-For: 203.0.113.9", NULL};
	assert_string_equal(client_ip_with(&other, spoof, ip, sizeof ip), "127.0.0.1");
	assert_string_equal(client_ip_with(NULL, spoof, ip, sizeof ip), "127.0.0.1");
}

static void handler_bugs(void **state)
{
	struct req *r = run("GET", "/noreply", ACCEPT_JSON, NULL);
	assert_int_equal(req_fake_status(r), 500);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "/problems/internal");
	json_decref(j);
	assert_security_headers(r);
	req_fake_free(r);

	/* a second reply is a logged bug; the first one stands */
	r = run("GET", "/twice", NULL, NULL);
	assert_int_equal(req_fake_status(r), 200);
	size_t len;
	const char *b = req_fake_body(r, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(b, "first", 5);
	req_fake_free(r);
}

/* ---- static files ---- */

static void write_file(const char *rel, const char *content)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", static_dir, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int static_setup(void **state)
{
	snprintf(static_dir, sizeof static_dir, "/tmp/osspoint-test-static-XXXXXX");
	if (!mkdtemp(static_dir))
		return -1;
	char p[512];
	snprintf(p, sizeof p, "%s/js", static_dir);
	mkdir(p, 0755);
	write_file("app.css", "body{color:#123}\n");
	write_file("js/app.js", "console.log(1);\n");
	write_file(".hidden.css", "secret\n");
	write_file("prog.exe", "MZ\n");
	char outside[512];
	snprintf(outside, sizeof outside, "%s-outside.txt", static_dir);
	FILE *f = fopen(outside, "w");
	fputs("outside\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/leak.txt", static_dir);
	if (symlink(outside, p) != 0)
		return -1;
	return 0;
}

static void static_files(void **state)
{
	struct req *r = run("GET", "/static/app.css", NULL, NULL);
	assert_int_equal(req_fake_status(r), 200);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"), "text/css; charset=utf-8");
	assert_string_equal(req_fake_reply_header(r, "Cache-Control"), "public, max-age=3600");
	size_t len;
	const char *b = req_fake_body(r, &len);
	assert_int_equal(len, strlen("body{color:#123}\n"));
	assert_memory_equal(b, "body{color:#123}\n", len);
	const char *etag = req_fake_reply_header(r, "ETag");
	assert_non_null(etag);
	assert_int_equal(etag[0], '"');
	char saved[64];
	snprintf(saved, sizeof saved, "%s", etag);
	assert_security_headers(r);
	req_fake_free(r);

	/* If-None-Match → 304, also in a list and weak */
	char inm[128];
	snprintf(inm, sizeof inm, "If-None-Match: \"nope\", W/%s", saved);
	const char *h304[] = {inm, NULL};
	r = run("GET", "/static/app.css", h304, NULL);
	assert_int_equal(req_fake_status(r), 304);
	req_fake_body(r, &len);
	assert_int_equal(len, 0);
	assert_string_equal(req_fake_reply_header(r, "ETag"), saved);
	assert_security_headers(r);
	req_fake_free(r);

	r = run("GET", "/static/js/app.js", NULL, NULL);
	assert_int_equal(req_fake_status(r), 200);
	assert_string_equal(req_fake_reply_header(r, "Content-Type"), "text/javascript; charset=utf-8");
	req_fake_free(r);

	r = run("HEAD", "/static/js/app.js", NULL, NULL);
	assert_int_equal(req_fake_status(r), 200);
	req_fake_body(r, &len);
	assert_int_equal(len, 0);
	req_fake_free(r);

	static const char *const refused[] = {
	    "/static/../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
	    "/static/js/../app.css", "/static/.hidden.css",
	    "/static/prog.exe",      "/static/missing.css",
	    "/static/leak.txt",      "/static/",
	    "/static//app.css",      "/static/js%2F..%2Fapp.css",
	    "/static/js\\app.js",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		r = run("GET", refused[i], NULL, NULL);
		if (req_fake_status(r) != 404)
			fail_msg("%s answered %d", refused[i], req_fake_status(r));
		assert_security_headers(r);
		req_fake_free(r);
	}

	r = run("POST", "/static/app.css", NULL, NULL);
	assert_int_equal(req_fake_status(r), 405);
	assert_string_equal(req_fake_reply_header(r, "Allow"), "GET, HEAD");
	req_fake_free(r);

	/* a changed file is reloaded (checked at most once a second) */
	write_file("app.css", "body{color:#456;margin:0}\n");
	struct timespec ts = {1, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	r = run("GET", "/static/app.css", NULL, NULL);
	b = req_fake_body(r, &len);
	assert_memory_equal(b, "body{color:#456;margin:0}\n", len);
	assert_string_not_equal(req_fake_reply_header(r, "ETag"), saved);
	req_fake_free(r);
}

/* ---- a real server on a raw socket ---- */

static int connect_local(unsigned port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
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

struct resp {
	int status;
	char head[4096];
	char *body;
	size_t len;
};

/* Reads one response (Content-Length framed; HEAD has none). Returns 0, or -1
 * when the connection ended or failed before a full response. */
static int read_response(int fd, struct resp *rs, bool head_request)
{
	static char pending[1 << 16];
	static size_t npending;
	memset(rs, 0, sizeof *rs);
	char *end;
	for (;;) {
		pending[npending] = '\0';
		end = strstr(pending, "\r\n\r\n");
		if (end)
			break;
		ssize_t k = recv(fd, pending + npending, sizeof pending - 1 - npending, 0);
		if (k <= 0) {
			npending = 0;
			return -1;
		}
		npending += (size_t)k;
	}
	size_t hlen = (size_t)(end - pending) + 4;
	assert_true(hlen < sizeof rs->head);
	memcpy(rs->head, pending, hlen);
	rs->head[hlen] = '\0';
	rs->status = (int)strtol(rs->head + 9, NULL, 10);
	size_t clen = 0;
	const char *cl = strcasestr(rs->head, "\r\nContent-Length:");
	if (cl && !head_request)
		clen = strtoul(cl + 17, NULL, 10);
	memmove(pending, pending + hlen, npending - hlen);
	npending -= hlen;
	while (npending < clen) {
		ssize_t k = recv(fd, pending + npending, sizeof pending - 1 - npending, 0);
		if (k <= 0) {
			npending = 0;
			return -1;
		}
		npending += (size_t)k;
	}
	rs->body = malloc(clen + 1);
	memcpy(rs->body, pending, clen);
	rs->body[clen] = '\0';
	rs->len = clen;
	memmove(pending, pending + clen, npending - clen);
	npending -= clen;
	return 0;
}

static bool head_has(const struct resp *rs, const char *needle)
{
	return strcasestr(rs->head, needle) != NULL;
}

static void real_server_keep_alive(void **state)
{
	struct http_server *s = http_start(&cfg, rt);
	assert_non_null(s);
	unsigned port = http_port(s);
	assert_true(port > 0);

	int fd = connect_local(port);
	struct resp rs;
	const char *get = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

	/* two requests on one connection */
	send_all(fd, get, strlen(get));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body, "hello");
	assert_true(head_has(&rs, "Content-Security-Policy: default-src 'self'"));
	assert_true(head_has(&rs, "X-Frame-Options: DENY"));
	assert_true(head_has(&rs, "Cache-Control: no-store"));
	assert_false(head_has(&rs, "Connection: close"));
	free(rs.body);

	send_all(fd, get, strlen(get));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body, "hello");
	free(rs.body);

	/* HEAD: headers only, and the connection stays in step */
	const char *head = "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	send_all(fd, head, strlen(head));
	assert_int_equal(read_response(fd, &rs, true), 0);
	assert_int_equal(rs.status, 200);
	free(rs.body);

	/* raw target: %2F stays inside the parameter, the query is ours */
	const char *unit = "GET /units/a%2Fb?x=1 HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n";
	send_all(fd, unit, strlen(unit));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_non_null(strstr(rs.body, "\"code\":\"a/b\""));
	free(rs.body);

	/* a urlencoded POST, then a chunked one */
	const char *post =
	    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 11\r\n\r\na=1&b=%E0%B8%81";
	send_all(fd, post, strlen(post) - 4); /* Content-Length says 11: "a=1&b=%E0%B" */
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 400); /* the cut escape is malformed, and we still answer */
	free(rs.body);
	const char *chunked =
	    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\na=1\r\n4\r\n&b=2\r\n0\r\n\r\n";
	send_all(fd, chunked, strlen(chunked));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_non_null(strstr(rs.body, "\"a\":\"1\""));
	assert_non_null(strstr(rs.body, "\"b\":\"2\""));
	free(rs.body);

	/* an oversize body: read and discarded, 413, connection still open */
	size_t n = cfg.max_body * 20;
	char *big = malloc(n);
	memset(big, 'a', n);
	char hdr[256];
	snprintf(hdr, sizeof hdr,
	         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	         "Accept: application/json\r\nContent-Length: %zu\r\n\r\n",
	         n);
	send_all(fd, hdr, strlen(hdr));
	send_all(fd, big, n);
	free(big);
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 413);
	assert_non_null(strstr(rs.body, err_info(ERR_TOO_LARGE)->title));
	assert_true(head_has(&rs, "X-Content-Type-Options: nosniff"));
	assert_false(head_has(&rs, "Connection: close"));
	free(rs.body);

	/* ... proven by one more request on the same connection */
	send_all(fd, get, strlen(get));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	free(rs.body);

	/* static files over the wire: prebuilt response, ETag, 304 */
	const char *css = "GET /static/js/app.js HTTP/1.1\r\nHost: x\r\n\r\n";
	send_all(fd, css, strlen(css));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body, "console.log(1);\n");
	assert_true(head_has(&rs, "Cache-Control: public, max-age=3600"));
	assert_true(head_has(&rs, "Content-Security-Policy:"));
	const char *et = strcasestr(rs.head, "\r\nETag: ");
	assert_non_null(et);
	char etag[64];
	size_t el = strcspn(et + 8, "\r");
	snprintf(etag, sizeof etag, "%.*s", (int)el, et + 8);
	free(rs.body);
	char cond[256];
	snprintf(cond, sizeof cond, "GET /static/js/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: %s\r\n\r\n",
	         etag);
	send_all(fd, cond, strlen(cond));
	assert_int_equal(read_response(fd, &rs, true), 0);
	assert_int_equal(rs.status, 304);
	free(rs.body);

	/* a declared size past the discard cap: 413 at once (the connection then closes) */
	int fd2 = connect_local(port);
	const char *huge = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n";
	send_all(fd2, huge, strlen(huge));
	assert_int_equal(read_response(fd2, &rs, false), 0);
	assert_int_equal(rs.status, 413);
	free(rs.body);
	close(fd2);

	/* an oversize body announced with Expect: 100-continue is refused before it is sent */
	fd2 = connect_local(port);
	char expect[256];
	snprintf(expect, sizeof expect,
	         "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
	         cfg.max_body + 1);
	send_all(fd2, expect, strlen(expect));
	assert_int_equal(read_response(fd2, &rs, false), 0);
	assert_int_equal(rs.status, 413);
	free(rs.body);
	close(fd2);
	/* ... and a fitting one gets its 100 Continue, then the answer */
	fd2 = connect_local(port);
	const char *ok100 = "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
	                    "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\n";
	send_all(fd2, ok100, strlen(ok100));
	assert_int_equal(read_response(fd2, &rs, true), 0);
	assert_int_equal(rs.status, 100);
	free(rs.body);
	send_all(fd2, "a=1", 3);
	assert_int_equal(read_response(fd2, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_non_null(strstr(rs.body, "\"a\":\"1\""));
	free(rs.body);
	close(fd2);

	/* the first connection is still open after all that */
	send_all(fd, get, strlen(get));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	free(rs.body);
	close(fd);

	http_stop(s);
}

static void real_server_graceful_stop(void **state)
{
	struct http_server *s = http_start(&cfg, rt);
	assert_non_null(s);
	int fd = connect_local(http_port(s));
	const char *slow = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
	send_all(fd, slow, strlen(slow));
	struct timespec ts = {0, 100 * 1000 * 1000};
	nanosleep(&ts, NULL); /* the handler is running now */
	http_stop(s);         /* waits for it */
	struct resp rs;
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body, "slow");
	assert_true(head_has(&rs, "Connection: close"));
	free(rs.body);
	close(fd);
}

/* A write's handler runs on a worker while its connection is suspended: with
 * one HTTP thread, two writes wait in their handlers at once (they would
 * share a group commit) and a GET on a third connection is answered while
 * they wait; then both writes are answered. Before the workers, the one
 * thread slept in the first handler and held every other connection. */
static void real_server_write_waits_on_a_worker(void **state)
{
	struct http_config c = cfg;
	c.threads = 1;
	c.workers = 4;
	hold_inside = 0;
	hold_open = false;
	struct http_server *s = http_start(&c, rt);
	assert_non_null(s);
	unsigned port = http_port(s);
	const char *post = "POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
	int w1 = connect_local(port), w2 = connect_local(port), g = connect_local(port);
	send_all(w1, post, strlen(post));
	send_all(w2, post, strlen(post));

	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 3;
	pthread_mutex_lock(&hold_mu);
	while (hold_inside < 2)
		if (pthread_cond_timedwait(&hold_cond, &hold_mu, &until) != 0)
			break;
	int inside = hold_inside;
	pthread_mutex_unlock(&hold_mu);
	assert_int_equal(inside, 2); /* both writes are in their handlers together */

	const char *get = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	send_all(g, get, strlen(get));
	struct resp rs;
	assert_int_equal(read_response(g, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body, "hello");
	free(rs.body);
	pthread_mutex_lock(&hold_mu);
	assert_false(hold_open); /* answered while the writes still wait */
	hold_open = true;
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_mu);

	for (int i = 0; i < 2; i++) {
		int fd = i ? w2 : w1;
		assert_int_equal(read_response(fd, &rs, false), 0);
		assert_int_equal(rs.status, 200);
		assert_string_equal(rs.body, "held");
		free(rs.body);
		/* the connection goes on after its resumed answer */
		send_all(fd, get, strlen(get));
		assert_int_equal(read_response(fd, &rs, false), 0);
		assert_int_equal(rs.status, 200);
		free(rs.body);
	}
	close(w1);
	close(w2);
	close(g);

	/* A write still waiting when the server stops is answered first. */
	hold_open = false;
	hold_inside = 0;
	int w = connect_local(port);
	send_all(w, post, strlen(post));
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 3;
	pthread_mutex_lock(&hold_mu);
	while (hold_inside < 1)
		if (pthread_cond_timedwait(&hold_cond, &hold_mu, &until) != 0)
			break;
	pthread_mutex_unlock(&hold_mu);
	pthread_t opener;
	assert_int_equal(pthread_create(&opener, NULL, open_gate_later, NULL), 0);
	http_stop(s); /* waits for the handler, which the opener releases */
	pthread_join(opener, NULL);
	assert_int_equal(read_response(w, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body, "held");
	assert_true(head_has(&rs, "Connection: close"));
	free(rs.body);
	close(w);
}

/* Reads until the peer closes (or 3 s pass); true when it closed. */
static bool closed_by_peer(int fd)
{
	char b[4096];
	for (;;) {
		ssize_t k = recv(fd, b, sizeof b, 0);
		if (k == 0 || (k < 0 && errno == ECONNRESET))
			return true;
		if (k < 0)
			return errno == EINTR ? closed_by_peer(fd) : false; /* timeout (SO_RCVTIMEO) */
	}
}

/* Issue 8 item 3: the bounds of struct http_config on a real server. Past
 * max_connections_per_ip a connection is closed at once while the ones
 * admitted are served; a connection that does not send a whole request head
 * within request_timeout is closed, however it trickles. */
static void real_server_connection_limits(void **state)
{
	struct http_config c = cfg;
	c.access_log = false;
	c.max_connections_per_ip = 3;
	c.request_timeout = 1;
	struct http_server *s = http_start(&c, rt);
	assert_non_null(s);
	unsigned port = http_port(s);
	int fds[5], open[5], nopen = 0;
	for (int i = 0; i < 5; i++)
		fds[i] = connect_local(port);
	/* two of them (whichever the server accepted last) are closed at once,
	 * unanswered */
	struct timespec pause = {0, 300 * 1000 * 1000};
	nanosleep(&pause, NULL);
	for (int i = 0; i < 5; i++) {
		char b;
		ssize_t k = recv(fds[i], &b, 1, MSG_DONTWAIT);
		if (!(k == 0 || (k < 0 && errno == ECONNRESET)))
			open[nopen++] = fds[i];
	}
	assert_int_equal(nopen, 3);
	/* the three admitted are served */
	const char *get = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	struct resp rs;
	for (int i = 0; i < 3; i++) {
		send_all(open[i], get, strlen(get));
		assert_int_equal(read_response(open[i], &rs, false), 0);
		assert_int_equal(rs.status, 200);
		free(rs.body);
	}
	/* a head trickled a byte at a time past the deadline: closed */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const char *part = "GET /hello HTTP/1.1\r\nX: ";
	send_all(open[1], part, strlen(part));
	bool closed = false;
	for (int i = 0; i < 40 && !closed; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		closed = send(open[1], "a", 1, MSG_NOSIGNAL) < 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(closed || closed_by_peer(open[1]));
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms < 3500);
	/* an idle keep-alive connection too (its last answer was above) */
	assert_true(closed_by_peer(open[0]));
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	/* and the slots are free again */
	int fd = connect_local(port);
	send_all(fd, get, strlen(get));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	free(rs.body);
	close(fd);
	http_stop(s);
}

/* A 304 states the length of the 200 it stands for (RFC 9110 8.6), and says
 * nothing more: the next answer on the connection follows its head. */
static void real_server_304_length(void **state)
{
	struct http_server *s = http_start(&cfg, rt);
	assert_non_null(s);
	int fd = connect_local(http_port(s));
	const char *get = "GET /static/js/app.js HTTP/1.1\r\nHost: x\r\n\r\n";
	struct resp rs;
	send_all(fd, get, strlen(get));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	char etag[64], cond[256];
	const char *et = strcasestr(rs.head, "\r\nETag: ");
	assert_non_null(et);
	snprintf(etag, sizeof etag, "%.*s", (int)strcspn(et + 8, "\r"), et + 8);
	size_t len = rs.len;
	free(rs.body);
	snprintf(cond, sizeof cond, "GET /static/js/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: %s\r\n\r\n",
	         etag);
	send_all(fd, cond, strlen(cond));
	assert_int_equal(read_response(fd, &rs, true), 0);
	assert_int_equal(rs.status, 304);
	char want[64];
	snprintf(want, sizeof want, "\r\nContent-Length: %zu\r\n", len);
	assert_true(head_has(&rs, want));
	free(rs.body);
	send_all(fd, get, strlen(get));
	assert_int_equal(read_response(fd, &rs, false), 0);
	assert_int_equal(rs.status, 200);
	assert_int_equal(rs.len, len);
	free(rs.body);
	close(fd);
	http_stop(s);
}

/* Every connection is a descriptor: a soft RLIMIT_NOFILE too small for
 * max_connections is raised to the hard limit when the server starts. */
static void real_server_raises_fd_limit(void **state)
{
	struct rlimit saved, rl;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 2048)
		skip(); /* nothing to raise to */
	rl = saved;
	rl.rlim_cur = 256;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	struct http_config c = cfg;
	c.access_log = false;
	c.max_connections = 1000;
	struct http_server *s = http_start(&c, rt);
	assert_non_null(s);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_cur == saved.rlim_max ||
	            (saved.rlim_max == RLIM_INFINITY && rl.rlim_cur >= 1000));
	http_stop(s);
	setrlimit(RLIMIT_NOFILE, &saved);
}

static void real_server_bad_listen(void **state)
{
	struct http_config c = cfg;
	c.listen = "no-port";
	assert_null(http_start(&c, rt));
	c.listen = "127.0.0.1:99999";
	assert_null(http_start(&c, rt));
}

static int group_setup(void **state)
{
	rt = router_new();
	if (router_add_table(rt, routes) < 0)
		return -1;
	return static_setup(state);
}

static int group_teardown(void **state)
{
	router_free(rt);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s-outside.txt'", static_dir, static_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(not_found_problem_json),
	    cmocka_unit_test(not_found_html),
	    cmocka_unit_test(method_not_allowed),
	    cmocka_unit_test(builtin_error_page_when_render_fails),
	    cmocka_unit_test(model_html_or_json),
	    cmocka_unit_test(wants_json_rules),
	    cmocka_unit_test(too_large_body),
	    cmocka_unit_test(malformed_json),
	    cmocka_unit_test(json_body_as_form),
	    cmocka_unit_test(json_sent_as_form),
	    cmocka_unit_test(conflicting_lengths),
	    cmocka_unit_test(forms_through_dispatch),
	    cmocka_unit_test(request_accessors),
	    cmocka_unit_test(headers_and_cookies),
	    cmocka_unit_test(invalid_shape),
	    cmocka_unit_test(authorize_hook),
	    cmocka_unit_test(head_has_no_body),
	    cmocka_unit_test(handler_bugs),
	    cmocka_unit_test(client_ip_forwarded),
	    cmocka_unit_test(static_files),
	    cmocka_unit_test(real_server_keep_alive),
	    cmocka_unit_test(real_server_graceful_stop),
	    cmocka_unit_test(real_server_write_waits_on_a_worker),
	    cmocka_unit_test(real_server_connection_limits),
	    cmocka_unit_test(real_server_304_length),
	    cmocka_unit_test(real_server_raises_fd_limit),
	    cmocka_unit_test(real_server_bad_listen),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
