/* render/table: any model table as CSV (bytes exactly, and read back with
 * lib/csv) and XLSX (read back with lib/xlsx_read, and the sheet XML looked
 * at with Debian unzip for numeric cells and the B.E. date format). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/csv.h"
#include "lib/xlsx_read.h"
#include "render/export.h"
#include "render/table.h"
#include "support.h"

static const char *model_text =
    "{\"children\": ["
    "  {\"code\": \"47\", \"name_th\": \"สกลนคร\", \"users\": 1671, \"survey\": {\"score\": \"9.17\", \"n\": "
    "1000},"
    "   \"day\": \"2024-02-25\", \"at\": 1706926500, \"period\": \"2024-02\", \"share\": 12.345},"
    "  {\"code\": \"41\", \"name_th\": \"=HYPERLINK(\\\"x\\\")\", \"users\": \"2,100\", \"survey\": "
    "{\"score\": null},"
    "   \"day\": \"not a day\", \"at\": \"x\", \"period\": \"2024-13\", \"share\": -3}"
    "],"
    " \"tables\": {\"ranking\": {\"title\": \"อันดับจังหวัด ก.พ. 2567\", \"rows\": \"children\", \"columns\": ["
    "   {\"key\": \"code\", \"label\": \"รหัส\"},"
    "   {\"key\": \"name_th\", \"label\": \"จังหวัด\"},"
    "   {\"key\": \"users\", \"label\": \"ผู้มารับบริการ (ราย)\", \"type\": \"int\"},"
    "   {\"key\": \"survey.score\", \"label\": \"คะแนนเฉลี่ย\", \"type\": \"number\", \"decimals\": 2},"
    "   {\"key\": \"day\", \"label\": \"วันที่\", \"type\": \"day\"},"
    "   {\"key\": \"at\", \"label\": \"วันเวลา\", \"type\": \"time\"},"
    "   {\"key\": \"period\", \"label\": \"งวด\", \"type\": \"period\"},"
    "   {\"key\": \"share\", \"label\": \"สัดส่วน\", \"type\": \"number\", \"decimals\": 1}]},"
    "  \"inline\": {\"columns\": [{\"key\": \"a\", \"label\": \"ก\"}], \"rows\": [{\"a\": \"x,y\"}, {\"a\": "
    "5}]},"
    "  \"bad\": {\"columns\": [{\"label\": \"no key\"}]},"
    "  \"badrows\": {\"columns\": [{\"key\": \"a\"}], \"rows\": \"nowhere\"}}}";

static json_t *model(void)
{
	json_error_t e;
	json_t *m = json_loads(model_text, 0, &e);
	if (!m)
		fail_msg("model: %s at %d", e.text, e.position);
	return m;
}

static void csv_exact(void **state)
{
	json_t *m = model();
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(table_csv(&b, table_find(m, "ranking"), m), 0);
	const char *want =
	    CSV_UTF8_BOM "รหัส,จังหวัด,ผู้มารับบริการ (ราย),คะแนนเฉลี่ย,วันที่,วันเวลา,งวด,สัดส่วน\r\n"
	                 "47,สกลนคร,1671,9.17,25 ก.พ. 2567,3 ก.พ. 2567 09:15 น.,ก.พ. 2567,12.3\r\n"
	                 "41,\"'=HYPERLINK(\"\"x\"\")\",2100,,,,,-3\r\n";
	assert_string_equal(buf_str(&b), want);

	/* It reads back as a table of the same cells. */
	struct csv c;
	csv_init(&c, b.data, b.len);
	assert_int_equal(csv_next(&c), CSV_RECORD);
	assert_int_equal(c.nfields, 8);
	assert_int_equal(csv_column(&c, "คะแนนเฉลี่ย"), 3);
	assert_int_equal(csv_next(&c), CSV_RECORD);
	assert_string_equal(c.fields[2], "1671");
	assert_int_equal(csv_next(&c), CSV_RECORD);
	assert_string_equal(c.fields[1], "'=HYPERLINK(\"x\")");
	assert_int_equal(csv_next(&c), CSV_EOF);
	csv_cleanup(&c);

	buf_reset(&b);
	assert_int_equal(table_csv(&b, table_find(m, "inline"), m), 0);
	assert_string_equal(buf_str(&b), CSV_UTF8_BOM "ก\r\n\"x,y\"\r\n5\r\n");

	/* Malformed tables and a full buffer: -1, out unchanged. */
	buf_reset(&b);
	buf_puts(&b, "keep");
	assert_int_equal(table_csv(&b, table_find(m, "bad"), m), -1);
	assert_int_equal(table_csv(&b, table_find(m, "badrows"), m), -1);
	assert_int_equal(table_xlsx(&b, "x", table_find(m, "bad"), m), -1);
	assert_string_equal(buf_str(&b), "keep");
	assert_null(table_find(m, "missing"));
	assert_null(table_find(m, NULL));
	struct buf small;
	buf_init(&small, 40);
	assert_int_equal(table_csv(&small, table_find(m, "ranking"), m), -1);
	assert_int_equal(small.len, 0);
	buf_cleanup(&small);
	buf_cleanup(&b);
	json_decref(m);
}

