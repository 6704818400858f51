/* The request object: accessors, the per-request arena, and the request-side
 * parsing shared by the server and fake requests (target, query, body).
 *
 * Everything a request allocates hangs off it and goes in req_free, which the
 * server calls from MHD's completion callback. Small allocations come from an
 * arena whose first chunk is inside struct req, so a typical GET allocates
 * nothing beyond the request itself. */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/xalloc.h"

/* ---- life ---- */

struct req *req_new(void)
{
	struct req *r = xmalloc(sizeof *r);
	/* Everything but the inline arena starts zeroed. */
	memset(r, 0, offsetof(struct req, inline_mem));
	form_init(&r->query);
	form_init(&r->form);
	buf_init(&r->body, HTTP_DEFAULT_MAX_BODY);
	return r;
}

void req_free(struct req *r)
{
	if (!r)
		return;
	for (struct done_hook *h = r->done; h; h = h->next)
		h->fn(h->arg);
	if (r->user_cleanup)
		r->user_cleanup(r->user);
	route_params_cleanup(&r->params);
	form_cleanup(&r->query);
	form_cleanup(&r->form);
	json_decref(r->json);
	buf_cleanup(&r->body);
	if (r->reply.body_owned)
		free(r->reply.body);
	reply_stream_free(r->reply.stream);
	if (r->reply.file)
		static_file_release(r->reply.file);
	if (r->reply.cached)
		http_cache_entry_release(r->reply.cached);
	for (struct arena_chunk *c = r->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(r);
}

/* ---- arena ---- */

#define ARENA_ALIGN alignof(max_align_t)
#define ARENA_CHUNK 4096

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

void *req_alloc(struct req *r, size_t n)
{
	n = align_up(n ? n : 1);
	if (REQ_INLINE_ARENA - r->inline_used >= n) {
		void *p = r->inline_mem + r->inline_used;
		r->inline_used += n;
		return p;
	}
	struct arena_chunk *c = r->chunks;
	if (c && c->cap - c->used >= n) {
		void *p = c->mem + c->used;
		c->used += n;
		return p;
	}
	/* Big requests get a chunk of their own behind the current one, so the
	 * current chunk's free space is not wasted. */
	size_t cap = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
	struct arena_chunk *nc = xmalloc(sizeof *nc + cap);
	nc->cap = cap;
	nc->used = n;
	if (c && cap == n) {
		nc->next = c->next;
		c->next = nc;
	} else {
		nc->next = c;
		r->chunks = nc;
	}
	return nc->mem;
}

static char *req_strndup(struct req *r, const char *s, size_t n)
{
	char *p = req_alloc(r, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *req_strdup(struct req *r, const char *s)
{
	return req_strndup(r, s, strlen(s));
}

/* ---- method, target ---- */

void req_set_method(struct req *r, const char *m)
{
	static const struct {
		const char *name;
		enum http_method m;
	} methods[] = {
	    {"GET", HTTP_GET},       {"HEAD", HTTP_HEAD},   {"POST", HTTP_POST},       {"PUT", HTTP_PUT},
	    {"DELETE", HTTP_DELETE}, {"PATCH", HTTP_PATCH}, {"OPTIONS", HTTP_OPTIONS},
	};
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(m, methods[i].name) == 0) {
			r->method = methods[i].m;
			r->method_name = methods[i].name;
			return;
		}
	r->method = HTTP_OTHER;
	char clean[32];
	log_clean(clean, sizeof clean, m);
	r->method_name = req_strdup(r, clean);
}

/* The decoded path for req_path(): percent-decoded, trailing slashes removed.
 * A path that does not decode cleanly is kept as sent (it cannot match a route
 * anyway, and the raw text is safe to show). */
static char *decode_path(struct req *r, const char *raw)
{
	size_t n = strlen(raw);
	while (n > 1 && raw[n - 1] == '/')
		n--;
	char *out = req_alloc(r, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (raw[i] == '%') {
			int hi = i + 2 < n ? http_hexval((unsigned char)raw[i + 1]) : -1;
			int lo = hi < 0 ? -1 : http_hexval((unsigned char)raw[i + 2]);
			if (lo < 0 || (hi | lo) == 0)
				goto raw;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = raw[i];
		}
	}
	out[o] = '\0';
	if (!utf8_valid(out, o))
		goto raw;
	return out;
raw:
	memcpy(out, raw, n);
	out[n] = '\0';
	return out;
}

void req_set_target(struct req *r, const char *target)
{
	size_t n = strlen(target);
	/* absolute-form ("http://host/path") is allowed by HTTP/1.1: keep the path. */
	if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
		const char *p = strchr(strstr(target, "//") + 2, '/');
		target = p ? p : "/";
		n = strlen(target);
	}
	char *t = req_strndup(r, target, n);
	char *hash = strchr(t, '#');
	if (hash)
		*hash = '\0';
	char *q = strchr(t, '?');
	if (q) {
		*q = '\0';
		r->raw_query = q + 1;
	}
	if (t[0] == '\0')
		t = req_strdup(r, "/");
	r->raw_path = t;
	r->path = decode_path(r, t);
}

void log_clean(char *out, size_t outsz, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *s && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7F || c == '"') {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	if (*s && o + 4 >= outsz && outsz >= 4) { /* cut: say so */
		o = o < outsz - 4 ? o : outsz - 4;
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

const char *req_log_path(const struct req *r)
{
	struct req *w = (struct req *)r; /* computed once, on demand */
	if (!w->log_path) {
		char tmp[512];
		log_clean(tmp, sizeof tmp, req_path(r));
		w->log_path = req_strdup(w, tmp);
	}
	return w->log_path;
}

/* ---- accessors ---- */

enum http_method req_method(const struct req *r)
{
	return r->method;
}

const char *req_method_name(const struct req *r)
{
	return r->method_name ? r->method_name : "";
}

const char *req_path(const struct req *r)
{
	return r->path ? r->path : "/";
}

const struct route *req_route(const struct req *r)
{
	return r->route;
}

const char *req_param(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->params.n; i++)
		if (strcmp(r->params.p[i].name, name) == 0)
			return r->params.p[i].value;
	return NULL;
}

const char *req_query(const struct req *r, const char *name)
{
	const struct form_field *f = form_get(&r->query, name);
	return f ? f->value : NULL;
}

const char *req_header(const struct req *r, const char *name)
{
	if (r->conn)
		return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
	for (const struct hdr *h = r->fake_headers; h; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return h->value;
	return NULL;
}

/* Cookie: a=1; b=2. Parsed here for both kinds of requests (MHD's own cookie
 * parser differs between versions). A quoted value is unquoted. */
const char *req_cookie(const struct req *r, const char *name)
{
	const char *h = req_header(r, "Cookie");
	if (!h)
		return NULL;
	size_t nlen = strlen(name);
	const char *p = h;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq && (size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0) {
			const char *v = eq + 1;
			size_t vlen = len - nlen - 1;
			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			return req_strndup((struct req *)r, v, vlen);
		}
		p += len;
	}
	return NULL;
}

/* Content-Length header values, walked for req_length_conflict. */
struct length_walk {
	const char *first;
	bool conflict;
};

static void length_seen(struct length_walk *w, const char *v)
{
	if (!w->first)
		w->first = v;
	else if (strcmp(w->first, v) != 0)
		w->conflict = true;
}

static enum MHD_Result length_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0)
		length_seen(cls, value ? value : "");
	return MHD_YES;
}

