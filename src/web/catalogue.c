/* Staff management of the e-service catalogue (issue 4): the admin list,
 * create, edit (retire = an edit to status "retired"), move up/down, and the
 * history of a service.
 *
 * As in web/registry.c, the form and the JSON API are one handler: fields
 * come from an urlencoded/multipart form or a JSON object with the same
 * names (steps and documents: one item per line, or a JSON array of
 * strings); core/eservice checks them. An edit replaces the service; a field
 * left out of the request (a JSON client sending only {"status": "retired"})
 * keeps its stored value. Every change rebuilds the catalogue snapshot and
 * empties the page cache (portal_changed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/eservice.h"
#include "core/perm.h"
#include "db/catalogue.h"
#include "db/db.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/portal_state.h"
#include "web/web.h"

/* Service codes that are paths of their own under /services/. */
static bool code_reserved(const char *code)
{
	return !strcmp(code, "new");
}

static const char *status_label(const char *status)
{
	const char *l = eservice_status_label(status);
	return l ? l : status;
}

static json_t *text_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

/* ---- the raw service from a request ---- */

static const char *const service_fields[] = {
    "code",       "name_th", "name_en",     "agency_th", "agency_en",      "agency_type", "category",
    "channel",    "url",     "description", "steps",     "documents",      "fees",        "status",
    "sort_order", "source",  "note",        "area",      "area_provinces", NULL};

/* Joins a JSON array of strings with "\n" (request memory). NULL when v is not
 * an array; *bad is set when an item is not a string. */
static const char *joined_list(struct req *r, json_t *v, bool *bad)
{
	if (!json_is_array(v))
		return NULL;
	struct buf b;
	buf_init(&b, ESVC_TEXT_MAX * 4);
	size_t i;
	json_t *it;
	json_array_foreach(v, i, it)
	{
		if (!json_is_string(it)) {
			*bad = true;
			continue;
		}
		if (b.len)
			buf_putc(&b, '\n');
		if (buf_puts(&b, json_string_value(it)) < 0)
			*bad = true;
	}
	const char *s = req_strdup(r, buf_str(&b));
	buf_cleanup(&b);
	return s;
}

/* area_provinces as sent: a JSON array of codes, the repeated checkboxes of
 * a form, or one text "10, 11, 12"; joined with ",". NULL = left out. */
static const char *provinces_value(struct req *r, json_t *errors)
{
	json_t *list = NULL;
	if (req_is_json_body(r)) {
		json_t *v = json_object_get(req_json(r), "area_provinces");
		if (!v || json_is_string(v))
			return v ? json_string_value(v) : NULL;
		if (!json_is_array(v)) {
			web_field_error(errors, "area_provinces",
			                "area_provinces ต้องเป็นรายการรหัสจังหวัด เช่น [\"10\", \"12\"]");
			return "";
		}
		list = json_incref(v);
	} else {
		if (!req_form(r, "area_provinces"))
			return req_form(r, "area") ? "" : NULL; /* no box ticked: none */
		list = json_array();
		portal_form_values(r, "area_provinces", list);
	}
	bool bad = false;
	const char *s = joined_list(r, list, &bad);
	json_decref(list);
	if (bad)
		web_field_error(errors, "area_provinces",
		                "รหัสจังหวัดใน area_provinces ต้องเป็นข้อความ เช่น \"10\"");
	return s;
}

/* A field's text as sent (NULL = left out). */
static const char *field_value(struct req *r, const char *name, json_t *errors)
{
	if (!strcmp(name, "area_provinces"))
		return provinces_value(r, errors);
	if (req_is_json_body(r) && (!strcmp(name, "steps") || !strcmp(name, "documents"))) {
		json_t *v = json_object_get(req_json(r), name);
		if (json_is_array(v)) {
			bool bad = false;
			const char *s = joined_list(r, v, &bad);
			if (bad)
				web_field_error(errors, name,
				                !strcmp(name, "steps")
				                    ? "ขั้นตอนต้องเป็นรายการข้อความ (หนึ่งข้อต่อหนึ่งรายการ)"
				                    : "เอกสารต้องเป็นรายการข้อความ (หนึ่งรายการต่อหนึ่งเอกสาร)");
			return s;
		}
	}
	return req_form(r, name);
}

/* The stored value of a field as the text a form would send. */
static const char *stored_text(struct req *r, json_t *svc, const char *name)
{
	json_t *v = json_object_get(svc, name);
	if (json_is_array(v)) {
		bool bad = false;
		return joined_list(r, v, &bad);
	}
	if (json_is_integer(v)) {
		char n[32];
		snprintf(n, sizeof n, "%lld", (long long)json_integer_value(v));
		return req_strdup(r, n);
	}
	return json_is_string(v) ? json_string_value(v) : "";
}

/* Reads the fields into raw (strings in request memory or in `current`,
 * which must outlive raw). current: the stored service for an edit (left-out
 * fields keep its values), NULL for a create. Also returns, as a JSON object,
 * the values to show again in the form. */
