/* /contacts: coordination channels and the contacts directory (issue 11,
 * steps 8 and 9).
 *
 * Every staff user sees, on one page, the contacts of their own unit and of
 * the units above it (their province office, DOPA's administration
 * development group), each phone a tel: link (tap to call), and the
 * coordination channels of their province and of the nation (a LINE group
 * or OpenChat link with its QR code drawn inline, and others). Admins keep
 * the entries of their unit and of the units below it
 * (/units/{code}/contacts); channels belong to a province or the nation
 * only (409 channel-level). Fields are declared once in core/help.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/help.h"
#include "core/perm.h"
#include "db/db.h"
#include "db/help.h"
#include "db/units.h"
#include "lib/buf.h"
#include "render/qr.h"
#include "web/app.h"
#include "web/forms.h"
#include "web/scope.h"
#include "web/web.h"

/* The user's unit and the units above it, nearest first. Returns n. */
static size_t chain_of(const char *unit, char out[3][UNIT_CODE_SIZE])
{
	size_t n = 0;
	size_t ul = strnlen(unit, UNIT_CODE_SIZE - 1);
	memcpy(out[n], unit, ul);
	out[n++][ul] = '\0';
	while (n < 3 && strcmp(out[n - 1], UNIT_CODE_NATIONAL) && unit_parent_code(out[n - 1], out[n]) == 0 &&
	       out[n][0])
		n++;
	return n;
}

/* The inline SVG of a QR code (no XML declaration: it sits inside HTML). */
static json_t *qr_inline(const char *url, const char *title)
{
	struct buf b;
	buf_init(&b, 1u << 20);
	json_t *j = NULL;
	if (qr_svg(url, title, &b) == 0) {
		const char *s = buf_str(&b);
		const char *svg = strstr(s, "<svg");
		j = json_string(svg ? svg : s);
	}
	buf_cleanup(&b);
	return j ? j : json_null();
}

/* "" → null for the optional fields: the templates show a line only when
 * there is something (our Mustache holds "" truthy: docs/ui.md). */
static void blank_to_null(json_t *o, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(o, keys[i]);
		if (json_is_string(v) && !*json_string_value(v))
			json_object_set_new(o, keys[i], json_null());
	}
}

static void decorate_contacts(json_t *list)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		char tel[HELP_TEL_MAX];
		if (help_tel_href(web_str(c, "phone"), tel))
			json_object_set_new(c, "tel_href", json_string(tel));
		if (help_tel_href(web_str(c, "fax"), tel) && strcmp(web_str(c, "fax"), web_str(c, "phone")))
			json_object_set_new(c, "fax_only", json_true());
		const char *email = web_str(c, "email");
		if (*email) {
			char href[256];
			snprintf(href, sizeof href, "mailto:%s", email);
			json_object_set_new(c, "mailto", json_string(href));
		}
		blank_to_null(c, (const char *const[]){"phone", "fax", "email", "note", NULL});
	}
}

static void decorate_channels(json_t *list)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		const char *kind = web_str(c, "kind");
		json_object_set_new(c, "kind_label",
		                    json_string(help_choice_label(help_fields_channel, "kind", kind)));
		bool line = !strncmp(kind, "line_", 5);
		json_object_set_new(c, "is_line", json_boolean(line));
		char title[320];
		snprintf(title, sizeof title, "คิวอาร์โค้ด %s", web_str(c, "name_th"));
		json_object_set_new(c, "qr_svg", qr_inline(web_str(c, "url"), title));
		blank_to_null(c, (const char *const[]){"note", NULL});
	}
}

static bool may_edit(const struct session_user *u, const char *unit)
{
	return u->role >= ROLE_DISTRICT_ADMIN && perm_unit_in_scope(u->unit_code, unit);
}

