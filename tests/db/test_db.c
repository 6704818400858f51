/* The storage layer, run once per backend with the same test functions:
 *
 *   test_db sqlite       a fresh SQLite file in a temporary directory
 *   test_db postgresql   a fresh database osspoint_test_<pid>_<n>, created
 *                        through the cluster URL in OSSPOINT_TEST_PG (see
 *                        scripts/pgtmp.sh) and dropped afterwards
 *
 * Without OSSPOINT_TEST_PG the PostgreSQL run fails; it never skips.
 * Callbacks run inside db_tx/db_read only record what they see; the asserts
 * come after, so a failing check never leaves a pooled connection held. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/rollup.h"
#include "fresh.h"
#include "lib/embed.h"
#include "lib/xalloc.h"

static const char *backend; /* "sqlite" or "postgresql" */

/* Fresh databases: tests/db/fresh.c */

/* ---- the suite's database ---- */

struct suite {
	struct fresh f;
	struct db *db;
};

static struct db *DB(void **state)
{
	return ((struct suite *)*state)->db;
}

static int group_setup(void **state)
{
	struct suite *s = xcalloc(1, sizeof *s);
	if (fresh_create(&s->f) != 0) {
		fprintf(stderr, "test_db: cannot create a fresh %s database\n", backend);
		free(s);
		return -1;
	}
	char err[512];
	s->db = db_open(s->f.url, 4, err, sizeof err);
	if (!s->db) {
		fprintf(stderr, "test_db: db_open: %s\n", err);
		fresh_drop(&s->f);
		free(s);
		return -1;
	}
	/* Scratch tables in DDL both dialects accept (SQLite reads BIGINT as
	 * INTEGER and DOUBLE PRECISION as REAL); only the blob type differs. */
	struct script sc = {
	    fresh_is_pg() ? "CREATE TABLE t_kv (k TEXT PRIMARY KEY, i BIGINT, t TEXT, "
	                    "r DOUBLE PRECISION, b BYTEA); "
	                    "CREATE TABLE t_counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL); "
	                    "CREATE TABLE t_write (k TEXT PRIMARY KEY); "
	                    "CREATE TABLE rollup_t (a TEXT NOT NULL, b TEXT NOT NULL, n BIGINT NOT NULL "
	                    "DEFAULT 0, o BIGINT NOT NULL DEFAULT 0, s BIGINT NOT NULL DEFAULT 0, "
	                    "PRIMARY KEY (a, b))"
	                  : "CREATE TABLE t_kv (k TEXT PRIMARY KEY, i BIGINT, t TEXT, "
	                    "r DOUBLE PRECISION, b BLOB); "
	                    "CREATE TABLE t_counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL); "
	                    "CREATE TABLE t_write (k TEXT PRIMARY KEY); "
	                    "CREATE TABLE rollup_t (a TEXT NOT NULL, b TEXT NOT NULL, n BIGINT NOT NULL "
	                    "DEFAULT 0, o BIGINT NOT NULL DEFAULT 0, s BIGINT NOT NULL DEFAULT 0, "
	                    "PRIMARY KEY (a, b))"};
	if (db_tx(s->db, script_fn, &sc) != DB_OK) {
		db_close(s->db);
		fresh_drop(&s->f);
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int group_teardown(void **state)
{
	struct suite *s = *state;
	db_close(s->db);
	fresh_drop(&s->f);
	free(s);
	return 0;
}

static const struct embedded_file *migrations(void)
{
	return fresh_is_pg() ? migrations_postgresql : migrations_sqlite;
}

static int migration_count(void)
{
	int n = 0;
	for (const struct embedded_file *f = migrations(); f->name; f++)
		n++;
	return n;
}

static int last_migration(void)
{
	int v = 0;
	for (const struct embedded_file *f = migrations(); f->name; f++)
		v = (int)strtol(f->name, NULL, 10);
	return v;
}

/* Tests after the first use the foundation tables. */
static void migrated(void **state)
{
	assert_true(db_migrate(DB(state)) >= 0);
}

/* A count as one integer, read outside any transaction. */
struct count {
	const char *sql;
	const char *arg;
	int64_t n;
	int rc;
};

static int count_fn(struct dbc *c, void *arg)
{
	struct count *q = arg;
	q->n = -1;
	q->rc = q->arg ? db_query_int(c, &q->n, q->sql, "t", q->arg) : db_query_int(c, &q->n, q->sql, "");
	return DB_OK;
}

static int64_t count(struct db *db, const char *sql, const char *arg)
{
	struct count q = {sql, arg, -1, 0};
	assert_int_equal(db_read(db, count_fn, &q), DB_OK);
	assert_int_equal(q.rc, DB_ROW);
	return q.n;
}

static int units_fn(struct dbc *c, void *arg)
{
	int rc =
	    db_exec(c,
	            "INSERT INTO units (code, parent_code, level, name_th, name_en) VALUES (?, ?, ?, ?, ?) "
	            "ON CONFLICT (code) DO NOTHING",
	            "tnitt", "0", (int64_t)0, "ประเทศไทย", "Thailand");
	if (rc == DB_OK)
		rc = db_exec(
		    c,
		    "INSERT INTO units (code, parent_code, level, name_th, name_en) VALUES (?, ?, ?, ?, ?) "
		    "ON CONFLICT (code) DO NOTHING",
		    "ttitt", "50", "0", (int64_t)1, "เชียงใหม่", "Chiang Mai");
	return rc;
}

static void with_units(void **state)
{
	migrated(state);
	assert_int_equal(db_tx(DB(state), units_fn, NULL), DB_OK);
}

/* ---- migrations ---- */

static void test_migrate_applies_all_then_none(void **state)
{
	struct db *db = DB(state);
	assert_int_equal(db_schema_version(db), 0); /* no schema_migrations yet */
	assert_true(migration_count() >= 1);
	assert_string_equal(migrations()[0].name, "001_foundation.sql");
	assert_int_equal(db_migrate(db), migration_count());
	assert_int_equal(db_migrate(db), 0);
	assert_int_equal(db_schema_version(db), last_migration());
	assert_int_equal(count(db, "SELECT COUNT(*) FROM schema_migrations", NULL), migration_count());
	assert_int_equal(count(db, "SELECT COUNT(*) FROM schema_migrations WHERE name = ?", "001_foundation"),
	                 1);
	/* Every foundation table is there and empty. */
	static const char *const tables[] = {"units",          "unit_intervals", "users",   "sessions",
	                                     "login_attempts", "audit_log",      "settings"};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char *sql = xasprintf("SELECT COUNT(*) FROM %s", tables[i]);
		assert_int_equal(count(db, sql, NULL), 0);
		free(sql);
	}
}

struct migrator {
	const char *url;
	int applied;
	char err[256];
};

static void *migrate_thread(void *arg)
{
	struct migrator *m = arg;
	struct db *db = db_open(m->url, 2, m->err, sizeof m->err);
	m->applied = db ? db_migrate(db) : -2;
	db_close(db);
	return NULL;
}

/* Two pools (as two processes would have) migrate one fresh database at once:
 * every migration is applied exactly once and neither call fails. */
static void test_migrate_concurrent(void **state)
{
	struct fresh f;
	assert_int_equal(fresh_create(&f), 0);
	struct migrator m[3];
	pthread_t t[3];
	for (int i = 0; i < 3; i++) {
		m[i] = (struct migrator){.url = f.url};
		assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, &m[i]), 0);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	char err[256];
	struct db *db = db_open(f.url, 1, err, sizeof err);
	int version = db ? db_schema_version(db) : -1;
	int64_t rows = db ? count(db, "SELECT COUNT(*) FROM schema_migrations", NULL) : -1;
	db_close(db);
	fresh_drop(&f);
	for (int i = 0; i < 3; i++)
		assert_true(m[i].applied >= 0);
	assert_int_equal(m[0].applied + m[1].applied + m[2].applied, migration_count());
	assert_int_equal(version, last_migration());
	assert_int_equal(rows, migration_count());
}

/* ---- values ---- */

static const char thai[] = "อำเภอเมืองเชียงใหม่ ๑๒๓ — ทดสอบ ภาษาไทย";

struct kv_put {
	const char *k;
	int64_t i;
	const char *t;
};

static int kv_put_fn(struct dbc *c, void *arg)
{
	struct kv_put *a = arg;
	return db_exec(c, "INSERT INTO t_kv (k, i, t) VALUES (?, ?, ?)", "tit", a->k, a->i, a->t);
}

static void kv_put(struct db *db, const char *k, int64_t i, const char *t)
{
	struct kv_put a = {k, i, t};
	assert_int_equal(db_tx(db, kv_put_fn, &a), DB_OK);
}

struct values {
	int rc_int, rc_row, rc_null;
	int64_t big, neg;
	json_t *row, *rows, *nullrow;
	char text[256];
	bool col_null;
	char null_text[8];
	int64_t len_chars;
};

