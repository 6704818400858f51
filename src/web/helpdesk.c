/* /helpdesk: แจ้งปัญหา (issue 11, step 9).
 *
 * A district's staff raise a problem to their province office or to DOPA
 * (subject, details, urgency, optional attachments: images and PDF only,
 * sniffed, size-limited, images re-encoded and stripped: web/files.h); the
 * level it was raised to (or the nation above a province) answers; the
 * district may follow up; either side closes it. Status: open (waiting for
 * the level above), answered (waiting for the district), closed. The home
 * page of whoever must act lists the threads (helpdesk_home). Attachments
 * are staff-only (the thread's scope), kept as blobs and erased by the
 * retention purge after helpdesk_attachment_days. Fields are declared once
 * in core/help.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/help.h"
#include "core/perm.h"
#include "db/db.h"
#include "db/help.h"
#include "lib/buf.h"
#include "lib/thai.h"
#include "web/app.h"
#include "web/files.h"
#include "web/forms.h"
#include "web/scope.h"
#include "web/web.h"

#define LIST_MAX 200
#define HOME_MAX 10

static json_t *when_th(int64_t t)
{
	struct buf b;
	buf_init(&b, 256);
	thai_epoch_format(&b, t, THAI_DATE_SHORT, false);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

static void decorate(json_t *t)
{
	char href[64];
	snprintf(href, sizeof href, "/helpdesk/%lld",
	         (long long)json_integer_value(json_object_get(t, "id")));
	json_object_set_new(t, "href", json_string(href));
	enum helpdesk_status st = helpdesk_status_from(web_str(t, "status"));
	json_object_set_new(t, "status_label", json_string(helpdesk_status_label(st)));
	json_object_set_new(t, "is_closed", json_boolean(st == HD_CLOSED));
	json_object_set_new(t, "urgency_label", json_string(helpdesk_urgency_label(web_str(t, "urgency"))));
	json_object_set_new(t, "urgent", json_boolean(strcmp(web_str(t, "urgency"), "normal") != 0));
	json_object_set_new(t, "updated_th", when_th(json_integer_value(json_object_get(t, "updated_at"))));
}

/* Whose list: a district's own threads, or those raised to a province /
 * the nation. */
static json_t *list_for(const struct session_user *u, const char *status, int limit)
{
	bool district = unit_level_of_code(u->unit_code) == UNIT_LEVEL_DISTRICT;
	json_t *l = district ? db_hd_list(app->db, u->unit_code, NULL, status, limit)
	                     : db_hd_list(app->db, NULL, u->unit_code, status, limit);
	size_t i;
	json_t *t;
	json_array_foreach(l, i, t) decorate(t);
	return l;
}

static json_t *limits_model(void)
{
	return json_pack("{s:i, s:I}", "files_max", app->cfg->helpdesk_files_max, "file_max_mb",
	                 (json_int_t)(app->cfg->helpdesk_file_max >> 20));
}

/* The list page's model; with errors, the new-thread form keeps what was
 * typed and names what to fix. NULL when the database failed. */
static json_t *index_model(struct req *r, const char *status, json_t *errors)
{
	const struct session_user *u = web_user(r);
	json_t *l = list_for(u, status, LIST_MAX);
	if (!l)
		return NULL;
	bool district = unit_level_of_code(u->unit_code) == UNIT_LEVEL_DISTRICT;
	json_t *m = json_pack("{s:s, s:o, s:b, s:b, s:s, s:o, s:o}", "page_title", "แจ้งปัญหา", "threads", l,
	                      "has_threads", json_array_size(l) > 0, "can_raise", district, "status",
	                      status ? status : "", "fields",
	                      form_fields_model(help_fields_thread, "hd-", errors ? r : NULL, NULL, errors),
	                      "limits", limits_model());
	if (errors)
		form_error_summary(m, help_fields_thread, "hd-", errors);
	return m;
}

