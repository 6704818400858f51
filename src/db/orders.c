/* Official orders' queries (orders.h). */
#include "db/orders.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "lib/thai.h"

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

struct office_q {
	int64_t id;
	char *unit;
	size_t cap;
};

static int office_fn(struct dbc *c, void *arg)
{
	struct office_q *q = arg;
	int rc;
	json_t *row = db_query_row(c, &rc, "SELECT office_code FROM orders WHERE id = ?", "i", q->id);
	if (!row)
		return rc;
	const char *s = json_string_value(json_object_get(row, "office_code"));
	snprintf(q->unit, q->cap, "%s", s ? s : "");
	json_decref(row);
	return DB_ROW;
}

int db_order_office(struct db *db, int64_t id, char *unit, size_t cap)
{
	struct office_q q = {id, unit, cap};
	return db_read(db, office_fn, &q);
}

/* ---- create, read, edit ---- */

struct op {
	int64_t id, actor, number, out_number, amends, cancels;
	const char *office, *kind, *day, *q;
	const struct order_fields *f;
	int year_be;
	enum order_issue_refusal why;
	char status[16];
	json_t *out;
};

static const char *s_or(const char *s, const char *d)
{
	return s ? s : d;
}

static int create_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	const struct order_fields *f = o->f;
	int64_t t = now();
	return db_insert_id(
	    c, &o->id,
	    "INSERT INTO orders (office_code, kind, status, subject, body, period, annex, signer_name, "
	    "signer_position, "
	    "signer_capacity, signer_for, amends, cancels, created_at, created_by, updated_at, updated_by) "
	    "VALUES (?, ?, "
	    "'draft', ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, "
	    "NULLIF(CAST(? AS BIGINT), 0), ?, NULLIF(CAST(? AS BIGINT), 0))",
	    "ttttttttttiiiiii", o->office, o->kind, s_or(f->subject, ""), s_or(f->body, ""),
	    s_or(f->period, ""), s_or(f->annex, "[]"), s_or(f->signer_name, ""), s_or(f->signer_position, ""),
	    s_or(f->signer_capacity, ""), s_or(f->signer_for, ""), o->amends, o->cancels, t, o->actor, t,
	    o->actor);
}

int db_order_create(struct db *db, const char *office, const char *kind, const struct order_fields *f,
                    int64_t amends, int64_t cancels, int64_t actor, int64_t *id)
{
	struct op o = {0};
	o.office = office;
	o.kind = kind;
	o.f = f;
	o.amends = amends;
	o.cancels = cancels;
	o.actor = actor;
	int rc = db_write(db, create_fn, &o);
	if (rc == DB_OK)
		*id = o.id;
	return rc;
}

#define LINK_COLS "id, number, year_be, issued_on, subject, status"

static int get_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	json_decref(o->out);
	o->out = NULL;
	int rc;
	json_t *row = db_query_row(c, &rc, "SELECT * FROM orders WHERE id = ?", "i", o->id);
	if (!row)
		return rc < 0 ? rc : DB_DONE;
	static const char *const links[2] = {"amends", "cancels"};
	for (int i = 0; i < 2; i++) {
		json_t *ref = json_object_get(row, links[i]);
		json_t *target = json_null();
		if (json_is_integer(ref)) {
			json_t *t = db_query_row(c, &rc, "SELECT " LINK_COLS " FROM orders WHERE id = ?", "i",
			                         (int64_t)json_integer_value(ref));
			if (rc < 0) {
				json_decref(row);
				return rc;
			}
			if (t)
				target = t;
		}
		char k[32];
		snprintf(k, sizeof k, "%s_order", links[i]);
		json_object_set_new(row, k, target);
	}
	json_t *amended =
	    db_query_json(c, "SELECT " LINK_COLS " FROM orders WHERE amends = ? ORDER BY id", "i", o->id);
	json_t *cancelled =
	    db_query_json(c, "SELECT " LINK_COLS " FROM orders WHERE cancels = ? ORDER BY id", "i", o->id);
	if (!amended || !cancelled) {
		json_decref(amended);
		json_decref(cancelled);
		json_decref(row);
		return DB_ERROR;
	}
	json_object_set_new(row, "amended_by", amended);
	json_object_set_new(row, "cancelled_by", cancelled);
	o->out = row;
	return DB_OK;
}

json_t *db_order_get(struct db *db, int64_t id, int *rc)
{
	struct op o = {0};
	o.id = id;
	int r = db_read(db, get_fn, &o);
	if (rc)
		*rc = r;
	if (r != DB_OK) {
		json_decref(o.out);
		return NULL;
	}
	return o.out;
}

/* The order's status ("draft", "issued", "withdrawn") into o->status:
 * DB_OK or DB_NOT_FOUND. */
