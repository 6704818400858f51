/* External aggregates: reading and checking a file of figures (external.h). */
#include "core/external.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/perm.h"
#include "core/text.h"
#include "lib/csv.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "lib/xlsx_read.h"

enum col {
	COL_UNIT,
	COL_PERIOD,
	COL_USERS,
	COL_RESPONDENTS,
	COL_SUM,
	COL_MEAN,
	COL_PERCENT,
	COL_RANK,
	COL_RANK_OF,
	COL_SOURCE,
	NCOL,
	COL_IGNORED = NCOL,
	COL_UNKNOWN,
	COL_EMPTY,
};

static const struct {
	const char *th, *api;
} names[NCOL] = {
    [COL_UNIT] = {"รหัสหน่วยงาน", "unit_code"}, [COL_PERIOD] = {"งวด", "period"},
    [COL_USERS] = {"ผู้มารับบริการ", "users"},    [COL_RESPONDENTS] = {"ผู้ตอบแบบสำรวจ", "respondents"},
    [COL_SUM] = {"คะแนนรวม", "score_sum"},    [COL_MEAN] = {"คะแนนเฉลี่ย", "score_mean"},
    [COL_PERCENT] = {"ร้อยละ", "percent"},     [COL_RANK] = {"อันดับ", "rank"},
    [COL_RANK_OF] = {"จากทั้งหมด", "rank_of"},  [COL_SOURCE] = {"แหล่งข้อมูล", "source"},
};
static const char *const ignored[] = {"ชื่อหน่วยงาน", "name_th", "ลำดับที่", "หมายเหตุ", "remarks", NULL};

/* ---- small text helpers ---- */

