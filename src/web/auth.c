/* GET/POST /login, POST /logout.
 *
 * Passwords are argon2id (lib/crypto); the session token travels only in an
 * HttpOnly cookie and is stored hashed.
 *
 * A POST /login from another site (its Origin, or Sec-Fetch-Site:
 * cross-site) is refused before anything is read or stored (login CSRF:
 * core/origin). Throttling follows core/throttle's rules over what
 * db_login_begin counts; the attempt is recorded, as a failure, before the
 * password is checked, and turned into a success afterwards. Every lockout
 * (the failure that reaches a limit) is logged and audit-logged. Where the
 * browser goes afterwards is origin_next_path's decision: a refused `next`
 * becomes /home and the login itself goes on. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/origin.h"
#include "core/perm.h"
#include "core/text.h"
#include "core/throttle.h"
#include "db/db.h"
#include "db/users.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/web.h"

/* Longest username looked up (created ones are at most 32 bytes). */
#define LOGIN_USERNAME_MAX 64

struct throttle_policy auth_throttle_policy(void)
{
	const struct config *c = app->cfg;
	return (struct throttle_policy){.window = c->login_window,
	                                .pair_limit = c->login_max_fails,
	                                .address_limit = c->login_address_max_fails,
	                                .delay = c->login_delay};
}

static void login_form(struct req *r)
{
	char next[ORIGIN_NEXT_BUF];
	origin_next_path(req_query(r, "next"), next);
	if (web_user(r)) {
		reply_redirect(r, 303, next);
		return;
	}
	json_t *m = json_pack("{s:s, s:s, s:s}", "page_title", "เข้าสู่ระบบ", "next", next, "username", "");
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
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	password_hash(dummy_hash, "osspoint-timing-equaliser");
}

/* 429: a delay (throttled) or a lock (login-locked), with Retry-After. */
static void login_throttled(struct req *r, const struct login_begin *b, const char *username, const char *ip,
                            const char *next)
{
	char retry[32], msg[512];
	snprintf(retry, sizeof retry, "%lld", (long long)b->retry_after);
	reply_header(r, "Retry-After", retry);
	log_info("login throttled (%s): user=%s ip=%s retry-after=%s", throttle_lock_name(b->verdict),
	         username, ip, retry);
	long long minutes = (b->retry_after + 59) / 60;
	switch (b->verdict) {
	case THROTTLE_DELAYED:
		snprintf(msg, sizeof msg, "ใส่รหัสผ่านผิดหลายครั้ง กรุณารอ %lld วินาทีแล้วลองใหม่",
		         (long long)b->retry_after);
		login_failed(r, 429, ERR_THROTTLED, "username", username, next, msg);
		return;
	case THROTTLE_ACCOUNT_LOCKED:
		snprintf(msg, sizeof msg,
		         "บัญชีนี้ถูกล็อกชั่วคราว เพราะมีการใส่รหัสผ่านผิดจากหลายแห่ง กรุณารอประมาณ %lld นาที "
		         "หรือติดต่อผู้ดูแลระบบให้ปลดล็อก",
		         minutes);
		break;
	case THROTTLE_ADDRESS_LOCKED:
		snprintf(msg, sizeof msg,
		         "มีการใส่รหัสผ่านผิดจากเครือข่ายนี้มากเกินไป กรุณารอประมาณ %lld นาทีแล้วลองใหม่ "
		         "หรือติดต่อผู้ดูแลระบบ",
		         minutes);
		break;
	default:
		snprintf(msg, sizeof msg,
		         "ใส่รหัสผ่านผิดหลายครั้งเกินไป บัญชีนี้จึงถูกล็อกชั่วคราวสำหรับการเข้าสู่ระบบจากเครื่องนี้ "
		         "กรุณารอประมาณ %lld นาที หรือติดต่อผู้ดูแลระบบให้ปลดล็อก",
		         minutes);
		break;
	}
	login_failed(r, 429, ERR_LOGIN_LOCKED, "username", username, next, msg);
}

