/* The registry as an .xlsx workbook (libxlsxwriter).
 *
 * libxlsxwriter 1.1.4 (Debian 12) can only write to a named file; its
 * in-memory output (workbook options output_buffer) arrived in 1.1.5. So the
 * workbook goes to a private mkstemp file in $TMPDIR, which is read back into
 * the buffer through the descriptor we kept and always unlinked.
 * constant_memory mode streams each row to disk as it is written instead of
 * keeping the whole sheet in memory, which suits a server exporting
 * thousands of rows; it needs rows written top to bottom (they are) and
 * stores strings inline in the sheet rather than in a shared-strings table. */
#include "render/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "lib/fault.h"

enum { NCOLS = EXPORT_REGISTRY_NCOLS, ROW_TITLE = 0, ROW_PERIOD = 1, ROW_HEADER = 2, ROW_FIRST = 3 };

/* Column widths in Excel's character units, for export_registry_columns. */
static const double widths[NCOLS] = {10, 20, 26, 19, 13, 7, 10, 40, 26, 18, 20, 30, 20};

/* วันเวลา as a real date (an Excel serial, so it sorts and filters as one)
 * shown in the Buddhist era: [$-107041E] is Thai (041E) with the Thai
 * Buddhist calendar (07) and Western digits (01), the LCID form of
 * [$-th-TH,107] that both Excel and LibreOffice read. */
#define DATE_FORMAT "[$-107041E]d/m/yyyy hh:mm"
#define COL_WHEN    1

struct formats {
	lxw_format *title, *subtitle, *header, *cell, *voided, *date, *date_voided, *total_label, *total_n,
	    *total_services, *total_void;
};