static json_t *raw_from_request(struct req *r, json_t *current, struct eservice_raw *raw, json_t *errors)
{
	memset(raw, 0, sizeof *raw);
	const char **slots[] = {&raw->code,      &raw->name_th,     &raw->name_en,       &raw->agency_th,
	                        &raw->agency_en, &raw->agency_type, &raw->category,      &raw->channel,
	                        &raw->url,       &raw->description, &raw->steps,         &raw->documents,
	                        &raw->fees,      &raw->status,      &raw->sort_order,    &raw->source,
	                        &raw->note,      &raw->area,        &raw->area_provinces};
	json_t *typed = json_object();
	for (size_t i = 0; service_fields[i]; i++) {
		const char *v = field_value(r, service_fields[i], errors);
		if (!v && current)
			v = stored_text(r, current, service_fields[i]);
		*slots[i] = v;
		json_object_set_new(typed, service_fields[i], json_string(v ? v : ""));
	}
	return typed;
}

static bool category_exists(const char *code, void *ctx)
{
	return portal_snap_category(ctx, code) != NULL;
}

/* The provinces of a checked area must exist (the rules only know their form). */
static void check_area_provinces(struct portal_snap *s, const struct eservice *e, json_t *errors)
{
	for (const char *p = e->area_provinces; *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " ");
		char code[8];
		snprintf(code, sizeof code, "%.*s", (int)(n < 7 ? n : 7), p);
		if (!json_object_get(s->province_names, code)) {
			char msg[256];
			snprintf(msg, sizeof msg, "ไม่พบจังหวัดรหัส %s (พื้นที่ให้บริการ)", code);
			web_field_error(errors, "area_provinces", msg);
			return;
		}
		p += n;
	}
}

/* ---- the form ---- */

static const char *const channels[] = {"tangrat", "web", "line", "app", NULL};
static const char *const agency_types[] = {"government", "state_enterprise", NULL};
static const char *const statuses[] = {"active", "moving", "retired", NULL};
static const char *const areas[] = {"all", "only", "except", NULL};

/* Every province as a checkbox [{code, name_th, checked}]: checked when its
 * code is in text (codes separated by ',' or spaces, as typed or stored). */
static json_t *province_boxes(struct portal_snap *s, const char *text)
{
	json_t *out = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(s->provinces, i, p)
	{
		const char *code = web_str(p, "code");
		bool on = false;
		for (const char *t = text; *t && !on;) {
			size_t n = strcspn(t, ", ");
			on = n == strlen(code) && !strncmp(t, code, n);
			t += n;
			t += strspn(t, ", ");
		}
		json_array_append_new(out, json_pack("{s:s, s:O, s:b}", "code", code, "name_th",
		                                     json_object_get(p, "name_th"), "checked", on));
	}
	return out;
}

/* The form model. values: what the fields hold (taken); current: the stored
 * service for an edit (borrowed) or NULL. */
static json_t *form_model(struct portal_snap *s, json_t *values, json_t *current)
{
	const char *cat = web_str(values, "category");
	json_t *cats = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(s->categories, i, c) json_array_append_new(
	    cats, json_pack("{s:O, s:O, s:b}", "value", json_object_get(c, "code"), "label",
	                    json_object_get(c, "name_th"), "selected", !strcmp(cat, web_str(c, "code"))));
	bool edit = current != NULL;
	const char *code = edit ? web_str(current, "code") : "";
	char title[ESVC_NAME_MAX + 64];
	if (edit)
		snprintf(title, sizeof title, "แก้ไขบริการ %s", web_str(current, "name_th"));
	else
		snprintf(title, sizeof title, "เพิ่มบริการใหม่");
	json_t *service = json_null();
	if (edit)
		service = json_pack("{s:s, s:s, s:I, s:s, s:o, s:o}", "code", code, "name_th",
		                    web_str(current, "name_th"), "version",
		                    (json_int_t)json_integer_value(json_object_get(current, "version")),
		                    "status_label", status_label(web_str(current, "status")), "href",
		                    json_sprintf("/services/%s", code), "history_href",
		                    json_sprintf("/services/%s/history", code));
	const char *area = *web_str(values, "area") ? web_str(values, "area") : "all";
	json_t *area_opts = web_options(areas, eservice_area_label, area);
	json_t *boxes = province_boxes(s, web_str(values, "area_provinces"));
	json_int_t ticked = 0;
	json_t *b;
	json_array_foreach(boxes, i, b) ticked += json_is_true(json_object_get(b, "checked"));
	return json_pack(
	    "{s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:I, s:[], s:{}}",
	    "page_title", title, "mode", edit ? "edit" : "new", "is_edit", edit, "action",
	    edit ? json_sprintf("/services/%s", code) : json_string("/services"), "form", values,
	    "categories", cats, "channels",
	    web_options(channels, eservice_channel_label, web_str(values, "channel")), "agency_types",
	    web_options(agency_types, eservice_agency_type_label, web_str(values, "agency_type")), "statuses",
	    web_options(statuses, eservice_status_label, web_str(values, "status")), "service", service,
	    "areas", area_opts, "provinces", boxes, "area_listed", strcmp(area, "all") != 0, "area_count",
	    ticked, "errors", "errors_by_field");
}

/* The form's values for a stored service. */
static json_t *values_of(struct req *r, json_t *svc)
{
	json_t *v = json_object();
	for (size_t i = 0; service_fields[i]; i++)
		json_object_set_new(v, service_fields[i],
		                    json_string(stored_text(r, svc, service_fields[i])));
	json_object_set_new(
	    v, "version",
	    json_sprintf("%lld", (long long)json_integer_value(json_object_get(svc, "version"))));
	return v;
}

