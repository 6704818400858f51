/* The first worksheet of an .xlsx as rows of text (xlsx_read.h).
 *
 * Parts are found the way the Open Packaging Conventions say: _rels/.rels
 * names the workbook, the workbook's relationships name its sheets, shared
 * strings and styles (targets relative to the workbook's folder). Each XML
 * part is streamed from libzip into an expat parser with namespace
 * processing, and elements are matched by local name, so transitional and
 * strict OOXML namespaces both work. */
#include "lib/xlsx_read.h"

#include <expat.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "lib/buf.h"
#include "lib/thai.h"
#include "lib/xalloc.h"

#define TEXT_MAX (1024u * 1024 * 1024) /* all cell text of a sheet */

bool xlsx_looks_like(const char *data, size_t len)
{
	return len >= 4 && !memcmp(data, "PK\3\4", 4);
}

const char *xlsx_strerror(int rc)
{
	switch (rc) {
	case XLSX_OK: return "";
	case XLSX_NOT_XLSX: return "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) หรือไม่มีแผ่นงาน";
	case XLSX_MALFORMED: return "ไฟล์ Excel (.xlsx) เสียหาย อ่านข้อมูลในแผ่นงานไม่ได้";
	case XLSX_TOO_BIG: return "ไฟล์ Excel (.xlsx) ใหญ่เกินไป หรือมีช่องที่ยาวเกิน 65,536 ไบต์";
	case XLSX_TOO_MANY: return "ไฟล์ Excel (.xlsx) มีแถวมากเกินไป หรือมีข้อมูลเกิน 64 คอลัมน์";
	case XLSX_ENCRYPTED: return "ไฟล์ Excel (.xlsx) ตั้งรหัสผ่านไว้ กรุณาบันทึกใหม่โดยไม่ตั้งรหัสผ่าน";
	}
	return "อ่านไฟล์ Excel (.xlsx) ไม่ได้";
}

/* ---- streaming one part through expat ---------------------------------- */

struct part {
	XML_Parser p;
	int rc; /* first failure, XLSX_OK so far */
};

static const char *local_name(const char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

static const char *attr(const char **atts, const char *local)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (!strcmp(local_name(atts[i]), local))
			return atts[i + 1];
	return NULL;
}

static void part_fail(struct part *pt, int rc)
{
	if (pt->rc == XLSX_OK)
		pt->rc = rc;
	XML_StopParser(pt->p, XML_FALSE);
}

static void XMLCALL no_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub,
                               int internal)
{
	(void)name;
	(void)sys;
	(void)pub;
	(void)internal;
	part_fail(ud, XLSX_MALFORMED);
}

/* Parses zip entry `name` with the handlers; user data must start with a
 * struct part. XLSX_OK, or a negative rc (a missing part: XLSX_NOT_XLSX). */
static int parse_part(zip_t *za, const char *name, struct part *pt, XML_StartElementHandler start,
                      XML_EndElementHandler end, XML_CharacterDataHandler chars)
{
	zip_int64_t idx = zip_name_locate(za, name, 0);
	if (idx < 0)
		return XLSX_NOT_XLSX;
	zip_stat_t st;
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return XLSX_ENCRYPTED;
	zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!zf)
		return XLSX_MALFORMED;
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	pt->p = p;
	pt->rc = XLSX_OK;
	XML_SetUserData(p, pt);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, chars);
	XML_SetStartDoctypeDeclHandler(p, no_doctype);
	char chunk[65536];
	size_t total = 0;
	int rc = XLSX_OK;
	for (;;) {
		zip_int64_t got = zip_fread(zf, chunk, sizeof chunk);
		if (got < 0) {
			rc = XLSX_MALFORMED;
			break;
		}
		total += (size_t)got;
		if (total > XLSX_PART_MAX) {
			rc = XLSX_TOO_BIG;
			break;
		}
		if (XML_Parse(p, chunk, (int)got, got == 0) != XML_STATUS_OK) {
			rc = pt->rc != XLSX_OK ? pt->rc : XLSX_MALFORMED;
			break;
		}
		if (got == 0)
			break;
	}
	if (rc == XLSX_OK)
		rc = pt->rc;
	XML_ParserFree(p);
	zip_fclose(zf);
	return rc;
}

