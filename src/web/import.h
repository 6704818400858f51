/* Importing a registry from a CSV or XLSX file (osspoint import, and the
 * upload page's background job): a file of our own export (CSV or XLSX, Thai
 * headers, services by Thai name, B.E. dates), or one kept by hand (see
 * core/registry.h for the columns and cells). The format is told by the
 * bytes: a zip archive is XLSX (its first sheet), anything else CSV. The
 * header is the first of the first 10 rows that names the required columns
 * (our XLSX export has a title and a period line above it).
 * Every row is checked first; if any row is bad nothing is stored and the
 * Thai report lists every bad row (up to a cap), each message naming the row
 * and the column header as the file writes it; otherwise all rows go in one
 * transaction. Rows whose status says voided (ยกเลิก) are skipped and
 * counted. Each row gets an idempotency key derived from its content (unless
 * the file has that column, whose values are stored as given), so importing
 * the same file again adds nothing. The derived key is keyed with the server
 * secret and made of as little personal data as will tell rows apart
 * (registry_import_row_key): it cannot be computed from a guessed row without
 * the secret, and the purge erases it. Needs the secret loaded
 * (crypto_secret_load). */
#ifndef OSSPOINT_WEB_IMPORT_H
#define OSSPOINT_WEB_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/registry.h"

#define IMPORT_MAX_ERRORS 200
#define IMPORT_MAX_ROWS   200000

struct import_result {
	size_t rows;     /* data rows read */
	size_t added;    /* new entries */
	size_t existing; /* rows already imported before (skipped) */
	size_t voided;   /* rows of voided entries (skipped) */
	/* [{line, column, field, message}] (caller decrefs): line is the row as a
	 * spreadsheet numbers it (the header is row 1; a CSV parse error: the
	 * text line), column the header cell as the file writes it ("" for the
	 * whole file), field that column's API name ("file" for the whole file),
	 * message the Thai line naming row and column. */
	json_t *errors;
	char message[512]; /* Thai summary of a failure, "" on success */
	size_t recomputed; /* closed periods whose snapshots were recomputed (allow_closed) */
};

/* progress(done, total, ctx): rows checked then rows stored, so total is
 * twice the row count; may be NULL. allow_closed lets an administrator load
 * history into closed periods (CLI only). Returns 0 when everything was
 * stored (or already there), -1 otherwise (res->message, res->errors). */
/* A derived key: IMPORT_KEY_PREFIX + 64 hex digits (72 characters), the
 * derived_id (lib/crypto.h, purpose "import-row") of the unit, v's visit
 * time, channel, sex, age band and services with outcomes (sorted by code),
 * cid_hash (the keyed Thai-ID hash, or NULL when none) and occurrence: 0 for
 * the first row of a file with this material, 1 for the next, ... so two
 * visitors of the same minute with the same services stay two entries, and
 * the same file imported again maps every row to the same key. Not read: the
 * name, phone, remarks and the clear Thai ID. Different under another
 * secret. */
#define IMPORT_KEY_PREFIX "import1-"
void registry_import_row_key(char out[VISIT_KEY_MAX + 1], const char *unit, const struct visit_input *v,
                             const char *cid_hash, unsigned occurrence);

/* What `osspoint migrate` stores instead of a key of before migration 005
 * ("import-" + 40 hex of an unkeyed hash; db_visits_rekey_legacy_imports):
 * IMPORT_LEGACY_PREFIX + derived_id("import-legacy", old). An import that
 * finds these in its unit computes the old key of each row in memory and
 * keys it the same way, so re-importing a file imported before the re-keying
 * still adds nothing. */
#define IMPORT_LEGACY_PREFIX "import0-"
void registry_import_legacy_key(char out[VISIT_KEY_MAX + 1], const char *old);

/* With allow_closed, the snapshots of the closed periods the import adds
 * rows to are recomputed in the import's transaction and the closing log
 * records the officer and closed_reason (db/stats.h). */
int registry_import_file(const char *unit_code, int64_t officer_id, const char *data, size_t len,
                         bool allow_closed, const char *closed_reason,
                         void (*progress)(size_t done, size_t total, void *ctx), void *ctx,
                         struct import_result *res);

#endif
