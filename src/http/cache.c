/* The page cache: the answers of ROUTE_PUBLIC | ROUTE_CACHED routes, kept in
 * memory and sent again without routing, authorize or the handler (contract in
 * http.h, the why in docs/modules/http.md).
 *
 * A hit must cost what a static file served from memory costs (static.c), so
 * an entry is built like a static file: the bytes, their headers and two
 * prebuilt MHD responses (200 and 304) that every hit queues as is. MHD counts
 * its own references to a response, so one response object is queued by many
 * connections at once; the request holds a reference on the entry until its
 * completion callback, so the bytes outlive every send even when an
 * invalidation drops the entry meanwhile. A hit is one hash of the target, a
 * read lock, a pointer compare or two, one reference: no allocation, no copy.
 *
 * Invalidation bumps a generation and drops every entry under the write lock.
 * A miss records the generation before its handler runs and its answer is
 * kept only if the generation is still the same under the write lock: a page
 * rendered from data older than an invalidation can never land in the new
 * generation. */
#include "http/http.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#define CACHE_BUCKETS 4096 /* a power of two; the default bound is 4096 entries */
#define FNV_BASIS     14695981039346656037ULL

struct cache_hdr {
	const char *name, *value;
};

struct http_cache_entry {
	atomic_int refs; /* the table's + one per request sending it */
	struct http_cache_entry *next;
	unsigned long long hash;
	const struct router *rt;
	bool json;
	char *path, *query; /* raw, as sent; query "" when absent */
	size_t path_len, query_len;
	char *data;
	size_t len;
	const char *etag;
	struct cache_hdr *hdrs; /* the 200's headers; strings in strs */
	size_t nhdrs;
	char *strs;
	struct MHD_Response *resp, *resp304;
};

static struct {
	/* Writer-preferring: a steady stream of hits must not starve an
	 * invalidation. */
	pthread_rwlock_t lock;
	struct http_cache_entry *b[CACHE_BUCKETS];
	size_t entries, bytes;       /* under lock */
	_Atomic uint64_t generation; /* written under the write lock */
	atomic_uint_fast64_t hits, misses, stores;
} cache = {.lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP};

/* The lookup key of a request, without copying it. */
struct key {
	const struct router *rt;
	const char *path, *query;
	size_t path_len, query_len;
	bool json;
	unsigned long long hash;
};

static void key_of(struct key *k, const struct req *r, const struct router *rt)
{
	k->rt = rt;
	k->path = r->raw_path ? r->raw_path : "/";
	k->query = r->raw_query ? r->raw_query : "";
	k->path_len = strlen(k->path);
	k->query_len = strlen(k->query);
	k->json = r->cache_json;
	unsigned long long h = http_fnv1a(&rt, sizeof rt, FNV_BASIS);
	h = http_fnv1a(k->path, k->path_len, h);
	h = http_fnv1a("?", 1, h);
	k->hash = http_fnv1a(k->query, k->query_len, h);
}

static bool key_eq(const struct http_cache_entry *e, const struct key *k)
{
	return e->hash == k->hash && e->rt == k->rt && e->json == k->json && e->path_len == k->path_len &&
	       e->query_len == k->query_len && memcmp(e->path, k->path, k->path_len) == 0 &&
	       memcmp(e->query, k->query, k->query_len) == 0;
}

static struct http_cache_entry **bucket(unsigned long long hash)
{
	return &cache.b[hash & (CACHE_BUCKETS - 1)];
}

static struct http_cache_entry *find_locked(const struct key *k)
{
	struct http_cache_entry *e = *bucket(k->hash);
	while (e && !key_eq(e, k))
		e = e->next;
	return e;
}

/* ---- entries ---- */

static void entry_free(struct http_cache_entry *e)
{
	if (e->resp)
		MHD_destroy_response(e->resp);
	if (e->resp304)
		MHD_destroy_response(e->resp304);
	free(e->data);
	free(e->hdrs);
	free(e->strs);
	free(e->path);
	free(e);
}

