/* Mustache templates: parser, template sets and renderer.
 *
 * A template is parsed once into a flat array of nodes in document order. A
 * node that has content (section, inverted section, parent, block) is followed
 * by all of its descendants and records how many there are, so rendering is a
 * loop over a range: no allocation, no re-scanning of template text, and a
 * node's name is already split into NUL-terminated segments for jansson.
 *
 * Every whitespace decision of the spec is made at parse time: which lines are
 * "standalone" and vanish, where a line starts (an indentation point, stored
 * as flags on text nodes), how much indentation a standalone partial, parent
 * or block adds, and which intrinsic indentation a block's own content loses
 * (see specs/whitespace.md of the Mustache spec). The renderer only appends
 * text, values, and the current indentation at the flagged points.
 *
 * Parsing is two passes: tokenize (which also applies delimiter changes and
 * matches every opening tag with its close, so parse errors are found here),
 * then one build pass that decides standalone lines for each tag from the raw
 * text tokens on either side and emits the nodes.
 *
 * Rendering state lives on the C stack (context frames, override frames) plus
 * one small struct per call, so a set is never written after loading and any
 * number of threads may render from it at once. */
#include "render/mustache.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/xalloc.h"

/* Nesting of sections/parents/blocks inside one template (parse error past it). */
#define TPL_MAX_NESTING 64
/* Nested sections + partials + parents + blocks while rendering: bounds the C
 * stack, so a self-recursive partial fails instead of overflowing it. */
#define TPL_MAX_DEPTH 64
/* Section iterations + expansions + block-argument scans in one render: bounds
 * the time of pathological templates (e.g. doubly recursive partials that
 * emit nothing and so never hit the output cap). Far above any real page. */
#define TPL_MAX_STEPS (1UL << 22)
/* Largest template source accepted. */
#define TPL_MAX_SOURCE ((size_t)16 * 1024 * 1024)
/* Directory levels followed by tpl_set_load_dir (guards symlink loops). */
#define TPL_MAX_DIR_DEPTH 16

/* ---- templates ---- */

enum node_type {
	N_TEXT,
	N_VAR,      /* {{x}}: escaped */
	N_RAW,      /* {{{x}}} / {{&x}} */
	N_SECTION,  /* {{#x}} */
	N_INVERTED, /* {{^x}} */
	N_PARTIAL,  /* {{>x}} */
	N_PARENT,   /* {{<x}}: children that are blocks are its arguments */
	N_BLOCK,    /* {{$x}} */
};

enum {
	F_BOL_START = 1,  /* TEXT: a line starts at offset 0 (emit indentation first) */
	F_BOL_END = 2,    /* TEXT: a line starts after the final '\n' */
	F_STANDALONE = 4, /* PARTIAL/PARENT: standalone, so it inherits indentation plus ind */
	F_PENDING = 8,    /* BLOCK: standalone pair; indent the content's first line by ind */
};

struct node {
	unsigned char type;
	unsigned char flags;
	uint32_t nkids;     /* descendants that follow this node */
	uint32_t seg;       /* VAR..INVERTED: first name segment in tpl->segs */
	uint32_t nseg;      /* number of segments; 0 is the implicit iterator "." */
	uint32_t hash;      /* PARTIAL/PARENT: hash of the name */
	size_t off, len;    /* TEXT: the text; PARTIAL/PARENT/BLOCK: the name (in pool) */
	size_t ind, indlen; /* PARTIAL/PARENT/BLOCK: indentation added (in pool) */
};

struct tpl {
	char *name;
	size_t namelen;
	uint32_t hash;
	struct node *nodes;
	size_t nnodes;
	char *pool;   /* texts, names, name segments (NUL-terminated), indentation */
	size_t *segs; /* offsets of name segments in pool */
};

struct tpl_set {
	struct tpl **slot; /* open addressing, linear probing; cap is a power of two */
	size_t cap, n;
};

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void tpl_free(struct tpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->nodes);
	free(t->pool);
	free(t->segs);
	free(t);
}

/* ---- parser ---- */

enum tok_type {
	T_TEXT,
	T_VAR,
	T_RAW,
	T_SECTION,
	T_INVERTED,
	T_CLOSE,
	T_PARTIAL,
	T_PARENT,
	T_BLOCK,
	T_COMMENT,
	T_DELIM
};

struct tok {
	unsigned char type;
	unsigned char rtrim; /* TEXT: a standalone tag claimed the tail */
	unsigned char pair;  /* PARENT: the {{<x}}...{{/x}} pair is standalone */
	unsigned char arg;   /* BLOCK: direct child of a parent (an argument) */
	unsigned char strip; /* BLOCK: strips intrinsic indentation from its lines */
	size_t start, end;   /* TEXT: the text; tags: the whole tag */
	size_t lo, hi;       /* TEXT: the part kept after standalone trimming */
	size_t name, nlen;   /* tags: trimmed content */
	size_t line;
	size_t match;      /* opening tags: index of the close; close: index of the opener */
	size_t soff, slen; /* BLOCK with strip: the intrinsic indentation (in src) */
};

struct parser {
	const char *name; /* template name, for messages */
	const char *src;
	size_t len;
	char *err;
	size_t errlen;
	struct tok *toks;
	size_t ntoks, captoks;
	struct node *nodes;
	size_t nnodes, capnodes;
	char *pool;
	size_t npool, cappool;
	size_t *segs;
	size_t nsegs, capsegs;
	/* intrinsic indentation of the enclosing blocks, outermost first */
	size_t strip_off[TPL_MAX_NESTING], strip_len[TPL_MAX_NESTING];
	int nstrips;
};

