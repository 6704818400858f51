/* Staff pages of a district's e-Service point (issue 4): the public profile
 * (name, address, map position, hours, phone, opening day, status with the
 * day it changed and a note) and the services the point does not offer.
 * District admins manage their own point; province and national admins the
 * points in their scope (0 on {code}).
 *
 * One handler per route for the form and the JSON API, as in
 * web/registry.c. A field left out of the request keeps its stored value.
 * Every change rebuilds the catalogue snapshot and empties the page cache
 * (portal_changed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/eservice.h"
#include "core/perm.h"
#include "db/catalogue.h"
#include "db/db.h"
#include "db/points.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/portal_state.h"
#include "web/web.h"

#define HIDDEN_MAX 1000

static void today_iso(char out[THAI_ISO_DAY_SIZE])
{
	struct civil_day d;
	out[0] = '\0';
	if (thai_epoch_day((int64_t)time(NULL), &d) == 0)
		thai_day_iso(d, out);
}

/* "1/10/2567" (B.E.) for an ISO day, as the form shows it and thai_when_parse
 * takes it back; "" for "". */
static json_t *day_be(const char *iso)
{
	struct civil_day d;
	struct buf b;
	buf_init(&b, 64);
	if (iso && thai_day_parse(iso, &d) == 0)
		thai_date_format(&b, d.y, d.m, d.d, THAI_DATE_NUMERIC, false);
	json_t *v = json_string(buf_str(&b));
	buf_cleanup(&b);
	return v;
}

/* Loads the point named by {code} (with its history), or replies and returns NULL. */
static json_t *load_point(struct req *r)
{
	bool found = false;
	json_t *row = db_point_get(app->db, req_param(r, "code"), &found);
	if (!row)
		reply_error(r, found ? ERR_UNAVAILABLE : ERR_NOT_FOUND, "code",
		            found ? NULL : "ไม่พบจุดให้บริการของหน่วยงานนี้ (เฉพาะอำเภอที่ร่วมโครงการ)");
	return row;
}

/* The point as the staff pages and the JSON answers show it. */
static json_t *point_model(json_t *row)
{
	json_t *p = portal_point_model(row);
	json_object_set_new(p, "history", portal_status_changes(json_object_get(row, "history"), true));
	json_t *sched = portal_status_changes(json_object_get(row, "scheduled"), true);
	json_object_set_new(p, "has_scheduled", json_boolean(json_array_size(sched) > 0));
	json_object_set_new(p, "scheduled", sched);
	return p;
}

/* ---- the profile form ---- */

static const char *const statuses[] = {"open", "temporarily_closed", "closed", "planned", NULL};

/* values: the form's fields (taken); row: the stored point (borrowed). */
static json_t *form_model(json_t *row, json_t *values)
{
	const char *code = web_str(row, "unit_code");
	char title[POINT_NAME_MAX + 64];
	snprintf(title, sizeof title, "ข้อมูลจุดให้บริการ: %s", web_str(row, "name_th"));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:[], s:{}}", "page_title", title, "point",
	                 point_model(row), "form", values, "statuses",
	                 web_options(statuses, point_status_label, web_str(values, "status")), "action",
	                 json_sprintf("/points/%s", code), "services_href",
	                 json_sprintf("/points/%s/services", code), "public_href",
	                 json_sprintf("/points/%s", code), "errors", "errors_by_field");
}

static json_t *stored_values(json_t *row)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:I}", "name_th",
	                 web_str(row, "name_th"), "address", web_str(row, "address"), "lat",
	                 web_str(row, "lat"), "lon", web_str(row, "lon"), "hours", web_str(row, "hours"),
	                 "phone", web_str(row, "phone"), "opened_on", day_be(web_str(row, "opened_on")),
	                 "status", web_str(row, "status"), "status_since", "", "status_note", "", "version",
	                 (json_int_t)json_integer_value(json_object_get(row, "version")));
}

static void point_edit(struct req *r)
{
	json_t *row = load_point(r);
	if (!row)
		return;
	json_t *m = form_model(row, stored_values(row));
	json_decref(row);
	if (req_query(r, "saved"))
		json_object_set_new(m, "notice",
		                    json_string("บันทึกข้อมูลจุดให้บริการแล้ว หน้าสาธารณะแสดงข้อมูลใหม่แล้ว"));
	reply_model(r, 200, "point_form", m);
}

