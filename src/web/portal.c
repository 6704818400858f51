/* The public portal (issue 4): the catalogue of e-services, Thai search, a
 * page per service with its QR code, the directory of points, the PDPA
 * notice, posters and the handout, short URLs and the JSON API /api/v1.
 *
 * Every page here is the same for everyone: the routes are ROUTE_CACHED, so
 * web_authorize never loads the session and the HTTP layer may answer from
 * its page cache. Nothing in a model may depend on who asks. The catalogue
 * comes from the snapshot (web/portal_state.c); points are read from the
 * database (the page cache keeps the answers). See docs/portal.md. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/search.h"
#include "db/catalogue.h"
#include "db/db.h"
#include "db/points.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "render/print.h"
#include "render/qr.h"
#include "web/app.h"
#include "web/roster.h"
#include "web/scope.h"
#include "web/portal_state.h"
#include "web/web.h"

#define CT_PROBLEM      "application/problem+json; charset=utf-8"
#define CT_SVG          "image/svg+xml"
#define CT_PNG          "image/png"
#define CT_PDF          "application/pdf"
#define PDF_MAX         (32u * 1024 * 1024)
#define OPENAPI_MAX     (4u * 1024 * 1024)
#define QR_PNG_SCALE    8
#define POSTER_SERVICES 12

/* ---- small helpers ---- */

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *portal_day_th(const char *iso)
{
	struct civil_day d;
	if (!iso || !*iso || thai_day_parse(iso, &d) < 0)
		return json_null();
	struct buf b;
	buf_init(&b, 128);
	json_t *j = thai_date_format(&b, d.y, d.m, d.d, THAI_DATE_FULL, false) == 0 ? json_string(buf_str(&b))
	                                                                            : json_null();
	buf_cleanup(&b);
	return j;
}

json_t *portal_time_th(json_t *epoch)
{
	if (!json_is_integer(epoch))
		return json_null();
	struct buf b;
	buf_init(&b, 128);
	json_t *j = thai_epoch_format(&b, json_integer_value(epoch), THAI_DATE_SHORT, false) == 0
	                ? json_string(buf_str(&b))
	                : json_null();
	buf_cleanup(&b);
	return j;
}

/* The public URL of a path ("https://host/points/4701") and its short form
 * without the scheme ("host/p/4701"), as printed. */
static char *public_href(const char *path)
{
	return xasprintf("%s%s", app->public_url, path);
}

static const char *public_host(void)
{
	const char *u = app->public_url;
	const char *s = strstr(u, "://");
	return s ? s + 3 : u;
}

static json_t *url_pair(const char *path, const char *short_path)
{
	char *href = public_href(path);
	json_t *j = json_pack("{s:s, s:s+}", "href", href, "short", public_host(), short_path);
	free(href);
	return j;
}

/* application/problem+json whatever the Accept header says: the API always
 * answers JSON. Same shape as reply_error's. */
static void api_error(struct req *r, enum err code, const char *field, const char *detail)
{
	const struct err_info *e = err_info(code);
	json_t *p = json_pack("{s:s+, s:s, s:i}", "type", "/problems/", e->slug, "title", e->title, "status",
	                      e->status);
	if (detail)
		json_object_set_new(p, "detail", json_string(detail));
	if (field)
		json_object_set_new(p, "field", json_string(field));
	char *text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	log_info("%s %s: %d %s%s%s", req_method_name(r), req_path(r), e->status, e->slug, detail ? ": " : "",
	         detail ? detail : "");
	if (!text) {
		reply_error(r, code, field, detail);
		return;
	}
	reply_bytes_owned(r, e->status, CT_PROBLEM, text, strlen(text));
}

/* A query parameter, "" when absent, with surrounding ASCII spaces removed. */
static const char *query(struct req *r, const char *name)
{
	const char *v = req_query(r, name);
	if (!v)
		return "";
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	char *s = req_alloc(r, n + 1);
	memcpy(s, v, n);
	s[n] = '\0';
	return s;
}

/* Province code from ?province= (Thai digits accepted): "" when absent,
 * NULL when malformed. */
static const char *province_param(struct req *r)
{
	const char *v = query(r, "province");
	if (!*v)
		return "";
	char *a = req_strdup(r, v);
	thai_digits_to_ascii(a, strlen(a) + 1, a);
	if (strlen(a) != 2 || a[0] < '0' || a[0] > '9' || a[1] < '0' || a[1] > '9')
		return NULL;
	return a;
}

int portal_utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

/* The meta description of a page: text cut to META_CHARS characters as
 * they are seen (Thai vowel and tone marks above and below a letter take no
 * room of their own), at a space when there is one in the last quarter,
 * with "…" when cut. New value. */
#define META_CHARS 160

