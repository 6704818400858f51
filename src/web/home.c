/* GET /home (staff home), GET /healthz. The public landing page GET / is the
 * portal's (web/portal.c).
 *
 * The home page shows what the user's role does every day (issue 9):
 *  - a district's staff: "บันทึกผู้มารับบริการ" first, with today's and this
 *    period's counts;
 *  - a district admin also: entries edited or voided today, imports that
 *    failed today, and the point's status;
 *  - a province admin: districts with no entry in the last three working
 *    days, and districts whose point is not open;
 *  - a national admin: the same, nationwide, by province. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/eservice.h"
#include "core/perm.h"
#include "db/db.h"
#include "db/points.h"
#include "db/units.h"
#include "db/visits.h"
#include "lib/buf.h"
#include "lib/thai.h"
#include "web/app.h"
#include "web/registry.h"
#include "web/scope.h"
#include "web/web.h"

#define IDLE_WORKING_DAYS 3
#define CHANGES_MAX       20

static json_t *card(const char *href, const char *label, const char *description)
{
	return json_pack("{s:s, s:s, s:s}", "href", href, "label", label, "description", description);
}

static void day_iso(struct civil_day d, char out[THAI_ISO_DAY_SIZE])
{
	if (thai_day_iso(d, out) != 0)
		out[0] = '\0';
}

static json_t *thai_time(int64_t t)
{
	struct buf b;
	buf_init(&b, 128);
	thai_epoch_format(&b, t, THAI_DATE_SHORT, false);
	json_t *s = json_string(buf_str(&b));
	buf_cleanup(&b);
	return s;
}

/* Today's and this period's counts of a district, and what a district admin
 * checks every day. */
static void district_home(struct req *r, json_t *m, const char *unit, struct civil_day today, struct period p)
{
	const struct session_user *u = web_user(r);
	struct civil_day first, last;
	char t[THAI_ISO_DAY_SIZE], d1[THAI_ISO_DAY_SIZE], d2[THAI_ISO_DAY_SIZE];
	period_range(p, app->cfg->cutoff_day, &first, &last);
	day_iso(today, t);
	day_iso(first, d1);
	day_iso(last, d2);
	int64_t n_today = 0, n_period = 0;
	db_visits_count_days(app->db, unit, t, t, &n_today);
	db_visits_count_days(app->db, unit, d1, d2, &n_period);
	json_object_set_new(
	    m, "counts",
	    json_pack("{s:I, s:I}", "today", (json_int_t)n_today, "period", (json_int_t)n_period));
	json_object_set_new(m, "primary",
	                    card("/registry/new", "บันทึกผู้มารับบริการ", "เปิดแบบบันทึกสำหรับผู้มารับบริการรายใหม่"));
	if (u->role < ROLE_DISTRICT_ADMIN)
		return;
	int64_t midnight = 0;
	thai_local_to_epoch(&(struct civil_time){today.y, today.m, today.d, 0, 0, 0}, &midnight);
	json_t *changed = NULL;
	if (db_visits_changed_since(app->db, unit, midnight, CHANGES_MAX, &changed) == DB_OK) {
		size_t i;
		json_t *e;
		json_array_foreach(changed, i, e)
		{
			json_object_set_new(e, "href",
			                    json_sprintf("/registry/%lld", (long long)json_integer_value(
			                                                       json_object_get(e, "id"))));
			json_object_set_new(e, "void", json_boolean(!strcmp(web_str(e, "status"), "void")));
			json_object_set_new(e, "updated_th",
			                    thai_time(json_integer_value(json_object_get(e, "updated_at"))));
		}
		json_object_set_new(m, "has_changed", json_boolean(json_array_size(changed) > 0));
		json_object_set_new(m, "changed_today", changed);
	}
	json_t *failed = registry_import_jobs_failed(unit, midnight);
	size_t i;
	json_t *f;
	json_array_foreach(failed, i, f) json_object_set_new(
	    f, "finished_th", thai_time(json_integer_value(json_object_get(f, "finished_at"))));
	json_object_set_new(m, "has_failed", json_boolean(json_array_size(failed) > 0));
	json_object_set_new(m, "failed_imports", failed);
	bool found = false;
	json_t *pt = db_point_get(app->db, unit, &found);
	if (pt) {
		const char *st = web_str(pt, "status");
		const char *label = point_status_label(st);
		json_object_set_new(m, "point",
		                    json_pack("{s:s, s:s, s:b, s:s+, s:o}", "status", st, "status_label",
		                              label ? label : st, "open", !strcmp(st, "open"), "href",
		                              "/points/", unit, "edit_href",
		                              json_sprintf("/points/%s/edit", unit)));
		json_decref(pt);
	}
}

