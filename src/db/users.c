#include "db/users.h"

#include "db/db.h"

struct create {
	const char *username, *display_name, *role, *unit_code, *hash;
	int64_t now, id;
};

static int create_fn(struct dbc *c, void *arg)
{
	struct create *a = arg;
	return db_insert_id(
	    c, &a->id,
	    "INSERT INTO users (username, display_name, role, unit_code, password_hash, disabled, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
	    "tttttii", a->username, a->display_name, a->role, a->unit_code, a->hash, a->now, a->now);
}

int db_user_create(struct db *db, const char *username, const char *display_name, const char *role,
                   const char *unit_code, const char *password_hash, int64_t now, int64_t *id)
{
	struct create a = {username, display_name, role, unit_code, password_hash, now, 0};
	int rc = db_tx(db, create_fn, &a);
	if (rc == DB_OK && id)
		*id = a.id;
	return rc;
}

struct q {
	const char *s;
	int64_t id;
	json_t *out;
};

static int by_name_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	int rc;
	q->out = db_query_row(c, &rc,
	                      "SELECT id, username, display_name, role, unit_code, password_hash, disabled "
	                      "FROM users WHERE username = ?",
	                      "t", q->s);
	return q->out ? DB_OK : rc;
}

json_t *db_user_lookup(struct db *db, const char *username, int *rc)
{
	struct q q = {username, 0, NULL};
	int r = db_read(db, by_name_fn, &q);
	if (rc)
		*rc = q.out ? DB_ROW : r == DB_OK || r == DB_DONE ? DB_DONE : r;
	return q.out;
}

json_t *db_user_find_by_name(struct db *db, const char *username)
{
	return db_user_lookup(db, username, NULL);
}

static int by_id_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	int rc;
	q->out = db_query_row(
	    c, &rc,
	    "SELECT u.id, u.username, u.display_name, u.role, u.unit_code, n.name_th AS unit_name, "
	    "u.disabled FROM users u JOIN units n ON n.code = u.unit_code WHERE u.id = ?",
	    "i", q->id);
	return q->out ? DB_OK : rc;
}

json_t *db_user_find(struct db *db, int64_t id)
{
	struct q q = {NULL, id, NULL};
	db_read(db, by_id_fn, &q);
	return q.out;
}

static int scope_fn(struct dbc *c, void *arg)
{
	struct q *q = arg;
	q->out = db_query_json(
	    c,
	    "SELECT u.id, u.username, u.display_name, u.role, u.unit_code, n.name_th AS unit_name, "
	    "u.disabled FROM users u JOIN units n ON n.code = u.unit_code "
	    "WHERE ? = '0' OR n.code = ? OR n.parent_code = ? ORDER BY u.unit_code, u.username",
	    "ttt", q->s, q->s, q->s);
	return q->out ? DB_OK : DB_ERROR;
}

json_t *db_users_in_scope(struct db *db, const char *unit)
{
	struct q q = {unit, 0, NULL};
	db_read(db, scope_fn, &q);
	return q.out;
}

struct pw {
	const char *username, *hash;
	int64_t now, changed;
};

static int passwd_fn(struct dbc *c, void *arg)
{
	struct pw *a = arg;
	int rc = db_exec(c, "UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?", "tit",
	                 a->hash, a->now, a->username);
	if (rc != DB_OK)
		return rc;
	rc = db_query_int(c, &a->changed, "SELECT id FROM users WHERE username = ?", "t", a->username);
	if (rc == DB_ROW)
		rc = db_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", a->changed);
	return rc == DB_DONE ? DB_DONE : rc;
}

int db_user_set_password(struct db *db, const char *username, const char *password_hash, int64_t now)
{
	struct pw a = {username, password_hash, now, 0};
	return db_tx(db, passwd_fn, &a);
}

struct dis {
	int64_t id, disabled, now;
};

static int disable_fn(struct dbc *c, void *arg)
{
	struct dis *a = arg;
	int rc = db_exec(c, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", "iii", a->disabled,
	                 a->now, a->id);
	if (rc == DB_OK && a->disabled)
		rc = db_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", a->id);
	return rc;
}

int db_user_set_disabled(struct db *db, int64_t id, int disabled, int64_t now)
{
	struct dis a = {id, disabled, now};
	return db_tx(db, disable_fn, &a);
}
