#include "web/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "db/db.h"
#include "db/visits.h"
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/csv.h"
#include "lib/xalloc.h"
#include "web/app.h"
#include "web/registry.h"

/* What one good row needs for storing. */
struct row {
	struct visit_input v;
	char hash[CID_HASH_LEN], sealed[CID_SEALED_LEN], last4[THAI_ID_LAST4_SIZE];
	bool has_cid;
	size_t line; /* the file's line of the row (errors) */
};

static void add_error(struct import_result *res, size_t line, const char *field, const char *message)
{
	if (json_array_size(res->errors) < IMPORT_MAX_ERRORS)
		json_array_append_new(res->errors, json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line,
		                                             "field", field, "message", message));
}

/* Storing is the second half of the progress bar. */
struct shift {
	void (*fn)(size_t, size_t, void *);
	void *ctx;
	size_t total;
};

static void shifted(size_t done, size_t n, void *arg)
{
	struct shift *s = arg;
	s->fn(s->total + done, 2 * s->total, s->ctx);
}

/* ---- idempotency keys (docs/ARCHITECTURE.md, "What may be derived from
 * personal data, and how") ---- */

static int svc_code_cmp(const void *a, const void *b)
{
	const struct visit_service *x = a, *y = b;
	return strcmp(x->code, y->code);
}

/* What a row's key is made of: the unit, the visit time, channel, sex, age
 * band, the services with their outcomes (sorted by code) and the keyed
 * Thai-ID hash. No name, phone, remarks or clear Thai ID: a key needs to
 * tell rows apart, not to hold the person. Two visitors of the same minute
 * with the same services are told apart by occurrence (below). */
static void key_material(struct buf *b, const char *unit, const struct visit_input *v, const char *cid_hash)
{
	struct visit_service svc[VISIT_MAX_SERVICES];
	size_t n = v->nservices < VISIT_MAX_SERVICES ? v->nservices : VISIT_MAX_SERVICES;
	memcpy(svc, v->services, n * sizeof *svc);
	qsort(svc, n, sizeof *svc, svc_code_cmp);
	buf_printf(b, "%s\x1f%lld\x1f%s\x1f%s\x1f%s\x1f", unit, (long long)v->visited_at,
	           channel_name(v->channel) ? channel_name(v->channel) : "", v->sex, v->age_band);
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s:%s", i ? ";" : "", svc[i].code,
		           outcome_name(svc[i].outcome) ? outcome_name(svc[i].outcome) : "");
	buf_printf(b, "\x1f%s", cid_hash ? cid_hash : "");
}

void registry_import_row_key(char out[VISIT_KEY_MAX + 1], const char *unit, const struct visit_input *v,
                             const char *cid_hash, unsigned occurrence)
{
	struct buf b;
	buf_init(&b, 0);
	key_material(&b, unit, v, cid_hash);
	buf_printf(&b, "\x1f%u", occurrence);
	char h[DERIVED_ID_LEN];
	derived_id(h, "import-row", buf_str(&b), b.len);
	buf_cleanup(&b);
	snprintf(out, VISIT_KEY_MAX + 1, IMPORT_KEY_PREFIX "%s", h);
}

void registry_import_legacy_key(char out[VISIT_KEY_MAX + 1], const char *old)
{
	char h[DERIVED_ID_LEN];
	derived_id(h, "import-legacy", old, strlen(old));
	snprintf(out, VISIT_KEY_MAX + 1, IMPORT_LEGACY_PREFIX "%s", h);
}

/* The key an import before migration 005 gave this row: "import-" and 40
 * hex digits of an UNKEYED hash of the unit and the raw cells, clear Thai ID
 * included. Computed here only to be keyed at once (registry_import_legacy_key),
 * so that a file imported before the re-keying is still recognised; never
 * stored, logged or returned. */
