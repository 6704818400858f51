/* Storage of the manual's documents, channels, contacts and แจ้งปัญหา (db/help.h). */
#include "db/help.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db/blobs.h"
#include "db/db.h"

/* ---- published documents ---- */

json_t *db_help_docs(struct db *db)
{
	return db_read_json(
	    db, NULL, false,
	    "SELECT d.id, d.title_th, d.kind, d.filename, d.size, d.pages, d.published_at, d.updated_at,"
	    " COALESCE(u.display_name, '') AS publisher FROM help_docs d"
	    " LEFT JOIN users u ON u.id = d.published_by ORDER BY d.published_at DESC, d.id DESC",
	    "");
}

json_t *db_help_doc(struct db *db, int64_t id, int *rc)
{
	return db_read_json(
	    db, rc, true,
	    "SELECT id, title_th, kind, filename, size, pages, blob_hash, published_at, updated_at"
	    " FROM help_docs WHERE id = ?",
	    "i", id);
}

struct doc_arg {
	int64_t id;
	const char *title, *kind;
	const struct help_file *f;
	int64_t user, now;
};

static int doc_add_fn(struct dbc *c, void *arg)
{
	struct doc_arg *a = arg;
	char hash[BLOB_HASH_LEN];
	int rc = db_blob_put(c, a->f->data, a->f->len, a->f->content_type, a->now, hash);
	if (rc < 0)
		return rc;
	return db_insert_id(
	    c, &a->id,
	    "INSERT INTO help_docs (title_th, kind, blob_hash, filename, size, pages, published_by,"
	    " published_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttttiiiii", a->title, a->kind, hash, a->f->filename, (int64_t)a->f->len, (int64_t)a->f->pages,
	    a->user, a->now, a->now);
}

int db_help_doc_add(struct db *db, const char *title, const char *kind, const struct help_file *f,
                    int64_t user_id, int64_t now, int64_t *id)
{
	struct doc_arg a = {0, title, kind, f, user_id, now};
	int rc = db_tx(db, doc_add_fn, &a);
	if (rc == DB_OK)
		*id = a.id;
	return rc;
}

static int doc_update_fn(struct dbc *c, void *arg)
{
	struct doc_arg *a = arg;
	int64_t have = 0;
	int rc = db_query_int(c, &have, "SELECT COUNT(*) AS n FROM help_docs WHERE id = ?", "i", a->id);
	if (rc < 0)
		return rc;
	if (!have)
		return DB_NOT_FOUND;
	if (a->title && *a->title) {
		rc = db_exec(c, "UPDATE help_docs SET title_th = ?, updated_at = ? WHERE id = ?", "tii",
		             a->title, a->now, a->id);
		if (rc < 0)
			return rc;
	}
	if (a->f) {
		char hash[BLOB_HASH_LEN];
		rc = db_blob_put(c, a->f->data, a->f->len, a->f->content_type, a->now, hash);
		if (rc < 0)
			return rc;
		rc =
		    db_exec(c,
		            "UPDATE help_docs SET kind = ?, blob_hash = ?, filename = ?, size = ?, pages = ?,"
		            " updated_at = ? WHERE id = ?",
		            "tttiiii", a->kind, hash, a->f->filename, (int64_t)a->f->len,
		            (int64_t)a->f->pages, a->now, a->id);
		if (rc < 0)
			return rc;
		rc = db_blobs_gc(c, NULL);
	}
	return rc < 0 ? rc : DB_OK;
}

int db_help_doc_update(struct db *db, int64_t id, const char *title, const char *kind,
                       const struct help_file *f, int64_t now)
{
	struct doc_arg a = {id, title, kind, f, 0, now};
	return db_tx(db, doc_update_fn, &a);
}

static int doc_delete_fn(struct dbc *c, void *arg)
{
	struct doc_arg *a = arg;
	int64_t have = 0;
	int rc = db_query_int(c, &have, "SELECT COUNT(*) AS n FROM help_docs WHERE id = ?", "i", a->id);
	if (rc < 0)
		return rc;
	if (!have)
		return DB_NOT_FOUND;
	rc = db_exec(c, "DELETE FROM help_docs WHERE id = ?", "i", a->id);
	return rc < 0 ? rc : db_blobs_gc(c, NULL);
}