static bool thai_mark(const unsigned char *p)
{
	/* U+0E31, U+0E34..U+0E3A, U+0E47..U+0E4E: E0 B8 B1, E0 B8 B4..BA, E0 B9 87..8E */
	return p[0] == 0xE0 && ((p[1] == 0xB8 && (p[2] == 0xB1 || (p[2] >= 0xB4 && p[2] <= 0xBA))) ||
	                        (p[1] == 0xB9 && p[2] >= 0x87 && p[2] <= 0x8E));
}

static json_t *meta(const char *text)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t n = strlen(text), chars = 0, i = 0, cut = 0, space = 0;
	while (i < n && chars < META_CHARS) {
		if (!(i + 2 < n && thai_mark(t + i)))
			chars++;
		i++;
		while (i < n && (t[i] & 0xC0) == 0x80)
			i++;
		if (i < n && t[i] == ' ')
			space = i;
	}
	while (i + 2 < n && thai_mark(t + i)) /* never cut a letter from its marks */
		i += 3;
	if (i >= n)
		return json_string(text);
	cut = space > i * 3 / 4 ? space : i;
	return json_sprintf("%.*s…", (int)cut, text);
}

static json_t *metaf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *metaf(const char *fmt, ...)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	json_t *m = meta(buf_str(&b));
	buf_cleanup(&b);
	return m;
}

/* ---- models ---- */

/* "042-711234, 0-4271-5678" → [{number, tel}] (tel: digits only, for tel: links). */
static json_t *phones(const char *s)
{
	json_t *a = json_array();
	while (*s) {
		while (*s == ',' || *s == ' ')
			s++;
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		while (n && s[n - 1] == ' ')
			n--;
		if (n) {
			char tel[64];
			size_t k = 0;
			for (size_t i = 0; i < n && k + 1 < sizeof tel; i++)
				if (s[i] >= '0' && s[i] <= '9')
					tel[k++] = s[i];
			tel[k] = '\0';
			json_array_append_new(a, json_pack("{s:s%, s:s}", "number", s, n, "tel", tel));
		}
		s += end ? (size_t)(end - s) : strlen(s);
	}
	return a;
}

json_t *portal_point_model(json_t *row)
{
	const char *code = web_str(row, "unit_code");
	const char *lat = web_str(row, "lat"), *lon = web_str(row, "lon");
	const char *status = web_str(row, "status");
	const char *sl = point_status_label(status);
	json_t *m = json_object();
	json_object_set_new(m, "unit_code", json_string(code));
	json_object_set_new(m, "district_th", json_string(web_str(row, "district_th")));
	json_object_set_new(m, "district_en", json_string(web_str(row, "district_en")));
	json_object_set_new(m, "province_code", json_string(web_str(row, "province_code")));
	json_object_set_new(m, "province_th", json_string(web_str(row, "province_th")));
	json_object_set_new(m, "name_th", json_string(web_str(row, "name_th")));
	json_object_set_new(m, "address", json_string(web_str(row, "address")));
	json_object_set_new(m, "lat", str_or_null(lat));
	json_object_set_new(m, "lon", str_or_null(lon));
	json_object_set_new(m, "hours", json_string(web_str(row, "hours")));
	json_object_set_new(m, "phone", str_or_null(web_str(row, "phone")));
	json_object_set_new(m, "phones", phones(web_str(row, "phone")));
	json_object_set_new(m, "opened_on", str_or_null(web_str(row, "opened_on")));
	json_object_set_new(m, "opened_on_th", portal_day_th(web_str(row, "opened_on")));
	json_object_set_new(m, "status", json_string(status));
	json_object_set_new(m, "status_label", json_string(sl ? sl : status));
	json_object_set_new(m, "open", json_boolean(!strcmp(status, "open")));
	json_t *upd = json_object_get(row, "updated_at");
	json_object_set_new(m, "updated_at", json_is_integer(upd) ? json_incref(upd) : json_null());
	json_object_set_new(m, "version", json_integer(json_integer_value(json_object_get(row, "version"))));
	json_object_set_new(m, "href", json_sprintf("/points/%s", code));
	json_object_set_new(m, "poster", json_sprintf("/points/%s/poster.pdf", code));
	json_object_set_new(m, "qr_svg", json_sprintf("/points/%s/qr.svg", code));
	json_object_set_new(
	    m, "map_href",
	    *lat && *lon ? json_sprintf("https://www.google.com/maps/search/?api=1&query=%s,%s", lat, lon)
	                 : json_null());
	return m;
}

json_t *portal_status_changes(json_t *rows, bool staff)
{
	json_t *out = json_array();
	size_t i;
	json_t *h;
	json_array_foreach(rows, i, h)
	{
		const char *st = web_str(h, "status");
		const char *sl = point_status_label(st);
		json_t *c = json_pack("{s:s, s:s, s:s, s:o, s:s}", "status", st, "status_label", sl ? sl : st,
		                      "since", web_str(h, "since"), "since_th",
		                      portal_day_th(web_str(h, "since")), "note", web_str(h, "note"));
		if (staff) {
			json_object_set_new(c, "at_th", portal_time_th(json_object_get(h, "at")));
			json_object_set_new(c, "user_name", json_string(web_str(h, "user_name")));
		}
		json_array_append_new(out, c);
	}
	return out;
}