/* ---- relationships: which part is the workbook, its sheet, strings, styles */

struct rels {
	struct part pt;
	const char *want_id;   /* a relationship by id, or */
	const char *want_type; /* by the end of its type */
	char target[512];
};

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct rels *r = ud;
	if (r->target[0] || strcmp(local_name(name), "Relationship"))
		return;
	const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
	if (!target)
		return;
	bool match = r->want_id ? id && !strcmp(id, r->want_id)
	                        : type && strlen(type) >= strlen(r->want_type) &&
	                              !strcmp(type + strlen(type) - strlen(r->want_type), r->want_type);
	if (match)
		snprintf(r->target, sizeof r->target, "%s", target);
}

static void XMLCALL ignore_end(void *ud, const XML_Char *name)
{
	(void)ud;
	(void)name;
}

static void XMLCALL ignore_chars(void *ud, const XML_Char *s, int len)
{
	(void)ud;
	(void)s;
	(void)len;
}

/* The part a relationship of rels_part points to, as a zip entry name in out
 * (relative targets are taken from dir, the folder of the source part,
 * "xl/"; an absolute one drops its '/'). false when there is none. */
static bool rel_target(zip_t *za, const char *rels_part, const char *dir, const char *id, const char *type,
                       char *out, size_t cap)
{
	struct rels r = {.want_id = id, .want_type = type};
	if (parse_part(za, rels_part, &r.pt, rels_start, ignore_end, ignore_chars) != XLSX_OK || !r.target[0])
		return false;
	int n = r.target[0] == '/' ? snprintf(out, cap, "%s", r.target + 1)
	                           : snprintf(out, cap, "%s%s", dir, r.target);
	return n > 0 && (size_t)n < cap;
}

/* ---- workbook.xml: the first sheet's relationship id, the date system ---- */

struct workbook {
	struct part pt;
	char sheet_rid[128];
	bool date1904;
};

static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct workbook *w = ud;
	const char *l = local_name(name);
	if (!strcmp(l, "workbookPr")) {
		const char *v = attr(atts, "date1904");
		w->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
	} else if (!strcmp(l, "sheet") && !w->sheet_rid[0]) {
		const char *rid = attr(atts, "id"); /* r:id, in the relationships namespace */
		if (rid)
			snprintf(w->sheet_rid, sizeof w->sheet_rid, "%s", rid);
	}
}

/* ---- styles.xml: which cell styles show dates --------------------------- */

struct styles {
	struct part pt;
	int in_cellxfs;
	/* custom formats that are dates (ids 164 and up are custom) */
	unsigned char custom_date[1024];
	unsigned char custom_time[1024];
	unsigned char *xf_kind; /* per cellXfs index: 0 number, 1 date, 2 date and time */
	size_t nxf, xf_cap;
};

/* Whether a number format code shows a date (1) or a date/time (2): a date
 * or time letter outside "quoted text", [brackets] and \escapes. */
static int format_kind(const char *code)
{
	int kind = 0;
	for (const char *p = code; *p; p++) {
		if (*p == '"') {
			const char *q = strchr(p + 1, '"');
			if (!q)
				break;
			p = q;
		} else if (*p == '[') {
			const char *q = strchr(p + 1, ']');
			if (!q)
				break;
			/* [h], [mm], [ss]: elapsed time */
			if (q - p > 1 && strchr("hHmMsS", p[1]))
				kind = 2;
			p = q;
		} else if (*p == '\\' || *p == '_' || *p == '*') {
			if (!p[1])
				break;
			p++;
		} else if (strchr("hHsS", *p)) {
			kind = 2;
		} else if (strchr("dDmMyYbB", *p) && !kind) {
			kind = 1;
		}
	}
	return kind;
}