int db_help_doc_delete(struct db *db, int64_t id)
{
	struct doc_arg a = {id, NULL, NULL, NULL, 0, 0};
	return db_tx(db, doc_delete_fn, &a);
}

/* ---- contacts and channels ---- */

/* Up to 3 codes (a district, its province, the nation) as a fixed IN list. */
static const char *code_at(const char *const *codes, size_t n, size_t i)
{
	return n ? codes[i < n ? i : n - 1] : "";
}

json_t *db_contacts_of(struct db *db, const char *const *codes, size_t n)
{
	return db_read_json(
	    db, NULL, false,
	    "SELECT c.id, c.unit_code, u.name_th AS unit_name, u.level AS unit_level, c.name_th,"
	    " c.phone, c.fax, c.email, c.note, c.updated_at FROM contacts c"
	    " JOIN units u ON u.code = c.unit_code WHERE c.unit_code IN (?, ?, ?)"
	    " ORDER BY u.level DESC, c.id",
	    "ttt", code_at(codes, n, 0), code_at(codes, n, 1), code_at(codes, n, 2));
}

json_t *db_channels_of(struct db *db, const char *const *codes, size_t n)
{
	return db_read_json(
	    db, NULL, false,
	    "SELECT c.id, c.unit_code, u.name_th AS unit_name, u.level AS unit_level, c.kind, c.name_th,"
	    " c.url, c.note, c.updated_at FROM coord_channels c"
	    " JOIN units u ON u.code = c.unit_code WHERE c.unit_code IN (?, ?, ?)"
	    " ORDER BY u.level DESC, c.id",
	    "ttt", code_at(codes, n, 0), code_at(codes, n, 1), code_at(codes, n, 2));
}

static int unit_of(struct db *db, const char *sql, int64_t id, char *unit, size_t cap)
{
	int rc;
	json_t *row = db_read_json(db, &rc, true, sql, "i", id);
	if (!row)
		return rc;
	snprintf(unit, cap, "%s", json_string_value(json_object_get(row, "unit_code")));
	json_decref(row);
	return DB_ROW;
}

int db_contact_unit(struct db *db, int64_t id, char *unit, size_t cap)
{
	return unit_of(db, "SELECT unit_code FROM contacts WHERE id = ?", id, unit, cap);
}

int db_channel_unit(struct db *db, int64_t id, char *unit, size_t cap)
{
	return unit_of(db, "SELECT unit_code FROM coord_channels WHERE id = ?", id, unit, cap);
}

struct entry_arg {
	int64_t id;
	const char *unit;
	const struct contact_in *ct;
	const struct channel_in *ch;
	int64_t user, now;
};

static int contact_add_fn(struct dbc *c, void *arg)
{
	struct entry_arg *a = arg;
	return db_insert_id(
	    c, &a->id,
	    "INSERT INTO contacts (unit_code, name_th, phone, fax, email, note, updated_by, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttttttii", a->unit, a->ct->name_th, a->ct->phone ? a->ct->phone : "",
	    a->ct->fax ? a->ct->fax : "", a->ct->email ? a->ct->email : "", a->ct->note ? a->ct->note : "",
	    a->user, a->now);
}

int db_contact_add(struct db *db, const char *unit, const struct contact_in *c, int64_t user_id, int64_t now,
                   int64_t *id)
{
	struct entry_arg a = {0, unit, c, NULL, user_id, now};
	int rc = db_write(db, contact_add_fn, &a);
	if (rc == DB_OK)
		*id = a.id;
	return rc;
}

static int contact_update_fn(struct dbc *c, void *arg)
{
	struct entry_arg *a = arg;
	int64_t have = 0;
	int rc = db_query_int(c, &have, "SELECT COUNT(*) AS n FROM contacts WHERE id = ?", "i", a->id);
	if (rc < 0)
		return rc;
	if (!have)
		return DB_NOT_FOUND;
	rc = db_exec(c,
	             "UPDATE contacts SET name_th = COALESCE(?, name_th), phone = COALESCE(?, phone),"
	             " fax = COALESCE(?, fax), email = COALESCE(?, email), note = COALESCE(?, note),"
	             " updated_by = ?, updated_at = ? WHERE id = ?",
	             "tttttiii", a->ct->name_th, a->ct->phone, a->ct->fax, a->ct->email, a->ct->note, a->user,
	             a->now, a->id);
	return rc < 0 ? rc : DB_OK;
}

