/* Catalogue and point storage (src/db/catalogue.c, src/db/points.c, the
 * portal part of src/db/seed.c), run once per backend like test_visits:
 *
 *   test_catalogue sqlite       a fresh SQLite file in a temporary directory
 *   test_catalogue postgresql   a fresh database through OSSPOINT_TEST_PG
 *                               (scripts/pgtmp.sh), dropped after
 *
 * Every test gets a database of its own, migrated and seeded from the real
 * data/ files (Bangkok outside the programme), with two users. Callbacks run
 * inside db_read only record what they see; the asserts come after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eservice.h"
#include "db/catalogue.h"
#include "db/db.h"
#include "db/points.h"
#include "db/seed.h"
#include "fresh.h"
#include "http/http.h"
#include "lib/xalloc.h"
#include "web/app.h"
#include "web/portal_state.h"

#ifndef OSSPOINT_TEST_DATA
#define OSSPOINT_TEST_DATA "data"
#endif

#define NOW 1735707600 /* 2025-01-01 12:00 Bangkok */

static const char *backend;
static int64_t admin_id, dadmin_id; /* users.id */

/* ---- small helpers (more in tests/db/fresh.c) ---- */

static int64_t countf(struct db *db, const char *fmt, const char *arg)
{
	char *sql = xasprintf(fmt, arg);
	int64_t n = fresh_count(db, sql);
	free(sql);
	return n;
}

/* ---- one database per test ---- */

struct suite {
	struct fresh f;
	struct db *db;
	struct seed_counts n;
};

static struct db *DB(void **state)
{
	return ((struct suite *)*state)->db;
}

struct users {
	int64_t admin, dadmin;
};

static int users_fn(struct dbc *c, void *arg)
{
	struct users *u = arg;
	int rc = db_insert_id(c, &u->admin,
	                      "INSERT INTO users (username, display_name, role, unit_code, password_hash, "
	                      "created_at, updated_at) VALUES ('nadmin', 'ผู้ดูแลระบบ กรมการปกครอง', "
	                      "'national_admin', '0', 'x', 1, 1)",
	                      "");
	if (rc == DB_OK)
		rc =
		    db_insert_id(c, &u->dadmin,
		                 "INSERT INTO users (username, display_name, role, unit_code, password_hash, "
		                 "created_at, updated_at) VALUES ('dadmin4701', 'ปลัดอำเภอเมืองสกลนคร', "
		                 "'district_admin', '4701', 'x', 1, 1)",
		                 "");
	return rc;
}

static int setup(void **state)
{
	struct suite *s = xcalloc(1, sizeof *s);
	if (fresh_create(&s->f) != 0) {
		fprintf(stderr, "test_catalogue: cannot create a fresh %s database\n", backend);
		free(s);
		return -1;
	}
	char err[1024] = "";
	s->db = db_open(s->f.url, 4, err, sizeof err);
	struct users u = {0, 0};
	if (!s->db || db_migrate(s->db) < 0 ||
	    db_seed_reference(s->db, OSSPOINT_TEST_DATA, false, &s->n, err, sizeof err) != 0 ||
	    db_tx(s->db, users_fn, &u) != DB_OK) {
		fprintf(stderr, "test_catalogue: cannot set up the database: %s\n",
		        err[0] ? err : "migrate/users");
		db_close(s->db);
		fresh_drop(&s->f);
		free(s);
		return -1;
	}
	admin_id = u.admin;
	dadmin_id = u.dadmin;
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

/* ---- building inputs as core/eservice would ---- */

static void set(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void lines(char *dst, size_t cap, const json_t *arr)
{
	size_t n = 0, i;
	json_t *v;
	dst[0] = '\0';
	json_array_foreach(arr, i, v)
	{
		n += (size_t)snprintf(dst + n, cap - n, "%s%s", i ? "\n" : "", json_string_value(v));
		assert_true(n < cap);
	}
}

/* The stored service `code` as a struct, as an edit form would send it back. */
static struct eservice *svc_load(struct db *db, const char *code)
{
	bool found = false;
	json_t *o = db_service_get(db, code, &found);
	assert_true(found);
	assert_non_null(o);
	struct eservice *s = xcalloc(1, sizeof *s);
	set(s->code, sizeof s->code, fresh_jstr(o, "code"));
	set(s->name_th, sizeof s->name_th, fresh_jstr(o, "name_th"));
	set(s->name_en, sizeof s->name_en, fresh_jstr(o, "name_en"));
	set(s->agency_th, sizeof s->agency_th, fresh_jstr(o, "agency_th"));
	set(s->agency_en, sizeof s->agency_en, fresh_jstr(o, "agency_en"));
	set(s->agency_type, sizeof s->agency_type, fresh_jstr(o, "agency_type"));
	set(s->category, sizeof s->category, fresh_jstr(o, "category"));
	set(s->channel, sizeof s->channel, fresh_jstr(o, "channel"));
	set(s->url, sizeof s->url, fresh_jstr(o, "url"));
	set(s->description, sizeof s->description, fresh_jstr(o, "description"));
	lines(s->steps, sizeof s->steps, json_object_get(o, "steps"));
	lines(s->documents, sizeof s->documents, json_object_get(o, "documents"));
	set(s->fees, sizeof s->fees, fresh_jstr(o, "fees"));
	set(s->status, sizeof s->status, fresh_jstr(o, "status"));
	s->sort_order = fresh_jint(o, "sort_order");
	set(s->source, sizeof s->source, fresh_jstr(o, "source"));
	set(s->note, sizeof s->note, fresh_jstr(o, "note"));
	json_decref(o);
	return s;
}

static struct eservice *svc_new(const char *code, const char *category)
{
	struct eservice *s = xcalloc(1, sizeof *s);
	set(s->code, sizeof s->code, code);
	set(s->name_th, sizeof s->name_th, "ขอหนังสือรับรองทดสอบ");
	set(s->name_en, sizeof s->name_en, "Test certificate");
	set(s->agency_th, sizeof s->agency_th, "กรมทดสอบ");
	set(s->agency_type, sizeof s->agency_type, "government");
	set(s->category, sizeof s->category, category);
	set(s->channel, sizeof s->channel, "web");
	set(s->url, sizeof s->url, "https://example.go.th/cert");
	set(s->description, sizeof s->description, "บริการทดสอบ");
	set(s->steps, sizeof s->steps, "เปิดเว็บไซต์\nกรอกข้อมูล\nยืนยัน");
	set(s->documents, sizeof s->documents, "บัตรประจำตัวประชาชน");
	set(s->fees, sizeof s->fees, "ไม่มี");
	set(s->status, sizeof s->status, "active");
	s->sort_order = ESVC_SORT_AUTO;
	return s;
}

static json_t *history(struct db *db, const char *code)
{
	json_t *h = db_service_history(db, code);
	assert_non_null(h);
	return h;
}

static const char *member_str(const json_t *row, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(row, obj), key));
}

/* ---- the seed ---- */