static void contacts_index(struct req *r)
{
	const struct session_user *u = web_user(r);
	char chain[3][UNIT_CODE_SIZE];
	size_t n = chain_of(u->unit_code, chain);
	const char *codes[3] = {chain[0], n > 1 ? chain[1] : chain[0], n > 2 ? chain[2] : chain[0]};
	json_t *contacts = db_contacts_of(app->db, codes, 3);
	json_t *channels = db_channels_of(app->db, codes, 3);
	if (!contacts || !channels) {
		json_decref(contacts);
		json_decref(channels);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	decorate_contacts(contacts);
	decorate_channels(channels);
	json_t *units = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *uc = json_array(), *uch = json_array();
		size_t k;
		json_t *e;
		const char *name = "";
		json_array_foreach(contacts, k, e) if (!strcmp(web_str(e, "unit_code"), chain[i]))
		{
			json_array_append(uc, e);
			name = web_str(e, "unit_name");
		}
		json_array_foreach(channels, k, e) if (!strcmp(web_str(e, "unit_code"), chain[i]))
		{
			json_array_append(uch, e);
			name = web_str(e, "unit_name");
		}
		char edit[64];
		snprintf(edit, sizeof edit, "/units/%s/contacts", chain[i]);
		json_t *um =
		    json_pack("{s:s, s:s, s:o, s:o, s:b, s:b, s:b}", "code", chain[i], "level_label",
		              web_level_label(unit_level_of_code(chain[i]), chain[i]), "contacts", uc,
		              "channels", uch, "has_contacts", json_array_size(uc) > 0, "has_channels",
		              json_array_size(uch) > 0, "can_edit", may_edit(u, chain[i]));
		json_t *row = db_unit_find(app->db, chain[i]);
		json_object_set_new(um, "name_th", json_string(row ? web_str(row, "name_th") : name));
		json_decref(row);
		if (may_edit(u, chain[i]))
			json_object_set_new(um, "edit_href", json_string(edit));
		json_array_append_new(units, um);
	}
	json_decref(contacts);
	json_decref(channels);
	reply_model(r, 200, "contacts",
	            json_pack("{s:s, s:o}", "page_title", "ติดต่อประสานงาน", "units", units));
}

/* The edit page's model for the unit in scope; errors (may be NULL) from a
 * refused form: the add forms keep what was typed (for the list the form
 * came from: contact or channel) and a summary names what to fix. NULL
 * when it cannot be built (replied). */
static json_t *edit_model(struct req *r, const struct help_field *refused, json_t *errors)
{
	const struct session_user *u = web_user(r);
	const char *code = web_scope_unit(r);
	json_t *unit = db_unit_find(app->db, code);
	if (!unit) {
		reply_error(r, ERR_NOT_FOUND, "code", NULL);
		return NULL;
	}
	const char *codes[3] = {code, code, code};
	json_t *contacts = db_contacts_of(app->db, codes, 3);
	json_t *channels = db_channels_of(app->db, codes, 3);
	if (!contacts || !channels) {
		json_decref(unit);
		json_decref(contacts);
		json_decref(channels);
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return NULL;
	}
	size_t i;
	json_t *e;
	json_array_foreach(contacts, i, e)
	{
		char prefix[32];
		snprintf(prefix, sizeof prefix, "c%lld-",
		         (long long)json_integer_value(json_object_get(e, "id")));
		json_object_set_new(e, "fields",
		                    form_fields_model(help_fields_contact, prefix, NULL, e, NULL));
	}
	json_array_foreach(channels, i, e)
	{
		char prefix[32];
		snprintf(prefix, sizeof prefix, "ch%lld-",
		         (long long)json_integer_value(json_object_get(e, "id")));
		json_object_set_new(e, "fields",
		                    form_fields_model(help_fields_channel, prefix, NULL, e, NULL));
	}
	bool channels_here =
	    help_channel_level_ok(unit_level_of_code(code)) && u->role >= ROLE_PROVINCE_ADMIN;
	bool c_typed = errors && refused == help_fields_contact,
	     ch_typed = errors && refused == help_fields_channel;
	json_t *m = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "page_title", "แก้ไขรายชื่อติดต่อ",
	                      "code", code, "unit_name", web_str(unit, "name_th"), "contacts", contacts,
	                      "channels", channels, "contact_fields",
	                      form_fields_model(help_fields_contact, "new-c-", c_typed ? r : NULL, NULL,
	                                        c_typed ? errors : NULL),
	                      "channel_fields",
	                      form_fields_model(help_fields_channel, "new-ch-", ch_typed ? r : NULL, NULL,
	                                        ch_typed ? errors : NULL),
	                      "channels_here", channels_here);
	json_decref(unit);
	if (errors)
		form_error_summary(m, refused, c_typed ? "new-c-" : ch_typed ? "new-ch-" : "", errors);
	return m;
}

