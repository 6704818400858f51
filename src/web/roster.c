/* /roster/{district}: the duty roster (ทะเบียนเวร) of a district's point, and
 * /holidays: the national list of public holidays (issue 11).
 *
 * Everyone in scope reads the roster (page, JSON, PDF, XLSX, history); its
 * own district's admins edit it (core roster_may_edit, else 403
 * roster-read-only): people, the weekly pattern, generating a month from it
 * (public holidays and days already holding duties are skipped), duties
 * added, removed, put on leave or swapped, each change kept with who and
 * when (db/roster.h). The national admin keeps the holidays, one by one or
 * imported from a list (core roster_holidays_parse). Writes answer JSON to
 * a JSON client and redirect a form back to the month. */
#include "web/roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "core/roster.h"
#include "db/db.h"
#include "db/roster.h"
#include "db/units.h"
#include "db/users.h"
#include "http/http.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "render/export.h"
#include "web/app.h"
#include "web/portal_state.h"
#include "web/scope.h"
#include "web/web.h"

#define ROSTER_FILE_MAX (16u << 20)
#define NOTE_MAX        500
#define NAME_MAX_BYTES  300

static void today(char out[THAI_ISO_DAY_SIZE])
{
	struct civil_day d;
	out[0] = '\0';
	if (thai_epoch_day((int64_t)time(NULL), &d) == 0)
		thai_day_iso(d, out);
}