static void errors_from(json_t *errors, const struct eservice_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++) {
		/* One message per field in the list (the rules may name a field twice). */
		bool seen = false;
		size_t k;
		json_t *e;
		json_array_foreach(errors, k, e) if (!strcmp(web_str(e, "field"), errs->e[i].field)) seen =
		    true;
		if (!seen)
			web_field_error(errors, errs->e[i].field, errs->e[i].message);
	}
}

/* The admin model of a stored service: public model + source, note. */
static json_t *admin_model(json_t *row)
{
	struct portal_snap *s = portal_snap_get();
	json_t *m = portal_service_model(row, s ? s->province_names : NULL);
	portal_snap_put(s);
	json_object_set_new(m, "source", json_string(web_str(row, "source")));
	json_object_set_new(m, "note", json_string(web_str(row, "note")));
	return m;
}

/* ---- GET /admin/services (every staff member reads; national admins edit) ---- */

static void admin_services(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *list = json_array();
	size_t i, n = json_array_size(s->all);
	json_t *svc;
	json_int_t counts[3] = {0, 0, 0};
	json_array_foreach(s->all, i, svc)
	{
		json_t *row = json_copy(svc);
		const char *code = web_str(svc, "code");
		const char *status = web_str(svc, "status");
		json_object_set_new(row, "edit_href", json_sprintf("/services/%s/edit", code));
		json_object_set_new(row, "history_href", json_sprintf("/services/%s/history", code));
		json_object_set_new(row, "move_href", json_sprintf("/services/%s/move", code));
		json_object_set_new(row, "position", json_integer((json_int_t)i + 1));
		json_object_set_new(row, "first", json_boolean(i == 0));
		json_object_set_new(row, "last", json_boolean(i + 1 == n));
		json_object_set_new(row, "retired", json_boolean(!strcmp(status, "retired")));
		json_object_set_new(row, "source", text_or_null(web_str(svc, "source")));
		json_object_set_new(row, "note", text_or_null(web_str(svc, "note")));
		counts[!strcmp(status, "active") ? 0 : !strcmp(status, "moving") ? 1 : 2]++;
		json_array_append_new(list, row);
	}
	const struct session_user *u = web_user(r);
	json_t *m = json_pack("{s:s, s:o, s:{s:I, s:I, s:I, s:I}, s:I, s:b}", "page_title",
	                      "แคตตาล็อกบริการ e-Service", "services", list, "totals", "all", (json_int_t)n,
	                      "active", counts[0], "moving", counts[1], "retired", counts[2], "generation",
	                      (json_int_t)s->generation, "can_edit", u && u->role >= ROLE_NATIONAL_ADMIN);
	json_t *saved = portal_snap_service(s, req_query(r, "saved"));
	if (saved) {
		char notice[ESVC_NAME_MAX + 64];
		snprintf(notice, sizeof notice, "บันทึกบริการ “%s” แล้ว", web_str(saved, "name_th"));
		json_object_set_new(m, "notice", json_string(notice));
	}
	portal_snap_put(s);
	reply_model(r, 200, "admin_services", m);
}

/* ---- GET /services/new, POST /services ---- */

static void service_new(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *values =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	              "s:s, s:s}",
	              "code", "", "name_th", "", "name_en", "", "agency_th", "", "agency_en", "",
	              "agency_type", "government", "category", "", "channel", "", "url", "", "description",
	              "", "steps", "", "documents", "", "fees", "ไม่มี", "status", "active", "sort_order", "",
	              "source", "", "note", "", "version", "");
	json_t *m = form_model(s, values, NULL);
	portal_snap_put(s);
	reply_model(r, 200, "service_form", m);
}

/* Loads the stored service named by {code}, or replies 404/503 and returns NULL. */
static json_t *load_service(struct req *r)
{
	bool found = false;
	json_t *svc = db_service_get(app->db, req_param(r, "code"), &found);
	if (!svc)
		reply_error(r, found ? ERR_UNAVAILABLE : ERR_NOT_FOUND, "code",
		            found ? NULL : "ไม่พบบริการนี้ในแคตตาล็อก");
	return svc;
}

static const char *action_detail(const struct eservice *e)
{
	return e->status;
}

/* Replies after a change to the service code: JSON clients get its admin
 * model with status; the form goes back to the admin list at the service
 * (saved: with the "saved" notice). */
