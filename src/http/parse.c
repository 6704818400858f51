/* Body parsers: application/x-www-form-urlencoded and multipart/form-data.
 *
 * Pure functions over a complete body (the server reads the whole body first),
 * so they are tested and fuzzed without sockets. We do not use MHD's
 * PostProcessor: it needs a live connection.
 *
 * Policy: text (names, urlencoded values, multipart parts without a filename)
 * must be valid UTF-8 without NUL bytes, so handlers can put any field straight
 * into a JSON model or a C string. File parts are bytes. On failure `out` may
 * keep the fields parsed so far, and the offending field's name is stored in
 * `out` (that is what *bad points at, when it is not "body"); the caller still
 * calls form_cleanup. */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"
#include "lib/xalloc.h"

const struct form_limits FORM_DEFAULT_LIMITS = {
    .max_fields = 256,
    .max_name = 128,
    .max_value = 64 * 1024,
    .max_file = 8 * 1024 * 1024,
};

/* Longest part header block and filename we accept in multipart. */
#define MP_MAX_HEADERS  8192
#define MP_MAX_FILENAME 1024
#define MP_MAX_BOUNDARY 70

void form_init(struct form *f)
{
	f->n = 0;
	f->cap = 0;
	f->f = NULL;
}

void form_cleanup(struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->f[i].name);
		free(f->f[i].value);
		free(f->f[i].filename);
		free(f->f[i].content_type);
	}
	free(f->f);
	form_init(f);
}

const struct form_field *form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return &f->f[i];
	return NULL;
}

/* Takes ownership of name and value. */
static struct form_field *form_push(struct form *f, char *name, char *value, size_t len)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->f = xrealloc(f->f, f->cap * sizeof *f->f);
	}
	struct form_field *ff = &f->f[f->n++];
	ff->name = name;
	ff->value = value;
	ff->len = len;
	ff->filename = NULL;
	ff->content_type = NULL;
	return ff;
}

/* Records the offending field in `out` so *bad can borrow its name. */
static enum form_status fail_named(struct form *out, char *name, enum form_status st, const char **bad)
{
	form_push(out, name, xstrdup(""), 0);
	if (bad)
		*bad = name;
	return st;
}

static enum form_status fail_body(enum form_status st, const char **bad)
{
	if (bad)
		*bad = "body";
	return st;
}

bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		unsigned min;
		unsigned cp;
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
			min = 0x80;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			min = 0x800;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			min = 0x10000;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

int http_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX (and '+' as space) into a new string. NULL for a bad escape, a
 * NUL byte or invalid UTF-8. */
static char *url_decode(const char *s, size_t n, size_t *outlen)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;
			if (n - i < 3 || (hi = http_hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = http_hexval((unsigned char)s[i + 2])) < 0)
				goto bad;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			goto bad;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (!utf8_valid(out, o))
		goto bad;
	*outlen = o;
	return out;
bad:
	free(out);
	return NULL;
}

enum form_status form_parse_urlencoded(struct form *out, const char *s, size_t len,
                                       const struct form_limits *lim, const char **bad)
{
	if (!lim)
		lim = &FORM_DEFAULT_LIMITS;
	if (bad)
		*bad = NULL;
	if (!s)
		len = 0;
	size_t i = 0;
	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (end == i) { /* "a=1&&b=2", a trailing '&' */
			i = end + 1;
			continue;
		}
		const char *pair = s + i;
		size_t plen = end - i;
		const char *eq = memchr(pair, '=', plen);
		size_t nlen = eq ? (size_t)(eq - pair) : plen;
		const char *val = eq ? eq + 1 : pair + plen;
		size_t vlen = eq ? plen - nlen - 1 : 0;
		i = end + 1;

		if (out->n >= lim->max_fields)
			return fail_body(FORM_TOO_MANY, bad);
		if (nlen == 0)
			return fail_body(FORM_MALFORMED, bad);
		/* A decoded string is at least a third of its encoding: refuse hopeless
		 * cases before allocating. */
		if (nlen / 3 > lim->max_name)
			return fail_body(FORM_TOO_LONG, bad);
		size_t name_len;
		char *name = url_decode(pair, nlen, &name_len);
		if (!name)
			return fail_body(FORM_MALFORMED, bad);
		if (name_len > lim->max_name) {
			free(name);
			return fail_body(FORM_TOO_LONG, bad);
		}
		if (vlen / 3 > lim->max_value)
			return fail_named(out, name, FORM_TOO_LONG, bad);
		size_t value_len;
		char *value = url_decode(val, vlen, &value_len);
		if (!value)
			return fail_named(out, name, FORM_MALFORMED, bad);
		if (value_len > lim->max_value) {
			free(value);
			return fail_named(out, name, FORM_TOO_LONG, bad);
		}
		form_push(out, name, value, value_len);
	}
	return FORM_OK;
}