static void helpdesk_index(struct req *r)
{
	const char *status = req_query(r, "status");
	if (status && *status && helpdesk_status_from(status) == HD_STATUS_INVALID) {
		reply_error(r, ERR_BAD_FIELD, "status", "สถานะต้องเป็น open, answered หรือ closed");
		return;
	}
	json_t *m = index_model(r, status, NULL);
	if (!m) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	reply_model(r, 200, "helpdesk", m);
}

/* The attachments of this request (field "attachments"), checked. Returns
 * ERR_OK with n set, or the first file's error. */
static enum err take_files(struct req *r, struct upload *ups, size_t *n)
{
	*n = 0;
	for (size_t i = 0;; i++) {
		const struct form_field *p = req_file_at(r, "attachments", i);
		if (!p)
			break;
		if (!upload_given(p))
			continue;
		if (*n >= (size_t)app->cfg->helpdesk_files_max || *n >= HD_FILES_MAX)
			return ERR_TOO_MANY_FILES;
		enum err e = upload_check(p, UPLOAD_ATTACHMENT, app->cfg->helpdesk_file_max, &ups[*n]);
		if (e != ERR_OK) {
			upload_cleanup(&ups[*n]);
			return e;
		}
		(*n)++;
	}
	return ERR_OK;
}

static void free_files(struct upload *ups, size_t n)
{
	for (size_t i = 0; i < n; i++)
		upload_cleanup(&ups[i]);
}

static void helpdesk_create(struct req *r)
{
	const struct session_user *u = web_user(r);
	struct help_values v;
	json_t *errors = form_decode(r, help_fields_thread, false, &v);
	if (errors) {
		json_t *m = web_wants_json(r) ? NULL : index_model(r, NULL, errors);
		reply_invalid(r, m ? "helpdesk" : NULL, m, errors);
		return;
	}
	const struct help_field *L = help_fields_thread;
	char to_unit[8];
	helpdesk_to_unit(u->unit_code, help_value(L, &v, "to"), to_unit);
	struct upload ups[HD_FILES_MAX];
	size_t n = 0;
	enum err fe = take_files(r, ups, &n);
	if (fe != ERR_OK) {
		free_files(ups, n);
		help_values_free(&v);
		reply_error(r, fe, "attachments", NULL);
		return;
	}
	struct help_file files[HD_FILES_MAX];
	for (size_t i = 0; i < n; i++)
		files[i] = ups[i].f;
	struct hd_new t = {u->unit_code,
	                   to_unit,
	                   help_value(L, &v, "subject"),
	                   help_value(L, &v, "urgency"),
	                   help_value(L, &v, "body"),
	                   files,
	                   n};
	int64_t id = 0;
	int rc = db_hd_create(app->db, &t, u->id, (int64_t)time(NULL), &id);
	free_files(ups, n);
	help_values_free(&v);
	if (rc != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	char target[32];
	snprintf(target, sizeof target, "%lld", (long long)id);
	web_audit(r, "helpdesk.raise", target, to_unit);
	if (web_wants_json(r)) {
		reply_json(r, 201,
		           json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)id, "status", "open",
		                     "to_unit", to_unit, "attachments", (json_int_t)n));
		return;
	}
	char href[64];
	snprintf(href, sizeof href, "/helpdesk/%lld", (long long)id);
	reply_redirect(r, 303, href);
}

static int64_t id_param(struct req *r, const char *name)
{
	const char *s = req_param(r, name);
	char *end;
	long long v = s && *s >= '1' && *s <= '9' ? strtoll(s, &end, 10) : -1;
	return v > 0 && !*end ? v : -1;
}

static json_t *load(struct req *r)
{
	int rc;
	json_t *t = db_hd_get(app->db, id_param(r, "id"), &rc);
	if (!t)
		reply_error(r, rc < 0 ? ERR_UNAVAILABLE : ERR_HELPDESK_NOT_FOUND, NULL, NULL);
	return t;
}