static int status_of(struct dbc *c, struct op *o)
{
	int rc;
	json_t *row = db_query_row(c, &rc, "SELECT status FROM orders WHERE id = ?", "i", o->id);
	if (!row)
		return rc < 0 ? rc : DB_NOT_FOUND;
	snprintf(o->status, sizeof o->status, "%s", json_string_value(json_object_get(row, "status")));
	json_decref(row);
	return DB_OK;
}

static int update_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	int rc = status_of(c, o);
	if (rc != DB_OK)
		return rc;
	if (strcmp(o->status, "draft"))
		return DB_CONFLICT;
	const struct order_fields *f = o->f;
	/* WHERE status = 'draft' again: the rule holds in the statement too. */
	return db_exec(
	    c,
	    "UPDATE orders SET subject = COALESCE(?, subject), body = COALESCE(?, body), period = "
	    "COALESCE(?, "
	    "period), annex = COALESCE(?, annex), signer_name = COALESCE(?, signer_name), signer_position = "
	    "COALESCE(?, signer_position), signer_capacity = COALESCE(?, signer_capacity), signer_for = "
	    "COALESCE(?, signer_for), updated_at = ?, updated_by = NULLIF(CAST(? AS BIGINT), 0) WHERE id = ? "
	    "AND status = 'draft'",
	    "ttttttttiii", f->subject, f->body, f->period, f->annex, f->signer_name, f->signer_position,
	    f->signer_capacity, f->signer_for, now(), o->actor, o->id);
}

int db_order_update(struct db *db, int64_t id, const struct order_fields *f, int64_t actor, char status[16])
{
	struct op o = {0};
	o.id = id;
	o.f = f;
	o.actor = actor;
	int rc = db_write(db, update_fn, &o);
	if (status)
		memcpy(status, o.status, sizeof o.status);
	return rc;
}

/* ---- numbering ---- */

static int taken(struct dbc *c, const char *office, int year_be, int64_t number, bool *is)
{
	int64_t n = 0;
	int rc = db_query_int(
	    c, &n, "SELECT COUNT(*) AS n FROM orders WHERE office_code = ? AND year_be = ? AND number = ?",
	    "tii", office, (int64_t)year_be, number);
	*is = n > 0;
	return rc < 0 ? rc : DB_OK;
}

static int counter_next(struct dbc *c, const char *office, int year_be, int64_t *next)
{
	*next = 1;
	int rc = db_query_int(c, next,
	                      "SELECT next_number FROM order_counters WHERE office_code = ? AND year_be = ?",
	                      "ti", office, (int64_t)year_be);
	return rc < 0 ? rc : DB_OK;
}

static int counter_store(struct dbc *c, const char *office, int year_be, int64_t next)
{
	return db_exec(
	    c,
	    "INSERT INTO order_counters (office_code, year_be, next_number) VALUES (?, ?, ?) ON CONFLICT "
	    "(office_code, year_be) DO UPDATE SET next_number = excluded.next_number",
	    "tii", office, (int64_t)year_be, next);
}

static int issue_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	o->why = ORDER_ISSUE_OK;
	int rc;
	json_t *row = db_query_row(
	    c, &rc, "SELECT office_code, status, amends, cancels FROM orders WHERE id = ?", "i", o->id);
	if (!row)
		return rc < 0 ? rc : DB_NOT_FOUND;
	char office[16];
	snprintf(office, sizeof office, "%s", json_string_value(json_object_get(row, "office_code")));
	bool draft = !strcmp(json_string_value(json_object_get(row, "status")), "draft");
	int64_t target = json_integer_value(json_object_get(row, "cancels"));
	if (!target)
		target = json_integer_value(json_object_get(row, "amends"));
	json_decref(row);
	if (!draft) {
		o->why = ORDER_ISSUE_NOT_DRAFT;
		return DB_CONFLICT;
	}
	if (target) {
		json_t *t = db_query_row(c, &rc, "SELECT status FROM orders WHERE id = ?", "i", target);
		if (!t)
			return rc < 0 ? rc : DB_NOT_FOUND;
		bool issued = !strcmp(json_string_value(json_object_get(t, "status")), "issued");
		json_decref(t);
		int64_t n = 0;
		rc = db_query_int(c, &n,
		                  "SELECT COUNT(*) AS n FROM orders WHERE cancels = ? AND status = 'issued'",
		                  "i", target);
		if (rc < 0)
			return rc;
		if (!issued || n > 0) {
			o->why = !issued ? ORDER_ISSUE_TARGET_DRAFT : ORDER_ISSUE_TARGET_CANCELLED;
			return DB_CONFLICT;
		}
	}
	struct civil_day d;
	if (thai_day_parse(o->day, &d) != 0)
		return DB_ERROR;
	int y = thai_year_be(d.y);
	int64_t next, number = o->number;
	bool is;
	if ((rc = counter_next(c, office, y, &next)) != DB_OK)
		return rc;
	if (number > 0) {
		if ((rc = taken(c, office, y, number, &is)) != DB_OK)
			return rc;
		if (is) {
			o->why = ORDER_ISSUE_NUMBER_TAKEN;
			return DB_CONFLICT;
		}
	} else {
		/* The counter's number, past any entered by hand. */
		for (number = next;; number++) {
			if ((rc = taken(c, office, y, number, &is)) != DB_OK)
				return rc;
			if (!is)
				break;
		}
	}
	if (number >= next && (rc = counter_store(c, office, y, number + 1)) != DB_OK)
		return rc;
	rc = db_exec(
	    c,
	    "UPDATE orders SET status = 'issued', number = ?, year_be = ?, issued_on = ?, issued_at = ?, "
	    "issued_by = NULLIF(CAST(? AS BIGINT), 0), updated_at = ? WHERE id = ? AND status = 'draft'",
	    "iitiiii", number, (int64_t)y, o->day, now(), o->actor, now(), o->id);
	if (rc != DB_OK)
		return rc;
	o->out_number = number;
	o->year_be = y;
	return DB_OK;
}

