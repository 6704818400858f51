/* Survey storage (see survey.h and docs/survey.md). */
#include "db/survey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/period.h"
#include "db/db.h"
#include "db/rollup.h"
#include "db/visits.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/thai.h"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- question sets ---- */

/* items_json as stored ([{key, label_th}]) into qs; items that do not fit
 * the rules are skipped (logged): a set is checked when it is stored. */
static void qset_from_json(struct survey_qset *qs, int64_t version, const char *items_json)
{
	memset(qs, 0, sizeof *qs);
	qs->version = version;
	json_error_t jerr;
	json_t *items = json_loads(items_json, 0, &jerr);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *key = json_string_value(json_object_get(it, "key"));
		const char *label = json_string_value(json_object_get(it, "label_th"));
		if (qs->n == SURVEY_ITEMS_MAX || !survey_key_valid(key) || !label ||
		    strlen(label) > SURVEY_LABEL_MAX) {
			log_error("survey: question set %lld holds an item that breaks the rules",
			          (long long)version);
			continue;
		}
		copy(qs->items[qs->n].key, sizeof qs->items[qs->n].key, key);
		copy(qs->items[qs->n].label_th, sizeof qs->items[qs->n].label_th, label);
		qs->n++;
	}
	json_decref(items);
}

static json_t *qset_items_json(const struct survey_qset *qs)
{
	json_t *a = json_array();
	for (size_t i = 0; i < qs->n; i++)
		json_array_append_new(
		    a, json_pack("{s:s, s:s}", "key", qs->items[i].key, "label_th", qs->items[i].label_th));
	return a;
}

struct qset_arg {
	int64_t version; /* 0 = current */
	struct survey_qset *out;
};

static int qset_fn(struct dbc *c, void *arg)
{
	struct qset_arg *a = arg;
	struct db_stmt *st = db_prepare(
	    c, a->version ? "SELECT version, items_json FROM survey_question_sets WHERE version = ?"
	                  : "SELECT version, items_json FROM survey_question_sets "
	                    "ORDER BY version DESC LIMIT 1");
	if (!st)
		return DB_ERROR;
	if (a->version)
		db_bind_int(st, 1, a->version);
	int rc = db_step(st);
	if (rc == DB_ROW)
		qset_from_json(a->out, db_col_int(st, 0), db_col_text(st, 1));
	db_finish(st);
	return rc;
}

int db_survey_qset_current(struct db *db, struct survey_qset *out)
{
	struct qset_arg a = {0, out};
	return db_read(db, qset_fn, &a);
}

int db_survey_qset_get(struct db *db, int64_t version, struct survey_qset *out)
{
	if (version <= 0)
		return DB_DONE;
	struct qset_arg a = {version, out};
	return db_read(db, qset_fn, &a);
}

struct qset_create {
	const struct survey_qset *qs;
	int64_t base, user, now, version;
	const char *items;
};

static int qset_create_fn(struct dbc *c, void *arg)
{
	struct qset_create *a = arg;
	int64_t cur = 0;
	int rc = db_query_int(c, &cur, "SELECT COALESCE(MAX(version), 0) AS v FROM survey_question_sets", "");
	if (rc < 0)
		return rc;
	if (a->base && cur != a->base)
		return SURVEY_RC_STALE;
	a->version = cur + 1;
	static const char sql[] =
	    "INSERT INTO survey_question_sets (version, items_json, created_at, created_by) "
	    "VALUES (?, ?, ?, ?)";
	if (!a->user)
		return db_exec(c, sql, "itin", a->version, a->items, a->now);
	return db_exec(c, sql, "itii", a->version, a->items, a->now, a->user);
}

int db_survey_qset_create(struct db *db, const struct survey_qset *qs, int64_t base_version, int64_t user_id,
                          int64_t now, int64_t *version)
{
	json_t *items = qset_items_json(qs);
	char *text = json_dumps(items, JSON_COMPACT);
	json_decref(items);
	struct qset_create a = {qs, base_version, user_id, now, 0, text};
	int rc = db_write(db, qset_create_fn, &a);
	free(text);
	if (rc == DB_OK && version)
		*version = a.version;
	return rc;
}

