#include "db/seed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int eservice_row(struct ref *r, struct dbc *c, const char **v)
{
	/* code,name_th,name_en,agency_th,agency_en,agency_type,channel,url,source,note */
	r->n->eservices++;
	return db_exec(
	    c,
	    "INSERT INTO eservices (code, name_th, name_en, agency_th, agency_en, agency_type, channel, url, "
	    "source, note, status, sort_order, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', "
	    "?, ?) ON CONFLICT (code) DO UPDATE SET name_th = excluded.name_th, name_en = excluded.name_en, "
	    "agency_th = excluded.agency_th, agency_en = excluded.agency_en, "
	    "agency_type = excluded.agency_type, channel = excluded.channel, url = excluded.url, "
	    "source = excluded.source, note = excluded.note",
	    "ttttttttttii", v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9],
	    (int64_t)r->n->eservices * 10, r->now);
}

static int reference_fn(struct dbc *c, void *arg)
{
	struct ref *r = arg;
	memset(r->n, 0, sizeof *r->n);
	r->err[0] = '\0';
	int rc = db_exec(c, UPSERT_UNIT, "tnitttii", "0", (int64_t)0, "กรมการปกครอง",
	                 "Department of Provincial Administration", "", (int64_t)1, r->now);
	if (rc != DB_OK)
		return rc;
	static const char *const pcols[] = {"code", "name_th", "name_en", "region_th"};
	static const char *const dcols[] = {"code", "province_code", "name_th", "name_en"};
	static const char *const ecols[] = {"code",        "name_th", "name_en", "agency_th", "agency_en",
	                                    "agency_type", "channel", "url",     "source",    "note"};
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
		rc = each_row(r, c, "eservices.csv", ecols, 10, eservice_row);
	return rc;
}

int db_seed_reference(struct db *db, const char *data_dir, bool bangkok_in_programme, struct seed_counts *n,
                      char *err, size_t errlen)
{
	struct seed_counts local;
	struct ref r = {data_dir, bangkok_in_programme, n ? n : &local, err, errlen, (int64_t)time(NULL)};
	int rc = db_tx(db, reference_fn, &r);
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