static int perr(struct parser *p, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, size_t line, const char *fmt, ...)
{
	if (!p->err || !p->errlen)
		return -1;
	int n = snprintf(p->err, p->errlen, "%s:%zu: ", p->name, line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	*cap = c;
	return xrealloc(p, c * size);
}

static size_t pool_put(struct parser *p, const char *s, size_t n)
{
	size_t off = p->npool;
	p->pool = grow(p->pool, &p->cappool, p->npool + n + 1, 1);
	if (n)
		memcpy(p->pool + p->npool, s, n);
	p->npool += n;
	return off;
}

/* Appends s plus a NUL. */
static size_t pool_putz(struct parser *p, const char *s, size_t n)
{
	size_t off = pool_put(p, s, n);
	p->pool[p->npool++] = '\0';
	return off;
}

static struct node *node_add(struct parser *p, enum node_type type)
{
	p->nodes = grow(p->nodes, &p->capnodes, p->nnodes + 1, sizeof *p->nodes);
	struct node *n = &p->nodes[p->nnodes++];
	memset(n, 0, sizeof *n);
	n->type = (unsigned char)type;
	return n;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static int is_tag_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t count_nl(const char *s, size_t n)
{
	size_t k = 0;
	const char *e = s + n;
	while ((s = memchr(s, '\n', (size_t)(e - s)))) {
		k++;
		s++;
	}
	return k;
}

static struct tok *tok_add(struct parser *p, enum tok_type type, size_t start, size_t end, size_t line)
{
	p->toks = grow(p->toks, &p->captoks, p->ntoks + 1, sizeof *p->toks);
	struct tok *t = &p->toks[p->ntoks++];
	memset(t, 0, sizeof *t);
	t->type = (unsigned char)type;
	t->start = t->lo = start;
	t->end = t->hi = end;
	t->line = line;
	return t;
}

static const char *tag_open(unsigned char type)
{
	switch (type) {
	case T_INVERTED: return "{{^";
	case T_PARENT: return "{{<";
	case T_BLOCK: return "{{$";
	default: return "{{#";
	}
}

/* Parses a set-delimiter body "<open> <close>" into *od / *cd. */
static int parse_delims(const char *s, size_t cs, size_t ce, const char **od, size_t *odl, const char **cd,
                        size_t *cdl)
{
	size_t i = cs;
	while (i < ce && is_tag_ws(s[i]))
		i++;
	size_t a = i;
	while (i < ce && !is_tag_ws(s[i]))
		i++;
	size_t alen = i - a;
	while (i < ce && is_tag_ws(s[i]))
		i++;
	size_t b = i;
	while (i < ce && !is_tag_ws(s[i]))
		i++;
	size_t blen = i - b;
	while (i < ce && is_tag_ws(s[i]))
		i++;
	if (!alen || !blen || i != ce)
		return -1;
	*od = s + a;
	*odl = alen;
	*cd = s + b;
	*cdl = blen;
	return 0;
}

/* Splits the source into alternating tokens: text, tag, text, ..., text (a
 * text token may be empty), applying delimiter changes and matching every
 * opening tag with its closing tag. */
static int tokenize(struct parser *p)
{
	const char *s = p->src;
	size_t len = p->len;
	const char *od = "{{", *cd = "}}";
	size_t odl = 2, cdl = 2, pos = 0, line = 1;
	size_t stack[TPL_MAX_NESTING];
	int depth = 0;

	for (;;) {
		const char *o = pos < len ? memmem(s + pos, len - pos, od, odl) : NULL;
		size_t te = o ? (size_t)(o - s) : len;
		tok_add(p, T_TEXT, pos, te, line);
		line += count_nl(s + pos, te - pos);
		if (!o)
			break;
		size_t q = te + odl; /* first byte inside the tag */
		char sig = q < len ? s[q] : '\0';
		enum tok_type type;
		size_t cs, ce, end;
		if (sig == '{' || sig == '=') {
			/* ends at "}" or "=" directly before the closing delimiter */
			char want = sig == '{' ? '}' : '=';
			cs = q + 1;
			size_t from = cs;
			for (;;) {
				const char *c = from < len ? memmem(s + from, len - from, cd, cdl) : NULL;
				if (!c)
					return perr(p, line, "unclosed tag");
				size_t ci = (size_t)(c - s);
				if (ci > cs && s[ci - 1] == want) {
					ce = ci - 1;
					end = ci + cdl;
					break;
				}
				from = ci + 1;
			}
			type = sig == '{' ? T_RAW : T_DELIM;
		} else {
			switch (sig) {
			case '&': type = T_RAW; break;
			case '#': type = T_SECTION; break;
			case '^': type = T_INVERTED; break;
			case '/': type = T_CLOSE; break;
			case '>': type = T_PARTIAL; break;
			case '<': type = T_PARENT; break;
			case '$': type = T_BLOCK; break;
			case '!': type = T_COMMENT; break;
			default: type = T_VAR; break;
			}
			cs = type == T_VAR ? q : q + 1;
			const char *c = cs < len ? memmem(s + cs, len - cs, cd, cdl) : NULL;
			if (!c)
				return perr(p, line, "unclosed tag");
			ce = (size_t)(c - s);
			end = ce + cdl;
		}
		size_t tagline = line;
		line += count_nl(s + te, end - te);

		size_t a = cs, b = ce;
		while (a < b && is_tag_ws(s[a]))
			a++;
		while (b > a && is_tag_ws(s[b - 1]))
			b--;
		if (type == T_DELIM) {
			if (parse_delims(s, cs, ce, &od, &odl, &cd, &cdl) < 0)
				return perr(p, tagline, "bad set-delimiter tag (want {{=<open> <close>=}})");
		} else if (type != T_COMMENT && a == b) {
			return perr(p, tagline, "empty tag name");
		}
		struct tok *t = tok_add(p, type, te, end, tagline);
		t->name = a;
		t->nlen = b - a;
		size_t idx = p->ntoks - 1;

		if (type == T_SECTION || type == T_INVERTED || type == T_PARENT || type == T_BLOCK) {
			if (depth == TPL_MAX_NESTING)
				return perr(p, tagline, "sections nested deeper than %d", TPL_MAX_NESTING);
			stack[depth++] = idx;
		} else if (type == T_CLOSE) {
			int n = (int)(b - a > 60 ? 60 : b - a);
			if (!depth)
				return perr(p, tagline, "{{/%.*s}} closes nothing", n, s + a);
			struct tok *op = &p->toks[stack[--depth]];
			if (op->nlen != b - a || memcmp(s + op->name, s + a, b - a) != 0) {
				int m = (int)(op->nlen > 60 ? 60 : op->nlen);
				return perr(p, tagline,
				            "{{/%.*s}} does not match %s%.*s}} opened on line %zu", n, s + a,
				            tag_open(op->type), m, s + op->name, op->line);
			}
			op->match = idx;
			p->toks[idx].match = (size_t)(op - p->toks);
		}
		pos = end;
	}
	if (depth) {
		const struct tok *op = &p->toks[stack[depth - 1]];
		int m = (int)(op->nlen > 60 ? 60 : op->nlen);
		return perr(p, op->line, "%s%.*s}} is never closed", tag_open(op->type), m, s + op->name);
	}
	return 0;
}

/* Skips the intrinsic indentation of each enclosing block at a line start. */
static size_t strip_at(const struct parser *p, size_t pos, size_t hi)
{
	for (int i = 0; i < p->nstrips; i++) {
		size_t n = p->strip_len[i];
		if (hi - pos >= n && memcmp(p->src + pos, p->src + p->strip_off[i], n) == 0)
			pos += n;
	}
	return pos;
}

/* Whether only indentation precedes tag k on its line; *at = where it starts. */
static int left_clear(const struct parser *p, size_t k, size_t *at)
{
	const struct tok *t = &p->toks[k - 1];
	size_t i = t->end;
	while (i > t->start && is_ws(p->src[i - 1]))
		i--;
	if (i > t->start ? p->src[i - 1] != '\n' : k - 1 != 0)
		return 0;
	*at = i;
	return 1;
}

/* Whether only whitespace and a line end (or the end of the template) follow
 * tag k on its line; *at = just past them. */
static int right_clear(const struct parser *p, size_t k, size_t *at)
{
	const struct tok *t = &p->toks[k + 1];
	size_t i = t->start;
	while (i < t->end && is_ws(p->src[i]))
		i++;
	if (i + 1 < t->end && p->src[i] == '\r' && p->src[i + 1] == '\n')
		i++;
	if (i < t->end) {
		if (p->src[i] != '\n')
			return 0;
		*at = i + 1;
		return 1;
	}
	if (k + 1 != p->ntoks - 1)
		return 0;
	*at = t->end;
	return 1;
}

static void claim_left(struct parser *p, size_t k, size_t at)
{
	p->toks[k - 1].hi = at;
	p->toks[k - 1].rtrim = 1;
}

static void claim_right(struct parser *p, size_t k, size_t at)
{
	p->toks[k + 1].lo = at;
}

/* A standalone tag's line disappears: its indentation, trailing blanks and line end. */
static int standalone(struct parser *p, size_t k, size_t *ind)
{
	size_t l, r;
	if (!left_clear(p, k, &l) || !right_clear(p, k, &r))
		return 0;
	claim_left(p, k, l);
	claim_right(p, k, r);
	if (ind)
		*ind = l;
	return 1;
}

/* Stores the indentation src[from, end of token k-1) minus enclosing strips. */
static void set_indent(struct parser *p, struct node *n, size_t k, size_t from)
{
	size_t end = p->toks[k - 1].end;
	size_t s = strip_at(p, from, end);
	n->ind = pool_put(p, p->src + s, end - s);
	n->indlen = end - s;
}

/* The intrinsic indentation of a block whose tag ends its line: the leading
 * blanks of the next line (which starts at `at` in token k+1). */
static void intrinsic(struct parser *p, size_t k, size_t at, size_t *off, size_t *len)
{
	size_t end = p->toks[k + 1].end;
	size_t s = strip_at(p, at, end), e = s;
	while (e < end && is_ws(p->src[e]))
		e++;
	*off = s;
	*len = e - s;
}

/* Emits text token i as a text node: the kept part, with enclosing blocks'
 * intrinsic indentation removed at line starts and the line starts flagged. */
static void emit_text(struct parser *p, size_t i)
{
	const struct tok *t = &p->toks[i];
	const char *s = p->src;
	size_t lo = t->lo, hi = t->hi;
	if (lo > hi)
		lo = hi;
	int last = i == p->ntoks - 1;
	/* a line may start at hi only if no standalone tag took it, and there is
	 * something after it (the empty line after a final newline is no line) */
	int open_end = !t->rtrim && !last;
	int bol = lo == t->start ? i == 0 : s[lo - 1] == '\n';
	unsigned char flags = 0;
	size_t off = p->npool;
	if (bol && (lo < hi || open_end)) {
		flags |= F_BOL_START;
		lo = strip_at(p, lo, hi);
	}
	size_t pos = lo;
	while (pos < hi) {
		const char *nl = memchr(s + pos, '\n', hi - pos);
		if (!nl) {
			pool_put(p, s + pos, hi - pos);
			break;
		}
		size_t e = (size_t)(nl - s) + 1;
		pool_put(p, s + pos, e - pos);
		pos = e;
		if (e < hi)
			pos = strip_at(p, e, hi);
		if (pos == hi && (e < hi || open_end))
			flags |= F_BOL_END;
	}
	size_t n = p->npool - off;
	if (!n && !(flags & F_BOL_START))
		return;
	struct node *nd = node_add(p, N_TEXT);
	nd->flags = flags;
	nd->off = off;
	nd->len = n;
}

static void set_path(struct parser *p, struct node *n, const struct tok *t)
{
	const char *s = p->src + t->name;
	size_t len = t->nlen;
	n->seg = (uint32_t)p->nsegs;
	if (len == 1 && s[0] == '.')
		return; /* implicit iterator: no segments */
	size_t a = 0;
	for (;;) {
		const char *dot = memchr(s + a, '.', len - a);
		size_t b = dot ? (size_t)(dot - s) : len;
		p->segs = grow(p->segs, &p->capsegs, p->nsegs + 1, sizeof *p->segs);
		p->segs[p->nsegs++] = pool_putz(p, s + a, b - a);
		n->nseg++;
		if (!dot)
			break;
		a = b + 1;
	}
}

static void set_name(struct parser *p, struct node *n, const struct tok *t)
{
	n->off = pool_putz(p, p->src + t->name, t->nlen);
	n->len = t->nlen;
	n->hash = name_hash(p->src + t->name, t->nlen);
}

/* The build pass: decides the standalone lines around each tag (which trims
 * the text tokens on either side), then emits the text before the tag and the
 * tag's node. */
static void build(struct parser *p)
{
	size_t open[TPL_MAX_NESTING]; /* node index of each open section-like node */
	size_t opentok[TPL_MAX_NESTING];
	int nopen = 0;

	for (size_t k = 1; k < p->ntoks; k += 2) {
		struct tok *t = &p->toks[k];
		int in_parent = nopen && p->toks[opentok[nopen - 1]].type == T_PARENT;
		unsigned char flags = 0;
		size_t indfrom = 0, l, r, r2;
		int has_ind = 0;

		switch (t->type) {
		case T_VAR:
		case T_RAW: break;
		case T_PARTIAL:
			if (standalone(p, k, &indfrom)) {
				flags = F_STANDALONE;
				has_ind = 1;
			}
			break;
		case T_PARENT:
			/* The pair stands alone like one partial tag: the text inside
			 * a parent is ignored, so only the outer sides count. */
			if (left_clear(p, k, &l) && right_clear(p, t->match, &r)) {
				claim_left(p, k, l);
				t->pair = 1;
				flags = F_STANDALONE;
				indfrom = l;
				has_ind = 1;
			}
			break;
		case T_BLOCK:
			if (in_parent) {
				/* An argument: only its content matters. A line end
				 * right after the tag belongs to the tag, and the
				 * next line's indentation is intrinsic. */
				t->arg = 1;
				if (right_clear(p, k, &r)) {
					claim_right(p, k, r);
					intrinsic(p, k, r, &t->soff, &t->slen);
					t->strip = t->slen > 0;
				}
				break;
			}
			/* A parameter: standalone tags vanish as usual; a standalone
			 * pair sets the indentation of whatever content is expanded
			 * here (argument or default). */
			{
				int lc = left_clear(p, k, &l), rc = right_clear(p, k, &r);
				if (lc && rc) {
					claim_left(p, k, l);
					claim_right(p, k, r);
				}
				if (lc && right_clear(p, t->match, &r2)) {
					flags = F_PENDING;
					if (rc) {
						intrinsic(p, k, r, &t->soff, &t->slen);
						t->strip = t->slen > 0;
					} else {
						claim_left(p, k, l);
						indfrom = l;
						has_ind = 1;
					}
				}
			}
			break;
		case T_CLOSE: {
			const struct tok *op = &p->toks[t->match];
			if (op->type == T_PARENT) {
				if (op->pair && right_clear(p, k, &r))
					claim_right(p, k, r);
			} else if (op->type == T_BLOCK && op->arg) {
				/* the line end after it is the parent's (ignored) text */
				if (left_clear(p, k, &l))
					claim_left(p, k, l);
			} else {
				standalone(p, k, NULL);
			}
			break;
		}
		default: /* section, inverted section, comment, set delimiter */
			standalone(p, k, NULL);
			break;
		}

		if (!in_parent)
			emit_text(p, k - 1);

		struct node *n;
		switch (t->type) {
		case T_VAR:
		case T_RAW:
			n = node_add(p, t->type == T_VAR ? N_VAR : N_RAW);
			set_path(p, n, t);
			break;
		case T_SECTION:
		case T_INVERTED:
			n = node_add(p, t->type == T_SECTION ? N_SECTION : N_INVERTED);
			set_path(p, n, t);
			opentok[nopen] = k;
			open[nopen++] = p->nnodes - 1;
			break;
		case T_PARTIAL:
		case T_PARENT:
		case T_BLOCK:
			n = node_add(p, t->type == T_PARTIAL  ? N_PARTIAL
			                : t->type == T_PARENT ? N_PARENT
			                                      : N_BLOCK);
			n->flags = flags;
			set_name(p, n, t);
			if (has_ind) {
				set_indent(p, n, k, indfrom);
			} else if (t->type == T_BLOCK && (flags & F_PENDING)) {
				n->ind = pool_put(p, p->src + t->soff, t->slen);
				n->indlen = t->slen;
			}
			if (t->type == T_PARTIAL)
				break;
			opentok[nopen] = k;
			open[nopen++] = p->nnodes - 1;
			if (t->strip) {
				p->strip_off[p->nstrips] = t->soff;
				p->strip_len[p->nstrips++] = t->slen;
			}
			break;
		case T_CLOSE: {
			size_t ni = open[--nopen];
			p->nodes[ni].nkids = (uint32_t)(p->nnodes - ni - 1);
			if (p->toks[t->match].strip)
				p->nstrips--;
			break;
		}
		default: break;
		}
	}
	emit_text(p, p->ntoks - 1);
}

static struct tpl *tpl_parse(const char *name, const char *src, size_t len, char *err, size_t errlen)
{
	struct parser p;
	struct tpl *t = NULL;
	memset(&p, 0, sizeof p);
	p.name = name;
	p.src = src;
	p.len = len;
	p.err = err;
	p.errlen = errlen;
	if (len > TPL_MAX_SOURCE) {
		perr(&p, 1, "template larger than %zu bytes", TPL_MAX_SOURCE);
		goto out;
	}
	if (tokenize(&p) < 0)
		goto out;
	build(&p);
	if (p.nnodes > UINT32_MAX || p.nsegs > UINT32_MAX) {
		perr(&p, 1, "template too large");
		goto out;
	}
	t = xcalloc(1, sizeof *t);
	t->namelen = strlen(name);
	t->name = xstrndup(name, t->namelen);
	t->hash = name_hash(name, t->namelen);
	t->nodes = p.nodes;
	t->nnodes = p.nnodes;
	t->pool = p.pool ? p.pool : xcalloc(1, 1);
	t->segs = p.segs;
	p.nodes = NULL;
	p.pool = NULL;
	p.segs = NULL;
out:
	free(p.toks);
	free(p.nodes);
	free(p.pool);
	free(p.segs);
	return t;
}

/* ---- sets ---- */

struct tpl_set *tpl_set_new(void)
{
	struct tpl_set *set = xcalloc(1, sizeof *set);
	set->cap = 16;
	set->slot = xcalloc(set->cap, sizeof *set->slot);
	return set;
}

void tpl_set_free(struct tpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->cap; i++)
		tpl_free(set->slot[i]);
	free(set->slot);
	free(set);
}

static struct tpl **set_slot(const struct tpl_set *set, const char *name, size_t len, uint32_t hash)
{
	size_t mask = set->cap - 1;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct tpl *t = set->slot[i];
		if (!t || (t->hash == hash && t->namelen == len && memcmp(t->name, name, len) == 0))
			return &set->slot[i];
	}
}

