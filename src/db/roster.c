/* The duty roster's queries (roster.h). */
#include "db/roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/catalogue.h"
#include "db/db.h"
#include "lib/thai.h"
#include "lib/xalloc.h"

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

static void bind_id(struct db_stmt *st, int idx, int64_t id)
{
	if (id > 0)
		db_bind_int(st, idx, id);
	else
		db_bind_null(st, idx);
}

static int history(struct dbc *c, const char *unit, const char *day, const char *shift, const char *action,
                   int64_t person, int64_t other, const char *detail, int64_t actor)
{
	struct db_stmt *st =
	    db_prepare(c, "INSERT INTO roster_history (unit_code, day, shift, action, person_id, "
	                  "other_person_id, detail, at, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, day ? day : "");
	db_bind_text(st, 3, shift ? shift : "");
	db_bind_text(st, 4, action);
	bind_id(st, 5, person);
	bind_id(st, 6, other);
	db_bind_text(st, 7, detail ? detail : "");
	db_bind_int(st, 8, now());
	bind_id(st, 9, actor);
	int rc = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Whether person id is on unit's roster: DB_OK or DB_NOT_FOUND. */
static int person_of(struct dbc *c, const char *unit, int64_t id)
{
	int64_t n = 0;
	int rc = db_query_int(c, &n, "SELECT COUNT(*) AS n FROM roster_people WHERE id = ? AND unit_code = ?",
	                      "it", id, unit);
	if (rc < 0)
		return rc;
	return n > 0 ? DB_OK : DB_NOT_FOUND;
}

/* ---- the month ---- */

struct month_q {
	const char *unit, *first, *last;
	json_t *out;
};

static int month_fn(struct dbc *c, void *arg)
{
	struct month_q *q = arg;
	json_decref(q->out);
	q->out = NULL;
	json_t *people =
	    db_query_json(c,
	                  "SELECT id, user_id, name_th, position_th, phone, active FROM roster_people "
	                  "WHERE unit_code = ? ORDER BY active DESC, name_th, id",
	                  "t", q->unit);
	json_t *pattern =
	    db_query_json(c,
	                  "SELECT weekday, shift, person_id FROM roster_pattern WHERE unit_code = ? "
	                  "ORDER BY weekday, shift, person_id",
	                  "t", q->unit);
	json_t *duties = db_query_json(
	    c,
	    "SELECT d.id, d.day, d.shift, d.person_id, d.status, d.source, d.note, d.updated_at "
	    "FROM roster_duties d JOIN roster_people p ON p.id = d.person_id "
	    "WHERE d.unit_code = ? AND d.day >= ? AND d.day <= ? "
	    "ORDER BY d.day, CASE d.shift WHEN 'morning' THEN 0 WHEN 'full' THEN 1 ELSE 2 END, "
	    "p.name_th, d.id",
	    "ttt", q->unit, q->first, q->last);
	json_t *holidays = db_query_json(
	    c, "SELECT day, name_th FROM public_holidays WHERE day >= ? AND day <= ? ORDER BY day", "tt",
	    q->first, q->last);
	int rc;
	json_t *times =
	    db_query_row(c, &rc,
	                 "SELECT morning_start, morning_end, afternoon_start, afternoon_end, full_start, "
	                 "full_end FROM roster_settings WHERE unit_code = ?",
	                 "t", q->unit);
	if (!people || !pattern || !duties || !holidays || rc < 0) {
		json_decref(people);
		json_decref(pattern);
		json_decref(duties);
		json_decref(holidays);
		json_decref(times);
		return DB_ERROR;
	}
	json_t *t = json_object();
	for (int s = 0; s < ROSTER_NSHIFTS; s++) {
		char k0[32], k1[32];
		snprintf(k0, sizeof k0, "%s_start", roster_shift_name(s));
		snprintf(k1, sizeof k1, "%s_end", roster_shift_name(s));
		const char *a = times ? json_string_value(json_object_get(times, k0)) : NULL;
		const char *b = times ? json_string_value(json_object_get(times, k1)) : NULL;
		json_object_set_new(t, roster_shift_name(s),
		                    json_pack("[ss]", a ? a : roster_default_times[s][0],
		                              b ? b : roster_default_times[s][1]));
	}
	json_decref(times);
	q->out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "people", people, "pattern", pattern, "duties",
	                   duties, "times", t, "holidays", holidays);
	return DB_OK;
}

json_t *db_roster_month(struct db *db, const char *unit, const char *first, const char *last)
{
	struct month_q q = {unit, first, last, NULL};
	if (db_read(db, month_fn, &q) != DB_OK) {
		json_decref(q.out);
		return NULL;
	}
	return q.out;
}

/* ---- people ---- */

struct person_op {
	const char *unit;
	int64_t user_id, id, actor;
	const char *name, *position, *phone;
	int active;
};

static int person_add_fn(struct dbc *c, void *arg)
{
	struct person_op *o = arg;
	const char *name = o->name;
	json_t *u = NULL;
	if (o->user_id > 0) {
		int rc;
		u = db_query_row(c, &rc,
		                 "SELECT display_name, username FROM users WHERE id = ? AND unit_code = ?",
		                 "it", o->user_id, o->unit);
		if (!u)
			return rc < 0 ? rc : DB_NOT_FOUND;
		int64_t n = 0;
		rc = db_query_int(
		    c, &n, "SELECT COUNT(*) AS n FROM roster_people WHERE unit_code = ? AND user_id = ?",
		    "ti", o->unit, o->user_id);
		if (rc < 0 || n > 0) {
			json_decref(u);
			return rc < 0 ? rc : DB_CONSTRAINT;
		}
		if (!name || !*name) {
			name = json_string_value(json_object_get(u, "display_name"));
			if (!name || !*name)
				name = json_string_value(json_object_get(u, "username"));
		}
	}
	int rc = db_insert_id(
	    c, &o->id,
	    "INSERT INTO roster_people (unit_code, user_id, name_th, position_th, phone, created_at, "
	    "created_by) VALUES (?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0))",
	    "titttii", o->unit, o->user_id > 0 ? o->user_id : (int64_t)0, name ? name : "",
	    o->position ? o->position : "", o->phone ? o->phone : "", now(), o->actor);
	json_decref(u);
	if (rc != DB_OK)
		return rc;
	return history(c, o->unit, NULL, NULL, "person_add", o->id, 0, NULL, o->actor);
}

int db_roster_person_add(struct db *db, const char *unit, int64_t user_id, const char *name,
                         const char *position, const char *phone, int64_t actor, int64_t *id)
{
	struct person_op o = {unit, user_id, 0, actor, name, position, phone, 1};
	int rc = db_write(db, person_add_fn, &o);
	if (rc == DB_OK)
		*id = o.id;
	return rc;
}

static int person_update_fn(struct dbc *c, void *arg)
{
	struct person_op *o = arg;
	int rc = person_of(c, o->unit, o->id);
	if (rc != DB_OK)
		return rc;
	rc = db_exec(c,
	             "UPDATE roster_people SET name_th = COALESCE(?, name_th), position_th = COALESCE(?, "
	             "position_th), "
	             "phone = COALESCE(?, phone), active = CASE WHEN CAST(? AS BIGINT) < 0 THEN active ELSE "
	             "CAST(? AS BIGINT) END WHERE id = ? AND unit_code = ?",
	             "tttiiit", o->name, o->position, o->phone, (int64_t)o->active, (int64_t)o->active, o->id,
	             o->unit);
	if (rc != DB_OK)
		return rc;
	return history(c, o->unit, NULL, NULL, o->active == 0 ? "person_inactive" : "person_update", o->id, 0,
	               NULL, o->actor);
}

int db_roster_person_update(struct db *db, const char *unit, int64_t id, const char *name,
                            const char *position, const char *phone, int active, int64_t actor)
{
	struct person_op o = {unit, 0, id, actor, name, position, phone, active};
	return db_write(db, person_update_fn, &o);
}

/* ---- the pattern and generation ---- */

struct pattern_op {
	const char *unit;
	const struct roster_pattern_line *lines;
	size_t n;
	int64_t actor;
	int y, m, added;
};

static int pattern_fn(struct dbc *c, void *arg)
{
	struct pattern_op *o = arg;
	for (size_t i = 0; i < o->n; i++) {
		int rc = person_of(c, o->unit, o->lines[i].person);
		if (rc != DB_OK)
			return rc;
	}
	int rc = db_exec(c, "DELETE FROM roster_pattern WHERE unit_code = ?", "t", o->unit);
	for (size_t i = 0; rc == DB_OK && i < o->n; i++)
		rc = db_exec(
		    c,
		    "INSERT INTO roster_pattern (unit_code, weekday, shift, person_id) VALUES (?, ?, ?, ?) "
		    "ON CONFLICT DO NOTHING",
		    "titi", o->unit, (int64_t)o->lines[i].weekday, roster_shift_name(o->lines[i].shift),
		    o->lines[i].person);
	if (rc != DB_OK)
		return rc;
	char detail[64];
	snprintf(detail, sizeof detail, "%zu", o->n);
	return history(c, o->unit, NULL, NULL, "pattern", 0, 0, detail, o->actor);
}

int db_roster_pattern_set(struct db *db, const char *unit, const struct roster_pattern_line *lines, size_t n,
                          int64_t actor)
{
	struct pattern_op o = {unit, lines, n, actor, 0, 0, 0};
	return db_write(db, pattern_fn, &o);
}

/* The strings of column col of rows (borrowed from rows). */
static const char **column(json_t *rows, const char *col, size_t *n)
{
	*n = json_array_size(rows);
	const char **v = xcalloc(*n + 1, sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = json_string_value(json_object_get(json_array_get(rows, i), col));
	return v;
}

static int generate_fn(struct dbc *c, void *arg)
{
	struct pattern_op *o = arg;
	o->added = 0;
	char first[THAI_ISO_DAY_SIZE], last[THAI_ISO_DAY_SIZE];
	if (thai_day_iso((struct civil_day){o->y, o->m, 1}, first) ||
	    thai_day_iso((struct civil_day){o->y, o->m, thai_month_days(o->y, o->m)}, last))
		return DB_ERROR;
	json_t *pat = db_query_json(
	    c,
	    "SELECT r.weekday, r.shift, r.person_id FROM roster_pattern r JOIN roster_people p ON "
	    "p.id = r.person_id WHERE r.unit_code = ? AND p.active = 1 ORDER BY r.weekday, "
	    "r.shift, r.person_id",
	    "t", o->unit);
	json_t *hol = db_query_json(c, "SELECT day FROM public_holidays WHERE day >= ? AND day <= ?", "tt",
	                            first, last);
	json_t *taken = db_query_json(
	    c, "SELECT DISTINCT day FROM roster_duties WHERE unit_code = ? AND day >= ? AND day <= ?", "ttt",
	    o->unit, first, last);
	int rc = DB_ERROR;
	if (!pat || !hol || !taken)
		goto out;
	size_t np = json_array_size(pat), nh, nt;
	struct roster_pattern_line *lines = xcalloc(np + 1, sizeof *lines);
	for (size_t i = 0; i < np; i++) {
		json_t *r = json_array_get(pat, i);
		lines[i].weekday = (int)json_integer_value(json_object_get(r, "weekday"));
		lines[i].shift = roster_shift_parse(json_string_value(json_object_get(r, "shift")));
		lines[i].person = json_integer_value(json_object_get(r, "person_id"));
	}
	const char **h = column(hol, "day", &nh), **t = column(taken, "day", &nt);
	size_t cap = 31 * (np ? np : 1);
	struct roster_slot *slots = xcalloc(cap, sizeof *slots);
	int n = roster_generate(o->y, o->m, lines, np, h, nh, t, nt, slots, cap);
	rc = n < 0 ? DB_ERROR : DB_OK;
	int64_t ts = now();
	for (int i = 0; rc == DB_OK && i < n && (size_t)i < cap; i++) {
		rc = db_exec(
		    c,
		    "INSERT INTO roster_duties (unit_code, day, shift, person_id, status, source, "
		    "updated_at, "
		    "updated_by) VALUES (?, ?, ?, ?, 'on', 'pattern', ?, NULLIF(CAST(? AS BIGINT), 0)) "
		    "ON CONFLICT DO NOTHING",
		    "tttiii", o->unit, slots[i].day, roster_shift_name(slots[i].shift), slots[i].person, ts,
		    o->actor);
		o->added++;
	}
	if (rc == DB_OK && o->added)
		rc = db_portal_bump(c);
	if (rc == DB_OK) {
		char detail[64];
		snprintf(detail, sizeof detail, "%04d-%02d %d", o->y, o->m, o->added);
		rc = history(c, o->unit, NULL, NULL, "generate", 0, 0, detail, o->actor);
	}
	free(slots);
	free(h);
	free(t);
	free(lines);
out:
	json_decref(pat);
	json_decref(hol);
	json_decref(taken);
	return rc;
}

int db_roster_generate(struct db *db, const char *unit, int y, int m, int64_t actor, int *added)
{
	struct pattern_op o = {unit, NULL, 0, actor, y, m, 0};
	int rc = db_tx(db, generate_fn, &o);
	if (rc == DB_OK)
		*added = o.added;
	return rc;
}

/* ---- duties ---- */

struct duty_op {
	const char *unit, *day, *note;
	enum roster_shift shift;
	int64_t person, other, id, actor;
	enum roster_change what;
};

static int duty_add_fn(struct dbc *c, void *arg)
{
	struct duty_op *o = arg;
	int rc = person_of(c, o->unit, o->person);
	if (rc != DB_OK)
		return rc;
	int64_t n = 0;
	rc = db_query_int(
	    c, &n,
	    "SELECT COUNT(*) AS n FROM roster_duties WHERE unit_code = ? AND day = ? AND shift = ? AND "
	    "person_id = ?",
	    "ttti", o->unit, o->day, roster_shift_name(o->shift), o->person);
	if (rc < 0 || n > 0)
		return rc < 0 ? rc : DB_CONSTRAINT;
	rc = db_insert_id(
	    c, &o->id,
	    "INSERT INTO roster_duties (unit_code, day, shift, person_id, status, source, note, updated_at, "
	    "updated_by) VALUES (?, ?, ?, ?, 'on', 'manual', ?, ?, NULLIF(CAST(? AS BIGINT), 0))",
	    "tttitii", o->unit, o->day, roster_shift_name(o->shift), o->person, o->note ? o->note : "", now(),
	    o->actor);
	if (rc == DB_OK)
		rc = db_portal_bump(c); /* the public point page shows today's duty */
	if (rc != DB_OK)
		return rc;
	return history(c, o->unit, o->day, roster_shift_name(o->shift), "add", o->person, 0, o->note,
	               o->actor);
}

int db_roster_duty_add(struct db *db, const char *unit, const char *day, enum roster_shift shift,
                       int64_t person, const char *note, int64_t actor, int64_t *id)
{
	struct duty_op o = {unit, day, note, shift, person, 0, 0, actor, 0};
	int rc = db_write(db, duty_add_fn, &o);
	if (rc == DB_OK)
		*id = o.id;
	return rc;
}

static int duty_change_fn(struct dbc *c, void *arg)
{
	struct duty_op *o = arg;
	int rc;
	json_t *d = db_query_row(
	    c, &rc, "SELECT day, shift, person_id, status FROM roster_duties WHERE id = ? AND unit_code = ?",
	    "it", o->id, o->unit);
	if (!d)
		return rc < 0 ? rc : DB_NOT_FOUND;
	char day[THAI_ISO_DAY_SIZE], shift[16];
	snprintf(day, sizeof day, "%s", json_string_value(json_object_get(d, "day")));
	snprintf(shift, sizeof shift, "%s", json_string_value(json_object_get(d, "shift")));
	int64_t person = json_integer_value(json_object_get(d, "person_id"));
	json_decref(d);
	const char *action = "remove";
	int64_t ts = now();
	switch (o->what) {
	case ROSTER_REMOVE: rc = db_exec(c, "DELETE FROM roster_duties WHERE id = ?", "i", o->id); break;
	case ROSTER_LEAVE:
	case ROSTER_RESTORE:
		action = o->what == ROSTER_LEAVE ? "leave" : "restore";
		rc = db_exec(c,
		             "UPDATE roster_duties SET status = ?, note = ?, updated_at = ?, updated_by = "
		             "NULLIF(CAST(? AS "
		             "BIGINT), 0) WHERE id = ?",
		             "ttiii", o->what == ROSTER_LEAVE ? "leave" : "on", o->note ? o->note : "", ts,
		             o->actor, o->id);
		break;
	case ROSTER_SWAP: {
		action = "swap";
		rc = person_of(c, o->unit, o->other);
		if (rc != DB_OK)
			return rc;
		int64_t n = 0;
		rc = db_query_int(c, &n,
		                  "SELECT COUNT(*) AS n FROM roster_duties WHERE unit_code = ? AND day = ? "
		                  "AND shift = ? AND "
		                  "person_id = ?",
		                  "ttti", o->unit, day, shift, o->other);
		if (rc < 0 || n > 0)
			return rc < 0 ? rc : DB_CONSTRAINT;
		rc = db_exec(
		    c,
		    "UPDATE roster_duties SET person_id = ?, status = 'on', source = 'manual', note = ?, "
		    "updated_at = ?, updated_by = NULLIF(CAST(? AS BIGINT), 0) WHERE id = ?",
		    "itiii", o->other, o->note ? o->note : "", ts, o->actor, o->id);
		break;
	}
	}
	if (rc == DB_OK)
		rc = db_portal_bump(c); /* the public point page shows today's duty */
	if (rc != DB_OK)
		return rc;
	return history(c, o->unit, day, shift, action, person, o->what == ROSTER_SWAP ? o->other : 0, o->note,
	               o->actor);
}

int db_roster_duty_change(struct db *db, const char *unit, int64_t id, enum roster_change what, int64_t other,
                          const char *note, int64_t actor)
{
	struct duty_op o = {unit, NULL, note, 0, 0, other, id, actor, what};
	return db_write(db, duty_change_fn, &o);
}

/* ---- reading: history, a day, staffed days ---- */

struct read_q {
	const char *unit, *a, *b;
	int64_t user;
	json_t *out;
	int64_t n1, n2;
};

static int history_fn(struct dbc *c, void *arg)
{
	struct read_q *q = arg;
	json_decref(q->out);
	q->out = db_query_json(
	    c,
	    "SELECT h.at, h.action, h.day, h.shift, h.detail, p.name_th AS person, o.name_th AS "
	    "other_person, u.display_name AS user_name, u.username AS username FROM roster_history h "
	    "LEFT JOIN roster_people p ON p.id = h.person_id LEFT JOIN roster_people o ON o.id = "
	    "h.other_person_id LEFT JOIN users u ON u.id = h.user_id WHERE h.unit_code = ? AND "
	    "((h.day >= ? AND h.day <= ?) OR h.day = '') ORDER BY h.at DESC, h.id DESC",
	    "ttt", q->unit, q->a, q->b);
	return q->out ? DB_OK : DB_ERROR;
}

json_t *db_roster_history(struct db *db, const char *unit, const char *first, const char *last)
{
	struct read_q q = {unit, first, last, 0, NULL, 0, 0};
	if (db_read(db, history_fn, &q) != DB_OK) {
		json_decref(q.out);
		return NULL;
	}
	return q.out;
}

static int day_fn(struct dbc *c, void *arg)
{
	struct read_q *q = arg;
	json_decref(q->out);
	q->out = db_query_json(
	    c,
	    "SELECT d.shift, p.name_th, p.position_th, p.phone, p.user_id FROM roster_duties d JOIN "
	    "roster_people p ON p.id = d.person_id WHERE d.unit_code = ? AND d.day = ? AND "
	    "d.status = 'on' ORDER BY CASE d.shift WHEN 'morning' THEN 0 WHEN 'full' THEN 1 ELSE 2 "
	    "END, p.name_th",
	    "tt", q->unit, q->a);
	return q->out ? DB_OK : DB_ERROR;
}

json_t *db_roster_day(struct db *db, const char *unit, const char *day)
{
	struct read_q q = {unit, day, NULL, 0, NULL, 0, 0};
	if (db_read(db, day_fn, &q) != DB_OK) {
		json_decref(q.out);
		return NULL;
	}
	return q.out;
}

static int on_duty_fn(struct dbc *c, void *arg)
{
	struct read_q *q = arg;
	int rc = db_query_int(
	    c, &q->n1,
	    "SELECT COUNT(*) AS n FROM roster_duties d JOIN roster_people p ON p.id = d.person_id "
	    "WHERE d.unit_code = ? AND d.day = ? AND d.status = 'on' AND p.user_id = ?",
	    "tti", q->unit, q->a, q->user);
	if (rc < 0)
		return rc;
	rc = db_query_int(c, &q->n2,
	                  "SELECT COUNT(*) AS n FROM roster_people WHERE unit_code = ? AND active = 1", "t",
	                  q->unit);
	return rc < 0 ? rc : DB_OK;
}

int db_roster_user_on_duty(struct db *db, const char *unit, const char *day, int64_t user_id, bool *on,
                           bool *in_use)
{
	struct read_q q = {unit, day, NULL, user_id, NULL, 0, 0};
	int rc = db_read(db, on_duty_fn, &q);
	if (rc == DB_OK) {
		*on = q.n1 > 0;
		*in_use = q.n2 > 0;
	}
	return rc;
}

static int staffed_fn(struct dbc *c, void *arg)
{
	struct read_q *q = arg;
	q->n1 = 0;
	/* A district "4701", a province "47" (its districts' codes start with
	 * it), or the nation "0" (every district). */
	size_t l = strlen(q->unit);
	char prefix[8];
	snprintf(prefix, sizeof prefix, "%s%%", l == 4 || l == 2 ? q->unit : "");
	int rc =
	    db_query_int(c, &q->n1,
	                 "SELECT COUNT(*) AS n FROM (SELECT DISTINCT unit_code, day FROM roster_duties WHERE "
	                 "status = 'on' AND day >= ? AND day <= ? AND unit_code LIKE ?) s",
	                 "ttt", q->a, q->b, prefix);
	return rc < 0 ? rc : DB_OK;
}

int db_roster_staffed_days(struct db *db, const char *unit, const char *first_day, const char *last_day,
                           int *days)
{
	if (!unit || !(strlen(unit) == 4 || strlen(unit) == 2 || !strcmp(unit, "0")))
		return DB_ERROR;
	struct read_q q = {unit, first_day, last_day, 0, NULL, 0, 0};
	int rc = db_read(db, staffed_fn, &q);
	if (rc == DB_OK)
		*days = (int)q.n1;
	return rc;
}

static int staffed_under_fn(struct dbc *c, void *arg)
{
	struct read_q *q = arg;
	json_object_clear(q->out);
	char prefix[8];
	snprintf(prefix, sizeof prefix, "%s%%", q->unit);
	struct db_stmt *st =
	    db_prepare(c, "SELECT unit_code, COUNT(DISTINCT day) FROM roster_duties WHERE status = 'on' AND "
	                  "day >= ? AND day <= ? AND unit_code LIKE ? GROUP BY unit_code");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, q->a);
	db_bind_text(st, 2, q->b);
	db_bind_text(st, 3, prefix);
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_object_set_new(q->out, db_col_text(st, 0), json_integer(db_col_int(st, 1)));
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int db_roster_staffed_days_under(struct db *db, const char *under, const char *first_day,
                                 const char *last_day, json_t **out)
{
	*out = NULL;
	if (!under || strlen(under) != 2)
		return DB_ERROR;
	struct read_q q = {under, first_day, last_day, 0, json_object(), 0, 0};
	int rc = db_read(db, staffed_under_fn, &q);
	if (rc == DB_OK)
		*out = q.out;
	else
		json_decref(q.out);
	return rc;
}

/* ---- settings ---- */

struct times_op {
	const char *unit;
	const char *const (*t)[2];
	int64_t actor;
};

static int times_fn(struct dbc *c, void *arg)
{
	struct times_op *o = arg;
	int rc = db_exec(
	    c,
	    "INSERT INTO roster_settings (unit_code, morning_start, morning_end, afternoon_start, "
	    "afternoon_end, full_start, full_end, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "NULLIF(CAST(? AS BIGINT), 0)) ON CONFLICT (unit_code) DO UPDATE SET morning_start = "
	    "excluded.morning_start, morning_end = excluded.morning_end, afternoon_start = "
	    "excluded.afternoon_start, afternoon_end = excluded.afternoon_end, full_start = "
	    "excluded.full_start, full_end = excluded.full_end, updated_at = excluded.updated_at, "
	    "updated_by = excluded.updated_by",
	    "tttttttii", o->unit, o->t[0][0], o->t[0][1], o->t[1][0], o->t[1][1], o->t[2][0], o->t[2][1],
	    now(), o->actor);
	if (rc != DB_OK)
		return rc;
	return history(c, o->unit, NULL, NULL, "times", 0, 0, NULL, o->actor);
}

int db_roster_times_set(struct db *db, const char *unit, const char *const times[ROSTER_NSHIFTS][2],
                        int64_t actor)
{
	struct times_op o = {unit, times, actor};
	return db_write(db, times_fn, &o);
}

/* ---- public holidays ---- */

struct hol_op {
	const char *day, *name;
	const struct roster_holiday *h;
	size_t n;
	int64_t actor;
	int added, renamed, y;
	json_t *out;
};

static int holidays_fn(struct dbc *c, void *arg)
{
	struct hol_op *o = arg;
	json_decref(o->out);
	if (o->y > 0) {
		char a[32], b[32];
		snprintf(a, sizeof a, "%04d-01-01", o->y);
		snprintf(b, sizeof b, "%04d-12-31", o->y);
		o->out = db_query_json(
		    c, "SELECT day, name_th FROM public_holidays WHERE day >= ? AND day <= ? ORDER BY day",
		    "tt", a, b);
	} else {
		o->out = db_query_json(c, "SELECT day, name_th FROM public_holidays ORDER BY day", "");
	}
	return o->out ? DB_OK : DB_ERROR;
}

json_t *db_holidays_list(struct db *db, int y)
{
	struct hol_op o = {0};
	o.y = y;
	if (db_read(db, holidays_fn, &o) != DB_OK) {
		json_decref(o.out);
		return NULL;
	}
	return o.out;
}

static int put_one(struct dbc *c, const char *day, const char *name, int64_t actor, int *added, int *renamed)
{
	int rc;
	json_t *old = db_query_row(c, &rc, "SELECT name_th FROM public_holidays WHERE day = ?", "t", day);
	if (rc < 0)
		return rc;
	if (old) {
		bool same = !strcmp(json_string_value(json_object_get(old, "name_th")), name);
		json_decref(old);
		if (same)
			return DB_OK;
		(*renamed)++;
		return db_exec(c, "UPDATE public_holidays SET name_th = ? WHERE day = ?", "tt", name, day);
	}
	(*added)++;
	return db_exec(c,
	               "INSERT INTO public_holidays (day, name_th, created_by, created_at) VALUES (?, ?, "
	               "NULLIF(CAST(? AS BIGINT), 0), ?)",
	               "ttii", day, name, actor, now());
}

static int holiday_put_fn(struct dbc *c, void *arg)
{
	struct hol_op *o = arg;
	o->added = o->renamed = 0;
	if (o->h) {
		for (size_t i = 0; i < o->n; i++) {
			int rc = put_one(c, o->h[i].day, o->h[i].name, o->actor, &o->added, &o->renamed);
			if (rc != DB_OK)
				return rc;
		}
		return DB_OK;
	}
	return put_one(c, o->day, o->name, o->actor, &o->added, &o->renamed);
}

int db_holiday_put(struct db *db, const char *day, const char *name, int64_t actor)
{
	struct hol_op o = {0};
	o.day = day;
	o.name = name;
	o.actor = actor;
	return db_write(db, holiday_put_fn, &o);
}

static int holiday_delete_fn(struct dbc *c, void *arg)
{
	struct hol_op *o = arg;
	int64_t n = 0;
	int rc = db_query_int(c, &n, "SELECT COUNT(*) AS n FROM public_holidays WHERE day = ?", "t", o->day);
	if (rc < 0)
		return rc;
	if (!n)
		return DB_NOT_FOUND;
	return db_exec(c, "DELETE FROM public_holidays WHERE day = ?", "t", o->day);
}

int db_holiday_delete(struct db *db, const char *day)
{
	struct hol_op o = {0};
	o.day = day;
	return db_write(db, holiday_delete_fn, &o);
}

int db_holidays_import(struct db *db, const struct roster_holiday *h, size_t n, int64_t actor, int *added,
                       int *renamed)
{
	struct hol_op o = {0};
	o.h = h;
	o.n = n;
	o.actor = actor;
	int rc = db_tx(db, holiday_put_fn, &o);
	if (rc == DB_OK) {
		*added = o.added;
		*renamed = o.renamed;
	}
	return rc;
}
