/* The router: a tree of path segments built once from the route tables.
 *
 * Patterns are split into segments when added; a request walks the tree one
 * segment at a time (literal children are sorted, so binary search), trying a
 * literal segment before a {param} one and backing up when a branch has no
 * route. Cost is O(segments × log fan-out), independent of the number of
 * routes. Routes are borrowed: the tables are static arrays that outlive the
 * router.
 *
 * Paths given to router_match are raw (as sent, percent-encoded): each segment
 * is decoded on its own, so "%2F" inside a parameter stays in that parameter.
 * A segment that does not decode (bad escape, NUL byte, invalid UTF-8) matches
 * nothing. Trailing slashes are ignored: /units/ is /units.
 *
 * A parameter may be followed by a file extension in its segment (a literal
 * suffix starting with '.'), "/orders/{id}.pdf": the segment must end with the suffix and hold at least
 * one byte before it, which is the parameter's value. Such a branch is tried
 * after the literal children and before the plain parameter. */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#define MAX_SEGMENTS 32
#define MAX_PARAMS   (sizeof(((struct route_params *)0)->p) / sizeof(((struct route_params *)0)->p[0]))

struct rentry {
	const struct route *route;
	size_t nparams;
	char *names[MAX_PARAMS];
	unsigned char pos[MAX_PARAMS]; /* segment index of each parameter */
	unsigned char cut[MAX_PARAMS]; /* bytes of literal suffix after it ("{id}.pdf": 4) */
	struct rentry *next;
};

struct rnode {
	char *seg; /* literal segment (NULL for a parameter node and the root) */
	struct rnode **kids;
	size_t nkids;
	struct rnode *param;
	struct rnode **sparams; /* parameters with a literal suffix (seg: the suffix) */
	size_t nsparams;
	struct rentry *routes; /* routes ending here, in table order */
};

struct router {
	struct rnode root;
	const struct route **all;
	size_t n, cap;
};

struct router *router_new(void)
{
	return xcalloc(1, sizeof(struct router));
}

static void node_cleanup(struct rnode *n)
{
	for (size_t i = 0; i < n->nkids; i++) {
		node_cleanup(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
	if (n->param) {
		node_cleanup(n->param);
		free(n->param);
	}
	for (size_t i = 0; i < n->nsparams; i++) {
		node_cleanup(n->sparams[i]);
		free(n->sparams[i]);
	}
	free(n->sparams);
	for (struct rentry *e = n->routes, *next; e; e = next) {
		next = e->next;
		for (size_t i = 0; i < e->nparams; i++)
			free(e->names[i]);
		free(e);
	}
	free(n->seg);
}

void router_free(struct router *rt)
{
	if (!rt)
		return;
	node_cleanup(&rt->root);
	free(rt->all);
	free(rt);
}

/* Index of the first child >= seg (binary search); *found says whether equal. */
static size_t kid_find(const struct rnode *n, const char *seg, bool *found)
{
	size_t lo = 0, hi = n->nkids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(n->kids[mid]->seg, seg);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static struct rnode *kid_get_or_add(struct rnode *n, const char *seg, size_t len)
{
	char *s = xstrndup(seg, len);
	bool found;
	size_t i = kid_find(n, s, &found);
	if (found) {
		free(s);
		return n->kids[i];
	}
	n->kids = xrealloc(n->kids, (n->nkids + 1) * sizeof *n->kids);
	memmove(&n->kids[i + 1], &n->kids[i], (n->nkids - i) * sizeof *n->kids);
	struct rnode *k = xcalloc(1, sizeof *k);
	k->seg = s;
	n->kids[i] = k;
	n->nkids++;
	return k;
}

static bool param_name_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static bool literal_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7F || c == '{' || c == '}' || c == '%' || c == '?' || c == '#')
			return false;
	}
	return true;
}

static unsigned effective_methods(unsigned m)
{
	return (m & HTTP_GET) ? (m | HTTP_HEAD) : m;
}