static void test_seed_loads_the_portal(void **state)
{
	struct suite *s = *state;
	struct db *db = DB(state);
	assert_int_equal(s->n.categories, 10);
	assert_int_equal(s->n.eservices, 31);
	assert_int_equal(s->n.points, 878);

	json_t *cats = db_categories(db);
	assert_int_equal(json_array_size(cats), 10);
	assert_string_equal(fresh_jstr(json_array_get(cats, 0), "code"), "identity");
	assert_string_equal(fresh_jstr(json_array_get(cats, 9), "code"), "elections");
	json_decref(cats);

	json_t *all = db_services_all(db);
	assert_int_equal(json_array_size(all), 31);
	size_t i;
	json_t *row;
	int64_t last = -1;
	json_array_foreach(all, i, row)
	{
		assert_int_equal(fresh_jint(row, "version"), 1);
		assert_true(fresh_jint(row, "sort_order") > last);
		last = fresh_jint(row, "sort_order");
		assert_true(strlen(fresh_jstr(row, "category")) > 0);
		assert_true(strlen(fresh_jstr(row, "category_th")) > 0);
		assert_true(strlen(fresh_jstr(row, "description")) > 0);
		assert_true(json_array_size(json_object_get(row, "steps")) >= 2);
		assert_true(json_array_size(json_object_get(row, "documents")) >= 1);
		assert_true(strlen(fresh_jstr(row, "fees")) > 0);
		/* One 'seed' row per service, the stored service as its after. */
		json_t *h = history(db, fresh_jstr(row, "code"));
		assert_int_equal(json_array_size(h), 1);
		json_t *h0 = json_array_get(h, 0);
		assert_string_equal(fresh_jstr(h0, "action"), "seed");
		assert_int_equal(fresh_jint(h0, "version"), 1);
		assert_true(json_is_null(json_object_get(h0, "before")));
		assert_true(json_is_null(json_object_get(h0, "user_id")));
		assert_string_equal(member_str(h0, "after", "name_th"), fresh_jstr(row, "name_th"));
		assert_string_equal(member_str(h0, "after", "category"), fresh_jstr(row, "category"));
		json_decref(h);
	}
	/* The first service of data/eservices.csv, with its details. */
	json_t *first = json_array_get(all, 0);
	assert_string_equal(fresh_jstr(first, "code"), "tangrat_signup");
	assert_string_equal(fresh_jstr(first, "category"), "identity");
	assert_string_equal(fresh_jstr(first, "category_th"), "ทะเบียน บัตร และการยืนยันตัวตน");
	assert_string_equal(json_string_value(json_array_get(json_object_get(first, "steps"), 1)),
	                    "เปิดแอปพลิเคชันทางรัฐ");
	json_decref(all);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM eservice_versions"), 31);

	/* Points: one per amphoe, none for Bangkok's khet. */
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM points"), 878);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM points WHERE unit_code LIKE '10%'"), 0);
	json_t *pts = db_points(db, NULL);
	assert_int_equal(json_array_size(pts), 878);
	json_decref(pts);
	pts = db_points(db, "47");
	assert_int_equal(json_array_size(pts), 18);
	json_t *p = json_array_get(pts, 0);
	assert_string_equal(fresh_jstr(p, "unit_code"), "4701");
	assert_string_equal(fresh_jstr(p, "district_th"), "เมืองสกลนคร");
	assert_string_equal(fresh_jstr(p, "province_code"), "47");
	assert_string_equal(fresh_jstr(p, "province_th"), "สกลนคร");
	assert_string_equal(fresh_jstr(p, "name_th"), "จุดให้บริการ e-Service ศูนย์ดำรงธรรมอำเภอเมืองสกลนคร");
	assert_string_equal(fresh_jstr(p, "address"), "ที่ว่าการอำเภอเมืองสกลนคร จังหวัดสกลนคร");
	assert_string_equal(fresh_jstr(p, "hours"), "วันจันทร์–วันศุกร์ เวลา 08.30–16.30 น. (เว้นวันหยุดราชการ)");
	assert_string_equal(fresh_jstr(p, "status"), "open");
	assert_string_equal(fresh_jstr(p, "lat"), "");
	assert_string_equal(fresh_jstr(p, "opened_on"), "");
	assert_int_equal(fresh_jint(p, "version"), 1);
	json_decref(pts);

	json_t *prov = db_point_provinces(db);
	assert_int_equal(json_array_size(prov), 76);
	int64_t total = 0;
	json_array_foreach(prov, i, row)
	{
		assert_string_not_equal(fresh_jstr(row, "code"), "10");
		total += fresh_jint(row, "points");
		assert_int_equal(fresh_jint(row, "open"), fresh_jint(row, "points"));
		if (strcmp(fresh_jstr(row, "code"), "47") == 0) {
			assert_int_equal(fresh_jint(row, "points"), 18);
			assert_string_equal(fresh_jstr(row, "name_th"), "สกลนคร");
			assert_string_equal(fresh_jstr(row, "region_th"), "ภาคตะวันออกเฉียงเหนือ");
		}
	}
	assert_int_equal(total, 878);
	json_decref(prov);
	assert_true(db_portal_generation(db) > 0);
}

static void test_seed_again(void **state)
{
	struct db *db = DB(state);
	int64_t gen = db_portal_generation(db);
	char err[1024] = "";
	struct seed_counts n;

	/* Nothing changed in the files: nothing written, the generation stays. */
	assert_int_equal(db_seed_reference(db, OSSPOINT_TEST_DATA, false, &n, err, sizeof err), 0);
	assert_int_equal(n.points, 0);
	assert_int_equal(n.categories, 10);
	assert_int_equal(db_portal_generation(db), gen);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM eservice_versions"), 31);
	assert_int_equal(fresh_count(db, "SELECT MAX(version) FROM eservices"), 1);

	/* A service a person edited is left alone; one only the seed wrote is
	 * brought back to the files, as a new 'seed' version; a row from before
	 * the history (version 0) gets its first history row. */
	struct eservice *e = svc_load(db, "rd_efiling");
	set(e->name_th, sizeof e->name_th, "ยื่นภาษีออนไลน์ (แก้ไขโดยผู้ดูแล)");
	assert_int_equal(db_service_update(db, "rd_efiling", e, 1, admin_id, NOW), DB_OK);
	free(e);
	assert_int_equal(fresh_exec_tx(db,
	                               "UPDATE eservices SET description = 'เก่า' WHERE code = 'nsf_savings';"
	                               "DELETE FROM eservice_versions WHERE code = 'dol_landsmaps';"
	                               "UPDATE eservices SET version = 0 WHERE code = 'dol_landsmaps'"),
	                 DB_OK);
	gen = db_portal_generation(db);
	assert_int_equal(db_seed_reference(db, OSSPOINT_TEST_DATA, false, &n, err, sizeof err), 0);
	assert_true(db_portal_generation(db) > gen);

	bool found;
	json_t *o = db_service_get(db, "rd_efiling", &found);
	assert_string_equal(fresh_jstr(o, "name_th"), "ยื่นภาษีออนไลน์ (แก้ไขโดยผู้ดูแล)");
	assert_int_equal(fresh_jint(o, "version"), 2);
	json_decref(o);

	o = db_service_get(db, "nsf_savings", &found);
	assert_string_not_equal(fresh_jstr(o, "description"), "เก่า");
	assert_int_equal(fresh_jint(o, "version"), 2);
	json_t *h = history(db, "nsf_savings");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(fresh_jstr(json_array_get(h, 0), "action"), "seed");
	assert_string_equal(member_str(json_array_get(h, 0), "before", "description"), "เก่า");
	assert_string_equal(member_str(json_array_get(h, 0), "after", "description"),
	                    fresh_jstr(o, "description"));
	json_decref(h);
	json_decref(o);

	o = db_service_get(db, "dol_landsmaps", &found);
	assert_int_equal(fresh_jint(o, "version"), 1);
	assert_string_equal(fresh_jstr(o, "fees"), "ไม่มี");
	json_decref(o);
	h = history(db, "dol_landsmaps");
	assert_int_equal(json_array_size(h), 1);
	assert_string_equal(fresh_jstr(json_array_get(h, 0), "action"), "seed");
	assert_true(json_equal(json_object_get(json_array_get(h, 0), "before"),
	                       json_object_get(json_array_get(h, 0), "after")));
	json_decref(h);

	/* Bangkok joins the programme: its 50 khet get points named after the
	 * district office; leaving it again hides them but keeps the rows. */
	assert_int_equal(db_seed_reference(db, OSSPOINT_TEST_DATA, true, &n, err, sizeof err), 0);
	assert_int_equal(n.points, 50);
	json_t *pts = db_points(db, "10");
	assert_int_equal(json_array_size(pts), 50);
	assert_string_equal(fresh_jstr(json_array_get(pts, 0), "name_th"),
	                    "จุดให้บริการ e-Service สำนักงานเขตพระนคร");
	assert_string_equal(fresh_jstr(json_array_get(pts, 0), "address"), "สำนักงานเขตพระนคร กรุงเทพมหานคร");
	json_decref(pts);
	assert_int_equal(db_seed_reference(db, OSSPOINT_TEST_DATA, false, &n, err, sizeof err), 0);
	assert_int_equal(n.points, 0);
	pts = db_points(db, NULL);
	assert_int_equal(json_array_size(pts), 878);
	json_decref(pts);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM points"), 928);
	bool pfound = true;
	assert_null(db_point_get(db, "1001", &pfound));
	assert_false(pfound);
}