bool req_length_conflict(const struct req *r)
{
	/* Most requests (GET) carry no Content-Length: one lookup, no walk. */
	if (!req_header(r, "Content-Length"))
		return false;
	if (req_header(r, "Transfer-Encoding"))
		return true; /* RFC 9112 6.1: a request smuggling pattern */
	struct length_walk w = {NULL, false};
	if (r->conn) {
		MHD_get_connection_values(r->conn, MHD_HEADER_KIND, length_header, &w);
	} else {
		for (const struct hdr *h = r->fake_headers; h; h = h->next)
			if (strcasecmp(h->name, "Content-Length") == 0)
				length_seen(&w, h->value);
	}
	return w.conflict;
}

/* The socket peer (a fake request's is 127.0.0.1). */
static bool peer_addr(const struct req *r, unsigned char out[16])
{
	if (!r->conn)
		return net_addr_parse("127.0.0.1", 9, out);
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET) {
		char text[NETADDR_TEXT_LEN];
		const struct in_addr *in = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		return inet_ntop(AF_INET, in, text, sizeof text) && net_addr_parse(text, strlen(text), out);
	}
	if (sa && sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

/* The X-Forwarded-For headers of a request, in the order received; past
 * XFF_MAX_HEADERS the oldest (left-most) are dropped. */
#define XFF_MAX_HEADERS 16
struct xff {
	const char *v[XFF_MAX_HEADERS];
	size_t n;
};

static void xff_add(struct xff *x, const char *value)
{
	if (x->n == XFF_MAX_HEADERS) {
		memmove(x->v, x->v + 1, (XFF_MAX_HEADERS - 1) * sizeof x->v[0]);
		x->n--;
	}
	x->v[x->n++] = value;
}

static enum MHD_Result xff_each(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	if (key && value && strcasecmp(key, "X-Forwarded-For") == 0)
		xff_add(cls, value);
	return MHD_YES;
}

static bool xff_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Walks the hops right to left, from the peer (a trusted proxy): each hop
 * that is itself a trusted proxy passes on to the one before it. The client
 * is the first hop that is not trusted; when every hop is trusted, the
 * left-most; a malformed entry (not a bare address) stops the walk at the
 * hop after it, the last one a trusted proxy vouched for. */
static void xff_client(const struct req *r, const struct net_prefixes *trusted, unsigned char client[16])
{
	struct xff x = {.n = 0};
	if (r->conn)
		MHD_get_connection_values(r->conn, MHD_HEADER_KIND, xff_each, &x);
	else
		for (const struct hdr *h = r->fake_headers; h; h = h->next)
			if (strcasecmp(h->name, "X-Forwarded-For") == 0)
				xff_add(&x, h->value);
	for (size_t k = x.n; k-- > 0;) {
		const char *s = x.v[k];
		size_t end = strlen(s);
		for (;;) {
			while (end > 0 && (xff_space(s[end - 1]) || s[end - 1] == ','))
				end--;
			if (end == 0)
				break;
			size_t start = end;
			while (start > 0 && s[start - 1] != ',')
				start--;
			size_t a = start;
			while (a < end && xff_space(s[a]))
				a++;
			unsigned char hop[16];
			if (!net_addr_parse(s + a, end - a, hop))
				return;
			memcpy(client, hop, 16);
			if (!net_prefixes_contain(trusted, hop))
				return;
			end = start;
		}
	}
}

const char *req_client_ip(const struct req *r)
{
	struct req *w = (struct req *)r; /* the address is worked out once, on demand */
	if (w->client_ip[0])
		return w->client_ip;
	unsigned char a[16];
	if (!peer_addr(r, a)) {
		snprintf(w->client_ip, sizeof w->client_ip, "unknown");
		return w->client_ip;
	}
	const struct net_prefixes *trusted = r->cfg ? r->cfg->trusted_proxies : NULL;
	if (trusted && net_prefixes_contain(trusted, a))
		xff_client(r, trusted, a);
	net_addr_format(a, w->client_ip);
	return w->client_ip;
}

const char *req_form(const struct req *r, const char *name)
{
	if (r->json) {
		json_t *v = json_object_get(r->json, name);
		char tmp[64];
		if (!v)
			return NULL;
		switch (json_typeof(v)) {
		case JSON_STRING: return json_string_value(v);
		case JSON_INTEGER:
			snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			break;
		case JSON_REAL: snprintf(tmp, sizeof tmp, "%.17g", json_real_value(v)); break;
		case JSON_TRUE: return "true";
		case JSON_FALSE: return "false";
		default: return NULL;
		}
		return req_strdup((struct req *)r, tmp);
	}
	const struct form_field *f = form_get(&r->form, name);
	return f ? f->value : NULL;
}

const struct form_field *req_file(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->form.n; i++)
		if (r->form.f[i].filename && strcmp(r->form.f[i].name, name) == 0)
			return &r->form.f[i];
	return NULL;
}

