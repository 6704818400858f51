#include "db/catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "lib/log.h"
#include "lib/xalloc.h"

/* Catalogue writes are rare (a national admin's edits) and touch one hot
 * row (portal_meta), so they run on db_tx rather than the group-commit
 * writer meant for the registry's many small requests. */

/* user_id 0 (the seed, the command line) is stored as NULL. */
static void bind_user(struct db_stmt *st, int idx, int64_t user_id)
{
	if (user_id)
		db_bind_int(st, idx, user_id);
	else
		db_bind_null(st, idx);
}

/* Codes are ASCII; ordering them with strcmp in C gives the same order on
 * both backends (PostgreSQL's default collation ignores '_' at first level,
 * SQLite compares bytes). */
struct ordered {
	int64_t sort_order;
	const char *code;
	json_t *row;
};

static int ordered_cmp(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;
	if (x->sort_order != y->sort_order)
		return x->sort_order < y->sort_order ? -1 : 1;
	return strcmp(x->code, y->code);
}

/* Sorts an array of objects by (sort_order, code) in place. */
static void rows_sort(json_t *rows)
{
	size_t n = json_array_size(rows);
	if (n < 2)
		return;
	struct ordered *o = xcalloc(n, sizeof *o);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		o[i].row = json_incref(r);
		o[i].sort_order = json_integer_value(json_object_get(r, "sort_order"));
		o[i].code = json_string_value(json_object_get(r, "code"));
		if (!o[i].code)
			o[i].code = "";
	}
	qsort(o, n, sizeof *o, ordered_cmp);
	json_array_clear(rows);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, o[i].row);
	free(o);
}

/* ---- the portal generation, the audit log ---- */

int db_audit_row(struct dbc *c, int64_t now, int64_t user_id, const char *action, const char *target,
                 const char *detail)
{
	struct db_stmt *st = db_prepare(
	    c, "INSERT INTO audit_log (at, user_id, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, '')");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, now);
	bind_user(st, 2, user_id);
	db_bind_text(st, 3, action);
	db_bind_text(st, 4, target);
	db_bind_text(st, 5, detail ? detail : "");
	int rc = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int db_portal_bump(struct dbc *c)
{
	return db_exec(c, "UPDATE portal_meta SET generation = generation + 1 WHERE id = 1", "");
}