static int values_fn(struct dbc *c, void *arg)
{
	struct values *v = arg;
	v->rc_int = db_query_int(c, &v->big, "SELECT i FROM t_kv WHERE k = ?", "t", "v.big");
	db_query_int(c, &v->neg, "SELECT i FROM t_kv WHERE k = ?", "t", "v.neg");
	v->row = db_query_row(c, &v->rc_row, "SELECT k, i, t, r FROM t_kv WHERE k = ?", "t", "v.thai");
	v->rows = db_query_json(c, "SELECT k, i, t FROM t_kv WHERE k LIKE ? ORDER BY k", "t", "v.%");
	v->nullrow = db_query_row(c, &v->rc_null, "SELECT k, i, t FROM t_kv WHERE k = ?", "t", "v.null");
	db_query_int(c, &v->len_chars, "SELECT length(t) FROM t_kv WHERE k = ?", "t", "v.thai");
	struct db_stmt *st = db_prepare(c, "SELECT t, i FROM t_kv WHERE k = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, "v.thai");
	if (db_step(st) == DB_ROW)
		snprintf(v->text, sizeof v->text, "%s", db_col_text(st, 0));
	db_finish(st);
	st = db_prepare(c, "SELECT t, i FROM t_kv WHERE k = ?");
	db_bind_text(st, 1, "v.null");
	if (db_step(st) == DB_ROW) {
		v->col_null = db_col_null(st, 0) && db_col_null(st, 1);
		snprintf(v->null_text, sizeof v->null_text, "%s", db_col_text(st, 0));
	}
	db_finish(st);
	return DB_OK;
}

static void test_values_roundtrip(void **state)
{
	struct db *db = DB(state);
	kv_put(db, "v.big", INT64_C(1) << 40, "big");
	kv_put(db, "v.neg", -5, NULL);
	kv_put(db, "v.thai", 7, thai);
	kv_put(db, "v.null", 0, NULL);
	assert_int_equal(fresh_exec_tx(db, "UPDATE t_kv SET i = NULL, r = 2.5 WHERE k = 'v.null'"), DB_OK);
	assert_int_equal(fresh_exec_tx(db, "UPDATE t_kv SET r = 0.25 WHERE k = 'v.thai'"), DB_OK);

	struct values v = {0};
	assert_int_equal(db_read(db, values_fn, &v), DB_OK);
	assert_int_equal(v.rc_int, DB_ROW);
	assert_int_equal(v.big, INT64_C(1) << 40);
	assert_int_equal(v.neg, -5);
	/* Thai UTF-8 comes back byte for byte, and the server counts characters. */
	assert_string_equal(v.text, thai);
	assert_int_equal(v.len_chars, 39);

	assert_int_equal(v.rc_row, DB_ROW);
	assert_non_null(v.row);
	assert_true(json_is_integer(json_object_get(v.row, "i")));
	assert_int_equal(json_integer_value(json_object_get(v.row, "i")), 7);
	assert_string_equal(json_string_value(json_object_get(v.row, "t")), thai);
	assert_true(json_is_real(json_object_get(v.row, "r")));
	assert_true(json_real_value(json_object_get(v.row, "r")) == 0.25);

	assert_non_null(v.rows);
	assert_int_equal(json_array_size(v.rows), 4);
	json_t *big = json_array_get(v.rows, 0); /* v.big < v.neg < v.null < v.thai */
	assert_string_equal(json_string_value(json_object_get(big, "k")), "v.big");
	assert_int_equal(json_integer_value(json_object_get(big, "i")), INT64_C(1) << 40);
	assert_true(json_is_null(json_object_get(json_array_get(v.rows, 1), "t")));

	assert_int_equal(v.rc_null, DB_ROW);
	assert_true(json_is_null(json_object_get(v.nullrow, "i")));
	assert_true(json_is_null(json_object_get(v.nullrow, "t")));
	assert_true(v.col_null);
	assert_string_equal(v.null_text, "");

	json_decref(v.row);
	json_decref(v.rows);
	json_decref(v.nullrow);
}

struct none {
	int rc_int, rc_row;
	int64_t untouched;
	json_t *row, *rows;
};

static int none_fn(struct dbc *c, void *arg)
{
	struct none *n = arg;
	n->untouched = 42;
	n->rc_int = db_query_int(c, &n->untouched, "SELECT i FROM t_kv WHERE k = ?", "t", "no such key");
	n->row = db_query_row(c, &n->rc_row, "SELECT i FROM t_kv WHERE k = ?", "t", "no such key");
	n->rows = db_query_json(c, "SELECT i FROM t_kv WHERE k = ?", "t", "no such key");
	return DB_OK;
}

static void test_no_rows(void **state)
{
	struct none n = {0};
	assert_int_equal(db_read(DB(state), none_fn, &n), DB_OK);
	assert_int_equal(n.rc_int, DB_DONE);
	assert_int_equal(n.untouched, 42);
	assert_int_equal(n.rc_row, DB_DONE);
	assert_null(n.row);
	assert_non_null(n.rows);
	assert_true(json_is_array(n.rows));
	assert_int_equal(json_array_size(n.rows), 0);
	json_decref(n.rows);
}

struct numbers {
	json_t *row;
	int rc;
};

static int numbers_fn(struct dbc *c, void *arg)
{
	struct numbers *n = arg;
	/* CAST(? AS ...) so both servers know the parameter's type. */
	n->row = db_query_row(c, &n->rc,
	                      "SELECT CAST(? AS BIGINT) AS n, CAST('42' AS NUMERIC) AS whole, "
	                      "CAST('2.5' AS NUMERIC) AS frac, CAST(? AS DOUBLE PRECISION) AS d, "
	                      "(SELECT SUM(i) FROM t_kv WHERE k LIKE 'num.%') AS total, "
	                      "(SELECT COUNT(*) FROM t_kv WHERE k LIKE 'num.%') AS cnt",
	                      "it", (int64_t)-9, "0.5");
	return DB_OK;
}

/* Integers stay integers across dialects, SUM(BIGINT) (numeric on
 * PostgreSQL) included; fractions are reals. */
static void test_json_numbers(void **state)
{
	struct db *db = DB(state);
	kv_put(db, "num.a", 40, "");
	kv_put(db, "num.b", 2, "");
	struct numbers n = {0};
	assert_int_equal(db_read(db, numbers_fn, &n), DB_OK);
	assert_int_equal(n.rc, DB_ROW);
	assert_non_null(n.row);
	json_t *r = n.row;
	assert_true(json_is_integer(json_object_get(r, "n")));
	assert_int_equal(json_integer_value(json_object_get(r, "n")), -9);
	assert_true(json_is_integer(json_object_get(r, "whole")));
	assert_int_equal(json_integer_value(json_object_get(r, "whole")), 42);
	assert_true(json_is_real(json_object_get(r, "frac")));
	assert_true(json_real_value(json_object_get(r, "frac")) == 2.5);
	assert_true(json_is_real(json_object_get(r, "d")));
	assert_true(json_real_value(json_object_get(r, "d")) == 0.5);
	assert_true(json_is_integer(json_object_get(r, "total")));
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 42);
	assert_true(json_is_integer(json_object_get(r, "cnt")));
	assert_int_equal(json_integer_value(json_object_get(r, "cnt")), 2);
	json_decref(n.row);
}

struct blob {
	int rc_put, rc_get;
	unsigned char got[16];
	size_t len;
	json_t *row;
};

static const unsigned char blob_bytes[] = {0x00, 0x01, 0x7f, 0xff, 0x00, 'A'};

