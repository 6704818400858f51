/* External aggregates storage (src/db/external.c, migration 012), run once
 * per backend: an import is all or nothing (a unit that does not exist stores
 * nothing), a later import of the same unit, period and source replaces the
 * row while another source stays apart, and db_external_for gives the
 * dashboards the figures as imported plus the exactly derived score and
 * percent, naming what was derived. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/db.h"
#include "db/external.h"
#include "fresh.h"
#include "lib/xalloc.h"

static const struct period NOW = {2026, 12};

struct suite {
	struct fresh f;
	struct db *db;
};

static int seed_fn(struct dbc *c, void *arg)
{
	return db_exec_script(
	    c,
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('0', NULL, 0, 'ประเทศไทย');"
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('47', '0', 1, 'สกลนคร');"
	    "INSERT INTO units (code, parent_code, level, name_th) VALUES ('4701', '47', 2, 'เมืองสกลนคร');");
}

static int setup(void **state)
{
	struct suite *s = xcalloc(1, sizeof *s);
	char err[512];
	if (fresh_create(&s->f) != 0 || !(s->db = db_open(s->f.url, 4, err, sizeof err)) ||
	    db_migrate(s->db) < 0 || db_tx(s->db, seed_fn, NULL) != DB_OK) {
		fprintf(stderr, "test_external: cannot set up the database\n");
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

static int import(struct db *db, const char *csv, struct external_import_result *res, json_t **errors)
{
	struct external_batch b;
	int rc = external_parse(csv, strlen(csv), "ก.พ.ร.", NOW, &b);
	assert_int_equal(rc, EXTERNAL_OK);
	rc = db_external_import(db, &b, b.unit_header, "f.csv", 0, 1700000000, res);
	if (errors)
		*errors = json_incref(b.errors);
	external_batch_cleanup(&b);
	return rc;
}

static int64_t count(struct db *db)
{
	return fresh_count(db, "SELECT COUNT(*) FROM external_aggregates");
}

static void all_or_nothing_and_replace(void **state)
{
	struct db *db = ((struct suite *)*state)->db;
	struct external_import_result res;
	json_t *errors = NULL;
	/* A unit that does not exist: nothing stored, the row named. */
	assert_int_equal(
	    import(db, "รหัสหน่วยงาน,งวด,ผู้มารับบริการ\n47,2024-02,1\n4799,2024-02,2\n", &res, &errors),
	    EXTERNAL_RC_UNKNOWN_UNIT);
	assert_int_equal(json_array_size(errors), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "message")),
	                    "แถวที่ 3 คอลัมน์ \"รหัสหน่วยงาน\": ไม่มีหน่วยงานรหัส 4799 ในระบบ");
	json_decref(errors);
	assert_int_equal(count(db), 0);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM external_imports"), 0);

	assert_int_equal(
	    import(db,
	           "รหัสหน่วยงาน,งวด,ผู้มารับบริการ,ผู้ตอบแบบสำรวจ,คะแนนรวม,คะแนนเฉลี่ย,ร้อยละ,อันดับ,จากทั้งหมด\n"
	           "47,ก.พ. 2567,1671,1000,9173,9.17,91.73,2,76\n"
	           "4701,ก.พ. 2567,412,300,2790,,,,\n"
	           "0,ก.พ. 2567,98000,,,9.1,,,\n",
	           &res, NULL),
	    DB_OK);
	assert_int_equal(res.added, 3);
	assert_int_equal(res.replaced, 0);
	assert_true(res.import_id > 0);
	/* The same unit and period from another source stays apart; the same source replaces. */
	assert_int_equal(
	    import(db, "รหัสหน่วยงาน,งวด,ผู้มารับบริการ,แหล่งข้อมูล\n47,2024-02,1700,ก.พ.ร.\n47,2024-02,5,อื่น\n", &res,
	           NULL),
	    DB_OK);
	assert_int_equal(res.added, 1);
	assert_int_equal(res.replaced, 1);
	assert_int_equal(count(db), 4);

	json_t *rows;
	assert_int_equal(db_external_for(db, "47", "2024-02", &rows), DB_OK);
	assert_int_equal(json_array_size(rows), 2);
	/* Ordered by source: "ก.พ.ร." < "อื่น". The replaced row lost its old figures. */
	json_t *k = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(k, "source")), "ก.พ.ร.");
	assert_int_equal(json_integer_value(json_object_get(k, "users")), 1700);
	assert_true(json_is_null(json_object_get(k, "score_mean")));
	assert_true(json_is_null(json_object_get(k, "score")));
	json_decref(rows);

	assert_int_equal(db_external_for(db, "4701", "2024-02", &rows), DB_OK);
	json_t *d = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(d, "score")), "9.30");
	assert_string_equal(json_string_value(json_object_get(d, "percent_shown")), "93.00");
	assert_int_equal(json_array_size(json_object_get(d, "derived")), 2);
	assert_int_equal(json_integer_value(json_object_get(d, "respondents")), 300);
	assert_string_equal(json_string_value(json_object_get(d, "score_sum")), "2790");
	json_decref(rows);

	assert_int_equal(db_external_for(db, "0", "2024-02", &rows), DB_OK);
	d = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(d, "score")), "9.1");
	assert_string_equal(json_string_value(json_object_get(d, "percent_shown")), "91.00");
	assert_string_equal(json_string_value(json_array_get(json_object_get(d, "derived"), 0)),
	                    "percent_shown");
	json_decref(rows);

	assert_int_equal(db_external_for(db, "47", "2024-03", &rows), DB_OK);
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);

	json_t *l;
	assert_int_equal(db_external_list(db, NULL, 100, &l), DB_OK);
	assert_string_equal(json_string_value(json_object_get(l, "period")), "2024-02");
	assert_int_equal(json_array_size(json_object_get(l, "rows")), 4);
	assert_int_equal(json_array_size(json_object_get(l, "imports")), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(l, "rows"), 0), "name_th")),
	    "ประเทศไทย");
	json_decref(l);
}

int main(int argc, char **argv)
{
	int rc = fresh_main(argc, argv, "test_external");
	if (rc)
		return rc;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(all_or_nothing_and_replace, setup, teardown),
	};
	return cmocka_run_group_tests_name(fresh_is_pg() ? "external.postgresql" : "external.sqlite", tests,
	                                   NULL, NULL);
}