static int qsets_fn(struct dbc *c, void *arg)
{
	json_t **out = arg;
	json_t *rows = db_query_json(
	    c,
	    "SELECT q.version, q.items_json, q.created_at, COALESCE(u.display_name, '') AS created_by_name, "
	    "(SELECT COUNT(*) FROM survey_responses r WHERE r.qset_version = q.version) AS responses "
	    "FROM survey_question_sets q LEFT JOIN users u ON u.id = q.created_by ORDER BY q.version DESC",
	    "");
	if (!rows)
		return DB_ERROR;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		struct survey_qset qs;
		qset_from_json(&qs, json_integer_value(json_object_get(r, "version")),
		               json_string_value(json_object_get(r, "items_json")));
		json_object_del(r, "items_json");
		json_object_set_new(r, "items", qset_items_json(&qs));
	}
	*out = rows;
	return DB_OK;
}

json_t *db_survey_qsets(struct db *db)
{
	json_t *out = NULL;
	if (db_read(db, qsets_fn, &out) != DB_OK) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* ---- settings ---- */

struct settings_arg {
	char *url;
	size_t cap;
	enum survey_offer offer;
	const char *set_url;
};

static int settings_get_fn(struct dbc *c, void *arg)
{
	struct settings_arg *a = arg;
	struct db_stmt *st = db_prepare(
	    c, "SELECT key, value FROM settings WHERE key IN ('survey_official_url', 'survey_offer')");
	if (!st)
		return DB_ERROR;
	int rc;
	a->offer = SURVEY_OFFER_BOTH;
	if (a->cap)
		a->url[0] = '\0';
	while ((rc = db_step(st)) == DB_ROW) {
		const char *k = db_col_text(st, 0), *v = db_col_text(st, 1);
		if (!strcmp(k, "survey_official_url"))
			copy(a->url, a->cap, v);
		else if (survey_offer_from_name(v) >= 0)
			a->offer = (enum survey_offer)survey_offer_from_name(v);
	}
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int db_survey_settings_get(struct db *db, char *url, size_t cap, enum survey_offer *offer)
{
	struct settings_arg a = {url, cap, SURVEY_OFFER_BOTH, NULL};
	int rc = db_read(db, settings_get_fn, &a);
	*offer = a.offer;
	return rc;
}

static int settings_set_fn(struct dbc *c, void *arg)
{
	struct settings_arg *a = arg;
	static const char up[] = "INSERT INTO settings (key, value) VALUES (?, ?) "
	                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	int rc = db_exec(c, up, "tt", "survey_official_url", a->set_url);
	if (rc == DB_OK)
		rc = db_exec(c, up, "tt", "survey_offer", survey_offer_name(a->offer));
	return rc;
}

int db_survey_settings_set(struct db *db, const char *url, enum survey_offer offer)
{
	struct settings_arg a = {NULL, 0, offer, url ? url : ""};
	return db_write(db, settings_set_fn, &a);
}

/* ---- facts for the forms ---- */

struct visit_arg {
	int64_t id;
	struct survey_visit *out;
};

static int visit_fn(struct dbc *c, void *arg)
{
	struct visit_arg *a = arg;
	struct db_stmt *st = db_prepare(
	    c,
	    "SELECT unit_code, visited_at, status, survey_answered, seq, year_be FROM visits WHERE id = ?");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, a->id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		copy(a->out->unit_code, sizeof a->out->unit_code, db_col_text(st, 0));
		a->out->visited_at = db_col_int(st, 1);
		a->out->active = !strcmp(db_col_text(st, 2), "active");
		a->out->answered = db_col_int(st, 3) != 0;
		snprintf(a->out->number, sizeof a->out->number, "%lld/%lld", (long long)db_col_int(st, 4),
		         (long long)db_col_int(st, 5));
	}
	db_finish(st);
	return rc;
}

int db_survey_visit(struct db *db, int64_t visit_id, struct survey_visit *out)
{
	memset(out, 0, sizeof *out);
	struct visit_arg a = {visit_id, out};
	return db_read(db, visit_fn, &a);
}

struct number_arg {
	const char *unit;
	int64_t seq, year, id;
};

static int number_fn(struct dbc *c, void *arg)
{
	struct number_arg *a = arg;
	return db_query_int(c, &a->id,
	                    "SELECT id FROM visits WHERE unit_code = ? AND year_be = ? AND seq = ?", "tii",
	                    a->unit, a->year, a->seq);
}

int db_survey_visit_by_number(struct db *db, const char *unit_code, int64_t seq, int64_t year_be, int64_t *id)
{
	struct number_arg a = {unit_code, seq, year_be, 0};
	int rc = db_read(db, number_fn, &a);
	if (rc == DB_ROW)
		*id = a.id;
	return rc;
}

struct point_arg {
	const char *code;
	json_t *out;
	int rc;
};

static int point_fn(struct dbc *c, void *arg)
{
	struct point_arg *a = arg;
	a->out =
	    db_query_row(c, &a->rc,
	                 "SELECT u.code AS unit_code, u.level, u.in_programme, u.name_th AS district_th, "
	                 "COALESCE(pr.name_th, '') AS province_th, COALESCE(p.name_th, '') AS point_name "
	                 "FROM units u LEFT JOIN units pr ON pr.code = u.parent_code "
	                 "LEFT JOIN points p ON p.unit_code = u.code WHERE u.code = ?",
	                 "t", a->code);
	return a->rc < 0 ? a->rc : DB_OK;
}

json_t *db_survey_point(struct db *db, const char *code, int *rc)
{
	struct point_arg a = {code, NULL, DB_DONE};
	int r = db_read(db, point_fn, &a);
	if (r < 0) {
		json_decref(a.out);
		*rc = r;
		return NULL;
	}
	*rc = a.rc;
	json_t *p = a.out;
	if (!p)
		return NULL;
	json_object_set_new(p, "in_programme",
	                    json_boolean(json_integer_value(json_object_get(p, "in_programme"))));
	const char *name = json_string_value(json_object_get(p, "point_name"));
	if (!name || !*name)
		json_object_set_new(p, "name_th",
		                    json_sprintf("จุดให้บริการ e-Service อำเภอ%s",
		                                 json_string_value(json_object_get(p, "district_th"))));
	else
		json_object_set(p, "name_th", json_object_get(p, "point_name"));
	json_object_del(p, "point_name");
	return p;
}

struct counter_arg {
	const char *unit, *day;
	json_t *out;
};

static int counter_fn(struct dbc *c, void *arg)
{
	struct counter_arg *a = arg;
	struct db_stmt *st = db_prepare(c, "SELECT id, seq, year_be, visited_at, survey_answered FROM visits "
	                                   "WHERE unit_code = ? AND visit_day = ? AND status = 'active' "
	                                   "ORDER BY visited_at DESC, id DESC LIMIT 100");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->unit);
	db_bind_text(st, 2, a->day);
	json_t *rows = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		char number[32];
		snprintf(number, sizeof number, "%lld/%lld", (long long)db_col_int(st, 1),
		         (long long)db_col_int(st, 2));
		json_array_append_new(rows,
		                      json_pack("{s:I, s:s, s:I, s:b}", "id", (json_int_t)db_col_int(st, 0),
		                                "number", number, "visited_at", (json_int_t)db_col_int(st, 3),
		                                "answered", db_col_int(st, 4) != 0));
	}
	db_finish(st);
	if (rc != DB_DONE) {
		json_decref(rows);
		return rc;
	}
	a->out = rows;
	return DB_OK;
}