static void legacy_row_key(const struct csv *c, const char *unit, char out[VISIT_KEY_MAX + 1])
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, unit);
	for (size_t i = 0; i < c->nfields; i++) {
		buf_putc(&b, '\x1f');
		buf_puts(&b, c->fields[i]);
	}
	char h[TOKEN_HASH_LEN], old[VISIT_KEY_MAX + 1];
	token_hash(h, buf_str(&b));
	if (b.data)
		explicit_bzero(b.data, b.len);
	buf_cleanup(&b);
	snprintf(old, sizeof old, "import-%.40s", h);
	registry_import_legacy_key(out, old);
	explicit_bzero(h, sizeof h);
	explicit_bzero(old, sizeof old);
}

/* Gives a row without a key column its key: the re-keyed legacy key when the
 * unit holds it (the same file was imported before migration 005), else the
 * derived one. seen counts rows of this file by key material, for the
 * occurrence. */
static void row_key_set(struct row *row, const struct csv *c, const char *unit, json_t *legacy, json_t *seen)
{
	if (legacy) {
		legacy_row_key(c, unit, row->v.idempotency_key);
		if (json_object_get(legacy, row->v.idempotency_key))
			return;
	}
	struct buf b;
	buf_init(&b, 0);
	key_material(&b, unit, &row->v, row->has_cid ? row->hash : NULL);
	json_int_t n = json_integer_value(json_object_get(seen, buf_str(&b)));
	json_object_set_new(seen, buf_str(&b), json_integer(n + 1));
	buf_cleanup(&b);
	registry_import_row_key(row->v.idempotency_key, unit, &row->v, row->has_cid ? row->hash : NULL,
	                        (unsigned)n);
}

