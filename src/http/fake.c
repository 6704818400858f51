/* Fake requests: a struct req built from strings instead of a socket, run
 * through the same http_dispatch() as the server, with the reply kept for the
 * test to inspect. */
#include "http/http.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"
#include "lib/xalloc.h"
#include "lib/log.h"

struct req *req_fake_new(const char *method, const char *target, const char *const *headers, const char *body,
                         size_t body_len)
{
	struct req *r = req_new();
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	req_set_method(r, method ? method : "GET");
	req_set_target(r, target ? target : "/");
	struct hdr **tail = &r->fake_headers;
	for (size_t i = 0; headers && headers[i]; i++) {
		const char *colon = strchr(headers[i], ':');
		if (!colon || colon == headers[i]) {
			log_bug("req_fake_new: header without a name: %s", headers[i]);
			continue;
		}
		size_t nlen = (size_t)(colon - headers[i]);
		char *name = req_alloc(r, nlen + 1);
		memcpy(name, headers[i], nlen);
		name[nlen] = '\0';
		const char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		struct hdr *h = req_alloc(r, sizeof *h);
		h->next = NULL;
		h->name = name;
		h->value = req_strdup(r, v);
		*tail = h;
		tail = &h->next;
	}
	/* The whole body is given: the size check happens at dispatch, against
	 * the config's limit, as the server would answer. */
	r->body.max = SIZE_MAX / 2;
	if (body && body_len)
		buf_append(&r->body, body, body_len);
	return r;
}

void http_dispatch_fake(const struct http_config *cfg, const struct router *rt, struct req *r)
{
	http_dispatch(cfg, rt, r);
	/* A streamed body is read here at once, as a client would read it. */
	struct reply_stream_src *st = r->reply.stream;
	if (st) {
		r->reply.stream = NULL;
		char *body = xmalloc(st->size ? st->size : 1);
		uint64_t pos = 0;
		while (pos < st->size) {
			long long n = st->read(st->ctx, pos, body + pos, st->size - pos);
			if (n <= 0)
				break;
			pos += (uint64_t)n;
		}
		r->reply.body = body;
		r->reply.len = pos;
		r->reply.body_owned = true;
		reply_stream_free(st);
	}
}

int req_fake_status(const struct req *r)
{
	return r->reply.status;
}

const char *req_fake_body(const struct req *r, size_t *len)
{
	size_t dummy;
	if (!len)
		len = &dummy;
	if (r->method == HTTP_HEAD || r->reply.status == 304) { /* as on the wire: headers only */
		*len = 0;
		return "";
	}
	if (r->reply.file)
		return static_file_body(r->reply.file, r->reply.not_modified, len);
	if (r->reply.cached)
		return http_cache_entry_body(r->reply.cached, r->reply.not_modified, len);
	*len = r->reply.len;
	return r->reply.body ? r->reply.body : "";
}

const char *req_fake_reply_header(const struct req *r, const char *name)
{
	const char *v = reply_header_get(r, name);
	if (!v && r->reply.file)
		v = static_file_header(r->reply.file, r->reply.not_modified, name);
	if (!v && r->reply.cached)
		v = http_cache_entry_header(r->reply.cached, r->reply.not_modified, name);
	return v;
}

void req_fake_free(struct req *r)
{
	req_free(r);
}