json_t *db_survey_counter_entries(struct db *db, const char *unit_code, const char *day)
{
	struct counter_arg a = {unit_code, day, NULL};
	if (db_read(db, counter_fn, &a) != DB_OK) {
		json_decref(a.out);
		return NULL;
	}
	return a.out;
}

/* ---- submitting ---- */

struct submit_arg {
	const struct survey_submit *in;
	struct survey_submitted *out;
};

/* The open-period rule for a paper answer's day, read in the transaction
 * (as db/visits.c does for entries). */
static int paper_period_check(struct dbc *c, const struct survey_submit *in, const char *unit)
{
	if (!in->cutoff_day)
		return DB_OK;
	struct period p;
	struct civil_day today;
	if (period_parse(in->period, &p) != 0 || thai_epoch_day(in->now, &today) != 0)
		return SURVEY_RC_CLOSED;
	int64_t one = 0;
	int rc = db_query_int(c, &one, VISIT_PERIOD_CLOSED_SQL, "ttt", unit, in->period, in->period);
	if (rc < 0)
		return rc;
	return period_is_open(p, in->cutoff_day, today, in->grace_days, rc == DB_ROW) ? DB_OK
	                                                                              : SURVEY_RC_CLOSED;
}

/* A throttle window's state: *start, *n (0, 0 when none). */
static int throttle_read(struct dbc *c, const char *kind, const char *key, int64_t *start, int64_t *n)
{
	*start = *n = 0;
	struct db_stmt *st =
	    db_prepare(c, "SELECT window_start, n FROM survey_throttle WHERE kind = ? AND key = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, key);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*start = db_col_int(st, 0);
		*n = db_col_int(st, 1);
	}
	db_finish(st);
	return rc < 0 ? rc : DB_OK;
}

