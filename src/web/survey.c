/* /survey…: the satisfaction survey (แบบสำรวจความพึงพอใจ), issue 10.
 *
 * Four ways in, one form (fields declared once in core/survey.h):
 *   - per visit, public: /survey/{token} from the QR or slip of a saved
 *     entry (mode 'online'); valid survey_token_days from the visit, counts
 *     once; no rate limit and no minimum time;
 *   - the counter tablet, signed in as district staff: /survey/counter lists
 *     today's entries, /survey/counter/{id} opens one (mode 'counter');
 *   - paper, keyed in by staff: /survey/paper (mode 'paper'), for an entry
 *     given by its running number or, without one, as a point response;
 *   - the point's poster QR, public: /survey/p/{district} (source 'point'),
 *     rate-limited per address and per device cookie, with a honeypot field
 *     and a minimum time proved by a stamp the server signed with the form.
 * A response stores the district, the Bangkok day, the visit's channel and
 * services (per visit), never the entry or a time (db/survey.h,
 * docs/survey.md). The staff side: the entry's survey page with its QR and
 * print slips (/registry/{id}/survey…), the comments (/survey/comments,
 * personal data, audited) and the national admin's question sets and
 * official-survey link (/admin/survey). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "core/period.h"
#include "core/survey.h"
#include "core/throttle.h"
#include "db/db.h"
#include "db/survey.h"
#include "db/units.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "render/print.h"
#include "render/qr.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/web.h"

#define DEVICE_COOKIE  "osspoint_survey_device"
#define DEVICE_MAX_AGE (400L * 86400) /* the longest a browser keeps a cookie */
#define STAMP_MAX_AGE  (4 * 3600)     /* a point form left open longer is issued anew */
#define HONEYPOT       "website"
#define SLIP_PDF_MAX   (4u << 20)

/* ---- small helpers ---- */

/* Today's Bangkok day and its period (cut-off from the settings). */
static int today_of(int64_t now, char day[THAI_ISO_DAY_SIZE], char period[PERIOD_ISO_SIZE])
{
	struct civil_day d;
	struct period p;
	if (thai_epoch_day(now, &d) != 0 || thai_day_iso(d, day) != 0 ||
	    period_of_day(d.y, d.m, d.d, app->cfg->cutoff_day, &p) != 0 || period_iso(p, period) != 0)
		return -1;
	return 0;
}

static json_t *date_th(int64_t t, enum thai_date_style style)
{
	struct buf b;
	buf_init(&b, 256);
	thai_epoch_format_date(&b, t, style, false);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

static json_t *day_th(const char *iso)
{
	struct civil_day d;
	struct buf b;
	buf_init(&b, 256);
	if (thai_day_parse(iso, &d) == 0)
		thai_date_format(&b, d.y, d.m, d.d, THAI_DATE_SHORT, false);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

/* public_url + path (request memory). */
static const char *absolute(struct req *r, const char *path)
{
	size_t n = strlen(app->public_url) + strlen(path) + 1;
	char *s = req_alloc(r, n);
	snprintf(s, n, "%s%s", app->public_url, path);
	return s;
}

/* The URL without its scheme, as printed under a QR code. */
static const char *short_url(const char *href)
{
	const char *p = strstr(href, "://");
	return p ? p + 3 : href;
}

/* {official: {href, short} | null, osspoint: bool, official_only: bool}:
 * what the slip, the tablet and the thank-you page offer (the setting). */
static json_t *offer_model(void)
{
	char url[512] = "";
	enum survey_offer o = SURVEY_OFFER_BOTH;
	db_survey_settings_get(app->db, url, sizeof url, &o);
	bool off, own;
	survey_offer_resolve(o, url[0] != '\0', &off, &own);
	return json_pack("{s:o, s:b, s:b, s:s}", "official",
	                 off ? json_pack("{s:s, s:s}", "href", url, "short", short_url(url)) : json_null(),
	                 "osspoint", own, "official_only", off && !own, "setting", survey_offer_name(o));
}

/* The PDPA notice every form shows (PDPA s.23: purpose, basis, retention,
 * what is not collected). */
static json_t *pdpa_model(void)
{
	int days = app->cfg->retention_days;
	char retention[160];
	if (days % 365 == 0)
		snprintf(retention, sizeof retention, "%d ปี", days / 365);
	else
		snprintf(retention, sizeof retention, "%d วัน", days);
	return json_pack("{s:s}", "retention", retention);
}

/* Refuses with the err table's code: a problem document for JSON clients,
 * else a Thai page of the survey's own (no staff buttons on a citizen's
 * page). retry_after > 0 adds the Retry-After header. */
static void refuse(struct req *r, enum err code, const char *field, const char *detail, int64_t retry_after)
{
	if (retry_after > 0) {
		char ra[24];
		snprintf(ra, sizeof ra, "%lld", (long long)retry_after);
		reply_header(r, "Retry-After", ra);
	}
	if (web_wants_json(r)) {
		reply_error(r, code, field, detail);
		return;
	}
	const struct err_info *e = err_info(code);
	log_info("%s %s: %d %s", req_method_name(r), req_path(r), e->status, e->slug);
	json_t *m = json_pack("{s:s, s:s, s:i, s:s, s:o}", "page_title", e->title, "title", e->title,
	                      "status", e->status, "slug", e->slug, "offer", offer_model());
	if (detail)
		json_object_set_new(m, "detail", json_string(detail));
	json_object_set_new(m, "used", json_boolean(code == ERR_SURVEY_USED));
	reply_model(r, e->status, "survey_message", m);
}

/* ---- the form model ---- */

/* One field of the form: {name, label_th, id, score (bool), required,
 * options: [{value, id, checked}], value, error}. */
static json_t *field_model(const struct survey_field *f, const char *value, json_t *by_field)
{
	json_t *m = json_pack("{s:s, s:s, s:b, s:b, s:i}", "name", f->name, "label_th", f->label_th, "score",
	                      f->kind == SURVEY_FIELD_SCORE, "required", f->required, "max", f->max);
	const char *err = web_str(by_field, f->name);
	if (*err)
		json_object_set_new(m, "error", json_string(err));
	if (f->kind == SURVEY_FIELD_SCORE) {
		int chosen = -1, v;
		if (survey_score_parse(value, &v) == 1)
			chosen = v;
		json_t *opts = json_array();
		for (int i = SURVEY_SCORE_MIN; i <= SURVEY_SCORE_MAX; i++)
			json_array_append_new(opts, json_pack("{s:i, s:b, s:b, s:b}", "value", i, "checked",
			                                      i == chosen, "low", i == SURVEY_SCORE_MIN,
			                                      "high", i == SURVEY_SCORE_MAX));
		json_object_set_new(m, "options", opts);
		json_object_set_new(m, "value", chosen >= 0 ? json_integer(chosen) : json_null());
	} else {
		json_object_set_new(m, "value", json_string(value ? value : ""));
	}
	return m;
}

struct values {
	struct req *r;
	json_t *typed; /* {name: text} from an earlier submission, or NULL */
};

static const char *value_of(const char *name, void *ctx)
{
	struct values *v = ctx;
	if (v->typed)
		return json_string_value(json_object_get(v->typed, name));
	return v->r ? req_form(v->r, name) : NULL;
}

/* The form's model for qs. mode: "online" | "counter" | "point" | "paper";
 * action: where it posts; point: the district's point (borrowed); from_req:
 * take the values typed in this request (a re-shown form); errors: [{field,
 * message}] (taken, may be NULL). */
static json_t *form_model(struct req *r, const struct survey_qset *qs, const char *mode, const char *action,
                          json_t *point, bool from_req, json_t *errors)
{
	json_t *by_field = json_object();
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) if (!json_object_get(by_field, web_str(e, "field")))
	    json_object_set(by_field, web_str(e, "field"), json_object_get(e, "message"));
	struct survey_field f[SURVEY_FIELDS_MAX];
	size_t nf = survey_fields(qs, f);
	json_t *fields = json_array();
	struct values vals = {from_req ? r : NULL, NULL};
	for (size_t k = 0; k < nf; k++)
		json_array_append_new(fields, field_model(&f[k], value_of(f[k].name, &vals), by_field));
	json_t *m = json_pack("{s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:o, s:O, s:o}", "page_title",
	                      "แบบสำรวจความพึงพอใจของผู้รับบริการ", "mode", mode, "action", action, "qset_version",
	                      (json_int_t)qs->version, "fields", fields, "scale_low", SURVEY_SCALE_LOW_TH,
	                      "scale_high", SURVEY_SCALE_HIGH_TH, "pdpa", pdpa_model(), "point",
	                      point ? point : json_null(), "errors_by_field", by_field);
	json_object_set_new(m, "is_point", json_boolean(!strcmp(mode, "point")));
	json_object_set_new(m, "is_staff", json_boolean(!strcmp(mode, "counter") || !strcmp(mode, "paper")));
	json_object_set_new(m, "is_paper", json_boolean(!strcmp(mode, "paper")));
	json_object_set_new(m, "errors", errors ? errors : json_array());
	return m;
}

/* The question set a submission answers: the version its form showed ("v"),
 * else the current one. Returns 0, or -1 after replying. */
static int submitted_qset(struct req *r, struct survey_qset *qs)
{
	const char *v = web_field(r, "v");
	int rc;
	if (*v) {
		char *end;
		long long ver = strtoll(v, &end, 10);
		rc = *end || ver <= 0 ? DB_DONE : db_survey_qset_get(app->db, ver, qs);
		if (rc == DB_DONE) {
			reply_error(r, ERR_BAD_FIELD, "v", "ไม่พบชุดคำถามรุ่นนี้");
			return -1;
		}
	} else {
		rc = db_survey_qset_current(app->db, qs);
	}
	if (rc != DB_ROW) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return -1;
	}
	return 0;
}

