/* /orders: official orders (คำสั่ง) of an issuing office, issue 11.
 *
 * A draft made from {"kind": …} alone is complete: the subject and body from
 * the template (the province's adaptation, else the nation's, else the
 * shipped wording of core/orders, rendered with render/mustache), the signer
 * from the office's settings (with the acting-capacity lines), the duty
 * order's period from the current month and its annex from that month's
 * roster (an empty roster is a warning, not a refusal). A draft is edited
 * until it is issued; issuing numbers it (db_order_issue: per office, per
 * B.E. calendar year, gap-free, unique under concurrent issues) and from then
 * on it never changes (409 order-issued): a correction is a new order that
 * amends or cancels it, and both show the link. The register lists an
 * office's orders, searchable in Thai, as a page, JSON and XLSX; every order
 * prints on the official layout (render/order_pdf.c). Drafting and issuing
 * are the office's own admins' (core order_may_write). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/orders.h"
#include "core/perm.h"
#include "core/roster.h"
#include "db/db.h"
#include "db/orders.h"
#include "db/roster.h"
#include "db/units.h"
#include "http/http.h"
#include "lib/thai.h"
#include "render/export.h"
#include "render/mustache.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/web.h"

#define ORDER_PDF_MAX (8u << 20)
#define TEXT_MAX      (64u << 10)
#define SUBJECT_MAX   1000
#define TEMPLATE_ERR  256

static int64_t actor(struct req *r)
{
	const struct session_user *u = web_user(r);
	return u ? u->id : 0;
}

static void today(struct civil_day *d)
{
	if (thai_epoch_day((int64_t)time(NULL), d) != 0)
		*d = (struct civil_day){2000, 1, 1};
}

static json_t *number_json(json_int_t n, json_int_t y, bool thai)
{
	if (n <= 0 || y <= 0)
		return json_string("");
	struct buf b;
	buf_init(&b, 64);
	order_number_format(&b, (long)n, (int)y, thai);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

static json_t *date_full(const char *iso, bool thai)
{
	struct civil_day d;
	struct buf b;
	buf_init(&b, 128);
	if (iso && thai_day_parse(iso, &d) == 0) {
		char s[128];
		snprintf(s, sizeof s, "%d %s พ.ศ. %d", d.d, thai_month_name(d.m), thai_year_be(d.y));
		if (!thai || thai_digits_from_ascii_buf(&b, s) < 0)
			buf_puts(&b, s);
	}
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

/* ---- the office and its wording ---- */

struct office {
	json_t *unit;
	char office_th[256], name[160], province[160], province_code[8], place[320];
	bool district;
};

/* Loads office code; false when there is no such unit. */
static bool office_load(const char *code, struct office *o)
{
	memset(o, 0, sizeof *o);
	o->unit = db_unit_find(app->db, code);
	if (!o->unit)
		return false;
	int level = (int)json_integer_value(json_object_get(o->unit, "level"));
	o->district = level == UNIT_LEVEL_DISTRICT;
	snprintf(o->name, sizeof o->name, "%s", web_str(o->unit, "name_th"));
	json_t *parent = json_object_get(o->unit, "parent");
	if (o->district) {
		snprintf(o->province, sizeof o->province, "%s", web_str(parent, "name_th"));
		snprintf(o->province_code, sizeof o->province_code, "%s", web_str(parent, "code"));
		snprintf(o->office_th, sizeof o->office_th, "%s%s", web_level_label(level, code), o->name);
		snprintf(o->place, sizeof o->place, "ศูนย์ดำรงธรรมอำเภอ%s", o->name);
	} else {
		snprintf(o->province, sizeof o->province, "%s", o->name);
		snprintf(o->province_code, sizeof o->province_code, "%s", code);
		snprintf(o->office_th, sizeof o->office_th, "จังหวัด%s", o->name);
		snprintf(o->place, sizeof o->place, "ศูนย์ดำรงธรรมจังหวัด%s", o->name);
	}
	return true;
}

static void office_cleanup(struct office *o)
{
	json_decref(o->unit);
}

/* Renders a template text with ctx into a new string; NULL with err. */
static char *fill(const char *src, json_t *ctx, char err[TEMPLATE_ERR])
{
	struct buf b;
	buf_init(&b, TEXT_MAX);
	if (tpl_render_string(src, strlen(src), ctx, NULL, &b, err, TEMPLATE_ERR) != 0) {
		buf_cleanup(&b);
		return NULL;
	}
	size_t n;
	return buf_detach(&b, &n);
}

/* The period's words: "ประจำเดือนธันวาคม พ.ศ. 2569" and the effective line,
 * or none ('') and "ตั้งแต่บัดนี้เป็นต้นไป". */
static void period_words(const char *period, char *label, size_t lcap, char *effective, size_t ecap)
{
	int y, m;
	if (period && roster_month_parse(period, &y, &m) == 0) {
		snprintf(label, lcap, "ประจำเดือน%s พ.ศ. %d", thai_month_name(m), thai_year_be(y));
		snprintf(effective, ecap, "ตั้งแต่วันที่ 1 %s พ.ศ. %d ถึงวันที่ %d %s พ.ศ. %d", thai_month_name(m),
		         thai_year_be(y), thai_month_days(y, m), thai_month_name(m), thai_year_be(y));
	} else {
		label[0] = '\0';
		snprintf(effective, ecap, "ตั้งแต่บัดนี้เป็นต้นไป");
	}
}

/* The annex of a duty order: rows [date, name, position, duty] from the
 * roster of period (a month) or its weekly pattern (''). */