static int throttle_count(struct dbc *c, const char *kind, const char *key, int64_t start, int64_t n,
                          int64_t now, int64_t window)
{
	bool fresh = n <= 0 || start <= 0 || now < start || now - start >= window;
	return db_exec(
	    c,
	    "INSERT INTO survey_throttle (kind, key, window_start, n) VALUES (?, ?, ?, ?) "
	    "ON CONFLICT (kind, key) DO UPDATE SET window_start = excluded.window_start, n = excluded.n",
	    "ttii", kind, key, fresh ? now : start, fresh ? (int64_t)1 : n + 1);
}

/* A stored response's roll-ups (db/rollup.h): the day's count and Σ by
 * source, the district's period totals, one per aspect item answered. */
static int survey_rollups(struct dbc *c, const char *unit, const struct survey_submit *in)
{
	bool visit = in->visit_id > 0;
	int64_t overall = in->a->overall;
	int rc = rollup_add(c, &ROLLUP_SURVEY, (const char *[]){unit, in->day, visit ? "visit" : "point"},
	                    (int64_t[]){1, overall});
	if (rc == DB_OK)
		rc = rollup_add(c, &ROLLUP_PERIOD_UNITS, (const char *[]){unit, in->period},
		                (int64_t[]){0, 0, 0, 0, 1, visit ? 0 : 1, visit ? 1 : 0, overall});
	for (size_t i = 0; rc == DB_OK && i < in->a->n; i++)
		rc = rollup_add(c, &ROLLUP_SURVEY_ITEMS, (const char *[]){unit, in->day, in->a->items[i].key},
		                (int64_t[]){1, in->a->items[i].value});
	return rc;
}

/* PostgreSQL, a per-visit answer online or at the counter (the bulk of the
 * traffic): submit_fn's checks and writes in one statement (data-modifying
 * CTEs), one round trip instead of several, since the writer's one session
 * spends its time waiting for the server (bench/survey/run.sh). The UPDATE …
 * WHERE survey_answered = 0 carries every check (active, not answered, token
 * not expired, the question set exists): the response is written from its
 * row only (the roll-ups after it, db/rollup.h), and a racing request cannot
 * also pass it. When
 * it passed nothing, the entry as the statement saw it tells why, in
 * submit_fn's order: not found, void, used, expired, no question set (and
 * none of those: another request won, SURVEY_RC_USED). Nothing is written
 * then. Any change to submit_fn's rules or writes must be made here too:
 * tests/api/survey.test.mjs runs the same tests on both databases. */