int db_order_issue(struct db *db, int64_t id, const char *day, int64_t number, int64_t actor,
                   int64_t *out_number, int *year_be, enum order_issue_refusal *why)
{
	struct op o = {0};
	o.id = id;
	o.day = day;
	o.number = number;
	o.actor = actor;
	/* db_tx: a read-modify-write of the counter, SERIALIZABLE on
	 * PostgreSQL (retried on a conflict), BEGIN IMMEDIATE on SQLite; the
	 * UNIQUE (office, year, number) constraint backs it. */
	int rc = db_tx(db, issue_fn, &o);
	if (why)
		*why = o.why;
	if (rc == DB_OK) {
		*out_number = o.out_number;
		*year_be = o.year_be;
	}
	if (rc == DB_CONSTRAINT && why) {
		*why = ORDER_ISSUE_NUMBER_TAKEN;
		rc = DB_CONFLICT;
	}
	return rc;
}

static int withdraw_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	int rc = status_of(c, o);
	if (rc != DB_OK)
		return rc;
	if (strcmp(o->status, "draft"))
		return DB_CONFLICT;
	return db_exec(c,
	               "UPDATE orders SET status = 'withdrawn', updated_at = ?, updated_by = NULLIF(CAST(? "
	               "AS BIGINT), 0) "
	               "WHERE id = ? AND status = 'draft'",
	               "iii", now(), o->actor, o->id);
}

int db_order_withdraw(struct db *db, int64_t id, int64_t actor)
{
	struct op o = {0};
	o.id = id;
	o.actor = actor;
	return db_write(db, withdraw_fn, &o);
}

/* ---- the register ---- */

static int list_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	json_decref(o->out);
	/* LIKE with the pattern's own % and _ escaped. */
	char pat[512];
	size_t k = 0;
	pat[k++] = '%';
	for (const char *s = o->q; *s && k < sizeof pat - 3; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			pat[k++] = '\\';
		pat[k++] = *s;
	}
	pat[k++] = '%';
	pat[k] = '\0';
	o->out = db_query_json(
	    c,
	    "SELECT o.id, o.kind, o.status, o.subject, o.number, o.year_be, o.issued_on, o.amends, "
	    "o.cancels, "
	    "(SELECT COUNT(*) FROM orders x WHERE x.cancels = o.id AND x.status = 'issued') AS cancelled_n "
	    "FROM orders o WHERE o.office_code = ? AND (CAST(? AS BIGINT) = 0 OR o.year_be = CAST(? AS "
	    "BIGINT)) "
	    "AND (o.subject LIKE ? ESCAPE '\\' OR o.body LIKE ? ESCAPE '\\' OR "
	    "(CAST(o.number AS TEXT) || '/' || CAST(o.year_be AS TEXT)) LIKE ? ESCAPE '\\') "
	    "ORDER BY CASE WHEN o.status = 'issued' THEN 0 ELSE 1 END, o.year_be DESC, o.number DESC, o.id "
	    "DESC",
	    "tiittt", o->office, (int64_t)o->year_be, (int64_t)o->year_be, pat, pat, pat);
	return o->out ? DB_OK : DB_ERROR;
}

json_t *db_orders_list(struct db *db, const char *office, const char *q, int year_be)
{
	struct op o = {0};
	o.office = office;
	o.q = q ? q : "";
	o.year_be = year_be;
	if (db_read(db, list_fn, &o) != DB_OK) {
		json_decref(o.out);
		return NULL;
	}
	size_t i;
	json_t *r;
	json_array_foreach(o.out, i, r)
	{
		json_object_set_new(r, "cancelled",
		                    json_boolean(json_integer_value(json_object_get(r, "cancelled_n")) > 0));
		json_object_del(r, "cancelled_n");
	}
	return o.out;
}

