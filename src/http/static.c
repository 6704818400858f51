/* Static files under /static/, served from memory.
 *
 * A file is read once, hashed for a strong ETag, and kept with two prebuilt
 * MHD responses (200 and 304) that every request queues as is: no copy, no
 * header building, no syscall on the hot path. Each entry is re-checked with
 * stat() at most once a second and reloaded when its size, mtime or inode
 * changes. Entries are reference-counted, so a reload never frees bytes a
 * response in flight still points at.
 *
 * Only files inside static_dir are served: every path segment must be
 * non-empty and not start with '.' (no "..", no hidden files), and the real
 * path (symlinks resolved) must lie under the real static_dir. Only the
 * extensions in the type table are served. */
#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/internal.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#define STATIC_MAX_FILE        ((size_t)64 << 20)  /* larger files are not served */
#define STATIC_MAX_CACHED_FILE ((size_t)8 << 20)   /* larger ones are read per request */
#define STATIC_CACHE_MAX_BYTES ((size_t)256 << 20) /* total cached bytes */
#define STATIC_CACHE_MAX_FILES 4096
#define STATIC_BUCKETS         1024
#define STATIC_CACHE_CONTROL   "public, max-age=3600"
#define STATIC_MAX_HEADERS     12

struct static_file {
	atomic_int refs;
	_Atomic long checked; /* CLOCK_MONOTONIC seconds of the last stat */
	char *key;            /* static_dir "/" relative path */
	char *data;
	size_t len;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	bool cached;
	char etag[48];
	const char *hdrs[STATIC_MAX_HEADERS][2]; /* for 200; the 304 skips Content-Type (index 0) */
	size_t nhdrs;
	struct MHD_Response *resp, *resp304;
	struct static_file *next; /* hash chain */
};

static struct {
	pthread_rwlock_t lock;
	struct static_file *b[STATIC_BUCKETS];
	size_t files, bytes;
} cache = {.lock = PTHREAD_RWLOCK_INITIALIZER};

