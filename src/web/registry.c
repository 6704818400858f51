/* /registry…: the e-Service registry (ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์).
 *
 * The form and the JSON API are one handler: POST /registry takes form fields
 * (service1/outcome1 … rows) or a JSON object ({services: [{code, outcome}]});
 * both are turned into a struct registry_raw and checked by core/registry.
 * Entries belong to the officer's district; province and national users read
 * the registries of the districts in their scope (?unit=). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "core/registry.h"
#include "core/search.h"
#include "db/db.h"
#include "db/units.h"
#include "db/visits.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "render/export.h"
#include "web/app.h"
#include "web/portal_state.h"
#include "web/roster.h"
#include "web/scope.h"
#include "web/registry.h"
#include "web/web.h"

#define PAGE_SIZE 50
#define FORM_ROWS 3

/* ---- rules callbacks ---- */

static bool service_exists(const char *code, void *ctx)
{
	return portal_service_usable(code);
}

static bool period_attested(struct period p, void *ctx)
{
	const char *unit = ctx;
	char iso[PERIOD_ISO_SIZE];
	bool attested = false;
	if (period_iso(p, iso) == 0)
		db_period_attested(app->db, unit, iso, &attested);
	return attested;
}

void registry_period_rule_init(struct visit_period_rule *rule)
{
	rule->cutoff_day = app->cfg->cutoff_day;
	rule->grace_days = app->cfg->grace_days;
	rule->now = (int64_t)time(NULL);
}

/* The error a refusal of db/visits.c answers with (one code per failure). */
static enum err visit_rc_err(int rc)
{
	switch (rc) {
	case DB_DONE: return ERR_ENTRY_NOT_FOUND;
	case VISIT_RC_VOID: return ERR_ALREADY_VOID;
	case VISIT_RC_PURGED: return ERR_PURGED;
	case VISIT_RC_CLOSED: return ERR_PERIOD_CLOSED;
	case VISIT_RC_STALE: return ERR_VERSION_CONFLICT;
	case DB_BUSY: return ERR_UNAVAILABLE;
	default: return ERR_INTERNAL;
	}
}

void registry_rules_init(struct registry_rules *rules, const char *unit_code)
{
	rules->now = (int64_t)time(NULL);
	rules->cutoff_day = app->cfg->cutoff_day;
	rules->grace_days = app->cfg->grace_days;
	rules->service_exists = service_exists;
	rules->period_attested = period_attested;
	rules->ctx = (void *)unit_code;
}

/* ---- helpers ---- */

/* Whether unit is the user's own district (staff of a district write its
 * registry; province and national users only read). */
static bool own_district(const struct session_user *u, const char *unit)
{
	return unit_level_of_code(u->unit_code) == UNIT_LEVEL_DISTRICT && unit && !strcmp(u->unit_code, unit);
}

static void fmt_time(char *out, size_t cap, int64_t t, enum thai_date_style style)
{
	struct buf b;
	buf_init(&b, 256);
	thai_epoch_format(&b, t, style, false);
	snprintf(out, cap, "%s", buf_str(&b));
	buf_cleanup(&b);
}

/* "YYYY-MM-DDTHH:MM:SS" in Bangkok time (an entry's stored time, exactly). */
static void local_time_exact(char out[24], int64_t t)
{
	struct civil_time lt;
	char iso[THAI_ISO_DAY_SIZE];
	out[0] = '\0';
	if (thai_epoch_to_local(t, &lt) < 0 || thai_day_iso((struct civil_day){lt.y, lt.m, lt.d}, iso) < 0)
		return;
	snprintf(out, 24, "%.10sT%02u:%02u:%02u", iso, (unsigned)lt.hour % 24u, (unsigned)lt.min % 60u,
	         (unsigned)lt.sec % 61u);
}

/* "27/11/2569 09:15": Bangkok time, B.E., what the form's date-time field
 * shows and takes back (core/registry reads it with thai_when_parse). */
#define INPUT_VALUE_SIZE 32
static void local_input_value(char out[INPUT_VALUE_SIZE], int64_t t)
{
	fmt_time(out, INPUT_VALUE_SIZE, t, THAI_DATE_NUMERIC);
}

static void current_period_label(char *out, size_t cap)
{
	struct civil_day today;
	struct period p;
	struct buf b;
	buf_init(&b, 128);
	if (thai_epoch_day((int64_t)time(NULL), &today) == 0 &&
	    period_of_day(today.y, today.m, today.d, app->cfg->cutoff_day, &p) == 0)
		period_label(&b, p, 0);
	snprintf(out, cap, "%s", buf_str(&b));
	buf_cleanup(&b);
}

/* "Default now": a new entry whose time was left as the form showed it (the
 * hidden visited_at_shown holds what it showed), or a JSON body without
 * visited_at, is stamped with the time of saving, not the time the form was
 * opened (a form left open for an hour must not record an hour-old visit). */
static const char *default_now(struct req *r, const char *given)
{
	const char *shown = req_form(r, "visited_at_shown");
	bool json_absent = req_is_json_body(r) && !json_object_get(req_json(r), "visited_at");
	if (!json_absent && !(shown && given && *shown && !strcmp(shown, given)))
		return given;
	char now[INPUT_VALUE_SIZE];
	local_input_value(now, (int64_t)time(NULL));
	return req_strdup(r, now);
}

/* Reads the entry's fields from a JSON body or a form. Strings point into the
 * request (valid for its lifetime). form_rows[i] is the form row (1-based) of
 * raw->services[i], for naming errors; 0 for JSON. */
static void raw_from_request(struct req *r, struct registry_raw *raw, int form_rows[VISIT_MAX_SERVICES])
{
	memset(raw, 0, sizeof *raw);
	raw->visited_at = req_form(r, "visited_at");
	raw->visitor_name = req_form(r, "visitor_name");
	raw->cid = req_form(r, "cid");
	raw->phone = req_form(r, "phone");
	raw->sex = req_form(r, "sex");
	raw->age_band = req_form(r, "age_band");
	raw->channel = req_form(r, "channel");
	raw->remarks = req_form(r, "remarks");
	raw->idempotency_key = req_form(r, "idempotency_key");
	if (req_is_json_body(r)) {
		json_t *services = json_object_get(req_json(r), "services");
		size_t i;
		json_t *s;
		json_array_foreach(services, i, s)
		{
			if (raw->nservices == VISIT_MAX_SERVICES) {
				raw->too_many_services = true;
				break;
			}
			raw->services[raw->nservices].code = json_string_value(json_object_get(s, "code"));
			raw->services[raw->nservices].outcome =
			    json_string_value(json_object_get(s, "outcome"));
			form_rows[raw->nservices++] = 0;
		}
		return;
	}
	for (int row = 1; row <= 64; row++) {
		char fs[16], fo[16];
		snprintf(fs, sizeof fs, "service%d", row);
		snprintf(fo, sizeof fo, "outcome%d", row);
		const char *code = req_form(r, fs);
		if (!code)
			break;
		if (!*code)
			continue; /* an unused row of the form */
		if (raw->nservices == VISIT_MAX_SERVICES) {
			raw->too_many_services = true;
			break;
		}
		raw->services[raw->nservices].code = code;
		raw->services[raw->nservices].outcome = req_form(r, fo);
		form_rows[raw->nservices++] = row;
	}
}

/* Copies errors_by_field's serviceN/outcomeN onto the form's rows (a template
 * cannot build the key "service" + index itself). */
static void attach_row_errors(json_t *m)
{
	json_t *by = json_object_get(m, "errors_by_field");
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(m, "service_rows"), i, row)
	{
		json_t *es = json_object_get(by, json_string_value(json_object_get(row, "field_service")));
		json_t *eo = json_object_get(by, json_string_value(json_object_get(row, "field_outcome")));
		if (es)
			json_object_set(row, "error_service", es);
		if (eo)
			json_object_set(row, "error_outcome", eo);
	}
}

/* JSON list of {field, message}; for the form also errors_by_field keyed by
 * the form's own field names (service2, outcome2 …). */
static json_t *errors_json(const struct registry_errors *errs, const struct visit_input *v,
                           const int form_rows[VISIT_MAX_SERVICES], json_t *by_field)
{
	json_t *list = json_array();
	for (size_t i = 0; i < errs->n; i++) {
		const char *field = errs->e[i].field;
		char text[REGISTRY_MESSAGE_SIZE];
		const char *message = registry_error_text(text, errs, i, v);
		web_field_error(list, field, message);
		char key[32];
		snprintf(key, sizeof key, "%s", field);
		unsigned idx;
		char what[16];
		if (sscanf(field, "services[%u].%15s", &idx, what) == 2 && idx < VISIT_MAX_SERVICES) {
			int row = form_rows[idx] ? form_rows[idx] : (int)idx + 1;
			snprintf(key, sizeof key, "%s%d", !strcmp(what, "code") ? "service" : "outcome", row);
		}
		if (by_field && !json_object_get(by_field, key))
			json_object_set_new(by_field, key, json_string(message));
	}
	return list;
}