static int generation_fn(struct dbc *c, void *arg)
{
	int64_t *g = arg;
	*g = -1;
	int rc = db_query_int(c, g, "SELECT generation FROM portal_meta WHERE id = 1", "");
	return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

int64_t db_portal_generation(struct db *db)
{
	int64_t g = -1;
	return db_read(db, generation_fn, &g) == DB_OK ? g : -1;
}

/* ---- categories ---- */

static int categories_fn(struct dbc *c, void *arg)
{
	json_t **out = arg;
	json_decref(*out);
	*out = db_query_json(c, "SELECT code, name_th, name_en, sort_order FROM eservice_categories", "");
	if (!*out)
		return DB_ERROR;
	rows_sort(*out);
	return DB_OK;
}

json_t *db_categories(struct db *db)
{
	json_t *out = NULL;
	if (db_read(db, categories_fn, &out) != DB_OK) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* ---- services: stored fields and snapshots ---- */

/* The stored fields of a service, in the order of SVC_FIELDS (sort_order
 * aside). A history snapshot is exactly these, so the one built from a struct
 * eservice and the one read back from the row compare equal when nothing
 * changed. */
enum {
	F_CODE,
	F_NAME_TH,
	F_NAME_EN,
	F_AGENCY_TH,
	F_AGENCY_EN,
	F_AGENCY_TYPE,
	F_CATEGORY,
	F_CHANNEL,
	F_URL,
	F_DESCRIPTION,
	F_STEPS,
	F_DOCUMENTS,
	F_FEES,
	F_STATUS,
	F_SOURCE,
	F_NOTE,
	F_AREA,
	F_AREA_PROVINCES,
	NFIELDS
};

static const char *const field_names[NFIELDS] = {
    "code",     "name_th", "name_en", "agency_th",   "agency_en", "agency_type",
    "category", "channel", "url",     "description", "steps",     "documents",
    "fees",     "status",  "source",  "note",        "area",      "area_provinces",
};

/* The same columns, then sort_order and version. COALESCE: a row no seed or
 * edit has touched since migration 004 has no category. */
#define SVC_FIELDS                                                                                           \
	"code, name_th, name_en, agency_th, agency_en, agency_type, COALESCE(category, '') AS category, "    \
	"channel, url, description, steps, documents, fees, status, source, note, area, area_provinces, "    \
	"sort_order, version"

struct fields {
	const char *v[NFIELDS];
	int64_t sort_order;
};

static void fields_of(const struct eservice *s, const char *code, int64_t sort_order, struct fields *f)
{
	f->v[F_CODE] = code;
	f->v[F_NAME_TH] = s->name_th;
	f->v[F_NAME_EN] = s->name_en;
	f->v[F_AGENCY_TH] = s->agency_th;
	f->v[F_AGENCY_EN] = s->agency_en;
	f->v[F_AGENCY_TYPE] = s->agency_type;
	f->v[F_CATEGORY] = s->category;
	f->v[F_CHANNEL] = s->channel;
	f->v[F_URL] = s->url;
	f->v[F_DESCRIPTION] = s->description;
	f->v[F_STEPS] = s->steps;
	f->v[F_DOCUMENTS] = s->documents;
	f->v[F_FEES] = s->fees;
	f->v[F_STATUS] = s->status;
	f->v[F_SOURCE] = s->source;
	f->v[F_NOTE] = s->note;
	f->v[F_AREA] = s->area[0] ? s->area : "all";
	f->v[F_AREA_PROVINCES] = s->area_provinces;
	f->sort_order = sort_order;
}

static json_t *snapshot(const struct fields *f)
{
	json_t *j = json_object();
	for (int i = 0; i < NFIELDS; i++)
		json_object_set_new(j, field_names[i], json_string(f->v[i] ? f->v[i] : ""));
	json_object_set_new(j, "sort_order", json_integer(f->sort_order));
	return j;
}

static char *json_text(const json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

/* A service as stored, read inside a write transaction. */
struct stored {
	json_t *snap; /* owned */
	int64_t sort_order, version;
};

/* DB_ROW (o filled; free o->snap), DB_DONE (no such service) or negative. */
static int stored_load(struct dbc *c, const char *code, struct stored *o)
{
	memset(o, 0, sizeof *o);
	struct db_stmt *st = db_prepare(c, "SELECT " SVC_FIELDS " FROM eservices WHERE code = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, code);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		struct fields f;
		for (int i = 0; i < NFIELDS; i++)
			f.v[i] = db_col_text(st, i);
		f.sort_order = db_col_int(st, NFIELDS);
		o->snap = snapshot(&f);
		o->sort_order = f.sort_order;
		o->version = db_col_int(st, NFIELDS + 1);
	}
	db_finish(st);
	return rc;
}

static int history_add(struct dbc *c, const char *code, int64_t version, int64_t at, int64_t user_id,
                       const char *action, const json_t *before, const json_t *after)
{
	char *b = json_text(before), *a = json_text(after);
	struct db_stmt *st =
	    db_prepare(c, "INSERT INTO eservice_versions (code, version, at, user_id, action, "
	                  "before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?)");
	int rc = DB_ERROR;
	if (st) {
		db_bind_text(st, 1, code);
		db_bind_int(st, 2, version);
		db_bind_int(st, 3, at);
		bind_user(st, 4, user_id);
		db_bind_text(st, 5, action);
		db_bind_text(st, 6, b);
		db_bind_text(st, 7, a);
		rc = db_step(st);
		db_finish(st);
	}
	free(b);
	free(a);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Binds the fields but the code at idx, idx+1, ... (category "" as NULL);
 * returns the next index. */
static int bind_fields(struct db_stmt *st, int idx, const struct fields *f)
{
	for (int i = 0; i < NFIELDS; i++) {
		if (i == F_CODE)
			continue;
		const char *v = f->v[i] ? f->v[i] : "";
		if (i == F_CATEGORY && !*v)
			db_bind_null(st, idx++);
		else
			db_bind_text(st, idx++, v);
	}
	db_bind_int(st, idx++, f->sort_order);
	return idx;
}

static int service_insert(struct dbc *c, const struct fields *f, int64_t user_id, int64_t now)
{
	struct db_stmt *st = db_prepare(
	    c,
	    "INSERT INTO eservices (name_th, name_en, agency_th, agency_en, agency_type, category, channel, "
	    "url, description, steps, documents, fees, status, source, note, area, area_provinces, "
	    "sort_order, version, updated_at, updated_by, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, "
	    "?, ?, ?, ?, ?, 1, ?, ?, ?)");
	if (!st)
		return DB_ERROR;
	int i = bind_fields(st, 1, f);
	db_bind_int(st, i++, now);
	bind_user(st, i++, user_id);
	db_bind_text(st, i, f->v[F_CODE]);
	int rc = db_step(st);
	db_finish(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Writes f over the row at `version` and makes it version + 1. DB_CONFLICT
 * when the row is no longer at that version. */
static int service_overwrite(struct dbc *c, const struct fields *f, int64_t version, int64_t user_id,
                             int64_t now)
{
	struct db_stmt *st = db_prepare(
	    c, "UPDATE eservices SET name_th = ?, name_en = ?, agency_th = ?, agency_en = ?, "
	       "agency_type = ?, category = ?, channel = ?, url = ?, description = ?, steps = ?, "
	       "documents = ?, fees = ?, status = ?, source = ?, note = ?, area = ?, area_provinces = ?, "
	       "sort_order = ?, "
	       "version = version + 1, updated_at = ?, updated_by = ? WHERE code = ? AND version = ?");
	if (!st)
		return DB_ERROR;
	int i = bind_fields(st, 1, f);
	db_bind_int(st, i++, now);
	bind_user(st, i++, user_id);
	db_bind_text(st, i++, f->v[F_CODE]);
	db_bind_int(st, i, version);
	int rc = db_step(st);
	if (rc == DB_DONE)
		rc = db_changes(st) == 1 ? DB_OK : DB_CONFLICT;
	db_finish(st);
	return rc;
}

static bool is_retired(const json_t *snap)
{
	const char *s = json_string_value(json_object_get(snap, "status"));
	return s && strcmp(s, "retired") == 0;
}

/* ---- reading services ---- */

/* "a\nb\n\nc" -> ["a", "b", "c"] (blank lines and a trailing "\r" dropped). */
static json_t *lines_json(const char *s)
{
	json_t *a = json_array();
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		size_t m = n;
		if (m && s[m - 1] == '\r')
			m--;
		if (m)
			json_array_append_new(a, json_stringn(s, m));
		s += n + (e ? 1 : 0);
	}
	return a;
}

#define MODEL_SQL                                                                                            \
	"SELECT e.code, e.name_th, e.name_en, e.agency_th, e.agency_en, e.agency_type, "                     \
	"COALESCE(e.category, '') AS category, COALESCE(k.name_th, '') AS category_th, e.channel, e.url, "   \
	"e.description, e.steps, e.documents, e.fees, e.status, e.sort_order, e.source, e.note, e.version, " \
	"e.updated_at, e.area, e.area_provinces "                                                            \
	"FROM eservices e LEFT JOIN eservice_categories k ON k.code = e.category"

static json_t *model_row(struct db_stmt *st)
{
	json_t *o = json_object();
	static const char *const text[] = {"code",      "name_th",     "name_en",    "agency_th",
	                                   "agency_en", "agency_type", "category",   "category_th",
	                                   "channel",   "url",         "description"};
	int col = 0;
	for (size_t i = 0; i < sizeof text / sizeof *text; i++)
		json_object_set_new(o, text[i], json_string(db_col_text(st, col++)));
	json_object_set_new(o, "steps", lines_json(db_col_text(st, col++)));
	json_object_set_new(o, "documents", lines_json(db_col_text(st, col++)));
	json_object_set_new(o, "fees", json_string(db_col_text(st, col++)));
	json_object_set_new(o, "status", json_string(db_col_text(st, col++)));
	json_object_set_new(o, "sort_order", json_integer(db_col_int(st, col++)));
	json_object_set_new(o, "source", json_string(db_col_text(st, col++)));
	json_object_set_new(o, "note", json_string(db_col_text(st, col++)));
	json_object_set_new(o, "version", json_integer(db_col_int(st, col++)));
	json_object_set_new(o, "updated_at", json_integer(db_col_int(st, col++)));
	json_object_set_new(o, "area", json_string(db_col_text(st, col++)));
	json_object_set_new(o, "area_provinces", json_string(db_col_text(st, col++)));
	return o;
}

struct svc_read {
	const char *code; /* NULL: all */
	json_t *out;
};

static int services_fn(struct dbc *c, void *arg)
{
	struct svc_read *q = arg;
	json_decref(q->out);
	q->out = NULL;
	struct db_stmt *st = db_prepare(c, q->code ? MODEL_SQL " WHERE e.code = ?" : MODEL_SQL);
	if (!st)
		return DB_ERROR;
	if (q->code)
		db_bind_text(st, 1, q->code);
	json_t *rows = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(rows, model_row(st));
	db_finish(st);
	if (rc != DB_DONE) {
		json_decref(rows);
		return rc;
	}
	rows_sort(rows);
	q->out = rows;
	return DB_OK;
}

json_t *db_services_all(struct db *db)
{
	struct svc_read q = {NULL, NULL};
	if (db_read(db, services_fn, &q) != DB_OK) {
		json_decref(q.out);
		return NULL;
	}
	return q.out;
}

json_t *db_service_get(struct db *db, const char *code, bool *found)
{
	struct svc_read q = {code, NULL};
	int rc = db_read(db, services_fn, &q);
	json_t *one = NULL;
	if (rc == DB_OK && json_array_size(q.out) == 1)
		one = json_incref(json_array_get(q.out, 0));
	json_decref(q.out);
	if (found)
		*found = rc != DB_OK || one != NULL;
	return one;
}

/* ---- create ---- */

struct create {
	const struct eservice *s;
	int64_t user_id, now;
};

static int create_fn(struct dbc *c, void *arg)
{
	struct create *a = arg;
	int64_t order = a->s->sort_order;
	if (order == ESVC_SORT_AUTO) {
		/* At the end, on the 10, 20, 30, ... grid that moving keeps. */
		order = 0;
		int rc =
		    db_query_int(c, &order, "SELECT COALESCE(MAX(sort_order), 0) AS m FROM eservices", "");
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_ERROR;
		order = (order / 10 + 1) * 10;
	}
	struct fields f;
	fields_of(a->s, a->s->code, order, &f);
	/* An unknown category or a taken code fails here (foreign key / primary
	 * key): DB_CONSTRAINT, and the transaction is rolled back whole. */
	int rc = service_insert(c, &f, a->user_id, a->now);
	if (rc != DB_OK)
		return rc;
	json_t *after = snapshot(&f);
	rc = history_add(c, a->s->code, 1, a->now, a->user_id, "create", NULL, after);
	json_decref(after);
	if (rc == DB_OK)
		rc = db_portal_bump(c);
	return rc;
}

int db_service_create(struct db *db, const struct eservice *s, int64_t user_id, int64_t now)
{
	struct create a = {s, user_id, now};
	return db_tx(db, create_fn, &a);
}

/* ---- update ---- */

struct update {
	const char *code;
	const struct eservice *s;
	int64_t expected, user_id, now;
};

static int update_fn(struct dbc *c, void *arg)
{
	struct update *a = arg;
	struct stored o;
	int rc = stored_load(c, a->code, &o);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_NOT_FOUND : rc;
	json_t *after = NULL;
	if (a->expected && o.version != a->expected) {
		rc = DB_CONFLICT;
		goto out;
	}
	struct fields f;
	fields_of(a->s, a->code, a->s->sort_order == ESVC_SORT_AUTO ? o.sort_order : a->s->sort_order, &f);
	after = snapshot(&f);
	if (json_equal(o.snap, after)) {
		rc = DB_OK;
		goto out;
	}
	const char *action = "edit";
	if (!is_retired(o.snap) && is_retired(after))
		action = "retire";
	else if (is_retired(o.snap) && !is_retired(after))
		action = "restore";
	rc = service_overwrite(c, &f, o.version, a->user_id, a->now);
	if (rc == DB_OK)
		rc = history_add(c, a->code, o.version + 1, a->now, a->user_id, action, o.snap, after);
	if (rc == DB_OK)
		rc = db_portal_bump(c);
out:
	json_decref(o.snap);
	json_decref(after);
	return rc;
}

int db_service_update(struct db *db, const char *code, const struct eservice *s, int64_t expected_version,
                      int64_t user_id, int64_t now)
{
	struct update a = {code, s, expected_version, user_id, now};
	return db_tx(db, update_fn, &a);
}

/* ---- move ---- */

struct place {
	char *code;
	int64_t sort_order;
};

static int place_cmp(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	if (x->sort_order != y->sort_order)
		return x->sort_order < y->sort_order ? -1 : 1;
	return strcmp(x->code, y->code);
}

struct move {
	const char *code;
	int dir;
	int64_t user_id, now;
};

static int reorder_one(struct dbc *c, const struct move *m, const char *code, int64_t from, int64_t to)
{
	struct db_stmt *st = db_prepare(c, "UPDATE eservices SET sort_order = ?, version = version + 1, "
	                                   "updated_at = ?, updated_by = ? WHERE code = ? RETURNING version");
	if (!st)
		return DB_ERROR;
	db_bind_int(st, 1, to);
	db_bind_int(st, 2, m->now);
	bind_user(st, 3, m->user_id);
	db_bind_text(st, 4, code);
	int rc = db_step(st);
	int64_t version = rc == DB_ROW ? db_col_int(st, 0) : 0;
	db_finish(st);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_ERROR;
	json_t *before = json_pack("{s:I}", "sort_order", (json_int_t)from);
	json_t *after = json_pack("{s:I}", "sort_order", (json_int_t)to);
	rc = history_add(c, code, version, m->now, m->user_id, "reorder", before, after);
	json_decref(before);
	json_decref(after);
	return rc;
}

static int move_fn(struct dbc *c, void *arg)
{
	struct move *m = arg;
	struct db_stmt *st = db_prepare(c, "SELECT code, sort_order FROM eservices");
	if (!st)
		return DB_ERROR;
	struct place *p = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			p = xrealloc(p, cap * sizeof *p);
		}
		p[n].code = xstrdup(db_col_text(st, 0));
		p[n].sort_order = db_col_int(st, 1);
		n++;
	}
	db_finish(st);
	if (rc != DB_DONE)
		goto out;
	if (n)
		qsort(p, n, sizeof *p, place_cmp);
	size_t at = n;
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].code, m->code) == 0)
			at = i;
	if (at == n) {
		rc = DB_NOT_FOUND;
		goto out;
	}
	rc = DB_OK;
	size_t to = at;
	if (m->dir < 0 && at > 0)
		to = at - 1;
	else if (m->dir > 0 && at + 1 < n)
		to = at + 1;
	if (to == at)
		goto out; /* at the top / bottom already, or no direction */
	struct place t = p[at];
	p[at] = p[to];
	p[to] = t;
	/* Renumber the whole order 10, 20, 30, ...: only the rows whose number
	 * changes are written (the two swapped ones once the grid is in place). */
	bool any = false;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		int64_t want = (int64_t)(i + 1) * 10;
		if (p[i].sort_order == want)
			continue;
		rc = reorder_one(c, m, p[i].code, p[i].sort_order, want);
		any = true;
	}
	if (rc == DB_OK && any)
		rc = db_portal_bump(c);
