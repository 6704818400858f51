/* Registry exports: CSV, XLSX and the PDF "registry book".
 *
 * Pure renderers: each takes one JSON model (jansson) and appends bytes to a
 * capped struct buf. They know nothing of HTTP, SQL or permissions; the
 * handler builds the model (labels already in Thai, dates already formatted)
 * and decides who may export. See docs/modules/export.md.
 *
 * The model (every string UTF-8; a missing or non-string member reads as ""):
 *
 *   { "unit":   { "code": "4701", "name_th": "เมืองสกลนคร",
 *                 "province_th": "สกลนคร", "level_label": "อำเภอ" },
 *     "period": { "iso": "2024-02", "label": "ก.พ. 2567",
 *                 "first_day_th": "26 มกราคม 2567", "last_day_th": "25 กุมภาพันธ์ 2567" },
 *     "generated_th": "25 พฤศจิกายน 2569 14:05 น.", "generated_by": "สมชาย ใจดี",
 *     "entries": [ { "number": "15/2567", "visited_th": "3 ก.พ. 2567 09:15 น.",
 *                    "visited_at": 1706926500 (UTC epoch seconds; optional),
 *                    "visitor_name": "นางสาวสมศรี มีสุข",
 *                    "cid_masked": "X-XXXX-XXXX1-83-8" or null, "phone": "0812345678" or "",
 *                    "sex_label": "หญิง", "age_band_label": "40–59 ปี",
 *                    "services": [ { "code": "tangrat_signup",
 *                                    "name_th": "ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ",
 *                                    "outcome_label": "ดำเนินการให้แล้วเสร็จ" } ],
 *                    "channel_label": "แอปพลิเคชันทางรัฐ", "officer_name": "สมชาย ใจดี",
 *                    "remarks": "", "status": "active" | "void", "void_reason": "" }, … ],
 *     "totals": { "entries": 120, "services": 150, "void": 2 } }
 *
 * - An entry is voided when "status" is "void" (or, for models built from
 *   list rows, when "void" is true). Voided entries are exported, marked
 *   "ยกเลิก: <void_reason>".
 * - "totals" is printed as given (the handler defines what is counted). When
 *   it is missing, the renderers count it themselves: entries = entries not
 *   voided, services = services of entries not voided, void = voided entries.
 * - Digits are printed as the model gives them; the renderers add only page
 *   numbers and totals, in ASCII digits.
 *
 * The export_registry_{csv,xlsx,pdf} renderers return 0, or -1 when the
 * model is not an object, "entries" is present but not an array, out's
 * maximum would be exceeded, or the underlying library fails. On -1, out is
 * exactly as it was before the call (never half a file). The model is
 * borrowed and never modified. All functions may run in several threads at
 * once (each call owns its cairo surface, pango context and xlsxwriter
 * workbook; pango's font map is per thread), except export_pdf_shutdown. */
#ifndef OSSPOINT_RENDER_EXPORT_H
#define OSSPOINT_RENDER_EXPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

#define EXPORT_CSV_TYPE  "text/csv; charset=utf-8"
#define EXPORT_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define EXPORT_PDF_TYPE  "application/pdf"

/* The UTF-8 byte order mark that starts every CSV we write: without it Excel
 * reads the file as the ANSI code page and shows Thai as mojibake. */
#define CSV_UTF8_BOM "\xEF\xBB\xBF"

/* ---- model access shared by the renderers ------------------------------ */

/* obj[key] when it is a string, else "" (never NULL; obj may be NULL). */
const char *export_model_str(const json_t *obj, const char *key);
/* True when entry e is voided ("status": "void", or "void": true). */
bool export_entry_is_void(const json_t *e);
/* The Excel date serial of entry e's "visited_at" (UTC epoch seconds) as a
 * Bangkok wall-clock time (days since 1899-12-30, the fraction the time of
 * day), true; false when e has no integer visited_at or it falls before
 * 1 March 1900. The XLSX writes วันเวลา as this number, the CSV and PDF
 * print visited_th. */
bool export_entry_serial(const json_t *e, double *serial);

struct export_totals {
	json_int_t entries;  /* entries counted as served */
	json_int_t services; /* service transactions */
	json_int_t voided;   /* voided entries */
};
/* model.totals when it is an object (missing members read as 0), otherwise
 * counted from model.entries as described at the top. */
void export_registry_totals(const json_t *model, struct export_totals *t);

/* The registry's columns in the CSV and XLSX files, in order: ลำดับที่,
 * วันเวลา, ชื่อ–สกุล, เลขประจำตัวประชาชน, โทรศัพท์, เพศ, ช่วงอายุ, บริการ,
 * ผลการให้บริการ, ช่องทาง, เจ้าหน้าที่, หมายเหตุ, สถานะ. */
#define EXPORT_REGISTRY_NCOLS 13
extern const char *const export_registry_columns[EXPORT_REGISTRY_NCOLS];
/* Fills row[] with entry e's cells under those columns. บริการ and
 * ผลการให้บริการ list the services' names and outcomes in the same order,
 * joined by "; "; สถานะ is "ปกติ" or "ยกเลิก: <void_reason>" ("ยกเลิก" without
 * a reason). Those three are built in scratch[0..3) (reset here); every
 * pointer stays valid while e and scratch are unchanged. Returns 0, or -1
 * when a scratch buffer's maximum would be exceeded. */
