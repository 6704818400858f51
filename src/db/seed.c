#include "db/seed.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/eservice.h"
#include "db/catalogue.h"
#include "db/db.h"
#include "lib/crypto.h"
#include "lib/csv.h"
#include "lib/xalloc.h"

const struct demo_user demo_users[] = {
    {"nadmin", "ผู้ดูแลระบบ กรมการปกครอง", "national_admin", "0"},
    {"padmin47", "ผู้ดูแล ที่ทำการปกครองจังหวัดสกลนคร", "province_admin", "47"},
    {"dadmin4701", "ผู้ดูแล ที่ทำการปกครองอำเภอเมืองสกลนคร", "district_admin", "4701"},
    {"officer4701", "สมชาย ใจดี", "officer", "4701"},
    {"officer4702", "สมหญิง รักงาน", "officer", "4702"},
    {NULL, NULL, NULL, NULL},
};

static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "เปิดไฟล์ %s ไม่ได้: %s", path, strerror(errno));
		return NULL;
	}
	struct buf_s {
		char *p;
		size_t n, cap;
	} b = {NULL, 0, 0};
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.n + got + 1 > b.cap) {
			b.cap = (b.n + got + 1) * 2;
			b.p = xrealloc(b.p, b.cap);
		}
		memcpy(b.p + b.n, chunk, got);
		b.n += got;
	}
	fclose(f);
	if (!b.p)
		b.p = xstrdup("");
	else
		b.p[b.n] = '\0';
	*len = b.n;
	return b.p;
}

struct ref {
	const char *dir;
	bool bangkok;
	struct seed_counts *n;
	char *err;
	size_t errlen;
	int64_t now;
	json_t *categories; /* code -> true, from eservice_categories.csv */
	json_t *details;    /* code -> {category, description, steps, documents, fees, used} */
	json_t *synonyms;   /* [{word, term}] from search_synonyms.csv */
	json_t *phrases;    /* [{phrase, service_code}] */
	bool changed;       /* something the portal shows was written: bump the generation */
};

/* Runs fn for every data row of dir/file after checking the header has `cols`. */
static int each_row(struct ref *r, struct dbc *c, const char *file, const char *const *cols, int ncols,
                    int (*fn)(struct ref *r, struct dbc *c, const char **v))
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", r->dir, file);
	size_t len;
	char *data = slurp(path, &len, r->err, r->errlen);
	if (!data)
		return DB_ERROR;
	struct csv csv;
	csv_init(&csv, data, len);
	int idx[16], rc = DB_OK;
	if (csv_next(&csv) != CSV_RECORD) {
		snprintf(r->err, r->errlen, "%s: ไม่มีบรรทัดหัวตาราง", path);
		rc = DB_ERROR;
		goto out;
	}
	for (int i = 0; i < ncols; i++) {
		idx[i] = csv_column(&csv, cols[i]);
		if (idx[i] < 0) {
			snprintf(r->err, r->errlen, "%s: ไม่มีคอลัมน์ %s", path, cols[i]);
			rc = DB_ERROR;
			goto out;
		}
	}
	int got;
	while ((got = csv_next(&csv)) == CSV_RECORD) {
		const char *v[16];
		for (int i = 0; i < ncols; i++)
			v[i] = (size_t)idx[i] < csv.nfields ? csv.fields[idx[i]] : "";
		rc = fn(r, c, v);
		if (rc != DB_OK) {
			if (!r->err[0])
				snprintf(r->err, r->errlen, "%s บรรทัด %zu: บันทึกไม่ได้", path, csv.line);
			goto out;
		}
	}
	if (got < 0) {
		snprintf(r->err, r->errlen, "%s บรรทัด %zu: รูปแบบ CSV ไม่ถูกต้อง", path, csv.line);
		rc = DB_ERROR;
	}
out:
	csv_cleanup(&csv);
	free(data);
	return rc;
}

#define UPSERT_UNIT                                                                                          \
	"INSERT INTO units (code, parent_code, level, name_th, name_en, region_th, in_programme, "           \
	"updated_at) "                                                                                       \
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET parent_code = "                    \
	"excluded.parent_code, "                                                                             \
	"level = excluded.level, name_th = excluded.name_th, name_en = excluded.name_en, "                   \
	"region_th = excluded.region_th, in_programme = excluded.in_programme, updated_at = "                \
	"excluded.updated_at"