static int counter_set_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	bool is;
	int rc = taken(c, o->office, o->year_be, o->number, &is);
	if (rc != DB_OK)
		return rc;
	if (is)
		return DB_CONSTRAINT;
	return counter_store(c, o->office, o->year_be, o->number);
}

int db_order_counter_set(struct db *db, const char *office, int year_be, int64_t next, int64_t actor)
{
	struct op o = {0};
	o.office = office;
	o.year_be = year_be;
	o.number = next;
	o.actor = actor;
	return db_tx(db, counter_set_fn, &o);
}

static int counter_get_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	return counter_next(c, o->office, o->year_be, &o->number);
}

int db_order_counter_get(struct db *db, const char *office, int year_be, int64_t *next)
{
	struct op o = {0};
	o.office = office;
	o.year_be = year_be;
	int rc = db_read(db, counter_get_fn, &o);
	if (rc == DB_OK)
		*next = o.number;
	return rc;
}

/* ---- templates and signers ---- */

static int template_get_fn(struct dbc *c, void *arg)
{
	struct op *o = arg;
	json_decref(o->out);
	int rc;
	o->out = db_query_row(
	    c, &rc,
	    "SELECT unit_code, subject, body FROM order_templates WHERE kind = ? AND unit_code IN (?, '0') "
	    "ORDER BY CASE WHEN unit_code = '0' THEN 1 ELSE 0 END",
	    "tt", o->kind, o->office);
	return rc < 0 ? rc : DB_OK;
}

json_t *db_order_template_get(struct db *db, const char *province, const char *kind, int *rc)
{
	struct op o = {0};
	o.office = province;
	o.kind = kind;
	int r = db_read(db, template_get_fn, &o);
	if (rc)
		*rc = r;
	if (r != DB_OK) {
		json_decref(o.out);
		return NULL;
	}
	return o.out;
}

struct tput {
	const char *unit, *kind, *subject, *body, *capacity, *for_position;
	int64_t actor;
	json_t *out;
};

static int template_put_fn(struct dbc *c, void *arg)
{
	struct tput *t = arg;
	return db_exec(
	    c,
	    "INSERT INTO order_templates (unit_code, kind, subject, body, updated_at, updated_by) VALUES (?, "
	    "?, "
	    "?, ?, ?, NULLIF(CAST(? AS BIGINT), 0)) ON CONFLICT (unit_code, kind) DO UPDATE SET subject = "
	    "excluded.subject, body = excluded.body, updated_at = excluded.updated_at, updated_by = "
	    "excluded.updated_by",
	    "ttttii", t->unit, t->kind, t->subject, t->body, now(), t->actor);
}

int db_order_template_put(struct db *db, const char *unit, const char *kind, const char *subject,
                          const char *body, int64_t actor)
{
	struct tput t = {unit, kind, subject, body, NULL, NULL, actor, NULL};
	return db_write(db, template_put_fn, &t);
}

static int signer_get_fn(struct dbc *c, void *arg)
{
	struct tput *t = arg;
	json_decref(t->out);
	int rc;
	t->out = db_query_row(
	    c, &rc,
	    "SELECT name_th, position_th, capacity, for_position FROM order_signers WHERE unit_code = ?", "t",
	    t->unit);
	return rc < 0 ? rc : rc == DB_ROW ? DB_OK : DB_DONE;
}

json_t *db_order_signer_get(struct db *db, const char *office, int *rc)
{
	struct tput t = {office, NULL, NULL, NULL, NULL, NULL, 0, NULL};
	int r = db_read(db, signer_get_fn, &t);
	if (rc)
		*rc = r;
	if (r != DB_OK) {
		json_decref(t.out);
		return NULL;
	}
	return t.out;
}

static int signer_put_fn(struct dbc *c, void *arg)
{
	struct tput *t = arg;
	return db_exec(
	    c,
	    "INSERT INTO order_signers (unit_code, name_th, position_th, capacity, for_position, updated_at, "
	    "updated_by) VALUES (?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0)) ON CONFLICT (unit_code) DO "
	    "UPDATE SET name_th = excluded.name_th, position_th = excluded.position_th, capacity = "
	    "excluded.capacity, for_position = excluded.for_position, updated_at = excluded.updated_at, "
	    "updated_by = excluded.updated_by",
	    "tttttii", t->unit, t->subject, t->body, t->capacity, t->for_position, now(), t->actor);
}

int db_order_signer_put(struct db *db, const char *office, const char *name, const char *position,
                        const char *capacity, const char *for_position, int64_t actor)
{
	struct tput t = {office, NULL, name, position, capacity, for_position, actor, NULL};
	return db_write(db, signer_put_fn, &t);
}
