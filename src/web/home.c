/* GET /home (staff home), GET /healthz. The public landing page GET / is the
 * portal's (web/portal.c). */
#include <time.h>

#include "core/perm.h"
#include "db/db.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/web.h"

static void staff_home(struct req *r)
{
	const struct session_user *u = web_user(r);
	int level = unit_level_of_code(u->unit_code);
	json_t *cards = json_array();
	json_array_append_new(cards, json_pack("{s:s, s:s, s:s}", "href", "/units", "label", "หน่วยงาน",
	                                       "description", "ดูข้อมูลหน่วยงานและจุดให้บริการในความรับผิดชอบ"));
	if (u->role >= ROLE_DISTRICT_ADMIN)
		json_array_append_new(cards, json_pack("{s:s, s:s, s:s}", "href", "/users", "label", "ผู้ใช้งาน",
		                                       "description", "เพิ่มและจัดการบัญชีเจ้าหน้าที่"));
	json_t *m = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o}", "page_title", "หน้าหลัก", "unit", "code",
	                      u->unit_code, "name_th", u->unit_name, "level_label",
	                      web_level_label(level, u->unit_code), "cards", cards);
	reply_model(r, 200, "home", m);
}

static void healthz(struct req *r)
{
	bool ok = db_ping(app->db);
	int version = ok ? db_schema_version(app->db) : -1;
	json_t *m = json_pack("{s:s, s:{s:s, s:b, s:i}, s:I}", "status", ok ? "ok" : "unavailable",
	                      "database", "dialect", db_dialect_name(app->db), "ok", ok, "schema_version",
	                      version, "time", (json_int_t)time(NULL));
	reply_json(r, ok ? 200 : 503, m);
}

const struct route home_routes[] = {
    {HTTP_GET, "/home", ROLE_OFFICER, 0, staff_home, "home.staff", &scope_own},
    {HTTP_GET, "/healthz", 0, ROUTE_PUBLIC, healthz, "health", &scope_none},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