static void reply_saved(struct req *r, const char *code, int status, bool saved)
{
	if (web_wants_json(r)) {
		bool found = false;
		json_t *row = db_service_get(app->db, code, &found);
		if (!row) {
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		json_t *svc = admin_model(row);
		json_decref(row);
		reply_json(r, status, json_pack("{s:o}", "service", svc));
		return;
	}
	struct buf loc;
	buf_init(&loc, 256);
	if (saved) {
		buf_puts(&loc, "/admin/services?saved=");
		web_url_encode(&loc, code);
		buf_printf(&loc, "#s-%s", code);
	} else {
		buf_puts(&loc, "/admin/services#s-");
		web_url_encode(&loc, code);
	}
	reply_redirect(r, 303, buf_str(&loc));
	buf_cleanup(&loc);
}

static void service_create(struct req *r)
{
	const struct session_user *u = web_user(r);
	json_t *errors = json_array();
	struct eservice_raw raw;
	json_t *typed = raw_from_request(r, NULL, &raw, errors);
	json_object_set_new(typed, "version", json_string(""));
	struct portal_snap *s = portal_snap_get();
	struct eservice *e = xcalloc(1, sizeof *e);
	struct eservice_errors errs;
	eservice_validate(&raw, false, category_exists, s, e, &errs);
	errors_from(errors, &errs);
	check_area_provinces(s, e, errors);
	/* A taken or reserved code is reported with the other errors. */
	bool code_error = false;
	for (size_t i = 0; i < errs.n; i++)
		if (!strcmp(errs.e[i].field, "code"))
			code_error = true;
	if (!code_error && e->code[0] && portal_snap_service(s, e->code))
		web_field_error(errors, "code", "รหัสบริการนี้มีอยู่แล้ว");
	else if (!code_error && e->code[0] && code_reserved(e->code))
		web_field_error(errors, "code", "รหัสนี้สงวนไว้สำหรับระบบ กรุณาใช้รหัสอื่น");
	if (json_array_size(errors) == 0) {
		int rc = db_service_create(app->db, e, u->id, (int64_t)time(NULL));
		if (rc == DB_CONSTRAINT) {
			bool found = false;
			json_t *dup = db_service_get(app->db, e->code, &found);
			json_decref(dup);
			web_field_error(errors, found ? "code" : "category",
			                found ? "รหัสบริการนี้มีอยู่แล้ว" : "ไม่พบหมวดบริการนี้");
		} else if (rc != DB_OK) {
			portal_snap_put(s);
			json_decref(typed);
			json_decref(errors);
			free(e);
			reply_error(r, rc == DB_BUSY ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL, NULL);
			return;
		}
	}
	if (json_array_size(errors) > 0) {
		json_t *m = form_model(s, typed, NULL);
		portal_snap_put(s);
		free(e);
		web_attach_errors(m, errors);
		reply_invalid(r, "service_form", m, errors);
		return;
	}
	portal_snap_put(s);
	json_decref(typed);
	json_decref(errors);
	portal_changed();
	web_audit(r, "service.create", e->code, action_detail(e));
	char code[ESVC_CODE_MAX + 1];
	snprintf(code, sizeof code, "%s", e->code);
	free(e);
	reply_saved(r, code, 201, true);
}

/* ---- GET /services/{code}/edit, POST /services/{code} ---- */

static void service_edit(struct req *r)
{
	json_t *svc = load_service(r);
	if (!svc)
		return;
	struct portal_snap *s = portal_snap_get();
	json_t *m = form_model(s, values_of(r, svc), svc);
	portal_snap_put(s);
	json_decref(svc);
	reply_model(r, 200, "service_form", m);
}

static void service_update(struct req *r)
{
	const struct session_user *u = web_user(r);
	json_t *current = load_service(r);
	if (!current)
		return;
	const char *code = web_str(current, "code");
	json_t *errors = json_array();
	struct eservice_raw raw;
	json_t *typed = raw_from_request(r, current, &raw, errors);
	json_object_set_new(typed, "code", json_string(code));
	int64_t expected = web_version_param(r);
	const char *vtext = req_form(r, "version");
	json_object_set_new(typed, "version", json_string(vtext ? vtext : ""));
	if (expected < 0)
		web_field_error(errors, "version", "รุ่นของข้อมูล (version) ต้องเป็นจำนวนเต็มบวก");
	struct portal_snap *s = portal_snap_get();
	struct eservice *e = xcalloc(1, sizeof *e);
	struct eservice_errors errs;
	eservice_validate(&raw, true, category_exists, s, e, &errs);
	errors_from(errors, &errs);
	check_area_provinces(s, e, errors);
	snprintf(e->code, sizeof e->code, "%s", code);
	int rc = DB_OK;
	if (json_array_size(errors) == 0) {
		rc = db_service_update(app->db, code, e, expected, u->id, (int64_t)time(NULL));
		if (rc == DB_CONSTRAINT) {
			web_field_error(errors, "category", "ไม่พบหมวดบริการนี้");
			rc = DB_OK;
		}
	}
	if (json_array_size(errors) > 0 || rc == DB_CONFLICT) {
		json_t *m = form_model(s, typed, current);
		portal_snap_put(s);
		free(e);
		if (rc == DB_CONFLICT) {
			/* Someone saved first. JSON clients get a 409; the form comes back
			 * with what was typed and the current version, so saving again
			 * is a deliberate overwrite after reading the message. */
			json_decref(errors);
			bool found = false;
			json_t *now = db_service_get(app->db, code, &found);
			json_int_t v = now ? json_integer_value(json_object_get(now, "version")) : 0;
			json_decref(now);
			json_decref(current);
			char msg[512];
			snprintf(msg, sizeof msg,
			         "มีผู้อื่นบันทึกการแก้ไขบริการนี้ก่อนท่าน (ขณะนี้เป็นรุ่นที่ %lld) กรุณาตรวจสอบข้อมูลแล้วบันทึกอีกครั้ง",
			         (long long)v);
			if (web_wants_json(r)) {
				json_decref(m);
				reply_error(r, ERR_VERSION_CONFLICT, "version", msg);
				return;
			}
			json_object_set_new(json_object_get(m, "form"), "version",
			                    json_sprintf("%lld", (long long)v));
			json_t *list = json_array();
			web_field_error(list, "version", msg);
			json_object_set_new(m, "errors", list);
			web_attach_errors(m, list);
			reply_model(r, 409, "service_form", m);
			return;
		}
		json_decref(current);
		web_attach_errors(m, errors);
		reply_invalid(r, "service_form", m, errors);
		return;
	}
	portal_snap_put(s);
	json_decref(typed);
	json_decref(errors);
	if (rc == DB_NOT_FOUND) {
		free(e);
		json_decref(current);
		reply_error(r, ERR_NOT_FOUND, "code", "ไม่พบบริการนี้ในแคตตาล็อก");
		return;
	}
	if (rc != DB_OK) {
		free(e);
		json_decref(current);
		reply_error(r, rc == DB_BUSY ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL, NULL);
		return;
	}
	const char *before = web_str(current, "status");
	const char *action = !strcmp(e->status, "retired") && strcmp(before, "retired")   ? "service.retire"
	                     : strcmp(e->status, "retired") && !strcmp(before, "retired") ? "service.restore"
	                                                                                  : "service.edit";
	portal_changed();
	web_audit(r, action, code, action_detail(e));
	free(e);
	char codebuf[ESVC_CODE_MAX + 1];
	snprintf(codebuf, sizeof codebuf, "%s", code);
	json_decref(current);
	reply_saved(r, codebuf, 200, true);
}

/* ---- POST /services/{code}/move ---- */

static void service_move(struct req *r)
{
	const struct session_user *u = web_user(r);
	const char *code = req_param(r, "code");
	const char *dir = web_field(r, "dir");
	int d = !strcmp(dir, "up") ? -1 : !strcmp(dir, "down") ? 1 : 0;
	if (!d) {
		json_t *errors = json_array();
		web_field_error(errors, "dir", "กรุณาระบุทิศทาง up (ขึ้น) หรือ down (ลง)");
		reply_invalid(r, NULL, NULL, errors);
		return;
	}
	int rc = db_service_move(app->db, code, d, u->id, (int64_t)time(NULL));
	if (rc == DB_NOT_FOUND) {
		reply_error(r, ERR_NOT_FOUND, "code", "ไม่พบบริการนี้ในแคตตาล็อก");
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, rc == DB_BUSY ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL, NULL);
		return;
	}
	portal_changed();
	web_audit(r, "service.move", code, d < 0 ? "up" : "down");
	reply_saved(r, code, 200, false);
}

