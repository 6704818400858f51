/* /stats/external: the national survey's figures (external aggregates,
 * issue 10). A national admin lists them by period (GET, also as JSON and,
 * with ?format=csv|xlsx&table=external, as a file) and uploads a CSV or XLSX
 * file of them (POST, multipart field "file", optional field "source": the
 * default source label). The literal segment "external" wins over the
 * statistics' /stats/{unit} in the router. Dashboards read the figures with
 * db_external_for (db/external.h) and show them beside osspoint's own,
 * labelled with their source. */
#include "web/external.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "core/period.h"
#include "core/text.h"
#include "db/db.h"
#include "lib/thai.h"
#include "render/chart.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/table_export.h"
#include "web/web.h"

#define DEFAULT_SOURCE "ก.พ.ร. (แบบสำรวจความพึงพอใจระดับประเทศ)"
#define LIST_MAX       2000

/* Today's period (Bangkok). */
static struct period current_period(int cutoff)
{
	struct civil_day d;
	struct period p = {2024, 1};
	if (thai_epoch_day((int64_t)time(NULL), &d) == 0)
		period_of_day(d.y, d.m, d.d, cutoff, &p);
	return p;
}

int external_import_run(struct db *db, const char *data, size_t len, const char *source,
                        const char *file_name, int64_t user_id, int cutoff, struct external_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->code = ERR_OK;
	char fname[201] = "";
	if (file_name) {
		snprintf(fname, sizeof fname, "%s", file_name);
		/* Cut at a character boundary, then keep it only if it is readable text. */
		size_t n = strlen(fname);
		while (n && ((unsigned char)fname[n - 1] & 0xC0) == 0x80)
			n--;
		if (n && (unsigned char)fname[n - 1] >= 0xC0)
			n--;
		if (strlen(file_name) > 200)
			fname[n] = '\0';
		if (text_check((struct text_span){fname, strlen(fname)}, 0) != TEXT_OK)
			fname[0] = '\0';
	}
	struct external_batch b;
	int rc = external_parse(data, len, source, current_period(cutoff), &b);
	snprintf(out->message, sizeof out->message, "%s", b.message);
	if (rc == EXTERNAL_BAD_FILE) {
		out->code = ERR_EXTERNAL_FILE;
	} else if (rc == EXTERNAL_BAD_ROWS) {
		out->code = ERR_EXTERNAL_INVALID;
	} else {
		int drc =
		    db_external_import(db, &b, b.unit_header, fname, user_id, (int64_t)time(NULL), &out->res);
		if (drc == EXTERNAL_RC_UNKNOWN_UNIT) {
			out->code = ERR_EXTERNAL_INVALID;
			snprintf(out->message, sizeof out->message, "ข้อมูลไม่ถูกต้อง %zu จุด ยังไม่ได้นำเข้าแถวใดเลย",
			         json_array_size(b.errors));
		} else if (drc != DB_OK) {
			out->code = ERR_UNAVAILABLE;
			snprintf(out->message, sizeof out->message,
			         "บันทึกข้อมูลไม่สำเร็จ ยังไม่ได้นำเข้าแถวใดเลย กรุณาลองใหม่");
		} else {
			out->rows = b.n;
			snprintf(out->period, sizeof out->period, "%s", b.rows[0].period);
		}
	}
	out->errors = json_incref(b.errors);
	external_batch_cleanup(&b);
	return out->code == ERR_OK ? 0 : -1;
}

/* ---- the page ---- */

static json_t *period_model(const char *iso)
{
	struct period p;
	struct buf b;
	buf_init(&b, 128);
	if (iso && period_parse(iso, &p) == 0)
		period_label(&b, p, 0);
	json_t *j = json_pack("{s:s, s:s}", "iso", iso ? iso : "", "label", buf_str(&b));
	buf_cleanup(&b);
	return j;
}

/* The column list of the rows table (render/table.h): the export's columns. */
static json_t *table_columns(void)
{
	return json_pack(
	    "[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s},"
	    " {s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}, {s:s, s:s, s:s},"
	    " {s:s, s:s, s:s}]",
	    "key", "unit_code", "label", "รหัสหน่วยงาน", "key", "name_th", "label", "ชื่อหน่วยงาน", "key",
	    "period", "label", "งวด", "type", "period", "key", "source", "label", "แหล่งข้อมูล", "key", "users",
	    "label", "ผู้มารับบริการ", "type", "int", "key", "respondents", "label", "ผู้ตอบแบบสำรวจ", "type",
	    "int", "key", "score_sum", "label", "คะแนนรวม", "type", "number", "decimals", 2, "key",
	    "score_mean", "label", "คะแนนเฉลี่ย", "type", "number", "decimals", 2, "key", "percent", "label",
	    "ร้อยละ", "type", "number", "decimals", 2, "key", "rank", "label", "อันดับ", "type", "int", "key",
	    "rank_of", "label", "จากทั้งหมด", "type", "int");
}