out:
	for (size_t i = 0; i < n; i++)
		free(p[i].code);
	free(p);
	return rc;
}

int db_service_move(struct db *db, const char *code, int dir, int64_t user_id, int64_t now)
{
	struct move m = {code, dir, user_id, now};
	return db_tx(db, move_fn, &m);
}

/* ---- history ---- */

struct history {
	const char *code;
	json_t *out;
};

static json_t *parsed(struct db_stmt *st, int col)
{
	if (db_col_null(st, col))
		return json_null();
	json_t *j = json_loads(db_col_text(st, col), 0, NULL);
	return j ? j : json_null();
}

static int history_fn(struct dbc *c, void *arg)
{
	struct history *h = arg;
	json_decref(h->out);
	h->out = NULL;
	struct db_stmt *st = db_prepare(
	    c, "SELECT h.version, h.at, h.user_id, COALESCE(u.display_name, '') AS user_name, "
	       "h.action, h.before_json, h.after_json FROM eservice_versions h "
	       "LEFT JOIN users u ON u.id = h.user_id WHERE h.code = ? ORDER BY h.version DESC, h.id DESC");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, h->code);
	json_t *rows = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *r = json_object();
		json_object_set_new(r, "version", json_integer(db_col_int(st, 0)));
		json_object_set_new(r, "at", json_integer(db_col_int(st, 1)));
		json_object_set_new(r, "user_id",
		                    db_col_null(st, 2) ? json_null() : json_integer(db_col_int(st, 2)));
		json_object_set_new(r, "user_name", json_string(db_col_text(st, 3)));
		json_object_set_new(r, "action", json_string(db_col_text(st, 4)));
		json_object_set_new(r, "before", parsed(st, 5));
		json_object_set_new(r, "after", parsed(st, 6));
		json_array_append_new(rows, r);
	}
	db_finish(st);
	if (rc != DB_DONE) {
		json_decref(rows);
		return rc;
	}
	h->out = rows;
	return DB_OK;
}

