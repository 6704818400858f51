/* Roll-up increments, gathered per transaction and written once per row
 * (see rollup.h). */
#include "db/rollup.h"

#include <stdlib.h>
#include <string.h>

#include "db/driver.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xalloc.h"

/* The most rows one upsert writes; a flush writes n rows in the binary
 * decomposition of n (at most this many statement texts per table, each
 * prepared once per connection). */
#define ROWS_MAX 64

const struct rollup_kind ROLLUP_VISITS = {"rollup_visits", {"unit_code", "day"}, {"visits"}, {ROLLUP_ADD}};
const struct rollup_kind ROLLUP_SERVICES = {
    "rollup_services", {"unit_code", "day", "service_code", "outcome"}, {"n"}, {ROLLUP_ADD}};
const struct rollup_kind ROLLUP_PERIOD_SERVICES = {
    "rollup_period_services", {"unit_code", "period", "service_code", "outcome"}, {"n"}, {ROLLUP_ADD}};
const struct rollup_kind ROLLUP_VISIT_ATTRS = {
    "rollup_visit_attrs", {"unit_code", "period", "channel", "sex", "age_band"}, {"n"}, {ROLLUP_ADD}};
const struct rollup_kind ROLLUP_SURVEY = {
    "rollup_survey", {"unit_code", "day", "source"}, {"n", "sum_overall"}, {ROLLUP_ADD, ROLLUP_ADD}};
const struct rollup_kind ROLLUP_SURVEY_ITEMS = {
    "rollup_survey_items", {"unit_code", "day", "item_key"}, {"n", "sum"}, {ROLLUP_ADD, ROLLUP_ADD}};
const struct rollup_kind ROLLUP_PERIOD_UNITS = {
    "rollup_period_units",
    {"unit_code", "period"},
    {"users", "transactions", "active_days", "version", "survey_n", "survey_point_n", "survey_visit_n",
     "survey_sum"},
    {ROLLUP_ADD, ROLLUP_ADD, ROLLUP_OR, ROLLUP_SET, ROLLUP_ADD, ROLLUP_ADD, ROLLUP_ADD, ROLLUP_ADD}};

struct ent {
	const struct rollup_kind *k;
	size_t key, end; /* the keys in text: NUL-terminated, one after another */
	size_t seq;      /* order of adding: the last SET wins */
	int64_t v[ROLLUP_COLS_MAX];
};

struct rollup_log {
	struct ent *e;
	size_t n, cap;
	struct buf text;
	bool flushing;
};

static unsigned count(const char *const *a, unsigned max)
{
	unsigned n = 0;
	while (n < max && a[n])
		n++;
	return n;
}

static struct rollup_log *log_of(struct dbc *c)
{
	if (!c->rollups) {
		c->rollups = xcalloc(1, sizeof(struct rollup_log));
		buf_init(&c->rollups->text, 0);
	}
	return c->rollups;
}

size_t rollup_pending(const struct dbc *c)
{
	return c->rollups ? c->rollups->n : 0;
}

static void cut(struct rollup_log *l, size_t n)
{
	l->n = n;
	l->text.len = n ? l->e[n - 1].end : 0;
	if (l->text.data)
		l->text.data[l->text.len] = '\0';
}

void rollup_truncate(struct dbc *c, size_t mark)
{
	if (c->rollups && mark < c->rollups->n)
		cut(c->rollups, mark);
}

void rollup_discard(struct dbc *c)
{
	rollup_truncate(c, 0);
}

void rollup_free(struct dbc *c)
{
	if (!c->rollups)
		return;
	free(c->rollups->e);
	buf_cleanup(&c->rollups->text);
	free(c->rollups);
	c->rollups = NULL;
}

int rollup_add(struct dbc *c, const struct rollup_kind *k, const char *const *keys, const int64_t *vals)
{
	struct rollup_log *l = log_of(c);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = xrealloc(l->e, l->cap * sizeof *l->e);
	}
	struct ent *e = &l->e[l->n];
	e->k = k;
	e->key = l->text.len;
	e->seq = l->n;
	unsigned nk = count(k->keys, ROLLUP_KEYS_MAX), nc = count(k->cols, ROLLUP_COLS_MAX);
	for (unsigned i = 0; i < nk; i++) {
		buf_puts(&l->text, keys[i] ? keys[i] : "");
		buf_append(&l->text, "", 1);
	}
	e->end = l->text.len;
	for (unsigned i = 0; i < ROLLUP_COLS_MAX; i++)
		e->v[i] = i < nc ? vals[i] : 0;
	l->n++;
	return l->n >= ROLLUP_LOG_MAX ? rollup_flush(c) : DB_OK;
}

/* qsort has no context argument: the text of the log being sorted. */
static _Thread_local const char *sort_text;

/* The keys of a and b (of one kind) compared one by one. */
static int key_cmp(const char *text, const struct ent *a, const struct ent *b)
{
	size_t n = a->end - a->key, m = b->end - b->key;
	int r = memcmp(text + a->key, text + b->key, n < m ? n : m);
	return r ? r : n < m ? -1 : n > m;
}