static json_t *annex_rows(const char *office, const char *period)
{
	json_t *rows = json_array();
	int y, m;
	bool month = period && roster_month_parse(period, &y, &m) == 0;
	if (!month) {
		struct civil_day d;
		today(&d);
		y = d.y;
		m = d.m;
	}
	char first[THAI_ISO_DAY_SIZE], last[THAI_ISO_DAY_SIZE];
	thai_day_iso((struct civil_day){y, m, 1}, first);
	thai_day_iso((struct civil_day){y, m, thai_month_days(y, m)}, last);
	json_t *data = db_roster_month(app->db, office, first, last);
	if (!data)
		return rows;
	json_t *people = json_object_get(data, "people"), *times = json_object_get(data, "times"), *e, *p;
	size_t i, j;
	json_t *list = json_object_get(data, month ? "duties" : "pattern");
	json_array_foreach(list, i, e)
	{
		if (month && strcmp(web_str(e, "status"), "on"))
			continue;
		json_t *who = NULL;
		json_array_foreach(people, j, p) if (json_integer_value(json_object_get(p, "id")) ==
		                                     json_integer_value(json_object_get(e, "person_id")))
		    who = p;
		int sh = roster_shift_parse(web_str(e, "shift"));
		json_t *t = json_object_get(times, web_str(e, "shift"));
		char duty[128], when[128];
		snprintf(duty, sizeof duty, "%s %s–%s น.", roster_shift_label(sh),
		         json_string_value(json_array_get(t, 0)), json_string_value(json_array_get(t, 1)));
		if (month) {
			struct civil_day d;
			struct buf b;
			buf_init(&b, 64);
			if (thai_day_parse(web_str(e, "day"), &d) == 0)
				thai_date_format(&b, d.y, d.m, d.d, THAI_DATE_SHORT, false);
			snprintf(when, sizeof when, "%s", buf_str(&b));
			buf_cleanup(&b);
		} else {
			snprintf(when, sizeof when, "ทุกวัน%s",
			         thai_weekday_name((int)json_integer_value(json_object_get(e, "weekday"))));
		}
		json_array_append_new(rows, json_pack("[s, s, s, s]", when, web_str(who, "name_th"),
		                                      web_str(who, "position_th"), duty));
	}
	json_decref(data);
	return rows;
}

/* ---- the model ---- */

static const char *status_label(const char *s, bool cancelled)
{
	if (cancelled)
		return "ยกเลิกแล้ว";
	if (!strcmp(s, "issued"))
		return "ออกคำสั่งแล้ว";
	if (!strcmp(s, "withdrawn"))
		return "ยกเลิกร่าง";
	return "ร่าง";
}

static void link_model(json_t *l)
{
	json_object_set_new(
	    l, "href", json_sprintf("/orders/%lld", (long long)json_integer_value(json_object_get(l, "id"))));
	json_object_set_new(l, "number_th",
	                    number_json(json_integer_value(json_object_get(l, "number")),
	                                json_integer_value(json_object_get(l, "year_be")), true));
}

/* The signer's lines as printed: "(name)", position [capacity], [for]. */
static json_t *signer_lines(json_t *o)
{
	json_t *l = json_array();
	const char *name = web_str(o, "signer_name"),
	           *cap = order_capacity_words(web_str(o, "signer_capacity"));
	json_array_append_new(l, *name ? json_sprintf("(%s)", name)
	                               : json_string("(                              )"));
	json_array_append_new(l, cap && *cap ? json_sprintf("%s %s", web_str(o, "signer_position"), cap)
	                                     : json_string(web_str(o, "signer_position")));
	if (cap && *cap && *web_str(o, "signer_for"))
		json_array_append_new(l, json_string(web_str(o, "signer_for")));
	return l;
}

/* Turns an order row (db_order_get) into the model, adding links, Thai
 * forms and what the user may do. Takes ownership of o. */
static json_t *order_model(struct req *r, json_t *o)
{
	const struct session_user *u = web_user(r);
	bool cancelled = false;
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(o, "cancelled_by"), i, l)
	{
		link_model(l);
		cancelled = cancelled || !strcmp(web_str(l, "status"), "issued");
	}
	json_array_foreach(json_object_get(o, "amended_by"), i, l) link_model(l);
	if (json_is_object(json_object_get(o, "amends_order")))
		link_model(json_object_get(o, "amends_order"));
	if (json_is_object(json_object_get(o, "cancels_order")))
		link_model(json_object_get(o, "cancels_order"));
	json_int_t n = json_integer_value(json_object_get(o, "number")),
	           y = json_integer_value(json_object_get(o, "year_be"));
	json_object_set_new(o, "number_int", json_integer(n));
	json_object_set_new(o, "number", number_json(n, y, false));
	json_object_set_new(o, "number_th", number_json(n, y, true));
	json_object_set_new(o, "date_th", date_full(web_str(o, "issued_on"), true));
	const char *status = web_str(o, "status");
	json_object_set_new(o, "cancelled", json_boolean(cancelled));
	json_object_set_new(o, "status_label", json_string(status_label(status, cancelled)));
	json_object_set_new(o, "is_draft", json_boolean(!strcmp(status, "draft")));
	json_object_set_new(o, "is_issued", json_boolean(!strcmp(status, "issued")));
	json_object_set_new(o, "kind_label",
	                    json_string(order_kind_label(order_kind_parse(web_str(o, "kind")))));
	char pl[128], eff[256];
	period_words(web_str(o, "period"), pl, sizeof pl, eff, sizeof eff);
	json_object_set_new(o, "period_th", json_string(*pl ? pl : eff));
	json_error_t je;
	json_t *annex = json_loads(web_str(o, "annex"), 0, &je);
	json_object_set_new(o, "annex", json_is_array(annex) ? annex : json_array());
	if (!json_is_array(annex))
		json_decref(annex);
	json_t *rows = json_array();
	json_array_foreach(json_object_get(o, "annex"), i, l)
	    json_array_append_new(rows, json_pack("{s:O, s:O, s:O, s:O}", "date", json_array_get(l, 0),
	                                          "name", json_array_get(l, 1), "position",
	                                          json_array_get(l, 2), "duty", json_array_get(l, 3)));
	json_object_set_new(o, "has_annex", json_boolean(!strcmp(web_str(o, "kind"), "duty")));
	json_object_set_new(o, "annex_rows", rows);
	json_object_set_new(o, "signer_lines", signer_lines(o));
	json_object_set_new(
	    o, "can_write",
	    json_boolean(u && order_may_write(u->role, u->unit_code, web_str(o, "office_code"))));
	long long id = (long long)json_integer_value(json_object_get(o, "id"));
	json_object_set_new(o, "links",
	                    json_pack("{s:o, s:o}", "self", json_sprintf("/orders/%lld", id), "pdf",
	                              json_sprintf("/orders/%lld.pdf", id)));
	json_object_set_new(o, "page_title", json_string(web_str(o, "subject")));
	return o;
}