static int add_route(struct router *rt, const struct route *r)
{
	const char *p = r->pattern;
	if (!p || p[0] != '/' || !r->handler || r->methods == 0) {
		log_error("router: route %s: needs a pattern starting with '/', methods and a handler",
		          r->name ? r->name : "?");
		return -1;
	}
	struct rentry *e = xcalloc(1, sizeof *e);
	e->route = r;
	struct rnode *n = &rt->root;
	size_t nseg = 0;
	const char *s = p + 1;
	while (*s) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);
		if (len == 0) {
			if (!slash || slash[1] == '\0') /* trailing slash: normalised away */
				break;
			goto malformed;
		}
		if (nseg >= MAX_SEGMENTS)
			goto malformed;
		if (s[0] == '{') {
			const char *close = memchr(s, '}', len);
			size_t plen = close ? (size_t)(close - s) + 1 : 0, slen = len - plen;
			if (plen < 3 || !param_name_ok(s + 1, plen - 2) || e->nparams >= MAX_PARAMS ||
			    slen > 32 || (slen && close[1] != '.') || !literal_ok(close + 1, slen))
				goto malformed;
			for (size_t i = 0; i < e->nparams; i++)
				if (strlen(e->names[i]) == plen - 2 &&
				    memcmp(e->names[i], s + 1, plen - 2) == 0)
					goto malformed;
			e->names[e->nparams] = xstrndup(s + 1, plen - 2);
			e->pos[e->nparams] = (unsigned char)nseg;
			e->cut[e->nparams] = (unsigned char)slen;
			e->nparams++;
			if (!slen) {
				if (!n->param)
					n->param = xcalloc(1, sizeof *n->param);
				n = n->param;
			} else {
				struct rnode *k = NULL;
				for (size_t i = 0; i < n->nsparams && !k; i++)
					if (strlen(n->sparams[i]->seg) == slen &&
					    !memcmp(n->sparams[i]->seg, close + 1, slen))
						k = n->sparams[i];
				if (!k) {
					n->sparams =
					    xrealloc(n->sparams, (n->nsparams + 1) * sizeof *n->sparams);
					k = n->sparams[n->nsparams++] = xcalloc(1, sizeof *k);
					k->seg = xstrndup(close + 1, slen);
				}
				n = k;
			}
		} else {
			if (!literal_ok(s, len))
				goto malformed;
			n = kid_get_or_add(n, s, len);
		}
		nseg++;
		s += len;
		if (*s == '/')
			s++;
	}
	/* Two routes with the same shape (parameter names aside) and a common
	 * method would make one of them unreachable. */
	struct rentry **tail = &n->routes;
	for (struct rentry *o = n->routes; o; o = o->next) {
		if (o->route->methods & r->methods) {
			log_error("router: route %s (%s) duplicates %s (%s)", r->name ? r->name : "?", p,
			          o->route->name ? o->route->name : "?", o->route->pattern);
			goto fail;
		}
		tail = &o->next;
	}
	*tail = e;
	if (rt->n == rt->cap) {
		rt->cap = rt->cap ? rt->cap * 2 : 32;
		rt->all = xrealloc(rt->all, rt->cap * sizeof *rt->all);
	}
	rt->all[rt->n++] = r;
	return 0;
malformed:
	log_error("router: route %s: malformed pattern \"%s\"", r->name ? r->name : "?", p);
fail:
	for (size_t i = 0; i < e->nparams; i++)
		free(e->names[i]);
	free(e);
	return -1;
}

int router_add_table(struct router *rt, const struct route *table)
{
	for (const struct route *r = table; r->pattern || r->handler || r->methods; r++) {
		if (!r->scope || !r->scope->name || !r->scope->resolve) {
			log_error("router: route %s (%s) declares no scope", r->name ? r->name : "?",
			          r->pattern ? r->pattern : "?");
			return -1;
		}
		if (add_route(rt, r) < 0)
			return -1;
	}
	return 0;
}

void router_each(const struct router *rt, void (*fn)(const struct route *r, void *arg), void *arg)
{
	for (size_t i = 0; i < rt->n; i++)
		fn(rt->all[i], arg);
}

void route_params_cleanup(struct route_params *rp)
{
	if (!rp)
		return;
	for (size_t i = 0; i < rp->n; i++)
		free(rp->p[i].value);
	rp->n = 0;
}