static int builtin_kind(long id)
{
	if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) ||
	    (id >= 50 && id <= 58))
		return 1;
	if ((id >= 18 && id <= 22) || (id >= 32 && id <= 33) || (id >= 45 && id <= 47))
		return 2;
	return 0;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct styles *s = ud;
	const char *l = local_name(name);
	if (!strcmp(l, "cellXfs")) {
		s->in_cellxfs++;
	} else if (!strcmp(l, "numFmt")) {
		const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
		long n = id ? strtol(id, NULL, 10) : -1;
		if (code && n >= 164 && n < 164 + (long)sizeof s->custom_date) {
			int k = format_kind(code);
			s->custom_date[n - 164] = k >= 1;
			s->custom_time[n - 164] = k == 2;
		}
	} else if (!strcmp(l, "xf") && s->in_cellxfs) {
		const char *id = attr(atts, "numFmtId");
		long n = id ? strtol(id, NULL, 10) : 0;
		int kind = builtin_kind(n);
		if (n >= 164 && n < 164 + (long)sizeof s->custom_date)
			kind = s->custom_time[n - 164] ? 2 : s->custom_date[n - 164] ? 1 : 0;
		if (s->nxf == s->xf_cap) {
			if (s->xf_cap >= 65536) {
				part_fail(&s->pt, XLSX_TOO_BIG);
				return;
			}
			s->xf_cap = s->xf_cap ? s->xf_cap * 2 : 64;
			s->xf_kind = xrealloc(s->xf_kind, s->xf_cap);
		}
		s->xf_kind[s->nxf++] = (unsigned char)kind;
	}
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
	struct styles *s = ud;
	if (!strcmp(local_name(name), "cellXfs") && s->in_cellxfs)
		s->in_cellxfs--;
}

/* ---- sharedStrings.xml -------------------------------------------------- */

struct strings {
	struct part pt;
	struct buf text; /* every string, NUL-terminated, one after another */
	size_t *off, n, cap;
	size_t start; /* where the current <si> began */
	int in_si, in_t, in_rph;
};

static void XMLCALL strings_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct strings *s = ud;
	const char *l = local_name(name);
	(void)atts;
	if (!strcmp(l, "si")) {
		s->in_si = 1;
		s->start = s->text.len;
	} else if (!strcmp(l, "rPh")) {
		s->in_rph++;
	} else if (!strcmp(l, "t")) {
		s->in_t = 1;
	}
}

static void XMLCALL strings_end(void *ud, const XML_Char *name)
{
	struct strings *s = ud;
	const char *l = local_name(name);
	if (!strcmp(l, "t")) {
		s->in_t = 0;
	} else if (!strcmp(l, "rPh")) {
		s->in_rph--;
	} else if (!strcmp(l, "si") && s->in_si) {
		s->in_si = 0;
		if (buf_putc(&s->text, '\0') < 0) {
			part_fail(&s->pt, XLSX_TOO_BIG);
			return;
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 1024;
			s->off = xrealloc(s->off, s->cap * sizeof *s->off);
		}
		s->off[s->n++] = s->start;
	}
}

static void XMLCALL strings_chars(void *ud, const XML_Char *t, int len)
{
	struct strings *s = ud;
	if (!s->in_si || !s->in_t || s->in_rph)
		return;
	if (s->text.len - s->start + (size_t)len > XLSX_CELL_MAX || buf_append(&s->text, t, (size_t)len) < 0)
		part_fail(&s->pt, XLSX_TOO_BIG);
}

/* ---- the worksheet ------------------------------------------------------ */

struct row_rec {
	size_t num, first, ncells;
};