/* Loads order {id} (already scope-checked); NULL after replying. */
static json_t *load(struct req *r)
{
	const char *s = req_param(r, "id");
	char *end;
	long long id = s ? strtoll(s, &end, 10) : 0;
	int rc = DB_DONE;
	json_t *o = s && *s && !*end && id > 0 ? db_order_get(app->db, id, &rc) : NULL;
	if (!o)
		reply_error(r, rc < 0 ? ERR_UNAVAILABLE : ERR_ORDER_NOT_FOUND, "id", NULL);
	return o;
}

static bool writer(struct req *r, const char *office)
{
	const struct session_user *u = web_user(r);
	if (u && order_may_write(u->role, u->unit_code, office))
		return true;
	reply_error(r,
	            order_office_valid(u ? u->unit_code : "") ? ERR_ORDER_READ_ONLY : ERR_ORDER_OFFICE_ONLY,
	            NULL, NULL);
	return false;
}

/* ---- drafting ---- */

/* The subject and body of kind for office from the templates; false after
 * replying. *subject and *body are heap strings. */
static bool wording(struct req *r, const struct office *of, int kind, const char *period, size_t people,
                    char **subject, char **body)
{
	int rc;
	json_t *t = db_order_template_get(app->db, of->province_code, order_kind_name(kind), &rc);
	if (rc < 0) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return false;
	}
	char pl[128], eff[256], err[TEMPLATE_ERR];
	period_words(period, pl, sizeof pl, eff, sizeof eff);
	json_t *ctx =
	    json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I}", "office", of->office_th, "district", of->name,
	              "province", of->province, "place", of->place, "period",
	              *pl ? json_string(pl) : json_null(), "effective", eff, "people", (json_int_t)people);
	*subject = fill(t ? web_str(t, "subject") : order_default_subject(kind), ctx, err);
	*body = *subject ? fill(t ? web_str(t, "body") : order_default_body(kind), ctx, err) : NULL;
	json_decref(ctx);
	json_decref(t);
	if (!*subject || !*body) {
		free(*subject);
		reply_error(r, ERR_ORDER_TEMPLATE_INVALID, "template", err);
		return false;
	}
	return true;
}

static void created(struct req *r, int64_t id, json_t *warnings)
{
	int rc;
	json_t *o = db_order_get(app->db, id, &rc);
	if (!o) {
		json_decref(warnings);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	json_t *m = order_model(r, o);
	json_object_set_new(m, "warnings", warnings);
	if (web_wants_json(r)) {
		reply_json(r, 201, m);
		return;
	}
	json_decref(m);
	char loc[64];
	snprintf(loc, sizeof loc, "/orders/%lld", (long long)id);
	reply_redirect(r, 303, loc);
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
	return *s && !*end ? n : -1;
}

/* A correction of issued order target: a draft that cancels (or amends)
 * it. Replies. */
static void correction(struct req *r, int64_t target, bool cancel)
{
	int rc;
	json_t *t = db_order_get(app->db, target, &rc);
	if (!t) {
		reply_error(r, rc < 0 ? ERR_UNAVAILABLE : ERR_ORDER_NOT_FOUND, cancel ? "cancels" : "amends",
		            NULL);
		return;
	}
	const char *office = web_str(t, "office_code");
	if (!writer(r, office)) {
		json_decref(t);
		return;
	}
	bool issued = !strcmp(web_str(t, "status"), "issued"), is_cancelled = false;
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(t, "cancelled_by"), i, l) is_cancelled |=
	    !strcmp(web_str(l, "status"), "issued");
	if (!issued || is_cancelled) {
		json_decref(t);
		reply_error(r,
		            !issued && strcmp(web_str(t, "status"), "withdrawn") ? ERR_ORDER_NOT_ISSUED
		                                                                 : ERR_ORDER_CANCELLED,
		            NULL, NULL);
		return;
	}
	struct office of;
	if (!office_load(office, &of)) {
		json_decref(t);
		reply_error(r, ERR_NOT_FOUND, NULL, NULL);
		return;
	}
	struct buf num, subject, body;
	buf_init(&num, 64);
	buf_init(&subject, 0);
	buf_init(&body, 0);
	order_number_format(&num, (long)json_integer_value(json_object_get(t, "number")),
	                    (int)json_integer_value(json_object_get(t, "year_be")), false);
	json_t *date = date_full(web_str(t, "issued_on"), false);
	int kind = order_kind_parse(web_str(t, "kind"));
	char *tsub = NULL, *tbody = NULL;
	bool ok = true;
	if (cancel) {
		buf_printf(&subject, "ยกเลิกคำสั่ง%s ที่ %s เรื่อง %s", of.office_th, buf_str(&num),
		           web_str(t, "subject"));
		buf_printf(&body,
		           "ตามคำสั่ง%s ที่ %s ลงวันที่ %s เรื่อง %s นั้น\n\nบัดนี้ เห็นสมควรยกเลิกคำสั่งดังกล่าว "
		           "จึงให้ยกเลิกคำสั่ง%s ที่ %s ลงวันที่ %s\n\nทั้งนี้ ตั้งแต่บัดนี้เป็นต้นไป",
		           of.office_th, buf_str(&num), json_string_value(date), web_str(t, "subject"),
		           of.office_th, buf_str(&num), json_string_value(date));
	} else {
		ok = wording(r, &of, kind, web_str(t, "period"), json_array_size(json_object_get(t, "annex")),
		             &tsub, &tbody);
		if (ok) {
			buf_printf(&subject, "แก้ไขคำสั่ง%s ที่ %s เรื่อง %s", of.office_th, buf_str(&num),
			           web_str(t, "subject"));
			buf_printf(&body,
			           "ตามคำสั่ง%s ที่ %s ลงวันที่ %s เรื่อง %s นั้น เพื่อให้การปฏิบัติงานเป็นไปด้วยความเรียบร้อย "
			           "จึงให้แก้ไขคำสั่งดังกล่าว ดังนี้\n\n%s",
			           of.office_th, buf_str(&num), json_string_value(date),
			           web_str(t, "subject"), tbody);
		}
	}
	int64_t id = 0;
	if (ok) {
		struct order_fields f = {buf_str(&subject),
		                         buf_str(&body),
		                         web_str(t, "period"),
		                         web_str(t, "annex"),
		                         web_str(t, "signer_name"),
		                         web_str(t, "signer_position"),
		                         web_str(t, "signer_capacity"),
		                         web_str(t, "signer_for")};
		/* The signer of today, when the office has one set. */
		json_t *s = db_order_signer_get(app->db, office, &rc);
		if (s) {
			f.signer_name = web_str(s, "name_th");
			f.signer_position = web_str(s, "position_th");
			f.signer_capacity = web_str(s, "capacity");
			f.signer_for = web_str(s, "for_position");
		}
		rc = db_order_create(app->db, office, web_str(t, "kind"), &f, cancel ? 0 : target,
		                     cancel ? target : 0, actor(r), &id);
		json_decref(s);
		if (rc != DB_OK)
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
	}
	free(tsub);
	free(tbody);
	json_decref(date);
	buf_cleanup(&num);
	buf_cleanup(&subject);
	buf_cleanup(&body);
	office_cleanup(&of);
	json_decref(t);
	if (ok && id)
		created(r, id, json_array());
}