/* ---- GET /services/{code}/history ---- */

static const struct {
	const char *key, *label;
} field_labels[] = {
    {"name_th", "ชื่อบริการ (ภาษาไทย)"},
    {"name_en", "ชื่อบริการ (ภาษาอังกฤษ)"},
    {"agency_th", "หน่วยงานเจ้าของบริการ"},
    {"agency_en", "ชื่อหน่วยงาน (ภาษาอังกฤษ)"},
    {"agency_type", "ประเภทหน่วยงาน"},
    {"category", "หมวดบริการ"},
    {"channel", "ช่องทาง"},
    {"url", "ที่อยู่เว็บไซต์ทางการ"},
    {"description", "คำอธิบาย"},
    {"steps", "ขั้นตอน"},
    {"documents", "เอกสารที่ต้องใช้"},
    {"fees", "ค่าธรรมเนียม"},
    {"status", "สถานะ"},
    {"sort_order", "ลำดับในแคตตาล็อก"},
    {"source", "แหล่งที่มา"},
    {"note", "หมายเหตุที่มา"},
    {"area", "พื้นที่ให้บริการ"},
    {"area_provinces", "จังหวัดในพื้นที่ให้บริการ"},
};

static const struct {
	const char *action, *label;
} action_labels[] = {
    {"seed", "นำเข้าข้อมูลตั้งต้น"}, {"create", "เพิ่มบริการ"},      {"edit", "แก้ไข"},
    {"retire", "ยกเลิกบริการ"},  {"restore", "นำกลับมาใช้งาน"}, {"reorder", "เปลี่ยนลำดับ"},
};

/* A stored value as text for the history table (labels for the enumerations). */
static char *value_text(const struct portal_snap *snap, const char *key, json_t *v)
{
	if (!v || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		json_t *cat = !strcmp(key, "category") ? portal_snap_category(snap, s) : NULL;
		if (!strcmp(key, "area_provinces")) {
			json_t *names = portal_provinces_th(s, snap->province_names);
			char *t = xstrdup(json_string_value(names));
			json_decref(names);
			return t;
		}
		const char *l = !strcmp(key, "status")        ? eservice_status_label(s)
		                : !strcmp(key, "channel")     ? eservice_channel_label(s)
		                : !strcmp(key, "agency_type") ? eservice_agency_type_label(s)
		                : !strcmp(key, "area")        ? eservice_area_label(s)
		                : cat                         ? web_str(cat, "name_th")
		                                              : NULL;
		return xstrdup(l ? l : s);
	}
	if (json_is_array(v)) {
		struct buf b;
		buf_init(&b, 64 * 1024);
		size_t i;
		json_t *it;
		json_array_foreach(v, i, it)
		{
			if (i)
				buf_putc(&b, '\n');
			buf_puts(&b, json_is_string(it) ? json_string_value(it) : "");
		}
		size_t len;
		return buf_detach(&b, &len);
	}
	char *s = json_dumps(v, JSON_ENCODE_ANY);
	return s ? s : xstrdup("");
}

