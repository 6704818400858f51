/* Replies: the reply_* functions record status, headers and body in the
 * request; the server turns that into an MHD response after the handler
 * returns (fake requests keep it for inspection). One reply per request.
 *
 * Every error reply takes its status and Thai title from err_info(), and is an
 * HTML page (template "error") or application/problem+json, by Accept. */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"
#include "lib/log.h"
#include "lib/xalloc.h"

const char *const http_security_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
     "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
    {NULL, NULL},
};

#define CT_HTML    "text/html; charset=utf-8"
#define CT_JSON    "application/json; charset=utf-8"
#define CT_PROBLEM "application/problem+json; charset=utf-8"

/* ---- headers ---- */

/* Appends a header whose strings outlive the request (static or arena). */
static void hdr_push(struct req *r, const char *name, const char *value)
{
	struct hdr *h = req_alloc(r, sizeof *h);
	h->next = NULL;
	h->name = name;
	h->value = value;
	if (r->reply.tail)
		r->reply.tail->next = h;
	else
		r->reply.head = h;
	r->reply.tail = h;
}

static void hdr_remove(struct req *r, const char *name)
{
	struct hdr **pp = &r->reply.head;
	r->reply.tail = NULL;
	while (*pp) {
		if (strcasecmp((*pp)->name, name) == 0) {
			*pp = (*pp)->next;
			continue;
		}
		r->reply.tail = *pp;
		pp = &(*pp)->next;
	}
}

void reply_header_add(struct req *r, const char *name, const char *value)
{
	hdr_push(r, req_strdup(r, name), req_strdup(r, value));
}

const char *reply_header_get(const struct req *r, const char *name)
{
	for (const struct hdr *h = r->reply.head; h; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return h->value;
	return NULL;
}

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool token_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* No CR, LF or other controls but tab: a value must not split the header. */
static bool header_value_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t') || c == 0x7F)
			return false;
	}
	return true;
}

void reply_header(struct req *r, const char *name, const char *value)
{
	if (!name || !value || !token_ok(name) || !header_value_ok(value)) {
		log_bug("reply_header: refused header %s", name && token_ok(name) ? name : "(bad name)");
		return;
	}
	if (strcasecmp(name, "Content-Length") == 0 || strcasecmp(name, "Transfer-Encoding") == 0) {
		log_bug("reply_header: %s is set by the server", name);
		return;
	}
	reply_header_add(r, name, value);
}

static bool cookie_value_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x21 || c > 0x7E || c == '"' || c == ',' || c == ';' || c == '\\')
			return false;
	}
	return true;
}

void reply_cookie(struct req *r, const char *name, const char *value, long max_age)
{
	if (!name || !value || !token_ok(name) || !cookie_value_ok(value)) {
		log_bug("reply_cookie: refused cookie %s", name && token_ok(name) ? name : "(bad name)");
		return;
	}
	bool secure = r->cfg && r->cfg->secure_cookies;
	char age[48] = "";
	if (max_age >= 0)
		snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
	char *c = xasprintf("%s=%s%s; Path=/; HttpOnly; SameSite=Lax%s", name, value, age,
	                    secure ? "; Secure" : "");
	hdr_push(r, "Set-Cookie", req_strdup(r, c));
	free(c);
}

/* ---- setting the reply ---- */

bool req_replied(const struct req *r)
{
	return r->reply.status != 0;
}

/* Records the reply; takes ownership of body (malloc'ed, may be NULL). */
static void set_reply(struct req *r, int status, const char *ctype, char *body, size_t len)
{
	if (r->reply.status) {
		log_bug("second reply (%d after %d) for %s %s", status, r->reply.status, req_method_name(r),
		        req_log_path(r));
		free(body);
		return;
	}
	r->reply.status = status;
	r->reply.body = body;
	r->reply.len = body ? len : 0;
	r->reply.body_owned = body != NULL;
	if (ctype) {
		hdr_remove(r, "Content-Type"); /* the reply's own type wins */
		hdr_push(r, "Content-Type", ctype);
	}
}

static bool replied_already(struct req *r, const char *what)
{
	if (!r->reply.status)
		return false;
	log_bug("%s after a reply (%d) for %s %s", what, r->reply.status, req_method_name(r),
	        req_log_path(r));
	return true;
}

void reply_bytes(struct req *r, int status, const char *content_type, const void *data, size_t len)
{
	if (replied_already(r, "reply_bytes"))
		return;
	char *copy = xmalloc(len ? len : 1);
	if (len)
		memcpy(copy, data, len);
	set_reply(r, status, content_type ? content_type : "application/octet-stream", copy, len);
}

void reply_bytes_owned(struct req *r, int status, const char *content_type, void *data, size_t len)
{
	set_reply(r, status, content_type ? content_type : "application/octet-stream", data, len);
}

void reply_stream_free(struct reply_stream_src *s)
{
	if (!s)
		return;
	if (s->free_ctx)
		s->free_ctx(s->ctx);
	free(s);
}

