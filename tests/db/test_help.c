/* The database suite of issue 11 (db/blobs.c, db/help.c), once per backend:
 *   test_help_db sqlite | postgresql
 * Blobs at the chunk boundaries (0, 1, BLOB_CHUNK, BLOB_CHUNK + 1, three
 * chunks less one byte) read back byte for byte through windows of any
 * size, stored once per content, removed when nothing names them; the
 * helpdesk's closed rule inside the transaction under concurrent replies;
 * the purge of attachments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "db/blobs.h"
#include "db/db.h"
#include "db/help.h"
#include "fresh.h"
#include "lib/xalloc.h"

struct suite {
	struct fresh f;
	struct db *db;
};

static struct db *DB(void **state)
{
	return ((struct suite *)*state)->db;
}

static int seed_fn(struct dbc *c, void *arg)
{
	return db_exec_script(
	    c, "INSERT INTO units (code, parent_code, level, name_th) VALUES ('0', NULL, 0, 'ประเทศไทย');"
	       "INSERT INTO units (code, parent_code, level, name_th) VALUES ('47', '0', 1, 'สกลนคร');"
	       "INSERT INTO units (code, parent_code, level, name_th) VALUES ('4701', '47', 2, 'เมือง');"
	       "INSERT INTO users (id, username, display_name, role, unit_code, password_hash, created_at,"
	       " updated_at) VALUES (1, 'officer', 'ทดสอบ', 'officer', '4701', 'x', 1, 1);");
}

static int group_setup(void **state)
{
	struct suite *s = xcalloc(1, sizeof *s);
	if (fresh_create(&s->f) != 0) {
		free(s);
		return -1;
	}
	char err[512];
	s->db = db_open(s->f.url, 8, err, sizeof err);
	if (!s->db || db_migrate(s->db) < 0 || db_tx(s->db, seed_fn, NULL) != DB_OK) {
		fprintf(stderr, "test_help_db: cannot set up the database: %s\n",
		        s->db ? "migrate/seed" : err);
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

static int clear(void **state)
{
	return fresh_exec_tx(DB(state),
	                     "DELETE FROM helpdesk_attachments; DELETE FROM helpdesk_messages;"
	                     " DELETE FROM helpdesk_threads; DELETE FROM help_docs; DELETE FROM blob_chunks;"
	                     " DELETE FROM blobs") == DB_OK
	           ? 0
	           : -1;
}

static unsigned char *pattern(size_t n, unsigned seed)
{
	unsigned char *p = xmalloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 131u + seed * 7u + (i >> 9)) & 0xFF);
	return p;
}

static void test_blob_boundaries(void **state)
{
	const size_t sizes[] = {0, 1, BLOB_CHUNK - 1, BLOB_CHUNK, BLOB_CHUNK + 1, 3 * BLOB_CHUNK - 1};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t n = sizes[k];
		unsigned char *data = pattern(n, (unsigned)k);
		struct help_file f = {data, n, "application/pdf", "x.pdf", 1};
		int64_t id = 0;
		assert_int_equal(db_help_doc_add(DB(state), "เอกสาร", "pdf", &f, 1, 100, &id), DB_OK);
		json_t *d = db_help_doc(DB(state), id, NULL);
		assert_non_null(d);
		const char *hash = fresh_jstr(d, "blob_hash");
		char want[BLOB_HASH_LEN];
		blob_hash(data, n, want);
		assert_string_equal(hash, want);
		uint64_t size = 0;
		bool found = false;
		struct blob_reader *br = db_blob_open(DB(state), hash, &size, &found);
		assert_non_null(br);
		assert_int_equal(size, n);
		/* Read through windows of awkward sizes: every byte once, in order. */
		unsigned char *back = xmalloc(n ? n : 1);
		const size_t windows[] = {1, 7, 4096, 65536, BLOB_CHUNK + 3};
		for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
			memset(back, 0, n ? n : 1);
			uint64_t pos = 0;
			while (pos < n) {
				long long got = db_blob_read(br, pos, (char *)back + pos,
				                             windows[w] < n - pos ? windows[w] : n - pos);
				assert_true(got > 0);
				pos += (uint64_t)got;
			}
			assert_int_equal(db_blob_read(br, n, (char *)back, 1), 0);
			assert_memory_equal(back, data, n);
		}
		db_blob_close(br);
		free(back);
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM blob_chunks WHERE hash = '%s'", want);
		assert_int_equal(fresh_count(DB(state), sql),
		                 n == 0 ? 1 : (int64_t)((n + BLOB_CHUNK - 1) / BLOB_CHUNK));
		json_decref(d);
		free(data);
	}
	/* Unknown blob. */
	uint64_t size;
	bool found = true;
	assert_null(db_blob_open(DB(state), "00", &size, &found));
	assert_false(found);
}