static const char *const outcome_names[] = {"completed", "self_completed", "referred", "not_completed", NULL};
static const char *const channel_names[] = {"tangrat", "web", "line", "other", NULL};

static const char *outcome_label(const char *n)
{
	return outcome_label_th(outcome_from_name(n));
}

static const char *channel_label(const char *n)
{
	return channel_label_th(channel_from_name(n));
}

static const char *sex_label(const char *n)
{
	return registry_sex_label_th(n);
}

static const char *age_label(const char *n)
{
	return registry_age_band_label_th(n);
}

/* The form model. values: the form's current values {visited_at, visitor_name,
 * cid, phone, sex, age_band, channel, remarks, idempotency_key} (taken);
 * services: [{code, outcome}] current rows (borrowed, may be NULL). */
static void add_word(const char *word, size_t len, void *arg)
{
	struct buf *b = arg;
	if (b->len)
		buf_putc(b, '|');
	buf_append(b, word, len);
}

/* The picker's words of each service (code -> "w1|w2|..."): its Thai name
 * and code cut into normalized words by core/search (libthai), so the
 * form's script matches a typed query at any word of the name, as the
 * portal's search does. */
/* The form's services: those the district's point offers (its area, then
 * its hidden list: web_unit_eservices), plus any service the entry already
 * holds that is not among them (an edit must not lose it). A new array of
 * borrowed-and-increfed items. */
static json_t *form_services(struct req *r, const char *unit_code, json_t *current)
{
	json_t *offered = web_unit_eservices(r, unit_code);
	json_t *out = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(offered ? offered : web_eservices(r), i, s) json_array_append(out, s);
	json_array_foreach(current, i, s)
	{
		const char *code = web_str(s, "code");
		bool have = false;
		size_t k;
		json_t *o;
		json_array_foreach(out, k, o) have = have || !strcmp(web_str(o, "code"), code);
		if (have)
			continue;
		json_array_foreach(web_eservices(r), k, o) if (!strcmp(web_str(o, "code"), code))
		{
			json_array_append(out, o);
			break;
		}
	}
	return out;
}

static json_t *service_words(json_t *list)
{
	json_t *out = json_object();
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s)
	{
		struct buf b;
		buf_init(&b, 4096);
		search_words(web_str(s, "name_th"), add_word, &b);
		search_words(web_str(s, "code"), add_word, &b);
		json_object_set_new(out, web_str(s, "code"), json_string(buf_str(&b)));
		buf_cleanup(&b);
	}
	return out;
}

static json_t *form_model(struct req *r, const char *unit_code, json_t *values, json_t *services)
{
	json_t *rows = json_array();
	json_t *list = form_services(r, unit_code, services);
	json_t *words = service_words(list);
	size_t nrows = json_array_size(services) > FORM_ROWS ? json_array_size(services) : FORM_ROWS;
	for (size_t row = 0; row < nrows; row++) {
		json_t *cur = json_array_get(services, row);
		const char *code = json_string_value(json_object_get(cur, "code"));
		const char *outcome = json_string_value(json_object_get(cur, "outcome"));
		json_t *opts = json_array();
		size_t i;
		json_t *s;
		json_array_foreach(list, i, s)
		{
			const char *c = json_string_value(json_object_get(s, "code"));
			json_array_append_new(opts, json_pack("{s:s, s:O, s:O, s:b}", "code", c, "name_th",
			                                      json_object_get(s, "name_th"), "words",
			                                      json_object_get(words, c), "selected",
			                                      code && !strcmp(code, c)));
		}
		char fs[32], fo[32];
		snprintf(fs, sizeof fs, "service%zu", row + 1);
		snprintf(fo, sizeof fo, "outcome%zu", row + 1);
		json_array_append_new(
		    rows,
		    json_pack("{s:I, s:s, s:s, s:o, s:o}", "index", (json_int_t)row + 1, "field_service", fs,
		              "field_outcome", fo, "options", opts, "outcomes",
		              web_options(outcome_names, outcome_label, outcome ? outcome : "completed")));
	}
	json_decref(words);
	json_decref(list);
	static const char *const sexes[] = {"male", "female", "other", NULL};
	static const char *const bands[] = {"under_20", "20_39", "40_59", "60_plus", NULL};
	const char *channel = json_string_value(json_object_get(values, "channel"));
	json_t *unit = db_unit_find(app->db, unit_code);
	char plabel[64];
	current_period_label(plabel, sizeof plabel);
	json_t *m = json_pack(
	    "{s:s, s:s, s:b, s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:o, s:o, s:o, s:[], s:{}}", "page_title",
	    "บันทึกผู้มารับบริการ", "mode", "new", "is_edit", 0, "action", "/registry", "unit", "code", unit_code,
	    "name_th", unit ? json_string_value(json_object_get(unit, "name_th")) : "", "period_label",
	    plabel, "form", values, "service_rows", rows, "channels",
	    web_options(channel_names, channel_label, channel ? channel : "tangrat"), "sexes",
	    web_options(sexes, sex_label, json_string_value(json_object_get(values, "sex"))), "age_bands",
	    web_options(bands, age_label, json_string_value(json_object_get(values, "age_band"))), "errors",
	    "errors_by_field");
	json_decref(unit);
	return m;
}

static json_t *empty_values(void)
{
	char now[INPUT_VALUE_SIZE], key[TOKEN_LEN];
	local_input_value(now, (int64_t)time(NULL));
	token_new(key);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "visited_at", now,
	                 "visited_at_shown", now, "visitor_name", "", "cid", "", "phone", "", "sex", "",
	                 "age_band", "", "channel", "tangrat", "remarks", "", "idempotency_key", key);
}

/* The values typed, to show them again after an error. */
static json_t *typed_values(struct req *r, const struct registry_raw *raw, json_t **services)
{
#define V(x) ((x) ? (x) : "")
	*services = json_array();
	for (size_t i = 0; i < raw->nservices; i++)
		json_array_append_new(*services, json_pack("{s:s, s:s}", "code", V(raw->services[i].code),
		                                           "outcome", V(raw->services[i].outcome)));
	/* A time left as shown was stamped now: show that, still as untouched. */
	const char *shown = req_form(r, "visited_at_shown");
	const char *given = req_form(r, "visited_at");
	if (shown && *shown && given && !strcmp(shown, given))
		shown = raw->visited_at;
	if (shown && !*shown)
		shown = NULL;
	return json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "visited_at",
	                 V(raw->visited_at), "visited_at_shown", shown, "visitor_name", V(raw->visitor_name),
	                 "cid", V(raw->cid), "phone", V(raw->phone), "sex", V(raw->sex), "age_band",
	                 V(raw->age_band), "channel", V(raw->channel), "remarks", V(raw->remarks),
	                 "idempotency_key", V(raw->idempotency_key));
#undef V
}

/* Adds labels and display strings to an entry model from db_visit_get. */
static void label_entry(json_t *e)
{
	char when[128];
	fmt_time(when, sizeof when, json_integer_value(json_object_get(e, "visited_at")), THAI_DATE_SHORT);
	json_object_set_new(e, "visited_th", json_string(when));
	json_object_set_new(
	    e, "href",
	    json_sprintf("/registry/%lld", (long long)json_integer_value(json_object_get(e, "id"))));
	const char *last4 = json_string_value(json_object_get(e, "cid_last4"));
	if (last4 && *last4) {
		char masked[THAI_ID_MASK_SIZE];
		if (thai_id_mask(last4, masked) == 0)
			json_object_set_new(e, "cid_masked", json_string(masked));
	} else {
		json_object_set_new(e, "cid_masked", json_null());
	}
	const char *ch = json_string_value(json_object_get(e, "channel"));
	const char *chl = ch ? channel_label(ch) : NULL;
	json_object_set_new(e, "channel_label", json_string(chl ? chl : ""));
	const char *sex = json_string_value(json_object_get(e, "sex"));
	const char *age = json_string_value(json_object_get(e, "age_band"));
	json_object_set_new(e, "sex_label", json_string(sex && sex_label(sex) ? sex_label(sex) : ""));
	json_object_set_new(e, "age_band_label", json_string(age && age_label(age) ? age_label(age) : ""));
	const char *status = json_string_value(json_object_get(e, "status"));
	json_object_set_new(e, "void", json_boolean(status && !strcmp(status, "void")));
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(e, "services"), i, s)
	{
		const char *o = json_string_value(json_object_get(s, "outcome"));
		json_object_set_new(s, "outcome_label",
		                    json_string(o && outcome_label(o) ? outcome_label(o) : ""));
		if (!json_object_get(s, "name_th"))
			json_object_set_new(
			    s, "name_th", portal_service_name(json_string_value(json_object_get(s, "code"))));
	}
}

