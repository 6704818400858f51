#include "fresh.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "lib/xalloc.h"

static const char *backend = "sqlite";
static const char *pg_base;
static int db_seq;

void fresh_setup(const char *b, const char *pg)
{
	backend = b;
	pg_base = pg;
}

int fresh_main(int argc, char **argv, const char *suite)
{
	if (argc != 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "postgresql") != 0)) {
		fprintf(stderr, "usage: %s sqlite|postgresql\n", argv[0]);
		return 2;
	}
	const char *pg = getenv("OSSPOINT_TEST_PG");
	fresh_setup(argv[1], pg);
	if (fresh_is_pg() && (!pg || !*pg)) {
		fprintf(stderr,
		        "%s postgresql: FAILED: OSSPOINT_TEST_PG is not set.\n"
		        "  Start a throwaway cluster and export its URL, e.g.\n"
		        "    export OSSPOINT_TEST_PG=$(scripts/pgtmp.sh start /tmp/pg)\n"
		        "  (the PostgreSQL tests never skip).\n",
		        suite);
		return 1;
	}
	printf("%s: backend %s\n", suite, argv[1]);
	return 0;
}

bool fresh_is_pg(void)
{
	return strcmp(backend, "postgresql") == 0;
}

int script_fn(struct dbc *c, void *arg)
{
	return db_exec_script(c, ((struct script *)arg)->sql);
}

int fresh_pg_admin(const char *sql)
{
	char err[512];
	struct db *admin = db_open(pg_base, 1, err, sizeof err);
	if (!admin) {
		fprintf(stderr, "db tests: cannot connect to OSSPOINT_TEST_PG: %s\n", err);
		return DB_ERROR;
	}
	struct script s = {sql};
	int rc = db_read(admin, script_fn, &s);
	db_close(admin);
	return rc;
}

int fresh_create(struct fresh *f)
{
	memset(f, 0, sizeof *f);
	if (!fresh_is_pg()) {
		char tmpl[] = "/tmp/osspoint-dbtest-XXXXXX";
		if (!mkdtemp(tmpl))
			return -1;
		f->dir = xstrdup(tmpl);
		f->url = xasprintf("sqlite:%s/test.db", f->dir);
		return 0;
	}
	f->name = xasprintf("osspoint_test_%d_%d", (int)getpid(), ++db_seq);
	char *sql = xasprintf("CREATE DATABASE %s", f->name);
	int rc = fresh_pg_admin(sql);
	free(sql);
	if (rc != DB_OK)
		return -1;
	f->url = xasprintf("%s%cdbname=%s", pg_base, strchr(pg_base, '?') ? '&' : '?', f->name);
	return 0;
}

void fresh_drop(struct fresh *f)
{
	const char *keep = getenv("OSSPOINT_TEST_KEEP");
	if (keep && strcmp(keep, "1") == 0) {
		fprintf(stderr, "db tests: kept %s\n", f->url);
	} else {
		if (f->dir) {
			static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
			for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
				char *p = xasprintf("%s/test.db%s", f->dir, suffixes[i]);
				unlink(p);
				free(p);
			}
			rmdir(f->dir);
		}
		if (f->name) {
			char *sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", f->name);
			fresh_pg_admin(sql);
			free(sql);
		}
	}
	free(f->url);
	free(f->dir);
	free(f->name);
	memset(f, 0, sizeof *f);
}

/* ---- query helpers: callbacks run inside db_tx/db_read only record what
 * they see; the asserts come after, so a failing check never leaves a pooled
 * connection held. ---- */

int fresh_exec_tx(struct db *db, const char *sql)
{
	struct script s = {sql};
	return db_tx(db, script_fn, &s);
}

struct count {
	const char *sql;
	int64_t n;
	int rc;
};

static int count_fn(struct dbc *c, void *arg)
{
	struct count *q = arg;
	q->n = -1;
	q->rc = db_query_int(c, &q->n, q->sql, "");
	return DB_OK;
}

int64_t fresh_count(struct db *db, const char *sql)
{
	struct count q = {sql, -1, 0};
	assert_int_equal(db_read(db, count_fn, &q), DB_OK);
	assert_int_equal(q.rc, DB_ROW);
	return q.n;
}

struct query {
	const char *sql;
	json_t *out;
};

static int query_fn(struct dbc *c, void *arg)
{
	struct query *q = arg;
	json_decref(q->out);
	q->out = db_query_json(c, q->sql, "");
	return q->out ? DB_OK : DB_ERROR;
}

json_t *fresh_query(struct db *db, const char *sql)
{
	struct query q = {sql, NULL};
	assert_int_equal(db_read(db, query_fn, &q), DB_OK);
	return q.out;
}

int64_t fresh_jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		fail_msg("member %s is not an integer", key);
	return json_integer_value(v);
}

const char *fresh_jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("member %s is not a string", key);
	return json_string_value(v);
}
