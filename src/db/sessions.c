#include "db/sessions.h"

#include <stdio.h>
#include <string.h>

#include "core/perm.h"
#include "db/db.h"

struct lookup {
	const char *token_hash;
	int64_t now, idle;
	struct session_user *out;
};

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static int lookup_fn(struct dbc *c, void *arg)
{
	struct lookup *l = arg;
	struct db_stmt *st =
	    db_prepare(c, "SELECT s.id, s.csrf, s.last_seen, u.id, u.username, u.display_name, "
	                  "u.role, u.unit_code, n.name_th FROM sessions s "
	                  "JOIN users u ON u.id = s.user_id JOIN units n ON n.code = u.unit_code "
	                  "WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen > ? "
	                  "AND u.disabled = 0");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, l->token_hash);
	db_bind_int(st, 2, l->now);
	db_bind_int(st, 3, l->now - l->idle);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		struct session_user *u = l->out;
		u->session_id = db_col_int(st, 0);
		copy(u->csrf, sizeof u->csrf, db_col_text(st, 1));
		u->last_seen = db_col_int(st, 2);
		u->id = db_col_int(st, 3);
		copy(u->username, sizeof u->username, db_col_text(st, 4));
		copy(u->display_name, sizeof u->display_name, db_col_text(st, 5));
		u->role = role_from_name(db_col_text(st, 6));
		copy(u->unit_code, sizeof u->unit_code, db_col_text(st, 7));
		copy(u->unit_name, sizeof u->unit_name, db_col_text(st, 8));
	}
	db_finish(st);
	return rc;
}

int db_session_lookup(struct db *db, const char *token_hash, int64_t now, int64_t idle_secs,
                      struct session_user *out)
{
	struct lookup l = {token_hash, now, idle_secs, out};
	return db_read(db, lookup_fn, &l);
}

struct create {
	int64_t user_id;
	const char *token_hash, *csrf, *ip;
	int64_t now, expires;
};