static int current_qset(struct req *r, struct survey_qset *qs)
{
	if (db_survey_qset_current(app->db, qs) != DB_ROW) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Checks the answers; on errors replies 422 with the form (model taken) and
 * returns -1. */
static int read_answers(struct req *r, const struct survey_qset *qs, struct survey_answers *a, json_t *form)
{
	struct values vals = {r, NULL};
	struct survey_errors errs;
	if (survey_answers_check(qs, value_of, &vals, a, &errs) == 0) {
		json_decref(form);
		return 0;
	}
	json_t *list = json_array();
	for (size_t i = 0; i < errs.n; i++)
		web_field_error(list, errs.e[i].field, errs.e[i].message);
	log_info("survey: %zu field error(s)", errs.n);
	/* reply_invalid adds "errors"; errors_by_field is the form's own. */
	json_t *by = json_object_get(form, "errors_by_field");
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) if (!json_object_get(by, web_str(e, "field")))
	    json_object_set(by, web_str(e, "field"), json_object_get(e, "message"));
	json_t *fields = json_object_get(form, "fields");
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		json_t *msg = json_object_get(by, web_str(f, "name"));
		if (msg)
			json_object_set(f, "error", msg);
	}
	reply_invalid(r, "survey_form", form, list);
	return -1;
}

/* The point (district) of an entry or a district code, for the page header. */
static json_t *point_of(const char *unit)
{
	int rc;
	return db_survey_point(app->db, unit, &rc);
}

/* After a stored response: 201 {stored, unit_code, day, period,
 * qset_version, source, mode} for JSON, else 303 to `next`. */
static void stored(struct req *r, const struct survey_submit *in, const struct survey_submitted *out,
                   const char *next)
{
	if (web_wants_json(r)) {
		reply_json(r, 201,
		           json_pack("{s:b, s:s, s:s, s:s, s:I, s:s, s:s}", "stored", 1, "unit_code",
		                     out->unit_code, "day", in->day, "period", in->period, "qset_version",
		                     (json_int_t)in->qset_version, "source",
		                     in->visit_id > 0 ? "visit" : "point", "mode", in->mode));
		return;
	}
	reply_redirect(r, 303, next);
}

/* Answers a refusal of db_survey_submit. */
static void submit_refused(struct req *r, int rc, const struct survey_submitted *out)
{
	switch (rc) {
	case DB_DONE: refuse(r, ERR_SURVEY_NOT_FOUND, NULL, NULL, 0); return;
	case SURVEY_RC_VOID:
		refuse(r, ERR_SURVEY_NOT_FOUND, NULL, "รายการนี้ถูกยกเลิกในทะเบียนแล้ว จึงไม่มีแบบสำรวจ", 0);
		return;
	case SURVEY_RC_USED: refuse(r, ERR_SURVEY_USED, NULL, NULL, 0); return;
	case SURVEY_RC_EXPIRED: refuse(r, ERR_SURVEY_EXPIRED, NULL, NULL, 0); return;
	case SURVEY_RC_ADDRESS_LIMIT:
		refuse(r, ERR_SURVEY_ADDRESS_LIMIT, NULL, NULL, out->retry_after);
		return;
	case SURVEY_RC_DEVICE_LIMIT: refuse(r, ERR_SURVEY_DEVICE_LIMIT, NULL, NULL, out->retry_after); return;
	case SURVEY_RC_CLOSED: reply_error(r, ERR_PERIOD_CLOSED, "day", NULL); return;
	case SURVEY_RC_NO_QSET: reply_error(r, ERR_BAD_FIELD, "v", "ไม่พบชุดคำถามรุ่นนี้"); return;
	case DB_BUSY: reply_error(r, ERR_UNAVAILABLE, NULL, NULL); return;
	default: reply_error(r, ERR_INTERNAL, NULL, NULL); return;
	}
}