struct sheet {
	struct part pt;
	const struct strings *ss;
	const struct styles *st;
	bool date1904;
	size_t max_rows;
	struct buf text;  /* cell strings; offset 0 is "" */
	size_t *cell_off; /* per cell: offset into text */
	size_t ncells, cells_cap;
	struct row_rec *rows;
	size_t nrows, rows_cap;
	size_t row_num; /* current row's number */
	bool row_open;  /* a row with a non-empty cell was begun */
	size_t col;     /* current cell's column, 0-based */
	char type[16];  /* current cell's t="" */
	long style;     /* current cell's s="" */
	int in_c, in_v, in_t, in_is, in_rph;
	struct buf value; /* <v> or <is> text of the current cell */
};

/* "BC12" → 54 (0-based column of a cell reference), or -1. */
static long ref_col(const char *r)
{
	long c = 0;
	int k = 0;
	for (; *r >= 'A' && *r <= 'Z'; r++, k++) {
		c = c * 26 + (*r - 'A' + 1);
		if (c > 16384)
			return -1;
	}
	return k ? c - 1 : -1;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct sheet *s = ud;
	const char *l = local_name(name);
	if (!strcmp(l, "row")) {
		const char *r = attr(atts, "r");
		long n = r ? strtol(r, NULL, 10) : 0;
		s->row_num = n > 0 ? (size_t)n : s->row_num + 1;
		s->row_open = false;
		s->col = 0;
	} else if (!strcmp(l, "c")) {
		const char *r = attr(atts, "r"), *t = attr(atts, "t"), *st = attr(atts, "s");
		long c = r ? ref_col(r) : -1;
		if (c >= 0)
			s->col = (size_t)c;
		snprintf(s->type, sizeof s->type, "%s", t ? t : "n");
		s->style = st ? strtol(st, NULL, 10) : 0;
		s->in_c = 1;
		buf_reset(&s->value);
	} else if (s->in_c && !strcmp(l, "v")) {
		s->in_v = 1;
	} else if (s->in_c && !strcmp(l, "is")) {
		s->in_is = 1;
	} else if (s->in_is && !strcmp(l, "rPh")) {
		s->in_rph++;
	} else if (s->in_is && !strcmp(l, "t")) {
		s->in_t = 1;
	}
}

static void XMLCALL sheet_chars(void *ud, const XML_Char *t, int len)
{
	struct sheet *s = ud;
	if (!(s->in_v || (s->in_t && !s->in_rph)))
		return;
	if (s->value.len + (size_t)len > XLSX_CELL_MAX || buf_append(&s->value, t, (size_t)len) < 0)
		part_fail(&s->pt, XLSX_TOO_BIG);
}

/* A date serial as ISO text (xlsx_read.h); false when out of range. */
static bool serial_text(double v, bool date1904, bool with_time, char out[32])
{
	if (!(v >= 0 && v < 2958466)) /* 9999-12-31 */
		return false;
	int64_t secs = (int64_t)llround(v * 86400.0);
	int64_t days = secs / 86400, sod = secs % 86400;
	/* Day 0 of the 1900 system is 1899-12-31, and Excel counts a 29 Feb 1900
	 * that never was (serial 60): from serial 61 on, 1899-12-30 is day 0. */
	int64_t base;
	if (date1904)
		base = thai_days_from_civil(1904, 1, 1);
	else if (days >= 61)
		base = thai_days_from_civil(1899, 12, 30);
	else if (days == 60)
		return false;
	else
		base = thai_days_from_civil(1899, 12, 31);
	struct civil_day d = thai_civil_from_days(base + days);
	char iso[THAI_ISO_DAY_SIZE];
	if (thai_day_iso(d, iso) < 0)
		return false;
	if (!with_time && sod == 0)
		snprintf(out, 32, "%s", iso);
	else
		snprintf(out, 32, "%sT%02d:%02d:%02d", iso, (int)(sod / 3600), (int)(sod / 60 % 60),
		         (int)(sod % 60));
	return true;
}

