/* The scope resolvers of web/scope.h. Each one only finds the unit; the
 * check against the user's scope is web_authorize's, in one place. */
#include "web/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/perm.h"
#include "db/db.h"
#include "db/help.h"
#include "db/users.h"
#include "db/orders.h"
#include "db/units.h"
#include "db/visits.h"
#include "web/app.h"
#include "web/registry.h"

static enum err put(char *unit, size_t cap, const char *code)
{
	if (!code || strlen(code) >= cap)
		return ERR_NOT_FOUND;
	memcpy(unit, code, strlen(code) + 1);
	return ERR_OK;
}

/* A positive decimal id from path parameter name, or -1. */
static long long id_param(struct req *r, const char *name)
{
	const char *s = req_param(r, name);
	char *end;
	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	long long id = strtoll(s, &end, 10);
	return (*end || id <= 0) ? -1 : id;
}

static enum err resolve_none(struct req *r, char *unit, size_t cap)
{
	unit[0] = '\0';
	return ERR_OK;
}

static enum err resolve_own(struct req *r, char *unit, size_t cap)
{
	const struct session_user *u = web_user(r);
	return u ? put(unit, cap, u->unit_code) : ERR_UNAUTHORIZED;
}

static enum err resolve_own_district(struct req *r, char *unit, size_t cap)
{
	const struct session_user *u = web_user(r);
	if (!u)
		return ERR_UNAUTHORIZED;
	if (unit_level_of_code(u->unit_code) != UNIT_LEVEL_DISTRICT)
		return ERR_DISTRICT_ONLY;
	return put(unit, cap, u->unit_code);
}

static enum err resolve_national(struct req *r, char *unit, size_t cap)
{
	return put(unit, cap, UNIT_CODE_NATIONAL);
}

static enum err resolve_code(struct req *r, char *unit, size_t cap)
{
	const char *code = req_param(r, "code");
	if (!code || !unit_code_valid(code))
		return ERR_NOT_FOUND;
	return put(unit, cap, code);
}

static enum err resolve_unit_query(struct req *r, char *unit, size_t cap)
{
	const char *code = req_query(r, "unit");
	if (!code || !*code)
		return resolve_own(r, unit, cap);
	if (!unit_code_valid(code)) {
		reply_error(r, ERR_BAD_FIELD, "unit", "รหัสหน่วยงานไม่ถูกต้อง");
		return ERR_BAD_FIELD;
	}
	return put(unit, cap, code);
}

static enum err resolve_visit(struct req *r, char *unit, size_t cap)
{
	long long id = id_param(r, "id");
	int rc = id < 0 ? DB_DONE : db_visit_unit(app->db, id, unit, cap);
	if (rc < 0) /* the database failed: not the entry's absence */
		return ERR_UNAVAILABLE;
	if (rc != DB_ROW) {
		reply_error(r, ERR_ENTRY_NOT_FOUND, "id", NULL);
		return ERR_ENTRY_NOT_FOUND;
	}
	return ERR_OK;
}

static enum err resolve_user(struct req *r, char *unit, size_t cap)
{
	long long id = id_param(r, "id");
	json_t *u = id < 0 ? NULL : db_user_find(app->db, id);
	enum err e = u ? put(unit, cap, json_string_value(json_object_get(u, "unit_code"))) : ERR_NOT_FOUND;
	json_decref(u);
	return e;
}

static enum err resolve_import_job(struct req *r, char *unit, size_t cap)
{
	if (!registry_import_job_unit(req_param(r, "job"), unit, cap)) {
		reply_error(r, ERR_NOT_FOUND, "job", "ไม่พบงานนำเข้านี้ (งานเก่าจะถูกลบเมื่อเริ่มระบบใหม่)");
		return ERR_NOT_FOUND;
	}
	return ERR_OK;
}