static void test_blob_once_and_gc(void **state)
{
	unsigned char *data = pattern(BLOB_CHUNK + 10, 9);
	struct help_file f = {data, BLOB_CHUNK + 10, "application/pdf", "a.pdf", 1};
	int64_t a = 0, b = 0;
	assert_int_equal(db_help_doc_add(DB(state), "ก", "pdf", &f, 1, 1, &a), DB_OK);
	assert_int_equal(db_help_doc_add(DB(state), "ข", "pdf", &f, 1, 1, &b), DB_OK);
	assert_int_equal(fresh_count(DB(state), "SELECT COUNT(*) FROM blobs"), 1);
	assert_int_equal(fresh_count(DB(state), "SELECT COUNT(*) FROM blob_chunks"), 2);
	assert_int_equal(db_help_doc_delete(DB(state), a), DB_OK);
	assert_int_equal(fresh_count(DB(state), "SELECT COUNT(*) FROM blobs"), 1); /* b still names it */
	struct help_file g = {"# md\n", 5, "text/markdown; charset=utf-8", "b.md", 0};
	assert_int_equal(db_help_doc_update(DB(state), b, NULL, "markdown", &g, 2), DB_OK);
	assert_int_equal(fresh_count(DB(state), "SELECT COUNT(*) FROM blobs"), 1);
	assert_int_equal(fresh_count(DB(state), "SELECT COUNT(*) FROM blob_chunks"), 1);
	assert_int_equal(db_help_doc_update(DB(state), 999999, "x", NULL, NULL, 3), DB_NOT_FOUND);
	assert_int_equal(db_help_doc_delete(DB(state), 999999), DB_NOT_FOUND);
	free(data);
}

struct racer {
	struct db *db;
	int64_t id;
	int rc;
	int close;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	r->rc = r->close ? db_hd_close(r->db, r->id, 50)
	                 : db_hd_reply(r->db, r->id, "47", "ตอบ", NULL, 0, "answered", 1, 50);
	return NULL;
}

static void test_closed_inside_the_transaction(void **state)
{
	struct help_file f = {"%PDF-1.4", 8, "application/pdf", "a.pdf", 1};
	struct hd_new t = {"4701", "47", "เรื่อง", "normal", "รายละเอียด", &f, 1};
	int64_t id = 0;
	assert_int_equal(db_hd_create(DB(state), &t, 1, 10, &id), DB_OK);
	/* Replies and closes at once: every reply before the close lands,
	 * none after it, and exactly one close succeeds. */
	enum { N = 8 };
	pthread_t th[N];
	struct racer r[N];
	for (int i = 0; i < N; i++) {
		r[i] = (struct racer){DB(state), id, 0, i % 4 == 0};
		pthread_create(&th[i], NULL, race, &r[i]);
	}
	int closed = 0, replied = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		if (r[i].close)
			closed += r[i].rc == DB_OK;
		else
			replied += r[i].rc == DB_OK;
		assert_true(r[i].rc == DB_OK || r[i].rc == DB_CONFLICT);
	}
	assert_int_equal(closed, 1);
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM helpdesk_messages WHERE thread_id = %lld",
	         (long long)id);
	assert_int_equal(fresh_count(DB(state), sql), 1 + replied);
	assert_int_equal(db_hd_reply(DB(state), id, "4701", "x", NULL, 0, "open", 1, 60), DB_CONFLICT);
	assert_int_equal(db_hd_reply(DB(state), 999999, "4701", "x", NULL, 0, "open", 1, 60), DB_NOT_FOUND);
}

static void test_purge_attachments(void **state)
{
	struct help_file f[2] = {{"%PDF-1.4 a", 10, "application/pdf", "a.pdf", 1},
	                         {"%PDF-1.4 b", 10, "application/pdf", "b.pdf", 1}};
	struct hd_new old = {"4701", "47", "เก่า", "normal", "x", &f[0], 1};
	struct hd_new young = {"4701", "0", "ใหม่", "urgent", "y", &f[1], 1};
	int64_t a, b;
	assert_int_equal(db_hd_create(DB(state), &old, 1, 1000, &a), DB_OK);
	assert_int_equal(db_hd_create(DB(state), &young, 1, 5000, &b), DB_OK);
	int64_t erased = -1;
	assert_int_equal(db_hd_purge(DB(state), 2000, 9000, &erased), DB_OK);
	assert_int_equal(erased, 1);
	assert_int_equal(fresh_count(DB(state), "SELECT COUNT(*) FROM blobs"), 1);
	assert_int_equal(
	    fresh_count(DB(state), "SELECT COUNT(*) FROM helpdesk_attachments WHERE purged_at = 9000"), 1);
	json_t *t = db_hd_get(DB(state), a, NULL);
	assert_non_null(t);
	json_t *att = json_array_get(
	    json_object_get(json_array_get(json_object_get(t, "thread_messages"), 0), "attachments"), 0);
	assert_int_equal(fresh_jint(att, "purged"), 1);
	json_decref(t);
	assert_int_equal(db_hd_purge(DB(state), 2000, 9100, &erased), DB_OK);
	assert_int_equal(erased, 0);
	int64_t n = -1;
	assert_int_equal(db_hd_count(DB(state), "4701", NULL, "open", &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(db_hd_count(DB(state), NULL, "0", "open", &n), DB_OK);
	assert_int_equal(n, 1);
	json_t *l = db_hd_list(DB(state), NULL, "47", "", 10);
	assert_int_equal(json_array_size(l), 2); /* raised to 47, and by its district to DOPA */
	json_decref(l);
	l = db_hd_list(DB(state), NULL, "0", "open", 10);
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
}

int main(int argc, char **argv)
{
	int rc = fresh_main(argc, argv, "test_help_db");
	if (rc)
		return rc;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_blob_boundaries, clear),
	    cmocka_unit_test_setup(test_blob_once_and_gc, clear),
	    cmocka_unit_test_setup(test_closed_inside_the_transaction, clear),
	    cmocka_unit_test_setup(test_purge_attachments, clear),
	};
	const char *group = fresh_is_pg() ? "help.postgresql" : "help.sqlite";
	return cmocka_run_group_tests_name(group, tests, group_setup, group_teardown);
}