static void order_create(struct req *r)
{
	int64_t cancels = int_field(r, "cancels"), amends = int_field(r, "amends");
	if (cancels > 0 || amends > 0) {
		correction(r, cancels > 0 ? cancels : amends, cancels > 0);
		return;
	}
	const char *office = web_scope_unit(r);
	if (!order_office_valid(office)) {
		reply_error(r, ERR_ORDER_OFFICE_ONLY, NULL, NULL);
		return;
	}
	if (!writer(r, office))
		return;
	int kind = order_kind_parse(web_field(r, "kind"));
	if (kind < 0) {
		reply_error(r, ERR_BAD_FIELD, "kind", "kind ต้องเป็น establishment หรือ duty");
		return;
	}
	/* The duty order's period: "YYYY-MM", "" (from now on), default this month. */
	char period[16] = "";
	json_t *j = req_json(r);
	bool given = (j && json_is_string(json_object_get(j, "period"))) || req_form(r, "period");
	const char *ps = web_field(r, "period");
	int y, m;
	if (kind == ORDER_DUTY) {
		if (given && *ps && roster_month_parse(ps, &y, &m) != 0) {
			reply_error(r, ERR_BAD_FIELD, "period",
			            "period ต้องเป็นเดือน YYYY-MM หรือว่าง (ตั้งแต่บัดนี้เป็นต้นไป)");
			return;
		}
		if (given)
			snprintf(period, sizeof period, "%s", ps);
		else {
			struct civil_day d;
			today(&d);
			snprintf(period, sizeof period, "%04d-%02d", d.y, d.m);
		}
	}
	struct office of;
	if (!office_load(office, &of)) {
		reply_error(r, ERR_NOT_FOUND, NULL, NULL);
		return;
	}
	json_t *warnings = json_array();
	json_t *annex = kind == ORDER_DUTY ? annex_rows(office, period) : json_array();
	if (kind == ORDER_DUTY && !json_array_size(annex))
		json_array_append_new(warnings, json_string("ยังไม่มีเวรในทะเบียนเวรของช่วงนี้ บัญชีแนบท้ายคำสั่งจึงว่าง"));
	char *subject = NULL, *body = NULL;
	if (!wording(r, &of, kind, period, json_array_size(annex), &subject, &body)) {
		json_decref(annex);
		json_decref(warnings);
		office_cleanup(&of);
		return;
	}
	int rc;
	json_t *s = db_order_signer_get(app->db, office, &rc);
	char position[256];
	snprintf(position, sizeof position, "%s%s", of.district ? "นายอำเภอ" : "ผู้ว่าราชการจังหวัด", of.name);
	if (!s || !*web_str(s, "name_th"))
		json_array_append_new(warnings,
		                      json_string("ยังไม่ได้ตั้งชื่อผู้ลงนามของหน่วยงาน (POST /orders/signer)"));
	char *annex_text = json_dumps(annex, JSON_COMPACT);
	struct order_fields f = {subject,
	                         body,
	                         period,
	                         annex_text,
	                         s ? web_str(s, "name_th") : "",
	                         s && *web_str(s, "position_th") ? web_str(s, "position_th") : position,
	                         s ? web_str(s, "capacity") : "",
	                         s ? web_str(s, "for_position") : ""};
	int64_t id = 0;
	rc = db_order_create(app->db, office, order_kind_name(kind), &f, 0, 0, actor(r), &id);
	free(annex_text);
	free(subject);
	free(body);
	json_decref(s);
	json_decref(annex);
	office_cleanup(&of);
	if (rc != DB_OK) {
		json_decref(warnings);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	created(r, id, warnings);
}

/* ---- reading ---- */

static void order_show(struct req *r)
{
	json_t *o = load(r);
	if (o)
		reply_model(r, 200, "order", order_model(r, o));
}

static void order_pdf(struct req *r)
{
	json_t *o = load(r);
	if (!o)
		return;
	json_t *m = order_model(r, o);
	struct office of;
	bool have = office_load(web_str(m, "office_code"), &of);
	json_t *annex = json_null();
	if (!strcmp(web_str(m, "kind"), "duty") && have) {
		char pl[128], eff[256];
		period_words(web_str(m, "period"), pl, sizeof pl, eff, sizeof eff);
		json_t *title = json_array();
		json_array_append_new(title, json_sprintf("บัญชีแนบท้ายคำสั่ง%s", of.office_th));
		if (*web_str(m, "number"))
			json_array_append_new(title, json_sprintf("ที่ %s ลงวันที่ %s", web_str(m, "number"),
			                                          web_str(m, "date_th")));
		json_array_append_new(
		    title, json_sprintf("รายชื่อเจ้าหน้าที่ปฏิบัติหน้าที่ ณ จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service)%s%s",
		                        *pl ? " " : "", pl));
		annex = json_pack("{s:o, s:O}", "title", title, "rows", json_object_get(m, "annex"));
	}
	json_t *pm =
	    json_pack("{s:b, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:O, s:o}", "draft",
	              json_is_true(json_object_get(m, "is_draft")), "emblem",
	              app->cfg->order_emblem ? app->cfg->order_emblem : "", "office_th",
	              have ? of.office_th : "", "number", web_str(m, "number"), "year_be",
	              json_sprintf("%d", (int)(json_integer_value(json_object_get(m, "year_be"))
	                                           ? json_integer_value(json_object_get(m, "year_be"))
	                                           : 0)),
	              "subject", web_str(m, "subject"), "body", web_str(m, "body"), "date_th",
	              web_str(m, "date_th"), "signer", json_object_get(m, "signer_lines"), "annex", annex);
	if (!json_integer_value(json_object_get(m, "year_be"))) {
		struct civil_day d;
		today(&d);
		json_object_set_new(pm, "year_be", json_sprintf("%d", thai_year_be(d.y)));
	}
	struct buf b;
	buf_init(&b, ORDER_PDF_MAX);
	int rc = export_order_pdf(&b, pm);
	json_decref(pm);
	char disp[96];
	snprintf(disp, sizeof disp, "inline; filename=\"order-%lld.pdf\"",
	         (long long)json_integer_value(json_object_get(m, "id")));
	json_decref(m);
	if (have)
		office_cleanup(&of);
	if (rc < 0) {
		buf_cleanup(&b);
		reply_error(r, ERR_INTERNAL, NULL, "สร้างไฟล์ PDF ไม่ได้");
		return;
	}
	reply_header(r, "Content-Disposition", disp);
	size_t len;
	char *data = buf_detach(&b, &len);
	reply_bytes_owned(r, 200, "application/pdf", data, len);
}

static int year_param(struct req *r)
{
	const char *s = req_query(r, "year");
	if (!s || !*s)
		return 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 1900 || v > 9999)
		return -1;
	return v < 2400 ? (int)v + THAI_BE_OFFSET : (int)v;
}

