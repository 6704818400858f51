/* GET/POST /login, POST /logout.
 *
 * Passwords are argon2id (lib/crypto); the session token travels only in an
 * HttpOnly cookie and is stored hashed. Failed logins are counted per username
 * and per client address over a window; past the limit the answer is 429 until
 * the window has passed, whatever the password. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "db/db.h"
#include "db/users.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/web.h"

/* Where to go after login: only a local absolute path. */
static const char *safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n"))
		return "/home";
	return next;
}

static void login_form(struct req *r)
{
	if (web_user(r)) {
		reply_redirect(r, 303, safe_next(req_query(r, "next")));
		return;
	}
	const char *next = req_query(r, "next");
	json_t *m =
	    json_pack("{s:s, s:s, s:s}", "page_title", "เข้าสู่ระบบ", "next", safe_next(next), "username", "");
	reply_model(r, 200, "login", m);
}

static void login_failed(struct req *r, int status, enum err code, const char *field, const char *username,
                         const char *next, const char *message)
{
	if (req_wants_json(r) || req_is_json_body(r)) {
		reply_error(r, code, field, message);
		return;
	}
	json_t *m = json_pack("{s:s, s:s, s:s, s:s}", "page_title", "เข้าสู่ระบบ", "next", next, "username",
	                      username, "error", message);
	reply_model(r, status, "login", m);
}

/* A real-looking hash to verify against when the username does not exist, so
 * the answer takes as long as for a wrong password. */
static char dummy_hash[PASSWORD_HASH_LEN];

static void login(struct req *r)
{
	const char *username = web_field(r, "username");
	const char *password = req_form(r, "password");
	const char *next = safe_next(req_form(r, "next"));
	const char *ip = req_client_ip(r);
	if (!*username) {
		login_failed(r, 422, ERR_INVALID, "username", "", next, "กรุณากรอกชื่อผู้ใช้");
		return;
	}
	if (!password || !*password) {
		login_failed(r, 422, ERR_INVALID, "password", username, next, "กรุณากรอกรหัสผ่าน");
		return;
	}
	int64_t now = (int64_t)time(NULL), by_user = 0, by_ip = 0;
	if (db_login_failures(app->db, username, ip, now - app->cfg->login_window, &by_user, &by_ip) < 0) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (by_user >= app->cfg->login_max_fails || by_ip >= 4 * app->cfg->login_max_fails) {
		char retry[32];
		snprintf(retry, sizeof retry, "%ld", app->cfg->login_window);
		reply_header(r, "Retry-After", retry);
		log_info("login throttled: user=%s ip=%s", username, ip);
		login_failed(r, 429, ERR_THROTTLED, "username", username, next,
		             "ใส่รหัสผ่านผิดหลายครั้งเกินไป กรุณารอ 15 นาทีแล้วลองใหม่ หรือติดต่อผู้ดูแลระบบ");
		return;
	}
	json_t *user = db_user_find_by_name(app->db, username);
	const char *hash = user ? json_string_value(json_object_get(user, "password_hash")) : NULL;
	if (!dummy_hash[0])
		password_hash(dummy_hash, "osspoint-timing-equaliser");
	bool ok = password_verify(hash ? hash : dummy_hash, password) && user &&
	          json_integer_value(json_object_get(user, "disabled")) == 0;
	db_login_attempt_add(app->db, username, ip, now, ok);
	if (!ok) {
		json_decref(user);
		login_failed(r, 401, ERR_LOGIN_FAILED, "password", username, next, "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง");
		return;
	}
	int64_t uid = json_integer_value(json_object_get(user, "id"));
	json_decref(user);
	char token[TOKEN_LEN], thash[TOKEN_HASH_LEN], csrf[TOKEN_LEN];
	token_new(token);
	token_new(csrf);
	token_hash(thash, token);
	if (db_session_create(app->db, uid, thash, csrf, now, now + app->cfg->session_ttl, ip) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	reply_cookie(r, SESSION_COOKIE, token, -1);
	db_audit_add(app->db, now, uid, "login", username, NULL, ip);
	if (req_wants_json(r) || req_is_json_body(r)) {
		struct session_user su = {0};
		if (db_session_lookup(app->db, thash, now, app->cfg->session_idle, &su) != DB_ROW) {
			reply_error(r, ERR_INTERNAL, NULL, NULL);
			return;
		}
		reply_json(
		    r, 200,
		    json_pack("{s:o, s:s, s:s}", "user", web_user_model(&su), "csrf", csrf, "next", next));
		return;
	}
	reply_redirect(r, 303, next);
}

static void logout(struct req *r)
{
	const struct session_user *u = web_user(r);
	web_audit(r, "logout", u->username, NULL);
	db_session_delete(app->db, u->session_id);
	reply_cookie(r, SESSION_COOKIE, "", 0);
	if (req_wants_json(r) || req_is_json_body(r))
		reply_json(r, 200, json_pack("{s:b}", "logged_out", 1));
	else
		reply_redirect(r, 303, "/login");
}

const struct route auth_routes[] = {
    {HTTP_GET, "/login", 0, ROUTE_PUBLIC, login_form, "auth.login_form", &scope_none},
    {HTTP_POST, "/login", 0, ROUTE_PUBLIC | ROUTE_NO_CSRF, login, "auth.login", &scope_none},
    {HTTP_POST, "/logout", ROLE_OFFICER, 0, logout, "auth.logout", &scope_own},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
