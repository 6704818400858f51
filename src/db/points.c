#include "db/points.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalogue.h"
#include "db/db.h"
#include "lib/xalloc.h"

/* A unit outside the programme (Bangkok's khet by default) keeps its point
 * row if it had one (a profile someone filled in is not thrown away when the
 * setting changes), but no query here shows it or lets it be edited. */

/* ---- reading ---- */

struct q {
	const char *code;
	json_t *out;
	bool found;
};

static int provinces_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	json_decref(q->out);
	q->out = db_query_json(
	    c,
	    "SELECT pr.code, pr.name_th, pr.name_en, pr.region_th, COUNT(*) AS points, "
	    "SUM(CASE WHEN p.status = 'open' THEN 1 ELSE 0 END) AS open "
	    "FROM points p JOIN units d ON d.code = p.unit_code JOIN units pr ON pr.code = d.parent_code "
	    "WHERE d.level = 2 AND d.in_programme = 1 "
	    "GROUP BY pr.code, pr.name_th, pr.name_en, pr.region_th ORDER BY pr.code",
	    "");
	return q->out ? DB_OK : DB_ERROR;
}

json_t *db_point_provinces(struct db *db)
{
	struct q q = {NULL, NULL, false};
	if (db_read(db, provinces_fn, &q) != DB_OK) {
		json_decref(q.out);
		return NULL;
	}
	return q.out;
}

#define POINT_SQL                                                                                            \
	"SELECT p.unit_code, d.name_th AS district_th, d.name_en AS district_en, d.parent_code AS "          \
	"province_code, pr.name_th AS province_th, p.name_th, p.address, p.lat, p.lon, p.hours, p.phone, "   \
	"p.opened_on, p.status, p.updated_at, p.version "                                                    \
	"FROM points p JOIN units d ON d.code = p.unit_code JOIN units pr ON pr.code = d.parent_code "       \
	"WHERE d.level = 2 AND d.in_programme = 1"

static int points_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	json_decref(q->out);
	if (q->code && *q->code)
		q->out =
		    db_query_json(c, POINT_SQL " AND d.parent_code = ? ORDER BY p.unit_code", "t", q->code);
	else
		q->out = db_query_json(c, POINT_SQL " ORDER BY p.unit_code", "");
	return q->out ? DB_OK : DB_ERROR;
}

json_t *db_points(struct db *db, const char *province_code)
{
	struct q q = {province_code, NULL, false};
	if (db_read(db, points_fn, &q) != DB_OK) {
		json_decref(q.out);
		return NULL;
	}
	return q.out;
}

static int point_get_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	json_decref(q->out);
	q->out = NULL;
	q->found = false;
	int rc;
	json_t *row = db_query_row(c, &rc, POINT_SQL " AND p.unit_code = ?", "t", q->code);
	if (!row)
		return rc;
	q->found = true;
	/* Newest first in the order the changes were saved (since may be
	 * back-dated, so it does not order them). */
	json_t *history = db_query_json(c,
	                                "SELECT h.status, h.since, h.note, h.at, "
	                                "COALESCE(u.display_name, '') AS user_name "
	                                "FROM point_status_history h LEFT JOIN users u ON u.id = h.user_id "
	                                "WHERE h.unit_code = ? ORDER BY h.id DESC",
	                                "t", q->code);
	if (!history) {
		json_decref(row);
		return DB_ERROR;
	}
	json_object_set_new(row, "history", history);
	json_t *scheduled =
	    db_query_json(c,
	                  "SELECT s.since, s.status, s.note, s.at, "
	                  "COALESCE(u.display_name, '') AS user_name "
	                  "FROM point_status_scheduled s LEFT JOIN users u ON u.id = s.user_id "
	                  "WHERE s.unit_code = ? ORDER BY s.since",
	                  "t", q->code);
	if (!scheduled) {
		json_decref(row);
		return DB_ERROR;
	}
	json_object_set_new(row, "scheduled", scheduled);
	q->out = row;
	return DB_OK;
}

json_t *db_point_get(struct db *db, const char *unit_code, bool *found)
{
	struct q q = {unit_code, NULL, false};
	int rc = db_read(db, point_get_fn, &q);
	if (rc != DB_OK) {
		json_decref(q.out);
		q.out = NULL;
	}
	/* An error is reported as found, so the caller answers "unavailable"
	 * rather than "no such point". */
	if (found)
		*found = rc == DB_OK || rc < 0;
	return q.out;
}