static int submit_visit_pg(struct dbc *c, struct submit_arg *s)
{
	const struct survey_submit *in = s->in;
	char answers[SURVEY_ANSWERS_JSON_MAX];
	if (survey_answers_json(in->a, answers, sizeof answers) < 0)
		return DB_ERROR;
	int64_t oldest = in->token_days ? survey_token_oldest(in->now, in->token_days) : INT64_MIN;

	struct buf sql;
	buf_init(&sql, 0);
	buf_puts(
	    &sql,
	    "WITH v AS (SELECT unit_code, visited_at, status, survey_answered FROM visits WHERE id = ?), "
	    "q AS (SELECT 1 FROM survey_question_sets WHERE version = ?), "
	    "u AS (UPDATE visits SET survey_answered = 1 WHERE id = ? AND survey_answered = 0 "
	    "AND status = 'active' AND visited_at >= ? AND EXISTS (SELECT 1 FROM q) "
	    "RETURNING unit_code, channel), "
	    "r AS (INSERT INTO survey_responses (id, unit_code, day, period, source, mode, visit_channel, "
	    "services, qset_version, overall, answers_json, comment) "
	    "SELECT ?::text, u.unit_code, ?::text, ?::text, 'visit', ?::text, u.channel, "
	    "COALESCE((SELECT string_agg(service_code, ' ' ORDER BY service_code) FROM visit_services "
	    "WHERE visit_id = ?), ''), ?::bigint, ?::bigint, ?::text, ?::text FROM u)");
	buf_puts(&sql,
	         " SELECT (SELECT COUNT(*) FROM u), v.unit_code, v.visited_at, v.status, "
	         "v.survey_answered, (SELECT COUNT(*) FROM q) FROM (VALUES (1)) one LEFT JOIN v ON true");
	struct db_stmt *st = db_prepare(c, buf_str(&sql));
	buf_cleanup(&sql);
	if (!st)
		return DB_ERROR;
	int k = 1;
	db_bind_int(st, k++, in->visit_id);
	db_bind_int(st, k++, in->qset_version);
	db_bind_int(st, k++, in->visit_id);
	db_bind_int(st, k++, oldest);
	db_bind_text(st, k++, in->id);
	db_bind_text(st, k++, in->day);
	db_bind_text(st, k++, in->period);
	db_bind_text(st, k++, in->mode);
	db_bind_int(st, k++, in->visit_id);
	db_bind_int(st, k++, in->qset_version);
	db_bind_int(st, k++, in->a->overall);
	db_bind_text(st, k++, answers);
	db_bind_text(st, k++, in->a->comment);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_finish(st);
		return rc < 0 ? rc : DB_ERROR;
	}
	int64_t n = db_col_int(st, 0);
	bool found = !db_col_null(st, 1);
	copy(s->out->unit_code, sizeof s->out->unit_code, found ? db_col_text(st, 1) : "");
	int64_t visited_at = db_col_int(st, 2);
	bool active = found && !strcmp(db_col_text(st, 3), "active");
	bool answered = db_col_int(st, 4) != 0;
	bool qset = db_col_int(st, 5) != 0;
	db_finish(st);
	if (n == 1)
		return survey_rollups(c, s->out->unit_code, in);
	if (!found)
		return DB_DONE;
	if (!active)
		return SURVEY_RC_VOID;
	if (answered)
		return SURVEY_RC_USED;
	if (visited_at < oldest)
		return SURVEY_RC_EXPIRED;
	if (!qset)
		return SURVEY_RC_NO_QSET;
	return SURVEY_RC_USED;
}