/* Percent-decodes s in place ('+' stays '+' in paths). Returns false for a bad
 * escape, a NUL byte or invalid UTF-8. */
static bool decode_segment(char *s)
{
	char *o = s;
	for (char *i = s; *i; i++) {
		if (*i == '%') {
			int hi = http_hexval((unsigned char)i[1]);
			int lo = hi < 0 ? -1 : http_hexval((unsigned char)i[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return false;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*o++ = *i;
		}
	}
	*o = '\0';
	return utf8_valid(s, (size_t)(o - s));
}

struct walk {
	char **segs;
	size_t nseg;
	enum http_method m;
	unsigned allowed;
};

static const struct rentry *entry_for(const struct rnode *n, enum http_method m)
{
	for (const struct rentry *e = n->routes; e; e = e->next)
		if (e->route->methods & m)
			return e;
	if (m == HTTP_HEAD) /* GET routes answer HEAD */
		for (const struct rentry *e = n->routes; e; e = e->next)
			if (e->route->methods & HTTP_GET)
				return e;
	return NULL;
}

static const struct rentry *walk(const struct rnode *n, size_t i, struct walk *w)
{
	if (i == w->nseg) {
		for (const struct rentry *e = n->routes; e; e = e->next)
			w->allowed |= effective_methods(e->route->methods);
		return entry_for(n, w->m);
	}
	const char *seg = w->segs[i];
	if (seg[0] == '\0')
		return NULL;
	bool found;
	size_t k = kid_find(n, seg, &found);
	if (found) {
		const struct rentry *e = walk(n->kids[k], i + 1, w);
		if (e)
			return e;
	}
	size_t sl = strlen(seg);
	for (size_t j = 0; j < n->nsparams; j++) {
		size_t xl = strlen(n->sparams[j]->seg);
		if (sl > xl && !strcmp(seg + sl - xl, n->sparams[j]->seg)) {
			const struct rentry *e = walk(n->sparams[j], i + 1, w);
			if (e)
				return e;
		}
	}
	if (n->param)
		return walk(n->param, i + 1, w);
	return NULL;
}

enum route_match router_match(const struct router *rt, enum http_method m, const char *path,
                              const struct route **out, struct route_params *params, unsigned *allowed)
{
	if (out)
		*out = NULL;
	if (params)
		params->n = 0;
	if (allowed)
		*allowed = 0;
	if (!path || path[0] != '/')
		return ROUTE_NOT_FOUND;

	/* Split a private copy into segments and decode each one. */
	size_t len = strlen(path + 1);
	char stackbuf[1024];
	char *copy = len < sizeof stackbuf ? stackbuf : xmalloc(len + 1);
	memcpy(copy, path + 1, len + 1);
	while (len > 0 && copy[len - 1] == '/')
		copy[--len] = '\0';

	char *segs[MAX_SEGMENTS];
	size_t nseg = 0;
	enum route_match res = ROUTE_NOT_FOUND;
	if (len > 0) {
		for (char *s = copy;;) {
			if (nseg == MAX_SEGMENTS)
				goto out;
			char *slash = strchr(s, '/');
			if (slash)
				*slash = '\0';
			if (!decode_segment(s))
				goto out;
			segs[nseg++] = s;
			if (!slash)
				break;
			s = slash + 1;
		}
	}
	struct walk w = {segs, nseg, m, 0};
	const struct rentry *e = walk(&rt->root, 0, &w);
	if (e) {
		res = ROUTE_FOUND;
		if (out)
			*out = e->route;
		if (params) {
			for (size_t i = 0; i < e->nparams; i++) {
				params->p[i].name = e->names[i];
				params->p[i].value =
				    xstrndup(segs[e->pos[i]], strlen(segs[e->pos[i]]) - e->cut[i]);
			}
			params->n = e->nparams;
		}
	} else if (w.allowed) {
		res = ROUTE_BAD_METHOD;
		if (allowed)
			*allowed = w.allowed;
	}
out:
	if (copy != stackbuf)
		free(copy);
	return res;
}
