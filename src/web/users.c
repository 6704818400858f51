/* GET /users, POST /users, POST /users/{id}/disable, POST /users/{id}/enable,
 * POST /users/{id}/unlock.
 * Admins manage the users of their own unit and the units below it; the rules
 * are core/perm's perm_can_manage_user. The list marks accounts locked by the
 * login throttling (core/throttle) and unlock forgets their failed logins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "core/throttle.h"
#include "db/db.h"
#include "db/units.h"
#include "db/users.h"
#include "lib/crypto.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/web.h"

static const int roles[] = {ROLE_OFFICER, ROLE_DISTRICT_ADMIN, ROLE_PROVINCE_ADMIN, ROLE_NATIONAL_ADMIN};

/* Adds is_self, role_label, disabled (bool) and locked (bool) to each user;
 * failures is db_login_failure_stats' answer. */
static void label_users(json_t *users, int64_t self_id, json_t *failures)
{
	struct throttle_policy policy = auth_throttle_policy();
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u)
	{
		json_t *f = json_object_get(failures, web_str(u, "username"));
		json_object_set_new(
		    u, "locked",
		    json_boolean(
		        f && throttle_account_locked(&policy, json_integer_value(json_object_get(f, "worst")),
		                                     json_integer_value(json_object_get(f, "account")))));
		json_object_set_new(u, "is_self",
		                    json_boolean(json_integer_value(json_object_get(u, "id")) == self_id));
		int role = role_from_name(json_string_value(json_object_get(u, "role")));
		json_object_set_new(u, "role_label", json_string(role_label_th(role)));
		json_object_set_new(u, "disabled",
		                    json_boolean(json_integer_value(json_object_get(u, "disabled"))));
	}
}

/* The page model: users in scope, the roles and units this admin may assign,
 * and the form's current values. */
static json_t *users_model(struct req *r, json_t *form)
{
	const struct session_user *me = web_user(r);
	json_t *users = db_users_in_scope(app->db, me->unit_code);
	json_t *units = db_units_in_scope(app->db, me->unit_code);
	json_t *failures = db_login_failure_stats(app->db, (int64_t)time(NULL) - app->cfg->login_window,
	                                          app->cfg->login_max_fails);
	if (!users || !units || !failures) {
		json_decref(users);
		json_decref(units);
		json_decref(failures);
		json_decref(form);
		return NULL;
	}
	label_users(users, me->id, failures);
	json_decref(failures);
	json_t *role_list = json_array();
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (roles[i] <= me->role) {
			const char *sel = json_string_value(json_object_get(form, "role"));
			json_array_append_new(role_list,
			                      json_pack("{s:s, s:s, s:b}", "value", role_name(roles[i]),
			                                "label", role_label_th(roles[i]), "selected",
			                                sel && !strcmp(sel, role_name(roles[i]))));
		}
	size_t i;
	json_t *u;
	const char *unit_sel = json_string_value(json_object_get(form, "unit_code"));
	json_array_foreach(units, i, u)
	{
		const char *code = json_string_value(json_object_get(u, "code"));
		int level = (int)json_integer_value(json_object_get(u, "level"));
		json_object_set_new(u, "level_label", json_string(web_level_label(level, code)));
		json_object_set_new(u, "selected", json_boolean(unit_sel && !strcmp(unit_sel, code)));
	}
	return json_pack("{s:s, s:o, s:b, s:o, s:o, s:o, s:[], s:{}}", "page_title", "ผู้ใช้งาน", "users", users,
	                 "can_add", 1, "roles", role_list, "units", units, "form", form, "errors",
	                 "errors_by_field");
}

static void users_index(struct req *r)
{
	json_t *m = users_model(r, json_pack("{s:s, s:s, s:s, s:s}", "username", "", "display_name", "",
	                                     "role", "officer", "unit_code", web_user(r)->unit_code));
	if (!m) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	const char *added = req_query(r, "added"), *unlocked = req_query(r, "unlocked");
	char notice[256] = "";
	if (added && *added)
		snprintf(notice, sizeof notice, "เพิ่มผู้ใช้ %s แล้ว", added);
	else if (unlocked && *unlocked)
		snprintf(notice, sizeof notice, "ปลดล็อกการเข้าสู่ระบบของ %s แล้ว", unlocked);
	if (notice[0])
		json_object_set_new(m, "notice", json_string(notice));
	reply_model(r, 200, "users", m);
}

