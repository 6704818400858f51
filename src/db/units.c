#include "db/units.h"

#include "db/db.h"

struct q {
	const char *code;
	json_t *out;
};

static int find_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	int rc;
	q->out = db_query_row(c, &rc,
	                      "SELECT code, parent_code, level, name_th, name_en, region_th, in_programme "
	                      "FROM units WHERE code = ?",
	                      "t", q->code);
	if (!q->out)
		return rc;
	json_t *parent = json_null();
	const char *pc = json_string_value(json_object_get(q->out, "parent_code"));
	if (pc) {
		json_t *p =
		    db_query_row(c, &rc, "SELECT code, name_th, level FROM units WHERE code = ?", "t", pc);
		if (p)
			parent = p;
	}
	json_object_set_new(q->out, "parent", parent);
	return DB_OK;
}

json_t *db_unit_find(struct db *db, const char *code)
{
	struct q q = {code, NULL};
	if (db_read(db, find_fn, &q) < 0) {
		json_decref(q.out);
		return NULL;
	}
	return q.out;
}

static int children_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	q->out =
	    db_query_json(c,
	                  "SELECT u.code, u.name_th, u.name_en, u.level, u.in_programme, "
	                  "(SELECT COUNT(*) FROM units k WHERE k.parent_code = u.code) AS children_count "
	                  "FROM units u WHERE u.parent_code = ? ORDER BY u.code",
	                  "t", q->code);
	return q->out ? DB_OK : DB_ERROR;
}

json_t *db_unit_children(struct db *db, const char *code)
{
	struct q q = {code, NULL};
	db_read(db, children_fn, &q);
	return q.out;
}

static int stats_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	int rc;
	q->out = db_query_row(c, &rc,
	                      "SELECT (SELECT COUNT(*) FROM units WHERE level = 1) AS provinces, "
	                      "(SELECT COUNT(*) FROM units WHERE level = 2) AS districts, "
	                      "(SELECT COUNT(*) FROM units WHERE level = 2 AND in_programme = 1) "
	                      "AS districts_in_programme",
	                      "");
	return q->out ? DB_OK : DB_ERROR;
}

json_t *db_unit_stats(struct db *db)
{
	struct q q = {NULL, NULL};
	db_read(db, stats_fn, &q);
	return q.out;
}

static int scope_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	q->out = db_query_json(
	    c,
	    "SELECT code, name_th, level FROM units WHERE ? = '0' OR code = ? OR parent_code = ? "
	    "ORDER BY code",
	    "ttt", q->code, q->code, q->code);
	return q->out ? DB_OK : DB_ERROR;
}

json_t *db_units_in_scope(struct db *db, const char *unit)
{
	struct q q = {unit, NULL};
	db_read(db, scope_fn, &q);
	return q.out;
}