int registry_import_csv(const char *unit_code, int64_t officer_id, const char *data, size_t len,
                        bool allow_closed, void (*progress)(size_t done, size_t total, void *ctx), void *ctx,
                        struct import_result *res)
{
	memset(res, 0, sizeof *res);
	res->errors = json_array();
	struct csv c;
	csv_init(&c, data, len);
	struct registry_columns cols;
	struct row *rows = NULL;
	json_t *legacy = NULL, *seen = json_object();
	size_t n = 0, cap = 0;
	int rc = -1;
	/* Count rows first, for the progress bar. */
	size_t total = 0;
	{
		struct csv k;
		csv_init(&k, data, len);
		while (csv_next(&k) == CSV_RECORD)
			total++;
		csv_cleanup(&k);
		if (total)
			total--; /* the header */
	}
	if (csv_next(&c) != CSV_RECORD) {
		snprintf(res->message, sizeof res->message, "ไฟล์ว่างหรือไม่ใช่ CSV");
		add_error(res, 1, "file", res->message);
		goto out;
	}
	char err[512];
	if (registry_columns_find(&c, &cols, err, sizeof err) < 0) {
		snprintf(res->message, sizeof res->message, "%s", err);
		add_error(res, 1, "file", err);
		goto out;
	}
	struct registry_rules rules;
	registry_rules_init(&rules, unit_code);
	struct visit_period_rule rule;
	registry_period_rule_init(&rule);
	rule.now = rules.now;
	if (allow_closed) {
		rules.grace_days = 36500;
		rules.period_attested = NULL;
	}
	/* Keys of this unit re-keyed from before migration 005: almost always
	 * none, and then no legacy key is even computed. */
	if (db_visits_keys_with_prefix(app->db, unit_code, IMPORT_LEGACY_PREFIX, &legacy) != DB_OK) {
		snprintf(res->message, sizeof res->message, "อ่านฐานข้อมูลไม่สำเร็จ ไม่มีข้อมูลใดถูกนำเข้า");
		goto out;
	}
	if (!json_object_size(legacy)) {
		json_decref(legacy);
		legacy = NULL;
	}
	size_t bad = 0;
	int got;
	while ((got = csv_next(&c)) == CSV_RECORD) {
		res->rows++;
		if (res->rows > IMPORT_MAX_ROWS) {
			snprintf(res->message, sizeof res->message, "ไฟล์มีเกิน %d แถว กรุณาแบ่งไฟล์",
			         IMPORT_MAX_ROWS);
			add_error(res, c.line, "file", res->message);
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		struct row *row = &rows[n];
		memset(row, 0, sizeof *row);
		row->line = c.line;
		struct registry_errors errs;
		if (registry_validate_record(&c, &cols, &rules, &row->v, &errs) > 0) {
			bad++;
			for (size_t i = 0; i < errs.n; i++) {
				char text[REGISTRY_MESSAGE_SIZE];
				add_error(res, c.line, errs.e[i].field,
				          registry_error_text(text, &errs, i, &row->v));
			}
			explicit_bzero(row->v.cid, sizeof row->v.cid);
		} else {
			if (row->v.cid[0]) {
				cid_hash(row->hash, row->v.cid);
				if (cid_seal(row->sealed, row->v.cid) < 0 ||
				    thai_id_last4(row->v.cid, row->last4) < 0) {
					snprintf(res->message, sizeof res->message,
					         "เข้ารหัสเลขประจำตัวประชาชนไม่ได้");
					goto out;
				}
				row->has_cid = true;
				explicit_bzero(row->v.cid, sizeof row->v.cid);
			}
			if (!row->v.idempotency_key[0])
				row_key_set(row, &c, unit_code, legacy, seen);
			n++;
		}
		if (progress && res->rows % 100 == 0)
			progress(res->rows, 2 * total, ctx);
	}
	if (got < 0) {
		snprintf(res->message, sizeof res->message,
		         "บรรทัด %zu: รูปแบบ CSV ไม่ถูกต้อง (เครื่องหมายคำพูดไม่ครบหรือข้อมูลเกินขนาด)", c.line);
		add_error(res, c.line, "file", res->message);
		goto out;
	}
	if (bad) {
		snprintf(res->message, sizeof res->message,
		         "พบข้อผิดพลาด %zu แถวจากทั้งหมด %zu แถว ยังไม่ได้นำเข้าข้อมูลใด ๆ กรุณาแก้ไขแล้วนำเข้าใหม่", bad,
		         res->rows);
		goto out;
	}
	if (res->rows == 0) {
		snprintf(res->message, sizeof res->message, "ไม่มีแถวข้อมูลในไฟล์");
		add_error(res, 2, "file", res->message);
		goto out;
	}
	struct visit_create *items = xcalloc(n, sizeof *items);
	for (size_t i = 0; i < n; i++)
		items[i] = (struct visit_create){
		    .v = &rows[i].v,
		    .unit_code = unit_code,
		    .officer_id = officer_id,
		    .cid_hash = rows[i].has_cid ? rows[i].hash : NULL,
		    .cid_sealed = rows[i].has_cid ? rows[i].sealed : NULL,
		    .cid_last4 = rows[i].has_cid ? rows[i].last4 : NULL,
		    .now = rules.now,
		    .rule = allow_closed ? NULL : &rule,
		};
	struct shift sh = {progress, ctx, total};
	size_t closed = 0;
	int d = db_visits_import(app->db, items, n, &res->added, &res->existing, &closed,
	                         progress ? shifted : NULL, &sh);
	free(items);
	if (d == VISIT_RC_CLOSED) {
		/* Checked again inside the import's transaction: the period
		 * closed (or was attested) after the rows were checked. */
		snprintf(res->message, sizeof res->message,
		         "งวดของแถวที่ %zu ปิดแล้วระหว่างการนำเข้า ไม่มีข้อมูลใดถูกนำเข้า", rows[closed].line);
		add_error(res, rows[closed].line, "visited_at", res->message);
		goto out;
	}
	if (d != DB_OK) {
		snprintf(res->message, sizeof res->message, "บันทึกลงฐานข้อมูลไม่สำเร็จ (รหัส %d) ไม่มีข้อมูลใดถูกนำเข้า",
		         d);
		goto out;
	}
	if (progress)
		progress(2 * total, 2 * total, ctx);
	rc = 0;
out:
	if (rows)
		explicit_bzero(rows, cap * sizeof *rows);
	free(rows);
	json_decref(legacy);
	json_decref(seen);
	csv_cleanup(&c);
	return rc;
}