/* Fills the common parts of a submission. */
static void submit_init(struct survey_submit *in, char id[SURVEY_ID_LEN], const char *day, const char *period,
                        const struct survey_qset *qs, const struct survey_answers *a, int64_t now)
{
	memset(in, 0, sizeof *in);
	random_hex(id, 16);
	in->id = id;
	in->day = day;
	in->period = period;
	in->qset_version = qs->version;
	in->a = a;
	in->now = now;
}

/* ---- per visit: /survey/{token} ---- */

/* The entry a token names, checked for a form: 0 (v filled), or -1 after
 * replying (404 unknown or forged, 404 void, 409 used, 410 expired). */
static int64_t token_visit(struct req *r, const char *token, struct survey_visit *v)
{
	int64_t id = survey_token_check(token);
	if (!id) {
		refuse(r, ERR_SURVEY_NOT_FOUND, NULL, NULL, 0);
		return -1;
	}
	int rc = db_survey_visit(app->db, id, v);
	if (rc < 0) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return -1;
	}
	if (rc != DB_ROW) {
		refuse(r, ERR_SURVEY_NOT_FOUND, NULL, NULL, 0);
		return -1;
	}
	if (!v->active) {
		submit_refused(r, SURVEY_RC_VOID, NULL);
		return -1;
	}
	if (v->answered) {
		refuse(r, ERR_SURVEY_USED, NULL, NULL, 0);
		return -1;
	}
	if (!survey_token_valid(v->visited_at, (int64_t)time(NULL), app->cfg->survey_token_days)) {
		refuse(r, ERR_SURVEY_EXPIRED, NULL, NULL, 0);
		return -1;
	}
	return id;
}

static void survey_visit_form(struct req *r)
{
	const char *token = req_param(r, "token");
	struct survey_visit v;
	if (token_visit(r, token, &v) < 0)
		return;
	struct survey_qset qs;
	if (current_qset(r, &qs) < 0)
		return;
	char action[96];
	snprintf(action, sizeof action, "/survey/%s", token);
	json_t *point = point_of(v.unit_code);
	json_t *m = form_model(r, &qs, "online", action, point, false, NULL);
	json_decref(point);
	reply_model(r, 200, "survey_form", m);
}

static void survey_visit_submit(struct req *r)
{
	const char *token = req_param(r, "token");
	int64_t id = survey_token_check(token);
	if (!id) {
		refuse(r, ERR_SURVEY_NOT_FOUND, NULL, NULL, 0);
		return;
	}
	struct survey_qset qs;
	if (submitted_qset(r, &qs) < 0)
		return;
	struct survey_visit v;
	if (db_survey_visit(app->db, id, &v) != DB_ROW) {
		refuse(r, ERR_SURVEY_NOT_FOUND, NULL, NULL, 0);
		return;
	}
	char action[96];
	snprintf(action, sizeof action, "/survey/%s", token);
	struct survey_answers a;
	json_t *point = point_of(v.unit_code);
	json_t *form = form_model(r, &qs, "online", action, point, true, NULL);
	json_decref(point);
	if (read_answers(r, &qs, &a, form) < 0)
		return;
	int64_t now = (int64_t)time(NULL);
	char day[THAI_ISO_DAY_SIZE], period[PERIOD_ISO_SIZE], rid[SURVEY_ID_LEN];
	if (today_of(now, day, period) < 0) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	struct survey_submit in;
	submit_init(&in, rid, day, period, &qs, &a, now);
	in.visit_id = id;
	in.mode = "online";
	in.token_days = app->cfg->survey_token_days;
	struct survey_submitted out;
	int rc = db_survey_submit(app->db, &in, &out);
	if (rc != DB_OK) {
		submit_refused(r, rc, &out);
		return;
	}
	stored(r, &in, &out, "/survey/thanks");
}

static void survey_thanks(struct req *r)
{
	json_t *m = json_pack("{s:s, s:o}", "page_title", "ขอบคุณที่ตอบแบบสำรวจ", "offer", offer_model());
	reply_model(r, 200, "survey_thanks", m);
}

/* ---- the point's QR: /survey/p/{district} ---- */

/* The district of the route, when it has a point survey: a district unit in
 * the programme. NULL after replying 404. */
static json_t *point_param(struct req *r)
{
	const char *code = req_param(r, "district");
	if (!code || unit_level_of_code(code) != UNIT_LEVEL_DISTRICT) {
		refuse(r, ERR_SURVEY_POINT_NOT_FOUND, "district", NULL, 0);
		return NULL;
	}
	int rc;
	json_t *p = db_survey_point(app->db, code, &rc);
	if (rc < 0) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return NULL;
	}
	if (!p || !json_is_true(json_object_get(p, "in_programme"))) {
		json_decref(p);
		refuse(r, ERR_SURVEY_POINT_NOT_FOUND, "district", NULL, 0);
		return NULL;
	}
	return p;
}

/* The device cookie of the request when it is one we issue (43 base64url
 * characters), else NULL. */