json_t *db_service_history(struct db *db, const char *code)
{
	struct history h = {code, NULL};
	if (db_read(db, history_fn, &h) != DB_OK) {
		json_decref(h.out);
		return NULL;
	}
	return h.out;
}

/* ---- hidden services per unit ---- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The unit's hidden codes, sorted with strcmp. */
static int hidden_read(struct dbc *c, const char *unit_code, json_t **out)
{
	*out = NULL;
	struct db_stmt *st =
	    db_prepare(c, "SELECT service_code FROM unit_hidden_services WHERE unit_code = ?");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, unit_code);
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = xstrdup(db_col_text(st, 0));
	}
	db_finish(st);
	if (rc == DB_DONE) {
		if (n)
			qsort(v, n, sizeof *v, str_cmp);
		*out = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(*out, json_string(v[i]));
		rc = DB_OK;
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc;
}

struct hidden {
	const char *unit;
	const char *const *codes;
	int64_t user_id, now;
	json_t *out;
};

static int hidden_get_fn(struct dbc *c, void *arg)
{
	struct hidden *h = arg;
	json_decref(h->out);
	return hidden_read(c, h->unit, &h->out);
}

json_t *db_unit_hidden_services(struct db *db, const char *unit_code)
{
	struct hidden h = {unit_code, NULL, 0, 0, NULL};
	if (db_read(db, hidden_get_fn, &h) != DB_OK) {
		json_decref(h.out);
		return NULL;
	}
	return h.out;
}