static void formats_init(lxw_workbook *wb, struct formats *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->subtitle = workbook_add_format(wb);
	format_set_font_size(f->subtitle, 12);
	f->header = workbook_add_format(wb);
	format_set_bold(f->header);
	format_set_text_wrap(f->header);
	format_set_align(f->header, LXW_ALIGN_CENTER);
	format_set_align(f->header, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bg_color(f->header, 0xD9D9D9);
	format_set_border(f->header, LXW_BORDER_THIN);
	f->cell = workbook_add_format(wb);
	format_set_align(f->cell, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(f->cell, LXW_BORDER_THIN);
	f->voided = workbook_add_format(wb);
	format_set_align(f->voided, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(f->voided, LXW_BORDER_THIN);
	format_set_font_color(f->voided, LXW_COLOR_GRAY);
	format_set_font_strikeout(f->voided);
	f->date = workbook_add_format(wb);
	format_set_align(f->date, LXW_ALIGN_VERTICAL_TOP);
	format_set_align(f->date, LXW_ALIGN_LEFT);
	format_set_border(f->date, LXW_BORDER_THIN);
	format_set_num_format(f->date, DATE_FORMAT);
	f->date_voided = workbook_add_format(wb);
	format_set_align(f->date_voided, LXW_ALIGN_VERTICAL_TOP);
	format_set_align(f->date_voided, LXW_ALIGN_LEFT);
	format_set_border(f->date_voided, LXW_BORDER_THIN);
	format_set_font_color(f->date_voided, LXW_COLOR_GRAY);
	format_set_font_strikeout(f->date_voided);
	format_set_num_format(f->date_voided, DATE_FORMAT);
	f->total_label = workbook_add_format(wb);
	format_set_bold(f->total_label);
	format_set_top(f->total_label, LXW_BORDER_DOUBLE);
	/* Numbers stay numbers (they sum and sort); the unit is in the format. */
	f->total_n = workbook_add_format(wb);
	format_set_bold(f->total_n);
	format_set_top(f->total_n, LXW_BORDER_DOUBLE);
	format_set_num_format(f->total_n, "#,##0 \"ราย\"");
	f->total_services = workbook_add_format(wb);
	format_set_bold(f->total_services);
	format_set_top(f->total_services, LXW_BORDER_DOUBLE);
	format_set_num_format(f->total_services, "#,##0 \"รายการ\"");
	f->total_void = workbook_add_format(wb);
	format_set_bold(f->total_void);
	format_set_top(f->total_void, LXW_BORDER_DOUBLE);
	format_set_num_format(f->total_void, "\"ยกเลิก \"#,##0");
}

/* Writes the sheet. Returns 0, or -1 on the first libxlsxwriter error (a cell
 * over Excel's 32,767 characters among them) or when a scratch buffer passes
 * its 1 MiB cap, which is beyond any cell Excel would take anyway. */
static int write_sheet(lxw_workbook *wb, const json_t *model)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "ทะเบียน");
	if (!ws)
		return -1;
	struct formats f;
	formats_init(wb, &f);
	const json_t *unit = json_object_get(model, "unit"), *period = json_object_get(model, "period");
	const json_t *entries = json_object_get(model, "entries");
	size_t n = json_array_size(entries);
	struct buf title, range, scratch[3];
	buf_init(&title, 1 << 20);
	buf_init(&range, 1 << 20);
	for (int k = 0; k < 3; k++)
		buf_init(&scratch[k], 1 << 20);
	/* Past this, errors are lxw_error; a full scratch buffer counts as a
	 * string too long for a cell. */
	lxw_error err = LXW_NO_ERROR;

	const char *level = export_model_str(unit, "level_label"), *name = export_model_str(unit, "name_th");
	const char *province = export_model_str(unit, "province_th");
	if (buf_printf(&title, "ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์ (e-Service) %s%s", *level ? level : "อำเภอ",
	               name) < 0 ||
	    (*province && strcmp(province, name) &&
	     buf_printf(&title, strcmp(province, "กรุงเทพมหานคร") ? " จังหวัด%s" : " %s", province) < 0) ||
	    buf_printf(&range, "ประจำงวด %s (%s – %s)", export_model_str(period, "label"),
	               export_model_str(period, "first_day_th"), export_model_str(period, "last_day_th")) < 0)
		err = LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED;

	for (int c = 0; c < NCOLS && !err; c++)
		err = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_set_margins(ws, 3 / 2.54, 2 / 2.54, 2 / 2.54, 2 / 2.54);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_freeze_panes(ws, ROW_FIRST, 0);
	if (!err)
		err = worksheet_repeat_rows(ws, ROW_HEADER, ROW_HEADER);
	if (!err)
		err = worksheet_set_footer(ws, "&Cหน้า &P / &N");
	if (!err)
		err = worksheet_set_row(ws, ROW_TITLE, 24, NULL);
	if (!err)
		err = worksheet_merge_range(ws, ROW_TITLE, 0, ROW_TITLE, NCOLS - 1, buf_str(&title), f.title);
	if (!err)
		err = worksheet_merge_range(ws, ROW_PERIOD, 0, ROW_PERIOD, NCOLS - 1, buf_str(&range),
		                            f.subtitle);
	if (!err)
		err = worksheet_set_row(ws, ROW_HEADER, 20, NULL);
	for (int c = 0; c < NCOLS && !err; c++)
		err = worksheet_write_string(ws, ROW_HEADER, (lxw_col_t)c, export_registry_columns[c],
		                             f.header);
	if (!err)
		err = worksheet_autofilter(ws, ROW_HEADER, 0, (lxw_row_t)(ROW_HEADER + n), NCOLS - 1);

	for (size_t i = 0; i < n && !err; i++) {
		const json_t *e = json_array_get(entries, i);
		const char *row[NCOLS];
		if (export_registry_row(e, scratch, row) < 0) {
			err = LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED;
			break;
		}
		bool v = export_entry_is_void(e);
		lxw_format *fmt = v ? f.voided : f.cell;
		double serial;
		for (int c = 0; c < NCOLS && !err; c++) {
			lxw_row_t r = (lxw_row_t)(ROW_FIRST + i);
			if (c == COL_WHEN && export_entry_serial(e, &serial))
				err = worksheet_write_number(ws, r, (lxw_col_t)c, serial,
				                             v ? f.date_voided : f.date);
			else
				err = worksheet_write_string(ws, r, (lxw_col_t)c, row[c], fmt);
		}
	}

	/* Totals under รวม: entries under ชื่อ–สกุล, services under บริการ, voided
	 * under สถานะ. */
	struct export_totals tot;
	export_registry_totals(model, &tot);
	lxw_row_t r = (lxw_row_t)(ROW_FIRST + n);
	for (lxw_col_t c = 0; c < NCOLS && !err; c++) {
		switch (c) {
		case 0: err = worksheet_write_string(ws, r, c, "รวม", f.total_label); break;
		case 2: err = worksheet_write_number(ws, r, c, (double)tot.entries, f.total_n); break;
		case 7: err = worksheet_write_number(ws, r, c, (double)tot.services, f.total_services); break;
		case NCOLS - 1:
			err = worksheet_write_number(ws, r, c, (double)tot.voided, f.total_void);
			break;
		default: err = worksheet_write_blank(ws, r, c, f.total_label);
		}
	}
	buf_cleanup(&title);
	buf_cleanup(&range);
	for (int k = 0; k < 3; k++)
		buf_cleanup(&scratch[k]);
	return err == LXW_NO_ERROR ? 0 : -1;
}

/* Appends the whole file behind fd to b. 0 or -1. */
static int slurp(int fd, struct buf *b)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0 || sb.st_size < 0)
		return -1;
	size_t size = (size_t)sb.st_size, mark = b->len, max = b->max ? b->max : BUF_DEFAULT_MAX;
	if (size > max - b->len)
		return -1;
	char chunk[65536];
	for (off_t off = 0;;) {
		ssize_t got = pread(fd, chunk, sizeof chunk, off);
		if (got < 0 || buf_append(b, chunk, (size_t)got) < 0) {
			b->len = mark;
			if (b->data)
				b->data[mark] = '\0';
			return -1;
		}
		if (got == 0)
			return 0;
		off += got;
	}
}