/* cancel_scheduled: the days of announced changes to drop (repeated form
 * checkboxes, or a JSON array of ISO days). NULL-terminated, request
 * memory; NULL when none. */
static const char **cancel_days(struct req *r, json_t *errors)
{
	json_t *days = json_array();
	if (req_is_json_body(r)) {
		json_t *v = json_object_get(req_json(r), "cancel_scheduled");
		if (json_is_array(v))
			json_array_extend(days, v);
		else if (v)
			web_field_error(
			    errors, "cancel_scheduled",
			    "cancel_scheduled ต้องเป็นรายการวันที่ของการเปลี่ยนสถานะที่ยกเลิก เช่น [\"2027-01-05\"]");
	} else {
		portal_form_values(r, "cancel_scheduled", days);
	}
	size_t n = json_array_size(days), i;
	const char **out = n ? req_alloc(r, (n + 1) * sizeof *out) : NULL;
	json_t *d;
	struct civil_day day;
	json_array_foreach(days, i, d)
	{
		const char *s = json_string_value(d);
		if (!s || thai_day_parse(s, &day) < 0) {
			web_field_error(errors, "cancel_scheduled",
			                "วันที่ของการเปลี่ยนสถานะที่ยกเลิกต้องอยู่ในรูป YYYY-MM-DD");
			break;
		}
		out[i] = req_strdup(r, s);
	}
	if (out)
		out[n] = NULL;
	json_decref(days);
	return out;
}

