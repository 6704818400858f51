/* The roster's and orders' queries on both backends (db/roster.h,
 * db/orders.h):
 *   test_roster_db sqlite     a fresh SQLite file in a temporary directory
 *   test_roster_db postgresql   a fresh database in the OSSPOINT_TEST_PG cluster
 * db_roster_staffed_days (what the statistics read: district, province,
 * nation; leave not counted; a day counts once however many are on duty),
 * generation skipping holidays and edited days, the holiday import, and
 * order numbers issued from many threads at once: unique and gap-free. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/db.h"
#include "db/orders.h"
#include "db/roster.h"
#include "lib/xalloc.h"

#include "fresh.h"

static const char *backend;

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
	    c,
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('0', NULL, 0, 'ประเทศไทย');"
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('47', '0', 1, 'สกลนคร');"
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('48', '0', 1, 'นครพนม');"
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('4701', '47', 2, 'เมืองสกลนคร');"
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('4702', '47', 2, 'กุสุมาลย์');"
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('4801', '48', 2, 'เมืองนครพนม');");
}

static int setup(void **state)
{
	struct suite *s = xcalloc(1, sizeof *s);
	char err[512];
	if (fresh_create(&s->f) != 0 || !(s->db = db_open(s->f.url, 8, err, sizeof err)) ||
	    db_migrate(s->db) < 0 || db_tx(s->db, seed_fn, NULL) != DB_OK) {
		fprintf(stderr, "test_roster_db: cannot set up a fresh %s database\n", backend);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct suite *s = *state;
	db_close(s->db);
	fresh_drop(&s->f);
	free(s);
	return 0;
}

static int64_t person(struct db *db, const char *unit, const char *name)
{
	int64_t id = 0;
	assert_int_equal(db_roster_person_add(db, unit, 0, name, "เจ้าพนักงานปกครอง", "", 0, &id), DB_OK);
	return id;
}

static void test_staffed_days(void **state)
{
	struct db *db = DB(state);
	int64_t a = person(db, "4701", "ก"), b = person(db, "4701", "ข"), c = person(db, "4702", "ค"),
	        d = person(db, "4801", "ง");
	int64_t id;
	/* 4701: the 1st twice (counts once), the 2nd, the 3rd on leave only. */
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-12-01", ROSTER_MORNING, a, "", 0, &id), DB_OK);
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-12-01", ROSTER_AFTERNOON, b, "", 0, &id),
	                 DB_OK);
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-12-02", ROSTER_FULL, a, "", 0, &id), DB_OK);
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-12-03", ROSTER_FULL, b, "", 0, &id), DB_OK);
	assert_int_equal(db_roster_duty_change(db, "4701", id, ROSTER_LEAVE, 0, "ลา", 0), DB_OK);
	assert_int_equal(db_roster_duty_add(db, "4702", "2026-12-01", ROSTER_FULL, c, "", 0, &id), DB_OK);
	assert_int_equal(db_roster_duty_add(db, "4801", "2026-12-01", ROSTER_FULL, d, "", 0, &id), DB_OK);
	/* Out of the range. */
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-11-25", ROSTER_FULL, a, "", 0, &id), DB_OK);
	int n = -1;
	assert_int_equal(db_roster_staffed_days(db, "4701", "2026-11-26", "2026-12-25", &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(db_roster_staffed_days(db, "47", "2026-11-26", "2026-12-25", &n), DB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(db_roster_staffed_days(db, "0", "2026-11-26", "2026-12-25", &n), DB_OK);
	assert_int_equal(n, 4);
	assert_int_equal(db_roster_staffed_days(db, "4702", "2026-12-02", "2026-12-31", &n), DB_OK);
	assert_int_equal(n, 0);
	/* Not another district's person, not twice on one shift. */
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-12-05", ROSTER_FULL, c, "", 0, &id),
	                 DB_NOT_FOUND);
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-12-01", ROSTER_MORNING, a, "", 0, &id),
	                 DB_CONSTRAINT);
	/* A swap of a's morning to b; then b onto that shift again is refused. */
	json_t *m = db_roster_month(db, "4701", "2026-12-01", "2026-12-01");
	int64_t first = fresh_jint(json_array_get(json_object_get(m, "duties"), 0), "id");
	json_decref(m);
	assert_int_equal(db_roster_duty_change(db, "4701", first, ROSTER_SWAP, b, "แลกเวร", 0), DB_OK);
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-12-01", ROSTER_MORNING, b, "", 0, &id),
	                 DB_CONSTRAINT);
	assert_int_equal(db_roster_duty_change(db, "4701", first, ROSTER_SWAP, b, "", 0), DB_CONSTRAINT);
	assert_true(fresh_count(db, "SELECT COUNT(*) FROM roster_history WHERE action = 'swap' AND "
	                            "other_person_id IS NOT NULL") == 1);
	assert_int_equal(db_roster_duty_change(db, "4702", first, ROSTER_REMOVE, 0, "", 0), DB_NOT_FOUND);
	assert_true(fresh_count(db, "SELECT COUNT(*) FROM roster_history WHERE action = 'leave'") == 1);
}