/* s without ASCII white space at both ends, into out (cap bytes). */
static void trim(char *out, size_t cap, const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* The column a header cell names. */
static enum col header_col(const char *cell)
{
	char h[256];
	trim(h, sizeof h, cell);
	if (!h[0])
		return COL_EMPTY;
	/* A trailing "(…)" is a unit or a remark: "ผู้มารับบริการ (ราย)". */
	char *paren = strrchr(h, '(');
	if (paren && h[strlen(h) - 1] == ')') {
		*paren = '\0';
		char t[256];
		trim(t, sizeof t, h);
		memcpy(h, t, strlen(t) + 1);
	}
	for (int c = 0; c < NCOL; c++)
		if (!strcmp(h, names[c].th) || !strcmp(h, names[c].api))
			return (enum col)c;
	for (size_t i = 0; ignored[i]; i++)
		if (!strcmp(h, ignored[i]))
			return COL_IGNORED;
	return COL_UNKNOWN;
}

/* ASCII digits for Thai ones, thousands commas between digits dropped, into
 * out; false when it does not fit. */
static bool ascii_number(const char *s, char *out, size_t cap)
{
	char a[128], t[128];
	trim(t, sizeof t, s);
	if (strlen(t) >= sizeof t - 1 || thai_digits_to_ascii(a, sizeof a, t) < 0)
		return false;
	size_t k = 0;
	for (size_t i = 0; a[i]; i++) {
		if (a[i] == ',' && i > 0 && a[i - 1] >= '0' && a[i - 1] <= '9' && a[i + 1] >= '0' &&
		    a[i + 1] <= '9')
			continue;
		if (k + 1 >= cap)
			return false;
		out[k++] = a[i];
	}
	out[k] = '\0';
	return true;
}

/* A whole number >= 0 (a spreadsheet's "1671.0" too), at most 12 digits. */
static bool parse_int(const char *s, int64_t *v)
{
	char a[64];
	if (!ascii_number(s, a, sizeof a) || !a[0])
		return false;
	int64_t x = 0;
	size_t i = 0, nd = 0;
	for (; a[i] >= '0' && a[i] <= '9'; i++, nd++) {
		if (nd >= 12)
			return false;
		x = x * 10 + (a[i] - '0');
	}
	if (nd == 0)
		return false;
	if (a[i] == '.') {
		for (i++; a[i] == '0'; i++)
			;
	}
	if (a[i])
		return false;
	*v = x;
	return true;
}

/* A decimal >= 0 with at most 4 places (see external.h for spreadsheet
 * artefacts): its value × 10^4 and its normalised text. */
static bool parse_dec(const char *s, int64_t *e4, char out[EXTERNAL_DEC_SIZE])
{
	char a[64];
	if (!ascii_number(s, a, sizeof a) || !a[0])
		return false;
	const char *p = a;
	int64_t whole = 0;
	size_t nw = 0;
	while (*p == '0' && p[1] >= '0' && p[1] <= '9')
		p++; /* leading zeros */
	const char *w0 = p;
	for (; *p >= '0' && *p <= '9'; p++, nw++) {
		if (nw >= 10)
			return false;
		whole = whole * 10 + (*p - '0');
	}
	if (nw == 0)
		return false;
	size_t nw_len = (size_t)(p - w0);
	const char *f0 = NULL;
	size_t nf = 0;
	if (*p == '.') {
		f0 = ++p;
		for (; *p >= '0' && *p <= '9'; p++)
			nf++;
		if (nf == 0)
			return false;
	}
	if (*p)
		return false;
	int64_t frac = 0;
	bool rounded = false;
	if (nf > 4) {
		/* Only a binary artefact (15 or more significant digits) is rounded;
		 * a person's 5th decimal place is refused. */
		size_t sig = (whole ? nw : 0) + nf;
		if (sig < 15)
			return false;
		rounded = true;
	}
	for (size_t i = 0; i < 4; i++)
		frac = frac * 10 + (i < nf ? f0[i] - '0' : 0);
	int64_t v = whole * 10000 + frac;
	if (rounded && f0[4] >= '5')
		v++;
	*e4 = v;
	char tmp[96];
	if (rounded) {
		int64_t w = v / 10000, f = v % 10000;
		int places = 4;
		while (places > 0 && f % 10 == 0)
			f /= 10, places--;
		if (places)
			snprintf(tmp, sizeof tmp, "%lld.%0*lld", (long long)w, places, (long long)f);
		else
			snprintf(tmp, sizeof tmp, "%lld", (long long)w);
	} else {
		snprintf(tmp, sizeof tmp, "%.*s%s%.*s", (int)nw_len, w0, nf ? "." : "", (int)nf,
		         f0 ? f0 : "");
	}
	/* At most 10 + 1 + 4 characters by the checks above. */
	size_t len = strlen(tmp);
	if (len >= EXTERNAL_DEC_SIZE)
		return false;
	memcpy(out, tmp, len + 1);
	return true;
}

int external_period_parse(const char *s, struct period *out)
{
	char a[128], t[128];
	trim(t, sizeof t, s ? s : "");
	if (!t[0] || strlen(t) >= sizeof t - 1 || thai_digits_to_ascii(a, sizeof a, t) < 0)
		return -1;
	struct period p;
	int y, m, len = 0;
	/* "YYYY-MM" / "YYYY/MM": a year of 2400 or more is B.E. */
	if (sscanf(a, "%4d%*[-/]%2d%n", &y, &m, &len) == 2 && (size_t)len == strlen(a) && a[4] &&
	    (a[4] == '-' || a[4] == '/') && strlen(a) == 7) {
		p.year = y >= 2400 ? y - THAI_BE_OFFSET : y;
		p.month = m;
	} else {
		/* A date (an XLSX date cell: ISO) names its month; a month name and
		 * a year are read as the day 1 of that month, by the one date parser. */
		struct civil_time ct;
		char withday[160];
		snprintf(withday, sizeof withday, "1 %s", a);
		bool iso = strlen(a) == 10 && a[4] == '-' && a[7] == '-';
		bool iso_time = strlen(a) > 10 && a[4] == '-' && a[7] == '-' && a[10] == 'T';
		if (iso || iso_time) {
			if (thai_when_parse(a, &ct) < 0)
				return -1;
		} else if (thai_when_parse(withday, &ct) != THAI_WHEN_DAY) {
			return -1;
		}
		p.year = ct.y;
		p.month = ct.m;
	}
	if (!period_valid(p) || p.year < 1900)
		return -1;
	*out = p;
	return 0;
}

int external_mean_percent(const char *sum, int64_t n, char mean[EXTERNAL_DEC_SIZE],
                          char percent[EXTERNAL_DEC_SIZE])
{
	int64_t e4;
	char norm[EXTERNAL_DEC_SIZE];
	if (n <= 0 || !parse_dec(sum, &e4, norm))
		return -1;
	/* mean × 100 = e4 / (100 n), percent × 100 = e4 × 10 / (100 n), half up. */
	int64_t d = n * 100;
	int64_t m100 = (e4 * 2 + d) / (2 * d), p100 = (e4 * 20 + d) / (2 * d);
	snprintf(mean, EXTERNAL_DEC_SIZE, "%lld.%02lld", (long long)(m100 / 100), (long long)(m100 % 100));
	snprintf(percent, EXTERNAL_DEC_SIZE, "%lld.%02lld", (long long)(p100 / 100), (long long)(p100 % 100));
	return 0;
}

int external_mean_to_percent(const char *mean, char percent[EXTERNAL_DEC_SIZE])
{
	int64_t e4;
	char norm[EXTERNAL_DEC_SIZE];
	if (!parse_dec(mean, &e4, norm))
		return -1;
	int64_t p100 = (e4 * 10 + 50) / 100;
	snprintf(percent, EXTERNAL_DEC_SIZE, "%lld.%02lld", (long long)(p100 / 100), (long long)(p100 % 100));
	return 0;
}

/* ---- rows of either format ---- */

struct rows {
	bool xlsx;
	struct csv csv;
	struct xlsx_sheet sh;
	size_t i;
};

/* 1 with a row, 0 at the end, -1 on a CSV error (line in *line). */
static int rows_next(struct rows *r, size_t *line, size_t *n, const char *const **cells)
{
	if (r->xlsx) {
		if (r->i >= r->sh.nrows)
			return 0;
		struct xlsx_row *x = &r->sh.rows[r->i++];
		*line = x->num;
		*n = x->ncells;
		*cells = x->cells;
		return 1;
	}
	int rc = csv_next(&r->csv);
	*line = r->csv.line;
	if (rc == CSV_EOF)
		return 0;
	if (rc != CSV_RECORD)
		return -1;
	*n = r->csv.nfields;
	*cells = (const char *const *)r->csv.fields;
	return 1;
}

/* ---- errors ---- */

static void __attribute__((format(printf, 5, 6)))
row_error(struct external_batch *b, size_t line, const char *column, const char *field, const char *fmt, ...)
{
	if (json_array_size(b->errors) >= EXTERNAL_MAX_ERRORS)
		return;
	char what[512], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (column && *column)
		snprintf(msg, sizeof msg, "แถวที่ %zu คอลัมน์ \"%s\": %s", line, column, what);
	else
		snprintf(msg, sizeof msg, "แถวที่ %zu: %s", line, what);
	json_array_append_new(b->errors, json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)line, "column",
	                                           column ? column : "", "field", field, "message", msg));
}