const struct form_field *req_file_at(const struct req *r, const char *name, size_t n)
{
	for (size_t i = 0; i < r->form.n; i++)
		if (r->form.f[i].filename && strcmp(r->form.f[i].name, name) == 0 && n-- == 0)
			return &r->form.f[i];
	return NULL;
}

json_t *req_json(const struct req *r)
{
	return r->json;
}

bool req_is_json_body(const struct req *r)
{
	return r->is_json;
}

const char *req_body(const struct req *r, size_t *len)
{
	if (len)
		*len = r->body.len;
	return buf_str(&r->body);
}

/* Accept: a list of media ranges with optional q. JSON wins when a JSON type
 * is acceptable and text/html is not preferred over it (higher q, or equal q
 * and listed first). Wildcards do not count: browsers send * / * too. */
bool req_wants_json(const struct req *r)
{
	const char *h = req_header(r, "Accept");
	if (!h)
		return false;
	int json_q = -1, html_q = -1; /* q × 1000; -1 absent */
	int json_at = 0, html_at = 0, idx = 0;
	const char *p = h;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *semi = memchr(p, ';', len);
		size_t tlen = semi ? (size_t)(semi - p) : len;
		while (tlen > 0 && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
			tlen--;
		int q = 1000;
		for (const char *prm = semi; prm && prm < p + len;
		     prm = memchr(prm + 1, ';', len - (size_t)(prm + 1 - p))) {
			const char *a = prm + 1;
			while (*a == ' ' || *a == '\t')
				a++;
			if ((*a == 'q' || *a == 'Q') && a[1] == '=') {
				double d = strtod(a + 2, NULL);
				if (!(d >= 0.0)) /* also NaN */
					d = 0.0;
				if (d > 1.0)
					d = 1.0;
				q = (int)(d * 1000.0 + 0.5);
				break;
			}
		}
		idx++;
		bool is_json = (tlen == 16 && strncasecmp(p, "application/json", 16) == 0) ||
		               (tlen == 24 && strncasecmp(p, "application/problem+json", 24) == 0);
		bool is_html = tlen == 9 && strncasecmp(p, "text/html", 9) == 0;
		if (is_json && q > json_q) {
			json_q = q;
			json_at = idx;
		}
		if (is_html && q > html_q) {
			html_q = q;
			html_at = idx;
		}
		p += len;
	}
	if (json_q <= 0)
		return false;
	if (html_q < 0)
		return true;
	return json_q > html_q || (json_q == html_q && json_at < html_at);
}