static json_t *day_th(const char *iso, enum thai_date_style style)
{
	struct civil_day d;
	struct buf b;
	buf_init(&b, 256);
	if (iso && thai_day_parse(iso, &d) == 0)
		thai_date_format(&b, d.y, d.m, d.d, style, false);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

/* The month of ?month= (default: this month, Bangkok); false after replying 400. */
static bool month_of(struct req *r, const char *s, int *y, int *m)
{
	if (!s || !*s) {
		struct civil_day d;
		if (thai_epoch_day((int64_t)time(NULL), &d) != 0)
			return false;
		*y = d.y;
		*m = d.m;
		return true;
	}
	if (roster_month_parse(s, y, m) != 0) {
		reply_error(r, ERR_BAD_FIELD, "month", "เดือนต้องอยู่ในรูป YYYY-MM (ค.ศ.) เช่น 2026-12");
		return false;
	}
	return true;
}

static void month_days(int y, int m, char first[THAI_ISO_DAY_SIZE], char last[THAI_ISO_DAY_SIZE])
{
	thai_day_iso((struct civil_day){y, m, 1}, first);
	thai_day_iso((struct civil_day){y, m, thai_month_days(y, m)}, last);
}

static bool may_edit(struct req *r)
{
	const struct session_user *u = web_user(r);
	return u && roster_may_edit(u->role, u->unit_code, web_scope_unit(r));
}

/* The month's model; NULL after replying. */
static json_t *month_model(struct req *r, int y, int m)
{
	const char *unit = web_scope_unit(r);
	json_t *u = db_unit_find(app->db, unit);
	if (!u) {
		reply_error(r, ERR_NOT_FOUND, "district", "ไม่พบอำเภอนี้");
		return NULL;
	}
	char first[THAI_ISO_DAY_SIZE], last[THAI_ISO_DAY_SIZE];
	month_days(y, m, first, last);
	json_t *data = db_roster_month(app->db, unit, first, last);
	if (!data) {
		json_decref(u);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return NULL;
	}
	json_t *people = json_object_get(data, "people"), *byid = json_object(), *p, *dt;
	size_t i, j2;
	json_array_foreach(people, i, p)
	{
		char k[32];
		snprintf(k, sizeof k, "%lld", (long long)json_integer_value(json_object_get(p, "id")));
		json_object_set(byid, k, p);
		json_object_set_new(p, "is_active",
		                    json_boolean(json_integer_value(json_object_get(p, "active"))));
	}
	json_t *hol = json_object();
	json_array_foreach(json_object_get(data, "holidays"), i, p)
	    json_object_set(hol, web_str(p, "day"), json_object_get(p, "name_th"));
	json_t *days = json_array(), *rows = json_array();
	int staffed = 0;
	for (int d = 1; d <= thai_month_days(y, m); d++) {
		char iso[THAI_ISO_DAY_SIZE];
		thai_day_iso((struct civil_day){y, m, d}, iso);
		json_t *duties = json_array();
		bool on = false;
		json_array_foreach(json_object_get(data, "duties"), i, dt)
		{
			if (strcmp(web_str(dt, "day"), iso))
				continue;
			char k[32];
			snprintf(k, sizeof k, "%lld",
			         (long long)json_integer_value(json_object_get(dt, "person_id")));
			json_t *who = json_object_get(byid, k);
			int sh = roster_shift_parse(web_str(dt, "shift"));
			bool leave = !strcmp(web_str(dt, "status"), "leave");
			on = on || !leave;
			json_array_append_new(
			    duties,
			    json_pack("{s:O, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:b, s:s}", "id",
			              json_object_get(dt, "id"), "shift", web_str(dt, "shift"), "shift_label",
			              roster_shift_label(sh), "person_id", json_object_get(dt, "person_id"),
			              "name_th", web_str(who, "name_th"), "position_th",
			              web_str(who, "position_th"), "phone", web_str(who, "phone"), "status",
			              web_str(dt, "status"), "on_leave", leave, "note", web_str(dt, "note")));
			if (!leave) {
				json_t *row = json_array();
				json_array_append_new(row, day_th(iso, THAI_DATE_SHORT));
				json_array_append_new(row, json_string(roster_shift_label(sh)));
				json_array_append_new(row, json_string(web_str(who, "name_th")));
				json_array_append_new(row, json_string(web_str(who, "position_th")));
				json_array_append_new(row, json_string(web_str(who, "phone")));
				json_array_append_new(rows, row);
			}
		}
		staffed += on;
		json_t *h = json_object_get(hol, iso);
		json_array_append_new(days, json_pack("{s:s, s:o, s:s, s:O, s:o, s:b}", "day", iso, "day_th",
		                                      day_th(iso, THAI_DATE_SHORT), "weekday_th",
		                                      thai_weekday_name(thai_weekday(y, m, d)), "holiday",
		                                      h ? h : json_null(), "duties", duties, "staffed", on));
	}
	json_decref(byid);
	json_decref(hol);
	json_t *shifts = json_array();
	for (int s = 0; s < ROSTER_NSHIFTS; s++) {
		json_t *t = json_object_get(json_object_get(data, "times"), roster_shift_name(s));
		json_array_append_new(shifts, json_pack("{s:s, s:s, s:O, s:O}", "name", roster_shift_name(s),
		                                        "label", roster_shift_label(s), "start",
		                                        json_array_get(t, 0), "end", json_array_get(t, 1)));
	}
	/* The weekly pattern as a grid of checkboxes (Monday first): weekday ×
	 * shift × active person, each checked when in the pattern. */
	json_t *grid = json_array();
	for (int k = 0; k < 7; k++) {
		int wd = (k + 1) % 7;
		json_t *shs = json_array();
		for (int sh = 0; sh < ROSTER_NSHIFTS; sh++) {
			json_t *ps = json_array();
			json_array_foreach(people, i, p)
			{
				if (!json_integer_value(json_object_get(p, "active")))
					continue;
				long long pid = (long long)json_integer_value(json_object_get(p, "id"));
				bool on = false;
				json_t *l;
				size_t j;
				json_array_foreach(json_object_get(data, "pattern"), j, l)
				{
					if (json_integer_value(json_object_get(l, "weekday")) == wd &&
					    json_integer_value(json_object_get(l, "person_id")) == pid &&
					    !strcmp(web_str(l, "shift"), roster_shift_name(sh)))
						on = true;
				}
				json_array_append_new(
				    ps, json_pack(
				            "{s:o, s:o, s:s, s:b}", "value",
				            json_sprintf("%d:%s:%lld", wd, roster_shift_name(sh), pid), "id",
				            json_sprintf("pt-%d-%s-%lld", wd, roster_shift_name(sh), pid),
				            "name_th", web_str(p, "name_th"), "checked", on));
			}
			json_array_append_new(
			    shs, json_pack("{s:s, s:o}", "label", roster_shift_label(sh), "people", ps));
		}
		json_array_append_new(
		    grid, json_pack("{s:s, s:o}", "weekday_th", thai_weekday_name(wd), "shifts", shs));
	}
	char month[32], prev[32], next[32], label[96], base[64];
	snprintf(month, sizeof month, "%04d-%02d", y, m);
	snprintf(prev, sizeof prev, "%04d-%02d", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
	snprintf(next, sizeof next, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
	snprintf(label, sizeof label, "%s %d", thai_month_name(m), thai_year_be(y));
	snprintf(base, sizeof base, "/roster/%s", unit);
	json_t *model =
	    json_pack("{s:s, s:{s:s, s:s, s:O}, s:s, s:s, s:s, s:s, s:b, s:o, s:O, s:O, s:O, s:o, s:i, s:o, "
	              "s:{s:o, s:o, s:o, s:o}}",
	              "page_title", "ทะเบียนเวร", "unit", "code", unit, "name_th", web_str(u, "name_th"),
	              "parent", json_object_get(u, "parent") ? json_object_get(u, "parent") : json_null(),
	              "month", month, "month_th", label, "prev", prev, "next", next, "can_edit", may_edit(r),
	              "days", days, "people", people, "pattern", json_object_get(data, "pattern"), "holidays",
	              json_object_get(data, "holidays"), "shifts", shifts, "staffed_days", staffed, "rows",
	              rows, "links", "pdf", json_sprintf("%s.pdf?month=%s", base, month), "xlsx",
	              json_sprintf("%s.xlsx?month=%s", base, month), "history",
	              json_sprintf("%s/history?month=%s", base, month), "self",
	              json_sprintf("%s?month=%s", base, month));
	char title[256];
	snprintf(title, sizeof title, "ทะเบียนเวร อำเภอ%s %s", web_str(u, "name_th"), label);
	json_object_set_new(model, "page_title", json_string(title));
	json_object_set_new(model, "pattern_grid", grid);
	/* For the admins' form: the district's accounts not on the roster yet. */
	json_t *accounts = json_array();
	if (may_edit(r)) {
		json_t *us = db_users_in_scope(app->db, unit), *a;
		json_array_foreach(us, i, a)
		{
			if (json_is_true(json_object_get(a, "disabled")) ||
			    json_integer_value(json_object_get(a, "disabled")))
				continue;
			bool listed = false;
			json_array_foreach(people, j2, p) listed =
			    listed || json_integer_value(json_object_get(p, "user_id")) ==
			                  json_integer_value(json_object_get(a, "id"));
			if (!listed)
				json_array_append_new(accounts, json_pack("{s:O, s:s}", "id",
				                                          json_object_get(a, "id"), "name",
				                                          *web_str(a, "display_name")
				                                              ? web_str(a, "display_name")
				                                              : web_str(a, "username")));
		}
		json_decref(us);
	}
	json_object_set_new(model, "has_accounts", json_boolean(json_array_size(accounts) > 0));
	json_object_set_new(model, "accounts", accounts);
	json_object_set_new(model, "has_people", json_boolean(json_array_size(people) > 0));
	json_decref(data);
	json_decref(u);
	return model;
}

static void roster_show(struct req *r)
{
	int y, m;
	if (!month_of(r, req_query(r, "month"), &y, &m))
		return;
	json_t *model = month_model(r, y, m);
	if (model)
		reply_model(r, 200, "roster", model);
}

static void send_file(struct req *r, int rc, struct buf *b, const char *type, const char *name)
{
	if (rc < 0) {
		buf_cleanup(b);
		reply_error(r, ERR_INTERNAL, NULL, "สร้างไฟล์ไม่ได้");
		return;
	}
	char disp[160];
	snprintf(disp, sizeof disp, "inline; filename=\"%s\"", name);
	reply_header(r, "Content-Disposition", disp);
	size_t len;
	char *data = buf_detach(b, &len);
	reply_bytes_owned(r, 200, type, data, len);
}

static void roster_file(struct req *r, bool pdf)
{
	int y, m;
	if (!month_of(r, req_query(r, "month"), &y, &m))
		return;
	json_t *model = month_model(r, y, m);
	if (!model)
		return;
	const char *unit = web_scope_unit(r);
	json_t *u = json_object_get(model, "unit");
	char l1[256], l2[512], name[64];
	snprintf(l1, sizeof l1, "ตารางการปฏิบัติหน้าที่ (เวร) ประจำเดือน%s", web_str(model, "month_th"));
	snprintf(l2, sizeof l2, "ศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) ศูนย์ดำรงธรรมอำเภอ%s",
	         web_str(u, "name_th"));
	snprintf(name, sizeof name, "roster-%s-%s.%s", unit, web_str(model, "month"), pdf ? "pdf" : "xlsx");
	struct buf b;
	buf_init(&b, ROSTER_FILE_MAX);
	int rc;
	if (pdf) {
		struct buf when;
		buf_init(&when, 0);
		buf_puts(&when, "พิมพ์เมื่อ ");
		thai_epoch_format(&when, (int64_t)time(NULL), THAI_DATE_SHORT, false);
		json_t *pm = json_pack("{s:[s,s], s:O, s:s}", "title", l1, l2, "rows",
		                       json_object_get(model, "rows"), "footer", buf_str(&when));
		rc = export_roster_pdf(&b, pm);
		json_decref(pm);
		buf_cleanup(&when);
	} else {
		static const char *const headers[] = {"วันที่", "เวร", "ชื่อ–สกุล", "ตำแหน่ง", "โทรศัพท์"};
		static const double widths[] = {16, 12, 30, 28, 16};
		rc = export_table_xlsx(&b, l1, l2, headers, widths, 5, json_object_get(model, "rows"));
	}
	json_decref(model);
	send_file(r, rc, &b,
	          pdf ? "application/pdf"
	              : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	          name);
}

static void roster_pdf(struct req *r)
{
	roster_file(r, true);
}

static void roster_xlsx(struct req *r)
{
	roster_file(r, false);
}

static void roster_history(struct req *r)
{
	int y, m;
	if (!month_of(r, req_query(r, "month"), &y, &m))
		return;
	char first[THAI_ISO_DAY_SIZE], last[THAI_ISO_DAY_SIZE];
	month_days(y, m, first, last);
	json_t *h = db_roster_history(app->db, web_scope_unit(r), first, last);
	if (!h) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(h, i, e)
	{
		struct buf b;
		buf_init(&b, 256);
		thai_epoch_format(&b, json_integer_value(json_object_get(e, "at")), THAI_DATE_SHORT, false);
		json_object_set_new(e, "at_th", json_string(buf_str(&b)));
		buf_cleanup(&b);
		json_object_set_new(e, "day_th", day_th(web_str(e, "day"), THAI_DATE_SHORT));
	}
	char month[16], back[64];
	snprintf(month, sizeof month, "%04d-%02d", y, m);
	snprintf(back, sizeof back, "/roster/%s?month=%s", web_scope_unit(r), month);
	reply_model(r, 200, "roster_history",
	            json_pack("{s:s, s:s, s:s, s:o}", "page_title", "ประวัติการแก้ไขทะเบียนเวร", "month", month,
	                      "back", back, "history", h));
}

/* ---- writes ---- */

/* Refuses a write by someone who may only read; true when it may go on. */
static bool writer(struct req *r)
{
	if (may_edit(r))
		return true;
	reply_error(r, ERR_ROSTER_READ_ONLY, NULL, NULL);
	return false;
}

static int64_t actor(struct req *r)
{
	const struct session_user *u = web_user(r);
	return u ? u->id : 0;
}

static int64_t int_field(struct req *r, const char *name)
{
	json_t *j = req_json(r);
	json_t *v = j ? json_object_get(j, name) : NULL;
	if (json_is_integer(v))
		return json_integer_value(v);
	const char *s = web_field(r, name);
	char *end;
	long long n = *s ? strtoll(s, &end, 10) : 0;
	return *s && !*end ? n : 0;
}

/* After a write: JSON for a JSON client, else back to the month. */
static void done(struct req *r, int status, json_t *body, const char *day)
{
	/* The public point page shows today's duty: the duty writes moved the
	 * portal generation (other nodes follow within their poll); this node
	 * renders again now. */
	portal_changed();
	if (web_wants_json(r)) {
		reply_json(r, status, body);
		return;
	}
	json_decref(body);
	char loc[96];
	if (day && strlen(day) >= 7)
		snprintf(loc, sizeof loc, "/roster/%s?month=%.7s", web_scope_unit(r), day);
	else
		snprintf(loc, sizeof loc, "/roster/%s", web_scope_unit(r));
	reply_redirect(r, 303, loc);
}

static bool text_ok(struct req *r, const char *field, const char *s, size_t max, bool required)
{
	if ((required && !*s) || strlen(s) > max) {
		reply_error(r, ERR_BAD_FIELD, field, required && !*s ? "กรุณากรอกข้อมูล" : "ข้อความยาวเกินไป");
		return false;
	}
	return true;
}

static void reply_db(struct req *r, int rc, enum err not_found, enum err constraint)
{
	if (rc == DB_NOT_FOUND)
		reply_error(r, not_found, NULL, NULL);
	else if (rc == DB_CONSTRAINT)
		reply_error(r, constraint, NULL, NULL);
	else
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
}

static void person_add(struct req *r)
{
	if (!writer(r))
		return;
	int64_t user_id = int_field(r, "user_id");
	const char *name = web_field(r, "name_th"), *pos = web_field(r, "position_th"),
	           *phone = web_field(r, "phone");
	if (!text_ok(r, "name_th", name, NAME_MAX_BYTES, user_id <= 0) ||
	    !text_ok(r, "position_th", pos, NAME_MAX_BYTES, false) || !text_ok(r, "phone", phone, 40, false))
		return;
	int64_t id = 0;
	int rc = db_roster_person_add(app->db, web_scope_unit(r), user_id, name, pos, phone, actor(r), &id);
	if (rc != DB_OK) {
		reply_db(r, rc, user_id > 0 ? ERR_NOT_FOUND : ERR_ROSTER_PERSON_NOT_FOUND,
		         ERR_ROSTER_PERSON_EXISTS);
		return;
	}
	done(r, 201, json_pack("{s:I}", "id", (json_int_t)id), NULL);
}

static int64_t id_param(struct req *r)
{
	const char *s = req_param(r, "id");
	char *end;
	long long id = s && *s ? strtoll(s, &end, 10) : 0;
	return s && *s && !*end && id > 0 ? id : -1;
}

static void person_update(struct req *r)
{
	if (!writer(r))
		return;
	int64_t id = id_param(r);
	json_t *j = req_json(r);
	const char *name = NULL, *pos = NULL, *phone = NULL;
	if ((j && json_object_get(j, "name_th")) || req_form(r, "name_th"))
		name = web_field(r, "name_th");
	if ((j && json_object_get(j, "position_th")) || req_form(r, "position_th"))
		pos = web_field(r, "position_th");
	if ((j && json_object_get(j, "phone")) || req_form(r, "phone"))
		phone = web_field(r, "phone");
	int active = -1;
	json_t *a = j ? json_object_get(j, "active") : NULL;
	if (json_is_boolean(a))
		active = json_is_true(a);
	else if (req_form(r, "active"))
		active = !strcmp(web_field(r, "active"), "1");
	if ((name && !text_ok(r, "name_th", name, NAME_MAX_BYTES, true)) ||
	    (pos && !text_ok(r, "position_th", pos, NAME_MAX_BYTES, false)) ||
	    (phone && !text_ok(r, "phone", phone, 40, false)))
		return;
	int rc = id < 0 ? DB_NOT_FOUND
	                : db_roster_person_update(app->db, web_scope_unit(r), id, name, pos, phone, active,
	                                          actor(r));
	if (rc != DB_OK) {
		reply_db(r, rc, ERR_ROSTER_PERSON_NOT_FOUND, ERR_ROSTER_PERSON_EXISTS);
		return;
	}
	done(r, 200, json_pack("{s:I}", "id", (json_int_t)id), NULL);
}

#define PATTERN_MAX 200

/* The pattern's lines from a JSON body ({lines: [...]}) or the page's form
 * (checkboxes "line" = "weekday:shift:person"). Returns a new array, or NULL
 * when the JSON body has no list. */
static json_t *pattern_lines(struct req *r)
{
	json_t *j = req_json(r);
	if (j) {
		json_t *l = json_object_get(j, "lines");
		return json_is_array(l) ? json_incref(l) : NULL;
	}
	json_t *vals = json_array(), *v, *lines = json_array();
	portal_form_values(r, "line", vals);
	size_t k;
	json_array_foreach(vals, k, v)
	{
		char sh[16];
		int wd;
		long long pid;
		if (sscanf(json_string_value(v), "%d:%15[a-z]:%lld", &wd, sh, &pid) == 3)
			json_array_append_new(lines, json_pack("{s:i, s:s, s:I}", "weekday", wd, "shift", sh,
			                                       "person_id", (json_int_t)pid));
		else
			json_array_append_new(lines, json_object()); /* refused by the caller */
	}
	json_decref(vals);
	return lines;
}

static void pattern_set(struct req *r)
{
	if (!writer(r))
		return;
	json_t *lines = pattern_lines(r), *l;
	if (!lines || json_array_size(lines) > PATTERN_MAX) {
		json_decref(lines);
		reply_error(r, ERR_BAD_FIELD, "lines",
		            "ต้องเป็นรายการ [{weekday, shift, person_id}] ไม่เกิน 200 รายการ");
		return;
	}
	struct roster_pattern_line p[PATTERN_MAX];
	size_t i, n = json_array_size(lines);
	json_array_foreach(lines, i, l)
	{
		json_t *wd = json_object_get(l, "weekday"), *pid = json_object_get(l, "person_id");
		int sh = roster_shift_parse(json_string_value(json_object_get(l, "shift")));
		if (!json_is_integer(wd) || json_integer_value(wd) < 0 || json_integer_value(wd) > 6 ||
		    sh < 0 || !json_is_integer(pid) || json_integer_value(pid) <= 0) {
			json_decref(lines);
			reply_error(r, ERR_BAD_FIELD, "lines",
			            "แต่ละรายการต้องมี weekday (0–6), shift และ person_id");
			return;
		}
		p[i] = (struct roster_pattern_line){(int)json_integer_value(wd), sh, json_integer_value(pid)};
	}
	json_decref(lines);
	int rc = db_roster_pattern_set(app->db, web_scope_unit(r), p, n, actor(r));
	if (rc != DB_OK) {
		reply_db(r, rc, ERR_ROSTER_PERSON_NOT_FOUND, ERR_ROSTER_PERSON_EXISTS);
		return;
	}
	done(r, 200, json_pack("{s:I}", "lines", (json_int_t)n), NULL);
}

static void generate(struct req *r)
{
	if (!writer(r))
		return;
	int y, m;
	const char *month = web_field(r, "month");
	if (!month_of(r, month, &y, &m))
		return;
	int added = 0;
	int rc = db_roster_generate(app->db, web_scope_unit(r), y, m, actor(r), &added);
	if (rc != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	char d[16];
	snprintf(d, sizeof d, "%04d-%02d", y, m);
	done(r, 200, json_pack("{s:i, s:s}", "added", added, "month", d), d);
}

static void duty_add(struct req *r)
{
	if (!writer(r))
		return;
	const char *day = web_field(r, "day"), *note = web_field(r, "note");
	struct civil_time t;
	char iso[THAI_ISO_DAY_SIZE];
	if (thai_when_parse(day, &t) != THAI_WHEN_DAY ||
	    thai_day_iso((struct civil_day){t.y, t.m, t.d}, iso)) {
		reply_error(r, ERR_BAD_FIELD, "day", "วันที่ไม่ถูกต้อง");
		return;
	}
	int sh = roster_shift_parse(web_field(r, "shift"));
	if (sh < 0) {
		reply_error(r, ERR_BAD_FIELD, "shift", "เวรต้องเป็น morning, afternoon หรือ full");
		return;
	}
	if (!text_ok(r, "note", note, NOTE_MAX, false))
		return;
	int64_t id = 0;
	int rc = db_roster_duty_add(app->db, web_scope_unit(r), iso, sh, int_field(r, "person_id"), note,
	                            actor(r), &id);
	if (rc != DB_OK) {
		reply_db(r, rc, ERR_ROSTER_PERSON_NOT_FOUND, ERR_ROSTER_DUTY_EXISTS);
		return;
	}
	done(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "day", iso), iso);
}

static void duty_change(struct req *r)
{
	if (!writer(r))
		return;
	static const char *const actions[] = {"remove", "leave", "restore", "swap"};
	const char *a = web_field(r, "action"), *note = web_field(r, "note");
	int what = -1;
	for (int i = 0; i < 4; i++)
		if (!strcmp(a, actions[i]))
			what = i;
	if (what < 0) {
		reply_error(r, ERR_BAD_FIELD, "action", "action ต้องเป็น remove, leave, restore หรือ swap");
		return;
	}
	int64_t other = what == ROSTER_SWAP ? int_field(r, "person_id") : 0;
	if (what == ROSTER_SWAP && other <= 0) {
		reply_error(r, ERR_BAD_FIELD, "person_id", "กรุณาเลือกผู้รับเวรแทน");
		return;
	}
	if (!text_ok(r, "note", note, NOTE_MAX, false))
		return;
	int64_t id = id_param(r);
	int rc = id < 0 ? DB_NOT_FOUND
	                : db_roster_duty_change(app->db, web_scope_unit(r), id, what, other, note, actor(r));
	if (rc != DB_OK) {
		reply_db(r, rc,
		         rc == DB_NOT_FOUND && what == ROSTER_SWAP ? ERR_ROSTER_DUTY_NOT_FOUND
		                                                   : ERR_ROSTER_DUTY_NOT_FOUND,
		         ERR_ROSTER_DUTY_EXISTS);
		return;
	}
	done(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "action", a), NULL);
}

static void times_set(struct req *r)
{
	if (!writer(r))
		return;
	const char *t[ROSTER_NSHIFTS][2];
	for (int s = 0; s < ROSTER_NSHIFTS; s++) {
		char k0[32], k1[32];
		snprintf(k0, sizeof k0, "%s_start", roster_shift_name(s));
		snprintf(k1, sizeof k1, "%s_end", roster_shift_name(s));
		t[s][0] = web_field(r, k0);
		t[s][1] = web_field(r, k1);
		if (!roster_span_valid(t[s][0], t[s][1])) {
			reply_error(r, ERR_BAD_FIELD, k0, "เวลาต้องอยู่ในรูป HH:MM และเริ่มก่อนเวลาสิ้นสุด");
			return;
		}
	}
	int rc = db_roster_times_set(app->db, web_scope_unit(r), (const char *const(*)[2])t, actor(r));
	if (rc != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	done(r, 200, json_pack("{s:b}", "ok", 1), NULL);
}

/* ---- public holidays ---- */

static void holidays_show(struct req *r)
{
	const char *ys = req_query(r, "year");
	int y = 0;
	if (ys && *ys) {
		char *end;
		long v = strtol(ys, &end, 10);
		if (*end || v < 1900 || v > 9999) {
			reply_error(r, ERR_BAD_FIELD, "year", "ปีไม่ถูกต้อง (ค.ศ. หรือ พ.ศ.)");
			return;
		}
		y = v >= 2400 ? (int)v - THAI_BE_OFFSET : (int)v;
	}
	json_t *list = db_holidays_list(app->db, y);
	if (!list) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	size_t i;
	json_t *h;
	json_array_foreach(list, i, h)
	    json_object_set_new(h, "day_th", day_th(web_str(h, "day"), THAI_DATE_FULL));
	const struct session_user *u = web_user(r);
	reply_model(r, 200, "holidays",
	            json_pack("{s:s, s:o, s:b, s:i}", "page_title", "วันหยุดราชการ", "holidays", list,
	                      "can_edit", u && u->role == ROLE_NATIONAL_ADMIN, "year",
	                      y ? y + THAI_BE_OFFSET : 0));
}

static void holidays_done(struct req *r, json_t *body)
{
	http_cache_invalidate();
	if (web_wants_json(r)) {
		reply_json(r, 200, body);
		return;
	}
	json_decref(body);
	reply_redirect(r, 303, "/holidays");
}

static void holiday_add(struct req *r)
{
	const char *day = web_field(r, "day"), *name = web_field(r, "name_th");
	struct civil_time t;
	char iso[THAI_ISO_DAY_SIZE];
	if (thai_when_parse(day, &t) != THAI_WHEN_DAY ||
	    thai_day_iso((struct civil_day){t.y, t.m, t.d}, iso)) {
		reply_error(r, ERR_BAD_FIELD, "day", "วันที่ไม่ถูกต้อง (เช่น 5/12/2569)");
		return;
	}
	if (!text_ok(r, "name_th", name, ROSTER_HOLIDAY_NAME_MAX, true))
		return;
	if (db_holiday_put(app->db, iso, name, actor(r)) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	holidays_done(r, json_pack("{s:s}", "day", iso));
}

static void holidays_import(struct req *r)
{
	size_t len = 0;
	const char *text = NULL;
	const struct form_field *f = req_file(r, "file");
	json_t *j = req_json(r);
	if (j && json_is_string(json_object_get(j, "text"))) {
		text = json_string_value(json_object_get(j, "text"));
		len = strlen(text);
	} else if (f) {
		text = f->value;
		len = f->len;
	} else if (req_form(r, "text")) {
		text = req_form(r, "text");
		len = strlen(text);
	} else {
		text = req_body(r, &len);
	}
	struct roster_holiday *h = xcalloc(ROSTER_HOLIDAYS_MAX, sizeof *h);
	struct roster_parse_error err = {0, NULL};
	int n = roster_holidays_parse(text ? text : "", text ? len : 0, h, ROSTER_HOLIDAYS_MAX, &err);
	if (n < 0) {
		free(h);
		char detail[256];
		snprintf(detail, sizeof detail, "บรรทัดที่ %d: %s", err.line, err.why);
		reply_error(r, ERR_HOLIDAY_LIST_INVALID, "text", detail);
		return;
	}
	int added = 0, renamed = 0;
	int rc = db_holidays_import(app->db, h, (size_t)n, actor(r), &added, &renamed);
	free(h);
	if (rc != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	holidays_done(r, json_pack("{s:i, s:i, s:i}", "lines", n, "added", added, "renamed", renamed));
}

static void holiday_delete(struct req *r)
{
	const char *day = req_param(r, "day");
	struct civil_day d;
	int rc = day && thai_day_parse(day, &d) == 0 ? db_holiday_delete(app->db, day) : DB_NOT_FOUND;
	if (rc != DB_OK) {
		reply_error(r, rc == DB_NOT_FOUND ? ERR_HOLIDAY_NOT_FOUND : ERR_UNAVAILABLE, "day", NULL);
		return;
	}
	holidays_done(r, json_pack("{s:s}", "deleted", day));
}

/* ---- for other pages ---- */

json_t *roster_today_public(const char *unit)
{
	char d[THAI_ISO_DAY_SIZE];
	today(d);
	json_t *rows = db_roster_day(app->db, unit, d), *out = json_array(), *e;
	size_t i;
	json_array_foreach(rows, i, e) json_array_append_new(
	    out, json_pack("{s:s, s:s, s:s}", "shift_label",
	                   roster_shift_label(roster_shift_parse(web_str(e, "shift"))), "name_th",
	                   web_str(e, "name_th"), "position_th", web_str(e, "position_th")));
	json_decref(rows);
	return out;
}

json_t *roster_registry_warning(const char *unit, int64_t user_id)
{
	char d[THAI_ISO_DAY_SIZE];
	today(d);
	bool on = false, in_use = false;
	if (db_roster_user_on_duty(app->db, unit, d, user_id, &on, &in_use) != DB_OK || on || !in_use)
		return NULL;
	return json_string("ท่านไม่มีชื่อในทะเบียนเวรของวันนี้ บันทึกได้ตามปกติ แต่โปรดตรวจสอบทะเบียนเวร");
}

const struct route roster_routes[] = {
    {HTTP_GET, "/roster/{district}", ROLE_OFFICER, 0, roster_show, "roster.show", &scope_district},
    {HTTP_GET, "/roster/{district}.pdf", ROLE_OFFICER, 0, roster_pdf, "roster.pdf", &scope_district},
    {HTTP_GET, "/roster/{district}.xlsx", ROLE_OFFICER, 0, roster_xlsx, "roster.xlsx", &scope_district},
    {HTTP_GET, "/roster/{district}/history", ROLE_OFFICER, 0, roster_history, "roster.history",
     &scope_district},
    {HTTP_POST, "/roster/{district}/people", ROLE_DISTRICT_ADMIN, 0, person_add, "roster.person_add",
     &scope_district},
    {HTTP_POST, "/roster/{district}/people/{id}", ROLE_DISTRICT_ADMIN, 0, person_update,
     "roster.person_update", &scope_district},
    {HTTP_POST, "/roster/{district}/pattern", ROLE_DISTRICT_ADMIN, 0, pattern_set, "roster.pattern",
     &scope_district},
    {HTTP_POST, "/roster/{district}/generate", ROLE_DISTRICT_ADMIN, 0, generate, "roster.generate",
     &scope_district},
    {HTTP_POST, "/roster/{district}/duties", ROLE_DISTRICT_ADMIN, 0, duty_add, "roster.duty_add",
     &scope_district},
    {HTTP_POST, "/roster/{district}/duties/{id}", ROLE_DISTRICT_ADMIN, 0, duty_change, "roster.duty_change",
     &scope_district},
    {HTTP_POST, "/roster/{district}/times", ROLE_DISTRICT_ADMIN, 0, times_set, "roster.times",
     &scope_district},
    {HTTP_GET, "/holidays", ROLE_OFFICER, 0, holidays_show, "holidays.index", &scope_none},
    {HTTP_POST, "/holidays", ROLE_NATIONAL_ADMIN, 0, holiday_add, "holidays.add", &scope_national},
    {HTTP_POST, "/holidays/import", ROLE_NATIONAL_ADMIN, 0, holidays_import, "holidays.import",
     &scope_national},
    {HTTP_POST, "/holidays/{day}/delete", ROLE_NATIONAL_ADMIN, 0, holiday_delete, "holidays.delete",
     &scope_national},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