int db_contact_update(struct db *db, int64_t id, const struct contact_in *c, int64_t user_id, int64_t now)
{
	struct entry_arg a = {id, NULL, c, NULL, user_id, now};
	return db_write(db, contact_update_fn, &a);
}

static int delete_fn(struct dbc *c, const char *count_sql, const char *delete_sql, int64_t id)
{
	int64_t have = 0;
	int rc = db_query_int(c, &have, count_sql, "i", id);
	if (rc < 0)
		return rc;
	if (!have)
		return DB_NOT_FOUND;
	rc = db_exec(c, delete_sql, "i", id);
	return rc < 0 ? rc : DB_OK;
}

static int contact_delete_fn(struct dbc *c, void *arg)
{
	struct entry_arg *a = arg;
	return delete_fn(c, "SELECT COUNT(*) AS n FROM contacts WHERE id = ?",
	                 "DELETE FROM contacts WHERE id = ?", a->id);
}

int db_contact_delete(struct db *db, int64_t id)
{
	struct entry_arg a = {id, NULL, NULL, NULL, 0, 0};
	return db_write(db, contact_delete_fn, &a);
}

static int channel_add_fn(struct dbc *c, void *arg)
{
	struct entry_arg *a = arg;
	return db_insert_id(
	    c, &a->id,
	    "INSERT INTO coord_channels (unit_code, kind, name_th, url, note, updated_by, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "tttttii", a->unit, a->ch->kind, a->ch->name_th, a->ch->url, a->ch->note ? a->ch->note : "",
	    a->user, a->now);
}

int db_channel_add(struct db *db, const char *unit, const struct channel_in *c, int64_t user_id, int64_t now,
                   int64_t *id)
{
	struct entry_arg a = {0, unit, NULL, c, user_id, now};
	int rc = db_write(db, channel_add_fn, &a);
	if (rc == DB_OK)
		*id = a.id;
	return rc;
}

static int channel_update_fn(struct dbc *c, void *arg)
{
	struct entry_arg *a = arg;
	int64_t have = 0;
	int rc = db_query_int(c, &have, "SELECT COUNT(*) AS n FROM coord_channels WHERE id = ?", "i", a->id);
	if (rc < 0)
		return rc;
	if (!have)
		return DB_NOT_FOUND;
	rc = db_exec(
	    c,
	    "UPDATE coord_channels SET kind = COALESCE(?, kind), name_th = COALESCE(?, name_th),"
	    " url = COALESCE(?, url), note = COALESCE(?, note), updated_by = ?, updated_at = ? WHERE id = ?",
	    "ttttiii", a->ch->kind, a->ch->name_th, a->ch->url, a->ch->note, a->user, a->now, a->id);
	return rc < 0 ? rc : DB_OK;
}

int db_channel_update(struct db *db, int64_t id, const struct channel_in *c, int64_t user_id, int64_t now)
{
	struct entry_arg a = {id, NULL, NULL, c, user_id, now};
	return db_write(db, channel_update_fn, &a);
}

static int channel_delete_fn(struct dbc *c, void *arg)
{
	struct entry_arg *a = arg;
	return delete_fn(c, "SELECT COUNT(*) AS n FROM coord_channels WHERE id = ?",
	                 "DELETE FROM coord_channels WHERE id = ?", a->id);
}

int db_channel_delete(struct db *db, int64_t id)
{
	struct entry_arg a = {id, NULL, NULL, NULL, 0, 0};
	return db_write(db, channel_delete_fn, &a);
}

struct seed_arg {
	int added;
	int64_t now;
};