static bool username_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-'))
			return false;
	return true;
}

static void users_create(struct req *r)
{
	const struct session_user *me = web_user(r);
	const char *username = web_field(r, "username");
	const char *display_name = web_field(r, "display_name");
	const char *role_s = web_field(r, "role");
	const char *unit = web_field(r, "unit_code");
	const char *password = req_form(r, "password");
	json_t *errors = json_array();
	int role = role_from_name(role_s);

	if (!*username)
		web_field_error(errors, "username", "กรุณากรอกชื่อผู้ใช้");
	else if (!username_ok(username))
		web_field_error(errors, "username",
		                "ชื่อผู้ใช้ต้องยาว 3–32 ตัว ใช้ได้เฉพาะ a–z ตัวเล็ก ตัวเลข จุด ขีดล่าง และขีดกลาง");
	if (!*display_name)
		web_field_error(errors, "display_name", "กรุณากรอกชื่อ–สกุล");
	else if (strlen(display_name) > 150)
		web_field_error(errors, "display_name", "ชื่อ–สกุลยาวเกินไป");
	if (role == ROLE_NONE)
		web_field_error(errors, "role", "กรุณาเลือกบทบาท");
	if (!unit_code_valid(unit))
		web_field_error(errors, "unit_code", "รหัสหน่วยงานไม่ถูกต้อง");
	else if (!perm_unit_in_scope(me->unit_code, unit))
		web_field_error(errors, "unit_code", "หน่วยงานนี้อยู่นอกความรับผิดชอบของท่าน");
	else if (role != ROLE_NONE && !perm_role_fits_unit(role, unit))
		web_field_error(errors, "role", "บทบาทนี้ไม่ตรงกับระดับของหน่วยงานที่เลือก");
	else if (role != ROLE_NONE && !perm_can_manage_user(me->role, me->unit_code, role, unit))
		web_field_error(errors, "role", "ท่านไม่มีสิทธิ์สร้างผู้ใช้บทบาทนี้");
	const char *pw_err = password ? password_policy_error(password) : "กรุณากำหนดรหัสผ่าน";
	if (pw_err)
		web_field_error(errors, "password", pw_err);

	char hash[PASSWORD_HASH_LEN];
	int64_t id = 0;
	if (json_array_size(errors) == 0) {
		json_t *exists = db_unit_find(app->db, unit);
		if (!exists)
			web_field_error(errors, "unit_code", "ไม่พบหน่วยงานรหัสนี้");
		json_decref(exists);
	}
	if (json_array_size(errors) == 0) {
		if (password_hash(hash, password) < 0) {
			json_decref(errors);
			reply_error(r, ERR_INTERNAL, NULL, NULL);
			return;
		}
		int rc = db_user_create(app->db, username, display_name, role_name(role), unit, hash,
		                        (int64_t)time(NULL), &id);
		if (rc == DB_CONSTRAINT)
			web_field_error(errors, "username", "ชื่อผู้ใช้นี้มีอยู่แล้ว");
		else if (rc != DB_OK) {
			json_decref(errors);
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
	}
	if (json_array_size(errors) > 0) {
		json_t *m =
		    users_model(r, json_pack("{s:s, s:s, s:s, s:s}", "username", username, "display_name",
		                             display_name, "role", role_s, "unit_code", unit));
		if (m) {
			json_t *by = json_object_get(m, "errors_by_field");
			size_t i;
			json_t *e;
			json_array_foreach(
			    errors, i,
			    e) if (!json_object_get(by, json_string_value(json_object_get(e, "field"))))
			    json_object_set(by, json_string_value(json_object_get(e, "field")),
			                    json_object_get(e, "message"));
		}
		reply_invalid(r, "users", m, errors);
		return;
	}
	json_decref(errors);
	char target[64];
	snprintf(target, sizeof target, "user:%lld", (long long)id);
	web_audit(r, "user.create", target, username);
	if (req_wants_json(r) || req_is_json_body(r)) {
		json_t *u = db_user_find(app->db, id);
		json_t *wrap = json_object();
		json_object_set_new(wrap, "user", u ? u : json_null());
		reply_json(r, 201, wrap);
	} else {
		char loc[128];
		snprintf(loc, sizeof loc, "/users?added=%s", username); /* username is [a-z0-9._-] */
		reply_redirect(r, 303, loc);
	}
}

/* The user named by {id} that the logged-in admin may manage (not
 * themselves), or NULL after replying 404 / 403. */
static json_t *managed_user(struct req *r, int64_t *id_out)
{
	const struct session_user *me = web_user(r);
	char *end;
	long long id = strtoll(req_param(r, "id"), &end, 10);
	json_t *u = *end || id <= 0 ? NULL : db_user_find(app->db, id);
	if (!u) {
		reply_error(r, ERR_NOT_FOUND, "id", "ไม่พบผู้ใช้");
		return NULL;
	}
	int role = role_from_name(json_string_value(json_object_get(u, "role")));
	const char *unit = json_string_value(json_object_get(u, "unit_code"));
	if (!perm_can_manage_user(me->role, me->unit_code, role, unit) || id == me->id) {
		json_decref(u);
		reply_error(r, ERR_FORBIDDEN, "id", "ท่านไม่มีสิทธิ์จัดการผู้ใช้นี้");
		return NULL;
	}
	*id_out = id;
	return u;
}

/* The answer of a change to user id: {user} (+ extra's members), or 303 to
 * `location`. Takes extra (may be NULL). */
static void user_changed(struct req *r, int64_t id, json_t *extra, const char *location)
{
	if (req_wants_json(r) || req_is_json_body(r)) {
		json_t *after = db_user_find(app->db, id);
		json_t *body = extra ? extra : json_object();
		json_object_set_new(body, "user", after ? after : json_null());
		reply_json(r, 200, body);
	} else {
		json_decref(extra);
		reply_redirect(r, 303, location);
	}
}

static void set_disabled(struct req *r, int disabled)
{
	int64_t id;
	json_t *u = managed_user(r, &id);
	if (!u)
		return;
	json_decref(u);
	if (db_user_set_disabled(app->db, id, disabled, (int64_t)time(NULL)) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	char target[64];
	snprintf(target, sizeof target, "user:%lld", (long long)id);
	web_audit(r, disabled ? "user.disable" : "user.enable", target, NULL);
	user_changed(r, id, NULL, "/users");
}

static void users_disable(struct req *r)
{
	set_disabled(r, 1);
}

static void users_enable(struct req *r)
{
	set_disabled(r, 0);
}

/* Forgets the account's failed logins from every address: every lock on it
 * (pair, account) ends; audit-logged with the number cleared. */
static void users_unlock(struct req *r)
{
	int64_t id, cleared = 0;
	json_t *u = managed_user(r, &id);
	if (!u)
		return;
	char username[64];
	snprintf(username, sizeof username, "%s", web_str(u, "username"));
	json_decref(u);
	if (db_login_unlock(app->db, username, &cleared) != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	char target[64], detail[64];
	snprintf(target, sizeof target, "user:%lld", (long long)id);
	snprintf(detail, sizeof detail, "%lld failed logins cleared", (long long)cleared);
	web_audit(r, "user.unlock", target, detail);
	struct buf loc;
	buf_init(&loc, 512);
	buf_puts(&loc, "/users?unlocked=");
	web_url_encode(&loc, username);
	user_changed(r, id, json_pack("{s:I}", "cleared", (json_int_t)cleared), buf_str(&loc));
	buf_cleanup(&loc);
}

const struct route users_routes[] = {
    {HTTP_GET, "/users", ROLE_DISTRICT_ADMIN, 0, users_index, "users.index", &scope_own},
    {HTTP_POST, "/users", ROLE_DISTRICT_ADMIN, 0, users_create, "users.create", &scope_own},
    {HTTP_POST, "/users/{id}/disable", ROLE_DISTRICT_ADMIN, 0, users_disable, "users.disable", &scope_user},
    {HTTP_POST, "/users/{id}/enable", ROLE_DISTRICT_ADMIN, 0, users_enable, "users.enable", &scope_user},
    {HTTP_POST, "/users/{id}/unlock", ROLE_DISTRICT_ADMIN, 0, users_unlock, "users.unlock", &scope_user},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