int export_xlsx_build(struct buf *out, const char *title, int (*write)(struct lxw_workbook *wb, void *arg),
                      void *arg)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	char path[4096];
	if (snprintf(path, sizeof path, "%s/osspoint-xlsx-XXXXXX", tmp) >= (int)sizeof path)
		return -1;
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	char tmpdir[4096];
	snprintf(tmpdir, sizeof tmpdir, "%s", tmp);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = tmpdir, .use_zip64 = LXW_FALSE};
	int rc = -1;
	/* workbook_new_opt opens nothing yet; workbook_close writes the file
	 * (fopen "wb" on our path: same inode, so fd sees the result) and frees
	 * the workbook whatever happens, so it is always called. */
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	if (!wb)
		goto out;
	lxw_doc_properties props = {.title = (char *)title}; /* libxlsxwriter only reads it */
	int written = workbook_set_properties(wb, &props) == LXW_NO_ERROR ? write(wb, arg) : -1;
	/* The fault-injection build fails this file's write here (lib/fault.h). */
	if (workbook_close(wb) != LXW_NO_ERROR || written < 0 || fault_hit(FAULT_WRITE))
		goto out;
	rc = slurp(fd, out);
out:
	unlink(path);
	close(fd);
	return rc;
}

/* ---- a plain table (the roster, the order register) ---- */

struct table_job {
	const char *title, *subtitle;
	const char *const *headers;
	const double *col_widths;
	size_t ncols;
	const json_t *rows;
};

static int write_table(lxw_workbook *wb, const struct table_job *j)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
	if (!ws)
		return -1;
	struct formats f;
	formats_init(wb, &f);
	for (size_t c = 0; c < j->ncols; c++)
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, j->col_widths[c], NULL);
	worksheet_write_string(ws, 0, 0, j->title, f.title);
	worksheet_write_string(ws, 1, 0, j->subtitle ? j->subtitle : "", f.subtitle);
	for (size_t c = 0; c < j->ncols; c++)
		worksheet_write_string(ws, 2, (lxw_col_t)c, j->headers[c], f.header);
	size_t i;
	const json_t *row;
	json_array_foreach(j->rows, i, row)
	{
		for (size_t c = 0; c < j->ncols; c++) {
			const char *s = json_string_value(json_array_get(row, c));
			if (worksheet_write_string(ws, (lxw_row_t)(3 + i), (lxw_col_t)c, s ? s : "",
			                           f.cell) != LXW_NO_ERROR)
				return -1;
		}
	}
	return 0;
}

static int write_table_cb(lxw_workbook *wb, void *arg)
{
	return write_table(wb, arg);
}

int export_table_xlsx(struct buf *out, const char *title, const char *subtitle, const char *const *headers,
                      const double *col_widths, size_t ncols, const json_t *rows)
{
	if (!json_is_array(rows))
		return -1;
	struct table_job j = {title, subtitle, headers, col_widths, ncols, rows};
	return export_xlsx_build(out, title, write_table_cb, &j);
}

static int write_registry(lxw_workbook *wb, void *arg)
{
	return write_sheet(wb, arg);
}

int export_registry_xlsx(struct buf *out, const json_t *model)
{
	const json_t *entries = json_object_get(model, "entries");
	if (!json_is_object(model) || (entries && !json_is_array(entries)))
		return -1;
	return export_xlsx_build(out, "ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์", write_registry, (void *)model);
}