static int seed_fn(struct dbc *c, void *arg)
{
	struct seed_arg *a = arg;
	a->added = 0;
	int64_t have = 0;
	int rc = db_query_int(c, &have, "SELECT COUNT(*) AS n FROM contacts WHERE seed_key = 'dopa-adg'", "");
	if (rc < 0)
		return rc;
	if (have)
		return DB_OK;
	/* The letter (มท ๐๓๑๔/ว ๒๙๗๖, step 9). */
	rc =
	    db_exec(c,
	            "INSERT INTO contacts (unit_code, name_th, phone, fax, email, note, seed_key, updated_at)"
	            " VALUES ('0', ?, ?, ?, '', ?, 'dopa-adg', ?)",
	            "tttti", "กลุ่มพัฒนาระบบบริหาร กรมการปกครอง", "๐ ๒๒๒๑ ๒๑๘๘", "๐ ๒๒๒๑ ๒๑๘๘",
	            "กรณีมีปัญหาขัดข้องหรือมีเหตุจำเป็นเร่งด่วน (หนังสือกรมการปกครอง ที่ มท ๐๓๑๔/ว ๒๙๗๖)", a->now);
	if (rc == DB_OK)
		a->added = 1;
	return rc;
}

int db_seed_contacts(struct db *db, int *added)
{
	struct seed_arg a = {0, (int64_t)time(NULL)};
	int rc = db_tx(db, seed_fn, &a);
	if (added)
		*added = rc == DB_OK ? a.added : 0;
	return rc;
}

/* ---- แจ้งปัญหา ---- */

static int add_message(struct dbc *c, int64_t thread, const char *author_unit, const char *body,
                       const struct help_file *files, size_t nfiles, int64_t user, int64_t now)
{
	int64_t mid = 0;
	int rc =
	    db_insert_id(c, &mid,
	                 "INSERT INTO helpdesk_messages (thread_id, author_id, author_unit, body, created_at)"
	                 " VALUES (?, ?, ?, ?, ?)",
	                 "iitti", thread, user, author_unit, body, now);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nfiles; i++) {
		char hash[BLOB_HASH_LEN];
		rc = db_blob_put(c, files[i].data, files[i].len, files[i].content_type, now, hash);
		if (rc < 0)
			return rc;
		rc = db_exec(c,
		             "INSERT INTO helpdesk_attachments (message_id, thread_id, blob_hash, filename, "
		             "content_type,"
		             " size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		             "iitttii", mid, thread, hash, files[i].filename, files[i].content_type,
		             (int64_t)files[i].len, now);
		if (rc < 0)
			return rc;
	}
	return DB_OK;
}

struct hd_arg {
	const struct hd_new *t;
	int64_t id, user, now;
	const char *author_unit, *body, *status;
	const struct help_file *files;
	size_t nfiles;
	json_t *out;
};

static int hd_create_fn(struct dbc *c, void *arg)
{
	struct hd_arg *a = arg;
	const struct hd_new *t = a->t;
	int rc = db_insert_id(
	    c, &a->id,
	    "INSERT INTO helpdesk_threads (unit_code, to_unit, subject, urgency, status, created_by,"
	    " created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
	    "ttttiii", t->unit, t->to_unit, t->subject, t->urgency, a->user, a->now, a->now);
	if (rc < 0)
		return rc;
	return add_message(c, a->id, t->unit, t->body, t->files, t->nfiles, a->user, a->now);
}

int db_hd_create(struct db *db, const struct hd_new *t, int64_t user_id, int64_t now, int64_t *id)
{
	struct hd_arg a = {t, 0, user_id, now, NULL, NULL, NULL, NULL, 0, NULL};
	int rc = db_tx(db, hd_create_fn, &a);
	if (rc == DB_OK)
		*id = a.id;
	return rc;
}

#define HD_LIST_SQL                                                                                          \
	"SELECT t.id, t.unit_code, u.name_th AS unit_name, t.to_unit, tu.name_th AS to_name, t.subject, "    \
	"t.urgency,"                                                                                         \
	" t.status, t.created_at, t.updated_at,"                                                             \
	" (SELECT COUNT(*) FROM helpdesk_messages m WHERE m.thread_id = t.id) AS messages"                   \
	" FROM helpdesk_threads t JOIN units u ON u.code = t.unit_code JOIN units tu ON tu.code = t.to_unit"