static int ent_cmp(const void *pa, const void *pb)
{
	const struct ent *a = pa, *b = pb;
	int r = strcmp(a->k->table, b->k->table);
	if (!r)
		r = key_cmp(sort_text, a, b);
	if (!r)
		r = a->seq < b->seq ? -1 : a->seq > b->seq;
	return r;
}

/* One upsert of rows[0..n) of kind k (each already summed). */
static int upsert(struct dbc *c, const struct rollup_kind *k, const struct ent *rows, size_t n,
                  const char *text)
{
	unsigned nk = count(k->keys, ROLLUP_KEYS_MAX), nc = count(k->cols, ROLLUP_COLS_MAX);
	struct buf sql;
	buf_init(&sql, 0);
	buf_printf(&sql, "INSERT INTO %s (", k->table);
	for (unsigned i = 0; i < nk + nc; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", i < nk ? k->keys[i] : k->cols[i - nk]);
	buf_puts(&sql, ") VALUES ");
	for (size_t r = 0; r < n; r++) {
		buf_puts(&sql, r ? ", (" : "(");
		for (unsigned i = 0; i < nk + nc; i++)
			buf_puts(&sql, i ? ", ?" : "?");
		buf_putc(&sql, ')');
	}
	buf_puts(&sql, " ON CONFLICT (");
	for (unsigned i = 0; i < nk; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", k->keys[i]);
	buf_puts(&sql, ") DO UPDATE SET ");
	for (unsigned i = 0; i < nc; i++) {
		const char *col = k->cols[i];
		if (i)
			buf_puts(&sql, ", ");
		switch (k->ops[i]) {
		case ROLLUP_ADD: buf_printf(&sql, "%s = %s.%s + excluded.%s", col, k->table, col, col); break;
		case ROLLUP_OR: buf_printf(&sql, "%s = %s.%s | excluded.%s", col, k->table, col, col); break;
		case ROLLUP_SET:
			buf_printf(&sql, "%s = CASE WHEN excluded.%s = 0 THEN %s.%s ELSE excluded.%s END",
			           col, col, k->table, col, col);
			break;
		}
	}
	struct db_stmt *st = db_prepare(c, buf_str(&sql));
	buf_cleanup(&sql);
	if (!st)
		return DB_ERROR;
	int idx = 1;
	for (size_t r = 0; r < n; r++) {
		const char *p = text + rows[r].key;
		for (unsigned i = 0; i < nk; i++, p += strlen(p) + 1)
			db_bind_text(st, idx++, p);
		for (unsigned i = 0; i < nc; i++)
			db_bind_int(st, idx++, rows[r].v[i]);
	}
	int rc = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

/* Writes rows[0..n) of k in statements of 64, 32, …, 1 rows. */
static int write_rows(struct dbc *c, const struct rollup_kind *k, const struct ent *rows, size_t n,
                      const char *text)
{
	int rc = DB_OK;
	while (n && rc == DB_OK) {
		size_t size = ROWS_MAX;
		while (size > n)
			size /= 2;
		rc = upsert(c, k, rows, size, text);
		rows += size;
		n -= size;
	}
	return rc;
}

int rollup_flush(struct dbc *c)
{
	struct rollup_log *l = c->rollups;
	if (!l || !l->n || l->flushing)
		return DB_OK;
	l->flushing = true;
	sort_text = buf_str(&l->text);
	qsort(l->e, l->n, sizeof *l->e, ent_cmp);
	/* Sum each run of one row in place: rows[0..m) of the current table. */
	int rc = DB_OK;
	size_t i = 0;
	while (i < l->n && rc == DB_OK) {
		const struct rollup_kind *k = l->e[i].k;
		unsigned nc = count(k->cols, ROLLUP_COLS_MAX);
		size_t first = i, m = first;
		while (i < l->n && !strcmp(l->e[i].k->table, k->table)) {
			if (l->e[i].k != k)
				log_bug("db: two roll-up kinds name the table %s", k->table);
			struct ent row = l->e[i++];
			while (i < l->n && l->e[i].k == k && !key_cmp(sort_text, &l->e[i], &row)) {
				for (unsigned j = 0; j < nc; j++) {
					int64_t v = l->e[i].v[j];
					switch (k->ops[j]) {
					case ROLLUP_ADD: row.v[j] += v; break;
					case ROLLUP_OR: row.v[j] |= v; break;
					case ROLLUP_SET:
						if (v)
							row.v[j] = v;
						break;
					}
				}
				i++;
			}
			l->e[m++] = row;
		}
		rc = write_rows(c, k, l->e + first, m - first, sort_text);
	}
	l->flushing = false;
	cut(l, 0);
	return rc;
}

int rollup_flush_for(struct dbc *c, const char *sql)
{
	if (!c->rollups || !c->rollups->n || c->rollups->flushing || !strstr(sql, "rollup_"))
		return DB_OK;
	return rollup_flush(c);
}