static const struct {
	const char *ext;
	const char *type;
} types[] = {
    {"css", "text/css; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"txt", "text/plain; charset=utf-8"},
    {"pdf", "application/pdf"},
    {"json", "application/json; charset=utf-8"},
};

static const char *type_for(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	const char *dot = strrchr(slash ? slash : rel, '.');
	if (!dot)
		return NULL;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(dot + 1, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* Every segment non-empty, not starting with '.', no backslash. */
static bool rel_ok(const char *rel)
{
	if (!rel[0] || strlen(rel) > 1024)
		return false;
	const char *s = rel;
	for (;;) {
		if (*s == '/' || *s == '\0' || *s == '.')
			return false;
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (memchr(s, '\\', n))
			return false;
		if (!e)
			return true;
		s = e + 1;
	}
}

static long mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long)ts.tv_sec;
}

unsigned long long http_fnv1a(const void *p, size_t n, unsigned long long h)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t bucket_of(const char *key)
{
	return (size_t)(http_fnv1a(key, strlen(key), 14695981039346656037ULL) % STATIC_BUCKETS);
}

static void file_free(struct static_file *f)
{
	if (f->resp)
		MHD_destroy_response(f->resp);
	if (f->resp304)
		MHD_destroy_response(f->resp304);
	free(f->data);
	free(f->key);
	free(f);
}

void static_file_release(struct static_file *f)
{
	if (f && atomic_fetch_sub(&f->refs, 1) == 1)
		file_free(f);
}

/* The 304 is built over the file's bytes too: MHD never sends a 304's body
 * but states its length, which RFC 9110 (8.6) wants equal to the 200's. */
static struct MHD_Response *build_response(const struct static_file *f, bool not_modified)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(f->len, f->data, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return NULL;
	for (size_t i = not_modified ? 1 : 0; i < f->nhdrs; i++)
		if (MHD_add_response_header(resp, f->hdrs[i][0], f->hdrs[i][1]) != MHD_YES)
			log_bug("static: could not add header %s", f->hdrs[i][0]);
	return resp;
}

/* Reads `real` (already checked to be inside the static dir). */
static struct static_file *file_read(const char *key, const char *real, const char *ctype)
{
	int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct static_file *f = NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	if ((unsigned long long)st.st_size > STATIC_MAX_FILE) {
		log_warn("static: %s is over %zu bytes; not served", key, STATIC_MAX_FILE);
		goto out;
	}
	size_t size = (size_t)st.st_size;
	char *data = xmalloc(size ? size : 1);
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, data + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != size) { /* changed under us: try again on the next request */
		free(data);
		goto out;
	}
	f = xcalloc(1, sizeof *f);
	atomic_init(&f->refs, 1);
	atomic_init(&f->checked, mono_seconds());
	f->key = xstrdup(key);
	f->data = data;
	f->len = size;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->mtime = st.st_mtim;
	snprintf(f->etag, sizeof f->etag, "\"%016llx-%zx\"", http_fnv1a(data, size, 14695981039346656037ULL),
	         size);
	f->hdrs[0][0] = "Content-Type";
	f->hdrs[0][1] = ctype;
	f->hdrs[1][0] = "ETag";
	f->hdrs[1][1] = f->etag;
	f->hdrs[2][0] = "Cache-Control";
	f->hdrs[2][1] = STATIC_CACHE_CONTROL;
	f->nhdrs = 3;
	for (size_t i = 0; http_security_headers[i][0] && f->nhdrs < STATIC_MAX_HEADERS; i++) {
		f->hdrs[f->nhdrs][0] = http_security_headers[i][0];
		f->hdrs[f->nhdrs][1] = http_security_headers[i][1];
		f->nhdrs++;
	}
	f->resp = build_response(f, false);
	f->resp304 = build_response(f, true);
	if (!f->resp || !f->resp304) {
		log_error("static: could not build a response for %s", key);
		file_free(f);
		f = NULL;
	}
out:
	close(fd);
	return f;
}

/* Looks the key up and takes a reference. */
static struct static_file *cache_get(const char *key)
{
	size_t b = bucket_of(key);
	pthread_rwlock_rdlock(&cache.lock);
	struct static_file *f = cache.b[b];
	while (f && strcmp(f->key, key) != 0)
		f = f->next;
	if (f)
		atomic_fetch_add(&f->refs, 1);
	pthread_rwlock_unlock(&cache.lock);
	return f;
}

/* Unlinks the entry for key (if any) under the write lock; returns it with the
 * cache's reference, for the caller to release. */
static struct static_file *cache_unlink_locked(const char *key)
{
	struct static_file **pp = &cache.b[bucket_of(key)];
	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0) {
			struct static_file *old = *pp;
			*pp = old->next;
			old->next = NULL;
			cache.files--;
			cache.bytes -= old->len;
			return old;
		}
	return NULL;
}

/* Puts f in the cache (replacing an older entry for the same key) when it fits. */
static void cache_put(struct static_file *f)
{
	pthread_rwlock_wrlock(&cache.lock);
	struct static_file *old = cache_unlink_locked(f->key);
	if (f->len <= STATIC_MAX_CACHED_FILE && cache.files < STATIC_CACHE_MAX_FILES &&
	    cache.bytes + f->len <= STATIC_CACHE_MAX_BYTES) {
		atomic_fetch_add(&f->refs, 1);
		f->cached = true;
		size_t b = bucket_of(f->key);
		f->next = cache.b[b];
		cache.b[b] = f;
		cache.files++;
		cache.bytes += f->len;
	}
	pthread_rwlock_unlock(&cache.lock);
	static_file_release(old);
}

static void cache_drop(const char *key)
{
	pthread_rwlock_wrlock(&cache.lock);
	struct static_file *old = cache_unlink_locked(key);
	pthread_rwlock_unlock(&cache.lock);
	static_file_release(old);
}

