/* External aggregates: storage (external.h, migration 012). */
#include "db/external.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "lib/xalloc.h"

/* ---- import ---- */

struct import_arg {
	struct external_batch *b;
	const char *unit_header, *file_name;
	int64_t user_id, now;
	struct external_import_result *res;
	json_t *unknown; /* rows whose unit does not exist, collected in the transaction */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void bind_opt_int(struct db_stmt *st, int idx, int64_t v)
{
	if (v < 0)
		db_bind_null(st, idx);
	else
		db_bind_int(st, idx, v);
}

static void bind_opt_text(struct db_stmt *st, int idx, const char *s)
{
	db_bind_text(st, idx, s[0] ? s : NULL);
}

static int import_fn(struct dbc *c, void *arg)
{
	struct import_arg *a = arg;
	/* fn may run again (a retry): start from nothing. */
	json_array_clear(a->unknown);
	a->res->added = a->res->replaced = 0;
	a->res->import_id = 0;

	/* The units, in the transaction: a unit's existence is the write's rule. */
	json_t *units = db_query_json(c, "SELECT code FROM units ORDER BY code", "");
	if (!units)
		return DB_ERROR;
	size_t nu = json_array_size(units);
	const char **codes = xmalloc((nu ? nu : 1) * sizeof *codes);
	for (size_t i = 0; i < nu; i++)
		codes[i] = json_string_value(json_object_get(json_array_get(units, i), "code"));
	qsort(codes, nu, sizeof *codes, cmp_str);
	for (size_t i = 0; i < a->b->n; i++) {
		const struct external_row *r = &a->b->rows[i];
		const char *key = r->unit;
		if (!bsearch(&key, codes, nu, sizeof *codes, cmp_str)) {
			char msg[512];
			snprintf(msg, sizeof msg, "แถวที่ %zu คอลัมน์ \"%s\": ไม่มีหน่วยงานรหัส %s ในระบบ", r->line,
			         a->unit_header, r->unit);
			json_array_append_new(a->unknown,
			                      json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)r->line,
			                                "column", a->unit_header, "field", "unit_code",
			                                "message", msg));
		}
	}
	free(codes);
	json_decref(units);
	if (json_array_size(a->unknown))
		return EXTERNAL_RC_UNKNOWN_UNIT;

	static const char ins[] =
	    "INSERT INTO external_imports (file_name, row_count, created_by, created_at) "
	    "VALUES (?, ?, ?, ?)";
	const char *fname = a->file_name ? a->file_name : "";
	int rc = a->user_id > 0
	             ? db_insert_id(c, &a->res->import_id, ins, "tiii", fname, (int64_t)a->b->n, a->user_id,
	                            a->now)
	             : db_insert_id(c, &a->res->import_id, ins, "tini", fname, (int64_t)a->b->n, a->now);
	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; i < a->b->n; i++) {
		const struct external_row *r = &a->b->rows[i];
		int64_t exists = 0;
		rc = db_query_int(
		    c, &exists,
		    "SELECT COUNT(*) FROM external_aggregates WHERE unit_code = ? AND period = ? AND "
		    "source = ?",
		    "ttt", r->unit, r->period, r->source);
		if (rc < 0)
			return rc;
		struct db_stmt *st = db_prepare(
		    c, "INSERT INTO external_aggregates (unit_code, period, source, users, respondents, "
		       "score_sum, "
		       "score_mean, percent, rank_pos, rank_of, import_id, updated_at) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		       "ON CONFLICT (unit_code, period, source) DO UPDATE SET users = excluded.users, "
		       "respondents = excluded.respondents, score_sum = excluded.score_sum, "
		       "score_mean = excluded.score_mean, percent = excluded.percent, rank_pos = "
		       "excluded.rank_pos, "
		       "rank_of = excluded.rank_of, import_id = excluded.import_id, updated_at = "
		       "excluded.updated_at");
		if (!st)
			return DB_ERROR;
		db_bind_text(st, 1, r->unit);
		db_bind_text(st, 2, r->period);
		db_bind_text(st, 3, r->source);
		bind_opt_int(st, 4, r->users);
		bind_opt_int(st, 5, r->respondents);
		bind_opt_text(st, 6, r->score_sum);
		bind_opt_text(st, 7, r->score_mean);
		bind_opt_text(st, 8, r->percent);
		bind_opt_int(st, 9, r->rank_pos);
		bind_opt_int(st, 10, r->rank_of);
		db_bind_int(st, 11, a->res->import_id);
		db_bind_int(st, 12, a->now);
		rc = db_step(st);
		db_finish(st);
		if (rc != DB_DONE)
			return rc < 0 ? rc : DB_ERROR;
		if (exists)
			a->res->replaced++;
		else
			a->res->added++;
	}
	return DB_OK;
}

int db_external_import(struct db *db, struct external_batch *b, const char *unit_header,
                       const char *file_name, int64_t user_id, int64_t now,
                       struct external_import_result *res)
{
	memset(res, 0, sizeof *res);
	struct import_arg a = {b,           unit_header && *unit_header ? unit_header : "รหัสหน่วยงาน",
	                       file_name,   user_id,
	                       now,         res,
	                       json_array()};
	int rc = db_tx(db, import_fn, &a);
	if (rc == EXTERNAL_RC_UNKNOWN_UNIT) {
		size_t i;
		json_t *e;
		json_array_foreach(a.unknown, i, e)
		{
			if (json_array_size(b->errors) < EXTERNAL_MAX_ERRORS)
				json_array_append(b->errors, e);
		}
	}
	json_decref(a.unknown);
	return rc;
}