void http_cache_entry_release(struct http_cache_entry *e)
{
	if (e && atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
		entry_free(e);
}

/* Representation metadata a 304 leaves out (RFC 9110 15.4.5); it keeps ETag,
 * Cache-Control, Vary and the security headers. */
static bool only_in_200(const char *name)
{
	return strcasecmp(name, "Content-Type") == 0 || strcasecmp(name, "Content-Disposition") == 0 ||
	       strcasecmp(name, "Content-Language") == 0;
}

/* The 304 is built over the same bytes as the 200: MHD never sends a 304's
 * body, but states its length, which RFC 9110 (8.6) wants equal to the 200's
 * (given a zero-length buffer it would say "Content-Length: 0"). */
static struct MHD_Response *build_response(const struct http_cache_entry *e, bool not_modified)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(e->len, e->data, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return NULL;
	for (size_t i = 0; i < e->nhdrs; i++) {
		if (not_modified && only_in_200(e->hdrs[i].name))
			continue;
		if (MHD_add_response_header(resp, e->hdrs[i].name, e->hdrs[i].value) != MHD_YES)
			log_bug("cache: could not add header %s", e->hdrs[i].name);
	}
	return resp;
}

/* A header of the answer as the entry keeps it: the answers sent from memory
 * say so. */
static const char *entry_value(const struct hdr *h)
{
	return strcasecmp(h->name, "X-Cache") == 0 ? "hit" : h->value;
}

/* Copies the finished reply of r (body and headers, "X-Cache: hit" instead of
 * "miss") into a new entry with one reference. NULL when MHD cannot build the
 * responses (logged). */
static struct http_cache_entry *entry_new(const struct req *r, const struct key *k)
{
	struct http_cache_entry *e = xcalloc(1, sizeof *e);
	atomic_init(&e->refs, 1);
	e->hash = k->hash;
	e->rt = k->rt;
	e->json = k->json;
	e->path = xmalloc(k->path_len + k->query_len + 2);
	memcpy(e->path, k->path, k->path_len);
	e->path[k->path_len] = '\0';
	e->query = e->path + k->path_len + 1;
	memcpy(e->query, k->query, k->query_len);
	e->query[k->query_len] = '\0';
	e->path_len = k->path_len;
	e->query_len = k->query_len;
	e->len = r->reply.len;
	e->data = xmalloc(e->len ? e->len : 1);
	if (e->len)
		memcpy(e->data, r->reply.body, e->len);

	size_t n = 0, total = 0;
	for (const struct hdr *h = r->reply.head; h; h = h->next) {
		n++;
		total += strlen(h->name) + strlen(entry_value(h)) + 2;
	}
	e->hdrs = xcalloc(n ? n : 1, sizeof *e->hdrs);
	e->strs = xmalloc(total ? total : 1);
	char *s = e->strs;
	for (const struct hdr *h = r->reply.head; h; h = h->next) {
		const char *value = entry_value(h);
		size_t nl = strlen(h->name) + 1, vl = strlen(value) + 1;
		struct cache_hdr *ch = &e->hdrs[e->nhdrs++];
		ch->name = memcpy(s, h->name, nl);
		s += nl;
		ch->value = memcpy(s, value, vl);
		s += vl;
		if (strcasecmp(ch->name, "ETag") == 0)
			e->etag = ch->value;
	}
	if (!e->etag) { /* http_cache_finish always sets one */
		log_bug("cache: answer without an ETag");
		entry_free(e);
		return NULL;
	}
	e->resp = build_response(e, false);
	e->resp304 = build_response(e, true);
	if (!e->resp || !e->resp304) {
		log_error("cache: could not build a response for %s", e->path);
		entry_free(e);
		return NULL;
	}
	return e;
}

const char *http_cache_entry_body(const struct http_cache_entry *e, bool not_modified, size_t *len)
{
	*len = not_modified ? 0 : e->len;
	return not_modified ? "" : e->data;
}

const char *http_cache_entry_header(const struct http_cache_entry *e, bool not_modified, const char *name)
{
	if (not_modified && only_in_200(name))
		return NULL;
	for (size_t i = 0; i < e->nhdrs; i++)
		if (strcasecmp(e->hdrs[i].name, name) == 0)
			return e->hdrs[i].value;
	return NULL;
}

void *http_cache_entry_response(const struct http_cache_entry *e, bool not_modified)
{
	return not_modified ? e->resp304 : e->resp;
}

/* ---- lookup and store ---- */

bool http_cache_lookup(struct req *r, const struct router *rt)
{
	/* Read before anything the handler reads: see the store's check. */
	r->cache_gen = atomic_load(&cache.generation);
	if (!(r->method & (HTTP_GET | HTTP_HEAD)))
		return false;
	r->cache_json = req_wants_json(r);
	struct key k;
	key_of(&k, r, rt);
	pthread_rwlock_rdlock(&cache.lock);
	struct http_cache_entry *e = find_locked(&k);
	if (e)
		atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
	pthread_rwlock_unlock(&cache.lock);
	if (!e)
		return false;
	atomic_fetch_add_explicit(&cache.hits, 1, memory_order_relaxed);
	const char *inm = req_header(r, "If-None-Match");
	bool nm = inm && http_etag_matches(inm, e->etag);
	r->reply.cached = e;
	r->reply.not_modified = nm;
	r->reply.status = nm ? 304 : 200;
	return true;
}

/* True when an answer of `len` bytes for k may go in now. */
static bool room_locked(const struct req *r, const struct key *k, size_t len)
{
	const struct http_config *cfg = r->cfg;
	size_t max_bytes = cfg && cfg->cache_max_bytes ? cfg->cache_max_bytes : HTTP_CACHE_DEFAULT_MAX_BYTES;
	size_t max_entries =
	    cfg && cfg->cache_max_entries ? cfg->cache_max_entries : HTTP_CACHE_DEFAULT_MAX_ENTRIES;
	return atomic_load(&cache.generation) == r->cache_gen && cache.entries < max_entries &&
	       len <= max_bytes && cache.bytes <= max_bytes - len && !find_locked(k);
}

static void store(const struct req *r, const struct router *rt)
{
	struct key k;
	key_of(&k, r, rt);
	/* Check first under the read lock, so a full cache (or a stale or
	 * duplicate answer) costs no copy. */
	pthread_rwlock_rdlock(&cache.lock);
	bool room = room_locked(r, &k, r->reply.len);
	pthread_rwlock_unlock(&cache.lock);
	if (!room)
		return;
	struct http_cache_entry *e = entry_new(r, &k);
	if (!e)
		return;
	pthread_rwlock_wrlock(&cache.lock);
	room = room_locked(r, &k, e->len);
	if (room) {
		struct http_cache_entry **b = bucket(e->hash);
		e->next = *b;
		*b = e;
		cache.entries++;
		cache.bytes += e->len;
	}
	pthread_rwlock_unlock(&cache.lock);
	if (room)
		atomic_fetch_add_explicit(&cache.stores, 1, memory_order_relaxed);
	else
		http_cache_entry_release(e);
}

/* A handler's own Cache-Control that says the answer is not for everyone. */
static bool not_shared(const char *cc)
{
	return strcasestr(cc, "private") || strcasestr(cc, "no-store");
}

void http_cache_finish(struct req *r, const struct router *rt)
{
	static atomic_flag user_logged = ATOMIC_FLAG_INIT;
	atomic_fetch_add_explicit(&cache.misses, 1, memory_order_relaxed);
	struct reply *rp = &r->reply;
	const char *cc = reply_header_get(r, "Cache-Control");
	bool keep = rp->status == 200 && !rp->file && !rp->cached && !reply_header_get(r, "Set-Cookie") &&
	            !(cc && not_shared(cc));
	if (keep && r->user) {
		/* A page built with a session in hand may show it: never shared. */
		if (!atomic_flag_test_and_set(&user_logged))
			log_bug("cached route %s loaded a user; its answers with one are not kept",
			        r->route && r->route->name ? r->route->name : req_log_path(r));
		keep = false;
	}
	const char *etag = NULL;
	if (keep) {
		if (!cc)
			reply_header_add(r, "Cache-Control", HTTP_CACHE_CONTROL);
		/* The same URL answers HTML or JSON by Accept: shared caches on
		 * the way must keep them apart too. */
		if (!reply_header_get(r, "Vary"))
			reply_header_add(r, "Vary", "Accept");
		etag = reply_header_get(r, "ETag");
		if (!etag) {
			char tag[48];
			snprintf(tag, sizeof tag, "\"%016llx-%zx\"", http_fnv1a(rp->body, rp->len, FNV_BASIS),
			         rp->len);
			reply_header_add(r, "ETag", tag);
			etag = reply_header_get(r, "ETag");
		}
	}
	reply_header_add(r, "X-Cache", "miss");
	reply_finish(r);
	/* HEAD answers are never kept: a handler may leave their body out. */
	if (keep && r->method == HTTP_GET)
		store(r, rt);
	/* The 304 keeps the body it will not send: MHD states its length (RFC
	 * 9110 8.6: the 200's), fake requests show none (req_fake_body). */
	const char *inm = keep ? req_header(r, "If-None-Match") : NULL;
	if (inm && http_etag_matches(inm, etag))
		rp->status = 304;
}

/* ---- invalidation, stats ---- */

void http_cache_invalidate(void)
{
	struct http_cache_entry *list = NULL;
	pthread_rwlock_wrlock(&cache.lock);
	atomic_fetch_add(&cache.generation, 1);
	for (size_t i = 0; i < CACHE_BUCKETS; i++) {
		while (cache.b[i]) {
			struct http_cache_entry *e = cache.b[i];
			cache.b[i] = e->next;
			e->next = list;
			list = e;
		}
	}
	cache.entries = cache.bytes = 0;
	pthread_rwlock_unlock(&cache.lock);
	/* Freed outside the lock (MHD_destroy_response takes MHD's locks). */
	while (list) {
		struct http_cache_entry *next = list->next;
		http_cache_entry_release(list);
		list = next;
	}
}

void http_cache_stats_get(struct http_cache_stats *out)
{
	pthread_rwlock_rdlock(&cache.lock);
	out->entries = cache.entries;
	out->bytes = cache.bytes;
	out->generation = atomic_load(&cache.generation);
	pthread_rwlock_unlock(&cache.lock);
	out->hits = atomic_load_explicit(&cache.hits, memory_order_relaxed);
	out->misses = atomic_load_explicit(&cache.misses, memory_order_relaxed);
	out->stores = atomic_load_explicit(&cache.stores, memory_order_relaxed);
}
