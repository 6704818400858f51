/* `?` → $n for the PostgreSQL driver (db/pg_rewrite.h). */
#include "db/pg_rewrite.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "lib/buf.h"

/* True when the byte before a quote at p makes it an E'...' literal: an E
 * (either case) that starts a word, not the end of an identifier like
 * "name'...". */
static bool escape_string_start(const char *sql, const char *p)
{
	if (p == sql || (p[-1] != 'E' && p[-1] != 'e'))
		return false;
	if (p - 1 == sql)
		return true;
	char c = p[-2];
	return !(c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'));
}

char *pg_rewrite_placeholders(const char *sql, int *nparams)
{
	struct buf b;
	buf_init(&b, 0);
	int n = 0, rc = 0;
	const char *p = sql;
	*nparams = 0;
	while (*p && rc == 0) {
		const char *start = p;
		if (*p == '\'') {
			bool esc = escape_string_start(sql, p);
			for (p++; *p; p++) {
				if (esc && *p == '\\' && p[1]) {
					p++;
				} else if (*p == '\'') {
					if (p[1] == '\'')
						p++;
					else
						break;
				}
			}
			if (*p)
				p++;
		} else if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"') {
					if (p[1] == '"')
						p++;
					else
						break;
				}
			}
			if (*p)
				p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			int depth = 0;
			while (*p) {
				if (p[0] == '/' && p[1] == '*') {
					depth++;
					p += 2;
				} else if (p[0] == '*' && p[1] == '/') {
					p += 2;
					if (--depth == 0)
						break;
				} else {
					p++;
				}
			}
		} else if (*p == '?') {
			rc = buf_printf(&b, "$%d", ++n);
			p++;
			continue;
		} else {
			p++;
		}
		rc = buf_append(&b, start, (size_t)(p - start));
	}
	if (rc < 0) {
		buf_cleanup(&b);
		return NULL;
	}
	*nparams = n;
	return buf_detach(&b, NULL);
}