static const struct tpl *set_find(const struct tpl_set *set, const char *name, size_t len, uint32_t hash)
{
	return *set_slot(set, name, len, hash);
}

/* Takes ownership of t. */
static void set_put(struct tpl_set *set, struct tpl *t)
{
	struct tpl **s = set_slot(set, t->name, t->namelen, t->hash);
	if (*s) {
		tpl_free(*s);
		*s = t;
		return;
	}
	*s = t;
	if (++set->n * 4 < set->cap * 3)
		return;
	struct tpl **old = set->slot;
	size_t oldcap = set->cap;
	set->cap *= 2;
	set->slot = xcalloc(set->cap, sizeof *set->slot);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			*set_slot(set, old[i]->name, old[i]->namelen, old[i]->hash) = old[i];
	free(old);
}

int tpl_set_add(struct tpl_set *set, const char *name, const char *src, size_t len, char *err, size_t errlen)
{
	struct tpl *t = tpl_parse(name, src, len, err, errlen);
	if (!t)
		return -1;
	set_put(set, t);
	return 0;
}

int tpl_set_has(const struct tpl_set *set, const char *name)
{
	size_t len = strlen(name);
	return set_find(set, name, len, name_hash(name, len)) != NULL;
}

static int set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int add_file(struct tpl_set *set, const char *path, const char *name, char *err, size_t errlen)
{
	int rc = -1;
	char *data = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return set_err(err, errlen, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((uintmax_t)st.st_size > TPL_MAX_SOURCE) {
		set_err(err, errlen, "%s: larger than %zu bytes", path, TPL_MAX_SOURCE);
		goto out;
	}
	size_t size = (size_t)st.st_size;
	data = xmalloc(size + 1);
	if (fread(data, 1, size, f) != size) {
		set_err(err, errlen, "%s: short read", path);
		goto out;
	}
	rc = tpl_set_add(set, name, data, size, err, errlen);
out:
	free(data);
	fclose(f);
	return rc;
}

/* Loads dir/rel (rel is "" or ends in '/'); returns the number added or -1. */
static int load_dir(struct tpl_set *set, const char *dir, const char *rel, int level, char *err,
                    size_t errlen)
{
	static const char ext[] = ".mustache";
	const size_t extlen = sizeof ext - 1;
	int count = 0;
	char *path = xasprintf("%s/%s", dir, rel);
	DIR *d = opendir(path);
	if (!d) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* ".", "..", hidden files and editor droppings */
		char *full = xasprintf("%s%s", path, e->d_name);
		char *sub = NULL;
		struct stat st;
		int n = 0;
		size_t len = strlen(e->d_name);
		if (stat(full, &st) < 0) {
			n = set_err(err, errlen, "%s: %s", full, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (level >= TPL_MAX_DIR_DEPTH) {
				n = set_err(err, errlen, "%s: directories nested too deeply", full);
			} else {
				sub = xasprintf("%s%s/", rel, e->d_name);
				n = load_dir(set, dir, sub, level + 1, err, errlen);
			}
		} else if (S_ISREG(st.st_mode) && len > extlen &&
		           memcmp(e->d_name + len - extlen, ext, extlen) == 0) {
			sub = xasprintf("%s%.*s", rel, (int)(len - extlen), e->d_name);
			n = add_file(set, full, sub, err, errlen) < 0 ? -1 : 1;
		}
		free(full);
		free(sub);
		if (n < 0) {
			count = -1;
			break;
		}
		count += n;
	}
	closedir(d);
	free(path);
	return count;
}

int tpl_set_load_dir(struct tpl_set *set, const char *dir, char *err, size_t errlen)
{
	int n = load_dir(set, dir, "", 0, err, errlen);
	if (n == 0)
		set_err(err, errlen, "%s: no *.mustache files", dir);
	return n;
}

/* ---- rendering ---- */

enum fail { FAIL_NONE, FAIL_CAP, FAIL_DEPTH, FAIL_STEPS };

/* The context stack: one frame per section level, on the C stack. */
struct cframe {
	json_t *v;
	const struct cframe *up;
};

/* Arguments passed to a parent template, innermost first. */
struct oframe {
	const struct tpl *t;
	const struct node *parent;
	const struct oframe *outer;
};

struct rstate {
	const struct tpl_set *set;
	struct buf *out;
	int depth;
	int nind, base; /* indentation in effect: ind[base .. nind) */
	int pending;    /* indent before the next output (block with a standalone pair) */
	enum fail fail;
	unsigned long steps;
	const char *ind[TPL_MAX_DEPTH + 1];
	size_t indlen[TPL_MAX_DEPTH + 1];
};

static int render_nodes(struct rstate *r, const struct tpl *t, const struct node *n, const struct node *end,
                        const struct cframe *ctx, const struct oframe *ovr);

static int put(struct rstate *r, const char *s, size_t n)
{
	if (buf_append(r->out, s, n) < 0) {
		r->fail = FAIL_CAP;
		return -1;
	}
	return 0;
}

static int put_indent(struct rstate *r)
{
	r->pending = 0;
	for (int i = r->base; i < r->nind; i++)
		if (put(r, r->ind[i], r->indlen[i]) < 0)
			return -1;
	return 0;
}

static int put_text(struct rstate *r, const char *s, size_t len, unsigned flags)
{
	if (((flags & F_BOL_START) || (r->pending && len)) && put_indent(r) < 0)
		return -1;
	if (r->nind == r->base)
		return put(r, s, len);
	while (len) {
		const char *nl = memchr(s, '\n', len);
		if (!nl)
			return put(r, s, len);
		size_t k = (size_t)(nl - s) + 1;
		if (put(r, s, k) < 0)
			return -1;
		s += k;
		len -= k;
		if ((len || (flags & F_BOL_END)) && put_indent(r) < 0)
			return -1;
	}
	return 0;
}

/* Writes the decimal digits of m, with k of them after a point, so that they
 * end at `end`; returns where they start. */
static char *put_digits(char *end, long long m, int k)
{
	unsigned long long u = m < 0 ? 0ULL - (unsigned long long)m : (unsigned long long)m;
	char *p = end;
	for (int i = 0; i < k; i++) {
		*--p = (char)('0' + u % 10);
		u /= 10;
	}
	if (k)
		*--p = '.';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (m < 0)
		*--p = '-';
	return p;
}

/* The shortest "%g" form that reads back as the same double: 1.21, not
 * 1.2099999999999999645 (%.17g). Writes into tmp; returns the start and sets
 * *len. */
static const char *format_real(char *tmp, size_t cap, double d, size_t *len)
{
	/* Fast path, no printf/strtod: values such as prices and ratios are an
	 * integer m over 10^k. If m / 10^k divides back to d exactly, the decimal
	 * reads back as d; below 1e9 and with k <= 6 that decimal is the only
	 * one of k places that does, so without its trailing zeros it is the
	 * shortest. The range is where %g prints fixed notation, so both paths
	 * agree (tests/unit/test_mustache.c compares them). */
	static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
	double a = d < 0 ? -d : d;
	if ((a >= 1e-4 && a < 1e9) || (d == 0 && !signbit(d))) {
		for (int k = 0; k <= 6; k++) {
			double x = d * pow10[k];
			long long m = (long long)x;
			if ((double)m == x && (double)m / pow10[k] == d) {
				/* d * 10^k may round to an integer only at a larger k
				 * than the decimal needs (-9708.46 at k = 3) */
				while (k > 0 && m % 10 == 0) {
					m /= 10;
					k--;
				}
				char *p = put_digits(tmp + cap, m, k);
				*len = (size_t)(tmp + cap - p);
				return p;
			}
		}
	}
	int n = 0;
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, cap, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	for (int i = 0; i < n; i++)
		if (tmp[i] == ',')
			tmp[i] = '.'; /* a decimal-comma locale must not leak into pages */
	*len = n > 0 ? (size_t)n : 0;
	return tmp;
}

/* What buf_put_html does (the same five entities), but with strcspn, which
 * skips the long runs without them a page is made of many bytes at a time.
 * s must be NUL-terminated at n (jansson strings are); it may hold NULs. */
static int put_html(struct buf *b, const char *s, size_t n)
{
	size_t start = 0, i = 0;
	for (;;) {
		i += strcspn(s + i, "&<>\"'");
		if (i >= n)
			break;
		const char *e;
		size_t elen;
		switch (s[i]) {
		case '&': e = "&amp;", elen = 5; break;
		case '<': e = "&lt;", elen = 4; break;
		case '>': e = "&gt;", elen = 4; break;
		case '"': e = "&quot;", elen = 6; break;
		case '\'': e = "&#39;", elen = 5; break;
		default: i++; continue; /* an embedded NUL */
		}
		if (buf_append(b, s + start, i - start) < 0 || buf_append(b, e, elen) < 0)
			return -1;
		start = ++i;
	}
	return buf_append(b, s + start, n - start);
}

static int put_value(struct rstate *r, json_t *v, int escape)
{
	char tmp[64];
	const char *s;
	size_t n;
	int rc;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		rc = escape ? put_html(r->out, s, n) : buf_append(r->out, s, n);
		break;
	case JSON_INTEGER:
		s = put_digits(tmp + sizeof tmp, json_integer_value(v), 0);
		rc = buf_append(r->out, s, (size_t)(tmp + sizeof tmp - s));
		break;
	case JSON_REAL:
		s = format_real(tmp, sizeof tmp, json_real_value(v), &n);
		rc = buf_append(r->out, s, n);
		break;
	case JSON_TRUE: rc = buf_append(r->out, "true", 4); break;
	case JSON_FALSE: rc = buf_append(r->out, "false", 5); break;
	default: return 0; /* null, objects and arrays interpolate as "" */
	}
	if (rc < 0) {
		r->fail = FAIL_CAP;
		return -1;
	}
	return 0;
}