static bool json_has(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

static int hidden_set_fn(struct dbc *c, void *arg)
{
	struct hidden *h = arg;
	json_t *cur = NULL;
	int rc = hidden_read(c, h->unit, &cur);
	if (rc != DB_OK)
		return rc;
	/* The wanted set, sorted, without repeats. */
	size_t n = 0;
	while (h->codes && h->codes[n])
		n++;
	const char **want = xcalloc(n ? n : 1, sizeof *want);
	if (n) {
		memcpy(want, h->codes, n * sizeof *want);
		qsort(want, n, sizeof *want, str_cmp);
	}
	json_t *wanted = json_array(), *added = json_array(), *removed = json_array();
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(want[i], want[i - 1]) != 0)
			json_array_append_new(wanted, json_string(want[i]));
	free(want);
	size_t i;
	json_t *v;
	json_array_foreach(wanted, i, v) if (!json_has(cur, json_string_value(v)))
	    json_array_append(added, v);
	json_array_foreach(cur, i, v) if (!json_has(wanted, json_string_value(v)))
	    json_array_append(removed, v);

	json_array_foreach(removed, i, v)
	{
		if (rc != DB_OK)
			break;
		rc = db_exec(c, "DELETE FROM unit_hidden_services WHERE unit_code = ? AND service_code = ?",
		             "tt", h->unit, json_string_value(v));
	}
	/* An unknown service (or unit) fails its foreign key here: DB_CONSTRAINT
	 * and the whole change is rolled back. */
	json_array_foreach(added, i, v)
	{
		if (rc != DB_OK)
			break;
		struct db_stmt *st =
		    db_prepare(c, "INSERT INTO unit_hidden_services (unit_code, service_code, "
		                  "at, user_id) VALUES (?, ?, ?, ?)");
		if (!st) {
			rc = DB_ERROR;
			break;
		}
		db_bind_text(st, 1, h->unit);
		db_bind_text(st, 2, json_string_value(v));
		db_bind_int(st, 3, h->now);
		bind_user(st, 4, h->user_id);
		rc = db_step(st);
		db_finish(st);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
	if (rc == DB_OK && (json_array_size(added) || json_array_size(removed))) {
		json_t *d = json_pack("{s:O, s:O}", "added", added, "removed", removed);
		char *detail = json_text(d);
		json_decref(d);
		rc = db_audit_row(c, h->now, h->user_id, "point.services", h->unit, detail);
		free(detail);
		if (rc == DB_OK)
			rc = db_portal_bump(c);
	}
	json_decref(cur);
	json_decref(wanted);
	json_decref(added);
	json_decref(removed);
	return rc;
}

int db_unit_set_hidden(struct db *db, const char *unit_code, const char *const *codes, int64_t user_id,
                       int64_t now)
{
	struct hidden h = {unit_code, codes, user_id, now, NULL};
	return db_tx(db, hidden_set_fn, &h);
}

/* ---- the seed ---- */

int db_service_seed(struct dbc *c, const struct eservice *s, int64_t now, bool *changed)
{
	*changed = false;
	struct stored o;
	int rc = stored_load(c, s->code, &o);
	if (rc < 0)
		return rc;
	struct fields f;
	if (rc == DB_DONE) {
		fields_of(s, s->code, s->sort_order == ESVC_SORT_AUTO ? 0 : s->sort_order, &f);
		rc = service_insert(c, &f, 0, now);
		if (rc == DB_OK) {
			json_t *after = snapshot(&f);
			rc = history_add(c, s->code, 1, now, 0, "seed", NULL, after);
			json_decref(after);
		}
		*changed = rc == DB_OK;
		return rc;
	}
	/* A person's change (any action but 'seed') is never undone by a seed. */
	int64_t edits = 0;
	rc = db_query_int(c, &edits,
	                  "SELECT COUNT(*) AS n FROM eservice_versions WHERE code = ? AND action <> 'seed'",
	                  "t", s->code);
	json_t *after = NULL;
	if (rc != DB_ROW) {
		rc = rc < 0 ? rc : DB_ERROR;
		goto out;
	}
	rc = DB_OK;
	if (edits > 0)
		goto out;
	/* Status and place stay as stored (the data files do not carry them). */
	const char *status = json_string_value(json_object_get(o.snap, "status"));
	struct eservice *copy = xmalloc(sizeof *copy);
	*copy = *s;
	snprintf(copy->status, sizeof copy->status, "%s", status ? status : "active");
	fields_of(copy, s->code, o.sort_order, &f);
	after = snapshot(&f);
	if (o.version > 0 && json_equal(o.snap, after)) {
		free(copy);
		goto out;
	}
	rc = service_overwrite(c, &f, o.version, 0, now);
	if (rc == DB_OK)
		rc = history_add(c, s->code, o.version + 1, now, 0, "seed", o.snap, after);
	free(copy);
	*changed = rc == DB_OK;
out:
	json_decref(o.snap);
	json_decref(after);
	return rc;
}

/* ---- the search vocabulary ---- */

/* One table's rows as sorted "a\x1fb" keys (two text columns). */
static int pairs_read(struct dbc *c, const char *sql, json_t **out)
{
	*out = NULL;
	json_t *rows = db_query_json(c, sql, "");
	if (!rows)
		return DB_ERROR;
	json_t *keys = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		const char *a = json_string_value(json_object_get(r, "a")),
		           *b = json_string_value(json_object_get(r, "b"));
		json_array_append_new(keys, json_sprintf("%s\x1f%s", a ? a : "", b ? b : ""));
	}
	json_decref(rows);
	*out = keys;
	return DB_OK;
}

