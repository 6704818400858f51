#include "core/origin.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One level of `next` (the string as given, level 0, or one of its
 * decodings). */
static bool level_ok(const char *s, size_t n, int level)
{
	if (n == 0 || s[0] != '/' || text_check((struct text_span){s, n}, 0) != TEXT_OK)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c == ' ' && level == 0) || c == '\\' || (c == '/' && i + 1 < n && s[i + 1] == '/'))
			return false;
		if (c == '%' && (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 ||
		                 hexval((unsigned char)s[i + 2]) < 0))
			return false;
	}
	return true;
}

/* Decodes every %HH of s (well-formed: level_ok said so) into out. */
static size_t decode(const char *s, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			out[k++] =
			    (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
			i += 2;
		} else
			out[k++] = s[i];
	}
	return k;
}

static bool next_ok(const char *next)
{
	if (!next)
		return false;
	size_t n = strlen(next);
	if (n > ORIGIN_NEXT_MAX)
		return false;
	char a[ORIGIN_NEXT_MAX], b[ORIGIN_NEXT_MAX];
	const char *cur = next;
	for (int level = 0;; level++) {
		if (!level_ok(cur, n, level))
			return false;
		if (!memchr(cur, '%', n))
			return true;
		if (level == 3)
			return false;
		char *dst = cur == a ? b : a;
		n = decode(cur, n, dst);
		cur = dst;
	}
}

bool origin_next_path(const char *next, char out[ORIGIN_NEXT_BUF])
{
	if (!next_ok(next)) {
		snprintf(out, ORIGIN_NEXT_BUF, "%s", ORIGIN_NEXT_FALLBACK);
		return false;
	}
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)next; *p; p++) {
		if (*p >= 0x80) {
			out[k++] = '%';
			out[k++] = hex[*p >> 4];
			out[k++] = hex[*p & 15];
		} else
			out[k++] = (char)*p;
	}
	out[k] = '\0';
	return true;
}

/* ---- origins ---- */

struct origin {
	bool https;
	const char *host; /* not NUL-terminated; "[v6]" keeps its brackets */
	size_t hostlen;
	unsigned port; /* 0 = the scheme's default */
};

static bool host_char(unsigned char c, bool bracketed)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.')
		return true;
	return bracketed ? c == ':' : c == '-' || c == '_';
}

/* "host[:port]", exactly s..end. */
static bool parse_authority(const char *s, const char *end, struct origin *o)
{
	const char *p = s;
	if (p < end && *p == '[') {
		while (p < end && *p != ']')
			p++;
		if (p == end)
			return false;
		p++;
		for (const char *q = s + 1; q < p - 1; q++)
			if (!host_char((unsigned char)*q, true))
				return false;
	} else
		while (p < end && host_char((unsigned char)*p, false))
			p++;
	o->host = s;
	o->hostlen = (size_t)(p - s);
	o->port = 0;
	if (o->hostlen == 0 || (o->hostlen == 2 && s[0] == '['))
		return false;
	if (p < end && *p == ':') {
		unsigned port = 0;
		const char *digits = ++p;
		while (p < end && *p >= '0' && *p <= '9' && p - digits < 5)
			port = port * 10 + (unsigned)(*p++ - '0');
		if (p == digits || port == 0 || port > 65535)
			return false;
		o->port = port;
	}
	return p == end;
}

/* "scheme://host[:port]"; with `path`, a "/..." may follow (public_url). */
static bool parse_origin(const char *s, bool path, struct origin *o)
{
	size_t skip;
	if (!strncasecmp(s, "https://", 8))
		o->https = true, skip = 8;
	else if (!strncasecmp(s, "http://", 7))
		o->https = false, skip = 7;
	else
		return false;
	const char *end = s + strlen(s);
	if (path) {
		const char *slash = strchr(s + skip, '/');
		if (slash)
			end = slash;
	}
	return parse_authority(s + skip, end, o);
}

static unsigned port_of(const struct origin *o, bool https)
{
	return o->port ? o->port : https ? 443 : 80;
}

static bool same_host(const struct origin *a, const struct origin *b)
{
	return a->hostlen == b->hostlen && strncasecmp(a->host, b->host, a->hostlen) == 0;
}

static bool eq_trimmed(const char *s, const char *word)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(word);
	if (strncasecmp(s, word, n))
		return false;
	for (s += n; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

bool origin_login_cross_site(const char *origin, const char *sec_fetch_site, const char *host,
                             const char *public_url)
{
	if (sec_fetch_site && eq_trimmed(sec_fetch_site, "cross-site"))
		return true;
	if (!origin)
		return false;
	struct origin o, own;
	if (!parse_origin(origin, false, &o))
		return true; /* "null", garbage, a path: not ours */
	if (public_url && parse_origin(public_url, true, &own) && o.https == own.https &&
	    same_host(&o, &own) && port_of(&o, o.https) == port_of(&own, own.https))
		return false;
	if (host) {
		while (*host == ' ' || *host == '\t')
			host++;
		size_t n = strlen(host);
		while (n && (host[n - 1] == ' ' || host[n - 1] == '\t'))
			n--;
		if (parse_authority(host, host + n, &own) && same_host(&o, &own) &&
		    port_of(&o, o.https) == port_of(&own, o.https))
			return false;
	}
	return true;
}