static json_t *register_model(struct req *r)
{
	const char *office = web_scope_unit(r);
	int y = year_param(r);
	if (y < 0) {
		reply_error(r, ERR_BAD_FIELD, "year", "ปีไม่ถูกต้อง");
		return NULL;
	}
	const char *q = req_query(r, "q");
	struct buf qa;
	buf_init(&qa, 1024);
	/* Thai digits in the query ("๓/๒๕๖๙") find the stored number. */
	if (thai_digits_to_ascii_buf(&qa, q ? q : "") < 0 || qa.len > 200) {
		buf_cleanup(&qa);
		reply_error(r, ERR_BAD_FIELD, "q", "คำค้นยาวเกินไป");
		return NULL;
	}
	json_t *list = db_orders_list(app->db, office, buf_str(&qa), y);
	buf_cleanup(&qa);
	if (!list) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return NULL;
	}
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		link_model(o);
		json_int_t n = json_integer_value(json_object_get(o, "number")),
		           yy = json_integer_value(json_object_get(o, "year_be"));
		json_object_set_new(o, "number", number_json(n, yy, false));
		json_object_set_new(o, "date_th", date_full(web_str(o, "issued_on"), true));
		json_object_set_new(o, "status_label",
		                    json_string(status_label(web_str(o, "status"),
		                                             json_is_true(json_object_get(o, "cancelled")))));
		json_object_set_new(o, "pdf",
		                    json_sprintf("/orders/%lld.pdf",
		                                 (long long)json_integer_value(json_object_get(o, "id"))));
	}
	const struct session_user *u = web_user(r);
	struct civil_day d;
	today(&d);
	int64_t next = 1;
	db_order_counter_get(app->db, office, y ? y : thai_year_be(d.y), &next);
	json_t *m =
	    json_pack("{s:s, s:s, s:o, s:s, s:i, s:b, s:I}", "page_title", "ทะเบียนคำสั่ง", "office", office,
	              "orders", list, "q", q ? q : "", "year", y, "can_write",
	              u && order_may_write(u->role, u->unit_code, office), "next_number", (json_int_t)next);
	/* The office's signer (the form on the page shows it). */
	int src;
	json_t *sg = db_order_signer_get(app->db, office, &src);
	if (!sg)
		sg = json_pack("{s:s, s:s, s:s, s:s}", "name_th", "", "position_th", "", "capacity", "",
		               "for_position", "");
	const char *cap = web_str(sg, "capacity");
	json_object_set_new(sg, "none", json_boolean(!*cap));
	json_object_set_new(sg, "acting_for", json_boolean(!strcmp(cap, "acting_for")));
	json_object_set_new(sg, "acting_in", json_boolean(!strcmp(cap, "acting_in")));
	json_object_set_new(m, "signer", sg);
	json_object_set_new(m, "year_be", json_integer(y ? y : thai_year_be(d.y)));
	return m;
}