/* ---- user slot ---- */

void req_set_user(struct req *r, void *user, void (*cleanup)(void *))
{
	if (r->user_cleanup && r->user != user)
		r->user_cleanup(r->user);
	r->user = user;
	r->user_cleanup = cleanup;
}

void *req_user(const struct req *r)
{
	return r->user;
}

/* ---- completion hooks ---- */

void req_on_done(struct req *r, void (*fn)(void *arg), void *arg)
{
	struct done_hook *h = req_alloc(r, sizeof *h);
	*h = (struct done_hook){r->done, fn, arg};
	r->done = h;
}

void *req_done_arg(const struct req *r, void (*fn)(void *arg))
{
	for (const struct done_hook *h = r->done; h; h = h->next)
		if (h->fn == fn)
			return h->arg;
	return NULL;
}

/* ---- body ---- */

/* Compares the media type of a Content-Type value (before ';'). */
static bool media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return false;
	char c = ct[n];
	return c == '\0' || c == ';' || c == ' ' || c == '\t';
}

static bool media_is_json(const char *ct)
{
	if (media_is(ct, "application/json"))
		return true;
	/* application/<something>+json */
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t len = strcspn(ct, "; \t");
	return len > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	       strncasecmp(ct + len - 5, "+json", 5) == 0;
}

void req_body_begin(struct req *r, const struct http_config *cfg)
{
	const char *ct = req_header(r, "Content-Type");
	size_t max_body = cfg && cfg->max_body ? cfg->max_body : HTTP_DEFAULT_MAX_BODY;
	size_t max_upload = cfg && cfg->max_upload ? cfg->max_upload : HTTP_DEFAULT_MAX_UPLOAD;
	r->body_limit = max_body;
	if (!ct) {
		r->kind = BODY_OTHER;
	} else if (media_is(ct, "application/x-www-form-urlencoded")) {
		r->kind = BODY_URLENCODED;
	} else if (media_is(ct, "multipart/form-data")) {
		r->kind = BODY_MULTIPART;
		r->body_limit = max_upload;
	} else if (media_is_json(ct)) {
		r->kind = BODY_JSON;
		r->is_json = true;
	} else {
		r->kind = BODY_OTHER;
	}
	r->body.max = r->body_limit;
}

