#include "core/text.h"

#include <string.h>

enum text_fault text_check(struct text_span s, unsigned allow)
{
	const unsigned char *p = (const unsigned char *)s.p, *end = p + s.n;
	enum text_fault fault = TEXT_OK;
	while (p < end) {
		unsigned c = *p, cp;
		size_t len;
		if (c < 0x80)
			cp = c, len = 1;
		else if (c >= 0xC2 && c <= 0xDF)
			cp = c & 0x1F, len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			cp = c & 0x0F, len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			cp = c & 0x07, len = 4;
		else
			return TEXT_BAD_UTF8;
		if ((size_t)(end - p) < len)
			return TEXT_BAD_UTF8;
		for (size_t k = 1; k < len; k++) {
			if ((p[k] & 0xC0) != 0x80)
				return TEXT_BAD_UTF8;
			cp = (cp << 6) | (p[k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return TEXT_BAD_UTF8;
		bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
		               (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
		if ((cp == '\t' && (allow & TEXT_ALLOW_TAB)) || (cp == '\n' && (allow & TEXT_ALLOW_LF)) ||
		    (cp == '\r' && (allow & TEXT_ALLOW_CR)))
			control = false;
		/* Keep scanning: invalid UTF-8 later on is the worse fault. */
		if (control)
			fault = TEXT_CONTROL;
		p += len;
	}
	return fault;
}

bool text_span_eq(struct text_span s, const char *lit)
{
	return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}