/* ---- multipart/form-data (RFC 7578, with the WHATWG encoding browsers use) ---- */

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Header parameters "; name=value; name="quoted"". Calls fn for each; returns
 * false on a syntax error. Quoted strings end at the next '"': browsers
 * percent-encode '"' in names and filenames and never backslash-escape (a
 * backslash in a Windows file name must stay). */
typedef bool (*param_fn)(const char *name, size_t nlen, const char *val, size_t vlen, void *arg);

static bool parse_params(const char *s, size_t n, param_fn fn, void *arg)
{
	size_t i = 0;
	for (;;) {
		while (i < n && is_ows(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] != ';')
			return false;
		i++;
		while (i < n && is_ows(s[i]))
			i++;
		if (i == n)
			return true; /* trailing ';' */
		size_t ns = i;
		while (i < n && s[i] != '=' && s[i] != ';' && !is_ows(s[i]))
			i++;
		size_t nlen = i - ns;
		while (i < n && is_ows(s[i]))
			i++;
		if (nlen == 0 || i == n || s[i] != '=')
			return false;
		i++;
		while (i < n && is_ows(s[i]))
			i++;
		const char *val;
		size_t vlen;
		if (i < n && s[i] == '"') {
			const char *q = memchr(s + i + 1, '"', n - i - 1);
			if (!q)
				return false;
			val = s + i + 1;
			vlen = (size_t)(q - val);
			i = (size_t)(q - s) + 1;
		} else {
			size_t vs = i;
			while (i < n && s[i] != ';' && !is_ows(s[i]))
				i++;
			val = s + vs;
			vlen = i - vs;
		}
		if (!fn(s + ns, nlen, val, vlen, arg))
			return false;
	}
}

static bool name_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

struct boundary {
	const char *p;
	size_t n;
};

static bool boundary_param(const char *name, size_t nlen, const char *val, size_t vlen, void *arg)
{
	struct boundary *b = arg;
	if (name_is(name, nlen, "boundary") && !b->p) {
		b->p = val;
		b->n = vlen;
	}
	return true;
}

/* The boundary from a Content-Type value; false when absent or unusable. */
static bool find_boundary(const char *ct, struct boundary *b)
{
	size_t n = strlen(ct);
	const char *semi = memchr(ct, ';', n);
	size_t tlen = semi ? (size_t)(semi - ct) : n;
	while (tlen > 0 && is_ows(ct[tlen - 1]))
		tlen--;
	size_t ts = 0;
	while (ts < tlen && is_ows(ct[ts]))
		ts++;
	if (!name_is(ct + ts, tlen - ts, "multipart/form-data") || !semi)
		return false;
	b->p = NULL;
	b->n = 0;
	if (!parse_params(semi, n - (size_t)(semi - ct), boundary_param, b) || !b->p)
		return false;
	if (b->n == 0 || b->n > MP_MAX_BOUNDARY)
		return false;
	for (size_t i = 0; i < b->n; i++) {
		unsigned char c = (unsigned char)b->p[i];
		if (c < 0x20 || c == 0x7F)
			return false;
	}
	return true;
}

struct disposition {
	const char *name, *filename;
	size_t nlen, flen;
	bool has_name, has_filename;
};

static bool disposition_param(const char *name, size_t nlen, const char *val, size_t vlen, void *arg)
{
	struct disposition *d = arg;
	if (name_is(name, nlen, "name") && !d->has_name) {
		d->name = val;
		d->nlen = vlen;
		d->has_name = true;
	} else if (name_is(name, nlen, "filename") && !d->has_filename) {
		d->filename = val;
		d->flen = vlen;
		d->has_filename = true;
	}
	return true;
}

static bool parse_disposition(const char *v, size_t n, struct disposition *d)
{
	memset(d, 0, sizeof *d);
	const char *semi = memchr(v, ';', n);
	size_t tlen = semi ? (size_t)(semi - v) : n;
	while (tlen > 0 && is_ows(v[tlen - 1]))
		tlen--;
	if (!name_is(v, tlen, "form-data") || !semi)
		return false;
	return parse_params(semi, n - (size_t)(semi - v), disposition_param, d);
}

static const char *find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	return memmem(hay, hlen, needle, nlen);
}