/* A province's (or, for "0", the nation's) districts that need a look:
 * no entry in the last three working days, and points that are not open. */
static void watch_home(json_t *m, const char *unit, struct civil_day today)
{
	struct civil_day from;
	char d1[THAI_ISO_DAY_SIZE], d2[THAI_ISO_DAY_SIZE];
	if (period_working_days_from(today, IDLE_WORKING_DAYS, &from) != 0)
		from = today;
	day_iso(from, d1);
	day_iso(today, d2);
	json_t *rows = NULL, *idle = json_array();
	if (db_registry_overview(app->db, unit, d1, d2, &rows) == DB_OK) {
		size_t i;
		json_t *d;
		json_array_foreach(rows, i, d)
		{
			if (json_integer_value(json_object_get(d, "entries")) != 0)
				continue;
			json_t *la = json_object_get(d, "last_entry_at");
			json_array_append_new(
			    idle, json_pack("{s:O, s:O, s:s+, s:o, s:I}", "code", json_object_get(d, "code"),
			                    "name_th", json_object_get(d, "name_th"), "href",
			                    "/registry?unit=", web_str(d, "code"), "last_entry_th",
			                    json_is_integer(la) ? thai_time(json_integer_value(la))
			                                        : json_string("ยังไม่มีรายการ"),
			                    "idle", (json_int_t)1));
		}
	}
	json_decref(rows);
	if (!strcmp(unit, "0")) {
		/* Nationwide: by province (878 districts would not be read). */
		json_t *by = json_array(), *provinces = db_unit_children(app->db, "0");
		size_t i;
		json_t *pv;
		json_array_foreach(provinces, i, pv)
		{
			const char *pc = web_str(pv, "code");
			json_int_t n = 0;
			size_t k;
			json_t *d;
			json_array_foreach(idle, k, d) n += !strncmp(web_str(d, "code"), pc, 2);
			if (n)
				json_array_append_new(by,
				                      json_pack("{s:s, s:O, s:I, s:s+}", "code", pc,
				                                "name_th", json_object_get(pv, "name_th"),
				                                "idle", n, "href", "/registry?unit=", pc));
		}
		json_decref(provinces);
		json_decref(idle);
		idle = by;
	}
	struct buf since;
	buf_init(&since, 128);
	thai_date_format(&since, from.y, from.m, from.d, THAI_DATE_SHORT, false);
	json_object_set_new(m, "idle",
	                    json_pack("{s:b, s:o, s:s, s:i}", "has_districts", json_array_size(idle) > 0,
	                              "districts", idle, "since_th", buf_str(&since), "working_days",
	                              IDLE_WORKING_DAYS));
	buf_cleanup(&since);
	/* Points that are not open (closed, temporarily closed, planned). */
	json_t *closed = json_array();
	json_t *points = db_points(app->db, strcmp(unit, "0") ? unit : NULL);
	size_t i;
	json_t *pt;
	json_array_foreach(points, i, pt)
	{
		const char *st = web_str(pt, "status");
		if (!strcmp(st, "open"))
			continue;
		const char *label = point_status_label(st);
		json_array_append_new(
		    closed, json_pack("{s:O, s:O, s:s, s:s+}", "code", json_object_get(pt, "unit_code"),
		                      "name_th", json_object_get(pt, "district_th"), "status_label",
		                      label ? label : st, "href", "/points/", web_str(pt, "unit_code")));
	}
	json_decref(points);
	json_object_set_new(m, "has_closed", json_boolean(json_array_size(closed) > 0));
	json_object_set_new(m, "is_national", json_boolean(!strcmp(unit, "0")));
	json_object_set_new(m, "closed_points", closed);
}