/* Name resolution (spec): the first segment is looked up from the top of the
 * context stack down; the rest only inside what it found. */
static json_t *lookup(const struct tpl *t, const struct node *n, const struct cframe *ctx)
{
	if (!n->nseg)
		return ctx->v;
	const char *key = t->pool + t->segs[n->seg];
	json_t *v = NULL;
	for (const struct cframe *f = ctx; f; f = f->up)
		if (json_is_object(f->v) && (v = json_object_get(f->v, key)))
			break;
	for (uint32_t i = 1; v && i < n->nseg; i++)
		v = json_is_object(v) ? json_object_get(v, t->pool + t->segs[n->seg + i]) : NULL;
	return v;
}

static int truthy(const json_t *v)
{
	return v && !json_is_false(v) && !json_is_null(v) && !(json_is_array(v) && json_array_size(v) == 0);
}

static int step(struct rstate *r, unsigned long n)
{
	r->steps += n;
	if (r->steps > TPL_MAX_STEPS) {
		r->fail = FAIL_STEPS;
		return -1;
	}
	return 0;
}

static int enter(struct rstate *r)
{
	if (r->depth >= TPL_MAX_DEPTH) {
		r->fail = FAIL_DEPTH;
		return -1;
	}
	r->depth++;
	return 0;
}