/* A header as the file writes it, made safe to quote in a message (invalid
 * UTF-8 or control characters replaced, at most 60 bytes). */
static void header_text(char out[128], const char *cell)
{
	char t[128];
	trim(t, 64, cell);
	struct text_span sp = {t, strlen(t)};
	if (text_check(sp, 0) != TEXT_OK)
		snprintf(out, 128, "(หัวคอลัมน์ที่อ่านไม่ได้)");
	else
		snprintf(out, 128, "%s", t);
}

static void bad_file(struct external_batch *b, const char *msg)
{
	snprintf(b->message, sizeof b->message, "%s", msg);
}

/* ---- one row ---- */

struct header {
	int at[NCOL]; /* cell index of each column, -1 when absent */
	char text[NCOL][128];
};

static const char *cell_at(const struct header *h, enum col c, size_t n, const char *const *cells)
{
	int i = h->at[c];
	return i >= 0 && (size_t)i < n ? cells[i] : "";
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* Checks one data row into row; false (errors added) when it is wrong. */
static bool check_row(struct external_batch *b, const struct header *h, size_t line, size_t n,
                      const char *const *cells, const char *default_source, struct period current,
                      struct external_row *row)
{
	size_t bad = 0; /* errors of this row, counted past the cap too */
	memset(row, 0, sizeof *row);
	row->line = line;
	row->users = row->respondents = row->rank_pos = row->rank_of = -1;
#define ERR(col, ...)                                                                                        \
	do {                                                                                                 \
		bad++;                                                                                       \
		row_error(b, line, h->text[col], names[col].api, __VA_ARGS__);                               \
	} while (0)

	char t[64];
	trim(t, sizeof t, cell_at(h, COL_UNIT, n, cells));
	char ua[64];
	if (!t[0])
		ERR(COL_UNIT, "ต้องระบุรหัสหน่วยงาน");
	else if (thai_digits_to_ascii(ua, sizeof ua, t) < 0 || strlen(ua) >= sizeof row->unit ||
	         !unit_code_valid(ua))
		ERR(COL_UNIT, "รหัสหน่วยงานต้องเป็น 0 (ส่วนกลาง) รหัสจังหวัด 2 หลัก หรือรหัสอำเภอ 4 หลัก");
	else
		memcpy(row->unit, ua, strlen(ua) + 1); /* shorter than row->unit: checked above */

	const char *ps = cell_at(h, COL_PERIOD, n, cells);
	struct period p;
	if (blank(ps))
		ERR(COL_PERIOD, "ต้องระบุงวด เช่น ก.พ. 2567");
	else if (external_period_parse(ps, &p) < 0)
		ERR(COL_PERIOD, "อ่านงวดไม่ได้ ใช้รูปแบบ ก.พ. 2567 หรือ 2567-02");
	else if (period_cmp(p, current) > 0)
		ERR(COL_PERIOD, "งวดนี้ยังมาไม่ถึง");
	else
		period_iso(p, row->period);

	static const struct {
		enum col c;
		int64_t min;
		const char *msg;
	} ints[] = {
	    {COL_USERS, 0, "ต้องเป็นจำนวนเต็มตั้งแต่ 0 ขึ้นไป"},
	    {COL_RESPONDENTS, 0, "ต้องเป็นจำนวนเต็มตั้งแต่ 0 ขึ้นไป"},
	    {COL_RANK, 1, "ต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"},
	    {COL_RANK_OF, 1, "ต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"},
	};
	int64_t *int_out[] = {&row->users, &row->respondents, &row->rank_pos, &row->rank_of};
	int figures = 0;
	for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
		const char *s = cell_at(h, ints[k].c, n, cells);
		if (blank(s))
			continue;
		int64_t v;
		if (!parse_int(s, &v) || v < ints[k].min)
			ERR(ints[k].c, "%s", ints[k].msg);
		else
			*int_out[k] = v, figures++;
	}
	if (row->rank_pos > 0 && row->rank_of > 0 && row->rank_of < row->rank_pos)
		ERR(COL_RANK_OF, "จำนวนที่จัดอันดับ (%lld) น้อยกว่าอันดับ (%lld)", (long long)row->rank_of,
		    (long long)row->rank_pos);

	static const struct {
		enum col c;
		int64_t max_e4; /* -1: none */
		const char *msg;
	} decs[] = {
	    {COL_SUM, -1, "ต้องเป็นตัวเลขตั้งแต่ 0 ขึ้นไป ทศนิยมไม่เกิน 4 ตำแหน่ง"},
	    {COL_MEAN, 10 * 10000, "ต้องเป็นตัวเลข 0–10 ทศนิยมไม่เกิน 4 ตำแหน่ง"},
	    {COL_PERCENT, 100 * 10000, "ต้องเป็นตัวเลข 0–100 ทศนิยมไม่เกิน 4 ตำแหน่ง"},
	};
	char *dec_out[] = {row->score_sum, row->score_mean, row->percent};
	int64_t sum_e4 = -1;
	for (size_t k = 0; k < sizeof decs / sizeof decs[0]; k++) {
		const char *s = cell_at(h, decs[k].c, n, cells);
		if (blank(s))
			continue;
		int64_t e4;
		if (!parse_dec(s, &e4, dec_out[k]) || (decs[k].max_e4 >= 0 && e4 > decs[k].max_e4)) {
			dec_out[k][0] = '\0';
			ERR(decs[k].c, "%s", decs[k].msg);
		} else {
			figures++;
			if (decs[k].c == COL_SUM)
				sum_e4 = e4;
		}
	}
	if (sum_e4 >= 0 && row->respondents >= 0 && sum_e4 > row->respondents * 10 * 10000)
		ERR(COL_SUM, "คะแนนรวมเกิน 10 × จำนวนผู้ตอบแบบสำรวจ (%lld คน)", (long long)row->respondents);

	const char *src = cell_at(h, COL_SOURCE, n, cells);
	char st[EXTERNAL_SOURCE_MAX * 4 + 8];
	trim(st, sizeof st, blank(src) ? (default_source ? default_source : "") : src);
	size_t cps = 0;
	for (const char *q = st; *q; q++)
		cps += ((unsigned char)*q & 0xC0) != 0x80;
	const char *src_col = h->at[COL_SOURCE] >= 0 ? h->text[COL_SOURCE] : "";
	if (!st[0]) {
		bad++;
		row_error(b, line, src_col, "source",
		          "ต้องระบุแหล่งข้อมูล (ในคอลัมน์ \"แหล่งข้อมูล\" หรือในช่องแหล่งข้อมูลตอนนำเข้า)");
	} else if (text_check((struct text_span){st, strlen(st)}, 0) != TEXT_OK ||
	           cps > EXTERNAL_SOURCE_MAX || strlen(src) >= sizeof st - 1) {
		bad++;
		row_error(b, line, src_col, "source", "แหล่งข้อมูลต้องเป็นข้อความไม่เกิน %d ตัวอักษร",
		          EXTERNAL_SOURCE_MAX);
	} else {
		row->source = xstrdup(st);
	}

	if (figures == 0 && bad == 0) {
		bad++;
		row_error(b, line, "", "row", "ไม่มีตัวเลขใดเลย (ผู้มารับบริการ ผู้ตอบแบบสำรวจ คะแนน ร้อยละ หรืออันดับ)");
	}
#undef ERR
	if (bad) {
		free(row->source);
		row->source = NULL;
	}
	return bad == 0;
}

