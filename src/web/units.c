/* GET /units (the units in the user's scope), GET /units/{code}. */
#include <stdio.h>
#include <string.h>

#include "core/perm.h"
#include "db/units.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/web.h"

static void label_units(json_t *units)
{
	size_t i;
	json_t *u;
	json_array_foreach(units, i, u)
	{
		const char *code = json_string_value(json_object_get(u, "code"));
		int level = (int)json_integer_value(json_object_get(u, "level"));
		json_object_set_new(u, "level_label", json_string(web_level_label(level, code)));
		json_object_set_new(u, "in_programme",
		                    json_boolean(json_integer_value(json_object_get(u, "in_programme"))));
	}
}

static void units_index(struct req *r)
{
	const struct session_user *u = web_user(r);
	int level = unit_level_of_code(u->unit_code);
	json_t *units;
	if (level == 2) {
		json_t *self = db_unit_find(app->db, u->unit_code);
		units = json_array();
		if (self) {
			json_object_set_new(self, "children_count", json_integer(0));
			json_array_append_new(units, self);
		}
	} else {
		units = db_unit_children(app->db, u->unit_code);
	}
	if (!units) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	label_units(units);
	size_t i, in = 0;
	json_t *x;
	json_array_foreach(units, i, x) in += json_is_true(json_object_get(x, "in_programme"));
	const char *scope = level == 0 ? "จังหวัดทั้งหมด" : level == 1 ? "อำเภอในจังหวัด" : "อำเภอของท่าน";
	json_t *m = json_pack("{s:s, s:s, s:o, s:{s:I, s:I}}", "page_title", "หน่วยงาน", "scope_label", scope,
	                      "units", units, "totals", "units", (json_int_t)json_array_size(units),
	                      "in_programme", (json_int_t)in);
	reply_model(r, 200, "units", m);
}

static void units_show(struct req *r)
{
	const char *code = req_param(r, "code");
	json_t *unit = db_unit_find(app->db, code);
	if (!unit) {
		reply_error(r, ERR_NOT_FOUND, "code", "ไม่พบหน่วยงานรหัสนี้");
		return;
	}
	int level = (int)json_integer_value(json_object_get(unit, "level"));
	json_object_set_new(unit, "level_label", json_string(web_level_label(level, code)));
	json_object_set_new(unit, "in_programme",
	                    json_boolean(json_integer_value(json_object_get(unit, "in_programme"))));
	json_t *parent = json_object_get(unit, "parent");
	if (json_is_object(parent))
		json_object_set_new(
		    parent, "in_scope",
		    json_boolean(perm_unit_in_scope(web_user(r)->unit_code,
		                                    json_string_value(json_object_get(parent, "code")))));
	/* An empty text renders as true in Mustache: absent means absent. */
	const char *region = json_string_value(json_object_get(unit, "region_th"));
	if (region && !*region)
		json_object_set_new(unit, "region_th", json_null());
	json_t *children = db_unit_children(app->db, code);
	if (!children) {
		json_decref(unit);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	label_units(children);
	char title[256];
	snprintf(title, sizeof title, "%s%s", web_level_label(level, code),
	         json_string_value(json_object_get(unit, "name_th")));
	json_t *m =
	    json_pack("{s:s, s:o, s:o, s:I}", "page_title", level == 0 ? "กรมการปกครอง" : title, "unit", unit,
	              "children", children, "children_count", (json_int_t)json_array_size(children));
	reply_model(r, 200, "unit", m);
}

const struct route units_routes[] = {
    {HTTP_GET, "/units", ROLE_OFFICER, 0, units_index, "units.index", &scope_own},
    {HTTP_GET, "/units/{code}", ROLE_OFFICER, 0, units_show, "units.show", &scope_code},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