static int province_row(struct ref *r, struct dbc *c, const char **v)
{
	/* code,name_th,name_en,region_th */
	int in = strcmp(v[0], "10") != 0 || r->bangkok;
	r->n->provinces++;
	return db_exec(c, UPSERT_UNIT, "ttitttii", v[0], "0", (int64_t)1, v[1], v[2], v[3], (int64_t)in,
	               r->now);
}

static int district_row(struct ref *r, struct dbc *c, const char **v)
{
	/* code,province_code,name_th,name_en */
	int in = strcmp(v[1], "10") != 0 || r->bangkok;
	r->n->districts++;
	return db_exec(c, UPSERT_UNIT, "ttitttii", v[0], v[1], (int64_t)2, v[2], v[3], "", (int64_t)in,
	               r->now);
}

static int category_row(struct ref *r, struct dbc *c, const char **v)
{
	/* code,name_th,name_en,sort_order */
	char *end;
	errno = 0;
	long order = strtol(v[3], &end, 10);
	if (!*v[0] || !*v[1] || end == v[3] || *end || errno || order < 0 || order > ESVC_SORT_MAX) {
		snprintf(r->err, r->errlen,
		         "eservice_categories.csv: หมวด '%s' ต้องมี code, name_th และ sort_order "
		         "เป็นจำนวนเต็ม",
		         v[0]);
		return DB_ERROR;
	}
	r->n->categories++;
	json_object_set_new(r->categories, v[0], json_true());
	/* Written only when it differs, so a repeated seed leaves the
	 * generation (and every web node's page cache) alone. */
	struct db_stmt *st = db_prepare(
	    c, "INSERT INTO eservice_categories (code, name_th, name_en, sort_order) VALUES (?, ?, ?, ?) "
	       "ON CONFLICT (code) DO UPDATE SET name_th = excluded.name_th, name_en = excluded.name_en, "
	       "sort_order = excluded.sort_order WHERE eservice_categories.name_th <> excluded.name_th "
	       "OR eservice_categories.name_en <> excluded.name_en "
	       "OR eservice_categories.sort_order <> excluded.sort_order");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, v[0]);
	db_bind_text(st, 2, v[1]);
	db_bind_text(st, 3, v[2]);
	db_bind_int(st, 4, order);
	int rc = db_step(st);
	if (rc == DB_DONE) {
		if (db_changes(st) > 0)
			r->changed = true;
		rc = DB_OK;
	}
	db_finish(st);
	return rc;
}

/* One item per line: each line trimmed (spaces, tabs, CR), blank ones
 * dropped, joined with "\n". Returns 0, or -1 when it does not fit cap. */
static int lines_clean(char *dst, size_t cap, const char *src)
{
	size_t n = 0;
	while (*src) {
		const char *e = strchr(src, '\n');
		const char *end = e ? e : src + strlen(src);
		const char *a = src, *b = end;
		while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		if (b > a) {
			size_t len = (size_t)(b - a);
			if (n + (n ? 1 : 0) + len + 1 > cap)
				return -1;
			if (n)
				dst[n++] = '\n';
			memcpy(dst + n, a, len);
			n += len;
		}
		src = e ? e + 1 : end;
	}
	dst[n] = '\0';
	return 0;
}

/* An area as eservice_validate writes it: "all" with no provinces, or
 * "only"/"except" with ascending two-digit codes separated by one space. */
static bool area_ok(const char *area, const char *list)
{
	if (!strcmp(area, "all"))
		return !*list;
	if (strcmp(area, "only") && strcmp(area, "except"))
		return false;
	size_t n = strlen(list);
	if (n < 2 || (n + 1) % 3)
		return false;
	for (size_t i = 0; i < n; i += 3) {
		if (list[i] < '1' || list[i] > '9' || list[i + 1] < '0' || list[i + 1] > '9')
			return false;
		if (i + 2 < n && list[i + 2] != ' ')
			return false;
		if (i && memcmp(list + i - 3, list + i, 2) >= 0)
			return false;
	}
	return true;
}