/* The services a point offers: the usable catalogue of its area minus what
 * it hides. NULL when the hidden list cannot be read. */
static json_t *offered_services(struct portal_snap *s, const char *unit_code)
{
	json_t *offered = portal_snap_offered(s, unit_code);
	if (!offered)
		return NULL;
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(offered, i, m) json_array_append_new(
	    out, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "code", json_object_get(m, "code"), "name_th",
	                   json_object_get(m, "name_th"), "agency_th", json_object_get(m, "agency_th"),
	                   "category_th", json_object_get(m, "category_th"), "channel_label",
	                   json_object_get(m, "channel_label"), "href", json_object_get(m, "href")));
	return out;
}

/* The point with its history and services, or NULL after replying (404/503).
 * api: errors as problem+json. */
static json_t *load_point(struct req *r, struct portal_snap *s, bool api)
{
	const char *code = req_param(r, "code");
	bool found = false;
	json_t *row = db_point_get(app->db, code, &found);
	if (!row) {
		if (api)
			api_error(r, found ? ERR_UNAVAILABLE : ERR_NOT_FOUND, "code",
			          found ? NULL : "ไม่พบจุดให้บริการรหัสนี้");
		else
			reply_error(r, found ? ERR_UNAVAILABLE : ERR_NOT_FOUND, "code",
			            found ? NULL : "ไม่พบจุดให้บริการรหัสนี้");
		return NULL;
	}
	json_t *services = offered_services(s, code);
	if (!services) {
		json_decref(row);
		if (api)
			api_error(r, ERR_UNAVAILABLE, NULL, NULL);
		else
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return NULL;
	}
	json_t *p = portal_point_model(row);
	json_object_set_new(p, "history", portal_status_changes(json_object_get(row, "history"), false));
	json_t *sched = portal_status_changes(json_object_get(row, "scheduled"), false);
	json_object_set_new(p, "has_scheduled", json_boolean(json_array_size(sched) > 0));
	json_object_set_new(p, "scheduled", sched);
	json_object_set_new(p, "services", services);
	json_decref(row);
	return p;
}

/* ---- GET / ---- */

static void portal_home(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *m = json_pack(
	    "{s:s, s:O, s:O, s:s, s:o}", "page_title", "หน้าแรก", "stats", s->stats, "groups", s->groups, "q",
	    "", "meta_description",
	    metaf("บริการภาครัฐออนไลน์ %zu บริการ เช่น ทางรัฐ ThaID ภาษี ประกันสังคม ที่เจ้าหน้าที่จุดให้บริการ e-Service "
	          "ของอำเภอ %lld แห่งใน %lld จังหวัดช่วยท่านใช้ได้ฟรี",
	          json_array_size(s->services),
	          (long long)json_integer_value(json_object_get(s->stats, "points")),
	          (long long)json_integer_value(json_object_get(s->stats, "provinces"))));
	portal_snap_put(s);
	reply_model(r, 200, "public_home", m);
}

/* ---- GET /search ---- */