/* ---- duplicates ---- */

static int row_key_cmp(const void *a, const void *b)
{
	const struct external_row *x = *(const struct external_row *const *)a,
	                          *y = *(const struct external_row *const *)b;
	int c = strcmp(x->unit, y->unit);
	if (!c)
		c = strcmp(x->period, y->period);
	if (!c)
		c = strcmp(x->source, y->source);
	if (!c)
		c = x->line < y->line ? -1 : x->line > y->line;
	return c;
}

static int line_cmp(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "line"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "line"));
	return x < y ? -1 : x > y;
}

/* ---- the file ---- */

int external_parse(const char *data, size_t len, const char *default_source, struct period current,
                   struct external_batch *out)
{
	memset(out, 0, sizeof *out);
	out->errors = json_array();
	struct rows r = {0};
	r.xlsx = xlsx_looks_like(data, len);
	if (r.xlsx) {
		int rc = xlsx_sheet_read(data, len, EXTERNAL_MAX_ROWS + 10, &r.sh);
		if (rc != XLSX_OK) {
			bad_file(out, xlsx_strerror(rc));
			xlsx_sheet_cleanup(&r.sh);
			return EXTERNAL_BAD_FILE;
		}
	} else {
		csv_init(&r.csv, data, len);
	}
	int result = EXTERNAL_BAD_FILE;
	size_t line = 0, n = 0;
	const char *const *cells = NULL;
	int got = 0;
	struct header h;
	bool found = false;
	for (int tries = 0; tries < 10 && (got = rows_next(&r, &line, &n, &cells)) == 1; tries++) {
		for (size_t i = 0; i < n; i++)
			if (header_col(cells[i]) == COL_UNIT)
				found = true;
		if (found)
			break;
	}
	if (!found) {
		if (!r.xlsx && got < 0)
			snprintf(out->message, sizeof out->message,
			         "อ่านไฟล์ CSV ไม่ได้ที่บรรทัด %zu (เครื่องหมายคำพูดไม่ครบหรือแถวยาวเกินไป)", line);
		else
			bad_file(out, "ไม่พบแถวหัวตารางที่มีคอลัมน์ \"รหัสหน่วยงาน\" ในสิบแถวแรกของไฟล์");
		goto done;
	}
	/* The header row. */
	size_t header_line = line;
	for (int c = 0; c < NCOL; c++)
		h.at[c] = -1, h.text[c][0] = '\0';
	for (size_t i = 0; i < n; i++) {
		enum col c = header_col(cells[i]);
		char text[128];
		header_text(text, cells[i]);
		if (c == COL_UNKNOWN) {
			row_error(out, line, text, "header", "ไม่รู้จักหัวคอลัมน์นี้ (ดูรายชื่อคอลัมน์ในคู่มือ)");
		} else if (c < NCOL) {
			if (h.at[c] >= 0)
				row_error(out, line, text, names[c].api, "หัวคอลัมน์นี้ซ้ำกับคอลัมน์ที่ %d",
				          h.at[c] + 1);
			else
				h.at[c] = (int)i, memcpy(h.text[c], text, sizeof text);
		}
	}
	snprintf(out->unit_header, sizeof out->unit_header, "%s", h.text[COL_UNIT]);
	if (h.at[COL_PERIOD] < 0)
		row_error(out, line, "", "period", "ไม่มีคอลัมน์ \"งวด\"");
	if (json_array_size(out->errors)) {
		result = EXTERNAL_BAD_ROWS;
		goto done;
	}