void static_cache_clear(void)
{
	struct static_file *list = NULL;
	pthread_rwlock_wrlock(&cache.lock);
	for (size_t i = 0; i < STATIC_BUCKETS; i++) {
		while (cache.b[i]) {
			struct static_file *f = cache.b[i];
			cache.b[i] = f->next;
			f->next = list;
			list = f;
		}
	}
	cache.files = cache.bytes = 0;
	pthread_rwlock_unlock(&cache.lock);
	while (list) {
		struct static_file *next = list->next;
		static_file_release(list);
		list = next;
	}
}

/* Resolves symlinks and checks the file lies under the static directory. */
static bool inside(const char *dir, const char *key, char *real)
{
	char rdir[PATH_MAX];
	if (!realpath(dir, rdir) || !realpath(key, real))
		return false;
	size_t n = strlen(rdir);
	if (n == 1) /* static_dir is "/": everything is inside */
		return true;
	return strncmp(real, rdir, n) == 0 && real[n] == '/';
}

static bool same_file(const struct static_file *f, const struct stat *st)
{
	return f->ino == st->st_ino && f->dev == st->st_dev && (off_t)f->len == st->st_size &&
	       f->mtime.tv_sec == st->st_mtim.tv_sec && f->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* If-None-Match: "*" or a list of entity tags, weak comparison (RFC 9110). */
bool http_etag_matches(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return false;
		const char *end = strchr(p + 1, '"');
		if (!end)
			return false;
		if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return true;
		p = end + 1;
	}
	return false;
}

static void not_found(struct req *r)
{
	reply_error(r, ERR_NOT_FOUND, NULL, NULL);
}

void static_serve(struct req *r)
{
	if (!(r->method & (HTTP_GET | HTTP_HEAD))) {
		reply_header_add(r, "Allow", "GET, HEAD");
		reply_error(r, ERR_METHOD, NULL, NULL);
		return;
	}
	const char *dir = r->cfg->static_dir;
	const char *rel = r->path + strlen("/static/");
	const char *ctype;
	if (!rel_ok(rel) || !(ctype = type_for(rel))) {
		not_found(r);
		return;
	}
	char key[PATH_MAX];
	int kn = snprintf(key, sizeof key, "%s/%s", dir, rel);
	if (kn < 0 || (size_t)kn >= sizeof key) {
		not_found(r);
		return;
	}

	struct static_file *f = cache_get(key);
	long now = mono_seconds();
	if (f && atomic_load(&f->checked) != now) {
		struct stat st;
		if (stat(key, &st) == 0 && same_file(f, &st)) {
			atomic_store(&f->checked, now);
		} else {
			static_file_release(f);
			f = NULL;
		}
	}
	if (!f) {
		char real[PATH_MAX];
		if (!inside(dir, key, real) || !(f = file_read(key, real, ctype))) {
			cache_drop(key);
			not_found(r);
			return;
		}
		cache_put(f);
	}
	const char *inm = req_header(r, "If-None-Match");
	bool nm = inm && http_etag_matches(inm, f->etag);
	r->reply.file = f;
	r->reply.not_modified = nm;
	r->reply.status = nm ? 304 : 200;
}

const char *static_file_body(const struct static_file *f, bool not_modified, size_t *len)
{
	*len = not_modified ? 0 : f->len;
	return not_modified ? "" : f->data;
}

const char *static_file_header(const struct static_file *f, bool not_modified, const char *name)
{
	for (size_t i = not_modified ? 1 : 0; i < f->nhdrs; i++)
		if (strcasecmp(f->hdrs[i][0], name) == 0)
			return f->hdrs[i][1];
	return NULL;
}

void *static_file_response(const struct static_file *f, bool not_modified)
{
	return not_modified ? f->resp304 : f->resp;
}