static json_t *history_rows(const struct portal_snap *snap, json_t *h)
{
	json_t *area_all = json_string("all"), *area_none = json_string("");
	size_t i;
	json_t *row;
	json_array_foreach(h, i, row)
	{
		json_object_set_new(row, "at_th", portal_time_th(json_object_get(row, "at")));
		const char *a = web_str(row, "action");
		const char *al = a;
		for (size_t k = 0; k < sizeof action_labels / sizeof action_labels[0]; k++)
			if (!strcmp(a, action_labels[k].action))
				al = action_labels[k].label;
		json_object_set_new(row, "action_label", json_string(al));
		if (!*web_str(row, "user_name"))
			json_object_set_new(row, "user_name", json_string("ระบบ"));
		json_t *before = json_object_get(row, "before"), *after = json_object_get(row, "after");
		json_t *changes = json_array();
		for (size_t k = 0; k < sizeof field_labels / sizeof field_labels[0]; k++) {
			json_t *b =
			    json_is_object(before) ? json_object_get(before, field_labels[k].key) : NULL;
			json_t *x =
			    json_is_object(after) ? json_object_get(after, field_labels[k].key) : NULL;
			/* Snapshots from before the area existed (migration 007) served everywhere. */
			json_t *dflt = !strcmp(field_labels[k].key, "area")             ? area_all
			               : !strcmp(field_labels[k].key, "area_provinces") ? area_none
			                                                                : NULL;
			if (dflt && json_is_object(before) && !b)
				b = dflt;
			if (dflt && json_is_object(after) && !x)
				x = dflt;
			if ((!b && !x) || (b && x && json_equal(b, x)))
				continue;
			char *bs = value_text(snap, field_labels[k].key, b);
			char *xs = value_text(snap, field_labels[k].key, x);
			if (strcmp(bs, xs))
				json_array_append_new(changes, json_pack("{s:s, s:s, s:s, s:s}", "field",
				                                         field_labels[k].key, "field_label",
				                                         field_labels[k].label, "before", bs,
				                                         "after", xs));
			free(bs);
			free(xs);
		}
		json_object_set_new(row, "changes", changes);
	}
	json_decref(area_all);
	json_decref(area_none);
	return h;
}

static void service_history(struct req *r)
{
	json_t *svc = load_service(r);
	if (!svc)
		return;
	json_t *h = db_service_history(app->db, web_str(svc, "code"));
	if (!h) {
		json_decref(svc);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	char title[ESVC_NAME_MAX + 64];
	snprintf(title, sizeof title, "ประวัติการแก้ไข: %s", web_str(svc, "name_th"));
	const char *code = web_str(svc, "code");
	const struct session_user *u = web_user(r);
	struct portal_snap *snap = portal_snap_get();
	json_t *rows = history_rows(snap, h);
	portal_snap_put(snap);
	json_t *m = json_pack(
	    "{s:s, s:{s:s, s:s, s:s, s:o, s:o}, s:o, s:b}", "page_title", title, "service", "code", code,
	    "name_th", web_str(svc, "name_th"), "status_label", status_label(web_str(svc, "status")), "href",
	    json_sprintf("/services/%s", code), "edit_href", json_sprintf("/services/%s/edit", code),
	    "history", rows, "can_edit", u && u->role >= ROLE_NATIONAL_ADMIN);
	json_decref(svc);
	reply_model(r, 200, "service_history", m);
}

/* ---- GET, POST /admin/search: the search vocabulary ---- */

/* The vocabulary as the page shows it: synonyms [{word, term}], phrases
 * [{phrase, services: [{code, name_th}]}] (grouped by phrase) and the text of
 * the two boxes ("word = term", "phrase = code, code"), one entry a line. */
static json_t *terms_model(struct portal_snap *s, json_t *terms)
{
	json_t *phrases = json_array();
	struct buf st, pt;
	buf_init(&st, 4 * 1024 * 1024);
	buf_init(&pt, 4 * 1024 * 1024);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(terms, "synonyms"), i, t)
	    buf_printf(&st, "%s = %s\n", web_str(t, "word"), web_str(t, "term"));
	json_t *last = NULL;
	json_array_foreach(json_object_get(terms, "phrases"), i, t)
	{
		const char *phrase = web_str(t, "phrase"), *code = web_str(t, "service_code");
		json_t *svc = portal_snap_service(s, code);
		if (!last || strcmp(web_str(last, "phrase"), phrase)) {
			last = json_pack("{s:s, s:[]}", "phrase", phrase, "services");
			json_array_append_new(phrases, last);
			buf_printf(&pt, "%s%s = %s", pt.len ? "\n" : "", phrase, code);
		} else {
			buf_printf(&pt, ", %s", code);
		}
		json_array_append_new(
		    json_object_get(last, "services"),
		    json_pack("{s:s, s:s}", "code", code, "name_th", svc ? web_str(svc, "name_th") : code));
	}
	if (pt.len)
		buf_putc(&pt, '\n');
	json_t *edited = json_object_get(terms, "edited_at");
	json_t *m =
	    json_pack("{s:s, s:O, s:o, s:s, s:s, s:I, s:I, s:o, s:O, s:[], s:{}}", "page_title",
	              "คำค้นและคำพ้องของการค้นหาบริการ", "synonyms", json_object_get(terms, "synonyms"),
	              "phrases", phrases, "synonyms_text", buf_str(&st), "phrases_text", buf_str(&pt),
	              "synonym_count", (json_int_t)json_array_size(json_object_get(terms, "synonyms")),
	              "phrase_count", (json_int_t)json_array_size(json_object_get(terms, "phrases")),
	              "edited_th", portal_time_th(edited), "edited_by",
	              json_object_get(terms, "edited_by") ? json_object_get(terms, "edited_by") : json_null(),
	              "errors", "errors_by_field");
	buf_cleanup(&st);
	buf_cleanup(&pt);
	return m;
}