static void helpdesk_show(struct req *r)
{
	const struct session_user *u = web_user(r);
	json_t *t = load(r);
	if (!t)
		return;
	decorate(t);
	enum helpdesk_party p =
	    helpdesk_party_of(u->unit_code, web_str(t, "unit_code"), web_str(t, "to_unit"));
	size_t i, k;
	json_t *m, *a;
	json_t *msgs = json_object_get(t, "thread_messages");
	json_array_foreach(msgs, i, m)
	{
		json_object_set_new(m, "created_th",
		                    when_th(json_integer_value(json_object_get(m, "created_at"))));
		json_object_set_new(
		    m, "from_district",
		    json_boolean(!strcmp(web_str(m, "author_unit"), web_str(t, "unit_code"))));
		json_array_foreach(json_object_get(m, "attachments"), k, a)
		{
			char href[96];
			snprintf(href, sizeof href, "/helpdesk/%s/attachments/%lld", req_param(r, "id"),
			         (long long)json_integer_value(json_object_get(a, "id")));
			json_object_set_new(a, "href", json_string(href));
			json_object_set_new(
			    a, "size_kb",
			    json_integer((json_integer_value(json_object_get(a, "size")) + 1023) / 1024));
			json_object_set_new(a, "is_purged",
			                    json_boolean(json_integer_value(json_object_get(a, "purged"))));
		}
	}
	bool open = !json_is_true(json_object_get(t, "is_closed"));
	json_t *model =
	    json_pack("{s:s, s:o, s:b, s:b, s:s, s:o}", "page_title", web_str(t, "subject"), "thread", t,
	              "can_reply", open && p != HD_NONE, "can_close", open && p != HD_NONE, "party",
	              p == HD_RAISER      ? "raiser"
	              : p == HD_ADDRESSEE ? "addressee"
	                                  : "none",
	              "limits", limits_model());
	reply_model(r, 200, "helpdesk_thread", model);
}

/* The party of the signed-in user to thread id, or replies and returns
 * HD_NONE (404 / 403 helpdesk-not-party). */
static enum helpdesk_party party(struct req *r, json_t **thread)
{
	json_t *t = load(r);
	*thread = t;
	if (!t)
		return HD_NONE;
	enum helpdesk_party p =
	    helpdesk_party_of(web_user(r)->unit_code, web_str(t, "unit_code"), web_str(t, "to_unit"));
	if (p == HD_NONE)
		reply_error(r, ERR_HELPDESK_NOT_PARTY, NULL, NULL);
	return p;
}