static int detail_row(struct ref *r, struct dbc *c, const char **v)
{
	/* code,category,description,steps,documents,fees,area,area_provinces */
	(void)c;
	if (!*v[0] || json_object_get(r->details, v[0])) {
		snprintf(r->err, r->errlen, "eservice_details.csv: รหัสบริการ '%s' ว่างหรือซ้ำ", v[0]);
		return DB_ERROR;
	}
	if (!json_object_get(r->categories, v[1])) {
		snprintf(r->err, r->errlen,
		         "eservice_details.csv: บริการ %s: ไม่มีหมวด '%s' ใน eservice_categories.csv", v[0],
		         v[1]);
		return DB_ERROR;
	}
	if (!area_ok(v[6], v[7])) {
		snprintf(r->err, r->errlen,
		         "eservice_details.csv: บริการ %s: พื้นที่ให้บริการ (area, area_provinces) ต้องเป็น all "
		         "หรือ only/except ตามด้วยรหัสจังหวัด 2 หลักเรียงจากน้อยไปมาก คั่นด้วยช่องว่าง",
		         v[0]);
		return DB_ERROR;
	}
	json_object_set_new(r->details, v[0],
	                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "category", v[1],
	                              "description", v[2], "steps", v[3], "documents", v[4], "fees", v[5],
	                              "area", v[6], "area_provinces", v[7], "used", 0));
	return DB_OK;
}