/* The model db_visit_get would answer for an entry just created from v. */
static json_t *entry_from_input(struct req *r, const struct visit_input *v, const struct visit_created *out,
                                const char *unit, const struct session_user *u, const char *last4,
                                int64_t now)
{
	char day[THAI_ISO_DAY_SIZE], period[PERIOD_ISO_SIZE], number[32];
	if (thai_day_iso(v->day, day) < 0 || period_iso(v->period, period) < 0)
		return NULL;
	snprintf(number, sizeof number, "%lld/%d", (long long)out->seq, out->year_be);
	/* In catalogue order, as stored entries list them. */
	size_t order[VISIT_MAX_SERVICES], rank[VISIT_MAX_SERVICES];
	for (size_t i = 0; i < v->nservices; i++) {
		size_t k;
		json_t *e;
		rank[i] = SIZE_MAX;
		json_array_foreach(web_eservices(r), k,
		                   e) if (!strcmp(json_string_value(json_object_get(e, "code")),
		                                  v->services[i].code)) rank[i] = k;
		size_t j = i;
		while (j > 0 && rank[order[j - 1]] > rank[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	json_t *services = json_array();
	for (size_t n = 0; n < v->nservices; n++) {
		const struct visit_service *sv = &v->services[order[n]];
		json_array_append_new(services, json_pack("{s:s, s:o, s:s}", "code", sv->code, "name_th",
		                                          portal_service_name(sv->code), "outcome",
		                                          outcome_name(sv->outcome)));
	}
	return json_pack(
	    "{s:I, s:s, s:s, s:I, s:i, s:I, s:s, s:s, s:s, s:o, s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:s, "
	    "s:s, s:s, s:n, s:b, s:I, s:I, s:I, s:o}",
	    "id", (json_int_t)out->id, "unit_code", unit, "number", number, "seq", (json_int_t)out->seq,
	    "year_be", out->year_be, "visited_at", (json_int_t)v->visited_at, "visit_day", day, "period",
	    period, "visitor_name", v->visitor_name, "cid_last4", last4 ? json_string(last4) : json_null(),
	    "has_cid", last4 != NULL, "phone", v->phone, "sex", v->sex, "age_band", v->age_band, "channel",
	    channel_name(v->channel), "remarks", v->remarks, "officer_id", (json_int_t)u->id, "officer_name",
	    u->display_name, "status", "active", "void_reason", "", "voided_at", "purged", 0, "created_at",
	    (json_int_t)now, "updated_at", (json_int_t)now, "version", (json_int_t)1, "services", services);
}

/* ---- create ---- */

/* GET /registry/new and POST /registry: scope "own district" (the resolver
 * refuses users of a province or the nation with 403 district-only). */
static void registry_new(struct req *r)
{
	const char *unit = web_scope_unit(r);
	json_t *m = form_model(r, unit, empty_values(), NULL);
	/* Issue 11: a warning (never a refusal) when the officer is not on
	 * today's duty roster of a district that keeps one. */
	const struct session_user *u = web_user(r);
	json_t *w = u ? roster_registry_warning(unit, u->id) : NULL;
	if (w)
		json_object_set_new(m, "roster_warning", w);
	reply_model(r, 200, "registry_form", m);
}

static void registry_create(struct req *r)
{
	const struct session_user *u = web_user(r);
	const char *unit = web_scope_unit(r);
	struct registry_raw raw;
	int rows[VISIT_MAX_SERVICES];
	raw_from_request(r, &raw, rows);
	raw.visited_at = default_now(r, raw.visited_at);
	struct registry_rules rules;
	registry_rules_init(&rules, unit);
	struct visit_input v;
	struct registry_errors errs;
	if (registry_validate(&raw, &rules, &v, &errs) > 0) {
		json_t *services = NULL;
		json_t *values = typed_values(r, &raw, &services);
		json_t *m = form_model(r, unit, values, services);
		json_decref(services);
		json_t *list = errors_json(&errs, &v, rows, json_object_get(m, "errors_by_field"));
		attach_row_errors(m);
		reply_invalid(r, "registry_form", m, list);
		return;
	}
	char hash[CID_HASH_LEN], sealed[CID_SEALED_LEN], last4[THAI_ID_LAST4_SIZE];
	bool has_cid = v.cid[0] != '\0';
	if (has_cid) {
		cid_hash(hash, v.cid);
		if (cid_seal(sealed, v.cid) < 0 || thai_id_last4(v.cid, last4) < 0) {
			reply_error(r, ERR_INTERNAL, NULL, NULL);
			return;
		}
	}
	struct visit_period_rule rule;
	registry_period_rule_init(&rule);
	rule.now = rules.now;
	struct visit_create in = {
	    .v = &v,
	    .unit_code = unit,
	    .officer_id = u->id,
	    .cid_hash = has_cid ? hash : NULL,
	    .cid_sealed = has_cid ? sealed : NULL,
	    .cid_last4 = has_cid ? last4 : NULL,
	    .now = rules.now,
	    .rule = &rule,
	};
	struct visit_created out;
	int rc = db_visit_create(app->db, &in, &out);
	explicit_bzero(&v.cid, sizeof v.cid);
	if (rc != DB_OK) {
		reply_error(r, visit_rc_err(rc), rc == VISIT_RC_CLOSED ? "visited_at" : NULL, NULL);
		return;
	}
	/* A new entry's model is built from what was just stored (reading it
	 * back cost a tenth of the server's time under a write load); a
	 * repeated key answers the stored entry. */
	json_t *entry = out.existing
	                    ? db_visit_get(app->db, out.id)
	                    : entry_from_input(r, &v, &out, unit, u, has_cid ? last4 : NULL, rules.now);
	if (!entry) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	label_entry(entry);
	/* The survey link is shown with the new entry (its token is derived
	 * from the id, nothing is stored); a resubmission answers the existing
	 * entry without it. */
	if (!out.existing) {
		char token[SURVEY_TOKEN_LEN];
		survey_token(token, out.id);
		json_object_set_new(entry, "survey_url", json_sprintf("/survey/%s", token));
	}
	json_object_set_new(entry, "existing", json_boolean(out.existing));
	if (req_wants_json(r) || req_is_json_body(r)) {
		reply_json(r, out.existing ? 200 : 201, entry);
		return;
	}
	/* The next visitor: an empty form with what was saved on top. */
	json_t *m = form_model(r, unit, empty_values(), NULL);
	json_object_set_new(
	    m, "saved",
	    json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(entry, "id"), "number",
	              json_object_get(entry, "number"), "href", json_object_get(entry, "href"), "survey_url",
	              json_object_get(entry, "survey_url") ? json_object_get(entry, "survey_url")
	                                                   : json_null()));
	json_decref(entry);
	reply_model(r, 200, "registry_form", m);
}

/* ---- read one ---- */

/* Loads entry {id}. Its scope ("registry entry {id}") was resolved and
 * checked before the handler ran; the entry can still vanish in between
 * (never today: entries are not deleted), then 404. */
static json_t *load_entry(struct req *r)
{
	int rc;
	json_t *e = db_visit_load(app->db, strtoll(req_param(r, "id"), NULL, 10), &rc);
	if (!e)
		reply_error(r, rc == DB_DONE ? ERR_ENTRY_NOT_FOUND : ERR_UNAVAILABLE, "id", NULL);
	return e;
}

/* The facts registry_may decides on, for this user and entry. */
static struct registry_entry_facts entry_facts(struct req *r, json_t *e);

/* Whether the entry's period still takes changes. */
static bool entry_period_open(json_t *e)
{
	struct period p;
	const char *iso = json_string_value(json_object_get(e, "period"));
	if (!iso || period_parse(iso, &p) < 0)
		return false;
	struct civil_day today;
	thai_epoch_day((int64_t)time(NULL), &today);
	bool attested = false;
	db_period_attested(app->db, json_string_value(json_object_get(e, "unit_code")), iso, &attested);
	return period_is_open(p, app->cfg->cutoff_day, today, app->cfg->grace_days, attested);
}

static const struct {
	const char *key, *label;
} field_labels[] = {
    {"visited_at", "วันเวลา"},
    {"visitor_name", "ชื่อ–สกุล"},
    {"cid_last4", "เลขประจำตัวประชาชน (4 หลักท้าย)"},
    {"phone", "โทรศัพท์"},
    {"sex", "เพศ"},
    {"age_band", "ช่วงอายุ"},
    {"channel", "ช่องทาง"},
    {"remarks", "หมายเหตุ"},
    {"services", "บริการ"},
    {"status", "สถานะ"},
    {"void_reason", "เหตุผลที่ยกเลิก"},
};

/* A history snapshot's value as a person reads it: times as Thai B.E.
 * dates, coded fields by their Thai labels, services by name with the
 * outcome. New string. */
static char *history_text(const char *key, json_t *v)
{
	const char *s = json_string_value(v);
	if (!v || json_is_null(v))
		return xstrdup("");
	if (!strcmp(key, "visited_at") && json_is_integer(v)) {
		char when[128];
		fmt_time(when, sizeof when, json_integer_value(v), THAI_DATE_SHORT);
		return xstrdup(when);
	}
	if (!strcmp(key, "services") && json_is_array(v)) {
		struct buf b;
		buf_init(&b, 64 * 1024);
		size_t i;
		json_t *sv;
		json_array_foreach(v, i, sv)
		{
			json_t *name = portal_service_name(json_string_value(json_object_get(sv, "code")));
			const char *o = json_string_value(json_object_get(sv, "outcome"));
			buf_printf(&b, "%s%s (%s)", i ? ", " : "", json_string_value(name),
			           o && outcome_label(o) ? outcome_label(o) : "");
			json_decref(name);
		}
		size_t len;
		return buf_detach(&b, &len);
	}
	if (s) {
		const char *l = !strcmp(key, "sex")        ? sex_label(s)
		                : !strcmp(key, "age_band") ? age_label(s)
		                : !strcmp(key, "channel")  ? channel_label(s)
		                : !strcmp(key, "status") ? (!strcmp(s, "void") ? "ยกเลิกแล้ว" : "ใช้งาน")
		                                         : NULL;
		return xstrdup(l ? l : s);
	}
	char *t = json_dumps(v, JSON_ENCODE_ANY);
	return t ? t : xstrdup("");
}

static json_t *history_model(int64_t id)
{
	json_t *h = db_visit_history(app->db, id);
	if (!h)
		return json_array();
	static const struct {
		const char *action, *label;
	} actions[] = {{"create", "บันทึก"}, {"edit", "แก้ไข"}, {"void", "ยกเลิก"}, {"purge", "ลบข้อมูลส่วนบุคคล"}};
	size_t i;
	json_t *row;
	json_array_foreach(h, i, row)
	{
		char when[128];
		fmt_time(when, sizeof when, json_integer_value(json_object_get(row, "at")), THAI_DATE_SHORT);
		json_object_set_new(row, "at_th", json_string(when));
		const char *a = json_string_value(json_object_get(row, "action"));
		for (size_t k = 0; k < sizeof actions / sizeof actions[0]; k++)
			if (a && !strcmp(a, actions[k].action))
				json_object_set_new(row, "action_label", json_string(actions[k].label));
		json_t *before = json_object_get(row, "before"), *after = json_object_get(row, "after");
		json_t *changes = json_array();
		if (json_is_object(before) && json_is_object(after))
			for (size_t k = 0; k < sizeof field_labels / sizeof field_labels[0]; k++) {
				json_t *b = json_object_get(before, field_labels[k].key);
				json_t *x = json_object_get(after, field_labels[k].key);
				if (json_equal(b, x) || (!b && !x))
					continue;
				char *bs = history_text(field_labels[k].key, b);
				char *xs = history_text(field_labels[k].key, x);
				json_array_append_new(changes,
				                      json_pack("{s:s, s:s, s:s}", "field_label",
				                                field_labels[k].label, "before", bs ? bs : "",
				                                "after", xs ? xs : ""));
				free(bs);
				free(xs);
			}
		json_object_set_new(row, "changes", changes);
	}
	return h;
}

static struct registry_entry_facts entry_facts(struct req *r, json_t *e)
{
	const struct session_user *u = web_user(r);
	const char *status = json_string_value(json_object_get(e, "status"));
	return (struct registry_entry_facts){
	    .role = u->role,
	    .own_district = own_district(u, json_string_value(json_object_get(e, "unit_code"))),
	    .active = status && !strcmp(status, "active"),
	    .purged = json_is_true(json_object_get(e, "purged")),
	    .has_cid = json_is_true(json_object_get(e, "has_cid")),
	    .period_open = entry_period_open(e),
	};
}

static json_t *show_model(struct req *r, json_t *e)
{
	int64_t id = json_integer_value(json_object_get(e, "id"));
	struct registry_entry_facts f = entry_facts(r, e);
	label_entry(e);
	char title[96];
	snprintf(title, sizeof title, "รายการลำดับที่ %s", json_string_value(json_object_get(e, "number")));
	return json_pack("{s:s, s:o, s:o, s:b, s:b, s:b, s:o, s:b}", "page_title", title, "entry", e,
	                 "history", history_model(id), "can_edit", registry_may(REGISTRY_EDIT, &f) == ERR_OK,
	                 "can_void", registry_may(REGISTRY_VOID, &f) == ERR_OK, "can_reveal",
	                 registry_may(REGISTRY_REVEAL, &f) == ERR_OK, "edit_href",
	                 json_sprintf("/registry/%lld/edit", (long long)id), "period_open", f.period_open);
}

/* Replies with the refusal of action on e, if any (and frees e); true when
 * the action may go on. */
static bool entry_may(struct req *r, json_t *e, enum registry_action action)
{
	struct registry_entry_facts f = entry_facts(r, e);
	enum err refusal = registry_may(action, &f);
	if (refusal == ERR_OK)
		return true;
	json_decref(e);
	reply_error(r, refusal, refusal == ERR_PERIOD_CLOSED ? "visited_at" : "id", NULL);
	return false;
}

static void registry_show(struct req *r)
{
	json_t *e = load_entry(r);
	if (!e)
		return;
	reply_model(r, 200, "registry_show", show_model(r, e));
}

/* ---- edit, void, reveal ---- */

static void registry_edit_form(struct req *r)
{
	json_t *e = load_entry(r);
	if (!e || !entry_may(r, e, REGISTRY_EDIT))
		return;
	const char *unit = web_scope_unit(r);
	char at[INPUT_VALUE_SIZE];
	local_input_value(at, json_integer_value(json_object_get(e, "visited_at")));
	json_t *values = json_pack("{s:s, s:O, s:s, s:O, s:O, s:O, s:O, s:O, s:s}", "visited_at", at,
	                           "visitor_name", json_object_get(e, "visitor_name"), "cid", "", "phone",
	                           json_object_get(e, "phone"), "sex", json_object_get(e, "sex"), "age_band",
	                           json_object_get(e, "age_band"), "channel", json_object_get(e, "channel"),
	                           "remarks", json_object_get(e, "remarks"), "idempotency_key", "");
	json_t *m = form_model(r, unit, values, json_object_get(e, "services"));
	label_entry(e);
	int64_t id = json_integer_value(json_object_get(e, "id"));
	json_object_set_new(m, "mode", json_string("edit"));
	json_object_set_new(m, "is_edit", json_true());
	json_object_set_new(m, "action", json_sprintf("/registry/%lld", (long long)id));
	char title[96];
	snprintf(title, sizeof title, "แก้ไขรายการลำดับที่ %s", json_string_value(json_object_get(e, "number")));
	json_object_set_new(m, "page_title", json_string(title));
	json_object_set_new(m, "entry",
	                    json_pack("{s:I, s:O, s:O, s:O}", "id", (json_int_t)id, "number",
	                              json_object_get(e, "number"), "cid_masked",
	                              json_object_get(e, "cid_masked"), "version",
	                              json_object_get(e, "version")));
	json_decref(e);
	reply_model(r, 200, "registry_form", m);
}

/* A JSON edit changes only the members it names: a member left out keeps the
 * stored value; null or "" clears an optional one (a required one then
 * fails validation, naming it). A form always sends every field. Strings
 * point into e or the request. */
static void keep_stored(struct req *r, struct registry_raw *raw, json_t *e)
{
	json_t *body = req_json(r);
	if (!req_is_json_body(r) || !json_is_object(body))
		return;
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
	    {"visitor_name", offsetof(struct registry_raw, visitor_name)},
	    {"phone", offsetof(struct registry_raw, phone)},
	    {"sex", offsetof(struct registry_raw, sex)},
	    {"age_band", offsetof(struct registry_raw, age_band)},
	    {"channel", offsetof(struct registry_raw, channel)},
	    {"remarks", offsetof(struct registry_raw, remarks)},
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (!json_object_get(body, fields[i].key))
			*(const char **)((char *)raw + fields[i].off) = web_str(e, fields[i].key);
	if (!json_object_get(body, "visited_at")) {
		char *at = req_alloc(r, 24);
		local_time_exact(at, json_integer_value(json_object_get(e, "visited_at")));
		raw->visited_at = at;
	}
	if (!json_object_get(body, "services")) {
		size_t i;
		json_t *sv;
		raw->nservices = 0;
		json_array_foreach(json_object_get(e, "services"), i, sv)
		{
			if (raw->nservices == VISIT_MAX_SERVICES)
				break;
			raw->services[raw->nservices].code = web_str(sv, "code");
			raw->services[raw->nservices++].outcome = web_str(sv, "outcome");
		}
	}
}

/* How an edit changes the stored Thai ID: a new one given replaces it; the
 * form's clear_cid box, or JSON "cid": null / "", removes it; else kept. */
static enum visit_cid_change cid_change(struct req *r, const struct visit_input *v)
{
	if (v->cid[0])
		return VISIT_CID_SET;
	if (req_is_json_body(r)) {
		json_t *c = json_object_get(req_json(r), "cid");
		if (c && (json_is_null(c) || (json_is_string(c) && !*json_string_value(c))))
			return VISIT_CID_CLEAR;
	}
	const char *clear = req_form(r, "clear_cid");
	if (clear && (!strcmp(clear, "1") || !strcmp(clear, "on") || !strcmp(clear, "true")))
		return VISIT_CID_CLEAR;
	return VISIT_CID_KEEP;
}

static void registry_update(struct req *r)
{
	const struct session_user *u = web_user(r);
	int64_t version = web_version_param(r);
	if (version < 0) {
		reply_error(r, ERR_BAD_FIELD, "version", "รุ่นของข้อมูล (version) ต้องเป็นจำนวนเต็มบวก");
		return;
	}
	json_t *e = load_entry(r);
	if (!e || !entry_may(r, e, REGISTRY_EDIT))
		return;
	const char *unit = web_scope_unit(r);
	int64_t id = json_integer_value(json_object_get(e, "id"));
	if (version && version != json_integer_value(json_object_get(e, "version"))) {
		json_decref(e);
		reply_error(r, ERR_VERSION_CONFLICT, "version", NULL);
		return;
	}
	struct registry_raw raw;
	int rows[VISIT_MAX_SERVICES];
	raw_from_request(r, &raw, rows);
	keep_stored(r, &raw, e);
	raw.idempotency_key = NULL; /* an edit is idempotent by itself */
	struct registry_rules rules;
	registry_rules_init(&rules, unit);
	struct visit_input v;
	struct registry_errors errs;
	if (registry_validate(&raw, &rules, &v, &errs) > 0) {
		json_t *services = NULL;
		json_t *values = typed_values(r, &raw, &services);
		json_t *m = form_model(r, unit, values, services);
		json_decref(services);
		label_entry(e);
		json_object_set_new(m, "mode", json_string("edit"));
		json_object_set_new(m, "is_edit", json_true());
		json_object_set_new(m, "action", json_sprintf("/registry/%lld", (long long)id));
		json_object_set_new(m, "entry",
		                    json_pack("{s:I, s:O, s:O, s:O}", "id", (json_int_t)id, "number",
		                              json_object_get(e, "number"), "cid_masked",
		                              json_object_get(e, "cid_masked"), "version",
		                              json_object_get(e, "version")));
		json_decref(e);
		json_t *list = errors_json(&errs, &v, rows, json_object_get(m, "errors_by_field"));
		attach_row_errors(m);
		reply_invalid(r, "registry_form", m, list);
		return;
	}
	json_decref(e);
	enum visit_cid_change change = cid_change(r, &v);
	char hash[CID_HASH_LEN], sealed[CID_SEALED_LEN], last4[THAI_ID_LAST4_SIZE];
	if (change == VISIT_CID_SET) {
		cid_hash(hash, v.cid);
		if (cid_seal(sealed, v.cid) < 0 || thai_id_last4(v.cid, last4) < 0) {
			explicit_bzero(&v.cid, sizeof v.cid);
			reply_error(r, ERR_INTERNAL, NULL, NULL);
			return;
		}
	}
	explicit_bzero(&v.cid, sizeof v.cid);
	struct visit_period_rule rule;
	registry_period_rule_init(&rule);
	rule.now = rules.now;
	struct visit_update in = {
	    .v = &v,
	    .cid = change,
	    .cid_hash = hash,
	    .cid_sealed = sealed,
	    .cid_last4 = last4,
	    .user_id = u->id,
	    .now = rules.now,
	    .version = version,
	    .rule = &rule,
	};
	int rc = db_visit_update(app->db, id, &in);
	if (rc != DB_OK) {
		enum err code = rc == DB_CONSTRAINT ? ERR_INVALID : visit_rc_err(rc);
		reply_error(r, code,
		            rc == VISIT_RC_CLOSED  ? "visited_at"
		            : rc == VISIT_RC_STALE ? "version"
		                                   : "id",
		            NULL);
		return;
	}
	json_t *after = db_visit_get(app->db, id);
	if (!after) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	if (req_wants_json(r) || req_is_json_body(r)) {
		label_entry(after);
		reply_json(r, 200, after);
		return;
	}
	json_decref(after);
	char loc[64];
	snprintf(loc, sizeof loc, "/registry/%lld", (long long)id);
	reply_redirect(r, 303, loc);
}

static void registry_void(struct req *r)
{
	const struct session_user *u = web_user(r);
	int64_t version = web_version_param(r);
	if (version < 0) {
		reply_error(r, ERR_BAD_FIELD, "version", "รุ่นของข้อมูล (version) ต้องเป็นจำนวนเต็มบวก");
		return;
	}
	json_t *e = load_entry(r);
	if (!e || !entry_may(r, e, REGISTRY_VOID))
		return;
	int64_t id = json_integer_value(json_object_get(e, "id"));
	json_decref(e);
	const char *reason = web_field(r, "reason");
	if (!*reason || strlen(reason) > 500) {
		json_t *errors = json_array();
		web_field_error(errors, "reason", *reason ? "เหตุผลยาวเกิน 500 ตัวอักษร" : "กรุณาระบุเหตุผลที่ยกเลิก");
		json_t *again = db_visit_get(app->db, id);
		json_t *m = again ? show_model(r, again) : NULL;
		if (m)
			json_object_set_new(m, "errors_by_field",
			                    json_pack("{s:O}", "reason",
			                              json_object_get(json_array_get(errors, 0), "message")));
		reply_invalid(r, "registry_show", m, errors);
		return;
	}
	struct visit_period_rule rule;
	registry_period_rule_init(&rule);
	int rc = db_visit_void(app->db, id, reason, u->id, rule.now, version, &rule);
	if (rc != DB_OK) {
		reply_error(r, visit_rc_err(rc), rc == VISIT_RC_STALE ? "version" : "id", NULL);
		return;
	}
	char target[48];
	snprintf(target, sizeof target, "visit:%lld", (long long)id);
	web_audit(r, "registry.void", target, reason);
	if (req_wants_json(r) || req_is_json_body(r)) {
		json_t *after = db_visit_get(app->db, id);
		if (after)
			label_entry(after);
		reply_json(r, 200, after ? after : json_object());
		return;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/registry/%lld", (long long)id);
	reply_redirect(r, 303, loc);
}

static void registry_reveal(struct req *r)
{
	json_t *e = load_entry(r);
	if (!e || !entry_may(r, e, REGISTRY_REVEAL))
		return;
	int64_t id = json_integer_value(json_object_get(e, "id"));
	char sealed[CID_SEALED_LEN], cid[THAI_ID_SIZE];
	int rc = db_visit_cid_sealed(app->db, id, sealed, sizeof sealed);
	if (rc != DB_OK) {
		json_decref(e);
		reply_error(r, rc == DB_DONE ? ERR_NO_CID : visit_rc_err(rc), "cid", NULL);
		return;
	}
	if (cid_open(cid, sealed) < 0) {
		json_decref(e);
		log_bug("visit %lld: sealed Thai ID does not open with this server's key", (long long)id);
		reply_error(r, ERR_INTERNAL, "cid", "ถอดรหัสเลขประจำตัวประชาชนไม่ได้");
		return;
	}
	char target[48];
	snprintf(target, sizeof target, "visit:%lld", (long long)id);
	if (!web_audit(r, "registry.reveal_cid", target, NULL)) {
		/* No view of personal data without its audit row. */
		explicit_bzero(cid, sizeof cid);
		json_decref(e);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	json_t *m = show_model(r, e);
	json_object_set_new(m, "revealed_cid", json_string(cid));
	explicit_bzero(cid, sizeof cid);
	reply_header(r, "Cache-Control", "no-store");
	if (req_wants_json(r) || req_is_json_body(r)) {
		reply_json(
		    r, 200,
		    json_pack("{s:I, s:O}", "id", (json_int_t)id, "cid", json_object_get(m, "revealed_cid")));
		json_decref(m);
		return;
	}
	reply_model(r, 200, "registry_show", m);
}

/* ---- list and exports ---- */

/* The district whose registry is read: the route's scope ("?unit=, default
 * own unit") has resolved and checked it. Replies and returns NULL when it
 * is not a district (a province or national user who named none). */
static const char *list_unit(struct req *r)
{
	const char *unit = web_scope_unit(r);
	if (unit_level_of_code(unit) != UNIT_LEVEL_DISTRICT) {
		reply_error(r, ERR_BAD_FIELD, "unit", "กรุณาเลือกอำเภอ");
		return NULL;
	}
	return unit;
}

/* An optional day in the query: *out = its ISO form (request memory) or NULL.
 * The day is read by thai_when_parse (a date picker's ISO day, or a B.E. day
 * typed as on every form). Replies 400 naming the field and returns false
 * when malformed. */
static bool day_param(struct req *r, const char *field, const char *value, const char *message,
                      const char **out)
{
	struct civil_day d, next;
	struct civil_time lt;
	int64_t t;
	*out = NULL;
	if (!value || !*value)
		return true;
	if (thai_when_parse(value, &lt) != THAI_WHEN_DAY) {
		reply_error(r, ERR_BAD_DATE, field, message);
		return false;
	}
	d = (struct civil_day){lt.y, lt.m, lt.d};
	/* The storage turns the day (and the day after it) into times: one it
	 * cannot represent is the client's mistake, not an outage. */
	next = d;
	if (thai_day_add(&next, 1) != 0 ||
	    thai_local_to_epoch(&(struct civil_time){next.y, next.m, next.d, 0, 0, 0}, &t) != 0) {
		reply_error(r, ERR_BAD_DATE, field, "วันที่อยู่นอกช่วงที่ระบบรองรับ");
		return false;
	}
	char *iso = req_alloc(r, THAI_ISO_DAY_SIZE);
	thai_day_iso(d, iso);
	*out = iso;
	return true;
}

/* filter.from_th / to_th: the filter's ISO days in B.E. ("27 พ.ย. 2569"),
 * shown beside the date pickers. */
static void day_labels(json_t *filter)
{
	static const char *const keys[][2] = {{"from", "from_th"}, {"to", "to_th"}};
	for (size_t i = 0; i < 2; i++) {
		struct civil_day d;
		struct buf b;
		buf_init(&b, 128);
		const char *iso = json_string_value(json_object_get(filter, keys[i][0]));
		if (iso && thai_day_parse(iso, &d) == 0)
			thai_date_format(&b, d.y, d.m, d.d, THAI_DATE_SHORT, false);
		json_object_set_new(filter, keys[i][1], json_string(buf_str(&b)));
		buf_cleanup(&b);
	}
}

/* Reads and checks the filter from the query string. Returns false (and
 * replies 400 naming the field) on a malformed value. */
static bool read_filter(struct req *r, const char *unit, struct visit_filter *f)
{
	memset(f, 0, sizeof *f);
	f->unit_code = unit;
	struct period p;
	const char *from = req_query(r, "from"), *to = req_query(r, "to"), *period = req_query(r, "period");
	if (!day_param(r, "from", from, "วันที่เริ่มต้นไม่ถูกต้อง (เช่น 1/11/2569 หรือ 2026-11-01)", &f->from_day) ||
	    !day_param(r, "to", to, "วันที่สิ้นสุดไม่ถูกต้อง (เช่น 30/11/2569 หรือ 2026-11-30)", &f->to_day))
		return false;
	if (period && *period) {
		struct civil_day first, last;
		if (period_parse(period, &p) < 0 ||
		    period_range(p, app->cfg->cutoff_day, &first, &last) != 0) {
			reply_error(r, ERR_BAD_DATE, "period", "งวดต้องอยู่ในรูป YYYY-MM");
			return false;
		}
		char *iso = req_alloc(r, PERIOD_ISO_SIZE);
		period_iso(p, iso);
		f->period = iso;
	}
	const char *service = req_query(r, "service");
	if (service && *service) {
		if (!service_exists(service, NULL)) {
			reply_error(r, ERR_BAD_FIELD, "service", "ไม่พบบริการนี้ในรายการ");
			return false;
		}
		f->service_code = service;
	}
	const char *outcome = req_query(r, "outcome");
	if (outcome && *outcome) {
		if (outcome_from_name(outcome) == OUTCOME_NONE) {
			reply_error(r, ERR_BAD_FIELD, "outcome", "ผลการให้บริการไม่ถูกต้อง");
			return false;
		}
		f->outcome = outcome;
	}
	const char *officer = req_query(r, "officer");
	if (officer && *officer) {
		char *end;
		long long id = strtoll(officer, &end, 10);
		if (*end || id <= 0) {
			reply_error(r, ERR_BAD_FIELD, "officer", "รหัสเจ้าหน้าที่ไม่ถูกต้อง");
			return false;
		}
		f->officer_id = id;
	}
	const char *q = req_query(r, "q");
	if (q && *q) {
		if (strlen(q) > 100) {
			reply_error(r, ERR_BAD_FIELD, "q", "คำค้นยาวเกินไป");
			return false;
		}
		f->name_query = q;
	}
	const char *iv = req_query(r, "include_void");
	f->include_void = iv && (!strcmp(iv, "1") || !strcmp(iv, "on") || !strcmp(iv, "true"));
	const char *page = req_query(r, "page");
	long long pg = 1;
	if (page && *page) {
		char *end;
		pg = strtoll(page, &end, 10);
		if (*end || pg < 1 || pg > 1000000) {
			reply_error(r, ERR_BAD_FIELD, "page", "เลขหน้าไม่ถูกต้อง");
			return false;
		}
	}
	f->limit = PAGE_SIZE;
	f->offset = (int)((pg - 1) * PAGE_SIZE);
	return true;
}

/* The query string of the filter without page, for links. */
static void filter_query(struct req *r, struct buf *b)
{
	static const char *const keys[] = {"unit",    "from",    "to", "period",      "service",
	                                   "outcome", "officer", "q",  "include_void"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = req_query(r, keys[i]);
		if (!v || !*v)
			continue;
		buf_printf(b, "%s%s=", b->len ? "&" : "", keys[i]);
		web_url_encode(b, v);
	}
}

/* The last 12 periods, newest first, as <select> options [{value, label,
 * selected}]; selected (ISO "YYYY-MM") may be NULL. */
static json_t *period_options(const char *selected)
{
	json_t *periods = json_array();
	struct civil_day today;
	struct period cur;
	thai_epoch_day((int64_t)time(NULL), &today);
	period_of_day(today.y, today.m, today.d, app->cfg->cutoff_day, &cur);
	for (int k = 0; k < 12; k++) {
		struct period p = period_add(cur, -k);
		char iso[PERIOD_ISO_SIZE];
		struct buf lb;
		buf_init(&lb, 64);
		period_iso(p, iso);
		period_label(&lb, p, 0);
		json_array_append_new(periods,
		                      json_pack("{s:s, s:s, s:b}", "value", iso, "label", buf_str(&lb),
		                                "selected", selected && !strcmp(selected, iso)));
		buf_cleanup(&lb);
	}
	return periods;
}

/* ---- the overview of a province or the nation (GET /registry by a
 * province or national user, or with ?unit= a province) ---- */

static const char *const overview_keys[] = {"code", "name_th",       "entries", "services",
                                            "void", "last_entry_at", NULL};

struct sort_by {
	const char *key;
	bool desc;
};

static int overview_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_by *by = arg;
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_t *vx = json_object_get(x, by->key), *vy = json_object_get(y, by->key);
	int d;
	if (json_is_string(vx) || json_is_string(vy))
		d = strcmp(json_string_value(vx) ? json_string_value(vx) : "",
		           json_string_value(vy) ? json_string_value(vy) : "");
	else {
		/* null (no entry yet) sorts below every time */
		json_int_t ix = json_is_integer(vx) ? json_integer_value(vx) : -1;
		json_int_t iy = json_is_integer(vy) ? json_integer_value(vy) : -1;
		d = ix < iy ? -1 : ix > iy;
	}
	if (by->desc)
		d = -d;
	return d ? d : strcmp(web_str(x, "code"), web_str(y, "code")); /* ties: code order */
}

/* Sorts rows in place by a validated key. */
static void overview_sort(json_t *rows, const char *key, bool desc)
{
	size_t n = json_array_size(rows);
	json_t **v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(rows, i));
	struct sort_by by = {key, desc};
	qsort_r(v, n, sizeof *v, overview_cmp, &by);
	json_array_clear(rows);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, v[i]);
	free(v);
}

/* Display fields and links of one overview row (a district or a province). */
static void overview_row(json_t *row, const char *period_iso, bool is_province)
{
	const char *code = web_str(row, "code");
	json_t *last = json_object_get(row, "last_entry_at");
	char when[128] = "";
	if (json_is_integer(last))
		fmt_time(when, sizeof when, json_integer_value(last), THAI_DATE_SHORT);
	json_object_set_new(row, "last_entry_th", json_string(*when ? when : "ยังไม่มีรายการ"));
	json_object_set_new(row, "href", json_sprintf("/registry?unit=%s&period=%s", code, period_iso));
	if (!is_province)
		json_object_set_new(row, "exports",
		                    json_pack("{s:s+, s:s+, s:s+}", "csv", "/registry/export.csv?unit=", code,
		                              "xlsx", "/registry/export.xlsx?unit=", code, "pdf",
		                              "/registry/export.pdf?unit=", code));
	if (!is_province) {
		json_t *ex = json_object_get(row, "exports");
		const char *k;
		json_t *v;
		json_object_foreach(ex, k, v)
		{
			json_object_set_new(ex, k,
			                    json_sprintf("%s&period=%s", json_string_value(v), period_iso));
		}
	}
}

static void registry_overview(struct req *r, const char *unit)
{
	/* The period: ?period= or the current one. */
	struct civil_day today, first, last;
	struct period p;
	thai_epoch_day((int64_t)time(NULL), &today);
	period_of_day(today.y, today.m, today.d, app->cfg->cutoff_day, &p);
	const char *ps = req_query(r, "period");
	if (ps && *ps &&
	    (period_parse(ps, &p) < 0 || period_range(p, app->cfg->cutoff_day, &first, &last) != 0)) {
		reply_error(r, ERR_BAD_DATE, "period", "งวดต้องอยู่ในรูป YYYY-MM");
		return;
	}
	period_range(p, app->cfg->cutoff_day, &first, &last);
	const char *key = req_query(r, "sort");
	if (!key || !*key)
		key = "code";
	bool known = false;
	for (size_t i = 0; overview_keys[i]; i++)
		known = known || !strcmp(overview_keys[i], key);
	if (!known) {
		reply_error(r, ERR_BAD_FIELD, "sort",
		            "เรียงตามได้เฉพาะ code, name_th, entries, services, void หรือ last_entry_at");
		return;
	}
	const char *dir = req_query(r, "dir");
	bool desc = dir && !strcmp(dir, "desc");
	if (dir && *dir && !desc && strcmp(dir, "asc")) {
		reply_error(r, ERR_BAD_FIELD, "dir", "ทิศทางการเรียงต้องเป็น asc หรือ desc");
		return;
	}
	char iso[PERIOD_ISO_SIZE], d1[THAI_ISO_DAY_SIZE], d2[THAI_ISO_DAY_SIZE];
	period_iso(p, iso);
	thai_day_iso(first, d1);
	thai_day_iso(last, d2);
	bool national = unit_level_of_code(unit) == UNIT_LEVEL_NATIONAL;
	json_t *districts = NULL;
	if (db_registry_overview(app->db, unit, d1, d2, &districts) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	json_t *provinces = json_array();
	if (national) {
		/* Provinces first: the districts summed by province. */
		json_t *units = db_unit_children(app->db, "0");
		size_t i;
		json_t *u;
		json_array_foreach(units, i, u)
		{
			const char *pc = web_str(u, "code");
			json_int_t e = 0, sv = 0, vd = 0, nd = 0;
			json_t *lastat = json_null();
			size_t k;
			json_t *d;
			json_array_foreach(districts, k, d)
			{
				if (strcmp(web_str(d, "province_code"), pc))
					continue;
				nd++;
				e += json_integer_value(json_object_get(d, "entries"));
				sv += json_integer_value(json_object_get(d, "services"));
				vd += json_integer_value(json_object_get(d, "void"));
				json_t *la = json_object_get(d, "last_entry_at");
				if (json_is_integer(la) &&
				    (!json_is_integer(lastat) ||
				     json_integer_value(la) > json_integer_value(lastat)))
					lastat = la;
			}
			if (!nd)
				continue; /* outside the programme (Bangkok by default) */
			json_array_append_new(
			    provinces, json_pack("{s:s, s:O, s:I, s:I, s:I, s:I, s:O}", "code", pc, "name_th",
			                         json_object_get(u, "name_th"), "districts", nd, "entries", e,
			                         "services", sv, "void", vd, "last_entry_at", lastat));
		}
		json_decref(units);
		json_decref(districts);
		districts = json_array();
	}
	json_t *rows = national ? provinces : districts;
	overview_sort(rows, key, desc);
	json_int_t te = 0, ts = 0, tv = 0;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		overview_row(row, iso, national);
		te += json_integer_value(json_object_get(row, "entries"));
		ts += json_integer_value(json_object_get(row, "services"));
		tv += json_integer_value(json_object_get(row, "void"));
	}
	/* Column headers that sort (again: the other direction). */
	json_t *columns = json_array();
	static const struct {
		const char *key, *label;
		bool numeric;
	} cols[] = {{"code", "รหัส", false},        {"name_th", "ชื่อ", false},
	            {"entries", "ผู้รับบริการ", true}, {"services", "รายการบริการ", true},
	            {"void", "ยกเลิก", true},       {"last_entry_at", "บันทึกล่าสุด", true}};
	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
		bool cur = !strcmp(key, cols[c].key);
		bool next_desc = cur ? !desc : cols[c].numeric;
		json_array_append_new(
		    columns,
		    json_pack("{s:s, s:s, s:b, s:s, s:s, s:o}", "key", cols[c].key, "label", cols[c].label,
		              "current", cur, "aria_sort", cur ? (desc ? "descending" : "ascending") : "none",
		              "arrow", cur ? (desc ? "▼" : "▲") : "", "href",
		              json_sprintf("/registry?unit=%s&period=%s&sort=%s&dir=%s", unit, iso,
		                           cols[c].key, next_desc ? "desc" : "asc")));
	}
	json_t *unit_m = db_unit_find(app->db, unit);
	struct buf lb;
	buf_init(&lb, 64);
	period_label(&lb, p, 0);
	json_t *periods = period_options(iso);
	char title[160];
	snprintf(title, sizeof title, "ภาพรวมทะเบียนผู้รับบริการ %s",
	         unit_m ? json_string_value(json_object_get(unit_m, "name_th")) : "");
	json_t *m = json_pack(
	    "{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:o, s:s, s:s, s:o, s:o, s:o, s:b, s:b, "
	    "s:{s:I, s:I, s:I}}",
	    "page_title", title, "view", "overview", "scope", "code", unit, "name_th",
	    unit_m ? json_string_value(json_object_get(unit_m, "name_th")) : "", "level_label",
	    web_level_label(unit_level_of_code(unit), unit), "period", "iso", iso, "label", buf_str(&lb),
	    "periods", periods, "sort", key, "dir", desc ? "desc" : "asc", "columns", columns, "provinces",
	    provinces, "districts", national ? districts : json_incref(rows), "is_national", national,
	    "has_rows", json_array_size(rows) > 0, "totals", "entries", te, "services", ts, "void", tv);
	if (!national)
		json_decref(rows);
	buf_cleanup(&lb);
	json_decref(unit_m);
	reply_model(r, 200, "registry_overview", m);
}