static struct form_limits limits_for(const struct req *r)
{
	struct form_limits lim = FORM_DEFAULT_LIMITS;
	lim.max_file = r->body_limit;
	return lim;
}

/* Replies for a form that did not parse: 413 for a limit, else 400 naming the
 * field (`bad` is "body" when no field can be named). A field *name* over the
 * limit (FORM_TOO_LONG for "body") is no form at all, whatever its size, but
 * typically JSON or a file sent with a form's Content-Type: 400 naming the
 * body, not 413. */
static void form_error(struct req *r, enum form_status st, const char *bad, enum err code)
{
	const char *field = bad && strcmp(bad, "body") != 0 ? bad : NULL;
	if (st == FORM_TOO_LONG && !field) {
		reply_error(r, code, "body", "ชื่อช่องข้อมูลยาวเกินกำหนด: ข้อมูลที่ส่งมาไม่ใช่แบบฟอร์ม");
		return;
	}
	if (st == FORM_TOO_MANY || st == FORM_TOO_LONG) {
		reply_error(r, ERR_TOO_LARGE, field,
		            st == FORM_TOO_MANY ? "จำนวนช่องข้อมูลเกินกำหนด" : "ข้อมูลในช่องนี้ยาวเกินกำหนด");
		return;
	}
	if (!field) {
		reply_error(r, code, NULL, "รูปแบบข้อมูลไม่ถูกต้อง");
		return;
	}
	char *detail = xasprintf("ข้อมูลในช่อง \"%s\" มีรูปแบบไม่ถูกต้อง", field);
	reply_error(r, code, field, detail);
	free(detail);
}

/* A urlencoded body never starts with '{' or '[' (browsers send them as %7B,
 * %5B): such a body is JSON sent with a form's Content-Type. */
static bool looks_like_json(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i < n && (s[i] == '{' || s[i] == '[');
}

int req_parse_query(struct req *r)
{
	if (!r->raw_query || !r->raw_query[0] || r->query.n)
		return 0;
	const char *bad = NULL;
	enum form_status st =
	    form_parse_urlencoded(&r->query, r->raw_query, strlen(r->raw_query), &FORM_DEFAULT_LIMITS, &bad);
	if (st == FORM_OK)
		return 0;
	form_error(r, st, bad, ERR_BAD_REQUEST);
	return -1;
}

int req_parse_body(struct req *r)
{
	if (r->body.len == 0 || r->form.n || r->json)
		return 0;
	const char *bad = NULL;
	enum form_status st = FORM_OK;
	struct form_limits lim = limits_for(r);
	switch (r->kind) {
	case BODY_URLENCODED:
		if (looks_like_json(r->body.data, r->body.len)) {
			reply_error(r, ERR_BAD_FORM, "body",
			            "ข้อมูลที่ส่งมาเป็น JSON แต่ระบุ Content-Type เป็นแบบฟอร์ม "
			            "(application/x-www-form-urlencoded): ส่ง Content-Type: application/json");
			return -1;
		}
		st = form_parse_urlencoded(&r->form, r->body.data, r->body.len, &lim, &bad);
		break;
	case BODY_MULTIPART:
		st = form_parse_multipart(&r->form, req_header(r, "Content-Type"), r->body.data, r->body.len,
		                          &lim, &bad);
		break;
	case BODY_JSON: {
		json_error_t e;
		r->json = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &e);
		if (!r->json) {
			char *detail = xasprintf("บรรทัด %d คอลัมน์ %d: %s", e.line, e.column, e.text);
			reply_error(r, ERR_BAD_JSON, NULL, detail);
			free(detail);
			return -1;
		}
		if (!json_is_object(r->json)) {
			json_decref(r->json);
			r->json = NULL;
			reply_error(r, ERR_BAD_JSON, NULL, "ข้อมูล JSON ต้องเป็นออบเจ็กต์ { ... }");
			return -1;
		}
		return 0;
	}
	default: return 0; /* unknown types are left to the handler (415 if it cares) */
	}
	if (st == FORM_OK)
		return 0;
	/* bad may point into the form: reply (which copies it) before freeing. */
	form_error(r, st, bad, ERR_BAD_FORM);
	form_cleanup(&r->form); /* a half-parsed form is never seen by handlers */
	return -1;
}