static const char *device_of(struct req *r)
{
	const char *d = req_cookie(r, DEVICE_COOKIE);
	if (!d || strlen(d) != TOKEN_LEN - 1)
		return NULL;
	for (const char *p = d; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return NULL;
	return d;
}

/* The device cookie, issued now when the request has none. */
static const char *device_issue(struct req *r)
{
	const char *d = device_of(r);
	if (d)
		return d;
	char *t = req_alloc(r, TOKEN_LEN);
	token_new(t);
	reply_cookie(r, DEVICE_COOKIE, t, DEVICE_MAX_AGE);
	return t;
}

/* The point form's model with a stamp issued at `issued` for device. */
static json_t *point_form(struct req *r, const struct survey_qset *qs, json_t *point, const char *device,
                          int64_t issued, bool from_req)
{
	char action[64], stamp[SURVEY_STAMP_LEN];
	const char *code = web_str(point, "unit_code");
	snprintf(action, sizeof action, "/survey/p/%s", code);
	survey_stamp(stamp, code, device, issued);
	json_t *m = form_model(r, qs, "point", action, point, from_req, NULL);
	json_object_set_new(m, "stamp", json_string(stamp));
	json_object_set_new(m, "honeypot", json_string(HONEYPOT));
	json_object_set_new(m, "min_seconds", json_integer(app->cfg->survey_point_min_seconds));
	return m;
}

static void survey_point_form(struct req *r)
{
	json_t *point = point_param(r);
	if (!point)
		return;
	struct survey_qset qs;
	if (current_qset(r, &qs) < 0) {
		json_decref(point);
		return;
	}
	const char *device = device_issue(r);
	json_t *m = point_form(r, &qs, point, device, (int64_t)time(NULL), false);
	json_decref(point);
	reply_model(r, 200, "survey_form", m);
}

/* Shows the point form again with what was typed, a notice of why, and
 * status/code from the err table: the citizen checks and sends again. */
static void point_again(struct req *r, const struct survey_qset *qs, json_t *point, const char *device,
                        int64_t issued, enum err code)
{
	if (web_wants_json(r)) {
		reply_error(r, code, "stamp", NULL);
		return;
	}
	const struct err_info *e = err_info(code);
	log_info("%s %s: %d %s", req_method_name(r), req_path(r), e->status, e->slug);
	json_t *m = point_form(r, qs, point, device, issued, true);
	json_object_set_new(m, "again", json_string(e->title));
	reply_model(r, e->status, "survey_form", m);
}

static void survey_point_submit(struct req *r)
{
	json_t *point = point_param(r);
	if (!point)
		return;
	const char *code = web_str(point, "unit_code");
	struct survey_qset qs;
	int64_t now = (int64_t)time(NULL);
	if (submitted_qset(r, &qs) < 0)
		goto out;
	/* A robot fills in every field; people never see this one. */
	if (*web_field(r, HONEYPOT)) {
		refuse(r, ERR_SURVEY_HONEYPOT, HONEYPOT, NULL, 0);
		goto out;
	}
	/* The stamp proves the form was issued to this device, and when. A form
	 * without it (or of another device, or forged, or too old) is shown
	 * again with a new stamp: the minimum time starts over. */
	const char *device = device_of(r);
	int64_t issued = device ? survey_stamp_check(web_field(r, "stamp"), code, device) : 0;
	if (!device)
		device = device_issue(r);
	enum survey_timing t =
	    issued ? survey_point_timing(issued, now, app->cfg->survey_point_min_seconds, STAMP_MAX_AGE)
	           : SURVEY_TIMING_STALE;
	if (t == SURVEY_TIMING_STALE) {
		point_again(r, &qs, point, device, now, ERR_SURVEY_FORM_STALE);
		goto out;
	}
	struct survey_answers a;
	if (read_answers(r, &qs, &a, point_form(r, &qs, point, device, issued, true)) < 0)
		goto out;
	if (t == SURVEY_TIMING_TOO_FAST) {
		point_again(r, &qs, point, device, issued, ERR_SURVEY_TOO_FAST);
		goto out;
	}
	char day[THAI_ISO_DAY_SIZE], period[PERIOD_ISO_SIZE], rid[SURVEY_ID_LEN];
	if (today_of(now, day, period) < 0) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		goto out;
	}
	/* The throttle's keys: keyed MACs, so no address or cookie is stored. */
	char addr[THROTTLE_KEY_LEN], akey[DERIVED_ID_LEN], dkey[DERIVED_ID_LEN];
	throttle_key(req_client_ip(r), addr);
	derived_id(akey, "survey-address", addr, strlen(addr));
	derived_id(dkey, "survey-device", device, strlen(device));
	struct survey_submit in;
	submit_init(&in, rid, day, period, &qs, &a, now);
	in.unit_code = code;
	in.mode = "online";
	in.address_key = akey;
	in.device_key = dkey;
	in.window = app->cfg->survey_point_window;
	in.address_limit = app->cfg->survey_point_per_address;
	in.device_limit = app->cfg->survey_point_per_device;
	struct survey_submitted out;
	int rc = db_survey_submit(app->db, &in, &out);
	if (rc != DB_OK)
		submit_refused(r, rc, &out);
	else
		stored(r, &in, &out, "/survey/thanks");
out:
	json_decref(point);
}

/* ---- the counter tablet ---- */

static bool own_unit(struct req *r, const char *unit)
{
	const struct session_user *u = web_user(r);
	return u && !strcmp(u->unit_code, unit);
}

static void survey_counter(struct req *r)
{
	const char *unit = web_scope_unit(r);
	int64_t now = (int64_t)time(NULL);
	char day[THAI_ISO_DAY_SIZE], period[PERIOD_ISO_SIZE];
	if (today_of(now, day, period) < 0) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	json_t *rows = db_survey_counter_entries(app->db, unit, day);
	if (!rows) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(rows, i, e)
	{
		json_object_set_new(e, "href",
		                    json_sprintf("/survey/counter/%lld",
		                                 (long long)json_integer_value(json_object_get(e, "id"))));
		struct buf b;
		buf_init(&b, 128);
		struct civil_time lt;
		if (thai_epoch_to_local(json_integer_value(json_object_get(e, "visited_at")), &lt) == 0)
			buf_printf(&b, "%02d:%02d น.", lt.hour, lt.min);
		json_object_set_new(e, "time_th", json_string(buf_str(&b)));
		buf_cleanup(&b);
	}
	json_t *point = point_of(unit);
	const char *done = req_query(r, "done");
	json_t *m = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}", "page_title", "แบบสำรวจที่เคาน์เตอร์ (แท็บเล็ต)",
	                      "entries", rows, "day_th", day_th(day), "point", point ? point : json_null(),
	                      "offer", offer_model(), "done", done && !strcmp(done, "1"));
	json_object_set_new(m, "has_entries",
	                    json_boolean(json_array_size(json_object_get(m, "entries")) > 0));
	reply_model(r, 200, "survey_counter", m);
}

/* The entry of /survey/counter/{id} for the counter: 0, or -1 after
 * replying (another district's entry: 403 not-own-district; else as the
 * token's refusals). */
static int counter_entry(struct req *r, int64_t *id, struct survey_visit *v)
{
	*id = strtoll(req_param(r, "id"), NULL, 10);
	int rc = db_survey_visit(app->db, *id, v);
	if (rc < 0) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return -1;
	}
	if (rc != DB_ROW) {
		reply_error(r, ERR_ENTRY_NOT_FOUND, "id", NULL);
		return -1;
	}
	if (!own_unit(r, v->unit_code)) {
		reply_error(r, ERR_NOT_OWN_DISTRICT, "id", NULL);
		return -1;
	}
	return 0;
}