int export_registry_row(const json_t *e, struct buf scratch[3], const char *row[EXPORT_REGISTRY_NCOLS]);

/* ---- CSV (RFC 4180) ---------------------------------------------------- */

/* Appends one record of n fields and its CRLF to b. A field is quoted when it
 * holds a comma, a double quote, CR or LF ('"' doubled inside). Formula
 * injection guard (OWASP): a field starting with = + - @ TAB or CR gets a
 * leading apostrophe, so a spreadsheet shows it as text instead of running
 * it ("-5" is written as "'-5": use this writer for text, not for numbers a
 * spreadsheet should compute with). A NULL field is written as empty.
 * fields may be NULL when n is 0. Writes no BOM (see CSV_UTF8_BOM).
 * Returns 0, or -1 when b's maximum would be exceeded (b unchanged). */
int csv_write_row(struct buf *b, const char *const *fields, size_t n);

/* The registry as CSV: BOM, a header row (export_registry_columns), then one
 * record per entry in model order (export_registry_row). No title or totals
 * rows: the file stays one table that other tools can read.
 * Returns 0 or -1 as described at the top. */
int export_registry_csv(struct buf *out, const json_t *model);

/* ---- XLSX (libxlsxwriter) -------------------------------------------- */

/* The registry as an .xlsx workbook with one sheet "ทะเบียน": a title row
 * (registry, district, province), a period row, a bold header row (the CSV's
 * columns, export_registry_columns) with an autofilter, frozen below the
 * header, one row per entry (cells are strings, so nothing is evaluated as a
 * formula, except วันเวลา: a real date, export_entry_serial, shown
 * "27/11/2569 09:15" in the Buddhist era by the number format
 * "[$-107041E]d/m/yyyy hh:mm", written as visited_th when the entry has no
 * visited_at; voided rows in grey strike-through), and a totals row with
 * numeric cells. Printing is set
 * to A4 landscape, one page wide, header rows repeated, "หน้า n / N" footer.
 * libxlsxwriter 1.1.4 writes only to files: the workbook goes through a
 * private temporary file in $TMPDIR (default /tmp) that is always removed.
 * Returns 0 or -1 as described at the top. */
int export_registry_xlsx(struct buf *out, const json_t *model);

/* The workbook machinery the XLSX exports share: a workbook in constant
 * memory mode on a private temporary file (as above), filled by write (0, or
 * -1 to give up), closed and appended whole to out. title is the document's
 * title property. Returns 0, or -1 (out unchanged). */
struct lxw_workbook;
int export_xlsx_build(struct buf *out, const char *title, int (*write)(struct lxw_workbook *wb, void *arg),
                      void *arg);

/* ---- PDF registry book (cairo + pango) ------------------------------- */

/* The registry as a printable book: A4 landscape, margins left 3 cm (binding
 * side), right 2 cm, top and bottom 2 cm, Thai font Laksaman (metric
 * compatible with TH Sarabun). Every page repeats the heading (title, service
 * point and district, period with its first and last day) and the table's
 * column headers, and ends with "พิมพ์เมื่อ <generated_th> โดย <generated_by>"
 * and "หน้า n / N". Long text wraps inside its cell; a row is never split
 * across pages (a single cell taller than a whole page is cut with "…": the
 * full text is in the CSV/XLSX). Voided rows are grey and struck through,
 * with "ยกเลิก: <reason>" in the remarks column. The totals line follows the
 * last row. No entries: one page saying "ไม่มีรายการในงวดนี้".
 * Returns 0 or -1 as described at the top. */
int export_registry_pdf(struct buf *out, const json_t *model);
/* The same, storing the number of pages in *pages (untouched on -1). */
int export_registry_pdf_pages(struct buf *out, const json_t *model, int *pages);

/* Releases the calling thread's pango font map, cairo's static caches and
 * fontconfig's (FcFini), so a leak checker sees a clean exit. Only at process
 * exit (or the end of a test), after every other thread that rendered PDF has
 * ended; render nothing afterwards. cairo asserts here if a font is still
 * referenced, i.e. if a renderer leaked a pango object. */
void export_pdf_shutdown(void);

/* A plain table as .xlsx (the duty roster, the order register): title and
 * subtitle lines, a header row of ncols headers (widths in Excel's
 * character units), then rows, a JSON array of arrays of strings. Appends
 * to out; 0 or -1 (out unchanged). */
int export_table_xlsx(struct buf *out, const char *title, const char *subtitle, const char *const *headers,
                      const double *widths, size_t ncols, const json_t *rows);

/* The month's duty roster as an official A4 PDF (render/official.h):
 * model {title: [lines], rows: [[date, shift, name, position, phone]],
 * footer}. Appends to out; 0 or -1 (out unchanged). */
int export_roster_pdf(struct buf *out, const json_t *model);

/* An official order (คำสั่ง) on the official layout (render/order_pdf.c):
 * model {draft, emblem (PNG path or ""), office_th, number ("๓/๒๕๖๙" or ""),
 * year_be, subject, body (paragraphs separated by a blank line), date_th,
 * signer: [lines], annex: {title: [lines], rows: [[date, name, position,
 * duty]]} | null}. Appends to out; 0 or -1 (out unchanged). */
int export_order_pdf(struct buf *out, const json_t *model);

#endif