static void contacts_edit(struct req *r)
{
	json_t *m = edit_model(r, NULL, NULL);
	if (m)
		reply_model(r, 200, "contacts_edit", m);
}

/* Decodes list from the request; on errors replies 422 (JSON: the problem;
 * HTML: the edit page again, the add form keeping what was typed when the
 * request was an add) and returns -1. */
static int decode(struct req *r, const struct help_field *list, bool partial, struct help_values *v)
{
	json_t *errors = form_decode(r, list, partial, v);
	if (!errors)
		return 0;
	if (web_wants_json(r)) {
		reply_invalid(r, NULL, NULL, errors);
		return -1;
	}
	json_t *m = edit_model(r, partial ? NULL : list, errors);
	if (!m) {
		json_decref(errors);
		return -1;
	}
	if (partial) /* an edit of an existing row: the summary only */
		form_error_summary(m, list, "", errors);
	reply_invalid(r, "contacts_edit", m, errors);
	return -1;
}

/* A field's value for an update: NULL (keep) when the request left it out. */
static const char *given(struct req *r, const struct help_field *list, const struct help_values *v,
                         const char *name)
{
	return req_form(r, name) ? help_value(list, v, name) : NULL;
}

static void done(struct req *r, int status, int64_t id, const char *back)
{
	if (web_wants_json(r))
		reply_json(r, status, json_pack("{s:I}", "id", (json_int_t)id));
	else
		reply_redirect(r, 303, back);
}

static void back_of(char out[64], const char *unit)
{
	snprintf(out, 64, "/units/%s/contacts", unit);
}

static int64_t id_param(struct req *r)
{
	const char *s = req_param(r, "id");
	char *end;
	long long v = s && *s >= '1' && *s <= '9' ? strtoll(s, &end, 10) : -1;
	return v > 0 && !*end ? v : -1;
}

static void audit(struct req *r, const char *action, int64_t id)
{
	char t[32];
	snprintf(t, sizeof t, "%lld", (long long)id);
	web_audit(r, action, t, web_scope_unit(r));
}

/* The end of every contact and channel write: a refusal (missing: the id
 * names nothing; ERR_OK when the write cannot miss), or the audit row and
 * the answer (JSON, or back to the unit's contacts page). */
static void finish(struct req *r, int rc, enum err missing, const char *action, int64_t id, int status)
{
	if (rc != DB_OK) {
		reply_error(r, rc == DB_NOT_FOUND && missing != ERR_OK ? missing : ERR_UNAVAILABLE, NULL,
		            NULL);
		return;
	}
	audit(r, action, id);
	char back[64];
	back_of(back, web_scope_unit(r));
	done(r, status, id, back);
}

static void contact_create(struct req *r)
{
	struct help_values v;
	if (decode(r, help_fields_contact, false, &v) != 0)
		return;
	const struct help_field *L = help_fields_contact;
	struct contact_in c = {help_value(L, &v, "name_th"), help_value(L, &v, "phone"),
	                       help_value(L, &v, "fax"), help_value(L, &v, "email"),
	                       help_value(L, &v, "note")};
	int64_t id = 0;
	int rc = db_contact_add(app->db, web_scope_unit(r), &c, web_user(r)->id, (int64_t)time(NULL), &id);
	help_values_free(&v);
	finish(r, rc, ERR_OK, "contact.add", id, 201);
}