/* A failed password: logs and audits each lock this failure starts. */
static void login_lockouts(const struct throttle_policy *p, const struct login_begin *b, const char *username,
                           const char *ip, int64_t now)
{
	unsigned locks = throttle_lockouts(p, &b->counts);
	static const enum throttle_verdict kinds[] = {THROTTLE_PAIR_LOCKED, THROTTLE_ACCOUNT_LOCKED,
	                                              THROTTLE_ADDRESS_LOCKED};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (!(locks & (1u << kinds[i])))
			continue;
		const char *kind = throttle_lock_name(kinds[i]);
		log_warn("login lockout (%s): user=%s ip=%s", kind, username, ip);
		if (db_audit_add(app->db, now, 0, "login.lockout", username, kind, ip) < 0)
			log_error("audit: could not record login.lockout %s", username);
	}
}

static void login(struct req *r)
{
	char next[ORIGIN_NEXT_BUF];
	origin_next_path(req_form(r, "next"), next);
	const char *public_url = __atomic_load_n(&app->public_url, __ATOMIC_ACQUIRE);
	if (origin_login_cross_site(req_header(r, "Origin"), req_header(r, "Sec-Fetch-Site"),
	                            req_header(r, "Host"), public_url)) {
		log_info("login refused: cross-site request from ip=%s", req_client_ip(r));
		login_failed(r, 403, ERR_LOGIN_CROSS_SITE, NULL, "", next,
		             "เข้าสู่ระบบได้จากหน้าเข้าสู่ระบบของเว็บไซต์นี้เท่านั้น กรุณาเปิดหน้าเข้าสู่ระบบแล้วลองอีกครั้ง");
		return;
	}
	const char *username = web_field(r, "username");
	const char *password = req_form(r, "password");
	const char *ip = req_client_ip(r);
	if (!*username) {
		login_failed(r, 422, ERR_INVALID, "username", "", next, "กรุณากรอกชื่อผู้ใช้");
		return;
	}
	if (strlen(username) > LOGIN_USERNAME_MAX ||
	    text_check((struct text_span){username, strlen(username)}, 0) != TEXT_OK) {
		login_failed(r, 422, ERR_INVALID, "username", "", next,
		             "ชื่อผู้ใช้ต้องยาวไม่เกิน 64 ตัวอักษร และไม่มีอักขระควบคุม");
		return;
	}
	if (!password || !*password) {
		login_failed(r, 422, ERR_INVALID, "password", username, next, "กรุณากรอกรหัสผ่าน");
		return;
	}
	int64_t now = (int64_t)time(NULL);
	char key[THROTTLE_KEY_LEN];
	throttle_key(ip, key);
	struct throttle_policy policy = auth_throttle_policy();
	struct login_begin b;
	if (db_login_begin(app->db, username, key, now, &policy, &b) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (b.verdict != THROTTLE_ALLOW) {
		login_throttled(r, &b, username, ip, next);
		return;
	}
	int urc;
	json_t *user = db_user_lookup(app->db, username, &urc);
	if (urc < 0) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	const char *hash = user ? json_string_value(json_object_get(user, "password_hash")) : NULL;
	pthread_once(&dummy_once, dummy_init);
	bool ok = password_verify(hash ? hash : dummy_hash, password) && user &&
	          json_integer_value(json_object_get(user, "disabled")) == 0;
	if (!ok) {
		json_decref(user);
		login_lockouts(&policy, &b, username, ip, now);
		login_failed(r, 401, ERR_LOGIN_FAILED, "password", username, next, "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง");
		return;
	}
	int64_t uid = json_integer_value(json_object_get(user, "id"));
	json_decref(user);
	char token[TOKEN_LEN], thash[TOKEN_HASH_LEN], csrf[TOKEN_LEN];
	token_new(token);
	token_new(csrf);
	token_hash(thash, token);
	if (db_login_succeeded(app->db, b.attempt_id, username, key) != DB_OK ||
	    db_session_create(app->db, uid, thash, csrf, now, now + app->cfg->session_ttl, ip) != DB_OK) {
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