static void helpdesk_reply(struct req *r)
{
	json_t *t;
	enum helpdesk_party p = party(r, &t);
	if (p == HD_NONE) {
		json_decref(t);
		return;
	}
	json_decref(t);
	struct help_values v;
	json_t *errors = form_decode(r, help_fields_reply, false, &v);
	if (errors) {
		reply_invalid(r, NULL, NULL, errors);
		return;
	}
	struct upload ups[HD_FILES_MAX];
	size_t n = 0;
	enum err fe = take_files(r, ups, &n);
	if (fe != ERR_OK) {
		free_files(ups, n);
		help_values_free(&v);
		reply_error(r, fe, "attachments", NULL);
		return;
	}
	struct help_file files[HD_FILES_MAX];
	for (size_t i = 0; i < n; i++)
		files[i] = ups[i].f;
	const struct session_user *u = web_user(r);
	const char *status = helpdesk_status_name(helpdesk_after_reply(p));
	int64_t id = id_param(r, "id");
	int rc = db_hd_reply(app->db, id, u->unit_code, help_value(help_fields_reply, &v, "body"), files, n,
	                     status, u->id, (int64_t)time(NULL));
	free_files(ups, n);
	help_values_free(&v);
	if (rc == DB_CONFLICT) {
		reply_error(r, ERR_HELPDESK_CLOSED, NULL, NULL);
		return;
	}
	if (rc == DB_NOT_FOUND) {
		reply_error(r, ERR_HELPDESK_NOT_FOUND, NULL, NULL);
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	char target[32];
	snprintf(target, sizeof target, "%lld", (long long)id);
	web_audit(r, "helpdesk.reply", target, status);
	if (web_wants_json(r)) {
		reply_json(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", status));
		return;
	}
	char href[64];
	snprintf(href, sizeof href, "/helpdesk/%lld", (long long)id);
	reply_redirect(r, 303, href);
}

static void helpdesk_close(struct req *r)
{
	json_t *t;
	enum helpdesk_party p = party(r, &t);
	json_decref(t);
	if (p == HD_NONE)
		return;
	int64_t id = id_param(r, "id");
	int rc = db_hd_close(app->db, id, (int64_t)time(NULL));
	if (rc == DB_CONFLICT) {
		reply_error(r, ERR_HELPDESK_CLOSED, NULL, NULL);
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, rc == DB_NOT_FOUND ? ERR_HELPDESK_NOT_FOUND : ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	char target[32];
	snprintf(target, sizeof target, "%lld", (long long)id);
	web_audit(r, "helpdesk.close", target, NULL);
	if (web_wants_json(r)) {
		reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "closed"));
		return;
	}
	char href[64];
	snprintf(href, sizeof href, "/helpdesk/%lld", (long long)id);
	reply_redirect(r, 303, href);
}

static void helpdesk_attachment(struct req *r)
{
	int rc;
	json_t *a = db_hd_attachment(app->db, id_param(r, "id"), id_param(r, "aid"), &rc);
	if (!a) {
		reply_error(r, rc < 0 ? ERR_UNAVAILABLE : ERR_ATTACHMENT_NOT_FOUND, NULL, NULL);
		return;
	}
	if (json_integer_value(json_object_get(a, "purged"))) {
		json_decref(a);
		reply_error(r, ERR_ATTACHMENT_PURGED, NULL, NULL);
		return;
	}
	const char *ct = web_str(a, "content_type");
	upload_send(r, web_str(a, "blob_hash"), ct, web_str(a, "filename"),
	            !strncmp(ct, "image/", 6) || !strcmp(ct, "application/pdf"));
	json_decref(a);
}

void helpdesk_home(json_t *m, const struct session_user *u)
{
	bool district = unit_level_of_code(u->unit_code) == UNIT_LEVEL_DISTRICT;
	/* Who must act: a district reads the answers; the level above answers
	 * the open threads raised to it. */
	const char *status = district ? "answered" : "open";
	json_t *l = list_for(u, status, HOME_MAX);
	if (!l)
		return;
	json_object_set_new(m, "helpdesk",
	                    json_pack("{s:o, s:b, s:b, s:s}", "threads", l, "has_threads",
	                              json_array_size(l) > 0, "district", district, "href",
	                              district ? "/helpdesk?status=answered" : "/helpdesk?status=open"));
}

const struct route helpdesk_routes[] = {
    {HTTP_GET, "/helpdesk", ROLE_OFFICER, 0, helpdesk_index, "helpdesk.index", &scope_own},
    {HTTP_POST, "/helpdesk", ROLE_OFFICER, 0, helpdesk_create, "helpdesk.create", &scope_own_district},
    {HTTP_GET, "/helpdesk/{id}", ROLE_OFFICER, 0, helpdesk_show, "helpdesk.show", &scope_helpdesk},
    {HTTP_POST, "/helpdesk/{id}/messages", ROLE_OFFICER, 0, helpdesk_reply, "helpdesk.reply",
     &scope_helpdesk},
    {HTTP_POST, "/helpdesk/{id}/close", ROLE_OFFICER, 0, helpdesk_close, "helpdesk.close", &scope_helpdesk},
    {HTTP_GET, "/helpdesk/{id}/attachments/{aid}", ROLE_OFFICER, 0, helpdesk_attachment,
     "helpdesk.attachment", &scope_helpdesk},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