static int blob_put_fn(struct dbc *c, void *arg)
{
	struct db_stmt *st = db_prepare(c, "INSERT INTO t_kv (k, b) VALUES (?, ?)");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, "blob.1");
	db_bind_blob(st, 2, blob_bytes, sizeof blob_bytes);
	int rc = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int blob_get_fn(struct dbc *c, void *arg)
{
	struct blob *b = arg;
	struct db_stmt *st = db_prepare(c, "SELECT b FROM t_kv WHERE k = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, "blob.1");
	b->rc_get = db_step(st);
	if (b->rc_get == DB_ROW) {
		const void *p = db_col_blob(st, 0, &b->len);
		if (b->len <= sizeof b->got)
			memcpy(b->got, p, b->len);
	}
	db_finish(st);
	int rc;
	b->row = db_query_row(c, &rc, "SELECT b FROM t_kv WHERE k = ?", "t", "blob.1");
	return DB_OK;
}

static void test_blob(void **state)
{
	struct blob b = {0};
	assert_int_equal(db_tx(DB(state), blob_put_fn, NULL), DB_OK);
	assert_int_equal(db_read(DB(state), blob_get_fn, &b), DB_OK);
	assert_int_equal(b.rc_get, DB_ROW);
	assert_int_equal(b.len, sizeof blob_bytes);
	assert_memory_equal(b.got, blob_bytes, sizeof blob_bytes);
	assert_non_null(b.row);
	assert_string_equal(json_string_value(json_object_get(b.row, "b")), "00017fff0041");
	json_decref(b.row);
}

/* ---- placeholders ---- */

struct ph {
	json_t *row;
	int rc, rc_mismatch, rc_type;
	int64_t n;
};

static int ph_fn(struct dbc *c, void *arg)
{
	struct ph *p = arg;
	p->row = db_query_row(c, &p->rc,
	                      "SELECT 'it''s a ? mark' AS s, CAST(? AS BIGINT) AS \"what?\", /* ? */ t -- ?\n"
	                      "FROM t_kv WHERE k = ? AND '?' = '?'",
	                      "it", (int64_t)7, "ph.1");
	p->rc_mismatch = db_query_int(c, &p->n, "SELECT i FROM t_kv WHERE k = ?", "");
	p->rc_type = db_query_int(c, &p->n, "SELECT i FROM t_kv WHERE k = ?", "x", "ph.1");
	return DB_OK;
}

static void test_placeholders(void **state)
{
	kv_put(DB(state), "ph.1", 1, "ค่า?");
	struct ph p = {0};
	assert_int_equal(db_read(DB(state), ph_fn, &p), DB_OK);
	assert_int_equal(p.rc, DB_ROW);
	assert_non_null(p.row);
	assert_string_equal(json_string_value(json_object_get(p.row, "s")), "it's a ? mark");
	assert_int_equal(json_integer_value(json_object_get(p.row, "what?")), 7);
	assert_string_equal(json_string_value(json_object_get(p.row, "t")), "ค่า?");
	/* Wrong number or type of arguments: refused before the server sees it. */
	assert_int_equal(p.rc_mismatch, DB_ERROR);
	assert_int_equal(p.rc_type, DB_ERROR);
	json_decref(p.row);
}

/* ---- constraints ---- */

struct ins {
	const char *a, *b, *c;
};

static int user_fn(struct dbc *c, void *arg)
{
	struct ins *u = arg;
	return db_exec(c,
	               "INSERT INTO users (username, role, unit_code, password_hash, created_at, updated_at) "
	               "VALUES (?, ?, ?, 'x', 0, 0)",
	               "ttt", u->a, u->b, u->c);
}

static int unit_dup_fn(struct dbc *c, void *arg)
{
	return db_exec(c, "INSERT INTO units (code, parent_code, level, name_th) VALUES (?, ?, ?, ?)", "ttit",
	               "50", "0", (int64_t)1, "ซ้ำ");
}

static int unit_null_fn(struct dbc *c, void *arg)
{
	return db_exec(c, "INSERT INTO units (code, parent_code, level, name_th) VALUES (?, ?, ?, ?)", "ttit",
	               "51", "0", (int64_t)1, NULL);
}

/* Ignores a failed statement, carries on and asks to commit. */
static int swallow_fn(struct dbc *c, void *arg)
{
	db_exec(c, "INSERT INTO settings (key, value) VALUES (?, ?)", "tt", "swallow.before", "1");
	unit_dup_fn(c, NULL);
	db_exec(c, "INSERT INTO settings (key, value) VALUES (?, ?)", "tt", "swallow.after", "1");
	return DB_OK;
}

static void test_constraints(void **state)
{
	struct db *db = DB(state);
	with_units(state);
	struct ins ok = {.a = "somchai", .b = "officer", .c = "50"};
	assert_int_equal(db_tx(db, user_fn, &ok), DB_OK);
	/* unique */
	assert_int_equal(db_tx(db, user_fn, &ok), DB_CONSTRAINT);
	assert_int_equal(db_tx(db, unit_dup_fn, NULL), DB_CONSTRAINT);
	/* foreign key */
	struct ins fk = {.a = "somying", .b = "officer", .c = "99"};
	assert_int_equal(db_tx(db, user_fn, &fk), DB_CONSTRAINT);
	/* check */
	struct ins chk = {.a = "somsak", .b = "king", .c = "50"};
	assert_int_equal(db_tx(db, user_fn, &chk), DB_CONSTRAINT);
	/* not null */
	assert_int_equal(db_tx(db, unit_null_fn, NULL), DB_CONSTRAINT);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM users WHERE username <> ?", "somchai"), 0);
	/* A transaction whose function ignored a failure is rolled back on both
	 * backends (PostgreSQL would have aborted it anyway). */
	assert_int_equal(db_tx(db, swallow_fn, NULL), DB_CONSTRAINT);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM settings WHERE key LIKE ?", "swallow.%"), 0);
	/* ON DELETE CASCADE from users to sessions works (foreign_keys=ON). */
	assert_int_equal(
	    fresh_exec_tx(db,
	                  "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, "
	                  "expires_at) SELECT 'h1', id, 'c', 0, 0, 1 FROM users WHERE username = 'somchai'"),
	    DB_OK);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM sessions", NULL), 1);
	assert_int_equal(fresh_exec_tx(db, "DELETE FROM users WHERE username = 'somchai'"), DB_OK);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM sessions", NULL), 0);
}

/* ---- transactions ---- */

struct setting {
	const char *key;
	int ret;
	int calls;
	int busy_first;
};

static int setting_fn(struct dbc *c, void *arg)
{
	struct setting *s = arg;
	s->calls++;
	int rc = db_exec(c, "INSERT INTO settings (key, value) VALUES (?, ?)", "tt", s->key, "ค่า");
	if (rc != DB_OK)
		return rc;
	if (s->calls <= s->busy_first)
		return DB_BUSY;
	return s->ret;
}

static void test_tx_commit_rollback(void **state)
{
	struct db *db = DB(state);
	migrated(state);
	struct setting commit = {"tx.commit", DB_OK, 0, 0};
	assert_int_equal(db_tx(db, setting_fn, &commit), DB_OK);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM settings WHERE key = ?", "tx.commit"), 1);

	struct setting fail = {"tx.rollback", DB_ERROR, 0, 0};
	assert_int_equal(db_tx(db, setting_fn, &fail), DB_ERROR);
	assert_int_equal(fail.calls, 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM settings WHERE key = ?", "tx.rollback"), 0);

	/* Any result but DB_OK rolls back, and is what db_tx returns. */
	struct setting done = {"tx.done", DB_DONE, 0, 0};
	assert_int_equal(db_tx(db, setting_fn, &done), DB_DONE);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM settings WHERE key = ?", "tx.done"), 0);

	/* DB_BUSY: rolled back and run again; only the last run's writes stay. */
	struct setting retry = {"tx.retry", DB_OK, 0, 3};
	assert_int_equal(db_tx(db, setting_fn, &retry), DB_OK);
	assert_int_equal(retry.calls, 4);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM settings WHERE key = ?", "tx.retry"), 1);

	/* Busy for ever: bounded retries, then DB_BUSY and nothing stored. */
	struct setting stuck = {"tx.stuck", DB_OK, 0, 1000};
	assert_int_equal(db_tx(db, setting_fn, &stuck), DB_BUSY);
	assert_true(stuck.calls > 3 && stuck.calls < 1000);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM settings WHERE key = ?", "tx.stuck"), 0);
}

static int nested_inner(struct dbc *c, void *arg)
{
	return DB_OK;
}

static struct db *nested_db, *other_db;
static bool other_ok;

static int nested_real_fn(struct dbc *c, void *arg)
{
	*(int *)arg = db_read(nested_db, nested_inner, NULL);
	other_ok = db_tx(other_db, nested_inner, NULL) == DB_OK;
	return DB_OK;
}

/* A transaction function that opens another transaction on the same pool is
 * refused rather than left to deadlock on the pool or the write lock. */
static void test_tx_nested_refused(void **state)
{
	nested_db = DB(state);
	other_db = db_open("sqlite::memory:", 1, NULL, 0);
	assert_non_null(other_db);
	int inner = 0;
	assert_int_equal(db_tx(DB(state), nested_real_fn, &inner), DB_OK);
	db_close(other_db);
	assert_int_equal(inner, DB_ERROR);
	/* Another pool is another database: that nests fine. */
	assert_true(other_ok);
	assert_true(db_ping(DB(state)));
}

/* db_read hands back the function's own result. */
static int read_row_fn(struct dbc *c, void *arg)
{
	int64_t n;
	return db_query_int(c, &n, "SELECT COUNT(*) FROM t_kv", "");
}

static void test_read_passthrough(void **state)
{
	assert_int_equal(db_read(DB(state), read_row_fn, NULL), DB_ROW);
}

/* Read-modify-write from several threads: SQLite's single writer and
 * PostgreSQL's SERIALIZABLE with retries both give the exact total. */
#ifndef INCR_THREADS
#define INCR_THREADS 2
#endif
#define INCR_EACH 250

struct incr {
	struct db *db;
	atomic_int calls;
	atomic_int failures;
};

static int incr_fn(struct dbc *c, void *arg)
{
	struct incr *in = arg;
	atomic_fetch_add(&in->calls, 1);
	int64_t n = 0;
	int rc = db_query_int(c, &n, "SELECT n FROM t_counter WHERE id = ?", "i", (int64_t)1);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_ERROR;
	return db_exec(c, "UPDATE t_counter SET n = ? WHERE id = ?", "ii", n + 1, (int64_t)1);
}

static void *incr_thread(void *arg)
{
	struct incr *in = arg;
	for (int i = 0; i < INCR_EACH; i++)
		if (db_tx(in->db, incr_fn, in) != DB_OK)
			atomic_fetch_add(&in->failures, 1);
	return NULL;
}

static void test_tx_concurrent_counter(void **state)
{
	struct db *db = DB(state);
	assert_int_equal(fresh_exec_tx(db, "INSERT INTO t_counter (id, n) VALUES (1, 0)"), DB_OK);
	struct incr in = {.db = db};
	atomic_init(&in.calls, 0);
	atomic_init(&in.failures, 0);
	pthread_t t[INCR_THREADS];
	for (int i = 0; i < INCR_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, incr_thread, &in), 0);
	for (int i = 0; i < INCR_THREADS; i++)
		pthread_join(t[i], NULL);
	printf("test_db %s: %d increments took %d transaction attempts\n", backend, INCR_THREADS * INCR_EACH,
	       atomic_load(&in.calls));
	assert_int_equal(atomic_load(&in.failures), 0);
	assert_int_equal(count(db, "SELECT n FROM t_counter WHERE id = 1", NULL), INCR_THREADS * INCR_EACH);
}

/* ---- group commit (db_write) ---- */

static struct db_write_stats wstats(struct db *db)
{
	struct db_write_stats st;
	db_write_stats(db, &st);
	return st;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits (at most 5 s) until db has accepted `requests` db_write calls in
 * all. Returns false on timeout. */
static bool wait_requests(struct db *db, uint64_t requests)
{
	for (int i = 0; i < 5000; i++) {
		if (wstats(db).requests >= requests)
			return true;
		sleep_ms(1);
	}
	return false;
}

static int w_insert(struct dbc *c, const char *k)
{
	return db_exec(c, "INSERT INTO t_write (k) VALUES (?)", "t", k);
}

/* One db_write request. Its function runs on the writer thread (SQLite) and
 * only records; the caller's thread stores the result. */
struct wr {
	struct db *db;
	int (*fn)(struct dbc *c, void *arg);
	const char *key;
	int ret;        /* w_ok_fn: returned once its insert succeeded */
	int busy_first; /* w_ok_fn: report DB_BUSY on the first runs */
	uint64_t wait_for;
	atomic_bool entered;
	int runs;
	int rc;
};

static int w_ok_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	int rc = w_insert(c, w->key);
	if (rc != DB_OK)
		return rc;
	return w->runs <= w->busy_first ? DB_BUSY : w->ret;
}

/* Inserts its key, then a duplicate: DB_CONSTRAINT, its key must be gone. */
static int w_dup_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	int rc = w_insert(c, w->key);
	return rc == DB_OK ? w_insert(c, "w.pre") : rc;
}