static void search_terms(struct req *r)
{
	json_t *terms = db_search_terms(app->db);
	if (!terms) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	json_t *m = terms_model(portal_snap_req(r), terms);
	json_decref(terms);
	if (req_query(r, "saved"))
		json_object_set_new(m, "notice", json_string("บันทึกคำค้นและคำพ้องแล้ว การค้นหาใช้คำชุดใหม่แล้ว"));
	reply_model(r, 200, "admin_search", m);
}

/* Checks one entry's text (the rules' message with where it is) into out. */
static bool term_text(json_t *errors, const char *field, const char *where, const char *in, char *out)
{
	const char *fault = eservice_search_text_check(in ? in : "", out, ESVC_SEARCH_PHRASE_MAX + 1);
	if (fault) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s: %s", where, fault);
		web_field_error(errors, field, msg);
	}
	return !fault;
}

/* Adds {phrase, service_code} for every code in codes (a JSON array of
 * strings), each a service of the catalogue. */
static void term_services(struct portal_snap *s, json_t *errors, const char *where, const char *phrase,
                          json_t *codes, json_t *out)
{
	size_t i;
	json_t *c;
	if (!json_array_size(codes)) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s: กรุณาระบุรหัสบริการอย่างน้อยหนึ่งบริการ", where);
		web_field_error(errors, "phrases", msg);
	}
	json_array_foreach(codes, i, c)
	{
		const char *code = json_string_value(c);
		if (!code || !portal_snap_service(s, code)) {
			char msg[512];
			snprintf(msg, sizeof msg, "%s: ไม่พบบริการรหัส \"%.*s\" ในแคตตาล็อก", where,
			         portal_utf8_prefix(code ? code : "", 60), code ? code : "");
			web_field_error(errors, "phrases", msg);
			continue;
		}
		json_array_append_new(out, json_pack("{s:s, s:s}", "phrase", phrase, "service_code", code));
	}
}

/* "a = b" lines of a box: calls fn with the two sides of each non-blank line. */
static void term_lines(const char *text, json_t *errors, const char *field, const char *shape,
                       void (*fn)(const char *left, const char *right, const char *where, void *arg),
                       void *arg)
{
	size_t line = 0;
	for (const char *p = text ? text : ""; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		char *l = xstrndup(p, n);
		p += n + (nl ? 1 : 0);
		char where[64];
		snprintf(where, sizeof where, "บรรทัดที่ %zu", line);
		bool blank = strspn(l, " \t\r") == strlen(l);
		char *eq = strchr(l, '=');
		if (!blank && !eq) {
			char msg[512];
			snprintf(msg, sizeof msg, "%s: ต้องเขียนเป็น %s", where, shape);
			web_field_error(errors, field, msg);
		} else if (!blank) {
			*eq = '\0';
			fn(l, eq + 1, where, arg);
		}
		free(l);
	}
}

struct terms_in {
	struct portal_snap *s;
	json_t *errors, *synonyms, *phrases;
};

static void synonym_line(const char *left, const char *right, const char *where, void *arg)
{
	struct terms_in *in = arg;
	char word[ESVC_SEARCH_PHRASE_MAX + 1], term[ESVC_SEARCH_PHRASE_MAX + 1];
	bool ok_word = term_text(in->errors, "synonyms", where, left, word);
	bool ok_term = term_text(in->errors, "synonyms", where, right, term);
	if (ok_word && ok_term)
		json_array_append_new(in->synonyms, json_pack("{s:s, s:s}", "word", word, "term", term));
}

static void phrase_line(const char *left, const char *right, const char *where, void *arg)
{
	struct terms_in *in = arg;
	char phrase[ESVC_SEARCH_PHRASE_MAX + 1];
	if (!term_text(in->errors, "phrases", where, left, phrase))
		return;
	json_t *codes = json_array();
	for (const char *p = right; *p;) {
		p += strspn(p, " \t\r,");
		size_t n = strcspn(p, " \t\r,");
		if (n)
			json_array_append_new(codes, json_stringn(p, n));
		p += n;
	}
	term_services(in->s, in->errors, where, phrase, codes, in->phrases);
	json_decref(codes);
}