/* The wanted rows of list (objects with members ka, kb) as keys, repeats dropped. */
static json_t *pairs_wanted(const json_t *list, const char *ka, const char *kb)
{
	json_t *keys = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r)
	{
		const char *a = json_string_value(json_object_get(r, ka)),
		           *b = json_string_value(json_object_get(r, kb));
		if (!a || !b)
			continue;
		json_t *k = json_sprintf("%s\x1f%s", a, b);
		if (json_has(keys, json_string_value(k)))
			json_decref(k);
		else
			json_array_append_new(keys, k);
	}
	return keys;
}

/* Runs sql (two text parameters) with the two halves of an "a\x1fb" key. */
static int pair_exec(struct dbc *c, const char *sql, json_t *key)
{
	const char *s = json_string_value(key), *sep = strchr(s, '\x1f');
	char *a = xstrndup(s, (size_t)(sep - s));
	int rc = db_exec(c, sql, "tt", a, sep + 1);
	free(a);
	return rc;
}

/* Makes table (columns ca, cb) hold exactly the rows of want; counts what
 * was added and removed. */
static int pairs_replace(struct dbc *c, const char *table, const char *ca, const char *cb, json_t *have,
                         json_t *want, int64_t *added, int64_t *removed)
{
	char del[256], ins[256];
	snprintf(del, sizeof del, "DELETE FROM %s WHERE %s = ? AND %s = ?", table, ca, cb);
	snprintf(ins, sizeof ins, "INSERT INTO %s (%s, %s) VALUES (?, ?)", table, ca, cb);
	int rc = DB_OK;
	size_t i;
	json_t *k;
	json_array_foreach(have, i, k) if (rc == DB_OK && !json_has(want, json_string_value(k)))
	{
		rc = pair_exec(c, del, k);
		(*removed)++;
	}
	json_array_foreach(want, i, k) if (rc == DB_OK && !json_has(have, json_string_value(k)))
	{
		rc = pair_exec(c, ins, k);
		(*added)++;
	}
	return rc;
}