void reply_stream(struct req *r, int status, const char *content_type, uint64_t size, reply_read_fn read,
                  void (*free_ctx)(void *ctx), void *ctx)
{
	if (replied_already(r, "reply_stream")) {
		if (free_ctx)
			free_ctx(ctx);
		return;
	}
	/* The type may live in the handler's memory (a database row): copy it. */
	set_reply(r, status, req_strdup(r, content_type ? content_type : "application/octet-stream"), NULL,
	          0);
	struct reply_stream_src *s = xcalloc(1, sizeof *s);
	s->size = size;
	s->read = read;
	s->free_ctx = free_ctx;
	s->ctx = ctx;
	r->reply.stream = s;
}

void reply_redirect(struct req *r, int status, const char *location)
{
	if (replied_already(r, "reply_redirect"))
		return;
	if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
		log_bug("reply_redirect: status %d is not a redirect; using 303", status);
		status = 303;
	}
	if (!location || !location[0] || !header_value_ok(location)) {
		log_bug("reply_redirect: bad location");
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	reply_header_add(r, "Location", location);
	set_reply(r, status, NULL, NULL, 0);
}

/* ---- JSON ---- */

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return buf_append(data, buffer, size);
}

/* Compact UTF-8 JSON into a malloc'ed string; NULL when it cannot be dumped. */
static char *json_to_text(const json_t *j, size_t *len)
{
	struct buf b;
	buf_init(&b, HTTP_RENDER_MAX);
	if (!j || json_dump_callback(j, dump_cb, &b, JSON_COMPACT | JSON_ENCODE_ANY) < 0) {
		buf_cleanup(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

/* A JSON string for text we did not check: invalid UTF-8 becomes '?'. */
static json_t *jstr(const char *s)
{
	if (utf8_valid(s, strlen(s)))
		return json_string(s);
	char *c = xstrdup(s);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	json_t *j = json_string(c);
	free(c);
	return j;
}

static void send_json(struct req *r, int status, const char *ctype, json_t *body)
{
	size_t len = 0;
	char *text = json_to_text(body, &len);
	json_decref(body);
	if (!text) {
		log_bug("JSON reply for %s %s could not be encoded", req_method_name(r), req_log_path(r));
		static const char fallback[] = "{\"type\":\"/problems/internal\",\"status\":500}";
		set_reply(r, 500, CT_PROBLEM, xstrdup(fallback), sizeof fallback - 1);
		return;
	}
	set_reply(r, status, ctype, text, len);
}

void reply_json(struct req *r, int status, json_t *body)
{
	if (replied_already(r, "reply_json")) {
		json_decref(body);
		return;
	}
	send_json(r, status, CT_JSON, body);
}

/* ---- HTML ---- */

/* The page we send when the app's error template is missing or fails. */
static void builtin_page(struct req *r, int status, const char *title, const char *detail)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "<!doctype html>\n<html lang=\"th\"><head><meta charset=\"utf-8\"><title>%d ", status);
	buf_put_html(&b, title, strlen(title));
	buf_puts(&b, "</title></head><body><h1>");
	buf_put_html(&b, title, strlen(title));
	buf_puts(&b, "</h1>");
	if (detail && detail[0]) {
		buf_puts(&b, "<p>");
		buf_put_html(&b, detail, strlen(detail));
		buf_puts(&b, "</p>");
	}
	buf_printf(&b, "<p>รหัสข้อผิดพลาด %d</p><p><a href=\"/\">กลับหน้าแรก</a></p></body></html>\n", status);
	size_t len;
	char *text = buf_detach(&b, &len);
	set_reply(r, status, CT_HTML, text, len);
}

/* Renders through the app's hook; false (nothing replied) when it fails.
 * Takes ownership of model. */
static bool render_html(struct req *r, int status, const char *tpl, json_t *model)
{
	bool ok = false;
	if (r->cfg && r->cfg->render && model) {
		struct buf b;
		buf_init(&b, HTTP_RENDER_MAX);
		if (r->cfg->render(r, tpl, model, &b) == 0) {
			size_t len;
			char *text = buf_detach(&b, &len);
			set_reply(r, status, CT_HTML, text, len);
			ok = true;
		} else {
			buf_cleanup(&b);
			log_bug("template \"%s\" failed for %s %s", tpl, req_method_name(r), req_log_path(r));
		}
	} else if (!model) {
		log_bug("no model for template \"%s\" (%s %s)", tpl, req_method_name(r), req_log_path(r));
	} else {
		log_bug("no render hook configured for template \"%s\"", tpl);
	}
	json_decref(model);
	return ok;
}

void reply_model(struct req *r, int status, const char *tpl, json_t *model)
{
	if (replied_already(r, "reply_model")) {
		json_decref(model);
		return;
	}
	if (req_wants_json(r)) {
		send_json(r, status, CT_JSON, model);
		return;
	}
	if (!render_html(r, status, tpl, model)) {
		const struct err_info *e = err_info(ERR_INTERNAL);
		builtin_page(r, e->status, e->title, NULL);
	}
}

/* Errors answer JSON when the client asked for it or spoke JSON to us. */
static bool error_as_json(const struct req *r)
{
	return r->is_json || req_wants_json(r);
}

void reply_error(struct req *r, enum err code, const char *field, const char *detail)
{
	if (replied_already(r, "reply_error"))
		return;
	const struct err_info *e = err_info(code);
	char lf[160], ld[400];
	log_clean(lf, sizeof lf, field ? field : "");
	log_clean(ld, sizeof ld, detail ? detail : "");
	if (e->status >= 500)
		log_error("%s %s: %d %s%s%s", req_method_name(r), req_log_path(r), e->status, e->slug,
		          detail ? ": " : "", ld);
	else
		log_info("%s %s: %d %s%s%s%s%s", req_method_name(r), req_log_path(r), e->status, e->slug,
		         field ? " field=" : "", lf, detail ? ": " : "", ld);
	json_t *m = json_object();
	if (error_as_json(r)) {
		char *type = xasprintf("/problems/%s", e->slug);
		json_object_set_new(m, "type", json_string(type));
		json_object_set_new(m, "code", json_string(e->slug));
		free(type);
	}
	json_object_set_new(m, "title", json_string(e->title));
	json_object_set_new(m, "status", json_integer(e->status));
	if (detail)
		json_object_set_new(m, "detail", jstr(detail));
	if (field)
		json_object_set_new(m, "field", jstr(field));
	if (error_as_json(r)) {
		send_json(r, e->status, CT_PROBLEM, m);
		return;
	}
	json_object_set_new(m, "slug", json_string(e->slug));
	if (!render_html(r, e->status, "error", m))
		builtin_page(r, e->status, e->title, detail);
}

void reply_invalid(struct req *r, const char *tpl, json_t *model, json_t *errors)
{
	reply_invalid_code(r, ERR_INVALID, tpl, model, errors);
}

void reply_invalid_code(struct req *r, enum err code, const char *tpl, json_t *model, json_t *errors)
{
	if (replied_already(r, "reply_invalid")) {
		json_decref(model);
		json_decref(errors);
		return;
	}
	const struct err_info *e = err_info(code);
	if (!json_is_array(errors)) {
		if (errors)
			log_bug("reply_invalid: errors is not an array");
		json_decref(errors);
		errors = json_array();
	}
	log_info("%s %s: %d %s (%zu fields)", req_method_name(r), req_log_path(r), e->status, e->slug,
	         json_array_size(errors));
	if (error_as_json(r)) {
		json_decref(model);
		json_t *p = json_object();
		char type[128];
		snprintf(type, sizeof type, "/problems/%s", e->slug);
		json_object_set_new(p, "type", json_string(type));
		json_object_set_new(p, "code", json_string(e->slug));
		json_object_set_new(p, "title", json_string(e->title));
		json_object_set_new(p, "status", json_integer(e->status));
		json_object_set_new(p, "errors", errors);
		send_json(r, e->status, CT_PROBLEM, p);
		return;
	}
	if (!json_is_object(model)) {
		json_decref(model);
		model = json_object();
	}
	json_object_set(model, "errors", errors);
	json_object_set_new(model, "status", json_integer(e->status));
	if (!tpl) {
		tpl = "error";
		json_object_set_new(model, "title", json_string(e->title));
		json_object_set_new(model, "slug", json_string(e->slug));
	}
	bool ok = render_html(r, e->status, tpl, model);
	if (!ok) {
		/* Still tell the user which fields were wrong. */
		struct buf d;
		buf_init(&d, 64 * 1024);
		size_t i;
		json_t *it;
		json_array_foreach(errors, i, it)
		{
			const char *f = json_string_value(json_object_get(it, "field"));
			const char *msg = json_string_value(json_object_get(it, "message"));
			buf_printf(&d, "%s%s: %s", i ? "; " : "", f ? f : "-", msg ? msg : "-");
		}
		builtin_page(r, e->status, e->title, buf_str(&d));
		buf_cleanup(&d);
	}
	json_decref(errors);
}

/* ---- finishing ---- */

void reply_finish(struct req *r)
{
	if (!r->reply.status) {
		log_bug("no reply for %s %s", req_method_name(r), req_log_path(r));
		reply_error(r, ERR_INTERNAL, NULL, NULL);
	}
	if (r->reply.file || r->reply.cached) /* static files and cache hits carry prebuilt headers */
		return;
	for (size_t i = 0; http_security_headers[i][0]; i++)
		if (!reply_header_get(r, http_security_headers[i][0]))
			hdr_push(r, http_security_headers[i][0], http_security_headers[i][1]);
	if (!reply_header_get(r, "Cache-Control"))
		hdr_push(r, "Cache-Control", "no-store");
}