/* ---- saving a profile ---- */

enum { P_NAME_TH, P_ADDRESS, P_LAT, P_LON, P_HOURS, P_PHONE, P_OPENED_ON, P_STATUS, NPFIELDS };

static const char *const pfield_names[NPFIELDS] = {"name_th", "address", "lat",       "lon",
                                                   "hours",   "phone",   "opened_on", "status"};

struct update {
	const char *unit;
	const struct point_profile *p;
	int64_t expected;
	const char *today;
	int64_t user_id, now;
	const char *const *cancel;
};

static void bind_user(struct db_stmt *st, int idx, int64_t user_id)
{
	if (user_id)
		db_bind_int(st, idx, user_id);
	else
		db_bind_null(st, idx);
}

/* The announced change of p (p->scheduled): stored unless the same one is
 * there already. Records [before, after] in changed["scheduled"]. */
static int schedule_save(struct dbc *c, const struct update *a, json_t *changed)
{
	const struct point_profile *p = a->p;
	struct db_stmt *st = db_prepare(c, "SELECT status, note FROM point_status_scheduled "
	                                   "WHERE unit_code = ? AND since = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->unit);
	db_bind_text(st, 2, p->status_since);
	int rc = db_step(st);
	bool same = rc == DB_ROW && !strcmp(db_col_text(st, 0), p->status) &&
	            !strcmp(db_col_text(st, 1), p->status_note);
	json_t *before =
	    rc == DB_ROW ? json_pack("{s:s, s:s}", "status", db_col_text(st, 0), "note", db_col_text(st, 1))
	                 : json_null();
	db_finish(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		json_decref(before);
		return rc;
	}
	if (same) {
		json_decref(before);
		return DB_OK;
	}
	json_object_set_new(changed, "scheduled",
	                    json_pack("[o, {s:s, s:s, s:s}]", before, "since", p->status_since, "status",
	                              p->status, "note", p->status_note));
	st = db_prepare(c, "INSERT INTO point_status_scheduled (unit_code, since, status, note, at, user_id) "
	                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_code, since) DO UPDATE SET "
	                   "status = excluded.status, note = excluded.note, at = excluded.at, "
	                   "user_id = excluded.user_id");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->unit);
	db_bind_text(st, 2, p->status_since);
	db_bind_text(st, 3, p->status);
	db_bind_text(st, 4, p->status_note);
	db_bind_int(st, 5, a->now);
	bind_user(st, 6, a->user_id);
	rc = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Drops the announced changes of the days in a->cancel (unknown days are
 * ignored). Records the days dropped in changed["cancelled"]. */
static int schedule_cancel(struct dbc *c, const struct update *a, json_t *changed)
{
	json_t *gone = json_array();
	int rc = DB_OK;
	for (size_t i = 0; a->cancel && a->cancel[i] && rc == DB_OK; i++) {
		struct db_stmt *st =
		    db_prepare(c, "DELETE FROM point_status_scheduled WHERE unit_code = ? AND since = ?");
		if (!st) {
			rc = DB_ERROR;
			break;
		}
		db_bind_text(st, 1, a->unit);
		db_bind_text(st, 2, a->cancel[i]);
		rc = db_step(st);
		if (rc == DB_DONE) {
			if (db_changes(st) > 0)
				json_array_append_new(gone, json_string(a->cancel[i]));
			rc = DB_OK;
		}
		db_finish(st);
	}
	if (json_array_size(gone))
		json_object_set_new(changed, "cancelled", gone);
	else
		json_decref(gone);
	return rc;
}

