/* Wiring shared by every handler: the router, the render hook that adds what
 * every page needs, and the authorize hook that enforces each route's role,
 * scope and CSRF token (the one place they are enforced; tests walk the table). */
#include "web/app.h"
#include "web/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "db/db.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "render/chart.h"
#include "render/mustache.h"
#include "web/web.h"

struct app *app;

struct router *web_router_new(void)
{
	static const struct route *const tables[] = {
	    home_routes,   auth_routes,      units_routes,    users_routes,    registry_routes, import_routes,
	    portal_routes, catalogue_routes, points_routes,   survey_routes,   stats_routes,    roster_routes,
	    orders_routes, help_routes,      contacts_routes, helpdesk_routes, external_routes};
	struct router *rt = router_new();
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (router_add_table(rt, tables[i]) < 0) {
			router_free(rt);
			return NULL;
		}
	return rt;
}

const struct session_user *web_user(const struct req *r)
{
	return req_user(r);
}

bool web_audit(struct req *r, const char *action, const char *target, const char *detail)
{
	const struct session_user *u = web_user(r);
	if (db_audit_add(app->db, (int64_t)time(NULL), u ? u->id : 0, action, target, detail,
	                 req_client_ip(r)) < 0) {
		log_error("audit: could not record %s %s", action, target ? target : "");
		return false;
	}
	return true;
}

/* ---- navigation, by role ---- */

struct nav_item {
	const char *href, *label;
	int min_role; /* 0 = everyone */
	int anonymous_only;
	int own_point;     /* users of a district only; href is their point's edit page */
	int district_only; /* users of a district only */
};

static const struct nav_item nav_items[] = {
    {"/", "หน้าแรก", 0, 1, 0, 0},
    {"/services", "บริการ e-Service", 0, 1, 0, 0},
    {"/points", "จุดให้บริการ", 0, 1, 0, 0},
    {"/statistics", "สถิติ", 0, 1, 0, 0},
    {"/home", "หน้าหลัก", ROLE_OFFICER, 0, 0, 0},
    {"/units", "หน่วยงาน", ROLE_OFFICER, 0, 0, 0},
    {"/registry", "ทะเบียนผู้รับบริการ", ROLE_OFFICER, 0, 0, 0},
    {"/stats/{unit}", "สถิติ", ROLE_OFFICER, 0, 0, 0}, /* the user's own unit */
    {"/points/{unit}/edit", "จุดให้บริการของฉัน", ROLE_DISTRICT_ADMIN, 0, 1, 0},
    {"/survey/counter", "แบบสำรวจ", ROLE_OFFICER, 0, 0, 1},
    {"/roster/{unit}", "ทะเบียนเวร", ROLE_OFFICER, 0, 0, 1}, /* the user's own district */
    {"/orders", "คำสั่ง", ROLE_DISTRICT_ADMIN, 0, 0, 0},
    {"/admin/services", "แคตตาล็อกบริการ", ROLE_OFFICER, 0, 0, 0},
    {"/admin/survey", "แบบสำรวจ", ROLE_NATIONAL_ADMIN, 0, 0, 0},
    {"/stats/external", "ตัวเลขภายนอก", ROLE_NATIONAL_ADMIN, 0, 0, 0},
    {"/holidays", "วันหยุดราชการ", ROLE_NATIONAL_ADMIN, 0, 0, 0},
    {"/users", "ผู้ใช้งาน", ROLE_DISTRICT_ADMIN, 0, 0, 0},
    {"/helpdesk", "แจ้งปัญหา", ROLE_OFFICER, 0, 0, 0},
    {"/contacts", "ติดต่อประสานงาน", ROLE_OFFICER, 0, 0, 0},
    {"/help", "คู่มือ", ROLE_OFFICER, 0, 0, 0},
    {NULL, NULL, 0, 0, 0, 0},
};

static json_t *nav_model(struct req *r, const struct session_user *u)
{
	json_t *nav = json_array();
	const char *path = req_path(r);
	for (const struct nav_item *n = nav_items; n->href; n++) {
		if (u ? (n->anonymous_only || u->role < n->min_role) : n->min_role > 0)
			continue;
		if ((n->own_point || n->district_only) &&
		    (!u || unit_level_of_code(u->unit_code) != UNIT_LEVEL_DISTRICT))
			continue;
		char href[96];
		if (n->own_point)
			snprintf(href, sizeof href, "/points/%s/edit", u->unit_code);
		else if (u && !strcmp(n->href, "/stats/{unit}"))
			snprintf(href, sizeof href, "/stats/%s", u->unit_code);
		else if (u && !strcmp(n->href, "/roster/{unit}"))
			snprintf(href, sizeof href, "/roster/%s", u->unit_code);
		else
			snprintf(href, sizeof href, "%s", n->href);
		size_t hl = strlen(href);
		bool current = strcmp(path, href) == 0 ||
		               (strcmp(href, "/") != 0 && strncmp(path, href, hl) == 0 && path[hl] == '/');
		json_array_append_new(
		    nav, json_pack("{s:s, s:s, s:b}", "href", href, "label", n->label, "current", current));
	}
	return nav;
}

/* Pages of ROUTE_CACHED routes are kept by the page cache and served to
 * everyone: they carry nothing of the user's and nothing that goes stale by
 * itself (today's date). */