/* ---- create ---- */

static void test_create(void **state)
{
	struct db *db = DB(state);
	int64_t gen = db_portal_generation(db);
	struct eservice *s = svc_new("test_cert", "identity");
	assert_int_equal(db_service_create(db, s, admin_id, NOW), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 1);

	bool found = false;
	json_t *o = db_service_get(db, "test_cert", &found);
	assert_true(found);
	assert_int_equal(fresh_jint(o, "version"), 1);
	assert_int_equal(fresh_jint(o, "sort_order"), 320); /* after the seed's 10 .. 310 */
	assert_int_equal(fresh_jint(o, "updated_at"), NOW);
	assert_string_equal(fresh_jstr(o, "category_th"), "ทะเบียน บัตร และการยืนยันตัวตน");
	assert_int_equal(json_array_size(json_object_get(o, "steps")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "steps"), 2)), "ยืนยัน");
	json_decref(o);
	json_t *h = history(db, "test_cert");
	assert_int_equal(json_array_size(h), 1);
	json_t *h0 = json_array_get(h, 0);
	assert_string_equal(fresh_jstr(h0, "action"), "create");
	assert_int_equal(fresh_jint(h0, "user_id"), admin_id);
	assert_string_equal(fresh_jstr(h0, "user_name"), "ผู้ดูแลระบบ กรมการปกครอง");
	assert_int_equal(fresh_jint(h0, "at"), NOW);
	assert_true(json_is_null(json_object_get(h0, "before")));
	assert_string_equal(member_str(h0, "after", "steps"), "เปิดเว็บไซต์\nกรอกข้อมูล\nยืนยัน");
	assert_int_equal(fresh_jint(json_object_get(h0, "after"), "sort_order"), 320);
	json_decref(h);

	/* The code is taken: refused, the stored service untouched. */
	gen = db_portal_generation(db);
	set(s->name_th, sizeof s->name_th, "ชื่ออื่น");
	assert_int_equal(db_service_create(db, s, admin_id, NOW + 1), DB_CONSTRAINT);
	o = db_service_get(db, "test_cert", &found);
	assert_string_equal(fresh_jstr(o, "name_th"), "ขอหนังสือรับรองทดสอบ");
	json_decref(o);
	assert_int_equal(countf(db, "SELECT COUNT(*) FROM eservice_versions WHERE code = '%s'", "test_cert"),
	                 1);
	free(s);

	/* An unknown category: refused, nothing half-stored. */
	s = svc_new("test_other", "no_such_category");
	s->sort_order = 5;
	assert_int_equal(db_service_create(db, s, admin_id, NOW), DB_CONSTRAINT);
	free(s);
	found = true;
	assert_null(db_service_get(db, "test_other", &found));
	assert_false(found);
	assert_int_equal(countf(db, "SELECT COUNT(*) FROM eservice_versions WHERE code = '%s'", "test_other"),
	                 0);
	assert_int_equal(db_portal_generation(db), gen);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM eservices"), 32);

	/* An explicit place is kept. */
	s = svc_new("test_first", "health");
	s->sort_order = 5;
	assert_int_equal(db_service_create(db, s, 0, NOW), DB_OK);
	free(s);
	json_t *all = db_services_all(db);
	assert_string_equal(fresh_jstr(json_array_get(all, 0), "code"), "test_first");
	json_decref(all);
	h = history(db, "test_first");
	assert_true(json_is_null(json_object_get(json_array_get(h, 0), "user_id")));
	json_decref(h);
}

/* ---- update ---- */

static void test_update_versions_and_history(void **state)
{
	struct db *db = DB(state);
	struct eservice *s = svc_load(db, "rd_efiling");
	char old_desc[ESVC_DESC_MAX + 1];
	set(old_desc, sizeof old_desc, s->description);
	int64_t gen = db_portal_generation(db);

	set(s->description, sizeof s->description, "คำอธิบายใหม่");
	set(s->steps, sizeof s->steps, "ขั้นที่หนึ่ง\nขั้นที่สอง");
	s->sort_order = ESVC_SORT_AUTO; /* keeps the stored place */
	assert_int_equal(db_service_update(db, "rd_efiling", s, 1, admin_id, NOW + 60), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 1);
	bool found;
	json_t *o = db_service_get(db, "rd_efiling", &found);
	assert_int_equal(fresh_jint(o, "version"), 2);
	assert_int_equal(fresh_jint(o, "updated_at"), NOW + 60);
	assert_int_equal(fresh_jint(o, "sort_order"), 50);
	assert_string_equal(fresh_jstr(o, "description"), "คำอธิบายใหม่");
	assert_int_equal(json_array_size(json_object_get(o, "steps")), 2);
	json_decref(o);
	assert_int_equal(countf(db, "SELECT updated_by FROM eservices WHERE code = '%s'", "rd_efiling"),
	                 admin_id);

	json_t *h = history(db, "rd_efiling");
	assert_int_equal(json_array_size(h), 2);
	json_t *h0 = json_array_get(h, 0);
	assert_int_equal(fresh_jint(h0, "version"), 2);
	assert_string_equal(fresh_jstr(h0, "action"), "edit");
	assert_string_equal(fresh_jstr(h0, "user_name"), "ผู้ดูแลระบบ กรมการปกครอง");
	assert_string_equal(member_str(h0, "before", "description"), old_desc);
	assert_string_equal(member_str(h0, "after", "description"), "คำอธิบายใหม่");
	assert_string_equal(member_str(h0, "after", "steps"), "ขั้นที่หนึ่ง\nขั้นที่สอง");
	assert_int_equal(fresh_jint(json_object_get(h0, "after"), "sort_order"), 50);
	assert_string_equal(fresh_jstr(json_array_get(h, 1), "action"), "seed");
	json_decref(h);

	/* Someone saved first: the stale form is refused, nothing written. */
	gen = db_portal_generation(db);
	set(s->description, sizeof s->description, "คำอธิบายจากฟอร์มเก่า");
	assert_int_equal(db_service_update(db, "rd_efiling", s, 1, dadmin_id, NOW + 120), DB_CONFLICT);
	o = db_service_get(db, "rd_efiling", &found);
	assert_int_equal(fresh_jint(o, "version"), 2);
	assert_string_equal(fresh_jstr(o, "description"), "คำอธิบายใหม่");
	assert_int_equal(fresh_jint(o, "updated_at"), NOW + 60);
	json_decref(o);
	assert_int_equal(countf(db, "SELECT COUNT(*) FROM eservice_versions WHERE code = '%s'", "rd_efiling"),
	                 2);
	assert_int_equal(db_portal_generation(db), gen);

	/* Saving what is stored writes nothing. */
	free(s);
	s = svc_load(db, "rd_efiling");
	assert_int_equal(db_service_update(db, "rd_efiling", s, 2, admin_id, NOW + 180), DB_OK);
	assert_int_equal(db_service_update(db, "rd_efiling", s, 0, admin_id, NOW + 180), DB_OK);
	o = db_service_get(db, "rd_efiling", &found);
	assert_int_equal(fresh_jint(o, "version"), 2);
	assert_int_equal(fresh_jint(o, "updated_at"), NOW + 60);
	json_decref(o);
	assert_int_equal(countf(db, "SELECT COUNT(*) FROM eservice_versions WHERE code = '%s'", "rd_efiling"),
	                 2);
	assert_int_equal(db_portal_generation(db), gen);

	/* Version 0 means "any"; s->code is not read (the code never changes). */
	set(s->code, sizeof s->code, "something_else");
	set(s->fees, sizeof s->fees, "ตามแบบ");
	assert_int_equal(db_service_update(db, "rd_efiling", s, 0, dadmin_id, NOW + 240), DB_OK);
	o = db_service_get(db, "rd_efiling", &found);
	assert_int_equal(fresh_jint(o, "version"), 3);
	assert_string_equal(fresh_jstr(o, "fees"), "ตามแบบ");
	json_decref(o);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM eservices WHERE code = 'something_else'"), 0);

	/* Unknown service; unknown category (nothing written). */
	assert_int_equal(db_service_update(db, "no_such_service", s, 0, admin_id, NOW), DB_NOT_FOUND);
	gen = db_portal_generation(db);
	set(s->category, sizeof s->category, "no_such_category");
	assert_int_equal(db_service_update(db, "rd_efiling", s, 3, admin_id, NOW + 300), DB_CONSTRAINT);
	o = db_service_get(db, "rd_efiling", &found);
	assert_int_equal(fresh_jint(o, "version"), 3);
	assert_string_equal(fresh_jstr(o, "category"), "tax_finance");
	json_decref(o);
	assert_int_equal(countf(db, "SELECT COUNT(*) FROM eservice_versions WHERE code = '%s'", "rd_efiling"),
	                 3);
	assert_int_equal(db_portal_generation(db), gen);
	free(s);
}