json_t *db_hd_list(struct db *db, const char *unit, const char *to_unit, const char *status, int limit)
{
	const char *st = status ? status : "";
	if (unit)
		return db_read_json(db, NULL, false,
		                    HD_LIST_SQL
		                    " WHERE t.unit_code = ? AND (CAST(? AS TEXT) = '' OR t.status = ?)"
		                    " ORDER BY t.updated_at DESC, t.id DESC LIMIT ?",
		                    "ttti", unit, st, st, (int64_t)limit);
	/* Raised to to_unit or, for a province, to the nation by its districts
	 * (shown, answered by DOPA); the nation sees every thread raised to it. */
	return db_read_json(
	    db, NULL, false,
	    HD_LIST_SQL
	    " WHERE (t.to_unit = ? OR (CAST(? AS TEXT) <> '0' AND u.parent_code = ?))"
	    " AND (CAST(? AS TEXT) = '' OR t.status = ?) ORDER BY t.updated_at DESC, t.id DESC LIMIT ?",
	    "ttttti", to_unit, to_unit, to_unit, st, st, (int64_t)limit);
}

int db_hd_count(struct db *db, const char *unit, const char *to_unit, const char *status, int64_t *n)
{
	int rc;
	json_t *row =
	    unit ? db_read_json(
	               db, &rc, true,
	               "SELECT COUNT(*) AS n FROM helpdesk_threads WHERE unit_code = ? AND status = ?", "tt",
	               unit, status)
	         : db_read_json(db, &rc, true,
	                        "SELECT COUNT(*) AS n FROM helpdesk_threads WHERE to_unit = ? AND status = ?",
	                        "tt", to_unit, status);
	if (!row)
		return rc < 0 ? rc : DB_ERROR;
	*n = json_integer_value(json_object_get(row, "n"));
	json_decref(row);
	return DB_OK;
}

static int hd_get_fn(struct dbc *c, void *arg)
{
	struct hd_arg *a = arg;
	json_t **out = &a->out;
	json_decref(*out);
	*out = NULL;
	int rc;
	json_t *t = db_query_row(c, &rc, HD_LIST_SQL " WHERE t.id = ?", "i", a->id);
	if (!t)
		return rc;
	json_t *msgs = db_query_json(
	    c,
	    "SELECT m.id, m.body, m.created_at, m.author_unit, COALESCE(u.display_name, '')"
	    " AS author_name, COALESCE(au.name_th, '') AS author_unit_name"
	    " FROM helpdesk_messages m LEFT JOIN users u ON u.id = m.author_id"
	    " LEFT JOIN units au ON au.code = m.author_unit WHERE m.thread_id = ? ORDER BY m.id",
	    "i", a->id);
	json_t *files = db_query_json(c,
	                              "SELECT id, message_id, filename, content_type, size, created_at,"
	                              " CASE WHEN blob_hash IS NULL THEN 1 ELSE 0 END AS purged"
	                              " FROM helpdesk_attachments WHERE thread_id = ? ORDER BY id",
	                              "i", a->id);
	if (!msgs || !files) {
		json_decref(t);
		json_decref(msgs);
		json_decref(files);
		return DB_ERROR;
	}
	size_t i, k;
	json_t *m, *f;
	json_array_foreach(msgs, i, m)
	{
		json_t *list = json_array();
		json_int_t mid = json_integer_value(json_object_get(m, "id"));
		json_array_foreach(files, k, f) if (json_integer_value(json_object_get(f, "message_id")) ==
		                                    mid) json_array_append(list, f);
		json_object_set_new(m, "attachments", list);
	}
	json_decref(files);
	json_object_set_new(t, "thread_messages", msgs);
	*out = t;
	return DB_OK;
}

json_t *db_hd_get(struct db *db, int64_t id, int *rc)
{
	struct hd_arg a = {NULL, id, 0, 0, NULL, NULL, NULL, NULL, 0, NULL};
	int r = db_read(db, hd_get_fn, &a);
	json_t *out = a.out;
	if (rc)
		*rc = r == DB_OK ? (out ? DB_ROW : DB_DONE) : r;
	if (r != DB_OK) {
		json_decref(out);
		return NULL;
	}
	return out;
}