/* Ignores a failed statement and asks to keep its work: rolled back (its
 * own work only), and the failure returned. */
static int w_swallow_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	w_insert(c, "w.pre");
	w_insert(c, w->key);
	return DB_OK;
}

/* SQLite's OR ROLLBACK ends the whole transaction, the batch's other work
 * included: the writer must run the others again. (PostgreSQL: a plain
 * duplicate.) */
static int w_rollback_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	int rc = w_insert(c, w->key);
	if (rc != DB_OK)
		return rc;
	return db_exec(c,
	               dbc_dialect(c) == DB_SQLITE ? "INSERT OR ROLLBACK INTO t_write (k) VALUES (?)"
	                                           : "INSERT INTO t_write (k) VALUES (?)",
	               "t", "w.pre");
}

/* A refusal that writes nothing, as the registry's "not found", "already
 * void" and "period closed" are: it reads, then answers ret (negative or
 * positive). */
static int w_refuse_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	int64_t n = -1;
	int rc = db_query_int(c, &n, "SELECT COUNT(*) FROM t_write WHERE k = ?", "t", w->key);
	return rc == DB_ROW ? w->ret : rc;
}

/* Its insert changes nothing (the key exists): a refusal that wrote no row,
 * whatever the statement looked like. */
static int w_refuse_noop_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	int rc = db_exec(c, "INSERT INTO t_write (k) VALUES (?) ON CONFLICT (k) DO NOTHING", "t", "w.pre");
	return rc == DB_OK ? w->ret : rc;
}

/* Holds the writer until wait_for requests have arrived, so they all queue
 * up behind it and form the next batch. Test-only: a real fn must never
 * wait. */
static int w_gate_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	atomic_store(&w->entered, true);
	wait_requests(w->db, w->wait_for);
	return w_insert(c, w->key);
}

static void *w_thread(void *arg)
{
	struct wr *w = arg;
	w->rc = db_write(w->db, w->fn, w);
	return NULL;
}

static int64_t w_count(struct db *db, const char *key)
{
	return count(db, "SELECT COUNT(*) FROM t_write WHERE k = ?", key);
}

/* Many threads, each writing its own rows one db_write at a time: every row
 * is there exactly once, each is visible to another connection as soon as
 * db_write returned, and on SQLite fewer COMMITs than requests were needed. */
#define WRITE_THREADS 16
#define WRITE_EACH    200

struct writer_thread {
	struct db *db;
	int t;
	int failures, invisible;
};

static int w_key_fn(struct dbc *c, void *arg)
{
	return w_insert(c, arg);
}

static void *w_many_thread(void *arg)
{
	struct writer_thread *wt = arg;
	for (int i = 0; i < WRITE_EACH; i++) {
		char key[32];
		snprintf(key, sizeof key, "w.c.%d.%d", wt->t, i);
		if (db_write(wt->db, w_key_fn, key) != DB_OK) {
			wt->failures++;
			continue;
		}
		/* On a pool connection, not the writer's. */
		struct count q = {"SELECT COUNT(*) FROM t_write WHERE k = ?", key, -1, 0};
		if (db_read(wt->db, count_fn, &q) != DB_OK || q.rc != DB_ROW || q.n != 1)
			wt->invisible++;
	}
	return NULL;
}

static void test_write_concurrent(void **state)
{
	struct db *db = DB(state);
	struct db_write_stats before = wstats(db);
	struct writer_thread wt[WRITE_THREADS];
	pthread_t t[WRITE_THREADS];
	for (int i = 0; i < WRITE_THREADS; i++) {
		wt[i] = (struct writer_thread){.db = db, .t = i};
		assert_int_equal(pthread_create(&t[i], NULL, w_many_thread, &wt[i]), 0);
	}
	for (int i = 0; i < WRITE_THREADS; i++)
		pthread_join(t[i], NULL);
	struct db_write_stats after = wstats(db);
	uint64_t requests = after.requests - before.requests, commits = after.commits - before.commits;
	printf("test_db %s: %d db_write calls, %llu commits\n", backend, WRITE_THREADS * WRITE_EACH,
	       (unsigned long long)commits);
	for (int i = 0; i < WRITE_THREADS; i++) {
		assert_int_equal(wt[i].failures, 0);
		assert_int_equal(wt[i].invisible, 0);
	}
	assert_int_equal(count(db, "SELECT COUNT(*) FROM t_write WHERE k LIKE ?", "w.c.%"),
	                 WRITE_THREADS * WRITE_EACH);
	assert_int_equal(requests, WRITE_THREADS * WRITE_EACH);
	assert_true(commits >= 1 && commits < requests);
}

/* Runs the requests of w as one batch behind w[0], a gate (w_gate_fn), in
 * this order; returns the COMMITs it took. */
static uint64_t w_batch(struct db *db, struct wr *w, int n)
{
	struct db_write_stats before = wstats(db);
	pthread_t t[16];
	assert_true(n <= 16);
	/* In this order: the gate alone in the first batch, the rest queued
	 * behind it (one at a time, so the queue order is this order). */
	for (int i = 0; i < n; i++) {
		w[i].db = db;
		w[i].wait_for = before.requests + (uint64_t)n;
		atomic_init(&w[i].entered, false);
		assert_int_equal(pthread_create(&t[i], NULL, w_thread, &w[i]), 0);
		assert_true(wait_requests(db, before.requests + (uint64_t)i + 1));
		for (int j = 0; i == 0 && j < 5000 && !atomic_load(&w[0].entered); j++)
			sleep_ms(1);
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < n; i++)
		printf("test_db %s: %-14s rc %d after %d run(s)\n", backend, w[i].key, w[i].rc, w[i].runs);
	return wstats(db).commits - before.commits;
}

/* One batch holding successes and every kind of failure: each failure
 * discards its own work only, each caller gets its own result. */