static void orders_index(struct req *r)
{
	json_t *m = register_model(r);
	if (m)
		reply_model(r, 200, "orders", m);
}

static void orders_xlsx(struct req *r)
{
	json_t *m = register_model(r);
	if (!m)
		return;
	json_t *rows = json_array(), *o;
	size_t i;
	json_array_foreach(json_object_get(m, "orders"), i, o) json_array_append_new(
	    rows, json_pack("[s, s, s, s, s]", web_str(o, "number_th"), web_str(o, "date_th"),
	                    web_str(o, "subject"), web_str(o, "status_label"), web_str(o, "pdf")));
	static const char *const headers[] = {"เลขที่", "ลงวันที่", "เรื่อง", "สถานะ", "PDF"};
	static const double widths[] = {12, 22, 70, 16, 20};
	struct buf b;
	buf_init(&b, 16u << 20);
	char title[96];
	snprintf(title, sizeof title, "ทะเบียนคำสั่ง หน่วยงาน %s", web_str(m, "office"));
	int rc = export_table_xlsx(&b, title, "", headers, widths, 5, rows);
	json_decref(rows);
	json_decref(m);
	if (rc < 0) {
		buf_cleanup(&b);
		reply_error(r, ERR_INTERNAL, NULL, "สร้างไฟล์ไม่ได้");
		return;
	}
	reply_header(r, "Content-Disposition", "attachment; filename=\"orders.xlsx\"");
	size_t len;
	char *data = buf_detach(&b, &len);
	reply_bytes_owned(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data,
	                  len);
}

/* ---- edits, issue, cancel ---- */

static const char *opt_field(struct req *r, const char *name)
{
	json_t *j = req_json(r);
	if ((j && json_is_string(json_object_get(j, name))) || req_form(r, name))
		return web_field(r, name);
	return NULL;
}

static void after_write(struct req *r, int64_t id, int status)
{
	int rc;
	json_t *o = db_order_get(app->db, id, &rc);
	if (!o) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (web_wants_json(r)) {
		json_t *m = order_model(r, o);
		/* An issued order's answer without its number (a text that could not
		 * be formatted) is not a success: the order is stored, the answer
		 * failed (a reload shows it). */
		if (!m || (!strcmp(web_str(m, "status"), "issued") &&
		           (!*web_str(m, "number") || !*web_str(m, "number_th")))) {
			json_decref(m);
			reply_error(r, ERR_INTERNAL, NULL, NULL);
			return;
		}
		reply_json(r, status, m);
		return;
	}
	json_decref(o);
	char loc[64];
	snprintf(loc, sizeof loc, "/orders/%lld", (long long)id);
	reply_redirect(r, 303, loc);
}

