#include "db/points.h"

#include <stdlib.h>
#include <string.h>

#include "db/catalogue.h"
#include "db/db.h"

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
};

static int update_fn(struct dbc *c, void *arg)
{
	struct update *a = arg;
	const struct point_profile *p = a->p;
	const char *want[NPFIELDS] = {p->name_th, p->address, p->lat,       p->lon,
	                              p->hours,   p->phone,   p->opened_on, p->status};
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
		for (int i = 0; i < NPFIELDS; i++) {
			const char *had = db_col_text(st, i);
			if (strcmp(had, want[i]) != 0)
				json_object_set_new(changed, pfield_names[i],
				                    json_pack("[s, s]", had, want[i]));
		}
		status_changed = strcmp(db_col_text(st, P_STATUS), p->status) != 0;
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
	if (json_object_size(changed) == 0)
		goto out; /* nothing to save: nothing written */

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
	if (rc == DB_OK) {
		json_t *d = json_pack("{s:I, s:O}", "version", (json_int_t)(version + 1), "changed", changed);
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
                    int64_t expected_version, const char *today, int64_t user_id, int64_t now)
{
	struct update a = {unit_code, p, expected_version, today, user_id, now};
	return db_tx(db, update_fn, &a);
}