/* ---- reading ---- */

#define ROW_COLS                                                                                             \
	"e.unit_code, e.period, e.source, e.users, e.respondents, e.score_sum, e.score_mean, e.percent, "    \
	"e.rank_pos AS rank, e.rank_of, e.updated_at AS imported_at"

/* Adds score, percent_shown and derived to one row object. */
static void derive(json_t *row)
{
	const char *sum = json_string_value(json_object_get(row, "score_sum"));
	const char *mean = json_string_value(json_object_get(row, "score_mean"));
	const char *pct = json_string_value(json_object_get(row, "percent"));
	json_int_t n = json_integer_value(json_object_get(row, "respondents"));
	bool have_n = json_is_integer(json_object_get(row, "respondents")) && n > 0;
	json_t *derived = json_array();
	char m[EXTERNAL_DEC_SIZE], p[EXTERNAL_DEC_SIZE];
	bool from_sum = sum && have_n && external_mean_percent(sum, (int64_t)n, m, p) == 0;
	if (mean) {
		json_object_set_new(row, "score", json_string(mean));
	} else if (from_sum) {
		json_object_set_new(row, "score", json_string(m));
		json_array_append_new(derived, json_string("score"));
	} else {
		json_object_set_new(row, "score", json_null());
	}
	if (pct) {
		json_object_set_new(row, "percent_shown", json_string(pct));
	} else if (from_sum) {
		json_object_set_new(row, "percent_shown", json_string(p));
		json_array_append_new(derived, json_string("percent_shown"));
	} else if (mean && external_mean_to_percent(mean, p) == 0) {
		json_object_set_new(row, "percent_shown", json_string(p));
		json_array_append_new(derived, json_string("percent_shown"));
	} else {
		json_object_set_new(row, "percent_shown", json_null());
	}
	json_object_set_new(row, "derived", derived);
}

struct for_arg {
	const char *unit, *period;
	json_t *rows;
};

static int for_fn(struct dbc *c, void *arg)
{
	struct for_arg *a = arg;
	json_decref(a->rows);
	a->rows = db_query_json(c,
	                        "SELECT " ROW_COLS
	                        " FROM external_aggregates e WHERE e.unit_code = ? AND e.period = ? "
	                        "ORDER BY e.source",
	                        "tt", a->unit, a->period);
	return a->rows ? DB_OK : DB_ERROR;
}

int db_external_for(struct db *db, const char *unit_code, const char *period_iso, json_t **out)
{
	struct for_arg a = {unit_code, period_iso, NULL};
	int rc = db_read(db, for_fn, &a);
	if (rc != DB_OK) {
		json_decref(a.rows);
		*out = NULL;
		return rc < 0 ? rc : DB_ERROR;
	}
	size_t i;
	json_t *r;
	json_array_foreach(a.rows, i, r) derive(r);
	*out = a.rows;
	return DB_OK;
}

struct list_arg {
	const char *period;
	size_t limit;
	json_t *out;
};

static int list_fn(struct dbc *c, void *arg)
{
	struct list_arg *a = arg;
	json_decref(a->out);
	a->out = NULL;
	json_t *periods = db_query_json(
	    c, "SELECT DISTINCT period FROM external_aggregates ORDER BY period DESC LIMIT 36", "");
	if (!periods)
		return DB_ERROR;
	const char *period = a->period && *a->period ? a->period : NULL;
	if (!period && json_array_size(periods))
		period = json_string_value(json_object_get(json_array_get(periods, 0), "period"));
	json_t *rows = db_query_json(c,
	                             "SELECT " ROW_COLS ", u.name_th FROM external_aggregates e "
	                             "JOIN units u ON u.code = e.unit_code WHERE e.period = ? "
	                             "ORDER BY e.unit_code, e.source LIMIT ?",
	                             "ti", period ? period : "", (int64_t)a->limit);
	json_t *imports =
	    db_query_json(c,
	                  "SELECT i.id, i.file_name, i.row_count, i.created_at, "
	                  "COALESCE(u.display_name, '') AS created_by_name FROM external_imports i "
	                  "LEFT JOIN users u ON u.id = i.created_by ORDER BY i.id DESC LIMIT 20",
	                  "");
	if (!rows || !imports) {
		json_decref(periods);
		json_decref(rows);
		json_decref(imports);
		return DB_ERROR;
	}
	json_t *plist = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(periods, i, p) json_array_append(plist, json_object_get(p, "period"));
	a->out = json_pack("{s:s?, s:o, s:o, s:o}", "period", period, "rows", rows, "imports", imports,
	                   "periods", plist);
	json_decref(periods);
	return DB_OK;
}

int db_external_list(struct db *db, const char *period_iso, size_t limit, json_t **out)
{
	struct list_arg a = {period_iso, limit, NULL};
	int rc = db_read(db, list_fn, &a);
	if (rc != DB_OK) {
		json_decref(a.out);
		*out = NULL;
		return rc < 0 ? rc : DB_ERROR;
	}
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(a.out, "rows"), i, r) derive(r);
	*out = a.out;
	return DB_OK;
}