static void order_update(struct req *r)
{
	json_t *o = load(r);
	if (!o)
		return;
	int64_t id = json_integer_value(json_object_get(o, "id"));
	bool ok = writer(r, web_str(o, "office_code"));
	char status[16];
	snprintf(status, sizeof status, "%s", web_str(o, "status"));
	bool duty = !strcmp(web_str(o, "kind"), "duty");
	char office[16];
	snprintf(office, sizeof office, "%s", web_str(o, "office_code"));
	json_decref(o);
	if (!ok)
		return;
	if (strcmp(status, "draft")) {
		reply_error(r, !strcmp(status, "issued") ? ERR_ORDER_ISSUED : ERR_ORDER_CANCELLED, NULL,
		            NULL);
		return;
	}
	struct order_fields f = {opt_field(r, "subject"),         opt_field(r, "body"),
	                         opt_field(r, "period"),          NULL,
	                         opt_field(r, "signer_name"),     opt_field(r, "signer_position"),
	                         opt_field(r, "signer_capacity"), opt_field(r, "signer_for")};
	int y, m;
	if ((f.subject && (!*f.subject || strlen(f.subject) > SUBJECT_MAX)) ||
	    (f.body && strlen(f.body) > TEXT_MAX)) {
		reply_error(r, ERR_BAD_FIELD, f.subject && !*f.subject ? "subject" : "body",
		            "ข้อความว่างหรือยาวเกินไป");
		return;
	}
	if (f.period && *f.period && roster_month_parse(f.period, &y, &m) != 0) {
		reply_error(r, ERR_BAD_FIELD, "period", "period ต้องเป็นเดือน YYYY-MM หรือว่าง");
		return;
	}
	if (f.signer_capacity && !order_capacity_words(f.signer_capacity)) {
		reply_error(r, ERR_BAD_FIELD, "signer_capacity", "ต้องเป็น \"\", acting_for หรือ acting_in");
		return;
	}
	char *annex = NULL;
	json_t *j = req_json(r);
	bool refresh = (j && json_is_true(json_object_get(j, "refresh_annex"))) ||
	               !strcmp(web_field(r, "refresh_annex"), "1");
	if (duty && (f.period || refresh)) {
		json_t *rows = annex_rows(office, f.period ? f.period : "");
		annex = json_dumps(rows, JSON_COMPACT);
		json_decref(rows);
		f.annex = annex;
	}
	char now_status[16] = "";
	int rc = db_order_update(app->db, id, &f, actor(r), now_status);
	free(annex);
	if (rc == DB_CONFLICT) {
		reply_error(r, !strcmp(now_status, "issued") ? ERR_ORDER_ISSUED : ERR_ORDER_CANCELLED, NULL,
		            NULL);
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, rc == DB_NOT_FOUND ? ERR_ORDER_NOT_FOUND : ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	after_write(r, id, 200);
}

static void order_issue(struct req *r)
{
	json_t *o = load(r);
	if (!o)
		return;
	int64_t id = json_integer_value(json_object_get(o, "id"));
	bool ok = writer(r, web_str(o, "office_code"));
	json_decref(o);
	if (!ok)
		return;
	int64_t number = int_field(r, "number");
	json_t *j = req_json(r);
	if ((j && json_object_get(j, "number") && !json_is_integer(json_object_get(j, "number"))) ||
	    (number == -1 && *web_field(r, "number")) || number == 0 || number > 1000000) {
		reply_error(r, ERR_BAD_FIELD, "number", "เลขที่คำสั่งต้องเป็นจำนวนเต็มบวก");
		return;
	}
	if (number < 0)
		number = 0;
	/* "สั่ง ณ วันที่": today (Bangkok) unless given. */
	char day[THAI_ISO_DAY_SIZE];
	const char *ds = web_field(r, "date");
	if (*ds) {
		struct civil_time t;
		if (thai_when_parse(ds, &t) != THAI_WHEN_DAY ||
		    thai_day_iso((struct civil_day){t.y, t.m, t.d}, day)) {
			reply_error(r, ERR_BAD_FIELD, "date", "วันที่ไม่ถูกต้อง");
			return;
		}
	} else {
		struct civil_day d;
		today(&d);
		thai_day_iso(d, day);
	}
	int64_t got = 0;
	int year = 0;
	enum order_issue_refusal why = ORDER_ISSUE_OK;
	int rc = db_order_issue(app->db, id, day, number, actor(r), &got, &year, &why);
	if (rc == DB_CONFLICT) {
		enum err e = why == ORDER_ISSUE_NUMBER_TAKEN       ? ERR_ORDER_NUMBER_TAKEN
		             : why == ORDER_ISSUE_TARGET_DRAFT     ? ERR_ORDER_NOT_ISSUED
		             : why == ORDER_ISSUE_TARGET_CANCELLED ? ERR_ORDER_CANCELLED
		                                                   : ERR_ORDER_ISSUED;
		reply_error(r, e, why == ORDER_ISSUE_NUMBER_TAKEN ? "number" : NULL, NULL);
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, rc == DB_NOT_FOUND ? ERR_ORDER_NOT_FOUND : ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	after_write(r, id, 200);
}

static void order_cancel(struct req *r)
{
	json_t *o = load(r);
	if (!o)
		return;
	int64_t id = json_integer_value(json_object_get(o, "id"));
	char status[16];
	snprintf(status, sizeof status, "%s", web_str(o, "status"));
	bool ok = writer(r, web_str(o, "office_code"));
	json_decref(o);
	if (!ok)
		return;
	if (!strcmp(status, "issued")) {
		correction(r, id, true); /* a new draft that cancels it, 201 */
		return;
	}
	int rc = db_order_withdraw(app->db, id, actor(r));
	if (rc == DB_CONFLICT || (rc == DB_OK && strcmp(status, "draft"))) {
		reply_error(r, ERR_ORDER_CANCELLED, NULL, NULL);
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, rc == DB_NOT_FOUND ? ERR_ORDER_NOT_FOUND : ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	after_write(r, id, 200);
}

/* ---- the office's settings: numbering, signer, templates ---- */

static void orders_numbering(struct req *r)
{
	const char *office = web_scope_unit(r);
	if (!writer(r, office))
		return;
	int64_t year = int_field(r, "year"), next = int_field(r, "next");
	if (year >= 1900 && year < 2400)
		year += THAI_BE_OFFSET;
	if (year < 2400 || year > 9999 || next < 1 || next > 1000000) {
		reply_error(r, ERR_BAD_FIELD, year < 2400 || year > 9999 ? "year" : "next",
		            "ปีหรือเลขถัดไปไม่ถูกต้อง");
		return;
	}
	int rc = db_order_counter_set(app->db, office, (int)year, next, actor(r));
	if (rc == DB_CONSTRAINT) {
		reply_error(r, ERR_ORDER_NUMBER_TAKEN, "next", NULL);
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (web_wants_json(r))
		reply_json(r, 200,
		           json_pack("{s:I, s:I}", "year", (json_int_t)year, "next", (json_int_t)next));
	else
		reply_redirect(r, 303, "/orders");
}

static void orders_signer(struct req *r)
{
	const char *office = web_scope_unit(r);
	if (!writer(r, office))
		return;
	const char *name = web_field(r, "name_th"), *pos = web_field(r, "position_th"),
	           *cap = web_field(r, "capacity"), *forp = web_field(r, "for_position");
	if (!*name || strlen(name) > 300 || !*pos || strlen(pos) > 300 || strlen(forp) > 300) {
		reply_error(r, ERR_BAD_FIELD, !*name ? "name_th" : "position_th",
		            "กรุณากรอกชื่อและตำแหน่งผู้ลงนาม");
		return;
	}
	if (!order_capacity_words(cap)) {
		reply_error(r, ERR_BAD_FIELD, "capacity", "ต้องเป็น \"\", acting_for หรือ acting_in");
		return;
	}
	if (*cap && !*forp) {
		reply_error(r, ERR_BAD_FIELD, "for_position", "กรุณาระบุตำแหน่งที่ปฏิบัติราชการแทนหรือรักษาราชการแทน");
		return;
	}
	if (db_order_signer_put(app->db, office, name, pos, cap, forp, actor(r)) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (web_wants_json(r))
		reply_json(r, 200,
		           json_pack("{s:s, s:s, s:s, s:s}", "name_th", name, "position_th", pos, "capacity",
		                     cap, "for_position", forp));
	else
		reply_redirect(r, 303, "/orders");
}

static void orders_template(struct req *r)
{
	const char *unit = web_scope_unit(r);
	const struct session_user *u = web_user(r);
	int level = unit_level_of_code(unit);
	if (!u || !((level == UNIT_LEVEL_PROVINCE && u->role == ROLE_PROVINCE_ADMIN) ||
	            (level == UNIT_LEVEL_NATIONAL && u->role == ROLE_NATIONAL_ADMIN))) {
		reply_error(r, ERR_FORBIDDEN, NULL, "แม่แบบคำสั่งปรับได้โดยผู้ดูแลระดับจังหวัดหรือระดับประเทศ");
		return;
	}
	int kind = order_kind_parse(web_field(r, "kind"));
	const char *subject = web_field(r, "subject"), *body = web_field(r, "body");
	if (kind < 0 || !*subject || !*body || strlen(subject) > SUBJECT_MAX || strlen(body) > TEXT_MAX) {
		reply_error(r, ERR_BAD_FIELD,
		            kind < 0    ? "kind"
		            : !*subject ? "subject"
		                        : "body",
		            "กรุณากรอกแม่แบบให้ครบ");
		return;
	}
	/* The template must parse and render (with a sample) before it is kept. */
	char err[TEMPLATE_ERR];
	json_t *ctx = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "office", "อำเภอตัวอย่าง", "district",
	                        "ตัวอย่าง", "province", "ตัวอย่าง", "place", "ศูนย์ดำรงธรรมอำเภอตัวอย่าง", "period",
	                        "ประจำเดือนมกราคม พ.ศ. 2570", "effective", "ตั้งแต่บัดนี้เป็นต้นไป", "people", 1);
	char *a = fill(subject, ctx, err), *b = a ? fill(body, ctx, err) : NULL;
	json_decref(ctx);
	free(a);
	free(b);
	if (!b) {
		reply_error(r, ERR_ORDER_TEMPLATE_INVALID, "body", err);
		return;
	}
	if (db_order_template_put(app->db, unit, order_kind_name(kind), subject, body, actor(r)) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (web_wants_json(r))
		reply_json(r, 200, json_pack("{s:s, s:s}", "unit", unit, "kind", order_kind_name(kind)));
	else
		reply_redirect(r, 303, "/orders/templates");
}

/* GET /orders/templates: the wording of both kinds as the reader's province
 * (or the nation) has it, with a form each; province and national admins. */
static void orders_templates_show(struct req *r)
{
	const char *unit = web_scope_unit(r);
	const struct session_user *u = web_user(r);
	int level = unit_level_of_code(unit);
	if (!u || !((level == UNIT_LEVEL_PROVINCE && u->role == ROLE_PROVINCE_ADMIN) ||
	            (level == UNIT_LEVEL_NATIONAL && u->role == ROLE_NATIONAL_ADMIN))) {
		reply_error(r, ERR_FORBIDDEN, NULL, "แม่แบบคำสั่งปรับได้โดยผู้ดูแลระดับจังหวัดหรือระดับประเทศ");
		return;
	}
	json_t *kinds = json_array();
	for (int k = 0; k < ORDER_NKINDS; k++) {
		int rc = DB_DONE;
		json_t *t = db_order_template_get(app->db, unit, order_kind_name(k), &rc);
		if (rc < 0) {
			json_decref(kinds);
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		const char *from = !t                                       ? "default"
		                   : !strcmp(web_str(t, "unit_code"), unit) ? "own"
		                                                            : "national";
		json_array_append_new(kinds,
		                      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", order_kind_name(k),
		                                "label_th", order_kind_label(k), "subject",
		                                t ? web_str(t, "subject") : order_default_subject(k), "body",
		                                t ? web_str(t, "body") : order_default_body(k), "source",
		                                from, "source_th",
		                                !strcmp(from, "own") ? "ถ้อยคำของหน่วยงานนี้"
		                                : !strcmp(from, "national") ? "ถ้อยคำของกรมการปกครอง"
		                                                            : "ถ้อยคำตั้งต้นของระบบ"));
		json_decref(t);
	}
	json_t *m = json_pack("{s:s, s:s, s:o}", "page_title", "แม่แบบคำสั่ง", "unit", unit, "kinds", kinds);
	reply_model(r, 200, "order_templates", m);
}

const struct route orders_routes[] = {
    {HTTP_GET, "/orders", ROLE_OFFICER, 0, orders_index, "orders.index", &scope_own},
    {HTTP_GET, "/orders.xlsx", ROLE_OFFICER, 0, orders_xlsx, "orders.xlsx", &scope_own},
    {HTTP_POST, "/orders", ROLE_DISTRICT_ADMIN, 0, order_create, "orders.create", &scope_own},
    {HTTP_POST, "/orders/numbering", ROLE_DISTRICT_ADMIN, 0, orders_numbering, "orders.numbering",
     &scope_own},
    {HTTP_POST, "/orders/signer", ROLE_DISTRICT_ADMIN, 0, orders_signer, "orders.signer", &scope_own},
    {HTTP_GET, "/orders/templates", ROLE_PROVINCE_ADMIN, 0, orders_templates_show, "orders.templates",
     &scope_own},
    {HTTP_POST, "/orders/templates", ROLE_PROVINCE_ADMIN, 0, orders_template, "orders.template", &scope_own},
    {HTTP_GET, "/orders/{id}", ROLE_OFFICER, 0, order_show, "orders.show", &scope_order},
    {HTTP_GET, "/orders/{id}.pdf", ROLE_OFFICER, 0, order_pdf, "orders.pdf", &scope_order},
    {HTTP_POST, "/orders/{id}", ROLE_DISTRICT_ADMIN, 0, order_update, "orders.update", &scope_order},
    {HTTP_POST, "/orders/{id}/issue", ROLE_DISTRICT_ADMIN, 0, order_issue, "orders.issue", &scope_order},
    {HTTP_POST, "/orders/{id}/cancel", ROLE_DISTRICT_ADMIN, 0, order_cancel, "orders.cancel", &scope_order},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