static void survey_counter_form(struct req *r)
{
	int64_t id;
	struct survey_visit v;
	if (counter_entry(r, &id, &v) < 0)
		return;
	if (!v.active) {
		submit_refused(r, SURVEY_RC_VOID, NULL);
		return;
	}
	if (v.answered) {
		refuse(r, ERR_SURVEY_USED, NULL, NULL, 0);
		return;
	}
	if (!survey_token_valid(v.visited_at, (int64_t)time(NULL), app->cfg->survey_token_days)) {
		refuse(r, ERR_SURVEY_EXPIRED, NULL, NULL, 0);
		return;
	}
	struct survey_qset qs;
	if (current_qset(r, &qs) < 0)
		return;
	char action[64];
	snprintf(action, sizeof action, "/survey/counter/%lld", (long long)id);
	json_t *point = point_of(v.unit_code);
	json_t *m = form_model(r, &qs, "counter", action, point, false, NULL);
	json_decref(point);
	json_object_set_new(m, "number", json_string(v.number));
	json_object_set_new(m, "offer", offer_model());
	reply_model(r, 200, "survey_form", m);
}

static void survey_counter_submit(struct req *r)
{
	int64_t id;
	struct survey_visit v;
	if (counter_entry(r, &id, &v) < 0)
		return;
	struct survey_qset qs;
	if (submitted_qset(r, &qs) < 0)
		return;
	char action[64];
	snprintf(action, sizeof action, "/survey/counter/%lld", (long long)id);
	json_t *point = point_of(v.unit_code);
	json_t *form = form_model(r, &qs, "counter", action, point, true, NULL);
	json_decref(point);
	json_object_set_new(form, "number", json_string(v.number));
	struct survey_answers a;
	if (read_answers(r, &qs, &a, form) < 0)
		return;
	int64_t now = (int64_t)time(NULL);
	char day[THAI_ISO_DAY_SIZE], period[PERIOD_ISO_SIZE], rid[SURVEY_ID_LEN];
	if (today_of(now, day, period) < 0) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	struct survey_submit in;
	submit_init(&in, rid, day, period, &qs, &a, now);
	in.visit_id = id;
	in.mode = "counter";
	in.token_days = app->cfg->survey_token_days;
	struct survey_submitted out;
	int rc = db_survey_submit(app->db, &in, &out);
	if (rc != DB_OK) {
		submit_refused(r, rc, &out);
		return;
	}
	stored(r, &in, &out, "/survey/counter?done=1");
}

/* ---- paper answers keyed in by staff ---- */

static json_t *paper_form(struct req *r, const struct survey_qset *qs, bool from_req, json_t *errors)
{
	json_t *point = point_of(web_scope_unit(r));
	json_t *m = form_model(r, qs, "paper", "/survey/paper", point, from_req, errors);
	json_decref(point);
	struct buf today;
	buf_init(&today, 64);
	thai_epoch_format_date(&today, (int64_t)time(NULL), THAI_DATE_NUMERIC, false);
	json_object_set_new(
	    m, "paper",
	    json_pack("{s:s, s:s}", "number", from_req ? web_field(r, "number") : "", "day",
	              from_req && *web_field(r, "day") ? web_field(r, "day") : buf_str(&today)));
	buf_cleanup(&today);
	const char *saved = req_query(r, "saved");
	json_object_set_new(m, "saved", json_boolean(saved && !strcmp(saved, "1")));
	return m;
}

static void survey_paper_new(struct req *r)
{
	struct survey_qset qs;
	if (current_qset(r, &qs) < 0)
		return;
	reply_model(r, 200, "survey_form", paper_form(r, &qs, false, NULL));
}

/* A running number "15/2567" (Thai digits too): 0 with seq and year, -1. */
static int number_parse(const char *s, int64_t *seq, int64_t *year)
{
	char ascii[64];
	if (thai_digits_to_ascii(ascii, sizeof ascii, s) < 0)
		return -1;
	long long a, b;
	char tail;
	if (sscanf(ascii, "%lld/%lld%c", &a, &b, &tail) != 2 || a <= 0 || b < 2400 || b > 9999)
		return -1;
	*seq = a;
	*year = b;
	return 0;
}