static bool cached_route(const struct req *r)
{
	const struct route *rt = req_route(r);
	return rt && (rt->flags & ROUTE_CACHED);
}

json_t *web_user_model(const struct session_user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)u->id, "username",
	                 u->username, "display_name", u->display_name, "role", role_name(u->role),
	                 "role_label", role_label_th(u->role), "unit_code", u->unit_code, "unit_name",
	                 u->unit_name);
}

int web_render(struct req *r, const char *tpl, json_t *model, struct buf *out)
{
	const struct session_user *u = web_user(r);
	json_object_set_new(
	    model, "app",
	    json_pack("{s:s, s:s}", "name", "osspoint", "title", "ศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์"));
	if (u) {
		json_object_set_new(model, "user", web_user_model(u));
		json_object_set_new(model, "csrf", json_string(u->csrf));
		json_t *help = web_help_link(req_path(r)); /* the manual's section about this page */
		if (help)
			json_object_set_new(model, "help", help);
	}
	json_object_set_new(model, "nav", nav_model(r, u));
	if (!cached_route(r)) {
		struct buf today;
		buf_init(&today, 256);
		thai_epoch_format_date(&today, (int64_t)time(NULL), THAI_DATE_FULL, false);
		json_object_set_new(model, "today_th", json_string(buf_str(&today)));
		buf_cleanup(&today);
	}
	if (!strcmp(tpl, "error") && json_integer_value(json_object_get(model, "status")) == 401 &&
	    req_method(r) == HTTP_GET) {
		struct buf href;
		buf_init(&href, 4096);
		buf_puts(&href, "/login?next=");
		web_url_encode(&href, req_path(r));
		json_object_set_new(model, "login_href", json_string(buf_str(&href)));
		buf_cleanup(&href);
	}
	if (!json_object_get(model, "page_title"))
		json_object_set_new(model, "page_title", json_string("osspoint"));
	/* Charts in the model are data; the page gets their drawing (render/chart.h). */
	chart_model_render(model);
	return tpl_render(app->tpl, tpl, model, out);
}

/* ---- sessions ---- */

/* What the app keeps on a request: the session's user (first member, so
 * web_user's pointer is the context's) and the unit the route's scope
 * resolver found. */
struct web_ctx {
	struct session_user u;
	char scope_unit[UNIT_CODE_SIZE + 3];
};

static void free_user(void *p)
{
	free(p);
}

const char *web_scope_unit(const struct req *r)
{
	const struct web_ctx *ctx = req_user(r);
	return ctx ? ctx->scope_unit : "";
}

/* Loads the session named by the cookie into the request, if it is live.
 * Returns false when the database could not say (the caller answers 503:
 * a user whose session cannot be read is not thereby logged out). */
static bool load_session(struct req *r)
{
	const char *token = req_cookie(r, SESSION_COOKIE);
	if (!token || strlen(token) != TOKEN_LEN - 1)
		return true;
	char hash[TOKEN_HASH_LEN];
	token_hash(hash, token);
	struct web_ctx *ctx = xcalloc(1, sizeof *ctx);
	struct session_user *u = &ctx->u;
	int64_t now = (int64_t)time(NULL);
	int rc = db_session_lookup(app->db, hash, now, app->cfg->session_idle, u);
	if (rc != DB_ROW) {
		free(ctx);
		return rc >= 0;
	}
	/* Refresh the idle clock at most once a minute: a write per request would
	 * serialise every page view on the database. */
	if (now - u->last_seen >= 60)
		db_session_touch(app->db, u->session_id, now);
	req_set_user(r, ctx, free_user);
	return true;
}

static bool state_changing(enum http_method m)
{
	return !(m & (HTTP_GET | HTTP_HEAD | HTTP_OPTIONS));
}

enum err web_authorize(struct req *r, const struct route *route)
{
	/* A cached page is the same for everyone: no session, no user. */
	if (route->flags & ROUTE_CACHED)
		return (route->flags & ROUTE_PUBLIC) ? ERR_OK : ERR_FORBIDDEN;
	bool known = load_session(r);
	const struct session_user *u = web_user(r);
	if (route->flags & ROUTE_PUBLIC)
		return ERR_OK; /* served as to a visitor when the session is unknown */
	if (!known)
		return ERR_UNAVAILABLE;
	if (!u)
		return ERR_UNAUTHORIZED;
	if (u->role < route->min_role)
		return ERR_FORBIDDEN;
	if (state_changing(req_method(r)) && !(route->flags & ROUTE_NO_CSRF)) {
		const char *t = req_header(r, "X-CSRF-Token");
		if (!t)
			t = req_form(r, "csrf");
		if (!t || !crypto_str_eq(t, u->csrf))
			return ERR_CSRF;
	}
	/* The route's declared scope, for every route (router_add_table refuses
	 * one without): the resolver finds the unit, this checks it. */
	struct web_ctx *ctx = req_user(r);
	enum err e = route->scope->resolve(r, ctx->scope_unit, sizeof ctx->scope_unit);
	if (e != ERR_OK)
		return e;
	/* Statistics (scope_any_unit): every staff user reads every unit's. */
	if (ctx->scope_unit[0] && route->scope != &scope_any_unit &&
	    !perm_unit_in_scope(u->unit_code, ctx->scope_unit))
		return ERR_OUT_OF_SCOPE;
	return ERR_OK;
}