struct terms {
	const json_t *synonyms, *phrases;
	int64_t user_id, now;
	bool seed, changed;
	json_t *out;
};

static int terms_replace_fn(struct dbc *c, void *arg)
{
	struct terms *t = arg;
	t->changed = false;
	if (t->seed) {
		/* A person saved the vocabulary: the seed leaves it alone. */
		int64_t edited = 0;
		int rc = db_query_int(
		    c, &edited,
		    "SELECT COUNT(*) FROM portal_meta WHERE id = 1 AND search_edited_at IS NOT NULL", "");
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_ERROR;
		if (edited)
			return DB_OK;
	}
	json_t *hs = NULL, *hp = NULL;
	json_t *ws = pairs_wanted(t->synonyms, "word", "term"),
	       *wp = pairs_wanted(t->phrases, "phrase", "service_code");
	int64_t sa = 0, sr = 0, pa = 0, pr = 0;
	int rc = pairs_read(c, "SELECT word AS a, term AS b FROM search_synonyms", &hs);
	if (rc == DB_OK)
		rc = pairs_read(c, "SELECT phrase AS a, service_code AS b FROM search_phrases", &hp);
	if (rc == DB_OK)
		rc = pairs_replace(c, "search_synonyms", "word", "term", hs, ws, &sa, &sr);
	/* An unknown service fails its foreign key: DB_CONSTRAINT, all rolled back. */
	if (rc == DB_OK)
		rc = pairs_replace(c, "search_phrases", "phrase", "service_code", hp, wp, &pa, &pr);
	t->changed = rc == DB_OK && (sa || sr || pa || pr);
	if (rc == DB_OK && t->changed && !t->seed) {
		const char *sql =
		    "UPDATE portal_meta SET search_edited_at = ?, search_edited_by = ? WHERE id = 1";
		rc = t->user_id ? db_exec(c, sql, "ii", t->now, t->user_id) : db_exec(c, sql, "in", t->now);
		if (rc == DB_OK) {
			json_t *d = json_pack("{s:{s:I, s:I}, s:{s:I, s:I}}", "synonyms", "added",
			                      (json_int_t)sa, "removed", (json_int_t)sr, "phrases", "added",
			                      (json_int_t)pa, "removed", (json_int_t)pr);
			char *detail = json_text(d);
			json_decref(d);
			rc = db_audit_row(c, t->now, t->user_id, "search.terms", "", detail);
			free(detail);
		}
	}
	if (rc == DB_OK && t->changed && !t->seed)
		rc = db_portal_bump(c);
	json_decref(hs);
	json_decref(hp);
	json_decref(ws);
	json_decref(wp);
	return rc;
}