static int render_section(struct rstate *r, const struct tpl *t, const struct node *n,
                          const struct cframe *ctx, const struct oframe *ovr)
{
	json_t *v = lookup(t, n, ctx);
	const struct node *kids = n + 1, *end = kids + n->nkids;
	int rc = 0;
	if (n->type == N_INVERTED ? truthy(v) : !truthy(v))
		return 0;
	if (kids == end)
		return 0;
	if (enter(r) < 0)
		return -1;
	if (n->type == N_INVERTED) {
		rc = render_nodes(r, t, kids, end, ctx, ovr);
	} else if (json_is_array(v)) {
		size_t cnt = json_array_size(v);
		for (size_t i = 0; i < cnt && rc == 0; i++) {
			struct cframe f = {json_array_get(v, i), ctx};
			rc = step(r, 1);
			if (rc == 0)
				rc = render_nodes(r, t, kids, end, &f, ovr);
		}
	} else {
		struct cframe f = {v, ctx};
		rc = step(r, 1);
		if (rc == 0)
			rc = render_nodes(r, t, kids, end, &f, ovr);
	}
	r->depth--;
	return rc;
}

/* A partial ({{>x}}) or a parent ({{<x}}...{{/x}}): the named template with the
 * same context. Standalone, it inherits the indentation in effect plus its
 * own; inline, its lines are not indented at all (as the spec's reference
 * implementation, which indents the partial's source before compiling it). */