static void survey_paper_submit(struct req *r)
{
	const char *unit = web_scope_unit(r);
	struct survey_qset qs;
	if (submitted_qset(r, &qs) < 0)
		return;
	json_t *errors = json_array();
	/* The day it was answered (what the paper says) and the entry. */
	struct civil_time when;
	char day[THAI_ISO_DAY_SIZE] = "", period[PERIOD_ISO_SIZE] = "";
	int64_t now = (int64_t)time(NULL);
	const char *day_text = web_field(r, "day");
	if (!*day_text) {
		if (today_of(now, day, period) < 0) {
			json_decref(errors);
			reply_error(r, ERR_INTERNAL, NULL, NULL);
			return;
		}
	} else {
		struct civil_day today, d;
		struct period p;
		if (thai_when_parse(day_text, &when) < 0 || thai_epoch_day(now, &today) != 0 ||
		    thai_day_iso((d = (struct civil_day){when.y, when.m, when.d}), day) != 0 ||
		    period_of_day(d.y, d.m, d.d, app->cfg->cutoff_day, &p) != 0 || period_iso(p, period) != 0)
			web_field_error(errors, "day", "วันที่ไม่ถูกต้อง เช่น 27/11/2569");
		else if (thai_day_cmp(d, today) > 0)
			web_field_error(errors, "day", "วันที่ตอบต้องไม่เลยวันนี้");
	}
	int64_t visit_id = 0;
	const char *number = web_field(r, "number");
	if (*number) {
		int64_t seq, year;
		int rc = number_parse(number, &seq, &year) < 0
		             ? DB_DONE
		             : db_survey_visit_by_number(app->db, unit, seq, year, &visit_id);
		if (rc < 0) {
			json_decref(errors);
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		if (rc != DB_ROW)
			web_field_error(errors, "number", "ไม่พบลำดับที่นี้ในทะเบียนของอำเภอ (เช่น 15/2569)");
	}
	struct survey_answers a;
	struct values vals = {r, NULL};
	struct survey_errors errs;
	survey_answers_check(&qs, value_of, &vals, &a, &errs);
	for (size_t i = 0; i < errs.n; i++)
		web_field_error(errors, errs.e[i].field, errs.e[i].message);
	if (json_array_size(errors)) {
		json_t *form = paper_form(r, &qs, true, json_deep_copy(errors));
		reply_invalid(r, "survey_form", form, errors);
		return;
	}
	json_decref(errors);
	char rid[SURVEY_ID_LEN];
	struct survey_submit in;
	submit_init(&in, rid, day, period, &qs, &a, now);
	in.visit_id = visit_id;
	in.unit_code = unit;
	in.mode = "paper";
	in.cutoff_day = app->cfg->cutoff_day;
	in.grace_days = app->cfg->grace_days;
	/* A paper form without a number is a point response (the unit's); it
	 * is staff work, so it is not throttled (no address_key). */
	struct survey_submitted out;
	int rc = db_survey_submit(app->db, &in, &out);
	if (rc != DB_OK) {
		submit_refused(r, rc, &out);
		return;
	}
	web_audit(r, "survey.paper", unit, visit_id ? "visit" : "point");
	stored(r, &in, &out, "/survey/paper?saved=1");
}

/* ---- an entry's survey, for its district's staff ---- */

/* The entry of /registry/{id}/survey…, for its own district's staff: 0 or
 * -1 after replying. token gets its survey token. */
static int entry_survey(struct req *r, int64_t *id, struct survey_visit *v, char token[SURVEY_TOKEN_LEN])
{
	if (counter_entry(r, id, v) < 0)
		return -1;
	survey_token(token, *id);
	return 0;
}

static void survey_entry(struct req *r)
{
	int64_t id;
	struct survey_visit v;
	char token[SURVEY_TOKEN_LEN], path[96];
	if (entry_survey(r, &id, &v, token) < 0)
		return;
	snprintf(path, sizeof path, "/survey/%s", token);
	int64_t now = (int64_t)time(NULL);
	bool valid = survey_token_valid(v.visited_at, now, app->cfg->survey_token_days);
	const char *state = !v.active ? "void" : v.answered ? "answered" : valid ? "open" : "expired";
	static const struct {
		const char *state, *label;
	} labels[] = {{"void", "รายการนี้ถูกยกเลิกแล้ว ไม่มีแบบสำรวจ"},
	              {"answered", "ตอบแบบสำรวจแล้ว"},
	              {"open", "ยังไม่ได้ตอบ"},
	              {"expired", "ลิงก์แบบสำรวจหมดอายุแล้ว"}};
	const char *label = "";
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(labels[i].state, state))
			label = labels[i].label;
	const char *href = absolute(r, path);
	json_t *m = json_pack(
	    "{s:s, s:I, s:s, s:s, s:s, s:b, s:{s:s, s:s}, s:o, s:o, s:s, s:s, s:s, s:s}", "page_title",
	    "แบบสำรวจของรายการนี้", "id", (json_int_t)id, "number", v.number, "state", state, "state_label",
	    label, "open", !strcmp(state, "open"), "survey_url", "href", href, "short", short_url(href),
	    "valid_until_th",
	    date_th(v.visited_at + (int64_t)app->cfg->survey_token_days * 86400, THAI_DATE_FULL), "offer",
	    offer_model(), "qr_href", "", "slip_80_href", "", "slip_a6_href", "", "counter_href", "");
	json_object_set_new(m, "qr_href", json_sprintf("/registry/%lld/survey/qr.svg", (long long)id));
	json_object_set_new(m, "slip_80_href",
	                    json_sprintf("/registry/%lld/survey/slip.pdf?size=80mm", (long long)id));
	json_object_set_new(m, "slip_a6_href",
	                    json_sprintf("/registry/%lld/survey/slip.pdf?size=a6", (long long)id));
	json_object_set_new(m, "counter_href", json_sprintf("/survey/counter/%lld", (long long)id));
	json_object_set_new(m, "entry_href", json_sprintf("/registry/%lld", (long long)id));
	reply_model(r, 200, "survey_entry", m);
}

static void survey_entry_qr(struct req *r)
{
	int64_t id;
	struct survey_visit v;
	char token[SURVEY_TOKEN_LEN], path[96];
	if (entry_survey(r, &id, &v, token) < 0)
		return;
	snprintf(path, sizeof path, "/survey/%s", token);
	struct buf b;
	buf_init(&b, 1u << 20);
	if (qr_svg(absolute(r, path), "คิวอาร์โค้ดแบบสำรวจความพึงพอใจ", &b) < 0) {
		buf_cleanup(&b);
		reply_error(r, ERR_INTERNAL, NULL, "สร้างคิวอาร์โค้ดไม่ได้");
		return;
	}
	size_t len;
	char *data = buf_detach(&b, &len);
	reply_header(r, "Cache-Control", "private, no-store");
	reply_bytes_owned(r, 200, "image/svg+xml", data, len);
}

static void survey_entry_slip(struct req *r)
{
	int64_t id;
	struct survey_visit v;
	char token[SURVEY_TOKEN_LEN], path[96];
	if (entry_survey(r, &id, &v, token) < 0)
		return;
	const char *size = req_query(r, "size");
	if (!size || !*size)
		size = "80mm";
	if (strcmp(size, "80mm") && strcmp(size, "a6")) {
		reply_error(r, ERR_BAD_FIELD, "size", "ขนาดต้องเป็น 80mm หรือ a6");
		return;
	}
	snprintf(path, sizeof path, "/survey/%s", token);
	const char *href = absolute(r, path);
	json_t *point = point_of(v.unit_code);
	json_t *offer = offer_model();
	json_t *model =
	    json_pack("{s:s, s:{s:s}, s:s, s:{s:s, s:s}, s:O, s:O, s:o, s:o}", "size", size, "point",
	              "name_th", web_str(point, "name_th"), "number", v.number, "survey_url", "href", href,
	              "short", short_url(href), "official_url", json_object_get(offer, "official"),
	              "show_osspoint", json_object_get(offer, "osspoint"), "valid_until_th",
	              date_th(v.visited_at + (int64_t)app->cfg->survey_token_days * 86400, THAI_DATE_SHORT),
	              "generated_th", date_th(v.visited_at, THAI_DATE_SHORT));
	json_decref(point);
	json_decref(offer);
	struct buf b;
	buf_init(&b, SLIP_PDF_MAX);
	int rc = print_survey_slip_pdf(model, &b);
	json_decref(model);
	if (rc < 0) {
		buf_cleanup(&b);
		reply_error(r, ERR_INTERNAL, NULL, "สร้างไฟล์ PDF ไม่ได้");
		return;
	}
	char disp[96];
	snprintf(disp, sizeof disp, "inline; filename=\"survey-slip-%lld-%s.pdf\"", (long long)id, size);
	reply_header(r, "Content-Disposition", disp);
	reply_header(r, "Cache-Control", "private, no-store");
	size_t len;
	char *data = buf_detach(&b, &len);
	reply_bytes_owned(r, 200, "application/pdf", data, len);
}

/* ---- comments (personal data: district admins and above, audited) ---- */