static void registry_index(struct req *r)
{
	if (unit_level_of_code(web_scope_unit(r)) != UNIT_LEVEL_DISTRICT) {
		registry_overview(r, web_scope_unit(r));
		return;
	}
	const char *unit = list_unit(r);
	if (!unit)
		return;
	struct visit_filter f;
	if (!read_filter(r, unit, &f))
		return;
	json_t *res = db_visits_list(app->db, &f);
	if (!res) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	json_t *entries = json_object_get(res, "entries");
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e) label_entry(e);
	json_int_t total = json_integer_value(json_object_get(res, "total"));
	json_int_t pages = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
	json_int_t page = f.offset / PAGE_SIZE + 1;
	struct buf q;
	buf_init(&q, 4096);
	filter_query(r, &q);
	json_t *prev = page > 1 ? json_sprintf("/registry?%s%spage=%lld", buf_str(&q), q.len ? "&" : "",
	                                       (long long)page - 1)
	                        : json_null();
	json_t *next = page < pages ? json_sprintf("/registry?%s%spage=%lld", buf_str(&q), q.len ? "&" : "",
	                                           (long long)page + 1)
	                            : json_null();

	/* Options for the filter form. */
	json_t *services = json_array();
	json_array_foreach(web_eservices(r), i, e)
	{
		const char *c = json_string_value(json_object_get(e, "code"));
		json_array_append_new(services, json_pack("{s:s, s:O, s:b}", "code", c, "name_th",
		                                          json_object_get(e, "name_th"), "selected",
		                                          f.service_code && !strcmp(f.service_code, c)));
	}
	json_t *periods = period_options(f.period);
	json_t *by = json_array();
	json_t *by_outcome = json_object_get(json_object_get(res, "totals"), "by_outcome");
	for (size_t k = 0; outcome_names[k]; k++)
		json_array_append_new(
		    by, json_pack("{s:s, s:I}", "label", outcome_label(outcome_names[k]), "n",
		                  json_integer_value(json_object_get(by_outcome, outcome_names[k]))));
	json_object_set_new(json_object_get(res, "totals"), "by_outcome_list", by);
	json_t *exports = json_null();
	if (f.period) {
		exports = json_pack("{s:s+, s:s+, s:s+}", "csv", "/registry/export.csv?", buf_str(&q), "xlsx",
		                    "/registry/export.xlsx?", buf_str(&q), "pdf", "/registry/export.pdf?",
		                    buf_str(&q));
	}
	json_t *unit_m = db_unit_find(app->db, unit);
	const struct session_user *u = web_user(r);
	bool own = own_district(u, unit);
	json_t *m = json_pack(
	    "{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:b}, s:o, s:o, s:o, s:O, s:I, s:O, "
	    "s:{s:I, s:I, s:o, s:o}, s:o, s:b, s:b}",
	    "page_title", "ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์", "unit", "code", unit, "name_th",
	    unit_m ? json_string_value(json_object_get(unit_m, "name_th")) : "", "filter", "from",
	    f.from_day ? f.from_day : "", "to", f.to_day ? f.to_day : "", "period", f.period ? f.period : "",
	    "service", f.service_code ? f.service_code : "", "outcome", f.outcome ? f.outcome : "", "officer",
	    (json_int_t)f.officer_id, "q", f.name_query ? f.name_query : "", "include_void", f.include_void,
	    "periods", periods, "services", services, "outcomes",
	    web_options(outcome_names, outcome_label, f.outcome), "entries", entries, "total", total,
	    "totals", json_object_get(res, "totals"), "pagination", "page", page, "pages", pages, "prev_href",
	    prev, "next_href", next, "exports", exports, "can_create", own, "can_import",
	    own && u->role >= ROLE_DISTRICT_ADMIN);
	json_decref(unit_m);
	buf_cleanup(&q);
	json_decref(res);
	day_labels(json_object_get(m, "filter"));
	reply_model(r, 200, "registry_list", m);
}