static void test_retire_and_restore(void **state)
{
	struct db *db = DB(state);
	struct eservice *s = svc_load(db, "pwa_1662_app");
	int64_t gen = db_portal_generation(db);
	set(s->status, sizeof s->status, "retired");
	assert_int_equal(db_service_update(db, "pwa_1662_app", s, 1, admin_id, NOW), DB_OK);
	set(s->status, sizeof s->status, "active");
	assert_int_equal(db_service_update(db, "pwa_1662_app", s, 2, admin_id, NOW + 1), DB_OK);
	set(s->status, sizeof s->status, "moving");
	assert_int_equal(db_service_update(db, "pwa_1662_app", s, 3, admin_id, NOW + 2), DB_OK);
	set(s->status, sizeof s->status, "retired");
	assert_int_equal(db_service_update(db, "pwa_1662_app", s, 4, admin_id, NOW + 3), DB_OK);
	free(s);
	assert_int_equal(db_portal_generation(db), gen + 4);

	json_t *h = history(db, "pwa_1662_app");
	assert_int_equal(json_array_size(h), 5);
	static const char *const actions[] = {"retire", "edit", "restore", "retire", "seed"};
	static const char *const after[] = {"retired", "moving", "active", "retired", "active"};
	for (size_t i = 0; i < 5; i++) {
		json_t *r = json_array_get(h, i);
		assert_int_equal(fresh_jint(r, "version"), 5 - (int64_t)i);
		assert_string_equal(fresh_jstr(r, "action"), actions[i]);
		assert_string_equal(member_str(r, "after", "status"), after[i]);
	}
	json_decref(h);
	/* Retired services stay in the catalogue (their page says so). */
	bool found;
	json_t *o = db_service_get(db, "pwa_1662_app", &found);
	assert_string_equal(fresh_jstr(o, "status"), "retired");
	json_decref(o);
}

/* ---- move ---- */

static void assert_order(struct db *db, const char *const *codes, size_t n)
{
	json_t *all = db_services_all(db);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(fresh_jstr(json_array_get(all, i), "code"), codes[i]);
		assert_int_equal(fresh_jint(json_array_get(all, i), "sort_order"), (int64_t)(i + 1) * 10);
	}
	json_decref(all);
}

static void test_move(void **state)
{
	struct db *db = DB(state);
	int64_t gen = db_portal_generation(db);

	/* The second service up: the two swap places, each a new version. */
	assert_int_equal(db_service_move(db, "thaid_register", -1, admin_id, NOW), DB_OK);
	static const char *const a[] = {"thaid_register", "tangrat_signup", "nhso_rights_check"};
	assert_order(db, a, 3);
	assert_int_equal(db_portal_generation(db), gen + 1);
	json_t *h = history(db, "thaid_register");
	assert_int_equal(json_array_size(h), 2);
	json_t *h0 = json_array_get(h, 0);
	assert_string_equal(fresh_jstr(h0, "action"), "reorder");
	assert_int_equal(fresh_jint(h0, "version"), 2);
	assert_int_equal(fresh_jint(json_object_get(h0, "before"), "sort_order"), 20);
	assert_int_equal(fresh_jint(json_object_get(h0, "after"), "sort_order"), 10);
	assert_int_equal(json_object_size(json_object_get(h0, "after")), 1);
	json_decref(h);
	h = history(db, "tangrat_signup");
	assert_int_equal(fresh_jint(json_object_get(json_array_get(h, 0), "after"), "sort_order"), 20);
	json_decref(h);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM eservice_versions WHERE action = 'reorder'"),
	                 2);

	/* And back down. */
	assert_int_equal(db_service_move(db, "thaid_register", 1, admin_id, NOW + 1), DB_OK);
	static const char *const b[] = {"tangrat_signup", "thaid_register", "nhso_rights_check"};
	assert_order(db, b, 3);

	/* At the top / bottom already: nothing. */
	gen = db_portal_generation(db);
	assert_int_equal(db_service_move(db, "tangrat_signup", -1, admin_id, NOW + 2), DB_OK);
	assert_int_equal(db_service_move(db, "nectec_traffy_fondue", 1, admin_id, NOW + 2), DB_OK);
	assert_int_equal(db_service_move(db, "nhso_rights_check", 0, admin_id, NOW + 2), DB_OK);
	assert_int_equal(db_portal_generation(db), gen);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM eservice_versions WHERE action = 'reorder'"),
	                 4);
	assert_int_equal(db_service_move(db, "no_such_service", 1, admin_id, NOW), DB_NOT_FOUND);

	/* Off the grid (an explicit place 15): a move renumbers everything
	 * after it, one version and one history row per service renumbered. */
	struct eservice *s = svc_new("test_mid", "health");
	s->sort_order = 15;
	assert_int_equal(db_service_create(db, s, admin_id, NOW), DB_OK);
	free(s);
	assert_int_equal(db_service_move(db, "test_mid", 1, admin_id, NOW + 3), DB_OK);
	static const char *const c[] = {"tangrat_signup", "thaid_register", "test_mid", "nhso_rights_check"};
	assert_order(db, c, 4);
	/* test_mid 15 -> 30 and the 29 services from nhso_rights_check on. */
	assert_int_equal(
	    fresh_count(
	        db, "SELECT COUNT(*) FROM eservice_versions WHERE action = 'reorder' AND at = 1735707603"),
	    30);
	assert_int_equal(fresh_count(db, "SELECT MAX(sort_order) FROM eservices"), 320);
	assert_int_equal(fresh_count(db,
	                             "SELECT COUNT(*) FROM eservices e WHERE version <> "
	                             "(SELECT MAX(version) FROM eservice_versions h WHERE h.code = e.code)"),
	                 0);
}

/* ---- hidden services ---- */

