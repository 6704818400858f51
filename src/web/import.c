#include "web/import.h"
#include "web/portal_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "db/db.h"
#include "db/stats.h"
#include "db/visits.h"
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/csv.h"
#include "lib/xalloc.h"
#include "lib/xlsx_read.h"
#include "web/app.h"
#include "web/registry.h"

/* What one good row needs for storing. */
struct row {
	struct visit_input v;
	char hash[CID_HASH_LEN], sealed[CID_SEALED_LEN], last4[THAI_ID_LAST4_SIZE];
	bool has_cid;
	size_t line; /* the file's row (errors) */
};

/* An error of row `line` about column `column` (the header as the file
 * writes it, "" for the whole file); field is the column's API name. */
static void add_error(struct import_result *res, size_t line, const char *column, const char *field,
                      const char *message)
{
	if (json_array_size(res->errors) < IMPORT_MAX_ERRORS)
		json_array_append_new(res->errors,
		                      json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)line, "column",
		                                column, "field", field, "message", message));
}

/* A failure of the whole file: the summary and one error row. */
static void file_error(struct import_result *res, size_t line, const char *message)
{
	snprintf(res->message, sizeof res->message, "%s", message);
	add_error(res, line, "", "file", res->message);
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

/* ---- services by Thai name ------------------------------------------ */

/* The usable services when the import began (the catalogue may change while
 * a long import runs), each name folded: white space, U+00A0 and U+200B
 * dropped, so "ลงทะเบียน ThaID" and "ลงทะเบียนThaID" are one name. */
struct names {
	size_t n;
	char **code, **folded;
};

static char *fold_name(const char *s)
{
	static const char *const blanks[] = {"\xC2\xA0", "\xE2\x80\x8B", "\xE2\x80\x8C", "\xEF\xBB\xBF"};
	size_t n = strlen(s), o = 0;
	char *out = xmalloc(n + 1);
	for (size_t i = 0; i < n;) {
		size_t skip = 0;
		for (size_t k = 0; k < sizeof blanks / sizeof blanks[0] && !skip; k++)
			if (!strncmp(s + i, blanks[k], strlen(blanks[k])))
				skip = strlen(blanks[k]);
		if (!skip && strchr(" \t\r\n\v\f", s[i]))
			skip = 1;
		if (skip) {
			i += skip;
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	return out;
}

static void names_init(struct names *t)
{
	/* The catalogue when the import began, copied: a counted reference to
	 * the snapshot, given back at the end of this function. */
	struct portal_snap *snap = portal_snap_get();
	json_t *list = snap ? snap->usable : NULL;
	size_t n = json_array_size(list), i;
	json_t *e;
	t->n = 0;
	t->code = xcalloc(n ? n : 1, sizeof *t->code);
	t->folded = xcalloc(n ? n : 1, sizeof *t->folded);
	json_array_foreach(list, i, e)
	{
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *name = json_string_value(json_object_get(e, "name_th"));
		if (!code || !name)
			continue;
		t->code[t->n] = xstrdup(code);
		t->folded[t->n++] = fold_name(name);
	}
	portal_snap_put(snap);
}

static void names_cleanup(struct names *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->code[i]);
		free(t->folded[i]);
	}
	free(t->code);
	free(t->folded);
}

/* The import's rules: registry_rules_init's, whose callbacks keep their own
 * context, plus the name lookup. */
struct rules_ctx {
	struct registry_rules base;
	struct names names;
};

static bool service_exists(const char *code, void *ctx)
{
	const struct rules_ctx *r = ctx;
	return !r->base.service_exists || r->base.service_exists(code, r->base.ctx);
}

static bool period_attested(struct period p, void *ctx)
{
	const struct rules_ctx *r = ctx;
	return r->base.period_attested && r->base.period_attested(p, r->base.ctx);
}

static const char *service_by_name(const char *name, void *ctx)
{
	const struct names *t = &((const struct rules_ctx *)ctx)->names;
	char *f = fold_name(name);
	const char *code = NULL;
	for (size_t i = 0; i < t->n && !code; i++)
		if (*f && !strcmp(f, t->folded[i]))
			code = t->code[i];
	free(f);
	return code;
}

/* ---- records from CSV or XLSX ----------------------------------------- */

#define HEADER_ROWS 10 /* rows above the header a file may have (titles) */

/* One source of records for both formats. An XLSX row is handed on in a
 * struct csv (fields/nfields), the record type the registry rules and
 * row_key read. */
struct source {
	bool xlsx;
	struct csv csv;
	struct xlsx_sheet sheet;
	size_t next;    /* XLSX: the next row */
	struct csv rec; /* XLSX: the current row */
	size_t row;     /* the current record's row as a spreadsheet numbers it */
};

/* 0, or -1 with the Thai reason in res. */
static int source_open(struct source *s, const char *data, size_t len, struct import_result *res)
{
	memset(s, 0, sizeof *s);
	s->xlsx = xlsx_looks_like(data, len);
	if (!s->xlsx) {
		csv_init(&s->csv, data, len);
		return 0;
	}
	int rc = xlsx_sheet_read(data, len, IMPORT_MAX_ROWS + 2, &s->sheet);
	if (rc != XLSX_OK) {
		file_error(res, 1, xlsx_strerror(rc));
		return -1;
	}
	return 0;
}

/* CSV_RECORD with *rec, CSV_EOF, or a negative csv_rc (CSV only). */
static int source_next(struct source *s, const struct csv **rec)
{
	if (!s->xlsx) {
		int rc = csv_next(&s->csv);
		if (rc == CSV_RECORD)
			s->row++; /* records, not lines: a quoted line break stays in its row */
		*rec = &s->csv;
		return rc;
	}
	if (s->next == s->sheet.nrows)
		return CSV_EOF;
	const struct xlsx_row *r = &s->sheet.rows[s->next++];
	s->rec.nfields = r->ncells;
	for (size_t i = 0; i < r->ncells; i++)
		s->rec.fields[i] = (char *)r->cells[i]; /* read only */
	s->rec.line = s->row = r->num;
	*rec = &s->rec;
	return CSV_RECORD;
}

static void source_close(struct source *s)
{
	if (s->xlsx)
		xlsx_sheet_cleanup(&s->sheet);
	else
		csv_cleanup(&s->csv);
}

/* Data rows, for the progress bar (a second pass over a CSV; XLSX rows are
 * already counted). */
static size_t count_rows(const struct source *s, const char *data, size_t len)
{
	if (s->xlsx)
		return s->sheet.nrows ? s->sheet.nrows - 1 : 0;
	size_t total = 0;
	struct csv k;
	csv_init(&k, data, len);
	while (csv_next(&k) == CSV_RECORD)
		total++;
	csv_cleanup(&k);
	return total ? total - 1 : 0;
}

/* Reports errs (of the row at s->row) on the columns as the file names them. */
static void report_row(struct import_result *res, const struct registry_columns *cols,
                       const struct registry_errors *errs, const struct visit_input *v, size_t row)
{
	for (size_t i = 0; i < errs->n; i++) {
		char text[REGISTRY_REPORT_SIZE];
		int item;
		enum registry_column k = registry_error_column(errs->e[i].field, &item);
		if (k == REGISTRY_COL_OUTCOMES && cols->idx[k] < 0)
			k = REGISTRY_COL_SERVICES;
		add_error(res, row, k < REGISTRY_COL__COUNT ? cols->header[k] : "",
		          k < REGISTRY_COL__COUNT ? registry_column_names[k] : errs->e[i].field,
		          registry_record_error_text(text, cols, errs, i, v, row));
	}
}

int registry_import_file(const char *unit_code, int64_t officer_id, const char *data, size_t len,
                         bool allow_closed, const char *closed_reason,
                         void (*progress)(size_t done, size_t total, void *ctx), void *ctx,
                         struct import_result *res)
{
	memset(res, 0, sizeof *res);
	res->errors = json_array();
	struct source src;
	struct registry_columns cols;
	struct rules_ctx rctx;
	struct row *rows = NULL;
	json_t *legacy = NULL, *seen = json_object();
	size_t n = 0, cap = 0;
	int rc = -1;
	memset(&rctx, 0, sizeof rctx);
	names_init(&rctx.names);
	if (source_open(&src, data, len, res) < 0) {
		names_cleanup(&rctx.names);
		return -1;
	}
	size_t total = count_rows(&src, data, len);
	const struct csv *c;
	if (source_next(&src, &c) != CSV_RECORD) {
		file_error(res, 1, src.xlsx ? "แผ่นงานแรกของไฟล์ Excel ว่าง" : "ไฟล์ว่างหรือไม่ใช่ CSV");
		goto out;
	}
	/* The header is the first of the first HEADER_ROWS rows that names the
	 * required columns: our XLSX export has a title and a period line
	 * above it. Otherwise the first row's complaint is reported. */
	char err[512], first_err[512];
	size_t first_row = src.row;
	for (int k = 0;; k++) {
		if (registry_columns_find(c, &cols, k ? err : first_err, sizeof err) == 0)
			break;
		if (k + 1 == HEADER_ROWS || source_next(&src, &c) != CSV_RECORD) {
			file_error(res, first_row, first_err);
			goto out;
		}
		if (total)
			total--;
	}
	registry_rules_init(&rctx.base, unit_code);
	struct registry_rules rules = rctx.base;
	rules.service_exists = service_exists;
	rules.period_attested = period_attested;
	rules.service_by_name = service_by_name;
	rules.ctx = &rctx;
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
	while ((got = source_next(&src, &c)) == CSV_RECORD) {
		res->rows++;
		if (res->rows > IMPORT_MAX_ROWS) {
			char m[128];
			snprintf(m, sizeof m, "ไฟล์มีเกิน %d แถว กรุณาแบ่งไฟล์", IMPORT_MAX_ROWS);
			file_error(res, src.row, m);
			goto out;
		}
		switch (registry_record_status(c, &cols)) {
		case REGISTRY_ROW_ACTIVE: break;
		case REGISTRY_ROW_VOID: res->voided++; continue; /* a voided entry of an export */
		case REGISTRY_ROW_TOTALS: res->rows--; continue; /* our XLSX's totals line */
		case REGISTRY_ROW_BAD_STATUS: {
			char text[REGISTRY_REPORT_SIZE];
			struct registry_errors one = {.n = 1};
			snprintf(one.e[0].field, sizeof one.e[0].field, "status");
			one.e[0].message = REGISTRY_MSG_STATUS;
			bad++;
			add_error(res, src.row, cols.header[REGISTRY_COL_STATUS], "status",
			          registry_record_error_text(text, &cols, &one, 0, NULL, src.row));
			continue;
		}
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		struct row *row = &rows[n];
		memset(row, 0, sizeof *row);
		row->line = src.row;
		struct registry_errors errs;
		if (registry_validate_record(c, &cols, &rules, &row->v, &errs) > 0) {
			bad++;
			report_row(res, &cols, &errs, &row->v, src.row);
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
				row_key_set(row, c, unit_code, legacy, seen);
			n++;
		}
		if (progress && res->rows % 100 == 0)
			progress(res->rows, 2 * total, ctx);
	}
	if (got < 0) {
		char m[256];
		snprintf(m, sizeof m, "บรรทัด %zu: รูปแบบ CSV ไม่ถูกต้อง (เครื่องหมายคำพูดไม่ครบหรือข้อมูลเกินขนาด)",
		         src.csv.line);
		file_error(res, src.csv.line, m);
		goto out;
	}
	if (bad) {
		snprintf(res->message, sizeof res->message,
		         "พบข้อผิดพลาด %zu แถวจากทั้งหมด %zu แถว ยังไม่ได้นำเข้าข้อมูลใด ๆ กรุณาแก้ไขแล้วนำเข้าใหม่", bad,
		         res->rows);
		goto out;
	}
	if (res->rows == 0) {
		file_error(res, 2, "ไม่มีแถวข้อมูลในไฟล์");
		goto out;
	}
	struct visit_create *items = xcalloc(n ? n : 1, sizeof *items);
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
	/* Into closed periods: their snapshots follow, in the same transaction. */
	struct stats_recompute sr = {app->cfg->cutoff_day, officer_id, closed_reason, rules.now, 0};
	struct visit_import_recompute rec = {dbc_stats_recompute, &sr};
	int d = n ? db_visits_import_recompute(app->db, items, n, &res->added, &res->existing, &closed,
	                                       progress ? shifted : NULL, &sh, allow_closed ? &rec : NULL)
	          : DB_OK;
	res->recomputed = sr.recomputed;
	free(items);
	if (d == VISIT_RC_CLOSED) {
		/* Checked again inside the import's transaction: the period
		 * closed (or was attested) after the rows were checked. */
		char m[256];
		snprintf(m, sizeof m, "งวดของแถวที่ %zu ปิดแล้วระหว่างการนำเข้า ไม่มีข้อมูลใดถูกนำเข้า",
		         rows[closed].line);
		snprintf(res->message, sizeof res->message, "%s", m);
		add_error(res, rows[closed].line, cols.header[REGISTRY_COL_VISITED_AT], "visited_at", m);
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
	source_close(&src);
	names_cleanup(&rctx.names);
	return rc;
}