static void staff_home(struct req *r)
{
	const struct session_user *u = web_user(r);
	int level = unit_level_of_code(u->unit_code);
	struct civil_day today;
	struct period p;
	thai_epoch_day((int64_t)time(NULL), &today);
	period_of_day(today.y, today.m, today.d, app->cfg->cutoff_day, &p);
	struct buf pl;
	buf_init(&pl, 64);
	period_label(&pl, p, 0);
	json_t *cards = json_array();
	if (level == UNIT_LEVEL_DISTRICT)
		json_array_append_new(
		    cards, card("/registry", "ทะเบียนผู้รับบริการ", "ดู ค้นหา แก้ไข และส่งออกทะเบียนของอำเภอ"));
	else
		json_array_append_new(
		    cards, card("/registry", "ภาพรวมทะเบียน", "จำนวนผู้รับบริการของแต่ละอำเภอในงวดนี้ พร้อมส่งออก"));
	if (level == UNIT_LEVEL_DISTRICT && u->role >= ROLE_DISTRICT_ADMIN)
		json_array_append_new(cards,
		                      card("/registry/import", "นำเข้าทะเบียน", "นำเข้าทะเบียนเดิมจากไฟล์ CSV"));
	json_array_append_new(cards, card("/units", "หน่วยงาน", "ดูข้อมูลหน่วยงานและจุดให้บริการในความรับผิดชอบ"));
	if (u->role >= ROLE_DISTRICT_ADMIN)
		json_array_append_new(cards, card("/users", "ผู้ใช้งาน", "เพิ่มและจัดการบัญชีเจ้าหน้าที่"));
	/* Issue 11: the duty roster and the office's orders. */
	char roster_href[32];
	snprintf(roster_href, sizeof roster_href, "/roster/%s", u->unit_code);
	if (level == UNIT_LEVEL_DISTRICT)
		json_array_append_new(cards, card(roster_href, "ทะเบียนเวร", "ผู้ปฏิบัติหน้าที่ประจำจุดให้บริการแต่ละวัน"));
	if (level == UNIT_LEVEL_DISTRICT || level == UNIT_LEVEL_PROVINCE)
		json_array_append_new(
		    cards, card("/orders", "ทะเบียนคำสั่ง", "ร่าง ออก และพิมพ์คำสั่งจัดตั้งและคำสั่งแต่งตั้งเจ้าหน้าที่"));
	json_t *m = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:s, s:b, s:b}", "page_title", "หน้าหลัก", "unit",
	                      "code", u->unit_code, "name_th", u->unit_name, "level_label",
	                      web_level_label(level, u->unit_code), "cards", cards, "period_label",
	                      buf_str(&pl), "is_district", level == UNIT_LEVEL_DISTRICT, "is_district_admin",
	                      level == UNIT_LEVEL_DISTRICT && u->role >= ROLE_DISTRICT_ADMIN);
	buf_cleanup(&pl);
	if (level == UNIT_LEVEL_DISTRICT)
		district_home(r, m, u->unit_code, today, p);
	else
		watch_home(m, u->unit_code, today);
	if (level != UNIT_LEVEL_DISTRICT &&
	    u->role >= ROLE_PROVINCE_ADMIN) { /* issue 10: the letter's numbers */
		struct period gp = p;
		const char *q = req_query(r, "period");
		if (q && *q && period_parse(q, &gp) != 0)
			gp = p;
		stats_home(m, u->unit_code, gp);
	}
	helpdesk_home(m, u); /* แจ้งปัญหา threads waiting for this user (web/helpdesk.c) */
	reply_model(r, 200, "home", m);
}

static void healthz(struct req *r)
{
	bool ok = db_ping(app->db);
	int version = ok ? db_schema_version(app->db) : -1;
	json_t *m = json_pack("{s:s, s:{s:s, s:b, s:i}, s:I}", "status", ok ? "ok" : "unavailable",
	                      "database", "dialect", db_dialect_name(app->db), "ok", ok, "schema_version",
	                      version, "time", (json_int_t)time(NULL));
	reply_json(r, ok ? 200 : 503, m);
}

const struct route home_routes[] = {
    {HTTP_GET, "/home", ROLE_OFFICER, 0, staff_home, "home.staff", &scope_own},
    {HTTP_GET, "/healthz", 0, ROUTE_PUBLIC, healthz, "health", &scope_none},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