/* A bar chart of the users each unit served by the figures shown (the first
 * CHART_ROWS rows), drawn by render/chart (web_render) with its table. */
#define CHART_ROWS 30
static json_t *users_chart(json_t *rows, json_t *period)
{
	json_t *points = json_array(), *sources = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		const char *src = json_string_value(json_object_get(r, "source"));
		bool seen = false;
		size_t k;
		json_t *s;
		json_array_foreach(sources, k, s) seen = seen || !strcmp(json_string_value(s), src);
		if (!seen)
			json_array_append_new(sources, json_string(src));
		if (i >= CHART_ROWS)
			continue;
		char label[256];
		snprintf(label, sizeof label, "%s %s", json_string_value(json_object_get(r, "name_th")), src);
		json_t *u = json_object_get(r, "users");
		json_array_append_new(points, json_pack("{s:s, s:O, s:s}", "label", label, "value",
		                                        u ? u : json_null(), "note", "ไม่มีตัวเลข"));
	}
	struct buf src, desc;
	buf_init(&src, 4096);
	buf_init(&desc, 4096);
	json_array_foreach(sources, i, r) buf_printf(&src, "%s%s", i ? ", " : "", json_string_value(r));
	buf_printf(&desc, "จำนวนผู้มารับบริการของแต่ละหน่วยงาน งวด %s ตามแหล่งข้อมูล %s",
	           json_string_value(json_object_get(period, "label")), buf_str(&src));
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "chart", "bars", "id",
	                      "external-users", "title", "ผู้มารับบริการ ตามแหล่งข้อมูลภายนอก", "desc",
	                      buf_str(&desc), "unit", "ราย", "label_header", "หน่วยงานและแหล่งข้อมูล",
	                      "value_header", "ผู้มารับบริการ (ราย)", "source", buf_str(&src), "points", points);
	buf_cleanup(&src);
	buf_cleanup(&desc);
	json_decref(sources);
	return c;
}

/* The list model of period (NULL: the latest), or NULL on a database error. */
static json_t *list_model(const char *period)
{
	json_t *l;
	if (db_external_list(app->db, period, LIST_MAX, &l) != DB_OK)
		return NULL;
	const char *shown = json_string_value(json_object_get(l, "period"));
	json_t *periods = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(l, "periods"), i, p)
	{
		json_t *pm = period_model(json_string_value(p));
		json_object_set_new(pm, "selected",
		                    json_boolean(shown && !strcmp(shown, json_string_value(p))));
		json_array_append_new(periods, pm);
	}
	json_array_foreach(json_object_get(l, "imports"), i, p)
	{
		struct buf b;
		buf_init(&b, 128);
		thai_epoch_format(&b, json_integer_value(json_object_get(p, "created_at")), THAI_DATE_SHORT,
		                  false);
		json_object_set_new(p, "created_th", json_string(buf_str(&b)));
		buf_cleanup(&b);
	}
	json_t *rows = json_object_get(l, "rows");
	json_array_foreach(rows, i, p)
	{
		json_t *pm = period_model(json_string_value(json_object_get(p, "period")));
		json_object_set(p, "period_label", json_object_get(pm, "label"));
		json_decref(pm);
		/* Counts as people read them ("1,671"); the JSON keeps the numbers. */
		static const char *const counts[][2] = {{"users", "users_th"},
		                                        {"respondents", "respondents_th"}};
		for (size_t k = 0; k < 2; k++) {
			json_t *v = json_object_get(p, counts[k][0]);
			if (!json_is_integer(v))
				continue;
			struct buf b;
			buf_init(&b, 64);
			chart_format_number(&b, (double)json_integer_value(v), 0);
			json_object_set_new(p, counts[k][1], json_string(buf_str(&b)));
			buf_cleanup(&b);
		}
	}
	struct buf base;
	buf_init(&base, 256);
	buf_puts(&base, "/stats/external");
	if (shown) {
		buf_puts(&base, "?period=");
		web_url_encode(&base, shown);
	}
	json_t *m = json_pack("{s:s, s:o, s:o, s:O, s:O, s:i, s:s, s:{s:{s:s, s:o, s:s}}, s:o, s:o}",
	                      "page_title", "ข้อมูลจากแหล่งภายนอก (แบบสำรวจระดับประเทศ)", "period",
	                      shown ? period_model(shown) : json_null(), "periods", periods, "rows", rows,
	                      "imports", json_object_get(l, "imports"), "count", (int)json_array_size(rows),
	                      "default_source", DEFAULT_SOURCE, "tables", "external", "title",
	                      "ข้อมูลจากแหล่งภายนอก", "columns", table_columns(), "rows", "rows", "export",
	                      web_table_links(buf_str(&base), "external"), "errors", json_array());
	buf_cleanup(&base);
	json_decref(l);
	json_object_set_new(m, "empty", json_boolean(json_array_size(rows) == 0));
	if (json_array_size(rows) > 0)
		json_object_set_new(m, "users_chart", users_chart(rows, json_object_get(m, "period")));
	json_object_set_new(m, "has_periods", json_boolean(json_array_size(periods) > 0));
	json_object_set_new(m, "has_imports",
	                    json_boolean(json_array_size(json_object_get(m, "imports")) > 0));
	return m;
}

