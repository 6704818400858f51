/* Any table of a page model as CSV or XLSX: see table.h. */
#include "render/table.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "core/period.h"
#include "lib/thai.h"
#include "render/export.h"

enum col_type { T_TEXT, T_INT, T_NUMBER, T_DAY, T_TIME, T_PERIOD };

struct col {
	const char *key, *label;
	enum col_type type;
	int decimals;
};

/* The member at a dotted path ("survey.score") of o, or NULL. */
static const json_t *get_path(const json_t *o, const char *path)
{
	char part[128];
	while (o && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n == 0 || n >= sizeof part)
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		o = json_object_get(o, part);
		path += n + (dot ? 1 : 0);
		if (dot && !*path)
			return NULL;
	}
	return o;
}

const json_t *table_find(const json_t *model, const char *name)
{
	const json_t *t = json_object_get(json_object_get(model, "tables"), name ? name : "");
	return json_is_object(t) ? t : NULL;
}

const json_t *table_rows(const json_t *table, const json_t *model)
{
	const json_t *rows = json_object_get(table, "rows");
	if (json_is_string(rows))
		rows = get_path(model, json_string_value(rows));
	return json_is_array(rows) ? rows : NULL;
}

/* The columns of t into cols; their count, or -1 when malformed. */
static int columns(const json_t *t, struct col cols[TABLE_MAX_COLS])
{
	const json_t *cs = json_object_get(t, "columns");
	if (!json_is_array(cs) || json_array_size(cs) == 0 || json_array_size(cs) > TABLE_MAX_COLS)
		return -1;
	size_t i;
	const json_t *c;
	json_array_foreach(cs, i, c)
	{
		const char *key = json_string_value(json_object_get(c, "key"));
		if (!key)
			return -1;
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *label = json_string_value(json_object_get(c, "label"));
		const json_t *dec = json_object_get(c, "decimals");
		struct col *k = &cols[i];
		k->key = key;
		k->label = label ? label : key;
		k->type = !type || !strcmp(type, "text") ? T_TEXT
		          : !strcmp(type, "int")         ? T_INT
		          : !strcmp(type, "number")      ? T_NUMBER
		          : !strcmp(type, "day")         ? T_DAY
		          : !strcmp(type, "time")        ? T_TIME
		          : !strcmp(type, "period")      ? T_PERIOD
		                                         : T_TEXT;
		k->decimals = json_is_integer(dec) ? (int)json_integer_value(dec) : 2;
		if (k->decimals < 0 || k->decimals > 4)
			k->decimals = 2;
	}
	return (int)json_array_size(cs);
}

/* A decimal number string: "-12", "1,671", "9.17" (commas between digits
 * only). Writes it without commas into out (cap bytes) and its value. */
static bool decimal_text(const char *s, bool whole, char *out, size_t cap, double *v)
{
	size_t k = 0;
	bool digits = false, dot = false;
	for (const char *p = s; *p; p++) {
		if (*p == '-' && p == s) {
		} else if (*p >= '0' && *p <= '9') {
			digits = true;
		} else if (*p == ',' && digits && !dot && isdigit((unsigned char)p[1])) {
			continue;
		} else if (*p == '.' && !dot && !whole && digits) {
			dot = true;
		} else {
			return false;
		}
		if (k + 1 >= cap)
			return false;
		out[k++] = *p;
	}
	out[k] = '\0';
	if (!digits || out[k - 1] == '.')
		return false;
	*v = strtod(out, NULL);
	return isfinite(*v);
}

/* A cell: what the CSV writes (text, in scratch) and what the XLSX writes. */
struct cell {
	enum { C_EMPTY, C_TEXT, C_NUMBER, C_SERIAL } kind;
	const char *text; /* C_TEXT and C_NUMBER: the CSV text */
	double num;       /* C_NUMBER: the value; C_SERIAL: the Excel serial */
};

/* Excel serial of a Bangkok civil time (1900 system), or -1 before 1 March 1900. */
static double serial_of(int y, int m, int d, int secs)
{
	int64_t days = thai_days_from_civil(y, m, d) + 25569;
	if (days < 61)
		return -1;
	return (double)days + secs / 86400.0;
}

