#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void csv_init(struct csv *c, const char *data, size_t len)
{
	memset(c, 0, sizeof *c);
	c->p = data;
	c->end = data + len;
	c->line = 1;
	c->next_line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		c->p += 3;
}

void csv_cleanup(struct csv *c)
{
	free(c->scratch);
	c->scratch = NULL;
}

int csv_next(struct csv *c)
{
	c->line = c->next_line;
	/* Skip blank lines. */
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p >= c->end)
		return CSV_EOF;
	/* A record's fields are never longer than the rest of the input. */
	size_t need = (size_t)(c->end - c->p) + CSV_MAX_FIELDS + 1;
	if (need > c->scratch_cap) {
		c->scratch = xrealloc(c->scratch, need);
		c->scratch_cap = need;
	}
	char *out = c->scratch;
	size_t lines = 0;
	c->nfields = 0;
	for (;;) {
		if (c->nfields == CSV_MAX_FIELDS)
			return CSV_TOO_BIG;
		c->fields[c->nfields++] = out;
		char *start = out;
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			for (;;) {
				if (c->p >= c->end)
					return CSV_MALFORMED; /* unterminated quote */
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						*out++ = '"';
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\n')
					lines++;
				*out++ = *c->p++;
			}
			if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
				return CSV_MALFORMED; /* text after the closing quote */
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
				if (*c->p == '"')
					return CSV_MALFORMED;
				*out++ = *c->p++;
			}
		}
		if ((size_t)(out - start) > CSV_MAX_FIELD)
			return CSV_TOO_BIG;
		*out++ = '\0';
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '\r') {
			c->p++;
			if (c->p < c->end && *c->p != '\n')
				return CSV_MALFORMED; /* bare CR */
		}
		if (c->p < c->end && *c->p == '\n')
			c->p++;
		break;
	}
	c->next_line = c->line + lines + 1;
	return CSV_RECORD;
}

int csv_column(const struct csv *c, const char *name)
{
	for (size_t i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i], name) == 0)
			return (int)i;
	return -1;
}