static void survey_comments(struct req *r)
{
	const char *unit = web_scope_unit(r);
	const char *pq = req_query(r, "period");
	struct period p;
	char iso[PERIOD_ISO_SIZE];
	if (pq && *pq) {
		if (period_parse(pq, &p) != 0) {
			reply_error(r, ERR_BAD_FIELD, "period", "งวดต้องเป็น YYYY-MM");
			return;
		}
	} else {
		struct civil_day today;
		if (thai_epoch_day((int64_t)time(NULL), &today) != 0 ||
		    period_of_day(today.y, today.m, today.d, app->cfg->cutoff_day, &p) != 0) {
			reply_error(r, ERR_INTERNAL, NULL, NULL);
			return;
		}
	}
	struct civil_day first, last;
	char first_iso[THAI_ISO_DAY_SIZE], last_iso[THAI_ISO_DAY_SIZE];
	if (period_iso(p, iso) != 0 || period_range(p, app->cfg->cutoff_day, &first, &last) != 0 ||
	    thai_day_iso(first, first_iso) != 0 || thai_day_iso(last, last_iso) != 0) {
		reply_error(r, ERR_BAD_FIELD, "period", "งวดไม่ถูกต้อง");
		return;
	}
	json_t *rows;
	int64_t total = 0;
	if (db_survey_comments(app->db, unit, first_iso, last_iso, &rows, &total) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	/* A view of personal data is answered only with its audit row. */
	char detail[64];
	snprintf(detail, sizeof detail, "period=%s n=%zu", iso, json_array_size(rows));
	if (!web_audit(r, "survey.comments", unit, detail)) {
		json_decref(rows);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	size_t i;
	json_t *c;
	json_array_foreach(rows, i, c)
	{
		json_object_set_new(c, "day_th", day_th(web_str(c, "day")));
		json_object_set_new(c, "source_label",
		                    json_string(!strcmp(web_str(c, "source"), "point")
		                                    ? "คิวอาร์โค้ดของจุดให้บริการ"
		                                : !strcmp(web_str(c, "mode"), "counter") ? "แท็บเล็ตที่เคาน์เตอร์"
		                                : !strcmp(web_str(c, "mode"), "paper") ? "กระดาษ"
		                                                                       : "ลิงก์ของผู้รับบริการ"));
	}
	struct buf label;
	buf_init(&label, 128);
	period_label(&label, p, 0);
	json_t *unit_j = db_unit_find(app->db, unit);
	json_t *m =
	    json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:b, s:s, s:o}", "page_title", "ข้อเสนอแนะจากแบบสำรวจ",
	              "unit_code", unit, "period", iso, "period_label", buf_str(&label), "comments", rows,
	              "total", (json_int_t)total, "truncated", total > (int64_t)json_array_size(rows),
	              "unit_name", web_str(unit_j, "name_th"), "prev_href", json_null());
	json_decref(unit_j);
	buf_cleanup(&label);
	char href[96], piso[PERIOD_ISO_SIZE], niso[PERIOD_ISO_SIZE];
	period_iso(period_add(p, -1), piso);
	period_iso(period_add(p, 1), niso);
	snprintf(href, sizeof href, "/survey/comments?unit=%s&period=%s", unit, piso);
	json_object_set_new(m, "prev_href", json_string(href));
	snprintf(href, sizeof href, "/survey/comments?unit=%s&period=%s", unit, niso);
	json_object_set_new(m, "next_href", json_string(href));
	json_object_set_new(m, "has_comments",
	                    json_boolean(json_array_size(json_object_get(m, "comments")) > 0));
	reply_header(r, "Cache-Control", "private, no-store");
	reply_model(r, 200, "survey_comments", m);
}

/* ---- the national admin: question sets and the official survey ---- */

#define QSET_FORM_ROWS (SURVEY_ITEMS_MAX)

static json_t *admin_model(struct req *r, const struct survey_qset *shown, json_t *errors)
{
	json_t *versions = db_survey_qsets(app->db);
	char url[512] = "";
	enum survey_offer o = SURVEY_OFFER_BOTH;
	db_survey_settings_get(app->db, url, sizeof url, &o);
	json_t *rows = json_array();
	json_t *by = json_object();
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) if (!json_object_get(by, web_str(e, "field")))
	    json_object_set(by, web_str(e, "field"), json_object_get(e, "message"));
	for (size_t k = 0; k < QSET_FORM_ROWS; k++) {
		char fk[40], fl[40];
		snprintf(fk, sizeof fk, "items[%zu].key", k);
		snprintf(fl, sizeof fl, "items[%zu].label_th", k);
		json_t *row = json_pack("{s:I, s:I, s:s, s:s}", "index", (json_int_t)k + 1, "i",
		                        (json_int_t)k, "key", k < shown->n ? shown->items[k].key : "",
		                        "label_th", k < shown->n ? shown->items[k].label_th : "");
		if (json_object_get(by, fk))
			json_object_set(row, "error_key", json_object_get(by, fk));
		if (json_object_get(by, fl))
			json_object_set(row, "error_label", json_object_get(by, fl));
		json_array_append_new(rows, row);
	}
	json_t *offers = json_array();
	for (int k = 0; k < 3; k++)
		json_array_append_new(offers,
		                      json_pack("{s:s, s:s, s:b}", "value", survey_offer_name(k), "label",
		                                survey_offer_label_th(k), "selected", (int)o == k));
	json_t *current = json_array_get(versions, 0);
	json_t *m =
	    json_pack("{s:s, s:O, s:o, s:I, s:o, s:{s:s, s:o}, s:o}", "page_title",
	              "แบบสำรวจความพึงพอใจ: ชุดคำถามและลิงก์แบบสำรวจ ก.พ.ร.", "current",
	              current ? current : json_null(), "versions", versions ? versions : json_array(),
	              "base_version", current ? json_integer_value(json_object_get(current, "version")) : 0,
	              "rows", rows, "settings", "official_url", url, "offers", offers, "errors_by_field", by);
	json_object_set_new(m, "errors", errors ? errors : json_array());
	(void)r;
	return m;
}

static void survey_admin(struct req *r)
{
	struct survey_qset qs;
	if (current_qset(r, &qs) < 0)
		return;
	const char *saved = req_query(r, "saved");
	json_t *m = admin_model(r, &qs, NULL);
	if (saved && *saved)
		json_object_set_new(
		    m, "notice",
		    json_string(!strcmp(saved, "settings") ? "บันทึกการตั้งค่าแล้ว" : "บันทึกชุดคำถามรุ่นใหม่แล้ว"));
	reply_model(r, 200, "survey_admin", m);
}