static void assert_hidden(struct db *db, const char *unit, const char *expect)
{
	json_t *h = db_unit_hidden_services(db, unit);
	assert_non_null(h);
	char got[512] = "";
	size_t i, n = 0;
	json_t *v;
	json_array_foreach(h, i, v) n +=
	    (size_t)snprintf(got + n, sizeof got - n, "%s%s", i ? " " : "", json_string_value(v));
	json_decref(h);
	assert_string_equal(got, expect);
}

static void test_hidden_services(void **state)
{
	struct db *db = DB(state);
	assert_hidden(db, "4701", "");
	int64_t gen = db_portal_generation(db);

	const char *const first[] = {"mwa_onmobile_app", "mea_eservice", "mwa_onmobile_app", NULL};
	assert_int_equal(db_unit_set_hidden(db, "4701", first, dadmin_id, NOW), DB_OK);
	assert_hidden(db, "4701", "mea_eservice mwa_onmobile_app");
	assert_hidden(db, "4702", "");
	assert_int_equal(db_portal_generation(db), gen + 1);
	json_t *log =
	    fresh_query(db, "SELECT user_id, target, detail FROM audit_log WHERE action = 'point.services' "
	                    "ORDER BY id");
	assert_int_equal(json_array_size(log), 1);
	assert_int_equal(fresh_jint(json_array_get(log, 0), "user_id"), dadmin_id);
	assert_string_equal(fresh_jstr(json_array_get(log, 0), "target"), "4701");
	assert_string_equal(fresh_jstr(json_array_get(log, 0), "detail"),
	                    "{\"added\":[\"mea_eservice\",\"mwa_onmobile_app\"],\"removed\":[]}");
	json_decref(log);

	/* Replaced, not added to. */
	const char *const second[] = {"mwa_onmobile_app", "dlt_qr_licence", NULL};
	assert_int_equal(db_unit_set_hidden(db, "4701", second, dadmin_id, NOW + 1), DB_OK);
	assert_hidden(db, "4701", "dlt_qr_licence mwa_onmobile_app");
	log = fresh_query(db, "SELECT detail FROM audit_log WHERE action = 'point.services' ORDER BY id");
	assert_int_equal(json_array_size(log), 2);
	assert_string_equal(fresh_jstr(json_array_get(log, 1), "detail"),
	                    "{\"added\":[\"dlt_qr_licence\"],\"removed\":[\"mea_eservice\"]}");
	json_decref(log);
	assert_int_equal(db_portal_generation(db), gen + 2);

	/* The same set again: nothing written. */
	assert_int_equal(db_unit_set_hidden(db, "4701", second, dadmin_id, NOW + 2), DB_OK);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'point.services'"),
	                 2);
	assert_int_equal(db_portal_generation(db), gen + 2);

	/* One unknown code refuses the whole list. */
	const char *const bad[] = {"pea_eservice", "no_such_service", NULL};
	assert_int_equal(db_unit_set_hidden(db, "4701", bad, dadmin_id, NOW + 3), DB_CONSTRAINT);
	assert_hidden(db, "4701", "dlt_qr_licence mwa_onmobile_app");
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'point.services'"),
	                 2);
	assert_int_equal(db_portal_generation(db), gen + 2);
	/* So does an unknown unit. */
	assert_int_equal(db_unit_set_hidden(db, "9999", second, dadmin_id, NOW + 3), DB_CONSTRAINT);

	/* None hidden. */
	assert_int_equal(db_unit_set_hidden(db, "4701", NULL, 0, NOW + 4), DB_OK);
	assert_hidden(db, "4701", "");
	assert_int_equal(db_portal_generation(db), gen + 3);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'point.services' AND "
	                                 "user_id IS NULL"),
	                 1);
}

/* ---- points ---- */

static struct point_profile *point_load(struct db *db, const char *unit)
{
	bool found = false;
	json_t *o = db_point_get(db, unit, &found);
	assert_true(found);
	assert_non_null(o);
	struct point_profile *p = xcalloc(1, sizeof *p);
	set(p->name_th, sizeof p->name_th, fresh_jstr(o, "name_th"));
	set(p->address, sizeof p->address, fresh_jstr(o, "address"));
	set(p->lat, sizeof p->lat, fresh_jstr(o, "lat"));
	set(p->lon, sizeof p->lon, fresh_jstr(o, "lon"));
	set(p->hours, sizeof p->hours, fresh_jstr(o, "hours"));
	set(p->phone, sizeof p->phone, fresh_jstr(o, "phone"));
	set(p->opened_on, sizeof p->opened_on, fresh_jstr(o, "opened_on"));
	set(p->status, sizeof p->status, fresh_jstr(o, "status"));
	json_decref(o);
	return p;
}

static void test_point_update(void **state)
{
	struct db *db = DB(state);
	int64_t gen = db_portal_generation(db);
	struct point_profile *p = point_load(db, "4701");

	/* A profile change without a status change: new version, no history. */
	set(p->phone, sizeof p->phone, "042-711-111");
	set(p->lat, sizeof p->lat, "17.155");
	set(p->lon, sizeof p->lon, "104.1478");
	set(p->opened_on, sizeof p->opened_on, "2024-10-01");
	assert_int_equal(db_point_update(db, "4701", p, 1, "2025-01-01", dadmin_id, NOW, NULL), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 1);
	bool found;
	json_t *o = db_point_get(db, "4701", &found);
	assert_int_equal(fresh_jint(o, "version"), 2);
	assert_int_equal(fresh_jint(o, "updated_at"), NOW);
	assert_string_equal(fresh_jstr(o, "phone"), "042-711-111");
	assert_string_equal(fresh_jstr(o, "lat"), "17.155");
	assert_string_equal(fresh_jstr(o, "opened_on"), "2024-10-01");
	assert_int_equal(json_array_size(json_object_get(o, "history")), 0);
	json_decref(o);
	json_t *log =
	    fresh_query(db, "SELECT user_id, target, detail FROM audit_log WHERE action = 'point.edit'");
	assert_int_equal(json_array_size(log), 1);
	assert_string_equal(fresh_jstr(json_array_get(log, 0), "target"), "4701");
	json_t *detail = json_loads(fresh_jstr(json_array_get(log, 0), "detail"), 0, NULL);
	assert_non_null(detail);
	assert_int_equal(fresh_jint(detail, "version"), 2);
	json_t *changed = json_object_get(detail, "changed");
	assert_int_equal(json_object_size(changed), 4);
	assert_string_equal(json_string_value(json_array_get(json_object_get(changed, "phone"), 0)), "");
	assert_string_equal(json_string_value(json_array_get(json_object_get(changed, "phone"), 1)),
	                    "042-711-111");
	json_decref(detail);
	json_decref(log);

	/* A status change: a history row, since = today when not given. */
	set(p->status, sizeof p->status, "temporarily_closed");
	set(p->status_note, sizeof p->status_note, "ปรับปรุงห้องศูนย์ดำรงธรรม");
	assert_int_equal(db_point_update(db, "4701", p, 2, "2025-01-02", dadmin_id, NOW + 86400, NULL),
	                 DB_OK);
	/* And back, with a date given. */
	set(p->status, sizeof p->status, "open");
	set(p->status_since, sizeof p->status_since, "2025-01-10");
	set(p->status_note, sizeof p->status_note, "");
	assert_int_equal(db_point_update(db, "4701", p, 3, "2025-01-12", admin_id, NOW + 11 * 86400, NULL),
	                 DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 3);
	o = db_point_get(db, "4701", &found);
	assert_int_equal(fresh_jint(o, "version"), 4);
	assert_string_equal(fresh_jstr(o, "status"), "open");
	json_t *h = json_object_get(o, "history");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(fresh_jstr(json_array_get(h, 0), "status"), "open");
	assert_string_equal(fresh_jstr(json_array_get(h, 0), "since"), "2025-01-10");
	assert_string_equal(fresh_jstr(json_array_get(h, 0), "user_name"), "ผู้ดูแลระบบ กรมการปกครอง");
	assert_string_equal(fresh_jstr(json_array_get(h, 1), "status"), "temporarily_closed");
	assert_string_equal(fresh_jstr(json_array_get(h, 1), "since"), "2025-01-02");
	assert_string_equal(fresh_jstr(json_array_get(h, 1), "note"), "ปรับปรุงห้องศูนย์ดำรงธรรม");
	assert_string_equal(fresh_jstr(json_array_get(h, 1), "user_name"), "ปลัดอำเภอเมืองสกลนคร");
	assert_int_equal(fresh_jint(json_array_get(h, 1), "at"), NOW + 86400);
	json_decref(o);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'point.edit'"), 3);

	/* A stale form: refused, nothing written. */
	gen = db_portal_generation(db);
	set(p->hours, sizeof p->hours, "ทุกวัน");
	set(p->status, sizeof p->status, "closed");
	assert_int_equal(db_point_update(db, "4701", p, 3, "2025-01-12", dadmin_id, NOW, NULL), DB_CONFLICT);
	o = db_point_get(db, "4701", &found);
	assert_int_equal(fresh_jint(o, "version"), 4);
	assert_string_equal(fresh_jstr(o, "status"), "open");
	assert_int_equal(json_array_size(json_object_get(o, "history")), 2);
	json_decref(o);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'point.edit'"), 3);
	assert_int_equal(db_portal_generation(db), gen);

	/* Saving what is stored writes nothing. */
	free(p);
	p = point_load(db, "4701");
	assert_int_equal(db_point_update(db, "4701", p, 4, "2025-01-12", dadmin_id, NOW, NULL), DB_OK);
	assert_int_equal(fresh_count(db, "SELECT version FROM points WHERE unit_code = '4701'"), 4);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'point.edit'"), 3);
	assert_int_equal(db_portal_generation(db), gen);

	/* No such point; a khet outside the programme has none either. */
	assert_int_equal(db_point_update(db, "9999", p, 0, "2025-01-12", dadmin_id, NOW, NULL), DB_NOT_FOUND);
	assert_int_equal(db_point_update(db, "1001", p, 0, "2025-01-12", dadmin_id, NOW, NULL), DB_NOT_FOUND);
	free(p);
	found = true;
	assert_null(db_point_get(db, "9999", &found));
	assert_false(found);
}

