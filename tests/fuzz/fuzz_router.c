/* libFuzzer target for the router and the whole fake-request path.
 *
 * Input: byte 0 picks the method; the rest is "target\nheader\nheader\n\nbody".
 * 1. router_match of the raw target against a fixed table: a match must be a
 *    route that accepts the method, with parameters that are non-empty.
 * 2. The same input as a fake request through http_dispatch_fake: every reply
 *    has a status and the security headers, and a static file answered 200 is
 *    one of the files in the fuzz static directory (no traversal). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http.h"
#include "lib/log.h"

#include "../common/any_scope.h"

static void h_ok(struct req *r)
{
	json_t *m = json_object();
	const char *p = req_param(r, "code");
	if (p)
		json_object_set_new(m, "code", json_string(p));
	const char *a = req_form(r, "a");
	if (a)
		json_object_set_new(m, "a", json_string(a));
	const char *q = req_query(r, "q");
	if (q)
		json_object_set_new(m, "q", json_string(q));
	(void)req_cookie(r, "sid");
	(void)req_file(r, "doc");
	reply_model(r, 200, "page", m);
}

static void h_none(struct req *r)
{
	(void)r;
}

static void h_invalid(struct req *r)
{
	reply_invalid(r, "form", NULL, json_pack("[{s:s,s:s}]", "field", "a", "message", "x"));
}

static const struct route table[] = {
    {HTTP_GET, "/", 0, ROUTE_PUBLIC, h_ok, "home", &any_scope},
    {HTTP_GET | HTTP_POST, "/units", 0, ROUTE_PUBLIC, h_ok, "units", &any_scope},
    {HTTP_GET, "/units/new", 0, ROUTE_PUBLIC, h_ok, "units.new", &any_scope},
    {HTTP_GET | HTTP_PUT, "/units/{code}", 0, 0, h_ok, "units.show", &any_scope},
    {HTTP_GET, "/units/{code}/visits/{id}", 0, 0, h_ok, "visits.show", &any_scope},
    {HTTP_POST, "/units/{code}/visits", 0, 0, h_invalid, "visits.create", &any_scope},
    {HTTP_DELETE, "/users/{id}", 1, 0, h_none, "users.delete", &any_scope},
    {HTTP_POST, "/login", 0, ROUTE_PUBLIC | ROUTE_NO_CSRF, h_ok, "login", &any_scope},
    {0},
};

static struct router *rt;
static char static_dir[64];
static const char css[] = "a{}";

static int render(struct req *r, const char *tpl, json_t *model, struct buf *out)
{
	char *j = json_dumps(model, JSON_COMPACT);
	int rc = j ? buf_puts(out, j) : -1;
	free(j);
	return rc;
}

static enum err authorize(struct req *r, const struct route *route)
{
	if (route->flags & ROUTE_PUBLIC)
		return ERR_OK;
	return req_header(r, "X-Ok") ? ERR_OK : ERR_UNAUTHORIZED;
}

static struct http_config cfg = {
    .listen = NULL,
    .static_dir = static_dir,
    .max_body = 2048,
    .max_upload = 4096,
    .render = render,
    .authorize = authorize,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERROR); /* client errors log at info: too chatty here */
	rt = router_new();
	if (router_add_table(rt, table) < 0)
		abort();
	snprintf(static_dir, sizeof static_dir, "/tmp/osspoint-fuzz-static-%d", (int)getpid());
	mkdir(static_dir, 0700);
	char p[128];
	snprintf(p, sizeof p, "%s/a.css", static_dir);
	FILE *f = fopen(p, "w");
	if (!f)
		abort();
	fputs(css, f);
	fclose(f);
	return 0;
}

static const char *const SECURITY[] = {"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                                       "Referrer-Policy",         "Permissions-Policy",     NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 8192)
		return 0;
	static const char *const methods[] = {"GET",    "HEAD",  "POST",    "PUT",
	                                      "DELETE", "PATCH", "OPTIONS", "BREW"};
	static const enum http_method mbits[] = {HTTP_GET,    HTTP_HEAD,  HTTP_POST,    HTTP_PUT,
	                                         HTTP_DELETE, HTTP_PATCH, HTTP_OPTIONS, HTTP_OTHER};
	size_t mi = data[0] % 8;

	/* split the rest: target, headers, body */
	char *in = malloc(size);
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	size_t n = size - 1;
	char *target = in;
	char *nl = memchr(in, '\n', n);
	const char *headers[9] = {0};
	const char *body = "";
	size_t body_len = 0;
	if (nl) {
		*nl = '\0';
		char *p = nl + 1;
		size_t nh = 0;
		while (p < in + n) {
			char *e = memchr(p, '\n', (size_t)(in + n - p));
			if (!e) {
				break;
			}
			*e = '\0';
			if (*p == '\0') { /* blank line: the body follows */
				body = e + 1;
				body_len = (size_t)(in + n - (e + 1));
				break;
			}
			if (nh < 8 && strchr(p, ':'))
				headers[nh++] = p;
			p = e + 1;
		}
	}
	/* a target must be a C string: stop at an embedded NUL */
	target[strnlen(target, n)] = '\0';

	/* 1. the router alone */
	const struct route *route = NULL;
	struct route_params rp;
	unsigned allowed = 0;
	enum route_match m = router_match(rt, mbits[mi], target, &route, &rp, &allowed);
	if (m == ROUTE_FOUND) {
		unsigned eff = route->methods | ((route->methods & HTTP_GET) ? HTTP_HEAD : 0);
		if (!(eff & mbits[mi]))
			abort();
		for (size_t i = 0; i < rp.n; i++)
			if (!rp.p[i].value[0] || !rp.p[i].name)
				abort();
	} else if (m == ROUTE_BAD_METHOD && (allowed == 0 || (allowed & mbits[mi]))) {
		abort();
	}
	route_params_cleanup(&rp);

	/* 2. end to end */
	struct req *r = req_fake_new(methods[mi], target, headers, body, body_len);
	http_dispatch_fake(&cfg, rt, r);
	int st = req_fake_status(r);
	if (st < 200 || st > 599)
		abort();
	for (size_t i = 0; SECURITY[i]; i++)
		if (!req_fake_reply_header(r, SECURITY[i]))
			abort();
	if (st == 200 && !req_route(r) && mbits[mi] == HTTP_GET) {
		size_t len;
		const char *b = req_fake_body(r, &len);
		if (len != sizeof css - 1 || memcmp(b, css, len) != 0)
			abort(); /* something other than our one file was served */
	}
	req_fake_free(r);
	free(in);
	return 0;
}