static int update_fn(struct dbc *c, void *arg)
{
	struct update *a = arg;
	const struct point_profile *p = a->p;
	const char *want[NPFIELDS] = {p->name_th, p->address, p->lat,       p->lon,
	                              p->hours,   p->phone,   p->opened_on, p->status};
	char kept_status[32] = "";
	struct db_stmt *st = db_prepare(c, "SELECT p.name_th, p.address, p.lat, p.lon, p.hours, p.phone, "
	                                   "p.opened_on, p.status, p.version FROM points p "
	                                   "JOIN units d ON d.code = p.unit_code "
	                                   "WHERE p.unit_code = ? AND d.level = 2 AND d.in_programme = 1");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->unit);
	int rc = db_step(st);
	json_t *changed = json_object();
	int64_t version = 0;
	bool status_changed = false;
	if (rc == DB_ROW) {
		/* An announced change leaves the status as it is until its day. */
		if (p->scheduled) {
			snprintf(kept_status, sizeof kept_status, "%s", db_col_text(st, P_STATUS));
			want[P_STATUS] = kept_status;
		}
		for (int i = 0; i < NPFIELDS; i++) {
			const char *had = db_col_text(st, i);
			if (strcmp(had, want[i]) != 0)
				json_object_set_new(changed, pfield_names[i],
				                    json_pack("[s, s]", had, want[i]));
		}
		status_changed = strcmp(db_col_text(st, P_STATUS), want[P_STATUS]) != 0;
		version = db_col_int(st, NPFIELDS);
	}
	db_finish(st);
	if (rc != DB_ROW) {
		rc = rc == DB_DONE ? DB_NOT_FOUND : rc;
		goto out;
	}
	if (a->expected && version != a->expected) {
		rc = DB_CONFLICT;
		goto out;
	}
	rc = DB_OK;
	bool fields_changed = json_object_size(changed) > 0;
	if (p->scheduled)
		rc = schedule_save(c, a, changed);
	if (rc == DB_OK)
		rc = schedule_cancel(c, a, changed);
	if (rc != DB_OK || json_object_size(changed) == 0)
		goto out; /* nothing to save: nothing written */
	if (!fields_changed)
		goto audit; /* only the announcements changed */

	st = db_prepare(c, "UPDATE points SET name_th = ?, address = ?, lat = ?, lon = ?, hours = ?, "
	                   "phone = ?, opened_on = ?, status = ?, version = version + 1, updated_at = ?, "
	                   "updated_by = ? WHERE unit_code = ? AND version = ?");
	if (!st) {
		rc = DB_ERROR;
		goto out;
	}
	for (int i = 0; i < NPFIELDS; i++)
		db_bind_text(st, i + 1, want[i]);
	db_bind_int(st, NPFIELDS + 1, a->now);
	if (a->user_id)
		db_bind_int(st, NPFIELDS + 2, a->user_id);
	else
		db_bind_null(st, NPFIELDS + 2);
	db_bind_text(st, NPFIELDS + 3, a->unit);
	db_bind_int(st, NPFIELDS + 4, version);
	rc = db_step(st);
	if (rc == DB_DONE)
		rc = db_changes(st) == 1 ? DB_OK : DB_CONFLICT;
	db_finish(st);

	if (rc == DB_OK && status_changed) {
		const char *since = p->status_since[0] ? p->status_since : a->today ? a->today : "";
		st = db_prepare(
		    c, "INSERT INTO point_status_history (unit_code, status, since, note, at, user_id) "
		       "VALUES (?, ?, ?, ?, ?, ?)");
		if (!st) {
			rc = DB_ERROR;
			goto out;
		}
		db_bind_text(st, 1, a->unit);
		db_bind_text(st, 2, p->status);
		db_bind_text(st, 3, since);
		db_bind_text(st, 4, p->status_note);
		db_bind_int(st, 5, a->now);
		if (a->user_id)
			db_bind_int(st, 6, a->user_id);
		else
			db_bind_null(st, 6);
		rc = db_step(st);
		db_finish(st);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
audit:
	if (rc == DB_OK) {
		json_t *d =
		    json_pack("{s:I, s:O}", "version", (json_int_t)(fields_changed ? version + 1 : version),
		              "changed", changed);
		char *detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(d);
		rc = db_audit_row(c, a->now, a->user_id, "point.edit", a->unit, detail);
		free(detail);
	}
	if (rc == DB_OK)
		rc = db_portal_bump(c);
out:
	json_decref(changed);
	return rc;
}

int db_point_update(struct db *db, const char *unit_code, const struct point_profile *p,
                    int64_t expected_version, const char *today, int64_t user_id, int64_t now,
                    const char *const *cancel)
{
	struct update a = {unit_code, p, expected_version, today, user_id, now, cancel};
	return db_tx(db, update_fn, &a);
}

/* ---- announced status changes ---- */

struct due {
	char unit[16], since[THAI_DAY_TEXT], status[32];
	char *note;
	int64_t user_id;
};