/* ---- the generation ---- */

static void test_reads_keep_the_generation(void **state)
{
	struct db *db = DB(state);
	int64_t gen = db_portal_generation(db);
	assert_true(gen > 0);
	json_t *j;
	bool found;
	assert_non_null(j = db_categories(db));
	json_decref(j);
	assert_non_null(j = db_services_all(db));
	json_decref(j);
	assert_non_null(j = db_service_get(db, "rd_efiling", &found));
	json_decref(j);
	assert_non_null(j = db_service_history(db, "rd_efiling"));
	json_decref(j);
	assert_non_null(j = db_service_history(db, "no_such_service"));
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	assert_non_null(j = db_unit_hidden_services(db, "4701"));
	json_decref(j);
	assert_non_null(j = db_point_provinces(db));
	json_decref(j);
	assert_non_null(j = db_points(db, ""));
	assert_int_equal(json_array_size(j), 878);
	json_decref(j);
	assert_non_null(j = db_point_get(db, "4701", &found));
	json_decref(j);
	/* Refused writes do not move it either. */
	struct eservice *s = svc_load(db, "rd_efiling");
	assert_int_equal(db_service_update(db, "rd_efiling", s, 9, admin_id, NOW), DB_CONFLICT);
	assert_int_equal(db_service_move(db, "no_such_service", -1, admin_id, NOW), DB_NOT_FOUND);
	free(s);
	assert_int_equal(db_portal_generation(db), gen);
}

/* ---- service areas and the search vocabulary (issue 9 items 16, 13) ---- */

static void test_seed_areas_and_search_terms(void **state)
{
	struct db *db = DB(state);
	struct suite *su = *state;
	/* MEA and MWA serve Bangkok, Samut Prakan and Nonthaburi only; PEA and
	 * PWA everywhere else; the rest the whole country. */
	json_t *all = db_services_all(db);
	size_t i;
	json_t *row;
	int only = 0, except = 0;
	json_array_foreach(all, i, row)
	{
		const char *code = fresh_jstr(row, "code"), *area = fresh_jstr(row, "area");
		if (!strcmp(code, "mea_eservice") || !strcmp(code, "mwa_onmobile_app")) {
			assert_string_equal(area, "only");
			assert_string_equal(fresh_jstr(row, "area_provinces"), "10 11 12");
			only++;
		} else if (!strcmp(code, "pea_eservice") || !strcmp(code, "pwa_1662_app")) {
			assert_string_equal(area, "except");
			assert_string_equal(fresh_jstr(row, "area_provinces"), "10 11 12");
			except++;
		} else {
			assert_string_equal(area, "all");
			assert_string_equal(fresh_jstr(row, "area_provinces"), "");
		}
	}
	assert_int_equal(only, 2);
	assert_int_equal(except, 2);
	json_decref(all);
	/* The area is part of the history snapshot. */
	json_t *h = history(db, "mea_eservice");
	assert_string_equal(member_str(json_array_get(h, 0), "after", "area"), "only");
	json_decref(h);

	/* The vocabulary of data/search_synonyms.csv, sorted. */
	assert_true(su->n.search_terms > 100);
	json_t *t = db_search_terms(db);
	assert_non_null(t);
	size_t nsyn = json_array_size(json_object_get(t, "synonyms")),
	       nph = json_array_size(json_object_get(t, "phrases"));
	assert_int_equal(nsyn + nph, (size_t)su->n.search_terms);
	assert_true(json_is_null(json_object_get(t, "edited_at")));
	json_t *prev = NULL;
	json_array_foreach(json_object_get(t, "phrases"), i, row)
	{
		if (prev)
			assert_true(strcmp(fresh_jstr(prev, "phrase"), fresh_jstr(row, "phrase")) <= 0);
		prev = row;
	}
	/* An admin's vocabulary replaces the whole set, once. */
	int64_t gen = db_portal_generation(db);
	json_t *syn = json_pack("[{s:s, s:s}]", "word", "พาสปอร์ต", "term", "หนังสือเดินทาง");
	json_t *ph = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "phrase", "ไฟดับ", "service_code",
	                       "pea_eservice", "phrase", "ไฟดับ", "service_code", "mea_eservice", "phrase",
	                       "ไฟดับ", "service_code", "pea_eservice");
	assert_int_equal(db_search_terms_set(db, syn, ph, admin_id, NOW), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 1);
	json_decref(t);
	t = db_search_terms(db);
	assert_int_equal(json_array_size(json_object_get(t, "synonyms")), 1);
	assert_int_equal(json_array_size(json_object_get(t, "phrases")), 2); /* the repeat counts once */
	assert_int_equal(json_integer_value(json_object_get(t, "edited_at")), NOW);
	assert_string_equal(fresh_jstr(t, "edited_by"), "ผู้ดูแลระบบ กรมการปกครอง");
	json_decref(t);
	assert_int_equal(countf(db, "SELECT COUNT(*) FROM audit_log WHERE action = '%s'", "search.terms"), 1);
	/* The same again writes nothing; an unknown service changes nothing. */
	assert_int_equal(db_search_terms_set(db, syn, ph, admin_id, NOW + 1), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 1);
	json_t *bad = json_pack("[{s:s, s:s}]", "phrase", "อะไรสักอย่าง", "service_code", "no_such_service");
	assert_int_equal(db_search_terms_set(db, syn, bad, admin_id, NOW + 2), DB_CONSTRAINT);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM search_phrases"), 2);
	assert_int_equal(db_portal_generation(db), gen + 1);
	json_decref(bad);
	/* The seed leaves what a person saved. */
	char err[1024] = "";
	struct seed_counts n;
	assert_int_equal(db_seed_reference(db, OSSPOINT_TEST_DATA, false, &n, err, sizeof err), 0);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM search_synonyms"), 1);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM search_phrases"), 2);
	assert_int_equal(db_portal_generation(db), gen + 1);
	json_decref(syn);
	json_decref(ph);
}