static void cell_of(const json_t *v, const struct col *c, struct buf *scratch, struct cell *out)
{
	buf_reset(scratch);
	out->kind = C_EMPTY;
	out->text = "";
	char tmp[64];
	double d;
	switch (c->type) {
	case T_TEXT:
		if (json_is_string(v))
			out->kind = C_TEXT, out->text = json_string_value(v);
		else if (json_is_integer(v))
			buf_printf(scratch, "%" JSON_INTEGER_FORMAT, json_integer_value(v)),
			    out->kind = C_TEXT;
		else if (json_is_real(v))
			buf_printf(scratch, "%.*f", c->decimals, json_real_value(v)), out->kind = C_TEXT;
		else if (json_is_boolean(v))
			buf_puts(scratch, json_is_true(v) ? "ใช่" : "ไม่ใช่"), out->kind = C_TEXT;
		if (out->kind == C_TEXT && !json_is_string(v))
			out->text = buf_str(scratch);
		return;
	case T_INT:
	case T_NUMBER:
		if (json_is_integer(v)) {
			buf_printf(scratch, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			out->num = (double)json_integer_value(v);
		} else if (json_is_real(v) && c->type == T_NUMBER && isfinite(json_real_value(v))) {
			buf_printf(scratch, "%.*f", c->decimals, json_real_value(v));
			out->num = json_real_value(v);
		} else if (json_is_string(v) &&
		           decimal_text(json_string_value(v), c->type == T_INT, tmp, sizeof tmp, &d)) {
			buf_puts(scratch, tmp);
			out->num = d;
		} else {
			return;
		}
		out->kind = C_NUMBER;
		out->text = buf_str(scratch);
		return;
	case T_DAY: {
		struct civil_day day;
		if (!json_is_string(v) || thai_day_parse(json_string_value(v), &day) != 0)
			return;
		thai_date_format(scratch, day.y, day.m, day.d, THAI_DATE_SHORT, false);
		out->text = buf_str(scratch);
		out->num = serial_of(day.y, day.m, day.d, 0);
		out->kind = out->num >= 0 ? C_SERIAL : C_TEXT;
		return;
	}
	case T_TIME: {
		struct civil_time lt;
		if (!json_is_integer(v) || thai_epoch_to_local(json_integer_value(v), &lt) != 0)
			return;
		thai_epoch_format(scratch, json_integer_value(v), THAI_DATE_SHORT, false);
		out->text = buf_str(scratch);
		out->num = serial_of(lt.y, lt.m, lt.d, lt.hour * 3600 + lt.min * 60 + lt.sec);
		out->kind = out->num >= 0 ? C_SERIAL : C_TEXT;
		return;
	}
	case T_PERIOD: {
		struct period p;
		if (!json_is_string(v) || period_parse(json_string_value(v), &p) != 0 ||
		    period_label(scratch, p, 0) != 0)
			return;
		out->kind = C_TEXT;
		out->text = buf_str(scratch);
		return;
	}
	}
}

/* ---- CSV ---- */

int table_csv(struct buf *out, const json_t *table, const json_t *model)
{
	struct col cols[TABLE_MAX_COLS];
	int nc = columns(table, cols);
	const json_t *rows = table_rows(table, model);
	if (nc < 0 || (json_object_get(table, "rows") && !rows))
		return -1;
	size_t mark = out->len;
	const char *head[TABLE_MAX_COLS];
	for (int k = 0; k < nc; k++)
		head[k] = cols[k].label;
	struct buf scratch[TABLE_MAX_COLS];
	for (int k = 0; k < nc; k++)
		buf_init(&scratch[k], 1 << 20);
	int rc = -1;
	if (buf_puts(out, CSV_UTF8_BOM) < 0 || csv_write_row(out, head, (size_t)nc) < 0)
		goto out;
	size_t i;
	const json_t *row;
	json_array_foreach(rows, i, row)
	{
		/* Text goes through the guarded writer one field at a time; numbers
		 * (validated: digits, '-', '.') are written bare. */
		for (int k = 0; k < nc; k++) {
			struct cell c;
			cell_of(get_path(row, cols[k].key), &cols[k], &scratch[k], &c);
			if (k && buf_putc(out, ',') < 0)
				goto out;
			if (c.kind == C_NUMBER) {
				if (buf_puts(out, c.text) < 0)
					goto out;
			} else if (c.kind != C_EMPTY) {
				/* csv_write_row ends the record with CRLF: write one field, drop it. */
				if (csv_write_row(out, &c.text, 1) < 0)
					goto out;
				out->len -= 2;
				out->data[out->len] = '\0';
			}
		}
		if (buf_append(out, "\r\n", 2) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	for (int k = 0; k < nc; k++)
		buf_cleanup(&scratch[k]);
	return rc;
}

/* ---- XLSX ---- */

struct xctx {
	const char *sheet;
	const json_t *table, *model, *rows;
	struct col *cols;
	int nc;
};

static int write_table(lxw_workbook *wb, void *arg)
{
	struct xctx *x = arg;
	/* A sheet name: at most 31 characters, none of []:*?/\ (Excel's rules). */
	char name[32];
	size_t k = 0;
	for (const char *s = x->sheet ? x->sheet : ""; *s && k < 31; s++)
		if ((unsigned char)*s < 0x80 && !strchr("[]:*?/\\'", *s))
			name[k++] = *s;
	name[k] = '\0';
	lxw_worksheet *ws = workbook_add_worksheet(wb, k ? name : "table");
	if (!ws)
		return -1;
	lxw_format *title = workbook_add_format(wb), *header = workbook_add_format(wb);
	format_set_bold(title);
	format_set_font_size(title, 14);
	format_set_bold(header);
	format_set_text_wrap(header);
	format_set_bg_color(header, 0xD9D9D9);
	format_set_border(header, LXW_BORDER_THIN);
	lxw_format *fint = workbook_add_format(wb), *fday = workbook_add_format(wb),
	           *ftime = workbook_add_format(wb);
	format_set_num_format(fint, "#,##0");
	/* Thai (041E), Buddhist calendar (07), Western digits (01): see xlsx.c. */
	format_set_num_format(fday, "[$-107041E]d/m/yyyy");
	format_set_num_format(ftime, "[$-107041E]d/m/yyyy hh:mm");
	lxw_format *fdec[5];
	static const char *const decfmt[5] = {"#,##0", "#,##0.0", "#,##0.00", "#,##0.000", "#,##0.0000"};
	for (int d = 0; d < 5; d++) {
		fdec[d] = workbook_add_format(wb);
		format_set_num_format(fdec[d], decfmt[d]);
	}

	lxw_error err = LXW_NO_ERROR;
	lxw_row_t r = 0;
	const char *t = json_string_value(json_object_get(x->table, "title"));
	if (t && *t) {
		err = worksheet_write_string(ws, r++, 0, t, title);
		r++; /* a blank row under the title */
	}
	lxw_row_t head = r;
	for (int c = 0; c < x->nc && !err; c++) {
		err = worksheet_write_string(ws, r, (lxw_col_t)c, x->cols[c].label, header);
		if (!err)
			err = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
			                           x->cols[c].type == T_TEXT ? 28 : 16, NULL);
	}
	size_t n = json_array_size(x->rows);
	if (!err)
		err = worksheet_autofilter(ws, head, 0, (lxw_row_t)(head + n), (lxw_col_t)(x->nc - 1));
	worksheet_freeze_panes(ws, head + 1, 0);
	if (!err)
		err = worksheet_repeat_rows(ws, head, head);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);
	r++;
	struct buf scratch;
	buf_init(&scratch, 1 << 20);
	for (size_t i = 0; i < n && !err; i++, r++) {
		const json_t *row = json_array_get(x->rows, i);
		for (int c = 0; c < x->nc && !err; c++) {
			struct cell cell;
			const struct col *col = &x->cols[c];
			cell_of(get_path(row, col->key), col, &scratch, &cell);
			switch (cell.kind) {
			case C_EMPTY: break;
			case C_TEXT:
				err = worksheet_write_string(ws, r, (lxw_col_t)c, cell.text, NULL);
				break;
			case C_NUMBER:
				err = worksheet_write_number(ws, r, (lxw_col_t)c, cell.num,
				                             col->type == T_INT ? fint : fdec[col->decimals]);
				break;
			case C_SERIAL:
				err = worksheet_write_number(ws, r, (lxw_col_t)c, cell.num,
				                             col->type == T_DAY ? fday : ftime);
				break;
			}
		}
	}
	buf_cleanup(&scratch);
	return err == LXW_NO_ERROR ? 0 : -1;
}

int table_xlsx(struct buf *out, const char *sheet, const json_t *table, const json_t *model)
{
	struct col cols[TABLE_MAX_COLS];
	int nc = columns(table, cols);
	const json_t *rows = table_rows(table, model);
	if (nc < 0 || (json_object_get(table, "rows") && !rows))
		return -1;
	struct xctx x = {sheet, table, model, rows, cols, nc};
	const char *title = json_string_value(json_object_get(table, "title"));
	return export_xlsx_build(out, title ? title : "ตาราง", write_table, &x);
}