static void portal_search(struct req *r)
{
	const char *q = query(r, "q");
	const char *category = query(r, "category");
	struct portal_snap *s = portal_snap_get();
	json_t *cat = *category ? portal_snap_category(s, category) : NULL;
	if (*category && !cat) {
		portal_snap_put(s);
		reply_error(r, ERR_NOT_FOUND, "category", "ไม่พบหมวดบริการนี้");
		return;
	}
	size_t n = json_array_size(s->services);
	size_t *hits = xmalloc((n ? n : 1) * sizeof *hits);
	size_t nhits = 0;
	if (*q) {
		nhits = portal_snap_search(s, q, category, hits, n);
	} else if (cat) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(web_str(json_array_get(s->services, i), "category"), category))
				hits[nhits++] = i;
	}
	json_t *results = json_array();
	for (size_t i = 0; i < nhits; i++) {
		json_t *m = json_array_get(s->services, hits[i]);
		json_array_append_new(
		    results,
		    json_pack("{s:O, s:O, s:s, s:O, s:O, s:O, s:O}", "code", json_object_get(m, "code"),
		              "name_th", json_object_get(m, "name_th"), "name_en", web_str(m, "name_en"),
		              "agency_th", json_object_get(m, "agency_th"), "category_th",
		              json_object_get(m, "category_th"), "channel_label",
		              json_object_get(m, "channel_label"), "href", json_object_get(m, "href")));
	}
	/* A misspelling: "หมายถึง …" with the best services for the corrected query. */
	json_t *did_you_mean = json_null(), *suggestions = json_array();
	char fixed[SEARCH_QUERY_MAX + 1];
	if (*q && portal_snap_suggest(s, q, fixed, sizeof fixed)) {
		struct buf href;
		buf_init(&href, 4096);
		buf_puts(&href, "/search?q=");
		web_url_encode(&href, fixed);
		if (*category) {
			buf_puts(&href, "&category=");
			web_url_encode(&href, category);
		}
		json_decref(did_you_mean);
		did_you_mean = json_pack("{s:s, s:s}", "q", fixed, "href", buf_str(&href));
		buf_cleanup(&href);
		size_t k = portal_snap_search(s, fixed, category, hits, n < 3 ? n : 3);
		for (size_t i = 0; i < k; i++) {
			json_t *m = json_array_get(s->services, hits[i]);
			json_array_append_new(
			    suggestions,
			    json_pack("{s:O, s:O, s:O, s:O}", "code", json_object_get(m, "code"), "name_th",
			              json_object_get(m, "name_th"), "agency_th",
			              json_object_get(m, "agency_th"), "href", json_object_get(m, "href")));
		}
	}
	free(hits);
	bool browsing = !*q && !cat;
	char title[512];
	if (*q)
		snprintf(title, sizeof title, "ผลการค้นหา “%.*s”", portal_utf8_prefix(q, 400), q);
	else if (cat)
		snprintf(title, sizeof title, "บริการหมวด%s", web_str(cat, "name_th"));
	else
		snprintf(title, sizeof title, "ค้นหาบริการ");
	json_t *desc;
	if (*q)
		desc = metaf("ผลการค้นหา “%.*s” ในบริการภาครัฐออนไลน์ที่จุดให้บริการ e-Service ช่วยท่านได้: พบ %zu บริการ",
		             portal_utf8_prefix(q, 200), q, nhits);
	else if (cat)
		desc =
		    metaf("บริการภาครัฐออนไลน์หมวด%s %zu บริการ ที่เจ้าหน้าที่จุดให้บริการ e-Service ของอำเภอช่วยท่านใช้ได้",
		          web_str(cat, "name_th"), nhits);
	else
		desc =
		    json_string("ค้นหาบริการภาครัฐออนไลน์ตามชื่อ คำที่ใช้เรียก หรือหมวด เช่น ภาษีรถ บัตรประชาชน ประกันสังคม "
		                "พร้อมขั้นตอนและเอกสารที่ต้องใช้");
	json_t *m = json_pack(
	    "{s:s, s:s, s:s, s:o, s:I, s:b, s:b, s:b, s:o, s:O, s:O}", "page_title", title, "q", q,
	    "category", category, "category_th", cat ? json_string(web_str(cat, "name_th")) : json_null(),
	    "count", (json_int_t)nhits, "found", nhits > 0, "searched", !browsing, "browsing", browsing,
	    "results", results, "categories", s->categories, "groups", browsing ? s->groups : json_null());
	json_object_set_new(m, "meta_description", desc);
	json_object_set_new(m, "did_you_mean", did_you_mean);
	json_object_set_new(m, "suggestions", suggestions);
	portal_snap_put(s);
	reply_model(r, 200, "search", m);
}

/* ---- GET /services, /services/{code}, QR codes, the handout ---- */

static void portal_services(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *m = json_pack("{s:s, s:O, s:O, s:o}", "page_title", "บริการ e-Service ที่จุดให้บริการช่วยท่านได้",
	                      "services", s->services, "groups", s->groups, "meta_description",
	                      metaf("รายการบริการภาครัฐออนไลน์ทั้ง %zu บริการ แยกตามหมวด พร้อมขั้นตอน เอกสารที่ต้องใช้ "
	                            "และที่อยู่เว็บไซต์ทางการ ที่จุดให้บริการ e-Service ของอำเภอช่วยท่านใช้ได้",
	                            json_array_size(s->services)));
	portal_snap_put(s);
	reply_model(r, 200, "services", m);
}

