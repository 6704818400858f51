/* The one dispatch path, shared by the server and fake requests, so a unit
 * test sees exactly what a client would:
 *
 *   conflicting lengths (400) → body limit (413) → /static/ → page cache hit (GET/HEAD) → route (404 /
 *   405 + Allow) → query and body parsing (400 / 413) → cfg->authorize (its
 *   error) → handler (500 if it does not reply) → default headers (and, on a
 *   cached route, the page cache keeps the answer). */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "lib/log.h"
#include "lib/xalloc.h"

static void allow_header(struct req *r, unsigned allowed)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {HTTP_GET, "GET"},       {HTTP_HEAD, "HEAD"},   {HTTP_POST, "POST"},       {HTTP_PUT, "PUT"},
	    {HTTP_DELETE, "DELETE"}, {HTTP_PATCH, "PATCH"}, {HTTP_OPTIONS, "OPTIONS"},
	};
	char buf[128];
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(allowed & names[i].bit))
			continue;
		size_t l = strlen(names[i].name);
		if (n + l + 3 > sizeof buf)
			break;
		if (n) {
			memcpy(buf + n, ", ", 2);
			n += 2;
		}
		memcpy(buf + n, names[i].name, l + 1);
		n += l;
	}
	reply_header_add(r, "Allow", buf);
}

static bool is_static(const struct http_config *cfg, const struct req *r)
{
	return cfg && cfg->static_dir && strncmp(r->path, "/static/", 8) == 0;
}

void http_dispatch(const struct http_config *cfg, const struct router *rt, struct req *r)
{
	r->cfg = cfg;
	if (!r->body_limit)
		req_body_begin(r, cfg);
	if (req_length_conflict(r)) {
		/* Where this body ends is ambiguous, and so is where the next
		 * request starts: answer and close (the server does not read it). */
		reply_header_add(r, "Connection", "close");
		reply_error(r, ERR_BAD_REQUEST, "Content-Length",
		            "ความยาวข้อมูลระบุไว้หลายแบบไม่ตรงกัน (Content-Length ซ้ำ หรือมี Transfer-Encoding ด้วย)");
		goto out;
	}
	if (r->too_large || r->body.len > r->body_limit) {
		r->too_large = true;
		buf_cleanup(&r->body);
		char *detail = xasprintf("ขนาดสูงสุด %zu ไบต์", r->body_limit);
		reply_error(r, ERR_TOO_LARGE, NULL, detail);
		free(detail);
		goto out;
	}
	if (is_static(cfg, r)) {
		static_serve(r);
		goto out;
	}
	/* Before routing: an entry exists only for a cached route of this
	 * router, and a hit then costs no routing at all. */
	if (http_cache_lookup(r, rt))
		goto out;
	const struct route *route = NULL;
	unsigned allowed = 0;
	switch (router_match(rt, r->method, r->raw_path, &route, &r->params, &allowed)) {
	case ROUTE_FOUND: break;
	case ROUTE_NOT_FOUND: reply_error(r, ERR_NOT_FOUND, NULL, NULL); goto out;
	case ROUTE_BAD_METHOD:
		allow_header(r, allowed);
		reply_error(r, ERR_METHOD, NULL, NULL);
		goto out;
	}
	r->route = route;
	if (req_parse_query(r) < 0 || req_parse_body(r) < 0)
		goto out;
	if (cfg && cfg->authorize) {
		enum err e = cfg->authorize(r, route);
		/* The hook returns a bare code; a CSRF failure is always about the
		 * "csrf" field (form field or X-CSRF-Token). A hook that wants to
		 * name another field replies itself with reply_error. */
		if (e != ERR_OK && !req_replied(r))
			reply_error(r, e, e == ERR_CSRF ? "csrf" : NULL, NULL);
		if (req_replied(r))
			goto out;
	}
	route->handler(r);
	if (!req_replied(r)) {
		log_bug("handler %s returned without a reply (%s %s)", route->name ? route->name : "?",
		        req_method_name(r), req_log_path(r));
		reply_error(r, ERR_INTERNAL, NULL, NULL);
	}
	if ((route->flags & (ROUTE_PUBLIC | ROUTE_CACHED)) == (ROUTE_PUBLIC | ROUTE_CACHED) &&
	    (r->method & (HTTP_GET | HTTP_HEAD))) {
		http_cache_finish(r, rt); /* calls reply_finish */
		return;
	}
out:
	reply_finish(r);
}