static void external_list(struct req *r)
{
	const char *period = req_query(r, "period");
	struct period p;
	char iso[PERIOD_ISO_SIZE] = "";
	if (period && *period) {
		if (external_period_parse(period, &p) < 0) {
			reply_error(r, ERR_BAD_FIELD, "period", "งวดต้องเป็นรูปแบบ YYYY-MM เช่น 2024-02");
			return;
		}
		period_iso(p, iso);
	}
	json_t *m = list_model(iso[0] ? iso : NULL);
	if (!m) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	const char *imported = req_query(r, "imported");
	if (imported) {
		size_t i;
		json_t *im;
		json_array_foreach(json_object_get(m, "imports"), i, im)
		{
			char id[32];
			snprintf(id, sizeof id, "%" JSON_INTEGER_FORMAT,
			         json_integer_value(json_object_get(im, "id")));
			if (!strcmp(id, imported))
				json_object_set(m, "imported", im);
		}
	}
	char stem[32];
	snprintf(stem, sizeof stem, "external-%s", iso[0] ? iso : "latest");
	if (web_table_export(r, m, stem)) {
		json_decref(m);
		return;
	}
	reply_model(r, 200, "external", m);
}

static void external_upload(struct req *r)
{
	const struct session_user *u = web_user(r);
	const struct form_field *f = req_file(r, "file");
	const char *source = req_form(r, "source");
	/* The page to show again on a refusal; a JSON client gets only the
	 * problem, so its request does not read the list. */
	json_t *m = web_wants_json(r) ? json_object() : list_model(NULL);
	if (!m) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (source)
		json_object_set_new(m, "source", json_string(source));
	if (!f || f->len == 0) {
		json_t *errors = json_array();
		web_field_error(errors, "file", "กรุณาเลือกไฟล์ CSV หรือ Excel (.xlsx) ที่จะนำเข้า");
		reply_invalid_code(r, ERR_EXTERNAL_FILE, "external", m, errors);
		return;
	}
	struct external_outcome o;
	external_import_run(app->db, f->value, f->len, source, f->filename, u->id, app->cfg->cutoff_day, &o);
	if (o.code != ERR_OK) {
		json_t *errors = o.errors;
		if (json_array_size(errors) == 0)
			web_field_error(errors, "file", o.message);
		json_object_set_new(m, "message", json_string(o.message));
		json_object_set_new(m, "row_errors",
		                    json_boolean(json_object_get(json_array_get(errors, 0), "line")));
		if (o.code == ERR_UNAVAILABLE) {
			json_decref(m);
			json_decref(errors);
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		reply_invalid_code(r, o.code, "external", m, errors);
		return;
	}
	json_decref(o.errors);
	json_decref(m);
	char target[48], detail[64];
	snprintf(target, sizeof target, "external_import:%lld", (long long)o.res.import_id);
	snprintf(detail, sizeof detail, "rows=%zu added=%zu replaced=%zu", o.rows, o.res.added,
	         o.res.replaced);
	web_audit(r, "external.import", target, detail);
	char href[96];
	snprintf(href, sizeof href, "/stats/external?period=%s&imported=%lld", o.period,
	         (long long)o.res.import_id);
	if (web_wants_json(r)) {
		reply_json(r, 201,
		           json_pack("{s:I, s:I, s:I, s:I, s:s, s:s}", "import_id",
		                     (json_int_t)o.res.import_id, "rows", (json_int_t)o.rows, "added",
		                     (json_int_t)o.res.added, "replaced", (json_int_t)o.res.replaced,
		                     "period", o.period, "href", href));
		return;
	}
	reply_redirect(r, 303, href);
}

const struct route external_routes[] = {
    {HTTP_GET, "/stats/external", ROLE_NATIONAL_ADMIN, 0, external_list, "external.list", &scope_national},
    {HTTP_POST, "/stats/external", ROLE_NATIONAL_ADMIN, 0, external_upload, "external.upload",
     &scope_national},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