static void portal_service(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *svc = portal_snap_service(s, req_param(r, "code"));
	if (!svc) {
		portal_snap_put(s);
		reply_error(r, ERR_NOT_FOUND, "code", "ไม่พบบริการนี้ในรายการบริการ");
		return;
	}
	const char *code = web_str(svc, "code");
	const char *status = web_str(svc, "status");
	char path[128], short_path[128], alt[1024];
	snprintf(path, sizeof path, "/services/%s", code);
	snprintf(short_path, sizeof short_path, "/s/%s", code);
	snprintf(alt, sizeof alt, "คิวอาร์โค้ดของหน้าบริการ %s", web_str(svc, "name_th"));
	json_t *cat = portal_snap_category(s, web_str(svc, "category"));
	const char *desc = web_str(svc, "description");
	json_t *m = json_pack("{s:s, s:O, s:b, s:b, s:b, s:o, s:s, s:O, s:o}", "page_title",
	                      web_str(svc, "name_th"), "service", svc, "retired", !strcmp(status, "retired"),
	                      "moving", !strcmp(status, "moving"), "has_url", *web_str(svc, "url") != '\0',
	                      "page_url", url_pair(path, short_path), "qr_alt", alt, "category",
	                      cat ? cat : json_null(), "meta_description",
	                      *desc ? metaf("%s%s: %s", !strcmp(status, "retired") ? "ยกเลิกแล้ว: " : "",
	                                    web_str(svc, "name_th"), desc)
	                            : metaf("%s%s (%s): ขั้นตอน เอกสารที่ต้องใช้ และที่อยู่เว็บไซต์ทางการ",
	                                    !strcmp(status, "retired") ? "ยกเลิกแล้ว: " : "",
	                                    web_str(svc, "name_th"), web_str(svc, "agency_th")));
	portal_snap_put(s);
	reply_model(r, 200, "service", m);
}

/* The text a QR code carries for a service or point page; NULL after a 404. */
static char *qr_target(struct req *r, bool point)
{
	const char *code = req_param(r, "code");
	if (point) {
		bool found = false;
		json_t *row = db_point_get(app->db, code, &found);
		if (!row) {
			reply_error(r, found ? ERR_UNAVAILABLE : ERR_NOT_FOUND, "code",
			            found ? NULL : "ไม่พบจุดให้บริการรหัสนี้");
			return NULL;
		}
		json_decref(row);
		return xasprintf("%s/points/%s", app->public_url, code);
	}
	struct portal_snap *s = portal_snap_get();
	bool known = portal_snap_service(s, code) != NULL;
	portal_snap_put(s);
	if (!known) {
		reply_error(r, ERR_NOT_FOUND, "code", "ไม่พบบริการนี้ในรายการบริการ");
		return NULL;
	}
	return xasprintf("%s/services/%s", app->public_url, code);
}

/* Replies with what a renderer wrote into b (taken), or a 500 with fail
 * when it failed (rc < 0). */
static void reply_rendered(struct req *r, int rc, struct buf *b, const char *type, const char *fail)
{
	if (rc < 0) {
		buf_cleanup(b);
		reply_error(r, ERR_INTERNAL, NULL, fail);
		return;
	}
	size_t len;
	char *data = buf_detach(b, &len);
	reply_bytes_owned(r, 200, type, data, len);
}

static void send_qr_svg(struct req *r, bool point)
{
	char *target = qr_target(r, point);
	if (!target)
		return;
	struct buf b;
	buf_init(&b, 1024 * 1024);
	char *title = xasprintf("คิวอาร์โค้ด %s", target);
	int rc = qr_svg(target, title, &b);
	free(title);
	free(target);
	reply_rendered(r, rc, &b, CT_SVG, "สร้างคิวอาร์โค้ดไม่ได้");
}

static void service_qr_svg(struct req *r)
{
	send_qr_svg(r, false);
}

static void point_qr_svg(struct req *r)
{
	send_qr_svg(r, true);
}

static void service_qr_png(struct req *r)
{
	char *target = qr_target(r, false);
	if (!target)
		return;
	struct buf b;
	buf_init(&b, 4 * 1024 * 1024);
	int rc = qr_png(target, QR_PNG_SCALE, &b);
	free(target);
	reply_rendered(r, rc, &b, CT_PNG, "สร้างคิวอาร์โค้ดไม่ได้");
}

/* "Data as of" date of the PDFs: when the snapshot was built, i.e. the last
 * change (or the start), not today: the PDFs stay in the page cache until the
 * next change. */