enum form_status form_parse_multipart(struct form *out, const char *content_type, const char *body,
                                      size_t len, const struct form_limits *lim, const char **bad)
{
	if (!lim)
		lim = &FORM_DEFAULT_LIMITS;
	if (bad)
		*bad = NULL;
	if (!body)
		body = "";
	struct boundary b;
	if (!content_type || !find_boundary(content_type, &b))
		return fail_body(FORM_MALFORMED, bad);

	/* delim = CRLF "--" boundary; the first one may also start the body. */
	char delim[2 + 2 + MP_MAX_BOUNDARY];
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, b.p, b.n);
	size_t dlen = 4 + b.n;

	size_t pos;
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		pos = dlen - 2;
	} else {
		const char *p = find(body, len, delim, dlen);
		if (!p)
			return fail_body(FORM_MALFORMED, bad);
		pos = (size_t)(p - body) + dlen;
	}

	for (;;) {
		/* pos is just past a delimiter: "--" ends the body, else padding + CRLF. */
		if (len - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-')
			return FORM_OK; /* the epilogue is ignored */
		while (pos < len && is_ows(body[pos]))
			pos++;
		if (len - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n')
			return fail_body(FORM_MALFORMED, bad);
		pos += 2;

		/* Part headers, up to an empty line. */
		struct disposition d;
		bool have_disp = false;
		const char *ctype = NULL;
		size_t ctlen = 0;
		size_t hstart = pos;
		for (;;) {
			const char *eol = find(body + pos, len - pos, "\r\n", 2);
			if (!eol)
				return fail_body(FORM_MALFORMED, bad);
			size_t ll = (size_t)(eol - (body + pos));
			const char *line = body + pos;
			pos += ll + 2;
			if (pos - hstart > MP_MAX_HEADERS)
				return fail_body(FORM_MALFORMED, bad);
			if (ll == 0)
				break;
			const char *colon = memchr(line, ':', ll);
			if (!colon || colon == line || is_ows(line[0]))
				return fail_body(FORM_MALFORMED, bad);
			size_t hn = (size_t)(colon - line);
			const char *hv = colon + 1;
			size_t hvl = ll - hn - 1;
			while (hvl > 0 && is_ows(*hv)) {
				hv++;
				hvl--;
			}
			while (hvl > 0 && is_ows(hv[hvl - 1]))
				hvl--;
			if (memchr(hv, '\0', hvl))
				return fail_body(FORM_MALFORMED, bad);
			if (name_is(line, hn, "Content-Disposition")) {
				if (have_disp || !parse_disposition(hv, hvl, &d))
					return fail_body(FORM_MALFORMED, bad);
				have_disp = true;
			} else if (name_is(line, hn, "Content-Type")) {
				ctype = hv;
				ctlen = hvl;
			}
		}
		if (!have_disp || !d.has_name || d.nlen == 0)
			return fail_body(FORM_MALFORMED, bad);
		if (out->n >= lim->max_fields)
			return fail_body(FORM_TOO_MANY, bad);
		if (d.nlen > lim->max_name)
			return fail_body(FORM_TOO_LONG, bad);
		if (memchr(d.name, '\0', d.nlen) || !utf8_valid(d.name, d.nlen))
			return fail_body(FORM_MALFORMED, bad);
		char *name = xstrndup(d.name, d.nlen);

		/* Content, up to the next delimiter. */
		const char *end = find(body + pos, len - pos, delim, dlen);
		if (!end) /* missing closing boundary: a truncated upload */
			return fail_named(out, name, FORM_MALFORMED, bad);
		size_t clen = (size_t)(end - (body + pos));
		const char *content = body + pos;
		pos = (size_t)(end - body) + dlen;

		bool file = d.has_filename;
		if (clen > (file ? lim->max_file : lim->max_value))
			return fail_named(out, name, FORM_TOO_LONG, bad);
		if (file && d.flen > MP_MAX_FILENAME)
			return fail_named(out, name, FORM_TOO_LONG, bad);
		if (file ? (memchr(d.filename, '\0', d.flen) || !utf8_valid(d.filename, d.flen))
		         : (memchr(content, '\0', clen) || !utf8_valid(content, clen)))
			return fail_named(out, name, FORM_MALFORMED, bad);
		if (ctype && !utf8_valid(ctype, ctlen))
			return fail_named(out, name, FORM_MALFORMED, bad);

		char *value = xmalloc(clen + 1);
		memcpy(value, content, clen);
		value[clen] = '\0';
		struct form_field *ff = form_push(out, name, value, clen);
		ff->content_type = ctype ? xstrndup(ctype, ctlen) : xstrdup("text/plain");
		if (file)
			ff->filename = xstrndup(d.filename, d.flen);
	}
}
