/* Any table of a page model as CSV or XLSX (dashboards, statistics, lists).
 *
 * A table is data in the page model, declared once next to the rows it
 * shows:
 *
 *   "tables": { "ranking": {
 *       "title": "อันดับจังหวัด ก.พ. 2567",          (sheet title row; optional)
 *       "columns": [ { "key": "name_th", "label": "จังหวัด" },
 *                    { "key": "users", "label": "ผู้มารับบริการ (ราย)", "type": "int" },
 *                    { "key": "survey.score", "label": "คะแนนเฉลี่ย", "type": "number",
 *                      "decimals": 2 },
 *                    { "key": "day", "label": "วันที่", "type": "day" } ],
 *       "rows": [ {…}, … ]  or  "rows": "children"  (a member path in the model) } }
 *
 * - "key" is a member of each row, or a dotted path into it ("survey.score").
 * - "type" (default "text"):
 *     text   the string as is (numbers and booleans as their JSON text);
 *     int    a whole number: a JSON integer, or a string of one ("1,671" too);
 *     number a decimal number: a JSON number or a decimal string ("9.17",
 *            kept exactly as given); "decimals" (0..4, default 2) is the
 *            XLSX display format and the CSV text of JSON reals;
 *     day    an ISO day "YYYY-MM-DD": CSV "3 ก.พ. 2567", XLSX a real date
 *            shown in B.E. ("3/2/2567");
 *     time   UTC epoch seconds: CSV "3 ก.พ. 2567 09:15 น." (Bangkok),
 *            XLSX a real date and time shown in B.E.;
 *     period a period "YYYY-MM": its Thai label "ก.พ. 2567" (text).
 *   A value that is null, absent or not of its type is an empty cell.
 * - Headers are the labels, in Thai, as given.
 *
 * CSV: UTF-8 BOM, the header row, one record per row (RFC 4180, CRLF); text
 * cells go through csv_write_row's formula-injection guard; int and number
 * cells are written bare ("1671", "-3", "9.17", no thousands separator) so
 * a spreadsheet reads them as numbers. No title row: one table other tools
 * can read.
 * XLSX: one sheet (named by the table's name), a bold title row when given,
 * a bold header row with an autofilter, frozen below it; numbers are numeric
 * cells ("#,##0" / "#,##0.00"), days and times date serials with a B.E.
 * number format, text strings (never formulas).
 *
 * Both return 0, or -1 when the table is malformed (no "columns" array of
 * objects with a string "key", at most TABLE_MAX_COLS; rows not an array),
 * out's maximum would be exceeded or libxlsxwriter fails; out is then as it
 * was. Thread-safe. */
#ifndef OSSPOINT_RENDER_TABLE_H
#define OSSPOINT_RENDER_TABLE_H

#include <jansson.h>

#include "lib/buf.h"

#define TABLE_MAX_COLS 64

/* model.tables[name] when it is an object, else NULL (borrowed). */
const json_t *table_find(const json_t *model, const char *name);
/* The table's rows: its "rows" array, or the array at the dotted member
 * path "rows" names in model; NULL when neither (borrowed). */
const json_t *table_rows(const json_t *table, const json_t *model);

int table_csv(struct buf *out, const json_t *table, const json_t *model);
int table_xlsx(struct buf *out, const char *sheet, const json_t *table, const json_t *model);

#endif