/* ---- announced status changes (issue 9 item 15) ---- */

/* 2025-01-05 00:00 Bangkok is 2025-01-04 17:00 UTC. */
#define JAN5_BKK 1736010000

static void test_scheduled_status(void **state)
{
	struct db *db = DB(state);
	struct point_profile *p = point_load(db, "4701");
	int64_t gen = db_portal_generation(db);
	/* Announced on 1 January for the 5th: the point stays open. */
	set(p->status, sizeof p->status, "temporarily_closed");
	set(p->status_since, sizeof p->status_since, "2025-01-05");
	set(p->status_note, sizeof p->status_note, "ปรับปรุงอาคาร");
	p->scheduled = true;
	set(p->phone, sizeof p->phone, "042-711-111");
	assert_int_equal(db_point_update(db, "4701", p, 1, "2025-01-01", dadmin_id, NOW, NULL), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 1);
	bool found;
	json_t *o = db_point_get(db, "4701", &found);
	assert_string_equal(fresh_jstr(o, "status"), "open");
	assert_string_equal(fresh_jstr(o, "phone"), "042-711-111"); /* the other fields are saved now */
	assert_int_equal(fresh_jint(o, "version"), 2);
	assert_int_equal(json_array_size(json_object_get(o, "history")), 0);
	json_t *sc = json_object_get(o, "scheduled");
	assert_int_equal(json_array_size(sc), 1);
	assert_string_equal(fresh_jstr(json_array_get(sc, 0), "since"), "2025-01-05");
	assert_string_equal(fresh_jstr(json_array_get(sc, 0), "status"), "temporarily_closed");
	assert_string_equal(fresh_jstr(json_array_get(sc, 0), "note"), "ปรับปรุงอาคาร");
	assert_string_equal(fresh_jstr(json_array_get(sc, 0), "user_name"), "ปลัดอำเภอเมืองสกลนคร");
	json_decref(o);
	/* The same announcement again writes nothing; a second one (reopening on
	 * the 20th) is added; announcements alone leave the version. */
	assert_int_equal(db_point_update(db, "4701", p, 2, "2025-01-01", dadmin_id, NOW, NULL), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 1);
	set(p->status, sizeof p->status, "open");
	set(p->status_since, sizeof p->status_since, "2025-01-20");
	set(p->status_note, sizeof p->status_note, "");
	assert_int_equal(db_point_update(db, "4701", p, 2, "2025-01-01", dadmin_id, NOW, NULL), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 2);
	char next[THAI_DAY_TEXT];
	assert_int_equal(db_point_next_scheduled(db, next), DB_OK);
	assert_string_equal(next, "2025-01-05");
	o = db_point_get(db, "4701", &found);
	assert_int_equal(fresh_jint(o, "version"), 2);
	assert_int_equal(json_array_size(json_object_get(o, "scheduled")), 2);
	json_decref(o);

	/* Nothing is due on the 4th. */
	int applied = -1;
	assert_int_equal(db_points_apply_scheduled(db, "2025-01-04", JAN5_BKK - 1, &applied), DB_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(db_portal_generation(db), gen + 2);
	/* On the 5th the closure takes effect, with its day, note and announcer. */
	assert_int_equal(db_points_apply_scheduled(db, "2025-01-05", JAN5_BKK, &applied), DB_OK);
	assert_int_equal(applied, 1);
	assert_int_equal(db_portal_generation(db), gen + 3);
	o = db_point_get(db, "4701", &found);
	assert_string_equal(fresh_jstr(o, "status"), "temporarily_closed");
	assert_int_equal(fresh_jint(o, "version"), 3);
	json_t *h = json_object_get(o, "history");
	assert_int_equal(json_array_size(h), 1);
	assert_string_equal(fresh_jstr(json_array_get(h, 0), "since"), "2025-01-05");
	assert_string_equal(fresh_jstr(json_array_get(h, 0), "note"), "ปรับปรุงอาคาร");
	assert_string_equal(fresh_jstr(json_array_get(h, 0), "user_name"), "ปลัดอำเภอเมืองสกลนคร");
	assert_int_equal(json_array_size(json_object_get(o, "scheduled")), 1);
	json_decref(o);
	assert_int_equal(
	    countf(db, "SELECT COUNT(*) FROM audit_log WHERE action = '%s'", "point.scheduled_applied"), 1);
	/* Again: nothing left to apply on the 5th. */
	assert_int_equal(db_points_apply_scheduled(db, "2025-01-05", JAN5_BKK + 60, &applied), DB_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(db_portal_generation(db), gen + 3);
	/* The reopening is cancelled before its day. */
	const char *cancel[] = {"2025-01-20", "2025-02-30", NULL};
	p->scheduled = false;
	set(p->status, sizeof p->status, "temporarily_closed");
	set(p->status_since, sizeof p->status_since, "");
	assert_int_equal(db_point_update(db, "4701", p, 3, "2025-01-06", dadmin_id, NOW, cancel), DB_OK);
	assert_int_equal(db_portal_generation(db), gen + 4);
	assert_int_equal(db_point_next_scheduled(db, next), DB_OK);
	assert_string_equal(next, "");
	free(p);
}

static void test_scheduled_status_applied_by_the_portal(void **state)
{
	/* The portal's tick (its poll thread every 2 s) applies a change on its
	 * day, and drops the page cache then: no cached page goes on saying
	 * "will close" after it closed. */
	struct db *db = DB(state);
	struct point_profile *p = point_load(db, "4702");
	set(p->status, sizeof p->status, "closed");
	set(p->status_since, sizeof p->status_since, "2025-01-05");
	p->scheduled = true;
	assert_int_equal(db_point_update(db, "4702", p, 1, "2025-01-01", dadmin_id, NOW, NULL), DB_OK);
	free(p);
	struct app the = {.db = db};
	app = &the;
	assert_int_equal(portal_state_start(), 0); /* today (the real one) is long after: applied at start */
	bool found;
	json_t *o = db_point_get(db, "4702", &found);
	assert_string_equal(fresh_jstr(o, "status"), "closed");
	json_decref(o);
	/* One due on a day to come: a tick the evening before does nothing; the
	 * first tick after midnight (Bangkok) applies it, rebuilds the snapshot
	 * and invalidates the page cache. */
	p = point_load(db, "4703");
	set(p->status, sizeof p->status, "temporarily_closed");
	set(p->status_since, sizeof p->status_since, "2099-01-05");
	p->scheduled = true;
	assert_int_equal(db_point_update(db, "4703", p, 1, "2025-01-01", dadmin_id, NOW, NULL), DB_OK);
	free(p);
	portal_changed(); /* what the handler does after saving */
	struct portal_snap *s = portal_snap_get();
	assert_string_equal(s->next_due, "2099-01-05");
	int64_t snap_gen = s->generation;
	portal_snap_put(s);
	struct http_cache_stats before, after;
	http_cache_stats_get(&before);
	const int64_t jan5_2099 = 4071229200; /* 2099-01-05 00:00 Bangkok */
	portal_state_tick(jan5_2099 - 1);
	o = db_point_get(db, "4703", &found);
	assert_string_equal(fresh_jstr(o, "status"), "open");
	json_decref(o);
	http_cache_stats_get(&after);
	assert_int_equal(after.generation, before.generation);
	portal_state_tick(jan5_2099);
	o = db_point_get(db, "4703", &found);
	assert_string_equal(fresh_jstr(o, "status"), "temporarily_closed");
	assert_int_equal(json_array_size(json_object_get(o, "scheduled")), 0);
	json_decref(o);
	http_cache_stats_get(&after);
	assert_true(after.generation > before.generation); /* every cached page dropped */
	s = portal_snap_get();
	assert_true(s->generation > snap_gen);
	assert_string_equal(s->next_due, "");
	portal_snap_put(s);
	portal_state_stop();
	app = NULL;
}

/* ---- the shared catalogue snapshot (web/portal_state.c) ---- */

/* Renames a service straight in the database and tells the portal, so the
 * registry's usable list (the snapshot's) is replaced. */
static void rename_service(struct db *db, const char *code, int n)
{
	char *sql = xasprintf("UPDATE eservices SET name_th = 'ชื่อทดสอบรอบที่ %d' WHERE code = '%s'; "
	                      "UPDATE portal_meta SET generation = generation + 1 WHERE id = 1",
	                      n, code);
	assert_int_equal(fresh_exec_tx(db, sql), DB_OK);
	free(sql);
	portal_changed();
}

/* The name of code in a usable list (borrowed), or NULL. */
static const char *usable_name(json_t *list, const char *code)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) if (!strcmp(fresh_jstr(e, "code"), code)) return fresh_jstr(e,
	                                                                                           "name_th");
	return NULL;
}