static void point_update(struct req *r)
{
	const struct session_user *u = web_user(r);
	json_t *row = load_point(r);
	if (!row)
		return;
	const char *code = web_str(row, "unit_code");
	/* Left out = keep; the status note and day belong to a change only. */
	json_t *stored = stored_values(row);
	json_object_set_new(stored, "opened_on", json_string(web_str(row, "opened_on")));
	static const char *const names[] = {"name_th",      "address",     "lat",       "lon",
	                                    "hours",        "phone",       "opened_on", "status",
	                                    "status_since", "status_note", NULL};
	const char *v[10];
	json_t *typed = json_object();
	for (size_t i = 0; names[i]; i++) {
		v[i] = req_form(r, names[i]);
		if (!v[i])
			v[i] = req_strdup(r, web_str(stored, names[i])); /* stored is freed below */
		json_object_set_new(typed, names[i], json_string(v[i]));
	}
	json_decref(stored);
	const char *vtext = req_form(r, "version");
	json_object_set_new(typed, "version", json_string(vtext ? vtext : ""));
	struct point_raw raw = {
	    .name_th = v[0],
	    .address = v[1],
	    .lat = v[2],
	    .lon = v[3],
	    .hours = v[4],
	    .phone = v[5],
	    .opened_on = v[6],
	    .status = v[7],
	    .status_since = v[8],
	    .status_note = v[9],
	};
	char today[THAI_ISO_DAY_SIZE];
	today_iso(today);
	struct point_profile p;
	struct eservice_errors errs;
	json_t *errors = json_array();
	int64_t expected = web_version_param(r);
	if (expected < 0)
		web_field_error(errors, "version", "รุ่นของข้อมูล (version) ต้องเป็นจำนวนเต็มบวก");
	point_validate(&raw, today, &p, &errs);
	for (size_t i = 0; i < errs.n; i++)
		web_field_error(errors, errs.e[i].field, errs.e[i].message);
	const char **cancel = cancel_days(r, errors);
	int rc = DB_OK;
	if (json_array_size(errors) == 0)
		rc = db_point_update(app->db, code, &p, expected, today, u->id, (int64_t)time(NULL), cancel);
	if (json_array_size(errors) > 0) {
		json_t *m = form_model(row, typed);
		json_decref(row);
		web_attach_errors(m, errors);
		reply_invalid(r, "point_form", m, errors);
		return;
	}
	json_decref(errors);
	if (rc == DB_CONFLICT) {
		json_decref(row);
		json_t *now = load_point(r);
		if (!now) {
			json_decref(typed);
			return;
		}
		char msg[512];
		snprintf(msg, sizeof msg,
		         "มีผู้อื่นบันทึกข้อมูลจุดให้บริการนี้ก่อนท่าน (ขณะนี้เป็นรุ่นที่ %lld) กรุณาตรวจสอบข้อมูลแล้วบันทึกอีกครั้ง",
		         (long long)json_integer_value(json_object_get(now, "version")));
		if (web_wants_json(r)) {
			json_decref(now);
			json_decref(typed);
			reply_error(r, ERR_VERSION_CONFLICT, "version", msg);
			return;
		}
		json_object_set_new(
		    typed, "version",
		    json_sprintf("%lld", (long long)json_integer_value(json_object_get(now, "version"))));
		json_t *m = form_model(now, typed);
		json_decref(now);
		json_t *list = json_array();
		web_field_error(list, "version", msg);
		web_attach_errors(m, list);
		json_object_set_new(m, "errors", list);
		reply_model(r, 409, "point_form", m);
		return;
	}
	json_decref(typed);
	char codebuf[16];
	snprintf(codebuf, sizeof codebuf, "%s", code);
	json_decref(row);
	if (rc == DB_NOT_FOUND) {
		reply_error(r, ERR_NOT_FOUND, "code", "ไม่พบจุดให้บริการของหน่วยงานนี้");
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, rc == DB_BUSY ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL, NULL);
		return;
	}
	portal_changed();
	if (web_wants_json(r)) {
		bool found = false;
		json_t *saved = db_point_get(app->db, codebuf, &found);
		if (!saved) {
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		json_t *pm = point_model(saved);
		json_decref(saved);
		reply_json(r, 200, json_pack("{s:o}", "point", pm));
		return;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/points/%s/edit?saved=1", codebuf);
	reply_redirect(r, 303, loc);
}

/* ---- the services a point hides ---- */

/* hidden: the codes hidden (borrowed). */
static json_t *services_model(json_t *row, struct portal_snap *s, json_t *hidden)
{
	const char *code = web_str(row, "unit_code");
	json_t *list = json_array();
	size_t i, nhidden = 0;
	json_t *m;
	json_array_foreach(s->services, i, m)
	{
		if (!portal_service_serves(m, code))
			continue; /* not offered in this province at all (its area) */
		bool h = web_code_in(hidden, web_str(m, "code"));
		nhidden += h;
		json_array_append_new(list, json_pack("{s:O, s:O, s:O, s:O, s:O, s:b, s:b}", "code",
		                                      json_object_get(m, "code"), "name_th",
		                                      json_object_get(m, "name_th"), "agency_th",
		                                      json_object_get(m, "agency_th"), "category_th",
		                                      json_object_get(m, "category_th"), "href",
		                                      json_object_get(m, "href"), "hidden", h, "shown", !h));
	}
	char title[POINT_NAME_MAX + 64];
	snprintf(title, sizeof title, "บริการที่แสดงที่จุดให้บริการ: %s", web_str(row, "name_th"));
	return json_pack("{s:s, s:{s:s, s:s, s:o, s:o}, s:o, s:O, s:I, s:I, s:o, s:[], s:{}}", "page_title",
	                 title, "point", "unit_code", code, "name_th", web_str(row, "name_th"), "href",
	                 json_sprintf("/points/%s", code), "edit_href", json_sprintf("/points/%s/edit", code),
	                 "services", list, "hidden", hidden, "hidden_count", (json_int_t)nhidden,
	                 "shown_count", (json_int_t)(json_array_size(list) - nhidden), "action",
	                 json_sprintf("/points/%s/services", code), "errors", "errors_by_field");
}

static void point_services(struct req *r)
{
	json_t *row = load_point(r);
	if (!row)
		return;
	json_t *hidden = db_unit_hidden_services(app->db, web_str(row, "unit_code"));
	if (!hidden) {
		json_decref(row);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	struct portal_snap *s = portal_snap_get();
	json_t *m = services_model(row, s, hidden);
	portal_snap_put(s);
	json_decref(hidden);
	json_decref(row);
	if (req_query(r, "saved"))
		json_object_set_new(m, "notice", json_string("บันทึกรายการบริการของจุดให้บริการแล้ว"));
	reply_model(r, 200, "point_services", m);
}

/* portal_state.h: the body is read again (the request API keeps the first
 * value of a name only). */
void portal_form_values(struct req *r, const char *name, json_t *out)
{
	size_t len;
	const char *body = req_body(r, &len);
	const char *ct = req_header(r, "Content-Type");
	struct form f;
	form_init(&f);
	const char *bad = NULL;
	enum form_status st = FORM_MALFORMED;
	if (ct && !strncasecmp(ct, "multipart/form-data", 19))
		st = form_parse_multipart(&f, ct, body, len, NULL, &bad);
	else if (body)
		st = form_parse_urlencoded(&f, body, len, NULL, &bad);
	if (st == FORM_OK)
		for (size_t i = 0; i < f.n; i++)
			if (!strcmp(f.f[i].name, name) && !f.f[i].filename)
				json_array_append_new(out, json_string(f.f[i].value));
	form_cleanup(&f);
}

static void point_services_save(struct req *r)
{
	const struct session_user *u = web_user(r);
	json_t *row = load_point(r);
	if (!row)
		return;
	json_t *errors = json_array();
	json_t *asked = json_array();
	if (req_is_json_body(r)) {
		json_t *h = json_object_get(req_json(r), "hidden");
		size_t i;
		json_t *c;
		if (!h)
			web_field_error(errors, "hidden",
			                "กรุณาระบุ hidden: รายการรหัสบริการที่ซ่อน ([] = แสดงทุกบริการ)");
		else if (!json_is_array(h))
			web_field_error(errors, "hidden",
			                "hidden ต้องเป็นรายการรหัสบริการ เช่น [\"thaid_register\"]");
		json_array_foreach(h, i, c)
		{
			if (json_is_string(c))
				json_array_append(asked, c);
			else
				web_field_error(errors, "hidden", "รหัสบริการใน hidden ต้องเป็นข้อความ");
		}
	} else {
		portal_form_values(r, "hidden", asked);
	}
	struct portal_snap *s = portal_snap_get();
	json_t *codes = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(asked, i, c)
	{
		const char *code = json_string_value(c);
		if (!portal_snap_service(s, code)) {
			char msg[512];
			snprintf(msg, sizeof msg, "ไม่พบบริการรหัส \"%.*s\" ในแคตตาล็อก",
			         portal_utf8_prefix(code, 60), code);
			web_field_error(errors, "hidden", msg);
		} else if (!web_code_in(codes, code)) {
			json_array_append(codes, c);
		}
	}
	if (json_array_size(codes) > HIDDEN_MAX)
		web_field_error(errors, "hidden", "รายการบริการที่ซ่อนมากเกินไป");
	json_decref(asked);
	int rc = DB_OK;
	if (json_array_size(errors) == 0) {
		size_t n = json_array_size(codes);
		const char **list = xcalloc(n + 1, sizeof *list);
		json_array_foreach(codes, i, c) list[i] = json_string_value(c);
		rc = db_unit_set_hidden(app->db, web_str(row, "unit_code"), list, u->id, (int64_t)time(NULL));
		free(list);
		if (rc == DB_CONSTRAINT) {
			web_field_error(errors, "hidden", "มีรหัสบริการที่ไม่อยู่ในแคตตาล็อก");
			rc = DB_OK;
		}
	}
	if (json_array_size(errors) > 0) {
		json_t *m = services_model(row, s, codes);
		portal_snap_put(s);
		json_decref(codes);
		json_decref(row);
		web_attach_errors(m, errors);
		reply_invalid(r, "point_services", m, errors);
		return;
	}
	json_decref(errors);
	portal_snap_put(s);
	char code[16];
	snprintf(code, sizeof code, "%s", web_str(row, "unit_code"));
	json_decref(row);
	if (rc != DB_OK) {
		json_decref(codes);
		reply_error(r, rc == DB_BUSY ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL, NULL);
		return;
	}
	portal_changed();
	if (web_wants_json(r)) {
		json_t *stored = db_unit_hidden_services(app->db, code);
		json_decref(codes);
		if (!stored) {
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		reply_json(r, 200, json_pack("{s:s, s:o}", "unit_code", code, "hidden", stored));
		return;
	}
	json_decref(codes);
	char loc[64];
	snprintf(loc, sizeof loc, "/points/%s/services?saved=1", code);
	reply_redirect(r, 303, loc);
}

const struct route points_routes[] = {
    {HTTP_GET, "/points/{code}/edit", ROLE_DISTRICT_ADMIN, 0, point_edit, "points.edit", &scope_code},
    {HTTP_POST, "/points/{code}", ROLE_DISTRICT_ADMIN, 0, point_update, "points.update", &scope_code},
    {HTTP_GET, "/points/{code}/services", ROLE_DISTRICT_ADMIN, 0, point_services, "points.services",
     &scope_code},
    {HTTP_POST, "/points/{code}/services", ROLE_DISTRICT_ADMIN, 0, point_services_save,
     "points.services_save", &scope_code},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