	size_t cap = 64;
	out->rows = xmalloc(cap * sizeof *out->rows);
	bool rows_ok = true;
	while ((got = rows_next(&r, &line, &n, &cells)) == 1) {
		bool empty = true;
		for (size_t i = 0; i < n && empty; i++)
			empty = blank(cells[i]);
		if (empty)
			continue;
		if (out->n >= EXTERNAL_MAX_ROWS) {
			snprintf(out->message, sizeof out->message, "ไฟล์มีข้อมูลเกิน %d แถว", EXTERNAL_MAX_ROWS);
			goto done;
		}
		if (out->n == cap) {
			cap *= 2;
			out->rows = xrealloc(out->rows, cap * sizeof *out->rows);
		}
		if (check_row(out, &h, line, n, cells, default_source, current, &out->rows[out->n]))
			out->n++;
		else
			rows_ok = false;
	}
	if (got < 0) {
		snprintf(out->message, sizeof out->message,
		         "อ่านไฟล์ CSV ไม่ได้ที่บรรทัด %zu (เครื่องหมายคำพูดไม่ครบหรือแถวยาวเกินไป)", line);
		goto done;
	}
	if (rows_ok && out->n == 0) {
		snprintf(out->message, sizeof out->message, "ไม่มีแถวข้อมูลใต้แถวหัวตาราง (แถวที่ %zu)", header_line);
		goto done;
	}
	/* The same unit, period and source twice: an error on each later row. */
	if (out->n > 1) {
		struct external_row **idx = xmalloc(out->n * sizeof *idx);
		for (size_t i = 0; i < out->n; i++)
			idx[i] = &out->rows[i];
		qsort(idx, out->n, sizeof *idx, row_key_cmp);
		for (size_t i = 1; i < out->n; i++) {
			const struct external_row *a = idx[i - 1], *b = idx[i];
			if (!strcmp(a->unit, b->unit) && !strcmp(a->period, b->period) &&
			    !strcmp(a->source, b->source)) {
				row_error(out, b->line, h.text[COL_UNIT], "unit_code",
				          "หน่วยงาน %s งวด %s และแหล่งข้อมูลเดียวกันซ้ำกับแถวที่ %zu", b->unit,
				          b->period, a->line);
				rows_ok = false;
			}
		}
		free(idx);
		/* Errors in row order. */
		size_t ne = json_array_size(out->errors);
		if (ne > 1) {
			json_t **e = xmalloc(ne * sizeof *e);
			for (size_t i = 0; i < ne; i++)
				e[i] = json_incref(json_array_get(out->errors, i));
			qsort(e, ne, sizeof *e, line_cmp);
			json_array_clear(out->errors);
			for (size_t i = 0; i < ne; i++)
				json_array_append_new(out->errors, e[i]);
			free(e);
		}
	}
	result = rows_ok ? EXTERNAL_OK : EXTERNAL_BAD_ROWS;
done:
	if (result == EXTERNAL_BAD_ROWS)
		snprintf(out->message, sizeof out->message, "ข้อมูลไม่ถูกต้อง %zu จุด ยังไม่ได้นำเข้าแถวใดเลย",
		         json_array_size(out->errors));
	if (result != EXTERNAL_OK) {
		for (size_t i = 0; i < out->n; i++)
			free(out->rows[i].source);
		out->n = 0;
	}
	if (r.xlsx)
		xlsx_sheet_cleanup(&r.sh);
	else
		csv_cleanup(&r.csv);
	return result;
}

void external_batch_cleanup(struct external_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->rows[i].source);
	free(b->rows);
	json_decref(b->errors);
	memset(b, 0, sizeof *b);
}