static void test_write_isolation(void **state)
{
	struct db *db = DB(state);
	assert_int_equal(db_write(db, w_key_fn, "w.pre"), DB_OK);
	struct wr w[] = {
	    {.fn = w_gate_fn, .key = "w.i.gate"},
	    {.fn = w_ok_fn, .key = "w.i.ok1", .ret = DB_OK},
	    {.fn = w_dup_fn, .key = "w.i.dup"},
	    {.fn = w_ok_fn, .key = "w.i.ok2", .ret = DB_OK},
	    {.fn = w_ok_fn, .key = "w.i.error", .ret = DB_ERROR},
	    {.fn = w_swallow_fn, .key = "w.i.swallow"},
	    {.fn = w_ok_fn, .key = "w.i.done", .ret = DB_DONE},
	    {.fn = w_rollback_fn, .key = "w.i.rollback"},
	    {.fn = w_ok_fn, .key = "w.i.ok3", .ret = DB_OK},
	};
	enum { N = sizeof w / sizeof *w };
	static const int want[N] = {DB_OK,         DB_OK,   DB_CONSTRAINT, DB_OK, DB_ERROR,
	                            DB_CONSTRAINT, DB_DONE, DB_CONSTRAINT, DB_OK};
	uint64_t commits = w_batch(db, w, N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(w[i].rc, want[i]);
		assert_int_equal(w_count(db, w[i].key), want[i] == DB_OK ? 1 : 0);
	}
	assert_int_equal(w_count(db, "w.pre"), 1);
	/* The gate's batch, then one for all the rest. Each failure after a
	 * write (dup, error, done, rollback) rolled the transaction back,
	 * settled the one that failed and ran the others again (no
	 * savepoints). swallow's failed statement changed nothing: on SQLite
	 * it undid only itself, so swallow was answered and the batch went on;
	 * PostgreSQL aborts the whole transaction at a failed statement, so
	 * there it costs a rerun too. So ok1 ran 5 times (PostgreSQL 6), ok2
	 * (after dup) 4 (5), and the failures and ok3 once each. */
	assert_int_equal(commits, 2);
	assert_int_equal(w[1].runs, fresh_is_pg() ? 6 : 5);
	assert_int_equal(w[3].runs, fresh_is_pg() ? 5 : 4);
	for (int i = 4; i < N; i++)
		assert_int_equal(w[i].runs, 1);
}

/* Refusals that wrote nothing (a negative and a positive result after a
 * read, an insert that changed no row) in one batch with successes: nothing
 * is run twice, each caller gets its own result, the others commit together. */
static void test_write_refusal(void **state)
{
	struct db *db = DB(state);
	struct wr w[] = {
	    {.fn = w_gate_fn, .key = "w.f.gate"},
	    {.fn = w_ok_fn, .key = "w.f.ok1", .ret = DB_OK},
	    {.fn = w_refuse_fn, .key = "w.f.notfound", .ret = DB_NOT_FOUND},
	    {.fn = w_ok_fn, .key = "w.f.ok2", .ret = DB_OK},
	    {.fn = w_refuse_noop_fn, .key = "w.f.noop", .ret = DB_CONFLICT},
	    {.fn = w_refuse_fn, .key = "w.f.closed", .ret = 7}, /* a caller's positive code */
	    {.fn = w_ok_fn, .key = "w.f.ok3", .ret = DB_OK},
	};
	enum { N = sizeof w / sizeof *w };
	static const int want[N] = {DB_OK, DB_OK, DB_NOT_FOUND, DB_OK, DB_CONFLICT, 7, DB_OK};
	assert_int_equal(w_count(db, "w.pre"), 1);
	uint64_t commits = w_batch(db, w, N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(w[i].rc, want[i]);
		assert_int_equal(w[i].runs, 1);
		assert_int_equal(w_count(db, w[i].key), want[i] == DB_OK ? 1 : 0);
	}
	assert_int_equal(commits, 2); /* the gate's, and one for the rest */
}

/* A refusal after a write still discards its own work only: the batch is
 * rolled back and the others run again without it (a refusal that wrote
 * nothing, answered before, is not run again). */
static void test_write_refusal_after_write(void **state)
{
	struct db *db = DB(state);
	struct wr w[] = {
	    {.fn = w_gate_fn, .key = "w.a.gate"},
	    {.fn = w_ok_fn, .key = "w.a.ok1", .ret = DB_OK},
	    {.fn = w_refuse_fn, .key = "w.a.notfound", .ret = DB_NOT_FOUND},
	    {.fn = w_ok_fn, .key = "w.a.wrote", .ret = DB_NOT_FOUND}, /* inserts, then refuses */
	    {.fn = w_ok_fn, .key = "w.a.ok2", .ret = DB_OK},
	};
	enum { N = sizeof w / sizeof *w };
	static const int want[N] = {DB_OK, DB_OK, DB_NOT_FOUND, DB_NOT_FOUND, DB_OK};
	static const int runs[N] = {1, 2, 1, 1, 1};
	uint64_t commits = w_batch(db, w, N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(w[i].rc, want[i]);
		assert_int_equal(w[i].runs, runs[i]);
		assert_int_equal(w_count(db, w[i].key), want[i] == DB_OK ? 1 : 0);
	}
	assert_int_equal(commits, 2);
}

/* DB_BUSY from fn: rolled back and run again; bounded. */
static void test_write_retry(void **state)
{
	struct db *db = DB(state);
	struct wr busy = {.db = db, .key = "w.r.busy", .ret = DB_OK, .busy_first = 2};
	assert_int_equal(db_write(db, w_ok_fn, &busy), DB_OK);
	assert_int_equal(busy.runs, 3);
	assert_int_equal(w_count(db, "w.r.busy"), 1);

	struct wr stuck = {.db = db, .key = "w.r.stuck", .ret = DB_OK, .busy_first = 1000};
	assert_int_equal(db_write(db, w_ok_fn, &stuck), DB_BUSY);
	assert_true(stuck.runs > 3 && stuck.runs < 1000);
	assert_int_equal(w_count(db, "w.r.stuck"), 0);
}

struct nest {
	struct db *db;
	int write, tx, read;
};

static int w_nested_fn(struct dbc *c, void *arg)
{
	struct nest *n = arg;
	n->write = db_write(n->db, nested_inner, NULL);
	n->tx = db_tx(n->db, nested_inner, NULL);
	n->read = db_read(n->db, nested_inner, NULL);
	return w_insert(c, "w.n.inner");
}

static int tx_calls_write_fn(struct dbc *c, void *arg)
{
	struct nest *n = arg;
	n->write = db_write(n->db, nested_inner, NULL);
	return DB_OK;
}

/* A write function that calls back into its own pool, and a transaction
 * that calls db_write: refused, never a deadlock. */
static void test_write_nested_refused(void **state)
{
	struct db *db = DB(state);
	struct nest n = {.db = db};
	assert_int_equal(db_write(db, w_nested_fn, &n), DB_OK);
	assert_int_equal(n.write, DB_ERROR);
	assert_int_equal(n.tx, DB_ERROR);
	assert_int_equal(n.read, DB_ERROR);
	assert_int_equal(w_count(db, "w.n.inner"), 1);
	n.write = 0;
	assert_int_equal(db_tx(db, tx_calls_write_fn, &n), DB_OK);
	assert_int_equal(n.write, DB_ERROR);
}

/* Sleeps on the writer so the others queue; test-only. */
static int w_slow_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	atomic_store(&w->entered, true);
	sleep_ms(200);
	return w_insert(c, w->key);
}

/* db_close with requests still queued: every one is committed and answered
 * before it returns. */
#define CLOSE_WRITERS 8

static void test_write_close_drains(void **state)
{
	char err[256];
	struct db *db = db_open(((struct suite *)*state)->f.url, 2, err, sizeof err);
	assert_non_null(db);
	static const char *const keys[CLOSE_WRITERS + 1] = {"w.z.slow", "w.z.0", "w.z.1", "w.z.2", "w.z.3",
	                                                    "w.z.4",    "w.z.5", "w.z.6", "w.z.7"};
	struct wr w[CLOSE_WRITERS + 1];
	pthread_t t[CLOSE_WRITERS + 1];
	for (int i = 0; i <= CLOSE_WRITERS; i++) {
		w[i] = (struct wr){.db = db, .fn = i ? w_ok_fn : w_slow_fn, .key = keys[i], .ret = DB_OK};
		atomic_init(&w[i].entered, false);
		assert_int_equal(pthread_create(&t[i], NULL, w_thread, &w[i]), 0);
		for (int j = 0; i == 0 && j < 5000 && !atomic_load(&w[0].entered); j++)
			sleep_ms(1);
	}
	assert_true(wait_requests(db, CLOSE_WRITERS + 1));
	struct db_write_stats st = wstats(db);
	/* The slow one still holds the writer: nothing committed yet, all nine
	 * pending. */
	assert_int_equal(st.commits, 0);
	db_close(db);
	for (int i = 0; i <= CLOSE_WRITERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i <= CLOSE_WRITERS; i++) {
		assert_int_equal(w[i].rc, DB_OK);
		assert_int_equal(w_count(DB(state), keys[i]), 1);
	}
}