static int submit_fn(struct dbc *c, void *arg)
{
	struct submit_arg *s = arg;
	const struct survey_submit *in = s->in;
	if (dbc_dialect(c) == DB_POSTGRES && in->visit_id > 0 && !in->cutoff_day)
		return submit_visit_pg(c, s);
	char unit[8] = "", channel[16] = "";
	struct buf services;
	buf_init(&services, 0);
	int rc;
	int64_t a_start = 0, a_n = 0, d_start = 0, d_n = 0;
	s->out->retry_after = 0;

	/* Checks: nothing is written until every one has passed. */
	if (in->visit_id > 0) {
		struct db_stmt *st = db_prepare(c, "SELECT unit_code, visited_at, status, survey_answered, "
		                                   "channel FROM visits WHERE id = ?");
		if (!st)
			return DB_ERROR;
		db_bind_int(st, 1, in->visit_id);
		rc = db_step(st);
		bool active = false, answered = false;
		int64_t visited_at = 0;
		if (rc == DB_ROW) {
			copy(unit, sizeof unit, db_col_text(st, 0));
			visited_at = db_col_int(st, 1);
			active = !strcmp(db_col_text(st, 2), "active");
			answered = db_col_int(st, 3) != 0;
			copy(channel, sizeof channel, db_col_text(st, 4));
		}
		db_finish(st);
		if (rc != DB_ROW)
			return rc;
		if (!active)
			return SURVEY_RC_VOID;
		if (answered)
			return SURVEY_RC_USED;
		if (in->token_days && !survey_token_valid(visited_at, in->now, in->token_days))
			return SURVEY_RC_EXPIRED;
	} else if (in->address_key) {
		copy(unit, sizeof unit, in->unit_code);
		if ((rc = throttle_read(c, "address", in->address_key, &a_start, &a_n)) < 0 ||
		    (rc = throttle_read(c, "device", in->device_key, &d_start, &d_n)) < 0)
			return rc;
		if (!survey_throttle_allow(a_start, a_n, in->now, in->window, in->address_limit,
		                           &s->out->retry_after))
			return SURVEY_RC_ADDRESS_LIMIT;
		if (!survey_throttle_allow(d_start, d_n, in->now, in->window, in->device_limit,
		                           &s->out->retry_after))
			return SURVEY_RC_DEVICE_LIMIT;
	} else {
		copy(unit, sizeof unit, in->unit_code);
	}
	copy(s->out->unit_code, sizeof s->out->unit_code, unit);
	if ((rc = paper_period_check(c, in, unit)) != DB_OK)
		return rc;
	int64_t one = 0;
	rc = db_query_int(c, &one, "SELECT 1 FROM survey_question_sets WHERE version = ?", "i",
	                  in->qset_version);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return SURVEY_RC_NO_QSET;
	if (in->visit_id > 0) {
		struct db_stmt *st = db_prepare(
		    c, "SELECT service_code FROM visit_services WHERE visit_id = ? ORDER BY service_code");
		if (!st)
			return DB_ERROR;
		db_bind_int(st, 1, in->visit_id);
		while ((rc = db_step(st)) == DB_ROW) {
			if (services.len)
				buf_putc(&services, ' ');
			buf_puts(&services, db_col_text(st, 0));
		}
		db_finish(st);
		if (rc != DB_DONE) {
			buf_cleanup(&services);
			return rc;
		}
	}

	/* Writes. The token counts once: this UPDATE is what two racing
	 * requests of one token cannot both pass. */
	if (in->visit_id > 0) {
		struct db_stmt *st = db_prepare(
		    c, "UPDATE visits SET survey_answered = 1 WHERE id = ? AND survey_answered = 0");
		if (!st) {
			buf_cleanup(&services);
			return DB_ERROR;
		}
		db_bind_int(st, 1, in->visit_id);
		rc = db_step(st);
		int64_t changed = db_changes(st);
		db_finish(st);
		if (rc != DB_DONE) {
			buf_cleanup(&services);
			return rc < 0 ? rc : DB_ERROR;
		}
		if (changed != 1) {
			buf_cleanup(&services);
			return SURVEY_RC_USED;
		}
	} else if (in->address_key) {
		if ((rc = throttle_count(c, "address", in->address_key, a_start, a_n, in->now, in->window)) <
		        0 ||
		    (rc = throttle_count(c, "device", in->device_key, d_start, d_n, in->now, in->window)) <
		        0) {
			buf_cleanup(&services);
			return rc;
		}
	}
	char answers[SURVEY_ANSWERS_JSON_MAX];
	if (survey_answers_json(in->a, answers, sizeof answers) < 0) {
		buf_cleanup(&services);
		return DB_ERROR;
	}
	rc = db_exec(c,
	             "INSERT INTO survey_responses (id, unit_code, day, period, source, mode, visit_channel, "
	             "services, qset_version, overall, answers_json, comment) "
	             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	             "ttttttttiitt", in->id, unit, in->day, in->period, in->visit_id > 0 ? "visit" : "point",
	             in->mode, channel, buf_str(&services), in->qset_version, (int64_t)in->a->overall,
	             answers, in->a->comment);
	buf_cleanup(&services);
	if (rc < 0)
		return rc;
	return survey_rollups(c, unit, in);
}