int db_search_terms_set(struct db *db, const json_t *synonyms, const json_t *phrases, int64_t user_id,
                        int64_t now)
{
	struct terms t = {synonyms, phrases, user_id, now, false, false, NULL};
	return db_tx(db, terms_replace_fn, &t);
}

int db_search_terms_seed(struct dbc *c, const json_t *synonyms, const json_t *phrases, bool *changed)
{
	struct terms t = {synonyms, phrases, 0, 0, true, false, NULL};
	int rc = terms_replace_fn(c, &t);
	*changed = t.changed;
	return rc;
}

static int terms_get_fn(struct dbc *c, void *arg)
{
	struct terms *t = arg;
	json_decref(t->out);
	t->out = NULL;
	json_t *syn = db_query_json(c, "SELECT word, term FROM search_synonyms", "");
	json_t *ph = db_query_json(c, "SELECT phrase, service_code FROM search_phrases", "");
	int rc;
	json_t *meta =
	    db_query_row(c, &rc,
	                 "SELECT m.search_edited_at AS edited_at, u.display_name AS edited_by "
	                 "FROM portal_meta m LEFT JOIN users u ON u.id = m.search_edited_by WHERE m.id = 1",
	                 "");
	if (!syn || !ph || !meta) {
		json_decref(syn);
		json_decref(ph);
		json_decref(meta);
		return rc < 0 ? rc : DB_ERROR;
	}
	t->out =
	    json_pack("{s:o, s:o, s:O, s:O}", "synonyms", syn, "phrases", ph, "edited_at",
	              json_object_get(meta, "edited_at"), "edited_by", json_object_get(meta, "edited_by"));
	json_decref(meta);
	return DB_OK;
}

/* [{ka, kb}] sorted by ka then kb with strcmp (the same on both backends:
 * "a\x1fb" keys sort so, \x1f being below every character of text). */
static json_t *pairs_sorted(json_t *rows, const char *ka, const char *kb)
{
	size_t n = json_array_size(rows);
	char **keys = xcalloc(n ? n : 1, sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		keys[i] = xasprintf("%s\x1f%s", json_string_value(json_object_get(r, ka)),
		                    json_string_value(json_object_get(r, kb)));
	}
	if (n)
		qsort(keys, n, sizeof *keys, str_cmp);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		char *sep = strchr(keys[i], '\x1f');
		*sep = '\0';
		json_array_append_new(out, json_pack("{s:s, s:s}", ka, keys[i], kb, sep + 1));
		free(keys[i]);
	}
	free(keys);
	return out;
}

json_t *db_search_terms(struct db *db)
{
	struct terms t = {NULL, NULL, 0, 0, false, false, NULL};
	if (db_read(db, terms_get_fn, &t) != DB_OK) {
		json_decref(t.out);
		return NULL;
	}
	json_object_set_new(t.out, "synonyms",
	                    pairs_sorted(json_object_get(t.out, "synonyms"), "word", "term"));
	json_object_set_new(t.out, "phrases",
	                    pairs_sorted(json_object_get(t.out, "phrases"), "phrase", "service_code"));
	return t.out;
}