/* Writers in a loop keep the group-commit writer (and so SQLite's write lock)
 * busy; a db_tx meanwhile (a session's idle clock, a login attempt) must
 * not wait long. SQLite's busy handler alone would poll with sleeps of 1 to
 * 100 ms and seldom find the lock free between two batches. */
#define BUSY_WRITERS 8
#define BUSY_TX      20

struct busy_writer {
	struct db *db;
	int t;
	atomic_bool *stop;
	int failures;
};

static void *busy_writer_thread(void *arg)
{
	struct busy_writer *b = arg;
	for (int i = 0; !atomic_load(b->stop); i++) {
		char key[48];
		snprintf(key, sizeof key, "w.busy.%d.%d", b->t, i);
		if (db_write(b->db, w_key_fn, key) != DB_OK)
			b->failures++;
	}
	return NULL;
}

static int busy_tx_fn(struct dbc *c, void *arg)
{
	return db_exec(c,
	               "INSERT INTO t_kv (k, i) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET i = t_kv.i + 1",
	               "t", "busy.tx");
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_write_tx_beside(void **state)
{
	struct db *db = DB(state);
	atomic_bool stop;
	atomic_init(&stop, false);
	struct busy_writer b[BUSY_WRITERS];
	pthread_t t[BUSY_WRITERS];
	for (int i = 0; i < BUSY_WRITERS; i++) {
		b[i] = (struct busy_writer){.db = db, .t = i, .stop = &stop};
		assert_int_equal(pthread_create(&t[i], NULL, busy_writer_thread, &b[i]), 0);
	}
	sleep_ms(100);
	int64_t worst = 0;
	int failures = 0;
	for (int i = 0; i < BUSY_TX; i++) {
		int64_t t0 = mono_ms();
		if (db_tx(db, busy_tx_fn, NULL) != DB_OK)
			failures++;
		int64_t ms = mono_ms() - t0;
		if (ms > worst)
			worst = ms;
		sleep_ms(10);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < BUSY_WRITERS; i++)
		pthread_join(t[i], NULL);
	printf("test_db %s: %d db_tx beside %d busy writers: slowest %lld ms\n", backend, BUSY_TX,
	       BUSY_WRITERS, (long long)worst);
	assert_int_equal(failures, 0);
	for (int i = 0; i < BUSY_WRITERS; i++)
		assert_int_equal(b[i].failures, 0);
	assert_int_equal(count(db, "SELECT i FROM t_kv WHERE k = ?", "busy.tx"), BUSY_TX);
	/* A batch or two (a few ms; a disk stall can make one take 100 ms),
	 * not SQLite's back-off sleeps (seconds: 2.9 and 5.0 s without the
	 * token). */
	assert_true(worst < 500);
}

/* SQLite: the writer's COMMITs never checkpoint (its connection has no
 * automatic checkpoint); a thread of its own does, PASSIVE as the WAL
 * grows. Under continuous writes the WAL is still started afresh (the writer
 * copies the frames left between two batches), so its file stays bounded;
 * once the writes stop it is truncated. */
static int w_big_fn(struct dbc *c, void *arg)
{
	const int *k = arg;
	static char text[4001];
	memset(text, 'x', sizeof text - 1);
	int rc = DB_OK;
	for (int i = 0; i < 50 && rc == DB_OK; i++) {
		char key[32];
		snprintf(key, sizeof key, "ck.%d.%d", *k, i);
		rc = db_exec(c, "INSERT INTO t_kv (k, t) VALUES (?, ?)", "tt", key, text);
	}
	return rc;
}

static int w_autockpt_fn(struct dbc *c, void *arg)
{
	return db_query_int(c, arg, "PRAGMA wal_autocheckpoint", "") == DB_ROW ? DB_OK : DB_ERROR;
}

static void test_write_checkpoints(void **state)
{
	struct db *db = DB(state);
	if (fresh_is_pg())
		return; /* PostgreSQL checkpoints on its own */
	int64_t autockpt = -1;
	assert_int_equal(db_write(db, w_autockpt_fn, &autockpt), DB_OK);
	assert_int_equal(autockpt, 0);
	struct db_write_stats before = wstats(db);
	char *wal = xasprintf("%s/test.db-wal", ((struct suite *)*state)->f.dir);
	struct stat sb = {0};
	/* 150 x 50 rows of 4 KB, one page each, back to back: over 7500 WAL
	 * frames (31 MB) if the WAL were never started afresh. */
	for (int k = 0; k < 150; k++)
		assert_int_equal(db_write(db, w_big_fn, &k), DB_OK);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM t_kv WHERE k LIKE ?", "ck.%"), 7500);
	assert_int_equal(stat(wal, &sb), 0);
	printf("test_db %s: WAL %lld bytes after the writes\n", backend, (long long)sb.st_size);
	assert_true(sb.st_size < 4000 * (4096 + 24));
	bool truncated = false;
	for (int i = 0; i < 1000 && !truncated; i++) {
		sleep_ms(10);
		truncated = wstats(db).truncates > before.truncates && stat(wal, &sb) == 0 && sb.st_size == 0;
	}
	struct db_write_stats after = wstats(db);
	printf("test_db %s: %llu checkpoints, %llu truncating, WAL %lld bytes\n", backend,
	       (unsigned long long)(after.checkpoints - before.checkpoints),
	       (unsigned long long)(after.truncates - before.truncates), (long long)sb.st_size);
	free(wal);
	/* PASSIVE ones while writing, then the TRUNCATE. */
	assert_true(after.checkpoints - before.checkpoints >= 2);
	assert_true(truncated);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM t_kv WHERE k LIKE ?", "ck.%"), 7500);
}

/* ---- statements ---- */

struct cache {
	int64_t sum;
	int errors;
	int64_t a, b;
	bool distinct;
	int64_t changes;
	int rc_again;
	int evicted_ok;
};

static int cache_fn(struct dbc *c, void *arg)
{
	struct cache *k = arg;
	/* The same text many times, different binds. */
	for (int i = 0; i < 200; i++) {
		int64_t v = 0;
		char key[16];
		snprintf(key, sizeof key, "c.%d", i % 4);
		if (db_query_int(c, &v, "SELECT i FROM t_kv WHERE k = ?", "t", key) != DB_ROW)
			k->errors++;
		k->sum += v;
	}
	/* The same text again while the first is still open: a separate statement. */
	const char *sql = "SELECT i FROM t_kv WHERE k = ?";
	struct db_stmt *s1 = db_prepare(c, sql);
	struct db_stmt *s2 = NULL;
	if (!s1)
		return DB_ERROR;
	db_bind_text(s1, 1, "c.1");
	if (db_step(s1) == DB_ROW) {
		s2 = db_prepare(c, sql);
		k->distinct = s2 && s2 != s1;
		db_bind_text(s2, 1, "c.2");
		if (db_step(s2) == DB_ROW)
			k->b = db_col_int(s2, 0);
		k->a = db_col_int(s1, 0);
	}
	db_finish(s2);
	db_finish(s1);
	return DB_OK;
}

static int changes_fn(struct dbc *c, void *arg)
{
	struct cache *k = arg;
	struct db_stmt *st = db_prepare(c, "UPDATE t_kv SET t = ? WHERE k LIKE ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, "changed");
	db_bind_text(st, 2, "c.%");
	int rc = db_step(st);
	k->changes = db_changes(st);
	/* Stepping a finished statement does not run it again. */
	k->rc_again = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int many_fn(struct dbc *c, void *arg)
{
	struct cache *k = arg;
	/* More distinct texts than a connection keeps cached. */
	for (int i = 0; i < 600; i++) {
		char sql[64];
		int64_t v = 0;
		snprintf(sql, sizeof sql, "SELECT %d + CAST(? AS BIGINT) AS v", i);
		if (db_query_int(c, &v, sql, "i", (int64_t)1) == DB_ROW && v == i + 1)
			k->evicted_ok++;
	}
	return DB_OK;
}

/* ---- roll-up increments (db/rollup.h) ---- */

static const struct rollup_kind ROLLUP_T = {
    "rollup_t", {"a", "b"}, {"n", "o", "s"}, {ROLLUP_ADD, ROLLUP_OR, ROLLUP_SET}};

static int roll(struct dbc *c, const char *a, const char *b, int64_t n, int64_t o, int64_t s)
{
	return rollup_add(c, &ROLLUP_T, (const char *[]){a, b}, (int64_t[]){n, o, s});
}

struct rolled {
	int64_t n, o, s;
	int rc;
};

static int rolled_fn(struct dbc *c, void *arg)
{
	struct rolled *r = arg;
	struct db_stmt *st = db_prepare(c, "SELECT n, o, s FROM rollup_t WHERE a = ? AND b = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, "x");
	db_bind_text(st, 2, "1");
	r->rc = db_step(st);
	if (r->rc == DB_ROW) {
		r->n = db_col_int(st, 0);
		r->o = db_col_int(st, 1);
		r->s = db_col_int(st, 2);
	}
	db_finish(st);
	return DB_OK;
}

static struct rolled rolled_x1(struct db *db)
{
	struct rolled r = {0, 0, 0, -1};
	assert_int_equal(db_read(db, rolled_fn, &r), DB_OK);
	return r;
}

struct roll_tx {
	int step;
	int64_t seen; /* what a statement on rollup_t saw inside the transaction */
	int ret;
};

static int roll_tx_fn(struct dbc *c, void *arg)
{
	struct roll_tx *t = arg;
	int rc = DB_OK;
	if (t->step == 0) {
		/* One row three times (+, |, the last non-zero SET), 200 others
		 * (written 64 + 64 + 64 + 8 at a time). */
		rc = roll(c, "x", "1", 1, 1, 5);
		if (rc == DB_OK)
			rc = roll(c, "x", "1", 2, 4, 9);
		if (rc == DB_OK)
			rc = roll(c, "x", "1", -1, 0, 0);
		char b[16];
		for (int i = 0; rc == DB_OK && i < 200; i++) {
			snprintf(b, sizeof b, "%d", i);
			rc = roll(c, "y", b, i, 0, 0);
		}
	} else if (t->step == 1) {
		/* Read inside the transaction: the increments so far are written
		 * first. */
		rc = roll(c, "x", "1", 10, 0, 0);
		if (rc == DB_OK)
			rc = db_query_int(c, &t->seen, "SELECT n FROM rollup_t WHERE a = 'x' AND b = '1'",
			                  NULL);
		rc = rc == DB_ROW ? roll(c, "x", "1", 100, 0, 0) : DB_ERROR;
	} else if (t->step == 2) {
		/* Rolled back: gone with the transaction. */
		rc = roll(c, "x", "1", 1000, 0, 0);
		if (rc == DB_OK)
			rc = roll(c, "rb", "1", 1, 0, 0);
		return rc == DB_OK ? t->ret : rc;
	} else {
		/* More than ROLLUP_LOG_MAX in one transaction: written early. */
		for (int i = 0; rc == DB_OK && i < ROLLUP_LOG_MAX + 10; i++)
			rc = roll(c, "big", "1", 1, 0, 0);
		if (rc == DB_OK && rollup_pending(c) != 10)
			rc = DB_ERROR;
	}
	return rc;
}

static void test_rollup_tx(void **state)
{
	struct db *db = DB(state);
	struct roll_tx t = {0};
	assert_int_equal(db_tx(db, roll_tx_fn, &t), DB_OK);
	struct rolled r = rolled_x1(db);
	assert_int_equal(r.rc, DB_ROW);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.o, 5);
	assert_int_equal(r.s, 9); /* the last non-zero */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rollup_t WHERE a = ?", "y"), 200);
	assert_int_equal(count(db, "SELECT SUM(n) FROM rollup_t WHERE a = ?", "y"), 199 * 200 / 2);

	t.step = 1;
	assert_int_equal(db_tx(db, roll_tx_fn, &t), DB_OK);
	assert_int_equal(t.seen, 12);
	r = rolled_x1(db);
	assert_int_equal(r.n, 112);
	assert_int_equal(r.s, 9); /* 0: unchanged */

	t.step = 2;
	t.ret = DB_NOT_FOUND;
	assert_int_equal(db_tx(db, roll_tx_fn, &t), DB_NOT_FOUND);
	assert_int_equal(rolled_x1(db).n, 112);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rollup_t WHERE a = ?", "rb"), 0);
	/* …and not carried into the next transaction of the connection. */
	t.step = 1;
	assert_int_equal(db_tx(db, roll_tx_fn, &t), DB_OK);
	assert_int_equal(rolled_x1(db).n, 222);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rollup_t WHERE a = ?", "rb"), 0);

	t.step = 3;
	assert_int_equal(db_tx(db, roll_tx_fn, &t), DB_OK);
	assert_int_equal(count(db, "SELECT n FROM rollup_t WHERE a = ?", "big"), ROLLUP_LOG_MAX + 10);
}

/* Group commit: w_ok_fn's insert and a roll-up increment of the row
 * ("w", key's last letter) by 1, then its ret. */
static int w_roll_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	int rc = w_ok_fn(c, arg);
	if (rc != DB_OK && rc != w->ret)
		return rc;
	int rc2 = roll(c, "w", w->key + strlen(w->key) - 1, 1, 0, 0);
	return rc2 != DB_OK ? rc2 : rc;
}

/* Adds an increment, then refuses without writing a row. */
static int w_roll_refuse_fn(struct dbc *c, void *arg)
{
	struct wr *w = arg;
	w->runs++;
	int rc = roll(c, "w", w->key + strlen(w->key) - 1, 1, 0, 0);
	return rc != DB_OK ? rc : DB_NOT_FOUND;
}

/* One batch: the increments of the requests that were kept are summed and
 * written once; a refusal's (with or without a row written) are not. */
static void test_rollup_write(void **state)
{
	struct db *db = DB(state);
	struct wr w[] = {
	    {.fn = w_gate_fn, .key = "w.r.gate"},
	    {.fn = w_roll_fn, .key = "w.r.ok1-a", .ret = DB_OK},
	    {.fn = w_roll_refuse_fn, .key = "w.r.refused-b"},
	    {.fn = w_roll_fn, .key = "w.r.wrote-c", .ret = DB_NOT_FOUND}, /* inserts, then refuses */
	    {.fn = w_roll_fn, .key = "w.r.ok2-a", .ret = DB_OK},
	    {.fn = w_roll_refuse_fn, .key = "w.r.refused-a"},
	};
	enum { N = sizeof w / sizeof *w };
	static const int want[N] = {DB_OK, DB_OK, DB_NOT_FOUND, DB_NOT_FOUND, DB_OK, DB_NOT_FOUND};
	w_batch(db, w, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(w[i].rc, want[i]);
	assert_int_equal(count(db, "SELECT n FROM rollup_t WHERE a = 'w' AND b = ?", "a"), 2);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rollup_t WHERE a = 'w' AND b <> ?", "a"), 0);
}

static void test_statement_cache(void **state)
{
	struct db *db = DB(state);
	for (int i = 0; i < 4; i++) {
		char key[16];
		snprintf(key, sizeof key, "c.%d", i);
		kv_put(db, key, 10 * (i + 1), "");
	}
	struct cache k = {0};
	assert_int_equal(db_read(db, cache_fn, &k), DB_OK);
	assert_int_equal(k.errors, 0);
	assert_int_equal(k.sum, 50 * (10 + 20 + 30 + 40));
	assert_true(k.distinct);
	assert_int_equal(k.a, 20);
	assert_int_equal(k.b, 30);

	assert_int_equal(db_tx(db, changes_fn, &k), DB_OK);
	assert_int_equal(k.changes, 4);
	assert_int_equal(k.rc_again, DB_DONE);

	for (int round = 0; round < 2; round++) {
		k.evicted_ok = 0;
		assert_int_equal(db_read(db, many_fn, &k), DB_OK);
		assert_int_equal(k.evicted_ok, 600);
	}
	/* And the pool still works after the caches were dropped. */
	memset(&k, 0, sizeof k);
	assert_int_equal(db_read(db, cache_fn, &k), DB_OK);
	assert_int_equal(k.errors, 0);
}

struct ids {
	int64_t id1, id2, id3, dup;
	int rc1, rc2, rc3, rc_dup, rc_dup2;
	char action[32];
};

static int ids_fn(struct dbc *c, void *arg)
{
	struct ids *x = arg;
	x->rc1 = db_insert_id(c, &x->id1, "INSERT INTO audit_log (at, action, detail) VALUES (?, ?, ?)",
	                      "itt", (int64_t)1700000000, "test.one", "รายละเอียด");
	x->rc2 = db_insert_id(c, &x->id2, "INSERT INTO audit_log (at, action) VALUES (?, ?);\n", "it",
	                      (int64_t)1700000001, "test.two");
	x->rc3 = db_insert_id(c, &x->id3, "INSERT INTO unit_intervals (unit_code, opened_on) VALUES (?, ?)",
	                      "tt", "50", "2024-01-02");
	x->rc_dup = db_insert_id(
	    c, &x->dup,
	    "INSERT INTO users (username, role, unit_code, password_hash, created_at, "
	    "updated_at) VALUES (?, 'officer', '50', 'x', 0, 0) ON CONFLICT (username) DO NOTHING",
	    "t", "dup.user");
	x->dup = 0;
	x->rc_dup2 = db_insert_id(
	    c, &x->dup,
	    "INSERT INTO users (username, role, unit_code, password_hash, created_at, "
	    "updated_at) VALUES (?, 'officer', '50', 'x', 0, 0) ON CONFLICT (username) DO NOTHING",
	    "t", "dup.user");
	struct db_stmt *st = db_prepare(c, "SELECT action FROM audit_log WHERE id = ?");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, x->id2);
	if (db_step(st) == DB_ROW)
		snprintf(x->action, sizeof x->action, "%s", db_col_text(st, 0));
	db_finish(st);
	return DB_OK;
}

static void test_insert_id(void **state)
{
	with_units(state);
	struct ids x = {0};
	assert_int_equal(db_tx(DB(state), ids_fn, &x), DB_OK);
	assert_int_equal(x.rc1, DB_OK);
	assert_int_equal(x.rc2, DB_OK);
	assert_int_equal(x.rc3, DB_OK);
	assert_true(x.id1 > 0);
	assert_true(x.id2 > x.id1);
	assert_true(x.id3 > 0);
	assert_string_equal(x.action, "test.two");
	/* ON CONFLICT DO NOTHING: no row, no id. */
	assert_int_equal(x.rc_dup, DB_OK);
	assert_int_equal(x.rc_dup2, DB_DONE);
	assert_int_equal(x.dup, 0);
}

/* ---- pool and connection ---- */

static void test_ping_and_names(void **state)
{
	struct db *db = DB(state);
	assert_true(db_ping(db));
	assert_string_equal(db_dialect_name(db), backend);
	assert_int_equal(db_dialect(db), fresh_is_pg() ? DB_POSTGRES : DB_SQLITE);
}

/* After an erasure: SQLite connections run with secure_delete on, and
 * db_checkpoint leaves the WAL empty (0 bytes) with the data in the main
 * file; PostgreSQL: nothing to do, DB_OK. */
static void test_checkpoint(void **state)
{
	struct db *db = DB(state);
	assert_int_equal(
	    fresh_exec_tx(db, "CREATE TABLE t_ckpt (v TEXT); INSERT INTO t_ckpt VALUES ('x'), ('y')"), DB_OK);
	if (!fresh_is_pg()) {
		assert_int_equal(fresh_count(db, "PRAGMA secure_delete"), 1);
		const char *url = ((struct suite *)*state)->f.url;
		char wal[512];
		snprintf(wal, sizeof wal, "%s-wal", url + strlen("sqlite:"));
		struct stat st;
		assert_int_equal(stat(wal, &st), 0);
		assert_true(st.st_size > 0);
		assert_int_equal(db_checkpoint(db), DB_OK);
		assert_int_equal(stat(wal, &st), 0);
		assert_int_equal(st.st_size, 0);
	} else {
		assert_int_equal(db_checkpoint(db), DB_OK);
	}
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM t_ckpt"), 2);
	assert_int_equal(fresh_exec_tx(db, "DROP TABLE t_ckpt"), DB_OK);
}

struct kill {
	int64_t killed;
	int rc;
};

static int kill_fn(struct dbc *c, void *arg)
{
	struct kill *k = arg;
	k->rc = db_query_int(c, &k->killed,
	                     "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
	                     "WHERE datname = current_database() AND pid <> pg_backend_pid()",
	                     "");
	return DB_OK;
}

static int kv_get_fn(struct dbc *c, void *arg)
{
	return db_query_int(c, arg, "SELECT i FROM t_kv WHERE k = ?", "t", "c.3");
}

/* The server drops every session (a restart, a failover): the next db_read,
 * db_tx and db_write on each connection reconnect and run again instead of
 * failing.
 * SQLite has no sessions to lose; there the same calls simply succeed. */
static void test_reconnect(void **state)
{
	struct db *db = DB(state);
	/* The group-commit writer has a session of its own, lost too. */
	assert_int_equal(db_write(db, w_key_fn, "w.reconnect.before"), DB_OK);
	if (fresh_is_pg()) {
		char err[256];
		struct db *killer = db_open(((struct suite *)*state)->f.url, 1, err, sizeof err);
		assert_non_null(killer);
		struct kill k = {0};
		assert_int_equal(db_read(killer, kill_fn, &k), DB_OK);
		db_close(killer);
		assert_int_equal(k.rc, DB_ROW);
		assert_true(k.killed >= 1);
		printf("test_db %s: terminated %lld session(s)\n", backend, (long long)k.killed);
	}
	int64_t v = 0;
	assert_int_equal(db_read(db, kv_get_fn, &v), DB_ROW);
	assert_int_equal(v, 40);
	struct setting s = {"reconnect.tx", DB_OK, 0, 0};
	assert_int_equal(db_tx(db, setting_fn, &s), DB_OK);
	assert_true(db_ping(db));
	assert_int_equal(db_write(db, w_key_fn, "w.reconnect.after"), DB_OK);
	assert_int_equal(w_count(db, "w.reconnect.after"), 1);
}

static void test_bad_url(void **state)
{
	char err[512];
	err[0] = '\0';
	assert_null(db_open("mysql://user:secret@localhost/x", 1, err, sizeof err));
	assert_true(err[0] != '\0');
	assert_null(strstr(err, "secret"));

	err[0] = '\0';
	assert_null(db_open("", 1, err, sizeof err));
	assert_true(err[0] != '\0');

	err[0] = '\0';
	assert_null(db_open("sqlite:/nonexistent-osspoint-dir/sub/x.db", 1, err, sizeof err));
	assert_non_null(strstr(err, "sqlite"));

	err[0] = '\0';
	assert_null(db_open("postgresql:///nodb?host=/nonexistent-osspoint-dir&connect_timeout=2", 1, err,
	                    sizeof err));
	assert_non_null(strstr(err, "pg"));
	assert_null(strchr(err, '\n'));

	/* And no crash without an error buffer. */
	assert_null(db_open("nonsense", 1, NULL, 0));
	printf("test_db %s: bad URL message: %s\n", backend, err);
}

static void test_memory_database(void **state)
{
	char err[256];
	struct db *db = db_open("sqlite::memory:", 0, err, sizeof err);
	assert_non_null(db);
	int n = 0;
	for (const struct embedded_file *f = migrations_sqlite; f->name; f++)
		n++;
	assert_int_equal(db_migrate(db), n);
	assert_true(db_ping(db));
	/* No writer thread for an in-memory database: db_write is db_tx. */
	struct script sc = {"CREATE TABLE t_write (k TEXT PRIMARY KEY)"};
	assert_int_equal(db_write(db, script_fn, &sc), DB_OK);
	assert_int_equal(db_write(db, w_key_fn, "m.1"), DB_OK);
	assert_int_equal(db_write(db, w_key_fn, "m.1"), DB_CONSTRAINT);
	assert_int_equal(w_count(db, "m.1"), 1);
	struct db_write_stats st = wstats(db);
	assert_int_equal(st.requests, 3);
	assert_int_equal(st.commits, 2);
	db_close(db);
}

int main(int argc, char **argv)
{
	int rc = fresh_main(argc, argv, "test_db");
	if (rc)
		return rc;
	backend = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrate_applies_all_then_none),
	    cmocka_unit_test(test_migrate_concurrent),
	    cmocka_unit_test(test_values_roundtrip),
	    cmocka_unit_test(test_no_rows),
	    cmocka_unit_test(test_json_numbers),
	    cmocka_unit_test(test_blob),
	    cmocka_unit_test(test_placeholders),
	    cmocka_unit_test(test_constraints),
	    cmocka_unit_test(test_tx_commit_rollback),
	    cmocka_unit_test(test_tx_nested_refused),
	    cmocka_unit_test(test_read_passthrough),
	    cmocka_unit_test(test_tx_concurrent_counter),
	    cmocka_unit_test(test_write_concurrent),
	    cmocka_unit_test(test_write_isolation),
	    cmocka_unit_test(test_write_refusal),
	    cmocka_unit_test(test_write_refusal_after_write),
	    cmocka_unit_test(test_write_retry),
	    cmocka_unit_test(test_write_nested_refused),
	    cmocka_unit_test(test_write_close_drains),
	    cmocka_unit_test(test_write_checkpoints),
	    cmocka_unit_test(test_write_tx_beside),
	    cmocka_unit_test(test_rollup_tx),
	    cmocka_unit_test(test_rollup_write),
	    cmocka_unit_test(test_statement_cache),
	    cmocka_unit_test(test_insert_id),
	    cmocka_unit_test(test_ping_and_names),
	    cmocka_unit_test(test_checkpoint),
	    cmocka_unit_test(test_reconnect),
	    cmocka_unit_test(test_bad_url),
	    cmocka_unit_test(test_memory_database),
	};
	return cmocka_run_group_tests_name(fresh_is_pg() ? "db.postgresql" : "db.sqlite", tests, group_setup,
	                                   group_teardown);
}