static void survey_admin_questions(struct req *r)
{
	const char *keys[QSET_FORM_ROWS * 2], *labels[QSET_FORM_ROWS * 2];
	size_t n = 0;
	bool too_many = false;
	if (req_is_json_body(r)) {
		json_t *items = json_object_get(req_json(r), "items");
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
		{
			if (n == QSET_FORM_ROWS * 2) {
				too_many = true;
				break;
			}
			keys[n] = json_string_value(json_object_get(it, "key"));
			labels[n] = json_string_value(json_object_get(it, "label_th"));
			if (!keys[n])
				keys[n] = "?";
			if (!labels[n])
				labels[n] = "";
			n++;
		}
	} else {
		for (size_t k = 0; k < QSET_FORM_ROWS; k++) {
			char fk[40], fl[40];
			snprintf(fk, sizeof fk, "items[%zu].key", k);
			snprintf(fl, sizeof fl, "items[%zu].label_th", k);
			keys[n] = req_form(r, fk);
			labels[n] = req_form(r, fl);
			n++;
		}
	}
	struct survey_qset qs;
	struct survey_errors errs;
	int bad = survey_qset_check(n, keys, labels, &qs, &errs);
	json_t *errors = json_array();
	for (size_t i = 0; i < errs.n; i++)
		web_field_error(errors, errs.e[i].field, errs.e[i].message);
	if (too_many)
		web_field_error(errors, "items", "มีข้อคำถามได้ไม่เกิน 12 ข้อ");
	if (bad < 0 || too_many) {
		/* Shown again as typed. */
		struct survey_qset typed = {0};
		for (size_t k = 0; k < n && typed.n < SURVEY_ITEMS_MAX; k++) {
			snprintf(typed.items[typed.n].key, sizeof typed.items[typed.n].key, "%s",
			         keys[k] ? keys[k] : "");
			snprintf(typed.items[typed.n].label_th, sizeof typed.items[typed.n].label_th, "%s",
			         labels[k] ? labels[k] : "");
			typed.n++;
		}
		reply_invalid(r, "survey_admin", admin_model(r, &typed, json_deep_copy(errors)), errors);
		return;
	}
	json_decref(errors);
	int64_t base = web_version_param(r);
	if (base < 0) {
		reply_error(r, ERR_BAD_FIELD, "version", NULL);
		return;
	}
	const struct session_user *u = web_user(r);
	int64_t version = 0;
	int rc = db_survey_qset_create(app->db, &qs, base, u ? u->id : 0, (int64_t)time(NULL), &version);
	if (rc == SURVEY_RC_STALE) {
		reply_error(r, ERR_VERSION_CONFLICT, "version", NULL);
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, rc == DB_BUSY ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL, NULL);
		return;
	}
	char detail[32];
	snprintf(detail, sizeof detail, "version=%lld", (long long)version);
	web_audit(r, "survey.questions", "0", detail);
	if (web_wants_json(r)) {
		qs.version = version;
		json_t *items = json_array();
		for (size_t i = 0; i < qs.n; i++)
			json_array_append_new(items, json_pack("{s:s, s:s}", "key", qs.items[i].key,
			                                       "label_th", qs.items[i].label_th));
		reply_json(r, 201, json_pack("{s:I, s:o}", "version", (json_int_t)version, "items", items));
		return;
	}
	reply_redirect(r, 303, "/admin/survey?saved=questions");
}

static void survey_admin_settings(struct req *r)
{
	const char *url = web_field(r, "official_url");
	const char *offer = web_field(r, "offer");
	json_t *errors = json_array();
	if (*url && !survey_official_url_valid(url))
		web_field_error(errors, "official_url",
		                "ลิงก์ต้องขึ้นต้นด้วย https:// หรือ http:// ไม่มีช่องว่าง ยาวไม่เกิน 500 ตัวอักษร");
	int o = survey_offer_from_name(*offer ? offer : "both");
	if (o < 0)
		web_field_error(errors, "offer", "เลือกได้เฉพาะ both, official หรือ osspoint");
	if (json_array_size(errors)) {
		struct survey_qset qs;
		if (db_survey_qset_current(app->db, &qs) != DB_ROW)
			memset(&qs, 0, sizeof qs);
		reply_invalid(r, "survey_admin", admin_model(r, &qs, json_deep_copy(errors)), errors);
		return;
	}
	json_decref(errors);
	if (db_survey_settings_set(app->db, url, (enum survey_offer)o) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	web_audit(r, "survey.settings", "0", survey_offer_name(o));
	if (web_wants_json(r)) {
		reply_json(r, 200,
		           json_pack("{s:s, s:s}", "official_url", url, "offer", survey_offer_name(o)));
		return;
	}
	reply_redirect(r, 303, "/admin/survey?saved=settings");
}

#define PUB ROUTE_PUBLIC

const struct route survey_routes[] = {
    {HTTP_GET, "/survey/thanks", 0, PUB, survey_thanks, "survey.thanks", &scope_none},
    {HTTP_GET, "/survey/p/{district}", 0, PUB, survey_point_form, "survey.point_form", &scope_none},
    {HTTP_POST, "/survey/p/{district}", 0, PUB, survey_point_submit, "survey.point_submit", &scope_none},
    {HTTP_GET, "/survey/counter", ROLE_OFFICER, 0, survey_counter, "survey.counter", &scope_own_district},
    {HTTP_GET, "/survey/counter/{id}", ROLE_OFFICER, 0, survey_counter_form, "survey.counter_form",
     &scope_visit},
    {HTTP_POST, "/survey/counter/{id}", ROLE_OFFICER, 0, survey_counter_submit, "survey.counter_submit",
     &scope_visit},
    {HTTP_GET, "/survey/paper", ROLE_OFFICER, 0, survey_paper_new, "survey.paper_form", &scope_own_district},
    {HTTP_POST, "/survey/paper", ROLE_OFFICER, 0, survey_paper_submit, "survey.paper_submit",
     &scope_own_district},
    {HTTP_GET, "/survey/comments", ROLE_DISTRICT_ADMIN, 0, survey_comments, "survey.comments",
     &scope_unit_query},
    {HTTP_GET, "/survey/{token}", 0, PUB, survey_visit_form, "survey.form", &scope_none},
    {HTTP_POST, "/survey/{token}", 0, PUB, survey_visit_submit, "survey.submit", &scope_none},
    {HTTP_GET, "/registry/{id}/survey", ROLE_OFFICER, 0, survey_entry, "survey.entry", &scope_visit},
    {HTTP_GET, "/registry/{id}/survey/qr.svg", ROLE_OFFICER, 0, survey_entry_qr, "survey.entry_qr",
     &scope_visit},
    {HTTP_GET, "/registry/{id}/survey/slip.pdf", ROLE_OFFICER, 0, survey_entry_slip, "survey.slip",
     &scope_visit},
    {HTTP_GET, "/admin/survey", ROLE_NATIONAL_ADMIN, 0, survey_admin, "survey.admin", &scope_national},
    {HTTP_POST, "/admin/survey/questions", ROLE_NATIONAL_ADMIN, 0, survey_admin_questions,
     "survey.admin_questions", &scope_national},
    {HTTP_POST, "/admin/survey/settings", ROLE_NATIONAL_ADMIN, 0, survey_admin_settings,
     "survey.admin_settings", &scope_national},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
