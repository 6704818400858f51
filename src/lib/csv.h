/* RFC 4180 CSV reader over a buffer in memory.
 *
 * Accepts LF or CRLF line ends, a leading UTF-8 BOM, quoted fields with ""
 * escapes and line breaks inside quotes. Refuses (CSV_MALFORMED) a quote in the
 * middle of an unquoted field's text after the start, text after a closing
 * quote, and an unterminated quote. Blank lines are skipped. */
#ifndef OSSPOINT_CSV_H
#define OSSPOINT_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 64
#define CSV_MAX_FIELD  (64 * 1024)

struct csv {
	const char *p, *end;
	size_t line; /* line number where the current record starts (1-based) */
	size_t next_line;
	char *fields[CSV_MAX_FIELDS];
	size_t nfields;
	char *scratch; /* storage for the current record's fields */
	size_t scratch_cap;
};

enum csv_rc { CSV_RECORD = 1, CSV_EOF = 0, CSV_MALFORMED = -1, CSV_TOO_BIG = -2 };

void csv_init(struct csv *c, const char *data, size_t len);
void csv_cleanup(struct csv *c);
/* Reads the next record into c->fields[0..nfields) (valid until the next call).
 * Returns CSV_RECORD, CSV_EOF, or a negative csv_rc (c->line tells where). */
int csv_next(struct csv *c);
/* Index of the column named `name` in a header record, or -1. */
int csv_column(const struct csv *c, const char *name);

#endif