static void contact_update(struct req *r)
{
	struct help_values v;
	if (decode(r, help_fields_contact, true, &v) != 0)
		return;
	const struct help_field *L = help_fields_contact;
	struct contact_in c = {given(r, L, &v, "name_th"), given(r, L, &v, "phone"), given(r, L, &v, "fax"),
	                       given(r, L, &v, "email"), given(r, L, &v, "note")};
	if (c.name_th && !*c.name_th)
		c.name_th = NULL; /* a name cannot be emptied */
	int64_t id = id_param(r);
	int rc = db_contact_update(app->db, id, &c, web_user(r)->id, (int64_t)time(NULL));
	help_values_free(&v);
	finish(r, rc, ERR_CONTACT_NOT_FOUND, "contact.edit", id, 200);
}

static void contact_delete(struct req *r)
{
	int64_t id = id_param(r);
	int rc = db_contact_delete(app->db, id);
	finish(r, rc, ERR_CONTACT_NOT_FOUND, "contact.delete", id, 200);
}

static void channel_create(struct req *r)
{
	if (!help_channel_level_ok(unit_level_of_code(web_scope_unit(r)))) {
		reply_error(r, ERR_CHANNEL_LEVEL, "code", NULL);
		return;
	}
	struct help_values v;
	if (decode(r, help_fields_channel, false, &v) != 0)
		return;
	const struct help_field *L = help_fields_channel;
	struct channel_in c = {help_value(L, &v, "kind"), help_value(L, &v, "name_th"),
	                       help_value(L, &v, "url"), help_value(L, &v, "note")};
	int64_t id = 0;
	int rc = db_channel_add(app->db, web_scope_unit(r), &c, web_user(r)->id, (int64_t)time(NULL), &id);
	help_values_free(&v);
	finish(r, rc, ERR_OK, "channel.add", id, 201);
}

static void channel_update(struct req *r)
{
	struct help_values v;
	if (decode(r, help_fields_channel, true, &v) != 0)
		return;
	const struct help_field *L = help_fields_channel;
	struct channel_in c = {given(r, L, &v, "kind"), given(r, L, &v, "name_th"), given(r, L, &v, "url"),
	                       given(r, L, &v, "note")};
	if (c.name_th && !*c.name_th)
		c.name_th = NULL;
	if (c.url && !*c.url)
		c.url = NULL;
	if (c.kind && !*c.kind)
		c.kind = NULL;
	int64_t id = id_param(r);
	int rc = db_channel_update(app->db, id, &c, web_user(r)->id, (int64_t)time(NULL));
	help_values_free(&v);
	finish(r, rc, ERR_CHANNEL_NOT_FOUND, "channel.edit", id, 200);
}

static void channel_delete(struct req *r)
{
	int64_t id = id_param(r);
	int rc = db_channel_delete(app->db, id);
	finish(r, rc, ERR_CHANNEL_NOT_FOUND, "channel.delete", id, 200);
}

const struct route contacts_routes[] = {
    {HTTP_GET, "/contacts", ROLE_OFFICER, 0, contacts_index, "contacts.index", &scope_own},
    {HTTP_GET, "/units/{code}/contacts", ROLE_DISTRICT_ADMIN, 0, contacts_edit, "contacts.edit", &scope_code},
    {HTTP_POST, "/units/{code}/contacts", ROLE_DISTRICT_ADMIN, 0, contact_create, "contacts.create",
     &scope_code},
    {HTTP_POST, "/contacts/{id}", ROLE_DISTRICT_ADMIN, 0, contact_update, "contacts.update", &scope_contact},
    {HTTP_POST, "/contacts/{id}/delete", ROLE_DISTRICT_ADMIN, 0, contact_delete, "contacts.delete",
     &scope_contact},
    {HTTP_POST, "/units/{code}/channels", ROLE_PROVINCE_ADMIN, 0, channel_create, "channels.create",
     &scope_code},
    {HTTP_POST, "/channels/{id}", ROLE_PROVINCE_ADMIN, 0, channel_update, "channels.update", &scope_channel},
    {HTTP_POST, "/channels/{id}/delete", ROLE_PROVINCE_ADMIN, 0, channel_delete, "channels.delete",
     &scope_channel},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