static int create_fn(struct dbc *c, void *arg)
{
	struct create *a = arg;
	return db_exec(
	    c,
	    "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at, ip) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "titiiit", a->token_hash, a->user_id, a->csrf, a->now, a->now, a->expires, a->ip);
}

int db_session_create(struct db *db, int64_t user_id, const char *token_hash, const char *csrf, int64_t now,
                      int64_t expires_at, const char *ip)
{
	struct create a = {user_id, token_hash, csrf, ip, now, expires_at};
	return db_tx(db, create_fn, &a);
}

struct idtime {
	int64_t id, t;
};

static int touch_fn(struct dbc *c, void *arg)
{
	struct idtime *a = arg;
	return db_exec(c, "UPDATE sessions SET last_seen = ? WHERE id = ?", "ii", a->t, a->id);
}

int db_session_touch(struct db *db, int64_t session_id, int64_t now)
{
	struct idtime a = {session_id, now};
	return db_tx(db, touch_fn, &a);
}

static int delete_fn(struct dbc *c, void *arg)
{
	return db_exec(c, "DELETE FROM sessions WHERE id = ?", "i", *(int64_t *)arg);
}

int db_session_delete(struct db *db, int64_t session_id)
{
	return db_tx(db, delete_fn, &session_id);
}

static int delete_user_fn(struct dbc *c, void *arg)
{
	return db_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", *(int64_t *)arg);
}

int db_session_delete_user(struct db *db, int64_t user_id)
{
	return db_tx(db, delete_user_fn, &user_id);
}

static int purge_fn(struct dbc *c, void *arg)
{
	struct idtime *a = arg;
	int rc = db_exec(c, "DELETE FROM sessions WHERE expires_at <= ?", "i", a->id);
	if (rc == DB_OK)
		rc = db_exec(c, "DELETE FROM login_attempts WHERE at < ?", "i", a->t);
	return rc;
}

int db_session_purge(struct db *db, int64_t now, int64_t before)
{
	struct idtime a = {now, before};
	return db_tx(db, purge_fn, &a);
}

/* ---- login attempts ---- */

/* Integer column `col` of a one-row query's answer. */
static int64_t col(json_t *row, const char *name)
{
	return json_integer_value(json_object_get(row, name));
}

struct begin {
	const char *username, *key;
	int64_t now;
	const struct throttle_policy *p;
	struct login_begin *out;
};

static int begin_fn(struct dbc *c, void *arg)
{
	struct begin *a = arg;
	struct login_begin *o = a->out;
	struct throttle_counts *n = &o->counts;
	memset(o, 0, sizeof *o); /* the transaction may be run again */
	int64_t since = a->now - a->p->window;
	int rc;
	json_t *row =
	    db_query_row(c, &rc,
	                 "SELECT COUNT(*) AS n, COALESCE(MIN(at), 0) AS first, COALESCE(MAX(at), 0) AS last "
	                 "FROM login_attempts WHERE username = ? AND ip = ? AND ok = 0 AND at >= ?",
	                 "tti", a->username, a->key, since);
	if (!row)
		return rc < 0 ? rc : DB_ERROR;
	n->pair = col(row, "n"), n->pair_first = col(row, "first"), n->pair_last = col(row, "last");
	json_decref(row);
	row = db_query_row(c, &rc,
	                   "SELECT COALESCE(SUM(CASE WHEN t.n > CAST(? AS BIGINT) THEN CAST(? AS BIGINT) "
	                   "ELSE t.n END), 0) AS n, COALESCE(MIN(t.first), 0) AS first FROM "
	                   "(SELECT COUNT(*) AS n, MIN(at) AS first FROM login_attempts "
	                   "WHERE username = ? AND ok = 0 AND at >= ? GROUP BY ip) AS t",
	                   "iiti", a->p->pair_limit, a->p->pair_limit, a->username, since);
	if (!row)
		return rc < 0 ? rc : DB_ERROR;
	n->account = col(row, "n"), n->account_first = col(row, "first");
	json_decref(row);
	row = db_query_row(c, &rc,
	                   "SELECT COUNT(*) AS n, COALESCE(MIN(at), 0) AS first FROM login_attempts "
	                   "WHERE ip = ? AND ok = 0 AND at >= ?",
	                   "ti", a->key, since);
	if (!row)
		return rc < 0 ? rc : DB_ERROR;
	n->address = col(row, "n"), n->address_first = col(row, "first");
	json_decref(row);
	int64_t known = 0;
	rc = db_query_int(c, &known,
	                  "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM login_attempts "
	                  "WHERE username = ? AND ip = ? AND ok = 1 AND at >= ? LIMIT 1) AS t",
	                  "tti", a->username, a->key, a->now - (int64_t)THROTTLE_KNOWN_DAYS * 86400);
	if (rc < 0)
		return rc;
	n->known = known > 0;
	o->verdict = throttle_check(a->p, n, a->now, &o->retry_after);
	if (o->verdict != THROTTLE_ALLOW)
		return DB_OK;
	return db_insert_id(c, &o->attempt_id,
	                    "INSERT INTO login_attempts (username, ip, at, ok) VALUES (?, ?, ?, 0)", "tti",
	                    a->username, a->key, a->now);
}

int db_login_begin(struct db *db, const char *username, const char *key, int64_t now,
                   const struct throttle_policy *p, struct login_begin *out)
{
	struct begin a = {username, key, now, p, out};
	return db_tx(db, begin_fn, &a);
}

struct succeeded {
	int64_t id;
	const char *username, *key;
};

static int succeeded_fn(struct dbc *c, void *arg)
{
	struct succeeded *a = arg;
	int rc = db_exec(c, "UPDATE login_attempts SET ok = 1 WHERE id = ?", "i", a->id);
	if (rc == DB_OK)
		rc = db_exec(c, "DELETE FROM login_attempts WHERE username = ? AND ip = ? AND ok = 0", "tt",
		             a->username, a->key);
	return rc;
}

int db_login_succeeded(struct db *db, int64_t attempt_id, const char *username, const char *key)
{
	struct succeeded a = {attempt_id, username, key};
	return db_tx(db, succeeded_fn, &a);
}

struct unlock {
	const char *username;
	int64_t cleared;
};

static int unlock_fn(struct dbc *c, void *arg)
{
	struct unlock *a = arg;
	int rc = db_query_int(c, &a->cleared,
	                      "SELECT COUNT(*) AS n FROM login_attempts WHERE username = ? AND ok = 0", "t",
	                      a->username);
	if (rc < 0)
		return rc;
	return db_exec(c, "DELETE FROM login_attempts WHERE username = ? AND ok = 0", "t", a->username);
}

int db_login_unlock(struct db *db, const char *username, int64_t *cleared)
{
	struct unlock a = {username, 0};
	int rc = db_tx(db, unlock_fn, &a);
	if (cleared)
		*cleared = rc == DB_OK ? a.cleared : 0;
	return rc;
}

struct stats {
	int64_t since, cap;
	json_t *out;
};

static int stats_fn(struct dbc *c, void *arg)
{
	struct stats *a = arg;
	a->out = db_query_json(
	    c,
	    "SELECT t.username AS username, MAX(t.n) AS worst, "
	    "SUM(CASE WHEN t.n > CAST(? AS BIGINT) THEN CAST(? AS BIGINT) ELSE t.n END) AS account "
	    "FROM (SELECT a.username AS username, a.ip AS ip, COUNT(*) AS n "
	    "FROM login_attempts a JOIN users u ON u.username = a.username "
	    "WHERE a.ok = 0 AND a.at >= ? GROUP BY a.username, a.ip) AS t GROUP BY t.username",
	    "iii", a->cap, a->cap, a->since);
	return a->out ? DB_OK : DB_ERROR;
}

json_t *db_login_failure_stats(struct db *db, int64_t since, int64_t pair_cap)
{
	struct stats a = {since, pair_cap, NULL};
	if (db_read(db, stats_fn, &a) != DB_OK) {
		json_decref(a.out);
		return NULL;
	}
	json_t *by_name = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(a.out, i, row)
	{
		json_object_set_new(by_name, json_string_value(json_object_get(row, "username")),
		                    json_pack("{s:I, s:I}", "worst", (json_int_t)col(row, "worst"), "account",
		                              (json_int_t)col(row, "account")));
	}
	json_decref(a.out);
	return by_name;
}

struct audit {
	int64_t now, user_id;
	const char *action, *target, *detail, *ip;
};

static int audit_fn(struct dbc *c, void *arg)
{
	struct audit *a = arg;
	if (a->user_id)
		return db_exec(c,
		               "INSERT INTO audit_log (at, user_id, action, target, detail, ip) "
		               "VALUES (?, ?, ?, ?, ?, ?)",
		               "iitttt", a->now, a->user_id, a->action, a->target, a->detail, a->ip);
	return db_exec(
	    c, "INSERT INTO audit_log (at, user_id, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)",
	    "intttt", a->now, a->action, a->target, a->detail, a->ip);
}

int db_audit_add(struct db *db, int64_t now, int64_t user_id, const char *action, const char *target,
                 const char *detail, const char *ip)
{
	struct audit a = {now, user_id, action, target ? target : "", detail ? detail : "", ip ? ip : ""};
	return db_tx(db, audit_fn, &a);
}