static int render_include(struct rstate *r, const struct tpl *t, const struct node *n,
                          const struct cframe *ctx, const struct oframe *ovr)
{
	const struct tpl *p = set_find(r->set, t->pool + n->off, n->len, n->hash);
	if (!p)
		return 0; /* spec: a missing partial renders as "" */
	if (step(r, 1) < 0 || enter(r) < 0)
		return -1;
	int base = r->base, nind = r->nind, rc = 0;
	if (n->flags & F_STANDALONE) {
		if (n->indlen) {
			r->ind[r->nind] = t->pool + n->ind;
			r->indlen[r->nind++] = n->indlen;
		}
	} else {
		if (r->pending)
			rc = put_indent(r);
		r->base = r->nind;
	}
	struct oframe f = {t, n, ovr};
	if (rc == 0)
		rc = render_nodes(r, p, p->nodes, p->nodes + p->nnodes, ctx, n->type == N_PARENT ? &f : ovr);
	r->base = base;
	r->nind = nind;
	r->depth--;
	return rc;
}

/* The argument named like block n among the direct children of parent node pn. */
static const struct node *find_arg(struct rstate *r, const struct tpl *pt, const struct node *pn,
                                   const char *name, size_t len)
{
	const struct node *c = pn + 1, *end = c + pn->nkids;
	for (; c < end; c += 1 + c->nkids) {
		if (step(r, 1) < 0)
			return NULL;
		if (c->type == N_BLOCK && c->len == len && memcmp(pt->pool + c->off, name, len) == 0)
			return c;
	}
	return NULL;
}

