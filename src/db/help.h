/* Storage of the manual's published documents, coordination channels,
 * contacts and แจ้งปัญหา threads (issue 11; migration 014). Files go
 * through db/blobs.h. */
#ifndef OSSPOINT_DB_HELP_H
#define OSSPOINT_DB_HELP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* A file to store with a row: bytes (already checked), its type and name. */
struct help_file {
	const void *data;
	size_t len;
	const char *content_type;
	const char *filename;
	int pages; /* PDFs: page count; else 0 */
};

/* ---- published documents ---- */

/* [{id, title_th, kind, filename, size, pages, published_at, updated_at,
 *   publisher}] newest first; NULL on error. */
json_t *db_help_docs(struct db *db);
/* One document with blob_hash, or NULL (*rc DB_DONE when none). */
json_t *db_help_doc(struct db *db, int64_t id, int *rc);
/* Publishes a document (kind "pdf" | "markdown"); *id gets its id. */
int db_help_doc_add(struct db *db, const char *title, const char *kind, const struct help_file *f,
                    int64_t user_id, int64_t now, int64_t *id);
/* Renames it and, when f is not NULL, replaces its file (kind too).
 * DB_NOT_FOUND when there is none. Blobs no longer named are removed. */
int db_help_doc_update(struct db *db, int64_t id, const char *title, const char *kind,
                       const struct help_file *f, int64_t now);
int db_help_doc_delete(struct db *db, int64_t id);

/* ---- contacts and channels ---- */

/* The contacts / channels of the units in codes (n of them), ordered by
 * unit level from the nation down, then by id: [{id, unit_code, unit_name,
 * name_th, phone, fax, email, note, updated_at}] / [{id, unit_code,
 * unit_name, kind, name_th, url, note, updated_at}]. NULL on error. */
json_t *db_contacts_of(struct db *db, const char *const *codes, size_t n);
json_t *db_channels_of(struct db *db, const char *const *codes, size_t n);
/* The unit of contact / channel id into unit (cap bytes). DB_ROW, DB_DONE
 * (none) or a negative db_rc. */
int db_contact_unit(struct db *db, int64_t id, char *unit, size_t cap);
int db_channel_unit(struct db *db, int64_t id, char *unit, size_t cap);
/* Contact fields: name_th, phone, fax, email, note (NULL keeps the stored
 * value on update). */
struct contact_in {
	const char *name_th, *phone, *fax, *email, *note;
};
struct channel_in {
	const char *kind, *name_th, *url, *note;
};
int db_contact_add(struct db *db, const char *unit, const struct contact_in *c, int64_t user_id, int64_t now,
                   int64_t *id);
int db_contact_update(struct db *db, int64_t id, const struct contact_in *c, int64_t user_id, int64_t now);
int db_contact_delete(struct db *db, int64_t id);
int db_channel_add(struct db *db, const char *unit, const struct channel_in *c, int64_t user_id, int64_t now,
                   int64_t *id);
int db_channel_update(struct db *db, int64_t id, const struct channel_in *c, int64_t user_id, int64_t now);
int db_channel_delete(struct db *db, int64_t id);

/* osspoint seed: DOPA's administration development group from the letter
 * (กลุ่มพัฒนาระบบบริหาร กรมการปกครอง, โทร./โทรสาร ๐ ๒๒๒๑ ๒๑๘๘), under the national
 * unit, key 'dopa-adg'; an entry already there (maybe edited) is kept.
 * *added (may be NULL) gets 1 when it was added. */
int db_seed_contacts(struct db *db, int *added);

/* ---- แจ้งปัญหา ---- */

#define HD_FILES_MAX 20

struct hd_new {
	const char *unit, *to_unit, *subject, *urgency, *body;
	const struct help_file *files;
	size_t nfiles;
};
/* Opens a thread (status open) with its first message and files. */
int db_hd_create(struct db *db, const struct hd_new *t, int64_t user_id, int64_t now, int64_t *id);
/* Threads raised by district `unit` (unit non-NULL) or raised to `to_unit`
 * (or, for the nation, any): [{id, unit_code, unit_name, to_unit,
 * to_name, subject, urgency, status, created_at, updated_at, messages}],
 * newest activity first; status NULL or "" = any. At most limit. */
json_t *db_hd_list(struct db *db, const char *unit, const char *to_unit, const char *status, int limit);
/* How many threads of a list above have this status. */
int db_hd_count(struct db *db, const char *unit, const char *to_unit, const char *status, int64_t *n);
/* One thread with "messages": [{id, body, created_at, author_name,
 * author_unit, attachments: [{id, filename, content_type, size, purged}]}]. */
json_t *db_hd_get(struct db *db, int64_t id, int *rc);
/* The raising district of thread id. DB_ROW, DB_DONE or negative. */
int db_hd_unit(struct db *db, int64_t id, char *unit, size_t cap);
/* Adds a message; the thread's status becomes new_status. DB_CONFLICT when
 * it is closed (checked in the transaction); DB_NOT_FOUND when none. */
int db_hd_reply(struct db *db, int64_t id, const char *author_unit, const char *body,
                const struct help_file *files, size_t nfiles, const char *new_status, int64_t user_id,
                int64_t now);
/* Closes it (DB_CONFLICT when closed already). */
int db_hd_close(struct db *db, int64_t id, int64_t now);
/* Attachment aid of thread id: {id, filename, content_type, size,
 * blob_hash ("" when purged), purged}. */
json_t *db_hd_attachment(struct db *db, int64_t id, int64_t aid, int *rc);
/* The retention purge: erases the files of attachments created before
 * `before` (blob_hash NULL, purged_at now) and every blob nothing names
 * any more. *erased gets how many attachments. */
int db_hd_purge(struct db *db, int64_t before, int64_t now, int64_t *erased);

#endif