int db_hd_unit(struct db *db, int64_t id, char *unit, size_t cap)
{
	return unit_of(db, "SELECT unit_code FROM helpdesk_threads WHERE id = ?", id, unit, cap);
}

/* The thread's status, in the transaction: DB_NOT_FOUND / DB_CONFLICT
 * (closed) / DB_OK. */
static int hd_open_check(struct dbc *c, int64_t id)
{
	int rc;
	json_t *row = db_query_row(c, &rc, "SELECT status FROM helpdesk_threads WHERE id = ?", "i", id);
	if (!row)
		return rc == DB_DONE ? DB_NOT_FOUND : rc;
	bool closed = !strcmp(json_string_value(json_object_get(row, "status")), "closed");
	json_decref(row);
	return closed ? DB_CONFLICT : DB_OK;
}

static int hd_reply_fn(struct dbc *c, void *arg)
{
	struct hd_arg *a = arg;
	int rc = hd_open_check(c, a->id);
	if (rc != DB_OK)
		return rc;
	rc = add_message(c, a->id, a->author_unit, a->body, a->files, a->nfiles, a->user, a->now);
	if (rc < 0)
		return rc;
	return db_exec(c, "UPDATE helpdesk_threads SET status = ?, updated_at = ? WHERE id = ?", "tii",
	               a->status, a->now, a->id);
}

int db_hd_reply(struct db *db, int64_t id, const char *author_unit, const char *body,
                const struct help_file *files, size_t nfiles, const char *new_status, int64_t user_id,
                int64_t now)
{
	struct hd_arg a = {NULL, id, user_id, now, author_unit, body, new_status, files, nfiles, NULL};
	return db_tx(db, hd_reply_fn, &a);
}

static int hd_close_fn(struct dbc *c, void *arg)
{
	struct hd_arg *a = arg;
	int rc = hd_open_check(c, a->id);
	if (rc != DB_OK)
		return rc;
	return db_exec(
	    c, "UPDATE helpdesk_threads SET status = 'closed', updated_at = ?, closed_at = ? WHERE id = ?",
	    "iii", a->now, a->now, a->id);
}

int db_hd_close(struct db *db, int64_t id, int64_t now)
{
	struct hd_arg a = {NULL, id, 0, now, NULL, NULL, NULL, NULL, 0, NULL};
	return db_write(db, hd_close_fn, &a);
}

json_t *db_hd_attachment(struct db *db, int64_t id, int64_t aid, int *rc)
{
	return db_read_json(db, rc, true,
	                    "SELECT id, filename, content_type, size, COALESCE(blob_hash, '') AS blob_hash,"
	                    " CASE WHEN blob_hash IS NULL THEN 1 ELSE 0 END AS purged"
	                    " FROM helpdesk_attachments WHERE id = ? AND thread_id = ?",
	                    "ii", aid, id);
}

struct purge_arg {
	int64_t before, now, erased;
};

static int hd_purge_fn(struct dbc *c, void *arg)
{
	struct purge_arg *a = arg;
	a->erased = 0;
	int rc = db_query_int(
	    c, &a->erased,
	    "SELECT COUNT(*) AS n FROM helpdesk_attachments WHERE blob_hash IS NOT NULL AND created_at < ?",
	    "i", a->before);
	if (rc < 0)
		return rc;
	rc = db_exec(c,
	             "UPDATE helpdesk_attachments SET blob_hash = NULL, purged_at = ?"
	             " WHERE blob_hash IS NOT NULL AND created_at < ?",
	             "ii", a->now, a->before);
	if (rc < 0)
		return rc;
	return db_blobs_gc(c, NULL);
}

int db_hd_purge(struct db *db, int64_t before, int64_t now, int64_t *erased)
{
	struct purge_arg a = {before, now, 0};
	int rc = db_tx(db, hd_purge_fn, &a);
	*erased = rc == DB_OK ? a.erased : 0;
	if (rc == DB_OK && a.erased > 0)
		db_checkpoint(db);
	return rc;
}