static void search_terms_save(struct req *r)
{
	const struct session_user *u = web_user(r);
	struct portal_snap *s = portal_snap_req(r);
	struct terms_in in = {s, json_array(), json_array(), json_array()};
	if (req_is_json_body(r)) {
		json_t *body = req_json(r);
		json_t *syn = json_object_get(body, "synonyms"), *ph = json_object_get(body, "phrases");
		if (!json_is_array(syn))
			web_field_error(in.errors, "synonyms",
			                "synonyms ต้องเป็นรายการ [{\"word\": …, \"term\": …}] ([] = ไม่มี)");
		if (!json_is_array(ph))
			web_field_error(
			    in.errors, "phrases",
			    "phrases ต้องเป็นรายการ [{\"phrase\": …, \"services\": [รหัสบริการ]}] ([] = ไม่มี)");
		size_t i;
		json_t *e;
		json_array_foreach(syn, i, e)
		{
			char where[64], word[ESVC_SEARCH_PHRASE_MAX + 1], term[ESVC_SEARCH_PHRASE_MAX + 1];
			snprintf(where, sizeof where, "รายการที่ %zu", i + 1);
			bool ok_word = term_text(in.errors, "synonyms", where,
			                         json_string_value(json_object_get(e, "word")), word);
			bool ok_term = term_text(in.errors, "synonyms", where,
			                         json_string_value(json_object_get(e, "term")), term);
			if (ok_word && ok_term)
				json_array_append_new(in.synonyms,
				                      json_pack("{s:s, s:s}", "word", word, "term", term));
		}
		json_array_foreach(ph, i, e)
		{
			char where[64], phrase[ESVC_SEARCH_PHRASE_MAX + 1];
			snprintf(where, sizeof where, "รายการที่ %zu", i + 1);
			if (!term_text(in.errors, "phrases", where,
			               json_string_value(json_object_get(e, "phrase")), phrase))
				continue;
			json_t *codes = json_object_get(e, "services");
			json_t *one = json_is_string(json_object_get(e, "service_code"))
			                  ? json_pack("[O]", json_object_get(e, "service_code"))
			                  : json_incref(json_is_array(codes) ? codes : NULL);
			term_services(s, in.errors, where, phrase, one, in.phrases);
			json_decref(one);
		}
	} else {
		term_lines(req_form(r, "synonyms"), in.errors, "synonyms", "คำที่ประชาชนใช้ = คำในชื่อบริการ",
		           synonym_line, &in);
		term_lines(req_form(r, "phrases"), in.errors, "phrases",
		           "คำหรือวลีที่ประชาชนใช้ = รหัสบริการ, รหัสบริการ", phrase_line, &in);
	}
	if (json_array_size(in.synonyms) > ESVC_SEARCH_TERMS_MAX)
		web_field_error(in.errors, "synonyms", "คำพ้องมากเกิน 5,000 รายการ");
	if (json_array_size(in.phrases) > ESVC_SEARCH_TERMS_MAX)
		web_field_error(in.errors, "phrases", "วลีที่ประชาชนใช้มากเกิน 5,000 รายการ");
	int rc = DB_OK;
	if (!json_array_size(in.errors)) {
		rc = db_search_terms_set(app->db, in.synonyms, in.phrases, u->id, (int64_t)time(NULL));
		if (rc == DB_CONSTRAINT) /* a service deleted meanwhile */
			web_field_error(in.errors, "phrases", "มีรหัสบริการที่ไม่อยู่ในแคตตาล็อก");
	}
	json_decref(in.synonyms);
	json_decref(in.phrases);
	if (json_array_size(in.errors)) {
		json_t *terms = db_search_terms(app->db);
		json_t *m = terms_model(s, terms ? terms : json_object());
		json_decref(terms);
		/* The boxes keep what was typed. */
		const char *st = req_form(r, "synonyms"), *pt = req_form(r, "phrases");
		if (st)
			json_object_set_new(m, "synonyms_text", json_string(st));
		if (pt)
			json_object_set_new(m, "phrases_text", json_string(pt));
		web_attach_errors(m, in.errors);
		reply_invalid(r, "admin_search", m, in.errors);
		return;
	}
	json_decref(in.errors);
	if (rc != DB_OK) {
		reply_error(r, rc == DB_BUSY ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL, NULL);
		return;
	}
	portal_changed();
	if (web_wants_json(r)) {
		json_t *terms = db_search_terms(app->db);
		if (!terms) {
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		reply_json(r, 200, terms);
		return;
	}
	reply_redirect(r, 303, "/admin/search?saved=1");
}

const struct route catalogue_routes[] = {
    /* Every staff member may read the catalogue with its change histories (the
     * public pages, cached for everyone, do not link to them); only national
     * admins change it. */
    {HTTP_GET, "/admin/services", ROLE_OFFICER, 0, admin_services, "catalogue.admin", &scope_none},
    {HTTP_GET, "/services/new", ROLE_NATIONAL_ADMIN, 0, service_new, "catalogue.new", &scope_national},
    {HTTP_POST, "/services", ROLE_NATIONAL_ADMIN, 0, service_create, "catalogue.create", &scope_national},
    {HTTP_GET, "/services/{code}/edit", ROLE_NATIONAL_ADMIN, 0, service_edit, "catalogue.edit",
     &scope_national},
    {HTTP_POST, "/services/{code}", ROLE_NATIONAL_ADMIN, 0, service_update, "catalogue.update",
     &scope_national},
    {HTTP_POST, "/services/{code}/move", ROLE_NATIONAL_ADMIN, 0, service_move, "catalogue.move",
     &scope_national},
    {HTTP_GET, "/services/{code}/history", ROLE_OFFICER, 0, service_history, "catalogue.history",
     &scope_none},
    {HTTP_GET, "/admin/search", ROLE_NATIONAL_ADMIN, 0, search_terms, "catalogue.search_terms",
     &scope_national},
    {HTTP_POST, "/admin/search", ROLE_NATIONAL_ADMIN, 0, search_terms_save, "catalogue.search_terms_save",
     &scope_national},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