/* A block ({{$x}}...{{/x}}) renders the argument of the outermost parent call
 * that passes one (top-level substitutions win), else its own default
 * content. An argument is rendered with the override frames outside the one
 * that passed it, since it belongs to that caller's template. */
static int render_block(struct rstate *r, const struct tpl *t, const struct node *n, const struct cframe *ctx,
                        const struct oframe *ovr)
{
	const char *name = t->pool + n->off;
	const struct tpl *ct = t;
	const struct node *kids = n + 1, *end = kids + n->nkids;
	const struct oframe *cov = ovr;
	for (const struct oframe *f = ovr; f; f = f->outer) {
		const struct node *a = find_arg(r, f->t, f->parent, name, n->len);
		if (r->fail)
			return -1;
		if (a) {
			ct = f->t;
			kids = a + 1;
			end = kids + a->nkids;
			cov = f->outer;
		}
	}
	if (kids == end)
		return 0;
	if (step(r, 1) < 0 || enter(r) < 0)
		return -1;
	int nind = r->nind, pending = r->pending;
	if (n->flags & F_PENDING) {
		if (n->indlen) {
			r->ind[r->nind] = t->pool + n->ind;
			r->indlen[r->nind++] = n->indlen;
		}
		r->pending = 1;
	}
	int rc = render_nodes(r, ct, kids, end, ctx, cov);
	if (r->pending)
		r->pending = pending; /* nothing was written: the outer request stands */
	r->nind = nind;
	r->depth--;
	return rc;
}

