/* libFuzzer target: the PostgreSQL driver's `?` → $n rewriting
 * (db/pg_rewrite.h), two ways.
 *
 * Raw: the input is the SQL text. Whatever it holds, the output must be the
 * input with some of its `?` replaced by $1, $2, ... in order and nothing
 * else changed, and *nparams must count them.
 *
 * Built (first byte 0xFF): the input is a program that builds a statement
 * from tokens whose meaning is known — placeholders, plain text, '...' and
 * E'...' literals (with '' and backslash escapes), "..." identifiers, --
 * and nested block comments, each holding `?`, quotes and comment markers —
 * together with the text the rewriting must give; the two must be equal. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg_rewrite.h"
#include "lib/buf.h"

#include "check.h"

/* Raw mode's oracle: out is sql with exactly n of its `?` replaced, by $1..$n
 * in order. A `?` of sql either stays `?` or becomes '$', so walking both
 * texts together is unambiguous. */
static void check_replaced(const char *sql, const char *out, int n)
{
	int k = 0;
	const char *o = out;
	for (const char *s = sql; *s; s++) {
		if (*s == '?' && *o == '$') {
			char want[16];
			int len = snprintf(want, sizeof want, "$%d", ++k);
			CHECK(!strncmp(o, want, (size_t)len));
			o += len;
			continue;
		}
		CHECK(*o == *s);
		o++;
	}
	CHECK(*o == '\0' && k == n);
}

struct prog {
	const uint8_t *p, *end;
};

static unsigned next(struct prog *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

static bool more(const struct prog *g)
{
	return g->p < g->end;
}

/* Appends one unit chosen from units (NULL-terminated). */
static void unit(struct prog *g, struct buf *sql, const char *const *units)
{
	size_t n = 0;
	while (units[n])
		n++;
	buf_puts(sql, units[next(g) % n]);
}

/* Content units per context: none may end the context early. */
static const char *const in_literal[] = {"a", " ", "?", "''", "\"", "--", "/*", "*/", "\\", "E", "$1", NULL};
static const char *const in_eliteral[] = {"a", " ", "?", "''", "\\'", "\\\\", "\"", "--", "/*", "\\?", NULL};
static const char *const in_ident[] = {"a", " ", "?", "\"\"", "'", "--", "/*", "e'", NULL};
static const char *const in_line[] = {"a", " ", "?", "'", "\"", "/*", "*/", "-", NULL};
static const char *const in_block[] = {"a", " ", "?", "'", "\"", "--", "\n", "E'", NULL};
static const char *const plain[] = {"SELECT", " ",  "x",  ",", "(", ")", "=", "1",
                                    "\n",     "\t", "<>", "e", "E", "$", NULL};

static void block_comment(struct prog *g, struct buf *sql, int depth)
{
	buf_puts(sql, "/*");
	unsigned len = next(g) % 8;
	for (unsigned i = 0; i < len && more(g); i++) {
		if (depth < 4 && next(g) % 5 == 0) {
			block_comment(g, sql, depth + 1);
		} else {
			unit(g, sql, in_block);
		}
	}
	buf_puts(sql, "*/");
}

/* Builds the statement into sql and the expected rewriting into want;
 * returns the expected number of placeholders. */
static int build(struct prog *g, struct buf *sql, struct buf *want)
{
	int n = 0;
	for (unsigned tokens = 0; more(g) && tokens < 200; tokens++) {
		struct buf t;
		buf_init(&t, 0);
		unsigned kind = next(g) % 7, len = next(g) % 8;
		switch (kind) {
		case 0: /* a placeholder */
			buf_puts(sql, "?");
			buf_printf(want, "$%d", ++n);
			break;
		case 1: /* plain text: no quote, `?` or comment character */
			for (unsigned i = 0; i <= len; i++)
				unit(g, &t, plain);
			break;
		case 2: /* ' literal' (a space first: never an E'' by accident) */
			buf_puts(&t, " '");
			for (unsigned i = 0; i < len; i++)
				unit(g, &t, in_literal);
			buf_puts(&t, "'");
			break;
		case 3: /* E'...' with backslash escapes */
			buf_puts(&t, next(g) & 1 ? " E'" : " e'");
			for (unsigned i = 0; i < len; i++)
				unit(g, &t, in_eliteral);
			buf_puts(&t, "'");
			break;
		case 4: /* "identifier" */
			buf_puts(&t, "\"");
			for (unsigned i = 0; i < len; i++)
				unit(g, &t, in_ident);
			buf_puts(&t, "\"");
			break;
		case 5: /* -- comment to the end of the line */
			buf_puts(&t, " --");
			for (unsigned i = 0; i < len; i++)
				unit(g, &t, in_line);
			buf_puts(&t, "\n");
			break;
		default: /* block comment, nested */
			buf_puts(&t, " ");
			block_comment(g, &t, 0);
			break;
		}
		if (kind != 0) {
			buf_puts(sql, buf_str(&t));
			buf_puts(want, buf_str(&t));
		}
		buf_cleanup(&t);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	if (size > 0 && data[0] == 0xFF) {
		struct prog g = {data + 1, data + size};
		struct buf sql, want;
		buf_init(&sql, 0);
		buf_init(&want, 0);
		int expect = build(&g, &sql, &want);
		int n = -1;
		char *out = pg_rewrite_placeholders(buf_str(&sql), &n);
		CHECK(out && n == expect && !strcmp(out, buf_str(&want)));
		check_replaced(buf_str(&sql), out, n);
		free(out);
		buf_cleanup(&sql);
		buf_cleanup(&want);
		return 0;
	}
	char *sql = fuzz_cstr(data, size); /* the text up to the first NUL, as the driver sees it */
	int n = -1;
	char *out = pg_rewrite_placeholders(sql, &n);
	CHECK(out && n >= 0);
	check_replaced(sql, out, n);
	free(out);
	free(sql);
	return 0;
}