/* Appends s as the next cell of the current row (opening the row). */
static void put_cell(struct sheet *s, const char *v, size_t n)
{
	if (s->col >= XLSX_MAX_COLS) {
		part_fail(&s->pt, XLSX_TOO_MANY);
		return;
	}
	if (!s->row_open) {
		if (s->nrows == s->max_rows) {
			part_fail(&s->pt, XLSX_TOO_MANY);
			return;
		}
		if (s->nrows == s->rows_cap) {
			s->rows_cap = s->rows_cap ? s->rows_cap * 2 : 256;
			s->rows = xrealloc(s->rows, s->rows_cap * sizeof *s->rows);
		}
		s->rows[s->nrows++] = (struct row_rec){s->row_num, s->ncells, 0};
		s->row_open = true;
	}
	struct row_rec *r = &s->rows[s->nrows - 1];
	size_t off = s->text.len;
	if (buf_append(&s->text, v, n) < 0 || buf_putc(&s->text, '\0') < 0) {
		part_fail(&s->pt, XLSX_TOO_BIG);
		return;
	}
	/* Cells arrive left to right; the gaps before this one are "". */
	while (r->ncells <= s->col) {
		if (s->ncells == s->cells_cap) {
			s->cells_cap = s->cells_cap ? s->cells_cap * 2 : 4096;
			s->cell_off = xrealloc(s->cell_off, s->cells_cap * sizeof *s->cell_off);
		}
		s->cell_off[s->ncells++] = 0;
		r->ncells++;
	}
	s->cell_off[r->first + s->col] = off;
}

static void end_cell(struct sheet *s)
{
	const char *v = buf_str(&s->value);
	size_t n = s->value.len;
	char tmp[32];
	if (!strcmp(s->type, "s")) {
		char *end;
		unsigned long i = strtoul(v, &end, 10);
		if (!n || *end || i >= s->ss->n) {
			part_fail(&s->pt, XLSX_MALFORMED);
			return;
		}
		v = s->ss->text.data + s->ss->off[i];
		n = strlen(v);
	} else if (!strcmp(s->type, "b")) {
		v = !strcmp(v, "1") ? "TRUE" : "FALSE";
		n = strlen(v);
	} else if (!strcmp(s->type, "n")) {
		int kind = s->style >= 0 && (size_t)s->style < s->st->nxf ? s->st->xf_kind[s->style] : 0;
		char *end;
		double d = n ? strtod(v, &end) : 0;
		if (kind && n && !*end && serial_text(d, s->date1904, kind == 2, tmp)) {
			v = tmp;
			n = strlen(tmp);
		}
	}
	if (n)
		put_cell(s, v, n);
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct sheet *s = ud;
	const char *l = local_name(name);
	if (!strcmp(l, "c") && s->in_c) {
		end_cell(s);
		s->in_c = s->in_v = s->in_is = s->in_t = s->in_rph = 0;
		s->col++;
	} else if (!strcmp(l, "v")) {
		s->in_v = 0;
	} else if (!strcmp(l, "is")) {
		s->in_is = 0;
	} else if (!strcmp(l, "rPh") && s->in_rph) {
		s->in_rph--;
	} else if (!strcmp(l, "t")) {
		s->in_t = 0;
	}
}

/* ---- putting it together ------------------------------------------------ */

/* The folder of a part name, with its '/': "xl/workbook.xml" → "xl/". */
static void part_dir(const char *part, char *out, size_t cap)
{
	const char *slash = strrchr(part, '/');
	size_t n = slash ? (size_t)(slash - part) + 1 : 0;
	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), part);
}

/* "xl/workbook.xml" → "xl/_rels/workbook.xml.rels" */
static void rels_of(const char *part, char *out, size_t cap)
{
	char dir[512];
	part_dir(part, dir, sizeof dir);
	snprintf(out, cap, "%s_rels/%s.rels", dir, part + strlen(dir));
}