static void test_generate_skips_holidays_and_edited_days(void **state)
{
	struct db *db = DB(state);
	int64_t a = person(db, "4701", "ก");
	struct roster_pattern_line lines[5];
	for (int i = 0; i < 5; i++)
		lines[i] = (struct roster_pattern_line){i + 1, ROSTER_FULL, a};
	assert_int_equal(db_roster_pattern_set(db, "4701", lines, 5, 0), DB_OK);
	struct roster_holiday h[] = {{"2026-12-10", "วันรัฐธรรมนูญ"}, {"2026-12-05", "วันพ่อแห่งชาติ"}};
	int added = 0, renamed = 0;
	assert_int_equal(db_holidays_import(db, h, 2, 0, &added, &renamed), DB_OK);
	assert_int_equal(added, 2);
	int64_t id;
	assert_int_equal(db_roster_duty_add(db, "4701", "2026-12-11", ROSTER_MORNING, a, "", 0, &id), DB_OK);
	assert_int_equal(db_roster_generate(db, "4701", 2026, 12, 0, &added), DB_OK);
	assert_int_equal(added, 21); /* 23 weekdays, less the 10th and the (edited) 11th */
	assert_int_equal(db_roster_generate(db, "4701", 2026, 12, 0, &added), DB_OK);
	assert_int_equal(added, 0);
	int n;
	assert_int_equal(db_roster_staffed_days(db, "4701", "2026-12-01", "2026-12-31", &n), DB_OK);
	assert_int_equal(n, 22);
	json_t *list = db_holidays_list(db, 2026);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
}

struct issuer {
	struct db *db;
	int64_t id, number;
	int rc;
};

static void *issue_thread(void *arg)
{
	struct issuer *t = arg;
	int y;
	enum order_issue_refusal why;
	t->rc = db_order_issue(t->db, t->id, "2026-12-02", 0, 0, &t->number, &y, &why);
	return NULL;
}

static void test_order_numbers_concurrent(void **state)
{
	struct db *db = DB(state);
	enum { N = 24 };
	struct issuer t[N];
	pthread_t th[N];
	struct order_fields f = {"เรื่อง", "ข้อความ", "", "[]", "", "", "", ""};
	for (int i = 0; i < N; i++) {
		t[i] = (struct issuer){db, 0, 0, 0};
		assert_int_equal(
		    db_order_create(db, i % 2 ? "4701" : "4702", "establishment", &f, 0, 0, 0, &t[i].id),
		    DB_OK);
	}
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, issue_thread, &t[i]);
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	bool seen[2][N / 2 + 1] = {{false}};
	for (int i = 0; i < N; i++) {
		assert_int_equal(t[i].rc, DB_OK);
		assert_true(t[i].number >= 1 && t[i].number <= N / 2);
		assert_false(seen[i % 2][t[i].number]);
		seen[i % 2][t[i].number] = true;
	}
	/* An issued order is not issued again, nor edited. */
	int y;
	int64_t num;
	enum order_issue_refusal why;
	assert_int_equal(db_order_issue(db, t[0].id, "2026-12-02", 0, 0, &num, &y, &why), DB_CONFLICT);
	assert_int_equal(why, ORDER_ISSUE_NOT_DRAFT);
	char status[16];
	assert_int_equal(db_order_update(db, t[0].id, &f, 0, status), DB_CONFLICT);
	assert_string_equal(status, "issued");
	/* The next year starts at 1. */
	int64_t id;
	assert_int_equal(db_order_create(db, "4702", "establishment", &f, 0, 0, 0, &id), DB_OK);
	assert_int_equal(db_order_issue(db, id, "2027-01-01", 0, 0, &num, &y, &why), DB_OK);
	assert_int_equal(num, 1);
	assert_int_equal(y, 2570);
}

int main(int argc, char **argv)
{
	int rc = fresh_main(argc, argv, "test_roster_db");
	if (rc)
		return rc;
	backend = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_staffed_days, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_generate_skips_holidays_and_edited_days, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_order_numbers_concurrent, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