int db_survey_submit(struct db *db, const struct survey_submit *in, struct survey_submitted *out)
{
	memset(out, 0, sizeof *out);
	struct submit_arg a = {in, out};
	return db_write(db, submit_fn, &a);
}

/* ---- comments ---- */

struct comments_arg {
	const char *unit, *first, *last;
	json_t *out;
	int64_t total;
};

/* The unit condition: a district itself, a province's districts, or all. */
static const char *unit_where(const char *unit)
{
	size_t n = strlen(unit);
	return n == 4   ? "r.unit_code = ?"
	       : n == 2 ? "substr(r.unit_code, 1, 2) = ?"
	                : "CAST(? AS TEXT) = '0'";
}

static int comments_fn(struct dbc *c, void *arg)
{
	struct comments_arg *a = arg;
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "SELECT COUNT(*) AS n FROM survey_responses r WHERE r.comment <> '' AND r.day >= ? AND "
	         "r.day <= ? "
	         "AND %s",
	         unit_where(a->unit));
	int rc = db_query_int(c, &a->total, sql, "ttt", a->first, a->last, a->unit);
	if (rc < 0)
		return rc;
	snprintf(sql, sizeof sql,
	         "SELECT r.day, r.unit_code, u.name_th AS unit_name, r.source, r.mode, r.overall, r.comment "
	         "FROM survey_responses r JOIN units u ON u.code = r.unit_code "
	         "WHERE r.comment <> '' AND r.day >= ? AND r.day <= ? AND %s "
	         "ORDER BY r.day DESC, r.id LIMIT %d",
	         unit_where(a->unit), SURVEY_COMMENTS_MAX);
	a->out = db_query_json(c, sql, "ttt", a->first, a->last, a->unit);
	return a->out ? DB_OK : DB_ERROR;
}

int db_survey_comments(struct db *db, const char *unit_code, const char *first_day, const char *last_day,
                       json_t **out, int64_t *total)
{
	struct comments_arg a = {unit_code, first_day, last_day, NULL, 0};
	int rc = db_read(db, comments_fn, &a);
	if (rc != DB_OK) {
		json_decref(a.out);
		a.out = NULL;
	}
	*out = a.out;
	if (total)
		*total = a.total;
	return rc;
}

/* ---- retention ---- */

struct purge_arg {
	const char *before;
	int64_t throttle_before, erased;
};