static void xlsx_read_back(void **state)
{
	json_t *m = model();
	struct buf b;
	buf_init(&b, 16 << 20);
	assert_int_equal(table_xlsx(&b, "ranking", table_find(m, "ranking"), m), 0);
	struct xlsx_sheet sh;
	assert_int_equal(xlsx_sheet_read(b.data, b.len, 100, &sh), XLSX_OK);
	/* Title row 1, a blank row, the header row 3, data rows 4 and 5. */
	assert_int_equal(sh.nrows, 4);
	assert_int_equal(sh.rows[0].num, 1);
	assert_string_equal(sh.rows[0].cells[0], "อันดับจังหวัด ก.พ. 2567");
	assert_int_equal(sh.rows[1].num, 3);
	assert_string_equal(sh.rows[1].cells[2], "ผู้มารับบริการ (ราย)");
	assert_string_equal(sh.rows[1].cells[7], "สัดส่วน");
	const char *const *r1 = sh.rows[2].cells;
	assert_string_equal(r1[0], "47");
	assert_string_equal(r1[1], "สกลนคร");
	assert_string_equal(r1[2], "1671");
	assert_string_equal(r1[3], "9.17");
	/* Dates are real dates: xlsx_read gives a date-formatted number back as ISO. */
	assert_string_equal(r1[4], "2024-02-25");
	assert_string_equal(r1[5], "2024-02-03T09:15:00");
	assert_string_equal(r1[6], "ก.พ. 2567");
	assert_string_equal(r1[7], "12.345");
	const char *const *r2 = sh.rows[3].cells;
	assert_string_equal(r2[1], "=HYPERLINK(\"x\")"); /* a string cell, not a formula */
	assert_string_equal(r2[2], "2100");
	assert_string_equal(r2[3], "");
	assert_string_equal(r2[7], "-3");
	xlsx_sheet_cleanup(&sh);

	/* Numbers are numeric cells, dates carry the Buddhist-era format, no formula. */
	char *path = support_write_temp(b.data, b.len, "xlsx", "table");
	char *sheet = support_run(false, "unzip -p '%s' xl/worksheets/sheet1.xml", path);
	char *styles = support_run(false, "unzip -p '%s' xl/styles.xml", path);
	char *wb = support_run(false, "unzip -p '%s' xl/workbook.xml", path);
	unlink(path);
	free(path);
	assert_non_null(strstr(sheet, "<v>1671</v>"));
	assert_non_null(strstr(sheet, "<v>2100</v>"));
	assert_non_null(strstr(sheet, "<v>9.17</v>"));
	assert_null(strstr(sheet, "<f>"));
	assert_non_null(strstr(sheet, "<autoFilter"));
	assert_non_null(strstr(styles, "[$-107041E]d/m/yyyy"));
	assert_non_null(strstr(styles, "#,##0.00"));
	assert_non_null(strstr(wb, "name=\"ranking\""));
	free(sheet);
	free(styles);
	free(wb);
	buf_cleanup(&b);
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(csv_exact), cmocka_unit_test(xlsx_read_back)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