static int read_zip(zip_t *za, size_t max_rows, struct xlsx_sheet *out)
{
	char wb_part[512], wb_rels[600], dir[512], sheet_part[1024], part[1024];
	if (!rel_target(za, "_rels/.rels", "", NULL, "/officeDocument", wb_part, sizeof wb_part))
		snprintf(wb_part, sizeof wb_part, "xl/workbook.xml");
	part_dir(wb_part, dir, sizeof dir);
	rels_of(wb_part, wb_rels, sizeof wb_rels);

	struct workbook wb = {0};
	int rc = parse_part(za, wb_part, &wb.pt, workbook_start, ignore_end, ignore_chars);
	if (rc != XLSX_OK)
		return rc;
	if (!wb.sheet_rid[0] ||
	    !rel_target(za, wb_rels, dir, wb.sheet_rid, NULL, sheet_part, sizeof sheet_part))
		return XLSX_NOT_XLSX;

	struct styles st = {0};
	struct strings ss = {0};
	struct sheet sh = {0};
	buf_init(&ss.text, TEXT_MAX);
	buf_init(&sh.text, TEXT_MAX);
	buf_init(&sh.value, XLSX_CELL_MAX + 1);
	if (rel_target(za, wb_rels, dir, NULL, "/styles", part, sizeof part) &&
	    (rc = parse_part(za, part, &st.pt, styles_start, styles_end, ignore_chars)) != XLSX_OK)
		goto out;
	if (rel_target(za, wb_rels, dir, NULL, "/sharedStrings", part, sizeof part) &&
	    (rc = parse_part(za, part, &ss.pt, strings_start, strings_end, strings_chars)) != XLSX_OK)
		goto out;
	sh.ss = &ss;
	sh.st = &st;
	sh.date1904 = wb.date1904;
	sh.max_rows = max_rows;
	buf_putc(&sh.text, '\0'); /* offset 0: the empty cell */
	if ((rc = parse_part(za, sheet_part, &sh.pt, sheet_start, sheet_end, sheet_chars)) != XLSX_OK)
		goto out;
	out->text = buf_detach(&sh.text, NULL);
	out->cells = xcalloc(sh.ncells ? sh.ncells : 1, sizeof *out->cells);
	for (size_t i = 0; i < sh.ncells; i++)
		out->cells[i] = out->text + sh.cell_off[i];
	out->rows = xcalloc(sh.nrows ? sh.nrows : 1, sizeof *out->rows);
	for (size_t i = 0; i < sh.nrows; i++)
		out->rows[i] =
		    (struct xlsx_row){sh.rows[i].num, sh.rows[i].ncells, out->cells + sh.rows[i].first};
	out->nrows = sh.nrows;
out:
	free(st.xf_kind);
	buf_cleanup(&ss.text);
	free(ss.off);
	buf_cleanup(&sh.text);
	buf_cleanup(&sh.value);
	free(sh.cell_off);
	free(sh.rows);
	return rc;
}

int xlsx_sheet_read(const char *data, size_t len, size_t max_rows, struct xlsx_sheet *out)
{
	memset(out, 0, sizeof *out);
	if (!xlsx_looks_like(data, len))
		return XLSX_NOT_XLSX;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return XLSX_NOT_XLSX;
	}
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(src);
		return XLSX_NOT_XLSX;
	}
	int rc = read_zip(za, max_rows, out);
	zip_discard(za); /* frees src too */
	if (rc != XLSX_OK) {
		xlsx_sheet_cleanup(out);
		memset(out, 0, sizeof *out);
	}
	return rc;
}

void xlsx_sheet_cleanup(struct xlsx_sheet *s)
{
	free(s->rows);
	free((void *)s->cells);
	free(s->text);
	s->rows = NULL;
	s->cells = NULL;
	s->text = NULL;
	s->nrows = 0;
}