static int purge_fn(struct dbc *c, void *arg)
{
	struct purge_arg *a = arg;
	struct db_stmt *st = db_prepare(
	    c,
	    "UPDATE survey_responses SET comment = '', comment_purged = 1 WHERE comment <> '' AND day < ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->before);
	int rc = db_step(st);
	a->erased = db_changes(st);
	db_finish(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : DB_ERROR;
	return db_exec(c, "DELETE FROM survey_throttle WHERE window_start < ?", "i", a->throttle_before);
}

static int vacuum_fn(struct dbc *c, void *arg)
{
	return db_exec_script(c, "VACUUM survey_responses");
}

int db_survey_purge(struct db *db, const char *before_day, int64_t throttle_before, int64_t *erased)
{
	struct purge_arg a = {before_day, throttle_before, 0};
	int rc = db_tx(db, purge_fn, &a);
	if (erased)
		*erased = rc == DB_OK ? a.erased : 0;
	/* Always flush, so a flush that failed is done by the next run. */
	int f = db_checkpoint(db);
	if (f == DB_OK && db_dialect(db) == DB_POSTGRES)
		f = db_read(db, vacuum_fn, NULL);
	if (f != DB_OK)
		log_error("survey: erased comments could not be flushed from the database files (%d)", f);
	return rc != DB_OK ? rc : f;
}

/* ---- consistency ---- */

#define CHECK_MAX 100

/* Adds (n, sum) to acc[key]. */
static void acc_add(json_t *acc, const char *key, int64_t n, int64_t sum)
{
	json_t *v = json_object_get(acc, key);
	if (!v) {
		json_object_set_new(acc, key, json_pack("[I, I]", (json_int_t)n, (json_int_t)sum));
		return;
	}
	json_array_set_new(v, 0, json_integer(json_integer_value(json_array_get(v, 0)) + n));
	json_array_set_new(v, 1, json_integer(json_integer_value(json_array_get(v, 1)) + sum));
}

struct check_arg {
	json_t *stored_s, *stored_i, *calc_s, *calc_i;
};

static int read_pairs(struct dbc *c, const char *sql, json_t *acc)
{
	struct db_stmt *st = db_prepare(c, sql);
	if (!st)
		return DB_ERROR;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		char key[128];
		snprintf(key, sizeof key, "%s|%s|%s", db_col_text(st, 0), db_col_text(st, 1),
		         db_col_text(st, 2));
		acc_add(acc, key, db_col_int(st, 3), db_col_int(st, 4));
	}
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int check_fn(struct dbc *c, void *arg)
{
	struct check_arg *a = arg;
	int rc =
	    read_pairs(c, "SELECT unit_code, day, source, n, sum_overall FROM rollup_survey", a->stored_s);
	if (rc == DB_OK)
		rc = read_pairs(c, "SELECT unit_code, day, item_key, n, sum FROM rollup_survey_items",
		                a->stored_i);
	if (rc == DB_OK)
		rc = read_pairs(
		    c,
		    "SELECT unit_code, day, source, COUNT(*) AS n, SUM(overall) AS s FROM survey_responses "
		    "GROUP BY unit_code, day, source",
		    a->calc_s);
	if (rc != DB_OK)
		return rc;
	struct db_stmt *st = db_prepare(c, "SELECT unit_code, day, answers_json FROM survey_responses");
	if (!st)
		return DB_ERROR;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *ans = json_loads(db_col_text(st, 2), 0, NULL);
		const char *k;
		json_t *v;
		json_object_foreach(ans, k, v)
		{
			char key[128];
			snprintf(key, sizeof key, "%s|%s|%s", db_col_text(st, 0), db_col_text(st, 1), k);
			acc_add(a->calc_i, key, 1, json_integer_value(v));
		}
		json_decref(ans);
	}
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Compares stored and recomputed for one table, both ways. */
static int compare(const char *table, json_t *stored, json_t *calc, json_t *diffs)
{
	int n = 0;
	json_t *zero = json_pack("[i, i]", 0, 0);
	for (int pass = 0; pass < 2; pass++) {
		json_t *from = pass ? calc : stored, *other = pass ? stored : calc;
		const char *key;
		json_t *v;
		json_object_foreach(from, key, v)
		{
			json_t *w = json_object_get(other, key);
			if (pass && w)
				continue; /* seen in the first pass */
			if (w && json_equal(v, w))
				continue;
			json_t *st = pass ? (w ? w : zero) : v, *rc = pass ? v : (w ? w : zero);
			if (json_equal(st, rc))
				continue; /* a stored row of zeros */
			n++;
			if (diffs && json_array_size(diffs) < CHECK_MAX) {
				char u[16] = "", d[16] = "", k[64] = "";
				sscanf(key, "%15[^|]|%15[^|]|%63s", u, d, k);
				json_array_append_new(diffs,
				                      json_pack("{s:s, s:s, s:s, s:s, s:O, s:O}", "table",
				                                table, "unit_code", u, "day", d, "key", k,
				                                "stored", st, "recomputed", rc));
			}
		}
	}
	json_decref(zero);
	return n;
}

int db_survey_rollups_check(struct db *db, json_t **diffs)
{
	struct check_arg a = {json_object(), json_object(), json_object(), json_object()};
	int rc = db_read(db, check_fn, &a);
	json_t *list = diffs ? json_array() : NULL;
	int n = 0;
	if (rc == DB_OK)
		n = compare("rollup_survey", a.stored_s, a.calc_s, list) +
		    compare("rollup_survey_items", a.stored_i, a.calc_i, list);
	json_decref(a.stored_s);
	json_decref(a.stored_i);
	json_decref(a.calc_s);
	json_decref(a.calc_i);
	if (rc != DB_OK) {
		json_decref(list);
		if (diffs)
			*diffs = NULL;
		return rc;
	}
	if (diffs)
		*diffs = list;
	return n;
}