static int render_nodes(struct rstate *r, const struct tpl *t, const struct node *n, const struct node *end,
                        const struct cframe *ctx, const struct oframe *ovr)
{
	for (; n < end; n += 1 + n->nkids) {
		int rc = 0;
		switch (n->type) {
		case N_TEXT: rc = put_text(r, t->pool + n->off, n->len, n->flags); break;
		case N_VAR:
		case N_RAW: {
			json_t *v = lookup(t, n, ctx);
			if (r->pending)
				rc = put_indent(r);
			if (v && rc == 0)
				rc = put_value(r, v, n->type == N_VAR);
			break;
		}
		case N_SECTION:
		case N_INVERTED: rc = render_section(r, t, n, ctx, ovr); break;
		case N_PARTIAL:
		case N_PARENT: rc = render_include(r, t, n, ctx, ovr); break;
		case N_BLOCK: rc = render_block(r, t, n, ctx, ovr); break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int render_tpl(const struct tpl_set *set, const struct tpl *t, json_t *ctx, struct buf *out,
                      enum fail *why)
{
	struct rstate r;
	r.set = set;
	r.out = out;
	r.depth = r.nind = r.base = r.pending = 0;
	r.fail = FAIL_NONE;
	r.steps = 0;
	struct cframe root = {ctx, NULL};
	size_t start = out->len;
	int rc = render_nodes(&r, t, t->nodes, t->nodes + t->nnodes, &root, NULL);
	if (rc < 0 && out->data) {
		out->len = start; /* no half page */
		out->data[start] = '\0';
	}
	if (why)
		*why = r.fail;
	return rc;
}

int tpl_render(const struct tpl_set *set, const char *name, json_t *ctx, struct buf *out)
{
	size_t len = strlen(name);
	const struct tpl *t = set_find(set, name, len, name_hash(name, len));
	if (!t)
		return -1;
	return render_tpl(set, t, ctx, out, NULL);
}

int tpl_render_string(const char *src, size_t len, json_t *ctx, json_t *partials, struct buf *out, char *err,
                      size_t errlen)
{
	int rc = -1;
	struct tpl_set *set = tpl_set_new();
	struct tpl *t = NULL;
	if (json_is_object(partials)) {
		const char *name;
		json_t *v;
		json_object_foreach(partials, name, v)
		{
			if (json_is_string(v) && tpl_set_add(set, name, json_string_value(v),
			                                     json_string_length(v), err, errlen) < 0)
				goto out;
		}
	}
	t = tpl_parse("template", src, len, err, errlen);
	if (!t)
		goto out;
	enum fail why;
	rc = render_tpl(set, t, ctx, out, &why);
	if (rc < 0)
		set_err(err, errlen, "template: %s",
		        why == FAIL_CAP     ? "output passed the buffer limit"
		        : why == FAIL_DEPTH ? "partials or sections nested too deeply"
		                            : "too much work (runaway recursion?)");
out:
	tpl_free(t);
	tpl_set_free(set);
	return rc;
}
