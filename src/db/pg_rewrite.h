/* The PostgreSQL driver's placeholder rewriting, a pure function of the SQL
 * text (no libpq), so that it can be tested and fuzzed on its own
 * (tests/fuzz/fuzz_pg_rewrite.c). */
#ifndef OSSPOINT_DB_PG_REWRITE_H
#define OSSPOINT_DB_PG_REWRITE_H

/* Rewrites each `?` of sql to $1, $2, ... in order, except inside string
 * literals ('...' with '' for a quote; E'...' also with backslash escapes),
 * quoted identifiers ("..." with ""), -- line comments and (nested) block
 * comments: the places where SQLite does not take `?` for a parameter
 * either. An unterminated literal, identifier or comment runs to the end of
 * the text. Everything else is copied byte for byte. Returns a new string
 * (caller frees) and sets *nparams to the number of placeholders; returns
 * NULL (*nparams = 0) only when the result would not fit in a buffer
 * (lib/buf's default maximum): never a shortened statement. */
char *pg_rewrite_placeholders(const char *sql, int *nparams);

#endif