static json_t *data_date_th(int64_t at)
{
	struct buf b;
	buf_init(&b, 128);
	thai_epoch_format_date(&b, at, THAI_DATE_FULL, false);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

static void send_pdf(struct req *r, int (*render)(const json_t *, struct buf *), json_t *model,
                     const char *filename)
{
	struct buf b;
	buf_init(&b, PDF_MAX);
	int rc = render(model, &b);
	json_decref(model);
	if (rc >= 0) {
		char disp[160];
		snprintf(disp, sizeof disp, "inline; filename=\"%s\"", filename);
		reply_header(r, "Content-Disposition", disp);
	}
	reply_rendered(r, rc, &b, CT_PDF, "สร้างไฟล์ PDF ไม่ได้");
}

static void catalogue_pdf(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *list = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(s->services, i, m)
	{
		if (strcmp(web_str(m, "status"), "active"))
			continue; /* a service moving elsewhere is not advertised on paper */
		char path[128], short_path[128];
		snprintf(path, sizeof path, "/services/%s", web_str(m, "code"));
		snprintf(short_path, sizeof short_path, "/s/%s", web_str(m, "code"));
		json_array_append_new(
		    list, json_pack("{s:O, s:O, s:O, s:O, s:O, s:s, s:o}", "code", json_object_get(m, "code"),
		                    "name_th", json_object_get(m, "name_th"), "agency_th",
		                    json_object_get(m, "agency_th"), "category_th",
		                    json_object_get(m, "category_th"), "channel_label",
		                    json_object_get(m, "channel_label"), "url", web_str(m, "url"), "page_url",
		                    url_pair(path, short_path)));
	}
	int64_t built_at = s->built_at;
	portal_snap_put(s);
	json_t *model = json_pack("{s:s, s:o, s:o}", "title", "บริการภาครัฐออนไลน์ที่จุดให้บริการ e-Service ช่วยท่านได้",
	                          "generated_th", data_date_th(built_at), "services", list);
	send_pdf(r, print_catalogue_pdf, model, "catalogue.pdf");
}

/* ---- points ---- */

static void portal_points(struct req *r)
{
	const char *province = province_param(r);
	if (!province) {
		reply_error(r, ERR_BAD_FIELD, "province", "รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก");
		return;
	}
	json_t *provinces = db_point_provinces(app->db);
	if (!provinces) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	size_t i;
	json_t *p, *chosen = NULL;
	json_int_t total = 0, open = 0;
	json_array_foreach(provinces, i, p)
	{
		json_object_set_new(p, "href", json_sprintf("/points?province=%s", web_str(p, "code")));
		total += json_integer_value(json_object_get(p, "points"));
		open += json_integer_value(json_object_get(p, "open"));
		if (*province && !strcmp(web_str(p, "code"), province))
			chosen = p;
	}
	if (*province && !chosen) {
		json_decref(provinces);
		reply_error(r, ERR_NOT_FOUND, "province", "ไม่พบจุดให้บริการในจังหวัดนี้");
		return;
	}
	json_t *points = json_null();
	if (chosen) {
		json_t *rows = db_points(app->db, province);
		if (!rows) {
			json_decref(provinces);
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		points = json_array();
		json_t *row;
		json_array_foreach(rows, i, row) json_array_append_new(points, portal_point_model(row));
		json_decref(rows);
	}
	char title[256];
	if (chosen)
		snprintf(title, sizeof title, "จุดให้บริการ e-Service จังหวัด%s", web_str(chosen, "name_th"));
	else
		snprintf(title, sizeof title, "จุดให้บริการ e-Service ทั่วประเทศ");
	json_t *desc = chosen
	                   ? metaf("จุดให้บริการ e-Service %lld แห่งในจังหวัด%s: ที่อยู่ เวลาทำการ โทรศัพท์ "
	                           "และบริการที่แต่ละอำเภอช่วยท่านได้",
	                           (long long)json_integer_value(json_object_get(chosen, "points")),
	                           web_str(chosen, "name_th"))
	                   : metaf("จุดให้บริการ e-Service ที่ศูนย์ดำรงธรรมอำเภอ %lld แห่งใน %zu จังหวัด: ค้นหาจุดใกล้บ้าน "
	                           "ที่อยู่ เวลาทำการ และโทรศัพท์",
	                           (long long)total, json_array_size(provinces));
	json_t *m =
	    json_pack("{s:s, s:O, s:b, s:O, s:o, s:{s:I, s:I}, s:o}", "page_title", title, "province",
	              chosen ? chosen : json_null(), "chosen", chosen != NULL, "provinces", provinces,
	              "points", points, "totals", "points", total, "open", open, "meta_description", desc);
	json_decref(provinces);
	reply_model(r, 200, "points", m);
}

static void portal_point(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *p = load_point(r, s, false);
	portal_snap_put(s);
	if (!p)
		return;
	const char *code = web_str(p, "unit_code");
	char path[64], short_path[64], alt[1024];
	snprintf(path, sizeof path, "/points/%s", code);
	snprintf(short_path, sizeof short_path, "/p/%s", code);
	snprintf(alt, sizeof alt, "คิวอาร์โค้ดของหน้า%s", web_str(p, "name_th"));
	json_t *next = json_array_get(json_object_get(p, "scheduled"), 0);
	json_t *desc = next ? metaf("%s: %s ประกาศ: ตั้งแต่วันที่ %s %s · %s · %s", web_str(p, "name_th"),
	                            web_str(p, "status_label"), web_str(next, "since_th"),
	                            web_str(next, "status_label"), web_str(p, "address"), web_str(p, "hours"))
	                    : metaf("%s: %s · %s · %s", web_str(p, "name_th"), web_str(p, "address"),
	                            web_str(p, "hours"), web_str(p, "status_label"));
	json_t *m = json_pack("{s:s, s:o, s:o, s:s, s:o, s:o}", "page_title", web_str(p, "name_th"), "point",
	                      p, "page_url", url_pair(path, short_path), "qr_alt", alt, "province_href",
	                      json_sprintf("/points?province=%s", web_str(p, "province_code")),
	                      "meta_description", desc);
	/* Issue 11: who is on duty today (name and position only). */
	json_t *duty = roster_today_public(code);
	json_object_set_new(m, "has_on_duty", json_boolean(json_array_size(duty) > 0));
	json_object_set_new(m, "on_duty", duty);
	reply_model(r, 200, "point", m);
}

static void point_poster(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *p = load_point(r, s, false);
	int64_t built_at = s->built_at;
	portal_snap_put(s);
	if (!p)
		return;
	const char *code = web_str(p, "unit_code");
	char path[64], short_path[64], survey_path[64], filename[64];
	snprintf(path, sizeof path, "/points/%s", code);
	snprintf(survey_path, sizeof survey_path, "/survey/p/%s", code);
	snprintf(short_path, sizeof short_path, "/p/%s", code);
	snprintf(filename, sizeof filename, "poster-%s.pdf", code);
	json_t *names = json_array();
	size_t i;
	json_t *svc;
	json_t *offered = json_object_get(p, "services");
	json_array_foreach(offered, i, svc)
	{
		if (json_array_size(names) == POSTER_SERVICES)
			break;
		json_array_append(names, json_object_get(svc, "name_th"));
	}
	json_t *model = json_pack(
	    "{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:o, s:o, s:o, s:o, s:I}", "point", "name_th",
	    web_str(p, "name_th"), "district_th", web_str(p, "district_th"), "province_th",
	    web_str(p, "province_th"), "address", web_str(p, "address"), "hours", web_str(p, "hours"),
	    "phone", web_str(p, "phone"), "status_label", web_str(p, "status_label"), "point_url",
	    url_pair(path, short_path), "catalogue_url", url_pair("/", ""), "services", names, "generated_th",
	    data_date_th(built_at), "services_total", (json_int_t)json_array_size(offered));
	json_object_set_new(model, "survey_url", url_pair(survey_path, survey_path));
	json_decref(p);
	send_pdf(r, print_poster_pdf, model, filename);
}

/* ---- /privacy ---- */

static void portal_privacy(struct req *r)
{
	int days = app->cfg->retention_days;
	int years = days / 365, months = (days % 365) / 30;
	char approx[128] = "";
	if (days % 365 == 0)
		snprintf(approx, sizeof approx, "%d ปี", years);
	else if (years && months)
		snprintf(approx, sizeof approx, "ประมาณ %d ปี %d เดือน", years, months);
	else if (years)
		snprintf(approx, sizeof approx, "ประมาณ %d ปี", years);
	else if (months)
		snprintf(approx, sizeof approx, "ประมาณ %d เดือน", months);
	json_t *m =
	    json_pack("{s:s, s:i, s:o, s:o}", "page_title", "ประกาศความเป็นส่วนตัว (การคุ้มครองข้อมูลส่วนบุคคล)",
	              "retention_days", days, "retention_label", *approx ? json_string(approx) : json_null(),
	              "meta_description",
	              metaf("จุดให้บริการ e-Service บันทึกข้อมูลอะไรของผู้มารับบริการ ใช้ทำอะไร เก็บไว้นาน%s%s "
	                    "และสิทธิของท่านตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล",
	                    *approx ? " " : "", *approx ? approx : "เท่าใด"));
	reply_model(r, 200, "privacy", m);
}

/* ---- short URLs ---- */

static void short_redirect(struct req *r, const char *prefix)
{
	struct buf b;
	buf_init(&b, 1024);
	buf_puts(&b, prefix);
	web_url_encode(&b, req_param(r, "code"));
	reply_redirect(r, 302, buf_str(&b));
	buf_cleanup(&b);
}

static void short_point(struct req *r)
{
	short_redirect(r, "/points/");
}

static void short_service(struct req *r)
{
	short_redirect(r, "/services/");
}

/* ---- /api/v1 ---- */

static void api_services(struct req *r)
{
	const char *category = query(r, "category");
	struct portal_snap *s = portal_snap_get();
	if (*category && !portal_snap_category(s, category)) {
		portal_snap_put(s);
		api_error(r, ERR_NOT_FOUND, "category", "ไม่พบหมวดบริการนี้");
		return;
	}
	json_t *list;
	if (*category) {
		list = json_array();
		size_t i;
		json_t *m;
		json_array_foreach(s->services, i, m) if (!strcmp(web_str(m, "category"), category))
		    json_array_append(list, m);
	} else {
		list = json_incref(s->services);
	}
	json_t *body = json_pack("{s:I, s:o}", "generation", (json_int_t)s->generation, "services", list);
	portal_snap_put(s);
	reply_json(r, 200, body);
}

static void api_service(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *svc = portal_snap_service(s, req_param(r, "code"));
	if (!svc) {
		portal_snap_put(s);
		api_error(r, ERR_NOT_FOUND, "code", "ไม่พบบริการนี้ในรายการบริการ");
		return;
	}
	json_incref(svc);
	portal_snap_put(s);
	reply_json(r, 200, svc);
}

static void api_points(struct req *r)
{
	const char *province = province_param(r);
	if (!province) {
		api_error(r, ERR_BAD_FIELD, "province", "รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก");
		return;
	}
	json_t *rows = db_points(app->db, province);
	if (!rows) {
		api_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (*province && json_array_size(rows) == 0) {
		json_decref(rows);
		api_error(r, ERR_NOT_FOUND, "province", "ไม่พบจุดให้บริการในจังหวัดนี้");
		return;
	}
	json_t *points = json_array();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) json_array_append_new(points, portal_point_model(row));
	json_decref(rows);
	struct portal_snap *s = portal_snap_get();
	json_int_t gen = (json_int_t)s->generation;
	portal_snap_put(s);
	reply_json(r, 200, json_pack("{s:I, s:o}", "generation", gen, "points", points));
}

static void api_point(struct req *r)
{
	struct portal_snap *s = portal_snap_get();
	json_t *p = load_point(r, s, true);
	portal_snap_put(s);
	if (!p)
		return;
	/* The API names the services only (codes and names). */
	json_t *slim = json_array();
	size_t i;
	json_t *svc;
	json_array_foreach(json_object_get(p, "services"), i, svc)
	    json_array_append_new(slim, json_pack("{s:O, s:O}", "code", json_object_get(svc, "code"),
	                                          "name_th", json_object_get(svc, "name_th")));
	json_object_set_new(p, "services", slim);
	reply_json(r, 200, p);
}

static void api_openapi(struct req *r)
{
	char *path = xasprintf("%s/docs/openapi.json", app->cfg->root);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f) {
		api_error(r, ERR_NOT_FOUND, NULL, "ยังไม่มีเอกสาร OpenAPI (docs/openapi.json) บนเครื่องนี้");
		return;
	}
	struct buf b;
	buf_init(&b, OPENAPI_MAX);
	char chunk[16384];
	size_t got;
	int rc = 0;
	while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = buf_append(&b, chunk, got);
	bool bad = ferror(f) || rc < 0;
	fclose(f);
	if (bad) {
		buf_cleanup(&b);
		api_error(r, ERR_INTERNAL, NULL, "อ่านเอกสาร OpenAPI ไม่ได้");
		return;
	}
	size_t len;
	char *data = buf_detach(&b, &len);
	reply_bytes_owned(r, 200, "application/json; charset=utf-8", data, len);
}

#define PUB (ROUTE_PUBLIC | ROUTE_CACHED)

const struct route portal_routes[] = {
    {HTTP_GET, "/", 0, PUB, portal_home, "portal.home", &scope_none},
    {HTTP_GET, "/search", 0, PUB, portal_search, "portal.search", &scope_none},
    {HTTP_GET, "/services", 0, PUB, portal_services, "portal.services", &scope_none},
    {HTTP_GET, "/services/{code}", 0, PUB, portal_service, "portal.service", &scope_none},
    {HTTP_GET, "/services/{code}/qr.svg", 0, PUB, service_qr_svg, "portal.service_qr_svg", &scope_none},
    {HTTP_GET, "/services/{code}/qr.png", 0, PUB, service_qr_png, "portal.service_qr_png", &scope_none},
    {HTTP_GET, "/catalogue.pdf", 0, PUB, catalogue_pdf, "portal.catalogue_pdf", &scope_none},
    {HTTP_GET, "/points", 0, PUB, portal_points, "portal.points", &scope_none},
    {HTTP_GET, "/points/{code}", 0, PUB, portal_point, "portal.point", &scope_none},
    {HTTP_GET, "/points/{code}/poster.pdf", 0, PUB, point_poster, "portal.point_poster", &scope_none},
    {HTTP_GET, "/points/{code}/qr.svg", 0, PUB, point_qr_svg, "portal.point_qr_svg", &scope_none},
    {HTTP_GET, "/privacy", 0, PUB, portal_privacy, "portal.privacy", &scope_none},
    {HTTP_GET, "/p/{code}", 0, ROUTE_PUBLIC, short_point, "portal.short_point", &scope_none},
    {HTTP_GET, "/s/{code}", 0, ROUTE_PUBLIC, short_service, "portal.short_service", &scope_none},
    {HTTP_GET, "/api/v1/services", 0, PUB, api_services, "api.services", &scope_none},
    {HTTP_GET, "/api/v1/services/{code}", 0, PUB, api_service, "api.service", &scope_none},
    {HTTP_GET, "/api/v1/points", 0, PUB, api_points, "api.points", &scope_none},
    {HTTP_GET, "/api/v1/points/{code}", 0, PUB, api_point, "api.point", &scope_none},
    {HTTP_GET, "/api/v1/openapi.json", 0, PUB, api_openapi, "api.openapi", &scope_none},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