struct swap_run {
	int swaps;    /* __atomic: replacements done by the writer */
	int done;     /* __atomic: the writer finished */
	int held;     /* __atomic: readers that saw a swap while holding their list */
	int mismatch; /* __atomic: a held list changed under its reader */
};

/* A reader: requests that take the registry's list, walk it, wait until the
 * writer has replaced it at least once, and walk it again: the same pointer
 * and the same contents (ASan reports any read of freed memory). */
static void *snapshot_reader(void *arg)
{
	struct swap_run *run = arg;
	for (int round = 0; round < 40 && !__atomic_load_n(&run->done, __ATOMIC_ACQUIRE); round++) {
		struct req *r = req_fake_new("GET", "/registry/new", NULL, NULL, 0);
		json_t *list = web_eservices(r);
		if (!list) { /* cmocka's asserts belong to the main thread */
			__atomic_add_fetch(&run->mismatch, 1, __ATOMIC_RELAXED);
			req_fake_free(r);
			break;
		}
		size_t n = json_array_size(list), bytes = 0;
		char *first = xstrdup(usable_name(list, "rd_efiling"));
		int seen = __atomic_load_n(&run->swaps, __ATOMIC_ACQUIRE);
		for (int spin = 0; spin < 200000 && __atomic_load_n(&run->swaps, __ATOMIC_ACQUIRE) == seen &&
		                   !__atomic_load_n(&run->done, __ATOMIC_ACQUIRE);
		     spin++) {
			size_t i;
			json_t *e;
			json_array_foreach(list, i, e) bytes += strlen(fresh_jstr(e, "name_th"));
			sched_yield();
		}
		if (__atomic_load_n(&run->swaps, __ATOMIC_ACQUIRE) != seen)
			__atomic_add_fetch(&run->held, 1, __ATOMIC_RELAXED);
		if (web_eservices(r) != list || json_array_size(list) != n ||
		    strcmp(usable_name(list, "rd_efiling"), first) != 0)
			__atomic_add_fetch(&run->mismatch, 1, __ATOMIC_RELAXED);
		(void)bytes;
		free(first);
		req_fake_free(r);
	}
	return NULL;
}

static void test_snapshot_swapped_under_readers(void **state)
{
	struct db *db = DB(state);
	struct app the = {.db = db};
	app = &the;
	assert_int_equal(portal_state_start(), 0);
	struct swap_run run = {0, 0, 0, 0};
	enum { READERS = 4, SWAPS = 60 };
	pthread_t t[READERS];
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, snapshot_reader, &run), 0);
	for (int k = 1; k <= SWAPS; k++) {
		rename_service(db, "rd_efiling", k);
		__atomic_add_fetch(&run.swaps, 1, __ATOMIC_RELEASE);
		sched_yield();
	}
	__atomic_store_n(&run.done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < READERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(run.mismatch, 0);
	assert_true(run.held > 0); /* readers did hold a list across a replacement */
	/* Every replaced snapshot went with its last reader: only the current one is left. */
	assert_int_equal(portal_state_live_snapshots(), 1);
	struct req *r = req_fake_new("GET", "/", NULL, NULL, 0);
	char *want = xasprintf("ชื่อทดสอบรอบที่ %d", SWAPS);
	assert_string_equal(usable_name(web_eservices(r), "rd_efiling"), want);
	free(want);
	req_fake_free(r);
	portal_state_stop();
	assert_int_equal(portal_state_live_snapshots(), 0);
	app = NULL;
}

static void test_snapshot_freed_by_its_last_reader(void **state)
{
	struct db *db = DB(state);
	struct app the = {.db = db};
	app = &the;
	assert_int_equal(portal_state_start(), 0);
	assert_int_equal(portal_state_live_snapshots(), 1);
	struct req *r1 = req_fake_new("GET", "/", NULL, NULL, 0);
	json_t *l1 = web_eservices(r1);
	char *name1 = xstrdup(usable_name(l1, "rd_efiling"));
	assert_int_equal(portal_state_live_snapshots(), 1); /* the current one, now also r1's */
	rename_service(db, "rd_efiling", 1);
	assert_int_equal(portal_state_live_snapshots(), 2); /* r1 keeps the old one */
	struct req *r2 = req_fake_new("GET", "/", NULL, NULL, 0);
	json_t *l2 = web_eservices(r2);
	assert_ptr_not_equal(l1, l2);
	assert_string_equal(usable_name(l2, "rd_efiling"), "ชื่อทดสอบรอบที่ 1");
	rename_service(db, "rd_efiling", 2);
	assert_int_equal(portal_state_live_snapshots(), 3);
	/* What r1 holds has not changed, whatever happened since. */
	assert_ptr_equal(web_eservices(r1), l1);
	assert_string_equal(usable_name(l1, "rd_efiling"), name1);
	req_fake_free(r1); /* its last reader: freed now, not on a timer */
	assert_int_equal(portal_state_live_snapshots(), 2);
	req_fake_free(r2);
	assert_int_equal(portal_state_live_snapshots(), 1);
	/* A replacement nobody reads is freed by the replacement itself. */
	rename_service(db, "rd_efiling", 3);
	assert_int_equal(portal_state_live_snapshots(), 1);
	/* Names handed out as references outlive their snapshot. */
	json_t *nm = portal_service_name("rd_efiling");
	rename_service(db, "rd_efiling", 4);
	assert_string_equal(json_string_value(nm), "ชื่อทดสอบรอบที่ 3");
	json_decref(nm);
	assert_true(portal_service_usable("rd_efiling"));
	assert_false(portal_service_usable("no_such_service"));
	free(name1);
	portal_state_stop();
	assert_int_equal(portal_state_live_snapshots(), 0);
	app = NULL;
}

int main(int argc, char **argv)
{
	int rc = fresh_main(argc, argv, "test_catalogue");
	if (rc)
		return rc;
	backend = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_seed_loads_the_portal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seed_again, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_versions_and_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retire_and_restore, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hidden_services, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_point_update, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reads_keep_the_generation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seed_areas_and_search_terms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scheduled_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scheduled_status_applied_by_the_portal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snapshot_swapped_under_readers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snapshot_freed_by_its_last_reader, setup, teardown),
	};
	return cmocka_run_group_tests_name(fresh_is_pg() ? "catalogue.postgresql" : "catalogue.sqlite", tests,
	                                   NULL, NULL);
}