/* GET /registry/export.{csv,xlsx,pdf}?period=YYYY-MM[&unit=]: the period's
 * registry (voided entries included and marked), audit-logged. */
enum export_format { EXPORT_CSV, EXPORT_XLSX, EXPORT_PDF };

static void registry_export(struct req *r, enum export_format fmt)
{
	const struct session_user *u = web_user(r);
	const char *unit = list_unit(r);
	if (!unit)
		return;
	const char *period_s = req_query(r, "period");
	struct period p;
	struct civil_day first, last;
	if (!period_s || period_parse(period_s, &p) < 0 ||
	    period_range(p, app->cfg->cutoff_day, &first, &last) != 0) {
		reply_error(r, ERR_BAD_DATE, "period", "กรุณาระบุงวดในรูป YYYY-MM");
		return;
	}
	char iso[PERIOD_ISO_SIZE];
	period_iso(p, iso);
	/* One snapshot, in the book's order (B.E. year, then running number). */
	json_t *res = NULL;
	json_t *list = NULL;
	if (db_visits_book(app->db, unit, iso, &list) == DB_OK)
		res = json_pack("{s:o}", "entries", list);
	json_t *unit_m = db_unit_find(app->db, unit);
	if (!res || !unit_m) {
		json_decref(res);
		json_decref(unit_m);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	json_t *entries = json_object_get(res, "entries");
	size_t i;
	json_t *e;
	json_int_t services = 0, voided = 0;
	json_array_foreach(entries, i, e)
	{
		label_entry(e);
		if (json_is_true(json_object_get(e, "void")))
			voided++;
		else
			services += (json_int_t)json_array_size(json_object_get(e, "services"));
	}
	struct buf lb, fb, tb;
	buf_init(&lb, 128);
	buf_init(&fb, 128);
	buf_init(&tb, 128);
	period_label(&lb, p, 0);
	thai_date_format(&fb, first.y, first.m, first.d, THAI_DATE_FULL, false);
	thai_date_format(&tb, last.y, last.m, last.d, THAI_DATE_FULL, false);
	char generated[128];
	fmt_time(generated, sizeof generated, (int64_t)time(NULL), THAI_DATE_FULL);
	json_t *parent = json_object_get(unit_m, "parent");
	json_t *model =
	    json_pack("{s:{s:s, s:O, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:O, s:{s:I, s:I, s:I}}",
	              "unit", "code", unit, "name_th", json_object_get(unit_m, "name_th"), "province_th",
	              json_string_value(json_object_get(parent, "name_th"))
	                  ? json_string_value(json_object_get(parent, "name_th"))
	                  : "",
	              "level_label", web_level_label(2, unit), "period", "iso", iso, "label", buf_str(&lb),
	              "first_day_th", buf_str(&fb), "last_day_th", buf_str(&tb), "generated_th", generated,
	              "generated_by", u->display_name, "entries", entries, "totals", "entries",
	              (json_int_t)json_array_size(entries) - voided, "services", services, "void", voided);
	buf_cleanup(&lb);
	buf_cleanup(&fb);
	buf_cleanup(&tb);
	json_decref(res);
	json_decref(unit_m);

	static const char *const ext[] = {"csv", "xlsx", "pdf"};
	static const char *const ctype[] = {
	    "text/csv; charset=utf-8", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    "application/pdf"};
	struct buf out;
	buf_init(&out, 256u * 1024 * 1024);
	int rc = fmt == EXPORT_CSV    ? export_registry_csv(&out, model)
	         : fmt == EXPORT_XLSX ? export_registry_xlsx(&out, model)
	                              : export_registry_pdf(&out, model);
	json_decref(model);
	if (rc < 0) {
		buf_cleanup(&out);
		reply_error(r, ERR_INTERNAL, NULL, "สร้างไฟล์ส่งออกไม่ได้");
		return;
	}
	char target[64], disp[128];
	snprintf(target, sizeof target, "registry:%s:%s", unit, iso);
	if (!web_audit(r, "registry.export", target, ext[fmt])) {
		/* No export of personal data without its audit row. */
		buf_cleanup(&out);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	snprintf(disp, sizeof disp, "attachment; filename=\"registry-%s-%s.%s\"", unit, iso, ext[fmt]);
	reply_header(r, "Content-Disposition", disp);
	size_t len;
	char *data = buf_detach(&out, &len);
	reply_bytes_owned(r, 200, ctype[fmt], data, len);
}

static void registry_export_csv(struct req *r)
{
	registry_export(r, EXPORT_CSV);
}

static void registry_export_xlsx(struct req *r)
{
	registry_export(r, EXPORT_XLSX);
}

static void registry_export_pdf(struct req *r)
{
	registry_export(r, EXPORT_PDF);
}

const struct route registry_routes[] = {
    {HTTP_GET, "/registry", ROLE_OFFICER, 0, registry_index, "registry.index", &scope_unit_query},
    {HTTP_POST, "/registry", ROLE_OFFICER, 0, registry_create, "registry.create", &scope_own_district},
    {HTTP_GET, "/registry/new", ROLE_OFFICER, 0, registry_new, "registry.new", &scope_own_district},
    {HTTP_GET, "/registry/export.csv", ROLE_OFFICER, 0, registry_export_csv, "registry.export_csv",
     &scope_unit_query},
    {HTTP_GET, "/registry/export.xlsx", ROLE_OFFICER, 0, registry_export_xlsx, "registry.export_xlsx",
     &scope_unit_query},
    {HTTP_GET, "/registry/export.pdf", ROLE_OFFICER, 0, registry_export_pdf, "registry.export_pdf",
     &scope_unit_query},
    {HTTP_GET, "/registry/{id}", ROLE_OFFICER, 0, registry_show, "registry.show", &scope_visit},
    {HTTP_POST, "/registry/{id}", ROLE_OFFICER, 0, registry_update, "registry.update", &scope_visit},
    {HTTP_GET, "/registry/{id}/edit", ROLE_OFFICER, 0, registry_edit_form, "registry.edit", &scope_visit},
    {HTTP_POST, "/registry/{id}/void", ROLE_OFFICER, 0, registry_void, "registry.void", &scope_visit},
    {HTTP_POST, "/registry/{id}/reveal", ROLE_DISTRICT_ADMIN, 0, registry_reveal, "registry.reveal",
     &scope_visit},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