static int due_cmp(const void *a, const void *b)
{
	const struct due *x = a, *y = b;
	int d = strcmp(x->unit, y->unit);
	return d ? d : strcmp(x->since, y->since);
}

struct apply {
	const char *today;
	int64_t now;
	int applied;
};

static int apply_fn(struct dbc *c, void *arg)
{
	struct apply *a = arg;
	a->applied = 0;
	/* Claimed by deleting them: of two nodes applying at once, the second
	 * finds nothing left (it waits for the first's commit). */
	struct db_stmt *st = db_prepare(c, "DELETE FROM point_status_scheduled WHERE since <= ? "
	                                   "RETURNING unit_code, since, status, note, user_id");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, a->today);
	struct due *d = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			d = xrealloc(d, cap * sizeof *d);
		}
		snprintf(d[n].unit, sizeof d[n].unit, "%s", db_col_text(st, 0));
		snprintf(d[n].since, sizeof d[n].since, "%s", db_col_text(st, 1));
		snprintf(d[n].status, sizeof d[n].status, "%s", db_col_text(st, 2));
		d[n].note = xstrdup(db_col_text(st, 3));
		d[n].user_id = db_col_null(st, 4) ? 0 : db_col_int(st, 4);
		n++;
	}
	db_finish(st);
	if (rc != DB_DONE)
		goto out;
	rc = DB_OK;
	if (n)
		qsort(d, n, sizeof *d, due_cmp); /* a point's changes in the order of their days */
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		/* Only points still in the programme change (as every query here). */
		st = db_prepare(c, "UPDATE points SET status = ?, version = version + 1, updated_at = ? "
		                   "WHERE unit_code = ? AND status <> ? AND unit_code IN "
		                   "(SELECT code FROM units WHERE level = 2 AND in_programme = 1)");
		if (!st) {
			rc = DB_ERROR;
			break;
		}
		db_bind_text(st, 1, d[i].status);
		db_bind_int(st, 2, a->now);
		db_bind_text(st, 3, d[i].unit);
		db_bind_text(st, 4, d[i].status);
		rc = db_step(st);
		bool changed = rc == DB_DONE && db_changes(st) == 1;
		db_finish(st);
		if (rc != DB_DONE)
			break;
		rc = DB_OK;
		if (!changed)
			continue; /* already that status: nothing to record */
		st = db_prepare(
		    c, "INSERT INTO point_status_history (unit_code, status, since, note, at, user_id) "
		       "VALUES (?, ?, ?, ?, ?, ?)");
		if (!st) {
			rc = DB_ERROR;
			break;
		}
		db_bind_text(st, 1, d[i].unit);
		db_bind_text(st, 2, d[i].status);
		db_bind_text(st, 3, d[i].since);
		db_bind_text(st, 4, d[i].note);
		db_bind_int(st, 5, a->now);
		bind_user(st, 6, d[i].user_id);
		rc = db_step(st);
		db_finish(st);
		if (rc != DB_DONE)
			break;
		json_t *detail = json_pack("{s:s, s:s}", "since", d[i].since, "status", d[i].status);
		char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(detail);
		rc = db_audit_row(c, a->now, 0, "point.scheduled_applied", d[i].unit, text);
		free(text);
		a->applied++;
	}
	if (rc == DB_OK && n)
		rc = db_portal_bump(c);
out:
	for (size_t i = 0; i < n; i++)
		free(d[i].note);
	free(d);
	return rc;
}

int db_points_apply_scheduled(struct db *db, const char *today, int64_t now, int *applied)
{
	struct apply a = {today, now, 0};
	int rc = db_tx(db, apply_fn, &a);
	if (applied)
		*applied = rc == DB_OK ? a.applied : 0;
	return rc;
}

static int next_fn(struct dbc *c, void *arg)
{
	char *out = arg;
	out[0] = '\0';
	struct db_stmt *st = db_prepare(c, "SELECT MIN(since) FROM point_status_scheduled");
	if (!st)
		return DB_ERROR;
	int rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0))
		snprintf(out, THAI_DAY_TEXT, "%s", db_col_text(st, 0));
	db_finish(st);
	return rc == DB_ROW ? DB_OK : rc;
}

int db_point_next_scheduled(struct db *db, char out[THAI_DAY_TEXT])
{
	return db_read(db, next_fn, out);
}