/* Copies src into dst (cap bytes); -1 when it does not fit. */
static int put(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static int eservice_row(struct ref *r, struct dbc *c, const char **v)
{
	/* code,name_th,name_en,agency_th,agency_en,agency_type,channel,url,source,note */
	r->n->eservices++;
	json_t *d = json_object_get(r->details, v[0]);
	if (!d) {
		snprintf(r->err, r->errlen, "eservices.csv: บริการ %s ไม่มีรายละเอียดใน eservice_details.csv",
		         v[0]);
		return DB_ERROR;
	}
	json_object_set_new(d, "used", json_true());
#define DSTR(k) json_string_value(json_object_get(d, k))
	struct eservice *s = xcalloc(1, sizeof *s);
	const char *fees = *DSTR("fees") ? DSTR("fees") : "ไม่มี";
	const char *field = NULL;
	if (put(s->code, sizeof s->code, v[0]))
		field = "code";
	else if (put(s->name_th, sizeof s->name_th, v[1]))
		field = "name_th";
	else if (put(s->name_en, sizeof s->name_en, v[2]))
		field = "name_en";
	else if (put(s->agency_th, sizeof s->agency_th, v[3]))
		field = "agency_th";
	else if (put(s->agency_en, sizeof s->agency_en, v[4]))
		field = "agency_en";
	else if (put(s->agency_type, sizeof s->agency_type, v[5]))
		field = "agency_type";
	else if (put(s->channel, sizeof s->channel, v[6]))
		field = "channel";
	else if (put(s->url, sizeof s->url, v[7]))
		field = "url";
	else if (put(s->source, sizeof s->source, v[8]))
		field = "source";
	else if (put(s->note, sizeof s->note, v[9]))
		field = "note";
	else if (put(s->category, sizeof s->category, DSTR("category")))
		field = "category";
	else if (put(s->description, sizeof s->description, DSTR("description")))
		field = "description";
	else if (lines_clean(s->steps, sizeof s->steps, DSTR("steps")))
		field = "steps";
	else if (lines_clean(s->documents, sizeof s->documents, DSTR("documents")))
		field = "documents";
	else if (put(s->fees, sizeof s->fees, fees))
		field = "fees";
	else if (put(s->area, sizeof s->area, DSTR("area")))
		field = "area";
	else if (put(s->area_provinces, sizeof s->area_provinces, DSTR("area_provinces")))
		field = "area_provinces";
#undef DSTR
	if (field) {
		snprintf(r->err, r->errlen, "บริการ %s: %s ยาวเกินกำหนด", v[0], field);
		free(s);
		return DB_ERROR;
	}
	snprintf(s->status, sizeof s->status, "active");
	s->sort_order = (int64_t)r->n->eservices * 10;
	bool changed = false;
	int rc = db_service_seed(c, s, r->now, &changed);
	free(s);
	if (changed)
		r->changed = true;
	return rc;
}

static int term_row(struct ref *r, struct dbc *c, const char **v)
{
	/* kind,phrase,target */
	(void)c;
	bool word = !strcmp(v[0], "word"), service = !strcmp(v[0], "service");
	if ((!word && !service) || !*v[1] || !*v[2] || strlen(v[1]) > ESVC_SEARCH_PHRASE_MAX ||
	    strlen(v[2]) > ESVC_SEARCH_PHRASE_MAX) {
		snprintf(
		    r->err, r->errlen,
		    "search_synonyms.csv: แถว '%s,%s,%s' ต้องมี kind เป็น word หรือ service และ phrase, target "
		    "ไม่ว่างและยาวไม่เกิน %d ไบต์",
		    v[0], v[1], v[2], ESVC_SEARCH_PHRASE_MAX);
		return DB_ERROR;
	}
	if (service && !json_object_get(r->details, v[2])) {
		snprintf(r->err, r->errlen, "search_synonyms.csv: ไม่มีบริการ %s (วลี '%s')", v[2], v[1]);
		return DB_ERROR;
	}
	if (word)
		json_array_append_new(r->synonyms, json_pack("{s:s, s:s}", "word", v[1], "term", v[2]));
	else
		json_array_append_new(r->phrases,
		                      json_pack("{s:s, s:s}", "phrase", v[1], "service_code", v[2]));
	return DB_OK;
}

/* A point for every district in the programme that has none yet; existing
 * points (edited or not) are kept. Bangkok's khet, when in the programme,
 * are named after their district office (สำนักงานเขต), not an amphoe. */
static int points_add(struct ref *r, struct dbc *c)
{
	struct db_stmt *st = db_prepare(
	    c, "INSERT INTO points (unit_code, name_th, address, hours, status, version, updated_at) "
	       "SELECT d.code, "
	       "CASE WHEN d.parent_code = '10' THEN 'จุดให้บริการ e-Service สำนักงานเขต' || d.name_th "
	       "ELSE 'จุดให้บริการ e-Service ศูนย์ดำรงธรรมอำเภอ' || d.name_th END, "
	       "CASE WHEN d.parent_code = '10' THEN 'สำนักงานเขต' || d.name_th || ' กรุงเทพมหานคร' "
	       "ELSE 'ที่ว่าการอำเภอ' || d.name_th || ' จังหวัด' || p.name_th END, "
	       "CAST(? AS TEXT), 'open', 1, CAST(? AS BIGINT) "
	       "FROM units d JOIN units p ON p.code = d.parent_code WHERE d.level = 2 AND d.in_programme = 1 "
	       "ON CONFLICT (unit_code) DO NOTHING");
	if (!st)
		return DB_ERROR;
	db_bind_text(st, 1, "วันจันทร์–วันศุกร์ เวลา 08.30–16.30 น. (เว้นวันหยุดราชการ)");
	db_bind_int(st, 2, r->now);
	int rc = db_step(st);
	if (rc == DB_DONE) {
		r->n->points = (int)db_changes(st);
		if (r->n->points > 0)
			r->changed = true;
		rc = DB_OK;
	}
	db_finish(st);
	return rc;
}

static int reference_fn(struct dbc *c, void *arg)
{
	struct ref *r = arg;
	memset(r->n, 0, sizeof *r->n);
	r->err[0] = '\0';
	r->changed = false;
	json_object_clear(r->categories);
	json_object_clear(r->details);
	json_array_clear(r->synonyms);
	json_array_clear(r->phrases);
	int rc = db_exec(c, UPSERT_UNIT, "tnitttii", "0", (int64_t)0, "กรมการปกครอง",
	                 "Department of Provincial Administration", "", (int64_t)1, r->now);
	if (rc != DB_OK)
		return rc;
	static const char *const pcols[] = {"code", "name_th", "name_en", "region_th"};
	static const char *const dcols[] = {"code", "province_code", "name_th", "name_en"};
	static const char *const ecols[] = {"code",        "name_th", "name_en", "agency_th", "agency_en",
	                                    "agency_type", "channel", "url",     "source",    "note"};
	static const char *const ccols[] = {"code", "name_th", "name_en", "sort_order"};
	static const char *const xcols[] = {"code",      "category", "description", "steps",
	                                    "documents", "fees",     "area",        "area_provinces"};
	rc = each_row(r, c, "provinces.csv", pcols, 4, province_row);
	if (rc == DB_OK)
		rc = each_row(r, c, "districts.csv", dcols, 4, district_row);
	if (rc == DB_OK)
		rc = db_exec(c,
		             "UPDATE units SET region_th = (SELECT p.region_th FROM units p WHERE p.code = "
		             "units.parent_code) "
		             "WHERE level = 2",
		             "");
	if (rc == DB_OK)
		rc = each_row(r, c, "eservice_categories.csv", ccols, 4, category_row);
	if (rc == DB_OK)
		rc = each_row(r, c, "eservice_details.csv", xcols, 8, detail_row);
	if (rc == DB_OK)
		rc = each_row(r, c, "eservices.csv", ecols, 10, eservice_row);
	if (rc == DB_OK) {
		const char *code;
		json_t *d;
		json_object_foreach(r->details, code, d) if (!json_is_true(json_object_get(d, "used")))
		{
			snprintf(r->err, r->errlen, "eservice_details.csv: บริการ %s ไม่มีใน eservices.csv",
			         code);
			return DB_ERROR;
		}
	}
	static const char *const tcols[] = {"kind", "phrase", "target"};
	if (rc == DB_OK)
		rc = each_row(r, c, "search_synonyms.csv", tcols, 3, term_row);
	if (rc == DB_OK) {
		bool changed = false;
		rc = db_search_terms_seed(c, r->synonyms, r->phrases, &changed);
		if (changed)
			r->changed = true;
		r->n->search_terms = (int)(json_array_size(r->synonyms) + json_array_size(r->phrases));
	}
	if (rc == DB_OK)
		rc = points_add(r, c);
	if (rc == DB_OK && r->changed)
		rc = db_portal_bump(c);
	return rc;
}

int db_seed_reference(struct db *db, const char *data_dir, bool bangkok_in_programme, struct seed_counts *n,
                      char *err, size_t errlen)
{
	struct seed_counts local;
	struct ref r = {data_dir,     bangkok_in_programme, n ? n : &local, err,
	                errlen,       (int64_t)time(NULL),  json_object(),  json_object(),
	                json_array(), json_array(),         false};
	int rc = db_tx(db, reference_fn, &r);
	json_decref(r.categories);
	json_decref(r.details);
	json_decref(r.synonyms);
	json_decref(r.phrases);
	if (rc != DB_OK && !err[0])
		snprintf(err, errlen, "บันทึกข้อมูลอ้างอิงไม่ได้ (รหัส %d)", rc);
	return rc == DB_OK ? 0 : -1;
}

struct demo {
	const char (*hashes)[PASSWORD_HASH_LEN];
	struct seed_counts *n;
	int64_t now;
};

static int demo_fn(struct dbc *c, void *arg)
{
	struct demo *d = arg;
	d->n->users = 0;
	for (int i = 0; demo_users[i].username; i++) {
		const struct demo_user *u = &demo_users[i];
		int64_t existing;
		int rc =
		    db_query_int(c, &existing, "SELECT id FROM users WHERE username = ?", "t", u->username);
		if (rc == DB_ROW)
			continue;
		if (rc < 0)
			return rc;
		rc = db_exec(
		    c,
		    "INSERT INTO users (username, display_name, role, unit_code, password_hash, disabled, "
		    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
		    "tttttii", u->username, u->display_name, u->role, u->unit_code, d->hashes[i], d->now,
		    d->now);
		if (rc != DB_OK)
			return rc;
		d->n->users++;
	}
	return DB_OK;
}

int db_seed_demo(struct db *db, struct seed_counts *n, char *err, size_t errlen)
{
	enum { MAXU = 16 };
	static char hashes[MAXU][PASSWORD_HASH_LEN];
	struct seed_counts local = {0};
	for (int i = 0; demo_users[i].username && i < MAXU; i++)
		if (password_hash(hashes[i], DEMO_PASSWORD) < 0) {
			snprintf(err, errlen, "สร้างรหัสผ่านไม่ได้");
			return -1;
		}
	struct demo d = {(const char(*)[PASSWORD_HASH_LEN])hashes, n ? n : &local, (int64_t)time(NULL)};
	int rc = db_tx(db, demo_fn, &d);
	if (rc != DB_OK) {
		snprintf(err, errlen, "บันทึกบัญชีตัวอย่างไม่ได้ (รหัส %d) — รัน osspoint seed ก่อนหรือไม่", rc);
		return -1;
	}
	return 0;
}
