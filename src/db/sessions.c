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

struct failures {
	const char *username, *ip;
	int64_t since, by_user, by_ip;
};

static int failures_fn(struct dbc *c, void *arg)
{
	struct failures *a = arg;
	a->by_user = a->by_ip = 0;
	int rc = db_query_int(c, &a->by_user,
	                      "SELECT COUNT(*) FROM login_attempts WHERE username = ? AND at >= ? AND ok = 0",
	                      "ti", a->username, a->since);
	if (rc < 0)
		return rc;
	rc = db_query_int(c, &a->by_ip,
	                  "SELECT COUNT(*) FROM login_attempts WHERE ip = ? AND at >= ? AND ok = 0", "ti",
	                  a->ip, a->since);
	return rc < 0 ? rc : DB_OK;
}

int db_login_failures(struct db *db, const char *username, const char *ip, int64_t since, int64_t *by_user,
                      int64_t *by_ip)
{
	struct failures a = {username, ip, since, 0, 0};
	int rc = db_read(db, failures_fn, &a);
	*by_user = a.by_user;
	*by_ip = a.by_ip;
	return rc;
}

struct attempt {
	const char *username, *ip;
	int64_t now;
	int ok;
};

static int attempt_fn(struct dbc *c, void *arg)
{
	struct attempt *a = arg;
	return db_exec(c, "INSERT INTO login_attempts (username, ip, at, ok) VALUES (?, ?, ?, ?)", "ttii",
	               a->username, a->ip, a->now, (int64_t)a->ok);
}

int db_login_attempt_add(struct db *db, const char *username, const char *ip, int64_t now, int ok)
{
	struct attempt a = {username, ip, now, ok};
	return db_tx(db, attempt_fn, &a);
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