static enum err resolve_any_unit(struct req *r, char *unit, size_t cap)
{
	const char *code = req_param(r, "unit");
	json_t *u = code && unit_code_valid(code) ? db_unit_find(app->db, code) : NULL;
	if (!u) {
		reply_error(r, ERR_STATS_UNIT_NOT_FOUND, "unit", NULL);
		return ERR_STATS_UNIT_NOT_FOUND;
	}
	json_decref(u);
	return put(unit, cap, code);
}

static enum err resolve_district(struct req *r, char *unit, size_t cap)
{
	const char *code = req_param(r, "district");
	if (!code || unit_level_of_code(code) != UNIT_LEVEL_DISTRICT) {
		reply_error(r, ERR_NOT_FOUND, "district", "ไม่พบอำเภอนี้");
		return ERR_NOT_FOUND;
	}
	return put(unit, cap, code);
}

static enum err resolve_order(struct req *r, char *unit, size_t cap)
{
	long long id = id_param(r, "id");
	int rc = id < 0 ? DB_DONE : db_order_office(app->db, id, unit, cap);
	if (rc < 0)
		return ERR_UNAVAILABLE;
	if (rc != DB_ROW) {
		reply_error(r, ERR_ORDER_NOT_FOUND, "id", NULL);
		return ERR_ORDER_NOT_FOUND;
	}
	return ERR_OK;
}

/* Issue 11: a contact, a channel, a แจ้งปัญหา thread (its raising district). */
static enum err resolve_by(struct req *r, char *unit, size_t cap,
                           int (*find)(struct db *, int64_t, char *, size_t), enum err missing)
{
	long long id = id_param(r, "id");
	int rc = id < 0 ? DB_DONE : find(app->db, id, unit, cap);
	if (rc < 0)
		return ERR_UNAVAILABLE;
	if (rc != DB_ROW) {
		reply_error(r, missing, "id", NULL);
		return missing;
	}
	return ERR_OK;
}

static enum err resolve_contact(struct req *r, char *unit, size_t cap)
{
	return resolve_by(r, unit, cap, db_contact_unit, ERR_CONTACT_NOT_FOUND);
}

static enum err resolve_channel(struct req *r, char *unit, size_t cap)
{
	return resolve_by(r, unit, cap, db_channel_unit, ERR_CHANNEL_NOT_FOUND);
}

static enum err resolve_helpdesk(struct req *r, char *unit, size_t cap)
{
	return resolve_by(r, unit, cap, db_hd_unit, ERR_HELPDESK_NOT_FOUND);
}

const struct route_scope scope_none = {"none", resolve_none};
const struct route_scope scope_own = {"own unit", resolve_own};
const struct route_scope scope_own_district = {"own district", resolve_own_district};
const struct route_scope scope_national = {"national", resolve_national};
const struct route_scope scope_code = {"{code}", resolve_code};
const struct route_scope scope_unit_query = {"?unit= (default: own unit)", resolve_unit_query};
const struct route_scope scope_visit = {"registry entry {id}", resolve_visit};
const struct route_scope scope_user = {"user {id}", resolve_user};
const struct route_scope scope_import_job = {"import job {job}", resolve_import_job};
const struct route_scope scope_any_unit = {"any unit {unit} (statistics)", resolve_any_unit};
const struct route_scope scope_district = {"{district}", resolve_district};
const struct route_scope scope_order = {"order {id}", resolve_order};
const struct route_scope scope_contact = {"contact {id}", resolve_contact};
const struct route_scope scope_channel = {"channel {id}", resolve_channel};
const struct route_scope scope_helpdesk = {"helpdesk thread {id}", resolve_helpdesk};

const struct route_scope *const scope_all[] = {
    &scope_none,       &scope_own,        &scope_own_district, &scope_national,
    &scope_code,       &scope_unit_query, &scope_visit,        &scope_user,
    &scope_import_job, &scope_any_unit,   &scope_district,     &scope_order,
    &scope_contact,    &scope_channel,    &scope_helpdesk,     NULL,
};
